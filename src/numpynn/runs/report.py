"""The figures and ``report.md`` of a training run, drawn from its files and its model."""

import json
from pathlib import Path

import numpy as np

from ..data.dataset import DataInfo, registered_info
from ..files import atomic_write_text
from ..history import read_history
from ..losses import softmax
from ..metrics import confusion_matrix, precision_recall
from ..plots.debugging import plot_diagnostics
from ..plots.run import (
    plot_augmented,
    plot_comparison,
    plot_confusion,
    plot_curves,
    plot_mistakes,
    plot_weights,
)
from ..plots.style import save_figure
from ..symptoms import statistic_layers
from ..tables import csv_text, markdown_table

__all__ = ["FIGURES", "write_run_report", "has_statistics", "redraw_run", "compare_runs"]

FIGURES = {
    "curves.png": "Loss and accuracy per epoch",
    "confusion.png": "Test confusion matrix",
    "mistakes.png": "Misclassified test images",
    "weights.png": "First-layer weights",
}
AUGMENTED = "Test images as the augmentation distorts training images"


def write_run_report(
    run_dir, model, x_test, y_test, config: dict, metrics: dict, history, symptoms=None,
    data: DataInfo | None = None,
) -> list[str]:  # fmt: skip
    """Draw curves.png, confusion.png, mistakes.png, weights.png and write report.md in run_dir.

    A history with per-layer statistics (``numpynn train --diagnostics``) also gets
    diagnostics.png and a Diagnostics section listing ``symptoms`` (dicts with the fields of
    ``numpynn.symptoms.Symptom``). ``data`` (default: the config's data set) names the classes;
    data that are not square images (rows of a table) get no mistakes.png and weights.png.
    Returns the names of the files written."""
    run_dir = Path(run_dir)
    data = data or registered_info(config["dataset"])
    names = data.class_names
    logits = np.concatenate(
        [model.forward(x_test[i : i + 4096]) for i in range(0, len(x_test), 4096)]
    )
    predictions = logits.argmax(axis=1)
    counts = confusion_matrix(y_test, predictions, logits.shape[1])
    title = f"MLP {metrics['architecture']} ({config['activation']}, {config['optimizer']})"

    figure = plot_curves(history.rows, title, metrics["test_accuracy"], history.batch_loss)
    written = [save_figure(figure, run_dir / "curves.png"),
               save_figure(plot_confusion(counts, class_names=names), run_dir / "confusion.png")]  # fmt: skip
    if _square_images(data):
        wrong = np.flatnonzero(predictions != y_test)
        probs = softmax(logits[wrong])
        figure = plot_mistakes(x_test[wrong], y_test[wrong], predictions[wrong],
                               probs.max(axis=1), class_names=names)  # fmt: skip
        written.append(save_figure(figure, run_dir / "mistakes.png"))
        written.append(save_figure(plot_weights(model.layers[0].W.value), run_dir / "weights.png"))
    if config.get("augment"):
        figure = _augmented_figure(config, x_test, data)
        written.append(save_figure(figure, run_dir / "augmented.png"))
    diagnosed = has_statistics(history.rows)
    if diagnosed:
        written.append(save_figure(plot_diagnostics(history.rows), run_dir / "diagnostics.png"))
    report = report_markdown(config, metrics, counts, data)
    if diagnosed:
        report += diagnostics_markdown(history.rows[-1], symptoms or [])
    atomic_write_text(run_dir / "report.md", report)
    return [Path(path).name for path in written] + ["report.md"]


def _square_images(data: DataInfo) -> bool:
    return data.image_shape is not None and data.image_shape[0] == data.image_shape[1]


def _augmented_figure(config: dict, x_test: np.ndarray, data: DataInfo):
    """Eight test images beside six distortions each, drawn as the run's training batches were."""
    from .config import TrainConfig  # the config holds how to build the augmentation

    augmenter = TrainConfig(**config).build_augmenter(data.image_shape)
    originals = x_test[:8]
    variants = [augmenter(originals, epoch, 1) for epoch in range(1, 7)]
    title = f"augment = {config['augment']}: {augmenter.strengths}"
    return plot_augmented(originals, variants, title)


def has_statistics(rows: list[dict]) -> bool:
    """Whether history rows hold the per-layer statistics of ``--diagnostics``."""
    return bool(rows) and bool(statistic_layers(rows[0]))


STATISTICS = {  # column of the report's table: (statistic, format)
    "activation mean": ("act_mean", "{:.3g}"),
    "activation std": ("act_std", "{:.3g}"),
    "dead": ("dead", "{:.0%}"),
    "saturated": ("saturated", "{:.0%}"),
    "‖W‖": ("weight_norm", "{:.3g}"),
    "‖dL/dW‖": ("grad_norm", "{:.2e}"),
    "update ratio": ("update_ratio", "{:.1e}"),
}


def diagnostics_markdown(row: dict, symptoms: list[dict]) -> str:
    """The report's Diagnostics section: the warnings with their advice, the statistics of the
    last epoch (``row``) per layer, and the figure."""
    lines = ["", "## Diagnostics", ""]
    if symptoms:
        lines += [f"{len(symptoms)} warning(s), each with what to try:", ""]
        lines += [
            f"- **{s['name']}** ({_when(s['epoch'])}): {s['message']}; *{s['advice']}*"
            for s in symptoms
        ]
    else:
        lines += ["No warnings: no symptom of trouble was found (see docs/debugging.md)."]
    layers = statistic_layers(row)
    columns = {title: stat for title, stat in STATISTICS.items()
               if any(f"{name}.{stat[0]}" in row for name in layers)}  # fmt: skip
    table = [[name, *(style.format(row[f"{name}.{stat}"]) if f"{name}.{stat}" in row else "-"
                      for stat, style in columns.values())] for name in layers]  # fmt: skip
    lines += ["", f"Per-layer statistics after epoch {row['epoch']} (activations: of the "
              "activation after the layer):", "", markdown_table(["layer", *columns], table)]  # fmt: skip
    caption = "Per-layer statistics per epoch"
    lines += ["", f"### {caption}", "", f"![{caption}](diagnostics.png)", ""]
    return "\n".join(lines)


