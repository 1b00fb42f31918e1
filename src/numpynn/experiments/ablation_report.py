"""The ablation study's figures, findings and REPORT.md, computed from its summary rows.

Every sentence of the findings is built from the numbers: which configuration is best, how each
activation's gap to the best one changes with depth, what each step in width buys, how large the
seed-to-seed noise is. None is written in advance.
"""

import math
from pathlib import Path

import numpy as np

from ..files import atomic_write_text
from ..plots.ablation import (
    plot_ablation_cost,
    plot_ablation_curves,
    plot_ablation_heatmaps,
    plot_ablation_lines,
)
from ..plots.style import save_figure
from ..tables import markdown_table

__all__ = ["cells", "findings", "write_report", "FIGURES"]

FIGURES = {
    "accuracy_vs_width.png": "Test accuracy vs width (one panel per depth)",
    "accuracy_vs_depth.png": "Test accuracy vs depth (one panel per width)",
    "heatmaps.png": "Mean test accuracy, width x depth, per activation",
    "validation_curves.png": "Validation accuracy per epoch (mean over seeds)",
    "accuracy_vs_cost.png": "Test accuracy vs parameters and vs training time",
}


def cells(summary: list[dict]) -> list[dict]:
    """One summary row per (width, depth, activation): when the grid varies the optimizer or the
    learning rate, the one with the best mean validation accuracy (tuned on validation data)."""
    best: dict[tuple, dict] = {}
    for row in summary:
        key = (row["width"], row["depth"], row["activation"])
        if key not in best or row["val_accuracy_mean"] > best[key]["val_accuracy_mean"]:
            best[key] = row
    return list(best.values())


def findings(summary: list[dict]) -> list[str]:
    """The study's conclusions, one sentence (or two) each, from the summary rows."""
    table = cells(summary)
    noise = _noise(table)
    out = [_best(summary, noise)]
    if len(_values(table, "activation")) > 1:
        out += [_activations(table), *_depth_gaps(table, noise)]
    if len(_values(table, "width")) > 1:
        out.append(_widths(table, noise))
    if len(_values(table, "depth")) > 1:
        out.append(_best_depths(table, noise))
    if len(_values(summary, "optimizer")) > 1 or len(_values(summary, "lr")) > 1:
        out.append(_tuning(summary))
    if not math.isnan(noise):
        out.append(_spread(table, noise))
    out.append(_times(table))
    return out


def write_report(out_dir, results, summary, failures, setup) -> None:
    """Draw the figures and write REPORT.md into the study folder ``out_dir``."""
    out_dir = Path(out_dir)
    figures = []
    if summary:
        table = cells(summary)
        drawn = {
            "accuracy_vs_width.png": lambda: plot_ablation_lines(table, "width"),
            "accuracy_vs_depth.png": lambda: plot_ablation_lines(table, "depth"),
            "heatmaps.png": lambda: plot_ablation_heatmaps(table),
            "validation_curves.png": lambda: plot_ablation_curves(table),
            "accuracy_vs_cost.png": lambda: plot_ablation_cost(table),
        }
        for name, draw in drawn.items():
            save_figure(draw(), out_dir / name, dpi=100)
            figures.append(name)
    atomic_write_text(
        out_dir / "REPORT.md", report_markdown(results, summary, failures, setup, figures)
    )


