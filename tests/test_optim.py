"""Optimizers: hand-computed steps, float32, state_dict round trips, allocations, clear errors."""

import math
import tracemalloc

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


def test_adam_amsgrad_normalises_by_the_largest_second_moment_so_far():
    plain, ams = parameter([0.0], [3.0]), parameter([0.0], [3.0])
    opts = [
        nn.Adam([plain], lr=0.1, betas=(0.5, 0.5)),
        nn.Adam([ams], lr=0.1, betas=(0.5, 0.5), amsgrad=True),
    ]
    for opt in opts:
        opt.step()
    plain.grad[...] = ams.grad[...] = 0.0
    for opt in opts:
        opt.step()
    # step 2: m = 0.75 -> m̂ = 1; v = 2.25 -> v̂ = 3, but v_max = 4.5 -> v̂ = 6
    first = -0.1 * 3 / (3 + 1e-8)
    np.testing.assert_allclose(plain.value, [first - 0.1 / (np.sqrt(3.0) + 1e-8)], rtol=1e-12)
    np.testing.assert_allclose(ams.value, [first - 0.1 / (np.sqrt(6.0) + 1e-8)], rtol=1e-12)


def test_adamw_decays_the_weight_directly_then_takes_an_adam_step():
    p, q = parameter([2.0], [3.0]), parameter([2.0], [3.0])
    nn.AdamW([p], lr=0.1, weight_decay=0.5).step()
    nn.Adam([q], lr=0.1, weight_decay=0.5).step()
    # AdamW: θ = 2·(1 − 0.05) − 0.1·g/|g|; Adam's L2 term enters g = 3 + 1 = 4 and is normalised away
    np.testing.assert_allclose(p.value, [2.0 * 0.95 - 0.1 * 3 / (3 + 1e-8)], rtol=1e-12)
    np.testing.assert_allclose(q.value, [2.0 - 0.1 * 4 / (4 + 1e-8)], rtol=1e-12)


def test_rmsprop_hand_computed_steps_plain_centered_and_with_momentum():
    plain, centered, heavy = (parameter([1.0], [2.0]) for _ in range(3))
    nn.RMSProp([plain], lr=0.1, alpha=0.75, eps=0.0).step()
    nn.RMSProp([centered], lr=0.1, alpha=0.75, eps=0.0, centered=True).step()
    # s = 0.25·4 = 1; centered: ḡ = 0.25·2 = 0.5, s̃ = 1 − 0.25 = 0.75
    np.testing.assert_allclose(plain.value, [1 - 0.1 * 2 / 1], rtol=1e-12)
    np.testing.assert_allclose(centered.value, [1 - 0.1 * 2 / np.sqrt(0.75)], rtol=1e-12)
    opt = nn.RMSProp([heavy], lr=0.1, alpha=0.75, eps=0.0, momentum=0.5)
    opt.step()
    opt.step()
    # b₁ = 2/1 = 2; s₂ = 0.75 + 1 = 1.75, b₂ = 0.5·2 + 2/√1.75
    b2 = 1 + 2 / np.sqrt(1.75)
    np.testing.assert_allclose(heavy.value, [1 - 0.1 * 2 - 0.1 * b2], rtol=1e-12)


def test_clip_grad_norm_scales_all_gradients_by_one_factor_only_above_the_cap():
    p, q = parameter([0.0, 0.0], [3.0, 0.0]), parameter([0.0], [4.0])
    assert nn.clip_grad_norm([p, q], max_norm=10.0) == 5.0
    np.testing.assert_array_equal(q.grad, [4.0])  # under the cap: untouched
    assert nn.clip_grad_norm([p, q], max_norm=1.0) == 5.0
    scale = 1.0 / (5.0 + 1e-6)
    np.testing.assert_allclose(p.grad, [3 * scale, 0.0], rtol=1e-15)
    np.testing.assert_allclose(q.grad, [4 * scale], rtol=1e-15)
    with pytest.raises(
        ValueError, match="clip_grad_norm: max_norm must be a finite number > 0, got 0"
    ):
        nn.clip_grad_norm([p], 0)


