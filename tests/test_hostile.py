"""Hostile and messy input (issue 7): nothing a submitted file or a registry row contains can
stop the round, exhaust memory, write outside its folder or publish a mixed set of results.

Every file here is made by the test itself (tests/hostile.py); `cntt score` runs as its own
process where a file used to abort it, and its peak memory is measured.
"""

from __future__ import annotations

import datetime as dt
import io
import json
import os
import shutil
import threading
import zipfile
from pathlib import Path

import pandas as pd
import pytest
from hostile import (
    MEMORY_BUDGET_KB,
    abort_on_three,
    allocate_on_one,
    blank_cells_xlsx,
    cntt_score,
    compressed_spaces_xlsx,
    damaged_dimensions_xls,
    encrypted_ole,
    far_cell_xlsx,
    million_rows_xlsx,
    repeated_ods,
    rezip,
    save_with_password,
    sheet_part,
    sleep_on_two,
    square,
    xls_records,
)
from openpyxl import load_workbook
from system_tools import require_tool
from typer.testing import CliRunner

from cntt_analysis.cli import app
from cntt_analysis.errors import UsageError
from cntt_analysis.intake.registry import load_registry
from cntt_analysis.intake.sandbox import map_isolated
from cntt_analysis.intake.templates import build_template, template_cells, write_templates
from cntt_analysis.intake.workbook import read_submission
from cntt_analysis.scoring.pipeline import (
    TABLES,
    is_stale,
    load_processed,
    write_round,
)
from cntt_analysis.storage import safe_child, write_workbook
from cntt_analysis.text import shorten

GOOD = ["SO_CCQLDD", "H_TANPHUOC", "H_CAILAY"]


def issues_of(processed: Path, file: str, year: int = 2017) -> pd.DataFrame:
    issues = pd.read_parquet(processed / str(year) / "issues.parquet")
    return issues[issues["file"] == file]


def good_round(make_round):
    """A round where three units sent valid workbooks (their scores must not move)."""
    rnd = make_round()
    for unit_id in GOOD:
        rnd.add(unit_id)
    return rnd


def assert_good_units_scored(processed: Path, valid_score: float) -> None:
    scores = pd.read_parquet(processed / "2017" / "scores.parquet").set_index("unit_id")
    for unit_id in GOOD:
        assert scores.loc[unit_id, "score"] == pytest.approx(valid_score), unit_id


@pytest.fixture
def template_bytes(fill_template, tmp_path, valid_answers):
    """A valid SO_VP submission (.xlsx bytes) and its "Thông tin chung" sheet part."""
    path = fill_template(tmp_path / "src" / "SO_VP.xlsx", valid_answers, unit_id="SO_VP",
                         unit_name="Văn phòng Sở")
    data = path.read_bytes()
    return data, sheet_part(data, "Thông tin chung")


# --------------------------------------------------------------------------- one file stops all


def test_a_value_at_xfd1048576_costs_only_its_own_file(make_round, template_bytes, tmp_path,
                                                        valid_score):
    rnd = good_round(make_round)
    data, part = template_bytes
    rnd.write("SO_VP.xlsx", far_cell_xlsx(data, part))
    run = cntt_score(rnd.raw, tmp_path / "p")
    assert run.code == 0, run.err
    assert "Traceback" not in run.err and "memory allocation" not in run.err
    found = issues_of(tmp_path / "p", "SO_VP.xlsx")
    assert found["code"].tolist() == ["file_too_large"]
    assert "Tệp “SO_VP.xlsx”: Tệp quá lớn hoặc bị hỏng, không đọc được" in \
        found["message"].iloc[0]
    assert_good_units_scored(tmp_path / "p", valid_score)
    assert run.peak_kb < MEMORY_BUDGET_KB, f"{run.peak_kb // 1024} MB"