def report_markdown(results, summary, failures, setup, figures) -> str:
    grid, base = setup["grid"], setup["base"]
    images = f"the first {base.train_size:,} of the" if base.train_size else "all"
    lines = [
        "# Architecture ablation: width x depth x activation",
        "",
        "Made by `numpynn ablate`. Every number and every sentence below is computed from the runs "
        "in `runs/` (one run directory per grid point and seed); `results.csv` has a row per run, "
        "`summary.csv` the mean and standard deviation over seeds.",
        "",
        "## Setup",
        "",
        f"- Grid: widths {_list(grid.widths)}; depths (hidden layers) {_list(grid.depths)}; "
        f"activations {_list(grid.activations)}"
        + (f"; optimizers {_list(grid.optimizers)}" if grid.optimizers else "")
        + (f"; learning rates {_list(grid.lrs)}" if grid.lrs else "")
        + f"; {_count(grid.seeds, 'seed')} each (replicate r trains with child r of SeedSequence({base.seed})).",
        f"- Every run: {base.dataset}, {images} training images left after holding out "
        f"{base.val_size:,} for validation; {_count(base.epochs, 'epoch')}, batch {base.batch_size}, "
        f"{'' if grid.optimizers else base.optimizer + ', '}"
        f"{'' if grid.lrs else f'lr {base.lr:g}, '}{base.schedule} schedule, {base.loss} loss.",
        f"- {setup['runs']} runs: {len(results)} finished, {len(failures)} failed; "
        f"{_duration(sum(r['seconds'] for r in results))} of training summed over the runs; "
        f"this invocation took {_duration(setup['seconds'])} on {setup['workers']} "
        f"({setup['threads']} BLAS thread(s) per worker; finished runs are skipped).",
        "",
    ]
    if summary:
        lines += ["## Findings", "", *(f"- {s}" for s in findings(summary)), ""]
        lines += ["## Test accuracy (%, mean ± std over seeds)", "", *_pivots(summary), ""]
    lines += [f"## {FIGURES[name]}\n\n![{FIGURES[name]}]({name})\n" for name in figures]
    if failures:
        lines += ["## Failed runs", "", "Rerun the same command to retry them (finished runs are "
                  "skipped); each run's `train.log` has the whole traceback.", ""]  # fmt: skip
        lines += [markdown_table(["run", "attempts", "error"],
                                 [[f"`{f['run']}`", f["attempts"], f["error"]] for f in failures]), ""]  # fmt: skip
    return "\n".join(lines)


# ---- findings -----------------------------------------------------------------------------------


def _best(summary: list[dict], noise: float) -> str:
    best = max(summary, key=lambda r: r["val_accuracy_mean"])
    text = (f"**Best configuration** (highest mean validation accuracy): {_name(best, summary)}, "
            f"test accuracy {_mean_std(best)} over {best['runs']} seed(s), "
            f"{best['parameters']:,} parameters, {_seconds(best['seconds_mean'])} of training per run.")  # fmt: skip
    margin = noise if not math.isnan(noise) else _zero(best["test_accuracy_std"])
    close = [r for r in summary if r["test_accuracy_mean"] >= best["test_accuracy_mean"] - margin]
    smallest = min(close, key=lambda r: (r["parameters"], r["seconds_mean"]))
    if smallest["parameters"] < best["parameters"]:
        text += (f" The smallest network within {_points(margin)} of its test accuracy (the seed "
                 f"noise) is {_name(smallest, summary)}: {_mean_std(smallest)} with "
                 f"{best['parameters'] / smallest['parameters']:.1f}x fewer parameters.")  # fmt: skip
    return text


def _activations(table: list[dict]) -> str:
    activations = _values(table, "activation")
    means = {a: _mean(table, activation=a) for a in activations}
    ranked = sorted(activations, key=means.get, reverse=True)
    points = {(c["width"], c["depth"]) for c in table}
    wins = {a: 0 for a in activations}
    for width, depth in points:
        row = [c for c in table if c["width"] == width and c["depth"] == depth]
        wins[max(row, key=lambda c: c["test_accuracy_mean"])["activation"]] += 1
    return (f"**Activations**, test accuracy averaged over the {len(points)} width x depth cells: "
            + ", ".join(f"{a} {means[a]:.2%}" for a in ranked)
            + f"; {ranked[0]} is the best activation in {wins[ranked[0]]} of {len(points)} cells.")  # fmt: skip


def _depth_gaps(table: list[dict], noise: float) -> list[str]:
    """Per activation: its distance to the best activation at each depth (mean over widths)."""
    depths = _values(table, "depth")
    if len(depths) < 2:
        return []
    sentences = []
    leader = max(_values(table, "activation"), key=lambda a: _mean(table, activation=a))
    for activation in _values(table, "activation"):
        gaps = [_gap(table, activation, d) for d in depths]
        if activation == leader:
            continue  # the others are measured against it
        change = gaps[-1] - gaps[0]
        threshold = max(_zero(noise), 1e-4)
        if change > threshold:
            trend = f"falls further behind as the network deepens ({_points(change)} more)"
        elif change < -threshold:
            trend = f"closes the gap as the network deepens ({_points(-change)} less)"
        else:
            trend = "keeps about the same distance at every depth"
        sentences.append(
            f"**{activation} vs depth**: trails the best activation by "
            + ", ".join(f"{_points(g)} at depth {d}" for g, d in zip(gaps, depths))
            + f" (mean over widths), so it {trend}; its own accuracy goes from "
            f"{_mean(table, activation=activation, depth=depths[0]):.2%} at depth {depths[0]} to "
            f"{_mean(table, activation=activation, depth=depths[-1]):.2%} at depth {depths[-1]}."
        )
    return sentences


