"""Learning-rate schedules: ``schedule(epoch)`` is the learning rate of an epoch, counted from 0.

``fit(..., schedule=...)`` sets ``optimizer.lr`` from the schedule before each epoch and records it
in the history's ``lr`` column. Each closed form equals the torch.optim.lr_scheduler of the same
name stepped once per epoch. ``Warmup`` wraps any of them.
"""

import math

from .validation import check_int, check_number, is_int, look_up

__all__ = [
    "Schedule",
    "Constant",
    "StepDecay",
    "Exponential",
    "Cosine",
    "Warmup",
    "SCHEDULES",
    "make_schedule",
]


class Schedule:
    """A learning rate per epoch: ``schedule(epoch) -> lr`` for epoch = 0, 1, 2, ..."""

    def __call__(self, epoch: int) -> float:
        raise NotImplementedError

    def __repr__(self) -> str:
        fields = ", ".join(f"{k}={v!r}" for k, v in vars(self).items())
        return f"{type(self).__name__}({fields})"


class Constant(Schedule):
    """lr every epoch."""

    def __init__(self, lr: float):
        self.lr = _lr("Constant", lr)

    def __call__(self, epoch):
        return self.lr


class StepDecay(Schedule):
    """lr·gamma^⌊epoch / step_size⌋: drop by gamma every step_size epochs (torch StepLR)."""

    def __init__(self, lr: float, step_size: int, gamma: float = 0.1):
        self.lr = _lr("StepDecay", lr)
        self.step_size = check_int("step_size", step_size, 1, who="StepDecay")
        self.gamma = _gamma("StepDecay", gamma)

    def __call__(self, epoch):
        return self.lr * self.gamma ** (epoch // self.step_size)


class Exponential(Schedule):
    """lr·gamma^epoch: shrink by gamma every epoch (torch ExponentialLR)."""

    def __init__(self, lr: float, gamma: float):
        self.lr = _lr("Exponential", lr)
        self.gamma = _gamma("Exponential", gamma)

    def __call__(self, epoch):
        return self.lr * self.gamma**epoch


class Cosine(Schedule):
    """min_lr + (lr − min_lr)·(1 + cos(π·epoch / epochs)) / 2 for epoch < epochs, then min_lr
    (torch CosineAnnealingLR with T_max = epochs): a slow start, a fast middle, a gentle end.
    """

    def __init__(self, lr: float, epochs: int, min_lr: float = 0.0):
        self.lr = _lr("Cosine", lr)
        self.epochs = check_int("epochs", epochs, 1, who="Cosine")
        self.min_lr = check_number("min_lr", min_lr, 0, lr, high_open=False, who="Cosine")

    def __call__(self, epoch):
        if epoch >= self.epochs:
            return self.min_lr
        return (
            self.min_lr
            + (self.lr - self.min_lr) * (1 + math.cos(math.pi * epoch / self.epochs)) / 2
        )


class Warmup(Schedule):
    """Linear warm-up, then ``after``: epoch e < epochs gets after(0)·(e + 1)/(epochs + 1), and
    epoch e ≥ epochs gets after(e − epochs). Small first steps let Adam's moment estimates and a
    fresh network's activations settle before the full learning rate is used.
    """

    def __init__(self, after: Schedule, epochs: int):
        self.after = after
        self.epochs = check_int("epochs", epochs, 0, who="Warmup")

    def __call__(self, epoch):
        if epoch < self.epochs:
            return self.after(0) * (epoch + 1) / (self.epochs + 1)
        return self.after(epoch - self.epochs)


SCHEDULES = {"constant": Constant, "step": StepDecay, "exponential": Exponential, "cosine": Cosine}


def make_schedule(
    name: str,
    lr: float,
    epochs: int,
    *,
    warmup_epochs: int = 0,
    gamma: float | None = None,
    step_size: int | None = None,
) -> Schedule:
    """The schedule ``name`` for a run of ``epochs`` epochs, after ``warmup_epochs`` of warm-up.

    Defaults that span the epochs after warm-up: ``step`` divides the learning rate by 10 every
    third of them (``step_size``, ``gamma`` = 0.1), ``exponential`` reaches lr/100 on the last one
    (``gamma`` = 0.01^(1/(epochs − 1))), ``cosine`` anneals to 0 across them.
    """
    look_up("schedule", name, SCHEDULES)
    check_int("epochs", epochs, 1, who="make_schedule")
    if not (is_int(warmup_epochs) and 0 <= warmup_epochs < epochs):
        raise ValueError(
            f"make_schedule: warmup_epochs must be an integer in [0, epochs={epochs}), "
            f"got {warmup_epochs!r}; leave at least one epoch after the warm-up"
        )
    if gamma is not None and name not in ("step", "exponential"):
        raise ValueError(f"make_schedule: gamma applies to the step and exponential schedules, not {name!r}")  # fmt: skip
    if step_size is not None and name != "step":
        raise ValueError(f"make_schedule: step_size applies to the step schedule, not {name!r}")
    span = epochs - warmup_epochs
    if name == "step":
        schedule = StepDecay(lr, step_size or math.ceil(span / 3), 0.1 if gamma is None else gamma)
    elif name == "exponential":
        schedule = Exponential(lr, 0.01 ** (1 / max(1, span - 1)) if gamma is None else gamma)
    elif name == "cosine":
        schedule = Cosine(lr, span)
    else:
        schedule = Constant(lr)
    return Warmup(schedule, warmup_epochs) if warmup_epochs else schedule


def _lr(who: str, lr) -> float:
    return check_number("lr", lr, 0, low_open=True, who=who)


def _gamma(who: str, gamma) -> float:
    return check_number("gamma", gamma, 0, 1, low_open=True, high_open=False, who=who)
