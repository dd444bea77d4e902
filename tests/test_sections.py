"""Notebook sections (report/sections.py): setup from any working directory, the sections a
director and an analyst read, and what they must never say (issue 10 §3, §5).

The project is a temporary folder laid out like the repository (data/raw, data/processed,
notebooks/) holding two synthetic rounds, scored once for the module.
"""

from __future__ import annotations

import re
import shutil
from pathlib import Path
from types import SimpleNamespace

import nbformat
import pandas as pd
import papermill as pm
import pytest
from matplotlib.text import Text
from test_report import NOTEBOOKS, XSS_ID, write_rounds

from cntt_analysis.errors import UsageError
from cntt_analysis.labels import vn_score
from cntt_analysis.report import sentences
from cntt_analysis.report.html import blocks, plots, sections, views
from cntt_analysis.rubric.model import load_rubric
from cntt_analysis.scoring.pipeline import score_round, write_round
from cntt_analysis.scoring.shortcomings import NOT_REMEDIED, NOT_SUBMITTED, REMEDIED

RUBRIC = load_rubric("2017")


@pytest.fixture(scope="module")
def project(tmp_path_factory, units, fill_template, answers_for) -> Path:
    root = tmp_path_factory.mktemp("project")
    raw = write_rounds(root / "data" / "raw", units, fill_template, answers_for,
                       synthetic=True)
    for year in (2016, 2017):
        write_round(score_round(raw, year, progress=False), root / "data" / "processed", raw)
    (root / "notebooks").mkdir()
    return root


@pytest.fixture
def ctx(project, monkeypatch) -> sections.Context:
    monkeypatch.chdir(project)
    return sections.setup(2017)


# --------------------------------------------------------------------------- setup


@pytest.mark.parametrize("where", [".", "notebooks"])
def test_setup_finds_the_data_from_the_root_and_from_notebooks(project, monkeypatch, where):
    monkeypatch.chdir(project / where)
    ctx = sections.setup(2017, "data/raw", "data/processed")
    assert ctx.raw_dir == project / "data" / "raw"
    assert ctx.processed_dir == project / "data" / "processed"
    assert len(ctx.scores) == 4


def test_old_style_relative_paths_still_resolve_from_the_root(project, monkeypatch):
    monkeypatch.chdir(project)
    ctx = sections.setup(2017, "../data/raw", "../data/processed")
    assert ctx.raw_dir == project / "data" / "raw"


def test_an_unknown_unit_is_a_clear_vietnamese_error(project, monkeypatch):
    monkeypatch.chdir(project)
    with pytest.raises(UsageError, match="Không có đơn vị mã “h-khong-co” trong danh mục"):
        sections.setup(2017, unit_id="h-khong-co")


def test_profile_notebook_runs_with_papermill_from_the_repository_root(project, tmp_path):
    """Regression: from the root it failed with "Không có đợt đánh giá nào trong
    ../data/raw"; and an unknown unit gave an empty profile."""
    notebook = project / "notebooks" / "05-unit-profile.ipynb"
    shutil.copy(NOTEBOOKS / "05-unit-profile.ipynb", notebook)
    out = tmp_path / "out.ipynb"
    pm.execute_notebook(str(notebook), str(out), parameters={"unit_id": XSS_ID},
                        cwd=str(project), kernel_name="python3", progress_bar=False)
    html = "".join(o.get("data", {}).get("text/html", "")
                   for c in nbformat.read(out, as_version=4).cells for o in c.get("outputs", []))
    # no department.yaml here: the assessment's neutral name
    assert "Hồ sơ kết quả đánh giá ứng dụng CNTT, chuyển đổi số năm 2017" in html
    with pytest.raises(pm.PapermillExecutionError, match="Không có đơn vị mã"):
        pm.execute_notebook(str(notebook), str(out), parameters={"unit_id": "khong-co"},
                            cwd=str(project), kernel_name="python3", progress_bar=False)


