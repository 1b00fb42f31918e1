"""tests/conftest.py's handling of a missing PyTorch: the oracle's tests are skipped and counted
with the command that installs the CPU-only build, or, with NUMPYNN_REQUIRE_TORCH=1 (CI), the
run stops. Each case runs pytest in a child process whose ``import torch`` fails."""

import os
import re
import subprocess
import sys

import pytest
from paths import REPO

ORACLE = "tests/test_torch_oracle.py"


def run_pytest(tmp_path, *args, torch: bool = False, require: bool = False):
    """pytest over ``args`` in a child process; without ``torch`` a sitecustomize makes ``import
    torch`` raise ImportError, as on a machine where it is not installed."""
    env = dict(os.environ)
    env.pop("NUMPYNN_REQUIRE_TORCH", None)
    if require:
        env["NUMPYNN_REQUIRE_TORCH"] = "1"
    if not torch:
        (tmp_path / "sitecustomize.py").write_text("import sys\nsys.modules['torch'] = None\n")
        env["PYTHONPATH"] = os.pathsep.join(filter(None, [str(tmp_path), env.get("PYTHONPATH")]))
    command = [sys.executable, "-m", "pytest", "-p", "no:cacheprovider", *args]
    return subprocess.run(command, cwd=REPO, env=env, capture_output=True, text=True, timeout=300)


def test_without_torch_the_oracle_is_skipped_and_the_summary_says_how_many(tmp_path):
    collected = run_pytest(tmp_path, "--collect-only", "-q", ORACLE)
    count = int(re.search(r"^(\d+) tests? collected", collected.stdout, re.M)[1])
    assert count > 50  # every layer, loss, random MLP and optimizer of the oracle
    result = run_pytest(tmp_path, "-q", ORACLE, "tests/test_parameter.py")
    assert result.returncode == 0, result.stdout + result.stderr
    hint = "pip install torch --index-url https://download.pytorch.org/whl/cpu"
    assert f"{count} tests skipped: PyTorch (the gradients' oracle) is not installed: {hint}" in (
        result.stdout
    )
    assert re.search(rf"\b{count} skipped\b", result.stdout.splitlines()[-1])
    assert " passed" in result.stdout.splitlines()[-1]  # the rest still runs


def test_with_torch_required_a_missing_torch_stops_the_run(tmp_path):
    result = run_pytest(tmp_path, "-q", ORACLE, require=True)
    assert result.returncode == pytest.ExitCode.USAGE_ERROR
    assert "NUMPYNN_REQUIRE_TORCH=1 but the oracle's tests cannot run" in result.stderr
    assert "passed" not in result.stdout and "skipped" not in result.stdout


def test_the_summary_stays_silent_when_nothing_was_skipped_for_torch(tmp_path):
    result = run_pytest(tmp_path, "-q", "tests/test_parameter.py", require=True)
    assert result.returncode == 0 and "PyTorch" not in result.stdout  # no oracle test collected


@pytest.mark.torch_oracle
def test_with_torch_installed_the_oracle_runs(tmp_path):
    result = run_pytest(tmp_path, "-q", f"{ORACLE}::test_dense_matches_torch_linear", torch=True, require=True)  # fmt: skip
    assert result.returncode == 0 and "1 passed" in result.stdout, result.stdout + result.stderr
