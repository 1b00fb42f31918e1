"""PyTorch as an independent oracle, in float64: every layer, activation and loss and whole random
MLPs match torch autograd to 1e-10 relative; the optimizers, gradient clipping and schedules
match torch.optim step by step. Without PyTorch each test is skipped (``pytest.mark.torch_oracle``:
tests/conftest.py says how to install it, and fails them where NUMPYNN_REQUIRE_TORCH is set), so
nothing here touches torch before a test runs."""

import numpy as np
import pytest

import numpynn as nn

try:
    import torch

    F = torch.nn.functional
except ImportError:
    torch = F = None

pytestmark = pytest.mark.torch_oracle


RTOL = 1e-10


TORCH_ACTIVATIONS = {
    "identity": lambda z: z,
    "leaky_relu": lambda z: F.leaky_relu(z, 0.01),
    "relu": lambda z: F.relu(z),
    "sigmoid": lambda z: torch.sigmoid(z),
    "tanh": lambda z: torch.tanh(z),
}


def test_every_activation_and_loss_has_its_torch_counterpart():
    """A new activation or loss needs its PyTorch twin here, or the oracle cannot check it."""
    assert set(TORCH_ACTIVATIONS) == set(nn.ACTIVATIONS)
    assert set(nn.LOSSES) == {"cross-entropy", "sigmoid-cross-entropy", "mse"}  # torch_loss's


def torch_loss(name, outputs, labels):
    """torch's definition of our losses: CrossEntropyLoss, BCEWithLogitsLoss summed over the
    outputs and averaged over the batch, and MSELoss against one-hot targets."""
    labels = torch.from_numpy(labels)
    one_hot = F.one_hot(labels, outputs.shape[1]).double()
    if name == "cross-entropy":
        return F.cross_entropy(outputs, labels)
    if name == "sigmoid-cross-entropy":
        return F.binary_cross_entropy_with_logits(outputs, one_hot, reduction="sum") / len(labels)
    return F.mse_loss(outputs, one_hot)


def leaf(array):
    return torch.tensor(array, dtype=torch.float64, requires_grad=True)


def assert_matches(ours, theirs):
    """Same shape, float64, and every entry within 1e-10 relative (no absolute slack)."""
    theirs = theirs.detach().numpy()
    assert ours.shape == theirs.shape and ours.dtype == np.float64
    np.testing.assert_allclose(ours, theirs, rtol=RTOL, atol=0)


def check_layer(layer, torch_fn, x, rng):
    """Forward, dL/dx and every dL/dparameter for L = Σ y ⊙ R with a random R."""
    y = layer.forward(x, training=True)
    R = rng.standard_normal(y.shape)
    grad_x = layer.backward(R.copy())
    x_t = leaf(x)
    params_t = [leaf(p.value) for p in layer.parameters()]
    y_t = torch_fn(x_t, *params_t)
    (y_t * torch.from_numpy(R)).sum().backward()
    assert_matches(y, y_t)
    assert_matches(grad_x, x_t.grad)
    for p, p_t in zip(layer.parameters(), params_t, strict=True):
        assert_matches(p.grad, p_t.grad)


def test_dense_matches_torch_linear(rng):
    layer = nn.Dense(7, 5, rng=rng, dtype="float64")
    layer.b.value[...] = rng.standard_normal(5)
    # our W is (in, out); torch's Linear weight is (out, in)
    check_layer(layer, lambda x, W, b: F.linear(x, W.T, b), rng.standard_normal((6, 7)), rng)


@pytest.mark.parametrize("name", sorted(nn.ACTIVATIONS))
def test_activation_matches_torch_including_at_the_kink(name, rng):
    x = rng.standard_normal((6, 9)) * 3
    x[0, :3] = 0.0  # the kink: ReLU'(0) = 0 and LeakyReLU'(0) = slope, as torch
    x[1, :2] = [40.0, -40.0]  # saturation
    check_layer(nn.get_activation(name), TORCH_ACTIVATIONS[name], x, rng)


