"""A worked example checked number by number: a tiny network whose every intermediate value a
tutorial publishes (the ``[example]`` table of a recipe), recomputed by numpynn's own Dense, Sigmoid,
MeanSquaredError and SGD in float64.

The network is 2-2-2 with sigmoid units and a shared bias per layer; the error is
E = Σ ½(target − out)², which for one example of two outputs is exactly numpynn's
MeanSquaredError (the mean of the two squares), so the learning rate carries over unchanged. As
in the tutorial, only the weights learn; the biases stay fixed.
"""

import numpy as np

from ..activations import Sigmoid
from ..layers import Dense
from ..losses import MeanSquaredError
from ..model import Sequential
from ..optim import SGD

__all__ = ["compute_values", "compare"]


def _network(example: dict) -> Sequential:
    """Dense(2, 2) → sigmoid → Dense(2, 2) → sigmoid, weights w1..w8 as the tutorial numbers
    them: unit j of a layer reads its inputs through W[:, j]."""
    w = {f"w{i}": float(example[f"w{i}"]) for i in range(1, 9)}
    hidden, output = (Dense(2, 2, init="zeros", dtype="float64") for _ in range(2))
    hidden.W.value[...] = [[w["w1"], w["w3"]], [w["w2"], w["w4"]]]
    output.W.value[...] = [[w["w5"], w["w7"]], [w["w6"], w["w8"]]]
    hidden.b.value[...] = float(example["b1"])
    output.b.value[...] = float(example["b2"])
    return Sequential([hidden, Sigmoid(), output, Sigmoid()])


def compute_values(example: dict) -> dict[str, float]:
    """Every value the tutorial publishes, by numpynn: the forward pass, the error, two
    gradients, the weights after one step, and the error after one and after ``iterations``."""
    model = _network(example)
    hidden, hidden_sigmoid, output, output_sigmoid = model.layers
    x = np.array([[float(example["i1"]), float(example["i2"])]])
    target = np.array([[float(example["target_o1"]), float(example["target_o2"])]])
    loss_fn = MeanSquaredError()
    net_h = hidden.forward(x)  # the forward pass layer by layer, to read every value on the way
    out_h = hidden_sigmoid.forward(net_h)
    net_o = output.forward(out_h)
    out = output_sigmoid.forward(net_o)
    values = {
        "net_h1": net_h[0, 0], "out_h1": out_h[0, 0], "out_h2": out_h[0, 1], "net_o1": net_o[0, 0],
        "out_o1": out[0, 0], "out_o2": out[0, 1],
        "E_o1": 0.5 * (target[0, 0] - out[0, 0]) ** 2, "E_o2": 0.5 * (target[0, 1] - out[0, 1]) ** 2,
        "E_total": loss_fn.forward(out, target),
    }  # fmt: skip
    model.backward(loss_fn.backward())
    values |= {"dE_dw5": output.W.grad[0, 0], "dE_dw1": hidden.W.grad[0, 0]}
    optimizer = SGD([hidden.W, output.W], lr=float(example["lr"]))  # the biases stay fixed
    optimizer.step()
    # w1..w8 in the tutorial's order: per layer, unit j's two weights W[0, j], W[1, j]
    new = [W.value[r, j] for W in (hidden.W, output.W) for j in (0, 1) for r in (0, 1)]
    values |= {f"w{i}_new": w for i, w in enumerate(new, 1)}
    values["E_after_1"] = loss_fn.forward(model.forward(x), target)
    for _ in range(int(example["iterations"]) - 1):
        loss_fn.forward(model.forward(x), target)
        model.backward(loss_fn.backward())
        optimizer.step()
    out = model.forward(x)
    values |= {"E_after_iterations": loss_fn.forward(out, target),
               "out_o1_after_iterations": out[0, 0], "out_o2_after_iterations": out[0, 1]}  # fmt: skip
    return {key: float(value) for key, value in values.items()}


def compare(published: dict[str, str], computed: dict[str, float]) -> list[dict]:
    """One row per published value: the published text, numpynn's value, and whether they agree
    to the digits published (within one unit of the last digit: tutorials round or truncate)."""
    rows = []
    for key, text in published.items():
        ulp = 10.0 ** -len(text.split(".")[1]) if "." in text else 1.0
        value = computed[key]
        rows.append({"value": key, "published": text, "numpynn": value,
                     "agrees": abs(value - float(text)) <= ulp})  # fmt: skip
    return rows
