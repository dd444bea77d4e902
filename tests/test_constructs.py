"""The constructs of today's digital-transformation frameworks, scored by hand.

tests/rubrics/constructs.yaml uses each once: groups with their own indicator sets and
totals (sở 100, xã 60), a ratio of two reported counts with a ≤ b and the b = 0 case
declared (na, 0, full), steps, choice, a sum of independent partial credits, points per item
with a cap, the best of alternative ways of scoring, a target set per year, an indicator for
only some units (a registry column, a list in round.yaml), units assessed but not ranked,
inputs supplied by the appraiser or a system, tiers with five names on the share of the
maximum, results per pillar, and (a variant) criterion weights for the index. Every
expected number is worked out in the comments from the rubric file, as exact fractions.
"""

from __future__ import annotations

import copy
from pathlib import Path

import pandas as pd
import pytest
import yaml

from cntt_analysis.intake.values import parse_answer
from cntt_analysis.intake.workbook import answers_frame
from cntt_analysis.rubric.model import load_rubric, parse_rubric
from cntt_analysis.scoring.points import compute_points, compute_scores, criterion_scores

FILE = Path(__file__).parent / "rubrics" / "constructs.yaml"
RUBRIC = load_rubric(FILE)

# unit → (group, kinh_te_so column, on round list thi_diem, ranked column)
UNITS = {
    "S1": ("so", "có", True, ""),
    "S2": ("so", "", False, ""),
    "S3": ("so", "x", True, "có"),
    "X1": ("xa", "", False, ""),
    "X2": ("xa", "", False, "không"),
    "X3": ("xa", "", False, ""),
}
ANSWERS = {
    # S1 — P1.1 3 meetings: step 3 → 15. P1.2 2 of 3 chaired: 2/3 × 10 = 6.666… → 6.67.
    # P1.3 attends (5) + does not chair (0) = 5. P1: 26.67 of 40.
    # P2.1 4 apps × 2 = 8 (≤ 10). P2.2 3 of 4 systems approved (appraiser): 3/4 × 10 = 7.5.
    # P2.3 best of: 1 drill → 6; 2 joint drills × 4 = 8 → 8. P2: 23.5 of 30.
    # P3.1 30 of 200 online: r = 0.15 < floor 0.2 → 0. P3.2 Thí điểm → 7.5. P3: 7.5 of 30.
    # Earned 57.67 of 100 → 57.67 % (Trung bình), index 0.5767.
    "S1": {"P1.1": 3, "P1.2": 2, "P1.3a": "Có", "P1.3b": "Không", "P2.1": 4, "P2.2a": 3,
           "P2.2b": 4, "P2.3a": 1, "P2.3b": 2, "P3.1a": 30, "P3.1b": 200, "P3.2": "Thí điểm"},
    # S2 — no flag kinh_te_so, not on thi_diem: P3.1 and P3.2 not applicable (max 30 leaves).
    # P1.1 0 meetings → 0. P1.2 0 of 0: if_zero na → not applicable (max 10 leaves).
    # P1.3 5 + 5 = 10. P1: 10 of 30.
    # P2.1 7 × 2 = 14, capped at 10. P2.2 0 of 0 systems: if_zero 0 → 0 (scored).
    # P2.3 best of: 2 drills → 10; 0 joint → 0 → 10. P2: 20 of 30.
    # Earned 30 of 100 − 10 − 30 = 60 → 50.00 % (Trung bình, at its floor), index 0.5.
    "S2": {"P1.1": 0, "P1.2": 0, "P1.3a": "Có", "P1.3b": "Có", "P2.1": 7, "P2.2a": 0,
           "P2.2b": 0, "P2.3a": 2, "P2.3b": 0},
    # S3 — P1: 20 + 4/4 × 10 + 10 = 40. P2.1 5 × 2 = 10; P2.2 2/2 × 10 = 10;
    # P2.3 best of: 0 drills → 0; 3 joint × 4 = 12 → capped 10 → 10. P2: 30.
    # P3.1 0 of 0 dossiers: if_zero full → 15. P3.2 Toàn diện → 15. P3: 30.
    # 100 of 100 → 100 % (Xuất sắc), index 1.
    "S3": {"P1.1": 4, "P1.2": 4, "P1.3a": "Có", "P1.3b": "Có", "P2.1": 5, "P2.2a": 2,
           "P2.2b": 2, "P2.3a": 0, "P2.3b": 3, "P3.1a": 0, "P3.1b": 0, "P3.2": "Toàn diện"},
    # X1 — the xã framework: P1 (40), P2.1 and P2.4 (20); total 60.
    # P1: 20 + 4/4 × 10 + (0 + 5) = 35. P2.1 1 × 2 = 2; P2.4 3 of the 4 documents the
    # province set: min(3/4, 1) × 10 = 7.5. P2: 9.5.
    # 44.5 of 60 = 74.1666… → 74.17 % (Khá), index 0.741666… → 0.7417.
    "X1": {"P1.1": 4, "P1.2": 4, "P1.3a": "Không", "P1.3b": "Có", "P2.1": 1, "P2.4": 3},
    # X2 — assessed, not ranked. P1: 10 + 1/2 × 10 + 10 = 25. P2.1 5 × 2 = 10;
    # P2.4 min(9/4, 1) × 10 = 10. 45 of 60 = 75.00 % (Khá); no rank.
    "X2": {"P1.1": 2, "P1.2": 1, "P1.3a": "Có", "P1.3b": "Có", "P2.1": 5, "P2.4": 9},
    # X3 — P1: 5 + 0/1 × 10 + 0 = 5. P2: 0 + 0. 5 of 60 = 8.333… → 8.33 % (Yếu), 0.0833.
    "X3": {"P1.1": 1, "P1.2": 0, "P1.3a": "Không", "P1.3b": "Không", "P2.1": 0, "P2.4": 0},
}
POINTS = {
    "S1": {"P1.1": 15, "P1.2": 6.67, "P1.3": 5, "P2.1": 8, "P2.2": 7.5, "P2.3": 8,
           "P3.1": 0, "P3.2": 7.5},
    "S2": {"P1.1": 0, "P1.2": None, "P1.3": 10, "P2.1": 10, "P2.2": 0, "P2.3": 10,
           "P3.1": None, "P3.2": None},
    "S3": {"P1.1": 20, "P1.2": 10, "P1.3": 10, "P2.1": 10, "P2.2": 10, "P2.3": 10,
           "P3.1": 15, "P3.2": 15},
    "X1": {"P1.1": 20, "P1.2": 10, "P1.3": 5, "P2.1": 2, "P2.4": 7.5},
    "X2": {"P1.1": 10, "P1.2": 5, "P1.3": 10, "P2.1": 10, "P2.4": 10},
    "X3": {"P1.1": 5, "P1.2": 0, "P1.3": 0, "P2.1": 0, "P2.4": 0},
}
# unit: score (%), tier, rank (None: not ranked), earned, applicable max, index
SCORES = {
    "S1": (57.67, "Trung bình", 2, 57.67, 100, 0.5767),
    "S2": (50.00, "Trung bình", 3, 30, 60, 0.5),
    "S3": (100.00, "Xuất sắc", 1, 100, 100, 1.0),
    "X1": (74.17, "Khá", 1, 44.5, 60, 0.7417),
    "X2": (75.00, "Khá", None, 45, 60, 0.75),
    "X3": (8.33, "Yếu", 2, 5, 60, 0.0833),
}


