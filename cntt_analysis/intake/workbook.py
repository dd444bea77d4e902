"""Intake: read every submitted workbook of a round into one tidy answers table.

raw workbook → answers (one row per unit and answer code, with file/sheet/cell) + issues.
Values are read with python-calamine (fast, and it reads .xlsx, .xls and .ods alike).
A workbook that cannot be read becomes an issue; it never stops the round: only the
rows and columns a template can hold are read, and a round's files are read in worker
processes with a memory and time limit (see `intake.sandbox`).

This module is what a reading worker imports, so it stays lean: pandas and the progress
bar are imported only by the functions of the calling process that use them.
"""

from __future__ import annotations

import datetime as dt
import re
import sys
import tempfile
import threading
import zipfile
from collections.abc import Callable, Iterable, Sequence
from functools import lru_cache, partial
from itertools import chain, repeat
from operator import itemgetter
from pathlib import Path
from typing import TYPE_CHECKING, Any

from python_calamine import CalamineWorkbook, PasswordError

from cntt_analysis.intake.evidence import evidence_issues
from cntt_analysis.intake.inspection_file import INSPECTION_SHEET, looks_like_inspection
from cntt_analysis.intake.issues import make_issue
from cntt_analysis.intake.sandbox import TIME_LIMIT, file_digest, map_isolated
from cntt_analysis.intake.values import Parsed, is_blank, parse_answer
from cntt_analysis.rubric.model import Input, Rubric
from cntt_analysis.text import clean, fold, printable, readable_name

if TYPE_CHECKING:
    import pandas as pd

ANSWER_COLUMNS = ["year", "unit_id", "code", "raw_value", "value", "number", "status",
                  "problem", "file", "sheet", "cell", "evidence"]
# The templates' answer column (D), as `intake.templates.ANSWER_COLUMN` says: not imported
# from there, since that module brings openpyxl and pandas into every reading worker.
ANSWER_COLUMN = 4
# What differs from one answer of a submission to the next (year, unit and file do not).
ANSWER_FIELDS = ("code", "raw_value", "value", "number", "status", "problem", "sheet",
                 "cell", "evidence")
_ANSWER_HEADER = fold("Trả lời")
_EVIDENCE_HEADER = fold("Tài liệu kiểm chứng")
# What a template can hold, with room for rows and columns a unit inserts: nothing beyond
# is read, whatever range a sheet declares.
MAX_ROWS, MAX_COLS, MAX_SHEETS = 1000, 60, 60
MAX_FILE_BYTES = 64 * 1024 * 1024
_OLE_MAGIC = bytes.fromhex("d0cf11e0a1b11ae1")
_ENCRYPTED_PACKAGE = "EncryptedPackage".encode("utf-16-le")


@lru_cache(maxsize=8192)
def _clean_key(value: str) -> str:
    """`clean`, memoised: sheet names, codes and cell addresses repeat in every workbook."""
    return clean(value)


@lru_cache(maxsize=8192)
def _fold_key(value: str) -> str:
    """`fold`, memoised: a template's headers and labels repeat in every workbook."""
    return fold(value)


# A worker reads thousands of files: only short texts are memoised, so that a file full
# of long ones cannot fill its memory for the files after it.
_MEMO_LENGTH = 200


def _short_clean(value: str) -> str:
    return _clean_key(value) if len(value) < _MEMO_LENGTH else clean(value)


def _short_fold(value: str) -> str:
    return _fold_key(value) if len(value) < _MEMO_LENGTH else fold(value)


