"""Figures the unit does not type: the appraiser's (rows of the inspection workbook) and a
system's (its export, declared in round.yaml ``imports``), on the framework of
tests/rubrics/constructs.yaml (P2.2a: systems approved, supplied by the appraiser; P3.1a:
dossiers filed online, from the public-service portal). Their points are test_constructs'
hand-computed oracle.

Files are real: the inspection workbook written by ``cntt inspection-template`` and filled
with openpyxl; the export a CSV as Vietnamese Excel writes it (UTF-8 with BOM, ";",
Vietnamese headers, dot thousands, decimal commas) or a workbook written by openpyxl.
"""

from __future__ import annotations

import datetime as dt
import unicodedata
from pathlib import Path

import pandas as pd
import pytest
from openpyxl import Workbook, load_workbook
from test_cli import assert_clean_failure
from test_constructs import ANSWERS, POINTS, SCORES
from test_frameworks import RUBRIC, YEAR, _fill, province
from typer.testing import CliRunner

from cntt_analysis.analysis.results import round_results
from cntt_analysis.cli import app
from cntt_analysis.errors import UsageError
from cntt_analysis.intake.imports import Import, read_import
from cntt_analysis.intake.rounds import load_round
from cntt_analysis.report import sentences
from cntt_analysis.report.facts import SUPPLIER, UNIT, year_facts
from cntt_analysis.rubric.model import parse_rubric
from cntt_analysis.scoring.completeness import completeness, missing_answers
from cntt_analysis.scoring.inspection import COLUMNS, SHEET
from cntt_analysis.scoring.manifest import input_manifest
from cntt_analysis.scoring.pipeline import score_round

VERIFIED = list(COLUMNS).index("verified") + 1       # H
REASON = list(COLUMNS).index("reason") + 1
SUPPLIER_COL = list(COLUMNS).index("supplier") + 1
# The appraiser's figures of test_constructs: approved systems per sở.
APPROVED = {"S1": 3, "S2": 0, "S3": 2}
EXPORT = "\ufeff" + "\r\n".join([
    "BÁO CÁO HỒ SƠ TRỰC TUYẾN NĂM 2025 (trích xuất từ Cổng dịch vụ công);;;",
    "STT;Đơn vị;Số hồ sơ nộp trực tuyến;Tỷ lệ trực tuyến (%)",
    "1;S1;30;15,0",
    "2;Sở Công Thương;0;0,0",      # by name, as the portal writes it
    "3;Sở Nội vụ;1.200;12,5",      # P3.1 does not apply to S2: not used, not an issue
    "4;Sở Du lịch;7;3,5",          # not a unit of the round
]) + "\r\n"
IMPORTS = ("imports:\n  dvc:\n    file: dvc-2025.csv\n    unit_column: Đơn vị\n"
           "    columns: {P3.1a: Số hồ sơ nộp trực tuyến}\n")


def windows_1258(text: str) -> bytes:
    """`text` as Windows-1258 (what Excel's plain "CSV" writes on a Vietnamese Windows):
    letters with circumflex, breve or horn precomposed, tone marks as combining marks."""
    tones = "\u0300\u0301\u0303\u0309\u0323"
    out = []
    for ch in text:
        try:
            ch.encode("cp1258")
            out.append(ch)
            continue
        except UnicodeEncodeError:
            pass
        parts = unicodedata.normalize("NFD", ch)
        base = unicodedata.normalize("NFC", "".join(p for p in parts if p not in tones))
        out.append(base + "".join(p for p in parts if p in tones))
    return "".join(out).encode("cp1258")


@pytest.fixture
def cntt():
    runner = CliRunner()
    return lambda *args: runner.invoke(app, [str(a) for a in args])


def submitted(cntt, tmp_path: Path, round_extra: str = "") -> Path:
    """The province of test_frameworks with every unit's workbook filled (the units'
    answers only: their templates do not ask P2.2a nor P3.1a)."""
    raw = province(tmp_path, round_extra=round_extra)
    assert cntt("template", "--year", YEAR, "--raw", raw, "--out", tmp_path / "bm"
                ).exit_code == 0
    for unit, answers in ANSWERS.items():
        _fill(tmp_path / "bm" / f"{unit}.xlsx", raw / str(YEAR) / f"{unit}.xlsx",
              {"G03": dt.date(2025, 12, 1), **answers})
    return raw