def test_leaky_relu_with_another_slope_matches_torch(rng):
    check_layer(nn.LeakyReLU(0.2), lambda z: F.leaky_relu(z, 0.2), rng.standard_normal((4, 5)), rng)


def dropout_mask(p: float, shape, seed: int) -> np.ndarray:
    """The mask a Dropout(p) layer with generator ``seed`` draws on its first training forward."""
    return nn.Dropout(p, rng=np.random.default_rng(seed)).forward(np.ones(shape), training=True)


def test_dropout_matches_torch_with_the_same_mask(rng):
    layer = nn.Dropout(0.4, rng=np.random.default_rng(7))
    mask = torch.from_numpy(dropout_mask(0.4, (5, 8), seed=7))
    check_layer(layer, lambda x: x * mask, rng.standard_normal((5, 8)), rng)


@pytest.mark.parametrize("name", sorted(nn.LOSSES))
def test_loss_and_its_gradient_match_torch(name, rng):
    outputs = rng.standard_normal((7, 4)) * 5
    outputs[0] = [300.0, -200.0, 0.0, 1.0]  # large logits: the log-sum-exp must stay exact
    labels = rng.integers(0, 4, 7)
    loss_fn = nn.get_loss(name)
    loss = loss_fn.forward(outputs, labels)
    outputs_t = leaf(outputs)
    loss_t = torch_loss(name, outputs_t, labels)
    loss_t.backward()
    assert loss == pytest.approx(loss_t.item(), rel=RTOL)
    assert_matches(loss_fn.backward(), outputs_t.grad)


def test_mse_against_float_targets_matches_torch(rng):
    outputs, targets = rng.standard_normal((5, 3)), rng.standard_normal((5, 3))
    loss_fn = nn.MeanSquaredError()
    loss = loss_fn.forward(outputs, targets)
    outputs_t = leaf(outputs)
    loss_t = F.mse_loss(outputs_t, torch.from_numpy(targets))
    loss_t.backward()
    assert loss == pytest.approx(loss_t.item(), rel=RTOL)
    assert_matches(loss_fn.backward(), outputs_t.grad)


def test_sigmoid_cross_entropy_against_several_labels_per_example_matches_torch(rng):
    outputs = rng.standard_normal((6, 4)) * 5
    targets = (rng.random((6, 4)) < 0.5).astype(np.float64)  # multi-label: any number of 1s
    loss_fn = nn.SigmoidCrossEntropy()
    loss = loss_fn.forward(outputs, targets)
    outputs_t = leaf(outputs)
    loss_t = (
        F.binary_cross_entropy_with_logits(outputs_t, torch.from_numpy(targets), reduction="sum")
        / 6
    )
    loss_t.backward()
    assert loss == pytest.approx(loss_t.item(), rel=RTOL)
    assert_matches(loss_fn.backward(), outputs_t.grad)


def assert_same_pass(ours, theirs):
    """numpynn's (loss, outputs, dL/dx, model) against torch's (loss, outputs, x, parameters)."""
    (value, outputs, grad_x, model), (loss_t, h, x_t, params_t) = ours, theirs
    assert value == pytest.approx(loss_t.item(), rel=RTOL)
    assert_matches(outputs, h)
    assert_matches(grad_x, x_t.grad)
    for p, p_t in zip(model.parameters(), params_t, strict=True):
        assert_matches(p.grad, p_t.grad)


def random_mlp_cases(count=30, seed=2026):
    """Every activation x loss three times, each with a random depth 1-4, random widths, a random
    batch size and dropout in a third of them."""
    rng = np.random.default_rng(seed)
    combos = [(a, loss) for a in sorted(nn.ACTIVATIONS) for loss in sorted(nn.LOSSES)]
    cases = []
    for i in range(count):
        activation, loss = combos[i % len(combos)]
        sizes = rng.integers(1, 13, rng.integers(1, 5) + 2).tolist()  # 1-4 hidden layers
        sizes[-1] = max(sizes[-1], 2)
        cases.append((i, activation, loss, sizes, 0.3 if i % 3 == 2 else 0.0))
    return cases


