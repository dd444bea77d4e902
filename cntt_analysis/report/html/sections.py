"""The sections of the report notebooks: one setup call, then one call per section.

A notebook cell is ``ctx = sections.setup(year, raw_dir, processed_dir)`` or
``sections.ranking(ctx)``: every choice (which units, which year to compare with, what to
say when a table is empty) is made here, where it is tested, not in the notebooks.

Each section returns a `Section`: it shows itself as HTML when it is a cell's last
expression, and keeps the DataFrames it shows in ``.frames`` for an analyst to inspect.
"""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass, field
from functools import cached_property
from pathlib import Path
from typing import Any

import pandas as pd
from IPython.display import HTML

from cntt_analysis import analysis
from cntt_analysis.analysis import robustness as robust_ranks
from cntt_analysis.analysis.lineage import is_new
from cntt_analysis.analysis.results import Results, load_results
from cntt_analysis.errors import UsageError
from cntt_analysis.intake.register import LATE, MISSING
from cntt_analysis.intake.registry import load_registry
from cntt_analysis.intake.rounds import load_round
from cntt_analysis.labels import join_vi, vn_score
from cntt_analysis.report import sentences
from cntt_analysis.report.facts import UNIT, YearFacts, cached_facts
from cntt_analysis.report.facts.cache import FIGURES
from cntt_analysis.report.html import blocks, plots, views
from cntt_analysis.rubric import crosswalk
from cntt_analysis.rubric.model import Rubric
from cntt_analysis.scoring.inspection import largest_gaps
from cntt_analysis.scoring.manifest import registry_path

ROBUSTNESS_TEXT = (
    "Thứ hạng được tính lại khi trọng số mỗi tiêu chí thay đổi trong khoảng ±25% (1.000 "
    "lần) và khi bỏ lần lượt từng tiêu chí; dải ngang là khoảng thứ hạng của 5%–95% số kịch "
    "bản. Đơn vị có dải rộng không nên được so sánh hơn kém chỉ dựa trên một vài bậc.")

# Beyond this many rows the annual report sums a list up: the units to remedy with their
# indicators' codes and each remedy said once, the data errors counted per unit, the units
# missing evidence only. A province's 138 of each were 37 of its 68 printed pages; every
# row stays in the intake analysis, the profiles, the notices and the Excel results.
LONG_LIST = 20
REMEDIES_ONCE = ("Mỗi chỉ tiêu dưới đây là tồn tại, hạn chế chính của ít nhất một đơn vị "
                 "trong danh sách trên; điểm từng chỉ tiêu của mỗi đơn vị có trong hồ sơ "
                 "đơn vị và thông báo kết quả gửi đơn vị.")


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
    """What every section of a notebook reads: the year's facts (computed once per year and
    kept, `facts.cached_facts`), the results of every round up to the year (loaded when a
    section first needs them: earlier years, every point) and the settings."""

    year: int
    raw_dir: Path
    processed_dir: Path
    facts: YearFacts
    unit_id: str | None = None
    outline: blocks.Outline = field(default_factory=blocks.Outline)

    @cached_property
    def results(self) -> Results:
        """Every processed round up to the year (read-only)."""
        return load_results(self.raw_dir, self.processed_dir, up_to=self.year)

    @cached_property
    def rubric(self) -> Rubric:
        if "results" in self.__dict__:
            return self.results.rubric(self.year)
        return load_round(self.raw_dir, self.year).rubric

    @cached_property
    def scores(self) -> pd.DataFrame:
        """The year's scores (with rank movement, flags and evidence counts: facts)."""
        return self.facts.scores

    @cached_property
    def names(self) -> dict[str, str]:
        registry = load_registry(registry_path(self.raw_dir))
        return dict(zip(registry["unit_id"], registry["name"]))

    @cached_property
    def movement(self) -> pd.DataFrame:
        """Rank movement of every year (the trend charts draw earlier years too); merged
        and split units against their predecessors (`analysis.lineage`)."""
        return analysis.rank_movement(self.results.scores, self.results.registry)

    def refresh_facts(self) -> YearFacts:
        """Compute the facts again from ``ctx.results`` as they are in memory (an analyst's
        "what if": results changed in the notebook, not on disk); the sections then state
        them."""
        from cntt_analysis.report.facts import load_particulars, year_facts
        from cntt_analysis.scoring import publication

        self.facts = year_facts(self.results, self.year,
                                load_particulars(self.raw_dir, self.year),
                                publication.status(self.processed_dir, self.year))
        self.__dict__.pop("scores", None)
        return self.facts

    @property
    def previous(self) -> int | None:
        return self.facts.previous_year

    @property
    def synthetic(self) -> bool:
        return self.facts.synthetic


