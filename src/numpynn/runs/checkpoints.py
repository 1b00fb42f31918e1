"""Checkpoints: everything needed to continue a run exactly, saved so no crash loses the last one.

A checkpoint ``TAG`` ("last" or "best") in a folder is two files:

    arrays-<step>.npz  the arrays: model parameters and optimizer state (never pickled)
    TAG.json           the manifest, written last: which .npz, its SHA-256, the training state
                       (epoch, batch, running sums, history, RNG states) and the model's layers

(``last`` and ``best`` of the same step share one arrays file.)
The arrays go to a new file every time and the manifest replaces the old one atomically after
them, so a kill at any moment leaves the previous manifest pointing at its own intact arrays; a
torn pair (arrays of one save, manifest of another) fails the checksum. Reading checks each
array's declared shape and dtype against the model before any data is read.
"""

import hashlib
import io
import json
import zipfile
from pathlib import Path

import numpy as np

from ..files import atomic_write_bytes, atomic_write_text
from ..history import History
from ..model import Sequential
from ..saving import FORMAT as MODEL_FORMAT
from ..saving import build_layers, layer_specs, read_array, read_parameters
from ..training import TrainState

__all__ = [
    "CheckpointError",
    "save_checkpoint",
    "restore_checkpoint",
    "load_checkpoint_model",
    "clean_checkpoints",
]

FORMAT = "numpynn.checkpoint/1"


class CheckpointError(ValueError):
    """A checkpoint is missing, damaged, torn, or does not fit the model."""


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
    text = json.dumps(manifest) + "\n"
    for tag in tags:
        atomic_write_text(folder / f"{tag}.json", text)
    clean_checkpoints(folder)


def restore_checkpoint(path, model, optimizer, rngs: dict, best_path=None) -> TrainState:
    """Load a checkpoint's weights, optimizer state and RNG states into the given objects (built
    from the same config) and return the TrainState to continue from."""
    manifest, archive = _open(path)
    with archive:
        read_parameters(archive, model, path, prefix="model/")
        saved = dict(manifest["optimizer"])
        for key, like in optimizer.state_dict().items():
            if isinstance(like, np.ndarray):
                saved[key] = read_array(archive, f"optimizer/{key}", like, path)
    optimizer.load_state_dict(saved)
    for name, rng in rngs.items():
        rng.bit_generator.state = manifest["rngs"][name]
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
    manifest, archive = _open(path)
    model = Sequential(build_layers(manifest["model"]["layers"], path))
    with archive:
        read_parameters(archive, model, path, prefix="model/")
    return model


def clean_checkpoints(folder) -> None:
    """Remove temp files and arrays that no manifest refers to (left by a save that was killed)."""
    folder = Path(folder)
    if not folder.is_dir():
        return
    kept = set()
    for manifest in folder.glob("*.json"):
        try:
            kept.add(json.loads(manifest.read_text())["arrays"])
        except (ValueError, KeyError, OSError):
            continue
    for path in folder.iterdir():
        if path.name.endswith(".tmp") or (path.suffix == ".npz" and path.name not in kept):
            path.unlink(missing_ok=True)


def _open(path) -> tuple[dict, zipfile.ZipFile]:
    """The manifest (validated) and the zip archive of its arrays (checksum verified)."""
    path = Path(path)
    if path.is_dir():
        path = path / "last.json"
    try:
        manifest = json.loads(path.read_text())
    except FileNotFoundError:
        raise CheckpointError(
            f"{path} does not exist; there is no checkpoint to resume from"
        ) from None
    except (ValueError, OSError) as error:
        raise CheckpointError(f"{path}: not a readable checkpoint manifest ({error})") from None
    if not isinstance(manifest, dict) or manifest.get("format") != FORMAT:
        raise CheckpointError(f"{path}: not a numpynn checkpoint (format must be {FORMAT})")
    arrays = path.parent / manifest["arrays"]
    try:
        data = arrays.read_bytes()
    except OSError as error:
        raise CheckpointError(
            f"{path}: its arrays {arrays.name} cannot be read ({error})"
        ) from None
    if hashlib.sha256(data).hexdigest() != manifest["sha256"]:
        raise CheckpointError(
            f"{path}: the SHA-256 of {arrays.name} does not match the manifest; the checkpoint is "
            "damaged or torn (arrays and manifest from different saves)"
        )
    try:
        return manifest, zipfile.ZipFile(io.BytesIO(data))
    except zipfile.BadZipFile as error:
        raise CheckpointError(f"{path}: {arrays.name} is not a valid archive ({error})") from None
