"""Scoring: every rule kind of rubric section 2 and the results of section 3.

Answers are built as intake would build them: every raw value goes through
`parse_answer` for its rubric input. Expected numbers are worked out by hand in the
comments from shared/domain/rubric-2017.md, never taken from the code under test.
"""

from __future__ import annotations

import decimal
import math
from decimal import ROUND_HALF_UP, Decimal
from fractions import Fraction

import pandas as pd
import pytest
from hypothesis import given
from hypothesis import strategies as st

from cntt_analysis.intake.values import parse_answer
from cntt_analysis.intake.workbook import answers_frame
from cntt_analysis.rounding import half_up as round_half_up
from cntt_analysis.rubric.model import load_rubric
from cntt_analysis.scoring.points import (
    compute_points,
    compute_scores,
    rank_within_groups,
)

RUBRIC = load_rubric("2017")
CRITERIA = ["C1", "C2", "C3", "C4", "C5"]
MAXIMA = {i.code: i.max_points for i in RUBRIC.indicators}
MISSING = object()  # leave the answer row out altogether

# A unit that earns every point (alone in its group, it is also the best for C2.3).
PERFECT = {
    "G01": "Phòng Tài nguyên và Môi trường huyện A", "G02": 2017, "G03": "01/08/2017",
    "G04": None, "G05": 25, "G06": 25, "G07": 100, "G08": 100, "G09": 10, "G10": 100,
    "G11": "1.000", "G12": None,
    "C1.1": "Ban hành trước 31/01", "C1.2": "Có", "C1.3": "Có", "C1.4": 2, "C1.5": "Có",
    "C1.6a": 5, "C1.6b": 5,
    "C2.2": 25, "C2.3": 50, "C2.4": 25, "C2.5": "Có", "C2.6": "Có", "C2.7": "Có",
    "C2.8": "Đạt yêu cầu kỹ thuật",
    "C3.1": "Chuyên trách", "C3.2a": 1, "C3.2b": 1, "C3.3": 25, "C3.4": 25, "C3.5": 2,
    "C4.1": 200, "C4.2": 100, "C4.3": 25, "C4.4": 10, "C4.5": 100,
    "C4.6": "Vận hành, khai thác và chia sẻ trực tuyến", "C4.7": 3,
    "C4.8": "Sử dụng thường xuyên trong nghiệp vụ", "C4.9": "Hằng tháng trở lên",
    "C4.10a": 4, "C4.10b": 4, "C4.11": "Có",
    "C5.1": 10, "C5.2a": 50, "C5.2b": 50, "C5.3": 2, "C5.4": 25, "C5.5": "Có",
}
CELLS = {code: f"D{n + 5}" for n, code in enumerate(RUBRIC.inputs)}


_PARSED: dict = {}


def _parse(code: str, raw: object):
    """parse_answer, remembered: the same few raw values come back for every unit."""
    key = (code, type(raw), raw)
    if key not in _PARSED:
        _PARSED[key] = parse_answer(raw, RUBRIC.inputs[code])
    return _PARSED[key]


def answer_rows(unit_id: str, values: dict, year: int = 2017,
                force_invalid: tuple[str, ...] = ()) -> list[dict]:
    """Rows of the answers table for one unit: PERFECT overridden by `values`.

    `force_invalid` marks readable answers invalid but keeps their number, as intake does
    for a numerator above its denominator (e.g. C2.2 > G06).
    """
    merged = {**PERFECT, **values}
    rows = []
    for code, inp in RUBRIC.inputs.items():
        raw = merged.get(code)
        if raw is MISSING:
            continue
        parsed = _parse(code, raw)
        rows.append({
            "year": year, "unit_id": unit_id, "code": code,
            "raw_value": "" if raw is None else str(raw), "value": parsed.value,
            "number": parsed.number,
            "status": "invalid" if code in force_invalid else parsed.status,
            "file": f"{unit_id}-{year}.xlsx", "sheet": inp.sheet, "cell": CELLS[code],
        })
    return rows


def registry_for(groups: dict[str, str]) -> pd.DataFrame:
    return pd.DataFrame({"unit_id": list(groups), "name": [f"Đơn vị {u}" for u in groups],
                         "group": list(groups.values())})


def score_units(units: list[tuple[str, str, dict]], year: int = 2017, **kw):
    """units: (unit_id, group, overrides) → (points, scores)."""
    rows = [r for unit_id, _, values in units for r in answer_rows(unit_id, values, year, **kw)]
    registry = registry_for({u: g for u, g, _ in units})
    points = compute_points(answers_frame(rows), RUBRIC, registry)
    return points, compute_scores(points, RUBRIC, registry)


def one(values: dict, **kw) -> tuple[dict[str, float], dict[str, str], pd.Series]:
    """Score one unit alone: (indicator → points, indicator → status, score row)."""
    points, scores = score_units([("U1", "huyen", values)], **kw)
    assert len(points) == 35
    return (dict(zip(points["indicator"], points["points"])),
            dict(zip(points["indicator"], points["status"])),
            scores.iloc[0])


def points_of(values: dict, code: str) -> float:
    points = compute_points(answers_frame(answer_rows("U1", values)), RUBRIC,
                            registry_for({"U1": "so"}))
    row = points.set_index("indicator").loc[code]
    assert row["status"] == "scored"
    return row["points"]


# --------------------------------------------------------------------------- perfect unit

