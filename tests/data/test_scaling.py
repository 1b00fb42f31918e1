"""Scaling input features: measured on training rows, applied to any rows, kept in a file."""

import numpy as np
import pytest

from numpynn.data.scaling import Scaling, fit_scaling


def test_standard_scaling_gives_the_training_rows_mean_0_and_std_1():
    x = np.array([[1.0, 5.0], [3.0, 5.0], [5.0, 5.0]], dtype=np.float32)
    scaling = fit_scaling("standard", x)
    assert scaling.offset.tolist() == [3.0, 5.0]
    assert scaling.scale.tolist() == [np.sqrt(8 / 3), 1.0]  # a constant feature keeps scale 1
    scaled = scaling(x)
    assert scaled.dtype == np.float32
    np.testing.assert_allclose(scaled[:, 0].mean(), 0, atol=1e-7)
    np.testing.assert_allclose(scaled[:, 0].std(), 1, rtol=1e-6)
    assert scaled[:, 1].tolist() == [0, 0, 0]
    # other rows are scaled with the training rows' statistics, not their own
    np.testing.assert_allclose(scaling(np.array([[7.0, 6.0]], dtype=np.float32)),
                               [[4 / np.sqrt(8 / 3), 1.0]], rtol=1e-6)  # fmt: skip


def test_minmax_maps_the_training_range_to_0_1_and_none_is_nothing():
    x = np.array([[2.0, -1.0], [4.0, 3.0]])
    assert fit_scaling("minmax", x)(x).tolist() == [[0, 0], [1, 1]]
    assert fit_scaling("none", x) is None
    with pytest.raises(ValueError, match="unknown scaling 'zscore'; choose one of: none, standard"):
        fit_scaling("zscore", x)


def test_a_scaling_survives_its_dict_and_a_damaged_one_is_refused():
    scaling = fit_scaling("standard", np.array([[1.0, 2.0], [3.0, 6.0]]))
    again = Scaling.from_dict(scaling.to_dict(), "model.npz")
    assert again.kind == "standard" and np.array_equal(again.offset, scaling.offset)
    for damaged in ({"kind": "standard", "offset": [0.0], "scale": [0.0]},
                    {"kind": "standard", "offset": [0.0, 1.0], "scale": [1.0]},
                    {"kind": "magic", "offset": [0.0], "scale": [1.0]},
                    {"kind": "minmax", "offset": ["a"], "scale": [1.0]}, [], None):  # fmt: skip
        with pytest.raises(ValueError, match="model.npz: the input scaling it records is damaged"):
            Scaling.from_dict(damaged, "model.npz")
    with pytest.raises(ValueError, match=r"expects rows of 2 features, got shape \(1, 3\)"):
        scaling(np.zeros((1, 3)))
