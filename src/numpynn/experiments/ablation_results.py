"""The tables of the ablation study: ``results.csv`` (a row per finished run), ``summary.csv``
(mean and sample standard deviation over seeds per grid point) and ``failures.csv``."""

import json
import math
from pathlib import Path

import numpy as np

from ..files import atomic_write_text
from ..history import read_history
from ..tables import csv_text

__all__ = ["KEYS", "collect", "summarize", "write_tables", "to_csv"]

KEYS = ("width", "depth", "activation", "optimizer", "lr")  # a grid point; + the replicate


def collect(points, outcomes, runs_dir: Path) -> tuple[list[dict], list[dict], dict]:
    """Rows of the finished and of the failed runs, in grid order, and the validation accuracy
    per epoch of each finished run grouped by grid point; read from the run directories."""
    by_run = {o.task.run_dir.name: o for o in outcomes}
    results, failures, curves = [], [], {}
    for point in points:
        outcome = by_run[point.name]
        if outcome.status == "failed":
            failures.append(_row(point) | {"error": outcome.error, "attempts": outcome.attempts})
            continue
        row, curve = _result(point, runs_dir / point.name)
        results.append(row)
        curves.setdefault(_group(row), []).append(curve)
    return results, failures, curves


def write_tables(out_dir: Path, results, summary, failures) -> None:
    atomic_write_text(out_dir / "results.csv", to_csv(results, RESULT_COLUMNS))
    atomic_write_text(out_dir / "summary.csv", to_csv(summary, SUMMARY_COLUMNS))
    atomic_write_text(out_dir / "failures.csv", to_csv(failures, FAILURE_COLUMNS))


RESULT_COLUMNS = ["run", *KEYS, "replicate", "seed", "parameters", "test_accuracy", "test_loss",
                  "val_accuracy", "train_loss", "epochs", "seconds"]  # fmt: skip
STATS = ("test_accuracy", "val_accuracy", "train_loss")
SUMMARY_COLUMNS = [*KEYS, "runs", "parameters",
                   *(f"{s}_{m}" for s in STATS for m in ("mean", "std")), "seconds_mean"]  # fmt: skip
FAILURE_COLUMNS = ["run", *KEYS, "replicate", "seed", "attempts", "error"]


def summarize(results: list[dict], curves: dict | None = None) -> list[dict]:
    """Mean and sample standard deviation over the replicates of each grid point, in grid
    order; with ``curves``, also the mean validation accuracy per epoch (``val_curve``)."""
    groups: dict[tuple, list[dict]] = {}
    for row in results:
        groups.setdefault(_group(row), []).append(row)
    summary = []
    for key, rows in groups.items():
        entry = dict(zip(KEYS, key)) | {"runs": len(rows), "parameters": rows[0]["parameters"]}
        for stat in STATS:
            values = np.array([r[stat] for r in rows], dtype=np.float64)
            entry[f"{stat}_mean"] = float(values.mean())
            entry[f"{stat}_std"] = float(values.std(ddof=1)) if len(values) > 1 else math.nan
        entry["seconds_mean"] = float(np.mean([r["seconds"] for r in rows]))
        entry["test_accuracy_values"] = [r["test_accuracy"] for r in rows]
        if curves is not None:
            length = min(len(c) for c in curves[key])  # early stopping may shorten some
            entry["val_curve"] = np.mean([c[:length] for c in curves[key]], axis=0).tolist()
        summary.append(entry)
    return summary


def to_csv(rows: list[dict], columns: list[str]) -> str:
    """``columns`` of the rows as CSV; nan (the std of a single seed) is an empty field."""
    return csv_text(
        [{k: None if _is_nan(v) else v for k, v in row.items()} for row in rows], columns
    )


def _is_nan(value) -> bool:
    return isinstance(value, float) and math.isnan(value)


def _row(point) -> dict:
    return {"run": point.name, **point.keys, "replicate": point.replicate,
            "seed": point.config.seed}  # fmt: skip


def _result(point, run_dir: Path) -> tuple[dict, list[float]]:
    """A results row from a finished run directory, and its validation accuracy per epoch."""
    metrics = json.loads((run_dir / "metrics.json").read_text())
    history = read_history(run_dir)
    row = _row(point) | {
        "parameters": metrics["parameters"], "test_accuracy": metrics["test_accuracy"],
        "test_loss": metrics["test_loss"], "val_accuracy": metrics["val_accuracy"],
        "train_loss": history.rows[-1]["train_loss"], "epochs": metrics["epochs"],
        "seconds": metrics["train_seconds"],
    }  # fmt: skip
    return row, history["val_accuracy"]


def _group(row: dict) -> tuple:
    return tuple(row[k] for k in KEYS)
