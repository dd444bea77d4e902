"""Crosswalk between years' rubrics: the shipped 2015 and 2016 forms, the declared links
(`previous`, `dropped`, per-indicator `previous`), their validation, and comparisons that
never put raw points of different maxima side by side. Expected values are by hand."""

from __future__ import annotations

import datetime as dt
from fractions import Fraction
from pathlib import Path

import pandas as pd
import pytest
import yaml

from cntt_analysis.analysis.trends import PERCENT_COLUMNS, comparable_indicator_percent
from cntt_analysis.intake.templates import template_cells
from cntt_analysis.report.sentences import method_changes
from cntt_analysis.rubric.crosswalk import COLUMNS, code_map, crosswalk
from cntt_analysis.rubric.model import (
    RUBRIC_DIR,
    Indicator,
    RubricError,
    Rule,
    load_rubric,
    parse_rubric,
    shipped_rubrics,
)

CRITERIA = {"C1": 15, "C2": 20, "C3": 15, "C4": 35, "C5": 15}
GENERAL = [f"G{n:02d}" for n in range(1, 13)]


def raw(year: str) -> dict:
    return yaml.safe_load((RUBRIC_DIR / f"{year}.yaml").read_text(encoding="utf-8"))


def indicator(data: dict, code: str) -> dict:
    for crit in data["criteria"]:
        for ind in crit["indicators"]:
            if ind["code"] == code:
                return ind
    raise KeyError(code)


def refused(data: dict) -> str:
    with pytest.raises(RubricError) as info:
        parse_rubric(data, source="thu.yaml")
    message = str(info.value)
    assert message.startswith("thu.yaml")
    return message


def write(path: Path, data: dict) -> Path:
    path.write_text(yaml.safe_dump(data, allow_unicode=True, sort_keys=False), encoding="utf-8")
    return path


@pytest.fixture(scope="module")
def r15():
    return load_rubric("2015")


@pytest.fixture(scope="module")
def r16():
    return load_rubric("2016")


@pytest.fixture(scope="module")
def r17():
    return load_rubric("2017")


def changes(table: pd.DataFrame) -> dict[tuple, str]:
    """(code, previous_code) → change, for every row that is not "same"."""
    rows = table[table["change"] != "same"]
    return {(None if pd.isna(r.code) else r.code,
             None if pd.isna(r.previous_code) else r.previous_code): r.change
            for r in rows.itertuples()}


def by_code(table: pd.DataFrame, code: str) -> pd.Series:
    return table[table["code"] == code].iloc[0]


# --------------------------------------------------------------------------- shipped rubrics

def test_three_rubrics_are_shipped():
    assert {"2015", "2016", "2017"} <= set(shipped_rubrics())


@pytest.mark.parametrize("year,count", [("2015", 33), ("2016", 35), ("2017", 35)])
def test_shipped_rubric_is_valid(year, count):
    rubric = load_rubric(year)
    assert rubric.id == year and rubric.total == 100
    assert {c.code: c.max_points for c in rubric.criteria} == CRITERIA
    assert len(rubric.indicators) == count
    for crit in rubric.criteria:
        assert sum(i.max_points for i in crit.indicators) == crit.max_points
    assert [i.code for i in rubric.general] == GENERAL
    assert year in rubric.title


def test_general_inputs_are_the_same_every_year(r15, r16, r17):
    shape = [[(i.code, i.label, i.type, i.unit, i.minimum, i.required) for i in r.general]
             for r in (r15, r16, r17)]
    assert shape[0] == shape[1] == shape[2]


def test_declared_links(r15, r16, r17):
    assert (r17.previous, r17.dropped, r17.previous_id) == ("2016", ("C4.2",), "2016")
    assert (r16.previous, r16.dropped, r16.previous_id) == ("2015", (), "2015")
    assert (r15.previous, r15.dropped, r15.previous_id) == (None, (), None)
    assert r17.previous_rubric().id == "2016"
    assert r16.previous_rubric().id == "2015"
    assert r15.previous_rubric() is None
    moved = {i.code: i.previous_code for i in r17.indicators if i.previous_code != i.code}
    assert moved == {"C2.7": "C2.8", "C2.8": "C2.7", "C4.2": None}
    assert [i.code for i in r17.indicators if i.is_new] == ["C4.2"]
    assert [i.code for i in r16.indicators if i.is_new] == ["C4.11", "C5.5"]
    assert all(i.previous_code == i.code and not i.is_new for i in r15.indicators)


