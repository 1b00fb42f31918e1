"""The figures of a training run (``numpynn train``, ``numpynn plot``): its curves, test confusion
matrix, mistakes and first-layer weights, and several runs' validation curves overlaid."""

import numpy as np

from .style import epoch_ticks, pyplot

__all__ = [
    "plot_curves",
    "plot_confusion",
    "plot_mistakes",
    "plot_weights",
    "plot_comparison",
    "plot_seen",
]


def plot_curves(rows: list[dict], title: str, test_accuracy: float | None = None, batch_loss=None):
    """Loss and accuracy vs epoch, training and validation, the test accuracy as a line."""
    plt = pyplot()
    epochs = [r["epoch"] for r in rows]
    fig, (ax_loss, ax_acc) = plt.subplots(1, 2, figsize=(11, 4.2))
    if batch_loss is not None and len(batch_loss):
        steps = (1 + np.arange(len(batch_loss))) * (epochs[-1] / len(batch_loss))
        ax_loss.plot(steps, batch_loss, color="C0", alpha=0.2, lw=0.6, label="train (per batch)")
    ax_loss.plot(epochs, [r["train_loss"] for r in rows], "o-", color="C0", label="train")
    ax_acc.plot(epochs, [100 * r["train_accuracy"] for r in rows], "o-", color="C0", label="train")
    if not all(np.isnan(r["val_loss"]) for r in rows):
        ax_loss.plot(epochs, [r["val_loss"] for r in rows], "s-", color="C1", label="validation")
        ax_acc.plot(
            epochs, [100 * r["val_accuracy"] for r in rows], "s-", color="C1", label="validation"
        )
    if "test_accuracy" in rows[0]:  # --test-every-epoch: watched, never selected on
        ax_acc.plot(epochs, [100 * r["test_accuracy"] for r in rows], ":", color="C2",
                    label="test (watched, not for selecting)")  # fmt: skip
    if test_accuracy is not None:
        ax_acc.axhline(100 * test_accuracy, color="C2", ls="--", label=f"test {test_accuracy:.2%}")
    ax_loss.set(xlabel="epoch", ylabel="loss", title="loss", yscale="log")
    ax_acc.set(xlabel="epoch", ylabel="accuracy (%)", title="accuracy")
    for ax in (ax_loss, ax_acc):
        epoch_ticks(ax, epochs)
        ax.grid(alpha=0.3)
        ax.legend()
    fig.suptitle(title)
    return fig


def plot_confusion(counts: np.ndarray, title: str = "test confusion matrix", class_names=None):
    """Counts of (true, predicted) classes; the axes name the classes (``class_names``, default
    their numbers)."""
    plt = pyplot()
    C = len(counts)
    names = list(class_names) if class_names is not None else [str(c) for c in range(C)]
    wide = max(map(len, names)) > 2
    fig, ax = plt.subplots(figsize=(6.5 + 0.06 * C * wide, 5.5 + 0.06 * C * wide))
    # off-diagonal errors are what matters: show log counts so small ones stay visible
    image = ax.imshow(np.log1p(counts), cmap="Blues")
    for t in range(C):
        for p in range(C):
            dark = np.log1p(counts[t, p]) > 0.6 * np.log1p(counts.max())
            ax.text(p, t, str(counts[t, p]), ha="center", va="center", fontsize=7,
                    color="white" if dark else "black")  # fmt: skip
    ax.set(xticks=range(C), yticks=range(C), xlabel="predicted", ylabel="true", title=title)
    ax.set_xticklabels(names, rotation=45 if wide else 0, ha="right" if wide else "center")
    ax.set_yticklabels(names)
    fig.colorbar(image, ax=ax, label="log(1 + count)")
    return fig


