"""Optimizers: each owns its per-parameter state and changes ``Parameter.value`` in place, only in
``step()``. Update formulas follow torch.optim exactly (see each docstring); θ is a parameter's
value, grad its gradient, t the step count (1 on the first step).
"""

import inspect
import math
from functools import partial

import numpy as np

from .buffers import packed
from .parameter import Parameter
from .validation import check_number, look_up

__all__ = ["Optimizer", "SGD", "Adam", "AdamW", "RMSProp", "OPTIMIZERS", "get_optimizer",
           "clip_grad_norm"]  # fmt: skip


FLUSH_EVERY = 16  # steps between flushes of subnormal optimizer state to 0


class Optimizer:
    """Base class: a subclass writes ``init_state(p) -> dict`` and ``update(p, state, work)``.

    ``blocks`` are the tensors that ``step`` updates, each with its own state: one Parameter
    viewing the single buffer that a model's parameters share (``buffers.pack``), so a step is a
    few passes over one array; or, for parameters that do not tile one buffer, the parameters
    themselves. The update formulas are elementwise, so both give the same numbers.

    ``decay_biases=False`` applies the weight decay to the weights only, never to the biases (the
    1-D parameters), as Nielsen's book and most modern recipes do.
    """

    weight_decay = 0.0

    def __init__(self, params, lr: float, decay_biases: bool = True):
        self.params: list[Parameter] = list(params)
        if not self.params:
            raise ValueError(f"{type(self).__name__}: got an empty parameter list")
        self.lr = check_number("lr", lr, 0, low_open=True, who=type(self).__name__)
        self.t = 0
        self.decay_biases = bool(decay_biases)
        whole = packed(self.params)
        self.blocks = [whole] if whole is not None else self.params
        self.state = [self.init_state(p) for p in self.blocks]
        self._work = [np.empty_like(p.value) for p in self.blocks]  # scratch, reused every step
        self._decays = [self.weight_decay] * len(self.blocks)  # per block; see _grad
        if self.weight_decay and not self.decay_biases:  # 0 at the biases (the 1-D parameters)
            rates = [np.full(p.shape, self.weight_decay * (p.value.ndim > 1), p.value.dtype)
                     for p in self.params]  # fmt: skip
            self._decays = (
                [np.concatenate([r.ravel() for r in rates])] if whole is not None else rates
            )
        self._decay = self.weight_decay  # the decay of the block being updated

    def init_state(self, p: Parameter) -> dict:
        """The state arrays of one parameter (``zeros_like``: float32 stays float32)."""
        return {}

    def update(self, p: Parameter, state: dict, work: np.ndarray) -> None:
        """Update ``p.value`` in place from ``p.grad``; ``work`` is scratch of p's shape."""
        raise NotImplementedError

    def step(self) -> None:
        """Update every parameter from its ``grad``. One thread: an update is bound by memory
        bandwidth, and a second thread measured no faster inside fit (docs/performance.md)."""
        self.t += 1
        for p, state, work, decay in zip(self.blocks, self.state, self._work, self._decays):
            self._decay = decay
            self.update(p, state, work)
        if self.t % FLUSH_EVERY == 0:
            self.flush_subnormals()

    def flush_subnormals(self) -> None:
        """Set state below the smallest normal float to 0. The running sums of a weight whose
        gradient stays 0 (a pixel never lit) shrink by β every step into subnormal numbers,
        which the CPU computes on many times slower (Adam's 4th epoch on MNIST took twice the
        3rd); at 0 they stay 0. The numbers change by less than 1e-38."""
        for state in self.state:
            for a in state.values():
                a[np.abs(a) < np.finfo(a.dtype).tiny] = 0

    def zero_grad(self) -> None:
        """Set every gradient to 0 (``backward`` sets them anyway: for loops that accumulate)."""
        for p in self.params:
            p.grad.fill(0)

    def state_dict(self) -> dict:
        """A flat dict of plain numbers and array copies: ``np.savez(f, **opt.state_dict())``.

        Keys: ``t`` (steps taken), ``lr``, and ``state.<i>.<name>`` for the arrays of block ``i``.
        """
        arrays = {
            f"state.{i}.{key}": value.copy()
            for i, state in enumerate(self.state)
            for key, value in state.items()
        }
        return {"t": self.t, "lr": self.lr, **arrays}

    def load_state_dict(self, state_dict) -> None:
        """Continue from ``state_dict`` (a dict from ``state_dict()``, or the ``np.load`` of one)."""
        name = type(self).__name__
        expected = {
            f"state.{i}.{key}": value for i, s in enumerate(self.state) for key, value in s.items()
        }
        required = {"t", "lr", *expected}
        missing = sorted(required - set(state_dict))
        extra = sorted(key for key in state_dict if key not in required)
        if missing or extra:
            raise ValueError(
                f"{name}: state_dict does not fit this optimizer (missing {missing}, "
                f"unexpected {extra}); load a state saved by the same optimizer and options"
            )
        for key, value in expected.items():
            if np.shape(state_dict[key]) != value.shape:
                raise ValueError(
                    f"{name}: {key} must have shape {value.shape}, got {np.shape(state_dict[key])}"
                )
        for key, value in expected.items():
            value[...] = state_dict[key]
        self.t, self.lr = int(state_dict["t"]), float(state_dict["lr"])

    def _decay_repr(self) -> str:
        biases = "" if self.decay_biases else ", decay_biases=False"
        return f", weight_decay={self.weight_decay}{biases}" if self.weight_decay else ""

    def _grad(self, p: Parameter) -> np.ndarray:
        """grad + weight_decay·θ (L2 regularisation; 0 at biases with ``decay_biases=False``),
        without touching ``p.grad``."""
        if not self.weight_decay:
            return p.grad
        g = p.value * self._decay
        g += p.grad
        return g