def setup(year: int, raw_dir: str | Path = "data/raw",
          processed_dir: str | Path = "data/processed", unit_id: str | None = None
          ) -> Context:
    """Read the year's facts (computed once and kept: `facts.cached_facts`) and set the
    chart style; relative folders are found from the working directory or the project
    folder. A `unit_id` that is not in the registry is a clear error, not an empty
    profile."""
    project = find_project()
    raw, processed = resolve_dir(raw_dir, project), resolve_dir(processed_dir, project)
    plots.use_style()
    blocks.cache_figures(processed / FIGURES)
    facts = cached_facts(raw, processed, year)
    if unit_id is not None:
        known = load_registry(registry_path(raw))["unit_id"]
        if unit_id not in set(known):
            raise UsageError(f"Không có đơn vị mã “{unit_id}” trong danh mục đơn vị "
                             f"({raw / 'units.csv'}). Các mã hiện có: "
                             f"{', '.join(sorted(known))}.")
    return Context(year, raw, processed, facts, unit_id)


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
    return blocks.draft_banner(ctx.facts.status_label if ctx.facts.draft else None)


def _partial(ctx: Context) -> HTML | None:
    """The partial-round warning, on every page that states results."""
    said = sentences.partial_sentence(ctx.facts)
    return None if said is None else blocks.note(said, "warning")


def _banner(ctx: Context) -> HTML:
    partial = _partial(ctx)
    return HTML(_draft(ctx).data + blocks.synthetic_banner(ctx.synthetic).data
                + (partial.data if partial is not None else ""))


def _evidence_parts(ctx: Context, level: int, summed: bool = False) -> list:
    """Claims (documents issued, systems in use) without evidence, per unit; `summed`
    (the annual report), a long list shows only the units some evidence is missing from."""
    counts = ctx.facts.evidence
    if counts.empty:
        return []
    said = [blocks.heading("Tài liệu kiểm chứng", level),
            blocks.paragraphs([sentences.evidence_sentence(ctx.facts) or ""])]
    if not (summed and (counts["claims"] > 0).sum() > LONG_LIST):
        return [*said, views.evidence(counts, ctx.names)]
    lacking = counts[counts["without_evidence"] > 0]  # the sentence says when none lacks
    return [*said, views.evidence(lacking, ctx.names)] if len(lacking) else said


def _group_name(ctx: Context, group: str) -> str:
    return ctx.rubric.group_label(group)


def _groups(ctx: Context) -> list[str]:
    return [g for g, n in zip(ctx.facts.groups["group"], ctx.facts.groups["units"]) if n]


def _issues(ctx: Context, owner: str) -> pd.DataFrame:
    issues = ctx.facts.issues
    return issues[issues["owner"] == owner]


# 01 intake -------------------------------------------------------------------


def intake_summary(ctx: Context) -> Section:
    return Section([
        _banner(ctx),
        blocks.heading(f"Tình hình nộp báo cáo và kiểm tra số liệu năm {ctx.year}", 1),
        blocks.paragraphs([
            f"Hạn nộp báo cáo: {ctx.facts.deadline:%d/%m/%Y}.",
            sentences.error_counts_sentence(ctx.facts)]),
        blocks.key_figures(_status_figures(ctx))])


def _status_figures(ctx: Context) -> list[tuple[str, str]]:
    facts = ctx.facts
    return [(str(facts.on_time), "nộp đúng hạn"), (str(facts.late), "nộp muộn"),
            (str(len(facts.not_reported)), "chưa nộp")]