def registry() -> pd.DataFrame:
    """units.csv as loaded, with round.yaml's list thi_diem already a flag column."""
    return pd.DataFrame({
        "unit_id": list(UNITS), "name": [f"Đơn vị {u}" for u in UNITS],
        "group": [u[0] for u in UNITS.values()],
        "kinh_te_so": [u[1] for u in UNITS.values()],
        "thi_diem": ["có" if u[2] else "" for u in UNITS.values()],
        "ranked": [u[3] for u in UNITS.values()]})


def answers(values: dict[str, dict], rubric=RUBRIC, year: int = 2025) -> pd.DataFrame:
    """The answers table as intake (and the appraiser's and systems' readers) build it."""
    rows = []
    for unit, given in values.items():
        general = {"G01": f"Đơn vị {unit}", "G02": year, "G03": f"01/08/{year}"}
        for n, (code, raw) in enumerate({**general, **given}.items()):
            inp = rubric.inputs[code]
            parsed = parse_answer(raw, inp)
            rows.append({"year": year, "unit_id": unit, "code": code, "raw_value": str(raw),
                         "value": parsed.value, "number": parsed.number,
                         "status": parsed.status, "file": f"{unit}.xlsx", "sheet": inp.sheet,
                         "cell": f"D{n + 5}"})
    return answers_frame(rows)


