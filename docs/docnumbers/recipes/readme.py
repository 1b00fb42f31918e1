"""The numbers of README.md (the perceptron's are in perceptron.py)."""

import re
import statistics

from ..records import Recipe
from .runfiles import metrics as _metrics


def _seeds(runs) -> dict:
    """Test accuracy and training seconds of the same recipe over seeds (the first run: seed 0)."""
    metrics = [_metrics(run) for run in runs]
    accuracy = [m["test_accuracy"] for m in metrics]
    seconds = [m["train_seconds"] for m in metrics]
    return {"test_accuracy": accuracy[0], "train_seconds": seconds[0],
            "accuracy_mean": statistics.mean(accuracy),
            "accuracy_min": min(accuracy), "accuracy_max": max(accuracy),
            "seconds_min": min(seconds), "seconds_max": max(seconds)}  # fmt: skip


def _gradcheck_table(runs) -> dict:
    """The table and verdict as printed (the runner's --out adds lines after them)."""
    table = runs[0].stdout.split("\nPASS:")[0] + "\nPASS:" + runs[0].stdout.split("\nPASS:")[1]
    return {"output": "```\n" + table.split("\n\n")[0].rstrip() + "\n```"}


def _gradcheck_all(runs) -> dict:
    passed, total, seconds = re.search(
        r"(\d+)/(\d+) networks PASS.*, ([\d.]+) s", runs[0].stdout
    ).groups()
    return {"passed": int(passed), "networks": int(total), "seconds": float(seconds)}


def _train(flags: str, seeds: int) -> list[str]:
    return [f"numpynn train {flags}--seed {seed}" for seed in range(seeds)]


RECIPES = [
    Recipe("train_default", _train("", 6), _seeds),
    # the default before issue 9, and the first default (batch 128 and a constant 1e-3, 10 epochs)
    Recipe("train_issue9_before", _train("--lr 3e-3 --batch-size 128 ", 6), _seeds),
    Recipe(
        "train_first_default",
        _train("--lr 1e-3 --batch-size 128 --schedule constant --epochs 10 ", 4),
        _seeds,
    ),  # fmt: skip
    Recipe(
        "gradcheck_example",
        ["numpynn gradcheck --hidden 30 --activation sigmoid --loss mse"],
        _gradcheck_table,
    ),  # fmt: skip
    Recipe("gradcheck_all", ["numpynn gradcheck --all"], _gradcheck_all),
    Recipe("train_fashion", _train("--dataset fashion-mnist ", 3), _seeds),
]
