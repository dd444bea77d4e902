"""Frames shared between readers: one loaded table handed to many notebooks of a kernel.

A reader gets a shallow copy (`shared_copy`), cheap whatever the frame's size, which is safe
only with pandas copy-on-write: a notebook that changes its copy then changes only its copy,
never the frame the next notebook gets. pandas 3 always copies on write; pandas 2.2 (the
oldest supported) does so once its option is turned on, which `copy_on_write` does.
"""

from __future__ import annotations

from typing import TypeVar

T = TypeVar("T")


def copy_on_write() -> None:
    """Turn pandas copy-on-write on (an option before pandas 3, always on since; setting
    it there is deprecated, so it is left alone)."""
    import pandas as pd

    if int(pd.__version__.split(".")[0]) < 3:
        pd.options.mode.copy_on_write = True


def shared_copy(frame: T) -> T:
    """A shallow copy of a DataFrame or Series that its reader may change freely."""
    copy_on_write()
    return frame.copy(deep=False)  # type: ignore[attr-defined]


R = TypeVar("R")


def shared_fields(record: R) -> R:
    """A dataclass (`YearFacts`, `Results`) with each of its frames a `shared_copy`: what a
    reader of a kept record gets; its other fields are the record's own."""
    import dataclasses

    import pandas as pd

    return dataclasses.replace(record, **{  # type: ignore[type-var]
        f.name: shared_copy(getattr(record, f.name))
        for f in dataclasses.fields(record)  # type: ignore[arg-type]
        if isinstance(getattr(record, f.name), (pd.DataFrame, pd.Series))})