def test_notebooks_read_the_years_facts_kept_once_instead_of_computing_them(
        project, tmp_path, monkeypatch):
    """The facts are computed once (by `cntt report` before its notebooks run) and kept
    under a key of the data; a notebook reads them: a mark put into the kept facts shows
    in the executed notebook, and `setup` never computes them again."""
    from cntt_analysis.report.facts import cache as facts_cache
    from cntt_analysis.report.facts import cached_facts, facts_folder
    from cntt_analysis.report.facts import year as facts_year

    copy = tmp_path / "project"
    shutil.copytree(project, copy, symlinks=True)
    raw, processed = copy / "data" / "raw", copy / "data" / "processed"
    cached_facts(raw, processed, 2017)
    kept = facts_folder(raw, processed, 2017)
    scores = pd.read_parquet(kept / "scores.parquet")
    mark = "Đơn vị đọc từ facts đã lưu"
    scores.loc[scores["unit_id"] == "SO_VP", "name"] = mark
    scores.to_parquet(kept / "scores.parquet", index=False)

    notebook = copy / "notebooks" / "02-ranking.ipynb"
    shutil.copy(NOTEBOOKS / "02-ranking.ipynb", notebook)
    out = tmp_path / "out.ipynb"
    pm.execute_notebook(str(notebook), str(out), parameters={"year": 2017},
                        cwd=str(copy), kernel_name="python3", progress_bar=False)
    html = "".join(o.get("data", {}).get("text/html", "")
                   for c in nbformat.read(out, as_version=4).cells for o in c.get("outputs", []))
    assert mark in html

    def computed(*args, **kwargs):
        raise AssertionError("the facts were computed again")

    monkeypatch.setattr(facts_year, "year_facts", computed)
    monkeypatch.setattr(facts_year, "load_facts", computed)
    monkeypatch.setattr(facts_cache, "_READ", {})  # as a new process: read from the files
    monkeypatch.chdir(copy)
    assert mark in set(sections.setup(2017).facts.scores["name"])


def test_a_kernels_notebooks_read_the_results_once_whatever_was_imported_first(
        project, monkeypatch):
    """A kept kernel imports the sections (its warm-up) before it turns sharing on
    (`kernels.share_results`); its notebooks still read the processed tables once, each
    gets copies it may change alone, and a table written again is read again."""
    import os

    from cntt_analysis.analysis import results as module
    from cntt_analysis.report.build.kernels import share_results

    monkeypatch.chdir(project)
    reads: list[int] = []
    real = module.load_processed

    def counted(processed, year):
        reads.append(year)
        return real(processed, year)
    monkeypatch.setattr(module, "load_processed", counted)
    share_results()
    try:
        first = sections.setup(2017, "data/raw", "data/processed").results
        second = sections.setup(2017, "data/raw", "data/processed", unit_id=XSS_ID).results
        assert reads == [2016, 2017]
        second.scores.loc[0, "score"] = -1.0
        assert first.scores.loc[0, "score"] != -1.0
        assert sections.setup(2017, "data/raw", "data/processed").results.scores.equals(
            first.scores)
        table = project / "data" / "processed" / "2017" / "scores.parquet"
        stat = table.stat()
        os.utime(table, ns=(stat.st_atime_ns, stat.st_mtime_ns + 1_000_000))
        sections.setup(2017, "data/raw", "data/processed").results  # noqa: B018
        assert reads == [2016, 2017, 2016, 2017]
    finally:
        module.share_loaded(False)


def test_notebooks_are_thin():
    """One setup call, then one `sections.X(ctx)` call per code cell: no filtering,
    conditionals or sentence-building in the notebooks."""
    for path in sorted(NOTEBOOKS.glob("*.ipynb")):
        code = [c.source for c in nbformat.read(path, as_version=4).cells
                if c.cell_type == "code"][1:]                 # after the parameters
        assert "ctx = sections.setup(" in code[0], path.name
        for source in code[1:]:
            assert re.fullmatch(r"sections\.\w+\(ctx\)", source.strip()), (path.name, source)


# --------------------------------------------------------------------------- §3


def fake_ctx(points: pd.DataFrame, unit_id: str) -> SimpleNamespace:
    from cntt_analysis.scoring.completeness import MISSING_COLUMNS

    facts = SimpleNamespace(of_unit=lambda frame, unit: pd.DataFrame(columns=MISSING_COLUMNS),
                            unit=lambda unit: None)
    return SimpleNamespace(results=SimpleNamespace(points=points), rubric=RUBRIC,
                           unit_id=unit_id, year=2017, facts=facts)


