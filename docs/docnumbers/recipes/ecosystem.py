"""The numbers of docs/ecosystem.md: numpynn's MLPClassifier beside scikit-learn's, fit side by
side with the same settings on MNIST and on load_digits."""

from ..records import Recipe
from .runfiles import results

SHORT = {"numpynn": "numpynn", "scikit-learn, float32 data": "sklearn32",
         "scikit-learn, float64 data": "sklearn64"}  # fmt: skip


def _sklearn_mlp(runs) -> dict:
    summaries = results(runs[0])["summary"]
    lines = ["| data | implementation | epochs | median `fit` | numpynn's speed-up | mean test "
             "accuracy | numpynn minus it |", "| --- | --- | --- | --- | --- | --- | --- |"]  # fmt: skip
    values = {}
    for s in summaries:
        lines.append(f"| {s['dataset']} | {s['implementation']} | {s['epochs']} "
                     f"| {s['median_fit_seconds']:.2f} s | {s['speedup']:.2f}x "
                     f"| {s['mean_test_accuracy']:.2%} | {100 * s['accuracy_gap']:+.2f} points |")  # fmt: skip
        key = f"{s['dataset']}_{SHORT[s['implementation']]}"
        values |= {f"{key}_seconds": s["median_fit_seconds"], f"{key}_speedup": s["speedup"],
                   f"{key}_accuracy": s["mean_test_accuracy"], f"{key}_gap": 100 * s["accuracy_gap"]}  # fmt: skip
    return {"table": "\n".join(lines), "seeds": summaries[0]["seeds"], **values}


RECIPES = [
    Recipe("sklearn_mlp", ["python benchmarks/sklearn_mlp.py --seeds 0 1 2"], _sklearn_mlp),
]
