"""save and load: a round trip, and damaged or forged files refused before anything is read."""

import io
import json
import os

import numpy as np
import paths
import pytest
from hypothesis import given, settings
from hypothesis import strategies as st
from memory import peak_bytes

import numpynn as nn
from numpynn.saving import ModelFileError


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


# ---- every save loads back ----------------------------------------------------------------------

ACTIVATION_NAMES = sorted(nn.ACTIVATIONS)


@st.composite
def hand_built_models(draw):
    """A Sequential of Dense layers with activations and Dropout between them, as a student
    builds one: names drawn from a few, so two layers often share the default name."""
    widths = draw(st.lists(st.integers(1, 6), min_size=2, max_size=5))
    dtype = draw(st.sampled_from(["float32", "float64"]))
    rng = np.random.default_rng(draw(st.integers(0, 2**16)))
    layers = []
    for i, (fan_in, fan_out) in enumerate(zip(widths, widths[1:])):
        name = draw(st.sampled_from(["dense", f"dense{i}", f"layer_{i}", "hidden"]))
        layers.append(nn.Dense(fan_in, fan_out, rng=rng, dtype=dtype, name=name))
        if i < len(widths) - 2:
            layers.append(nn.get_activation(draw(st.sampled_from(ACTIVATION_NAMES))))
            if draw(st.booleans()):
                layers.append(nn.Dropout(draw(st.floats(0, 0.9)), rng=rng))
    return nn.Sequential(layers)


@st.composite
def mlps(draw):
    sizes = draw(st.lists(st.integers(1, 6), min_size=2, max_size=6))
    return nn.mlp(sizes, draw(st.sampled_from(ACTIVATION_NAMES)), seed=draw(st.integers(0, 99)),
                  dropout=draw(st.sampled_from([0.0, 0.25])), dtype=draw(st.sampled_from(["float32", "float64"])))  # fmt: skip


def assert_round_trip(model, folder):
    path = folder / "model.npz"
    path.unlink(missing_ok=True)
    names = [p.name for p in model.parameters()]
    if len(set(names)) < len(names):  # refused before anything is written
        with pytest.raises(ValueError, match="more than one parameter is named"):
            nn.save(model, path)
        assert not path.exists()
        return
    nn.save(model, path)
    loaded = nn.load(path)
    assert repr(loaded) == repr(model)
    for p, q in zip(model.parameters(), loaded.parameters(), strict=True):
        assert (p.name, p.value.dtype) == (q.name, q.value.dtype)
        np.testing.assert_array_equal(p.value, q.value)
    x = np.random.default_rng(0).standard_normal((3, model[0].in_features)).astype(model.dtype)
    # OpenBLAS's small-matrix kernels now and then leave a stale floating-point flag that NumPy
    # reports as "invalid value encountered in matmul" on finite data (numpy#24067, numpy#28967);
    # these outputs are checked finite instead.
    with np.errstate(all="ignore"):
        outputs, expected = loaded.forward(x), model.forward(x)
    assert np.isfinite(expected).all()
    np.testing.assert_array_equal(outputs, expected)


@settings(max_examples=250, deadline=None)
@given(model=hand_built_models())
def test_a_hand_built_model_is_saved_so_that_it_loads_or_refused_before_writing(
    model, tmp_path_factory
):
    assert_round_trip(model, tmp_path_factory.mktemp("hand"))


@settings(max_examples=250, deadline=None)
@given(model=mlps())
def test_every_mlp_loads_back_as_it_was_saved(model, tmp_path_factory):
    assert_round_trip(model, tmp_path_factory.mktemp("mlp"))


class OwnLayer(nn.Layer):
    def forward(self, x, training=False):
        return x

    def backward(self, grad_y, input_grad=True):
        return grad_y


