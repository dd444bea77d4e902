"""Tests for cntt_analysis.report.html.plots: every chart returns a Figure with Vietnamese
titles, tier colours, Vietnamese number marks, nothing outside the page and no missing glyphs.

Every warning is an error here, so matplotlib's "Glyph … missing from font(s)" warning
(raised when a figure is drawn) fails the test.
"""

from __future__ import annotations

import unicodedata
from pathlib import Path

import matplotlib

matplotlib.use("Agg")

import matplotlib.image as mpimg  # noqa: E402
import matplotlib.pyplot as plt  # noqa: E402
import numpy as np  # noqa: E402
import pandas as pd  # noqa: E402
import pytest  # noqa: E402
from hypothesis import given  # noqa: E402
from hypothesis import strategies as st  # noqa: E402
from matplotlib.backends.backend_agg import FigureCanvasAgg  # noqa: E402
from matplotlib.colors import to_rgba  # noqa: E402
from matplotlib.figure import Figure  # noqa: E402

from cntt_analysis.analysis import rank_movement  # noqa: E402
from cntt_analysis.labels import TIER_COLORS  # noqa: E402
from cntt_analysis.report.facts import Organisation  # noqa: E402
from cntt_analysis.report.html import plots as P  # noqa: E402
from cntt_analysis.rubric.model import load_rubric  # noqa: E402
from cntt_analysis.storage import remove_unused_files  # noqa: E402

pytestmark = pytest.mark.filterwarnings("error")
GROUP_LABELS = load_rubric("2017").groups  # charts drawn without a rubric use the default

RUBRIC = load_rubric("2017")
LONG_NAME = ("Văn phòng Đăng ký đất đai tỉnh và các chi nhánh Văn phòng Đăng ký đất đai "
             "cấp huyện trực thuộc Sở Tài nguyên và Môi trường")
NAMES = {
    "S1": "Văn phòng Sở", "S2": "Chi cục Quản lý đất đai", "S3": "Chi cục Bảo vệ môi trường",
    "S4": "Trung tâm Công nghệ thông tin tài nguyên và môi trường", "S5": LONG_NAME,
    "H1": "Phòng Tài nguyên và Môi trường huyện Châu Thành",
    "H2": "Phòng Tài nguyên và Môi trường thị xã Gò Công",
    "H3": "Phòng Tài nguyên và Môi trường huyện Tân Phú Đông",
    "H4": "Phòng Tài nguyên và Môi trường thành phố Mỹ Tho",
}
NAN = np.nan
# year, unit, group, score, tier, rank, C1..C5 — ties (75,5 ×2), a NaN criterion, a new unit
ROWS = [
    (2016, "S1", "so", 80.0, "Khá", 1, 80, 90, 70, 75, 85),
    (2016, "S2", "so", 72.5, "Khá", 2, 60, 80, 70, 75, 77.5),
    (2016, "S3", "so", 60.0, "Trung bình", 3, 40, 70, 60, 55, 80),
    (2016, "S5", "so", 48.0, "Yếu", 4, 35, 55, 40, 45, 60),
    (2016, "H1", "huyen", 70.0, "Khá", 1, 70, 70, 70, 70, 70),
    (2016, "H2", "huyen", 55.0, "Trung bình", 2, 50, 60, 55, 50, 60),
    (2016, "H3", "huyen", 52.3, "Trung bình", 3, 45, 60, 50, 50, 58),
    (2017, "S3", "so", 88.0, "Tốt", 1, 90, 85, 80, 90, 95),
    (2017, "S1", "so", 75.5, "Khá", 2, 75, 80, 45, 80, 90),
    (2017, "S2", "so", 75.5, "Khá", 2, 70, 80, 75, 70, 80),
    (2017, "S5", "so", 52.75, "Trung bình", 4, 50, 60, 50, 45, 62),
    (2017, "S4", "so", 45.25, "Yếu", 5, 30, 50, 40, NAN, 60),
    (2017, "H2", "huyen", 91.5, "Tốt", 1, 95, 90, 85, 92, 96),
    (2017, "H4", "huyen", 68.0, "Trung bình", 2, 70, 75, 60, 65, 70),
    (2017, "H1", "huyen", 66.1, "Trung bình", 3, 55, 65, 60, 65, NAN),
    (2017, "H3", "huyen", 40.0, "Yếu", 4, 35, 45, 40, 38, 50),
]
CRITERIA = ["C1", "C2", "C3", "C4", "C5"]


