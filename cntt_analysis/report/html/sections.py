"""The sections of the report notebooks: one setup call, then one call per section.

A notebook cell is ``ctx = sections.setup(year, raw_dir, processed_dir)`` or
``sections.ranking(ctx)``: every choice (which units, which year to compare with, what to
say when a table is empty) is made here, where it is tested, not in the notebooks.

Each section returns a `Section`: it shows itself as HTML when it is a cell's last
expression, and keeps the DataFrames it shows in ``.frames`` for an analyst to inspect.
"""

from __future__ import annotations

from dataclasses import dataclass, field
from functools import cached_property
from pathlib import Path

import pandas as pd
from IPython.display import HTML

from cntt_analysis import analysis
from cntt_analysis.analysis import robustness as robust_ranks
from cntt_analysis.analysis.evidence import claims_without_evidence
from cntt_analysis.analysis.results import Results, load_results
from cntt_analysis.errors import UsageError
from cntt_analysis.intake.register import LATE, MISSING, SENT, status_figures
from cntt_analysis.intake.rounds import inspection_files
from cntt_analysis.labels import vn_score
from cntt_analysis.report import sentences
from cntt_analysis.report.html import blocks, plots, views
from cntt_analysis.rubric import crosswalk
from cntt_analysis.rubric.model import Rubric
from cntt_analysis.scoring import publication
from cntt_analysis.scoring.inspection import (
    KNOCK_ON,
    applied_corrections,
    inspection_issue_mask,
    largest_gaps,
)
from cntt_analysis.scoring.shortcomings import follow_up_summary

ROBUSTNESS_TEXT = (
    "Thứ hạng được tính lại khi trọng số mỗi tiêu chí thay đổi trong khoảng ±25% (1.000 "
    "lần) và khi bỏ lần lượt từng tiêu chí; dải ngang là khoảng thứ hạng của 5%–95% số kịch "
    "bản. Đơn vị có dải rộng không nên được so sánh hơn kém chỉ dựa trên một vài bậc.")


# --------------------------------------------------------------------------- setup


def find_project(start: str | Path | None = None) -> Path | None:
    """The project folder: the first folder holding ``data/raw``, walking up from `start`
    (default: the working directory, wherever Jupyter or papermill runs the notebook)."""
    here = Path(start or Path.cwd()).resolve()
    return next((f for f in (here, *here.parents) if (f / "data" / "raw").is_dir()), None)


def resolve_dir(path: str | Path, project: Path | None) -> Path:
    """An absolute path as given; a relative one from the working directory when it is
    there, else from the project folder (so "data/raw" works from the repository root and
    from notebooks/)."""
    given = Path(path).expanduser()
    if given.is_absolute() or given.exists() or project is None:
        return given.resolve()
    inside = Path(*[part for part in given.parts if part != ".."]) or given
    return project / inside


@dataclass
class Context:
    """What every section of a notebook reads: the year's results and the settings."""

    year: int
    results: Results
    raw_dir: Path
    processed_dir: Path
    unit_id: str | None = None
    outline: blocks.Outline = field(default_factory=blocks.Outline)

    @property
    def rubric(self) -> Rubric:
        return self.results.rubric(self.year)

    @cached_property
    def scores(self) -> pd.DataFrame:
        return self.results.of_year("scores", self.year)

    @cached_property
    def register(self) -> pd.DataFrame:
        return self.results.of_year("register", self.year)

    @cached_property
    def issues(self) -> pd.DataFrame:
        return self.results.of_year("issues", self.year)

    @cached_property
    def corrections(self) -> pd.DataFrame:
        return self.results.of_year("corrections", self.year)

    @cached_property
    def names(self) -> dict[str, str]:
        registry = self.results.registry
        return dict(zip(registry["unit_id"], registry["name"]))

    @cached_property
    def movement(self) -> pd.DataFrame:
        return analysis.rank_movement(self.results.scores)

    @property
    def previous(self) -> int | None:
        return self.results.previous_year(self.year)

    @property
    def synthetic(self) -> bool:
        return self.results.synthetic(self.year)

    @cached_property
    def inspection_mask(self) -> pd.Series:
        """Issues of the inspection file (the inspectors fix them, not the units)."""
        files = inspection_files(self.results.rounds[self.year].folder)
        mask = inspection_issue_mask(self.issues)
        return mask | self.issues["file"].isin([p.name for p in files])

    @cached_property
    def unit_errors(self) -> pd.DataFrame:
        """Data errors to verify with the units (not the inspection file's own)."""
        return self.issues[(self.issues["severity"] == "error") & ~self.inspection_mask]

    @cached_property
    def inspection_errors(self) -> pd.DataFrame:
        return self.issues[(self.issues["severity"] == "error") & self.inspection_mask]

    @cached_property
    def unscored(self) -> pd.DataFrame:
        return analysis.unscored_units(self.register, self.scores, self.year)

    @cached_property
    def remedy(self) -> pd.DataFrame:
        return analysis.units_to_remedy(self.results.scores, self.results.points,
                                        self.rubric, self.year)


