"""Inspection (kiểm tra, thẩm định): verified figures replace reported ones, every correction
is audited, bad corrections are reported at their cell, and the CLI writes the prefilled file.

One round of real template workbooks is written once per module (``base_raw``) and copied
for each test; each test then adds its own inspection file, filled with openpyxl in the
file ``build_inspection_template`` writes.
"""

from __future__ import annotations

import csv
import datetime as dt
import shutil
from pathlib import Path

import pandas as pd
import pytest
from conftest import VALID_ANSWERS
from hypothesis import given, settings
from hypothesis import strategies as st
from openpyxl import load_workbook
from typer.testing import CliRunner

from cntt_analysis.cli import app
from cntt_analysis.intake.values import is_blank, parse_answer
from cntt_analysis.report.excel import HEADER_ROW, ROUND_WRITERS
from cntt_analysis.rubric.model import load_rubric
from cntt_analysis.scoring.inspection import (
    AUDIT_COLUMNS,
    COLUMNS,
    SHEET,
    apply_corrections,
    build_inspection_template,
    read_corrections,
)
from cntt_analysis.scoring.pipeline import score_round, write_round


def write_round_xlsx(result, processed, raw=None):
    """write_round with the Excel results, as `cntt score` writes them."""
    return write_round(result, processed, raw, writers=ROUND_WRITERS)

YEAR = 2017
VERIFIED_COL = list(COLUMNS).index("verified") + 1  # H
REASON_COL = list(COLUMNS).index("reason") + 1      # I
INSPECTOR_COL = list(COLUMNS).index("inspector") + 1  # J

# Submissions of the base round (changes to conftest's VALID_ANSWERS). H_CAILAY does not send.
# Self-assessed (reported) scores, from conftest's hand-computed 72.91 (C2.3: both `so` units
# have 40 Mbps / 20 people = 2, the group's best → 3; H_TANPHUOC is alone in `huyen` → 3):
SUBMISSIONS: dict[str, dict[str, object]] = {
    # SO_VP: the valid answers → 72.91, Khá, rank 1 of `so`.
    "SO_VP": {},
    # SO_CCQLDD: no WAN (C2.5 2 → 0) → 70.91, Khá, rank 2 of `so`.
    "SO_CCQLDD": {"C2.5": "Không"},
    # H_TANPHUOC: 20 networked computers but only G06 = 18 computers: C2.2 exceeds its limit,
    # invalid → 0 (instead of 2.5) → 70.41, Khá, rank 1 of `huyen`.
    "H_TANPHUOC": {"C2.2": 20},
}


def _write_registry(path: Path, units) -> None:
    with path.open("w", encoding="utf-8", newline="") as handle:
        writer = csv.writer(handle)
        writer.writerow(["unit_id", "name", "group", "aliases"])
        writer.writerows(units)


@pytest.fixture(scope="module")
def base_raw(tmp_path_factory, fill_template, units) -> Path:
    """A raw folder with the three submissions and no inspection file (do not modify)."""
    raw = tmp_path_factory.mktemp("inspection-base") / "raw"
    folder = raw / str(YEAR)
    folder.mkdir(parents=True)
    _write_registry(raw / "units.csv", units)
    (folder / "round.yaml").write_text("deadline: 2017-08-10\nrubric: '2017'\n",
                                       encoding="utf-8")
    names = {u[0]: u[1] for u in units}
    for unit_id, changes in SUBMISSIONS.items():
        fill_template(folder / f"{unit_id}.xlsx", {**VALID_ANSWERS, **changes},
                      unit_id=unit_id, unit_name=names[unit_id])
    return raw


@pytest.fixture(scope="module")
def base_result(base_raw):
    """The base round scored without inspection (the answers the template is built from)."""
    return score_round(base_raw, YEAR, progress=False)


@pytest.fixture
def raw(base_raw, tmp_path) -> Path:
    """A private copy of the base round, free to receive an inspection file."""
    return Path(shutil.copytree(base_raw, tmp_path / "raw"))


def inspection_workbook(base_result, fills: dict[tuple[str, str], tuple] | None = None,
                        extra: list[list] | None = None):
    """The template `build_inspection_template` writes, with verified values filled in.

    `fills`: (unit_id, code) → (verified, reason, inspector) on the prefilled row;
    `extra`: whole rows appended below (columns in the template's order)."""
    answers = base_result.answers.assign(raw_value=base_result.answers["reported_value"])
    wb = build_inspection_template(answers, base_result.round.rubric, base_result.registry)
    ws = wb[SHEET]
    rows = {(ws.cell(r, 1).value, ws.cell(r, 3).value): r for r in range(2, ws.max_row + 1)}
    for key, (verified, reason, inspector) in (fills or {}).items():
        r = rows[key]
        ws.cell(r, VERIFIED_COL).value = verified
        ws.cell(r, REASON_COL).value = reason
        ws.cell(r, INSPECTOR_COL).value = inspector
    for row in extra or []:
        ws.append(row)
    return wb


def write_xlsx(raw: Path, wb) -> Path:
    path = raw / str(YEAR) / "inspection.xlsx"
    wb.save(path)
    return path


def write_csv(raw: Path, wb) -> Path:
    """The same table saved as CSV (UTF-8 with BOM, as Excel writes “CSV UTF-8”)."""
    path = raw / str(YEAR) / "inspection.csv"
    with path.open("w", encoding="utf-8-sig", newline="") as handle:
        writer = csv.writer(handle)
        for row in wb[SHEET].iter_rows(values_only=True):
            writer.writerow(["" if v is None else v for v in row])
    return path


def row_of(wb, unit_id: str, code: str) -> int:
    ws = wb[SHEET]
    return next(r for r in range(2, ws.max_row + 1)
                if (ws.cell(r, 1).value, ws.cell(r, 3).value) == (unit_id, code))


# The main inspection:
# - SO_VP G06 18 → 16 (lowers a limit: C2.4 = 18 now exceeds 16, invalid):
#     before C2.1 min(18/20, 1) × 4 = 3.6; C2.2 15/18 × 3 = 2.5; C2.4 18/18 × 3 = 3;
#            C5.4 9/18 × 2 = 1                                        → 10.1
#     after  C2.1 16/20 × 4 = 3.2; C2.2 15/16 × 3 = 2.8125 → 2.81; C2.4 invalid → 0;
#            C5.4 9/16 × 2 = 1.125 → 1.13 (half-up)                   → 7.14
# - SO_VP C1.2 Có → Không (yes/no): 2 → 0.
#     SO_VP verified: 72.91 − 10.1 + 7.14 − 2 = 67.95 → Trung bình; gap −4.96; rank 2.
# - H_TANPHUOC G06 18 → 20 (raises a limit: C2.2 = 20 is valid again):
#     before 3.6 + 0 (C2.2 invalid) + 3 + 1 = 7.6
#     after  C2.1 min(20/20, 1) × 4 = 4; C2.2 20/20 × 3 = 3; C2.4 18/20 × 3 = 2.7;
#            C5.4 9/20 × 2 = 0.9                                      → 10.6
#     H_TANPHUOC verified: 70.41 − 7.6 + 10.6 = 73.41, Khá; gap +3.
# - SO_CCQLDD unchanged: 70.91, Khá, now rank 1 of `so` (was 2).
MAIN_FILLS = {
    ("SO_VP", "G06"): (16, "Kiểm tra thực tế: 2 máy đã thanh lý", "Trần Thị Bình"),
    ("SO_VP", "C1.2"): ("Không", "Chưa ban hành quy chế", "Trần Thị Bình"),
    ("H_TANPHUOC", "G06"): (20, "Bổ sung 2 máy chưa kê khai", "Lê Văn Cường"),
}


