"""A straightforward scoring reference for the property test: one Python Fraction per rule
evaluation, unit by unit, indicator by indicator — the engine as it was before it worked on
whole columns, extended to every rule kind, groups, applicability and unranked units.

Deliberately naive: it shares no code with ``scoring.engine``/``scoring.exact`` beyond the
rubric model and the half-up rounding of ``cntt_analysis.rounding``.
"""

from __future__ import annotations

from fractions import Fraction
from typing import Any, NamedTuple

import numpy as np
import pandas as pd

from cntt_analysis.rounding import half_up
from cntt_analysis.rubric.model import Indicator, Rubric, Rule

SCORED, NA, INVALID = "scored", "na", "invalid"
YES = {"có", "x", "yes", "y", "true", "1", "đúng"}


class Answer(NamedTuple):
    status: str
    value: str | None
    number: Fraction | None
    where: str

    @property
    def amount(self) -> Fraction:
        return self.number if self.number is not None else Fraction(0)


def _flag(text: object) -> bool:
    return isinstance(text, str) and text.strip().lower() in YES


def _ranked(text: object) -> bool:
    return not (isinstance(text, str) and text.strip().lower() in {"không", "no", "false",
                                                                    "0", "n", "sai"})


def unit_answers(answers: pd.DataFrame) -> dict[tuple[int, str], dict[str, Answer]]:
    table: dict[tuple[int, str], dict[str, Answer]] = {}
    for row in answers.itertuples(index=False):
        number = None if pd.isna(row.number) else Fraction(repr(float(row.number)))
        where = f"{row.sheet}!{row.cell}" if isinstance(row.cell, str) and row.cell else ""
        table.setdefault((row.year, row.unit_id), {})[row.code] = Answer(
            row.status, row.value, number, where)
    return table


def _status(rule: Rule, got: dict[str, Answer]) -> str:
    for code in rule.na_if_zero:
        a = got.get(code)
        if a is not None and a.status == "ok" and a.number == 0:
            return NA
    codes = rule.input_codes()
    if any(got.get(c) is not None and got[c].status == "na" for c in codes):
        return NA
    if any(got.get(c) is None or got[c].status != "ok" for c in codes):
        return INVALID
    return SCORED


def _ratio(rule: Rule, got: dict[str, Answer]) -> Fraction | None:
    if not rule.denominator:
        return got[rule.numerator].amount
    den = sum((got[c].amount for c in rule.denominator), Fraction(0))
    return None if den == 0 else got[rule.numerator].amount / den


def evaluate(rule: Rule, top: Fraction, got: dict[str, Answer],
             best: Fraction | None) -> tuple[str, Fraction]:
    if rule.kind == "best_of":
        outcomes = [evaluate(o, top, got, None) for o in rule.parts]
        scored = [p for s, p in outcomes if s == SCORED]
        status = SCORED if scored else INVALID if any(s == INVALID for s, _ in outcomes) \
            else NA
        for code in rule.na_if_zero:
            a = got.get(code)
            if a is not None and a.status == "ok" and a.number == 0:
                status = NA
        return status, max(scored) if status == SCORED else Fraction(0)
    status = _status(rule, got)
    if status != SCORED:
        return status, Fraction(0)
    params = rule.params
    if rule.kind == "sum":
        return SCORED, sum((evaluate(p, p.max_points or Fraction(0), got, None)[1]
                            for p in rule.parts), Fraction(0))
    answer = got[rule.numerator]
    if rule.kind == "yes_no":
        return SCORED, top if answer.number == 1 else Fraction(0)
    if rule.kind == "choice":
        return SCORED, Fraction(str(params["points"][answer.value]))
    if rule.kind == "steps":
        reached = [Fraction(str(p)) for f, p in params["steps"]
                   if answer.amount >= Fraction(str(f))]
        return SCORED, max(reached, default=Fraction(0))
    if rule.kind == "per_item":
        return SCORED, min(answer.amount * Fraction(str(params["each"])), top)
    ratio = _ratio(rule, got)
    if ratio is None:
        if rule.if_zero == "na":
            return NA, Fraction(0)
        return SCORED, top if rule.if_zero == "full" else Fraction(0)
    if "cap" in params:
        ratio = min(ratio, Fraction(str(params["cap"])))
    if rule.kind == "threshold":
        full, floor = Fraction(str(params["full"])), Fraction(str(params["floor"]))
        return SCORED, top if ratio >= full else (ratio / full * top if ratio >= floor
                                                  else Fraction(0))
    if rule.kind == "target":
        return SCORED, min(ratio / Fraction(str(params["target"])), Fraction(1)) * top
    if rule.kind == "best_in_group":
        return SCORED, Fraction(0) if not best else min(ratio / best, Fraction(1)) * top
    return SCORED, min(ratio * top, top)


