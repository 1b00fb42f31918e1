"""The notebooks run in a real Jupyter kernel (nbclient): with the solutions in their exercise
cells every check passes; as shipped, each runs to its end and its check reports the
NotImplementedError, without a crash."""

import pytest
from workbench.bugs import SOLUTIONS

from numpynn.workbench import EXERCISES, write_exercises

nbformat = pytest.importorskip("nbformat")
nbclient = pytest.importorskip("nbclient")
pytest.importorskip("ipykernel")


def run_notebook(path, cwd):
    notebook = nbformat.read(path, as_version=4)
    nbformat.validate(notebook)
    nbclient.NotebookClient(
        notebook, timeout=120, resources={"metadata": {"path": str(cwd)}}
    ).execute()
    return notebook


def output_text(cell) -> str:
    return "".join(o.get("text", "") for o in cell.outputs)


@pytest.fixture(scope="module")
def written(tmp_path_factory):
    folder = tmp_path_factory.mktemp("exercises")
    write_exercises(folder)
    return folder


@pytest.mark.parametrize("exercise", EXERCISES, ids=lambda e: e.name)
def test_a_notebook_with_the_solution_injected_passes(written, tmp_path, exercise):
    path = written / exercise.file.replace(".py", ".ipynb")
    notebook = nbformat.read(path, as_version=4)
    exercise_cells = [c for c in notebook.cells if "exercise" in c.metadata.get("tags", [])]
    exercise_cells[0].source = (SOLUTIONS / exercise.file).read_text()
    for cell in exercise_cells[1:]:
        cell.source = ""
    solved = tmp_path / path.name
    nbformat.write(notebook, solved)
    check = run_notebook(solved, tmp_path).cells[-1]
    text = output_text(check)
    assert text.splitlines()[-1] == "PASS", text
    assert "FAIL" not in text


@pytest.mark.parametrize("exercise", EXERCISES, ids=lambda e: e.name)
def test_a_notebook_as_shipped_runs_to_its_end_and_reports_not_written(written, tmp_path, exercise):
    notebook = run_notebook(written / exercise.file.replace(".py", ".ipynb"), tmp_path)
    assert all(
        o.output_type != "error"
        for cell in notebook.cells
        if cell.cell_type == "code"
        for o in cell.outputs
    )
    text = output_text(notebook.cells[-1])
    assert "NotImplementedError" in text and text.splitlines()[-1].startswith("FAIL")