@pytest.mark.parametrize(
    ("model", "message"),
    [
        (lambda rng: nn.Sequential([nn.Dense(3, 2, rng=rng), nn.ReLU(), nn.Dense(2, 2, rng=rng)]),
         "more than one parameter is named dense.W, dense.b; give each Dense its own name="),
        (lambda rng: nn.Sequential([nn.mlp([3, 2], seed=0)]), "flatten nested Sequentials"),
        (lambda rng: nn.Sequential([nn.Dense(3, 2, rng=rng), OwnLayer()]), "is not one numpynn can rebuild"),
        (lambda rng: nn.Sequential([]), "a Sequential with at least one layer"),
    ],
)  # fmt: skip
def test_a_model_load_could_not_rebuild_is_refused_before_anything_is_written(
    tmp_path, model, message
):
    (tmp_path / "model.npz").write_bytes(b"the previous model")
    with pytest.raises(ValueError, match=message):
        nn.save(model(np.random.default_rng(0)), tmp_path / "model.npz")
    assert (tmp_path / "model.npz").read_bytes() == b"the previous model"
    assert sorted(p.name for p in tmp_path.iterdir()) == ["model.npz"]


# ---- hostile model files ------------------------------------------------------------------------


def write_model(path, header, arrays) -> None:
    """A model file with this header and these arrays, as np.savez writes one."""
    np.savez(path, header=np.array(json.dumps(header)), **arrays)


def valid_parts():
    model = nn.mlp([4, 3, 2], dropout=0.5, seed=0)
    header = {"format": "numpynn.model/1", "layers": [
        {"type": type(layer).__name__, **layer.config()} for layer in model.layers]}  # fmt: skip
    return header, {p.name: p.value for p in model.parameters()}


json_values = st.recursive(
    st.none() | st.booleans() | st.integers(-(2**70), 2**70) | st.floats() | st.text(max_size=20),
    lambda inner: (
        st.lists(inner, max_size=4) | st.dictionaries(st.text(max_size=8), inner, max_size=4)
    ),
    max_leaves=12,
)


@st.composite
def forged_headers(draw):
    """A valid header with one place replaced by an arbitrary JSON value (or a key dropped)."""
    header, _ = valid_parts()
    layers = header["layers"]
    where = draw(st.sampled_from(["format", "layers", "layer", "key", "drop"]))
    if where in ("format", "layers"):
        header[where] = draw(json_values)
    else:
        spec = layers[draw(st.integers(0, len(layers) - 1))]
        if where == "layer":
            layers[layers.index(spec)] = draw(json_values)
        elif where == "drop":
            del spec[draw(st.sampled_from(sorted(spec)))]
        else:
            spec[draw(st.sampled_from([*spec, "extra"]))] = draw(json_values)
    return header


@settings(max_examples=200, deadline=None)
@given(header=forged_headers())
def test_a_forged_header_loads_a_valid_model_or_is_one_clear_error(header, tmp_path_factory):
    path = tmp_path_factory.mktemp("forged") / "model.npz"
    write_model(path, header, valid_parts()[1])
    try:
        model = nn.load(path)
    except ModelFileError as error:
        assert str(path) in str(error) and "\n" not in str(error)
    else:  # a change that leaves a valid model (another dropout p, another slope)
        assert isinstance(model, nn.Sequential) and model.num_parameters() == 4 * 3 + 3 + 3 * 2 + 2


@settings(max_examples=100, deadline=None)
@given(data=st.data())
def test_damaged_bytes_load_the_same_model_or_are_one_clear_error(data, tmp_path_factory):
    folder = tmp_path_factory.mktemp("damaged")
    nn.save(nn.mlp([4, 3, 2], seed=0), folder / "model.npz")
    raw = bytearray((folder / "model.npz").read_bytes())
    if data.draw(st.booleans()):
        raw = raw[: data.draw(st.integers(0, len(raw) - 1))]  # truncated
    else:
        for _ in range(data.draw(st.integers(1, 4))):  # bits flipped
            raw[data.draw(st.integers(0, len(raw) - 1))] ^= 1 << data.draw(st.integers(0, 7))
    (folder / "damaged.npz").write_bytes(bytes(raw))
    try:
        model = nn.load(folder / "damaged.npz")
    except ModelFileError as error:
        assert "damaged.npz" in str(error)
    else:  # the flips hit bytes no reader looks at (zip comments, padding)
        for p, q in zip(
            nn.load(folder / "model.npz").parameters(), model.parameters(), strict=True
        ):
            np.testing.assert_array_equal(p.value, q.value)


