"""Changes since last year: rank movement, score and criterion changes, tier changes.
"""

from __future__ import annotations

from collections.abc import Sequence

import numpy as np
import pandas as pd

from cntt_analysis.analysis.common import (
    _previous,
    _round2,
    _sort_units,
    criterion_columns,
    default_tiers,
)
from cntt_analysis.analysis.lineage import OWN, baseline_note, baselines, new_unit_text


def rank_movement(scores: pd.DataFrame, registry: pd.DataFrame | None = None
                  ) -> pd.DataFrame:
    """Rank movement of every unit and year within its group.

    Columns: year, unit_id, name, group, score, tier, rank, prev_year, prev_rank (the
    official rank then), prev_score, score_change (points since then), rank_change (Int64,
    positive = moved up), movement ("tăng N bậc", "giảm N bậc", "giữ nguyên", "mới"), then
    what the change is measured against: baseline ("own": the unit's own previous result;
    "merged" / "split": see below; "" when there is none), baseline_from (the predecessors'
    names), baseline_detail (each one's score then) and baseline_note ("năm 2016", "bình
    quân năm 2016 của 2 đơn vị trước sáp nhập: 75,00 điểm (A: 70,00; B: 80,00)"), said
    after "so với".

    The change compares like with like: both years are ranked again among the units of the
    group present in both (units that joined or did not report do not move anyone), so a
    partial round never says "tăng 9 bậc" for the 10th of 11 who is 1st of 2. The previous
    year is the latest earlier year the unit was ranked in the same group; when that is not
    the group's previous round the text names it: "tăng 2 bậc (so với năm 2015)". A unit
    without a rank (no score) gets "không xếp hạng".

    With the `registry` (units.csv), a unit formed by merging others or split from one
    (`analysis.lineage`) is compared, in its first year, with the mean of its predecessors'
    shares (prev_score, prev_year: that baseline): it has no rank of its own last year, so
    no rank movement — "mới thành lập (sáp nhập từ A và B)".

    Example::

        >>> from cntt_analysis.analysis.results import load_results
        >>> res = load_results("data/raw", "data/processed")  # the demo data, scored
        >>> moved = rank_movement(res.scores, res.registry)
        >>> moved = moved[(moved["year"] == 2017) & (moved["movement"] != "giữ nguyên")]
        >>> moved[["unit_id", "rank", "prev_rank", "movement"]].head(2)
              unit_id  rank  prev_rank    movement
        46      p-tnn     3          4  tăng 1 bậc
        47  thanh-tra     4          3  giảm 1 bậc
    """
    frame = scores[["year", "unit_id", "name", "group", "score", "tier", "rank"]].copy()
    frame["rank"] = frame["rank"].astype("Int64")
    ranked = frame[frame["rank"].notna()]
    prev = _previous(ranked, ["group", "unit_id"], ["rank", "score"])
    frame["prev_year"] = prev["prev_year"].astype("Int64").reindex(frame.index)
    frame["prev_rank"] = prev["prev_rank"].astype("Int64").reindex(frame.index)
    frame["prev_score"] = prev["prev_score"].reindex(frame.index)
    places: dict[tuple, tuple[pd.Series, pd.Series]] = {}
    frame["rank_change"] = pd.array(
        [_common_change(ranked, r, places) for r in frame.itertuples(index=False)],
        dtype="Int64")
    frame = _with_baselines(frame, scores, registry)
    frame["score_change"] = _round2(frame["score"] - frame["prev_score"])
    rounds = {g: sorted(set(part["year"])) for g, part in ranked.groupby("group")}

    def text(row) -> str:
        if pd.isna(row.rank):
            return "không xếp hạng"
        if row.baseline not in ("", OWN):
            return new_unit_text(row.baseline, row.baseline_from)
        if pd.isna(row.rank_change):
            return "mới"
        change = int(row.rank_change)
        said = (f"tăng {change} bậc" if change > 0 else
                f"giảm {-change} bậc" if change < 0 else "giữ nguyên")
        earlier = [y for y in rounds.get(row.group, []) if y < row.year]
        if earlier and earlier[-1] != row.prev_year:
            said += f" (so với năm {int(row.prev_year)})"
        return said

    frame["movement"] = [text(r) for r in frame.itertuples(index=False)]
    columns = ["year", "unit_id", "name", "group", "score", "tier", "rank", "prev_year",
               "prev_rank", "prev_score", "score_change", "rank_change", "movement",
               "baseline", "baseline_from", "baseline_detail", "baseline_note"]
    return _sort_units(frame[columns])


def _with_baselines(frame: pd.DataFrame, scores: pd.DataFrame,
                    registry: pd.DataFrame | None, columns: Sequence[str] = ()
                    ) -> pd.DataFrame:
    """`frame` (prev_year, prev_score and prev_<column> from the unit's own history) with
    the lineage baseline of merged and split units' first year in their place, and the
    columns baseline, baseline_from, baseline_detail, baseline_note."""
    frame = frame.copy()
    own = frame["prev_score"].notna()
    frame["baseline"] = np.where(own, OWN, "")
    frame["baseline_from"] = ""
    frame["baseline_detail"] = ""
    found = baselines(scores, registry, ["score", *columns])
    if len(found):
        keyed = found.set_index(["year", "unit_id"])
        keys = list(zip(frame["year"], frame["unit_id"]))
        at = [k in keyed.index and not o for k, o in zip(keys, own)]
        for n, (key, use) in enumerate(zip(keys, at)):
            if not use:
                continue
            row = keyed.loc[key]
            i = frame.index[n]
            frame.at[i, "baseline"] = row["baseline"]
            frame.at[i, "baseline_from"] = row["baseline_from"]
            frame.at[i, "baseline_detail"] = row["baseline_detail"]
            frame.at[i, "prev_year"] = row["baseline_year"]
            frame.at[i, "prev_score"] = row["baseline_score"]
            for column in columns:
                frame.at[i, f"prev_{column}"] = row[f"baseline_{column}"]
            if "prev_rank" in frame.columns:
                frame.at[i, "prev_rank"] = pd.NA
                frame.at[i, "rank_change"] = pd.NA
    counts = {k: len(str(v).split(";")) for k, v in
              zip(zip(found["year"], found["unit_id"]), found["baseline_ids"])}
    frame["baseline_note"] = [
        baseline_note(b, y, f, counts.get((yr, u), 1), d, v) if b else ""
        for b, y, f, d, yr, u, v in zip(frame["baseline"], frame["prev_year"],
                                        frame["baseline_from"], frame["baseline_detail"],
                                        frame["year"], frame["unit_id"], frame["prev_score"])]
    return frame


