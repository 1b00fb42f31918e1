"""Run directories: a new one for each run, and opening a saved one (a run, a model file or a
checkpoint)."""

import time
from pathlib import Path

from ..model import Sequential
from ..saving import load
from .checkpoints import load_checkpoint_model
from .config import TrainConfig, load_config

__all__ = ["RunDirectoryError", "new_run_dir", "open_model"]


class RunDirectoryError(ValueError):
    """A run directory cannot be written: it exists and holds something else."""

    def __init__(self, path: Path, problem: str):
        super().__init__(f"{path} {problem}")
        self.path, self.problem = path, problem


def new_run_dir(out: Path | None, name: str, study_file: str | None = None) -> Path:
    """``out``, or runs/NAME-TIME; an existing non-empty folder is refused (nothing is
    overwritten), unless it holds ``study_file``: a study that continues where it stopped."""
    out = out or Path("runs") / f"{name}-{time.strftime('%Y%m%d-%H%M%S')}"
    if out.exists() and any(out.iterdir()):
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
