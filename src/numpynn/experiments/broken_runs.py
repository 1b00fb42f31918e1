"""A catalogue of canonical broken runs, and what ``numpynn diagnose`` and ``numpynn train
--diagnostics`` say first about each (``numpynn broken-runs``).

Each case is the default run made small (``SMALL``: 3,000 training images, one epoch) and broken
in one known way, through ``numpynn train`` settings or, where no flag can express it, a
``breakage`` applied to the prepared run (inputs ×255, shuffled labels, ...). Its true ``cause``
is a key of ``numpynn.symptoms.SYMPTOMS``; for a run that ``fit`` stops (a loss that diverges),
the stop names the learning rate. A case passes when both tools put that cause first.
"""

from collections.abc import Callable
from dataclasses import dataclass
from pathlib import Path

import numpy as np

from ..diagnostics import Monitor, dense_layers
from ..files import atomic_write_json, atomic_write_text
from ..runs.config import TrainConfig
from ..runs.run import RunSetup, monitor_batch, prepare_run
from ..tables import csv_text, markdown_table
from ..training import fit
from .diagnose import diagnose

__all__ = ["BrokenRun", "Finding", "CASES", "SMALL", "first_findings", "catalogue_run"]

SMALL = {"train_size": 3000, "val_size": 1000, "epochs": 1, "batch_size": 128}
DIVERGED = "lr-too-high"  # the cause fit's stop at a diverged loss names: lower the learning rate


def _inputs_times_255(setup: RunSetup) -> None:
    for split in ("train", "val", "test"):
        x, labels = getattr(setup, split)
        setattr(setup, split, (x * 255, labels))


def _labels_shuffled(setup: RunSetup) -> None:
    x, labels = setup.train
    setup.train = (x, np.random.default_rng(1).permutation(labels))


def _relu_biases_minus_5(setup: RunSetup) -> None:
    for layer in dense_layers(setup.model)[:-1]:
        layer.b.value[...] = -5.0


def _weights_times_10(setup: RunSetup) -> None:
    for layer in dense_layers(setup.model):
        layer.W.value[...] *= 10.0


BREAKAGES: dict[str, Callable[[RunSetup], None]] = {
    "inputs ×255": _inputs_times_255,
    "labels shuffled": _labels_shuffled,
    "hidden biases −5": _relu_biases_minus_5,
    "weights ×10": _weights_times_10,
}


@dataclass(frozen=True)
class BrokenRun:
    """One broken run: ``settings`` of ``TrainConfig`` on top of ``SMALL``, an optional
    ``breakage`` (a key of ``BREAKAGES``), the true ``cause``, words its ``fix`` must contain,
    and ``why`` the run fails."""

    name: str
    description: str
    settings: dict
    cause: str
    fix: str
    why: str
    breakage: str = ""

    def config(self) -> TrainConfig:
        return TrainConfig(**SMALL | self.settings).validate()

    def flags(self) -> str:
        """The ``numpynn train`` flags of the case, and its breakage in brackets."""
        flags = [
            f"--{key.replace('_', '-')} {_flag(value)}" for key, value in self.settings.items()
        ]
        return " ".join(flags + ([f"[{self.breakage}]"] if self.breakage else []))


def _flag(value) -> str:
    if isinstance(value, list):
        return ",".join(map(str, value))
    return f"{value:g}" if isinstance(value, float) else str(value)


CASES = [
    BrokenRun(
        "lr-far-too-high",
        "learning rate far too high",
        {"optimizer": "sgd", "lr": 10.0, "activation": "tanh"},
        "lr-too-high",
        "lower the learning rate",
        "each step overshoots the minimum it aims at, so the loss rises instead of falling",
    ),
    BrokenRun(
        "lr-far-too-low",
        "learning rate far too low",
        {"optimizer": "sgd", "lr": 1e-6},
        "lr-too-low",
        "raise the learning rate",
        "each step moves the weights by a ten-millionth of their norm: training crawls",
    ),
    BrokenRun(
        "deep-sigmoid",
        "deep sigmoid network stuck at chance",
        {"hidden": [64] * 4, "activation": "sigmoid", "optimizer": "sgd", "lr": 0.1},
        "vanishing-gradients",
        "use ReLU",
        "a sigmoid passes at most 1/4 of the gradient back, so four layers shrink it about "
        "100-fold before it reaches the first layer, which barely learns",
    ),
    BrokenRun(
        "dead-relus",
        "dead ReLUs",
        {},
        "dead-relus",
        "biases at 0",
        "a ReLU whose input is negative on every image outputs 0 and gets no gradient, so it "
        "never recovers; with every unit dead nothing learns",
        breakage="hidden biases −5",
    ),
    BrokenRun(
        "bad-init-scale",
        "initial weights 10 times too large",
        {},
        "initial-loss",
        "default initialization",
        "three layers of weights 10 times too large make outputs 1000 times too large: "
        "confidently wrong predictions and huge first gradients",
        breakage="weights ×10",
    ),
    BrokenRun(
        "unscaled-inputs",
        "unnormalized inputs (pixels 0-255)",
        {},
        "unscaled-inputs",
        "divide by 255",
        "inputs 255 times too large make every pre-activation 255 times too large; the weights "
        "were scaled for inputs of order 1",
        breakage="inputs ×255",
    ),
    BrokenRun(
        "shuffled-labels",
        "labels shuffled: nothing to learn",
        {},
        "loss-not-decreasing",
        "labels match the inputs",
        "labels that do not depend on the inputs leave nothing to learn but their frequencies: "
        "the loss stays near ln 10",
        breakage="labels shuffled",
    ),
    BrokenRun(
        "finite-explosion",
        "a loss that explodes while staying finite",
        {"optimizer": "sgd", "lr": 10.0},
        DIVERGED,
        "lower the learning rate",
        "each step makes the outputs and so the next gradient larger; without the stop at a "
        "diverged loss it would pass 1e24, then every ReLU would die, the loss would fall back to "
        "chance and the run would end without an error",
    ),
]


