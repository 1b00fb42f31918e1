"""Datasets: IDX files, the MNIST-style dataset registry, download and loading; small synthetic
2-D sets for the perceptron lessons."""

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
    "load_dataset",
    "load_mnist",
    "locate_dataset",
    "make_blobs",
    "make_xor",
    "read_idx",
    "search_paths",
    "write_idx",
]
