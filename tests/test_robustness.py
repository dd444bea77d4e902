"""Tests for cntt_analysis.analysis.robustness (OECD/JRC uncertainty analysis of the ranks) and its
chart, plots.rank_bands.

Expected numbers are worked out by hand in the comments. Criterion maxima are the 2017
rubric's: C1 15, C2 20, C3 15, C4 35, C5 15 (total 100). Every warning is an error here, so a
glyph missing from the chart font fails the chart tests.
"""

from __future__ import annotations

import dataclasses
from fractions import Fraction

import matplotlib

matplotlib.use("Agg")

import numpy as np  # noqa: E402
import pandas as pd  # noqa: E402
import pytest  # noqa: E402
from hypothesis import given, settings  # noqa: E402
from hypothesis import strategies as st  # noqa: E402
from hypothesis.extra import numpy as hnp  # noqa: E402
from matplotlib.backends.backend_agg import FigureCanvasAgg  # noqa: E402
from matplotlib.colors import to_hex  # noqa: E402
from matplotlib.figure import Figure  # noqa: E402

from cntt_analysis.analysis.robustness import (  # noqa: E402
    ROBUST_COLUMNS,
    WEIGHT_COLUMNS,
    competition_ranks,
    composite_cents,
    criterion_weights,
    rank_robustness,
    rank_summary,
    scenario_factors,
)
from cntt_analysis.intake.values import parse_answer  # noqa: E402
from cntt_analysis.intake.workbook import answers_frame  # noqa: E402
from cntt_analysis.report.html import plots as P  # noqa: E402
from cntt_analysis.rounding import half_up as round_half_up  # noqa: E402
from cntt_analysis.rubric.model import load_rubric  # noqa: E402
from cntt_analysis.scoring.points import compute_points, compute_scores  # noqa: E402

pytestmark = pytest.mark.filterwarnings("error")
GROUP_LABELS = load_rubric("2017").groups  # charts drawn without a rubric use the default

RUBRIC = load_rubric("2017")
CRITERIA = ["C1", "C2", "C3", "C4", "C5"]
MAXIMA = {"C1": 15, "C2": 20, "C3": 15, "C4": 35, "C5": 15}


# ----------------------------------------------------------------------------- builders


def points_frame(units: dict[str, tuple[str, dict]], year: int = 2017) -> pd.DataFrame:
    """A points table with one indicator per criterion: unit_id → (group, {criterion:
    earned}); earned None marks the criterion not applicable, "invalid" an invalid answer."""
    rows = []
    for unit_id, (group, earned) in units.items():
        for code in CRITERIA:
            got = earned.get(code, 0)
            status = "na" if got is None else "invalid" if got == "invalid" else "scored"
            rows.append({"year": year, "unit_id": unit_id, "group": group, "criterion": code,
                         "indicator": f"{code}.1",
                         "points": None if status == "na" else 0.0 if status == "invalid"
                         else float(got),
                         "max_points": float(MAXIMA[code]), "status": status,
                         "file": f"{unit_id}.xlsx", "sources": ""})
    return pd.DataFrame(rows)


def registry_for(units: dict[str, tuple[str, dict]]) -> pd.DataFrame:
    return pd.DataFrame({"unit_id": list(units), "name": [f"Đơn vị {u}" for u in units],
                         "group": [g for g, _ in units.values()]})


def scored(units: dict[str, tuple[str, dict]], year: int = 2017):
    """(points, scores) with the real compute_scores (nominal scores and ranks)."""
    points = points_frame(units, year)
    return points, compute_scores(points, RUBRIC, registry_for(units))


def by_unit(result: pd.DataFrame) -> pd.DataFrame:
    return result.set_index("unit_id")


# Equal scores (55), opposite strengths: only C1 and C4 differ, with C1 15 − 0 = C4 25 − 10.
# A's composite beats B's exactly when f_C1 · 15 + f_C4 · 10 > f_C4 · 25, i.e. f_C1 > f_C4.
OPPOSITE = {
    "A": ("so", {"C1": 15, "C2": 10, "C3": 10, "C4": 10, "C5": 10}),
    "B": ("so", {"C1": 0, "C2": 10, "C3": 10, "C4": 25, "C5": 10}),
}