def test_perfect_unit_gets_every_point():
    got, status, score = one({})
    assert got == {code: float(m) for code, m in MAXIMA.items()}
    assert set(status.values()) == {"scored"}
    assert score["score"] == 100
    assert score["earned"] == 100 and score["applicable_max"] == 100
    assert score["tier"] == "Tốt" and score["rank"] == 1
    assert [score[c] for c in CRITERIA] == [100] * 5
    assert score["name"] == "Đơn vị U1" and score["group"] == "huyen"


def test_point_rows_carry_provenance():
    points, _ = score_units([("U1", "so", {})])
    row = points.set_index("indicator").loc["C2.1"]
    assert row["group"] == "so" and row["criterion"] == "C2" and row["max_points"] == 4
    assert row["file"] == "U1-2017.xlsx" and row["year"] == 2017
    # numerator first: G06 then G05, both on the general sheet
    assert row["sources"] == (f"Thông tin chung!{CELLS['G06']}; "
                              f"Thông tin chung!{CELLS['G05']}")
    c16 = points.set_index("indicator").loc["C1.6"]
    sheet = "C1. Văn bản chỉ đạo"
    assert c16["sources"] == f"{sheet}!{CELLS['C1.6b']}; {sheet}!{CELLS['C1.6a']}"


# --------------------------------------------------------------------------- a realistic unit

MIXED = {
    "G05": 25, "G06": 20, "G07": 300, "G08": 500, "G09": 40, "G10": "1.200", "G11": "2.000",
    "C1.1": "Ban hành sau 31/01",      # 2
    "C1.2": "Không",                   # 0
    "C1.3": "x",                       # 3
    "C1.4": 1,                         # step 1 -> 1
    "C1.5": True,                      # 1
    "C1.6a": 6, "C1.6b": 4,            # 4/6 * 3 = 2
    # C1 = 2 + 0 + 3 + 1 + 1 + 2 = 9 of 15 -> 60.00 %
    # C2.1: 20/25 * 4 = 3.2
    "C2.2": 15,                        # 15/20 * 3 = 2.25
    "C2.3": "12,5",                    # alone in its group: best -> 3
    "C2.4": 18,                        # 18/20 * 3 = 2.7
    "C2.5": "Có",                      # 2
    "C2.6": "Không",                   # 0
    "C2.7": "có",                      # 1
    "C2.8": "Có, chưa đạt yêu cầu",    # 1.5
    # C2 = 3.2 + 2.25 + 3 + 2.7 + 2 + 0 + 1 + 1.5 = 15.65 of 20 -> 78.25 %
    "C3.1": "Kiêm nhiệm",              # 1.5
    "C3.2a": 2, "C3.2b": 1,            # 1/2 * 3 = 1.5
    "C3.3": 19,                        # 19/25 * 3 = 2.28
    "C3.4": 15,                        # 15/25 = 0.6 in [0.35, 0.7): 0.6/0.7 * 4 = 3.428.. -> 3.43
    "C3.5": 0,                         # 0
    # C3 = 1.5 + 1.5 + 2.28 + 3.43 + 0 = 8.71 of 15 -> 58.0666.. -> 58.07 %
    "C4.1": 600,                       # 600/800 = 0.75 in [0.5, 0.9): 0.75/0.9*5 = 4.166.. -> 4.17
    "C4.2": 150,                       # 150/300 * 4 = 2
    "C4.3": 25,                        # 25/25 * 3 = 3
    "C4.4": 10,                        # 10/40 * 4 = 1
    "C4.5": 300,                       # 300/1200 = 0.25 in [0.2, 0.5): 0.25/0.5 * 4 = 2
    "C4.6": "Cập nhật thường xuyên",   # 2.5
    "C4.7": 5,                         # step 3 -> 3
    "C4.8": "Có sử dụng",              # 1
    "C4.9": "Không thường xuyên",      # 1
    "C4.10a": 12, "C4.10b": 9,         # 9/12 * 2 = 1.5
    "C4.11": "Chưa",                   # 0
    # C4 = 4.17 + 2 + 3 + 1 + 2 + 2.5 + 3 + 1 + 1 + 1.5 + 0 = 21.17 of 35 -> 60.4857 -> 60.49 %
    "C5.1": "15",                      # 15/2000 = 0.0075; min(0.75, 1) * 5 = 3.75
    "C5.2a": 100, "C5.2b": "80,5",     # 0.805 * 3 = 2.415 -> 2.42 (half-up)
    "C5.3": 1,                         # step 1 -> 2
    "C5.4": 10,                        # 10/20 * 2 = 1
    "C5.5": "Không",                   # 0
    # C5 = 3.75 + 2.42 + 2 + 1 + 0 = 9.17 of 15 -> 61.1333 -> 61.13 %
}
MIXED_POINTS = {
    "C1.1": 2, "C1.2": 0, "C1.3": 3, "C1.4": 1, "C1.5": 1, "C1.6": 2,
    "C2.1": 3.2, "C2.2": 2.25, "C2.3": 3, "C2.4": 2.7, "C2.5": 2, "C2.6": 0, "C2.7": 1,
    "C2.8": 1.5,
    "C3.1": 1.5, "C3.2": 1.5, "C3.3": 2.28, "C3.4": 3.43, "C3.5": 0,
    "C4.1": 4.17, "C4.2": 2, "C4.3": 3, "C4.4": 1, "C4.5": 2, "C4.6": 2.5, "C4.7": 3,
    "C4.8": 1, "C4.9": 1, "C4.10": 1.5, "C4.11": 0,
    "C5.1": 3.75, "C5.2": 2.42, "C5.3": 2, "C5.4": 1, "C5.5": 0,
}


