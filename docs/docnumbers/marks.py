"""Marks: the places on a page that show a record's values.

A mark is an HTML comment holding a template, then the text it renders to, then ``<!--/-->``::

    reaches 98.17%<!--/--> ...        (written as)  <!--={train.test_accuracy:.2%}-->98.17%<!--/-->

The template is a Python format string whose fields are ``{RECORD.VALUE:SPEC}``; rendered as
Markdown the comments are invisible and only the text shows. A mark whose text starts on a new line
is a block (a table, a command's output): its text sits on its own lines between the comments."""

import re
from dataclasses import dataclass
from pathlib import Path

__all__ = ["Mark", "MarkError", "expected_text", "find_marks", "render", "rewrite"]

MARK = re.compile(r"<!--=(?P<template>.*?)-->(?P<text>.*?)<!--/-->", re.S)


class MarkError(ValueError):
    """A template that names a record or value that does not exist, or does not format."""


@dataclass(frozen=True)
class Mark:
    page: Path
    line: int
    template: str
    text: str  # as the page has it
    span: tuple[int, int]  # of the text, in the page


def find_marks(page: Path) -> list[Mark]:
    source = page.read_text(encoding="utf-8")
    return [
        Mark(page, source.count("\n", 0, m.start()) + 1, m["template"], m["text"], m.span("text"))
        for m in MARK.finditer(source)
    ]


class _Record:
    def __init__(self, name: str, values: dict):
        self._name, self._values = name, values

    def __getattr__(self, value: str):
        try:
            return self._values[value]
        except KeyError:
            raise MarkError(
                f"record {self._name} has no value {value!r}; it has: {', '.join(sorted(self._values))}"
            ) from None


class MissingRecord(MarkError):
    """A mark names a record that has not been made yet."""


class _Records(dict):
    def __missing__(self, name: str):
        raise MissingRecord(f"no record {name!r} in docs/records/")


def render(template: str, records: dict[str, dict]) -> str:
    """The text of ``template`` with the values of ``records`` (record id -> values)."""
    view = _Records({name: _Record(name, values) for name, values in records.items()})
    try:
        text = template.format_map(view)
    except MarkError:
        raise
    except (ValueError, TypeError, IndexError) as error:
        raise MarkError(f"template {template!r} does not format: {error}") from None
    return text


def expected_text(mark_text: str, rendered: str) -> str:
    """What a mark's text must be: a block (a mark whose text starts on a new line) holds the
    rendered lines between the two comments; an inline mark the rendered text itself."""
    return f"\n{rendered.strip(chr(10))}\n" if mark_text.startswith("\n") else rendered


def rewrite(page: Path, records: dict[str, dict]) -> bool:
    """Render every mark of ``page`` from ``records``, leaving those whose record is not made
    yet as they are (the check names them); True if the page changed."""

    def rendered(m: re.Match) -> str:
        try:
            text = expected_text(m["text"], render(m["template"], records))
        except MissingRecord:
            return m[0]
        return f"<!--={m['template']}-->{text}<!--/-->"

    source = page.read_text(encoding="utf-8")
    new = MARK.sub(rendered, source)
    if new != source:
        page.write_text(new, encoding="utf-8")
    return new != source
