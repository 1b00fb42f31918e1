"""The measured numbers of docs/performance.md (and README's speed paragraph): the benchmark
scripts' own results (``--json``)."""

import statistics

from ..records import Recipe
from .runfiles import results as _results

NAMES = {"numpynn": "numpynn", "pytorch": "PyTorch", "scikit-learn": "scikit-learn",
         "GEMM bound": "GEMM bound"}  # fmt: skip


def _ratio(value) -> str:
    return "-" if value is None else f"{value:.2f}"


def _row(rows: list[dict], implementation: str) -> dict:
    return next(r for r in rows if r["implementation"] == implementation)


def _throughput(runs) -> dict:
    (rows,) = _results(runs[0]).values()
    lines = ["| implementation | median s | min | max | samples/s | / PyTorch | / scikit-learn "
             "| / GEMM bound | test accuracy |", "| --- | --- | --- | --- | --- | --- | --- | --- | --- |"]  # fmt: skip
    for r in rows:
        accuracy = "-" if r["test_accuracy"] is None else f"{r['test_accuracy']:.2%}"
        lines.append(f"| {NAMES.get(r['implementation'], r['implementation'])} | {r['median_s']:.3f} "
                     f"| {r['min_s']:.3f} | {r['max_s']:.3f} | {r['samples_per_s']:,.0f} "
                     f"| {_ratio(r['vs_pytorch'])} | {_ratio(r['vs_sklearn'])} | {r['vs_gemm']:.2f} "
                     f"| {accuracy} |")  # fmt: skip
    ours, gemm = _row(rows, "numpynn"), _row(rows, "GEMM bound")
    return {"table": "\n".join(lines), "vs_pytorch": ours["vs_pytorch"], "gemm_s": gemm["median_s"],
            "vs_sklearn": ours["vs_sklearn"], "vs_gemm": ours["vs_gemm"]}  # fmt: skip


def _wide(runs) -> dict:
    lines = ["| architecture | numpynn | PyTorch | scikit-learn | GEMM bound | / PyTorch "
             "| / scikit-learn | / GEMM bound |", "| --- | --- | --- | --- | --- | --- | --- | --- |"]  # fmt: skip
    ratios = {}
    for arch, rows in _results(runs[0]).items():
        median = {r["implementation"]: r["median_s"] for r in rows}
        ours = ratios[arch] = _row(rows, "numpynn")
        lines.append(f"| {arch} | " + " | ".join(f"{median[n]:.3f}" for n in NAMES) +
                     f" | {ours['vs_pytorch']:.2f} | {ours['vs_sklearn']:.2f} | {ours['vs_gemm']:.2f} |")  # fmt: skip
    return {"table": "\n".join(lines), "verdict": _verdict(ratios)}


def _verdict(ratios: dict) -> str:
    """Which wide networks numpynn trains faster than PyTorch and scikit-learn, in words."""
    parts = []
    for other, key in (("PyTorch", "vs_pytorch"), ("scikit-learn", "vs_sklearn")):
        faster = [arch for arch, r in ratios.items() if r[key] < 1]
        slower = [f"{arch} ({r[key]:.2f}x its time)" for arch, r in ratios.items() if r[key] >= 1]
        if not slower:
            parts.append(f"faster than {other} on every one")
        elif not faster:
            parts.append(f"slower than {other} on every one: " + ", ".join(slower))
        else:
            parts.append(f"faster than {other} on {', '.join(faster)} and slower on "
                         + ", ".join(slower))  # fmt: skip
    return "; ".join(parts)


