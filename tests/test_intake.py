"""Intake on real files: converted copies, copies without hidden sheets or with inserted
rows, decomposed text, unit names typed by hand, invalid answers and broken files."""

from __future__ import annotations

import datetime as dt
import shutil
import unicodedata

import pandas as pd
import pytest
from openpyxl import Workbook, load_workbook

from cntt_analysis.intake.templates import TEMPLATE_VERSION
from cntt_analysis.intake.workbook import read_submission


def unit_points(result, unit_id: str) -> dict[str, tuple[float | None, str]]:
    """indicator → (points, status) of one unit."""
    part = result.points[result.points["unit_id"] == unit_id]
    return {row.indicator: (None if row.points != row.points else row.points, row.status)
            for row in part.itertuples()}


def unit_score(result, unit_id: str):
    return result.scores.set_index("unit_id").loc[unit_id]


def errors(result, unit_id: str | None = None):
    """Error-severity issues (of one unit, when given)."""
    issues = result.issues[result.issues["severity"] == "error"]
    return issues if unit_id is None else issues[issues["unit_id"] == unit_id]


def nfd(text: str) -> str:
    return unicodedata.normalize("NFD", text)


@pytest.fixture
def assert_valid_unit(valid_points, valid_score, valid_criteria):
    """Check a unit scored exactly like `valid_answers` (hand-computed in conftest)."""
    def check(result, unit_id: str) -> None:
        assert unit_points(result, unit_id) == {k: (v, "scored") for k, v in valid_points.items()}
        score = unit_score(result, unit_id)
        assert score["score"] == valid_score == 72.91
        assert score["tier"] == "Khá"
        assert {c: score[c] for c in valid_criteria} == valid_criteria
        assert errors(result, unit_id).empty
    return check


# --------------------------------------------------------------------------- basics


def test_read_submission_reads_every_answer_at_its_cell(tmp_path, fill_template, rubric,
                                                        cells, valid_answers):
    path = fill_template(tmp_path / "x.xlsx", valid_answers, unit_id="SO_VP",
                         unit_name="Văn phòng Sở")
    sub = read_submission(path, rubric, 2017)
    assert sub.readable and sub.issues == []
    assert sub.meta == {"unit_id": "SO_VP", "year": "2017", "rubric": "2017",
                        "template_version": TEMPLATE_VERSION}
    got = {a["code"]: a for a in sub.answers}
    assert set(got) == set(rubric.inputs)
    assert {c: (a["sheet"], a["cell"]) for c, a in got.items()} == cells
    assert got["G05"]["number"] == 20.0 and got["G05"]["value"] == "20"
    assert got["C2.8"]["value"] == "Có, chưa đạt yêu cầu"
    assert got["C1.3"]["value"] == "Không" and got["C1.3"]["number"] == 0.0
    assert got["G03"]["value"] == "2017-08-01"


def test_valid_round_scores_as_computed_by_hand(make_round, assert_valid_unit):
    rnd = make_round()
    rnd.add("SO_VP")
    assert_valid_unit(rnd.score(), "SO_VP")


# --------------------------------------------------------------------------- LibreOffice


@pytest.mark.libreoffice
@pytest.mark.parametrize("fmt", ["ods", "xls"])
def test_libreoffice_copies_score_like_the_xlsx(make_round, assert_valid_unit,
                                                converted_submission, fmt):
    original, copy = make_round(), make_round()
    shutil.copy(converted_submission["xlsx"], original.folder / "SO_VP.xlsx")
    shutil.copy(converted_submission[fmt], copy.folder / f"SO_VP.{fmt}")
    want, got = original.score(), copy.score()

    assert_valid_unit(got, "SO_VP")
    assert unit_points(got, "SO_VP") == unit_points(want, "SO_VP")
    columns = ["unit_id", "code", "value", "number", "status", "sheet", "cell"]
    assert got.answers[columns].equals(want.answers[columns])
    assert set(got.answers["file"]) == {f"SO_VP.{fmt}"}
    assert got.register.set_index("unit_id").at["SO_VP", "status"] == "Đã nộp"


# --------------------------------------------------------------------------- layout


