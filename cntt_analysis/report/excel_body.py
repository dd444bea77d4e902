"""A worksheet whose table body is rendered to XML in one pass, column values in hand.

XlsxWriter keeps every written cell as an object and turns each into XML one call at a
time when the workbook closes; a round of a province writes hundreds of thousands of table
cells, and that was most of `cntt score`'s time. `TableSheet` takes a table's body as
columns (values, format) and renders its rows straight into the sheet XML when the
workbook is written: text as inline strings, numbers as XlsxWriter writes them. Everything
else on the sheet (titles, headers, merged bands, widths, row heights, print layout, frozen
panes, the filter) is XlsxWriter's own.
"""

from __future__ import annotations

import datetime as dt
import math
import re
from collections.abc import Callable, Sequence
from dataclasses import dataclass
from typing import Any

import pandas as pd
from xlsxwriter.format import Format
from xlsxwriter.utility import xl_col_to_name
from xlsxwriter.worksheet import Worksheet

from cntt_analysis.text import printable

MAX_TEXT = 32_767  # characters a cell holds (what XlsxWriter's write_string keeps)
_ESCAPES = re.compile(r"[&<>]")
_EDGE_SPACE = re.compile(r"^\s|\s$")


@dataclass(frozen=True)
class BodyColumn:
    """One column of a table body: its values, the cell format, and optionally a format
    for particular texts (a tier's fill)."""

    values: Sequence[Any]
    fmt: Format
    text_formats: Callable[[str], Format | None] | None = None


class TableSheet(Worksheet):
    """A worksheet with one table body (rows from `first_row` down) set by `set_body`."""

    def __init__(self) -> None:
        super().__init__()
        self._body: tuple[int, list[BodyColumn]] | None = None
        self._heights: dict[int, float] = {}

    def set_body(self, first_row: int, columns: list[BodyColumn],
                 heights: Sequence[float | None] = ()) -> None:
        """The table's rows from `first_row` (0-based): column by column, all of one
        length; `heights` in points of the rows that need one (as ``set_row`` takes)."""
        self._heights = {first_row + n: h for n, h in enumerate(heights) if h}
        rows = len(columns[0].values) if columns else 0
        if not rows:
            return
        if any(len(c.values) != rows for c in columns):
            raise ValueError("every column of a table body has the same number of rows")
        self._check_dimensions(first_row, 0)
        self._check_dimensions(first_row + rows - 1, len(columns) - 1)
        self._body = (first_row, columns)

    def _write_rows(self) -> None:
        if self._body is None:
            super()._write_rows()
            return
        first, columns = self._body
        last = self.dim_rowmax  # type: ignore[has-type]
        self.dim_rowmax = first - 1  # XlsxWriter writes the rows above the body
        try:
            super()._write_rows()
        finally:
            self.dim_rowmax = last
        self.fh.write(self._render(first, columns))

    def _render(self, first: int, columns: list[BodyColumn]) -> str:
        letters = [xl_col_to_name(c) for c in range(len(columns))]
        cells = [_column_cells(self, column, letter, first)
                 for column, letter in zip(columns, letters)]
        out = []
        for offset, row_cells in enumerate(zip(*cells)):
            row = first + offset
            out.append(f'<row r="{row + 1}"{self._height(row)}>{"".join(row_cells)}</row>')
        return "".join(out)

    def _height(self, row: int) -> str:
        points = self._heights.get(row)
        if points is None:
            return ""
        pixels = int(points * 4.0 / 3.0 + 0.5)  # as set_row rounds it
        return f' ht="{pixels * 0.75:.16g}" customHeight="1"'


def _column_cells(sheet: TableSheet, column: BodyColumn, letter: str,
                  first: int) -> list[str]:
    """Each cell of one column as XML (same value and format → the same text, so the
    texts of repeated values are built once)."""
    style = _style(column.fmt)
    made: dict[Any, str] = {}
    out = []
    for row, value in enumerate(column.values, start=first + 1):
        key = (value.__class__, value) if _hashable(value) else None
        body = made.get(key) if key is not None else None
        if body is None:
            body = _cell_body(sheet, value, column, style)
            if key is not None:
                made[key] = body
        out.append(f'<c r="{letter}{row}"{body}')
    return out


def _hashable(value: Any) -> bool:
    return value.__class__ in (str, float, int, bool) or value is None


def _style(fmt: Format | None) -> str:
    index = fmt._get_xf_index() if fmt is not None else 0
    return f' s="{index}"' if index else ""


def _cell_body(sheet: TableSheet, value: Any, column: BodyColumn, style: str) -> str:
    """What follows ``<c r="A1"`` for one value: its style, type and value."""
    value = plain_cell(value)
    if value is None or value == "":
        return f"{style}/>"
    if isinstance(value, str):
        special = column.text_formats(value) if column.text_formats else None
        return _text(printable(value), _style(special) if special is not None else style)
    if isinstance(value, bool):
        return f'{style} t="b"><v>{int(value)}</v></c>'
    if isinstance(value, (dt.date, dt.datetime)):
        return f"{style}><v>{sheet._convert_date_time(value):.16G}</v></c>"
    if isinstance(value, (int, float)):
        return f"{style}><v>{value:.16G}</v></c>" if math.isfinite(value) else f"{style}/>"
    return _text(printable(str(value)), style)


def _text(text: str, style: str) -> str:
    text = text[:MAX_TEXT]
    space = ' xml:space="preserve"' if _EDGE_SPACE.search(text) else ""
    if _ESCAPES.search(text):
        text = text.replace("&", "&amp;").replace("<", "&lt;").replace(">", "&gt;")
    return f'{style} t="inlineStr"><is><t{space}>{text}</t></is></c>'


def plain_cell(value: Any) -> Any:
    """A cell value as a plain Python object; None for missing values."""
    if value is None or (not isinstance(value, str) and pd.isna(value)):
        return None
    return value.item() if hasattr(value, "item") else value