def test_mixed_unit_indicator_by_indicator():
    got, status, _ = one(MIXED)
    assert set(status.values()) == {"scored"}
    assert got == pytest.approx(MIXED_POINTS, abs=1e-9)


def test_mixed_unit_score_and_criteria():
    _, _, score = one(MIXED)
    # 9 + 15.65 + 8.71 + 21.17 + 9.17 = 63.70 of 100
    assert score["earned"] == pytest.approx(63.70)
    assert score["applicable_max"] == 100
    assert score["score"] == pytest.approx(63.70)
    assert score["tier"] == "Trung bình"
    assert [score[c] for c in CRITERIA] == pytest.approx([60.00, 78.25, 58.07, 60.49, 61.13])


def test_mixed_unit_without_administrative_procedures():
    # G09 = 0: C4.4 (1 point earned, max 4), C4.5 (2, max 4) and C4.11 (0, max 2) leave.
    got, status, score = one({**MIXED, "G09": 0, "C4.4": 0, "C4.5": 0})
    assert {c for c, s in status.items() if s == "na"} == {"C4.4", "C4.5", "C4.11"}
    assert all(math.isnan(got[c]) for c in ("C4.4", "C4.5", "C4.11"))
    # earned 63.70 - 1 - 2 - 0 = 60.70 (C4.4, C4.5 scored 0 now but are na); max 100 - 10 = 90
    assert score["applicable_max"] == 90
    assert score["earned"] == pytest.approx(60.70)
    assert score["score"] == pytest.approx(67.44)  # 60.70 / 90 * 100 = 67.444..
    # C4: 21.17 - 3 = 18.17 of 35 - 10 = 25 -> 72.68 %
    assert score["C4"] == pytest.approx(72.68)
    assert score["C1"] == pytest.approx(60.00)  # other criteria unchanged


# --------------------------------------------------------------------------- yes_no, choice

YES_NO_MAX = {"C1.2": 2, "C1.3": 3, "C1.5": 1, "C2.5": 2, "C2.6": 1, "C2.7": 1, "C4.11": 2,
              "C5.5": 2}


@pytest.mark.parametrize("code,top", sorted(YES_NO_MAX.items()))
def test_yes_no(code, top):
    got, _, _ = one({code: "Không"})
    assert got[code] == 0
    got, _, _ = one({code: "đã có"})
    assert got[code] == top
    got, _, _ = one({code: False})
    assert got[code] == 0


SPEC_CHOICES = [
    ("C1.1", "Ban hành trước 31/01", 4), ("C1.1", "Ban hành sau 31/01", 2),
    ("C1.1", "Chưa ban hành", 0),
    ("C2.8", "Đạt yêu cầu kỹ thuật", 3), ("C2.8", "Có, chưa đạt yêu cầu", 1.5),
    ("C2.8", "Không có", 0),
    ("C3.1", "Chuyên trách", 3), ("C3.1", "Kiêm nhiệm", 1.5), ("C3.1", "Không có", 0),
    ("C4.6", "Chưa có", 0), ("C4.6", "Có, chưa cập nhật thường xuyên", 1),
    ("C4.6", "Cập nhật thường xuyên", 2.5),
    ("C4.6", "Vận hành, khai thác và chia sẻ trực tuyến", 4),
    ("C4.8", "Không sử dụng", 0), ("C4.8", "Có sử dụng", 1),
    ("C4.8", "Sử dụng thường xuyên trong nghiệp vụ", 2),
    ("C4.9", "Không cập nhật", 0), ("C4.9", "Không thường xuyên", 1),
    ("C4.9", "Hằng tháng trở lên", 2),
]


@pytest.mark.parametrize("code,label,expected", SPEC_CHOICES)
def test_choice_points(code, label, expected):
    assert points_of({code: label}, code) == expected
    # the same label typed lower-case without diacritics
    folded = label.lower().translate(str.maketrans("àáạảãâầấậẩẫăằắặẳẵèéẹẻẽêềếệểễìíịỉĩòóọỏõôồố"
                                                   "ộổỗơờớợởỡùúụủũưừứựửữỳýỵỷỹđ",
                                                   "aaaaaaaaaaaaaaaaaeeeeeeeeeeeiiiiiooooooo"
                                                   "oooooooooouuuuuuuuuuuyyyyyd"))
    assert points_of({code: folded}, code) == expected


# --------------------------------------------------------------------------- steps

@pytest.mark.parametrize("code,value,expected", [
    ("C1.4", 0, 0), ("C1.4", 1, 1), ("C1.4", 2, 2), ("C1.4", 9, 2), ("C1.4", "1.000", 2),
    ("C3.5", 0, 0), ("C3.5", 1, 1), ("C3.5", 2, 2), ("C3.5", 3, 2),
    ("C4.7", 0, 0), ("C4.7", 1, 1), ("C4.7", 2, 2), ("C4.7", 3, 3), ("C4.7", 4, 3),
    ("C5.3", 0, 0), ("C5.3", 1, 2), ("C5.3", 2, 3), ("C5.3", 12, 3),
])
def test_steps(code, value, expected):
    assert points_of({code: value}, code) == expected


# --------------------------------------------------------------------------- ratio, cap

