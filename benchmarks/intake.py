"""Intake benchmark: our round scoring against a naive pandas read of the same workbooks.

Generates N filled unit templates (openpyxl, via the package's own template builder) and a
registry of N units in a temporary round folder, then times, alternating the two sides in
every repetition:

  baseline  ``pandas.read_excel(path, sheet_name=None, engine="openpyxl")`` on each file
  ours      ``cntt_analysis.pipeline.score_round(raw_dir, year, progress=False)``
            (intake + validation + register + scoring of the same files)

and reports the median of each, files per second, the ratio baseline/ours against the
target (ours ≥ 4× faster), and each side's peak memory measured in a fresh subprocess.
Generation is not timed. Run: ``.venv/bin/python benchmarks/intake.py [--n 500] [--repeat 3]``.
"""

from __future__ import annotations

import argparse
import contextlib
import csv
import datetime as dt
import gc
import json
import random
import resource
import shutil
import statistics
import subprocess
import sys
import tempfile
import time
from collections.abc import Callable
from pathlib import Path

import pandas as pd

from cntt_analysis.intake.rounds import load_round
from cntt_analysis.intake.templates import NA_LABEL, build_template, template_cells
from cntt_analysis.intake.workbook import read_round_files
from cntt_analysis.labels import vn_number
from cntt_analysis.rubric.model import Input, Rubric, load_rubric
from cntt_analysis.scoring.pipeline import score_round
from cntt_analysis.storage import write_workbook

YEAR = 2017
RUBRIC = "2017"
DEADLINE = dt.date(2017, 8, 10)
TARGET_RATIO = 4.0
SO_SHARE = 0.4  # share of units in the "so" group; the rest are district offices

SO_BASES = ["Văn phòng Sở", "Thanh tra Sở", "Phòng Kế hoạch - Tài chính",
            "Chi cục Bảo vệ môi trường", "Chi cục Quản lý đất đai", "Chi cục Biển và Hải đảo",
            "Trung tâm Quan trắc môi trường", "Văn phòng Đăng ký đất đai",
            "Trung tâm Phát triển quỹ đất", "Phòng Tài nguyên nước - Khí tượng thủy văn"]
PLACES = ["Yên Thành", "Diễn Châu", "Quỳnh Lưu", "Nghi Lộc", "Hưng Nguyên", "Nam Đàn",
          "Thanh Chương", "Đô Lương", "Anh Sơn", "Con Cuông", "Tương Dương", "Kỳ Sơn",
          "Quế Phong", "Quỳ Châu", "Quỳ Hợp", "Nghĩa Đàn", "Tân Kỳ", "Hoàng Mai", "Thái Hòa"]
PEOPLE = ["Nguyễn Văn An", "Trần Thị Bình", "Lê Hoàng Cường", "Phạm Thị Dung", "Hồ Văn Hải",
          "Võ Thị Hương", "Đặng Quốc Khánh", "Bùi Thị Lan"]
REMARKS = ["Thiếu kinh phí đầu tư hạ tầng CNTT.", "Đề nghị Sở tổ chức thêm lớp tập huấn.",
           "Đường truyền Internet chập chờn,\u00a0cần nâng cấp.", "Máy tính cũ, cấu hình thấp."]
YES_FORMS = ["Có", "Có", "Có", "có", "x", "Đã có", " Có "]
NO_FORMS = ["Không", "Không", "không", "Chưa", "Chưa có"]
# Typical magnitudes of the general-information numbers, per group: (low, high).
SIZES = {
    "G05": {"so": (8, 120), "huyen": (6, 40)},
    "G07": {"so": (150, 3000), "huyen": (300, 4000)},
    "G08": {"so": (400, 9000), "huyen": (800, 12000)},
    "G09": {"so": (0, 60), "huyen": (40, 180)},
    "G10": {"so": (0, 6000), "huyen": (500, 15000)},
    "G11": {"so": (800, 60000), "huyen": (400, 9000)},
}
AMOUNT_SIZES = {"C2.3": (8, 300), "C5.2a": (50, 3000)}