def register(ctx: Context) -> Section:
    return Section([views.register(ctx.facts.register, ctx.rubric)],
                   {"so_theo_doi": ctx.facts.register})


def issues(ctx: Context) -> Section:
    """Data issues to verify with the units, then the inspection file's own problems."""
    parts = [views.issues(_issues(ctx, UNIT), ctx.names)]
    own = ctx.facts.inspection_errors
    if len(own):
        parts += [blocks.heading("Lỗi trong tệp kiểm tra, thẩm định", 3),
                  blocks.paragraphs(["Các mục dưới đây do đoàn kiểm tra nhập chưa hợp lệ; "
                                     "điều chỉnh tương ứng chưa được áp dụng."]),
                  views.issues(own, ctx.names)]
    if len(ctx.facts.missing_answers):
        parts += [blocks.heading("Mục bắt buộc còn bỏ trống", 3),
                  blocks.paragraphs(["Các mục dưới đây đơn vị chưa ghi số liệu: đây là số "
                                     "liệu còn thiếu, không phải tồn tại, hạn chế; đơn vị cần "
                                     "bổ sung."]),
                  views.missing_answers(ctx.facts.missing_answers)]
    parts += _evidence_parts(ctx, 3)
    return Section(parts, {"van_de": ctx.facts.issues, "kiem_chung": ctx.facts.evidence,
                           "bo_trong": ctx.facts.missing_answers})


# 02 ranking ------------------------------------------------------------------


def _in_parts(draw: Callable[..., Any], units: int, *args: Any, **kwargs: Any) -> list[HTML]:
    """A chart of one row per unit, as one figure, or for a big group as page-high parts
    (`plots.chart_parts`), each drawn by `draw(*args, part=…, parts=…, **kwargs)`."""
    pieces = plots.chart_parts(units)
    if len(pieces) == 1:
        return [blocks.figure(draw(*args, **kwargs))]
    return [blocks.figure(draw(*args, part=piece, parts=len(pieces), **kwargs))
            for piece in pieces]


def _ranking_parts(ctx: Context, level: int) -> list:
    """Per group: heading, ranking table, bars, and the registered units not ranked; a
    group none of whose units has a score yet still appears, saying who is missing."""
    parts = []
    unscored = ctx.facts.unscored
    for group in ctx.facts.groups["group"]:
        parts.append(blocks.heading(_group_name(ctx, group), level))
        ranked = ctx.scores[ctx.scores["group"] == group]
        if len(ranked):
            parts += [views.ranking(ranked, ctx.rubric, ranked)]
            if (rule := sentences.baseline_rule_sentence(ranked)) is not None:
                parts.append(blocks.note(rule, "info"))
            parts += _in_parts(plots.ranking_bar, len(ranked), ctx.scores, group, ctx.year,
                               ctx.rubric, organisation=ctx.facts.organisation)
        missing = unscored[unscored["group"] == group]
        if (text := sentences.unscored_sentence(missing)) is not None:
            parts.append(blocks.note(text, "warning"))
    return parts


def ranking(ctx: Context) -> Section:
    """Each group's ranking with rank and score change, and who is not ranked and why."""
    return Section([_banner(ctx), blocks.heading(f"Xếp hạng các đơn vị năm {ctx.year}", 1),
                    *_ranking_parts(ctx, 2)],
                   {"xep_hang": ctx.scores, "chua_co_ket_qua": ctx.facts.unscored})


def _robust(ctx: Context) -> pd.DataFrame:
    return robust_ranks.rank_robustness(ctx.results.of_year("points", ctx.year),
                                        ctx.results.of_year("scores", ctx.year))


def robustness(ctx: Context, tables: bool = True) -> Section:
    robust = _robust(ctx)
    parts = [blocks.paragraphs([ROBUSTNESS_TEXT])]
    for group in _groups(ctx):
        count = int(((robust["year"] == ctx.year) & (robust["group"] == group)).sum())
        parts += _in_parts(plots.rank_bands, count, robust, ctx.year, group, ctx.rubric)
        if tables:
            parts.append(views.robustness(robust[robust["group"] == group]))
    return Section(parts, {"do_on_dinh": robust})


