"""A run's figures read without squinting: whole epochs, and weights with their colour scale."""

import numpy as np

from numpynn.plots.run import plot_comparison, plot_curves, plot_weights
from numpynn.plots.style import pyplot

ROW = {"epoch": 1, "train_loss": 0.5, "train_accuracy": 0.8, "val_loss": 0.4, "val_accuracy": 0.85}


def tick_labels(axis) -> list[str]:
    axis.figure.canvas.draw()
    return [t.get_text() for t in axis.get_ticklabels() if t.get_visible() and t.get_text()]


def test_a_one_epoch_run_has_one_whole_epoch_on_its_axis():
    fig = plot_curves([ROW], "one epoch", 0.9, [0.6, 0.5])
    for ax in fig.axes:
        assert list(ax.get_xticks()) == [1.0] and tick_labels(ax.xaxis) == ["1"]
    fig = plot_comparison([("a", [ROW]), ("b", [ROW | {"epoch": 2}])])
    assert list(fig.axes[0].get_xticks()) == [1.0, 2.0]
    pyplot().close("all")


def test_weights_share_one_colour_scale_that_says_what_its_colours_mean():
    W = np.random.default_rng(0).standard_normal((784, 10)).astype(np.float32)
    W[:, 3] *= 10  # one unit's weights much larger: on one scale it stands out
    fig = plot_weights(W)
    images = [im for ax in fig.axes for im in ax.get_images()]
    assert len(images) == 10 and {im.get_clim() for im in images} == {
        (-np.abs(W).max(), np.abs(W).max())
    }
    colorbar = fig.axes[-1]
    assert "red +, blue −" in colorbar.get_ylabel() and tick_labels(colorbar.yaxis)
    assert "red pixels raise a unit's input, blue lower it" in fig._suptitle.get_text()
    pyplot().close("all")
