"""``numpynn exercises`` and ``numpynn check``: the files, the report, the exit codes."""

import shutil

from cli_runner import run
from workbench.bugs import BUGS, SOLUTIONS


def test_exercises_then_check_as_a_student_does(capsys, tmp_path):
    folder = tmp_path / "exercises"
    code, out, _ = run(capsys, "exercises", folder)
    assert code == 0 and out.count("wrote ") == 14 and f"numpynn check {folder}" in out
    code, out, _ = run(capsys, "check", folder)
    assert code == 1 and out.splitlines()[-1] == "score: 0 of 7 exercises pass"
    assert (
        "FAIL  dense" in out and "not written yet (NotImplementedError: write dense_forward" in out
    )
    shutil.copy(SOLUTIONS / "ex1_dense.py", folder)
    code, out, _ = run(capsys, "check", folder, "dense")
    assert (
        code == 0
        and out.startswith("PASS  dense")
        and out.splitlines()[-1] == "score: 1 of 1 exercises pass"
    )
    code, out, _ = run(capsys, "exercises", folder)
    assert code == 0 and out.count("kept ") == 14


def test_check_shows_what_is_wrong_and_every_check_with_v(capsys, tmp_path):
    bug = next(b for b in BUGS if b.name == "sigmoid' written as σ(x)")
    (tmp_path / bug.file).write_text(bug.source())
    code, out, _ = run(capsys, "check", tmp_path, "activations")
    assert code == 1 and "f'(x) is the output f(x) itself" in out and "PASS  relu" not in out
    code, verbose, _ = run(capsys, "check", tmp_path, "ex2_activations.py", "-v")
    assert code == 1 and "PASS  relu: dL/dx" in verbose


def test_usage_errors_exit_2(capsys, tmp_path):
    code, _, err = run(capsys, "check", tmp_path / "nowhere")
    assert code == 2 and "is not a folder" in err and "numpynn exercises" in err
    code, _, err = run(capsys, "check", tmp_path)
    assert code == 2 and "holds none of the exercise files" in err
    code, _, err = run(capsys, "check", tmp_path, "convolution")
    assert code == 2 and "no exercise called 'convolution'" in err
    (tmp_path / "file").write_text("x")
    code, _, err = run(capsys, "exercises", tmp_path / "file")
    assert code == 2 and "is a file" in err


def test_a_file_an_exercise_number_and_the_default_folder(capsys, tmp_path, monkeypatch):
    shutil.copy(SOLUTIONS / "ex4_mlp.py", tmp_path)
    code, out, _ = run(capsys, "check", tmp_path / "ex4_mlp.py")
    assert code == 0 and out.startswith("PASS  mlp")
    code, out, _ = run(capsys, "check", tmp_path, "ex4")
    assert code == 0 and out.startswith("PASS  mlp")
    monkeypatch.chdir(tmp_path)
    assert run(capsys, "exercises")[0] == 0 and (tmp_path / "exercises" / "ex1_dense.py").exists()
    code, out, _ = run(capsys, "check")
    assert code == 1 and out.splitlines()[-1] == "score: 0 of 7 exercises pass"
