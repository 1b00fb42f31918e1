"""The progress bar: the same items, with a description and a count, on a terminal only."""

import io

from numpynn.progress import progress_bar


def test_the_bar_yields_every_item_and_shows_its_progress():
    out = io.StringIO()
    assert list(
        progress_bar(
            range(5), desc="epoch 1/2", unit="batch", file=out, mininterval=0, disable=False
        )
    ) == list(range(5))
    assert "epoch 1/2" in out.getvalue() and "5/5" in out.getvalue()


def test_a_bar_by_hand_counts_to_its_total():
    out = io.StringIO()
    with progress_bar(total=3, desc="runs", file=out, mininterval=0, disable=False) as bar:
        bar.update(3)
    assert bar.n == 3 and "3/3" in out.getvalue()


def test_no_bar_is_drawn_into_a_file_or_a_log():
    out = io.StringIO()  # not a terminal
    assert list(progress_bar(range(3), desc="epoch 1/2", file=out, mininterval=0)) == [0, 1, 2]
    assert out.getvalue() == ""
