"""The HTML blocks notebooks display (blocks.py) and the page around them (documents.py).

Everything built from data must be escaped exactly once, numbers shown the Vietnamese way,
and a page must be self-contained (no script, no external resource) and print on A4.
"""

from __future__ import annotations

import base64
import datetime as dt
import re
import subprocess
from pathlib import Path

import matplotlib

matplotlib.use("Agg")

import matplotlib.pyplot as plt  # noqa: E402
import nbformat  # noqa: E402
import pandas as pd  # noqa: E402
import pytest  # noqa: E402
from system_tools import needs  # noqa: E402

from cntt_analysis.labels import SYNTHETIC_NOTE, TIER_FILLS  # noqa: E402
from cntt_analysis.report.html import blocks  # noqa: E402
from cntt_analysis.report.html.pages import (  # noqa: E402
    html_to_pdf,
    index_page,
    notebook_body,
    page,
)

NASTY = '<script>alert(1)</script> Tài nguyên & Môi trường "x"'
NASTY_ESCAPED = "&lt;script&gt;alert(1)&lt;/script&gt; Tài nguyên &amp; Môi trường"
PNG_SIGNATURE = b"\x89PNG\r\n\x1a\n"


def html_of(block) -> str:
    """The markup of an IPython HTML object as the notebook would display it."""
    return block.data


def assert_no_raw_markup(html: str) -> None:
    assert "<script" not in html.lower()
    assert NASTY_ESCAPED in html


def external_references(html: str) -> list[str]:
    """src/href values that point to the network, and any CSS @import or <link>."""
    found = re.findall(r"""(?:src|href)\s*=\s*["']?\s*((?:https?:)?//[^"'\s>]*)""", html,
                       flags=re.IGNORECASE)
    found += re.findall(r"@import[^;]*", html, flags=re.IGNORECASE)
    found += re.findall(r"<link\b[^>]*>", html, flags=re.IGNORECASE)
    found += re.findall(r"url\(\s*['\"]?(?:https?:)?//[^)]*\)", html, flags=re.IGNORECASE)
    return found


# --------------------------------------------------------------------------- tables


def scores_frame() -> pd.DataFrame:
    return pd.DataFrame({
        "rank": [1, 2, 3],
        "name": [NASTY, "Văn phòng Sở", "Chi cục <b>QLĐĐ</b>"],
        "score": [85.5, 1234.5, 70.0],
        "share": [100.0, 0.333333, 12.345],
        "tier": ["Tốt", "Khá", "Trung bình"],
        "date": [dt.date(2017, 8, 1), pd.Timestamp("2017-08-20"), None],
    })


COLUMNS = {"rank": ("Hạng", "int"), "name": ("Đơn vị", "text"), "score": ("Điểm", "number"),
           "share": ("C1 (%)", "percent"), "tier": ("Xếp loại", "tier"),
           "date": ("Ngày lập báo cáo", "date")}


def cells_of(html: str) -> list[list[str]]:
    """The body rows as lists of raw <td …>…</td> strings."""
    body = html.split("<tbody>", 1)[1]
    return [re.findall(r"<td[^>]*>.*?</td>", row) for row in body.split("</tr>") if "<td" in row]


def test_table_escapes_text_cells_headers_and_caption():
    html = html_of(blocks.table(scores_frame(), {**COLUMNS, "name": ("Đơn vị <i>", "text")},
                                caption="Bảng <1> & 2"))
    assert_no_raw_markup(html)
    assert "Chi cục &lt;b&gt;QLĐĐ&lt;/b&gt;" in html
    assert "<b>" not in html and "<i>" not in html
    assert '<th class="key">Đơn vị &lt;i&gt;</th>' in html  # kept in view on a phone
    assert "<caption>Bảng &lt;1&gt; &amp; 2</caption>" in html
    assert html.startswith('<p class="scroll-cue">')           # 6 columns: wider than a phone
    assert '<div class="table-box wide"><table class="data">' in html
    assert html.endswith("</table></div>")


def test_a_table_that_fits_a_phone_has_no_scroll_cue_and_a_stacked_one_names_its_cells():
    narrow = html_of(blocks.table(scores_frame(), {"name": ("Đơn vị", "text"),
                                                   "score": ("Điểm", "number")}))
    assert narrow.startswith('<div class="table-box"><table class="data">')
    assert "scroll-cue" not in narrow and 'class="key' not in narrow
    stacked = html_of(blocks.table(scores_frame(), {**COLUMNS, "name": ("Đơn <vị>", "text")},
                                   layout="stack"))
    assert '<table class="data stack">' in stacked and "scroll-cue" not in stacked
    assert 'data-label="Đơn &lt;vị&gt;"' in stacked and "<vị>" not in stacked
    assert '<td class="num" data-label="Điểm">85,50</td>' in stacked


