"""Tables as readers see them: which columns, in what order, under which Vietnamese header.

Each function returns an escaped HTML block ready to display; a table (`blocks.Table`) also
keeps the DataFrame it shows as ``.frame`` (Vietnamese headers), for analysts to re-sort.
"""

from __future__ import annotations

import pandas as pd
from IPython.display import HTML

from cntt_analysis.intake.issues import SEVERITY_LABELS
from cntt_analysis.labels import GROUP_SHORT
from cntt_analysis.report.html.blocks import table
from cntt_analysis.rubric.model import Rubric


def criterion_columns(rubric: Rubric) -> dict[str, tuple[str, str]]:
    """The criterion percentage columns, headed by the criterion's code and short name."""
    return {c.code: (f"{c.code} {c.short} (%)", "percent") for c in rubric.criteria}


def ranking(scores: pd.DataFrame, rubric: Rubric, movement: pd.DataFrame | None = None
            ) -> HTML:
    """Rank, unit, score, tier (and the score's change and rank movement when given), then
    the criterion percentages. What a leader compares first comes first: on a phone the
    name, score, tier and change fit the screen and the rest scrolls."""
    frame = scores.sort_values(["rank", "unit_id"])
    columns = {"rank": ("Hạng", "int"), "name": ("Đơn vị", "text"),
               "score": ("Điểm", "number"), "tier": ("Xếp loại", "tier")}
    if movement is not None:
        frame = frame.merge(movement[["year", "unit_id", "movement", "score_change"]],
                            on=["year", "unit_id"], how="left")
        columns["score_change"] = ("Điểm tăng/giảm so với năm trước", "change")
        columns["movement"] = ("Thứ hạng so với năm trước", "text")
    return table(frame, columns | criterion_columns(rubric))


def register(register: pd.DataFrame) -> HTML:
    frame = register.assign(group_vi=register["group"].map(GROUP_SHORT))
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
        unit=issues["unit_id"].map(lambda u: (names or {}).get(u, u) if isinstance(u, str)
                                   else "(chưa xác định)"),
        _o=issues["severity"].map({"error": 0, "warning": 1}))
    frame = frame.sort_values(["_o", "unit", "file", "sheet", "cell"], kind="stable")
    columns = {"severity_vi": ("Mức độ", "text")}
    if with_unit:
        columns["unit"] = ("Đơn vị", "text")
    columns |= {"file": ("Tệp", "text"), "sheet": ("Trang", "text"), "cell": ("Ô", "code"),
                "value": ("Giá trị", "text"), "message": ("Nội dung", "text")}
    return table(frame, columns, empty="Không có vấn đề nào về số liệu.")


def group_averages(averages: pd.DataFrame, rubric: Rubric) -> HTML:
    frame = averages.assign(group_vi=averages["group"].map(rubric.group_short))
    columns = {"year": ("Năm", "int"), "group_vi": ("Khối", "text"),
               "units": ("Số đơn vị", "int"), "mean_score": ("Điểm bình quân", "number")}
    return table(frame, columns | criterion_columns(rubric))


def weakest_indicators(weakest: pd.DataFrame) -> HTML:
    return table(weakest, {"indicator": ("Chỉ tiêu", "code"), "label": ("Nội dung", "text"),
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


def group_leaders(leaders: pd.DataFrame) -> HTML:
    """Best and weakest unit of each group (page 1 of the annual report)."""
    frame = leaders.assign(group_vi=leaders["group"].map(GROUP_SHORT).fillna(leaders["group"]))
    return table(frame, {"group_vi": ("Khối", "text"), "units": ("Số đơn vị", "int"),
                         "best": ("Cao điểm nhất", "text"), "best_score": ("Điểm", "number"),
                         "weakest": ("Thấp điểm nhất", "text"),
                         "weakest_score": ("Điểm", "number")}, layout="stack")


def units_to_remedy(remedy: pd.DataFrame) -> HTML:
    return table(remedy, {"name": ("Đơn vị", "text"), "score": ("Điểm", "number"),
                          "tier": ("Xếp loại", "tier"), "reasons": ("Lý do", "text"),
                          "weak_indicators": ("Tồn tại, hạn chế chính", "text"),
                          "remedies": ("Yêu cầu khắc phục", "text")},
                 empty="Không có đơn vị nào phải khắc phục.", layout="stack")


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
    """Corrections, then the points they moved at other units (the reason says which)."""
    columns = {"name": ("Đơn vị", "text")} if with_unit else {}
    columns |= {"code": ("Mục", "code"), "cell": ("Ô", "code"),
                "reported": ("Đơn vị báo cáo", "text"), "verified": ("Kiểm tra", "text"),
                "indicators": ("Chỉ tiêu", "text"), "points_before": ("Điểm trước", "number"),
                "points_after": ("Điểm sau", "number"), "reason": ("Lý do", "text"),
                "inspector": ("Người kiểm tra", "text")}
    if "explanation" in audit.columns and audit["explanation"].fillna("").astype(str).any():
        columns["explanation"] = ("Giải trình của đơn vị", "text")
    return table(audit, columns, empty="Không có số liệu nào được điều chỉnh sau kiểm tra.")


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


def follow_up_summary(summary: pd.DataFrame) -> HTML:
    from cntt_analysis.scoring.shortcomings import OUTCOMES

    absent = (summary["absent"] if "absent" in summary.columns
              else pd.Series(False, index=summary.index))
    frame = summary.assign(ignored_vi=[
        "Không nộp báo cáo năm nay" if gone else "Chưa khắc phục tồn tại nào" if ignored
        else "" for gone, ignored in zip(absent, summary["ignored"])])
    return table(frame, {"name": ("Đơn vị", "text"), "total": ("Tồn tại năm trước", "int"),
                         **{o: (o, "int") for o in OUTCOMES}, "ignored_vi": ("Ghi chú", "text")},
                 empty="Năm trước không có tồn tại, hạn chế nào để theo dõi.")


def follow_up(follow: pd.DataFrame) -> HTML:
    frame = follow.assign(before=follow["previous_lost_share"] * 100,
                          after=follow["lost_share"] * 100)
    return table(frame, {"previous_indicator": ("Chỉ tiêu năm trước", "code"),
                         "label": ("Nội dung", "text"),
                         "before": ("Tỷ lệ điểm mất năm trước (%)", "percent"),
                         "after": ("Năm nay (%)", "percent"), "outcome": ("Kết quả", "text")},
                 empty="Năm trước đơn vị không có tồn tại, hạn chế nào.")


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
