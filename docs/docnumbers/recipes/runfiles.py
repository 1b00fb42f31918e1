"""What the recipes read from a command's run folder: CSV tables, metrics.json, a benchmark's
results.json."""

import csv
import json


def rows(path) -> list[dict]:
    """The rows of a CSV file, as text."""
    with open(path, newline="") as file:
        return list(csv.DictReader(file))


def numeric_rows(path) -> list[dict]:
    """The rows of a CSV file of numbers, as floats."""
    return [{key: float(value) for key, value in row.items()} for row in rows(path)]


def metrics(run) -> dict:
    return json.loads((run.out / "metrics.json").read_text())


def results(run) -> dict:
    """A benchmark's results (``--json``)."""
    return json.loads((run.out / "results.json").read_text())["results"]
