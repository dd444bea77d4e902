"""Report benchmark: `cntt report` as users run it, on a copy of the demo data.

Scenarios, each timed as a subprocess (process start to exit):

  cold       fresh processed and reports folders: score, run every notebook, export
  unchanged  the same command again, nothing changed                (target ≤ 3 s)
  one-unit   after one unit's 2017 workbook changed (one answer)    (target ≤ 15 s)
  large      (--large) a generated 200-unit round, two groups, cold (target ≤ 4 min)

Cold target ≤ 30 s. ``--cntt`` runs another installation's command (e.g. a checkout of
an older commit with its own venv) on the same scenarios, for before/after figures.
Run: ``.venv/bin/python benchmarks/report.py [--cntt PATH] [--large] [--only cold,...]``.
"""

from __future__ import annotations

import argparse
import shutil
import subprocess
import sys
import tempfile
import time
from pathlib import Path

from openpyxl import load_workbook

from cntt_analysis.intake.templates import template_cells
from cntt_analysis.rubric.model import load_rubric

HERE = Path(__file__).resolve().parent
DEMO = HERE.parent / "data" / "raw"
YEAR = 2017
TARGETS = {"cold": 30.0, "unchanged": 3.0, "one-unit": 15.0, "large": 240.0}
CHANGED = "tt-cntt.xlsx"  # the unit whose workbook changes (a Sở unit)
CHANGED_CODE = "C4.1"


def run(cntt: str, project: Path, jobs: int) -> float:
    command = [cntt, "report", "--year", str(YEAR), "--raw", str(project / "data" / "raw"),
               "--processed", str(project / "data" / "processed"),
               "--reports", str(project / "reports"), "--jobs", str(jobs), "--quiet"]
    start = time.perf_counter()
    done = subprocess.run(command, capture_output=True, text=True, cwd=project)
    elapsed = time.perf_counter() - start
    if done.returncode != 0:
        raise RuntimeError(f"{' '.join(command)} failed:\n{done.stdout}\n{done.stderr}")
    return elapsed


def change_one_unit(raw: Path) -> Path:
    """Type another value into one answer of one unit's workbook (as a unit re-sending it)."""
    path = raw / str(YEAR) / CHANGED
    sheet, cell = template_cells(load_rubric(str(YEAR)))[CHANGED_CODE]
    wb = load_workbook(path)
    old = wb[sheet][cell].value
    wb[sheet][cell] = (old or 0) + 7 if isinstance(old, (int, float)) else 57
    wb.save(path)
    return path


def demo_project(root: Path) -> Path:
    project = root / "demo"
    shutil.copytree(DEMO, project / "data" / "raw")
    return project


def large_project(root: Path, n: int) -> Path:
    sys.path.insert(0, str(HERE))
    from intake import generate_round  # the intake benchmark's generator

    project = root / "large"
    generate_round(project / "data" / "raw", n, seed=2017)
    return project


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--cntt", default=str(Path(sys.executable).parent / "cntt"),
                        help="the cntt command to time (default: this venv's)")
    parser.add_argument("--jobs", type=int, default=2, help="worker processes (2)")
    parser.add_argument("--large", action="store_true", help="also the 200-unit round")
    parser.add_argument("--units", type=int, default=200, help="units of the large round")
    parser.add_argument("--only", default="cold,unchanged,one-unit",
                        help="demo scenarios to run, comma-separated")
    parser.add_argument("--keep", action="store_true", help="keep the temporary folder")
    args = parser.parse_args(argv)
    chosen = args.only.split(",") if args.only else []
    root = Path(tempfile.mkdtemp(prefix="cntt-bench-report-"))
    figures: dict[str, float] = {}
    try:
        if chosen:
            project = demo_project(root)
            figures["cold"] = run(args.cntt, project, args.jobs)
            print(f"  cold: {figures['cold']:.1f} s", flush=True)
            if "unchanged" in chosen:
                figures["unchanged"] = run(args.cntt, project, args.jobs)
                print(f"  unchanged: {figures['unchanged']:.1f} s", flush=True)
            if "one-unit" in chosen:
                change_one_unit(project / "data" / "raw")
                figures["one-unit"] = run(args.cntt, project, args.jobs)
                print(f"  one-unit: {figures['one-unit']:.1f} s", flush=True)
        if args.large:
            start = time.perf_counter()
            project = large_project(root, args.units)
            print(f"  generated {args.units} workbooks ({time.perf_counter() - start:.0f} s, "
                  "not timed)", flush=True)
            figures["large"] = run(args.cntt, project, args.jobs)
            print(f"  large: {figures['large']:.1f} s", flush=True)
        print(f"\n`cntt report` ({args.cntt}), {args.jobs} workers:")
        for name, seconds in figures.items():
            target = TARGETS[name]
            print(f"  {name:10s} {seconds:8.1f} s   target <= {target:g} s: "
                  f"{'MET' if seconds <= target else 'NOT MET'}")
    finally:
        if args.keep:
            print(f"Kept {root}")
        else:
            shutil.rmtree(root, ignore_errors=True)
    return 0


if __name__ == "__main__":
    sys.exit(main())
