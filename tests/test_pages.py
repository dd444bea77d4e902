"""Pages a director reads (issue 10 §4), checked in a real browser and in the PDF: no
horizontal page overflow on a 390 px phone or a 1366 px screen, a cover that is not a
screen of nothing, page 1 that says who is good and who must fix what, an index grouped
by group with score and tier, documents named in Vietnamese.

The browser is Debian's chromium driven by Playwright (`executable_path`): Playwright's own
browser download is not needed.
"""

from __future__ import annotations

import base64
import re
import shutil
import struct
import subprocess
from html.parser import HTMLParser

import nbformat
import pytest
from system_tools import needs, require_tool
from test_report import XSS_ESCAPED, XSS_ID, report  # noqa: F401  (the shared built report)

from cntt_analysis.report.facts import Organisation
from cntt_analysis.report.html.plots import MIN_FONT

CHROMIUM = shutil.which("chromium") or shutil.which("chromium-browser")
WIDTHS = (390, 1366)


@pytest.fixture(scope="module")
def browser():
    require_tool("playwright")
    require_tool("chromium")
    from playwright import sync_api as playwright

    with playwright.sync_playwright() as p:
        chromium = p.chromium.launch(executable_path=CHROMIUM,
                                     args=["--no-sandbox", "--disable-gpu"])
        yield chromium
        chromium.close()


def pages_of(report):  # noqa: F811
    out = report.out
    return [out / "index.html", out / "bao-cao-2017.html",
            *sorted((out / "phan-tich").glob("*.html")), *sorted((out / "don-vi").glob("*.html"))]


@pytest.mark.parametrize("width", WIDTHS)
def test_no_page_scrolls_sideways(browser, report, width, tmp_path):  # noqa: F811
    page = browser.new_page(viewport={"width": width, "height": 900})
    wide = {}
    for path in pages_of(report):
        page.goto(path.as_uri())
        scroll = page.evaluate("document.documentElement.scrollWidth")
        if scroll > width:
            wide[path.name] = scroll
        # charts never wider than the page
        assert page.evaluate("Math.max(0, ...[...document.images].map(i => "
                             "i.getBoundingClientRect().right))") <= width, path.name
    page.screenshot(path=str(tmp_path / f"last-{width}.png"))
    page.close()
    assert wide == {}


def test_the_cover_is_not_a_screen_of_nothing(browser, report):  # noqa: F811
    page = browser.new_page(viewport={"width": 390, "height": 900})
    page.goto((report.out / "bao-cao-2017.html").as_uri())
    cover = page.evaluate("document.querySelector('.cover').getBoundingClientRect().height")
    summary = page.evaluate("[...document.querySelectorAll('h2')].find(h => "
                            "h.textContent.includes('Tóm tắt kết quả'))"
                            ".getBoundingClientRect().top")
    page.close()
    assert cover < 450 and summary < 900      # the summary starts on the first screen


def pdf_page_text(pdf, first: int, last: int) -> str:
    return " ".join(subprocess.run(
        ["pdftotext", "-f", str(first), "-l", str(last), "-enc", "UTF-8", str(pdf), "-"],
        check=True, capture_output=True, text=True).stdout.split())


@needs("pdftotext")
def test_page_one_of_the_annual_pdf_tells_who_is_good_and_who_must_fix_what(report):  # noqa: F811
    first = pdf_page_text(report.out / "bao-cao-2017.pdf", 1, 1)
    for text in ("BÁO CÁO KẾT QUẢ KIỂM TRA", "Tóm tắt kết quả", "đơn vị được chấm điểm",
                 "Cao điểm nhất", "Thấp điểm nhất",
                 f"Đề nghị {Organisation().leaders}"):  # no department.yaml: neutral
        assert text in first, text


class Links(HTMLParser):
    def __init__(self, html: str):
        super().__init__()
        self.texts, self._in = [], False
        self.feed(html)

    def handle_starttag(self, tag, attrs):
        self._in = tag == "a"

    def handle_endtag(self, tag):
        self._in = False

    def handle_data(self, data):
        if self._in:
            self.texts.append(data)


def test_index_groups_profiles_with_score_and_tier_in_vietnamese(report):  # noqa: F811
    html = (report.out / "index.html").read_text(encoding="utf-8")
    headings = re.findall(r"<h2>(.*?)</h2>", html)
    assert headings[0] == "Báo cáo năm"
    assert "Hồ sơ từng đơn vị — Khối Phòng TN&amp;MT cấp huyện" in headings
    assert re.search(re.escape(XSS_ESCAPED) + r" — \d+,\d\d điểm, (Tốt|Khá|Trung bình|Yếu), "
                     r"hạng \d", html)
    names = Links(html).texts
    assert not any(re.fullmatch(r"\d\d-[a-z-]+", t) for t in names), names
    assert "Báo cáo năm" in names and "Xếp hạng" in names


# --------------------------------------------------------------------------- on a phone

