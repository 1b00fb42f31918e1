"""The learning-rate range test behind ``numpynn lr-find`` (Smith, "Cyclical Learning Rates", 2017;
popularized by fast.ai): train for a few hundred batches while the learning rate grows
exponentially from tiny to huge, and watch the loss. It first barely moves (lr too low), then falls
fastest, then turns and explodes (lr too high). A good learning rate lies where it still falls
steeply: we suggest a tenth of the learning rate at the smoothed loss's minimum.
"""

import math
from collections.abc import Callable
from dataclasses import dataclass
from pathlib import Path

import numpy as np

from ..data.batching import iterate_batches
from ..files import atomic_write_json, atomic_write_text
from ..plots.debugging import plot_lr_find
from ..plots.style import save_figure
from ..progress import progress_bar
from ..runs.config import TrainConfig, save_config
from ..runs.run import prepare_run
from ..tables import csv_text
from ..training import train_step

__all__ = ["LRFinderResult", "lr_range_test", "lr_find_run"]


@dataclass
class LRFinderResult:
    """The learning rate, loss and smoothed loss of each step, and what they suggest."""

    lrs: list[float]
    losses: list[float]
    smoothed: list[float]
    min_lr: float  # where the smoothed loss is lowest
    steepest_lr: float  # where it falls fastest per decade of lr (before its minimum)
    stop: str  # why the test ended

    @property
    def suggestion(self) -> float:
        return self.min_lr / 10


def lr_range_test(
    model,
    loss_fn,
    optimizer,
    train: tuple[np.ndarray, np.ndarray],
    *,
    start_lr: float = 1e-7,
    end_lr: float = 10.0,
    steps: int = 300,
    batch_size: int = 128,
    rng: np.random.Generator,
    smoothing: float = 0.9,
    divergence: float = 4.0,
    clip_norm: float | None = None,
    progress: bool = False,
) -> LRFinderResult:
    """Train ``model`` (changing it) for up to ``steps`` batches with lr = start_lr·(end_lr /
    start_lr)^(i / (steps − 1)) at step i; stop early once the smoothed loss exceeds
    ``divergence`` times its minimum or the loss is not finite."""
    if not 0 < start_lr < end_lr or steps < 10:
        raise ValueError(
            f"lr_range_test: need 0 < start_lr < end_lr and steps >= 10, got start_lr={start_lr:g}, "
            f"end_lr={end_lr:g}, steps={steps}; e.g. 1e-7, 10 and 300"
        )
    lrs, losses, smoothed = [], [], []
    average, stop = 0.0, f"reached end_lr={end_lr:g}"
    bar = progress_bar(total=steps, desc="lr-find", unit="batch") if progress else None
    batches = _forever(train, batch_size, rng)
    for i in range(steps):
        optimizer.lr = start_lr * (end_lr / start_lr) ** (i / (steps - 1))
        with np.errstate(all="ignore"):
            loss, _ = train_step(model, loss_fn, optimizer, *next(batches), clip_norm)
        if not math.isfinite(loss):
            stop = f"the loss became {loss} at lr={optimizer.lr:.2g}"
            break
        # exponential moving average, bias-corrected like Adam's moments
        average = smoothing * average + (1 - smoothing) * loss
        lrs.append(optimizer.lr)
        losses.append(loss)
        smoothed.append(average / (1 - smoothing ** (i + 1)))
        if bar is not None:
            bar.update()
        if i >= 10 and smoothed[-1] > divergence * min(smoothed):
            stop = f"the loss diverged at lr={optimizer.lr:.2g} ({divergence:g}x its minimum)"
            break
    if bar is not None:
        bar.close()
    if len(lrs) < 3:
        raise FloatingPointError(
            f"lr_range_test: {stop} after {len(lrs)} steps; lower start_lr (got {start_lr:g})"
        )
    best = int(np.argmin(smoothed))
    slopes = np.diff(smoothed[: best + 1]) / np.diff(np.log10(lrs[: best + 1]))
    steepest = lrs[int(np.argmin(slopes))] if len(slopes) else lrs[best]
    return LRFinderResult(lrs, losses, smoothed, lrs[best], steepest, stop)


