"""Reading one answer cell as the rubric says (section 4: Vietnamese numbers, yes/no
synonyms, choice labels, dates, "Không áp dụng").

`parse_answer` never raises on bad input: it returns a `Parsed` whose `problem` names the
issue code and what was expected, so intake can report the exact cell.
"""

from __future__ import annotations

import datetime as dt
import re
from dataclasses import dataclass
from decimal import Decimal, InvalidOperation

from cntt_analysis.rubric.model import Input
from cntt_analysis.text import clean, fold, printable

YES = {fold(w) for w in ("Có", "x", "yes", "y", "1", "true", "Đã có")}
NO = {fold(w) for w in ("Không", "no", "n", "0", "false", "Chưa", "Chưa có")}
NOT_APPLICABLE = {fold(w) for w in ("Không áp dụng", "N/A", "NA", "KAD")}
EXCEL_EPOCH = dt.date(1899, 12, 30)
_DIGITS = re.compile(r"^\d+$")
# No count or amount (staff, documents, million VND) of a unit comes near this: above it
# the value is a typing or export error (1e20 staff), not a figure to score.
MAX_PLAUSIBLE = Decimal(10) ** 12
_DATE_DMY = re.compile(r"^(\d{1,2})[/.-](\d{1,2})[/.-](\d{4})$")
_DATE_YMD = re.compile(r"^(\d{4})-(\d{1,2})-(\d{1,2})$")

EXPECTED = {
    "count": "một số nguyên không âm (ví dụ 12 hoặc 1.234)",
    "amount": "một số không âm (ví dụ 1.234,5)",
    "yes_no": "“Có” hoặc “Không”",
    "date": "một ngày dạng dd/mm/yyyy",
    "year": "một năm dạng yyyy (ví dụ 2017)",
    "text": "nội dung chữ",
}


@dataclass(frozen=True)
class Parsed:
    """An answer after normalisation.

    status: ``ok``, ``na`` (Không áp dụng, allowed), ``empty`` (optional, blank) or
    ``invalid``; `problem` is ``(issue_code, expected)`` when invalid.
    """

    status: str
    value: str | None = None
    number: float | None = None
    problem: tuple[str, str] | None = None


def expected_for(inp: Input) -> str:
    if inp.type == "choice":
        labels = [*inp.choices, *(["Không áp dụng"] if inp.allow_na else [])]
        return "một trong các lựa chọn: " + "; ".join(f"“{c}”" for c in labels)
    text = EXPECTED[inp.type]
    if inp.type in ("count", "amount") and inp.minimum > 0:
        text += f", tối thiểu {inp.minimum}"
    return text


def is_blank(raw: object) -> bool:
    """None, or text of nothing but spaces (of any kind `clean` removes)."""
    if raw is None:
        return True
    if not isinstance(raw, str):
        return False
    # Most answers are not blank and say so in their first character (no normalising).
    return not raw or not (raw[0].isalnum() or raw[0] in _NOT_SPACE) and clean(raw) == ""


_NOT_SPACE = frozenset("-+−.,:;/()[]\"'“”‘’%&=*#@!?_~")


def parse_answer(raw: object, inp: Input) -> Parsed:
    """Normalise one raw cell value for input `inp`."""
    if is_blank(raw):
        if inp.required:
            return Parsed("invalid", problem=("required", expected_for(inp)))
        return Parsed("empty")
    if isinstance(raw, str) and fold(raw) in NOT_APPLICABLE and inp.type != "text":
        if inp.allow_na:
            return Parsed("na", value="Không áp dụng")
        return Parsed("invalid", problem=("na_not_allowed", expected_for(inp)))
    return _PARSERS[inp.type](raw, inp)


def _invalid(code: str, inp: Input) -> Parsed:
    return Parsed("invalid", problem=(code, expected_for(inp)))


def _text(raw: object, inp: Input) -> Parsed:
    if isinstance(raw, float) and raw.is_integer():
        raw = int(raw)
    return Parsed("ok", value=printable(clean(str(raw))))


def parse_number(raw: object) -> Decimal | None:
    """A number from a native value or Vietnamese-formatted text, else None.

    "." groups thousands and "," is the decimal mark ("1.234,5"); where both appear the
    last is the decimal mark; a lone "." not followed by exactly three digits is a
    decimal point ("12.5"), since it cannot be a thousands separator.
    """
    if isinstance(raw, bool):
        return None
    if isinstance(raw, (int, float)):
        return Decimal(repr(raw)) if raw == raw and abs(raw) != float("inf") else None
    if not isinstance(raw, str):
        return None
    text = re.sub(r"[\s\u00a0\u2007\u202f]", "", clean(raw))
    sign = ""
    if text and text[0] in "-+−":
        sign, text = ("-" if text[0] != "+" else ""), text[1:]
    digits = _normalise_marks(text)
    if digits is None:
        return None
    try:
        return Decimal(sign + digits)
    except InvalidOperation:
        return None