@pytest.fixture(scope="module")
def scored():
    points = compute_points(answers(ANSWERS), RUBRIC, registry())
    return points, compute_scores(points, RUBRIC, registry())


def test_points_of_every_construct(scored):
    points, _ = scored
    for unit, expected in POINTS.items():
        mine = points[points["unit_id"] == unit]
        # a unit has a row for each indicator of its group's framework, and only those
        assert list(mine["indicator"]) == list(expected), unit
        got = dict(zip(mine["indicator"], mine["points"]))
        for code, want in expected.items():
            if want is None:
                assert pd.isna(got[code]), (unit, code)
            else:
                assert got[code] == want, (unit, code)
    status = points.set_index(["unit_id", "indicator"])["status"]
    assert status[("S2", "P1.2")] == "na"        # 0 of 0 meetings: if_zero na
    assert status[("S2", "P2.2")] == "scored"    # 0 of 0 systems: if_zero 0
    assert status[("S3", "P3.1")] == "scored"    # 0 of 0 dossiers: if_zero full
    assert status[("S2", "P3.1")] == "na" and status[("S2", "P3.2")] == "na"  # not flagged
    assert set(points["group"]) == {"so", "xa"}


def test_scores_shares_tiers_ranks_and_index(scored):
    _, scores = scored
    by_unit = scores.set_index("unit_id")
    for unit, (score, tier, rank, earned, possible, index) in SCORES.items():
        row = by_unit.loc[unit]
        assert (row["score"], row["tier"], row["earned"], row["applicable_max"],
                row["index"]) == (score, tier, earned, possible, index), unit
        assert (pd.isna(row["rank"]) if rank is None else row["rank"] == rank), unit
        assert row["ranked"] == (rank is not None)
    # the unranked unit is listed after the ranked ones of its group
    assert list(scores["unit_id"]) == ["S3", "S1", "S2", "X1", "X3", "X2"]
    # criterion columns: P3 is not in the xã framework
    assert pd.isna(by_unit.loc["X1", "P3"]) and by_unit.loc["X1", "P1"] == 87.5
    assert pd.isna(by_unit.loc["S2", "P3"])  # nothing of it applies to S2


def test_results_per_pillar_with_ranks(scored):
    points, _ = scored
    table = criterion_scores(points, RUBRIC, registry())
    got = {(r.unit_id, r.criterion): (r.points, r.max_points, r.share,
                                       None if pd.isna(r.rank) else int(r.rank))
           for r in table.itertuples()}
    assert got.pop(("S2", "P3"))[:2] == (0, 0)  # nothing applies: share NaN, no rank
    assert table.set_index(["unit_id", "criterion"]).loc[("S2", "P3"), "share"] != \
        table.set_index(["unit_id", "criterion"]).loc[("S2", "P3"), "share"]
    assert got == {
        # P1 (sở): S1 26.67/40 = 0.66675 → 66.675 → 66.68 (half-up); S2 10/30 → 33.33
        ("S1", "P1"): (26.67, 40, 66.68, 2), ("S2", "P1"): (10, 30, 33.33, 3),
        ("S3", "P1"): (40, 40, 100, 1),
        # P2 (sở): 23.5/30 = 78.333… → 78.33; 20/30 → 66.67
        ("S1", "P2"): (23.5, 30, 78.33, 2), ("S2", "P2"): (20, 30, 66.67, 3),
        ("S3", "P2"): (30, 30, 100, 1),
        ("S1", "P3"): (7.5, 30, 25, 2), ("S3", "P3"): (30, 30, 100, 1),
        # xã: P1 35/40, 25/40, 5/40; P2 9.5/20, 20/20, 0/20 — X2 is not ranked
        ("X1", "P1"): (35, 40, 87.5, 1), ("X2", "P1"): (25, 40, 62.5, None),
        ("X3", "P1"): (5, 40, 12.5, 2),
        ("X1", "P2"): (9.5, 20, 47.5, 1), ("X2", "P2"): (20, 20, 100, None),
        ("X3", "P2"): (0, 20, 0, 2),
    }
    assert list(table.columns) == ["year", "unit_id", "group", "criterion", "points",
                                   "max_points", "share", "rank", "ranked"]