# Three units for the drop-one scenarios (hand-computed below).
THREE = {
    "A": ("so", {"C1": 15, "C2": 10, "C3": 15, "C4": 20, "C5": 0}),    # 60
    "B": ("so", {"C1": 0, "C2": 20, "C3": 10, "C4": 30, "C5": 5}),     # 65
    "C": ("so", {"C1": 10, "C2": 10, "C3": 5, "C4": 35, "C5": 10}),    # 70
}


# ----------------------------------------------------------------------------- criterion weights


def answer_rows(unit_id: str, answers: dict, year: int = 2017) -> list[dict]:
    """The answers table rows intake would build for one unit (every input parsed)."""
    rows = []
    for n, (code, inp) in enumerate(RUBRIC.inputs.items()):
        parsed = parse_answer(answers.get(code), inp)
        rows.append({"year": year, "unit_id": unit_id, "code": code,
                     "raw_value": str(answers.get(code, "")), "value": parsed.value,
                     "number": parsed.number, "status": parsed.status,
                     "file": f"{unit_id}.xlsx", "sheet": inp.sheet, "cell": f"D{n + 5}"})
    return rows


def test_criterion_weights_reproduce_compute_scores(valid_answers):
    base = {**valid_answers, "G01": "Đơn vị", "G02": 2017}
    units = {
        "U1": ("huyen", base),
        # no administrative procedures: C4.4 (4), C4.5 (4) and C4.11 (2) not applicable
        "U2": ("so", {**base, "G09": 0}),
        # C3.3 left blank: invalid, 0 of its 3 points
        "U3": ("so", {**base, "C3.3": None}),
    }
    rows = [r for unit_id, (_, answers) in units.items() for r in answer_rows(unit_id, answers)]
    registry = registry_for(units)
    points = compute_points(answers_frame(rows), RUBRIC, registry)
    scores = compute_scores(points, RUBRIC, registry)
    weights = criterion_weights(points)

    assert list(weights.columns) == WEIGHT_COLUMNS
    assert len(weights) == 15 and list(weights["criterion"][:5]) == CRITERIA
    table = weights.set_index(["unit_id", "criterion"])
    # U1 is the valid unit of conftest: 10.25/15, 16.6/20, 10.26/15, 26.4/35, 9.4/15.
    assert list(table.loc["U1", "earned"]) == [10.25, 16.6, 10.26, 26.4, 9.4]
    assert list(table.loc["U1", "applicable_max"]) == [15, 20, 15, 35, 15]
    # U2: C4 loses C4.4 (2 of 4), C4.5 (2.4 of 4) and C4.11 (2 of 2): 20 of 25.
    assert table.loc[("U2", "C4"), "earned"] == 20.0
    assert table.loc[("U2", "C4"), "applicable_max"] == 25.0
    # U3: C3.3 invalid: 10.26 − 2.4 = 7.86, still of 15.
    assert table.loc[("U3", "C3"), "earned"] == 7.86
    assert table.loc[("U3", "C3"), "applicable_max"] == 15.0
    assert set(weights["group"][weights["unit_id"] == "U2"]) == {"so"}

    expected = {"U1": 72.91, "U2": 73.9, "U3": 70.51}  # 66.51/90 = 73.9; 72.91 − 2.4
    got = scores.set_index("unit_id")["score"]
    for unit_id, part in weights.groupby("unit_id"):
        earned = sum((Fraction(repr(v)) for v in part["earned"]), Fraction(0))
        possible = sum((Fraction(repr(v)) for v in part["applicable_max"]), Fraction(0))
        assert float(round_half_up(earned / possible * 100)) == got[unit_id] \
            == expected[unit_id]
    # the nominal scenario (every factor 1) gives the nominal scores exactly
    keys = ["U1", "U2", "U3"]
    earned = table["earned"].unstack().loc[keys, CRITERIA].to_numpy()
    possible = table["applicable_max"].unstack().loc[keys, CRITERIA].to_numpy()
    assert list(composite_cents(earned, possible, np.ones((1, 5)))[0]) == [7291, 7390, 7051]


