"""Unit templates (biểu mẫu báo cáo): one workbook per unit, built from the rubric.

A unit's template asks only what it supplies: the indicators of its group's framework that
apply to it (``applies_to``), without the inputs the appraiser or a system supplies (their
indicator's heading row says where those figures come from). Without a group, a generic
template asks every indicator.

Contract other tools rely on: two very hidden sheets, ``_meta`` (column A keys, column B
values: unit_id, year, rubric, template_version) and ``_cells`` (header ``code, sheet,
cell, evidence``, then one row per answer code; ``evidence`` is the address, on the same
sheet, of the cell where the unit cites its evidence, blank when none is asked).

Answer cells carry active (stop) validations with a Vietnamese message and input hint;
sheets print on A4, one page wide, header row repeated; the last sheet ends with the place,
date and signature block the unit's head signs and stamps on the printed copy.
"""

from __future__ import annotations

import datetime as dt
import math
from collections.abc import Mapping
from dataclasses import dataclass
from pathlib import Path
from typing import Any

from openpyxl import Workbook
from openpyxl.styles import Alignment, Border, Font, PatternFill, Protection, Side
from openpyxl.utils import get_column_letter
from openpyxl.worksheet.datavalidation import DataValidation
from openpyxl.worksheet.worksheet import Worksheet

from cntt_analysis.intake.registry import unit_flags
from cntt_analysis.rubric.model import Indicator, Input, Rubric
from cntt_analysis.storage import put, safe_child, write_workbook

TEMPLATE_VERSION = "2"  # 2: evidence column, active validations, print setup
ANSWER_COLUMN = 4  # D
EVIDENCE_COLUMN = 5  # E, on sheets with inputs that need evidence
HEADER_ROW = 4
EVIDENCE_HEADER = "Tài liệu kiểm chứng (số, ngày văn bản hoặc đường dẫn)"
YES_NO = ["Có", "Không"]
NA_LABEL = "Không áp dụng"
SIGNATURES = (("Người lập biểu", "(Ký, ghi rõ họ tên)"),
              ("Thủ trưởng đơn vị", "(Ký tên, đóng dấu)"))
_PLACE_DATE = "……………, ngày …… tháng …… năm ……"

_THIN = Side(style="thin", color="999999")
_BORDER = Border(left=_THIN, right=_THIN, top=_THIN, bottom=_THIN)
_HEADER_FILL = PatternFill("solid", fgColor="1F4E79")
_ANSWER_FILL = PatternFill("solid", fgColor="FFF2CC")
_GROUP_FILL = PatternFill("solid", fgColor="DDEBF7")
_NO_EVIDENCE_FILL = PatternFill("solid", fgColor="EDEDED")


def sheet_columns(evidence: bool) -> list[tuple[str, float]]:
    """(header, width) of an answer sheet's columns; the evidence column only where asked."""
    columns = [("Mã", 8), ("Nội dung", 52), ("Đơn vị tính", 12), ("Trả lời", 26)]
    if evidence:
        columns.append((EVIDENCE_HEADER, 30))
    return [*columns, ("Hướng dẫn", 36)]


@dataclass(frozen=True)
class Row:
    """One row of a template sheet: an answer (input) or an indicator heading."""

    code: str
    label: str
    unit: str = ""
    hint: str = ""
    input: Input | None = None


def _hint(inp: Input, rubric: Rubric | None) -> str:
    parts = {
        "count": "Số nguyên, không âm",
        "amount": "Số, không âm (dấu phẩy là dấu thập phân)",
        "yes_no": "Chọn Có hoặc Không",
        "choice": "Chọn trong danh sách",
        "date": "Ngày dạng dd/mm/yyyy",
        "year": "Năm dạng yyyy",
        "text": "Bắt buộc" if inp.required else "Không bắt buộc",
    }[inp.type]
    if inp.minimum > 0:
        parts += f", tối thiểu {inp.minimum}"
    if inp.at_most:
        parts += "; không vượt quá " + " + ".join(inp.at_most)
    if inp.allow_na:
        parts += "; được chọn “Không áp dụng”"
    return parts


