"""The `cntt` command line: scoring a round, clear Vietnamese errors, templates."""

from __future__ import annotations

import os
import subprocess
import sys
from pathlib import Path

import disk
import pandas as pd
import pytest
from openpyxl import load_workbook
from system_tools import require_tool
from typer.testing import CliRunner

from cntt_analysis.cli import app
from cntt_analysis.rubric.model import RUBRIC_DIR
from cntt_analysis.scoring.pipeline import TABLES

OUTPUTS = sorted([*(f"{t}.parquet" for t in TABLES), "ket-qua-2017.xlsx",
                  "diem-chi-tieu-2017.csv", "inputs.json"])


@pytest.fixture
def cntt():
    """Run ``cntt ARGS…`` in-process; returns the click Result."""
    runner = CliRunner()

    def run(*args: str | Path):
        return runner.invoke(app, [str(a) for a in args])
    return run


def assert_clean_failure(result, *phrases: str) -> None:
    """Non-zero exit with a Vietnamese message and no traceback."""
    assert result.exit_code == 2, result.output
    assert isinstance(result.exception, SystemExit)
    assert "Traceback" not in result.output
    assert result.stderr.startswith("Lỗi: ")
    for phrase in phrases:
        assert phrase in result.stderr


@pytest.fixture
def round_with_issues(make_round):
    rnd = make_round()
    rnd.add("SO_VP", C1_4="nhiều")
    rnd.add("H_TANPHUOC", G03="20/08/2017")
    rnd.write("hong.xlsx", "not a workbook")
    return rnd


# --------------------------------------------------------------------------- score


def test_score_exits_zero_on_a_round_with_issues(cntt, round_with_issues, tmp_path):
    out = tmp_path / "processed"
    result = cntt("score", "--year", "2017", "--raw", round_with_issues.raw,
                  "--processed", out)
    assert result.exit_code == 0, result.output
    assert sorted(p.name for p in (out / "2017").iterdir()) == OUTPUTS
    # 2 units scored; register: 1 sent, 1 late, 2 missing, 1 unreadable file.
    # Errors: not_number (C1.4) and file_unreadable; warnings: late and 2 × missing.
    assert result.stdout.startswith("Năm 2017: chấm 2 đơn vị (")
    for part in ("Đã nộp: 1", "Nộp muộn: 1", "Chưa nộp: 2", "Không được chấm: 1",
                 "2 lỗi số liệu, 3 cảnh báo", str(out / "2017")):
        assert part in result.stdout


def test_score_walks_only_what_it_made_and_gives_the_rest_back(cntt, round_with_issues,
                                                               tmp_path):
    """`cntt score` sets what was alive once its libraries were imported aside from the
    garbage collector's walks while it scores (`memory.long_lived_aside`), and gives it
    back: a caller running it in-process (this test session) is as before."""
    import gc

    frozen: list[int] = []

    def seen(phase: str, info: dict) -> None:
        if phase == "start":
            frozen.append(gc.get_freeze_count())
    gc.callbacks.append(seen)
    try:
        result = cntt("score", "--year", "2017", "--raw", round_with_issues.raw,
                      "--processed", tmp_path / "p", "--quiet")
    finally:
        gc.callbacks.remove(seen)
    assert result.exit_code == 0, result.output
    assert frozen and max(frozen) > 50_000  # the libraries' objects, during the command
    assert gc.get_freeze_count() == 0


def test_score_quiet_prints_nothing(cntt, round_with_issues, tmp_path):
    result = cntt("score", "--year", "2017", "--raw", round_with_issues.raw,
                  "--processed", tmp_path / "p", "--quiet")
    assert result.exit_code == 0
    assert result.stdout == ""
    assert (tmp_path / "p" / "2017" / "ket-qua-2017.xlsx").is_file()


def test_score_without_year_scores_every_round(cntt, make_round, tmp_path):
    rnd = make_round()
    rnd.add("SO_VP")
    (rnd.raw / "2016").mkdir()
    (rnd.raw / "2016" / "round.yaml").write_text("deadline: 2016-08-10\nrubric: '2017'\n")
    (rnd.raw / "notes").mkdir()  # not a round
    result = cntt("score", "--raw", rnd.raw, "--processed", tmp_path / "p")
    assert result.exit_code == 0, result.output
    assert sorted(p.name for p in (tmp_path / "p").iterdir()
                  if not p.name.startswith(".")) == ["2016", "2017"]
    assert "Năm 2016: chấm 0 đơn vị" in result.stdout
    assert "Năm 2017: chấm 1 đơn vị" in result.stdout


