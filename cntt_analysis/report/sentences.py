"""Vietnamese sentences leaders read, generated from the data: the year's summary, the
method changes since last year and the follow-up of last year's shortcomings.
"""

from __future__ import annotations

import pandas as pd

from cntt_analysis.analysis.common import (
    LATE,
    MISSING,
    NOT_SCORED,
    SENT,
    _criterion_names,
    criterion_columns,
    group_order,
)
from cntt_analysis.labels import (
    SYNTHETIC_NOTE,
    join_vi,
    lower_first,
    vn_number,
    vn_percent,
)
from cntt_analysis.rounding import half_up_float as round_half_up
from cntt_analysis.rubric.crosswalk import (
    CHANGES,
    RENAMED_LABEL,
    crosswalk,
    fraction_text,
    rubric_name,
)
from cntt_analysis.rubric.model import Rubric
from cntt_analysis.scoring.shortcomings import (
    IMPROVED,
    NOT_ASSESSED,
    NOT_REMEDIED,
    NOT_SUBMITTED,
    REMEDIED,
    follow_up_summary,
)


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


def _group_sentence(scores: pd.DataFrame, group: str, year: int, rubric: Rubric) -> str:
    rows = scores[(scores["group"] == group) & (scores["year"] == year)]
    label = rubric.group_label(group)
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
    groups = group_order(now["group"], rubric)
    parts = [f"{(now['group'] == g).sum()} đơn vị thuộc {lower_first(rubric.group_label(g))}"
             for g in groups]
    sentences.append(f"Năm {year} có {len(now)} đơn vị được chấm điểm, xếp hạng, gồm "
                     f"{join_vi(parts)}.")
    if (reg := _register_sentence(register, year)) is not None:
        sentences.append(reg)
    sentences += [_group_sentence(scores, g, year, rubric) for g in groups]
    counts = now["tier"].value_counts()
    sentences.append("Kết quả xếp loại: " + ", ".join(
        f"{int(counts.get(t, 0))} đơn vị {t}" for t in rubric.tier_names) + ".")
    weak = now[now["tier"].isin(rubric.remedy_tiers)].sort_values(["score", "unit_id"])
    if len(weak):
        named = [f"{r.name} ({vn_number(r.score)} điểm, {r.tier})"
                 for r in weak.head(max_named).itertuples()]
        if len(weak) > max_named:
            named.append(f"{len(weak) - max_named} đơn vị khác")
        sentences.append(f"Có {len(weak)} đơn vị xếp loại {', '.join(rubric.remedy_tiers)} "
                         "cần chỉ đạo khắc "
                         f"phục: {join_vi(named)}.")
    else:
        lowest = []
        for g in groups:
            part = now[now["group"] == g]
            part = part[part["score"] == part["score"].min()].sort_values("unit_id")
            lowest.append(f"{lower_first(rubric.group_label(g, short=True))} là "
                          f"{_names_with_scores(part)}")
        sentences.append(f"Không có đơn vị xếp loại {' hoặc '.join(rubric.remedy_tiers)}; "
                         "điểm thấp nhất "
                         + "; ".join(lowest) + ".")
    names, _ = _criterion_names(rubric)
    means = now[criterion_columns(now, rubric)].mean().dropna().sort_values(kind="stable")
    if len(means):
        low = [f"{c}. {names[c]} (bình quân {vn_percent(round_half_up(v))})"
               for c, v in means.head(n_criteria).items()]
        sentences.append(f"{'Các tiêu chí' if len(low) > 1 else 'Tiêu chí'} có tỷ lệ điểm đạt "
                         f"bình quân thấp nhất toàn Sở: {join_vi(low)}.")
    return sentences


def _listing(items: list[str]) -> str:
    return ", ".join(items)


def _count(n: int, what: str, items: list[str]) -> str:
    return f"{n} chỉ tiêu{what} ({_listing(items)})"


