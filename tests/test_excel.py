"""The Excel results workbook as people read and print it (LibreOffice → PDF), rendered from
the year's facts: the summary, a wide sheet per group with the group's own indicators, the
issues (what kind first, the code last), corrections apart from knock-on points, the state
of the results on every sheet, reproducible bytes, unit text never a formula; and
`cntt score` skipping a round whose inputs did not change."""

from __future__ import annotations

import dataclasses
import io
import re
import subprocess
import zipfile
import zlib

import pytest
import xlsxwriter.workbook
from openpyxl import load_workbook
from system_tools import needs
from typer.testing import CliRunner

from cntt_analysis.analysis.results import round_results
from cntt_analysis.cli import app
from cntt_analysis.intake.issues import CATALOGUE
from cntt_analysis.report import excel, sentences
from cntt_analysis.report.excel import (
    HEADER_ROW,
    points_csv_bytes,
    results_workbook_bytes,
    write_points_csv,
    write_results_workbook,
)
from cntt_analysis.report.excel_body import TableSheet
from cntt_analysis.report.facts import Organisation, load_particulars, year_facts

SHEETS = ["Tóm tắt", "Xếp hạng khối Sở", "Xếp hạng khối huyện", "Khung chỉ tiêu",
          "Vấn đề dữ liệu", "Điều chỉnh sau kiểm tra", "Điểm đổi do đơn vị khác",
          "Tồn tại, hạn chế", "Mục còn bỏ trống", "Tình hình nộp báo cáo"]
RANKINGS = ("Xếp hạng khối Sở", "Xếp hạng khối huyện")
UNIT_FORMULA = '=HYPERLINK("http://x","Bấm")'


@pytest.fixture
def scored(make_round):
    """Two units a group, one with a long remark (a wide, wrapped text column) and one
    named like a formula."""
    rnd = make_round(units=[("SO_VP", "Văn phòng Sở", "so", ""),
                            ("SO_CCQLDD", "Chi cục Quản lý đất đai", "so", ""),
                            ("SO_EQ", UNIT_FORMULA, "so", ""),
                            ("H_TANPHUOC", "Phòng TN&MT huyện Tân Phước", "huyen", "")])
    rnd.add("SO_VP")
    rnd.add("SO_CCQLDD", C1_4="nhiều", C2_2=25)
    rnd.add("SO_EQ", C1_1="Không")
    rnd.add("H_TANPHUOC")
    return rnd.score()


DEPARTMENT = """organisation: {name: Sở Tài nguyên và Môi trường, short: Sở, leaders: Lãnh đạo Sở}
assessment: {name: ứng dụng công nghệ thông tin, short: ứng dụng CNTT}
"""


@pytest.fixture
def facts(scored):
    raw = scored.round.folder.parent
    (raw / "department.yaml").write_text(DEPARTMENT, encoding="utf-8")
    return year_facts(round_results(scored), 2017, load_particulars(raw, 2017))


def book(facts, rubric):
    return load_workbook(io.BytesIO(results_workbook_bytes(facts, rubric)))


def sheet_xml(data: bytes) -> list[str]:
    with zipfile.ZipFile(io.BytesIO(data)) as archive:
        names = sorted((n for n in archive.namelist() if n.startswith("xl/worksheets/sheet")),
                       key=lambda n: int(re.sub(r"\D", "", n)))
        return [archive.read(n).decode("utf-8") for n in names]


def rows(ws) -> list[list]:
    return [[c.value for c in row] for row in ws.iter_rows(min_row=HEADER_ROW + 1)]


def test_same_facts_give_the_same_bytes(facts, scored):
    assert results_workbook_bytes(facts, scored.round.rubric) == \
        results_workbook_bytes(facts, scored.round.rubric)