def setup(year: int, raw_dir: str | Path = "data/raw",
          processed_dir: str | Path = "data/processed", unit_id: str | None = None
          ) -> Context:
    """Load the year's results (read-only) and set the chart style; relative folders are
    found from the working directory or the project folder. A `unit_id` that is not in
    the registry is a clear error, not an empty profile."""
    project = find_project()
    raw, processed = resolve_dir(raw_dir, project), resolve_dir(processed_dir, project)
    plots.use_style()
    results = load_results(raw, processed, up_to=year)
    if unit_id is not None and unit_id not in set(results.registry["unit_id"]):
        known = ", ".join(sorted(results.registry["unit_id"]))
        raise UsageError(f"Không có đơn vị mã “{unit_id}” trong danh mục đơn vị "
                         f"({raw / 'units.csv'}). Các mã hiện có: {known}.")
    return Context(year, results, raw, processed, unit_id)


# --------------------------------------------------------------------------- sections


class Section:
    """Blocks shown together (HTML when a cell's last expression) and the frames shown."""

    def __init__(self, parts: list, frames: dict[str, pd.DataFrame] | None = None):
        self.parts = [p for p in parts if p is not None]
        self.frames = dict(frames or {})
        for n, part in enumerate(self.parts):
            if isinstance(part, blocks.Table):
                self.frames.setdefault(f"bang_{n}", part.frame)

    def _repr_html_(self) -> str:
        return "".join(part.data if isinstance(part, HTML) else str(part)
                       for part in self.parts)

    def __repr__(self) -> str:
        return f"<Phần báo cáo: {len(self.parts)} khối, bảng: {', '.join(self.frames) or '–'}>"


def _draft(ctx: Context) -> HTML:
    """ "DỰ THẢO" at the top of every document until the round is finalised."""
    state = publication.status(ctx.processed_dir, ctx.year)
    return blocks.draft_banner(state.label if state.draft else None)


def _banner(ctx: Context) -> HTML:
    return HTML(_draft(ctx).data + blocks.synthetic_banner(ctx.synthetic).data)


def _evidence(ctx: Context) -> pd.DataFrame:
    counts = claims_without_evidence(ctx.results.answers, ctx.rubric, ctx.year)
    return counts[counts["claims"] > 0]


def _evidence_parts(ctx: Context, level: int) -> list:
    """Claims (documents issued, systems in use) without evidence, per unit."""
    counts = _evidence(ctx)
    if counts.empty:
        return []
    missing = int(counts["without_evidence"].sum())
    units = int((counts["without_evidence"] > 0).sum())
    return [blocks.heading("Tài liệu kiểm chứng", level),
            blocks.paragraphs([sentences.evidence_sentence(missing, units,
                                                           int(counts["claims"].sum()))]),
            views.evidence(counts.sort_values(["without_evidence", "unit_id"],
                                              ascending=[False, True]), ctx.names)]


def _group_name(ctx: Context, group: str) -> str:
    return ctx.rubric.groups.get(group, group)


def _groups(ctx: Context) -> list[str]:
    return analysis.group_order(ctx.scores["group"])


# 01 intake -------------------------------------------------------------------


def intake_summary(ctx: Context) -> Section:
    return Section([
        _banner(ctx),
        blocks.heading(f"Tình hình nộp báo cáo và kiểm tra số liệu năm {ctx.year}", 1),
        blocks.paragraphs([
            f"Hạn nộp báo cáo: {ctx.results.rounds[ctx.year].deadline:%d/%m/%Y}.",
            sentences.error_counts_sentence(len(ctx.unit_errors), len(ctx.inspection_errors))]),
        blocks.key_figures(status_figures(ctx.register))])


