"""Every configuration file is checked when it is loaded, in every command: round.yaml,
department.yaml, the rubric, units.csv and the folder and file names around them.

Each bad file, whatever command reads it, stops the command with exit 2, a Vietnamese
message naming the file and the key (or line), no traceback, and nothing written: the
whole folder (raw and processed) is compared before and after.
"""

from __future__ import annotations

import os
import unicodedata
from pathlib import Path

import pytest
import yaml
from typer.testing import CliRunner

from cntt_analysis import yamlfile
from cntt_analysis.cli import app
from cntt_analysis.errors import UsageError
from cntt_analysis.intake.rounds import load_round
from cntt_analysis.rubric.model import RUBRIC_DIR, RubricError, load_rubric

DEPARTMENT = Path(__file__).parent.parent / "data" / "raw" / "department.yaml"
BASE = "deadline: 2017-08-10\nrubric: '2017'\n"
# Under 600 bytes of nested aliases: PyYAML builds the value at once (shared lists), but the
# organisation's name made of it is 10⁸ words long (gigabytes before, when printed).
LAUGHS = BASE + "x: &a ['ha','ha','ha','ha','ha','ha','ha','ha','ha','ha']\n" + "".join(
    f"x{i}: &{chr(98 + i)} [{', '.join(['*' + chr(97 + i)] * 10)}]\n" for i in range(7)
) + "department: *h\n"


def snapshot(root: Path) -> dict[str, tuple[int, int]]:
    """Every file and folder under `root` (relative path → size, modification time)."""
    return {str(p.relative_to(root)): (p.stat().st_size if p.is_file() else -1,
                                       p.stat().st_mtime_ns)
            for p in sorted(root.rglob("*"))}


def run(*args: object):
    return CliRunner().invoke(app, [str(a) for a in args])


def assert_stops(result, *phrases: str) -> None:
    """Exit 2, the message on stderr in Vietnamese, no traceback, each phrase named."""
    assert result.exit_code == 2, result.output
    assert isinstance(result.exception, SystemExit), result.exception
    assert "Traceback" not in result.output
    assert result.stderr.startswith("Lỗi: "), result.stderr
    assert len(result.stderr.strip().splitlines()) == 1, result.stderr  # one message
    for phrase in phrases:
        assert phrase in result.stderr, (phrase, result.stderr)


def score_stops(rnd, tmp_path: Path, *phrases: str) -> None:
    """`cntt score` on the round stops with the phrases named and writes nothing."""
    before = snapshot(tmp_path)
    result = run("score", "--year", rnd.year, "--raw", rnd.raw, "--processed",
                 tmp_path / "processed", "--quiet")
    assert_stops(result, *phrases)
    assert snapshot(tmp_path) == before


def test_a_good_round_is_scored_and_its_files_written(make_round, tmp_path):
    """The control: the same round with good files scores, and the snapshot sees it."""
    rnd = make_round()
    rnd.add("SO_VP")
    (rnd.raw / "department.yaml").write_text(
        DEPARTMENT.read_text("utf-8"), "utf-8")
    before = snapshot(tmp_path)
    result = run("score", "--year", 2017, "--raw", rnd.raw, "--processed",
                 tmp_path / "processed", "--quiet")
    assert result.exit_code == 0, result.output
    assert snapshot(tmp_path) != before


