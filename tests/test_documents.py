"""The official documents (.docx, Decree 30/2020/NĐ-CP layout): opened with python-docx,
converted to PDF by LibreOffice, and their figures checked against scores.parquet.

The round (`built`, once per module): two years on the 2017 rubric; in 2017 SO_VP is
inspected (a correction with the unit's explanation), H_CAILAY does not report (the
reminder), and a district unit's name carries spreadsheet and HTML markup.
"""

from __future__ import annotations

import datetime as dt
import hashlib
import shutil
import subprocess
import tempfile
from dataclasses import dataclass
from pathlib import Path

import pandas as pd
import pytest
from conftest import UNITS, VALID_ANSWERS, write_filled_template, write_registry
from docx import Document
from system_tools import needs, require_tool

from cntt_analysis.labels import vn_number, vn_score
from cntt_analysis.report.facts import load_facts
from cntt_analysis.report.word import docx_format as fmt
from cntt_analysis.report.word.documents import write_documents
from cntt_analysis.scoring import publication
from cntt_analysis.scoring.pipeline import score_round, write_round

YEAR = 2017
EVIL_ID = "H_EVIL"
EVIL_NAME = "=cmd|' /C calc'!A0 <b>Phòng</b> TN&MT"
REGISTRY = [*UNITS, (EVIL_ID, EVIL_NAME, "huyen", "")]
NAMES = {u[0]: u[1] for u in REGISTRY}
W = "{http://schemas.openxmlformats.org/wordprocessingml/2006/main}"
EXPLANATION = "Đơn vị có 3 máy mượn, đề nghị tính"

needs_tools = needs("soffice", "pdftotext", "pdfinfo", "pdftoppm")


@dataclass
class Built:
    raw: Path
    processed: Path
    out: Path
    paths: list[Path]

    def notice(self, unit_id: str) -> Path:
        return self.out / "thong-bao" / f"{unit_id}.docx"

    @property
    def report(self) -> Path:
        return self.out / f"bao-cao-{YEAR}.docx"

    def scores(self) -> pd.DataFrame:
        return pd.read_parquet(self.processed / str(YEAR) / "scores.parquet")


def write_raw(raw: Path) -> Path:
    (raw).mkdir(parents=True)
    write_registry(raw / "units.csv", REGISTRY)
    plan = {2016: {"SO_VP": {}, "SO_CCQLDD": {"C4_1": 300}, "H_TANPHUOC": {}, EVIL_ID: {}},
            YEAR: {"SO_VP": {"C1_1": "Không"}, "SO_CCQLDD": {},
                   "H_TANPHUOC": {"C2_2": 5, "C3_4": 0}, EVIL_ID: {"C4_2": 0}}}
    for year, subs in plan.items():
        (raw / str(year)).mkdir()
        (raw / str(year) / "round.yaml").write_text(
            f"deadline: {year}-08-10\nrubric: '2017'\n", encoding="utf-8")
        for unit_id, changes in subs.items():
            data = {**VALID_ANSWERS, "G03": dt.date(year, 8, 1),
                    **{k.replace("_", "."): v for k, v in changes.items()}}
            write_filled_template(raw / str(year) / f"{unit_id}.xlsx", data, year=year,
                                  unit_id=unit_id, unit_name=NAMES[unit_id])
    (raw / str(YEAR) / "inspection.csv").write_text(
        "unit_id,code,verified,reason,explanation\n"
        f'SO_VP,G06,15,Kiểm kê có 15 máy,"{EXPLANATION}"\n', encoding="utf-8")
    shutil.copy(Path(__file__).resolve().parents[1] / "data" / "raw" / "department.yaml",
                raw / "department.yaml")
    return raw


@pytest.fixture(scope="module")
def built(tmp_path_factory) -> Built:
    root = tmp_path_factory.mktemp("documents")
    raw = write_raw(root / "raw")
    processed = root / "processed"
    for year in (2016, YEAR):
        write_round(score_round(raw, year, progress=False), processed, raw)
    out = root / "van-ban"
    return Built(raw, processed, out, write_documents(YEAR, raw, processed, out))


def mm(length) -> float:
    """A length in mm to 0.1 (Word stores twips: 15 mm reads back as 14.99 mm)."""
    return round(length.mm, 1)


