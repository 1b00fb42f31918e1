"""The examples of docs/debugging.md and README's debugging section: the catalogue of broken
runs, the statistics of the default run and the overfitting one, `numpynn diagnose --lr 50`, the
NaN guard's errors, lr-find's suggestions and what the statistics cost."""

import json
import re
import statistics

from numpynn.tables import markdown_table

from ..records import Recipe
from .runfiles import numeric_rows

NAN = "numpynn train --optimizer sgd --lr 1e20"
DIVERGED_LATER = (
    "numpynn train --train-size 2000 --hidden 32 --activation identity --optimizer sgd --lr 0.7 "
    "--val-size 200"
)
OVERFITTING = "numpynn train --diagnostics --lr 1e-3 --schedule constant --epochs 15"
LR_FIND = ["adam", "sgd", "momentum"]
ORDINALS = ["zeroth", "first", "second", "third", "fourth", "fifth", "sixth", "seventh", "eighth",
            "ninth", "tenth"]  # fmt: skip


def _catalogue(runs) -> dict:
    rows = json.loads((runs[0].out / "catalogue.json").read_text())
    lines = ["| broken run | `numpynn diagnose` says first | `numpynn train --diagnostics` says "
             "first | why | fix |", "| --- | --- | --- | --- | --- |"]  # fmt: skip
    for row in rows:
        flags = f" (`{row['flags']}`)" if row["flags"] else ""
        cells = [f"**{row['description']}**{flags}", row["diagnose_says"], row["train_says"],
                 row["why"], row["fix"]]  # fmt: skip
        lines.append("| " + " | ".join(cell.replace("|", "\\|") for cell in cells) + " |")
    matched = sum(row["match"] == "yes" for row in rows)
    return {"table": "\n".join(lines), "cases": len(rows), "matched": matched}


def _diagnose(runs) -> dict:
    """The checklists as printed, without the line naming the run folder."""
    blocks = []
    for run in runs:
        lines = [line for line in run.stdout.splitlines() if not line.startswith("wrote ")]
        blocks.append("```\n" + "\n".join(lines) + "\n```")
    advice = next(line for line in runs[1].stdout.splitlines() if line.lstrip().startswith("→"))
    rms = float(re.search(r"root mean square (\S+)", runs[0].stdout)[1])
    return {"default": blocks[0], "lr50": blocks[1], "lr50_exit": runs[1].returncode,
            "lr50_advice": advice.strip(" →"), "default_seconds": runs[0].seconds,
            "input_rms": rms}  # fmt: skip


def _errors(runs) -> dict:
    """The one-line errors, with the recipe's temporary run folder shown as runs/n."""
    errors = [
        re.sub(r"\S*/checkpoints/", "runs/n/checkpoints/", run.stderr.strip()) for run in runs
    ]
    epoch = int(re.search(r"at epoch (\d+)", errors[1])[1])
    return {"nan": f"```\n$ {NAN}\n{errors[0]}\n```", "diverged": f"```\n{errors[1]}\n```",
            "diverged_epoch": epoch, "diverged_epoch_word": ORDINALS[epoch]}  # fmt: skip


def _lr_find(runs) -> dict:
    values = {}
    for optimizer, run in zip(LR_FIND, runs, strict=True):
        summary = json.loads((run.out / "lr_find.json").read_text())
        values[f"suggested_{optimizer}"] = summary["suggested_lr"]
        values[f"min_loss_{optimizer}"] = summary["min_loss_lr"]
    commands = [f"numpynn lr-find --optimizer {optimizer}" for optimizer in LR_FIND]
    width = max(map(len, commands)) + 2
    lines = [f"{command:{width}}# suggests {values[f'suggested_{optimizer}']:.2g}"
             for command, optimizer in zip(commands, LR_FIND, strict=True)]  # fmt: skip
    return values | {"commands": "```bash\n" + "\n".join(lines) + "\n```"}


def _overhead(runs) -> dict:
    """The first command's numbers as they are; of the second (batch 32), ``*_32``."""
    values = {}
    for run, suffix in zip(runs, ("", "_32"), strict=True):
        results = json.loads((run.out / "results.json").read_text())["results"]
        ratios, inside = results["ratios"], results["inside"]
        # a later epoch of a run: the same, without the judgement before the first step
        later = [(i * a - s) / (a - s) for a, s, i in zip(results["on_s"], results["start_s"],
                                                           inside, strict=True)]  # fmt: skip
        values |= {f"{name}{suffix}": value for name, value in {
            "overhead": statistics.median(ratios) - 1, "overhead_low": min(ratios) - 1,
            "overhead_high": max(ratios) - 1, "inside": statistics.median(inside),
            "inside_low": min(inside), "inside_high": max(inside),
            "inside_later": statistics.median(later), "rounds": len(ratios),
        }.items()}  # fmt: skip
    results = json.loads((runs[0].out / "results.json").read_text())["results"]
    values |= {f"{part}_ms_{end}": pick(results[f"{part}_s"]) * 1e3
               for part in ("start", "watch", "end_epoch")
               for end, pick in (("min", min), ("max", max))}  # fmt: skip
    return values | {"check_ns": results["check_s"] * 1e9,
                     "check_share": results["check_s"] / results["step_s"],
                     "parameters": results["parameters"]}  # fmt: skip


