"""The data of a run: loading what its config names (a data set or your own file), and what a
saved model was trained on (its ``DataInfo``: class names, inputs, scaling), so that evaluating
it and predicting with it give it inputs prepared as in training."""

import json
from pathlib import Path

import numpy as np

from ..data.dataset import DataInfo, Dataset, load_registered, registered_info
from ..data.labeled import read_labeled
from ..files import require_regular_file, sha256_file
from ..saving import load_data_description
from .config import TrainConfig

__all__ = ["load_run_data", "data_val_size", "model_data_info", "read_data_json", "load_test_set"]

MAX_DATA_JSON_BYTES = 1 << 26


def load_run_data(config: TrainConfig, data_dir=None, *, progress: bool = False) -> Dataset:
    """The data ``config`` trains on, unscaled: its own file (``data``), or a data set of
    ``numpynn.data.DATASETS`` looked for in ``data_dir`` and the usual places."""
    if config.data is not None:
        target = None if config.target is None else str(config.target)
        return read_labeled(Path(config.data).expanduser(), target)
    return load_registered(config.dataset, data_dir, progress=progress)


def data_val_size(config: TrainConfig) -> int:
    """The default validation split of a data file: a tenth of its training rows (val_size's
    own default, 5,000 images, is for MNIST)."""
    return len(load_run_data(config).y_train) // 10


def model_data_info(path: Path, config: TrainConfig) -> DataInfo:
    """What the model at ``path`` (a model .npz or a checkpoint's .json) was trained on: what
    its file records, else its run's ``data.json``, else (a model saved before numpynn recorded
    it) the config's data set, as it was then: images scaled to [0, 1] and nothing else."""
    path = Path(path)
    if path.suffix != ".json":
        values = load_data_description(path)
        if values is not None:
            return DataInfo.from_dict(values, str(path))
    saved = (path.parent if path.suffix != ".json" else path.parent.parent) / "data.json"
    if saved.is_file():
        return DataInfo.from_dict(read_data_json(saved), str(saved))
    if config.data is not None:
        raise ValueError(
            f"{path}: its run trained on {config.data} but neither the model nor the run records "
            "the class names and scaling; train it again"
        )
    return registered_info(config.dataset)


def read_data_json(saved: Path) -> dict:
    """The values of a run's ``data.json``; a file too large or not JSON is a clear error."""
    if require_regular_file(saved).stat().st_size > MAX_DATA_JSON_BYTES:
        raise ValueError(f"{saved}: larger than {MAX_DATA_JSON_BYTES:,} bytes; it is damaged")
    try:
        return json.loads(saved.read_text(encoding="utf-8"))
    except (UnicodeDecodeError, json.JSONDecodeError) as error:
        raise ValueError(f"{saved}: not valid JSON ({error}); it is damaged") from None


def load_test_set(
    config: TrainConfig, info: DataInfo, data_dir=None
) -> tuple[np.ndarray, np.ndarray]:
    """The test set of a run, scaled as ``info`` says. A data file must be the one the model
    was trained on, byte for byte (its held-out test rows would differ otherwise)."""
    if config.data is not None:
        _check_unchanged(Path(config.data).expanduser(), info.source.get("sha256"))
    data = load_run_data(config, data_dir)
    expected, now = info.source.get("test_sha256"), data.info.source.get("test_sha256")
    if now != expected:  # a test file that appeared or went away changes the test set too
        test = data.info.source.get("test") or info.source.get("test", "its test file")
        raise ValueError(
            f"{test} changed since the model was trained on it (SHA-256 {expected}, now {now}); "
            "restore the file, or train again"
        )
    x_test = data.x_test if info.scaling is None else info.scaling(data.x_test)
    return x_test, data.y_test


def _check_unchanged(path: Path, expected: str | None) -> None:
    """Before reading it: the data file a model was trained on is still there, unchanged."""
    if not path.exists():
        raise FileNotFoundError(
            f"{path}: the model was trained on this file, which is gone; put it back to "
            f"evaluate the model on its test rows (SHA-256 {expected})"
        )
    now = sha256_file(path) if expected is not None else None
    if now != expected:
        raise ValueError(
            f"{path} changed since the model was trained on it (SHA-256 {expected}, now "
            f"{now}); restore the file, or train again"
        )
