"""The numbers of docs/activations.md that come from mathematics rather than from a run (those come
from records, tests/docs/test_records.py): the saturation thresholds and the derivatives quoted."""

import math

import numpy as np
import pytest
from paths import DOCS

import numpynn as nn

PAGE = DOCS / "activations.md"


def sigmoid_prime(x: float) -> float:
    s = 1 / (1 + math.exp(-x))
    return s * (1 - s)


def tanh_prime(x: float) -> float:
    return 1 - math.tanh(x) ** 2


SIGMOID_THRESHOLD = math.log((1 + math.sqrt(0.9)) / (1 - math.sqrt(0.9)))  # σ' = 1/40 here
TANH_THRESHOLD = math.atanh(math.sqrt(0.9))  # tanh' = 1/10 here


def unstated(page: str, claims: list[str]) -> list[str]:
    """The claims that the page does not make word for word."""
    return [claim for claim in claims if claim not in " ".join(page.split())]


def threshold_claims() -> list[str]:
    return [
        f"= ln((1 + √0.9)/(1 − √0.9)) ≈ {SIGMOID_THRESHOLD:.3f}",
        f"|x| > artanh(√(9/10)) ≈ {TANH_THRESHOLD:.3f}",
        f"σ'(5) = {sigmoid_prime(5):.4f}",
    ]


def test_the_thresholds_are_where_the_derivative_falls_to_a_tenth_of_its_peak():
    assert sigmoid_prime(0) == 0.25 and tanh_prime(0) == 1
    assert sigmoid_prime(SIGMOID_THRESHOLD) == pytest.approx(1 / 40, rel=1e-12)
    assert tanh_prime(TANH_THRESHOLD) == pytest.approx(1 / 10, rel=1e-12)
    assert SIGMOID_THRESHOLD == pytest.approx(2 * math.atanh(math.sqrt(0.9)), rel=1e-15)
    assert SIGMOID_THRESHOLD == pytest.approx(2 * TANH_THRESHOLD, rel=1e-15)
    x = np.linspace(0, 10, 10_001)  # both derivatives fall monotonically for x > 0 ...
    sigmoid_side = nn.Sigmoid().forward(x) * (1 - nn.Sigmoid().forward(x))
    assert np.all(np.diff(sigmoid_side) < 0)
    assert np.array_equal(sigmoid_side < 1 / 40, x > SIGMOID_THRESHOLD)  # ... so past it: below
    assert np.array_equal(1 - np.tanh(x) ** 2 < 1 / 10, x > TANH_THRESHOLD)


@pytest.mark.parametrize("x", [-3.0, -0.5, 0.0, 0.7, 2.5])
def test_tanh_prime_is_the_sigmoid_prime_stretched(x):
    assert tanh_prime(x) == pytest.approx(4 * sigmoid_prime(2 * x), rel=1e-12)


def test_the_page_states_the_thresholds_and_derivatives_the_test_computes():
    assert unstated(PAGE.read_text(encoding="utf-8"), threshold_claims()) == []


def test_a_wrong_threshold_on_the_page_is_found():
    page = " ".join(PAGE.read_text(encoding="utf-8").split())
    wrong = page.replace(f"{SIGMOID_THRESHOLD:.3f}", "3.6")
    assert unstated(wrong, threshold_claims()) == [threshold_claims()[0]]