@pytest.mark.libreoffice
def test_an_xls_with_a_damaged_dimensions_record_costs_only_its_own_file(
        make_round, converted_submission, tmp_path, valid_score):
    data = converted_submission["xls"].read_bytes()
    assert xls_records(data), "LibreOffice's .xls has DIMENSIONS records"
    rnd = good_round(make_round)
    rnd.write("SO_VP.xls", damaged_dimensions_xls(data))
    run = cntt_score(rnd.raw, tmp_path / "p")
    assert run.code == 0, run.err
    assert issues_of(tmp_path / "p", "SO_VP.xls")["code"].tolist() == ["file_too_large"]
    assert_good_units_scored(tmp_path / "p", valid_score)


def test_a_file_name_that_is_not_utf8_is_kept_and_written_everywhere(make_round, tmp_path,
                                                                      valid_score):
    rnd = good_round(make_round)
    good = rnd.add("SO_VP")
    odd = os.fsdecode(os.fsencode(rnd.folder) + b"/B\xe1o c\xe1o SO_VP.xlsx")  # cp1258
    os.rename(good, odd)
    run = cntt_score(rnd.raw, tmp_path / "p")
    assert run.code == 0, run.err
    register = pd.read_parquet(tmp_path / "p" / "2017" / "register.parquet")
    shown = "B\ufffdo c\ufffdo SO_VP.xlsx"
    assert register.set_index("unit_id").loc["SO_VP", "file"] == shown
    answers = pd.read_parquet(tmp_path / "p" / "2017" / "answers.parquet")
    assert set(answers.loc[answers["unit_id"] == "SO_VP", "file"]) == {shown}
    book = load_workbook(tmp_path / "p" / "2017" / "ket-qua-2017.xlsx")
    assert any(cell == shown for ws in book for row in ws.iter_rows(values_only=True)
               for cell in row)
    assert Path(odd).is_file()  # the raw file keeps its name
    assert not is_stale(rnd.raw, tmp_path / "p", 2017)


# --------------------------------------------------------------------------- memory


@pytest.mark.parametrize("case", ["million_rows", "blank_cells", "compressed_spaces",
                                  "repeated_ods"])
def test_a_large_looking_file_stays_within_the_memory_budget(case, make_round, template_bytes,
                                                             tmp_path, valid_score):
    rnd = good_round(make_round)
    data, part = template_bytes
    made = {"million_rows": ("SO_VP.xlsx", lambda: million_rows_xlsx(data, part)),
            "blank_cells": ("SO_VP.xlsx", lambda: blank_cells_xlsx(data, part)),
            "compressed_spaces": ("SO_VP.xlsx", lambda: compressed_spaces_xlsx(data, part)),
            "repeated_ods": ("SO_VP.ods", repeated_ods)}
    name, build = made[case]
    rnd.write(name, build())
    run = cntt_score(rnd.raw, tmp_path / "p")
    assert run.code == 0, run.err
    assert run.peak_kb < MEMORY_BUDGET_KB, f"{run.peak_kb // 1024} MB"
    assert_good_units_scored(tmp_path / "p", valid_score)
    # The file itself is read (its answers are above the blank rows) or, when even the
    # reader's own copy of the sheet does not fit, named as too large.
    scores = pd.read_parquet(tmp_path / "p" / "2017" / "scores.parquet")
    assert "SO_VP" in set(scores["unit_id"]) or \
        issues_of(tmp_path / "p", name)["code"].tolist() == ["file_too_large"]


def test_reading_never_goes_past_what_a_template_holds(make_round, template_bytes, rubric):
    rnd = make_round()
    data, part = template_bytes
    path = rnd.write("SO_VP.xlsx", million_rows_xlsx(data, part))
    sub = read_submission(path, rubric, 2017)
    assert sub.readable and sub.answer("G05")["number"] == 20


# --------------------------------------------------------------------------- the worker pool


@pytest.mark.parametrize("func, lost, reason", [
    (abort_on_three, "3", "crash"), (sleep_on_two, "2", "time"),
    (allocate_on_one, "1", "memory")])
def test_a_worker_that_dies_takes_only_its_file(func, lost, reason):
    paths = [Path(str(n)) for n in range(6)]
    failed = []

    def on_failure(path, why):
        failed.append((path.name, why))
        return -1
    results = map_isolated(func, paths, on_failure, workers=2, seconds=2)
    assert failed == [(lost, reason)]
    assert results == [-1 if str(n) == lost else n for n in range(6)]


