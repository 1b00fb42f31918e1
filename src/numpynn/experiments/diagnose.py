"""The sanity checks behind ``numpynn diagnose``, run on the network ``numpynn train`` would build:

1. the loss at initialization is close to ln(C), the loss of uniform guessing;
2. the network can overfit one small batch to 100% accuracy within a step budget;
3. a tiny copy of it (same activation, loss, dropout, widths at most 16) passes gradcheck;
4. one short epoch with the per-layer statistics shows no symptom (``numpynn.symptoms``): the loss
   decreases, gradients neither vanish nor explode, the update/weight ratio is near 1e-3, and few
   ReLUs are dead or sigmoid/tanh units saturated.

Each check prints PASS, WARN (training may work, but something is off) or FAIL (it will not), with
what to try. The run directory gets ``checks.json``, ``report.md`` and ``config.toml``.
"""

import copy
import math
import time
from collections.abc import Callable
from dataclasses import asdict, dataclass
from pathlib import Path

import numpy as np

from ..diagnostics import Monitor
from ..files import atomic_write_json, atomic_write_text
from ..runs.config import TrainConfig, save_config
from ..runs.run import RunSetup, monitor_batch, prepare_run
from ..symptoms import INITIAL_LOSS_TOLERANCE, statistic_layers
from ..training import fit, train_step
from .gradcheck_suite import check_mlp

__all__ = ["Check", "diagnose", "diagnose_run", "format_checklist", "overfit_one_batch"]

OVERFIT_IMAGES = 32
OVERFIT_STEPS = 300
TINY_WIDTH = 16


@dataclass
class Check:
    """One line of the checklist: ``status`` PASS, WARN or FAIL, what was checked and measured
    (``detail``) and, unless it passed, what to try (``advice``)."""

    status: str
    name: str
    detail: str
    advice: str = ""

    def __str__(self) -> str:
        advice = f"\n      → {self.advice}" if self.advice else ""
        return f"{self.status:<4}  {self.name}: {self.detail}{advice}"


def diagnose(
    config: TrainConfig,
    setup: RunSetup,
    *,
    sample: int = 10_000,
    progress: bool = False,
    log: Callable[[Check], None] = lambda check: None,
) -> list[Check]:
    """Run the four sanity checks on the network of ``setup = prepare_run(config)`` (which they
    train); ``log`` sees each check as it ends."""
    checks: list[Check] = []

    def done(check: Check) -> None:
        checks.append(check)
        log(check)

    x_eval, y_eval = monitor_batch(setup.train, setup.val)
    monitor = Monitor(x_eval, y_eval)
    monitor.start(setup.model, setup.loss_fn)
    if monitor.initial_loss is not None:
        done(initial_loss_check(monitor.initial_loss, monitor.num_classes))
    done(overfit_one_batch(setup, config))
    done(tiny_gradcheck(config))
    for check in short_epoch(setup, config, monitor, sample, progress):
        done(check)
    return checks


def initial_loss_check(loss: float, num_classes: int) -> Check:
    chance = math.log(num_classes)
    detail = f"{loss:.3g} vs ln({num_classes}) = {chance:.3g}"
    if abs(loss - chance) <= INITIAL_LOSS_TOLERANCE * chance:
        return Check("PASS", "loss at initialization", detail)
    return Check(
        "WARN",
        "loss at initialization",
        detail + f", more than {INITIAL_LOSS_TOLERANCE:.0%} off",
        "the initial outputs are too large: use the default initialization (--init auto), "
        "inputs scaled to [0, 1], and small last-layer weights",
    )


