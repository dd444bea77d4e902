"""Documents leaders read: executed notebooks → self-contained HTML (no code) → A4 PDF.

The HTML embeds its images and styles and fetches nothing from the internet; the PDF is
rendered from that same HTML by WeasyPrint, with its fonts embedded.
"""

from __future__ import annotations

import functools
from pathlib import Path
from typing import TYPE_CHECKING

import nbformat

from cntt_analysis.memory import fewer_collections
from cntt_analysis.storage import write_bytes, write_text
from cntt_analysis.text import escape

if TYPE_CHECKING:
    import pandas as pd
    from nbconvert import HTMLExporter

    from cntt_analysis.report.facts import Organisation
    from cntt_analysis.rubric.model import Rubric

FONT_STACK = '"Liberation Sans", "DejaVu Sans", Arial, sans-serif'
CSS = """
@page { size: A4; margin: 16mm 15mm 18mm 15mm;
  @bottom-right { content: "Trang " counter(page) "/" counter(pages); font-size: 8pt;
    color: #666; font-family: %(font)s; }
  @bottom-left { content: "%(footer)s"; font-size: 8pt; color: #666;
    font-family: %(font)s; } }
@page { @top-right { content: element(draftmark); } }
html { background: #eef1f5; }
body { font-family: %(font)s; font-size: 10.5pt; line-height: 1.45; color: #1d1d1d;
  max-width: 190mm; margin: 0 auto; padding: 14mm 12mm; background: #fff; }
@media print { html { background: #fff; } body { max-width: none; padding: 0; margin: 0; } }
h1 { color: #1F4E79; font-size: 19pt; margin: 0 0 6pt; }
h2 { color: #1F4E79; font-size: 14pt; border-bottom: 2px solid #1F4E79; padding-bottom: 3pt;
  margin: 18pt 0 8pt; page-break-after: avoid; break-after: avoid; }
h3 { color: #2F5F8F; font-size: 11.5pt; margin: 12pt 0 5pt; page-break-after: avoid;
  break-after: avoid; }
p { margin: 4pt 0 6pt; text-align: justify; }
.anchor-link { display: none; }
.table-box { max-width: 100%%; overflow-x: auto; margin: 6pt 0 10pt;
  page-break-inside: avoid; break-inside: avoid; }
table.data { border-collapse: collapse; width: 100%%; font-size: 8.8pt; margin: 0; }
table.data caption { caption-side: top; text-align: left; font-weight: bold; color: #444;
  padding-bottom: 3pt; }
table.data thead { display: table-header-group; }
table.data th { background: #1F4E79; color: #fff; padding: 4pt 5pt; text-align: left;
  font-weight: bold; vertical-align: bottom; }
table.data td { padding: 3pt 5pt; border-bottom: 1px solid #d9dee5; vertical-align: top; }
table.data tr { page-break-inside: avoid; break-inside: avoid; }
/* A long table (blocks.LONG_TABLE_ROWS) starts under its heading and breaks between rows,
   its header repeated, leaving at least four rows at the top and at the foot of a page. */
.table-box.long { page-break-inside: auto; break-inside: auto; }
.table-box.long tbody tr:nth-child(-n+3),
.table-box.long tbody tr:nth-last-child(-n+4):nth-last-child(n+2) {
  page-break-after: avoid; break-after: avoid; }
/* Printed beside many figure columns, the unit's name keeps a readable width (squeezed to
   its longest word, each row of a province's ranking was three lines tall). */
@media print { table.data th.key, table.data td.key { min-width: 11em; } }
/* A short table kept whole takes the sentence before it (and so its heading) along when it
   moves to the next page, rather than leaving them at the foot of the page. A long
   table's lead-in is kept with its first rows only where a sentence says so (below). */
.table-box:not(.long) { page-break-before: avoid; break-before: avoid; }
/* A sentence leading into a long table (blocks.LEAD_IN) stays on the page of the table's
   first rows, and so does the heading above it. */
p.lead-in { page-break-after: avoid; break-after: avoid; }
table.data tbody tr:nth-child(even) td { background-color: #f5f8fb; }
table.data td.num, table.data td.date { text-align: right; white-space: nowrap; }
table.data td.code { white-space: nowrap; }
table.data td.tier { font-weight: bold; text-align: center; white-space: nowrap; }
table.data td.empty { color: #999; text-align: center; }
img { max-width: 100%%; height: auto; display: block; margin: 6pt auto 10pt;
  page-break-inside: avoid; break-inside: avoid; }
figure { margin: 4pt 0 12pt; page-break-inside: avoid; break-inside: avoid; }
picture { display: block; }
.scroll-cue { display: none; }
figcaption { text-align: center; font-size: 8.8pt; color: #555; font-style: italic; }
.callout { border-left: 4px solid #1F4E79; background: #eef4fa; padding: 6pt 9pt;
  margin: 8pt 0; }
.callout.warning { border-color: #C62828; background: #fdecea; }
.callout.synthetic { border-color: #E65100; background: #fff3e0; font-weight: bold; }
.callout.draft { border-color: #B71C1C; background: #fff; color: #B71C1C; font-weight: bold; }
/* The cover heads page 1, which goes on with the summary a director reads first. */
.cover { text-align: center; padding: 4mm 0 6mm; border-bottom: 2px solid #1F4E79;
  margin-bottom: 4mm; }
.cover .org { font-weight: bold; text-transform: uppercase; letter-spacing: .5pt;
  color: #1F4E79; font-size: 9.5pt; }
.cover h1 { font-size: 17pt; margin: 6mm 0 3mm; text-transform: uppercase; }
.cover .subtitle { font-size: 11.5pt; color: #444; }
.cover .place-date { margin-top: 3mm; font-style: italic; }
.cover .callout { text-align: left; margin-top: 4mm; }
.key-figures { display: flex; flex-wrap: wrap; gap: 6pt; margin: 8pt 0 12pt; }
.key-figures .figure { flex: 1 1 0; border: 1px solid #c9d3df; border-radius: 4pt;
  padding: 6pt; text-align: center; }
.key-figures .value { font-size: 17pt; font-weight: bold; color: #1F4E79; }
.key-figures .label { font-size: 8.5pt; color: #444; }
.page-break { page-break-before: always; break-before: page; }
ul { margin: 4pt 0 8pt 14pt; padding: 0; }
nav.index a { color: #1F4E79; }
nav.index .meta { color: #555; font-size: 9pt; }
pre { white-space: pre-wrap; overflow-wrap: anywhere; }
/* A phone (the width is blocks.PHONE_MEDIA's): narrow margins, cards two by two, the
   charts' phone variants (blocks.figure); a wide table scrolls in its box, says so above
   it and keeps the unit's name in view; a stacked table shows each row as a card. */
@media screen and (max-width: 640px) {
  body { padding: 5mm 4mm; font-size: 10pt; }
  h1 { font-size: 16pt; } .cover h1 { font-size: 14pt; margin: 4mm 0 2mm; }
  .key-figures .figure { flex: 1 1 40%%; }
  .key-figures .value { font-size: 14pt; }
  table.data { font-size: 8.5pt; }
  table.data th, table.data td { padding: 3pt 4pt; }
  /* Text columns keep a readable width; the table's box scrolls instead. */
  table.data:not(.stack) td:not(.num):not(.tier):not(.date):not(.empty):not(.code) {
    min-width: 8em; }
  .scroll-cue { display: block; font-size: 8.5pt; color: #555; font-style: italic;
    margin: 6pt 0 2pt; }
  .table-box.wide { margin-top: 0; }
  table.data .key { position: sticky; left: 0; z-index: 1; background: #fff;
    box-shadow: 2px 0 3px -1px rgba(0, 0, 0, .25); }
  table.data th.key { background: #1F4E79; z-index: 2; }
  table.data tbody tr:nth-child(even) td.key { background-color: #f5f8fb; }
  table.stack, table.stack tbody, table.stack tr { display: block; }
  table.stack thead { display: none; }
  table.stack tr { border: 1px solid #c9d3df; border-radius: 4pt; margin: 0 0 6pt;
    overflow: hidden; }
  table.stack td, table.stack td.num, table.stack td.tier, table.stack td.empty,
  table.stack td.date { display: flex; gap: 6pt; text-align: left; white-space: normal;
    min-width: 0; border-bottom: 1px solid #e6ebf1; }
  table.stack td::before { content: attr(data-label); flex: 0 0 38%%; font-weight: bold;
    color: #1F4E79; }
  table.stack tbody tr:nth-child(even) td { background-color: transparent; }
}
@media print { .table-box { overflow: visible; } }
/* The draft mark goes in every PDF page's top margin (after .callout: it wins). */
@media print { .callout.draft { position: running(draftmark); font-size: 8pt; margin: 0;
  padding: 1pt 5pt; border: 1.5px solid #B71C1C; background: #fff; } }
"""


