"""Unit templates written to disk and read back with openpyxl: hidden metadata, cell map,
dropdowns, protection, prefilled unit, and a full round trip through scoring."""

from __future__ import annotations

from pathlib import Path

import pytest
from openpyxl import load_workbook
from openpyxl.utils import range_boundaries

from cntt_analysis.intake.templates import (
    EVIDENCE_HEADER,
    NA_LABEL,
    SIGNATURES,
    TEMPLATE_VERSION,
    YES_NO,
    build_template,
)
from cntt_analysis.rubric.model import Rubric
from cntt_analysis.storage import write_workbook

UNIT_ID = "H_TANPHUOC"
UNIT_NAME = "Phòng Tài nguyên và Môi trường huyện Tân Phước"


@pytest.fixture
def template(tmp_path: Path, rubric: Rubric):
    """The template of one unit, written with write_workbook and opened with openpyxl."""
    path = write_workbook(build_template(rubric, 2017, UNIT_ID, UNIT_NAME),
                          tmp_path / f"{UNIT_ID}.xlsx")
    return load_workbook(path)


def _list_values(wb, formula: str) -> list[str]:
    """The labels a list validation offers, e.g. from ``'_lists'!$B$2:$B$5``."""
    sheet, _, ref = formula.partition("!")
    ws = wb[sheet.strip("'")]
    min_col, min_row, max_col, max_row = range_boundaries(ref.replace("$", ""))
    return [ws.cell(row=r, column=c).value for r in range(min_row, max_row + 1)
            for c in range(min_col, max_col + 1)]


def _validation_for(ws, address: str):
    found = [dv for dv in ws.data_validations.dataValidation if address in dv.sqref]
    assert len(found) == 1, f"{ws.title}!{address}: {len(found)} validations"
    return found[0]


def test_meta_sheet_is_very_hidden_with_keys_in_column_a(template, rubric):
    ws = template["_meta"]
    assert ws.sheet_state == "veryHidden"
    rows = [tuple(r) for r in ws.iter_rows(values_only=True)]
    assert [r[0] for r in rows] == ["unit_id", "year", "rubric", "template_version"]
    meta = {r[0]: r[1] for r in rows}
    assert meta == {"unit_id": UNIT_ID, "year": 2017, "rubric": rubric.id,
                    "template_version": TEMPLATE_VERSION}


def test_cells_sheet_lists_every_rubric_input(template, rubric, cells):
    ws = template["_cells"]
    assert ws.sheet_state == "veryHidden"
    rows = [tuple(r) for r in ws.iter_rows(values_only=True)]
    assert rows[0] == ("code", "sheet", "cell", "evidence")
    body = rows[1:]
    assert len(body) == len(rubric.inputs) == 50  # 12 general + 7 + 7 + 6 + 12 + 6 (C1–C5)
    assert [r[0] for r in body] == list(cells)
    assert set(cells) == set(rubric.inputs)
    for code, sheet, cell, evidence in body:
        assert (sheet, cell) == cells[code]
        # The visible row carries the code in column A and the answer sits in column D;
        # the evidence cell, when asked, is beside it under the evidence header.
        assert template[sheet][f"A{cell[1:]}"].value == code
        assert cell.startswith("D")
        if rubric.inputs[code].evidence:
            assert evidence == f"E{cell[1:]}"
            assert template[sheet]["E4"].value == EVIDENCE_HEADER
        else:
            assert evidence is None


def test_other_sheets_are_visible_answer_sheets_in_rubric_order(template, rubric):
    visible = [ws.title for ws in template.worksheets if ws.sheet_state == "visible"]
    assert visible == ["Hướng dẫn", *rubric.sheets()]
    assert template["_lists"].sheet_state == "veryHidden"
    header = [c.value for c in template[rubric.general_sheet][4]]
    assert header == ["Mã", "Nội dung", "Đơn vị tính", "Trả lời", "Hướng dẫn"]
    header = [c.value for c in template["C1. Văn bản chỉ đạo"][4]]
    assert header == ["Mã", "Nội dung", "Đơn vị tính", "Trả lời", EVIDENCE_HEADER, "Hướng dẫn"]


