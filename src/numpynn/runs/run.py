"""A training run from a TrainConfig: load data, build, train, test, and write the run directory.

A run directory holds ``config.toml`` (re-run it with ``numpynn train --config``),
``manifest.json`` (versions, BLAS, threads, git commit), ``history.csv``/``history.json``,
``metrics.json``, ``model.npz``, the figures and ``report.md``, and ``checkpoints/`` (``last`` after
every epoch, ``best`` by validation loss) from which ``--resume`` continues exactly. Every file is
written atomically.
"""

import json
import signal
import threading
from collections.abc import Callable, Iterator
from contextlib import contextmanager
from dataclasses import dataclass, replace
from pathlib import Path

import numpy as np

from ..data.augment import Augmenter
from ..data.batching import train_val_split
from ..data.dataset import DataInfo
from ..data.scaling import fit_scaling
from ..diagnostics import Monitor
from ..files import atomic_write_json, atomic_write_text
from ..history import History
from ..losses import Loss, get_loss
from ..model import Sequential
from ..optim import Optimizer
from ..saving import save
from ..schedules import Schedule
from ..training import TrainingInterrupted, TrainState, evaluate, fit
from .checkpoints import clean_checkpoints, restore_checkpoint, save_checkpoint
from .config import TrainConfig, save_config
from .data import load_run_data, read_data_json
from .directories import lock_run_dir
from .manifest import run_manifest
from .report import has_statistics, write_run_report

__all__ = [
    "train_run",
    "prepare_run",
    "RunSetup",
    "seed_streams",
    "RunInterrupted",
    "monitor_batch",
    "stop_requested_by_signals",
    "format_epoch",
]

MONITOR_BATCH = 1000  # images of the validation set on which --diagnostics measures each epoch


class RunInterrupted(Exception):
    """SIGINT or SIGTERM stopped a run after a batch; its last checkpoint holds where it stood."""

    def __init__(self, run_dir: Path, state: TrainState):
        super().__init__(
            f"interrupted at epoch {state.epoch + 1}, batch {state.batch}; checkpoint saved in {run_dir}"
        )
        self.run_dir, self.state = run_dir, state


def seed_streams(seed: int) -> dict[str, np.random.Generator]:
    """Independent generators for weights (and dropout), the validation split and batch order.
    (The augmentation draws from the fourth child of the same SeedSequence: ``TrainConfig.
    build_augmenter``.)"""
    model, split, shuffle = np.random.SeedSequence(seed).spawn(3)
    return {
        "model": np.random.default_rng(model),
        "split": np.random.default_rng(split),
        "shuffle": np.random.default_rng(shuffle),
    }


def train_run(
    config: TrainConfig,
    out_dir: str | Path,
    *,
    data_dir: str | Path | None = None,
    resume: bool = False,
    progress: bool = False,
    diagnostics: bool = False,
    figures: bool = True,
    log: Callable[[str], None] = print,
) -> dict:
    """Train as ``config`` says, write the run directory ``out_dir``, return the test metrics.

    With ``resume``, continue from ``out_dir``'s last checkpoint: the result is bit-identical to
    a run that was never interrupted (a run stopped before its first checkpoint starts from its
    beginning; a finished one is left as it is). One process at a time writes ``out_dir``: it is
    locked before anything is written. With ``diagnostics``, every epoch's history row also holds
    the per-layer statistics of ``numpynn.diagnostics`` (measured on ``MONITOR_BATCH`` validation
    images), symptoms of trouble are logged as warnings and collected in ``warnings.json`` and
    ``report.md``, and ``diagnostics.png`` draws the statistics; the weights are the same.

    Raises:
        FloatingPointError: at the first non-finite loss or weight (see ``fit``); the message
            says where the last good checkpoint is.
        RunDirectoryError: another process is writing ``out_dir``.
        CheckpointError: the checkpoint to resume from is damaged, or of another config.

    Without ``figures`` the run skips its figures and report.md (seconds of matplotlib per run;
    a study of many runs draws its own), which ``numpynn plot RUN_DIR`` draws later.
    """
    config.validate()
    out_dir = Path(out_dir)
    with lock_run_dir(out_dir):  # before anything is written: one process per run directory
        if resume and (out_dir / "metrics.json").exists():
            log(f"{out_dir} is finished already: nothing to resume")
            return json.loads((out_dir / "metrics.json").read_text())
        setup = prepare_run(config, data_dir, progress=progress)  # a Ctrl-C here writes nothing
        with stop_requested_by_signals() as should_stop:  # from here on, it stops at a batch end
            state = _start(config, out_dir, setup, resume, log)
            if state is not None:
                diagnostics = _resumed_diagnostics(state, diagnostics)
            _describe(setup, config, out_dir, log)
            monitor = None
            if diagnostics:
                monitor = Monitor(*monitor_batch(setup.train, setup.val),
                                  warn=lambda s: log(f"warning: {s}"))  # fmt: skip
            history = _fit(setup, config, out_dir, state, monitor, progress, should_stop, log)
            return _finish(setup, config, out_dir, history, monitor, figures, log)


