"""Recipes and records.

A *recipe* names the commands that produce some documented numbers, exactly as a reader would type
them (``numpynn ...``, or ``python benchmarks/NAME.py ...``; the runner adds ``--out`` or
``--json``), and a function that reads the numbers from what the commands left: their run folders
and printed output. Figures the pages show are copied from the same runs into docs/figures/. Running it gives a *record*
(docs/records/ID.json): the values, the commands, each command's configuration as resolved by
today's code, and what produced it (numpynn version and commit, NumPy, BLAS, machine, date).

The configuration of a command is everything that decides its result before it runs: its
arguments with every default filled in, the training config or study settings they resolve to,
and the constants of the study module it runs (learning-rate grids, presets, budgets). A record
whose configuration differs from today's is stale."""

import dataclasses
import functools
import hashlib
import importlib
import inspect
import json
import os
import platform
import shlex
import shutil
import subprocess
import sys
import tempfile
import time
from collections.abc import Callable
from pathlib import Path

import numpy as np

__all__ = [
    "Recipe",
    "Run",
    "configuration",
    "load_records",
    "make_record",
    "mark_values",
    "RECORDS",
]

ROOT = Path(__file__).resolve().parents[2]
RECORDS = ROOT / "docs" / "records"

# the study module whose constants are part of each command's configuration
STUDY_MODULES = {
    "diagnose": "numpynn.experiments.diagnose",
    "lr-find": "numpynn.experiments.lr_find",
    "vanishing": "numpynn.experiments.vanishing",
    "gradcheck": "numpynn.experiments.gradcheck_suite",
    "perceptron": "numpynn.experiments.perceptron",
    "optimizers": "numpynn.experiments.optimizers",
    "ablate": "numpynn.experiments.ablation",
    "broken-runs": "numpynn.experiments.broken_runs",
    "reproduce": "numpynn.experiments.reproduce",
}
# modules whose thresholds every run goes through: training's stop at a diverged loss, and what
# the Monitor, diagnose and the catalogue judge with
BEHAVIOUR_MODULES = ["numpynn.training", "numpynn.symptoms", "numpynn.diagnostics"]
# arguments that say where output goes or how it is shown, not what is computed
PRESENTATION = {"run", "out", "quiet", "data_dir", "debug"}


@dataclasses.dataclass(frozen=True)
class Run:
    """One command's result: its run folder (``--out``), what it printed on stdout and stderr,
    its exit code, and how many seconds it took, wall clock, from start to exit."""

    out: Path
    stdout: str
    returncode: int
    seconds: float = 0.0
    stderr: str = ""


@dataclasses.dataclass(frozen=True)
class Recipe:
    id: str
    commands: list[str]
    extract: Callable[[list[Run]], dict]  # -> {value name: number or text}
    returncodes: tuple[int, ...] = (0,)  # what each command may exit with
    figures: dict[str, str] = dataclasses.field(
        default_factory=dict
    )  # "0/a.png" -> docs/figures/b.png

    def __post_init__(self):
        if not self.id.isidentifier():
            raise ValueError(f"recipe id {self.id!r} must be a Python identifier (marks use it)")


def configuration(command: str) -> dict:
    """What decides the result of ``command`` (``numpynn ...``), resolved by today's code."""
    argv = shlex.split(command)
    if argv[0] == "python":
        return _benchmark_configuration(argv)
    if argv[0] != "numpynn":
        raise ValueError(f"{command!r}: a recipe runs numpynn commands or benchmarks/ scripts")
    args = _cli_parser().parse_args(argv[1:])
    arguments = {k: v for k, v in vars(args).items() if k not in PRESENTATION}
    resolved = _RESOLVERS.get(args.command, lambda args: None)(args)
    study = STUDY_MODULES.get(args.command)
    modules = BEHAVIOUR_MODULES + ([study] if study else [])
    constants = {name: _constants(importlib.import_module(name)) for name in modules}
    return _plain({"arguments": arguments, "resolved": resolved, "constants": constants})