def appraise(cntt, raw: Path, approved: dict[str, object], fixes=None) -> Path:
    """`cntt inspection-template`, then the appraiser's figures (and `fixes`: (unit, code)
    → verified) typed into it with openpyxl."""
    result = cntt("inspection-template", "--year", YEAR, "--raw", raw)
    assert result.exit_code == 0, result.output
    assert "Có 3 số liệu do cơ quan thẩm định cung cấp cần điền" in result.output
    path = raw / str(YEAR) / "inspection.xlsx"
    wb = load_workbook(path)
    ws = wb[SHEET]
    rows = {(ws.cell(r, 1).value, ws.cell(r, 3).value): r for r in range(2, ws.max_row + 1)}
    for unit, value in approved.items():
        ws.cell(rows[(unit, "P2.2a")], VERIFIED).value = value
    for (unit, code), value in (fixes or {}).items():
        ws.cell(rows[(unit, code)], VERIFIED).value = value
        ws.cell(rows[(unit, code)], REASON).value = "Theo biên bản kiểm tra"
    wb.save(path)
    return path


def test_the_inspection_workbook_asks_the_appraisers_figures(cntt, tmp_path):
    raw = submitted(cntt, tmp_path)
    path = appraise(cntt, raw, {})
    ws = load_workbook(path)[SHEET]
    assert ws.cell(1, SUPPLIER_COL).value == "Nguồn số liệu"
    rows = {(ws.cell(r, 1).value, ws.cell(r, 3).value): r for r in range(2, ws.max_row + 1)}
    supplied = sorted(k for k, r in rows.items() if "thẩm định" in
                      str(ws.cell(r, SUPPLIER_COL).value))
    # one blank row per sở (P2.2 is in the sở framework only), none for the portal's figure
    assert supplied == [("S1", "P2.2a"), ("S2", "P2.2a"), ("S3", "P2.2a")]
    r = rows[("S1", "P2.2a")]
    assert ws.cell(r, VERIFIED).value is None and ws.cell(r, 7).value is None
    assert not ws.cell(r, VERIFIED).protection.locked
    assert ws.cell(rows[("S1", "P2.2b")], SUPPLIER_COL).value == "Đơn vị báo cáo"
    assert not any(code == "P3.1a" for _, code in rows)
    # the rows follow the rubric's order inside each unit: P2.2a before P2.2b
    assert rows[("S1", "P2.2a")] < rows[("S1", "P2.2b")]


def test_appraisers_figures_are_answers_not_corrections(cntt, tmp_path):
    raw = submitted(cntt, tmp_path, IMPORTS)
    (raw / str(YEAR) / "dvc-2025.csv").write_bytes(EXPORT.encode("utf-8"))
    # S1 P1.2: 2 meetings chaired → 3 (of 3): 3/3 × 10 = 10 instead of 6.67; one correction
    appraise(cntt, raw, APPROVED, {("S1", "P1.2"): 3})
    result = score_round(raw, YEAR, progress=False)
    points = result.points.set_index(["unit_id", "indicator"])
    for unit, expected in POINTS.items():
        for code, want in expected.items():
            got = points.loc[(unit, code)]
            if unit == "S1" and code == "P1.2":
                assert (got["points"], got["self_points"]) == (10, 6.67)
            elif want is None:
                assert got["status"] == "na", (unit, code)
            else:
                assert (got["status"], got["points"]) == ("scored", want), (unit, code)
    scores = result.scores.set_index("unit_id")
    # S2 and S3 are test_constructs' oracle, supplied figures included on both sides
    for unit in ("S2", "S3", "X1"):
        assert (scores.loc[unit, "score"], scores.loc[unit, "self_score"]) == \
            (SCORES[unit][0], SCORES[unit][0]), unit
    # S1: 57.67 self-assessed (the oracle); verified 57.67 − 6.67 + 10 = 61.00
    assert (scores.loc["S1", "self_score"], scores.loc["S1", "score"]) == (57.67, 61.0)
    answers = result.answers.set_index(["unit_id", "code"])
    s3 = answers.loc[("S3", "P2.2a")]
    assert (s3["input_source"], s3["file"], s3["sheet"], s3["number"]) == \
        ("appraiser", "inspection.xlsx", SHEET, 2.0)
    assert not s3["corrected"]
    portal = answers.loc[("S1", "P3.1a")]
    assert (portal["input_source"], portal["file"], portal["cell"], portal["number"]) == \
        ("system", "dvc-2025.csv", "C3", 30.0)
    assert answers.loc[("S3", "P3.1a"), "number"] == 0.0   # matched by its name
    assert ("S2", "P3.1a") not in answers.index
    # points stay the units' own file's
    assert set(result.points.loc[result.points["unit_id"] == "S3", "file"]) == {"S3.xlsx"}
    # only the correction of S1's figure is a correction
    audit = result.corrections
    assert list(audit["code"]) == ["P1.2"] and list(audit["kind"]) == ["correction"]
    facts = year_facts(round_results(result), YEAR)
    assert len(facts.corrections) == 1 and facts.corrected_units == 1
    assert sentences.corrections_sentence(facts).startswith(
        "Đoàn kiểm tra đã điều chỉnh 1 số liệu của 1 đơn vị")
    issues = result.issues
    unknown = issues[issues["code"] == "import_unit_unknown"]
    assert len(unknown) == 1 and unknown.iloc[0]["cell"] == "B6"
    assert "“Sở Du lịch”" in unknown.iloc[0]["message"]
    assert "dvc-2025.csv" in unknown.iloc[0]["message"]
    assert not issues["code"].isin(["supplied_missing", "import_missing", "unit_unknown",
                                    "answer_not_found"]).any()


