"""The facts layer (report/facts): missing answers told apart from weak ones, the
department's rules, facts kept as files, and the command line saying what the report says.

Rounds are real: templates filled with openpyxl (conftest.make_round), scored by the
pipeline.
"""

from __future__ import annotations

import datetime as dt
import hashlib
import shutil
from pathlib import Path

import pandas as pd
import pytest
from conftest import UNITS, VALID_ANSWERS
from typer.testing import CliRunner

from cntt_analysis.cli import app
from cntt_analysis.errors import UsageError
from cntt_analysis.scoring.pipeline import write_round

ROOT = Path(__file__).resolve().parents[1]


def run_cli(*args):
    return CliRunner().invoke(app, [str(a) for a in args])


def scored(rd, processed: Path, years=None) -> Path:
    """Score the round's years (earlier ones first) into `processed`."""
    from cntt_analysis.intake.rounds import available_years
    from cntt_analysis.scoring.pipeline import score_round

    for year in years or available_years(rd.raw):
        write_round(score_round(rd.raw, year, progress=False), processed, rd.raw)
    return processed


def department(raw: Path, **overrides) -> None:
    import yaml

    config = yaml.safe_load((ROOT / "data" / "raw" / "department.yaml").read_text("utf-8"))
    config.update(overrides)
    (raw / "department.yaml").write_text(yaml.safe_dump(config, allow_unicode=True),
                                         encoding="utf-8")


# --------------------------------------------------------------------------- missing is not weak


def test_a_blank_answer_is_missing_data_and_a_zero_is_a_shortcoming(make_round):
    """p-ddbd left C3.3 blank and was told to train its staff on computers: a blank
    answer scores 0 as the rubric says, but it is missing data, not a shortcoming."""
    rd = make_round()
    rd.add("SO_VP", C3_3=None)                   # left blank
    rd.add("SO_CCQLDD", C3_3=0)                  # answered: nobody uses a computer well
    result = rd.score()
    points = result.points.set_index(["unit_id", "indicator"])["points"].fillna(0)
    assert points[("SO_VP", "C3.3")] == points[("SO_CCQLDD", "C3.3")] == 0   # scores alike
    found = set(zip(result.shortcomings["unit_id"], result.shortcomings["indicator"]))
    assert ("SO_CCQLDD", "C3.3") in found
    assert ("SO_VP", "C3.3") not in found

    from cntt_analysis.scoring.completeness import missing_answers

    missing = missing_answers(result.answers, result.round.rubric)
    assert missing[["unit_id", "code", "indicators"]].values.tolist() == [
        ["SO_VP", "C3.3", "C3.3"]]
    sheet, cell = missing.iloc[0][["sheet", "cell"]]
    answer = result.answers.set_index(["unit_id", "code"]).loc[("SO_VP", "C3.3")]
    assert (sheet, cell) == (answer["sheet"], answer["cell"]) and cell


def test_an_answer_row_missing_from_the_workbook_is_missing_data(make_round, rubric):
    """A template whose row of a required code was deleted: the answer is missing too."""
    from openpyxl import load_workbook

    rd = make_round()
    path = rd.add("SO_VP", hidden=False)
    wb = load_workbook(path)
    sheet = next(ws for ws in wb.worksheets
                 if any(c.value == "C3.3" for row in ws.iter_rows() for c in row))
    row = next(c.row for r in sheet.iter_rows() for c in r if c.value == "C3.3")
    sheet.delete_rows(row)
    wb.save(path)
    result = rd.score()
    assert "C3.3" not in set(result.shortcomings["indicator"])
    from cntt_analysis.scoring.completeness import missing_answers

    missing = missing_answers(result.answers, rubric)
    assert ("SO_VP", "C3.3") in set(zip(missing["unit_id"], missing["code"]))


