"""Group and criterion averages and the indicators where the Department loses most points.
"""

from __future__ import annotations

from collections.abc import Sequence

import pandas as pd

from cntt_analysis.analysis.common import (
    _indicator_info,
    _round2,
    _sort_units,
    _year_frame,
    criterion_columns,
    default_tiers,
)
from cntt_analysis.rubric.model import Rubric
from cntt_analysis.scoring.points import points_lost


def group_averages(scores: pd.DataFrame, criteria: Sequence[str] | None = None,
                   tiers: Sequence[str] | None = None) -> pd.DataFrame:
    """Per year and group: units, mean/min/max score, mean of each criterion, tier counts.

    Columns: year, group, units, unranked, mean_score, min_score, max_score, C1..Cn (mean
    of the units' percentages, NaN ones skipped), then one count column per tier (Tốt, Khá,
    Trung bình, Yếu): `tiers`, best first, default the default rubric's. Units assessed but
    not ranked (``ranked`` False) stand outside the group's standing: they are left out of
    everything but `unranked`, their count.

    Example::

        >>> from cntt_analysis.analysis.results import load_results
        >>> res = load_results("data/raw", "data/processed")  # the demo data, scored
        >>> averages = group_averages(res.scores)
        >>> averages[["year", "group", "units", "mean_score", "Tốt", "Yếu"]].tail(2)
           year  group  units  mean_score  Tốt  Yếu
        4  2017     so     11   74.456364    2    0
        5  2017  huyen     10   77.486000    4    0
    """
    crits = list(criteria) if criteria is not None else criterion_columns(scores)
    tiers = default_tiers() if tiers is None else tiers
    outside = ~scores["ranked"].astype(bool) if "ranked" in scores.columns \
        else pd.Series(False, index=scores.index)
    unranked = outside.groupby([scores["year"], scores["group"]]).sum().rename("unranked")
    scores = scores[~outside]
    grouped = scores.groupby(["year", "group"])
    out = grouped.agg(units=("unit_id", "nunique"), mean_score=("score", "mean"),
                      min_score=("score", "min"), max_score=("score", "max"))
    out = out.join(grouped[crits].mean())
    counts = (scores.groupby(["year", "group"])["tier"].value_counts().unstack(fill_value=0)
              .reindex(columns=list(tiers), fill_value=0))
    out = out.join(counts).fillna({t: 0 for t in tiers})
    out[list(tiers)] = out[list(tiers)].astype("int64")
    out = out.join(unranked, how="outer").fillna({"units": 0, **{t: 0 for t in tiers}})
    out[["units", *tiers, "unranked"]] = out[["units", *tiers, "unranked"]].astype("int64")
    out.insert(1, "unranked", out.pop("unranked"))
    return _sort_units(out.reset_index(), by=())


def criterion_averages(scores: pd.DataFrame, rubric: Rubric | None = None,
                       by_group: bool = True) -> pd.DataFrame:
    """Mean percentage of each criterion per year (and group), long format for seaborn.

    Columns: year, [group,] criterion, label (criterion short name when a rubric is given,
    else the code), percent (mean of the units' percentages, NaN skipped), units (how many
    units have a percentage for it). Rows follow year, group and criterion order.
    """
    crits = criterion_columns(scores, rubric)
    keys = ["year", "group"] if by_group else ["year"]
    long = scores.melt(id_vars=keys, value_vars=crits, var_name="criterion",
                       value_name="percent")
    out = (long.groupby([*keys, "criterion"], sort=False)["percent"]
           .agg(percent="mean", units="count").reset_index())
    short = {c.code: c.short for c in rubric.criteria} if rubric is not None else {}
    out.insert(len(keys) + 1, "label", out["criterion"].map(lambda c: short.get(c, c)))
    position = {c: i for i, c in enumerate(crits)}
    out = out.assign(_c=out["criterion"].map(position))
    if by_group:
        return _sort_units(out, by=("_c",)).drop(columns="_c")
    return out.sort_values(["year", "_c"]).drop(columns="_c").reset_index(drop=True)


def weakest_indicators(points: pd.DataFrame, rubric: Rubric, n: int | None = None,
                       year: int | None = None, group: str | None = None) -> pd.DataFrame:
    """Points lost per indicator across the Department in a year, worst first.

    `year` defaults to the latest year in `points`; `group` restricts to one unit group.
    Columns: indicator, criterion, criterion_name (short), label, max_points, units (units
    it applies to), units_losing (units that lost points on it), total_lost, mean_lost
    (per applicable unit), lost_percent (total_lost / (units × max) × 100), remedy.
    Sorted by total_lost, then mean_lost, descending; rubric order breaks ties.

    Example::

        >>> from cntt_analysis.analysis.results import load_results
        >>> res = load_results("data/raw", "data/processed")  # the demo data, scored
        >>> weakest_indicators(res.points, res.rubric(2017), n=2, year=2017)[
        ...     ["indicator", "units_losing", "total_lost", "lost_percent"]]
          indicator  units_losing  total_lost  lost_percent
        0      C4.2            21       35.51     42.273810
        1      C4.7            16       29.00     46.031746
    """
    rows, _ = _year_frame(points, year)
    if group is not None:
        rows = rows[rows["group"] == group]
    lost = points_lost(rows[["unit_id", "indicator", "points", "max_points", "status"]])
    agg = lost.groupby("indicator").agg(
        units=("unit_id", "nunique"), units_losing=("lost", lambda s: int((s > 0).sum())),
        total_lost=("lost", "sum"), mean_lost=("lost", "mean"), max_points=("max_points", "max"))
    out = _indicator_info(rubric).merge(agg.reset_index(), on="indicator", how="inner")
    out["total_lost"] = _round2(out["total_lost"])
    out["lost_percent"] = out["total_lost"] / (out["units"] * out["max_points"]) * 100
    out = out.sort_values(["total_lost", "mean_lost", "_order"], ascending=[False, False, True],
                          kind="stable")
    columns = ["indicator", "criterion", "criterion_name", "label", "max_points", "units",
               "units_losing", "total_lost", "mean_lost", "lost_percent", "remedy"]
    out = out[columns].reset_index(drop=True)
    return out if n is None else out.head(n)
