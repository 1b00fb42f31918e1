"""Where the tests find the repository's own files and the shared real data."""

import os
from pathlib import Path

import pytest

REPO = Path(__file__).resolve().parents[1]
SRC = REPO / "src"
DOCS = REPO / "docs"
# the real MNIST files: $NUMPYNN_DATA (CI sets it), else ../shared/data beside the repository
SHARED_DATA = Path(os.environ.get("NUMPYNN_DATA") or REPO.parent / "shared" / "data").resolve()


def real_mnist() -> Path:
    """The folder of the real MNIST files; the calling test is skipped where they are absent."""
    folder = SHARED_DATA / "mnist"
    if not (folder / "t10k-labels-idx1-ubyte.gz").exists():
        pytest.skip(f"the real MNIST files are not in {folder}; set NUMPYNN_DATA")
    return folder