class Submission:
    """One workbook after reading: its answers, its issues and what it says about itself.

    The answers are kept by column (`columns`, in ANSWER_FIELDS order, one entry per
    answer): a round holds a million of them, and one dict per answer would take about a
    kilobyte each. `answers` and `answer` give them as rows (fresh dicts: a copy)."""

    def __init__(self, file: str, year: int, answers: Iterable[dict[str, Any]] = (),
                 issues: list[dict[str, Any]] | None = None,
                 meta: dict[str, str] | None = None, readable: bool = True,
                 unit_id: str | None = None, digest: tuple[int, str] | None = None,
                 inspection: bool = False):
        self.file, self.year = file, year
        # Whether it looks like the inspectors' workbook (`inspection_file`): a candidate
        # reported to the IT Centre, read as a submission all the same.
        self.inspection = inspection
        self.columns: tuple[tuple[Any, ...], ...] = answer_columns(answers)
        self.issues: list[dict[str, Any]] = issues if issues is not None else []
        self.meta: dict[str, str] = meta or {}
        self.readable, self.unit_id = readable, unit_id
        self.digest = digest  # (size, SHA-256) of the bytes actually read

    def __repr__(self) -> str:
        return (f"Submission(file={self.file!r}, year={self.year}, unit_id={self.unit_id!r}, "
                f"answers={len(self)}, issues={len(self.issues)}, readable={self.readable})")

    def __len__(self) -> int:
        return len(self.columns[0]) if self.columns else 0

    def _row(self, i: int) -> dict[str, Any]:
        code, raw, value, number, status, problem, sheet, cell, evidence = \
            (column[i] for column in self.columns)  # ANSWER_FIELDS
        return {"year": self.year, "unit_id": self.unit_id, "code": code, "raw_value": raw,
                "value": value, "number": number, "status": status, "problem": problem,
                "file": self.file, "sheet": sheet, "cell": cell, "evidence": evidence}

    @property
    def answers(self) -> list[dict[str, Any]]:
        """One dict per answer (ANSWER_COLUMNS), made anew on each call."""
        return [self._row(i) for i in range(len(self))]

    def answer(self, code: str) -> dict[str, Any] | None:
        codes = self.columns[0] if self.columns else ()
        return self._row(codes.index(code)) if code in codes else None


def answer_columns(rows: Iterable[dict[str, Any]]) -> tuple[tuple[Any, ...], ...]:
    """Answer rows (dicts, missing keys None) by column, in ANSWER_FIELDS order."""
    rows = list(rows)
    if not rows:
        return ()
    try:
        return tuple(zip(*map(_ANSWER_VALUES, rows)))
    except KeyError:  # rows made by hand (tests, tools) may leave fields out
        return tuple(tuple([row.get(name) for row in rows]) for name in ANSWER_FIELDS)


_ANSWER_VALUES = itemgetter(*ANSWER_FIELDS)


def share_strings(sub: Submission, shared: dict[Any, Any]) -> Submission:
    """The submission with its answers' repeated values (codes, sheets, cells, statuses,
    "Có", "2017" …) replaced by one shared object each (`shared`: the round's pool), so
    that a round of 20,000 workbooks holds each once, not 20,000 times."""
    def each(column: tuple[Any, ...]) -> tuple[Any, ...]:  # texts and None only
        return tuple(map(shared.setdefault, column, column))

    columns = []
    for name, column in zip(ANSWER_FIELDS, sub.columns):
        if name in ("code", "sheet", "cell", "status", "problem"):  # most often all alike
            pooled = shared.get(column)
            if pooled is None:
                pooled = shared[column] = each(column)
            column = pooled
        elif name in ("raw_value", "value"):
            column = each(column)
        columns.append(column)
    sub.columns = tuple(columns)
    return sub


