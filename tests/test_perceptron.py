"""The perceptron: updates by hand, the textbook loop, averaged and pocket, Novikoff's bound, XOR,
MNIST, and clear errors."""

import numpy as np
import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

import numpynn as nn
from numpynn.data import make_blobs, make_xor
from numpynn.perceptron import MulticlassPerceptron, Perceptron, novikoff_bound


def reference_binary(x, y, epochs, seed, lr=1.0):
    """Rosenblatt's rule one example at a time; returns the weights after every example."""
    rng, w, after_each = np.random.default_rng(seed), np.zeros(x.shape[1] + 1), []
    for _ in range(epochs):
        for i in rng.permutation(len(x)):
            z = np.append(x[i], 1.0)
            if y[i] * (w @ z) <= 0:
                w = w + lr * y[i] * z
            after_each.append(w)
    return after_each


def reference_multiclass(x, y, classes, epochs, seed, lr=1.0):
    rng, W, after_each = np.random.default_rng(seed), np.zeros((classes, x.shape[1] + 1)), []
    for _ in range(epochs):
        for i in rng.permutation(len(x)):
            z = np.append(x[i], 1.0)
            guess = int(np.argmax(W @ z))
            if guess != y[i]:
                W = W.copy()
                W[y[i]] += lr * z
                W[guess] -= lr * z
            after_each.append(W)
    return after_each


def novikoff_violation(make_model, data) -> str | None:
    """None if the model converges on separable ``data`` within (R/γ)² mistakes, else why not."""
    bound = novikoff_bound(data.x, data.y, data.normal, data.offset)
    model = make_model().fit(data.x, data.y, epochs=int(bound) + 2)
    if sum(model.mistakes) > bound:
        return f"{sum(model.mistakes)} mistakes > bound {bound:.1f}"
    if not model.converged or model.score(data.x, data.y) != 1.0:
        return f"did not converge (training accuracy {model.score(data.x, data.y)})"
    return None


class ForgetfulPerceptron(Perceptron):
    """A broken perceptron that forgets the label in its update (w ← w + lr·x)."""

    def _pass(self, X, y, order, w, U, steps):
        return super()._pass(X, [1] * len(y), order, w, U, steps)


def test_two_points_by_hand():
    # from w = 0 either order makes two mistakes and lands on w = (1, -1, 0): x₁ - x₂ with bias 0
    x, y = np.array([[1.0, 0.0], [0.0, 1.0]]), np.array([1, -1])
    for seed in range(4):
        model = Perceptron(seed=seed).fit(x, y, epochs=10)
        assert model.mistakes == [2, 0] and model.converged
        np.testing.assert_array_equal(model.w, [1.0, -1.0, 0.0])
    np.testing.assert_array_equal(Perceptron(0.5).fit(x, y).w, [0.5, -0.5, 0.0])
    np.testing.assert_array_equal(Perceptron().fit(x, y).predict(x), y)


@pytest.mark.parametrize("averaged", [False, True])
def test_binary_matches_the_textbook_loop(averaged):
    x, y = make_xor(60, noise=0.3, seed=1)  # not separable: all 7 epochs run
    after_each = reference_binary(x, y, epochs=7, seed=5, lr=0.3)
    model = Perceptron(0.3, averaged=averaged, seed=5).fit(x, y, epochs=7)
    expected = np.mean(after_each, axis=0) if averaged else after_each[-1]
    np.testing.assert_allclose(model.w, expected, rtol=1e-12, atol=1e-12)
    assert len(model.history) == 7 and not model.converged


@pytest.mark.parametrize("averaged", [False, True])
def test_multiclass_matches_the_textbook_loop(averaged, rng):
    x = rng.normal(size=(90, 5))
    y = rng.integers(0, 4, size=90)  # random labels: never separable, every epoch updates
    after_each = reference_multiclass(x, y, 4, epochs=5, seed=2, lr=0.5)
    model = MulticlassPerceptron(lr=0.5, averaged=averaged, seed=2).fit(x, y, epochs=5)
    expected = np.mean(after_each, axis=0) if averaged else after_each[-1]
    np.testing.assert_allclose(model.W, expected, rtol=1e-12, atol=1e-12)
    assert model.W.shape == (4, 6)


def test_multiclass_update_by_hand():
    # W = 0 predicts class 0 (argmax takes the first of ties), so the class-0 point a = (2, 0) is
    # no mistake at first; the class-2 point b = (0, 3) is: row 2 += (b, 1), row 0 -= (b, 1).
    # If b comes first, a is then predicted 2: row 0 += (a, 1), row 2 -= (a, 1). One epoch.
    x, y = np.array([[2.0, 0.0], [0.0, 3.0]]), np.array([0, 2])
    by_order = {
        (0, 1): ([1], [[0, -3, -1], [0, 0, 0], [0, 3, 1]]),
        (1, 0): ([2], [[2, -3, 0], [0, 0, 0], [-2, 3, 0]]),
    }
    seen = set()
    for seed in range(6):
        first_order = tuple(np.random.default_rng(seed).permutation(2))  # fit's order in epoch 1
        model = MulticlassPerceptron(num_classes=3, seed=seed).fit(x, y, epochs=1)
        mistakes, W = by_order[first_order]
        assert model.mistakes == mistakes
        np.testing.assert_array_equal(model.W, W)
        seen.add(first_order)
    assert len(seen) == 2  # both traces were checked