def test_indicator_defaults_to_same_code():
    rule = Rule("yes_no", {"input": "X1"})
    plain = Indicator("X1", "C1", "x", Fraction(1), rule, "", ())
    assert plain.previous_code == "X1" and not plain.is_new
    new = Indicator("X1", "C1", "x", Fraction(1), rule, "", (), previous_code=None, is_new=True)
    assert new.previous_code is None and new.is_new


def test_2016_differs_from_2017_as_declared(r16, r17):
    ind16 = {i.code: i for i in r16.indicators}
    ind17 = {i.code: i for i in r17.indicators}
    assert ind16["C3.4"].label == "Số CBCCVC được tập huấn CNTT trong năm"
    assert ind17["C3.4"].label == "Số CBCCVC được tập huấn CNTT, an toàn thông tin trong năm"
    params = ind16["C3.4"].rule.params
    assert (Fraction(str(params["full"])), Fraction(str(params["floor"]))) \
        == (Fraction(6, 10), Fraction(3, 10))
    assert ind16["C4.2"].label == "Số văn bản đi được gửi qua môi trường mạng"
    assert ind16["C4.2"].rule.kind == "ratio" and ind16["C4.2"].max_points == 4
    assert ind16["C4.2"].rule.denominator == ("G07",)
    assert r16.inputs["C4.2"].at_most == ("G07",)
    assert (ind16["C2.7"].label, ind16["C2.7"].rule.kind, ind16["C2.7"].max_points) \
        == ("Phòng máy chủ", "choice", 3)
    assert (ind16["C2.8"].label, ind16["C2.8"].rule.kind, ind16["C2.8"].max_points) \
        == ("Sao lưu dữ liệu định kỳ", "yes_no", 1)
    assert ind16["C2.7"].rule.params["points"] == ind17["C2.8"].rule.params["points"]
    assert (ind16["C2.3"].max_points, ind16["C2.4"].max_points) == (2, 4)
    assert (ind17["C2.3"].max_points, ind17["C2.4"].max_points) == (3, 3)


def test_2015_differs_from_2016_as_declared(r15, r16):
    ind15 = {i.code: i for i in r15.indicators}
    ind16 = {i.code: i for i in r16.indicators}
    assert set(ind16) - set(ind15) == {"C4.11", "C5.5"} and set(ind15) <= set(ind16)
    assert (ind15["C4.1"].max_points, ind16["C4.1"].max_points) == (7, 5)
    assert (ind15["C5.3"].max_points, ind16["C5.3"].max_points) == (5, 3)
    assert ind15["C5.3"].rule.params["steps"] == [[2, 5], [1, 3], [0, 0]]
    assert ind16["C5.3"].rule.params["steps"] == [[2, 3], [1, 2], [0, 0]]


def test_template_inputs_follow_each_year(r15, r16, r17):
    # The demo generator must fill each year's own codes: C2.7 is the server-room choice in
    # 2015/2016 and the backup yes/no in 2017; C4.11 and C5.5 do not exist in 2015.
    assert (r16.inputs["C2.7"].type, r16.inputs["C2.8"].type) == ("choice", "yes_no")
    assert (r17.inputs["C2.7"].type, r17.inputs["C2.8"].type) == ("yes_no", "choice")
    assert set(r17.inputs) == set(r16.inputs)
    assert set(r16.inputs) - set(r15.inputs) == {"C4.11", "C5.5"}
    cells15, cells16 = template_cells(r15), template_cells(r16)
    assert "C4.11" not in cells15 and "C5.5" not in cells15
    assert cells16["C2.7"][0] == "C2. Hạ tầng kỹ thuật"
    assert set(cells16) == set(r16.inputs)


# --------------------------------------------------------------------------- crosswalk

