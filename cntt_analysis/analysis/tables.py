"""Analyses behind the report notebooks: rank movement, changes since last year, group and
criterion averages, points lost, each unit's weaknesses and the summary sentences leaders read.

Every function is a plain function on the tidy tables (scores, points, answers, register);
it never changes its inputs. Texts meant for readers are Vietnamese; numbers in them use
the Vietnamese marks (``labels.vn_number``: 85.5 → "85,5").
"""

from __future__ import annotations

import re
from collections.abc import Iterable, Sequence

import numpy as np
import pandas as pd

from cntt_analysis.labels import (
    GROUP_LABELS,
    GROUP_SHORT,
    POINT_STATUS,
    SYNTHETIC_NOTE,
    half_up,
    vn_number,
)
from cntt_analysis.rubric.model import Rubric

# Tiers best first (the order of the rubric's tiers and of labels.TIER_COLORS).
TIERS = ("Tốt", "Khá", "Trung bình", "Yếu")
# Register statuses of registered units (one row per unit and year).
SENT, LATE, MISSING = "Đã nộp", "Nộp muộn", "Chưa nộp"
NOT_SCORED = "Không được chấm"
# A criterion below this percentage is a shortcoming leaders must direct to remedy.
CRITERION_FLOOR = 50.0
REMEDY_TIERS = ("Trung bình", "Yếu")


# ----------------------------------------------------------------------------- helpers


def criterion_columns(scores: pd.DataFrame, rubric: Rubric | None = None) -> list[str]:
    """The criterion percentage columns of a scores table (rubric order when given)."""
    if rubric is not None:
        return [c.code for c in rubric.criteria if c.code in scores.columns]
    # Criterion columns are named by their codes (C1 … Cn); self_score etc. are not criteria.
    return [c for c in scores.columns if re.fullmatch(r"C\d+", str(c))]


def group_order(groups: Iterable[str]) -> list[str]:
    """Groups present, in the report order (labels.GROUP_LABELS first, then the rest)."""
    present = list(dict.fromkeys(g for g in groups if pd.notna(g)))
    known = [g for g in GROUP_LABELS if g in present]
    return known + sorted(g for g in present if g not in GROUP_LABELS)


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


def join_vi(items: Sequence[str]) -> str:
    """["A", "B", "C"] → "A, B và C"."""
    items = list(items)
    if len(items) <= 1:
        return "".join(items)
    return f"{', '.join(items[:-1])} và {items[-1]}"


def round_half_up(value: float, places: int = 2) -> float:
    """Round a displayed mean half-up on its decimal text (61.705 → 61.71), as the rubric
    rounds, so that sentences and tables agree."""
    return float("nan") if pd.isna(value) else float(half_up(value, places))


def _lower_first(text: str) -> str:
    """"Khối Sở" → "khối Sở" (proper nouns inside keep their capitals)."""
    return text[:1].lower() + text[1:]


def vn_percent(value: float, places: int = 2) -> str:
    """55.4 → "55,4%"."""
    return f"{vn_number(value, places)}%"


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


# ----------------------------------------------------------------------------- changes


def rank_movement(scores: pd.DataFrame) -> pd.DataFrame:
    """Rank movement of every unit and year within its group.

    Columns: year, unit_id, name, group, score, tier, rank, prev_year, prev_rank,
    rank_change (Int64, positive = moved up) and movement ("tăng N bậc", "giảm N bậc",
    "giữ nguyên", "mới"). The previous rank is the unit's rank in the same group in the
    latest earlier year it was ranked; when that is not the group's previous round (the
    unit skipped a year) the text names the year: "tăng 2 bậc (so với năm 2015)". A unit
    without a rank (no score) gets "không xếp hạng".
    """
    frame = scores[["year", "unit_id", "name", "group", "score", "tier", "rank"]].copy()
    frame["rank"] = frame["rank"].astype("Int64")
    ranked = frame[frame["rank"].notna()]
    prev = _previous(ranked, ["group", "unit_id"], ["rank"])
    frame["prev_year"] = prev["prev_year"].astype("Int64").reindex(frame.index)
    frame["prev_rank"] = prev["prev_rank"].astype("Int64").reindex(frame.index)
    frame["rank_change"] = (frame["prev_rank"] - frame["rank"]).astype("Int64")
    rounds = {g: sorted(set(part["year"])) for g, part in ranked.groupby("group")}

    def text(row) -> str:
        if pd.isna(row.rank):
            return "không xếp hạng"
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
    return _sort_units(frame)


