"""Policy lives in the rubric file: tier names (and their order), the tiers and criterion
floor that call for remedies, group names and the general codes intake reads. Shipped
rubrics state them; older files get the former defaults; bad values are refused in
Vietnamese; the analyses, sentences and intake follow what the file says."""

from __future__ import annotations

import copy
import datetime as dt
import doctest
from fractions import Fraction
from pathlib import Path

import pytest
import yaml
from conftest import VALID_ANSWERS
from test_analysis import make_points, make_register, make_scores

from cntt_analysis import analysis as A
from cntt_analysis import labels
from cntt_analysis.intake.templates import build_template, template_cells
from cntt_analysis.labels import (
    TIER_COLORS,
    TIER_FILLS,
    TIER_PALETTE,
    tier_colors,
)
from cntt_analysis.report import sentences as S
from cntt_analysis.rubric.model import (
    RUBRIC_DIR,
    GeneralCodes,
    RubricError,
    load_rubric,
    parse_rubric,
    shipped_rubrics,
)

_SHIPPED = yaml.safe_load((RUBRIC_DIR / "2017.yaml").read_text(encoding="utf-8"))
POLICY_KEYS = ("group_short", "remedy_tiers", "criterion_floor", "general_codes")


def fresh(**changes: object) -> dict:
    data = copy.deepcopy(_SHIPPED)
    del data["previous"], data["dropped"]  # no crosswalk: the tests change only the policy
    data.update(changes)
    return data


def refused(data: dict) -> str:
    with pytest.raises(RubricError) as info:
        parse_rubric(data, source="thu.yaml")
    message = str(info.value)
    assert message.startswith("thu.yaml")
    return message


# ------------------------------------------------------------------------ shipped rubrics


@pytest.mark.parametrize("name", shipped_rubrics())
def test_shipped_rubrics_state_the_policy(name):
    rubric = load_rubric(name)
    text = (RUBRIC_DIR / f"{name}.yaml").read_text(encoding="utf-8")
    assert all(f"\n{key}:" in text for key in POLICY_KEYS)  # stated, not defaulted
    assert rubric.tier_names == ("Tốt", "Khá", "Trung bình", "Yếu")
    assert rubric.remedy_tiers == ("Trung bình", "Yếu")
    assert rubric.criterion_floor == 50
    assert rubric.groups == {"so": "Khối phòng, đơn vị trực thuộc Sở",
                             "huyen": "Khối Phòng TN&MT cấp huyện"}
    assert rubric.group_short == {"so": "Khối Sở", "huyen": "Khối huyện"}
    assert rubric.general_codes == GeneralCodes("G01", "G02", "G03")
    # The fallbacks in labels (outputs drawn without a rubric) agree with every shipped file.
    assert list(TIER_COLORS) == list(TIER_FILLS) == list(rubric.tier_names)


def test_an_older_file_without_the_keys_gets_the_former_defaults():
    data = fresh()
    for key in POLICY_KEYS:
        del data[key]
    rubric = parse_rubric(data)
    assert rubric.remedy_tiers == ("Trung bình", "Yếu")  # the lower half of the tiers
    assert rubric.criterion_floor == 50
    assert rubric.group_short == rubric.groups  # the full names
    assert rubric.general_codes == GeneralCodes("G01", "G02", "G03")
    assert rubric.group_label("so", short=True) == "Khối phòng, đơn vị trực thuộc Sở"
    assert rubric.group_label("khac") == "khac"


def test_tier_colours_follow_the_rubric_order():
    assert tier_colors(["A", "B", "C"]) == {"A": "#2E7D32", "B": "#1565C0", "C": "#C62828"}
    assert tier_colors(load_rubric("2017").tier_names) == TIER_COLORS
    five = tier_colors(["A", "B", "C", "D", "E"])
    assert five["A"] == TIER_PALETTE[0] and five["E"] == TIER_PALETTE[-1]
    assert five["C"] == five["D"] == TIER_PALETTE[-2]  # extra middle tiers share a colour
    assert doctest.testmod(labels).failed == 0  # the example in tier_colors' docstring


# ------------------------------------------------------------------------------ refused


@pytest.mark.parametrize("changes,expected", [
    ({"remedy_tiers": ["Kém"]}, "'remedy_tiers' ghi xếp loại Kém không có trong mục 'tiers'"),
    ({"remedy_tiers": "Yếu"}, "'remedy_tiers' phải là danh sách tên xếp loại"),
    ({"criterion_floor": 120}, "'criterion_floor' là tỷ lệ phần trăm, phải từ 0 đến 100"),
    ({"criterion_floor": "năm mươi"}, "'năm mươi' không phải là số"),
    ({"group_short": {"tinh": "Khối tỉnh"}}, "'group_short' có nhóm tinh không có trong mục "
                                             "'groups'"),
    ({"group_short": ["Khối Sở"]}, "'group_short' phải là bảng mã nhóm → tên nhóm"),
    ({"groups": {"so": None}}, "'groups' phải là bảng mã nhóm → tên nhóm"),
    ({"general_codes": {"unit": "G01"}}, "'general_codes' chỉ gồm các khóa unit_name, year, "
                                         "report_date"),
    ({"general_codes": {"unit_name": "G05"}},
     "'general_codes.unit_name' (tên đơn vị) cần một mục thông tin chung kiểu 'text' nhưng "
     "mục G05 có kiểu 'count'"),
    ({"general_codes": {"report_date": "G99"}},
     "'general_codes.report_date' (ngày lập báo cáo) cần một mục thông tin chung kiểu 'date' "
     "nhưng không có mục G99 trong phần thông tin chung"),
])
def test_bad_policy_is_refused_in_vietnamese(changes, expected):
    assert expected in refused(fresh(**changes))