def test_table_formats_numbers_the_vietnamese_way():
    rows = cells_of(html_of(blocks.table(scores_frame(), COLUMNS)))
    assert rows[0][0] == '<td class="num">1</td>'
    assert rows[0][2] == '<td class="num">85,50</td>'            # 85.5 → "85,50"
    assert rows[1][2] == '<td class="num">1.234,50</td>'         # thousands with "."
    assert rows[2][2] == '<td class="num">70,00</td>'            # decimals line up
    assert rows[0][3] == '<td class="num">100,0</td>'           # a percentage: 1 decimal
    assert rows[1][3] == '<td class="num">0,3</td>'
    assert rows[2][3] == '<td class="num">12,3</td>'             # a percentage: 1 place
    assert not any("85.5" in c or "85.50" in c for c in rows[0])


def test_table_formats_dates_and_marks_missing_values_empty():
    frame = scores_frame()
    frame.loc[1, "score"] = float("nan")
    rows = cells_of(html_of(blocks.table(frame, COLUMNS)))
    assert rows[0][5] == '<td class="date">01/08/2017</td>'
    assert rows[1][5] == '<td class="date">20/08/2017</td>'
    assert rows[2][5] == '<td class="empty">–</td>'
    assert rows[1][2] == '<td class="empty">–</td>'


def test_table_colours_tier_cells():
    frame = pd.DataFrame({"tier": ["Tốt", "Khá", "Trung bình", "Yếu", "<b>Khác</b>"]})
    rows = cells_of(html_of(blocks.table(frame, {"tier": ("Xếp loại", "tier")})))
    for row, tier in zip(rows, ["Tốt", "Khá", "Trung bình", "Yếu"]):
        assert row == [f'<td class="tier" style="background:#{TIER_FILLS[tier]}">{tier}</td>']
    assert len(set(TIER_FILLS.values())) == 4                    # every tier its own colour
    assert rows[4] == ['<td class="tier" style="background:#FFFFFF">'
                       '&lt;b&gt;Khác&lt;/b&gt;</td>']


def test_table_keeps_the_chosen_columns_in_order():
    html = html_of(blocks.table(scores_frame(), {"tier": ("Xếp loại", "tier"),
                                                 "rank": ("Hạng", "int")}))
    assert re.findall(r"<th>(.*?)</th>", html) == ["Xếp loại", "Hạng"]
    assert all(len(row) == 2 for row in cells_of(html))
    assert "Văn phòng Sở" not in html


def test_empty_frame_gives_the_empty_note():
    empty = scores_frame().iloc[0:0]
    html = html_of(blocks.table(empty, COLUMNS))
    assert html == '<div class="callout info">Không có dữ liệu.</div>'
    custom = html_of(blocks.table(empty, COLUMNS, empty="Không có <đơn vị> nào & hết."))
    assert custom == '<div class="callout info">Không có &lt;đơn vị&gt; nào &amp; hết.</div>'
    assert "<table" not in custom


# --------------------------------------------------------------------------- text blocks


def test_paragraphs_escape_each_text():
    html = html_of(blocks.paragraphs([NASTY, "Dòng 2 < 3"]))
    assert_no_raw_markup(html)
    assert html.count("<p>") == 2 and html.endswith("<p>Dòng 2 &lt; 3</p>")
    styled = html_of(blocks.paragraphs(["a"], css_class="callout"))
    assert styled == '<p class="callout">a</p>'


def test_bullets_escape_each_item():
    html = html_of(blocks.bullets([NASTY, "b & c"]))
    assert_no_raw_markup(html)
    assert html.startswith("<ul><li>") and html.endswith("<li>b &amp; c</li></ul>")
    assert html.count("<li>") == 2


def test_heading_escapes_and_uses_the_level():
    html = html_of(blocks.heading(NASTY, 1))
    assert_no_raw_markup(html)
    assert html.startswith("<h1>") and html.endswith("</h1>")
    assert html_of(blocks.heading("Kết quả xếp hạng")) == "<h2>Kết quả xếp hạng</h2>"
    assert html_of(blocks.heading("A & B", 3)) == "<h3>A &amp; B</h3>"