def test_crosswalk_2016_to_2017(r16, r17):
    table = crosswalk(r17, r16)
    assert list(table.columns) == COLUMNS
    assert len(table) == 36  # 35 indicators of 2017 + the dropped C4.2 of 2016
    assert changes(table) == {
        ("C2.3", "C2.3"): "changed", ("C2.4", "C2.4"): "changed",
        ("C2.7", "C2.8"): "renamed", ("C2.8", "C2.7"): "renamed",
        ("C3.4", "C3.4"): "changed",
        ("C4.2", None): "new", (None, "C4.2"): "dropped",
    }
    assert table["change"].value_counts().to_dict() == {
        "same": 29, "changed": 3, "renamed": 2, "new": 1, "dropped": 1}
    assert by_code(table, "C2.3")["detail"] == "điểm tối đa 2 → 3"
    assert by_code(table, "C2.4")["detail"] == "điểm tối đa 4 → 3"
    assert by_code(table, "C2.7")["detail"] == "đổi mã C2.8 → C2.7"
    assert by_code(table, "C2.8")["detail"] == "đổi mã C2.7 → C2.8"
    assert by_code(table, "C3.4")["detail"] == (
        "đổi tên chỉ tiêu; ngưỡng đạt tối đa 60% → 70%; ngưỡng tối thiểu 30% → 35%")
    assert by_code(table, "C4.2")["detail"] == "chỉ tiêu mới"
    dropped = table[table["change"] == "dropped"].iloc[0]
    assert dropped["detail"] == "không còn đánh giá"
    assert dropped["previous_label"] == "Số văn bản đi được gửi qua môi trường mạng"
    assert dropped["previous_max"] == 4 and pd.isna(dropped["max_points"])
    assert dropped["criterion"] == "C4"
    # after the last C4 row of 2017, before C5
    codes = list(table["code"].fillna("-"))
    assert codes.index("-") == codes.index("C4.11") + 1


def test_crosswalk_flags(r16, r17):
    table = crosswalk(r17, r16).set_index("code", drop=False)
    comparable = set(table.loc[table["comparable"], "code"].dropna())
    assert "C2.7" in comparable and "C2.8" in comparable and "C1.1" in comparable
    assert not comparable & {"C2.3", "C2.4", "C3.4", "C4.2"}
    c23 = table.loc["C2.3"]
    assert (c23["max_points"], c23["previous_max"], c23["same_max"], c23["same_kind"]) \
        == (3, 2, False, True)
    c34 = table.loc["C3.4"]
    assert bool(c34["same_max"]) and bool(c34["same_kind"])
    assert c34["previous_label"] == "Số CBCCVC được tập huấn CNTT trong năm"
    renamed = table.loc["C2.8"]
    assert (renamed["previous_code"], renamed["previous_label"], renamed["label"]) \
        == ("C2.7", "Phòng máy chủ", "Phòng máy chủ")
    assert table["comparable"].dtype == bool and table["same_max"].dtype == bool


def test_crosswalk_2015_to_2016(r15, r16):
    table = crosswalk(r16, r15)
    assert len(table) == 35
    assert changes(table) == {
        ("C4.1", "C4.1"): "changed", ("C4.11", None): "new",
        ("C5.3", "C5.3"): "changed", ("C5.5", None): "new",
    }
    assert by_code(table, "C4.1")["detail"] == "điểm tối đa 7 → 5"
    assert by_code(table, "C5.3")["detail"] == (
        "điểm tối đa 5 → 3; bậc điểm (≥2: 5; ≥1: 3; ≥0: 0) → (≥2: 3; ≥1: 2; ≥0: 0)")


def test_crosswalk_defaults_to_the_declared_previous(r16, r17):
    assert crosswalk(r17).equals(crosswalk(r17, r16))
    with pytest.raises(RubricError, match="không khai báo phiếu năm trước"):
        crosswalk(load_rubric("2015"))


