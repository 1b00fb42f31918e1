"""Datasets: IDX files, the MNIST-style dataset registry, download and loading; your own CSV and
NPZ files; the train/validation split and mini-batches; small synthetic 2-D sets for the
perceptron lessons."""

from .batching import iterate_batches, train_val_split
from .dataset import DataInfo, Dataset
from .datasets import (
    DATASETS,
    DataNotFoundError,
    cache_dir,
    fetch_dataset,
    load_dataset,
    load_mnist,
    locate_dataset,
    search_paths,
)
from .file_checks import DataFileError
from .idx import IDXFormatError, read_idx, write_idx
from .labeled import read_labeled
from .synthetic import SeparableData, make_blobs, make_xor

__all__ = [
    "DATASETS",
    "DataFileError",
    "DataInfo",
    "DataNotFoundError",
    "Dataset",
    "IDXFormatError",
    "SeparableData",
    "cache_dir",
    "fetch_dataset",
    "iterate_batches",
    "load_dataset",
    "load_mnist",
    "locate_dataset",
    "make_blobs",
    "make_xor",
    "read_idx",
    "read_labeled",
    "search_paths",
    "train_val_split",
    "write_idx",
]