def _describe(setup: "RunSetup", config: TrainConfig, out_dir: Path, log) -> None:
    log(f"MLP {setup.architecture} ({config.activation}), {setup.model.num_parameters():,} "
        f"parameters; {len(setup.train[0])} training / {len(setup.val[0])} validation "
        f"{setup.data.examples}")  # fmt: skip
    clipping = f", gradients clipped to norm {config.clip_norm:g}" if config.clip_norm else ""
    log(f"optimizer {setup.optimizer!r}, schedule {setup.schedule!r}{clipping}, loss "
        f"{setup.loss_fn!r}")  # fmt: skip
    log(f"writing to {out_dir}")


def _start(
    config: TrainConfig, out_dir: Path, setup: "RunSetup", resume: bool, log
) -> TrainState | None:
    """Where the run starts: a resumed run's last checkpoint (then what a killed save left
    behind is cleaned away), or, for a new run or one stopped before its first checkpoint,
    the beginning, with the run's config and manifest written."""
    checkpoints = out_dir / "checkpoints"
    has_arrays = checkpoints.is_dir() and any(checkpoints.glob("arrays-*.npz"))
    if resume and ((checkpoints / "last.json").exists() or has_arrays):
        _check_same_data(out_dir / "data.json", setup.data)
        state = restore_checkpoint(checkpoints / "last.json", setup.model, setup.optimizer,
                                   _saved_rngs(setup), checkpoints / "best.json",
                                   config=config.to_dict())  # fmt: skip
        clean_checkpoints(checkpoints)
        log(f"resuming {out_dir} at epoch {state.epoch + 1}, batch {state.batch}")
        return state
    if resume:
        log(f"{out_dir} stopped before its first checkpoint: starting it from the beginning")
    save_config(config, out_dir / "config.toml")
    atomic_write_json(out_dir / "manifest.json", run_manifest(config))
    atomic_write_json(out_dir / "data.json", setup.data.to_dict())
    return None


def _check_same_data(saved: Path, data: DataInfo) -> None:
    """A resumed run must read the data files it started on, byte for byte."""
    if not saved.exists():
        return
    before = read_data_json(saved).get("source", {})
    for key in ("sha256", "test_sha256"):
        if before.get(key) != data.source.get(key):
            raise ValueError(
                f"{data.source.get('file', 'the data file')} (or its test file) changed since the "
                f"run started (SHA-256 {before.get(key)}, now {data.source.get(key)}); a resumed "
                "run must see the same data — restore the file, or start a new run"
            )


def _saved_rngs(setup: "RunSetup") -> dict[str, np.random.Generator]:
    """The generators a checkpoint saves: the split is drawn again from the seed on resume."""
    return {"model": setup.rngs["model"], "shuffle": setup.rngs["shuffle"]}


