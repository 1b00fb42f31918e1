"""The perceptron's 2-D data sets: blobs with an exact margin, and XOR."""

import numpy as np
import pytest

from numpynn.data import make_blobs, make_xor


@pytest.mark.parametrize(
    ("n", "margin", "radius"), [(2, 0.5, 1.0), (101, 0.05, 1.0), (300, 0.3, 4.0)]
)
def test_blobs_have_exactly_the_margin_and_fit_in_the_radius(n, margin, radius):
    for seed in range(20):
        data = make_blobs(n, margin=margin, radius=radius, seed=seed)
        distances = data.y * (data.x @ data.normal + data.offset)
        assert distances.min() == pytest.approx(margin, abs=1e-12)  # support points on the margin
        assert np.linalg.norm(data.x, axis=1).max() <= radius * (1 + 1e-12)
        assert np.linalg.norm(data.normal) == pytest.approx(1.0)
        assert data.x.shape == (n, 2) and data.y.dtype == np.int64
        assert (
            np.count_nonzero(data.y == 1) == n - n // 2 and np.count_nonzero(data.y == -1) == n // 2
        )


def test_blobs_come_from_the_seed():
    a, b, c = make_blobs(seed=1), make_blobs(seed=1), make_blobs(seed=2)
    np.testing.assert_array_equal(a.x, b.x)
    assert not np.array_equal(a.x, c.x)
    rng = np.random.default_rng(1)
    np.testing.assert_array_equal(make_blobs(rng=rng).x, a.x)


def test_xor_is_the_truth_table_and_its_noisy_cloud():
    x, y = make_xor()
    np.testing.assert_array_equal(x, [[0, 0], [0, 1], [1, 0], [1, 1]])
    np.testing.assert_array_equal(y, [-1, 1, 1, -1])
    x, y = make_xor(400, noise=0.1, seed=3)
    corner = np.round(np.clip(x, 0, 1)).astype(int)  # noise 0.1 never crosses the middle here
    np.testing.assert_array_equal(y, np.where(corner[:, 0] != corner[:, 1], 1, -1))
    assert np.bincount(corner[:, 0] * 2 + corner[:, 1]).tolist() == [100, 100, 100, 100]
    assert 0.08 < np.std(x - corner) < 0.12


@pytest.mark.parametrize(
    ("call", "message"),
    [
        (lambda: make_blobs(1), r"make_blobs: n must be an integer >= 2, got 1"),
        (lambda: make_blobs(margin=0), r"make_blobs: margin must be in \(0, radius/2\] = \(0, 0.5\], got 0"),
        (lambda: make_blobs(margin=0.6), r"got 0.6; a wider margin leaves too little room"),
        (lambda: make_blobs(radius=-1), r"make_blobs: radius must be a finite number > 0, got -1"),
        (lambda: make_blobs(spread=0), r"make_blobs: spread must be a finite number > 0, got 0"),
        (lambda: make_xor(3), r"make_xor: n must be an integer >= 4, got 3"),
        (lambda: make_xor(10, noise=0), r"make_xor: noise must be a finite number > 0, got 0"),
    ],
)  # fmt: skip
def test_bad_settings_are_rejected_clearly(call, message):
    with pytest.raises(ValueError, match=message):
        call()