@pytest.fixture(scope="module")
def scores() -> pd.DataFrame:
    frame = pd.DataFrame(ROWS, columns=["year", "unit_id", "group", "score", "tier", "rank",
                                        *CRITERIA])
    frame.insert(2, "name", frame["unit_id"].map(NAMES))
    frame["rank"] = frame["rank"].astype("Int64")
    frame[CRITERIA] = frame[CRITERIA].astype(float)
    frame["earned"], frame["applicable_max"] = frame["score"], 100.0
    return frame


@pytest.fixture(autouse=True)
def style():
    P.use_style()


def render(fig: Figure, path) -> np.ndarray:
    """Save (drawing the figure, which raises any glyph warning) and read the PNG back."""
    fig.savefig(path, dpi=80)
    return mpimg.imread(path)


def assert_inside_page(fig: Figure) -> None:
    """Nothing drawn outside the figure (clipped), and the figure fits an A4 text area."""
    width, height = fig.get_size_inches()
    assert width <= 6.75 and height <= 9.65
    canvas = drawn(fig)
    box = fig.get_tightbbox(canvas.get_renderer())
    tol = 0.03
    assert box.x0 >= -tol and box.y0 >= -tol, box
    assert box.x1 <= width + tol and box.y1 <= height + tol, (box, width, height)


def drawn(fig: Figure) -> FigureCanvasAgg:
    """Draw on an Agg canvas (a bare Figure has none), so tick labels exist."""
    canvas = FigureCanvasAgg(fig)
    canvas.draw()
    return canvas


def title(ax) -> str:
    """The axes title, wherever it is placed (the style puts it on the left)."""
    return "\n".join(t for t in (ax.get_title(loc) for loc in ("left", "center", "right")) if t)


def texts(fig: Figure) -> list[str]:
    drawn(fig)
    return [t.get_text() for t in fig.findobj(matplotlib.text.Text) if t.get_text()]


def titles(fig: Figure) -> str:
    parts = [title(ax) for ax in fig.axes]
    if fig._suptitle is not None:
        parts.append(fig._suptitle.get_text())
    return "\n".join(p for p in parts if p)


# ----------------------------------------------------------------------------- all charts


def all_charts(scores: pd.DataFrame) -> dict[str, Figure]:
    movement = rank_movement(scores)
    return {
        "ranking_bar": P.ranking_bar(scores, "so", 2017),
        "tier_distribution": P.tier_distribution(scores, 2017),
        "criteria_heatmap": P.criteria_heatmap(scores, RUBRIC, 2017),
        "criterion_spread": P.criterion_spread(scores, RUBRIC, 2017),
        "score_trends": P.score_trends(scores, "huyen"),
        "criterion_trends": P.criterion_trends(scores, RUBRIC),
        "rank_movement_chart": P.rank_movement_chart(movement, 2017, "so"),
        "unit_radar": P.unit_radar(scores, RUBRIC, "S4", 2017),
        "unit_history": P.unit_history(scores, "S5", RUBRIC),
    }


def test_every_chart_is_a_figure_inside_the_page_and_renders(scores, tmp_path):
    open_before = plt.get_fignums()
    charts = all_charts(scores)
    assert plt.get_fignums() == open_before  # no pyplot figures: nothing shown or leaked
    for name, fig in charts.items():
        assert isinstance(fig, Figure), name
        assert titles(fig), name
        assert_inside_page(fig)
        image = render(fig, tmp_path / f"{name}.png")
        assert (tmp_path / f"{name}.png").stat().st_size > 15_000, name
        assert image.shape[0] > 150 and image.shape[1] > 400, name
        sample = (image[::3, ::3, :3] * 255).astype(np.uint8).reshape(-1, 3)
        colours = np.unique(sample.view([("", np.uint8)] * 3))
        assert len(colours) > 40 and image[..., :3].std() > 0.05, name


