"""The bulk engine against a straightforward Fraction reference (tests/fraction_reference.py)
on random rubrics and random answers: every rule kind, groups with their own indicators,
applicability, unranked units, weights, zero denominators, invalid, missing and
"Không áp dụng" answers, decimals, huge numbers (int64 overflow) and floats with many digits.
"""

from __future__ import annotations

from fractions import Fraction
from typing import Any

import numpy as np
import pandas as pd
import pytest
from fraction_reference import reference_points, reference_scores
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from cntt_analysis.intake.workbook import answers_frame
from cntt_analysis.rubric.model import load_rubric, parse_rubric
from cntt_analysis.scoring.exact import Q, from_floats, half_up
from cntt_analysis.scoring.points import compute_points, compute_scores

GROUPS = ["g0", "g1", "g2"]
MAXIMA = [Fraction(1, 2), Fraction(1), Fraction(2), Fraction(3), Fraction(9, 2), Fraction(7),
          Fraction(10), Fraction(20), Fraction(33, 100)]
NUMBERS = st.one_of(
    st.integers(0, 12),
    st.integers(0, 10**6),
    st.integers(0, 10**12),
    st.decimals(0, 10**4, places=3, allow_nan=False, allow_infinity=False).map(float),
    st.sampled_from([0.1 + 0.2, 1 / 3, 2.675, 1e-7, 123456789.12345679, 1e15 + 0.5]),
)


def _max(draw: Any) -> Fraction:
    return draw(st.sampled_from(MAXIMA))


def _simple_rule(draw: Any, code: str, top: Fraction, general: list[str],
                 inputs: list[dict[str, Any]], allow_best: bool) -> dict[str, Any]:
    """A simple rule on fresh inputs named after `code` (appended to `inputs`)."""
    kinds = ["yes_no", "choice", "steps", "per_item", "ratio", "threshold", "target"]
    kind = draw(st.sampled_from(kinds + (["best_in_group"] if allow_best else [])))
    n = len(inputs)
    own = f"{code}_{n}"
    if kind == "yes_no":
        inputs.append({"code": own, "type": "yes_no"})
        return {"kind": kind, "input": own}
    if kind == "choice":
        labels = ["A", "B", "C"]
        points = {lab: float(top * draw(st.sampled_from([0, Fraction(1, 3), Fraction(1, 2),
                                                         1]))) for lab in labels}
        points = {k: str(Fraction(v).limit_denominator(1000)) for k, v in points.items()}
        points = {k: v if Fraction(v) <= top else str(top) for k, v in points.items()}
        inputs.append({"code": own, "type": "choice", "choices": labels,
                       "allow_na": draw(st.booleans())})
        return {"kind": kind, "input": own, "points": points}
    if kind == "steps":
        inputs.append({"code": own, "type": draw(st.sampled_from(["count", "amount"]))})
        floors = sorted(draw(st.lists(st.integers(0, 10), min_size=1, max_size=4,
                                      unique=True)), reverse=True)
        steps = [[f, str(top * Fraction(len(floors) - i, len(floors)))]
                 for i, f in enumerate(floors)]
        return {"kind": kind, "input": own, "steps": steps}
    if kind == "per_item":
        inputs.append({"code": own, "type": "count"})
        return {"kind": kind, "input": own,
                "each": str(draw(st.sampled_from([Fraction(1), Fraction(1, 2),
                                                  Fraction(7, 3), top])))}
    numeric = st.sampled_from(["count", "amount"])
    den_codes = []
    for d in range(draw(st.integers(0, 2)) if kind == "target" else
                   draw(st.integers(1, 2))):
        if general and draw(st.booleans()):
            den_codes.append(draw(st.sampled_from(general)))
        else:
            den_codes.append(f"{own}d{d}")
            inputs.append({"code": f"{own}d{d}", "type": draw(numeric),
                           "allow_na": draw(st.booleans())})
    den_codes = list(dict.fromkeys(den_codes))
    rule: dict[str, Any] = {"kind": kind, "numerator": own}
    if den_codes:
        rule["denominator"] = den_codes if len(den_codes) > 1 else den_codes[0]
    capped = draw(st.booleans())
    if capped:
        rule["cap"] = str(draw(st.sampled_from([Fraction(1), Fraction(1, 2), Fraction(3)])))
    inputs.append({"code": own, "type": draw(numeric),
                   **({"at_most": den_codes} if kind == "ratio" and not capped else {})})
    if kind == "threshold":
        floor = draw(st.sampled_from([Fraction(0), Fraction(1, 5), Fraction(7, 20)]))
        rule.update(floor=str(floor), full=str(floor + draw(st.sampled_from(
            [Fraction(1, 10), Fraction(1, 2), Fraction(13, 20)]))))
    if kind == "target":
        rule["target"] = str(draw(st.sampled_from([Fraction(1, 100), Fraction(3, 4),
                                                   Fraction(4)])))
    if draw(st.booleans()):
        rule["if_zero"] = draw(st.sampled_from(["0", "full"] + (["na"] if allow_best else [])))
    return rule


