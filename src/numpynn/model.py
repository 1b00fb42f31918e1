"""Sequential models and the ``mlp`` builder."""

import numpy as np

from .activations import get_activation
from .buffers import pack
from .layers import Dense, Dropout, Layer
from .parameter import Parameter

__all__ = ["Sequential", "mlp", "check_size", "MAX_PARAMETERS"]

DEFAULT_INIT = {"relu": "he_normal", "leaky_relu": "he_normal"}  # others: xavier_normal
MAX_PARAMETERS = 10**8  # 400 MB of float32 weights; with gradients and Adam's state, 1.6 GB


class Sequential(Layer):
    """Layers applied in order; backward runs them in reverse (the chain rule, layer by layer).
    ``Sequential(a, b, c)`` as in PyTorch, or ``Sequential([a, b, c])``."""

    def __init__(self, *layers):
        layers = layers[0] if len(layers) == 1 and isinstance(layers[0], list | tuple) else layers
        for layer in layers:
            if not isinstance(layer, Layer):
                raise TypeError(f"Sequential takes layers, got {type(layer).__name__}: {layer!r}")
        self.layers = list(layers)
        pack(self.parameters())  # one buffer for all values, one for all gradients (buffers.py)

    def forward(self, x, training=False):
        """Each layer's forward in turn: the logits of the batch ``x``."""
        for layer in self.layers:
            x = layer.forward(x, training)
        return x

    def backward(self, grad_y, input_grad: bool = True):
        """Backpropagate dL/dy through every layer; returns dL/dx, or what the first layer
        returns with ``input_grad=False`` (training: the input is data, so a first Dense skips
        grad_y Wᵀ and returns None)."""
        first, *rest = self.layers
        # dL/dx of layer k is dL/dy of layer k-1
        for layer in reversed(rest):
            grad_y = layer.backward(grad_y)
        return first.backward(grad_y, input_grad=input_grad)

    def parameters(self) -> list[Parameter]:
        """Every layer's parameters, first layer first."""
        return [p for layer in self.layers for p in layer.parameters()]

    def num_parameters(self) -> int:
        """How many numbers the model learns."""
        return sum(p.size for p in self.parameters())

    @property
    def dtype(self) -> np.dtype | None:
        """The dtype of the parameters (None for a model without any)."""
        params = self.parameters()
        return params[0].value.dtype if params else None

    def predict(self, x: np.ndarray, batch_size: int = 4096) -> np.ndarray:
        """Class indices argmax(logits), computed in chunks to bound memory."""
        return np.concatenate(
            [
                self.forward(x[i : i + batch_size]).argmax(axis=1)
                for i in range(0, len(x), batch_size)
            ]
        )

    def __len__(self):
        return len(self.layers)

    def __getitem__(self, i):
        return self.layers[i]

    def __repr__(self):
        inner = "".join(f"\n  ({i}) {layer!r}" for i, layer in enumerate(self.layers))
        return f"Sequential({inner}\n)"


def mlp(
    sizes: list[int],
    activation: str = "relu",
    *,
    dropout: float = 0.0,
    init: str | None = None,
    bias_init: str = "zeros",
    output_activation: str | None = None,
    dtype: str = "float32",
    seed: int | None = 0,
    rng: np.random.Generator | None = None,
) -> Sequential:
    """A multi-layer perceptron: Dense → activation [→ Dropout] for each hidden layer, then a final
    Dense that outputs logits (no activation), or ``output_activation`` of them.

    Args:
        sizes: layer widths from input to output, e.g. [784, 256, 128, 10]; at least two.
        init: weight initializer; by default He for ReLU-like activations, Xavier for the others.
        bias_init: ``zeros`` (the default) or ``normal`` (N(0, 1), as Nielsen's book).
        output_activation: e.g. ``sigmoid`` after the last Dense (Nielsen's chapter 1); None
            outputs logits, which the softmax and sigmoid cross-entropies expect.
        seed / rng: where the weights (and dropout masks) come from; ``rng`` wins if given.
    """
    sizes = [int(s) for s in sizes]
    if len(sizes) < 2 or min(sizes) < 1:
        raise ValueError(
            f"mlp: sizes must list at least an input and an output width >= 1, got {sizes}"
        )
    check_size(sizes, "mlp")
    for name in (activation, output_activation or "identity"):
        get_activation(name)  # validate the names before building anything
    if np.dtype(dtype) not in (np.float32, np.float64):
        raise ValueError(f"mlp: dtype must be float32 or float64, got {dtype!r}")
    rng = rng if rng is not None else np.random.default_rng(seed)
    init = init or DEFAULT_INIT.get(activation, "xavier_normal")
    layers: list[Layer] = []
    for i, (fan_in, fan_out) in enumerate(zip(sizes[:-1], sizes[1:])):
        layers.append(Dense(fan_in, fan_out, init=init, rng=rng, dtype=dtype, name=f"dense{i}",
                            bias_init=bias_init))  # fmt: skip
        if i < len(sizes) - 2:
            layers.append(get_activation(activation))
            if dropout > 0:
                layers.append(Dropout(dropout, rng=rng))
    if output_activation is not None:
        layers.append(get_activation(output_activation))
    return Sequential(layers)


def check_size(sizes: list[int], who: str) -> int:
    """The parameters of an MLP of layer widths ``sizes``; more than ``MAX_PARAMETERS`` is an
    error raised before anything is allocated."""
    count = sum(fan_in * fan_out + fan_out for fan_in, fan_out in zip(sizes[:-1], sizes[1:]))
    if count > MAX_PARAMETERS:
        raise ValueError(
            f"{who}: the widths {sizes} make a network of {count:,} parameters, more than numpynn "
            f"trains ({MAX_PARAMETERS:,}: 400 MB of float32 weights, 1.6 GB with gradients and "
            "Adam's state); use narrower or fewer layers"
        )
    return count