def test_a_small_file_declaring_a_huge_layer_fails_without_allocating_it(tmp_path):
    header, arrays = valid_parts()
    header["layers"][0]["out_features"] = 300_000  # 784 x 300,000 float32 would be 940 MB
    write_model(tmp_path / "wide.npz", header, arrays)
    with pytest.raises(
        ModelFileError, match=r"declares [\d,]+ bytes of weights but the file holds"
    ):
        nn.load(tmp_path / "wide.npz")
    assert (
        peak_bytes(lambda: pytest.raises(ModelFileError, nn.load, tmp_path / "wide.npz"))
        < 5_000_000
    )


def test_a_header_nested_too_deep_is_a_clear_error(tmp_path):
    deep = "[" * 100_000 + "]" * 100_000
    np.savez(
        tmp_path / "deep.npz",
        header=np.array('{"format": "numpynn.model/1", "layers": ' + deep + "}"),
    )
    with pytest.raises(ModelFileError, match="deep.npz: not a numpynn model file"):
        nn.load(tmp_path / "deep.npz")


@pytest.mark.skipif(not hasattr(os, "mkfifo"), reason="no FIFOs on this system")
def test_a_fifo_or_a_folder_in_place_of_a_model_is_refused_at_once(tmp_path):
    os.mkfifo(tmp_path / "model.npz")
    with pytest.raises(ModelFileError, match="is not a regular file"):
        nn.load(tmp_path / "model.npz")  # opening it would block forever
    with pytest.raises(ModelFileError, match="is a folder, not a file"):
        nn.load(tmp_path)


def test_a_model_file_written_by_an_earlier_numpynn_still_loads():
    """tests/fixtures/model-numpynn-0.1.0-2026-11-29.npz: mlp([4, 3, 2], "tanh", dropout=0.1,
    seed=7) saved by the numpynn of commit 56492ba, before the package layout changed."""
    model = nn.load(paths.REPO / "tests/fixtures/model-numpynn-0.1.0-2026-11-29.npz")
    x = np.linspace(-1, 1, 8, dtype=np.float32).reshape(2, 4)
    np.testing.assert_array_equal(
        model.forward(x),
        [[0.6954734921455383, 1.8998327255249023], [-0.7745106816291809, -1.7781784534454346]],
    )  # what that numpynn computed
    assert repr(model) == repr(nn.mlp([4, 3, 2], "tanh", dropout=0.1, seed=7))


def test_a_model_file_keeps_what_it_was_trained_on_and_old_files_have_none(tmp_path):
    model = nn.mlp([4, 3, 2], seed=0)
    data = {"name": "pets.csv", "class_names": ["cat", "dog"], "scaling": None}
    nn.save(model, tmp_path / "new.npz", data=data)
    nn.save(model, tmp_path / "old.npz")  # as every file before the data were recorded
    assert nn.saving.load_data_description(tmp_path / "new.npz") == data
    assert nn.saving.load_data_description(tmp_path / "old.npz") is None
    x = np.ones((1, 4), dtype=np.float32)
    assert np.array_equal(nn.load(tmp_path / "new.npz").forward(x), model.forward(x))
    with pytest.raises(TypeError, match="save: data must be a dict"):
        nn.save(model, tmp_path / "bad.npz", data=["cat", "dog"])
    assert not (tmp_path / "bad.npz").exists()
    with pytest.raises(ValueError, match="Out of range float values are not JSON compliant"):
        nn.save(model, tmp_path / "nan.npz", data={"mean": float("nan")})
    header = {"format": nn.saving.FORMAT, "layers": nn.saving.layer_specs(model), "data": [1]}
    np.savez(tmp_path / "forged.npz", header=np.array(json.dumps(header)),
             **{p.name: p.value for p in model.parameters()})  # fmt: skip
    with pytest.raises(nn.saving.ModelFileError, match="forged.npz: the header's data must be"):
        nn.saving.load_data_description(tmp_path / "forged.npz")