def _applies(ind: Indicator, group: Any, row: dict[str, Any]) -> tuple[bool, bool]:
    in_group = not ind.groups or group in ind.groups
    flagged = ind.applies_to is None or _flag(row.get(ind.applies_to[1]))
    return in_group, in_group and flagged


def reference_points(answers: pd.DataFrame, rubric: Rubric,
                     registry: pd.DataFrame) -> pd.DataFrame:
    table = unit_answers(answers)
    rows_of = {r["unit_id"]: r for r in registry.to_dict("records")}
    files = dict(zip(zip(answers["year"], answers["unit_id"]), answers["file"]))
    # best_in_group: the largest uncapped ratio per (year, group), among ranked units when
    # any of them has one
    best: dict[tuple[Any, Any, str], Fraction] = {}
    for ind in rubric.indicators:
        if ind.rule.kind != "best_in_group":
            continue
        pools: dict[tuple[Any, Any], dict[bool, list[Fraction]]] = {}
        for (year, unit), got in table.items():
            row = rows_of.get(unit, {})
            _, applies = _applies(ind, row.get("group"), row)
            if applies and _status(ind.rule, got) == SCORED:
                value = _ratio(ind.rule, got)
                if value is not None:
                    ranked = _ranked(row.get("ranked"))
                    pools.setdefault((year, row.get("group")), {}).setdefault(
                        ranked, []).append(value)
        for key, pool in pools.items():
            best[(*key, ind.code)] = max(pool.get(True) or pool[False])
    out = []
    for (year, unit), got in sorted(table.items()):
        row = rows_of.get(unit, {})
        group = row.get("group")
        for ind in rubric.indicators:
            in_group, applies = _applies(ind, group, row)
            if not in_group:
                continue
            if applies:
                status, raw = evaluate(ind.rule, ind.max_points, got,
                                       best.get((year, group, ind.code)))
            else:
                status, raw = NA, Fraction(0)
            out.append({
                "year": year, "unit_id": unit, "group": group, "criterion": ind.criterion,
                "indicator": ind.code,
                "points": None if status == NA else float(half_up(raw)),
                "max_points": float(ind.max_points), "status": status,
                "file": files.get((year, unit)),
                "sources": "; ".join(got[c].where for c in ind.rule.input_codes()
                                     if c in got and got[c].where) if applies else "",
            })
    frame = pd.DataFrame(out, columns=["year", "unit_id", "group", "criterion", "indicator",
                                       "points", "max_points", "status", "file", "sources"])
    # (a table whose every row is not applicable would otherwise hold None objects)
    return frame.astype({"points": "float64"})


def _pct(value: Fraction | None, places: int = 2, scale: int = 100) -> float:
    return np.nan if value is None else float(half_up(value * scale, places))


def reference_scores(points: pd.DataFrame, rubric: Rubric,
                     registry: pd.DataFrame) -> dict[tuple[int, str], dict[str, Any]]:
    """(year, unit) → score, index, tier, per-criterion percentages (ranks left out)."""
    units: dict[tuple[int, str], dict[str, list[Fraction]]] = {}
    for row in points.itertuples(index=False):
        parts = units.setdefault((row.year, row.unit_id), {})
        if row.status == NA:
            continue
        pair = parts.setdefault(row.criterion, [Fraction(0), Fraction(0)])
        pair[0] += Fraction(repr(float(row.points)))
        pair[1] += Fraction(repr(float(row.max_points)))
    out = {}
    for key, parts in units.items():
        earned = sum((p[0] for p in parts.values()), Fraction(0))
        possible = sum((p[1] for p in parts.values()), Fraction(0))
        if rubric.weighted:
            used = [(c.weight, parts[c.code]) for c in rubric.criteria
                    if c.code in parts and parts[c.code][1] > 0]
            total = sum((w for w, _ in used), Fraction(0))
            share = sum((w * e / m for w, (e, m) in used), Fraction(0)) / total if total \
                else None
        else:
            share = earned / possible if possible else None
        score = _pct(share)
        tier = None
        if share is not None:
            tier = next((t.name for t in rubric.tiers if Fraction(repr(score)) >= t.minimum),
                        rubric.tiers[-1].name)
        out[key] = {"score": score, "index": _pct(share, 4, 1), "tier": tier,
                    "earned": float(earned), "applicable_max": float(possible),
                    **{c.code: _pct(parts[c.code][0] / parts[c.code][1])
                       if c.code in parts and parts[c.code][1] else np.nan
                       for c in rubric.criteria}}
    return out