def tiers(ctx: Context) -> Section:
    averages = analysis.group_averages(ctx.results.scores)
    return Section([blocks.figure(plots.tier_distribution(
                        ctx.scores, ctx.year, ctx.rubric, organisation=ctx.facts.organisation)),
                    views.group_averages(averages, ctx.rubric)], {"binh_quan": averages})


# 03 criteria -----------------------------------------------------------------


def criteria(ctx: Context) -> Section:
    return Section([_banner(ctx), blocks.heading(f"Phân tích theo tiêu chí năm {ctx.year}", 1),
                    _heatmap(ctx)])


def _heatmap(ctx: Context) -> HTML:
    return blocks.figure(plots.criteria_heatmap(ctx.scores, ctx.rubric, ctx.year),
                         "Tỷ lệ điểm đạt theo tiêu chí của từng đơn vị (%)")


def weakest_indicators(ctx: Context, n: int = 10) -> Section:
    weakest = ctx.facts.weakest_indicators.head(n)
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


def follow_up(ctx: Context) -> Section:
    return Section([blocks.paragraphs(sentences.follow_up_sentences(ctx.facts)),
                    views.follow_up_summary(ctx.facts.follow_up_units)],
                   {"khac_phuc": ctx.facts.follow_up})


def tier_changes(ctx: Context) -> Section:
    changes = ctx.facts.tier_changes
    return Section([views.tier_changes(changes)], {"thay_doi_xep_loai": changes})


# 05 unit profile ---------------------------------------------------------------


def _unit(ctx: Context) -> str:
    """The profile's unit id (a unit profile section without one is a usage error)."""
    if ctx.unit_id is None:
        raise UsageError("Hồ sơ đơn vị cần tham số unit_id (mã đơn vị trong danh mục).")
    return ctx.unit_id


def _unit_row(ctx: Context) -> pd.Series | None:
    return ctx.facts.unit(_unit(ctx))


def _movement_figures(row: pd.Series) -> list[tuple[str, str]]:
    """Rank movement and score change since last year, as two key figures (the change of
    a merged or split unit captioned with its baseline)."""
    if pd.isna(row["score_change"]):
        return [(row["movement"], "thứ hạng so với năm trước")]
    change = float(row["score_change"])
    return [(row["movement"], "thứ hạng so với năm trước"),
            (f"{'+' if change > 0 else ''}{vn_score(change)}", sentences.change_label(row))]


def unit_header(ctx: Context) -> Section:
    """Name, key figures (score, tier, rank, change since last year), the correction of
    the score after inspection, and the radar against the group."""
    name = ctx.names.get(_unit(ctx), _unit(ctx))
    parts = [_banner(ctx), blocks.heading(name, 1),
             blocks.paragraphs([f"Hồ sơ kết quả đánh giá "
                                f"{ctx.facts.organisation.assessment_short} năm {ctx.year}."])]
    mine = ctx.facts.of_unit("units", _unit(ctx))
    status = ", ".join(mine["status"])          # superseded copies are not a status
    row = _unit_row(ctx)
    if row is None:
        reason = mine["reason"]
        said = reason.iloc[0] if len(reason) else "không có trong đợt đánh giá"
        parts.append(blocks.note(f"Đơn vị không có kết quả năm {ctx.year}: {said}.", "warning"))
        return Section(parts)
    parts.append(blocks.key_figures([
        (vn_score(row["score"]), "điểm (thang 100)"), (row["tier"], "xếp loại"),
        (f"{row['rank']}/{int(row['group_size'])}", f"hạng trong {row['group_label']}"),
        *_movement_figures(row), (status, "tình trạng nộp")]))
    if is_new(row.get("baseline")):
        parts.append(blocks.note(sentences.change_sentence(row), "info"))
    if bool(row["incomplete"]):
        parts.append(blocks.note(sentences.incomplete_unit_sentence(
            row, ctx.facts.organisation.assessment), "warning"))
    elif int(row["missing"]):
        parts.append(blocks.note(
            f"Báo cáo còn bỏ trống {int(row['missing'])} mục bắt buộc ({row['missing_codes']})"
            ": chưa có số liệu, đơn vị cần bổ sung (xem “Mục bắt buộc còn bỏ trống”).",
            "warning"))
    if pd.notna(row.get("score_gap")) and row["score_gap"] != 0:
        moved = ctx.facts.of_unit("knock_on", _unit(ctx))
        why = ("" if len(ctx.facts.of_unit("corrections", _unit(ctx))) or moved.empty else
               f" do điều chỉnh số liệu của {join_vi(list(moved['caused_by']))}; số liệu của "
               "đơn vị không bị điều chỉnh")
        parts.append(blocks.note(
            f"Sau kiểm tra, điểm thay đổi từ {vn_score(row['self_score'])} (tự đánh giá, "
            f"{row['self_tier']}) thành {vn_score(row['score'])} ({row['tier']}){why}.",
            "warning"))
    # The unit's own figures and its rank only: the group's means are on the group's
    # pages, so another unit's new figures leave this profile as it is (report.build.keys).
    parts.append(blocks.figure(plots.unit_radar(ctx.scores, ctx.rubric, _unit(ctx), ctx.year,
                                                group_mean=False),
                               "Tỷ lệ điểm đạt theo tiêu chí của đơn vị (%)"))
    return Section(parts)