@pytest.fixture(scope="module")
def main_raw(base_raw, base_result, tmp_path_factory) -> Path:
    """The base round plus the main inspection.xlsx (shared: do not modify)."""
    raw = Path(shutil.copytree(base_raw, tmp_path_factory.mktemp("inspection-main") / "raw"))
    write_xlsx(raw, inspection_workbook(base_result, MAIN_FILLS))
    return raw


@pytest.fixture(scope="module")
def main_result(main_raw):
    return score_round(main_raw, YEAR, progress=False)


# --------------------------------------------------------------------------- applied


def test_corrections_change_the_verified_answers(main_result, cells):
    result = main_result
    answers = result.answers.set_index(["unit_id", "code"])

    g06 = answers.loc[("SO_VP", "G06")]
    assert (g06["raw_value"], g06["reported_value"], g06["number"], g06["status"],
            bool(g06["corrected"])) == ("16", "18", 16.0, "ok", True)
    c12 = answers.loc[("SO_VP", "C1.2")]
    assert (c12["value"], c12["reported_value"], c12["number"], bool(c12["corrected"])) == \
        ("Không", "Có", 0.0, True)
    # C2.4 was not corrected, but its limit was: 18 > 16 now.
    c24 = answers.loc[("SO_VP", "C2.4")]
    assert (c24["raw_value"], c24["status"], c24["problem"], bool(c24["corrected"])) == \
        ("18", "invalid", "exceeds", False)
    # H_TANPHUOC's C2.2 = 20 exceeded G06 = 18 as reported; with G06 = 20 it is valid.
    c22 = answers.loc[("H_TANPHUOC", "C2.2")]
    assert (c22["status"], bool(c22["corrected"])) == ("ok", False)
    assert pd.isna(c22["problem"])
    # Nothing else changed: 3 corrected answers, every other verified value = the reported one.
    assert int(result.answers["corrected"].sum()) == 3
    same = result.answers[~result.answers["corrected"]]
    assert (same["raw_value"] == same["reported_value"]).all()
    # The answers keep pointing at the unit's own cells.
    assert (g06["sheet"], g06["cell"]) == cells["G06"]
    assert g06["file"] == "SO_VP.xlsx"


def test_points_before_and_after_each_correction(main_result):
    result = main_result
    points = result.points.set_index(["unit_id", "indicator"])
    expected = {  # (self_points, verified points, verified status), by hand above
        ("SO_VP", "C2.1"): (3.6, 3.2, "scored"),
        ("SO_VP", "C2.2"): (2.5, 2.81, "scored"),
        ("SO_VP", "C2.4"): (3.0, 0.0, "invalid"),
        ("SO_VP", "C5.4"): (1.0, 1.13, "scored"),
        ("SO_VP", "C1.2"): (2.0, 0.0, "scored"),
        ("H_TANPHUOC", "C2.1"): (3.6, 4.0, "scored"),
        ("H_TANPHUOC", "C2.2"): (0.0, 3.0, "scored"),
        ("H_TANPHUOC", "C2.4"): (3.0, 2.7, "scored"),
        ("H_TANPHUOC", "C5.4"): (1.0, 0.9, "scored"),
    }
    got = {key: (points.at[key, "self_points"], points.at[key, "points"],
                 points.at[key, "status"]) for key in expected}
    assert got == expected
    # Every other indicator: verified points = self points (SO_CCQLDD entirely).
    others = result.points[~result.points.set_index(["unit_id", "indicator"]).index
                           .isin(list(expected))]
    assert (others["points"].fillna(-1) == others["self_points"].fillna(-1)).all()

    audit = result.corrections
    assert list(audit.columns) == AUDIT_COLUMNS
    rows = [tuple(r) for r in audit[["unit_id", "code", "reported", "verified", "indicators",
                                     "points_before", "points_after"]].itertuples(index=False)]
    # Ordered as in the file: units by id, codes in the rubric's order (G06 before C1.2).
    assert rows == [
        ("H_TANPHUOC", "G06", "18", "20", "C2.1, C2.2, C2.4, C5.4", 7.6, 10.6),
        ("SO_VP", "G06", "18", "16", "C2.1, C2.2, C2.4, C5.4", 10.1, 7.14),
        ("SO_VP", "C1.2", "Có", "Không", "C1.2", 2.0, 0.0),
    ]
    first = audit.iloc[1]
    assert (first["year"], first["name"], first["sheet"], first["cell"], first["reason"],
            first["inspector"]) == (2017, "Văn phòng Sở", "Thông tin chung", "D10",
                                    "Kiểm tra thực tế: 2 máy đã thanh lý", "Trần Thị Bình")


def test_self_and_verified_scores_tiers_ranks_and_gap(main_result):
    scores = main_result.scores.set_index("unit_id")
    cols = ["self_score", "score", "score_gap", "self_tier", "tier", "self_rank", "rank"]
    got = {u: tuple(scores.loc[u, cols]) for u in scores.index}
    assert got == {
        "SO_VP": (72.91, 67.95, -4.96, "Khá", "Trung bình", 1, 2),
        "SO_CCQLDD": (70.91, 70.91, 0.0, "Khá", "Khá", 2, 1),
        "H_TANPHUOC": (70.41, 73.41, 3.0, "Khá", "Khá", 1, 1),
    }
    # Official ranking order follows the verified scores.
    so = scores[scores["group"] == "so"].sort_values("rank")
    assert list(so.index) == ["SO_CCQLDD", "SO_VP"]


def test_lowered_limit_makes_an_answer_exceed_it(main_result, cells):
    issues = main_result.issues
    exceeds = issues[issues["code"] == "exceeds"]
    # SO_VP C2.4 = 18 now exceeds the verified G06 = 16: a new issue at C2.4's cell, naming
    # the unit's file (where that sheet and cell are) and the verified limit.
    ours = exceeds[exceeds["unit_id"] == "SO_VP"]
    assert len(ours) == 1
    issue = ours.iloc[0]
    assert (issue["file"], issue["sheet"], issue["cell"], issue["value"], issue["severity"]) \
        == ("SO_VP.xlsx", *cells["C2.4"], "18", "error")
    assert "(16)" in issue["message"] and "C2.4" in issue["message"]
    assert "G06" in issue["message"]
    # H_TANPHUOC's C2.2 exceeded the G06 it sent (18); the inspection's G06 = 20 resolves
    # it, so the error is no longer listed (regression: it used to stay in the report).
    assert exceeds[exceeds["unit_id"] == "H_TANPHUOC"].empty
    # No issue about the corrections themselves: they are all valid.
    assert not issues["code"].str.startswith("correction").any()


def test_correction_of_an_unrelated_answer_does_not_repeat_an_old_exceeds_issue(
        raw, base_result):
    # H_TANPHUOC's reported C2.2 = 20 > G06 = 18 is already an issue of H_TANPHUOC.xlsx.
    # Correcting an unrelated answer (C1.2) must not report it a second time.
    write_xlsx(raw, inspection_workbook(
        base_result, {("H_TANPHUOC", "C1.2"): ("Không", "", "")}))
    issues = score_round(raw, YEAR, progress=False).issues
    exceeds = issues[(issues["code"] == "exceeds") & (issues["unit_id"] == "H_TANPHUOC")]
    assert len(exceeds) == 1


