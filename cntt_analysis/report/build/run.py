"""`cntt report`: score what is stale, run the notebooks, export the year's documents
(HTML, PDF, executed notebooks, Excel) to ``reports/<year>/`` with an index.

Only documents whose inputs changed are rebuilt (keys in `keys`); an unchanged re-run
starts no kernel. Notebooks run on `jobs` kept-alive kernels (`kernels`), each driven by a
thread of this process (no worker processes: the kernels are the only other processes),
straight in the kernel's interpreter when the notebook allows (`direct`), else cell by
cell through the kernel's messaging; the kernels start while the rounds are scored;
a notebook that fails is kept (executed up to the failing cell) and named in the error,
and the others still run. ``reports/<year>`` is a symbolic link to a versioned build in
``reports/.builds/``, flipped atomically. Kernels die with the command.

The data side of a build (`prepare`: scoring, facts, keys, Word documents, the results
workbook) runs in a child process for `cntt report` (`isolated`), which ends before the
notebooks run: this module imports no pandas, so the command holds ~80 MB while its
kernels work, not the ~290 MB of the libraries and tables the data side needs.
"""

from __future__ import annotations

import dataclasses
import json
import os
import shutil
import tempfile
import threading
import time
from dataclasses import dataclass, field
from pathlib import Path
from typing import TYPE_CHECKING

import nbformat
from tqdm import tqdm

from cntt_analysis.errors import DiskError, ReportError, UsageError
from cntt_analysis.intake.rounds import available_years, load_round
from cntt_analysis.memory import long_lived_aside, release_memory
from cntt_analysis.report import NOTEBOOKS
from cntt_analysis.report.build import isolated
from cntt_analysis.report.build.kernels import (
    Kernel,
    Kernels,
    NotebookFailed,
    close_thread_loop,
    import_before_threads,
    parameterize,
)
from cntt_analysis.report.build.keys import (
    documents_digest,
    folder_digest,
    notebook_key,
    package_digest,
    round_digest,
    settings_digest,
    sha,
    shared_digest,
    unit_digests,
)
from cntt_analysis.report.build.publish import (
    build_name,
    current_build,
    publish,
    publishable,
    read_keys,
    remove_stale_staging,
)
from cntt_analysis.scoring.manifest import is_stale, processed_folder
from cntt_analysis.scoring.record import check_record
from cntt_analysis.storage import link_or_copy, remove_unused_files

if TYPE_CHECKING:
    from cntt_analysis.analysis.results import Results
    from cntt_analysis.report.facts import YearFacts
    from cntt_analysis.report.facts.organisation import Organisation

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
    source: str = ""  # the notebook with its parameters injected (`prepare`)


def _organisation(raw: Path, year: int):
    """The organisation's names for the year (department.yaml, the round's overrides)."""
    from cntt_analysis.report.facts import load_particulars, organisation_of

    return organisation_of(load_particulars(raw, year), year)


def plan(year: int, raw: Path, processed: Path, out: Path, notebooks: Path,
         units: dict[str, str]) -> list[Task]:
    """Every notebook run of a year's report: annual report, analyses, unit profiles."""
    base = {"year": year, "raw_dir": str(raw.resolve()),
            "processed_dir": str(processed.resolve())}
    executed = out / "notebooks"
    tasks = [Task(notebooks / f"{ANNUAL}.ipynb", executed / f"{ANNUAL}.ipynb",
                  out / f"bao-cao-{year}.html",
                  f"{_organisation(raw, year).report_title} năm {year}", base,
                  out / f"bao-cao-{year}.pdf")]
    tasks += [Task(notebooks / f"{name}.ipynb", executed / f"{name}.ipynb",
                   out / "phan-tich" / f"{name}.html", f"{title} — năm {year}", base)
              for name, title in ANALYSES]
    tasks += [Task(notebooks / f"{PROFILE}.ipynb", executed / "don-vi" / f"{unit}.ipynb",
                   out / "don-vi" / f"{unit}.html", f"{name} — hồ sơ đánh giá năm {year}",
                   {**base, "unit_id": unit}, out / "don-vi" / f"{unit}.pdf")
              for unit, name in units.items()]
    return tasks


