"""The rubric as data: the shipped 2017 rubric matches the specification
(shared/domain/rubric-2017.md, sections 1-3), and broken rubrics are refused with a
Vietnamese message."""

from __future__ import annotations

import copy
from fractions import Fraction
from pathlib import Path

import pytest
import yaml

from cntt_analysis.errors import UsageError
from cntt_analysis.rubric.model import (
    RUBRIC_DIR,
    RubricError,
    load_rubric,
    parse_rubric,
    shipped_rubrics,
)

YAML_2017 = RUBRIC_DIR / "2017.yaml"
_SHIPPED = yaml.safe_load(YAML_2017.read_text(encoding="utf-8"))

# Section 2 of the specification, indicator by indicator: maximum points.
SPEC_MAX = {
    "C1.1": 4, "C1.2": 2, "C1.3": 3, "C1.4": 2, "C1.5": 1, "C1.6": 3,
    "C2.1": 4, "C2.2": 3, "C2.3": 3, "C2.4": 3, "C2.5": 2, "C2.6": 1, "C2.7": 1, "C2.8": 3,
    "C3.1": 3, "C3.2": 3, "C3.3": 3, "C3.4": 4, "C3.5": 2,
    "C4.1": 5, "C4.2": 4, "C4.3": 3, "C4.4": 4, "C4.5": 4, "C4.6": 4, "C4.7": 3, "C4.8": 2,
    "C4.9": 2, "C4.10": 2, "C4.11": 2,
    "C5.1": 5, "C5.2": 3, "C5.3": 3, "C5.4": 2, "C5.5": 2,
}
SPEC_CRITERIA = {"C1": 15, "C2": 20, "C3": 15, "C4": 35, "C5": 15}
# Section 1 and the "answer" column of section 2: every input code and its type.
SPEC_INPUTS = {
    "G01": "text", "G02": "year", "G03": "date", "G04": "text", "G05": "count",
    "G06": "count", "G07": "count", "G08": "count", "G09": "count", "G10": "count",
    "G11": "amount", "G12": "text",
    "C1.1": "choice", "C1.2": "yes_no", "C1.3": "yes_no", "C1.4": "count", "C1.5": "yes_no",
    "C1.6a": "count", "C1.6b": "count",
    "C2.2": "count", "C2.3": "amount", "C2.4": "count", "C2.5": "yes_no", "C2.6": "yes_no",
    "C2.7": "yes_no", "C2.8": "choice",
    "C3.1": "choice", "C3.2a": "count", "C3.2b": "count", "C3.3": "count", "C3.4": "count",
    "C3.5": "count",
    "C4.1": "count", "C4.2": "count", "C4.3": "count", "C4.4": "count", "C4.5": "count",
    "C4.6": "choice", "C4.7": "count", "C4.8": "choice", "C4.9": "choice", "C4.10a": "count",
    "C4.10b": "count", "C4.11": "yes_no",
    "C5.1": "amount", "C5.2a": "amount", "C5.2b": "amount", "C5.3": "count", "C5.4": "count",
    "C5.5": "yes_no",
}
SPEC_KIND = {
    "C1.1": "choice", "C1.2": "yes_no", "C1.3": "yes_no", "C1.4": "steps", "C1.5": "yes_no",
    "C1.6": "ratio", "C2.1": "ratio", "C2.2": "ratio", "C2.3": "best_in_group",
    "C2.4": "ratio", "C2.5": "yes_no", "C2.6": "yes_no", "C2.7": "yes_no", "C2.8": "choice",
    "C3.1": "choice", "C3.2": "ratio", "C3.3": "ratio", "C3.4": "threshold", "C3.5": "steps",
    "C4.1": "threshold", "C4.2": "ratio", "C4.3": "ratio", "C4.4": "ratio",
    "C4.5": "threshold", "C4.6": "choice", "C4.7": "steps", "C4.8": "choice",
    "C4.9": "choice", "C4.10": "ratio", "C4.11": "yes_no", "C5.1": "target", "C5.2": "ratio",
    "C5.3": "steps", "C5.4": "ratio", "C5.5": "yes_no",
}
SPEC_CHOICES = {
    "C1.1": {"Ban hành trước 31/01": 4, "Ban hành sau 31/01": 2, "Chưa ban hành": 0},
    "C2.8": {"Đạt yêu cầu kỹ thuật": 3, "Có, chưa đạt yêu cầu": 1.5, "Không có": 0},
    "C3.1": {"Chuyên trách": 3, "Kiêm nhiệm": 1.5, "Không có": 0},
    "C4.6": {"Chưa có": 0, "Có, chưa cập nhật thường xuyên": 1, "Cập nhật thường xuyên": 2.5,
             "Vận hành, khai thác và chia sẻ trực tuyến": 4},
    "C4.8": {"Không sử dụng": 0, "Có sử dụng": 1, "Sử dụng thường xuyên trong nghiệp vụ": 2},
    "C4.9": {"Không cập nhật": 0, "Không thường xuyên": 1, "Hằng tháng trở lên": 2},
}
# "count ≤ X" in the answer column.
SPEC_AT_MOST = {
    "C1.6b": ("C1.6a",), "C2.2": ("G06",), "C2.4": ("G06",), "C3.2b": ("C3.2a",),
    "C3.3": ("G05",), "C3.4": ("G05",), "C4.1": ("G07", "G08"), "C4.2": ("G07",),
    "C4.3": ("G05",), "C4.4": ("G09",), "C4.5": ("G10",), "C4.10b": ("C4.10a",),
    "C5.1": ("G11",), "C5.2b": ("C5.2a",), "C5.4": ("G06",),
}


