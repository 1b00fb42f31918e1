"""Recipes: TOML files shipped with numpynn (``src/numpynn/recipes/``), each a training config
that ``numpynn train --config`` accepts, plus a ``[recipe]`` table saying where it comes from.

``[recipe]`` holds ``source`` (the book or paper, with the page), ``trains`` (in words),
``published`` (the accuracy reported there, a fraction), ``measure`` (how the source measured it:
``peak_test`` or ``peak_val``, the best epoch's test or validation accuracy; ``final_test`` or
``final_val``, the last epoch's), ``seeds`` (the runs to make; the best of them is reported, as
the source did), ``seconds`` (what the runs take on 2 cores, measured by ``numpynn reproduce
--all``) and ``notes``. A worked example (``kind = "worked-example"``) holds a network's numbers
in ``[example]`` instead of a training config: ``numpynn reproduce ID`` checks numpynn against
each of them.
"""

from dataclasses import dataclass
from importlib import resources
from pathlib import Path

from .config import TrainConfig, check_keys, read_config_values, read_toml

__all__ = [
    "Recipe",
    "RECIPE_KEYS",
    "recipe_ids",
    "recipe_path",
    "load_recipe",
    "split_recipe",
    "train_recipe_ids",
    "train_recipe_path",
]

RECIPE_KEYS = {
    "kind", "source", "url", "trains", "published", "published_text", "measure", "seeds",
    "seconds", "notes",
}  # fmt: skip
MEASURES = ("peak_test", "final_test", "peak_val", "final_val")


@dataclass
class Recipe:
    """A shipped recipe: its id (the file name), its ``[recipe]`` table, and its training
    config (None for a worked example, whose ``example`` holds the network's numbers)."""

    id: str
    about: dict
    config: TrainConfig | None
    example: dict | None
    path: Path

    @property
    def seeds(self) -> list[int]:
        return list(self.about.get("seeds", [self.config.seed if self.config else 0]))


def _folder():
    return resources.files("numpynn") / "recipes"


def train_recipe_ids() -> list[str]:
    """The recipes of ``numpynn train --recipe NAME`` (``recipes/train/NAME.toml``): plain
    training configs, each with a ``[recipe]`` table saying what it is for."""
    folder = _folder() / "train"
    if not folder.is_dir():  # a recipes folder of reproduce's rows alone (as some tests make)
        return []
    return sorted(p.name[: -len(".toml")] for p in folder.iterdir() if p.name.endswith(".toml"))


def train_recipe_path(name: str) -> Path:
    if name not in train_recipe_ids():
        raise ValueError(
            f"unknown recipe {name!r}; the recipes are: {', '.join(train_recipe_ids())}"
        )
    return Path(str(_folder() / "train" / f"{name}.toml"))


def recipe_ids() -> list[str]:
    """Every shipped recipe's id, sorted."""
    return sorted(p.name[: -len(".toml")] for p in _folder().iterdir() if p.name.endswith(".toml"))


def recipe_path(recipe_id: str) -> Path:
    """The file of a shipped recipe; an unknown id lists the known ones."""
    ids = recipe_ids()
    if recipe_id not in ids:
        raise ValueError(f"unknown recipe {recipe_id!r}; the recipes are: {', '.join(ids)}")
    return Path(str(_folder() / f"{recipe_id}.toml"))


def split_recipe(values: dict, path: Path) -> tuple[dict, dict, dict | None]:
    """A recipe file's keys as (``[recipe]`` table, training config keys, ``[example]`` table);
    a worked example has no training keys, a training recipe no ``[example]``."""
    values = dict(values)
    about = values.pop("recipe", {})
    example = values.pop("example", None)
    if not isinstance(about, dict):
        raise ValueError(f"{path}: `recipe` must be a table ([recipe]), got {about!r}")
    check_keys(about, RECIPE_KEYS, path, " (in [recipe])")
    if about.get("kind", "training") == "worked-example":
        if values or not isinstance(example, dict):
            raise ValueError(f"{path}: a worked example holds an [example] table and nothing else")
        return about, {}, example
    if example is not None:
        raise ValueError(f'{path}: an [example] table needs kind = "worked-example" in [recipe]')
    if about.get("measure", "final_test") not in MEASURES:
        raise ValueError(f"{path}: measure must be one of {', '.join(MEASURES)}")
    if about.get("measure") == "peak_test" and not values.get("test_every_epoch"):
        raise ValueError(f"{path}: measure peak_test needs test_every_epoch = true")
    return about, values, None


def load_recipe(recipe_id: str) -> Recipe:
    """The shipped recipe ``recipe_id``, its config validated (an unknown key is named)."""
    path = recipe_path(recipe_id)
    about, _, example = split_recipe(read_toml(path, "recipe"), path)
    config = None
    if example is None:
        keys = read_config_values(path)  # as `numpynn train --config` reads it
        try:
            config = TrainConfig(**keys).validate()
        except ValueError as error:
            raise ValueError(f"{path}: {error}") from None
    return Recipe(recipe_id, about, config, example, path)
