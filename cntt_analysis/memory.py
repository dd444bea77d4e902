"""Giving freed memory back to the system between the big steps of a command, and the
garbage collector kept out of the way where it only costs time (`long_lived_aside`,
`fewer_collections`).

A freed table does not shrink the process: Python's and glibc's allocators keep freed
blocks for reuse, and Arrow (which holds pandas' text columns) keeps its own pool
(mimalloc). Scoring 20,000 workbooks held ~440 MB that way at the end of the scoring
step, ~270 MB of it in Arrow's pool; the next step's peak came on top of it. The limits
set on the commands are on resident memory, so what is done with is returned.
"""

from __future__ import annotations

import contextlib
import ctypes
import gc
import sys
import urllib.parse
from collections.abc import Iterator


def release_memory() -> None:
    """Drop the URL cache, collect unreachable objects, then return the allocators' free
    memory to the system (glibc's ``malloc_trim``; Arrow's pool when pyarrow is loaded:
    never loaded here for this)."""
    # Python (3.11+) keeps the last 128 URLs it split; WeasyPrint splits every chart's
    # data: URL, so a kernel held megabytes of earlier documents' images that way.
    urllib.parse.clear_cache()  # type: ignore[attr-defined]  # (not in the stubs)
    gc.collect()
    with contextlib.suppress(OSError, AttributeError):  # not glibc: nothing to trim
        ctypes.CDLL("libc.so.6").malloc_trim(0)
    arrow = sys.modules.get("pyarrow")
    if arrow is not None:
        arrow.default_memory_pool().release_unused()


@contextlib.contextmanager
def long_lived_aside() -> Iterator[None]:
    """Within the block, every object alive at its start is out of the garbage collector's
    walks: entered once a command has imported its libraries (~100,000 objects that live
    as long as it), so that each collection (the automatic ones, and `release_memory`'s)
    walks only what the command made since. Reference counting still frees them; only a
    cycle among them waits for the block's end to be collected (they are given back to
    the collector then: a caller's own objects, a test session's, are as before).
    `cntt score` of 500 workbooks: ~4 % less time."""
    gc.freeze()
    try:
        yield
    finally:
        gc.unfreeze()


# Objects made between two automatic collections of the youngest generation while a
# document is laid out (Python's default is 700). WeasyPrint makes a box, a computed style
# and a text layout for each element, and most of them live until the PDF is written: at
# 700, the collector walks that growing tree again and again (every tenth young collection
# walks the middle generation, and the old one whenever it grew by a quarter). A
# province's annual report PDF (36 pages): 3.1 → 2.6 s at 10,000, the same peak memory.
DOCUMENT_THRESHOLD = 10_000


@contextlib.contextmanager
def fewer_collections(threshold: int = DOCUMENT_THRESHOLD) -> Iterator[None]:
    """Within the block, the youngest generation is collected every `threshold` objects
    made instead of every 700 (the older generations' own thresholds kept); the caller's
    thresholds are back after it. Cycles are still collected, later: a few thousand more
    objects wait for it, not the block's whole garbage."""
    before = gc.get_threshold()
    gc.set_threshold(max(threshold, before[0]), *before[1:])
    try:
        yield
    finally:
        gc.set_threshold(*before)
