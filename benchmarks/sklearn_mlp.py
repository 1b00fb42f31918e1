"""numpynn.sklearn.MLPClassifier beside scikit-learn's MLPClassifier with the same settings, fit
side by side in one run: seconds of `fit` and test accuracy.

    python benchmarks/sklearn_mlp.py
    python benchmarks/sklearn_mlp.py --seeds 0 1 2 --threads 2 --json sklearn.json
    python benchmarks/sklearn_mlp.py --datasets digits

The settings are the issue's: hidden_layer_sizes=(100,), solver adam, batch_size 200,
learning_rate_init 1e-3, and MNIST's 60,000 training images for 10 epochs (max_iter=10) scored on
its 10,000 test images. scikit-learn's load_digits (8x8 digits, /16) is split 3:1, stratified, and
trained for scikit-learn's default max_iter=200 epochs, every one of them (tol=0 and
n_iter_no_change=200, so neither stops early). Both get the same float32 array; scikit-learn also
runs on float64, its dtype for data from fetch_openml or load_digits. numpynn trains in float32.
"""

import argparse
import statistics
import time
import warnings

import numpy as np
from sklearn.datasets import load_digits
from sklearn.exceptions import ConvergenceWarning
from sklearn.model_selection import train_test_split
from sklearn.neural_network import MLPClassifier as SklearnMLP

import numpynn as nn
from numpynn.files import atomic_write_json
from numpynn.sklearn import MLPClassifier

SETTINGS = {"hidden_layer_sizes": (100,), "solver": "adam", "batch_size": 200,
            "learning_rate_init": 1e-3}  # fmt: skip
EPOCHS = {"mnist": 10, "digits": 200}
IMPLEMENTATIONS = {  # name -> (estimator, dtype of the data it is given)
    "numpynn": (MLPClassifier, np.float32),
    "scikit-learn, float32 data": (SklearnMLP, np.float32),
    "scikit-learn, float64 data": (SklearnMLP, np.float64),
}


def load(name: str):
    """(x_train, y_train, x_test, y_test) in float64."""
    if name == "mnist":
        x_train, y_train, x_test, y_test = nn.data.load_mnist(progress=False)
        return x_train.astype(np.float64), y_train, x_test.astype(np.float64), y_test
    x, y = load_digits(return_X_y=True)
    x_train, x_test, y_train, y_test = train_test_split(
        x / 16, y, test_size=0.25, stratify=y, random_state=0
    )
    return x_train, y_train, x_test, y_test


def fit_and_score(estimator, data, dtype, epochs: int, seed: int) -> dict:
    x_train, y_train, x_test, y_test = data
    x_train, x_test = x_train.astype(dtype), x_test.astype(dtype)
    clf = estimator(**SETTINGS, max_iter=epochs, tol=0.0, n_iter_no_change=epochs,
                    random_state=seed)  # fmt: skip
    with warnings.catch_warnings():
        warnings.simplefilter("ignore", ConvergenceWarning)  # every epoch runs, by design
        start = time.perf_counter()
        clf.fit(x_train, y_train)
        seconds = time.perf_counter() - start
    return {"fit_seconds": seconds, "test_accuracy": float(clf.score(x_test, y_test)),
            "epochs": clf.n_iter_}  # fmt: skip


def run(datasets, seeds, data=None) -> list[dict]:
    """One row per dataset, seed and implementation; the implementations take turns."""
    rows = []
    for name in datasets:
        loaded = data[name] if data else load(name)
        for seed in seeds:
            for implementation, (estimator, dtype) in IMPLEMENTATIONS.items():
                row = {"dataset": name, "implementation": implementation, "seed": seed,
                       **fit_and_score(estimator, loaded, dtype, EPOCHS[name], seed)}  # fmt: skip
                print(f"{name:6} {implementation:27} seed {seed}: {row['fit_seconds']:6.2f} s, "
                      f"test accuracy {row['test_accuracy']:.2%}", flush=True)  # fmt: skip
                rows.append(row)
    return rows


def summary(rows: list[dict]) -> list[dict]:
    """Per dataset and implementation: median fit seconds, mean test accuracy, and numpynn's
    speed-up (scikit-learn's median / numpynn's) and accuracy gap (numpynn − scikit-learn)."""
    found = []
    for name in dict.fromkeys(r["dataset"] for r in rows):
        mine = {i: [r for r in rows if r["dataset"] == name and r["implementation"] == i]
                for i in IMPLEMENTATIONS}  # fmt: skip
        ours = mine["numpynn"]
        for implementation, runs in mine.items():
            seconds = statistics.median(r["fit_seconds"] for r in runs)
            accuracy = statistics.mean(r["test_accuracy"] for r in runs)
            found.append({"dataset": name, "implementation": implementation,
                          "median_fit_seconds": seconds, "mean_test_accuracy": accuracy,
                          "speedup": seconds / statistics.median(r["fit_seconds"] for r in ours),
                          "accuracy_gap": statistics.mean(r["test_accuracy"] for r in ours) - accuracy,
                          "seeds": len(runs), "epochs": runs[0]["epochs"]})  # fmt: skip
    return found


def table(summaries: list[dict]) -> str:
    lines = ["| data | implementation | epochs | median fit | numpynn's speed-up | mean test "
             "accuracy | numpynn − it |", "| --- | --- | --- | --- | --- | --- | --- |"]  # fmt: skip
    for s in summaries:
        lines.append(f"| {s['dataset']} | {s['implementation']} | {s['epochs']} "
                     f"| {s['median_fit_seconds']:.2f} s | {s['speedup']:.2f}x "
                     f"| {s['mean_test_accuracy']:.2%} | {100 * s['accuracy_gap']:+.2f} points |")  # fmt: skip
    return "\n".join(lines)


def build_parser() -> argparse.ArgumentParser:
    parser = argparse.ArgumentParser(
        description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter
    )
    parser.add_argument("--datasets", nargs="+", choices=list(EPOCHS), default=list(EPOCHS))
    parser.add_argument("--seeds", type=int, nargs="+", default=[0])
    parser.add_argument("--threads", type=int, default=2)
    parser.add_argument("--json", metavar="FILE")
    return parser


def main():
    args = build_parser().parse_args()
    from threadpoolctl import threadpool_limits

    with threadpool_limits(limits=args.threads):
        rows = run(args.datasets, args.seeds)
    summaries = summary(rows)
    print("\n" + table(summaries))
    if args.json:
        atomic_write_json(
            args.json, {"settings": vars(args), "results": {"rows": rows, "summary": summaries}}
        )


if __name__ == "__main__":
    main()
