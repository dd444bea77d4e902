"""Charts for the report notebooks: each function takes the tidy tables and returns a
matplotlib Figure sized for an A4 page (never shows it).

Call `use_style()` once at the top of a notebook: it sets a font with every Vietnamese glyph
(DejaVu Sans, shipped with matplotlib) and the house style. Tier colours are
``labels.tier_colors`` of the rubric's tiers (best first); group names are the rubric's;
without a rubric, the default rubric's. Numbers on axes and labels use the Vietnamese
marks (85,5).

What goes in: `scores` is the scores table of ``load_results`` / ``score_round`` (year,
unit_id, name, group, score, tier, rank and the criterion columns C1 … Cn);
`rank_movement_chart` takes ``analysis.rank_movement(scores)``, `rank_bands`
``robustness.rank_robustness(points, scores)``. A function raises ValueError (Vietnamese)
when the selection (year, group, unit) has no rows.

Example::

    >>> from cntt_analysis.analysis.results import load_results
    >>> res = load_results("data/raw", "data/processed")  # the demo data, scored
    >>> use_style()
    >>> fig = ranking_bar(res.scores, "so", 2017, res.rubric(2017))
    >>> fig.savefig("xep-hang-so-2017.png", dpi=150)

Every chart function takes ``layout=PAGE`` (A4, the default) or ``layout=PHONE`` (drawn at a
390 px phone's own scale: names wrapped shorter, panels stacked, legends in fewer columns);
a page chart's ``fig.phone_variant()`` draws the phone one with the same arguments, and
`blocks.figure` shows it on narrow screens.

Figures are built with ``matplotlib.figure.Figure`` (not pyplot), so they are never
displayed or kept open behind the caller's back: in a notebook, make the figure the cell's
last expression or call ``display(fig)`` (a `ReportFigure` renders itself as PNG in any
kernel, without ``%matplotlib inline``); to save, ``fig.savefig(path)``.
"""

from __future__ import annotations

import functools
import inspect
import re
import textwrap
import unicodedata
from collections.abc import Callable, Sequence
from dataclasses import dataclass
from typing import Any, cast

import matplotlib as mpl
import numpy as np
import pandas as pd
from matplotlib.artist import Artist
from matplotlib.figure import Figure
from matplotlib.lines import Line2D
from matplotlib.patches import Patch
from matplotlib.projections.polar import PolarAxes
from matplotlib.ticker import FixedLocator, FuncFormatter, MaxNLocator

from cntt_analysis.analysis import (
    criterion_averages,
    criterion_columns,
    group_order,
)
from cntt_analysis.labels import tier_colors, vn_number
from cntt_analysis.report.facts import Organisation
from cntt_analysis.rounding import half_up_float as round_half_up
from cntt_analysis.rubric.model import DEFAULT_RUBRIC, Rubric, load_rubric

# A4 portrait, 2 cm margins: 17 cm × 25.7 cm of text area.
PAGE_WIDTH = 6.7
PAGE_HEIGHT = 9.6
# No chart text is smaller than this (points): on a phone the narrow variant is drawn at
# about the screen's own scale (below), so this is about 9 CSS px there.
MIN_FONT = 7.0


@dataclass(frozen=True)
class Layout:
    """Where a chart is read: its width (inches), its tallest height, how many characters
    of a unit or group name fit on a line compared with the page (`text_scale`), how many
    legend columns fit, and whether side-by-side panels are stacked instead."""

    name: str
    width: float
    max_height: float
    text_scale: float
    legend_columns: int
    stack_panels: bool

    def chars(self, page_chars: int) -> int:
        """A wrap width of `page_chars` characters on the page, in this layout."""
        return max(10, round(page_chars * self.text_scale))

    def columns(self, page_columns: int) -> int:
        return max(1, min(page_columns, self.legend_columns))


# The A4 page (HTML on a computer, PDF) and a phone: 3.6 in (3.8 in saved with its tight
# margins) is about 360 CSS px at 96 px per inch, the width a 390 px phone gives a page's
# text, so the narrow variant is shown at about its own scale and its 7-point text is ~9 CSS
# px (the page variant shrunk to a phone would make it ~5 px).
PAGE = Layout("page", PAGE_WIDTH, PAGE_HEIGHT, 1.0, 4, False)
PHONE = Layout("phone", 3.6, 14.0, 0.52, 2, True)
FONT = "DejaVu Sans"
NA_COLOR = "#E0E0E0"
TEXT_COLOR = "#262626"
# Group colours in the rubric's group order, for groups the rubric gives no colour.
GROUP_PALETTE = ("#1F4E79", "#C55A11", "#2E7D32", "#6A1B9A", "#00838F", "#AD1457", "#5D4037")
MOVE_COLORS = {"up": "#2E7D32", "down": "#C62828", "same": "#9E9E9E",
               # lost places to others while its own score rose: never drawn as a loss
               "down_score_up": "#78909C"}
MEAN_LABEL = "Bình quân"  # never "Trung bình", which is a tier name
HEATMAP_CMAP = "RdYlGn"
HEATMAP_MIN_ROW = 9.0  # points of height a heat map row needs for its numbers

STYLE: dict[str, Any] = {
    "font.family": [FONT],
    "font.sans-serif": [FONT],
    "mathtext.fontset": "dejavusans",
    "font.size": 9,
    "axes.titlesize": 10.5,
    "axes.titleweight": "bold",
    "axes.titlelocation": "left",
    "axes.labelsize": 9,
    "axes.labelcolor": TEXT_COLOR,
    "axes.edgecolor": "#BFBFBF",
    "axes.spines.top": False,
    "axes.spines.right": False,
    "xtick.labelsize": 8.5,
    "ytick.labelsize": 8.5,
    "xtick.color": TEXT_COLOR,
    "ytick.color": TEXT_COLOR,
    "legend.fontsize": 8.5,
    "legend.frameon": False,
    "figure.titlesize": 11.5,
    "figure.titleweight": "bold",
    "figure.dpi": 110,
    "figure.facecolor": "white",
    "savefig.dpi": 200,
    "savefig.facecolor": "white",
    "grid.color": "#E6E6E6",
    "grid.linewidth": 0.8,
    "axes.unicode_minus": True,
}


def use_style() -> None:
    """Set the report style globally (seaborn theme + DejaVu Sans); notebooks call it once."""
    import seaborn as sns

    sns.set_theme(style="whitegrid", font=FONT, rc=STYLE)
    mpl.rcParams.update(cast(Any, STYLE))  # rcParams' stubs want literal keys


# ----------------------------------------------------------------------------- helpers


def num(value: float, places: int = 2) -> str:
    """Vietnamese number for charts with fixed decimals, as the tables show it: 85.5 →
    "85,50", 65.125 → "65,13", −2 → "−2,00" (true minus sign)."""
    if value is None or pd.isna(value):
        return "–"
    value = round_half_up(float(value), places)  # as the report tables and sentences round
    if value == 0:
        value = 0.0
    text = vn_number(abs(value), places, trim=False)
    return f"\u2212{text}" if value < 0 else text


def vn_formatter(places: int = 1, suffix: str = "") -> FuncFormatter:
    """Axis tick formatter with Vietnamese marks: 2.5 → "2,5", with an optional "%"."""
    return FuncFormatter(lambda x, _pos: f"{num(x, places)}{suffix}")


