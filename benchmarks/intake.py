"""Intake benchmark: the whole `cntt score` command against a naive pandas read.

Rounds (generated in a temporary folder; generation is not timed):

  default      N (500) distinct filled templates, written with openpyxl
  --large      20,000 workbooks: 500 distinct, the others copies relabelled with their own
               unit's id and name (no naive side)
  --realistic  a round as a province (500), a region (5,000) or the country (20,000) sends
               it (--sizes): distinct unit ids and names, and the shares of REALISTIC —
               units that send nothing, late, twice, on a blank copy without the hidden id,
               under another unit's name, damaged files, claims without evidence — on top
               of the answers' own invalid cells (see README)

Sides, each a subprocess timed from process start to exit, alternating in every repetition:

  naive   ``pandas.read_excel(path, sheet_name=None, engine="openpyxl")`` on each file
  ours    ``cntt score --year 2017 --force``: intake, validation, register, scoring and
          every processed file (Parquet tables, Excel results, manifest)
  before  (``--before CNTT``) the same command of another installation (e.g. main)

It reports the median of each side, the ratio naive/ours (target ≥ 10× at 500), the peak
resident memory of each side's whole process tree (the command and its reading workers,
summed; sampled every 20 ms, and never below its largest process), and an unchanged
re-run of ``cntt score`` (target < 2 s). Realistic rounds at 5,000 and 20,000 are checked
against ≤ 15 s / ≤ 60 s and < 1 GB. ``--stages`` times the steps of one run in this
process (reading, register, points, scores, issues, Parquet, Excel, manifest).
Run: ``.venv/bin/python benchmarks/intake.py [--n 500] [--repeat 3] [--large]
[--realistic [--sizes 500,5000,20000]] [--before CNTT] [--stages]``.
"""

from __future__ import annotations

import argparse
import contextlib
import csv
import datetime as dt
import html
import io
import os
import random
import re
import shutil
import statistics
import struct
import subprocess
import sys
import tempfile
import time
import zipfile
from collections.abc import Iterator
from dataclasses import dataclass
from pathlib import Path

from cntt_analysis.intake.templates import (
    NA_LABEL,
    build_template,
    evidence_cells,
    template_cells,
)
from cntt_analysis.labels import vn_number
from cntt_analysis.rubric.model import Input, Rubric, load_rubric
from cntt_analysis.storage import write_workbook

YEAR = 2017
RUBRIC = "2017"
DEADLINE = dt.date(2017, 8, 10)
TARGET_RATIO = 10.0
TARGET_RERUN_S = 2.0
LARGE_N, LARGE_DISTINCT = 20_000, 500
REPEAT_LARGE_FROM = 5_000  # rounds this large are timed --repeat-large times
TARGET_LARGE_S, TARGET_LARGE_MB = 60.0, 1024.0
# Realistic rounds: seconds allowed at each size (memory: TARGET_LARGE_MB at every size).
REALISTIC_TARGETS = {5_000: 15.0, 20_000: 60.0}
REALISTIC_SIZES = (500, 5_000, 20_000)
SO_SHARE = 0.4  # share of units in the "so" group; the rest are district offices
DISTINCT = 500  # workbooks written with openpyxl; larger rounds add relabelled copies

# What a realistic round holds, as shares of its registered units (why: README).
REALISTIC = {
    "missing": 0.03,     # send nothing by the time the round is scored
    "twice": 0.01,       # send a corrected second copy (the first is superseded)
    "late": 0.10,        # report dated after the deadline
    "generic": 0.05,     # fill in a blank copy without the hidden unit id: matched by name
    "alias": 0.10,       # type an alias of their name ("Phòng TNMT huyện …")
    "other_name": 0.02,  # type another registered unit's name (a neighbour's copy)
    "damaged": 0.002,    # a file cut short in transit
}
# Hostile files: of each kind, one per HOSTILE_EVERY registered units (at least one).
HOSTILE_KINDS = ("not_a_workbook", "encrypted", "blank_rows")
HOSTILE_EVERY = 2_500
BLANK_ROWS = 20_000  # rows of blank-looking cells (A:H) after a sheet's answers
# Claims without evidence: how many workbooks cite none, about half, or all of it.
EVIDENCE_SHARES = {"none": 0.4, "half": 0.3, "all": 0.3}
EVIDENCE_TEXTS = ["Quyết định số {n}/QĐ-STNMT ngày {d:%d/%m/%Y}",
                  "Kế hoạch số {n}/KH-UBND ngày {d:%d/%m/%Y}",
                  "https://stnmt.example.gov.vn/van-ban/{n}"]


