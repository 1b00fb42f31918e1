"""Where the tests find the repository's own files and the shared real data."""

import os
from pathlib import Path

REPO = Path(__file__).resolve().parents[1]
SRC = REPO / "src"
DOCS = REPO / "docs"
# the real MNIST files: $NUMPYNN_DATA (CI sets it), else ../shared/data beside the repository
SHARED_DATA = Path(os.environ.get("NUMPYNN_DATA") or REPO.parent / "shared" / "data")
