"""The numbers of docs/optimizers.md."""

import json
import statistics

from numpynn.tables import markdown_table

from ..records import Recipe
from .runfiles import rows as _rows


def _steps(row: dict, budget: dict) -> str:
    return row["steps_to_minimum"] or f"not reached in {budget[row['function']]:,}"


def _surfaces(rows: list[dict]) -> str:
    from numpynn.experiments.optimizers import SURFACES

    budget = {name: surface.steps for name, surface in SURFACES.items()}
    return markdown_table(
        ["surface", "optimizer", "best lr", "steps to within 0.001", "final distance"],
        [[r["function"], r["optimizer"], f"{float(r['lr']):.3g}", _steps(r, budget),
          f"{float(r['final_distance']):.1e}"] for r in rows],
    )  # fmt: skip


def _mnist(rows: list[dict]) -> str:
    return markdown_table(
        ["optimizer", "lr", "test accuracy", "val accuracy", "epochs to 97% val", "seconds"],
        [[r["optimizer"], f"{float(r['lr']):g}", f"{float(r['test_accuracy']):.2%}",
          f"{float(r['val_accuracy']):.2%}", r["epochs_to_97"] or "not reached",
          f"{float(r['seconds']):.1f}"] for r in rows],
    )  # fmt: skip


def _sensitivity(sweep: list[dict]) -> dict:
    """Per optimizer and surface: at how many learning rates of the grid it reaches the minimum,
    and the smallest and largest of them."""
    values = {}
    for function in sorted({r["function"] for r in sweep}):
        for name in sorted({r["optimizer"] for r in sweep}):
            lrs = [float(r["lr"]) for r in sweep if r["function"] == function
                   and r["optimizer"] == name and r["steps_to_minimum"]]  # fmt: skip
            key = f"{function}_{name}"
            values[f"{key}_reached"] = len(lrs)
            values[f"{key}_lr_min"] = min(lrs, default=0.0)
            values[f"{key}_lr_max"] = max(lrs, default=0.0)
    return values


def _study(runs) -> dict:
    (run,) = runs
    best, mnist = _rows(run.out / "trajectories.csv"), _rows(run.out / "mnist.csv")
    values = {
        "seconds": run.seconds,
        "surfaces_table": _surfaces(best),
        "mnist_table": _mnist(mnist),
    }
    for r in best:
        key = f"{r['function']}_{r['optimizer']}"
        values[f"{key}_lr"] = float(r["lr"])
        values[f"{key}_steps"] = int(r["steps_to_minimum"]) if r["steps_to_minimum"] else 0
    for r in mnist:
        values[f"mnist_{r['optimizer']}_lr"] = float(r["lr"])
        values[f"mnist_{r['optimizer']}_test"] = float(r["test_accuracy"])
    accuracy = [float(r["test_accuracy"]) for r in mnist]
    values["mnist_spread"] = max(accuracy) - min(accuracy)
    values["grid_size"] = len({r["lr"] for r in _rows(run.out / "sweep.csv")})
    return values | _sensitivity(_rows(run.out / "sweep.csv"))


# Wilson et al. (2017): tuned adaptive methods reach a lower training loss than SGD with momentum
# and yet a higher test error. The same comparison on Fashion-MNIST, each optimizer at four
# learning rates (the best of the first three was the largest: the grid goes one further), the
# best of each chosen by validation accuracy.
GAP = "numpynn train --dataset fashion-mnist --train-size 10000 --epochs 20 --optimizer {} --lr {}"
GAP_LRS = {"adam": ["3e-4", "1e-3", "3e-3", "1e-2"], "momentum": ["0.01", "0.03", "0.1", "0.3"]}