def test_criterion_weights_na_and_invalid_rows():
    points = points_frame({"A": ("so", {"C1": 12.5, "C2": None, "C3": "invalid", "C4": 20.25,
                                        "C5": 7})})
    table = criterion_weights(points).set_index("criterion")
    assert list(table["earned"]) == [12.5, 0, 0, 20.25, 7]
    assert list(table["applicable_max"]) == [15, 0, 15, 35, 15]  # na: counts for nothing


def test_criterion_weights_sums_exactly():
    # 0.1 + 0.2 is 0.30000000000000004 in floats; the decimal sum is 0.3.
    rows = [{"year": 2017, "unit_id": "A", "group": "so", "criterion": "C1",
             "indicator": f"C1.{i}", "points": p, "max_points": 1.1, "status": "scored"}
            for i, p in enumerate([0.1, 0.2, 0.07])]
    row = criterion_weights(pd.DataFrame(rows)).iloc[0]
    assert row["earned"] == 0.37 and row["applicable_max"] == 3.3
    # values with more decimals than a points table has are still summed exactly
    rows[0]["points"] = 1 / 3
    expected = float(Fraction(repr(1 / 3)) + Fraction("0.2") + Fraction("0.07"))
    assert criterion_weights(pd.DataFrame(rows)).iloc[0]["earned"] == expected


# ----------------------------------------------------------------------------- building blocks


def test_scenario_factors():
    factors = scenario_factors(5, draws=1000, spread=0.25, seed=2017)
    assert factors.shape == (1005, 5)
    draws = factors[:1000]
    assert draws.min() >= 0.75 and draws.max() <= 1.25
    assert abs(draws.mean() - 1) < 0.01  # centred on the nominal weights
    assert np.array_equal(factors[1000:], 1 - np.eye(5))  # drop one criterion at a time
    assert np.array_equal(factors, scenario_factors(5, seed=2017))
    assert not np.array_equal(draws, scenario_factors(5, seed=2018)[:1000])
    assert scenario_factors(5, draws=10, drop_one=False).shape == (10, 5)
    assert np.array_equal(scenario_factors(3, draws=0), [[0, 1, 1], [1, 0, 1], [1, 1, 0]])


@pytest.mark.parametrize("kwargs, message", [
    ({"draws": -1}, "không được âm"),
    ({"spread": 1.5}, "từ 0 đến 1"),
    ({"draws": 0, "drop_one": False}, "Không có kịch bản"),
])
def test_scenario_factors_refuse_bad_settings(kwargs, message):
    with pytest.raises(ValueError, match=message):
        scenario_factors(5, **kwargs)


def test_composite_cents_round_half_up_and_na():
    earned = np.array([[72.905], [2.345], [0.0]])
    possible = np.array([[100.0], [10.0], [0.0]])
    got = composite_cents(earned, possible, np.ones((1, 1)))[0]
    # 72.905 → 72.91 (not the float's 72.90); 23.45 → 23.45; nothing applicable → NaN
    assert list(got[:2]) == [7291, 2345] and np.isnan(got[2])


def test_competition_ranks_by_hand():
    values = np.array([[50, 70, 70, 10, np.nan],
                       [10, 10, 10, 10, 10]], dtype=float)
    got = competition_ranks(values)
    assert np.array_equal(got[0, :4], [3, 1, 1, 4]) and np.isnan(got[0, 4])
    assert np.array_equal(got[1], [1, 1, 1, 1, 1])


@settings(max_examples=60, deadline=None)
@given(hnp.arrays(np.float64, st.tuples(st.integers(1, 30), st.integers(1, 12)),
                  elements=st.sampled_from([np.nan, 0.0, 1.0, 2.0, 3.0, 55.5, 100.0])),
       st.integers(1, 2000))
def test_competition_ranks_match_pandas_min_rank(values, chunk_bytes):
    expected = pd.DataFrame(values).rank(axis=1, method="min", ascending=False).to_numpy()
    got = competition_ranks(values, chunk_bytes=chunk_bytes)  # tiny chunks: many blocks
    assert np.array_equal(got, expected, equal_nan=True)


@settings(max_examples=80, deadline=None)
@given(hnp.arrays(np.float64, st.tuples(st.integers(1, 60), st.integers(1, 6)),
                  elements=st.sampled_from([1.0, 2.0, 3.0, 4.0, 7.0, 9.0, np.nan])))