def test_missing_glyph_would_fail(tmp_path):
    """Control: a glyph DejaVu Sans lacks does raise under this module's warning filter."""
    fig = Figure()
    fig.text(0.5, 0.5, "\u6f22")  # a CJK ideograph
    with pytest.warns(UserWarning, match="missing from font"):
        fig.savefig(tmp_path / "x.png")


def test_vietnamese_text_renders_without_warnings(tmp_path):
    fig = Figure()
    fig.text(0.1, 0.5, "Tỷ lệ điểm đạt — Tốt, Khá, Trung bình, Yếu; ≥ 85 · “Đơn vị” … ▲▼ −2")
    fig.savefig(tmp_path / "vi.png")  # warnings are errors in this module


def test_use_style_sets_a_vietnamese_font():
    assert matplotlib.rcParams["font.family"] == ["DejaVu Sans"]
    assert matplotlib.rcParams["font.sans-serif"][0] == "DejaVu Sans"


# ----------------------------------------------------------------------------- one year


def test_ranking_bar(scores):
    fig = P.ranking_bar(scores, "so", 2017)
    ax = fig.axes[0]
    assert "Xếp hạng" in title(ax) and "năm 2017" in title(ax)
    assert GROUP_LABELS["so"] in title(ax)
    assert ax.get_xlabel() == "Điểm (thang điểm 100)"
    bars = ax.patches
    expected_tiers = ["Tốt", "Khá", "Khá", "Trung bình", "Yếu"]  # rank order
    assert len(bars) == 5
    for bar, tier in zip(bars, expected_tiers):
        assert bar.get_facecolor() == pytest.approx(to_rgba(TIER_COLORS[tier]))
    assert [b.get_width() for b in bars] == [88.0, 75.5, 75.5, 52.75, 45.25]
    labels = [t.get_text() for t in ax.get_yticklabels()]
    assert labels[0] == "1. Chi cục Bảo vệ môi trường"
    assert labels[1].startswith("2. ") and labels[2].startswith("2. ")  # tie shares rank 2
    assert all(len(line) <= 40 for lab in labels for line in lab.split("\n"))
    assert labels[3].count("\n") == 1 and labels[3].endswith("…")  # long name shortened
    shown = texts(fig)
    for value in ("88,00", "75,50", "52,75", "45,25"):          # as the ranking table shows
        assert value in shown
    legend = " ".join(t.get_text() for t in fig.legends[0].get_texts())
    for tier in TIER_COLORS:
        assert tier in legend
    ticks = [t.get_text() for t in ax.get_xticklabels()]
    assert "100" in ticks and "50" in ticks


def test_ranking_bar_without_data_says_so_in_vietnamese(scores):
    with pytest.raises(ValueError, match="Không có kết quả"):
        P.ranking_bar(scores, "so", 2030)


def test_tier_distribution_counts_and_colours(scores):
    fig = P.tier_distribution(scores, 2017)
    ax = fig.axes[0]
    assert title(ax) == "Phân bố xếp loại năm 2017"
    assert ax.get_xlabel() == "Số đơn vị"
    # 3 rows (Toàn Sở, so, huyen) × 4 tiers
    patches = ax.patches
    assert len(patches) == 12
    colours = {tuple(np.round(p.get_facecolor(), 3)) for p in patches}
    assert colours == {tuple(np.round(to_rgba(c), 3)) for c in TIER_COLORS.values()}
    yellow = [p for p in patches if p.get_facecolor() == pytest.approx(
        to_rgba(TIER_COLORS["Trung bình"]))]
    assert [p.get_width() for p in yellow] == [3, 1, 2]  # whole Department, so, huyen
    shown = texts(fig)
    assert "9 đơn vị" in shown and "5 đơn vị" in shown and "4 đơn vị" in shown
    assert [t.get_text() for t in ax.get_yticklabels()][0] == "Tất cả đơn vị"
    # the organisation's own word for all its units
    fig = P.tier_distribution(scores, 2017, organisation=Organisation(whole="toàn tỉnh"))
    assert [t.get_text() for t in fig.axes[0].get_yticklabels()][0] == "Toàn tỉnh"


def test_ranking_title_names_the_assessment_of_the_organisation(scores):
    plain = title(P.ranking_bar(scores, "so", 2017).axes[0])
    assert plain.startswith("Xếp hạng năm 2017\n")
    named = P.ranking_bar(scores, "so", 2017,
                          organisation=Organisation(assessment_short="chuyển đổi số"))
    assert title(named.axes[0]).startswith("Xếp hạng mức độ chuyển đổi số năm 2017\n")