def _history(run) -> list[dict]:
    return numeric_rows(run.out / "history.csv")


def _layers(row) -> list[str]:
    return [key.removesuffix(".grad_norm") for key in row if key.endswith(".grad_norm")]


def _join(values, spec) -> str:
    values = [format(v, spec) for v in values]
    return values[0] if len(values) == 1 else ", ".join(values[:-1]) + " and " + values[-1]


def _statistics(runs) -> dict:
    """The default run's statistics at its first and last epoch, and the ranges a healthy run
    keeps to over all its epochs."""
    rows = _history(runs[0])
    first, last = rows[0], rows[-1]
    layers = _layers(first)
    relus = [layer for layer in layers if f"{layer}.dead" in first]

    def cells(row):
        def stat(name, spec):
            return ", ".join(format(row[f"{layer}.{name}"], spec) for layer in layers)

        return [
            f"{row['dense0.act_mean']:.2f} / {row['dense0.act_std']:.2f}",
            _join([row[f"{layer}.dead"] for layer in relus], ".0%"),
            stat("weight_norm", ".1f"), stat("grad_norm", ".2g"), stat("update_ratio", ".1e"),
        ]  # fmt: skip

    a, b = cells(first), cells(last)
    table = markdown_table(
        ["column", "meaning", f"default run, epoch 1 (lr {first['lr']:.2g})",
         f"epoch {last['epoch']:.0f} (lr {last['lr']:.2g})"],
        [["`act_mean`, `act_std`", "mean and standard deviation of the activation after the "
          "layer", f"{a[0]} (`dense0`)", b[0]],
         ["`dead`", "ReLU: fraction of units never active on the batch", a[1], b[1]],
         ["`saturated`", "sigmoid/tanh: fraction of units in a flat tail on ≥ 90% of the batch",
          "(ReLU: none)", ""],
         ["`weight_norm`", "‖W‖", a[2], b[2]],
         ["`grad_norm`", "‖dL/dW‖ on the batch", a[3], b[3]],
         ["`update_ratio`", "‖ΔW‖ / ‖W‖ of the middle training step of the epoch", a[4], b[4]]],
    )  # fmt: skip
    flow = [
        min(r[f"{layer}.grad_norm"] for layer in layers) / r[f"{layers[-1]}.grad_norm"]
        for r in rows
    ]
    return {
        "table": table, "epochs": len(rows),
        "update_first_max": max(first[f"{layer}.update_ratio"] for layer in layers),
        "update_last_min": min(last[f"{layer}.update_ratio"] for layer in layers),
        "grad_weight_max": max(r[f"{layer}.grad_norm"] / r[f"{layer}.weight_norm"] for r in rows
                               for layer in layers),
        "dead_max": max(r[f"{layer}.dead"] for r in rows for layer in relus),
        "flow_min": min(flow), "flow_max": max(flow),
        "test_accuracy": json.loads((runs[0].out / "metrics.json").read_text())["test_accuracy"],
        "warnings": _count(len(json.loads((runs[0].out / "warnings.json").read_text())),
                           "warning"),
    }  # fmt: skip


def _count(n: int, noun: str) -> str:
    return f"no {noun}" if n == 0 else f"{n} {noun}" + ("s" if n > 1 else "")


def _overfitting(runs) -> dict:
    """When the constant-rate run is warned of overfitting, and how its validation loss and
    accuracy stand then."""
    rows = _history(runs[0])
    warnings = json.loads((runs[0].out / "warnings.json").read_text())
    names = [w["name"] for w in warnings]
    warned = next(w for w in warnings if w["name"] == "overfitting")
    epoch = warned["epoch"]
    best = min(rows[:epoch], key=lambda r: r["val_loss"])
    since = [r["val_accuracy"] for r in rows[int(best["epoch"]) - 1 : epoch]]
    return {
        "warnings": ", ".join(names), "epoch": epoch, "best_epoch": int(best["epoch"]),
        "best_loss": best["val_loss"], "rise": rows[epoch - 1]["val_loss"] / best["val_loss"] - 1,
        "accuracy_low": min(since), "accuracy_high": max(since),
    }  # fmt: skip


RECIPES = [
    Recipe("debugging_catalogue", ["numpynn broken-runs"], _catalogue),
    Recipe(
        "debugging_diagnose",
        ["numpynn diagnose", "numpynn diagnose --lr 50"],
        _diagnose,
        returncodes=(0, 1),
    ),  # fmt: skip
    Recipe("debugging_nan", [NAN, DIVERGED_LATER], _errors, returncodes=(1,)),
    Recipe(
        "debugging_statistics",
        ["numpynn train --diagnostics"],
        _statistics,
        figures={"0/diagnostics.png": "diagnostics_default.png"},
    ),
    Recipe("debugging_overfitting", [OVERFITTING], _overfitting),
    Recipe(
        "debugging_lr_find",
        [f"numpynn lr-find --optimizer {optimizer}" for optimizer in LR_FIND],
        _lr_find,
        figures={"0/lr_find.png": "lr_find_adam.png"},
    ),
    Recipe(
        "debugging_overhead",
        [
            "python benchmarks/diagnostics_overhead.py",
            "python benchmarks/diagnostics_overhead.py --batch-size 32 --rounds 5",
        ],
        _overhead,
    ),  # fmt: skip
]
