"""Tests for cntt_analysis.analysis on small hand-built tables.

Two rounds (2016, 2017), both groups, tied scores (two units 75.5 in `so`, two 68 in
`huyen` in 2017), new units, a tier change both ways and criteria not applicable (NaN).
Every expected value below was computed by hand from these tables.
"""

from __future__ import annotations

import numpy as np
import pandas as pd
import pytest
from conftest import results_from_frames
from hypothesis import given, settings
from hypothesis import strategies as st

from cntt_analysis import analysis as A
from cntt_analysis.labels import SYNTHETIC_NOTE
from cntt_analysis.report import sentences as S
from cntt_analysis.report.facts import year_facts
from cntt_analysis.rubric.model import load_rubric

RUBRIC = load_rubric("2017")
NAMES = {
    "S1": "Văn phòng Sở",
    "S2": "Chi cục Quản lý đất đai",
    "S3": "Chi cục Bảo vệ môi trường",
    "S4": "Trung tâm Công nghệ thông tin",
    "H1": "Phòng TN&MT huyện A",
    "H2": "Phòng TN&MT huyện B",
    "H3": "Phòng TN&MT huyện C",
    "H4": "Phòng TN&MT huyện D",
}
NAN = np.nan
# year, unit, group, score, tier, rank, C1..C5
SCORE_ROWS = [
    (2016, "S1", "so", 80.0, "Khá", 1, 80, 90, 70, 75, 85),
    (2016, "S2", "so", 72.5, "Khá", 2, 60, 80, 70, 75, 77.5),
    (2016, "S3", "so", 60.0, "Trung bình", 3, 40, 70, 60, 55, 80),
    (2016, "H1", "huyen", 70.0, "Khá", 1, 70, 70, 70, 70, 70),
    (2016, "H2", "huyen", 55.0, "Trung bình", 2, 50, 60, 55, 50, 60),
    (2017, "S3", "so", 88.0, "Tốt", 1, 90, 85, 80, 90, 95),
    (2017, "S1", "so", 75.5, "Khá", 2, 75, 80, 45, 80, 90),
    (2017, "S2", "so", 75.5, "Khá", 2, 70, 80, 75, 70, 80),
    (2017, "S4", "so", 45.25, "Yếu", 4, 30, 50, 40, NAN, 60),
    (2017, "H2", "huyen", 68.0, "Trung bình", 1, 60, 70, 65, 70, 75),
    (2017, "H3", "huyen", 68.0, "Trung bình", 1, 70, 75, 60, 65, 70),
    (2017, "H1", "huyen", 62.0, "Trung bình", 3, 55, 65, 60, 65, NAN),
]
CRITERIA = ["C1", "C2", "C3", "C4", "C5"]


def make_scores(rows=SCORE_ROWS) -> pd.DataFrame:
    frame = pd.DataFrame(rows, columns=["year", "unit_id", "group", "score", "tier", "rank",
                                        *CRITERIA])
    frame.insert(2, "name", frame["unit_id"].map(NAMES))
    frame["rank"] = frame["rank"].astype("Int64")  # as compute_scores writes it
    frame["earned"] = frame["score"]
    frame["applicable_max"] = 100.0
    frame[CRITERIA] = frame[CRITERIA].astype(float)
    return frame[["year", "unit_id", "name", "group", "score", "tier", "rank", "earned",
                  "applicable_max", *CRITERIA]]


# (year, unit) → indicator → points (None = not applicable, "invalid" = invalid answer);
# every other indicator scores its maximum.
POINT_OVERRIDES = {
    (2016, "S1"): {"C5.1": 0.0},
    (2017, "S1"): {"C3.4": 0.0, "C3.1": 1.5, "C4.6": None},
    (2017, "S2"): {"C3.4": 2.0, "C2.3": 1.5},
    (2017, "S3"): {},
    (2017, "S4"): {"C3.4": "invalid", "C5.1": 0.0, "C1.1": 2.0,
                   **{i.code: None for i in RUBRIC.indicators if i.criterion == "C4"}},
    (2017, "H1"): {"C5.1": 1.0, "C3.4": 3.0},
    (2017, "H2"): {},
    (2017, "H3"): {},
}
GROUPS = {"S": "so", "H": "huyen"}


def make_points() -> pd.DataFrame:
    rows = []
    for (year, unit), changes in POINT_OVERRIDES.items():
        for ind in RUBRIC.indicators:
            got = changes.get(ind.code, float(ind.max_points))
            status = "na" if got is None else "invalid" if got == "invalid" else "scored"
            points = None if got is None else 0.0 if got == "invalid" else got
            rows.append({"year": year, "unit_id": unit, "group": GROUPS[unit[0]],
                         "criterion": ind.criterion, "indicator": ind.code, "points": points,
                         "max_points": float(ind.max_points), "status": status,
                         "file": f"{unit}.xlsx", "sources": ""})
    frame = pd.DataFrame(rows)
    frame["points"] = frame["points"].astype(float)
    return frame


