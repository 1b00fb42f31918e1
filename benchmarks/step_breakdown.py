"""Where the time of one training step goes: matrix products, elementwise work (activations,
bias, loss), the optimizer step, and Python overhead (fit's loop, batching, bookkeeping).

    python benchmarks/step_breakdown.py                   # 784-256-128-10, Adam, batch 128
    python benchmarks/step_breakdown.py --arch 784-1024-1024-10 --optimizer momentum

Each part is timed on its own over many repetitions (medians); "matmuls" are the products of one
step on preallocated arrays, "elementwise" is forward + loss + backward minus those products,
"Python overhead" is a fit() epoch divided by its steps minus one bare train_step.
"""

import argparse
import time

import numpy as np

import numpynn as nn


def median_us(f, repeat=300):
    f()
    times = []
    for _ in range(repeat):
        start = time.perf_counter()
        f()
        times.append(time.perf_counter() - start)
    return float(np.median(times)) * 1e6


def main():
    parser = argparse.ArgumentParser(
        description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter
    )
    parser.add_argument("--arch", default="784-256-128-10")
    parser.add_argument("--optimizer", choices=["adam", "momentum"], default="adam")
    parser.add_argument("--batch-size", type=int, default=128)
    args = parser.parse_args()
    sizes = [int(s) for s in args.arch.split("-")]
    x_train, y_train, _, _ = nn.data.load_mnist(progress=False)
    model, loss_fn = nn.mlp(sizes, seed=0), nn.SoftmaxCrossEntropy()
    optimizer = (
        nn.Adam(model.parameters())
        if args.optimizer == "adam"
        else nn.SGD(model.parameters(), lr=0.05, momentum=0.9)
    )
    x, labels = x_train[: args.batch_size], y_train[: args.batch_size]

    def forward_backward():
        loss_fn.forward(model.forward(x, training=True), labels)
        model.backward(loss_fn.backward(), input_grad=False)

    W = [layer.W.value for layer in model.layers if isinstance(layer, nn.Dense)]
    h = [x] + [np.empty((len(x), w.shape[1]), np.float32) for w in W]
    dW = [np.empty_like(w) for w in W]

    def matmuls():
        for i, w in enumerate(W):
            np.matmul(h[i], w, out=h[i + 1])
        grad = h[-1]
        for i in reversed(range(len(W))):
            np.matmul(h[i].T, grad, out=dW[i])
            if i:
                grad = grad @ W[i].T

    step = median_us(lambda: nn.train_step(model, loss_fn, optimizer, x, labels))
    products, both, update = (
        median_us(matmuls),
        median_us(forward_backward),
        median_us(optimizer.step),
    )
    steps = -(-len(x_train) // args.batch_size)
    start = time.perf_counter()
    nn.fit(model, loss_fn, optimizer, (x_train, y_train), epochs=1, batch_size=args.batch_size)
    per_step = (time.perf_counter() - start) / steps * 1e6
    parts = {
        "matmuls": products,
        "elementwise (activations, bias, loss)": both - products,
        f"optimizer step ({args.optimizer}, {nn.optim.THREADS} threads)": update,
        "Python overhead (fit loop, batching, bookkeeping)": per_step - step,
    }
    print(
        f"{args.arch}, batch {args.batch_size}: {per_step:.0f} us per step in fit, {per_step * steps / 1e6:.2f} s per epoch"
    )
    for name, us in parts.items():
        print(f"  {name:52} {us:7.0f} us  {us / per_step:6.1%}")


if __name__ == "__main__":
    main()
