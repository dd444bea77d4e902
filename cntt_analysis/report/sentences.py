"""Vietnamese sentences leaders read, generated from the year's facts (`facts.YearFacts`):
the summary, the decisions asked of the leaders, corrections, missing answers, the
follow-up of last year's shortcomings, and the method changes since last year. Every
output (HTML, Word, the command line) says a fact with the same sentence.
"""

from __future__ import annotations

import pandas as pd

from cntt_analysis.analysis.lineage import is_new
from cntt_analysis.labels import (
    SYNTHETIC_NOTE,
    join_vi,
    lower_first,
    vn_number,
    vn_score,
    vn_share,
)
from cntt_analysis.report.facts import YearFacts
from cntt_analysis.report.facts.decisions import ABSENT, IGNORED, NO_FIGURES
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
    NO_DATA,
    NOT_ASSESSED,
    NOT_REMEDIED,
    NOT_SUBMITTED,
    OUTCOMES,
    REMEDIED,
)


def vn_date(day) -> str:
    """"ngày 05 tháng 3 năm 2018" (Decree 30: a 0 before days under 10 and months 1, 2)."""
    month = f"{day.month:02d}" if day.month < 3 else str(day.month)
    return f"ngày {day.day:02d} tháng {month} năm {day.year}"


def _names_with_scores(frame: pd.DataFrame) -> str:
    return join_vi([f"{r.name} ({vn_score(r.score)} điểm)" for r in frame.itertuples()])


def scored_sentence(facts: YearFacts) -> str:
    """How many units were scored, per group."""
    now = facts.scores
    if now.empty:
        return f"Năm {facts.year} chưa có đơn vị nào được chấm điểm."
    parts = [f"{int(g.units)} đơn vị thuộc {lower_first(g.label)}"
             for g in facts.groups.itertuples() if g.units]
    return (f"Năm {facts.year} có {len(now)} đơn vị được chấm điểm, xếp hạng, gồm "
            f"{join_vi(parts)}.")


def register_sentence(facts: YearFacts) -> str | None:
    """Who sent on time, late or not at all; files that could not be scored."""
    if not facts.registered:
        return None
    text = (f"Về tình hình nộp báo cáo: {facts.reported}/{facts.registered} đơn vị đã nộp "
            f"({facts.on_time} đơn vị nộp đúng hạn, {facts.late} đơn vị nộp muộn)")
    missing = facts.not_reported
    if len(missing):
        names = [str(n) for n in missing.sort_values("unit_id")["name"].fillna("")]
        text += f"; {len(missing)} đơn vị chưa nộp: {join_vi(names)}"
    else:
        text += "; không có đơn vị nào chưa nộp"
    if facts.files_not_scored:
        text += (f". Có {facts.files_not_scored} tệp không được chấm điểm (không đọc được, "
                 "không xác định được đơn vị hoặc sai năm báo cáo)")
    return text + "."


def mean_change(group) -> str:
    """A group's mean change since its previous round, over the units compared with it
    only (`facts.groups` row): those scored in both years and those formed by a merger or
    a split, compared with their predecessors' mean share."""
    if pd.isna(group.prev_year):
        return ""
    prev_year = int(group.prev_year)
    if not group.common:
        return (f"; không có đơn vị nào có kết quả đầy đủ cả năm {prev_year} và năm nay để so "
                "sánh")
    diff = float(group.mean_change)
    before, after = vn_score(group.prev_mean), vn_score(group.now_mean)
    moved = ("không đổi" if diff == 0 else
             f"{'tăng' if diff > 0 else 'giảm'} {vn_score(abs(diff))} điểm")
    lineage = int(getattr(group, "lineage", 0) or 0)
    if group.common == group.units == group.prev_units and not lineage:
        return (f", {moved} so với năm {prev_year}" if diff == 0 else
                f", {moved} so với năm {prev_year} ({before})")
    left_out = (f" (không tính {int(group.incomplete)} đơn vị bỏ trống phần lớn số liệu)"
                if group.incomplete else "")
    compared = (f"{int(group.common)} đơn vị có kết quả cả hai năm{left_out}" if not lineage
                else f"{int(group.common)} đơn vị{left_out}, trong đó {lineage} đơn vị mới "
                     "sáp nhập, chia tách so với bình quân kết quả của các đơn vị trước đó")
    return (f"; so sánh được với năm {prev_year} ở {compared}: bình quân của các đơn vị này "
            f"{moved}"
            + (f" ({before})" if diff == 0 else f" (từ {before} lên {after})" if diff > 0
               else f" (từ {before} xuống {after})"))