def all_text(doc) -> str:
    """Every text of the body, tables and headers."""
    body = doc.element.body
    parts = ["".join(t.text or "" for t in p.iter(f"{W}t")) for p in body.iter(f"{W}p")]
    for section in doc.sections:
        for header in (section.header, section.first_page_header):
            parts += [p.text for p in header.paragraphs]
    return "\n".join(parts)


def table_rows(doc, first_header: str) -> list[list[list[str]]]:
    """The rows (cell texts) of every table whose header row starts with `first_header`."""
    found = []
    for table in doc.tables:
        rows = [[c.text for c in r.cells] for r in table.rows]
        if rows and rows[0][0] == first_header:
            found.append(rows)
    return found


# --------------------------------------------------------------------------- files


def test_writes_the_report_a_notice_per_scored_unit_and_the_reminder(built):
    names = sorted(p.relative_to(built.out).as_posix() for p in built.paths)
    assert names == sorted([f"bao-cao-{YEAR}.docx", f"don-doc-{YEAR}.docx",
                            *(f"thong-bao/{u}.docx" for u in ("SO_VP", "SO_CCQLDD",
                                                              "H_TANPHUOC", EVIL_ID))])


def test_documents_are_byte_identical_for_identical_inputs(built, tmp_path):
    again = write_documents(YEAR, built.raw, built.processed, tmp_path / "again")
    digest = {p.relative_to(tmp_path / "again"): hashlib.sha256(p.read_bytes()).hexdigest()
              for p in again}
    assert digest == {p.relative_to(built.out): hashlib.sha256(p.read_bytes()).hexdigest()
                      for p in built.paths}
    core = Document(built.report).core_properties
    assert core.created == core.modified == fmt.FIXED_TIME
    assert core.revision == 1


# --------------------------------------------------------------------------- layout


@pytest.mark.parametrize("which", ["report", "notice", "reminder"])
def test_page_margins_fonts_and_page_numbers_follow_decree_30(built, which):
    path = {"report": built.report, "notice": built.notice("SO_VP"),
            "reminder": built.out / f"don-doc-{YEAR}.docx"}[which]
    doc = Document(path)
    for section in doc.sections:
        size = (round(section.page_width.mm, 1), round(section.page_height.mm, 1))
        assert size == (210.0, 297.0)
        assert 20 <= mm(section.top_margin) <= 25
        assert 20 <= mm(section.bottom_margin) <= 25
        assert 30 <= mm(section.left_margin) <= 35
        assert 15 <= mm(section.right_margin) <= 20
    first = doc.sections[0]
    assert first.different_first_page_header_footer
    header_xml = first.header._element.xml
    assert "PAGE" in "".join(t.text for t in first.header._element.iter(f"{W}instrText"))
    assert "fldChar" in header_xml
    assert not list(first.first_page_header._element.iter(f"{W}instrText"))  # no number p. 1
    assert doc.styles["Normal"].font.name == fmt.FONT
    defaults = doc.styles.element.find(f"{W}docDefaults").find(f"{W}rPrDefault")
    fonts = defaults.find(f"{W}rPr").find(f"{W}rFonts")
    assert {fonts.get(f"{W}{a}") for a in ("ascii", "hAnsi", "eastAsia", "cs")} == {fmt.FONT}
    for name in ("Normal", "Header", "Table Grid"):
        style = doc.styles[name]
        assert style.font.name == fmt.FONT and str(style.font.color.rgb) == "000000"
    runs = list(doc.element.body.iter(f"{W}r"))
    named = {f.get(f"{W}{a}") for r in runs for f in r.iter(f"{W}rFonts")
             for a in ("ascii", "hAnsi")}
    assert named <= {fmt.FONT}                  # no run asks for another face
    assert not [c for r in runs for c in r.iter(f"{W}color")]   # nor another colour