@pytest.mark.parametrize("values,code,expected", [
    ({"C1.6a": 6, "C1.6b": 4}, "C1.6", 2.00),          # 4/6 * 3
    ({"C1.6a": 7, "C1.6b": 0}, "C1.6", 0.00),
    ({"C1.6a": 7, "C1.6b": 7}, "C1.6", 3.00),
    ({"C1.6a": 7, "C1.6b": 3}, "C1.6", 1.29),          # 9/7 = 1.2857..
    ({"C2.2": 20}, "C2.2", 2.40),                      # 20/25 * 3
    ({"C3.2a": 3, "C3.2b": 2}, "C3.2", 2.00),          # 2/3 * 3
    ({"C3.3": 1}, "C3.3", 0.12),                       # 1/25 * 3
    ({"C4.2": 33}, "C4.2", 1.32),                      # 33/100 * 4
    ({"C4.3": 24}, "C4.3", 2.88),                      # 24/25 * 3
    ({"C4.4": 3}, "C4.4", 1.20),                       # 3/10 * 4
    ({"C4.10a": 3, "C4.10b": 1}, "C4.10", 0.67),       # 2/3 = 0.666..
    ({"C5.2a": "1.234,5", "C5.2b": "617,25"}, "C5.2", 1.50),  # exactly half of 3
    ({"C5.4": 5}, "C5.4", 0.40),                       # 5/25 * 2
])
def test_ratio(values, code, expected):
    assert points_of(values, code) == expected


@pytest.mark.parametrize("g06,g05,expected", [
    (30, 20, 4.00),   # more computers than staff: capped at 1 -> full 4 points
    (1000, 1, 4.00),
    (20, 20, 4.00),
    (15, 20, 3.00),   # 0.75 * 4
    (1, 3, 1.33),     # 4/3 = 1.333..
    (2, 3, 2.67),     # 8/3 = 2.666..
    (0, 20, 0.00),
])
def test_c21_ratio_is_capped_at_one(g06, g05, expected):
    values = {"G06": g06, "G05": g05, "C2.2": 0, "C2.4": 0, "C5.4": 0, "C3.3": 0, "C3.4": 0,
              "C4.3": 0}
    assert points_of(values, "C2.1") == expected


# --------------------------------------------------------------------------- threshold

@pytest.mark.parametrize("c34,expected", [
    (100, 4.00), (80, 4.00),
    (70, 4.00),       # exactly at full (70 %)
    (69, 3.94),       # 0.69 / 0.7 * 4 = 3.9428..
    (50, 2.86),       # 0.5 / 0.7 * 4 = 2.857..
    (35, 2.00),       # exactly at floor (35 %): 0.35 / 0.7 * 4 = 2
    (34, 0.00),       # below floor
    (0, 0.00),
])
def test_threshold_c34(c34, expected):
    values = {"G05": 100, "C3.3": 0, "C4.3": 0, "C3.4": c34}
    assert points_of(values, "C3.4") == expected


@pytest.mark.parametrize("c41,expected", [
    (100, 5.00), (90, 5.00),   # 90 % of 60 + 40 documents: full
    (89, 4.94),                # 0.89 / 0.9 * 5 = 4.944..
    (70, 3.89),                # 0.7 / 0.9 * 5 = 3.888..
    (50, 2.78),                # at floor: 0.5 / 0.9 * 5 = 2.777..
    (49, 0.00),
])
def test_threshold_c41_sums_outgoing_and_incoming(c41, expected):
    values = {"G07": 60, "G08": 40, "C4.2": 0, "C4.1": c41}
    assert points_of(values, "C4.1") == expected


@pytest.mark.parametrize("c45,expected", [
    (10, 4.00), (5, 4.00),     # 50 % = full
    (4, 3.20),                 # 0.4 / 0.5 * 4
    (2, 1.60),                 # at floor 20 %: 0.2 / 0.5 * 4
    (1, 0.00),                 # 10 % < floor
])
def test_threshold_c45(c45, expected):
    assert points_of({"G10": 10, "C4.5": c45}, "C4.5") == expected


# --------------------------------------------------------------------------- target

@pytest.mark.parametrize("c51,expected", [
    (20, 5.00),       # 2 % of 1000: capped at the target
    (10, 5.00),       # exactly 1 %
    ("7,5", 3.75),    # 0.75 % -> 0.75 * 5
    (1, 0.50),        # 0.1 %
    ("0,5", 0.25),
    (0, 0.00),
])
def test_target_c51(c51, expected):
    assert points_of({"G11": "1.000", "C5.1": c51}, "C5.1") == expected


# --------------------------------------------------------------------------- zero denominators

def test_zero_denominators_give_zero_points_not_na():
    values = {"C1.6a": 0, "C1.6b": 0,
              "G06": 0, "C2.2": 0, "C2.4": 0, "C5.4": 0,
              "G07": 0, "G08": 0, "C4.1": 0, "C4.2": 0,
              "C3.2a": 0, "C3.2b": 0,
              "G11": 0, "C5.1": 0,
              "C5.2a": 0, "C5.2b": 0}
    got, status, score = one(values)
    zeroed = ["C1.6", "C2.1", "C2.2", "C2.4", "C5.4", "C4.1", "C4.2", "C3.2", "C5.1", "C5.2"]
    for code in zeroed:
        assert status[code] == "scored", code
        assert got[code] == 0, code
    # They still count: 100 - (3 + 4 + 3 + 3 + 2 + 5 + 4 + 3 + 5 + 3) = 65 of 100.
    assert score["applicable_max"] == 100
    assert score["score"] == 65


# --------------------------------------------------------------------------- not applicable

def na_codes(status: dict[str, str]) -> set[str]:
    return {c for c, s in status.items() if s == "na"}