def test_note_escapes_and_sets_its_kind():
    html = html_of(blocks.note(NASTY, "warning"))
    assert_no_raw_markup(html)
    assert html.startswith('<div class="callout warning">')


def test_synthetic_banner_only_when_synthetic():
    assert html_of(blocks.synthetic_banner(False)) == ""
    banner = html_of(blocks.synthetic_banner(True))
    assert 'class="callout synthetic"' in banner
    assert "Dữ liệu mô phỏng" in banner and SYNTHETIC_NOTE in banner


def test_cover_escapes_every_field():
    html = html_of(blocks.cover(NASTY, f"Năm 2017 — {NASTY}", f"Sở <TN&MT> — {NASTY}",
                                "Hạn 10/08/2017 & <sau>", synthetic=False))
    assert_no_raw_markup(html)
    assert html.count(NASTY_ESCAPED) == 3
    assert "Sở &lt;TN&amp;MT&gt;" in html and "Hạn 10/08/2017 &amp; &lt;sau&gt;" in html
    assert html.startswith('<section class="cover">') and html.endswith("</section>")
    assert "Dữ liệu mô phỏng" not in html


def test_cover_carries_the_synthetic_note_when_synthetic():
    html = html_of(blocks.cover("Báo cáo", "Năm 2017", "Sở", "Hòa An", synthetic=True))
    assert '<div class="callout synthetic">' in html and SYNTHETIC_NOTE in html


def test_key_figures_escape_values_and_labels():
    html = html_of(blocks.key_figures([("85,5", "điểm bình quân"), ("<1>", NASTY)]))
    assert_no_raw_markup(html)
    assert '<div class="value">&lt;1&gt;</div>' in html
    assert '<div class="value">85,5</div><div class="label">điểm bình quân</div>' in html
    assert html.count('<div class="figure">') == 2


def test_page_break_is_a_print_break():
    assert html_of(blocks.page_break()) == '<div class="page-break"></div>'
    assert ".page-break { page-break-before: always" in page("", "t")


# --------------------------------------------------------------------------- figures


def test_figure_embeds_a_png_and_closes_the_figure():
    fig, ax = plt.subplots(figsize=(3, 2))
    ax.bar(["Tốt", "Khá"], [1, 2])
    number = fig.number
    html = html_of(blocks.figure(fig, caption=f"Biểu đồ {NASTY}", dpi=50))
    assert not plt.fignum_exists(number)
    assert_no_raw_markup(html)
    match = re.fullmatch(r'<figure><img alt="([^"]*)" src="data:image/png;base64,'
                         r'([A-Za-z0-9+/=]+)"><figcaption>([^<]*)</figcaption></figure>', html)
    assert match, html[:300]
    alt, data, caption = match.groups()
    assert alt == caption == f"Biểu đồ {NASTY_ESCAPED} &quot;x&quot;"
    assert base64.b64decode(data).startswith(PNG_SIGNATURE)
    assert external_references(html) == []


def test_figure_without_caption_has_no_figcaption():
    fig = plt.figure(figsize=(1, 1))
    html = html_of(blocks.figure(fig, dpi=30))
    assert "<figcaption>" not in html and html.endswith("</figure>")
    assert 'alt=""' in html
    assert not plt.fignum_exists(fig.number)


# --------------------------------------------------------------------------- pages


def test_page_is_self_contained_and_sets_a4():
    html = page(html_of(blocks.paragraphs(["Nội dung"])), f"Hồ sơ {NASTY}")
    assert html.startswith("<!DOCTYPE html>")
    assert '<html lang="vi">' in html and '<meta charset="utf-8">' in html
    assert "<script" not in html.lower()
    assert external_references(html) == []
    assert re.search(r"@page\s*\{\s*size:\s*A4\b", html)
    assert f"<title>Hồ sơ {NASTY_ESCAPED} &quot;x&quot;</title>" in html
    assert "<p>Nội dung</p>" in html


def test_page_footer_cannot_break_out_of_the_stylesheet():
    html = page("<p>Nội dung</p>", "Tiêu đề", footer="</style><script>alert(1)</script>")
    assert "<script" not in html.lower()
    assert html.count("</style>") == 1
    assert html.index("</style>") < html.index("<p>Nội dung</p>")