def test_dropdowns_for_yes_no_and_choice_cells(template, rubric, cells):
    checked = 0
    for code, inp in rubric.inputs.items():
        if inp.type not in ("yes_no", "choice"):
            continue
        sheet, address = cells[code]
        dv = _validation_for(template[sheet], address)
        assert dv.type == "list"
        offered = _list_values(template, dv.formula1)
        if inp.type == "yes_no":
            assert offered == YES_NO == ["Có", "Không"]
        else:
            assert offered == [*inp.choices, *([NA_LABEL] if inp.allow_na else [])]
        checked += 1
    # 8 yes/no (C1.2 C1.3 C1.5 C2.5 C2.6 C2.7 C4.11 C5.5) + 6 choices (C1.1 C2.8 C3.1 C4.6
    # C4.8 C4.9).
    assert checked == 14
    sheet, address = cells["C4.6"]
    assert _list_values(template, _validation_for(template[sheet], address).formula1)[-1] \
        == "Không áp dụng"


def test_count_cells_accept_whole_numbers_only(template, rubric, cells):
    for code, inp in rubric.inputs.items():
        if inp.type == "count":
            sheet, address = cells[code]
            dv = _validation_for(template[sheet], address)
            assert (dv.type, dv.operator) == ("whole", "greaterThanOrEqual")
            assert dv.formula1 == ("1" if code == "G05" else "0")  # G05 staff: min 1


def test_answer_cells_unlocked_and_sheets_protected(template, rubric, cells):
    for code, (sheet, address) in cells.items():
        ws = template[sheet]
        assert ws[address].protection.locked is False, code
        row = address[1:]
        hint = "F" if ws["E4"].value == EVIDENCE_HEADER else "E"
        for column in "ABC" + hint:  # code, label, unit, hint stay locked
            assert ws[f"{column}{row}"].protection.locked is True, f"{code} {column}"
        if hint == "F":  # the evidence cell is open only where evidence is asked
            locked = ws[f"E{row}"].protection.locked
            assert locked is (not rubric.inputs[code].evidence), code
    for name in ["Hướng dẫn", *rubric.sheets()]:
        assert template[name].protection.sheet is True, name


def test_unit_name_and_year_prefilled(template, rubric, cells):
    sheet, address = cells["G01"]
    assert template[sheet][address].value == UNIT_NAME
    sheet, address = cells["G02"]
    assert template[sheet][address].value == 2017
    assert template["Hướng dẫn"]["A3"].value == f"Đơn vị: {UNIT_NAME}"


def test_generic_template_leaves_unit_blank(tmp_path, rubric, cells):
    wb = load_workbook(write_workbook(build_template(rubric, 2017), tmp_path / "blank.xlsx"))
    sheet, address = cells["G01"]
    assert wb[sheet][address].value is None
    assert wb["_meta"]["B1"].value is None


def test_template_bytes_are_reproducible(tmp_path, rubric):
    one = write_workbook(build_template(rubric, 2017, UNIT_ID, UNIT_NAME), tmp_path / "a.xlsx")
    two = write_workbook(build_template(rubric, 2017, UNIT_ID, UNIT_NAME), tmp_path / "b.xlsx")
    assert one.read_bytes() == two.read_bytes()


def test_filled_template_round_trips_through_scoring(make_round, valid_answers, cells):
    rnd = make_round()
    answers = dict(valid_answers)
    # Change a couple of answers and compute their points by hand (rubric-2017.md):
    answers["C3.4"] = 15         # threshold(70%, 35%): 15/20 = 0.75 ≥ 0.7 → 4 (was 2.86)
    answers["C1.6b"] = 1         # ratio: 1/4 × 3 = 0.75 (was 2.25)
    answers["C2.8"] = "Không có"  # choice → 0 (was 1.5)
    path = rnd.add("H_TANPHUOC", answers)
    result = rnd.score()

    # Every answer is read from the cell the template declares.
    got = result.answers.set_index("code")
    for code, (sheet, address) in cells.items():
        assert (got.at[code, "sheet"], got.at[code, "cell"]) == (sheet, address)
        assert got.at[code, "file"] == path.name
    assert got.at["G01", "value"] == UNIT_NAME  # prefilled by the template
    assert got.at["G03", "value"] == "2017-08-01"
    assert set(got["status"]) == {"ok"}

    points = result.points.set_index("indicator")["points"]
    assert points["C3.4"] == 4.0
    assert points["C1.6"] == 0.75
    assert points["C2.8"] == 0.0
    assert points["C2.1"] == 3.6
    # 72.91 + (4 − 2.86) − (2.25 − 0.75) − 1.5 = 71.05
    score = result.scores.set_index("unit_id").loc["H_TANPHUOC"]
    assert score["score"] == pytest.approx(71.05)
    assert score["tier"] == "Khá"
    assert score["rank"] == 1
    assert list(result.issues["code"]) == ["missing"] * 3


