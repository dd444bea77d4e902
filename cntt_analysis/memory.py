"""Giving freed memory back to the system between the big steps of a command.

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