def test_heading_has_the_national_heading_motto_bodies_number_and_date(built):
    doc = Document(built.report)
    (left, right), (number, place) = doc.tables[0].rows[0].cells, doc.tables[0].rows[1].cells
    lines = [p for p in right.paragraphs if p.text]
    assert [p.text for p in lines] == [fmt.NATIONAL, fmt.MOTTO]
    national, motto = lines[0].runs[0], lines[1].runs[0]
    assert national.bold and national.font.size.pt == 12
    assert motto.bold and motto.font.size.pt == 13
    date = place.paragraphs[0]
    assert date.text == "Hòa An, ngày      tháng      năm 20.."
    assert date.runs[0].italic and date.runs[0].font.size.pt == 14
    left_lines = [p for p in left.paragraphs if p.text]
    assert [p.text for p in left_lines] == ["SỞ TÀI NGUYÊN VÀ MÔI TRƯỜNG",
                                            "TRUNG TÂM CÔNG NGHỆ\nTHÔNG TIN"]
    assert not left_lines[0].runs[0].bold and left_lines[1].runs[0].bold
    assert number.paragraphs[0].text == "Số:        /BC-TTCNTT"
    assert number.paragraphs[0].runs[0].font.size.pt == 13
    # the lines under the issuing body and under the motto are bottom borders
    ruled = [p for cell in (left, right) for p in cell.paragraphs
             if p._p.pPr is not None and p._p.pPr.find(f"{W}pBdr") is not None]
    assert len(ruled) == 2
    heading = Document(built.notice("SO_VP")).tables[0]
    assert heading.rows[0].cells[0].paragraphs[0].text == "UBND TỈNH HÒA AN"
    assert "/TB-STNMT" in heading.rows[1].cells[0].text


def test_signature_block_and_recipients(built):
    doc = Document(built.notice("SO_VP"))
    left, right = doc.tables[-1].rows[0].cells
    assert left.paragraphs[0].text == "Nơi nhận:"
    label = left.paragraphs[0].runs[0]
    assert label.bold and label.italic and label.font.size.pt == 12
    recipients = [p.text for p in left.paragraphs[1:]]
    assert recipients[0] == f"- {NAMES['SO_VP']};"
    assert recipients[-1] == "- Lưu: VT, TTCNTT."
    assert all(p.runs[0].font.size.pt == 11 for p in left.paragraphs[1:])
    signer = [p.text for p in right.paragraphs if p.text]
    assert signer == ["KT. GIÁM ĐỐC", "PHÓ GIÁM ĐỐC", "Trần Quốc Hưng"]


# --------------------------------------------------------------------------- content


def test_ranking_tables_show_the_scores_and_ranks_of_scores_parquet(built):
    scores = built.scores()
    doc = Document(built.report)
    ranking = table_rows(doc, "TT")
    shown = {row[1]: (row[2], row[3], row[4]) for rows in ranking for row in rows[1:]
             if len(row) == 7}
    expected = {r.name: (vn_number(r.score, 2, trim=False), r.tier, str(int(r.rank)))
                for r in scores.itertuples()}
    assert shown == expected
    appendix = table_rows(doc, "Hạng")
    in_appendix = {row[1]: (row[0], row[7]) for rows in appendix for row in rows[1:]}
    assert in_appendix == {r.name: (str(int(r.rank)), vn_number(r.score, 2, trim=False))
                           for r in scores.itertuples()}


def test_report_names_who_did_not_report_the_corrections_and_the_explanation(built):
    text = all_text(Document(built.report))
    assert f"Đơn vị không gửi báo cáo: {NAMES['H_CAILAY']}." in text
    assert EXPLANATION in text and "Kiểm kê có 15 máy" in text
    assert "I. MỤC ĐÍCH, PHẠM VI" in text and "V. ĐỀ XUẤT, KIẾN NGHỊ" in text


def test_each_notice_gives_the_units_score_rank_change_and_remedies(built):
    scores = built.scores().set_index("unit_id")
    for unit_id in ("SO_VP", "H_TANPHUOC"):
        row = scores.loc[unit_id]
        in_group = int((scores["group"] == row["group"]).sum())
        text = all_text(Document(built.notice(unit_id)))
        assert (f"Tổng điểm: {vn_score(row['score'])}/100 điểm; xếp loại {row['tier']}; "
                f"xếp hạng {int(row['rank'])}/{in_group} đơn vị") in text
        assert "So với năm 2016: điểm" in text
        assert "trước ngày 31 tháng 3 năm 2018" in text  # department.yaml's remedy deadline
        assert "Nguyễn Văn Bình" in text                  # the contact at the Centre
    vp = all_text(Document(built.notice("SO_VP")))
    assert "Kiểm kê có 15 máy" in vp and EXPLANATION in vp
    tan = Document(built.notice("H_TANPHUOC"))
    remedies = table_rows(tan, "TT")[-1]
    shortcomings = pd.read_parquet(built.processed / str(YEAR) / "shortcomings.parquet")
    own = shortcomings[shortcomings["unit_id"] == "H_TANPHUOC"]
    assert [r[1].split(" ")[0] for r in remedies[1:]] == list(own["indicator"])
    assert [r[3] for r in remedies[1:]] == list(own["remedy"])


