"""The rule kinds, evaluated for every unit of a round at once, exactly.

The answers table becomes one column per input code (`AnswerTable`): whether the unit
answered it, its status, its exact number (``scoring.exact.Q``), its label and the cell it
came from. `evaluate` then scores one rule over all units with array operations on integer
numerators and denominators — no Fraction per evaluation — and returns each unit's status
and unrounded points; callers round half-up per indicator.

Statuses follow rubric section 3/4: a rule is not applicable (na) when one of its
`na_if_zero` answers is 0 or one of its answers is "Không áp dụng"; invalid when one of its
answers is missing or invalid; scored otherwise.
"""

from __future__ import annotations

from dataclasses import dataclass
from fractions import Fraction
from typing import Any

import numpy as np
import numpy.typing as npt
import pandas as pd

from cntt_analysis.rubric.model import Rule
from cntt_analysis.scoring.exact import Q, from_floats

SCORED, NA, INVALID = 0, 1, 2  # status codes in arrays
STATUS_NAMES = np.array(["scored", "na", "invalid"], dtype=object)

Bools = npt.NDArray[np.bool_]
Codes = npt.NDArray[np.int8]
Ints = npt.NDArray[np.int64]


@dataclass(frozen=True)
class Column:
    """One input code across all units."""

    present: Bools
    ok: Bools
    na: Bools
    number: Q
    value: Ints  # index of the answer's text in AnswerTable.labels, -1 where none
    where: Ints  # index of its "sheet!cell" in AnswerTable.places, -1 where none


def factorized(values: pd.Series | npt.NDArray[Any], sort: bool = False
               ) -> tuple[Ints, npt.NDArray[Any]]:
    """(codes, uniques as an object array): text columns are compared as small integers."""
    codes, uniques = pd.factorize(values, sort=sort)
    return np.asarray(codes, dtype=np.int64), np.asarray(uniques, dtype=object)


def _place_codes(answers: pd.DataFrame) -> tuple[Ints, npt.NDArray[Any]]:
    """Each row's "sheet!cell" as an index into the distinct ones (-1: no cell), and those
    distinct texts."""
    cells = answers["cell"]
    filled = (cells.notna() & (cells != "")).to_numpy(dtype=bool, na_value=False)
    sheet_codes, sheets = factorized(answers["sheet"].astype(object).where(filled, ""))
    cell_codes, names = factorized(cells.astype(object).where(filled, ""))
    width = max(len(names), 1)
    pairs, ids = np.unique(sheet_codes * width + cell_codes, return_inverse=True)
    texts = np.array([f"{sheets[p // width]}!{names[p % width]}" for p in pairs],
                     dtype=object)
    return np.where(filled, ids, -1), texts


