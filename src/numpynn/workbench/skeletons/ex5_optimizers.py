"""Exercise 5: update rules, SGD, SGD with momentum and Adam.

Each takes the weights w, their gradient dw and a dict config (the learning rate, the
hyperparameters and the state the rule keeps between steps) and returns (next_w, config).
config["learning_rate"] is always there; set the others with config.setdefault.

    SGD        w ← w − lr·dw
    momentum   v ← μ·v − lr·dw,  w ← w + v          (μ = config["momentum"], default 0.9;
                                                    v = config["velocity"], starts at zeros)
    Adam       t ← t + 1
               m ← β₁·m + (1 − β₁)·dw,   v ← β₂·v + (1 − β₂)·dw²
               m̂ = m / (1 − β₁ᵗ),   v̂ = v / (1 − β₂ᵗ)                (bias correction)
               w ← w − lr·m̂ / (√v̂ + ε)
               (β₁ = config["beta1"] 0.9, β₂ = config["beta2"] 0.999, ε = config["epsilon"]
                1e-8; keep m, v and t in config, say config["m"], config["v"], config["t"]:
                m and v start at zeros, t at 0)

Why each exists: docs/optimizers.md (momentum crosses a ravine, Adam scales each weight's step).

Check your work:  numpynn check . optimizers     (or: python ex5_optimizers.py)
"""

import numpy as np


def sgd(w, dw, config):
    """Plain gradient descent."""
    raise NotImplementedError("write sgd")


def sgd_momentum(w, dw, config):
    """Gradient descent with momentum (a velocity that remembers past gradients)."""
    raise NotImplementedError("write sgd_momentum")


def adam(w, dw, config):
    """Adam, with bias correction."""
    raise NotImplementedError("write adam")


if __name__ == "__main__":
    from numpynn.workbench import check_exercise

    raise SystemExit(0 if check_exercise("optimizers", globals()).passed else 1)
