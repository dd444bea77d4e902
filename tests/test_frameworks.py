"""A province's own framework end to end: groups sở and xã from the rubric, each unit's
template asking only its own indicators, the registry checked against the round's rubric,
and a round scored with indicators for only some units and a unit assessed but not ranked.

The rubric is tests/rubrics/constructs.yaml (its points are worked out in
tests/test_constructs.py); workbooks are written by `cntt template` and filled with openpyxl.
"""

from __future__ import annotations

import csv
import shutil
from pathlib import Path

import pandas as pd
import pytest
from openpyxl import load_workbook
from test_cli import assert_clean_failure
from test_constructs import ANSWERS, POINTS
from typer.testing import CliRunner

from cntt_analysis.cli import app
from cntt_analysis.intake.templates import template_cells
from cntt_analysis.rubric.model import load_rubric
from cntt_analysis.scoring.pipeline import TABLES, load_processed, score_round, write_round

RUBRIC_FILE = Path(__file__).parent / "rubrics" / "constructs.yaml"
RUBRIC = load_rubric(RUBRIC_FILE)
YEAR = 2025
UNITS = [  # unit_id, name, group, aliases, kinh_te_so, ranked
    ("S1", "Sở Tài chính", "so", "", "có", ""),
    ("S2", "Sở Nội vụ", "so", "", "", ""),
    ("S3", "Sở Công Thương", "so", "", "x", ""),
    ("X1", "Xã Tân Phước", "xa", "", "", ""),
    ("X2", "Đặc khu Côn Đảo", "xa", "", "", "không"),
    ("X3", "Phường Mỹ Tho", "xa", "", "", ""),
]
HEADER = ["unit_id", "name", "group", "aliases", "kinh_te_so", "ranked"]


@pytest.fixture
def cntt():
    """Run ``cntt ARGS…`` in-process; returns the click Result."""
    runner = CliRunner()
    return lambda *args: runner.invoke(app, [str(a) for a in args])


def province(tmp_path: Path, units=UNITS, header=HEADER, round_extra: str = "") -> Path:
    raw = tmp_path / "raw"
    (raw / str(YEAR)).mkdir(parents=True)
    shutil.copy(RUBRIC_FILE, raw / str(YEAR) / "khung-2025.yaml")
    with (raw / "units.csv").open("w", encoding="utf-8", newline="") as handle:
        writer = csv.writer(handle)
        writer.writerow(header)
        writer.writerows(units)
    (raw / str(YEAR) / "round.yaml").write_text(
        "deadline: 2025-12-15\nrubric: khung-2025.yaml\n"
        "unit_lists:\n  thi_diem: [S1, S3]\n" + round_extra, encoding="utf-8")
    return raw


def cells_of(path: Path) -> dict[str, tuple[str, str]]:
    """code → (sheet, cell) from a template's hidden ``_cells`` sheet."""
    rows = list(load_workbook(path)["_cells"].iter_rows(values_only=True))
    return {r[0]: (r[1], r[2]) for r in rows[1:]}