# --- generation (not timed) ------------------------------------------------------------

def make_registry(n: int, rng: random.Random) -> list[dict[str, str]]:
    """N units, SO_SHARE of them in the "so" group, unique names, a few aliases."""
    n_so = round(n * SO_SHARE)
    units = []
    for i in range(1, n + 1):
        if i <= n_so:
            base = SO_BASES[(i - 1) % len(SO_BASES)]
            name = f"{base} {i:03d}"
            units.append({"unit_id": f"SO{i:03d}", "name": name, "group": "so",
                          "aliases": ""})
        else:
            place = f"{PLACES[i % len(PLACES)]} {i:03d}"
            name = f"Phòng Tài nguyên và Môi trường huyện {place}"
            aliases = f"Phòng TNMT huyện {place};P. TN&MT H. {place}" if rng.random() < 0.5 \
                else ""
            units.append({"unit_id": f"H{i:03d}", "name": name, "group": "huyen",
                          "aliases": aliases})
    return units


def _typed_number(value: float, places: int, rng: random.Random) -> object:
    """A number as units type it: mostly a real number, sometimes Vietnamese-formatted text
    ("1.234", "12,5"), rarely something unreadable."""
    roll = rng.random()
    if roll < 0.22:
        return vn_number(value, places) + rng.choice(["", "", " "])
    if roll < 0.235:
        return rng.choice(["khoảng " + vn_number(value, places), "chưa thống kê", "-"])
    return int(value) if places == 0 else value


def _number(inp: Input, group: str, done: dict[str, float], rng: random.Random) -> float:
    """A plausible value: within the stated limits most of the time, above them rarely."""
    places = 0 if inp.type == "count" else 1
    if inp.at_most and all(c in done for c in inp.at_most):
        limit = sum(done[c] for c in inp.at_most)
        share = rng.uniform(1.02, 1.3) if rng.random() < 0.02 else rng.uniform(0.25, 1.0)
        if inp.code == "C5.1":  # IT spending is a small share of total spending
            share = rng.uniform(0.002, 0.03)
        value = limit * share
    elif inp.code == "G06":
        value = done.get("G05", 20) * rng.uniform(0.6, 1.15)
    elif inp.code in SIZES:
        value = rng.uniform(*SIZES[inp.code][group])
        if inp.code in ("G09", "G10") and group == "so" and rng.random() < 0.4:
            value = 0
    elif inp.type == "amount":
        value = rng.uniform(*AMOUNT_SIZES.get(inp.code, (10, 500)))
    else:
        value = rng.choice([0, 1, 1, 2, 2, 3, 4, 5, 6, 8, 12])
    value = round(value, places)
    return max(value, float(inp.minimum))


def fill_answers(rubric: Rubric, unit: dict[str, str], rng: random.Random) -> dict[str, object]:
    """code → the value typed in the answer cell (None leaves the cell blank)."""
    group, done, values = unit["group"], {}, {}
    for code, inp in rubric.inputs.items():
        if inp.type in ("count", "amount"):
            number = _number(inp, group, done, rng)
            done[code] = number
            values[code] = _typed_number(number, 0 if inp.type == "count" else 1, rng)
            if inp.required and rng.random() < 0.01:
                values[code] = None  # forgotten answer
        elif inp.type == "yes_no":
            values[code] = rng.choice(YES_FORMS if rng.random() < 0.7 else NO_FORMS)
        elif inp.type == "choice":
            if inp.allow_na and group == "so" and rng.random() < 0.5:
                values[code] = rng.choice([NA_LABEL, NA_LABEL, "N/A"])
            else:
                label = rng.choice(inp.choices)
                values[code] = label if rng.random() < 0.9 else f"  {label.lower()} "
        elif inp.type == "date":
            date = DEADLINE - dt.timedelta(days=rng.randint(-10, 40))
            values[code] = dt.datetime.combine(date, dt.time()) if rng.random() < 0.8 \
                else date.strftime("%d/%m/%Y")
        elif inp.type == "year":
            values[code] = YEAR if rng.random() < 0.9 else str(YEAR)
        elif code == "G01":
            values[code] = unit["name"] if rng.random() < 0.9 else unit["name"].upper()
        elif code == "G04":
            person = rng.choice(PEOPLE)
            values[code] = f"{person}, 0912 {rng.randint(100, 999)} {rng.randint(100, 999)}"
        else:
            values[code] = rng.choice(REMARKS) if rng.random() < 0.4 else None
    return values