def make_answers() -> pd.DataFrame:
    # year, unit, code, raw_value, value, number, status
    rows = [
        (2017, "S1", "C2.2", "18", "18", 18.0, "ok"),
        (2017, "S1", "G06", "20", "20", 20.0, "ok"),
        (2017, "S1", "G05", "25", "25", 25.0, "ok"),
        (2017, "S1", "C2.3", "1.234,5", "1234.5", 1234.5, "ok"),
        (2017, "S1", "C3.4", "0", "0", 0.0, "ok"),
        (2017, "S1", "C4.6", "KAD", "Không áp dụng", NAN, "na"),
        (2017, "S1", "C1.2", "x", "Có", 1.0, "ok"),
        (2017, "S1", "C1.1", "ban hanh truoc 31/01", "Ban hành trước 31/01", NAN, "ok"),
        (2017, "S4", "C3.4", "mười", None, NAN, "invalid"),
        (2017, "S4", "G05", "12", "12", 12.0, "ok"),
        (2016, "S1", "C2.2", "5", "5", 5.0, "ok"),
    ]
    frame = pd.DataFrame(rows, columns=["year", "unit_id", "code", "raw_value", "value",
                                        "number", "status"])
    frame["file"], frame["sheet"], frame["cell"] = "x.xlsx", "Sheet", "C5"
    return frame


def make_register() -> pd.DataFrame:
    rows = [(2017, "S1", "Đã nộp"), (2017, "S2", "Nộp muộn"), (2017, "S3", "Đã nộp"),
            (2017, "S4", "Nộp muộn"), (2017, "H1", "Đã nộp"), (2017, "H2", "Đã nộp"),
            (2017, "H3", "Đã nộp"), (2017, "H4", "Chưa nộp"), (2017, None, "Không được chấm"),
            (2017, "S2", "Bị thay thế"), (2016, "S1", "Chưa nộp")]
    frame = pd.DataFrame(rows, columns=["year", "unit_id", "status"])
    frame["name"] = frame["unit_id"].map(NAMES)
    frame["group"] = frame["unit_id"].map(lambda u: GROUPS[u[0]] if isinstance(u, str) else None)
    frame["file"], frame["report_date"] = "", pd.NaT
    return frame[["year", "unit_id", "name", "group", "status", "file", "report_date"]]


def row(frame: pd.DataFrame, year: int, unit: str) -> pd.Series:
    found = frame[(frame["year"] == year) & (frame["unit_id"] == unit)]
    assert len(found) == 1, (year, unit)
    return found.iloc[0]


# ----------------------------------------------------------------------------- changes


def test_rank_movement_texts_and_changes():
    scores = make_scores()
    before = scores.copy()
    moved = A.rank_movement(scores)
    pd.testing.assert_frame_equal(scores, before)  # input untouched
    expected = {  # unit: (previous rank, change, text) in 2017
        "S3": (3, 2, "tăng 2 bậc"), "S1": (1, -1, "giảm 1 bậc"), "S2": (2, 0, "giữ nguyên"),
        "H2": (2, 1, "tăng 1 bậc"), "H1": (1, -1, "giảm 1 bậc"),
    }  # H1: 3rd now, behind H2 and the new H3; among the units of both years it lost 1 place
    for unit, (prev, change, text) in expected.items():
        r = row(moved, 2017, unit)
        assert (r["prev_year"], r["prev_rank"], r["rank_change"], r["movement"]) == (
            2016, prev, change, text)
    for unit in ("S4", "H3"):  # new units
        r = row(moved, 2017, unit)
        assert r["movement"] == "mới" and pd.isna(r["rank_change"]) and pd.isna(r["prev_rank"])
    assert set(moved.loc[moved["year"] == 2016, "movement"]) == {"mới"}
    assert str(moved["rank_change"].dtype) == "Int64"
    # rows follow year, group (so first), rank
    first = moved[moved["year"] == 2017]
    assert list(first["unit_id"]) == ["S3", "S1", "S2", "S4", "H2", "H3", "H1"]


