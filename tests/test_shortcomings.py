"""Shortcomings (tồn tại, hạn chế): which indicators count, the rubric's threshold, and the
next year's follow-up (remedied, improved, not remedied, not assessed), also through a
renamed indicator code."""

from __future__ import annotations

import copy
import csv
import datetime as dt
from dataclasses import replace
from fractions import Fraction

import pandas as pd
import pytest
import yaml
from conftest import VALID_ANSWERS

from cntt_analysis.rubric.model import RUBRIC_DIR, load_rubric, parse_rubric
from cntt_analysis.scoring.pipeline import score_round
from cntt_analysis.scoring.points import compute_points
from cntt_analysis.scoring.shortcomings import (
    FOLLOW_UP_COLUMNS,
    IMPROVED,
    NOT_ASSESSED,
    NOT_REMEDIED,
    NOT_SUBMITTED,
    REMEDIED,
    SHORTCOMING_COLUMNS,
    find_shortcomings,
    follow_up,
    follow_up_summary,
    successor_codes,
)


def points_frame(rows: list[tuple], rubric, year: int = 2017, unit_id: str = "U1",
                 group: str = "so") -> pd.DataFrame:
    """A points table by hand: rows of (indicator, points, status)."""
    info = {i.code: i for i in rubric.indicators}
    return pd.DataFrame([
        {"year": year, "unit_id": unit_id, "group": group, "criterion": info[c].criterion,
         "indicator": c, "points": p, "max_points": float(info[c].max_points), "status": s,
         "file": f"{unit_id}.xlsx", "sources": ""}
        for c, p, s in rows])


# (indicator, points, status) → lost share, by hand (max in brackets):
HAND_POINTS = [
    ("C1.1", 4.0, "scored"),      # [4] 0 lost
    ("C1.2", 1.0, "scored"),      # [2] 1 lost   → 0.5, counts
    ("C1.3", 1.5, "scored"),      # [3] 1.5 lost → 0.5 exactly, counts
    ("C1.4", 1.02, "scored"),     # [2] 0.98     → 0.49, does not
    ("C1.5", 0.0, "scored"),      # [1] 1 lost   → 1.0, counts
    ("C1.6", 1.53, "scored"),     # [3] 1.47     → 0.49, does not
    ("C2.4", 0.0, "invalid"),     # [3] invalid  → fully lost, counts
    ("C2.2", None, "invalid"),    # [3] invalid without points → fully lost, counts
    ("C3.3", 1.51, "scored"),     # [3] 1.49     → 0.4967, does not
    ("C3.4", 2.0, "scored"),      # [4] 2 lost   → 0.5, counts
    ("C4.4", None, "na"),         # [4] not applicable: never
    ("C4.5", 0.0, "na"),          # [4] not applicable, even with 0 points: never
    ("C5.1", 2.5, "scored"),      # [5] 2.5 lost → 0.5, counts
]


# --------------------------------------------------------------------------- find


def test_which_indicators_are_shortcomings(rubric):
    found = find_shortcomings(points_frame(HAND_POINTS, rubric), rubric)
    assert list(found.columns) == SHORTCOMING_COLUMNS
    # Most points lost first; equal losses in the rubric's order (C2.2 before C2.4; C1.2
    # before C1.5).
    assert list(zip(found["indicator"], found["lost"], found["lost_share"])) == [
        ("C2.2", 3.0, 1.0), ("C2.4", 3.0, 1.0), ("C5.1", 2.5, 0.5), ("C3.4", 2.0, 0.5),
        ("C1.3", 1.5, 0.5), ("C1.2", 1.0, 0.5), ("C1.5", 1.0, 1.0)]
    row = found.set_index("indicator").loc["C1.3"]
    c13 = rubric.indicator("C1.3")
    assert (row["label"], row["remedy"], row["points"], row["max_points"], row["criterion"],
            row["group"], row["year"], row["unit_id"]) == \
        (c13.label, c13.remedy, 1.5, 3.0, "C1", "so", 2017, "U1")
    assert row["remedy"].startswith("Ban hành quy chế")


