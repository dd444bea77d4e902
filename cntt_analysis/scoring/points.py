"""Scoring: answers → points per indicator → scores, tiers and ranks.

The engine knows rule kinds, not indicators (``scoring.engine``): each indicator is scored
for every unit at once, in exact integer arithmetic, and its points rounded half-up to 2
decimals, as the rubric says; each point row carries the file and the cells it was computed
from. A unit is scored on the indicators of its group's framework that apply to it; one that
does not apply to it (``applies_to``) is not applicable (``na``), and leaves its maximum.
"""

from __future__ import annotations

from fractions import Fraction
from typing import Any

import numpy as np
import numpy.typing as npt
import pandas as pd

from cntt_analysis.intake.registry import ranked_units, unit_flags
from cntt_analysis.rubric.model import Rubric
from cntt_analysis.scoring.engine import (
    NA as NA_CODE,
)
from cntt_analysis.scoring.engine import (
    STATUS_NAMES,
    AnswerTable,
    Context,
    evaluate,
    factorized,
)
from cntt_analysis.scoring.exact import Q, half_up

POINT_COLUMNS = ["year", "unit_id", "group", "criterion", "indicator", "points", "max_points",
                 "status", "file", "sources"]
SCORED, NA, INVALID = "scored", "na", "invalid"


def compute_points(answers: pd.DataFrame, rubric: Rubric,
                   registry: pd.DataFrame) -> pd.DataFrame:
    """Points per unit and indicator (one row each), with status and provenance.

    In: `answers` — the tidy answers table (year, unit_id, code, value, number, status,
    file, sheet, cell, as ``score_round`` builds it); `rubric`; `registry` — unit_id and
    group of each unit (a unit is scored on its group's indicators; best_in_group rules
    compare units of one group), with the flag columns indicators' ``applies_to`` read and
    the optional ``ranked`` column (best_in_group's best is taken among ranked units).

    Out columns (``POINT_COLUMNS``): year, unit_id, group, criterion, indicator, points
    (rounded half-up to 2 decimals; 0 when invalid, NaN when not applicable), max_points,
    status ("scored", "na", "invalid"), file, sources ("sheet!cell" of every answer used).
    Rows are sorted by year and unit, indicators in rubric order; an indicator outside the
    unit's group's framework has no row.

    Example::

        >>> from cntt_analysis.scoring.pipeline import score_round
        >>> result = score_round("data/raw", 2017, progress=False)  # the demo data
        >>> points = compute_points(result.answers, result.round.rubric, result.registry)
        >>> points[["unit_id", "indicator", "points", "max_points", "status"]].head(2)
           unit_id indicator  points  max_points  status
        0  cc-bvmt      C1.1     2.0         4.0  scored
        1  cc-bvmt      C1.2     2.0         2.0  scored
    """
    if answers.empty:
        return pd.DataFrame([], columns=POINT_COLUMNS)
    table = AnswerTable(answers)
    units = table.unit_ids
    place = pd.Index(registry["unit_id"]).get_indexer(units)  # -1: not registered
    groups = _lookup(registry["group"], place)
    ranked_of = ranked_units(registry)
    ranked = np.array([ranked_of.get(u, True) for u in units], dtype=bool)
    flags = {name: np.array([f.get(u, False) for u in units], dtype=bool)
             for name, f in unit_flags(registry, [n for _, n in rubric.unit_flags]).items()}
    indicators = rubric.indicators
    size = (table.size, len(indicators))  # unit-major, as the rows are
    status = np.zeros(size, dtype=np.int8)
    hundredths = np.zeros(size, dtype=np.float64)
    keep = np.zeros(size, dtype=bool)
    sources = _Texts()
    source_ids = np.zeros(size, dtype=np.int64)
    for i, ind in enumerate(indicators):
        keep[:, i] = np.isin(groups, ind.groups) if ind.groups else True
        applies = keep[:, i] & (flags[ind.applies_to[1]] if ind.applies_to else True)
        outcome = evaluate(ind.rule, ind.max_points, Context(table, groups, ranked, applies))
        status[:, i] = np.where(applies, outcome.status, NA_CODE)
        hundredths[:, i] = half_up(outcome.points).astype(np.float64)
        source_ids[:, i] = np.where(applies, _sources(table, ind.rule.input_codes(), sources),
                                    sources.id(""))
    kept = keep.ravel()
    unit = np.repeat(np.arange(table.size), len(indicators))[kept]
    which = np.tile(np.arange(len(indicators)), table.size)[kept]
    flat_status = status.ravel()[kept]
    return pd.DataFrame({
        "year": table.years[unit],
        "unit_id": _texts(units, unit),
        "group": _texts(groups, unit),
        "criterion": _texts(np.array([i.criterion for i in indicators], dtype=object), which),
        "indicator": _texts(np.array([i.code for i in indicators], dtype=object), which),
        "points": np.where(flat_status == NA_CODE, np.nan, hundredths.ravel()[kept] / 100),
        "max_points": np.array([float(i.max_points) for i in indicators])[which],
        "status": _texts(STATUS_NAMES, flat_status),
        "file": _texts(table.files, unit),
        "sources": _texts(sources.values(), source_ids.ravel()[kept]),
    }, columns=POINT_COLUMNS)