def test_optimizers_keep_float32():
    model = nn.mlp([4, 3, 2], seed=0)
    params = model.parameters()
    everything = [
        nn.SGD(params, lr=0.1, momentum=0.9, nesterov=True, weight_decay=0.1),
        nn.Adam(params, weight_decay=0.1, amsgrad=True),
        nn.AdamW(params),
        nn.RMSProp(params, momentum=0.9, centered=True, weight_decay=0.1),
    ]
    for opt in everything:
        for p in model.parameters():
            p.grad[...] = 1
        opt.step()
        assert all(p.value.dtype == np.float32 for p in model.parameters())
        assert all(v.dtype == np.float32 for s in opt.state for v in s.values())


def test_zero_grad_clears_every_gradient():
    p = parameter([1.0, 2.0], [3.0, 4.0])
    nn.SGD([p], lr=0.1).zero_grad()
    np.testing.assert_array_equal(p.grad, [0.0, 0.0])


ALL_OPTIMIZERS = [
    (nn.SGD, {"lr": 0.1}),
    (nn.SGD, {"lr": 0.1, "momentum": 0.9, "nesterov": True}),
    (nn.SGD, {"lr": 0.1, "momentum": 0.8, "dampening": 0.2, "weight_decay": 0.01}),
    (nn.Adam, {"lr": 0.1}),
    (nn.Adam, {"lr": 0.1, "amsgrad": True, "weight_decay": 0.01}),
    (nn.AdamW, {"lr": 0.1, "amsgrad": True}),
    (nn.RMSProp, {"lr": 0.01}),
    (nn.RMSProp, {"lr": 0.01, "momentum": 0.9, "centered": True}),
]


@pytest.mark.parametrize(("cls", "options"), ALL_OPTIMIZERS)
def test_state_dict_round_trip_through_npz_continues_exactly(cls, options, tmp_path):
    grads = np.random.default_rng(0).standard_normal((8, 2, 3))
    a = [parameter(np.ones((2, 3)), 0), parameter(np.ones(3), 0)]
    b = [parameter(np.ones((2, 3)), 0), parameter(np.ones(3), 0)]
    first = cls(a, **options)
    for g in grads[:4]:
        a[0].grad[...], a[1].grad[...] = g, g[0]
        first.step()
    state = first.state_dict()
    assert all(isinstance(v, np.ndarray | int | float) for v in state.values())
    np.savez(tmp_path / "opt.npz", **state)
    for p, q in zip(a, b):
        q.value[...] = p.value
    second = cls(b, **options)
    with np.load(tmp_path / "opt.npz") as saved:
        second.load_state_dict(saved)
    assert second.t == 4
    for g in grads[4:]:
        for params, opt in ((a, first), (b, second)):
            params[0].grad[...], params[1].grad[...] = g, g[0]
            opt.step()
    for p, q in zip(a, b):
        np.testing.assert_array_equal(p.value, q.value)
    assert not np.array_equal(a[0].value, np.ones((2, 3)))


def test_restoring_without_the_state_would_not_continue_exactly():
    # the round trip above is meaningful: a fresh optimizer (t = 0, zero moments) diverges at once
    grads = np.random.default_rng(0).standard_normal((4, 3))
    a, b = parameter(np.ones(3), 0), parameter(np.ones(3), 0)
    first = nn.Adam([a], lr=0.1)
    for g in grads[:2]:
        a.grad[...] = g
        first.step()
    b.value[...] = a.value
    second = nn.Adam([b], lr=0.1)
    a.grad[...] = b.grad[...] = grads[2]
    first.step()
    second.step()
    assert not np.allclose(a.value, b.value)


def test_state_dict_is_a_copy_and_a_mismatched_state_is_refused():
    p = parameter([1.0, 2.0], [1.0, 1.0])
    adam = nn.Adam([p], lr=0.1)
    adam.step()
    state = adam.state_dict()
    adam.step()
    assert state["t"] == 1 and not np.array_equal(
        state["state.0.grad_sum"], adam.state[0]["grad_sum"]
    )
    with pytest.raises(
        ValueError,
        match=r"SGD: state_dict does not fit this optimizer \(missing \['state.0.momentum_buffer'\], "
        r"unexpected \['state.0.grad_sum', 'state.0.sq_sum'\]\)",
    ):
        nn.SGD([p], lr=0.1, momentum=0.9).load_state_dict(state)
    without_t = {k: v for k, v in state.items() if k != "t"}
    with pytest.raises(ValueError, match=r"Adam: state_dict does not fit .*\(missing \['t'\], unexpected \[\]\)"):  # fmt: skip
        nn.Adam([p], lr=0.1).load_state_dict(without_t)
    with pytest.raises(
        ValueError, match=r"Adam: state.0.grad_sum must have shape \(3,\), got \(2,\)"
    ):
        nn.Adam([parameter([1.0, 2.0, 3.0], 0)]).load_state_dict(state)