def test_group_colours_are_the_rubrics_else_in_its_order():
    assert P.group_color("so", RUBRIC) == P.GROUP_PALETTE[0]
    assert P.group_color("huyen", RUBRIC) == P.GROUP_PALETTE[1]
    own = load_rubric(Path(__file__).parent / "rubrics" / "constructs.yaml")
    assert P.group_color("so", own) == "#1565C0"            # the rubric's colour
    assert P.group_color("xa", own) == P.GROUP_PALETTE[1]   # none given: its place


def test_criteria_heatmap(scores):
    fig = P.criteria_heatmap(scores, RUBRIC, 2017)
    assert "Tỷ lệ điểm đạt theo tiêu chí năm 2017" in titles(fig)
    top = fig.axes[0]
    columns = [t.get_text() for t in top.get_xticklabels()]
    for crit in RUBRIC.criteria:
        assert any(col.startswith(crit.code) and col.split("\n", 1)[1].replace("\n", " ")
                   == crit.short for col in columns)
    cells = [t.get_text() for t in top.texts]
    assert len(cells) == 5 * 5
    assert "–" in cells  # S4's C4 is not applicable
    assert "85,0" in cells and "45,0" in cells                  # percentages: 1 decimal
    bar = fig.axes[-1]
    assert bar.xaxis.get_major_formatter()(50, 0) == "50%"
    assert "không áp dụng" in bar.get_xlabel()
    one = P.criteria_heatmap(scores, RUBRIC, 2017, group="huyen")
    assert len(one.axes) == 2  # one panel and its colour bar
    image = one.axes[0].images[0]
    assert image.get_cmap().name.startswith("RdYlGn")


def test_criterion_spread(scores):
    fig = P.criterion_spread(scores, RUBRIC, 2017)
    ax = fig.axes[0]
    assert "theo tiêu chí năm 2017" in title(ax)
    assert ax.get_ylabel().startswith("Tỷ lệ điểm đạt")
    assert ax.yaxis.get_major_formatter()(60, 0) == "60%"
    legend = [t.get_text() for t in fig.legends[0].get_texts()]
    assert legend == ["Khối Sở", "Khối huyện", "Bình quân khối"]


# ----------------------------------------------------------------------------- trends


def test_score_trends(scores):
    fig = P.score_trends(scores, "huyen")
    ax = fig.axes[0]
    assert "qua các năm" in title(ax) and GROUP_LABELS["huyen"] in title(ax)
    assert [t.get_text() for t in ax.get_xticklabels()] == ["2016", "2017"]  # not "2.016"
    legend = [t.get_text() for t in fig.legends[0].get_texts()]
    assert len(legend) == 4 + 1
    assert legend[0] == "Phòng TN&MT thị xã Gò Công"  # rank 1 in the latest year first
    assert legend[-1] == "Bình quân khối huyện"
    mean_line = ax.get_lines()[4]
    assert list(mean_line.get_ydata()) == pytest.approx([(70 + 55 + 52.3) / 3,
                                                         (91.5 + 68 + 66.1 + 40) / 4])


def test_criterion_trends(scores):
    fig = P.criterion_trends(scores, RUBRIC)
    assert "qua các năm" in titles(fig)
    panels = [ax for ax in fig.axes if ax.get_lines()]
    assert len(panels) == 2
    assert title(panels[0]) == GROUP_LABELS["so"]
    c4 = panels[0].get_lines()[3]
    assert list(c4.get_ydata()) == pytest.approx([(75 + 75 + 55 + 45) / 4,
                                                  (90 + 80 + 70 + 45) / 4])
    assert panels[0].yaxis.get_major_formatter()(80, 0) == "80%"
    legend = [t.get_text() for t in fig.legends[0].get_texts()]
    assert legend == [f"{c.code} {c.short}" for c in RUBRIC.criteria]
    single = P.criterion_trends(scores, RUBRIC, group="so")
    assert len([ax for ax in single.axes if ax.get_lines()]) == 1


