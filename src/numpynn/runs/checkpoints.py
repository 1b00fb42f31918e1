"""Checkpoints: everything needed to continue a run exactly, saved so no crash loses the last one.

A checkpoint ``TAG`` ("last" or "best") in a folder is two files:

    arrays-<step>.npz  the arrays: model parameters and optimizer state (never pickled)
    TAG.json           the manifest, written last: which .npz and its SHA-256, the training state
                       (epoch, batch, running sums, history, RNG states), the model's layers and
                       the run's config, and the SHA-256 of all that (``manifest_sha256``)

(``last`` and ``best`` of the same step share one arrays file.)
The arrays go to a new file every time and the manifest replaces the old one atomically after
them, so a kill at any moment leaves the previous manifest pointing at its own intact arrays; a
torn pair (arrays of one save, manifest of another) fails the checksum, and so does a manifest
with one digit changed. Reading trusts nothing else either: the manifest must fit its schema,
its arrays file must be a regular file in the same folder no larger than the model's state can
be, and each array's declared shape and dtype are checked before any data is read. Every failure
is one ``CheckpointError`` naming the file.
"""

import hashlib
import io
import json
import math
import re
import zipfile
from pathlib import Path

import numpy as np

from ..files import atomic_write_bytes, atomic_write_text, require_regular_file, sha256_file
from ..history import History
from ..model import Sequential
from ..saving import FORMAT as MODEL_FORMAT
from ..saving import (
    ModelFileError,
    build_layers,
    check_sizes,
    check_specs,
    declared_arrays,
    layer_specs,
    read_array,
    read_parameters,
)
from ..training import TrainState
from ..validation import is_int, is_number

__all__ = [
    "CheckpointError",
    "save_checkpoint",
    "restore_checkpoint",
    "load_checkpoint_model",
    "clean_checkpoints",
]

FORMAT = "numpynn.checkpoint/2"  # /2: the manifest carries the SHA-256 of its own content
ARRAYS_FILE = re.compile(r"arrays-\d{9}\.npz")
MAX_MANIFEST_BYTES = 1 << 28  # 256 MB: the history of ~10 million batches
STATE_SLACK = 1 << 20  # bytes of .npy headers and zip records beyond the arrays themselves


class CheckpointError(ValueError):
    """A checkpoint is missing, damaged, torn, edited, or does not fit the run."""


def save_checkpoint(
    folder, tags, model, optimizer, state: TrainState, rngs: dict, config: dict
) -> None:
    """Write the run's checkpoint into ``folder`` under each of ``tags`` (e.g. ("last", "best"))."""
    folder = Path(folder)
    optimizer_state = optimizer.state_dict()
    arrays = {f"model/{p.name}": p.value for p in model.parameters()}
    arrays |= {f"optimizer/{k}": v for k, v in optimizer_state.items() if isinstance(v, np.ndarray)}
    buffer = io.BytesIO()
    np.savez(buffer, **arrays)
    data = buffer.getvalue()
    arrays_file = f"arrays-{optimizer.t:09d}.npz"
    atomic_write_bytes(folder / arrays_file, data)
    manifest = {
        "format": FORMAT,
        "arrays": arrays_file,
        "sha256": hashlib.sha256(data).hexdigest(),
        "model": {"format": MODEL_FORMAT, "layers": layer_specs(model)},
        "optimizer": {k: v for k, v in optimizer_state.items() if not isinstance(v, np.ndarray)},
        "state": {
            "epoch": state.epoch,
            "batch": state.batch,
            "loss_sum": state.loss_sum,
            "correct": state.correct,
            "epoch_start_rng": state.epoch_start_rng,
            "stopped_early": state.stopped_early,
        },
        "history": {"epochs": state.history.rows, "batch_loss": state.history.batch_loss},
        "rngs": {name: rng.bit_generator.state for name, rng in rngs.items()},
        "config": config,
    }
    manifest["manifest_sha256"] = _digest(manifest)
    text = json.dumps(manifest) + "\n"
    for tag in tags:
        atomic_write_text(folder / f"{tag}.json", text)
    clean_checkpoints(folder)


