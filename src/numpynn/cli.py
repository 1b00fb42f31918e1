"""The ``numpynn`` command line: parse, build a config, call the library. Nothing else."""

import argparse
import json
import os
import sys
import time
from pathlib import Path

from . import config as config_module
from .activations import ACTIVATIONS
from .losses import LOSSES
from .optim import OPTIMIZERS
from .schedules import SCHEDULES

__all__ = ["main"]


class UsageError(Exception):
    """A bad flag or config value: exit code 2."""


class Parser(argparse.ArgumentParser):
    """argparse with whole-word flags only and one-line usage errors."""

    def __init__(self, *args, **kwargs):
        kwargs.setdefault("allow_abbrev", False)
        kwargs.setdefault("formatter_class", argparse.RawDescriptionHelpFormatter)
        super().__init__(*args, **kwargs)

    def error(self, message):
        raise UsageError(f"{self.prog}: {message} (see `{self.prog} --help`)")


def _checked(convert, rule: str, ok):
    def parse(text: str):
        try:
            value = convert(text)
        except ValueError:
            raise argparse.ArgumentTypeError(f"must be {rule}, got {text!r}") from None
        if not ok(value):
            raise argparse.ArgumentTypeError(f"must be {rule}, got {text}")
        return value

    return parse


positive_float = _checked(float, "a number > 0", lambda v: v > 0 and v != float("inf"))
positive_int = _checked(int, "an integer >= 1", lambda v: v >= 1)
natural_int = _checked(int, "an integer >= 0", lambda v: v >= 0)
probability = _checked(float, "a number in [0, 1)", lambda v: 0 <= v < 1)
open_unit = _checked(float, "a number in (0, 1)", lambda v: 0 < v < 1)
non_negative_float = _checked(float, "a number >= 0", lambda v: 0 <= v < float("inf"))
decay_factor = _checked(float, "a number in (0, 1]", lambda v: 0 < v <= 1)
widths = _checked(
    lambda t: [int(w) for w in t.split(",")] if t.strip() else [],
    "comma-separated widths >= 1, e.g. 256,128",
    lambda v: all(w >= 1 for w in v),
)

positive_ints = _checked(
    lambda t: [int(v) for v in t.split(",")],
    "comma-separated integers >= 1, e.g. 1,2,3",
    lambda v: all(d >= 1 for d in v),
)
positive_floats = _checked(
    lambda t: [float(v) for v in t.split(",")],
    "comma-separated numbers > 0, e.g. 0.001,0.01",
    lambda v: all(0 < x < float("inf") for x in v),
)
names = _checked(
    lambda t: [v.strip() for v in t.split(",")],
    "comma-separated names, e.g. relu,tanh",
    lambda v: all(v),
)

TRAIN_EXAMPLES = """examples:
  numpynn train                                   # 784-256-128-10 ReLU, Adam, 5 epochs (~98.2%)
  numpynn train --hidden 30 --activation sigmoid --optimizer sgd --lr 0.5 --batch-size 10
  numpynn train --optimizer nesterov --lr 0.05 --schedule cosine --warmup-epochs 1
  numpynn train --optimizer adamw --weight-decay 0.05 --schedule step --gamma 0.5 --clip-norm 5
  numpynn train --config runs/mnist-20261129-101500/config.toml --seed 1
  numpynn train --data-dir ~/datasets/mnist --out runs/baseline --quiet
  numpynn train --resume runs/baseline                   # after Ctrl-C, SIGTERM or a crash
  numpynn train --epochs 50 --patience 5                 # early stopping keeps the best epoch
  numpynn train --diagnostics                            # per-layer statistics and warnings
"""


OPTIMIZERS_EXAMPLES = """examples:
  numpynn optimizers                        # the full study: a few minutes on 2 cores
  numpynn optimizers --quick                # coarser lr grid; MNIST: 2 epochs on 5,000 images
  numpynn optimizers --epochs 20 --out runs/optimizers-20
"""


def add_model_flags(parser: argparse.ArgumentParser, grid: bool = False) -> None:
    """Flags that describe the network; shared by every command that builds one. With ``grid``
    (a study's grid sets the architecture) --hidden and --activation are left out of --help;
    they still parse, so the command can say what to use instead."""
    parser.add_argument("--hidden", type=widths,
                        help=argparse.SUPPRESS if grid else "hidden layer widths (default 256,128)")  # fmt: skip
    parser.add_argument("--activation", choices=sorted(ACTIVATIONS),
                        help=argparse.SUPPRESS if grid else "(default relu)")  # fmt: skip
    parser.add_argument("--loss", choices=sorted(LOSSES), help="(default cross-entropy)")
    parser.add_argument("--dropout", type=probability, help="dropout probability (default 0)")
    parser.add_argument(
        "--seed", type=natural_int, help="seed for weights, split and order (default 0)"
    )


