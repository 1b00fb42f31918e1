"""What `numpynn train --diagnostics` costs: CPU seconds per epoch of MNIST with the Monitor off
and on, in interleaved rounds, and the CPU time spent inside the Monitor during the monitored
epochs. (CPU time of this process, so other work on a shared machine counts less; run with
OPENBLAS_NUM_THREADS=1 so that BLAS threads do not count.)

    python benchmarks/diagnostics_overhead.py                     # 784-256-128-10, Adam, batch 128
    python benchmarks/diagnostics_overhead.py --rounds 7 --batch-size 32

Off, fit tests `monitor is not None` once per batch: the last line times that test. On, the
Monitor judges the network before its first step with one forward and backward pass over its
1,000-image batch (`start`), copies the weights before the middle step of each epoch (`watch`) and
runs one more forward and backward pass at the end of each epoch (`end_epoch`).
"""

import argparse
import statistics
import time
import timeit

import numpynn as nn
from numpynn.diagnostics import Monitor
from numpynn.files import atomic_write_json

SIZES = [784, 256, 128, 10]


class TimedMonitor(Monitor):
    """A Monitor that adds up the CPU time of each of its methods (a watched step minus the
    step) in ``seconds``."""

    def __init__(self, *args):
        super().__init__(*args)
        self.seconds = {"start": 0.0, "watch": 0.0, "end_epoch": 0.0}

    def start(self, *args):
        begin = time.process_time()
        super().start(*args)
        self.seconds["start"] += time.process_time() - begin

    def watch(self, model, step, *args):
        step_seconds = 0.0

        def timed_step(*step_args):
            nonlocal step_seconds
            begin = time.process_time()
            result = step(*step_args)
            step_seconds = time.process_time() - begin
            return result

        begin = time.process_time()
        result = super().watch(model, timed_step, *args)
        self.seconds["watch"] += time.process_time() - begin - step_seconds
        return result

    def end_epoch(self, *args):
        begin = time.process_time()
        stats = super().end_epoch(*args)
        self.seconds["end_epoch"] += time.process_time() - begin
        return stats


def epoch(x, y, monitor_batch, batch_size, seed, monitored) -> tuple[float, dict]:
    """CPU seconds of one epoch of fit, and of each of the Monitor's methods within it."""
    model = nn.mlp(SIZES, seed=seed)
    optimizer = nn.Adam(model.parameters(), lr=1e-3)
    monitor = TimedMonitor(*monitor_batch) if monitored else None
    begin = time.process_time()
    nn.fit(model, nn.SoftmaxCrossEntropy(), optimizer, (x, y), epochs=1, batch_size=batch_size,
           seed=seed, monitor=monitor)  # fmt: skip
    return time.process_time() - begin, monitor.seconds if monitored else {}


def build_parser() -> argparse.ArgumentParser:
    parser = argparse.ArgumentParser(
        description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter
    )
    parser.add_argument("--rounds", type=int, default=7)
    parser.add_argument("--batch-size", type=int, default=128)
    parser.add_argument("--json", metavar="FILE", help="also write the results as JSON")
    return parser


def main():
    args = build_parser().parse_args()
    x_train, y_train, _, _ = nn.data.load_mnist(progress=False)
    x, y = x_train[:55_000], y_train[:55_000]
    monitor_batch = x_train[55_000:56_000], y_train[55_000:56_000]
    times, inside, parts = {False: [], True: []}, [], []
    for r in range(args.rounds):
        for monitored in (False, True) if r % 2 == 0 else (True, False):
            seconds, monitor_seconds = epoch(x, y, monitor_batch, args.batch_size, r, monitored)
            times[monitored].append(seconds)
            if monitored:
                inside.append(sum(monitor_seconds.values()) / seconds)
                parts.append(monitor_seconds)
    batches = -(-len(x) // args.batch_size)
    print(f"one epoch of {len(x)} images, batch {args.batch_size} ({batches} batches), CPU "
          f"seconds, {args.rounds} interleaved rounds")  # fmt: skip
    for monitored, label in ((False, "off"), (True, "on ")):
        values = times[monitored]
        print(f"  monitor {label}  median {statistics.median(values):5.2f} s, min {min(values):.2f}, "
              f"max {max(values):.2f}")  # fmt: skip
    ratios = [a / b for a, b in zip(times[True], times[False])]
    print(f"  on/off       median of the rounds' ratios {statistics.median(ratios) - 1:+.1%} "
          f"(from {min(ratios) - 1:+.1%} to {max(ratios) - 1:+.1%}: the machine's noise)")  # fmt: skip
    print(f"  inside the Monitor: median {statistics.median(inside):.2%} of a monitored epoch "
          f"(from {min(inside):.2%} to {max(inside):.2%})")  # fmt: skip
    for part in parts[0]:
        ms = [p[part] * 1e3 for p in parts]
        print(f"    {part:9}  {min(ms):5.1f} to {max(ms):5.1f} ms")
    monitor = None
    check = min(timeit.repeat(lambda: monitor is not None, number=100_000, repeat=5)) / 100_000
    step = statistics.median(times[False]) / batches
    print(f"  off: `monitor is not None` {check * 1e9:.0f} ns per batch, {check / step:.4%} of a "
          f"step ({step * 1e3:.1f} ms)")  # fmt: skip
    if args.json:
        results = {"off_s": times[False], "on_s": times[True], "ratios": ratios, "inside": inside,
                   "check_s": check, "step_s": step, "images": len(x), "batches": batches,
                   "parameters": sum(p.value.size for p in nn.mlp(SIZES).parameters()),
                   **{f"{part}_s": [p[part] for p in parts] for part in parts[0]}}  # fmt: skip
        atomic_write_json(args.json, {"settings": vars(args), "results": results})


if __name__ == "__main__":
    main()