def test_template_for_a_province_with_groups_so_and_xa(cntt, tmp_path):
    raw = province(tmp_path)
    result = cntt("template", "--year", YEAR, "--raw", raw, "--out", tmp_path / "bm")
    assert result.exit_code == 0, result.output
    assert sorted(p.name for p in (tmp_path / "bm").iterdir()) == [
        f"{u[0]}.xlsx" for u in UNITS]
    general = ["G01", "G02", "G03"]
    asked = {u: list(cells_of(tmp_path / "bm" / f"{u}.xlsx")) for u in ("S1", "S2", "X1")}
    # a xã is asked the xã framework only
    assert asked["X1"] == [*general, "P1.1", "P1.2", "P1.3a", "P1.3b", "P2.1", "P2.4"]
    # a sở tasked with the digital economy (column kinh_te_so) and on the round's list
    # thi_diem gets P3; the appraiser's P2.2a and the portal's P3.1a are never asked
    assert asked["S1"] == [*general, "P1.1", "P1.2", "P1.3a", "P1.3b", "P2.1", "P2.2b",
                           "P2.3a", "P2.3b", "P3.1b", "P3.2"]
    assert asked["S2"] == [*general, "P1.1", "P1.2", "P1.3a", "P1.3b", "P2.1", "P2.2b",
                           "P2.3a", "P2.3b"]
    x1 = load_workbook(tmp_path / "bm" / "X1.xlsx")
    assert "Kinh tế số" not in " ".join(x1.sheetnames) and "P3" not in x1.sheetnames
    assert x1["P2"]["A1"].value == "Tiêu chí P2: Hạ tầng và nền tảng số (tối đa 20 điểm)"
    s1 = load_workbook(tmp_path / "bm" / "S1.xlsx")
    assert s1["P2"]["A1"].value == "Tiêu chí P2: Hạ tầng và nền tảng số (tối đa 30 điểm)"
    hints = {row[0]: row[-1] for row in s1["P3"].iter_rows(min_row=5, values_only=True)}
    assert "đơn vị không điền: Số hồ sơ nộp trực tuyến lấy từ hệ thống Cổng dịch vụ công " \
           "của tỉnh" in hints["P3.1"]
    hints = {row[0]: row[-1] for row in s1["P2"].iter_rows(min_row=5, values_only=True)}
    assert "Số hệ thống đã được phê duyệt cấp độ do cơ quan thẩm định cung cấp" in hints["P2.2"]


def test_a_group_the_rubric_lacks_names_the_file_the_line_and_the_groups(cntt, tmp_path):
    raw = province(tmp_path, [*UNITS[:4], ("H1", "Huyện Cái Bè", "huyen", "", "", ""),
                              *UNITS[4:]])
    for command in (["template", "--out", tmp_path / "bm"],
                    ["score", "--processed", tmp_path / "p"]):
        result = cntt(*command, "--year", YEAR, "--raw", raw)
        assert_clean_failure(result, "units.csv", "dòng 6", "khối “huyen” không hợp lệ",
                             "khung-2025.yaml", "“so” (Khối sở, ban, ngành)",
                             "“xa” (Khối xã, phường, đặc khu)")


def test_a_unit_of_a_group_no_longer_assessed_is_not_checked(tmp_path):
    # a huyện that existed until 2024 stays in units.csv; the 2025 rubric has no huyện
    header = [*HEADER, "until"]
    units = [(*u, "") for u in UNITS] + [("H1", "Huyện Cái Bè", "huyen", "", "", "", "2024")]
    raw = province(tmp_path, units, header)
    result = score_round(raw, YEAR, progress=False)
    assert "H1" not in set(result.register["unit_id"])


@pytest.mark.parametrize("units,header,round_extra,phrases", [
    ([u[:5] for u in UNITS], HEADER[:5], "", ()),  # no ranked column: every unit ranked
    ([(*u[:4], u[5]) for u in UNITS], [*HEADER[:4], "ranked"], "",
     ("chưa có cột “kinh_te_so”", "P3.1", "khung-2025.yaml")),
    ([*UNITS[:2], ("S3", "Sở Công Thương", "so", "", "x", "hạng 2"), *UNITS[3:]], HEADER, "",
     ("units.csv", "dòng 4", "cột ranked ghi “hạng 2”", "“có” hoặc “không”")),
    (UNITS, HEADER, "not_ranked: [X9]\n",
     ("round.yaml: mục 'not_ranked' có mã đơn vị không có trong danh mục", "X9")),
])
def test_registry_flags_are_checked(cntt, tmp_path, units, header, round_extra, phrases):
    raw = province(tmp_path, units, header, round_extra)
    result = cntt("template", "--year", YEAR, "--raw", raw, "--out", tmp_path / "bm")
    if not phrases:
        assert result.exit_code == 0, result.output
    else:
        assert_clean_failure(result, *phrases)


def test_a_list_the_rubric_reads_must_be_in_round_yaml(cntt, tmp_path):
    raw = province(tmp_path)
    config = raw / str(YEAR) / "round.yaml"
    config.write_text("deadline: 2025-12-15\nrubric: khung-2025.yaml\n", encoding="utf-8")
    result = cntt("template", "--year", YEAR, "--raw", raw, "--out", tmp_path / "bm")
    assert_clean_failure(result, "round.yaml: thiếu danh sách 'unit_lists.thi_diem'", "P3.2")