def _png_dpi(data: bytes) -> float:
    """The resolution a PNG says it was drawn at (its pHYs chunk, pixels per metre)."""
    at = data.index(b"pHYs")
    per_metre, _, unit = struct.unpack(">IIB", data[at + 4:at + 13])
    assert unit == 1
    return per_metre * 0.0254


def _chart_text_px(page) -> list[tuple[str, float]]:
    """For each chart shown: (alt, CSS px of MIN_FONT-point text as the browser shows it)
    — the image shown (a <picture> picks it), its inches from its pixels and resolution,
    and its rendered width."""
    shown = page.evaluate("[...document.querySelectorAll('figure img')].map(i => "
                          "[i.alt, i.currentSrc, i.naturalWidth, "
                          "i.getBoundingClientRect().width])")
    out = []
    for alt, src, natural, width in shown:
        inches = natural / _png_dpi(base64.b64decode(src.split(",", 1)[1]))
        out.append((alt, MIN_FONT / 72 * width / inches))
    return out


def _profile(report):  # noqa: F811
    return sorted((report.out / "don-vi").glob("*.html"))[0]


def test_chart_text_is_at_least_9_px_on_a_phone(browser, report):  # noqa: F811
    page = browser.new_page(viewport={"width": 390, "height": 900})
    for path in (report.out / "bao-cao-2017.html", report.out / "phan-tich" / "02-ranking.html",
                 report.out / "phan-tich" / "03-criteria.html", _profile(report)):
        page.goto(path.as_uri())
        sizes = _chart_text_px(page)
        assert len(sizes) >= 2, path.name
        small = [(alt, round(px, 1)) for alt, px in sizes if px < 9]
        assert small == [], path.name
    page.close()
    # the same page on a computer still shows the A4 charts (those of the PDF)
    page = browser.new_page(viewport={"width": 1366, "height": 900})
    page.goto((report.out / "bao-cao-2017.html").as_uri())
    assert not page.evaluate("[...document.querySelectorAll('figure img')].some(i => "
                             "i.currentSrc !== i.src)")
    page.close()


def _boxes(page, table_index: int, headers: tuple[str, ...]) -> dict[str, list[dict]]:
    """Bounding boxes of the cells under `headers` in the table."""
    return page.evaluate(
        """([n, wanted]) => {
            const table = document.querySelectorAll('table.data')[n];
            const heads = [...table.querySelectorAll('thead th')].map(h => h.textContent);
            const out = {};
            for (const w of wanted) {
                const col = heads.indexOf(w);
                out[w] = [...table.querySelectorAll('tbody tr')].map(tr => {
                    const r = tr.children[col].getBoundingClientRect();
                    return {left: r.left, right: r.right};
                });
            }
            return out;
        }""", [table_index, list(headers)])


RANKING_KEY = ("Đơn vị", "Điểm", "Xếp loại", "Điểm tăng/giảm so với năm trước")


def _ranking_tables(page) -> list[int]:
    return page.evaluate(
        "[...document.querySelectorAll('table.data')].map((t, i) => [i, [...t.querySelectorAll("
        "'thead th')].some(h => h.textContent === 'Điểm tăng/giảm so với năm trước')])"
        ".filter(([i, r]) => r).map(([i]) => i)")


def test_ranking_keeps_name_score_tier_and_change_on_a_phone(browser, report):  # noqa: F811
    from cntt_analysis.rubric.model import load_rubric

    page = browser.new_page(viewport={"width": 390, "height": 900})
    for path in (report.out / "bao-cao-2017.html", report.out / "phan-tich" / "02-ranking.html"):
        page.goto(path.as_uri())
        tables = _ranking_tables(page)
        assert tables, path.name
        for n in tables:
            boxes = _boxes(page, n, RANKING_KEY)
            for header, cells in boxes.items():
                assert cells and all(c["left"] >= 0 and c["right"] <= 390 for c in cells), \
                    (path.name, header)
            heads = page.evaluate(f"[...document.querySelectorAll('table.data')[{n}]"
                                  ".querySelectorAll('thead th')].map(h => h.textContent)")
            for criterion in load_rubric("2017").criteria:      # columns named, not "C1 (%)"
                assert f"{criterion.code} {criterion.short} (%)" in heads
            # the rest scrolls in its box, said above it; the name stays in view
            box = page.evaluate_handle(f"document.querySelectorAll('table.data')[{n}]"
                                       ".closest('.table-box')")
            assert page.evaluate("b => b.scrollWidth > b.clientWidth", box)
            cue = page.evaluate("b => { const p = b.previousElementSibling; return p && "
                                "p.className === 'scroll-cue' ? [p.textContent, "
                                "p.getBoundingClientRect().height] : null; }", box)
            assert cue and "vuốt ngang" in cue[0] and cue[1] > 0, path.name
            page.evaluate("b => { b.scrollLeft = b.scrollWidth; }", box)
            names = _boxes(page, n, ("Đơn vị",))["Đơn vị"]
            assert all(c["left"] >= 0 and c["right"] <= 390 for c in names), path.name
            page.evaluate("b => { b.scrollLeft = 0; }", box)
    page.close()