def test_criterion_weights_make_the_index_a_weighted_mean():
    data = yaml.safe_load(FILE.read_text(encoding="utf-8"))
    for crit, weight in zip(data["criteria"], (0.5, 0.3, 0.2)):
        crit["weight"] = weight
    rubric = parse_rubric(data, source="weights.yaml")
    points = compute_points(answers(ANSWERS, rubric), rubric, registry())
    scores = compute_scores(points, rubric, registry()).set_index("unit_id")
    got = {u: (r["score"], r["index"], r["tier"]) for u, r in scores.iterrows()}
    assert got == {
        # S1: 0.5 × 2667/4000 + 0.3 × 47/60 + 0.2 × 1/4 = 4947/8000 = 0.618375
        "S1": (61.84, 0.6184, "Trung bình"),
        # S2: P3 has nothing applicable and leaves: (0.5 × 1/3 + 0.3 × 2/3) / 0.8 = 11/24
        "S2": (45.83, 0.4583, "Yếu"),
        "S3": (100.0, 1.0, "Xuất sắc"),
        # X1: P3 is not in the xã framework: (0.5 × 35/40 + 0.3 × 9.5/20) / 0.8 = 0.725
        "X1": (72.5, 0.725, "Khá"),
        # X2: (0.5 × 25/40 + 0.3 × 1) / 0.8 = 0.765625 → 76.56, 0.7656
        "X2": (76.56, 0.7656, "Khá"),
        # X3: (0.5 × 5/40) / 0.8 = 0.078125 → 7.81, 0.0781
        "X3": (7.81, 0.0781, "Yếu"),
    }


def score_2017(units: dict[str, tuple[str, str, dict]]) -> dict[str, float]:
    """C2.3 points of units of the 2017 rubric: unit → (group, ranked cell, answers)."""
    from test_scoring import RUBRIC as R2017
    from test_scoring import answer_rows

    rows = [r for unit, (_, _, values) in units.items() for r in answer_rows(unit, values)]
    reg = pd.DataFrame({"unit_id": list(units), "name": list(units),
                        "group": [u[0] for u in units.values()],
                        "ranked": [u[1] for u in units.values()]})
    points = compute_points(answers_frame(rows), R2017, reg)
    c23 = points[points["indicator"] == "C2.3"]
    return dict(zip(c23["unit_id"], c23["points"]))


def test_best_in_group_among_ranked_units():
    # 2017 rubric, C2.3 best_in_group on bandwidth per staff (C2.3 / G05), max 3. A unit
    # outside the ranking must not move the points of those in it.
    got = score_2017({
        "R1": ("so", "", {"G05": 20, "C2.3": 40}),     # v = 2: best among the ranked → 3
        "R2": ("so", "không", {"G05": 10, "C2.3": 100}),  # v = 10, not ranked: it does not
        # set the best; measured against 2: min(10/2, 1) × 3 = 3
        "R3": ("so", "", {"G05": 10, "C2.3": 10}),     # v = 1: 1/2 × 3 = 1.5
        # a group where nobody is ranked: the best of all (v = 4 and 2) → 3 and 1.5
        "H1": ("huyen", "không", {"G05": 5, "C2.3": 20}),
        "H2": ("huyen", "không", {"G05": 5, "C2.3": 10}),
    })
    assert got == {"R1": 3, "R2": 3, "R3": 1.5, "H1": 3, "H2": 1.5}
    # were R2 ranked, it would be the best (v = 10): R1 2/10 × 3 = 0.6, R3 0.3
    again = score_2017({"R1": ("so", "", {"G05": 20, "C2.3": 40}),
                        "R2": ("so", "", {"G05": 10, "C2.3": 100}),
                        "R3": ("so", "", {"G05": 10, "C2.3": 10})})
    assert again == {"R1": 0.6, "R2": 3, "R3": 0.3}


# --------------------------------------------------------------------------- the file refused

def _refused(change, source: str = "khung.yaml") -> str:
    from cntt_analysis.rubric.model import RubricError

    data = yaml.safe_load(FILE.read_text(encoding="utf-8"))
    change(data)
    with pytest.raises(RubricError) as info:
        parse_rubric(copy.deepcopy(data), source=source)
    message = str(info.value)
    assert message.startswith(source)
    return message


def _ind(data: dict, code: str) -> dict:
    return next(i for c in data["criteria"] for i in c["indicators"] if i["code"] == code)


