"""Datasets: IDX files, the MNIST-style dataset registry, download and loading; the
train/validation split and mini-batches; small synthetic 2-D sets for the perceptron lessons."""

from .batching import iterate_batches, train_val_split
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
from .idx import IDXFormatError, read_idx, write_idx
from .synthetic import SeparableData, make_blobs, make_xor

__all__ = [
    "DATASETS",
    "DataNotFoundError",
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
    "search_paths",
    "train_val_split",
    "write_idx",
]
