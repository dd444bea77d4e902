"""`cntt report`: score what is stale, run the notebooks with papermill, export the year's
documents (HTML, PDF, executed notebooks, Excel) to ``reports/<year>/`` with an index.

Notebooks run in parallel worker processes; a notebook that fails is kept (executed up
to the failing cell) and named in the error, and the others still run.
"""

from __future__ import annotations

import os
import shutil
import tempfile
from concurrent.futures import ProcessPoolExecutor, as_completed
from dataclasses import dataclass, field
from multiprocessing import get_context
from pathlib import Path
from typing import Any

from tqdm import tqdm

from cntt_analysis.analysis.results import load_results
from cntt_analysis.errors import ReportError, UsageError
from cntt_analysis.intake.registry import active_units
from cntt_analysis.report import NOTEBOOKS
from cntt_analysis.report.excel import round_workbook
from cntt_analysis.report.pages import html_to_pdf, index_page, notebook_to_html
from cntt_analysis.scoring.pipeline import ensure_scored, processed_folder
from cntt_analysis.storage import write_bytes, write_text

ANALYSES = [
    ("01-intake", "Tình hình nộp báo cáo và kiểm tra số liệu"),
    ("02-ranking", "Xếp hạng các đơn vị"),
    ("03-criteria", "Phân tích theo tiêu chí"),
    ("04-trends", "Diễn biến qua các năm"),
]
PROFILE = "05-unit-profile"
ANNUAL = "06-annual-report"


@dataclass(frozen=True)
class Task:
    """One notebook run and the documents made from it."""

    notebook: Path
    executed: Path
    html: Path
    title: str
    parameters: dict = field(default_factory=dict)
    pdf: Path | None = None


KERNEL_START_FAILURE = "Kernel died before replying to kernel_info"


def run_task(task: Task) -> str | None:
    """Execute, export; returns an error message (Vietnamese) or None. Runs in a worker.

    A kernel that dies while starting (seen on a loaded machine) is given one more try."""
    error = _run_once(task)
    if error and KERNEL_START_FAILURE in error:
        error = _run_once(task)
    return error


def _run_once(task: Task) -> str | None:
    import papermill as pm
    from papermill.exceptions import PapermillExecutionError

    task.executed.parent.mkdir(parents=True, exist_ok=True)
    with tempfile.TemporaryDirectory(dir=task.executed.parent) as tmp:
        scratch = Path(tmp) / task.executed.name
        try:
            pm.execute_notebook(str(task.notebook), str(scratch), parameters=task.parameters,
                                kernel_name="python3", progress_bar=False,
                                cwd=str(task.notebook.parent))
        except PapermillExecutionError as exc:
            shutil.move(scratch, task.executed)
            return (f"Notebook {task.notebook.name} ({task.title}) lỗi ở ô thứ "
                    f"{exc.exec_count}: {exc.ename}: {exc.evalue}. Xem notebook đã chạy: "
                    f"{task.executed}")
        except Exception as exc:  # kernel died, notebook missing or unreadable
            return f"Notebook {task.notebook.name} ({task.title}) không chạy được: {exc}"
        write_bytes(scratch.read_bytes(), task.executed)
    html = notebook_to_html(task.executed, task.html, task.title)
    if task.pdf is not None:
        html_to_pdf(html, task.pdf, base_url=task.html.parent)
    return None


def plan(year: int, raw: Path, processed: Path, out: Path, notebooks: Path,
         units: dict[str, str]) -> list[Task]:
    """Every notebook run of a year's report: annual report, analyses, unit profiles."""
    base = {"year": year, "raw_dir": str(raw.resolve()),
            "processed_dir": str(processed.resolve())}
    executed = out / "notebooks"
    tasks = [Task(notebooks / f"{ANNUAL}.ipynb", executed / f"{ANNUAL}.ipynb",
                  out / f"bao-cao-{year}.html",
                  f"Báo cáo kết quả kiểm tra, đánh giá ứng dụng CNTT năm {year}", base,
                  out / f"bao-cao-{year}.pdf")]
    tasks += [Task(notebooks / f"{name}.ipynb", executed / f"{name}.ipynb",
                   out / "phan-tich" / f"{name}.html", f"{title} — năm {year}", base)
              for name, title in ANALYSES]
    tasks += [Task(notebooks / f"{PROFILE}.ipynb", executed / "don-vi" / f"{unit}.ipynb",
                   out / "don-vi" / f"{unit}.html", f"{name} — hồ sơ đánh giá năm {year}",
                   {**base, "unit_id": unit}, out / "don-vi" / f"{unit}.pdf")
              for unit, name in units.items()]
    return tasks


def _quiet_worker(log_path: str) -> None:
    """Send a worker's (and its kernels') stderr chatter to a log file, not the terminal;
    failures still reach the user through the error messages."""
    import os

    fd = os.open(log_path, os.O_WRONLY | os.O_CREAT | os.O_APPEND, 0o644)
    os.dup2(fd, 2)
    os.close(fd)


def run_tasks(tasks: list[Task], jobs: int, progress: bool,
              log: Path | None = None) -> list[str]:
    """Run tasks in `jobs` worker processes; the error messages of those that failed."""
    errors = []
    quiet: dict[str, Any] = ({"initializer": _quiet_worker, "initargs": (str(log),)}
                             if log is not None else {})
    with ProcessPoolExecutor(max_workers=jobs, mp_context=get_context("spawn"),
                             **quiet) as pool:
        futures = {pool.submit(run_task, t): t for t in tasks}
        done = tqdm(as_completed(futures), total=len(futures), desc="Chạy notebook",
                    unit="notebook", disable=not progress)
        for future in done:
            try:
                error = future.result()
            except Exception as exc:  # a worker that crashed outright
                error = f"Notebook {futures[future].notebook.name} không chạy được: {exc}"
            if error:
                errors.append(error)
    return sorted(errors)