def register(ctx: Context) -> Section:
    return Section([views.register(ctx.register)], {"so_theo_doi": ctx.register})


def issues(ctx: Context) -> Section:
    """Data issues to verify with the units, then the inspection file's own problems."""
    parts = [views.issues(ctx.issues[~ctx.inspection_mask], ctx.names)]
    own = ctx.issues[ctx.inspection_mask]
    if len(own):
        parts += [blocks.heading("Lỗi trong tệp kiểm tra, thẩm định", 3),
                  blocks.paragraphs(["Các mục dưới đây do đoàn kiểm tra nhập chưa hợp lệ; "
                                     "điều chỉnh tương ứng chưa được áp dụng."]),
                  views.issues(own, ctx.names)]
    parts += _evidence_parts(ctx, 3)
    return Section(parts, {"van_de": ctx.issues, "kiem_chung": _evidence(ctx)})


# 02 ranking ------------------------------------------------------------------


def _ranking_parts(ctx: Context, level: int) -> list:
    """Per group: heading, ranking table, bars, and the registered units not ranked; a
    group none of whose units has a score yet still appears, saying who is missing."""
    parts = []
    for group in analysis.group_order([*ctx.scores["group"], *ctx.unscored["group"]]):
        parts.append(blocks.heading(_group_name(ctx, group), level))
        ranked = ctx.scores[ctx.scores["group"] == group]
        if len(ranked):
            parts += [views.ranking(ranked, ctx.rubric, ctx.movement),
                      blocks.figure(plots.ranking_bar(ctx.scores, group, ctx.year,
                                                      ctx.rubric))]
        missing = ctx.unscored[ctx.unscored["group"] == group]
        if (text := sentences.unscored_sentence(missing)) is not None:
            parts.append(blocks.note(text, "warning"))
    return parts


def ranking(ctx: Context) -> Section:
    """Each group's ranking with rank and score change, and who is not ranked and why."""
    return Section([_banner(ctx), blocks.heading(f"Xếp hạng các đơn vị năm {ctx.year}", 1),
                    *_ranking_parts(ctx, 2)],
                   {"xep_hang": ctx.movement[ctx.movement["year"] == ctx.year],
                    "chua_co_ket_qua": ctx.unscored})


def _robust(ctx: Context) -> pd.DataFrame:
    return robust_ranks.rank_robustness(ctx.results.of_year("points", ctx.year), ctx.scores)


def robustness(ctx: Context, tables: bool = True) -> Section:
    robust = _robust(ctx)
    parts = [blocks.paragraphs([ROBUSTNESS_TEXT])]
    for group in _groups(ctx):
        parts.append(blocks.figure(plots.rank_bands(robust, ctx.year, group)))
        if tables:
            parts.append(views.robustness(robust[robust["group"] == group]))
    return Section(parts, {"do_on_dinh": robust})


def tiers(ctx: Context) -> Section:
    averages = analysis.group_averages(ctx.results.scores)
    return Section([blocks.figure(plots.tier_distribution(ctx.scores, ctx.year, ctx.rubric)),
                    views.group_averages(averages, ctx.rubric)], {"binh_quan": averages})


# 03 criteria -----------------------------------------------------------------


def criteria(ctx: Context) -> Section:
    return Section([_banner(ctx), blocks.heading(f"Phân tích theo tiêu chí năm {ctx.year}", 1),
                    _heatmap(ctx)])


def _heatmap(ctx: Context) -> HTML:
    return blocks.figure(plots.criteria_heatmap(ctx.scores, ctx.rubric, ctx.year),
                         "Tỷ lệ điểm đạt theo tiêu chí của từng đơn vị (%)")


def weakest_indicators(ctx: Context, n: int = 10) -> Section:
    weakest = analysis.weakest_indicators(ctx.results.points, ctx.rubric, n=n, year=ctx.year)
    return Section([views.weakest_indicators(weakest)], {"chi_tieu_yeu": weakest})


def criterion_spread(ctx: Context) -> Section:
    return Section([blocks.figure(plots.criterion_spread(ctx.scores, ctx.rubric, ctx.year))])


