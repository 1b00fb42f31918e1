"""The architecture ablation study (``numpynn ablate``): width x depth x activation, over seeds.

A ``Grid`` lists the values of each key; every combination, repeated over ``seeds`` replicates,
is one training run of the base ``TrainConfig`` with those keys set, in its own run directory
under ``STUDY/runs/``. The runs go in parallel (``numpynn.runs.sweep``); then ``results.csv`` (a row per
run), ``summary.csv`` (mean and std over seeds), the figures and ``REPORT.md`` are written from
the run directories.

Replicate r of every grid point trains with the seed SeedSequence(study seed).spawn(...)[r]: the
same for every point (their comparisons are paired: same validation split, same batch order) and
independent of the grid's other points and of the order the runs go in.
"""

import dataclasses
import itertools
import math
import time
from collections.abc import Callable
from dataclasses import dataclass
from pathlib import Path

import numpy as np

from ..activations import ACTIVATIONS
from ..files import atomic_write_json
from ..optim import OPTIMIZERS
from ..runs.config import TrainConfig, check_keys, read_config_values, read_toml
from ..runs.sweep import Task, config_hash, run_tasks
from ..validation import check_int, is_int, is_number, plain
from .ablation_results import collect, summarize, write_tables

__all__ = [
    "Grid",
    "Point",
    "PRESETS",
    "run_seed",
    "load_grid",
    "resolve_study",
    "check_data",
    "run_study",
]


@dataclass(frozen=True)
class Grid:
    """The values of each key; empty ``optimizers``/``lrs``: the base config's only."""

    widths: tuple[int, ...]
    depths: tuple[int, ...]
    activations: tuple[str, ...]
    optimizers: tuple[str, ...] = ()
    lrs: tuple[float, ...] = ()
    seeds: int = 3

    def __post_init__(self):
        # lists as tuples, NumPy numbers as Python ones: a grid is hashable and JSON can hold it
        for key in ("widths", "depths", "activations", "optimizers", "lrs"):
            value = getattr(self, key)
            if isinstance(value, list | tuple | np.ndarray):
                object.__setattr__(self, key, tuple(plain(v) for v in value))
        object.__setattr__(self, "seeds", plain(self.seeds))

    def validate(self) -> "Grid":
        _values("widths", self.widths, lambda w: is_int(w) and w >= 1, "integers >= 1")
        _values("depths", self.depths, lambda d: is_int(d) and d >= 1, "integers >= 1")
        _values("activations", self.activations, _name_in(ACTIVATIONS),
                "names from: " + ", ".join(sorted(ACTIVATIONS)))  # fmt: skip
        _values("optimizers", self.optimizers, _name_in(OPTIMIZERS),
                "names from: " + ", ".join(sorted(OPTIMIZERS)), empty=True)  # fmt: skip
        _values("lrs", self.lrs, lambda lr: is_number(lr) and lr > 0, "numbers > 0", empty=True)
        check_int("seeds", self.seeds, 1, who="ablate")
        runs = math.prod(len(axis) or 1 for axis in (self.widths, self.depths, self.activations,
                                                      self.optimizers, self.lrs)) * self.seeds  # fmt: skip
        if runs > _MAX_RUNS:
            raise ValueError(
                f"ablate: the grid declares {runs:,} runs (widths x depths x activations x "
                f"optimizers x lrs x seeds), more than {_MAX_RUNS:,}; list fewer values or seeds"
            )
        return self

    def to_dict(self) -> dict:
        return {
            k: list(v) if isinstance(v, tuple) else v for k, v in dataclasses.asdict(self).items()
        }

    def points(self, base: TrainConfig) -> list["Point"]:
        """Every run of the grid, validated, in grid order (slowest key first, replicate last)."""
        self.validate()
        axes = [self.optimizers or (base.optimizer,), self.lrs or (base.lr,), self.activations,
                self.depths, self.widths, range(self.seeds)]  # fmt: skip
        points = []
        for optimizer, lr, activation, depth, width, replicate in itertools.product(*axes):
            keys = {"width": width, "depth": depth, "activation": activation,
                    "optimizer": optimizer, "lr": lr}  # fmt: skip
            values = base.to_dict() | {
                "hidden": [width] * depth, "activation": activation, "optimizer": optimizer,
                "lr": lr, "seed": run_seed(base.seed, replicate),
            }  # fmt: skip
            try:
                config = TrainConfig(**values).validate()
            except ValueError as error:
                where = ", ".join(f"{k} {v}" for k, v in keys.items())
                raise ValueError(f"ablate: grid point {where}: {error}") from None
            points.append(Point(keys, replicate, config, self._name(keys, replicate, config)))
        return points

    def _name(self, keys: dict, replicate: int, config: TrainConfig) -> str:
        name = f"w{keys['width']}-d{keys['depth']}-{keys['activation']}"
        name += f"-{keys['optimizer']}" if self.optimizers else ""
        name += f"-lr{keys['lr']:g}" if self.lrs else ""
        return f"{name}-s{replicate}-{config_hash(config)[:8]}"