def test_the_pool_reuses_workers_and_keeps_order():
    paths = [Path(str(n)) for n in range(50)]
    assert map_isolated(square, paths, lambda p, why: None, workers=2) == \
        [n * n for n in range(50)]


def test_workers_start_while_another_thread_changes_the_environment():
    # `cntt score` starts its reading workers from a thread while the main thread imports
    # numpy, which sets and unsets a variable of the C environment: a worker inheriting
    # that environment could be started from an array being freed (OSError EFAULT, seen
    # once in the whole suite; one start in two with the environment churned as here).
    stop = threading.Event()

    def churn():
        while not stop.is_set():
            for k in range(40):
                os.putenv(f"CNTT_CHURN_{k}", "x" * k)
            for k in range(40):
                os.unsetenv(f"CNTT_CHURN_{k}")
    thread = threading.Thread(target=churn)
    thread.start()
    try:
        for _ in range(8):
            assert map_isolated(square, [Path("2"), Path("3")], lambda p, why: None,
                                workers=2) == [4, 9]
    finally:
        stop.set()
        thread.join()


# --------------------------------------------------------------------------- outputs as one set


class Killed(BaseException):
    """What a kill in the middle of writing the Excel results looks like to write_round."""


def _killed(result, folder):
    raise Killed


def test_a_run_killed_while_writing_leaves_the_previous_set_whole(make_round, tmp_path):
    rnd = good_round(make_round)
    processed = tmp_path / "p"
    write_round(rnd.score(), processed, rnd.raw)
    before = {n: (processed / "2017" / n).read_bytes()
              for n in [*(f"{t}.parquet" for t in TABLES), "inputs.json"]}
    rnd.add("SO_VP")  # a new submission: the new tables would differ
    with pytest.raises(Killed):
        write_round(rnd.score(), processed, rnd.raw, writers=[_killed])
    after = {n: (processed / "2017" / n).read_bytes() for n in before}
    assert after == before
    assert [p.name for p in processed.iterdir() if "staging" in p.name] == []


def test_stale_staging_folders_of_killed_runs_are_removed(make_round, tmp_path):
    rnd = good_round(make_round)
    processed = tmp_path / "p"
    stale = processed / ".2017.staging-999999999-x"  # no such process
    stale.mkdir(parents=True)
    (stale / "answers.parquet").write_bytes(b"half")
    write_round(rnd.score(), processed, rnd.raw)
    assert not stale.exists()
    assert len(load_processed(processed, 2017)["scores"]) == 3


def test_a_plain_folder_from_an_older_version_is_replaced_whole(make_round, tmp_path):
    rnd = good_round(make_round)
    old = tmp_path / "p" / "2017"
    old.mkdir(parents=True)
    (old / "scores.parquet").write_bytes(b"old")
    (old / "leftover.txt").write_text("old")
    write_round(rnd.score(), tmp_path / "p", rnd.raw)
    assert old.is_symlink() and old.is_dir()
    assert not (old / "leftover.txt").exists()
    assert len(load_processed(tmp_path / "p", 2017)["scores"]) == 3


def test_a_submission_arriving_during_the_run_makes_the_results_stale(make_round, tmp_path):
    rnd = good_round(make_round)
    result = rnd.score()
    rnd.add("SO_VP")  # arrives after the files were read, before the results are written
    write_round(result, tmp_path / "p", rnd.raw)
    manifest = json.loads((tmp_path / "p" / "2017" / "inputs.json").read_text())
    assert "SO_VP.xlsx" not in manifest["round"]
    assert is_stale(rnd.raw, tmp_path / "p", 2017)


def test_a_submission_changed_during_the_run_makes_the_results_stale(make_round, tmp_path):
    rnd = good_round(make_round)
    result = rnd.score()
    rnd.add("H_CAILAY", C1_4=2)  # rewritten after reading
    write_round(result, tmp_path / "p", rnd.raw)
    assert is_stale(rnd.raw, tmp_path / "p", 2017)
    write_round(rnd.score(), tmp_path / "p", rnd.raw)
    assert not is_stale(rnd.raw, tmp_path / "p", 2017)


