"""The numbers of docs/activations.md."""

import json

from numpynn.tables import markdown_table

from ..records import Recipe
from .runfiles import rows as _rows

VARIANTS = ["sigmoid, Xavier", "sigmoid, He", "tanh, Xavier", "ReLU, He"]
RATIO_DEPTHS = [2, 4, 6, 8, 10]  # the rows of the page's ratio table
ACCURACY_DEPTHS = [2, 3, 4, 10]  # ... and of its accuracy table
ONE_EPOCH = {
    name: f"numpynn train --diagnostics --epochs 1 --activation {name} --optimizer sgd --lr 0.1"
    for name in ("sigmoid", "tanh", "relu")
}


def _last_epoch(run) -> dict:
    return {key: float(value) for key, value in _rows(run.out / "history.csv")[-1].items()}


def _test_accuracy(run) -> float:
    return json.loads((run.out / "metrics.json").read_text())["test_accuracy"]


def _vanishing(runs) -> dict:
    (run,) = runs
    by = {(r["activation"], int(r["depth"])): r for r in _rows(run.out / "accuracy.csv")}
    depths = sorted({depth for _, depth in by})
    first, last = depths[0], depths[-1]

    def ratio(variant, depth):
        return float(by[variant, depth]["ratio_init"])

    def accuracy(variant, depth):
        return float(by[variant, depth]["accuracy"])

    def factor(variant):  # the ratio's change per added layer
        return (ratio(variant, last) / ratio(variant, first)) ** (1 / (last - first))

    def table(depths, cell):
        rows = [[d, *(cell(v, d) for v in VARIANTS)] for d in depths]
        return markdown_table(["hidden layers", *VARIANTS], rows)

    chance = accuracy("sigmoid, Xavier", last)
    stuck = [d for d in depths if all(accuracy(v, e) == chance for v in VARIANTS[:2]
                                      for e in depths if e >= d)]  # fmt: skip
    healthy = [accuracy(v, d) for v in VARIANTS[2:] for d in depths]
    healthy_ratios = [ratio(v, d) for v in VARIANTS[2:] for d in depths]
    return {
        "seconds": run.seconds, "networks": len(by), "first": first, "last": last,
        "added": last - first,
        "ratio_table": table(RATIO_DEPTHS, lambda v, d: f"{ratio(v, d):.1e}"),
        "accuracy_table": table(ACCURACY_DEPTHS, lambda v, d: f"{accuracy(v, d):.1%}"),
        "sigmoid_first": ratio("sigmoid, Xavier", first),
        "sigmoid_last": ratio("sigmoid, Xavier", last),
        "he_first": ratio("sigmoid, He", first), "he_last": ratio("sigmoid, He", last),
        "sigmoid_factor": factor("sigmoid, Xavier"), "he_factor": factor("sigmoid, He"),
        "he_predicted": 2**0.5 * factor("sigmoid, Xavier"),
        "tanh_factor": factor("tanh, Xavier"), "relu_factor": factor("ReLU, He"),
        "healthy_ratio_min": min(healthy_ratios), "healthy_ratio_max": max(healthy_ratios),
        "chance": chance, "stuck_from": stuck[0],
        "healthy_min": min(healthy), "healthy_max": max(healthy),
    }  # fmt: skip


def _one_epoch(runs) -> dict:
    values = {}
    for name, run in zip(ONE_EPOCH, runs, strict=True):
        last = _last_epoch(run)
        values[f"{name}_accuracy"] = _test_accuracy(run)
        for layer in (0, 1):
            values[f"{name}_mean{layer}"] = last[f"dense{layer}.act_mean"]
    return values


def _failure(stat: str):
    def extract(runs) -> dict:
        last = _last_epoch(runs[0])
        warnings = [line for line in runs[0].stdout.splitlines() if line.startswith("warning: ")]
        return {f"{stat}0": last[f"dense0.{stat}"], f"{stat}1": last[f"dense1.{stat}"],
                "first_warning": warnings[0] if warnings else "(none)"}  # fmt: skip

    return extract


RECIPES = [
    Recipe("activations_vanishing", ["numpynn vanishing"], _vanishing),
    Recipe("activations_one_epoch", list(ONE_EPOCH.values()), _one_epoch),
    Recipe(
        "activations_saturated",
        ["numpynn train --diagnostics --epochs 1 --activation tanh --optimizer sgd --lr 10"],
        _failure("saturated"),
    ),
    Recipe(
        "activations_dead",
        ["numpynn train --diagnostics --epochs 1 --optimizer adam --lr 0.05"],
        _failure("dead"),
    ),
]
