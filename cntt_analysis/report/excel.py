"""The Excel results workbook (ket-qua-YEAR.xlsx) laid out for people: ranking per group,
criterion percentages, points per indicator, data issues and the register.

Written with XlsxWriter (streams XML, formats defined once per workbook): the round's
~250,000 cells take a fraction of a second instead of openpyxl's per-cell style objects.
Unit-supplied text is written with ``write_string`` (never a formula, URL or number) and
stripped of control characters, so a cell typed "=HYPERLINK(...)" stays inert. Each sheet
prints on A4 (landscape when wide), one page wide, with the header row repeated and a
title and page numbers in the header and footer. Same result → same bytes (fixed dates).
"""

from __future__ import annotations

import datetime as dt
import io
import math
from pathlib import Path
from typing import TYPE_CHECKING, Any

import pandas as pd
import xlsxwriter
from xlsxwriter.format import Format
from xlsxwriter.worksheet import Worksheet

from cntt_analysis.intake.issues import SEVERITY_LABELS
from cntt_analysis.labels import POINT_STATUS, SYNTHETIC_NOTE, TIER_FILLS, lower_first
from cntt_analysis.report.sentences import plain_value
from cntt_analysis.storage import write_bytes
from cntt_analysis.text import printable

if TYPE_CHECKING:
    from cntt_analysis.scoring.pipeline import RoundResult

HEADER_ROW = 4  # 1-based, as people (and openpyxl) count rows
FIXED_DATE = dt.datetime(2000, 1, 1)
MAX_WIDTH = 40  # wider text wraps inside its column
LINE_HEIGHT = 15  # points per line of text
MAX_ROWS = 1_048_576  # rows a worksheet can hold
PORTRAIT_WIDTH = 120  # sum of column widths (characters) that fits A4 portrait legibly

# (header, column, number format)
Column = tuple[str, str, str | None]


class Formats:
    """Every cell format of a workbook, made once (XlsxWriter formats are shared objects)."""

    def __init__(self, wb: xlsxwriter.Workbook, footer: str = "Kết quả đánh giá") -> None:
        self.footer = footer  # the print footer of every sheet
        border = {"border": 1, "border_color": "#BFBFBF", "valign": "top"}
        self._wb, self._border = wb, border
        self._cache: dict[Any, Any] = {}
        self.title = wb.add_format({"bold": True, "font_size": 13, "font_color": "#1F4E79"})
        self.note = wb.add_format({"italic": True, "font_color": "#7F7F7F", "text_wrap": True,
                                   "valign": "top"})
        self.header = wb.add_format({**border, "bold": True, "font_color": "#FFFFFF",
                                     "bg_color": "#1F4E79", "align": "center",
                                     "valign": "vcenter", "text_wrap": True})

    def cell(self, number_format: str | None, fill: str | None = None,
             wrap: bool = False) -> Format:
        key = (number_format, fill, wrap)
        if key not in self._cache:
            props: dict[str, Any] = dict(self._border)
            if number_format:
                props["num_format"] = number_format
            if fill:
                props["bg_color"] = f"#{fill}"
            if wrap:
                props["text_wrap"] = True
            self._cache[key] = self._wb.add_format(props)
        return self._cache[key]


def _plain(value: Any) -> Any:
    """A cell value as a plain Python object; None for missing values."""
    if value is None or (not isinstance(value, str) and pd.isna(value)):
        return None
    return value.item() if hasattr(value, "item") else value


def put(ws: Worksheet, row: int, col: int, value: Any, fmt: Format) -> None:
    """Write one bordered table value (0-based row/col); text is never a formula."""
    value = _plain(value)
    if value is None or value == "":
        ws.write_blank(row, col, None, fmt)
    elif isinstance(value, str):
        ws.write_string(row, col, printable(value), fmt)
    elif isinstance(value, bool):
        ws.write_boolean(row, col, value, fmt)
    elif isinstance(value, (dt.date, dt.datetime)):
        ws.write_datetime(row, col, value, fmt)
    elif isinstance(value, (int, float)) and math.isfinite(value):
        ws.write_number(row, col, value, fmt)
    else:
        ws.write_string(row, col, printable(str(value)), fmt)


def _header_text(text: str) -> str:
    """Text for a print header/footer: '&' starts a control code there, so it is doubled."""
    return text.replace("&", "&&")