# --------------------------------------------------------------------------- round.yaml
# (class, content, what the message must name)
ROUND_CASES = [
    # dates that do not exist (a ValueError traceback before)
    ("date", "deadline: 2017-02-30\nrubric: '2017'\n", ["dòng 1", "2017-02-30"]),
    ("date", "deadline: 2017-13-01\nrubric: '2017'\n", ["dòng 1", "2017-13-01"]),
    ("date", BASE + "remedy_deadline: 2018-02-29\n", ["dòng 3", "2018-02-29"]),
    ("date", BASE + "documents: {report: {date: 2017-09-31}}\n", ["dòng 3", "2017-09-31"]),
    # not a mapping (an AttributeError traceback before)
    ("mapping", "- deadline: 2017-08-10\n- rubric: '2017'\n", ["khóa: giá trị", "danh sách"]),
    ("mapping", "deadline 2017-08-10\n", ["khóa: giá trị", "một giá trị đơn"]),
    ("mapping", BASE + "2018: x\n", ["“2018”", "phải là chữ"]),
    ("mapping", BASE + "documents: [report]\n", ["'documents'", "bảng khóa: giá trị"]),
    # unknown or misspelt keys (silently ignored before)
    ("key", BASE + "remedy_dealine: 2018-03-31\n", ["'remedy_dealine'", "'remedy_deadline'"]),
    ("key", BASE + "synthetik: true\n", ["'synthetik'", "'synthetic'"]),
    ("key", BASE + "documents: {report: {recipents: [Văn phòng Sở]}}\n",
     ["'documents: report: recipents'", "'recipients'"]),
    ("key", BASE + "organisation: {ful: Sở X}\n", ["'organisation: ful'", "'full'"]),
    ("key", BASE + "deadline: 2017-09-10\n", ["dòng 3", "'deadline' được ghi hai lần"]),
    # a string where a list is expected (one letter per line in the documents before)
    ("list", BASE + "documents: {report: {recipients: 'Giám đốc Sở'}}\n",
     ["'documents: report: recipients'", "[Giám đốc Sở]"]),
    ("list", BASE + "not_ranked: SO_VP\n", ["'not_ranked'", "danh sách"]),
    ("list", BASE + "models: {tiers: Tốt}\n", ["'models: tiers'", "[Tốt]"]),
    ("list", BASE + "unit_lists: {kinh_te_so: SO_VP}\n", ["'unit_lists: kinh_te_so'"]),
    # values of the wrong kind (read as something else, or replaced by a default, before)
    ("kind", BASE + "synthetic: 'có'\n", ["'synthetic'", "true hoặc false"]),
    ("kind", "deadline: '2017-08-10'\nrubric: '2017'\n", ["'deadline'", "nháy"]),
    ("kind", BASE + "remedy_deadline: 31/03/2018\n", ["'remedy_deadline'", "yyyy-mm-dd"]),
    ("kind", BASE + "partial_round_share: 50%\n", ["'partial_round_share'", "từ 0 đến 1"]),
    ("kind", BASE + "models: {max_shortcomings: 1.5}\n", ["'models: max_shortcomings'"]),
    ("kind", BASE + "contact: Nguyễn Văn A\n", ["'contact'", "bảng khóa: giá trị"]),
    ("kind", "deadline: 2017-08-10\nrubric: [2017]\n", ["'rubric'", "một tên"]),
    ("kind", "deadline: 2017-08-10\nrubric: {year: 2017}\n", ["'rubric'", "một tên"]),
    ("kind", BASE + "inspection: ../2016/inspection.xlsx\n", ["'inspection'", "ra ngoài"]),
    ("kind", BASE + "inspection: /etc/passwd\n", ["'inspection'", "không hợp lệ"]),
    ("kind", "rubric: '2017'\n", ["thiếu mục 'deadline'"]),
    ("kind", "deadline: 2017-08-10\nrubric: \"phieu\\n2017.yaml\"\n", ["'rubric'", "điều khiển"]),
    # aliases, size, depth, encoding, syntax
    ("bound", LAUGHS, ["dòng 4", "bí danh"]),
    ("bound", "deadline: &d 2017-08-10\nrubric: '2017'\nremedy_deadline: *d\n",
     ["dòng 3", "bí danh"]),
    ("bound", BASE + "unit_lists: {x: " + "[" * 60 + "]" * 60 + "}\n", ["lồng nhau"]),
    ("bound", BASE + "# " + "x" * (1 << 20) + "\n", ["quá lớn"]),
    ("bound", "deadline: [2017\n", ["tệp YAML không đọc được", "dòng 2"]),
]