def points_with(losses: dict[str, float]) -> pd.DataFrame:
    rows = [{"year": 2017, "unit_id": "U", "indicator": i.code, "criterion": i.criterion,
             "max_points": float(i.max_points), "status": "scored",
             "points": float(i.max_points) - losses.get(i.code, 0.0)}
            for i in RUBRIC.indicators]
    return pd.DataFrame(rows)


def test_no_points_lost_is_said_only_when_the_unit_lost_none():
    """Regression: a unit at 95,59 with 9 indicators below maximum read "Đơn vị không bị
    mất điểm ở chỉ tiêu nào" because none reached the shortcoming threshold."""
    first = RUBRIC.indicators[0]
    small = float(first.max_points) * 0.25                  # below the 50 % threshold
    html = sections.unit_weaknesses(fake_ctx(points_with({first.code: small}), "U"))
    text = html._repr_html_()
    assert "không bị mất điểm ở chỉ tiêu nào" not in text
    assert "Điểm còn có thể tăng" in text and first.code in text
    assert vn_score(small) in text
    perfect = sections.unit_weaknesses(fake_ctx(points_with({}), "U"))._repr_html_()
    assert "Đơn vị không bị mất điểm ở chỉ tiêu nào." in perfect
    assert "Điểm còn có thể tăng" not in perfect


def test_units_that_did_not_report_get_their_own_sentence():
    from cntt_analysis.report.facts.decisions import follow_up_states
    from cntt_analysis.scoring.shortcomings import follow_up_summary

    follow = pd.DataFrame({"unit_id": ["A", "A", "B", "C"], "previous_year": 2016,
                           "outcome": [NOT_SUBMITTED, NOT_SUBMITTED, NOT_REMEDIED, REMEDIED]})
    units = follow_up_summary(follow, {"A": "Đơn vị A", "B": "Đơn vị B", "C": "Đơn vị C"})
    units["state"] = follow_up_states(units, incomplete=())
    said = sentences.follow_up_text(follow, units)
    assert "Đơn vị chưa khắc phục được tồn tại nào: Đơn vị B." in said
    assert any(s.startswith("Đơn vị không nộp báo cáo năm nay") and s.endswith("Đơn vị A.")
               for s in said)


def test_the_ranking_lists_registered_units_not_scored_and_why(project, monkeypatch):
    monkeypatch.chdir(project)
    ctx = sections.setup(2016)                     # H_TANPHUOC did not send in 2016
    html = sections.ranking(ctx)._repr_html_()
    assert "Phòng Tài nguyên và Môi trường huyện Tân Phước (chưa nộp báo cáo)" in html
    assert list(sections.ranking(ctx).frames["chua_co_ket_qua"]["unit_id"]) == ["H_TANPHUOC"]


def test_a_partial_round_says_so_on_page_one_and_every_page(project, monkeypatch):
    monkeypatch.chdir(project)
    ctx = sections.setup(2017)
    assert not ctx.facts.partial
    assert "chưa đầy đủ" not in sections.summary(ctx)._repr_html_()
    partial = sections.setup(2017)
    register = partial.results.register
    units = register.index[(register["year"] == 2017) & register["unit_id"].isin(
        ["SO_VP", "SO_CCQLDD", "H_TANPHUOC"])]
    partial.results.register = register.assign(
        status=register["status"].where(~register.index.isin(units), "Chưa nộp"))
    partial.refresh_facts()  # changed in memory, not on disk
    said = "Đợt đánh giá năm 2017 chưa đầy đủ: mới có 1/4 đơn vị nộp báo cáo."
    for section in (sections.summary, sections.ranking, sections.criteria,
                    sections.intake_summary, sections.trends):
        assert said in section(partial)._repr_html_(), section.__name__


def test_page_one_has_key_figures_leaders_and_decisions(ctx):
    html = sections.summary(ctx)._repr_html_()
    for text in ("I. Tóm tắt kết quả", "key-figures", "Cao điểm nhất", "Thấp điểm nhất",
                 f"Đề nghị {ctx.facts.organisation.leaders}", "điển hình tiên tiến"):
        assert text in html, text


