"""The layout of Vietnamese administrative documents (Decree 30/2020/NĐ-CP, Appendix I),
with which the default Word templates are built (python-docx; `default_templates`), and
what is measured again once a template is filled (`fit_rules`, `fit_tables`).

Applied from Phụ lục I, mục II "Kỹ thuật trình bày" and its table of fonts and sizes:

- A4 portrait (210 × 297 mm); margins top 20, bottom 20, left 30, right 15 mm (the
  decree allows top/bottom 20–25, left 30–35, right 15–20).
- Times New Roman (Unicode, TCVN 6909:2001), black, everywhere (styles and document defaults).
- National heading "CỘNG HÒA XÃ HỘI CHỦ NGHĨA VIỆT NAM": uppercase, 12 pt, upright, bold
  (12–13); motto "Độc lập - Tự do - Hạnh phúc": 13 pt, upright, bold (13–14), centred under
  it, a solid line under it as long as the motto.
- Parent body: uppercase, 12 pt, upright (12–13); issuing body: uppercase, 12 pt, bold,
  centred under the parent body, a solid line under it 1/3–1/2 as long as its text.
- "Số: …/…": 13 pt upright ("Số" lowercase, symbol uppercase), centred under the issuing
  body. The summary of a công văn ("V/v …"): 12 pt upright, under the number.
- Place and date: 14 pt italic (13–14), centred under the motto.
- Document type: uppercase, 14 pt bold (13–14), centred; summary: 14 pt bold, centred
  under it, with a solid line under it (1/3–1/2 of the text line).
- Body: 14 pt (13–14), justified, first line indented 1.27 cm (1–1.27), at least 6 pt
  between paragraphs, line spacing between single and 1.5 lines (1.15 here).
- "Nơi nhận:": 12 pt bold italic; the recipients: 11 pt upright, one per line starting
  with "-" and ending with ";", the last "- Lưu: VT, …".
- Signer's authority and title: uppercase, 14 pt bold (13–14); name: 14 pt bold, centred
  under the title.
- Page numbers: Arabic numerals, 14 pt (13–14), centred in the top margin, not shown on the
  first page (a different first-page header).
- Draft mark (mục "Chỉ dẫn về dự thảo văn bản"): "DỰ THẢO" uppercase, 14 pt bold (13–14),
  in a box, at the top right of every page.

Every text is added as a plain run (never a field): unit-supplied text stays text. The
lines under the issuing body and under the summary are sized from the text they underline
once a template is filled; a data table wider than the text (a column per criterion) is
narrowed to it.
"""

from __future__ import annotations

import contextlib
import datetime as dt
import io
import zipfile
from collections.abc import Iterator, Sequence
from dataclasses import dataclass
from pathlib import Path

from docx import Document
from docx.document import Document as DocumentObject
from docx.enum.section import WD_ORIENT
from docx.enum.table import WD_TABLE_ALIGNMENT
from docx.enum.text import WD_ALIGN_PARAGRAPH, WD_BREAK, WD_TAB_ALIGNMENT
from docx.opc import phys_pkg
from docx.oxml import OxmlElement
from docx.oxml.ns import qn
from docx.shared import Mm, Pt, RGBColor, Twips
from docx.table import Table, _Cell
from docx.text.paragraph import Paragraph

from cntt_analysis.storage import stable_zip, swapped, write_bytes
from cntt_analysis.text import printable

FONT = "Times New Roman"
PAGE_WIDTH, PAGE_HEIGHT = Mm(210), Mm(297)
MARGINS = {"top": 20, "bottom": 20, "left": 30, "right": 15}  # mm
TEXT_WIDTH_MM = 210 - MARGINS["left"] - MARGINS["right"]
NATIONAL = "CỘNG HÒA XÃ HỘI CHỦ NGHĨA VIỆT NAM"
MOTTO = "Độc lập - Tự do - Hạnh phúc"
DRAFT = "DỰ THẢO"
SIZES = {"national": 12, "motto": 13, "body_name": 12, "number": 13, "cv_summary": 12,
         "place_date": 14, "type": 14, "body": 14, "table": 12, "recipients_label": 12,
         "recipients": 11, "signer": 14, "page": 14, "draft": 14}