def test_pocket_keeps_the_best_epoch_and_history_measures_every_epoch():
    x, y = make_xor(200, noise=0.3, seed=3)
    model = Perceptron(pocket=True, seed=0).fit(x, y, epochs=30)
    plain = Perceptron(seed=0).fit(x, y, epochs=30)
    accuracies = [row["train_accuracy"] for row in model.history]
    for row, w in zip(model.history, model.snapshots):
        assert row["train_accuracy"] == np.mean(np.where(x @ w[:-1] + w[-1] > 0, 1, -1) == y)
    assert model.mistakes == plain.mistakes  # the pocket changes the answer, not the training
    np.testing.assert_array_equal(model.w, model.snapshots[int(np.argmax(accuracies))])
    assert model.score(x, y) == max(accuracies) > plain.score(x, y)


def test_stops_after_an_epoch_without_mistakes_and_is_reproducible():
    data = make_blobs(80, margin=0.1, seed=4)
    first = Perceptron(seed=9).fit(data.x, data.y, epochs=500)
    again = Perceptron(seed=9).fit(data.x, data.y, epochs=500)
    assert first.converged and first.mistakes[-1] == 0 and len(first.history) < 500
    assert first.mistakes == again.mistakes
    np.testing.assert_array_equal(first.w, again.w)


