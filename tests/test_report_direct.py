"""Notebooks run straight in a kept kernel's interpreter (report.build.direct): the same
documents as through the kernel's messaging, the usual way for whatever it cannot
reproduce, and the kernels started while the rounds are scored.

Real kernels, real notebooks and real PDFs, on the synthetic report of test_report.
"""

from __future__ import annotations

import shutil
from pathlib import Path

import nbformat
import pytest
from test_report import (
    NOTEBOOK_NAMES,
    NOTEBOOKS,
    XSS_ID,
    YEAR,
    copy_notebooks,
    report,  # noqa: F401  (the shared built report)
)

from cntt_analysis.report.build import kernels as kernels_module
from cntt_analysis.report.build import run as build
from cntt_analysis.report.build.kernels import Kernel, parameterize


def parameterized(notebook: Path, report, **extra) -> nbformat.NotebookNode:  # noqa: F811
    return parameterize(nbformat.read(str(notebook), as_version=4),
                        {"year": YEAR, "raw_dir": str(report.raw.resolve()),
                         "processed_dir": str(report.processed.resolve()), **extra})


@pytest.fixture
def kernel(tmp_path):
    kernel = Kernel(NOTEBOOKS, tmp_path / "kernel.log")
    yield kernel
    kernel.shutdown()


@pytest.mark.parametrize("name,extra,pdf", [
    ("05-unit-profile", {"unit_id": XSS_ID}, True),   # markup in the unit's name
    ("02-ranking", {}, False),
])
def test_direct_run_writes_the_same_bytes(report, kernel, tmp_path, name, extra, pdf):  # noqa: F811
    """A direct run writes the executed notebook, its HTML page and its PDF as the
    kernel's messaging does, byte for byte."""
    notebook = NOTEBOOKS / f"{name}.ipynb"
    direct, usual = tmp_path / "direct", tmp_path / "usual"
    paths = {side: (side / "nb.ipynb", side / "page.html", side / "page.pdf" if pdf else None)
             for side in (direct, usual)}
    assert kernel.render(parameterized(notebook, report, **extra), *paths[direct][:2],
                         "Tiêu đề <thử>", paths[direct][2])
    executed = kernel.run(parameterized(notebook, report, **extra))
    usual.mkdir()
    paths[usual][0].write_text(nbformat.writes(executed) + "\n", encoding="utf-8")
    kernel.export(paths[usual][0], paths[usual][1], "Tiêu đề <thử>", paths[usual][2])
    for ours, theirs in zip(paths[direct], paths[usual]):
        if ours is not None:
            assert ours.read_bytes() == theirs.read_bytes(), ours.name
    code = [c for c in nbformat.read(paths[direct][0], as_version=4).cells
            if c.cell_type == "code"]
    assert [c.execution_count for c in code] == list(range(1, len(code) + 1))
    assert any(o.output_type == "execute_result" for c in code for o in c.outputs)


def test_what_outlives_a_notebook_is_kept_out_of_the_collector(report, kernel,  # noqa: F811
                                                                tmp_path):
    """After a notebook the kernel's lasting objects (libraries, shared tables) are frozen
    out of the cyclic collector's walks; garbage made afterwards is still collected."""
    nb = parameterized(NOTEBOOKS / "02-ranking.ipynb", report)
    assert kernel.render(nb, tmp_path / "nb.ipynb", tmp_path / "page.html", "Tiêu đề", None)
    reply = kernel.kc.execute_interactive(
        "import gc, weakref\nclass Loop: pass\nloop = Loop()\nloop.me = loop\n"
        "alive = weakref.ref(loop)\ndel loop\ngc.collect()", silent=False,
        store_history=False, timeout=60, output_hook=lambda msg: None,
        user_expressions={"frozen": "gc.get_freeze_count()", "alive": "alive() is not None"})
    found = {k: v["data"]["text/plain"] for k, v in reply["content"]["user_expressions"].items()}
    assert int(found["frozen"]) > 100_000
    assert found["alive"] == "False"


@pytest.mark.parametrize("cell", [
    'print("đã in")',                                   # a stream output
    'raise ValueError("hỏng")',                          # the kernel formats the error
    "import warnings\nwarnings.warn('cảnh báo')",        # stderr
    "from IPython.display import display\ndisplay(1)",   # a display output
    "%time 1 + 1",                                       # not plain Python
    "1 + 1;",                                            # output silenced
    "import matplotlib.pyplot as plt\nplt.figure()",     # left open: the inline backend shows it
])
def test_what_direct_cannot_reproduce_falls_back(report, kernel, tmp_path, cell):  # noqa: F811
    """A direct run gives up (nothing written) on what it could not reproduce."""
    nb = parameterized(NOTEBOOKS / "02-ranking.ipynb", report)
    nb.cells.append(nbformat.v4.new_code_cell(cell))
    executed, html = tmp_path / "nb.ipynb", tmp_path / "page.html"
    assert kernel.render(nb, executed, html, "Tiêu đề", None) is False
    assert not executed.exists() and not html.exists()
    # The kernel is still usable, as it was: the notebook runs the usual way.
    if "raise" not in cell:
        done = kernel.run(nb)
        assert done.cells[-1].execution_count is not None


