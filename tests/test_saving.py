"""save and load: a round trip, and damaged or forged files refused before anything is read."""

import io

import numpy as np
import pytest

import numpynn as nn


def test_save_and_load_round_trip(tmp_path):
    model = nn.mlp([6, 5, 4, 3], activation="leaky_relu", dropout=0.1, seed=0)
    nn.save(model, tmp_path / "model.npz")
    loaded = nn.load(tmp_path / "model.npz")
    assert repr(loaded) == repr(model)
    x = np.random.default_rng(0).standard_normal((4, 6)).astype(np.float32)
    np.testing.assert_array_equal(loaded.forward(x), model.forward(x))
    assert not list(tmp_path.glob(".*tmp"))  # the atomic write left no temp file
    with np.load(tmp_path / "model.npz", allow_pickle=False) as archive:
        assert "header" in archive.files


def test_load_rejects_truncated_and_foreign_files(tmp_path):
    nn.save(nn.mlp([6, 3], seed=0), tmp_path / "model.npz")
    data = (tmp_path / "model.npz").read_bytes()
    (tmp_path / "truncated.npz").write_bytes(data[: len(data) // 2])
    with pytest.raises(ValueError, match="truncated.npz: cannot read model file"):
        nn.load(tmp_path / "truncated.npz")
    np.savez(tmp_path / "foreign.npz", W=np.zeros(3))
    with pytest.raises(ValueError, match="not a numpynn model file"):
        nn.load(tmp_path / "foreign.npz")
    with pytest.raises(FileNotFoundError):
        nn.load(tmp_path / "absent.npz")


def test_load_rejects_arrays_that_do_not_fit_the_header(tmp_path):
    model = nn.mlp([6, 3], seed=0)
    nn.save(model, tmp_path / "model.npz")
    with np.load(tmp_path / "model.npz", allow_pickle=False) as archive:
        arrays = dict(archive)
    arrays["dense0.W"] = np.zeros((5, 3), dtype=np.float32)
    np.savez(tmp_path / "forged.npz", **arrays)
    with pytest.raises(
        ValueError,
        match=r"dense0.W has shape \(5, 3\) float32, the architecture needs \(6, 3\)",
    ):
        nn.load(tmp_path / "forged.npz")


def test_load_rejects_a_file_that_is_not_an_archive(tmp_path):
    (tmp_path / "junk.npz").write_bytes(b"not a model at all")
    with pytest.raises(ValueError, match="junk.npz: cannot read model file"):
        nn.load(tmp_path / "junk.npz")
    np.save(tmp_path / "array.npy", np.zeros(3))
    with pytest.raises(ValueError, match="array.npy: cannot read model file"):
        nn.load(tmp_path / "array.npy")


def test_load_checks_declared_shapes_before_reading_data(tmp_path):
    """A forged .npy header declaring a huge array must fail at once, without allocating."""
    import zipfile

    nn.save(nn.mlp([6, 3], seed=0), tmp_path / "model.npz")
    with zipfile.ZipFile(tmp_path / "model.npz") as archive:
        members = {name: archive.read(name) for name in archive.namelist()}
    huge = np.lib.format.header_data_from_array_1_0(np.zeros((1,), dtype=np.float32))
    huge["shape"] = (2**40, 2**20)
    forged = io.BytesIO()
    np.lib.format.write_array_header_1_0(forged, huge)
    members["dense0.W.npy"] = forged.getvalue() + b"\0" * 72
    with zipfile.ZipFile(tmp_path / "forged.npz", "w") as archive:
        for name, data in members.items():
            archive.writestr(name, data)
    with pytest.raises(
        ValueError,
        match=r"dense0.W has shape \(1099511627776, 1048576\) float32, the architecture needs \(6, 3\)",
    ):
        nn.load(tmp_path / "forged.npz")
