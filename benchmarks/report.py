"""Report benchmark: `cntt report` as users run it, before and after side by side.

Projects (generated or copied once, not timed), each run by every side on its own copy:

  demo      a copy of the demo data (data/raw: three rounds, 22 units in 2017)
  province  a generated post-2025 province: 20 sở and 130 xã, one round on a so/xa rubric
            (the 2017 rubric with its second group renamed xã and some indicators asked of
            the sở only), 150 workbooks written with the package's template builder and
            filled with the intake benchmark's plausible answers

Scenarios, each timed as a subprocess (process start to exit) with the peak resident
memory of its whole process tree (`cntt report` and its kernels, sampled
from /proc every 50 ms, summed: RSS every time, PSS when the RSS reaches a new peak):

  cold       fresh processed and reports folders: score, run every notebook, export
  unchanged  the same command again, nothing changed
  one-unit   after one unit's workbook changed (one answer), as a unit re-sending it

Sides: ``after`` is this venv's ``cntt``; ``--before PATH`` adds another installation's
command (a checkout of the earlier commit with its own venv). For each scenario the sides
run one after the other, their order alternating from one run to the next. ``--repeat N``
runs each scenario N times per side (a cold run on emptied processed and reports folders,
a one-unit run after another change): the median time and the highest peak are shown, a
single run of a shared machine being off by several seconds.
Run: ``.venv/bin/python benchmarks/report.py [--before PATH] [--only demo,province]
[--repeat N]``.
"""

from __future__ import annotations

import argparse
import copy
import csv
import os
import random
import shutil
import statistics
import subprocess
import sys
import tempfile
import threading
import time
from pathlib import Path

import yaml
from intake import children_of  # this folder's other script (run from here)
from openpyxl import load_workbook

from cntt_analysis.intake.templates import build_template, evidence_cells, template_cells
from cntt_analysis.rubric.model import RUBRIC_DIR, load_rubric
from cntt_analysis.storage import write_workbook

HERE = Path(__file__).resolve().parent
DEMO = HERE.parent / "data" / "raw"
TARGETS = {  # seconds; and the tree's memory, MB
    ("demo", "cold"): 20.0, ("demo", "unchanged"): 2.0, ("demo", "one-unit"): 8.0,
    ("province", "cold"): 90.0, ("province", "one-unit"): 10.0,
}
TARGET_MB = 1024.0
SCENARIOS = {"demo": ("cold", "unchanged", "one-unit"), "province": ("cold", "one-unit")}
YEARS = {"demo": 2017, "province": 2025}
DEMO_CHANGED = ("tt-cntt.xlsx", "C4.1")    # a Sở unit of the demo
PROVINCE_SO, PROVINCE_XA = 20, 130
PROVINCE_SO_ONLY = ("C4.10", "C5.5")        # asked of the sở only
PROVINCE_CHANGED_CODE = "C4.1"


# --- the province (generated once, not timed) ----------------------------------------

def province_rubric(path: Path) -> Path:
    """The 2017 rubric as a province's framework: groups sở and xã, some indicators asked of
    the sở only (their criteria and the total smaller for a xã)."""
    data = yaml.safe_load((RUBRIC_DIR / "2017.yaml").read_text(encoding="utf-8"))
    data = copy.deepcopy(data)
    data.update({"id": "tinh-2025", "title": "Bộ chỉ số chuyển đổi số cấp tỉnh năm 2025",
                 "groups": {"so": "Khối sở, ban, ngành", "xa": "Khối xã, phường, đặc khu"},
                 "group_short": {"so": "Khối sở", "xa": "Khối xã"}})
    data.pop("previous", None)
    data.pop("dropped", None)
    dropped_total = 0.0
    for criterion in data["criteria"]:
        left = 0.0
        for indicator in criterion["indicators"]:
            if indicator["code"] in PROVINCE_SO_ONLY:
                indicator["groups"] = ["so"]
                left += float(indicator["max"])
        if left:
            criterion["max"] = {"so": criterion["max"], "xa": criterion["max"] - left}
            dropped_total += left
    data["total"] = {"so": data["total"], "xa": data["total"] - dropped_total}
    path.write_text(yaml.safe_dump(data, allow_unicode=True, sort_keys=False),
                    encoding="utf-8")
    return path


