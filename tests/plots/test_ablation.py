"""The ablation study's figures: labelled ticks on every axis of accuracy against cost."""

from numpynn.plots.ablation import plot_ablation_cost, plot_ablation_curves
from numpynn.plots.style import pyplot


def cell(width, depth, parameters, seconds, epochs=1):
    return {"width": width, "depth": depth, "activation": "relu", "parameters": parameters,
            "seconds_mean": seconds, "test_accuracy_mean": 0.9, "test_accuracy_std": 0.01,
            "val_curve": [0.9] * epochs}  # fmt: skip


def labels(axis) -> list[str]:
    axis.figure.canvas.draw()
    return [t.get_text() for t in axis.get_ticklabels() if t.get_visible() and t.get_text()]


def test_accuracy_vs_cost_labels_both_axes_of_both_panels_even_over_less_than_a_decade():
    fig = plot_ablation_cost([cell(16, 1, 12_730, 0.4), cell(64, 1, 50_890, 0.9)])
    for ax in fig.axes:
        assert labels(ax.xaxis), ax.get_xlabel()
        assert labels(ax.yaxis), ax.get_xlabel()
    assert "20k" in labels(fig.axes[0].xaxis)
    pyplot().close("all")


def test_one_epoch_curves_show_epoch_1():
    fig = plot_ablation_curves([cell(16, 1, 12_730, 0.4)])
    assert list(fig.axes[0].get_xticks()) == [1.0]
    pyplot().close("all")
