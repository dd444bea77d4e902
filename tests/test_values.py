"""Reading one answer cell: the value table of rubric section 4.

Expected values are taken from shared/domain/rubric-2017.md, section 4, and worked out by
hand; none of them is copied from running the code.
"""

from __future__ import annotations

import datetime as dt
import unicodedata
from decimal import Decimal

import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from cntt_analysis.intake.issues import CATALOGUE
from cntt_analysis.intake.values import parse_answer, parse_date, parse_number
from cntt_analysis.rubric.model import load_rubric

RUBRIC = load_rubric("2017")
INPUTS = RUBRIC.inputs

NBSP = "\u00a0"


def nfd(text: str) -> str:
    decomposed = unicodedata.normalize("NFD", text)
    assert decomposed != text or text.isascii()  # make sure the test really uses NFD
    return decomposed


def ok(raw: object, code: str):
    parsed = parse_answer(raw, INPUTS[code])
    assert parsed.status == "ok", (raw, code, parsed)
    assert parsed.problem is None
    return parsed


def problem_of(raw: object, code: str) -> str:
    parsed = parse_answer(raw, INPUTS[code])
    assert parsed.status == "invalid", (raw, code, parsed)
    assert parsed.value is None and parsed.number is None
    assert parsed.problem is not None
    return parsed.problem[0]


def vn_group(n: int, mark: str = ".") -> str:
    """Write a whole number with thousands groups, e.g. 1234567 -> '1.234.567'."""
    digits = str(n)
    groups = []
    while len(digits) > 3:
        groups.insert(0, digits[-3:])
        digits = digits[:-3]
    groups.insert(0, digits)
    return mark.join(groups)


# --------------------------------------------------------------------------- yes / no

YES_WORDS = ["Có", "có", "CÓ", "co", "CO", "x", "X", "yes", "YES", "Yes", "y", "Y", "1",
             "true", "TRUE", "True", "Đã có", "đã có", "ĐÃ CÓ", "da co", "Da Co", "đã  có"]
NO_WORDS = ["Không", "không", "KHÔNG", "khong", "no", "NO", "No", "n", "N", "0", "false",
            "FALSE", "Chưa", "chưa", "chua", "CHƯA", "Chưa có", "chưa có", "chua co"]


@pytest.mark.parametrize("word", YES_WORDS)
def test_yes_synonyms(word):
    parsed = ok(word, "C1.2")
    assert parsed.value == "Có"
    assert parsed.number == 1.0


@pytest.mark.parametrize("word", NO_WORDS)
def test_no_synonyms(word):
    parsed = ok(word, "C1.2")
    assert parsed.value == "Không"
    assert parsed.number == 0.0


@pytest.mark.parametrize("word", ["Có", "Không", "Đã có", "Chưa có", "Chưa"])
def test_yes_no_decomposed_text(word):
    expected = "Có" if word in ("Có", "Đã có") else "Không"
    assert ok(nfd(word), "C2.5").value == expected


@pytest.mark.parametrize("raw", [f"  Có{NBSP}", f"{NBSP}Có", "\tCó\n", f"{NBSP}{NBSP}Có  "])
def test_yes_no_surrounding_spaces_removed(raw):
    assert ok(raw, "C2.6").value == "Có"


@pytest.mark.parametrize("raw,expected", [(True, "Có"), (False, "Không"), (1, "Có"), (0, "Không"),
                                          (1.0, "Có"), (0.0, "Không")])
def test_yes_no_native_values(raw, expected):
    parsed = ok(raw, "C5.5")
    assert parsed.value == expected
    assert parsed.number == (1.0 if expected == "Có" else 0.0)


@pytest.mark.parametrize("raw", ["có lẽ", "chắc chắn", "2", 2, -1, 0.5, "ok", "Cóó", "10"])
def test_yes_no_unreadable(raw):
    assert problem_of(raw, "C1.3") == "not_yes_no"


def test_yes_no_expected_text_is_vietnamese():
    parsed = parse_answer("maybe", INPUTS["C1.3"])
    assert "Có" in parsed.problem[1] and "Không" in parsed.problem[1]


# --------------------------------------------------------------------------- choices

C11 = INPUTS["C1.1"]