# --- generation (not timed) ------------------------------------------------------------

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


def write_round_files(raw_dir: Path, units: list[dict[str, str]]) -> Path:
    """raw_dir/units.csv and raw_dir/<YEAR>/round.yaml; returns the round folder."""
    folder = raw_dir / str(YEAR)
    folder.mkdir(parents=True)
    with open(raw_dir / "units.csv", "w", encoding="utf-8", newline="") as handle:
        writer = csv.DictWriter(handle, fieldnames=["unit_id", "name", "group", "aliases"])
        writer.writeheader()
        writer.writerows(units)
    (folder / "round.yaml").write_text(
        f"deadline: {DEADLINE.isoformat()}\nrubric: '{RUBRIC}'\nsynthetic: true\n",
        encoding="utf-8")
    return folder


def generate_round(raw_dir: Path, n: int, seed: int, distinct: int | None = None
                   ) -> list[Path]:
    """raw_dir/units.csv, raw_dir/<YEAR>/round.yaml and N filled workbooks; beyond
    `distinct` workbooks, the others are copies re-labelled with their own unit's id and
    name (generating 20,000 with openpyxl would take far longer than scoring them)."""
    rng = random.Random(seed)
    rubric = load_rubric(RUBRIC)
    cells = template_cells(rubric)
    units = make_registry(n, rng)
    folder = write_round_files(raw_dir, units)
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
        data = relabel(paths[i % distinct].read_bytes(), unit_swaps(source, unit))
        target = folder / f"{unit['unit_id']}.xlsx"
        target.write_bytes(data)
        paths.append(target)
    return paths


_TEXT_NODE = re.compile(r"(<t(?:\s[^>]*)?>)([^<]*)(</t>)")


def relabel(xlsx: bytes, swaps: dict[str, str]) -> bytes:
    """A copy of a workbook whose text cells reading exactly a key of `swaps` (a unit's id,
    its name as typed) read its value instead; inline strings (openpyxl writes them, with
    character references) and shared strings alike."""
    swaps = {old: new for old, new in swaps.items() if old}

    def swap(match: re.Match[str]) -> str:
        text = html.unescape(match[2])
        return match[1] + html.escape(swaps[text], quote=False) + match[3] \
            if text in swaps else match[0]

    out = io.BytesIO()
    with zipfile.ZipFile(io.BytesIO(xlsx)) as src, \
            zipfile.ZipFile(out, "w", zipfile.ZIP_DEFLATED) as dst:
        for item in src.infolist():
            content = src.read(item.filename)
            if item.filename.startswith("xl/worksheets/") or \
                    item.filename == "xl/sharedStrings.xml":
                content = _TEXT_NODE.sub(swap, content.decode("utf-8")).encode("utf-8")
            dst.writestr(item, content)
    return out.getvalue()


def unit_swaps(source: dict[str, str], unit: dict[str, str], typed: str | None = None,
               unit_id: str | None = None) -> dict[str, str]:
    """What turns `source`'s workbook into `unit`'s: its hidden id (`unit_id`, default the
    unit's own; "" for a blank copy) and its typed name (`typed`, default the unit's own
    name), as typed or in capitals."""
    typed = unit["name"] if typed is None else typed
    return {source["unit_id"]: unit["unit_id"] if unit_id is None else unit_id,
            source["name"]: typed, source["name"].upper(): typed.upper()}


# --- a realistic round ----------------------------------------------------------------

def realistic_answers(rubric: Rubric, unit: dict[str, str], rng: random.Random
                      ) -> dict[str, object]:
    """`fill_answers`, with the report date late for REALISTIC["late"] of the units."""
    values = fill_answers(rubric, unit, rng)
    late = rng.random() < REALISTIC["late"]
    date = DEADLINE + dt.timedelta(days=rng.randint(1, 25)) if late \
        else DEADLINE - dt.timedelta(days=rng.randint(0, 30))
    values["G03"] = dt.datetime.combine(date, dt.time()) if rng.random() < 0.8 \
        else date.strftime("%d/%m/%Y")
    return values