def test_a_new_exceeds_issue_is_kept_when_another_sheet_had_one_at_the_same_cell(
        raw, base_result, cells):
    # H_TANPHUOC's reported C2.2 (sheet C2, cell D6) already exceeds. The inspection lowers
    # G07 400 → 200: C4.1 = 950 > G07 + G08 = 800 (C4, D5) and C4.2 = 300 > 200 (C4, D6)
    # now exceed too. Both are new problems, although C4.2's cell has the address D6 too.
    assert cells["C4.2"][1] == cells["C2.2"][1] == "D6"
    write_xlsx(raw, inspection_workbook(base_result, {("H_TANPHUOC", "G07"): (200, "", "")}))
    result = score_round(raw, YEAR, progress=False)
    issues = result.issues
    exceeds = issues[(issues["code"] == "exceeds") & (issues["unit_id"] == "H_TANPHUOC")]
    assert sorted(zip(exceeds["sheet"], exceeds["cell"], exceeds["value"])) == sorted([
        (*cells["C2.2"], "20"), (*cells["C4.1"], "950"), (*cells["C4.2"], "300")])
    points = result.points.set_index(["unit_id", "indicator"])
    assert [points.at[("H_TANPHUOC", c), "status"] for c in ("C4.1", "C4.2")] == \
        ["invalid", "invalid"]
    # 70.41 − 5 (C4.1) − 3 (C4.2) = 62.41; the audit row for G07 shows both: 8 → 0.
    assert result.scores.set_index("unit_id").at["H_TANPHUOC", "score"] == 62.41
    audit = result.corrections.iloc[0]
    assert (audit["indicators"], audit["points_before"], audit["points_after"]) == \
        ("C4.1, C4.2", 8.0, 0.0)


def test_a_verified_value_above_its_limit_is_invalid(raw, base_result):
    # C1.4 of SO_CCQLDD 1 → 2, and C1.6b of SO_VP 3 → 5, above C1.6a = 4: the verified
    # answer itself exceeds its limit.
    write_xlsx(raw, inspection_workbook(base_result, {
        ("SO_CCQLDD", "C1.4"): (2, "", ""),   # steps: ≥2 → 2 (was 1): +1 → 71.91
        ("SO_VP", "C1.6b"): (5, "", ""),      # 5 > C1.6a = 4: C1.6 invalid, 2.25 → 0
    }))
    result = score_round(raw, YEAR, progress=False)
    points = result.points.set_index(["unit_id", "indicator"])
    assert (points.at[("SO_CCQLDD", "C1.4"), "points"],
            points.at[("SO_CCQLDD", "C1.4"), "self_points"]) == (2.0, 1.0)
    assert (points.at[("SO_VP", "C1.6"), "points"], points.at[("SO_VP", "C1.6"), "status"]) == \
        (0.0, "invalid")
    answers = result.answers.set_index(["unit_id", "code"])
    assert (answers.at[("SO_VP", "C1.6b"), "problem"],
            bool(answers.at[("SO_VP", "C1.6b"), "corrected"])) == ("exceeds", True)
    scores = result.scores.set_index("unit_id")
    # SO_VP 72.91 − 2.25 = 70.66; SO_CCQLDD 70.91 + 1 = 71.91: ranks swap.
    assert scores.loc["SO_VP", ["score", "rank"]].tolist() == [70.66, 2]
    assert scores.loc["SO_CCQLDD", ["score", "rank"]].tolist() == [71.91, 1]
    audit = result.corrections.set_index(["unit_id", "code"])
    assert audit.loc[("SO_VP", "C1.6b"), ["points_before", "points_after"]].tolist() == \
        [2.25, 0.0]


def test_an_unreadable_reported_answer_can_be_corrected(make_round):
    # A round whose only submission reports C1.4 = "nhiều" (not a number → 0 points).
    rnd = make_round()
    rnd.add("SO_VP", C1_4="nhiều")
    before = rnd.score()
    assert before.points.set_index("indicator").at["C1.4", "points"] == 0.0
    answers = before.answers.assign(raw_value=before.answers["reported_value"])
    wb = build_inspection_template(answers, before.round.rubric, before.registry)
    wb[SHEET].cell(row_of(wb, "SO_VP", "C1.4"), VERIFIED_COL).value = "1"
    wb.save(rnd.folder / "inspection.xlsx")
    after = rnd.score()
    answer = after.answers.set_index("code").loc["C1.4"]
    assert (answer["reported_value"], answer["raw_value"], answer["status"]) == \
        ("nhiều", "1", "ok")
    assert pd.isna(answer["problem"])
    point = after.points.set_index("indicator").loc["C1.4"]
    assert (point["self_points"], point["points"]) == (0.0, 1.0)  # steps: 1 → 1
    # Before: an error to verify with the unit; after the correction it is no longer a
    # data problem (issue 10: a "4O" corrected to 40 still read "Có 2 lỗi số liệu"), and
    # the correction shows instead.
    assert list(before.issues.loc[before.issues["code"] == "not_number", "cell"]) != []
    assert (after.issues["code"] == "not_number").sum() == 0
    assert (after.issues["severity"] == "error").sum() == 0
    assert list(after.corrections[["code", "reported", "verified"]].itertuples(
        index=False, name=None)) == [("C1.4", "nhiều", "1")]
    # 72.91 − 1 (C1.4 = 0) = 71.91 as reported; 72.91 verified.
    score = after.scores.iloc[0]
    assert (score["self_score"], score["score"], score["score_gap"]) == (71.91, 72.91, 1.0)


# --------------------------------------------------------------------------- csv


def test_a_csv_inspection_file_works_the_same(raw, base_result, main_result):
    from_xlsx = main_result
    path = write_csv(raw, inspection_workbook(base_result, MAIN_FILLS))
    assert path.read_bytes().startswith(b"\xef\xbb\xbf")  # utf-8-sig
    from_csv = score_round(raw, YEAR, progress=False)

    pd.testing.assert_frame_equal(from_csv.scores, from_xlsx.scores)
    pd.testing.assert_frame_equal(from_csv.points, from_xlsx.points)
    pd.testing.assert_frame_equal(from_csv.corrections, from_xlsx.corrections)
    pd.testing.assert_frame_equal(from_csv.answers.drop(columns="raw_value"),
                                  from_xlsx.answers.drop(columns="raw_value"))
    pd.testing.assert_frame_equal(from_csv.issues, from_xlsx.issues)


def test_a_csv_inspection_file_reports_bad_rows_at_their_cell(raw, base_result):
    wb = inspection_workbook(base_result, {("SO_VP", "C1.4"): ("nhiều", "", "")})
    write_csv(raw, wb)
    issues = score_round(raw, YEAR, progress=False).issues
    bad = issues[issues["code"] == "correction_invalid"]
    assert list(zip(bad["file"], bad["sheet"], bad["cell"])) == \
        [("inspection.csv", "", f"H{row_of(wb, 'SO_VP', 'C1.4')}")]


def test_a_minimal_csv_with_unaccented_or_key_headers(raw, base_result):
    # Headers are matched ignoring case and diacritics, or by their keys.
    path = raw / str(YEAR) / "inspection.csv"
    path.write_text("MA DON VI,code,so lieu kiem tra\nSO_VP,C1.2,Không\n",
                    encoding="utf-8-sig")
    result = score_round(raw, YEAR, progress=False)
    assert result.corrections[["unit_id", "code", "reported", "verified"]].values.tolist() == \
        [["SO_VP", "C1.2", "", "Không"]]
    assert result.scores.set_index("unit_id").at["SO_VP", "score"] == 70.91  # 72.91 − 2


# --------------------------------------------------------------------------- bad rows


