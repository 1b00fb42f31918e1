"""The sanity checks behind ``numpynn diagnose``, run on the network ``numpynn train`` would build:

1. before training, its inputs are of order 1, its loss is close to ln(C) (the loss of uniform
   guessing), its units are alive and its gradients reach the first layer;
2. it can overfit one small batch to 100% accuracy within a step budget;
3. a tiny copy of it (same activation, loss, dropout, widths at most 16) passes gradcheck;
4. one short epoch with the per-layer statistics shows no symptom (``numpynn.symptoms``): the loss
   decreases, gradients neither vanish nor explode, the update/weight ratio is near 1e-3, and few
   ReLUs are dead or sigmoid/tanh units saturated.

Each check says PASS, WARN (training may work, but something is off) or FAIL (it will not), with
what to try. The findings come first, the most likely cause first: a wrong backward pass, then
the symptoms in the causal order of ``numpynn.symptoms``, then what they explain (a network that
cannot memorize one batch). The checks that passed follow. The run directory gets
``checks.json``, ``report.md`` and ``config.toml``.
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
from ..symptoms import NOT_DECREASING, SYMPTOMS, causal_rank, statistic_layers
from ..training import fit, train_step
from .gradcheck_suite import check_mlp

__all__ = ["Check", "diagnose", "diagnose_run", "format_checklist", "findings_first"]

OVERFIT_IMAGES = 32
OVERFIT_STEPS = 300
TINY_WIDTH = 16
WRONG_GRADIENT = "wrong-gradient"  # the cause of a failed gradcheck: before every symptom


@dataclass
class Check:
    """One line of the checklist: ``status`` PASS, WARN or FAIL, what was checked and measured
    (``detail``) and, unless it passed, what to try (``advice``) and the ``cause`` it names (a
    key of ``SYMPTOMS``, ``WRONG_GRADIENT``, or "" for an effect of the others) with the
    ``epoch`` it was seen at (0: before training)."""

    status: str
    name: str
    detail: str
    advice: str = ""
    cause: str = ""
    epoch: int = 1

    def __str__(self) -> str:
        advice = f"\n      → {self.advice}" if self.advice else ""
        return f"{self.status:<4}  {self.name}: {self.detail}{advice}"


def findings_first(checks: list[Check]) -> list[Check]:
    """The findings, most likely cause first, then the checks that passed (in their order)."""

    def rank(check: Check):
        if check.status == "PASS":
            return (3,)
        if check.cause == WRONG_GRADIENT:
            return (0,)
        if check.cause in SYMPTOMS:
            return (1, *causal_rank(check.cause, check.epoch))
        return (2,)

    return sorted(checks, key=rank)


def diagnose(
    config: TrainConfig, setup: RunSetup, *, sample: int = 10_000, progress: bool = False
) -> list[Check]:
    """Run the sanity checks on the network of ``setup = prepare_run(config)`` (which they
    train); return them ``findings_first``."""
    monitor = Monitor(*monitor_batch(setup.train, setup.val))
    checks = [overfit_one_batch(setup, config), tiny_gradcheck(config)]  # on copies of the network
    checks += short_epoch(setup, config, monitor, sample, progress)  # fit starts the monitor
    return findings_first([*_start_checks(monitor), *checks])


def _start_checks(monitor: Monitor) -> list[Check]:
    """The inputs and the loss at initialization, as the monitor judged them before training."""
    checks = [_symptom_check(monitor, "inputs", ("unscaled-inputs",),
                             f"root mean square {monitor.input_rms:.2g} (order 1)")]  # fmt: skip
    if monitor.initial_loss is not None:
        chance = math.log(monitor.num_classes)
        detail = f"{monitor.initial_loss:.3g} vs ln({monitor.num_classes}) = {chance:.3g}"
        checks.append(_symptom_check(monitor, "loss at initialization", ("initial-loss",), detail))
    return checks


def _symptom_check(monitor: Monitor, title: str, names: tuple[str, ...], detail: str) -> Check:
    """WARN with the first of the monitor's symptoms called ``names``, else PASS with ``detail``."""
    symptom = next((s for s in monitor.symptoms if s.name in names), None)
    if symptom is None:
        return Check("PASS", title, detail)
    return Check("WARN", title, symptom.message, symptom.advice, symptom.name, symptom.epoch)


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
                         _lower_lr(config.lr), "lr-too-high")  # fmt: skip
        if step % 10 == 0 or step == steps:
            accuracy = float(np.mean(model.predict(x) == labels))
            if accuracy == 1.0:
                return Check("PASS", name, f"100% accuracy after {step} steps "
                             f"(loss {first:.3g} → {loss:.3g})")  # fmt: skip
    overshoot = peak > 2 * first or loss > first  # the loss jumped up at some point
    detail = (
        f"only {accuracy:.0%} accuracy after {steps} steps (loss {first:.3g} → {loss:.3g}"
        + (f", up to {peak:.3g} on the way" if overshoot else "")
        + "); a working network memorizes a few images quickly"
    )
    if overshoot:
        return Check("FAIL", name, detail, _lower_lr(config.lr), "lr-too-high")
    return Check(
        "FAIL", name, detail,
        "the findings above say why; if none does, raise the learning rate (try --lr "
        f"{config.lr * 10:g}) or find one with `numpynn lr-find`",
    )  # fmt: skip


