"""The examples of docs/debugging.md and README's debugging section: the catalogue of broken
runs, `numpynn diagnose --lr 50`, the NaN guard's errors, lr-find's suggestion and what the
statistics cost."""

import json
import re
import statistics

from ..records import Recipe

NAN = "numpynn train --optimizer sgd --lr 1e20"
DIVERGED_LATER = (
    "numpynn train --train-size 2000 --hidden 32 --activation identity --optimizer sgd --lr 0.7 "
    "--val-size 200"
)


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
    return {"default": blocks[0], "lr50": blocks[1], "lr50_exit": runs[1].returncode,
            "lr50_advice": advice.strip(" →")}  # fmt: skip


def _errors(runs) -> dict:
    """The one-line errors, with the recipe's temporary run folder shown as runs/n."""
    errors = [
        re.sub(r"\S*/checkpoints/", "runs/n/checkpoints/", run.stderr.strip()) for run in runs
    ]
    return {"nan": f"```\n$ {NAN}\n{errors[0]}\n```", "diverged": f"```\n{errors[1]}\n```"}


def _lr_find(runs) -> dict:
    return {"suggested": float(re.search(r"suggested learning rate (\S+)", runs[0].stdout)[1])}


def _overhead(runs) -> dict:
    results = json.loads((runs[0].out / "results.json").read_text())["results"]
    ratios, inside = results["ratios"], results["inside"]
    return {"overhead": statistics.median(ratios) - 1, "overhead_low": min(ratios) - 1,
            "overhead_high": max(ratios) - 1, "inside": statistics.median(inside)}  # fmt: skip


RECIPES = [
    Recipe("debugging_catalogue", ["numpynn broken-runs"], _catalogue),
    Recipe(
        "debugging_diagnose",
        ["numpynn diagnose", "numpynn diagnose --lr 50"],
        _diagnose,
        returncodes=(0, 1),
    ),  # fmt: skip
    Recipe("debugging_nan", [NAN, DIVERGED_LATER], _errors, returncodes=(1,)),
    Recipe("debugging_lr_find", ["numpynn lr-find --optimizer sgd"], _lr_find),
    Recipe("debugging_overhead", ["python benchmarks/diagnostics_overhead.py"], _overhead),
]