def test_bad_corrections_are_issues_at_the_verified_cell(raw, base_result):
    n = len(base_result.answers) + 1  # last prefilled row
    wb = inspection_workbook(
        base_result,
        fills={("SO_VP", "C1.4"): ("nhiều", "", "Trần Thị Bình"),   # not a count
               ("SO_VP", "C4.6"): ("Một phần", "", ""),             # not a listed choice
               ("SO_VP", "C1.5"): ("\u00a0 ", "", "")},             # blank: ignored
        extra=[
            ["SO_KHONG_CO", "Không có", "G06", "", "", "", "18", 10, "", ""],      # n + 1
            ["SO_VP", "Văn phòng Sở", "C9.9", "", "", "", "", 1, "", ""],          # n + 2
            ["H_CAILAY", "Phòng TNMT Cai Lậy", "G06", "", "", "", "", 10, "", ""],  # n + 3
            ["SO_VP", "Văn phòng Sở", "G07", "", "", "", "400", None, "", ""],     # n + 4
            ["SO_VP", "Văn phòng Sở", "G08", "", "", "", "600", "", "x", "y"],     # n + 5
        ])
    write_xlsx(raw, wb)
    result = score_round(raw, YEAR, progress=False)
    issues = result.issues[result.issues["code"].str.startswith("correction")]
    got = sorted(zip(issues["code"], issues["file"], issues["sheet"], issues["cell"],
                     issues["unit_id"].fillna(""), issues["value"]))
    c14, c46 = row_of(wb, "SO_VP", "C1.4"), row_of(wb, "SO_VP", "C4.6")
    assert got == sorted([
        ("correction_invalid", "inspection.xlsx", SHEET, f"H{c14}", "SO_VP", "nhiều"),
        ("correction_invalid", "inspection.xlsx", SHEET, f"H{c46}", "SO_VP", "Một phần"),
        ("correction_unit_unknown", "inspection.xlsx", SHEET, f"H{n + 1}", "",
         "SO_KHONG_CO"),
        ("correction_code_unknown", "inspection.xlsx", SHEET, f"H{n + 2}", "SO_VP", "C9.9"),
        ("correction_not_submitted", "inspection.xlsx", SHEET, f"H{n + 3}", "H_CAILAY",
         "H_CAILAY"),
    ])
    assert set(issues["severity"]) == {"error"}
    messages = dict(zip(issues["cell"], issues["message"]))
    assert "không hợp lệ" in messages[f"H{c14}"] and "số nguyên" in messages[f"H{c14}"]
    assert "C1.4" in messages[f"H{c14}"]
    assert "Cập nhật thường xuyên" in messages[f"H{c46}"]  # the expected choices are listed
    assert "không có trong danh mục" in messages[f"H{n + 1}"]
    assert "không có trong phiếu" in messages[f"H{n + 2}"]
    assert "không có bài nộp được chấm" in messages[f"H{n + 3}"]
    assert all(m.startswith(f"Tệp “inspection.xlsx”, trang “{SHEET}”, ô H")
               for m in issues["message"])
    # Nothing was applied: no corrections, verified = reported everywhere.
    assert result.corrections.empty
    assert not result.answers["corrected"].any()
    scores = result.scores
    assert (scores["score"] == scores["self_score"]).all()
    assert (scores["score_gap"] == 0).all()


def test_bad_rows_do_not_stop_the_good_ones(raw, base_result):
    wb = inspection_workbook(
        base_result, {("SO_VP", "C1.2"): ("Không", "", ""), ("SO_VP", "C1.4"): ("nhiều", "", "")},
        extra=[["SO_KHONG_CO", "", "G06", "", "", "", "", 10, "", ""]])
    write_xlsx(raw, wb)
    result = score_round(raw, YEAR, progress=False)
    assert result.corrections[["unit_id", "code"]].values.tolist() == [["SO_VP", "C1.2"]]
    assert result.scores.set_index("unit_id").at["SO_VP", "score"] == 70.91
    codes = result.issues["code"]
    assert (codes == "correction_invalid").sum() == 1
    assert (codes == "correction_unit_unknown").sum() == 1


@pytest.mark.parametrize("drop, missing", [
    ("verified", ["Số liệu kiểm tra"]),
    ("unit_id", ["Mã đơn vị"]),
    ("code", ["Mã mục"]),
])
def test_a_file_without_the_required_columns(raw, base_result, drop, missing):
    wb = inspection_workbook(base_result, MAIN_FILLS)
    ws = wb[SHEET]
    ws.cell(1, list(COLUMNS).index(drop) + 1).value = "Ghi chú"
    write_xlsx(raw, wb)
    result = score_round(raw, YEAR, progress=False)
    issues = result.issues[result.issues["code"] == "inspection_columns"]
    assert list(zip(issues["file"], issues["sheet"], issues["cell"], issues["severity"])) == \
        [("inspection.xlsx", SHEET, "A1", "error")]
    message = issues.iloc[0]["message"]
    assert all(m in message for m in missing)
    assert "cntt inspection-template" in message
    # No correction is applied at all.
    assert result.corrections.empty
    assert (result.scores["score"] == result.scores["self_score"]).all()


def test_read_corrections_skips_blank_verified_cells(base_result, tmp_path):
    # Straight through the functions: the prefilled template has no verified value at all.
    wb = inspection_workbook(base_result)
    path = tmp_path / "inspection.xlsx"
    wb.save(path)
    rubric = base_result.round.rubric
    reported = base_result.answers.drop(columns=["reported_value", "corrected"])
    corrections, issues = read_corrections(path, rubric, base_result.registry, YEAR, reported)
    assert corrections.empty and issues == []
    verified, limit_issues = apply_corrections(reported, corrections, rubric, YEAR)
    assert limit_issues == []
    assert not verified["corrected"].any()
    assert (verified["reported_value"] == verified["raw_value"]).all()


def test_an_unreadable_inspection_file_is_an_issue(raw):
    (raw / str(YEAR) / "inspection.xlsx").write_bytes(b"not a workbook")
    result = score_round(raw, YEAR, progress=False)
    issue = result.issues[result.issues["file"] == "inspection.xlsx"]
    assert list(issue["code"]) == ["file_unreadable"]
    assert result.corrections.empty
    # The inspection file is not a submission either.
    assert "inspection.xlsx" not in set(result.register["file"])


# --------------------------------------------------------------------------- outputs


def test_raw_files_unchanged_and_outputs_identical_on_rerun(main_raw, tmp_path, hash_files):
    raw = main_raw
    before = hash_files(raw)
    first = write_round_xlsx(score_round(raw, YEAR, progress=False), tmp_path / "a")
    second = write_round_xlsx(score_round(raw, YEAR, progress=False), tmp_path / "b")
    assert hash_files(raw) == before  # inspection.xlsx and the submissions untouched
    assert [p.name for p in first] == [p.name for p in second]
    assert "corrections.parquet" in {p.name for p in first}
    assert hash_files(tmp_path / "a") == hash_files(tmp_path / "b")


