"""Optimizers: each owns its per-parameter state and changes ``Parameter.value`` in place, only in
``step()``. Update formulas follow torch.optim exactly (see each docstring).
"""

import math

import numpy as np

from .parameter import Parameter

__all__ = ["Optimizer", "SGD", "Adam", "OPTIMIZERS", "get_optimizer"]


class Optimizer:
    """Base class: a subclass writes ``init_state(p) -> dict`` and ``update(p, state)``."""

    def __init__(self, params, lr: float):
        self.params: list[Parameter] = list(params)
        if not self.params:
            raise ValueError(f"{type(self).__name__}: got an empty parameter list")
        if not (math.isfinite(lr) and lr > 0):
            raise ValueError(f"{type(self).__name__}: lr must be a finite number > 0, got {lr}")
        self.lr = float(lr)
        self.t = 0
        self.state = [self.init_state(p) for p in self.params]

    def init_state(self, p: Parameter) -> dict:
        return {}

    def update(self, p: Parameter, state: dict) -> None:
        raise NotImplementedError

    def step(self) -> None:
        self.t += 1
        for p, state in zip(self.params, self.state):
            self.update(p, state)

    def zero_grad(self) -> None:
        for p in self.params:
            p.grad.fill(0)

    def state_dict(self) -> dict:
        """Step count, learning rate and state arrays (plain numbers and arrays only)."""
        return {
            "t": self.t,
            "lr": self.lr,
            "state": [{k: v.copy() for k, v in s.items()} for s in self.state],
        }

    def load_state_dict(self, state_dict: dict) -> None:
        if len(state_dict["state"]) != len(self.params):
            raise ValueError(
                f"{type(self).__name__}: state holds {len(state_dict['state'])} parameters, "
                f"this optimizer has {len(self.params)}"
            )
        for p, mine, theirs in zip(self.params, self.state, state_dict["state"]):
            for key, value in mine.items():
                if key not in theirs or np.shape(theirs[key]) != value.shape:
                    raise ValueError(
                        f"{type(self).__name__}: state {key!r} of {p.name} does not fit"
                    )
                value[...] = theirs[key]
        self.t, self.lr = int(state_dict["t"]), float(state_dict["lr"])


class SGD(Optimizer):
    """Stochastic gradient descent with optional momentum, as torch.optim.SGD:
    g ← grad + weight_decay·θ
    v ← momentum·v + (1 − dampening)·g        (v = g on the first step)
    θ ← θ − lr·(g + momentum·v  if nesterov else  v)      (θ − lr·g when momentum = 0)
    """

    def __init__(
        self, params, lr=0.01, momentum=0.0, dampening=0.0, nesterov=False, weight_decay=0.0
    ):
        if not 0 <= momentum < 1:
            raise ValueError(f"SGD: momentum must be in [0, 1), got {momentum}")
        if nesterov and (momentum == 0 or dampening != 0):
            raise ValueError("SGD: nesterov needs momentum > 0 and dampening 0; pass momentum=0.9")
        if weight_decay < 0:
            raise ValueError(f"SGD: weight_decay must be >= 0, got {weight_decay}")
        self.momentum, self.dampening = float(momentum), float(dampening)
        self.nesterov, self.weight_decay = bool(nesterov), float(weight_decay)
        super().__init__(params, lr)

    def init_state(self, p):
        return {"velocity": np.zeros_like(p.value)} if self.momentum else {}

    def update(self, p, state):
        g = p.grad + self.weight_decay * p.value if self.weight_decay else p.grad
        if not self.momentum:
            p.value -= self.lr * g
            return
        v = state["velocity"]
        if self.t == 1:
            v[...] = g
        else:
            v *= self.momentum
            v += (1 - self.dampening) * g
        p.value -= self.lr * (g + self.momentum * v if self.nesterov else v)

    def __repr__(self):
        extra = f", momentum={self.momentum}" if self.momentum else ""
        extra += ", nesterov=True" if self.nesterov else ""
        extra += f", weight_decay={self.weight_decay}" if self.weight_decay else ""
        return f"SGD(lr={self.lr}{extra})"


class Adam(Optimizer):
    """Adam, as torch.optim.Adam:
    g ← grad + weight_decay·θ
    m ← β₁·m + (1 − β₁)·g            v ← β₂·v + (1 − β₂)·g²
    θ ← θ − lr·(m / (1 − β₁ᵗ)) / (√(v / (1 − β₂ᵗ)) + eps)
    """

    def __init__(self, params, lr=1e-3, betas=(0.9, 0.999), eps=1e-8, weight_decay=0.0):
        for i, beta in enumerate(betas):
            if not 0 <= beta < 1:
                raise ValueError(f"{type(self).__name__}: betas[{i}] must be in [0, 1), got {beta}")
        if eps <= 0:
            raise ValueError(f"{type(self).__name__}: eps must be > 0, got {eps}")
        self.betas, self.eps, self.weight_decay = (
            tuple(map(float, betas)),
            float(eps),
            float(weight_decay),
        )
        super().__init__(params, lr)

    def init_state(self, p):
        return {"m": np.zeros_like(p.value), "v": np.zeros_like(p.value)}

    def update(self, p, state):
        beta1, beta2 = self.betas
        g = p.grad + self.weight_decay * p.value if self.weight_decay else p.grad
        m, v = state["m"], state["v"]
        m *= beta1
        m += (1 - beta1) * g
        v *= beta2
        v += (1 - beta2) * (g * g)
        step_size = self.lr / (1 - beta1**self.t)
        denom = np.sqrt(v) / math.sqrt(1 - beta2**self.t) + self.eps
        p.value -= step_size * m / denom

    def __repr__(self):
        return f"{type(self).__name__}(lr={self.lr}, betas={self.betas})"


OPTIMIZERS = {
    "sgd": lambda params, lr: SGD(params, lr),
    "momentum": lambda params, lr: SGD(params, lr, momentum=0.9),
    "nesterov": lambda params, lr: SGD(params, lr, momentum=0.9, nesterov=True),
    "adam": lambda params, lr: Adam(params, lr),
}


def get_optimizer(name: str, params, lr: float) -> Optimizer:
    """An optimizer by its command-line name (``sgd``, ``momentum``, ``nesterov``, ``adam``)."""
    if name not in OPTIMIZERS:
        raise ValueError(
            f"unknown optimizer {name!r}; choose one of: {', '.join(sorted(OPTIMIZERS))}"
        )
    return OPTIMIZERS[name](params, lr)