def peak_bytes_of_a_step(opt) -> int:
    tracemalloc.start()
    try:
        opt.step()
        return tracemalloc.get_traced_memory()[1]
    finally:
        tracemalloc.stop()


@pytest.mark.parametrize(("cls", "options"), ALL_OPTIMIZERS)
def test_a_step_allocates_at_most_two_parameter_sized_temporaries(cls, options):
    p = nn.Parameter(np.ones(200_000))
    p.grad[...] = 0.5
    opt = cls([p], **options)
    opt.step()  # the second step takes every branch (momentum buffers exist)
    assert peak_bytes_of_a_step(opt) <= 2 * p.value.nbytes + 10_000


def test_the_allocation_probe_sees_a_wasteful_update():
    class Wasteful(nn.SGD):
        def update(self, p, state, work):
            g = p.grad.copy()
            step = self.lr * g
            p.value -= step + g + g * 0.5  # five temporaries of this slice alive at once

    p = nn.Parameter(np.ones(200_000))
    assert peak_bytes_of_a_step(Wasteful([p], lr=0.1)) > 2 * p.value.nbytes + 10_000


@pytest.mark.parametrize(
    ("name", "options", "expected"),
    [
        ("sgd", {}, "SGD(lr=0.1)"),
        ("momentum", {}, "SGD(lr=0.1, momentum=0.9)"),
        ("momentum", {"momentum": 0.5, "weight_decay": 1e-4}, "SGD(lr=0.1, momentum=0.5, weight_decay=0.0001)"),
        ("nesterov", {"momentum": None}, "SGD(lr=0.1, momentum=0.9, nesterov=True)"),
        ("adam", {}, "Adam(lr=0.1, betas=(0.9, 0.999))"),
        ("adamw", {}, "AdamW(lr=0.1, betas=(0.9, 0.999), weight_decay=0.01)"),
        ("rmsprop", {"momentum": 0.9}, "RMSProp(lr=0.1, alpha=0.99, momentum=0.9)"),
    ],
)  # fmt: skip
def test_get_optimizer_by_name_with_options_none_meaning_default(name, options, expected):
    assert repr(nn.get_optimizer(name, [parameter([1.0], [0.0])], 0.1, **options)) == expected