def _missing_codes(ctx: Context) -> list[str]:
    """Indicators of the unit that read a missing answer (missing data, not weakness)."""
    mine = ctx.facts.of_unit("missing_answers", _unit(ctx))
    return sorted({i for ind in mine["indicators"] for i in str(ind).split(", ") if i})


def unit_weaknesses(ctx: Context) -> Section:
    """Shortcomings with their remedy, missing data, then smaller losses as points still
    to gain; "no points lost" only when the unit lost none."""
    weak = analysis.unit_weaknesses(ctx.results.points, ctx.rubric, _unit(ctx), ctx.year,
                                    n=None, missing=_missing_codes(ctx))
    major = weak[weak["shortcoming"]]
    minor = weak[~weak["shortcoming"] & ~weak["missing"]]
    threshold = float(ctx.rubric.shortcoming_min_lost_share) * 100
    row = ctx.facts.unit(_unit(ctx))
    if row is not None and bool(row["incomplete"]):
        empty = ("Chưa xác định được tồn tại, hạn chế vì báo cáo bỏ trống phần lớn số liệu "
                 "(các mục còn thiếu ở dưới).")
    elif weak["missing"].any():
        empty = (f"Không có chỉ tiêu nào bị mất từ {threshold:.0f}% số điểm trở lên (ngoài các "
                 "chỉ tiêu chưa có số liệu ở dưới).")
    elif len(minor):
        empty = f"Không có chỉ tiêu nào bị mất từ {threshold:.0f}% số điểm trở lên."
    else:
        empty = "Đơn vị không bị mất điểm ở chỉ tiêu nào."
    parts = [blocks.heading("Tồn tại, hạn chế và hướng khắc phục"),
             views.unit_weaknesses(major, empty=empty)]
    blank = ctx.facts.of_unit("missing_answers", _unit(ctx))
    if len(blank):
        parts += [blocks.heading("Mục bắt buộc còn bỏ trống", 3),
                  blocks.paragraphs([sentences.missing_answers_sentence(ctx.facts, _unit(ctx))
                                     or ""]),
                  views.missing_answers(blank, with_unit=False)]
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
    mine = ctx.facts.of_unit("corrections", _unit(ctx))
    moved = ctx.facts.of_unit("knock_on", _unit(ctx))
    if len(mine) or len(moved):
        parts.append(blocks.heading("Kết quả kiểm tra, thẩm định số liệu"))
    if len(mine):
        parts.append(views.corrections(mine, with_unit=False))
    if len(moved):
        parts.append(blocks.paragraphs([sentences.unit_knock_on_sentence(r)
                                        for r in moved.itertuples()]))
    if ctx.previous is not None:
        parts += [blocks.heading(f"Khắc phục tồn tại, hạn chế năm {ctx.previous}"),
                  views.follow_up(ctx.facts.of_unit("follow_up", _unit(ctx)))]
    profile = analysis.unit_profile_table(ctx.results.points, ctx.results.answers, ctx.rubric,
                                          _unit(ctx), ctx.year)
    parts += [blocks.heading("Điểm từng chỉ tiêu"), views.unit_indicators(profile)]
    return Section(parts, {"chi_tieu": profile})