@pytest.mark.parametrize(("kind", "content", "phrases"), ROUND_CASES,
                         ids=[f"{c[0]}-{i}" for i, c in enumerate(ROUND_CASES)])
def test_a_bad_round_yaml_stops_score_naming_the_file_and_key(make_round, tmp_path, kind,
                                                               content, phrases):
    rnd = make_round()
    rnd.add("SO_VP")
    (rnd.folder / "round.yaml").write_text(content, encoding="utf-8")
    score_stops(rnd, tmp_path, "round.yaml", *phrases)


def test_round_yaml_not_utf8_names_the_line(make_round, tmp_path):
    rnd = make_round()
    (rnd.folder / "round.yaml").write_bytes(BASE.encode() + "department: Sô X\n".encode("latin-1"))
    score_stops(rnd, tmp_path, "round.yaml", "dòng 3", "UTF-8")


def test_the_alias_bomb_is_refused_before_it_grows(tmp_path):
    """The 568-byte file: refused at its first alias, in-process (no memory to measure: the
    loader never builds the value)."""
    assert len(LAUGHS.encode()) < 700
    (tmp_path / "2017").mkdir()
    (tmp_path / "2017" / "round.yaml").write_text(LAUGHS, "utf-8")
    with pytest.raises(UsageError, match="bí danh"):
        load_round(tmp_path, 2017)


def test_every_key_of_the_models_is_documented_in_the_readme():
    from cntt_analysis.settings import DepartmentFile, RoundFile

    readme = Path(__file__).parent.parent.joinpath("README.md").read_text("utf-8")
    for model in (RoundFile, DepartmentFile):
        for key in model.model_fields:
            assert f"`{key}" in readme, key


# --------------------------------------------------------------------------- department.yaml

DEPARTMENT_CASES = [
    ("date", "documents:\n  report:\n    date: 2017-02-29\n", ["dòng 3", "2017-02-29"]),
    ("date", "remedy_deadline_next_year: \"02-30\"\n", ["'remedy_deadline_next_year'"]),
    ("mapping", "- place\n- Hòa An\n", ["khóa: giá trị", "danh sách"]),
    ("mapping", "bodies: [department, centre]\n", ["'bodies'", "bảng khóa: giá trị"]),
    ("key", "remedy_dealine: 2018-03-31\n", ["'remedy_dealine'", "'remedy_deadline'"]),
    ("key", "contact: {name: A, phone: '1', emial: a@b.vn}\n", ["'contact: emial'", "'email'"]),
    ("key", "bodies: {centre: {parent: X, name: Y, shrt: Z}}\n",
     ["'bodies: centre: shrt'", "'short'"]),
    ("list", "documents: {notice: {recipients: Giám đốc Sở}}\n",
     ["'documents: notice: recipients'", "[Giám đốc Sở]"]),
    ("list", "models: {tiers: Tốt, max_shortcomings: 2}\n", ["'models: tiers'"]),
    ("kind", "place: [Hòa An]\n", ["'place'", "một dòng chữ"]),
    ("kind", "mostly_blank_share: '0.5'\n", ["'mostly_blank_share'", "từ 0 đến 1"]),
    ("kind", "models: {max_shortcomings: -1}\n", ["'models: max_shortcomings'", "không âm"]),
    ("kind", "documents: {report: {signer: Lê Minh Tuấn}}\n", ["'documents: report: signer'"]),
    ("kind", "remedy_deadline_next_year: 331\n", ["'remedy_deadline_next_year'", "nháy"]),
    ("bound", "place: &p Hòa An\ncontact: {name: *p}\n", ["dòng 2", "bí danh"]),
    ("bound", "place: Hòa An\nplace: Sơn Hà\n", ["dòng 2", "'place' được ghi hai lần"]),
    ("bound", "place: 'Hòa An\n", ["tệp YAML không đọc được", "dòng"]),
]