HEADING_COLUMNS_MM = (75, 90)  # left: bodies and number; right: national heading and date
SIGNATURE_COLUMNS_MM = (80, 85)
FIXED_TIME = dt.datetime(2000, 1, 1, tzinfo=dt.timezone.utc)
# Average glyph width of Times New Roman (bold), in ems, for the length of heading lines:
# measured on the motto (0.453) and on uppercase body names (about 0.62).
MOTTO_EM, UPPER_EM = 0.453, 0.62


@dataclass(frozen=True)
class Heading:
    """The elements above a document's title (thể thức phần đầu văn bản)."""

    parent: str        # cơ quan chủ quản, e.g. "UBND TỈNH HÒA AN"
    issuer: str        # cơ quan ban hành, e.g. "SỞ KHOA HỌC VÀ CÔNG NGHỆ"
    number: str        # "Số:      /BC-TTCNTT"
    place_date: str    # "Hòa An, ngày    tháng    năm 20.."
    cv_summary: str = ""  # công văn only: "V/v …"


# ----------------------------------------------------------------------------- basics


def _font(run, size: float, bold: bool = False, italic: bool = False) -> None:
    """Size and style of a run; the face (Times New Roman) and colour (black) come from
    the document defaults and styles (`_set_default_fonts`)."""
    run.font.size = Pt(size)
    if bold:
        run.font.bold = True
    if italic:
        run.font.italic = True


def text_run(paragraph: Paragraph, text: str, size: float, bold: bool = False,
             italic: bool = False):
    """A plain text run (control characters dropped; never a field)."""
    run = paragraph.add_run(printable(str(text)))
    _font(run, size, bold, italic)
    return run


def _spacing(paragraph: Paragraph, before: float = 0, after: float = 0,
             line: float = 1.0) -> None:
    fmt = paragraph.paragraph_format
    fmt.space_before, fmt.space_after, fmt.line_spacing = Pt(before), Pt(after), line


def line_paragraph(container, text: str, size: float, bold: bool = False,
                   italic: bool = False, align=WD_ALIGN_PARAGRAPH.CENTER,
                   before: float = 0, after: float = 0) -> Paragraph:
    paragraph = container.add_paragraph()
    paragraph.alignment = align
    _spacing(paragraph, before, after)
    if text:
        text_run(paragraph, text, size, bold, italic)
    return paragraph


def _border(paragraph: Paragraph, side: str = "bottom", size: int = 6) -> None:
    ppr = paragraph._p.get_or_add_pPr()
    borders = ppr.find(qn("w:pBdr"))
    if borders is None:
        borders = OxmlElement("w:pBdr")
        ppr.append(borders)
    edge = OxmlElement(f"w:{side}")
    for key, value in (("val", "single"), ("sz", str(size)), ("space", "1"),
                       ("color", "000000")):
        edge.set(qn(f"w:{key}"), value)
    borders.append(edge)


def _mark_size(paragraph: Paragraph, size: float) -> None:
    ppr = paragraph._p.get_or_add_pPr()
    rpr = OxmlElement("w:rPr")
    for tag in ("w:sz", "w:szCs"):
        element = OxmlElement(tag)
        element.set(qn("w:val"), str(int(size * 2)))
        rpr.append(element)
    ppr.append(rpr)


def rule(container, length_mm: float, width_mm: float) -> Paragraph:
    """A solid horizontal line of `length_mm`, centred in a space `width_mm` wide (a tiny
    empty paragraph with a bottom border between indents)."""
    paragraph = container.add_paragraph()
    _spacing(paragraph)
    _rule_length(paragraph, length_mm, width_mm)
    _mark_size(paragraph, 3)  # an empty paragraph is as tall as its mark's font
    _border(paragraph)
    return paragraph