def _widths(table: list[dict], noise: float) -> str:
    """Per activation: the accuracy each step in width adds (mean over depths), and its trend."""
    widths = _values(table, "width")
    parts = []
    for activation in _values(table, "activation"):
        gains = np.diff([_mean(table, activation=activation, width=w) for w in widths])
        parts.append(
            f"{activation} " + ", ".join(map(_signed, gains)) + _trend(gains, widths, noise)
        )
    steps = "→".join(map(str, widths))
    return (
        f"**Width**, test accuracy gained per step {steps} (mean over depths): "
        + "; ".join(parts)
        + "."
    )


def _trend(gains: np.ndarray, widths: list, noise: float) -> str:
    if len(gains) < 2:
        return ""
    losses = [i for i, g in enumerate(gains) if g < -_zero(noise)]
    if losses:
        i = losses[0]
        return f": widening from {widths[i]} to {widths[i + 1]} costs {_points(-gains[i])}"
    if all(gains > 0) and all(np.diff(gains) < 0):
        within = ", within the seed noise" if gains[-1] <= _zero(noise) else ""
        return (f": diminishing returns, the last step buys {gains[-1] / gains[0]:.0%} of what "
                f"the first did{within}")  # fmt: skip
    return ": the gains do not shrink step after step"


def _best_depths(table: list[dict], noise: float) -> str:
    depths = _values(table, "depth")
    parts = []
    for activation in _values(table, "activation"):
        means = [_mean(table, activation=activation, depth=d) for d in depths]
        best = int(np.argmax(means))
        close = [
            str(d)
            for d, m in zip(depths, means)
            if d != depths[best] and means[best] - m <= _zero(noise)
        ]
        depth = "depths" if len(close) > 1 else "depth"
        tie = f"; {depth} {', '.join(close)} within the seed noise" if close else ""
        parts.append(f"{activation} at depth {depths[best]} ({means[best]:.2%}{tie})")
    return "**Best depth** per activation (mean over widths): " + ", ".join(parts) + "."


def _tuning(summary: list[dict]) -> str:
    combos = {(r["optimizer"], r["lr"]) for r in summary}
    means = {c: np.mean([r["test_accuracy_mean"] for r in summary if (r["optimizer"], r["lr"]) == c])
             for c in combos}  # fmt: skip
    ranked = sorted(combos, key=means.get, reverse=True)
    return ("**Optimizer and learning rate**, test accuracy averaged over the architectures: "
            + ", ".join(f"{o} lr {lr:g} {means[(o, lr)]:.2%}" for o, lr in ranked)
            + ". Figures and the findings above use, per architecture, the combination with the "
            "best mean validation accuracy.")  # fmt: skip


def _spread(table: list[dict], noise: float) -> str:
    stds = [c for c in table if not math.isnan(c["test_accuracy_std"])]
    worst = max(stds, key=lambda c: c["test_accuracy_std"])
    seeds = ", ".join(f"{a:.2%}" for a in worst.get("test_accuracy_values", []))
    return (f"**Seed noise**: the standard deviation of test accuracy over seeds has median "
            f"{_points(noise / 2)} across the {len(stds)} configurations; differences under about "
            f"{_points(noise)} (twice the median) are within the noise. The largest is "
            f"{_points(worst['test_accuracy_std'])}, for {_name(worst)}"
            + (f" (its seeds: {seeds})." if seeds else "."))  # fmt: skip


