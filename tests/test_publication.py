"""Draft and final results: `cntt finalise`, the published copy kept when inputs change, the
note of what changed, and units' explanations (giải trình) in the inspection audit."""

from __future__ import annotations

import datetime as dt
import hashlib
import json
import shutil

import pandas as pd
import pytest
from openpyxl import load_workbook
from typer.testing import CliRunner

from cntt_analysis.cli import app
from cntt_analysis.errors import UsageError
from cntt_analysis.scoring import publication
from cntt_analysis.scoring.inspection import COLUMNS, build_inspection_template
from cntt_analysis.scoring.pipeline import write_round
from cntt_analysis.storage import write_workbook

WHEN = dt.datetime(2017, 9, 20, 8, 30, tzinfo=dt.timezone.utc)


def sha(path) -> str:
    return hashlib.sha256(path.read_bytes()).hexdigest()


@pytest.fixture
def scored(make_round, tmp_path):
    """A round of the four test units, scored into tmp_path/processed."""
    rd = make_round()
    rd.add_all()
    processed = tmp_path / "processed"
    write_round(rd.score(), processed, rd.raw)
    return rd, processed


def run_cli(*args):
    return CliRunner().invoke(app, [str(a) for a in args])


def pub(processed, rd):
    """Where the round's publication records are kept (beside its processed set)."""
    return publication.publication_folder(processed, rd.year)


def test_a_scored_round_is_a_draft_until_finalised(scored):
    rd, processed = scored
    before = publication.status(processed, rd.year)
    assert (before.state, before.draft, before.version) == ("draft", True, 1)
    assert before.label.startswith("DỰ THẢO")

    path = publication.finalise(rd.raw, processed, rd.year, "Nguyễn Văn Bình", when=WHEN)

    record = json.loads(path.read_text(encoding="utf-8"))
    folder = processed / str(rd.year)
    assert record["inputs"] == json.loads((folder / "inputs.json").read_text(encoding="utf-8"))
    assert record["outputs"] == {name: sha(folder / f"{name}.parquet")
                                 for name in ("answers", "points", "scores", "issues",
                                              "register", "corrections", "shortcomings",
                                              "criterion_scores")}
    assert (record["by"], record["version"], record["folder"]) == (
        "Nguyễn Văn Bình", 1, "final-v1")
    assert record["finalised_at"].startswith("2017-09-20T08:30")
    assert sha(pub(processed, rd) / "final-v1" / "scores.parquet") == sha(folder / "scores.parquet")
    after = publication.status(processed, rd.year)
    assert (after.state, after.draft) == ("final", False)
    assert publication.is_final(processed, rd.year)
    assert "20/09/2017" in after.label and "Nguyễn Văn Bình" in after.label
    with pytest.raises(UsageError, match="đã được chốt"):
        publication.finalise(rd.raw, processed, rd.year, "Ai đó")


def test_finalise_refuses_results_not_computed_from_the_current_inputs(scored):
    rd, processed = scored
    rd.add("SO_VP", C4_1=50)  # a resubmission, not scored yet
    with pytest.raises(UsageError, match="cntt score"):
        publication.finalise(rd.raw, processed, rd.year, "Bình")
    assert publication.read_final(processed, rd.year) is None


