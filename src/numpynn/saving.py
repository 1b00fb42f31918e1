"""Saving and loading models: an ``.npz`` archive of one array per parameter plus a JSON header
that lists the layers, so ``load`` rebuilds the model without pickle (a file can never run code).

``save`` refuses, before writing anything, a model that ``load`` could not rebuild. ``load``
trusts nothing: it opens regular files only, checks the header against the schema of each layer
and the arrays it declares against the bytes the file holds, before anything is allocated; every
failure is one ``ModelFileError`` that names the file.
"""

import io
import json
import math
import os
import zipfile
from pathlib import Path

import numpy as np

from .activations import ACTIVATIONS
from .files import atomic_write_bytes, require_regular_file
from .layers import Dense, Dropout, Layer
from .model import Sequential
from .validation import is_int, is_number

__all__ = [
    "FORMAT",
    "ModelFileError",
    "save",
    "load",
    "load_data_description",
    "read_parameters",
    "read_array",
    "read_npy_header",
    "layer_specs",
    "build_layers",
]

FORMAT = "numpynn.model/1"
READ_HEADER = {
    (1, 0): np.lib.format.read_array_header_1_0,
    (2, 0): np.lib.format.read_array_header_2_0,
}
MAX_HEADER_BYTES = 1 << 22
MAX_LAYERS = 10_000
LAYERS = {"Dense": Dense, "Dropout": Dropout, **{cls.__name__: cls for cls in ACTIVATIONS.values()}}
CONFIG_KEYS = {  # the keys of each layer's config(); the others take none
    "Dense": {"in_features", "out_features", "dtype", "name"},
    "Dropout": {"p"},
    "LeakyReLU": {"negative_slope"},
}


class ModelFileError(ValueError):
    """A model file (or a checkpoint's arrays) is damaged, forged, or not a numpynn model."""


def save(model: Sequential, path: str | os.PathLike, data: dict | None = None) -> None:
    """Write the model to ``path`` (.npz): a JSON header with the layers, then one array per
    parameter. Atomic: a crash mid-write leaves any previous file intact. Never pickles.

    ``data``, a JSON object, describes what the model was trained on (a run writes
    ``numpynn.data.DataInfo.to_dict()``: the data set, its class names, the scaling of its
    inputs); ``load_data_description`` reads it back. ``load`` ignores it.

    Raises:
        ValueError: before anything is written, if ``load`` could not rebuild the model: a layer
            numpynn does not know (a Sequential inside the Sequential, a class of your own), two
            parameters with one name, or no layer at all.
    """
    specs = layer_specs(model)
    names = [p.name for p in model.parameters()]
    twice = sorted({name for name in names if names.count(name) > 1})
    if twice:
        raise ValueError(
            f"save: more than one parameter is named {', '.join(twice)}; give each Dense its own "
            "name= (nn.mlp names them dense0, dense1, ...)"
        )
    for (name, shape, dtype), p in zip(declared_arrays(specs), model.parameters(), strict=True):
        if (name, shape, dtype) != (p.name, p.shape, p.value.dtype):
            raise ValueError(
                f"save: {p.name} holds a {p.shape} {p.value.dtype} array but its layer declares "
                f"{name} {shape} {dtype}; assign into the parameter (p.value[...] = new), do not "
                "replace it"
            )
    arrays = {p.name: p.value for p in model.parameters()}
    header = {"format": FORMAT, "layers": specs} | ({"data": data} if data is not None else {})
    if data is not None and not isinstance(data, dict):
        raise TypeError(f"save: data must be a dict (a JSON object) or None, got {type(data)}")
    arrays["header"] = np.array(json.dumps(header, allow_nan=False))
    buffer = io.BytesIO()
    np.savez(buffer, **arrays)
    atomic_write_bytes(Path(path), buffer.getvalue())


def load(path: str | os.PathLike) -> Sequential:
    """Read a model written by ``save``; checks every array against the header's architecture.

    Raises:
        FileNotFoundError: there is no such file.
        ModelFileError: the file is not a model ``save`` wrote, or it is damaged.
    """
    path = _regular(path)
    archive = _open_archive(path)
    with archive:
        specs = _read_header(archive, path).get("layers")
        check_specs(specs, path)
        check_sizes(specs, path.stat().st_size, path)
        model = Sequential(build_layers(specs, path))
        read_parameters(archive, model, path)
    return model


