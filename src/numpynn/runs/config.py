"""TrainConfig: every setting of a training run, validated, read from and written to TOML."""

import dataclasses
import math
import numbers
import tomllib
from dataclasses import dataclass, field
from pathlib import Path

import numpy as np

from ..activations import ACTIVATIONS
from ..data.augment import AUGMENTATIONS, DEFAULT_STRENGTHS, Augmenter
from ..data.datasets import DATASETS
from ..data.scaling import SCALINGS
from ..files import atomic_write_text, require_regular_file
from ..init import BIAS_INITIALIZERS, INITIALIZERS
from ..losses import LOSSES
from ..model import Sequential, check_size, mlp
from ..optim import OPTIMIZERS, Optimizer, get_optimizer
from ..parameter import Parameter
from ..schedules import SCHEDULES, Schedule, make_schedule
from ..validation import check_choice, check_int, check_number, is_int, plain

__all__ = [
    "TrainConfig",
    "load_config",
    "save_config",
    "to_toml",
    "read_toml",
    "read_config_values",
    "check_keys",
]


MAX_TOML_BYTES = 1 << 20
SPLITS = ["random", "ordered"]
AUGMENT_STRENGTHS = (
    "shift",
    "rotate",
    "scale",
    "alpha",
    "sigma",
)  # the keys augment_<name>  # the validation images: a seeded random draw, or the last ones