def _fill(template: Path, out: Path, answers: dict[str, object]) -> Path:
    """Fill a unit's template like the unit does (only the cells it was asked)."""
    wb = load_workbook(template)
    cells = cells_of(template)
    for code, value in answers.items():
        if code in cells:
            sheet, cell = cells[code]
            wb[sheet][cell] = value
    wb.save(out)
    return out


def test_a_round_scored_on_the_provinces_framework(cntt, tmp_path):
    raw = province(tmp_path)
    assert cntt("template", "--year", YEAR, "--raw", raw, "--out", tmp_path / "bm"
                ).exit_code == 0
    for unit, answers in ANSWERS.items():
        _fill(tmp_path / "bm" / f"{unit}.xlsx", raw / str(YEAR) / f"{unit}.xlsx",
              {"G03": "01/12/2025", **answers})
    result = score_round(raw, YEAR, progress=False)
    points = result.points.set_index(["unit_id", "indicator"])
    for unit, expected in POINTS.items():
        for code, want in expected.items():
            got = points.loc[(unit, code)]
            if code in ("P2.2", "P3.1") and want is not None:
                # no appraisal file and no export of the portal in this round: the figures
                # are missing, the indicator scores 0 (test_supplied supplies them)
                assert (got["status"], got["points"]) == ("invalid", 0), (unit, code)
            elif want is None:
                assert got["status"] == "na", (unit, code)
            else:
                assert (got["status"], got["points"]) == ("scored", want), (unit, code)
    # no "answer not found" for what a unit was not asked
    assert "answer_not_found" not in set(result.issues["code"])
    scores = result.scores.set_index("unit_id")
    # xã units are wholly unit-supplied: their results are test_constructs' oracle
    assert scores.loc["X1", "score"] == 74.17 and scores.loc["X1", "rank"] == 1
    assert scores.loc["X3", "rank"] == 2
    assert pd.isna(scores.loc["X2", "rank"]) and not scores.loc["X2", "ranked"]
    assert scores.loc["X2", "score"] == 75.0 and scores.loc["X2", "tier"] == "Khá"
    # S3 loses P2.2 (10) and P3.1 (15): 75 of 100
    assert scores.loc["S3", "score"] == 75.0 and scores.loc["S3", "index"] == 0.75
    pillars = result.criterion_scores.set_index(["unit_id", "criterion"])
    assert pillars.loc[("X1", "P1"), "share"] == 87.5
    assert pillars.loc[("X1", "P1"), "self_share"] == 87.5  # no inspection: as reported
    assert ("X1", "P3") not in pillars.index
    paths = write_round(result, tmp_path / "p", raw)
    assert {p.name for p in paths} >= {f"{t}.parquet" for t in TABLES}
    loaded = load_processed(tmp_path / "p", YEAR)
    assert len(loaded["criterion_scores"]) == len(result.criterion_scores) == 3 * 3 + 3 * 2


def test_a_generic_template_filled_by_a_xa_keeps_only_its_answers(tmp_path):
    # An old, generic copy asks every indicator; a xã's answers to sở indicators are not
    # scored and raise no "not found" error for the ones it left out.
    from cntt_analysis.intake.templates import build_template

    raw = province(tmp_path)
    generic = tmp_path / "chung.xlsx"
    build_template(RUBRIC, YEAR, "X1", "Xã Tân Phước").save(generic)
    assert "P2.2b" in template_cells(RUBRIC)
    _fill(generic, raw / str(YEAR) / "X1.xlsx",
          {"G03": "01/12/2025", **ANSWERS["X1"], "P2.3a": 5})
    result = score_round(raw, YEAR, progress=False)
    assert set(result.points["unit_id"]) == {"X1"}
    assert list(result.points["indicator"]) == list(POINTS["X1"])
    assert "P2.3a" not in set(result.answers["code"])
    mine = result.issues[result.issues["unit_id"].isin(["X1"]) | (result.issues["file"]
                                                                 == "X1.xlsx")]
    assert "answer_not_found" not in set(mine["code"])
