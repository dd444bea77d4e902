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
    vn_score,
    vn_share,
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
from cntt_analysis.scoring.inspection import applied_corrections
from cntt_analysis.scoring.shortcomings import (
    IMPROVED,
    NOT_ASSESSED,
    NOT_REMEDIED,
    NOT_SUBMITTED,
    REMEDIED,
    follow_up_summary,
)


def _names_with_scores(frame: pd.DataFrame) -> str:
    return join_vi([f"{r.name} ({vn_score(r.score)} điểm)" for r in frame.itertuples()])


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
    text = f"{label}: {len(rows)} đơn vị, điểm bình quân {vn_score(mean)}"
    earlier = scores[(scores["group"] == group) & (scores["year"] < year)]
    if not earlier.empty:
        text += _mean_change(rows, earlier[earlier["year"] == earlier["year"].max()])
    best = rows[rows["score"] == rows["score"].max()].sort_values("unit_id")
    if len(best) == 1:
        text += f"; dẫn đầu là {_names_with_scores(best)}"
    elif len(best) > 1:
        text += (f"; dẫn đầu là {join_vi([str(n) for n in best['name']])} "
                 f"(cùng {vn_score(best['score'].iloc[0])} điểm)")
    return text + "."


def _mean_change(now: pd.DataFrame, then: pd.DataFrame) -> str:
    """The group mean's change, over the units present in both years only (a partial
    round or units that joined would otherwise move the mean by themselves)."""
    prev_year = int(then["year"].iloc[0])
    common = sorted(set(now["unit_id"]) & set(then["unit_id"]))
    if not common:
        return f"; không có đơn vị nào có kết quả cả năm {prev_year} để so sánh"
    after = round_half_up(now[now["unit_id"].isin(common)]["score"].mean())
    before = round_half_up(then[then["unit_id"].isin(common)]["score"].mean())
    diff = round(after - before, 2)
    moved = ("không đổi" if diff == 0 else
             f"{'tăng' if diff > 0 else 'giảm'} {vn_score(abs(diff))} điểm")
    if len(common) == len(now) == len(then):
        return (f", {moved} so với năm {prev_year}" if diff == 0 else
                f", {moved} so với năm {prev_year} ({vn_score(before)})")
    return (f"; so sánh được với năm {prev_year} ở {len(common)} đơn vị có kết quả cả hai năm: "
            f"bình quân của các đơn vị này {moved}"
            + ("" if diff == 0 else f" (từ {vn_score(before)} lên {vn_score(after)})"
               if diff > 0 else f" (từ {vn_score(before)} xuống {vn_score(after)})"))


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
        named = [f"{r.name} ({vn_score(r.score)} điểm, {r.tier})"
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
        low = [f"{c}. {names[c]} (bình quân {vn_share(v)})"
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
    """What the leaders learn about last year's directions, in Vietnamese. A unit that did
    not report this year is said to be missing, not to have remedied nothing."""
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
    absent = not_reporting(follow)
    summary = follow_up_summary(follow, names)
    ignored = summary[summary["ignored"] & ~summary["unit_id"].isin(absent)]
    if len(ignored):
        listed = ", ".join(names.get(u, u) for u in ignored["unit_id"])
        sentences.append(f"Đơn vị chưa khắc phục được tồn tại nào: {listed}.")
    if absent:
        listed = ", ".join(names.get(u, u) for u in absent)
        sentences.append(f"Đơn vị không nộp báo cáo năm nay nên chưa đánh giá được việc khắc "
                         f"phục tồn tại, hạn chế năm trước: {listed}.")
    return sentences


def not_reporting(follow: pd.DataFrame) -> list[str]:
    """Units whose every followed-up shortcoming is "not submitted" (they did not report)."""
    if follow.empty:
        return []
    absent = follow.groupby("unit_id")["outcome"].agg(lambda o: set(o) <= {NOT_SUBMITTED})
    return sorted(absent[absent].index)


def partial_round(register: pd.DataFrame, year: int) -> str | None:
    """A warning for page 1 when most registered units have not sent their report yet."""
    reg = register[(register["year"] == year) & register["status"].isin([SENT, LATE, MISSING])]
    sent = int(reg["status"].isin([SENT, LATE]).sum())
    if reg.empty or sent * 2 > len(reg):
        return None
    return (f"Đợt đánh giá năm {year} chưa đầy đủ: mới có {sent}/{len(reg)} đơn vị nộp báo "
            "cáo. Điểm và thứ hạng trong tài liệu này là tạm thời; so sánh với năm trước chỉ "
            "tính các đơn vị có kết quả cả hai năm.")


def unscored_sentence(unscored: pd.DataFrame) -> str | None:
    """Registered units of a ranking that have no score, and why."""
    if unscored.empty:
        return None
    listed = join_vi([f"{r.name} ({r.reason})" for r in unscored.itertuples()])
    return (f"{len(unscored)} đơn vị trong danh mục chưa có kết quả nên không có trong bảng "
            f"xếp hạng: {listed}.")


def decisions(scores: pd.DataFrame, unscored: pd.DataFrame, remedy: pd.DataFrame,
              corrections: pd.DataFrame, unit_errors: int, inspection_errors: int,
              year: int) -> list[str]:
    """What the leaders are asked to decide, from the year's results (page 1)."""
    asked = []
    now = scores[scores["year"] == year]
    leaders = []
    for group in group_order(now["group"]):
        part = now[now["group"] == group]
        top = part[part["score"] == part["score"].max()].sort_values("unit_id")
        # a group's best is commended only if it has nothing to remedy itself (a partial
        # round's single unit with 0 points leads its group too)
        weak = set(remedy["unit_id"]) if len(remedy) else set()
        leaders += [f"{r.name} ({vn_score(r.score)} điểm)" for r in top.itertuples()
                    if r.unit_id not in weak]
    if leaders:
        asked.append(f"Biểu dương đơn vị dẫn đầu từng khối: {join_vi(leaders)}.")
    if len(remedy):
        asked.append(f"Yêu cầu {len(remedy)} đơn vị khắc phục tồn tại, hạn chế và báo cáo kết "
                     f"quả trong đợt đánh giá năm sau: {join_vi(list(remedy['name']))}.")
    missing = unscored[unscored["status"] == MISSING] if len(unscored) else unscored
    if len(missing):
        asked.append(f"Chỉ đạo {len(missing)} đơn vị chưa nộp báo cáo nộp ngay để được chấm "
                     f"điểm: {join_vi(list(missing['name']))}.")
    fixes = applied_corrections(corrections)
    if len(fixes):
        asked.append(f"Thông qua kết quả kiểm tra, thẩm định: {len(fixes)} số liệu của "
                     f"{fixes['unit_id'].nunique()} đơn vị được điều chỉnh.")
    if unit_errors:
        asked.append(f"Giao Trung tâm Công nghệ thông tin xác minh {unit_errors} lỗi số liệu "
                     "với các đơn vị trước khi công bố kết quả chính thức.")
    if inspection_errors:
        asked.append(f"Đề nghị đoàn kiểm tra sửa {inspection_errors} mục không hợp lệ trong "
                     "tệp kiểm tra, thẩm định (các điều chỉnh này chưa được áp dụng).")
    return asked


def error_counts_sentence(unit_errors: int, inspection_errors: int) -> str:
    """How many data errors remain, each said to whom it belongs."""
    if not unit_errors and not inspection_errors:
        return "Không còn lỗi số liệu nào phải xác minh."
    parts = []
    if unit_errors:
        parts.append(f"Có {unit_errors} lỗi số liệu phải xác minh lại với đơn vị (chi tiết "
                     "trong bảng kết quả Excel và phần phân tích)")
    if inspection_errors:
        parts.append(f"{'có' if unit_errors else 'Có'} {inspection_errors} mục không hợp lệ "
                     "trong tệp kiểm tra, thẩm định do đoàn kiểm tra sửa")
    return "; ".join(parts) + "."


# Exception class names that may reach an issue's value, said for a reader.
UNREADABLE_CAUSES = {
    "ZipError": "tệp không phải bảng tính .xlsx hợp lệ (hỏng, tải về chưa hết hoặc đổi đuôi)",
    "BadZipFile": "tệp không phải bảng tính .xlsx hợp lệ (hỏng, tải về chưa hết hoặc đổi đuôi)",
    "XmlError": "nội dung bảng tính bị hỏng",
    "PasswordError": "tệp được đặt mật khẩu",
    "CalamineError": "tệp bị hỏng hoặc không phải bảng tính",
    "UnicodeDecodeError": "tệp không đọc được (bảng mã không đúng)",
    "ParserError": "tệp CSV không đúng định dạng",
    "FileNotFoundError": "không tìm thấy tệp",
    "PermissionError": "không có quyền đọc tệp",
    "OSError": "không đọc được tệp",
}


def plain_value(value: object) -> str:
    """An issue's value for leaders: a Python exception text ("ZipError: invalid Zip
    archive…") becomes what is wrong with the file, in Vietnamese."""
    import re

    text = "" if value is None or (not isinstance(value, str) and pd.isna(value)) else str(value)
    found = re.match(r"^\s*([A-Za-z_][\w.]*(?:Error|Exception|File))\b\s*:?", text)
    if not found:
        return text
    name = found.group(1).rsplit(".", 1)[-1]
    return UNREADABLE_CAUSES.get(name, "tệp bị hỏng hoặc không phải bảng tính")


def evidence_sentence(missing: int, units: int, claims: int) -> str:
    """How many claims cite no evidence (tài liệu kiểm chứng), in how many units."""
    if missing == 0:
        return (f"Tất cả {claims} nội dung kê khai (văn bản đã ban hành, hệ thống đang sử "
                "dụng) đều có tài liệu kiểm chứng.")
    return (f"Có {missing}/{claims} nội dung kê khai (văn bản đã ban hành, hệ thống đang sử "
            f"dụng) của {units} đơn vị chưa có tài liệu kiểm chứng (số, ngày văn bản hoặc "
            "đường dẫn); đoàn kiểm tra cần đối chiếu trước khi công nhận.")