def test_rank_summary_matches_numpy(ranks):
    got = rank_summary(ranks)
    for j in range(ranks.shape[1]):
        column = ranks[:, j][~np.isnan(ranks[:, j])]
        if column.size == 0:
            assert all(np.isnan(got[k][j]) for k in got)
            continue
        assert got["median_rank"][j] == np.median(column)
        assert got["p05"][j] == np.percentile(column, 5, method="inverted_cdf")
        assert got["p95"][j] == np.percentile(column, 95, method="inverted_cdf")
        assert got["best_rank"][j] == column.min() and got["worst_rank"][j] == column.max()


def test_rank_summary_percentiles_by_hand():
    # 20 scenarios: ranks 1 ×18, 2, 3. 5 % of 20 = 1 scenario → p05 = 1; 95 % = 19 → p95 = 2.
    ranks = np.array([1.0] * 18 + [2.0, 3.0])[:, None]
    got = rank_summary(ranks)
    assert (got["p05"][0], got["p95"][0], got["median_rank"][0]) == (1, 2, 1)
    assert (got["best_rank"][0], got["worst_rank"][0]) == (1, 3)
    # an even count with the two middle ranks different: the median is halfway
    assert rank_summary(np.array([[1.0], [1.0], [2.0], [2.0]]))["median_rank"][0] == 1.5


# ----------------------------------------------------------------------------- rank_robustness


def test_drop_one_scenarios_by_hand():
    points, scores = scored(THREE)
    # Scenario composites (den = 100 − the dropped criterion's maximum):
    # drop C1 (85): A 45 → 52.94, B 65 → 76.47, C 60 → 70.59   ranks 3 1 2
    # drop C2 (80): A 50 → 62.50, B 45 → 56.25, C 60 → 75.00   ranks 2 3 1
    # drop C3 (85): A 45 → 52.94, B 55 → 64.71, C 65 → 76.47   ranks 3 2 1
    # drop C4 (65): A 40 → 61.54, B 35 → 53.85, C 35 → 53.85   ranks 1 2 2
    # drop C5 (85): A 60 → 70.59, B 60 → 70.59, C 60 → 70.59   ranks 1 1 1
    table = criterion_weights(points).set_index(["unit_id", "criterion"])
    earned = table["earned"].unstack().loc[["A", "B", "C"], CRITERIA].to_numpy()
    possible = table["applicable_max"].unstack().loc[["A", "B", "C"], CRITERIA].to_numpy()
    cents = composite_cents(earned, possible, scenario_factors(5, draws=0))
    assert cents.tolist() == [[5294, 7647, 7059], [6250, 5625, 7500], [5294, 6471, 7647],
                              [6154, 5385, 5385], [7059, 7059, 7059]]
    assert competition_ranks(cents).tolist() == [[3, 1, 2], [2, 3, 1], [3, 2, 1], [1, 2, 2],
                                                 [1, 1, 1]]

    result = rank_robustness(points, scores, draws=0)
    assert list(result.columns) == ROBUST_COLUMNS
    assert list(result["unit_id"]) == ["C", "B", "A"]  # nominal 70, 65, 60
    got = by_unit(result)
    # A: 3 2 3 1 1 → sorted 1 1 2 3 3; B: 1 3 2 2 1 → 1 1 2 2 3; C: 2 1 1 2 1 → 1 1 1 2 2.
    # With 5 scenarios, p05 is the 1st sorted rank and p95 the 5th.
    assert got.loc["A", ["rank", "median_rank", "p05", "p95", "band"]].tolist() == [3, 2, 1, 3, 2]
    assert got.loc["B", ["rank", "median_rank", "p05", "p95", "band"]].tolist() == [2, 2, 1, 3, 2]
    assert got.loc["C", ["rank", "median_rank", "p05", "p95", "band"]].tolist() == [1, 1, 1, 2, 1]
    assert got["best_rank"].tolist() == [1, 1, 1] and got["worst_rank"].tolist() == [2, 3, 3]
    # band < 2 and the nominal rank inside the band: only C
    assert got["robust"].to_dict() == {"C": True, "B": False, "A": False}
    assert got.loc["C", "note"] == "thứ hạng ổn định"
    assert got.loc["A", "note"] == "thứ hạng chưa ổn định: có thể từ hạng 1 đến hạng 3"
    assert got.loc["A", "score"] == 60 and got.loc["A", "name"] == "Đơn vị A"
    assert result.attrs["scenarios"]["count"] == 5