def test_rank_movement_of_a_partial_round_compares_units_present_in_both_years():
    """Regression: 10th of 11 last year, 1st of the 2 who sent so far, read "tăng 9 bậc"."""
    rows = [(2016, f"S{n}", "so", 95.0 - n, "Tốt", n, 1, 1, 1, 1, 1) for n in range(1, 12)]
    rows += [(2017, "S10", "so", 90.0, "Tốt", 1, 1, 1, 1, 1, 1),
             (2017, "S3", "so", 80.0, "Khá", 2, 1, 1, 1, 1, 1)]
    moved = A.rank_movement(make_scores(rows))
    s10, s3 = row(moved, 2017, "S10"), row(moved, 2017, "S3")
    assert (s10["prev_rank"], s10["rank_change"], s10["movement"]) == (10, 1, "tăng 1 bậc")
    assert (s3["rank_change"], s3["movement"]) == (-1, "giảm 1 bậc")
    assert s10["score_change"] == pytest.approx(5.0) and s3["score_change"] == pytest.approx(-12)


def test_rank_movement_gap_year_and_group_change():
    rows = [
        (2015, "S1", "so", 70.0, "Khá", 2, 1, 1, 1, 1, 1),
        (2015, "S2", "so", 80.0, "Khá", 1, 1, 1, 1, 1, 1),
        (2016, "S2", "so", 80.0, "Khá", 1, 1, 1, 1, 1, 1),
        (2017, "S1", "so", 90.0, "Tốt", 1, 1, 1, 1, 1, 1),  # skipped 2016
        (2017, "S2", "so", 80.0, "Khá", 2, 1, 1, 1, 1, 1),
        (2016, "H1", "huyen", 60.0, "Trung bình", 1, 1, 1, 1, 1, 1),
        (2017, "H1", "so", 50.0, "Trung bình", 3, 1, 1, 1, 1, 1),  # moved to the so group
    ]
    moved = A.rank_movement(make_scores(rows))
    assert row(moved, 2017, "S1")["movement"] == "tăng 1 bậc (so với năm 2015)"
    # S2 was alone in 2016: against the units ranked in both years it kept its place
    assert row(moved, 2017, "S2")["movement"] == "giữ nguyên"
    assert row(moved, 2017, "H1")["movement"] == "mới"


def test_score_changes_against_previous_year_present():
    changes = A.score_changes(make_scores())
    s1 = row(changes, 2017, "S1")
    assert s1["prev_year"] == 2016 and s1["prev_score"] == 80.0
    assert s1["score_change"] == pytest.approx(-4.5)
    assert s1["C3_change"] == pytest.approx(45 - 70)
    assert s1["C5_change"] == pytest.approx(90 - 85)
    assert row(changes, 2017, "S3")["score_change"] == pytest.approx(28.0)
    assert row(changes, 2017, "S2")["score_change"] == pytest.approx(3.0)
    h1 = row(changes, 2017, "H1")
    assert h1["score_change"] == pytest.approx(-8.0)
    assert np.isnan(h1["C5_change"])  # C5 not applicable in 2017
    assert h1["C1_change"] == pytest.approx(-15.0)
    s4 = row(changes, 2017, "S4")
    assert pd.isna(s4["prev_year"]) and np.isnan(s4["score_change"])
    assert {"C1_change", "C5_change"} <= set(changes.columns)


def test_score_changes_rounds_float_noise():
    rows = [(2016, "S1", "so", 75.3, "Khá", 1, 1, 1, 1, 1, 1),
            (2017, "S1", "so", 78.1, "Khá", 1, 1, 1, 1, 1, 1)]
    assert row(A.score_changes(make_scores(rows)), 2017, "S1")["score_change"] == 2.8


def test_tier_changes_up_and_down():
    changed = A.tier_changes(make_scores())
    assert list(changed["unit_id"]) == ["S3", "H1"]
    s3, h1 = changed.iloc[0], changed.iloc[1]
    assert (s3["from_tier"], s3["to_tier"], s3["direction"]) == ("Trung bình", "Tốt", "up")
    assert s3["change"] == "từ Trung bình lên Tốt"
    assert (h1["from_tier"], h1["to_tier"], h1["direction"]) == ("Khá", "Trung bình", "down")
    assert h1["change"] == "từ Khá xuống Trung bình"
    assert h1["prev_score"] == 70.0 and h1["score"] == 62.0


# ----------------------------------------------------------------------------- averages


def test_group_averages():
    avg = A.group_averages(make_scores())
    assert list(zip(avg["year"], avg["group"])) == [(2016, "so"), (2016, "huyen"),
                                                    (2017, "so"), (2017, "huyen")]
    so = row(avg.rename(columns={"group": "unit_id"}), 2017, "so")
    assert so["units"] == 4
    assert so["mean_score"] == pytest.approx((88 + 75.5 + 75.5 + 45.25) / 4)
    assert so["C4"] == pytest.approx((90 + 80 + 70) / 3)  # S4's NaN skipped
    assert so["C1"] == pytest.approx((90 + 75 + 70 + 30) / 4)
    assert (so["Tốt"], so["Khá"], so["Trung bình"], so["Yếu"]) == (1, 2, 0, 1)
    assert (so["min_score"], so["max_score"]) == (45.25, 88.0)
    huyen = row(avg.rename(columns={"group": "unit_id"}), 2017, "huyen")
    assert huyen["mean_score"] == pytest.approx(66.0)
    assert huyen["C5"] == pytest.approx((75 + 70) / 2)
    assert (huyen["Tốt"], huyen["Khá"], huyen["Trung bình"], huyen["Yếu"]) == (0, 0, 3, 0)
    assert row(avg.rename(columns={"group": "unit_id"}), 2016, "so")["mean_score"] == \
        pytest.approx((80 + 72.5 + 60) / 3)
    assert set(avg["unranked"]) == {0}