def css_string(text: str) -> str:
    """Text safe inside a double-quoted CSS string in <style> (no "</style>" breakout):
    markup and quote characters become CSS escapes, which CSS, not HTML, decodes."""
    return "".join(f"\\{ord(ch):X} " if ch in '\\"\'<>&' or ord(ch) < 32 else ch
                   for ch in text)


def page(body: str, title: str, footer: str = "") -> str:
    """A complete, self-contained HTML page around `body`."""
    css = CSS % {"font": FONT_STACK, "footer": css_string(footer or title)}
    return (f'<!DOCTYPE html>\n<html lang="vi"><head><meta charset="utf-8">'
            f'<meta name="viewport" content="width=device-width, initial-scale=1">'
            f"<title>{escape(title)}</title><style>{css}</style></head>"
            f"<body>\n{body}\n</body></html>\n")


@functools.cache
def _exporter() -> HTMLExporter:
    """One exporter per process: making one compiles its templates (~0.1 s a page)."""
    from nbconvert import HTMLExporter
    from nbconvert.exporters.templateexporter import TemplateExporter
    from nbconvert.filters.highlight import Highlight2HTML

    class PageExporter(HTMLExporter):
        """nbconvert's HTML exporter without its last pass. That pass parses the whole
        page again with BeautifulSoup, gives images without alt text a placeholder and
        makes the "jp-" template's cells focusable, then prints the page anew: ~0.35 s
        of the annual report's 10 MB. Every image of ours has its alt text (blocks.figure)
        and the basic template has no such cells, so it changed only whitespace."""

        def from_notebook_node(self, nb, resources=None, **kw):
            return TemplateExporter.from_notebook_node(self, nb, resources, **kw)

    exporter = PageExporter(template_name="basic", exclude_input=True,
                            exclude_input_prompt=True, exclude_output_prompt=True,
                            exclude_anchor_links=True)
    # The filter HTMLExporter registers on each call (a markdown cell's code is coloured)
    exporter.register_filter("highlight_code", Highlight2HTML(pygments_lexer="ipython3",
                                                              parent=exporter))
    return exporter


