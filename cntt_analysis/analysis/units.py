"""One unit at a time: its indicators with the answers they used, its weaknesses, and the
units leaders must direct to remedy shortcomings.
"""

from __future__ import annotations

from collections import Counter
from collections.abc import Collection, Sequence
from typing import Any

import numpy as np
import pandas as pd

from cntt_analysis.analysis.common import (
    LATE,
    MISSING,
    NOT_SCORED,
    SENT,
    _criterion_names,
    _indicator_info,
    _sort_units,
    criterion_columns,
)
from cntt_analysis.labels import (
    POINT_STATUS,
    vn_number,
    vn_score,
    vn_share,
)
from cntt_analysis.rubric.model import Rubric
from cntt_analysis.scoring.points import points_lost


def _unit_points(points: pd.DataFrame, unit_id: str, year: int) -> pd.DataFrame:
    rows = points[(points["unit_id"] == unit_id) & (points["year"] == year)]
    if rows.empty:
        raise ValueError(f"Không có điểm của đơn vị {unit_id} năm {year}.")
    return rows


def _answer_text(code: str, row, inp_type: str | None) -> str:
    """One answer for people: "G06 = 20", "C4.6 = Không áp dụng", "C2.2 = “abc” (không hợp
    lệ)"."""
    if row is None:
        return f"{code} = (không có)"
    if row.status == "na":
        return f"{code} = Không áp dụng"
    if row.status == "ok":
        if inp_type in ("count", "amount") and pd.notna(row.number):
            return f"{code} = {vn_number(float(row.number), 4)}"
        return f"{code} = {row.value}"
    raw = "" if row.raw_value is None or pd.isna(row.raw_value) else str(row.raw_value).strip()
    if not raw:
        return f"{code} = (trống)"
    return f"{code} = “{raw}” (không hợp lệ)"


def unit_profile_table(points: pd.DataFrame, answers: pd.DataFrame, rubric: Rubric,
                       unit_id: str, year: int) -> pd.DataFrame:
    """Every indicator of one unit in a year, in rubric order.

    Columns: criterion, indicator, label, answers (the answers it used, e.g.
    "C2.2 = 18; G06 = 20"), points (NaN when not applicable), max_points, lost (NaN when
    not applicable), status (Vietnamese: Đã chấm / Không áp dụng / Số liệu không hợp lệ),
    sources (the cells read).
    """
    unit = _unit_points(points, unit_id, year).set_index("indicator")
    got = answers[(answers["unit_id"] == unit_id) & (answers["year"] == year)]
    by_code = {r.code: r for r in got.itertuples(index=False)}
    rows = []
    for ind in rubric.indicators:
        if ind.code not in unit.index:
            continue
        p = unit.loc[ind.code]
        codes = ind.rule.input_codes()
        used = "; ".join(_answer_text(c, by_code.get(c), getattr(rubric.inputs.get(c), "type",
                                                                   None)) for c in codes)
        lost = np.nan if p["status"] == "na" else round(
            float(p["max_points"]) - (0.0 if pd.isna(p["points"]) else float(p["points"])), 2)
        rows.append({"criterion": ind.criterion, "indicator": ind.code, "label": ind.label,
                     "answers": used, "points": p["points"], "max_points": p["max_points"],
                     "lost": lost, "status": POINT_STATUS.get(p["status"], p["status"]),
                     "sources": p.get("sources", "")})
    return pd.DataFrame(rows, columns=["criterion", "indicator", "label", "answers", "points",
                                       "max_points", "lost", "status", "sources"])