def pdf_text(pdf) -> str:
    return subprocess.run(["pdftotext", "-enc", "UTF-8", str(pdf), "-"], check=True,
                          capture_output=True, text=True).stdout


needs_poppler = needs("pdftotext")


@needs_poppler
def test_pdf_footer_shows_the_title_as_plain_text(tmp_path):
    html = page("<p>Nội dung</p>", "Hồ sơ Văn phòng Sở", footer="Phòng Đo đạc — năm 2017")
    footer = pdf_text(html_to_pdf(html, tmp_path / "page.pdf")).split("Nội dung", 1)[1]
    assert "Trang 1/1" in footer
    assert "Phòng Đo đạc — năm 2017" in footer


@needs_poppler
def test_pdf_footer_shows_markup_and_quote_characters_as_typed(tmp_path):
    title = 'Phòng <TN> & MT "x" \\ \'y\' — hồ sơ'
    html = page("<p>Nội dung</p>", title)
    assert "<TN>" not in html.split("</title>", 1)[1]       # not as markup in the stylesheet
    footer = pdf_text(html_to_pdf(html, tmp_path / "page.pdf")).split("Nội dung", 1)[1]
    assert "&amp;" not in footer and "&lt;" not in footer
    assert title in footer


def test_index_page_escapes_labels_headings_and_links():
    sections = [("Hồ sơ <đơn vị> & khác", [
        (NASTY, [("HTML", "don-vi/H_X.html"), ("<PDF>", "don-vi/H_X.pdf")]),
        ("Bảng & số liệu", [("tệp", 'a"b<c>.html')])])]
    html = index_page(2017, sections, synthetic=False)
    assert_no_raw_markup(html)
    assert "<h2>Hồ sơ &lt;đơn vị&gt; &amp; khác</h2>" in html
    assert "Bảng &amp; số liệu" in html
    assert '<a href="don-vi/H_X.html">HTML</a>' in html
    assert '<a href="don-vi/H_X.pdf">&lt;PDF&gt;</a>' in html
    assert '<a href="a&quot;b&lt;c&gt;.html">tệp</a>' in html
    assert "<h1>Kết quả đánh giá năm 2017</h1>" in html  # no organisation: no name
    assert "Dữ liệu mô phỏng" not in html
    assert "<script" not in html.lower() and external_references(html) == []


def test_index_page_shows_the_synthetic_note_when_synthetic():
    html = index_page(2016, [("Báo cáo năm", [("Báo cáo", [("PDF", "bao-cao-2016.pdf")])])],
                      True)
    assert f'<div class="callout synthetic">{SYNTHETIC_NOTE}</div>' in html


def test_notebook_body_has_outputs_but_no_code_or_prompts():
    nb = nbformat.v4.new_notebook()
    code = nbformat.v4.new_code_cell("secret_variable = 42\ndisplay(table)", execution_count=3)
    code.outputs = [nbformat.v4.new_output(
        "display_data", data={"text/html": "<h2>Kết quả xếp hạng</h2>",
                              "text/plain": "<IPython.core.display.HTML object>"}),
        nbformat.v4.new_output("execute_result", data={"text/plain": "42"},
                               execution_count=3)]
    nb.cells = [nbformat.v4.new_markdown_cell("## Phụ lục: Phương pháp đánh giá"), code]
    body = notebook_body(nb)
    assert "Kết quả xếp hạng" in body and "Phụ lục: Phương pháp đánh giá" in body
    assert "secret_variable" not in body
    assert "jp-InputArea" not in body and "In&nbsp;[" not in body and "In [" not in body
    assert "Out[" not in body and "Out&nbsp;[" not in body
    assert "anchor-link" not in body
    assert "<script" not in page(body, "t").lower()


def test_a_megabyte_of_text_in_one_cell_is_shortened_in_pages_not_in_the_data():
    """Regression (issue 7): a 1 MB text cell made the report three times slower and was
    clipped in the PDF; pages show its start, the frame keeps it whole."""
    huge = "Hệ thống quản lý văn bản " * 40_000
    frame = pd.DataFrame({"label": [huge]})
    html = blocks.table(frame, {"label": ("Nội dung", "text")}).data
    assert len(html) < 2_000
    assert "Hệ thống quản lý văn bản" in html and "…" in html
    assert frame["label"].iloc[0] == huge