def test_copy_without_hidden_sheets_loads_by_codes(make_round, assert_valid_unit, cells):
    rnd = make_round()
    path = rnd.add("SO_VP", hidden=False)
    assert not {"_meta", "_cells"} & set(load_workbook(path).sheetnames)
    result = rnd.score()
    assert_valid_unit(result, "SO_VP")  # unit found from G01 "Văn phòng Sở"
    where = result.answers.set_index("code")[["sheet", "cell"]]
    assert {c: tuple(where.loc[c]) for c in cells} == cells


def test_inserted_rows_make_cells_stale_but_codes_still_found(make_round, cells):
    rnd = make_round()
    path = rnd.add("SO_VP", C2_4=25)  # 25 computers with antivirus > G06 = 18 → invalid
    wb = load_workbook(path)
    wb["Thông tin chung"].insert_rows(2, amount=1)      # above the header: all shift by 1
    wb["C2. Hạ tầng kỹ thuật"].insert_rows(6, amount=2)  # C2.2 and below shift by 2
    wb.save(path)
    assert cells["C2.4"] == ("C2. Hạ tầng kỹ thuật", "D8")
    assert cells["G06"] == ("Thông tin chung", "D10")

    result = rnd.score()
    where = result.answers.set_index("code")
    assert where.at["C2.4", "cell"] == "D10"
    assert where.at["C2.2", "cell"] == "D8"
    assert where.at["C2.3", "number"] == 40.0
    assert where.at["G06", "cell"] == "D11"
    assert where.at["G06", "number"] == 18.0
    assert where.at["C1.1", "cell"] == cells["C1.1"][1]  # untouched sheets unchanged

    issues = errors(result, "SO_VP")
    assert list(issues["code"]) == ["exceeds"]
    assert (issues.iloc[0]["sheet"], issues.iloc[0]["cell"]) == ("C2. Hạ tầng kỹ thuật", "D10")
    assert "ô D10" in issues.iloc[0]["message"]
    points = unit_points(result, "SO_VP")
    assert points["C2.4"] == (0.0, "invalid")
    assert points["C2.2"] == (2.5, "scored")
    # 72.91 − 3 (C2.4) = 69.91 → Trung bình.
    assert unit_score(result, "SO_VP")["score"] == pytest.approx(69.91)
    assert unit_score(result, "SO_VP")["tier"] == "Trung bình"


def test_inserted_column_makes_cells_stale_but_answers_still_found(make_round, cells,
                                                                   assert_valid_unit):
    rnd = make_round()
    path = rnd.add("SO_VP")
    wb = load_workbook(path)
    wb["C1. Văn bản chỉ đạo"].insert_cols(3)  # a "ghi chú" column: answers move from D to E
    wb.save(path)
    assert cells["C1.4"] == ("C1. Văn bản chỉ đạo", "D8")

    result = rnd.score()
    where = result.answers.set_index("code")
    assert where.at["C1.4", "cell"] == "E8"  # not D8, which now holds the unit "văn bản"
    assert where.at["C1.4", "number"] == 1.0
    assert where.at["C1.1", "value"] == "Ban hành trước 31/01"
    assert where.at["C2.2", "cell"] == cells["C2.2"][1]
    assert_valid_unit(result, "SO_VP")


def test_office_lock_files_are_not_submissions(make_round):
    rnd = make_round()
    rnd.add("SO_VP")
    rnd.write("~$SO_VP.xlsx", b"\x00lock")
    rnd.write(".~lock.SO_VP.xlsx#", "lock")
    result = rnd.score()
    assert errors(result).empty
    assert set(result.register["file"]) == {"SO_VP.xlsx", ""}


# --------------------------------------------------------------------------- text and units