def test_changing_a_submission_after_finalising_warns_keeps_and_notes(scored):
    rd, processed = scored
    result = run_cli("finalise", "--year", rd.year, "--by", "Bình", "--raw", rd.raw,
                     "--processed", processed)
    assert result.exit_code == 0, result.output
    assert "Đã chốt kết quả năm 2017" in result.output
    folder = processed / str(rd.year)
    published = pd.read_parquet(pub(processed, rd) / "final-v1" / "scores.parquet")
    kept = sha(pub(processed, rd) / "final-v1" / "scores.parquet")

    rd.add("SO_VP", C4_1=50)  # SO_VP's new workbook: fewer documents processed online
    result = run_cli("score", "--year", rd.year, "--raw", rd.raw, "--processed", processed,
                     "--quiet")

    assert result.exit_code == 0, result.output
    assert "Cảnh báo: kết quả năm 2017 đã được chốt chính thức" in result.output
    assert "changes-v2.xlsx" in result.output
    assert sha(pub(processed, rd) / "final-v1" / "scores.parquet") == kept  # published set stays
    status = publication.status(processed, rd.year)
    assert (status.state, status.version, status.draft) == ("changed", 2, True)
    current = pd.read_parquet(folder / "scores.parquet").set_index("unit_id")
    old = published.set_index("unit_id")
    assert current.loc["SO_VP", "score"] < old.loc["SO_VP", "score"]
    note = pd.read_excel(pub(processed, rd) / "changes-v2.xlsx", engine="openpyxl")
    assert "SO_VP" in set(note["Mã đơn vị"])
    row = note.set_index("Mã đơn vị").loc["SO_VP"]
    assert row["Điểm đã công bố"] == pytest.approx(old.loc["SO_VP", "score"])
    assert row["Điểm mới"] == pytest.approx(current.loc["SO_VP", "score"])
    assert "điểm" in row["Thay đổi"]
    # Groups named by the round's rubric, although --raw is not beside --processed.
    assert row["Khối"] == "Khối phòng, đơn vị trực thuộc Sở"
    changed = publication.compare(processed, rd.year)
    assert set(changed["unit_id"]) == set(note["Mã đơn vị"])

    # finalising again publishes version 2 and keeps the history
    publication.finalise(rd.raw, processed, rd.year, "Lan", when=WHEN)
    record = publication.read_final(processed, rd.year)
    assert (record["version"], record["folder"]) == (2, "final-v2")
    assert [h["version"] for h in record["history"]] == [1]
    assert (pub(processed, rd) / "final-v1" / "scores.parquet").is_file()
    assert publication.is_final(processed, rd.year)


def test_rescoring_unchanged_inputs_keeps_the_results_final(scored):
    rd, processed = scored
    publication.finalise(rd.raw, processed, rd.year, "Bình", when=WHEN)
    result = run_cli("score", "--year", rd.year, "--raw", rd.raw, "--processed", processed,
                     "--quiet")
    assert result.exit_code == 0
    assert "Cảnh báo" not in result.output
    assert publication.is_final(processed, rd.year)
    assert not list(pub(processed, rd).glob("changes-v*"))


def test_units_explanations_on_the_draft_reach_the_audit(make_round, rubric):
    rd = make_round()
    rd.add_all()
    first = rd.score()
    wb = build_inspection_template(first.answers.assign(raw_value=first.answers["reported_value"]),
                                   rubric, first.registry)
    ws = wb.active
    header = [c.value for c in ws[1]]
    assert COLUMNS["explanation"] == "Giải trình của đơn vị" and COLUMNS["explanation"] in header
    col = {key: header.index(label) + 1 for key, label in COLUMNS.items()}
    row = next(r for r in range(2, ws.max_row + 1)
               if (ws.cell(r, col["unit_id"]).value, ws.cell(r, col["code"]).value)
               == ("SO_VP", "G06"))
    ws.cell(row, col["verified"]).value = 15
    ws.cell(row, col["reason"]).value = "Kiểm kê có 15 máy"
    ws.cell(row, col["explanation"]).value = "=3 máy mượn của Sở, đề nghị tính"
    ws.cell(row, col["explanation"]).data_type = "s"
    path = write_workbook(wb, rd.folder / "inspection.xlsx")
    assert load_workbook(path)["Kiểm tra"].cell(row, col["explanation"]).data_type == "s"

    audit = rd.score().corrections

    assert len(audit) == 1
    fix = audit.iloc[0]
    assert (fix["unit_id"], fix["code"], fix["verified"]) == ("SO_VP", "G06", "15")
    assert fix["explanation"] == "=3 máy mượn của Sở, đề nghị tính"
    assert fix["reason"] == "Kiểm kê có 15 máy"


def test_an_inspection_file_without_the_explanation_column_still_loads(make_round):
    rd = make_round()
    rd.add_all()
    rd.write("inspection.csv", "unit_id,code,verified,reason\nSO_VP,G06,15,Kiểm kê\n")
    audit = rd.score().corrections
    assert list(audit["explanation"]) == [""]
    assert list(audit["verified"]) == ["15"]


def test_finalising_changes_the_report_keys_so_draft_pages_are_rebuilt(scored):
    """Regression: finalising changed no processed table, so `cntt report` reused every
    page and kept printing DỰ THẢO; the finalisation record is part of what pages read."""
    from cntt_analysis.report.build.keys import round_digest, settings_digest

    rd, processed = scored
    before = round_digest(processed, [rd.year]), settings_digest(processed, [rd.year])
    publication.finalise(rd.raw, processed, rd.year, "Bình", when=WHEN)
    after = round_digest(processed, [rd.year]), settings_digest(processed, [rd.year])
    assert before[0] != after[0] and before[1] != after[1]
    assert after == (round_digest(processed, [rd.year]), settings_digest(processed, [rd.year]))


