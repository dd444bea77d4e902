"""Units that replaced others (units.csv ``previous_ids``): what a merged or split unit is
compared with in its first year, and who carries last year's shortcomings.

A renamed unit's history is joined under its current id (`results.join_renamed`), so it
has its own previous year. A unit formed by a **merger** has none: its baseline is the
mean of its predecessors' shares of the maximum in the latest year all of them were scored
(the national rule for merged provinces: the DTI 2024 of a merged province is the mean of
its predecessors' indices). A unit formed by a **split** is compared with its
predecessor's share. Shares (``score``, % of each unit's own maximum) are compared, never
raw points, so frameworks with different totals compare honestly. A new unit has no rank
of its own last year: it gets no rank movement, only "mới thành lập (sáp nhập từ …)".
"""

from __future__ import annotations

from collections.abc import Sequence
from fractions import Fraction
from typing import Any

import pandas as pd

from cntt_analysis.intake.registry import MERGED, SPLIT, lineage, renamed_ids
from cntt_analysis.labels import join_vi, vn_score
from cntt_analysis.rounding import half_up_float

BASELINE_COLUMNS = ["year", "unit_id", "baseline", "baseline_year", "baseline_ids",
                    "baseline_from", "baseline_detail"]
# How a unit's change since last year is measured (column ``baseline``).
OWN = "own"


def links(registry: pd.DataFrame) -> pd.DataFrame:
    """Mergers and splits in the id space of the loaded tables (renamed units under their
    current ids): unit_id, previous_ids (tuple), since, kind (merged or split)."""
    found = lineage(registry)
    found = found[found["kind"].isin([MERGED, SPLIT])].reset_index(drop=True)
    if found.empty:
        return found
    renamed = renamed_ids(registry)
    found["unit_id"] = [renamed.get(u, u) for u in found["unit_id"]]
    found["previous_ids"] = [tuple(renamed.get(p, p) for p in olds)
                             for olds in found["previous_ids"]]
    return found


def exact_mean(values: Sequence[float], places: int = 2) -> float:
    """Mean of 2-decimal shares, exact then half-up (NaN when any is NaN or none)."""
    if not len(values) or any(pd.isna(v) for v in values):
        return float("nan")
    total = sum((Fraction(repr(float(v))) for v in values), Fraction(0))
    return half_up_float(total / len(values), places)  # type: ignore[arg-type]


def baselines(scores: pd.DataFrame, registry: pd.DataFrame | None,
              columns: Sequence[str] = ("score",)) -> pd.DataFrame:
    """The baseline of every merged or split unit's first scored year.

    Out: one row per such (year, unit_id) — baseline (``merged`` or ``split``),
    baseline_year (Int64: the latest earlier year in which every predecessor was scored;
    NA when there is none), baseline_ids (the predecessors, ";"-joined), baseline_from
    (their names, "A và B"), baseline_detail (each one's score that year, "A: 70,00;
    B: 80,00"), then for each of `columns` (shares: score, C1 …, index)
    ``baseline_<column>``: the exact mean of the predecessors' values that year, half-up
    to the column's decimals (4 for the index, else 2); NaN when one of them has none.
    A unit that has rows of its own before gets none (it is compared with itself)."""
    out_columns = [*BASELINE_COLUMNS, *(f"baseline_{c}" for c in columns)]
    if registry is None or scores.empty:
        return pd.DataFrame(columns=out_columns)
    found = links(registry)
    if found.empty:
        return pd.DataFrame(columns=out_columns)
    names = dict(zip(registry["unit_id"], registry["name"]))
    renamed = renamed_ids(registry)
    names |= {old: names.get(new, old) for old, new in renamed.items() if old not in names}
    by_unit = {u: part for u, part in scores.groupby("unit_id")}
    rows = []
    for link in found.itertuples(index=False):
        mine = by_unit.get(link.unit_id)
        if mine is None:
            continue
        year = int(mine["year"].min())
        olds = list(link.previous_ids)
        years = [set(by_unit[p]["year"]) if p in by_unit else set() for p in olds]
        common = sorted(y for y in set.intersection(*years) if y < year)
        then = ({p: by_unit[p][by_unit[p]["year"] == common[-1]].iloc[0] for p in olds}
                if common else {})
        row = {"year": year, "unit_id": link.unit_id, "baseline": link.kind,
               "baseline_year": common[-1] if common else None,
               "baseline_ids": ";".join(olds),
               "baseline_from": join_vi([str(names.get(p, p)) for p in olds]),
               "baseline_detail": "; ".join(f"{names.get(p, p)}: {vn_score(r['score'])}"
                                            for p, r in then.items())}
        for column in columns:
            values = [r[column] for r in then.values()] if column in scores.columns else []
            row[f"baseline_{column}"] = exact_mean(values, 4 if column == "index" else 2)
        rows.append(row)
    frame = pd.DataFrame(rows, columns=out_columns)
    frame["baseline_year"] = frame["baseline_year"].astype("Int64")
    return frame


def new_unit_text(kind: str, names: str) -> str:
    """The movement of a unit with no rank of its own last year: "mới thành lập (sáp nhập
    từ A và B)", "mới thành lập (tách từ A)"."""
    how = "sáp nhập từ" if kind == MERGED else "tách từ"
    return f"mới thành lập ({how} {names})"


def baseline_note(kind: object, year: Any, names: str, count: int, detail: str = "",
                  value: float = float("nan")) -> str:
    """What a change is measured against, said after "so với": "năm 2016" (the unit's own
    result), "bình quân năm 2016 của 2 đơn vị trước sáp nhập: 65,00 điểm (A: 70,00; B:
    60,00)" or "kết quả năm 2016 của đơn vị trước chia tách: 60,00 điểm (A)"."""
    if pd.isna(year):
        return ""
    if kind == MERGED:
        return (f"bình quân năm {int(year)} của {count} đơn vị trước sáp nhập: "
                f"{vn_score(value)} điểm ({detail or names})")
    if kind == SPLIT:
        return (f"kết quả năm {int(year)} của đơn vị trước chia tách: {vn_score(value)} điểm "
                f"({names})")
    return f"năm {int(year)}"


def is_new(kind: object) -> bool:
    """Whether a baseline kind is a merged or split unit's (not its own history)."""
    return kind in (MERGED, SPLIT)
