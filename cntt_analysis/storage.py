"""Writing outputs atomically and reproducibly (same inputs → same bytes).

Every file is written to a temporary sibling and moved into place, so a reader never sees
a half-written file; workbook archives get fixed timestamps so re-runs are byte-identical.
"""

from __future__ import annotations

import contextlib
import ctypes
import hashlib
import io
import os
import re
import shutil
import tempfile
import threading
import time
import zipfile
from collections.abc import Iterator
from contextlib import contextmanager
from pathlib import Path
from typing import TYPE_CHECKING, Any, BinaryIO

from cntt_analysis.errors import DiskError, UsageError
from cntt_analysis.text import printable, readable_name

if TYPE_CHECKING:  # pandas and openpyxl are loaded by the writers that need them: telling
    # that nothing changed (`cntt score`, `cntt report`) needs neither
    import pandas as pd
    from openpyxl import Workbook
    from openpyxl.cell import Cell
    from openpyxl.styles import Border
    from openpyxl.worksheet.worksheet import Worksheet

FIXED_ZIP_TIME = (2000, 1, 1, 0, 0, 0)
_MODIFIED = re.compile(rb"<dcterms:modified([^>]*)>[^<]*</dcterms:modified>")
_CREATED = re.compile(rb"<dcterms:created([^>]*)>[^<]*</dcterms:created>")
FIXED_STAMP = b"2000-01-01T00:00:00Z"


def safe_child(folder: str | Path, name: str) -> Path:
    """``folder / name`` for a `name` built from data (a unit id, a file name), refusing
    any name that would leave `folder` or make a sub-folder."""
    folder = Path(folder)
    bad = (not name or name in (".", "..") or any(c in name for c in "/\\\0")
           or Path(name).is_absolute() or Path(name).name != name)
    if not bad:
        child = folder / name
        base = folder.resolve()
        bad = child.resolve().parent != base and not (child.is_symlink() and
                                                     child.parent.resolve() == base)
    if bad:
        raise UsageError(f"Tên “{readable_name(name)}” không dùng được làm tên tệp trong thư mục "
                         f"{folder}: tên có dấu “/” hoặc “..” sẽ ghi ra ngoài thư mục.")
    return folder / name


# A published folder `name` is a symbolic link to its current set `.name.<content hash>`,
# built beside it in `.name.staging-<pid>-*` and swapped in by replacing the link in one
# rename: readers see the old set or the new one, never a mix, and `name` never vanishes.
SET_GRACE = 600.0  # seconds an old set is left for readers that may still be in it


def staging_folder(final: str | Path) -> Path:
    """A private folder beside `final` to build its next set in (stale ones, left by
    killed runs, are removed first)."""
    final = Path(final)
    final.parent.mkdir(parents=True, exist_ok=True)
    _sweep(final, keep=None)
    return Path(tempfile.mkdtemp(prefix=f".{final.name}.staging-{os.getpid()}-",
                                 dir=final.parent))


def publish_folder(stage: str | Path, final: str | Path) -> Path:
    """Make the complete folder `stage` the content of `final`, atomically."""
    stage, final = Path(stage), Path(final)
    digest = _tree_digest(stage)[:16]
    target = final.parent / f".{final.name}.{digest}"
    if target.is_dir() and _tree_digest(target)[:16] == digest:  # already published, intact
        shutil.rmtree(stage)
    else:
        if os.path.lexists(target):  # same name, other content (a file removed by hand)
            target = target.with_name(f"{target.name}-{os.getpid()}-{time.monotonic_ns()}")
        os.rename(stage, target)
    previous = os.readlink(final) if final.is_symlink() else None
    link = final.parent / f".{final.name}.link-{os.getpid()}-{time.monotonic_ns()}"
    try:
        os.symlink(target.name, link)
    except OSError:  # no symbolic links here (Windows without the right): plain renames
        _replace_folder(target, final, exchange=False)
        return final
    try:
        if final.is_symlink() or not os.path.lexists(final):
            os.replace(link, final)
        else:  # a plain folder written by an older version
            _replace_folder(link, final)
    finally:
        if os.path.lexists(link):
            shutil.rmtree(link) if not link.is_symlink() else link.unlink()
    if previous and previous != target.name and "/" not in previous:
        shutil.rmtree(final.parent / previous, ignore_errors=True)
    _sweep(final, keep=target.name)
    return final


def file_sha256(path: str | Path) -> str:
    """SHA-256 of a file's bytes, read a MiB at a time (a country's points CSV is ~160 MB:
    read whole, it was the peak of `cntt score`)."""
    digest = hashlib.sha256()
    with open(path, "rb") as handle:
        while chunk := handle.read(1 << 20):
            digest.update(chunk)
    return digest.hexdigest()


def _tree_digest(folder: Path) -> str:
    digest = hashlib.sha256()
    for path in sorted(p for p in folder.rglob("*") if p.is_file()):
        digest.update(str(path.relative_to(folder)).encode("utf-8", "surrogateescape"))
        digest.update(bytes.fromhex(file_sha256(path)))
    return digest.hexdigest()


