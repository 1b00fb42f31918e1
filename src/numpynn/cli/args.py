"""What the commands share: the parser class, adding a command, the flags of every command that
builds a network, turning flags into a ``TrainConfig``, and a new run directory."""

import argparse
import os
from pathlib import Path

from ..activations import ACTIVATIONS
from ..data.augment import AUGMENTATIONS
from ..data.scaling import SCALINGS
from ..init import BIAS_INITIALIZERS, INITIALIZERS
from ..losses import LOSSES
from ..optim import OPTIMIZERS
from ..runs.config import AUGMENT_STRENGTHS, TrainConfig, read_config_values
from ..runs.directories import RunDirectoryError, new_run_dir
from ..runs.recipes import train_recipe_path
from ..schedules import SCHEDULES
from .argtypes import (
    decay_factor,
    natural_int,
    non_negative_float,
    positive_float,
    positive_int,
    probability,
    widths,
)

__all__ = [
    "UsageError",
    "Parser",
    "add_command",
    "add_model_flags",
    "add_train_flags",
    "add_output_flags",
    "build_config",
    "given_flags",
    "choose_run_dir",
]


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


def add_command(commands, name: str, run, **texts) -> Parser:
    """The parser of command ``name``, whose handler ``run(args)`` returns the exit code;
    ``texts``: its help, description and epilog."""
    parser = commands.add_parser(name, **texts)
    parser.set_defaults(run=run)
    return parser


def add_model_flags(parser: argparse.ArgumentParser, grid: bool = False) -> None:
    """Flags that describe the network; shared by every command that builds one. With ``grid``
    (a study's grid sets the architecture) --hidden and --activation are left out of --help;
    they still parse, so the command can say what to use instead."""
    parser.add_argument("--hidden", type=widths,
                        help=argparse.SUPPRESS if grid else "hidden layer widths (default 256,128)")  # fmt: skip
    parser.add_argument("--activation", choices=sorted(ACTIVATIONS),
                        help=argparse.SUPPRESS if grid else "(default relu)")  # fmt: skip
    parser.add_argument(
        "--output-activation", choices=sorted(ACTIVATIONS),
        help=argparse.SUPPRESS if grid else "after the last layer (default none: logits)",
    )  # fmt: skip
    parser.add_argument("--init", choices=["auto", *sorted(INITIALIZERS)],
                        help="weights (default auto: he_normal for ReLUs, else xavier_normal)")  # fmt: skip
    parser.add_argument("--bias-init", choices=sorted(BIAS_INITIALIZERS), help="(default zeros)")
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
    if not grid:  # a study's grid runs on a registered data set
        add_data_flags(parser)
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
        "--no-bias-decay", dest="decay_biases", action="store_const", const=False,
        help="weight decay on weights only, as Nielsen's L2 (config: decay_biases = false)",
    )  # fmt: skip
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
        "--val-size",
        type=natural_int,
        help="validation examples held out (default 5000; with --data a tenth of the training rows)",
    )
    parser.add_argument(
        "--split", choices=["random", "ordered"],
        help="validation images: a seeded random draw, or the last --val-size (default random)",
    )  # fmt: skip
    parser.add_argument(
        "--test-every-epoch", action="store_const", const=True,
        help="also record test loss and accuracy per epoch (to watch; select on validation)",
    )  # fmt: skip
    parser.add_argument(
        "--train-size", type=positive_int,
        help=f"train on this many of the rest (default {'10000; --full all' if grid else 'all'})",
    )  # fmt: skip
    parser.add_argument("--dtype", choices=["float32", "float64"], help="(default float32)")
    add_augment_flags(parser)