@pytest.mark.parametrize("raw", [
    "Ban hành trước 31/01",
    "ban hành trước 31/01",
    "BAN HÀNH TRƯỚC 31/01",
    "ban hanh truoc 31/01",
    "Ban  hành   trước 31/01",
    "Banhànhtrước31/01",
    f"{NBSP}Ban hành trước 31/01 ",
    f"Ban{NBSP}hành trước{NBSP}31/01",
])
def test_choice_case_space_diacritic_insensitive(raw):
    assert ok(raw, "C1.1").value == "Ban hành trước 31/01"


def test_choice_decomposed_input_returns_canonical_nfc_label():
    parsed = ok(nfd("Ban hành sau 31/01"), "C1.1")
    assert parsed.value == "Ban hành sau 31/01"
    assert unicodedata.is_normalized("NFC", parsed.value)


@pytest.mark.parametrize("code", ["C1.1", "C2.8", "C3.1", "C4.6", "C4.8", "C4.9"])
def test_every_label_of_every_choice_is_accepted_in_any_spelling(code):
    for label in INPUTS[code].choices:
        assert ok(label, code).value == label
        assert ok(label.upper(), code).value == label
        assert ok(nfd(label), code).value == label
        assert parse_answer(label, INPUTS[code]).number is None


def test_choice_labels_are_not_confused():
    # "Không có" (C3.1) must not be read as a yes/no style "Không"; "Có sử dụng" and
    # "Không sử dụng" (C4.8) are different labels.
    assert ok("không có", "C3.1").value == "Không có"
    assert ok("co su dung", "C4.8").value == "Có sử dụng"
    assert ok("khong su dung", "C4.8").value == "Không sử dụng"


@pytest.mark.parametrize("raw", ["Ban hành", "Đã ban hành", "4", 4, "Có", "trước 31/01"])
def test_unknown_choice(raw):
    assert problem_of(raw, "C1.1") == "unknown_choice"


def test_unknown_choice_lists_the_labels():
    expected = parse_answer("???", C11).problem[1]
    assert expected.startswith("một trong các lựa chọn")
    for label in C11.choices:
        assert label in expected
    assert "Không áp dụng" not in expected  # C1.1 does not allow it
    assert "Không áp dụng" in parse_answer("???", INPUTS["C4.6"]).problem[1]


# --------------------------------------------------------------------------- not applicable

@pytest.mark.parametrize("raw", ["Không áp dụng", "không áp dụng", "KHÔNG ÁP DỤNG",
                                 "khong ap dung", "N/A", "n/a", "NA", "na", "KAD", "kad",
                                 f" N/A{NBSP}", "Không  áp dụng"])
def test_not_applicable_where_allowed(raw):
    parsed = parse_answer(raw, INPUTS["C4.6"])
    assert parsed.status == "na"
    assert parsed.value == "Không áp dụng"
    assert parsed.problem is None


def test_not_applicable_decomposed():
    assert parse_answer(nfd("Không áp dụng"), INPUTS["C4.6"]).status == "na"


@pytest.mark.parametrize("code", ["C1.1", "C1.2", "C1.4", "C1.6a", "C2.3", "G05", "G03", "G02",
                                  "C5.1"])
@pytest.mark.parametrize("raw", ["Không áp dụng", "N/A", "NA", "KAD"])
def test_not_applicable_elsewhere_is_invalid(code, raw):
    assert problem_of(raw, code) == "na_not_allowed"


def test_text_inputs_keep_na_as_text():
    # G04 is free text: "N/A" is simply what the person wrote.
    parsed = parse_answer("N/A", INPUTS["G04"])
    assert parsed.status == "ok" and parsed.value == "N/A"


# --------------------------------------------------------------------------- counts

@pytest.mark.parametrize("raw,expected", [
    ("0", 0), ("7", 7), (7, 7), (7.0, 7), ("1.234", 1234), ("1 234", 1234),
    (f"1{NBSP}234", 1234), ("1\u202f234", 1234), ("1.234.567", 1234567),
    ("12 345 678", 12345678), (" 42 ", 42), (f"{NBSP}42{NBSP}", 42), ("1000", 1000),
    ("1.000", 1000), ("007", 7), ("+5", 5), (1234, 1234),
])
def test_count_values(raw, expected):
    parsed = ok(raw, "C1.6a")
    assert parsed.number == expected
    assert parsed.value == str(expected)