def change_sentence(row) -> str:
    """A unit's change since last year (`facts.scores` row), naming what it is measured
    against: its own result, or — a unit formed by a merger or a split — its
    predecessors' mean share (the rule for merged units), with no rank movement."""
    if pd.isna(row["prev_score"]):
        if is_new(row.get("baseline")):
            return (f"So với năm trước: đơn vị {row['movement']}; chưa có kết quả năm trước "
                    "của các đơn vị trước đó để so sánh.")
        return "So với năm trước: đơn vị chưa có kết quả năm trước để so sánh."
    change = float(row["score_change"])
    said = ("không đổi" if change == 0 else
            f"{'tăng' if change > 0 else 'giảm'} {vn_score(abs(change))} điểm")
    prev = int(row["prev_year"])
    if is_new(row.get("baseline")):
        return (f"So với năm {prev}: đơn vị {row['movement']}; điểm {said} so với "
                f"{row['baseline_note']}; chưa so sánh thứ hạng vì năm trước đơn vị chưa được "
                "xếp hạng.")
    return (f"So với năm {prev}: điểm {said} (năm {prev}: {vn_score(row['prev_score'])} "
            f"điểm); thứ hạng {row['movement']} (so giữa các đơn vị có kết quả cả hai năm).")


def change_label(row) -> str:
    """What a unit's score change is measured against, as a short caption: "điểm so với
    năm trước", "điểm so với bình quân các đơn vị trước sáp nhập"."""
    kind = row.get("baseline")
    if kind == "merged":
        return "điểm so với bình quân các đơn vị trước sáp nhập"
    if kind == "split":
        return "điểm so với đơn vị trước chia tách"
    return "điểm so với năm trước"


def baseline_rule_sentence(scores: pd.DataFrame) -> str | None:
    """Under a table of changes that holds merged or split units: how their change is
    measured, and against what (None when it holds none)."""
    if "baseline" not in scores.columns:
        return None
    new = scores[scores["baseline"].map(is_new) & scores["prev_score"].notna()]
    if new.empty:
        return None
    listed = "; ".join(
        f"{r.name} — {'bình quân của ' if r.baseline == 'merged' else ''}{r.baseline_from} "
        f"năm {int(r.prev_year)}: {vn_score(r.prev_score)} điểm"
        for r in new.sort_values("unit_id").itertuples())
    return ("Đơn vị mới sáp nhập được so sánh với bình quân tỷ lệ điểm đạt năm trước của các "
            "đơn vị trước sáp nhập, đơn vị mới chia tách với tỷ lệ điểm đạt của đơn vị trước "
            "chia tách (cách tính cho đơn vị sau sáp nhập); các đơn vị này chưa có thứ hạng "
            f"năm trước nên không so sánh thứ hạng. Mức so sánh: {listed}.")


def group_sentences(facts: YearFacts) -> list[str]:
    """Per group with scores: units, mean, its change since last year, the best unit(s)."""
    sentences = []
    for g in facts.groups.itertuples():
        if not g.units:
            continue
        text = f"{g.label}: {int(g.units)} đơn vị, điểm bình quân {vn_score(g.mean)}"
        text += mean_change(g)
        best = facts.scores[(facts.scores["group"] == g.group)
                            & (facts.scores["score"] == g.best_score)].sort_values("unit_id")
        if len(best) == 1:
            text += f"; dẫn đầu là {_names_with_scores(best)}"
        else:
            text += (f"; dẫn đầu là {join_vi([str(n) for n in best['name']])} "
                     f"(cùng {vn_score(g.best_score)} điểm)")
        sentences.append(text + ".")
    return sentences


def tier_sentence(facts: YearFacts) -> str:
    counts = facts.scores["tier"].value_counts()
    return "Kết quả xếp loại: " + ", ".join(
        f"{int(counts.get(t, 0))} đơn vị {t}" for t in facts.tiers) + "."


def remedy_rule(facts: YearFacts) -> str:
    """"xếp loại Trung bình, Yếu hoặc có tiêu chí đạt dưới 50%" (the rubric's policy)."""
    tiers = ", ".join(facts.remedy_tiers)
    floor = vn_number(facts.criterion_floor, 0)
    return (f"xếp loại {tiers} hoặc có tiêu chí đạt dưới {floor}%" if tiers
            else f"có tiêu chí đạt dưới {floor}%")


