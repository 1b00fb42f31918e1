"""One SGD step of numpynn, configured by a shipped Nielsen recipe, equals the update rule of
Nielsen's network.py / network2.py, written again here independently: column vectors, one example
at a time, gradients summed over the mini-batch, η and λ as the book states them."""

import dataclasses

import numpy as np
import pytest

from numpynn.losses import get_loss
from numpynn.runs.recipes import load_recipe
from numpynn.training import train_step

BATCH = 10  # Nielsen's mini-batch


def sigmoid(z):
    return 1 / (1 + np.exp(-z))


def nielsen_step(weights, biases, batch, eta, cost, lmbda=0.0, n=50_000):
    """network2.py's update_mini_batch: w → (1 − ηλ/n) w − (η/m) Σₓ ∂Cₓ/∂w, b → b − (η/m) Σₓ ∂Cₓ/∂b;
    weights[l] has shape (out, in), biases[l] shape (out, 1)."""
    nabla_w = [np.zeros_like(w) for w in weights]
    nabla_b = [np.zeros_like(b) for b in biases]
    for x, y in batch:
        activations, zs = [x], []
        for w, b in zip(weights, biases):
            zs.append(w @ activations[-1] + b)
            activations.append(sigmoid(zs[-1]))
        a = activations[-1]
        # QuadraticCost.delta = (a − y) σ'(z); CrossEntropyCost.delta = a − y
        delta = (a - y) * a * (1 - a) if cost == "quadratic" else a - y
        for layer in range(len(weights) - 1, -1, -1):
            nabla_w[layer] += delta @ activations[layer].T
            nabla_b[layer] += delta
            if layer:
                s = activations[layer]
                delta = (weights[layer].T @ delta) * s * (1 - s)
    m = len(batch)
    weights = [(1 - eta * lmbda / n) * w - (eta / m) * nw for w, nw in zip(weights, nabla_w)]
    biases = [b - (eta / m) * nb for b, nb in zip(biases, nabla_b)]
    return weights, biases


def recipe_step(recipe_id, mnist, **changes):
    """numpynn's first step on a real batch with the recipe's config in float64, and Nielsen's
    (weights, biases) before it in his layout."""
    config = dataclasses.replace(load_recipe(recipe_id).config, dtype="float64", **changes)
    model = config.build_model(784, 10, np.random.default_rng(0))
    dense = [layer for layer in model.layers if hasattr(layer, "W")]
    before = (
        [layer.W.value.T.copy() for layer in dense],
        [layer.b.value[:, None].copy() for layer in dense],
    )
    x, labels = mnist[0][:BATCH].astype(np.float64), mnist[1][:BATCH].astype(np.int64)
    batch = [(xi[:, None], yi[:, None]) for xi, yi in zip(x, np.eye(10)[labels])]
    train_step(model, get_loss(config.loss), config.build_optimizer(model.parameters()), x, labels)
    return dense, before, batch


@pytest.mark.parametrize(
    ("recipe_id", "eta", "cost", "lmbda"),
    [("nielsen-ch1-30", 3.0, "quadratic", 0.0), ("nielsen-ch3-l2-30", 0.5, "cross-entropy", 5.0)],
)
def test_one_step_of_a_recipe_is_nielsens_update_rule(recipe_id, eta, cost, lmbda, mnist):
    dense, (weights, biases), batch = recipe_step(recipe_id, mnist)
    expected_w, expected_b = nielsen_step(weights, biases, batch, eta, cost, lmbda)
    for layer, w, b in zip(dense, expected_w, expected_b, strict=True):
        np.testing.assert_allclose(layer.W.value.T, w, rtol=0, atol=1e-12)
        np.testing.assert_allclose(layer.b.value, b[:, 0], rtol=0, atol=1e-12)
    # the step moved the weights by far more than the tolerance: the comparison has teeth
    assert max(np.abs(layer.W.value.T - w0).max() for layer, w0 in zip(dense, weights)) > 1e-4


@pytest.mark.parametrize("changes", [{"lr": 3.0}, {"decay_biases": None}])
def test_the_rule_tells_a_wrong_setting_apart(changes, mnist):
    """Nielsen's η = 3.0 is numpynn's lr = 15 on its mean squared error, not lr = 3; his L2
    leaves the biases alone, numpynn's default decays them too."""
    recipe_id = "nielsen-ch1-30" if "lr" in changes else "nielsen-ch3-l2-30"
    eta, cost, lmbda = (3.0, "quadratic", 0.0) if "lr" in changes else (0.5, "cross-entropy", 5.0)
    dense, (weights, biases), batch = recipe_step(recipe_id, mnist, **changes)
    expected_w, expected_b = nielsen_step(weights, biases, batch, eta, cost, lmbda)
    errors = [np.abs(layer.W.value.T - w).max() for layer, w in zip(dense, expected_w)]
    errors += [np.abs(layer.b.value - b[:, 0]).max() for layer, b in zip(dense, expected_b)]
    assert max(errors) > 1e-8