# --------------------------------------------------------------------------- the registry


def registry_file(tmp_path: Path, rows: list[tuple[str, str, str]]) -> Path:
    path = tmp_path / "units.csv"
    lines = ["unit_id,name,group,aliases"] + [f"{i},{n},{g}," for i, n, g in rows]
    path.write_text("\n".join(lines) + "\n", encoding="utf-8")
    return path


@pytest.mark.parametrize("unit_id", ["../../../x", "TN/MT", ".hidden", "a b", "x" * 65,
                                     "đơn-vị", "a\\b"])
def test_unit_ids_outside_the_safe_alphabet_are_refused_naming_the_row(unit_id, tmp_path):
    path = registry_file(tmp_path, [("SO_VP", "Văn phòng Sở", "so"), (unit_id, "Tên", "so")])
    with pytest.raises(UsageError, match="dòng 3: mã đơn vị") as caught:
        load_registry(path)
    assert "không hợp lệ" in str(caught.value)


def test_control_characters_in_a_name_are_refused(tmp_path):
    path = registry_file(tmp_path, [("SO_VP", "Văn phòng\x07 Sở", "so")])
    with pytest.raises(UsageError, match="dòng 2: cột name chứa ký tự điều khiển"):
        load_registry(path)


def test_cntt_template_with_a_path_in_an_id_writes_nothing(tmp_path):
    raw = tmp_path / "raw"
    raw.mkdir()
    registry_file(raw, [("../../../x", "Văn phòng Sở", "so")])
    out = tmp_path / "a" / "b" / "out"
    result = CliRunner().invoke(app, ["template", "--year", "2017", "--out", str(out),
                                      "--raw", str(raw)])
    assert result.exit_code == 2, result.output
    assert "dòng 2" in result.stderr
    assert [p for p in tmp_path.rglob("*.xlsx")] == []


def test_paths_built_from_data_stay_in_their_folder(tmp_path, rubric):
    assert safe_child(tmp_path, "SO_VP.xlsx") == tmp_path / "SO_VP.xlsx"
    for name in ["../x.xlsx", "TN/MT.xlsx", "..", "", "/etc/passwd"]:
        with pytest.raises(UsageError, match="không dùng được làm tên tệp"):
            safe_child(tmp_path, name)
    # Even a registry frame that skipped load_registry cannot make templates escape.
    frame = pd.DataFrame({"unit_id": ["../escape"], "name": ["X"], "group": ["so"]})
    with pytest.raises(UsageError):
        write_templates(rubric, frame, 2017, tmp_path / "out")
    assert not (tmp_path / "escape.xlsx").exists()


def test_a_unit_name_starting_with_equals_stays_text_in_its_template(tmp_path, rubric):
    name = '=HYPERLINK("http://x.invalid","Bấm vào đây")'
    path = write_workbook(build_template(rubric, 2017, "SO_VP", name), tmp_path / "t.xlsx")
    sheet, address = template_cells(rubric)["G01"]
    cell = load_workbook(path)[sheet][address]
    assert cell.data_type == "s" and cell.value == name
    book = load_workbook(path)
    formulas = [c.coordinate for ws in book for row in ws.iter_rows() for c in row
                if c.data_type == "f"]
    assert formulas == []


def test_a_unit_name_with_dollars_is_drawn_as_text(make_round, tmp_path):
    from cntt_analysis.report.html.plots import ranking_bar

    units = [("SO_VP", r"Phòng $\notacommand{x}$ và 5$", "so", ""),
             ("SO_CCQLDD", "Chi cục Quản lý đất đai", "so", "")]
    rnd = make_round(units=units)
    rnd.add("SO_VP")
    rnd.add("SO_CCQLDD")
    result = rnd.score()
    fig = ranking_bar(result.scores, "so", 2017, result.round.rubric)
    fig.savefig(io.BytesIO(), format="png")
    labels = [t.get_text() for t in fig.axes[0].get_yticklabels()]
    assert any(r"\$\notacommand{x}\$" in label for label in labels)