def test_g09_zero():
    got, status, score = one({"G09": 0, "C4.4": 0, "G10": 0, "C4.5": 0})
    assert na_codes(status) == {"C4.4", "C4.5", "C4.11"}
    assert all(pd.isna(got[c]) for c in ("C4.4", "C4.5", "C4.11"))
    # 4 + 4 + 2 leave: the perfect unit earns 90 of 90
    assert score["applicable_max"] == 90 and score["earned"] == 90
    assert score["score"] == 100 and score["C4"] == 100


def test_g09_zero_even_with_procedure_files():
    # G09 = 0 alone makes C4.5 na, whatever G10 says.
    _, status, _ = one({"G09": 0, "C4.4": 0})
    assert na_codes(status) == {"C4.4", "C4.5", "C4.11"}


def test_g10_zero_only_c45():
    got, status, score = one({"G10": 0, "C4.5": 0})
    assert na_codes(status) == {"C4.5"}
    assert got["C4.4"] == 4 and got["C4.11"] == 2
    assert score["applicable_max"] == 96 and score["score"] == 100


def test_c410a_zero():
    _, status, score = one({"C4.10a": 0, "C4.10b": 0})
    assert na_codes(status) == {"C4.10"}
    assert score["applicable_max"] == 98


@pytest.mark.parametrize("raw", ["Không áp dụng", "KAD", "N/A", "khong ap dung"])
def test_c46_not_applicable(raw):
    got, status, score = one({"C4.6": raw})
    assert na_codes(status) == {"C4.6"}
    assert pd.isna(got["C4.6"])
    assert score["applicable_max"] == 96 and score["earned"] == 96 and score["score"] == 100


def test_several_not_applicable_and_score_over_applicable_max():
    # G09 = 0 (C4.4, C4.5, C4.11: 10), C4.10a = 0 (2), C4.6 na (4): max 100 - 16 = 84.
    # C1.1 "Chưa ban hành" loses 4: earned 80 of 84 -> 95.238.. -> 95.24; C1 = 11/15 -> 73.33
    # C4: 35 - 16 = 19 applicable, all earned -> 100.
    values = {"G09": 0, "C4.4": 0, "C4.5": 0, "C4.10a": 0, "C4.10b": 0, "C4.6": "KAD",
              "C1.1": "Chưa ban hành"}
    _, status, score = one(values)
    assert na_codes(status) == {"C4.4", "C4.5", "C4.11", "C4.10", "C4.6"}
    assert score["applicable_max"] == 84 and score["earned"] == 80
    assert score["score"] == 95.24
    assert score["C1"] == 73.33
    assert score["C4"] == 100
    assert score["tier"] == "Tốt"


def test_not_applicable_wins_over_an_invalid_numerator():
    # C4.4 unreadable, but with G09 = 0 the indicator does not apply at all.
    _, status, _ = one({"G09": 0, "C4.4": "không rõ"})
    assert status["C4.4"] == "na"


def test_c46_not_applicable_is_not_invalid_for_other_choices():
    # The same answer on C4.8 (which does not allow it) is invalid -> 0 points, still counted.
    got, status, score = one({"C4.8": "Không áp dụng"})
    assert status["C4.8"] == "invalid" and got["C4.8"] == 0
    assert score["applicable_max"] == 100 and score["score"] == 98


# --------------------------------------------------------------------------- invalid answers

def test_invalid_yes_no_scores_zero_and_still_counts():
    got, status, score = one({"C1.2": "có lẽ"})
    assert status["C1.2"] == "invalid" and got["C1.2"] == 0
    assert score["applicable_max"] == 100 and score["earned"] == 98 and score["score"] == 98
    assert score["C1"] == pytest.approx(86.67)  # 13/15


def test_invalid_denominator_invalidates_every_indicator_using_it():
    # G05 = 0 is below its minimum 1.
    got, status, _ = one({"G05": 0})
    users = {"C2.1", "C2.3", "C3.3", "C3.4", "C4.3"}
    assert {c for c, s in status.items() if s == "invalid"} == users
    assert all(got[c] == 0 for c in users)


def test_unreadable_computer_count():
    _, status, score = one({"G06": "khoảng 20"})
    users = {"C2.1", "C2.2", "C2.4", "C5.4"}
    assert {c for c, s in status.items() if s == "invalid"} == users
    assert score["score"] == 100 - (4 + 3 + 3 + 2)


def test_invalid_g09_invalidates_its_ratios():
    _, status, _ = one({"G09": "-3"})
    assert status["C4.4"] == "invalid" and status["C4.5"] == "invalid"


@pytest.mark.parametrize("values,code", [
    ({"C1.4": "2,5"}, "C1.4"),                      # fractional count
    ({"C1.6b": "-1"}, "C1.6"),                      # negative
    ({"C1.6a": None}, "C1.6"),                      # blank required
    ({"C1.1": "Đã ban hành"}, "C1.1"),              # unknown label
    ({"C1.1": "N/A"}, "C1.1"),                      # na where not allowed
    ({"C5.1": "nhiều"}, "C5.1"),
    ({"C3.4": MISSING}, "C3.4"),                    # answer cell not found at all
    ({"C4.10b": "?"}, "C4.10"),
])
def test_invalid_inputs_give_zero_points(values, code):
    got, status, _ = one(values)
    assert status[code] == "invalid"
    assert got[code] == 0


def test_numerator_above_denominator_flagged_by_intake_scores_zero():
    # C2.2 = 30 > G06 = 25: intake marks C2.2 invalid (keeping its number).
    got, status, _ = one({"C2.2": 30}, force_invalid=("C2.2",))
    assert status["C2.2"] == "invalid" and got["C2.2"] == 0


