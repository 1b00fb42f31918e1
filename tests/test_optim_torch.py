"""numpynn's optimizers, gradient clipping and schedules against torch.optim in float64."""

import numpy as np
import pytest

import numpynn as nn

torch = pytest.importorskip("torch")

STEPS = 100
SHAPES = [(7, 5), (5,), (3, 4, 2)]

GRID = [
    # (numpynn class, torch class, options: the same keywords for both)
    *[
        (nn.SGD, torch.optim.SGD, {"lr": 0.05, **options})
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
        for cls, torch_cls in [(nn.Adam, torch.optim.Adam), (nn.AdamW, torch.optim.AdamW)]
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
        (nn.RMSProp, torch.optim.RMSprop, {"lr": 0.01, **options})
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
        run_numpynn(cls, options, values, grads), run_torch(torch_cls, options, values, grads)
    )


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