class SGD(Optimizer):
    """Stochastic gradient descent with optional momentum, as torch.optim.SGD:
    g ← grad + weight_decay·θ
    v ← momentum·v + (1 − dampening)·g        (v = g on the first step)
    θ ← θ − lr·(g + momentum·v  if nesterov else  v)      (θ − lr·g when momentum = 0)
    """

    def __init__(
        self, params, lr=0.01, momentum=0.0, dampening=0.0, nesterov=False, weight_decay=0.0,
        decay_biases=True,
    ):  # fmt: skip
        self.momentum = check_number("momentum", momentum, 0, 1, who="SGD")
        self.dampening = check_number("dampening", dampening, 0, 1, who="SGD")
        self.weight_decay = check_number("weight_decay", weight_decay, 0, who="SGD")
        if nesterov and (momentum == 0 or dampening != 0):
            raise ValueError(
                f"SGD: nesterov needs momentum > 0 and dampening 0, got momentum={momentum} "
                f"and dampening={dampening}; pass momentum=0.9"
            )
        self.nesterov = bool(nesterov)
        super().__init__(params, lr, decay_biases)

    def init_state(self, p):
        return {"momentum_buffer": np.zeros_like(p.value)} if self.momentum else {}

    def update(self, p, state, work):
        g = self._grad(p)
        if self.momentum:
            v = state["momentum_buffer"]
            if self.t == 1:
                v[...] = g
            else:
                v *= self.momentum
                v += g if self.dampening == 0 else (1 - self.dampening) * g
            if self.nesterov:
                np.multiply(v, self.momentum, out=work)
                g = np.add(g, work, out=work)
            else:
                g = v
        np.multiply(g, self.lr, out=work)
        p.value -= work

    def __repr__(self):
        extra = f", momentum={self.momentum}" if self.momentum else ""
        extra += f", dampening={self.dampening}" if self.dampening else ""
        extra += ", nesterov=True" if self.nesterov else ""
        extra += self._decay_repr()
        return f"SGD(lr={self.lr}{extra})"


