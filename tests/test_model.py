import io

import numpy as np
import pytest
from finite_differences import assert_layer_gradients

import numpynn as nn


def test_mlp_builds_dense_activation_pairs_and_ends_with_logits():
    model = nn.mlp([784, 256, 128, 10], activation="tanh", dropout=0.2, seed=0)
    kinds = [type(layer).__name__ for layer in model.layers]
    assert kinds == ["Dense", "Tanh", "Dropout", "Dense", "Tanh", "Dropout", "Dense"]
    assert [p.name for p in model.parameters()] == [
        "dense0.W", "dense0.b", "dense1.W", "dense1.b", "dense2.W", "dense2.b",
    ]  # fmt: skip
    assert model.num_parameters() == 784 * 256 + 256 + 256 * 128 + 128 + 128 * 10 + 10
    assert "Dense(784, 256)" in repr(model) and "Dropout(p=0.2)" in repr(model)


@pytest.mark.parametrize("sizes", [[3, 2], [4, 7, 3], [2, 5, 5, 5, 5, 2]])
def test_mlp_of_any_depth_backpropagates_correctly(sizes):
    model = nn.mlp(sizes, activation="sigmoid", dtype="float64", seed=1)
    assert_layer_gradients(model, np.random.default_rng(0).standard_normal((3, sizes[0])))


def test_mlp_defaults_to_float32_and_he_init_for_relu():
    model = nn.mlp([100, 50, 10], seed=0)
    assert model.dtype == np.float32
    assert model[0].W.value.std() == pytest.approx(np.sqrt(2 / 100), rel=0.05)
    assert nn.mlp([100, 50, 10], activation="tanh", seed=0)[0].W.value.std() == pytest.approx(
        np.sqrt(2 / 150), rel=0.05
    )


def test_mlp_same_seed_same_weights():
    a, b = nn.mlp([5, 4, 3], seed=7), nn.mlp([5, 4, 3], seed=7)
    for p, q in zip(a.parameters(), b.parameters(), strict=True):
        np.testing.assert_array_equal(p.value, q.value)


def test_mlp_rejects_bad_arguments():
    with pytest.raises(ValueError, match="unknown activation 'rleu'; choose one of"):
        nn.mlp([4, 2], activation="rleu")
    with pytest.raises(ValueError, match="at least an input and an output"):
        nn.mlp([4])
    with pytest.raises(ValueError, match="dtype must be float32 or float64"):
        nn.mlp([4, 2], dtype="int8")


def test_model_rejects_input_of_the_wrong_width():
    with pytest.raises(ValueError, match=r"expects input of shape \(N, 784\), got \(3, 785\)"):
        nn.mlp([784, 10]).forward(np.zeros((3, 785), dtype=np.float32))


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


def test_backward_without_input_grad_gives_the_same_parameter_gradients():
    model = nn.mlp([6, 5, 3], seed=0, dtype="float64")
    x = np.random.default_rng(0).standard_normal((4, 6))
    grad_y = np.random.default_rng(1).standard_normal((4, 3))
    model.forward(x, training=True)
    assert model.backward(grad_y).shape == (4, 6)
    full = [p.grad.copy() for p in model.parameters()]
    model.forward(x, training=True)
    assert model.backward(grad_y, input_grad=False) is None  # the first layer skips grad_y Wᵀ
    for p, expected in zip(model.parameters(), full, strict=True):
        np.testing.assert_array_equal(p.grad, expected)