def test_group_averages_leave_out_units_assessed_but_not_ranked():
    scores = make_scores()
    scores["ranked"] = ~((scores["year"] == 2017) & (scores["unit_id"] == "S4"))
    so = row(A.group_averages(scores).rename(columns={"group": "unit_id"}), 2017, "so")
    # S4 (45.25, Yếu) is assessed but not ranked: the group's standing is the other three
    assert so["units"] == 3 and so["unranked"] == 1
    assert so["mean_score"] == pytest.approx((88 + 75.5 + 75.5) / 3)
    assert (so["Tốt"], so["Khá"], so["Trung bình"], so["Yếu"]) == (1, 2, 0, 0)
    assert so["min_score"] == 75.5


def test_criterion_averages_long_format():
    long = A.criterion_averages(make_scores(), RUBRIC)
    assert list(long.columns) == ["year", "group", "criterion", "label", "percent", "units"]
    assert len(long) == 2 * 2 * 5
    c4 = long[(long["year"] == 2017) & (long["group"] == "so") & (long["criterion"] == "C4")]
    assert c4["percent"].iloc[0] == pytest.approx(80.0) and c4["units"].iloc[0] == 3
    assert c4["label"].iloc[0] == RUBRIC.criteria[3].short
    whole = A.criterion_averages(make_scores(), RUBRIC, by_group=False)
    assert "group" not in whole.columns
    c3 = whole[(whole["year"] == 2017) & (whole["criterion"] == "C3")].iloc[0]
    assert c3["percent"] == pytest.approx(425 / 7) and c3["units"] == 7
    assert list(whole.loc[whole["year"] == 2017, "criterion"]) == CRITERIA


# ----------------------------------------------------------------------------- points lost


def test_points_lost_excludes_na_and_counts_invalid():
    lost = A.points_lost(make_points())
    s1 = lost[(lost["year"] == 2017) & (lost["unit_id"] == "S1")].set_index("indicator")
    assert "C4.6" not in s1.index  # not applicable
    assert s1.loc["C3.4", "lost"] == 4.0 and s1.loc["C3.1", "lost"] == 1.5
    assert s1.loc["C1.1", "lost"] == 0.0
    s4 = lost[(lost["year"] == 2017) & (lost["unit_id"] == "S4")].set_index("indicator")
    assert s4.loc["C3.4", "status"] == "invalid" and s4.loc["C3.4", "lost"] == 4.0
    assert not s4.index.str.startswith("C4.").any()


def test_weakest_indicators_order_and_values():
    weakest = A.weakest_indicators(make_points(), RUBRIC, year=2017)
    assert list(weakest["indicator"][:5]) == ["C3.4", "C5.1", "C1.1", "C2.3", "C3.1"]
    top = weakest.iloc[0]
    assert top["total_lost"] == pytest.approx(4 + 2 + 4 + 1)
    assert top["units"] == 7 and top["units_losing"] == 4
    assert top["mean_lost"] == pytest.approx(11 / 7)
    assert top["lost_percent"] == pytest.approx(11 / (7 * 4) * 100)
    assert top["label"] == next(i.label for i in RUBRIC.indicators if i.code == "C3.4")
    assert top["criterion"] == "C3"
    assert weakest.iloc[1]["total_lost"] == pytest.approx(5 + 4)
    c46 = weakest.set_index("indicator").loc["C4.6"]
    assert c46["units"] == 5 and c46["total_lost"] == 0  # n/a for S1 and S4
    assert list(A.weakest_indicators(make_points(), RUBRIC, n=3, year=2017)["indicator"]) == [
        "C3.4", "C5.1", "C1.1"]


def test_weakest_indicators_year_and_group_filters():
    assert A.weakest_indicators(make_points(), RUBRIC, n=1, year=2016)["indicator"].iloc[0] \
        == "C5.1"
    huyen = A.weakest_indicators(make_points(), RUBRIC, year=2017, group="huyen")
    assert list(huyen["indicator"][:2]) == ["C5.1", "C3.4"]
    assert list(huyen["total_lost"][:2]) == [4.0, 1.0]
    # latest year by default
    assert A.weakest_indicators(make_points(), RUBRIC).iloc[0]["total_lost"] == 11


