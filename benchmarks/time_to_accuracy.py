"""Wall-clock seconds of training until the test accuracy first reaches 97% and 98%, for the
default `numpynn train` recipe (or a shipped one, `--recipe fast`), with PyTorch running the same
recipe in the same run.

    python benchmarks/time_to_accuracy.py
    python benchmarks/time_to_accuracy.py --seeds 0 1 2 --threads 2 --json tta.json
    python benchmarks/time_to_accuracy.py --recipe fast --seeds 0 1 2

The default recipe is TrainConfig's defaults (784-256-128-10 ReLU, He init, Adam on a per-epoch
cosine schedule, batch 256, 55,000 training images after the seeded 5,000-image validation
split); a shipped recipe changes some of them (src/numpynn/recipes/train/NAME.toml) and must
keep to what both sides implement here: ReLU, Adam, the cosine schedule, no dropout.
Only training is timed: the test accuracy is measured after every epoch outside the clock.
PyTorch gets the same split, initialisation scheme, optimizer, schedule and one gather of the
shuffled data per epoch, with the same number of threads.
"""

import argparse
import math
import time

import numpy as np
from torch_mlp import torch_mlp  # benchmarks/torch_mlp.py, beside this script

import numpynn as nn
from numpynn.data.batching import train_val_split
from numpynn.files import atomic_write_json
from numpynn.runs.config import TrainConfig, read_config_values
from numpynn.runs.recipes import train_recipe_path
from numpynn.runs.run import seed_streams


def recipe(name: str | None) -> TrainConfig:
    """The default `numpynn train` recipe, or the shipped recipe ``name``."""
    if name is None:
        return TrainConfig()
    config = TrainConfig(**read_config_values(train_recipe_path(name))).validate()
    both_run = ("relu", "adam", "cosine", 0.0, None)
    if (
        config.activation,
        config.optimizer,
        config.schedule,
        config.dropout,
        config.augment,
    ) != both_run:
        raise SystemExit(f"recipe {name}: this benchmark runs ReLU, Adam, cosine, no dropout")
    return config


def numpynn_run(config, data, seed):
    x_train, y_train, x_test, y_test = data
    rngs = seed_streams(seed)
    (x, y), _ = train_val_split(x_train, y_train, config.val_size, rngs["split"])
    model = config.build_model(784, 10, rngs["model"])
    optimizer = config.build_optimizer(model.parameters())
    curve = []
    nn.fit(model, nn.SoftmaxCrossEntropy(), optimizer, (x, y), epochs=config.epochs,
           batch_size=config.batch_size, rng=rngs["shuffle"], schedule=config.build_schedule(),
           on_epoch_end=lambda state: curve.append((state.history.rows[-1]["seconds"],
                                                    float(np.mean(model.predict(x_test) == y_test)))))  # fmt: skip
    return curve


def torch_run(config, data, seed):
    import torch

    x_train, y_train, x_test, y_test = data
    (x, y), _ = train_val_split(x_train, y_train, config.val_size, seed_streams(seed)["split"])
    x, y, x_test = torch.from_numpy(x), torch.from_numpy(y), torch.from_numpy(x_test)
    model = torch_mlp(config.sizes(784, 10), seed)
    optimizer = torch.optim.Adam(model.parameters(), lr=config.lr)
    schedule = torch.optim.lr_scheduler.CosineAnnealingLR(optimizer, T_max=config.epochs)
    loss_fn, curve = torch.nn.CrossEntropyLoss(), []
    for _ in range(config.epochs):
        start = time.perf_counter()
        order = torch.randperm(len(x))
        xs, ys = x[order], y[order]
        for i in range(0, len(xs), config.batch_size):
            optimizer.zero_grad(set_to_none=True)
            loss_fn(model(xs[i : i + config.batch_size]), ys[i : i + config.batch_size]).backward()
            optimizer.step()
        schedule.step()
        seconds = time.perf_counter() - start
        with torch.no_grad():
            curve.append((seconds, float((model(x_test).argmax(1).numpy() == y_test).mean())))
    return curve


def first_reach(curve, target):
    """(seconds of training, epochs) when the test accuracy first reached target, or (nan, nan)."""
    elapsed = 0.0
    for epoch, (seconds, accuracy) in enumerate(curve, 1):
        elapsed += seconds
        if accuracy >= target:
            return elapsed, epoch
    return math.nan, math.nan


def build_parser() -> argparse.ArgumentParser:
    parser = argparse.ArgumentParser(
        description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter
    )
    parser.add_argument("--recipe", help="a shipped recipe (fast); default: train's defaults")
    parser.add_argument("--seeds", type=int, nargs="+", default=[0])
    parser.add_argument("--threads", type=int, default=2)
    parser.add_argument("--json", metavar="FILE")
    return parser


def main():
    args = build_parser().parse_args()
    from threadpoolctl import threadpool_limits

    config, data = recipe(args.recipe), nn.data.load_mnist(progress=False)
    runners = {"numpynn": numpynn_run}
    try:
        import torch

        torch.set_num_threads(args.threads)
        runners["pytorch"] = torch_run
    except ImportError:
        print("(PyTorch is not installed: numpynn only)")
    results = []
    with threadpool_limits(limits=args.threads):
        for seed in args.seeds:
            for name, run in runners.items():
                curve = run(config, data, seed)
                row = {"implementation": name, "seed": seed, "final_accuracy": curve[-1][1],
                       "train_seconds": sum(s for s, _ in curve)}  # fmt: skip
                for target in (0.97, 0.98):
                    row[f"seconds_to_{target:.0%}"], row[f"epochs_to_{target:.0%}"] = first_reach(
                        curve, target
                    )
                results.append(row)
                print(
                    f"{name:8} seed {seed}: "
                    + ", ".join(f"{k} {v:.4g}" for k, v in row.items() if isinstance(v, float)),
                    flush=True,
                )
    print(f"\nrecipe: {config}\n")
    print(
        f"{'implementation':14} {'to 97% (s)':>11} {'epochs':>7} {'to 98% (s)':>11} {'epochs':>7} {'final acc':>10} {'train s':>8}"
    )
    for name in runners:
        rows = [r for r in results if r["implementation"] == name]
        med = {
            k: float(np.median([r[k] for r in rows]))
            for k in rows[0]
            if k not in ("implementation", "seed")
        }
        print(f"{name:14} {med['seconds_to_97%']:11.2f} {med['epochs_to_97%']:7.0f} {med['seconds_to_98%']:11.2f} "
              f"{med['epochs_to_98%']:7.0f} {med['final_accuracy']:10.2%} {med['train_seconds']:8.2f}")  # fmt: skip
    if len(runners) == 2:
        to_98 = {
            n: np.median([r["seconds_to_98%"] for r in results if r["implementation"] == n])
            for n in runners
        }
        print(f"\nseconds to 98%: numpynn / pytorch = {to_98['numpynn'] / to_98['pytorch']:.2f}")
    if args.json:
        atomic_write_json(args.json, {"recipe": config.to_dict(), "results": results})


if __name__ == "__main__":
    main()
