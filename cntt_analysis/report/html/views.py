"""Tables as readers see them: which columns, in what order, under which Vietnamese header.

Each function returns an escaped HTML block ready to display; a table (`blocks.Table`) also
keeps the DataFrame it shows as ``.frame`` (Vietnamese headers), for analysts to re-sort.
"""

from __future__ import annotations

from collections import Counter
from typing import Any

import pandas as pd
from IPython.display import HTML

from cntt_analysis.intake.issues import SEVERITY_LABELS
from cntt_analysis.report.html.blocks import table
from cntt_analysis.rubric.model import Rubric


def criterion_columns(rubric: Rubric) -> dict[str, tuple[str, str]]:
    """The criterion percentage columns, headed by the criterion's code and short name."""
    return {c.code: (f"{c.code} {c.short} (%)", "percent") for c in rubric.criteria}


def ranking(scores: pd.DataFrame, rubric: Rubric, movement: pd.DataFrame | None = None
            ) -> HTML:
    """Rank, unit, score, tier (and the score's change and rank movement when given: the
    facts' scores carry them already), then the criterion percentages. What a leader
    compares first comes first: on a phone the name, score, tier and change fit the screen
    and the rest scrolls."""
    frame = scores.sort_values(["rank", "unit_id"])
    columns = {"rank": ("Hạng", "int"), "name": ("Đơn vị", "text"),
               "score": ("Điểm", "number"), "tier": ("Xếp loại", "tier")}
    if movement is not None:
        wanted = [c for c in ("movement", "score_change") if c not in frame.columns]
        if wanted:
            frame = frame.merge(movement[["year", "unit_id", *wanted]],
                                on=["year", "unit_id"], how="left")
        columns["score_change"] = ("Điểm tăng/giảm so với năm trước", "change")
        columns["movement"] = ("Thứ hạng so với năm trước", "text")
    return table(frame, columns | criterion_columns(rubric))


def register(register: pd.DataFrame, rubric: Rubric) -> HTML:
    frame = register.assign(group_vi=register["group"].map(
        lambda g: rubric.group_label(g, short=True) if isinstance(g, str) else ""))
    return table(frame, {"name": ("Đơn vị", "text"), "group_vi": ("Khối", "text"),
                         "status": ("Tình trạng", "text"), "file": ("Tệp", "text"),
                         "report_date": ("Ngày lập báo cáo", "date")})


def issues(issues: pd.DataFrame, names: dict[str, str] | None = None,
           with_unit: bool = True) -> HTML:
    """Data issues with file, sheet and cell, errors first."""
    from cntt_analysis.report.sentences import plain_value

    frame = issues.assign(
        value=issues["value"].map(plain_value),
        severity_vi=issues["severity"].map(SEVERITY_LABELS),
        unit=_unit_names(issues["unit_id"], names),
        _o=issues["severity"].map({"error": 0, "warning": 1}))
    frame = frame.sort_values(["_o", "unit", "file", "sheet", "cell"], kind="stable")
    columns = {"severity_vi": ("Mức độ", "text")}
    if with_unit:
        columns["unit"] = ("Đơn vị", "text")
    columns |= {"file": ("Tệp", "text"), "sheet": ("Trang", "text"), "cell": ("Ô", "code"),
                "value": ("Giá trị", "text"), "message": ("Nội dung", "text")}
    return table(frame, columns, empty="Không có vấn đề nào về số liệu.")


def _unit_names(unit_ids: pd.Series, names: dict[str, str] | None) -> pd.Series:
    """Each issue's unit by its name (its id when not registered; an issue of no unit:
    "(chưa xác định)")."""
    return unit_ids.map(lambda u: (names or {}).get(u, u) if isinstance(u, str)
                        else "(chưa xác định)")


def errors_by_unit(errors: pd.DataFrame, names: dict[str, str] | None = None) -> HTML:
    """Data errors counted per unit, the most first, with their files and kinds
    (`sentences.issue_kind`): a long list summed up (each cell is in `issues`)."""
    from cntt_analysis.report.sentences import issue_kind

    rows = []
    for name, part in errors.assign(unit=_unit_names(errors["unit_id"], names)).groupby(
            "unit", sort=True):
        kinds = Counter(part["code"].map(issue_kind))
        rows.append({"unit": name, "errors": len(part),
                     "file": ", ".join(sorted(set(part["file"].dropna().astype(str)))),
                     "kinds": "; ".join(f"{kind} ({n})" for kind, n in kinds.most_common())})
    frame = pd.DataFrame(rows, columns=["unit", "errors", "file", "kinds"])
    frame = frame.sort_values("errors", ascending=False, kind="stable")
    return table(frame, {"unit": ("Đơn vị", "text"), "file": ("Tệp", "text"),
                         "errors": ("Số lỗi", "int"), "kinds": ("Loại lỗi", "text")},
                 empty="Không có vấn đề nào về số liệu.")