def test_unit_profile_table():
    table = A.unit_profile_table(make_points(), make_answers(), RUBRIC, "S1", 2017)
    assert len(table) == len(RUBRIC.indicators)
    assert list(table["indicator"]) == [i.code for i in RUBRIC.indicators]
    t = table.set_index("indicator")
    assert t.loc["C2.2", "answers"] == "C2.2 = 18; G06 = 20"
    assert t.loc["C2.3", "answers"] == "C2.3 = 1.234,5; G05 = 25"
    assert t.loc["C4.6", "answers"] == "C4.6 = Không áp dụng"
    assert t.loc["C4.6", "status"] == "Không áp dụng" and np.isnan(t.loc["C4.6", "lost"])
    assert np.isnan(t.loc["C4.6", "points"])
    assert t.loc["C1.1", "answers"] == "C1.1 = Ban hành trước 31/01"
    assert t.loc["C1.2", "answers"] == "C1.2 = Có"
    assert t.loc["C3.4", "answers"] == "C3.4 = 0; G05 = 25"
    assert (t.loc["C3.4", "points"], t.loc["C3.4", "max_points"], t.loc["C3.4", "lost"]) == (
        0.0, 4.0, 4.0)
    assert t.loc["C3.4", "status"] == "Đã chấm"
    assert t.loc["C1.6", "answers"] == "C1.6b = (không có); C1.6a = (không có)"
    assert t.loc["C3.4", "label"] == next(i.label for i in RUBRIC.indicators
                                          if i.code == "C3.4")


def test_unit_profile_table_invalid_answer_and_missing_unit():
    t = A.unit_profile_table(make_points(), make_answers(), RUBRIC, "S4", 2017)
    c34 = t.set_index("indicator").loc["C3.4"]
    assert c34["answers"] == "C3.4 = “mười” (không hợp lệ); G05 = 12"
    assert c34["status"] == "Số liệu không hợp lệ" and c34["lost"] == 4.0
    with pytest.raises(ValueError, match="Không có điểm"):
        A.unit_profile_table(make_points(), make_answers(), RUBRIC, "S9", 2017)


def test_unit_weaknesses():
    weak = A.unit_weaknesses(make_points(), RUBRIC, "S1", 2017)
    assert list(weak["indicator"]) == ["C3.4", "C3.1"]
    assert list(weak["lost"]) == [4.0, 1.5]
    assert list(weak["shortcoming"]) == [True, True]  # 1.5 of 3 = the 50% share
    remedy = {i.code: i.remedy for i in RUBRIC.indicators}
    assert weak.iloc[0]["remedy"] == remedy["C3.4"] and remedy["C3.4"]
    assert list(A.unit_weaknesses(make_points(), RUBRIC, "S1", 2017, n=1)["indicator"]) == [
        "C3.4"]
    s4 = A.unit_weaknesses(make_points(), RUBRIC, "S4", 2017, n=None)
    assert list(s4["indicator"]) == ["C5.1", "C3.4", "C1.1"]
    assert list(s4["status"]) == ["Đã chấm", "Số liệu không hợp lệ", "Đã chấm"]
    assert A.unit_weaknesses(make_points(), RUBRIC, "S3", 2017).empty


def test_units_to_remedy_selection_and_texts():
    out = A.units_to_remedy(make_scores(), make_points(), RUBRIC, 2017)
    # S4 Yếu, S1 Khá but C3 = 45%, all huyen units Trung bình; S2, S3 are not listed
    assert list(out["unit_id"]) == ["S4", "S1", "H1", "H2", "H3"]
    names = {c.code: c.name for c in RUBRIC.criteria}
    labels = {i.code: i.label for i in RUBRIC.indicators}
    s4 = out.iloc[0]
    assert s4["reasons"] == "Xếp loại Yếu; tiêu chí đạt dưới 50%: C1 (30,0%), C3 (40,0%)."
    assert s4["weak_criteria"] == f"C1. {names['C1']} (30,0%); C3. {names['C3']} (40,0%)"
    assert s4["weak_indicators"] == (f"C5.1 {labels['C5.1']} (0,00/5,00 điểm); "
                                     f"C3.4 {labels['C3.4']} (0,00/4,00 điểm); "
                                     f"C1.1 {labels['C1.1']} (2,00/4,00 điểm)")
    remedy = {i.code: i.remedy for i in RUBRIC.indicators}
    assert s4["remedies"] == f"{remedy['C5.1']} {remedy['C3.4']} {remedy['C1.1']}"
    s1 = out.iloc[1]
    assert s1["reasons"] == "Tiêu chí đạt dưới 50%: C3 (45,0%)."
    assert s1["weak_criteria"] == f"C3. {names['C3']} (45,0%)"
    assert s1["weak_indicators"].startswith("C3.4 ")
    h2 = out.set_index("unit_id").loc["H2"]
    assert h2["reasons"] == "Xếp loại Trung bình."
    assert h2["weak_criteria"] == f"C1. {names['C1']} (60,0%)"  # its lowest criterion
    assert h2["weak_indicators"] == "" and h2["remedies"] == ""
    h1 = out.set_index("unit_id").loc["H1"]
    assert h1["weak_indicators"] == (f"C5.1 {labels['C5.1']} (1,00/5,00 điểm); "
                                     f"C3.4 {labels['C3.4']} (3,00/4,00 điểm)")


