"""Intake benchmark: the whole `cntt score` command against a naive pandas read.

Generates N filled unit templates (openpyxl, via the package's own template builder) and a
registry of N units in a temporary round folder, then times, as subprocesses (process
start to exit, i.e. to the last file written), alternating the two sides in every
repetition:

  naive   ``pandas.read_excel(path, sheet_name=None, engine="openpyxl")`` on each file
  ours    ``cntt score --year 2017 --force``: intake, validation, register, scoring and
          every processed file (Parquet tables, Excel results, manifest)

and reports the median of each, the ratio naive/ours (target ≥ 10×), each side's peak
RSS (of its largest process, from wait4), and an unchanged re-run of ``cntt score``
(target < 2 s). ``--large`` generates 20,000 workbooks (500 distinct ones copied under
other units' ids) and checks ≤ 60 s and < 1 GB. Generation is not timed.
Run: ``.venv/bin/python benchmarks/intake.py [--n 500] [--repeat 3] [--large]``.
"""

from __future__ import annotations

import argparse
import csv
import datetime as dt
import io
import os
import random
import re
import shutil
import statistics
import subprocess
import sys
import tempfile
import time
import zipfile
from html import escape
from pathlib import Path

from cntt_analysis.intake.templates import NA_LABEL, build_template, template_cells
from cntt_analysis.labels import vn_number
from cntt_analysis.rubric.model import Input, Rubric, load_rubric
from cntt_analysis.storage import write_workbook

YEAR = 2017
RUBRIC = "2017"
DEADLINE = dt.date(2017, 8, 10)
TARGET_RATIO = 10.0
TARGET_RERUN_S = 2.0
LARGE_N, LARGE_DISTINCT = 20_000, 500
TARGET_LARGE_S, TARGET_LARGE_MB = 60.0, 1024.0
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


def generate_round(raw_dir: Path, n: int, seed: int, distinct: int | None = None
                   ) -> list[Path]:
    """raw_dir/units.csv, raw_dir/<YEAR>/round.yaml and N filled workbooks; beyond
    `distinct` workbooks, the others are copies re-labelled with their own unit's id and
    name (generating 20,000 with openpyxl would take far longer than scoring them)."""
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
    distinct = n if distinct is None else min(distinct, n)
    for unit in units[:distinct]:
        # A few units fill in a generic copy (no unit_id in _meta): matched by name.
        unit_id = unit["unit_id"] if rng.random() > 0.05 else ""
        wb = build_template(rubric, YEAR, unit_id, unit["name"])
        for code, value in fill_answers(rubric, unit, rng).items():
            sheet, cell = cells[code]
            wb[sheet][cell] = value
        paths.append(write_workbook(wb, folder / f"{unit['unit_id']}.xlsx"))
    for i, unit in enumerate(units[distinct:]):
        source = units[i % distinct]
        data = relabel(paths[i % distinct].read_bytes(), source, unit)
        target = folder / f"{unit['unit_id']}.xlsx"
        target.write_bytes(data)
        paths.append(target)
    return paths


def relabel(xlsx: bytes, source: dict[str, str], unit: dict[str, str]) -> bytes:
    """A copy of a workbook whose unit id and name (shared strings) are `unit`'s."""
    swaps = {escape(source[k], quote=False): escape(unit[k], quote=False)
             for k in ("unit_id", "name")}
    pattern = re.compile(r"(<t[^>]*>)(" + "|".join(map(re.escape, swaps)) + r")(</t>)")
    out = io.BytesIO()
    with zipfile.ZipFile(io.BytesIO(xlsx)) as src, \
            zipfile.ZipFile(out, "w", zipfile.ZIP_DEFLATED) as dst:
        for item in src.infolist():
            content = src.read(item.filename)
            if item.filename == "xl/sharedStrings.xml":
                content = pattern.sub(lambda m: m[1] + swaps[m[2]] + m[3],
                                      content.decode("utf-8")).encode("utf-8")
            dst.writestr(item, content)
    return out.getvalue()


# --- the measured commands (subprocesses) -----------------------------------------------

def naive_read(raw_dir: Path) -> None:
    """The naive side, run in its own process: every sheet of every file into DataFrames."""
    import pandas as pd

    files = sorted((raw_dir / str(YEAR)).glob("*.xlsx"))
    sheets = sum(len(pd.read_excel(p, sheet_name=None, engine="openpyxl")) for p in files)
    print(f"{len(files)} files, {sheets} sheets")


def commands(cntt: str, raw_dir: Path, processed: Path) -> dict[str, list[str]]:
    score = [cntt, "score", "--year", str(YEAR), "--raw", str(raw_dir),
             "--processed", str(processed), "--quiet"]
    helps = subprocess.run([cntt, "score", "--help"], capture_output=True, text=True).stdout
    force = ["--force"] if "--force" in helps else []  # older versions always re-score
    return {"naive": [sys.executable, __file__, "--naive", str(raw_dir)],
            "ours": [*score, *force], "rerun": score}


