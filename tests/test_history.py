"""History: one row per epoch and every batch's loss, written as CSV and JSON and read back."""

import pytest

import numpynn as nn
from numpynn.history import COLUMNS, read_history

ROWS = [
    {"epoch": 1, "train_loss": 0.5, "train_accuracy": 0.8, "val_loss": 0.4, "val_accuracy": 0.85,
     "lr": 0.001, "seconds": 1.25},
    {"epoch": 2, "train_loss": 0.1 + 0.2, "train_accuracy": 0.9, "val_loss": float("nan"),
     "val_accuracy": float("nan"), "lr": 0.0005, "seconds": 1.0},
]  # fmt: skip


def test_rows_and_columns():
    history = nn.History(ROWS, [1.0, 0.5])
    assert len(history) == 2 and history["epoch"] == [1, 2] and history["lr"] == [0.001, 0.0005]
    assert repr(history) == "History(2 epochs)"


def test_csv_keeps_every_digit_and_reads_back_the_same_rows():
    text = nn.History(ROWS).to_csv()
    assert text.splitlines()[0] == ",".join(COLUMNS)
    assert "0.30000000000000004" in text  # repr, not a rounded str
    back = nn.History.from_csv(text)
    assert back["epoch"] == [1, 2] and back["train_loss"] == [0.5, 0.1 + 0.2]
    assert back.rows[0] == ROWS[0] and back.batch_loss == []
    assert nn.History().to_csv() == ",".join(COLUMNS) + "\n"  # an empty history has the header


def test_json_keeps_the_batch_losses_to_six_digits():
    history = nn.History.from_json(nn.History(ROWS[:1], [2.302585093, 0.123456789]).to_json())
    assert history.rows == ROWS[:1] and history.batch_loss == [2.30259, 0.123457]


def test_read_history_prefers_json_and_falls_back_to_csv(tmp_path):
    with pytest.raises(FileNotFoundError, match=f"{tmp_path} has no history.json or history.csv"):
        read_history(tmp_path)
    (tmp_path / "history.csv").write_text(nn.History(ROWS[:1]).to_csv())
    assert read_history(tmp_path).rows == ROWS[:1]
    (tmp_path / "history.json").write_text(nn.History(ROWS[:1], [1.5]).to_json())
    assert read_history(tmp_path).batch_loss == [1.5]