@pytest.fixture(scope="module")
def rubric():
    return load_rubric("2017")


def fresh() -> dict:
    """The shipped rubric as a plain, freely mutable mapping."""
    return copy.deepcopy(_SHIPPED)


def indicator(data: dict, code: str) -> dict:
    for crit in data["criteria"]:
        for ind in crit["indicators"]:
            if ind["code"] == code:
                return ind
    raise KeyError(code)


def criterion(data: dict, code: str) -> dict:
    return next(c for c in data["criteria"] if c["code"] == code)


def refused(data: object) -> str:
    with pytest.raises(RubricError) as info:
        parse_rubric(data, source="thu.yaml")
    message = str(info.value)
    assert message.startswith("thu.yaml")  # names the file
    return message


# --------------------------------------------------------------------------- shipped rubric

def test_shipped_rubric_is_listed():
    assert "2017" in shipped_rubrics()


def test_load_by_name_and_by_path_agree(rubric):
    by_path = load_rubric(YAML_2017)
    assert by_path.id == rubric.id == "2017"
    assert [i.code for i in by_path.indicators] == [i.code for i in rubric.indicators]


def test_total_and_criteria(rubric):
    assert rubric.total == 100
    assert {c.code: c.max_points for c in rubric.criteria} == SPEC_CRITERIA
    assert sum(c.max_points for c in rubric.criteria) == 100
    assert [c.code for c in rubric.criteria] == ["C1", "C2", "C3", "C4", "C5"]


def test_thirty_five_indicators_with_spec_maxima(rubric):
    assert len(rubric.indicators) == 35
    assert {i.code: i.max_points for i in rubric.indicators} == SPEC_MAX
    for crit in rubric.criteria:
        assert all(i.criterion == crit.code for i in crit.indicators)
        assert all(i.code.startswith(crit.code + ".") for i in crit.indicators)
        assert sum(i.max_points for i in crit.indicators) == crit.max_points


def test_every_input_code_exists_with_its_type(rubric):
    assert {c: i.type for c, i in rubric.inputs.items()} == SPEC_INPUTS
    assert len(rubric.inputs) == 50


def test_general_inputs(rubric):
    assert [i.code for i in rubric.general] == [f"G{n:02d}" for n in range(1, 13)]
    assert {i.sheet for i in rubric.general} == {"Thông tin chung"}
    assert rubric.inputs["G05"].minimum == 1
    assert all(rubric.inputs[c].minimum == 0 for c in ("G06", "G07", "G08", "G09", "G10"))
    assert not rubric.inputs["G04"].required and not rubric.inputs["G12"].required