@pytest.mark.parametrize("change,expected", [
    (lambda d: _ind(d, "P1.2")["rule"].update(if_zero="half"),
     "chỉ tiêu P1.2: 'if_zero: half' không hợp lệ"),
    (lambda d: _ind(d, "P1.2")["inputs"][0].pop("at_most"),
     "cần P1.2 ≤ P1.1: ghi 'at_most: [P1.1]' ở mục P1.2"),
    (lambda d: _ind(d, "P1.3")["rule"]["parts"][0].update(max=6),
     "chỉ tiêu P1.3: các phần của quy tắc 'sum' có điểm tối đa cộng lại 11"),
    (lambda d: _ind(d, "P1.3")["rule"]["parts"][1].pop("max"),
     "mỗi phần của quy tắc 'sum' cần 'max'"),
    (lambda d: _ind(d, "P1.3")["rule"].update(parts=[{"kind": "yes_no", "input": "P1.3a",
                                                      "max": 10}]),
     "'parts' phải là danh sách từ hai quy tắc trở lên"),
    (lambda d: _ind(d, "P2.3")["rule"]["options"][0].update(kind="best_in_group"),
     "loại quy tắc của một phần 'best_in_group' không hợp lệ"),
    (lambda d: _ind(d, "P2.3")["rule"]["options"][1].update(na_if_zero=["P2.3b"]),
     "chỉ ghi ở quy tắc của cả chỉ tiêu"),
    (lambda d: _ind(d, "P2.1")["rule"].update(each=0), "each) phải lớn hơn 0"),
    (lambda d: _ind(d, "P2.1")["rule"].update(input="P1.3a"),
     "quy tắc per_item cần mục kiểu số"),
    (lambda d: _ind(d, "P2.2")["inputs"][0].update(source="tinh"),
     "mục P2.2a có 'source: tinh' không hợp lệ"),
    (lambda d: _ind(d, "P3.1")["inputs"][0].pop("system"),
     "mục P3.1a lấy từ hệ thống ('source: system') cần ghi tên hệ thống"),
    (lambda d: _ind(d, "P2.2")["inputs"][0].update(evidence=True),
     "mục P2.2a do cơ quan thẩm định cung cấp nên không yêu cầu"),
    (lambda d: _ind(d, "P2.2").update(groups=["huyen"]),
     "chỉ tiêu P2.2 ghi 'groups' có khối huyen không có trong mục 'groups'"),
    (lambda d: _ind(d, "P3.1").update(applies_to={"units": "kinh_te_so"}),
     "chỉ tiêu P3.1 có 'applies_to' không hợp lệ"),
    (lambda d: _ind(d, "P3.1").update(applies_to={"registry": "ranked"}),
     "'applies_to: {registry: ranked}' không hợp lệ"),
    (lambda d: _ind(d, "P2.4").update(groups=["so", "xa"]),
     "tiêu chí P2 (khối so) ghi tối đa 30 điểm nhưng các chỉ tiêu cộng lại 40"),
    (lambda d: d.update(total={"so": 100, "xa": 50}),
     "tổng điểm (khối xa) ghi 50 nhưng các tiêu chí cộng lại 60"),
    (lambda d: d.update(total={"so": 100}), "total: thiếu giá trị cho khối xa"),
    (lambda d: d["criteria"][1].update(max={"so": 30, "xa": 20, "tinh": 5}),
     "P2.max: khối tinh không có trong mục 'groups'"),
    (lambda d: d["groups"].append({"id": "so", "name": "Trùng"}), "mã khối so bị trùng"),
    (lambda d: d["groups"].append({"id": "xã", "name": "Có dấu"}), "mã khối “xã” không hợp lệ"),
    (lambda d: d["groups"][0].update(color="blue"), "màu “blue” không hợp lệ"),
    (lambda d: d["groups"][1].pop("name"), "khối xa: thiếu tên khối (name)"),
    (lambda d: d.update(group_short={"so": "Sở"}), "ghi ở cả 'groups' (short) và 'group_short'"),
    (lambda d: d["criteria"][0].update(weight=1), "tiêu chí P2, P3 chưa ghi"),
    (lambda d: d["criteria"][0].update(weight=0), "trọng số (weight) phải lớn hơn 0"),
    (lambda d: d.update(result="rank"), "mục 'result: rank' không hợp lệ"),
    (lambda d: d["tiers"].pop(), "xếp loại thấp nhất trong 'tiers' phải có 'min: 0'"),
    (lambda d: d["tiers"].append({"name": "Kém", "min": 90}), "cùng mức 'min'"),
    (lambda d: d["tiers"].append({"name": "Tốt", "min": 30}), "tên xếp loại bị trùng: Tốt"),
    (lambda d: d["tiers"][0].update(min=120), "ngoài khoảng 0–100"),
    # P1.2 reads P1.1; were P1.1 only for sở, a xã template would not ask it
    (lambda d: (_ind(d, "P1.1").update(groups=["so"]),
                d["criteria"][0].update(max={"so": 40, "xa": 20})),
     "chỉ tiêu P1.2 dùng mục P1.1 của chỉ tiêu P1.1"),
])
def test_new_keys_are_checked_on_loading(change, expected):
    assert expected in _refused(change)


