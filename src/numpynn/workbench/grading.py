"""Checking a student's exercises: load each file on its own (a syntax error or a missing
function in one never stops the others), run its check, and score the folder.

The student's code runs in this process, in a fresh namespace per file, with the folder on
``sys.path`` so that one exercise may import another (``from ex1_dense import dense_forward``);
the modules it imports are forgotten afterwards, so the next check sees the files as they are.
"""

import contextlib
import inspect
import io
import os
import signal
import sys
import threading
import traceback
import warnings
from dataclasses import dataclass
from pathlib import Path

import numpy as np

from ..testing import CheckRow, LayerReport
from .checks import CHECKS
from .exercises import EXERCISES, Exercise, get_exercise

__all__ = [
    "Result",
    "check_exercise",
    "check_directory",
    "check_file",
    "format_result",
    "format_score",
]

TIMEOUT = 60.0  # seconds an exercise's check may take before it is stopped


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


def check_directory(
    directory: str | os.PathLike, names: list[str] | None = None, *, timeout: float | None = TIMEOUT
) -> list[Result]:
    """Check the exercises ``names`` (all by default) in ``directory``, each file on its own."""
    exercises = [get_exercise(n) for n in names] if names else EXERCISES
    return [check_file(directory, e.name, timeout=timeout) for e in exercises]


def check_file(
    directory: str | os.PathLike, name: str, *, timeout: float | None = TIMEOUT
) -> Result:
    """Check exercise ``name``'s file in ``directory``: what it prints is not shown, and after
    ``timeout`` seconds (where the platform allows) it stops with a FAIL."""
    exercise = get_exercise(name)
    path = Path(directory) / exercise.file
    with contextlib.redirect_stdout(io.StringIO()), _time_limit(timeout):
        try:
            rows = _check_file(exercise, path)
        except _TimedOut as error:
            words = _raised(error, str(path)).removeprefix("_TimedOut: ")
            rows = [CheckRow(f"{exercise.name} finishes", 0, "FAIL", words)]
    return Result(exercise, LayerReport(rows))


class _TimedOut(BaseException):  # not an Exception: the checks' own `except Exception` let it by
    pass


@contextlib.contextmanager
def _time_limit(seconds: float | None):
    """Raise _TimedOut after ``seconds`` (POSIX, main thread; elsewhere no limit)."""
    if (
        not seconds
        or not hasattr(signal, "setitimer")
        or threading.current_thread() is not threading.main_thread()
    ):
        yield
        return

    def stop(signum, frame):
        raise _TimedOut(f"stopped after {seconds:g} s: an endless loop?")

    previous = signal.signal(signal.SIGALRM, stop)
    signal.setitimer(signal.ITIMER_REAL, seconds)
    try:
        yield
    finally:
        signal.setitimer(signal.ITIMER_REAL, 0)
        signal.signal(signal.SIGALRM, previous)


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
            if str(getattr(sys.modules[name], "__file__", "")).startswith(self.directory + os.sep):
                del sys.modules[name]  # the student's: imported afresh next time


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


def format_result(result: Result, *, verbose: bool = False, shown: int = 6, width: int = 14) -> str:
    """PASS/FAIL of one exercise, and its failing checks (every check with ``verbose``) with what
    they mean."""
    failures, rows = result.report.failures, result.report.rows
    count = (
        f"{len(rows)} checks" if result.passed else f"{len(failures)} of {len(rows)} checks fail"
    )
    head = f"{'PASS' if result.passed else 'FAIL'}  {result.exercise.name:<{width}}  {result.exercise.file:<22}  {count}"
    if not verbose and failures and all("NotImplementedError" in f.detail for f in failures):
        return f"{head}: not written yet ({failures[0].detail})"
    lines = [head]
    lines += [f"      {row.result}  {row.check}" + (f" (batch {row.batch})" if row.batch else "")
              + (f": {row.detail}" if row.detail else "") for row in (rows if verbose else failures[:shown])]  # fmt: skip
    if not verbose and len(failures) > shown:
        lines.append(f"      ... and {len(failures) - shown} more (-v shows every check)")
    return "\n".join(lines)


def format_score(results: list[Result]) -> str:
    return f"score: {sum(r.passed for r in results)} of {len(results)} exercises pass"


def format_results(results: list[Result], *, verbose: bool = False) -> str:
    """Every exercise's result, then the score."""
    return "\n".join([format_result(r, verbose=verbose) for r in results] + [format_score(results)])