def load_data_description(path: str | os.PathLike) -> dict | None:
    """The ``data`` that ``save`` recorded in a model file, or None (a file written without it,
    as every file before numpynn recorded it). Its content is the caller's to check.

    Raises:
        ModelFileError: the file is not a model ``save`` wrote, or its ``data`` is not an object.
    """
    path = _regular(path)
    archive = _open_archive(path)
    with archive:
        data = _read_header(archive, path).get("data")
    if data is not None and not isinstance(data, dict):
        raise ModelFileError(f"{path}: the header's data must be a JSON object, got {_short(data)}")
    return data


def layer_specs(model: Sequential) -> list[dict]:
    """Each layer's type and constructor arguments: what a file needs to rebuild the model.

    Raises:
        ValueError: a layer that ``load`` cannot rebuild, or a model without layers.
    """
    if not isinstance(model, Sequential) or not model.layers:
        raise ValueError(f"save: the model must be a Sequential with at least one layer, got {model!r}")  # fmt: skip
    for i, layer in enumerate(model.layers):
        if type(layer).__name__ not in LAYERS or type(layer) is not LAYERS[type(layer).__name__]:
            raise ValueError(
                f"save: layer {i}, {layer!r}, is not one numpynn can rebuild from a file (it "
                f"knows {', '.join(sorted(LAYERS))}); flatten nested Sequentials, or save the "
                "weights of your own layers with np.savez"
            )
    return [{"type": type(layer).__name__, **layer.config()} for layer in model.layers]


def declared_arrays(specs: list[dict]) -> list[tuple[str, tuple, np.dtype]]:
    """(name, shape, dtype) of every parameter the layers ``specs`` describe, in order, without
    building them (checked ``specs``: ``check_specs``)."""
    arrays = []
    for spec in specs:
        if spec["type"] == "Dense":
            shape, dtype = (spec["in_features"], spec["out_features"]), np.dtype(spec["dtype"])
            arrays += [(f"{spec['name']}.W", shape, dtype), (f"{spec['name']}.b", shape[1:], dtype)]
    return arrays


def check_specs(specs, path) -> None:
    """Refuse a header's layer list unless every entry is a layer ``build_layers`` can rebuild
    with values of the right kind, and no two parameters share a name."""
    if not isinstance(specs, list) or not 1 <= len(specs) <= MAX_LAYERS:
        raise ModelFileError(
            f"{path}: the header must list 1 to {MAX_LAYERS} layers, got {_short(specs)}"
        )
    for i, spec in enumerate(specs):
        problem = _spec_problem(spec)
        if problem:
            raise ModelFileError(f"{path}: layer {i} of the header {problem}; the file is damaged")
    names = [name for name, _, _ in declared_arrays(specs)]
    if len(set(names)) != len(names):
        raise ModelFileError(f"{path}: two layers of the header share a name; the file is damaged")


def _spec_problem(spec) -> str | None:
    if (
        not isinstance(spec, dict)
        or not isinstance(spec.get("type"), str)
        or spec["type"] not in LAYERS
    ):
        return f"is not a known layer ({', '.join(sorted(LAYERS))}): {_short(spec)}"
    kind, keys = spec["type"], CONFIG_KEYS.get(spec["type"], set())
    if set(spec) - {"type"} != keys:
        return f"({kind}) must have the keys {sorted(keys)}, got {sorted(set(spec) - {'type'})}"
    if kind == "Dense":
        if not all(is_int(spec[k]) and spec[k] >= 1 for k in ("in_features", "out_features")):
            return "(Dense) must have integer in_features and out_features >= 1"
        if spec["dtype"] not in ("float32", "float64"):
            return f"(Dense) must have dtype float32 or float64, got {_short(spec['dtype'])}"
        if not (isinstance(spec["name"], str) and 0 < len(spec["name"]) <= 200):
            return f"(Dense) must have a name of 1 to 200 characters, got {_short(spec['name'])}"
    if kind == "Dropout" and not (is_number(spec["p"]) and 0 <= spec["p"] < 1):
        return f"(Dropout) must have p in [0, 1), got {_short(spec['p'])}"
    if kind == "LeakyReLU" and not (is_number(spec["negative_slope"]) and spec["negative_slope"] >= 0):  # fmt: skip
        return f"(LeakyReLU) must have negative_slope >= 0, got {_short(spec['negative_slope'])}"
    return None


def check_sizes(specs: list[dict], held: int, path) -> None:
    """The arrays the layers ``specs`` declare must fit in the ``held`` bytes of the file (their
    arrays are stored uncompressed), so a small forged file never makes us allocate a large one."""
    needed = sum(math.prod(shape) * dtype.itemsize for _, shape, dtype in declared_arrays(specs))
    if needed > held:
        raise ModelFileError(
            f"{path}: the header declares {needed:,} bytes of weights but the file holds "
            f"{held:,} bytes; it is truncated or forged"
        )