def test_the_draft_mark_is_printed_on_every_pdf_page(tmp_path):
    """Issue 8: until the round is finalised every page says DỰ THẢO, not only the first."""
    import subprocess

    from cntt_analysis.report.html.pages import html_to_pdf, page

    body = blocks.draft_banner("DỰ THẢO: kết quả chưa được chốt.").data + "".join(
        f"<p>Đoạn {n}: kết quả đánh giá ứng dụng công nghệ thông tin.</p>" for n in range(400))
    pdf = html_to_pdf(page(body, "Báo cáo"), tmp_path / "draft.pdf")
    pages = subprocess.run(["pdftotext", str(pdf), "-"], capture_output=True, text=True,
                           check=True).stdout.split("\f")
    pages = [p for p in pages if p.strip()]
    assert len(pages) >= 3
    assert all("DỰ THẢO" in p for p in pages)
    final = html_to_pdf(page("<p>Kết quả chính thức.</p>", "Báo cáo"), tmp_path / "final.pdf")
    text = subprocess.run(["pdftotext", str(final), "-"], capture_output=True, text=True,
                          check=True).stdout
    assert "Kết quả chính thức" in text and "DỰ THẢO" not in text


def test_index_page_names_the_organisations_assessment_escaped():
    from cntt_analysis.report.facts import Organisation

    org = Organisation(assessment_short="chuyển đổi số <&>")
    html = index_page(2025, [], False, organisation=org)
    assert "<h1>Kết quả đánh giá chuyển đổi số &lt;&amp;&gt; năm 2025</h1>" in html


def test_profile_sections_are_named_by_the_rubrics_groups():
    from cntt_analysis.report.html.pages import profile_sections
    from cntt_analysis.rubric.model import load_rubric

    scores = pd.DataFrame({"unit_id": ["A"], "group": ["so"], "score": [80.0],
                           "tier": ["Khá"], "rank": [1]})
    registry = pd.DataFrame({"unit_id": ["A", "B"], "name": ["Đơn vị A", "Đơn vị B"],
                             "group": ["so", "xa"]})
    links = [("A", [("HTML", "a.html")]), ("B", [("HTML", "b.html")])]
    rubric = load_rubric(Path(__file__).parent / "rubrics" / "constructs.yaml")
    headings = [h for h, _ in profile_sections(links, scores, registry, rubric)]
    assert headings == ["Hồ sơ từng đơn vị — Khối sở, ban, ngành",
                        "Hồ sơ từng đơn vị — Khối xã, phường, đặc khu"]
    # without the rubric, the codes: never another organisation's group names
    assert [h for h, _ in profile_sections(links, scores, registry)] == [
        "Hồ sơ từng đơn vị — khối so", "Hồ sơ từng đơn vị — khối xa"]


def _pdf_pages(pdf) -> list[str]:
    """Each page's text (pdftotext separates pages with a form feed)."""
    return pdf_text(pdf).split("\f")[:-1]


def _rows(n: int) -> pd.DataFrame:
    return pd.DataFrame({"code": [f"C{i:03d}" for i in range(1, n + 1)],
                         "label": [f"Chỉ tiêu thứ {i} có nội dung dài vừa phải để xuống dòng"
                                   f" trong ô bảng khi in" for i in range(1, n + 1)]})


PRINTED_COLUMNS = {"code": ("Mã", "code"), "label": ("Nội dung", "text")}


@needs_poppler
def test_a_long_printed_table_starts_under_its_heading_not_on_the_next_page(tmp_path):
    # Kept whole, a table taller than a page was pushed past its heading: the heading
    # stood alone on an otherwise blank page (every unit profile's "Điểm từng chỉ tiêu").
    body = (blocks.page_break().data + blocks.heading("Điểm từng chỉ tiêu").data
            + blocks.table(_rows(80), PRINTED_COLUMNS).data)
    pages = _pdf_pages(html_to_pdf(page(body, "Hồ sơ"), tmp_path / "long.pdf"))
    first = next(i for i, text in enumerate(pages) if "Điểm từng chỉ tiêu" in text)
    assert "C001" in pages[first]
    assert all(re.search(r"C0\d\d", text) for text in pages[first:])   # no blank page
    codes = [re.findall(r"C\d{3}", text) for text in pages]
    assert sorted(c for page_codes in codes for c in page_codes) == \
        [f"C{i:03d}" for i in range(1, 81)]                            # each row once, whole
    assert all(len(page_codes) >= 2 for page_codes in codes if page_codes)  # no lone row
    assert all("Nội dung" in text for text in pages[first:])          # the header repeats


