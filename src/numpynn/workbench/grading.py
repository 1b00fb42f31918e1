"""Checking a student's exercises: load each file on its own (a syntax error or a missing
function in one never stops the others), run its check, and score the folder.

The student's code runs in this process, in a fresh namespace per file, with the folder on
``sys.path`` so that one exercise may import another (``from ex1_dense import dense_forward``);
the modules it imports are forgotten afterwards, so the next check sees the files as they are.
"""

import inspect
import os
import sys
import traceback
import warnings
from dataclasses import dataclass
from pathlib import Path

import numpy as np

from ..testing import CheckRow, LayerReport
from .checks import CHECKS
from .exercises import EXERCISES, Exercise, get_exercise

__all__ = ["Result", "check_exercise", "check_directory", "format_results"]


@dataclass
class Result:
    exercise: Exercise
    report: LayerReport

    @property
    def passed(self) -> bool:
        return self.report.passed


def check_exercise(name: str, namespace: dict, *, verbose: bool = True) -> LayerReport:
    """Check the functions of exercise ``name`` found in ``namespace`` (``globals()`` in a
    notebook); print the table unless ``verbose`` is False, and return the report."""
    exercise = get_exercise(name)
    report = LayerReport(_run(exercise, namespace, namespace.get("__file__", exercise.file)))
    if verbose:
        print(f"{exercise.title}\n{report}")
    return report


def check_directory(directory: str | os.PathLike, names: list[str] | None = None) -> list[Result]:
    """Check the exercises ``names`` (all by default) in ``directory``, each file on its own."""
    directory = Path(directory)
    exercises = [get_exercise(n) for n in names] if names else EXERCISES
    return [Result(e, LayerReport(_check_file(e, directory / e.file))) for e in exercises]


def _check_file(exercise: Exercise, path: Path) -> list[CheckRow]:
    if not path.is_file():
        return [CheckRow(f"{exercise.file} found", 0, "FAIL",
                         f"no file {path}; `numpynn exercises {path.parent}` writes it")]  # fmt: skip
    try:
        source = path.read_bytes()
        code = compile(source, str(path), "exec")
    except (SyntaxError, ValueError) as error:  # ValueError: a null byte in the file
        where = f"line {error.lineno}: " if getattr(error, "lineno", None) else ""
        message = getattr(error, "msg", None) or str(error)
        return [CheckRow(f"{exercise.file} compiles", 0, "FAIL", f"{where}{message}")]
    namespace = {"__name__": f"exercise_{exercise.name}", "__file__": str(path)}
    with _importable_from(path.parent):
        try:
            exec(code, namespace)
        except (Exception, SystemExit) as error:  # noqa: BLE001 — the student's module ran
            return [CheckRow(f"{exercise.file} runs", 0, "FAIL", _raised(error, str(path)))]
        return _run(exercise, namespace, str(path))


class _importable_from:
    """``directory`` on sys.path, and the modules imported from it forgotten on the way out."""

    def __init__(self, directory: Path):
        self.directory = str(directory.resolve())

    def __enter__(self):
        self.modules = set(sys.modules)
        sys.path.insert(0, self.directory)

    def __exit__(self, *exc):
        sys.path.remove(self.directory)
        for name in set(sys.modules) - self.modules:
            del sys.modules[name]


def _run(exercise: Exercise, namespace: dict, filename: str) -> list[CheckRow]:
    """The exercise's check on ``namespace``, after its functions are found and callable the way
    the check calls them."""
    rows = [row for name, signature in exercise.functions.items()
            if (row := _function_row(namespace, name, signature))]  # fmt: skip
    if rows:
        return rows
    try:
        with warnings.catch_warnings(), np.errstate(all="ignore"):
            warnings.simplefilter("ignore")
            return CHECKS[exercise.name](namespace)
    except (Exception, SystemExit) as error:  # noqa: BLE001 — the student's code raised
        return [CheckRow(f"{exercise.name} runs", 0, "FAIL", _raised(error, filename))]


def _function_row(namespace: dict, name: str, signature) -> CheckRow | None:
    """A FAIL row if ``name`` is missing or cannot be called as the exercise calls it."""
    function = namespace.get(name)
    wanted = f"{name}{signature}"
    if not callable(function):
        return CheckRow(
            f"{name} defined", 0, "FAIL", f"no function {name}: the exercise asks for {wanted}"
        )
    try:
        theirs = inspect.signature(function)
    except (TypeError, ValueError):
        return None
    required = [p for p in signature.parameters.values() if p.default is p.empty]
    for count in {len(required), len(signature.parameters)}:
        try:
            theirs.bind(*range(count))
        except TypeError:
            return CheckRow(f"{name} signature", 0, "FAIL",
                            f"{name}{theirs} cannot be called with {count} arguments, as the "
                            f"exercise calls it: {wanted}")  # fmt: skip
    return None


def _raised(error: BaseException, filename: str) -> str:
    """``NotImplementedError: write dense_forward (ex1_dense.py, line 24)``: the exception and
    the last line of the student's file it passed through."""
    lines = [f for f in traceback.extract_tb(error.__traceback__) if f.filename == filename]
    where = f" ({Path(filename).name}, line {lines[-1].lineno})" if lines else ""
    return f"{type(error).__name__}: {error}{where}"


def format_results(results: list[Result], *, verbose: bool = False, shown: int = 6) -> str:
    """PASS/FAIL per exercise, the failing checks with what they mean, and the score."""
    width = max(len(r.exercise.name) for r in results)
    lines = []
    for r in results:
        failures = r.report.failures
        count = (
            f"{len(r.report.rows)} checks"
            if r.passed
            else f"{len(failures)} of {len(r.report.rows)} checks fail"
        )
        lines.append(
            f"{'PASS' if r.passed else 'FAIL'}  {r.exercise.name:<{width}}  {r.exercise.file:<22}  {count}"
        )
        if not verbose and failures and all("NotImplementedError" in f.detail for f in failures):
            lines[-1] += f": not written yet ({failures[0].detail})"
            continue
        rows = r.report.rows if verbose else failures[:shown]
        lines += [f"      {row.result}  {row.check}" + (f" (batch {row.batch})" if row.batch else "")
                  + (f": {row.detail}" if row.detail else "") for row in rows]  # fmt: skip
        if not verbose and len(failures) > shown:
            lines.append(f"      ... and {len(failures) - shown} more (-v shows every check)")
    passed = sum(r.passed for r in results)
    lines.append(f"score: {passed} of {len(results)} exercises pass")
    return "\n".join(lines)