@pytest.mark.parametrize(("case", "activation", "loss", "sizes", "dropout"), random_mlp_cases())
def test_random_mlp_matches_torch_autograd(case, activation, loss, sizes, dropout):
    rng = np.random.default_rng(case)
    model = nn.mlp(sizes, activation, dropout=dropout, dtype="float64", rng=rng)
    for p in model.parameters():  # nonzero biases, so the bias path is really tested
        p.value[...] = rng.standard_normal(p.shape) * 0.5
    N = int(rng.integers(1, 9))
    x, labels = rng.standard_normal((N, sizes[0])), rng.integers(0, sizes[-1], N)
    masks = {}
    for i, (previous, layer) in enumerate(zip(model.layers, model.layers[2:])):
        if isinstance(layer, nn.Dropout):  # Dense -> activation -> Dropout
            layer.rng = np.random.default_rng([case, i])
            masks[layer] = dropout_mask(dropout, (N, previous.out_features), seed=[case, i])

    loss_fn = nn.get_loss(loss)
    outputs = model.forward(x, training=True)
    value = loss_fn.forward(outputs, labels)
    grad_x = model.backward(loss_fn.backward())

    # the same network in torch, layer by layer, with our weights and dropout masks
    x_t = leaf(x)
    params_t = [leaf(p.value) for p in model.parameters()]
    h, weights = x_t, iter(params_t)
    for layer in model.layers:
        if isinstance(layer, nn.Dense):
            h = F.linear(h, next(weights).T, next(weights))
        elif isinstance(layer, nn.Dropout):
            h = h * torch.from_numpy(masks[layer])
        else:
            h = TORCH_ACTIVATIONS[activation](h)
    loss_t = torch_loss(loss, h, labels)
    loss_t.backward()
    assert_same_pass((value, outputs, grad_x, model), (loss_t, h, x_t, params_t))


@pytest.mark.parametrize("output_activation", sorted(nn.ACTIVATIONS))
def test_an_output_activation_and_normal_biases_match_torch_autograd(output_activation, rng):
    """Nielsen's chapter-1 network: N(0, 1) weights and biases, an activation after the last
    layer, the squared error."""
    model = nn.mlp([6, 5, 3], "sigmoid", init="normal", bias_init="normal",
                   output_activation=output_activation, dtype="float64", rng=rng)  # fmt: skip
    x, labels = rng.standard_normal((4, 6)), rng.integers(0, 3, 4)
    loss_fn = nn.MeanSquaredError()
    outputs = model.forward(x)
    value = loss_fn.forward(outputs, labels)
    grad_x = model.backward(loss_fn.backward())

    x_t = leaf(x)
    W0, b0, W1, b1 = params_t = [leaf(p.value) for p in model.parameters()]
    h = TORCH_ACTIVATIONS[output_activation](
        F.linear(torch.sigmoid(F.linear(x_t, W0.T, b0)), W1.T, b1)
    )
    loss_t = torch_loss("mse", h, labels)
    loss_t.backward()
    assert_same_pass((value, outputs, grad_x, model), (loss_t, h, x_t, params_t))


def test_random_mlps_cover_every_activation_loss_and_depth():
    cases = random_mlp_cases()
    assert len(cases) >= 20
    assert {(a, loss) for _, a, loss, _, _ in cases} == {
        (a, loss) for a in nn.ACTIVATIONS for loss in nn.LOSSES
    }
    assert {len(sizes) - 2 for *_, sizes, _ in cases} == {1, 2, 3, 4}