def _gap(runs) -> dict:
    results = []
    for (name, lr), run in zip(_gap_runs(), runs, strict=True):
        history = _rows(run.out / "history.csv")
        metrics = json.loads((run.out / "metrics.json").read_text())
        results.append({"optimizer": name, "lr": float(lr),
                        "val_accuracy": float(history[-1]["val_accuracy"]),
                        "train_loss": float(history[-1]["train_loss"]),
                        "train_accuracy": float(history[-1]["train_accuracy"]),
                        "test_accuracy": metrics["test_accuracy"], "seconds": run.seconds})  # fmt: skip
    values = {"table": markdown_table(
        ["optimizer", "lr", "final training loss", "training accuracy", "val accuracy",
         "test accuracy"],
        [[r["optimizer"], f"{r['lr']:g}", f"{r['train_loss']:.3f}", f"{r['train_accuracy']:.2%}",
          f"{r['val_accuracy']:.2%}", f"{r['test_accuracy']:.2%}"] for r in results],
    ), "seconds": sum(r["seconds"] for r in results)}  # fmt: skip
    for name in GAP_LRS:
        best = max((r for r in results if r["optimizer"] == name), key=lambda r: r["val_accuracy"])
        values |= {f"{name}_{key}": value for key, value in best.items() if key != "optimizer"}
        values[f"{name}_fit_gap_points"] = 100 * (best["train_accuracy"] - best["test_accuracy"])
    values["gap"] = values["momentum_test_accuracy"] - values["adam_test_accuracy"]
    lower = "Adam" if values["adam_train_loss"] < values["momentum_train_loss"] else "momentum"
    values["lower_training_loss"] = lower
    return values


def _gap_runs() -> list[tuple[str, str]]:
    return [(name, lr) for name, lrs in GAP_LRS.items() for lr in lrs]


# The over-parameterized regime of Wilson et al.: few images, trained until both optimizers fit
# every one of them; three seeds, so that a difference can be told from seed noise.
FITTED = "numpynn train --dataset fashion-mnist --train-size 2000 --epochs 100 --optimizer {} --lr {} --seed {}"
FITTED_LRS = {"adam": ["1e-3", "3e-3"], "momentum": ["0.03", "0.1"]}
FITTED_SEEDS = [0, 1, 2]


def _fitted_runs() -> list[tuple[str, str, int]]:
    return [(name, lr, seed) for name, lrs in FITTED_LRS.items() for lr in lrs
            for seed in FITTED_SEEDS]  # fmt: skip


def _fitted(runs) -> dict:
    cells: dict[tuple[str, str], list[dict]] = {}
    for (name, lr, _), run in zip(_fitted_runs(), runs, strict=True):
        last = _rows(run.out / "history.csv")[-1]
        test = json.loads((run.out / "metrics.json").read_text())["test_accuracy"]
        cells.setdefault((name, lr), []).append({"val": float(last["val_accuracy"]), "test": test,
                                                 "train": float(last["train_accuracy"])})  # fmt: skip
    values = {"train_accuracy_min": min(r["train"] for rows in cells.values() for r in rows)}
    for name in FITTED_LRS:
        lr, rows = max(((lr, rows) for (n, lr), rows in cells.items() if n == name),
                       key=lambda cell: statistics.mean(r["val"] for r in cell[1]))  # fmt: skip
        tests = [r["test"] for r in rows]
        values |= {f"{name}_lr": float(lr), f"{name}_test_mean": statistics.mean(tests),
                   f"{name}_test_std": statistics.stdev(tests),
                   f"{name}_tests": " / ".join(f"{t:.2%}" for t in tests)}  # fmt: skip
    difference = values["momentum_test_mean"] - values["adam_test_mean"]
    noise = max(values["adam_test_std"], values["momentum_test_std"])
    values["difference_points"] = 100 * abs(difference)
    if abs(difference) <= noise:
        values["verdict"] = "a difference within the spread over seeds"
        values["conclusion"] = (
            "So on this shallow MLP the runs do not show the paper's gap in test accuracy"
        )
    else:
        ahead = "SGD with momentum" if difference > 0 else "Adam"
        values["verdict"] = f"{ahead} ahead by more than the spread over seeds"
        values["conclusion"] = (
            "So in the fitted regime the runs show the paper's gap" if ahead != "Adam"
            else "So on this shallow MLP the runs show the opposite of the paper's gap"
        )  # fmt: skip
    return values


RECIPES = [
    Recipe("optimizers_study", ["numpynn optimizers"], _study),
    Recipe("optimizers_gap", [GAP.format(name, lr) for name, lr in _gap_runs()], _gap),
    Recipe("optimizers_gap_fitted", [FITTED.format(*run) for run in _fitted_runs()], _fitted),
]