def add_train_flags(parser: argparse.ArgumentParser, grid: bool = False) -> None:
    parser.add_argument("--config", type=Path, metavar="FILE.toml", help="read settings; flags win")
    parser.add_argument("--dataset", help="mnist or fashion-mnist (default mnist)")
    parser.add_argument(
        "--data-dir", type=Path, metavar="DIR", help="a folder holding the 4 IDX files"
    )
    add_model_flags(parser, grid)
    parser.add_argument("--optimizer", choices=sorted(OPTIMIZERS), help="(default adam)")
    parser.add_argument("--lr", type=positive_float, help="(peak) learning rate (default 5e-3)")
    parser.add_argument(
        "--momentum", type=probability, help="sgd, momentum, nesterov, rmsprop (default 0 or 0.9)"
    )
    parser.add_argument(
        "--weight-decay", type=non_negative_float, help="(default 0; 1e-2 for adamw)"
    )
    parser.add_argument(
        "--schedule", choices=sorted(SCHEDULES), help="learning rate per epoch (default cosine)"
    )
    parser.add_argument(
        "--warmup-epochs", type=natural_int, help="linear warm-up before the schedule (default 0)"
    )
    parser.add_argument(
        "--gamma", type=decay_factor, help="decay factor of the step/exponential schedules"
    )
    parser.add_argument(
        "--step-size", type=positive_int, help="epochs between step decays (default: a third)"
    )
    parser.add_argument(
        "--clip-norm", type=positive_float, help="cap the global gradient norm (default off)"
    )
    parser.add_argument("--batch-size", type=positive_int, help="(default 256)")
    parser.add_argument(
        "--epochs", type=positive_int, help="(default 5; --full 10)" if grid else "(default 5)"
    )
    parser.add_argument(
        "--val-size", type=natural_int, help="validation images held out (default 5000)"
    )
    parser.add_argument(
        "--train-size", type=positive_int,
        help=f"train on this many of the rest (default {'10000; --full all' if grid else 'all'})",
    )  # fmt: skip
    parser.add_argument("--dtype", choices=["float32", "float64"], help="(default float32)")


def add_output_flags(
    parser: argparse.ArgumentParser, out_help: str, quiet_help: str = "no progress bar"
) -> None:
    """--out DIR and --quiet, in that order; shared by the commands that write a folder."""
    parser.add_argument("--out", type=Path, metavar="DIR", help=out_help)
    parser.add_argument("--quiet", action="store_true", help=quiet_help)


def add_gradcheck_flags(parser: argparse.ArgumentParser) -> None:
    parser.add_argument(
        "--config", type=Path, metavar="FILE.toml", help="read the network's settings"
    )
    add_model_flags(parser)
    parser.add_argument("--dtype", choices=["float32", "float64"], help="(default float32)")
    parser.add_argument("--all", action="store_true", help="every activation x loss, depths 1-3")
    parser.add_argument("--batch-size", type=positive_int, default=4, help="(default 4)")
    parser.add_argument(
        "--max-coords", type=positive_int, default=100,
        help="coordinates checked per tensor; larger tensors are sampled (default 100)",
    )  # fmt: skip
    parser.add_argument("--eps", type=open_unit, default=1e-6, help="step (default 1e-6)")
    parser.add_argument(
        "--threshold", type=open_unit, default=1e-7,
        help="largest relative error that passes (default 1e-7)",
    )  # fmt: skip
    add_output_flags(parser, "also write gradcheck.csv and gradcheck.md here")


def build_config(args: argparse.Namespace) -> config_module.TrainConfig:
    """Defaults, then the --config file, then the flags given on the command line."""
    try:
        base = (
            config_module.load_config(args.config) if args.config else config_module.TrainConfig()
        )
        values = base.to_dict() | given_flags(args)
        return config_module.TrainConfig(**values).validate()
    except (ValueError, FileNotFoundError) as error:
        raise UsageError(str(error)) from error


def given_flags(args: argparse.Namespace) -> dict:
    """The config keys set by flags on the command line."""
    keys = config_module.TrainConfig().to_dict()
    return {key: getattr(args, key) for key in keys if getattr(args, key, None) is not None}


def run_directory(out: Path | None, command: str, name: str, study_file: str | None = None) -> Path:
    """--out, or runs/NAME-TIME; an existing non-empty folder is refused (nothing is overwritten),
    unless it holds ``study_file``: a study that the same command continues."""
    out = out or Path("runs") / f"{name}-{time.strftime('%Y%m%d-%H%M%S')}"
    if out.exists() and any(out.iterdir()):
        if study_file is not None:
            if (out / study_file).exists():
                return out
            raise UsageError(
                f"numpynn {command}: --out {out} is neither empty nor a study folder; choose another"
            )
        resume = (
            f", or continue it with `numpynn train --resume {out}`" if command == "train" else ""
        )
        raise UsageError(
            f"numpynn {command}: --out {out} exists and is not empty; choose another folder{resume}"
        )
    return out