# ---------------------------------------------------------------- behaviour follows the file


def test_remedy_policy_comes_from_the_rubric():
    strict = parse_rubric(fresh(criterion_floor=40, remedy_tiers=["Yếu"]))
    default = A.units_to_remedy(make_scores(), make_points(), load_rubric("2017"), 2017)
    assert list(default["unit_id"]) == ["S4", "S1", "H1", "H2", "H3"]
    out = A.units_to_remedy(make_scores(), make_points(), strict, 2017)
    # S1 (C3 45%) is above a 40% floor; the huyen units are Trung bình, no longer a remedy tier
    assert list(out["unit_id"]) == ["S4"]
    assert out["reasons"].iloc[0] == "Xếp loại Yếu; tiêu chí đạt dưới 40%: C1 (30,0%)."


def test_sentences_use_the_rubric_names_and_tiers(tmp_path):
    from conftest import results_from_frames

    from cntt_analysis.report.facts import year_facts

    renamed = parse_rubric(fresh(
        groups={"so": "Các phòng chuyên môn", "huyen": "Các phòng huyện"},
        group_short={"so": "Phòng Sở", "huyen": "Phòng huyện"}, remedy_tiers=["Yếu"]))
    res = results_from_frames(tmp_path, make_scores(), make_register(), make_points(),
                              rubric=renamed)
    text = " ".join(S.summary_sentences(year_facts(res, 2017)))
    assert "thuộc các phòng chuyên môn" in text and "Các phòng huyện:" in text
    assert "Khối" not in text
    assert "đơn vị xếp loại Yếu hoặc có tiêu chí đạt dưới 50% cần chỉ đạo khắc phục" in text
    assert "Trung bình, Yếu" not in text


def test_group_order_and_tier_order_follow_the_rubric():
    flipped = parse_rubric(fresh(groups={"huyen": "Khối huyện", "so": "Khối Sở"}))
    assert A.group_order(["so", "huyen", "khac"], flipped) == ["huyen", "so", "khac"]
    assert A.group_order(["huyen", "so", "khac"]) == ["so", "huyen", "khac"]  # default rubric
    renamed = [{**t, "name": n} for t, n in zip(_SHIPPED["tiers"], ["A", "B", "C", "D"])]
    rubric = parse_rubric(fresh(tiers=renamed, remedy_tiers=["C", "D"]))
    assert rubric.tier_names == ("A", "B", "C", "D")
    scores = make_scores().assign(tier=lambda f: f["score"].map(rubric.tier_for))
    averages = A.group_averages(scores, tiers=rubric.tier_names)
    assert list(averages.columns[-4:]) == ["A", "B", "C", "D"]
    assert int(averages[["A", "B", "C", "D"]].to_numpy().sum()) == len(scores)


RENAMED_CODES = {"G01": "TEN", "G02": "NAM", "G03": "NGAY"}


def _renamed_general(tmp_path: Path) -> Path:
    """The 2017 rubric with the name, year and date under other codes, as a user file."""
    data = fresh(general_codes={"unit_name": "TEN", "year": "NAM", "report_date": "NGAY"})
    for item in data["general"]["inputs"]:
        item["code"] = RENAMED_CODES.get(item["code"], item["code"])
    path = tmp_path / "phieu-rieng.yaml"
    path.write_text(yaml.safe_dump(data, allow_unicode=True, sort_keys=False), encoding="utf-8")
    return path


def test_templates_prefill_the_rubrics_general_codes(tmp_path):
    rubric = load_rubric(_renamed_general(tmp_path))
    wb = build_template(rubric, 2017, "SO_VP", "Văn phòng Sở")
    cells = template_cells(rubric)
    sheet, address = cells["TEN"]
    assert wb[sheet][address].value == "Văn phòng Sở"
    assert wb[cells["NAM"][0]][cells["NAM"][1]].value == 2017
    blank = build_template(rubric, 2017)
    guide = [c.value for c in blank["Hướng dẫn"]["A"] if c.value]
    assert "Đơn vị: (ghi tên đơn vị ở mục TEN)" in guide
    assert any("Ngày lập báo cáo (NGAY)" in line for line in guide)


def test_intake_reads_name_year_and_date_from_the_rubrics_codes(tmp_path, make_round):
    rnd = make_round(rubric_ref=str(_renamed_general(tmp_path)))
    answers = {RENAMED_CODES.get(k, k): v for k, v in VALID_ANSWERS.items()}
    # No hidden unit id: the unit is found from the typed name; its report is 5 days late.
    rnd.add("SO_VP", {**answers, "TEN": "Văn phòng Sở", "NGAY": dt.date(2017, 8, 15)},
            hidden=False)
    rnd.add("SO_CCQLDD", {**answers, "NAM": 2016})  # a report for the wrong year
    result = rnd.score()
    register = result.register.set_index(["unit_id", "file"])
    late = register.loc[("SO_VP", "SO_VP.xlsx")]
    assert late["status"] == "Nộp muộn"
    assert late["report_date"] == dt.datetime(2017, 8, 15)
    assert register.loc[("SO_CCQLDD", "SO_CCQLDD.xlsx"), "status"] == "Không được chấm"
    issues = result.issues.set_index("code")
    assert issues.loc["late", "cell"] == template_cells(rnd.rubric)["NGAY"][1]
    assert issues.loc["year_mismatch", "cell"] == template_cells(rnd.rubric)["NAM"][1]
    assert list(result.scores["unit_id"]) == ["SO_VP"]
    assert Fraction(str(result.scores["score"].iloc[0])) > 0
