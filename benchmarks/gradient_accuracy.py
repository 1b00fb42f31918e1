"""How exact are numpynn's gradients? Prints the largest relative error per component against
finite differences (``gradcheck``, every activation x loss at depths 1-3) and against PyTorch
autograd in float64 (if torch is installed), and the time gradcheck takes.

    PYTHONPATH=src python benchmarks/gradient_accuracy.py
"""

import time
from collections import defaultdict

import numpy as np

import numpynn as nn
from numpynn.experiments.gradcheck_suite import check_all, check_mlp


def gradcheck_errors() -> dict[str, float]:
    worst = defaultdict(float)
    for case in check_all():
        for row in case.report.rows:
            kind = "input x" if row.name == "input x" else "Dense " + row.name.split(".")[1]
            for component in (kind, case.activation, case.loss):
                worst[component] = max(worst[component], row.max_rel_error)
    return dict(worst)


def torch_errors(seed: int = 0) -> dict[str, float]:
    try:
        import torch
    except ImportError:
        return {}
    F = torch.nn.functional
    functions = {"identity": lambda z: z, "leaky_relu": lambda z: F.leaky_relu(z, 0.01),
                 "relu": F.relu, "sigmoid": torch.sigmoid, "tanh": torch.tanh}  # fmt: skip
    rng, worst = np.random.default_rng(seed), defaultdict(float)

    def record(component, ours, theirs):
        theirs = theirs.detach().numpy()
        nonzero = theirs != 0
        error = np.abs(ours - theirs)[nonzero] / np.abs(theirs)[nonzero]
        worst[component] = max(worst[component], float(error.max(initial=0.0)))
        if (ours[~nonzero] != 0).any():
            worst[component] = float("inf")

    for trial in range(30):
        activation = sorted(functions)[trial % 5]
        loss = sorted(nn.LOSSES)[trial % 2]
        sizes = [int(s) for s in rng.integers(2, 40, rng.integers(3, 7))]
        model = nn.mlp(sizes, activation, dtype="float64", rng=rng)
        for p in model.parameters():
            p.value[...] = rng.standard_normal(p.shape) * 0.5
        x, labels = rng.standard_normal((16, sizes[0])), rng.integers(0, sizes[-1], 16)
        loss_fn = nn.get_loss(loss)
        loss_fn.forward(model.forward(x, training=True), labels)
        grad_x = model.backward(loss_fn.backward())
        x_t = torch.tensor(x, requires_grad=True)
        params = [torch.tensor(p.value, requires_grad=True) for p in model.parameters()]
        h, it = x_t, iter(params)
        for layer in model.layers:
            h = (
                F.linear(h, next(it).T, next(it))
                if isinstance(layer, nn.Dense)
                else functions[activation](h)
            )
        labels_t = torch.from_numpy(labels)
        if loss == "cross-entropy":
            loss_t = F.cross_entropy(h, labels_t)
        else:
            loss_t = F.mse_loss(h, F.one_hot(labels_t, sizes[-1]).double())
        loss_t.backward()
        record(activation, grad_x, x_t.grad)
        record(loss, grad_x, x_t.grad)
        for p, p_t in zip(model.parameters(), params):
            record(f"Dense {p.name.split('.')[1]}", p.grad, p_t.grad)
        record("input x", grad_x, x_t.grad)
    return dict(worst)


def main() -> None:
    started = time.perf_counter()
    errors = gradcheck_errors()
    all_seconds = time.perf_counter() - started
    started = time.perf_counter()
    default = check_mlp([256, 128]).report
    default_seconds = time.perf_counter() - started
    oracle = torch_errors()
    print(f"{'component':<16} {'vs finite differences':>22} {'vs PyTorch (float64)':>22}")
    for component in ["Dense W", "Dense b", "input x", *sorted(nn.ACTIVATIONS), *sorted(nn.LOSSES)]:
        error, versus_torch = errors[component], oracle.get(component, float("nan"))
        print(f"{component:<16} {error:>22.1e} {versus_torch:>22.1e}")
    print(f"\ngradcheck --all (30 networks): {all_seconds:.1f} s; default 784-256-128-10 network: "
          f"{default_seconds:.1f} s, max rel error {default.max_rel_error:.1e}")  # fmt: skip


if __name__ == "__main__":
    main()
