"""One buffer for all parameters: views with the old shapes and contents, and the same
optimizer steps as one parameter at a time."""

import numpy as np
import pytest

import numpynn as nn
from numpynn.buffers import pack, packed


def test_a_model_keeps_all_values_and_all_gradients_in_one_buffer_each():
    model = nn.mlp([7, 5, 3], seed=0)
    params = model.parameters()
    whole = packed(params)
    assert whole is not None and whole.value.shape == (7 * 5 + 5 + 5 * 3 + 3,)
    params[0].value[1, 2] = 42.0  # a parameter is a view: writing it writes the buffer
    params[3].grad[...] = 7.0
    assert whole.value[1 * 5 + 2] == 42.0 and np.all(whole.grad[-3:] == 7.0)


def test_pack_keeps_shapes_and_contents():
    a, b = nn.Parameter(np.arange(6.0).reshape(2, 3)), nn.Parameter(np.array([9.0]))
    pack([a, b])
    np.testing.assert_array_equal(a.value, [[0, 1, 2], [3, 4, 5]])
    assert a.grad.shape == (2, 3) and b.value[0] == 9.0
    assert packed([a, b]).value.tolist() == [0, 1, 2, 3, 4, 5, 9]


def test_packed_refuses_parameters_that_do_not_tile_one_buffer():
    a, b = nn.Parameter(np.zeros(3)), nn.Parameter(np.zeros(2))
    assert packed([a, b]) is None  # separate arrays
    pack([a, b])
    assert packed([b, a]) is None  # out of order
    assert packed([a]) is not None and packed([b]) is not None


OPTIMIZERS = [
    (nn.SGD, {"lr": 0.1}),
    (nn.SGD, {"lr": 0.1, "momentum": 0.9, "nesterov": True, "weight_decay": 1e-3}),
    (nn.Adam, {"lr": 1e-2, "amsgrad": True}),
    (nn.AdamW, {"lr": 1e-2, "weight_decay": 0.1}),
    (nn.RMSProp, {"lr": 1e-3, "momentum": 0.5, "centered": True}),
]


@pytest.mark.parametrize(("cls", "options"), OPTIMIZERS)
def test_one_buffer_gives_the_same_steps_as_one_parameter_at_a_time(cls, options):
    """The update over the packed buffer is the same elementwise arithmetic: bit-identical."""
    model = nn.mlp([300, 20, 10], seed=0)
    copies = [nn.Parameter(p.value.copy(), p.name) for p in model.parameters()]
    fused, separate = cls(model.parameters(), **options), cls(copies, **options)
    assert len(fused.blocks) == 1 and len(separate.blocks) == len(copies)
    rng = np.random.default_rng(0)
    for _ in range(5):
        for p, q in zip(model.parameters(), copies, strict=True):
            p.grad[...] = q.grad[...] = rng.standard_normal(p.shape, dtype=np.float32)
        fused.step()
        separate.step()
    for p, q in zip(model.parameters(), copies, strict=True):
        np.testing.assert_array_equal(p.value, q.value)


def test_pack_and_packed_handle_a_single_parameter():
    p = nn.Parameter(np.arange(4.0).reshape(2, 2))
    pack([p])
    whole = packed([p])
    assert whole.value.tolist() == [0.0, 1.0, 2.0, 3.0] and whole.grad.shape == (4,)
    assert np.shares_memory(whole.value, p.value) and np.shares_memory(whole.grad, p.grad)


def test_pack_leaves_mixed_dtypes_and_an_empty_list_alone():
    a, b = nn.Parameter(np.zeros(2, dtype=np.float32)), nn.Parameter(np.zeros(3))
    pack([a, b])
    pack([])
    assert a.value.base is None and b.value.base is None and packed([a, b]) is None


@pytest.mark.parametrize(
    ("trained", "frozen"), [(slice(2, 4), slice(0, 2)), (slice(0, 2), slice(2, 4))]
)
def test_an_optimizer_of_one_layer_steps_only_that_layer_s_slice_of_the_model_buffer(
    trained, frozen
):
    """Freezing a layer: the other layer's parameters tile a slice of the model's buffer (its
    start or its end), and the optimizer takes that slice as one block."""
    model = nn.mlp([3, 2, 2], seed=0)  # dense0.W (6), dense0.b (2), dense1.W (4), dense1.b (2)
    params = model.parameters()
    whole = packed(params[trained])
    expected = np.concatenate([p.value.ravel() for p in params[trained]])
    assert whole.name == "all parameters" and whole.value.tolist() == expected.tolist()
    assert np.shares_memory(whole.value, params[trained][0].value)
    assert whole.grad.shape == expected.shape
    before = [p.value.copy() for p in params]
    for p in params:
        p.grad[...] = 1.0
    optimizer = nn.SGD(params[trained], lr=0.5)
    assert len(optimizer.blocks) == 1
    optimizer.step()
    for p, value in zip(params[trained], before[trained], strict=True):
        np.testing.assert_array_equal(p.value, value - np.float32(0.5))
    for p, value in zip(params[frozen], before[frozen], strict=True):
        np.testing.assert_array_equal(p.value, value)


def test_packed_needs_both_values_and_gradients_to_tile_the_buffers():
    a, b = nn.Parameter(np.zeros(3)), nn.Parameter(np.zeros(2))
    pack([a, b])
    b.grad = np.zeros(2)  # values still tile, gradients no longer
    assert packed([a, b]) is None
    c, d = nn.Parameter(np.zeros(3)), nn.Parameter(np.zeros(2))
    pack([c, d])
    d.value = np.zeros(2)  # gradients still tile, values no longer
    assert packed([c, d]) is None