def notebook_body(notebook: nbformat.NotebookNode) -> str:
    """The notebook's outputs and markdown as HTML: no code, no prompts."""
    body, _ = _exporter().from_notebook_node(notebook)
    return body


def notebook_page(notebook: nbformat.NotebookNode, title: str, footer: str = "") -> str:
    """An executed notebook as a complete page (`page`)."""
    return page(notebook_body(notebook), title, footer)


def notebook_to_html(notebook_path: str | Path, html_path: str | Path, title: str,
                     footer: str = "") -> str:
    html = notebook_page(nbformat.read(str(notebook_path), as_version=4), title, footer)
    write_text(html, html_path)
    return html


def html_to_pdf(html: str, pdf_path: str | Path, base_url: str | Path = ".") -> Path:
    """Render HTML to an A4 PDF with WeasyPrint (fonts are embedded as subsets)."""
    from weasyprint import HTML  # imported late: it needs the system's pango libraries

    from cntt_analysis.report.html.blocks import without_phone_charts

    with fewer_collections():  # the layout's objects live until the PDF is written
        data = HTML(string=without_phone_charts(html), base_url=str(base_url)).write_pdf()
    return write_bytes(data, pdf_path)


def warm_up() -> None:
    """Make what the first page of a process otherwise waits for: nbconvert's exporter
    (its templates compiled, ~0.45 s) and WeasyPrint's fonts (a one-line PDF, ~0.1 s)."""
    from weasyprint import HTML

    _exporter()
    HTML(string=page("<p>Tiếng Việt</p>", "Khởi động")).write_pdf()


