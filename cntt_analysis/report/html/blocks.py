"""HTML blocks that notebooks display: tables, paragraphs, callouts, the cover.

Everything built from data is escaped here, once: unit names and remarks come from the
units' own workbooks and must show as text, never run as markup.
"""

from __future__ import annotations

import base64
import contextlib
import datetime as dt
import os
import re
from collections.abc import Callable, Iterable
from pathlib import Path
from typing import Any

import pandas as pd
from IPython.display import HTML

from cntt_analysis.labels import SYNTHETIC_NOTE, TIER_FILLS, vn_score, vn_share
from cntt_analysis.storage import write_bytes
from cntt_analysis.text import escape, shorten

CELL_TEXT_LIMIT = 500  # characters of one table cell shown in pages (HTML, PDF)
# column → (header, kind); kind: "text", "code" (a short code: C2.3, D10), "number", "int",
# "percent", "date", "tier", "change" (signed points)
Columns = dict[str, tuple[str, str]]


def _cell(value: Any, kind: str, attrs: str = "") -> str:
    if value is None or (not isinstance(value, str) and pd.isna(value)):
        return f'<td class="empty"{attrs}>–</td>'
    if kind == "number":
        return f'<td class="num"{attrs}>{escape(vn_score(float(value)))}</td>'
    if kind == "percent":
        return f'<td class="num"{attrs}>{escape(vn_share(float(value))[:-1])}</td>'
    if kind == "change":  # a change in points: signed, never coloured as a loss when up
        shown = vn_score(float(value))
        return f'<td class="num"{attrs}>{"+" if float(value) > 0 else ""}{escape(shown)}</td>'
    if kind == "int":
        return f'<td class="num"{attrs}>{int(value)}</td>'
    if kind == "date":
        shown = value.strftime("%d/%m/%Y") if isinstance(value, (dt.date, pd.Timestamp)) \
            else str(value)
        return f'<td class="date"{attrs}>{escape(shown)}</td>'
    if kind == "tier":
        color = TIER_FILLS.get(str(value), "FFFFFF")
        return (f'<td class="tier" style="background:#{color}"{attrs}>'
                f"{escape(str(value))}</td>")
    if kind == "code":
        return f'<td class="code"{attrs}>{escape(shorten(str(value), CELL_TEXT_LIMIT))}</td>'
    # A unit may type a megabyte into one cell: pages show its start, the data keep it whole.
    return f"<td{attrs}>{escape(shorten(str(value), CELL_TEXT_LIMIT))}</td>"


# How wide a column is at least on a phone, in em of the table's text (with its padding),
# and how many em a phone gives a table: a table wider than that scrolls in its box.
MIN_WIDTH_EM = {"text": 8.9, "code": 4.0, "tier": 6.5, "date": 7.0}
NUMBER_WIDTH_EM = 4.0
PHONE_WIDTH_EM = 33.0
# The columns naming what a row is about: kept in view while a wide table scrolls.
KEY_COLUMNS = ("name", "unit")
# A printed table of more rows than this may break across pages (pages.CSS, ".long"): kept
# whole, a table taller than the rest of the page left its heading alone on a blank page.
LONG_TABLE_ROWS = 8


def is_wide(columns: Columns) -> bool:
    """Whether the table is wider than a phone screen (its box scrolls there)."""
    return sum(MIN_WIDTH_EM.get(kind, NUMBER_WIDTH_EM) for _, kind in columns.values()) \
        > PHONE_WIDTH_EM


def table_html(frame: pd.DataFrame, columns: Columns, caption: str = "",
               css_class: str = "data", layout: str = "scroll") -> str:
    """An escaped HTML table of the chosen columns with Vietnamese headers.

    On a phone (pages.CSS) a table wider than the screen scrolls in its box, says so above
    it, and keeps the unit's name in view (``layout="scroll"``); ``layout="stack"`` shows
    each row as a card of "header: value" lines instead (a few rows of long text)."""
    wide = layout == "scroll" and is_wide(columns)
    key = next((c for c in KEY_COLUMNS if c in columns), None) if wide else None
    keyed = {col: ' class="key"' if col == key else "" for col in columns}
    head = "".join(f"<th{keyed[col]}>{escape(header)}</th>"
                   for col, (header, _) in columns.items())
    # A stacked card shows each value beside its column's name.
    attrs = {col: f' data-label="{escape(header)}"' if layout == "stack" else ""
             for col, (header, _) in columns.items()}
    rows = "".join(
        "<tr>" + "".join(_key(_cell(record.get(col), kind, attrs[col]), col == key)
                         for col, (_, kind) in columns.items())
        + "</tr>" for record in frame.to_dict("records"))
    cap = f"<caption>{escape(caption)}</caption>" if caption else ""
    classes = f"{css_class} stack" if layout == "stack" else css_class
    cue = (f'<p class="scroll-cue">↔ Bảng có {len(columns)} cột, rộng hơn màn hình: vuốt '
           "ngang trên bảng để xem các cột còn lại.</p>") if wide else ""
    # The box scrolls a table wider than a phone screen by itself, not the whole page.
    box = "table-box" + (" wide" if wide else "") + (" long" if len(frame) > LONG_TABLE_ROWS
                                                     else "")
    return (f'{cue}<div class="{box}"><table class="{classes}">'
            f"{cap}<thead><tr>{head}</tr></thead><tbody>{rows}</tbody></table></div>")