def _lookup(column: pd.Series, place: npt.NDArray[np.intp]) -> npt.NDArray[Any]:
    """column's value at each position of `place` (None where -1), as objects."""
    values = np.asarray(column.to_numpy(dtype=object), dtype=object)
    out = np.full(len(place), None, dtype=object)
    out[place >= 0] = values[place[place >= 0]]
    return out


def _texts(distinct: npt.NDArray[Any], index: npt.NDArray[Any]) -> pd.Series:
    """A text column from its distinct values and each row's index into them (taken from
    a small text array: no conversion of one Python string per row)."""
    values = [None if v is None or (isinstance(v, float) and v != v) else str(v)
              for v in distinct]
    return pd.Series(pd.array(values, dtype="str")).take(index).reset_index(drop=True)


class _Texts:
    """Distinct strings, numbered in the order they come."""

    def __init__(self) -> None:
        self._ids: dict[str, int] = {}

    def id(self, text: str) -> int:
        return self._ids.setdefault(text, len(self._ids))

    def values(self) -> npt.NDArray[Any]:
        return np.array(list(self._ids), dtype=object)


def _sources(table: AnswerTable, codes: tuple[str, ...], texts: _Texts) -> npt.NDArray[Any]:
    """Per unit, the id in `texts` of "sheet!cell; sheet!cell", the answers a rule read (the
    distinct combinations are few: one string is built per combination)."""
    if not codes:
        return np.full(table.size, texts.id(""), dtype=np.int64)
    places = np.stack([table.column(code).where for code in codes], axis=1)
    base = table.places + 1  # place ids are -1 … places - 1
    if base ** len(codes) < 2**62:  # one integer per combination: a fast 1-D unique
        keys = (places + 1) @ (base ** np.arange(len(codes), dtype=np.int64))
        first, inverse = np.unique(keys, return_index=True, return_inverse=True)[1:]
        combos = places[first]
    else:
        combos, inverse = np.unique(places, axis=0, return_inverse=True)
    ids = np.array([texts.id("; ".join(table.place(np.asarray(combo[combo >= 0]))))
                    for combo in combos], dtype=np.int64)
    found: npt.NDArray[Any] = ids[np.asarray(inverse).ravel()]
    return found


SCORE_COLUMNS = ["year", "unit_id", "name", "group", "score", "tier", "rank", "earned",
                 "applicable_max"]  # then C1 … Cn, then ADDED_SCORE_COLUMNS
ADDED_SCORE_COLUMNS = ["index", "ranked"]
CRITERION_COLUMNS = ["year", "unit_id", "group", "criterion", "points", "max_points", "share",
                     "rank", "ranked"]
INDEX_PLACES = 4  # the 0..1 index is shown with 4 decimals (0,6234)


