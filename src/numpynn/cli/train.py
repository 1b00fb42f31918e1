"""``numpynn train`` and the commands on what it leaves: ``evaluate``, ``plot``, ``predict``."""

import json
import sys
from pathlib import Path

import numpy as np

from ..runs.config import TrainConfig, load_config
from ..runs.recipes import train_recipe_ids
from .args import (
    UsageError,
    add_command,
    add_train_flags,
    build_config,
    choose_run_dir,
    given_flags,
)
from .argtypes import natural_int

__all__ = ["add_train", "add_evaluate", "add_plot", "add_predict"]

TRAIN_EXAMPLES = """examples:
  numpynn train                                   # 784-256-128-10 ReLU, Adam, 5 epochs (~98.2%)
  numpynn train --hidden 30 --activation sigmoid --optimizer sgd --lr 0.5 --batch-size 10
  numpynn train --hidden 30 --activation sigmoid --output-activation sigmoid --loss mse \\
      --init normal --bias-init normal --optimizer sgd --lr 15 --schedule constant \\
      --batch-size 10 --epochs 30 --val-size 10000 --split ordered --test-every-epoch \\
      --dtype float64                             # Nielsen's chapter 1 (numpynn reproduce)
  numpynn train --config "$(numpynn reproduce --path nielsen-ch3-l2-30)" --dtype float32
  numpynn train --optimizer nesterov --lr 0.05 --schedule cosine --warmup-epochs 1
  numpynn train --optimizer adamw --weight-decay 0.05 --schedule step --gamma 0.5 --clip-norm 5
  numpynn train --config runs/mnist-20261129-101500/config.toml --seed 1
  numpynn train --data-dir ~/datasets/mnist --out runs/baseline --quiet
  numpynn train --resume runs/baseline                   # after Ctrl-C, SIGTERM or a crash
  numpynn train --recipe fast                            # 98% as quickly as it goes
  numpynn train --recipe best                            # >= 99% in minutes (docs/best-mlp.md)
  numpynn train --augment elastic --epochs 20            # distort every training batch afresh
  numpynn train --epochs 50 --patience 5                 # stalled: anneal, then keep the best
  numpynn train --diagnostics                            # per-layer statistics and warnings
"""


def add_train(commands) -> None:
    train = add_command(
        commands, "train", cmd_train,
        help="train an MLP and write a run directory", epilog=TRAIN_EXAMPLES,
        description="Train a multi-layer perceptron; flags override --config, which overrides the "
        "defaults. Writes config.toml, history.csv, metrics.json and model.npz to --out.",
    )  # fmt: skip
    add_train_flags(train)
    train.add_argument(
        "--recipe", choices=train_recipe_ids(),
        help="start from a shipped recipe (fast: 98%% in seconds; best: 99%% and more in "
        "minutes, docs/best-mlp.md); --config and flags change it",
    )  # fmt: skip
    train.add_argument(
        "--patience", type=natural_int,
        help="early stopping: after N epochs without a better validation loss, anneal the "
        "learning rate over N more, then stop with the best epoch's weights (default 0: off)",
    )  # fmt: skip
    train.add_argument("--out", type=Path, metavar="DIR", help="(default runs/DATASET-TIME)")
    train.add_argument(
        "--resume", type=Path, metavar="RUN_DIR", help="continue a stopped run exactly"
    )
    train.add_argument("--quiet", action="store_true", help="no progress bar")
    train.add_argument(
        "--diagnostics", action="store_true",
        help="record per-layer statistics each epoch, warn about problems, draw diagnostics.png",
    )  # fmt: skip


def cmd_train(args) -> int:
    from ..runs.run import RunInterrupted, train_run

    if args.resume:
        out, config = args.resume, resume_config(args)
    else:
        config = build_config(args)
        out = choose_run_dir(args.out, "train", config.dataset)
    try:
        train_run(config, out, data_dir=args.data_dir, resume=bool(args.resume),
                  progress=not args.quiet, diagnostics=args.diagnostics)  # fmt: skip
    except RunInterrupted as interruption:
        data_dir = f" --data-dir {args.data_dir}" if args.data_dir else ""
        print(
            f"{interruption}\nresume with: numpynn train --resume {out}{data_dir}", file=sys.stderr
        )
        return 130
    return 0


def resume_config(args) -> TrainConfig:
    """The config of the run to resume; flags may repeat it but not change it."""
    if args.out or args.config:
        raise UsageError(
            "numpynn train: --resume continues a run in place; leave out --out and --config"
        )
    path = args.resume / "config.toml"
    if not path.exists():
        raise UsageError(
            f"numpynn train: --resume {args.resume}: no config.toml there; is it a run directory?"
        )
    try:
        config = load_config(path)
    except ValueError as error:
        raise UsageError(str(error)) from error
    saved = config.to_dict()
    differing = {key: value for key, value in given_flags(args).items() if saved[key] != value}
    if differing:
        changes = ", ".join(
            f"{key} (run: {saved[key]!r}, flag: {value!r})" for key, value in differing.items()
        )
        raise UsageError(
            f"numpynn train: --resume {args.resume}: the flags differ from the run's config in {changes}; "
            "a resumed run keeps its config — drop those flags, or start a new run with --config"
        )
    return config


