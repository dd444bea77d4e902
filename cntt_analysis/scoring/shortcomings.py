"""Shortcomings (tồn tại, hạn chế) and their remedy (khắc phục) across rounds.

An indicator is a shortcoming for a unit when the unit lost at least the rubric's
``shortcoming_min_lost_share`` of its points — unless it reads a required answer the unit
left blank: that is missing data (`completeness`), not a weakness to remedy. Next year each
one is followed up: remedied, improved or not remedied — through the rubric's crosswalk when
indicator codes changed — or "no data" when this year's answer it reads is missing.

Units change: a unit formed by merging others, or split from one, carries its
predecessors' shortcomings (`follow_up`'s `carriers`), each row naming the unit it was
found at (``previous_unit_id``).
"""

from __future__ import annotations

from collections.abc import Mapping, Sequence

import pandas as pd

from cntt_analysis.rubric.model import Rubric
from cntt_analysis.scoring.completeness import (
    missing_answers,
    missing_indicators,
    unsupplied,
)
from cntt_analysis.scoring.points import points_lost

SHORTCOMING_COLUMNS = ["year", "unit_id", "group", "criterion", "indicator", "label",
                       "points", "max_points", "lost", "lost_share", "remedy"]
REMEDIED, IMPROVED, NOT_REMEDIED, NOT_ASSESSED, NOT_SUBMITTED, NO_DATA = (
    "Đã khắc phục", "Có cải thiện", "Chưa khắc phục", "Không còn đánh giá", "Không nộp báo cáo",
    "Chưa có số liệu")
OUTCOMES = (REMEDIED, IMPROVED, NOT_REMEDIED, NO_DATA, NOT_SUBMITTED, NOT_ASSESSED)
FOLLOW_UP_COLUMNS = ["year", "unit_id", "previous_year", "previous_indicator", "indicator",
                     "label", "previous_lost_share", "lost_share", "outcome", "remedy",
                     "previous_unit_id"]


def without_data(answers: pd.DataFrame, rubric: Rubric,
                 registry: pd.DataFrame | None = None) -> set[tuple[str, str]]:
    """(unit_id, indicator) pairs that read a figure missing this year: a required answer
    the unit left blank, or a figure the appraiser or a system has not supplied (nor
    validly). Their points say nothing about the unit's use of IT (`completeness`)."""
    return (missing_indicators(missing_answers(answers, rubric, registry), rubric)
            | missing_indicators(unsupplied(answers, rubric, registry), rubric))


def find_shortcomings(points: pd.DataFrame, rubric: Rubric,
                      answers: pd.DataFrame | None = None,
                      registry: pd.DataFrame | None = None) -> pd.DataFrame:
    """Each unit's shortcomings, most points lost first (per unit), with the remedy text.

    With `answers` (and the round's `registry`, to know what each unit was asked),
    indicators reading a missing figure are missing data, not shortcomings (see
    `without_data`)."""
    info = {i.code: i for i in rubric.indicators}
    # (not the provenance columns: a country's points carry ~100 MB of cell references)
    counted = points_lost(points.drop(columns=["file", "sources"], errors="ignore"))
    if answers is not None and len(counted):
        blank = without_data(answers, rubric, registry)
        keep = [(u, i) not in blank for u, i in zip(counted["unit_id"], counted["indicator"])]
        counted = counted[keep]
    counted["lost_share"] = counted["lost"] / counted["max_points"]
    limit = float(rubric.shortcoming_min_lost_share)
    found = counted[counted["lost_share"] >= limit - 1e-9].copy()
    found["label"] = found["indicator"].map(lambda c: info[c].label)
    found["remedy"] = found["indicator"].map(lambda c: info[c].remedy)
    order = {i.code: n for n, i in enumerate(rubric.indicators)}
    found = found.assign(_o=found["indicator"].map(order)).sort_values(
        ["year", "unit_id", "lost", "_o"], ascending=[True, True, False, True])
    return found[SHORTCOMING_COLUMNS].reset_index(drop=True)


def successor_codes(rubric: Rubric) -> dict[str, str]:
    """Last year's indicator code → this year's, from the rubric's crosswalk."""
    return {i.previous_code: i.code for i in rubric.indicators
            if not i.is_new and i.previous_code}