def test_decomposed_text_loads(make_round, assert_valid_unit, valid_answers):
    rnd = make_round()
    answers = {code: nfd(v) if isinstance(v, str) else v for code, v in valid_answers.items()}
    answers["G01"] = nfd("Phòng Tài nguyên và Môi trường huyện Tân Phước")
    assert answers["C2.8"] != valid_answers["C2.8"]  # really decomposed
    path = rnd.add("H_TANPHUOC", answers, hidden=False)  # unit from the NFD name only
    wb = load_workbook(path)
    assert unicodedata.is_normalized("NFD", wb["Thông tin chung"]["D5"].value)
    assert not unicodedata.is_normalized("NFC", wb["Thông tin chung"]["D5"].value)

    result = rnd.score()
    assert_valid_unit(result, "H_TANPHUOC")
    values = result.answers.set_index("code")["value"]
    assert values["G01"] == "Phòng Tài nguyên và Môi trường huyện Tân Phước"
    assert values["C4.6"] == "Cập nhật thường xuyên"
    assert all(unicodedata.is_normalized("NFC", v) for v in values.dropna())


@pytest.mark.parametrize(("typed", "unit_id"), [
    ("Phòng TN&MT H. Tân Phước", "H_TANPHUOC"),
    ("PHÒNG TNMT HUYỆN TÂN PHƯỚC", "H_TANPHUOC"),
    ("phong tai nguyen va moi truong huyen tan phuoc", "H_TANPHUOC"),
    ("\u00a0Phòng Tài nguyên và Môi trường  TX. Cai Lậy\u00a0", "H_CAILAY"),
    ("Phòng TN&MT Cai Lậy", "H_CAILAY"),  # registry alias "Phòng TNMT Cai Lậy"
    ("Chi cục QLĐĐ", "SO_CCQLDD"),        # registry alias
    ("Văn phòng Sở.", "SO_VP"),
])
def test_unit_name_typed_differently_is_matched(make_round, assert_valid_unit, typed, unit_id):
    rnd = make_round()
    rnd.add(None, file="bao-cao.xlsx", name=typed, hidden=False)
    result = rnd.score()
    assert list(result.scores["unit_id"]) == [unit_id]
    assert_valid_unit(result, unit_id)
    register = result.register.set_index("unit_id")
    assert register.at[unit_id, "status"] == "Đã nộp"
    assert register.at[unit_id, "file"] == "bao-cao.xlsx"


@pytest.mark.parametrize("hidden", [True, False], ids=["meta-without-unit", "no-meta"])
def test_unmatched_unit_name_is_reported_and_not_scored(make_round, cells, hidden):
    rnd = make_round()
    rnd.add("SO_VP")
    rnd.add(None, file="go-cong.xlsx", name="Phòng TN&MT huyện Gò Công Đông", hidden=hidden)
    result = rnd.score()

    assert list(result.scores["unit_id"]) == ["SO_VP"]
    assert set(result.answers["file"]) == {"SO_VP.xlsx"}
    assert set(result.points["unit_id"]) == {"SO_VP"}
    unknown = result.issues[result.issues["code"] == "unit_unknown"]
    assert len(unknown) == 1
    issue = unknown.iloc[0]
    assert (issue["file"], issue["sheet"], issue["cell"]) == ("go-cong.xlsx", *cells["G01"])
    assert issue["severity"] == "error"
    assert issue["value"] == "Phòng TN&MT huyện Gò Công Đông"
    assert "Không xác định được đơn vị" in issue["message"]
    assert "go-cong.xlsx" in issue["message"]
    row = result.register[result.register["file"] == "go-cong.xlsx"].iloc[0]
    assert row["status"] == "Không được chấm"
    assert row["unit_id"] is None or row["unit_id"] != row["unit_id"]


def test_wrong_year_is_reported_and_not_scored(make_round, cells):
    rnd = make_round()
    rnd.add("SO_VP", G02=2016)
    result = rnd.score()
    assert result.scores.empty
    issue = result.issues[result.issues["code"] == "year_mismatch"].iloc[0]
    assert (issue["sheet"], issue["cell"], issue["value"]) == (*cells["G02"], "2016")


def test_blank_year_falls_back_to_the_template_metadata(make_round, cells, valid_points):
    rnd = make_round()
    rnd.add("SO_VP", G02=None)  # _meta still says year 2017
    result = rnd.score()
    issues = errors(result, "SO_VP")
    assert list(zip(issues["code"], issues["cell"])) == [("required", cells["G02"][1])]
    assert "year_mismatch" not in set(result.issues["code"])
    # G02 feeds no indicator: the score is the full 72.91.
    assert unit_score(result, "SO_VP")["score"] == 72.91


