"""Pages a director reads (issue 10 §4), checked in a real browser and in the PDF: no
horizontal page overflow on a 390 px phone or a 1366 px screen, a cover that is not a
screen of nothing, page 1 that says who is good and who must fix what, an index grouped
by group with score and tier, documents named in Vietnamese.

The browser is Debian's chromium driven by Playwright (`executable_path`): Playwright's own
browser download is not needed.
"""

from __future__ import annotations

import re
import shutil
import subprocess
from html.parser import HTMLParser

import pytest
from test_report import XSS_ESCAPED, report  # noqa: F401  (the shared built report)

CHROMIUM = shutil.which("chromium") or shutil.which("chromium-browser")
WIDTHS = (390, 1366)


@pytest.fixture(scope="module")
def browser():
    playwright = pytest.importorskip("playwright.sync_api")
    if CHROMIUM is None:
        pytest.skip("chromium is not installed (apt-get install chromium)")
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


@pytest.mark.skipif(shutil.which("pdftotext") is None, reason="poppler-utils missing")
def test_page_one_of_the_annual_pdf_tells_who_is_good_and_who_must_fix_what(report):  # noqa: F811
    first = pdf_page_text(report.out / "bao-cao-2017.pdf", 1, 1)
    for text in ("BÁO CÁO KẾT QUẢ KIỂM TRA", "Tóm tắt kết quả", "đơn vị được chấm điểm",
                 "Cao điểm nhất", "Thấp điểm nhất", "Đề nghị lãnh đạo Sở"):
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