def test_remedies_by_indicator_says_each_remedy_once_with_its_units():
    out = A.units_to_remedy(make_scores(), make_points(), RUBRIC, 2017)
    assert out.set_index("unit_id").loc["S4", "weak_codes"] == "C5.1, C3.4, C1.1"
    assert out.set_index("unit_id").loc["H2", "weak_codes"] == ""
    listed = [c for codes in out["weak_codes"] for c in codes.split(", ") if c]
    by = A.remedies_by_indicator(out, RUBRIC)
    assert list(by.columns) == ["indicator", "label", "units", "remedy"]
    assert by["indicator"].is_unique and by["units"].sum() == len(listed)
    assert dict(zip(by["indicator"], by["units"])) == {c: listed.count(c) for c in listed}
    assert list(by["units"]) == sorted(by["units"], reverse=True)
    info = {i.code: i for i in RUBRIC.indicators}
    top = by.iloc[0]
    assert top["indicator"] == "C3.4" and top["units"] == listed.count("C3.4") >= 3
    assert top["remedy"] == info["C3.4"].remedy and top["label"] == info["C3.4"].label
    assert A.remedies_by_indicator(out.iloc[0:0], RUBRIC).empty


def test_units_to_remedy_without_points_and_other_floor():
    points = make_points()
    out = A.units_to_remedy(make_scores(), points[points["unit_id"] != "S4"], RUBRIC, 2017)
    s4 = out.set_index("unit_id").loc["S4"]
    assert s4["weak_indicators"] == "" and s4["reasons"].startswith("Xếp loại Yếu")
    # with a 40% floor S1 (C3 45%) is no longer listed; S4 still is (Yếu, C1 30%)
    low = A.units_to_remedy(make_scores(), points, RUBRIC, 2017, criterion_floor=40)
    assert "S1" not in set(low["unit_id"])
    assert low.set_index("unit_id").loc["S4", "reasons"] == (
        "Xếp loại Yếu; tiêu chí đạt dưới 40%: C1 (30,0%).")


def test_units_to_remedy_none():
    rows = [r for r in SCORE_ROWS if r[0] == 2017 and r[1] in ("S2", "S3")]
    out = A.units_to_remedy(make_scores(rows), make_points(), RUBRIC, 2017)
    assert out.empty and "reasons" in out.columns


# ----------------------------------------------------------------------------- summary


def summary(tmp_path, scores, register, year, points=None, **options) -> list[str]:
    """The summary sentences of the facts of these frames."""
    res = results_from_frames(tmp_path / "rounds", scores, register,
                              make_points() if points is None else points)
    return S.summary_sentences(year_facts(res, year), **options)