class AnswerTable:
    """The answers of every (year, unit) of a table, one `Column` per code. Texts (units,
    codes, labels, cells) are factorized once, so nothing per row is a Python object."""

    def __init__(self, answers: pd.DataFrame):
        rows = len(answers)
        year_codes, years = factorized(answers["year"].to_numpy(), sort=True)
        unit_codes, unit_ids = factorized(answers["unit_id"], sort=True)
        # Units sorted by (year, unit_id), as the points table is.
        width = max(len(unit_ids), 1)
        keys, unit = np.unique(year_codes * width + unit_codes, return_inverse=True)
        self.years = years[keys // width].astype(np.int64)
        self.unit_ids = unit_ids[keys % width]
        self.size = len(keys)
        # The file each unit's answers came from (the last row's, as a dict would keep):
        # its own submission's, not the appraiser's or a system's file it was joined with.
        last = np.zeros(self.size, dtype=np.int64)
        np.maximum.at(last, unit, np.arange(rows))
        if "input_source" in answers.columns:
            mine = (answers["input_source"].fillna("unit") == "unit").to_numpy(dtype=bool)
            own = np.full(self.size, -1, dtype=np.int64)
            np.maximum.at(own, unit, np.where(mine, np.arange(rows), -1))
            last = np.where(own >= 0, own, last)
        self.files = answers["file"].take(last).to_numpy(dtype=object)
        code_codes, codes = factorized(answers["code"])
        # One row per (unit, code): a repeated code keeps its last row.
        kept = ~pd.Series(unit * max(len(codes), 1) + code_codes).duplicated(
            keep="last").to_numpy()
        numbers = from_floats(answers["number"].to_numpy(dtype=np.float64))
        ok = (answers["status"] == "ok").to_numpy(dtype=bool, na_value=False)
        na = (answers["status"] == "na").to_numpy(dtype=bool, na_value=False)
        value_codes, self.labels = factorized(answers["value"])
        place_ids, self._places = _place_codes(answers)
        self._columns: dict[str, Column] = {}
        order = np.argsort(code_codes, kind="stable")
        bounds = np.searchsorted(code_codes[order], np.arange(len(codes) + 1))
        for c, code in enumerate(codes):
            mine = order[bounds[c]:bounds[c + 1]]
            mine = mine[kept[mine]]
            self._columns[str(code)] = self._column(
                unit[mine], ok[mine], na[mine], numbers.take(mine), value_codes[mine],
                place_ids[mine])

    @property
    def places(self) -> int:
        """How many distinct "sheet!cell" places there are."""
        return len(self._places)

    def place(self, ids: Ints) -> npt.NDArray[Any]:
        """The "sheet!cell" texts of place ids (-1 → "")."""
        return np.append(self._places, "")[ids]

    def _column(self, units: Ints, ok: Bools, na: Bools, number: Q, values: Ints,
                places: Ints) -> Column:
        n = self.size
        present = np.zeros(n, dtype=bool)
        present[units] = True
        got_ok, got_na = np.zeros(n, dtype=bool), np.zeros(n, dtype=bool)
        got_ok[units], got_na[units] = ok, na
        num = np.zeros(n, dtype=number.num.dtype)
        den = np.ones(n, dtype=number.den.dtype)
        num[units], den[units] = number.num, number.den
        value = np.full(n, -1, dtype=np.int64)
        value[units] = values
        where = np.full(n, -1, dtype=np.int64)
        where[units] = places
        return Column(present, got_ok, got_na, Q(num, den), value, where)

    def column(self, code: str) -> Column:
        found = self._columns.get(code)
        if found is None:
            n = self.size
            none, missing = np.zeros(n, dtype=bool), np.full(n, -1, dtype=np.int64)
            found = Column(none, none, none, Q.zeros(n), missing, missing)
            self._columns[code] = found
        return found


@dataclass(frozen=True)
class Context:
    """What rules need beyond the answers: each unit's year and group, whether it is
    ranked, and whether the indicator being scored applies to it."""

    table: AnswerTable
    groups: npt.NDArray[Any]
    ranked: Bools
    applies: Bools


@dataclass(frozen=True)
class Outcome:
    status: Codes
    points: Q  # unrounded; 0 where not scored


def _zero_answer(codes: tuple[str, ...], table: AnswerTable) -> Bools:
    """Units where one of `codes` was answered 0 (a `na_if_zero` condition)."""
    zero = np.zeros(table.size, bool)
    for code in codes:
        col = table.column(code)
        zero |= col.present & col.ok & col.number.is_zero()
    return zero


def base_status(rule: Rule, table: AnswerTable) -> Codes:
    """na (a `na_if_zero` answer is 0, or an answer is "Không áp dụng"), invalid (an answer
    missing or invalid), else scored — before any arithmetic."""
    n = table.size
    zero = _zero_answer(rule.na_if_zero, table)
    na, bad = np.zeros(n, bool), np.zeros(n, bool)
    for code in rule.input_codes():
        col = table.column(code)
        na |= col.present & col.na
        bad |= ~(col.present & col.ok)
    return np.where(zero | na, NA, np.where(bad, INVALID, SCORED)).astype(np.int8)


def evaluate(rule: Rule, top: Fraction, ctx: Context) -> Outcome:
    """Status and unrounded points of `rule` (maximum `top`) for every unit."""
    if rule.kind == "best_of":
        return _best_of(rule, top, ctx)
    status = base_status(rule, ctx.table)
    if rule.kind == "sum":  # statuses come from every part's answers together
        points = Q.zeros(ctx.table.size)
        for part in rule.parts:
            points = points + evaluate(part, part.max_points or Fraction(0), ctx).points
    else:
        status, points = _simple(rule, top, ctx, status)
    return Outcome(status, points.where(status == SCORED, Q.zeros(ctx.table.size)))


def _best_of(rule: Rule, top: Fraction, ctx: Context) -> Outcome:
    """The alternative that gives the most points among those the unit could be scored on;
    with none, invalid if one of them is, else not applicable."""
    n = ctx.table.size
    outcomes = [evaluate(option, top, ctx) for option in rule.parts]
    scored = np.zeros(n, bool)
    invalid = np.zeros(n, bool)
    best = Q.zeros(n)
    for outcome in outcomes:
        ok = outcome.status == SCORED
        best = best.where(~ok, best.maximum(outcome.points))
        scored |= ok
        invalid |= outcome.status == INVALID
    status = np.where(scored, SCORED, np.where(invalid, INVALID, NA)).astype(np.int8)
    status = np.where(_zero_answer(rule.na_if_zero, ctx.table), NA, status).astype(np.int8)
    return Outcome(status, best.where(status == SCORED, Q.zeros(n)))


def _number(ctx: Context, code: str) -> Q:
    return ctx.table.column(code).number


def _simple(rule: Rule, top: Fraction, ctx: Context, status: Codes) -> tuple[Codes, Q]:
    n = ctx.table.size
    full = Q.const(top, n)
    params = rule.params
    if rule.kind == "yes_no":
        number = _number(ctx, rule.numerator)
        yes = (number.num == 1) & (number.den == 1)
        return status, full.where(yes, Q.zeros(n))
    if rule.kind == "choice":
        return status, _choice(params["points"], ctx.table.labels,
                               ctx.table.column(rule.numerator).value)
    if rule.kind == "steps":
        number, points = _number(ctx, rule.numerator), Q.zeros(n)
        for floor, step in params["steps"]:
            reached = number.ge(Q.const(Fraction(str(floor)), n))
            points = points.where(~reached, points.maximum(Q.const(Fraction(str(step)), n)))
        return status, points
    if rule.kind == "per_item":
        each = Q.const(Fraction(str(params["each"])), n)
        return status, (_number(ctx, rule.numerator) * each).minimum(full)
    return _ratio_kind(rule, top, ctx, status)


def _choice(points: dict[str, Any], labels: npt.NDArray[Any], chosen: Ints) -> Q:
    """The points of each unit's chosen label (0 where none)."""
    num = np.zeros(len(labels) + 1, dtype=np.int64)  # the last one for "no label" (-1)
    den = np.ones(len(labels) + 1, dtype=np.int64)
    where = pd.Index(labels, dtype=object).get_indexer(list(points))
    for at, value in zip(where, points.values()):
        if at >= 0:
            exact = Fraction(str(value))
            num[at], den[at] = exact.numerator, exact.denominator
    return Q.of(num[chosen], den[chosen])


def _ratio_kind(rule: Rule, top: Fraction, ctx: Context, status: Codes) -> tuple[Codes, Q]:
    """ratio, threshold, target, best_in_group: r = numerator / (sum of denominators)."""
    n = ctx.table.size
    params, full = rule.params, Q.const(top, n)
    numerator = _number(ctx, rule.numerator)
    if rule.denominator:
        denominator = Q.zeros(n)
        for code in rule.denominator:
            denominator = denominator + _number(ctx, code)
    else:  # a target on the number itself
        denominator = Q.const(1, n)
    zero = denominator.is_zero()
    ratio = numerator.divide(denominator)
    uncapped = ratio
    if "cap" in params:
        ratio = ratio.minimum(Q.const(Fraction(str(params["cap"])), n))
    if rule.kind == "threshold":
        upper = Q.const(Fraction(str(params["full"])), n)
        lower = Q.const(Fraction(str(params["floor"])), n)
        partial = ratio.divide(upper) * full
        points = full.where(ratio.ge(upper), partial.where(ratio.ge(lower), Q.zeros(n)))
    elif rule.kind == "target":
        points = ratio.divide(Q.const(Fraction(str(params["target"])), n)) \
            .minimum(Q.const(1, n)) * full
    elif rule.kind == "best_in_group":
        best = _group_best(uncapped, (status == SCORED) & ~zero & ctx.applies, ctx)
        has_best = ~best.is_zero()
        points = ratio.divide(best).minimum(Q.const(1, n)) * full
        points = points.where(has_best, Q.zeros(n))
    else:  # ratio
        points = (ratio * full).minimum(full)
    if rule.if_zero == "na":
        status = np.where(zero & (status == SCORED), NA, status).astype(np.int8)
    points = points.where(~zero, full if rule.if_zero == "full" else Q.zeros(n))
    return status, points


def _group_best(ratio: Q, eligible: Bools, ctx: Context) -> Q:
    """Per unit, the largest ratio among the eligible units of its year and group — among
    the ranked ones when any of them has a value: a unit outside the ranking must not move
    the points of those in it (it is measured against the same best, at most full points).
    0 where there is none."""
    n = ctx.table.size
    keys = pd.Series(list(zip(ctx.table.years, ctx.groups)), dtype=object)
    codes, _ = pd.factorize(keys)
    best_num = np.zeros(n, dtype=object)
    best_den = np.ones(n, dtype=object)
    approx = ratio.approx()
    for key in np.unique(codes):
        members = codes == key
        pool = members & eligible & ctx.ranked
        if not pool.any():
            pool = members & eligible
        if not pool.any():
            continue
        where = np.flatnonzero(pool)
        # Only values within rounding of the float maximum can be the exact maximum.
        top = approx[where].max()
        near = where[approx[where] >= top - abs(top) * 1e-9]
        value = max(ratio.take(near).fractions())
        best_num[members], best_den[members] = value.numerator, value.denominator
    return Q.of(best_num, best_den)


def status_names(status: Codes) -> npt.NDArray[Any]:
    return STATUS_NAMES[status]