def unit_issues(ctx: Context) -> Section:
    """The unit's own data issues (corrected ones are gone) and its history."""
    own = _issues(ctx, UNIT)
    own = own[own["unit_id"] == _unit(ctx)]
    parts = [blocks.heading("Vấn đề về số liệu của đơn vị"),
             views.issues(own, with_unit=False)]
    mine = ctx.facts.of_unit("evidence", _unit(ctx))
    if len(mine):
        parts += [blocks.heading("Tài liệu kiểm chứng", 3),
                  views.evidence(mine, with_unit=False),
                  views.evidence_documents(ctx.facts.of_unit("documents", _unit(ctx)))]
    # Over the years: from a unit's second year of results (one year is the header's).
    if ctx.results.scores.loc[ctx.results.scores["unit_id"] == _unit(ctx), "year"].nunique() > 1:
        parts += [blocks.heading("Kết quả qua các năm"),
                  blocks.figure(plots.unit_history(ctx.results.scores, _unit(ctx),
                                                   ctx.rubric, group_mean=False))]
    return Section(parts, {"van_de": own})


# 06 annual report --------------------------------------------------------------


def cover(ctx: Context) -> Section:
    facts = ctx.facts
    org = facts.organisation
    return Section([_draft(ctx), blocks.cover(
        org.report_title, f"Năm {ctx.year} — {org.units}",
        f"{org.full_name} — {org.assessor}",
        f"Kỳ đánh giá năm {ctx.year} (hạn nộp báo cáo {facts.deadline:%d/%m/%Y})",
        ctx.synthetic)])


def summary(ctx: Context) -> Section:
    """Page 1: who is good and who must fix what — key figures, the best and weakest of
    each group, the decisions asked of the leaders, then the summary in sentences."""
    facts = ctx.facts
    leaders = facts.groups[facts.groups["units"] > 0]
    parts = [ctx.outline.section("Tóm tắt kết quả"), _partial(ctx)]
    mean = vn_score(analysis.round_half_up(facts.scores["score"].mean())) \
        if len(facts.scores) else "–"
    parts += [
        blocks.key_figures([(str(len(facts.scores)), "đơn vị được chấm điểm"),
                            *_status_figures(ctx), (mean, "điểm bình quân")]),
        views.group_leaders(leaders),
        blocks.heading(f"Đề nghị {facts.organisation.leaders}", 3),
        blocks.bullets(sentences.decisions(facts)),
        blocks.heading("Kết quả chung", 3),
        blocks.paragraphs(sentences.summary_sentences(facts))]
    return Section(parts, {"dan_dau_va_thap_nhat": leaders, "bieu_duong": facts.models,
                           "phai_khac_phuc": facts.remedy})


def annual_ranking(ctx: Context) -> Section:
    parts = [ctx.outline.section("Kết quả xếp hạng"), *_ranking_parts(ctx, 3),
             blocks.heading("Độ ổn định của thứ hạng", 3),
             *robustness(ctx, tables=False).parts]
    return Section(parts, {"xep_hang": ctx.scores})


def inspection(ctx: Context) -> Section:
    facts = ctx.facts
    parts = [ctx.outline.section("Kết quả kiểm tra, thẩm định số liệu"),
             blocks.paragraphs([sentences.corrections_sentence(facts)])]
    if not facts.inspected:
        return Section(parts)
    parts += [blocks.paragraphs(["Các đơn vị có điểm tự đánh giá chênh lệch nhiều nhất so "
                                 "với kết quả kiểm tra:"]),
              views.self_vs_verified(largest_gaps(ctx.scores, ctx.year)),
              views.corrections(facts.corrections)]
    if (moved := sentences.knock_on_sentence(facts)) is not None:
        parts += [blocks.heading("Điểm thay đổi do điều chỉnh số liệu của đơn vị khác", 3),
                  blocks.paragraphs([moved]), views.knock_on(facts.knock_on)]
    if (own := sentences.inspection_errors_sentence(facts)) is not None:
        parts.append(blocks.note(own, "warning"))
    return Section(parts, {"dieu_chinh": facts.corrections, "anh_huong": facts.knock_on})