def test_missing_supplied_figures_say_who_supplies_them(cntt, tmp_path):
    raw = submitted(cntt, tmp_path)
    said = cntt("score", "--year", YEAR, "--raw", raw, "--processed", tmp_path / "p")
    assert said.exit_code == 0, said.output
    # 5 supplied figures missing are not the units' data errors (none of theirs here)
    assert "0 lỗi số liệu" in said.output
    assert "cơ quan thẩm định cung cấp 3 số liệu còn thiếu" in said.output
    result = score_round(raw, YEAR, progress=False)
    points = result.points.set_index(["unit_id", "indicator"])
    assert points.loc[("S1", "P2.2"), ["status", "points"]].tolist() == ["invalid", 0]
    issues = result.issues.set_index(["code", "unit_id"])
    appraiser = issues.loc[("supplied_missing", "S1"), "message"]
    assert appraiser == ("Chưa có mục P2.2a “Số hệ thống đã được phê duyệt cấp độ” của Sở Tài "
                         "chính: số liệu do cơ quan thẩm định cung cấp (tệp kiểm tra, thẩm "
                         "định, cột “Số liệu kiểm tra”), đơn vị không phải báo cáo; chỉ tiêu "
                         "P2.2 được 0 điểm cho đến khi có số liệu.")
    system = issues.loc[("import_missing", "S3"), "message"]
    assert "lấy từ Cổng dịch vụ công của tỉnh" in system
    assert "round.yaml chưa khai báo tệp xuất chứa mục này" in system
    # only the units P3.1 applies to (kinh_te_so: S1, S3); the xã have neither figure
    assert sorted(u for c, u in issues.index if c == "import_missing") == ["S1", "S3"]
    assert sorted(u for c, u in issues.index if c == "supplied_missing") == ["S1", "S2", "S3"]
    facts = year_facts(round_results(result), YEAR)
    owners = dict(zip(facts.issues["code"], facts.issues["owner"]))
    assert owners["supplied_missing"] == owners["import_missing"] == SUPPLIER
    assert not facts.unit_errors["code"].isin(["supplied_missing", "import_missing"]).any()
    assert len(facts.supplier_errors) == 5
    # missing data, not the units': no missing answers, no shortcoming on P2.2 / P3.1
    assert facts.missing_answers.empty
    assert not facts.shortcomings["indicator"].isin(["P2.2", "P3.1"]).any()
    said = " ".join(sentences.decisions(facts))
    assert "cơ quan thẩm định cung cấp 3 số liệu còn thiếu" in said
    assert "không bị coi là tồn tại của đơn vị" in said
    assert "2 lỗi về số liệu lấy từ hệ thống" in said