def test_rank_movement_chart(scores):
    movement = rank_movement(scores)
    fig = P.rank_movement_chart(movement, 2017, "so")
    ax = fig.axes[0]
    assert "Thay đổi thứ hạng năm 2017 so với năm 2016" in title(ax)
    widths = [b.get_width() for b in ax.patches]
    # S3 3→1, S1 1→2, S2 2→2, S5 4→4, S4 new
    assert widths == [2, -1, 0, 0, 0]
    assert ax.patches[0].get_facecolor() == pytest.approx(to_rgba(P.MOVE_COLORS["up"]))
    assert ax.patches[1].get_facecolor() == pytest.approx(to_rgba(P.MOVE_COLORS["down"]))
    assert [t.get_text() for t in ax.texts] == ["▲ 2", "▼ 1", "giữ nguyên", "giữ nguyên",
                                                "mới"]
    assert ax.xaxis.get_major_formatter()(-2, 0) == "\u22122"


# ----------------------------------------------------------------------------- one unit


def test_unit_radar(scores):
    fig = P.unit_radar(scores, RUBRIC, "S4", 2017)
    ax = fig.axes[0]
    assert ax.name == "polar"
    heading = title(ax)
    # "Công nghệ thông tin" is shortened; a lowercase "tài nguyên và môi trường" is not
    # taken for a sector's name (any four words joined by "và" would be)
    assert "Trung tâm CNTT tài nguyên và môi trường" in heading
    assert "45,25 điểm" in heading and "xếp loại Yếu" in heading and "hạng 5/5 khối Sở" in heading
    labels = [t.get_text() for t in ax.get_xticklabels()]
    # (90+75+70+50+30)/5 = 63; one decimal for every percentage (no "63%" beside "55,7%")
    assert labels[0] == "C1. Văn bản chỉ đạo\n30,0% (khối 63,0%)"
    assert "không áp dụng" in labels[3]
    unit_line = ax.get_lines()[1]
    assert unit_line.get_color() == TIER_COLORS["Yếu"]
    assert len(unit_line.get_ydata()) == 4 + 1  # C4 left out, outline closed
    legend = [t.get_text() for t in fig.legends[0].get_texts()]
    assert legend == ["Bình quân khối Sở", "Đơn vị"]
    with pytest.raises(ValueError, match="không có kết quả năm 2016"):
        P.unit_radar(scores, RUBRIC, "S4", 2016)


def test_unit_history(scores):
    fig = P.unit_history(scores, "S5", RUBRIC)
    left, right = fig.axes[:2]
    assert "Kết quả qua các năm: Văn phòng Đăng ký" in titles(fig)
    bars = left.patches[:2]
    assert [b.get_height() for b in bars] == [48.0, 52.75]
    assert bars[0].get_facecolor() == pytest.approx(to_rgba(TIER_COLORS["Yếu"]))
    assert bars[1].get_facecolor() == pytest.approx(to_rgba(TIER_COLORS["Trung bình"]))
    ticks = [t.get_text() for t in left.get_xticklabels()]
    assert ticks == ["2016\nYếu\nhạng 4/4", "2017\nTrung bình\nhạng 4/5"]
    shown = texts(fig)
    assert "52,75" in shown and "67,40" in shown  # 2017 so mean (88+75.5+75.5+52.75+45.25)/5
    assert [t.get_text() for t in right.get_xticklabels()] == ["2016", "2017"]
    with pytest.raises(ValueError, match="Không có kết quả của đơn vị"):
        P.unit_history(scores, "X9")


# ----------------------------------------------------------------------------- helpers