@dataclass
class TrainConfig:
    """The full recipe of a run; ``config.toml`` in a run directory holds exactly these keys."""

    dataset: str = "mnist"
    data: str | None = None  # a .csv or .npz file of your own, instead of dataset
    target: str | int | None = None  # the label column of a CSV (name or index); None: the last
    standardize: str | None = None  # none, standard, minmax; None: standard for data, else none
    hidden: list[int] = field(default_factory=lambda: [256, 128])
    activation: str = "relu"
    output_activation: str | None = None  # None: the network outputs logits
    init: str = "auto"
    bias_init: str | None = None  # None: zeros; "normal": N(0, 1) as Nielsen's book
    dropout: float = 0.0
    loss: str = "cross-entropy"
    optimizer: str = "adam"
    lr: float = 5e-3  # the peak of the cosine schedule below
    momentum: float | None = None  # None: the optimizer's default (0.9 for momentum/nesterov)
    weight_decay: float | None = None  # None: the optimizer's default (1e-2 for adamw, else 0)
    decay_biases: bool | None = None  # None: yes; false decays the weights only (Nielsen's L2)
    schedule: str = "cosine"
    warmup_epochs: int = 0
    gamma: float | None = None  # step/exponential decay factor; None: see make_schedule
    step_size: int | None = None  # epochs between step decays; None: a third of the run
    clip_norm: float | None = None  # cap on the global gradient norm; None: no clipping
    batch_size: int = 256
    epochs: int = 5
    patience: int = 0  # early stopping after this many epochs without a better val loss; 0: off
    test_every_epoch: bool | None = None  # None: no; true adds test_loss/test_accuracy per epoch
    val_size: int = 5000
    split: str | None = None  # None: "random" (seeded); "ordered": the last val_size images
    train_size: int | None = None  # train on the first N images of the shuffled split; None: all
    augment: str | None = None  # None: the images as they are; shift, affine or elastic
    augment_shift: float | None = None  # pixels; None: the kind's default (data/augment.py)
    augment_rotate: float | None = None  # degrees (affine, elastic)
    augment_scale: float | None = None  # a fraction (affine, elastic)
    augment_alpha: float | None = None  # the elastic field's strength, pixels
    augment_sigma: float | None = None  # the elastic field's smoothness, pixels
    seed: int = 0
    dtype: str = "float32"

    def validate(self) -> "TrainConfig":
        """Raise ValueError naming the first bad key, its allowed values and what was given.
        NumPy numbers are kept as the Python numbers of the same value (JSON and TOML hold only
        those)."""
        for key, value in self.to_dict().items():
            setattr(
                self, key, [plain(v) for v in value] if isinstance(value, list) else plain(value)
            )
        check_choice("dataset", self.dataset, DATASETS)
        check_choice("activation", self.activation, ACTIVATIONS)
        check_choice("init", self.init, ["auto", *INITIALIZERS])
        self._check_options()
        check_choice("loss", self.loss, LOSSES)
        check_choice("optimizer", self.optimizer, OPTIMIZERS)
        check_choice("schedule", self.schedule, SCHEDULES)
        check_choice("dtype", self.dtype, ["float32", "float64"])
        if not (isinstance(self.hidden, list) and all(is_int(h) and h >= 1 for h in self.hidden)):
            raise ValueError(
                f"hidden must be a list of widths >= 1 (e.g. [256, 128]), got {self.hidden!r}"
            )
        check_number("lr", self.lr, 0, low_open=True)
        check_number("dropout", self.dropout, 0, 1)
        for key in ("batch_size", "epochs"):
            check_int(key, getattr(self, key), 1)
        for key in ("val_size", "seed", "warmup_epochs", "patience"):
            check_int(key, getattr(self, key), 0)
        if self.patience and not self.val_size:
            raise ValueError("patience needs a validation set; set val_size > 0 or patience = 0")
        for key in ("momentum", "weight_decay", "gamma", "clip_norm"):
            if getattr(self, key) is not None:
                check_number(key, getattr(self, key), 0, low_open=key in ("gamma", "clip_norm"))
        for key in ("step_size", "train_size"):
            if getattr(self, key) is not None:
                check_int(key, getattr(self, key), 1)
        spec = DATASETS[self.dataset]
        if self.data is None:
            check_size(self.sizes(math.prod(spec["image_shape"]), spec["num_classes"]), "hidden")
        # the optimizer and the schedule check how their options combine (nesterov needs momentum)
        optimizer = self.build_optimizer([Parameter(np.zeros(1))])
        if self.decay_biases is False and not optimizer.weight_decay:
            raise ValueError(
                f"decay_biases = false needs weight_decay > 0 ({self.optimizer}'s is 0)"
            )
        self.build_schedule()
        return self

    def _check_data(self) -> None:
        """data, target and standardize: your own data file instead of a registered data set."""
        if self.data is not None:
            if not isinstance(self.data, str) or not self.data:
                raise ValueError(f"data must be the path of a .csv or .npz file, got {self.data!r}")
            if self.dataset != "mnist":
                raise ValueError(
                    f"set dataset ({self.dataset!r}) or data ({self.data!r}), not both; "
                    "data trains on your own file"
                )
        if self.target is not None:
            if self.data is None:
                raise ValueError(
                    "target names the label column of a data file; give the file too "
                    "(--data FILE.csv, or data = in a config)"
                )
            if isinstance(self.target, bool) or not isinstance(self.target, str | int):
                raise ValueError(f"target must be a column name or index, got {self.target!r}")
        if self.standardize is not None:
            check_choice("standardize", self.standardize, SCALINGS)

    def scaling(self) -> str:
        """The scaling of the inputs: ``standardize``, or by default standard for a data file
        (features of any range) and none for an image data set (pixels already in [0, 1])."""
        if self.standardize is not None:
            return self.standardize
        return "standard" if self.data is not None else "none"

    def _check_options(self) -> None:
        """The keys that are unset (None) unless a recipe needs them (Nielsen's, LeCun's)."""
        self._check_data()
        for key, allowed in (("output_activation", ACTIVATIONS), ("bias_init", BIAS_INITIALIZERS),
                             ("split", SPLITS)):  # fmt: skip
            if getattr(self, key) is not None:
                check_choice(key, getattr(self, key), allowed)
        for key in ("decay_biases", "test_every_epoch"):
            if getattr(self, key) is not None and not isinstance(getattr(self, key), bool):
                raise ValueError(f"{key} must be true or false, got {getattr(self, key)!r}")
        if self.output_activation is not None and self.loss != "mse":
            raise ValueError(
                f"loss {self.loss} takes logits (it applies its own softmax or sigmoid); use "
                f"output_activation {self.output_activation!r} with loss mse, or leave it unset"
            )
        if self.split == "ordered" and not self.val_size:
            raise ValueError("split = ordered holds out the last val_size images; set val_size > 0")
        strengths = {
            key: value for key, value in self._augment_strengths().items() if value is not None
        }
        if self.augment is None and strengths:
            key = next(iter(strengths))
            kinds = [kind for kind, takes in DEFAULT_STRENGTHS.items() if key in takes]
            raise ValueError(f"augment_{key} needs augment = {' or '.join(kinds)}")
        for key, value in strengths.items():
            check_number(f"augment_{key}", value, 0, 1 if key == "scale" else math.inf,
                         low_open=key == "sigma")  # fmt: skip
        if self.augment is not None:
            check_choice("augment", self.augment, AUGMENTATIONS)
            self.build_augmenter((28, 28))  # checks the strengths the kind takes

    def _augment_strengths(self) -> dict:
        return {key: getattr(self, f"augment_{key}") for key in AUGMENT_STRENGTHS}

    def build_augmenter(self, image_shape) -> Augmenter | None:
        """The augmentation this config asks for (None: none). It draws from the fourth child of
        the run's SeedSequence, independent of the weights, split and order (the first three,
        ``runs.run.seed_streams``: spawning a fourth leaves them as they were)."""
        if self.augment is None:
            return None
        strengths = {k: v for k, v in self._augment_strengths().items() if v is not None}
        takes = DEFAULT_STRENGTHS[self.augment]
        for key in strengths:
            if key not in takes:
                raise ValueError(f"augment_{key} does not apply to augment = {self.augment!r}, "
                                 f"which takes {', '.join('augment_' + k for k in takes)}")  # fmt: skip
        seed = int(np.random.SeedSequence(self.seed).spawn(4)[3].generate_state(1)[0])
        return Augmenter(self.augment, image_shape, seed=seed, **strengths)

    def build_optimizer(self, params) -> Optimizer:
        return get_optimizer(
            self.optimizer, params, self.lr, momentum=self.momentum, weight_decay=self.weight_decay,
            decay_biases=self.decay_biases,
        )  # fmt: skip

    def build_schedule(self) -> Schedule:
        return make_schedule(
            self.schedule, self.lr, self.epochs, warmup_epochs=self.warmup_epochs,
            gamma=self.gamma, step_size=self.step_size,
        )  # fmt: skip

    def build_model(self, in_features: int, num_classes: int, rng) -> Sequential:
        """The network this config describes, its weights drawn from ``rng``."""
        return mlp(self.sizes(in_features, num_classes), self.activation, dropout=self.dropout,
                   init=None if self.init == "auto" else self.init, bias_init=self.bias_init or "zeros",
                   output_activation=self.output_activation, dtype=self.dtype, rng=rng)  # fmt: skip

    def sizes(self, in_features: int, num_classes: int) -> list[int]:
        return [in_features, *self.hidden, num_classes]

    def to_dict(self) -> dict:
        """Every key; a run on a data file leaves out ``dataset``, which it does not use."""
        values = dataclasses.asdict(self)
        if self.data is not None:
            del values["dataset"]
        return values


