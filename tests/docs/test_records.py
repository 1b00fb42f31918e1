"""Documented numbers are data: every mark on a page shows what its record says, and every record
was made with today's configuration (docs/docnumbers). Nothing here trains: a stale page or
record fails in seconds and says which recipe to rerun with ``python docs/refresh.py``."""

import dataclasses
import json
import tempfile

import pytest
from docnumbers import records
from docnumbers.check import PAGES, check_pages, check_records, differences
from docnumbers.marks import MarkError, find_marks, render, rewrite
from docnumbers.recipes import RECIPES
from docnumbers.records import (
    Recipe,
    configuration,
    extract_fingerprint,
    load_records,
    make_record,
)

import numpynn.cli.args
from numpynn.runs.config import TrainConfig

RECORDS = load_records()


def test_every_page_shows_what_its_records_say():
    assert check_pages(PAGES, RECORDS) == []


def test_every_record_was_made_by_its_recipe_with_todays_configuration():
    assert check_records(RECIPES, RECORDS, PAGES) == []


def test_the_pages_have_marks_and_every_recipe_a_distinct_id():
    assert sum(len(find_marks(page)) for page in PAGES) >= len(RECIPES) > 0
    assert len({recipe.id for recipe in RECIPES}) == len(RECIPES)


# --- the checks fail on bad cases ---


@pytest.fixture
def recipe():
    return Recipe("run", ["numpynn train --epochs 1"], lambda runs: {})


@pytest.fixture
def record(recipe):
    return {"id": "run", "commands": ["numpynn train --epochs 1"],
            "values": {"accuracy": 0.98251, "table": "| a |\n| --- |\n| 1 |"}, "produced": {"date": "2026-11-30"},
            "configurations": [configuration("numpynn train --epochs 1")],
            "extract": extract_fingerprint(recipe)}  # fmt: skip


def page_with(tmp_path, text: str):
    page = tmp_path / "page.md"
    page.write_text(text)
    return page


def test_a_number_that_differs_from_its_record_is_named_with_its_line(tmp_path, record):
    page = page_with(tmp_path, "title\n\nreaches <!--={run.accuracy:.2%}-->98.17%<!--/--> today\n")
    problems = check_pages([page], {"run": record}, root=tmp_path)
    assert problems == [
        "page.md:3: the page says '98.17%', its record says '98.25%'; "
        "run `python docs/refresh.py --pages` to write the records' values"
    ]


def test_a_mark_may_show_the_date_and_training_config_of_its_record(tmp_path, record):
    page = page_with(tmp_path, "<!--=batch {run.config[batch_size]}, {run.produced_on}-->x<!--/-->")
    assert check_pages([page], {"run": record}, root=tmp_path) == [
        "page.md:1: the page says 'x', its record says 'batch 256, 2026-11-30'; "
        "run `python docs/refresh.py --pages` to write the records' values"
    ]


def test_rewrite_writes_the_records_values_and_then_the_page_agrees(tmp_path, record):
    page = page_with(
        tmp_path,
        "a <!--={run.accuracy:.1%}-->97.0%<!--/--> b\n<!--={run.table}-->\nold\n<!--/-->\n",
    )
    assert rewrite(page, {"run": record["values"]})
    assert page.read_text() == (
        "a <!--={run.accuracy:.1%}-->98.3%<!--/--> b\n<!--={run.table}-->\n| a |\n| --- |\n| 1 |\n<!--/-->\n"
    )
    assert check_pages([page], {"run": record}, root=tmp_path) == []
    assert not rewrite(page, {"run": record["values"]})


def test_rewrite_leaves_the_marks_of_records_not_made_yet(tmp_path, record):
    page = page_with(tmp_path, "<!--={run.accuracy:.1%}-->x<!--/--> <!--={later.n}-->7<!--/-->")
    assert rewrite(page, {"run": record["values"]})
    assert page.read_text() == "<!--={run.accuracy:.1%}-->98.3%<!--/--> <!--={later.n}-->7<!--/-->"
    with pytest.raises(MarkError, match="no record 'later'"):
        render("{later.n}", {})


@pytest.mark.parametrize(
    ("template", "message"),
    [("{nothing.accuracy}", "no record 'nothing' in docs/records/"),
     ("{run.accurcy}", "record run has no value 'accurcy'; it has: accuracy, table"),
     ("{run.table:.2%}", "does not format")],
)  # fmt: skip
def test_a_mark_that_names_what_does_not_exist_says_so(record, template, message):
    with pytest.raises(MarkError, match=message.replace(".", r"\.").replace("(", r"\(")):
        render(template, {"run": record["values"]})


