"""Unit templates (biểu mẫu báo cáo): one workbook per unit, built from the rubric.

Contract other tools rely on: two very hidden sheets, ``_meta`` (column A keys, column B
values: unit_id, year, rubric, template_version) and ``_cells`` (header ``code, sheet,
cell``, then one row per answer code).
"""

from __future__ import annotations

from dataclasses import dataclass
from pathlib import Path

from openpyxl import Workbook
from openpyxl.styles import Alignment, Border, Font, PatternFill, Protection, Side
from openpyxl.utils import get_column_letter
from openpyxl.worksheet.datavalidation import DataValidation
from openpyxl.worksheet.worksheet import Worksheet

from cntt_analysis.rubric.model import Indicator, Input, Rubric
from cntt_analysis.storage import put, safe_child, write_workbook

TEMPLATE_VERSION = "1"
ANSWER_COLUMN = 4  # D
HEADER_ROW = 4
HEADERS = ["Mã", "Nội dung", "Đơn vị tính", "Trả lời", "Hướng dẫn"]
WIDTHS = [9, 62, 14, 30, 44]
YES_NO = ["Có", "Không"]
NA_LABEL = "Không áp dụng"

_THIN = Side(style="thin", color="999999")
_BORDER = Border(left=_THIN, right=_THIN, top=_THIN, bottom=_THIN)
_HEADER_FILL = PatternFill("solid", fgColor="1F4E79")
_ANSWER_FILL = PatternFill("solid", fgColor="FFF2CC")
_GROUP_FILL = PatternFill("solid", fgColor="DDEBF7")


@dataclass(frozen=True)
class Row:
    """One row of a template sheet: an answer (input) or an indicator heading."""

    code: str
    label: str
    unit: str = ""
    hint: str = ""
    input: Input | None = None


def _hint(inp: Input, rubric: Rubric) -> str:
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


def sheet_rows(rubric: Rubric) -> dict[str, list[Row]]:
    """Rows of every answer sheet, in order: the layout the template and intake share."""
    rows = {rubric.general_sheet: [Row(i.code, i.label, i.unit, _hint(i, rubric), i)
                                   for i in rubric.general]}
    for crit in rubric.criteria:
        rows[crit.sheet] = [r for ind in crit.indicators for r in _indicator_rows(ind, rubric)]
    return rows


def _indicator_rows(ind: Indicator, rubric: Rubric) -> list[Row]:
    points = f"Tối đa {float(ind.max_points):g} điểm".replace(".", ",")
    if len(ind.inputs) == 1 and ind.inputs[0].code == ind.code:
        inp = ind.inputs[0]
        return [Row(inp.code, ind.label, inp.unit, f"{_hint(inp, rubric)}. {points}", inp)]
    derived = " và ".join(ind.rule.input_codes())
    heading = f"{points}" + (f"; tự tính từ {derived}" if not ind.inputs else "")
    return [Row(ind.code, ind.label, "", heading),
            *(Row(i.code, f"   {i.label}", i.unit, _hint(i, rubric), i) for i in ind.inputs)]


def template_cells(rubric: Rubric) -> dict[str, tuple[str, str]]:
    """code → (sheet, cell) of every answer cell, as written in ``_cells``."""
    cells = {}
    for sheet, rows in sheet_rows(rubric).items():
        for offset, row in enumerate(rows):
            if row.input is not None:
                column = get_column_letter(ANSWER_COLUMN)
                cells[row.code] = (sheet, f"{column}{HEADER_ROW + 1 + offset}")
    return cells


def build_template(rubric: Rubric, year: int, unit_id: str = "", unit_name: str = "") -> Workbook:
    """A template workbook for one unit (unit fields may be blank for a generic copy)."""
    wb = Workbook()
    _instructions(wb.active, rubric, year, unit_name)
    lists = _lists_sheet(wb, rubric)
    titles = {rubric.general_sheet: "THÔNG TIN CHUNG"} | {
        c.sheet: f"Tiêu chí {c.code}: {c.name} (tối đa {float(c.max_points):g} điểm)"
        for c in rubric.criteria}
    for sheet, rows in sheet_rows(rubric).items():
        ws = wb.create_sheet(sheet)
        _answer_sheet(ws, titles[sheet], rows, year, unit_name, lists)
    general = wb[rubric.general_sheet]
    cells = template_cells(rubric)
    # Unit text is stored as text: a name starting with "=" must not become a formula.
    g01 = general[cells["G01"][1]]
    put(general, g01.row, g01.column, unit_name or None)
    general[cells["G02"][1]] = year
    _hidden(wb, "_meta", [("unit_id", unit_id), ("year", year), ("rubric", rubric.id),
                          ("template_version", TEMPLATE_VERSION)])
    _hidden(wb, "_cells", [("code", "sheet", "cell")]
            + [(code, sheet, cell) for code, (sheet, cell) in cells.items()])
    wb.move_sheet(lists, offset=len(wb.sheetnames))
    return wb


