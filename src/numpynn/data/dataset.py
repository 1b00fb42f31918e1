"""A data set as a run uses it: its four arrays and what is known about them (``DataInfo``):
the names of its classes, the shape of an image (None for rows of a table), where it came from
and how its inputs were scaled. A model file keeps the ``DataInfo`` it was trained on, so that
``evaluate`` and ``predict`` give it inputs of the same kind, scaled the same way."""

import os
from dataclasses import dataclass, field, replace

import numpy as np

from ..validation import is_int, look_up
from .datasets import DATASETS, load_dataset
from .scaling import Scaling

__all__ = ["DataInfo", "Dataset", "load_registered", "registered_info"]

MAX_CLASSES = 100_000
MAX_NAME = 1000  # characters of a class or feature name read from a file


@dataclass
class DataInfo:
    """What a model must know about its data besides the arrays.

    ``name``: "mnist", "fashion-mnist" or the data file's name; ``description``: what one input
    is, in words; ``class_names[c]``: the name of label ``c``; ``image_shape``: (rows, cols) of an
    image, None for rows of a table; ``features``: the column names of a table (None for images
    and nameless columns); ``source``: where the data came from (``{"dataset": name}`` or
    ``{"file": path, "sha256": ..., "target": ...}``); ``scaling``: what was applied to every
    input after loading (None: nothing; images are already in [0, 1])."""

    name: str
    description: str
    class_names: list[str]
    image_shape: tuple[int, int] | None = None
    features: list[str] | None = None
    source: dict = field(default_factory=dict)
    scaling: Scaling | None = None

    @property
    def num_classes(self) -> int:
        """How many classes: the length of ``class_names``."""
        return len(self.class_names)

    @property
    def examples(self) -> str:
        """What one example is called: "images", or "rows" of a table."""
        return "images" if self.image_shape else "rows"

    def expects(self) -> str:
        """What a model trained on these data takes, in words, for error messages."""
        names = ", ".join(self.class_names[:10]) + (", ..." if self.num_classes > 10 else "")
        return f"{self.name} ({self.description}; classes: {names})"

    def to_dict(self) -> dict:
        """Plain JSON values (what a model file's header keeps); ``from_dict`` reads them."""
        values = {key: getattr(self, key) for key in ("name", "description", "class_names",
                                                      "features", "source")}  # fmt: skip
        values["image_shape"] = list(self.image_shape) if self.image_shape else None
        values["scaling"] = self.scaling.to_dict() if self.scaling else None
        return values

    @classmethod
    def from_dict(cls, values, where: str) -> "DataInfo":
        """The ``DataInfo`` that ``to_dict`` wrote into a model file (``where``), checked."""
        problem = _info_problem(values)
        if problem:
            raise ValueError(f"{where}: the data description it records {problem}; it is damaged")
        scaling = values.get("scaling")
        shape = values.get("image_shape")
        return cls(
            values["name"], values["description"], list(values["class_names"]),
            tuple(shape) if shape else None, values.get("features"), values.get("source") or {},
            Scaling.from_dict(scaling, where) if scaling is not None else None,
        )  # fmt: skip


def _names_problem(names, what: str) -> str | None:
    if not isinstance(names, list) or not 1 <= len(names) <= MAX_CLASSES:
        return f"must have a list of 1 to {MAX_CLASSES} {what}"
    if not all(isinstance(n, str) and len(n) <= MAX_NAME for n in names):
        return f"must have {what} that are strings of at most {MAX_NAME} characters"
    return None


def _info_problem(values) -> str | None:
    if not isinstance(values, dict):
        return "is not a JSON object"
    if not (isinstance(values.get("name"), str) and isinstance(values.get("description"), str)):
        return "must have a name and a description (strings)"
    source = values.get("source", {})
    if not isinstance(source, dict):
        return "must have a source that is a JSON object"
    if values.get("image_shape") is None and not (
        is_int(source.get("width")) and source["width"] > 0
    ):
        return "must give the width of a table's rows (source.width, an integer > 0)"
    shape = values.get("image_shape")
    if shape is not None and not (
        isinstance(shape, list) and len(shape) == 2
        and all(isinstance(n, int) and 0 < n <= 1 << 16 for n in shape)
    ):  # fmt: skip
        return f"must have an image_shape of two positive integers or null, not {str(shape)[:40]}"
    problem = _names_problem(values.get("class_names"), "class names")
    if problem or values.get("features") is None:
        return problem
    return _names_problem(values["features"], "feature names")


@dataclass
class Dataset:
    """Training and test arrays (x float32 (N, D), y int64 (N,) in 0..C-1) and their ``info``."""

    x_train: np.ndarray
    y_train: np.ndarray
    x_test: np.ndarray
    y_test: np.ndarray
    info: DataInfo

    @property
    def in_features(self) -> int:
        """The width of one input: the number of columns of ``x_train``."""
        return self.x_train.shape[1]

    def __repr__(self) -> str:
        shape = "x".join(map(str, self.info.image_shape)) if self.info.image_shape else None
        width = f"{shape} images" if shape else f"{self.in_features} features"
        return (f"Dataset({self.info.name}: {len(self.y_train):,} training and {len(self.y_test):,} "
                f"test examples, {width}, {self.info.num_classes} classes)")  # fmt: skip

    def scaled(self, scaling: Scaling | None) -> "Dataset":
        """These data with ``scaling`` applied to both inputs (and recorded in ``info``)."""
        if scaling is None:
            return self
        return replace(self, x_train=scaling(self.x_train), x_test=scaling(self.x_test),
                       info=replace(self.info, scaling=scaling))  # fmt: skip


def load_registered(
    name: str, data_dir: str | os.PathLike | None = None, *, progress: bool = False
) -> Dataset:
    """Dataset ``name`` of ``DATASETS`` (``load_dataset``'s arrays) with its class names."""
    arrays = load_dataset(name, data_dir, progress=progress)  # an unknown name fails here
    return Dataset(*arrays, registered_info(name))


def registered_info(name: str) -> DataInfo:
    """The ``DataInfo`` of data set ``name`` of ``DATASETS``, its images scaled to [0, 1]."""
    spec = look_up("dataset", name, DATASETS)
    rows, cols = spec["image_shape"]
    return DataInfo(name, f"{rows}x{cols} {spec['description']}", list(spec["class_names"]),
                    spec["image_shape"], source={"dataset": name})  # fmt: skip