# --------------------------------------------------------------------------- best_in_group

def test_best_in_group():
    units = [
        # group so: v = C2.3 / G05
        ("S1", "so", {"G05": 20, "C2.3": 100}),        # v = 5: the best -> 3
        ("S2", "so", {"G05": 10, "C2.3": 30}),         # v = 3 -> 3/5 * 3 = 1.8
        ("S3", "so", {"G05": 3, "C2.3": 7}),           # v = 7/3 -> 7/15 * 3 = 1.4
        ("S4", "so", {"G05": 20, "C2.3": 0}),          # v = 0 -> 0
        ("S5", "so", {"G05": 20, "C2.3": "rất nhanh"}),  # invalid -> 0, not in the max
        ("S6", "so", {"G05": 0, "C2.3": 10000}),       # G05 invalid -> C2.3 invalid
        # group huyen is ranked on its own
        ("H1", "huyen", {"G05": 10, "C2.3": "2,5"}),   # v = 0.25: best of huyen -> 3
        ("H2", "huyen", {"G05": 8, "C2.3": 1}),        # v = 0.125 -> 1.5
    ]
    points, _ = score_units(units)
    c23 = points[points["indicator"] == "C2.3"].set_index("unit_id")
    assert c23["points"].to_dict() == pytest.approx(
        {"S1": 3, "S2": 1.8, "S3": 1.4, "S4": 0, "S5": 0, "S6": 0, "H1": 3, "H2": 1.5})
    assert c23["status"].to_dict() == {
        "S1": "scored", "S2": "scored", "S3": "scored", "S4": "scored", "S5": "invalid",
        "S6": "invalid", "H1": "scored", "H2": "scored"}


def test_best_in_group_ignores_an_answer_intake_marked_invalid():
    # S2's 5000 Mbps would be the best (v = 500), but the answer is invalid.
    units = [("S1", "so", {"G05": 10, "C2.3": 20}),   # v = 2: best among valid -> 3
             ("S2", "so", {"G05": 10, "C2.3": 5000}),
             ("S3", "so", {"G05": 10, "C2.3": 5})]    # v = 0.5 -> 0.75
    rows = (answer_rows("S1", units[0][2]) + answer_rows("S2", units[1][2], force_invalid=("C2.3",))
            + answer_rows("S3", units[2][2]))
    registry = registry_for({"S1": "so", "S2": "so", "S3": "so"})
    points = compute_points(answers_frame(rows), RUBRIC, registry)
    c23 = points[points["indicator"] == "C2.3"].set_index("unit_id")["points"].to_dict()
    assert c23 == pytest.approx({"S1": 3, "S2": 0, "S3": 0.75})


def test_best_in_group_largest_zero_gives_everyone_zero():
    units = [("H1", "huyen", {"C2.3": 0}), ("H2", "huyen", {"C2.3": "0"}),
             ("S1", "so", {"C2.3": 4})]
    points, _ = score_units(units)
    c23 = points[points["indicator"] == "C2.3"].set_index("unit_id")
    assert c23.loc["H1", "points"] == 0 and c23.loc["H2", "points"] == 0
    assert c23.loc["H1", "status"] == "scored"
    assert c23.loc["S1", "points"] == 3


def test_best_in_group_is_per_year():
    rows = (answer_rows("S1", {"G05": 20, "C2.3": 100}, 2017)    # 2017: v = 5 (best)
            + answer_rows("S2", {"G05": 10, "C2.3": 30}, 2017)   # 2017: v = 3 -> 1.8
            + answer_rows("S1", {"G05": 20, "C2.3": 10}, 2018)   # 2018: v = 0.5 -> 0.5
            + answer_rows("S2", {"G05": 10, "C2.3": 30}, 2018))  # 2018: v = 3 (best) -> 3
    points = compute_points(answers_frame(rows), RUBRIC, registry_for({"S1": "so", "S2": "so"}))
    c23 = points[points["indicator"] == "C2.3"].set_index(["year", "unit_id"])["points"]
    assert c23.to_dict() == pytest.approx({(2017, "S1"): 3, (2017, "S2"): 1.8,
                                           (2018, "S1"): 0.5, (2018, "S2"): 3})


# --------------------------------------------------------------------------- rounding

@pytest.mark.parametrize("value,places,expected", [
    (Fraction(2345, 1000), 2, "2.35"),
    (Fraction(1005, 1000), 2, "1.01"),
    (Fraction(2675, 1000), 2, "2.68"),
    (Fraction(125, 1000), 2, "0.13"),
    (Fraction(64125, 1000), 2, "64.13"),
    (Fraction(5, 1000), 2, "0.01"),
    (Fraction(4999, 1000000), 2, "0.00"),
    (Fraction(1, 3), 2, "0.33"),
    (Fraction(2, 3), 2, "0.67"),
    (Fraction(-2345, 1000), 2, "-2.35"),
    (Fraction(5, 2), 0, "3"),
    (Fraction(7, 2), 0, "4"),
    (Fraction(25, 100), 1, "0.3"),
    (Fraction(0), 2, "0.00"),
    (Fraction(100), 2, "100.00"),
])
def test_round_half_up(value, places, expected):
    result = round_half_up(value, places)
    assert result == Decimal(expected)
    assert str(result) == expected


def test_python_round_would_have_rounded_these_down():
    # The cases below are why the code cannot use round(): it rounds them down.
    assert round(1.005, 2) == 1.0 and round(2.675, 2) == 2.67
    assert round(0.125, 2) == 0.12 and round(64.125, 2) == 64.12