def test_crosswalk_over_a_gap_composes_the_links(r15, r17):
    table = crosswalk(r17, r15)
    assert changes(table) == {
        ("C2.3", "C2.3"): "changed", ("C2.4", "C2.4"): "changed",
        ("C2.7", "C2.8"): "renamed", ("C2.8", "C2.7"): "renamed",
        ("C3.4", "C3.4"): "changed", ("C4.1", "C4.1"): "changed",
        ("C4.2", None): "new", (None, "C4.2"): "dropped",
        ("C4.11", None): "new", ("C5.3", "C5.3"): "changed", ("C5.5", None): "new",
    }
    assert code_map(r17, r15)["C2.7"] == "C2.8"


def test_same_rubric_both_years_is_all_same(r17):
    table = crosswalk(r17, r17)
    assert len(table) == 35 and set(table["change"]) == {"same"}
    assert table["comparable"].all()
    assert (table["code"] == table["previous_code"]).all()


def test_unlinked_rubrics_are_refused(r16, r17):
    with pytest.raises(RubricError, match="không khai báo liên hệ"):
        crosswalk(r16, r17)  # 2016 names 2015 as its previous form, not 2017


def test_without_declarations_codes_are_matched_as_is(r16):
    # The default (no crosswalk keys): same code = same indicator. The C2.7/C2.8 swap then
    # shows up as a change of rule kind, never as a comparable indicator.
    data = raw("2017")
    for key in ("previous", "dropped"):
        del data[key]
    for code in ("C2.7", "C2.8", "C4.2"):
        del indicator(data, code)["previous"]
    plain = parse_rubric(data)
    assert plain.previous is None and all(not i.is_new for i in plain.indicators)
    table = crosswalk(plain, r16)
    c27 = by_code(table, "C2.7")
    assert c27["change"] == "changed" and not c27["comparable"] and not c27["same_kind"]
    assert "cách chấm theo lựa chọn → có/không" in c27["detail"]
    assert "đổi tên chỉ tiêu" in c27["detail"] and "điểm tối đa 3 → 1" in c27["detail"]
    c42 = by_code(table, "C4.2")
    assert c42["change"] == "changed" and c42["detail"] == "đổi tên chỉ tiêu"
    assert "dropped" not in set(table["change"])


def test_other_rule_changes_are_described(r16):
    data = raw("2017")
    c41 = indicator(data, "C4.1")["rule"]
    c41["denominator"] = ["G08"]
    indicator(data, "C4.1")["inputs"][0]["at_most"] = ["G08"]
    indicator(data, "C4.8")["rule"]["points"]["Có sử dụng"] = 0.5
    indicator(data, "C4.5")["rule"]["na_if_zero"] = ["G10"]
    rubric = parse_rubric(data)
    table = crosswalk(rubric, r16)
    assert by_code(table, "C4.1")["detail"] == (
        "cách tính C4.1 / (G07 + G08) → C4.1 / G08; giới hạn câu trả lời C4.1 G07 + G08 → G08")
    assert by_code(table, "C4.8")["detail"] == "điểm lựa chọn “Có sử dụng” 1 → 0,5"
    assert by_code(table, "C4.5")["detail"] == (
        "điều kiện không áp dụng khi G09 hoặc G10 = 0 → khi G10 = 0")


# --------------------------------------------------------------------------- broken links

def test_unknown_previous_code():
    data = raw("2017")
    indicator(data, "C2.7")["previous"] = "C2.99"
    message = refused(data)
    assert "C2.7" in message and "C2.99" in message and "phiếu năm trước (2016)" in message


def test_implicit_same_code_that_did_not_exist():
    data = raw("2016")
    del indicator(data, "C4.11")["previous"]  # forgot to declare it new
    message = refused(data)
    assert "C4.11" in message and "2015" in message and "previous: null" in message


def test_previous_indicator_neither_mapped_nor_dropped():
    data = raw("2017")
    data["dropped"] = []
    message = refused(data)
    assert "C4.2 Số văn bản đi được gửi qua môi trường mạng" in message
    assert "'dropped'" in message


def test_previous_code_mapped_twice():
    data = raw("2017")
    indicator(data, "C2.8")["previous"] = "C2.8"  # C2.7 already says previous: C2.8
    message = refused(data)
    assert "nhiều chỉ tiêu" in message and "C2.8 ← C2.7, C2.8" in message


