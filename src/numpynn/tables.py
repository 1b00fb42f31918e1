"""Tables as text: CSV for programs, Markdown for the reports people read."""

import csv
import io

__all__ = ["csv_text", "markdown_table"]


def csv_text(rows: list[dict], columns: list[str] | None = None) -> str:
    """The rows as CSV: a header line of ``columns`` (default: the first row's keys), then each
    row's values of those columns. None is an empty field; a float keeps every digit."""
    columns = columns if columns is not None else list(rows[0]) if rows else []
    if not columns:
        return ""
    out = io.StringIO()
    writer = csv.DictWriter(out, fieldnames=columns, extrasaction="ignore", lineterminator="\n")
    writer.writeheader()
    writer.writerows(rows)
    return out.getvalue()


def markdown_table(header: list, rows: list[list]) -> str:
    lines = ["| " + " | ".join(map(str, header)) + " |", "|" + " --- |" * len(header)]
    lines += ["| " + " | ".join(map(str, row)) + " |" for row in rows]
    return "\n".join(lines)


def aligned_text(rows: list[list[str]], right: bool = False) -> list[str]:
    """Rows of cells as lines whose columns line up, two spaces apart (right-aligned with
    ``right``, for numbers)."""
    widths = [max(len(row[i]) for row in rows) for i in range(len(rows[0]))]
    pad = str.rjust if right else str.ljust
    return ["  ".join(pad(cell, w) for cell, w in zip(row, widths)).rstrip() for row in rows]