def test_a_build_runs_its_notebooks_directly(report, tmp_path, monkeypatch):  # noqa: F811
    """No notebook of an ordinary build goes through the kernel's messaging."""
    ran: list[str] = []
    usual = Kernel.run
    monkeypatch.setattr(Kernel, "run", lambda self, nb: ran.append("run") or usual(self, nb))
    notebooks = copy_notebooks(tmp_path / "notebooks", stubs=tuple(NOTEBOOK_NAMES))
    out = build.build_report(YEAR, report.raw, report.processed, tmp_path / "reports",
                             notebooks, jobs=2, progress=False, units=[XSS_ID])
    assert ran == []
    profile = nbformat.read(out / "notebooks" / "don-vi" / f"{XSS_ID}.ipynb", as_version=4)
    assert profile.metadata.papermill.parameters.unit_id == XSS_ID
    assert (out / "don-vi" / f"{XSS_ID}.pdf").read_bytes().startswith(b"%PDF")


def test_the_kernels_start_while_the_rounds_are_scored(report, tmp_path,  # noqa: F811
                                                       monkeypatch):
    """Rounds to score mean a report to build: the kernels are started first, and load
    their libraries during the scoring instead of after it."""
    from cntt_analysis.scoring import pipeline

    events: list[str] = []
    score, start = pipeline.ensure_scored, kernels_module.Kernels.__init__

    def scoring(*args, **kwargs):
        events.append("score")
        return score(*args, **kwargs)

    def starting(self, *args, **kwargs):
        events.append("kernels")
        start(self, *args, **kwargs)

    monkeypatch.setattr(pipeline, "ensure_scored", scoring)
    monkeypatch.setattr(kernels_module.Kernels, "__init__", starting)
    monkeypatch.setattr(build, "import_before_threads", lambda: events.append("imports"))
    processed = tmp_path / "processed"   # nothing scored yet
    shutil.copytree(report.raw, tmp_path / "raw")
    notebooks = copy_notebooks(tmp_path / "notebooks", stubs=tuple(NOTEBOOK_NAMES))
    build.build_report(YEAR, tmp_path / "raw", processed, tmp_path / "reports", notebooks,
                       jobs=1, progress=False, units=[])
    assert events == ["imports", "kernels", "score"]


# A fresh interpreter in which another thread keeps entering and leaving
# `warnings.catch_warnings()` (as pandas does, writing the Word documents beside the
# kernels) once the kernels are made; then a notebook is parameterized from a thread.
_RACE = """
import sys, threading, time, warnings
from pathlib import Path
import nbformat
from cntt_analysis.report.build.kernels import import_before_threads, parameterize
import_before_threads()
stop = threading.Event()
def churn():
    while not stop.is_set():
        with warnings.catch_warnings():
            time.sleep(0.0002)
threading.Thread(target=churn, daemon=True).start()
nb = nbformat.read(sys.argv[1], as_version=4)
thread = threading.Thread(target=parameterize, args=(nb, {"year": 2017}))
thread.start()
thread.join()
stop.set()
"""


def test_no_library_warning_reaches_the_terminal_when_notebooks_start():
    """Before: urllib3's English DependencyWarning about SOCKS (papermill imports
    requests, which silences it by a filter a concurrent `catch_warnings` could undo) was
    printed under the progress bar of a cold `cntt report`. Its imports are done before
    any thread of the build starts."""
    import subprocess
    import sys

    notebook = NOTEBOOKS / f"{NOTEBOOK_NAMES[0]}.ipynb"
    done = subprocess.run([sys.executable, "-c", _RACE, str(notebook)],
                          capture_output=True, text=True, timeout=120)
    assert done.returncode == 0, done.stderr
    assert "Warning" not in done.stderr, done.stderr


# A fresh interpreter (as `cntt report` is) builds the report with its data side in a
# child process, then says which libraries it holds.
_ISOLATED = """
import sys
from pathlib import Path
from cntt_analysis.report.build.run import build_report
raw, processed, reports, notebooks = map(Path, sys.argv[1:5])
build_report(int(sys.argv[5]), raw, processed, reports, notebooks, jobs=1, progress=False,
             units=[sys.argv[6]], isolate=True)
print(sorted(m for m in ("pandas", "numpy", "pyarrow", "papermill", "docx", "openpyxl")
             if m in sys.modules))
"""


def test_the_command_holds_no_data_library_while_the_notebooks_run(report,  # noqa: F811
                                                                    tmp_path):
    """Before: `cntt report` scored, loaded the round, wrote the Word documents and held
    pandas, Arrow and the round (~300 MB of the province's 1.1 GB tree) while its kernels
    worked. Its data side now runs in a child process that ends before the notebooks do;
    the build is the same, file for file, as one made in a single process."""
    import subprocess
    import sys

    shutil.copytree(report.raw, tmp_path / "raw")   # nothing scored: the child scores
    notebooks = copy_notebooks(tmp_path / "notebooks", stubs=tuple(NOTEBOOK_NAMES))
    done = subprocess.run(
        [sys.executable, "-c", _ISOLATED, str(tmp_path / "raw"), str(tmp_path / "processed"),
         str(tmp_path / "reports"), str(notebooks), str(YEAR), XSS_ID],
        capture_output=True, text=True, timeout=600)
    assert done.returncode == 0, done.stderr
    assert done.stdout.strip().splitlines()[-1] == "[]"
    isolated = tmp_path / "reports" / str(YEAR)
    together = build.build_report(YEAR, tmp_path / "raw", tmp_path / "processed-2",
                                  tmp_path / "reports-2", notebooks, jobs=1, progress=False,
                                  units=[XSS_ID])
    files = sorted(p.relative_to(isolated).as_posix() for p in isolated.rglob("*")
                   if p.is_file())
    assert files == sorted(p.relative_to(together).as_posix() for p in together.rglob("*")
                           if p.is_file())
    assert "van-ban/bao-cao-2017.docx" in files and "index.html" in files
    for name in files:  # the notebooks name the folders they read; nothing else differs
        if not name.endswith(".ipynb"):
            assert (isolated / name).read_bytes() == (together / name).read_bytes(), name
