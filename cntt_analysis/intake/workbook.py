"""Intake: read every submitted workbook of a round into one tidy answers table.

raw workbook → answers (one row per unit and answer code, with file/sheet/cell) + issues.
Values are read with python-calamine (fast, and it reads .xlsx, .xls and .ods alike).
A workbook that cannot be read becomes an issue; it never stops the round.
"""

from __future__ import annotations

import datetime as dt
import sys
from dataclasses import dataclass, field
from functools import lru_cache
from pathlib import Path
from typing import Any

import pandas as pd
from openpyxl.utils import column_index_from_string, get_column_letter
from python_calamine import CalamineWorkbook
from tqdm import tqdm

from cntt_analysis.intake.evidence import evidence_issues
from cntt_analysis.intake.issues import make_issue
from cntt_analysis.intake.templates import ANSWER_COLUMN
from cntt_analysis.intake.values import Parsed, parse_answer
from cntt_analysis.rubric.model import Input, Rubric
from cntt_analysis.text import clean, fold, printable

ANSWER_COLUMNS = ["year", "unit_id", "code", "raw_value", "value", "number", "status",
                  "problem", "file", "sheet", "cell", "evidence"]
_ANSWER_HEADER = fold("Trả lời")
_EVIDENCE_HEADER = fold("Tài liệu kiểm chứng")


@lru_cache(maxsize=8192)
def _clean_key(value: str) -> str:
    """`clean`, memoised: sheet names, codes and cell addresses repeat in every workbook."""
    return clean(value)


@dataclass
class Submission:
    """One workbook after reading: its answers, its issues and what it says about itself."""

    file: str
    year: int
    answers: list[dict[str, Any]] = field(default_factory=list)
    issues: list[dict[str, Any]] = field(default_factory=list)
    meta: dict[str, str] = field(default_factory=dict)
    readable: bool = True
    unit_id: str | None = None

    def answer(self, code: str) -> dict[str, Any] | None:
        return next((a for a in self.answers if a["code"] == code), None)


class _Sheets:
    """Lazy, cached access to a workbook's sheets as grids anchored at A1."""

    def __init__(self, book: CalamineWorkbook):
        self.book = book
        self.names = list(book.sheet_names)
        self._by_key = {_clean_key(n): n for n in self.names}
        self._grids: dict[str, list[list[Any]]] = {}

    def resolve(self, name: str) -> str | None:
        return self._by_key.get(_clean_key(name))

    def grid(self, name: str) -> list[list[Any]]:
        if name not in self._grids:
            sheet = self.book.get_sheet_by_name(name)
            self._grids[name] = sheet.to_python(skip_empty_area=False)
        return self._grids[name]


def cell_address(row: int, col: int) -> str:
    """0-based row/col → an A1 address such as D14."""
    return f"{get_column_letter(col + 1)}{row + 1}"


def _parse_address(cell: str) -> tuple[int, int] | None:
    letters = cell.rstrip("0123456789")
    digits = cell[len(letters):]
    if not letters.isalpha() or not digits.isdigit():
        return None
    return int(digits) - 1, column_index_from_string(letters.upper()) - 1


def _value_at(grid: list[list[Any]], row: int, col: int) -> object:
    if row < len(grid) and col < len(grid[row]):
        return grid[row][col]
    return None


def raw_text(raw: object) -> str:
    """How a raw cell value is shown in tables and messages."""
    if raw is None or raw == "":
        return ""
    if isinstance(raw, float) and raw.is_integer():
        return str(int(raw))
    if isinstance(raw, float):  # shown to Vietnamese readers: 75.9 → "75,9"
        return repr(raw).replace(".", ",")
    if isinstance(raw, (dt.date, dt.datetime)):
        return raw.isoformat()
    return str(raw)


def _key_values(sheets: _Sheets, name: str) -> list[list[Any]]:
    real = sheets.resolve(name)
    return [[_clean_key(raw_text(v)) for v in row] for row in sheets.grid(real)] if real else []


def _declared_cells(sheets: _Sheets) -> dict[str, tuple[str, int, int]]:
    """code → (sheet, row, col) from the hidden ``_cells`` sheet, when present."""
    rows = _key_values(sheets, "_cells")
    cells = {}
    for row in rows[1:]:
        if len(row) >= 3 and (address := _parse_address(row[2])) \
                and (sheet := sheets.resolve(row[1])):
            cells[row[0]] = (sheet, *address)
    return cells