@functools.cache
def _cli_parser():
    """numpynn's parser, built once: a check resolves every command of every recipe."""
    from numpynn.cli.main import build_parser

    return build_parser()


def _benchmark_configuration(argv: list[str]) -> dict:
    """A benchmark script's arguments (its ``build_parser``) and constants (learning rates)."""
    script = ROOT / argv[1]
    if script.parent != ROOT / "benchmarks":
        raise ValueError(f"{' '.join(argv)}: scripts run by recipes live in benchmarks/")
    sys.path.insert(0, str(script.parent))  # the scripts import their neighbours
    try:
        module = importlib.import_module(script.stem)
    finally:
        sys.path.remove(str(script.parent))
    arguments = vars(module.build_parser().parse_args(argv[2:]))
    arguments.pop("json")
    return _plain({"arguments": arguments, "resolved": None, "constants": _constants(module)})


def _train_config(args) -> dict:
    from numpynn.cli.args import build_config

    return build_config(args).to_dict()


def _ablation(args) -> dict:
    from numpynn.cli.args import given_flags
    from numpynn.experiments.ablation import resolve_study

    keys = ("widths", "depths", "activations", "optimizers", "lrs", "seeds")
    grid_flags = {key: getattr(args, key) for key in keys if getattr(args, key) is not None}
    grid, base = resolve_study("full" if args.full else "default", args.grid, args.config,
                               grid_flags, given_flags(args))  # fmt: skip
    return {"grid": grid.to_dict(), "base": base.to_dict()}


def _vanishing(args) -> dict:
    from numpynn.experiments.vanishing import VanishingSettings

    names = [f.name for f in dataclasses.fields(VanishingSettings)]
    return dataclasses.asdict(
        VanishingSettings(**{n: getattr(args, n) for n in names if hasattr(args, n)})
    )


def _reproductions(args) -> dict:
    """What decides each row's result, as numpynn reads its recipe today: the config, the
    example, the published number, the measure and the seeds (not its words or its seconds)."""
    from numpynn.runs.recipes import load_recipe, recipe_ids

    rows = recipe_ids() if args.all else args.rows
    deciding = ("published", "measure", "seeds")
    return {r.id: {"config": r.config and r.config.to_dict(),
                   "example": r.example and {k: v for k, v in r.example.items() if k != "explained"},
                   "recipe": {k: r.about[k] for k in deciding if k in r.about}}
            for r in map(load_recipe, rows)}  # fmt: skip


_RESOLVERS = {
    "reproduce": _reproductions,
    "train": _train_config,
    "diagnose": _train_config,
    "lr-find": _train_config,
    "ablate": _ablation,
    "vanishing": _vanishing,
}


def extract_fingerprint(recipe: Recipe) -> str:
    """A digest of the source of ``recipe.extract``: a record made by another extract is stale."""
    return hashlib.sha256(inspect.getsource(recipe.extract).encode()).hexdigest()[:16]


def _constants(module) -> dict:
    return {name: value for name, value in vars(module).items()
            if name.isupper() and not name.startswith("_")}  # fmt: skip


def _plain(value):
    """``value`` as JSON: paths as text, arrays as lists, functions by name, dataclasses as dicts."""
    if isinstance(value, dict):
        return {str(k): _plain(v) for k, v in value.items()}
    if isinstance(value, list | tuple):
        return [_plain(v) for v in value]
    if isinstance(value, np.ndarray):
        return _plain(value.tolist())
    if isinstance(value, np.generic):
        return value.item()
    if dataclasses.is_dataclass(value) and not isinstance(value, type):
        return {f.name: _plain(getattr(value, f.name)) for f in dataclasses.fields(value)}
    if callable(value):
        return f"{getattr(value, '__module__', '?')}.{getattr(value, '__qualname__', value)}"
    if isinstance(value, str | int | float | bool) or value is None:
        return value
    return str(value)