def test_far_apart_units_are_robust():
    points, scores = scored({
        "TOP": ("huyen", {c: m for c, m in MAXIMA.items()}),            # 100 %
        "LOW": ("huyen", {c: m * 0.2 for c, m in MAXIMA.items()}),      # 20 % everywhere
    })
    got = by_unit(rank_robustness(points, scores))
    assert got.loc["TOP", ["rank", "median_rank", "p05", "p95", "band"]].tolist() == [1, 1, 1, 1, 0]
    assert got.loc["LOW", ["rank", "median_rank", "p05", "p95", "band"]].tolist() == [2, 2, 2, 2, 0]
    assert got["worst_rank"].tolist() == [1, 2]
    assert got["robust"].all() and set(got["note"]) == {"thứ hạng ổn định"}


def test_identical_profiles_tie_in_every_scenario():
    same = {"C1": 12, "C2": 10, "C3": 9, "C4": 20, "C5": 4}  # 55
    twins = {"A": ("so", same), "B": ("so", dict(same))}
    points, scores = scored(twins)
    got = by_unit(rank_robustness(points, scores))
    assert got["rank"].tolist() == [1, 1]
    assert got["median_rank"].tolist() == [1, 1] and got["band"].tolist() == [0, 0]
    assert got["robust"].all()

    # With a third unit that overtakes them in some scenarios, the twins still tie each time.
    points, scores = scored({**twins, **{"X": OPPOSITE["B"]}})  # 55, strong in C4
    got = by_unit(rank_robustness(points, scores))
    assert got.loc["A", ["median_rank", "p05", "p95", "best_rank", "worst_rank"]].tolist() \
        == got.loc["B", ["median_rank", "p05", "p95", "best_rank", "worst_rank"]].tolist()
    assert got.loc["A", "best_rank"] == 1 and got.loc["A", "worst_rank"] == 2
    table = criterion_weights(points).set_index(["unit_id", "criterion"])
    earned = table["earned"].unstack().loc[["A", "B", "X"], CRITERIA].to_numpy()
    possible = table["applicable_max"].unstack().loc[["A", "B", "X"], CRITERIA].to_numpy()
    ranks = competition_ranks(composite_cents(earned, possible, scenario_factors(5)))
    assert np.array_equal(ranks[:, 0], ranks[:, 1])
    assert set(ranks[:, 0]) == {1, 2}  # X beats them in some scenarios, never ties below


def test_opposite_strengths_make_an_unstable_rank():
    points, scores = scored(OPPOSITE)
    assert scores["score"].tolist() == [55, 55] and scores["rank"].tolist() == [1, 1]
    got = by_unit(rank_robustness(points, scores, band_limit=1))
    assert got["p05"].tolist() == [1, 1] and got["p95"].tolist() == [2, 2]
    assert got["band"].tolist() == [1, 1]
    assert not got["robust"].any()
    assert set(got["note"]) == {"thứ hạng chưa ổn định: có thể từ hạng 1 đến hạng 2"}
    # The same bands pass the default limit (band < 2, nominal rank 1 inside [1, 2]).
    assert by_unit(rank_robustness(points, scores))["robust"].all()
    # Drop-one alone: drop C1 → B wins (A 40/85 < B 55/85); drop C4 → A wins (45/65 > 30/65);
    # the other three keep the tie: A 1 2 1 1 1 → median 1; B 2 1 1 1 1 → median 1.
    got = by_unit(rank_robustness(points, scores, draws=0))
    assert got["median_rank"].tolist() == [1, 1] and got["worst_rank"].tolist() == [2, 2]


