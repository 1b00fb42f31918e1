"""History: what ``fit`` records, one row per epoch plus every mini-batch's loss; written as
``history.csv`` (the rows) and ``history.json`` (rows and batch losses), and read back; shown as
a table by ``print``, in a notebook, or as a pandas DataFrame."""

import csv
import html
import io
import json
import math
import os
from pathlib import Path

from .files import require_regular_file
from .tables import aligned_text, csv_text

__all__ = ["COLUMNS", "History", "read_history"]

COLUMNS = ["epoch", "train_loss", "train_accuracy", "val_loss", "val_accuracy", "lr", "seconds"]
MAX_ROWS = 20  # a longer table shows its first and last MAX_ROWS // 2 epochs


class History:
    """One row per epoch (a dict with ``COLUMNS``); ``history["val_accuracy"]`` is a column.
    ``batch_loss`` holds the training loss of every mini-batch, in order. ``print(history)``
    shows the rows as a table; ``history.to_pandas()`` is a DataFrame."""

    def __init__(self, rows: list[dict] | None = None, batch_loss: list[float] | None = None):
        self.rows = list(rows or [])
        self.batch_loss = list(batch_loss or [])

    def append(self, row: dict) -> None:
        """Add one epoch's row."""
        self.rows.append(row)

    def __getitem__(self, column: str) -> list:
        return [row[column] for row in self.rows]

    def __len__(self) -> int:
        return len(self.rows)

    def to_csv(self) -> str:
        """The rows as CSV text, every digit kept (``history.csv``)."""
        return csv_text(self.rows, None if self.rows else COLUMNS)

    @classmethod
    def from_csv(cls, text: str) -> "History":
        """The rows of ``to_csv`` (without batch losses, which only JSON holds)."""
        rows = csv.DictReader(io.StringIO(text))
        return cls(
            [{k: int(v) if k == "epoch" else float(v) for k, v in row.items()} for row in rows]
        )

    def to_json(self) -> str:
        """Rows plus the per-batch losses (rounded to 6 significant digits to stay compact)."""
        batch_loss = [float(f"{loss:.6g}") for loss in self.batch_loss]
        return json.dumps({"epochs": self.rows, "batch_loss": batch_loss}) + "\n"

    @classmethod
    def from_json(cls, text: str) -> "History":
        """The rows and batch losses of ``to_json``."""
        values = json.loads(text)
        return cls(values["epochs"], values["batch_loss"])

    def to_pandas(self):
        """The rows as a pandas DataFrame indexed by epoch (``.plot(y=["train_loss",
        "val_loss"])``); needs pandas. ``pandas.Series(history.batch_loss)`` has the batches."""
        try:
            import pandas as pd
        except ImportError as error:
            raise ImportError("History.to_pandas needs pandas: pip install pandas") from error
        return pd.DataFrame(self.rows, columns=self._columns()).set_index("epoch")

    def table(self, max_rows: int | None = MAX_ROWS) -> str:
        """The rows as aligned text, one line per epoch (the middle elided beyond ``max_rows``;
        None shows all). Columns with no value (no validation: ``val_loss``) are left out."""
        columns, cells, skipped = self._grid(max_rows)
        header, *shown = aligned_text([columns, *filter(None, cells)], right=True)
        shown = iter(shown)
        gap = f"... {skipped} more epochs ..."
        return "\n".join([header, *(next(shown) if line else gap for line in cells)])

    def _repr_html_(self) -> str:
        """The table in a Jupyter notebook."""
        columns, cells, skipped = self._grid(MAX_ROWS)
        gap = f'<td colspan="{len(columns)}">... {skipped} more epochs ...</td>'
        rows = [gap if not line else "".join(f"<td>{html.escape(v)}</td>" for v in line)
                for line in cells]  # fmt: skip
        head = "".join(f"<th>{html.escape(c)}</th>" for c in columns)
        body = "".join(f"<tr>{row}</tr>" for row in rows)
        return f"<table><thead><tr>{head}</tr></thead><tbody>{body}</tbody></table>"

    def _columns(self) -> list[str]:
        """Every key of every row, in order of first appearance (``COLUMNS`` when empty)."""
        return list(dict.fromkeys(k for row in self.rows for k in row)) or list(COLUMNS)

    def _grid(self, max_rows: int | None) -> tuple[list[str], list[list[str] | None], int]:
        """The shown columns, each shown row's cells (None where epochs are elided), and how
        many epochs are elided."""
        columns = [c for c in self._columns() if any(_shown(row.get(c)) for row in self.rows)]
        rows, skipped = self.rows, 0
        if max_rows is not None and len(rows) > max(max_rows, 2):
            half = max(max_rows // 2, 1)
            rows, skipped = [*rows[:half], None, *rows[-half:]], len(rows) - 2 * half
        cells = [row and [_cell(c, row.get(c)) for c in columns] for row in rows]
        return columns or list(COLUMNS), cells, skipped

    def __str__(self) -> str:
        return self.table()

    def __repr__(self) -> str:
        last = self.rows[-1] if self.rows else {}
        shown = [f"{c} {_cell(c, last[c])}" for c in COLUMNS[1:5] if _shown(last.get(c))]
        return f"History({len(self.rows)} epoch{'s' * (len(self.rows) != 1)}{'; last: ' if shown else ''}{', '.join(shown)})"


def _shown(value) -> bool:
    return value is not None and not (isinstance(value, float) and math.isnan(value))


def _cell(column: str, value) -> str:
    """A value as the table shows it: losses and accuracies to 4 decimals, others to 4 digits."""
    if not _shown(value):
        return "-"
    if isinstance(value, str | int) or column == "epoch":
        return str(value)
    if column.endswith(("loss", "accuracy")):
        return f"{value:.4f}"
    return f"{value:.2f}" if column == "seconds" else f"{value:.4g}"


def read_history(folder: str | os.PathLike) -> History:
    """The History saved in ``folder`` (a run directory): history.json if present, else
    history.csv."""
    folder = Path(folder)
    if (folder / "history.json").exists():
        return History.from_json(require_regular_file(folder / "history.json").read_text())
    if not (folder / "history.csv").exists():
        raise FileNotFoundError(
            f"{folder} has no history.json or history.csv; is it a run directory?"
        )
    return History.from_csv(require_regular_file(folder / "history.csv").read_text())