class _Sheets:
    """Lazy, cached access to a workbook's sheets as grids anchored at A1."""

    def __init__(self, book: CalamineWorkbook):
        self.book = book
        self.names = list(book.sheet_names)
        self._by_key = {_short_clean(n): n for n in self.names}
        self._grids: dict[str, list[list[Any]]] = {}
        self._keys: dict[str, Sequence[Sequence[str]]] = {}
        self._columns: dict[tuple[str, str], int | None] = {}

    def resolve(self, name: str) -> str | None:
        return self._by_key.get(_short_clean(name))

    def grid(self, name: str) -> list[list[Any]]:
        """The sheet's first MAX_ROWS × MAX_COLS cells (a sheet may declare a million)."""
        if name not in self._grids:
            sheet = self.book.get_sheet_by_name(name)
            rows = sheet.to_python(skip_empty_area=False, nrows=MAX_ROWS)
            self._grids[name] = [row[:MAX_COLS] for row in rows[:MAX_ROWS]]
        return self._grids[name]

    def keys(self, name: str) -> Sequence[Sequence[str]]:
        """The cells of sheet `name` (any case of the name) as cleaned text; () if none."""
        if name not in self._keys:
            real = self.resolve(name)
            self._keys[name] = _cleaned_rows(self.grid(real)) if real else ()
        return self._keys[name]

    def header_column(self, sheet: str, header: str, prefix: bool = False) -> int | None:
        """The column whose heading (in the first 30 rows), folded, is `header` (or starts
        with it)."""
        if (sheet, header) not in self._columns:
            self._columns[sheet, header] = next(
                (c for row in self.grid(sheet)[:30] for c, value in enumerate(row)
                 if isinstance(value, str) and _heads(value, header, prefix)), None)
        return self._columns[sheet, header]


# The hidden sheets (``_cells``, ``_meta``) are alike in every copy of a template: their
# cleaned text is memoised by their raw values, when they are of a template's size.
_SMALL_SHEET = (300, 8, 20_000)  # rows, columns, characters


def _cleaned_rows(grid: list[list[Any]]) -> Sequence[Sequence[str]]:
    rows, cols, chars = _SMALL_SHEET
    if len(grid) <= rows and all(len(row) <= cols for row in grid) and sum(
            len(v) for row in grid for v in row if v.__class__ is str) <= chars:
        return _cleaned_small(tuple(tuple(row) for row in grid))
    return [[_short_clean(raw_text(v)) for v in row] for row in grid]


@lru_cache(maxsize=32)
def _cleaned_small(grid: tuple[tuple[Any, ...], ...]) -> tuple[tuple[str, ...], ...]:
    return tuple(tuple(_short_clean(raw_text(v)) for v in row) for row in grid)


@lru_cache(maxsize=4096)
def cell_address(row: int, col: int) -> str:
    """0-based row/col → an A1 address such as D14."""
    letters = ""
    col += 1
    while col:
        col, rest = divmod(col - 1, 26)
        letters = chr(65 + rest) + letters
    return f"{letters}{row + 1}"


def _parse_address(cell: str) -> tuple[int, int] | None:
    """An A1 address → 0-based (row, col); None if it is not one ("XFD1048576" at most)."""
    return _address(cell) if len(cell) <= 10 else None


@lru_cache(maxsize=4096)
def _address(cell: str) -> tuple[int, int] | None:
    letters = cell.rstrip("0123456789")
    digits = cell[len(letters):]
    if not (letters.isascii() and letters.isalpha() and len(letters) <= 3) \
            or not (digits.isascii() and digits.isdigit()):
        return None
    col = 0
    for letter in letters.upper():
        col = col * 26 + ord(letter) - 64
    return int(digits) - 1, col - 1


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


def _heads(value: str, header: str, prefix: bool) -> bool:
    """Whether a cell's text, folded, is `header` (or, with `prefix`, starts with it). Only
    its first 64 characters count: a heading is short, and the long titles above it (each
    naming its unit) would cost the most to fold."""
    if len(value) > 64:
        return prefix and _short_fold(value[:64]).startswith(header)
    folded = _short_fold(value)
    return folded == header or prefix and folded.startswith(header)


def _declared_cells(sheets: _Sheets) -> dict[str, tuple[str, int, int]]:
    """code → (sheet, row, col) from the hidden ``_cells`` sheet, when present."""
    cells = {}
    for row in sheets.keys("_cells")[1:]:
        if len(row) >= 3 and (address := _parse_address(row[2])) \
                and (sheet := sheets.resolve(row[1])):
            cells[row[0]] = (sheet, *address)
    return cells


