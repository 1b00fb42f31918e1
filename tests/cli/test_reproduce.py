"""`numpynn reproduce`: the list, a worked example, a training row of best-of-seeds on a tiny
recipe (reusing finished runs), clear usage errors, and one real row of Nielsen's book (slow)."""

import json
from pathlib import Path

import pytest
from cli_runner import run

from numpynn.history import read_history
from numpynn.runs import recipes

TINY = """hidden = [8]
epochs = 2
val_size = 500
split = "ordered"
test_every_epoch = true

[recipe]
source = "a test"
url = "https://example.org"
trains = "784-8-10, 2 epochs"
published = 0.5
published_text = "50%"
measure = "peak_test"
seeds = [0, 1]
"""


def test_the_list_shows_every_row_without_training(capsys):
    code, out, _ = run(capsys, "reproduce", "--list")
    assert code == 0
    for row in recipes.recipe_ids():
        assert row in out
    assert "95.42% (test, peak epoch)" in out and "Nielsen" in out and "LeCun" in out
    code, out, _ = run(capsys, "reproduce", "--list", "--json")
    rows = json.loads(out)
    assert [row["id"] for row in rows] == recipes.recipe_ids()


@pytest.mark.parametrize(
    ("argv", "message"),
    [
        (
            ["nielsen-ch9"],
            "unknown recipe 'nielsen-ch9'; the recipes are: lecun-300-100, lecun-800, ",
        ),
        ([], "give row ids, --all or --list"),
        (["--list", "lecun-800"], "one of them (got row ids and --list"),
        (["--all", "lecun-800"], "one of them (got row ids and --all"),
        (["--list", "--path"], "--path prints the files of row ids or of --all"),
    ],
)
def test_usage_errors_exit_2_and_say_what_to_do(argv, message, capsys, tmp_path):
    code, out, err = run(capsys, "reproduce", *argv, "--out", tmp_path / "out")
    assert code == 2 and message in err and not (tmp_path / "out").exists()


def test_path_prints_a_recipe_file_train_can_read(capsys):
    code, out, _ = run(capsys, "reproduce", "--path", "lecun-800")
    assert code == 0 and out.strip().endswith("recipes/lecun-800.toml")
    assert "hidden = [800]" in Path(out.strip()).read_text(encoding="utf-8")


def test_the_worked_example_prints_every_value_and_writes_the_report(capsys, tmp_path):
    code, out, _ = run(capsys, "reproduce", "mazur-backprop", "--out", tmp_path)
    assert code == 0
    assert "ok   E_total" in out and "DIFF E_after_1" in out
    assert "19/23 values agree, 4 differ as explained" in out
    assert "mazur-backprop" in (tmp_path / "reproductions.md").read_text()
    assert not (tmp_path / "reproductions.png").exists()  # nothing trained, nothing to draw
    code, out, _ = run(capsys, "reproduce", "mazur-backprop", "--json", "--out", tmp_path)
    (result,) = json.loads(out)
    assert result["measured"] == "19/23 values agree, 4 differ as explained"


def test_a_training_row_reports_its_best_seed_and_reuses_finished_runs(
    capsys, tmp_path, tiny_mnist_dir, monkeypatch
):
    folder, shipped = tmp_path / "recipes", recipes._folder
    folder.mkdir()
    (folder / "tiny.toml").write_text(TINY)
    monkeypatch.setattr(recipes, "_folder", lambda: folder)
    out = tmp_path / "out"
    code, text, err = run(
        capsys, "reproduce", "tiny", "--data-dir", tiny_mnist_dir, "--out", out, "--quiet"
    )
    assert code == 0, err
    peaks = {
        seed: max(read_history(out / "tiny" / f"seed-{seed}")["test_accuracy"]) for seed in (0, 1)
    }
    best = max(peaks, key=peaks.get)
    assert f"measured:  {peaks[best]:.2%} (peak test, seed {best}" in text
    assert "selected on validation instead:" in text
    assert {p.name for p in out.iterdir()} >= {
        "reproductions.md",
        "reproductions.json",
        "reproductions.png",
    }
    assert (out / "tiny" / "seed-1" / "curves.png").exists()  # each run draws its own figures
    code, text, _ = run(
        capsys, "reproduce", "tiny", "--data-dir", tiny_mnist_dir, "--out", out, "--quiet"
    )
    assert code == 0 and "2 of 2 runs already finished: skipped" in text
    monkeypatch.setattr(recipes, "_folder", shipped)  # a worked example leaves no stale figure
    code, _, _ = run(capsys, "reproduce", "mazur-backprop", "--out", out)
    assert code == 0 and not (out / "reproductions.png").exists()
    assert "mazur-backprop" in (out / "reproductions.md").read_text()


@pytest.mark.slow
def test_nielsens_chapter_3_cross_entropy_row_reaches_the_book(capsys, tmp_path):
    """The shortest real row: within 0.5 points of the book's 95.49%, or better."""
    code, out, err = run(capsys, "reproduce", "nielsen-ch3-ce-30", "--json", "--out", tmp_path)
    assert code == 0, err
    (result,) = json.loads(out)
    assert result["measured"] >= result["published"] - 0.005