def test_the_sheets_people_read_and_no_long_points_table(facts, scored):
    """The summary, a row per unit on its group's sheet — not one row per point: the points
    with their cells are the CSV's."""
    wb = book(facts, scored.round.rubric)
    assert wb.sheetnames == SHEETS
    assert len(rows(wb["Xếp hạng khối Sở"])) == 3 and len(rows(wb["Xếp hạng khối huyện"])) == 1
    # no sheet has a row per point (the long table had 10 cells a point)
    assert max(ws.max_row for ws in wb.worksheets) - HEADER_ROW < len(scored.points) / 2
    summary = [c.value for row in wb["Tóm tắt"].iter_rows() for c in row if c.value]
    said = " ".join(map(str, summary))
    for text in ("KẾT QUẢ ĐÁNH GIÁ ỨNG DỤNG CNTT NĂM 2017", "Số liệu chính",
                 "Kết quả theo khối", "Đề nghị Lãnh đạo Sở", "Kết quả chung"):
        assert text in said
    for text in [*sentences.decisions(facts), *sentences.summary_sentences(facts)]:
        assert text in said  # the same sentences as page 1
    assert facts.mean_score in summary


def test_a_wide_sheet_per_group_with_its_units_criteria_and_indicators(facts, scored):
    wb = book(facts, scored.round.rubric)
    ws = wb["Xếp hạng khối Sở"]
    header = [c.value for c in ws[HEADER_ROW]]
    indicators = [i.code for i in scored.round.rubric.indicators]
    assert [h.split("\n")[0] for h in header[11:-1]] == indicators
    got = rows(ws)
    assert [r[1] for r in got] == list(facts.scores.loc[facts.scores["group"] == "so", "name"])
    points = facts.indicator_points.set_index(["unit_id", "indicator"])["points"]
    for row in got:
        assert row[11:-1] == [points[(row[-1], code)] for code in indicators]
    # the band over the columns says what they are
    band = [c.value for c in ws[HEADER_ROW - 1] if c.value]
    assert band[0] == "Tỷ lệ điểm đạt theo tiêu chí (%)" and band[1] == "C1. Văn bản chỉ đạo"


def test_a_groups_sheet_has_its_own_frameworks_indicators(tmp_path):
    """A province's sở and xã are assessed on different indicators: each sheet has the
    columns of its group's framework; one not applicable to a unit says “–”."""
    from test_constructs import ANSWERS
    from test_frameworks import YEAR, _fill, province

    raw = province(tmp_path)
    assert CliRunner().invoke(app, ["template", "--year", YEAR, "--raw", str(raw), "--out",
                                    str(tmp_path / "bm")]).exit_code == 0
    for unit, answers in ANSWERS.items():
        _fill(tmp_path / "bm" / f"{unit}.xlsx", raw / str(YEAR) / f"{unit}.xlsx",
              {"G03": "01/12/2025", **answers})
    from cntt_analysis.scoring.pipeline import score_round

    result = score_round(raw, YEAR, progress=False)
    facts = year_facts(round_results(result), YEAR, load_particulars(raw, YEAR))
    wb = book(facts, result.round.rubric)
    assert {"Xếp hạng khối sở", "Xếp hạng khối xã"} <= set(wb.sheetnames)
    codes = {title: [c.value.split("\n")[0] for c in wb[title][HEADER_ROW]
                     if c.value and re.match(r"P\d\.\d", c.value)]
             for title in ("Xếp hạng khối sở", "Xếp hạng khối xã")}
    assert codes["Xếp hạng khối xã"] == ["P1.1", "P1.2", "P1.3", "P2.1", "P2.4"]
    assert codes["Xếp hạng khối sở"] == ["P1.1", "P1.2", "P1.3", "P2.1", "P2.2", "P2.3",
                                         "P3.1", "P3.2"]
    so = {r[-1]: r for r in rows(wb["Xếp hạng khối sở"])}
    header = [c.value.split("\n")[0] for c in wb["Xếp hạng khối sở"][HEADER_ROW]]
    s2 = dict(zip(header, so["S2"]))
    assert (s2["P1.2"], s2["P3.1"], s2["P3.2"]) == ("–", "–", "–")  # not applicable
    xa = {r[-1]: r for r in rows(wb["Xếp hạng khối xã"])}
    assert xa["X2"][0] is None and xa["X1"][0] == 1  # assessed, not ranked: no rank
    frame = rows(wb["Khung chỉ tiêu"])
    assert {r[1]: r[3:] for r in frame}["P2.4"] == ["–", 10]  # sở: not in its framework


