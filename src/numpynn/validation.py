"""Argument validators: each returns the value it checked (as a plain Python int or float) or
raises a ValueError that says what is wrong: ``<who>: <name> must be <rule>, got <value>``
(``who`` is left out for a config key, whose name says where it is). After a list of choices a
semicolon comes before ``got``; a name looked up in a registry is ``unknown <kind> <name>; choose
one of: ...``."""

import math
import numbers

import numpy as np

__all__ = [
    "is_int",
    "is_number",
    "in_interval",
    "plain",
    "check_int",
    "check_number",
    "check_choice",
    "look_up",
]


def is_int(value) -> bool:
    """An integer (Python or NumPy), not a bool: True is 1 to Python, never a count to us."""
    return isinstance(value, numbers.Integral) and not isinstance(value, bool)


def is_number(value) -> bool:
    """A finite real number (Python or NumPy), not a bool."""
    return isinstance(value, numbers.Real) and not isinstance(value, bool) and math.isfinite(value)


def plain(value):
    """A NumPy scalar as the Python int or float of the same value (JSON and TOML hold only those);
    anything else unchanged."""
    return value.item() if isinstance(value, np.generic) else value


def check_int(name: str, value, low: int, who: str = "") -> int:
    """``value`` as a Python int if it is an integer >= ``low``."""
    if not (is_int(value) and value >= low):
        raise ValueError(f"{_prefix(who)}{name} must be an integer >= {low}, got {value!r}")
    return int(value)


def check_number(
    name: str,
    value,
    low: float = -math.inf,
    high: float = math.inf,
    *,
    low_open: bool = False,
    high_open: bool = True,
    who: str = "",
) -> float:
    """``value`` as a float if it is a finite number in the interval from ``low`` to ``high``
    (closed at ``low`` and open at ``high`` unless told otherwise)."""
    if not in_interval(value, low, high, low_open=low_open, high_open=high_open):
        if math.isfinite(high):
            rule = f"in {'(' if low_open else '['}{low:g}, {high:g}{')' if high_open else ']'}"
        else:
            rule = f"a finite number {'>' if low_open else '>='} {low:g}"
        raise ValueError(f"{_prefix(who)}{name} must be {rule}, got {value!r}")
    return float(value)


def in_interval(
    value, low: float = -math.inf, high: float = math.inf, *, low_open=False, high_open=True
) -> bool:
    """Whether ``value`` is a finite number in the interval from ``low`` to ``high`` (closed at
    ``low`` and open at ``high`` unless told otherwise): ``check_number``'s test, as a bool."""
    return is_number(value) and bool(
        (value > low if low_open else value >= low)
        and (value < high if high_open else value <= high)
    )


def check_choice(name: str, value, allowed, who: str = ""):
    """``value`` if it is one of the names ``allowed``."""
    if not (isinstance(value, str) and value in allowed):
        raise ValueError(
            f"{_prefix(who)}{name} must be one of: {', '.join(sorted(allowed))}; got {value!r}"
        )
    return value


def look_up(kind: str, name: str, registry: dict):
    """``registry[name]``; an unknown name is an error that lists the known ones."""
    if name not in registry:
        raise ValueError(f"unknown {kind} {name!r}; choose one of: {', '.join(sorted(registry))}")
    return registry[name]


def _prefix(who: str) -> str:
    return f"{who}: " if who else ""