def score_changes(scores: pd.DataFrame, criteria: Sequence[str] | None = None) -> pd.DataFrame:
    """Score and criterion percentage changes against the previous year present for the unit.

    Columns: year, unit_id, name, group, prev_year, score, prev_score, score_change, then
    for each criterion C: C, C_change (NaN when either year has no percentage). The first
    year of a unit has NaN changes.
    """
    crits = list(criteria) if criteria is not None else criterion_columns(scores)
    frame = scores[["year", "unit_id", "name", "group", "score", *crits]].copy()
    prev = _previous(frame, ["unit_id"], ["score", *crits])
    frame["prev_year"] = prev["prev_year"].astype("Int64")
    frame["prev_score"] = prev["prev_score"]
    frame["score_change"] = _round2(frame["score"] - prev["prev_score"])
    for code in crits:
        frame[f"{code}_change"] = _round2(frame[code] - prev[f"prev_{code}"])
    columns = ["year", "unit_id", "name", "group", "prev_year", "score", "prev_score",
               "score_change", *(c for code in crits for c in (code, f"{code}_change"))]
    return _sort_units(frame[columns], by=("unit_id",))


def tier_changes(scores: pd.DataFrame, tiers: Sequence[str] = TIERS) -> pd.DataFrame:
    """Units whose tier changed since the previous year present for them.

    Columns: year, unit_id, name, group, prev_year, prev_score, score, from_tier, to_tier,
    direction ("up"/"down") and change ("từ Khá lên Tốt", "từ Khá xuống Trung bình").
    `tiers` lists the tier names best first.
    """
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


# ----------------------------------------------------------------------------- averages


def group_averages(scores: pd.DataFrame, criteria: Sequence[str] | None = None,
                   tiers: Sequence[str] = TIERS) -> pd.DataFrame:
    """Per year and group: units, mean/min/max score, mean of each criterion, tier counts.

    Columns: year, group, units, mean_score, min_score, max_score, C1..Cn (mean of the
    units' percentages, NaN ones skipped), then one count column per tier (Tốt, Khá,
    Trung bình, Yếu).
    """
    crits = list(criteria) if criteria is not None else criterion_columns(scores)
    grouped = scores.groupby(["year", "group"])
    out = grouped.agg(units=("unit_id", "nunique"), mean_score=("score", "mean"),
                      min_score=("score", "min"), max_score=("score", "max"))
    out = out.join(grouped[crits].mean())
    counts = (scores.groupby(["year", "group"])["tier"].value_counts().unstack(fill_value=0)
              .reindex(columns=list(tiers), fill_value=0))
    out = out.join(counts).fillna({t: 0 for t in tiers})
    out[list(tiers)] = out[list(tiers)].astype("int64")
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


# ----------------------------------------------------------------------------- points lost


def points_lost(points: pd.DataFrame) -> pd.DataFrame:
    """The points rows that count (scored and invalid; not-applicable rows dropped) with
    ``lost`` = max_points − points (an invalid answer loses the indicator's maximum)."""
    kept = points[points["status"] != "na"].copy()
    kept["lost"] = _round2(kept["max_points"] - kept["points"].fillna(0.0))
    return kept.reset_index(drop=True)


def weakest_indicators(points: pd.DataFrame, rubric: Rubric, n: int | None = None,
                       year: int | None = None, group: str | None = None) -> pd.DataFrame:
    """Points lost per indicator across the Department in a year, worst first.

    `year` defaults to the latest year in `points`; `group` restricts to one unit group.
    Columns: indicator, criterion, criterion_name (short), label, max_points, units (units
    it applies to), units_losing (units that lost points on it), total_lost, mean_lost
    (per applicable unit), lost_percent (total_lost / (units × max) × 100), remedy.
    Sorted by total_lost, then mean_lost, descending; rubric order breaks ties.
    """
    rows, _ = _year_frame(points, year)
    if group is not None:
        rows = rows[rows["group"] == group]
    lost = points_lost(rows)
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
                    n: int | None = 5) -> pd.DataFrame:
    """The unit's indicators that lost points (lost > 0), most lost first, with the remedy.

    Columns: criterion, criterion_name, indicator, label, points, max_points, lost,
    lost_share (lost / max), shortcoming (lost_share ≥ the rubric's
    shortcoming_min_lost_share), status (Vietnamese), remedy. Ties: larger share, then rubric
    order. `n=None` keeps all.
    """
    lost = points_lost(_unit_points(points, unit_id, year))
    lost = lost[lost["lost"] > 0]
    out = _indicator_info(rubric).merge(lost[["indicator", "points", "max_points", "lost",
                                              "status"]], on="indicator", how="inner")
    out["lost_share"] = out["lost"] / out["max_points"]
    out["shortcoming"] = out["lost_share"] >= float(rubric.shortcoming_min_lost_share) - 1e-9
    out["status"] = out["status"].map(lambda s: POINT_STATUS.get(s, s))
    out = out.sort_values(["lost", "lost_share", "_order"], ascending=[False, False, True],
                          kind="stable")
    columns = ["criterion", "criterion_name", "indicator", "label", "points", "max_points",
               "lost", "lost_share", "shortcoming", "status", "remedy"]
    out = out[columns].reset_index(drop=True)
    return out if n is None else out.head(n)