def remedy_sentence(facts: YearFacts, max_named: int = 5) -> str:
    """The units directed to remedy (lowest first, at most `max_named` named); when there
    are none, the lowest unit of each group."""
    weak = facts.remedy.sort_values(["score", "unit_id"])
    if len(weak):
        named = [f"{r.name} ({vn_score(r.score)} điểm, {r.tier})"
                 for r in weak.head(max_named).itertuples()]
        if len(weak) > max_named:
            named.append(f"{len(weak) - max_named} đơn vị khác")
        return (f"Có {len(weak)} đơn vị {remedy_rule(facts)} cần chỉ đạo khắc phục: "
                f"{join_vi(named)}.")
    lowest = []
    for g in facts.groups.itertuples():
        if not g.units:
            continue
        part = facts.scores[(facts.scores["group"] == g.group)
                            & (facts.scores["score"] == g.weakest_score)].sort_values("unit_id")
        lowest.append(f"{lower_first(g.short)} là {_names_with_scores(part)}")
    return (f"Không có đơn vị nào {remedy_rule(facts)} phải chỉ đạo khắc phục; điểm thấp nhất "
            + "; ".join(lowest) + ".")


def incomplete_sentence(facts: YearFacts) -> str | None:
    """Mostly blank submissions: said to be incomplete, not weak."""
    blank = facts.incomplete
    if blank.empty:
        return None
    named = join_vi([f"{r.name} ({int(r.missing)}/{int(r.required)} mục bắt buộc bỏ trống)"
                     for r in blank.itertuples()])
    these = "đơn vị này" if len(blank) == 1 else "các đơn vị này"
    return (f"Có {len(blank)} đơn vị gửi báo cáo bỏ trống phần lớn số liệu nên chưa đủ căn cứ "
            f"đánh giá: {named}; điểm của {these} chỉ tính trên số liệu đã ghi, cần bổ sung "
            "đầy đủ số liệu.")


def criteria_sentence(facts: YearFacts, n_criteria: int = 2) -> str | None:
    """The criteria with the lowest mean percentage across all units ("toàn Sở": the
    organisation's `whole`)."""
    low = facts.criteria.dropna(subset=["percent"]).head(n_criteria)
    if low.empty:
        return None
    listed = [f"{r.criterion}. {r.name} (bình quân {vn_share(r.percent)})"
              for r in low.itertuples()]
    return (f"{'Các tiêu chí' if len(listed) > 1 else 'Tiêu chí'} có tỷ lệ điểm đạt bình quân "
            f"thấp nhất {facts.organisation.whole}: {join_vi(listed)}.")


def summary_sentences(facts: YearFacts, synthetic: bool = False, n_criteria: int = 2,
                      max_named: int = 5) -> list[str]:
    """A few Vietnamese sentences on the year's results.

    In order: the synthetic-data note (when `synthetic`); units assessed per group; who sent
    on time, late or not at all; per group the mean score, its change since the group's
    previous round (over the units scored in both years) and the best unit(s); the tier
    counts; the units directed to remedy (or the lowest of each group); the mostly blank
    submissions; the `n_criteria` criteria with the lowest mean percentage.
    """
    first = [SYNTHETIC_NOTE] if synthetic else []
    if facts.scores.empty:
        return [*first, scored_sentence(facts)]
    said = [scored_sentence(facts), register_sentence(facts), *group_sentences(facts),
            tier_sentence(facts), remedy_sentence(facts, max_named),
            incomplete_sentence(facts), criteria_sentence(facts, n_criteria)]
    return [*first, *(s for s in said if s)]


def partial_sentence(facts: YearFacts) -> str | None:
    """The warning every output carries while most registered units have not reported."""
    if not facts.partial:
        return None
    return (f"Đợt đánh giá năm {facts.year} chưa đầy đủ: mới có {facts.reported}/"
            f"{facts.registered} đơn vị nộp báo cáo. Điểm và thứ hạng là tạm thời; so sánh "
            "với năm trước chỉ tính các đơn vị có kết quả cả hai năm.")


def model_rule(facts: YearFacts) -> str:
    """The department's rule for models, in words."""
    rule = facts.policy
    parts = [f"xếp loại {join_vi(list(rule.model_tiers))}"]
    parts.append("không có tồn tại, hạn chế nào" if rule.max_shortcomings == 0 else
                 f"có không quá {rule.max_shortcomings} tồn tại, hạn chế")
    parts.append("mọi nội dung kê khai đều có tài liệu kiểm chứng"
                 if rule.max_claims_without_evidence == 0 else
                 f"không quá {rule.max_claims_without_evidence} nội dung kê khai chưa có tài "
                 "liệu kiểm chứng")
    return join_vi(parts)


