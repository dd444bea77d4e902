"""Shipped examples `cntt demo --example NAME` writes (besides the 2017 demo of demo.py):
``dti-2025``, the digital transformation of a fictional province's agencies and communes
across the 2025 reorganisation (`dti`)."""

from __future__ import annotations

from collections.abc import Callable
from pathlib import Path


def _dti(raw: str | Path) -> list[Path]:
    from cntt_analysis.examples.dti import write_example

    return write_example(raw)


# name → writer(raw_dir) → the files written
EXAMPLES: dict[str, Callable[[str | Path], list[Path]]] = {"dti-2025": _dti}
