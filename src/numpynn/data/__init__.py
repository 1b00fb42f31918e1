"""Datasets: IDX files, the MNIST-style dataset registry, download and loading."""

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

__all__ = [
    "DATASETS",
    "DataNotFoundError",
    "IDXFormatError",
    "cache_dir",
    "fetch_dataset",
    "load_dataset",
    "load_mnist",
    "locate_dataset",
    "read_idx",
    "search_paths",
    "write_idx",
]