def build_layers(specs: list[dict], path) -> list[Layer]:
    """The layers ``layer_specs`` describes (weights zero; the caller fills them)."""
    return [_build_layer(spec, path) for spec in specs]


def read_parameters(archive: zipfile.ZipFile, model: Sequential, path, prefix: str = "") -> None:
    """Fill every parameter of ``model`` from array ``prefix + p.name`` of an .npz archive."""
    for p in model.parameters():
        p.value[...] = read_array(archive, prefix + p.name, p.value, path)


def read_npy_header(f) -> tuple[tuple, bool, np.dtype]:
    """The shape, Fortran order and dtype that the .npy stream ``f`` declares, read without
    reading its data; a version numpy's reader does not know is a ValueError."""
    version = np.lib.format.read_magic(f)
    if version not in READ_HEADER:
        raise ValueError(f".npy format version {version}, not 1.0 or 2.0")
    return READ_HEADER[version](f)


def read_array(archive: zipfile.ZipFile, name: str, like: np.ndarray, path) -> np.ndarray:
    """Array ``name`` of an .npz archive, after checking that its declared shape and dtype are
    those of ``like``, so a forged header can never make us allocate or read more."""
    try:
        with archive.open(f"{name}.npy") as f:
            shape, fortran_order, dtype = read_npy_header(f)
            if shape != like.shape or dtype != like.dtype or fortran_order:
                raise ModelFileError(
                    f"{path}: {name} has shape {shape} {dtype}, the architecture needs "
                    f"{like.shape} {like.dtype}; the file is damaged or belongs to another model"
                )
            data = f.read(like.nbytes + 1)
    except KeyError:
        raise ModelFileError(
            f"{path}: {name} is missing; the file is damaged or belongs to another model"
        ) from None
    except (OSError, EOFError, ValueError, zipfile.BadZipFile) as error:
        if isinstance(error, ModelFileError):
            raise
        raise ModelFileError(f"{path}: cannot read {name} ({error}); the file is damaged") from None
    if len(data) != like.nbytes:
        raise ModelFileError(
            f"{path}: {name} holds {len(data)} bytes, expected {like.nbytes}; the file is damaged"
        )
    return np.frombuffer(data, dtype=like.dtype).reshape(like.shape)


def _regular(path) -> Path:
    try:
        return require_regular_file(path)
    except (IsADirectoryError, ValueError) as error:
        raise ModelFileError(f"{error}; give a model file (.npz) written by numpynn.save") from None


def _open_archive(path: Path) -> zipfile.ZipFile:
    try:
        return zipfile.ZipFile(path)
    except (zipfile.BadZipFile, EOFError, OSError) as error:
        raise ModelFileError(
            f"{path}: cannot read model file ({error}); it is truncated or not a model"
        ) from None


def _read_header(archive: zipfile.ZipFile, path) -> dict:
    try:
        with archive.open("header.npy") as f:
            shape, _, dtype = read_npy_header(f)
            if shape != () or dtype.kind != "U" or dtype.itemsize > MAX_HEADER_BYTES:
                raise ValueError("malformed header")
            header = json.loads(str(np.frombuffer(f.read(dtype.itemsize), dtype=dtype)[0]))
        if not isinstance(header, dict) or header.get("format") != FORMAT:
            raise ValueError(f"format {_short(header)}")
        return header
    except (KeyError, ValueError, TypeError, IndexError, RecursionError, AttributeError,
            OSError, EOFError, zipfile.BadZipFile) as error:  # fmt: skip
        raise ModelFileError(
            f"{path}: not a numpynn model file (no {FORMAT} header: {error}); write it with numpynn.save"
        ) from None


def _build_layer(spec: dict, path: Path) -> Layer:
    spec = dict(spec)
    kind = spec.pop("type", None)
    if kind not in LAYERS:
        raise ModelFileError(
            f"{path}: unknown layer type {kind!r}; choose one of: {', '.join(sorted(LAYERS))}"
        )
    if kind == "Dense":
        return Dense(init="zeros", **spec)
    if kind == "Dropout":
        return Dropout(spec["p"], rng=np.random.default_rng(0))
    return LAYERS[kind](**spec)


def _short(value) -> str:
    """A value as text, cut to a readable length (a forged header may hold anything)."""
    text = repr(value)
    return text if len(text) <= 80 else text[:77] + "..."