# --------------------------------------------------------------------------- invalid answers


INVALID = [
    # code, raw value, issue code, indicator, words the message must contain
    ("C1.4", "nhiều", "not_number", "C1.4", ["“nhiều”", "không đọc được thành số"]),
    ("C2.2", 25, "exceeds", "C2.2", ["25 lớn hơn", "G06", "(18)"]),
    ("C3.1", "Bán chuyên trách", "unknown_choice", "C3.1",
     ["“Bán chuyên trách”", "không có trong danh sách", "“Chuyên trách”"]),
    ("C1.2", "Không áp dụng", "na_not_allowed", "C1.2", ["không được trả lời “Không áp dụng”"]),
    ("C1.5", None, "required", "C1.5", ["đang để trống"]),
    # a number cell shown the Vietnamese way: 2.5 is "2,5"
    ("C4.7", 2.5, "fractional", "C4.7", ["“2,5”", "không phải số nguyên"]),
    ("C5.2b", -5, "negative", "C5.2", ["“-5”", "là số âm"]),
    ("C4.11", "có lẽ", "not_yes_no", "C4.11", ["“có lẽ”", "“Có” hoặc “Không”"]),
    ("C3.2b", 3, "exceeds", "C3.2", ["3 lớn hơn", "C3.2a", "(2)"]),
]


@pytest.mark.parametrize(("code", "raw", "issue_code", "indicator", "words"), INVALID,
                         ids=[f"{i[0]}-{i[2]}" for i in INVALID])
def test_invalid_answer_is_named_and_scores_zero(make_round, cells, valid_answers, valid_points,
                                                 code, raw, issue_code, indicator, words):
    rnd = make_round()
    rnd.add("SO_VP", {**valid_answers, code: raw})
    result = rnd.score()
    sheet, cell = cells[code]

    issues = errors(result, "SO_VP")
    assert len(issues) == 1, issues[["code", "cell", "message"]]
    issue = issues.iloc[0]
    assert (issue["code"], issue["file"], issue["sheet"], issue["cell"]) == \
        (issue_code, "SO_VP.xlsx", sheet, cell)
    message = issue["message"]
    assert message.startswith(f"Tệp “SO_VP.xlsx”, trang “{sheet}”, ô {cell}: mục {code}")
    for word in ["cần" if issue_code != "exceeds" else "không được vượt quá", *words]:
        assert word in message

    answer = result.answers.set_index("code").loc[code]
    assert answer["status"] == "invalid"
    points = unit_points(result, "SO_VP")
    assert points[indicator] == (0.0, "invalid")
    # Only that indicator loses its points: 72.91 − its hand-computed points.
    others = {k: v for k, v in points.items() if k != indicator}
    assert others == {k: (v, "scored") for k, v in valid_points.items() if k != indicator}
    expected = round(72.91 - valid_points[indicator], 2)
    assert unit_score(result, "SO_VP")["score"] == pytest.approx(expected)


def test_several_invalid_answers_in_one_workbook(make_round):
    rnd = make_round()
    rnd.add("SO_VP", C1_4="nhiều", C2_2=25, C3_1="Bán chuyên trách", C1_2="Không áp dụng",
            C1_5=None)
    result = rnd.score()
    issues = errors(result, "SO_VP")
    assert sorted(issues["code"]) == ["exceeds", "na_not_allowed", "not_number", "required",
                                      "unknown_choice"]
    # 72.91 − C1.4 1 − C2.2 2.5 − C3.1 1.5 − C1.2 2 − C1.5 1 = 64.91 → Trung bình.
    score = unit_score(result, "SO_VP")
    assert score["score"] == pytest.approx(64.91)
    assert score["tier"] == "Trung bình"
    # C1: 10.25 − 2 − 1 − 1 = 6.25 of 15 = 41.67 %.
    assert score["C1"] == pytest.approx(41.67)