def test_mapped_and_dropped():
    data = raw("2017")
    del indicator(data, "C4.2")["previous"]  # same code as 2016's C4.2, also in dropped
    message = refused(data)
    assert "C4.2" in message and "vừa được gán" in message


def test_dropped_code_unknown():
    data = raw("2017")
    data["dropped"] = ["C4.2", "C9.9"]
    message = refused(data)
    assert "C9.9" in message and "'dropped'" in message


def test_dropped_without_previous():
    data = raw("2017")
    del data["previous"]
    message = refused(data)
    assert "'dropped'" in message and "'previous'" in message


@pytest.mark.parametrize("value", [2.8, True, "", ["C2.8"]])
def test_bad_indicator_previous(value):
    data = raw("2017")
    indicator(data, "C2.7")["previous"] = value
    message = refused(data)
    assert "C2.7" in message and "previous" in message


@pytest.mark.parametrize("value", ["new", "New", "mới"])
def test_new_markers(value):
    data = raw("2017")
    indicator(data, "C4.2")["previous"] = value
    c42 = next(i for i in parse_rubric(data).indicators if i.code == "C4.2")
    assert c42.is_new and c42.previous_code is None


@pytest.mark.parametrize("value", [["2016"], True, " "])
def test_bad_top_level_previous(value):
    data = raw("2017")
    data["previous"] = value
    assert "'previous'" in refused(data)


def test_bad_dropped_list():
    data = raw("2017")
    data["dropped"] = "C4.2"
    assert "'dropped'" in refused(data)


def test_missing_previous_rubric():
    data = raw("2017")
    data["previous"] = "1999"
    message = refused(data)
    assert "không dùng được phiếu năm trước '1999'" in message and "Không tìm thấy" in message


def test_unquoted_year_is_a_shipped_name():
    data = raw("2017")
    data["previous"] = 2016
    assert parse_rubric(data).previous_id == "2016"


def test_broken_previous_rubric_is_named(tmp_path):
    old = raw("2016")
    indicator(old, "C1.1")["max"] = 5  # C1 adds up to 16
    write(tmp_path / "cu.yaml", old)
    data = raw("2017")
    data["previous"] = "cu.yaml"
    with pytest.raises(RubricError) as info:
        load_rubric(write(tmp_path / "moi.yaml", data))
    message = str(info.value)
    assert message.startswith("moi.yaml") and "cu.yaml" in message and "tiêu chí C1" in message


def test_previous_by_relative_path(tmp_path, r16):
    (tmp_path / "cu").mkdir()
    write(tmp_path / "cu" / "phieu-2016.yaml", raw("2016"))
    data = raw("2017")
    data["previous"] = "cu/phieu-2016.yaml"
    rubric = load_rubric(write(tmp_path / "phieu-2017.yaml", data))
    assert rubric.previous_path() == (tmp_path / "cu" / "phieu-2016.yaml").resolve()
    assert rubric.previous_rubric().source == "phieu-2016.yaml"
    assert changes(crosswalk(rubric)) == changes(crosswalk(load_rubric("2017"), r16))


def test_previous_pointing_to_itself(tmp_path):
    data = raw("2017")
    data["previous"] = "tu.yaml"
    with pytest.raises(RubricError, match="chính tệp này"):
        load_rubric(write(tmp_path / "tu.yaml", data))


def test_cycle_is_refused_without_recursion(tmp_path):
    a, b = raw("2016"), raw("2015")
    a["previous"] = "b.yaml"
    b["previous"] = "a.yaml"  # 2015 claims 2016 as its previous form: a cycle
    b["id"] = "2015b"
    write(tmp_path / "a.yaml", a)
    write(tmp_path / "b.yaml", b)
    with pytest.raises(RubricError) as info:
        load_rubric(tmp_path / "a.yaml")
    assert "vòng lặp" in str(info.value)


def test_a_rubric_file_without_crosswalk_keys_still_loads(tmp_path):
    data = raw("2015")
    rubric = load_rubric(write(tmp_path / "cu.yaml", data))
    assert rubric.previous is None and len(rubric.indicators) == 33


# --------------------------------------------------------------------------- method notes