def models_sentence(facts: YearFacts) -> str:
    chosen = facts.models
    if chosen.empty:
        return f"Năm {facts.year} không có đơn vị nào {model_rule(facts)}."
    return (f"Đề xuất {len(chosen)} đơn vị {model_rule(facts)} là điển hình tiên tiến, đề "
            f"nghị xem xét biểu dương, khen thưởng: {_names_with_scores(chosen)}.")


def unscored_sentence(unscored: pd.DataFrame) -> str | None:
    """Registered units of a ranking that have no score, and why (`facts.unscored` rows)."""
    if unscored.empty:
        return None
    listed = join_vi([f"{r.name} ({r.reason})" for r in unscored.itertuples()])
    return (f"{len(unscored)} đơn vị trong danh mục chưa có kết quả nên không có trong bảng "
            f"xếp hạng: {listed}.")


# Units the leaders' page names one by one in a decision; more are counted per group, and
# the weakest named: a province's 130 communes in one sentence is not read (the report's
# remedy section, the results workbook and the documents list every one).
NAMED_IN_A_DECISION = 10
WEAKEST_NAMED = 5


def _remedy_units(facts: YearFacts) -> str:
    """": A, B và C" — or, for more than `NAMED_IN_A_DECISION` units, how many of each group
    and the `WEAKEST_NAMED` lowest scores."""
    remedy = facts.remedy
    if len(remedy) <= NAMED_IN_A_DECISION:
        return f": {join_vi(list(remedy['name']))}"
    counts = remedy["group"].value_counts()
    per_group = "; ".join(f"{int(counts[g.group])} đơn vị thuộc {lower_first(g.label)}"
                          for g in facts.groups.itertuples() if g.group in counts)
    weakest = remedy.sort_values(["score", "unit_id"]).head(WEAKEST_NAMED)
    return f" ({per_group}), điểm thấp nhất là {_names_with_scores(weakest)}"


def decisions(facts: YearFacts) -> list[str]:
    """What the leaders are asked to decide (page 1), each naming the units the documents
    name."""
    asked = []
    if len(facts.models):
        asked.append(f"Biểu dương, khen thưởng {len(facts.models)} đơn vị điển hình tiên "
                     f"tiến ({model_rule(facts)}): {_names_with_scores(facts.models)}.")
    else:
        asked.append(f"Không có đơn vị nào đủ điều kiện đề xuất điển hình tiên tiến "
                     f"({model_rule(facts)}).")
    if len(facts.remedy):
        asked.append(f"Yêu cầu {len(facts.remedy)} đơn vị khắc phục tồn tại, hạn chế và báo "
                     f"cáo kết quả trước {vn_date(facts.remedy_deadline)}"
                     f"{_remedy_units(facts)}.")
    if len(facts.incomplete):
        asked.append(f"Yêu cầu {len(facts.incomplete)} đơn vị bổ sung báo cáo còn bỏ trống "
                     f"phần lớn số liệu: {join_vi(list(facts.incomplete['name']))}.")
    missing = facts.not_reported
    if len(missing):
        asked.append(f"Chỉ đạo {len(missing)} đơn vị chưa nộp báo cáo nộp ngay để được chấm "
                     f"điểm: {join_vi(list(missing['name']))}.")
    if len(facts.corrections):
        asked.append(f"Thông qua kết quả kiểm tra, thẩm định: {len(facts.corrections)} số liệu "
                     f"của {facts.corrected_units} đơn vị được điều chỉnh.")
    if len(facts.unit_errors):
        asked.append(f"Giao {facts.organisation.assessor} xác minh {len(facts.unit_errors)} lỗi "
                     "số liệu với các đơn vị trước khi công bố kết quả chính thức.")
    if len(facts.inspection_errors):
        asked.append(f"Đề nghị đoàn kiểm tra sửa {len(facts.inspection_errors)} mục không hợp "
                     "lệ trong tệp kiểm tra, thẩm định (các điều chỉnh này chưa được áp dụng).")
    if (supplied := supplier_sentence(facts)) is not None:
        asked.append(supplied)
    return asked


