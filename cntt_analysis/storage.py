"""Writing outputs atomically and reproducibly (same inputs → same bytes).

Every file is written to a temporary sibling and moved into place, so a reader never sees
a half-written file; workbook archives get fixed timestamps so re-runs are byte-identical.
"""

from __future__ import annotations

import io
import os
import re
import tempfile
import zipfile
from pathlib import Path
from typing import Any

import pandas as pd
from openpyxl import Workbook
from openpyxl.cell import Cell
from openpyxl.styles import Border
from openpyxl.worksheet.worksheet import Worksheet

from cntt_analysis.text import printable

FIXED_ZIP_TIME = (2000, 1, 1, 0, 0, 0)
_MODIFIED = re.compile(rb"<dcterms:modified([^>]*)>[^<]*</dcterms:modified>")
_CREATED = re.compile(rb"<dcterms:created([^>]*)>[^<]*</dcterms:created>")
FIXED_STAMP = b"2000-01-01T00:00:00Z"


def write_bytes(data: bytes, path: str | Path) -> Path:
    """Write `data` to `path` atomically (temp file in the same folder, then rename)."""
    path = Path(path)
    path.parent.mkdir(parents=True, exist_ok=True)
    fd, tmp = tempfile.mkstemp(prefix=f".{path.name}.", suffix=".tmp", dir=path.parent)
    try:
        with os.fdopen(fd, "wb") as handle:
            handle.write(data)
            handle.flush()
            os.fsync(handle.fileno())
        os.chmod(tmp, 0o644)
        os.replace(tmp, path)
    except BaseException:
        Path(tmp).unlink(missing_ok=True)
        raise
    return path


def write_text(text: str, path: str | Path) -> Path:
    return write_bytes(text.encode("utf-8"), path)


def stable_zip(data: bytes) -> bytes:
    """Re-pack an Office archive with fixed entry times and document dates."""
    out = io.BytesIO()
    with zipfile.ZipFile(io.BytesIO(data)) as src, \
            zipfile.ZipFile(out, "w", zipfile.ZIP_DEFLATED) as dst:
        for item in src.infolist():
            content = src.read(item.filename)
            if item.filename == "docProps/core.xml":
                content = _MODIFIED.sub(rb"<dcterms:modified\1>" + FIXED_STAMP
                                        + b"</dcterms:modified>", content)
                content = _CREATED.sub(rb"<dcterms:created\1>" + FIXED_STAMP
                                       + b"</dcterms:created>", content)
            info = zipfile.ZipInfo(item.filename, date_time=FIXED_ZIP_TIME)
            info.compress_type = zipfile.ZIP_DEFLATED
            info.external_attr = 0o644 << 16
            dst.writestr(info, content)
    return out.getvalue()


def workbook_bytes(wb: Workbook) -> bytes:
    buffer = io.BytesIO()
    wb.save(buffer)
    return stable_zip(buffer.getvalue())


def write_workbook(wb: Workbook, path: str | Path) -> Path:
    """Save an openpyxl workbook atomically, byte-identical for identical content."""
    return write_bytes(workbook_bytes(wb), path)


def write_parquet(frame: pd.DataFrame, path: str | Path) -> Path:
    """Save a DataFrame as Parquet atomically (no index, deterministic metadata)."""
    buffer = io.BytesIO()
    frame.reset_index(drop=True).to_parquet(buffer, index=False, engine="pyarrow",
                                            compression="zstd")
    return write_bytes(buffer.getvalue(), path)

def put(ws: Worksheet, row: int, col: int, value: Any, fmt: str | None = None,
        border: Border | None = None) -> Cell:
    """Write one value; text is always stored as text, never as a formula."""
    if value is None or (not isinstance(value, str) and pd.isna(value)):
        value = None
    elif hasattr(value, "item"):
        value = value.item()
    cell = ws.cell(row=row, column=col)
    if isinstance(value, str):
        cell.value = printable(value)
        cell.data_type = "s"
    else:
        cell.value = value
    if fmt:
        cell.number_format = fmt
    if border is not None:
        cell.border = border
    return cell