def test_last_years_shortcoming_left_blank_now_is_no_data_not_not_remedied(make_round,
                                                                           tmp_path):
    """Next year a blank answer is "Chưa có số liệu", not "Chưa khắc phục"."""
    from cntt_analysis.analysis.results import load_results
    from cntt_analysis.scoring.shortcomings import NOT_REMEDIED

    rd = make_round(year=2016, deadline=dt.date(2016, 8, 10))
    rd.add("SO_VP", C3_3=0, G03=dt.date(2016, 8, 1))
    rd.add("SO_CCQLDD", C3_3=0, G03=dt.date(2016, 8, 1))
    now = type(rd)(rd.raw, 2017, rd.rubric)
    now.folder.mkdir()
    (now.folder / "round.yaml").write_text("deadline: 2017-08-10\nrubric: '2017'\n",
                                           encoding="utf-8")
    now.add("SO_VP", C3_3=None)                  # blank this year
    now.add("SO_CCQLDD", C3_3=0)                 # still nobody
    processed = scored(now, tmp_path / "processed", [2016, 2017])
    follow = load_results(rd.raw, processed).follow_up(2017).set_index(
        ["unit_id", "previous_indicator"])["outcome"]
    assert follow[("SO_VP", "C3.3")] == "Chưa có số liệu"
    assert follow[("SO_CCQLDD", "C3.3")] == NOT_REMEDIED


def test_a_mostly_blank_submission_is_incomplete_not_directed_nor_commended(make_round,
                                                                            tmp_path):
    from cntt_analysis.report import sentences
    from cntt_analysis.report.facts import load_facts

    rd = make_round()
    blank = {code: None for code in rd.rubric.inputs if code not in ("G01", "G02", "G03")}
    rd.add("SO_VP", {**VALID_ANSWERS, **blank})
    for unit_id in ("SO_CCQLDD", "H_TANPHUOC", "H_CAILAY"):
        rd.add(unit_id)
    department(rd.raw, models={"tiers": ["Tốt", "Khá", "Trung bình", "Yếu"],
                               "max_shortcomings": 99, "max_claims_without_evidence": 0})
    facts = load_facts(rd.raw, scored(rd, tmp_path / "processed"), 2017)
    row = facts.unit("SO_VP")
    assert row["incomplete"] and row["tier"] == "Yếu"
    assert int(row["missing"]) == len(facts.of_unit("missing_answers", "SO_VP"))
    assert int(row["missing"]) * 2 > int(row["required"])
    assert "SO_VP" not in set(facts.remedy["unit_id"])
    assert "SO_VP" not in set(facts.models["unit_id"])    # even with every tier admitted
    assert set(facts.models["unit_id"]) == {"SO_CCQLDD", "H_TANPHUOC", "H_CAILAY"}
    said = sentences.incomplete_sentence(facts)
    assert said is not None and "Văn phòng Sở" in said


# --------------------------------------------------------------------------- policy


def test_partial_round_and_mostly_blank_thresholds_come_from_the_department_file(
        make_round, tmp_path):
    from cntt_analysis.report.facts import load_facts

    rd = make_round()
    for unit_id in ("SO_VP", "SO_CCQLDD", "H_TANPHUOC"):      # 3 of 4
        rd.add(unit_id)
    processed = scored(rd, tmp_path / "processed")
    department(rd.raw)
    facts = load_facts(rd.raw, processed, 2017)
    assert (facts.reported, facts.registered, facts.partial) == (3, 4, False)
    department(rd.raw, partial_round_share=0.75)
    assert load_facts(rd.raw, processed, 2017).partial       # 3 ≤ 0.75 × 4
    (rd.folder / "round.yaml").write_text(
        "deadline: 2017-08-10\nrubric: '2017'\npartial_round_share: 0.5\n", encoding="utf-8")
    processed = scored(rd, tmp_path / "again")
    assert not load_facts(rd.raw, processed, 2017).partial   # the round's own override