@pytest.mark.parametrize(("kind", "extra", "phrases"), DEPARTMENT_CASES,
                         ids=[f"{c[0]}-{i}" for i, c in enumerate(DEPARTMENT_CASES)])
def test_a_bad_department_yaml_stops_score_naming_the_file_and_key(make_round, tmp_path, kind,
                                                                    extra, phrases):
    """A department.yaml of the one key (the others take their defaults)."""
    rnd = make_round()
    rnd.add("SO_VP")
    (rnd.raw / "department.yaml").write_text(extra, encoding="utf-8")
    score_stops(rnd, tmp_path, "department.yaml", *phrases)


# --------------------------------------------------------------------------- rubric


def rubric_file(folder: Path, change) -> Path:
    data = yaml.safe_load((RUBRIC_DIR / "2017.yaml").read_text("utf-8"))
    change(data)
    path = folder / "phieu.yaml"
    path.write_text(yaml.safe_dump(data, allow_unicode=True, sort_keys=False), "utf-8")
    return path


def _input(data, code):
    for crit in data["criteria"]:
        for ind in crit["indicators"]:
            for inp in ind.get("inputs", ()):
                if inp["code"] == code:
                    return inp
    raise KeyError(code)


def _first_indicator(data):
    return data["criteria"][0]["indicators"][0]


RUBRIC_CASES = [
    ("key", lambda d: d.update(remedy_tier=["Yếu"]), ["'remedy_tier'", "'remedy_tiers'"]),
    ("key", lambda d: _input(d, "C1.1").update(requried=False),
     ["mục C1.1", "'requried'", "'required'"]),
    ("key", lambda d: _first_indicator(d).update(lable="x"), ["'lable'", "'label'"]),
    ("key", lambda d: d["criteria"][0].update(nmae="x"), ["tiêu chí C1", "'name'"]),
    ("key", lambda d: d["tiers"][0].update(mn=90), ["'mn'", "'min'"]),
    ("list", lambda d: _input(d, "C1.1").update(at_most="C1.2"), ["mục C1.1", "'at_most'"]),
    ("list", lambda d: d["general"]["inputs"].__setitem__(0, {**d["general"]["inputs"][0],
                                                            "choices": "Có"}),
     ["'choices'", "danh sách"]),
    ("kind", lambda d: _input(d, "C1.1").update(required="không"),
     ["mục C1.1", "'required'", "true hoặc false"]),
    ("kind", lambda d: _input(d, "C1.1").update(allow_na=1), ["'allow_na'"]),
    ("kind", lambda d: _first_indicator(d).update(remedy=["Bổ sung"]), ["'remedy'"]),
    ("mapping", lambda d: d.update(general=["G01"]), ["'general'", "bảng khóa: giá trị"]),
    ("mapping", lambda d: d["criteria"].__setitem__(0, "C1"), ["tiêu chí", "bảng"]),
]


@pytest.mark.parametrize(("kind", "change", "phrases"), RUBRIC_CASES,
                         ids=[f"{c[0]}-{i}" for i, c in enumerate(RUBRIC_CASES)])
def test_a_bad_rubric_stops_score_naming_the_file_and_key(make_round, tmp_path, kind, change,
                                                           phrases):
    rnd = make_round()
    rubric_file(rnd.folder, change)
    (rnd.folder / "round.yaml").write_text("deadline: 2017-08-10\nrubric: phieu.yaml\n", "utf-8")
    score_stops(rnd, tmp_path, "phieu.yaml", *phrases)


def test_a_rubric_with_an_alias_or_twice_a_key_is_refused(tmp_path):
    text = (RUBRIC_DIR / "2017.yaml").read_text("utf-8")
    aliased = tmp_path / "alias.yaml"
    aliased.write_text(text.replace("id:", "id: &i", 1) + "title: *i\n", "utf-8")
    with pytest.raises(RubricError, match="bí danh"):
        load_rubric(aliased)
    twice = tmp_path / "twice.yaml"
    twice.write_text(text + "total: 100\n", "utf-8")
    with pytest.raises(RubricError, match="'total' được ghi hai lần"):
        load_rubric(twice)