def test_boundaries_exactly(rubric):
    found = set(find_shortcomings(points_frame(HAND_POINTS, rubric), rubric)["indicator"])
    assert {"C1.2", "C1.3", "C3.4", "C5.1"} <= found      # exactly 0.5
    assert not {"C1.4", "C1.6", "C3.3"} & found            # 0.49…
    assert not {"C4.4", "C4.5"} & found                    # na
    assert {"C2.2", "C2.4"} <= found                       # invalid


def test_shortcomings_per_unit_and_year_are_sorted(rubric):
    frames = [points_frame([("C1.3", 0.0, "scored"), ("C5.5", 0.0, "scored")], rubric,
                           year=y, unit_id=u) for y, u in
              [(2017, "U2"), (2016, "U1"), (2017, "U1")]]
    found = find_shortcomings(pd.concat(frames, ignore_index=True), rubric)
    # C1.3 (3 lost) before C5.5 (2 lost), units and years in order.
    assert list(zip(found["year"], found["unit_id"], found["indicator"])) == [
        (2016, "U1", "C1.3"), (2016, "U1", "C5.5"), (2017, "U1", "C1.3"),
        (2017, "U1", "C5.5"), (2017, "U2", "C1.3"), (2017, "U2", "C5.5")]


def test_nothing_lost_nothing_found(rubric):
    full = points_frame([(i.code, float(i.max_points), "scored") for i in rubric.indicators],
                        rubric)
    found = find_shortcomings(full, rubric)
    assert found.empty and list(found.columns) == SHORTCOMING_COLUMNS


@pytest.mark.parametrize("share, expected", [
    # 0.49 → also C1.4 and C1.6 (1.47 / 3 = 0.49) and C3.3 (1.49 / 3 = 0.4967)
    (Fraction(49, 100), {"C1.2", "C1.3", "C1.4", "C1.5", "C1.6", "C2.2", "C2.4", "C3.3",
                         "C3.4", "C5.1"}),
    (Fraction(1, 2), {"C1.2", "C1.3", "C1.5", "C2.2", "C2.4", "C3.4", "C5.1"}),
    (Fraction(51, 100), {"C1.5", "C2.2", "C2.4"}),
    (Fraction(1), {"C1.5", "C2.2", "C2.4"}),  # only indicators lost entirely
])
def test_threshold_comes_from_the_rubric(rubric, share, expected):
    changed = replace(rubric, shortcoming_min_lost_share=share)
    found = find_shortcomings(points_frame(HAND_POINTS, rubric), changed)
    assert set(found["indicator"]) == expected


def test_threshold_from_a_parsed_rubric_file(rubric):
    data = yaml.safe_load((RUBRIC_DIR / "2017.yaml").read_text(encoding="utf-8"))
    data["shortcoming_min_lost_share"] = 0.75
    parsed = parse_rubric(data, source="2017-strict.yaml", check_previous=False)
    assert parsed.shortcoming_min_lost_share == Fraction(3, 4)
    found = find_shortcomings(points_frame(HAND_POINTS, rubric), parsed)
    assert set(found["indicator"]) == {"C1.5", "C2.2", "C2.4"}
    # The shipped rubric says 0.5.
    assert rubric.shortcoming_min_lost_share == Fraction(1, 2)


# --------------------------------------------------------------------------- follow-up (hand)


def previous_frame(rows: list[tuple], rubric, year: int = 2016) -> pd.DataFrame:
    """Last year's shortcomings by hand: rows of (unit_id, indicator, lost_share)."""
    info = {i.code: i for i in rubric.indicators}
    return pd.DataFrame([
        {"year": year, "unit_id": u, "group": "so", "criterion": info[c].criterion,
         "indicator": c, "label": info[c].label, "points": 0.0,
         "max_points": float(info[c].max_points), "lost": 0.0, "lost_share": share,
         "remedy": info[c].remedy}
        for u, c, share in rows], columns=SHORTCOMING_COLUMNS)