def test_rule_kinds(rubric):
    assert {i.code: i.rule.kind for i in rubric.indicators} == SPEC_KIND


def test_choice_points(rubric):
    for code, points in SPEC_CHOICES.items():
        ind = next(i for i in rubric.indicators if i.code == code)
        assert set(rubric.inputs[code].choices) == set(points)
        got = {k: Fraction(str(v)) for k, v in ind.rule.params["points"].items()}
        assert got == {k: Fraction(str(v)) for k, v in points.items()}


def test_only_c46_allows_not_applicable(rubric):
    assert [c for c, i in rubric.inputs.items() if i.allow_na] == ["C4.6"]


def test_limits(rubric):
    limits = {c: i.at_most for c, i in rubric.inputs.items() if i.at_most}
    assert limits == SPEC_AT_MOST


def test_rule_parameters(rubric):
    rules = {i.code: i.rule for i in rubric.indicators}
    frac = lambda v: Fraction(str(v))  # noqa: E731
    assert rules["C2.1"].numerator == "G06" and rules["C2.1"].denominator == ("G05",)
    assert frac(rules["C2.1"].params["cap"]) == 1
    assert [c for c, r in rules.items() if "cap" in r.params] == ["C2.1"]
    assert rules["C2.3"].numerator == "C2.3" and rules["C2.3"].denominator == ("G05",)
    assert (frac(rules["C3.4"].params["full"]), frac(rules["C3.4"].params["floor"])) \
        == (Fraction(7, 10), Fraction(35, 100))
    assert rules["C4.1"].denominator == ("G07", "G08")
    assert (frac(rules["C4.1"].params["full"]), frac(rules["C4.1"].params["floor"])) \
        == (Fraction(9, 10), Fraction(1, 2))
    assert (frac(rules["C4.5"].params["full"]), frac(rules["C4.5"].params["floor"])) \
        == (Fraction(1, 2), Fraction(1, 5))
    assert frac(rules["C5.1"].params["target"]) == Fraction(1, 100)
    assert rules["C5.1"].denominator == ("G11",)
    na = {c: set(r.na_if_zero) for c, r in rules.items() if r.na_if_zero}
    assert na == {"C4.4": {"G09"}, "C4.5": {"G09", "G10"}, "C4.10": {"C4.10a"},
                  "C4.11": {"G09"}}
    steps = {c: [(frac(a), frac(b)) for a, b in r.params["steps"]]
             for c, r in rules.items() if r.kind == "steps"}
    assert {c: sorted(s, reverse=True) for c, s in steps.items()} == {
        "C1.4": [(2, 2), (1, 1), (0, 0)],
        "C3.5": [(2, 2), (1, 1), (0, 0)],
        "C4.7": [(3, 3), (2, 2), (1, 1), (0, 0)],
        "C5.3": [(2, 3), (1, 2), (0, 0)],
    }
    ratios = {c: (r.numerator, r.denominator) for c, r in rules.items() if r.kind == "ratio"}
    assert ratios == {
        "C1.6": ("C1.6b", ("C1.6a",)), "C2.1": ("G06", ("G05",)), "C2.2": ("C2.2", ("G06",)),
        "C2.4": ("C2.4", ("G06",)), "C3.2": ("C3.2b", ("C3.2a",)), "C3.3": ("C3.3", ("G05",)),
        "C4.2": ("C4.2", ("G07",)), "C4.3": ("C4.3", ("G05",)), "C4.4": ("C4.4", ("G09",)),
        "C4.10": ("C4.10b", ("C4.10a",)), "C5.2": ("C5.2b", ("C5.2a",)),
        "C5.4": ("C5.4", ("G06",)),
    }


