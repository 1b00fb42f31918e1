"""Argument types that say what they want: each parses a flag's text or raises the one-line
error argparse shows (``argument --lr: must be a number > 0, got -1``)."""

import argparse
import re

__all__ = [
    "checked",
    "positive_float",
    "positive_int",
    "natural_int",
    "probability",
    "open_unit",
    "non_negative_float",
    "decay_factor",
    "widths",
    "positive_ints",
    "positive_floats",
    "names",
    "depths",
    "at_least_10",
    "address",
]


def checked(convert, rule: str, ok):
    """A type that converts the text with ``convert`` and accepts what ``ok`` says is ``rule``."""

    def parse(text: str):
        try:
            value = convert(text)
        except ValueError:
            raise argparse.ArgumentTypeError(f"must be {rule}, got {text!r}") from None
        if not ok(value):
            raise argparse.ArgumentTypeError(f"must be {rule}, got {text}")
        return value

    return parse


positive_float = checked(float, "a number > 0", lambda v: v > 0 and v != float("inf"))
positive_int = checked(int, "an integer >= 1", lambda v: v >= 1)
natural_int = checked(int, "an integer >= 0", lambda v: v >= 0)
probability = checked(float, "a number in [0, 1)", lambda v: 0 <= v < 1)
open_unit = checked(float, "a number in (0, 1)", lambda v: 0 < v < 1)
non_negative_float = checked(float, "a number >= 0", lambda v: 0 <= v < float("inf"))
decay_factor = checked(float, "a number in (0, 1]", lambda v: 0 < v <= 1)
widths = checked(
    lambda t: [int(w) for w in t.split(",")] if t.strip() else [],
    "comma-separated widths >= 1, e.g. 256,128",
    lambda v: all(w >= 1 for w in v),
)

positive_ints = checked(
    lambda t: [int(v) for v in t.split(",")],
    "comma-separated integers >= 1, e.g. 1,2,3",
    lambda v: all(d >= 1 for d in v),
)
positive_floats = checked(
    lambda t: [float(v) for v in t.split(",")],
    "comma-separated numbers > 0, e.g. 0.001,0.01",
    lambda v: all(0 < x < float("inf") for x in v),
)
names = checked(
    lambda t: [v.strip() for v in t.split(",")],
    "comma-separated names, e.g. relu,tanh",
    lambda v: all(v),
)
depths = checked(
    lambda t: [int(d) for d in t.split(",")],
    "comma-separated depths >= 1, e.g. 2,4,6",
    lambda v: min(v) >= 1,
)
at_least_10 = checked(int, "an integer >= 10", lambda v: v >= 10)
address = checked(
    str,
    "an address such as tcp://10.0.0.5:8786",
    lambda v: re.fullmatch(r"(\w+://)?[^\s:/]+:\d+", v),
)