@pytest.mark.parametrize("overrides, key", [
    ({"models": {"tiers": ["Xuất sắc"], "max_shortcomings": 2}}, "models: tiers"),
    ({"models": {"tiers": ["Tốt"], "max_shortcomings": -1}}, "models: max_shortcomings"),
    ({"models": {"tiers": ["Tốt"], "max_shortcomings": 1,
                 "max_claims_without_evidence": "không"}},
     "models: max_claims_without_evidence"),
    ({"partial_round_share": 2}, "partial_round_share"),
    ({"mostly_blank_share": "một nửa"}, "mostly_blank_share"),
])
def test_a_wrong_rule_in_the_department_file_is_a_clear_error(make_round, tmp_path,
                                                              overrides, key):
    from cntt_analysis.report.facts import load_facts

    rd = make_round()
    rd.add("SO_VP")
    processed = scored(rd, tmp_path / "processed")
    department(rd.raw, **overrides)
    with pytest.raises(UsageError) as caught:
        load_facts(rd.raw, processed, 2017)
    message = str(caught.value)
    assert "department.yaml" in message and f"'{key}'" in message


# --------------------------------------------------------------------------- files


def test_facts_are_kept_as_files_and_read_back(make_round, tmp_path):
    from cntt_analysis.report.facts import FRAMES, load_facts, read_facts, write_facts

    rd = make_round()
    rd.add("SO_VP", C3_3=None)
    rd.add("SO_CCQLDD")
    rd.add("H_TANPHUOC", C1_1="Không")
    facts = load_facts(rd.raw, scored(rd, tmp_path / "processed"), 2017)
    first = write_facts(facts, tmp_path / "a")
    second = write_facts(facts, tmp_path / "b")
    digest = [hashlib.sha256(p.read_bytes()).hexdigest() for p in first]
    assert digest == [hashlib.sha256(p.read_bytes()).hexdigest() for p in second]
    assert {p.name for p in first} == {f"{n}.parquet" for n in FRAMES} | {"facts.json"}
    back = read_facts(tmp_path / "a")
    for name in FRAMES:
        pd.testing.assert_frame_equal(getattr(back, name).reset_index(drop=True),
                                      getattr(facts, name).reset_index(drop=True),
                                      check_dtype=False, check_index_type=False, obj=name)
    for name in ("year", "previous_year", "deadline", "remedy_deadline", "partial", "draft",
                 "status_label", "policy", "tiers", "remedy_tiers", "criterion_floor"):
        assert getattr(back, name) == getattr(facts, name), name
    assert back.reported == facts.reported and len(back.incomplete) == len(facts.incomplete)


def test_a_units_rows_are_its_rows_of_each_frame_in_order(make_round, tmp_path):
    """`of_unit`, `records_of_unit` and `unit` find a unit's rows through positions found
    once per frame (a province's notices filtered every frame for each unit: 4.3 s → 0.3 s
    for 150); they give exactly what a filter of the frame gives, for every unit and frame,
    and an empty frame with the same columns for a unit without rows."""
    from cntt_analysis.report.facts import FRAMES, load_facts

    rd = make_round()
    rd.add("SO_VP", C3_3=None)
    rd.add("SO_CCQLDD", C1_1="Không")
    rd.add("H_TANPHUOC", C1_1="Không")
    facts = load_facts(rd.raw, scored(rd, tmp_path / "processed"), 2017)
    units = [*facts.units["unit_id"], "khong-co"]
    checked = 0
    for name in FRAMES:
        frame = getattr(facts, name)
        if "unit_id" not in frame.columns:
            continue
        for unit in units:
            expected = frame[frame["unit_id"] == unit].reset_index(drop=True)
            pd.testing.assert_frame_equal(facts.of_unit(name, unit), expected, obj=name)
            # compared as written: a blank (NaN, NA) equals nothing, itself included
            assert [repr(r) for r in facts.records_of_unit(name, unit)] == [
                repr(r) for r in expected.itertuples(index=False)], name
            checked += len(expected)
    assert checked > 20
    pd.testing.assert_series_equal(facts.unit("SO_VP"), facts.scores[
        facts.scores["unit_id"] == "SO_VP"].iloc[0])
    assert facts.unit("khong-co") is None