def units_to_remedy(scores: pd.DataFrame, points: pd.DataFrame, rubric: Rubric, year: int,
                    criterion_floor: float = CRITERION_FLOOR,
                    tiers: Sequence[str] = REMEDY_TIERS, max_indicators: int = 3
                    ) -> pd.DataFrame:
    """Units the leaders must direct to remedy shortcomings in `year`: tier in `tiers`
    (Trung bình, Yếu) or any criterion below `criterion_floor` percent.

    Columns: year, group, unit_id, name, score, tier, rank, reasons, weak_criteria,
    weak_indicators, remedies (Vietnamese text). weak_criteria lists the criteria below the
    floor, lowest first (or the unit's lowest criterion when none is below it);
    weak_indicators the indicators with most points lost (at most `max_indicators`,
    shortcomings first) as "C3.4 Label (0/4 điểm)"; remedies their remedy texts.
    Sorted by group, then score ascending.
    """
    names, _ = _criterion_names(rubric)
    crits = criterion_columns(scores, rubric)
    rows = []
    for r in scores[scores["year"] == year].to_dict("records"):
        below = sorted((r[c], c) for c in crits if pd.notna(r[c]) and r[c] < criterion_floor)
        weak_tier = r["tier"] in tiers
        if not weak_tier and not below:
            continue
        reasons = []
        if weak_tier:
            reasons.append(f"xếp loại {r['tier']}")
        if below:
            reasons.append(f"tiêu chí đạt dưới {vn_percent(criterion_floor)}: "
                           + ", ".join(f"{c} ({vn_percent(v)})" for v, c in below))
        reason = "; ".join(reasons)
        shown = below or sorted((r[c], c) for c in crits if pd.notna(r[c]))[:1]
        has_points = ((points["unit_id"] == r["unit_id"]) & (points["year"] == year)).any()
        weak = (unit_weaknesses(points, rubric, r["unit_id"], year, n=None) if has_points
                else pd.DataFrame(columns=["indicator", "label", "points", "max_points",
                                           "remedy", "shortcoming"]))
        weak = weak.sort_values("shortcoming", ascending=False, kind="stable")
        weak = weak.head(max_indicators)
        rows.append({
            "year": year, "group": r["group"], "unit_id": r["unit_id"], "name": r["name"],
            "score": r["score"], "tier": r["tier"], "rank": r["rank"],
            "reasons": f"{reason[:1].upper()}{reason[1:]}.",
            "weak_criteria": "; ".join(f"{c}. {names.get(c, c)} ({vn_percent(v)})"
                                       for v, c in shown),
            "weak_indicators": "; ".join(
                f"{w.indicator} {w.label} ({vn_number(w.points or 0.0)}/"
                f"{vn_number(w.max_points)} điểm)" for w in weak.itertuples(index=False)),
            "remedies": " ".join(w for w in weak["remedy"] if w),
        })
    columns = ["year", "group", "unit_id", "name", "score", "tier", "rank", "reasons",
               "weak_criteria", "weak_indicators", "remedies"]
    out = pd.DataFrame(rows, columns=columns)
    if out.empty:
        return out
    return _sort_units(out, by=("score", "unit_id"))


# ----------------------------------------------------------------------------- summary


def _names_with_scores(frame: pd.DataFrame) -> str:
    return join_vi([f"{r.name} ({vn_number(r.score)} điểm)" for r in frame.itertuples()])


def _register_sentence(register: pd.DataFrame, year: int) -> str | None:
    reg = register[register["year"] == year]
    units = reg[reg["status"].isin([SENT, LATE, MISSING])]
    if units.empty:
        return None
    sent = int((units["status"] == SENT).sum())
    late = int((units["status"] == LATE).sum())
    missing = units[units["status"] == MISSING]
    text = (f"Về tình hình nộp báo cáo: {sent + late}/{len(units)} đơn vị đã nộp "
            f"({sent} đơn vị nộp đúng hạn, {late} đơn vị nộp muộn)")
    if len(missing):
        names = [str(n) for n in missing.sort_values("unit_id")["name"].fillna("")]
        text += f"; {len(missing)} đơn vị chưa nộp: {join_vi(names)}"
    else:
        text += "; không có đơn vị nào chưa nộp"
    not_scored = int((reg["status"] == NOT_SCORED).sum())
    if not_scored:
        text += (f". Có {not_scored} tệp không được chấm điểm (không đọc được, không xác "
                 "định được đơn vị hoặc sai năm báo cáo)")
    return text + "."