Flags = Mapping[str, bool]


def _indicators(rubric: Rubric, group: str | None, flags: Flags | None) -> set[str]:
    chosen = rubric.indicators if group is None else rubric.unit_indicators(group, flags)
    return {i.code for i in chosen}


def sheet_rows(rubric: Rubric, group: str | None = None,
               flags: Flags | None = None) -> dict[str, list[Row]]:
    """Rows of every answer sheet, in order: the layout the template and intake share. With
    a group (and the unit's flags), only that unit's indicators; a criterion sheet with none
    of them is left out."""
    rows = {rubric.general_sheet: [Row(i.code, i.label, i.unit, _hint(i, rubric), i)
                                   for i in rubric.general if i.from_unit]}
    chosen = _indicators(rubric, group, flags)
    for crit in rubric.criteria:
        found = [r for ind in crit.indicators if ind.code in chosen
                 for r in _indicator_rows(ind, rubric)]
        if found:
            rows[crit.sheet] = found
    return rows


_SUPPLIED_BY = {"appraiser": "do cơ quan thẩm định cung cấp",
                "system": "lấy từ hệ thống {system}"}


def _indicator_rows(ind: Indicator, rubric: Rubric) -> list[Row]:
    points = f"Tối đa {float(ind.max_points):g} điểm".replace(".", ",")
    asked = [i for i in ind.inputs if i.from_unit]
    if len(ind.inputs) == 1 and asked and asked[0].code == ind.code:
        inp = asked[0]
        return [Row(inp.code, ind.label, inp.unit, f"{_hint(inp, rubric)}. {points}", inp)]
    derived = " và ".join(ind.rule.input_codes())
    heading = f"{points}" + (f"; tự tính từ {derived}" if not ind.inputs else "")
    supplied = [f"{i.label} {_SUPPLIED_BY[i.source].format(system=i.system)}"
                for i in ind.inputs if not i.from_unit]
    if supplied:
        heading += "; đơn vị không điền: " + "; ".join(supplied)
    return [Row(ind.code, ind.label, "", heading),
            *(Row(i.code, f"   {i.label}", i.unit, _hint(i, rubric), i) for i in asked)]


def template_cells(rubric: Rubric, group: str | None = None,
                   flags: Flags | None = None) -> dict[str, tuple[str, str]]:
    """code → (sheet, cell) of every answer cell, as written in ``_cells``."""
    cells = {}
    for sheet, rows in sheet_rows(rubric, group, flags).items():
        for offset, row in enumerate(rows):
            if row.input is not None:
                column = get_column_letter(ANSWER_COLUMN)
                cells[row.code] = (sheet, f"{column}{HEADER_ROW + 1 + offset}")
    return cells


def evidence_cells(rubric: Rubric, group: str | None = None,
                   flags: Flags | None = None) -> dict[str, tuple[str, str]]:
    """code → (sheet, cell) of the evidence cell beside each answer that needs evidence."""
    letter = get_column_letter(EVIDENCE_COLUMN)
    return {code: (sheet, f"{letter}{cell[1:]}")
            for code, (sheet, cell) in template_cells(rubric, group, flags).items()
            if rubric.inputs[code].evidence}


def form_title(rubric: Rubric, year: int) -> str:
    """The form's name as the template shows it: says so when last year's form is reused."""
    if rubric.year is not None and rubric.year != year:
        return f"{rubric.title} (dùng cho báo cáo năm {year})"
    return rubric.title