def _replace_folder(link: Path, final: Path, exchange: bool = True) -> None:
    """Put `link` (a symbolic link, or a folder) where the folder `final` is: one atomic
    exchange on Linux (renameat2), else two renames (`final` briefly missing)."""
    try:
        libc = ctypes.CDLL(None, use_errno=True)
        at_fdcwd, rename_exchange = -100, 2
        if exchange and libc.renameat2(at_fdcwd, os.fsencode(link), at_fdcwd,
                                       os.fsencode(final), rename_exchange) == 0:
            return  # `link` now names the old folder; the caller removes it
    except (OSError, AttributeError, TypeError):
        pass
    old = final.parent / f".{final.name}.old-{os.getpid()}-{time.monotonic_ns()}"
    if os.path.lexists(final):
        os.rename(final, old)
    os.replace(link, final)
    _remove(old)


def _sweep(final: Path, keep: str | None) -> None:
    """Remove what killed runs left beside `final` (staging folders of processes that are
    gone) and old sets no reader can still be in."""
    current = os.readlink(final) if final.is_symlink() else None
    prefix = f".{final.name}."
    for entry in final.parent.iterdir():
        rest = entry.name[len(prefix):]
        if not entry.name.startswith(prefix) or entry.name in (keep, current):
            continue
        if rest.startswith(("staging-", "link-", "old-")):
            pid = rest.split("-")[1]
            if pid.isdigit() and not process_alive(int(pid)):
                _remove(entry)
        elif re.fullmatch(r"[0-9a-f]{16}(-\d+-\d+)?", rest) and keep is not None:
            try:
                if time.time() - entry.stat().st_mtime > SET_GRACE:
                    _remove(entry)
            except FileNotFoundError:
                pass


def _remove(entry: Path) -> None:
    if entry.is_symlink() or not entry.is_dir():
        entry.unlink(missing_ok=True)
    else:
        shutil.rmtree(entry, ignore_errors=True)


def process_alive(pid: int) -> bool:
    """Whether process `pid` still runs (its staging folder is then not stale)."""
    try:
        os.kill(pid, 0)
    except ProcessLookupError:
        return False
    except PermissionError:
        return True
    return True


def link_or_copy(src: Path, dst: Path) -> None:
    """Put a published file into a new build: a hard link (published files are only ever
    replaced, never changed in place), else a copy."""
    dst.parent.mkdir(parents=True, exist_ok=True)
    try:
        os.link(src, dst)
    except OSError:
        shutil.copy2(src, dst)


def write_bytes(data: bytes, path: str | Path) -> Path:
    """Write `data` to `path` atomically (temp file in the same folder, then rename). A
    full or read-only disk is a DiskError naming the folder; `path` is left as it was."""
    with atomic_file(path) as handle:
        handle.write(data)
    return Path(path)


@contextmanager
def atomic_file(path: str | Path) -> Iterator[BinaryIO]:
    """A binary file to write `path` through, piece by piece (a large output is never
    held whole in memory), moved into place when the block ends well; as `write_bytes`:
    a reader never sees it half-written, a failure leaves `path` as it was, a full or
    read-only disk is a DiskError naming the folder."""
    path = Path(path)
    try:
        path.parent.mkdir(parents=True, exist_ok=True)
        fd, tmp = tempfile.mkstemp(prefix=f".{path.name}.", suffix=".tmp", dir=path.parent)
    except OSError as exc:
        _raise_disk_error(exc, path)
        raise
    try:
        with os.fdopen(fd, "wb") as handle:
            yield handle
            handle.flush()
            os.fsync(handle.fileno())
        os.chmod(tmp, 0o644)
        os.replace(tmp, path)
    except OSError as exc:
        Path(tmp).unlink(missing_ok=True)
        _raise_disk_error(exc, path)
        raise
    except BaseException:
        Path(tmp).unlink(missing_ok=True)
        raise


def _raise_disk_error(exc: OSError, path: Path) -> None:
    """Raise the DiskError `exc` is (a full or read-only disk); return if it is not one."""
    disk = DiskError.of(exc, path)
    if disk is not None and disk is not exc:
        raise disk from exc


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


_SWAPPING = threading.RLock()


@contextmanager
def swapped(owner: Any, name: str, value: Any) -> Iterator[None]:
    """Within the block, `owner`'s attribute `name` is `value`; after it, what was found.

    For what a library takes from its module when it writes an archive and offers no
    option for (python-docx's compression, XlsxWriter's ZipFile): one swap at a time in
    the process (a lock), so two threads never restore each other's value."""
    with _SWAPPING:
        before = getattr(owner, name)
        setattr(owner, name, value)
        try:
            yield
        finally:
            setattr(owner, name, before)


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
    import pandas as pd

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


def remove_unused_files(folder: str | Path, pattern: str, unused_since: float) -> None:
    """Remove the files of `folder` matching `pattern` not modified since `unused_since`
    (a time stamp): a cache whose users touch what they use (the charts' images)."""
    for path in Path(folder).glob(pattern):
        with contextlib.suppress(OSError):
            if path.stat().st_mtime < unused_since:
                path.unlink()
