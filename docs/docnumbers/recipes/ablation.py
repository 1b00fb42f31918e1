"""The numbers and figures of docs/ablation.md (and the ablation row of README.md): the default
study's REPORT.md, summary and run histories."""

import statistics

from ..records import Recipe
from .runfiles import rows as _rows

FIGURES = [
    "accuracy_vs_width",
    "accuracy_vs_depth",
    "heatmaps",
    "validation_curves",
    "accuracy_vs_cost",
]


def _section(report: str, title: str) -> str:
    return report.split(f"## {title}\n\n", 1)[1].split("\n\n## ", 1)[0].strip()


def _validation(study, width: int, depth: int, activation: str) -> list[float]:
    """Mean over seeds of the validation accuracy after each epoch."""
    runs = [row["run"] for row in _rows(study / "results.csv")
            if (int(row["width"]), int(row["depth"]), row["activation"]) == (width, depth, activation)]  # fmt: skip
    curves = [
        [float(r["val_accuracy"]) for r in _rows(study / "runs" / run / "history.csv")]
        for run in runs
    ]
    return [statistics.mean(epoch) for epoch in zip(*curves)]


def _ablation(runs) -> dict:
    study = runs[0].out
    report = (study / "REPORT.md").read_text()
    summary = {
        (int(r["width"]), int(r["depth"]), r["activation"]): r for r in _rows(study / "summary.csv")
    }
    results = _rows(study / "results.csv")
    took = runs[0].seconds
    best = max(summary.values(), key=lambda r: float(r["val_accuracy_mean"]))
    deep = {a: _validation(study, 16, 4, a) for a in ("relu", "tanh", "sigmoid")}
    widest = [float(r["test_accuracy"]) for r in results
              if (r["width"], r["depth"], r["activation"]) == ("1024", "4", "sigmoid")]  # fmt: skip
    return {
        "findings": _section(report, "Findings"),
        "table": _section(report, "Test accuracy (%, mean ± std over seeds)").split("\n\nBold")[0],
        "runs": len(results), "minutes": took / 60,
        # --full: 4/3 the activations, 5/3 the seeds, twice the epochs, 5.5 times the images
        "full_hours": took / 3600 * 4 / 3 * 5 / 3 * 2 * 5.5,
        "training_minutes": sum(float(r["seconds"]) for r in results) / 60,
        "best": f"784-{'-'.join([best['width']] * int(best['depth']))}-10 {best['activation']}",
        "best_accuracy": float(best["test_accuracy_mean"]), "best_std": float(best["test_accuracy_std"]),
        "sigmoid_w16_d4": float(summary[16, 4, "sigmoid"]["test_accuracy_mean"]),
        "sigmoid_d4_first_epoch": deep["sigmoid"][0], "sigmoid_d4_last_epoch": deep["sigmoid"][-1],
        "others_d4_first_low": min(deep["relu"][0], deep["tanh"][0]),
        "others_d4_first_high": max(deep["relu"][0], deep["tanh"][0]),
        "others_d4_last_low": min(deep["relu"][-1], deep["tanh"][-1]),
        "others_d4_last_high": max(deep["relu"][-1], deep["tanh"][-1]),
        "widest_sigmoid_worst": min(widest), "widest_sigmoid_best": max(widest),
        "widest_sigmoid_std": float(summary[1024, 4, "sigmoid"]["test_accuracy_std"]),
    }  # fmt: skip


RECIPES = [
    Recipe(
        "ablation_default",
        ["numpynn ablate --jobs 2"],
        _ablation,
        figures={f"0/{name}.png": f"ablation-{name.replace('_', '-')}.png" for name in FIGURES},
    ),  # fmt: skip
]