# The order tasks are run in, two at a time (`queue`). The analyses draw most of the charts
# the annual report shows too (kept: html.blocks): run first, they leave them drawn for it.
ANALYSES_FIRST = ("02-ranking", "03-criteria", "04-trends", ANNUAL, "01-intake")
# The annual report is the longest task (a province's: ~8 s, ~6 s of it its PDF). In a
# build of few profiles (one unit changed) it went after the analyses and ran alone while
# the other kernel had nothing left to do: it goes first there (province, one unit changed,
# medians of 2: 21.2 → 18.8 s). In a cold build, first, it drew charts beside the analyses
# drawing them, with its PDF's memory beside theirs (peak 865 → 924 MB, ~4 s slower).
ANNUAL_FIRST = (ANNUAL, "02-ranking", "03-criteria", "04-trends", "01-intake")
FEW_PROFILES = 4  # what fills the other kernel, with the analyses, while the annual report runs


def queue(tasks: list[Task]) -> list[Task]:
    """`tasks` in the order they are run: the annual report and the analyses (the annual
    report first when few profiles are to be made), then the profiles."""
    profiles = sum(t.notebook.stem == PROFILE for t in tasks)
    first = ANNUAL_FIRST if profiles <= FEW_PROFILES else ANALYSES_FIRST

    def order(task: Task) -> int:
        name = task.notebook.stem
        return first.index(name) if name in first else len(first)

    return sorted(tasks, key=order)


def run_task(task: Task, kernel: Kernel) -> str | None:
    """Execute and export in `kernel`; an error message (Vietnamese) or None. A kernel
    that died (e.g. while starting on a loaded machine) is restarted once."""
    try:
        return _run_once(task, kernel)
    except Exception as exc:
        if (disk := _disk_error(exc)) is not None:  # a full disk is not the notebook's fault
            raise disk from exc
        kernel.shutdown()
        try:
            return _run_once(task, kernel)
        except Exception as exc:  # the notebook is missing or unreadable, the kernel died
            if (disk := _disk_error(exc)) is not None:
                raise disk from exc
            return f"Notebook {task.notebook.name} ({task.title}) không chạy được: {exc}"


def _disk_error(exc: BaseException) -> DiskError | None:
    """The disk error `exc` is or tells (raised here, or in a kernel: only its text)."""
    return DiskError.of(exc) or DiskError.from_text(str(exc))


def _run_once(task: Task, kernel: Kernel) -> str | None:
    from cntt_analysis.storage import write_text

    nb = (nbformat.reads(task.source, as_version=4) if task.source else
          parameterize(nbformat.read(str(task.notebook), as_version=4), task.parameters))
    # Straight in the kernel's interpreter when the notebook allows (`direct`): the same
    # documents without a message per cell; else (and after any error) run the usual way.
    if kernel.render(nb, task.executed, task.html, task.title, task.pdf):
        return None
    try:
        nb = kernel.run(nb)
    except NotebookFailed as failed:
        if (disk := DiskError.from_text(f"{failed.evalue}")) is not None:
            raise disk from None  # the folder it wrote to is full or read-only
        write_text(nbformat.writes(failed.nb) + "\n", task.executed)
        return (f"Notebook {task.notebook.name} ({task.title}) lỗi ở ô thứ "
                f"{failed.cell_number}: {failed.ename}: {failed.evalue}. Xem notebook đã "
                f"chạy: {task.executed}")
    write_text(nbformat.writes(nb) + "\n", task.executed)
    # HTML and PDF made in the kernel: it has the libraries loaded, and no other process
    # has to hold them.
    kernel.export(task.executed, task.html, task.title, task.pdf)
    return None


