"""`cntt new-round` (issue 10 §2): a new round in one command, the rubric copied from last
year, stale links refused when any command loads the round, reuse said plainly."""

from __future__ import annotations

import re
from pathlib import Path

import pytest
import yaml
from openpyxl import load_workbook
from typer.testing import CliRunner

from cntt_analysis.cli import app
from cntt_analysis.intake.rounds import load_round
from cntt_analysis.rubric.model import RUBRIC_DIR, RubricError, load_rubric, shipped_rubrics
from cntt_analysis.rubric.next_year import next_year_data, next_year_text


@pytest.fixture
def cntt():
    runner = CliRunner()

    def run(*args: str | Path):
        return runner.invoke(app, [str(a) for a in args])
    return run


def _failed(result, *phrases: str) -> None:
    assert result.exit_code == 2, result.output
    assert "Traceback" not in result.output
    assert result.stderr.startswith("Lỗi: ")
    for phrase in phrases:
        assert phrase in result.stderr, result.stderr


def test_new_round_creates_round_and_rubric_copied_from_last_year(cntt, make_round):
    raw = make_round().raw  # a 2017 round using the shipped 2017 rubric
    result = cntt("new-round", "--year", 2018, "--raw", raw)
    assert result.exit_code == 0, result.output
    folder = raw / "2018"
    assert sorted(p.name for p in folder.iterdir()) == ["round.yaml", "rubric-2018.yaml"]
    config = yaml.safe_load((folder / "round.yaml").read_text(encoding="utf-8"))
    assert config["rubric"] == "rubric-2018.yaml"
    assert str(config["deadline"]) == "2018-08-10"  # same day as last year's deadline
    text = (folder / "rubric-2018.yaml").read_text(encoding="utf-8")
    data = yaml.safe_load(text)
    assert (data["id"], data["previous"]) == ("2018", "2017")
    assert data["title"] == "Phiếu đánh giá kết quả ứng dụng công nghệ thông tin năm 2018"
    assert "dropped" not in data
    indicators = [i for c in data["criteria"] for i in c["indicators"]]
    assert not any("previous" in i for i in indicators)  # 2017's own links cleared
    assert "chương trình chỉ biết các cách chấm" in text  # comments kept
    rnd = load_round(raw, 2018)
    assert rnd.rubric.id == "2018" and rnd.rubric.previous_id == "2017"
    assert rnd.rubric.year == 2018 and rnd.warnings == ()
    assert Path(rnd.rubric.path).parent == folder.resolve()  # not inside the package
    assert not (RUBRIC_DIR / "2018.yaml").exists()
    assert [c for c, i in rnd.rubric.inputs.items() if i.evidence] == \
        [c for c, i in load_rubric("2017").inputs.items() if i.evidence]
    for step in ("Các bước tiếp theo", "cntt template --year 2018", "cntt score --year 2018",
                 "cntt inspection-template --year 2018", "cntt report --year 2018",
                 "van-ban/thong-bao/", "cntt finalise --year 2018 --by"):
        assert step in result.output


def test_new_round_refuses_to_overwrite(cntt, make_round):
    raw = make_round().raw
    assert cntt("new-round", "--year", 2018, "--raw", raw).exit_code == 0
    before = (raw / "2018" / "rubric-2018.yaml").read_bytes()
    _failed(cntt("new-round", "--year", 2018, "--raw", raw), "đã có", "không ghi đè")
    assert (raw / "2018" / "rubric-2018.yaml").read_bytes() == before
    _failed(cntt("new-round", "--year", 2017, "--raw", raw), "round.yaml")


def test_new_round_deadline_and_source_year(cntt, make_round):
    raw = make_round().raw
    _failed(cntt("new-round", "--year", 2018, "--deadline", "10/08/2018", "--raw", raw),
            "yyyy-mm-dd")
    assert not (raw / "2018").exists()
    _failed(cntt("new-round", "--year", 2016, "--raw", raw), "--from")
    result = cntt("new-round", "--year", 2018, "--deadline", "2018-07-31", "--from", 2017,
                  "--raw", raw)
    assert result.exit_code == 0, result.output
    assert load_round(raw, 2018).deadline.isoformat() == "2018-07-31"
    # The year after links to the round folder's rubric by a relative path.
    assert cntt("new-round", "--year", 2019, "--raw", raw).exit_code == 0
    rubric = load_round(raw, 2019).rubric
    assert rubric.previous == "../2018/rubric-2018.yaml" and rubric.previous_id == "2018"


