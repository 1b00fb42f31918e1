"""Sequential models, the ``mlp`` builder, and save/load as ``.npz`` with a JSON header."""

import io
import json
import os
import zipfile
from pathlib import Path

import numpy as np

from .activations import ACTIVATIONS, get_activation
from .files import atomic_write_bytes
from .layers import Dense, Dropout, Layer
from .parameter import Parameter

__all__ = ["Sequential", "mlp", "save", "load", "FORMAT"]

FORMAT = "numpynn.model/1"
LAYERS = {"Dense": Dense, "Dropout": Dropout, **{cls.__name__: cls for cls in ACTIVATIONS.values()}}
DEFAULT_INIT = {"relu": "he_normal", "leaky_relu": "he_normal"}  # others: xavier_normal


class Sequential(Layer):
    """Layers applied in order; backward runs them in reverse (the chain rule, layer by layer)."""

    def __init__(self, layers: list[Layer]):
        self.layers = list(layers)

    def forward(self, x, training=False):
        for layer in self.layers:
            x = layer.forward(x, training)
        return x

    def backward(self, grad_y):
        # dL/dx of layer k is dL/dy of layer k-1
        for layer in reversed(self.layers):
            grad_y = layer.backward(grad_y)
        return grad_y

    def parameters(self) -> list[Parameter]:
        return [p for layer in self.layers for p in layer.parameters()]

    def num_parameters(self) -> int:
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
    dtype: str = "float32",
    seed: int | None = 0,
    rng: np.random.Generator | None = None,
) -> Sequential:
    """A multi-layer perceptron: Dense → activation [→ Dropout] for each hidden layer, then a final
    Dense that outputs logits (no activation).

    Args:
        sizes: layer widths from input to output, e.g. [784, 256, 128, 10]; at least two.
        init: weight initializer; by default He for ReLU-like activations, Xavier for the others.
        seed / rng: where the weights (and dropout masks) come from; ``rng`` wins if given.
    """
    sizes = [int(s) for s in sizes]
    if len(sizes) < 2 or min(sizes) < 1:
        raise ValueError(
            f"mlp: sizes must list at least an input and an output width >= 1, got {sizes}"
        )
    get_activation(activation)  # validate the name before building anything
    if np.dtype(dtype) not in (np.float32, np.float64):
        raise ValueError(f"mlp: dtype must be float32 or float64, got {dtype!r}")
    rng = rng if rng is not None else np.random.default_rng(seed)
    init = init or DEFAULT_INIT.get(activation, "xavier_normal")
    layers: list[Layer] = []
    for i, (fan_in, fan_out) in enumerate(zip(sizes[:-1], sizes[1:])):
        layers.append(Dense(fan_in, fan_out, init=init, rng=rng, dtype=dtype, name=f"dense{i}"))
        if i < len(sizes) - 2:
            layers.append(get_activation(activation))
            if dropout > 0:
                layers.append(Dropout(dropout, rng=rng))
    return Sequential(layers)


def save(model: Sequential, path: str | os.PathLike) -> None:
    """Write the model to ``path`` (.npz): a JSON header with the layers, then one array per
    parameter. Atomic: a crash mid-write leaves any previous file intact. Never pickles."""
    header = {
        "format": FORMAT,
        "layers": [{"type": type(layer).__name__, **layer.config()} for layer in model.layers],
    }
    arrays = {p.name: p.value for p in model.parameters()}
    arrays["header"] = np.array(json.dumps(header))
    buffer = io.BytesIO()
    np.savez(buffer, **arrays)
    atomic_write_bytes(Path(path), buffer.getvalue())


def load(path: str | os.PathLike) -> Sequential:
    """Read a model written by ``save``; checks every array against the header's architecture."""
    path = Path(path)
    with open(path, "rb") as f, _open_archive(f, path) as archive:
        try:
            header = json.loads(str(archive["header"]))
            is_model = header.get("format") == FORMAT
        except (KeyError, ValueError, AttributeError):
            is_model = False
        if not is_model:
            raise ValueError(
                f"{path}: not a numpynn model file (no {FORMAT} header); write it with numpynn.save"
            )
        model = Sequential([_build_layer(spec, path) for spec in header["layers"]])
        for p in model.parameters():
            if p.name not in archive.files:
                raise ValueError(f"{path}: parameter {p.name} is missing; the file is damaged")
            value = _read_member(archive, p.name, path)
            if value.shape != p.value.shape or value.dtype != p.value.dtype:
                raise ValueError(
                    f"{path}: {p.name} has shape {value.shape} {value.dtype}, the header's "
                    f"architecture needs {p.value.shape} {p.value.dtype}; the file is damaged"
                )
            p.value[...] = value
    return model


def _open_archive(f, path: Path):
    try:
        archive = np.load(f, allow_pickle=False)
    except (OSError, EOFError, ValueError, zipfile.BadZipFile) as error:
        raise ValueError(
            f"{path}: cannot read model file ({error}); it is truncated or not a model"
        ) from None
    if not isinstance(archive, np.lib.npyio.NpzFile):
        raise ValueError(f"{path}: not a numpynn model file (a single array, not an .npz archive)")
    return archive


def _read_member(archive, name: str, path: Path) -> np.ndarray:
    try:
        return archive[name]
    except (OSError, EOFError, ValueError, zipfile.BadZipFile) as error:
        raise ValueError(f"{path}: cannot read {name} ({error}); the file is damaged") from None


def _build_layer(spec: dict, path: Path) -> Layer:
    spec = dict(spec)
    kind = spec.pop("type", None)
    if kind not in LAYERS:
        raise ValueError(
            f"{path}: unknown layer type {kind!r}; choose one of: {', '.join(sorted(LAYERS))}"
        )
    if kind == "Dense":
        return Dense(init="zeros", **spec)
    if kind == "Dropout":
        return Dropout(spec["p"], rng=np.random.default_rng(0))
    return LAYERS[kind](**spec)