def _key(cell: str, key: bool) -> str:
    """Mark the cell of the column kept in view (class "key")."""
    if not key:
        return cell
    if cell.startswith('<td class="'):
        return cell.replace('<td class="', '<td class="key ', 1)
    return cell.replace("<td", '<td class="key"', 1)


class Table(HTML):
    """A table as displayed (escaped HTML) that keeps its data: ``.frame`` is the shown
    columns under their Vietnamese headers, a DataFrame an analyst can sort and filter."""

    def __init__(self, html: str, frame: pd.DataFrame):
        super().__init__(html)
        self.frame = frame


def shown_frame(frame: pd.DataFrame, columns: Columns) -> pd.DataFrame:
    """The columns a table shows, renamed to their headers (missing ones left empty)."""
    picked = frame.reindex(columns=list(columns))
    return picked.rename(columns={c: h for c, (h, _) in columns.items()}).reset_index(
        drop=True)


def table(frame: pd.DataFrame, columns: Columns, caption: str = "",
          empty: str = "Không có dữ liệu.", layout: str = "scroll") -> HTML:
    """`layout`: how a phone shows it (see `table_html`)."""
    if frame.empty:
        return note(empty)
    return Table(table_html(frame, columns, caption, layout=layout),
                 shown_frame(frame, columns))


class Outline:
    """Numbered sections (I, II, …) that stay consecutive when a section is skipped."""

    NUMERALS = ("I", "II", "III", "IV", "V", "VI", "VII", "VIII", "IX", "X")

    def __init__(self) -> None:
        self.count = 0

    def section(self, text: str) -> HTML:
        self.count += 1
        return heading(f"{self.NUMERALS[self.count - 1]}. {text}")


def page_break() -> HTML:
    """Start a new page when printed (PDF)."""
    return HTML('<div class="page-break"></div>')


def heading(text: str, level: int = 2) -> HTML:
    """A heading built from data (e.g. with the year or a unit's name)."""
    return HTML(f"<h{level}>{escape(text)}</h{level}>")


# Below this width (CSS px) a page shows a chart's phone variant (the same as the CSS's
# phone rule in pages.py); print and PDF always show the A4 chart.
PHONE_MEDIA = "(max-width: 640px)"
PHONE_DPI = 192  # 2 image pixels per CSS pixel at the phone chart's own scale


_PHONE_SOURCE = re.compile(r'<source media="' + re.escape(PHONE_MEDIA)
                           + r'" srcset="data:[^"]*"\s*/?>')


def without_phone_charts(html: str) -> str:
    """The page as print and PDF show it: the charts' phone images (`figure`'s <source>
    for narrow screens, never printed) left out. WeasyPrint would parse and keep them all
    the same: half of the annual report's 10 MB and ~20 MB of its PDF step's memory."""
    return _PHONE_SOURCE.sub("", html)


def png_data(fig, dpi: int, tight: bool = True) -> str:
    """A figure as a base64 PNG (the figure is closed, `png.figure_png`). `tight` crops it
    to what is drawn, with matplotlib's padding; a phone chart is laid out to fill its
    figure exactly (and is then shown at a known scale), so it is not cropped."""
    import matplotlib.pyplot as plt

    from cntt_analysis.report.html.png import figure_png

    data = figure_png(fig, dpi, tight)
    plt.close(fig)
    return base64.b64encode(data).decode("ascii")


# Where drawn charts are kept (`cache_figures`; none by default): a chart is drawn once for
# every notebook that shows it, as long as what it draws is the same (`plots.chart_key`).
_FIGURES: dict[str, Path] = {}