def _row_has_code(grid: list[list[Any]], row: int, col: int, code: str) -> bool:
    return row < len(grid) and any(
        isinstance(v, str) and _short_clean(v) == code for v in grid[row][:col])


def _scan_codes(sheets: _Sheets, codes: set[str]) -> dict[str, tuple[str, int, int]]:
    """Find answer cells by their codes in visible sheets (old or converted copies)."""
    found: dict[str, tuple[str, int, int]] = {}
    for name in sheets.names[:MAX_SHEETS]:
        if name.startswith("_"):
            continue
        grid = sheets.grid(name)
        answer_col = sheets.header_column(name, _ANSWER_HEADER)
        for r, row in enumerate(grid):
            for c, value in enumerate(row):
                if isinstance(value, str) and (code := _short_clean(value)) in codes \
                        and code not in found:
                    col = answer_col if answer_col is not None and answer_col > c \
                        else c + ANSWER_COLUMN - 1
                    found[code] = (name, r, col)
    return found


def locate_answers(sheets: _Sheets, rubric: Rubric) -> dict[str, tuple[str, int, int]]:
    """code → (sheet, row, col) of every answer found, trusting ``_cells`` only where the
    row still carries the code and the column is still the “Trả lời” one (a unit may have
    inserted rows or columns)."""
    declared = _declared_cells(sheets)
    located = {code: where for code, where in declared.items()
               if code in rubric.inputs
               and sheets.header_column(where[0], _ANSWER_HEADER) in (None, where[2])
               and _row_has_code(sheets.grid(where[0]), where[1], where[2], code)}
    missing = set(rubric.inputs) - set(located)
    if missing:
        located |= _scan_codes(sheets, missing)
    return located


def read_submission(path: Path, rubric: Rubric, year: int) -> Submission:
    """Read one workbook; never raises for bad content. The file is hashed before it is
    parsed, so if it changes meanwhile the recorded digest no longer matches and the next
    run sees the round as stale."""
    sub = Submission(file=readable_name(path.name), year=year)
    sub.digest = file_digest(path)
    if sub.digest is None:
        return _unreadable(sub, "không đọc được tệp")
    if sub.digest[0] > MAX_FILE_BYTES:
        return _unreadable(sub, f" (lớn hơn {MAX_FILE_BYTES // 2**20} MB)", "file_too_large")
    try:
        with open(path, "rb") as handle:
            head = handle.read(1 << 20)
        if _encrypted(head, path):
            return _unreadable(sub, "", "file_password")
        sheets = _Sheets(_open_book(path))
        sub.inspection = looks_like_inspection(path, sheets.book)
        located = locate_answers(sheets, rubric)
        if sub.inspection:  # its inspection-like rows (codes, values) are not answers
            located = {code: where for code, where in located.items()
                       if where[0] != INSPECTION_SHEET}
        sub.meta = {r[0]: r[1] for r in sheets.keys("_meta") if len(r) >= 2}
    except PasswordError:
        return _unreadable(sub, "", "file_password")
    except MemoryError:
        return _unreadable(sub, "", "file_too_large")
    except Exception as exc:  # calamine raises several types for broken files
        return _unreadable(sub, "tệp bị hỏng hoặc không phải bảng tính",
                           value=f"{type(exc).__name__}: {exc}"[:300])
    other = other_form(sub.meta, rubric, year)
    if other:  # its codes may ask other things than this year's rubric's same codes
        sub.readable = False
        sub.issues.append(make_issue("template_other_form", year=year, file=sub.file,
                                     value=other["form_year"], **other))
        return sub
    if not located and sub.inspection:  # a renamed inspection file: its issue says it
        sub.readable = False
        return sub
    if not located:
        return _unreadable(sub, "không tìm thấy mã mục nào của biểu mẫu báo cáo")
    blanks = {code: (sheet, cell_address(row, col))
              for code, (sheet, row, col) in located.items()
              if is_blank(_value_at(sheets.grid(sheet), row, col))}
    unsaved = unsaved_formulas(path, blanks) if blanks else set()
    rows: list[dict[str, Any]] = []
    for code, inp in rubric.inputs.items():
        if code in unsaved:
            sheet, cell = blanks[code]
            sub.issues.append(make_issue("formula_no_value", year=year, file=sub.file,
                                         sheet=sheet, cell=cell, what=_what(inp)))
            rows.append(_answer_row(sub, inp, "", _FORMULA_NO_VALUE, sheet, cell))
        elif code in located:
            sheet, row, col = located[code]
            raw = _value_at(sheets.grid(sheet), row, col)
            rows.append(_record(sub, inp, raw, sheet, cell_address(row, col)))
        else:
            sub.issues.append(make_issue("answer_not_found", year=year, file=sub.file,
                                         what=_what(inp)))
            rows.append(_answer_row(sub, inp, "", _NOT_FOUND, "", ""))
    sub.issues += check_limits(rows, rubric, year, sub.file)
    asked = _read_evidence(rows, sheets, located, rubric)
    sub.issues += evidence_issues(rows, rubric, year, sub.file, asked)
    sub.columns = answer_columns(rows)
    return sub


