"""Vietnamese labels and colours every output shares (Excel, charts, reports)."""

from __future__ import annotations

from collections.abc import Sequence

from cntt_analysis.rounding import half_up

# Tier colours best first (charts; light fills for table cells), given to a rubric's tiers
# in their order by `tier_colors(rubric.tier_names)`: the policy (names, thresholds) lives in
# the rubric, the presentation here.
TIER_PALETTE = ("#2E7D32", "#1565C0", "#F9A825", "#C62828")
TIER_FILL_PALETTE = ("C8E6C9", "BBDEFB", "FFF59D", "FFCDD2")


def tier_colors(names: Sequence[str], palette: Sequence[str] = TIER_PALETTE) -> dict[str, str]:
    """Tier name → colour, `names` best first: the best tier gets the first colour, the worst
    the last; with more tiers than colours the middle ones share the last-but-one.

    >>> tier_colors(["Đạt", "Chưa đạt"])
    {'Đạt': '#2E7D32', 'Chưa đạt': '#C62828'}
    """
    last = len(names) - 1
    return {name: palette[-1] if i == last and i else palette[min(i, len(palette) - 2)]
            for i, name in enumerate(names)}


# The shipped rubrics' tiers (2015–2017; tests/test_rubric.py checks they agree), for
# outputs that are drawn without a rubric at hand; with one, use the rubric's. Groups are
# always the rubric's (names, short names, colours).
TIER_COLORS = tier_colors(("Tốt", "Khá", "Trung bình", "Yếu"))
TIER_FILLS = tier_colors(("Tốt", "Khá", "Trung bình", "Yếu"), TIER_FILL_PALETTE)
POINT_STATUS = {"scored": "Đã chấm", "na": "Không áp dụng", "invalid": "Số liệu không hợp lệ"}
SYNTHETIC_NOTE = ("Dữ liệu mô phỏng: số liệu trong tài liệu này là dữ liệu mô phỏng dùng để "
                  "minh họa, không phải số liệu thật của đơn vị nào.")


def vn_number(value: float, places: int = 2, trim: bool = True) -> str:
    """85.5 → "85,5"; 1234.5 → "1.234,5" (Vietnamese marks; trailing zeros dropped unless
    `trim` is False, as in table columns where decimals should line up)."""
    text = f"{half_up(value, places):,.{places}f}"
    if places and trim:
        text = text.rstrip("0").rstrip(".")
    return text.replace(",", "\0").replace(".", ",").replace("\0", ".")


def join_vi(items: Sequence[str]) -> str:
    """["A", "B", "C"] → "A, B và C"."""
    items = list(items)
    if len(items) <= 1:
        return "".join(items)
    return f"{', '.join(items[:-1])} và {items[-1]}"


def lower_first(text: str) -> str:
    """"Khối Sở" → "khối Sở" (proper nouns inside keep their capitals)."""
    return text[:1].lower() + text[1:]


def vn_percent(value: float, places: int = 2) -> str:
    """55.4 → "55,4%"."""
    return f"{vn_number(value, places)}%"


# One form per kind of number everywhere a reader sees it (tables, charts, key figures,
# sentences): scores and points with 2 decimals, percentages with 1.
SCORE_PLACES, PERCENT_PLACES = 2, 1


def vn_score(value: float) -> str:
    """75.9 → "75,90": a score or points, always with the same decimals."""
    return vn_number(value, SCORE_PLACES, trim=False)


def vn_share(value: float) -> str:
    """55.66 → "55,7%": a percentage, always with one decimal."""
    return f"{vn_number(value, PERCENT_PLACES, trim=False)}%"