def run_tasks(tasks: list[Task], jobs: int, progress: bool,
              log: Path | None = None, kernels: Kernels | None = None) -> list[str]:
    """Run tasks on `jobs` kernels (`kernels` when already started), each kept alive for
    the notebooks it runs and driven by a thread of this process; the error messages of
    those that failed. Interrupted, it kills its kernels before returning."""
    if not tasks:
        return []
    own = kernels is None
    pool = Kernels(tasks[0].notebook.parent, min(jobs, len(tasks)), log, warm=False) \
        if kernels is None else kernels
    queue = list(reversed(tasks))  # popped from the end: in the given order
    lock = threading.Lock()
    errors: list[str] = []
    refused: list[DiskError] = []
    bar = tqdm(total=len(tasks), desc="Chạy notebook", unit="notebook", disable=not progress)
    stop = threading.Event()

    def drive(kernel: Kernel) -> None:
        try:
            _drive(kernel)
        finally:
            close_thread_loop()

    def _drive(kernel: Kernel) -> None:
        while not stop.is_set():
            with lock:
                if not queue:
                    return
                task = queue.pop()
            try:
                error = run_task(task, kernel)
            except DiskError as exc:  # every other notebook would fail the same way
                with lock:
                    refused.append(exc)
                stop.set()
                return
            except Exception as exc:  # pragma: no cover - run_task reports its own
                error = f"Notebook {task.notebook.name} không chạy được: {exc}"
            with lock:
                if error and not stop.is_set():
                    errors.append(error)
                bar.update(1)

    try:
        threads = [threading.Thread(target=drive, args=(k,), daemon=True)
                   for k in pool.ready(min(jobs, len(tasks)))]
        for thread in threads:
            thread.start()
        for thread in threads:
            while thread.is_alive():
                thread.join(0.2)
    except BaseException:
        stop.set()
        pool.kill()
        raise
    finally:
        if own:
            pool.close()
        bar.close()
    if refused:
        raise refused[0]
    return sorted(errors)


def check_usage(year: int, raw: Path, jobs: int) -> None:
    """Wrong usage is a clear message before anything is written."""
    if jobs < 1:
        raise UsageError(f"Số tiến trình song song (--jobs) phải từ 1 trở lên, không phải {jobs}.")
    years = available_years(raw)
    if year not in years:
        where = f"các năm có: {', '.join(map(str, years))}" if years else "không có năm nào"
        raise UsageError(f"Không có đợt đánh giá năm {year} trong {raw} ({where}).")
    # The year's configuration (round.yaml, its rubric, department.yaml) checked before the
    # reports folder is made: a bad key stops the command with nothing written.
    from cntt_analysis.report.facts import load_particulars

    load_round(raw, year)
    load_particulars(raw, year)


def build_report(year: int, raw: Path, processed: Path, reports: Path,
                 notebooks: Path | None = None, jobs: int = 2,
                 progress: bool = True, units: list[str] | None = None,
                 isolate: bool = False) -> Path:
    """Write ``reports/<year>/``; raises ReportError naming every notebook that failed.

    Each document is rebuilt only when what it reads changed (see `keys`); the others are
    taken from the current build. The new build is made beside it and published by
    flipping the ``reports/<year>`` symbolic link, so readers always find a whole report.

    The build has a data side (`prepare`: scoring, facts, keys, the Word documents, the
    results workbook) and the notebooks' side (`run_tasks`, on the kernels). With
    `isolate` (`cntt report`), the data side runs in a child process that has ended
    before the notebooks run: the command then holds no pandas and no round while the
    kernels work, and its memory counts with theirs.
    """
    started = time.time()
    notebooks = NOTEBOOKS if notebooks is None else Path(notebooks)
    if not notebooks.is_dir():
        raise UsageError(f"Không tìm thấy thư mục notebook {notebooks}.")
    # Absolute: the kernels run each notebook in its own folder, where a path relative to
    # the command's folder ("vi-du/reports") would point elsewhere.
    raw, processed, reports = (Path(p).absolute() for p in (raw, processed, reports))
    notebooks = notebooks.absolute()
    check_usage(year, raw, jobs)
    reports.mkdir(parents=True, exist_ok=True)
    remove_stale_staging(reports, year)
    years = [y for y in available_years(raw) if y <= year]
    for each in years:  # the published versions the pages quote are still as published
        check_record(processed, each)
    out = reports / str(year)
    # The report reads the Parquet tables only: a round scored without its Excel results
    # (the Python API's `ensure_scored`, a file deleted) still makes the report, whose
    # workbook and points CSV are rendered from the tables.
    stale = any(is_stale(raw, processed, y) for y in years)
    if not stale and _unchanged(year, raw, processed, reports, notebooks, units, years):
        return _nothing_changed(year, out, progress)  # nothing loaded, no kernel started
    if not isolate:  # `prepare` parameterizes in this process, beside the kernels' threads
        import_before_threads()
    kernels: Kernels | None = None
    staging: Path | None = None
    try:
        # New data make a new report: the kernels start now and load their libraries
        # while the rounds are scored and the data side works (~4 s a kernel).
        kernels = _start_kernels(notebooks, jobs, reports, year)
        # A private staging folder (its name carries our pid, so a later run can tell it
        # is stale); published folders are readable by others (0755/0644 less the umask).
        staging = Path(tempfile.mkdtemp(prefix=f".{year}.building-{os.getpid()}-",
                                        dir=reports))
        arguments = (year, raw, processed, reports, notebooks, units, staging, stale)
        prepared = isolated.call(prepare, *arguments) if isolate else prepare(*arguments)
        release_memory()  # what the data side left (in this process), while kernels work
        if prepared is None:  # rescored, and the rounds came out the same
            shutil.rmtree(staging, ignore_errors=True)
            return _nothing_changed(year, out, progress)
        errors = run_tasks(prepared.todo, jobs, progress, log=kernels.log, kernels=kernels)
        kernels.close()
        finish(prepared, staging, reports, year, errors)
    except BaseException:
        if kernels is not None:  # stopped (scoring failed, interrupted): not waited for
            kernels.kill()
        if staging is not None:
            shutil.rmtree(staging, ignore_errors=True)
        raise
    finally:
        if kernels is not None:
            kernels.close()
    # Chart images no document of this build used (each use touches its file) go.
    remove_unused_files(prepared.figures, "*.png", started - 600)
    return out