def other_form(meta: dict[str, str], rubric: Rubric, year: int) -> dict[str, str] | None:
    """Which form a template is when its hidden metadata (`_meta`: year, rubric) says it is
    not this round's (None when it is, or when it carries no metadata)."""
    form_year, form_rubric = meta.get("year", ""), meta.get("rubric", "")
    if form_year in ("", str(year)) and form_rubric in ("", rubric.id):
        return None
    return {"form_year": form_year or "?", "form_rubric": form_rubric or "?",
            "rubric": rubric.id}


_FORMULA_NO_VALUE = Parsed("invalid", problem=("formula_no_value", ""))
_NOT_FOUND = Parsed("invalid", problem=("answer_not_found", ""))


def _read_evidence(rows: list[dict[str, Any]], sheets: _Sheets, located: dict[str, Any],
                   rubric: Rubric) -> dict[str, tuple[str, str]]:
    """Fill each answer row's ``evidence`` from the cell beside it: the one ``_cells``
    declares when it is on the answer's row, else the “Tài liệu kiểm chứng” column of that
    row. Returns code → (sheet, cell) of the evidence cells found (empty for older
    templates)."""
    declared = {r[0]: r[3] for r in sheets.keys("_cells")[1:] if len(r) >= 4 and r[3]}
    asked = {}
    for answer in rows:
        inp = rubric.inputs[answer["code"]]
        if not inp.evidence or answer["code"] not in located:
            continue
        sheet, row, _ = located[answer["code"]]
        address = _parse_address(declared.get(answer["code"], ""))
        if address is None or address[0] != row:
            column = sheets.header_column(sheet, _EVIDENCE_HEADER, prefix=True)
            address = None if column is None else (row, column)
        if address is not None:
            raw = _value_at(sheets.grid(sheet), *address)
            answer["evidence"] = printable(clean(raw_text(raw))) or None
            asked[answer["code"]] = (sheet, cell_address(*address))
    return asked


def unreadable(file: str, year: int, code: str = "file_too_large", detail: str = "",
               value: str = "") -> Submission:
    """A submission that could not be read, with its one issue."""
    return _unreadable(Submission(file=file, year=year), detail, code, value)


def _unreadable(sub: Submission, detail: str, code: str = "file_unreadable",
                value: str = "") -> Submission:
    sub.readable = False
    sub.issues.append(make_issue(code, year=sub.year, file=sub.file, value=value,
                                 detail=detail))
    return sub