def test_exception_text_never_reaches_a_leader(make_round):
    rnd = make_round()
    rnd.add("SO_VP")
    rnd.write("hong.xlsx", b"PK\x03\x04 not really a zip")
    result = rnd.score()
    raw_value = result.issues.loc[result.issues["file"] == "hong.xlsx", "value"].iloc[0]
    assert re.match(r"\w+(Error|Exception)", raw_value)     # what intake recorded
    html = views.issues(result.issues).data
    assert "Error" not in html and "Zip" not in html
    assert "không phải bảng tính .xlsx hợp lệ" in html


def test_every_number_has_the_same_form_in_table_chart_and_key_figures(ctx):
    row = ctx.scores.sort_values("score").iloc[0]
    shown = vn_score(row["score"])                            # "72,91"-like, 2 decimals
    ranking = sections.ranking(ctx)._repr_html_()
    assert f'<td class="num">{shown}</td>' in ranking
    fig = plots.ranking_bar(ctx.scores, row["group"], 2017, ctx.rubric)
    assert shown in [t.get_text() for t in fig.findobj(Text)]
    radar = plots.unit_radar(ctx.scores, ctx.rubric, row["unit_id"], 2017)
    labels = [t.get_text() for t in radar.findobj(Text) if "%" in t.get_text()
              and "\n" in t.get_text()]
    assert labels and all(re.search(r"\d+,\d%", t) for t in labels)
    assert not any(re.search(r"(?<![\d,])\d+%", t) for t in labels)   # no "71%" beside "55,7%"


def test_a_rising_score_is_never_drawn_red():
    movement = pd.DataFrame({
        "year": [2017, 2017], "unit_id": ["A", "B"], "name": ["A", "B"],
        "group": ["so", "so"], "rank": pd.array([1, 2], dtype="Int64"),
        "rank_change": pd.array([1, -1], dtype="Int64"), "score_change": [8.0, 2.5]})
    fig = plots.rank_movement_chart(movement, 2017, "so")
    bars = fig.axes[0].patches
    red = plots.MOVE_COLORS["down"]
    from matplotlib.colors import to_hex
    assert to_hex(bars[1].get_facecolor()) != red.lower()
    assert any("điểm +2,50" in t.get_text() for t in fig.findobj(Text))


# --------------------------------------------------------------------------- §5


def test_sections_keep_the_dataframes_they_show(ctx):
    section = sections.ranking(ctx)
    moved = section.frames["xep_hang"]
    assert {"rank_change", "score_change", "movement"} <= set(moved.columns)
    table = views.ranking(ctx.scores, ctx.rubric, ctx.movement)
    assert isinstance(table, blocks.Table)
    assert "Điểm tăng/giảm so với năm trước" in table.frame.columns
    assert table.frame.sort_values("Điểm").shape[0] == len(ctx.scores)


def test_a_figure_displays_in_a_fresh_kernel_without_matplotlib_inline(project, tmp_path):
    scores = project / "data" / "processed" / "2017" / "scores.parquet"
    nb = nbformat.v4.new_notebook(cells=[nbformat.v4.new_code_cell(
        "import pandas as pd\nfrom cntt_analysis.report.html import plots\n"
        f"plots.ranking_bar(pd.read_parquet({str(scores)!r}), 'so', 2017)")])
    nb.metadata["kernelspec"] = {"name": "python3", "display_name": "Python 3",
                                 "language": "python"}
    path = tmp_path / "fig.ipynb"
    nbformat.write(nb, path)
    pm.execute_notebook(str(path), str(path), kernel_name="python3", progress_bar=False)
    outputs = nbformat.read(path, as_version=4).cells[0].outputs
    assert any("image/png" in o.get("data", {}) for o in outputs), outputs


def test_the_kernel_the_notebooks_ask_for_is_the_one_the_readme_uses():
    readme = (NOTEBOOKS.parent / "README.md").read_text(encoding="utf-8")
    names = {nbformat.read(p, as_version=4).metadata["kernelspec"]["name"]
             for p in NOTEBOOKS.glob("*.ipynb")}
    assert names == {"python3"}
    installed = re.findall(r"ipykernel install[^\n]*--name[ =](\S+)", readme)
    assert all(name in names for name in installed), installed
    assert ".venv/bin/jupyter lab" in readme


