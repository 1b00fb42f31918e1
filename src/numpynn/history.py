"""History: what ``fit`` records, one row per epoch plus every mini-batch's loss; written as
``history.csv`` (the rows) and ``history.json`` (rows and batch losses), and read back."""

import csv
import io
import json
import os
from pathlib import Path

from .files import require_regular_file
from .tables import csv_text

__all__ = ["COLUMNS", "History", "read_history"]

COLUMNS = ["epoch", "train_loss", "train_accuracy", "val_loss", "val_accuracy", "lr", "seconds"]


class History:
    """One row per epoch (a dict with ``COLUMNS``); ``history["val_accuracy"]`` is a column.
    ``batch_loss`` holds the training loss of every mini-batch, in order."""

    def __init__(self, rows: list[dict] | None = None, batch_loss: list[float] | None = None):
        self.rows = list(rows or [])
        self.batch_loss = list(batch_loss or [])

    def append(self, row: dict) -> None:
        self.rows.append(row)

    def __getitem__(self, column: str) -> list:
        return [row[column] for row in self.rows]

    def __len__(self) -> int:
        return len(self.rows)

    def to_csv(self) -> str:
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
        values = json.loads(text)
        return cls(values["epochs"], values["batch_loss"])

    def __repr__(self) -> str:
        return f"History({len(self.rows)} epochs)"


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