def _open_book(path: Path) -> CalamineWorkbook:
    """Open with calamine, which needs a UTF-8 path: a name that is not (bytes kept by
    the OS as surrogates) is read through a link with a plain name in a private folder."""
    try:
        str(path).encode("utf-8")
    except UnicodeEncodeError:
        suffix = path.suffix.lower() if path.suffix.isascii() else ""
        with tempfile.TemporaryDirectory(prefix="cntt-read-") as folder:
            link = Path(folder) / f"book{suffix}"
            link.symlink_to(path.resolve())
            book = CalamineWorkbook.from_path(str(link))
            book.sheet_names  # noqa: B018 - opened while the link exists
            return book
    return CalamineWorkbook.from_path(str(path))


def _encrypted(head: bytes, path: Path) -> bool:
    """An .xlsx saved with a password: an OLE container holding an encrypted package
    (calamine calls it "not a zip"); the directory naming it may come last."""
    if not head.startswith(_OLE_MAGIC) or path.suffix.lower() not in (".xlsx", ".xlsm"):
        return False
    return _ENCRYPTED_PACKAGE in path.read_bytes()  # at most MAX_FILE_BYTES


def unsaved_formulas(path: Path, cells: dict[str, tuple[str, str]]) -> set[str]:
    """Codes whose answer cell (sheet, A1) holds a formula with no stored result (a file
    written by a program that does not calculate); .xlsx/.xlsm only, bounded reads."""
    try:
        with zipfile.ZipFile(path) as archive:
            paths = _sheet_paths(archive)
            found = set()
            for sheet in {s for s, _ in cells.values()}:
                wanted = {c: code for code, (s, c) in cells.items() if s == sheet}
                if sheet in paths:
                    found |= {wanted[c] for c in _formula_cells(archive, paths[sheet],
                                                                 set(wanted))}
            return found
    except Exception:  # not a zip (xls, broken file): nothing to say about formulas
        return set()


def _sheet_paths(archive: zipfile.ZipFile) -> dict[str, str]:
    """Sheet name → its XML part, from the workbook and its relationships (remembered by
    the parts' checksums and sizes: alike in every copy of a template)."""
    parts = [archive.getinfo(name) for name in ("xl/workbook.xml", "xl/_rels/workbook.xml.rels")]
    key = tuple((info.CRC, info.file_size, info.compress_size) for info in parts)
    if key not in _SHEET_PATHS:
        if len(_SHEET_PATHS) >= 64:
            _SHEET_PATHS.clear()
        book, rels = (_small_part(archive, info) for info in parts)
        _SHEET_PATHS[key] = _parse_sheet_paths(book, rels)
    return _SHEET_PATHS[key]


_SHEET_PATHS: dict[tuple[tuple[int, int, int], ...], dict[str, str]] = {}


def _small_part(archive: zipfile.ZipFile, info: zipfile.ZipInfo) -> bytes:
    with archive.open(info) as handle:
        return handle.read(4 << 20)


def _parse_sheet_paths(book: bytes, rels_xml: bytes) -> dict[str, str]:
    import xml.etree.ElementTree as ET

    rels = {r.get("Id"): r.get("Target", "") for r in ET.fromstring(rels_xml) if r.get("Id")}
    paths = {}
    for sheet in ET.fromstring(book).iter():
        if sheet.tag.endswith("}sheet"):
            rid = next((v for k, v in sheet.attrib.items() if k.endswith("}id")), None)
            target = rels.get(rid, "")
            paths[clean(sheet.get("name", ""))] = target.lstrip("/") if target.startswith(
                "/") else f"xl/{target}"
    return paths


# A formula element, with or without a namespace prefix (<f>, <x:f t="shared"/>).
_FORMULA_TAG = re.compile(rb"<(?:[A-Za-z_][\w.-]*:)?f[\s/>]")
_FORMULA_SCAN = 4 << 20  # a sheet part this small is searched whole before it is parsed


