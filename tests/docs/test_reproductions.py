"""docs/reproductions.md and the README's table of the classics: the published numbers they show
are the recipes', the recipes' seconds (what `reproduce --list` prints) are the record's, and the
page's claim about the rows holds in the record."""

import re

import pytest
from docnumbers.records import load_records
from paths import DOCS, REPO

from numpynn.runs.recipes import load_recipe, recipe_ids

RECORD = load_records()["reproductions"]["values"]
PAGES = [REPO / "README.md", DOCS / "reproductions.md"]
TRAINING = [r for r in recipe_ids() if load_recipe(r).config is not None]


def key(recipe_id: str) -> str:
    return recipe_id.replace("-", "_")


@pytest.mark.parametrize("recipe_id", TRAINING)
def test_the_seconds_reproduce_list_prints_are_the_records(recipe_id):
    assert load_recipe(recipe_id).about["seconds"] == round(RECORD[f"{key(recipe_id)}_seconds"])


@pytest.mark.parametrize("recipe_id", TRAINING)
def test_a_published_number_on_the_pages_is_the_recipes(recipe_id):
    published = f"{load_recipe(recipe_id).about['published']:.2%}"
    assert published in load_recipe(recipe_id).about["published_text"]
    for page in PAGES:
        rows = [line for line in page.read_text(encoding="utf-8").splitlines()
                if re.match(rf"\| `?{re.escape(recipe_id)}`? \|", line)]  # fmt: skip
        assert rows and published in rows[0], f"{page.name}: the row of {recipe_id}"


def shortfalls(values: dict) -> list[str]:
    """The rows that break the page's claim: a Nielsen row more than half a point below the
    book, a LeCun row below the table."""
    rows = {name[: -len("_gap")]: gap for name, gap in values.items() if name.endswith("_gap")}
    return [row for row, gap in rows.items()
            if (row.startswith("nielsen") and gap < -0.5) or (row.startswith("lecun") and gap < 0)]  # fmt: skip


def test_the_claim_about_the_rows_holds_in_the_record_and_the_check_can_fail():
    assert (
        "Every Nielsen row is within half a point of the book or"
        in (DOCS / "reproductions.md").read_text()
    )
    assert shortfalls(RECORD) == []
    broken = RECORD | {"nielsen_ch1_100_gap": -0.6, "lecun_800_gap": -0.01}
    assert sorted(shortfalls(broken)) == ["lecun_800", "nielsen_ch1_100"]
    assert len([k for k in RECORD if re.fullmatch(r"(nielsen|lecun)_.*_gap", k)]) == len(TRAINING)