def test_results_workbook_has_the_corrections_and_shortcomings(main_result, tmp_path):
    result = main_result
    write_round_xlsx(result, tmp_path / "out")
    wb = load_workbook(tmp_path / "out" / "2017" / "ket-qua-2017.xlsx")
    assert {"Điều chỉnh sau kiểm tra", "Tồn tại, hạn chế"} <= set(wb.sheetnames)

    ws = wb["Điều chỉnh sau kiểm tra"]
    header = [c.value for c in ws[HEADER_ROW]]
    assert header == ["Tên đơn vị", "Mục", "Nội dung", "Trang", "Ô", "Đơn vị báo cáo",
                      "Số liệu kiểm tra", "Chỉ tiêu liên quan", "Điểm trước", "Điểm sau",
                      "Lý do", "Người kiểm tra", "Giải trình của đơn vị", "Mã đơn vị"]
    rows = [[c.value for c in row] for row in ws.iter_rows(min_row=HEADER_ROW + 1)]
    computers, rules = "Tổng số máy tính đang sử dụng", load_rubric("2017").inputs["C1.2"].label
    assert rows == [
        ["Phòng Tài nguyên và Môi trường huyện Tân Phước", "G06", computers,
         "Thông tin chung", "D10", "18", "20", "C2.1, C2.2, C2.4, C5.4", 7.6, 10.6,
         "Bổ sung 2 máy chưa kê khai", "Lê Văn Cường", None, "H_TANPHUOC"],
        ["Văn phòng Sở", "C1.2", rules, "C1. Văn bản chỉ đạo", "D6", "Có", "Không", "C1.2",
         2, 0, "Chưa ban hành quy chế", "Trần Thị Bình", None, "SO_VP"],
        ["Văn phòng Sở", "G06", computers, "Thông tin chung", "D10", "18", "16",
         "C2.1, C2.2, C2.4, C5.4", 10.1, 7.14, "Kiểm tra thực tế: 2 máy đã thanh lý",
         "Trần Thị Bình", None, "SO_VP"],
    ]

    ws = wb["Tồn tại, hạn chế"]
    header = [c.value for c in ws[HEADER_ROW]]
    assert header[:3] == ["Tên đơn vị", "Chỉ tiêu", "Nội dung"]
    assert header[-2:] == ["Hướng khắc phục", "Mã đơn vị"]
    rows = [[c.value for c in row] for row in ws.iter_rows(min_row=HEADER_ROW + 1)]
    assert len(rows) == len(result.shortcomings) > 0
    listed = {(r[-1], r[1]): (r[3], r[4], r[5]) for r in rows}  # points, max, lost
    # Shortcomings come from the verified points: SO_VP lost all of C2.4 (invalid after the
    # inspection) and of C1.2; H_TANPHUOC's C2.2 (0 as reported) is no longer one (3 / 3).
    assert listed[("SO_VP", "C2.4")] == (0, 3, 3)
    assert listed[("SO_VP", "C1.2")] == (0, 2, 2)
    assert ("H_TANPHUOC", "C2.2") not in listed
    assert ("SO_VP", "C1.3") in listed  # 0 / 3 as reported, too


# --------------------------------------------------------------------------- CLI


@pytest.fixture
def cntt():
    runner = CliRunner()

    def run(*args):
        return runner.invoke(app, [str(a) for a in args])
    return run


def test_cli_inspection_template_writes_the_prefilled_file(cntt, raw):
    result = cntt("inspection-template", "--year", YEAR, "--raw", raw)
    assert result.exit_code == 0, result.output
    path = raw / str(YEAR) / "inspection.xlsx"
    assert "Đã tạo tệp kiểm tra" in result.stdout and "(3 đơn vị)" in result.stdout
    ws = load_workbook(path)[SHEET]
    assert [c.value for c in ws[1]] == list(COLUMNS.values())
    rows = [[c.value for c in row] for row in ws.iter_rows(min_row=2)]
    n_inputs = len(load_rubric("2017").inputs)  # 50
    assert len(rows) == 3 * n_inputs  # one per scored unit × answer code (H_CAILAY missing)
    assert sorted({r[0] for r in rows}) == ["H_TANPHUOC", "SO_CCQLDD", "SO_VP"]
    by_key = {(r[0], r[2]): r for r in rows}
    assert by_key[("SO_VP", "G06")][3:8] == ["Tổng số máy tính đang sử dụng",
                                             "Thông tin chung", "D10", 18, None]
    assert by_key[("H_TANPHUOC", "C2.2")][6] == 20
    assert by_key[("SO_CCQLDD", "C2.5")][6] == "Không"
    assert by_key[("SO_VP", "G01")][1] == "Văn phòng Sở"
    assert all(r[7] is None and r[8] is None and r[9] is None for r in rows)

    # Scoring with the untouched template: no corrections, no issue, not a submission.
    scored = score_round(raw, YEAR, progress=False)
    assert scored.corrections.empty
    assert not scored.issues["file"].eq("inspection.xlsx").any()
    assert "inspection.xlsx" not in set(scored.register["file"])


def test_cli_inspection_template_refuses_to_overwrite(cntt, main_raw, tmp_path, hash_files):
    raw = Path(shutil.copytree(main_raw, tmp_path / "raw"))
    path = raw / str(YEAR) / "inspection.xlsx"
    before = hash_files(raw)
    result = cntt("inspection-template", "--year", YEAR, "--raw", raw)
    assert result.exit_code == 2, result.output
    assert "Traceback" not in result.output
    assert result.stderr.startswith("Lỗi: ")
    assert "đã có" in result.stderr and "--force" in result.stderr
    assert hash_files(raw) == before

    # --force regenerates it with the values the units reported (not the verified ones).
    result = cntt("inspection-template", "--year", YEAR, "--raw", raw, "--force")
    assert result.exit_code == 0, result.output
    rows = {(r[0], r[2]): r for r in load_workbook(path)[SHEET].iter_rows(min_row=2,
                                                                          values_only=True)}
    assert rows[("SO_VP", "G06")][6:8] == (18, None)
    assert rows[("SO_VP", "C1.2")][6:8] == ("Có", None)


def test_cli_inspection_template_out_option(cntt, raw, tmp_path):
    out = tmp_path / "kiem-tra" / "2017.xlsx"
    result = cntt("inspection-template", "--year", YEAR, "--raw", raw, "--out", out)
    assert result.exit_code == 0, result.output
    assert out.is_file()
    assert not (raw / str(YEAR) / "inspection.xlsx").exists()
    again = cntt("inspection-template", "--year", YEAR, "--raw", raw, "--out", out)
    assert again.exit_code == 2



# --------------------------------------------------------------------------- issue 10 §3


def declare(raw: Path, value: str) -> None:
    """Add `inspection: value` to the round's round.yaml (the IT Centre confirming a file)."""
    config = raw / str(YEAR) / "round.yaml"
    config.write_text(config.read_text(encoding="utf-8") + f"inspection: {value}\n",
                      encoding="utf-8")


def applied(result) -> list[tuple[str, str]]:
    fixes = result.corrections[result.corrections["kind"] == "correction"]
    return list(zip(fixes["unit_id"], fixes["code"]))


def test_a_renamed_inspection_file_is_reported_and_applied_once_declared(raw, base_result):
    """Issue 10 §3 read "inspection (ban sua).xlsx" as a submission and silently dropped
    its corrections; issue 17: recognised by content, it is reported (it could be a
    unit's), not applied, until round.yaml declares it."""
    wb = inspection_workbook(base_result, {("SO_VP", "G06"): ("16", "Đếm lại", "Lan")})
    wb.save(raw / str(YEAR) / "inspection (ban sua).xlsx")
    result = score_round(raw, YEAR, progress=False)
    assert applied(result) == []
    found = result.issues[result.issues["code"] == "inspection_candidate"]
    assert list(found["file"]) == ["inspection (ban sua).xlsx"]
    assert 'inspection: "inspection (ban sua).xlsx"' in found["message"].iloc[0]
    # its inspection rows (codes and values) are not read as a unit's answers: one issue,
    # not one per row that is no number
    own = result.issues[result.issues["file"] == "inspection (ban sua).xlsx"]
    assert list(own["code"]) == ["inspection_candidate"]

    declare(raw, '"inspection (ban sua).xlsx"')
    result = score_round(raw, YEAR, progress=False)
    assert "inspection (ban sua).xlsx" not in set(result.register["file"])
    assert applied(result) == [("SO_VP", "G06")]
    assert "inspection_candidate" not in set(result.issues["code"])