def _formula_cells(archive: zipfile.ZipFile, part: str, cells: set[str]) -> set[str]:
    """Which of `cells` hold an <f> without a stored value, streaming the sheet up to the last
    wanted row (a sheet's XML may be very large). A sheet without any formula, as most
    are, is told by a search of its bytes, without parsing them."""
    import xml.etree.ElementTree as ET

    with archive.open(part) as handle:
        head = handle.read(_FORMULA_SCAN)
    if len(head) < _FORMULA_SCAN and not _FORMULA_TAG.search(head):
        return set()
    last_row = max(int(c.lstrip("ABCDEFGHIJKLMNOPQRSTUVWXYZ")) for c in cells)
    found, rows = set(), 0
    with archive.open(part) as handle:
        for _event, elem in ET.iterparse(handle, events=("end",)):
            tag = elem.tag.rsplit("}", 1)[-1]
            if tag == "c":
                ref = elem.get("r", "")
                if ref in cells:
                    kids = {k.tag.rsplit("}", 1)[-1]: k.text for k in elem}
                    if "f" in kids and not kids.get("v"):  # no <v> or an empty one
                        found.add(ref)
                elem.clear()
            elif tag == "row":
                rows += 1
                number = elem.get("r", "")
                elem.clear()
                if (int(number) if number.isdigit() else rows) >= last_row:
                    break
    return found


def _what(inp: Input) -> str:
    return f"mục {inp.code} “{clean(inp.label)}”"


def _answer_row(sub: Submission, inp: Input, raw: object, parsed: Parsed, sheet: str,
                cell: str) -> dict[str, Any]:
    return {"year": sub.year, "unit_id": None, "code": inp.code, "raw_value": raw_text(raw),
            "value": parsed.value, "number": parsed.number, "status": parsed.status,
            "problem": parsed.problem[0] if parsed.problem else None,
            "file": sub.file, "sheet": sheet, "cell": cell, "evidence": None}


# (id of the input, type, value) → (the input, `parse_answer`'s result): answers repeat
# from one workbook to the next (“Có”, 2017, small counts). The input is kept with its
# result, so that an id reused by another input after the first is gone never matches.
_PARSED: dict[tuple[int, type, object], tuple[Input, Parsed]] = {}
_PARSED_MAX = 50_000


def _parse(raw: object, inp: Input) -> Parsed:
    """`parse_answer`, memoised for short texts, numbers and dates."""
    kind = raw.__class__
    if kind is str and len(raw) >= _MEMO_LENGTH:  # type: ignore[arg-type]
        return parse_answer(raw, inp)
    key = (id(inp), kind, repr(raw) if kind is float else raw)  # repr: -0.0 is not 0.0
    known = _PARSED.get(key)
    if known is not None and known[0] is inp:
        return known[1]
    if len(_PARSED) >= _PARSED_MAX:
        _PARSED.clear()
    parsed = _PARSED[key] = inp, parse_answer(raw, inp)
    return parsed[1]


def _record(sub: Submission, inp: Input, raw: object, sheet: str, cell: str
            ) -> dict[str, Any]:
    """The answer row of one cell, and its issue (added to `sub`) when it is invalid."""
    parsed = _parse(raw, inp)
    if parsed.problem:
        code, expected = parsed.problem
        sub.issues.append(make_issue(code, year=sub.year, file=sub.file, sheet=sheet, cell=cell,
                                     value=raw_text(raw), what=_what(inp), expected=expected))
    return _answer_row(sub, inp, raw, parsed, sheet, cell)


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
                     progress: bool | None = None, workers: int | None = None,
                     stop: threading.Event | None = None) -> list[Submission]:
    """Read many workbooks, with a progress bar on a terminal. Each file is read in a
    worker process with a memory and time limit (`intake.sandbox`), so a file that
    exhausts either becomes an issue instead of stopping the round; ``workers=0`` reads
    in this process (tests, tools that read a trusted file). Repeated answer values are
    shared between the submissions as they arrive (`share_strings`). Setting `stop` (from
    another thread) ends the reading (`sandbox.Cancelled`)."""
    from tqdm import tqdm

    show = sys.stderr.isatty() if progress is None else progress
    bar = tqdm(total=len(paths), desc="Đọc bài nộp", unit="tệp",
               disable=not show or len(paths) < 2)
    shared: dict[Any, Any] = {}
    with bar:
        if workers == 0:
            subs = []
            for path in paths:
                subs.append(share_strings(read_submission(path, rubric, year), shared))
                bar.update()
            return subs
        read = partial(read_submission, rubric=rubric, year=year)
        return map_isolated(read, paths, partial(_lost, year=year), workers=workers,
                            advance=bar.update, receive=partial(share_strings, shared=shared),
                            stop=stop)


