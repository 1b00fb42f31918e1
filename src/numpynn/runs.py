"""A training run from a TrainConfig: load data, build, train, test, and write the run directory.

A run directory holds ``config.toml`` (re-run it with ``numpynn train --config``), ``history.csv``
(one row per epoch), ``metrics.json`` and ``model.npz``. Every file is written atomically.
"""

import json
import platform
import time
from collections.abc import Callable
from pathlib import Path

import numpy as np

from .config import TrainConfig, to_toml
from .data import DATASETS, load_dataset
from .data.batching import train_val_split
from .files import atomic_write_text
from .losses import get_loss
from .model import mlp, save
from .run_report import write_run_report
from .training import evaluate, fit

__all__ = ["train_run", "seed_streams"]


def seed_streams(seed: int) -> dict[str, np.random.Generator]:
    """Independent generators for weights, the validation split and batch order, from one seed."""
    model, split, shuffle = np.random.SeedSequence(seed).spawn(3)
    return {
        "model": np.random.default_rng(model),
        "split": np.random.default_rng(split),
        "shuffle": np.random.default_rng(shuffle),
    }


def train_run(
    config: TrainConfig,
    out_dir: str | Path,
    *,
    data_dir: str | Path | None = None,
    progress: bool = False,
    log: Callable[[str], None] = print,
) -> dict:
    """Train as ``config`` says, write the run directory ``out_dir``, return the test metrics."""
    config.validate()
    out_dir = Path(out_dir)
    x_train, y_train, x_test, y_test = load_dataset(config.dataset, data_dir, progress=progress)
    if config.dtype != "float32":
        x_train, x_test = x_train.astype(config.dtype), x_test.astype(config.dtype)
    rngs = seed_streams(config.seed)
    train, val = train_val_split(x_train, y_train, config.val_size, rngs["split"])
    sizes = config.sizes(x_train.shape[1], DATASETS[config.dataset]["num_classes"])
    architecture = "-".join(map(str, sizes))
    model = mlp(
        sizes,
        config.activation,
        dropout=config.dropout,
        init=None if config.init == "auto" else config.init,
        dtype=config.dtype,
        rng=rngs["model"],
    )
    loss_fn = get_loss(config.loss)
    optimizer = config.build_optimizer(model.parameters())
    schedule = config.build_schedule()
    out_dir.mkdir(parents=True, exist_ok=True)
    atomic_write_text(out_dir / "config.toml", to_toml(config.to_dict()))
    log(
        f"MLP {architecture} ({config.activation}), {model.num_parameters():,} parameters; "
        f"{len(train[0])} training / {len(val[0])} validation images"
    )
    clipping = f", gradients clipped to norm {config.clip_norm:g}" if config.clip_norm else ""
    log(f"optimizer {optimizer!r}, schedule {schedule!r}{clipping}, loss {loss_fn!r}")
    log(f"writing to {out_dir}")

    def report(row: dict) -> None:
        log(format_epoch(row, config.epochs))

    history = fit(
        model, loss_fn, optimizer, train, val if config.val_size else None,
        epochs=config.epochs, batch_size=config.batch_size, rng=rngs["shuffle"], schedule=schedule,
        clip_norm=config.clip_norm, progress=progress, on_epoch_end=report,
    )  # fmt: skip
    test = evaluate(model, x_test, y_test, loss_fn=loss_fn)
    metrics = {
        "test_accuracy": test["accuracy"],
        "test_loss": test["loss"],
        "val_accuracy": history.rows[-1]["val_accuracy"],
        "epochs": len(history),
        "train_seconds": sum(history["seconds"]),
        "parameters": model.num_parameters(),
        "architecture": architecture,
        "finished": time.strftime("%Y-%m-%dT%H:%M:%S%z"),
        "versions": {"numpy": np.__version__, "python": platform.python_version()},
    }
    atomic_write_text(out_dir / "history.csv", history.to_csv())
    atomic_write_text(out_dir / "history.json", history.to_json())
    save(model, out_dir / "model.npz")
    atomic_write_text(out_dir / "metrics.json", json.dumps(metrics, indent=2) + "\n")
    write_run_report(out_dir, model, x_test, y_test, config.to_dict(), metrics, history)
    log(f"test accuracy {test['accuracy']:.2%} (loss {test['loss']:.4f}) after {len(history)} epochs, "
        f"{metrics['train_seconds']:.1f} s of training")  # fmt: skip
    return metrics


def format_epoch(row: dict, epochs: int) -> str:
    width = len(str(epochs))
    line = (
        f"epoch {row['epoch']:>{width}}/{epochs}  train loss {row['train_loss']:.4f} "
        f"acc {row['train_accuracy']:.2%}"
    )
    if not np.isnan(row["val_loss"]):
        line += f"  val loss {row['val_loss']:.4f} acc {row['val_accuracy']:.2%}"
    return line + f"  lr {row['lr']:.3g}  {row['seconds']:.1f}s"