def test_invalid_denominator_zeroes_every_indicator_using_it(make_round, cells):
    rnd = make_round()
    rnd.add("SO_VP", G06="nhiều")
    result = rnd.score()
    issues = errors(result, "SO_VP")
    # One issue for the cell itself; no follow-up "exceeds" for C2.2, C2.4, C5.4.
    assert list(zip(issues["code"], issues["cell"])) == [("not_number", cells["G06"][1])]
    points = unit_points(result, "SO_VP")
    for indicator in ("C2.1", "C2.2", "C2.4", "C5.4"):
        assert points[indicator] == (0.0, "invalid")
    # 72.91 − (3.6 + 2.5 + 3 + 1) = 62.81.
    assert unit_score(result, "SO_VP")["score"] == pytest.approx(62.81)


def test_not_applicable_where_allowed_leaves_the_denominator(make_round):
    rnd = make_round()
    rnd.add("SO_VP", C4_6="N/A")
    result = rnd.score()
    assert errors(result, "SO_VP").empty
    assert result.answers.set_index("code").at["C4.6", "status"] == "na"
    points = unit_points(result, "SO_VP")
    assert points["C4.6"] == (None, "na")
    score = unit_score(result, "SO_VP")
    # (72.91 − 2.5) / (100 − 4) × 100 = 70.41 / 96 × 100 = 73.34375 → 73.34.
    assert score["applicable_max"] == 96.0
    assert score["score"] == pytest.approx(73.34)
    # C4: (26.4 − 2.5) / (35 − 4) = 23.9 / 31 = 77.096… → 77.10.
    assert score["C4"] == pytest.approx(77.10)


def test_no_procedures_makes_procedure_indicators_not_applicable(make_round):
    rnd = make_round()
    rnd.add("H_CAILAY", G09=0, C4_4=0)
    result = rnd.score()
    assert errors(result, "H_CAILAY").empty
    points = unit_points(result, "H_CAILAY")
    for indicator in ("C4.4", "C4.5", "C4.11"):
        assert points[indicator] == (None, "na")
    # earned 72.91 − 2 − 2.4 − 2 = 66.51 of 100 − 10 = 90 → 73.9; C4: 20 / 25 = 80 %.
    score = unit_score(result, "H_CAILAY")
    assert (score["score"], score["applicable_max"], score["C4"]) == (73.9, 90.0, 80.0)


# --------------------------------------------------------------------------- broken files


