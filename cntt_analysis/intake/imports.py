"""Figures a system supplies (``source: system`` in the rubric): read from the system's
export — a CSV or a workbook in the round folder — declared in round.yaml::

    imports:
      dvc:                                  # a name, used in messages
        file: dvc-2025.csv                  # in the round folder: .csv, .xlsx, .xls or .ods
        sheet: Hồ sơ                        # optional, a workbook's sheet (default: the first)
        unit_column: Mã đơn vị              # header of the column naming the unit
        columns:                            # rubric input code: header of its column
          P3.1a: Số hồ sơ nộp trực tuyến

The unit column holds each unit's id or its name as units.csv writes it (names and aliases
match as typed names do: case, diacritics, "TN&MT" …). The header row is found among the
first rows (titles above it are skipped); headers match ignoring case, diacritics and
spaces. A CSV as Vietnamese Excel saves it is read: UTF-8 with or without BOM (or
Windows-1258), separated by ";" or ",", numbers with a decimal comma and dot thousands.

Nothing is silent: a missing file or column, a row naming a unit that is not in the round,
a unit twice, a value that is not what the input expects — each is an issue naming the
file, the row and the column (cell as a spreadsheet shows it, e.g. D7).
"""

from __future__ import annotations

import csv
import functools
import io
import unicodedata
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

import pandas as pd

from cntt_analysis.errors import UsageError
from cntt_analysis.intake.issues import make_issue
from cntt_analysis.intake.registry import match_unit, name_index
from cntt_analysis.intake.values import parse_answer
from cntt_analysis.intake.workbook import cell_address, raw_text
from cntt_analysis.rubric.model import Rubric
from cntt_analysis.text import clean, fold, shorten

IMPORT_SUFFIXES = (".csv", ".xlsx", ".xlsm", ".xls", ".ods")
KEYS = {"file", "sheet", "unit_column", "columns"}
# The header row is looked for among the first rows of the export.
HEADER_SEARCH = 30
# An export larger than this is not a system export of unit figures (a wrong file).
MAX_BYTES = 50 * 1024 * 1024
SYSTEM = "system"


@dataclass(frozen=True)
class Import:
    """One export declared in round.yaml's ``imports``."""

    name: str
    file: str
    unit_column: str
    columns: dict[str, str] = field(default_factory=dict)  # input code → column header
    sheet: str = ""


def parse_imports(raw: Any, config_path: Path, rubric: Rubric) -> tuple[Import, ...]:
    """round.yaml's ``imports``, checked: each a mapping with `file` (a plain relative path
    inside the round folder, a CSV or workbook), `unit_column`, `columns` (codes of the
    rubric's ``source: system`` inputs → headers, each code in one import only) and an
    optional `sheet`. Errors name round.yaml and the key, in Vietnamese."""
    if raw is None:
        return ()

    def where(*keys: object) -> str:
        return f"{config_path}: mục '{'.'.join(['imports', *map(str, keys)])}'"

    example = ("imports: {dvc: {file: dvc.csv, unit_column: Mã đơn vị, columns: "
               "{P3.1a: Số hồ sơ nộp trực tuyến}}}")
    if not isinstance(raw, dict):
        raise UsageError(f"{where()} phải là bảng tên → cách đọc tệp xuất (ví dụ {example}).")
    seen: dict[str, str] = {}
    out = []
    for name, spec in raw.items():
        if not isinstance(spec, dict):
            raise UsageError(f"{where(name)} phải là bảng có file, unit_column và columns (ví "
                             f"dụ {example}).")
        unknown = sorted(set(map(str, spec)) - KEYS)
        if unknown:
            raise UsageError(f"{where(name)} có khóa không hợp lệ: {', '.join(unknown)} (cho "
                             f"phép: {', '.join(sorted(KEYS))}).")
        file = _relative_file(spec.get("file"), where(name, "file"), config_path.parent)
        unit_column = spec.get("unit_column")
        if not isinstance(unit_column, str) or not clean(unit_column):
            raise UsageError(f"{where(name, 'unit_column')} phải là tên cột ghi mã hoặc tên đơn vị "
                             "(ví dụ unit_column: Mã đơn vị).")
        sheet = spec.get("sheet", "")
        if not isinstance(sheet, str):
            raise UsageError(f"{where(name, 'sheet')} phải là tên trang tính.")
        columns = spec.get("columns")
        if not isinstance(columns, dict) or not columns:
            raise UsageError(f"{where(name, 'columns')} phải là bảng mã mục → tên cột (ví dụ "
                             "columns: {P3.1a: Số hồ sơ nộp trực tuyến}).")
        for code, header in columns.items():
            inp = rubric.inputs.get(str(code))
            if inp is None:
                raise UsageError(f"{where(name, 'columns')}: mục “{code}” không có trong "
                                 f"phiếu đánh giá {rubric.source or rubric.id}.")
            if inp.source != SYSTEM:
                raise UsageError(f"{where(name, 'columns')}: mục {code} không phải số liệu "
                                 "lấy từ hệ thống (trong phiếu đánh giá cần 'source: "
                                 "system'); chỉ số liệu lấy từ hệ thống mới đọc từ tệp xuất.")
            if not isinstance(header, str) or not clean(header):
                raise UsageError(f"{where(name, 'columns', code)} phải là tên cột trong tệp xuất.")
            if str(code) in seen:
                raise UsageError(f"{where(name, 'columns')}: mục {code} đã đọc từ tệp xuất "
                                 f"'{seen[str(code)]}'; mỗi mục chỉ lấy từ một tệp.")
            seen[str(code)] = str(name)
        out.append(Import(name=str(name), file=file, unit_column=clean(unit_column),
                          columns={str(c): clean(h) for c, h in columns.items()},
                          sheet=clean(sheet)))
    return tuple(out)