def cmd_train(args) -> int:
    from .runs import RunInterrupted, train_run

    if args.resume:
        out, config = args.resume, resume_config(args)
    else:
        config = build_config(args)
        out = run_directory(args.out, "train", config.dataset)
    try:
        train_run(config, out, data_dir=args.data_dir, resume=bool(args.resume),
                  progress=not args.quiet, diagnostics=args.diagnostics)  # fmt: skip
    except RunInterrupted as interruption:
        data_dir = f" --data-dir {args.data_dir}" if args.data_dir else ""
        print(
            f"{interruption}\nresume with: numpynn train --resume {out}{data_dir}", file=sys.stderr
        )
        return 130
    return 0


def cmd_optimizers(args) -> int:
    from .experiments.optimizers import run_study

    out = run_directory(args.out, "optimizers", "optimizers")
    run_study(
        out, data_dir=args.data_dir, epochs=args.epochs or (2 if args.quick else 10),
        train_size=args.train_size or (5000 if args.quick else None), val_size=args.val_size,
        quick=args.quick, seed=args.seed, progress=not args.quiet,
    )  # fmt: skip
    return 0


def resume_config(args) -> config_module.TrainConfig:
    """The config of the run to resume; flags may repeat it but not change it."""
    if args.out or args.config:
        raise UsageError(
            "numpynn train: --resume continues a run in place; leave out --out and --config"
        )
    path = args.resume / "config.toml"
    if not path.exists():
        raise UsageError(
            f"numpynn train: --resume {args.resume}: no config.toml there; is it a run directory?"
        )
    try:
        config = config_module.load_config(path)
    except ValueError as error:
        raise UsageError(str(error)) from error
    saved = config.to_dict()
    differing = {key: value for key, value in given_flags(args).items() if saved[key] != value}
    if differing:
        changes = ", ".join(
            f"{key} (run: {saved[key]!r}, flag: {value!r})" for key, value in differing.items()
        )
        raise UsageError(
            f"numpynn train: --resume {args.resume}: the flags differ from the run's config in {changes}; "
            "a resumed run keeps its config — drop those flags, or start a new run with --config"
        )
    return config


def load_model(path: Path):
    """A run directory, a model .npz, or a checkpoint (its .json or folder) -> (model, config)."""
    from .checkpoint import load_checkpoint_model
    from .model import load

    if path.is_dir() and not (path / "model.npz").exists():
        path = (
            path / "last.json"
            if (path / "last.json").exists()
            else path / "checkpoints" / "last.json"
        )
    elif path.is_dir():
        path = path / "model.npz"
    if not path.exists():
        raise FileNotFoundError(
            f"{path} does not exist; give a run directory, a model .npz or a checkpoint"
        )
    if path.suffix == ".json":
        model, run_dir = load_checkpoint_model(path), path.parent.parent
    else:
        model, run_dir = load(path), path.parent
    config_file = run_dir / "config.toml"
    config = (
        config_module.load_config(config_file)
        if config_file.exists()
        else config_module.TrainConfig()
    )
    return model, config, path


GRADCHECK_EXAMPLES = """examples:
  numpynn gradcheck                                 # the default 784-256-128-10 ReLU network
  numpynn gradcheck --hidden 30 --activation sigmoid --loss mse --max-coords 1000
  numpynn gradcheck --dropout 0.5 --dtype float64
  numpynn gradcheck --all --out runs/gradcheck      # every activation x loss at depths 1-3

Prints one row per tensor: max relative error |a - n| / max(|a| + |n|, tiny) between the
backward pass (a) and centered differences (n) in float64; exit code 1 if any tensor FAILs.
"""


def cmd_gradcheck(args) -> int:
    from .experiments.gradchecks import check_all, check_mlp, format_results, write_results

    given = [f"--{k}" for k in ("config", "hidden", "activation", "loss") if getattr(args, k)]
    if args.all and given:
        raise UsageError(
            f"numpynn gradcheck: --all checks every activation, loss and depth; "
            f"drop {', '.join(given)} or drop --all"
        )
    config = build_config(args)
    options = {"dropout": config.dropout, "dtype": config.dtype, "seed": config.seed,
               "batch_size": args.batch_size, "eps": args.eps, "max_coords": args.max_coords,
               "threshold": args.threshold}  # fmt: skip
    started = time.perf_counter()
    if args.all:
        cases = check_all(progress=not args.quiet, **options)
    else:
        cases = [check_mlp(config.hidden, config.activation, config.loss, **options)]
    print(format_results(cases, time.perf_counter() - started, tables=not args.all))
    if args.out:
        print("wrote " + ", ".join(str(p) for p in write_results(cases, args.out)))
    return 0 if all(case.report.passed for case in cases) else 1