def test_monte_carlo_ranks_follow_the_weights_and_the_seed():
    points, scores = scored(OPPOSITE)

    def expected(seed: int) -> list[int]:
        # A is first in a draw exactly when its C1 factor beats its C4 factor (see OPPOSITE)
        factors = scenario_factors(5, draws=5, seed=seed, drop_one=False)
        return [1 if f[0] > f[3] else 2 for f in factors]

    def summary(seed: int) -> list:
        got = by_unit(rank_robustness(points, scores, draws=5, seed=seed, drop_one=False))
        return got.loc["A", ["median_rank", "p05", "p95", "best_rank", "worst_rank"]].tolist()

    for seed in (2014, 2017):
        ranks = sorted(expected(seed))
        assert summary(seed) == [np.median(ranks), ranks[0], ranks[-1], ranks[0], ranks[-1]]
    # seed 2014: f_C1 > f_C4 in all five draws; seed 2017: in four of five.
    assert expected(2014) == [1] * 5 and sorted(expected(2017)) == [1, 1, 1, 1, 2]
    assert summary(2014) != summary(2017)


def test_same_seed_same_bands_other_seed_other_bands():
    units = {  # close scores, different profiles: bands depend on the draws
        "A": ("so", {"C1": 15, "C2": 12, "C3": 6, "C4": 20, "C5": 9}),     # 62
        "B": ("so", {"C1": 6, "C2": 18, "C3": 12, "C4": 18, "C5": 8}),     # 62
        "C": ("so", {"C1": 10, "C2": 10, "C3": 10, "C4": 25, "C5": 6}),    # 61
        "D": ("so", {"C1": 3, "C2": 16, "C3": 14, "C4": 26, "C5": 4}),     # 63
    }
    points, scores = scored(units)
    first = rank_robustness(points, scores, draws=25, drop_one=False)
    pd.testing.assert_frame_equal(first, rank_robustness(points, scores, draws=25,
                                                         drop_one=False))
    other = rank_robustness(points, scores, draws=25, seed=1, drop_one=False)
    assert not first[["median_rank", "p05", "p95"]].equals(other[["median_rank", "p05", "p95"]])
    assert first["rank"].equals(other["rank"])  # the nominal ranks do not move


def test_groups_are_ranked_independently():
    so = {u: ("so", p) for u, (_, p) in THREE.items()}
    huyen = {"H1": ("huyen", THREE["C"][1]), "H2": ("huyen", {c: 1 for c in CRITERIA})}
    points, scores = scored({**so, **huyen})
    both = rank_robustness(points, scores, draws=200)
    so_points, so_scores = scored(so)
    alone = rank_robustness(so_points, so_scores, draws=200)
    pd.testing.assert_frame_equal(both[both["group"] == "so"].reset_index(drop=True), alone)
    got = by_unit(both)
    # H1 has C's profile: first of its own group, whatever the so units do
    assert got.loc["H1", ["rank", "median_rank", "band"]].tolist() == [1, 1, 0]
    assert list(both["group"]) == ["huyen", "huyen", "so", "so", "so"]


def test_years_are_ranked_independently():
    p16, s16 = scored(OPPOSITE, year=2016)
    far = {"A": ("so", MAXIMA), "B": ("so", {c: 1 for c in CRITERIA})}
    p17, s17 = scored(far, year=2017)
    result = rank_robustness(pd.concat([p16, p17]), pd.concat([s16, s17]), band_limit=1)
    assert result["year"].tolist() == [2016, 2016, 2017, 2017]
    assert result["robust"].tolist() == [False, False, True, True]


def test_unit_without_a_score_has_no_rank():
    units = {"A": ("so", dict.fromkeys(CRITERIA)),  # nothing applies
             "B": ("so", {"C1": 10, "C4": 20})}
    points, scores = scored(units)
    got = by_unit(rank_robustness(points, scores, draws=50))
    assert got.loc["B", ["rank", "median_rank", "band"]].tolist() == [1, 1, 0]
    assert pd.isna(got.loc["A", "rank"]) and pd.isna(got.loc["A", "p05"])
    assert np.isnan(got.loc["A", "median_rank"])
    assert not got.loc["A", "robust"] and got.loc["A", "note"] == "không có điểm để xếp hạng"