def test_score_leaves_raw_files_unchanged(cntt, round_with_issues, tmp_path, hash_files):
    round_with_issues.add("SO_CCQLDD", hidden=False)
    before = hash_files(round_with_issues.raw)
    assert len(before) == 6  # units.csv, round.yaml, 3 workbooks and the broken file
    result = cntt("score", "--year", "2017", "--raw", round_with_issues.raw,
                  "--processed", tmp_path / "p")
    assert result.exit_code == 0
    assert hash_files(round_with_issues.raw) == before
    assert sorted(p.name for p in round_with_issues.folder.iterdir()) == sorted(
        ["round.yaml", "SO_VP.xlsx", "H_TANPHUOC.xlsx", "SO_CCQLDD.xlsx", "hong.xlsx"])


def test_missing_year_folder_fails_clearly(cntt, make_round, tmp_path):
    rnd = make_round()
    result = cntt("score", "--year", "2018", "--raw", rnd.raw, "--processed", tmp_path / "p")
    assert_clean_failure(result, "Không có thư mục đợt đánh giá năm 2018",
                         "Các năm hiện có: 2017")
    assert not (tmp_path / "p").exists()


def test_no_rounds_at_all_fails_clearly(cntt, tmp_path):
    result = cntt("score", "--raw", tmp_path / "nothing", "--processed", tmp_path / "p")
    assert_clean_failure(result, "Không có đợt đánh giá nào")


BROKEN_RUBRICS = {
    "missing-file": (None, "Không tìm thấy phiếu đánh giá"),
    "bad-yaml": ("id: [unclosed\n", "tệp YAML không đọc được"),
    "missing-keys": ("id: x\ntitle: y\n", "thiếu mục bắt buộc 'total'"),
    "wrong-total": ("total: 90", "tổng điểm ghi 90 nhưng các tiêu chí cộng lại 100 điểm"),
}


@pytest.mark.parametrize("case", list(BROKEN_RUBRICS))
def test_broken_rubric_in_round_yaml_fails_clearly(cntt, make_round, tmp_path, case):
    rnd = make_round()
    rnd.add("SO_VP")
    content, phrase = BROKEN_RUBRICS[case]
    if case == "wrong-total":
        content = (RUBRIC_DIR / "2017.yaml").read_text(encoding="utf-8").replace(
            "total: 100", content)
    if content is not None:
        (rnd.folder / f"phieu-{case}.yaml").write_text(content, encoding="utf-8")
    (rnd.folder / "round.yaml").write_text(
        f"deadline: 2017-08-10\nrubric: phieu-{case}.yaml\n", encoding="utf-8")
    result = cntt("score", "--year", "2017", "--raw", rnd.raw, "--processed", tmp_path / "p")
    assert_clean_failure(result, phrase)
    assert f"phieu-{case}.yaml" in result.stderr


@pytest.mark.parametrize(("content", "phrase"), [
    ("rubric: '2017'\n", "thiếu mục 'deadline'"),
    ("deadline: 10/08/2017\n", "'deadline' phải là một ngày dạng yyyy-mm-dd"),
    ("deadline: [2017\n", "tệp YAML không đọc được"),
    (None, "Thiếu tệp cấu hình đợt đánh giá"),
])
def test_broken_round_yaml_fails_clearly(cntt, make_round, tmp_path, content, phrase):
    rnd = make_round()
    if content is None:
        (rnd.folder / "round.yaml").unlink()
    else:
        (rnd.folder / "round.yaml").write_text(content, encoding="utf-8")
    result = cntt("score", "--year", "2017", "--raw", rnd.raw, "--processed", tmp_path / "p")
    assert_clean_failure(result, phrase, "round.yaml")


def test_missing_registry_fails_clearly(cntt, make_round, tmp_path):
    rnd = make_round()
    rnd.add("SO_VP")
    (rnd.raw / "units.csv").unlink()
    result = cntt("score", "--year", "2017", "--raw", rnd.raw, "--processed", tmp_path / "p")
    assert_clean_failure(result, "Không tìm thấy danh mục đơn vị", "units.csv",
                         "unit_id, name, group, aliases")
    assert not (tmp_path / "p").exists()


def test_bad_registry_line_fails_clearly(cntt, make_round, tmp_path):
    rnd = make_round()
    with (rnd.raw / "units.csv").open("a", encoding="utf-8") as handle:
        handle.write("SO_X,Phòng X,tinh,\n")
    result = cntt("score", "--year", "2017", "--raw", rnd.raw, "--processed", tmp_path / "p")
    assert_clean_failure(result, "dòng 6", "khối “tinh” không hợp lệ")