def redraw_run(run_dir, data_dir=None) -> list[str]:
    """Draw a finished run's figures and report.md again from its files; return their names."""
    from ..saving import load
    from .config import load_config
    from .data import load_test_set, model_data_info

    run_dir = Path(run_dir)
    for name in ("config.toml", "metrics.json", "model.npz"):
        if not (run_dir / name).exists():
            raise FileNotFoundError(
                f"{run_dir / name} does not exist; is {run_dir} a finished run directory?"
            )
    config = load_config(run_dir / "config.toml")
    metrics = json.loads((run_dir / "metrics.json").read_text())
    model = load(run_dir / "model.npz")
    data = model_data_info(run_dir / "model.npz", config)
    x_test, y_test = load_test_set(config, data, data_dir)
    x_test = x_test.astype(model.dtype, copy=False)
    warnings = run_dir / "warnings.json"
    symptoms = json.loads(warnings.read_text()) if warnings.exists() else None
    return write_run_report(
        run_dir, model, x_test, y_test, config.to_dict(), metrics, read_history(run_dir), symptoms,
        data,
    )  # fmt: skip


def compare_runs(run_dirs, out) -> list[Path]:
    """Overlay the curves of several runs in the figure ``out``, and write their final metrics
    beside it as a table (``out`` with .csv and .md); the runs' own files are left as they are."""
    out = Path(out)
    runs = [(Path(d).name, read_history(d).rows) for d in run_dirs]
    rows = []
    for folder, (name, history) in zip(run_dirs, runs, strict=True):
        metrics = Path(folder) / "metrics.json"
        test = json.loads(metrics.read_text()) if metrics.is_file() else {}
        if not history:
            raise ValueError(f"{folder}: no epoch has finished yet, so there is nothing to compare")
        last = history[-1]
        rows.append({"run": name, "epochs": last["epoch"], "train_loss": last["train_loss"],
                     "val_loss": last["val_loss"], "val_accuracy": last["val_accuracy"],
                     "test_accuracy": test.get("test_accuracy")})  # fmt: skip
    atomic_write_text(out.with_suffix(".csv"), csv_text(rows))
    table = [[r["run"], r["epochs"], f"{r['train_loss']:.4f}", f"{r['val_loss']:.4f}",
              f"{r['val_accuracy']:.2%}", "-" if r["test_accuracy"] is None else f"{r['test_accuracy']:.2%}"]
             for r in rows]  # fmt: skip
    header = ["run", "epochs", "train loss", "val loss", "val accuracy", "test accuracy"]
    atomic_write_text(out.with_suffix(".md"), markdown_table(header, table) + "\n")
    return [
        save_figure(plot_comparison(runs), out),
        out.with_suffix(".csv"),
        out.with_suffix(".md"),
    ]


def report_markdown(
    config: dict, metrics: dict, counts: np.ndarray, data: DataInfo | None = None
) -> str:
    """report.md: the result, the metrics, the config, the figures and each class's precision
    and recall (classes named as ``data`` names them; default the config's data set)."""
    data = data or registered_info(config["dataset"])
    precision, recall = precision_recall(counts)
    lines = [
        f"# Run report: MLP {metrics['architecture']}",
        "",
        f"Test accuracy **{metrics['test_accuracy']:.2%}** (loss {metrics['test_loss']:.4f}) after "
        f"{metrics['epochs']} epochs and {metrics['train_seconds']:.1f} s of training; "
        f"{metrics['parameters']:,} parameters.",
        "",
        f"Data: {data.name}, {data.description}; {data.num_classes} classes"
        + (f"; inputs scaled: {data.scaling.kind}" if data.scaling else "")
        + ".",
        "",
        "## Metrics",
        "",
        "```json",
        json.dumps(metrics, indent=2),
        "```",
        "",
        "## Configuration (`config.toml`)",
        "",
        markdown_table(["key", "value"], [[k, f"`{v}`"] for k, v in config.items()]),
        "",
        "## Figures",
        "",
    ]
    figures = FIGURES | ({"augmented.png": AUGMENTED} if config.get("augment") else {})
    if not _square_images(data):
        figures = {k: v for k, v in figures.items() if k not in ("mistakes.png", "weights.png")}
    for name, caption in figures.items():
        lines += [f"### {caption}", "", f"![{caption}]({name})", ""]
    lines += ["## Per-class precision and recall (test set)", ""]
    rows = [
        [_class(c, data.class_names), f"{precision[c]:.2%}", f"{recall[c]:.2%}",
         int(counts[c].sum())]
        for c in range(len(counts))
    ]  # fmt: skip
    lines += [markdown_table(["class", "precision", "recall", "examples"], rows), ""]
    return "\n".join(lines)


def _class(c: int, names: list[str]) -> str:
    """A class as the report's table shows it: its number, and its name where that differs."""
    return str(c) if names[c] == str(c) else f"{c} ({names[c]})"


def _when(epoch: int) -> str:
    return f"epoch {epoch}" if epoch else "before training"