def test_indicator_points_follow_the_ranking_then_the_rubric(make_round, rubric, tmp_path):
    """Each scored unit's points in the order of the scores, indicators in rubric order."""
    from cntt_analysis.report.facts import load_facts

    rd = make_round()
    rd.add("SO_VP", C3_3=None)
    rd.add("SO_CCQLDD")
    rd.add("H_TANPHUOC", C1_1="Không")
    processed = scored(rd, tmp_path / "processed")
    facts = load_facts(rd.raw, processed, 2017)
    order = [i.code for i in rubric.indicators]
    units = facts.scores["unit_id"].tolist()
    got = facts.indicator_points
    assert list(dict.fromkeys(got["unit_id"])) == units
    for unit in units:
        codes = got.loc[got["unit_id"] == unit, "indicator"].tolist()
        assert codes == sorted(codes, key=order.index) and codes


# --------------------------------------------------------------------------- command line


def test_score_summary_counts_the_inspectors_corrections_and_says_knock_on_apart(
        make_round, tmp_path):
    rd = make_round()
    rd.add("SO_VP", C2_3=40)
    rd.add("SO_CCQLDD", C2_3=20)
    (rd.folder / "inspection.csv").write_text(
        "unit_id,code,verified,reason,inspector\nSO_VP,C2.3,10,Hợp đồng 10 Mbps,Bình\n",
        encoding="utf-8")
    result = run_cli("score", "--year", 2017, "--raw", rd.raw, "--processed", tmp_path / "p")
    assert result.exit_code == 0, result.output
    assert "Đã áp dụng 1 điều chỉnh sau kiểm tra, thẩm định." in result.output
    assert ("Điều chỉnh số liệu của Văn phòng Sở (C2.3) làm thay đổi điểm chỉ tiêu C2.3 của "
            "1 đơn vị khác") in " ".join(result.output.split())


def test_score_summary_says_when_the_round_is_partial(make_round, tmp_path):
    rd = make_round()
    rd.add("SO_VP")
    result = run_cli("score", "--year", 2017, "--raw", rd.raw, "--processed", tmp_path / "p")
    assert result.exit_code == 0, result.output
    assert "Đợt đánh giá năm 2017 chưa đầy đủ: mới có 1/4 đơn vị nộp báo cáo." in " ".join(
        result.output.split())


def test_finalise_refuses_a_partial_round_unless_forced_with_a_reason(make_round, tmp_path):
    """Issue 14, item 6: a round with 4 of 22 units was finalised without a word."""
    from cntt_analysis.scoring import publication

    rd = make_round()
    rd.add("SO_VP")
    processed = scored(rd, tmp_path / "processed")
    base = ["finalise", "--year", 2017, "--by", "Bình", "--raw", rd.raw, "--processed",
            processed, "--reports", tmp_path / "reports"]
    refused = run_cli(*base)
    assert refused.exit_code == 2, refused.output
    said = " ".join(refused.output.split())
    assert "Chưa chốt kết quả năm 2017" in said and "mới có 1/4 đơn vị nộp báo cáo" in said
    assert "--force" in said and "--reason" in said
    assert publication.read_final(processed, 2017) is None
    no_reason = run_cli(*base, "--force")
    assert no_reason.exit_code == 2 and "--reason" in no_reason.output
    assert publication.read_final(processed, 2017) is None

    forced = run_cli(*base, "--force", "--reason", "Lãnh đạo Sở chỉ đạo công bố sớm")
    assert forced.exit_code == 0, forced.output
    record = publication.read_final(processed, 2017)
    assert record["forced"]["reason"] == "Lãnh đạo Sở chỉ đạo công bố sớm"
    assert (record["forced"]["reported"], record["forced"]["registered"]) == (1, 4)
    assert any("chưa đầy đủ" in o for o in record["forced"]["objections"])
    # no report of 2017 in --reports: the command says exactly what to run
    assert (f"cntt report --year 2017 --raw {rd.raw} --processed {processed} --reports "
            f"{tmp_path / 'reports'}") in " ".join(forced.output.split())
    again = run_cli(*base)                     # already final: said so, not the objections
    assert again.exit_code == 2 and "đã được chốt" in again.output