def test_broken_files_are_reported_and_the_others_scored(make_round, assert_valid_unit, tmp_path):
    rnd = make_round()
    rnd.add("SO_VP")
    rnd.add("H_TANPHUOC")
    rnd.write("text.xlsx", "Đây không phải bảng tính\n")
    rnd.write("empty.xlsx", b"")
    good = (rnd.folder / "SO_VP.xlsx").read_bytes()
    rnd.write("truncated.xlsx", good[: len(good) // 2])
    other = Workbook()
    other.active["A1"], other.active["B2"] = "Danh sách cán bộ", 42
    other.save(rnd.folder / "random.xlsx")
    rnd.write("text.ods", "not an ods")

    result = rnd.score()
    broken = {"text.xlsx", "empty.xlsx", "truncated.xlsx", "random.xlsx", "text.ods"}
    unreadable = result.issues[result.issues["code"] == "file_unreadable"]
    assert sorted(unreadable["file"]) == sorted(broken)
    assert set(unreadable["severity"]) == {"error"}
    assert all(m.startswith(f"Tệp “{f}”: Không mở được tệp")
               for f, m in zip(unreadable["file"], unreadable["message"]))
    assert set(errors(result)["file"]) == broken
    assert_valid_unit(result, "SO_VP")
    assert_valid_unit(result, "H_TANPHUOC")
    not_scored = result.register[result.register["status"] == "Không được chấm"]
    assert set(not_scored["file"]) == broken


@pytest.mark.parametrize("case, typed", [
    ("sends_own", "Chi cục Quản lý đất đai"),  # the issue's example
    ("alone", "Chi cục Quản lý đất đai"),      # SO_VP sends nothing of its own
    ("alias", "Chi cục QLĐĐ"),                 # the typed name is SO_CCQLDD's alias
    ("unregistered", "Phòng Kế hoạch"),        # names no unit: the template's id stands
])
def test_a_file_whose_identities_disagree_is_held_for_the_it_centre(make_round, case, typed):
    """Issue 17: SO_CCQLDD filled SO_VP's template (hidden id SO_VP; typed name and file
    name SO_CCQLDD) while SO_VP sent its own: SO_CCQLDD's figures were published as SO_VP's
    (a later report date won), SO_VP's own file "Bị thay thế", with only a warning. Now the
    file is held, scored for neither, with an error naming both units."""
    rnd = make_round()
    rnd.add("SO_VP", name=typed, file="SO_CCQLDD.xlsx", G03=dt.date(2017, 8, 5), C2_5="Không")
    if case != "alone":
        rnd.add("SO_VP", G03=dt.date(2017, 8, 1))
    result = rnd.score()
    register = result.register.set_index("file")
    flagged = result.issues[result.issues["code"] == "unit_name_mismatch"]
    if case == "unregistered":
        assert flagged.empty
        assert register.loc["SO_CCQLDD.xlsx", "unit_id"] == "SO_VP"
        return
    assert len(flagged) == 1
    issue = flagged.iloc[0]
    assert (issue["file"], issue["severity"]) == ("SO_CCQLDD.xlsx", "error")
    assert "SO_CCQLDD" in issue["message"] and "SO_VP" in issue["message"]
    assert "chưa được chấm cho đơn vị nào" in issue["message"]
    assert register.loc["SO_CCQLDD.xlsx", "status"] == "Không được chấm"
    assert pd.isna(register.loc["SO_CCQLDD.xlsx", "unit_id"])
    by_unit = result.register.dropna(subset=["unit_id"]).set_index("unit_id")
    assert by_unit.loc["SO_CCQLDD", "status"] == "Chưa nộp"
    if case == "alone":
        assert by_unit.loc["SO_VP", "status"] == "Chưa nộp"
        assert "SO_VP" not in set(result.scores["unit_id"])
    else:
        assert (by_unit.loc["SO_VP", "status"], by_unit.loc["SO_VP", "file"]) == \
            ("Đã nộp", "SO_VP.xlsx")
        wan = result.answers.set_index(["unit_id", "code"]).loc[("SO_VP", "C2.5"), "value"]
        assert wan != "Không"  # SO_VP's own answer, not the held file's


@pytest.mark.parametrize("form_year, form_rubric", [
    (2016, "2016"),  # the issue's example: last year's form, G02 typed over with 2017
    (2016, "2017"),  # last year's template of the same rubric
    (2017, "2016"),  # this year's template built from another rubric
])
def test_a_form_of_another_year_or_rubric_is_refused_saying_which(make_round, form_year,
                                                                  form_rubric):
    """Issue 17: a 2016 form in the 2017 round was scored with the 2017 rubric (2016's
    C4.2, documents sent online, counted as 2017's C4.2, documents signed digitally)."""
    from conftest import write_filled_template

    from cntt_analysis.rubric.model import load_rubric

    rnd = make_round()
    rnd.add("SO_CCQLDD")
    rubric = load_rubric(form_rubric)
    write_filled_template(rnd.folder / "SO_VP.xlsx", {"G02": 2017, "C4.2": 120},
                          rubric=rubric, year=form_year, unit_id="SO_VP",
                          unit_name="Văn phòng Sở")
    result = rnd.score()
    assert "SO_VP" not in set(result.scores["unit_id"])
    assert "SO_CCQLDD" in set(result.scores["unit_id"])
    register = result.register.set_index("file")
    assert register.loc["SO_VP.xlsx", "status"] == "Không được chấm"
    found = result.issues[result.issues["file"] == "SO_VP.xlsx"]
    assert list(found["code"]) == ["template_other_form"]
    assert found["severity"].iloc[0] == "error"
    assert (f"Tệp “SO_VP.xlsx”: Tệp là biểu mẫu năm {form_year} (phiếu đánh giá "
            f"“{form_rubric}”), không phải biểu mẫu của đợt đánh giá năm 2017 (phiếu “2017”)"
            ) in found["message"].iloc[0]