def realistic_evidence(rubric: Rubric, rng: random.Random) -> dict[str, str]:
    """code → the evidence a unit cites: none, about half or all, by EVIDENCE_SHARES."""
    kind = rng.choices(list(EVIDENCE_SHARES), weights=list(EVIDENCE_SHARES.values()))[0]
    keep = {"none": 0.0, "half": 0.5, "all": 1.0}[kind]
    return {code: rng.choice(EVIDENCE_TEXTS).format(
                n=rng.randint(10, 999), d=DEADLINE - dt.timedelta(days=rng.randint(30, 300)))
            for code in evidence_cells(rubric) if rng.random() < keep}


def generate_realistic_round(raw_dir: Path, n: int, seed: int) -> list[Path]:
    """A round of `n` registered units with distinct ids and names, by REALISTIC: DISTINCT
    workbooks written with openpyxl (in both groups, in proportion), every other unit's a
    copy of one of its group relabelled with its id and the name it types."""
    rng = random.Random(seed)
    rubric = load_rubric(RUBRIC)
    cells, evidence = template_cells(rubric), evidence_cells(rubric)
    units = make_registry(n, rng)
    folder = write_round_files(raw_dir, units)
    by_group: dict[str, list[dict[str, str]]] = {}
    for unit in units:
        by_group.setdefault(unit["group"], []).append(unit)
    per_group = {g: max(1, round(DISTINCT * len(us) / n)) for g, us in by_group.items()}
    sources = {g: us[:per_group[g]] for g, us in by_group.items()}
    written: dict[str, bytes] = {}
    for unit in (u for us in sources.values() for u in us):
        wb = build_template(rubric, YEAR, unit["unit_id"], unit["name"])
        for code, value in realistic_answers(rubric, unit, rng).items():
            sheet, cell = cells[code]
            wb[sheet][cell] = value
        for code, text in realistic_evidence(rubric, rng).items():
            sheet, cell = evidence[code]
            wb[sheet][cell] = text
        buffer = io.BytesIO()
        wb.save(buffer)
        written[unit["unit_id"]] = buffer.getvalue()
    per_kind = max(1, n // HOSTILE_EVERY)
    chosen = rng.sample(range(n), min(n, per_kind * len(HOSTILE_KINDS)))
    hostile = {units[i]["unit_id"]: HOSTILE_KINDS[k % len(HOSTILE_KINDS)]
               for k, i in enumerate(chosen)}
    paths = []
    for group, members in by_group.items():
        for i, unit in enumerate(members):
            source = sources[group][i % len(sources[group])]
            paths += _realistic_files(folder, written[source["unit_id"]], source, unit,
                                      units, rng, hostile.get(unit["unit_id"]))
    return sorted(paths)


def hostile_bytes(kind: str, data: bytes) -> bytes:
    """A unit's workbook `data` made into a hostile file of HOSTILE_KINDS: a web page a
    system exported under an .xlsx name, a password-protected workbook (an OLE file naming
    an encrypted package), or BLANK_ROWS rows of blank-looking cells after the answers."""
    if kind == "not_a_workbook":
        return ("<html><head><meta charset='utf-8'></head><body><table><tr><td>Mã</td>"
                "<td>Giá trị</td></tr>" + "<tr><td>C1.1</td><td>5</td></tr>" * 200
                + "</table></body></html>").encode("utf-8")
    if kind == "encrypted":
        header = bytes.fromhex("d0cf11e0a1b11ae1") + bytes(16) + struct.pack(
            "<HHHH", 0x3E, 3, 0xFFFE, 9) + bytes(512 - 32)
        entry = "EncryptedPackage".encode("utf-16-le") + b"\0\0"
        directory = entry.ljust(64, b"\0") + struct.pack("<H", len(entry)) + bytes(62)
        return header + directory.ljust(512, b"\0") + data
    cell = '<c r="{c}{{r}}" t="inlineStr"><is><t> </t></is></c>'
    row = "".join(cell.format(c=c) for c in "ABCDEFGH")
    rows = "".join(f'<row r="{r}">{row.format(r=r)}</row>'
                   for r in range(200, 200 + BLANK_ROWS)).encode()
    out = io.BytesIO()
    with zipfile.ZipFile(io.BytesIO(data)) as src, \
            zipfile.ZipFile(out, "w", zipfile.ZIP_DEFLATED) as dst:
        for item in src.infolist():
            content = src.read(item.filename)
            if item.filename == "xl/worksheets/sheet1.xml":
                content = re.sub(rb'<dimension ref="[^"]*"/>', b"", content).replace(
                    b"</sheetData>", rows + b"</sheetData>")
            dst.writestr(item, content)
    return out.getvalue()


def _realistic_files(folder: Path, data: bytes, source: dict[str, str],
                     unit: dict[str, str], units: list[dict[str, str]],
                     rng: random.Random, hostile: str | None = None) -> list[Path]:
    """The files one unit sends (none, one or two), by REALISTIC; a hostile one of that
    kind (`hostile_bytes`) instead of its workbook if `hostile` is given."""
    if rng.random() < REALISTIC["missing"] and hostile is None:
        return []
    typed, unit_id = unit["name"], None
    if rng.random() < REALISTIC["generic"]:
        unit_id = ""
    elif rng.random() < REALISTIC["other_name"]:
        typed = rng.choice(units)["name"]
    elif unit["aliases"] and rng.random() < REALISTIC["alias"] / 0.5:  # half have aliases
        typed = unit["aliases"].split(";")[0]
    if source is not unit or typed != unit["name"] or unit_id is not None:
        data = relabel(data, unit_swaps(source, unit, typed, unit_id))
    if rng.random() < REALISTIC["damaged"]:
        data = data[:len(data) // 2]
    if hostile is not None:
        data = hostile_bytes(hostile, data)
    path = folder / f"{unit['unit_id']}.xlsx"
    path.write_bytes(data)
    if rng.random() >= REALISTIC["twice"]:
        return [path]
    first = folder / f"{unit['unit_id']}-ban-dau.xlsx"  # sorts first: superseded
    first.write_bytes(data)
    return [first, path]


@contextlib.contextmanager
def old_code(rev: str) -> Iterator[list[str]]:
    """The `cntt` command of commit `rev`: a temporary git worktree of it, run by this
    interpreter (and this venv's libraries) with PYTHONPATH pointing at it; removed after."""
    repo = Path(__file__).resolve().parent.parent
    folder = Path(tempfile.mkdtemp(prefix="cntt-old-")) / "tree"
    subprocess.run(["git", "-C", str(repo), "worktree", "add", "--detach", "--quiet",
                    str(folder), rev], check=True)
    # Run from inside the worktree: `python -c` puts the current folder first on sys.path,
    # so started from this checkout it would import this code, not `rev`'s (the 4 Dec
    # "before" figures compared the current code with itself).
    start = ["env", "-C", str(folder), f"PYTHONPATH={folder}", sys.executable]
    # Started as the installed `cntt` is, a script (not `python -c`): the two sides then
    # differ in their code only (a 5,000-workbook round measured ~1.5 s apart otherwise).
    script = folder.parent / "cntt"
    script.write_text("import sys\nfrom cntt_analysis.cli import main\nsys.exit(main())\n",
                      encoding="utf-8")
    try:
        where = "import cntt_analysis; print(cntt_analysis.__file__)"
        found = subprocess.run([*start, "-c", where], capture_output=True, text=True,
                               check=True).stdout.strip()
        if not Path(found).resolve().is_relative_to(folder.resolve()):
            raise SystemExit(f"--old {rev}: the old side imports {found}, not its worktree")
        yield [*start, str(script)]
    finally:
        subprocess.run(["git", "-C", str(repo), "worktree", "remove", "--force", str(folder)],
                       check=False)
        shutil.rmtree(folder.parent, ignore_errors=True)


# --- the measured commands (subprocesses) -----------------------------------------------

def naive_read(raw_dir: Path) -> None:
    """The naive side, run in its own process: every sheet of every file into DataFrames
    (a file pandas cannot read is counted and skipped)."""
    import pandas as pd

    files = sorted((raw_dir / str(YEAR)).glob("*.xlsx"))
    sheets = failed = 0
    for path in files:
        try:
            sheets += len(pd.read_excel(path, sheet_name=None, engine="openpyxl"))
        except Exception:  # a damaged file of a realistic round
            failed += 1
    print(f"{len(files)} files, {sheets} sheets, {failed} unreadable")


def commands(cntt: str | list[str], raw_dir: Path, processed: Path
             ) -> dict[str, list[str]]:
    """The measured commands; `cntt` is a command (path) or the words that start one."""
    cntt = [cntt] if isinstance(cntt, str) else cntt
    score = [*cntt, "score", "--year", str(YEAR), "--raw", str(raw_dir),
             "--processed", str(processed), "--quiet"]
    helps = subprocess.run([*cntt, "score", "--help"], capture_output=True,
                           text=True).stdout
    force = ["--force"] if "--force" in helps else []  # older versions always re-score
    return {"naive": [sys.executable, __file__, "--naive", str(raw_dir)],
            "ours": [*score, *force], "rerun": score}


def children_of() -> dict[int, list[int]]:
    """Every process's children, by parent pid (from /proc; ~1 ms)."""
    children: dict[int, list[int]] = {}
    for entry in os.scandir("/proc"):
        if entry.name.isdigit():
            try:
                with open(f"/proc/{entry.name}/stat", "rb") as handle:
                    ppid = int(handle.read().rsplit(b")", 1)[1].split()[1])
            except (OSError, ValueError, IndexError):
                continue
            children.setdefault(ppid, []).append(int(entry.name))
    return children


def tree_rss_kb(root: int, own: bool = True) -> int:
    """Resident memory (VmRSS) of process `root` (unless `own` is false) and all its
    descendants, summed, in KB (pages shared after a fork count in each process)."""
    children = children_of()
    total, todo = 0, [root] if own else list(children.get(root, []))
    while todo:
        pid = todo.pop()
        try:
            with open(f"/proc/{pid}/status", "rb") as handle:
                for line in handle:
                    if line.startswith(b"VmRSS:"):
                        total += int(line.split()[1])
                        break
        except OSError:
            pass
        todo += children.get(pid, [])
    return total


# Between this process and the measured command: a child forked from this (large) process
# would carry its peak in the kernel's accounting; one forked from the launcher does not.
_LAUNCH = """
import resource, subprocess, sys
code = subprocess.run(sys.argv[1:]).returncode
usage = resource.getrusage(resource.RUSAGE_CHILDREN)
print(usage.ru_maxrss, usage.ru_utime + usage.ru_stime, file=sys.stderr)
sys.exit(code)
"""


@dataclass
class Measured:
    seconds: float
    tree_mb: float  # the process tree's peak, summed
    output: str
    cpu: float = 0.0  # CPU seconds of the command and every process it waited for


def timed(command: list[str]) -> Measured:
    """Wall seconds from process start to exit, the peak resident memory of its process
    tree (sampled every 20 ms; at least its largest process, from rusage), its CPU seconds
    (all its processes: what a busy machine does not change much) and its output."""
    with tempfile.TemporaryFile() as out, tempfile.TemporaryFile() as err:
        start = time.perf_counter()
        proc = subprocess.Popen([sys.executable, "-c", _LAUNCH, *command], stdout=out,
                                stderr=err)
        peak = 0
        while proc.poll() is None:
            peak = max(peak, tree_rss_kb(proc.pid, own=False))
            time.sleep(0.02)
        elapsed = time.perf_counter() - start
        out.seek(0)
        err.seek(0)
        output = out.read().decode("utf-8", "replace")
        said, _, usage = err.read().decode("utf-8", "replace").rstrip("\n").rpartition("\n")
    if proc.returncode != 0:
        raise RuntimeError(f"{' '.join(command)} failed ({proc.returncode}):\n"
                           f"{output[-2000:]}\n{said[-2000:]}")
    largest, cpu = usage.split()
    return Measured(elapsed, max(peak, int(largest)) / 1024, output + said, float(cpu))


LABELS = {"naive": "naive pandas.read_excel (openpyxl)",
          "ours": "cntt score (read, check, score, write)",
          "before": "cntt score, --before installation"}


def compare(raw_dir: Path, processed: Path, sides: dict[str, list[str]], repeat: int
            ) -> dict[str, list[Measured]]:
    """Every side `repeat` times, alternating the order in each repetition."""
    runs: dict[str, list[Measured]] = {side: [] for side in sides}
    names = list(sides)
    for rep in range(repeat):
        order = names if rep % 2 == 0 else names[::-1]
        for side in order:
            shutil.rmtree(processed, ignore_errors=True)
            runs[side].append(timed(sides[side]))
        print(f"  rep {rep + 1}/{repeat} ({' then '.join(order)}): "
              + ", ".join(f"{side} {runs[side][-1].seconds:.2f} s, "
                          f"{runs[side][-1].tree_mb:.0f} MB" for side in names),
              flush=True)
    return runs


def report(n_files: int, runs: dict[str, list[Measured]], repeat: int) -> dict[str, float]:
    """Print the medians side by side; returns side → median seconds."""
    median = {side: statistics.median(m.seconds for m in ms) for side, ms in runs.items()}
    cpu = {side: statistics.median(m.cpu for m in ms) for side, ms in runs.items()}
    print(f"{n_files} workbooks, {repeat} repetition(s), median wall time (process start "
          f"to exit) and CPU time, peak RSS of the process tree; load {_load()}:")
    print(f"  {'':40s} {'median s':>9s} {'files/s':>8s} {'CPU s':>8s} {'tree peak MB':>13s}")
    for side, measured in runs.items():
        print(f"  {LABELS[side]:40s} {median[side]:9.2f} {n_files / median[side]:8.1f} "
              f"{cpu[side]:8.2f} {max(m.tree_mb for m in measured):13.0f}")
    for side in ("ours", "before"):
        if "naive" in median and side in median:
            print(f"  ratio naive/{side}: {median['naive'] / median[side]:.1f}x wall, "
                  f"{cpu['naive'] / cpu[side]:.1f}x CPU")
    if "before" in median:
        print(f"  ratio before/ours: {median['before'] / median['ours']:.2f}x wall, "
              f"{cpu['before'] / cpu['ours']:.2f}x CPU")
    return median


def _load() -> str:
    """The machine's load average over 1, 5 and 15 minutes (others' work shows in it)."""
    with open("/proc/loadavg", encoding="ascii") as handle:
        return " ".join(handle.read().split()[:3])


def issue_counts(processed: Path) -> str:
    """What the scored round holds: registered units by status and issues by code."""
    import pandas as pd

    folder = processed / str(YEAR)
    register = pd.read_parquet(folder / "register.parquet")
    issues = pd.read_parquet(folder / "issues.parquet")
    statuses = ", ".join(f"{k}: {v}" for k, v in register["status"].value_counts().items())
    codes = ", ".join(f"{k} {v}" for k, v in issues["code"].value_counts().items())
    return f"  register: {statuses}\n  issues ({len(issues)}): {codes}"


def stages(raw_dir: Path, processed: Path) -> None:
    """The steps of one `cntt score`, timed in this process (wall seconds, resident MB)."""
    from cntt_analysis.intake.issues import issues_frame
    from cntt_analysis.intake.reading import start_reading
    from cntt_analysis.intake.register import build_register, choose_counted, tie_submissions
    from cntt_analysis.intake.registry import load_registry, renamed_ids
    from cntt_analysis.intake.rounds import load_round
    from cntt_analysis.intake.workbook import submissions_frame
    from cntt_analysis.report.excel import round_workbook
    from cntt_analysis.scoring import pipeline
    from cntt_analysis.scoring.inspection import (
        CORRECTION,
        apply_corrections,
        audit,
        combine_scores,
        drop_resolved,
        find_inspection,
    )
    from cntt_analysis.scoring.manifest import input_manifest, registry_path
    from cntt_analysis.scoring.points import compute_points, compute_scores, criterion_scores
    from cntt_analysis.scoring.shortcomings import find_shortcomings
    from cntt_analysis.scoring.supplied import gather
    from cntt_analysis.storage import write_parquet

    marks = [time.perf_counter()]
    print("  step                         wall s   resident MB")

    def mark(step: str) -> None:
        marks.append(time.perf_counter())
        with open("/proc/self/status", encoding="ascii") as handle:
            rss = next(int(line.split()[1]) for line in handle if line.startswith("VmRSS"))
        print(f"  {step:28s} {marks[-1] - marks[-2]:6.2f}   {rss / 1024:8.0f}", flush=True)

    rnd = load_round(raw_dir, YEAR)
    known = load_registry(registry_path(raw_dir))
    registry = pipeline.round_registry(known, rnd)
    mark("round, registry")
    paths, subs = start_reading(rnd, progress=False).result()
    mark("read (workers)")
    tied = tie_submissions(subs, registry, renamed_ids(known), rnd.rubric.general_codes)
    pipeline.keep_asked(tied, rnd.rubric, registry)
    counted, _ = choose_counted(tied, rnd.rubric.general_codes)
    register, register_issues = build_register(rnd, subs, registry, counted)
    mark("tie, register")
    reported = submissions_frame([counted[u] for u in sorted(counted)], by_code=True)
    mark("answers table")
    intake_issues = [i for s in subs for i in s.issues]
    read = {p.name: s.digest for p, s in zip(paths, subs) if s.digest is not None}
    del subs, tied, counted
    reported, corrections, supply_issues = gather(rnd, reported, registry,
                                                  find_inspection(rnd))
    answers, limit_issues = apply_corrections(reported, corrections, rnd.rubric, rnd.year)
    mark("inspection")
    self_points = compute_points(reported, rnd.rubric, registry)
    points = compute_points(answers, rnd.rubric, registry)
    mark("compute_points x2")
    scores = combine_scores(compute_scores(points, rnd.rubric, registry),
                            compute_scores(self_points, rnd.rubric, registry))
    key = ["year", "unit_id", "indicator"]
    points = points.merge(self_points[[*key, "points"]].rename(
        columns={"points": "self_points"}), on=key, how="left")
    pillars = criterion_scores(points, rnd.rubric, registry).merge(
        criterion_scores(self_points, rnd.rubric, registry)[
            ["year", "unit_id", "criterion", "share"]].rename(columns={"share": "self_share"}),
        on=["year", "unit_id", "criterion"], how="left")
    mark("compute_scores x2, criteria")
    issues = issues_frame(drop_resolved(intake_issues, answers) + register_issues
                          + supply_issues + limit_issues)
    del intake_issues
    mark("issues table")
    result = pipeline.RoundResult(
        rnd, registry, answers, points, scores, issues, register,
        audit(corrections[corrections["kind"] == CORRECTION], self_points, points,
              rnd.rubric, registry),
        find_shortcomings(points, rnd.rubric, answers, registry), read, pillars)
    mark("audit, shortcomings")
    folder = processed / "stages"
    folder.mkdir(parents=True, exist_ok=True)
    for name in pipeline.TABLES:
        write_parquet(getattr(result, name), folder / f"{name}.parquet")
    mark("Parquet tables")
    round_workbook(result, folder)
    mark("Excel results (report)")
    input_manifest(result.round, raw_dir, result.read)
    mark("manifest")
    print(f"  total {marks[-1] - marks[0]:.2f} s")


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--n", type=int, default=500, help="workbooks to generate (500)")
    parser.add_argument("--repeat", type=int, default=3, help="timed repetitions (3)")
    parser.add_argument("--repeat-large", type=int, default=1,
                        help="repetitions of rounds of 5,000 workbooks or more (1)")
    parser.add_argument("--seed", type=int, default=2017, help="random seed (2017)")
    parser.add_argument("--large", action="store_true",
                        help=f"{LARGE_N} workbooks, {LARGE_DISTINCT} distinct, ours only")
    parser.add_argument("--realistic", action="store_true",
                        help="realistic rounds at each of --sizes, naive and ours")
    parser.add_argument("--sizes", default=",".join(map(str, REALISTIC_SIZES)),
                        help="registered units of the realistic rounds (500,5000,20000)")
    parser.add_argument("--no-naive", action="store_true",
                        help="skip the naive side (it takes ~13 min at 20,000)")
    parser.add_argument("--stages", action="store_true",
                        help="also time the steps of one run of ours, in this process")
    parser.add_argument("--keep", action="store_true",
                        help="keep the generated folders (their paths are printed)")
    parser.add_argument("--raw", type=Path, help="use this generated raw folder again")
    parser.add_argument("--cntt", default=str(Path(sys.executable).parent / "cntt"),
                        help="the cntt command to time (default: this venv's)")
    parser.add_argument("--before", metavar="CNTT",
                        help="another installation's cntt, timed beside ours")
    parser.add_argument("--old", metavar="REV",
                        help="also time the code of commit REV (a temporary git worktree, "
                             "PYTHONPATH), e.g. 358980f (before this branch)")
    parser.add_argument("--naive", metavar="RAW_DIR", help=argparse.SUPPRESS)
    args = parser.parse_args(argv)
    if args.naive:
        naive_read(Path(args.naive))
        return 0
    if args.n < 1 or args.repeat < 1:
        parser.error("--n and --repeat must be at least 1")
    sizes = [int(s) for s in args.sizes.split(",")] if args.realistic else \
        [LARGE_N if args.large else args.n]
    with contextlib.ExitStack() as stack:
        if args.old:
            args.before = stack.enter_context(old_code(args.old))
            LABELS["before"] = f"cntt score, commit {args.old}"
        for n in sizes:
            run_one(args, n)
    return 0


def run_one(args: argparse.Namespace, n: int) -> None:
    """Generate (or reuse) one round and measure it."""
    tmp = Path(tempfile.mkdtemp(prefix="cntt-bench-"))
    raw_dir = args.raw or tmp / "raw"
    processed = tmp / "processed"
    kind = "realistic" if args.realistic else "large" if args.large else "generated"
    try:
        if args.raw is None:
            start = time.perf_counter()
            paths = generate_realistic_round(raw_dir, n, args.seed) if args.realistic else \
                generate_round(raw_dir, n, args.seed, LARGE_DISTINCT if args.large else None)
            print(f"\n== {kind} round, {n} registered units: generated {len(paths)} workbooks "
                  f"in {raw_dir} ({time.perf_counter() - start:.0f} s, not timed)", flush=True)
        files = len(list((raw_dir / str(YEAR)).glob("*.xlsx")))
        ours = commands(args.cntt, raw_dir, processed)
        sides = {"naive": ours["naive"], "ours": ours["ours"]}
        if args.large or args.no_naive:
            del sides["naive"]
        if args.before:
            sides["before"] = commands(args.before, raw_dir, processed)["ours"]
        repeat = args.repeat_large if n >= REPEAT_LARGE_FROM else args.repeat
        runs = compare(raw_dir, processed, sides, repeat)
        rerun = timed(ours["rerun"])
        rerun_said = "Không có gì thay đổi" in timed(ours["rerun"][:-1]).output
        print()
        median = report(files, runs, repeat)
        print(f"  {'cntt score, unchanged re-run':40s} {rerun.seconds:9.2f} {'':8s} "
              f"{rerun.cpu:8.2f} {rerun.tree_mb:13.0f}")
        print(f"Unchanged re-run says so: {'yes' if rerun_said else 'NO'}; "
              f"{rerun.seconds:.2f} s — target < {TARGET_RERUN_S:g} s: "
              f"{'MET' if rerun.seconds < TARGET_RERUN_S and rerun_said else 'NOT MET'}")
        peak = max(m.tree_mb for m in runs["ours"])
        seconds = TARGET_LARGE_S if args.large else REALISTIC_TARGETS.get(n) \
            if args.realistic else None
        if seconds is not None:
            ok = median["ours"] <= seconds and peak < TARGET_LARGE_MB
            print(f"{kind.capitalize()} round of {n}: {median['ours']:.1f} s, tree peak "
                  f"{peak:.0f} MB — target <= {seconds:g} s and < {TARGET_LARGE_MB:g} MB: "
                  f"{'MET' if ok else 'NOT MET'}")
        if "naive" in median:
            ratio = median["naive"] / median["ours"]
            print(f"Ratio naive/ours: {ratio:.1f}x — target ours >= {TARGET_RATIO:g}x "
                  f"faster: {'MET' if ratio >= TARGET_RATIO else 'NOT MET'}")
        timed(ours["ours"])  # the round as ours scores it, for its counts
        print(issue_counts(processed))
        if args.stages:
            print("Steps of one run, in this process:")
            stages(raw_dir, tmp / "stages")
    finally:
        if args.keep and args.raw is None:
            shutil.rmtree(processed, ignore_errors=True)
            print(f"Kept {raw_dir}")
        else:  # a --raw folder given is never ours to delete; our outputs always are
            shutil.rmtree(tmp, ignore_errors=True)


if __name__ == "__main__":
    sys.exit(main())
