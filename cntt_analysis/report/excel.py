"""The Excel results workbook (ket-qua-YEAR.xlsx) as people read it, rendered from the year's
facts (`facts.YearFacts`): it counts and decides nothing of its own.

Sheets: the summary (what page 1 of the report states), one wide sheet per group (one row
per unit: rank, name, score, tier, change, the criteria, then one column per indicator of
the group's framework), the framework itself, the data issues (what kind first, the code
last), the inspectors' corrections, the points that moved because of other units'
corrections (apart, said as such), shortcomings, required answers left blank and the
register. Every sheet says under its title whether the results are a draft (DỰ THẢO) or
final and whether the round is partial, and prints it in its page header.

The long provenance table (every point of every unit with its source cells) is not here:
it stays in ``points.parquet`` and, for those who want it in Excel, in a CSV Vietnamese
Excel opens as it is (`points_csv_bytes`: ``;`` between fields, decimal comma, UTF-8 BOM).

Written with XlsxWriter (streams XML, formats defined once per workbook). Unit-supplied
text is written with ``write_string`` (never a formula, URL or number) and stripped of
control characters, so a cell typed "=HYPERLINK(...)" stays inert; in the CSV such a text
starts with an apostrophe. Each sheet prints on A4 with its header row repeated (wide
sheets also repeat the unit's rank and name on every page across), a title and page
numbers. Same facts → same bytes (fixed dates).
"""

from __future__ import annotations

import datetime as dt
import functools
import math
import tempfile
import traceback
import zipfile
from collections.abc import Callable, Iterator, Sequence
from pathlib import Path
from typing import TYPE_CHECKING, Any

import numpy as np
import pandas as pd
import xlsxwriter
import xlsxwriter.workbook
from xlsxwriter.format import Format
from xlsxwriter.worksheet import Worksheet

from cntt_analysis.intake.issues import SEVERITY_LABELS
from cntt_analysis.labels import POINT_STATUS, SYNTHETIC_NOTE, TIER_FILLS, lower_first
from cntt_analysis.report import sentences
from cntt_analysis.report.excel_body import BodyColumn, Ordered, TableSheet, plain_cell
from cntt_analysis.report.sentences import plain_value
from cntt_analysis.storage import atomic_file, swapped
from cntt_analysis.text import printable

if TYPE_CHECKING:
    from cntt_analysis.report.facts import YearFacts
    from cntt_analysis.rubric.model import Rubric
    from cntt_analysis.scoring.pipeline import RoundResult