_SHORTER = [("Công nghệ thông tin", "CNTT"), ("công nghệ thông tin", "CNTT"),
            ("Ủy ban nhân dân", "UBND"), ("Uỷ ban nhân dân", "UBND")]
# "Khoa học và Công nghệ" → "KH&CN": a sector's name of two two-syllable words joined by
# "và", as Vietnamese abbreviates them (not inside a list: "Văn hóa, Thể thao và Du lịch").
_SECTOR = re.compile(r"(?<![,\-–] )(?<!\w)(\w)\w* (\w)\w* và (\w)\w* (\w)\w*(?!\w)")


def _sector(match: re.Match) -> str:
    a, b, c, d = match.groups()
    if a.isupper() and c.isupper() and b.islower() and d.islower():
        return f"{a}{b.upper()}&{c}{d.upper()}"
    return match.group(0)


def _mpl_text(text: str) -> str:
    """Unit text drawn as is: matplotlib reads "$…$" as mathematics (and fails on it);
    composed (NFC), since matplotlib before 3.11 stacks combining marks badly."""
    return unicodedata.normalize("NFC", text).replace("$", r"\$")


def display_name(name: object, width: int = 34, max_lines: int = 2) -> str:
    """A unit name that fits a chart: usual abbreviations (CNTT, UBND, a sector's KH&CN),
    wrapped to `width` characters, at most `max_lines` lines, the rest shortened with "…"."""
    text = "" if name is None or (not isinstance(name, str) and pd.isna(name)) else str(name)
    text = unicodedata.normalize("NFC", text)  # a name typed with combining marks too
    for long, short in _SHORTER:
        text = text.replace(long, short)
    text = _SECTOR.sub(_sector, text)
    lines = textwrap.wrap(text, width=width) or [""]
    if len(lines) > max_lines:
        last = " ".join(lines[max_lines - 1:])
        lines = [*lines[:max_lines - 1], textwrap.shorten(last, width=width, placeholder=" …")]
    return _mpl_text("\n".join(lines))


class ReportFigure(Figure):
    """A Figure that shows itself as a PNG when it is a notebook cell's last expression,
    in any kernel (no ``%matplotlib inline`` or pyplot needed).

    A chart drawn for the page also knows how to draw itself for a phone:
    ``fig.phone_variant()`` (None when there is none), which `blocks.figure` shows on
    narrow screens while print and PDF keep the page chart."""

    phone_variant: Callable[[], Figure] | None = None
    cache_key: str | None = None

    def _repr_png_(self) -> bytes:
        from cntt_analysis.report.html.png import figure_png

        return figure_png(self, dpi=110)


def _figure(height: float, layout: Layout = PAGE) -> ReportFigure:
    return ReportFigure(figsize=(layout.width, min(max(height, 2.4), layout.max_height)),
                        layout="constrained")


def responsive(draw: Callable[..., ReportFigure] | None = None, *,
               keyed_on: Callable[[dict[str, Any]], dict[str, Any]] | None = None) -> Any:
    """A chart function drawn for the page (default ``layout=PAGE``) that can also draw
    itself for a phone: the page figure's ``phone_variant()`` redraws it with the same
    arguments and ``layout=PHONE``.

    The page figure also carries ``cache_key``: a digest of the function, the package and
    what the chart draws (`blocks.figure` keeps its images under it, so a chart drawn by
    one notebook is not drawn again by the next). By default every argument counts;
    `keyed_on` narrows the arguments (by name) to the rows the chart draws, so that a
    chart of one group is the same chart whatever happened to the other groups."""
    if draw is None:
        return functools.partial(responsive, keyed_on=keyed_on)
    signature = inspect.signature(draw)

    @functools.wraps(draw)
    def chart(*args: Any, layout: Layout = PAGE, **kwargs: Any) -> ReportFigure:
        fig = draw(*args, layout=layout, **kwargs)
        if layout is PAGE:
            fig.phone_variant = functools.partial(draw, *args, layout=PHONE, **kwargs)
            bound = signature.bind(*args, **kwargs)
            bound.apply_defaults()
            shown = dict(bound.arguments)
            shown.pop("layout", None)
            if keyed_on is not None:
                shown |= keyed_on(shown)
            fig.cache_key = chart_key(draw.__qualname__, shown)
        return fig
    return chart


def chart_key(name: str, arguments: dict[str, Any]) -> str | None:
    """A digest of a chart: the code that draws it and what it draws (None when an argument
    cannot be told apart by its value: then the chart is simply drawn)."""
    import hashlib

    from cntt_analysis.report.inputs import package_digest

    digest = hashlib.sha256()
    for part in (name, package_digest(), mpl.__version__, repr(sorted(STYLE.items()))):
        digest.update(part.encode("utf-8") + b"\0")
    try:
        for key, value in sorted(arguments.items()):
            digest.update(key.encode("utf-8") + b"=" + _value_digest(value) + b"\0")
    except (TypeError, ValueError):
        return None
    return digest.hexdigest()[:32]


_RUBRICS: dict[int, tuple[Rubric, bytes]] = {}


def _value_digest(value: Any) -> bytes:
    import hashlib

    if isinstance(value, pd.DataFrame):
        frame = value.reset_index(drop=True)
        head = repr([(str(c), str(t)) for c, t in frame.dtypes.items()]).encode("utf-8")
        rows = pd.util.hash_pandas_object(frame, index=False).to_numpy().tobytes() \
            if len(frame.columns) else b""
        return hashlib.sha256(head + b"|" + rows).digest()
    if isinstance(value, Rubric):  # a large object used many times: its repr once
        known = _RUBRICS.get(id(value))
        if known is None or known[0] is not value:
            known = (value, hashlib.sha256(repr(value).encode("utf-8")).digest())
            _RUBRICS[id(value)] = known
        return known[1]
    if value is None or isinstance(value, (str, int, float, bool, Layout, tuple)):
        return repr(value).encode("utf-8")
    if isinstance(value, Organisation):  # the names a title uses: plain texts
        return repr(sorted(value.to_dict().items())).encode("utf-8")
    raise TypeError(f"no digest for {type(value).__name__}")


def _group_rows(frame: str, year: str | None = "year") -> Callable[[dict[str, Any]], dict]:
    """Key a chart of one group (and year) on that group's rows only."""
    def rows(arguments: dict[str, Any]) -> dict[str, Any]:
        data = arguments[frame]
        keep = data["group"] == arguments["group"]
        if year is not None:
            keep &= data["year"] == arguments[year]
        return {frame: data[keep]}
    return rows


def _unit_rows_shown(arguments: dict[str, Any]) -> dict[str, Any]:
    """A unit's chart without the group's mean draws the unit's rows and, beside its rank,
    the size of its group each year."""
    if arguments.get("group_mean", True):
        return {}
    scores, unit = arguments["scores"], arguments["unit_id"]
    mine = scores[scores["unit_id"] == unit]
    if "year" in arguments:  # the radar: one year
        mine = mine[mine["year"] == arguments["year"]]
    pairs = set(zip(mine["year"], mine["group"]))
    peers = scores[[pair in pairs for pair in zip(scores["year"], scores["group"])]]
    sizes = peers.groupby(["year", "group"])["unit_id"].nunique().reset_index()
    return {"scores": mine, "group_sizes": sizes}


