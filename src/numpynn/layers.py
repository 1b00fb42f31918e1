"""Layers: the Layer contract (``Layer``'s methods say it), the fully connected Dense layer,
and Dropout."""

import numpy as np

from .init import get_initializer, init_bias
from .parameter import Parameter
from .validation import check_number

__all__ = ["Layer", "Dense", "Dropout"]


class Layer:
    """Base class. Subclasses override what they need."""

    def forward(self, x: np.ndarray, training: bool = False) -> np.ndarray:
        """The output y for a batch x (N, ...); caches what ``backward`` needs."""
        raise NotImplementedError

    def backward(self, grad_y: np.ndarray, input_grad: bool = True) -> np.ndarray | None:
        """Set ``p.grad`` of each parameter (never ``p.value``) from dL/dy; return dL/dx, or with
        ``input_grad=False`` (the input is the data) None where that saves work (Dense)."""
        raise NotImplementedError

    def parameters(self) -> list[Parameter]:
        """The trainable parameters, in a fixed order (none for an activation)."""
        return []

    def config(self) -> dict:
        """Constructor arguments that rebuild this layer (saved in a model file's header)."""
        return {}

    def __repr__(self) -> str:
        args = ", ".join(f"{k}={v!r}" for k, v in self.config().items())
        return f"{type(self).__name__}({args})"

    def _require_forward(self, cached) -> None:
        if cached is None:
            raise RuntimeError(f"{self!r}: backward called before forward")


class Dense(Layer):
    """Affine map y = x @ W + b.

    Shapes: x (N, in_features) -> y (N, out_features); W (in_features, out_features), b (out,).
    ``init`` draws W (``numpynn.init``); ``bias_init`` is ``zeros`` or ``normal`` (N(0, 1)).
    """

    def __init__(
        self,
        in_features: int,
        out_features: int,
        init: str = "he_normal",
        rng: np.random.Generator | None = None,
        dtype: str = "float32",
        name: str = "dense",
        bias_init: str = "zeros",
    ):
        if in_features < 1 or out_features < 1:
            raise ValueError(
                f"Dense: in_features and out_features must be >= 1, got {in_features}, {out_features}"
            )
        initializer = get_initializer(init)
        if rng is None and (init, bias_init) != ("zeros", "zeros"):
            raise TypeError(f"Dense: init={init!r} with bias_init={bias_init!r} needs random numbers; "
                            "pass rng=np.random.default_rng(seed)")  # fmt: skip
        self.in_features, self.out_features, self.name = in_features, out_features, name
        self.W = Parameter(initializer(in_features, out_features, rng, dtype), f"{name}.W")
        self.b = Parameter(init_bias(bias_init, out_features, rng, dtype), f"{name}.b")
        self._x = None

    def forward(self, x, training=False):
        if x.ndim != 2 or x.shape[1] != self.in_features:
            raise ValueError(
                f"{self!r} expects input of shape (N, {self.in_features}), got {x.shape}"
                + ("; flatten images first: x.reshape(len(x), -1)" if x.ndim > 2 else "")
            )
        if x.dtype != self.W.value.dtype:
            raise TypeError(
                f"{self!r} has {self.W.value.dtype} weights but got {x.dtype} input; "
                f"convert it once: x.astype(np.{self.W.value.dtype})"
            )
        self._x = x
        y = x @ self.W.value
        y += self.b.value  # in place: one pass, no second (N, out) array
        return y

    def backward(self, grad_y, input_grad: bool = True):
        """Fill W.grad and b.grad; return dL/dx, or None when ``input_grad`` is False (the input
        is the data, whose gradient nobody needs: a third of a first layer's work saved)."""
        self._require_forward(self._x)
        # y = x W + b  ->  dL/dW = xᵀ grad_y      (in, N) @ (N, out)
        #                  dL/db = Σₙ grad_y       (out,)
        #                  dL/dx = grad_y Wᵀ       (N, out) @ (out, in)
        np.matmul(self._x.T, grad_y, out=self.W.grad)
        np.sum(grad_y, axis=0, out=self.b.grad)
        return grad_y @ self.W.value.T if input_grad else None

    def parameters(self):
        return [self.W, self.b]

    def config(self):
        return {
            "in_features": self.in_features,
            "out_features": self.out_features,
            "dtype": str(self.W.value.dtype),
            "name": self.name,
        }

    def __repr__(self):
        return f"Dense({self.in_features}, {self.out_features})"


class Dropout(Layer):
    """Inverted dropout: in training, zero each unit with probability p and scale the rest by
    1/(1-p), so evaluation needs no rescaling. The identity when not training.
    """

    def __init__(self, p: float = 0.5, rng: np.random.Generator | None = None):
        check_number("p", p, 0, 1, who="Dropout")
        if rng is None and p > 0:
            raise TypeError("Dropout: pass rng=np.random.default_rng(seed) to draw masks")
        self.p, self.rng = p, rng
        self._mask = None

    def forward(self, x, training=False):
        if not training or self.p == 0:
            self._mask = np.ones((1,), dtype=x.dtype)
            return x
        keep = self.rng.random(x.shape, dtype=np.float32) >= self.p
        self._mask = keep * x.dtype.type(1 / (1 - self.p))
        return x * self._mask

    def backward(self, grad_y, input_grad=True):
        self._require_forward(self._mask)
        # y = x ⊙ mask  ->  dL/dx = grad_y ⊙ mask
        return grad_y * self._mask

    def config(self):
        return {"p": self.p}