def group_averages(averages: pd.DataFrame, rubric: Rubric) -> HTML:
    frame = averages.assign(group_vi=averages["group"].map(rubric.group_short))
    columns = {"year": ("Năm", "int"), "group_vi": ("Khối", "text"),
               "units": ("Số đơn vị", "int"), "mean_score": ("Điểm bình quân", "number")}
    return table(frame, columns | criterion_columns(rubric))


def weakest_indicators(weakest: pd.DataFrame) -> HTML:
    """Indicators by the share of their points lost across the Department (facts)."""
    return table(weakest, {"indicator": ("Chỉ tiêu", "code"), "label": ("Nội dung", "text"),
                           "lost_percent": ("Tỷ lệ điểm bị mất (%)", "percent"),
                           "total_lost": ("Tổng điểm bị mất", "number"),
                           "mean_lost": ("Bình quân mỗi đơn vị", "number"),
                           "units_losing": ("Số đơn vị bị mất điểm", "int")})


def unit_indicators(profile: pd.DataFrame) -> HTML:
    return table(profile, {"indicator": ("Chỉ tiêu", "code"), "label": ("Nội dung", "text"),
                           "answers": ("Số liệu", "text"), "points": ("Điểm", "number"),
                           "max_points": ("Tối đa", "number"), "lost": ("Bị mất", "number"),
                           "status": ("Trạng thái", "text")})


def unit_weaknesses(weak: pd.DataFrame,
                    empty: str = "Đơn vị không bị mất điểm ở chỉ tiêu nào.") -> HTML:
    """Shortcomings with their remedy (say in `empty` what an empty table means)."""
    return table(weak, {"indicator": ("Chỉ tiêu", "code"), "label": ("Nội dung", "text"),
                        "points": ("Điểm", "number"), "max_points": ("Tối đa", "number"),
                        "remedy": ("Hướng khắc phục", "text")}, empty=empty)


def points_to_gain(weak: pd.DataFrame) -> HTML:
    """Indicators that lost points below the shortcoming threshold: points still to gain."""
    return table(weak, {"indicator": ("Chỉ tiêu", "code"), "label": ("Nội dung", "text"),
                        "points": ("Điểm", "number"), "max_points": ("Tối đa", "number"),
                        "lost": ("Còn có thể tăng", "number")},
                 empty="Không có chỉ tiêu nào khác bị mất điểm.")


def unscored(units: pd.DataFrame) -> HTML:
    """Registered units without a score, and why."""
    return table(units, {"name": ("Đơn vị", "text"), "reason": ("Lý do chưa có kết quả", "text")},
                 empty="Mọi đơn vị trong danh mục đều có kết quả.")


def group_leaders(groups: pd.DataFrame) -> HTML:
    """Best and weakest unit of each group (page 1 of the annual report; `facts.groups`)."""
    return table(groups, {"short": ("Khối", "text"), "units": ("Số đơn vị", "int"),
                         "best": ("Cao điểm nhất", "text"), "best_score": ("Điểm", "number"),
                         "weakest": ("Thấp điểm nhất", "text"),
                         "weakest_score": ("Điểm", "number")}, layout="stack")


def units_to_remedy(remedy: pd.DataFrame) -> HTML:
    return table(remedy, {"name": ("Đơn vị", "text"), "score": ("Điểm", "number"),
                          "tier": ("Xếp loại", "tier"), "reasons": ("Lý do", "text"),
                          "weak_indicators": ("Tồn tại, hạn chế chính", "text"),
                          "remedies": ("Yêu cầu khắc phục", "text")},
                 empty="Không có đơn vị nào phải khắc phục.", layout="stack")


def units_to_remedy_by_code(remedy: pd.DataFrame) -> HTML:
    """The units to remedy with their indicators' codes only (a long list: each remedy is
    said once, in `remedies_by_indicator`)."""
    return table(remedy, {"name": ("Đơn vị", "text"), "score": ("Điểm", "number"),
                          "tier": ("Xếp loại", "tier"), "reasons": ("Lý do", "text"),
                          "weak_codes": ("Chỉ tiêu phải khắc phục", "text")},
                 empty="Không có đơn vị nào phải khắc phục.")


