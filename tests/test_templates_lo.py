"""Templates as units meet them in LibreOffice (issue 10 §1, issue 8 §3): validations seen
through UNO, hidden sheets and protection after a LibreOffice save, print layout of the PDF,
and templates filled in Calc (one with a typo, evidence beside the claims) read by
``cntt score``. UNO runs in the system Python (python3-uno), as a subprocess."""

from __future__ import annotations

import datetime as dt
import json
import shutil
import subprocess
from pathlib import Path

import pytest
from conftest import UNIT_NAMES, VALID_ANSWERS, YEAR, convert_with_libreoffice
from openpyxl import load_workbook
from system_tools import needs
from typer.testing import CliRunner

from cntt_analysis.cli import app
from cntt_analysis.intake.templates import build_template, evidence_cells, template_cells
from cntt_analysis.intake.workbook import read_submission
from cntt_analysis.rubric.model import load_rubric
from cntt_analysis.storage import write_workbook

SYSTEM_PYTHON = "/usr/bin/python3"
UNO_SCRIPT = Path(__file__).with_name("uno_calc.py")
LO_TYPES = {"count": "WHOLE", "amount": "DECIMAL", "year": "WHOLE", "date": "DATE",
            "yes_no": "LIST", "choice": "LIST", "text": "TEXT_LEN"}
TYPO_UNIT, TYPO = "H_CAILAY", "4O"  # letter O for a zero in C4.3
EVIDENCE = {"C1.1": "15/KH-VP ngày 20/01/2017", "C1.2": "12/QC-VP ngày 01/03/2017",
            "C1.5": "https://stnmt.hoaan.gov.vn/qd-3"}


pytestmark = needs("soffice", "uno")


def run_uno(jobs: list[dict], folder: Path) -> list[dict]:
    spec = folder / "jobs.json"
    spec.write_text(json.dumps(jobs, ensure_ascii=False), encoding="utf-8")
    done = subprocess.run([SYSTEM_PYTHON, str(UNO_SCRIPT), str(spec)], capture_output=True,
                          text=True, timeout=600, check=True)
    return json.loads(done.stdout)


def _typed(value: object) -> object:
    return value.isoformat() if isinstance(value, dt.date) else value


@pytest.fixture(scope="module")
def calc(tmp_path_factory):
    """One LibreOffice session: inspect a template, re-save it, fill four units' templates."""
    rubric = load_rubric("2017")
    folder = tmp_path_factory.mktemp("calc")
    cells, cited = template_cells(rubric), evidence_cells(rubric)
    templates = {u: write_workbook(build_template(rubric, YEAR, u, UNIT_NAMES[u]),
                                   folder / "templates" / f"{u}.xlsx") for u in UNIT_NAMES}
    jobs = [{"action": "inspect", "src": str(templates["SO_VP"]),
             "cells": [list(c) for c in [*cells.values(), *cited.values()]]},
            {"action": "resave", "src": str(templates["SO_VP"]),
             "dst": str(folder / "resaved.xlsx")}]
    filled = {}
    for n, unit in enumerate(UNIT_NAMES):
        answers = {**VALID_ANSWERS, "G05": 20 + n}
        if unit == TYPO_UNIT:
            answers["C4.3"] = TYPO
        values = [[*cells[c], _typed(v)] for c, v in answers.items()]
        values += [[*cited[c], text] for c, text in EVIDENCE.items()]
        filled[unit] = folder / "raw" / str(YEAR) / f"Bao cao {unit}.xlsx"
        filled[unit].parent.mkdir(parents=True, exist_ok=True)
        jobs.append({"action": "fill", "src": str(templates[unit]), "dst": str(filled[unit]),
                     "values": values})
    results = run_uno(jobs, folder)
    return {"rubric": rubric, "folder": folder, "inspect": results[0],
            "resaved": folder / "resaved.xlsx", "filled": filled, "template": templates["SO_VP"]}


def test_libreoffice_sees_active_stop_validations_on_every_answer_cell(calc):
    rubric = calc["rubric"]
    seen = {(c["sheet"], c["cell"]): c for c in calc["inspect"]["cells"]}
    for code, where in template_cells(rubric).items():
        got, inp = seen[where], rubric.inputs[code]
        assert got["type"] == LO_TYPES[inp.type], code
        assert got["show_error"] and got["error_style"] == "STOP", code
        assert got["error_title"] == "Giá trị không hợp lệ", code
        assert got["error_message"] and got["show_input"] and got["input_message"], code
        assert got["locked"] is False, code
        if inp.type == "count":
            assert got["operator"] == "GREATER_EQUAL", code
    g03 = seen[template_cells(rubric)["G03"]]
    assert (g03["operator"], g03["formula1"], g03["formula2"]) == ("BETWEEN", "42736", "43465")
    for code, where in evidence_cells(rubric).items():
        got = seen[where]
        assert (got["type"], got["error_style"], got["locked"]) == ("TEXT_LEN", "STOP", False)
        assert got["input_title"] == "Tài liệu kiểm chứng", code


def test_libreoffice_keeps_hidden_sheets_hidden_and_answer_sheets_protected(calc):
    sheets = calc["inspect"]["sheets"]
    for name in ("_meta", "_cells", "_lists"):
        assert sheets[name]["visible"] is False, name
    for name in ["Hướng dẫn", *calc["rubric"].sheets()]:
        assert sheets[name] == {"visible": True, "protected": True}, name