def test_unit_supplied_markup_stays_plain_text(built):
    doc = Document(built.notice(EVIL_ID))
    text = all_text(doc)
    assert EVIL_NAME in text
    body = doc.element.body
    assert not list(body.iter(f"{W}fldSimple")) and not list(body.iter(f"{W}instrText"))
    assert "<b>" not in doc.element.xml.replace("&lt;b&gt;", "")


def test_reminder_goes_to_the_units_that_have_not_reported(built):
    text = all_text(Document(built.out / f"don-doc-{YEAR}.docx"))
    assert f"Kính gửi: {NAMES['H_CAILAY']}" in text
    assert "V/v đôn đốc gửi báo cáo" in text
    assert "10 tháng 8 năm 2017" in text
    for unit_id in ("SO_VP", "SO_CCQLDD", "H_TANPHUOC"):
        assert NAMES[unit_id] not in text


def test_round_file_overrides_number_date_and_model_rule(built, tmp_path):
    raw = tmp_path / "raw"
    shutil.copytree(built.raw, raw)
    with (raw / str(YEAR) / "round.yaml").open("a", encoding="utf-8") as handle:
        handle.write("documents: {report: {number: 5, date: 2017-09-03}}\n"
                     "models: {tiers: [Tốt, Khá], max_shortcomings: 40}\n")
    processed = tmp_path / "processed"
    shutil.copytree(built.processed, processed)
    paths = write_documents(YEAR, raw, processed, tmp_path / "out")
    doc = Document(paths[0])
    heading = doc.tables[0].rows[1].cells
    assert "Số: 05/BC-TTCNTT" in heading[0].text
    assert "Hòa An, ngày 03 tháng 9 năm 2017" in heading[1].text
    facts = load_facts(raw, processed, YEAR)
    scores = facts.scores
    expected = scores[scores["tier"].isin(["Tốt", "Khá"]) & ~scores["directed"]]["name"]
    assert len(expected)
    listed = table_rows(doc, "TT")
    model_rows = [r for rows in listed if rows[0][-1] == "Nội dung có kiểm chứng"
                  for r in rows[1:]]
    assert sorted(r[1] for r in model_rows) == sorted(expected)


def test_models_rule_from_department_file(built):
    facts = load_facts(built.raw, built.processed, YEAR)
    shortcomings = pd.read_parquet(built.processed / str(YEAR) / "shortcomings.parquet")
    counts = shortcomings.groupby("unit_id").size()
    scores = facts.scores
    expected = scores[(scores["tier"] == "Tốt")
                      & (scores["unit_id"].map(counts).fillna(0) <= 2)
                      & (scores["claims_without_evidence"] == 0) & ~scores["directed"]]
    assert sorted(facts.models["unit_id"]) == sorted(expected["unit_id"])
    assert facts.policy.max_shortcomings == 2 and facts.policy.model_tiers == ("Tốt",)


def test_draft_mark_until_finalised(built, tmp_path):
    header = Document(built.report).sections[0]
    assert fmt.DRAFT in header.first_page_header.paragraphs[0].text
    assert fmt.DRAFT in header.header.paragraphs[0].text
    raw, processed = tmp_path / "raw", tmp_path / "processed"
    shutil.copytree(built.raw, raw)
    shutil.copytree(built.processed, processed)
    publication.finalise(raw, processed, YEAR, "Bình")
    final = write_documents(YEAR, raw, processed, tmp_path / "out")
    for path in final:
        doc = Document(path)
        assert fmt.DRAFT not in all_text(doc)
    assert "Đây là dự thảo kết quả" not in all_text(Document(final[1]))


# --------------------------------------------------------------------------- LibreOffice