def inspection_candidate_sentence(facts: YearFacts) -> str | None:
    """Files that look like the inspectors' workbook but are not the round's inspection
    file: their corrections are not applied until the IT Centre declares one."""
    issues = facts.issues
    if issues.empty or "code" not in issues:
        return None
    files = sorted(set(issues.loc[issues["code"] == "inspection_candidate", "file"]))
    if not files:
        return None
    named = ", ".join(f"“{name}”" for name in files)
    return (f"Có tệp giống tệp kiểm tra, thẩm định nhưng chưa được xác nhận: {named}; các "
            "điều chỉnh trong tệp chưa được áp dụng. Nếu đúng là tệp kiểm tra của Trung tâm "
            "CNTT, khai báo tệp ở mục inspection của round.yaml (xem trang “Vấn đề dữ liệu”).")


def supplier_sentence(facts: YearFacts) -> str | None:
    """Figures the appraiser or a system has not supplied (or not readably): who must
    supply them — never the units."""
    errors = facts.supplier_errors
    if errors.empty:
        return None
    appraiser = int((errors["code"] == "supplied_missing").sum())
    system = len(errors) - appraiser
    parts = []
    if appraiser:
        parts.append(f"cơ quan thẩm định cung cấp {appraiser} số liệu còn thiếu trong tệp "
                     "kiểm tra, thẩm định")
    if system:
        parts.append(f"xử lý {system} lỗi về số liệu lấy từ hệ thống (tệp xuất chưa có, thiếu "
                     "đơn vị hoặc số liệu không hợp lệ)")
    return (f"Đề nghị {join_vi(parts)}; các chỉ tiêu dùng những số liệu này tạm được 0 điểm "
            "và không bị coi là tồn tại của đơn vị (đơn vị không phải báo cáo các số liệu "
            "này).")


def finalise_objections(facts: YearFacts) -> list[str]:
    """Why a round should not be finalised yet: a partial round, open data errors."""
    objections = []
    if facts.partial:
        objections.append(f"đợt đánh giá chưa đầy đủ (mới có {facts.reported}/"
                          f"{facts.registered} đơn vị nộp báo cáo)")
    if len(facts.unit_errors):
        objections.append(f"còn {len(facts.unit_errors)} lỗi số liệu chưa xác minh với đơn vị")
    if len(facts.inspection_errors):
        objections.append(f"còn {len(facts.inspection_errors)} mục không hợp lệ trong tệp "
                          "kiểm tra, thẩm định")
    if len(facts.supplier_errors):
        objections.append(f"còn {len(facts.supplier_errors)} lỗi về số liệu do cơ quan thẩm "
                          "định hoặc hệ thống cung cấp")
    return objections


def corrections_sentence(facts: YearFacts) -> str:
    """What the inspectors changed: their corrections only (knock-on points are not)."""
    if not facts.inspected:
        return ("Chưa có kết quả kiểm tra, thẩm định: điểm là điểm theo số liệu đơn vị tự báo "
                "cáo.")
    if facts.corrections.empty:
        return "Đoàn kiểm tra không điều chỉnh số liệu nào của các đơn vị."
    return (f"Đoàn kiểm tra đã điều chỉnh {len(facts.corrections)} số liệu của "
            f"{facts.corrected_units} đơn vị; điểm và thứ hạng là kết quả sau kiểm tra.")


def knock_on_sentence(facts: YearFacts) -> str | None:
    """Points that moved at other units because of the corrections, said as such."""
    moved = facts.knock_on
    if moved.empty:
        return None
    indicators = sorted({i for ind in moved["indicators"] for i in str(ind).split(", ")})
    causes = join_vi(sorted(set(", ".join(moved["causes"]).split(", ")) - {""}))
    these = "đơn vị này" if len(moved) == 1 else "các đơn vị này"
    return (f"Điều chỉnh số liệu của {causes} làm thay đổi điểm chỉ tiêu "
            f"{', '.join(indicators)} của {len(moved)} đơn vị khác (chỉ tiêu chấm so với "
            f"đơn vị cao nhất khối); số liệu của {these} không bị điều chỉnh.")


def unit_knock_on_sentence(row) -> str:
    """One unit's knock-on points (`facts.knock_on` row)."""
    before, after = float(row.points_before), float(row.points_after)
    moved = "tăng" if after > before else "giảm"
    to = "lên" if after > before else "xuống"
    return (f"Điểm chỉ tiêu {row.indicators} {moved} từ {vn_score(before)} {to} "
            f"{vn_score(after)} do điều chỉnh số liệu của {row.caused_by} (chỉ tiêu chấm so "
            "với đơn vị cao nhất khối); số liệu của đơn vị không bị điều chỉnh.")


