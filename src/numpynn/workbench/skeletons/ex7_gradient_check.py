"""Exercise 7: a gradient checker of your own.

The derivative of f at x in entry i, by centered differences:
    ∂f/∂x_i ≈ (f(x + h·e_i) − f(x − h·e_i)) / (2h)
whose error shrinks as h² (a one-sided difference (f(x + h·e_i) − f(x)) / h shrinks only as h).
Change x[i] in place, call f, and put x[i] back exactly as it was.

Compare an analytic gradient a with a numerical one n by their relative error,
    |a − n| / max(|a| + |n|, tiny)      entry by entry (tiny = 1e-12 avoids 0/0),
and report the largest: below 1e-6 in float64 the gradient is right, above 1e-3 it is wrong.

Check your work:  numpynn check . gradient_check     (or: python ex7_gradient_check.py)
"""

import numpy as np


def numerical_gradient(f, x, h=1e-5):
    """The gradient of the scalar function f at the float64 array x (any shape), an array of
    the shape of x, by centered differences. x must be unchanged afterwards."""
    raise NotImplementedError("write numerical_gradient")


def relative_error(a, n):
    """The largest entrywise relative error between arrays a and n (a float)."""
    raise NotImplementedError("write relative_error")


if __name__ == "__main__":
    from numpynn.workbench import check_exercise

    raise SystemExit(0 if check_exercise("gradient_check", globals()).passed else 1)