def test_summary_sentences_2017(tmp_path):
    sentences = summary(tmp_path, make_scores(), make_register(), 2017)
    text = "\n".join(sentences)
    assert SYNTHETIC_NOTE not in text
    assert sentences[0] == ("Năm 2017 có 7 đơn vị được chấm điểm, xếp hạng, gồm 4 đơn vị thuộc "
                            "khối phòng, đơn vị trực thuộc Sở và 3 đơn vị thuộc khối Phòng TN&MT "
                            "cấp huyện.")
    assert sentences[1].startswith("Về tình hình nộp báo cáo: 7/8 đơn vị đã nộp (5 đơn vị nộp "
                                   "đúng hạn, 2 đơn vị nộp muộn); 1 đơn vị chưa nộp: "
                                   "Phòng TN&MT huyện D.")
    assert "Có 1 tệp không được chấm điểm" in sentences[1]
    # so: mean 71.0625 → 71,06; compared with 2016 over the 3 units of both years only
    # (S4 joined): 70,83 → 79,67, +8,84 (the old "+0,23" mixed S4's 45,25 in)
    assert sentences[2] == ("Khối phòng, đơn vị trực thuộc Sở: 4 đơn vị, điểm bình quân 71,06; "
                            "so sánh được với năm 2016 ở 3 đơn vị có kết quả cả hai năm: bình "
                            "quân của các đơn vị này tăng 8,84 điểm (từ 70,83 lên 79,67); dẫn "
                            "đầu là Chi cục Bảo vệ môi trường (88,00 điểm).")
    # huyen: H1, H2 in both years: 62,50 → 65,00; tie at the top
    assert sentences[3] == ("Khối Phòng TN&MT cấp huyện: 3 đơn vị, điểm bình quân 66,00; so sánh "
                            "được với năm 2016 ở 2 đơn vị có kết quả cả hai năm: bình quân của "
                            "các đơn vị này tăng 2,50 điểm (từ 62,50 lên 65,00); dẫn đầu là "
                            "Phòng TN&MT huyện B và Phòng TN&MT huyện C (cùng 68,00 điểm).")
    assert sentences[4] == ("Kết quả xếp loại: 1 đơn vị Tốt, 2 đơn vị Khá, 3 đơn vị Trung bình, "
                            "1 đơn vị Yếu.")
    # the units the report directs to remedy, by the rubric's one rule (tier or a criterion
    # below the floor: S1's C3 is 45%), the same the report's section and page 1 name
    assert sentences[5] == ("Có 5 đơn vị xếp loại Trung bình, Yếu hoặc có tiêu chí đạt dưới "
                            "50% cần chỉ đạo khắc phục: "
                            "Trung tâm Công nghệ thông tin (45,25 điểm, Yếu), Phòng TN&MT huyện A "
                            "(62,00 điểm, Trung bình), Phòng TN&MT huyện B (68,00 điểm, Trung "
                            "bình), Phòng TN&MT huyện C (68,00 điểm, Trung bình) và Văn phòng Sở "
                            "(75,50 điểm, Khá).")
    names = {c.code: c.name for c in RUBRIC.criteria}
    # C3: 425/7 = 60,714… ; C1: 450/7 = 64,285…
    # no department.yaml: the neutral words for all units (the organisation's own are data)
    assert sentences[6] == ("Các tiêu chí có tỷ lệ điểm đạt bình quân thấp nhất toàn bộ các "
                            "đơn vị: "
                            f"C3. {names['C3']} (bình quân 60,7%) và "
                            f"C1. {names['C1']} (bình quân 64,3%).")
    assert len(sentences) == 7


def test_summary_sentences_synthetic_first_year_no_weak_units(tmp_path):
    rows = [r for r in SCORE_ROWS if r[0] == 2016 and r[1] in ("S1", "S2", "H1")]
    sentences = summary(tmp_path, make_scores(rows), make_register(), 2016, synthetic=True,
                        n_criteria=1, max_named=1)
    assert sentences[0] == SYNTHETIC_NOTE
    assert not any("so với năm" in s for s in sentences)  # no earlier year
    assert sentences[2].startswith("Về tình hình nộp báo cáo: 0/1 đơn vị đã nộp")
    assert ("Không có đơn vị nào xếp loại Trung bình, Yếu hoặc có tiêu chí đạt dưới 50% phải "
            "chỉ đạo khắc phục; điểm thấp nhất khối Sở là "
            "Chi cục Quản lý đất đai (72,50 điểm); khối huyện là Phòng TN&MT huyện A (70,00 điểm)."
            ) in sentences
    # C1: (80 + 60 + 70) / 3 = 70 is the lowest
    assert sentences[-1].startswith("Tiêu chí có tỷ lệ điểm đạt bình quân thấp nhất toàn bộ "
                                    "các đơn vị: "
                                    "C1.")
    assert sentences[-1].endswith("(bình quân 70,0%).")


def test_summary_sentences_caps_named_units_and_skips_empty_register(tmp_path):
    empty = make_register().iloc[0:0]
    sentences = summary(tmp_path, make_scores(), empty, 2017, max_named=2)
    assert not any(s.startswith("Về tình hình nộp") for s in sentences)
    weak = next(s for s in sentences if s.startswith("Có 5 đơn vị"))
    assert weak.endswith("Phòng TN&MT huyện A (62,00 điểm, Trung bình) và 3 đơn vị khác.")


def test_summary_sentences_year_without_scores(tmp_path):
    register = make_register()
    register.loc[register["year"] == 2017, "year"] = 2030
    assert summary(tmp_path, make_scores(), register, 2030) == [
        "Năm 2030 chưa có đơn vị nào được chấm điểm."]


def test_helpers():
    assert S.join_vi(["A"]) == "A" and S.join_vi(["A", "B", "C"]) == "A, B và C"
    assert A.round_half_up(61.705) == 61.71 and A.round_half_up(2.675) == 2.68
    assert A.vn_percent(55.4) == "55,4%"
    assert A.criterion_columns(make_scores()) == CRITERIA
    assert A.group_order(["huyen", "so", "khac"]) == ["so", "huyen", "khac"]