@given(st.integers(min_value=-10**9, max_value=10**9), st.integers(min_value=1, max_value=10**6))
def test_round_half_up_matches_decimal_half_up(numerator, denominator):
    with decimal.localcontext() as ctx:
        ctx.prec = 60
        exact = Decimal(numerator) / Decimal(denominator)
        expected = exact.quantize(Decimal("0.01"), rounding=ROUND_HALF_UP)
    assert round_half_up(Fraction(numerator, denominator)) == expected


@pytest.mark.parametrize("values,code,expected", [
    # C1.6: 67/200 * 3 = 201/200 = 1.005 exactly -> 1.01
    ({"C1.6a": 200, "C1.6b": 67}, "C1.6", 1.01),
    # C5.1: 535 / 100.000 = 0.535 % -> 0.535 * 5 = 2.675 exactly -> 2.68
    ({"G11": "100.000", "C5.1": 535}, "C5.1", 2.68),
    # C4.2: 1/32 * 4 = 0.125 exactly -> 0.13
    ({"G07": 32, "C4.1": 132, "C4.2": 1}, "C4.2", 0.13),
    # C5.2: 80,5/100 * 3 = 2.415 -> 2.42
    ({"C5.2a": 100, "C5.2b": "80,5"}, "C5.2", 2.42),
    # C3.3: 1/8 * 3 = 0.375 -> 0.38
    ({"G05": 8, "C3.3": 1, "C3.4": 8, "C4.3": 8}, "C3.3", 0.38),
])
def test_indicator_points_round_half_up(values, code, expected):
    assert points_of(values, code) == expected


def test_score_rounds_half_up():
    # G10 = 0 -> C4.5 na -> applicable max 96.
    # Lost: C3.3 13/25 * 3 = 1.56 (loses 1.44) and 33 whole points:
    # C1.1 4, C1.2 2, C1.3 3, C1.4 2, C1.5 1, C2.5 2, C2.6 1, C2.7 1, C2.8 3, C3.1 3,
    # C3.5 2, C4.7 3, C4.8 2, C4.9 2, C5.5 2 = 33.
    # earned = 96 - 34.44 = 61.56; score = 61.56 / 96 * 100 = 64.125 exactly -> 64.13.
    values = {"G10": 0, "C4.5": 0, "C3.3": 13,
              "C1.1": "Chưa ban hành", "C1.2": "Không", "C1.3": "Không", "C1.4": 0,
              "C1.5": "Không", "C2.5": "Không", "C2.6": "Không", "C2.7": "Không",
              "C2.8": "Không có", "C3.1": "Không có", "C3.5": 0, "C4.7": 0,
              "C4.8": "Không sử dụng", "C4.9": "Không cập nhật", "C5.5": "Không"}
    _, _, score = one(values)
    assert score["applicable_max"] == 96
    assert score["earned"] == pytest.approx(61.56)
    assert score["score"] == 64.13
    assert score["tier"] == "Trung bình"


def _half_up(numerator: int, denominator: int) -> Decimal:
    with decimal.localcontext() as ctx:
        ctx.prec = 50
        exact = Decimal(numerator) / Decimal(denominator)
    return exact.quantize(Decimal("0.01"), ROUND_HALF_UP)


def _grid_points(units: dict[str, dict], code: str) -> dict[str, float]:
    rows = [r for unit_id, values in units.items() for r in answer_rows(unit_id, values)]
    points = compute_points(answers_frame(rows), RUBRIC, registry_for(dict.fromkeys(units, "so")))
    part = points[points["indicator"] == code]
    assert set(part["status"]) == {"scored"}
    return dict(zip(part["unit_id"], part["points"]))


def test_ratio_points_on_a_grid():
    # C1.6 = done / total * 3, half-up to 2 decimals, for every total <= 16 and done <= total.
    pairs = [(total, done) for total in range(1, 17) for done in range(total + 1)]
    units = {f"U{t}-{d}": {"C1.6a": t, "C1.6b": d} for t, d in pairs}
    got = _grid_points(units, "C1.6")
    for total, done in pairs:
        assert got[f"U{total}-{done}"] == float(_half_up(3 * done, total)), (total, done)


def test_threshold_points_on_a_grid():
    # C3.4: r = trained / staff; r >= 0.7 -> 4; 0.35 <= r < 0.7 -> r / 0.7 * 4; else 0.
    # Decided in whole numbers: r >= 0.7 <=> 10 * trained >= 7 * staff, and
    # r / 0.7 * 4 = 40 * trained / (7 * staff).
    pairs = [(staff, trained) for staff in range(1, 21) for trained in range(staff + 1)]
    units = {f"U{s}-{t}": {"G05": s, "G06": s, "C2.2": 0, "C2.4": 0, "C5.4": 0, "C3.3": 0,
                           "C4.3": 0, "C3.4": t} for s, t in pairs}
    got = _grid_points(units, "C3.4")
    for staff, trained in pairs:
        if 10 * trained >= 7 * staff:
            expected = Decimal(4)
        elif 100 * trained >= 35 * staff:
            expected = _half_up(40 * trained, 7 * staff)
        else:
            expected = Decimal(0)
        assert got[f"U{staff}-{trained}"] == float(expected), (staff, trained)


# --------------------------------------------------------------------------- scores from points