def test_completeness_counts_only_what_each_unit_is_asked(cntt, tmp_path):
    raw = submitted(cntt, tmp_path)
    result = score_round(raw, YEAR, progress=False)
    answers, registry = result.answers, result.registry
    # X3 leaves P2.4 blank: one missing of the 6 required inputs a xã is asked
    # (G01–G03, P1.1, P1.2, P1.3a, P1.3b, P2.1, P2.4 = 9)
    blank = answers.copy()
    at = (blank["unit_id"] == "X3") & (blank["code"] == "P2.4")
    blank.loc[at, ["status", "problem", "value", "number"]] = ["invalid", "required", None,
                                                               None]
    missing = missing_answers(blank, RUBRIC, registry)
    assert list(zip(missing["unit_id"], missing["code"])) == [("X3", "P2.4")]
    done = completeness(blank, RUBRIC, missing, registry).set_index("unit_id")
    assert done.loc["X3", "required"] == 9 and done.loc["X3", "missing"] == 1
    # S1: 3 general + P1.1, P1.2, P1.3a, P1.3b, P2.1, P2.2b, P2.3a, P2.3b, P3.1b, P3.2 = 13;
    # S2 (neither kinh_te_so nor thi_diem): 11 — never P2.2a (the appraiser's)
    assert done.loc["S1", "required"] == 13 and done.loc["S2", "required"] == 11
    assert done.loc["S1", "missing"] == 0


def test_a_csv_as_vietnamese_excel_writes_it(tmp_path):
    # an amount from a system: decimal comma, dot thousands, Windows-1258, a title row
    data = parse_rubric({
        "id": "t", "total": 10, "tiers": [{"name": "Đạt", "min": 0}],
        "general": {"inputs": [{"code": "G01", "type": "text"}, {"code": "G02", "type": "year"},
                               {"code": "G03", "type": "date"}]},
        "criteria": [{"code": "P1", "name": "Dịch vụ công", "max": 10, "indicators": [{
            "code": "P1.1", "label": "Giá trị thanh toán trực tuyến", "max": 10,
            "inputs": [{"code": "P1.1", "type": "amount", "source": "system",
                        "system": "Cổng thanh toán"}],
            "rule": {"kind": "target", "numerator": "P1.1", "target": 1000}}]}]})
    registry = pd.DataFrame({"unit_id": ["A", "B", "C"], "name": ["Xã Tân Phước", "Xã Mỹ Tho",
                                                                   "Xã Cái Bè"],
                             "group": ["so"] * 3, "aliases": ["", "", ""]})
    text = ("Tổng hợp thanh toán trực tuyến\r\nTên đơn vị;Giá trị (triệu đồng)\r\n"
            "Xã Tân Phước;1.234,5\r\nXÃ MỸ THO;12,75\r\nXã Cái Bè;mười\r\n")
    (tmp_path / "tt.csv").write_bytes(windows_1258(text))
    spec = Import("tt", "tt.csv", "tên đơn vị", {"P1.1": "Giá trị (triệu đồng)"})
    rows, issues = read_import(spec, tmp_path, data, registry, 2025,
                               {u: {"P1.1"} for u in "ABC"})
    assert {r["unit_id"]: r["number"] for r in rows if r["status"] == "ok"} == \
        {"A": 1234.5, "B": 12.75}
    bad = [i for i in issues if i["code"] == "import_invalid"]
    assert len(bad) == 1 and bad[0]["cell"] == "B5" and bad[0]["unit_id"] == "C"
    assert "“mười”" in bad[0]["message"] and "cột “Giá trị (triệu đồng)”" in bad[0]["message"]
    assert bad[0]["message"].startswith("Tệp “tt.csv”, ô B5:")