def test_a_group_with_no_score_yet_still_lists_its_units(project, monkeypatch):
    """A partial round where a whole group has not reported: the ranking still names the
    group and its registered units, with why they are not ranked."""
    monkeypatch.chdir(project)
    ctx = sections.setup(2016)
    scores = ctx.results.scores
    ctx.results.scores = scores[(scores["group"] != "huyen") | (scores["year"] != 2016)]
    ctx.refresh_facts()  # changed in memory, not on disk
    html = sections.ranking(ctx)._repr_html_()
    assert "Khối Phòng TN&amp;MT cấp huyện" in html
    assert "huyện Tân Phước (chưa nộp báo cáo)" in html
    assert "(đã nộp nhưng chưa được chấm điểm)" in html          # the XSS unit sent


# ------------------------------------------------------------- draft mark and evidence


def test_every_notebook_starts_with_the_draft_mark_until_the_round_is_finalised(
        project, tmp_path, monkeypatch):
    from cntt_analysis.scoring import publication

    copy = tmp_path / "project"
    shutil.copytree(project, copy, symlinks=True)
    monkeypatch.chdir(copy)
    draft = sections.setup(2017)
    assert "DỰ THẢO" in sections.cover(draft)._repr_html_()
    assert "DỰ THẢO" in sections.intake_summary(draft)._repr_html_()
    publication.finalise(copy / "data" / "raw", copy / "data" / "processed", 2017, "Bình")
    final = sections.setup(2017)
    assert "DỰ THẢO" not in sections.cover(final)._repr_html_()
    assert "DỰ THẢO" not in sections.intake_summary(final)._repr_html_()


def test_claims_without_evidence_are_counted_per_unit_in_the_report(ctx):
    from cntt_analysis.analysis.evidence import claims_without_evidence

    answers = ctx.results.answers
    unit = sorted(answers.loc[answers["year"] == 2017, "unit_id"].unique())[0]
    claimed = answers["evidence"].notna() & (answers["unit_id"] == unit) & (answers["year"] == 2017)
    ctx.results.answers = answers.assign(evidence=answers["evidence"].where(~claimed, None))
    ctx.refresh_facts()  # changed in memory, not on disk
    expected = claims_without_evidence(ctx.results.answers, ctx.rubric, 2017)
    expected = expected[expected["claims"] > 0]
    assert int(expected.set_index("unit_id").loc[unit, "without_evidence"]) > 0

    shown = sections.data_quality(ctx)
    html = shown._repr_html_()
    assert "Tài liệu kiểm chứng" in html
    missing, claims = int(expected["without_evidence"].sum()), int(expected["claims"].sum())
    assert f"Có {missing}/{claims} nội dung kê khai" in html
    pd.testing.assert_frame_equal(
        shown.frames["kiem_chung"].drop(columns="name").reset_index(drop=True),
        expected.reset_index(drop=True))


def test_units_explanations_show_beside_their_corrections():
    audit = pd.DataFrame([{"name": "Văn phòng Sở", "code": "G06", "cell": "D9",
                           "reported": "18", "verified": "15", "indicators": "C2.2",
                           "points_before": 2.0, "points_after": 1.5, "reason": "Kiểm kê",
                           "inspector": "Bình", "explanation": "3 máy mượn của <Sở>"}])
    html = views.corrections(audit).data
    assert "Giải trình của đơn vị" in html and "3 máy mượn của &lt;Sở&gt;" in html
    assert "Giải trình" not in views.corrections(audit.assign(explanation="")).data


def test_a_group_leader_that_must_remedy_shortcomings_is_not_commended(tmp_path):
    """Regression: in a partial round the only unit of a group (0 points, tier Yếu) was
    proposed for commendation as "the leader of its group"."""
    from conftest import results_from_frames

    from cntt_analysis.report.facts import year_facts

    crit = {c.code: 0.0 for c in RUBRIC.criteria}
    scores = pd.DataFrame([
        {"year": 2018, "unit_id": "h-a", "name": "Huyện A", "group": "huyen", "score": 0.0,
         "tier": "Yếu", "rank": 1, **crit},
        {"year": 2018, "unit_id": "so-b", "name": "Phòng B", "group": "so", "score": 91.5,
         "tier": "Tốt", "rank": 1, **{c: 91.5 for c in crit}}])
    register = pd.DataFrame([
        {"year": 2018, "unit_id": u, "name": n, "group": g, "status": "Đã nộp", "file": "",
         "report_date": None} for u, n, g in (("h-a", "Huyện A", "huyen"),
                                               ("so-b", "Phòng B", "so"))])
    facts = year_facts(results_from_frames(tmp_path, scores, register), 2018)
    asked = sentences.decisions(facts)
    commended = [s for s in asked if s.startswith("Biểu dương")]
    assert len(commended) == 1 and "Phòng B (91,50 điểm)" in commended[0]
    assert "Huyện A" not in commended[0]
    assert any("Huyện A" in s for s in asked if s.startswith("Yêu cầu"))


