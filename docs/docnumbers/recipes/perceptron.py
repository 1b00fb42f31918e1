"""The numbers of docs/perceptron.md (and the perceptron rows of README.md)."""

from ..records import Recipe
from .runfiles import metrics as _metrics
from .runfiles import numeric_rows

MNIST_VARIANTS = {"plain": "", "averaged (`--averaged`)": " --averaged",
                  "pocket (`--pocket`)": " --pocket", "averaged + pocket": " --averaged --pocket"}  # fmt: skip


def _epochs(run) -> list[dict]:
    return numeric_rows(run.out / "mistakes.csv")


def _blobs(runs) -> dict:
    plain, narrow, averaged = (_metrics(run) for run in runs)
    return {"epochs": plain["epochs_run"], "mistakes": plain["mistakes"],
            "bound": plain["novikoff_bound"], "narrow_epochs": narrow["epochs_run"],
            "narrow_mistakes": narrow["mistakes"], "narrow_bound": narrow["novikoff_bound"],
            "averaged_converged": averaged["converged"],
            "averaged_accuracy": averaged["train_accuracy"]}  # fmt: skip


def _xor(runs) -> dict:
    (plain, averaged, pocket), epochs = (_metrics(run) for run in runs), _epochs(runs[0])
    mistakes = [e["mistakes"] for e in epochs]
    undone = next((i for i, m in enumerate(mistakes) if m != plain["points"]), len(mistakes))
    return {"epochs": plain["epochs_run"], "fewest_mistakes": min(mistakes),
            "most_mistakes": max(mistakes), "undone_epochs": undone,
            "best_epoch_accuracy": max(e["train_accuracy"] for e in epochs),
            "plain": plain["train_accuracy"], "averaged": averaged["train_accuracy"],
            "pocket": pocket["train_accuracy"], "mlp": plain["mlp_train_accuracy"]}  # fmt: skip


def _mnist(runs) -> dict:
    metrics = [_metrics(run) for run in runs]
    epochs = [_epochs(run) for run in runs]
    rows = [f"| {name} | {m['test_accuracy']:.2%} | {m['train_accuracy']:.2%} | "
            f"{e[0]['mistakes']:,.0f} → {e[-1]['mistakes']:,.0f} | {m['seconds_per_epoch']:.2f} s |"
            for name, m, e in zip(MNIST_VARIANTS, metrics, epochs)]  # fmt: skip
    table = ["| variant | test accuracy | training accuracy | mistakes per epoch (first → last) "
             "| time per epoch |", "| --- | --- | --- | --- | --- |", *rows]  # fmt: skip
    plain, averaged, pocket, _ = metrics
    seconds = [m["seconds_per_epoch"] for m in metrics]
    examples = 60_000
    return {"table": "\n".join(table), "epochs": plain["epochs_run"],
            "plain": plain["test_accuracy"], "averaged": averaged["test_accuracy"],
            "pocket": pocket["test_accuracy"],
            "plain_train_low": min(e["train_accuracy"] for e in epochs[0]),
            "plain_train_high": max(e["train_accuracy"] for e in epochs[0]),
            "averaged_train_first": epochs[1][0]["train_accuracy"],
            "averaged_train_last": epochs[1][-1]["train_accuracy"],
            "last_mistakes": epochs[0][-1]["mistakes"],
            "last_mistakes_share": epochs[0][-1]["mistakes"] / examples,
            "seconds_min": min(seconds), "seconds_max": max(seconds)}  # fmt: skip


RECIPES = [
    Recipe(
        "perceptron_blobs",
        ["numpynn perceptron", "numpynn perceptron --margin 0.01", "numpynn perceptron --averaged"],
        _blobs,
    ),  # fmt: skip
    Recipe(
        "perceptron_xor",
        [
            "numpynn perceptron --dataset xor",
            "numpynn perceptron --dataset xor --averaged",
            "numpynn perceptron --dataset xor --pocket",
        ],
        _xor,
    ),  # fmt: skip
    Recipe(
        "perceptron_mnist",
        [f"numpynn perceptron --dataset mnist{flags}" for flags in MNIST_VARIANTS.values()],
        _mnist,
    ),  # fmt: skip
]
