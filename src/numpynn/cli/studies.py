"""The studies: ``perceptron``, ``optimizers`` and the ``ablate`` ablation study."""

import sys
from pathlib import Path

from .args import (
    UsageError,
    add_command,
    add_output_flags,
    add_train_flags,
    choose_run_dir,
    given_flags,
)
from .argtypes import (
    address,
    names,
    natural_int,
    positive_float,
    positive_floats,
    positive_int,
    positive_ints,
    widths,
)

__all__ = ["add_perceptron", "add_optimizers", "add_ablate"]

PERCEPTRON_EXAMPLES = """examples:
  numpynn perceptron                              # separable blobs: converges within Novikoff's bound
  numpynn perceptron --dataset blobs --margin 0.02 --seed 3 --out runs/narrow-margin
  numpynn perceptron --dataset xor                # never 100%; a 2-layer MLP beside it is
  numpynn perceptron --dataset xor --points 200 --pocket
  numpynn perceptron --dataset mnist --averaged   # ~93% test accuracy, under a second per epoch
"""


def add_perceptron(commands) -> None:
    perceptron = add_command(
        commands, "perceptron", cmd_perceptron,
        help="Rosenblatt's perceptron on blobs, XOR or MNIST",
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


def cmd_perceptron(args) -> int:
    from ..experiments.perceptron import check_options, perceptron_run

    options = {"points": args.points, "margin": args.margin, "data_dir": args.data_dir}
    try:
        check_options(args.dataset, **options, who="numpynn perceptron", flags=True)
    except ValueError as error:
        raise UsageError(str(error)) from None
    out = choose_run_dir(args.out, "perceptron", f"perceptron-{args.dataset}")
    perceptron_run(
        args.dataset, out, averaged=args.averaged, pocket=args.pocket, epochs=args.epochs,
        lr=args.lr, seed=args.seed, progress=not args.quiet, **options,
    )  # fmt: skip
    return 0


OPTIMIZERS_EXAMPLES = """examples:
  numpynn optimizers                        # the full study: a few minutes on 2 cores
  numpynn optimizers --quick                # coarser lr grid; MNIST: 2 epochs on 5,000 images
  numpynn optimizers --epochs 20 --out runs/optimizers-20
"""


def add_optimizers(commands) -> None:
    optimizers = add_command(
        commands, "optimizers", cmd_optimizers,
        help="compare SGD, momentum, Nesterov, RMSProp, Adam, AdamW",
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


def cmd_optimizers(args) -> int:
    from ..experiments.optimizers import run_study

    out = choose_run_dir(args.out, "optimizers", "optimizers")
    run_study(
        out, data_dir=args.data_dir, epochs=args.epochs or (2 if args.quick else 10),
        train_size=args.train_size or (5000 if args.quick else None), val_size=args.val_size,
        quick=args.quick, seed=args.seed, progress=not args.quiet,
    )  # fmt: skip
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


def add_ablate(commands) -> None:
    ablate = add_command(
        commands, "ablate", cmd_ablate,
        help="ablation study: width x depth x activation, over seeds, in parallel",
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
        "--scheduler", type=address, metavar="ADDRESS",
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


def cmd_ablate(args) -> int:
    from ..experiments.ablation import check_data, resolve_study, run_study
    from ..runs.sweep import available_cores

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
    out = choose_run_dir(args.out, "ablate", "ablation", study_file="study.json")
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