def _width(frame: pd.DataFrame, header: str, field: str) -> int:
    """Column width in characters: the longest header word or value shown, at most 70."""
    width = max(len(w) for w in header.split()) + 2
    if field in frame and len(frame):
        shown = _lengths(frame[field])
        width = max(width, min(int(shown.max()) + 2, 70))
    return width


def _lengths(values: pd.Series) -> pd.Series:
    """Characters each value shows (0 when missing; a date shows as dd/mm/yyyy)."""
    if pd.api.types.is_datetime64_any_dtype(values) or (
            values.dtype == object and values.map(type).isin([dt.date, dt.datetime]).any()):
        return values.notna().astype(int) * 10
    if pd.api.types.is_numeric_dtype(values):
        return values.astype(str).str.len().where(values.notna(), 0)
    return values.astype("string").str.len().fillna(0).astype(int)


def _lines(chars: int, width: int) -> int:
    """Lines a text of `chars` characters takes in a wrapped cell `width` characters wide."""
    return max(1, math.ceil(chars / max(width - 2, 1)))


def _row_heights(ws: Worksheet, frame: pd.DataFrame, wrapped: list[tuple[str, int]],
                 first: int) -> None:
    """Tall enough rows for wrapped texts (spreadsheet programs keep the stored default
    height of rows written by XlsxWriter, so wrapped lines would overlap the next row)."""
    if not wrapped or frame.empty:
        return
    lines = pd.concat([(-(-_lengths(frame[field]) // max(width - 2, 1))).rename(field)
                       for field, width in wrapped], axis=1).max(axis=1)
    for r, n in enumerate(lines.tolist(), start=first):
        if n > 1:
            ws.set_row(r, LINE_HEIGHT * n)


def _write_column(ws: Worksheet, fmt: Formats, first: int, col: int, values: list,
                  number_format: str | None, wrap: bool, tier: bool) -> None:
    """One column's cells; numbers and plain texts take a short path (most of the cells),
    anything else goes through `put`."""
    plain = fmt.cell(number_format, None, wrap)
    write_number, write_string, write_blank = ws.write_number, ws.write_string, ws.write_blank
    for r, value in enumerate(values, start=first):
        kind = type(value)
        if kind is float:
            if value == value and math.isfinite(value):
                write_number(r, col, value, plain)
            else:
                write_blank(r, col, None, plain)
        elif kind is str:
            if not value:
                write_blank(r, col, None, plain)
            elif tier and value in TIER_FILLS:
                write_string(r, col, printable(value), fmt.cell(number_format,
                                                                TIER_FILLS[value], wrap))
            else:
                write_string(r, col, printable(value), plain)
        elif value is None:
            write_blank(r, col, None, plain)
        else:
            put(ws, r, col, value, plain)


def table_sheet(wb: xlsxwriter.Workbook, fmt: Formats, title: str, heading: str, note: str,
                frame: pd.DataFrame, columns: list[Column]) -> Worksheet:
    """`table` on one sheet, or on several ("… (2)", "… (3)") when the rows exceed what a
    sheet can hold (a national-scale round's points), so that no row is silently lost."""
    per_sheet = MAX_ROWS - HEADER_ROW
    if len(frame) <= per_sheet:
        return table(wb, fmt, title, heading, note, frame, columns)
    parts = range(0, len(frame), per_sheet)
    sheets = [table(wb, fmt, title if k == 0 else f"{title[:25]} ({k + 1})", heading, note,
                    frame.iloc[start:start + per_sheet], columns)
              for k, start in enumerate(parts)]
    return sheets[0]


def table(wb: xlsxwriter.Workbook, fmt: Formats, title: str, heading: str, note: str,
          frame: pd.DataFrame, columns: list[Column]) -> Worksheet:
    """A sheet with a title, a note, a bold frozen header row, fitted widths and a print
    layout (A4, one page wide, header row repeated, title and page numbers)."""
    ws = wb.add_worksheet(title[:31])
    head = HEADER_ROW - 1
    widths = [_width(frame, header, field) for header, field, _ in columns]
    wrap = [w > MAX_WIDTH for w in widths]  # long texts wrap inside a capped column
    shown = [min(w, MAX_WIDTH) for w in widths]
    ws.write_string(0, 0, heading, fmt.title)
    # The note wraps over the table's width: text spilling to the right would widen the
    # printed area (and shrink every page to fit it).
    if len(columns) > 1:
        ws.merge_range(1, 0, 1, len(columns) - 1, note, fmt.note)
    else:
        ws.write_string(1, 0, note, fmt.note)
    ws.set_row(1, LINE_HEIGHT * _lines(len(note), sum(shown)))
    for c, (header, _, _) in enumerate(columns):
        ws.write_string(head, c, header, fmt.header)
        ws.set_column(c, c, shown[c])
    ws.set_row(head, LINE_HEIGHT * max(_lines(len(h), w) for (h, _, _), w in zip(columns, shown)))
    for c, (_, field, number_format) in enumerate(columns):  # column by column: one
        values = frame[field].tolist() if field in frame else [None] * len(frame)  # kind each
        _write_column(ws, fmt, head + 1, c, values, number_format, wrap[c], field == "tier")
    _row_heights(ws, frame, [(f, w) for (_, f, _), w, wraps in zip(columns, shown, wrap)
                             if wraps], head + 1)
    ws.freeze_panes(HEADER_ROW, 0)
    if len(frame):
        ws.autofilter(head, 0, head + len(frame), len(columns) - 1)
    _print_layout(ws, heading, sum(shown), fmt.footer)
    return ws


def _print_layout(ws: Worksheet, heading: str, width: int,
                  footer: str = "Kết quả đánh giá") -> None:
    ws.set_paper(9)  # A4
    if width > PORTRAIT_WIDTH:
        ws.set_landscape()
    ws.fit_to_pages(1, 0)  # one page wide, as many pages tall as needed
    ws.repeat_rows(HEADER_ROW - 1)
    ws.set_margins(left=0.4, right=0.4, top=0.75, bottom=0.6)
    ws.set_header(f'&L&"-,Bold"{_header_text(heading)}', {"margin": 0.3})
    ws.set_footer(f"&L{_header_text(footer)}&RTrang &P/&N", {"margin": 0.3})


def _note(result: RoundResult) -> str:
    rnd = result.round
    note = (f"{rnd.rubric.title}. Hạn nộp {rnd.deadline:%d/%m/%Y}. "
            f"Xếp loại — {rnd.rubric.tier_text()}.")
    return f"{note} {SYNTHETIC_NOTE}" if rnd.synthetic else note


def _ranking_columns(result: RoundResult) -> list[Column]:
    criteria = [(f"{c.code} {c.short} (%)", c.code, "0.00") for c in result.round.rubric.criteria]
    return [("Hạng", "rank", "0"), ("Mã đơn vị", "unit_id", None),
            ("Tên đơn vị", "name", None), ("Điểm", "score", "0.00"),
            ("Xếp loại", "tier", None), *criteria, ("Điểm đạt", "earned", "0.00"),
            ("Điểm tối đa áp dụng", "applicable_max", "0.00"),
            ("Điểm tự đánh giá", "self_score", "0.00"), ("Xếp loại tự đánh giá", "self_tier", None),
            ("Hạng tự đánh giá", "self_rank", "0"),
            ("Chênh lệch sau kiểm tra", "score_gap", "0.00")]


def results_workbook_bytes(result: RoundResult) -> bytes:
    """The Excel results of a round as .xlsx bytes (same result → same bytes)."""
    buffer = io.BytesIO()
    wb = xlsxwriter.Workbook(buffer, {"in_memory": True, "strings_to_formulas": False,
                                      "strings_to_urls": False, "strings_to_numbers": False})
    what = assessment_name(result)
    wb.set_properties({"title": f"Kết quả đánh giá {what} năm {result.year}",
                       "author": "cntt_analysis", "created": FIXED_DATE})
    _fill(wb, Formats(wb, f"Kết quả đánh giá {what}"), result)
    wb.close()
    return buffer.getvalue()


def assessment_name(result: RoundResult) -> str:
    """What the assessment is called in titles (e.g. "CĐS"): the organisation's
    department.yaml beside the round's folder (``facts.organisation``)."""
    from cntt_analysis.report.facts import load_particulars, organisation_of

    raw = result.round.folder.parent
    return organisation_of(load_particulars(raw, result.year), result.year).assessment_short


def _fill(wb: xlsxwriter.Workbook, fmt: Formats, result: RoundResult) -> None:
    note, year = _note(result), result.year
    what = assessment_name(result).upper()
    for group, label in result.round.rubric.groups.items():
        part = result.scores[result.scores["group"] == group]
        short = lower_first(result.round.rubric.group_label(group, True))
        table_sheet(wb, fmt, f"Xếp hạng {short}",
                    f"KẾT QUẢ ĐÁNH GIÁ {what} NĂM {year} — {label.upper()}", note,
                    part, _ranking_columns(result))
    labels = {i.code: i.label for i in result.round.rubric.indicators}
    points = result.points.merge(result.registry[["unit_id", "name"]], on="unit_id", how="left")
    points = points.assign(label=points["indicator"].map(labels),
                           status_vi=points["status"].map(POINT_STATUS))
    table_sheet(wb, fmt, "Điểm theo chỉ tiêu", f"ĐIỂM THEO CHỈ TIÊU NĂM {year}", note, points, [
        ("Mã đơn vị", "unit_id", None), ("Tên đơn vị", "name", None),
        ("Tiêu chí", "criterion", None), ("Chỉ tiêu", "indicator", None),
        ("Nội dung", "label", None), ("Điểm", "points", "0.00"),
        ("Tối đa", "max_points", "0.00"), ("Trạng thái", "status_vi", None),
        ("Tệp", "file", None), ("Ô nguồn", "sources", None)])
    issues = result.issues.assign(severity_vi=result.issues["severity"].map(SEVERITY_LABELS),
                                  value=result.issues["value"].map(plain_value))
    table_sheet(wb, fmt, "Vấn đề dữ liệu", f"CÁC VẤN ĐỀ VỀ SỐ LIỆU NĂM {year}", note, issues, [
        ("Mức độ", "severity_vi", None), ("Mã vấn đề", "code", None),
        ("Mã đơn vị", "unit_id", None), ("Tệp", "file", None), ("Trang", "sheet", None),
        ("Ô", "cell", None), ("Giá trị", "value", None), ("Nội dung", "message", None)])
    register = result.register.assign(
        group_vi=result.register["group"].map(result.round.rubric.groups),
        date=result.register["report_date"].dt.date)
    table_sheet(wb, fmt, "Tình hình nộp báo cáo", f"TÌNH HÌNH NỘP BÁO CÁO NĂM {year}", note,
                register, [
                    ("Mã đơn vị", "unit_id", None), ("Tên đơn vị", "name", None),
                    ("Khối", "group_vi", None), ("Tình trạng", "status", None),
                    ("Tệp", "file", None), ("Ngày lập báo cáo", "date", "dd/mm/yyyy")])
    shortcomings = result.shortcomings.merge(result.registry[["unit_id", "name"]],
                                             on="unit_id", how="left")
    table_sheet(wb, fmt, "Tồn tại, hạn chế", f"TỒN TẠI, HẠN CHẾ CỦA TỪNG ĐƠN VỊ NĂM {year}",
                f"Chỉ tiêu bị mất từ {float(result.round.rubric.shortcoming_min_lost_share):.0%} "
                f"số điểm trở lên. {note}", shortcomings, [
                    ("Mã đơn vị", "unit_id", None), ("Tên đơn vị", "name", None),
                    ("Chỉ tiêu", "indicator", None), ("Nội dung", "label", None),
                    ("Điểm", "points", "0.00"), ("Tối đa", "max_points", "0.00"),
                    ("Điểm bị mất", "lost", "0.00"), ("Hướng khắc phục", "remedy", None)])
    table_sheet(wb, fmt, "Điều chỉnh sau kiểm tra", f"SỐ LIỆU ĐIỀU CHỈNH SAU KIỂM TRA NĂM {year}",
                note, result.corrections, [
                    ("Mã đơn vị", "unit_id", None), ("Tên đơn vị", "name", None),
                    ("Mã mục", "code", None), ("Trang", "sheet", None), ("Ô", "cell", None),
                    ("Đơn vị báo cáo", "reported", None), ("Số liệu kiểm tra", "verified", None),
                    ("Chỉ tiêu liên quan", "indicators", None),
                    ("Điểm trước", "points_before", "0.00"), ("Điểm sau", "points_after", "0.00"),
                    ("Lý do", "reason", None), ("Người kiểm tra", "inspector", None),
                    ("Giải trình của đơn vị", "explanation", None)])


def write_results_workbook(result: RoundResult, path: str | Path) -> Path:
    return write_bytes(results_workbook_bytes(result), path)


def workbook_name(year: int) -> str:
    return f"ket-qua-{year}.xlsx"


def round_workbook(result: RoundResult, folder: Path) -> Path:
    """The round's Excel results in its processed folder (a `write_round` writer)."""
    return write_results_workbook(result, Path(folder) / workbook_name(result.year))