def province_project(root: Path, seed: int = 2025) -> Path:
    """raw/units.csv (20 sở, 130 xã), raw/2025/round.yaml, the framework and 150 filled
    workbooks, each asking the unit only its own group's indicators."""
    sys.path.insert(0, str(HERE))
    from intake import fill_answers  # the intake benchmark's plausible answers

    year = YEARS["province"]
    raw = root / "province" / "data" / "raw"
    folder = raw / str(year)
    folder.mkdir(parents=True)
    rubric = load_rubric(province_rubric(folder / "khung-2025.yaml"))
    rng = random.Random(seed)
    units = [{"unit_id": f"so-{i:02d}", "name": f"Sở thử nghiệm số {i:02d}", "group": "so"}
             for i in range(1, PROVINCE_SO + 1)]
    units += [{"unit_id": f"xa-{i:03d}", "name": f"Xã thử nghiệm số {i:03d}", "group": "xa"}
              for i in range(1, PROVINCE_XA + 1)]
    with (raw / "units.csv").open("w", encoding="utf-8", newline="") as handle:
        writer = csv.DictWriter(handle, fieldnames=["unit_id", "name", "group"])
        writer.writeheader()
        writer.writerows(units)
    (folder / "round.yaml").write_text(
        f"deadline: {year}-12-15\nrubric: khung-2025.yaml\nsynthetic: true\n",
        encoding="utf-8")
    for unit in units:
        group = unit["group"]
        cells = template_cells(rubric, group)
        wb = build_template(rubric, year, unit["unit_id"], unit["name"], group=group)
        # the intake benchmark's sizes know "so" and "huyen" (a xã is the size of a huyện)
        answers = fill_answers(rubric, {**unit, "group": "so" if group == "so" else "huyen"},
                               rng)
        answers["G02"], answers["G03"] = year, f"01/12/{year}"
        for code, value in answers.items():
            if code in cells:
                sheet, cell = cells[code]
                wb[sheet][cell] = value
        for n, (sheet, cell) in enumerate(evidence_cells(rubric, group).values()):
            if rng.random() < 0.9:  # most claims cite their document
                wb[sheet][cell] = f"Văn bản số {n + 1}/QĐ-UBND ngày 15/01/{year}"
        write_workbook(wb, folder / f"{unit['unit_id']}.xlsx")
    return raw.parent.parent


def demo_project(root: Path) -> Path:
    project = root / "demo"
    shutil.copytree(DEMO, project / "data" / "raw")
    return project


def change_one_unit(project: Path, which: str) -> Path:
    """Type another value into one answer of one unit's workbook (a unit re-sending it)."""
    raw = project / "data" / "raw"
    year = YEARS[which]
    if which == "demo":
        name, code = DEMO_CHANGED
        path = raw / str(year) / name
        cells = template_cells(load_rubric(str(year)))
    else:
        path = raw / str(year) / "xa-042.xlsx"
        code = PROVINCE_CHANGED_CODE
        cells = template_cells(load_rubric(raw / str(year) / "khung-2025.yaml"), "xa")
    sheet, cell = cells[code]
    wb = load_workbook(path)
    old = wb[sheet][cell].value
    wb[sheet][cell] = (old or 0) + 7 if isinstance(old, (int, float)) else 57
    wb.save(path)
    return path


# --- running and measuring ----------------------------------------------------------

def _tree(pid: int) -> list[int]:
    """The process and every descendant (from /proc)."""
    children = children_of()
    found, todo = [], [pid]
    while todo:
        current = todo.pop()
        found.append(current)
        todo += children.get(current, [])
    return found


PSS_EVERY = 0.25  # seconds between two readings of the tree's PSS, at least
PAGE_MB = os.sysconf("SC_PAGE_SIZE") / 2**20


def _rss_mb(pids: list[int]) -> float:
    """The processes' resident memory summed (a page shared by two processes, or by a
    process and a child it just forked, counts twice), in MB: from ``statm``, which the
    kernel keeps counted (cheap to read every 50 ms)."""
    pages = 0
    for pid in pids:
        try:
            with open(f"/proc/{pid}/statm", "rb") as handle:
                pages += int(handle.read().split()[1])
        except (OSError, ValueError, IndexError):
            continue
    return pages * PAGE_MB


def _pss_mb(pids: list[int]) -> float:
    """The processes' proportional memory summed (shared pages split between the processes
    that map them), in MB. Reading ``smaps_rollup`` walks each process's page tables:
    ~17 ms of CPU for a report's tree, so it is read only when the summed RSS reaches a new
    peak (`run`), not at every sample (read every 50 ms it took a third of a core from the
    command measured)."""
    pss = 0
    for pid in pids:
        try:
            for line in Path(f"/proc/{pid}/smaps_rollup").read_text().splitlines():
                if line.startswith("Pss:"):
                    pss += int(line.split()[1])
        except OSError:
            continue
    return pss / 1024


