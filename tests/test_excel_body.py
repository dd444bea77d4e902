"""A table body rendered in bulk (`report.excel_body.TableSheet`) holds exactly what
XlsxWriter's own cell writers would: every kind of value, its format and fill, row heights,
text that is markup or has edge spaces, over-long text, and rows above the body — read back
by openpyxl and by LibreOffice."""

from __future__ import annotations

import datetime as dt
import io

import pandas as pd
import xlsxwriter
from openpyxl import load_workbook

from cntt_analysis.report.excel_body import MAX_TEXT, BodyColumn, TableSheet

TEXTS = ["Văn phòng Sở", "<b>A & B</b>", "  lề trái", "", None, "Tốt", "x" * (MAX_TEXT + 5),
         "=SUM(A1:A2)", "dòng 1\ndòng 2"]
NUMBERS = [1.5, float("nan"), 0.0, 12345678.25, None, float("inf"), -3.0, 7, 2.0]
OTHERS = [True, False, dt.date(2017, 8, 10), dt.datetime(2017, 8, 10, 9, 30), pd.NA,
          pd.Timestamp("2017-01-02"), "chữ", "", None]


def _workbook(heights: list[float | None], as_series: bool = False) -> bytes:
    buffer = io.BytesIO()
    wb = xlsxwriter.Workbook(buffer, {"in_memory": True})
    wb.set_properties({"created": dt.datetime(2017, 8, 10)})  # the same bytes each time
    plain, number = wb.add_format({"border": 1}), wb.add_format({"num_format": "0.00"})
    good = wb.add_format({"bg_color": "#C6EFCE"})
    date = wb.add_format({"num_format": "dd/mm/yyyy"})
    ws = wb.add_worksheet("Bảng", worksheet_class=TableSheet)
    ws.write_string(0, 0, "TIÊU ĐỀ")
    ws.write_string(2, 0, "Tên")
    ws.set_row(2, 30)
    def values(column: list) -> list | pd.Series:  # a slice of a longer table's column
        index = pd.RangeIndex(40, 40 + len(column))
        return pd.Series(column, index=index, dtype=object) if as_series else column

    ws.set_body(3, [BodyColumn(values(TEXTS), plain, lambda t: good if t == "Tốt" else None),
                    BodyColumn(values(NUMBERS), number), BodyColumn(values(OTHERS), date)],
                heights)
    ws.autofilter(2, 0, 2 + len(TEXTS), 2)
    wb.close()
    return buffer.getvalue()


def test_every_kind_of_value_reads_back_as_written():
    heights = [None, 45, None, None, None, None, None, None, 30]
    ws = load_workbook(io.BytesIO(_workbook(heights)))["Bảng"]
    assert ws["A1"].value == "TIÊU ĐỀ" and ws["A3"].value == "Tên"
    assert ws.row_dimensions[3].height == 30  # a row above the body keeps its height
    texts = [ws.cell(row=r, column=1).value for r in range(4, 4 + len(TEXTS))]
    assert texts == ["Văn phòng Sở", "<b>A & B</b>", "  lề trái", None, None, "Tốt",
                     "x" * MAX_TEXT, "=SUM(A1:A2)", "dòng 1\ndòng 2"]
    assert ws["A11"].data_type == "s"  # a text that looks like a formula stays text
    numbers = [ws.cell(row=r, column=2).value for r in range(4, 4 + len(NUMBERS))]
    assert numbers == [1.5, None, 0, 12345678.25, None, None, -3, 7, 2]
    others = [ws.cell(row=r, column=3).value for r in range(4, 4 + len(OTHERS))]
    assert others[:4] == [True, False, dt.datetime(2017, 8, 10), dt.datetime(2017, 8, 10, 9, 30)]
    assert others[4] is None and others[5] == dt.datetime(2017, 1, 2)
    assert others[6:] == ["chữ", None, None]
    assert ws["B4"].number_format == "0.00" and ws["C6"].number_format == "dd/mm/yyyy"
    assert ws["A9"].fill.fgColor.rgb.endswith("C6EFCE")  # "Tốt" gets its fill
    assert not ws["A4"].fill.fgColor.rgb.endswith("C6EFCE")
    assert ws["A4"].border.left.style == "thin"  # blanks keep the column's format too
    assert ws["A7"].border.left.style == "thin"
    assert ws.row_dimensions[5].height == 45 and ws.row_dimensions[12].height == 30
    assert ws.row_dimensions[4].height is None
    assert ws.dimensions == f"A1:C{3 + len(TEXTS)}"
    assert ws.auto_filter.ref == f"A3:C{3 + len(TEXTS)}"