def _nothing_changed(year: int, out: Path, progress: bool) -> Path:
    if progress:
        print(f"Không có gì thay đổi kể từ lần xuất trước: báo cáo năm {year} vẫn ở {out}.")
    return out


def _build_key(year: int, raw: Path, processed: Path, notebooks: Path,
               units: list[str] | None, years: list[int]) -> tuple[str, str]:
    """(the documents' key, the whole build's id): digests of files only, no data read."""
    documents_key = documents_digest(raw, processed, year, years)
    build_id = sha(documents_key, folder_digest(notebooks),
                   json.dumps([year, str(raw.resolve()), str(processed.resolve()), units])
                   )[:16]
    return documents_key, build_id


def _unchanged(year: int, raw: Path, processed: Path, reports: Path, notebooks: Path,
               units: list[str] | None, years: list[int]) -> bool:
    """The current build is the one these inputs make (when it is, nothing is loaded)."""
    build_id = _build_key(year, raw, processed, notebooks, units, years)[1]
    return _is_current(current_build(reports, year), year, build_id)


def _is_current(current: Path | None, year: int, build_id: str) -> bool:
    return current is not None and current.name == build_name(year, build_id)


def _start_kernels(notebooks: Path, jobs: int, reports: Path, year: int) -> Kernels:
    """`jobs` kernels started in the background, their chatter in this run's log."""
    log = reports / "logs" / f"kernels-{year}.log"
    log.parent.mkdir(parents=True, exist_ok=True)
    log.write_text("", encoding="utf-8")  # this run's chatter only
    return Kernels(notebooks.resolve(), jobs, log)


@dataclass(frozen=True)
class Prepared:
    """What the data side of a build hands to the notebooks' side: plain values (no
    frame), so that it can come from another process."""

    build_id: str
    todo: list[Task]             # the notebooks to run (parameterized), in their order
    keys: dict[str, str]         # every document's key, published with the build
    index: Index                 # the index's entries, before the notebooks ran
    figures: Path                # the kept chart images (swept after the build)