def test_a_unit_assessed_but_not_ranked_takes_no_place():
    # OPPOSITE's A and B swap places between scenarios; with B outside the ranking, A is
    # alone: first in every scenario, and B has no rank band.
    points, scores = scored(OPPOSITE)
    scores = scores.assign(ranked=scores["unit_id"] != "B")
    got = by_unit(rank_robustness(points, scores))
    assert got.loc["A", ["median_rank", "p05", "p95", "band"]].tolist() == [1, 1, 1, 0]
    assert got.loc["A", "robust"]
    assert pd.isna(got.loc["B", "p05"]) and not got.loc["B", "robust"]
    assert got.loc["B", "note"] == "được đánh giá nhưng không xếp hạng"


def test_scores_without_points_are_refused():
    points, scores = scored(OPPOSITE)
    with pytest.raises(ValueError, match="Không có điểm chi tiết của đơn vị B năm 2017"):
        rank_robustness(points[points["unit_id"] == "A"], scores)


def _many_units(n: int, groups=("so", "huyen"), seed: int = 5):
    rng = np.random.default_rng(seed)
    units = {}
    for g in groups:
        for i in range(n):
            level = rng.uniform(0.2, 1.0)
            units[f"{g}{i:03d}"] = (g, {c: round(float(min(1, max(0, rng.normal(level, 0.15)))
                                                       * m), 2) for c, m in MAXIMA.items()})
    return units


def test_500_units_per_group_in_chunks():
    units = _many_units(500, groups=("so",))
    points, scores = scored(units)
    result = rank_robustness(points, scores, draws=200)
    assert len(result) == 500 and result["p05"].notna().all()
    assert (result["p05"] <= result["median_rank"]).all()
    assert (result["median_rank"] <= result["p95"]).all()


# ----------------------------------------------------------------------------- chart


@pytest.fixture(scope="module")
def robust() -> pd.DataFrame:
    """2017: 12 so units (two unstable pairs) and the OPPOSITE pair in huyen."""
    # S00..S09: 95 %, 90 %, … 50 % of every criterion, so 95 … 50 under any weights.
    units = {f"S{i:02d}": ("so", {c: round(m * (0.95 - 0.05 * i), 2) for c, m in MAXIMA.items()})
             for i in range(10)}
    # S10, S11: 40 each, opposite strengths; at most 41.25/95 = 43.4 (C1 ×1.25, C4 ×0.75)
    # and 46.25/105 = 44.0, never near S09's 50: they only swap places 11 and 12.
    units["S10"] = ("so", {"C1": 15, "C2": 6, "C3": 6, "C4": 10, "C5": 3})
    units["S11"] = ("so", {"C1": 0, "C2": 6, "C3": 6, "C4": 25, "C5": 3})
    units.update({f"H{u}": ("huyen", p) for u, (_, p) in OPPOSITE.items()})
    points = points_frame(units)
    registry = registry_for(units)
    registry.loc[registry["unit_id"] == "S00", "name"] = (
        "Văn phòng Đăng ký đất đai tỉnh và các chi nhánh Văn phòng Đăng ký đất đai cấp huyện")
    registry.loc[registry["unit_id"] == "S10", "name"] = "Chi cục Quản lý đất đai"
    return rank_robustness(points, compute_scores(points, RUBRIC, registry), band_limit=1)


@pytest.fixture(autouse=True)
def style():
    P.use_style()


def _drawn(fig: Figure) -> FigureCanvasAgg:
    canvas = FigureCanvasAgg(fig)
    canvas.draw()
    return canvas