def _times(table: list[dict]) -> str:
    fast = min(table, key=lambda c: c["seconds_mean"])
    slow = max(table, key=lambda c: c["seconds_mean"])
    return (f"**Cost**: training took {_seconds(fast['seconds_mean'])} per run for {_name(fast)} "
            f"({fast['parameters']:,} parameters) up to {_seconds(slow['seconds_mean'])} for "
            f"{_name(slow)} ({slow['parameters']:,} parameters).")  # fmt: skip


# ---- helpers ------------------------------------------------------------------------------------


def _pivots(summary: list[dict]) -> list[str]:
    """One table per (optimizer, lr): a row per width x depth, a column per activation."""
    out = []
    best = max(summary, key=lambda r: r["val_accuracy_mean"])
    combos = list(dict.fromkeys((r["optimizer"], r["lr"]) for r in summary))
    activations = _values(summary, "activation")
    for optimizer, lr in combos:
        rows = [r for r in summary if (r["optimizer"], r["lr"]) == (optimizer, lr)]
        if len(combos) > 1:
            out += [f"### {optimizer}, lr {lr:g}", ""]
        body = []
        for width, depth in dict.fromkeys((r["width"], r["depth"]) for r in rows):
            cell = {r["activation"]: r for r in rows if (r["width"], r["depth"]) == (width, depth)}
            parameters = next(iter(cell.values()))["parameters"]
            body.append([width, depth, f"{parameters:,}"] + [
                ("**" + _mean_std(cell[a], "") + "**" if cell[a] is best else _mean_std(cell[a], ""))
                if a in cell else "—" for a in activations])  # fmt: skip
        out += [markdown_table(["width", "depth", "parameters", *activations], body), ""]
    out.append("Bold: the best configuration by mean validation accuracy.")
    return out


def _noise(table: list[dict]) -> float:
    """Twice the median seed-to-seed std of test accuracy (nan with one seed)."""
    stds = [c["test_accuracy_std"] for c in table if not math.isnan(c["test_accuracy_std"])]
    return 2 * float(np.median(stds)) if stds else math.nan


def _gap(table, activation, depth) -> float:
    """How far ``activation`` trails the best activation at ``depth``, mean over widths."""
    gaps = []
    for width in _values(table, "width"):
        row = [c for c in table if c["width"] == width and c["depth"] == depth]
        mine = [c["test_accuracy_mean"] for c in row if c["activation"] == activation]
        if mine:
            gaps.append(max(c["test_accuracy_mean"] for c in row) - mine[0])
    return float(np.mean(gaps))


def _mean(table, **where) -> float:
    return float(np.mean([c["test_accuracy_mean"] for c in table
                          if all(c[k] == v for k, v in where.items())]))  # fmt: skip


def _values(rows: list[dict], key: str) -> list:
    values = list(dict.fromkeys(r[key] for r in rows))
    return sorted(values) if key in ("width", "depth") else values


def _name(row: dict, summary: list[dict] | None = None) -> str:
    name = f"width {row['width']}, depth {row['depth']}, {row['activation']}"
    if summary is not None and len({(r["optimizer"], r["lr"]) for r in summary}) > 1:
        name += f", {row['optimizer']} lr {row['lr']:g}"
    return name


def _mean_std(row: dict, unit: str = "%") -> str:
    mean, std = 100 * row["test_accuracy_mean"], 100 * row["test_accuracy_std"]
    return f"{mean:.2f}{unit}" + ("" if math.isnan(std) else f" ± {std:.2f}{unit}")


def _points(fraction: float) -> str:
    return f"{100 * fraction:.2f} points"


def _signed(fraction: float) -> str:
    return f"{100 * fraction:+.2f} points"


def _zero(value: float) -> float:
    return 0.0 if math.isnan(value) else value


def _list(values) -> str:
    return ", ".join(f"{v:g}" if isinstance(v, float) else str(v) for v in values)


def _duration(seconds: float) -> str:
    return _seconds(seconds) if seconds < 120 else f"{seconds / 60:.1f} min"


def _seconds(seconds: float) -> str:
    """One decimal from 10 s up, two significant digits below: a tiny run is never "0.0 s"."""
    return f"{seconds:.1f} s" if seconds >= 10 else f"{seconds:.2g} s"


def _count(n: int, noun: str) -> str:
    return f"{n} {noun}" + ("" if n == 1 else "s")