def _row_has_code(grid: list[list[Any]], row: int, col: int, code: str) -> bool:
    return row < len(grid) and any(
        isinstance(v, str) and _clean_key(v) == code for v in grid[row][:col])


def _scan_codes(sheets: _Sheets, codes: set[str]) -> dict[str, tuple[str, int, int]]:
    """Find answer cells by their codes in visible sheets (old or converted copies)."""
    found: dict[str, tuple[str, int, int]] = {}
    for name in sheets.names:
        if name.startswith("_"):
            continue
        grid = sheets.grid(name)
        answer_col = _answer_column(grid)
        for r, row in enumerate(grid):
            for c, value in enumerate(row):
                if isinstance(value, str) and (code := clean(value)) in codes \
                        and code not in found:
                    col = answer_col if answer_col is not None and answer_col > c \
                        else c + ANSWER_COLUMN - 1
                    found[code] = (name, r, col)
    return found


def _answer_column(grid: list[list[Any]]) -> int | None:
    for row in grid[:30]:
        for c, value in enumerate(row):
            if isinstance(value, str) and fold(value) == _ANSWER_HEADER:
                return c
    return None


def locate_answers(sheets: _Sheets, rubric: Rubric) -> dict[str, tuple[str, int, int]]:
    """code → (sheet, row, col) of every answer found, trusting ``_cells`` only where the
    row still carries the code and the column is still the “Trả lời” one (a unit may have
    inserted rows or columns)."""
    declared = _declared_cells(sheets)
    answer_cols = {sheet: _answer_column(sheets.grid(sheet))
                   for sheet in {where[0] for where in declared.values()}}
    located = {code: where for code, where in declared.items()
               if code in rubric.inputs and answer_cols[where[0]] in (None, where[2])
               and _row_has_code(sheets.grid(where[0]), where[1], where[2], code)}
    missing = set(rubric.inputs) - set(located)
    if missing:
        located |= _scan_codes(sheets, missing)
    return located


def read_submission(path: Path, rubric: Rubric, year: int) -> Submission:
    """Read one workbook; never raises for bad content."""
    sub = Submission(file=path.name, year=year)
    try:
        sheets = _Sheets(CalamineWorkbook.from_path(str(path)))
        located = locate_answers(sheets, rubric)
        sub.meta = {r[0]: r[1] for r in _key_values(sheets, "_meta") if len(r) >= 2}
    except Exception as exc:  # calamine raises several types for broken files
        sub.readable = False
        sub.issues.append(make_issue("file_unreadable", year=year, file=sub.file,
                                     value=f"{type(exc).__name__}: {exc}"[:300],
                                     detail="tệp bị hỏng hoặc không phải bảng tính"))
        return sub
    if not located:
        sub.readable = False
        sub.issues.append(make_issue("file_unreadable", year=year, file=sub.file,
                                     detail="không tìm thấy mã mục nào của biểu mẫu báo cáo"))
        return sub
    for code, inp in rubric.inputs.items():
        if code in located:
            sheet, row, col = located[code]
            raw = _value_at(sheets.grid(sheet), row, col)
            _record(sub, inp, raw, sheet, cell_address(row, col))
        else:
            sub.issues.append(make_issue("answer_not_found", year=year, file=sub.file,
                                         what=_what(inp)))
            sub.answers.append(_answer_row(sub, inp, "", Parsed(
                "invalid", problem=("answer_not_found", "")), "", ""))
    sub.issues += check_limits(sub.answers, rubric, year, sub.file)
    asked = _read_evidence(sub, sheets, located, rubric)
    sub.issues += evidence_issues(sub.answers, rubric, year, sub.file, asked)
    return sub


def _evidence_column(grid: list[list[Any]]) -> int | None:
    for row in grid[:30]:
        for c, value in enumerate(row):
            if isinstance(value, str) and fold(value).startswith(_EVIDENCE_HEADER):
                return c
    return None


