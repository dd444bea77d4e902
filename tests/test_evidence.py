"""Evidence behind claims (issue 8 §3): the rubric marks inputs, the template asks beside
the answer, intake reads it and warns for claims without it, the inspection template shows
it, and the analysis layer counts claims without evidence per unit."""

from __future__ import annotations

from pathlib import Path

import pandas as pd
import pytest
import yaml
from openpyxl import load_workbook

from cntt_analysis.analysis.evidence import (
    claims_without_evidence,
    evidence_claims,
    evidence_documents,
)
from cntt_analysis.intake.evidence import is_claim
from cntt_analysis.intake.templates import EVIDENCE_HEADER, evidence_cells, template_cells
from cntt_analysis.rubric.model import RUBRIC_DIR, RubricError, parse_rubric
from cntt_analysis.scoring.inspection import NO_EVIDENCE, build_inspection_template
from cntt_analysis.storage import write_workbook

NEEDS_EVIDENCE = ["C1.1", "C1.2", "C1.3", "C1.4", "C1.5", "C2.5", "C2.6", "C2.8", "C4.6",
                  "C4.7", "C4.11"]
# VALID_ANSWERS claims: C1.1 issued, C1.2 Có, C1.4 = 1, C1.5 Có, C2.5 Có, C2.6 Có,
# C2.8 "Có, chưa đạt yêu cầu", C4.6/C4.7/C4.11 below; C1.3 is “Không” (not a claim).


def _rubric_data() -> dict:
    return yaml.safe_load((RUBRIC_DIR / "2017.yaml").read_text(encoding="utf-8"))


def _with_input(data: dict, code: str, **changes) -> dict:
    for crit in data["criteria"]:
        for ind in crit["indicators"]:
            for inp in ind.get("inputs", []):
                if inp["code"] == code:
                    inp.update(changes)
    return data


def test_rubric_marks_criterion_1_documents_and_claimed_systems(rubric):
    assert [c for c, i in rubric.inputs.items() if i.evidence] == NEEDS_EVIDENCE


@pytest.mark.parametrize(("changes", "needle"), [
    ({"evidence": "có"}, "'evidence: có' không hợp lệ"),
    ({"evidence": 1}, "'evidence: 1' không hợp lệ"),
])
def test_evidence_key_must_be_true_or_false(changes, needle):
    data = _with_input(_rubric_data(), "C1.2", **changes)
    with pytest.raises(RubricError, match=needle) as info:
        parse_rubric(data, source="2018.yaml", check_previous=False)
    assert "2018.yaml: mục C1.2" in str(info.value)


def test_evidence_only_on_answers_that_can_claim():
    data = _rubric_data()
    data["general"]["inputs"][3]["evidence"] = True  # G04, a text
    with pytest.raises(RubricError, match="G04 kiểu 'text' không thể yêu cầu tài liệu"):
        parse_rubric(data, source="x.yaml", check_previous=False)


def test_template_asks_for_evidence_beside_each_answer(tmp_path, rubric):
    from cntt_analysis.intake.templates import build_template

    wb = load_workbook(write_workbook(build_template(rubric, 2017, "SO_VP", "Văn phòng Sở"),
                                      tmp_path / "t.xlsx"))
    answers, cited = template_cells(rubric), evidence_cells(rubric)
    assert list(cited) == NEEDS_EVIDENCE
    for code, (sheet, cell) in cited.items():
        ws = wb[sheet]
        assert ws["E4"].value == EVIDENCE_HEADER
        assert answers[code] == (sheet, f"D{cell[1:]}") and cell.startswith("E")
        assert ws[cell].protection.locked is False, code
    declared = {r[0]: r[3] for r in wb["_cells"].iter_rows(min_row=2, values_only=True)}
    assert {c: v for c, v in declared.items() if v} == {c: s[1] for c, s in cited.items()}


def test_is_claim_by_answer_type(rubric):
    inputs = rubric.inputs
    assert is_claim(inputs["C1.2"], "ok", "Có", 1.0, rubric)
    assert not is_claim(inputs["C1.2"], "ok", "Không", 0.0, rubric)
    assert is_claim(inputs["C1.1"], "ok", "Ban hành sau 31/01", None, rubric)
    assert not is_claim(inputs["C1.1"], "ok", "Chưa ban hành", None, rubric)
    assert not is_claim(inputs["C2.8"], "ok", "Không có", None, rubric)
    assert not is_claim(inputs["C4.6"], "na", "Không áp dụng", None, rubric)
    assert is_claim(inputs["C4.7"], "ok", "2", 2.0, rubric)
    assert not is_claim(inputs["C4.7"], "ok", "0", 0.0, rubric)
    assert not is_claim(inputs["C1.2"], "invalid", None, None, rubric)  # an error already