def test_the_note_of_changes_opens_in_vietnamese_excel_as_numbers_and_names(scored):
    """What a clerk opens: a workbook, not a CSV that Vietnamese Excel (decimal comma, ";"
    lists) shows as one column of text; scores are number cells, groups are named, the
    change is written with Vietnamese decimals."""
    rd, processed = scored
    publication.finalise(rd.raw, processed, rd.year, "Bình", when=WHEN)
    old = pd.read_parquet(processed / str(rd.year) / "scores.parquet").set_index("unit_id")
    rd.add("SO_VP", C4_1=50)
    write_round(rd.score(), processed, rd.raw)
    warning = publication.record_changes(processed, rd.year, rd.raw)
    path = pub(processed, rd) / "changes-v2.xlsx"
    assert str(path) in warning
    assert not list(pub(processed, rd).glob("*.csv"))
    ws = load_workbook(path).active
    header = [c.value for c in ws[1]]
    assert header[:5] == ["Mã đơn vị", "Tên đơn vị", "Khối", "Điểm đã công bố", "Điểm mới"]
    rows = {r[0].value: r for r in ws.iter_rows(min_row=2)}
    so_vp = rows["SO_VP"]
    assert so_vp[2].value == "Khối phòng, đơn vị trực thuộc Sở"          # not "so"
    for cell in (so_vp[3], so_vp[4]):
        assert cell.data_type == "n" and cell.number_format == "0.00"
    assert so_vp[3].value == pytest.approx(old.loc["SO_VP", "score"])
    assert so_vp[7].data_type == "n" and so_vp[8].data_type == "n"     # ranks
    published = f"{old.loc['SO_VP', 'score']:.2f}".replace(".", ",")
    assert f"điểm {published} → " in so_vp[9].value
    assert "." not in so_vp[9].value.split("điểm ")[1].split(";")[0]
    assert ws.freeze_panes == "C2" and ws.auto_filter.ref.startswith("A1:J")
    again = path.read_bytes()
    publication.record_changes(processed, rd.year, rd.raw)
    assert path.read_bytes() == again                                    # same bytes


# --- A published version never changes (issue 17) -------------------------------------

def _other_parquet(path):
    """Valid Parquet with other numbers: what a hand edit in a tool would leave."""
    frame = pd.read_parquet(path)
    frame["score"] = frame["score"] + 1
    frame.to_parquet(path, index=False)


def _edit_json(path, key, value):
    data = json.loads(path.read_text(encoding="utf-8"))
    data[key] = value
    path.write_text(json.dumps(data, ensure_ascii=False), encoding="utf-8")


# Each way a published version can be changed by hand → the file the check names.
TAMPERING = {
    "a table edited": (lambda v1, top: _other_parquet(v1 / "scores.parquet"),
                       "final-v1/scores.parquet"),
    "the inputs manifest edited": (lambda v1, top: _edit_json(v1 / "inputs.json", "registry",
                                                              "0" * 64),
                                   "final-v1/inputs.json"),
    "a table removed": (lambda v1, top: (v1 / "points.parquet").unlink(),
                        "final-v1/points.parquet"),
    "a file added": (lambda v1, top: (v1 / "ghi-chu.txt").write_text("sửa tay"),
                     "final-v1/ghi-chu.txt"),
    "the version folder removed": (lambda v1, top: shutil.rmtree(v1), "final-v1"),
    "the year's record edited": (lambda v1, top: _edit_json(top, "by", "Người khác"),
                                 "final.json"),
    "the version's own record edited": (lambda v1, top: _edit_json(
        v1 / "final.json", "outputs", {}), "final-v1/final.json"),
    "the year's record not JSON": (lambda v1, top: top.write_text("{hỏng", encoding="utf-8"),
                                   "final.json"),
}


@pytest.fixture
def published(scored):
    rd, processed = scored
    publication.finalise(rd.raw, processed, rd.year, "Bình", when=WHEN)
    return rd, processed, pub(processed, rd) / "final-v1", pub(processed, rd) / "final.json"