def restore_checkpoint(
    path, model, optimizer, rngs: dict, best_path=None, config: dict | None = None
) -> TrainState:
    """Load a checkpoint's weights, optimizer state and RNG states into the given objects (built
    from the same config) and return the TrainState to continue from. With ``config``, a run's
    config that differs from the one the checkpoint was saved with is refused, naming the keys."""
    manifest = read_manifest(path)
    saved_config = manifest["config"]
    # a key absent on one side and None on the other is no change (a field added to TrainConfig
    # later, unset), as in sweep.config_hash
    changed = sorted(k for k in config.keys() | saved_config.keys()
                     if config.get(k) != saved_config.get(k)) if config is not None else []  # fmt: skip
    if changed:
        details = ", ".join(f"{k} (checkpoint: {manifest['config'].get(k)!r}, now: {config.get(k)!r})"
                            for k in changed)  # fmt: skip
        raise CheckpointError(
            f"{path}: the run's config.toml changed since this checkpoint was saved, in {details}; "
            "a resumed run keeps its config: restore those values, or start a new run"
        )
    with _arrays(manifest, path) as archive:
        _read_into(archive, model, path, "model/")
        saved = dict(manifest["optimizer"])
        for key, like in optimizer.state_dict().items():
            if isinstance(like, np.ndarray):
                saved[key] = _read(archive, f"optimizer/{key}", like, path)
    try:
        optimizer.load_state_dict(saved)
        for name, rng in rngs.items():
            rng.bit_generator.state = manifest["rngs"][name]
    except (ValueError, TypeError, KeyError) as error:
        raise CheckpointError(f"{path}: does not fit this run ({error})") from None
    s = manifest["state"]
    state = TrainState(
        History(manifest["history"]["epochs"], manifest["history"]["batch_loss"]),
        s["batch"], s["loss_sum"], s["correct"], s["epoch_start_rng"], stopped_early=s["stopped_early"],
    )  # fmt: skip
    if best_path is not None and Path(best_path).exists():
        best = load_checkpoint_model(best_path)
        state.best_params = [p.value for p in best.parameters()]
    return state


def load_checkpoint_model(path) -> Sequential:
    """The model saved in a checkpoint, rebuilt from the layers its manifest lists."""
    manifest = read_manifest(path)
    with _arrays(manifest, path) as archive:
        model = Sequential(build_layers(manifest["model"]["layers"], path))
        _read_into(archive, model, path, "model/")
    return model


def clean_checkpoints(folder) -> None:
    """Remove what a killed save left behind: temp files, and arrays files that no manifest
    refers to. Arrays are removed only when ``last.json`` and every other manifest are readable
    and intact: a manifest that cannot be read may have been the only reference to the newest
    arrays, which a failed resume must find where they were."""
    folder = Path(folder)
    if not folder.is_dir():
        return
    for path in folder.glob(".*.tmp"):
        path.unlink(missing_ok=True)
    manifests = list(folder.glob("*.json"))
    if folder / "last.json" not in manifests:
        return
    try:
        kept = {_read_json(path)["arrays"] for path in manifests}
    except CheckpointError:
        return
    for path in folder.glob("arrays-*.npz"):
        if path.name not in kept:
            path.unlink(missing_ok=True)


def read_manifest(path) -> dict:
    """The manifest of the checkpoint ``path`` (a TAG.json, or a folder: its last.json), checked:
    intact (its own SHA-256) and of the expected schema."""
    path = Path(path)
    if path.is_dir():
        path = path / "last.json"
    return _read_json(path)


def _read_json(path: Path) -> dict:
    try:
        require_regular_file(path)
        if path.stat().st_size > MAX_MANIFEST_BYTES:
            raise ValueError(f"larger than {MAX_MANIFEST_BYTES:,} bytes")
        manifest = json.loads(path.read_text())
    except FileNotFoundError:
        raise CheckpointError(
            f"{path} does not exist; there is no checkpoint to resume from"
        ) from None
    except (ValueError, OSError, RecursionError) as error:  # UnicodeError is a ValueError
        raise CheckpointError(f"{path}: not a readable checkpoint manifest ({error})") from None
    if not isinstance(manifest, dict) or manifest.get("format") != FORMAT:
        older = isinstance(manifest, dict) and manifest.get("format") == "numpynn.checkpoint/1"
        raise CheckpointError(
            f"{path}: written by an older numpynn whose manifests carry no checksum, so it cannot "
            "be verified; start the run again" if older
            else f"{path}: not a numpynn checkpoint (format must be {FORMAT})"
        )  # fmt: skip
    if manifest.get("manifest_sha256") != _digest(manifest):
        raise CheckpointError(
            f"{path}: the manifest does not match its own SHA-256; it was edited or damaged, and "
            "resuming from it would continue a different run"
        )
    problem = _schema_problem(manifest)
    if problem:
        raise CheckpointError(f"{path}: {problem}; the checkpoint is damaged")
    try:
        check_specs(manifest["model"]["layers"], path)
    except ModelFileError as error:
        raise CheckpointError(str(error)) from None
    return manifest