def test_template_for_the_new_round_names_its_year(cntt, make_round, tmp_path):
    raw = make_round().raw
    missing = cntt("template", "--year", 2018, "--raw", raw, "--out", tmp_path / "none")
    _failed(missing, "cntt new-round --year 2018")
    assert cntt("new-round", "--year", 2018, "--raw", raw).exit_code == 0
    out = tmp_path / "bieu-mau"
    result = cntt("template", "--year", 2018, "--raw", raw, "--out", out, "--unit", "SO_VP")
    assert result.exit_code == 0, result.output
    wb = load_workbook(out / "SO_VP.xlsx")
    assert wb["_meta"]["B3"].value == "2018"
    assert wb["Hướng dẫn"]["A1"].value.endswith("NĂM 2018")
    assert wb["Hướng dẫn"]["A2"].value.endswith("năm 2018")


def test_missing_shipped_rubric_says_what_to_do():
    with pytest.raises(RubricError, match="cntt new-round --year NĂM"):
        load_rubric("2031")


def _stale_round(raw: Path) -> Path:
    """2017's rubric copied by hand for 2018: id changed, `previous: "2016"` left stale."""
    text = (RUBRIC_DIR / "2017.yaml").read_text(encoding="utf-8").replace(
        'id: "2017"', 'id: "2018"')
    (raw / "2018").mkdir()
    (raw / "2018" / "rubric-2018.yaml").write_text(text, encoding="utf-8")
    (raw / "2018" / "round.yaml").write_text("deadline: 2018-08-10\nrubric: rubric-2018.yaml\n",
                                             encoding="utf-8")
    return raw / "2018" / "rubric-2018.yaml"


def test_stale_link_to_last_year_fails_when_the_round_is_loaded(cntt, make_round, tmp_path):
    raw = make_round().raw
    path = _stale_round(raw)
    load_rubric(path)  # the file alone is valid: its crosswalk to 2016 is consistent
    with pytest.raises(RubricError) as info:
        load_round(raw, 2018)
    message = str(info.value)
    for phrase in (str(path.resolve()), "'previous: \"2016\"'", "đợt đánh giá năm 2017",
                   "Sửa thành 'previous: \"2017\"'", "cntt new-round"):
        assert phrase in message
    # Every command that loads the round says so at once (not deep inside the report).
    _failed(cntt("score", "--year", 2018, "--raw", raw, "--processed", tmp_path / "p"),
            "'previous: \"2016\"'")
    _failed(cntt("template", "--year", 2018, "--raw", raw, "--out", tmp_path / "t"),
            "'previous: \"2016\"'")
    _failed(cntt("inspection-template", "--year", 2018, "--raw", raw), "'previous: \"2016\"'")


def test_reusing_last_years_rubric_is_said_plainly(cntt, make_round, tmp_path):
    raw = make_round().raw
    (raw / "2018").mkdir()
    (raw / "2018" / "round.yaml").write_text("deadline: 2018-08-10\nrubric: '2017'\n",
                                             encoding="utf-8")
    rnd = load_round(raw, 2018)
    assert len(rnd.warnings) == 1
    assert "dùng phiếu đánh giá năm 2017" in rnd.warnings[0]
    out = tmp_path / "t"
    result = cntt("template", "--year", 2018, "--raw", raw, "--out", out, "--unit", "SO_VP")
    assert result.exit_code == 0, result.output
    assert "Lưu ý: Đợt đánh giá năm 2018 dùng phiếu đánh giá năm 2017" in result.stderr
    wb = load_workbook(out / "SO_VP.xlsx")
    assert wb["Hướng dẫn"]["A2"].value.endswith("năm 2017 (dùng cho báo cáo năm 2018)")
    assert load_round(raw, 2017).warnings == ()