def test_export_problems_are_issues(cntt, tmp_path):
    raw = submitted(cntt, tmp_path, IMPORTS)
    folder = raw / str(YEAR)
    # no file yet
    result = score_round(raw, YEAR, progress=False)
    missing = result.issues[result.issues["code"] == "import_file_missing"]
    assert len(missing) == 1 and "imports.dvc" in missing.iloc[0]["message"]
    why = result.issues[result.issues["code"] == "import_missing"]["message"]
    assert all("tệp xuất “dvc-2025.csv” chưa có hoặc không đọc được" in m for m in why)
    # a unit twice, a value that is not a count, a column renamed
    (folder / "dvc-2025.csv").write_bytes(("\ufeffĐơn vị;Số hồ sơ nộp trực tuyến\r\n"
                                           "S1;30\r\nS1;31\r\nS3;ba mươi\r\n").encode())
    issues = score_round(raw, YEAR, progress=False).issues.set_index("code")
    assert "dòng 2, 3" in issues.loc["import_unit_twice", "message"]
    assert issues.loc["import_invalid", "cell"] == "B4"
    assert "“ba mươi”" in issues.loc["import_invalid", "message"]
    (folder / "dvc-2025.csv").write_bytes("Đơn vị;Hồ sơ\r\nS1;30\r\n".encode())
    issues = score_round(raw, YEAR, progress=False).issues.set_index("code")
    assert "“Số hồ sơ nộp trực tuyến” (P3.1a)" in issues.loc["import_columns", "message"]
    # a link leading out of the round folder is not followed
    outside = tmp_path / "secret.csv"
    outside.write_bytes(EXPORT.encode("utf-8"))
    (folder / "dvc-2025.csv").unlink()
    (folder / "dvc-2025.csv").symlink_to(outside)
    result = score_round(raw, YEAR, progress=False)
    assert "liên kết ra ngoài thư mục" in \
        result.issues.set_index("code").loc["import_unreadable", "message"]
    assert not (result.answers["code"] == "P3.1a").any()


def test_a_workbook_export_is_read_and_not_taken_for_a_submission(cntt, tmp_path):
    extra = ("imports:\n  dvc:\n    file: xuat/dvc.xlsx\n    sheet: Hồ sơ\n"
             "    unit_column: Mã cơ quan\n    columns: {P3.1a: SỐ HỒ SƠ TRỰC TUYẾN}\n")
    raw = submitted(cntt, tmp_path, extra)
    wb = Workbook()
    wb.active.title = "Ghi chú"
    ws = wb.create_sheet("Hồ sơ")
    ws.append(["Danh sách cơ quan"])
    ws.append(["Mã cơ quan", "Số hồ sơ trực tuyến"])
    ws.append(["S1", 30])
    ws.append(["S3", 0])
    ws.append([101, 4])     # a numeric code typed as a number: unit "101" of units.csv
    (raw / str(YEAR) / "xuat").mkdir()
    wb.save(raw / str(YEAR) / "xuat" / "dvc.xlsx")
    result = score_round(raw, YEAR, progress=False)
    answers = result.answers.set_index(["unit_id", "code"])
    assert answers.loc[("S1", "P3.1a"), "number"] == 30 and \
        answers.loc[("S1", "P3.1a"), "cell"] == "B3"
    assert answers.loc[("S1", "P3.1a"), "sheet"] == "Hồ sơ"
    assert not result.issues["code"].isin(["unit_unknown", "import_columns"]).any()
    unknown = result.issues[result.issues["code"] == "import_unit_unknown"]
    assert list(unknown["value"]) == ["101"] and list(unknown["cell"]) == ["A5"]
    # the export is part of what the results were computed from
    rnd = load_round(raw, YEAR)
    before = input_manifest(rnd, raw)["round"]["xuat/dvc.xlsx"]
    ws["B3"] = 31
    wb.save(raw / str(YEAR) / "xuat" / "dvc.xlsx")
    assert input_manifest(rnd, raw)["round"]["xuat/dvc.xlsx"] != before
    # a workbook export placed beside the submissions is not one of them either
    extra = extra.replace("xuat/dvc.xlsx", "dvc.xlsx")
    (raw / str(YEAR) / "xuat" / "dvc.xlsx").rename(raw / str(YEAR) / "dvc.xlsx")
    config = raw / str(YEAR) / "round.yaml"
    config.write_text(config.read_text(encoding="utf-8").split("imports:")[0] + extra,
                      encoding="utf-8")
    assert "dvc.xlsx" not in [p.name for p in load_round(raw, YEAR).submissions()]


