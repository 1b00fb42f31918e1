"""The train/validation split and mini-batches."""

import numpy as np
import pytest

from numpynn.data.batching import iterate_batches, train_val_split


def test_iterate_batches_covers_every_example_once_in_a_new_order():
    x, labels = np.arange(10.0)[:, None], np.arange(10)
    batches = list(iterate_batches(x, labels, 4, np.random.default_rng(0)))
    assert [len(b[1]) for b in batches] == [4, 4, 2]
    order = np.concatenate([b[1] for b in batches])
    assert sorted(order) == list(range(10)) and list(order) != list(range(10))
    assert all(np.array_equal(b[0][:, 0], b[1]) for b in batches)  # inputs stay paired with labels


def test_train_val_split_is_disjoint_seeded_and_validated():
    x, labels = np.arange(20.0)[:, None], np.arange(20)
    (xt, yt), (xv, yv) = train_val_split(x, labels, 5, np.random.default_rng(0))
    assert len(yv) == 5 and len(yt) == 15 and not set(yt) & set(yv)
    (_, yt2), _ = train_val_split(x, labels, 5, np.random.default_rng(0))
    np.testing.assert_array_equal(yt, yt2)
    with pytest.raises(ValueError, match=r"val_size must be in \[0, 19\], got 20"):
        train_val_split(x, labels, 20, np.random.default_rng(0))


def test_an_ordered_split_holds_out_the_last_examples_in_order():
    x, y = np.arange(20.0).reshape(10, 2), np.arange(10)
    (x_train, y_train), (x_val, y_val) = train_val_split(x, y, 3, None)
    np.testing.assert_array_equal(y_train, np.arange(7))
    np.testing.assert_array_equal(y_val, [7, 8, 9])
    np.testing.assert_array_equal(x_val, x[7:])
