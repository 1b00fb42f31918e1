import numpy as np
import pytest

import numpynn as nn


def parameter(value, grad):
    p = nn.Parameter(np.array(value, dtype=np.float64))
    p.grad[...] = grad
    return p


def test_sgd_step_is_theta_minus_lr_grad():
    p = parameter([1.0, -2.0], [0.5, 1.0])
    nn.SGD([p], lr=0.1).step()
    np.testing.assert_allclose(p.value, [0.95, -2.1])


def test_sgd_momentum_and_nesterov_two_hand_computed_steps():
    p, q = parameter([1.0], [1.0]), parameter([1.0], [1.0])
    momentum, nesterov = (
        nn.SGD([p], lr=0.1, momentum=0.9),
        nn.SGD([q], lr=0.1, momentum=0.9, nesterov=True),
    )
    for opt in (momentum, nesterov):
        opt.step()
        opt.step()
    # momentum: v1 = 1, θ = 0.9; v2 = 0.9 + 1 = 1.9, θ = 0.9 - 0.19 = 0.71
    np.testing.assert_allclose(p.value, [0.71])
    # nesterov: step 1 uses g + 0.9·v1 = 1.9 -> 0.81; step 2 uses 1 + 0.9·1.9 = 2.71 -> 0.539
    np.testing.assert_allclose(q.value, [0.539])


def test_sgd_weight_decay_adds_to_the_gradient():
    p = parameter([2.0], [0.0])
    nn.SGD([p], lr=0.5, weight_decay=0.1).step()
    np.testing.assert_allclose(p.value, [2.0 - 0.5 * 0.2])


def test_adam_first_step_moves_each_coordinate_by_lr():
    p = parameter([1.0, 1.0], [3.0, -1e-3])
    nn.Adam([p], lr=0.01).step()
    # m̂ = g, v̂ = g², so the step is lr·g/(|g| + eps) ≈ lr·sign(g)
    np.testing.assert_allclose(p.value, [0.99, 1.01], rtol=1e-6)


def test_adam_second_hand_computed_step():
    p = parameter([0.0], [1.0])
    opt = nn.Adam([p], lr=0.1, betas=(0.5, 0.5), eps=0.0 + 1e-12)
    opt.step()
    p.grad[...] = 3.0
    opt.step()
    # m = 0.5·0.5 + 0.5·3 = 1.75 -> m̂ = 1.75/0.75; v = 0.5·0.5 + 0.5·9 = 4.75 -> v̂ = 4.75/0.75
    expected = -0.1 - 0.1 * (1.75 / 0.75) / np.sqrt(4.75 / 0.75)
    np.testing.assert_allclose(p.value, [expected], rtol=1e-9)


def test_optimizers_keep_float32():
    model = nn.mlp([4, 3, 2], seed=0)
    for opt in (nn.SGD(model.parameters(), lr=0.1, momentum=0.9), nn.Adam(model.parameters())):
        for p in model.parameters():
            p.grad[...] = 1
        opt.step()
        assert all(p.value.dtype == np.float32 for p in model.parameters())
        assert all(v.dtype == np.float32 for s in opt.state for v in s.values())


def test_state_dict_round_trip_continues_exactly():
    rng = np.random.default_rng(0)
    grads = rng.standard_normal((6, 3))
    a, b = parameter(np.zeros(3), 0), parameter(np.zeros(3), 0)
    first = nn.Adam([a], lr=0.1)
    for g in grads[:3]:
        a.grad[...] = g
        first.step()
    b.value[...] = a.value
    second = nn.Adam([b], lr=0.1)
    second.load_state_dict(first.state_dict())
    for g in grads[3:]:
        a.grad[...] = b.grad[...] = g
        first.step()
        second.step()
    np.testing.assert_array_equal(a.value, b.value)


@pytest.mark.parametrize(
    ("make", "message"),
    [
        (lambda p: nn.SGD(p, lr=0), "lr must be a finite number > 0, got 0"),
        (lambda p: nn.SGD(p, lr=-1), "lr must be a finite number > 0, got -1"),
        (lambda p: nn.SGD(p, lr=0.1, nesterov=True), "nesterov needs momentum > 0"),
        (lambda p: nn.SGD(p, lr=0.1, momentum=1.5), r"momentum must be in \[0, 1\)"),
        (
            lambda p: nn.Adam(p, betas=(1.0, 0.999)),
            r"Adam: betas\[0\] must be in \[0, 1\), got 1.0",
        ),
        (lambda p: nn.Adam([], lr=0.1), "empty parameter list"),
        (
            lambda p: nn.get_optimizer("adagrad", p, 0.1),
            "unknown optimizer 'adagrad'; choose one of: adam",
        ),
    ],
)
def test_bad_optimizer_arguments_are_clear_errors(make, message):
    with pytest.raises(ValueError, match=message):
        make([parameter([1.0], [1.0])])


def test_zero_grad_clears_every_gradient():
    p = parameter([1.0, 2.0], [3.0, 4.0])
    nn.SGD([p], lr=0.1).zero_grad()
    np.testing.assert_array_equal(p.grad, [0.0, 0.0])