def test_intake_reads_evidence_and_warns_for_claims_without_it(make_round, valid_answers):
    rnd = make_round()
    cited = {"C1.1": "15/KH-VP ngày 20/01/2017", "C1.2": "https://vb.stnmt.vn/qc-12",
             "C1.3": "", "C1.5": "Quyết định 3/QĐ-VP"}
    path = rnd.add("SO_VP", valid_answers, evidence=cited)
    full = rnd.add("H_TANPHUOC", valid_answers)  # every evidence cell filled
    result = rnd.score()
    answers = result.answers.set_index(["unit_id", "code"])
    assert answers.at[("SO_VP", "C1.1"), "evidence"] == "15/KH-VP ngày 20/01/2017"
    assert answers.at[("SO_VP", "C1.2"), "evidence"] == "https://vb.stnmt.vn/qc-12"
    assert pd.isna(answers.at[("SO_VP", "C1.4"), "evidence"])
    assert pd.isna(answers.at[("SO_VP", "G05"), "evidence"])  # not asked
    warned = result.issues[result.issues["code"] == "evidence_missing"]
    assert set(warned["file"]) == {path.name}, full.name
    assert set(warned["severity"]) == {"warning"}
    # Claims without evidence: C1.4 (1 document), C2.5, C2.6, C2.8, C4.6, C4.7, C4.11;
    # C1.3 is “Không”, so its blank evidence is no claim.
    assert sorted(warned["cell"]) == sorted(evidence_cells(rnd.rubric)[c][1] for c in
                                            ["C1.4", "C2.5", "C2.6", "C2.8", "C4.6", "C4.7",
                                             "C4.11"])
    first = warned[warned["cell"] == evidence_cells(rnd.rubric)["C1.4"][1]].iloc[0]
    assert first["sheet"] == "C1. Văn bản chỉ đạo"
    assert first["message"].startswith(f"Tệp “{path.name}”, trang “C1. Văn bản chỉ đạo”, ô E8")
    assert "chưa ghi tài liệu kiểm chứng" in first["message"]
    # Evidence never changes points.
    scores = result.scores.set_index("unit_id")["score"]
    assert scores["SO_VP"] == pytest.approx(72.91) == scores["H_TANPHUOC"]


def test_old_template_without_evidence_cells_loads_with_one_warning(make_round, rubric,
                                                                    valid_answers):
    data = _rubric_data()
    for crit in data["criteria"]:
        for ind in crit["indicators"]:
            for inp in ind.get("inputs", []):
                inp.pop("evidence", None)
    old = parse_rubric(data, source="2017-before-evidence.yaml", check_previous=False)
    assert not any(i.evidence for i in old.inputs.values())
    rnd = make_round()
    from conftest import write_filled_template

    path = write_filled_template(rnd.folder / "SO_VP.xlsx", valid_answers, rubric=old,
                                 unit_id="SO_VP", unit_name="Văn phòng Sở", evidence={})
    result = rnd.score()
    own = result.issues[result.issues["file"] == path.name]
    assert list(own["code"]) == ["evidence_not_asked"]
    assert own.iloc[0]["severity"] == "warning"
    assert "Biểu mẫu cũ không có cột “Tài liệu kiểm chứng”" in own.iloc[0]["message"]
    assert result.scores.set_index("unit_id").at["SO_VP", "score"] == pytest.approx(72.91)


