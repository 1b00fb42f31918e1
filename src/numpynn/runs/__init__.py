"""Training runs on disk: the run configuration (TOML), one training run and its run directory,
checkpoints to resume from, the run report, and sweeps of many runs at once."""

from .config import TrainConfig, load_config, save_config
from .directories import RunDirectoryError, new_run_dir, open_model
from .run import RunInterrupted, train_run
from .sweep import available_cores

__all__ = [
    "RunDirectoryError",
    "RunInterrupted",
    "TrainConfig",
    "available_cores",
    "load_config",
    "new_run_dir",
    "open_model",
    "save_config",
    "train_run",
]