# 04 trends -------------------------------------------------------------------


def _method_change_parts(ctx: Context, level: int, title: str) -> list:
    previous = ctx.previous
    if previous is None or ctx.results.rubric(previous).id == ctx.rubric.id:
        return []
    before = ctx.results.rubric(previous)
    return [blocks.heading(title, level),
            blocks.paragraphs(sentences.method_changes(ctx.rubric, before)),
            views.crosswalk(crosswalk.crosswalk(ctx.rubric, before))]


def _criterion_trends(ctx: Context) -> HTML:
    return blocks.figure(plots.criterion_trends(ctx.results.scores, ctx.rubric),
                         "Tỷ lệ điểm bình quân theo tiêu chí qua các năm")


def trends(ctx: Context) -> Section:
    return Section([
        _banner(ctx),
        blocks.heading(f"Diễn biến qua các năm {ctx.results.years[0]}–{ctx.year}", 1),
        *_method_change_parts(ctx, 2, "Thay đổi phương pháp đánh giá so với năm trước"),
        _criterion_trends(ctx)])


def group_trends(ctx: Context) -> Section:
    parts = []
    for group in _groups(ctx):
        parts += [blocks.heading(_group_name(ctx, group)),
                  blocks.figure(plots.score_trends(ctx.results.scores, group, ctx.rubric)),
                  blocks.figure(plots.rank_movement_chart(ctx.movement, ctx.year, group))]
    return Section(parts, {"thay_doi_thu_hang": ctx.movement})


def _follow_up(ctx: Context) -> tuple[pd.DataFrame, pd.DataFrame]:
    follow = ctx.results.follow_up(ctx.year)
    summary = follow_up_summary(follow, ctx.names)
    summary["absent"] = summary["unit_id"].isin(sentences.not_reporting(follow))
    return follow, summary


def follow_up(ctx: Context) -> Section:
    follow, summary = _follow_up(ctx)
    return Section([blocks.paragraphs(sentences.follow_up_sentences(follow, ctx.names)),
                    views.follow_up_summary(summary)], {"khac_phuc": follow})


def tier_changes(ctx: Context) -> Section:
    changes = analysis.tier_changes(ctx.results.scores)
    changes = changes[changes["year"] == ctx.year]
    return Section([views.tier_changes(changes)], {"thay_doi_xep_loai": changes})


# 05 unit profile ---------------------------------------------------------------


def _unit(ctx: Context) -> str:
    """The profile's unit id (a unit profile section without one is a usage error)."""
    if ctx.unit_id is None:
        raise UsageError("Hồ sơ đơn vị cần tham số unit_id (mã đơn vị trong danh mục).")
    return ctx.unit_id


def _unit_row(ctx: Context) -> pd.Series | None:
    mine = ctx.scores[ctx.scores["unit_id"] == _unit(ctx)]
    return None if mine.empty else mine.iloc[0]


def _movement_figures(ctx: Context) -> list[tuple[str, str]]:
    """Rank movement and score change since last year, as two key figures."""
    moved = ctx.movement[(ctx.movement["unit_id"] == _unit(ctx))
                         & (ctx.movement["year"] == ctx.year)]
    if moved.empty or pd.isna(moved["score_change"].iloc[0]):
        return [(moved["movement"].iloc[0] if len(moved) else "–", "thứ hạng so với năm trước")]
    row = moved.iloc[0]
    change = float(row["score_change"])
    return [(row["movement"], "thứ hạng so với năm trước"),
            (f"{'+' if change > 0 else ''}{vn_score(change)}", "điểm so với năm trước")]