@st.composite
def rubrics(draw: Any) -> dict[str, Any]:
    groups = GROUPS[:draw(st.integers(1, 3))]
    general_numeric = [f"N{i}" for i in range(draw(st.integers(0, 3)))]
    general = [{"code": "G01", "type": "text"}, {"code": "G02", "type": "year"},
               {"code": "G03", "type": "date"},
               *({"code": c, "type": draw(st.sampled_from(["count", "amount"])),
                  "required": draw(st.booleans())} for c in general_numeric)]
    criteria = []
    weighted = draw(st.booleans())
    for c in range(draw(st.integers(1, 3))):
        indicators = []
        for i in range(draw(st.integers(1, 4))):
            code = f"C{c}.{i}"
            top = _max(draw)
            inputs: list[dict[str, Any]] = []
            shape = draw(st.sampled_from(["simple", "simple", "simple", "sum", "best_of"]))
            if shape == "simple":
                rule = _simple_rule(draw, code, top, general_numeric, inputs, True)
            elif shape == "sum":
                halves = [top / 2, top - top / 2]
                rule = {"kind": "sum", "parts": [
                    {**_simple_rule(draw, code, h, general_numeric, inputs, False),
                     "max": str(h)} for h in halves]}
            else:
                rule = {"kind": "best_of", "options": [
                    _simple_rule(draw, code, top, general_numeric, inputs, False)
                    for _ in range(draw(st.integers(2, 3)))]}
            if draw(st.integers(0, 4)) == 0 and (general_numeric or inputs):
                pool = general_numeric + [i["code"] for i in inputs
                                          if i["type"] in ("count", "amount")]
                if pool:
                    rule["na_if_zero"] = [draw(st.sampled_from(pool))]
            ind = {"code": code, "label": code, "max": str(top), "inputs": inputs,
                   "rule": rule}
            if len(groups) > 1 and draw(st.booleans()):
                ind["groups"] = draw(st.lists(st.sampled_from(groups), min_size=1,
                                              unique=True))
            if draw(st.integers(0, 3)) == 0:
                ind["applies_to"] = {"registry": "flag"}
            indicators.append(ind)
        maxima = {g: str(sum((Fraction(ind["max"]) for ind in indicators
                              if g in ind.get("groups", groups)), Fraction(0)))
                  for g in groups}
        crit = {"code": f"C{c}", "name": f"Tiêu chí {c}", "max": maxima,
                "indicators": indicators}
        if weighted:
            crit["weight"] = str(draw(st.sampled_from([Fraction(1), Fraction(3, 10),
                                                       Fraction(2)])))
        criteria.append(crit)
    totals = {g: str(sum((Fraction(c["max"][g]) for c in criteria), Fraction(0)))
              for g in groups}
    # a group without any point would be refused: give it a yes/no indicator
    for g in groups:
        if Fraction(totals[g]) == 0:
            criteria[0]["indicators"].append({
                "code": f"E.{g}", "label": "x", "max": "1", "groups": [g],
                "inputs": [{"code": f"E.{g}", "type": "yes_no"}],
                "rule": {"kind": "yes_no", "input": f"E.{g}"}})
            criteria[0]["max"][g] = str(Fraction(criteria[0]["max"][g]) + 1)
            totals[g] = "1"
    return {"id": "random", "total": totals,
            "groups": [{"id": g, "name": f"Khối {g}"} for g in groups],
            "tiers": [{"name": "A", "min": 85}, {"name": "B", "min": 50.5},
                      {"name": "C", "min": 0}],
            "general": {"inputs": general}, "criteria": criteria}


@st.composite
def rounds(draw: Any) -> tuple[Any, pd.DataFrame, pd.DataFrame]:
    rubric = parse_rubric(draw(rubrics()), source="random.yaml")
    units = [f"U{i}" for i in range(draw(st.integers(1, 7)))]
    groups = list(rubric.groups)
    registry = pd.DataFrame({
        "unit_id": units, "name": units,
        "group": [draw(st.sampled_from(groups)) for _ in units],
        "flag": [draw(st.sampled_from(["", "có", "không"])) for _ in units],
        "ranked": [draw(st.sampled_from(["", "", "không"])) for _ in units]})
    rows = []
    years = draw(st.sampled_from([[2025], [2024, 2025]]))
    for year in years:
        for unit in units:
            for code, inp in rubric.inputs.items():
                state = draw(st.sampled_from(["ok"] * 6 + ["invalid", "missing", "na"]))
                if state == "missing":
                    continue
                value, number = None, None
                if inp.type in ("count", "amount"):
                    number = float(draw(NUMBERS))
                    if inp.type == "count":
                        number = float(round(number))
                elif inp.type == "yes_no":
                    number = float(draw(st.booleans()))
                elif inp.type == "choice":
                    value = draw(st.sampled_from(list(inp.choices)))
                status = "na" if state == "na" else state
                if status == "na":
                    value, number = "Không áp dụng", None
                rows.append({"year": year, "unit_id": unit, "code": code, "raw_value": "",
                             "value": value, "number": number, "status": status,
                             "file": f"{unit}-{year}.xlsx", "sheet": inp.sheet,
                             "cell": draw(st.sampled_from(["D5", "D6", ""]))})
    return rubric, answers_frame(rows), registry


