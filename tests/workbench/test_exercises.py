"""Writing the exercises: every skeleton and its notebook, a student's file never overwritten,
and each skeleton asking for exactly the functions its solution (in the tests) defines."""

import ast
import json

import pytest
from workbench.bugs import SOLUTIONS

from numpynn.workbench import EXERCISES, get_exercise, write_exercises


def test_write_exercises_writes_each_file_and_notebook(tmp_path):
    done = write_exercises(tmp_path / "new" / "folder")
    names = sorted(path.name for path, written in done if written)
    expected = sorted(
        [e.file for e in EXERCISES] + [e.file.replace(".py", ".ipynb") for e in EXERCISES]
    )
    assert names == expected and len(EXERCISES) == 7


def test_a_file_already_there_is_kept_as_it_is(tmp_path):
    mine = tmp_path / "ex1_dense.py"
    mine.write_text("# my work\n")
    done = dict(write_exercises(tmp_path))
    assert done[mine] is False and mine.read_text() == "# my work\n"
    assert all(written for path, written in done.items() if path != mine)
    assert not any(dict(write_exercises(tmp_path)).values())  # a second call writes nothing


def test_a_file_given_as_the_folder_is_refused(tmp_path):
    (tmp_path / "f").write_text("x")
    with pytest.raises(ValueError, match="is a file"):
        write_exercises(tmp_path / "f")


@pytest.mark.parametrize("exercise", EXERCISES, ids=lambda e: e.name)
def test_each_skeleton_states_its_task_and_matches_its_solution(exercise):
    tree = ast.parse(exercise.source)
    doc = ast.get_docstring(tree)
    assert doc.startswith(f"Exercise {EXERCISES.index(exercise) + 1}: ")
    assert f"numpynn check . {exercise.name}" in doc
    solution = ast.parse((SOLUTIONS / exercise.file).read_text())
    defs = {n.name: ast.unparse(n.args) for n in solution.body if isinstance(n, ast.FunctionDef)}
    assert {name: str(sig)[1:-1] for name, sig in exercise.functions.items()} == defs
    for function in (n for n in tree.body if isinstance(n, ast.FunctionDef)):
        assert ast.get_docstring(function), f"{function.name} states its task"
        assert isinstance(function.body[-1], ast.Raise) and "NotImplementedError" in ast.unparse(
            function.body[-1]
        )


@pytest.mark.parametrize("exercise", EXERCISES, ids=lambda e: e.name)
def test_each_notebook_holds_the_task_the_functions_and_a_check(tmp_path, exercise):
    write_exercises(tmp_path)
    notebook = json.loads((tmp_path / exercise.file.replace(".py", ".ipynb")).read_text())
    assert notebook["nbformat"] == 4
    cells = notebook["cells"]
    assert cells[0]["cell_type"] == "markdown" and exercise.title in cells[0]["source"]
    tagged = [c for c in cells if "exercise" in c["metadata"].get("tags", [])]
    assert [ast.parse(c["source"]).body[0].name for c in tagged] == list(exercise.functions)
    assert f"check_exercise({exercise.name!r}, globals())" in cells[-1]["source"]


def test_get_exercise_takes_the_name_the_file_or_its_stem():
    assert get_exercise("mlp") is get_exercise("ex4_mlp.py") is get_exercise("ex4_mlp")