def overfit_one_batch(
    setup: RunSetup, config: TrainConfig, images: int = OVERFIT_IMAGES, steps: int = OVERFIT_STEPS
) -> Check:
    """Train a copy of the network on ``images`` training images until it classifies all of them
    (checked every 10 steps), for at most ``steps`` steps."""
    model = copy.deepcopy(setup.model)
    loss_fn, optimizer = copy.deepcopy(setup.loss_fn), config.build_optimizer(model.parameters())
    x, labels = setup.train[0][:images], setup.train[1][:images]
    name = f"overfit one batch of {len(x)} images"
    first = peak = loss = math.nan
    for step in range(1, steps + 1):
        with np.errstate(all="ignore"):
            loss, _ = train_step(model, loss_fn, optimizer, x, labels, config.clip_norm)
        first = loss if step == 1 else first
        peak = max(peak, loss) if step > 1 else loss
        if not math.isfinite(loss):
            return Check("FAIL", name, f"the loss became {loss} at step {step}",
                         _lr_advice(config.lr, high=True))  # fmt: skip
        if step % 10 == 0 or step == steps:
            accuracy = float(np.mean(model.predict(x) == labels))
            if accuracy == 1.0:
                return Check("PASS", name, f"100% accuracy after {step} steps "
                             f"(loss {first:.3g} → {loss:.3g})")  # fmt: skip
    detail = (
        f"only {accuracy:.0%} accuracy after {steps} steps (loss {first:.3g} → {loss:.3g}); a "
        "working network memorizes a few images quickly"
    )
    overshoot = peak > 2 * first or loss > first  # the loss jumped up at some point
    return Check("FAIL", name, detail, _lr_advice(config.lr, high=overshoot))


def _lr_advice(lr: float, high: bool) -> str:
    if high:
        return (
            f"the learning rate lr={lr:g} is too high: try --lr {lr / 10:g} "
            "(or find one with `numpynn lr-find`)"
        )
    return (
        f"the loss falls too slowly: the learning rate lr={lr:g} may be too low (try --lr "
        f"{lr * 10:g}), the gradient may not reach the first layers (see the gradient-flow "
        "check), or the labels may not match the inputs"
    )


def tiny_gradcheck(config: TrainConfig) -> Check:
    hidden = [min(width, TINY_WIDTH) for width in config.hidden]
    case = check_mlp(hidden, config.activation, config.loss, dropout=config.dropout,
                     dtype=config.dtype, seed=config.seed)  # fmt: skip
    name = f"gradcheck of a tiny copy ({case.label})"
    detail = f"max relative error {case.report.max_rel_error:.1e} (threshold 1e-07)"
    if case.report.passed:
        return Check("PASS", name, detail)
    return Check(
        "FAIL", name, detail, "a backward pass is wrong: run `numpynn gradcheck` for the table"
    )