def annual_criteria(ctx: Context) -> Section:
    weakest = ctx.facts.weakest_indicators.head(8)
    return Section([ctx.outline.section("Kết quả theo tiêu chí"), _heatmap(ctx),
                    blocks.heading("Các chỉ tiêu bị mất nhiều điểm nhất", 3),
                    views.weakest_indicators(weakest)], {"chi_tieu_yeu": weakest})


def annual_trends(ctx: Context) -> Section:
    if len(ctx.results.years) < 2:
        return Section([])
    changes = ctx.facts.tier_changes
    parts = [ctx.outline.section(f"Diễn biến qua các năm {ctx.results.years[0]}–{ctx.year}"),
             _criterion_trends(ctx)]
    parts += [blocks.figure(plots.rank_movement_chart(ctx.movement, ctx.year, g))
              for g in _groups(ctx)]
    parts += [blocks.heading("Đơn vị thay đổi xếp loại", 3), views.tier_changes(changes)]
    return Section(parts, {"thay_doi_xep_loai": changes})


def remedy(ctx: Context) -> Section:
    facts = ctx.facts
    parts = [ctx.outline.section("Đơn vị phải khắc phục tồn tại, hạn chế"),
             blocks.paragraphs([f"Đơn vị {sentences.remedy_rule(facts)} cần khắc phục các tồn "
                                "tại dưới đây."], blocks.LEAD_IN)]
    if len(facts.remedy) > LONG_LIST:
        parts += [views.units_to_remedy_by_code(facts.remedy),
                  blocks.heading("Yêu cầu khắc phục theo chỉ tiêu", 3),
                  blocks.paragraphs([REMEDIES_ONCE], blocks.LEAD_IN),
                  views.remedies_by_indicator(
                      analysis.remedies_by_indicator(facts.remedy, ctx.rubric))]
    else:
        parts.append(views.units_to_remedy(facts.remedy))
    if (blank := sentences.incomplete_sentence(facts)) is not None:
        parts.append(blocks.note(blank, "warning"))
    if ctx.previous is not None:
        parts += [blocks.heading(f"Kết quả khắc phục tồn tại, hạn chế năm {ctx.previous}", 3),
                  blocks.paragraphs(sentences.follow_up_sentences(facts)),
                  views.follow_up_summary(facts.follow_up_units)]
    return Section(parts, {"phai_khac_phuc": facts.remedy})


def data_quality(ctx: Context) -> Section:
    facts = ctx.facts
    late_or_missing = facts.register[facts.register["status"].isin([LATE, MISSING])]
    return Section([
        ctx.outline.section("Tình hình nộp báo cáo và chất lượng số liệu"),
        views.register(late_or_missing, ctx.rubric),
        blocks.paragraphs([sentences.error_counts_sentence(facts)], blocks.LEAD_IN),
        _unit_errors(ctx),
        *_evidence_parts(ctx, 3, summed=True)],
        {"loi_so_lieu": facts.unit_errors, "kiem_chung": facts.evidence})


def _unit_errors(ctx: Context) -> HTML:
    """The data errors to verify with the units: each with its cell, or counted per unit
    when there are more than `LONG_LIST` (the intake analysis lists every cell)."""
    errors = ctx.facts.unit_errors
    if len(errors) > LONG_LIST:
        return views.errors_by_unit(errors, ctx.names)
    return views.issues(errors, ctx.names)


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
                 "kết quả cả hai năm.",
                 "Mục bắt buộc đơn vị bỏ trống được 0 điểm theo phiếu đánh giá nhưng được ghi "
                 "là chưa có số liệu (đơn vị phải bổ sung), không phải tồn tại, hạn chế."]),
             views.method(rubric),
             *_method_change_parts(ctx, 3, "Thay đổi so với phiếu đánh giá năm trước")]
    return Section(parts)
