"""Where the time of a training step goes, measured inside real `fit` epochs: the forward pass,
the loss, the backward pass, the optimizer step, and the rest of the loop (batch gather,
bookkeeping). The matrix products of one step are also timed alone, as in the GEMM bound, and
each phase is timed again in a tight loop on one batch, where its arrays stay in cache.

    python benchmarks/step_breakdown.py                   # 784-256-128-10, Adam, batch 128
    python benchmarks/step_breakdown.py --arch 784-1024-1024-10 --optimizer momentum

The two columns differ by what the caches hold: inside fit, the parameters, gradients and
optimizer state (4.7 MB for this model with Adam) come back from memory every step.
"""

import argparse
import statistics
import time

from throughput import LR, gemm_bound  # benchmarks/throughput.py, beside this script

import numpynn as nn
import numpynn.training
from numpynn.files import atomic_write_json

PHASES = ["forward", "loss", "backward", "optimizer step"]


def timed_train_step(times):
    """A train_step that adds each phase's seconds to ``times``."""

    def step(model, loss_fn, optimizer, x, labels, clip_norm=None):
        t0 = time.perf_counter()
        outputs = model.forward(x, training=True)
        t1 = time.perf_counter()
        loss = loss_fn.forward(outputs, labels)
        grad = loss_fn.backward()
        t2 = time.perf_counter()
        model.backward(grad, input_grad=False)
        t3 = time.perf_counter()
        optimizer.step()
        t4 = time.perf_counter()
        for phase, seconds in zip(PHASES, (t1 - t0, t2 - t1, t3 - t2, t4 - t3)):
            times[phase] += seconds
        return loss, outputs

    return step


def median_us(f, repeat=300):
    f()
    times = []
    for _ in range(repeat):
        start = time.perf_counter()
        f()
        times.append(time.perf_counter() - start)
    return statistics.median(times) * 1e6


def in_cache(model, loss_fn, optimizer, x, labels):
    """Each phase in a tight loop on one batch: its arrays stay in cache."""
    outputs = model.forward(x, training=True)
    loss_fn.forward(outputs, labels)
    grad = loss_fn.backward()
    return {
        "forward": median_us(lambda: model.forward(x, training=True)),
        "loss": median_us(lambda: (loss_fn.forward(outputs, labels), loss_fn.backward())),
        "backward": median_us(lambda: model.backward(grad, input_grad=False)),
        "optimizer step": median_us(optimizer.step),
    }


def build_parser() -> argparse.ArgumentParser:
    parser = argparse.ArgumentParser(
        description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter
    )
    parser.add_argument("--arch", default="784-256-128-10")
    parser.add_argument("--optimizer", choices=["adam", "momentum"], default="adam")
    parser.add_argument("--batch-size", type=int, default=128)
    parser.add_argument("--epochs", type=int, default=3, help="timed epochs (after one warm-up)")
    parser.add_argument("--json", metavar="FILE", help="also write the results as JSON")
    return parser


def main():
    args = build_parser().parse_args()
    sizes = [int(s) for s in args.arch.split("-")]
    x_train, y_train, _, _ = nn.data.load_mnist(progress=False)
    model, loss_fn = nn.mlp(sizes, seed=0), nn.SoftmaxCrossEntropy()
    optimizer = nn.get_optimizer(args.optimizer, model.parameters(), lr=LR[args.optimizer])
    x, labels = x_train[: args.batch_size], y_train[: args.batch_size]

    times = dict.fromkeys(PHASES, 0.0)
    numpynn.training.train_step = timed_train_step(times)  # fit looks train_step up at call time
    nn.fit(model, loss_fn, optimizer, (x_train, y_train), epochs=1, batch_size=args.batch_size)
    times.update(dict.fromkeys(PHASES, 0.0))
    start = time.perf_counter()
    for seed in range(args.epochs):
        nn.fit(model, loss_fn, optimizer, (x_train, y_train), epochs=1,
               batch_size=args.batch_size, seed=seed)  # fmt: skip
    total = time.perf_counter() - start
    steps = args.epochs * -(-len(x_train) // args.batch_size)
    in_fit = {phase: seconds / steps * 1e6 for phase, seconds in times.items()}
    in_fit["rest of the loop (gather, bookkeeping)"] = total / steps * 1e6 - sum(in_fit.values())
    cached = in_cache(model, loss_fn, optimizer, x, labels)
    per_step = total / steps * 1e6

    print(f"{args.arch}, {args.optimizer}, batch {args.batch_size}: {per_step:.0f} us per step "
          f"in fit, {per_step * steps / args.epochs / 1e6:.2f} s per epoch")  # fmt: skip
    print(f"  {'phase':40} {'in fit':>8} {'share':>6} {'in cache':>9}")
    for phase, us in in_fit.items():
        print(f"  {phase:40} {us:6.0f}us {us / per_step:6.1%} "
              + (f"{cached[phase]:7.0f}us" if phase in cached else ""))  # fmt: skip
    matmuls, _ = gemm_bound(sizes, args.optimizer, args.batch_size, seed=0)  # one batch: one step
    alone = median_us(lambda: matmuls(x, labels))
    print(f"  {'(matmuls of forward + backward, alone)':40} {alone:6.0f}us")
    if args.json:
        results = {"step_us": per_step, "epoch_s": per_step * steps / args.epochs / 1e6,
                   "in_fit_us": in_fit, "in_cache_us": cached, "matmuls_us": alone}  # fmt: skip
        atomic_write_json(args.json, {"settings": vars(args), "results": results})


if __name__ == "__main__":
    main()