def unit_weaknesses(points: pd.DataFrame, rubric: Rubric, unit_id: str, year: int,
                    n: int | None = 5, missing: Collection[str] = ()) -> pd.DataFrame:
    """The unit's indicators that lost points (lost > 0), most lost first, with the remedy.

    Columns: criterion, criterion_name, indicator, label, points, max_points, lost,
    lost_share (lost / max), shortcoming (lost_share ≥ the rubric's
    shortcoming_min_lost_share, and not missing data), missing (the indicator is in
    `missing`: it reads a required answer the unit left blank, see
    scoring.completeness), status (Vietnamese), remedy. Ties: larger share, then rubric
    order. `n=None` keeps all.

    Example::

        >>> from cntt_analysis.analysis.results import load_results
        >>> res = load_results("data/raw", "data/processed")  # the demo data, scored
        >>> unit_weaknesses(res.points, res.rubric(2017), "h-kim-bang", 2017, n=2)[
        ...     ["indicator", "points", "max_points", "lost"]]
          indicator  points  max_points  lost
        0      C1.3    0.00         3.0  3.00
        1      C4.2    1.07         4.0  2.93
    """
    _unit_points(points, unit_id, year)  # a clear error when the unit has no points
    rows = points[points["unit_id"] == unit_id]
    out = weaknesses(rows, rubric, year, [(unit_id, code) for code in missing])
    out = out.drop(columns="unit_id").reset_index(drop=True)
    return out if n is None else out.head(n)


WEAKNESS_COLUMNS = ["unit_id", "criterion", "criterion_name", "indicator", "label", "points",
                    "max_points", "lost", "lost_share", "shortcoming", "missing", "status",
                    "remedy"]


def weaknesses(points: pd.DataFrame, rubric: Rubric, year: int,
               missing: Collection[tuple[str, str]] = ()) -> pd.DataFrame:
    """`unit_weaknesses` of every unit of `year` at once (all of them, no `n`): one frame
    with a ``unit_id`` column, each unit's rows in `unit_weaknesses`' order. `missing`
    holds (unit_id, indicator) pairs. Computed in one pass: a round of thousands of units
    asks for every weak unit's indicators."""
    out = _ordered_weaknesses(points, rubric, year, missing)
    info = _indicator_info(rubric).set_index("indicator")
    for column in ("criterion", "criterion_name", "label", "remedy"):
        out[column] = out["indicator"].map(info[column])
    out["status"] = out["status"].map(lambda s: POINT_STATUS.get(s, s))
    return out[WEAKNESS_COLUMNS]


# The columns of the points the weaknesses are computed from (year first).
WEAKNESS_READS = ["year", "unit_id", "indicator", "points", "max_points", "status"]


def _ordered_weaknesses(points: pd.DataFrame, rubric: Rubric, year: int,
                        missing: Collection[tuple[str, str]]) -> pd.DataFrame:
    """The rows of `weaknesses` in its order, without the rubric's texts: the units to
    direct of a country's round have ~500,000 of them, and a label and remedy copied into
    each was ~350 MB for the few rows a direction lists."""
    order = {i.code: n for n, i in enumerate(rubric.indicators)}
    lost = points_lost(points.loc[(points["year"] == year)
                                  & points["indicator"].isin(order), WEAKNESS_READS[1:]])
    out = lost[lost["lost"] > 0].reset_index(drop=True)
    out["_order"] = out["indicator"].map(order).astype("int64")
    out["lost_share"] = out["lost"] / out["max_points"]
    blank = set(missing)
    # (lists, not the columns: stepping through a text column is ~5× slower than listing it)
    out["missing"] = [pair in blank for pair in zip(out["unit_id"].tolist(),
                                                    out["indicator"].tolist())] \
        if blank else False
    out["missing"] = out["missing"].astype(bool)
    out["shortcoming"] = ((out["lost_share"] >= float(rubric.shortcoming_min_lost_share) - 1e-9)
                          & ~out["missing"])
    return out.sort_values(["unit_id", "lost", "lost_share", "_order"],
                           ascending=[True, False, False, True], kind="stable",
                           ignore_index=True)