def test_blank_template_scores_nothing_and_names_each_required_cell(make_round, rubric,
                                                                     cells):
    rnd = make_round()
    rnd.add("SO_VP", answers={})  # only G01/G02 prefilled
    result = rnd.score()
    own = result.issues[result.issues["unit_id"] == "SO_VP"]
    required = own[own["code"] == "required"]
    expected = {code for code, inp in rubric.inputs.items()
                if inp.required and code not in ("G01", "G02")}
    assert set(zip(required["sheet"], required["cell"])) == {cells[c] for c in expected}
    points = result.points
    assert set(points["status"]) == {"invalid"}
    assert points["points"].sum() == 0
    assert result.scores.loc[0, "score"] == 0
    assert result.scores.loc[0, "tier"] == "Yếu"
    # No report date: counted as sent, with a warning that lateness could not be checked.
    assert "report_date_unknown" in set(own["code"])


def test_every_answer_cell_has_an_active_stop_validation(template, rubric, cells):
    """Excel and LibreOffice refuse “4O” in a count cell only when the error is shown as a
    stop (showErrorMessage was off in template version 1)."""
    expected_type = {"count": "whole", "amount": "decimal", "year": "whole", "date": "date",
                     "yes_no": "list", "choice": "list", "text": "textLength"}
    for code, (sheet, address) in cells.items():
        dv = _validation_for(template[sheet], address)
        inp = rubric.inputs[code]
        assert dv.type == expected_type[inp.type], code
        assert dv.showErrorMessage and dv.showInputMessage, code
        assert dv.errorStyle == "stop", code
        assert dv.errorTitle == "Giá trị không hợp lệ"
        assert dv.error and dv.prompt and dv.promptTitle, code
        assert len(dv.promptTitle) <= 32 and len(dv.prompt) <= 255, code
    sheet, address = cells["G03"]
    dv = _validation_for(template[sheet], address)
    assert (dv.operator, dv.formula1, dv.formula2) == ("between", "42736", "43465")  # 2017–18
    sheet, address = cells["G02"]
    assert _validation_for(template[sheet], address).formula1 == "2017"
    sheet, address = cells["C2.3"]
    assert _validation_for(template[sheet], address).type == "decimal"


def test_sheets_print_on_a4_one_page_wide_with_header_rows(template, rubric):
    for name in ["Hướng dẫn", *rubric.sheets()]:
        ws = template[name]
        assert int(ws.page_setup.paperSize) == 9, name  # A4
        assert ws.sheet_properties.pageSetUpPr.fitToPage, name
        assert (ws.page_setup.fitToWidth, ws.page_setup.fitToHeight) == (1, 0), name
        if name != "Hướng dẫn":
            assert ws.print_title_rows == "$4:$4", name


def test_form_ends_with_place_date_and_signature_block(template, rubric):
    last = template[rubric.sheets()[-1]]
    texts = [c.value for row in last.iter_rows() for c in row if isinstance(c.value, str)]
    tail = texts[texts.index("Người lập biểu"):]
    assert tail == ["Người lập biểu", "Thủ trưởng đơn vị", "(Ký, ghi rõ họ tên)",
                    "(Ký tên, đóng dấu)"]
    assert [t for t, _ in SIGNATURES] == ["Người lập biểu", "Thủ trưởng đơn vị"]
    assert any(t.startswith("……………, ngày") for t in texts)
    for name in rubric.sheets()[:-1]:
        assert not any(c.value == "Thủ trưởng đơn vị" for row in template[name].iter_rows()
                       for c in row), name


def test_reused_rubric_names_its_own_year(tmp_path, rubric):
    wb = load_workbook(write_workbook(build_template(rubric, 2018), tmp_path / "t.xlsx"))
    assert wb["Hướng dẫn"]["A1"].value.endswith("NĂM 2018")
    assert wb["Hướng dẫn"]["A2"].value == (
        "Phiếu đánh giá kết quả ứng dụng công nghệ thông tin năm 2017 "
        "(dùng cho báo cáo năm 2018)")