def _rule_length(paragraph: Paragraph, length_mm: float, width_mm: float) -> None:
    side = max((width_mm - length_mm) / 2, 0)
    paragraph.paragraph_format.left_indent = Mm(side)
    paragraph.paragraph_format.right_indent = Mm(side)


def issuer_rule_mm(issuer: str, width_mm: float = HEADING_COLUMNS_MM[0]) -> float:
    """The line under the issuing body: about 45% of its longest line (1/3–1/2)."""
    longest = max(text_length_mm(part, SIZES["body_name"]) for part in issuer.split("\n"))
    return max(min(longest, width_mm) * 0.45, 20)


def summary_rule_mm(summary: str) -> float:
    """The line under a document's summary: 40% of its longest line (1/3–1/2)."""
    longest = max(len(part) for part in summary.split("\n"))
    length = text_length_mm("x" * longest, SIZES["type"], 0.5)
    return min(max(length * 0.4, 30), TEXT_WIDTH_MM / 2)


def text_length_mm(text: str, size: float, em: float = UPPER_EM) -> float:
    return len(text) * em * size * 25.4 / 72


# ----------------------------------------------------------------------------- document


def _set_default_fonts(doc: DocumentObject) -> None:
    """Times New Roman, black, in the document defaults and the styles used."""
    defaults = doc.styles.element.find(qn("w:docDefaults"))
    rpr = defaults.find(qn("w:rPrDefault")).find(qn("w:rPr"))
    fonts = rpr.find(qn("w:rFonts"))
    if fonts is None:
        fonts = OxmlElement("w:rFonts")
        rpr.insert(0, fonts)
    for attr in list(fonts.attrib):
        del fonts.attrib[attr]
    for attr in ("w:ascii", "w:hAnsi", "w:eastAsia", "w:cs"):
        fonts.set(qn(attr), FONT)
    for name in ("Normal", "Header", "Footer", "Table Grid"):
        style = doc.styles[name]
        style.font.name = FONT
        style.font.color.rgb = RGBColor(0, 0, 0)
        style_fonts = style.element.get_or_add_rPr().get_or_add_rFonts()
        for attr in ("w:eastAsia", "w:cs"):
            style_fonts.set(qn(attr), FONT)
    doc.styles["Normal"].font.size = Pt(SIZES["body"])


def _page_setup(section) -> None:
    section.orientation = WD_ORIENT.PORTRAIT
    section.page_width, section.page_height = PAGE_WIDTH, PAGE_HEIGHT
    section.top_margin, section.bottom_margin = Mm(MARGINS["top"]), Mm(MARGINS["bottom"])
    section.left_margin, section.right_margin = Mm(MARGINS["left"]), Mm(MARGINS["right"])
    section.header_distance, section.footer_distance = Mm(10), Mm(10)
    section.different_first_page_header_footer = True


def _page_field(paragraph: Paragraph, size: float) -> None:
    """A PAGE field (the page number), the only field the documents contain."""
    def run_with(child) -> None:
        run = paragraph.add_run()
        _font(run, size)
        run._r.append(child)

    begin = OxmlElement("w:fldChar")
    begin.set(qn("w:fldCharType"), "begin")
    instr = OxmlElement("w:instrText")
    instr.set(qn("xml:space"), "preserve")
    instr.text = " PAGE "
    separate = OxmlElement("w:fldChar")
    separate.set(qn("w:fldCharType"), "separate")
    run_with(begin)
    run_with(instr)
    run_with(separate)
    text_run(paragraph, "2", size)
    end = OxmlElement("w:fldChar")
    end.set(qn("w:fldCharType"), "end")
    run_with(end)


def _draft_run(paragraph: Paragraph) -> None:
    run = text_run(paragraph, f" {DRAFT} ", SIZES["draft"], bold=True)
    box = OxmlElement("w:bdr")
    for key, value in (("val", "single"), ("sz", "8"), ("space", "0"), ("color", "000000")):
        box.set(qn(f"w:{key}"), value)
    run._element.get_or_add_rPr().append(box)