def remedies_by_indicator(remedies: pd.DataFrame) -> HTML:
    """Each remedy once, with how many units to remedy list its indicator
    (`analysis.remedies_by_indicator`)."""
    return table(remedies, {"indicator": ("Chỉ tiêu", "code"), "label": ("Nội dung", "text"),
                            "units": ("Số đơn vị", "int"),
                            "remedy": ("Yêu cầu khắc phục", "text")})


def tier_changes(changes: pd.DataFrame) -> HTML:
    return table(changes, {"name": ("Đơn vị", "text"), "from_tier": ("Năm trước", "tier"),
                           "to_tier": ("Năm nay", "tier"), "change": ("Thay đổi", "text")},
                 empty="Không có đơn vị nào thay đổi xếp loại.")


def method(rubric: Rubric) -> HTML:
    """The rubric as an appendix: criteria, indicators and their maxima."""
    rows = [{"criterion": f"{c.code}. {c.name}", "indicator": i.code, "label": i.label,
             "max": float(i.max_points)} for c in rubric.criteria for i in c.indicators]
    return table(pd.DataFrame(rows), {"criterion": ("Tiêu chí", "text"),
                                      "indicator": ("Mã", "code"),
                                      "label": ("Chỉ tiêu", "text"),
                                      "max": ("Điểm tối đa", "number")})


def self_vs_verified(gaps: pd.DataFrame) -> HTML:
    """Units whose self-assessment differed most from the inspection's verified score."""
    return table(gaps, {"name": ("Đơn vị", "text"), "self_score": ("Tự đánh giá", "number"),
                        "score": ("Sau kiểm tra", "number"),
                        "score_gap": ("Chênh lệch", "number"),
                        "self_tier": ("Xếp loại tự đánh giá", "tier"),
                        "tier": ("Xếp loại sau kiểm tra", "tier")},
                 empty="Số liệu sau kiểm tra trùng với số liệu đơn vị tự báo cáo.")


def corrections(audit: pd.DataFrame, with_unit: bool = True) -> HTML:
    """The inspectors' corrections (`facts.corrections`)."""
    columns = {"name": ("Đơn vị", "text")} if with_unit else {}
    columns |= {"code": ("Mục", "code"), "cell": ("Ô", "code"),
                "reported": ("Đơn vị báo cáo", "text"), "verified": ("Kiểm tra", "text"),
                "indicators": ("Chỉ tiêu", "text"), "points_before": ("Điểm trước", "number"),
                "points_after": ("Điểm sau", "number"), "reason": ("Lý do", "text"),
                "inspector": ("Người kiểm tra", "text")}
    if "explanation" in audit.columns and audit["explanation"].fillna("").astype(str).any():
        columns["explanation"] = ("Giải trình của đơn vị", "text")
    return table(audit, columns, empty="Không có số liệu nào được điều chỉnh sau kiểm tra.")


def knock_on(moved: pd.DataFrame) -> HTML:
    """Points that moved at units whose figures were not corrected (`facts.knock_on`)."""
    return table(moved, {"name": ("Đơn vị", "text"), "indicators": ("Chỉ tiêu", "text"),
                         "points_before": ("Điểm trước", "number"),
                         "points_after": ("Điểm sau", "number"),
                         "causes": ("Do điều chỉnh số liệu của", "text")},
                 empty="Không có điểm nào thay đổi theo điều chỉnh của đơn vị khác.")


def missing_answers(missing: pd.DataFrame, with_unit: bool = True) -> HTML:
    """Required answers left blank (`facts.missing_answers`): data to complete."""
    columns = {"name": ("Đơn vị", "text")} if with_unit else {}
    columns |= {"code": ("Mục", "text"), "label": ("Nội dung", "text"),
                "sheet": ("Trang", "text"), "cell": ("Ô", "text"),
                "indicators": ("Chỉ tiêu dùng mục này", "text")}
    return table(missing, columns, empty="Không có mục bắt buộc nào bị bỏ trống.")