def test_the_older_spelling_of_groups_still_loads():
    rubric = load_rubric("2017")
    assert rubric.groups == {"so": "Khối phòng, đơn vị trực thuộc Sở",
                             "huyen": "Khối Phòng TN&MT cấp huyện"}
    assert rubric.group_short == {"so": "Khối Sở", "huyen": "Khối huyện"}
    assert rubric.group_colors == {} and rubric.result == "share"
    assert rubric.totals == {"so": 100, "huyen": 100}
    assert RUBRIC.group_label("xa", short=True) == "Khối xã"
    assert RUBRIC.group_colors == {"so": "#1565C0"}
    assert RUBRIC.total_for("xa") == 60 and RUBRIC.criteria[2].max_for("xa") == 0


# --------------------------------------------------------------------------- the README

README = Path(__file__).parent.parent / "README.md"


def _readme_yaml() -> list[str]:
    text = README.read_text(encoding="utf-8")
    section = text[text.index("## The rubric file"):text.index("### Changes between years")]
    return [block.split("```", 1)[0] for block in section.split("```yaml\n")[1:]]


def test_the_readme_framework_loads_and_scores_as_it_says():
    blocks = _readme_yaml()
    rubric = parse_rubric(yaml.safe_load(blocks[0]), source="README.md")
    assert rubric.groups == {"so": "Khối sở, ban, ngành", "xa": "Khối xã, phường, đặc khu"}
    assert rubric.totals == {"so": 100, "xa": 60} and rubric.result == "index"
    assert [i.code for i in rubric.group_indicators("xa")] == ["P1.1", "P1.2", "P2.2"]
    assert rubric.inputs["P2.1a"].source == "system"
    # one sở without the digital-economy flag: P2.1 (40) leaves; 3 meetings → 15,
    # 3 of 3 chaired → 20, 4 applications × 2 = 8: 43 of 60 = 71.666… → 71.67 %, Khá
    reg = pd.DataFrame({"unit_id": ["A"], "name": ["A"], "group": ["so"],
                        "kinh_te_so": [""]})
    points = compute_points(answers({"A": {"P1.1": 3, "P1.2": 3, "P2.2": 4}}, rubric),
                            rubric, reg)
    scores = compute_scores(points, rubric, reg)
    assert (scores.loc[0, "score"], scores.loc[0, "tier"], scores.loc[0, "index"]) == \
        (71.67, "Khá", 0.7167)
    # the other snippets: groups, the sum and best_of rules, round.yaml's lists
    assert yaml.safe_load(blocks[1])["groups"][1]["id"] == "xa"
    shown = {i["code"]: i for i in yaml.safe_load(blocks[2])}
    data = yaml.safe_load(FILE.read_text(encoding="utf-8"))
    for crit in data["criteria"]:  # the file these tests score has the same two
        for ind in crit["indicators"]:
            if ind["code"] in shown:
                assert ind["rule"] == shown[ind["code"]]["rule"]
                assert ind["inputs"] == shown[ind["code"]]["inputs"]
    config = yaml.safe_load(blocks[3])
    assert {k: config[k] for k in ("unit_lists", "not_ranked")} == {
        "unit_lists": {"thi_diem": ["so-tai-chinh", "so-cong-thuong"]},
        "not_ranked": ["ban-quan-ly-du-an"]}
    # the imports example reads this file's system input
    from cntt_analysis.intake.imports import parse_imports

    (found,) = parse_imports(config["imports"], Path("round.yaml"), RUBRIC)
    assert (found.file, found.unit_column, found.columns) == (
        "dvc-2025.csv", "Đơn vị", {"P3.1a": "Số hồ sơ nộp trực tuyến"})