def _headers(section, draft: bool, condition: str = "") -> None:
    """Page numbers centred from page 2; the boxed draft mark at the right of every page
    (in a template, between ``{%r if condition %}`` and ``{%r endif %}`` runs)."""
    width = Mm(TEXT_WIDTH_MM)
    for header, numbered in ((section.first_page_header, False), (section.header, True)):
        header.is_linked_to_previous = False
        paragraph = header.paragraphs[0]
        paragraph.alignment = WD_ALIGN_PARAGRAPH.LEFT
        _spacing(paragraph)
        stops = paragraph.paragraph_format.tab_stops
        for inherited in (4680, 9360):  # the Header style's own stops would come first
            stops.add_tab_stop(Twips(inherited), WD_TAB_ALIGNMENT.CLEAR)
        stops.add_tab_stop(Mm(TEXT_WIDTH_MM / 2), WD_TAB_ALIGNMENT.CENTER)
        stops.add_tab_stop(width, WD_TAB_ALIGNMENT.RIGHT)
        text_run(paragraph, "\t", SIZES["page"])
        if numbered:
            _page_field(paragraph, SIZES["page"])
        if draft:
            if condition:
                text_run(paragraph, f"{{%r if {condition} %}}", SIZES["page"])
            text_run(paragraph, "\t", SIZES["page"])
            _draft_run(paragraph)
            if condition:
                text_run(paragraph, "{%r endif %}", SIZES["page"])


def new_document(title: str, author: str, draft: bool,
                 draft_condition: str = "") -> DocumentObject:
    """An empty A4 document in the decree's layout; with `draft_condition` (a template),
    its draft mark shows only when that field is true."""
    doc = Document()
    _set_default_fonts(doc)
    _page_setup(doc.sections[0])
    _headers(doc.sections[0], draft, draft_condition)
    set_properties(doc, title, author)
    return doc


def set_properties(doc: DocumentObject, title: str, author: str) -> None:
    """Title and author; fixed dates, so the same content gives the same bytes."""
    props = doc.core_properties
    props.title, props.author, props.last_modified_by = title, author, author
    props.created = props.modified = props.last_printed = FIXED_TIME
    props.revision = 1
    props.comments = props.keywords = props.subject = props.category = ""


def docx_bytes(doc: DocumentObject) -> bytes:
    """The document's bytes, identical for identical content (fixed dates and zip times)."""
    buffer = io.BytesIO()
    with _saved_uncompressed():
        doc.save(buffer)
    return stable_zip(buffer.getvalue())


@contextlib.contextmanager
def _saved_uncompressed() -> Iterator[None]:
    """python-docx's own archive stored, not deflated, while a document is saved:
    `stable_zip` reads it back and deflates each part once, with fixed times. Deflating
    it twice was a sixth of writing a province's 151 Word documents (4.6 → 3.8 s); the
    bytes written are the same. python-docx takes the compression from its module's
    ZIP_DEFLATED when it opens the archive (test_word_templates checks that it still
    does: otherwise this only costs the time it saved)."""
    with swapped(phys_pkg, "ZIP_DEFLATED", zipfile.ZIP_STORED):
        yield


def save(doc: DocumentObject, path: str | Path) -> Path:
    """Write atomically, byte-identical for identical content."""
    return write_bytes(docx_bytes(doc), path)


# ----------------------------------------------------------------------------- tables


def _no_borders(table: Table) -> None:
    tblpr = table._tbl.tblPr
    borders = OxmlElement("w:tblBorders")
    for side in ("top", "left", "bottom", "right", "insideH", "insideV"):
        edge = OxmlElement(f"w:{side}")
        edge.set(qn("w:val"), "nil")
        borders.append(edge)
    tblpr.append(borders)


def _cell_margins(table: Table, left_right_mm: float) -> None:
    margins = OxmlElement("w:tblCellMar")
    for side, value in (("top", 0), ("bottom", 0), ("left", left_right_mm),
                        ("right", left_right_mm)):
        edge = OxmlElement(f"w:{side}")
        edge.set(qn("w:w"), str(int(Mm(value).twips)))
        edge.set(qn("w:type"), "dxa")
        margins.append(edge)
    table._tbl.tblPr.append(margins)