def cache_figures(folder: str | Path | None) -> None:
    """Keep the images of charts in `folder` (None: keep none)."""
    _FIGURES.clear()
    if folder is not None:
        _FIGURES["folder"] = Path(folder)


def _cached_png(fig, variant: str, draw: Callable[[], str]) -> str:
    """The base64 PNG of a chart: from the kept images when the same chart was drawn
    before (the figure is then closed undrawn), else drawn and kept."""
    key, folder = getattr(fig, "cache_key", None), _FIGURES.get("folder")
    if key is None or folder is None:
        return draw()
    path = folder / f"{key}-{variant}.png"
    try:
        data = path.read_bytes()
    except OSError:
        data = None
    if data is not None:
        with contextlib.suppress(OSError):
            os.utime(path)  # in use: kept by `cntt report`'s sweep (`storage.remove_unused_files`)
        return base64.b64encode(data).decode("ascii")
    encoded = draw()
    with contextlib.suppress(OSError):  # a folder that cannot be written to: no cache
        write_bytes(base64.b64decode(encoded), path)
    return encoded


def figure(fig, caption: str = "", dpi: int = 150) -> HTML:
    """A matplotlib figure as an embedded PNG (the figure is closed). A chart that can draw
    itself for a phone (`plots.responsive`) comes in a <picture>: narrow screens get the
    phone chart, readable without zooming; wider screens, print and PDF the A4 one."""
    import matplotlib.pyplot as plt

    phone = getattr(fig, "phone_variant", None)
    source = ""
    if callable(phone):
        drawn = _cached_png(fig, f"phone{PHONE_DPI}", lambda: png_data(phone(), PHONE_DPI,
                                                                        False))
        source = f'<source media="{PHONE_MEDIA}" srcset="data:image/png;base64,{drawn}">'
    page = _cached_png(fig, f"page{dpi}", lambda: png_data(fig, dpi))
    plt.close(fig)
    img = f'<img alt="{escape(caption)}" src="data:image/png;base64,{page}">'
    cap = f"<figcaption>{escape(caption)}</figcaption>" if caption else ""
    shown = f"<picture>{source}{img}</picture>" if source else img
    return HTML(f"<figure>{shown}{cap}</figure>")


# The class of a sentence leading into a table: printed on the page of the table's first
# rows, its heading with it (pages.CSS). Set on a few sentences, not on every table: the
# rule makes WeasyPrint weigh the break at each place it applies.
LEAD_IN = "lead-in"


def paragraphs(texts: Iterable[str], css_class: str = "") -> HTML:
    attr = f' class="{css_class}"' if css_class else ""
    return HTML("".join(f"<p{attr}>{escape(t)}</p>" for t in texts))


def bullets(texts: Iterable[str]) -> HTML:
    items = "".join(f"<li>{escape(t)}</li>" for t in texts)
    return HTML(f"<ul>{items}</ul>")


def note(text: str, kind: str = "info") -> HTML:
    """A highlighted box: kind ``info``, ``warning`` or ``synthetic``."""
    return HTML(f'<div class="callout {kind}">{escape(text)}</div>')


def synthetic_banner(synthetic: bool) -> HTML:
    return note(SYNTHETIC_NOTE, "synthetic") if synthetic else HTML("")


def draft_banner(label: str | None) -> HTML:
    """The "DỰ THẢO" (draft) mark of results not finalised yet; nothing once final."""
    return note(label, "draft") if label else HTML("")


def cover(title: str, subtitle: str, organisation: str, place_date: str,
          synthetic: bool) -> HTML:
    """The first page of a document leaders receive."""
    banner = (f'<div class="callout synthetic">{escape(SYNTHETIC_NOTE)}</div>'
              if synthetic else "")
    return HTML(
        f'<section class="cover"><div class="org">{escape(organisation)}</div>'
        f"<h1>{escape(title)}</h1><div class=\"subtitle\">{escape(subtitle)}</div>"
        f'<div class="place-date">{escape(place_date)}</div>{banner}</section>')


def key_figures(figures: list[tuple[str, str]]) -> HTML:
    """A row of big numbers with labels (e.g. ("22", "đơn vị được đánh giá"))."""
    cards = "".join(f'<div class="figure"><div class="value">{escape(v)}</div>'
                    f'<div class="label">{escape(label)}</div></div>' for v, label in figures)
    return HTML(f'<div class="key-figures">{cards}</div>')