def test_method_changes_2016_to_2017(r16, r17):
    sentences = method_changes(r17, r16)
    first = sentences[0]
    assert first.startswith("So với năm 2016, phiếu đánh giá năm 2017 có 1 chỉ tiêu mới "
                            "(C4.2 Số văn bản đi được ký số)")
    assert "bỏ 1 chỉ tiêu (C4.2 Số văn bản đi được gửi qua môi trường mạng)" in first
    assert "đổi mã 2 chỉ tiêu (C2.8 → C2.7, C2.7 → C2.8)" in first
    assert "3 chỉ tiêu (C2.3, C2.4, C3.4)" in first
    assert first.endswith("điểm tổng và tỷ lệ theo tiêu chí vẫn so sánh được vì đều quy về "
                          "thang 100.")
    text = " ".join(sentences)
    assert "C2.3 Tổng băng thông Internet của đơn vị: điểm tối đa 2 → 3." in text
    assert "C2.4" in text and "điểm tối đa 4 → 3" in text
    assert "trước đây: “Số CBCCVC được tập huấn CNTT trong năm”" in text
    assert "ngưỡng đạt tối đa 60% → 70%" in text
    assert "Nội dung tiêu chí C2, C3, C4 khác năm 2016," in text


def test_method_changes_2015_to_2016(r15, r16):
    sentences = method_changes(r16)  # the declared previous rubric
    first = sentences[0]
    assert "2 chỉ tiêu mới (C4.11 Sử dụng phần mềm một cửa điện tử, C5.5 " in first
    assert "(C4.1, C5.3)" in first and "bỏ" not in first and "đổi mã" not in first
    text = " ".join(sentences)
    assert "điểm tối đa 7 → 5" in text and "điểm tối đa 5 → 3" in text
    assert "tiêu chí C4, C5" in text


def test_method_changes_without_changes(r15, r17):
    assert method_changes(r17, r17) == [
        "Hai năm dùng cùng phiếu đánh giá 2017: các chỉ tiêu, điểm tối đa và cách chấm không "
        "đổi, nên điểm từng chỉ tiêu so sánh được trực tiếp."]
    assert "không khai báo phiếu năm trước" in method_changes(r15)[0]


# --------------------------------------------------------------------------- percentages

def points(rows: list[tuple]) -> pd.DataFrame:
    return pd.DataFrame(rows, columns=["year", "unit_id", "indicator", "points", "max_points",
                                       "status"])


POINTS_16_17 = points([
    # unit A, 2016
    (2016, "A", "C1.1", 2, 4, "scored"),       # 50%
    (2016, "A", "C2.3", 1, 2, "scored"),       # 50% of 2016's max 2
    (2016, "A", "C2.7", 3, 3, "scored"),       # server room (2016 code), 100%
    (2016, "A", "C2.8", 1, 1, "scored"),       # backup (2016 code), 100%
    (2016, "A", "C3.4", 2, 4, "scored"),       # 50%
    (2016, "A", "C4.2", 4, 4, "scored"),       # dropped in 2017: never compared
    (2016, "A", "C4.4", 2, 4, "scored"),
    # unit A, 2017
    (2017, "A", "C1.1", 4, 4, "scored"),       # 100% → +50
    (2017, "A", "C2.3", 1, 3, "scored"),       # 33.33% of 2017's max 3 → -16.67
    (2017, "A", "C2.7", 0, 1, "invalid"),      # backup (2017 code), 0% → -100
    (2017, "A", "C2.8", 1.5, 3, "scored"),     # server room (2017 code), 50% → -50
    (2017, "A", "C3.4", 3, 4, "scored"),       # 75% → +25
    (2017, "A", "C4.2", 2, 4, "scored"),       # new in 2017: never compared
    (2017, "A", "C4.4", None, 4, "na"),        # not applicable: left out
    # unit B only in 2017: nothing to compare with
    (2017, "B", "C1.1", 4, 4, "scored"),
])


