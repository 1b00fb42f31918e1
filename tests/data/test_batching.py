"""The train/validation split and mini-batches."""

import numpy as np
import pytest

import numpynn as nn
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
    with pytest.raises(ValueError, match=r"val_size must be a count in \[0, 19\] or a fraction"):
        train_val_split(x, labels, 20, np.random.default_rng(0))


def test_a_random_split_is_the_first_val_size_of_a_permutation():
    """The split every run and record rests on: it must not change."""
    x, labels = np.arange(20.0)[:, None], np.arange(20)
    order = np.random.default_rng(7).permutation(20)
    (xt, yt), (xv, yv) = train_val_split(x, labels, 5, np.random.default_rng(7))
    np.testing.assert_array_equal(yv, order[:5])
    np.testing.assert_array_equal(yt, order[5:])
    np.testing.assert_array_equal(xt[:, 0], order[5:])
    (_, y_seeded), (_, v_seeded) = train_val_split(x, labels, 5, seed=7)  # the same, by seed
    np.testing.assert_array_equal(v_seeded, yv)
    np.testing.assert_array_equal(y_seeded, yt)


@pytest.mark.parametrize("fraction, held_out", [(0.1, 2), (0.25, 5), (0.5, 10), (0.95, 19)])
def test_val_size_may_be_a_fraction_of_the_examples(fraction, held_out):
    x, labels = np.arange(20.0)[:, None], np.arange(20)
    (_, yt), (_, yv) = train_val_split(x, labels, fraction, seed=0)
    assert len(yv) == held_out and len(yt) == 20 - held_out
    (_, yt), (_, yv) = train_val_split(x, labels, fraction)
    np.testing.assert_array_equal(yv, np.arange(20 - held_out, 20))


@pytest.mark.parametrize("val_size", [1.0, 0.0, -0.5, 5.0, 0.99, True, "5", -1])
def test_a_val_size_neither_count_nor_fraction_is_refused(val_size):
    x, labels = np.arange(20.0)[:, None], np.arange(20)
    with pytest.raises(ValueError, match=f"or a fraction in \\(0, 1\\), got {val_size!r}"):
        train_val_split(x, labels, val_size, seed=0)


def test_rng_and_seed_together_are_refused():
    x, labels = np.arange(20.0)[:, None], np.arange(20)
    with pytest.raises(ValueError, match="give rng or seed, not both"):
        train_val_split(x, labels, 5, np.random.default_rng(0), seed=0)


def test_an_ordered_split_holds_out_the_last_examples_in_order():
    x, y = np.arange(20.0).reshape(10, 2), np.arange(10)
    (x_train, y_train), (x_val, y_val) = train_val_split(x, y, 3, None)
    _, (_, y_default) = train_val_split(x, y, 3)  # no rng, no seed: ordered
    np.testing.assert_array_equal(y_default, [7, 8, 9])
    assert nn.data.train_val_split is train_val_split  # public, beside load_mnist
    np.testing.assert_array_equal(y_train, np.arange(7))
    np.testing.assert_array_equal(y_val, [7, 8, 9])
    np.testing.assert_array_equal(x_val, x[7:])


def test_a_seed_given_where_the_generator_goes_says_to_pass_seed():
    x, labels = np.arange(20.0)[:, None], np.arange(20)
    with pytest.raises(
        TypeError, match=r"rng must be a numpy Generator, got 0; for a seed, pass seed=0"
    ):
        train_val_split(x, labels, 0.1, 0)