def cmd_evaluate(args) -> int:
    from .data import load_dataset
    from .losses import get_loss
    from .training import evaluate

    model, config, path = load_model(args.path)
    _, _, x_test, y_test = load_dataset(config.dataset, args.data_dir, progress=False)
    metrics = evaluate(model, x_test.astype(model.dtype, copy=False), y_test, get_loss(config.loss))
    result = {"test_accuracy": metrics["accuracy"], "test_loss": metrics["loss"],
              "dataset": config.dataset, "images": len(y_test), "model": str(path)}  # fmt: skip
    if args.json:
        print(json.dumps(result))
    else:
        print(f"test accuracy {metrics['accuracy']:.2%} (loss {metrics['loss']:.4f}) "
              f"on {len(y_test)} {config.dataset} test images; model {path}")  # fmt: skip
    return 0


def cmd_predict(args) -> int:
    import numpy as np

    from .digits import load_digit_image
    from .plots import pyplot

    model, _, _ = load_model(args.model_path)
    for image_path in args.images:
        x = load_digit_image(image_path).astype(model.dtype)
        logits = model.forward(x[None])[0].astype(np.float64)
        probs = np.exp(logits - logits.max())
        probs /= probs.sum()
        top = np.argsort(probs)[::-1][:3]
        print(f"{image_path}: " + ", ".join(f"{c} ({probs[c]:.1%})" for c in top))
        if args.show:
            seen = image_path.with_name(f"{image_path.stem}.seen.png")
            pyplot().imsave(seen, x.reshape(28, 28), cmap="gray", vmin=0, vmax=1)
            print(f"  what the network saw: {seen}")
    return 0


ABLATE_EXAMPLES = """examples:
  numpynn ablate                      # the default grid: 144 runs, ~15 min on 2 quiet cores
  numpynn ablate --widths 32,128 --depths 1,3 --activations relu,sigmoid --seeds 2 --epochs 2
  numpynn ablate --grid my-grid.toml --out runs/my-study   # stopped? rerun it: it continues
  numpynn ablate --optimizers adam,sgd --lrs 0.003,0.1 --widths 64 --depths 2
  numpynn ablate --full --jobs 8      # 320 runs on all training images: a serious study
  numpynn ablate --scheduler tcp://10.0.0.5:8786   # on a Dask cluster: pip install 'numpynn[sweep]'

A grid file holds the grid keys and a [base] table of `train` settings:
  widths = [16, 64, 256]
  depths = [1, 2]
  activations = ["relu", "tanh"]
  seeds = 3
  [base]
  epochs = 3
  train_size = 10000
"""


def cmd_ablate(args) -> int:
    from .experiments.ablation import check_data, resolve_study, run_study

    for key, use in (("hidden", "--widths and --depths"), ("activation", "--activations")):
        if getattr(args, key) is not None:
            raise UsageError(f"numpynn ablate: --{key} is set by the grid; use {use} instead")
    keys = ("widths", "depths", "activations", "optimizers", "lrs", "seeds")
    grid_flags = {key: getattr(args, key) for key in keys if getattr(args, key) is not None}
    try:
        grid, base = resolve_study(
            "full" if args.full else "default", args.grid, args.config, grid_flags,
            given_flags(args),
        )  # fmt: skip
        check_data(base, args.data_dir, progress=not args.quiet)
    except (ValueError, FileNotFoundError) as error:
        raise UsageError(str(error)) from error
    out = run_directory(args.out, "ablate", "ablation", study_file="study.json")
    try:
        study = run_study(
            out, grid, base, data_dir=args.data_dir, jobs=args.jobs or available_cores(),
            threads=args.threads_per_job, scheduler=args.scheduler, retries=args.retries,
            run_figures=args.run_figures, keep_checkpoints=args.keep_checkpoints,
            progress=not args.quiet, check=False,  # checked above, to fail as a usage error
        )  # fmt: skip
    except KeyboardInterrupt:
        print(
            f"interrupted; rerun the same command (with --out {out}) to continue: finished runs "
            "are skipped, the others resume from their checkpoints",
            file=sys.stderr,
        )
        return 130
    return 1 if study["failures"] else 0


def available_cores() -> int:
    return len(os.sched_getaffinity(0)) if hasattr(os, "sched_getaffinity") else os.cpu_count()


PERCEPTRON_EXAMPLES = """examples:
  numpynn perceptron                              # separable blobs: converges within Novikoff's bound
  numpynn perceptron --dataset blobs --margin 0.02 --seed 3 --out runs/narrow-margin
  numpynn perceptron --dataset xor                # never 100%; a 2-layer MLP beside it is
  numpynn perceptron --dataset xor --points 200 --pocket
  numpynn perceptron --dataset mnist --averaged   # ~93% test accuracy, under a second per epoch
"""