def test_comparable_indicator_percent_by_hand(r16, r17):
    got = comparable_indicator_percent(POINTS_16_17, {2016: r16, 2017: r17})
    assert list(got.columns) == PERCENT_COLUMNS
    rows = [(r.indicator, r.previous_code, r.crosswalk, r.comparable, r.same_max, r.percent,
             r.previous_percent, r.change) for r in got.itertuples()]
    assert rows == [
        ("C1.1", "C1.1", "same", True, True, 100.0, 50.0, 50.0),
        ("C2.3", "C2.3", "changed", False, False, 33.33, 50.0, -16.67),
        ("C2.7", "C2.8", "renamed", True, True, 0.0, 100.0, -100.0),
        ("C2.8", "C2.7", "renamed", True, True, 50.0, 100.0, -50.0),
        ("C3.4", "C3.4", "changed", False, True, 75.0, 50.0, 25.0),
    ]
    assert set(got["year"]) == {2017} and set(got["previous_year"]) == {2016}
    assert set(got["unit_id"]) == {"A"}
    assert list(got["criterion"]) == ["C1", "C2", "C2", "C2", "C3"]


def test_only_strictly_comparable(r16, r17):
    got = comparable_indicator_percent(POINTS_16_17, {2016: r16, 2017: r17},
                                       include_changed=False)
    assert list(got["indicator"]) == ["C1.1", "C2.7", "C2.8"]
    assert got["comparable"].all()


def test_scored_only(r16, r17):
    got = comparable_indicator_percent(POINTS_16_17, {2016: r16, 2017: r17},
                                       statuses=("scored",))
    assert "C2.7" not in set(got["indicator"])


def test_changed_rule_kind_is_never_compared(r16):
    data = raw("2017")
    indicator(data, "C1.4")["rule"] = {"kind": "yes_no", "input": "C1.4"}
    indicator(data, "C1.4")["inputs"][0] = {"code": "C1.4", "type": "yes_no"}
    rubric = parse_rubric(data)
    assert by_code(crosswalk(rubric, r16), "C1.4")["detail"].startswith(
        "cách chấm theo bậc → có/không")
    frame = points([(2016, "A", "C1.4", 1, 2, "scored"), (2017, "A", "C1.4", 2, 2, "scored"),
                    (2016, "A", "C1.2", 2, 2, "scored"), (2017, "A", "C1.2", 0, 2, "scored")])
    got = comparable_indicator_percent(frame, {2016: r16, 2017: rubric})
    assert list(got["indicator"]) == ["C1.2"] and list(got["change"]) == [-100.0]


def test_three_years_and_a_gap(r15, r16, r17):
    frame = points([
        (2015, "A", "C4.1", 3.5, 7, "scored"),    # 50%
        (2016, "A", "C4.1", 4, 5, "scored"),      # 80%
        (2017, "A", "C4.1", 5, 5, "scored"),      # 100%
        (2015, "A", "C2.7", 1.5, 3, "scored"),    # server room, 50%
        (2016, "A", "C2.7", 3, 3, "scored"),      # server room, 100%
        (2017, "A", "C2.8", 0, 3, "scored"),      # server room, 0%
        (2016, "A", "C5.5", 2, 2, "scored"),      # new in 2016
        (2017, "A", "C5.5", 0, 2, "scored"),
    ])
    got = comparable_indicator_percent(frame, {2015: r15, 2016: r16, 2017: r17})
    rows = [(r.previous_year, r.year, r.indicator, r.previous_code, r.crosswalk, r.change)
            for r in got.itertuples()]
    assert rows == [
        (2015, 2016, "C2.7", "C2.7", "same", 50.0),
        (2015, 2016, "C4.1", "C4.1", "changed", 30.0),
        (2016, 2017, "C2.8", "C2.7", "renamed", -100.0),
        (2016, 2017, "C4.1", "C4.1", "same", 20.0),
        (2016, 2017, "C5.5", "C5.5", "same", -100.0),
    ]
    gap = comparable_indicator_percent(frame[frame["year"] != 2016], {2015: r15, 2017: r17})
    assert [(r.indicator, r.previous_code, r.crosswalk, r.percent, r.previous_percent)
            for r in gap.itertuples()] == [
        ("C2.8", "C2.7", "renamed", 0.0, 50.0),
        ("C4.1", "C4.1", "changed", 100.0, 50.0),
    ]