def plot_mistakes(
    images: np.ndarray, labels, predictions, confidences, limit: int = 36, class_names=None
):
    """A grid of misclassified images, each titled 'true → predicted (confidence)', the classes
    by their ``class_names`` if given."""
    if class_names is not None:
        labels = [class_names[c] for c in labels]
        predictions = [class_names[c] for c in predictions]
    plt = pyplot()
    n = min(limit, len(images))
    cols = 9
    rows = max(1, -(-n // cols))
    fig, axes = plt.subplots(rows, cols, figsize=(cols * 1.3, rows * 1.5), squeeze=False)
    side = int(round(np.sqrt(images.shape[1])))
    for i, ax in enumerate(axes.flat):
        ax.axis("off")
        if i < n:
            ax.imshow(images[i].reshape(side, side), cmap="gray_r")
            title = f"{labels[i]}→{predictions[i]} ({confidences[i]:.0%})"
            ax.set_title(title, fontsize=8 if len(title) < 18 else 6, color="C3")
    fig.suptitle(f"misclassified test images: true→predicted (confidence), {n} shown")
    return fig


def plot_augmented(originals: np.ndarray, variants: list[np.ndarray], title: str):
    """Each original image (a row) beside distorted versions of it, as training saw them."""
    plt = pyplot()
    rows, cols = len(originals), 1 + len(variants)
    side = int(round(np.sqrt(originals.shape[1])))
    fig, axes = plt.subplots(rows, cols, figsize=(cols * 1.1, rows * 1.1), squeeze=False)
    for r in range(rows):
        for c, images in enumerate([originals, *variants]):
            axes[r, c].imshow(images[r].reshape(side, side), cmap="gray_r", vmin=0, vmax=1)
            axes[r, c].axis("off")
    axes[0, 0].set_title("original", fontsize=8)
    fig.suptitle(title, fontsize=9)
    return fig


def plot_weights(W: np.ndarray, limit: int = 64):
    """First-layer weights of up to ``limit`` hidden units, each as an image on one colour scale
    (red: the pixel raises the unit's input, blue: it lowers it), with the scale beside them."""
    plt = pyplot()
    n = min(limit, W.shape[1])
    cols = 8
    rows = -(-n // cols)
    side = int(round(np.sqrt(W.shape[0])))
    largest = float(np.abs(W[:, :n]).max()) or 1.0
    fig, axes = plt.subplots(rows, cols, figsize=(cols * 1.1 + 1.2, rows * 1.1), squeeze=False)
    for i, ax in enumerate(axes.flat):
        ax.axis("off")
        if i < n:
            image = ax.imshow(
                W[:, i].reshape(side, side), cmap="RdBu_r", vmin=-largest, vmax=largest
            )
    fig.colorbar(image, ax=axes.ravel().tolist(), label="weight (red +, blue −)", shrink=0.8)
    fig.suptitle(
        f"first-layer weights of {n} hidden units: red pixels raise a unit's input, blue lower it"
    )
    return fig


def plot_comparison(runs: list[tuple[str, list[dict]]]):
    """Several runs overlaid: training (dashed) and validation loss, and validation accuracy."""
    plt = pyplot()
    fig, (ax_loss, ax_acc) = plt.subplots(1, 2, figsize=(11, 4.2))
    for i, (label, rows) in enumerate(runs):
        epochs = [r["epoch"] for r in rows]
        ax_loss.plot(epochs, [r["train_loss"] for r in rows], "--", color=f"C{i}", lw=1)
        ax_loss.plot(epochs, [r["val_loss"] for r in rows], "o-", ms=3, color=f"C{i}", label=label)
        ax_acc.plot(
            epochs, [100 * r["val_accuracy"] for r in rows], "o-", ms=3, color=f"C{i}", label=label
        )
    ax_loss.set(xlabel="epoch", ylabel="loss", yscale="log",
                title="loss (dashed: training, solid: validation)")  # fmt: skip
    ax_acc.set(xlabel="epoch", ylabel="validation accuracy (%)", title="validation accuracy")
    for ax in (ax_loss, ax_acc):
        epoch_ticks(ax, [r["epoch"] for _, rows in runs for r in rows])
        ax.grid(alpha=0.3)
        ax.legend(fontsize=8)
    return fig


def plot_seen(image: np.ndarray, x: np.ndarray, title: str):
    """A person's image as read (gray, upright) beside the 28x28 input the network saw."""
    plt = pyplot()
    fig, (ax_image, ax_seen) = plt.subplots(1, 2, figsize=(7, 3.6))
    ax_image.imshow(image, cmap="gray", vmin=0, vmax=1)
    ax_image.set_title("your image, as read")
    ax_seen.imshow(x.reshape(28, 28), cmap="gray", vmin=0, vmax=1, interpolation="nearest")
    ax_seen.set_title("what the network saw (28x28)")
    for ax in (ax_image, ax_seen):
        ax.set(xticks=[], yticks=[])
    fig.suptitle(title)
    return fig