def _fixed_widths(table: Table, widths_mm: Sequence[float]) -> None:
    table.autofit = False
    layout = OxmlElement("w:tblLayout")
    layout.set(qn("w:type"), "fixed")
    table._tbl.tblPr.append(layout)
    for col, width in zip(table._tbl.tblGrid.findall(qn("w:gridCol")), widths_mm):
        col.set(qn("w:w"), str(int(Mm(width).twips)))
    for row in table.rows:
        for cell, width in zip(row.cells, widths_mm):
            cell.width = Mm(width)


def _layout_table(container, columns: Sequence[float], rows: int = 1) -> Table:
    """A borderless table of fixed column widths (mm), no cell padding."""
    table = container.add_table(rows=rows, cols=len(columns))
    table.alignment = WD_TABLE_ALIGNMENT.CENTER
    _no_borders(table)
    _cell_margins(table, 0)
    _fixed_widths(table, columns)
    return table


def _cant_split(row) -> None:
    row._tr.get_or_add_trPr().append(OxmlElement("w:cantSplit"))


def _first(cell: _Cell) -> Paragraph:
    """The cell's first (empty) paragraph, spacing reset."""
    paragraph = cell.paragraphs[0]
    _spacing(paragraph)
    return paragraph


def fit_lines(text: str, size: float, width_mm: float) -> str:
    """Text for a heading column: as given when it has its own line breaks or fits, else
    broken where the first line is as long as fits and the second has at least two words
    (never one word alone: "TRUNG TÂM CÔNG NGHỆ" / "THÔNG TIN")."""
    # Estimated at the uppercase average width; LibreOffice and Word wrap a little earlier
    # than the estimate, so a name within 5% of the column is broken too.
    if "\n" in text or text_length_mm(text, size) <= width_mm * 0.95:
        return text
    words = text.split()
    for cut in range(len(words) - 2, 0, -1):
        if text_length_mm(" ".join(words[:cut]), size) <= width_mm * 0.95:
            return " ".join(words[:cut]) + "\n" + " ".join(words[cut:])
    return text


def heading(doc: DocumentObject, head: Heading) -> None:
    """The two-column heading, as a borderless 2 × 2 table so both columns line up: the
    bodies | national heading and motto; the number (and V/v) | place and date. The bodies'
    names are written as given (uppercase, broken with `fit_lines`, or a template's
    fields)."""
    left_w, right_w = HEADING_COLUMNS_MM
    table = _layout_table(doc, HEADING_COLUMNS_MM, rows=2)
    (left, right), (number, place) = table.rows[0].cells, table.rows[1].cells
    p = _first(left)
    p.alignment = WD_ALIGN_PARAGRAPH.CENTER
    text_run(p, head.parent, SIZES["body_name"])
    line_paragraph(left, head.issuer, SIZES["body_name"], bold=True)
    rule(left, issuer_rule_mm(head.issuer, left_w), left_w)
    p = _first(number)
    p.alignment = WD_ALIGN_PARAGRAPH.CENTER
    _spacing(p, before=6)
    text_run(p, head.number, SIZES["number"])
    if head.cv_summary:
        line_paragraph(number, head.cv_summary, SIZES["cv_summary"], before=4)
    p = _first(right)
    p.alignment = WD_ALIGN_PARAGRAPH.CENTER
    text_run(p, NATIONAL, SIZES["national"], bold=True)
    line_paragraph(right, MOTTO, SIZES["motto"], bold=True)
    rule(right, text_length_mm(MOTTO, SIZES["motto"], MOTTO_EM), right_w)
    p = _first(place)
    p.alignment = WD_ALIGN_PARAGRAPH.CENTER
    _spacing(p, before=6)
    text_run(p, head.place_date, SIZES["place_date"], italic=True)