def unit_header(ctx: Context) -> Section:
    """Name, key figures (score, tier, rank, change since last year), the correction of
    the score after inspection, and the radar against the group."""
    name = ctx.names.get(_unit(ctx), _unit(ctx))
    parts = [_banner(ctx), blocks.heading(name, 1),
             blocks.paragraphs([f"Hồ sơ kết quả đánh giá ứng dụng CNTT năm {ctx.year}."])]
    mine = ctx.register[(ctx.register["unit_id"] == _unit(ctx))
                        & ctx.register["status"].isin([SENT, LATE, MISSING])]
    status = ", ".join(mine["status"])          # superseded copies are not a status
    row = _unit_row(ctx)
    if row is None:
        reason = ctx.unscored.loc[ctx.unscored["unit_id"] == _unit(ctx), "reason"]
        said = reason.iloc[0] if len(reason) else (status or "không có trong đợt đánh giá")
        parts.append(blocks.note(f"Đơn vị không có kết quả năm {ctx.year}: {said}.", "warning"))
        return Section(parts)
    group_size = int((ctx.scores["group"] == row["group"]).sum())
    parts.append(blocks.key_figures([
        (vn_score(row["score"]), "điểm (thang 100)"), (row["tier"], "xếp loại"),
        (f"{row['rank']}/{group_size}", f"hạng trong {_group_name(ctx, row['group'])}"),
        *_movement_figures(ctx), (status, "tình trạng nộp")]))
    if pd.notna(row.get("score_gap")) and row["score_gap"] != 0:
        parts.append(blocks.note(
            f"Sau kiểm tra, điểm thay đổi từ {vn_score(row['self_score'])} (tự đánh giá, "
            f"{row['self_tier']}) thành {vn_score(row['score'])} ({row['tier']}).", "warning"))
    parts.append(blocks.figure(plots.unit_radar(ctx.scores, ctx.rubric, _unit(ctx), ctx.year),
                               "Tỷ lệ điểm đạt theo tiêu chí so với bình quân khối (%)"))
    return Section(parts)


def unit_weaknesses(ctx: Context) -> Section:
    """Shortcomings with their remedy, then smaller losses as points still to gain; "no
    points lost" only when the unit lost none."""
    weak = analysis.unit_weaknesses(ctx.results.points, ctx.rubric, _unit(ctx), ctx.year,
                                    n=None)
    major, minor = weak[weak["shortcoming"]], weak[~weak["shortcoming"]]
    threshold = float(ctx.rubric.shortcoming_min_lost_share) * 100
    empty = (f"Không có chỉ tiêu nào bị mất từ {threshold:.0f}% số điểm trở lên."
             if len(minor) else "Đơn vị không bị mất điểm ở chỉ tiêu nào.")
    parts = [blocks.heading("Tồn tại, hạn chế và hướng khắc phục"),
             views.unit_weaknesses(major, empty=empty)]
    if len(minor):
        total = vn_score(float(minor["lost"].sum()))
        parts += [blocks.heading("Điểm còn có thể tăng", 3),
                  blocks.paragraphs([f"{len(minor)} chỉ tiêu khác còn thiếu tổng cộng {total} "
                                     "điểm so với điểm tối đa."]),
                  views.points_to_gain(minor)]
    return Section(parts, {"mat_diem": weak})


def unit_details(ctx: Context) -> Section:
    """Weaknesses, corrections (and points moved by others'), last year's follow-up and
    every indicator; nothing when the unit has no score this year."""
    if _unit_row(ctx) is None:
        return Section([])
    parts = list(unit_weaknesses(ctx).parts)
    mine = ctx.corrections[ctx.corrections["unit_id"] == _unit(ctx)]
    if len(mine):
        parts += [blocks.heading("Số liệu được điều chỉnh sau kiểm tra"),
                  views.corrections(mine, with_unit=False)]
    if ctx.previous is not None:
        follow = ctx.results.follow_up(ctx.year)
        parts += [blocks.heading(f"Khắc phục tồn tại, hạn chế năm {ctx.previous}"),
                  views.follow_up(follow[follow["unit_id"] == _unit(ctx)])]
    profile = analysis.unit_profile_table(ctx.results.points, ctx.results.answers, ctx.rubric,
                                          _unit(ctx), ctx.year)
    parts += [blocks.heading("Điểm từng chỉ tiêu"), views.unit_indicators(profile)]
    return Section(parts, {"chi_tieu": profile})