def _digest(manifest: dict) -> str:
    """SHA-256 of the manifest's content but this digest, in one canonical JSON form."""
    body = {k: v for k, v in manifest.items() if k != "manifest_sha256"}
    return hashlib.sha256(json.dumps(body, sort_keys=True).encode()).hexdigest()


def _schema_problem(m: dict) -> str | None:
    """What is wrong with the parts of a manifest (after its checksum) that reading relies on."""
    count = lambda v: is_int(v) and v >= 0  # noqa: E731
    checks = [
        ("arrays", isinstance(m.get("arrays"), str) and ARRAYS_FILE.fullmatch(m["arrays"])),
        ("sha256", isinstance(m.get("sha256"), str) and re.fullmatch(r"[0-9a-f]{64}", m["sha256"])),
        ("model", isinstance(m.get("model"), dict) and m["model"].get("format") == MODEL_FORMAT),
        ("optimizer", isinstance(m.get("optimizer"), dict) and count(m["optimizer"].get("t"))
         and is_number(m["optimizer"].get("lr"))),
        ("state", isinstance(s := m.get("state"), dict) and all(count(s.get(k)) for k in ("epoch", "batch", "correct"))
         and is_number(s.get("loss_sum")) and isinstance(s.get("stopped_early"), bool)
         and isinstance(s.get("epoch_start_rng"), dict | None)),
        ("history", isinstance(h := m.get("history"), dict) and isinstance(h.get("epochs"), list)
         and all(isinstance(row, dict) for row in h["epochs"]) and isinstance(h.get("batch_loss"), list)
         and all(is_number(v) or (isinstance(v, float) and math.isnan(v)) for v in h["batch_loss"])),
        ("rngs", isinstance(m.get("rngs"), dict) and all(isinstance(v, dict) for v in m["rngs"].values())),
        ("config", isinstance(m.get("config"), dict)),
    ]  # fmt: skip
    for key, ok in checks:
        if not ok:
            return f"the manifest's {key!r} is missing or malformed"
    if len(m["history"]["epochs"]) != m["state"]["epoch"]:
        return "the manifest's history does not hold one row per finished epoch"
    return None


class _arrays:
    """The zip archive of a manifest's arrays, opened once it is known to be a regular file
    beside the manifest, no larger than the model's state can be, and intact (SHA-256)."""

    def __init__(self, manifest: dict, path):
        self.manifest, self.path = manifest, Path(path)

    def __enter__(self) -> zipfile.ZipFile:
        path, arrays = self.path, self.path.parent / self.manifest["arrays"]
        layers = self.manifest["model"]["layers"]
        weights = sum(math.prod(shape) * t.itemsize for _, shape, t in declared_arrays(layers))
        largest = 4 * weights  # the weights, and at most three arrays of optimizer state each
        try:
            require_regular_file(arrays)
            check_sizes(layers, arrays.stat().st_size, arrays)
            if arrays.stat().st_size > largest + STATE_SLACK:
                raise ValueError(f"larger than the model's weights and optimizer state can be ({largest:,} bytes)")  # fmt: skip
            if sha256_file(arrays) != self.manifest["sha256"]:
                raise ValueError(
                    "its SHA-256 does not match the manifest; the checkpoint is damaged or torn "
                    "(arrays and manifest from different saves)"
                )
            self.archive = zipfile.ZipFile(arrays)
        except (ValueError, OSError, zipfile.BadZipFile) as error:
            raise CheckpointError(f"{path}: its arrays {arrays.name}: {error}") from None
        return self.archive

    def __exit__(self, *exc) -> None:
        self.archive.close()


def _read_into(archive, model, path, prefix: str) -> None:
    try:
        read_parameters(archive, model, path, prefix=prefix)
    except ModelFileError as error:
        raise CheckpointError(str(error)) from None


def _read(archive, name: str, like: np.ndarray, path) -> np.ndarray:
    try:
        return read_array(archive, name, like, path)
    except ModelFileError as error:
        raise CheckpointError(str(error)) from None