# --------------------------------------------------------------------------- smaller


@pytest.mark.libreoffice
@pytest.mark.parametrize("fmt", ["xls", "ods"])
def test_a_password_protected_file_is_said_to_have_a_password(fmt, make_round, tmp_path,
                                                              converted_submission):
    from conftest import soffice

    require_tool("uno")
    rnd = make_round()
    save_with_password(converted_submission["xlsx"], rnd.folder / f"SO_VP.{fmt}", soffice())
    result = rnd.score()
    found = result.issues[result.issues["file"] == f"SO_VP.{fmt}"]
    assert found["code"].tolist() == ["file_password"]
    assert "mật khẩu" in found["message"].iloc[0]


def test_a_password_protected_xlsx_is_said_to_have_a_password(make_round):
    rnd = make_round()
    rnd.write("SO_VP.xlsx", encrypted_ole(b"\x00" * 4096))
    found = rnd.score().issues
    assert found.loc[found["file"] == "SO_VP.xlsx", "code"].tolist() == ["file_password"]


def test_a_formula_without_a_stored_result_is_named(make_round, cells):
    rnd = make_round()
    path = rnd.add("SO_VP")
    book = load_workbook(path)
    sheet, address = cells["C1.4"]
    book[sheet][address] = "=1+0"  # openpyxl stores the formula, no result
    book.save(path)
    result = rnd.score()
    found = result.issues[result.issues["code"] == "formula_no_value"]
    assert found[["sheet", "cell"]].values.tolist() == [[sheet, address]]
    assert "công thức" in found["message"].iloc[0] and "lưu lại" in found["message"].iloc[0]
    assert "required" not in set(result.issues["code"])


def test_macos_companion_files_are_ignored(make_round):
    rnd = make_round()
    rnd.add("SO_VP")
    rnd.write("._SO_VP.xlsx", b"\x00\x05\x16\x07\x00\x02\x00\x00Mac OS X        ")
    result = rnd.score()
    assert "._SO_VP.xlsx" not in set(result.register["file"])
    assert "._SO_VP.xlsx" not in set(result.issues["file"])


def test_links_out_of_the_round_folder_are_not_followed(make_round, tmp_path):
    rnd = make_round()
    outside = rnd.add("SO_VP", file="../../outside.xlsx")
    (rnd.folder / "SO_VP.xlsx").symlink_to(outside)
    rnd.add("SO_CCQLDD", file="real.xlsx")
    (rnd.folder / "SO_CCQLDD.xlsx").symlink_to("real.xlsx")  # inside: fine
    result = rnd.score()
    assert "SO_VP.xlsx" not in set(result.register["file"])
    assert {"real.xlsx", "SO_CCQLDD.xlsx"} <= set(result.register["file"])


def test_an_absurd_count_is_not_plausible(make_round):
    rnd = make_round()
    rnd.add("SO_VP", G05=1e20)
    result = rnd.score()
    assert "implausible" in set(result.issues["code"])
    g05 = result.answers[(result.answers["code"] == "G05")]
    assert g05["status"].tolist() == ["invalid"]


@pytest.mark.parametrize("date", [dt.date(1900, 1, 1), dt.date(2150, 1, 1)])
def test_a_report_date_far_from_the_round_is_warned_about(date, make_round):
    rnd = make_round()
    rnd.add("SO_VP", G03=date)
    found = rnd.score().issues
    warned = found[found["code"] == "report_date_implausible"]
    assert warned["severity"].tolist() == ["warning"]
    assert date.strftime("%d/%m/%Y") in warned["message"].iloc[0]


