"""History: one row per epoch and every batch's loss, written as CSV and JSON and read back,
shown as a table (text, HTML) and as a pandas DataFrame."""

import math
import sys

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
    assert repr(history) == "History(2 epochs; last: train_loss 0.3000, train_accuracy 0.9000)"
    assert repr(nn.History(ROWS[:1])) == (
        "History(1 epoch; last: train_loss 0.5000, train_accuracy 0.8000, val_loss 0.4000, "
        "val_accuracy 0.8500)"
    )
    assert repr(nn.History()) == "History(0 epochs)"


def test_print_shows_an_aligned_table_with_missing_values_as_dashes():
    assert str(nn.History(ROWS)) == (
        "epoch  train_loss  train_accuracy  val_loss  val_accuracy      lr  seconds\n"
        "    1      0.5000          0.8000    0.4000        0.8500   0.001     1.25\n"
        "    2      0.3000          0.9000         -             -  0.0005     1.00"
    )
    assert str(nn.History()).split() == COLUMNS  # the header alone


def test_the_table_leaves_out_empty_columns_and_shows_extra_ones():
    rows = [
        dict(row, val_loss=math.nan, val_accuracy=None, **{"dense0.dead": 1.5e-05}) for row in ROWS
    ]
    header = str(nn.History(rows)).splitlines()[0].split()
    assert header == ["epoch", "train_loss", "train_accuracy", "lr", "seconds", "dense0.dead"]
    assert str(nn.History(rows)).splitlines()[1].endswith("1.25      1.5e-05")


def long_history(epochs: int) -> nn.History:
    return nn.History([dict(ROWS[0], epoch=epoch) for epoch in range(1, epochs + 1)])


def test_a_long_table_elides_its_middle_unless_asked_for_every_row():
    lines = str(long_history(25)).splitlines()
    assert len(lines) == 1 + 10 + 1 + 10 and lines[11] == "... 5 more epochs ..."
    assert [line.split()[0] for line in lines[10:13]] == ["10", "...", "16"]
    assert len(str(long_history(20)).splitlines()) == 21  # up to MAX_ROWS: every epoch
    assert len(long_history(25).table(max_rows=None).splitlines()) == 26
    assert len(long_history(25).table(max_rows=4).splitlines()) == 1 + 2 + 1 + 2


def test_the_notebook_shows_an_html_table_with_escaped_values():
    page = nn.History([dict(ROWS[0], note="<b>&")])._repr_html_()
    assert page.startswith("<table><thead><tr><th>epoch</th><th>train_loss</th>")
    assert "<td>0.5000</td>" in page and "<td>&lt;b&gt;&amp;</td>" in page and "<b>" not in page
    elided = long_history(25)._repr_html_()
    assert elided.count("<tr>") == 1 + 21 and '<td colspan="7">... 5 more epochs ...</td>' in elided


def test_to_pandas_is_a_data_frame_indexed_by_epoch():
    pd = pytest.importorskip("pandas")
    frame = nn.History(ROWS).to_pandas()
    assert isinstance(frame, pd.DataFrame) and frame.index.name == "epoch"
    assert list(frame.index) == [1, 2] and list(frame.columns) == COLUMNS[1:]
    assert frame.loc[2, "train_loss"] == 0.1 + 0.2 and math.isnan(frame.loc[2, "val_loss"])
    assert list(nn.History().to_pandas().columns) == COLUMNS[1:]


def test_to_pandas_without_pandas_says_how_to_install_it(monkeypatch):
    monkeypatch.setitem(sys.modules, "pandas", None)  # import pandas now raises ImportError
    with pytest.raises(ImportError, match="History.to_pandas needs pandas: pip install pandas"):
        nn.History(ROWS).to_pandas()


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