def cmd_perceptron(args) -> int:
    from .experiments.perceptron import perceptron_run

    if args.dataset != "blobs" and args.margin is not None:
        raise UsageError("numpynn perceptron: --margin applies to --dataset blobs only")
    if args.dataset == "mnist" and args.points is not None:
        raise UsageError("numpynn perceptron: --points applies to --dataset blobs or xor only")
    if args.dataset != "mnist" and args.data_dir is not None:
        raise UsageError("numpynn perceptron: --data-dir applies to --dataset mnist only")
    if args.dataset == "xor" and args.points is not None and args.points < 4:
        raise UsageError(f"numpynn perceptron: --points must be >= 4 for xor, got {args.points}")
    if args.margin is not None and args.margin > 0.5:
        raise UsageError(f"numpynn perceptron: --margin must be in (0, 0.5], got {args.margin:g}")
    out = run_directory(args.out, "perceptron", f"perceptron-{args.dataset}")
    given = {"margin": args.margin} if args.margin is not None else {}
    perceptron_run(
        args.dataset, out, averaged=args.averaged, pocket=args.pocket, epochs=args.epochs,
        lr=args.lr, seed=args.seed, points=args.points, data_dir=args.data_dir,
        progress=not args.quiet, **given,
    )  # fmt: skip
    return 0


DIAGNOSE_EXAMPLES = """examples:
  numpynn diagnose                                # the default network: expect all PASS
  numpynn diagnose --lr 50                        # a broken learning rate: FAIL/WARN naming it
  numpynn diagnose --hidden 64,64,64,64,64,64 --activation sigmoid --optimizer sgd --lr 0.1
  numpynn diagnose --config runs/baseline/config.toml

Checks: the loss at initialization vs ln(C); overfitting one batch of 32 images to 100% within
300 steps; gradcheck of a tiny copy (widths <= 16); one epoch on --sample images with per-layer
statistics (loss decreasing, gradient flow, update/weight ratio, dead or saturated units).
Exit code 1 if any check FAILs. docs/debugging.md explains each check and its fixes.
"""


def cmd_diagnose(args) -> int:
    from .experiments.diagnose import diagnose_run

    config = build_config(args)
    out = run_directory(args.out, "diagnose", "diagnose")
    checks = diagnose_run(config, out, args.data_dir, sample=args.sample, progress=not args.quiet)
    return 1 if any(check.status == "FAIL" for check in checks) else 0


LR_FIND_EXAMPLES = """examples:
  numpynn lr-find                                 # Adam on the default network
  numpynn lr-find --optimizer sgd --steps 200
  numpynn lr-find --optimizer momentum --hidden 512 --start-lr 1e-5 --end-lr 100

Trains a fresh network while the learning rate grows exponentially from --start-lr to --end-lr,
one batch per step, and stops once the loss explodes. lr_find.png shows loss against learning
rate; the suggestion is a tenth of the learning rate where the smoothed loss is lowest.
"""


def cmd_lr_find(args) -> int:
    from .experiments.lr_find import lr_find_run

    config = build_config(args)
    if args.start_lr >= args.end_lr:
        raise UsageError(
            f"numpynn lr-find: --start-lr must be below --end-lr, got {args.start_lr:g} and {args.end_lr:g}"
        )
    out = run_directory(args.out, "lr-find", "lr-find")
    lr_find_run(config, out, args.data_dir, start_lr=args.start_lr, end_lr=args.end_lr,
                steps=args.steps, progress=not args.quiet)  # fmt: skip
    return 0


VANISHING_EXAMPLES = """examples:
  numpynn vanishing                               # depths 2-10, 4 variants, ~30 s on 2 cores
  numpynn vanishing --depths 2,4,6 --steps 200 --out runs/vanishing-quick
  numpynn vanishing --width 128 --lr 0.5

Sigmoid and tanh with Xavier, ReLU with He, and sigmoid with He (to separate the activation from
the initialization); per-layer gradient norms at initialization and after training, and the test
accuracy after the same budget of plain SGD. docs/activations.md explains the results.
"""


def cmd_vanishing(args) -> int:
    from .experiments.vanishing import VanishingSettings, vanishing_run

    settings = VanishingSettings(depths=args.depths, width=args.width, steps=args.steps,
                                 lr=args.lr, batch_size=args.batch_size, seed=args.seed)  # fmt: skip
    out = run_directory(args.out, "vanishing", "vanishing")
    try:
        vanishing_run(out, settings, dataset=args.dataset, data_dir=args.data_dir,
                      progress=not args.quiet)  # fmt: skip
    except ValueError as error:
        raise UsageError(str(error)) from error
    return 0


def cmd_data_info(args) -> int:
    from .data import DATASETS, locate_dataset, search_paths

    for name in DATASETS:
        found = locate_dataset(name, args.data_dir)
        if found:
            print(f"{name}: found in {found}")
        else:
            places = ", ".join(str(p) for p in search_paths(name, args.data_dir))
            print(f"{name}: missing (looked in {places}); run `numpynn data fetch {name}`")
    return 0


def cmd_data_fetch(args) -> int:
    from .data import fetch_dataset, locate_dataset

    found = locate_dataset(args.name, args.data_dir)
    if found:
        print(f"{args.name}: already in {found}")
        return 0
    print(f"{args.name}: downloaded to {fetch_dataset(args.name, args.data_dir)}")
    return 0


