"""The exercises: which skeleton file each one is, the functions it asks for (read from the
skeleton itself), and writing them (and their notebooks) into a student's folder.

The skeletons in ``skeletons/`` are the truth: a docstring with the task, the shapes and the
formula, and ``raise NotImplementedError`` where the student writes. The solutions are not in the
package; the tests hold them.
"""

import ast
import inspect
import os
from dataclasses import dataclass
from importlib import resources
from pathlib import Path

from ..files import atomic_write_text
from .notebooks import notebook_json

__all__ = ["Exercise", "EXERCISES", "get_exercise", "write_exercises"]


@dataclass(frozen=True)
class Exercise:
    name: str  # what `numpynn check DIR NAME` calls it
    file: str  # the skeleton's file name in the student's folder

    @property
    def source(self) -> str:
        return resources.files(__package__).joinpath("skeletons", self.file).read_text("utf-8")

    @property
    def title(self) -> str:
        """The first line of the skeleton's docstring: "Exercise 1: the dense layer, ..."."""
        return ast.get_docstring(ast.parse(self.source)).splitlines()[0]

    @property
    def functions(self) -> dict[str, inspect.Signature]:
        """The functions the student writes, with the signatures the checks call them by."""
        namespace: dict = {}
        tree = ast.parse(self.source)
        defs = [node for node in tree.body if isinstance(node, ast.FunctionDef)]
        exec(compile(ast.Module(defs, []), self.file, "exec"), namespace)  # defs only: no body runs
        return {d.name: inspect.signature(namespace[d.name]) for d in defs}


EXERCISES = [
    Exercise("dense", "ex1_dense.py"),
    Exercise("activations", "ex2_activations.py"),
    Exercise("softmax", "ex3_softmax.py"),
    Exercise("mlp", "ex4_mlp.py"),
    Exercise("optimizers", "ex5_optimizers.py"),
    Exercise("perceptron", "ex6_perceptron.py"),
    Exercise("gradient_check", "ex7_gradient_check.py"),
]


def get_exercise(name: str) -> Exercise:
    for exercise in EXERCISES:
        if name in (
            exercise.name,
            exercise.file,
            Path(exercise.file).stem,
            exercise.file.split("_")[0],
        ):
            return exercise
    names = ", ".join(e.name for e in EXERCISES)
    raise ValueError(f"no exercise called {name!r}; the exercises are {names}")


def write_exercises(directory: str | os.PathLike) -> list[tuple[Path, bool]]:
    """Write every skeleton and its notebook into ``directory`` (made if missing); a file that is
    already there is kept as it is (it may hold the student's work). Returns (path, written)."""
    directory = Path(directory)
    if directory.exists() and not directory.is_dir():
        raise ValueError(f"{directory} is a file; give a folder to write the exercises into")
    directory.mkdir(parents=True, exist_ok=True)
    done = []
    for exercise in EXERCISES:
        notebook = notebook_json(exercise.name, exercise.source)
        for name, text in ((exercise.file, exercise.source),
                           (Path(exercise.file).with_suffix(".ipynb").name, notebook)):  # fmt: skip
            path, written = directory / name, not (directory / name).exists()
            if written:
                atomic_write_text(path, text)
            done.append((path, written))
    return done