class Adam(Optimizer):
    """Adam, as torch.optim.Adam (with amsgrad, as Reddi et al. 2018):
    g ← grad + weight_decay·θ
    m ← β₁·m + (1 − β₁)·g            v ← β₂·v + (1 − β₂)·g²
    v_max ← max(v_max, v)             (amsgrad only; then v_max replaces v below)
    θ ← θ − lr·(m / (1 − β₁ᵗ)) / (√(v / (1 − β₂ᵗ)) + eps)

    The state keeps the decaying sums grad_sum = m/(1 − β₁) = Σₖ β₁ᵗ⁻ᵏ·gₖ and
    sq_sum = v/(1 − β₂) = Σₖ β₂ᵗ⁻ᵏ·gₖ² (sq_sum_max for amsgrad): a sum is updated by one
    multiply and one add, two passes over memory fewer per step than the averages m and v.
    """

    decoupled = False  # AdamW decays θ directly instead of adding weight_decay·θ to the gradient

    def __init__(
        self, params, lr=1e-3, betas=(0.9, 0.999), eps=1e-8, weight_decay=0.0, amsgrad=False,
        decay_biases=True,
    ):  # fmt: skip
        who = type(self).__name__
        if len(betas) != 2:
            raise ValueError(f"{who}: betas must be a pair (β₁, β₂), got {betas!r}")
        self.betas = tuple(
            check_number(f"betas[{i}]", b, 0, 1, who=who) for i, b in enumerate(betas)
        )
        self.eps = check_number("eps", eps, 0, who=who)
        self.weight_decay = check_number("weight_decay", weight_decay, 0, who=who)
        self.amsgrad = bool(amsgrad)
        super().__init__(params, lr, decay_biases)

    def init_state(self, p):
        state = {"grad_sum": np.zeros_like(p.value), "sq_sum": np.zeros_like(p.value)}
        return state | ({"sq_sum_max": np.zeros_like(p.value)} if self.amsgrad else {})

    def update(self, p, state, work):
        beta1, beta2 = self.betas
        if self.decoupled:
            p.value *= 1 - self.lr * self._decay
            g = p.grad
        else:
            g = self._grad(p)
        grad_sum, sq_sum = state["grad_sum"], state["sq_sum"]
        grad_sum *= beta1  # Σ β₁ᵗ⁻ᵏ gₖ
        grad_sum += g
        np.multiply(g, g, out=work)  # Σ β₂ᵗ⁻ᵏ gₖ²
        sq_sum *= beta2
        sq_sum += work
        if self.amsgrad:
            sq_sum = np.maximum(state["sq_sum_max"], sq_sum, out=state["sq_sum_max"])
        # m̂ = (1 − β₁)/(1 − β₁ᵗ)·grad_sum and √v̂ = r·√sq_sum with r = √((1 − β₂)/(1 − β₂ᵗ)), so
        # lr·m̂/(√v̂ + eps) = [lr·(1 − β₁)/((1 − β₁ᵗ)·r)]·grad_sum/(√sq_sum + eps/r): no pass over v̂
        r = math.sqrt((1 - beta2) / (1 - beta2**self.t))
        np.sqrt(sq_sum, out=work)
        work += self.eps / r
        np.divide(grad_sum, work, out=work)
        work *= self.lr * (1 - beta1) / ((1 - beta1**self.t) * r)
        p.value -= work

    def __repr__(self):
        extra = self._decay_repr()
        extra += ", amsgrad=True" if self.amsgrad else ""
        return f"{type(self).__name__}(lr={self.lr}, betas={self.betas}{extra})"


class AdamW(Adam):
    """Adam with decoupled weight decay, as torch.optim.AdamW (Loshchilov & Hutter 2019):
    θ ← θ·(1 − lr·weight_decay)        (then the Adam step above on g = grad)
    Unlike Adam's L2 term, the decay is not divided by √v, so every weight shrinks at one rate.
    """

    decoupled = True

    def __init__(
        self, params, lr=1e-3, betas=(0.9, 0.999), eps=1e-8, weight_decay=1e-2, amsgrad=False,
        decay_biases=True,
    ):  # fmt: skip
        super().__init__(params, lr, betas, eps, weight_decay, amsgrad, decay_biases)


