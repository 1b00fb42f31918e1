"""Training throughput: numpynn vs PyTorch vs scikit-learn vs the GEMM lower bound, one epoch of
MNIST each, in interleaved rounds on the same machine in the same run.

    python benchmarks/throughput.py                               # 784-256-128-10, Adam, batch 128
    python benchmarks/throughput.py --optimizer momentum --rounds 7
    python benchmarks/throughput.py --arch 784-800-10 --arch 784-1024-1024-10 --json out.json

Every implementation trains the same architecture (ReLU, He-initialised, softmax cross-entropy)
in float32 with the same batch size, optimizer and learning rate, on the same number of threads
(threadpoolctl for NumPy's BLAS and scikit-learn, torch.set_num_threads for PyTorch). Round r
trains one more epoch of each model, in a rotating order, so every implementation sees the
machine in the same states; the table gives the median, min and max seconds per epoch, and the
test accuracy after all rounds. "GEMM bound" times only the matrix products one epoch needs
(forward, weight gradients, input gradients below the first layer) on preallocated buffers: no
implementation can beat it.
"""

import argparse
import statistics
import time
import warnings

import numpy as np
from torch_mlp import torch_mlp  # benchmarks/torch_mlp.py, beside this script

import numpynn as nn
from numpynn.files import atomic_write_json

LR = {"adam": 1e-3, "momentum": 0.05}


def numpynn_trainer(sizes, optimizer, batch_size, seed):
    model = nn.mlp(sizes, "relu", seed=seed)
    opt = nn.get_optimizer(optimizer, model.parameters(), lr=LR[optimizer])  # momentum: SGD, 0.9
    loss_fn, rng = nn.SoftmaxCrossEntropy(), np.random.default_rng(seed)

    def epoch(x, y):
        nn.fit(model, loss_fn, opt, (x, y), epochs=1, batch_size=batch_size, rng=rng)

    return epoch, lambda x: model.predict(x)


def torch_trainer(sizes, optimizer, batch_size, seed):
    import torch

    model = torch_mlp(sizes, seed)
    if optimizer == "adam":
        opt = torch.optim.Adam(model.parameters(), lr=LR["adam"])
    else:
        opt = torch.optim.SGD(model.parameters(), lr=LR["momentum"], momentum=0.9)
    loss_fn = torch.nn.CrossEntropyLoss()
    generator = torch.Generator().manual_seed(seed)

    def epoch(x, y):
        x, y = torch.from_numpy(x), torch.from_numpy(y)
        order = torch.randperm(len(x), generator=generator)
        x, y = x[order], y[order]  # one gather per epoch, as numpynn does
        for start in range(0, len(x), batch_size):
            opt.zero_grad(set_to_none=True)
            loss = loss_fn(model(x[start : start + batch_size]), y[start : start + batch_size])
            loss.backward()
            opt.step()

    def predict(x):
        with torch.no_grad():
            return model(torch.from_numpy(x)).argmax(dim=1).numpy()

    return epoch, predict


def sklearn_trainer(sizes, optimizer, batch_size, seed):
    from sklearn.neural_network import MLPClassifier

    solver = {"solver": "adam", "learning_rate_init": LR["adam"]} if optimizer == "adam" else {
        "solver": "sgd", "learning_rate_init": LR["momentum"], "momentum": 0.9, "nesterovs_momentum": False
    }  # fmt: skip
    model = MLPClassifier(hidden_layer_sizes=tuple(sizes[1:-1]), activation="relu", alpha=0.0,
                          batch_size=batch_size, shuffle=True, random_state=seed, **solver)  # fmt: skip
    classes = np.arange(sizes[-1])

    def epoch(x, y):
        with warnings.catch_warnings():
            warnings.simplefilter("ignore")
            model.partial_fit(x, y, classes=classes)

    return epoch, model.predict


def gemm_bound(sizes, optimizer, batch_size, seed):
    """Only the matrix products of one epoch, into buffers allocated once."""
    rng = np.random.default_rng(seed)
    W = [rng.standard_normal((a, b), dtype=np.float32) for a, b in zip(sizes[:-1], sizes[1:])]
    dW = [np.empty_like(w) for w in W]
    buffers = {}  # per batch length (the last batch may be shorter)

    def epoch(x, y):
        for start in range(0, len(x), batch_size):
            xb = x[start : start + batch_size]
            if len(xb) not in buffers:
                buffers[len(xb)] = [None] + [np.empty((len(xb), n), np.float32) for n in sizes[1:]]
            h = buffers[len(xb)]  # h[i] holds layer i's input, then its input gradient
            h[0] = xb
            for i, w in enumerate(W):
                np.matmul(h[i], w, out=h[i + 1])  # forward
            for i in reversed(range(len(W))):
                np.matmul(h[i].T, h[i + 1], out=dW[i])  # dL/dW
                if i:
                    np.matmul(h[i + 1], W[i].T, out=h[i])  # dL/dx below the first layer

    return epoch, None