def build_report(year: int, raw: Path, processed: Path, reports: Path,
                 notebooks: Path | None = None, jobs: int = 2,
                 progress: bool = True, units: list[str] | None = None) -> Path:
    """Write ``reports/<year>/``; raises ReportError naming every notebook that failed.

    The year's folder is built beside the old one and swapped in at the end, so readers
    never see a half-written report and no stale page survives a re-run.
    """
    notebooks = NOTEBOOKS if notebooks is None else Path(notebooks)
    if not notebooks.is_dir():
        raise UsageError(f"Không tìm thấy thư mục notebook {notebooks}.")
    ensure_scored(raw, processed, progress=False, up_to=year, writers=[round_workbook])
    results = load_results(raw, processed, up_to=year)
    names = dict(zip(results.registry["unit_id"], results.registry["name"]))
    active = active_units(results.registry, year)["unit_id"]
    chosen = {u: names.get(u, u) for u in (list(active) if units is None else units)}
    out = reports / str(year)
    reports.mkdir(parents=True, exist_ok=True)
    # A private staging folder: two runs at once (cron and a person) never share one.
    staging = Path(tempfile.mkdtemp(prefix=f".{year}.building-", dir=reports))
    tasks = plan(year, raw, processed, staging, notebooks.resolve(), chosen)
    log = reports / "logs" / f"kernels-{year}.log"
    log.parent.mkdir(parents=True, exist_ok=True)
    log.write_text("", encoding="utf-8")  # this run's chatter only
    errors = run_tasks(tasks, jobs, progress, log=log)
    excel = processed_folder(processed, year) / f"ket-qua-{year}.xlsx"
    write_bytes(excel.read_bytes(), staging / excel.name)
    write_text(_index(year, tasks, staging, names, results.synthetic(year), errors,
                      results=results), staging / "index.html")
    # A failed build never replaces the last good report: it goes beside it, for reading.
    final = reports / f"{year}-loi" if errors else out
    swap_in(staging, final)
    if not errors:
        shutil.rmtree(reports / f"{year}-loi", ignore_errors=True)
        return out
    raise ReportError(
        f"Có notebook bị lỗi; báo cáo chưa hoàn chỉnh được để riêng ở {final} "
        f"(báo cáo cũ, nếu có, vẫn giữ nguyên ở {out}):\n"
        + "\n".join(f"- {e.replace(str(staging), str(final))}" for e in errors))


def swap_in(new: Path, target: Path) -> None:
    """Put `new` at `target`: the old folder is moved aside first and deleted after, so
    `target` is missing only between two renames, never half-written."""
    old = target.with_name(f".{target.name}.old-{os.getpid()}")
    if target.exists():
        target.rename(old)
    new.rename(target)
    shutil.rmtree(old, ignore_errors=True)


def _index(year: int, tasks: list[Task], out: Path, names: dict[str, str],
           synthetic: bool, errors: list[str] | None = None, results=None) -> str:
    """The index of what was actually written (a failed notebook's page is not listed):
    the annual report first, the analyses, unit profiles grouped by group with score and
    tier (when `results` are given), the data; documents named in Vietnamese."""
    from cntt_analysis.report.pages import NOTEBOOK_LABELS, profile_sections

    def links(*pairs: tuple[str, Path | None]) -> list[tuple[str, str]]:
        return [(fmt, path.relative_to(out).as_posix()) for fmt, path in pairs
                if path is not None and path.is_file()]

    annual, analyses, profiles = tasks[0], tasks[1:1 + len(ANALYSES)], tasks[1 + len(ANALYSES):]
    entries = {
        "Báo cáo năm": [(annual.title, links(("HTML", annual.html), ("PDF", annual.pdf)))],
        "Phân tích": [(t.title, links(("HTML", t.html))) for t in analyses],
        "Hồ sơ từng đơn vị": [
            (names.get(t.parameters["unit_id"], t.parameters["unit_id"]),
             links(("HTML", t.html), ("PDF", t.pdf))) for t in profiles],
        "Số liệu": [
            ("Bảng kết quả Excel", links((f"ket-qua-{year}.xlsx", out / f"ket-qua-{year}.xlsx"))),
            ("Notebook đã chạy (mở bằng Jupyter)",
             links(*((NOTEBOOK_LABELS.get(t.executed.stem, t.title), t.executed)
                     for t in (annual, *analyses))))],
    }
    if results is not None:
        found = [(t.parameters["unit_id"], links(("HTML", t.html), ("PDF", t.pdf)))
                 for t in profiles]
        grouped = profile_sections([(u, f) for u, f in found if f],
                                   results.of_year("scores", year), results.registry)
        entries = {k: v for k, v in entries.items() if k != "Hồ sơ từng đơn vị"}
        data = entries.pop("Số liệu")
        entries |= {heading: items for heading, items in grouped} | {"Số liệu": data}
    sections = [(heading, [(label, found) for label, found in items if found])
                for heading, items in entries.items()]
    return index_page(year, [s for s in sections if s[1]], synthetic,
                      warning="Báo cáo chưa hoàn chỉnh: có notebook bị lỗi." if errors else "")