def generate_round(raw_dir: Path, n: int, seed: int) -> list[Path]:
    """raw_dir/units.csv, raw_dir/<YEAR>/round.yaml and N filled workbooks."""
    rng = random.Random(seed)
    rubric = load_rubric(RUBRIC)
    cells = template_cells(rubric)
    units = make_registry(n, rng)
    folder = raw_dir / str(YEAR)
    folder.mkdir(parents=True)
    with open(raw_dir / "units.csv", "w", encoding="utf-8", newline="") as handle:
        writer = csv.DictWriter(handle, fieldnames=["unit_id", "name", "group", "aliases"])
        writer.writeheader()
        writer.writerows(units)
    (folder / "round.yaml").write_text(
        f"deadline: {DEADLINE.isoformat()}\nrubric: '{RUBRIC}'\nsynthetic: true\n",
        encoding="utf-8")
    paths = []
    for unit in units:
        # A few units fill in a generic copy (no unit_id in _meta): matched by name.
        unit_id = unit["unit_id"] if rng.random() > 0.05 else ""
        wb = build_template(rubric, YEAR, unit_id, unit["name"])
        for code, value in fill_answers(rubric, unit, rng).items():
            sheet, cell = cells[code]
            wb[sheet][cell] = value
        paths.append(write_workbook(wb, folder / f"{unit['unit_id']}.xlsx"))
    return paths


# --- the two measured workloads --------------------------------------------------------

def run_baseline(paths: list[Path]) -> int:
    """Naive reading: every sheet of every file into DataFrames. Returns sheets read."""
    return sum(len(pd.read_excel(p, sheet_name=None, engine="openpyxl")) for p in paths)


def run_ours(raw_dir: Path) -> int:
    """Intake, validation and scoring of the whole round. Returns units scored."""
    return len(score_round(raw_dir, YEAR, progress=False).scores)


def _timed(func: Callable[[], int]) -> tuple[float, int]:
    gc.collect()
    start = time.perf_counter()
    result = func()
    return time.perf_counter() - start, result


def _proc_status_kb(field: str) -> int | None:
    """A memory figure of this process from /proc/self/status (Linux), in kB."""
    try:
        for line in Path("/proc/self/status").read_text().splitlines():
            if line.startswith(field + ":"):
                return int(line.split()[1])
    except (OSError, ValueError):
        pass
    return None


def memory_probe(side: str, raw_dir: Path) -> None:
    """Run one side once in this (fresh) process and print its peak RSS as JSON.

    Uses VmHWM, reset after the warm-up where the kernel allows it; ``ru_maxrss`` is only a
    fallback because on Linux it also counts the parent's RSS at fork time.
    """
    rnd = load_round(raw_dir, YEAR)
    paths = rnd.submissions()
    # Load lazily imported modules and caches before the reference point.
    run_baseline(paths[:1])
    read_round_files(paths[:1], rnd.rubric, YEAR, progress=False)
    gc.collect()
    before = _proc_status_kb("VmRSS")
    with contextlib.suppress(OSError):  # reset the peak to the current RSS
        Path("/proc/self/clear_refs").write_text("5")
    if before is None:
        before = resource.getrusage(resource.RUSAGE_SELF).ru_maxrss
    if side == "baseline":
        run_baseline(paths)
    else:
        run_ours(raw_dir)
    peak = _proc_status_kb("VmHWM") or resource.getrusage(resource.RUSAGE_SELF).ru_maxrss
    print(json.dumps({"peak_mb": peak / 1024, "growth_mb": (peak - before) / 1024}))