@pytest.mark.parametrize("imports, phrases", [
    ("imports:\n  dvc:\n    file: ../dvc.csv\n    unit_column: Đơn vị\n"
     "    columns: {P3.1a: Số hồ sơ}\n", ["imports.dvc.file", "phải nằm trong thư mục đợt"]),
    ("imports:\n  dvc:\n    file: /etc/passwd.csv\n    unit_column: Đơn vị\n"
     "    columns: {P3.1a: Số hồ sơ}\n", ["imports.dvc.file", "không ghi đường dẫn tuyệt đối"]),
    ("imports:\n  dvc:\n    file: dvc.csv\n    unit_column: Đơn vị\n"
     "    columns: {P2.1: Số ứng dụng}\n", ["imports.dvc.columns", "mục P2.1 không phải số "
                                         "liệu lấy từ hệ thống"]),
    ("imports:\n  dvc:\n    file: dvc.csv\n    columns: {P3.1a: Số hồ sơ}\n",
     ["imports.dvc.unit_column"]),
    ("imports:\n  dvc:\n    file: dvc.pdf\n    unit_column: Đơn vị\n"
     "    columns: {P3.1a: Số hồ sơ}\n", ["imports.dvc.file", "không phải tệp CSV"]),
    ("imports:\n  dvc:\n    file: dvc.csv\n    unit_col: Đơn vị\n"
     "    columns: {P3.1a: Số hồ sơ}\n", ["imports.dvc' có khóa không hợp lệ: unit_col"]),
])
def test_imports_in_round_yaml_are_checked(cntt, tmp_path, imports, phrases):
    raw = province(tmp_path, round_extra=imports)
    with pytest.raises(UsageError) as err:
        load_round(raw, YEAR)
    message = str(err.value)
    assert "round.yaml" in message
    for phrase in phrases:
        assert phrase in message, message
    result = cntt("score", "--year", YEAR, "--raw", raw, "--processed", tmp_path / "p")
    assert_clean_failure(result, "round.yaml", *phrases)


def test_unit_owner_is_kept_for_the_units_own_errors(cntt, tmp_path):
    raw = submitted(cntt, tmp_path)
    path = raw / str(YEAR) / "S2.xlsx"
    wb = load_workbook(path)
    cells = {r[0]: (r[1], r[2]) for r in list(wb["_cells"].iter_rows(values_only=True))[1:]}
    sheet, cell = cells["P2.1"]
    wb[sheet][cell] = "bảy"
    wb.save(path)
    facts = year_facts(round_results(score_round(raw, YEAR, progress=False)), YEAR)
    mine = facts.issues[facts.issues["code"] == "not_number"]
    assert list(mine["owner"]) == [UNIT]


def test_the_appraisers_entries_are_checked(cntt, tmp_path):
    raw = submitted(cntt, tmp_path)
    # S1 has 4 systems (P2.2b): 5 approved is above it; a xã has no P2.2 in its framework;
    # the portal's figure is not the appraiser's to write
    path = appraise(cntt, raw, {"S1": 5, "S3": 2})
    wb = load_workbook(path)
    ws = wb[SHEET]
    extra = [["X1", "Xã Tân Phước", "P2.2a", "", "", "", "", 1],
             ["S1", "Sở Tài chính", "P3.1a", "", "", "", "", 40]]
    for row in extra:
        ws.append(row)
    wb.save(path)
    result = score_round(raw, YEAR, progress=False)
    issues = result.issues.set_index("code")
    over = issues.loc["exceeds"]
    assert (over["unit_id"], over["file"], over["sheet"]) == ("S1", "inspection.xlsx", SHEET)
    assert "P2.2a" in over["message"] and "P2.2b" in over["message"]
    points = result.points.set_index(["unit_id", "indicator"])
    assert points.loc[("S1", "P2.2"), ["status", "points"]].tolist() == ["invalid", 0]
    assert points.loc[("S3", "P2.2"), "points"] == 10
    n = ws.max_row
    assert issues.loc["supplied_not_assessed", "cell"] == f"H{n - 1}"
    assert "Đơn vị X1 không được đánh giá chỉ tiêu dùng mục P2.2a" in \
        issues.loc["supplied_not_assessed", "message"]
    assert issues.loc["correction_system_input", "cell"] == f"H{n}"
    assert "Cổng dịch vụ công của tỉnh" in issues.loc["correction_system_input", "message"]
    # S2's figure was left blank: missing, said to the appraiser
    assert issues.loc["supplied_missing", "unit_id"] == "S2"
    facts = year_facts(round_results(result), YEAR)
    owners = facts.issues.set_index("code")["owner"]
    assert owners["supplied_not_assessed"] == owners["correction_system_input"] == "inspection"
    assert facts.corrections.empty   # nothing the units reported was corrected