def test_cntt_score_says_a_look_alike_inspection_file_is_not_applied(raw, base_result,
                                                                     tmp_path):
    from typer.testing import CliRunner

    from cntt_analysis.cli import app

    wb = inspection_workbook(base_result, {("SO_VP", "G06"): ("16", "Đếm lại", "Lan")})
    wb.save(raw / str(YEAR) / "kiem tra ban sua.xlsx")
    said = CliRunner().invoke(app, ["score", "--raw", str(raw), "--processed",
                                    str(tmp_path / "processed")])
    assert said.exit_code == 0, said.output
    assert "chưa được xác nhận: “kiem tra ban sua.xlsx”" in said.output
    assert "round.yaml" in said.output


def test_two_inspection_files_are_an_error_naming_both(raw, base_result):
    from cntt_analysis.errors import UsageError

    wb = inspection_workbook(base_result, {("SO_VP", "G06"): ("16", "Đếm lại", "Lan")})
    write_xlsx(raw, wb)
    wb.save(raw / str(YEAR) / "kiem tra moi.xlsx")
    declare(raw, "kiem tra moi.xlsx")
    with pytest.raises(UsageError) as caught:
        score_round(raw, YEAR, progress=False)
    assert "“inspection.xlsx”" in str(caught.value)
    assert "“kiem tra moi.xlsx”" in str(caught.value)


def test_an_unreadable_inspection_file_says_so_in_vietnamese_only(raw):
    (raw / str(YEAR) / "inspection.xlsx").write_bytes(b"PK\x03\x04 broken")
    result = score_round(raw, YEAR, progress=False)
    issue = result.issues[result.issues["file"] == "inspection.xlsx"].iloc[0]
    assert "Error" not in issue["message"] and "Zip" not in issue["message"]
    assert "tệp kiểm tra, thẩm định" in issue["message"] and issue["value"] == ""


def test_an_inspectors_unreadable_entry_is_an_inspection_file_problem(raw, base_result):
    from cntt_analysis.scoring.inspection import inspection_issue_mask

    write_xlsx(raw, inspection_workbook(base_result, {("SO_VP", "G06"): ("mười", "", "Lan")}))
    result = score_round(raw, YEAR, progress=False)
    mask = inspection_issue_mask(result.issues)
    assert list(result.issues.loc[mask, "code"]) == ["correction_invalid"]
    # the unit's own data issues do not count it
    assert "correction_invalid" not in set(result.issues.loc[~mask, "code"])


def test_a_correction_that_moves_other_units_points_is_explained(raw, base_result):
    """C2.3 (bandwidth per official) is scored against the best of the group: correcting
    one unit's bandwidth moves the others' points, and the audit says so."""
    before = base_result.points
    write_xlsx(raw, inspection_workbook(base_result,
                                        {("SO_VP", "C2.3"): ("100000", "Đo lại", "Lan")}))
    result = score_round(raw, YEAR, progress=False)
    audit_rows = result.corrections
    knock = audit_rows[audit_rows["kind"] == "knock_on"]
    moved = result.points.merge(before[["unit_id", "indicator", "points"]],
                                on=["unit_id", "indicator"], suffixes=("", "_before"))
    moved = moved[(moved["points"] != moved["points_before"]) & (moved["unit_id"] != "SO_VP")]
    assert set(moved["unit_id"]) == set(knock["unit_id"]) and len(knock) > 0
    for r in knock.itertuples():
        assert "C2.3" in r.indicators and "(C2.3)" in r.reason and r.code == ""
        assert r.points_before != r.points_after


# --------------------------------------------------------------------------- what Excel shows

# Reported answers as units typed them in Vietnamese (text), beside the base round's own
# typed cells: the template must show them as Excel numbers and dates all the same.
TYPED_AS_TEXT = {("SO_VP", "G11"): "8.635,8", ("SO_VP", "G03"): "26/07/2017",
                 ("SO_CCQLDD", "G03"): "2017-08-03", ("SO_CCQLDD", "C2.3"): "52,6"}
REPORTED_COL = list(COLUMNS).index("reported") + 1  # G


def _vietnamese_answers(base_result):
    answers = base_result.answers.assign(raw_value=base_result.answers["reported_value"])
    for (unit_id, code), text in TYPED_AS_TEXT.items():
        answers.loc[(answers["unit_id"] == unit_id) & (answers["code"] == code),
                    "raw_value"] = text
    return answers


def test_the_inspection_file_shows_dates_and_numbers_as_excel_cells(base_result):
    answers = _vietnamese_answers(base_result)
    wb = build_inspection_template(answers, base_result.round.rubric, base_result.registry)
    ws = wb[SHEET]
    cell = {(ws.cell(r, 1).value, ws.cell(r, 3).value): ws.cell(r, REPORTED_COL)
            for r in range(2, ws.max_row + 1)}
    g03 = cell[("SO_VP", "G03")]
    assert g03.is_date and g03.value == dt.date(2017, 7, 26)
    assert g03.number_format == "dd/mm/yyyy"
    assert cell[("SO_CCQLDD", "G03")].value == dt.date(2017, 8, 3)
    assert cell[("SO_VP", "G11")].value == 8635.8 and cell[("SO_VP", "G11")].data_type == "n"
    assert cell[("SO_CCQLDD", "C2.3")].value == 52.6
    assert cell[("SO_VP", "G06")].value == 18 and cell[("SO_VP", "G06")].number_format == "#,##0"
    assert cell[("SO_VP", "G02")].value == 2017
    assert cell[("SO_CCQLDD", "C2.5")].value == "Không"           # text stays text
    verified = ws.cell(g03.row, VERIFIED_COL)
    assert verified.number_format == "dd/mm/yyyy"               # what an inspector types too


def _copied_to_verified(base_result, answers, path):
    """The template with every reported answer copied, cell for cell, into the verified
    column: reading it back must give each answer exactly as intake read the unit's."""
    wb = build_inspection_template(answers, base_result.round.rubric, base_result.registry)
    ws = wb[SHEET]
    for r in range(2, ws.max_row + 1):
        ws.cell(r, VERIFIED_COL).value = ws.cell(r, REPORTED_COL).value
    wb.save(path)
    return path


@pytest.mark.parametrize("saved_by", ["openpyxl", "libreoffice"])
def test_the_inspection_file_reads_back_exactly(base_result, tmp_path, libreoffice, saved_by):
    answers = _vietnamese_answers(base_result)
    rubric = base_result.round.rubric
    path = _copied_to_verified(base_result, answers, tmp_path / "inspection.xlsx")
    if saved_by == "libreoffice":
        path = libreoffice(path, "xlsx", tmp_path / "lo")
        g03 = next(row for row in load_workbook(path)[SHEET].iter_rows(min_row=2)
                   if (row[0].value, row[2].value) == ("SO_VP", "G03"))[REPORTED_COL - 1]
        assert g03.is_date and g03.number_format.lower() == "dd/mm/yyyy"
    corrections, issues = read_corrections(path, rubric, base_result.registry, YEAR, answers)
    assert issues == []
    read = corrections.set_index(["unit_id", "code"])
    expected = answers[~answers["raw_value"].map(is_blank)]
    assert len(read) == len(expected)
    for row in expected.itertuples(index=False):
        want = parse_answer(row.raw_value, rubric.inputs[row.code])
        got = read.loc[(row.unit_id, row.code)]
        assert (got["status"], got["value"]) == (want.status, want.value), (row.code, got)
        if want.number is not None:
            assert got["number"] == want.number, row.code
    assert read.loc[("SO_VP", "G03"), "reported"] == "26/07/2017"
    assert read.loc[("SO_CCQLDD", "G03"), "reported"] == "03/08/2017"
    assert read.loc[("SO_VP", "G11"), "reported"] == "8635,8"
    assert read.loc[("SO_VP", "G11"), "value"] == "8635.8"


