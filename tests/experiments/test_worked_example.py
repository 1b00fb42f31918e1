"""Mazur's worked example: numpynn agrees with every value the post publishes except four, and
each of those four is what the post's own code computes (an independent rewrite shows it)."""

import numpy as np

from numpynn.experiments.worked_example import compare, compute_values
from numpynn.runs.recipes import load_recipe

EXAMPLE = load_recipe("mazur-backprop").example
EXPLAINED = {
    "E_after_1",
    "E_after_iterations",
    "out_o1_after_iterations",
    "out_o2_after_iterations",
}


def test_numpynn_agrees_with_every_published_value_but_the_explained_four():
    rows = compare(EXAMPLE["published"], compute_values(EXAMPLE))
    assert len(rows) == 23
    assert (
        {row["value"] for row in rows if not row["agrees"]}
        == EXPLAINED
        == set(EXAMPLE["explained"])
    )


def test_the_comparison_fails_a_value_off_by_two_units_of_its_last_digit():
    values = compute_values(EXAMPLE)
    values["w5_new"] += 2e-8  # published "0.35891648": 8 decimals
    row = next(r for r in compare(EXAMPLE["published"], values) if r["value"] == "w5_new")
    assert not row["agrees"]


def mazur(updates, hidden_deltas_from_updated_weights):
    """The post's network in plain NumPy: returns (error, outputs) after ``updates`` steps."""
    x, t = np.array([0.05, 0.10]), np.array([0.01, 0.99])
    W1, W2 = np.array([[0.15, 0.25], [0.20, 0.30]]), np.array([[0.40, 0.50], [0.45, 0.55]])
    sigmoid = lambda z: 1 / (1 + np.exp(-z))  # noqa: E731
    for _ in range(updates):
        h = sigmoid(x @ W1 + 0.35)
        o = sigmoid(h @ W2 + 0.60)
        delta_o = (o - t) * o * (1 - o)
        W2_new = W2 - 0.5 * np.outer(h, delta_o)
        delta_h = ((W2_new if hidden_deltas_from_updated_weights else W2) @ delta_o) * h * (1 - h)
        W1, W2 = W1 - 0.5 * np.outer(x, delta_h), W2_new
    o = sigmoid(sigmoid(x @ W1 + 0.35) @ W2 + 0.60)
    return 0.5 * np.sum((t - o) ** 2), o


def test_the_four_differences_are_the_posts_own_code_before_its_fix_and_one_update_less():
    published = EXAMPLE["published"]
    error, _ = mazur(1, hidden_deltas_from_updated_weights=True)
    assert f"{error:.9f}" == published["E_after_1"]
    _, outputs = mazur(10_000, hidden_deltas_from_updated_weights=True)
    assert [f"{o:.9f}" for o in outputs] == [published["out_o1_after_iterations"],
                                             published["out_o2_after_iterations"]]  # fmt: skip
    error, _ = mazur(9_999, hidden_deltas_from_updated_weights=False)
    assert f"{error:.10f}" == published["E_after_iterations"]
    # and the fixed algorithm is numpynn's, to the last bit of float64 rounding
    values = compute_values(EXAMPLE)
    error, outputs = mazur(10_000, hidden_deltas_from_updated_weights=False)
    np.testing.assert_allclose([values["E_after_iterations"], values["out_o1_after_iterations"]],
                               [error, outputs[0]], rtol=1e-9)  # fmt: skip