class RMSProp(Optimizer):
    """RMSProp, as torch.optim.RMSprop (Hinton 2012; centered as Graves 2013):
    g ← grad + weight_decay·θ
    s ← α·s + (1 − α)·g²
    ḡ ← α·ḡ + (1 − α)·g,   s̃ = s − ḡ²        (centered only; otherwise s̃ = s)
    b ← momentum·b + g / (√s̃ + eps),   θ ← θ − lr·b      (θ − lr·g / (√s̃ + eps) if momentum = 0)
    """

    def __init__(
        self, params, lr=1e-2, alpha=0.99, eps=1e-8, weight_decay=0.0, momentum=0.0, centered=False,
        decay_biases=True,
    ):  # fmt: skip
        self.alpha = check_number("alpha", alpha, 0, 1, who="RMSProp")
        self.eps = check_number("eps", eps, 0, who="RMSProp")
        self.weight_decay = check_number("weight_decay", weight_decay, 0, who="RMSProp")
        self.momentum = check_number("momentum", momentum, 0, 1, who="RMSProp")
        self.centered = bool(centered)
        super().__init__(params, lr, decay_biases)

    def init_state(self, p):
        state = {"square_avg": np.zeros_like(p.value)}
        if self.centered:
            state["grad_avg"] = np.zeros_like(p.value)
        if self.momentum:
            state["momentum_buffer"] = np.zeros_like(p.value)
        return state

    def update(self, p, state, work):
        alpha, g = self.alpha, self._grad(p)
        s = state["square_avg"]
        np.multiply(g, g, out=work)
        work *= 1 - alpha
        s *= alpha
        s += work
        if self.centered:
            g_avg = state["grad_avg"]
            g_avg *= alpha
            g_avg += (1 - alpha) * g
            np.multiply(g_avg, g_avg, out=work)
            np.subtract(s, work, out=work)
            np.sqrt(work, out=work)
        else:
            np.sqrt(s, out=work)
        work += self.eps
        np.divide(g, work, out=work)
        if self.momentum:
            b = state["momentum_buffer"]
            b *= self.momentum
            b += work
            np.multiply(b, self.lr, out=work)
        else:
            work *= self.lr
        p.value -= work

    def __repr__(self):
        extra = f", momentum={self.momentum}" if self.momentum else ""
        extra += ", centered=True" if self.centered else ""
        extra += self._decay_repr()
        return f"RMSProp(lr={self.lr}, alpha={self.alpha}{extra})"


def clip_grad_norm(params, max_norm: float) -> float:
    """Scale every gradient by min(1, max_norm / (‖g‖ + 1e-6)), where ‖g‖ is the norm of all
    gradients concatenated into one vector, as torch.nn.utils.clip_grad_norm_; returns ‖g‖.

    The direction of the update is kept; only its length is capped, so one huge gradient (an
    exploding loss, a bad batch) cannot throw the weights far away.
    """
    check_number("max_norm", max_norm, 0, low_open=True, who="clip_grad_norm")
    params = list(params)
    total = math.sqrt(sum(float(np.vdot(p.grad, p.grad)) for p in params))
    scale = max_norm / (total + 1e-6)
    if scale < 1:
        for p in params:
            p.grad *= scale
    return total


OPTIMIZERS = {
    "sgd": SGD,
    "momentum": partial(SGD, momentum=0.9),
    "nesterov": partial(SGD, momentum=0.9, nesterov=True),
    "adam": Adam,
    "adamw": AdamW,
    "rmsprop": RMSProp,
}


def get_optimizer(name: str, params, lr: float, **options) -> Optimizer:
    """An optimizer by its command-line name; ``None`` options keep the optimizer's default.

    ``momentum`` and ``nesterov`` are SGD with momentum 0.9 (Nesterov's variant for the latter).
    """
    optimizer = look_up("optimizer", name, OPTIMIZERS)
    options = {key: value for key, value in options.items() if value is not None}
    accepted = inspect.signature(optimizer).parameters
    for key in options:
        if key not in accepted:
            valid = ", ".join(k for k in accepted if k not in ("params", "lr"))
            raise ValueError(f"optimizer {name!r} takes no option {key!r}; its options: {valid}")
    return optimizer(params, lr=lr, **options)
