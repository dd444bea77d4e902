"""Vietnamese labels and colours every output shares (Excel, charts, reports)."""

from __future__ import annotations

from decimal import ROUND_HALF_UP, Decimal

TIER_COLORS = {"Tốt": "#2E7D32", "Khá": "#1565C0", "Trung bình": "#F9A825", "Yếu": "#C62828"}
TIER_FILLS = {"Tốt": "C8E6C9", "Khá": "BBDEFB", "Trung bình": "FFF59D", "Yếu": "FFCDD2"}
GROUP_LABELS = {"so": "Khối phòng, đơn vị trực thuộc Sở", "huyen": "Khối Phòng TN&MT cấp huyện"}
GROUP_SHORT = {"so": "Khối Sở", "huyen": "Khối huyện"}
POINT_STATUS = {"scored": "Đã chấm", "na": "Không áp dụng", "invalid": "Số liệu không hợp lệ"}
SYNTHETIC_NOTE = ("Dữ liệu mô phỏng: số liệu trong tài liệu này là dữ liệu mô phỏng dùng để "
                  "minh họa, không phải số liệu thật của đơn vị nào.")


def half_up(value: float, places: int = 2) -> Decimal:
    """Round half-up on the decimal the float stands for (61.705 → 61.71), as scoring
    rounds points, so that every displayed number agrees with the tables."""
    return Decimal(repr(float(value))).quantize(Decimal(1).scaleb(-places), ROUND_HALF_UP)


def vn_number(value: float, places: int = 2, trim: bool = True) -> str:
    """85.5 → "85,5"; 1234.5 → "1.234,5" (Vietnamese marks; trailing zeros dropped unless
    `trim` is False, as in table columns where decimals should line up)."""
    text = f"{half_up(value, places):,.{places}f}"
    if places and trim:
        text = text.rstrip("0").rstrip(".")
    return text.replace(",", "\0").replace(".", ",").replace("\0", ".")