def make_record(recipe: Recipe) -> dict:
    """Run ``recipe``'s commands (each in a new temporary folder) and return its record. The
    folder is removed when the record is made, and kept (and named) if it cannot be: an hour of
    runs is not lost to a mistake in ``extract``."""
    started = time.time()
    tmp = Path(tempfile.mkdtemp(prefix=f"numpynn-{recipe.id}-"))
    try:
        runs = [_run(command, tmp / str(i), recipe) for i, command in enumerate(recipe.commands)]
        values = recipe.extract(runs)
        for source, target in recipe.figures.items():
            shutil.copyfile(tmp / source, ROOT / "docs" / "figures" / target)
    except Exception:
        print(f"{recipe.id}: no record made; its runs are kept in {tmp}", file=sys.stderr)
        raise
    shutil.rmtree(tmp)
    return {
        "id": recipe.id,
        "commands": recipe.commands,
        "values": _plain(values),
        "configurations": [configuration(c) for c in recipe.commands],
        "extract": extract_fingerprint(recipe),
        "produced": _provenance(time.time() - started),
    }


def _run(command: str, out: Path, recipe: Recipe) -> Run:
    argv = shlex.split(command)
    if "--out" in argv or "--json" in argv:
        raise ValueError(f"{recipe.id}: leave --out/--json out of {command!r}; the runner sets it")
    if argv[0] == "python":  # a benchmark: its results go to OUT/results.json
        out.mkdir(parents=True)
        argv = [sys.executable, *argv[1:], "--json", str(out / "results.json")]
    else:
        argv = [sys.executable, "-m", "numpynn", *argv[1:], "--out", str(out)]
    env = os.environ | {"COLUMNS": "100"}
    started = time.perf_counter()
    result = subprocess.run(argv, capture_output=True, text=True, env=env, cwd=ROOT)
    if result.returncode not in recipe.returncodes:
        raise RuntimeError(f"{recipe.id}: `{command}` exited {result.returncode}:\n{result.stderr}")
    seconds = time.perf_counter() - started
    return Run(out, result.stdout, result.returncode, seconds, result.stderr)


def _provenance(seconds: float) -> dict:
    from numpynn import __version__
    from numpynn.runs.config import TrainConfig
    from numpynn.runs.manifest import run_manifest

    manifest = run_manifest(TrainConfig())
    return {
        "date": time.strftime("%Y-%m-%d"),
        "seconds": round(seconds, 1),
        "numpynn": __version__,
        "git_commit": manifest["git_commit"],
        "versions": manifest["versions"],
        "blas": manifest["blas"],
        "cpu": _cpu_name(),
        "cores": os.cpu_count(),
        "platform": platform.platform(),
    }


def _cpu_name() -> str:
    try:
        lines = Path("/proc/cpuinfo").read_text().splitlines()
    except OSError:
        return platform.processor()
    return next((line.split(":", 1)[1].strip() for line in lines if line.startswith("model name")),
                platform.processor())  # fmt: skip


def load_records() -> dict[str, dict]:
    return {
        path.stem: json.loads(path.read_text(encoding="utf-8"))
        for path in sorted(RECORDS.glob("*.json"))
    }


def mark_values(records: dict[str, dict]) -> dict[str, dict]:
    """What marks may show of each record: its values, ``produced_on`` (the date) and ``config``,
    the training config its first command resolved to (``{train_default.config[batch_size]}``)."""
    return {name: record["values"] | {"produced_on": record["produced"]["date"],
                                      "config": record["configurations"][0]["resolved"]}
            for name, record in records.items()}  # fmt: skip


def save_record(record: dict) -> Path:
    path = RECORDS / f"{record['id']}.json"
    path.write_text(json.dumps(record, indent=1, ensure_ascii=False) + "\n", encoding="utf-8")
    return path