def build_template(rubric: Rubric, year: int, unit_id: str = "", unit_name: str = "",
                   group: str | None = None, flags: Flags | None = None) -> Workbook:
    """A template workbook for one unit (unit fields may be blank for a generic copy); with
    the unit's `group` and `flags` (flag name → set), only its own indicators."""
    wb = Workbook()
    all_rows = sheet_rows(rubric, group, flags)
    _instructions(wb.active, rubric, year, unit_name, list(all_rows))
    lists = _lists_sheet(wb, rubric)
    titles = {rubric.general_sheet: "THÔNG TIN CHUNG"} | {
        c.sheet: f"Tiêu chí {c.code}: {c.name} (tối đa "
                 f"{float(c.max_for(group) if group else c.max_points):g} điểm)"
        for c in rubric.criteria}
    for sheet, rows in all_rows.items():
        ws = wb.create_sheet(sheet)
        _answer_sheet(ws, titles[sheet], rows, year, unit_name, lists)
    _signature_block(wb[list(all_rows)[-1]])
    general = wb[rubric.general_sheet]
    cells = template_cells(rubric, group, flags)
    evidence = evidence_cells(rubric, group, flags)
    # Unit text is stored as text: a name starting with "=" must not become a formula.
    name_cell = general[cells[rubric.general_codes.unit_name][1]]
    put(general, name_cell.row, name_cell.column, unit_name or None)
    general[cells[rubric.general_codes.year][1]] = year
    _hidden(wb, "_meta", [("unit_id", unit_id), ("year", year), ("rubric", rubric.id),
                          ("template_version", TEMPLATE_VERSION)])
    _hidden(wb, "_cells", [("code", "sheet", "cell", "evidence")]
            + [(code, sheet, cell, evidence.get(code, ("", None))[1])
               for code, (sheet, cell) in cells.items()])
    wb.move_sheet(lists, offset=len(wb.sheetnames))
    return wb


def _instructions(ws: Worksheet, rubric: Rubric, year: int, unit_name: str,
                  sheets: list[str]) -> None:
    ws.title = "Hướng dẫn"
    lines = [
        f"BÁO CÁO KẾT QUẢ ỨNG DỤNG CÔNG NGHỆ THÔNG TIN NĂM {year}",
        form_title(rubric, year),
        f"Đơn vị: {unit_name}" if unit_name
        else f"Đơn vị: (ghi tên đơn vị ở mục {rubric.general_codes.unit_name})",
        "",
        "Cách điền:",
        "1. Chỉ nhập vào các ô màu vàng ở cột “Trả lời”; các ô khác đã được khóa.",
        "2. Với câu hỏi Có/Không và câu hỏi lựa chọn, chọn trong danh sách thả xuống.",
        "3. Số liệu là số của cả năm báo cáo; số thập phân dùng dấu phẩy (ví dụ 12,5). "
        "Giá trị không hợp lệ (ví dụ chữ O thay số 0) sẽ bị từ chối khi nhập.",
        "4. Với mục có cột “Tài liệu kiểm chứng”: khi trả lời “Có”, đã ban hành hoặc đang sử "
        "dụng, ghi loại, số, ký hiệu, ngày và trích yếu văn bản (ví dụ: Kế hoạch số 15/KH-VP "
        "ngày 20/01/" + str(year) + " về chuyển đổi số) hoặc đường dẫn đến hệ thống; nhiều "
        "văn bản thì ghi văn bản chính.",
        "5. Không đổi tên, thêm hoặc xóa các trang, dòng của biểu mẫu.",
        f"6. Ngày lập báo cáo ({rubric.general_codes.report_date}) dùng để xác định thời "
        "hạn nộp.",
        "7. In biểu mẫu đã điền, thủ trưởng đơn vị ký tên, đóng dấu ở trang cuối; gửi bản "
        "giấy và tệp này cho Trung tâm Công nghệ thông tin trước thời hạn.",
        "",
        "Các trang cần điền: " + "; ".join(sheets),
    ]
    for row, text in enumerate(lines, start=1):
        put(ws, row, 1, text).alignment = Alignment(wrap_text=True, vertical="top")
        ws.row_dimensions[row].height = _row_height([text], [("", 80)])
    ws["A1"].font = Font(bold=True, size=14, color="1F4E79")
    ws["A2"].font = Font(italic=True)
    ws["A5"].font = Font(bold=True)
    ws.column_dimensions["A"].width = 80
    ws.row_dimensions[1].height = 22
    _print_setup(ws, landscape=False)
    ws.print_area = f"A1:A{len(lines)}"
    ws.protection.sheet = True


