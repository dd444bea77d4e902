"""Shared vocabulary of the analyses: tiers and statuses, criterion columns, ordering and
the previous-year lookup every change table uses.
"""

from __future__ import annotations

import re
from collections.abc import Iterable, Sequence

import pandas as pd

from cntt_analysis.rubric.model import DEFAULT_RUBRIC, Rubric, load_rubric

# Register statuses of registered units (one row per unit and year).
SENT, LATE, MISSING = "Đã nộp", "Nộp muộn", "Chưa nộp"


NOT_SCORED = "Không được chấm"


def default_tiers() -> tuple[str, ...]:
    """Tier names best first, of the default rubric (the rubric's `tiers` key)."""
    return load_rubric(DEFAULT_RUBRIC).tier_names


def criterion_columns(scores: pd.DataFrame, rubric: Rubric | None = None) -> list[str]:
    """The criterion percentage columns of a scores table (rubric order when given)."""
    if rubric is not None:
        return [c.code for c in rubric.criteria if c.code in scores.columns]
    # Criterion columns are named by their codes (C1 … Cn, P1 … Pn: capitals then digits);
    # the other columns (score, self_score …) are lower case.
    return [c for c in scores.columns if re.fullmatch(r"[A-Z]{1,4}\d+", str(c))]


def group_order(groups: Iterable[str], rubric: Rubric | None = None) -> list[str]:
    """Groups present, in the report order: the rubric's `groups` first (the default
    rubric's when none is given), then the rest sorted."""
    order = (rubric or load_rubric(DEFAULT_RUBRIC)).groups
    present = list(dict.fromkeys(g for g in groups if pd.notna(g)))
    known = [g for g in order if g in present]
    return known + sorted(g for g in present if g not in order)


def _sort_units(frame: pd.DataFrame, by: Sequence[str] = ("rank", "unit_id"),
                ascending: bool | Sequence[bool] = True) -> pd.DataFrame:
    """Sort by year, group (report order), then `by`."""
    order = {g: i for i, g in enumerate(group_order(frame["group"]))}
    keyed = frame.assign(_g=frame["group"].map(order))
    cols = ["year", "_g", *by] if "year" in frame.columns else ["_g", *by]
    asc = [True] * (len(cols) - len(by)) + (
        [ascending] * len(by) if isinstance(ascending, bool) else list(ascending))
    keyed = keyed.sort_values(cols, ascending=asc, kind="stable", na_position="last")
    return keyed.drop(columns="_g").reset_index(drop=True)


def _previous(frame: pd.DataFrame, keys: list[str], columns: list[str]) -> pd.DataFrame:
    """For each row, `columns` of the same `keys` in the latest earlier year present."""
    ordered = frame.sort_values([*keys, "year"], kind="stable")
    prev = ordered.groupby(keys, sort=False)[["year", *columns]].shift(1)
    prev.columns = [f"prev_{c}" for c in prev.columns]
    return prev.reindex(frame.index)


def _round2(series: pd.Series) -> pd.Series:
    """Differences of 2-decimal values, freed of binary noise (2.7999999 → 2.8)."""
    return series.astype("float64").round(2)


def _year_frame(frame: pd.DataFrame, year: int | None) -> tuple[pd.DataFrame, int]:
    """Rows of `year` (default: the latest year present) and that year."""
    if year is None:
        if frame.empty:
            raise ValueError("Bảng dữ liệu rỗng: không có năm nào để phân tích.")
        year = int(frame["year"].max())
    return frame[frame["year"] == year], year


def _criterion_names(rubric: Rubric) -> tuple[dict[str, str], dict[str, str]]:
    return ({c.code: c.name for c in rubric.criteria}, {c.code: c.short for c in rubric.criteria})


def _indicator_info(rubric: Rubric) -> pd.DataFrame:
    short = {c.code: c.short for c in rubric.criteria}
    return pd.DataFrame([{
        "indicator": i.code, "criterion": i.criterion, "criterion_name": short[i.criterion],
        "label": i.label, "remedy": i.remedy, "_order": n,
    } for n, i in enumerate(rubric.indicators)])