def test_a_very_long_text_is_kept_whole_and_quoted_short(make_round):
    rnd = make_round()
    path = rnd.add("SO_VP", C1_4="LONG-TEXT", G12="LONG-TEXT")
    long = "một trăm " * 120_000  # ≈ 1 MB, beyond what Excel or openpyxl would write
    with zipfile.ZipFile(path) as archive:
        parts = {n: archive.read(n) for n in archive.namelist()}
    path.write_bytes(rezip(path.read_bytes(), {
        n: x.replace(b"LONG-TEXT", long.encode()) for n, x in parts.items()
        if b"LONG-TEXT" in x}))
    result = rnd.score()
    answers = result.answers.set_index("code")
    assert answers.loc["G12", "value"] == long.strip()
    issue = result.issues[result.issues["code"] == "not_number"].iloc[0]
    assert issue["value"].strip() == long.strip()
    assert len(issue["message"]) < 1000


def test_shorten():
    assert shorten("abc", 5) == "abc"
    assert shorten("abcdefgh", 5) == "abcd…"
    assert len(shorten("x" * 10**6, 200)) == 200


def test_raw_files_are_never_changed(make_round, template_bytes, tmp_path, hash_files):
    rnd = good_round(make_round)
    data, part = template_bytes
    rnd.write("SO_VP.xlsx", far_cell_xlsx(data, part))
    shutil.copy(rnd.raw / "units.csv", rnd.raw / "units-copy.csv")
    before = hash_files(rnd.raw)
    assert cntt_score(rnd.raw, tmp_path / "p").code == 0
    assert hash_files(rnd.raw) == before


# --------------------------------------------------------------------------- inspection file


def _inspection_bytes(rnd) -> bytes:
    """The round's inspection file as `cntt inspection-template` writes it (marked)."""
    result = CliRunner().invoke(app, ["inspection-template", "--year", "2017",
                                      "--raw", str(rnd.raw)])
    assert result.exit_code == 0, result.output
    return (rnd.folder / "inspection.xlsx").read_bytes()


def _big_csv(rows: int) -> bytes:
    line = "SO_VP,Văn phòng Sở,G06,Tổng số máy tính,Thông tin chung,D10,18,16,Đếm lại,Lan\n"
    return ("Mã đơn vị,Tên đơn vị,Mã mục,Nội dung,Trang,Ô,Số liệu đơn vị báo cáo,"
            "Số liệu kiểm tra,Lý do điều chỉnh,Người kiểm tra\n" + line * rows).encode()


@pytest.mark.parametrize("case", ["far_cell", "million_rows", "csv_million_rows",
                                  "csv_too_big"])
def test_a_hostile_inspection_file_is_read_within_the_bounds_of_a_submission(
        case, make_round, tmp_path, valid_score):
    """Issue 17: the inspection file was read in the scoring process itself: one value at
    XFD1048576 aborted `cntt score` (SIGABRT, "memory allocation of 549755813888 bytes
    failed"); rows down to 1,048,576 took it past 1.4 GB. Now it is read in a sandboxed
    worker, like a submission: the file is an issue, its corrections are not applied."""
    rnd = good_round(make_round)
    if case.startswith("csv"):
        rows = 2_000_000 if case == "csv_million_rows" else 1_000_000
        data = _big_csv(rows) if case == "csv_million_rows" else \
            _big_csv(1) + b"#" * (65 * 2**20)
        name = "inspection.csv"
    else:
        data = _inspection_bytes(rnd)
        part = sheet_part(data, "Kiểm tra")
        data = far_cell_xlsx(data, part) if case == "far_cell" else \
            million_rows_xlsx(data, part)
        name = "inspection.xlsx"
    rnd.write(name, data)
    run = cntt_score(rnd.raw, tmp_path / "p")
    assert run.code == 0, run.err[-3000:]
    assert "Traceback" not in run.err and "memory allocation" not in run.err
    assert run.peak_kb < MEMORY_BUDGET_KB, f"{run.peak_kb // 1024} MB"
    found = issues_of(tmp_path / "p", name)
    assert found["code"].tolist() == ["file_too_large"], found["message"].tolist()
    assert found["message"].iloc[0].startswith(f"Tệp “{name}”: Tệp quá lớn hoặc bị hỏng")
    corrections = pd.read_parquet(tmp_path / "p" / "2017" / "corrections.parquet")
    assert corrections.empty
    assert_good_units_scored(tmp_path / "p", valid_score)