def _print_setup(ws: Worksheet, landscape: bool, title_rows: str | None = None) -> None:
    """A4, one page wide (as many pages tall as needed), header rows on every page."""
    ws.page_setup.paperSize = ws.PAPERSIZE_A4
    ws.page_setup.orientation = "landscape" if landscape else "portrait"
    ws.sheet_properties.pageSetUpPr.fitToPage = True
    ws.page_setup.fitToWidth = 1
    ws.page_setup.fitToHeight = 0
    ws.page_margins.left = ws.page_margins.right = 0.5
    ws.page_margins.top = ws.page_margins.bottom = 0.6
    ws.oddFooter.center.text = "Trang &P / &N"
    if title_rows:
        ws.print_title_rows = title_rows


def _lists_sheet(wb: Workbook, rubric: Rubric) -> Worksheet:
    """Choice lists for the dropdowns (labels may contain commas, so no inline lists)."""
    ws = wb.create_sheet("_lists")
    ws.sheet_state = "veryHidden"
    ws.cell(row=1, column=1, value="yes_no")
    for r, label in enumerate(YES_NO, start=2):
        ws.cell(row=r, column=1, value=label)
    column = 1
    for inp in rubric.inputs.values():
        if inp.type == "choice":
            column += 1
            ws.cell(row=1, column=column, value=inp.code)
            labels = [*inp.choices, *([NA_LABEL] if inp.allow_na else [])]
            for r, label in enumerate(labels, start=2):
                ws.cell(row=r, column=column, value=label)
    return ws


def _list_formula(lists: Worksheet, inp: Input) -> str:
    key = "yes_no" if inp.type == "yes_no" else inp.code
    for col in range(1, lists.max_column + 1):
        if lists.cell(row=1, column=col).value == key:
            letter = get_column_letter(col)
            last = 1 + sum(1 for r in range(2, lists.max_row + 1)
                           if lists.cell(row=r, column=col).value is not None)
            return f"'_lists'!${letter}$2:${letter}${last}"
    raise KeyError(key)


def _answer_sheet(ws: Worksheet, title: str, rows: list[Row], year: int, unit_name: str,
                  lists: Worksheet) -> None:
    put(ws, 1, 1, title)
    ws["A1"].font = Font(bold=True, size=13, color="1F4E79")
    put(ws, 2, 1, f"Năm báo cáo {year}" + (f" — {unit_name}" if unit_name else ""))
    ws["A2"].font = Font(italic=True)
    evidence = any(r.input is not None and r.input.evidence for r in rows)
    columns = sheet_columns(evidence)
    for col, (header, width) in enumerate(columns, start=1):
        cell = ws.cell(row=HEADER_ROW, column=col, value=header)
        cell.font, cell.fill = Font(bold=True, color="FFFFFF"), _HEADER_FILL
        cell.alignment = Alignment(horizontal="center", vertical="center", wrap_text=True)
        cell.border = _BORDER
        ws.column_dimensions[get_column_letter(col)].width = width
    ws.row_dimensions[HEADER_ROW].height = _row_height([h for h, _ in columns], columns)
    validations: dict[str, DataValidation] = {}
    for r, row in enumerate(rows, start=HEADER_ROW + 1):
        values = [row.code, row.label, row.unit, None, *([None] if evidence else []), row.hint]
        for col, value in enumerate(values, start=1):
            cell = put(ws, r, col, value)  # rubric texts: sanitised, never a formula
            cell.border = _BORDER
            cell.alignment = Alignment(vertical="center", wrap_text=col in (2, len(values)))
            if row.input is None:
                cell.fill, cell.font = _GROUP_FILL, Font(bold=True)
        # Room for what the unit writes: the printed copy cannot grow a row (three lines
        # for a citation or a free-text answer).
        room = 3 if row.input is not None and (row.input.evidence or row.input.type == "text") \
            else 1
        ws.row_dimensions[r].height = max(_row_height(values, columns), 14.0 * room + 5)
        if row.input is not None:
            _answer_cell(ws.cell(row=r, column=ANSWER_COLUMN), row.input, year, validations,
                         lists)
        if evidence and row.input is not None:
            _evidence_cell(ws.cell(row=r, column=EVIDENCE_COLUMN), row.input, validations)
    for dv in validations.values():
        ws.add_data_validation(dv)
    ws.freeze_panes = ws.cell(row=HEADER_ROW + 1, column=1)
    _print_setup(ws, landscape=True, title_rows=f"{HEADER_ROW}:{HEADER_ROW}")
    ws.protection.sheet = True


