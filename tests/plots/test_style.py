"""What every figure shares: the Agg backend and atomic PNG saving. The figures themselves are
drawn and checked by the tests of the runs and studies that draw them."""

import numpy as np
from figures import PNG

from numpynn.plots.style import pyplot, save_figure


def test_figures_are_drawn_without_a_display_and_saved_as_png_then_closed(tmp_path):
    plt = pyplot()
    assert plt.get_backend().lower() == "agg"
    fig, ax = plt.subplots()
    ax.plot(np.arange(3))
    path = save_figure(fig, tmp_path / "deep" / "curve.png", dpi=50)
    assert path == tmp_path / "deep" / "curve.png" and path.read_bytes()[:8] == PNG
    assert not plt.fignum_exists(fig.number)  # closed: a study drawing many figures leaks none
    assert sorted(p.name for p in path.parent.iterdir()) == ["curve.png"]  # no temp file left