def _read_evidence(sub: Submission, sheets: _Sheets, located: dict[str, Any],
                   rubric: Rubric) -> dict[str, tuple[str, str]]:
    """Fill each answer's ``evidence`` from the cell beside it: the one ``_cells`` declares
    when it is on the answer's row, else the “Tài liệu kiểm chứng” column of that row.
    Returns code → (sheet, cell) of the evidence cells found (empty for older templates)."""
    declared = {r[0]: r[3] for r in _key_values(sheets, "_cells")[1:] if len(r) >= 4 and r[3]}
    asked = {}
    for answer in sub.answers:
        inp = rubric.inputs[answer["code"]]
        if not inp.evidence or answer["code"] not in located:
            continue
        sheet, row, _ = located[answer["code"]]
        address = _parse_address(declared.get(answer["code"], ""))
        if address is None or address[0] != row:
            column = _evidence_column(sheets.grid(sheet))
            address = None if column is None else (row, column)
        if address is not None:
            raw = _value_at(sheets.grid(sheet), *address)
            answer["evidence"] = printable(clean(raw_text(raw))) or None
            asked[answer["code"]] = (sheet, cell_address(*address))
    return asked


def _what(inp: Input) -> str:
    return f"mục {inp.code} “{clean(inp.label)}”"


def _answer_row(sub: Submission, inp: Input, raw: object, parsed: Parsed, sheet: str,
                cell: str) -> dict[str, Any]:
    return {"year": sub.year, "unit_id": None, "code": inp.code, "raw_value": raw_text(raw),
            "value": parsed.value, "number": parsed.number, "status": parsed.status,
            "problem": parsed.problem[0] if parsed.problem else None,
            "file": sub.file, "sheet": sheet, "cell": cell, "evidence": None}


def _record(sub: Submission, inp: Input, raw: object, sheet: str, cell: str) -> None:
    parsed = parse_answer(raw, inp)
    sub.answers.append(_answer_row(sub, inp, raw, parsed, sheet, cell))
    if parsed.problem:
        code, expected = parsed.problem
        sub.issues.append(make_issue(code, year=sub.year, file=sub.file, sheet=sheet, cell=cell,
                                     value=raw_text(raw), what=_what(inp), expected=expected))


def check_limits(answers: list[dict[str, Any]], rubric: Rubric, year: int,
                 file: str) -> list[dict[str, Any]]:
    """Mark answers above their stated limit (e.g. C2.2 ≤ G06) invalid; one issue each.

    `answers` are one unit's answer rows; `file` is where a correction would be made."""
    by_code = {a["code"]: a for a in answers}
    issues = []
    for code, inp in rubric.inputs.items():
        answer = by_code.get(code)
        limits = [by_code.get(c) for c in inp.at_most]
        if not inp.at_most or answer is None or answer["status"] != "ok" \
                or any(lim is None or lim["status"] != "ok" for lim in limits):
            continue
        limit = sum(lim["number"] for lim in limits if lim is not None)
        if answer["number"] > limit + 1e-9:
            answer["status"], answer["problem"] = "invalid", "exceeds"
            labels = " + ".join(f"{c} “{clean(rubric.inputs[c].label)}”" for c in inp.at_most)
            issues.append(make_issue(
                "exceeds", year=year, file=file, sheet=answer["sheet"], unit_id=answer["unit_id"],
                cell=answer["cell"], value=answer["raw_value"], what=_what(inp),
                limit_label=labels, limit=raw_text(float(limit))))
    return issues


def read_round_files(paths: list[Path], rubric: Rubric, year: int,
                     progress: bool | None = None) -> list[Submission]:
    """Read many workbooks, with a progress bar on a terminal."""
    show = sys.stderr.isatty() if progress is None else progress
    iterator = tqdm(paths, desc="Đọc bài nộp", unit="tệp", disable=not show or len(paths) < 2)
    return [read_submission(p, rubric, year) for p in iterator]


def answers_frame(rows: list[dict[str, Any]]) -> pd.DataFrame:
    frame = pd.DataFrame(rows, columns=ANSWER_COLUMNS)
    frame["year"] = frame["year"].astype("int64")
    frame["number"] = frame["number"].astype("float64")
    for column in ("unit_id", "code", "raw_value", "value", "status", "problem", "file",
                   "sheet", "cell", "evidence"):
        frame[column] = frame[column].astype("object")
    return frame.reset_index(drop=True)
