"""Reading a round at the cost of the read (issue 16): lean worker processes given files in
batches, a file that kills or overruns its worker losing only itself, answers kept by
column and shared across the round, and the inspectors' workbook told while reading."""

from __future__ import annotations

import pickle
import shutil
import subprocess
import sys
import threading
from pathlib import Path

import pandas as pd
import pytest
from hostile import abort_on, allocate_until_refused, nap, square

from cntt_analysis.errors import UsageError
from cntt_analysis.intake import reading, templates
from cntt_analysis.intake.reading import start_reading
from cntt_analysis.intake.rounds import load_round
from cntt_analysis.intake.sandbox import (
    Cancelled,
    WorkerError,
    _Worker,
    map_isolated,
    worker_memory,
)
from cntt_analysis.intake.values import parse_answer
from cntt_analysis.intake.workbook import (
    ANSWER_COLUMN,
    ANSWER_COLUMNS,
    _parse,
    answers_frame,
    read_round_files,
    read_submission,
    submissions_frame,
)
from cntt_analysis.rubric.model import Input
from cntt_analysis.scoring.pipeline import score_round

# --------------------------------------------------------------------------- the pool


def test_a_file_that_kills_its_worker_mid_batch_loses_only_itself():
    # 100 files on two workers go in batches of 16: file 37 is in the middle of one.
    paths = [Path(str(n)) for n in range(100)]
    failed = []

    def on_failure(path, why):
        failed.append((path.name, why))
        return -1

    results = map_isolated(abort_on, paths, on_failure, workers=2, seconds=10)
    assert failed == [("37", "crash")]
    assert results == [-1 if n == 37 else n for n in range(100)]


def test_files_given_to_a_worker_that_has_just_died_are_read_again():
    # Under load the pool may top up a worker whose file has killed it before it notices
    # the death: the files given then must be read by the next worker, not stop the round.
    worker = _Worker(pickle.dumps((sys.path, pickle.dumps((square, None)))), 10.0)
    try:
        worker.proc.kill()
        worker.proc.wait()
        worker.give([(0, Path("3")), (1, Path("4"))])
        assert worker.receive() == (None, False)
        assert [i for i, _ in worker.batch] == [0, 1]
    finally:
        worker.stop(kill=True)


def test_the_time_limit_is_per_file_not_per_batch():
    # 40 files of 0.15 s each: a batch takes 2.4 s, each file far less than its 1 s.
    paths = [Path(str(n)) for n in range(40)]
    results = map_isolated(nap, paths, lambda p, why: why, workers=2, seconds=1.0)
    assert results == list(range(40))


def test_a_worker_that_cannot_start_is_an_error_not_lost_files(tmp_path, monkeypatch):
    module = tmp_path / "gone_reader.py"
    module.write_text("def read(path):\n    return 1\n")
    monkeypatch.syspath_prepend(str(tmp_path))
    import gone_reader

    module.unlink()  # the worker cannot import what the caller could
    shutil.rmtree(tmp_path / "__pycache__", ignore_errors=True)
    try:
        with pytest.raises(WorkerError, match="gone_reader"):
            map_isolated(gone_reader.read, [Path("a"), Path("b")], lambda p, why: why)
    finally:
        del sys.modules["gone_reader"]


def test_a_worker_stays_within_its_share_of_the_memory_budget():
    budget = worker_memory(2)
    assert budget == 160 * 2**20
    [peak] = map_isolated(allocate_until_refused, [Path("x")], lambda p, why: why,
                          workers=1, memory=budget)
    assert isinstance(peak, int) and 0 < peak <= budget


def test_a_reading_worker_imports_neither_pandas_nor_openpyxl():
    code = ("import sys, cntt_analysis.intake.workbook; "
            "print(sorted(m for m in ('pandas', 'openpyxl', 'numpy') if m in sys.modules))")
    done = subprocess.run([sys.executable, "-c", code], capture_output=True, text=True,
                          check=True)
    assert done.stdout.strip() == "[]"


def test_the_answer_column_is_the_templates():
    assert ANSWER_COLUMN == templates.ANSWER_COLUMN


# --------------------------------------------------------------------------- answers


@pytest.fixture
def three(make_round):
    rnd = make_round()
    for unit_id in ("SO_VP", "SO_CCQLDD", "H_TANPHUOC"):
        rnd.add(unit_id)
    rnd.add("H_CAILAY", C1_4="bốn", G12=None)  # an invalid and a blank answer
    return rnd


def test_workers_read_what_this_process_reads(three, rubric):
    paths = sorted(three.folder.glob("*.xlsx"))
    here = read_round_files(paths, rubric, 2017, progress=False, workers=0)
    there = read_round_files(paths, rubric, 2017, progress=False, workers=2)
    assert [s.answers for s in there] == [s.answers for s in here]
    assert [s.issues for s in there] == [s.issues for s in here]
    assert [s.meta for s in there] == [s.meta for s in here]
    assert [s.digest for s in there] == [s.digest for s in here]
    assert "not_number" in {i["code"] for s in there for i in s.issues}


def test_repeated_answer_values_are_held_once_per_round(three, rubric):
    subs = read_round_files(sorted(three.folder.glob("*.xlsx")), rubric, 2017,
                            progress=False)
    first, second = subs[0], subs[1]
    for field in (0, 6, 7):  # codes, sheets, cells: the same column object
        assert first.columns[field] is second.columns[field]
    yes = [(a, b) for a, b in zip(first.columns[2], second.columns[2]) if a == b == "Có"]
    assert yes and all(a is b for a, b in yes)