def points_rows(unit_id: str, group: str, lost: str = "0", year: int = 2017,
                na: tuple[str, ...] = ()) -> list[dict]:
    """Point rows for one unit that loses `lost` points, taken from the first indicators."""
    remaining = Decimal(lost)
    rows = []
    for ind in RUBRIC.indicators:
        top = Decimal(ind.max_points.numerator) / Decimal(ind.max_points.denominator)
        if ind.code in na:
            points, status = None, "na"
        else:
            take = min(top, remaining)
            remaining -= take
            points, status = float(top - take), "scored"
        rows.append({"year": year, "unit_id": unit_id, "group": group,
                     "criterion": ind.criterion, "indicator": ind.code, "points": points,
                     "max_points": float(ind.max_points), "status": status, "file": "",
                     "sources": ""})
    assert remaining == 0
    return rows


def scores_of(*rows: list[dict]) -> pd.DataFrame:
    flat = [r for unit in rows for r in unit]
    units = {r["unit_id"]: r["group"] for r in flat}
    return compute_scores(pd.DataFrame(flat), RUBRIC, registry_for(units))


@pytest.mark.parametrize("lost,score,tier", [
    ("0", 100, "Tốt"),
    ("15", 85, "Tốt"),             # exactly 85
    ("15.01", 84.99, "Khá"),
    ("30", 70, "Khá"),             # exactly 70
    ("30.01", 69.99, "Trung bình"),
    ("50", 50, "Trung bình"),      # exactly 50
    ("50.01", 49.99, "Yếu"),
    ("100", 0, "Yếu"),
])
def test_tier_boundaries(lost, score, tier):
    result = scores_of(points_rows("U1", "so", lost)).iloc[0]
    assert result["score"] == score
    assert result["tier"] == tier


def test_score_from_points_rounds_half_up():
    # C4.5 na -> max 96; earned 96 - 35.88 = 60.12; 60.12 / 96 * 100 = 62.625 -> 62.63
    result = scores_of(points_rows("U1", "so", "35.88", na=("C4.5",))).iloc[0]
    assert result["applicable_max"] == 96
    assert result["earned"] == pytest.approx(60.12)
    assert result["score"] == 62.63
    assert round(62.625, 2) == 62.62  # what round() would have said


def test_criterion_percentages_from_points():
    # Losing 16 points from the first indicators: all of C1 (15) and 1 of C2.1 (4 -> 3).
    result = scores_of(points_rows("U1", "so", "16")).iloc[0]
    assert result["C1"] == 0
    assert result["C2"] == 95  # 19 / 20
    assert result[["C3", "C4", "C5"]].tolist() == [100, 100, 100]
    assert result["score"] == 84 and result["tier"] == "Khá"


def test_criterion_with_nothing_applicable_has_no_percentage():
    c4 = tuple(i.code for i in RUBRIC.indicators if i.criterion == "C4")
    result = scores_of(points_rows("U1", "so", "13", na=c4)).iloc[0]
    # 100 - 35 = 65 applicable, 52 earned -> 80
    assert pd.isna(result["C4"])
    assert result["applicable_max"] == 65 and result["score"] == 80
    assert result["C1"] == pytest.approx(13.33)  # 2 of 15


def test_competition_ranking_within_year_and_group():
    scores = scores_of(
        points_rows("A", "so", "10"),          # 90
        points_rows("B", "so", "20"),          # 80
        points_rows("C", "so", "20"),          # 80
        points_rows("D", "so", "30"),          # 70
        points_rows("E", "huyen", "20"),       # 80: first of its own group
        points_rows("F", "huyen", "40"),       # 60
        points_rows("A", "so", "50", 2018),    # 50
        points_rows("B", "so", "40", 2018),    # 60
    )
    ranks = {(r.year, r.unit_id): r.rank for r in scores.itertuples()}
    assert ranks == {(2017, "A"): 1, (2017, "B"): 2, (2017, "C"): 2, (2017, "D"): 4,
                     (2017, "E"): 1, (2017, "F"): 2, (2018, "B"): 1, (2018, "A"): 2}
    # sorted by year, group, rank
    assert list(zip(scores["year"], scores["unit_id"])) == [
        (2017, "E"), (2017, "F"), (2017, "A"), (2017, "B"), (2017, "C"), (2017, "D"),
        (2018, "B"), (2018, "A")]


def test_ties_at_the_top():
    scores = scores_of(*(points_rows(u, "huyen", lost) for u, lost in
                         [("P", "5"), ("Q", "5"), ("R", "12.5"), ("S", "12.5"), ("T", "12.51")]))
    assert dict(zip(scores["unit_id"], scores["rank"])) == {"P": 1, "Q": 1, "R": 3, "S": 3,
                                                            "T": 5}


def test_rank_within_groups_directly():
    frame = pd.DataFrame({"year": [2017] * 5 + [2018],
                          "group": ["so", "so", "so", "so", "huyen", "so"],
                          "score": [70.0, 90.0, 80.0, 80.0, 10.0, 5.0]})
    assert rank_within_groups(frame).tolist() == [4, 1, 2, 2, 1, 1]


def test_end_to_end_ranking_of_realistic_units():
    # Two perfect units tie at 100; MIXED scores 63.70.
    _, scores = score_units([("U1", "so", {}), ("U2", "so", MIXED), ("U3", "so", {})])
    # C2.3 v: U1, U3 = 50/25 = 2; U2 = 12,5/25 = 0.5 -> 0.5/2 * 3 = 0.75 (not 3 as alone):
    # U2 earned 63.70 - 3 + 0.75 = 61.45
    by_unit = scores.set_index("unit_id")
    assert by_unit.loc["U2", "score"] == pytest.approx(61.45)
    assert by_unit["rank"].to_dict() == {"U1": 1, "U3": 1, "U2": 3}