def test_finalise_refuses_open_data_errors(make_round, tmp_path):
    from cntt_analysis.scoring import publication

    rd = make_round()
    for unit_id, _, _, _ in UNITS:
        rd.add(unit_id, C1_4="nhiều" if unit_id == "SO_VP" else 1)
    processed = scored(rd, tmp_path / "processed")
    refused = run_cli("finalise", "--year", 2017, "--by", "Bình", "--raw", rd.raw,
                      "--processed", processed, "--reports", tmp_path / "reports")
    assert refused.exit_code == 2, refused.output
    assert "còn 1 lỗi số liệu chưa xác minh với đơn vị" in " ".join(refused.output.split())
    assert publication.read_final(processed, 2017) is None


def test_finalise_rebuilds_the_report_and_documents_as_final(tmp_path, units, fill_template,
                                                            answers_for):
    """After `cntt finalise` the index, the report and the Word documents no longer say
    DỰ THẢO, without running `cntt report` again."""
    from test_report import NOTEBOOKS, build_report_retrying, write_rounds

    from cntt_analysis.report.build.run import built_from

    raw = write_rounds(tmp_path / "raw", units, fill_template, answers_for, synthetic=True)
    processed, reports = tmp_path / "processed", tmp_path / "reports"
    build_report_retrying(2017, raw, processed, reports, NOTEBOOKS, jobs=2, progress=False,
                          units=[])
    assert built_from(reports, 2017) == (raw.resolve(), processed.resolve())
    index = reports / "2017" / "index.html"
    assert "DỰ THẢO" in index.read_text(encoding="utf-8")
    result = run_cli("finalise", "--year", 2017, "--by", "Bình", "--raw", raw, "--processed",
                     processed, "--reports", reports, "--force", "--reason",
                     "Lỗi của đơn vị đã được xác minh bằng văn bản")
    assert result.exit_code == 0, result.output
    assert "Đã xuất lại báo cáo và văn bản năm 2017" in result.output
    assert "DỰ THẢO" not in index.read_text(encoding="utf-8")
    from test_consistency import docx_text

    for path in (reports / "2017" / "van-ban").rglob("*.docx"):
        assert "DỰ THẢO" not in docx_text(path), path.name
    html = (reports / "2017" / "bao-cao-2017.html").read_text(encoding="utf-8")
    assert "DỰ THẢO" not in html


def test_finalise_never_rebuilds_a_report_of_other_data(make_round, tmp_path):
    """A report in --reports built from other folders is left alone; the command says
    what to run."""
    rd = make_round()
    for unit_id, _, _, _ in UNITS:
        rd.add(unit_id)
    processed = scored(rd, tmp_path / "processed")
    reports = tmp_path / "reports"
    other = reports / ".builds" / "2017-x" / "notebooks"
    other.mkdir(parents=True)
    shutil.copy(ROOT / "notebooks" / "06-annual-report.ipynb",
                other / "06-annual-report.ipynb")   # no papermill record: not ours
    (reports / "2017").symlink_to(Path(".builds") / "2017-x")
    result = run_cli("finalise", "--year", 2017, "--by", "Bình", "--raw", rd.raw,
                     "--processed", processed, "--reports", reports)
    assert result.exit_code == 0, result.output
    assert "chạy cntt report --year 2017" in " ".join(result.output.split())
    assert sorted(p.name for p in other.iterdir()) == ["06-annual-report.ipynb"]


def test_a_required_code_with_no_row_at_all_is_missing_for_that_unit_and_year(rubric):
    """Only units holding fewer codes than they were asked are gone through for codes
    without a row: each of those is missing, in its own year; a complete unit has none."""
    from cntt_analysis.scoring.completeness import missing_answers, required_codes

    every = required_codes(rubric)
    rows = [{"year": year, "unit_id": unit, "code": code, "status": "ok", "problem": None,
             "sheet": "S", "cell": "D1"}
            for year in (2016, 2017) for unit in ("SO_VP", "SO_X") for code in every
            if not (unit == "SO_X" and year == 2017 and code in every[:2])]
    missing = missing_answers(pd.DataFrame(rows), rubric)
    assert missing[["year", "unit_id", "code", "sheet", "cell"]].values.tolist() == [
        [2017, "SO_X", every[0], "", ""], [2017, "SO_X", every[1], "", ""]]