def method_changes(rubric: Rubric, previous_rubric: Rubric | None = None) -> list[str]:
    """Vietnamese sentences describing how the form changed since `previous_rubric`."""
    previous = previous_rubric if previous_rubric is not None else rubric.previous_rubric()
    if previous is None:
        return [f"Phiếu đánh giá {rubric_name(rubric)} không khai báo phiếu năm trước, nên không "
                "đối chiếu được cách chấm giữa các năm."]
    table = crosswalk(rubric, previous)
    by = {kind: table[table["change"] == kind] for kind in CHANGES}
    parts = []
    if len(by["new"]):
        parts.append("có " + _count(len(by["new"]), " mới",
                                    [f"{r.code} {r.label}" for r in by["new"].itertuples()]))
    if len(by["dropped"]):
        parts.append("bỏ " + _count(len(by["dropped"]), "", [
            f"{r.previous_code} {r.previous_label}" for r in by["dropped"].itertuples()]))
    if len(by["renamed"]):
        parts.append("đổi mã " + _count(len(by["renamed"]), "", [
            f"{r.previous_code} → {r.code}" for r in by["renamed"].itertuples()]))
    if len(by["changed"]):
        parts.append("thay đổi nội dung hoặc cách chấm " + _count(
            len(by["changed"]), "", list(by["changed"]["code"])))
    old_crit = {c.code: c.max_points for c in previous.criteria}
    crit_changes = [f"{c.code} {fraction_text(old_crit[c.code])} → {fraction_text(c.max_points)}"
                    for c in rubric.criteria
                    if c.code in old_crit and old_crit[c.code] != c.max_points]
    if not parts and not crit_changes:
        same = (f"Hai năm dùng cùng phiếu đánh giá {rubric.id}" if rubric.id == previous.id
                else f"Phiếu đánh giá {rubric_name(rubric)} giống phiếu {rubric_name(previous)}")
        return [same + ": các chỉ tiêu, điểm tối đa và cách chấm không đổi, nên điểm từng "
                "chỉ tiêu so sánh được trực tiếp."]
    listed = parts[0] if len(parts) < 2 else ", ".join(parts[:-1]) + " và " + parts[-1]
    head = f"So với {rubric_name(previous)}, phiếu đánh giá {rubric_name(rubric)} "
    sentences = [(head + listed if parts else head + "giữ nguyên các chỉ tiêu")
                 + "; điểm tổng và tỷ lệ theo tiêu chí vẫn so sánh được vì đều quy về "
                 "thang 100."]
    for row in by["changed"].itertuples():
        detail = row.detail.replace(
            RENAMED_LABEL, f"{RENAMED_LABEL} (trước đây: “{row.previous_label}”)")
        sentences.append(f"Chỉ tiêu {row.code} {row.label}: {detail}.")
    if crit_changes:
        sentences.append(f"Điểm tối đa theo tiêu chí thay đổi: {_listing(crit_changes)}.")
    touched = sorted({c for kind in ("new", "dropped", "changed")
                      for c in by[kind]["criterion"]})
    if touched:
        sentences.append(
            f"Nội dung tiêu chí {_listing(touched)} khác {rubric_name(previous)}, nên khi so "
            "sánh tỷ lệ của các tiêu chí này cần lưu ý các thay đổi trên. Điểm từng chỉ tiêu "
            "chỉ so sánh trực tiếp với các chỉ tiêu không đổi hoặc chỉ đổi mã; chỉ tiêu thay đổi "
            "cách chấm chỉ so sánh theo tỷ lệ % điểm tối đa của từng năm.")
    return sentences


def follow_up_sentences(follow: pd.DataFrame, names: dict[str, str]) -> list[str]:
    """What the leaders learn about last year's directions, in Vietnamese."""
    if follow.empty:
        return ["Năm trước không có tồn tại, hạn chế nào cần theo dõi khắc phục."]
    counts = follow["outcome"].value_counts()
    total = len(follow)
    parts = [f"{counts.get(o, 0)} {o.lower()}" for o in (REMEDIED, IMPROVED, NOT_REMEDIED)]
    text = (f"Trong {total} tồn tại, hạn chế của {follow['unit_id'].nunique()} đơn vị được chỉ "
            f"ra năm {int(follow['previous_year'].iloc[0])}: " + ", ".join(parts))
    if counts.get(NOT_SUBMITTED, 0):
        text += f", {counts[NOT_SUBMITTED]} của đơn vị không nộp báo cáo"
    if counts.get(NOT_ASSESSED, 0):
        text += f" và {counts[NOT_ASSESSED]} không còn được đánh giá"
    sentences = [text + "."]
    summary = follow_up_summary(follow, names)
    ignored = summary[summary["ignored"]]
    if len(ignored):
        listed = ", ".join(names.get(u, u) for u in ignored["unit_id"])
        sentences.append(f"Đơn vị chưa khắc phục được tồn tại nào: {listed}.")
    return sentences