@pytest.mark.parametrize(
    ("make", "message"),
    [
        (lambda p: nn.SGD(p, lr=0), "SGD: lr must be a finite number > 0, got 0"),
        (lambda p: nn.SGD(p, lr=-1), "SGD: lr must be a finite number > 0, got -1"),
        (lambda p: nn.Adam(p, lr=math.inf), "Adam: lr must be a finite number > 0, got inf"),
        (lambda p: nn.AdamW(p, lr=-0.1), "AdamW: lr must be a finite number > 0, got -0.1"),
        (lambda p: nn.RMSProp(p, lr=0), "RMSProp: lr must be a finite number > 0, got 0"),
        (lambda p: nn.SGD(p, lr=0.1, nesterov=True), r"SGD: nesterov needs momentum > 0 and dampening 0, got momentum=0.0 and dampening=0.0; pass momentum=0.9"),
        (lambda p: nn.get_optimizer("nesterov", p, 0.1, momentum=0), "nesterov needs momentum > 0"),
        (lambda p: nn.SGD(p, lr=0.1, momentum=1.5), r"SGD: momentum must be in \[0, 1\), got 1.5"),
        (lambda p: nn.SGD(p, lr=0.1, weight_decay=-1), "SGD: weight_decay must be a finite number >= 0, got -1"),
        (lambda p: nn.Adam(p, betas=(1.0, 0.999)), r"Adam: betas\[0\] must be in \[0, 1\), got 1.0"),
        (lambda p: nn.Adam(p, betas=(0.9, -0.1)), r"Adam: betas\[1\] must be in \[0, 1\), got -0.1"),
        (lambda p: nn.AdamW(p, betas=(0.9, 1.0)), r"AdamW: betas\[1\] must be in \[0, 1\), got 1.0"),
        (lambda p: nn.Adam(p, betas=(0.9,)), r"Adam: betas must be a pair \(β₁, β₂\), got \(0.9,\)"),
        (lambda p: nn.RMSProp(p, alpha=1.0), r"RMSProp: alpha must be in \[0, 1\), got 1.0"),
        (lambda p: nn.RMSProp(p, eps=-1), "RMSProp: eps must be a finite number >= 0, got -1"),
        (lambda p: nn.RMSProp(p, weight_decay=-1), "RMSProp: weight_decay must be a finite number >= 0, got -1"),
        (lambda p: nn.RMSProp(p, momentum=1), r"RMSProp: momentum must be in \[0, 1\), got 1"),
        (lambda p: nn.Adam(p, eps=-1), "Adam: eps must be a finite number >= 0, got -1"),
        (lambda p: nn.Adam(p, weight_decay=-1), "Adam: weight_decay must be a finite number >= 0, got -1"),
        (lambda p: nn.Adam([], lr=0.1), "Adam: got an empty parameter list"),
        (lambda p: nn.get_optimizer("adagrad", p, 0.1), "unknown optimizer 'adagrad'; choose one of: adam, adamw, momentum, nesterov, rmsprop, sgd"),
        (lambda p: nn.get_optimizer("adam", p, 0.1, momentum=0.9), "optimizer 'adam' takes no option 'momentum'; its options: betas, eps, weight_decay, amsgrad"),
    ],
)  # fmt: skip
def test_bad_optimizer_arguments_are_clear_errors(make, message):
    with pytest.raises(ValueError, match=message):
        make([parameter([1.0], [1.0])])


def test_rmsprop_default_learning_rate_is_1e_2():
    p = parameter([1.0], [2.0])
    nn.RMSProp([p], alpha=0.75, eps=0.0).step()
    np.testing.assert_allclose(p.value, [1 - 0.01 * 2 / 1], rtol=1e-12)


def test_centered_rmsprop_second_step_subtracts_the_squared_mean_gradient():
    p = parameter([1.0], [2.0])
    opt = nn.RMSProp([p], lr=0.1, alpha=0.75, eps=0.0, centered=True)
    opt.step()
    p.grad[...] = -1.0
    opt.step()
    # step 1: s = 1, ḡ = 0.5 -> θ = 1 − 0.2/√0.75
    # step 2: s = 0.75 + 0.25 = 1, ḡ = 0.375 − 0.25 = 0.125 -> s̃ = 1 − 0.015625
    expected = 1 - 0.2 / np.sqrt(0.75) + 0.1 / np.sqrt(1 - 0.125**2)
    np.testing.assert_allclose(p.value, [expected], rtol=1e-12)
    state = opt.state_dict()  # the saved running mean keeps its sign (only its square is used)
    assert state["state.0.grad_avg"].tolist() == [0.125]
    assert state["state.0.square_avg"].tolist() == [1.0]


def test_default_learning_rates_of_sgd_and_adam():
    p, q = parameter([1.0], [2.0]), parameter([1.0], [2.0])
    nn.SGD([p]).step()
    nn.Adam([q]).step()
    np.testing.assert_allclose(p.value, [1 - 0.01 * 2], rtol=1e-12)
    np.testing.assert_allclose(q.value, [1 - 1e-3 * 2 / (2 + 1e-8)], rtol=1e-12)


def test_an_optimizer_subclass_sees_the_plain_gradient_without_weight_decay():
    class PlainStep(nn.optim.Optimizer):
        def update(self, p, state, work):
            p.value -= self.lr * self._grad(p)

    p = parameter([1.0], [2.0])
    PlainStep([p], lr=0.5).step()
    np.testing.assert_array_equal(p.value, [0.0])