def test_tiers_and_groups(rubric):
    assert [(t.name, t.minimum) for t in rubric.tiers] == [
        ("Tốt", 85), ("Khá", 70), ("Trung bình", 50), ("Yếu", 0)]
    assert set(rubric.groups) == {"so", "huyen"}


@pytest.mark.parametrize("score,tier", [
    (100, "Tốt"), (85, "Tốt"), (85.0, "Tốt"), (84.99, "Khá"), (70, "Khá"), (69.99, "Trung bình"),
    (50, "Trung bình"), (49.99, "Yếu"), (0, "Yếu"),
])
def test_tier_for_boundaries(rubric, score, tier):
    assert rubric.tier_for(score) == tier


def test_inputs_carry_their_sheet_and_indicator(rubric):
    sheets = {c.code: c.sheet for c in rubric.criteria}
    for ind in rubric.indicators:
        for inp in ind.inputs:
            assert inp.sheet == sheets[ind.criterion]
            assert inp.indicator == ind.code
    assert len(set(rubric.sheets())) == 6
    assert all(len(s) <= 31 for s in rubric.sheets())  # Excel's sheet-name limit


def test_a_changed_but_consistent_rubric_loads():
    # The IT Centre moves one point from C1.5 to C1.1 and lowers C3.4's floor.
    data = fresh()
    indicator(data, "C1.1")["max"] = 5
    indicator(data, "C1.1")["rule"]["points"]["Ban hành trước 31/01"] = 5
    indicator(data, "C1.5")["max"] = 0
    indicator(data, "C3.4")["rule"]["floor"] = 0.2
    rubric = parse_rubric(data)
    maxima = {i.code: i.max_points for i in rubric.indicators}
    assert maxima["C1.1"] == 5 and maxima["C1.5"] == 0
    c34 = next(i for i in rubric.indicators if i.code == "C3.4")
    assert Fraction(str(c34.rule.params["floor"])) == Fraction(1, 5)


# --------------------------------------------------------------------------- broken rubrics

def test_rubric_error_is_a_usage_error():
    assert issubclass(RubricError, UsageError)


def test_unknown_rule_kind():
    data = fresh()
    indicator(data, "C1.4")["rule"]["kind"] = "percent"
    message = refused(data)
    assert "C1.4" in message and "percent" in message
    assert "không hợp lệ" in message


def test_missing_rule():
    data = fresh()
    del indicator(data, "C1.2")["rule"]
    message = refused(data)
    assert "C1.2" in message and "không hợp lệ" in message


def test_indicator_points_do_not_add_up_to_criterion():
    data = fresh()
    indicator(data, "C1.1")["max"] = 5  # 5 + 2 + 3 + 2 + 1 + 3 = 16
    indicator(data, "C1.1")["rule"]["points"]["Ban hành trước 31/01"] = 5
    message = refused(data)
    assert "tiêu chí C1" in message
    assert "15" in message and "16" in message
    assert "cộng lại" in message


def test_indicator_points_below_criterion_max():
    data = fresh()
    indicator(data, "C2.6")["max"] = 0.5  # C2 now adds up to 19.5
    message = refused(data)
    assert "tiêu chí C2" in message and "19.5" in message


def test_criteria_do_not_add_up_to_total():
    data = fresh()
    data["total"] = 90
    message = refused(data)
    assert "tổng điểm" in message and "90" in message and "100" in message


def test_criterion_and_indicators_changed_but_not_total():
    data = fresh()
    criterion(data, "C5")["max"] = 16
    indicator(data, "C5.5")["max"] = 3  # C5 consistent (16), total now 101
    message = refused(data)
    assert "tổng điểm" in message and "101" in message


def test_duplicate_input_code():
    data = fresh()
    indicator(data, "C1.2")["inputs"][0]["code"] = "C1.3"
    indicator(data, "C1.2")["rule"]["input"] = "C1.3"
    message = refused(data)
    assert "bị trùng" in message and "C1.3" in message
    assert "mã câu trả lời" in message


def test_duplicate_indicator_code():
    data = fresh()
    indicator(data, "C1.3")["code"] = "C1.2"
    message = refused(data)
    assert "mã chỉ tiêu bị trùng" in message and "C1.2" in message


