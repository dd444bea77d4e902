"""Scoring: answers → points per indicator → scores, tiers and ranks.

The engine knows rule kinds, not indicators. Arithmetic is exact (fractions) and every
indicator's points are rounded half-up to 2 decimals, as the rubric says; each point row
carries the file and the cells it was computed from.
"""

from __future__ import annotations

from fractions import Fraction
from typing import NamedTuple

import numpy as np
import pandas as pd

from cntt_analysis.rounding import half_up
from cntt_analysis.rubric.model import Indicator, Rubric

POINT_COLUMNS = ["year", "unit_id", "group", "criterion", "indicator", "points", "max_points",
                 "status", "file", "sources"]
SCORED, NA, INVALID = "scored", "na", "invalid"


class Answer(NamedTuple):
    status: str
    value: str | None
    number: Fraction | None
    where: str

    @property
    def amount(self) -> Fraction:
        """The number of a scorable numeric answer (0 when it has none)."""
        return self.number if self.number is not None else Fraction(0)




def _exact(number: float) -> Fraction:
    # repr() gives the shortest text that round-trips: the decimal the user typed.
    return Fraction(repr(float(number)))


def unit_answers(answers: pd.DataFrame) -> dict[tuple[int, str], dict[str, Answer]]:
    """(year, unit_id) → code → Answer, from the tidy answers table."""
    table: dict[tuple[int, str], dict[str, Answer]] = {}
    for row in answers.itertuples(index=False):
        number = None if pd.isna(row.number) else _exact(row.number)
        where = f"{row.sheet}!{row.cell}" if row.cell else ""
        table.setdefault((row.year, row.unit_id), {})[row.code] = Answer(
            row.status, row.value, number, where)
    return table


def _ratio(ind: Indicator, got: dict[str, Answer]) -> Fraction | None:
    """numerator / denominator (a sum of inputs), or None for a zero denominator."""
    rule = ind.rule
    den = sum((got[c].amount for c in rule.denominator), Fraction(0))
    return None if den == 0 else got[rule.numerator].amount / den


def _status(ind: Indicator, got: dict[str, Answer]) -> str:
    """na, invalid or scored — before any arithmetic."""
    codes = ind.rule.input_codes()
    for code in ind.rule.na_if_zero:
        answer = got.get(code)
        if answer is not None and answer.status == "ok" and answer.number == 0:
            return NA
    if any(got.get(c) is not None and got[c].status == "na" for c in codes):
        return NA
    if any(got.get(c) is None or got[c].status != "ok" for c in codes):
        return INVALID
    return SCORED


def _points(ind: Indicator, got: dict[str, Answer], best: Fraction | None) -> Fraction:
    """Unrounded points of a scorable indicator."""
    rule, top = ind.rule, ind.max_points
    params = rule.params
    answer = got[rule.numerator]
    if rule.kind == "yes_no":
        return top if answer.number == 1 else Fraction(0)
    if rule.kind == "choice":
        return Fraction(str(params["points"][answer.value]))
    if rule.kind == "steps":
        reached = [Fraction(str(p)) for floor, p in params["steps"]
                   if answer.amount >= Fraction(str(floor))]
        return max(reached, default=Fraction(0))
    ratio = _ratio(ind, got)
    if ratio is None:
        return Fraction(0)
    if "cap" in params:
        ratio = min(ratio, Fraction(str(params["cap"])))
    if rule.kind == "threshold":
        full, floor = Fraction(str(params["full"])), Fraction(str(params["floor"]))
        return top if ratio >= full else (ratio / full * top if ratio >= floor else Fraction(0))
    if rule.kind == "target":
        return min(ratio / Fraction(str(params["target"])), Fraction(1)) * top
    if rule.kind == "best_in_group":
        return Fraction(0) if not best else ratio / best * top
    return min(ratio * top, top)  # ratio


def compute_points(answers: pd.DataFrame, rubric: Rubric,
                   registry: pd.DataFrame) -> pd.DataFrame:
    """Points per unit and indicator (one row each), with status and provenance.

    In: `answers` — the tidy answers table (year, unit_id, code, value, number, status,
    file, sheet, cell, as ``score_round`` builds it); `rubric`; `registry` — unit_id and
    group of each unit (best_in_group rules compare units of one group).

    Out columns (``POINT_COLUMNS``): year, unit_id, group, criterion, indicator, points
    (rounded half-up to 2 decimals; 0 when invalid, NaN when not applicable), max_points,
    status ("scored", "na", "invalid"), file, sources ("sheet!cell" of every answer used).

    Example::

        >>> points = compute_points(result.answers, rubric, result.registry)
        >>> points[["unit_id", "indicator", "points", "max_points", "status"]].head(2)
           unit_id indicator  points  max_points  status
        0  cc-bvmt      C1.1     2.0         4.0  scored
        1  cc-bvmt      C1.2     2.0         2.0  scored
    """
    groups = dict(zip(registry["unit_id"], registry["group"]))
    table = unit_answers(answers)
    files = dict(zip(zip(answers["year"], answers["unit_id"]), answers["file"]))
    best = _group_best(table, rubric, groups)
    rows = []
    for (year, unit_id), got in sorted(table.items()):
        group = groups.get(unit_id)
        for ind in rubric.indicators:
            status = _status(ind, got)
            raw = _points(ind, got, best.get((year, group, ind.code))) \
                if status == SCORED else Fraction(0)
            rows.append({
                "year": year, "unit_id": unit_id, "group": group,
                "criterion": ind.criterion, "indicator": ind.code,
                "points": None if status == NA else float(half_up(raw)),
                "max_points": float(ind.max_points), "status": status,
                "file": files.get((year, unit_id)),
                "sources": "; ".join(got[c].where for c in ind.rule.input_codes()
                                     if c in got and got[c].where),
            })
    return pd.DataFrame(rows, columns=POINT_COLUMNS)