def cmd_plot(args) -> int:
    from .run_report import FIGURES, compare_runs, redraw_run

    for run_dir in args.run_dirs:
        redraw_run(run_dir, args.data_dir)
        print(f"{run_dir}: redrew {', '.join([*FIGURES, 'report.md'])}")
    if len(args.run_dirs) > 1:
        print(
            f"validation curves of {len(args.run_dirs)} runs: {compare_runs(args.run_dirs, args.out)}"
        )
    return 0


def build_parser() -> Parser:
    parser = Parser(
        prog="numpynn",  # also `python -m numpynn`
        description="Neural networks from first principles in pure NumPy.",
        epilog="examples:\n  numpynn train\n  numpynn evaluate runs/mnist-20261129-101500\n"
        "  numpynn data info\n\nEach command has its own --help with examples.",
    )
    parser.add_argument("--debug", action="store_true", help="show the full traceback on errors")
    commands = parser.add_subparsers(dest="command", metavar="COMMAND", parser_class=Parser)

    train = commands.add_parser(
        "train", help="train an MLP and write a run directory", epilog=TRAIN_EXAMPLES,
        description="Train a multi-layer perceptron; flags override --config, which overrides the "
        "defaults. Writes config.toml, history.csv, metrics.json and model.npz to --out.",
    )  # fmt: skip
    add_train_flags(train)
    train.add_argument(
        "--patience", type=natural_int,
        help="early stopping: epochs without a better validation loss (default 0: off)",
    )  # fmt: skip
    train.add_argument("--out", type=Path, metavar="DIR", help="(default runs/DATASET-TIME)")
    train.add_argument(
        "--resume", type=Path, metavar="RUN_DIR", help="continue a stopped run exactly"
    )
    train.add_argument("--quiet", action="store_true", help="no progress bar")
    train.add_argument(
        "--diagnostics", action="store_true",
        help="record per-layer statistics each epoch, warn about problems, draw diagnostics.png",
    )  # fmt: skip
    train.set_defaults(run=cmd_train)

    diagnose = commands.add_parser(
        "diagnose", help="sanity checks of a network and its settings: PASS/WARN/FAIL",
        epilog=DIAGNOSE_EXAMPLES,
        description="Build the network `train` would build from the same flags and run the "
        "sanity checks; print a checklist with advice and write checks.json and report.md.",
    )  # fmt: skip
    add_train_flags(diagnose)
    diagnose.add_argument(
        "--sample", type=positive_int, default=10_000,
        help="training images of the one-epoch check (default 10000)",
    )  # fmt: skip
    add_output_flags(diagnose, "(default runs/diagnose-TIME)")
    diagnose.set_defaults(run=cmd_diagnose)

    lr_find = commands.add_parser(
        "lr-find", help="learning-rate range test: loss vs an exponentially growing lr",
        epilog=LR_FIND_EXAMPLES,
        description="The learning-rate range test on the network `train` would build from the "
        "same flags (--lr is ignored). Writes lr_find.png, lr_find.csv, lr_find.json, report.md.",
    )  # fmt: skip
    add_train_flags(lr_find)
    lr_find.add_argument("--start-lr", type=positive_float, default=1e-7, help="(default 1e-7)")
    lr_find.add_argument("--end-lr", type=positive_float, default=10.0, help="(default 10)")
    lr_find.add_argument(
        "--steps", type=_checked(int, "an integer >= 10", lambda v: v >= 10), default=300,
        help="batches, one learning rate each (default 300)",
    )  # fmt: skip
    add_output_flags(lr_find, "(default runs/lr-find-TIME)")
    lr_find.set_defaults(run=cmd_lr_find)

    vanishing = commands.add_parser(
        "vanishing", help="vanishing gradients: sigmoid, tanh and ReLU networks by depth",
        epilog=VANISHING_EXAMPLES,
        description="Train MLPs of each depth with sigmoid, tanh and ReLU for the same budget; "
        "write per-layer gradient norms, accuracies, figures and report.md.",
    )  # fmt: skip
    vanishing.add_argument("--dataset", choices=["mnist", "fashion-mnist"], default="mnist",
                           help="(default mnist)")  # fmt: skip
    vanishing.add_argument("--data-dir", type=Path, metavar="DIR")
    vanishing.add_argument(
        "--depths", type=_checked(lambda t: [int(d) for d in t.split(",")],
                                  "comma-separated depths >= 1, e.g. 2,4,6", lambda v: min(v) >= 1),
        default=list(range(2, 11)), help="hidden layers (default 2,3,...,10)",
    )  # fmt: skip
    vanishing.add_argument("--width", type=positive_int, default=64, help="(default 64)")
    vanishing.add_argument(
        "--steps", type=positive_int, default=500, help="SGD steps (default 500)"
    )
    vanishing.add_argument("--lr", type=positive_float, default=0.1, help="(default 0.1)")
    vanishing.add_argument("--batch-size", type=positive_int, default=64, help="(default 64)")
    vanishing.add_argument("--seed", type=natural_int, default=0, help="(default 0)")
    add_output_flags(vanishing, "(default runs/vanishing-TIME)")
    vanishing.set_defaults(run=cmd_vanishing)

    gradcheck = commands.add_parser(
        "gradcheck", help="check every backward pass against finite differences",
        epilog=GRADCHECK_EXAMPLES,
        description="Build a network from the same flags as `train` (784 inputs, 10 classes), "
        "run it on a small random batch and compare each gradient with centered finite "
        "differences in float64 (a float32 network is checked in a float64 copy).",
    )  # fmt: skip
    add_gradcheck_flags(gradcheck)
    gradcheck.set_defaults(run=cmd_gradcheck)

    evaluate = commands.add_parser(
        "evaluate", help="test accuracy of a saved model",
        epilog="examples:\n  numpynn evaluate runs/mnist-20261129-101500\n"
        "  numpynn evaluate runs/baseline/model.npz --json\n"
        "  numpynn evaluate runs/baseline/checkpoints/best.json",
    )  # fmt: skip
    evaluate.add_argument("path", type=Path, metavar="RUN_DIR_MODEL_OR_CHECKPOINT")
    evaluate.add_argument("--data-dir", type=Path, metavar="DIR")
    evaluate.add_argument("--json", action="store_true", help="print one JSON object")
    evaluate.set_defaults(run=cmd_evaluate)

    plot = commands.add_parser(
        "plot", help="redraw a run's figures; overlay several runs",
        description="Redraw the figures and report.md of each run directory; given several, also "
        "overlay their validation curves in one figure (--out).",
        epilog="examples:\n  numpynn plot runs/mnist-20261129-101500\n"
        "  numpynn plot runs/relu runs/tanh runs/sigmoid --out comparison.png",
    )  # fmt: skip
    plot.add_argument("run_dirs", type=Path, nargs="+", metavar="RUN_DIR")
    plot.add_argument(
        "--out", type=Path, default=Path("comparison.png"), help="(default comparison.png)"
    )
    plot.add_argument("--data-dir", type=Path, metavar="DIR")
    plot.set_defaults(run=cmd_plot)

    predict = commands.add_parser(
        "predict", help="classify your own digit images",
        description="Classify PNG/JPEG digit images (any size, dark-on-light or light-on-dark) "
        "after MNIST's preprocessing: grayscale, crop to the digit, fit it in 20x20, centre it by "
        "mass in 28x28. Prints the top-3 classes with probabilities.",
        epilog="examples:\n  numpynn predict runs/mnist-20261129-101500 my-seven.png\n"
        "  numpynn predict runs/baseline/model.npz a.png b.jpg --show",
    )  # fmt: skip
    predict.add_argument("model_path", type=Path, metavar="RUN_DIR_OR_MODEL")
    predict.add_argument("images", type=Path, nargs="+", metavar="IMAGE")
    predict.add_argument(
        "--show", action="store_true", help="write IMAGE.seen.png: the 28x28 input"
    )
    predict.set_defaults(run=cmd_predict)

    perceptron = commands.add_parser(
        "perceptron", help="Rosenblatt's perceptron on blobs, XOR or MNIST",
        epilog=PERCEPTRON_EXAMPLES,
        description="Train the perceptron (mistake-driven updates, one seeded pass per epoch, "
        "stopping after a pass without mistakes); print mistakes per epoch and the accuracy. "
        "Writes metrics.json, mistakes.csv and figures (.png) to --out.",
    )  # fmt: skip
    perceptron.add_argument("--dataset", choices=["blobs", "xor", "mnist"], default="blobs",
                            help="(default blobs)")  # fmt: skip
    perceptron.add_argument("--averaged", action="store_true", help="average the weights")
    perceptron.add_argument(
        "--pocket", action="store_true", help="keep the weights of the best epoch"
    )
    perceptron.add_argument(
        "--epochs", type=positive_int, help="at most (default: blobs 100, xor 20, mnist 10)"
    )
    perceptron.add_argument("--lr", type=positive_float, default=1.0, help="(default 1)")
    perceptron.add_argument("--seed", type=natural_int, default=0, help="(default 0)")
    perceptron.add_argument(
        "--points", type=positive_int, help="2-D points (default: blobs 100, xor 4)"
    )
    perceptron.add_argument(
        "--margin", type=positive_float, help="margin of the blobs, radius 1 (default 0.05)"
    )
    perceptron.add_argument("--data-dir", type=Path, metavar="DIR", help="MNIST folder")
    add_output_flags(perceptron, "run directory (default runs/perceptron-DATASET-TIME)")
    perceptron.set_defaults(run=cmd_perceptron)
    optimizers = commands.add_parser(
        "optimizers", help="compare SGD, momentum, Nesterov, RMSProp, Adam, AdamW",
        description="The optimizers study: trajectories of each optimizer on an ill-conditioned "
        "quadratic, the Rosenbrock valley and a saddle point (each at its best stable learning "
        "rate), then the same MLP trained on MNIST with each optimizer from the same initial "
        "weights through the same batches. Writes figures, CSV tables and report.md to --out.",
        epilog=OPTIMIZERS_EXAMPLES,
    )  # fmt: skip
    optimizers.add_argument("--data-dir", type=Path, metavar="DIR")
    optimizers.add_argument(
        "--epochs", type=positive_int, help="MNIST epochs per optimizer (default 10; 2 --quick)"
    )
    optimizers.add_argument(
        "--train-size",
        type=positive_int,
        help="train on this many images (default all; 5000 --quick)",
    )
    optimizers.add_argument(
        "--val-size", type=positive_int, default=5000, help="validation images (default 5000)"
    )
    optimizers.add_argument("--seed", type=natural_int, default=0, help="(default 0)")
    optimizers.add_argument(
        "--quick", action="store_true", help="one learning rate per decade; a short MNIST run"
    )
    add_output_flags(optimizers, "run directory (default runs/optimizers-TIME)", "no progress bars")
    optimizers.set_defaults(run=cmd_optimizers)

    ablate = commands.add_parser(
        "ablate", help="ablation study: width x depth x activation, over seeds, in parallel",
        epilog=ABLATE_EXAMPLES,
        description="Train every combination of --widths, --depths (hidden layers) and "
        "--activations (optionally --optimizers and --lrs), each over --seeds seeds, in parallel "
        "worker processes; everything else as `train` sets it. Writes a run directory per run "
        "under OUT/runs/, results.csv, summary.csv, figures and REPORT.md. Rerun the same "
        "command to continue a stopped study: finished runs are skipped, others resume.",
    )  # fmt: skip
    add_train_flags(ablate, grid=True)
    ablate.add_argument(
        "--widths", type=widths, help="hidden layer widths (default 16,64,256,1024)"
    )
    ablate.add_argument("--depths", type=positive_ints, help="hidden layers (default 1,2,3,4)")
    ablate.add_argument("--activations", type=names, help="(default relu,tanh,sigmoid)")
    ablate.add_argument("--optimizers", type=names, help="(default: --optimizer's only)")
    ablate.add_argument("--lrs", type=positive_floats, help="learning rates (default: --lr's)")
    ablate.add_argument(
        "--seeds", type=positive_int, help="runs per grid point, seeds from --seed (default 3)"
    )
    ablate.add_argument("--grid", type=Path, metavar="FILE.toml", help="the grid from a file")
    ablate.add_argument(
        "--full", action="store_true",
        help="the serious grid: + leaky_relu, 5 seeds, all images, 10 epochs (hours)",
    )  # fmt: skip
    ablate.add_argument(
        "--jobs", type=positive_int, help="parallel worker processes (default: the cores)"
    )
    ablate.add_argument(
        "--threads-per-job", type=positive_int, default=1, help="BLAS threads each (default 1)"
    )
    ablate.add_argument(
        "--scheduler", metavar="ADDRESS",
        help="run on this Dask cluster instead (its workers must see OUT and the data)",
    )  # fmt: skip
    ablate.add_argument(
        "--retries", type=natural_int, default=1, help="retries of a failed run (default 1)"
    )
    ablate.add_argument(
        "--run-figures", action="store_true", help="also draw each run's own figures (slower)"
    )
    ablate.add_argument(
        "--keep-checkpoints", action="store_true",
        help="keep the checkpoints of finished runs (by default deleted: 3x the weights)",
    )  # fmt: skip
    add_output_flags(ablate, "study folder (default runs/ablation-TIME)")
    ablate.set_defaults(run=cmd_ablate)

    data = commands.add_parser(
        "data", help="where data sets are; download them",
        epilog="examples:\n  numpynn data info\n  numpynn data fetch mnist",
    )  # fmt: skip
    data_commands = data.add_subparsers(
        dest="data_command", metavar="{info,fetch}", parser_class=Parser
    )
    info = data_commands.add_parser(
        "info", help="say where each data set is found, or that it is missing"
    )
    info.add_argument("--data-dir", type=Path, metavar="DIR")
    info.set_defaults(run=cmd_data_info)
    fetch = data_commands.add_parser("fetch", help="download a data set into the cache")
    fetch.add_argument("name", choices=["mnist", "fashion-mnist"])
    fetch.add_argument("--data-dir", type=Path, metavar="DIR", help="download into this folder")
    fetch.set_defaults(run=cmd_data_fetch)
    return parser


def main(argv: list[str] | None = None) -> int:
    argv = sys.argv[1:] if argv is None else list(argv)
    parser = build_parser()
    debug = "--debug" in argv
    try:
        args = parser.parse_args(argv)
        if not hasattr(args, "run"):
            parser.print_help()
            return 2
        return args.run(args)
    except UsageError as error:
        if debug:
            raise
        print(f"error: {error}", file=sys.stderr)
        return 2
    except KeyboardInterrupt:
        print("interrupted", file=sys.stderr)
        return 130
    except Exception as error:  # noqa: BLE001 — the CLI's last line of defence: one clear line
        if debug:
            raise
        print(f"error: {error}", file=sys.stderr)
        return 1