def units_to_remedy(scores: pd.DataFrame, points: pd.DataFrame, rubric: Rubric, year: int,
                    criterion_floor: float | None = None,
                    tiers: Sequence[str] | None = None, max_indicators: int = 3,
                    missing: Collection[tuple[str, str]] = ()) -> pd.DataFrame:
    """Units the leaders must direct to remedy shortcomings in `year`: tier in `tiers`
    (default: the rubric's `remedy_tiers`, e.g. Trung bình, Yếu) or any criterion below
    `criterion_floor` percent (default: the rubric's `criterion_floor`, e.g. 50).

    Columns: year, group, unit_id, name, score, tier, rank, reasons, weak_criteria,
    weak_indicators, remedies (Vietnamese text), weak_codes. weak_criteria lists the
    criteria below the floor, lowest first (or the unit's lowest criterion when none is
    below it); weak_indicators the indicators with most points lost (at most
    `max_indicators`, shortcomings first) as "C3.4 Label (0/4 điểm)"; remedies their remedy
    texts; weak_codes their codes ("C3.4, C1.1"). Indicators
    in `missing` ((unit_id, indicator) pairs reading an answer left blank) are missing data,
    not weaknesses: they are never listed nor given a remedy.
    Sorted by group, then score ascending.

    Example::

        >>> from cntt_analysis.analysis.results import load_results
        >>> res = load_results("data/raw", "data/processed")  # the demo data, scored
        >>> remedy = units_to_remedy(res.scores, res.points, res.rubric(2017), 2017)
        >>> remedy[["unit_id", "tier"]].head(2)
          unit_id        tier
        0  p-ddbd  Trung bình
        1  p-khtc  Trung bình
        >>> remedy["reasons"].iloc[0]
        'Xếp loại Trung bình; tiêu chí đạt dưới 50%: C4 (43,8%).'
    """
    names, _ = _criterion_names(rubric)
    crits = criterion_columns(scores, rubric)
    if criterion_floor is None:
        criterion_floor = float(rubric.criterion_floor)
    tiers = rubric.remedy_tiers if tiers is None else tiers
    chosen = []
    for r in scores[scores["year"] == year].to_dict("records"):
        below = sorted((r[c], c) for c in crits if pd.notna(r[c]) and r[c] < criterion_floor)
        weak_tier = r["tier"] in tiers
        if weak_tier or below:
            chosen.append((r, below, weak_tier))
    # The weaknesses of the units chosen only (a province's strong units are most of them),
    # from the columns they read: a country's chosen units have ~500,000 point rows, and
    # copied with their files and source cells they were the peak of `cntt score`.
    ids = {r["unit_id"] for r, _, _ in chosen}
    listed = _listed_weaknesses(points.loc[points["unit_id"].isin(ids), WEAKNESS_READS],
                                rubric, year, missing, max_indicators) if ids else {}
    rows = []
    for r, below, weak_tier in chosen:
        reasons = []
        if weak_tier:
            reasons.append(f"xếp loại {r['tier']}")
        if below:
            reasons.append(f"tiêu chí đạt dưới {vn_number(criterion_floor, 0)}%: "
                           + ", ".join(f"{c} ({vn_share(v)})" for v, c in below))
        reason = "; ".join(reasons)
        shown = below or sorted((r[c], c) for c in crits if pd.notna(r[c]))[:1]
        weak = listed.get(r["unit_id"], [])
        rows.append({
            "year": year, "group": r["group"], "unit_id": r["unit_id"], "name": r["name"],
            "score": r["score"], "tier": r["tier"], "rank": r["rank"],
            "reasons": f"{reason[:1].upper()}{reason[1:]}.",
            "weak_criteria": "; ".join(f"{c}. {names.get(c, c)} ({vn_share(v)})"
                                       for v, c in shown),
            "weak_indicators": "; ".join(
                f"{code} {label} ({vn_score(got or 0.0)}/{vn_score(most)} điểm)"
                for code, label, got, most, _ in weak),
            "remedies": " ".join(remedy for *_, remedy in weak if remedy),
            "weak_codes": ", ".join(code for code, *_ in weak),
        })
    columns = ["year", "group", "unit_id", "name", "score", "tier", "rank", "reasons",
               "weak_criteria", "weak_indicators", "remedies", "weak_codes"]
    out = pd.DataFrame(rows, columns=columns)
    if out.empty:
        return out
    return _sort_units(out, by=("score", "unit_id"))


def remedies_by_indicator(remedy: pd.DataFrame, rubric: Rubric) -> pd.DataFrame:
    """What the units directed to remedy are asked to do, each remedy once: one row per
    indicator among their listed weaknesses (`units_to_remedy`'s weak_codes).

    Columns: indicator, label, units (how many of the directed units list it), remedy;
    the most listed first, then in the rubric's order.
    """
    counts = Counter(code for codes in remedy["weak_codes"] for code in codes.split(", ")
                     if code)
    rows = [{"indicator": code, "label": label, "units": counts[code], "remedy": text}
            for code, (label, text) in _indicator_texts(rubric).items() if counts[code]]
    frame = pd.DataFrame(rows, columns=["indicator", "label", "units", "remedy"])
    return frame.sort_values("units", ascending=False, kind="stable").reset_index(drop=True)