def test_the_oracle_comparison_catches_a_wrong_gradient(rng):
    """The checker of the oracle tests fails on a gradient off by 1e-9 relative."""
    layer = nn.Dense(4, 3, rng=rng, dtype="float64")
    x = rng.standard_normal((2, 4))
    layer.forward(x)
    layer.backward(np.ones((2, 3)))
    x_t, W_t, b_t = leaf(x), leaf(layer.W.value), leaf(layer.b.value)
    F.linear(x_t, W_t.T, b_t).sum().backward()
    assert_matches(layer.W.grad, W_t.grad)
    with pytest.raises(AssertionError):
        assert_matches(layer.W.grad * (1 + 1e-9), W_t.grad)


STEPS = 100


SHAPES = [(7, 5), (5,), (3, 4, 2)]


GRID = [
    # (numpynn class, torch.optim's class name, options: the same keywords for both)
    *[
        (nn.SGD, "SGD", {"lr": 0.05, **options})
        for options in [
            {},
            {"momentum": 0.9},
            {"momentum": 0.5, "dampening": 0.3},
            {"momentum": 0.9, "nesterov": True},
            {"weight_decay": 0.1},
            {"momentum": 0.8, "nesterov": True, "weight_decay": 0.05},
        ]
    ],
    *[
        (cls, torch_cls, {"lr": 0.01, **options})
        for cls, torch_cls in [(nn.Adam, "Adam"), (nn.AdamW, "AdamW")]
        for options in [
            {},
            {"betas": (0.5, 0.9)},
            {"betas": (0.0, 0.99), "eps": 1e-3},
            {"amsgrad": True},
            {"weight_decay": 0.1},
            {"weight_decay": 0.3, "amsgrad": True, "betas": (0.8, 0.95)},
        ]
    ],
    *[
        (nn.RMSProp, "RMSprop", {"lr": 0.01, **options})
        for options in [
            {},
            {"alpha": 0.9, "eps": 1e-4},
            {"momentum": 0.9},
            {"centered": True},
            {"centered": True, "momentum": 0.5, "weight_decay": 0.1},
            {"weight_decay": 0.2, "alpha": 0.5},
        ]
    ],
]


def random_problem(seed):
    """Random float64 parameters and, per step, random gradients of varied scale."""
    rng = np.random.default_rng(seed)
    values = [rng.standard_normal(shape) for shape in SHAPES]
    grads = [
        [rng.standard_normal(shape) * 10.0 ** rng.uniform(-3, 1) for shape in SHAPES]
        for _ in range(STEPS)
    ]
    return values, grads


def run_numpynn(cls, options, values, grads, clip_norm=None):
    params = [nn.Parameter(v.copy()) for v in values]
    opt = cls(params, **options)
    for step_grads in grads:
        for p, g in zip(params, step_grads):
            p.grad[...] = g
        if clip_norm:
            nn.clip_grad_norm(params, clip_norm)
        opt.step()
    return [p.value for p in params]


def run_torch(cls, options, values, grads, clip_norm=None):
    params = [torch.tensor(v, requires_grad=True) for v in values]
    opt = cls(params, foreach=False, **options)
    for step_grads in grads:
        for p, g in zip(params, step_grads):
            p.grad = torch.tensor(g)
        if clip_norm:
            torch.nn.utils.clip_grad_norm_(params, clip_norm, foreach=False)
        opt.step()
    return [p.detach().numpy() for p in params]


def assert_match(ours, theirs):
    for a, b in zip(ours, theirs):
        assert a.dtype == np.float64
        np.testing.assert_allclose(a, b, rtol=1e-12, atol=0)


@pytest.mark.parametrize(
    ("cls", "torch_cls", "options"),
    GRID,
    ids=[f"{c.__name__}-{sorted(o.items())}" for c, _, o in GRID],
)
def test_100_steps_match_torch_optim(cls, torch_cls, options):
    values, grads = random_problem(seed=len(str(options)))
    assert_match(
        run_numpynn(cls, options, values, grads),
        run_torch(getattr(torch.optim, torch_cls), options, values, grads),
    )