class _Sums:
    """Earned points and applicable maxima per unit and criterion, in exact hundredths."""

    def __init__(self, points: pd.DataFrame, rubric: Rubric, registry: pd.DataFrame):
        self.criteria = [c.code for c in rubric.criteria]
        year_codes, years = factorized(points["year"].to_numpy(), sort=True)
        unit_codes, unit_ids = factorized(points["unit_id"], sort=True)
        width = max(len(unit_ids), 1)
        keys, unit = np.unique(year_codes * width + unit_codes, return_inverse=True)
        first = np.unique(unit, return_index=True)[1]
        size = len(keys)
        self.years = years[keys // width].astype(np.int64)
        self.unit_ids = unit_ids[keys % width]
        self.groups = _lookup(points["group"], first)
        applies = (points["status"] != NA).to_numpy(dtype=bool, na_value=True)
        # Points and maxima carry at most 2 decimals: summing whole hundredths is exact.
        earned = np.where(applies, np.rint(points["points"].to_numpy(dtype=float) * 100), 0)
        possible = np.where(applies, np.rint(points["max_points"].to_numpy(dtype=float) * 100),
                            0)
        earned, possible = earned.astype(np.int64), possible.astype(np.int64)
        self.earned, self.possible = np.zeros(size, np.int64), np.zeros(size, np.int64)
        np.add.at(self.earned, unit, earned)
        np.add.at(self.possible, unit, possible)
        crit_codes, crit_names = factorized(points["criterion"])
        position = {c: i for i, c in enumerate(self.criteria)}
        crit = np.array([position.get(c, -1) for c in crit_names] + [-1])[crit_codes]
        known = crit >= 0
        index = (unit[known], crit[known])
        self.by_criterion = np.zeros((size, len(self.criteria)), dtype=np.int64)
        self.max_by_criterion = np.zeros((size, len(self.criteria)), dtype=np.int64)
        np.add.at(self.by_criterion, index, earned[known])
        np.add.at(self.max_by_criterion, index, possible[known])
        ranked_of = ranked_units(registry)
        self.ranked = np.array([ranked_of.get(u, True) for u in self.unit_ids], dtype=bool)
        self.names = _lookup(registry["name"],
                             pd.Index(registry["unit_id"]).get_indexer(self.unit_ids))

    def share(self, rubric: Rubric) -> tuple[Q, npt.NDArray[np.bool_]]:
        """Each unit's share of its applicable maximum (0..1, exact), and where it has one.
        With criterion weights, the weighted mean of its criteria's shares (criteria with
        nothing applicable left out)."""
        size = len(self.unit_ids)
        if not rubric.weighted:
            has = self.possible > 0
            return Q.of(self.earned, np.where(has, self.possible, 1)), has
        total, weights = Q.zeros(size), Q.zeros(size)
        for c, crit in enumerate(rubric.criteria):
            has = self.max_by_criterion[:, c] > 0
            weight = Q.const(crit.weight or Fraction(0), size).where(has, Q.zeros(size))
            part = Q.of(self.by_criterion[:, c], np.where(has, self.max_by_criterion[:, c], 1))
            total = total + weight * part
            weights = weights + weight
        has = ~weights.is_zero()
        return total.divide(weights), has


def _rounded(values: Q, has: npt.NDArray[np.bool_], scale: int, places: int
             ) -> npt.NDArray[np.float64]:
    """values × scale, half-up to `places` decimals, as floats; NaN where not `has`."""
    rounded = half_up(values * Q.const(scale, len(values)), places).astype(np.float64)
    return np.where(has, rounded / 10**places, np.nan)


def _tiers(rubric: Rubric, score: npt.NDArray[np.float64]) -> npt.NDArray[Any]:
    """The tier of each score (None for none), compared in whole hundredths."""
    out = np.full(len(score), None, dtype=object)
    hundredths = np.rint(np.nan_to_num(score, nan=-1.0) * 100)
    for tier in reversed(rubric.tiers):  # worst first: a better tier reached overrides
        need = -(-tier.minimum * 100 // 1)  # ceil(min × 100)
        out[hundredths >= float(need)] = tier.name
    out[(hundredths >= 0) & (out == None)] = rubric.tiers[-1].name  # noqa: E711
    out[np.isnan(score)] = None
    return out


def compute_scores(points: pd.DataFrame, rubric: Rubric,
                   registry: pd.DataFrame) -> pd.DataFrame:
    """Score (0–100), tier, rank within group, and each criterion's percentage.

    In: `points` as ``compute_points`` returns it; `rubric` (tiers, criteria, weights);
    `registry` (unit_id → name; the optional ``ranked`` column). Not-applicable indicators
    leave both the points and the maximum: score = earned / applicable maximum × 100,
    rounded half-up to 2 decimals — the share of the unit's own maximum, which tiers,
    ranks and year-to-year comparisons use. With criterion weights, the share is the
    weighted mean of the criteria's shares.

    Out: one row per year and unit, sorted by year, group, rank — year, unit_id, name,
    group, score, tier, rank (Int64, competition ranking 1, 2, 2, 4 within year and group
    among ranked units; NA for a unit assessed but not ranked), earned, applicable_max, then
    one percentage column per criterion (C1 … Cn, NaN when nothing of it applies), then
    index (the share as 0..1, half-up to 4 decimals) and ranked (bool).

    Example::

        >>> from cntt_analysis.scoring.pipeline import score_round
        >>> result = score_round("data/raw", 2017, progress=False)  # the demo data
        >>> scores = compute_scores(result.points, result.round.rubric, result.registry)
        >>> scores[["unit_id", "score", "tier", "rank"]].head(2)
                unit_id  score tier  rank
        0   h-yen-khanh  93.17  Tốt     1
        ...
    """
    sums = _Sums(points, rubric, registry)
    share, has = sums.share(rubric)
    size = len(sums.unit_ids)
    columns = [*SCORE_COLUMNS, *sums.criteria, *ADDED_SCORE_COLUMNS]
    if size == 0:
        return pd.DataFrame([], columns=columns)
    score = _rounded(share, has, 100, 2)
    scores = pd.DataFrame({
        "year": sums.years, "unit_id": sums.unit_ids, "name": sums.names,
        "group": sums.groups, "score": score, "tier": _tiers(rubric, score),
        "earned": sums.earned / 100, "applicable_max": sums.possible / 100,
        **{code: _rounded(Q.of(sums.by_criterion[:, c],
                               np.maximum(sums.max_by_criterion[:, c], 1)),
                          sums.max_by_criterion[:, c] > 0, 100, 2)
           for c, code in enumerate(sums.criteria)},
        "index": _rounded(share, has, 1, INDEX_PLACES),
        "ranked": sums.ranked,
    })
    scores["rank"] = rank_within_groups(scores)
    return scores[columns].sort_values(["year", "group", "rank", "unit_id"],
                                       ignore_index=True)


def criterion_scores(points: pd.DataFrame, rubric: Rubric,
                     registry: pd.DataFrame) -> pd.DataFrame:
    """Results per unit and criterion (pillar), with ranks: the tidy long table
    ``CRITERION_COLUMNS`` — year, unit_id, group, criterion, points (earned), max_points
    (applicable), share (% of it, half-up to 2 decimals; NaN when nothing applies), rank
    (Int64, competition ranking by share within year, group and criterion among ranked
    units), ranked. One row per unit and criterion of its group's framework, sorted by
    year, group, criterion (rubric order), rank, unit_id."""
    sums = _Sums(points, rubric, registry)
    if len(sums.unit_ids) == 0:
        return pd.DataFrame([], columns=CRITERION_COLUMNS)
    count = len(sums.criteria)
    e, p = sums.by_criterion.ravel(), sums.max_by_criterion.ravel()
    frame = pd.DataFrame({
        "year": np.repeat(sums.years, count), "unit_id": np.repeat(sums.unit_ids, count),
        "group": np.repeat(sums.groups, count),
        "criterion": np.tile(np.array(sums.criteria, dtype=object), len(sums.unit_ids)),
        "points": e / 100, "max_points": p / 100,
        "share": _rounded(Q.of(e, np.maximum(p, 1)), p > 0, 100, 2),
        "ranked": np.repeat(sums.ranked, count),
    })
    # a criterion with no maximum in the unit's group is not part of its framework
    in_group = {g: [c.max_for(g) > 0 for c in rubric.criteria] for g in rubric.groups}
    everywhere = [True] * count
    in_framework = np.array([in_group.get(g, everywhere) for g in sums.groups],
                            dtype=bool).reshape(-1)
    frame = frame[in_framework].reset_index(drop=True)
    frame["rank"] = rank_within_groups(frame, "share", ["criterion"])
    order = {code: n for n, code in enumerate(sums.criteria)}
    frame["_order"] = frame["criterion"].map(order)
    return frame.sort_values(["year", "group", "_order", "rank", "unit_id"],
                             ignore_index=True)[CRITERION_COLUMNS]


def rank_within_groups(scores: pd.DataFrame, column: str = "score",
                       by: list[str] | None = None) -> pd.Series:
    """Competition ranking (1, 2, 2, 4) by `column`, highest first, per year and group (and
    `by`); rows whose ``ranked`` column is False get no rank and take no place."""
    values = scores[column]
    if "ranked" in scores.columns:
        values = values.where(scores["ranked"].astype(bool))
    keys = [scores[k] for k in ("year", "group", *(by or []))]
    ranks = values.groupby(keys).rank(method="min", ascending=False)
    return ranks.astype("Int64")


def points_lost(points: pd.DataFrame) -> pd.DataFrame:
    """The points rows that count (scored and invalid; not-applicable rows dropped) with
    ``lost`` = max_points − points (an invalid answer loses the indicator's maximum)."""
    kept = points[points["status"] != "na"].copy()
    kept["lost"] = (kept["max_points"] - kept["points"].fillna(0.0)).astype("float64").round(2)
    return kept.reset_index(drop=True)