def test_console_script_fails_without_traceback(make_round, tmp_path):
    script = Path(sys.executable).parent / "cntt"
    require_tool("cntt")
    rnd = make_round()
    env = {**os.environ, "PYTHONIOENCODING": "utf-8"}
    done = subprocess.run([str(script), "score", "--year", "2018", "--raw", str(rnd.raw),
                           "--processed", str(tmp_path / "p")],
                          capture_output=True, text=True, encoding="utf-8", env=env,
                          timeout=120)
    assert done.returncode == 2
    assert done.stdout == ""
    assert "Traceback" not in done.stderr
    assert done.stderr.startswith("Lỗi: Không có thư mục đợt đánh giá năm 2018")


# --------------------------------------------------------------------------- template


def test_template_for_one_unit_writes_only_that_file(cntt, make_round, tmp_path, cells):
    rnd = make_round()
    out = tmp_path / "bieu-mau"
    result = cntt("template", "--year", "2017", "--out", out, "--unit", "H_CAILAY",
                  "--raw", rnd.raw)
    assert result.exit_code == 0, result.output
    assert [p.name for p in out.iterdir()] == ["H_CAILAY.xlsx"]
    assert "Đã tạo 1 biểu mẫu" in result.stdout
    wb = load_workbook(out / "H_CAILAY.xlsx")
    assert wb["_meta"]["B1"].value == "H_CAILAY"
    sheet, address = cells["G01"]
    assert wb[sheet][address].value == "Phòng Tài nguyên và Môi trường thị xã Cai Lậy"


def test_template_for_every_unit(cntt, make_round, tmp_path, units):
    rnd = make_round()
    out = tmp_path / "bieu-mau"
    result = cntt("template", "--year", "2017", "--out", out, "--raw", rnd.raw)
    assert result.exit_code == 0, result.output
    assert sorted(p.name for p in out.iterdir()) == sorted(f"{u[0]}.xlsx" for u in units)
    assert "Đã tạo 4 biểu mẫu" in result.stdout


def test_template_for_an_unknown_unit_fails_clearly(cntt, make_round, tmp_path):
    rnd = make_round()
    out = tmp_path / "bieu-mau"
    result = cntt("template", "--year", "2017", "--out", out, "--unit", "SO_KHONGCO",
                  "--raw", rnd.raw)
    assert_clean_failure(result, "Không có đơn vị mã “SO_KHONGCO”", "units.csv")
    assert not out.exists() or not any(out.iterdir())


def test_templates_then_score_round_trip(cntt, make_round, tmp_path, cells, valid_answers):
    """Templates from the CLI, filled like a unit would, scored by the CLI."""
    rnd = make_round()
    result = cntt("template", "--year", "2017", "--out", rnd.folder, "--unit", "SO_VP",
                  "--raw", rnd.raw)
    assert result.exit_code == 0
    path = rnd.folder / "SO_VP.xlsx"
    wb = load_workbook(path)
    assert wb["_meta"]["B1"].value == "SO_VP"
    for code, value in valid_answers.items():
        sheet, address = cells[code]
        wb[sheet][address] = value
    wb.save(path)
    result = cntt("score", "--year", "2017", "--raw", rnd.raw, "--processed", tmp_path / "p",
                  "--quiet")
    assert result.exit_code == 0
    scores = pd.read_parquet(tmp_path / "p" / "2017" / "scores.parquet")
    assert scores[["unit_id", "score", "tier", "rank"]].values.tolist() == \
        [["SO_VP", 72.91, "Khá", 1]]


def test_demo_never_touches_real_data(tmp_path):
    """Regression: units.csv of a real raw folder was overwritten before the refusal."""
    raw = tmp_path / "raw"
    (raw / "2017").mkdir(parents=True)
    (raw / "2017" / "round.yaml").write_text("deadline: 2017-08-10\nrubric: '2017'\n"
                                             "# synthetic: true\n", encoding="utf-8")
    (raw / "units.csv").write_text("unit_id,name,group,aliases\nA,Đơn vị A,so,\n",
                                   encoding="utf-8")
    before = {p: p.read_bytes() for p in raw.rglob("*") if p.is_file()}
    result = CliRunner().invoke(app, ["demo", "--raw", str(raw), "--no-convert"])
    assert result.exit_code == 2 and "không ghi đè" in result.output
    assert {p: p.read_bytes() for p in raw.rglob("*") if p.is_file()} == before


# --- A full or read-only disk (issue 17) -------------------------------------------------

def _files(folder: Path) -> dict[str, bytes]:
    return {str(p.relative_to(folder)): p.read_bytes() for p in sorted(folder.rglob("*"))
            if p.is_file() and not p.is_symlink() and p.name != ".ballast"}