def test_issues_say_what_kind_first_and_the_code_last(facts, scored):
    ws = book(facts, scored.round.rubric)["Vấn đề dữ liệu"]
    got = rows(ws)
    assert len(got) == len(facts.issues) > 0
    codes = set(CATALOGUE)
    for row in got:
        assert row[0] == sentences.issue_kind(row[-1]) != "Vấn đề khác"
        assert row[-1] in codes and not any(v in codes for v in row[:-1])


def test_every_issue_code_has_a_vietnamese_kind():
    assert set(CATALOGUE) <= set(sentences.ISSUE_KINDS)


def test_titles_and_footers_name_the_organisations_assessment(facts, scored):
    """Another organisation's workbook names its own assessment and leaders (department.yaml,
    ``facts.organisation``), never the demo's."""
    other = dataclasses.replace(facts, organisation=Organisation(
        assessment_short="CĐS", leaders="Ủy ban nhân dân tỉnh"))
    data = results_workbook_bytes(other, scored.round.rubric)
    wb = load_workbook(io.BytesIO(data))
    assert wb["Tóm tắt"]["A1"].value == "KẾT QUẢ ĐÁNH GIÁ CĐS NĂM 2017"
    said = [c.value for row in wb["Tóm tắt"].iter_rows() for c in row if c.value]
    assert "Đề nghị Ủy ban nhân dân tỉnh" in said
    assert wb["Xếp hạng khối Sở"]["A1"].value.startswith("KẾT QUẢ ĐÁNH GIÁ CĐS NĂM 2017 — ")
    assert all("<oddFooter>&amp;LKết quả đánh giá CĐS&amp;R" in xml for xml in sheet_xml(data))
    with zipfile.ZipFile(io.BytesIO(data)) as archive:
        text = "".join(archive.read(n).decode("utf-8") for n in archive.namelist()
                       if n.endswith(".xml"))
    assert "đánh giá ứng dụng cntt" not in text.lower() and "lãnh đạo sở" not in text.lower()


def test_the_state_of_the_results_is_on_every_sheet_and_printed_page(facts, scored):
    rubric = scored.round.rubric
    draft = sheet_xml(results_workbook_bytes(facts, rubric))
    assert all(re.search(r"<oddHeader>[^<]*DỰ THẢO", xml) for xml in draft)
    wb = book(facts, rubric)
    assert all(ws["A2"].value.startswith("DỰ THẢO") for ws in wb.worksheets)

    final = dataclasses.replace(facts, draft=False, status_label="Kết quả chính thức (bản 1).")
    data = results_workbook_bytes(final, rubric)
    assert "DỰ THẢO" not in "".join(sheet_xml(data))
    with zipfile.ZipFile(io.BytesIO(data)) as archive:
        assert "DỰ THẢO" not in archive.read("xl/sharedStrings.xml").decode("utf-8")
    assert all(ws["A2"].value == "Kết quả chính thức (bản 1)." for ws in book(final, rubric)
               .worksheets if ws.title != "Tóm tắt")

    units = facts.units.assign(status=["Chưa nộp", "Chưa nộp", "Chưa nộp", "Đã nộp"])
    partial = dataclasses.replace(facts, units=units, partial=True)
    said = sentences.partial_sentence(partial)
    assert said and "1/4" in said
    for ws in book(partial, rubric).worksheets:
        shown = " ".join(str(ws.cell(r, 1).value) for r in range(2, 5))
        assert said in shown, ws.title


