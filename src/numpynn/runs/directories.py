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

from ..model import Sequential
from ..saving import load
from .checkpoints import load_checkpoint_model
from .config import TrainConfig, load_config

__all__ = ["RunDirectoryError", "new_run_dir", "lock_run_dir", "open_model"]


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
