"""Half-up rounding, the one way every layer rounds (scores, tables, sentences, charts).

Python's round() rounds halves to even and floats carry binary noise (61.705 is stored as
61.70499…); the rubric rounds 2,345 → 2,35. Floats are read as the decimal they print as
(``repr``), which is the number the user typed or the table shows; fractions are exact.
"""

from __future__ import annotations

import math
from decimal import ROUND_HALF_UP, Decimal
from fractions import Fraction


def half_up(value: Fraction | Decimal | float | int, places: int = 2) -> Decimal:
    """Round half away from zero to `places` decimals: 2.345 → Decimal("2.35")."""
    quantum = Decimal(1).scaleb(-places)
    if isinstance(value, Fraction):
        if value < 0:
            return -half_up(-value, places)
        scaled = value * 10**places
        whole = scaled.numerator // scaled.denominator
        if scaled - whole >= Fraction(1, 2):
            whole += 1
        return (Decimal(whole) * quantum).quantize(quantum)
    exact = value if isinstance(value, Decimal) else Decimal(repr(float(value)))
    return exact.quantize(quantum, ROUND_HALF_UP)


def half_up_float(value: float, places: int = 2) -> float:
    """`half_up` as a float for tables and charts; NaN stays NaN."""
    if value is None or (isinstance(value, float) and math.isnan(value)):
        return float("nan")
    return float(half_up(value, places))