@dataclass(frozen=True)
class Point:
    keys: dict  # width, depth, activation, optimizer, lr
    replicate: int
    config: TrainConfig
    name: str  # its run directory's name


_MAX_RUNS = 100_000  # a grid beyond this is a typo, not a study (--full: 320); decides no result
PRESETS = {
    # about 15 minutes on 2 quiet cores (README): 144 runs of 5 epochs on 10,000 images
    "default": (
        Grid(widths=(16, 64, 256, 1024), depths=(1, 2, 3, 4),
             activations=("relu", "tanh", "sigmoid"), seeds=3),
        {"epochs": 5, "train_size": 10_000},
    ),
    # a serious study: 320 runs of 10 epochs on all 55,000 training images (hours on 2 cores)
    "full": (
        Grid(widths=(16, 64, 256, 1024), depths=(1, 2, 3, 4),
             activations=("relu", "leaky_relu", "tanh", "sigmoid"), seeds=5),
        {"epochs": 10},
    ),
}  # fmt: skip


def run_seed(study_seed: int, replicate: int) -> int:
    """The training seed of replicate ``replicate``: child ``replicate`` of the study's
    SeedSequence, whatever else the grid holds."""
    child = np.random.SeedSequence(study_seed, spawn_key=(replicate,))
    return int(child.generate_state(1)[0])


def load_grid(path: str | Path) -> tuple[dict, dict]:
    """A grid file: the Grid keys at the top level, base TrainConfig keys in a ``[base]`` table.
    Returns the two as dicts of the keys given."""
    path = Path(path)
    values = read_toml(path, "grid file")
    base = values.pop("base", {})
    if not isinstance(base, dict):
        raise ValueError(f"{path}: base must be a table ([base]) of train settings, got {base!r}")
    if "hidden" in base or "activation" in base:
        raise ValueError(
            f"{path}: [base] must not set hidden or activation; the grid sets them "
            "(widths, depths, activations)"
        )
    check_keys(values, [f.name for f in dataclasses.fields(Grid)], path,
               " (TrainConfig keys go in the [base] table)")  # fmt: skip
    check_keys(base, [f.name for f in dataclasses.fields(TrainConfig)], path)
    return values, base


def resolve_study(
    preset: str = "default", grid_file=None, config_file=None, grid_values=None, base_values=None
) -> tuple[Grid, TrainConfig]:
    """The grid and base config: the preset, then the keys in --config, then the grid file,
    then ``grid_values``/``base_values`` (the command line's flags)."""
    grid, base = PRESETS[preset]
    grid, base = grid.to_dict(), TrainConfig().to_dict() | base
    if config_file is not None:
        values = read_config_values(config_file)
        TrainConfig(**values).validate()  # validated whole; only the keys it sets apply
        base |= values
    if grid_file is not None:
        file_grid, file_base = load_grid(grid_file)
        grid, base = grid | file_grid, base | file_base
    grid |= grid_values or {}
    base |= base_values or {}
    grid, base = Grid(**grid).validate(), TrainConfig(**base)
    if base.data is not None:
        raise ValueError(
            "an ablation study runs on a registered data set (--dataset mnist or fashion-mnist), "
            "not on a data file; train on your own data with numpynn train --data"
        )
    grid.points(base)  # every point valid before anything runs
    return grid, base