def test_claims_without_evidence_per_unit(make_round, valid_answers):
    rnd = make_round()
    rnd.add("SO_VP", valid_answers, evidence={"C1.1": "15/KH-VP"})
    rnd.add("H_TANPHUOC", valid_answers)
    rnd.add("H_CAILAY", {**valid_answers, "C1.2": "Không", "C4.7": 0},
            evidence={"C1.1": "x", "C1.5": "y"})
    result = rnd.score()
    table = claims_without_evidence(result.answers, rnd.rubric, year=2017)
    assert list(table.columns) == ["year", "unit_id", "claims", "with_evidence",
                                   "without_evidence", "codes_without_evidence"]
    rows = table.set_index("unit_id")
    claims = 10  # every NEEDS_EVIDENCE input but C1.3 (“Không”)
    assert rows.loc["SO_VP", ["claims", "with_evidence", "without_evidence"]].tolist() == \
        [claims, 1, claims - 1]
    assert rows.loc["H_TANPHUOC", "without_evidence"] == 0
    assert rows.loc["H_CAILAY", "claims"] == claims - 2
    assert rows.loc["H_CAILAY", "codes_without_evidence"] == "C1.4, C2.5, C2.6, C2.8, C4.6, C4.11"
    assert list(table["unit_id"]) == ["SO_VP", "H_CAILAY", "H_TANPHUOC"]  # most missing first
    # The claims gone through once for both tables (as the facts do) change neither.
    claimed = evidence_claims(result.answers, rnd.rubric, 2017)
    assert len(claimed) == 2 * claims + claims - 2
    pd.testing.assert_frame_equal(
        claims_without_evidence(result.answers, rnd.rubric, 2017, claimed), table)
    documents = evidence_documents(result.answers, rnd.rubric, 2017)
    assert documents["evidence"].notna().sum() == 1 + claims + 2  # SO_VP, H_TANPHUOC, H_CAILAY
    pd.testing.assert_frame_equal(
        evidence_documents(result.answers, rnd.rubric, 2017, claimed), documents)


def test_inspection_template_shows_evidence_beside_each_claim(tmp_path, make_round,
                                                             valid_answers):
    rnd = make_round()
    rnd.add("SO_VP", valid_answers, evidence={"C1.2": "12/QC-VP ngày 01/03/2017"})
    result = rnd.score()
    reported = result.answers.assign(raw_value=result.answers["reported_value"])
    path = write_workbook(build_inspection_template(reported, rnd.rubric, result.registry),
                          tmp_path / "inspection.xlsx")
    ws = load_workbook(path).active
    header = [c.value for c in ws[1]]
    col = header.index("Tài liệu kiểm chứng đơn vị nêu")
    shown = {row[2]: row[col] for row in ws.iter_rows(min_row=2, values_only=True)}
    assert shown["C1.2"] == "12/QC-VP ngày 01/03/2017"
    assert shown["C2.5"] == NO_EVIDENCE      # “Có” without evidence: flagged
    assert shown["C1.3"] is None             # “Không”: nothing to prove
    assert shown["G05"] is None              # evidence not asked
    assert header[7] == "Số liệu kiểm tra"   # inspectors' columns keep their places




def test_demo_round_2017_shows_evidence_and_an_old_form():
    """The shipped demo: most claims cite evidence, some do not, one unit used an old copy
    of the form without the evidence column (loaded, one warning)."""
    from cntt_analysis.scoring.pipeline import score_round

    raw = Path(__file__).resolve().parent.parent / "data" / "raw"
    result = score_round(raw, 2017, progress=False)
    issues = result.issues
    old = issues[issues["code"] == "evidence_not_asked"]
    assert list(old["unit_id"]) == ["h-yen-khanh"]
    missing = issues[issues["code"] == "evidence_missing"]
    assert 10 <= len(missing) <= 60 and (missing["severity"] == "warning").all()
    table = claims_without_evidence(result.answers, result.round.rubric, 2017)
    assert set(table["unit_id"]) == set(result.scores["unit_id"])
    assert (table["with_evidence"] > 0).sum() >= 15
    assert (table["without_evidence"] == 0).sum() >= 2
    # Evidence survived the units' .ods and .xls copies.
    cited = result.answers.dropna(subset=["evidence"])
    assert {"h-thanh-ha", "tt-qtmt"} <= set(cited["unit_id"])


@pytest.mark.parametrize(("text", "parts"), [
    ("Quyết định số 12/QĐ-UBND ngày 15/3/2025 về việc ban hành Kế hoạch chuyển đổi số",
     ("Quyết định", "12/QĐ-UBND", "2025-03-15", "ban hành Kế hoạch chuyển đổi số", None)),
    ("Kế hoạch số: 45/KH-SKHCN ngày 20/01",  # no year: the assessed year's
     ("Kế hoạch", "45/KH-SKHCN", "2025-01-20", None, None)),
    ("Quyết định 3/QĐ-VP ngày 5 tháng 3 năm 2024 phê duyệt đề án",
     ("Quyết định", "3/QĐ-VP", "2024-03-05", "Quyết định phê duyệt đề án", None)),
    ("Thông báo kết luận phiên họp Ban chỉ đạo (số 7/TB-VP)",
     ("Thông báo", "7/TB-VP", None, "Thông báo kết luận phiên họp Ban chỉ đạo", None)),
    ("Biên bản nghiệm thu ngày 12/06/2024", ("Biên bản", None, "2024-06-12",
                                              "Biên bản nghiệm thu", None)),
    # A path in a link is not a document number, a date is not one either.
    ("Danh sách tại https://cds.hoaan.gov.vn/12/KH", ("Danh sách", None, None, "Danh sách tại",
                                                     "https://cds.hoaan.gov.vn/12/KH")),
    ("15/KH-VP ngày 20/01/2017", (None, "15/KH-VP", "2017-01-20", None, None)),
])
def test_a_citation_is_read_into_number_date_summary_and_link(text, parts):
    from cntt_analysis.intake.evidence import parse_evidence

    cited = parse_evidence(text, 2025)
    assert (cited.kind, cited.number, cited.date, cited.summary, cited.link) == parts
    assert cited.identified