def _row_height(values: list[Any], columns: list[tuple[str, float]]) -> float:
    """Points for a row whose wrapped texts fit: LibreOffice keeps an xlsx row's stored
    height, so long labels would otherwise overflow into the next row when printed."""
    lines = max(math.ceil(len(str(v)) / max(width - 2, 1)) if v else 1
                for v, (_, width) in zip(values, columns))
    return 14.0 * max(lines, 1) + 5


def _signature_block(ws: Worksheet) -> None:
    """Place and date, then who prepared the form and the head of the unit (signs, stamps)."""
    width = ws.max_column
    top = ws.max_row + 2
    right = max(ANSWER_COLUMN, width - 1)
    ws.merge_cells(start_row=top, start_column=right, end_row=top, end_column=width)
    place = ws.cell(row=top, column=right, value=_PLACE_DATE)
    place.font, place.alignment = Font(italic=True), Alignment(horizontal="center")
    for (title, note), col, end in zip(SIGNATURES, (2, right), (2, width)):
        for offset, (text, font) in enumerate(((title, Font(bold=True)),
                                               (note, Font(italic=True)))):
            if end > col:
                ws.merge_cells(start_row=top + 1 + offset, start_column=col,
                               end_row=top + 1 + offset, end_column=end)
            cell = ws.cell(row=top + 1 + offset, column=col, value=text)
            cell.font, cell.alignment = font, Alignment(horizontal="center")
    ws.print_area = f"A1:{get_column_letter(width)}{top + 7}"


_TYPE_RULES = {  # type → (validation type, error message)
    "count": ("whole", "Nhập một số nguyên không âm, chỉ gồm chữ số (ví dụ 40)."),
    "amount": ("decimal", "Nhập một số không âm (ví dụ 12,5), không kèm chữ hay đơn vị."),
    "year": ("whole", "Nhập năm báo cáo dạng yyyy."),
    "date": ("date", "Nhập ngày dạng dd/mm/yyyy (ví dụ 01/08/{year})."),
    "yes_no": ("list", "Chọn Có hoặc Không trong danh sách thả xuống."),
    "choice": ("list", "Chọn một giá trị trong danh sách thả xuống."),
    "text": ("textLength", "Nội dung quá dài (tối đa 1000 ký tự)."),
}
ERROR_TITLE = "Giá trị không hợp lệ"
PROMPT_TITLES = {"count": "Số nguyên", "amount": "Số", "year": "Năm", "date": "Ngày",
                 "yes_no": "Có hoặc Không", "choice": "Chọn trong danh sách",
                 "text": "Nội dung"}


def _excel_serial(day: dt.date) -> int:
    return (day - dt.date(1899, 12, 30)).days