def incomplete_unit_sentence(row, assessment: str = "") -> str:
    """Beside a mostly blank unit's score (`facts.scores` row): what the score is worth;
    `assessment` is what the assessment is called (`facts.organisation.assessment`)."""
    what = f"kết quả {assessment}" if assessment else "kết quả"
    return (f"Báo cáo của đơn vị bỏ trống {int(row['missing'])}/{int(row['required'])} mục bắt "
            "buộc nên điểm, xếp loại trên chỉ tính theo số liệu đã ghi, chưa đủ căn cứ đánh "
            f"giá {what} của đơn vị.")


def missing_answers_sentence(facts: YearFacts, unit_id: str) -> str | None:
    """A unit's required answers left blank: missing data, to complete."""
    mine = facts.records_of_unit("missing_answers", unit_id)
    if not mine:
        return None
    row = facts.unit(unit_id)
    if row is not None and bool(row["incomplete"]):
        return (f"Báo cáo của đơn vị bỏ trống {len(mine)}/{int(row['required'])} mục bắt buộc "
                "nên chưa đủ căn cứ đánh giá; các chỉ tiêu dùng những mục này được 0 điểm theo "
                "phiếu đánh giá. Đề nghị đơn vị bổ sung đầy đủ các mục dưới đây:")
    return (f"Báo cáo của đơn vị còn bỏ trống {len(mine)} mục bắt buộc (chưa có số liệu, "
            "không phải tồn tại, hạn chế); các chỉ tiêu dùng những mục này được 0 điểm theo "
            "phiếu đánh giá. Đề nghị đơn vị bổ sung:")


def unit_evidence_sentence(facts: YearFacts, unit_id: str) -> str | None:
    """A unit's claims whose evidence is missing or names no document, said to the unit:
    what to add (not a shortcoming: points do not depend on it)."""
    documents = facts.records_of_unit("documents", unit_id)
    lacking = [r for r in documents if not bool(r.identified)]
    if not lacking:
        return None
    which = f"cả {len(lacking)}" if len(lacking) == len(documents) > 1 else str(len(lacking))
    return (f"Đơn vị kê khai {len(documents)} nội dung cần tài liệu kiểm chứng; "
            f"{which} nội dung chưa có tài liệu kiểm chứng hoặc tài liệu chưa ghi rõ số, "
            "ký hiệu, ngày văn bản hay đường dẫn. Đề nghị đơn vị bổ sung (ghi loại, số, ký "
            "hiệu, ngày và trích yếu văn bản, hoặc đường dẫn đến hệ thống):")


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


def follow_up_sentences(facts: YearFacts) -> list[str]:
    """What the leaders learn about last year's directions (`facts.follow_up`)."""
    return follow_up_text(facts.follow_up, facts.follow_up_units)


def follow_up_text(follow: pd.DataFrame, units: pd.DataFrame) -> list[str]:
    """The follow-up in sentences: outcome counts, then the units that remedied nothing,
    those whose answers are missing (not "not remedied") and those that did not report.
    `units` is `facts.follow_up_units` (name, state)."""
    if follow.empty:
        return ["Năm trước không có tồn tại, hạn chế nào cần theo dõi khắc phục."]
    counts = follow["outcome"].value_counts()
    parts = [f"{counts.get(o, 0)} {o.lower()}" for o in (REMEDIED, IMPROVED, NOT_REMEDIED)]
    if counts.get(NO_DATA, 0):
        parts.append(f"{counts[NO_DATA]} chưa có số liệu để đánh giá")
    if counts.get(NOT_SUBMITTED, 0):
        parts.append(f"{counts[NOT_SUBMITTED]} của đơn vị không nộp báo cáo")
    if counts.get(NOT_ASSESSED, 0):
        parts.append(f"{counts[NOT_ASSESSED]} không còn được đánh giá")
    found_at = follow["previous_unit_id"] if "previous_unit_id" in follow.columns \
        else follow["unit_id"]
    text = (f"Trong {len(follow)} tồn tại, hạn chế của {found_at.nunique()} đơn vị "
            f"được chỉ ra năm {int(follow['previous_year'].iloc[0])}: "
            + ", ".join(parts[:-1]) + f" và {parts[-1]}")
    sentences = [text + "."]
    if (carried := carried_sentence(follow)) is not None:
        sentences.append(carried)

    def names(state: str) -> str:
        return ", ".join(str(n) for n in units.loc[units["state"] == state, "name"])

    if names(IGNORED):
        sentences.append(f"Đơn vị chưa khắc phục được tồn tại nào: {names(IGNORED)}.")
    if names(NO_FIGURES):
        sentences.append("Đơn vị bỏ trống số liệu nên chưa đánh giá được việc khắc phục tồn "
                         f"tại, hạn chế năm trước: {names(NO_FIGURES)}.")
    if names(ABSENT):
        sentences.append(f"Đơn vị không nộp báo cáo năm nay nên chưa đánh giá được việc khắc "
                         f"phục tồn tại, hạn chế năm trước: {names(ABSENT)}.")
    return sentences