def test_follow_up_outcomes_at_their_boundaries(rubric):
    previous = previous_frame([
        ("U1", "C1.2", 0.5),   # now 1.02 / 2: 0.49 lost → remedied (below 0.5)
        ("U1", "C1.3", 1.0),   # now 1.5 / 3: 0.5 lost → improved (still one, smaller)
        ("U1", "C5.1", 0.5),   # now 2.5 / 5: 0.5 lost → not remedied (same share)
        ("U1", "C3.4", 0.25),  # now 2 / 4: 0.5 → not remedied (larger share)
        ("U1", "C4.4", 0.5),   # now not applicable → not assessed
        ("U2", "C1.3", 1.0),   # U2 not scored this year → did not report
    ], rubric)
    points = points_frame([("C1.2", 1.02, "scored"), ("C1.3", 1.5, "scored"),
                           ("C5.1", 2.5, "scored"), ("C3.4", 2.0, "scored"),
                           ("C4.4", None, "na")], rubric)
    follow = follow_up(previous, points, rubric)
    assert list(follow.columns) == FOLLOW_UP_COLUMNS
    shares = [None if pd.isna(x) else x for x in follow["lost_share"]]
    assert list(zip(follow["unit_id"], follow["indicator"], shares, follow["outcome"])) == [
        ("U1", "C1.2", 0.49, REMEDIED), ("U1", "C1.3", 0.5, IMPROVED),
        ("U1", "C5.1", 0.5, NOT_REMEDIED), ("U1", "C3.4", 0.5, NOT_REMEDIED),
        ("U1", "C4.4", None, NOT_ASSESSED), ("U2", "C1.3", None, NOT_SUBMITTED)]
    assert set(follow["year"]) == {2017} and set(follow["previous_year"]) == {2016}
    assert list(follow["previous_lost_share"]) == [0.5, 1.0, 0.5, 0.25, 0.5, 1.0]
    assert follow.iloc[0]["remedy"] == rubric.indicator("C1.2").remedy


def test_follow_up_of_an_invalid_answer_is_fully_lost(rubric):
    previous = previous_frame([("U1", "C2.4", 1.0), ("U1", "C2.2", 1.0)], rubric)
    points = points_frame([("C2.4", 0.0, "invalid"), ("C2.2", None, "invalid")], rubric)
    follow = follow_up(previous, points, rubric)
    assert list(zip(follow["lost_share"], follow["outcome"])) == \
        [(1.0, NOT_REMEDIED), (1.0, NOT_REMEDIED)]


def test_summary_counts_and_ignored(rubric):
    follow = pd.DataFrame({
        "unit_id": ["A", "A", "A", "B", "B", "C", "C", "D"],
        "outcome": [REMEDIED, NOT_REMEDIED, NOT_ASSESSED, NOT_REMEDIED, NOT_REMEDIED,
                    IMPROVED, NOT_REMEDIED, NOT_ASSESSED]})
    summary = follow_up_summary(follow, {"A": "Đơn vị A", "B": "Đơn vị B"})
    cols = ["unit_id", REMEDIED, IMPROVED, NOT_REMEDIED, NOT_ASSESSED, "total", "ignored",
            "name"]
    rows = [tuple(r) for r in summary[cols].itertuples(index=False)]
    names = [None if pd.isna(r[-1]) else r[-1] for r in rows]
    # Most remedied first, then by unit id. B remedied nothing and improved nothing of what
    # was assessed: ignored. D had nothing assessed: not ignored (nothing to judge).
    assert [r[:-1] for r in rows] == [
        ("A", 1, 0, 1, 1, 3, False),
        ("B", 0, 0, 2, 0, 2, True),
        ("C", 0, 1, 1, 0, 2, False),
        ("D", 0, 0, 0, 1, 1, False),
    ]
    assert names == ["Đơn vị A", "Đơn vị B", None, None]


# --------------------------------------------------------------------------- two real rounds