def short_epoch(
    setup: RunSetup, config: TrainConfig, monitor: Monitor, sample: int, progress: bool
) -> list[Check]:
    """Train the network for one epoch on ``sample`` training images with the statistics on."""
    x, labels = setup.train[0][:sample], setup.train[1][:sample]
    name = f"one epoch on {len(x)} images"
    start = time.perf_counter()
    try:
        with np.errstate(all="ignore"):
            history = fit(setup.model, setup.loss_fn, setup.optimizer, (x, labels), epochs=1,
                          batch_size=config.batch_size, rng=setup.rngs["shuffle"],
                          schedule=setup.schedule, clip_norm=config.clip_norm, progress=progress,
                          monitor=monitor)  # fmt: skip
    except FloatingPointError as error:
        return [Check("FAIL", name, str(error).split("; ")[0], _lr_advice(config.lr, high=True))]
    seconds = time.perf_counter() - start
    row, losses = history.rows[0], history.batch_loss
    found = {symptom.name: symptom for symptom in monitor.symptoms}
    layers = statistic_layers(row)

    def check(title: str, names: tuple[str, ...], detail: str) -> Check:
        symptom = next((found[n] for n in names if n in found), None)
        if symptom is None:
            return Check("PASS", title, detail)
        return Check("WARN", title, symptom.message, symptom.advice)

    k = max(1, min(10, len(losses) // 4))
    ratios = [row[f"{name}.update_ratio"] for name in layers]
    checks = [
        check(name, ("loss-not-decreasing",),
              f"loss {np.mean(losses[:k]):.3g} → {np.mean(losses[-k:]):.3g} (first and last "
              f"{k} batches), {seconds:.1f} s"),
        check("gradient flow", ("vanishing-gradients", "exploding-gradients"),
              _flow_detail(row, layers)),
        check("learning rate (update/weight ratio)", ("lr-too-high", "lr-too-low"),
              _range_detail(row, layers, "update_ratio", "{:.1e}") + " (healthy ~1e-3)"),
    ]  # fmt: skip
    if max(ratios) == 0 and checks[2].status == "PASS":
        checks[2] = Check("WARN", checks[2].name, "no step moved the weights: no gradient reaches "
                          "them (see the gradient-flow check)")  # fmt: skip
    for stat, title, symptom in (("dead", "dead ReLUs", "dead-relus"),
                                 ("saturated", "saturated units", "saturated-units")):  # fmt: skip
        if f"{layers[0]}.{stat}" in row:
            checks.append(check(title, (symptom,), _range_detail(row, layers, stat, "{:.0%}")))
    return checks


def _flow_detail(row: dict, layers: list[str]) -> str:
    norms = [row[f"{name}.grad_norm"] for name in layers]
    if norms[-1] == 0:
        return "‖dL/dW‖ = 0 in the last layer"
    largest = max(row[f"{name}.grad_norm"] / row[f"{name}.weight_norm"] for name in layers)
    ratio = f"‖dL/dW‖ of {layers[0]} / {layers[-1]} = {norms[0] / norms[-1]:.2g}, "
    return (ratio if len(layers) > 1 else "") + f"largest ‖dL/dW‖/‖W‖ = {largest:.2g}"


def _range_detail(row: dict, layers: list[str], stat: str, style: str) -> str:
    values = [row[f"{name}.{stat}"] for name in layers if f"{name}.{stat}" in row]
    low, high = min(values), max(values)
    return f"{style.format(low)} to {style.format(high)} across layers"


def format_checklist(checks: list[Check], header: str = "") -> str:
    counts = {
        status: sum(c.status == status for c in checks) for status in ("PASS", "WARN", "FAIL")
    }
    summary = ", ".join(f"{n} {status}" for status, n in counts.items() if n)
    lines = [header] if header else []
    lines += [str(check) for check in checks] + [f"{len(checks)} checks: {summary}"]
    return "\n".join(lines)


def diagnose_run(
    config: TrainConfig,
    out_dir: str | Path,
    data_dir=None,
    *,
    sample: int = 10_000,
    progress: bool = False,
    log: Callable[[str], None] = print,
) -> list[Check]:
    """``diagnose`` and print the checklist; write ``checks.json``, ``report.md`` and
    ``config.toml`` into ``out_dir``."""
    out_dir = Path(out_dir)
    setup = prepare_run(config.validate(), data_dir, progress=progress)
    header = (f"numpynn diagnose: MLP {setup.architecture} ({config.activation}), "
              f"{config.optimizer} lr={config.lr:g}, batch {config.batch_size}, "
              f"loss {config.loss}")  # fmt: skip
    log(header)
    checks = diagnose(config, setup, sample=sample, progress=progress, log=lambda c: log(str(c)))
    summary = format_checklist(checks).splitlines()[-1]
    log(summary)
    out_dir.mkdir(parents=True, exist_ok=True)
    save_config(config, out_dir / "config.toml")
    atomic_write_json(out_dir / "checks.json", [asdict(c) for c in checks])
    report = ["# numpynn diagnose", "", header.split(": ", 1)[1], "", "| result | check | measured | what to try |",
              "| --- | --- | --- | --- |"]  # fmt: skip
    report += [f"| {c.status} | {c.name} | {c.detail} | {c.advice} |" for c in checks]
    report += ["", summary, "", "Each check is explained in docs/debugging.md.", ""]
    atomic_write_text(out_dir / "report.md", "\n".join(report))
    log(f"wrote {out_dir / 'report.md'} and {out_dir / 'checks.json'}")
    return checks