def test_works_on_compute_scores_output(tmp_path):
    """The real scoring output (nullable Int64 ranks) goes through every analysis."""
    from cntt_analysis.scoring.points import compute_scores

    points = make_points()
    registry = pd.DataFrame({"unit_id": list(NAMES), "name": list(NAMES.values()),
                             "group": [GROUPS[u[0]] for u in NAMES]})
    scores = compute_scores(points, RUBRIC, registry)
    moved = A.rank_movement(scores)
    # S1 in 2017 lost 5.5 of 96 applicable points (C4.6 n/a); S3 lost nothing
    assert row(scores, 2017, "S1")["score"] == pytest.approx(round((96 - 5.5) / 96 * 100, 2))
    # 2016: S1 alone, rank 1; 2017: S3 100 > S2 96.5 > S1 94.27 > S4 (54 of 65) → rank 3,
    # but S1 is the only unit of both years: nobody it was compared with passed it
    assert row(moved, 2017, "S1")["movement"] == "giữ nguyên"
    assert row(moved, 2017, "S3")["movement"] == "mới"
    assert not A.group_averages(scores).empty
    assert len(summary(tmp_path, scores, make_register(), 2017, points)) >= 5


@settings(max_examples=60, deadline=None)
@given(st.lists(st.tuples(st.sampled_from(["so", "huyen"]),
                          st.lists(st.sampled_from([40.0, 55.5, 70.0, 85.0, 99.0]),
                                   min_size=2, max_size=2)),
                min_size=1, max_size=8))
def test_rank_movement_properties(units):
    """Any two rounds: the change is last year's rank minus this year's, and the text says
    the same thing (ties share a rank)."""
    rows = []
    for n, (group, (old, new)) in enumerate(units):
        for year, score in ((2016, old), (2017, new)):
            rows.append((year, f"U{n}", group, score, "Khá", 0, 1, 1, 1, 1, 1))
    scores = make_scores(rows)
    scores["rank"] = scores.groupby(["year", "group"])["score"].rank(
        method="min", ascending=False).astype("Int64")
    moved = A.rank_movement(scores)
    now = moved[moved["year"] == 2017]
    for r in now.itertuples(index=False):
        before = row(scores, 2016, r.unit_id)["rank"]
        assert r.prev_rank == before and r.rank_change == before - r.rank
        change = int(r.rank_change)
        words = ("giữ nguyên" if change == 0 else
                 f"tăng {change} bậc" if change > 0 else f"giảm {-change} bậc")
        assert r.movement == words
    assert set(moved.loc[moved["year"] == 2016, "movement"]) == {"mới"}


def test_criterion_columns_are_the_criterion_codes_only():
    # Regression: self_score, self_rank and score_gap were drawn as if they were criteria.
    scores = pd.DataFrame({"year": [2017], "unit_id": ["A"], "score": [80.0], "C1": [90.0],
                           "C2": [70.0], "self_score": [82.0], "self_rank": [1],
                           "score_gap": [-2.0], "C10": [50.0]})
    assert A.criterion_columns(scores) == ["C1", "C2", "C10"]


def test_vn_number_rounds_half_up_like_the_scores():
    from cntt_analysis.labels import vn_number

    # 61.705 is stored as 61.70499…; the tables said 61,70 while the sentences said 61,71.
    assert vn_number(61.705, trim=False) == "61,71"
    assert vn_number(2.675) == "2,68"
    assert vn_number(1234.5) == "1.234,5"


def test_weaknesses_of_every_unit_at_once_are_each_units_own():
    """The bulk pass units_to_remedy uses gives, unit by unit, what unit_weaknesses gives
    (same rows, order and values), blank answers included."""
    points = make_points()
    missing = {("S1", "C3.4"), ("S4", "C5.1"), ("S2", "C9.9")}  # two lost points, one none
    every = A.weaknesses(points, RUBRIC, 2017, missing)
    units = sorted(points.loc[points["year"] == 2017, "unit_id"].unique())  # S1…S4, H1…
    assert len(units) >= 4
    for unit in units:
        own = A.unit_weaknesses(points, RUBRIC, unit, 2017, n=None,
                                missing=[i for u, i in missing if u == unit])
        got = every[every["unit_id"] == unit].drop(columns="unit_id").reset_index(drop=True)
        pd.testing.assert_frame_equal(got, own)
    flagged = every[every["missing"]]
    assert set(zip(flagged["unit_id"], flagged["indicator"])) == {("S1", "C3.4"), ("S4", "C5.1")}
    assert not flagged["shortcoming"].any()  # missing data is never a shortcoming