def test_number_and_name_helpers():
    assert P.num(85.5) == "85,50" and P.num(1234.5) == "1.234,50"  # fixed, as in tables
    assert P.num(-2, 0) == "\u22122" and P.num(-0.001) == "0,00"
    assert P.num(None) == "–" and P.num(np.nan) == "–"
    assert P.num(65.125) == "65,13" and P.num(0.125, 2) == "0,13"  # half-up, like the tables
    assert P.vn_formatter(1, "%")(12.5, 0) == "12,5%"
    assert P.display_name("Phòng Tài nguyên và Môi trường huyện Cái Bè") == \
        "Phòng TN&MT huyện Cái Bè"
    # a sector's name abbreviated as Vietnamese does, whatever the organisation
    assert P.display_name("Sở Khoa học và Công nghệ") == "Sở KH&CN"
    assert P.display_name("Ủy ban nhân dân xã Tân Phú") == "UBND xã Tân Phú"
    # typed with combining marks: drawn composed (matplotlib < 3.11 stacks loose marks)
    decomposed = unicodedata.normalize("NFD", "Phòng Tài nguyên và Môi trường huyện Cái Bè")
    assert P.display_name(decomposed) == "Phòng TN&MT huyện Cái Bè"
    culture = "Sở Văn hóa, Thể thao và Du lịch"
    assert P.display_name(unicodedata.normalize("NFD", culture), 80) == culture
    assert P.display_name("Sở Văn hóa, Thể thao và Du lịch", 80) == \
        "Sở Văn hóa, Thể thao và Du lịch"  # not inside a list
    short = P.display_name(LONG_NAME, 30, 2)
    lines = short.split("\n")
    assert len(lines) == 2 and all(len(line) <= 30 for line in lines)
    assert short.endswith("…")
    assert P.spread_positions([72.1, 70.9, 85.0], 2.5) == pytest.approx([72.75, 70.25, 85.0])



@given(st.lists(st.floats(0, 100), max_size=8), st.floats(0.5, 10))
def test_spread_positions_keeps_order_and_gap(values, gap):
    placed = P.spread_positions(values, gap)
    assert len(placed) == len(values)
    order = sorted(range(len(values)), key=lambda i: (values[i], i))
    ys = [placed[i] for i in order]
    assert all(b - a >= gap - 1e-6 for a, b in zip(ys, ys[1:]))
    # a label moves at most as far as its block is wide
    assert all(abs(p - v) <= gap * len(values) + 1e-6 for p, v in zip(placed, values))


# ----------------------------------------------------------------------------- phones

PHONE_CONTENT_PX = 360  # what a 390 px phone gives a page's text (pages.CSS: 4 mm margins)


def test_every_chart_has_a_phone_variant_whose_text_is_9_px_on_a_phone(scores):
    """A chart drawn for A4 and shrunk to a phone has ~5 px text; its phone variant is drawn
    at the phone's own scale: every text ≥ MIN_FONT points and the saved image (tight box,
    as `blocks.figure` saves it) narrow enough that MIN_FONT is ≥ 9 CSS px at 360 px."""
    for name, fig in all_charts(scores).items():
        page_fonts = [t.get_fontsize() for t in fig.findobj(matplotlib.text.Text)
                      if t.get_visible() and t.get_text().strip()]
        page_inches = fig.get_size_inches()[0]
        assert min(page_fonts) / 72 * PHONE_CONTENT_PX / page_inches < 9, name  # A4 shrunk
        phone = fig.phone_variant()
        assert phone.phone_variant is None, name
        width = phone.get_size_inches()[0]
        assert width <= P.PHONE.width, name
        canvas = drawn(phone)
        sizes = [t.get_fontsize() for t in phone.findobj(matplotlib.text.Text)
                 if t.get_visible() and t.get_text().strip()]
        assert min(sizes) >= P.MIN_FONT, (name, min(sizes))
        # drawn inside its figure (saved as it is, shown 360 px wide): 7 pt → ≥ 9 px
        box = phone.get_tightbbox(canvas.get_renderer())
        assert box.x0 >= -0.01 and box.x1 <= width + 0.01, (name, box)
        assert box.y0 >= -0.01 and box.y1 <= phone.get_size_inches()[1] + 0.01, (name, box)
        assert P.MIN_FONT / 72 * PHONE_CONTENT_PX / width >= 9, name
        # the same chart: every word of the page chart's titles is in the phone's (unit
        # names aside: a phone shortens long ones sooner)
        words = set(titles(fig).split()) - set(" ".join(NAMES.values()).split()) - {"TN&MT"}
        if name == "criteria_heatmap":  # the groups by their short names on a phone
            words -= set(" ".join(GROUP_LABELS.values()).split())
        assert words <= set(titles(phone).split()), (name, words - set(titles(phone).split()))
        plt.close(phone)