# --- Text XML cannot hold (issue 17) ----------------------------------------------------

# Characters a unit's workbook or an inspection file can carry that XML cannot hold, or
# Unicode reserves, by class. The first two are the issue's; then one case per class.
FORBIDDEN = {
    "U+FFFE": "\ufffe", "U+FFFF": "\uffff",                       # the examples
    "noncharacter U+FDD0": "\ufdd0", "noncharacter U+1FFFE": "\U0001fffe",
    "noncharacter U+10FFFF": "\U0010ffff",
    "C0 control U+0001": "\x01", "C0 control U+001B": "\x1b", "DEL": "\x7f",
}
# Lone surrogates cannot be written to a UTF-8 file; they reach writers from Python only.
SURROGATES = {"lone high surrogate": "\ud800", "lone low surrogate": "\udfff"}


def _with_raw_text(path: Path, marker: str, text: str) -> None:
    """Put `text` in a workbook's XML as raw UTF-8 (what other tools write; openpyxl
    refuses to), where it holds `marker`."""
    import zipfile

    with zipfile.ZipFile(path) as src:
        parts = [(i, src.read(i.filename)) for i in src.infolist()]
    with zipfile.ZipFile(path, "w", zipfile.ZIP_DEFLATED) as dst:
        for info, data in parts:
            dst.writestr(info, data.replace(marker.encode(), text.encode("utf-8")))


def _xml_parts(path: Path) -> str:
    """The text of a workbook's or document's XML parts, each checked well-formed (what
    Word and Excel require; lxml refuses the characters XML cannot hold)."""
    import zipfile

    from lxml import etree

    with zipfile.ZipFile(path) as z:
        parts = [z.read(n) for n in z.namelist() if n.endswith((".xml", ".rels"))]
    return "\n".join("".join(etree.fromstring(part).itertext()) for part in parts)


@pytest.mark.parametrize("char", FORBIDDEN.values(), ids=FORBIDDEN.keys())
def test_text_xml_cannot_hold_is_dropped_from_every_workbook_and_document(
        base_raw, tmp_path, char):
    """In an inspector's reason, a unit's explanation and a unit's remark (G12): before,
    `cntt inspection-template` stopped with an lxml traceback (U+FFFE, U+FFFF) and
    the results workbook and documents carried characters Word and Excel refuse."""
    from docx import Document

    raw = tmp_path / "raw"
    shutil.copytree(base_raw, raw)
    for submission in (raw / str(YEAR)).glob("*.xlsx"):
        book = load_workbook(submission)
        for ws in book.worksheets:
            for row in ws.iter_rows():
                for cell in row:
                    if isinstance(cell.value, str) and cell.value == VALID_ANSWERS["G12"]:
                        cell.value = "Khó khăn@@X@@ máy chủ"
        book.save(submission)
        _with_raw_text(submission, "@@X@@", char)
    unit = sorted(p.stem for p in (raw / str(YEAR)).glob("*.xlsx"))[0]
    (raw / str(YEAR) / "inspection.csv").write_text(
        "unit_id,code,verified,reason,explanation\n"
        f'{unit},G06,15,Kiểm kê{char} có 15 máy,"Giải{char} trình"\n', encoding="utf-8")
    processed, reports = tmp_path / "processed", tmp_path / "reports"
    template = tmp_path / "kiem-tra.xlsx"

    runs = [["score", "--quiet", "--processed", processed],
            ["inspection-template", "--out", template],
            ["documents", "--processed", processed, "--reports", reports]]
    for args in runs:
        result = CliRunner().invoke(app, [*map(str, args), "--year", str(YEAR),
                                          "--raw", str(raw)])
        assert result.exit_code == 0, (args[0], result.output, result.exception)

    outputs = [template, processed / str(YEAR) / f"ket-qua-{YEAR}.xlsx",
               *sorted((reports / str(YEAR)).rglob("*.docx"))]
    assert len(outputs) > 3
    for path in outputs:
        text = _xml_parts(path)
        assert char not in text, path
        (load_workbook if path.suffix == ".xlsx" else Document)(path)  # opens
    assert "Kiểm kê có 15 máy" in _xml_parts(processed / str(YEAR) / f"ket-qua-{YEAR}.xlsx")
    assert "Khó khăn máy chủ" in _xml_parts(template)
    report = next(p for p in outputs if p.name.startswith("bao-cao"))
    assert "Giải trình" in _xml_parts(report)


@pytest.mark.parametrize("char", [*FORBIDDEN.values(), *SURROGATES.values()],
                         ids=[*FORBIDDEN, *SURROGATES])
def test_the_one_sanitiser_makes_text_every_xml_writer_takes(tmp_path, char):
    """`printable` is what Excel (openpyxl, xlsxwriter), Word (python-docx, docxtpl) and
    the HTML pages use: each writer takes its result, tab and line breaks kept."""
    import xlsxwriter
    from docx import Document
    from lxml import etree
    from openpyxl import Workbook

    from cntt_analysis.report.html.blocks import paragraphs
    from cntt_analysis.report.word import docx_format
    from cntt_analysis.storage import put, write_workbook
    from cntt_analysis.text import printable

    text = f"Lý do{char}: máy\tchủ\r\nhỏng"
    assert printable(text) == "Lý do: máy\tchủ\r\nhỏng"
    etree.Element("t").text = printable(text)  # lxml refuses anything XML cannot hold
    wb = Workbook()
    put(wb.active, 1, 1, text)
    write_workbook(wb, tmp_path / "a.xlsx")
    assert load_workbook(tmp_path / "a.xlsx").active["A1"].value == printable(text)
    doc = Document()
    docx_format.text_run(doc.add_paragraph(), text, 13)
    doc.save(tmp_path / "a.docx")
    book = xlsxwriter.Workbook(tmp_path / "b.xlsx")
    book.add_worksheet().write_string(0, 0, printable(text))
    book.close()
    for path in ("a.xlsx", "a.docx", "b.xlsx"):
        assert char not in _xml_parts(tmp_path / path)
    html = paragraphs([text]).data
    assert char not in html and "Lý do: máy" in html
# --------------------------------------------------------------------------- issue 17: trust


def _forged(raw: Path, base_result, case: str) -> Path:
    """SO_VP's own valid workbook with a sheet like the inspectors' in it, "correcting"
    SO_CCQLDD's G06 from 20 down to 1 (what a unit must never be able to do)."""
    from openpyxl import load_workbook as load

    path = raw / str(YEAR) / "SO_VP.xlsx"
    wb = load(path)
    ws = wb.create_sheet(SHEET)
    ws.sheet_state = "visible" if case == "visible_sheet" else "hidden"
    ws.append(list(COLUMNS.values()))
    row = {"unit_id": "SO_CCQLDD", "code": "G06", "verified": 1, "reason": "Đếm lại"}
    ws.append([row.get(k) for k in COLUMNS])
    if case == "with_mark":  # the mark copied from a real inspection file
        from cntt_analysis.intake.inspection_file import MARK_SHEET, mark_rows

        mark = wb.create_sheet(MARK_SHEET)
        mark.sheet_state = "veryHidden"
        for key, value in mark_rows(YEAR, base_result.round.rubric.id):
            mark.append([key, value])
    target = path.with_name("SO_VP inspection.xlsx") if case == "named_like" else path
    wb.save(target)
    if target != path:
        path.unlink()
    return target