def _select(scores: pd.DataFrame, year: int | None = None,
            group: str | None = None) -> pd.DataFrame:
    rows = scores
    if year is not None:
        rows = rows[rows["year"] == year]
    if group is not None:
        rows = rows[rows["group"] == group]
    if rows.empty:
        what = _group_name(group) if group is not None else "các đơn vị"
        when = f" năm {year}" if year is not None else ""
        raise ValueError(f"Không có kết quả của {what}{when} để vẽ biểu đồ.")
    return rows


def _rubric(rubric: Rubric | None) -> Rubric:
    """The rubric given, else the default one: tiers, group names and tier colours."""
    return rubric or load_rubric(DEFAULT_RUBRIC)


def _tier_colors(rubric: Rubric | None) -> dict[str, str]:
    return tier_colors(_rubric(rubric).tier_names)


def _group_name(group: str, rubric: Rubric | None = None, short: bool = False) -> str:
    return _rubric(rubric).group_label(group, short)


def group_color(group: str, rubric: Rubric | None = None) -> str:
    """A group's colour: the rubric's, else the palette's in the rubric's group order."""
    rubric = _rubric(rubric)
    if group in rubric.group_colors:
        return rubric.group_colors[group]
    order = list(rubric.groups)
    return GROUP_PALETTE[order.index(group) % len(GROUP_PALETTE)] if group in order \
        else "#616161"


def _tiers(rubric: Rubric | None) -> list[tuple[str, float]]:
    """(tier, minimum score), best first."""
    rubric = _rubric(rubric)
    return [(t.name, float(t.minimum)) for t in rubric.tiers]


def _tier_handles(rubric: Rubric | None, compact: bool = False) -> list[Patch]:
    """Tier legend entries; `compact` (a phone) writes whole thresholds without decimals."""
    tiers = _tiers(rubric)
    handles = []
    for i, (name, low) in enumerate(tiers):
        if i == 0:
            label = f"{name}: ≥ {vn_number(low)}"
        elif low <= 0:
            label = f"{name}: < {vn_number(tiers[i - 1][1])}"
        elif compact:
            label = f"{name}: {vn_number(low)}–<{vn_number(tiers[i - 1][1])}"
        else:
            label = f"{name}: {num(low)} – < {num(tiers[i - 1][1])}"
        handles.append(Patch(facecolor=_tier_colors(rubric).get(name, NA_COLOR), label=label))
    return handles


def _year_axis(ax, years: Sequence[int]) -> None:
    """Years as plain integers on the x axis (never "2.017")."""
    years = sorted({int(y) for y in years})
    ax.xaxis.set_major_locator(FixedLocator(years))
    ax.set_xticklabels([str(y) for y in years])
    ax.set_xlim(years[0] - 0.4, years[-1] + 0.4)
    ax.set_xlabel("Năm")


def _group_label(group: str, width: int = 60, rubric: Rubric | None = None) -> str:
    return textwrap.fill(_group_name(str(group), rubric), width)


def _title(fig: Figure, ax, text: str, layout: Layout) -> None:
    """A chart's title: above the axes on the page; on a phone across the whole figure
    (left-aligned), since the unit names beside a narrow axes leave it too little room."""
    if layout is PAGE:
        ax.set_title(text)
    else:
        fig.suptitle(text, x=0.02, ha="left", fontsize=STYLE["axes.titlesize"])


def _wrap(text: str, layout: Layout, page_chars: int) -> str:
    """A title wrapped to the layout's line length."""
    return textwrap.fill(text, layout.chars(page_chars))


def _lower_first(text: str) -> str:
    return text[:1].lower() + text[1:]


def _criterion_label(code: str, short: str, width: int = 14) -> str:
    return f"{code}\n{textwrap.fill(short, width)}"


def spread_positions(values: Sequence[float], gap: float) -> list[float]:
    """Label positions near `values` (same order), at least `gap` apart, so end-of-line
    labels do not overlap: overlapping labels form a block centred on their values."""
    order = sorted(range(len(values)), key=lambda i: values[i])
    vals = [float(values[i]) for i in order]
    pos: list[float] = []
    blocks: list[list[int]] = []
    for k, v in enumerate(vals):
        pos.append(v)
        blocks.append([k])
        while len(blocks) > 1 and pos[blocks[-1][0]] - pos[blocks[-2][-1]] < gap - 1e-9:
            merged = blocks[-2] + blocks[-1]
            start = sum(vals[j] for j in merged) / len(merged) - gap * (len(merged) - 1) / 2
            for m, j in enumerate(merged):
                pos[j] = start + m * gap
            blocks[-2:] = [merged]
    placed = [0.0] * len(vals)
    for k, i in enumerate(order):
        placed[i] = pos[k]
    return placed


def _text_color(rgba) -> str:
    """Black or white, whichever reads better on `rgba`."""
    r, g, b = rgba[:3]
    return "#1A1A1A" if 0.299 * r + 0.587 * g + 0.114 * b > 0.55 else "white"


# ----------------------------------------------------------------------------- one year


def _tier_legend(fig: Figure, rubric: Rubric | None, layout: Layout = PAGE) -> None:
    fig.legend(handles=_tier_handles(rubric, compact=layout is not PAGE),
               loc="outside lower center",
               ncols=layout.columns(4),
               title="Xếp loại", title_fontsize=8.5, handlelength=1.2, columnspacing=1.2)


# A bar chart of more units than this is drawn in parts (`chart_parts`), each one page high:
# 130 communes in one page-high chart left their names overlapping, unreadable.
BARS_PER_CHART = 22