def test_the_phone_heatmap_names_its_criteria_and_keeps_units_apart(scores):
    phone = P.criteria_heatmap(scores, RUBRIC, 2017, layout=P.PHONE)
    shown = "\n".join(texts(phone))
    for criterion in RUBRIC.criteria:
        assert f"{criterion.code}: {criterion.short}" in shown
    # two district offices differ only at the end of their names: both ends are shown
    assert "Châu Thành" in shown.replace("\n", " ") and "Tân Phú Đông" in shown.replace("\n", " ")


def test_print_and_pdf_leave_out_the_phone_charts(scores, tmp_path):
    """A page holds each chart twice (A4, and a phone's in a <source>); print never shows
    the phone's: the PDF is rendered without them (WeasyPrint would parse and keep them)
    and still has the A4 chart."""
    import nbformat

    from cntt_analysis.report.html import blocks
    from cntt_analysis.report.html.pages import html_to_pdf, notebook_page

    shown = blocks.figure(P.ranking_bar(scores, "so", 2017, RUBRIC), "Xếp hạng khối sở")
    nb = nbformat.v4.new_notebook(cells=[nbformat.v4.new_code_cell(
        "chart", execution_count=1, outputs=[nbformat.v4.new_output(
            "execute_result", data={"text/html": shown.data}, execution_count=1)])])
    page = notebook_page(nb, "Thử")
    assert page.count("<source") == 1 and page.count("<img") == 1
    printed = blocks.without_phone_charts(page)
    assert "<source" not in printed and printed.count("<img") == 1
    assert printed.count("data:image/png") == 1 and len(printed) < len(page) - 10_000
    from weasyprint import HTML

    pdf = html_to_pdf(page, tmp_path / "thu.pdf").read_bytes()
    images = pdf.count(b"/Subtype /Image")  # (the chart, and its alpha mask)
    assert images >= 1 and images == HTML(string=page).write_pdf().count(b"/Subtype /Image")


# ----------------------------------------------------------------------------- kept charts


def test_a_chart_is_keyed_on_what_it_draws(scores):
    """A group's ranking is the same chart whatever happens to the other group; a change
    in its own rows, the year or the layout of the data makes another chart. A unit's
    chart without the group's mean is keyed on the unit's rows and its group's size."""
    key = P.ranking_bar(scores, "so", 2017, RUBRIC).cache_key
    assert key is not None and key == P.ranking_bar(scores.copy(), "so", 2017, RUBRIC).cache_key
    other_group = scores.assign(score=scores["score"].where(scores["group"] == "so", 1.0))
    assert P.ranking_bar(other_group, "so", 2017, RUBRIC).cache_key == key
    own_group = scores.assign(score=scores["score"].where(scores["unit_id"] != "S1", 1.0))
    assert P.ranking_bar(own_group, "so", 2017, RUBRIC).cache_key != key
    assert P.ranking_bar(scores, "so", 2016, RUBRIC).cache_key != key
    assert P.ranking_bar(scores, "huyen", 2017, RUBRIC).cache_key != key
    # The organisation's names are in the title: kept under them, another name another chart
    from cntt_analysis.report.facts import Organisation

    named = P.ranking_bar(scores, "so", 2017, RUBRIC, organisation=Organisation(
        assessment_short="CĐS")).cache_key
    assert named is not None and named != key
    assert named == P.ranking_bar(scores, "so", 2017, RUBRIC, organisation=Organisation(
        assessment_short="CĐS")).cache_key
    assert P.tier_distribution(scores, 2017, RUBRIC, organisation=Organisation(
        whole="toàn tỉnh")).cache_key is not None

    radar = P.unit_radar(scores, RUBRIC, "S4", 2017, group_mean=False).cache_key
    peer = scores.assign(C1=scores["C1"].where(scores["unit_id"] != "S3", 1.0))
    assert P.unit_radar(peer, RUBRIC, "S4", 2017, group_mean=False).cache_key == radar
    assert P.unit_radar(peer, RUBRIC, "S4", 2017).cache_key != \
        P.unit_radar(scores, RUBRIC, "S4", 2017).cache_key  # the mean moved with S3
    fewer = scores[scores["unit_id"] != "S3"]  # "hạng 4/4" instead of "hạng 5/5"
    assert P.unit_radar(fewer, RUBRIC, "S4", 2017, group_mean=False).cache_key != radar
    history = P.unit_history(scores, "S5", RUBRIC, group_mean=False).cache_key
    assert P.unit_history(peer, "S5", RUBRIC, group_mean=False).cache_key == history