def prepare(year: int, raw: Path, processed: Path, reports: Path, notebooks: Path,
            units: list[str] | None, staging: Path, score: bool) -> Prepared | None:
    """The data side of a build, into `staging`: the rounds scored (`score`), the
    facts, every document's key, the notebooks to run (those whose key changed), the
    Word documents, the results workbook, the points CSV and the index's entries. None
    when the current build is already this one (the rounds rescored the same)."""
    from cntt_analysis.analysis.results import load_results
    from cntt_analysis.intake.registry import active_units
    from cntt_analysis.report.excel import (
        ROUND_WRITERS,
        forget_scored,
        points_csv_name,
        scored_into,
        workbook_name,
        write_points_csv,
        write_results_workbook,
    )
    from cntt_analysis.report.facts import cached_facts
    from cntt_analysis.report.facts.cache import FIGURES
    from cntt_analysis.report.word.documents import FOLDER as DOCUMENTS
    from cntt_analysis.report.word.documents import Earlier, write_documents
    from cntt_analysis.scoring.pipeline import ensure_scored

    with long_lived_aside():  # the libraries just imported
        years = [y for y in available_years(raw) if y <= year]
        if score:
            forget_scored()  # (only what this call scores is taken below)
            ensure_scored(raw, processed, progress=False, up_to=year, writers=ROUND_WRITERS)
            _warn_if_published(processed, years)
            release_memory()  # what scoring freed
        # The year's round if this call scored it: its facts, as its workbook states them
        scored = scored_into(processed, year) if score else None
        forget_scored()
        documents_key, build_id = _build_key(year, raw, processed, notebooks, units, years)
        current = current_build(reports, year)
        if _is_current(current, year, build_id):
            return None
        previous = read_keys(current)
        results = load_results(raw, processed, up_to=year)
        # Computed once here and kept (keyed by the data): every notebook reads them.
        facts = cached_facts(raw, processed, year, results=results, computed=scored)
        names = dict(zip(results.registry["unit_id"], results.registry["name"]))
        active = active_units(results.registry, year)["unit_id"]
        chosen = {u: names.get(u, u) for u in (list(active) if units is None else units)}
        keys = document_keys(plan(year, raw, processed, Path("."), notebooks.resolve(), chosen),
                             results, facts, processed, year)
        keys[DOCUMENTS] = documents_key
        tasks = plan(year, raw, processed, staging, notebooks.resolve(), chosen)
        to_run = [t for t in tasks if not reuse(t, staging, current, previous, keys)]
        todo = [dataclasses.replace(t, source=_parameterized(t))
                for t in queue(to_run)]
        # The Word documents: each filled again only when what it states changed (its own
        # key), else linked from the current build; linked whole when nothing they read did.
        earlier = Earlier(None if current is None else current / DOCUMENTS,
                          _keys_under(previous, DOCUMENTS))
        if _reuse_folder(current, staging, DOCUMENTS, previous.get(DOCUMENTS) == documents_key):
            earlier.keys.update(earlier.previous)  # each document keeps its key
        else:
            write_documents(year, raw, processed, staging / DOCUMENTS, facts, earlier, results)
        keys |= {f"{DOCUMENTS}/{name}": key for name, key in earlier.keys.items()}
        # The report's own workbook, rendered from the facts its pages state (its draft or
        # final state is the report's, not the scoring's); the points as scored. When the
        # year was scored just now, the processed workbook was rendered from those facts.
        workbook = staging / workbook_name(year)
        if scored is not None:
            link_or_copy(processed_folder(processed, year) / workbook.name, workbook)
        else:
            write_results_workbook(facts, results.rubric(year), workbook)
        write_points_csv(results.of_year("points", year), results.rubric(year), names,
                         staging / points_csv_name(year))
        index = index_entries(year, tasks, staging, names, results,
                              draft=facts.status_label if facts.draft else "")
        return Prepared(build_id, todo, keys, index, processed / FIGURES)


def _parameterized(task: Task) -> str:
    """The task's notebook with its parameters injected (papermill's cell), as text."""
    return nbformat.writes(parameterize(nbformat.read(str(task.notebook), as_version=4),
                                        task.parameters))