@pytest.mark.parametrize("raw", ["12,5", "1,5", "12.5", "0,5", 2.5, 0.1, "1.234,5", "1,234.5"])
def test_fractional_count_is_invalid(raw):
    assert problem_of(raw, "C1.4") == "fractional"


@pytest.mark.parametrize("raw", ["-1", "−3", "-1.234", -1, -0.5, "- 7"])
def test_negative_count_is_invalid(raw):
    assert problem_of(raw, "C4.7") == "negative"


@pytest.mark.parametrize("raw", ["abc", "mười", "1.2.3", "12a", "1.23.456", "1e5", "-", "5 người",
                                 True, False, dt.date(2017, 1, 1), "1,2,3"])
def test_unreadable_count(raw):
    assert problem_of(raw, "C3.5") == "not_number"


def test_g05_minimum_is_one():
    assert problem_of("0", "G05") == "too_small"
    assert problem_of(0, "G05") == "too_small"
    assert ok("1", "G05").number == 1
    assert "tối thiểu 1" in parse_answer(0, INPUTS["G05"]).problem[1]


@pytest.mark.parametrize("code", ["G06", "G07", "G08", "G09", "G10"])
def test_other_general_counts_allow_zero(code):
    assert ok("0", code).number == 0


@given(st.integers(min_value=0, max_value=10**12))
def test_count_with_dot_groups_round_trips(n):
    text = vn_group(n, ".")
    assert parse_number(text) == n
    parsed = parse_answer(text, INPUTS["C1.6a"])
    assert parsed.status == "ok"
    assert parsed.number == n
    assert parsed.value == str(n)


@given(st.integers(min_value=0, max_value=10**12), st.sampled_from([" ", NBSP, "\u202f"]))
def test_count_with_space_groups_round_trips(n, space):
    assert parse_answer(vn_group(n, space), INPUTS["G07"]).number == n


@given(st.integers(min_value=1, max_value=10**9))
def test_negative_counts_never_accepted(n):
    assert problem_of("-" + vn_group(n, "."), "C1.4") == "negative"


# --------------------------------------------------------------------------- amounts

@pytest.mark.parametrize("raw,expected", [
    ("1.234,5", Decimal("1234.5")),
    ("12,5", Decimal("12.5")),
    ("1.234", Decimal("1234")),
    ("1,234.5", Decimal("1234.5")),
    ("1.234.567,89", Decimal("1234567.89")),
    ("1,234,567.89", Decimal("1234567.89")),
    ("0,5", Decimal("0.5")),
    (",5", Decimal("0.5")),
    ("12.5", Decimal("12.5")),  # a lone "." not followed by 3 digits cannot group thousands
    ("1 234,5", Decimal("1234.5")),
    (f"1{NBSP}234,5", Decimal("1234.5")),
    ("2500", Decimal("2500")),
    ("-12,5", Decimal("-12.5")),
    ("−12,5", Decimal("-12.5")),
])
def test_parse_number_vietnamese_convention(raw, expected):
    assert parse_number(raw) == expected


@pytest.mark.parametrize("raw", ["abc", "1.2.3", "1,2,3,4.5.6", "", "   ", NBSP, "-", "+",
                                 "1e3", "12đ", None, True, False, float("nan"), float("inf"),
                                 [1], "1..2"])
def test_parse_number_rejects(raw):
    assert parse_number(raw) is None


@pytest.mark.parametrize("raw,number,value", [
    ("1.234,5", 1234.5, "1234.5"), ("12,5", 12.5, "12.5"), ("1.234", 1234.0, "1234"),
    ("1,234.5", 1234.5, "1234.5"), (12.5, 12.5, "12.5"), (100, 100.0, "100"),
    ("0", 0.0, "0"), ("1.500,00", 1500.0, "1500"), ("0,05", 0.05, "0.05"),
])
def test_amount_answers(raw, number, value):
    parsed = ok(raw, "G11")
    assert parsed.number == number
    assert parsed.value == value


@pytest.mark.parametrize("raw", ["-1", "-0,5", -3.5])
def test_negative_amount_is_invalid(raw):
    assert problem_of(raw, "C5.1") == "negative"