@pytest.mark.parametrize("name", shipped_rubrics())
def test_copy_of_each_shipped_rubric_is_exactly_the_intended_yaml(name, tmp_path):
    source = RUBRIC_DIR / f"{name}.yaml"
    year = int(name) + 1
    text = next_year_text(source.read_text(encoding="utf-8"), year, int(name), name)
    want = next_year_data(yaml.safe_load(source.read_text(encoding="utf-8")), year, int(name),
                          name)
    assert yaml.safe_load(text) == want
    path = tmp_path / f"rubric-{year}.yaml"
    path.write_text(text.replace(f'previous: "{name}"', f'previous: "{source}"'),
                    encoding="utf-8")
    assert load_rubric(path).previous_id == name


def test_previous_must_be_an_earlier_year(tmp_path):
    text = (RUBRIC_DIR / "2015.yaml").read_text(encoding="utf-8")
    path = tmp_path / "2014.yaml"
    path.write_text(text.replace('id: "2015"', 'id: "2014"', 1).replace(
        "\ngeneral:", f'\nprevious: "{RUBRIC_DIR / "2016.yaml"}"\ndropped: [C4.2]\ngeneral:', 1),
        encoding="utf-8")
    with pytest.raises(RubricError, match="2014.yaml: mục 'previous: .*' trỏ đến phiếu năm 2016"):
        load_rubric(path)


PROJECT = Path(__file__).resolve().parents[1]
# Words of an English comment; a Vietnamese one has none of them (keys in `…` aside).
ENGLISH = {"the", "when", "of", "is", "are", "its", "and", "or", "see", "from",
           "to", "with", "this", "here", "only", "edit", "used", "explained", "holding"}
VIETNAMESE = re.compile(r"[àáảãạăắằẳẵặâấầẩẫậđèéẻẽẹêếềểễệìíỉĩịòóỏõọôốồổỗộơớờởỡợùúủũụưứừửữựỳýỷỹỵ]",
                        re.IGNORECASE)


def _comments(text: str) -> list[str]:
    """The comments of a YAML file (a "#" at a line's start or after a space)."""
    return [m.group(1).strip() for line in text.splitlines()
            if (m := re.search(r"(?:^|\s)#(.*)$", line)) and m.group(1).strip()]


def _check_comments(text: str, where: str) -> None:
    comments = _comments(text)
    assert comments, where
    readme = (PROJECT / "README.md").read_text(encoding="utf-8")
    sections = set(re.findall(r"^#+ (.+)$", readme, re.MULTILINE))
    for comment in comments:
        plain = re.sub(r"`[^`]*`|'[^']*'|\"[^\"]*\"", " ", comment)
        words = {w.lower() for w in re.findall(r"\w+", plain)}
        assert not words & ENGLISH, (where, comment)
        if len(plain.split()) >= 4:
            assert VIETNAMESE.search(plain), (where, comment)
        for ref in re.findall(r"[\w./-]+\.(?:md|py|yaml|csv)\b", comment):
            assert (PROJECT / ref).is_file(), (where, ref)   # nothing dangling
        for section in re.findall(r'mục "([^"]+)"', comment):
            assert section in sections, (where, section)


@pytest.mark.parametrize("name", shipped_rubrics())
def test_shipped_rubrics_explain_themselves_in_vietnamese(name):
    _check_comments((RUBRIC_DIR / f"{name}.yaml").read_text(encoding="utf-8"), name)


def test_the_rubric_a_clerk_edits_is_commented_in_vietnamese(cntt, make_round):
    raw = make_round().raw
    assert cntt("new-round", "--year", 2018, "--raw", raw).exit_code == 0
    text = (raw / "2018" / "rubric-2018.yaml").read_text(encoding="utf-8")
    _check_comments(text, "rubric-2018.yaml")
    assert "Sao chép từ phiếu năm 2017" in text
    for key in ("tiers", "shortcoming_min_lost_share", "remedy_tiers", "criterion_floor",
                "group_short", "criteria"):   # the keys a clerk changes are explained
        above = text.split(f"\n{key}:")[0].rsplit("\n", 3)[1:]
        line = next(ln for ln in text.splitlines() if ln.startswith(f"{key}:"))
        assert any(s.startswith("#") for s in above) or "#" in line, key
    assert load_round(raw, 2018).rubric.id == "2018"
