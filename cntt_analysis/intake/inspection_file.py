"""The inspectors' file as it sits in a round folder: what marks it as theirs, what merely
looks like it, and reading it with the bounds a submission is read with.

The inspection file is the IT Centre's, never a unit's: it is the round's file named
``inspection.xlsx`` / ``inspection.csv`` or the one round.yaml declares (``inspection:``),
and a workbook carries the mark only `cntt inspection-template` writes (a very hidden sheet
``_kiem_tra`` naming the kind, the round's year and rubric). A workbook that only *looks*
like it (a "Kiểm tra" sheet with the verified column) is a candidate: reported, read as a
submission, never applied (`rounds.Round.inspection_files`).

This module runs in reading workers: no pandas, no openpyxl.
"""

from __future__ import annotations

import csv
import zipfile
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

INSPECTION_SHEET = "Kiểm tra"
# Headers of the verified-value column (Vietnamese, or the key a minimal CSV uses).
INSPECTION_MARKS = ("số liệu kiểm tra", "verified")
# The mark `cntt inspection-template` writes: a very hidden sheet of key → value rows.
MARK_SHEET = "_kiem_tra"
MARK_KIND = "inspection"
# The same bound a submission has (`intake.workbook.MAX_FILE_BYTES`, not imported: that
# module brings the whole reader into this light one).
MAX_FILE_BYTES = 64 * 1024 * 1024


@dataclass
class InspectionRead:
    """What a reading worker found in an inspection file: the sheet read and its rows, the
    mark (None for a CSV, which cannot carry one) or why it could not be read."""

    sheet: str = ""
    rows: list[list[Any]] = field(default_factory=list)
    mark: dict[str, str] | None = None
    failed: str = ""  # a Vietnamese reason (the detail); the rows are then empty
    failure: str = "file_unreadable"  # the code when it failed


def mark_rows(year: int, rubric_id: str) -> list[tuple[str, object]]:
    """The rows of the mark sheet `cntt inspection-template` writes."""
    return [("kind", MARK_KIND), ("year", year), ("rubric", rubric_id),
            ("made_by", "cntt inspection-template")]


def read_inspection(path: Path) -> InspectionRead:
    """Read an inspection file (run in a sandboxed worker, `sandbox.map_isolated`: a
    hostile file costs the worker, not the run). Never raises for bad content."""
    try:
        size = path.stat().st_size
    except OSError:
        return InspectionRead(failed="không đọc được tệp")
    if size > MAX_FILE_BYTES:
        return too_large(f"lớn hơn {MAX_FILE_BYTES // 2**20} MB")
    try:
        if path.suffix.lower() == ".csv":
            with open(path, encoding="utf-8-sig", newline="") as handle:
                return InspectionRead("", [list(r) for r in csv.reader(handle)])
        from python_calamine import CalamineWorkbook

        book = CalamineWorkbook.from_path(str(path))
        names = list(book.sheet_names)
        name = INSPECTION_SHEET if INSPECTION_SHEET in names else names[0]
        rows = book.get_sheet_by_name(name).to_python(skip_empty_area=False)
        return InspectionRead(name, rows, _mark(book))
    except MemoryError:
        raise  # the worker reports the file as too large
    except Exception:  # broken, or not a spreadsheet at all
        return InspectionRead(failed="tệp kiểm tra, thẩm định bị hỏng hoặc không phải bảng "
                                     "tính")


def too_large(why: str) -> InspectionRead:
    """A file whose reading ran past a bound (size, memory, time)."""
    return InspectionRead(failed=f" ({why})", failure="file_too_large")


def _mark(book: Any) -> dict[str, str]:
    """The mark sheet's key → value pairs ({} when the workbook has none)."""
    if MARK_SHEET not in book.sheet_names:
        return {}
    rows = book.get_sheet_by_name(MARK_SHEET).to_python(nrows=20)
    return {_text(r[0]): _text(r[1]) for r in rows[:20] if len(r) >= 2 and r[0] != ""}


def _text(value: object) -> str:
    if isinstance(value, float) and value.is_integer():
        return str(int(value))
    return str(value).strip()


def mark_problem(mark: dict[str, str] | None, year: int, rubric_id: str) -> str:
    """Why a mark does not make a workbook this round's inspection file ("" when it does;
    a CSV, None, carries none and is taken by its name)."""
    if mark is None:
        return ""
    if mark.get("kind") != MARK_KIND:
        return ("tệp không do lệnh cntt inspection-template tạo (thiếu dấu nhận biết của "
                "tệp kiểm tra)")
    if mark.get("year") != str(year) or mark.get("rubric") != rubric_id:
        return (f"tệp kiểm tra được tạo cho đợt năm {mark.get('year', '?')} (phiếu "
                f"{mark.get('rubric', '?')}), không phải đợt năm {year} (phiếu {rubric_id})")
    return ""


# --------------------------------------------------------------------------- look-alikes


_SHEET_MARKS = tuple(name.encode(enc) for name in (INSPECTION_SHEET, MARK_SHEET)
                     for enc in ("utf-8", "utf-16-le"))


def may_look_like_inspection(path: Path) -> bool:
    """A cheap, bounded look for the sheet names in the workbook's directory (xlsx, ods) or
    in the first megabytes of the file (xls), before the sheets are read."""
    try:
        try:
            archive = zipfile.ZipFile(path)
        except zipfile.BadZipFile:  # .xls (or not a workbook): its first megabytes
            with open(path, "rb") as handle:
                head = handle.read(4 << 20)
        else:
            with archive:
                names = set(archive.namelist())
                part = next((n for n in ("xl/workbook.xml", "content.xml") if n in names), None)
                if part is None:
                    return False
                with archive.open(part) as handle:
                    head = handle.read(4 << 20)
    except Exception:  # unreadable: intake reports it as a submission problem
        return False
    return any(mark in head for mark in _SHEET_MARKS)


def looks_like_inspection(path: Path, book: Any) -> bool:
    """Whether a workbook open in a reading worker (python-calamine) looks like the
    inspectors' file: the mark sheet, or the "Kiểm tra" sheet with the verified column."""
    from cntt_analysis.text import fold

    try:
        names = book.sheet_names
        if not (MARK_SHEET in names or INSPECTION_SHEET in names) \
                or not may_look_like_inspection(path):
            return False
        if MARK_SHEET in names:
            return True
        header = book.get_sheet_by_name(INSPECTION_SHEET).to_python(nrows=1)
        marks = {fold(m) for m in INSPECTION_MARKS}
        return any(isinstance(v, str) and fold(v) in marks for row in header[:1] for v in row)
    except Exception:  # a broken file is a submission problem, reported by intake
        return False