def test_unreadable_amount():
    assert problem_of("một triệu", "C5.2a") == "not_number"


def _decimal_vn(d: Decimal) -> str:
    whole, frac = f"{d:.2f}".split(".")
    return f"{vn_group(int(whole), '.')},{frac}"


def _decimal_en(d: Decimal) -> str:
    whole, frac = f"{d:.2f}".split(".")
    return f"{vn_group(int(whole), ',')}.{frac}"


two_places = st.decimals(min_value=0, max_value=10**10, places=2, allow_nan=False,
                         allow_infinity=False)


@given(two_places)
def test_two_place_amount_vietnamese_style_round_trips(d):
    text = _decimal_vn(d)
    assert parse_number(text) == d
    parsed = parse_answer(text, INPUTS["C5.2a"])
    assert parsed.status == "ok"
    assert Decimal(parsed.value) == d


@given(two_places)
def test_two_place_amount_english_style_round_trips(d):
    # "1,234.50": where both marks appear the last one is the decimal mark.
    assert parse_number(_decimal_en(d)) == d


@given(two_places)
def test_two_place_amount_with_spaces_round_trips(d):
    text = _decimal_vn(d).replace(".", NBSP)
    assert parse_number(text) == d


# --------------------------------------------------------------------------- dates

@pytest.mark.parametrize("raw,expected", [
    (dt.date(2017, 8, 10), dt.date(2017, 8, 10)),
    (dt.datetime(2017, 8, 10, 15, 30), dt.date(2017, 8, 10)),
    ("10/08/2017", dt.date(2017, 8, 10)),
    ("08/10/2017", dt.date(2017, 10, 8)),  # day first, never month first
    ("1/8/2017", dt.date(2017, 8, 1)),
    ("5/12/2017", dt.date(2017, 12, 5)),
    ("2017-08-10", dt.date(2017, 8, 10)),
    ("2017-8-1", dt.date(2017, 8, 1)),
    (" 10/08/2017 ", dt.date(2017, 8, 10)),
    (f"{NBSP}10/08/2017{NBSP}", dt.date(2017, 8, 10)),
    ("10/08/2017 00:00:00", dt.date(2017, 8, 10)),
    ("29/02/2016", dt.date(2016, 2, 29)),
    ("31/12/2017", dt.date(2017, 12, 31)),
    # Excel serial numbers (days since 30/12/1899): 42736 = 01/01/2017, so 10/08/2017,
    # day 222 of 2017, is 42736 + 221 = 42957; 36526 = 01/01/2000; 25569 = 01/01/1970.
    (42736, dt.date(2017, 1, 1)),
    (42957, dt.date(2017, 8, 10)),
    (42957.0, dt.date(2017, 8, 10)),
    (36526, dt.date(2000, 1, 1)),
    (25569, dt.date(1970, 1, 1)),
    (43101, dt.date(2018, 1, 1)),
])
def test_parse_date(raw, expected):
    assert parse_date(raw) == expected


@pytest.mark.parametrize("raw", ["31/02/2017", "29/02/2017", "32/01/2017", "00/01/2017",
                                 "13/13/2017", "10/0/2017", "2017-02-30", "2017-13-01",
                                 "hôm qua", "10/08/17", "2017/08/10", "", 0, -5, True, None,
                                 "Tháng 8 năm 2017"])
def test_parse_date_rejects(raw):
    assert parse_date(raw) is None


def test_date_answer_is_iso_text():
    parsed = ok("10/08/2017", "G03")
    assert parsed.value == "2017-08-10"
    assert parsed.number is None


@pytest.mark.parametrize("raw", ["31/02/2017", "không nhớ", 0])
def test_invalid_date_answer(raw):
    assert problem_of(raw, "G03") == "bad_date"


@given(st.dates(min_value=dt.date(1970, 1, 1), max_value=dt.date(2099, 12, 31)))
@settings(max_examples=60)
def test_dates_in_every_accepted_form(day):
    assert parse_date(f"{day.day:02d}/{day.month:02d}/{day.year}") == day
    assert parse_date(f"{day.day}/{day.month}/{day.year}") == day
    assert parse_date(day.isoformat()) == day
    # Excel serial: 25569 is 01/01/1970.
    assert parse_date(25569 + (day - dt.date(1970, 1, 1)).days) == day