def test_a_unit_alone_is_drawn_without_the_group_mean(scores):
    fig = P.unit_radar(scores, RUBRIC, "S4", 2017, group_mean=False)
    ax = fig.axes[0]
    assert len(ax.get_lines()) == 1 and not fig.legends
    labels = [t.get_text() for t in ax.get_xticklabels()]
    assert labels[0] == "C1. Văn bản chỉ đạo\n30,0%" and "khối" not in " ".join(labels)
    assert "hạng 5/5 khối Sở" in title(ax)
    history = P.unit_history(scores, "S5", RUBRIC, group_mean=False)
    left = history.axes[0]
    assert [b.get_height() for b in left.patches[:2]] == [48.0, 52.75] and \
        len(left.patches) == 2
    assert "67,40" not in texts(history)  # no group mean
    assert [t.get_text() for t in left.get_xticklabels()] == ["2016\nYếu\nhạng 4/4",
                                                              "2017\nTrung bình\nhạng 4/5"]


def test_a_kept_chart_is_not_drawn_again(scores, tmp_path, monkeypatch):
    from cntt_analysis.report.html import blocks

    monkeypatch.setattr(blocks, "_FIGURES", {})
    blocks.cache_figures(tmp_path / "figures")
    drawn = []
    real = blocks.png_data
    monkeypatch.setattr(blocks, "png_data",
                        lambda fig, dpi, tight=True: drawn.append(dpi) or real(fig, dpi, tight))
    first = blocks.figure(P.ranking_bar(scores, "so", 2017, RUBRIC), "Xếp hạng").data
    assert len(drawn) == 2  # the page and the phone chart
    again = blocks.figure(P.ranking_bar(scores, "so", 2017, RUBRIC), "Xếp hạng").data
    assert again == first and len(drawn) == 2
    assert len(list((tmp_path / "figures").glob("*.png"))) == 2
    blocks.figure(P.ranking_bar(scores, "huyen", 2017, RUBRIC))
    assert len(drawn) == 4
    remove_unused_files(tmp_path / "figures", "*.png",
                        unused_since=__import__("time").time() + 1)
    assert not list((tmp_path / "figures").glob("*.png"))
    blocks.cache_figures(None)


def test_chart_parts_split_evenly_and_cover_every_position_once():
    assert P.chart_parts(11) == [(1, 1, 11)]
    assert P.chart_parts(22) == [(1, 1, 22)]
    assert P.chart_parts(23) == [(1, 1, 12), (2, 13, 23)]
    parts = P.chart_parts(130)
    assert len(parts) == 6 and all(last - first + 1 <= P.BARS_PER_CHART
                                   for _, first, last in parts)
    covered = [i for _, first, last in parts for i in range(first, last + 1)]
    assert covered == list(range(1, 131))


def test_a_big_groups_ranking_is_drawn_in_readable_parts():
    # 130 communes in one page-high chart left 0.07 in a name: each part now has the
    # room of a small group's chart, and says which places it shows.
    n = 130
    scores = pd.DataFrame({"year": 2025, "group": "xa", "unit_id": [f"xa-{i:03d}" for i in
                                                                    range(1, n + 1)],
                           "name": [f"Xã thử nghiệm số {i:03d}" for i in range(1, n + 1)],
                           "score": [95 - i * 0.5 for i in range(n)], "tier": "Khá",
                           "rank": range(1, n + 1)})
    parts = P.chart_parts(n)
    figs = [P.ranking_bar(scores, "xa", 2025, part=p, parts=len(parts)) for p in parts]
    labels = [t.get_text() for fig in figs for t in fig.axes[0].get_yticklabels()]
    assert labels == [f"{i}. Xã thử nghiệm số {i:03d}" for i in range(1, n + 1)]
    assert "phần 2/6: thứ 23–44" in title(figs[1].axes[0]).replace("\xa0", " ")
    for fig in figs:   # a bar as tall as in a 22-unit chart: about 0.34 in
        height = fig.get_size_inches()[1] / len(fig.axes[0].patches)
        assert height > 0.3, height
        plt.close(fig)