IMPLEMENTATIONS = {"numpynn": numpynn_trainer, "pytorch": torch_trainer, "scikit-learn": sklearn_trainer,
                   "GEMM bound": gemm_bound}  # fmt: skip


def available(name):
    module = {"pytorch": "torch", "scikit-learn": "sklearn"}.get(name)
    if module is None:
        return True
    try:
        __import__(module)
    except ImportError:
        print(f"({name} is not installed: skipped)")
        return False
    return True


def run(sizes, optimizer, batch_size, rounds, threads, seed, data):
    from threadpoolctl import threadpool_limits

    x_train, y_train, x_test, y_test = data
    names = [n for n in IMPLEMENTATIONS if available(n)]
    if "pytorch" in names:
        import torch

        torch.set_num_threads(threads)
    trainers = {n: IMPLEMENTATIONS[n](sizes, optimizer, batch_size, seed) for n in names}
    times = {n: [] for n in names}
    with threadpool_limits(limits=threads):
        for r in range(rounds):
            for name in names[r % len(names) :] + names[: r % len(names)]:  # rotate the order
                start = time.perf_counter()
                trainers[name][0](x_train, y_train)
                times[name].append(time.perf_counter() - start)
            print(
                f"round {r + 1}/{rounds}: " + ", ".join(f"{n} {times[n][-1]:.2f}s" for n in names),
                flush=True,
            )
    rows = []
    median = {n: statistics.median(t) for n, t in times.items()}
    for name in names:
        predict = trainers[name][1]
        rows.append({
            "implementation": name, "median_s": median[name], "min_s": min(times[name]), "max_s": max(times[name]),
            "samples_per_s": len(x_train) / median[name],
            "vs_pytorch": median[name] / median["pytorch"] if "pytorch" in median else None,
            "vs_sklearn": median[name] / median["scikit-learn"] if "scikit-learn" in median else None,
            "vs_gemm": median[name] / median["GEMM bound"],
            "test_accuracy": float(np.mean(predict(x_test) == y_test)) if predict else None,
        })  # fmt: skip
    return rows


def table(rows, title):
    def fmt(v, spec):
        return "-" if v is None else format(v, spec)

    lines = [title, f"{'implementation':14} {'median s':>9} {'min':>6} {'max':>6} {'samples/s':>10} "
             f"{'/pytorch':>9} {'/sklearn':>9} {'/GEMM':>6} {'test acc':>9}"]  # fmt: skip
    for r in rows:
        lines.append(
            f"{r['implementation']:14} {r['median_s']:9.3f} {r['min_s']:6.3f} {r['max_s']:6.3f} "
            f"{r['samples_per_s']:10,.0f} {fmt(r['vs_pytorch'], '9.2f')} {fmt(r['vs_sklearn'], '9.2f')} "
            f"{r['vs_gemm']:6.2f} {fmt(r['test_accuracy'], '9.2%')}"
        )
    return "\n".join(lines)


def build_parser() -> argparse.ArgumentParser:
    parser = argparse.ArgumentParser(
        description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter
    )
    parser.add_argument(
        "--arch", action="append", help="e.g. 784-256-128-10 (repeatable; default that one)"
    )
    parser.add_argument("--optimizer", choices=sorted(LR), default="adam")
    parser.add_argument("--batch-size", type=int, default=128)
    parser.add_argument("--rounds", type=int, default=5)
    parser.add_argument("--threads", type=int, default=2)
    parser.add_argument("--seed", type=int, default=0)
    parser.add_argument("--json", metavar="FILE", help="also write the results as JSON")
    return parser


def main():
    args = build_parser().parse_args()
    data = nn.data.load_mnist(progress=False)
    results = {}
    for arch in args.arch or ["784-256-128-10"]:
        sizes = [int(s) for s in arch.split("-")]
        rows = run(
            sizes, args.optimizer, args.batch_size, args.rounds, args.threads, args.seed, data
        )
        title = (f"\n{arch}, {args.optimizer}, batch {args.batch_size}, float32, {args.threads} threads, "
                 f"{args.rounds} rounds (seconds per epoch of 60,000 images; ratios of medians)")  # fmt: skip
        print(table(rows, title))
        results[arch] = rows
    if args.json:
        atomic_write_json(args.json, {"settings": vars(args), "results": results})


if __name__ == "__main__":
    main()
