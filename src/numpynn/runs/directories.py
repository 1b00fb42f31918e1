"""Run directories: a new one for each run, one process at a time in it (a lock), and opening a
saved one (a run, a model file or a checkpoint)."""

import os
import time
from collections.abc import Iterator
from contextlib import contextmanager
from pathlib import Path

try:
    import fcntl
except ImportError:  # not POSIX: runs are not locked
    fcntl = None

import numpy as np

from ..model import Sequential
from ..saving import load
from .checkpoints import load_checkpoint_model
from .config import TrainConfig, load_config

__all__ = ["RunDirectoryError", "new_run_dir", "lock_run_dir", "open_model", "check_model_fits"]


class RunDirectoryError(ValueError):
    """A run directory cannot be written: it exists and holds something else."""

    def __init__(self, path: Path, problem: str):
        super().__init__(f"{path} {problem}")
        self.path, self.problem = path, problem


def new_run_dir(out: Path | None, name: str, study_file: str | None = None) -> Path:
    """``out``, or runs/NAME-TIME; an existing folder holding anything but a lock is refused
    (nothing is overwritten), unless it holds ``study_file``: a study that continues where it
    stopped."""
    out = out or Path("runs") / f"{name}-{time.strftime('%Y%m%d-%H%M%S')}"
    if out.exists() and not out.is_dir():
        raise RunDirectoryError(out, "is a file, not a folder")
    if out.exists() and any(p.name != ".lock" for p in out.iterdir()):
        if study_file is None:
            raise RunDirectoryError(out, "exists and is not empty")
        if not (out / study_file).exists():
            raise RunDirectoryError(out, "is neither empty nor a study folder")
    return out


def open_model(path: Path) -> tuple[Sequential, TrainConfig, Path]:
    """The model of a run directory, a model .npz or a checkpoint (its .json or its folder),
    the config of the run it belongs to (the defaults if there is none), and the file read."""
    if path.is_dir() and not (path / "model.npz").exists():
        path = (
            path / "last.json"
            if (path / "last.json").exists()
            else path / "checkpoints" / "last.json"
        )
    elif path.is_dir():
        path = path / "model.npz"
    if not path.exists():
        raise FileNotFoundError(
            f"{path} does not exist; give a run directory, a model .npz or a checkpoint"
        )
    if path.suffix == ".json":
        model, run_dir = load_checkpoint_model(path), path.parent.parent
    else:
        model, run_dir = load(path), path.parent
    config_file = run_dir / "config.toml"
    config = load_config(config_file) if config_file.exists() else TrainConfig()
    return model, config, path


_held: dict[Path, int] = {}  # run directories whose lock this process holds, and how often


@contextmanager
def lock_run_dir(run_dir: Path) -> Iterator[Path]:
    """Hold ``run_dir`` (created if needed) for this process: another process asking for it
    fails at once, told which process holds it; this process may ask again. A folder created
    here and left holding nothing but the lock is removed again."""
    run_dir = Path(run_dir)
    created = not run_dir.exists()
    run_dir.mkdir(parents=True, exist_ok=True)
    key = run_dir.resolve()
    if key in _held or fcntl is None:  # held already, or not POSIX: no lock
        _held[key] = _held.get(key, 0) + 1
        try:
            yield run_dir
        finally:
            _held[key] -= 1
            if not _held[key]:
                del _held[key]
        return
    with open(run_dir / ".lock", "a+") as lock:
        try:
            fcntl.flock(lock, fcntl.LOCK_EX | fcntl.LOCK_NB)
        except BlockingIOError:
            lock.seek(0)
            holder = lock.read().strip() or "another process"
            raise RunDirectoryError(
                run_dir, f"is being written by {holder}; wait for it to finish, or stop it"
            ) from None
        lock.truncate(0)
        lock.write(f"process {os.getpid()}")
        lock.flush()
        _held[key] = 1
        try:
            yield run_dir
        finally:
            del _held[key]
            if created and [p.name for p in run_dir.iterdir()] == [".lock"]:
                (run_dir / ".lock").unlink()
                run_dir.rmdir()
            fcntl.flock(lock, fcntl.LOCK_UN)


def check_model_fits(model: Sequential, in_features: int, num_classes: int, path) -> None:
    """Refuse a model that cannot give a meaningful answer on data of ``in_features`` inputs and
    ``num_classes`` classes: weights that are not finite, or inputs or outputs of another width."""
    for p in model.parameters():
        if not np.isfinite(p.value).all():
            raise ValueError(
                f"{path}: the weights {p.name} hold {'nan' if np.isnan(p.value).any() else 'inf'}; "
                "a run that diverged cannot classify anything: use an earlier checkpoint, or "
                "train again with a lower learning rate"
            )
    try:
        outputs = model.forward(np.zeros((1, in_features), dtype=model.dtype or np.float32))
    except ValueError as error:
        raise ValueError(f"{path}: {error}; was it trained on another data set?") from None
    if outputs.shape[1] != num_classes:
        raise ValueError(
            f"{path}: the model has {outputs.shape[1]} outputs but the data set has "
            f"{num_classes} classes; it was trained for another data set"
        )