def _group_sentence(scores: pd.DataFrame, group: str, year: int) -> str:
    rows = scores[(scores["group"] == group) & (scores["year"] == year)]
    label = GROUP_LABELS.get(group, group)
    mean = round_half_up(rows["score"].mean())
    text = f"{label}: {len(rows)} đơn vị, điểm bình quân {vn_number(mean)}"
    earlier = scores[(scores["group"] == group) & (scores["year"] < year)]
    if not earlier.empty:
        prev_year = int(earlier["year"].max())
        prev_mean = round_half_up(earlier[earlier["year"] == prev_year]["score"].mean())
        diff = round(mean - prev_mean, 2)
        if diff == 0:
            text += f", không đổi so với năm {prev_year}"
        else:
            text += (f", {'tăng' if diff > 0 else 'giảm'} {vn_number(abs(diff))} điểm so với "
                     f"năm {prev_year} ({vn_number(prev_mean)})")
    best = rows[rows["score"] == rows["score"].max()].sort_values("unit_id")
    if len(best) == 1:
        text += f"; dẫn đầu là {_names_with_scores(best)}"
    elif len(best) > 1:
        text += (f"; dẫn đầu là {join_vi([str(n) for n in best['name']])} "
                 f"(cùng {vn_number(best['score'].iloc[0])} điểm)")
    return text + "."


def summary_sentences(scores: pd.DataFrame, register: pd.DataFrame, rubric: Rubric, year: int,
                      synthetic: bool = False, n_criteria: int = 2,
                      max_named: int = 5) -> list[str]:
    """A few Vietnamese sentences on the year's results, generated from the data.

    In order: the synthetic-data note (when `synthetic`); units assessed per group; who sent
    on time, late or not at all (from the register); per group the mean score, its change
    since the group's previous year present and the best unit(s); the tier counts; the
    weakest units (tier Trung bình/Yếu, lowest first, at most `max_named` named; when there
    are none, the lowest unit of each group); the `n_criteria` criteria with the lowest mean
    percentage across the Department. Means are rounded half-up to 2 decimals before the
    change is computed, so the printed numbers add up.
    """
    sentences = [SYNTHETIC_NOTE] if synthetic else []
    now = scores[scores["year"] == year]
    if now.empty:
        return [*sentences, f"Năm {year} chưa có đơn vị nào được chấm điểm."]
    groups = group_order(now["group"])
    parts = [f"{(now['group'] == g).sum()} đơn vị thuộc {_lower_first(GROUP_LABELS.get(g, g))}"
             for g in groups]
    sentences.append(f"Năm {year} có {len(now)} đơn vị được chấm điểm, xếp hạng, gồm "
                     f"{join_vi(parts)}.")
    if (reg := _register_sentence(register, year)) is not None:
        sentences.append(reg)
    sentences += [_group_sentence(scores, g, year) for g in groups]
    counts = now["tier"].value_counts()
    sentences.append("Kết quả xếp loại: " + ", ".join(
        f"{int(counts.get(t, 0))} đơn vị {t}" for t in TIERS) + ".")
    weak = now[now["tier"].isin(REMEDY_TIERS)].sort_values(["score", "unit_id"])
    if len(weak):
        named = [f"{r.name} ({vn_number(r.score)} điểm, {r.tier})"
                 for r in weak.head(max_named).itertuples()]
        if len(weak) > max_named:
            named.append(f"{len(weak) - max_named} đơn vị khác")
        sentences.append(f"Có {len(weak)} đơn vị xếp loại Trung bình, Yếu cần chỉ đạo khắc "
                         f"phục: {join_vi(named)}.")
    else:
        lowest = []
        for g in groups:
            part = now[now["group"] == g]
            part = part[part["score"] == part["score"].min()].sort_values("unit_id")
            lowest.append(f"{_lower_first(GROUP_SHORT.get(g, g))} là {_names_with_scores(part)}")
        sentences.append("Không có đơn vị xếp loại Trung bình hoặc Yếu; điểm thấp nhất "
                         + "; ".join(lowest) + ".")
    names, _ = _criterion_names(rubric)
    means = now[criterion_columns(now, rubric)].mean().dropna().sort_values(kind="stable")
    if len(means):
        low = [f"{c}. {names[c]} (bình quân {vn_percent(round_half_up(v))})"
               for c, v in means.head(n_criteria).items()]
        sentences.append(f"{'Các tiêu chí' if len(low) > 1 else 'Tiêu chí'} có tỷ lệ điểm đạt "
                         f"bình quân thấp nhất toàn Sở: {join_vi(low)}.")
    return sentences