# --------------------------------------------------------------------------- units.csv

HEADER = "unit_id,name,group,aliases\n"
UNITS_CASES = [
    ("encoding", HEADER.encode() + "SO_VP,Phòng Sô,so,\n".encode("latin-1"), ["dòng 2", "UTF-8"]),
    ("shape", (HEADER + "SO_VP,Phòng Tài nguyên, Môi trường,so,,x\n").encode(),
     ["dòng 2", "nháy kép"]),
    ("shape", (HEADER + '"SO_VP,Văn phòng Sở,so,\n').encode(), ["dòng", "nháy kép"]),
    ("header", b"", ["tệp trống"]),
    ("header", b"unit_id,name,group,name\nSO_VP,A,so,B\n", ["dòng 1", "cột name có hai lần"]),
    ("header", b"unit_id,,group\nSO_VP,A,so\n", ["dòng 1", "không có tên"]),
    ("row", (HEADER + "SO_VP,Văn phòng Sở,so,\nSO_VP,Thanh tra,so,\n").encode(), ["trùng"]),
    ("row", (HEADER + "SO_VP,,so,\n").encode(), ["dòng 2", "thiếu mã hoặc tên"]),
    ("row", (HEADER + "SO_VP,Văn phòng Sở,,\n").encode(), ["dòng 2", "group"]),
]


@pytest.mark.parametrize(("kind", "content", "phrases"), UNITS_CASES,
                         ids=[f"{c[0]}-{i}" for i, c in enumerate(UNITS_CASES)])
def test_a_bad_units_csv_stops_score_naming_the_line(make_round, tmp_path, kind, content,
                                                     phrases):
    rnd = make_round()
    rnd.add("SO_VP")
    (rnd.raw / "units.csv").write_bytes(content)
    score_stops(rnd, tmp_path, "units.csv", *phrases)


# --------------------------------------------------------------------------- names on disk


def test_a_round_yaml_that_is_a_folder(make_round, tmp_path):
    rnd = make_round()
    (rnd.folder / "round.yaml").unlink()
    (rnd.folder / "round.yaml").mkdir()
    score_stops(rnd, tmp_path, "round.yaml", "là một thư mục")


def test_a_department_yaml_that_is_a_folder(make_round, tmp_path):
    rnd = make_round()
    (rnd.raw / "department.yaml").mkdir()
    score_stops(rnd, tmp_path, "department.yaml", "là một thư mục")


def test_a_units_csv_that_is_a_folder(make_round, tmp_path):
    rnd = make_round()
    rnd.add("SO_VP")
    (rnd.raw / "units.csv").unlink()
    (rnd.raw / "units.csv").mkdir()
    score_stops(rnd, tmp_path, "units.csv", "là một thư mục")


@pytest.mark.parametrize("name", ["2017 (copy)", "nam-2018", "201²", "20\n18", "99999"])
def test_a_round_folder_not_named_by_a_year(make_round, tmp_path, name):
    """`cntt score` without --year reads every round folder: one that is not a year (a
    copy, a superscript digit that broke int(), a line break) is named, not skipped."""
    rnd = make_round()
    rnd.add("SO_VP")
    (rnd.raw / name).mkdir()
    (rnd.raw / name / "round.yaml").write_text(BASE, "utf-8")
    before = snapshot(tmp_path)
    result = run("score", "--raw", rnd.raw, "--processed", tmp_path / "processed", "--quiet")
    assert_stops(result, "Thư mục đợt đánh giá")
    assert snapshot(tmp_path) == before


# --------------------------------------------------------------------------- every command