# Executed notebooks as the index names them (never the file names).
NOTEBOOK_LABELS = {
    "06-annual-report": "Báo cáo năm", "01-intake": "Nộp báo cáo và số liệu",
    "02-ranking": "Xếp hạng", "03-criteria": "Tiêu chí", "04-trends": "Diễn biến qua các năm",
    "05-unit-profile": "Hồ sơ đơn vị",
}


def profile_sections(profiles: list[tuple[str, list[tuple[str, str]]]],
                     scores: pd.DataFrame, registry: pd.DataFrame,
                     rubric: Rubric | None = None
                     ) -> list[tuple[str, list[tuple[str, list[tuple[str, str]]]]]]:
    """Unit profiles grouped by group (the `rubric`'s order and names; without it, the
    group codes), best first, each labelled with its score, tier and rank; units without a
    score last in their group ("chưa có kết quả")."""
    import pandas as pd

    from cntt_analysis.analysis.common import group_order
    from cntt_analysis.labels import vn_score

    names = dict(zip(registry["unit_id"], registry["name"]))
    group_of = dict(zip(registry["unit_id"], registry["group"]))
    by_unit = {r.unit_id: r for r in scores.itertuples(index=False)}
    groups = group_order([*scores["group"], *registry["group"]], rubric)
    sections: dict[str, list] = {g: [] for g in groups}
    for unit_id, links in profiles:
        row = by_unit.get(unit_id)
        group = row.group if row is not None else group_of.get(unit_id, "")
        if row is not None:
            # A unit assessed but not ranked (registry `ranked`) has no rank: listed after
            # the ranked units of its group, said so.
            ranked = not pd.isna(row.rank)
            place = f"hạng {int(row.rank)}" if ranked else "không xếp hạng"
            label = (f"{names.get(unit_id, unit_id)} — {vn_score(row.score)} điểm, {row.tier}, "
                     f"{place}")
            key = (0, row.rank if ranked else float("inf"), unit_id)
        else:
            label, key = f"{names.get(unit_id, unit_id)} — chưa có kết quả", (1, 0, unit_id)
        sections.setdefault(group, []).append((key, (label, links)))

    def group_name(group: str) -> str:
        if not group:
            return "Đơn vị khác"
        return rubric.group_label(group) if rubric is not None else f"khối {group}"

    return [(f"Hồ sơ từng đơn vị — {group_name(g)}",
             [entry for _, entry in sorted(items, key=lambda item: item[0])])
            for g, items in sections.items() if items]


def index_page(year: int, sections: list[tuple[str, list[tuple[str, list[tuple[str, str]]]]]],
               synthetic: bool, warning: str = "", organisation: Organisation | None = None
               ) -> str:
    """index.html: every document of the year's report, grouped; each entry is a label and
    its links (format, relative href). The heading names the assessment when the
    `organisation` (``facts.organisation``) is given."""
    from cntt_analysis.labels import SYNTHETIC_NOTE

    what = f" {organisation.assessment_short}" if organisation is not None else ""
    parts = [f"<h1>{escape(f'Kết quả đánh giá{what} năm {year}')}</h1>"]
    if warning:
        parts.append(f'<div class="callout warning">{escape(warning)}</div>')
    if synthetic:
        parts.append(f'<div class="callout synthetic">{escape(SYNTHETIC_NOTE)}</div>')
    for heading, entries in sections:
        items = "".join(
            f"<li>{escape(label)}: "
            + " · ".join(f'<a href="{escape(href)}">{escape(fmt)}</a>' for fmt, href in links)
            + "</li>" for label, links in entries)
        parts.append(f"<h2>{escape(heading)}</h2><ul>{items}</ul>")
    return page('<nav class="index">' + "".join(parts) + "</nav>",
                f"Báo cáo năm {year} — mục lục")