def test_duplicate_criterion_code():
    data = fresh()
    criterion(data, "C5")["code"] = "C4"
    message = refused(data)
    assert "mã tiêu chí bị trùng" in message and "C4" in message


def test_duplicate_general_code():
    data = fresh()
    data["general"]["inputs"][1]["code"] = "G01"
    assert "G01" in refused(data)


@pytest.mark.parametrize("code,key,value", [
    ("C2.2", "numerator", "C2.99"),
    ("C2.2", "denominator", "G66"),
    ("C4.1", "denominator", ["G07", "G88"]),
    ("C1.2", "input", "C1.22"),
    ("C4.4", "na_if_zero", ["G99"]),
])
def test_rule_referencing_unknown_input(code, key, value):
    data = fresh()
    indicator(data, code)["rule"][key] = value
    message = refused(data)
    unknown = value[-1] if isinstance(value, list) else value
    assert code in message and f"'{unknown}'" in message
    assert "không có trong phiếu" in message


def test_limit_referencing_unknown_input():
    data = fresh()
    indicator(data, "C2.2")["inputs"][0]["at_most"] = ["G60"]
    message = refused(data)
    assert "C2.2" in message and "'G60'" in message and "không có trong phiếu" in message


def test_choice_points_missing_a_label():
    data = fresh()
    del indicator(data, "C2.8")["rule"]["points"]["Không có"]
    message = refused(data)
    assert "C2.8" in message and "không khớp" in message


def test_choice_points_for_an_unknown_label():
    data = fresh()
    points = indicator(data, "C3.1")["rule"]["points"]
    points["Chuyen trach"] = points.pop("Chuyên trách")  # misspelt key
    message = refused(data)
    assert "C3.1" in message and "không khớp" in message


def test_choice_point_above_indicator_max():
    data = fresh()
    indicator(data, "C4.8")["rule"]["points"]["Sử dụng thường xuyên trong nghiệp vụ"] = 3
    message = refused(data)
    assert "C4.8" in message and "vượt điểm tối đa" in message


def test_steps_above_indicator_max():
    data = fresh()
    indicator(data, "C4.7")["rule"]["steps"] = [[3, 4], [1, 1]]
    message = refused(data)
    assert "C4.7" in message and "bậc điểm" in message


@pytest.mark.parametrize("steps", [[], [2, 1, 0], [[2]], [["hai", 2]], "2:2", [[2, 2, 1]],
                                   [[2, "hai"]]])
def test_malformed_steps(steps):
    data = fresh()
    indicator(data, "C1.4")["rule"]["steps"] = steps
    message = refused(data)
    assert "C1.4" in message


@pytest.mark.parametrize("code,missing", [
    ("C3.4", "floor"), ("C3.4", "full"), ("C5.1", "target"), ("C1.1", "points"),
    ("C1.4", "steps"), ("C1.6", "denominator"), ("C2.3", "numerator"), ("C1.2", "input"),
])
def test_missing_required_rule_key(code, missing):
    data = fresh()
    del indicator(data, code)["rule"][missing]
    message = refused(data)
    assert code in message and f"thiếu '{missing}'" in message


def test_unexpected_rule_key():
    data = fresh()
    indicator(data, "C1.2")["rule"]["threshold"] = 0.5
    message = refused(data)
    assert "C1.2" in message and "thừa 'threshold'" in message


@pytest.mark.parametrize("full,floor", [(0.5, 0.7), (0, 0), (0.7, -0.1)])
def test_bad_threshold(full, floor):
    data = fresh()
    indicator(data, "C3.4")["rule"].update(full=full, floor=floor)
    message = refused(data)
    assert "C3.4" in message and "ngưỡng" in message


@pytest.mark.parametrize("target", [0, -0.01])
def test_bad_target(target):
    data = fresh()
    indicator(data, "C5.1")["rule"]["target"] = target
    message = refused(data)
    assert "C5.1" in message and "lớn hơn 0" in message