def _group_best(table: dict[tuple[int, str], dict[str, Answer]], rubric: Rubric,
                groups: dict[str, str]) -> dict[tuple[int, str | None, str], Fraction]:
    """(year, group, indicator) → the largest ratio among the group's scorable units."""
    best: dict[tuple[int, str | None, str], Fraction] = {}
    for ind in rubric.indicators:
        if ind.rule.kind != "best_in_group":
            continue
        for (year, unit_id), got in table.items():
            if _status(ind, got) == SCORED and (value := _ratio(ind, got)) is not None:
                key = (year, groups.get(unit_id), ind.code)
                best[key] = max(best.get(key, Fraction(0)), value)
    return best


def _percent(earned: Fraction, possible: Fraction) -> float:
    return np.nan if possible == 0 else float(half_up(earned / possible * 100))


def _hundredths(value: float) -> int:
    # Points and maxima carry at most 2 decimals: summing whole hundredths is exact.
    return round(value * 100)


def compute_scores(points: pd.DataFrame, rubric: Rubric,
                   registry: pd.DataFrame) -> pd.DataFrame:
    """Score (0–100), tier, rank within group, and each criterion's percentage.

    In: `points` as ``compute_points`` returns it; `rubric` (tiers, criteria); `registry`
    (unit_id → name). Not-applicable indicators leave both the points and the maximum:
    score = earned / applicable maximum × 100, rounded half-up to 2 decimals.

    Out: one row per year and unit, sorted by year, group, rank — year, unit_id, name,
    group, score, tier, rank (Int64, competition ranking 1, 2, 2, 4 within year and group),
    earned, applicable_max, then one percentage column per criterion (C1 … Cn, NaN when
    nothing of it applies).

    Example::

        >>> compute_scores(points, rubric, registry)[["unit_id", "score", "tier", "rank"]]
                unit_id  score tier  rank
        0   h-yen-khanh  93.17  Tốt     1
        ...
    """
    names = dict(zip(registry["unit_id"], registry["name"]))
    criteria = [c.code for c in rubric.criteria]
    # One pass: (year, unit) → criterion → [earned, possible] in hundredths of a point.
    sums: dict[tuple[int, str], dict[str, list[int]]] = {}
    groups: dict[tuple[int, str], str] = {}
    applicable = points[points["status"] != NA]
    for year, unit_id, group, criterion, earned, possible in zip(
            applicable["year"], applicable["unit_id"], applicable["group"],
            applicable["criterion"], applicable["points"], applicable["max_points"]):
        key = (year, unit_id)
        groups[key] = group
        pair = sums.setdefault(key, {}).setdefault(criterion, [0, 0])
        pair[0] += _hundredths(earned)
        pair[1] += _hundredths(possible)
    for year, unit_id, group in zip(points["year"], points["unit_id"], points["group"]):
        groups.setdefault((year, unit_id), group)  # a unit with nothing applicable
    rows = []
    for key in sorted(groups):
        parts = sums.get(key, {})
        earned = sum(p[0] for p in parts.values())
        possible = sum(p[1] for p in parts.values())
        row = {"year": key[0], "unit_id": key[1], "name": names.get(key[1]),
               "group": groups[key], "score": _percent(Fraction(earned), Fraction(possible)),
               "earned": earned / 100, "applicable_max": possible / 100}
        for code in criteria:
            got, top = parts.get(code, (0, 0))
            row[code] = _percent(Fraction(got), Fraction(top))
        rows.append(row)
    columns = ["year", "unit_id", "name", "group", "score", "tier", "rank", "earned",
               "applicable_max", *criteria]
    scores = pd.DataFrame(rows, columns=[c for c in columns if c not in ("tier", "rank")])
    scores["tier"] = [None if pd.isna(s) else rubric.tier_for(s) for s in scores["score"]]
    scores["rank"] = rank_within_groups(scores)
    return scores[columns].sort_values(["year", "group", "rank", "unit_id"],
                                       ignore_index=True)


def rank_within_groups(scores: pd.DataFrame, column: str = "score") -> pd.Series:
    """Competition ranking (1, 2, 2, 4) by `column`, highest first, per year and group."""
    ranks = scores.groupby(["year", "group"])[column].rank(method="min", ascending=False)
    return ranks.astype("Int64")


def points_lost(points: pd.DataFrame) -> pd.DataFrame:
    """The points rows that count (scored and invalid; not-applicable rows dropped) with
    ``lost`` = max_points − points (an invalid answer loses the indicator's maximum)."""
    kept = points[points["status"] != "na"].copy()
    kept["lost"] = (kept["max_points"] - kept["points"].fillna(0.0)).astype("float64").round(2)
    return kept.reset_index(drop=True)