# Base answers of both rounds: conftest's valid answers, with C2.7 = Có and C2.8 = Đạt so that
# neither is a shortcoming (codes carried by the crosswalk are tested at the end).
# Shortcomings of the base answers (lost share ≥ 0.5), by hand from conftest's points:
#   C1.3 0/3 (1.0), C1.4 1/2 (0.5), C3.1 1.5/3 (0.5), C3.2 1.5/3 (0.5), C4.4 2/4 (0.5),
#   C4.8 1/2 (0.5), C5.4 1/2 (0.5), C5.5 0/2 (1.0)                       → 8
BASE = {**VALID_ANSWERS, "C2.7": "Có", "C2.8": "Đạt yêu cầu kỹ thuật"}
BASE_SHORTCOMINGS = ["C1.3", "C1.4", "C3.1", "C3.2", "C4.4", "C4.8", "C5.4", "C5.5"]
ROUNDS = {
    2016: {
        # SO_VP: also C5.1 = 10: 10 / 5000 = 0.002, min(0.2, 1) × 5 = 1 → 4 lost (0.8).
        "SO_VP": {"C5.1": 10},
        "SO_CCQLDD": {},
        "H_TANPHUOC": {},
    },
    2017: {
        # SO_VP: C1.3 Có (3/3 → remedied); C5.1 = 20: 0.004 / 0.01 × 5 = 2 → 0.6 lost
        # (improved); G09 = 0 → C4.4 not applicable (not assessed); C3.1 Không có (0/3,
        # worse → not remedied); C1.4, C3.2, C4.8, C5.4, C5.5 unchanged (not remedied).
        "SO_VP": {"C1.3": "Có", "C5.1": 20, "G09": 0, "C4.4": 0, "C3.1": "Không có"},
        # SO_CCQLDD: the same answers again: nothing remedied → ignored.
        "SO_CCQLDD": {},
        # H_TANPHUOC does not send in 2017: all its shortcomings are not assessed.
    },
}


@pytest.fixture(scope="module")
def two_rounds(tmp_path_factory, fill_template, units):
    """2016 and 2017 folders in one raw dir, both scored with the 2017 rubric."""
    raw = tmp_path_factory.mktemp("follow-up") / "raw"
    raw.mkdir()
    with (raw / "units.csv").open("w", encoding="utf-8", newline="") as handle:
        writer = csv.writer(handle)
        writer.writerow(["unit_id", "name", "group", "aliases"])
        writer.writerows(units)
    names = {u[0]: u[1] for u in units}
    for year, subs in ROUNDS.items():
        folder = raw / str(year)
        folder.mkdir()
        (folder / "round.yaml").write_text(f"deadline: {year}-08-10\nrubric: '2017'\n",
                                           encoding="utf-8")
        for unit_id, changes in subs.items():
            fill_template(folder / f"{unit_id}.xlsx",
                          {**BASE, "G03": dt.date(year, 8, 1), **changes}, year=year,
                          unit_id=unit_id, unit_name=names[unit_id])
    return {year: score_round(raw, year, progress=False) for year in ROUNDS}


def test_the_rounds_shortcomings(two_rounds):
    found = two_rounds[2016].shortcomings
    per_unit = found.groupby("unit_id")["indicator"].apply(sorted).to_dict()
    assert per_unit == {"H_TANPHUOC": BASE_SHORTCOMINGS, "SO_CCQLDD": BASE_SHORTCOMINGS,
                        "SO_VP": sorted([*BASE_SHORTCOMINGS, "C5.1"])}
    so_vp = found[found["unit_id"] == "SO_VP"].set_index("indicator")
    assert so_vp.loc["C5.1", ["points", "lost", "lost_share"]].tolist() == [1.0, 4.0, 0.8]
    # Most points lost first (C5.1 4, C1.3 3), equal losses in the rubric's order (C4.4 2 of
    # 4 before C5.5 2 of 2).
    assert list(so_vp.index[:4]) == ["C5.1", "C1.3", "C4.4", "C5.5"]