def test_a_record_made_with_another_default_is_stale(monkeypatch, record, recipe, tmp_path):
    page = page_with(tmp_path, "<!--={run.accuracy:.2%}-->98.25%<!--/-->")
    assert check_records([recipe], {"run": record}, [page]) == []

    @dataclasses.dataclass
    class Changed(TrainConfig):
        batch_size: int = 128  # the default was 256 when the record was made

    monkeypatch.setattr(numpynn.cli.args, "TrainConfig", Changed)
    assert check_records([recipe], {"run": record}, [page]) == [
        "run: `numpynn train --epochs 1` is configured differently today "
        "(resolved.batch_size: 256 then, 128 now); its numbers are stale: "
        "run `python docs/refresh.py run`"
    ]


def test_missing_unused_and_orphan_records_and_other_commands_are_named(record, recipe, tmp_path):
    unused = page_with(tmp_path, "no marks")
    assert check_records([recipe], {}, [unused]) == [
        "run: no record; run `python docs/refresh.py run`"
    ]
    assert check_records([recipe], {"run": record}, [unused]) == [
        "run: no page shows its values; use them or delete the recipe"
    ]
    assert check_records([], {"run": record}, [unused]) == [
        "docs/records/run.json: no recipe makes it; delete it"
    ]
    page = page_with(tmp_path, "<!--={run.accuracy:.2%}-->98.25%<!--/-->")
    other = dataclasses.replace(recipe, commands=["numpynn train --epochs 2"])
    assert check_records([other], {"run": record}, [page]) == [
        "run: the record was made by other commands; run `python docs/refresh.py run`"
    ]


def test_a_changed_threshold_or_extract_makes_the_record_stale(
    monkeypatch, record, recipe, tmp_path
):
    import numpynn.training

    page = page_with(tmp_path, "<!--={run.accuracy:.2%}-->98.25%<!--/-->")
    monkeypatch.setattr(numpynn.training, "DIVERGED", 1e30)
    assert check_records([recipe], {"run": record}, [page]) == [
        "run: `numpynn train --epochs 1` is configured differently today "
        "(constants.numpynn.training.DIVERGED: 10000.0 then, 1e+30 now); its numbers are stale: "
        "run `python docs/refresh.py run`"
    ]
    monkeypatch.undo()
    edited = dataclasses.replace(recipe, extract=lambda runs: {"accuracy": 1.0})
    assert check_records([edited], {"run": record}, [page]) == [
        "run: the record was made by another version of its extract; "
        "run `python docs/refresh.py run`"
    ]


def test_a_study_constant_is_part_of_the_configuration(monkeypatch):
    import numpynn.experiments.vanishing as vanishing

    before = configuration("numpynn vanishing --depths 2,3")
    assert before["resolved"]["depths"] == [2, 3] and before["resolved"]["steps"] == 500
    monkeypatch.setattr(vanishing, "PROBE_IMAGES", 10, raising=False)
    assert differences(before, configuration("numpynn vanishing --depths 2,3")) == [
        "constants.numpynn.experiments.vanishing.PROBE_IMAGES: '(absent)' then, 10 now"
    ]


def test_a_new_option_left_unset_changes_no_record_but_one_that_is_set_does():
    old = {"resolved": {"lr": 0.005}}
    assert differences(old, {"resolved": {"lr": 0.005, "split": None}}) == []
    assert differences(old, {"resolved": {"lr": 0.005, "split": "ordered"}}) == [
        "resolved.split: '(absent)' then, 'ordered' now"
    ]
    assert differences({"resolved": {"split": "ordered"}}, {"resolved": {"split": None}}) == [
        "resolved.split: 'ordered' then, None now"
    ]


def test_records_say_what_produced_them():
    for name, record in RECORDS.items():
        produced = record["produced"]
        assert {"date", "numpynn", "versions", "blas", "cpu", "cores"} <= set(produced), name
        assert json.dumps(record["values"])  # plain data


def test_runs_are_kept_and_named_when_no_record_can_be_made(monkeypatch, tmp_path, capsys):
    monkeypatch.setattr(tempfile, "tempdir", str(tmp_path))
    monkeypatch.setattr(records, "configuration", lambda command: {})  # not a real benchmark

    def extract(runs):
        raise KeyError("accuracy")

    with pytest.raises(KeyError):
        make_record(Recipe("broken", ["python -c pass"], extract))
    [kept] = tmp_path.iterdir()
    assert (kept / "0").is_dir()
    assert f"broken: no record made; its runs are kept in {kept}" in capsys.readouterr().err

    make_record(Recipe("fine", ["python -c pass"], lambda runs: {"ok": 1}))
    assert list(tmp_path.iterdir()) == [kept]  # a record made leaves nothing behind
