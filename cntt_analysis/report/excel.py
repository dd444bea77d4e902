"""The Excel results workbook (ket-qua-YEAR.xlsx) laid out for people: ranking per group,
criterion percentages, points per indicator, data issues and the register.

Unit-supplied text is written as plain strings (never formulas) and stripped of control
characters, so a cell typed "=HYPERLINK(...)" in a submission stays inert.
"""

from __future__ import annotations

from pathlib import Path
from typing import TYPE_CHECKING, Any

import pandas as pd
from openpyxl import Workbook
from openpyxl.cell import Cell
from openpyxl.styles import Alignment, Border, Font, PatternFill, Side
from openpyxl.utils import get_column_letter
from openpyxl.worksheet.worksheet import Worksheet

from cntt_analysis.intake.issues import SEVERITY_LABELS
from cntt_analysis.labels import POINT_STATUS, SYNTHETIC_NOTE, TIER_FILLS, lower_first
from cntt_analysis.storage import put as put_value
from cntt_analysis.storage import write_workbook

if TYPE_CHECKING:
    from cntt_analysis.scoring.pipeline import RoundResult

HEADER_ROW = 4
_HEADER_FILL = PatternFill("solid", fgColor="1F4E79")
_THIN = Side(style="thin", color="BFBFBF")
_BORDER = Border(left=_THIN, right=_THIN, top=_THIN, bottom=_THIN)

# (header, column, number format)
Column = tuple[str, str, str | None]



def put(ws: Worksheet, row: int, col: int, value: Any, fmt: str | None = None) -> Cell:
    """Write one bordered table value (text as text, never a formula)."""
    return put_value(ws, row, col, value, fmt, border=_BORDER)


def table_sheet(wb: Workbook, title: str, heading: str, note: str, frame: pd.DataFrame,
                columns: list[Column]) -> Worksheet:
    """A sheet with a title, a note, a bold frozen header row and fitted widths."""
    ws = wb.create_sheet(title[:31])
    ws.cell(row=1, column=1, value=heading).font = Font(bold=True, size=13, color="1F4E79")
    ws.cell(row=2, column=1, value=note).font = Font(italic=True, color="7F7F7F")
    widths = []
    for c, (header, _, _) in enumerate(columns, start=1):
        cell = put(ws, HEADER_ROW, c, header)
        cell.font, cell.fill = Font(bold=True, color="FFFFFF"), _HEADER_FILL
        cell.alignment = Alignment(horizontal="center", vertical="center", wrap_text=True)
        widths.append(max(len(w) for w in header.split()) + 2)
    for r, record in enumerate(frame.to_dict("records"), start=HEADER_ROW + 1):
        for c, (_, field, fmt) in enumerate(columns, start=1):
            cell = put(ws, r, c, record.get(field), fmt)
            if field == "tier" and record.get(field) in TIER_FILLS:
                cell.fill = PatternFill("solid", fgColor=TIER_FILLS[record[field]])
            shown = len(str(cell.value)) if cell.value is not None else 0
            widths[c - 1] = max(widths[c - 1], min(shown + 2, 70))
    for c, width in enumerate(widths, start=1):
        ws.column_dimensions[get_column_letter(c)].width = width
    ws.freeze_panes = ws.cell(row=HEADER_ROW + 1, column=1)
    if len(frame):
        ws.auto_filter.ref = (f"A{HEADER_ROW}:{get_column_letter(len(columns))}"
                              f"{HEADER_ROW + len(frame)}")
    return ws


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