BAD_FILES = {
    "round-date": ("2017/round.yaml", "deadline: 2017-02-30\nrubric: '2017'\n",
                   ["round.yaml", "2017-02-30"]),
    "department-key": ("department.yaml", "place: Hòa An\nremedy_dealine: 2018-03-31\n",
                       ["department.yaml", "'remedy_deadline'"]),
}
COMMANDS = {
    "score": ["score", "--year", "2017"],
    "report": ["report", "--year", "2017", "--quiet"],
    "documents": ["documents", "--year", "2017"],
    "new-round": ["new-round", "--year", "2018"],
    "template": ["template", "--year", "2017", "--out", "{tmp}/bieu-mau"],
}


@pytest.mark.parametrize("command", COMMANDS)
@pytest.mark.parametrize("bad", BAD_FILES)
def test_every_command_stops_on_a_bad_file_and_writes_nothing(make_round, tmp_path, command,
                                                               bad):
    rnd = make_round()
    rnd.add("SO_VP")
    name, content, phrases = BAD_FILES[bad]
    (rnd.raw / name).write_text(content, "utf-8")
    args = [a.replace("{tmp}", str(tmp_path)) for a in COMMANDS[command]]
    paths = {"score": ["--raw", rnd.raw, "--processed", tmp_path / "processed"],
             "report": ["--raw", rnd.raw, "--processed", tmp_path / "processed",
                        "--reports", tmp_path / "reports"],
             "documents": ["--raw", rnd.raw, "--processed", tmp_path / "processed",
                           "--reports", tmp_path / "reports"],
             "new-round": ["--raw", rnd.raw],
             "template": ["--raw", rnd.raw]}[command]
    before = snapshot(tmp_path)
    cwd = os.getcwd()
    os.chdir(tmp_path)  # a command that would write next to the current folder
    try:
        result = run(*args, *paths)
    finally:
        os.chdir(cwd)
    assert_stops(result, *phrases)
    assert snapshot(tmp_path) == before


# --------------------------------------------------------------------------- YAML reading

ROOT = Path(__file__).resolve().parents[1]
SHIPPED_YAML = sorted(
    [*(ROOT / "cntt_analysis").rglob("*.yaml"), *(ROOT / "tests" / "rubrics").glob("*.yaml"),
     *(ROOT / "data" / "raw").rglob("*.yaml")])


@pytest.mark.parametrize("path", SHIPPED_YAML, ids=lambda p: str(p.relative_to(ROOT)))
def test_libyaml_reads_each_shipped_file_as_the_strict_loader_does(path):
    text = yamlfile.read_text(path, "tệp")
    done, fast = yamlfile._load_fast(text)
    assert done
    assert fast == yaml.load(text, Loader=yamlfile._StrictLoader)  # noqa: S506


@pytest.mark.parametrize("text, phrase", [
    ("a: &x 1\nb: *x\n", "bí danh"),
    ("a: 1\na: 2\n", "ghi hai lần"),
    ("a: 2017-02-30\n", "không có thật"),
    ("a: [1, 2\n", "sai cú pháp"),
    ("a: " + "[" * 200_000 + "]" * 200_000 + "\n", "lồng nhau"),  # no C recursion
    ("a: " + "[" * yamlfile.MAX_DEPTH + "]" * yamlfile.MAX_DEPTH + "\n",
     "lồng nhau"),
])
def test_what_libyaml_would_accept_or_stumble_on_is_read_again_strictly(text, phrase):
    assert yamlfile._load_fast(text) == (False, None)
    with pytest.raises(UsageError, match=phrase) as raised:
        yamlfile.parse(text, "x.yaml")
    assert "x.yaml" in str(raised.value)


def test_yaml_text_typed_with_combining_marks_is_read_composed():
    """A name typed with combining marks (NFD, as some keyboards and macOS write it) is read
    composed, as the registry and the workbooks are: it matches and draws as typed."""
    text = unicodedata.normalize("NFD", "ten: Sở Tài nguyên và Môi trường\nhuyện: [Hồng Hà]\n")
    assert yamlfile.parse(text, "x.yaml") == {
        "ten": "Sở Tài nguyên và Môi trường", "huyện": ["Hồng Hà"]}