@pytest.mark.parametrize("how", TAMPERING)
def test_finalise_check_names_what_differs_in_a_published_version(published, how):
    rd, processed, v1, top = published
    ok = run_cli("finalise", "--check", "--year", rd.year, "--processed", processed,
                 "--raw", rd.raw)
    assert ok.exit_code == 0, ok.output
    assert "còn nguyên vẹn" in ok.output

    tamper, named = TAMPERING[how]
    tamper(v1, top)
    result = run_cli("finalise", "--check", "--year", rd.year, "--processed", processed,
                     "--raw", rd.raw)

    assert result.exit_code == 1, result.output
    assert "không còn nguyên vẹn" in result.output
    assert named in result.output
    assert "Traceback" not in result.output


# Every command that reads or extends the record: how it is run on the published round.
READERS = {
    "score": lambda rd, processed, tmp: ("score", "--force", "--quiet"),
    "finalise": lambda rd, processed, tmp: ("finalise", "--by", "Lan", "--no-report"),
    "documents": lambda rd, processed, tmp: ("documents", "--reports", tmp / "reports"),
    "report": lambda rd, processed, tmp: ("report", "--reports", tmp / "reports", "--quiet"),
}


@pytest.mark.parametrize("command", READERS)
@pytest.mark.parametrize("how", ["a table edited", "the year's record edited"])
def test_commands_reading_the_record_refuse_a_changed_published_version(
        published, tmp_path, command, how):
    rd, processed, v1, top = published
    TAMPERING[how][0](v1, top)
    before = {p: p.read_bytes() for p in pub(processed, rd).rglob("*") if p.is_file()}

    args = READERS[command](rd, processed, tmp_path)
    result = run_cli(*args, "--year", rd.year, "--raw", rd.raw, "--processed", processed)

    assert result.exit_code == 2, result.output
    assert "Bản chính thức đã công bố năm 2017 không còn nguyên vẹn" in result.output
    assert TAMPERING[how][1] in result.output
    assert "finalise --check" in result.output
    assert {p: p.read_bytes() for p in pub(processed, rd).rglob("*") if p.is_file()} == before


def test_refinalising_after_the_record_is_deleted_never_reuses_a_version(published):
    """Regression: deleting final.json then finalising other results wrote them over
    final-v1/, still as version 1."""
    rd, processed, v1, top = published
    kept = {p.name: p.read_bytes() for p in v1.iterdir()}
    top.unlink()
    assert publication.status(processed, rd.year).state == "final"  # v1's own record

    rd.add("SO_VP", C4_1=50)
    write_round(rd.score(), processed, rd.raw)
    publication.finalise(rd.raw, processed, rd.year, "Lan", when=WHEN)

    assert {p.name: p.read_bytes() for p in v1.iterdir()} == kept
    record = publication.read_final(processed, rd.year)
    assert (record["version"], record["folder"]) == (2, "final-v2")
    assert [h["version"] for h in record["history"]] == [1]
    assert publication.verify(processed, rd.year).problems == []


def test_a_folder_left_by_an_interrupted_finalisation_keeps_its_number(published):
    """The year's record still names version 1 while final-v2/ (complete, with its own
    record) was written: the next finalisation is version 3, v2 is not overwritten."""
    rd, processed, v1, top = published
    rd.add("SO_VP", C4_1=50)
    write_round(rd.score(), processed, rd.raw)
    publication.finalise(rd.raw, processed, rd.year, "Lan", when=WHEN)
    v2 = pub(processed, rd) / "final-v2"
    kept = {p.name: p.read_bytes() for p in v2.iterdir()}
    top.write_text((v1 / "final.json").read_text(encoding="utf-8"), encoding="utf-8")

    found = publication.verify(processed, rd.year)
    assert found.problems == [] and found.record["version"] == 2
    assert any("bản 2" in note for note in found.notes)
    rd.add("SO_VP", C4_1=20)
    write_round(rd.score(), processed, rd.raw)
    publication.finalise(rd.raw, processed, rd.year, "Lan", when=WHEN)

    assert {p.name: p.read_bytes() for p in v2.iterdir()} == kept
    assert publication.read_final(processed, rd.year)["version"] == 3


def test_a_version_folder_that_exists_is_never_written_over(published, monkeypatch):
    """Even when the record is older than a folder on disk that it cannot see (a stray
    final-v2/ with no record), finalising refuses rather than write into it."""
    rd, processed, v1, top = published
    stray = pub(processed, rd) / "final-v2"
    stray.mkdir()
    (stray / "scores.parquet").write_bytes(b"not ours")
    with pytest.raises(UsageError, match="final-v2"):
        publication.finalise(rd.raw, processed, rd.year, "Lan", when=WHEN)
    assert (stray / "scores.parquet").read_bytes() == b"not ours"