def run_study(
    out_dir,
    grid: Grid,
    base: TrainConfig,
    *,
    data_dir=None,
    jobs: int = 1,
    threads: int = 1,
    scheduler: str | None = None,
    retries: int = 1,
    run_figures: bool = False,
    keep_checkpoints: bool = False,
    progress: bool = False,
    log: Callable[[str], None] = print,
    check: bool = True,
) -> dict:
    """Validate the whole grid and the data, run every point, write the study's files.

    ``check=False`` skips ``check_data`` (it loads the data set): for a caller that just ran it.
    Returns ``{"results": rows, "summary": rows, "failures": rows, "seconds": wall time}``.
    """
    from .ablation_report import write_report

    start = time.perf_counter()
    out_dir = Path(out_dir)
    points = grid.points(base)
    if check:
        check_data(base, data_dir, progress)
    runs = out_dir / "runs"
    tasks = [Task(p.config, runs / p.name) for p in points]
    out_dir.mkdir(parents=True, exist_ok=True)
    study = {"grid": grid.to_dict(), "base": base.to_dict(), "runs": len(points)}
    atomic_write_json(out_dir / "study.json", study)
    where = f"the Dask cluster at {scheduler}" if scheduler else f"{jobs} local worker(s)"
    log(f"{len(points)} runs ({_shape(grid)}) on {where}, {threads} BLAS thread(s) each; "
        f"writing to {out_dir}")  # fmt: skip
    # the slowest runs first, so the last ones to finish are short (the order changes no result)
    order = sorted(range(len(tasks)), key=lambda i: -_cost(points[i].config))
    outcomes = run_tasks(
        [tasks[i] for i in order], data_dir=data_dir, jobs=jobs, threads=threads,
        scheduler=scheduler, retries=retries, figures=run_figures,
        keep_checkpoints=keep_checkpoints, progress=progress, log=log,
    )  # fmt: skip
    results, failures, curves = collect(points, outcomes, runs)
    summary = summarize(results, curves)
    write_tables(out_dir, results, summary, failures)
    seconds = time.perf_counter() - start
    setup = {"grid": grid, "base": base, "runs": len(points), "seconds": seconds,
             "workers": where, "threads": threads}  # fmt: skip
    write_report(out_dir, results, summary, failures, setup)
    log(f"{len(results)} runs finished, {len(failures)} failed; wrote {out_dir / 'REPORT.md'} "
        f"({seconds:.0f} s)")  # fmt: skip
    return {"results": results, "summary": summary, "failures": failures, "seconds": seconds}


def check_data(base: TrainConfig, data_dir=None, progress: bool = False) -> None:
    """The data is there (downloaded now if it must be, before any worker starts) and holds
    enough images for val_size + train_size."""
    from ..data import load_dataset

    x_train = load_dataset(base.dataset, data_dir, progress=progress)[0]
    needed = base.val_size + (base.train_size or 1)
    if needed > len(x_train):
        raise ValueError(
            f"ablate: val_size + train_size must be <= {len(x_train)} (the {base.dataset} "
            f"training images), got {base.val_size} + {base.train_size or 1}; lower them"
        )


def _cost(config: TrainConfig) -> float:
    """Relative cost of a run: multiply-adds per example x epochs."""
    sizes = [784, *config.hidden, 10]
    return config.epochs * sum(a * b for a, b in itertools.pairwise(sizes))


def _shape(grid: Grid) -> str:
    axes = [len(grid.widths), len(grid.depths), len(grid.activations), len(grid.optimizers),
            len(grid.lrs), grid.seeds]  # fmt: skip
    names = ["widths", "depths", "activations", "optimizers", "lrs", "seeds"]
    return " x ".join(f"{n} {name}" for n, name in zip(axes, names) if n)


def _name_in(names):
    return lambda v: isinstance(v, str) and v in names


def _values(key: str, values, ok, rule: str, empty: bool = False) -> None:
    if not isinstance(values, tuple | list) or (not values and not empty):
        raise ValueError(f"ablate: {key} must be a non-empty list of {rule}, got {values!r}")
    bad = [v for v in values if not ok(v)]
    if bad:
        raise ValueError(f"ablate: {key} must be {rule}, got {bad[0]!r}")
    if len(set(values)) < len(values):
        raise ValueError(
            f"ablate: {key} must not repeat a value, got {list(values)}; list each once"
        )