@pytest.mark.parametrize("case", ["hidden_sheet", "visible_sheet", "with_mark", "named_like"])
def test_a_units_workbook_never_acts_as_the_inspection_file(raw, base_result, case):
    """Issue 17: SO_VP's workbook with a hidden "Kiểm tra" sheet was taken as the
    inspectors' file: SO_VP's own report dropped ("Chưa nộp") and its forged correction
    lowered SO_CCQLDD's score. Now it stays SO_VP's submission, reported, not applied."""
    file = _forged(raw, base_result, case).name
    result = score_round(raw, YEAR, progress=False)
    assert applied(result) == [] and result.corrections.empty
    register = result.register.set_index("unit_id")
    assert register.loc["SO_VP", "status"] == "Đã nộp"
    assert register.loc["SO_VP", "file"] == file
    base = base_result.scores.set_index("unit_id")["score"]
    assert result.scores.set_index("unit_id")["score"].to_dict() == base.to_dict()
    found = result.issues[result.issues["code"] == "inspection_candidate"]
    assert list(found["file"]) == [file] and list(found["unit_id"]) == ["SO_VP"]
    assert "không được áp dụng" in found["message"].iloc[0]


@pytest.mark.parametrize("case", ["unmarked", "other_year", "other_rubric"])
def test_an_inspection_xlsx_without_this_rounds_mark_is_held_until_declared(
        raw, base_result, case):
    """Named inspection.xlsx but not written by `cntt inspection-template` for this round:
    not applied (an inspection-file issue says why and how to confirm), applied once
    round.yaml declares it."""
    from cntt_analysis.intake.inspection_file import MARK_SHEET

    wb = inspection_workbook(base_result, {("SO_VP", "G06"): (16, "Đếm lại", "Lan")})
    if case == "unmarked":
        del wb[MARK_SHEET]
    else:
        mark = wb[MARK_SHEET]
        row = 2 if case == "other_year" else 3
        mark.cell(row, 2).value = 2016 if case == "other_year" else "2016"
    write_xlsx(raw, wb)
    result = score_round(raw, YEAR, progress=False)
    assert applied(result) == []
    found = result.issues[result.issues["code"] == "inspection_not_confirmed"]
    assert list(found["file"]) == ["inspection.xlsx"]
    message = found["message"].iloc[0]
    assert 'inspection: "inspection.xlsx"' in message
    assert ("cntt inspection-template" in message) if case == "unmarked" else \
        ("năm 2016" in message or "phiếu 2016" in message)

    declare(raw, "inspection.xlsx")
    assert applied(score_round(raw, YEAR, progress=False)) == [("SO_VP", "G06")]


@pytest.mark.parametrize("value, expected", [
    ("../units.csv", "ra ngoài thư mục"),
    ("/etc/passwd", "không hợp lệ"),
    ("khong-co.xlsx", "tệp không có"),
    ("[1, 2]", "không hợp lệ"),
])
def test_a_declared_inspection_path_must_be_a_file_in_the_round_folder(cntt, raw, value,
                                                                       expected):
    declare(raw, value)
    result = cntt("score", "--year", YEAR, "--raw", raw, "--processed", raw.parent / "p")
    assert result.exit_code == 2, result.output
    assert "round.yaml" in result.stderr and "'inspection'" in result.stderr
    assert expected in result.stderr and "Traceback" not in result.output
    assert not (raw.parent / "p").exists()


CONFLICTS = {
    # two rows, different values: the issue's example
    "two_values": [("32", "38")],
    # three rows, two agreeing: still a conflict, none applied
    "three_rows": [("32", "32", "38")],
    # the same figure written two ways ("32" and "32,0"): one correction, no conflict
    "same_value": [("32", "32,0")],
}


@pytest.mark.parametrize("fmt", ["xlsx", "csv"])
@pytest.mark.parametrize("case", list(CONFLICTS))
def test_rows_verifying_one_answer_with_different_values_apply_none(raw, base_result, case,
                                                                    fmt):
    """Issue 17: two rows for SO_VP G06 (32 and 38): the last won, silently."""
    values = CONFLICTS[case][0]
    wb = inspection_workbook(base_result, {("SO_VP", "G06"): (values[0], "Đếm", "Lan"),
                                           ("SO_VP", "C1.2"): ("Không", "Chưa có", "Lan")})
    first = row_of(wb, "SO_VP", "G06")
    template = [c.value for c in wb[SHEET][first]]
    for value in values[1:]:
        wb[SHEET].append([value if i == VERIFIED_COL - 1 else v
                          for i, v in enumerate(template)])
    (write_csv if fmt == "csv" else write_xlsx)(raw, wb)
    result = score_round(raw, YEAR, progress=False)
    found = result.issues[result.issues["code"] == "correction_conflict"]
    if case == "same_value":
        assert found.empty
        assert sorted(applied(result)) == [("SO_VP", "C1.2"), ("SO_VP", "G06")]
        return
    # The other correction is applied; neither of the conflicting ones.
    assert applied(result) == [("SO_VP", "C1.2")]
    assert len(found) == 1
    issue = found.iloc[0]
    letter = chr(ord("A") + VERIFIED_COL - 1)
    last = wb[SHEET].max_row
    assert (issue["unit_id"], issue["value"], issue["cell"], issue["severity"]) == \
        ("SO_VP", "G06", f"{letter}{first}", "error")
    for r in [first, *range(last - len(values) + 2, last + 1)]:
        assert f"dòng {r} (ô {letter}{r})" in issue["message"]
    assert "“32”" in issue["message"] and "“38”" in issue["message"]
    assert "Không áp dụng dòng nào" in issue["message"]


def test_the_shipped_demo_applies_its_inspection_file(tmp_path):
    """The demo's 2017 round (data/raw) carries an inspection file `cntt demo` writes: it is
    the IT Centre's (marked), so its corrections are applied, none held, no candidate."""
    from cntt_analysis.scoring.pipeline import score_round

    raw = tmp_path / "raw"
    shutil.copytree(Path(__file__).resolve().parents[1] / "data" / "raw", raw)
    result = score_round(raw, 2017, progress=False)
    codes = set(result.issues["code"])
    assert not codes & {"inspection_not_confirmed", "inspection_candidate",
                        "correction_conflict"}
    assert len(result.corrections) >= 4


@settings(max_examples=3000, deadline=None)
@given(st.text(alphabet=st.characters(codec=None, exclude_categories=())))
def test_printable_drops_exactly_what_xml_cannot_hold(text):
    from cntt_analysis.text import _ILLEGAL_XML, printable

    assert printable(text) == _ILLEGAL_XML.sub("", text)


def test_printable_decides_every_code_point_as_the_xml_rule_does():
    """Its shortcut (a printable text is kept as it is) drops nothing XML can hold and
    keeps nothing it cannot, code point by code point."""
    from cntt_analysis.text import _ILLEGAL_XML, printable

    wrong = [c for c in range(0x110000)
             if printable(f"a{chr(c)}b") != _ILLEGAL_XML.sub("", f"a{chr(c)}b")]
    assert wrong == []
    for ch in ("\ufdd0", "\ufffe", "\U0010ffff", "\ud800", "\x0b", "\x7f"):
        assert printable(f"a{ch}b") == "ab"