def follow_up(previous: pd.DataFrame, points: pd.DataFrame, rubric: Rubric,
              previous_rubric: Rubric | None = None,
              missing: set[tuple[str, str]] | None = None,
              carriers: Mapping[str, Sequence[str]] | None = None) -> pd.DataFrame:
    """Last round's shortcomings (`previous`) judged on this round's `points`.

    Codes are carried through the crosswalk between `previous_rubric` (the rubric last
    round was scored with) and `rubric`; without it, through `rubric`'s declared link.

    `carriers` maps a unit of last round to the units that answer for its shortcomings
    now: itself (the default, when not listed), the unit it merged into, the units it was
    split into; none (an empty list) when it was dissolved with no successor — its
    shortcomings are then not followed up. Each row says where the shortcoming was found
    (``previous_unit_id``) and whom it is judged on (``unit_id``).

    Remedied: no longer a shortcoming. Improved: still one, but a smaller share lost.
    Not remedied: the same or a larger share lost. No data: the indicator reads a figure
    missing this year (`missing`: (unit_id, indicator) pairs, see `without_data`), so
    whether it was remedied is not known. Not submitted: the unit has no scored report this
    year (which remedies nothing). Not assessed: the indicator was dropped or does not
    apply this year."""
    limit = float(rubric.shortcoming_min_lost_share)
    if previous_rubric is None:
        codes = successor_codes(rubric)
    else:
        from cntt_analysis.rubric.crosswalk import code_map

        codes = {old: new for new, old in code_map(rubric, previous_rubric).items() if old}
    # (unit, indicator) → (status, points, max points): one lookup per shortcoming
    now = {(u, i): (st, p, m) for u, i, st, p, m in zip(
        points["unit_id"], points["indicator"], points["status"], points["points"],
        points["max_points"])}
    labels: dict[str | None, str] = {i.code: i.label for i in rubric.indicators}
    scored_units = set(points["unit_id"])
    year = int(points["year"].iloc[0]) if len(points) else None
    rows = []
    for old in previous.itertuples(index=False):
        code = codes.get(old.indicator)
        for unit_id in (carriers or {}).get(old.unit_id, [old.unit_id]):
            outcome, share = _judge(unit_id, code, now, scored_units, missing, limit,
                                    old.lost_share)
            rows.append({"year": year, "unit_id": unit_id, "previous_year": old.year,
                         "previous_indicator": old.indicator, "indicator": code,
                         "label": labels.get(code, old.label),
                         "previous_lost_share": old.lost_share, "lost_share": share,
                         "outcome": outcome, "remedy": old.remedy,
                         "previous_unit_id": old.unit_id})
    return pd.DataFrame(rows, columns=FOLLOW_UP_COLUMNS)


def _judge(unit_id: str, code: str | None,
           now: dict[tuple[str, str | None], tuple[str, float, float]],
           scored_units: set[str], missing: set[tuple[str, str]] | None, limit: float,
           previous_share: float) -> tuple[str, float | None]:
    """(outcome, share lost now) of one shortcoming judged on `unit_id`'s points."""
    key = (unit_id, code)
    share = None
    if code is not None and key in now and now[key][0] != "na":
        _, got, most = now[key]
        share = round((most - (0.0 if pd.isna(got) else got)) / most, 4)
    if unit_id not in scored_units:
        return NOT_SUBMITTED, share
    if share is None:
        return NOT_ASSESSED, share
    if missing and (unit_id, code) in missing:
        return NO_DATA, share
    if share < limit - 1e-9:
        return REMEDIED, share
    if share < round(previous_share, 4) - 1e-9:  # both shares rounded alike
        return IMPROVED, share
    return NOT_REMEDIED, share


def follow_up_summary(follow: pd.DataFrame, names: dict[str, str] | None = None
                      ) -> pd.DataFrame:
    """Per unit: how many of last year's shortcomings were remedied, improved, not
    remedied; `ignored` when none was remedied or improved among those it gave figures for
    (a unit that did not report counts as ignoring them; one whose answers are missing
    does not)."""
    outcomes = list(OUTCOMES)
    counts = (follow.groupby("unit_id")["outcome"].value_counts().unstack(fill_value=0)
              .reindex(columns=outcomes, fill_value=0).reset_index())
    counts["total"] = counts[outcomes].sum(axis=1)
    assessed = counts["total"] - counts[NOT_ASSESSED] - counts[NO_DATA]
    counts["ignored"] = (assessed > 0) & (counts[REMEDIED] + counts[IMPROVED] == 0)
    counts["name"] = counts["unit_id"].map(names or {})
    return counts.sort_values([REMEDIED, "unit_id"], ascending=[False, True],
                              ignore_index=True)