def test_the_answers_table_by_unit_and_code_needs_no_sort(three, rubric):
    subs = read_round_files(sorted(three.folder.glob("*.xlsx")), rubric, 2017,
                            progress=False)
    for sub in subs:
        sub.unit_id = sub.meta["unit_id"]
    by_unit = sorted(subs, key=lambda s: s.unit_id)
    got = submissions_frame(by_unit, by_code=True)
    want = answers_frame([a for s in subs for a in s.answers]).sort_values(
        ["unit_id", "code"], ignore_index=True)
    pd.testing.assert_frame_equal(got, want)
    assert list(got.columns) == ANSWER_COLUMNS
    assert got["raw_value"].dtype == object and got["number"].dtype == "float64"


def test_a_submission_gives_its_answers_as_rows(three, rubric):
    sub = read_submission(three.folder / "H_CAILAY.xlsx", rubric, 2017)
    rows = sub.answers
    assert [r["code"] for r in rows] == list(rubric.inputs)
    assert sub.answer("C1.4") == rows[list(rubric.inputs).index("C1.4")]
    assert sub.answer("C1.4")["status"] == "invalid"
    assert sub.answer("NO-SUCH") is None
    rows[0]["value"] = "changed"  # a copy: the submission keeps its own
    assert sub.answers[0]["value"] != "changed"


def test_remembered_parsing_tells_inputs_and_values_apart():
    count = Input(code="X1", label="Số", type="count", sheet="S")
    text = Input(code="X1", label="Chữ", type="text", sheet="S")
    assert _parse("12", count).number == 12.0
    assert _parse("12", text).number is None and _parse("12", text).value == "12"
    assert _parse(0.0, count).value == "0"
    assert _parse(-0.0, count) == parse_answer(-0.0, count)  # not 0.0's, remembered
    assert _parse(True, count).status == "invalid"  # True == 1, but not a count
    assert _parse(1, count).status == "ok"


# --------------------------------------------------------------------------- inspection


def test_only_the_name_or_round_yaml_makes_a_file_the_inspection_file(three):
    """Content never does (issue 17): a workbook that looks like the inspectors' stays a
    submission; named inspection.xlsx or declared in round.yaml, it is not one."""
    from openpyxl import Workbook

    path = three.folder / "kiem tra.xlsx"
    wb = Workbook()
    wb.active.title = "Kiểm tra"
    wb.active.append(["unit_id", "code", "Số liệu kiểm tra"])
    wb.save(path)
    rnd = load_round(three.raw, 2017)
    assert path in rnd.submissions() and rnd.inspection_files() == []
    renamed = path.rename(three.folder / "Inspection.xlsx")
    rnd = load_round(three.raw, 2017)
    assert renamed not in rnd.submissions() and rnd.inspection_files() == [renamed]
    renamed.rename(path)
    config = three.folder / "round.yaml"
    config.write_text(config.read_text(encoding="utf-8") + 'inspection: "kiem tra.xlsx"\n',
                      encoding="utf-8")
    rnd = load_round(three.raw, 2017)
    assert path not in rnd.submissions() and rnd.inspection_files() == [path]


# --------------------------------------------------------------------------- in background


def test_a_round_read_in_the_background_is_the_round_read_here(three, rubric):
    rnd = load_round(three.folder.parent, 2017)
    paths, subs = start_reading(rnd, progress=False).result()
    here = read_round_files(paths, rubric, 2017, progress=False, workers=0)
    assert paths == rnd.submissions() and len(paths) == 4
    assert [s.answers for s in subs] == [s.answers for s in here]
    assert [s.issues for s in subs] == [s.issues for s in here]


def test_a_stop_ends_the_reading_and_its_workers():
    stop = threading.Event()
    timer = threading.Timer(0.5, stop.set)
    timer.start()
    before = set(_children())
    with pytest.raises(Cancelled):
        # 400 naps of 0.15 s: 30 s on two workers, unless stopped
        map_isolated(nap, [Path(str(n)) for n in range(400)], lambda p, why: why,
                     workers=2, stop=stop)
    assert set(_children()) <= before  # no worker left behind


def test_a_broken_registry_stops_the_reading_at_once(make_round, tmp_path, monkeypatch):
    rnd = make_round()
    rnd.add("SO_VP")
    (rnd.folder.parent / "units.csv").write_text("unit_id,name,group\nSO_VP,,so\n", "utf-8")
    started = []
    real = reading.read_round_files

    def slow(*args, stop, **kwargs):  # the files would take 60 s to read
        started.append(stop)
        assert stop.wait(60), "the reading was not stopped"
        return real(*args, stop=stop, **kwargs)

    monkeypatch.setattr(reading, "read_round_files", slow)
    with pytest.raises(UsageError, match="units.csv"):
        score_round(rnd.folder.parent, 2017, progress=False)
    assert started and started[0].is_set()


def _children() -> list[int]:
    """The live child processes of this one."""
    import os

    me, found = os.getpid(), []
    for entry in os.scandir("/proc"):
        if entry.name.isdigit():
            try:
                with open(f"/proc/{entry.name}/stat", "rb") as handle:
                    fields = handle.read().rsplit(b")", 1)[1].split()
            except OSError:
                continue
            if int(fields[1]) == me and fields[0] != b"Z":
                found.append(int(entry.name))
    return found