def _forever(train, batch_size, rng):
    while True:
        yield from iterate_batches(*train, batch_size, rng)


def lr_find_run(
    config: TrainConfig,
    out_dir: str | Path,
    data_dir=None,
    *,
    start_lr: float = 1e-7,
    end_lr: float = 10.0,
    steps: int = 300,
    progress: bool = False,
    log: Callable[[str], None] = print,
) -> LRFinderResult:
    """Run the range test on the network ``numpynn train`` would build from ``config`` (its
    ``lr`` and ``schedule`` are ignored) and write ``lr_find.csv``, ``lr_find.json``, ``lr_find.png``,
    ``report.md`` and ``config.toml`` into ``out_dir``."""
    setup = prepare_run(config.validate(), data_dir, progress=progress)
    log(f"lr-find: MLP {setup.architecture} ({config.activation}), {config.optimizer}, batch "
        f"{config.batch_size}: lr from {start_lr:g} to {end_lr:g} over {steps} batches")  # fmt: skip
    result = lr_range_test(setup.model, setup.loss_fn, setup.optimizer, setup.train,
                           start_lr=start_lr, end_lr=end_lr, steps=steps,
                           batch_size=config.batch_size, rng=setup.rngs["shuffle"],
                           clip_norm=config.clip_norm, progress=progress)  # fmt: skip
    out_dir = Path(out_dir)
    out_dir.mkdir(parents=True, exist_ok=True)
    save_config(config, out_dir / "config.toml")
    atomic_write_text(out_dir / "lr_find.csv", _to_csv(result))
    summary = {"suggested_lr": result.suggestion, "min_loss_lr": result.min_lr,
               "steepest_lr": result.steepest_lr, "steps": len(result.lrs), "stop": result.stop,
               "optimizer": config.optimizer, "batch_size": config.batch_size}  # fmt: skip
    atomic_write_json(out_dir / "lr_find.json", summary)
    title = (
        f"LR range test: MLP {setup.architecture}, {config.optimizer}, batch {config.batch_size}"
    )
    figure = plot_lr_find(result.lrs, result.losses, result.smoothed, result.suggestion, title)
    save_figure(figure, out_dir / "lr_find.png")
    advice = (
        f"suggested learning rate {result.suggestion:.2g} (a tenth of {result.min_lr:.2g}, where "
        f"the smoothed loss is lowest; steepest descent at {result.steepest_lr:.2g})"
    )
    atomic_write_text(out_dir / "report.md", _report(title, result, advice, config))
    log(f"{len(result.lrs)} steps; stopped because {result.stop}")
    log(
        f"{advice}\ntrain with: numpynn train --optimizer {config.optimizer} --lr {result.suggestion:.2g}"
    )
    log(f"wrote {out_dir / 'lr_find.png'}, lr_find.csv, lr_find.json, report.md")
    return result


def _to_csv(result: LRFinderResult) -> str:
    steps = zip(result.lrs, result.losses, result.smoothed)
    return csv_text([{"step": i, "lr": lr, "loss": loss, "smoothed_loss": smoothed}
                     for i, (lr, loss, smoothed) in enumerate(steps, 1)])  # fmt: skip


def _report(title: str, result: LRFinderResult, advice: str, config: TrainConfig) -> str:
    return "\n".join([
        f"# {title}", "",
        f"The learning rate grew from {result.lrs[0]:.2g} to {result.lrs[-1]:.2g} over "
        f"{len(result.lrs)} batches; the test stopped because {result.stop}.", "",
        f"**{advice[0].upper() + advice[1:]}.** Train with "
        f"`numpynn train --optimizer {config.optimizer} --lr {result.suggestion:.2g}`.", "",
        "![loss against learning rate](lr_find.png)", "",
        "Read the curve from the left: flat (too low to learn), falling (the useful range), then "
        "rising steeply (too high). The suggestion sits a decade below the minimum, where the "
        "loss still falls steadily. See docs/debugging.md.", "",
    ])  # fmt: skip
