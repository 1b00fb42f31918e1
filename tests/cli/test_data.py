"""numpynn data info."""

from cli_runner import run


def test_data_info_says_where_mnist_is(mnist_dir, capsys, monkeypatch):
    monkeypatch.setenv("NUMPYNN_DATA", str(mnist_dir.parent))
    code, out, _ = run(capsys, "data", "info")
    assert code == 0 and f"mnist: found in {mnist_dir}" in out
    code, out, _ = run(capsys, "data", "info", "--data-dir", "/nonexistent")
    assert "mnist: missing (looked in /nonexistent)" in out