def test_dtypes_follow_the_input():
    x, y = make_xor(40, seed=0)
    assert Perceptron().fit(x.astype(np.float32), y).w.dtype == np.float32
    assert Perceptron().fit(x, y).w.dtype == np.float64
    model = MulticlassPerceptron(averaged=True).fit(x.astype(np.float32), (y + 1) // 2)
    assert model.W.dtype == np.float32 and model.predict(x).dtype == np.intp
    assert Perceptron().fit(x, y).predict(x).dtype == np.int64
    assert repr(MulticlassPerceptron(averaged=True, pocket=True)) == (
        "MulticlassPerceptron(lr=1, averaged=True, pocket=True)"
    )


@settings(max_examples=150, deadline=None)
@given(
    seed=st.integers(0, 2**32 - 1),
    n=st.integers(2, 150),
    margin=st.floats(0.01, 0.5),
    radius=st.floats(0.2, 10.0),
    lr=st.floats(1e-3, 1e3),
)
def test_novikoff_bound_holds_on_separable_data(seed, n, margin, radius, lr):
    data = make_blobs(n, margin=margin * radius, radius=radius, seed=seed)
    assert novikoff_violation(lambda: Perceptron(lr, seed=seed), data) is None
    # the bound for the known margin and radius, with the bias folded in:
    # R² = radius² + 1 and γ = margin / ‖(normal, offset)‖
    known = (radius**2 + 1) * (1 + data.offset**2) / (margin * radius) ** 2
    assert novikoff_bound(data.x, data.y, data.normal, data.offset) <= known * (1 + 1e-9)
    # from w = 0 the learning rate only scales w: the same mistakes, in the same places
    assert Perceptron(lr, seed=seed).fit(data.x, data.y, 50).mistakes == (
        Perceptron(1.0, seed=seed).fit(data.x, data.y, 50).mistakes
    )


def test_the_novikoff_check_catches_a_broken_perceptron():
    data = make_blobs(60, margin=0.1, seed=0)
    assert novikoff_violation(lambda: Perceptron(seed=0), data) is None
    assert "did not converge" in novikoff_violation(lambda: ForgetfulPerceptron(seed=0), data)


def test_novikoff_bound_by_hand():
    # points (±1, 0) with labels ±1; the separator x = 0 has γ = 1/1 and R = ‖(1, 0, 1)‖ = √2
    x, y = np.array([[1.0, 0.0], [-1.0, 0.0]]), np.array([1, -1])
    assert novikoff_bound(x, y, [2.0, 0.0], 0.0) == pytest.approx(2.0)
    with pytest.raises(ValueError, match="must separate the data with a margin > 0, got margin -1"):
        novikoff_bound(x, -y, [1.0, 0.0], 0.0)
    with pytest.raises(ValueError, match="normal must be a nonzero vector of 2 numbers"):
        novikoff_bound(x, y, [1.0, 0.0, 0.0], 0.0)


@pytest.mark.parametrize("options", [{}, {"averaged": True}, {"pocket": True}])
def test_on_xor_the_perceptron_never_reaches_100_percent(options):
    x, y = make_xor()
    for seed in range(5):
        model = Perceptron(seed=seed, **options).fit(x, y, epochs=200)
        assert len(model.history) == 200 and not model.converged
        assert min(model.mistakes) >= 1  # every single epoch still makes a mistake
        assert max(row["train_accuracy"] for row in model.history) <= 0.75
        assert model.score(x, y) <= 0.75
    # the best a line can do is 3 of 4, and the pocket finds it
    assert Perceptron(pocket=True).fit(x, y, epochs=50).score(x, y) == 0.75


def test_on_noisy_xor_no_epoch_gets_near_100_percent():
    x, y = make_xor(400, noise=0.1, seed=0)
    model = Perceptron(pocket=True).fit(x, y, epochs=50)
    assert not model.converged and max(row["train_accuracy"] for row in model.history) < 0.8


def test_multiclass_perceptron_learns_tiny_mnist(tiny_mnist_dir):
    x, y, x_test, y_test = nn.data.load_mnist(tiny_mnist_dir, download=False, progress=False)
    model = MulticlassPerceptron(averaged=True).fit(x, y, epochs=3)
    assert model.W.shape == (10, 785) and model.score(x_test, y_test) > 0.8  # chance is 0.1


@pytest.mark.slow
def test_averaged_perceptron_reaches_87_percent_on_mnist(mnist):
    x, y, x_test, y_test = mnist
    model = MulticlassPerceptron(averaged=True, seed=0).fit(x, y, epochs=5)
    assert model.score(x_test, y_test) >= 0.87


@pytest.mark.parametrize(
    ("model", "x", "y", "message"),
    [
        (Perceptron(), [[0.0], [1.0]], [0, 1], r"labels must be -1 or \+1, got values \{0, 1\}; map 0/1 labels with y = 2 \* y - 1"),
        (Perceptron(), [[0.0], [1.0]], [1, 1], r"labels must include both classes -1 and \+1, got only \+1"),
        (Perceptron(), [[0.0], [1.0]], [1.0, -0.5], r"labels must be -1 or \+1, got values \{-0.5, 1\}"),
        (Perceptron(), [[0.0], [1.0], [2.0]], [1, -1], r"x and y must have the same length, got 3 inputs and labels of shape \(2,\)"),
        (Perceptron(), [[0.0], [1.0]], [[1], [-1]], r"x and y must have the same length"),
        (Perceptron(), [0.0, 1.0], [1, -1], r"x must be a 2-D array \(N, features\) with N >= 1, got shape \(2,\)"),
        (Perceptron(), np.zeros((0, 2)), [], r"x must be a 2-D array \(N, features\) with N >= 1, got shape \(0, 2\)"),
        (Perceptron(), [[np.nan], [1.0]], [1, -1], r"x must be finite, got NaN or inf"),
        (MulticlassPerceptron(), [[0.0], [1.0]], [0, 0], r"labels must hold at least two classes, got only class 0"),
        (MulticlassPerceptron(), [[0.0], [1.0]], [0, -1], r"labels must be integers 0..C-1, got -1"),
        (MulticlassPerceptron(), [[0.0], [1.0]], [0, 1.5], r"labels must be integers 0..C-1, got 1.5"),
        (MulticlassPerceptron(num_classes=3), [[0.0], [1.0]], [0, 3], r"labels must be integers 0..2 \(num_classes=3\), got 3"),
        (MulticlassPerceptron(), [[0.0], [1.0]], [0], r"x and y must have the same length, got 2 inputs"),
    ],
)  # fmt: skip
def test_bad_training_data_is_rejected_clearly(model, x, y, message):
    with pytest.raises(ValueError, match=message) as error:
        model.fit(np.asarray(x), np.asarray(y))
    assert str(error.value).startswith(f"{type(model).__name__}.fit: ")


def test_bad_settings_and_misuse_are_rejected_clearly():
    with pytest.raises(ValueError, match=r"Perceptron: lr must be a finite number > 0, got 0"):
        Perceptron(lr=0)
    with pytest.raises(ValueError, match=r"num_classes must be an integer >= 2, got 1"):
        MulticlassPerceptron(num_classes=1)
    x, y = make_xor()
    with pytest.raises(ValueError, match=r"Perceptron.fit: epochs must be an integer >= 1, got 0"):
        Perceptron().fit(x, y, epochs=0)
    with pytest.raises(TypeError, match=r"x must hold real numbers, got dtype <U1"):
        Perceptron().fit(np.array([["a"], ["b"]]), [1, -1])
    with pytest.raises(RuntimeError, match=r"Perceptron.predict: the model is not trained yet"):
        Perceptron().predict(x)
    with pytest.raises(RuntimeError, match=r"not trained yet; call fit\(x, y\) first"):
        MulticlassPerceptron().W  # noqa: B018
    model = MulticlassPerceptron().fit(x, (y + 1) // 2)
    with pytest.raises(
        ValueError, match=r"x must have 2 features per row \(as in training\), got shape \(4, 3\)"
    ):
        model.predict(np.ones((4, 3)))
    with pytest.raises(
        ValueError,
        match=r"MulticlassPerceptron.score: labels must be integers 0..1 \(num_classes=2\), got 5",
    ):
        model.score(x, [0, 1, 5, 0])