def evidence(counts: pd.DataFrame, names: dict[str, str] | None = None,
             with_unit: bool = True) -> HTML:
    """Claims without evidence per unit (analysis.evidence.claims_without_evidence)."""
    frame = counts[counts["claims"] > 0].assign(
        unit=counts["unit_id"].map(lambda u: (names or {}).get(u, u)))
    columns = {"unit": ("Đơn vị", "text")} if with_unit else {}
    columns |= {"claims": ("Số nội dung kê khai", "int"),
                "with_evidence": ("Có tài liệu kiểm chứng", "int"),
                "without_evidence": ("Chưa có tài liệu kiểm chứng", "int"),
                "codes_without_evidence": ("Các mục chưa có", "text")}
    return table(frame, columns, empty="Phiếu năm nay không yêu cầu tài liệu kiểm chứng.")


def evidence_documents(documents: pd.DataFrame) -> HTML:
    """A unit's claims and the document each cites, in parts the appraiser checks
    (`facts.documents`); a claim citing nothing checkable says so."""
    frame = documents.assign(
        date_vi=documents["date"].map(
            lambda d: "" if not isinstance(d, str) else "/".join(reversed(d.split("-")))),
        cited=[_cited(r) for r in documents.itertuples(index=False)])
    return table(frame, {"code": ("Mục", "text"), "label": ("Nội dung", "text"),
                         "number": ("Số, ký hiệu", "text"), "date_vi": ("Ngày", "text"),
                         "cited": ("Trích yếu, đường dẫn", "text")},
                 empty="Đơn vị không có nội dung kê khai cần tài liệu kiểm chứng.")


def _cited(row: Any) -> str:
    if not isinstance(row.evidence, str):
        return "Chưa có tài liệu kiểm chứng"
    if not row.identified:
        return f"{row.evidence} (không nêu số, ngày hay đường dẫn)"
    return " — ".join(p for p in (row.summary, row.link) if isinstance(p, str)) \
        or (row.kind or "")


FOLLOW_UP_NOTES = {"absent": "Không nộp báo cáo năm nay",
                   "no_data": "Chưa có số liệu để đánh giá",
                   "ignored": "Chưa khắc phục tồn tại nào"}


def follow_up_summary(summary: pd.DataFrame) -> HTML:
    """Per unit, last year's shortcomings by outcome (`facts.follow_up_units`)."""
    from cntt_analysis.scoring.shortcomings import OUTCOMES

    frame = summary.assign(ignored_vi=summary["state"].map(FOLLOW_UP_NOTES).fillna(""))
    return table(frame, {"name": ("Đơn vị", "text"), "total": ("Tồn tại năm trước", "int"),
                         **{o: (o, "int") for o in OUTCOMES}, "ignored_vi": ("Ghi chú", "text")},
                 empty="Năm trước không có tồn tại, hạn chế nào để theo dõi.")


def follow_up(follow: pd.DataFrame) -> HTML:
    """A unit's follow-up of last year's shortcomings; for a unit formed by a merger or a
    split, the unit each one was found at."""
    frame = follow.assign(before=follow["previous_lost_share"] * 100,
                          after=follow["lost_share"] * 100)
    columns = {"previous_indicator": ("Chỉ tiêu năm trước", "code"),
               "label": ("Nội dung", "text"),
               "before": ("Tỷ lệ điểm mất năm trước (%)", "percent"),
               "after": ("Năm nay (%)", "percent"), "outcome": ("Kết quả", "text")}
    if "previous_unit_id" in frame.columns and \
            (frame["previous_unit_id"] != frame["unit_id"]).any():
        at = "previous_name" if "previous_name" in frame.columns else "previous_unit_id"
        columns = {at: ("Tồn tại của đơn vị (trước sáp nhập, chia tách)", "text"), **columns}
    return table(frame, columns, empty="Năm trước đơn vị không có tồn tại, hạn chế nào.")


def robustness(robust: pd.DataFrame) -> HTML:
    return table(robust.sort_values(["rank", "unit_id"]), {
        "rank": ("Hạng", "int"), "name": ("Đơn vị", "text"),
        "median_rank": ("Hạng trung vị", "number"),
        "p05": ("Hạng cao nhất có thể (5% kịch bản)", "int"),
        "p95": ("Hạng thấp nhất có thể (95% kịch bản)", "int"), "note": ("Nhận xét", "text")})


def crosswalk(changes: pd.DataFrame) -> HTML:
    """What changed in the rubric since last year (indicators not carried as they were)."""
    shown = changes[changes["change"] != "same"]
    return table(shown, {"code": ("Chỉ tiêu", "code"), "previous_code": ("Năm trước", "code"),
                         "label": ("Nội dung", "text"), "detail": ("Thay đổi", "text")},
                 empty="Phiếu đánh giá không thay đổi so với năm trước.")
