"""How much memory a call takes: what the tests of hostile input measure."""

import tracemalloc


def peak_bytes(call) -> int:
    """The most memory Python allocated (tracemalloc, which sees NumPy's arrays) while
    ``call()`` ran."""
    tracemalloc.start()
    try:
        call()
        return tracemalloc.get_traced_memory()[1]
    finally:
        tracemalloc.stop()