def _fit(
    setup: "RunSetup",
    config: TrainConfig,
    out_dir: Path,
    state: TrainState | None,
    monitor: Monitor | None,
    progress: bool,
    should_stop: Callable[[], bool],
    log: Callable[[str], None],
) -> History:
    """``fit`` with a checkpoint after every epoch (and at an interruption); a NaN's message
    says which checkpoint still holds finite weights."""
    checkpoints = out_dir / "checkpoints"
    saved_epoch = state.epoch if state is not None else 0  # of the last good checkpoint

    def checkpoint(state: TrainState, tags=("last",)) -> None:
        save_checkpoint(checkpoints, tags, setup.model, setup.optimizer, state,
                        _saved_rngs(setup), config.to_dict())  # fmt: skip

    def end_of_epoch(state: TrainState) -> None:
        nonlocal saved_epoch
        if config.test_every_epoch:  # labelled test_*: for watching, never for choosing
            test = evaluate(setup.model, *setup.test, loss_fn=setup.loss_fn)
            state.history.rows[-1] |= {"test_loss": test["loss"], "test_accuracy": test["accuracy"]}
        checkpoint(state, ("last", "best") if state.best_epoch == state.epoch else ("last",))
        saved_epoch = state.epoch
        log(format_epoch(state.history.rows[-1], config.epochs))

    try:
        # overflow is reported by fit's guard (FloatingPointError), not as numpy warnings
        with np.errstate(over="ignore", invalid="ignore"):
            return fit(
                setup.model, setup.loss_fn, setup.optimizer, setup.train,
                setup.val if config.val_size else None, epochs=config.epochs,
                batch_size=config.batch_size, rng=setup.rngs["shuffle"], schedule=setup.schedule,
                clip_norm=config.clip_norm, patience=config.patience or None, progress=progress,
                state=state, on_epoch_end=end_of_epoch, should_stop=should_stop, monitor=monitor,
                augment=setup.augment,
            )  # fmt: skip
    except TrainingInterrupted as interruption:
        if interruption.state.batch:  # mid-epoch; at an epoch's end `last` is already saved
            checkpoint(interruption.state)
        raise RunInterrupted(out_dir, interruption.state) from None
    except FloatingPointError as error:
        kept = (
            f"the last checkpoint with finite weights, after epoch {saved_epoch}, is "
            f"{checkpoints / 'last.json'}"
            if saved_epoch
            else "no epoch finished, so there is no checkpoint"
        )
        raise FloatingPointError(f"{error}; {kept}") from None


def _finish(
    setup: "RunSetup",
    config: TrainConfig,
    out_dir: Path,
    history: History,
    monitor: Monitor | None,
    figures: bool,
    log: Callable[[str], None],
) -> dict:
    """Test the model and write the run's files, metrics.json last; return the metrics."""
    model, (x_test, y_test) = setup.model, setup.test
    test = evaluate(model, x_test, y_test, loss_fn=setup.loss_fn)
    metrics = {
        "test_accuracy": test["accuracy"],
        "test_loss": test["loss"],
        "val_accuracy": history.rows[-1]["val_accuracy"],
        "epochs": len(history),
        "train_seconds": sum(history["seconds"]),
        "parameters": model.num_parameters(),
        "architecture": setup.architecture,
    }
    atomic_write_text(out_dir / "history.csv", history.to_csv())
    atomic_write_text(out_dir / "history.json", history.to_json())
    save(model, out_dir / "model.npz", data=setup.data.to_dict())
    symptoms = None
    if monitor is not None:
        symptoms = [vars(symptom) for symptom in monitor.symptoms]
        atomic_write_json(out_dir / "warnings.json", symptoms)
    if figures:
        write_run_report(
            out_dir, model, x_test, y_test, config.to_dict(), metrics, history, symptoms,
            data=setup.data,
        )  # fmt: skip
    # written last: a run directory with metrics.json is complete (studies skip such runs)
    atomic_write_json(out_dir / "metrics.json", metrics)
    best = TrainState(history).best_epoch
    stopped = (
        f" (patience: the weights of epoch {best}, the best validation loss)"
        if config.patience and best < len(history)
        else ""
    )
    log(f"test accuracy {test['accuracy']:.2%} (loss {test['loss']:.4f}) after {len(history)} epoch{'s' * (len(history) != 1)}, "
        f"{metrics['train_seconds']:.1f} s of training{stopped}")  # fmt: skip
    return metrics


@dataclass
class RunSetup:
    """What a run starts from: the network, its loss, optimizer and learning-rate schedule, the
    data split in three, and the seeded generators (``model``, ``split``, ``shuffle``) that
    ``seed_streams`` made."""

    model: Sequential
    loss_fn: Loss
    optimizer: Optimizer
    train: tuple[np.ndarray, np.ndarray]
    val: tuple[np.ndarray, np.ndarray]
    test: tuple[np.ndarray, np.ndarray]
    rngs: dict[str, np.random.Generator]
    architecture: str  # e.g. "784-256-128-10"
    schedule: Schedule  # the learning rate of each epoch
    augment: Augmenter | None  # distorts each training batch
    data: DataInfo  # class names, image shape, source and scaling of the data


