"""An exercise as a Jupyter notebook: the task as text, one cell per function to write (tagged
``exercise``), and a last cell that checks them. Written as nbformat 4 JSON directly, so writing
a notebook needs no Jupyter."""

import ast
import json

__all__ = ["notebook_json"]


def _cell(kind: str, source: str, tags: tuple[str, ...] = ()) -> dict:
    cell = {"cell_type": kind, "metadata": {"tags": list(tags)} if tags else {}, "source": source}
    if kind == "code":
        cell.update(execution_count=None, outputs=[])
    return cell


def notebook_json(name: str, skeleton: str) -> str:
    """The notebook of exercise ``name`` from its skeleton's source."""
    tree = ast.parse(skeleton)
    title, _, task = ast.get_docstring(tree).partition("\n")
    task = "\n".join(
        "Check your work: run the last cell." if line.startswith("Check your work:") else line
        for line in task.splitlines()
    )
    imports = [n for n in tree.body if isinstance(n, ast.Import | ast.ImportFrom)]
    defs = [n for n in tree.body if isinstance(n, ast.FunctionDef)]
    cells = [_cell("markdown", f"# {title}\n\n```text\n{task.strip()}\n```")]
    cells.append(_cell("code", "\n".join(ast.get_source_segment(skeleton, n) for n in imports)))
    cells += [_cell("code", ast.get_source_segment(skeleton, d), ("exercise",)) for d in defs]
    check = f"from numpynn.workbench import check_exercise\n\nreport = check_exercise({name!r}, globals())"
    cells.append(_cell("code", check, ("check",)))
    notebook = {
        "cells": cells,
        "metadata": {
            "kernelspec": {"display_name": "Python 3", "language": "python", "name": "python3"},
            "language_info": {"name": "python"},
        },
        "nbformat": 4,
        "nbformat_minor": 5,
    }
    for i, cell in enumerate(notebook["cells"]):
        cell["id"] = f"{name}-{i}"
    return json.dumps(notebook, indent=1, ensure_ascii=False) + "\n"
