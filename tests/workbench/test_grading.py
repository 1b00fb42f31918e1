"""numpynn.workbench's checks: the solutions pass, the skeletons fail as unwritten, every bug of
the catalogue fails with words that name it, and a broken file fails alone."""

import shutil
import sys

import pytest
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st
from workbench.bugs import BUGS, SOLUTIONS

from numpynn.workbench import EXERCISES, check_directory, check_exercise, write_exercises


@pytest.fixture
def solved(tmp_path):
    """A folder with every exercise solved."""
    for exercise in EXERCISES:
        shutil.copy(SOLUTIONS / exercise.file, tmp_path / exercise.file)
    return tmp_path


def by_name(results) -> dict:
    return {r.exercise.name: r for r in results}


def details(result) -> str:
    return "\n".join(f"{row.check}: {row.detail}" for row in result.report.failures)


def test_every_solution_passes(solved):
    results = check_directory(solved)
    assert [r.exercise.name for r in results] == [e.name for e in EXERCISES]
    assert all(r.passed for r in results), "\n".join(details(r) for r in results)
    assert all(len(r.report.rows) >= 3 for r in results)  # a real check, not an empty PASS


def test_the_skeletons_as_shipped_fail_as_not_written(tmp_path):
    write_exercises(tmp_path)
    for result in check_directory(tmp_path):
        assert not result.passed
        assert all("NotImplementedError" in row.detail for row in result.report.failures)


@pytest.mark.parametrize("bug", BUGS, ids=lambda b: f"{b.exercise}: {b.name}")
def test_each_bug_of_the_catalogue_fails_and_is_named(solved, bug):
    (solved / bug.file).write_text(bug.source())
    results = by_name(check_directory(solved))
    assert not results[bug.exercise].passed
    if bug.words:
        assert bug.words in details(results[bug.exercise])
    others = [r for name, r in results.items() if name != bug.exercise]
    assert all(r.passed for r in others)  # the bug fails its own exercise only


def test_a_file_that_does_not_compile_fails_alone_with_its_line(solved):
    (solved / "ex1_dense.py").write_text(
        "import numpy as np\n\ndef dense_forward(x, W, b)\n    pass\n"
    )
    results = by_name(check_directory(solved))
    (row,) = results["dense"].report.failures
    assert row.check == "ex1_dense.py compiles" and row.detail.startswith("line 3:")
    assert all(r.passed for name, r in results.items() if name != "dense")


def test_a_missing_function_and_a_wrong_signature_are_named(solved):
    source = (SOLUTIONS / "ex2_activations.py").read_text()
    source = source.replace("def tanh_backward(dout, cache):", "def tanh_backwards(dout, cache):")
    source = source.replace("def relu_forward(x):", "def relu_forward():")
    (solved / "ex2_activations.py").write_text(source)
    failures = {
        row.check: row.detail
        for row in by_name(check_directory(solved))["activations"].report.failures
    }
    assert "the exercise asks for tanh_backward(dout, cache)" in failures["tanh_backward defined"]
    assert "relu_forward() cannot be called with 1 arguments" in failures["relu_forward signature"]


def test_an_error_when_the_module_runs_names_the_line(solved):
    (solved / "ex3_softmax.py").write_text("import numpy as np\n\nx = 1 / 0\n")
    (row,) = by_name(check_directory(solved, ["softmax"]))["softmax"].report.failures
    assert row.detail == "ZeroDivisionError: division by zero (ex3_softmax.py, line 3)"


def test_a_missing_file_says_how_to_write_it(tmp_path):
    (result,) = check_directory(tmp_path, ["dense"])
    assert "`numpynn exercises" in result.report.failures[0].detail


def test_an_exercise_may_import_another_and_each_check_sees_the_files_as_they_are(solved):
    (solved / "ex4_mlp.py").write_text(
        (SOLUTIONS / "ex4_mlp.py").read_text().replace("import numpy as np", "import numpy as np\nfrom ex1_dense import dense_forward")
    )  # fmt: skip
    assert by_name(check_directory(solved))["mlp"].passed
    (solved / "ex1_dense.py").write_text("raise ImportError('broken')\n")
    assert "ImportError" in details(by_name(check_directory(solved, ["mlp"]))["mlp"])

    assert "ex1_dense" not in sys.modules


def test_a_library_first_imported_by_a_students_file_stays_imported(solved, monkeypatch):
    """Only the student's own modules are forgotten: forgetting a library's half-way breaks it."""
    monkeypatch.delitem(sys.modules, "wave", raising=False)
    source = (SOLUTIONS / "ex1_dense.py").read_text()
    (solved / "ex1_dense.py").write_text("import wave\n" + source)
    assert by_name(check_directory(solved, ["dense"]))["dense"].passed
    assert "wave" in sys.modules


def test_check_exercise_checks_a_namespace_as_a_notebook_does(capsys):
    namespace: dict = {}
    exec((SOLUTIONS / "ex5_optimizers.py").read_text(), namespace)
    assert check_exercise("optimizers", namespace).passed
    assert "Exercise 5" in capsys.readouterr().out
    namespace["adam"] = lambda w, dw, config: (w, config)
    assert not check_exercise("optimizers", namespace, verbose=False).passed


def test_an_unknown_exercise_name_lists_the_names():
    with pytest.raises(ValueError, match="the exercises are dense, activations"):
        check_exercise("convolution", {})


@settings(
    max_examples=60, deadline=None, suppress_health_check=[HealthCheck.function_scoped_fixture]
)
@given(content=st.one_of(st.binary(max_size=300), st.text(max_size=300).map(str.encode)))
def test_hostile_exercise_files_fail_alone_and_change_nothing(solved, content):
    """Whatever bytes a file holds: a FAIL row for it (no exception), the other exercises still
    checked, and no file in the folder changed or removed."""
    (solved / "ex1_dense.py").write_bytes(content)
    before = {p.name: p.read_bytes() for p in solved.iterdir()}
    results = by_name(check_directory(solved))
    assert not results["dense"].passed
    assert all(r.passed for name, r in results.items() if name != "dense")
    assert {p.name: p.read_bytes() for p in solved.iterdir()} == before


def test_an_endless_loop_is_stopped_and_what_a_file_prints_is_not_shown(solved, capsys):
    source = (SOLUTIONS / "ex6_perceptron.py").read_text()
    (solved / "ex6_perceptron.py").write_text(
        source.replace(
            "    for _ in range(epochs):",
            "    print('x' * 100)\n    while True:\n        pass\n    for _ in range(epochs):",
        )
    )
    (result,) = check_directory(solved, ["perceptron"], timeout=0.5)
    (row,) = result.report.failures
    assert row.check == "perceptron finishes"
    assert row.detail.startswith("stopped after 0.5 s: an endless loop? (ex6_perceptron.py, line")
    assert "xxxx" not in capsys.readouterr().out
    (dense,) = check_directory(solved, ["dense"], timeout=0.5)
    assert dense.passed  # the timer is gone