def timed(command: list[str]) -> tuple[float, float, str]:
    """Wall seconds from process start to exit, its peak RSS in MB (the largest of the
    process and the children it waited for, from wait4) and its output."""
    start = time.perf_counter()
    proc = subprocess.Popen(command, stdout=subprocess.PIPE, stderr=subprocess.STDOUT)
    output = proc.stdout.read().decode("utf-8", "replace")
    _, status, usage = os.wait4(proc.pid, 0)
    elapsed = time.perf_counter() - start
    proc.stdout.close()
    proc.returncode = os.waitstatus_to_exitcode(status)
    if proc.returncode != 0:
        raise RuntimeError(f"{' '.join(command)} failed ({proc.returncode}):\n{output[-2000:]}")
    return elapsed, usage.ru_maxrss / 1024, output


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--n", type=int, default=500, help="workbooks to generate (500)")
    parser.add_argument("--repeat", type=int, default=3, help="timed repetitions (3)")
    parser.add_argument("--seed", type=int, default=2017, help="random seed (2017)")
    parser.add_argument("--large", action="store_true",
                        help=f"{LARGE_N} workbooks, ours only (and one naive run)")
    parser.add_argument("--keep", action="store_true",
                        help="keep the generated folder (its path is printed)")
    parser.add_argument("--raw", type=Path, help="use this generated raw folder again")
    parser.add_argument("--cntt", default=str(Path(sys.executable).parent / "cntt"),
                        help="the cntt command to time (default: this venv's)")
    parser.add_argument("--naive", metavar="RAW_DIR", help=argparse.SUPPRESS)
    args = parser.parse_args(argv)
    if args.naive:
        naive_read(Path(args.naive))
        return 0
    if args.n < 1 or args.repeat < 1:
        parser.error("--n and --repeat must be at least 1")
    n = LARGE_N if args.large else args.n

    tmp = Path(tempfile.mkdtemp(prefix="cntt-bench-"))
    raw_dir = args.raw or tmp / "raw"
    try:
        if args.raw is None:
            start = time.perf_counter()
            paths = generate_round(raw_dir, n, args.seed,
                                   LARGE_DISTINCT if args.large else None)
            print(f"Generated {len(paths)} workbooks + units.csv in {raw_dir} "
                  f"({time.perf_counter() - start:.1f} s, not timed below)")
        n = len(list((raw_dir / str(YEAR)).glob("*.xlsx")))
        run = commands(args.cntt, raw_dir, tmp / "processed")
        sides = ["ours"] if args.large else ["naive", "ours"]
        times: dict[str, list[float]] = {side: [] for side in sides}
        peaks: dict[str, float] = {}
        for rep in range(args.repeat):
            order = sides if rep % 2 == 0 else sides[::-1]
            for side in order:
                elapsed, peak, _ = timed(run[side])
                times[side].append(elapsed)
                peaks[side] = max(peaks.get(side, 0.0), peak)
            print(f"  rep {rep + 1}/{args.repeat} ({' then '.join(order)}): "
                  + ", ".join(f"{side} {times[side][-1]:.2f} s" for side in sides))
        rerun, rerun_peak, said = timed(run["rerun"])
        rerun_said = "Không có gì thay đổi" in timed(run["rerun"][:-1])[2]

        median = {side: statistics.median(values) for side, values in times.items()}
        labels = {"naive": "naive pandas.read_excel (openpyxl), subprocess",
                  "ours": "cntt score (read, check, score, write), subprocess"}
        print()
        print(f"{n} workbooks, {args.repeat} repetitions, median wall time (process start "
              "to exit):")
        print(f"  {'':52s} {'median s':>9s} {'files/s':>9s} {'peak RSS MB':>12s}")
        for side in sides:
            print(f"  {labels[side]:52s} {median[side]:9.2f} {n / median[side]:9.1f} "
                  f"{peaks[side]:12.0f}")
        print(f"  {'cntt score, unchanged re-run':52s} {rerun:9.2f} {'':9s} "
              f"{rerun_peak:12.0f}")
        print(f"Unchanged re-run says so: {'yes' if rerun_said else 'NO'}; "
              f"{rerun:.2f} s — target < {TARGET_RERUN_S:g} s: "
              f"{'MET' if rerun < TARGET_RERUN_S and rerun_said else 'NOT MET'}")
        if args.large:
            ok = median["ours"] <= TARGET_LARGE_S and peaks["ours"] < TARGET_LARGE_MB
            print(f"Large round: {median['ours']:.1f} s, peak {peaks['ours']:.0f} MB — target "
                  f"<= {TARGET_LARGE_S:g} s and < {TARGET_LARGE_MB:g} MB: "
                  f"{'MET' if ok else 'NOT MET'}")
        else:
            ratio = median["naive"] / median["ours"]
            print(f"Ratio naive/ours: {ratio:.1f}x — target ours >= {TARGET_RATIO:g}x "
                  f"faster: {'MET' if ratio >= TARGET_RATIO else 'NOT MET'}")
    finally:
        if args.keep and args.raw is None:
            shutil.rmtree(tmp / "processed", ignore_errors=True)
            print(f"Kept {raw_dir}")
        else:  # a --raw folder given is never ours to delete; our outputs always are
            shutil.rmtree(tmp, ignore_errors=True)
    return 0


if __name__ == "__main__":
    sys.exit(main())