def test_follow_up_across_two_rounds(two_rounds):
    follow = follow_up(two_rounds[2016].shortcomings, two_rounds[2017].points,
                       two_rounds[2017].round.rubric)
    assert len(follow) == 8 + 8 + 9
    assert set(follow["year"]) == {2017} and set(follow["previous_year"]) == {2016}
    # No code changed for these indicators: followed under the same code.
    assert (follow["indicator"] == follow["previous_indicator"]).all()
    shares = [None if pd.isna(x) else x for x in follow["lost_share"]]
    outcomes = {(u, c): (p, s, o) for u, c, p, s, o in zip(
        follow["unit_id"], follow["previous_indicator"], follow["previous_lost_share"],
        shares, follow["outcome"])}
    so_vp = {c: v for (u, c), v in outcomes.items() if u == "SO_VP"}
    assert so_vp == {
        "C1.3": (1.0, 0.0, REMEDIED),
        "C5.1": (0.8, 0.6, IMPROVED),
        "C4.4": (0.5, None, NOT_ASSESSED),      # G09 = 0: not applicable
        "C3.1": (0.5, 1.0, NOT_REMEDIED),       # worse
        "C1.4": (0.5, 0.5, NOT_REMEDIED),
        "C3.2": (0.5, 0.5, NOT_REMEDIED),
        "C4.8": (0.5, 0.5, NOT_REMEDIED),
        "C5.4": (0.5, 0.5, NOT_REMEDIED),
        "C5.5": (1.0, 1.0, NOT_REMEDIED),
    }
    assert {o for (u, _), (_, _, o) in outcomes.items() if u == "SO_CCQLDD"} == {NOT_REMEDIED}
    tan = {c: (s, o) for (u, c), (_, s, o) in outcomes.items() if u == "H_TANPHUOC"}
    # Regression: a unit that did not report used to escape the follow-up as "not assessed".
    assert tan == {c: (None, NOT_SUBMITTED) for c in BASE_SHORTCOMINGS}

    summary = follow_up_summary(follow, dict(zip(two_rounds[2017].registry["unit_id"],
                                                 two_rounds[2017].registry["name"])))
    cols = ["unit_id", REMEDIED, IMPROVED, NOT_REMEDIED, NOT_SUBMITTED, NOT_ASSESSED, "total",
            "ignored"]
    assert [tuple(r) for r in summary[cols].itertuples(index=False)] == [
        ("SO_VP", 1, 1, 6, 0, 1, 9, False),
        ("H_TANPHUOC", 0, 0, 0, 8, 0, 8, True),  # did not report: remedied nothing
        ("SO_CCQLDD", 0, 0, 8, 0, 0, 8, True),   # remedied nothing
    ]
    assert summary.set_index("unit_id").at["SO_CCQLDD", "name"] == "Chi cục Quản lý đất đai"


# --------------------------------------------------------------------------- renamed codes


def rubric_2018() -> object:
    """A next year's rubric linked to 2017 (parsed from a modified copy of 2017.yaml):
    indicator C1.3 is now coded C1.7 (``previous: C1.3``, new label), C5.5 is dropped
    (C5 now 13 points, total 98) and C2.7, C2.8, C4.2 keep their 2017 codes."""
    data = copy.deepcopy(yaml.safe_load((RUBRIC_DIR / "2017.yaml").read_text(encoding="utf-8")))
    data.update(id="2018", title="Phiếu 2018 (thử)", previous="2017", dropped=["C5.5"],
                total=98)
    for crit in data["criteria"]:
        for ind in crit["indicators"]:
            ind.pop("previous", None)
            if ind["code"] == "C1.3":
                ind.update(code="C1.7", previous="C1.3",
                           label="Quy chế bảo đảm an toàn thông tin mạng")
        if crit["code"] == "C5":
            crit["indicators"] = [i for i in crit["indicators"] if i["code"] != "C5.5"]
            crit["max"] = 13
    return parse_rubric(data, source="2018.yaml")  # the link to 2017 is checked


def test_a_rubric_with_a_renamed_indicator():
    new = rubric_2018()
    assert new.previous_id == "2017"
    c17 = new.indicator("C1.7")
    assert (c17.previous_code, c17.is_new) == ("C1.3", False)
    assert new.indicator("C1.3") is None
    codes = successor_codes(new)
    assert codes["C1.3"] == "C1.7" and codes["C2.7"] == "C2.7"
    assert "C5.5" not in codes and "C1.7" not in codes
    # The shipped 2017 rubric: C2.7 and C2.8 swapped codes since 2016, C4.2 is new.
    shipped = successor_codes(load_rubric("2017"))
    assert (shipped["C2.8"], shipped["C2.7"]) == ("C2.7", "C2.8")
    assert "C4.2" not in shipped  # 2016's C4.2 was dropped; 2017's C4.2 is new