def _instructions(ws: Worksheet, rubric: Rubric, year: int, unit_name: str) -> None:
    ws.title = "Hướng dẫn"
    lines = [
        f"BÁO CÁO KẾT QUẢ ỨNG DỤNG CÔNG NGHỆ THÔNG TIN NĂM {year}",
        rubric.title,
        f"Đơn vị: {unit_name}" if unit_name else "Đơn vị: (ghi tên đơn vị ở mục G01)",
        "",
        "Cách điền:",
        "1. Chỉ nhập vào các ô màu vàng ở cột “Trả lời”; các ô khác đã được khóa.",
        "2. Với câu hỏi Có/Không và câu hỏi lựa chọn, chọn trong danh sách thả xuống.",
        "3. Số liệu là số của cả năm báo cáo; số thập phân dùng dấu phẩy (ví dụ 12,5).",
        "4. Không đổi tên, thêm hoặc xóa các trang, dòng của biểu mẫu.",
        "5. Ngày lập báo cáo (G03) dùng để xác định thời hạn nộp.",
        "6. Gửi lại tệp này cho Trung tâm Công nghệ thông tin trước thời hạn.",
        "",
        "Các trang cần điền: " + "; ".join(rubric.sheets()),
    ]
    for row, text in enumerate(lines, start=1):
        put(ws, row, 1, text)
    ws["A1"].font = Font(bold=True, size=14, color="1F4E79")
    ws["A2"].font = Font(italic=True)
    ws["A5"].font = Font(bold=True)
    ws.column_dimensions["A"].width = 110
    ws.protection.sheet = True


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
    ws["A1"] = title
    ws["A1"].font = Font(bold=True, size=13, color="1F4E79")
    put(ws, 2, 1, f"Năm báo cáo {year}" + (f" — {unit_name}" if unit_name else ""))
    ws["A2"].font = Font(italic=True)
    for col, (header, width) in enumerate(zip(HEADERS, WIDTHS), start=1):
        cell = ws.cell(row=HEADER_ROW, column=col, value=header)
        cell.font, cell.fill = Font(bold=True, color="FFFFFF"), _HEADER_FILL
        cell.alignment, cell.border = Alignment(horizontal="center", vertical="center"), _BORDER
        ws.column_dimensions[get_column_letter(col)].width = width
    validations: dict[str, DataValidation] = {}
    for r, row in enumerate(rows, start=HEADER_ROW + 1):
        values = [row.code, row.label, row.unit, None, row.hint]
        for col, value in enumerate(values, start=1):
            cell = ws.cell(row=r, column=col, value=value)
            cell.border = _BORDER
            cell.alignment = Alignment(vertical="center", wrap_text=col in (2, 5))
            if row.input is None:
                cell.fill, cell.font = _GROUP_FILL, Font(bold=True)
        if row.input is not None:
            _answer_cell(ws.cell(row=r, column=ANSWER_COLUMN), row.input, validations, lists)
    for dv in validations.values():
        ws.add_data_validation(dv)
    ws.freeze_panes = ws.cell(row=HEADER_ROW + 1, column=1)
    ws.protection.sheet = True


def _answer_cell(cell, inp: Input, validations: dict[str, DataValidation],
                 lists: Worksheet) -> None:
    cell.fill, cell.protection = _ANSWER_FILL, Protection(locked=False)
    if inp.type == "date":
        cell.number_format = "dd/mm/yyyy"
    key = inp.code if inp.type == "choice" else inp.type
    if inp.type in ("yes_no", "choice"):
        dv = validations.get(key) or DataValidation(
            type="list", formula1=_list_formula(lists, inp), allow_blank=True,
            errorStyle="warning", error="Hãy chọn một giá trị trong danh sách.",
            errorTitle="Giá trị không có trong danh sách")
    elif inp.type == "count":
        dv = validations.get(key) or DataValidation(
            type="whole", operator="greaterThanOrEqual", formula1="0", allow_blank=True,
            errorStyle="warning", error="Cần một số nguyên không âm.",
            errorTitle="Số liệu không hợp lệ")
    else:
        return
    dv.add(cell)
    validations[key] = dv


def _hidden(wb: Workbook, title: str, rows: list[tuple]) -> None:
    ws = wb.create_sheet(title)
    ws.sheet_state = "veryHidden"
    for r, row in enumerate(rows, start=1):
        for c, value in enumerate(row, start=1):
            put(ws, r, c, value)


def write_templates(rubric: Rubric, registry, year: int, out_dir: str | Path,
                    unit_id: str | None = None) -> list[Path]:
    """Write ``UNIT_ID.xlsx`` for every registered unit (or just `unit_id`)."""
    units = registry if unit_id is None else registry[registry["unit_id"] == unit_id]
    out = Path(out_dir)
    paths = []
    for unit in units.itertuples(index=False):
        path = safe_child(out, f"{unit.unit_id}.xlsx")
        write_workbook(build_template(rubric, year, unit.unit_id, unit.name), path)
        paths.append(path)
    return paths
