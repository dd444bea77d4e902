"""HTML blocks that notebooks display: tables, paragraphs, callouts, the cover.

Everything built from data is escaped here, once: unit names and remarks come from the
units' own workbooks and must show as text, never run as markup.
"""

from __future__ import annotations

import base64
import datetime as dt
import io
from collections.abc import Iterable
from html import escape
from typing import Any

import pandas as pd
from IPython.display import HTML

from cntt_analysis.labels import SYNTHETIC_NOTE, TIER_FILLS, vn_score, vn_share
from cntt_analysis.text import shorten

CELL_TEXT_LIMIT = 500  # characters of one table cell shown in pages (HTML, PDF)
# column → (header, kind); kind: "text", "number", "int", "percent", "date", "tier",
# "change" (signed points)
Columns = dict[str, tuple[str, str]]


def _cell(value: Any, kind: str) -> str:
    if value is None or (not isinstance(value, str) and pd.isna(value)):
        return '<td class="empty">–</td>'
    if kind == "number":
        return f'<td class="num">{escape(vn_score(float(value)))}</td>'
    if kind == "percent":
        return f'<td class="num">{escape(vn_share(float(value))[:-1])}</td>'
    if kind == "change":  # a change in points: signed, never coloured as a loss when up
        shown = vn_score(float(value))
        return f'<td class="num">{"+" if float(value) > 0 else ""}{escape(shown)}</td>'
    if kind == "int":
        return f'<td class="num">{int(value)}</td>'
    if kind == "date":
        shown = value.strftime("%d/%m/%Y") if isinstance(value, (dt.date, pd.Timestamp)) \
            else str(value)
        return f'<td class="date">{escape(shown)}</td>'
    if kind == "tier":
        color = TIER_FILLS.get(str(value), "FFFFFF")
        return f'<td class="tier" style="background:#{color}">{escape(str(value))}</td>'
    # A unit may type a megabyte into one cell: pages show its start, the data keep it whole.
    return f"<td>{escape(shorten(str(value), CELL_TEXT_LIMIT))}</td>"


def table_html(frame: pd.DataFrame, columns: Columns, caption: str = "",
               css_class: str = "data") -> str:
    """An escaped HTML table of the chosen columns with Vietnamese headers."""
    head = "".join(f"<th>{escape(header)}</th>" for header, _ in columns.values())
    rows = "".join(
        "<tr>" + "".join(_cell(record.get(col), kind) for col, (_, kind) in columns.items())
        + "</tr>" for record in frame.to_dict("records"))
    cap = f"<caption>{escape(caption)}</caption>" if caption else ""
    # The box scrolls a table wider than a phone screen by itself, not the whole page.
    return (f'<div class="table-box"><table class="{css_class}">{cap}<thead><tr>{head}</tr>'
            f"</thead><tbody>{rows}</tbody></table></div>")


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
          empty: str = "Không có dữ liệu.") -> HTML:
    if frame.empty:
        return note(empty)
    return Table(table_html(frame, columns, caption), shown_frame(frame, columns))


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


def figure(fig, caption: str = "", dpi: int = 150) -> HTML:
    """A matplotlib figure as an embedded PNG (the figure is closed)."""
    import matplotlib.pyplot as plt

    buffer = io.BytesIO()
    fig.savefig(buffer, format="png", dpi=dpi, bbox_inches="tight",
                metadata={"Software": None})
    plt.close(fig)
    data = base64.b64encode(buffer.getvalue()).decode("ascii")
    cap = f"<figcaption>{escape(caption)}</figcaption>" if caption else ""
    return HTML(f'<figure><img alt="{escape(caption)}" src="data:image/png;base64,{data}">'
                f"{cap}</figure>")


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
