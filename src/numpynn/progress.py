"""The progress bar of every long loop: tqdm, imported on first use (it is not needed to import
numpynn), sized to the terminal."""

__all__ = ["progress_bar"]


def progress_bar(iterable=None, *, total=None, desc=None, unit="it", leave=False, **options):
    """A tqdm bar over ``iterable`` (or updated by hand up to ``total``); by default it disappears
    when done (``leave=False``), leaving only the results in the terminal, and it is drawn only
    on a terminal: output to a file or a log gets no bar."""
    from tqdm import tqdm

    options = {"disable": None, "dynamic_ncols": True} | options  # disable=None: not on a TTY
    return tqdm(iterable, total=total, desc=desc, unit=unit, leave=leave, **options)
