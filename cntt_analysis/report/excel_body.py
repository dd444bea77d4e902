"""A worksheet whose table body is rendered to XML in one pass, column values in hand.

XlsxWriter keeps every written cell as an object and turns each into XML one call at a
time when the workbook closes; a round of a province writes hundreds of thousands of table
cells, and that was most of `cntt score`'s time. `TableSheet` takes a table's body as
columns (values, format), turns each distinct value into its cell XML once (texts into the
workbook's shared strings, numbers as XlsxWriter writes them) and writes the rows straight
into the sheet XML when the workbook is written. Everything else on the sheet (titles,
headers, merged bands, widths, print layout, frozen panes, the filter) is XlsxWriter's own.
"""

from __future__ import annotations

import datetime as dt
import math
import shutil
import tempfile
from collections.abc import Callable, Iterator, Sequence
from dataclasses import dataclass
from typing import IO, Any

import numpy as np
import pandas as pd
from xlsxwriter.format import Format
from xlsxwriter.utility import xl_col_to_name
from xlsxwriter.worksheet import Worksheet

from cntt_analysis.text import printable

MAX_TEXT = 32_767  # characters a cell holds (what XlsxWriter's write_string keeps)


@dataclass(frozen=True)
class Ordered:
    """A Series' values in another order, `rows` being their positions: listed a slice at a
    time, so that a table sorted for its sheet only is never copied whole, sorted (a
    country's data issues, ~110,000 rows of texts: copied sorted, they were the peak of
    `cntt score`, 1,003 MB; 959 MB shown this way)."""

    series: pd.Series
    rows: np.ndarray

    def __len__(self) -> int:
        return len(self.rows)


@dataclass(frozen=True)
class BodyColumn:
    """One column of a table body: its values (a Series, a sequence or a Series `Ordered`),
    the cell format, and optionally a format for particular texts (a tier's fill)."""

    values: Sequence[Any] | Ordered
    fmt: Format
    text_formats: Callable[[str], Format | None] | None = None


class TableSheet(Worksheet):
    """A worksheet with one table body (rows from `first_row` down) set by `set_body`."""

    def __init__(self) -> None:
        super().__init__()
        self._body: tuple[int, IO[str]] | None = None  # first row, the rows' XML

    def set_body(self, first_row: int, columns: list[BodyColumn],
                 heights: Sequence[float | None] = ()) -> None:
        """The table's rows from `first_row` (0-based): column by column, all of one
        length; `heights` in points of the rows that need one (as ``set_row`` takes).
        Texts go to the workbook's shared strings now (as XlsxWriter's write_string does:
        the table is sorted before the sheets are written), and the rows' XML to a
        temporary file: a workbook of a country's round holds millions of cells, and kept
        until the workbook is written, every sheet's cells were in memory at once."""
        rows = len(columns[0].values) if columns else 0
        if not rows:
            return
        if any(len(c.values) != rows for c in columns):
            raise ValueError("every column of a table body has the same number of rows")
        self._check_dimensions(first_row, 0)
        self._check_dimensions(first_row + rows - 1, len(columns) - 1)
        tall = {first_row + n: h for n, h in enumerate(heights) if h}
        # (open until the workbook is written: `_write_rows` copies and closes it)
        xml = tempfile.TemporaryFile("w+", encoding="utf-8", dir=self.tmpdir)  # noqa: SIM115
        _write_body(xml.write, first_row, [self._cell_bodies(c) for c in columns], tall)
        self._body = (first_row, xml)

    def _cell_bodies(self, column: BodyColumn) -> list[str]:
        """What follows ``<c r="A1"`` in each cell of a column; the same value gives the
        same text object, built once."""
        style = _style(column.fmt)
        # One table per kind of value: 1, 1.0 and True are equal keys, not the same cell.
        made: dict[type, dict[Any, str]] = {kind: {} for kind in _HASHABLE}
        out: list[str] = []
        append = out.append
        for value in _listed(column.values):
            seen = made.get(value.__class__)
            if seen is None:  # not hashable (a date, a numpy value): built each time
                append(self._cell_body(value, column, style))
                continue
            body = seen.get(value)
            if body is None:
                body = seen[value] = self._cell_body(value, column, style)
            append(body)
        return out

    def _cell_body(self, value: Any, column: BodyColumn, style: str) -> str:
        value = plain_cell(value)
        if value is None or value == "":
            return f"{style}/>"
        if isinstance(value, str):
            special = column.text_formats(value) if column.text_formats else None
            return self._text(value, _style(special) if special is not None else style)
        if isinstance(value, bool):
            return f'{style} t="b"><v>{int(value)}</v></c>'
        if isinstance(value, (dt.date, dt.datetime)):
            return f"{style}><v>{self._convert_date_time(value):.16G}</v></c>"
        if isinstance(value, (int, float)):
            return f"{style}><v>{value:.16G}</v></c>" if math.isfinite(value) else \
                f"{style}/>"
        return self._text(str(value), style)

    def _text(self, text: str, style: str) -> str:
        index = self.str_table._get_shared_string_index(printable(text)[:MAX_TEXT])
        return f'{style} t="s"><v>{index}</v></c>'

    def _write_rows(self) -> None:
        if self._body is None:
            super()._write_rows()
            return
        first, xml = self._body
        last = self.dim_rowmax  # type: ignore[has-type]
        self.dim_rowmax = first - 1  # XlsxWriter writes the rows above the body
        try:
            super()._write_rows()
        finally:
            self.dim_rowmax = last
        with xml:
            xml.seek(0)
            shutil.copyfileobj(xml, self.fh)


LISTED_AT_ONCE = 20_000  # rows of a column turned into Python values at a time


def _listed(values: Sequence[Any] | Ordered) -> Iterator[Any]:
    """A column's values as Python objects, a slice at a time: listing a text column makes
    a Python string per row (a country's shortcomings: 250,000 labels, ~60 MB at once)."""
    if isinstance(values, Ordered):
        for start in range(0, len(values.rows), LISTED_AT_ONCE):
            yield from values.series.take(values.rows[start:start + LISTED_AT_ONCE]).tolist()
        return
    if not isinstance(values, pd.Series):
        yield from values
        return
    for start in range(0, len(values), LISTED_AT_ONCE):
        yield from values.iloc[start:start + LISTED_AT_ONCE].tolist()


def _write_body(write: Callable[[str], Any], first: int, cells: list[list[str]],
                heights: dict[int, float]) -> None:
    """The rows of a table body as sheet XML, from `first` (0-based): each column's cell
    bodies (what follows ``<c r="A1"``) and the rows' heights in points."""
    letters = [xl_col_to_name(c) for c in range(len(cells))]
    for row, bodies in enumerate(zip(*cells), start=first):
        n = row + 1
        height = _height(heights[row]) if row in heights else ""
        write(f'<row r="{n}"{height}>'
              + "".join([f'<c r="{letter}{n}"{body}' for letter, body
                         in zip(letters, bodies)]) + "</row>")


_HASHABLE: frozenset[type] = frozenset({str, float, int, bool, type(None)})


def _height(points: float) -> str:
    pixels = int(points * 4.0 / 3.0 + 0.5)  # as set_row rounds it
    return f' ht="{pixels * 0.75:.16g}" customHeight="1"'


def _style(fmt: Format | None) -> str:
    index = fmt._get_xf_index() if fmt is not None else 0
    return f' s="{index}"' if index else ""


def plain_cell(value: Any) -> Any:
    """A cell value as a plain Python object; None for missing values."""
    if value is None or (not isinstance(value, str) and pd.isna(value)):
        return None
    return value.item() if hasattr(value, "item") else value