@pytest.fixture
def scored_round(cntt, make_round, tmp_path):
    """A scored round (its results, templates and documents written once), then a new
    submission so that scoring has something to write again."""
    rd = make_round()
    rd.add_all()
    processed, reports = tmp_path / "processed", tmp_path / "reports"
    for args in (["score", "--quiet"], ["documents", "--reports", reports]):
        result = cntt(*args, "--year", rd.year, "--raw", rd.raw, "--processed", processed)
        assert result.exit_code == 0, result.output
    rd.add("SO_VP", C4_1=50)
    return rd, processed, reports


# command → (its arguments, the folder that refuses to be written), given the round.
DISK_COMMANDS = {
    "score": lambda rd, p, r, t: (["score", "--quiet", "--processed", p], p),
    "finalise": lambda rd, p, r, t: (["finalise", "--by", "Bình", "--no-report", "--force",
                                      "--reason", "thử", "--processed", p],
                                     p / f"{rd.year}-cong-bo"),
    "documents": lambda rd, p, r, t: (["documents", "--processed", p, "--reports", r], r),
    "inspection-template": lambda rd, p, r, t: (
        ["inspection-template", "--out", t / "kiem-tra" / "inspection.xlsx"], t / "kiem-tra"),
    "template": lambda rd, p, r, t: (["template", "--out", t / "bieu-mau"], t / "bieu-mau"),
    "new-round": lambda rd, p, r, t: (["new-round", "--deadline", "2018-08-10"], rd.raw),
    "report": lambda rd, p, r, t: (["report", "--quiet", "--processed", p, "--reports", r], r),
}
SAID = {disk.FULL: "ổ đĩa đã đầy", disk.READ_ONLY: "chỉ cho đọc"}


@pytest.mark.parametrize("kind", [disk.FULL, disk.READ_ONLY])
@pytest.mark.parametrize("command", DISK_COMMANDS)
def test_a_full_or_read_only_folder_is_said_in_vietnamese_naming_it(
        cntt, scored_round, tmp_path, monkeypatch, command, kind):
    """Before: an OSError traceback (Errno 28, Errno 30). After: the folder named, what is
    wrong with it, exit status 1, and what it held before left as it was."""
    rd, processed, reports = scored_round
    if command == "finalise":  # the round as scored (finalising needs current results)
        assert cntt("score", "--quiet", "--year", rd.year, "--raw", rd.raw,
                    "--processed", processed).exit_code == 0
    year = rd.year + 1 if command == "new-round" else rd.year  # new-round: the next year
    args, folder = DISK_COMMANDS[command](rd, processed, reports, tmp_path)
    with disk.broken_folder(folder, kind, monkeypatch) as how:
        before = _files(folder)
        result = cntt(*args, "--year", year, "--raw", rd.raw)
        after = _files(folder)

    assert result.exit_code == 1, (how, result.output, result.exception)
    assert isinstance(result.exception, SystemExit)
    assert "Traceback" not in result.output
    assert result.stderr.startswith("Lỗi: Không ghi được vào thư mục ")
    assert str(folder) in result.stderr and SAID[kind] in result.stderr
    assert {name: after.get(name) for name in before} == before  # (a new log may be kept)


def test_console_script_ends_once_done_with_its_output_and_files_whole(make_round, tmp_path):
    """`cli.finished` ends a command's process without the interpreter's teardown: what
    it printed into a pipe arrives whole, its exit code is 0, its files are complete, and
    a second run says nothing changed."""
    script = Path(sys.executable).parent / "cntt"
    require_tool("cntt")
    rnd = make_round()
    rnd.add("SO_VP")
    env = {**os.environ, "PYTHONIOENCODING": "utf-8"}
    command = [str(script), "score", "--year", "2017", "--raw", str(rnd.raw),
               "--processed", str(tmp_path / "p")]
    done = subprocess.run(command, capture_output=True, text=True, encoding="utf-8",
                          env=env, timeout=120)
    assert done.returncode == 0, done.stderr
    assert "Traceback" not in done.stderr
    assert "ket-qua-2017.xlsx" in done.stdout and "“Vấn đề dữ liệu”" in done.stdout
    assert done.stdout.endswith("\n")
    folder = tmp_path / "p" / "2017"
    assert load_workbook(folder / "ket-qua-2017.xlsx").sheetnames
    assert list(pd.read_parquet(folder / "scores.parquet")["unit_id"]) == ["SO_VP"]
    again = subprocess.run(command, capture_output=True, text=True, encoding="utf-8",
                           env=env, timeout=120)
    assert again.returncode == 0 and "Không có gì thay đổi" in again.stdout