def run(cntt: str, project: Path, year: int, jobs: int) -> tuple[float, float, float]:
    """(wall seconds, peak MB of the summed resident memory of the process tree, peak MB of
    its summed proportional memory)."""
    command = [cntt, "report", "--year", str(year), "--raw", str(project / "data" / "raw"),
               "--processed", str(project / "data" / "processed"),
               "--reports", str(project / "reports"), "--jobs", str(jobs), "--quiet"]
    start = time.perf_counter()
    proc = subprocess.Popen(command, stdout=subprocess.PIPE, stderr=subprocess.PIPE,
                            cwd=project)
    peak = [0.0, 0.0]
    done = threading.Event()

    def sample() -> None:
        last_pss = 0.0
        while not done.is_set():
            pids = _tree(proc.pid)
            rss = _rss_mb(pids)
            if rss > peak[0]:
                peak[0] = rss
                if time.perf_counter() - last_pss >= PSS_EVERY:  # at most 4 times a second
                    peak[1], last_pss = max(peak[1], _pss_mb(pids)), time.perf_counter()
            done.wait(0.05)

    sampler = threading.Thread(target=sample, daemon=True)
    sampler.start()
    out, err = proc.communicate()
    elapsed = time.perf_counter() - start
    done.set()
    sampler.join()
    if proc.returncode != 0:
        raise RuntimeError(f"{' '.join(command)} failed:\n{out.decode()}\n{err.decode()}")
    return elapsed, peak[0], peak[1]


def load_average() -> str:
    return " ".join(Path("/proc/loadavg").read_text().split()[:3])


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--after", default=str(Path(sys.executable).parent / "cntt"),
                        help="the cntt command measured as 'after' (default: this venv's)")
    parser.add_argument("--before", help="another installation's cntt, measured as 'before'")
    parser.add_argument("--jobs", type=int, default=2, help="kernels (2)")
    parser.add_argument("--only", default="demo,province",
                        help="projects to run, comma-separated (demo,province)")
    parser.add_argument("--keep", action="store_true", help="keep the temporary folder")
    parser.add_argument("--repeat", type=int, default=1,
                        help="runs of each scenario per side (1); the median is shown")
    args = parser.parse_args(argv)
    sides = {"after": args.after} | ({"before": args.before} if args.before else {})
    root = Path(tempfile.mkdtemp(prefix="cntt-bench-report-"))
    figures: dict[tuple[str, str, str], tuple[float, float, float]] = {}
    flip = False
    try:
        for which in [w for w in args.only.split(",") if w]:
            start = time.perf_counter()
            source = demo_project(root / "source") if which == "demo" else \
                province_project(root / "source")
            print(f"{which}: data ready ({time.perf_counter() - start:.0f} s, not timed)",
                  flush=True)
            projects = {}
            for side in sides:
                projects[side] = root / side / which
                shutil.copytree(source, projects[side])
            for scenario in SCENARIOS[which]:
                runs: dict[str, list[tuple[float, float, float]]] = {side: [] for side in sides}
                for repetition in range(args.repeat):
                    for side in sides:
                        if scenario == "one-unit":
                            change_one_unit(projects[side], which)
                        elif scenario == "cold" and repetition:
                            for folder in ("data/processed", "reports"):
                                shutil.rmtree(projects[side] / folder, ignore_errors=True)
                    order = list(sides)[::-1] if flip else list(sides)
                    flip = not flip
                    for side in order:
                        before = load_average()
                        got = run(sides[side], projects[side], YEARS[which], args.jobs)
                        runs[side].append(got)
                        print(f"  {which} {scenario:9s} {side:6s} {got[0]:7.1f} s  tree RSS "
                              f"{got[1]:5.0f} MB, PSS {got[2]:5.0f} MB  (load {before} → "
                              f"{load_average()})", flush=True)
                for side, got in runs.items():
                    figures[(which, scenario, side)] = (
                        statistics.median(g[0] for g in got), max(g[1] for g in got),
                        max(g[2] for g in got))
        runs_said = f", median of {args.repeat} runs" if args.repeat > 1 else ""
        print(f"\n`cntt report`, {args.jobs} kernels; wall seconds{runs_said} (peak MB of the "
              "process tree: summed RSS / summed PSS):")
        print(f"  {'':20s} {'before':>22s} {'after':>22s} {'target':>9s}")
        for (which, scenario) in TARGETS:
            if (which, scenario, "after") not in figures:
                continue
            shown = []
            for side in ("before", "after"):
                got = figures.get((which, scenario, side))
                shown.append(f"{got[0]:6.1f} s ({got[1]:4.0f}/{got[2]:4.0f})" if got else "–")
            after = figures[(which, scenario, "after")]
            met = after[0] <= TARGETS[(which, scenario)] and after[1] < TARGET_MB
            print(f"  {which + ' ' + scenario:20s} {shown[0]:>22s} {shown[1]:>22s} "
                  f"{'<= ' + format(TARGETS[(which, scenario)], 'g') + ' s':>9s} "
                  f"{'MET' if met else 'NOT MET'}")
        print(f"  (memory target: the tree's summed RSS < {TARGET_MB:g} MB)")
    finally:
        if args.keep:
            print(f"Kept {root}")
        else:
            shutil.rmtree(root, ignore_errors=True)
    return 0


if __name__ == "__main__":
    sys.exit(main())