def finish(prepared: Prepared, staging: Path, reports: Path, year: int,
           errors: list[str]) -> None:
    """The index of what was written; the build published, or, when a notebook failed,
    put beside the current one (``<year>-loi``) and the failures raised."""
    from cntt_analysis.storage import write_text

    write_text(index_html(prepared.index, staging, errors), staging / "index.html")
    publishable(staging)
    if errors:
        # A failed build never replaces the last good report: it goes beside it, for reading.
        final = reports / f"{year}-loi"
        shutil.rmtree(final, ignore_errors=True)
        staging.rename(final)
        raise ReportError(
            f"Có notebook bị lỗi; báo cáo chưa hoàn chỉnh được để riêng ở {final} "
            f"(báo cáo cũ, nếu có, vẫn giữ nguyên ở {reports / str(year)}):\n"
            + "\n".join(f"- {e.replace(str(staging), str(final))}" for e in errors))
    publish(staging, reports, year, prepared.build_id, prepared.keys)
    shutil.rmtree(reports / f"{year}-loi", ignore_errors=True)


def document_keys(tasks: list[Task], results: Results, facts: YearFacts, processed: Path,
                  year: int) -> dict[str, str]:
    """Each document's key, by its executed notebook's path relative to the report (see
    `keys`): the annual report and the analyses on every round's data, a unit's profile on
    what it shows."""
    years = [y for y in results.years if y <= year]
    package = package_digest()
    shared = shared_digest(facts)
    everything = round_digest(processed, years)
    settings = settings_digest(processed, years)
    units = [t.parameters["unit_id"] for t in tasks if "unit_id" in t.parameters]
    per_unit = unit_digests(facts, results, units)

    def data(task: Task) -> str:
        unit = task.parameters.get("unit_id")
        return sha(shared, everything if unit is None else sha(settings, per_unit[unit]))

    return {task.executed.as_posix(): notebook_key(task.notebook, task.parameters, package,
                                                   data(task)) for task in tasks}


def _outputs(task: Task) -> list[Path]:
    return [p for p in (task.executed, task.html, task.pdf) if p is not None]


def reuse(task: Task, staging: Path, current: Path | None, previous: dict[str, str],
          keys: dict[str, str]) -> bool:
    """Link the task's documents from the current build when its key is unchanged."""
    name = task.executed.relative_to(staging).as_posix()
    if current is None or previous.get(name) != keys.get(name):
        return False
    sources = [current / p.relative_to(staging) for p in _outputs(task)]
    if not all(src.is_file() for src in sources):
        return False
    for src, dst in zip(sources, _outputs(task)):
        link_or_copy(src, dst)
    return True


def built_from(reports: Path, year: int) -> tuple[Path, Path] | None:
    """The (raw, processed) folders the published report of `year` was built from, as
    its executed annual report records them; None when there is none."""
    executed = reports / str(year) / "notebooks" / f"{ANNUAL}.ipynb"
    if not executed.is_file():
        return None
    try:
        meta = json.loads(executed.read_text(encoding="utf-8"))["metadata"]["papermill"]
        params = meta["parameters"]
        return Path(params["raw_dir"]).resolve(), Path(params["processed_dir"]).resolve()
    except (KeyError, TypeError, ValueError):
        return None


def _warn_if_published(processed: Path, years: list[int]) -> None:
    """Rescored results that differ from finalised ones: said on stderr (kept, noted)."""
    import sys

    from cntt_analysis.scoring.publication import record_changes

    for year in years:
        warning = record_changes(processed, year)
        if warning:
            print(warning, file=sys.stderr)


def _keys_under(keys: dict[str, str], folder: str) -> dict[str, str]:
    """The keys of the documents in `folder`, by their path in it."""
    start = f"{folder}/"
    return {name[len(start):]: key for name, key in keys.items() if name.startswith(start)}


def _reuse_folder(current: Path | None, staging: Path, name: str, unchanged: bool) -> bool:
    """Link a whole folder of the current build (the Word documents) when its key is
    unchanged; False when it must be written again."""
    source = None if current is None else current / name
    if not unchanged or source is None or not source.is_dir():
        return False
    for src in source.rglob("*"):
        dst = staging / name / src.relative_to(source)
        if src.is_dir():
            dst.mkdir(parents=True, exist_ok=True)
            continue
        link_or_copy(src, dst)
    return True


DOCUMENTS_HEADING = "Văn bản (Word, theo Nghị định 30/2020/NĐ-CP)"