def test_sgd_dampening_scales_the_new_gradient_and_shows_in_the_repr():
    p = parameter([1.0], [1.0])
    opt = nn.SGD([p], lr=0.1, momentum=0.5, dampening=0.5)
    opt.step()
    opt.step()
    # v1 = g = 1 (no dampening on the first step), θ = 0.9; v2 = 0.5 + 0.5·1 = 1, θ = 0.8
    np.testing.assert_allclose(p.value, [0.8], rtol=1e-12)
    assert repr(opt) == "SGD(lr=0.1, momentum=0.5, dampening=0.5)"
    with pytest.raises(ValueError, match=r"SGD: dampening must be in \[0, 1\), got 1"):
        nn.SGD([p], momentum=0.5, dampening=1)


def test_adamw_default_learning_rate_is_1e_3():
    p = parameter([1.0], [2.0])
    nn.AdamW([p], weight_decay=0.0).step()
    np.testing.assert_allclose(p.value, [1 - 1e-3 * 2 / (2 + 1e-8)], rtol=1e-12)


@pytest.mark.parametrize(
    ("make", "expected"),
    [
        (lambda p: nn.Adam(p, lr=0.1, weight_decay=0.5, amsgrad=True), "Adam(lr=0.1, betas=(0.9, 0.999), weight_decay=0.5, amsgrad=True)"),
        (lambda p: nn.RMSProp(p), "RMSProp(lr=0.01, alpha=0.99)"),
        (lambda p: nn.RMSProp(p, momentum=0.5, centered=True, weight_decay=0.1), "RMSProp(lr=0.01, alpha=0.99, momentum=0.5, centered=True, weight_decay=0.1)"),
    ],
)  # fmt: skip
def test_an_optimizer_s_repr_shows_the_options_that_differ_from_the_defaults(make, expected):
    assert repr(make([parameter([1.0], [0.0])])) == expected


@pytest.mark.parametrize("name", ["sgd", "momentum", "adam", "adamw", "rmsprop"])
def test_decay_biases_false_leaves_biases_alone_packed_or_not(name):
    """A model's parameters share one buffer (the packed path); loose copies go one by one:
    both decay only the weights, to the same numbers."""
    model = nn.mlp([5, 4, 3], seed=0, dtype="float64")
    for p in model.parameters():
        p.value[...] += 1.0  # nonzero biases: a decay would move them
    loose = [nn.Parameter(p.value.copy(), p.name) for p in model.parameters()]
    before = [p.value.copy() for p in loose]
    packed = nn.get_optimizer(name, model.parameters(), 0.1, weight_decay=0.5, decay_biases=False)
    separate = nn.get_optimizer(name, loose, 0.1, weight_decay=0.5, decay_biases=False)
    assert len(packed.blocks) == 1 and len(separate.blocks) == 4
    for _ in range(3):  # zero gradients: only the decay moves anything
        packed.step()
        separate.step()
    for p, q, old in zip(model.parameters(), loose, before):
        np.testing.assert_array_equal(p.value, q.value)
        if p.value.ndim == 1:
            np.testing.assert_array_equal(p.value, old)  # a bias: untouched
        else:
            assert np.abs(p.value).sum() < np.abs(old).sum()  # a weight: shrunk


def test_subnormal_state_is_flushed_to_zero_and_the_rest_is_untouched():
    """A weight whose gradient is always 0 (a pixel never lit): its running sums shrink by β each
    step into subnormal floats, slow to compute on; every FLUSH_EVERY steps they become 0."""
    from numpynn.optim import FLUSH_EVERY

    p = nn.Parameter(np.ones((2, 3), np.float32), "w")
    adam = nn.Adam([p], lr=1e-3)
    state = adam.state[0]
    state["grad_sum"][0] = state["sq_sum"][0] = 1e-39  # subnormal in float32, as after ~800 steps
    for step in range(1, FLUSH_EVERY + 1):
        p.grad[0], p.grad[1] = 0.0, 1.0  # row 0 never lit; row 1 a gradient every step
        adam.step()
        assert np.all(state["grad_sum"][0] != 0) == (step < FLUSH_EVERY)
    assert not state["grad_sum"][0].any() and not state["sq_sum"][0].any()
    expected = sum(0.9**k for k in range(FLUSH_EVERY))  # Σ β₁ᵏ·1: normal, untouched
    np.testing.assert_allclose(state["grad_sum"][1], expected, rtol=1e-6)