def unit_issues(ctx: Context) -> Section:
    """The unit's own data issues (corrected ones are gone) and its history."""
    own = ctx.issues[(ctx.issues["unit_id"] == _unit(ctx)) & ~ctx.inspection_mask]
    parts = [blocks.heading("Vấn đề về số liệu của đơn vị"),
             views.issues(own, with_unit=False)]
    mine = _evidence(ctx)
    mine = mine[mine["unit_id"] == _unit(ctx)]
    if len(mine):
        parts += [blocks.heading("Tài liệu kiểm chứng", 3),
                  views.evidence(mine, with_unit=False)]
    if (ctx.results.scores["unit_id"] == _unit(ctx)).any():
        parts += [blocks.heading("Kết quả qua các năm"),
                  blocks.figure(plots.unit_history(ctx.results.scores, _unit(ctx),
                                                   ctx.rubric))]
    return Section(parts, {"van_de": own})


# 06 annual report --------------------------------------------------------------


def cover(ctx: Context) -> Section:
    rnd = ctx.results.rounds[ctx.year]
    return Section([_draft(ctx), blocks.cover(
        "Báo cáo kết quả kiểm tra, đánh giá ứng dụng công nghệ thông tin",
        f"Năm {ctx.year} — các phòng, đơn vị trực thuộc Sở và Phòng TN&MT cấp huyện",
        f"{rnd.department} — Trung tâm Công nghệ thông tin",
        f"Kỳ đánh giá năm {ctx.year} (hạn nộp báo cáo {rnd.deadline:%d/%m/%Y})",
        ctx.synthetic)])


def summary(ctx: Context) -> Section:
    """Page 1: who is good and who must fix what — key figures, the best and weakest of
    each group, the decisions asked of the leaders, then the summary in sentences."""
    leaders = analysis.group_leaders(ctx.scores, ctx.year)
    parts = [ctx.outline.section("Tóm tắt kết quả")]
    if (partial := sentences.partial_round(ctx.register, ctx.year)) is not None:
        parts.append(blocks.note(partial, "warning"))
    mean = vn_score(analysis.round_half_up(ctx.scores["score"].mean())) \
        if len(ctx.scores) else "–"
    parts += [
        blocks.key_figures([(str(len(ctx.scores)), "đơn vị được chấm điểm"),
                            *status_figures(ctx.register), (mean, "điểm bình quân")]),
        views.group_leaders(leaders),
        blocks.heading("Đề nghị lãnh đạo Sở", 3),
        blocks.bullets(sentences.decisions(
            ctx.scores, ctx.unscored, ctx.remedy, ctx.corrections, len(ctx.unit_errors),
            len(ctx.inspection_errors), ctx.year)),
        blocks.heading("Kết quả chung", 3),
        blocks.paragraphs(sentences.summary_sentences(ctx.results.scores,
                                                      ctx.results.register, ctx.rubric,
                                                      ctx.year))]
    return Section(parts, {"dan_dau_va_thap_nhat": leaders})


def annual_ranking(ctx: Context) -> Section:
    parts = [ctx.outline.section("Kết quả xếp hạng"), *_ranking_parts(ctx, 3),
             blocks.heading("Độ ổn định của thứ hạng", 3),
             *robustness(ctx, tables=False).parts]
    return Section(parts, {"xep_hang": ctx.movement[ctx.movement["year"] == ctx.year]})


def inspection(ctx: Context) -> Section:
    parts = [ctx.outline.section("Kết quả kiểm tra, thẩm định số liệu")]
    if not ctx.results.rounds[ctx.year].inspected:
        parts.append(blocks.paragraphs(["Chưa có kết quả kiểm tra, thẩm định: điểm trong báo "
                                        "cáo là điểm theo số liệu đơn vị tự báo cáo."]))
        return Section(parts)
    fixes = applied_corrections(ctx.corrections)
    knock = (ctx.corrections[ctx.corrections["kind"] == KNOCK_ON]
             if "kind" in ctx.corrections.columns else ctx.corrections.iloc[0:0])
    text = (f"Đoàn kiểm tra đã điều chỉnh {len(fixes)} số liệu của "
            f"{fixes['unit_id'].nunique()} đơn vị; điểm và thứ hạng trong báo cáo là kết quả "
            "sau kiểm tra.")
    if len(knock):
        text += (f" Điều chỉnh này làm thay đổi điểm của {knock['unit_id'].nunique()} đơn vị "
                 "khác ở các chỉ tiêu chấm so với đơn vị cao nhất khối (các dòng cuối bảng).")
    parts += [blocks.paragraphs([text, "Các đơn vị có điểm tự đánh giá chênh lệch nhiều nhất "
                                       "so với kết quả kiểm tra:"]),
              views.self_vs_verified(largest_gaps(ctx.scores, ctx.year)),
              views.corrections(ctx.corrections)]
    if len(ctx.inspection_errors):
        parts.append(blocks.note(sentences.error_counts_sentence(0, len(ctx.inspection_errors)),
                                 "warning"))
    return Section(parts, {"dieu_chinh": ctx.corrections})


