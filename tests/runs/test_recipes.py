"""The shipped recipes: each parses, builds its network and is a config `numpynn train` reads; a
worked example is refused by train with what to run instead; a bad recipe names its bad key."""

import pytest
from cli_runner import run
from hypothesis import given, settings
from hypothesis import strategies as st

from numpynn.runs.config import read_config_values, to_toml
from numpynn.runs.recipes import RECIPE_KEYS, load_recipe, recipe_ids, recipe_path

ROWS = [
    "nielsen-ch1-30", "nielsen-ch1-100", "nielsen-ch3-ce-30", "nielsen-ch3-ce-100",
    "nielsen-ch3-l2-30", "nielsen-ch3-l2-100", "nielsen-ch3-l2-100-60ep", "lecun-300-100",
    "lecun-800", "mazur-backprop",
]  # fmt: skip


def test_the_rows_the_issue_asks_for_are_shipped():
    assert sorted(ROWS) == recipe_ids()


@pytest.mark.parametrize("recipe_id", ROWS)
def test_every_recipe_parses_builds_and_says_where_it_comes_from(recipe_id, rng):
    recipe = load_recipe(recipe_id)
    assert recipe.about["source"] and recipe.about["url"].startswith("http")
    assert recipe.about["trains"] and recipe.about["published_text"]
    if recipe.config is None:
        assert recipe.example["published"]
        return
    assert 0.9 < recipe.about["published"] < 1 and recipe.seeds
    model = recipe.config.build_model(784, 10, rng)
    assert model.layers[0].in_features == 784 and model.num_parameters() > 10_000
    assert read_config_values(recipe.path) == {
        k: v
        for k, v in recipe.config.to_dict().items()
        if v is not None and k in read_config_values(recipe.path)
    }


@pytest.mark.parametrize("recipe_id", [r for r in ROWS if r != "mazur-backprop"])
def test_numpynn_train_reads_a_recipe_as_its_config(recipe_id, tmp_path, capsys, monkeypatch):
    """`numpynn train --config RECIPE` builds the recipe's config (train_run is not called)."""
    seen = {}
    monkeypatch.setattr(
        "numpynn.runs.run.train_run", lambda config, out, **kw: seen.update(config=config)
    )
    code, _, err = run(
        capsys, "train", "--config", recipe_path(recipe_id), "--out", tmp_path / "run"
    )
    assert code == 0, err
    assert seen["config"] == load_recipe(recipe_id).config


def test_train_refuses_a_worked_example_and_says_what_to_run(tmp_path, capsys):
    code, _, err = run(
        capsys, "train", "--config", recipe_path("mazur-backprop"), "--out", tmp_path / "r"
    )
    assert code == 2
    assert "is a worked example" in err and "numpynn reproduce mazur-backprop" in err


@pytest.mark.parametrize(
    ("text", "message"),
    [
        ('lr = 0.1\n[recipe]\nsorce = "x"\n', r"unknown key 'sorce'.* \(in \[recipe\]\)"),
        ('learning_rate = 0.1\n[recipe]\nsource = "x"\n', r"unknown key 'learning_rate'"),
        ("recipe = 3\n", r"`recipe` must be a table"),
        ("lr = 0.1\n[example]\ni1 = 1\n", r"an \[example\] table needs kind"),
        ('[recipe]\nmeasure = "peak_test"\n', r"measure peak_test needs test_every_epoch = true"),
        ('[recipe]\nmeasure = "best"\n', r"measure must be one of"),
    ],
)
def test_a_bad_recipe_names_what_is_wrong(text, message, tmp_path):
    path = tmp_path / "recipe.toml"
    path.write_text(text)
    with pytest.raises(ValueError, match=message):
        read_config_values(path)


def test_an_unknown_recipe_lists_the_known_ones():
    with pytest.raises(
        ValueError, match="unknown recipe 'nielsen-ch9'; the recipes are: lecun-300-100, "
    ):
        recipe_path("nielsen-ch9")


scalars = st.booleans() | st.integers(-5, 5) | st.floats(allow_nan=False) | st.text(max_size=8)
tables = st.dictionaries(
    st.sampled_from([*RECIPE_KEYS, "measure", "kind", "sorce"]),
    scalars | st.lists(scalars, max_size=3) | st.sampled_from(["worked-example", "peak_test"]),
    max_size=5,
)


@settings(max_examples=150, deadline=None)
@given(about=tables, example=st.none() | st.dictionaries(st.sampled_from(["i1", "w1"]), scalars),
       config=st.dictionaries(st.sampled_from(["lr", "epochs", "test_every_epoch"]), scalars))  # fmt: skip
def test_any_recipe_file_is_read_or_refused_with_one_line(about, example, config, tmp_path_factory):
    path = tmp_path_factory.mktemp("recipe") / "recipe.toml"
    text = to_toml(config) + "[recipe]\n" + to_toml(about)
    if example is not None:
        text += "[example]\n" + to_toml(example)
    path.write_text(text, encoding="utf-8")
    try:
        values = read_config_values(path)
    except ValueError as error:
        assert "\n" not in str(error) and str(path) in str(error)
    else:
        assert set(values) <= set(config)


def test_train_recipes_are_shipped_configs_that_flags_and_config_files_change(tmp_path, capsys):
    from numpynn.cli.args import build_config
    from numpynn.cli.main import build_parser
    from numpynn.runs.recipes import train_recipe_ids, train_recipe_path

    assert train_recipe_ids() == ["best", "fast"]
    assert "best" not in recipe_ids()  # not a row of `numpynn reproduce`
    parse = lambda *argv: build_config(build_parser().parse_args(["train", *argv]))  # noqa: E731
    best = parse("--recipe", "best")
    assert best.hidden == [1024, 1024] and best.augment == "elastic" and best.augment_alpha == 34
    assert parse("--recipe", "best", "--epochs", "3").epochs == 3  # a flag wins
    (tmp_path / "c.toml").write_text("epochs = 7\nlr = 0.002\n")
    both = parse("--recipe", "best", "--config", str(tmp_path / "c.toml"), "--lr", "0.003")
    assert (both.epochs, both.lr, both.hidden) == (
        7,
        0.003,
        [1024, 1024],
    )  # recipe < config < flags
    affine = parse("--recipe", "best", "--augment", "affine")  # the recipe's elastic strengths go
    assert (
        affine.augment == "affine"
        and affine.augment_alpha is None
        and affine.augment_rotate is None
    )
    (tmp_path / "shift.toml").write_text('augment = "shift"\n')  # a config's kind clears them too
    shifted = parse("--recipe", "best", "--config", str(tmp_path / "shift.toml"))
    assert (
        shifted.augment == "shift"
        and shifted.augment_shift is None
        and shifted.augment_rotate is None
    )
    plain = parse("--recipe", "best", "--augment", "none")
    assert plain.augment is None and plain.augment_shift is None
    assert read_config_values(train_recipe_path("fast"))["epochs"] == 4
    code, _, err = run(capsys, "train", "--recipe", "slowest")
    assert code == 2 and "argument --recipe: invalid choice: 'slowest'" in err
