"""What `numpynn train --diagnostics` costs: CPU seconds per epoch of MNIST with the Monitor off
and on, in interleaved rounds on the same machine, and what each part of the Monitor takes. (CPU
time of this process, so other work on a shared machine does not count; run with
OPENBLAS_NUM_THREADS=1 so that BLAS threads do not count either.)

    python benchmarks/diagnostics_overhead.py                     # 784-256-128-10, Adam, batch 128
    python benchmarks/diagnostics_overhead.py --rounds 7 --batch-size 32

Off, fit checks `monitor is not None` once per batch: the table times that check too. On, the
Monitor copies the weights before one step per epoch (`watch`) and runs one forward and backward
pass over its 1000-image batch at the end of each epoch (`end_epoch`).
"""

import argparse
import statistics
import time
import timeit

import numpy as np

import numpynn as nn
from numpynn.diagnostics import Monitor
from numpynn.training import History


def epoch_seconds(x, y, monitor_batch, batch_size, seed, monitored):
    model = nn.mlp([784, 256, 128, 10], seed=seed)
    optimizer = nn.Adam(model.parameters(), lr=1e-3)
    monitor = Monitor(*monitor_batch) if monitored else None
    start = time.process_time()  # CPU seconds of this process: other load on the machine is not
    nn.fit(model, nn.SoftmaxCrossEntropy(), optimizer, (x, y), epochs=1, batch_size=batch_size,
           seed=seed, monitor=monitor)  # fmt: skip
    return time.process_time() - start


def part_seconds(x, y, monitor_batch, repeats=20):
    """Best-of seconds of a training step, of what watch adds to its step (a copy of the weights
    and the norms of the update), of one end_epoch, and of the check fit makes when off."""
    model, loss_fn = nn.mlp([784, 256, 128, 10], seed=0), nn.SoftmaxCrossEntropy()
    optimizer, monitor = nn.Adam(model.parameters(), lr=1e-3), Monitor(*monitor_batch)
    xb, yb = x[:128], y[:128]

    def best(function, number=1):
        return min(timeit.repeat(function, number=number, repeat=repeats)) / number

    step = best(lambda: nn.train_step(model, loss_fn, optimizer, xb, yb))
    watch = best(lambda: monitor.watch(model, lambda: None))
    row, history = {"epoch": 1, "train_loss": 1.0, "val_loss": np.nan, "lr": 1e-3}, History()
    end = best(lambda: monitor.end_epoch(model, loss_fn, row, history))
    monitor = None
    check = best(lambda: monitor is not None, number=100_000)
    return step, watch, end, check


def main():
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--rounds", type=int, default=5)
    parser.add_argument("--batch-size", type=int, default=128)
    args = parser.parse_args()
    x_train, y_train, _, _ = nn.data.load_mnist(progress=False)
    x, y, monitor_batch = (
        x_train[:55_000],
        y_train[:55_000],
        (x_train[55_000:56_000], y_train[55_000:56_000]),
    )
    times = {False: [], True: []}
    for r in range(args.rounds):
        for monitored in (False, True) if r % 2 == 0 else (True, False):
            times[monitored].append(
                epoch_seconds(x, y, monitor_batch, args.batch_size, r, monitored)
            )
    off, on = statistics.median(times[False]), statistics.median(times[True])
    step, watch, end, check = part_seconds(x, y, monitor_batch)
    batches = -(-len(x) // args.batch_size)
    print(f"one epoch of {len(x)} images, batch {args.batch_size} ({batches} batches), CPU "
          f"seconds of this process, {args.rounds} interleaved rounds:")  # fmt: skip
    for monitored, label in ((False, "off"), (True, "on ")):
        values = times[monitored]
        print(f"  monitor {label}  median {statistics.median(values):5.2f} s, min {min(values):.2f}, "
              f"max {max(values):.2f}")  # fmt: skip
    paired = statistics.median(a / b for a, b in zip(times[True], times[False]))
    print(f"  overhead     {on / off - 1:+.1%} (medians), {min(times[True]) / min(times[False]) - 1:+.1%} "
          f"(minima), {paired - 1:+.1%} (median of the rounds' on/off ratios)")  # fmt: skip
    print("parts, best of 20:")
    print(f"  one training step                   {step * 1e3:7.2f} ms")
    print(f"  watch: what it adds to its step      {watch * 1e3:7.2f} ms  (once per epoch)")
    print(f"  end_epoch on 1000 images            {end * 1e3:7.2f} ms  (once per epoch)")
    print(f"  their share of an epoch             {(watch + end) / (batches * step):7.2%}  "
          f"({batches} steps)")  # fmt: skip
    print(f"  off: `monitor is not None`          {check * 1e9:7.1f} ns per batch "
          f"({check / step:.4%} of a step)")  # fmt: skip


if __name__ == "__main__":
    main()
