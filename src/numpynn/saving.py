"""Saving and loading models: an ``.npz`` archive of one array per parameter plus a JSON header
that lists the layers, so ``load`` rebuilds the model without pickle (a file can never run code).

Reading trusts nothing: each array's declared shape and dtype are checked against the architecture
before any data is read, so a forged or damaged file is refused, never allocated blindly.
"""

import io
import json
import os
import zipfile
from pathlib import Path

import numpy as np

from .activations import ACTIVATIONS
from .files import atomic_write_bytes
from .layers import Dense, Dropout, Layer
from .model import Sequential

__all__ = ["FORMAT", "save", "load", "read_parameters", "read_array", "layer_specs", "build_layers"]

FORMAT = "numpynn.model/1"
READ_HEADER = {
    (1, 0): np.lib.format.read_array_header_1_0,
    (2, 0): np.lib.format.read_array_header_2_0,
}
MAX_HEADER_BYTES = 1 << 22
LAYERS = {"Dense": Dense, "Dropout": Dropout, **{cls.__name__: cls for cls in ACTIVATIONS.values()}}


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
