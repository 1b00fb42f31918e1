"""``numpynn predict``: classify your own digit photos, or the rows of a CSV file with a model
trained on a table; a model is only given inputs of the kind it was trained on."""

from pathlib import Path

import numpy as np

from .args import UsageError, add_command

__all__ = ["add_predict"]

EXAMPLES = """examples:
  numpynn predict runs/mnist-20261129-101500 my-seven.png
  numpynn predict runs/baseline/model.npz a.png b.jpg --show
  numpynn predict runs/iris-20261130-140000 flowers.csv   # a model trained with --data iris.csv
"""


def add_predict(commands) -> None:
    predict = add_command(
        commands, "predict", cmd_predict,
        help="classify your own digit images, or rows of a CSV file",
        description="An MNIST model classifies PNG/JPEG digit images (any size, dark-on-light or "
        "light-on-dark) after MNIST's preprocessing: grayscale, crop to the digit, fit it in "
        "20x20, centre it by mass in 28x28. A model trained on a table (--data FILE.csv) "
        "classifies each row of a CSV file with the training file's columns (its label column "
        "may be there or not). Prints the top-3 classes with their probabilities. A model "
        "trained on other images (Fashion-MNIST, an .npz) is refused: no pipeline prepares a "
        "photo as its images were.",
        epilog=EXAMPLES,
    )  # fmt: skip
    predict.add_argument("model_path", type=Path, metavar="RUN_DIR_OR_MODEL")
    predict.add_argument("inputs", type=Path, nargs="+", metavar="IMAGE_OR_CSV")
    predict.add_argument(
        "--show",
        action="store_true",
        help="write IMAGE.seen.png: your image beside the 28x28 input the network saw",
    )


def cmd_predict(args) -> int:
    from ..runs.data import model_data_info
    from ..runs.directories import check_model_fits, open_model

    model, config, path = open_model(args.model_path)
    info = model_data_info(path, config)
    tables = [p for p in args.inputs if p.suffix.lower() == ".csv"]
    if info.image_shape is None:
        if len(tables) < len(args.inputs):
            other = next(p for p in args.inputs if p not in tables)
            raise UsageError(
                f"numpynn predict: {path} was trained on {info.expects()}; give CSV files of "
                f"such rows, not {other}"
            )
        width = info.source.get("width")  # as the data file had it, checked against the model
        check_model_fits(model, width, info.num_classes, path)
        for table in tables:
            _predict_rows(model, info, table, width)
        return 0
    if tables:
        raise UsageError(
            f"numpynn predict: {path} was trained on {info.expects()}: images, not rows of a "
            f"table like {tables[0]}; CSV rows are for a model trained with --data FILE.csv "
            "(measure this one on its test images with `numpynn evaluate`)"
        )
    if info.name != "mnist":
        raise UsageError(
            f"numpynn predict: {path} was trained on {info.expects()}; predict's photo "
            "pipeline turns a photo into an MNIST digit (28x28, centred by mass), which is "
            "not what this model takes — use an MNIST model for digit photos, or measure this "
            "one with `numpynn evaluate`"
        )
    check_model_fits(model, 28 * 28, 10, path)  # a digit, prepared as MNIST's were
    for image_path in args.inputs:
        _predict_image(model, info, image_path, args.show)
    return 0


def _top3(model, x: np.ndarray, names: list[str]) -> list[str]:
    """Each row's three likeliest classes with their probabilities, as text."""
    from ..losses import softmax

    probs = softmax(model.forward(x.astype(model.dtype)).astype(np.float64))
    top = np.argsort(probs, axis=1)[:, ::-1][:, :3]
    return [", ".join(f"{names[c]} ({p[c]:.1%})" for c in t) for p, t in zip(probs, top, strict=True)]  # fmt: skip


def _predict_image(model, info, image_path: Path, show: bool) -> None:
    from ..data.images import prepare_digit, read_digit_image
    from ..plots.run import plot_seen
    from ..plots.style import save_figure

    image = read_digit_image(image_path)
    x = prepare_digit(image, str(image_path))
    seen = x if info.scaling is None else info.scaling(x[None])[0]
    answer = _top3(model, seen[None], info.class_names)[0]
    print(f"{image_path}: {answer}")
    if show:
        out = image_path.with_name(f"{image_path.stem}.seen.png")
        save_figure(plot_seen(image, x, f"{image_path.name}: {answer}"), out, dpi=80)
        print(f"  what the network saw: {out}")


def _predict_rows(model, info, table: Path, width: int) -> None:
    from ..data.csv_tables import read_feature_rows
    from ..data.file_checks import DataFileError

    try:
        x = read_feature_rows(table, width, info.features, info.source.get("target_index"))
    except DataFileError as error:
        raise UsageError(str(error)) from None
    x = x if info.scaling is None else info.scaling(x)
    for i, answer in enumerate(_top3(model, x, info.class_names), start=1):
        print(f"{table} row {i}: {answer}")
