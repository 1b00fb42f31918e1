"""The validators: what they accept, and the one message template of what they refuse."""

import math

import numpy as np
import pytest

from numpynn.validation import (
    check_choice,
    check_int,
    check_number,
    in_interval,
    is_int,
    is_number,
    look_up,
)


def test_integers_and_numbers_exclude_bools_and_non_finite_values():
    assert all(is_int(v) for v in (0, -3, np.int64(5)))
    assert not any(is_int(v) for v in (True, 3.0, "3", None))
    assert all(is_number(v) for v in (0, 2.5, np.float32(0.5), np.int32(2)))
    assert not any(is_number(v) for v in (False, math.nan, math.inf, "1", None))


def test_a_checked_value_is_returned():
    assert check_int("epochs", 3, 1) == 3
    assert check_number("lr", 1, 0, low_open=True) == 1.0
    assert isinstance(check_number("lr", 1, 0, low_open=True), float)
    assert check_number("gamma", 1.0, 0, 1, low_open=True, high_open=False) == 1.0
    assert check_choice("loss", "mse", ["mse", "cross-entropy"]) == "mse"
    assert look_up("loss", "mse", {"mse": 1}) == 1


@pytest.mark.parametrize(
    ("check", "message"),
    [
        (lambda: check_int("epochs", 0, 1), r"^epochs must be an integer >= 1, got 0$"),
        (lambda: check_int("epochs", 2.0, 1, who="fit"), r"^fit: epochs must be an integer >= 1, got 2.0$"),
        (lambda: check_number("lr", 0, 0, low_open=True, who="SGD"), r"^SGD: lr must be a finite number > 0, got 0$"),
        (lambda: check_number("decay", -1, 0), r"^decay must be a finite number >= 0, got -1$"),
        (lambda: check_number("momentum", 1.0, 0, 1), r"^momentum must be in \[0, 1\), got 1.0$"),
        (lambda: check_number("gamma", 0, 0, 1, low_open=True, high_open=False), r"^gamma must be in \(0, 1\], got 0$"),
        (lambda: check_number("momentum", "0.9", 0), r"^momentum must be a finite number >= 0, got '0.9'$"),
        (lambda: check_number("lr", math.nan, 0), r"^lr must be a finite number >= 0, got nan$"),
        (lambda: check_number("lr", True, 0), r"^lr must be a finite number >= 0, got True$"),
        (lambda: check_choice("loss", "l1", ["mse", "cross-entropy"]), r"^loss must be one of: cross-entropy, mse; got 'l1'$"),
        (lambda: look_up("loss", "l1", {"mse": 1, "cross-entropy": 2}), r"^unknown loss 'l1'; choose one of: cross-entropy, mse$"),
    ],
)  # fmt: skip
def test_a_refused_value_says_who_what_the_rule_is_and_what_was_given(check, message):
    with pytest.raises(ValueError, match=message):
        check()


@pytest.mark.parametrize(
    ("value", "low", "high", "ends", "inside"),
    [(0.5, 0, 1, {}, True), (1, 0, 1, {}, False), (1, 0, 1, {"high_open": False}, True),
     (0, 0, 1, {"low_open": True}, False), (math.inf, 0, math.inf, {}, False),
     (True, 0, 1, {}, False), ("0.5", 0, 1, {}, False), (np.float32(0.5), 0, 1, {}, True)],
)  # fmt: skip
def test_in_interval_is_check_numbers_test(value, low, high, ends, inside):
    assert in_interval(value, low, high, **ends) is inside
    if inside:
        assert check_number("x", value, low, high, **ends) == float(value)
    else:
        with pytest.raises(ValueError, match="x must be"):
            check_number("x", value, low, high, **ends)
