"""The Excel results workbook as people print it (LibreOffice → PDF), its reproducible
bytes, and `cntt score` skipping a round whose inputs did not change."""

from __future__ import annotations

import re
import shutil
import subprocess
import zipfile

import pytest
from typer.testing import CliRunner

from cntt_analysis.cli import app
from cntt_analysis.report.excel import results_workbook_bytes

SHEETS = 7


@pytest.fixture
def scored(make_round):
    """Two units a group, one with a long remark (a wide, wrapped text column)."""
    rnd = make_round()
    rnd.add("SO_VP")
    rnd.add("SO_CCQLDD", C1_4="nhiều", C2_2=25)
    rnd.add("H_TANPHUOC")
    return rnd.score()


def sheet_xml(data: bytes) -> list[str]:
    with zipfile.ZipFile(__import__("io").BytesIO(data)) as archive:
        names = sorted((n for n in archive.namelist() if n.startswith("xl/worksheets/sheet")),
                       key=lambda n: int(re.sub(r"\D", "", n)))
        return [archive.read(n).decode("utf-8") for n in names]


def test_same_result_gives_the_same_bytes(scored):
    assert results_workbook_bytes(scored) == results_workbook_bytes(scored)


def test_every_sheet_prints_a4_one_page_wide_with_header_row_title_and_page_numbers(scored):
    data = results_workbook_bytes(scored)
    sheets = sheet_xml(data)
    assert len(sheets) == SHEETS
    for xml in sheets:
        assert 'paperSize="9"' in xml
        assert 'fitToHeight="0"' in xml and 'fitToWidth=' not in xml  # 1 wide: the default
        assert '<pageSetUpPr fitToPage="1"/>' in xml
        assert "&amp;P/&amp;N" in xml  # page x of y in the footer
        assert re.search(r"<oddHeader>[^<]*NĂM 2017", xml)  # the sheet's title
    # the points sheet (10 columns, long texts) is landscape
    assert 'orientation="landscape"' in sheets[2]
    with zipfile.ZipFile(__import__("io").BytesIO(data)) as archive:
        workbook = archive.read("xl/workbook.xml").decode("utf-8")
    assert workbook.count("_xlnm.Print_Titles") == SHEETS  # header row on every page
    assert "!$4:$4" in workbook


def test_header_text_with_an_ampersand_is_not_a_control_code(scored):
    """The huyện ranking title holds "TN&MT": '&M' would be a header code."""
    huyen = sheet_xml(results_workbook_bytes(scored))[1]
    assert "TN&amp;&amp;MT" in huyen


@pytest.mark.skipif(not shutil.which("pdfinfo") or not shutil.which("pdftotext"),
                    reason="poppler-utils is not installed")
def test_libreoffice_prints_the_ranking_whole_on_its_first_page(scored, tmp_path,
                                                                  libreoffice):
    """Before the page setup, page 1 held two columns of the ranking (175 pages for the
    demo); now the whole header row is on page 1 and the round fits a few pages."""
    src = tmp_path / "ket-qua-2017.xlsx"
    src.write_bytes(results_workbook_bytes(scored))
    pdf = libreoffice(src, "pdf", tmp_path / "pdf")
    info = subprocess.run(["pdfinfo", str(pdf)], capture_output=True, text=True).stdout
    pages = int(re.search(r"Pages:\s+(\d+)", info).group(1))
    assert pages <= 3 * SHEETS  # 175 for the demo before
    assert re.search(r"Page size:\s+(841\.\d+|842) x (595\.\d+|595)", info)  # A4 landscape
    first = subprocess.run(["pdftotext", "-layout", "-f", "1", "-l", "1", str(pdf), "-"],
                           capture_output=True, text=True).stdout
    for header in ("Hạng", "Tên đơn vị", "Xếp loại", "Chênh"):  # the last column
        assert header in first
    assert "Trang 1/" in first


# --------------------------------------------------------------------------- cntt score


def test_unchanged_score_rerun_says_so_and_writes_nothing(make_round, tmp_path, hash_files):
    rnd = make_round()
    rnd.add("SO_VP")
    processed = tmp_path / "p"
    args = ["score", "--year", "2017", "--raw", str(rnd.raw), "--processed", str(processed)]
    first = CliRunner().invoke(app, args)
    assert first.exit_code == 0, first.output
    written = {p: p.stat().st_mtime_ns for p in processed.rglob("*") if p.is_file()}
    again = CliRunner().invoke(app, args)
    assert again.exit_code == 0, again.output
    assert "Không có gì thay đổi" in again.output
    assert {p: p.stat().st_mtime_ns for p in processed.rglob("*") if p.is_file()} == written

    rnd.add("SO_CCQLDD")  # a new submission: scored again
    third = CliRunner().invoke(app, args)
    assert "Không có gì thay đổi" not in third.output
    assert "chấm 2 đơn vị" in third.output
    forced = CliRunner().invoke(app, [*args, "--force"])
    assert "Không có gì thay đổi" not in forced.output


def test_score_rescores_when_the_excel_results_are_missing(make_round, tmp_path):
    rnd = make_round()
    rnd.add("SO_VP")
    processed = tmp_path / "p"
    args = ["score", "--year", "2017", "--raw", str(rnd.raw), "--processed", str(processed)]
    assert CliRunner().invoke(app, args).exit_code == 0
    (processed / "2017" / "ket-qua-2017.xlsx").unlink()
    result = CliRunner().invoke(app, args)
    assert "Không có gì thay đổi" not in result.output
    assert (processed / "2017" / "ket-qua-2017.xlsx").is_file()


def test_a_table_longer_than_a_sheet_continues_on_more_sheets(scored, monkeypatch):
    """XlsxWriter ignores rows past a sheet's last row: they must go to another sheet."""
    from openpyxl import load_workbook

    from cntt_analysis.report import excel

    monkeypatch.setattr(excel, "MAX_ROWS", 4 + 100)  # 100 table rows a sheet
    wb = load_workbook(__import__("io").BytesIO(results_workbook_bytes(scored)))
    parts = [ws for ws in wb.worksheets if ws.title.startswith("Điểm theo chỉ tiêu")]
    assert [ws.title for ws in parts][:2] == ["Điểm theo chỉ tiêu", "Điểm theo chỉ tiêu (2)"]
    rows = [[c.value for c in row] for ws in parts for row in ws.iter_rows(min_row=5)]
    assert len(rows) == len(scored.points)
    assert all(ws["A4"].value == "Mã đơn vị" for ws in parts)  # each with its header