# --------------------------------------------------------------------------- year

@pytest.mark.parametrize("raw", ["2017", 2017, 2017.0, " 2017 ", f"{NBSP}2017"])
def test_year(raw):
    parsed = ok(raw, "G02")
    assert parsed.value == "2017"
    assert parsed.number == 2017


@pytest.mark.parametrize("raw", ["năm 2017", "2017,5", 2017.5, "1899", 1899, "2101", "17",
                                 "abc", True, "-2017"])
def test_bad_year(raw):
    assert problem_of(raw, "G02") == "bad_year"


# --------------------------------------------------------------------------- text

def test_text_is_nfc_and_trimmed():
    raw = f"{NBSP} " + nfd("Phòng Tài nguyên và Môi trường huyện Đắk Mil") + f"{NBSP}\t"
    parsed = ok(raw, "G01")
    assert parsed.value == "Phòng Tài nguyên và Môi trường huyện Đắk Mil"
    assert unicodedata.is_normalized("NFC", parsed.value)


def test_text_drops_control_characters_and_reads_whole_floats():
    assert ok("Khó\x07 khăn", "G12").value == "Khó khăn"
    assert ok(12.0, "G01").value == "12"


# --------------------------------------------------------------------------- blanks

@pytest.mark.parametrize("raw", [None, "", "   ", NBSP, f"{NBSP} \t", "\u202f"])
@pytest.mark.parametrize("code", ["G01", "G02", "G03", "G05", "G11", "C1.1", "C1.2", "C4.6",
                                  "C5.2b"])
def test_blank_required_is_invalid(raw, code):
    assert problem_of(raw, code) == "required"


@pytest.mark.parametrize("raw", [None, "", "   ", NBSP])
@pytest.mark.parametrize("code", ["G04", "G12"])
def test_blank_optional_is_empty(raw, code):
    parsed = parse_answer(raw, INPUTS[code])
    assert parsed.status == "empty"
    assert parsed.problem is None and parsed.value is None


def test_only_g04_and_g12_are_optional():
    assert {c for c, i in INPUTS.items() if not i.required} == {"G04", "G12"}


def test_zero_is_not_blank():
    assert ok(0, "G09").number == 0
    assert ok(0.0, "G10").number == 0


# --------------------------------------------------------------------------- problem codes

@pytest.mark.parametrize("raw,code", [
    (None, "G05"), ("N/A", "C1.4"), ("x", "C1.4"), ("-1", "C1.4"), ("1,5", "C1.4"),
    ("0", "G05"), ("có lẽ", "C1.2"), ("?", "C1.1"), ("31/02/2017", "G03"), ("20177", "G02"),
])
def test_every_problem_code_is_in_the_issue_catalogue(raw, code):
    parsed = parse_answer(raw, INPUTS[code])
    issue_code, expected = parsed.problem
    assert issue_code in CATALOGUE
    assert expected  # a Vietnamese description of what was expected


def test_problem_codes_match_section_4():
    # One case per kind of invalid answer of section 4.
    assert problem_of(None, "C1.6a") == "required"
    assert problem_of("không rõ", "C1.6a") == "not_number"
    assert problem_of("-2", "C1.6a") == "negative"
    assert problem_of("2,5", "C1.6a") == "fractional"
    assert problem_of("Không biết", "C4.8") == "unknown_choice"
    assert problem_of("Không áp dụng", "C4.8") == "na_not_allowed"


@pytest.mark.parametrize("code", sorted(INPUTS))
def test_parse_answer_never_raises(code):
    for raw in (None, "", "x", "Không áp dụng", "1.234,5", -1, 1.5, True,
                dt.date(2017, 1, 1), object(), "\x00", "𝟙𝟚"):
        parsed = parse_answer(raw, INPUTS[code])
        assert parsed.status in {"ok", "na", "empty", "invalid"}
        assert (parsed.problem is None) == (parsed.status != "invalid")


@pytest.mark.parametrize(("text", "expected"), [
    ("0.125", Decimal("0.125")), ("00.500", Decimal("0.500")), ("1.250", Decimal("1250"))])
def test_a_group_never_starts_with_zero(text, expected):
    # Regression: "0.125" was read as thousands-grouped, a silent 1000× error.
    assert parse_number(text) == expected