_LOST = {"memory": " (vượt giới hạn bộ nhớ khi đọc)",
         "time": f" (đọc quá {TIME_LIMIT:g} giây)", "crash": ""}


def _lost(path: Path, reason: str, year: int) -> Submission:
    """What a file whose reader died or ran out of time or memory becomes."""
    sub = unreadable(readable_name(path.name), year, "file_too_large", _LOST[reason])
    sub.digest = file_digest(path)
    return sub


def answers_frame(rows: list[dict[str, Any]]) -> pd.DataFrame:
    """Answer rows (dicts with ANSWER_COLUMNS) as the answers table."""
    return _frame({name: [row.get(name) for row in rows] for name in ANSWER_COLUMNS})


def submissions_frame(subs: Iterable[Submission], by_code: bool = False) -> pd.DataFrame:
    """The answers table of submissions, built column by column from their stored
    columns (no row dicts: a round may hold a million answers): submission by submission,
    each one's answers in the order read or, `by_code`, by answer code (so that one
    submission per unit, given by unit, makes a table sorted by unit and code, without
    sorting a million rows)."""
    subs = [s for s in subs if len(s)]
    if by_code:
        subs = [_by_code(s) for s in subs]
    lengths = [len(s) for s in subs]
    data: dict[str, list[Any]] = {
        "year": list(chain.from_iterable(repeat(s.year, n) for s, n in zip(subs, lengths))),
        "unit_id": list(chain.from_iterable(repeat(s.unit_id, n)
                                            for s, n in zip(subs, lengths))),
        "file": list(chain.from_iterable(repeat(s.file, n) for s, n in zip(subs, lengths)))}
    for i, name in enumerate(ANSWER_FIELDS):
        data[name] = list(chain.from_iterable(s.columns[i] for s in subs))
    return _frame(data)


def _by_code(sub: Submission) -> Submission:
    """A copy of `sub` whose answers are in code order."""
    codes = sub.columns[0]
    order = _CODE_ORDERS.get(codes)
    if order is None:
        if len(_CODE_ORDERS) > 100:
            _CODE_ORDERS.clear()
        ranks = sorted(range(len(codes)), key=codes.__getitem__)
        order = _CODE_ORDERS[codes] = lambda column: tuple(column[i] for i in ranks) \
            if len(ranks) < 2 else itemgetter(*ranks)(column)
    copy = Submission(sub.file, sub.year, unit_id=sub.unit_id)
    copy.columns = tuple(order(column) for column in sub.columns)
    return copy


# An answer-code column (as read, shared by most submissions) → what puts a column in code
# order.
_CODE_ORDERS: dict[tuple[Any, ...], Callable[[tuple[Any, ...]], tuple[Any, ...]]] = {}


def _frame(data: dict[str, list[Any]]) -> pd.DataFrame:
    """The answers table from its columns: text columns stay Python objects (shared, not
    copied into another string type), numbers float."""
    import pandas as pd

    return pd.DataFrame({name: pd.Series(data[name], dtype="int64") if name == "year" else
                         pd.Series(data[name], dtype="float64") if name == "number" else
                         _objects(data[name]) for name in ANSWER_COLUMNS})


def _objects(values: list[Any]) -> pd.Series:
    """A column of Python objects; missing text is NaN, as pandas reads it back from
    Parquet (a column without any text keeps its None)."""
    import numpy as np
    import pandas as pd

    column = pd.Series(values, dtype=object)
    if None in values and any(v.__class__ is str for v in values):
        column[column.isna()] = np.nan
    return column