def _relative_file(value: Any, key: str, folder: Path) -> str:
    """A file name or relative path that stays inside `folder` (no absolute path, no
    ".."), with a suffix the reader knows. (A link leading out is refused when the file is
    read: an issue, the round goes on.)"""
    if not isinstance(value, str) or not value.strip():
        raise UsageError(f"{key} phải là tên tệp xuất trong thư mục đợt đánh giá (ví dụ "
                         "file: dvc-2025.csv).")
    path = Path(value.strip())
    if path.is_absolute() or ".." in path.parts:
        raise UsageError(f"{key}: “{shorten(value, 80)}” phải nằm trong thư mục đợt đánh giá "
                         f"({folder}); ghi tên tệp, không ghi đường dẫn tuyệt đối hay “..”.")
    if path.suffix.lower() not in IMPORT_SUFFIXES:
        raise UsageError(f"{key}: “{shorten(value, 80)}” không phải tệp CSV hay bảng tính "
                         f"({', '.join(IMPORT_SUFFIXES)}).")
    return path.as_posix()


# ----------------------------------------------------------------------------- reading


def read_table(path: Path, sheet: str = "") -> tuple[str, list[list[Any]]]:
    """(sheet name, rows) of an export: a CSV decoded and split as Vietnamese Excel writes
    it, or a workbook's sheet (read in an isolated worker: a hostile file cannot stop the
    round). Raises ValueError with a Vietnamese reason when the file cannot be read."""
    if path.stat().st_size > MAX_BYTES:
        raise ValueError(f"tệp lớn hơn {MAX_BYTES // (1024 * 1024)} MB, không phải tệp xuất "
                         "số liệu của các đơn vị")
    if path.suffix.lower() == ".csv":
        return "", _csv_rows(path.read_bytes())
    from cntt_analysis.intake.sandbox import map_isolated

    found = map_isolated(functools.partial(_sheet_rows, sheet=sheet), [path],
                         lambda _p, why: ("", f"!{why}"), workers=1)[0]
    name, rows = found
    if isinstance(rows, str):
        reason = rows[1:]
        if reason.startswith("sheet:"):
            raise ValueError(f"không có trang “{sheet}” (các trang: {reason[6:]})")
        raise ValueError("tệp bị hỏng hoặc không phải bảng tính")
    return name, rows


def _sheet_rows(path: Path, sheet: str = "") -> tuple[str, list[list[Any]] | str]:
    """Worker side of `read_table` for workbooks (errors as "!reason" strings)."""
    from python_calamine import CalamineWorkbook

    try:
        book = CalamineWorkbook.from_path(str(path))
    except Exception:  # unreadable: said by the caller
        return "", "!broken"
    names = book.sheet_names
    wanted = next((n for n in names if fold(n) == fold(sheet)), None) if sheet else names[0]
    if wanted is None:
        return "", "!sheet:" + ", ".join(names)
    try:
        return wanted, book.get_sheet_by_name(wanted).to_python(skip_empty_area=False)
    except Exception:
        return "", "!broken"


def _csv_rows(data: bytes) -> list[list[Any]]:
    """Rows of a CSV: UTF-8 (with or without BOM) else Windows-1258, the separator (";"
    as Vietnamese Excel writes, "," or tab) taken from the first lines."""
    try:
        text = data.decode("utf-8-sig")
    except UnicodeDecodeError:
        try:
            text = data.decode("cp1258")
        except UnicodeDecodeError:
            raise ValueError("tệp không phải văn bản UTF-8 hay Windows-1258") from None
    head = "\n".join(text.splitlines()[:HEADER_SEARCH])
    counts = {sep: head.count(sep) for sep in (";", ",", "\t")}
    separator = max(counts, key=lambda s: counts[s]) if any(counts.values()) else ","
    # Windows-1258 writes tone marks as combining characters: compose them (NFC).
    text = unicodedata.normalize("NFC", text)
    return [list(row) for row in csv.reader(io.StringIO(text, newline=""),
                                            delimiter=separator)]


def _header(rows: list[list[Any]], spec: Import) -> tuple[int, dict[str, int]] | None:
    """(row index, folded header → column) of the first row holding the unit column."""
    wanted = fold(spec.unit_column)
    for r, row in enumerate(rows[:HEADER_SEARCH]):
        cells = {fold(str(v)): c for c, v in enumerate(row)
                 if isinstance(v, str) and v.strip()}
        if wanted in cells:
            return r, cells
    return None