# 1-based, as people (and openpyxl) count rows: title, state, note, the band over groups
# of columns (wide sheets; blank otherwise), header
HEADER_ROW = 5
FIXED_DATE = dt.datetime(2000, 1, 1)
MAX_WIDTH = 40  # wider text wraps inside its column
LINE_HEIGHT = 15  # points per line of text
MAX_ROWS = 1_048_576  # rows a worksheet can hold
PORTRAIT_WIDTH = 120  # sum of column widths (characters) that fits A4 portrait legibly
PAGE_WIDTH = 190  # characters a wide sheet prints across one A4 landscape page (scaled)
NOT_APPLICABLE = "–"
DRAFT_COLOR = "#B71C1C"

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
        self.heading = wb.add_format({"bold": True, "font_size": 11, "font_color": "#1F4E79"})
        self.note = wb.add_format({"italic": True, "font_color": "#595959", "text_wrap": True,
                                   "valign": "top"})
        self.state = wb.add_format({"bold": True, "font_color": DRAFT_COLOR, "text_wrap": True,
                                    "valign": "top"})
        self.text = wb.add_format({"text_wrap": True, "valign": "top"})
        self.header = wb.add_format({**border, "bold": True, "font_color": "#FFFFFF",
                                     "bg_color": "#1F4E79", "align": "center",
                                     "valign": "vcenter", "text_wrap": True})
        self.band = wb.add_format({**border, "bold": True, "font_color": "#1F4E79",
                                   "bg_color": "#DDEBF7", "align": "center",
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


def put(ws: Worksheet, row: int, col: int, value: Any, fmt: Format) -> None:
    """Write one bordered table value (0-based row/col); text is never a formula."""
    value = plain_cell(value)
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


def _shown(frame: pd.DataFrame, rows: np.ndarray | None) -> int:
    """How many rows of `frame` a table shows: all, or the `rows` (positions) given."""
    return len(frame) if rows is None else len(rows)


def _width(frame: pd.DataFrame, header: str, field: str, rows: np.ndarray | None = None
           ) -> int:
    """Column width in characters: the longest header word or value shown (of the `rows`
    shown, positions, when given), at most 70."""
    width = max(len(w) for w in header.split()) + 2
    if field in frame and _shown(frame, rows):
        shown = _lengths(frame[field])
        if rows is not None:
            shown = shown.take(rows)
        width = max(width, min(int(shown.max()) + 2, 70))
    return width


def _lengths(values: pd.Series) -> pd.Series:
    """Characters each value shows (0 when missing; a date shows as dd/mm/yyyy)."""
    if pd.api.types.is_datetime64_any_dtype(values) or (
            values.dtype == object and values.map(type).isin([dt.date, dt.datetime]).any()):
        return values.notna().astype(int) * 10
    if pd.api.types.is_numeric_dtype(values) and not pd.api.types.is_bool_dtype(values):
        return values.astype(str).str.len().where(values.notna(), 0)
    return values.astype("string").str.len().fillna(0).astype(int)


def _lines(chars: int, width: int) -> int:
    """Lines a text of `chars` characters takes in a wrapped cell `width` characters wide."""
    return max(1, math.ceil(chars / max(width - 2, 1)))


def _row_heights(frame: pd.DataFrame, wrapped: list[tuple[str, int]]) -> list[float | None]:
    """Tall enough rows for wrapped texts (spreadsheet programs keep the stored default
    height of rows written by XlsxWriter, so wrapped lines would overlap the next row):
    points per row, None where one line is enough."""
    if not wrapped or frame.empty:
        return []
    lines = pd.concat([(-(-_lengths(frame[field]) // max(width - 2, 1))).rename(field)
                       for field, width in wrapped], axis=1).max(axis=1)
    return [LINE_HEIGHT * n if n > 1 else None for n in lines.tolist()]


# --------------------------------------------------------------------------- the state

def state_lines(facts: YearFacts) -> list[str]:
    """What every sheet says under its title: draft or final, partial, synthetic data."""
    lines = [facts.status_label]
    if (partial := sentences.partial_sentence(facts)) is not None:
        lines.append(partial)
    if facts.synthetic:
        lines.append(SYNTHETIC_NOTE)
    return lines


class Sheets:
    """Writes the sheets of one workbook, each with the year's state and print layout."""

    def __init__(self, wb: xlsxwriter.Workbook, facts: YearFacts, rubric: Rubric):
        self.wb, self.facts, self.rubric = wb, facts, rubric
        self.fmt = Formats(wb)
        self.state = " ".join(state_lines(facts))
        self.mark = "DỰ THẢO" if facts.draft else ""
        self.what = facts.organisation.assessment_short  # "CĐS": titles, footers
        self.footer = f"Kết quả đánh giá {self.what}"

    def _top(self, ws: Worksheet, heading: str, note: str, width: int, columns: int) -> None:
        """Title, the year's state (red while a draft) and the sheet's note, each over the
        table's width (text spilling to the right would widen the printed area)."""
        ws.write_string(0, 0, printable(heading), self.fmt.title)
        for row, text, fmt in ((1, self.state, self.fmt.state if self.facts.draft
                                else self.fmt.note), (2, note, self.fmt.note)):
            if columns > 1:
                ws.merge_range(row, 0, row, columns - 1, printable(text), fmt)
            else:
                ws.write_string(row, 0, printable(text), fmt)
            ws.set_row(row, LINE_HEIGHT * _lines(len(text), width))

    def _print_layout(self, ws: Worksheet, heading: str, width: int,
                      key_columns: int = 0, banded: bool = False, table: bool = True) -> None:
        ws.set_paper(9)  # A4
        if width > PORTRAIT_WIDTH:
            ws.set_landscape()
        # One page wide; a wide sheet goes across a few pages, its key columns repeated.
        across = 1 if not key_columns else max(1, math.ceil(width / PAGE_WIDTH))
        ws.fit_to_pages(across, 0)
        if table:  # the header row (and the band above it) on every page
            ws.repeat_rows(HEADER_ROW - 2 if banded else HEADER_ROW - 1, HEADER_ROW - 1)
        if key_columns:
            ws.repeat_columns(0, key_columns - 1)
        ws.set_margins(left=0.4, right=0.4, top=0.75, bottom=0.6)
        right = f'&R&"-,Bold"&K{DRAFT_COLOR[1:]}{self.mark}' if self.mark else ""
        ws.set_header(f'&L&"-,Bold"{_header_text(heading)}{right}', {"margin": 0.3})
        ws.set_footer(f"&L{_header_text(self.footer)}&RTrang &P/&N", {"margin": 0.3})

    def table(self, title: str, heading: str, note: str, frame: pd.DataFrame,
              columns: list[Column], key_columns: int = 0,
              bands: list[tuple[int, int, str]] | None = None,
              order: np.ndarray | None = None) -> Worksheet:
        """A sheet (or several, "… (2)", when the rows exceed what a sheet holds) with the
        title, the state, a note, an optional band row above the header (`bands`: first and
        last column, text), a bold frozen header row, fitted widths and a print layout.
        `order`: the positions of `frame`'s rows in the order shown (a table sorted for
        the sheet only is shown through them rather than copied sorted)."""
        per_sheet = MAX_ROWS - HEADER_ROW
        count = _shown(frame, order)
        if count <= per_sheet:
            return self._table(title, heading, note, frame, order, columns, key_columns, bands)
        parts = [(frame.iloc[start:start + per_sheet], None) if order is None
                 else (frame, order[start:start + per_sheet])
                 for start in range(0, count, per_sheet)]
        sheets = [self._table(title if k == 0 else f"{title[:25]} ({k + 1})", heading, note,
                              part, rows, columns, key_columns, bands)
                  for k, (part, rows) in enumerate(parts)]
        return sheets[0]

    def _body_column(self, frame: pd.DataFrame, field: str, number_format: str | None,
                     wrap: bool, rows: np.ndarray | None) -> BodyColumn:
        """A column of a table's body (the `rows` shown, positions, when given); the tier
        column fills each tier's cells."""
        values: Sequence[Any] | Ordered = [None] * _shown(frame, rows)
        if field in frame:
            values = frame[field] if rows is None else Ordered(frame[field], rows)
        tiers = None
        if field == "tier":
            def tiers(text: str) -> Format | None:
                fill = TIER_FILLS.get(text)
                return self.fmt.cell(number_format, fill, wrap) if fill else None
        return BodyColumn(values, self.fmt.cell(number_format, None, wrap), tiers)

    def _table(self, title: str, heading: str, note: str, frame: pd.DataFrame,
               rows: np.ndarray | None, columns: list[Column], key_columns: int,
               bands: list[tuple[int, int, str]] | None) -> Worksheet:
        fmt = self.fmt
        ws = self.wb.add_worksheet(title[:31], worksheet_class=TableSheet)
        head = HEADER_ROW - 1
        count = _shown(frame, rows)
        widths = [_width(frame, header, field, rows) for header, field, _ in columns]
        wrap = [w > MAX_WIDTH for w in widths]  # long texts wrap inside a capped column
        shown = [min(w, MAX_WIDTH) for w in widths]
        # The state and the note over what the first printed page shows of the table.
        span = len(columns)
        if key_columns:
            page = sum(shown) / max(1, math.ceil(sum(shown) / PAGE_WIDTH))
            ends = [sum(shown[:c + 1]) for c in range(len(columns))]
            span = max(key_columns, sum(1 for end in ends if end <= page))
        self._top(ws, heading, note, sum(shown[:span]), span)
        if bands:
            lines = 1
            for first, last, text in bands:
                if last > first:
                    ws.merge_range(head - 1, first, head - 1, last, printable(text), fmt.band)
                else:
                    ws.write_string(head - 1, first, printable(text), fmt.band)
                lines = max(lines, _lines(len(text), sum(shown[first:last + 1])))
            ws.set_row(head - 1, LINE_HEIGHT * lines)
        for c, (header, _, _) in enumerate(columns):
            ws.write_string(head, c, printable(header), fmt.header)
            ws.set_column(c, c, shown[c])
        ws.set_row(head, LINE_HEIGHT * max(_lines(max(len(part) for part in h.split("\n")), w)
                                           + h.count("\n") for (h, _, _), w
                                           in zip(columns, shown)))
        heights = _row_heights(frame, [(f, w) for (_, f, _), w, wraps
                                       in zip(columns, shown, wrap) if wraps])
        if rows is not None and heights:
            heights = [heights[i] for i in rows.tolist()]
        ws.set_body(head + 1, [self._body_column(frame, field, number_format, wraps, rows)
                               for (_, field, number_format), wraps in zip(columns, wrap)],
                    heights)
        ws.freeze_panes(HEADER_ROW, key_columns)
        if count:
            ws.autofilter(head, 0, head + count, len(columns) - 1)
        self._print_layout(ws, heading, sum(shown), key_columns, bool(bands))
        return ws


# --------------------------------------------------------------------------- sheets

def _note(facts: YearFacts, rubric: Rubric) -> str:
    return (f"{rubric.title}. Hạn nộp {facts.deadline:%d/%m/%Y}. "
            f"Xếp loại — {rubric.tier_text()}.")


def _summary(sheets: Sheets) -> None:
    """What page 1 of the report states: the key figures, the best and weakest unit of
    each group, the decisions asked of the leaders and the summary in sentences."""
    facts, fmt = sheets.facts, sheets.fmt
    ws = sheets.wb.add_worksheet("Tóm tắt")
    widths = [26, 10, 11, 30, 9, 30, 9, 13]
    for c, width in enumerate(widths):
        ws.set_column(c, c, width)
    last, total = len(widths) - 1, sum(widths)
    heading = f"KẾT QUẢ ĐÁNH GIÁ {sheets.what.upper()} NĂM {facts.year}"
    ws.write_string(0, 0, printable(heading), fmt.title)
    row = 1

    def line(text: str, style: Format) -> None:
        nonlocal row
        ws.merge_range(row, 0, row, last, printable(text), style)
        ws.set_row(row, LINE_HEIGHT * _lines(len(text), total))
        row += 1

    for n, text in enumerate(state_lines(facts)):
        line(text, fmt.state if facts.draft or n else fmt.note)
    line(f"{facts.department}. {_note(facts, sheets.rubric)}", fmt.note)
    row += 1
    ws.write_string(row, 0, "Số liệu chính", fmt.heading)
    row += 1
    mean = facts.mean_score
    figures = [("Đơn vị được chấm điểm", len(facts.scores), "0"),
               ("Nộp đúng hạn", facts.on_time, "0"), ("Nộp muộn", facts.late, "0"),
               ("Chưa nộp", len(facts.not_reported), "0"), ("Điểm bình quân", mean, "0.00")]
    for label, value, number_format in figures:
        put(ws, row, 0, label, fmt.cell(None))
        put(ws, row, 1, value, fmt.cell(number_format))
        row += 1
    row += 1
    ws.write_string(row, 0, "Kết quả theo khối", fmt.heading)
    row += 1
    columns: list[Column] = [
        ("Khối", "label", None), ("Số đơn vị", "units", "0"),
        ("Điểm bình quân", "mean", "0.00"), ("Cao điểm nhất", "best", None),
        ("Điểm", "best_score", "0.00"), ("Thấp điểm nhất", "weakest", None),
        ("Điểm", "weakest_score", "0.00"),
        ("Bình quân thay đổi so với năm trước", "mean_change", "+0.00;-0.00;0.00")]
    for c, (header, _, _) in enumerate(columns):
        ws.write_string(row, c, header, fmt.header)
    ws.set_row(row, LINE_HEIGHT * 3)
    groups = facts.groups[facts.groups["units"] > 0]
    for record in groups.to_dict("records"):
        row += 1
        sizes = [len(str(record.get(f) or "")) for _, f, _ in columns]
        ws.set_row(row, LINE_HEIGHT * max(_lines(n, w) for n, w in zip(sizes, widths)))
        for c, (_, name, shape) in enumerate(columns):
            put(ws, row, c, record.get(name), fmt.cell(shape, wrap=True))
    row += 2
    asked = f"Đề nghị {facts.organisation.leaders}"  # as page 1 heads them
    for title, said in ((asked, [f"– {t}" for t in sentences.decisions(facts)]),
                        ("Kết quả chung", sentences.summary_sentences(facts))):
        ws.write_string(row, 0, printable(title), fmt.heading)
        row += 1
        for text in said:
            line(text, fmt.text)
        row += 1
    sheets._print_layout(ws, heading, PORTRAIT_WIDTH, table=False)


def _group_criteria(rubric: Rubric, group: str) -> list:
    return [c for c in rubric.criteria if any(i.in_group(group) for i in c.indicators)]


def _number(value: Any) -> str:
    return f"{float(value):g}".replace(".", ",")


def _ranking(sheets: Sheets, group: str, label: str, short: str) -> None:
    """One row per unit of the group (best first): rank, name, score, tier, change since
    last year, criteria, then every indicator of the group's framework; the unit's code
    last."""
    facts, rubric = sheets.facts, sheets.rubric
    units = facts.scores[facts.scores["group"] == group].reset_index(drop=True)
    criteria = _group_criteria(rubric, group)
    indicators = [i for c in criteria for i in c.indicators if i.in_group(group)]
    mine = facts.indicator_points[facts.indicator_points["group"] == group]
    shown = mine.assign(value=mine["points"].astype(object).where(
        mine["status"] != "na", NOT_APPLICABLE))
    wide = shown.pivot(index="unit_id", columns="indicator", values="value") \
        if len(shown) else pd.DataFrame(index=pd.Index([], name="unit_id"))
    wide = wide.reindex(index=units["unit_id"], columns=[i.code for i in indicators])
    frame = pd.concat([units, wide.reset_index(drop=True).add_prefix("ind:")], axis=1)
    columns: list[Column] = [
        ("Hạng", "rank", "0"), ("Tên đơn vị", "name", None), ("Điểm", "score", "0.00"),
        ("Xếp loại", "tier", None),
        ("Điểm thay đổi so với năm trước", "score_change", "+0.00;-0.00;0.00"),
        ("Thứ hạng so với năm trước", "movement", None)]
    first = len(columns)
    columns += [(f"{c.code} {c.short}", c.code, "0.00") for c in criteria]
    middle = len(columns)
    columns += [(f"{i.code}\n(tối đa {_number(i.max_points)})", f"ind:{i.code}", "0.00")
                for i in indicators]
    columns.append(("Mã đơn vị", "unit_id", None))
    bands = [(first, middle - 1, "Tỷ lệ điểm đạt theo tiêu chí (%)")]
    at = middle
    for c in criteria:
        count = sum(1 for i in c.indicators if i.in_group(group))
        bands.append((at, at + count - 1, f"{c.code}. {c.short}"))
        at += count
    note = (f"{_note(facts, rubric)} Đơn vị xếp theo hạng; sau các tiêu chí là điểm từng chỉ "
            f"tiêu (nội dung: trang “Khung chỉ tiêu”); “{NOT_APPLICABLE}”: chỉ tiêu không áp "
            "dụng với đơn vị.")
    if units.empty:
        note = f"Chưa có đơn vị nào của {lower_first(label)} được chấm điểm. {note}"
    sheets.table(f"Xếp hạng {lower_first(short)}",
                 f"KẾT QUẢ ĐÁNH GIÁ {sheets.what.upper()} NĂM {facts.year} — {label.upper()}",
                 note,
                 frame, columns, key_columns=2, bands=bands)


def _framework(sheets: Sheets) -> None:
    """The indicators of each group's framework with their maximum points."""
    facts, rubric = sheets.facts, sheets.rubric
    groups = list(facts.groups["group"])
    rows = [{"criterion": f"{c.code}. {c.name}", "indicator": i.code, "label": i.label,
             **{f"max:{g}": float(i.max_points) if i.in_group(g) else NOT_APPLICABLE
                for g in groups}}
            for c in rubric.criteria for i in c.indicators]
    columns: list[Column] = [("Tiêu chí", "criterion", None), ("Chỉ tiêu", "indicator", None),
                             ("Nội dung", "label", None)]
    columns += [(f"Điểm tối đa — {rubric.group_label(g, short=True)}", f"max:{g}", "0.00")
                for g in groups]
    sheets.table("Khung chỉ tiêu", f"KHUNG CHỈ TIÊU ĐÁNH GIÁ NĂM {facts.year}",
                 f"{_note(facts, rubric)} “{NOT_APPLICABLE}”: chỉ tiêu không thuộc khung "
                 "của khối.", pd.DataFrame(rows), columns)


OWNERS = {"unit": "Đơn vị xác minh", "inspection": "Đoàn kiểm tra sửa"}


def _issues(sheets: Sheets) -> None:
    facts = sheets.facts
    issues = facts.issues
    frame = issues.assign(
        kind=issues["code"].map(sentences.issue_kind),
        severity_vi=issues["severity"].map(SEVERITY_LABELS),
        value=issues["value"].map(plain_value), owner_vi=issues["owner"].map(OWNERS),
        _o=issues["severity"].map({"error": 0, "warning": 1}))
    keys = ["_o", "unit", "file", "sheet", "cell"]  # sorted by these, shown through `order`
    order = frame[keys].reset_index(drop=True).sort_values(keys, kind="stable").index
    sheets.table("Vấn đề dữ liệu", f"CÁC VẤN ĐỀ VỀ SỐ LIỆU NĂM {facts.year}",
                 sentences.error_counts_sentence(facts), frame, order=order.to_numpy(),
                 columns=[
                     ("Vấn đề", "kind", None), ("Mức độ", "severity_vi", None),
                     ("Đơn vị", "unit", None), ("Tệp", "file", None),
                     ("Trang", "sheet", None), ("Ô", "cell", None), ("Giá trị", "value", None),
                     ("Nội dung", "message", None), ("Xử lý", "owner_vi", None),
                     ("Mã vấn đề", "code", None)])


def _corrections(sheets: Sheets) -> None:
    facts = sheets.facts
    sheets.table("Điều chỉnh sau kiểm tra", f"SỐ LIỆU ĐIỀU CHỈNH SAU KIỂM TRA NĂM {facts.year}",
                 sentences.corrections_sentence(facts), facts.corrections, [
                     ("Tên đơn vị", "name", None), ("Mục", "code", None),
                     ("Nội dung", "label", None), ("Trang", "sheet", None), ("Ô", "cell", None),
                     ("Đơn vị báo cáo", "reported", None),
                     ("Số liệu kiểm tra", "verified", None),
                     ("Chỉ tiêu liên quan", "indicators", None),
                     ("Điểm trước", "points_before", "0.00"),
                     ("Điểm sau", "points_after", "0.00"), ("Lý do", "reason", None),
                     ("Người kiểm tra", "inspector", None),
                     ("Giải trình của đơn vị", "explanation", None),
                     ("Mã đơn vị", "unit_id", None)])
    note = sentences.knock_on_sentence(facts) or (
        "Không có điểm nào của đơn vị khác thay đổi do điều chỉnh số liệu.")
    sheets.table("Điểm đổi do đơn vị khác",
                 f"ĐIỂM THAY ĐỔI DO ĐIỀU CHỈNH SỐ LIỆU CỦA ĐƠN VỊ KHÁC NĂM {facts.year}",
                 note, facts.knock_on, [
                     ("Tên đơn vị", "name", None), ("Chỉ tiêu", "indicators", None),
                     ("Điểm trước", "points_before", "0.00"),
                     ("Điểm sau", "points_after", "0.00"),
                     ("Do điều chỉnh số liệu của", "causes", None),
                     ("Mã đơn vị", "unit_id", None)])


def _shortcomings(sheets: Sheets) -> None:
    facts = sheets.facts
    sheets.table("Tồn tại, hạn chế", f"TỒN TẠI, HẠN CHẾ CỦA TỪNG ĐƠN VỊ NĂM {facts.year}",
                 f"Chỉ tiêu bị mất từ {facts.shortcoming_share:.0%} số điểm trở lên (không "
                 "tính chỉ tiêu chưa có số liệu: trang “Mục còn bỏ trống”).",
                 facts.shortcomings, [
                     ("Tên đơn vị", "name", None), ("Chỉ tiêu", "indicator", None),
                     ("Nội dung", "label", None), ("Điểm", "points", "0.00"),
                     ("Tối đa", "max_points", "0.00"), ("Điểm bị mất", "lost", "0.00"),
                     ("Hướng khắc phục", "remedy", None), ("Mã đơn vị", "unit_id", None)])
    sheets.table("Mục còn bỏ trống", f"MỤC BẮT BUỘC ĐƠN VỊ CÒN BỎ TRỐNG NĂM {facts.year}",
                 "Số liệu còn thiếu, không phải tồn tại, hạn chế: đơn vị cần bổ sung; chỉ tiêu "
                 "dùng các mục này được 0 điểm theo phiếu đánh giá.", facts.missing_answers, [
                     ("Tên đơn vị", "name", None), ("Mục", "code", None),
                     ("Nội dung", "label", None), ("Trang", "sheet", None), ("Ô", "cell", None),
                     ("Chỉ tiêu liên quan", "indicators", None),
                     ("Mã đơn vị", "unit_id", None)])


def _register(sheets: Sheets) -> None:
    facts, rubric = sheets.facts, sheets.rubric
    register = facts.register.assign(
        group_vi=facts.register["group"].map(lambda g: rubric.group_label(g)
                                             if isinstance(g, str) else None),
        date=pd.to_datetime(facts.register["report_date"]).dt.date)
    sheets.table("Tình hình nộp báo cáo", f"TÌNH HÌNH NỘP BÁO CÁO NĂM {facts.year}",
                 sentences.register_sentence(facts) or "", register, [
                     ("Tên đơn vị", "name", None), ("Khối", "group_vi", None),
                     ("Tình trạng", "status", None), ("Tệp", "file", None),
                     ("Ngày lập báo cáo", "date", "dd/mm/yyyy"), ("Mã đơn vị", "unit_id", None)])


def results_workbook_bytes(facts: YearFacts, rubric: Rubric) -> bytes:
    """The year's Excel results as .xlsx bytes (`write_results_workbook`)."""
    with tempfile.TemporaryDirectory(prefix="cntt-xlsx-") as folder:
        return write_results_workbook(facts, rubric, Path(folder) / "ket-qua.xlsx").read_bytes()


# The results workbook's parts deflated at level 3, not zlib's default 6 (XlsxWriter offers
# no option; it opens its archive with its module's ZipFile): at 5,000 units the 50.7 MB
# of sheet XML took 0.79 s to deflate (4.4 MB), 0.30 s at 3 (5.2 MB); at 20,000 units
# ~4 s of the command. Any Office program reads either.
WORKBOOK_DEFLATE_LEVEL = 3
_ZIP = functools.partial(zipfile.ZipFile, compresslevel=WORKBOOK_DEFLATE_LEVEL)


def write_results_workbook(facts: YearFacts, rubric: Rubric, path: str | Path) -> Path:
    """The year's Excel results, rendered from its facts (same facts → same bytes), written
    atomically to `path`. Each sheet's XML goes to a temporary file beside it as it is made
    and the archive straight to its file: at 20,000 units the sheets' XML is ~200 MB, and
    held in memory (with the copies zipping it made) it was the peak of `cntt score`."""
    path = Path(path)
    with atomic_file(path) as handle, tempfile.TemporaryDirectory(  # gone too on failure
            prefix=".xlsx-", dir=path.parent) as scratch, \
            swapped(xlsxwriter.workbook, "ZipFile", _ZIP):
        try:
            _render_results(xlsxwriter.Workbook(handle, {
                "in_memory": False, "tmpdir": scratch, "strings_to_formulas": False,
                "strings_to_urls": False, "strings_to_numbers": False}), facts, rubric)
        except BaseException as exc:
            # XlsxWriter's half-written archive lives on in the failed frames; let go of it
            # while its file is open, not later, when its closing would fail on a closed
            # file and Python print that in English on the user's terminal.
            traceback.clear_frames(exc.__traceback__)
            raise
    return path


def _render_results(wb: xlsxwriter.Workbook, facts: YearFacts, rubric: Rubric) -> None:
    wb.set_properties({"title": f"Kết quả đánh giá {facts.organisation.assessment_short} "
                                f"năm {facts.year}",
                       "author": "cntt_analysis", "created": FIXED_DATE})
    sheets = Sheets(wb, facts, rubric)
    _summary(sheets)
    for record in facts.groups.itertuples(index=False):
        _ranking(sheets, record.group, record.label, record.short)
    _framework(sheets)
    _issues(sheets)
    _corrections(sheets)
    _shortcomings(sheets)
    _register(sheets)
    wb.close()


def workbook_name(year: int) -> str:
    return f"ket-qua-{year}.xlsx"


# --------------------------------------------------------------------------- points CSV

def points_csv_name(year: int) -> str:
    return f"diem-chi-tieu-{year}.csv"


FORMULA_STARTS = ("=", "+", "-", "@", "\t", "\r")


def _csv_text(value: Any) -> str:
    """A text field: quoted when it holds the separator, a quote or a line break; one that
    a spreadsheet would read as a formula starts with an apostrophe."""
    if value is None or (not isinstance(value, str) and pd.isna(value)):
        return ""
    text = printable(str(value))
    if text.startswith(FORMULA_STARTS):
        text = "'" + text
    if any(ch in text for ch in ';"\n\r'):
        text = '"' + text.replace('"', '""') + '"'
    return text


def _csv_number(value: Any) -> str:
    if value is None or pd.isna(value):
        return ""
    return f"{float(value):.2f}".rstrip("0").rstrip(".").replace(".", ",")


def _each_distinct(convert: Callable[[Any], str]) -> Callable[[pd.Series], pd.Series]:
    """`convert` applied once per distinct value of a column, not once per row (a round's
    points repeat the same few unit ids, names, groups and labels thousands of times)."""
    def column(values: pd.Series) -> pd.Series:
        codes, distinct = pd.factorize(values, use_na_sentinel=True)
        texts = np.array([*(convert(v) for v in distinct), convert(None)], dtype=object)
        return pd.Series(texts[codes], index=values.index, dtype=object)
    return column


def points_csv_bytes(points: pd.DataFrame, rubric: Rubric, names: dict[str, str]) -> bytes:
    """`write_points_csv`'s bytes."""
    return b"".join(_points_csv_pieces(points, rubric, names))


def write_points_csv(points: pd.DataFrame, rubric: Rubric, names: dict[str, str],
                     path: str | Path) -> Path:
    """Every point of every unit with the cells it was computed from, as a CSV Vietnamese
    Excel opens as it is: ``;`` between fields, decimal comma, UTF-8 with a BOM. Written
    atomically, a piece at a time (at 20,000 units the file is ~160 MB, and its lines,
    text and bytes held at once took ~0.8 GB)."""
    with atomic_file(path) as handle:
        for piece in _points_csv_pieces(points, rubric, names):
            handle.write(piece)
    return Path(path)


CSV_PIECE = 20_000  # rows encoded at a time


def _points_csv_pieces(points: pd.DataFrame, rubric: Rubric, names: dict[str, str]
                       ) -> Iterator[bytes]:
    labels = {i.code: i.label for i in rubric.indicators}
    header = ["Mã đơn vị", "Tên đơn vị", "Khối", "Tiêu chí", "Chỉ tiêu", "Nội dung", "Điểm",
              "Tối đa", "Trạng thái", "Tệp", "Ô nguồn"]
    groups = {g: rubric.group_label(g) for g in rubric.groups}
    text, number = _each_distinct(_csv_text), _each_distinct(_csv_number)

    def columns(part: pd.DataFrame) -> list[pd.Series]:
        return [text(part["unit_id"]), text(part["unit_id"].map(names)),
                text(part["group"].map(groups)), text(part["criterion"]),
                text(part["indicator"]), text(part["indicator"].map(labels)),
                number(part["points"]), number(part["max_points"]),
                text(part["status"].map(POINT_STATUS)), text(part["file"]),
                text(part["sources"])]

    yield ("\ufeff" + ";".join(header) + "\r\n").encode("utf-8")
    # A piece of rows at a time, each column made for the piece only (made whole, a
    # country's eleven columns of texts were ~150 MB at once); joined row by row
    # (Series.str.cat sums object arrays column after column: 0.7 s of 1 s at 5,000 units).
    for start in range(0, len(points), CSV_PIECE):
        part = columns(points.iloc[start:start + CSV_PIECE])
        rows = zip(*(column.tolist() for column in part))
        yield ("".join([";".join(row) + "\r\n" for row in rows])).encode("utf-8")


# --------------------------------------------------------------------------- at scoring

_SCORED: dict[str, Any] = {}


def scored_facts(result: RoundResult, folder: Path) -> YearFacts:
    """The facts of a round just scored, as they stand with its new tables in `folder`
    (the round's folder being written in the processed folder): draft unless the new
    tables are the finalised ones. Computed once for the writers of one round."""
    from cntt_analysis.analysis.results import results_after_scoring
    from cntt_analysis.report.facts import load_particulars, year_facts
    from cntt_analysis.scoring import publication

    key = (id(result), str(folder))
    if _SCORED.get("key") != key:
        processed, raw = Path(folder).parent, result.round.folder.parent
        results = results_after_scoring(result, raw, processed)
        state = publication.status(processed, result.year, folder=Path(folder))
        _SCORED.clear()
        _SCORED.update(key=key, result=result,
                       facts=year_facts(results, result.year,
                                        load_particulars(raw, result.year), state))
    return _SCORED["facts"]


def facts_of_scored(result: RoundResult) -> YearFacts | None:
    """The facts the writers of `result` rendered (None when none did)."""
    return _SCORED["facts"] if _SCORED.get("result") is result else None


def scored_into(processed: Path, year: int) -> YearFacts | None:
    """The facts the writers rendered for the last round scored in this process, when it
    was `year`'s, written into `processed` (None otherwise): the report of that year then
    states them without computing them again, and its workbook is the one just written."""
    result = _SCORED.get("result")
    if result is None or result.year != year:
        return None
    folder = Path(_SCORED["key"][1])
    return _SCORED["facts"] if folder.parent.resolve() == Path(processed).resolve() else None


def forget_scored() -> None:
    """Drop the round (and its facts) kept for the writers: what is scored next counts."""
    _SCORED.clear()


def round_workbook(result: RoundResult, folder: Path) -> Path:
    """The round's Excel results in its processed folder (a `write_round` writer)."""
    facts = scored_facts(result, folder)
    return write_results_workbook(facts, result.round.rubric,
                                  Path(folder) / workbook_name(result.year))


def round_points_csv(result: RoundResult, folder: Path) -> Path:
    """The round's points with their source cells as CSV (a `write_round` writer)."""
    names = dict(zip(result.registry["unit_id"], result.registry["name"]))
    return write_points_csv(result.points, result.round.rubric, names,
                            Path(folder) / points_csv_name(result.year))


ROUND_WRITERS = (round_workbook, round_points_csv)