def test_points_scored_with_another_rubric_are_refused(r16, r17):
    frame = points([(2016, "A", "C2.3", 1, 3, "scored"), (2017, "A", "C2.3", 1, 3, "scored")])
    with pytest.raises(RubricError, match="điểm tối đa của C2.3"):
        comparable_indicator_percent(frame, {2016: r16, 2017: r17})
    frame = points([(2015, "A", "C5.5", 1, 2, "scored"), (2016, "A", "C5.5", 1, 2, "scored")])
    with pytest.raises(RubricError, match="C5.5 không có trong phiếu"):
        comparable_indicator_percent(frame, {2015: load_rubric("2015"), 2016: r16})


def test_nothing_to_compare(r17):
    assert comparable_indicator_percent(points([]), {2017: r17}).empty
    frame = points([(2017, "A", "C1.1", 4, 4, "scored")])
    got = comparable_indicator_percent(frame, {2016: load_rubric("2016"), 2017: r17})
    assert got.empty and list(got.columns) == PERCENT_COLUMNS


# --------------------------------------------------------------------------- end to end

def answers_for(rubric, answers: dict, **changes) -> dict:
    """`answers` restricted to the rubric's own input codes, with `changes`."""
    return {c: v for c, v in answers.items() if c in rubric.inputs} | changes


def test_2015_and_2016_templates_score_by_hand(make_round, valid_answers):
    # The 2017 answers of conftest, typed into each year's own template: 2015/2016 ask C2.7
    # for the server room (choice) and C2.8 for backups (yes/no); 2015 has no C4.11, C5.5.
    swapped = {"C2.7": valid_answers["C2.8"], "C2.8": valid_answers["C2.7"]}
    expected = {
        # C2.3 alone in its group → its max (2); C2.4 18/18 × 4 = 4; C2.7 1.5; C2.8 0;
        # C3.4 r = 0.5 in [0.3, 0.6): 0.5/0.6 × 4 = 3.333… → 3.33
        2016: ({"C2.3": 2, "C2.4": 4, "C2.7": 1.5, "C2.8": 0, "C3.4": 3.33, "C4.1": 5,
                "C4.2": 3, "C4.11": 2, "C5.3": 2, "C5.5": 0},
               # 10.25 + 16.6 + 10.73 + 26.4 + 9.4
               73.38),
        # 2015 also: C4.1 0.95 ≥ 0.9 → 7; C5.3 steps 1 → 3
        2015: ({"C2.3": 2, "C2.4": 4, "C2.7": 1.5, "C2.8": 0, "C3.4": 3.33, "C4.1": 7,
                "C4.2": 3, "C5.3": 3},
               # 10.25 + 16.6 + 10.73 + 26.4 + 10.4
               74.38),
    }
    results = {}
    for year, (points, score) in expected.items():
        rnd = make_round(year=year, deadline=dt.date(year, 8, 10), rubric_ref=str(year))
        rnd.add("SO_VP", answers_for(rnd.rubric, valid_answers, G03=dt.date(year, 8, 1),
                                     **swapped))
        result = rnd.score()
        got = result.points.set_index("indicator")["points"].to_dict()
        assert {c: got[c] for c in points} == points
        assert len(got) == len(rnd.rubric.indicators)
        assert result.scores["score"].tolist() == [score]
        results[year] = result.points
    frame = pd.concat(results.values(), ignore_index=True)
    got = comparable_indicator_percent(frame, {2015: load_rubric("2015"),
                                               2016: load_rubric("2016")})
    # Same answers both years: every strictly comparable percentage is unchanged; only C5.3,
    # whose steps were rescaled (3 of 5 = 60% → 2 of 3 = 66.67%), moves, and it is flagged.
    assert set(got["indicator"]) == {i.code for i in load_rubric("2015").indicators}
    assert (got.loc[got["comparable"], "change"] == 0).all()
    moved = got[got["change"] != 0]
    assert [(r.indicator, r.comparable, r.same_max, r.previous_percent, r.percent, r.change)
            for r in moved.itertuples()] == [("C5.3", False, False, 60.0, 66.67, 6.67)]
    assert set(got.loc[~got["comparable"], "indicator"]) == {"C4.1", "C5.3"}