@settings(max_examples=150, deadline=None,
          suppress_health_check=[HealthCheck.too_slow, HealthCheck.data_too_large])
@given(rounds())
def test_bulk_engine_matches_the_fraction_reference(case):
    rubric, answers, registry = case
    got = compute_points(answers, rubric, registry)
    want = reference_points(answers, rubric, registry)
    if want.empty:
        assert got.empty
        return
    pd.testing.assert_frame_equal(got, want)
    scores = compute_scores(got, rubric, registry)
    expected = reference_scores(want, rubric, registry)
    assert len(scores) == len(expected)
    for row in scores.to_dict("records"):
        ref = expected[(row["year"], row["unit_id"])]
        for key, value in ref.items():
            assert value == row[key] or (pd.isna(value) and pd.isna(row[key])), (key, row)
        assert (row["ranked"] or pd.isna(row["rank"]))


def test_the_2017_rubric_matches_the_reference_on_many_units():
    # The shipped rubric, 300 random units: the same points as the one-Fraction reference.
    from test_scoring import PERFECT, answer_rows

    rubric = load_rubric("2017")
    rng = np.random.default_rng(2017)
    rows = []
    for n in range(300):
        values = {code: (int(rng.integers(0, 60)) if isinstance(v, int) and code != "G02"
                         else v) for code, v in PERFECT.items()}
        values["G05"] = int(rng.integers(1, 60))
        values["C5.2b"] = f"{rng.integers(0, 50)},{rng.integers(0, 100):02d}"
        rows += answer_rows(f"U{n:03d}", values)
    answers = answers_frame(rows)
    registry = pd.DataFrame({"unit_id": [f"U{n:03d}" for n in range(300)],
                             "name": "x", "group": ["so", "huyen"] * 150})
    pd.testing.assert_frame_equal(compute_points(answers, rubric, registry),
                                  reference_points(answers, rubric, registry))


@given(st.lists(st.tuples(st.integers(-10**30, 10**30), st.integers(1, 10**30)),
                min_size=1, max_size=40),
       st.lists(st.tuples(st.integers(-10**6, 10**6), st.integers(1, 10**6)),
                min_size=1, max_size=40))
def test_exact_columns_add_multiply_divide_and_round_like_fractions(big, small):
    size = min(len(big), len(small))
    a = [Fraction(n, d) for n, d in big[:size]]
    b = [Fraction(n, d) for n, d in small[:size]]

    def column(values: list[Fraction]) -> Q:
        return Q.of(np.array([v.numerator for v in values], dtype=object),
                    np.array([v.denominator for v in values], dtype=object))

    qa, qb = column(a), column(b)
    assert (qa + qb).fractions() == [x + y for x, y in zip(a, b)]
    assert (qa * qb).fractions() == [x * y for x, y in zip(a, b)]
    assert qa.divide(qb).fractions() == [x / y if y else Fraction(0) for x, y in zip(a, b)]
    assert list(qa.ge(qb)) == [x >= y for x, y in zip(a, b)]
    assert list(half_up(qb)) == [int(round_half_up(y)) for y in b]


def round_half_up(value: Fraction) -> int:
    """Hundredths, half away from zero, computed on integers."""
    scaled = abs(value) * 100
    whole = scaled.numerator // scaled.denominator
    whole += scaled - whole >= Fraction(1, 2)
    return whole if value >= 0 else -whole


@given(st.lists(st.one_of(NUMBERS, st.floats(allow_nan=False, allow_infinity=False)),
                min_size=1, max_size=50))
def test_floats_are_read_as_the_decimal_they_print_as(values):
    assert from_floats(np.array(values, dtype=float)).fractions() == [
        Fraction(repr(float(v))) for v in values]


@pytest.mark.parametrize("value", [0.1, 2.675, 1e22, 5e-324, 1.7976931348623157e308])
def test_float_corner_cases(value):
    assert from_floats(np.array([value])).fractions() == [Fraction(repr(value))]