def answer_validation(inp: Input, year: int, lists: Worksheet) -> DataValidation:
    """The active (stop) validation of one answer cell, with its input hint."""
    kind, error = _TYPE_RULES[inp.type]
    limits: dict[str, str] = {}
    if inp.type in ("count", "amount"):
        minimum = inp.minimum if inp.type == "amount" else math.ceil(inp.minimum)
        limits = {"operator": "greaterThanOrEqual", "formula1": f"{float(minimum):g}"}
        if inp.minimum > 0:
            error += f" Tối thiểu {float(inp.minimum):g}."
    elif inp.type == "year":
        limits = {"operator": "equal", "formula1": str(year)}
        error = f"Năm báo cáo là {year}."
    elif inp.type == "date":
        limits = {"operator": "between",
                  "formula1": str(_excel_serial(dt.date(year, 1, 1))),
                  "formula2": str(_excel_serial(dt.date(year + 1, 12, 31)))}
        error = error.format(year=year) + f" Ngày trong năm {year} hoặc {year + 1}."
    elif inp.type in ("yes_no", "choice"):
        limits = {"formula1": _list_formula(lists, inp)}
    else:
        limits = {"operator": "lessThanOrEqual", "formula1": "1000"}
    return DataValidation(
        type=kind, allow_blank=True, showErrorMessage=True, showInputMessage=True,
        errorStyle="stop", errorTitle=ERROR_TITLE, error=error[:255],
        promptTitle=PROMPT_TITLES[inp.type], prompt=_hint(inp, None)[:255], **limits)


def _answer_cell(cell: Any, inp: Input, year: int, validations: dict[str, DataValidation],
                 lists: Worksheet) -> None:
    cell.fill, cell.protection = _ANSWER_FILL, Protection(locked=False)
    if inp.type == "date":
        cell.number_format = "dd/mm/yyyy"
    if inp.type in ("yes_no", "choice", "text"):
        cell.alignment = Alignment(vertical="center", wrap_text=True)
    dv = answer_validation(inp, year, lists)
    key = str((dv.type, dv.operator, dv.formula1, dv.formula2, dv.error, dv.prompt))
    validations.setdefault(key, dv).add(cell)


def _evidence_cell(cell: Any, inp: Input, validations: dict[str, DataValidation]) -> None:
    if not inp.evidence:
        cell.fill = _NO_EVIDENCE_FILL
        return
    cell.fill, cell.protection = _ANSWER_FILL, Protection(locked=False)
    cell.alignment = Alignment(vertical="center", wrap_text=True)
    cell.number_format = "@"  # text: "15/KH-VP" must not turn into a date or a fraction
    if "evidence" not in validations:
        validations["evidence"] = DataValidation(
            type="textLength", operator="lessThanOrEqual", formula1="500", allow_blank=True,
            showErrorMessage=True, showInputMessage=True, errorStyle="stop",
            errorTitle=ERROR_TITLE, error="Ghi ngắn gọn, tối đa 500 ký tự.",
            promptTitle="Tài liệu kiểm chứng",
            prompt="Khi trả lời Có/đã ban hành/đang sử dụng: ghi số, ký hiệu, ngày và trích "
                   "yếu văn bản (ví dụ: Kế hoạch số 15/KH-VP ngày 20/01/2025 về "
                   "chuyển đổi số) hoặc đường dẫn đến hệ thống.")
    validations["evidence"].add(cell)


def _hidden(wb: Workbook, title: str, rows: list[tuple[Any, ...]]) -> None:
    ws = wb.create_sheet(title)
    ws.sheet_state = "veryHidden"
    for r, row in enumerate(rows, start=1):
        for c, value in enumerate(row, start=1):
            put(ws, r, c, value)


def write_templates(rubric: Rubric, registry: Any, year: int, out_dir: str | Path,
                    unit_id: str | None = None) -> list[Path]:
    """Write ``UNIT_ID.xlsx`` for every registered unit (or just `unit_id`), each asking the
    unit's own indicators (its group, and the registry's flag columns `applies_to` reads)."""
    units = registry if unit_id is None else registry[registry["unit_id"] == unit_id]
    flags = unit_flags(registry, [name for _, name in rubric.unit_flags])
    out = Path(out_dir)
    paths = []
    for unit in units.itertuples(index=False):
        path = safe_child(out, f"{unit.unit_id}.xlsx")
        mine = {name: f[unit.unit_id] for name, f in flags.items()}
        group = unit.group if unit.group in rubric.groups else None
        write_workbook(build_template(rubric, year, unit.unit_id, unit.name, group, mine),
                       path)
        paths.append(path)
    return paths