def test_yes_no_rule_on_a_count():
    data = fresh()
    indicator(data, "C1.2")["rule"]["input"] = "C1.4"
    message = refused(data)
    assert "C1.2" in message and "yes_no" in message


def test_unknown_input_type():
    data = fresh()
    indicator(data, "C1.4")["inputs"][0]["type"] = "integer"
    message = refused(data)
    assert "C1.4" in message and "'integer'" in message and "không hợp lệ" in message


def test_max_not_a_number():
    data = fresh()
    indicator(data, "C1.5")["max"] = "một"
    message = refused(data)
    assert "'một'" in message and "không phải là số" in message


@pytest.mark.parametrize("key", ["id", "total", "tiers", "general", "criteria"])
def test_missing_top_level_key(key):
    data = fresh()
    del data[key]
    message = refused(data)
    assert f"thiếu mục bắt buộc '{key}'" in message


@pytest.mark.parametrize("data", [None, [], "2017", 100])
def test_not_a_mapping(data):
    assert "mapping" in refused(data)


# --------------------------------------------------------------------------- files on disk

def write(path: Path, data: object) -> Path:
    path.write_text(yaml.safe_dump(data, allow_unicode=True, sort_keys=False), encoding="utf-8")
    return path


def test_load_valid_copy_from_disk(tmp_path):
    path = write(tmp_path / "copy.yaml", fresh())
    rubric = load_rubric(path)
    assert len(rubric.indicators) == 35 and rubric.total == 100
    assert rubric.source == "copy.yaml"


def test_load_broken_rubric_from_disk(tmp_path):
    data = fresh()
    indicator(data, "C4.9")["max"] = 3  # C4 adds up to 36
    path = write(tmp_path / "hong.yaml", data)
    with pytest.raises(RubricError) as info:
        load_rubric(path)
    message = str(info.value)
    assert message.startswith("hong.yaml")
    assert "tiêu chí C4" in message and "35" in message and "36" in message


def test_load_rubric_with_unknown_kind_from_disk(tmp_path):
    data = fresh()
    indicator(data, "C2.5")["rule"]["kind"] = "co_khong"
    with pytest.raises(RubricError, match="co_khong"):
        load_rubric(write(tmp_path / "kind.yaml", data))


def test_load_unparsable_yaml(tmp_path):
    path = tmp_path / "vo.yaml"
    path.write_text("id: '2017\ntotal: [100\n", encoding="utf-8")
    with pytest.raises(RubricError, match="không đọc được"):
        load_rubric(path)


def test_load_missing_file_lists_shipped_rubrics(tmp_path):
    with pytest.raises(RubricError) as info:
        load_rubric(tmp_path / "khong-co.yaml")
    assert "Không tìm thấy" in str(info.value) and "2017" in str(info.value)


def test_load_unknown_shipped_name():
    with pytest.raises(RubricError, match="Không tìm thấy"):
        load_rubric("1999")


def test_tier_text_reads_the_tiers_of_the_rubric():
    assert load_rubric("2017").tier_text() == (
        "Tốt: từ 85 điểm; Khá: từ 70 đến dưới 85 điểm; Trung bình: từ 50 đến dưới 70 điểm; "
        "Yếu: dưới 50 điểm")


def test_numeric_choice_labels_score_like_text_labels():
    # Regression: choice points keyed by numbers in YAML crashed scoring with a KeyError.
    import yaml

    from cntt_analysis.rubric.model import RUBRIC_DIR

    data = yaml.safe_load((RUBRIC_DIR / "2017.yaml").read_text(encoding="utf-8"))
    c41 = next(i for c in data["criteria"] for i in c["indicators"] if i["code"] == "C4.8")
    c41["inputs"][0]["choices"] = [0, 1, 2]
    c41["rule"]["points"] = {0: 0, 1: 1, 2: 2}
    rubric = parse_rubric(data, check_previous=False)
    assert set(rubric.indicators[[i.code for i in rubric.indicators].index("C4.8")]
               .rule.params["points"]) == {"0", "1", "2"}
