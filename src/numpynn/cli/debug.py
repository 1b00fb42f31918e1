"""The commands that check a network before and while it trains: ``diagnose``, ``lr-find``,
``vanishing`` and ``gradcheck``."""

import argparse
import time
from pathlib import Path

from .args import (
    UsageError,
    add_command,
    add_model_flags,
    add_output_flags,
    add_train_flags,
    build_config,
    choose_run_dir,
)
from .argtypes import at_least_10, depths, natural_int, open_unit, positive_float, positive_int

__all__ = ["add_diagnose", "add_lr_find", "add_vanishing", "add_gradcheck"]

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


def add_diagnose(commands) -> None:
    diagnose = add_command(
        commands, "diagnose", cmd_diagnose,
        help="sanity checks of a network and its settings: PASS/WARN/FAIL",
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


def cmd_diagnose(args) -> int:
    from ..experiments.diagnose import diagnose_run

    config = build_config(args)
    out = choose_run_dir(args.out, "diagnose", "diagnose")
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


def add_lr_find(commands) -> None:
    lr_find = add_command(
        commands, "lr-find", cmd_lr_find,
        help="learning-rate range test: loss vs an exponentially growing lr",
        epilog=LR_FIND_EXAMPLES,
        description="The learning-rate range test on the network `train` would build from the "
        "same flags (--lr is ignored). Writes lr_find.png, lr_find.csv, lr_find.json, report.md.",
    )  # fmt: skip
    add_train_flags(lr_find)
    lr_find.add_argument("--start-lr", type=positive_float, default=1e-7, help="(default 1e-7)")
    lr_find.add_argument("--end-lr", type=positive_float, default=10.0, help="(default 10)")
    lr_find.add_argument(
        "--steps", type=at_least_10, default=300,
        help="batches, one learning rate each (default 300)",
    )  # fmt: skip
    add_output_flags(lr_find, "(default runs/lr-find-TIME)")


def cmd_lr_find(args) -> int:
    from ..experiments.lr_find import lr_find_run

    config = build_config(args)
    if args.start_lr >= args.end_lr:
        raise UsageError(
            f"numpynn lr-find: --start-lr must be below --end-lr, got {args.start_lr:g} and {args.end_lr:g}"
        )
    out = choose_run_dir(args.out, "lr-find", "lr-find")
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


def add_vanishing(commands) -> None:
    vanishing = add_command(
        commands, "vanishing", cmd_vanishing,
        help="vanishing gradients: sigmoid, tanh and ReLU networks by depth",
        epilog=VANISHING_EXAMPLES,
        description="Train MLPs of each depth with sigmoid, tanh and ReLU for the same budget; "
        "write per-layer gradient norms, accuracies, figures and report.md.",
    )  # fmt: skip
    vanishing.add_argument("--dataset", choices=["mnist", "fashion-mnist"], default="mnist",
                           help="(default mnist)")  # fmt: skip
    vanishing.add_argument("--data-dir", type=Path, metavar="DIR")
    vanishing.add_argument(
        "--depths", type=depths,
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


def cmd_vanishing(args) -> int:
    from ..experiments.vanishing import VanishingSettings, vanishing_run

    settings = VanishingSettings(depths=args.depths, width=args.width, steps=args.steps,
                                 lr=args.lr, batch_size=args.batch_size, seed=args.seed)  # fmt: skip
    out = choose_run_dir(args.out, "vanishing", "vanishing")
    try:
        vanishing_run(out, settings, dataset=args.dataset, data_dir=args.data_dir,
                      progress=not args.quiet)  # fmt: skip
    except ValueError as error:
        raise UsageError(str(error)) from error
    return 0


GRADCHECK_EXAMPLES = """examples:
  numpynn gradcheck                                 # the default 784-256-128-10 ReLU network
  numpynn gradcheck --hidden 30 --activation sigmoid --loss mse --max-coords 1000
  numpynn gradcheck --dropout 0.5 --dtype float64
  numpynn gradcheck --all --out runs/gradcheck      # every activation x loss at depths 1-3

Prints one row per tensor: max relative error |a - n| / max(|a| + |n|, tiny) between the
backward pass (a) and centered differences (n) in float64; exit code 1 if any tensor FAILs.
"""


def add_gradcheck(commands) -> None:
    gradcheck = add_command(
        commands, "gradcheck", cmd_gradcheck,
        help="check every backward pass against finite differences",
        epilog=GRADCHECK_EXAMPLES,
        description="Build a network from the same flags as `train` (784 inputs, 10 classes), "
        "run it on a small random batch and compare each gradient with centered finite "
        "differences in float64 (a float32 network is checked in a float64 copy).",
    )  # fmt: skip
    add_gradcheck_flags(gradcheck)


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


def cmd_gradcheck(args) -> int:
    from ..experiments.gradcheck_suite import check_all, check_mlp, format_results, write_results

    keys = ("config", "hidden", "activation", "loss", "output_activation", "init", "bias_init")
    given = [f"--{k.replace('_', '-')}" for k in keys if getattr(args, k)]
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
        network = {"output_activation": config.output_activation, "bias_init": config.bias_init,
                   "init": None if config.init == "auto" else config.init}  # fmt: skip
        cases = [check_mlp(config.hidden, config.activation, config.loss, network=network,
                           **options)]  # fmt: skip
    print(format_results(cases, time.perf_counter() - started, tables=not args.all))
    if args.out:
        print("wrote " + ", ".join(str(p) for p in write_results(cases, args.out)))
    return 0 if all(case.report.passed for case in cases) else 1