def annual_criteria(ctx: Context) -> Section:
    weakest = analysis.weakest_indicators(ctx.results.points, ctx.rubric, n=8, year=ctx.year)
    return Section([ctx.outline.section("Kết quả theo tiêu chí"), _heatmap(ctx),
                    blocks.heading("Các chỉ tiêu bị mất nhiều điểm nhất", 3),
                    views.weakest_indicators(weakest)], {"chi_tieu_yeu": weakest})


def annual_trends(ctx: Context) -> Section:
    if len(ctx.results.years) < 2:
        return Section([])
    changes = analysis.tier_changes(ctx.results.scores)
    changes = changes[changes["year"] == ctx.year]
    parts = [ctx.outline.section(f"Diễn biến qua các năm {ctx.results.years[0]}–{ctx.year}"),
             _criterion_trends(ctx)]
    parts += [blocks.figure(plots.rank_movement_chart(ctx.movement, ctx.year, g))
              for g in _groups(ctx)]
    parts += [blocks.heading("Đơn vị thay đổi xếp loại", 3), views.tier_changes(changes)]
    return Section(parts, {"thay_doi_xep_loai": changes})


def remedy(ctx: Context) -> Section:
    floor = analysis.vn_number(float(ctx.rubric.criterion_floor))
    parts = [ctx.outline.section("Đơn vị phải khắc phục tồn tại, hạn chế"),
             blocks.paragraphs([f"Đơn vị xếp loại {', '.join(ctx.rubric.remedy_tiers)} hoặc có "
                                f"tiêu chí đạt dưới {floor}% cần khắc phục các tồn tại dưới "
                                "đây."]),
             views.units_to_remedy(ctx.remedy)]
    if ctx.previous is not None:
        follow, summary_table = _follow_up(ctx)
        parts += [blocks.heading(f"Kết quả khắc phục tồn tại, hạn chế năm {ctx.previous}", 3),
                  blocks.paragraphs(sentences.follow_up_sentences(follow, ctx.names)),
                  views.follow_up_summary(summary_table)]
    return Section(parts, {"phai_khac_phuc": ctx.remedy})


def data_quality(ctx: Context) -> Section:
    late_or_missing = ctx.register[ctx.register["status"].isin([LATE, MISSING])]
    return Section([
        ctx.outline.section("Tình hình nộp báo cáo và chất lượng số liệu"),
        views.register(late_or_missing),
        blocks.paragraphs([sentences.error_counts_sentence(len(ctx.unit_errors),
                                                           len(ctx.inspection_errors))]),
        views.issues(ctx.unit_errors, ctx.names), *_evidence_parts(ctx, 3)],
        {"loi_so_lieu": ctx.unit_errors, "kiem_chung": _evidence(ctx)})


def appendix(ctx: Context) -> Section:
    rubric = ctx.rubric
    parts = [blocks.page_break(), blocks.heading("Phụ lục: Phương pháp đánh giá"),
             blocks.paragraphs([
                 f"Phiếu đánh giá: {rubric.title}; tổng {vn_score(float(rubric.total))} điểm, "
                 f"{len(rubric.criteria)} tiêu chí, {len(rubric.indicators)} chỉ tiêu.",
                 "Chỉ tiêu không áp dụng với đơn vị được loại khỏi điểm tối đa; điểm = điểm "
                 "đạt / điểm tối đa áp dụng × 100. Xếp loại — " + rubric.tier_text() + ".",
                 "Xếp hạng trong từng khối theo điểm từ cao xuống thấp; các đơn vị bằng điểm "
                 "cùng hạng. Thay đổi thứ hạng so với năm trước chỉ tính giữa các đơn vị có "
                 "kết quả cả hai năm."]),
             views.method(rubric),
             *_method_change_parts(ctx, 3, "Thay đổi so với phiếu đánh giá năm trước")]
    return Section(parts)