def test_a_column_given_as_a_series_writes_as_its_list():
    # The results workbook hands each column over as the frame's Series (listed one column
    # at a time as the body is made), a slice of a longer table keeping its index.
    heights = [None, 45, None, None, None, None, None, None, 30]
    assert _workbook(heights, as_series=True) == _workbook(heights)


def test_a_series_listed_a_slice_at_a_time_writes_the_same_cells(monkeypatch):
    """A long text column is listed a slice at a time (a Python string per row, at a
    country's size, was ~60 MB at once): slices of 2 rows give the same workbook."""
    import cntt_analysis.report.excel_body as body

    heights = [None, 45, None, None, None, None, None, None, 30]
    whole = _workbook(heights, as_series=True)
    monkeypatch.setattr(body, "LISTED_AT_ONCE", 2)
    assert _workbook(heights, as_series=True) == whole == _workbook(heights)


def test_libreoffice_reads_the_body(tmp_path, libreoffice):
    """LibreOffice opens the body and writes it back (its own .xlsx) with the same values."""
    src = tmp_path / "bang.xlsx"
    src.write_bytes(_workbook([None, 45]))
    ws = load_workbook(libreoffice(src, "xlsx", tmp_path / "lo"))["Bảng"]
    texts = [ws.cell(row=r, column=1).value for r in range(4, 4 + len(TEXTS))]
    assert texts[:3] == ["Văn phòng Sở", "<b>A & B</b>", "  lề trái"]
    assert texts[5] == "Tốt" and texts[7] == "=SUM(A1:A2)" and texts[8] == "dòng 1\ndòng 2"
    assert len(texts[6]) == MAX_TEXT
    assert [ws.cell(row=r, column=2).value for r in (4, 7, 10)] == [1.5, 12345678.25, -3]
    assert ws["C6"].value == dt.datetime(2017, 8, 10)
    assert ws.row_dimensions[5].height == 45


def test_an_empty_body_leaves_the_sheet_as_xlsxwriter_writes_it():
    buffer = io.BytesIO()
    wb = xlsxwriter.Workbook(buffer, {"in_memory": True})
    wb.set_properties({"created": dt.datetime(2017, 8, 10)})  # the same bytes each time
    ws = wb.add_worksheet("Trống", worksheet_class=TableSheet)
    ws.write_string(2, 0, "Tên")
    ws.set_body(3, [BodyColumn([], wb.add_format())])
    wb.close()
    sheet = load_workbook(io.BytesIO(buffer.getvalue()))["Trống"]
    assert sheet.max_row == 3 and sheet["A3"].value == "Tên"


def test_a_body_is_not_kept_in_memory_until_the_workbook_is_written(tmp_path):
    """The rows go to a temporary file as the body is set: a sheet of 100,000 distinct
    numbers holds next to nothing until the workbook is written (a country's results
    workbook has millions of cells over its sheets), and every value is there after."""
    import tracemalloc

    path = tmp_path / "lon.xlsx"
    wb = xlsxwriter.Workbook(str(path), {"tmpdir": str(tmp_path)})
    ws = wb.add_worksheet("Bảng", worksheet_class=TableSheet)
    values = [n + 0.25 for n in range(100_000)]
    tracemalloc.start()
    ws.set_body(1, [BodyColumn(values, wb.add_format({"num_format": "0.00"}))])
    held = tracemalloc.get_traced_memory()[0]
    tracemalloc.stop()
    assert held < 1_000_000, held  # the 100,000 cells' XML was ~7 MB of strings
    wb.close()
    got = load_workbook(path, read_only=True)["Bảng"]
    column = [row[0] for row in got.iter_rows(min_row=2, values_only=True)]
    assert column == values