@pytest.fixture(scope="module")
def pdfs(built, tmp_path_factory) -> dict[str, Path]:
    """The report and two notices converted to PDF by LibreOffice (one call)."""
    require_tool("soffice")
    outdir = tmp_path_factory.mktemp("pdf")
    sources = [built.report, built.notice("SO_VP"), built.notice(EVIL_ID)]
    profile = Path(tempfile.mkdtemp(prefix="lo-profile-"))
    try:
        done = subprocess.run(
            [shutil.which("soffice") or shutil.which("libreoffice"),
             f"-env:UserInstallation={profile.as_uri()}", "--headless", "--convert-to", "pdf",
             "--outdir", str(outdir), *map(str, sources)],
            capture_output=True, text=True, timeout=240)
    finally:
        shutil.rmtree(profile, ignore_errors=True)
    assert done.returncode == 0, done.stderr
    return {p.stem: outdir / f"{p.stem}.pdf" for p in sources}


def pdf_text(pdf: Path, page: int | None = None) -> str:
    pages = ["-f", str(page), "-l", str(page)] if page else []
    return subprocess.run(["pdftotext", "-layout", *pages, str(pdf), "-"], check=True,
                          capture_output=True, text=True).stdout


def pdf_pages(pdf: Path) -> int:
    info = subprocess.run(["pdfinfo", str(pdf)], check=True, capture_output=True,
                          text=True).stdout
    return int(next(line.split()[-1] for line in info.splitlines()
                    if line.startswith("Pages:")))


@needs_tools
@pytest.mark.libreoffice
def test_libreoffice_converts_each_document_to_pdf(built, pdfs, tmp_path):
    scores = built.scores().set_index("unit_id")
    for stem, pdf in pdfs.items():
        assert pdf.is_file(), stem
        pages = pdf_pages(pdf)
        assert pages >= 1
        text = " ".join(pdf_text(pdf).split())
        assert fmt.NATIONAL in text and fmt.MOTTO in text and fmt.DRAFT in text
        assert "Nơi nhận:" in text
        if pages > 1:  # numbered from page 2, at the top
            assert pdf_text(pdf, 2).split()[0] == "2"
        assert not pdf_text(pdf, 1).split()[0].isdigit()
        subprocess.run(["pdftoppm", "-r", "30", "-png", "-f", "1", "-l", "1", str(pdf),
                        str(tmp_path / stem)], check=True)
    vp = " ".join(pdf_text(pdfs["SO_VP"]).split())
    assert f"Tổng điểm: {vn_score(scores.loc['SO_VP', 'score'])}/100 điểm" in vp
    assert EVIL_NAME in " ".join(pdf_text(pdfs[EVIL_ID]).split())
    assert len(list(tmp_path.glob("*.png"))) == 3


def test_long_body_names_break_before_a_two_word_tail():
    assert fmt.fit_lines("TRUNG TÂM CÔNG NGHỆ THÔNG TIN", 12, 75) == (
        "TRUNG TÂM CÔNG NGHỆ\nTHÔNG TIN")
    assert fmt.fit_lines("SỞ TÀI NGUYÊN VÀ MÔI TRƯỜNG", 12, 75) == "SỞ TÀI NGUYÊN VÀ MÔI TRƯỜNG"
    assert fmt.fit_lines("TRUNG TÂM\nCÔNG NGHỆ THÔNG TIN", 12, 75) == (
        "TRUNG TÂM\nCÔNG NGHỆ THÔNG TIN")  # the department's own break is kept


def test_cli_documents_writes_the_folder_of_the_year(built, tmp_path):
    from typer.testing import CliRunner

    from cntt_analysis.cli import app

    raw, processed = tmp_path / "raw", tmp_path / "processed"
    shutil.copytree(built.raw, raw)
    shutil.copytree(built.processed, processed)
    result = CliRunner().invoke(app, ["documents", "--year", str(YEAR), "--raw", str(raw),
                                      "--processed", str(processed),
                                      "--reports", str(tmp_path / "reports")])
    assert result.exit_code == 0, result.output
    assert "Đã soạn 6 văn bản" in result.output
    folder = tmp_path / "reports" / str(YEAR) / "van-ban"
    assert sorted(p.name for p in folder.rglob("*.docx")) == sorted(
        p.name for p in built.paths)