def test_a_citation_naming_nothing_or_a_day_that_does_not_exist_is_a_warning(
        make_round, valid_answers):
    from cntt_analysis.analysis.evidence import evidence_documents

    rnd = make_round()
    path = rnd.add("SO_VP", valid_answers, evidence={
        "C1.1": "Kế hoạch số 15/KH-VP ngày 20/01/2017 về ứng dụng CNTT",
        "C1.2": "đã có",                                   # nothing to check
        "C1.5": "Quyết định số 3/QĐ-VP ngày 30/02/2017"})  # 30 February
    result = rnd.score()
    own = result.issues[result.issues["file"] == path.name].set_index("code")
    cells = evidence_cells(rnd.rubric)
    unnamed = own.loc[["evidence_unidentified"]]
    assert list(unnamed["cell"]) == [cells["C1.2"][1]]
    assert "“đã có” không nêu số, ký hiệu, ngày văn bản hay đường dẫn" in \
        unnamed.iloc[0]["message"]
    assert "Quyết định số 12/QĐ-UBND ngày 15/3/2017" in unnamed.iloc[0]["message"]
    bad = own.loc[["evidence_bad_date"]]
    assert list(bad["cell"]) == [cells["C1.5"][1]]
    assert "ngày “30/02/2017” không có thật" in bad.iloc[0]["message"]
    assert set(own["severity"]) == {"warning"}
    # The claims with their documents, for the profile and the appraiser.
    docs = evidence_documents(result.answers, rnd.rubric, 2017).set_index(["unit_id", "code"])
    first = docs.loc[("SO_VP", "C1.1")]
    assert (first["kind"], first["number"], first["date"], first["summary"]) == \
        ("Kế hoạch", "15/KH-VP", "2017-01-20", "ứng dụng CNTT")
    assert not docs.loc[("SO_VP", "C1.2"), "identified"]
    assert pd.isna(docs.loc[("SO_VP", "C2.5"), "evidence"])  # a claim citing nothing
    assert ("SO_VP", "C1.3") not in docs.index                # “Không”: no claim


def test_inspection_file_splits_each_citation_for_the_appraiser(tmp_path, make_round,
                                                               valid_answers):
    import datetime as dt

    rnd = make_round()
    rnd.add("SO_VP", valid_answers, evidence={
        "C1.1": "Kế hoạch số 15/KH-VP ngày 20/01 về ứng dụng CNTT",
        "C4.6": "https://datdai.stnmt.vn"})
    result = rnd.score()
    reported = result.answers.assign(raw_value=result.answers["reported_value"])
    path = write_workbook(build_inspection_template(reported, rnd.rubric, result.registry),
                          tmp_path / "inspection.xlsx")
    ws = load_workbook(path).active
    header = [c.value for c in ws[1]]
    rows = {row[2]: dict(zip(header, row)) for row in ws.iter_rows(min_row=2,
                                                                    values_only=True)}
    plan = rows["C1.1"]
    assert plan["Số, ký hiệu văn bản kiểm chứng"] == "15/KH-VP"
    assert plan["Ngày văn bản kiểm chứng"] == dt.datetime(2017, 1, 20)  # a date cell
    assert rows["C4.6"]["Đường dẫn kiểm chứng"] == "https://datdai.stnmt.vn"
    assert rows["C2.5"]["Số, ký hiệu văn bản kiểm chứng"] is None
    assert header[7] == "Số liệu kiểm tra"   # inspectors' columns keep their places
    # … and the file reads back as before: no correction from the new columns.
    from cntt_analysis.scoring.inspection import read_corrections

    corrections, issues = read_corrections(path, rnd.rubric, result.registry, 2017,
                                           result.answers)
    assert corrections.empty and not issues