def title(doc: DocumentObject, kind: str, summary: str) -> None:
    """Document type (e.g. BÁO CÁO) and summary, centred, with a line under the summary."""
    line_paragraph(doc, kind.upper(), SIZES["type"], bold=True, before=18)
    line_paragraph(doc, summary, SIZES["type"], bold=True)
    rule(doc, summary_rule_mm(summary), TEXT_WIDTH_MM)
    doc.paragraphs[-1].paragraph_format.space_after = Pt(12)


def body(container, text: str, bold: bool = False, italic: bool = False,
         indent: bool = True) -> Paragraph:
    """A body paragraph: 14 pt, justified, first line indented 1.27 cm, 6 pt before."""
    paragraph = container.add_paragraph()
    paragraph.alignment = WD_ALIGN_PARAGRAPH.JUSTIFY
    _spacing(paragraph, before=6, line=1.15)
    if indent:
        paragraph.paragraph_format.first_line_indent = Mm(12.7)
    if bold:  # a heading never ends a page
        paragraph.paragraph_format.keep_with_next = True
    if text:
        text_run(paragraph, text, SIZES["body"], bold, italic)
    return paragraph


def body_parts(container, parts: Sequence[tuple[str, bool]]) -> Paragraph:
    """A body paragraph of (text, bold) pieces, e.g. a bold label then plain text."""
    paragraph = body(container, "")
    for text, bold in parts:
        text_run(paragraph, text, SIZES["body"], bold)
    return paragraph


def data_table(doc: DocumentObject, headers: Sequence[str], rows: Sequence[Sequence[str]],
               widths_mm: Sequence[float], align: str = "") -> Table:
    """A grid table, the header row repeated on each page. `align` has one letter per
    column: l(eft), c(entre), r(ight) (default: left)."""
    if doc.paragraphs:  # the sentence introducing the table stays with it
        doc.paragraphs[-1].paragraph_format.keep_with_next = True
    table = doc.add_table(rows=1 + len(rows), cols=len(headers))
    table.style = doc.styles["Table Grid"]
    table.alignment = WD_TABLE_ALIGNMENT.CENTER
    _cell_margins(table, 1.2)
    _fixed_widths(table, widths_mm)
    marks = {"l": WD_ALIGN_PARAGRAPH.LEFT, "c": WD_ALIGN_PARAGRAPH.CENTER,
             "r": WD_ALIGN_PARAGRAPH.RIGHT}
    header_row = table.rows[0]
    flag = OxmlElement("w:tblHeader")
    header_row._tr.get_or_add_trPr().append(flag)
    for cell, text in zip(header_row.cells, headers):
        p = _first(cell)
        p.alignment = WD_ALIGN_PARAGRAPH.CENTER
        _spacing(p, 2, 2)
        text_run(p, text, SIZES["table"], bold=True)
    for row in table.rows:
        _cant_split(row)
    for r, values in enumerate(rows, start=1):
        for c, (cell, text) in enumerate(zip(table.rows[r].cells, values)):
            p = _first(cell)
            _spacing(p, 1, 1)
            p.alignment = marks.get(align[c:c + 1] or "l", WD_ALIGN_PARAGRAPH.LEFT)
            text_run(p, text, SIZES["table"])
    spacer = doc.add_paragraph()
    _spacing(spacer)
    _mark_size(spacer, 6)
    return table


