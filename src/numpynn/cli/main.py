"""The ``numpynn`` command line: the parser of every command, and the error policy of ``main``."""

import os
import sys

from .. import __version__
from . import broken_runs, data, debug, predict, reproduce, studies, train, workbench
from .args import Parser, UsageError

__all__ = ["build_parser", "main"]

# in the order of ``numpynn --help``
COMMANDS = [
    train.add_train,
    debug.add_diagnose,
    debug.add_lr_find,
    debug.add_vanishing,
    debug.add_gradcheck,
    broken_runs.add_broken_runs,
    train.add_evaluate,
    train.add_plot,
    predict.add_predict,
    studies.add_perceptron,
    studies.add_optimizers,
    studies.add_ablate,
    reproduce.add_reproduce,
    workbench.add_exercises,
    workbench.add_check,
    data.add_data,
]


def build_parser() -> Parser:
    parser = Parser(
        prog="numpynn",  # also `python -m numpynn`
        description="Neural networks from first principles in pure NumPy.",
        epilog="examples:\n  numpynn train\n  numpynn evaluate runs/mnist-20261129-101500\n"
        "  numpynn data info\n\nEach command has its own --help with examples.",
    )
    parser.add_argument("--debug", action="store_true", help="show the full traceback on errors")
    parser.add_argument("--version", action="version", version=f"numpynn {__version__}")
    commands = parser.add_subparsers(dest="command", metavar="COMMAND", parser_class=Parser)
    for add in COMMANDS:
        add(commands)
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
    except BrokenPipeError:  # `numpynn ... | head`: the reader has all it wanted
        os.dup2(os.open(os.devnull, os.O_WRONLY), sys.stdout.fileno())
        return 0
    except Exception as error:  # noqa: BLE001 — the CLI's last line of defence: one clear line
        if debug:
            raise
        print(f"error: {error}", file=sys.stderr)
        return 1