def read_toml(path: Path, what: str) -> dict:
    """The TOML file ``path`` as a dict; a missing or malformed file is a clear error."""
    try:
        if require_regular_file(path).stat().st_size > MAX_TOML_BYTES:
            raise ValueError(f"larger than {MAX_TOML_BYTES:,} bytes; a config is a few lines")
        return tomllib.loads(path.read_text(encoding="utf-8"))
    except FileNotFoundError:
        raise FileNotFoundError(f"{what} {path} does not exist") from None
    except (tomllib.TOMLDecodeError, UnicodeDecodeError, IsADirectoryError, ValueError) as error:
        raise ValueError(f"{path}: not a valid TOML {what} ({error})") from None


def check_keys(values: dict, valid, path: Path, hint: str = "") -> None:
    """Unknown keys in a file are an error (they are usually typos): name the first of them and
    list the ``valid`` ones, then ``hint``."""
    unknown = sorted(set(values) - set(valid))
    if unknown:
        raise ValueError(
            f"{path}: unknown key {unknown[0]!r}; valid keys: {', '.join(sorted(valid))}{hint}"
        )


def read_config_values(path: str | Path) -> dict:
    """The keys a TOML config file sets, as a dict, each a TrainConfig key (values unchecked).
    A recipe's ``[recipe]`` table (where it comes from: ``runs.recipes``) is left out."""
    path = Path(path)
    values = read_toml(path, "config file")
    if "recipe" in values or "example" in values:
        from .recipes import split_recipe  # recipes build on this module

        values, example = split_recipe(values, path)[1:]
        if example is not None:
            raise ValueError(
                f"{path} is a worked example, not a training config; run it with "
                f"`numpynn reproduce {path.stem}`"
            )
    check_keys(values, [f.name for f in dataclasses.fields(TrainConfig)], path)
    return values


def load_config(path: str | Path) -> TrainConfig:
    """Read a TOML file of TrainConfig keys; unknown keys are an error (they are usually typos)."""
    return TrainConfig(**read_config_values(path)).validate()


def save_config(config: TrainConfig, path: str | Path) -> None:
    """Write ``config`` to the TOML file ``path`` (atomically); ``load_config`` reads it back."""
    atomic_write_text(path, to_toml(config.to_dict()))


def to_toml(values: dict) -> str:
    """Flat TOML for strings, numbers, booleans and lists of them (None values are left out)."""
    return "".join(f"{key} = {_toml_value(v)}\n" for key, v in values.items() if v is not None)


def _toml_value(v) -> str:
    if isinstance(v, bool):
        return "true" if v else "false"
    if isinstance(v, str):
        return '"' + v.replace("\\", "\\\\").replace('"', '\\"') + '"'
    if isinstance(v, list | tuple):
        return "[" + ", ".join(_toml_value(x) for x in v) + "]"
    return repr(int(v) if isinstance(v, numbers.Integral) else float(v))