def closing(doc: DocumentObject, recipients: Sequence[str], signer: Sequence[str],
            name: str) -> None:
    """"Nơi nhận:" with `recipients` on the left, each a line as written ("- Văn phòng
    Sở;", the last "- Lưu: VT, …."); the signer's block on the right: the `signer` lines
    (authority, title: uppercase, as given), room for the signature and the seal, the
    `name`. Kept on one page with the paragraph before it, so the signature is never
    alone."""
    if doc.paragraphs:
        doc.paragraphs[-1].paragraph_format.keep_with_next = True
    table = _layout_table(doc, SIGNATURE_COLUMNS_MM)
    _cant_split(table.rows[0])
    left, right = table.rows[0].cells
    p = _first(left)
    _spacing(p, before=12)
    text_run(p, "Nơi nhận:", SIZES["recipients_label"], bold=True, italic=True)
    for line in recipients:
        line_paragraph(left, line, SIZES["recipients"], align=WD_ALIGN_PARAGRAPH.LEFT)
    p = _first(right)
    p.alignment = WD_ALIGN_PARAGRAPH.CENTER
    _spacing(p, before=12)
    text_run(p, signer[0], SIZES["signer"], bold=True)
    for line in signer[1:]:
        line_paragraph(right, line, SIZES["signer"], bold=True)
    for _ in range(4):  # room for the signature and the seal
        line_paragraph(right, "", SIZES["signer"])
    line_paragraph(right, name, SIZES["signer"], bold=True)


def page_break(doc: DocumentObject) -> None:
    doc.add_paragraph().add_run().add_break(WD_BREAK.PAGE)


# ----------------------------------------------------------------------------- once filled


def _bordered_empty(paragraph: Paragraph) -> bool:
    ppr = paragraph._p.pPr
    return (not paragraph.text and ppr is not None and ppr.find(qn("w:pBdr")) is not None)


def _underlined(paragraphs: Sequence[Paragraph]) -> tuple[Paragraph, str] | None:
    """The first rule (an empty bordered paragraph) of `paragraphs` and the text it
    underlines (the paragraph before it)."""
    for before, paragraph in zip(paragraphs, paragraphs[1:]):
        if _bordered_empty(paragraph) and before.text:
            return paragraph, before.text
    return None


def fit_rules(doc: DocumentObject) -> None:
    """Size the lines under the issuing body (the heading's first cell) and under the
    document's summary (the first line in the body) from the text a template was filled
    with."""
    if doc.tables:
        cell = doc.tables[0].rows[0].cells[0]
        found = _underlined(cell.paragraphs)
        if found is not None:
            width = cell.width.mm if cell.width is not None else HEADING_COLUMNS_MM[0]
            _rule_length(found[0], issuer_rule_mm(found[1], width), width)
    found = _underlined(doc.paragraphs)
    if found is not None:
        _rule_length(found[0], summary_rule_mm(found[1]), TEXT_WIDTH_MM)


def _first_row_widths(table: Table) -> list[int]:
    """The widths (twips) of the first row's cells; [] unless every one is given."""
    widths = []
    for cell in table.rows[0]._tr.findall(qn("w:tc")):
        width = cell.find(f"{qn('w:tcPr')}/{qn('w:tcW')}")
        if width is None or width.get(qn("w:type")) not in (None, "dxa"):
            return []
        widths.append(int(width.get(qn("w:w"))))
    return widths


def fit_tables(doc: DocumentObject) -> None:
    """Every table's grid follows its first row's cells (a template may have repeated a
    column, one per criterion); one now wider than the text is narrowed to it, each
    column in proportion."""
    text = int(Mm(TEXT_WIDTH_MM).twips)
    for table in doc.tables:
        merged = next(table._tbl.iter(qn("w:gridSpan")), None) is not None
        widths = _first_row_widths(table) if len(table.rows) and not merged else []
        if not widths:  # a clerk's own table with merged or unsized cells: as it is
            continue
        total = sum(widths)
        if total > text + 20:  # wider than the text (more than a point over)
            widths = [w * text // total for w in widths]
            for row in table.rows:
                cells = row._tr.findall(qn("w:tc"))
                if len(cells) == len(widths):
                    for cell, width in zip(cells, widths):
                        cell.find(f"{qn('w:tcPr')}/{qn('w:tcW')}").set(qn("w:w"), str(width))
        grid = table._tbl.tblGrid
        if [int(c.get(qn("w:w"), 0)) for c in grid.findall(qn("w:gridCol"))] == widths:
            continue
        for col in grid.findall(qn("w:gridCol")):
            grid.remove(col)
        for width in widths:
            col = OxmlElement("w:gridCol")
            col.set(qn("w:w"), str(width))
            grid.append(col)
