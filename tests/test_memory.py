"""Memory given back between a command's steps, and files hashed without reading them whole."""

from __future__ import annotations

import contextlib
import hashlib
import subprocess
import sys
import textwrap
import tracemalloc

import pytest

from cntt_analysis.memory import fewer_collections, long_lived_aside, release_memory
from cntt_analysis.storage import file_sha256

# Run in a fresh interpreter: what this test process has allocated before would blur it.
FREED_TEXT = textwrap.dedent("""
    import re
    import pandas as pd
    from cntt_analysis.memory import long_lived_aside, release_memory

    def resident():
        status = open("/proc/self/status").read()
        return int(re.search(r"VmRSS:\\s+(\\d+)", status).group(1)) // 1024

    # ~100 MB of text columns (pandas keeps them in Arrow's own memory pool), a little of
    # each kept so the pool is not simply emptied
    frames = [pd.Series([f"đơn vị {i} {j}" for i in range(200_000)]) for j in range(10)]
    kept = [f.iloc[::1000].copy() for f in frames]
    del frames
    held = resident()
    release_memory()
    print(held, resident())
""")


def test_text_columns_freed_go_back_to_the_system():
    # Arrow's pool kept ~270 MB of a 20,000-unit scoring's freed text columns: glibc's
    # malloc_trim alone returned none of it.
    out = subprocess.run([sys.executable, "-c", FREED_TEXT], capture_output=True, text=True,
                         check=True).stdout
    held, after = map(int, out.split())
    assert held - after > 40, (held, after)


def test_a_file_is_hashed_as_its_bytes_a_piece_at_a_time(tmp_path):
    # A country's points CSV (~160 MB) was read whole to be hashed when the round's folder
    # was published: the peak of `cntt score` at 20,000 workbooks.
    path = tmp_path / "diem-chi-tieu.csv"
    data = bytes(range(256)) * 40_000  # ~10 MB
    path.write_bytes(data)
    tracemalloc.start()
    try:
        digest = file_sha256(path)
        _, peak = tracemalloc.get_traced_memory()
    finally:
        tracemalloc.stop()
    assert digest == hashlib.sha256(data).hexdigest()
    assert peak < 3 * 2**20, peak


def test_urls_split_for_a_document_are_not_kept_after_it():
    # WeasyPrint splits each chart's data: URL; Python keeps the last 128 it split, so a
    # kernel that had made 60 profiles held ~8 MB of earlier profiles' images.
    from urllib.parse import urlsplit

    chart = "data:image/png;base64," + "iVBORw0KGgo" * 20_000
    urlsplit(chart)
    assert urlsplit.cache_info().currsize >= 1
    release_memory()
    assert urlsplit.cache_info().currsize == 0


def test_what_is_set_aside_is_collected_once_given_back():
    """Inside `long_lived_aside`, a cycle made before it is out of the collector's walks
    (not collected), the objects made inside are walked as usual; after it, the cycle is
    collected and nothing stays frozen."""
    import gc
    import weakref

    class Node:
        pass

    def cycle() -> weakref.ref:
        a, b = Node(), Node()
        a.other, b.other = b, a
        return weakref.ref(a)

    gc.disable()  # no automatic collection before the block: it would take the cycle
    try:
        before = cycle()
        with long_lived_aside():
            assert gc.get_freeze_count() > 0
            inside = cycle()
            gc.collect()
            assert before() is not None  # set aside: not walked
            assert inside() is None  # made inside: collected as usual
    finally:
        gc.enable()
    assert gc.get_freeze_count() == 0
    gc.collect()
    assert before() is None


def test_fewer_collections_raises_the_young_threshold_and_gives_it_back():
    import gc

    before = gc.get_threshold()
    try:
        gc.set_threshold(700, 11, 12)
        with fewer_collections(5_000):
            assert gc.get_threshold() == (5_000, 11, 12)
        assert gc.get_threshold() == (700, 11, 12)
        gc.set_threshold(50_000, 11, 12)  # a caller's own higher threshold is not lowered
        with fewer_collections(5_000):
            assert gc.get_threshold() == (50_000, 11, 12)
        gc.set_threshold(700, 11, 12)
        with pytest.raises(RuntimeError), fewer_collections(5_000):
            raise RuntimeError("the block failed")
        assert gc.get_threshold() == (700, 11, 12)
    finally:
        gc.set_threshold(*before)


def test_objects_made_in_the_block_wait_for_fewer_collections_but_cycles_still_go():
    """Counted by the collector's own callbacks: a block making 200,000 objects that stay
    alive (as a PDF's boxes do) runs at least ten times fewer young collections; a cycle
    made in it is still collected once it is left."""
    import gc
    import weakref

    class Node:
        pass

    def young_collections(block) -> int:
        seen = []

        def count(phase: str, info: dict) -> None:
            if phase == "start" and info["generation"] == 0:
                seen.append(1)

        gc.callbacks.append(count)
        try:
            with block():
                kept = [Node() for _ in range(200_000)]
        finally:
            gc.callbacks.remove(count)
        del kept
        return len(seen)

    before = gc.get_threshold()
    try:
        gc.set_threshold(700, 10, 10)
        plain = young_collections(contextlib.nullcontext)
        fewer = young_collections(fewer_collections)
        assert plain >= 200 and fewer * 10 <= plain
        with fewer_collections():
            a, b = Node(), Node()
            a.other, b.other = b, a
            ref = weakref.ref(a)
            del a, b
        gc.collect()
        assert ref() is None
    finally:
        gc.set_threshold(*before)