def test_unit_text_is_never_a_formula(facts, scored):
    data = results_workbook_bytes(facts, scored.round.rubric)
    wb = load_workbook(io.BytesIO(data))
    found = [c for ws in wb.worksheets for row in ws.iter_rows() for c in row
             if c.value == UNIT_FORMULA]
    assert {c.parent.title for c in found} >= {"Xếp hạng khối Sở", "Tình hình nộp báo cáo"}
    assert all(c.data_type == "s" for c in found)
    assert not any(b"<f>" in xml.encode() or b"<f " in xml.encode() for xml in sheet_xml(data))


def test_every_sheet_prints_a4_with_its_header_rows_title_and_page_numbers(facts, scored):
    data = results_workbook_bytes(facts, scored.round.rubric)
    sheets = sheet_xml(data)
    assert len(sheets) == len(SHEETS)
    for xml in sheets:
        assert 'paperSize="9"' in xml
        assert 'fitToHeight="0"' in xml
        assert '<pageSetUpPr fitToPage="1"/>' in xml
        assert "&amp;P/&amp;N" in xml  # page x of y in the footer
        assert re.search(r"<oddHeader>[^<]*NĂM 2017", xml)  # the sheet's title
    for n in (1, 2):  # the wide sheets: landscape
        assert 'orientation="landscape"' in sheets[n]
    with zipfile.ZipFile(io.BytesIO(data)) as archive:
        workbook = archive.read("xl/workbook.xml").decode("utf-8")
    titles = re.findall(r'<definedName name="_xlnm.Print_Titles"[^>]*>([^<]*)<', workbook)
    assert len(titles) == len(SHEETS) - 1  # every table; the summary is no table
    ranking = [t for t in titles if "Xếp hạng khối Sở" in t]
    # the band and header rows on every page, the rank and name on every page across
    assert ranking and "$A:$B" in ranking[0] and "$4:$5" in ranking[0]
    assert sum("$5:$5" in t for t in titles) == len(SHEETS) - 3


def test_header_text_with_an_ampersand_is_not_a_control_code(facts, scored):
    """The huyện ranking title holds "TN&MT": '&M' would be a header code."""
    huyen = sheet_xml(results_workbook_bytes(facts, scored.round.rubric))[2]
    assert "TN&amp;&amp;MT" in huyen


@needs("pdfinfo", "pdftotext")
def test_libreoffice_prints_the_summary_first_and_each_ranking_whole(facts, scored, tmp_path,
                                                                     libreoffice):
    src = tmp_path / "ket-qua-2017.xlsx"
    src.write_bytes(results_workbook_bytes(facts, scored.round.rubric))
    pdf = libreoffice(src, "pdf", tmp_path / "pdf")
    info = subprocess.run(["pdfinfo", str(pdf)], capture_output=True, text=True).stdout
    pages = int(re.search(r"Pages:\s+(\d+)", info).group(1))
    assert pages <= 3 * len(SHEETS)

    def page(n: int) -> str:
        return subprocess.run(["pdftotext", "-layout", "-f", str(n), "-l", str(n), str(pdf),
                               "-"], capture_output=True, text=True).stdout

    first = page(1)
    for text in ("KẾT QUẢ ĐÁNH GIÁ ỨNG DỤNG CNTT NĂM 2017", "DỰ THẢO", "Đề nghị Lãnh đạo Sở",
                 "Trang 1/"):
        assert text in first
    texts = [page(n) for n in range(2, pages + 1)]
    ranking = [t for t in texts if "KHỐI PHÒNG, ĐƠN VỊ TRỰC THUỘC SỞ" in t]
    assert ranking and all("DỰ THẢO" in t for t in ranking)
    for header in ("Hạng", "Tên đơn vị", "Xếp loại", "Văn phòng Sở"):
        assert all(header in t for t in ranking)  # rank and name on every page across
    assert any("Mã đơn vị" in t for t in ranking)  # the last column is printed too