def prepare_run(config: TrainConfig, data_dir=None, *, progress: bool = False) -> RunSetup:
    """Load the data set and build the network, loss and optimizer ``config`` describes, exactly
    as ``numpynn train`` does (``diagnose`` and ``lr-find`` start from the same point). Inputs
    are scaled as ``config.scaling()`` says, measured on the training split only."""
    data = load_run_data(config, data_dir, progress=progress)
    x_train, y_train, x_test = data.x_train, data.y_train, data.x_test
    if config.dtype != "float32":
        x_train, x_test = x_train.astype(config.dtype), x_test.astype(config.dtype)
    rngs = seed_streams(config.seed)
    split_rng = None if config.split == "ordered" else rngs["split"]
    train, val = train_val_split(x_train, y_train, config.val_size, split_rng)
    if config.train_size is not None:
        train = _first(train, config.train_size, f"{data.info.name} training {data.info.examples} left after "
                       f"holding out val_size = {config.val_size}")  # fmt: skip
    scaling = fit_scaling(config.scaling(), train[0])
    if scaling is not None:
        train, val, x_test = (
            (scaling(train[0]), train[1]),
            (scaling(val[0]), val[1]),
            scaling(x_test),
        )
    info = replace(data.info, scaling=scaling)
    sizes = config.sizes(data.in_features, info.num_classes)
    model = config.build_model(sizes[0], sizes[-1], rngs["model"])
    if config.augment is not None and info.image_shape is None:
        raise ValueError(f"augment = {config.augment} distorts images, but {info.name} holds "
                         "rows of a table; leave augment out")  # fmt: skip
    augment = config.build_augmenter(info.image_shape)
    return RunSetup(model, get_loss(config.loss), config.build_optimizer(model.parameters()), train,
                    val, (x_test, data.y_test), rngs, "-".join(map(str, sizes)),
                    config.build_schedule(), augment, info)  # fmt: skip


def monitor_batch(train, val, size: int = MONITOR_BATCH):
    """The fixed batch diagnostics measure on: the first ``size`` validation images (already in
    random order), or training images when there is no validation set."""
    x, labels = val if len(val[0]) else train
    return x[:size], labels[:size]


def _resumed_diagnostics(state: TrainState, diagnostics: bool) -> bool:
    """A resumed run keeps collecting statistics if it did; it cannot start halfway through."""
    rows = state.history.rows
    had = has_statistics(rows)
    if diagnostics and rows and not had:
        raise ValueError(
            "train_run: the run being resumed has no diagnostics in its history; statistics "
            "cannot start halfway through — resume without --diagnostics"
        )
    return diagnostics or had


def _first(data: tuple[np.ndarray, np.ndarray], n: int, what: str):
    """The first ``n`` examples of ``data`` (already in random order)."""
    if n > len(data[1]):
        raise ValueError(
            f"train_size must be <= {len(data[1])} (the {what}), got {n}; lower train_size "
            "or leave it out to train on all of them"
        )
    return data[0][:n], data[1][:n]


@contextmanager
def stop_requested_by_signals() -> Iterator[Callable[[], bool]]:
    """While active, SIGINT (Ctrl-C) and SIGTERM only set a flag that training checks after each
    batch, so it can stop cleanly and save a checkpoint."""
    received: list[int] = []
    if threading.current_thread() is not threading.main_thread():
        yield lambda: False  # signal handlers can only be set from the main thread
        return
    previous = {
        s: signal.signal(s, lambda signum, frame: received.append(signum))
        for s in (signal.SIGINT, signal.SIGTERM)
    }
    try:
        yield lambda: bool(received)
    finally:
        for s, handler in previous.items():
            signal.signal(s, handler)


def format_epoch(row: dict, epochs: int) -> str:
    width = len(str(epochs))
    line = (
        f"epoch {row['epoch']:>{width}}/{epochs}  train loss {row['train_loss']:.4f} "
        f"acc {row['train_accuracy']:.2%}"
    )
    if not np.isnan(row["val_loss"]):
        line += f"  val loss {row['val_loss']:.4f} acc {row['val_accuracy']:.2%}"
    if "test_accuracy" in row:
        line += f"  test acc {row['test_accuracy']:.2%}"
    return line + f"  lr {row['lr']:.3g}  {row['seconds']:.1f}s"
