"""Tables as text: CSV for programs, Markdown for the reports people read."""

import csv
import io

__all__ = ["csv_text", "markdown_table"]


def csv_text(rows: list[dict]) -> str:
    """The rows as CSV with a header line of the first row's keys; None is an empty field."""
    out = io.StringIO()
    writer = csv.DictWriter(out, fieldnames=list(rows[0]), lineterminator="\n")
    writer.writeheader()
    writer.writerows(rows)
    return out.getvalue()


def markdown_table(header: list, rows: list[list]) -> str:
    lines = ["| " + " | ".join(map(str, header)) + " |", "|" + " --- |" * len(header)]
    lines += ["| " + " | ".join(map(str, row)) + " |" for row in rows]
    return "\n".join(lines)