DECAY_GRID = [
    (nn.SGD, "SGD", {"lr": 0.05, "momentum": 0.9, "weight_decay": 0.1}),
    (nn.Adam, "Adam", {"lr": 0.01, "weight_decay": 0.1}),
    (nn.AdamW, "AdamW", {"lr": 0.01, "weight_decay": 0.3}),
    (nn.RMSProp, "RMSprop", {"lr": 0.01, "weight_decay": 0.2}),
]


@pytest.mark.parametrize(
    ("cls", "torch_cls", "options"),
    DECAY_GRID,
    ids=lambda v: v if isinstance(v, str) else getattr(v, "__name__", ""),
)
def test_weight_decay_without_biases_matches_torch_parameter_groups(cls, torch_cls, options):
    """decay_biases=False: the 1-D parameters (biases) are not decayed, as torch with a group
    of weight_decay 0 for them."""
    values, grads = random_problem(seed=7)
    ours = [nn.Parameter(v.copy()) for v in values]
    opt = cls(ours, decay_biases=False, **options)
    theirs = [torch.tensor(v, requires_grad=True) for v in values]
    groups = [{"params": [p for p in theirs if p.ndim > 1]},
              {"params": [p for p in theirs if p.ndim == 1], "weight_decay": 0.0}]  # fmt: skip
    opt_t = getattr(torch.optim, torch_cls)(groups, foreach=False, **options)
    for step_grads in grads:
        for p, p_t, g in zip(ours, theirs, step_grads):
            p.grad[...] = g
            p_t.grad = torch.tensor(g)
        opt.step()
        opt_t.step()
    assert_match([p.value for p in ours], [p.detach().numpy() for p in theirs])


@pytest.mark.parametrize("clip_norm", [0.1, 1.0, 1e6])
def test_clipped_steps_match_torch_clip_grad_norm(clip_norm):
    values, grads = random_problem(seed=1)
    options = {"lr": 0.1, "momentum": 0.9}
    ours = run_numpynn(nn.SGD, options, values, grads, clip_norm)
    assert_match(ours, run_torch(torch.optim.SGD, options, values, grads, clip_norm))
    unclipped = run_numpynn(nn.SGD, options, values, grads)
    clipped_at_all = not np.allclose(ours[0], unclipped[0])
    assert clipped_at_all == (clip_norm < 1e6)  # a huge max_norm never clips


@pytest.mark.parametrize(
    ("ours", "make_theirs"),
    [
        (nn.StepDecay(0.1, step_size=3, gamma=0.3), lambda o: torch.optim.lr_scheduler.StepLR(o, 3, 0.3)),
        (nn.Exponential(0.1, gamma=0.8), lambda o: torch.optim.lr_scheduler.ExponentialLR(o, 0.8)),
        (nn.Cosine(0.1, epochs=12, min_lr=0.01), lambda o: torch.optim.lr_scheduler.CosineAnnealingLR(o, 12, 0.01)),
        (nn.Cosine(0.1, epochs=7), lambda o: torch.optim.lr_scheduler.CosineAnnealingLR(o, 7)),
    ],
)  # fmt: skip
def test_schedules_match_torch_lr_schedulers_stepped_once_per_epoch(ours, make_theirs):
    opt = torch.optim.SGD([torch.zeros(1, requires_grad=True)], lr=0.1)
    scheduler = make_theirs(opt)
    theirs = []
    for _ in range(13):
        theirs.append(opt.param_groups[0]["lr"])
        opt.step()
        scheduler.step()
    span = getattr(ours, "epochs", 12) + 1  # past its epochs, torch's cosine climbs back up
    ours = [ours(epoch) for epoch in range(span)]
    np.testing.assert_allclose(ours, theirs[:span], rtol=1e-12, atol=1e-15)
