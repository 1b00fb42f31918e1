"""``numpynn train`` and the commands on what it leaves: ``evaluate``, ``plot`` (``predict``:
``cli/predict.py``)."""

import dataclasses
import json
import sys
from pathlib import Path

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

__all__ = ["add_train", "add_evaluate", "add_plot"]

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
  numpynn train --dataset fashion-mnist                  # clothing: T-shirt/top ... Ankle boot
  numpynn train --data iris.csv --target species --epochs 50   # your own table (docs/own-data.md)
  numpynn train --data scans.npz --standardize minmax    # arrays x, y (and x_test, y_test)
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
    from ..data.file_checks import DataFileError
    from ..runs.run import RunInterrupted, train_run

    if args.resume:
        out, config = args.resume, resume_config(args)
    else:
        config = build_config(args)
        name = Path(config.data).stem if config.data is not None else config.dataset
        out = choose_run_dir(args.out, "train", name)
    try:
        train_run(config, out, data_dir=args.data_dir, resume=bool(args.resume),
                  progress=not args.quiet, diagnostics=args.diagnostics)  # fmt: skip
    except DataFileError as error:  # a data file numpynn cannot use: the user's input
        raise UsageError(str(error)) from None
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
    saved = dataclasses.asdict(config)  # every key: to_dict leaves out a data run's dataset
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
        help="test accuracy of a saved model, and each class's precision and recall",
        epilog="examples:\n  numpynn evaluate runs/mnist-20261129-101500\n"
        "  numpynn evaluate runs/iris-20261130-140000      # a run on your own --data file\n"
        "  numpynn evaluate runs/baseline/model.npz --json\n"
        "  numpynn evaluate runs/baseline/checkpoints/best.json",
    )  # fmt: skip
    evaluate.add_argument("path", type=Path, metavar="RUN_DIR_MODEL_OR_CHECKPOINT")
    evaluate.add_argument("--data-dir", type=Path, metavar="DIR")
    evaluate.add_argument("--json", action="store_true", help="print one JSON object")


def cmd_evaluate(args) -> int:
    from ..losses import get_loss
    from ..runs.data import load_test_set, model_data_info
    from ..runs.directories import check_model_fits, open_model
    from ..training import evaluate

    model, config, path = open_model(args.path)
    info = model_data_info(path, config)
    x_test, y_test = load_test_set(config, info, args.data_dir)
    check_model_fits(model, x_test.shape[1], info.num_classes, path)
    x_test = x_test.astype(model.dtype, copy=False)
    metrics = evaluate(model, x_test, y_test, get_loss(config.loss))
    classes = per_class(model, x_test, y_test, info.class_names)
    result = {"test_accuracy": metrics["accuracy"], "test_loss": metrics["loss"],
              "dataset": info.name, info.examples: len(y_test), "model": str(path), "classes": classes}  # fmt: skip
    if args.json:
        print(json.dumps(result))
        return 0
    print(f"test accuracy {metrics['accuracy']:.2%} (loss {metrics['loss']:.4f}) "
          f"on {len(y_test)} {info.name} test {info.examples}; model {path}")  # fmt: skip
    width = max(len(c["class"]) for c in classes)
    for c in classes:
        print(f"  {c['class']:<{width}}  precision {c['precision']:7.2%}  recall "
              f"{c['recall']:7.2%}  ({c['examples']} examples)")  # fmt: skip
    return 0


def per_class(model, x, labels, class_names: list[str]) -> list[dict]:
    """Each class's name, precision, recall and number of test examples."""
    from ..metrics import confusion_matrix, precision_recall

    counts = confusion_matrix(labels, model.predict(x), len(class_names))
    precision, recall = precision_recall(counts)
    return [{"class": name, "precision": float(precision[c]), "recall": float(recall[c]),
             "examples": int(counts[c].sum())} for c, name in enumerate(class_names)]  # fmt: skip


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
    from ..runs.report import compare_runs, redraw_run

    if len(args.run_dirs) == 1:
        written = redraw_run(args.run_dirs[0], args.data_dir)
        print(f"{args.run_dirs[0]}: redrew {', '.join(written)}")
        return 0
    written = compare_runs(args.run_dirs, args.out)
    print(f"{len(args.run_dirs)} runs compared: {', '.join(map(str, written))}")
    return 0
