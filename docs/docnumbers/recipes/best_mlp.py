"""The numbers of docs/best-mlp.md: `--recipe best` and `--recipe fast` over seeds 0-2, what each
ingredient of the best recipe adds (at a shorter budget), the fast recipe's time to 98% beside
PyTorch, and training longer with and without patience beside the default."""

import statistics

from ..records import Recipe
from .performance import _time_to_accuracy
from .runfiles import metrics, numeric_rows


def _per_seed(runs) -> dict:
    """Each seed's test and final validation accuracy and training time, and the summary."""
    found = [metrics(run) for run in runs]
    tests = [m["test_accuracy"] for m in found]
    seconds = [m["train_seconds"] for m in found]
    return {"test": tests, "val": [m["val_accuracy"] for m in found], "seconds": seconds,
            "epochs": [m["epochs"] for m in found], "worst": min(tests), "best": max(tests),
            "mean": statistics.mean(tests), "seconds_max": max(seconds),
            "minutes_max": max(seconds) / 60}  # fmt: skip


ABLATION = {  # what is left out of the best recipe -> its flags, at ABLATION_EPOCHS
    "the best recipe": "",
    "no elastic field (affine only)": "--augment affine ",
    "shifts only": "--augment shift ",
    "no augmentation": "--augment none ",
    "no dropout": "--dropout 0 ",
}
ABLATION_EPOCHS = 15


def _ablation(runs) -> dict:
    lines = ["| recipe | test accuracy | validation accuracy | training | seconds per epoch |",
             "| --- | --- | --- | --- | --- |"]  # fmt: skip
    values = {}
    for (name, flags), run in zip(ABLATION.items(), runs, strict=True):
        m = metrics(run)
        per_epoch = m["train_seconds"] / m["epochs"]
        lines.append(f"| {name} (`{flags.strip() or '--recipe best'}`) | {m['test_accuracy']:.2%} "
                     f"| {m['val_accuracy']:.2%} | {m['train_seconds'] / 60:.1f} min | {per_epoch:.1f} s |")  # fmt: skip
        key = name.split(" (")[0].replace(" ", "_").replace("the_", "")
        values[f"{key}_test"] = m["test_accuracy"]
        values[f"{key}_per_epoch"] = per_epoch
    return {"table": "\n".join(lines), **values}


LONGER = {  # the default recipe, trained longer: flags -> what it shows
    "": "the default: 5 epochs",
    "--epochs 15 ": "15 epochs (the cosine stretched)",
    "--epochs 30 ": "30 epochs",
    "--epochs 30 --patience 3 ": "30 epochs, patience 3 (anneal, keep the best)",
}


def _longer(runs) -> dict:
    lines = ["| run | epochs trained | test accuracy | val accuracy |", "| --- | --- | --- | --- |"]
    tests = []
    for (flags, name), run in zip(LONGER.items(), runs, strict=True):
        m = metrics(run)
        lines.append(f"| {name} (`{f'numpynn train {flags}'.strip()}`) | {m['epochs']} "
                     f"| {m['test_accuracy']:.2%} | {m['val_accuracy']:.2%} |")  # fmt: skip
        tests.append(m["test_accuracy"])
    return {"table": "\n".join(lines), "default_test": tests[0], "longest_test": tests[2],
            "patience_test": tests[3], "worst_gain": min(tests[1:]) - tests[0],
            "patience_epochs": len(numeric_rows(runs[-1].out / "history.csv"))}  # fmt: skip


RECIPES = [
    Recipe(
        "best_mlp",
        [f"numpynn train --recipe best --seed {seed}" for seed in range(3)],
        _per_seed,
        figures={
            "0/augmented.png": "best-mlp-augmented.png",
            "0/curves.png": "best-mlp-curves.png",
        },
    ),  # fmt: skip
    Recipe(
        "fast_mlp", [f"numpynn train --recipe fast --seed {seed}" for seed in range(3)], _per_seed
    ),  # fmt: skip
    Recipe(
        "time_to_accuracy_fast",
        ["python benchmarks/time_to_accuracy.py --recipe fast --seeds 0 1 2"],
        _time_to_accuracy,
    ),
    Recipe(
        "best_mlp_ablation",
        [
            f"numpynn train --recipe best {flags}--epochs {ABLATION_EPOCHS}"
            for flags in ABLATION.values()
        ],
        _ablation,
    ),
    Recipe("train_longer", [f"numpynn train {flags}".strip() for flags in LONGER], _longer),
]