def _lower_lr(lr: float) -> str:
    return (
        f"the learning rate lr={lr:g} is too high: lower the learning rate, e.g. --lr "
        f"{lr / 10:g}, or find one with `numpynn lr-find`"
    )


def tiny_gradcheck(config: TrainConfig) -> Check:
    hidden = [min(width, TINY_WIDTH) for width in config.hidden]
    case = check_mlp(hidden, config.activation, config.loss, dropout=config.dropout,
                     dtype=config.dtype, seed=config.seed)  # fmt: skip
    name = f"gradcheck of a tiny copy ({case.label})"
    detail = f"max relative error {case.report.max_rel_error:.1e} (threshold 1e-07)"
    if case.report.passed:
        return Check("PASS", name, detail)
    return Check("FAIL", name, detail, "a backward pass is wrong: run `numpynn gradcheck` for the "
                 "table", WRONG_GRADIENT, 0)  # fmt: skip


def short_epoch(
    setup: RunSetup, config: TrainConfig, monitor: Monitor, sample: int, progress: bool
) -> list[Check]:
    """Train the network for one epoch on ``sample`` training images with the statistics on;
    the checks of its loss and statistics (or of what was seen before training, if it
    diverged)."""
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
        failed = Check("FAIL", name, str(error).split("; ")[0], _lower_lr(config.lr), "lr-too-high")
        return [failed, *statistics_checks(monitor, None)]
    seconds = time.perf_counter() - start
    return [_loss_check(name, history.batch_loss, seconds, monitor),
            *statistics_checks(monitor, history.rows[0])]  # fmt: skip


def _loss_check(name: str, losses: list[float], seconds: float, monitor: Monitor) -> Check:
    """Whether the loss fell over the epoch; a loss that rose is the learning rate's doing."""
    k = max(1, min(10, len(losses) // 4))
    first, last = float(np.mean(losses[:k])), float(np.mean(losses[-k:]))
    detail = f"loss {first:.3g} → {last:.3g} (first and last {k} batches), {seconds:.1f} s"
    check = _symptom_check(monitor, name, ("loss-not-decreasing",), detail)
    too_high = next((s for s in monitor.symptoms if s.name == "lr-too-high"), None)
    if check.status == "PASS" and last > NOT_DECREASING * first and too_high is not None:
        return Check("WARN", name, detail + ": it rose", too_high.advice, too_high.name, 1)
    return check


STATISTICS_CHECKS = (  # title, the symptoms it reports, the statistic it shows, how
    ("gradient flow", ("vanishing-gradients", "exploding-gradients"), "grad_norm", ""),
    ("learning rate (update/weight ratio)", ("lr-too-high", "lr-too-low"), "update_ratio",
     "{low:.1e} to {high:.1e} across layers (healthy ~1e-3)"),
    ("dead ReLUs", ("dead-relus",), "dead", "{low:.0%} to {high:.0%} across layers"),
    ("saturated units", ("saturated-units",), "saturated", "{low:.0%} to {high:.0%} across layers"),
)  # fmt: skip


def statistics_checks(monitor: Monitor, row: dict | None) -> list[Check]:
    """Gradient flow, learning rate, dead or saturated units: WARN with a symptom the monitor
    found (before or after training), else PASS with what the epoch's ``row`` measured (a
    statistic the row lacks, such as dead units of a sigmoid network, is no check)."""
    layers = statistic_layers(row) if row is not None else []
    checks = []
    for title, names, stat, template in STATISTICS_CHECKS:
        values = [row[f"{name}.{stat}"] for name in layers if f"{name}.{stat}" in row]
        found = any(s.name in names for s in monitor.symptoms)
        if not (values or found):
            continue
        if stat == "grad_norm":
            detail = _flow_detail(row, layers) if values else ""
        else:
            detail = template.format(low=min(values), high=max(values)) if values else ""
        check = _symptom_check(monitor, title, names, detail)
        if check.status == "PASS" and stat == "update_ratio" and max(values) == 0:
            check = Check("WARN", title, "no step moved the weights: no gradient reaches them "
                          "(see the gradient-flow check)")  # fmt: skip
        checks.append(check)
    return checks


def _flow_detail(row: dict, layers: list[str]) -> str:
    norms = [row[f"{name}.grad_norm"] for name in layers]
    if norms[-1] == 0:
        return "‖dL/dW‖ = 0 in the last layer"
    largest = max(row[f"{name}.grad_norm"] / row[f"{name}.weight_norm"] for name in layers)
    detail = f"largest ‖dL/dW‖/‖W‖ = {largest:.2g}"
    if len(layers) == 1:
        return detail
    return f"smallest ‖dL/dW‖ / that of {layers[-1]} = {min(norms[:-1]) / norms[-1]:.2g}, {detail}"


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
    checks = diagnose(config, setup, sample=sample, progress=progress)
    checklist = format_checklist(checks)
    log(checklist)
    summary = checklist.splitlines()[-1]
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