def test_a_table_longer_than_a_sheet_continues_on_more_sheets(facts, scored, monkeypatch):
    """XlsxWriter ignores rows past a sheet's last row: they must go to another sheet."""
    from cntt_analysis.report import excel

    monkeypatch.setattr(excel, "MAX_ROWS", HEADER_ROW + 2)  # 2 table rows a sheet
    wb = book(facts, scored.round.rubric)
    parts = [ws for ws in wb.worksheets if ws.title.startswith("Vấn đề dữ liệu")]
    assert [ws.title for ws in parts][:2] == ["Vấn đề dữ liệu", "Vấn đề dữ liệu (2)"]
    assert sum(len(rows(ws)) for ws in parts) == len(facts.issues)
    assert all(ws.cell(HEADER_ROW, 1).value == "Vấn đề" for ws in parts)


def _one_table(facts, rubric, frame, order=None) -> list[str]:
    import xlsxwriter

    buffer = io.BytesIO()
    wb = xlsxwriter.Workbook(buffer, {"in_memory": True})
    excel.Sheets(wb, facts, rubric).table(
        "Bảng", "BẢNG", "Ghi chú", frame, [("Đơn vị", "unit", None), ("Nội dung", "text", None),
                                          ("Điểm", "points", "0.00")], order=order)
    wb.close()
    return sheet_xml(buffer.getvalue())


def test_a_table_shown_in_an_order_is_the_table_sorted_row_for_row(facts, scored,
                                                                      monkeypatch):
    """A sheet sorted for the sheet only (the data issues) is shown through the rows'
    order, not a sorted copy: the same cells, widths and wrapped rows' heights as the
    sorted copy gives, on one sheet or continued on more."""
    import numpy as np
    import pandas as pd

    frame = pd.DataFrame({
        "unit": ["Phòng C", "Phòng A", "Phòng B", "Phòng A", None],
        "text": ["ngắn", "một nội dung rất dài " * 12, "vừa phải", "x", "dài " * 40],
        "points": [1.5, 2.0, None, 0.25, 3.0]}, index=[10, 11, 12, 13, 14])
    order = np.array([3, 1, 2, 0, 4])
    rubric = scored.round.rubric
    assert _one_table(facts, rubric, frame, order) == \
        _one_table(facts, rubric, frame.iloc[order])
    assert _one_table(facts, rubric, frame, order) != _one_table(facts, rubric, frame)
    monkeypatch.setattr(excel, "MAX_ROWS", HEADER_ROW + 2)  # 2 table rows a sheet
    split = _one_table(facts, rubric, frame, order)
    assert len(split) == 3 and split == _one_table(facts, rubric, frame.iloc[order])


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


def test_the_workbook_written_at_scoring_compares_with_last_year(make_round, tmp_path):
    """Written with the round's tables, its facts include the earlier rounds already
    scored: the change since last year is in the group's sheet."""
    rnd = make_round(year=2016, deadline=__import__("datetime").date(2016, 8, 10))
    rnd.add("SO_VP", G02=2016, G03=__import__("datetime").date(2016, 8, 1))
    processed = tmp_path / "p"
    assert CliRunner().invoke(app, ["score", "--raw", str(rnd.raw), "--processed",
                                    str(processed)]).exit_code == 0
    (rnd.raw / "2017").mkdir()
    (rnd.raw / "2017" / "round.yaml").write_text("deadline: 2017-08-10\nrubric: '2017'\n",
                                                 encoding="utf-8")
    later = dataclasses.replace(rnd, year=2017)
    later.add("SO_VP", C1_1="Không")
    done = CliRunner().invoke(app, ["score", "--year", "2017", "--raw", str(rnd.raw),
                                    "--processed", str(processed)])
    assert done.exit_code == 0, done.output
    wb = load_workbook(processed / "2017" / "ket-qua-2017.xlsx")
    so = rows(wb["Xếp hạng khối Sở"])
    assert so[0][1] == "Văn phòng Sở" and so[0][4] == -4.0  # C1.1: 4 points lost


