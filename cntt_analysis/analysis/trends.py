"""Indicator percentages compared across years through the crosswalk between rubrics.
"""

from __future__ import annotations

from fractions import Fraction

import numpy as np
import pandas as pd

from cntt_analysis.rounding import half_up as round_half_up
from cntt_analysis.rubric.crosswalk import crosswalk, rubric_name
from cntt_analysis.rubric.model import Rubric, RubricError

PERCENT_COLUMNS = ["year", "previous_year", "unit_id", "indicator", "previous_code",
                   "criterion", "crosswalk", "comparable", "same_max", "percent",
                   "previous_percent", "change"]


def _percent(points: float, maximum: Fraction) -> float:
    return float(round_half_up(Fraction(repr(float(points))) / maximum * 100))


def comparable_indicator_percent(points_by_year: pd.DataFrame, rubrics: dict[int, Rubric],
                                 include_changed: bool = True,
                                 statuses: tuple[str, ...] = ("scored", "invalid"),
                                 ) -> pd.DataFrame:
    """Indicator percentages (points / that year's max × 100) for consecutive years.

    `points_by_year`: rows year, unit_id, indicator, points (+ optional max_points, status,
    as in ``points.parquet``); `rubrics`: year → the rubric that scored that year. Years are
    paired with the previous year present in both (a gap composes the rubrics' links).
    Rows: year, previous_year, unit_id, indicator (current code), previous_code, criterion,
    crosswalk (same/renamed/changed), comparable, same_max, percent, previous_percent and
    change (percentage points). Only indicators comparable in both years are kept: ``same``
    and ``renamed``, plus ``changed`` ones with the same rule kind (flagged comparable False)
    unless `include_changed` is False; new and dropped ones never. Not applicable rows (and
    statuses not in `statuses`) are left out; a unit must appear in both years.
    """
    frame = points_by_year
    if "status" in frame.columns:
        frame = frame[frame["status"].isin(statuses)]
    frame = frame[frame["points"].notna()]
    by_year = {int(y): r for y, r in rubrics.items()}
    years = sorted(set(by_year) & {int(y) for y in frame["year"].unique()})
    out = []
    for before, year in zip(years, years[1:]):
        table = crosswalk(by_year[year], by_year[before])
        similar = (table["change"] == "changed") & table["same_kind"]
        table = table[table["comparable"] | (similar if include_changed else False)]
        now = _year_percent(frame, year, by_year[year])
        then = _year_percent(frame, before, by_year[before])
        links = table[["code", "previous_code", "criterion", "change", "comparable",
                       "same_max"]].rename(columns={"code": "indicator", "change": "crosswalk"})
        merged = (links.merge(now, on="indicator")
                  .merge(then.rename(columns={"indicator": "previous_code",
                                              "percent": "previous_percent"}),
                         on=["previous_code", "unit_id"]))
        merged["year"], merged["previous_year"] = year, before
        out.append(merged)
    if not out:
        return pd.DataFrame(columns=PERCENT_COLUMNS)
    result = pd.concat(out, ignore_index=True)
    result["change"] = [float(round_half_up(Fraction(repr(a)) - Fraction(repr(b))))
                        for a, b in zip(result["percent"], result["previous_percent"])]
    order: dict[tuple[int, str], int] = {}
    for year, rubric in by_year.items():
        order |= {(year, i.code): n for n, i in enumerate(rubric.indicators)}
    result["_order"] = [order[(y, c)] for y, c in zip(result["year"], result["indicator"])]
    result = result.sort_values(["year", "unit_id", "_order"], kind="stable")
    return result[PERCENT_COLUMNS].reset_index(drop=True)


def _year_percent(frame: pd.DataFrame, year: int, rubric: Rubric) -> pd.DataFrame:
    """unit_id, indicator, percent of the rubric's maximum, for one year."""
    rows = frame[frame["year"].astype(int) == year]
    maxima = {i.code: i.max_points for i in rubric.indicators}
    unknown = sorted(set(rows["indicator"]) - set(maxima))
    if unknown:
        raise RubricError(f"Bảng điểm năm {year} có chỉ tiêu {', '.join(unknown)} không có "
                          f"trong phiếu đánh giá {rubric_name(rubric)}: kiểm tra phiếu dùng cho "
                          "năm này.")
    if "max_points" in rows.columns:
        wrong = sorted({c for c, m in zip(rows["indicator"], rows["max_points"])
                        if Fraction(repr(float(m))) != maxima[c]})
        if wrong:
            raise RubricError(f"Bảng điểm năm {year}: điểm tối đa của {', '.join(wrong)} khác "
                              f"phiếu đánh giá {rubric_name(rubric)}: kiểm tra phiếu dùng cho năm "
                              "này.")
    percent = [np.nan if maxima[c] == 0 else _percent(p, maxima[c])
               for c, p in zip(rows["indicator"], rows["points"])]
    result = pd.DataFrame({"unit_id": rows["unit_id"].to_numpy(),
                           "indicator": rows["indicator"].to_numpy(), "percent": percent})
    return result[result["percent"].notna()]