def add_data_flags(parser: argparse.ArgumentParser) -> None:
    own = parser.add_argument_group(
        "your own data (instead of --dataset; docs/own-data.md)",
        "a .csv (header optional) or .npz (x, y, optional x_test, y_test, class_names); without "
        "a test set, 20% of the rows are held out (fixed seed 0). On a small table lower "
        "--batch-size: the default 256 is one step an epoch for 200 rows",
    )
    own.add_argument("--data", metavar="FILE", type=_absolute, help="train on this file")
    own.add_argument(
        "--target", metavar="COLUMN",
        help="the CSV's label column: a header name or a 0-based index, -1 the last (default)",
    )  # fmt: skip
    own.add_argument(
        "--standardize", choices=SCALINGS,
        help="scale each input feature, measured on the training rows: standard (mean 0, std 1), "
        "minmax ([0, 1]) or none (default: standard with --data, none for image data sets)",
    )  # fmt: skip


def _absolute(path: str) -> str:
    """A data file's path, absolute: the run's config.toml then works from any folder."""
    return os.path.normpath(Path(path).expanduser().absolute())


def add_augment_flags(parser: argparse.ArgumentParser) -> None:
    augment = parser.add_argument_group(
        "augmentation (each training batch distorted afresh)",
        "shift takes --shift; affine also --rotate and --scale; elastic all five",
    )
    augment.add_argument("--augment", choices=[*AUGMENTATIONS, "none"],
                         help="(default none; given, it replaces a recipe's or config's)")  # fmt: skip
    for flag, key, words in (("--shift", "augment_shift", "pixels, each axis (default 2)"),
                             ("--rotate", "augment_rotate", "degrees either way (default 10)"),
                             ("--scale", "augment_scale", "fraction either way (default 0.1)"),
                             ("--elastic-alpha", "augment_alpha", "elastic strength, pixels (default 34)"),
                             ("--elastic-sigma", "augment_sigma", "elastic smoothness, pixels (default 4)")):  # fmt: skip
        augment.add_argument(flag, dest=key, type=non_negative_float, metavar="X", help=words)


def add_output_flags(
    parser: argparse.ArgumentParser, out_help: str, quiet_help: str = "no progress bar"
) -> None:
    """--out DIR and --quiet, in that order; shared by the commands that write a folder."""
    parser.add_argument("--out", type=Path, metavar="DIR", help=out_help)
    parser.add_argument("--quiet", action="store_true", help=quiet_help)


def build_config(args: argparse.Namespace) -> TrainConfig:
    """Defaults, then train's --recipe, then the --config file, then the flags given on the
    command line."""
    try:
        values = TrainConfig().to_dict()
        flags = given_flags(args)
        if flags.get("augment") == "none":
            flags["augment"] = None
        layers = (
            [read_config_values(train_recipe_path(args.recipe))]
            if getattr(args, "recipe", None)
            else []
        )
        layers += [read_config_values(args.config)] if args.config else []
        if "dataset" in flags and "data" in flags:
            raise ValueError("give --dataset or --data, not both")
        for layer in [*layers, flags]:
            if "augment" in layer:  # another kind (or none) on top: the strengths below it go
                values |= {f"augment_{key}": None for key in AUGMENT_STRENGTHS}
            values |= layer
        config = TrainConfig(**values).validate()
        if config.data is not None and not any("val_size" in layer for layer in [*layers, flags]):
            from ..runs.data import data_val_size  # reads the file: only when it is needed

            config.val_size = data_val_size(config)
        if config.data is not None and config.standardize is None:
            config.standardize = config.scaling()  # written out, so config.toml says it
        return config
    except (ValueError, FileNotFoundError) as error:
        raise UsageError(str(error)) from error


def given_flags(args: argparse.Namespace) -> dict:
    """The config keys set by flags on the command line."""
    keys = TrainConfig().to_dict()
    return {key: getattr(args, key) for key in keys if getattr(args, key, None) is not None}


def choose_run_dir(
    out: Path | None, command: str, name: str, study_file: str | None = None
) -> Path:
    """--out, or runs/NAME-TIME (``runs.directories.new_run_dir``); a folder that cannot be used
    is a usage error that says what to do instead."""
    try:
        return new_run_dir(out, name, study_file)
    except RunDirectoryError as error:
        advice = "choose another" if study_file is not None else "choose another folder"
        if command == "train":
            advice += f", or continue it with `numpynn train --resume {error.path}`"
        raise UsageError(
            f"numpynn {command}: --out {error.path} {error.problem}; {advice}"
        ) from None