def _weak_round(tmp_path, weak_communes: int):
    """Facts of a 2018 round: one strong sở, one weak sở and `weak_communes` weak xã."""
    from conftest import results_from_frames

    from cntt_analysis.report.facts import year_facts

    rows = [("so-a", "Phòng A", "so", 91.5, "Tốt"), ("so-b", "Phòng B", "so", 55.0,
                                                        "Trung bình")]
    rows += [(f"h-{k:03d}", f"Xã {k:03d}", "huyen", 40.0 + k / 10, "Yếu")
             for k in range(weak_communes)]
    scores = pd.DataFrame([{"year": 2018, "unit_id": u, "name": n, "group": g, "score": sc,
                            "tier": t, "rank": 1, **{c.code: sc for c in RUBRIC.criteria}}
                           for u, n, g, sc, t in rows])
    register = pd.DataFrame([{"year": 2018, "unit_id": u, "name": n, "group": g,
                              "status": "Đã nộp", "file": "", "report_date": None}
                             for u, n, g, _, _ in rows])
    return year_facts(results_from_frames(tmp_path, scores, register), 2018)


def test_a_province_of_weak_units_is_counted_on_page_one_not_listed(tmp_path):
    """Before: page 1 asked the leaders to direct 138 units in one sentence naming every
    one. Over ten units, the decision counts them per group and names the five weakest
    (the remedy section, the workbook and the documents list them all)."""
    asked = next(s for s in sentences.decisions(_weak_round(tmp_path, 30))
                 if s.startswith("Yêu cầu"))
    assert asked.startswith("Yêu cầu 31 đơn vị khắc phục")
    assert ("(1 đơn vị thuộc khối phòng, đơn vị trực thuộc Sở; 30 đơn vị thuộc khối Phòng "
            "TN&MT cấp huyện), điểm thấp nhất là") in asked
    assert "điểm thấp nhất là Xã 000 (40,00 điểm), Xã 001 (40,10 điểm)" in asked
    assert "Xã 004 (40,40 điểm)" in asked and "Xã 005" not in asked
    assert "Phòng B" not in asked and "Phòng A" not in asked

    few = next(s for s in sentences.decisions(_weak_round(tmp_path / "few", 9))
               if s.startswith("Yêu cầu"))
    assert few.endswith("năm 2019: Phòng B, Xã 000, Xã 001, Xã 002, Xã 003, Xã 004, Xã 005, "
                        "Xã 006, Xã 007 và Xã 008.")


def test_a_units_profile_lists_its_claims_with_the_documents_it_cites(project, monkeypatch):
    monkeypatch.chdir(project)
    answers = sections.setup(2017).results.answers
    cited = answers[(answers["year"] == 2017) & answers["evidence"].notna()]
    unit = cited["unit_id"].iloc[0]
    ctx = sections.setup(2017, unit_id=unit)
    mine = ctx.facts.of_unit("documents", unit)
    assert len(mine) and mine["number"].notna().any()
    html = sections.unit_issues(ctx)._repr_html_()
    row = mine[mine["number"].notna()].iloc[0]
    assert f"<td>{row['number']}</td>" in html
    assert "Số, ký hiệu" in html and "Trích yếu, đường dẫn" in html
    if mine["evidence"].isna().any():
        assert "Chưa có tài liệu kiểm chứng" in html


def _table(section: sections.Section, header: str) -> pd.DataFrame:
    """The shown frame of the section's table with this column header."""
    return next(p.frame for p in section.parts
                if isinstance(p, blocks.Table) and header in p.frame.columns)


