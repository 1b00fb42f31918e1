"""What can be checked without running anything: each mark shows what its record says, and each
record was made by its recipe's commands with today's configuration."""

from pathlib import Path

from .marks import MarkError, expected_text, find_marks, render
from .records import ROOT, Recipe, configuration, extract_fingerprint, mark_values

__all__ = ["PAGES", "check_pages", "check_records", "differences"]

PAGES = [ROOT / "README.md", *sorted((ROOT / "docs").glob("*.md"))]
REFRESH = "python docs/refresh.py"


def check_pages(pages: list[Path], records: dict[str, dict], root: Path = ROOT) -> list[str]:
    """One line per mark whose text is not what its record renders to."""
    values = mark_values(records)
    problems = []
    for page in pages:
        for mark in find_marks(page):
            where = f"{page.relative_to(root)}:{mark.line}"
            try:
                expected = expected_text(mark.text, render(mark.template, values))
            except MarkError as error:
                problems.append(f"{where}: {error}")
                continue
            if mark.text != expected:
                problems.append(
                    f"{where}: the page says {_short(mark.text)}, its record says "
                    f"{_short(expected)}; run `{REFRESH} --pages` to write the records' values"
                )
    return problems


def check_records(recipes: list[Recipe], records: dict[str, dict], pages: list[Path]) -> list[str]:
    """One line per recipe without a record, record without a recipe or a page that uses it,
    and record whose commands or configuration are not today's."""
    problems = []
    used = {name for page in pages for mark in find_marks(page) for name in records
            if "{" + name + "." in mark.template}  # fmt: skip
    by_id = {recipe.id: recipe for recipe in recipes}
    for name in sorted(set(records) - set(by_id)):
        problems.append(f"docs/records/{name}.json: no recipe makes it; delete it")
    for recipe in recipes:
        record = records.get(recipe.id)
        if record is None:
            problems.append(f"{recipe.id}: no record; run `{REFRESH} {recipe.id}`")
        elif recipe.id not in used:
            problems.append(f"{recipe.id}: no page shows its values; use them or delete the recipe")
        elif record["commands"] != recipe.commands:
            problems.append(
                f"{recipe.id}: the record was made by other commands; run `{REFRESH} {recipe.id}`"
            )
        elif record.get("extract") != extract_fingerprint(recipe):
            problems.append(
                f"{recipe.id}: the record was made by another version of its extract; "
                f"run `{REFRESH} {recipe.id}`"
            )
        else:
            problems += [
                f"{recipe.id}: `{command}` is configured differently today ({change}); "
                f"its numbers are stale: run `{REFRESH} {recipe.id}`"
                for command, saved in zip(recipe.commands, record["configurations"])
                for change in differences(saved, configuration(command))[:1]
            ]
    return problems


def differences(old, new, path: str = "") -> list[str]:
    """Where two JSON values differ, e.g. ``resolved.batch_size: 128 then, 256 now``. A key that
    is new today and unset (None) is no difference: adding an option changes no old result."""
    if isinstance(old, dict) and isinstance(new, dict):
        return [d for key in sorted(set(old) | set(new), key=str)
                if key in old or new[key] is not None
                for d in differences(old.get(key, "(absent)"), new.get(key, "(absent)"),
                                     f"{path}.{key}" if path else str(key))]  # fmt: skip
    if old != new:
        return [f"{path or 'value'}: {_short(old)} then, {_short(new)} now"]
    return []


def _short(value, limit: int = 80) -> str:
    text = repr(value)
    return text if len(text) <= limit else text[: limit - 3] + "..."