def _document_links(out: Path, year: int, names: dict[str, str]
                    ) -> list[tuple[str, list[tuple[str, str]]]]:
    """The official documents written in the build: the Department's report, the reminder,
    and the units' notices on one line (each linked by the unit's name)."""
    from cntt_analysis.report.word.documents import FOLDER

    folder = out / FOLDER
    if not folder.is_dir():
        return []
    fixed = [("Báo cáo kết quả kiểm tra, đánh giá", folder / f"bao-cao-{year}.docx"),
             ("Công văn đôn đốc đơn vị chưa nộp báo cáo", folder / f"don-doc-{year}.docx")]
    items = [(label, [("Word", path.relative_to(out).as_posix())])
             for label, path in fixed if path.is_file()]
    notices = [(names.get(p.stem, p.stem), p.relative_to(out).as_posix())
               for p in sorted((folder / "thong-bao").glob("*.docx"))]
    if notices:
        items.append(("Thông báo kết quả cho từng đơn vị (Word)", notices))
    return items


@dataclass(frozen=True)
class Index:
    """The index's entries as planned: every document a build may write, each entry a
    label and its links (format, href relative to the build); `index_html` keeps those
    actually written."""

    year: int
    sections: list[tuple[str, list[tuple[str, list[tuple[str, str]]]]]]
    synthetic: bool
    draft: str = ""
    organisation: Organisation | None = None


def index_entries(year: int, tasks: list[Task], out: Path, names: dict[str, str],
                  results: Results, draft: str = "") -> Index:
    """The index's entries: the annual report first, the analyses, unit profiles grouped
    by group (best first, with score, tier and rank), the official documents, the data;
    documents named in Vietnamese."""
    from cntt_analysis.report.html.pages import NOTEBOOK_LABELS, profile_sections

    def links(*pairs: tuple[str, Path | None]) -> list[tuple[str, str]]:
        return [(fmt, path.relative_to(out).as_posix()) for fmt, path in pairs
                if path is not None]

    annual, analyses, profiles = tasks[0], tasks[1:1 + len(ANALYSES)], tasks[1 + len(ANALYSES):]
    grouped = profile_sections(
        [(t.parameters["unit_id"], links(("HTML", t.html), ("PDF", t.pdf))) for t in profiles],
        results.of_year("scores", year), results.registry, results.rubric(year))
    sections = [
        ("Báo cáo năm", [(annual.title, links(("HTML", annual.html), ("PDF", annual.pdf)))]),
        ("Phân tích", [(t.title, links(("HTML", t.html))) for t in analyses]),
        *grouped,
        (DOCUMENTS_HEADING, _document_links(out, year, names)),
        ("Số liệu", [
            ("Bảng kết quả Excel", links((f"ket-qua-{year}.xlsx", out / f"ket-qua-{year}.xlsx"))),
            ("Điểm từng chỉ tiêu của từng đơn vị, kèm ô nguồn (CSV mở bằng Excel)",
             links((f"diem-chi-tieu-{year}.csv", out / f"diem-chi-tieu-{year}.csv"))),
            ("Notebook đã chạy (mở bằng Jupyter)",
             links(*((NOTEBOOK_LABELS.get(t.executed.stem, t.title), t.executed)
                     for t in (annual, *analyses))))]),
    ]
    return Index(year, sections, results.synthetic(year), draft,
                 _organisation(results.rounds[year].folder.parent, year))


def index_html(index: Index, out: Path, errors: list[str] | None = None) -> str:
    """index.html of what was actually written in `out` (a failed notebook's page is not
    listed, nor a heading left empty)."""
    from cntt_analysis.report.html.pages import index_page

    def written(links: list[tuple[str, str]]) -> list[tuple[str, str]]:
        return [(fmt, href) for fmt, href in links if (out / href).is_file()]

    listed = [(heading, [(label, written(links)) for label, links in items])
              for heading, items in index.sections]
    sections = [(heading, [(label, found) for label, found in items if found])
                for heading, items in listed]
    warnings = [index.draft, "Báo cáo chưa hoàn chỉnh: có notebook bị lỗi." if errors else ""]
    return index_page(index.year, [s for s in sections if s[1]], index.synthetic,
                      warning=" ".join(w for w in warnings if w),
                      organisation=index.organisation)
