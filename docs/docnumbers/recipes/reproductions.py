"""The numbers and figure of docs/reproductions.md (and its row in README.md): every row of
`numpynn reproduce --all`, published beside measured."""

import json

from ..records import Recipe
from .runfiles import numeric_rows

CH1_100 = "src/numpynn/recipes/nielsen-ch1-100.toml"


def _rows(runs) -> dict:
    from numpynn.experiments.reproduce import results_table

    results = json.loads((runs[0].out / "reproductions.json").read_text())
    values = {"table": results_table(results)}
    for r in results:
        key = r["id"].replace("-", "_")
        if "values" in r:  # the worked example
            agree = sum(row["agrees"] for row in r["values"])
            values |= {f"{key}_agree": agree, f"{key}_values": len(r["values"])}
            continue
        values |= {f"{key}_measured": r["measured"], f"{key}_published": r["published"],
                   f"{key}_gap": 100 * (r["measured"] - r["published"]),
                   f"{key}_seconds": r["seconds"], f"{key}_best_seed": r["best_seed"],
                   f"{key}_selected": r["val_selected_test"], f"{key}_final_test": r["final_test"],
                   f"{key}_seeds": [run[r["measure"]] for run in r["runs"]]}  # fmt: skip
    values["rows"] = len(results)
    values["seconds"] = sum(r.get("seconds", 0) for r in results)
    return values


def _float32(runs) -> dict:
    """Nielsen's chapter-1 network of 100 sigmoids in float32: each seed's peak test accuracy."""
    peaks = [
        max(row["test_accuracy"] for row in numeric_rows(run.out / "history.csv")) for run in runs
    ]
    return {"peaks": peaks, "best": max(peaks), "worst": min(peaks)}


RECIPES = [
    Recipe(
        "reproductions",
        ["numpynn reproduce --all"],
        _rows,
        figures={"0/reproductions.png": "reproductions.png"},
    ),
    Recipe(
        "reproductions_float32",
        [f"numpynn train --config {CH1_100} --dtype float32 --seed {seed}" for seed in range(3)],
        _float32,
    ),
]