def _carried(follow: pd.DataFrame) -> pd.DataFrame:
    """Follow-up rows judged on another unit than the one they were found at."""
    if "previous_unit_id" not in follow.columns:
        return follow.iloc[0:0]
    return follow[follow["previous_unit_id"] != follow["unit_id"]]


def carried_sentence(follow: pd.DataFrame) -> str | None:
    """Shortcomings of units merged or split since, followed up on their successors."""
    carried = _carried(follow)
    if carried.empty:
        return None
    name = "name" if "name" in carried.columns else "unit_id"
    before = "previous_name" if "previous_name" in carried.columns else "previous_unit_id"
    pairs = []
    for _unit, part in carried.groupby("unit_id", sort=True):
        olds = join_vi(sorted({str(n) for n in part[before]}))
        pairs.append(f"{part[name].iloc[0]} (từ {olds})")
    return (f"{len(carried)} tồn tại, hạn chế của các đơn vị đã sáp nhập, chia tách được theo "
            f"dõi khắc phục ở đơn vị kế tiếp: {join_vi(pairs)}.")


def unit_follow_up_sentence(follow: pd.DataFrame, notified_by: str = "") -> str:
    """One unit's follow-up of last year's shortcomings (its `facts.follow_up` rows),
    naming the units they were notified to when it was formed by a merger or a split;
    `notified_by` is who notified them (``facts.organisation.short``, "Sở")."""
    counts = follow["outcome"].value_counts()
    parts = [f"{counts[o]} {o.lower()}" for o in OUTCOMES if counts.get(o, 0)]
    year = int(follow["previous_year"].iloc[0])
    carried = _carried(follow)
    who = f" {notified_by}" if notified_by else ""
    if carried.empty:
        return (f"Trong {len(follow)} tồn tại, hạn chế{who} đã thông báo năm {year}: "
                f"{join_vi(parts)}.")
    before = "previous_name" if "previous_name" in carried.columns else "previous_unit_id"
    olds = join_vi(sorted({str(n) for n in carried[before]}))
    return (f"Trong {len(follow)} tồn tại, hạn chế{who} đã thông báo năm {year} cho {olds} "
            f"(trước sáp nhập, chia tách; nay đơn vị tiếp tục khắc phục): {join_vi(parts)}.")


def error_counts_sentence(facts: YearFacts) -> str:
    """How many data errors remain, each said to whom it belongs."""
    unit_errors, inspection_errors = len(facts.unit_errors), len(facts.inspection_errors)
    supplier_errors = len(facts.supplier_errors)
    if not unit_errors and not inspection_errors and not supplier_errors:
        return "Không còn lỗi số liệu nào phải xác minh."
    parts = []
    if unit_errors:
        parts.append(f"Có {unit_errors} lỗi số liệu phải xác minh lại với đơn vị (chi tiết "
                     "trong bảng kết quả Excel và phần phân tích)")
    if inspection_errors:
        parts.append(f"{'có' if parts else 'Có'} {_inspection_errors(facts)}")
    if supplier_errors:
        parts.append(f"{'có' if parts else 'Có'} {supplier_errors} lỗi về số liệu do cơ quan "
                     "thẩm định hoặc hệ thống cung cấp (không phải lỗi của đơn vị)")
    return "; ".join(parts) + "."


def _inspection_errors(facts: YearFacts) -> str:
    return (f"{len(facts.inspection_errors)} mục không hợp lệ trong tệp kiểm tra, thẩm định "
            "do đoàn kiểm tra sửa")


def inspection_errors_sentence(facts: YearFacts) -> str | None:
    """The inspection file's own invalid entries (their corrections are not applied)."""
    if facts.inspection_errors.empty:
        return None
    return f"Có {_inspection_errors(facts)} (các điều chỉnh này chưa được áp dụng)."


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


