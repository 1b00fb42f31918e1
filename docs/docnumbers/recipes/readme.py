"""The numbers of README.md."""

import json

from ..records import Recipe

SEEDS = range(6)


def _metrics(run) -> dict:
    return json.loads((run.out / "metrics.json").read_text())


def _train_default(runs) -> dict:
    metrics = [_metrics(run) for run in runs]
    accuracy = [m["test_accuracy"] for m in metrics]
    seconds = [m["train_seconds"] for m in metrics]
    return {"test_accuracy": accuracy[0], "train_seconds": seconds[0],
            "accuracy_min": min(accuracy), "accuracy_max": max(accuracy),
            "seconds_min": min(seconds), "seconds_max": max(seconds)}  # fmt: skip


RECIPES = [
    Recipe("train_default", [f"numpynn train --seed {s}" for s in SEEDS], _train_default),
]