def _normalise_marks(text: str) -> str | None:
    """Digits with at most one "." as decimal point, or None if not a number."""
    if "." in text and "," in text:
        decimal_mark = "." if text.rfind(".") > text.rfind(",") else ","
        group_mark = "," if decimal_mark == "." else "."
        head, _, frac = text.rpartition(decimal_mark)
        whole = _ungroup(head, group_mark, strict=False)
        return f"{whole}.{frac}" if whole is not None and _DIGITS.match(frac) else None
    for mark, lone_is_decimal in ((",", True), (".", False)):
        if mark in text:
            parts = text.split(mark)
            # "0.125" cannot be thousands-grouped: a group never starts with 0.
            grouped = len(parts[1]) == 3 and parts[0][:1] not in ("", "0")
            if len(parts) == 2 and (lone_is_decimal or not grouped):
                ok = _DIGITS.match(parts[0] or "0") and _DIGITS.match(parts[1])
                return f"{parts[0] or '0'}.{parts[1]}" if ok else None
            return _ungroup(text, mark, strict=True)
    return text if _DIGITS.match(text) else None


def _ungroup(text: str, mark: str, strict: bool) -> str | None:
    parts = text.split(mark)
    if not all(_DIGITS.match(p) for p in parts):
        return None
    if strict and (len(parts[0]) > 3 or any(len(p) != 3 for p in parts[1:])):
        return None
    return "".join(parts)


def _numeric(raw: object, inp: Input) -> Parsed:
    number = parse_number(raw)
    if number is None:
        return _invalid("not_number", inp)
    if number < 0:
        return _invalid("negative", inp)
    if number > MAX_PLAUSIBLE:
        return _invalid("implausible", inp)
    if inp.type == "count" and number != number.to_integral_value():
        return _invalid("fractional", inp)
    if number < Decimal(inp.minimum.numerator) / Decimal(inp.minimum.denominator):
        return _invalid("too_small", inp)
    number = number.normalize()
    text = format(number, "f")
    return Parsed("ok", value=text, number=float(number))


def _yes_no(raw: object, inp: Input) -> Parsed:
    if isinstance(raw, bool):
        answer = raw
    elif isinstance(raw, (int, float)) and raw in (0, 1):
        answer = bool(raw)
    elif isinstance(raw, str) and fold(raw) in YES | NO:
        answer = fold(raw) in YES
    else:
        return _invalid("not_yes_no", inp)
    return Parsed("ok", value="Có" if answer else "Không", number=float(answer))


def _choice(raw: object, inp: Input) -> Parsed:
    label = inp.choice_for(fold(str(raw)))
    if label is None:
        return _invalid("unknown_choice", inp)
    return Parsed("ok", value=label)


def parse_date(raw: object) -> dt.date | None:
    if isinstance(raw, dt.datetime):
        return raw.date()
    if isinstance(raw, dt.date):
        return raw
    if isinstance(raw, (int, float)) and not isinstance(raw, bool):
        if 1 <= raw < 2958466 and float(raw).is_integer():
            return EXCEL_EPOCH + dt.timedelta(days=int(raw))
        return None
    if not isinstance(raw, str):
        return None
    text = clean(raw).split(" ")[0]
    if m := _DATE_DMY.match(text):
        day, month, year = (int(g) for g in m.groups())
    elif m := _DATE_YMD.match(text):
        year, month, day = (int(g) for g in m.groups())
    else:
        return None
    try:
        return dt.date(year, month, day)
    except ValueError:
        return None


def _date(raw: object, inp: Input) -> Parsed:
    date = parse_date(raw)
    if date is None:
        return _invalid("bad_date", inp)
    return Parsed("ok", value=date.isoformat())


def _year(raw: object, inp: Input) -> Parsed:
    number = parse_number(raw)
    if number is None or number != number.to_integral_value() or not 1900 <= number <= 2100:
        return _invalid("bad_year", inp)
    return Parsed("ok", value=str(int(number)), number=float(number))


_PARSERS = {"text": _text, "count": _numeric, "amount": _numeric, "yes_no": _yes_no,
            "choice": _choice, "date": _date, "year": _year}