def add_evaluate(commands) -> None:
    evaluate = add_command(
        commands, "evaluate", cmd_evaluate,
        help="test accuracy of a saved model",
        epilog="examples:\n  numpynn evaluate runs/mnist-20261129-101500\n"
        "  numpynn evaluate runs/baseline/model.npz --json\n"
        "  numpynn evaluate runs/baseline/checkpoints/best.json",
    )  # fmt: skip
    evaluate.add_argument("path", type=Path, metavar="RUN_DIR_MODEL_OR_CHECKPOINT")
    evaluate.add_argument("--data-dir", type=Path, metavar="DIR")
    evaluate.add_argument("--json", action="store_true", help="print one JSON object")


def cmd_evaluate(args) -> int:
    from ..data import DATASETS, load_dataset
    from ..losses import get_loss
    from ..runs.directories import check_model_fits, open_model
    from ..training import evaluate

    model, config, path = open_model(args.path)
    _, _, x_test, y_test = load_dataset(config.dataset, args.data_dir, progress=False)
    check_model_fits(model, x_test.shape[1], DATASETS[config.dataset]["num_classes"], path)
    metrics = evaluate(model, x_test.astype(model.dtype, copy=False), y_test, get_loss(config.loss))
    result = {"test_accuracy": metrics["accuracy"], "test_loss": metrics["loss"],
              "dataset": config.dataset, "images": len(y_test), "model": str(path)}  # fmt: skip
    if args.json:
        print(json.dumps(result))
    else:
        print(f"test accuracy {metrics['accuracy']:.2%} (loss {metrics['loss']:.4f}) "
              f"on {len(y_test)} {config.dataset} test images; model {path}")  # fmt: skip
    return 0


def add_plot(commands) -> None:
    plot = add_command(
        commands, "plot", cmd_plot,
        help="redraw a run's figures; overlay several runs",
        description="Given one run directory, redraw its figures and report.md. Given several, "
        "overlay their training and validation curves in one figure (--out) and write a table "
        "of their final metrics beside it (.csv, .md); their own files are left as they are.",
        epilog="examples:\n  numpynn plot runs/mnist-20261129-101500\n"
        "  numpynn plot runs/relu runs/tanh runs/sigmoid --out comparison.png",
    )  # fmt: skip
    plot.add_argument("run_dirs", type=Path, nargs="+", metavar="RUN_DIR")
    plot.add_argument(
        "--out", type=Path, default=Path("comparison.png"), help="(default comparison.png)"
    )
    plot.add_argument("--data-dir", type=Path, metavar="DIR")


def cmd_plot(args) -> int:
    from ..runs.report import FIGURES, compare_runs, redraw_run

    if len(args.run_dirs) == 1:
        redraw_run(args.run_dirs[0], args.data_dir)
        print(f"{args.run_dirs[0]}: redrew {', '.join([*FIGURES, 'report.md'])}")
        return 0
    written = compare_runs(args.run_dirs, args.out)
    print(f"{len(args.run_dirs)} runs compared: {', '.join(map(str, written))}")
    return 0


def add_predict(commands) -> None:
    predict = add_command(
        commands, "predict", cmd_predict,
        help="classify your own digit images",
        description="Classify PNG/JPEG digit images (any size, dark-on-light or light-on-dark) "
        "after MNIST's preprocessing: grayscale, crop to the digit, fit it in 20x20, centre it by "
        "mass in 28x28. Prints the top-3 classes with probabilities.",
        epilog="examples:\n  numpynn predict runs/mnist-20261129-101500 my-seven.png\n"
        "  numpynn predict runs/baseline/model.npz a.png b.jpg --show",
    )  # fmt: skip
    predict.add_argument("model_path", type=Path, metavar="RUN_DIR_OR_MODEL")
    predict.add_argument("images", type=Path, nargs="+", metavar="IMAGE")
    predict.add_argument(
        "--show",
        action="store_true",
        help="write IMAGE.seen.png: your image beside the 28x28 input the network saw",
    )


def cmd_predict(args) -> int:
    from ..data.images import prepare_digit, read_digit_image
    from ..losses import softmax
    from ..plots.run import plot_seen
    from ..plots.style import save_figure
    from ..runs.directories import check_model_fits, open_model

    model, _, path = open_model(args.model_path)
    check_model_fits(model, 28 * 28, 10, path)  # a digit, prepared as MNIST's were
    for image_path in args.images:
        image = read_digit_image(image_path)
        x = prepare_digit(image, str(image_path)).astype(model.dtype)
        probs = softmax(model.forward(x[None]).astype(np.float64))[0]
        top = np.argsort(probs)[::-1][:3]
        answer = ", ".join(f"{c} ({probs[c]:.1%})" for c in top)
        print(f"{image_path}: {answer}")
        if args.show:
            seen = image_path.with_name(f"{image_path.stem}.seen.png")
            save_figure(plot_seen(image, x, f"{image_path.name}: {answer}"), seen, dpi=80)
            print(f"  what the network saw: {seen}")
    return 0