def test_follow_up_through_a_renamed_indicator(two_rounds):
    new = rubric_2018()
    last = two_rounds[2017]
    # Last year (2017): SO_CCQLDD lost C1.3 (0/3) and C5.5 (0/2), among others.
    previous = last.shortcomings[last.shortcomings["unit_id"] == "SO_CCQLDD"]
    assert {"C1.3", "C5.5"} <= set(previous["indicator"])
    # This year (2018): the same answers, but the security rules were adopted (C1.3 Có),
    # scored with the 2018 rubric (input codes unchanged, indicator C1.7).
    answers = last.answers[last.answers["unit_id"] == "SO_CCQLDD"].copy()
    answers["year"] = 2018
    c13 = answers["code"] == "C1.3"
    answers.loc[c13, ["raw_value", "value"]] = "Có"
    answers.loc[c13, "number"] = 1.0
    points = compute_points(answers, new, last.registry)
    assert points.set_index("indicator").at["C1.7", "points"] == 3.0

    follow = follow_up(previous, points, new).set_index("previous_indicator")
    row = follow.loc["C1.3"]
    assert (row["indicator"], row["label"], row["previous_lost_share"], row["lost_share"],
            row["outcome"], row["year"], row["previous_year"]) == \
        ("C1.7", "Quy chế bảo đảm an toàn thông tin mạng", 1.0, 0.0, REMEDIED, 2018, 2017)
    # Dropped in 2018: not assessed, keeps last year's label.
    row = follow.loc["C5.5"]
    assert pd.isna(row["indicator"]) and pd.isna(row["lost_share"])
    assert (row["outcome"], row["label"]) == \
        (NOT_ASSESSED, load_rubric("2017").indicator("C5.5").label)
    # Unchanged codes are followed as usual.
    assert follow.loc["C1.4", "indicator"] == "C1.4"
    assert follow.loc["C1.4", "outcome"] == NOT_REMEDIED


def test_follow_up_through_a_renamed_indicator_built_with_replace(rubric):
    # The same link without a rubric file: C1.3 renamed C1.9 with dataclasses.replace.
    criteria = tuple(
        replace(c, indicators=tuple(replace(i, code="C1.9", previous_code="C1.3")
                                    if i.code == "C1.3" else i for i in c.indicators))
        for c in rubric.criteria)
    new = replace(rubric, id="2018", criteria=criteria)
    assert successor_codes(new)["C1.3"] == "C1.9"
    previous = previous_frame([("U1", "C1.3", 1.0)], rubric, year=2017)
    points = points_frame([("C1.3", 0.0, "scored")], rubric, year=2018)
    points["indicator"] = "C1.9"
    follow = follow_up(previous, points, new)
    assert list(zip(follow["indicator"], follow["outcome"])) == [("C1.9", NOT_REMEDIED)]


def test_follow_up_between_two_rounds_scored_with_the_same_rubric(rubric):
    # 2017 and 2018 both scored with the 2017 rubric: C2.7 (Sao lưu dữ liệu) lost in both
    # years; C2.8 (Phòng máy chủ) full in 2018; C4.2 lost in both.
    previous = previous_frame([("U1", "C2.7", 1.0), ("U1", "C4.2", 1.0)], rubric, year=2017)
    points = points_frame([("C2.7", 0.0, "scored"), ("C2.8", 3.0, "scored"),
                           ("C4.2", 0.0, "scored")], rubric, year=2018)
    # Regression: the same rubric both years means codes carry over unchanged.
    follow = follow_up(previous, points, rubric, previous_rubric=rubric)
    assert list(zip(follow["indicator"], follow["outcome"])) == \
        [("C2.7", NOT_REMEDIED), ("C4.2", NOT_REMEDIED)]


def test_follow_up_of_nothing(rubric):
    empty = previous_frame([], rubric)
    follow = follow_up(empty, points_frame([("C1.3", 0.0, "scored")], rubric), rubric)
    assert follow.empty and list(follow.columns) == FOLLOW_UP_COLUMNS
    summary = follow_up_summary(follow)
    assert summary.empty
    assert {REMEDIED, IMPROVED, NOT_REMEDIED, NOT_ASSESSED, "ignored"} <= set(summary.columns)



def test_unchanged_points_are_not_an_improvement(rubric):
    """Regression: 0.5 of 3 points both years was judged improved (0.8333 < 0.83333…)."""
    previous = previous_frame([("U1", "C1.3", 2.5 / 3)], rubric)
    points = points_frame([("C1.3", 0.5, "scored")], rubric)
    assert list(follow_up(previous, points, rubric)["outcome"]) == [NOT_REMEDIED]