def test_rank_bands_chart(robust, tmp_path):
    so = robust[robust["group"] == "so"]
    assert len(so) == 12 and (~so["robust"]).sum() == 2
    fig = P.rank_bands(robust, 2017, "so")
    assert isinstance(fig, Figure)
    canvas = _drawn(fig)
    width, height = fig.get_size_inches()
    assert width <= 6.75 and height <= 4.85  # 12 units fit half an A4 text area
    box = fig.get_tightbbox(canvas.get_renderer())
    assert box.x0 >= -0.03 and box.y0 >= -0.03
    assert box.x1 <= width + 0.03 and box.y1 <= height + 0.03  # nothing clipped
    fig.savefig(tmp_path / "bands.png")  # warnings are errors: a missing glyph fails

    assert fig._suptitle.get_text().replace("\n", " ") == (
        f"Độ ổn định của thứ hạng năm 2017 — {GROUP_LABELS['so']}")
    (ax,) = fig.axes
    assert ax.get_xlabel() == "Thứ hạng"
    left, right = ax.get_xlim()
    assert left < 1 < 12 < right  # rank 1 on the left
    assert [t.get_text() for t in ax.get_xticklabels()] == [str(r) for r in range(1, 13)]
    labels = [t.get_text() for t in ax.get_yticklabels()]
    assert labels[0].startswith("1. Văn phòng Đăng ký đất đai") and labels[0].endswith("…")
    assert labels[10:] == ["11. Chi cục Quản lý đất đai", "11. Đơn vị S11"]  # tied, by id
    red = [to_hex(t.get_color()) for t in ax.get_yticklabels()]
    assert red[10:] == [P.UNSTABLE_COLOR.lower()] * 2
    assert P.UNSTABLE_COLOR.lower() not in red[:10]
    texts = [t.get_text() for t in ax.texts]
    assert texts == ["hạng 11–12", "hạng 11–12"]
    legend = fig.legends[0]
    assert [t.get_text() for t in legend.get_texts()] == [
        "Khoảng 5%–95%: thứ hạng ổn định", "Khoảng 5%–95%: chưa ổn định",
        "Thứ hạng trung vị", "Thứ hạng chính thức"]
    assert legend.get_title().get_text() == (
        "Qua 1.005 kịch bản: 1.000 lần đổi ngẫu nhiên trọng số ±25% và bỏ lần lượt "
        "từng tiêu chí")
    # bands: from p05 to p95, widened by a little so that a band of 0 shows
    segments = ax.collections[0].get_segments()
    assert [(s[0][0], s[1][0]) for s in segments[10:]] == [pytest.approx((10.78, 12.22))] * 2
    assert [(s[0][0], s[1][0]) for s in segments[:10]] == [
        pytest.approx((r - 0.22, r + 0.22)) for r in range(1, 11)]


def test_rank_bands_all_stable_and_no_settings(robust, tmp_path):
    plain = robust[robust["group"] == "huyen"].assign(robust=True)
    plain.attrs = {}
    fig = P.rank_bands(plain, 2017, "huyen")
    fig.savefig(tmp_path / "plain.png")
    (ax,) = fig.axes
    assert not ax.texts
    assert fig.legends[0].get_title().get_text() == "Qua các kịch bản thay đổi trọng số"
    assert GROUP_LABELS["huyen"] in fig._suptitle.get_text()


def test_rank_bands_without_data_says_so(robust):
    with pytest.raises(ValueError, match="Không có kết quả .* năm 2016"):
        P.rank_bands(robust, 2016, "so")


def test_a_big_groups_rank_bands_are_drawn_in_parts_on_their_own_ranks():
    # 130 communes' bands in one page-high chart were unreadable: each part shows its
    # units on the ranks around them, and says which places it shows.
    n = 130
    robust = pd.DataFrame({
        "year": 2025, "group": "xa", "unit_id": [f"xa-{i:03d}" for i in range(1, n + 1)],
        "name": [f"Xã {i:03d}" for i in range(1, n + 1)], "rank": range(1, n + 1),
        "p05": [max(1, i - 2) for i in range(1, n + 1)],
        "p95": [min(n, i + 2) for i in range(1, n + 1)],
        "median_rank": [float(i) for i in range(1, n + 1)], "robust": True})
    parts = P.chart_parts(n)
    rubric = dataclasses.replace(load_rubric("2017"), groups={"xa": "Khối xã, phường, đặc khu"})
    figs = [P.rank_bands(robust, 2025, "xa", rubric, part=p, parts=len(parts)) for p in parts]
    labels = [t.get_text() for fig in figs for t in fig.axes[0].get_yticklabels()]
    assert labels == [f"{i}. Xã {i:03d}" for i in range(1, n + 1)]
    said = figs[2]._suptitle.get_text().replace("\xa0", " ")
    assert "Khối xã, phường, đặc khu — phần 3/6:" in said and "thứ 45–66" in said
    low, high = figs[2].axes[0].get_xlim()
    assert 40 < low < 45 and 66 < high < 75          # its own ranks, not 1 to 130
    for fig in figs:
        assert fig.get_size_inches()[1] / len(fig.axes[0].get_yticklabels()) > 0.25
        fig.clf()