def _time_to_accuracy(runs) -> dict:
    rows = _results(runs[0])
    lines = ["| implementation | to 97% | to 98% | final test accuracy | all epochs of training |",
             "| --- | --- | --- | --- | --- |"]  # fmt: skip
    values = {}
    for name in ("numpynn", "pytorch"):
        mine = [r for r in rows if r["implementation"] == name]

        def reach(target, mine=mine):
            seconds = " / ".join(f"{r[f'seconds_to_{target}']:.2f}" for r in mine)
            epochs = ", ".join(f"{r[f'epochs_to_{target}']:.0f}" for r in mine)
            return f"{seconds} s ({epochs} epochs)"

        final = " / ".join(f"{100 * r['final_accuracy']:.2f}" for r in mine)
        train = [r["train_seconds"] for r in mine]
        lines.append(f"| {NAMES[name]} | {reach('97%')} | {reach('98%')} | {final}% "
                     f"| {min(train):.2f}–{max(train):.2f} s |")  # fmt: skip
        values[f"{name}_to_98"] = statistics.median(r["seconds_to_98%"] for r in mine)
        values[f"{name}_epochs_to_98"] = statistics.median(r["epochs_to_98%"] for r in mine)
        values[f"{name}_worst_to_98"] = max(r["seconds_to_98%"] for r in mine)
    values["ratio_to_98"] = values["numpynn_to_98"] / values["pytorch_to_98"]
    return {"table": "\n".join(lines), **values}


def _step_breakdown(runs) -> dict:
    adam, momentum = (_results(run) for run in runs)
    fit, cache = adam["in_fit_us"], adam["in_cache_us"]
    names = {"forward": "forward (3 products, bias, ReLU)",
             "loss": "loss (softmax cross-entropy and its gradient)",
             "backward": "backward (5 products, bias sums, ReLU masks)",
             "optimizer step": "optimizer step (Adam, 10 passes)",
             "rest of the loop (gather, bookkeeping)": "rest of the loop (batch gather, loss and accuracy sums)"}  # fmt: skip
    lines = ["| phase | inside `fit` | share | in a tight loop |", "| --- | --- | --- | --- |"]
    for key, name in names.items():
        loop = f"{cache[key]:.0f} µs" if key in cache else ""
        lines.append(f"| {name} | {fit[key]:.0f} µs | {fit[key] / adam['step_us']:.1%} | {loop} |")
    lines += [f"| **one step** | **{adam['step_us']:.0f} µs** ({adam['epoch_s']:.2f} s per epoch) | | |",
              f"| the 8 matrix products of a step alone | {adam['matmuls_us']:.0f} µs | | |"]  # fmt: skip
    elementwise = fit["forward"] + fit["backward"] + fit["loss"] - adam["matmuls_us"]
    return {"table": "\n".join(lines), "step_us": adam["step_us"], "matmuls_us": adam["matmuls_us"],
            "elementwise_us": elementwise, "elementwise_share": elementwise / adam["step_us"],
            "optimizer_us": fit["optimizer step"],
            "optimizer_share": fit["optimizer step"] / adam["step_us"],
            "rest_us": fit["rest of the loop (gather, bookkeeping)"],
            "rest_share": fit["rest of the loop (gather, bookkeeping)"] / adam["step_us"],
            "adam_slowdown": fit["optimizer step"] / cache["optimizer step"],
            "momentum_slowdown": momentum["in_fit_us"]["optimizer step"]
            / momentum["in_cache_us"]["optimizer step"],
            "steps_per_epoch": round(adam["epoch_s"] * 1e6 / adam["step_us"]),
            "optimizer_s_per_epoch": fit["optimizer step"] * adam["epoch_s"] / adam["step_us"],
            "matmul_share": adam["matmuls_us"] / adam["step_us"],
            "momentum_step_in_fit": momentum["in_fit_us"]["optimizer step"],
            "momentum_step_in_cache": momentum["in_cache_us"]["optimizer step"]}  # fmt: skip


THROUGHPUT = "python benchmarks/throughput.py --rounds 7"
RECIPES = [
    Recipe("throughput_adam", [THROUGHPUT], _throughput),
    Recipe("throughput_momentum", [f"{THROUGHPUT} --optimizer momentum"], _throughput),
    Recipe(
        "throughput_wide",
        ["python benchmarks/throughput.py --rounds 3 --arch 784-800-10 --arch 784-1024-1024-10"],
        _wide,
    ),  # fmt: skip
    Recipe(
        "time_to_accuracy",
        ["python benchmarks/time_to_accuracy.py --seeds 0 1 2"],
        _time_to_accuracy,
    ),  # fmt: skip
    Recipe(
        "step_breakdown",
        [
            "python benchmarks/step_breakdown.py",
            "python benchmarks/step_breakdown.py --optimizer momentum",
        ],
        _step_breakdown,
    ),  # fmt: skip
]