def evidence_sentence(facts: YearFacts) -> str | None:
    """How many claims cite no evidence (tài liệu kiểm chứng), in how many units."""
    counts = facts.evidence
    if counts.empty:
        return None
    claims = int(counts["claims"].sum())
    missing = int(counts["without_evidence"].sum())
    units = int((counts["without_evidence"] > 0).sum())
    if missing == 0:
        return (f"Tất cả {claims} nội dung kê khai (văn bản đã ban hành, hệ thống đang sử "
                "dụng) đều có tài liệu kiểm chứng.")
    return (f"Có {missing}/{claims} nội dung kê khai (văn bản đã ban hành, hệ thống đang sử "
            f"dụng) của {units} đơn vị chưa có tài liệu kiểm chứng (số, ngày văn bản hoặc "
            "đường dẫn); đoàn kiểm tra cần đối chiếu trước khi công nhận.")


# What each kind of data issue is, in a word or two (intake.issues.CATALOGUE's codes): the
# first thing a clerk reads of an issue, before its message; the code itself comes last.
ISSUE_KINDS = {
    "file_unreadable": "Tệp không mở được",
    "file_too_large": "Tệp quá lớn hoặc bị hỏng",
    "file_password": "Tệp có mật khẩu",
    "formula_no_value": "Công thức chưa lưu kết quả",
    "implausible": "Số liệu lớn bất thường",
    "report_date_implausible": "Ngày lập báo cáo không hợp lý",
    "answer_not_found": "Không tìm thấy ô trả lời",
    "unit_unknown": "Không xác định được đơn vị",
    "unit_name_mismatch": "Tên đơn vị khác biểu mẫu",
    "template_other_form": "Biểu mẫu của năm hoặc phiếu khác",
    "year_mismatch": "Sai năm báo cáo",
    "required": "Bỏ trống mục bắt buộc",
    "not_number": "Không đọc được thành số",
    "negative": "Số âm",
    "fractional": "Không phải số nguyên",
    "too_small": "Nhỏ hơn mức tối thiểu",
    "not_yes_no": "Không phải Có/Không",
    "unknown_choice": "Lựa chọn không có trong danh sách",
    "na_not_allowed": "Không được trả lời “Không áp dụng”",
    "bad_date": "Ngày không hợp lệ",
    "bad_year": "Năm không hợp lệ",
    "exceeds": "Vượt quá giới hạn",
    "evidence_missing": "Thiếu tài liệu kiểm chứng",
    "evidence_not_asked": "Biểu mẫu cũ, chưa có cột kiểm chứng",
    "evidence_unidentified": "Tài liệu kiểm chứng không ghi rõ số, ngày",
    "evidence_bad_date": "Ngày văn bản kiểm chứng không có thật",
    "late": "Nộp muộn",
    "report_date_unknown": "Không rõ ngày lập báo cáo",
    "superseded": "Bản đã được thay thế",
    "missing": "Chưa nộp báo cáo",
    "inspection_columns": "Tệp kiểm tra thiếu cột",
    "inspection_not_confirmed": "Tệp kiểm tra chưa được xác nhận",
    "inspection_candidate": "Tệp giống tệp kiểm tra",
    "correction_conflict": "Các dòng kiểm tra mâu thuẫn nhau",
    "correction_unit_unknown": "Điều chỉnh cho đơn vị không có trong danh mục",
    "correction_code_unknown": "Điều chỉnh cho mục không có trong phiếu",
    "correction_not_submitted": "Điều chỉnh cho đơn vị chưa có bài nộp",
    "correction_invalid": "Số liệu kiểm tra không hợp lệ",
    "correction_system_input": "Điều chỉnh số liệu lấy từ hệ thống",
    "supplied_missing": "Chưa có số liệu thẩm định",
    "supplied_not_assessed": "Số liệu thẩm định cho chỉ tiêu không đánh giá",
    "import_file_missing": "Thiếu tệp xuất từ hệ thống",
    "import_unreadable": "Tệp xuất từ hệ thống không đọc được",
    "import_columns": "Tệp xuất từ hệ thống thiếu cột",
    "import_invalid": "Số liệu từ hệ thống không hợp lệ",
    "import_missing": "Chưa có số liệu từ hệ thống",
    "import_unit_twice": "Đơn vị lặp lại trong tệp xuất",
    "import_unit_unknown": "Tệp xuất ghi đơn vị không xác định",
}


def issue_kind(code: object) -> str:
    """An issue's kind in Vietnamese ("Vấn đề khác" for a code not listed yet)."""
    return ISSUE_KINDS.get(str(code), "Vấn đề khác")