@needs_poppler
@pytest.mark.parametrize("filler_lines", [31, 32, 44, 45])
def test_a_printed_table_never_leaves_fewer_than_four_rows_on_a_page(tmp_path, filler_lines):
    # The province's ranking started with 2 rows at the foot of page 2 and ended with 3
    # alone on page 4. Whatever the text above it, each page holds 4 rows of it or more.
    filler = blocks.paragraphs([f"Dòng lấp đầy trang số {i}." for i in range(filler_lines)]).data
    body = filler + blocks.table(_rows(30), PRINTED_COLUMNS).data
    pages = _pdf_pages(html_to_pdf(page(body, "Báo cáo"), tmp_path / "rows.pdf"))
    codes = [re.findall(r"C\d{3}", text) for text in pages]
    assert sorted(c for page_codes in codes for c in page_codes) == \
        [f"C{i:03d}" for i in range(1, 31)]
    assert all(len(page_codes) >= 4 for page_codes in codes if page_codes), codes


@needs_poppler
def test_a_printed_ranking_keeps_each_unit_name_on_one_line(tmp_path):
    # Beside ten figure columns the name column was squeezed to a word: each row of the
    # province's ranking was three lines tall ("Sở thử / nghiệm số / 19").
    columns = {"rank": ("Hạng", "int"), "name": ("Đơn vị", "text"),
               "score": ("Điểm", "score"), "tier": ("Xếp loại", "tier"),
               "change": ("Điểm tăng/giảm so với năm trước", "text"),
               "moved": ("Thứ hạng so với năm trước", "text"),
               **{f"C{k}": (f"C{k} Tiêu chí số {k} (%)", "pct") for k in range(1, 6)}}
    frame = pd.DataFrame({"rank": range(1, 21),
                          "name": [f"Sở thử nghiệm số {k:02d}" for k in range(1, 21)],
                          "score": 70.5, "tier": "Trung bình", "change": "–", "moved": "mới",
                          **{f"C{k}": 55.5 for k in range(1, 6)}})
    pdf = html_to_pdf(page(blocks.table(frame, columns).data, "Báo cáo"), tmp_path / "r.pdf")
    text = pdf_text(pdf)
    assert all(f"Sở thử nghiệm số {k:02d}" in text for k in range(1, 21)), text


@needs_poppler
def test_a_short_printed_table_is_not_split_and_keeps_its_lead_in(tmp_path):
    # It moves whole to the next page, taking its heading and the sentence before it along
    # (they stood at the foot of the page above a gap: "Điểm còn có thể tăng").
    filler = blocks.paragraphs(["Đoạn văn lấp đầy trang. " * 28] * 5).data
    body = (filler + blocks.heading("Bảng ngắn").data
            + blocks.paragraphs(["Câu dẫn vào bảng."]).data
            + blocks.table(_rows(6), PRINTED_COLUMNS).data)
    pages = _pdf_pages(html_to_pdf(page(body, "Báo cáo"), tmp_path / "short.pdf"))
    holding = [i for i, text in enumerate(pages) if re.search(r"C\d{3}", text)]
    assert len(holding) == 1
    assert "Bảng ngắn" in pages[holding[0]] and "Câu dẫn vào bảng." in pages[holding[0]]



@needs_poppler
@pytest.mark.parametrize("filler_lines", [29, 30, 31, 32, 33])
def test_a_lead_in_sentence_and_its_heading_stay_with_the_tables_first_rows(
        tmp_path, filler_lines):
    # The province's "Yêu cầu khắc phục theo chỉ tiêu" stood with its sentence at the foot
    # of a page, its long table starting on the next: too little room was left for four
    # rows. A sentence marked as the table's lead-in goes to the next page with them.
    filler = blocks.paragraphs([f"Dòng lấp đầy trang số {i}." for i in range(filler_lines)]).data
    body = (filler + blocks.heading("Bảng dài", 3).data
            + blocks.paragraphs(["Câu dẫn vào bảng."], blocks.LEAD_IN).data
            + blocks.table(_rows(30), PRINTED_COLUMNS).data)
    pages = _pdf_pages(html_to_pdf(page(body, "Báo cáo"), tmp_path / "lead.pdf"))
    heading = next(i for i, text in enumerate(pages) if "Bảng dài" in text)
    assert "Câu dẫn vào bảng." in pages[heading] and "C001" in pages[heading], pages[heading]
