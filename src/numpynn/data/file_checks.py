"""What every reader of a data file shares: the one error a bad file raises
(``DataFileError``, naming the file and where in it), the size limit, and the check that a path
is a regular, non-empty file numpynn will read."""

from pathlib import Path

from ..files import require_regular_file

__all__ = ["DataFileError", "FORMATS", "MAX_DATA_BYTES", "check_data_file"]

MAX_DATA_BYTES = 1 << 30  # of a data file, and of any one array in an .npz
FORMATS = ".csv (a header line is optional) or .npz (arrays x and y)"


class DataFileError(ValueError):
    """A data file (CSV or NPZ) that cannot be used; the message names the file and where."""


def check_data_file(path: Path) -> None:
    """Refuse ``path`` unless it is a regular file of 1..``MAX_DATA_BYTES`` bytes."""
    try:
        size = require_regular_file(path).stat().st_size
    except FileNotFoundError:
        raise FileNotFoundError(f"{path} does not exist; give {FORMATS}") from None
    except IsADirectoryError:
        raise DataFileError(f"{path}: is a folder, not a file; give {FORMATS}") from None
    except ValueError:
        raise DataFileError(
            f"{path}: is not a regular file (a FIFO, socket or device); give {FORMATS}"
        ) from None
    if size > MAX_DATA_BYTES:
        raise DataFileError(
            f"{path}: {size:,} bytes, more than the {MAX_DATA_BYTES:,} numpynn reads; use a "
            "sample of it"
        )
    if size == 0:
        raise DataFileError(f"{path}: the file is empty; give {FORMATS}")