@dataclass
class Finding:
    """What a tool says first: the ``cause`` it names ("" for none), its words and advice."""

    cause: str
    said: str
    advice: str


def broken_setup(case: BrokenRun, data_dir=None) -> RunSetup:
    setup = prepare_run(case.config(), data_dir)
    if case.breakage:
        BREAKAGES[case.breakage](setup)
    return setup


def first_in_diagnose(case: BrokenRun, data_dir=None) -> Finding:
    """The first line of ``numpynn diagnose``'s checklist for the case."""
    checks = diagnose(case.config(), broken_setup(case, data_dir))
    first = checks[0]
    if first.status == "PASS":
        return Finding("", f"{len(checks)} checks pass", "")
    return Finding(first.cause, f"{first.status}  {first.name}: {first.detail}", first.advice)


def first_in_training(case: BrokenRun, data_dir=None) -> Finding:
    """The first warning of ``numpynn train --diagnostics`` for the case (as ``train_run`` fits
    it), or the error that stopped it."""
    config, setup = case.config(), broken_setup(case, data_dir)
    monitor = Monitor(*monitor_batch(setup.train, setup.val))
    try:
        with np.errstate(over="ignore", invalid="ignore"):
            fit(setup.model, setup.loss_fn, setup.optimizer, setup.train, setup.val,
                epochs=config.epochs, batch_size=config.batch_size, rng=setup.rngs["shuffle"],
                schedule=setup.schedule, clip_norm=config.clip_norm, monitor=monitor)  # fmt: skip
    except FloatingPointError as error:
        if not monitor.symptoms:  # else a warning printed before the stop came first
            said, advice = str(error).split("; ", 1)
            return Finding(DIVERGED, f"error: {said}", advice)
    if not monitor.symptoms:
        return Finding("", "no warning", "")
    first = monitor.symptoms[0]
    return Finding(first.name, f"warning: {first.message}", first.advice)


def first_findings(case: BrokenRun, data_dir=None) -> dict:
    """The catalogue's row of ``case``: what each tool says first, and whether that is the
    true cause with its fix."""
    found = {"diagnose": first_in_diagnose(case, data_dir),
             "train": first_in_training(case, data_dir)}  # fmt: skip
    right = all(f.cause == case.cause and case.fix in f.advice for f in found.values())
    return {"case": case.name, "description": case.description, "flags": case.flags(),
            "cause": case.cause, "diagnose_says": found["diagnose"].said,
            "train_says": found["train"].said, "why": case.why, "fix": found["diagnose"].advice,
            "match": "yes" if right else "no"}  # fmt: skip


COLUMNS = ["case", "description", "flags", "cause", "diagnose_says", "train_says", "why", "fix",
           "match"]  # fmt: skip


def catalogue_run(
    out_dir: str | Path, names: list[str] | None = None, data_dir=None, log=print
) -> list[dict]:
    """Run the cases called ``names`` (default: all) and write catalogue.csv, catalogue.md and
    catalogue.json into ``out_dir``; return the rows."""
    known = {case.name: case for case in CASES}
    unknown = [name for name in names or [] if name not in known]
    if unknown:
        raise ValueError(f"unknown case {unknown[0]!r}; choose from: {', '.join(known)}")
    rows = []
    for name in names or list(known):
        rows.append(first_findings(known[name], data_dir))
        log(f"{rows[-1]['match']:<3}  {name}: {rows[-1]['diagnose_says']}")
    out_dir = Path(out_dir)
    out_dir.mkdir(parents=True, exist_ok=True)
    atomic_write_text(out_dir / "catalogue.csv", csv_text(rows, COLUMNS))
    atomic_write_text(out_dir / "catalogue.md", markdown_table(COLUMNS, [
        [row[c] for c in COLUMNS] for row in rows]) + "\n")  # fmt: skip
    atomic_write_json(out_dir / "catalogue.json", rows)
    return rows