def test_libreoffice_round_trip_keeps_what_intake_needs(calc):
    wb = load_workbook(calc["resaved"])
    states = {ws.title: ws.sheet_state for ws in wb.worksheets}
    # LibreOffice writes very hidden sheets back as merely hidden: still out of sight.
    assert {states[n] for n in ("_meta", "_cells", "_lists")} <= {"hidden", "veryHidden"}
    for name in calc["rubric"].sheets():
        assert wb[name].protection.sheet is True, name
        assert all(dv.showErrorMessage and dv.errorStyle in (None, "stop")
                   for dv in wb[name].data_validations.dataValidation), name
    sub = read_submission(calc["resaved"], calc["rubric"], YEAR)
    assert sub.readable and sub.meta["unit_id"] == "SO_VP"
    declared = [tuple(r[:4]) for r in wb["_cells"].iter_rows(values_only=True)]
    assert declared[0] == ("code", "sheet", "cell", "evidence")


def test_templates_filled_in_calc_are_scored_and_the_typo_is_named(calc, make_round):
    rnd = make_round()
    for path in calc["filled"].values():
        shutil.copy(path, rnd.folder / path.name)
    result = CliRunner().invoke(app, ["score", "--year", str(YEAR), "--raw", str(rnd.raw),
                                      "--processed", str(rnd.raw.parent / "processed"),
                                      "--quiet"])
    assert result.exit_code == 0, result.output
    scored = rnd.score()
    answers = scored.answers.set_index(["unit_id", "code"])
    assert set(scored.scores["unit_id"]) == set(UNIT_NAMES)
    for n, unit in enumerate(UNIT_NAMES):
        assert answers.at[(unit, "G05"), "number"] == 20 + n
        assert answers.at[(unit, "G03"), "value"] == "2017-08-01"
        assert answers.at[(unit, "C1.1"), "value"] == "Ban hành trước 31/01"
        assert answers.at[(unit, "C1.1"), "evidence"] == EVIDENCE["C1.1"]
        assert answers.at[(unit, "C1.5"), "evidence"] == EVIDENCE["C1.5"]
    typo = scored.issues[scored.issues["code"] == "not_number"]
    sheet, cell = template_cells(calc["rubric"])["C4.3"]
    assert list(zip(typo["unit_id"], typo["sheet"], typo["cell"], typo["value"])) == \
        [(TYPO_UNIT, sheet, cell, TYPO)]
    assert typo.iloc[0]["message"].startswith(
        f"Tệp “Bao cao {TYPO_UNIT}.xlsx”, trang “{sheet}”, ô {cell}")
    # Claims without evidence are warned about; the typed evidence is not.
    warned = scored.issues[scored.issues["code"] == "evidence_missing"]
    cited = evidence_cells(calc["rubric"])
    assert not set(zip(warned["sheet"], warned["cell"])) & {cited[c] for c in EVIDENCE}
    # C1.4 (1 document) and C2.5 (“Có”) cite nothing: one warning per unit each.
    for code in ("C1.4", "C2.5"):
        assert (warned["cell"] == cited[code][1]).sum() == len(UNIT_NAMES), code
    assert (warned["severity"] == "warning").all()


def _pdf_pages(pdf: Path) -> list[str]:
    info = subprocess.run(["pdfinfo", str(pdf)], capture_output=True, text=True, check=True)
    pages = int(next(line.split()[-1] for line in info.stdout.splitlines()
                     if line.startswith("Pages:")))
    return [subprocess.run(["pdftotext", "-layout", "-f", str(n), "-l", str(n), str(pdf), "-"],
                           capture_output=True, text=True, check=True).stdout
            for n in range(1, pages + 1)]


def _page_sizes(pdf: Path) -> list[tuple[float, float]]:
    info = subprocess.run(["pdfinfo", "-f", "1", "-l", "99", str(pdf)], capture_output=True,
                          text=True, check=True).stdout
    return [tuple(float(v) for v in line.split(":", 1)[1].split("pts")[0].split(" x "))
            for line in info.splitlines() if line.startswith("Page") and "size:" in line]


@needs("pdftotext")
def test_printed_template_is_one_page_wide_per_sheet_and_ends_with_signatures(calc):
    pdf = convert_with_libreoffice(calc["template"], "pdf", calc["folder"] / "pdf")
    pages = _pdf_pages(pdf)
    rubric = calc["rubric"]
    # One page per sheet (was 26 pages with columns split across pages).
    assert len(pages) == 1 + len(rubric.sheets())
    sizes = _page_sizes(pdf)
    assert sizes[0] == pytest.approx((595.3, 841.9), abs=1)  # A4 portrait: instructions
    assert all(s == pytest.approx((841.9, 595.3), abs=1) for s in sizes[1:])  # A4 landscape
    for text, sheet in zip(pages[1:], rubric.sheets()):
        lines = [line for line in text.splitlines() if line.strip()]
        header = next(line for line in lines if "Trả lời" in line)
        assert "Mã" in header and "Hướng dẫn" in header, sheet  # every column on the page
        codes = [c for c, (s, _) in template_cells(rubric).items() if s == sheet]
        assert all(code in text for code in codes), sheet
    last = pages[-1]
    for phrase in ("Người lập biểu", "Thủ trưởng đơn vị", "(Ký tên, đóng dấu)",
                   "(Ký, ghi rõ họ tên)", "ngày …… tháng …… năm"):
        assert phrase in last
    assert "Thủ trưởng đơn vị" not in "".join(pages[:-1])
    assert "Tài liệu kiểm chứng" in pages[2]  # C1 asks for evidence beside the answer