def _indicator_texts(rubric: Rubric) -> dict[str, tuple[str, str]]:
    """Each indicator's label and remedy text, by code (what the units' rows and the
    remedies said once both quote)."""
    return {i.code: (i.label, i.remedy) for i in rubric.indicators}


def _listed_weaknesses(points: pd.DataFrame, rubric: Rubric, year: int,
                       missing: Collection[tuple[str, str]], most: int
                       ) -> dict[str, list[tuple[str, str, float, float, str]]]:
    """Each unit's weaknesses a direction lists: (indicator, label, points, max_points,
    remedy) of at most `most` indicators, shortcomings first, then as `weaknesses` orders
    them; missing data never listed."""
    weak = _ordered_weaknesses(points, rubric, year, missing)
    weak = weak[~weak["missing"]]
    # stable: within a unit and shortcoming or not, `weaknesses`' order stays
    weak = weak.sort_values(["unit_id", "shortcoming"], ascending=[True, False], kind="stable")
    weak = weak.groupby("unit_id", sort=False).head(most)
    texts = _indicator_texts(rubric)
    listed: dict[str, list[tuple[str, str, float, float, str]]] = {}
    for unit, code, got, top in zip(weak["unit_id"].tolist(), weak["indicator"].tolist(),
                                    weak["points"].tolist(), weak["max_points"].tolist()):
        label, remedy = texts[code]
        listed.setdefault(unit, []).append((code, label, got, top, remedy))
    return listed


def unscored_units(register: pd.DataFrame, scores: pd.DataFrame, year: int) -> pd.DataFrame:
    """Registered units with no score in `year`, and why, so a ranking shows who is missing.

    Columns: unit_id, name, group, status (the register's), reason (Vietnamese: "chưa nộp
    báo cáo", "tệp “x.xlsx” không chấm được").
    """
    scored = scores.loc[scores["year"] == year, "unit_id"]
    # Only the unscored units' rows are grouped (a round has few; grouping them all was
    # most of the cost at a province's size).
    reg = register[(register["year"] == year) & register["unit_id"].notna()
                   & ~register["unit_id"].isin(scored)]
    # Each unit's register rows in plain Python (a province has hundreds without a score:
    # a pandas filter per unit was most of the cost).
    reg = reg.sort_values("unit_id", kind="stable")
    parts: dict[str, list[tuple[Any, ...]]] = {}
    for row in zip(reg["unit_id"], reg["status"], reg["file"], reg["name"], reg["group"]):
        parts.setdefault(row[0], []).append(row)
    rows = []
    for unit_id, part in parts.items():
        units = [r for r in part if r[1] in (SENT, LATE, MISSING)]
        if not units:
            continue
        failed = [r[2] for r in part if r[1] == NOT_SCORED and r[2]]
        _, status, _, name, group = units[0]
        reason = ("tệp " + ", ".join(f"“{f}”" for f in failed) + " không chấm được" if failed
                  else "chưa nộp báo cáo" if status == MISSING
                  else "đã nộp nhưng chưa được chấm điểm")
        rows.append({"unit_id": unit_id, "name": name, "group": group,
                     "status": status, "reason": reason})
    return pd.DataFrame(rows, columns=["unit_id", "name", "group", "status", "reason"])


def group_leaders(scores: pd.DataFrame, year: int) -> pd.DataFrame:
    """Per group the best and the weakest unit(s) of `year` (ties all named).

    Columns: group, units, best, best_score, weakest, weakest_score.
    """
    from cntt_analysis.analysis.common import group_order

    now = scores[scores["year"] == year]
    rows = []
    for group in group_order(now["group"]):
        part = now[now["group"] == group].sort_values("unit_id")
        top, low = part["score"].max(), part["score"].min()
        rows.append({"group": group, "units": len(part),
                     "best": ", ".join(part.loc[part["score"] == top, "name"]),
                     "best_score": top,
                     "weakest": ", ".join(part.loc[part["score"] == low, "name"]),
                     "weakest_score": low})
    return pd.DataFrame(rows, columns=["group", "units", "best", "best_score", "weakest",
                                       "weakest_score"])