def test_the_points_csv_written_piece_by_piece_is_the_csv_made_whole(scored, tmp_path,
                                                                     monkeypatch):
    rubric = scored.round.rubric
    names = dict(zip(scored.registry["unit_id"], scored.registry["name"]))
    whole = points_csv_bytes(scored.points, rubric, names)
    monkeypatch.setattr(excel, "CSV_PIECE", 9)  # many pieces, the last one short
    assert len(scored.points) % 9
    out = tmp_path / "out"
    path = write_points_csv(scored.points, rubric, names, out / "diem.csv")
    assert path.read_bytes() == whole
    lines = whole.decode("utf-8").split("\r\n")
    assert lines[0].startswith("\ufeffMã đơn vị;Tên đơn vị;Khối")
    assert lines[-1] == "" and len(lines) == len(scored.points) + 2
    assert sorted(p.name for p in out.iterdir()) == ["diem.csv"]


# A failure while zipping once left XlsxWriter's archive to be closed by the garbage
# collector on a closed file: "Exception ignored in: <function ZipFile.__del__" on stderr.
@pytest.mark.filterwarnings("error::pytest.PytestUnraisableExceptionWarning")
@pytest.mark.parametrize("where", ["sheets", "archive"])
def test_a_workbook_that_fails_midway_leaves_the_old_file_and_nothing_else(
        facts, scored, tmp_path, monkeypatch, where):
    target = tmp_path / "out" / "ket-qua-2017.xlsx"
    target.parent.mkdir()
    target.write_bytes(b"old")

    def broken(*args):
        raise RuntimeError("hỏng")

    if where == "sheets":  # while the sheets are made
        monkeypatch.setattr(excel, "_register", broken)
    else:  # while XlsxWriter writes them to its temporary files and zips them
        calls = []
        real = TableSheet._write_rows

        def third_fails(self):
            calls.append(self)
            if len(calls) == 3:
                broken()
            real(self)

        monkeypatch.setattr(TableSheet, "_write_rows", third_fails)
    with pytest.raises(RuntimeError, match="hỏng"):
        write_results_workbook(facts, scored.round.rubric, target)
    assert target.read_bytes() == b"old"
    assert sorted(p.name for p in target.parent.iterdir()) == [target.name]
    assert xlsxwriter.workbook.ZipFile is zipfile.ZipFile  # given back after a failure too


def test_the_workbooks_parts_are_deflated_at_the_quick_level(facts, scored):
    """Each part of the results workbook is deflated at WORKBOOK_DEFLATE_LEVEL (XlsxWriter
    would use zlib's default, 6: most of closing a 20,000-unit workbook); XlsxWriter's
    module gets its own ZipFile back afterwards."""
    data = results_workbook_bytes(facts, scored.round.rubric)
    with zipfile.ZipFile(io.BytesIO(data)) as archive:
        sizes = {}
        for info in archive.infolist():
            deflate = zlib.compressobj(excel.WORKBOOK_DEFLATE_LEVEL, zlib.DEFLATED, -15)
            content = archive.read(info)
            sizes[info.filename] = (info.compress_type, info.compress_size,
                                    len(deflate.compress(content) + deflate.flush()))
    assert len(sizes) > 10
    assert {kind for kind, _, _ in sizes.values()} == {zipfile.ZIP_DEFLATED}
    assert {name: stored for name, (_, stored, _) in sizes.items()} == \
        {name: quick for name, (_, _, quick) in sizes.items()}
    assert xlsxwriter.workbook.ZipFile is zipfile.ZipFile