def build_results_workbook(result: RoundResult) -> Workbook:
    wb = Workbook()
    wb.remove(wb.active)
    note, year = _note(result), result.year
    for group, label in result.round.rubric.groups.items():
        part = result.scores[result.scores["group"] == group]
        table_sheet(wb, f"Xếp hạng {lower_first(result.round.rubric.group_label(group, True))}",
                    f"KẾT QUẢ ĐÁNH GIÁ ỨNG DỤNG CNTT NĂM {year} — {label.upper()}", note,
                    part, _ranking_columns(result))
    labels = {i.code: i.label for i in result.round.rubric.indicators}
    points = result.points.merge(result.registry[["unit_id", "name"]], on="unit_id", how="left")
    points = points.assign(label=points["indicator"].map(labels),
                           status_vi=points["status"].map(POINT_STATUS))
    table_sheet(wb, "Điểm theo chỉ tiêu", f"ĐIỂM THEO CHỈ TIÊU NĂM {year}", note, points, [
        ("Mã đơn vị", "unit_id", None), ("Tên đơn vị", "name", None),
        ("Tiêu chí", "criterion", None), ("Chỉ tiêu", "indicator", None),
        ("Nội dung", "label", None), ("Điểm", "points", "0.00"),
        ("Tối đa", "max_points", "0.00"), ("Trạng thái", "status_vi", None),
        ("Tệp", "file", None), ("Ô nguồn", "sources", None)])
    issues = result.issues.assign(severity_vi=result.issues["severity"].map(SEVERITY_LABELS))
    table_sheet(wb, "Vấn đề dữ liệu", f"CÁC VẤN ĐỀ VỀ SỐ LIỆU NĂM {year}", note, issues, [
        ("Mức độ", "severity_vi", None), ("Mã vấn đề", "code", None),
        ("Mã đơn vị", "unit_id", None), ("Tệp", "file", None), ("Trang", "sheet", None),
        ("Ô", "cell", None), ("Giá trị", "value", None), ("Nội dung", "message", None)])
    register = result.register.assign(
        group_vi=result.register["group"].map(result.round.rubric.groups),
        date=result.register["report_date"].dt.date)
    table_sheet(wb, "Tình hình nộp báo cáo", f"TÌNH HÌNH NỘP BÁO CÁO NĂM {year}", note,
                register, [
                    ("Mã đơn vị", "unit_id", None), ("Tên đơn vị", "name", None),
                    ("Khối", "group_vi", None), ("Tình trạng", "status", None),
                    ("Tệp", "file", None), ("Ngày lập báo cáo", "date", "dd/mm/yyyy")])
    shortcomings = result.shortcomings.merge(result.registry[["unit_id", "name"]],
                                             on="unit_id", how="left")
    table_sheet(wb, "Tồn tại, hạn chế", f"TỒN TẠI, HẠN CHẾ CỦA TỪNG ĐƠN VỊ NĂM {year}",
                f"Chỉ tiêu bị mất từ {float(result.round.rubric.shortcoming_min_lost_share):.0%} "
                f"số điểm trở lên. {note}", shortcomings, [
                    ("Mã đơn vị", "unit_id", None), ("Tên đơn vị", "name", None),
                    ("Chỉ tiêu", "indicator", None), ("Nội dung", "label", None),
                    ("Điểm", "points", "0.00"), ("Tối đa", "max_points", "0.00"),
                    ("Điểm bị mất", "lost", "0.00"), ("Hướng khắc phục", "remedy", None)])
    table_sheet(wb, "Điều chỉnh sau kiểm tra", f"SỐ LIỆU ĐIỀU CHỈNH SAU KIỂM TRA NĂM {year}",
                note, result.corrections, [
                    ("Mã đơn vị", "unit_id", None), ("Tên đơn vị", "name", None),
                    ("Mã mục", "code", None), ("Trang", "sheet", None), ("Ô", "cell", None),
                    ("Đơn vị báo cáo", "reported", None), ("Số liệu kiểm tra", "verified", None),
                    ("Chỉ tiêu liên quan", "indicators", None),
                    ("Điểm trước", "points_before", "0.00"), ("Điểm sau", "points_after", "0.00"),
                    ("Lý do", "reason", None), ("Người kiểm tra", "inspector", None)])
    wb.properties.creator = "cntt_analysis"
    wb.properties.title = f"Kết quả đánh giá ứng dụng CNTT năm {year}"
    return wb


def write_results_workbook(result: RoundResult, path: str | Path) -> Path:
    return write_workbook(build_results_workbook(result), path)


def round_workbook(result: RoundResult, folder: Path) -> Path:
    """The round's Excel results in its processed folder (a `write_round` writer)."""
    return write_results_workbook(result, Path(folder) / f"ket-qua-{result.year}.xlsx")