def test_page_one_leaders_fit_a_phone_and_no_cue_on_a_computer(browser, report):  # noqa: F811
    page = browser.new_page(viewport={"width": 390, "height": 900})
    page.goto((report.out / "bao-cao-2017.html").as_uri())
    cells = page.evaluate(
        "[...[...document.querySelectorAll('table.data')].find(t => [...t.querySelectorAll("
        "'th')].some(h => h.textContent === 'Thấp điểm nhất')).querySelectorAll('td')]"
        ".map(td => [td.dataset.label, td.textContent, td.getBoundingClientRect().left, "
        "td.getBoundingClientRect().right, td.getBoundingClientRect().height])")
    weakest = [c for c in cells if c[0] == "Thấp điểm nhất"]
    assert weakest and all(c[1] for c in weakest)
    assert all(left >= 0 and right <= 390 and height > 0 for _, _, left, right, height in cells)
    page.close()
    page = browser.new_page(viewport={"width": 1366, "height": 900})
    page.goto((report.out / "bao-cao-2017.html").as_uri())
    assert page.evaluate("[...document.querySelectorAll('.scroll-cue')].every(p => "
                         "p.getBoundingClientRect().height === 0)")
    page.close()


def test_a_warmed_kernel_has_its_exporter_and_fonts_ready():
    """`pages.warm_up` (run by each kernel while `cntt report`'s data side works) makes
    nbconvert's exporter once, so the first page of the kernel does not compile its
    templates (~0.45 s), and renders a PDF."""
    from cntt_analysis.report.html import pages

    pages._exporter.cache_clear()
    pages.warm_up()
    assert pages._exporter.cache_info().currsize == 1
    exporter = pages._exporter()
    assert pages._exporter.cache_info().hits >= 1 and exporter is pages._exporter()


@pytest.mark.parametrize("notebook", ["06-annual-report.ipynb", "02-ranking.ipynb",
                                      f"don-vi/{XSS_ID}.ipynb"])
def test_a_page_is_nbconverts_page_without_its_last_pass(report, notebook,  # noqa: F811
                                                         monkeypatch):
    """`pages.notebook_body` skips nbconvert's BeautifulSoup pass (~0.35 s of the annual
    report): the same page as nbconvert's HTMLExporter once that pass has printed it, so
    nothing the pass did (alt text for images without one, focusable "jp-" cells) was
    needed: every image has its alt attribute (blocks.figure)."""
    from bs4 import BeautifulSoup
    from nbconvert import HTMLExporter

    from cntt_analysis.report.html import pages

    nb = nbformat.read(report.out / "notebooks" / notebook, as_version=4)
    with monkeypatch.context() as patched:
        def parse_again(*args, **kwargs):
            raise AssertionError("the page was parsed again")
        patched.setattr("nbconvert.exporters.html.BeautifulSoup", parse_again)
        ours = pages.notebook_body(nb)
    theirs, _ = HTMLExporter(template_name="basic", exclude_input=True,
                             exclude_input_prompt=True, exclude_output_prompt=True,
                             exclude_anchor_links=True).from_notebook_node(nb)
    assert str(BeautifulSoup(ours, features="html.parser")) == theirs
    images = BeautifulSoup(ours, features="html.parser").find_all("img")
    assert images and all(img.has_attr("alt") for img in images)
    assert "No description has been provided" not in theirs


def test_a_pdf_is_laid_out_with_fewer_collections_and_the_thresholds_given_back(tmp_path):
    """`html_to_pdf` lays a page out under `memory.fewer_collections`: a 300-row table's
    PDF runs a fifth of the young collections WeasyPrint alone runs at Python's default
    threshold (a province's annual report PDF 3.1 → 2.6 s), and the caller's thresholds
    are as they were after it."""
    import gc

    from weasyprint import HTML

    from cntt_analysis.report.html.pages import html_to_pdf, page

    rows = "".join(f"<tr><td>Đơn vị số {i}</td><td>{i},5</td><td>Khá</td></tr>"
                   for i in range(300))
    text = page(f"<table><tbody>{rows}</tbody></table>", "Bảng thử")
    seen: list[int] = []

    def count(phase: str, info: dict) -> None:
        if phase == "start" and info["generation"] == 0:
            seen.append(1)

    before = gc.get_threshold()
    gc.set_threshold(700, 10, 10)
    gc.callbacks.append(count)
    try:
        HTML(string=text).write_pdf()
        plain, seen[:] = len(seen), []
        html_to_pdf(text, tmp_path / "bang.pdf")
        fewer = len(seen)
        assert gc.get_threshold() == (700, 10, 10)
    finally:
        gc.callbacks.remove(count)
        gc.set_threshold(*before)
    assert plain >= 50 and fewer * 5 <= plain, (plain, fewer)
    assert (tmp_path / "bang.pdf").read_bytes().startswith(b"%PDF")