def test_a_long_list_of_units_to_remedy_says_each_remedy_once(ctx, monkeypatch):
    """Before: a province's annual report listed each of its 138 units to remedy with its
    indicators' labels and remedies, the same remedy on row after row (20 printed pages).
    Beyond `LONG_LIST` units, a unit's row names its indicators by code and each remedy is
    said once, with how many of the units it concerns."""
    remedy = ctx.facts.remedy
    assert len(remedy) == 2 and remedy["weak_codes"].str.len().gt(0).all()
    full = sections.remedy(ctx)
    assert "Yêu cầu khắc phục theo chỉ tiêu" not in full._repr_html_()
    assert list(_table(full, "Yêu cầu khắc phục")["Yêu cầu khắc phục"]) == list(
        remedy["remedies"])

    monkeypatch.setattr(sections, "LONG_LIST", 1)
    short = sections.remedy(ctx)
    html = short._repr_html_()
    assert "Yêu cầu khắc phục theo chỉ tiêu" in html
    units = _table(short, "Chỉ tiêu phải khắc phục")
    assert list(units["Đơn vị"]) == list(remedy["name"])
    assert list(units["Chỉ tiêu phải khắc phục"]) == list(remedy["weak_codes"])
    assert "Yêu cầu khắc phục" not in units.columns
    each = _table(short, "Số đơn vị")
    listed = [c for codes in remedy["weak_codes"] for c in codes.split(", ")]
    assert dict(zip(each["Chỉ tiêu"], each["Số đơn vị"])) == {c: listed.count(c)
                                                             for c in listed}
    texts = {i.code: i.remedy for i in ctx.rubric.indicators}
    for code in set(listed):  # each remedy once in the whole section
        assert html.count(str(blocks.escape(texts[code]))) == 1


def test_a_long_list_of_data_errors_is_counted_per_unit(ctx, monkeypatch):
    """Before: the annual report listed every data error with its cell and message (a
    province's 138 filled 17 printed pages, while its sentence sent readers to the intake
    analysis for the details). Beyond `LONG_LIST` errors, one row per unit: its file, how
    many errors and of which kinds."""
    errors = ctx.facts.unit_errors
    assert len(errors) == 2 and errors["unit_id"].nunique() == 1
    every = _table(sections.data_quality(ctx), "Ô")
    assert len(every) == 2

    monkeypatch.setattr(sections, "LONG_LIST", 1)
    section = sections.data_quality(ctx)
    counted = _table(section, "Số lỗi")
    unit = errors["unit_id"].iloc[0]
    assert list(counted["Đơn vị"]) == [ctx.names[unit]]
    assert list(counted["Số lỗi"]) == [2]
    assert list(counted["Tệp"]) == [", ".join(sorted(set(errors["file"])))]
    kinds = pd.Series([sentences.issue_kind(c) for c in errors["code"]]).value_counts()
    assert counted["Loại lỗi"].iloc[0] == "; ".join(f"{k} ({n})" for k, n in kinds.items())
    assert "Ô" not in counted.columns
    assert not any(isinstance(p, blocks.Table) and "Ô" in p.frame.columns
                   for p in section.parts)
    # every unit's claims were evidenced: the summed report keeps the sentence saying so
    html = section._repr_html_()
    assert sentences.evidence_sentence(ctx.facts).startswith("Tất cả")
    assert sentences.evidence_sentence(ctx.facts) in html
    assert "Số nội dung kê khai" not in html
    # the intake analysis still lists every unit's claims
    assert "Số nội dung kê khai" in sections.issues(ctx)._repr_html_()


def test_the_summed_lists_escape_what_units_wrote(ctx, monkeypatch):
    """The unit named with a <script> tag is among the units to remedy and the units with
    data errors: in the summed tables its name is text, never markup."""
    monkeypatch.setattr(sections, "LONG_LIST", 1)
    assert XSS_ID in set(ctx.facts.remedy["unit_id"]) & set(ctx.facts.unit_errors["unit_id"])
    for section in (sections.remedy(ctx), sections.data_quality(ctx)):
        html = section._repr_html_()
        assert "<script>" not in html
        assert "&lt;script&gt;alert(1)&lt;/script&gt;" in html