def chart_parts(n: int, most: int = BARS_PER_CHART) -> list[tuple[int, int, int]]:
    """`n` units in charts of at most `most` bars, as even as can be: each part's
    (number from 1, first position, last position), positions from 1 in rank order."""
    count = max(1, -(-n // most))
    size = -(-n // count) if n else 0
    return [(k + 1, k * size + 1, min(n, (k + 1) * size)) for k in range(count)]


def _part_rows(data: pd.DataFrame, part: tuple[int, int, int] | None,
               parts: int) -> tuple[pd.DataFrame, str]:
    """The rows (in rank order) a `part` of `chart_parts` shows, and what its title adds
    ("" for the whole group)."""
    if part is None:
        return data, ""
    number, first, last = part
    # No-break spaces: a wrapped title keeps "thứ 23–44" on one line.
    return data.iloc[first - 1:last], f" — phần\u00a0{number}/{parts}: thứ\u00a0{first}–{last}"


@responsive(keyed_on=_group_rows("scores"))
def ranking_bar(scores: pd.DataFrame, group: str, year: int,
                rubric: Rubric | None = None, *, layout: Layout = PAGE,
                organisation: Organisation | None = None,
                part: tuple[int, int, int] | None = None, parts: int = 1) -> ReportFigure:
    """Horizontal bars of one group's scores in `year`, rank 1 on top, coloured by tier,
    score labels, tier thresholds as dashed lines and a tier legend; the title names the
    assessment when the `organisation` (``facts.organisation``) is given. A `part` of
    `chart_parts` (of `parts` in all) draws those positions only, said in the title.

    Uses the columns year, group, name, score, tier, rank of `scores`.

    >>> ranking_bar(res.scores, "huyen", 2017, res.rubric(2017))  # doctest: +SKIP
    """
    data = _select(scores, year, group).sort_values(["rank", "unit_id"], na_position="last")
    data, shown = _part_rows(data, part, parts)
    n = len(data)
    fig = _figure(1.5 + 0.34 * n, layout)
    ax = fig.subplots()
    y = np.arange(n)
    bars = ax.barh(y, data["score"].fillna(0), height=0.68, zorder=2,
                   color=[_tier_colors(rubric).get(t, NA_COLOR) for t in data["tier"]])
    ax.bar_label(bars, labels=[num(s) for s in data["score"]], padding=3, fontsize=8,
                 color=TEXT_COLOR, bbox={"boxstyle": "square,pad=0.1", "facecolor": "white",
                                         "edgecolor": "none"})
    ranks = ["–" if pd.isna(r) else str(int(r)) for r in data["rank"]]
    ax.set_yticks(y, [f"{r}. {display_name(nm, layout.chars(34))}"
                      for r, nm in zip(ranks, data["name"])])
    ax.set_ylim(n - 0.5, -0.5)
    for name, low in _tiers(rubric):
        if low > 0:
            ax.axvline(low, color=_tier_colors(rubric).get(name, "#9E9E9E"), lw=0.9, ls="--",
                       alpha=0.7, zorder=1)
    ax.set_xlim(0, 112 if layout.stack_panels else 109)  # room for the score labels
    ax.xaxis.set_major_locator(FixedLocator(range(0, 101, 20 if layout.stack_panels else 10)))
    ax.xaxis.set_major_formatter(vn_formatter(0))
    ax.grid(axis="y", visible=False)
    ax.set_xlabel("Điểm (thang điểm 100)")
    what = f" mức độ {organisation.assessment_short}" if organisation is not None else ""
    _title(fig, ax, _wrap(f"Xếp hạng{what} năm {year}", layout, 70) + "\n"
           + _wrap(_group_label(group, layout.chars(70), rubric) + shown, layout, 70),
           layout)
    _tier_legend(fig, rubric, layout)
    return fig


@responsive
def tier_distribution(scores: pd.DataFrame, year: int, rubric: Rubric | None = None, *,
                      layout: Layout = PAGE,
                      organisation: Organisation | None = None) -> ReportFigure:
    """Stacked bars of the number of units in each tier: all units ("Toàn Sở": the
    `organisation`'s word for them, ``facts.organisation``) and each group, with the counts
    written in the segments."""
    data = _select(scores, year)
    groups = group_order(data["group"], rubric)
    everyone = organisation.whole_label if organisation is not None else "Tất cả đơn vị"
    rows = [(everyone, data), *((textwrap.fill(_group_name(g, rubric), layout.chars(24)),
                                 data[data["group"] == g]) for g in groups)]
    tiers = [name for name, _ in _tiers(rubric)]
    fig = _figure(1.4 + 0.55 * len(rows), layout)
    ax = fig.subplots()
    left = np.zeros(len(rows))
    for tier in tiers:
        counts = np.array([int((part["tier"] == tier).sum()) for _, part in rows])
        color = _tier_colors(rubric).get(tier, NA_COLOR)
        bars = ax.barh(np.arange(len(rows)), counts, left=left, height=0.6, color=color,
                       label=tier, zorder=2, edgecolor="white", linewidth=0.8)
        ax.bar_label(bars, labels=[str(c) if c else "" for c in counts], label_type="center",
                     fontsize=8.5, fontweight="bold", color=_text_color(mpl.colors.to_rgba(color)))
        left += counts
    for i, total in enumerate(left):
        ax.text(total + 0.15, i, f"{int(total)} đơn vị", va="center", fontsize=8,
                color=TEXT_COLOR)
    ax.set_yticks(np.arange(len(rows)), [label for label, _ in rows])
    ax.set_ylim(len(rows) - 0.5, -0.5)
    ax.set_xlim(0, max(left.max(), 1) * 1.18)
    ax.xaxis.set_major_locator(MaxNLocator(integer=True))
    ax.xaxis.set_major_formatter(vn_formatter(0))
    ax.grid(axis="y", visible=False)
    ax.set_xlabel("Số đơn vị")
    _title(fig, ax, f"Phân bố xếp loại năm {year}", layout)
    _tier_legend(fig, rubric, layout)
    return fig


@responsive
def criteria_heatmap(scores: pd.DataFrame, rubric: Rubric, year: int,
                     group: str | None = None, *, layout: Layout = PAGE) -> ReportFigure:
    """Units × criteria percentages of `year` (green high, red low, annotated); one panel per
    group (or only `group`), units in rank order; grey cells are not applicable.

    Uses year, group, name, rank and the rubric's criterion columns (C1 … Cn) of `scores`.

    >>> criteria_heatmap(res.scores, res.rubric(2017), 2017)  # doctest: +SKIP
    """
    data = _select(scores, year, group)
    crits = criterion_columns(data, rubric)
    shorts = {c.code: c.short for c in rubric.criteria}
    groups = [group] if group is not None else group_order(data["group"], rubric)
    parts = [data[data["group"] == g].sort_values(["rank", "unit_id"]) for g in groups]
    total = sum(len(p) for p in parts)
    # On a phone a name takes two lines (one line of a narrow column cuts off what tells
    # two district offices apart) and the criteria are named under the title.
    lines = 1 if layout is PAGE else 2
    extra = 0.0 if layout is PAGE else 0.1 * total + 0.18 * len(crits)
    fig = _figure(1.9 + 0.27 * total + 0.35 * len(groups) + extra, layout)
    axes = fig.subplots(len(groups), 1, squeeze=False,
                        height_ratios=[max(len(p), 1) for p in parts])[:, 0]
    cmap = mpl.colormaps[HEATMAP_CMAP].with_extremes(bad=NA_COLOR)
    norm = mpl.colors.Normalize(0, 100)
    image: Any = None  # one image per group panel; there is at least one group
    # A cell's number is written only where a row is tall enough to read it: a province's
    # hundred units squeezed onto a page would overprint them (and cost a text each).
    pitch = fig.get_figheight() * 72 / max(total + 6 * len(groups), 1)
    annotate = pitch >= HEATMAP_MIN_ROW
    for i, (ax, g, part) in enumerate(zip(axes, groups, parts)):
        values = part[crits].to_numpy(dtype=float)
        image = ax.imshow(np.ma.masked_invalid(values), cmap=cmap, norm=norm, aspect="auto")
        for (r, c), v in np.ndenumerate(values if annotate else np.empty((0, 0))):
            color = "#555555" if np.isnan(v) else _text_color(cmap(norm(v)))
            ax.text(c, r, "–" if np.isnan(v) else num(v, 1), ha="center", va="center",
                    fontsize=7.5, color=color)
        ranks = ["–" if pd.isna(r) else str(int(r)) for r in part["rank"]]
        ax.set_yticks(range(len(part)), [f"{r}. {display_name(n, layout.chars(46), lines)}"
                                         for r, n in zip(ranks, part["name"])], fontsize=8)
        ax.set_xticks(range(len(crits)))
        if i == 0:
            ax.set_xticklabels([_criterion_label(c, shorts.get(c, c), 10) if layout is PAGE
                                else c for c in crits], fontsize=8)
            ax.xaxis.tick_top()
        else:
            ax.set_xticklabels([])
            ax.tick_params(axis="x", length=0)
        ax.tick_params(axis="both", length=0)
        ax.grid(False)
        for side in ax.spines.values():
            side.set_visible(False)
        ax.set_xticks(np.arange(len(crits) + 1) - 0.5, minor=True)
        ax.set_yticks(np.arange(len(part) + 1) - 0.5, minor=True)
        ax.grid(which="minor", color="white", linewidth=1.2)
        ax.tick_params(which="minor", length=0)
        ax.set_title(_group_name(g, rubric, short=layout is not PAGE), fontsize=9, loc="left")
    title = _wrap(f"Tỷ lệ điểm đạt theo tiêu chí năm {year} (%)", layout, 70)
    if layout is not PAGE:  # columns headed by codes only: their names under the title
        title += "\n" + "\n".join(f"{c}: {shorts.get(c, c)}" for c in crits)
    fig.suptitle(title, x=0.02, ha="left",
                 fontsize=STYLE["figure.titlesize" if layout is PAGE else "axes.titlesize"])
    bar = fig.colorbar(image, ax=list(axes), orientation="horizontal", location="bottom",
                       fraction=0.05, shrink=0.6 if layout is PAGE else 0.9, aspect=35,
                       pad=0.02)
    bar.ax.xaxis.set_major_formatter(vn_formatter(0, "%"))
    bar.set_label(_wrap("Tỷ lệ điểm đạt của tiêu chí (ô xám: không áp dụng)", layout, 60),
                  fontsize=8)
    cast(Artist, bar.outline).set_visible(False)  # matplotlib 3.10's stubs misread Spine
    return fig


@responsive
def criterion_spread(scores: pd.DataFrame, rubric: Rubric, year: int, *,
                     layout: Layout = PAGE) -> ReportFigure:
    """Spread of the units' percentages for each criterion in `year`: a box per group with
    every unit as a dot and the group mean as a diamond."""
    data = _select(scores, year)
    crits = criterion_columns(data, rubric)
    shorts = {c.code: c.short for c in rubric.criteria}
    groups = group_order(data["group"], rubric)
    width = 0.7 / max(len(groups), 1)
    offsets = (np.arange(len(groups)) - (len(groups) - 1) / 2) * width
    rng = np.random.default_rng(2017)
    fig = _figure(4.2 if layout is PAGE else 4.6, layout)
    ax = fig.subplots()
    for g, off in zip(groups, offsets):
        color = group_color(g, rubric)
        part = data[data["group"] == g]
        for i, code in enumerate(crits):
            values = part[code].dropna().to_numpy(dtype=float)
            if values.size == 0:
                continue
            pos = i + off
            ax.boxplot([values], positions=[pos], widths=width * 0.8, patch_artist=True,
                       showfliers=False, manage_ticks=False, zorder=2,
                       boxprops={"facecolor": mpl.colors.to_rgba(color, 0.18),
                                 "edgecolor": color},
                       medianprops={"color": color, "linewidth": 1.6},
                       whiskerprops={"color": color}, capprops={"color": color})
            jitter = rng.uniform(-width * 0.25, width * 0.25, values.size)
            ax.scatter(pos + jitter, values, s=13, color=color, alpha=0.85, zorder=3,
                       edgecolors="white", linewidths=0.4)
            ax.scatter([pos], [values.mean()], marker="D", s=26, color="white",
                       edgecolors="#1A1A1A", linewidths=0.9, zorder=4)
    ax.set_xticks(range(len(crits)), [_criterion_label(c, shorts.get(c, c), layout.chars(16))
                                      for c in crits],
                  fontsize=8.5 if layout is PAGE else 7.5)
    ax.set_xlim(-0.6, len(crits) - 0.4)
    ax.set_ylim(0, 104)
    ax.yaxis.set_major_formatter(vn_formatter(0, "%"))
    ax.grid(axis="x", visible=False)
    ax.set_ylabel("Tỷ lệ điểm đạt của tiêu chí (%)")
    _title(fig, ax, _wrap(f"Phân bố tỷ lệ điểm đạt của các đơn vị theo tiêu chí năm {year}",
                          layout, 70), layout)
    handles: list[Artist] = [
        Patch(facecolor=mpl.colors.to_rgba(group_color(g, rubric), 0.35),
              edgecolor=group_color(g, rubric), label=_group_name(g, rubric, short=True))
        for g in groups]
    handles.append(Line2D([], [], marker="D", ls="", markerfacecolor="white",
                          markeredgecolor="#1A1A1A", label=f"{MEAN_LABEL} khối"))
    fig.legend(handles=handles, loc="outside lower center",
               ncols=len(handles) if layout is PAGE else 2)
    return fig


# ----------------------------------------------------------------------------- trends


def _palette(n: int) -> list:
    cmap = mpl.colormaps["tab10" if n <= 10 else "tab20"]
    return [cmap(i % cmap.N) for i in range(n)]


@responsive(keyed_on=_group_rows("scores", year=None))
def score_trends(scores: pd.DataFrame, group: str, rubric: Rubric | None = None, *,
                 layout: Layout = PAGE) -> ReportFigure:
    """Score of every unit of `group` over the years, with the group mean (dashed) and the
    tier thresholds."""
    data = _select(scores, group=group)
    years = sorted(data["year"].unique())
    latest = data[data["year"] == years[-1]].sort_values(["rank", "unit_id"])
    order = [*latest["unit_id"], *sorted(set(data["unit_id"]) - set(latest["unit_id"]))]
    names = data.drop_duplicates("unit_id", keep="last").set_index("unit_id")["name"]
    columns = layout.columns(2) if layout is PAGE else 1
    legend_rows = int(np.ceil((len(order) + 1) / columns))
    fig = _figure(4.4 + 0.19 * legend_rows, layout)
    ax = fig.subplots()
    for (unit, color) in zip(order, _palette(len(order))):
        part = data[data["unit_id"] == unit].sort_values("year")
        ax.plot(part["year"], part["score"], marker="o", ms=4, lw=1.4, color=color,
                label=display_name(names.get(unit, unit), 44 if layout is PAGE else 40, 1),
                zorder=3)
    mean = data.groupby("year")["score"].mean()
    ax.plot(mean.index, mean.to_numpy(), ls="--", lw=2.4, color="#1A1A1A", marker="s", ms=4,
            label=f"{MEAN_LABEL} {_lower_first(_group_name(group, rubric, short=True))}", zorder=4)
    for name, low in _tiers(rubric):
        if low > 0:
            ax.axhline(low, color=_tier_colors(rubric).get(name, "#9E9E9E"), lw=0.9, ls=":",
                       zorder=1)
            ax.annotate(f"{name}\n≥ {num(low)}", (1, low), xycoords=("axes fraction", "data"),
                        xytext=(4, 0), textcoords="offset points", ha="left", va="center",
                        fontsize=MIN_FONT, color=_tier_colors(rubric).get(name, "#616161"))
    _year_axis(ax, years)
    low = np.nanmin(data["score"].to_numpy(dtype=float))
    ax.set_ylim(max(0, min(40, np.floor(low / 10) * 10 - 5)), 100)
    ax.yaxis.set_major_formatter(vn_formatter(0))
    ax.set_ylabel("Điểm (thang điểm 100)")
    _title(fig, ax, f"Điểm của các đơn vị qua các năm\n"
           f"{_group_label(group, layout.chars(70), rubric)}", layout)
    fig.legend(loc="outside lower center", ncols=columns, fontsize=7.5, handlelength=1.8)
    return fig


@responsive
def criterion_trends(scores: pd.DataFrame, rubric: Rubric, group: str | None = None, *,
                     layout: Layout = PAGE) -> ReportFigure:
    """Mean percentage of each criterion per year: one panel per group (or only `group`),
    the latest values written at the line ends."""
    data = _select(scores, group=group)
    groups = [group] if group is not None else group_order(data["group"], rubric)
    averages = criterion_averages(data, rubric)
    crits = criterion_columns(data, rubric)
    colors = dict(zip(crits, _palette(len(crits))))
    years = sorted(data["year"].unique())
    # On a phone the groups' panels are stacked, each as wide as the screen.
    stacked = layout.stack_panels and len(groups) > 1
    fig = _figure(3.9 + (2.6 * (len(groups) - 1) if stacked else 0), layout)
    axes = (fig.subplots(len(groups), 1, sharey=True, squeeze=False)[:, 0] if stacked
            else fig.subplots(1, len(groups), sharey=True, squeeze=False)[0])
    low = np.nanmin(averages["percent"].to_numpy(dtype=float))
    bottom = max(0.0, np.floor(low / 10) * 10 - 10)
    for ax, g in zip(axes, groups):
        part = averages[averages["group"] == g]
        ends = []
        for code in crits:
            line = part[part["criterion"] == code].dropna(subset=["percent"])
            if line.empty:
                continue
            label = line["label"].iloc[0]
            ax.plot(line["year"], line["percent"], marker="o", ms=4, lw=1.8,
                    color=colors[code], label=f"{code} {label}")
            ends.append((float(line["percent"].iloc[-1]), line["year"].iloc[-1], code))
        placed = spread_positions([v for v, _, _ in ends], (102 - bottom) * 0.055)
        for (value, last, code), y in zip(ends, placed):
            ax.annotate(num(value, 1), (last, value), xytext=(last + 0.08, y),
                        textcoords="data", va="center", fontsize=MIN_FONT, color=colors[code])
        _year_axis(ax, years)
        ax.set_xlim(years[0] - 0.4, years[-1] + 0.6)
        ax.set_title(textwrap.fill(_group_name(g, rubric), 34 if layout is PAGE else 44),
                     fontsize=9)
    axes[0].set_ylim(bottom, 102)
    axes[0].yaxis.set_major_formatter(vn_formatter(0, "%"))
    axes[0].set_ylabel("Tỷ lệ điểm đạt bình quân (%)")
    if stacked:
        for ax in axes[1:]:
            ax.set_ylabel("Tỷ lệ điểm đạt bình quân (%)")
    fig.suptitle(_wrap("Tỷ lệ điểm đạt bình quân theo tiêu chí qua các năm", layout, 70),
                 x=0.02, ha="left")
    handles, labels = axes[0].get_legend_handles_labels()
    fig.legend(handles, labels, loc="outside lower center", ncols=layout.columns(3),
               fontsize=8)
    return fig


@responsive(keyed_on=_group_rows("movement"))
def rank_movement_chart(movement: pd.DataFrame, year: int, group: str, *,
                        layout: Layout = PAGE) -> ReportFigure:
    """Rank change of each unit of `group` in `year` (from `analysis.rank_movement`): green
    up, red down, grey unchanged or new, units in rank order. A unit whose own score rose
    is never red: losing places to others it is drawn blue-grey, its score gain written."""
    data = _select(movement, year, group).sort_values(["rank", "unit_id"], na_position="last")
    n = len(data)
    change = data["rank_change"].astype("Float64").fillna(0).to_numpy(dtype=float)
    new = data["rank_change"].isna().to_numpy()
    rose = (data["score_change"].astype("Float64").fillna(0).to_numpy(dtype=float) > 0
            if "score_change" in data.columns else np.zeros(n, dtype=bool))
    kinds = np.where(change > 0, "up", np.where(change < 0, np.where(rose, "down_score_up",
                                                                     "down"), "same"))
    fig = _figure(1.6 + 0.32 * n, layout)
    ax = fig.subplots()
    y = np.arange(n)
    ax.barh(y, change, height=0.6, color=[MOVE_COLORS[k] for k in kinds], zorder=2)
    reach = max(float(np.abs(change).max()), 1.0)
    pad = reach * 0.04 + 0.1
    formed = (data["baseline"].isin(["merged", "split"]).to_numpy()
              if "baseline" in data.columns else np.zeros(n, dtype=bool))
    for i, (c, k, is_new) in enumerate(zip(change, kinds, new)):
        if is_new:
            label = ("mới (sáp nhập)" if formed[i] and data["baseline"].iloc[i] == "merged"
                     else "mới (chia tách)" if formed[i] else "mới")
        elif k == "same":
            label = "giữ nguyên"
        else:
            label = f"{'▲' if c > 0 else '▼'} {int(abs(c))}"
            if k == "down_score_up":
                label += (" " if layout is PAGE else "\n") + \
                    f"(điểm +{num(data['score_change'].iloc[i])})"
        ax.text(c + (pad if c >= 0 else -pad), i, label, va="center",
                ha="left" if c >= 0 else "right", fontsize=8,
                color=MOVE_COLORS[k] if not is_new else "#616161",
                fontstyle="italic" if is_new or k == "same" else "normal")
    ranks = ["–" if pd.isna(r) else str(int(r)) for r in data["rank"]]
    ax.set_yticks(y, [f"{r}. {display_name(nm, layout.chars(34))}"
                      for r, nm in zip(ranks, data["name"])])
    ax.set_ylim(n - 0.5, -0.5)
    room = 1.45 if layout is PAGE else 4.0  # the "▲ 2" labels beside short bars
    ax.set_xlim(-reach * room - 0.5, reach * room + 1.5)
    ax.axvline(0, color="#616161", lw=0.9, zorder=3)
    ax.xaxis.set_major_locator(MaxNLocator(integer=True))
    ax.xaxis.set_major_formatter(vn_formatter(0))
    ax.grid(axis="y", visible=False)
    ax.set_xlabel(_wrap("Số bậc thay đổi (dương: tăng hạng, âm: giảm hạng)", layout, 60))
    earlier = movement[(movement["group"] == group) & (movement["year"] < year)]["year"]
    since = f" so với năm {int(earlier.max())}" if len(earlier) else ""
    _title(fig, ax, _wrap(f"Thay đổi thứ hạng năm {year}{since}", layout, 70) + "\n"
           + _group_label(group, layout.chars(70)), layout)
    return fig


# ----------------------------------------------------------------------------- one unit


def _unit_rows(scores: pd.DataFrame, unit_id: str) -> pd.DataFrame:
    rows = scores[scores["unit_id"] == unit_id].sort_values("year")
    if rows.empty:
        raise ValueError(f"Không có kết quả của đơn vị {unit_id} để vẽ biểu đồ.")
    return rows


@responsive(keyed_on=_unit_rows_shown)
def unit_radar(scores: pd.DataFrame, rubric: Rubric, unit_id: str, year: int, *,
               group_mean: bool = True, layout: Layout = PAGE) -> ReportFigure:
    """The unit's criterion percentages in `year` against its group's mean, on a radar.
    A criterion that does not apply to the unit is left out of its outline and marked.
    ``group_mean=False`` draws the unit alone (its rank still says where it stands): a
    unit's profile shows only what changes with its own results and its rank, so that
    another unit's new figures do not make every profile of the group out of date.

    >>> unit_radar(res.scores, res.rubric(2017), "h-kim-bang", 2017)  # doctest: +SKIP
    """
    rows = _unit_rows(scores, unit_id)
    rows = rows[rows["year"] == year]
    if rows.empty:
        raise ValueError(f"Đơn vị {unit_id} không có kết quả năm {year}.")
    unit = rows.iloc[0]
    peers = scores[(scores["year"] == year) & (scores["group"] == unit["group"])]
    crits = criterion_columns(scores, rubric)
    shorts = {c.code: c.short for c in rubric.criteria}
    values = unit[crits].to_numpy(dtype=float)
    means = peers[crits].mean().to_numpy(dtype=float) if group_mean \
        else np.full(len(crits), np.nan)
    angles = np.linspace(0, 2 * np.pi, len(crits), endpoint=False)
    color = _tier_colors(rubric).get(unit["tier"], group_color(unit["group"], rubric))
    group_name = _lower_first(_group_name(unit["group"], rubric, short=True))

    # Fixed placement: constrained layout misjudges polar tick labels aligned outwards.
    # On a phone the labels take a larger share of the width: a smaller circle, the title
    # and legend on more lines.
    phone = layout is not PAGE
    fig = ReportFigure(figsize=(layout.width, 4.1 if phone else 5.6))
    # (left, bottom, width, height): a polar axes is round, so on a phone its box is as
    # tall as it is wide (1.66 in), with room above for the title and below for the legend.
    box = (0.27, 0.25, 0.46, 0.405) if phone else (0.25, 0.12, 0.5, 0.7)
    ax = cast(PolarAxes, fig.add_axes(box, projection="polar"))
    ax.set_theta_offset(np.pi / 2)
    ax.set_theta_direction(-1)

    def outline(vals, **style):
        ok = ~np.isnan(vals)
        a, v = angles[ok], vals[ok]
        if v.size == 0:
            return
        ax.plot(np.append(a, a[0]), np.append(v, v[0]), **style)
        return a, v

    if group_mean:
        outline(means, color="#424242", lw=1.5, ls="--", marker="s", ms=3.5,
                label=f"{MEAN_LABEL} {group_name}")
    got = outline(values, color=color, lw=2.2, marker="o", ms=5, label="Đơn vị")
    if got is not None:
        a, v = got
        ax.fill(np.append(a, a[0]), np.append(v, v[0]), color=color, alpha=0.18)
    labels = [f"{c}. {textwrap.fill(shorts.get(c, c), 18 if not phone else 10)}\n"
              + ("không áp dụng" if np.isnan(v) else f"{num(v, 1)}%")
              + ("" if np.isnan(m) else ("\n" if phone else " ") + f"(khối {num(m, 1)}%)")
              for c, v, m in zip(crits, values, means)]
    ax.set_xticks(angles, labels, fontsize=8 if not phone else 7.5)
    for text, angle in zip(ax.get_xticklabels(), angles):
        side = np.sin(angle)  # clockwise from the top: right side > 0
        text.set_horizontalalignment("left" if side > 0.1 else "right" if side < -0.1
                                     else "center")
    ax.tick_params(axis="x", pad=8 if not phone else 4)
    ax.set_ylim(0, 100)
    ax.yaxis.set_major_locator(FixedLocator([25, 50, 75, 100]))
    ax.yaxis.set_major_formatter(vn_formatter(0, "%"))
    ax.tick_params(axis="y", labelsize=MIN_FONT, labelcolor="#757575")
    ax.set_rlabel_position(180 / len(crits))
    rank = "–" if pd.isna(unit["rank"]) else str(int(unit["rank"]))
    summary = (f"Năm {year}: {num(unit['score'])} điểm, xếp loại {unit['tier']}, "
               f"hạng {rank}/{len(peers)} {group_name}")
    title = f"{display_name(unit['name'], layout.chars(60))}\n{_wrap(summary, layout, 90)}"
    if phone:  # above the labels of the top criterion, centred on the figure
        fig.suptitle(title, x=0.5, y=0.985, ha="center", va="top", fontsize=9)
    else:
        ax.set_title(title, loc="center", pad=30)
    if group_mean:  # the unit alone needs no legend
        fig.legend(loc="lower center", ncols=2 if not phone else 1,
                   bbox_to_anchor=(0.5, 0.01))
    return fig


@responsive(keyed_on=_unit_rows_shown)
def unit_history(scores: pd.DataFrame, unit_id: str, rubric: Rubric | None = None, *,
                 group_mean: bool = True, layout: Layout = PAGE) -> ReportFigure:
    """One unit over the years: score bars coloured by tier with rank and the group mean
    (left; without the mean when ``group_mean=False``, as in `unit_radar`), criterion
    percentages (right)."""
    rows = _unit_rows(scores, unit_id)
    years = [int(y) for y in rows["year"]]
    crits = criterion_columns(scores, rubric)
    shorts = {c.code: c.short for c in rubric.criteria} if rubric is not None else {}
    sizes = scores.groupby(["year", "group"])["unit_id"].nunique()

    if layout.stack_panels:  # a phone: the two panels one above the other
        fig = _figure(7.6, layout)
        left, right = fig.subplots(2, 1)
    else:
        fig = _figure(4.2, layout)
        left, right = fig.subplots(1, 2, width_ratios=[1.25, 1.2])
    x = np.arange(len(rows))
    half = 0.36 if group_mean else 0.5
    shift = half / 2 if group_mean else 0.0
    bars = left.bar(x - shift, rows["score"].fillna(0), width=half, zorder=2,
                    color=[_tier_colors(rubric).get(t, NA_COLOR) for t in rows["tier"]])
    left.bar_label(bars, labels=[num(v) for v in rows["score"]], padding=2, fontsize=MIN_FONT,
                   color=TEXT_COLOR)
    ticks = []
    for r in rows.itertuples(index=False):
        rank = "–" if pd.isna(r.rank) else str(int(r.rank))
        ticks.append(f"{int(r.year)}\n{r.tier}\nhạng {rank}/{sizes.get((r.year, r.group), 0)}")
    handles = [Patch(facecolor="#9E9E9E", label="Điểm của đơn vị (màu: xếp loại)")]
    if group_mean:
        means = scores.groupby(["year", "group"])["score"].mean()
        group_means = [means.get((r.year, r.group), np.nan)
                       for r in rows.itertuples(index=False)]
        mean_bars = left.bar(x + shift, group_means, width=half, zorder=2, color="#BDBDBD",
                             label=f"{MEAN_LABEL} khối")
        left.bar_label(mean_bars, labels=[num(v) for v in group_means], padding=2,
                       fontsize=MIN_FONT, color="#616161")
        handles.append(Patch(facecolor="#BDBDBD", label=f"{MEAN_LABEL} khối"))
    left.set_xticks(x, ticks, fontsize=7.5)
    left.set_xlim(-0.6, len(rows) - 0.4)
    left.set_ylim(0, 109)
    left.yaxis.set_major_locator(FixedLocator(range(0, 101, 20)))
    left.yaxis.set_major_formatter(vn_formatter(0))
    left.grid(axis="x", visible=False)
    left.set_ylabel("Điểm (thang điểm 100)")
    left.set_title("Điểm, xếp loại, thứ hạng", fontsize=9)
    left.legend(handles=handles, loc="upper center", bbox_to_anchor=(0.5, -0.2), fontsize=7.5)

    for code, color in zip(crits, _palette(len(crits))):
        right.plot(years, rows[code].to_numpy(dtype=float), marker="o", ms=4, lw=1.6,
                   color=color, label=f"{code} {shorts.get(code, '')}".strip())
    _year_axis(right, years)
    right.set_ylim(0, 104)
    right.yaxis.set_major_formatter(vn_formatter(0, "%"))
    right.set_ylabel("Tỷ lệ điểm đạt (%)")
    right.set_title("Tỷ lệ điểm đạt theo tiêu chí", fontsize=9)
    right.legend(loc="upper center", bbox_to_anchor=(0.5, -0.2), ncols=2, fontsize=7.5)
    fig.suptitle(display_name(f"Kết quả qua các năm: {rows['name'].iloc[-1]}",
                              layout.chars(62), 2),
                 x=0.02, ha="left")
    return fig


# ----------------------------------------------------------------------------- robustness

ROBUST_COLOR = "#1F4E79"
UNSTABLE_COLOR = "#C62828"


def _rank_ticks(top: int) -> list[int]:
    """Rank 1 and round ranks up to `top` (every rank when there are few)."""
    if top <= 25:
        return list(range(1, top + 1))
    step = next(s for s in (2, 5, 10, 20, 25, 50, 100, 200, 250, 500) if top / s <= 12)
    return [1, *range(step, top + 1, step)]


@responsive(keyed_on=_group_rows("robust"))
def rank_bands(robust: pd.DataFrame, year: int, group: str, rubric: Rubric | None = None, *,
               layout: Layout = PAGE, part: tuple[int, int, int] | None = None,
               parts: int = 1) -> ReportFigure:
    """How robust each unit's rank is (from `robustness.rank_robustness`): for every unit of
    `group` in `year`, in rank order, the 5th–95th percentile band of its rank over the
    weight scenarios (a line), the median rank (a dot) and the official rank (an open
    diamond). Units whose rank is not robust are drawn in red with their band written out;
    the group is named as the `rubric` names it. A `part` of `chart_parts` (of `parts` in
    all) draws those positions only, on the ranks around them, said in the title.

    >>> robust = rank_robustness(res.points, res.scores)  # doctest: +SKIP
    >>> rank_bands(robust, 2017, "so")  # doctest: +SKIP
    """
    data = _select(robust, year, group).sort_values(["rank", "unit_id"], na_position="last")
    data, shown = _part_rows(data, part, parts)
    n = len(data)
    lines = 1 if layout is PAGE else 2  # a phone's narrow names take two lines
    fig = _figure(1.45 + 0.26 * n * lines ** 0.5, layout)
    ax = fig.subplots()
    y = np.arange(n)
    low = data["p05"].astype("Float64").to_numpy(dtype=float, na_value=np.nan)
    high = data["p95"].astype("Float64").to_numpy(dtype=float, na_value=np.nan)
    median = data["median_rank"].to_numpy(dtype=float)
    nominal = data["rank"].astype("Float64").to_numpy(dtype=float, na_value=np.nan)
    stable = data["robust"].to_numpy(dtype=bool)
    colors = np.where(stable, ROBUST_COLOR, UNSTABLE_COLOR).tolist()
    for i in np.flatnonzero(~stable & ~np.isnan(low)):
        ax.axhspan(i - 0.5, i + 0.5, color=UNSTABLE_COLOR, alpha=0.07, lw=0, zorder=0)
    # A rank is a whole cell: the band covers its ranks' cells, so a band of 0 still shows.
    ax.hlines(y, low - 0.22, high + 0.22, colors=colors, lw=6, alpha=0.45, capstyle="round",
              zorder=2)
    ax.scatter(nominal, y, marker="D", s=46, facecolors="white", edgecolors=colors,
               linewidths=1.3, zorder=3)
    ax.scatter(median, y, marker="o", s=16, color=colors, zorder=4)
    top = int(np.nanmax([n, *high, *nominal])) if n else 1
    # A part shows the ranks around its units, not the whole group's from 1.
    bottom = 1 if part is None else max(1, int(np.nanmin([part[1], *low, *nominal])))
    for i in np.flatnonzero(~stable & ~np.isnan(low)):
        ax.text(high[i] + 0.55, float(i), f"hạng {int(low[i])}–{int(high[i])}",
                va="center", ha="left", fontsize=7.5, color=UNSTABLE_COLOR)
    ranks = ["–" if pd.isna(r) else str(int(r)) for r in data["rank"]]
    ax.set_yticks(y, [f"{r}. {display_name(nm, layout.chars(42), lines)}"
                      for r, nm in zip(ranks, data["name"])], fontsize=8)
    for label, ok in zip(ax.get_yticklabels(), stable):
        if not ok:
            label.set_color(UNSTABLE_COLOR)
    ax.set_ylim(n - 0.5, -0.5)
    room = 0.6 + (top - bottom + 2) * 0.14 if (~stable & ~np.isnan(low)).any() else 0
    ax.set_xlim(bottom - 0.6, top + 0.6 + room)                      # room: "hạng A–B"
    ax.xaxis.set_major_locator(FixedLocator([t for t in _rank_ticks(top) if t >= bottom]))
    ax.xaxis.set_major_formatter(vn_formatter(0))
    ax.grid(axis="y", visible=False)
    ax.grid(axis="x", visible=True)
    ax.set_xlabel("Thứ hạng")
    fig.suptitle(textwrap.fill(f"Độ ổn định của thứ hạng năm {year} — "
                               f"{_group_name(group, rubric)}{shown}", layout.chars(76)),
                 x=0.02, ha="left", fontsize=10.5)
    setup = robust.attrs.get("scenarios", {})
    if setup:
        ways = []
        if setup.get("draws"):
            ways.append(f"{vn_number(setup['draws'], 0)} lần đổi ngẫu nhiên trọng số "
                        f"±{vn_number(setup['spread'] * 100, 1)}%")
        if setup.get("drop_one"):
            ways.append("bỏ lần lượt từng tiêu chí")
        caption = f"Qua {vn_number(setup['count'], 0)} kịch bản: {' và '.join(ways)}"
    else:
        caption = "Qua các kịch bản thay đổi trọng số"
    handles = [
        Line2D([], [], color=ROBUST_COLOR, lw=6, alpha=0.45, solid_capstyle="round",
               label="Khoảng 5%–95%: thứ hạng ổn định"),
        Line2D([], [], color=UNSTABLE_COLOR, lw=6, alpha=0.45, solid_capstyle="round",
               label="Khoảng 5%–95%: chưa ổn định"),
        Line2D([], [], marker="o", ls="", color="#424242", ms=4.5,
               label="Thứ hạng trung vị"),
        Line2D([], [], marker="D", ls="", markerfacecolor="white", markeredgecolor="#424242",
               ms=6, mew=1.3, label="Thứ hạng chính thức"),
    ]
    fig.legend(handles=handles, loc="outside lower center",
               ncols=2 if layout is PAGE else 1, title=_wrap(caption, layout, 90),
               title_fontsize=8, fontsize=8, handlelength=1.8, columnspacing=1.5)
    return fig