def measure_memory(side: str, raw_dir: Path) -> dict[str, float] | None:
    proc = subprocess.run([sys.executable, __file__, "--memory-probe", side, str(raw_dir)],
                          capture_output=True, text=True, check=False)
    if proc.returncode != 0:
        print(f"  (memory probe for {side} failed: {proc.stderr.strip()[-300:]})")
        return None
    return json.loads(proc.stdout.strip().splitlines()[-1])


# --- driver ----------------------------------------------------------------------------

def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--n", type=int, default=500, help="workbooks to generate (500)")
    parser.add_argument("--repeat", type=int, default=3, help="timed repetitions (3)")
    parser.add_argument("--seed", type=int, default=2017, help="random seed (2017)")
    parser.add_argument("--no-memory", action="store_true",
                        help="skip the peak-memory subprocesses")
    parser.add_argument("--keep", action="store_true",
                        help="keep the generated folder (its path is printed)")
    parser.add_argument("--memory-probe", nargs=2, metavar=("SIDE", "RAW_DIR"),
                        help=argparse.SUPPRESS)
    args = parser.parse_args(argv)
    if args.memory_probe:
        memory_probe(args.memory_probe[0], Path(args.memory_probe[1]))
        return 0
    if args.n < 1 or args.repeat < 1:
        parser.error("--n and --repeat must be at least 1")

    tmp = Path(tempfile.mkdtemp(prefix="cntt-bench-"))
    raw_dir = tmp / "raw"
    try:
        start = time.perf_counter()
        paths = generate_round(raw_dir, args.n, args.seed)
        print(f"Generated {len(paths)} workbooks + units.csv in {raw_dir} "
              f"({time.perf_counter() - start:.1f} s, not timed below)")

        # Warm-up (untimed): lazy imports and caches on both sides.
        run_baseline(paths[:2])
        read_round_files(paths[:2], load_rubric(RUBRIC), YEAR, progress=False)

        times: dict[str, list[float]] = {"baseline": [], "ours": []}
        sheets = scored = 0
        for rep in range(args.repeat):
            order = ["baseline", "ours"] if rep % 2 == 0 else ["ours", "baseline"]
            for side in order:
                if side == "baseline":
                    elapsed, sheets = _timed(lambda: run_baseline(paths))
                else:
                    elapsed, scored = _timed(lambda: run_ours(raw_dir))
                times[side].append(elapsed)
            print(f"  rep {rep + 1}/{args.repeat} ({' then '.join(order)}): "
                  f"baseline {times['baseline'][-1]:.3f} s, ours {times['ours'][-1]:.3f} s")

        memory = {}
        if not args.no_memory:
            memory = {side: measure_memory(side, raw_dir) for side in ("baseline", "ours")}

        n = len(paths)
        median = {side: statistics.median(values) for side, values in times.items()}
        labels = {"baseline": "baseline pandas.read_excel (openpyxl)",
                  "ours": "ours score_round (intake+validation+scoring)"}
        print()
        print(f"{n} workbooks, {args.repeat} repetitions, median wall time:")
        print(f"  {'':46s} {'median s':>9s} {'files/s':>9s} {'peak RSS MB':>12s} "
              f"{'(+growth)':>10s}")
        for side in ("baseline", "ours"):
            mem = memory.get(side)
            mem_text = f"{mem['peak_mb']:12.0f} {'+' + format(mem['growth_mb'], '.0f'):>10s}" \
                if mem else f"{'-':>12s} {'':>10s}"
            print(f"  {labels[side]:46s} {median[side]:9.3f} {n / median[side]:9.1f} "
                  f"{mem_text}")
        print(f"  (baseline read {sheets} sheets; ours scored {scored} of {n} units)")
        ratio = median["baseline"] / median["ours"]
        verdict = "MET" if ratio >= TARGET_RATIO else "NOT MET"
        print(f"Ratio baseline/ours: {ratio:.1f}x — target ours >= {TARGET_RATIO:g}x faster: "
              f"{verdict}")
    finally:
        if args.keep:
            print(f"Kept {raw_dir}")
        else:
            shutil.rmtree(tmp, ignore_errors=True)
    return 0


if __name__ == "__main__":
    sys.exit(main())