def read_import(spec: Import, folder: Path, rubric: Rubric, registry: pd.DataFrame,
                year: int, asked: dict[str, set[str]]
                ) -> tuple[list[dict[str, Any]], list[dict[str, Any]]]:
    """(answer rows, issues) of one export.

    `registry` is the round's units (ids, names, aliases); `asked` maps each scored unit to
    the ``source: system`` codes it is assessed on — only those become answers (a unit the
    indicator does not apply to may be in the export: its figure is not used). Answer rows
    have the answers table's columns, ``input_source`` "system", and the export's file,
    sheet and cell as provenance."""
    path = folder / spec.file
    where: dict[str, Any] = {"year": year, "file": spec.file}
    if not path.is_file():
        return [], [make_issue("import_file_missing", **where, name=spec.name)]
    if not path.resolve().is_relative_to(folder.resolve()):  # a link leading out
        return [], [make_issue("import_unreadable", **where,
                               detail="tệp là liên kết ra ngoài thư mục đợt đánh giá")]
    try:
        sheet, rows = read_table(path, spec.sheet)
    except (ValueError, OSError) as exc:
        reason = str(exc) if isinstance(exc, ValueError) else "không đọc được tệp"
        return [], [make_issue("import_unreadable", **where, detail=reason)]
    where["sheet"] = sheet
    found = _header(rows, spec)
    if found is None:
        return [], [make_issue("import_columns", **where, cell="A1",
                               columns=f"“{spec.unit_column}” (unit_column)")]
    top, headers = found
    missing = [f"“{h}” ({c})" for c, h in spec.columns.items() if fold(h) not in headers]
    issues = []
    if missing:
        issues.append(make_issue("import_columns", **where, cell=f"A{top + 1}",
                                 columns=", ".join(missing)))
    unit_at = headers[fold(spec.unit_column)]
    columns = {c: headers[fold(h)] for c, h in spec.columns.items() if fold(h) in headers}
    ids = set(registry["unit_id"])
    index = name_index(registry)
    seen: dict[str, list[int]] = {}
    for r, row in enumerate(rows[top + 1:], start=top + 2):
        cells = [v for v in row if raw_text(v).strip()]
        if not cells:
            continue
        # a numeric id read from a workbook is a float (101.0): shown as typed (101)
        typed = clean(raw_text(row[unit_at])) if unit_at < len(row) else ""
        unit = typed if typed in ids else match_unit(typed, index)
        cell = cell_address(r - 1, unit_at)
        if unit is None:
            issues.append(make_issue("import_unit_unknown", **where, cell=cell, value=typed,
                                     column=spec.unit_column))
            continue
        seen.setdefault(unit, []).append(r)
    rows_of = {u: lines for u, lines in seen.items() if len(lines) == 1}
    for unit, lines in seen.items():
        if len(lines) > 1:
            issues.append(make_issue("import_unit_twice", **where, unit_id=unit,
                                     cell=cell_address(lines[1] - 1, unit_at),
                                     value=unit, lines=", ".join(map(str, lines))))
    answers = []
    for unit, (line,) in sorted(rows_of.items()):
        row = rows[line - 1]
        for code, at in columns.items():
            if code not in asked.get(unit, set()):
                continue
            inp = rubric.inputs[code]
            raw = row[at] if at < len(row) else None
            raw = raw.strip() if isinstance(raw, str) else raw
            parsed = parse_answer(raw, inp)
            cell = cell_address(line - 1, at)
            problem = parsed.problem[0] if parsed.problem else None
            if parsed.status == "invalid" and problem != "required":
                issues.append(make_issue(
                    "import_invalid", **where, cell=cell, unit_id=unit, value=str(raw),
                    what=f"mục {code} “{clean(inp.label)}” (cột “{spec.columns[code]}”)",
                    expected=parsed.problem[1] if parsed.problem else ""))
            if parsed.status in ("empty",) or problem == "required":
                continue  # a blank figure is missing: said once, by `missing_issues`
            answers.append({"year": year, "unit_id": unit, "code": code,
                            "raw_value": "" if raw is None else str(raw),
                            "value": parsed.value, "number": parsed.number,
                            "status": parsed.status, "problem": problem, "file": spec.file,
                            "sheet": sheet, "cell": cell, "evidence": None,
                            "input_source": SYSTEM})
    return answers, issues


def read_imports(imports: tuple[Import, ...], folder: Path, rubric: Rubric,
                 registry: pd.DataFrame, year: int, asked: dict[str, set[str]]
                 ) -> tuple[list[dict[str, Any]], list[dict[str, Any]]]:
    """Every export of the round: (answer rows, issues)."""
    answers: list[dict[str, Any]] = []
    issues: list[dict[str, Any]] = []
    for spec in imports:
        rows, found = read_import(spec, folder, rubric, registry, year, asked)
        answers += rows
        issues += found
    return answers, issues
