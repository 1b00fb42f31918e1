"""numpynn data info."""

from cli_runner import run


def test_data_info_says_where_mnist_is(mnist_dir, capsys, monkeypatch):
    monkeypatch.setenv("NUMPYNN_DATA", str(mnist_dir.parent))
    code, out, _ = run(capsys, "data", "info")
    assert code == 0 and f"mnist: found in {mnist_dir}" in out
    code, out, _ = run(capsys, "data", "info", "--data-dir", "/nonexistent")
    assert "mnist: missing (looked in /nonexistent)" in out


def test_data_convert_round_trips_and_refuses_to_overwrite(tmp_path, tiny_mnist_dir, capsys):
    from numpynn.data.convert import IDX_FILES

    code, stdout, _ = run(capsys, "data", "convert", tiny_mnist_dir, tmp_path / "m.csv")
    assert code == 0 and "m.csv" in stdout and (tmp_path / "m.test.csv").exists()
    code, _, _ = run(capsys, "data", "convert", tmp_path / "m.csv", tmp_path / "idx")
    assert code == 0
    for base in IDX_FILES:
        assert (tmp_path / "idx" / base).read_bytes() == (tiny_mnist_dir / base).read_bytes()
    before = (tmp_path / "m.csv").read_bytes()
    code, _, err = run(capsys, "data", "convert", tmp_path / "idx", tmp_path / "m.csv")
    assert code == 2 and "m.csv exists; numpynn never overwrites data" in err
    assert (tmp_path / "m.csv").read_bytes() == before
    (tmp_path / "bad.csv").write_text("a,b,c\n1,x,0\n3,4,1\n")
    code, _, err = run(capsys, "data", "convert", tmp_path / "bad.csv", tmp_path / "bad.npz")
    assert code == 2 and "bad.csv: line 2" in err and not (tmp_path / "bad.npz").exists()