def _common_change(ranked: pd.DataFrame, row,
                   places: dict[tuple, tuple[pd.Series, pd.Series]]) -> int | None:
    """Places gained since `row.prev_year` among the group's units ranked in both years
    (competition ranks by score: ties share a place). `places` keeps each (group, year,
    previous year)'s common units' places, computed once."""
    if pd.isna(row.rank) or pd.isna(row.prev_year):
        return None
    key = (row.group, row.year, row.prev_year)
    if key not in places:
        same_group = ranked[ranked["group"] == row.group]
        now = same_group[same_group["year"] == row.year].set_index("unit_id")["score"]
        then = same_group[same_group["year"] == row.prev_year].set_index("unit_id")["score"]
        common = now.index.intersection(then.index)
        places[key] = (now[common].rank(method="min", ascending=False),
                       then[common].rank(method="min", ascending=False))
    place_now, place_then = places[key]
    return int(place_then[row.unit_id]) - int(place_now[row.unit_id])


def score_changes(scores: pd.DataFrame, criteria: Sequence[str] | None = None,
                  registry: pd.DataFrame | None = None) -> pd.DataFrame:
    """Score and criterion percentage changes against the previous year present for the unit.

    Columns: year, unit_id, name, group, prev_year, score, prev_score, score_change, then
    for each criterion C: C, C_change (NaN when either year has no percentage), then
    baseline, baseline_from, baseline_detail, baseline_note (as in `rank_movement`). The
    first year of a unit has NaN changes — unless, with the `registry`, it was formed by
    merging others or split from one: then its score and criteria are compared with the
    mean of its predecessors' shares (`analysis.lineage`).
    """
    crits = list(criteria) if criteria is not None else criterion_columns(scores)
    frame = scores[["year", "unit_id", "name", "group", "score", *crits]].copy()
    prev = _previous(frame, ["unit_id"], ["score", *crits])
    frame["prev_year"] = prev["prev_year"].astype("Int64")
    frame["prev_score"] = prev["prev_score"]
    for code in crits:
        frame[f"prev_{code}"] = prev[f"prev_{code}"]
    frame = _with_baselines(frame, scores, registry, crits)
    frame["score_change"] = _round2(frame["score"] - frame["prev_score"])
    for code in crits:
        frame[f"{code}_change"] = _round2(frame[code] - frame[f"prev_{code}"])
    columns = ["year", "unit_id", "name", "group", "prev_year", "score", "prev_score",
               "score_change", *(c for code in crits for c in (code, f"{code}_change")),
               "baseline", "baseline_from", "baseline_detail", "baseline_note"]
    return _sort_units(frame[columns], by=("unit_id",))


def tier_changes(scores: pd.DataFrame, tiers: Sequence[str] | None = None) -> pd.DataFrame:
    """Units whose tier changed since the previous year present for them.

    Columns: year, unit_id, name, group, prev_year, prev_score, score, from_tier, to_tier,
    direction ("up"/"down") and change ("từ Khá lên Tốt", "từ Khá xuống Trung bình").
    `tiers` lists the tier names best first (default: the default rubric's).

    Example::

        >>> from cntt_analysis.analysis.results import load_results
        >>> res = load_results("data/raw", "data/processed")  # the demo data, scored
        >>> changes = tier_changes(res.scores, res.rubric(2017).tier_names)
        >>> changes[changes["year"] == 2017][["unit_id", "change"]].head(2)
               unit_id                 change
        7       p-khtc  từ Yếu lên Trung bình
        8    thanh-tra       từ Tốt xuống Khá
    """
    tiers = default_tiers() if tiers is None else tiers
    frame = scores[["year", "unit_id", "name", "group", "score", "tier"]].copy()
    prev = _previous(frame, ["unit_id"], ["score", "tier"])
    frame["prev_year"] = prev["prev_year"].astype("Int64")
    frame["prev_score"] = prev["prev_score"]
    frame["from_tier"] = prev["prev_tier"]
    frame = frame.rename(columns={"tier": "to_tier"})
    level = {t: i for i, t in enumerate(tiers)}
    old, new = frame["from_tier"].map(level), frame["to_tier"].map(level)
    changed = frame[old.notna() & new.notna() & (old != new)].copy()
    up = changed["to_tier"].map(level) < changed["from_tier"].map(level)
    changed["direction"] = np.where(up, "up", "down")
    changed["change"] = [f"từ {a} {'lên' if u else 'xuống'} {b}" for a, b, u in
                         zip(changed["from_tier"], changed["to_tier"], up)]
    columns = ["year", "unit_id", "name", "group", "prev_year", "prev_score", "score",
               "from_tier", "to_tier", "direction", "change"]
    return _sort_units(changed[columns], by=("unit_id",))
