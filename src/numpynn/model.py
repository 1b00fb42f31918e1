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
from .parameter import Parameter, pack

__all__ = ["Sequential", "mlp", "save", "load", "FORMAT"]

FORMAT = "numpynn.model/1"
READ_HEADER = {
    (1, 0): np.lib.format.read_array_header_1_0,
    (2, 0): np.lib.format.read_array_header_2_0,
}
MAX_HEADER_BYTES = 1 << 22
LAYERS = {"Dense": Dense, "Dropout": Dropout, **{cls.__name__: cls for cls in ACTIVATIONS.values()}}
DEFAULT_INIT = {"relu": "he_normal", "leaky_relu": "he_normal"}  # others: xavier_normal


class Sequential(Layer):
    """Layers applied in order; backward runs them in reverse (the chain rule, layer by layer)."""

    def __init__(self, layers: list[Layer]):
        self.layers = list(layers)
        pack(self.parameters())  # one buffer for all values, one for all gradients

    def forward(self, x, training=False):
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
    header = {"format": FORMAT, "layers": layer_specs(model)}
    arrays = {p.name: p.value for p in model.parameters()}
    arrays["header"] = np.array(json.dumps(header))
    buffer = io.BytesIO()
    np.savez(buffer, **arrays)
    atomic_write_bytes(Path(path), buffer.getvalue())


def load(path: str | os.PathLike) -> Sequential:
    """Read a model written by ``save``; checks every array against the header's architecture."""
    path = Path(path)
    try:
        archive = zipfile.ZipFile(path)
    except (zipfile.BadZipFile, EOFError) as error:
        raise ValueError(
            f"{path}: cannot read model file ({error}); it is truncated or not a model"
        ) from None
    with archive:
        header = _read_header(archive, path)
        model = Sequential(build_layers(header["layers"], path))
        read_parameters(archive, model, path)
    return model


def read_parameters(archive: zipfile.ZipFile, model: Sequential, path, prefix: str = "") -> None:
    """Fill every parameter of ``model`` from array ``prefix + p.name`` of an .npz archive."""
    for p in model.parameters():
        p.value[...] = read_array(archive, prefix + p.name, p.value, path)


def read_array(archive: zipfile.ZipFile, name: str, like: np.ndarray, path) -> np.ndarray:
    """Array ``name`` of an .npz archive, after checking that its declared shape and dtype are
    those of ``like``, so a forged header can never make us allocate or read more."""
    try:
        with archive.open(f"{name}.npy") as f:
            version = np.lib.format.read_magic(f)
            if version not in READ_HEADER:
                raise ValueError(f"{path}: {name} has an unknown .npy format version {version}")
            shape, fortran_order, dtype = READ_HEADER[version](f)
            if shape != like.shape or dtype != like.dtype or fortran_order:
                raise ValueError(
                    f"{path}: {name} has shape {shape} {dtype}, the architecture needs "
                    f"{like.shape} {like.dtype}; the file is damaged or belongs to another model"
                )
            data = f.read(like.nbytes + 1)
    except KeyError:
        raise ValueError(
            f"{path}: {name} is missing; the file is damaged or belongs to another model"
        ) from None
    except (OSError, EOFError, zipfile.BadZipFile) as error:
        raise ValueError(f"{path}: cannot read {name} ({error}); the file is damaged") from None
    if len(data) != like.nbytes:
        raise ValueError(
            f"{path}: {name} holds {len(data)} bytes, expected {like.nbytes}; the file is damaged"
        )
    return np.frombuffer(data, dtype=like.dtype).reshape(like.shape)


def _read_header(archive: zipfile.ZipFile, path) -> dict:
    try:
        with archive.open("header.npy") as f:
            version = np.lib.format.read_magic(f)
            shape, _, dtype = READ_HEADER[version](f)
            if shape != () or dtype.kind != "U" or dtype.itemsize > MAX_HEADER_BYTES:
                raise ValueError("malformed header")
            header = json.loads(str(np.frombuffer(f.read(dtype.itemsize), dtype=dtype)[0]))
        if header.get("format") != FORMAT:
            raise ValueError(f"format {header.get('format')!r}")
        return header
    except (KeyError, ValueError, AttributeError, OSError, EOFError, zipfile.BadZipFile) as error:
        raise ValueError(
            f"{path}: not a numpynn model file (no {FORMAT} header: {error}); write it with numpynn.save"
        ) from None


def layer_specs(model: Sequential) -> list[dict]:
    """Each layer's type and constructor arguments: what a file needs to rebuild the model."""
    return [{"type": type(layer).__name__, **layer.config()} for layer in model.layers]


def build_layers(specs: list[dict], path) -> list[Layer]:
    """The layers ``layer_specs`` describes (weights zero; the caller fills them)."""
    return [_build_layer(spec, path) for spec in specs]


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
