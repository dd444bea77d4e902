"""Hostile and damaged workbooks, made by the tests themselves (no binary fixtures), and a
way to run `cntt score` in a child process and measure its peak memory.

Used by test_hostile.py (one case per known failure) and test_fuzz.py (seeded mutations).
"""

from __future__ import annotations

import functools
import io
import os
import shutil
import struct
import subprocess
import sys
import tempfile
import time
import zipfile
from dataclasses import dataclass
from pathlib import Path

# The budget of the issue: no single file takes `cntt score` past 512 MB, counting the
# command and every process it starts (its reading workers) together.
MEMORY_BUDGET_KB = 512 * 1024


@dataclass
class Run:
    code: int
    peak_kb: int  # peak resident memory of `cntt score` and its workers, summed
    out: str
    err: str
    seconds: float


def tree_rss_kb(root: int, own: bool = True) -> int:
    """Resident memory (VmRSS) of process `root` (unless `own` is false) and all its
    descendants, summed, in KB. Pages a parent shares with a forked child count twice, as
    they do in the kernel's own per-process figures: an upper bound."""
    children: dict[int, list[int]] = {}
    for entry in os.scandir("/proc"):
        if entry.name.isdigit():
            try:
                with open(f"/proc/{entry.name}/stat", "rb") as handle:
                    ppid = int(handle.read().rsplit(b")", 1)[1].split()[1])
            except (OSError, ValueError, IndexError):
                continue
            children.setdefault(ppid, []).append(int(entry.name))
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


# A small launcher between the test and the measured command: a process forked from the
# (large) test process inherits its peak in the kernel's accounting; one forked from the
# launcher does not, so the launcher's RUSAGE_CHILDREN is the command's own largest process.
_LAUNCH = """
import resource, subprocess, sys
code = subprocess.run(sys.argv[1:]).returncode
print(resource.getrusage(resource.RUSAGE_CHILDREN).ru_maxrss, file=sys.stderr)
sys.exit(code)
"""


def run_measured(command: list[str], env: dict[str, str] | None = None,
                 timeout: float = 600, interval: float = 0.01) -> Run:
    """Run `command`, sampling the resident memory of its process tree every `interval`
    seconds; the peak is the largest sample or the largest single process (from rusage,
    which sees short peaks that sampling may miss), whichever is larger."""
    start = time.monotonic()
    with tempfile.TemporaryFile() as out, tempfile.TemporaryFile() as err:
        proc = subprocess.Popen([sys.executable, "-c", _LAUNCH, *command], stdout=out,
                                stderr=err, env=env)
        peak = 0
        while proc.poll() is None:
            peak = max(peak, tree_rss_kb(proc.pid, own=False))
            if time.monotonic() - start > timeout:
                proc.kill()
                proc.wait()
                raise subprocess.TimeoutExpired(command, timeout)
            time.sleep(interval)
        out.seek(0)
        err.seek(0)
        said, _, largest = err.read().decode("utf-8", "replace").rstrip("\n").rpartition("\n")
        return Run(code=proc.returncode, peak_kb=max(peak, int(largest)),
                   out=out.read().decode("utf-8", "replace"), err=said,
                   seconds=time.monotonic() - start)


def cntt_score(raw: Path, processed: Path, year: int = 2017) -> Run:
    """Run ``cntt score`` as its own process, as a user does, measuring its memory."""
    command = [sys.executable, "-c", "from cntt_analysis.cli import main; main()", "score",
               "--year", str(year), "--raw", str(raw), "--processed", str(processed), "-q"]
    return run_measured(command, env={**os.environ, "PYTHONHASHSEED": "0"})


# --------------------------------------------------------------------------- pool work
# What sandboxed workers run in the pool tests: module-level (a worker imports them by
# name) and in this light module, so that a worker starts in a fraction of a second.


def square(path: Path) -> int:
    return int(path.name) ** 2


def abort_on(path: Path, lost: str = "37") -> int:
    """Abort the process on file `lost` (by default the middle of a batch), like a reader
    whose allocation failed."""
    if path.name == lost:
        os.abort()
    return int(path.name)


def abort_on_three(path: Path) -> int:
    return abort_on(path, "3")


def sleep_on_two(path: Path) -> int:
    if path.name == "2":
        time.sleep(60)
    return int(path.name)


def allocate_on_one(path: Path) -> int:
    if path.name == "1":
        return len(bytearray(2 * 1024**3))  # beyond the worker's memory limit
    return int(path.name)


def nap(path: Path) -> int:
    time.sleep(0.15)
    return int(path.name)


def allocate_until_refused(path: Path) -> int:
    """Take memory 4 MB at a time, touching it, until refused; the process's peak resident
    memory then, in bytes."""
    held = []
    try:
        while True:
            held.append(bytearray(4 * 2**20))
    except MemoryError:
        held.clear()
    with open("/proc/self/status", encoding="ascii") as handle:
        return next(int(line.split()[1]) * 1024 for line in handle
                    if line.startswith("VmHWM:"))


# --------------------------------------------------------------------------- zip parts


def rezip(data: bytes, change: dict[str, bytes | None]) -> bytes:
    """An Office archive with some members replaced (None: removed)."""
    out = io.BytesIO()
    with zipfile.ZipFile(io.BytesIO(data)) as src, \
            zipfile.ZipFile(out, "w", zipfile.ZIP_DEFLATED) as dst:
        for item in src.infolist():
            if item.filename in change:
                if (member := change[item.filename]) is not None:
                    # a huge member (a million rows) deflated fast: what the tests read is
                    # its inflated size, and level 6 took most of making it
                    dst.writestr(item.filename, member,
                                 compresslevel=1 if len(member) > 10_000_000 else None)
            else:
                dst.writestr(item, src.read(item.filename))
    return out.getvalue()


def sheet_part(data: bytes, sheet: str) -> str:
    """The XML member of the .xlsx sheet called `sheet`."""
    import re

    with zipfile.ZipFile(io.BytesIO(data)) as archive:
        book = archive.read("xl/workbook.xml").decode()
        rels = archive.read("xl/_rels/workbook.xml.rels").decode()
    rid = re.search(rf'<sheet[^>]*name="{re.escape(sheet)}"[^>]*r:id="([^"]+)"', book)[1]
    target = re.search(rf'<Relationship[^>]*Id="{rid}"[^>]*Target="([^"]+)"', rels) or \
        re.search(rf'<Relationship[^>]*Target="([^"]+)"[^>]*Id="{rid}"', rels)
    return "xl/" + target[1].lstrip("/").removeprefix("xl/")


def add_rows(data: bytes, part: str, rows: bytes) -> bytes:
    """Append raw <row> XML at the end of a sheet's data."""
    with zipfile.ZipFile(io.BytesIO(data)) as archive:
        xml = archive.read(part)
    if b"<sheetData/>" in xml:
        xml = xml.replace(b"<sheetData/>", b"<sheetData>" + rows + b"</sheetData>")
    else:
        xml = xml.replace(b"</sheetData>", rows + b"</sheetData>")
    return rezip(data, {part: xml})


def far_cell_xlsx(template: bytes, part: str) -> bytes:
    """One value at XFD1048576: a dense reader allocates 17 billion cells."""
    return add_rows(template, part, b'<row r="1048576"><c r="XFD1048576"><v>1</v></c></row>')


@functools.lru_cache(maxsize=2)  # made once per test process: ~10 s each
def million_rows_xlsx(template: bytes, part: str, first: int = 200) -> bytes:
    """A million rows that look empty (blank text cells in A:H) after the answers."""
    row = b"".join(b'<c r="%s{r}" t="inlineStr"><is><t> </t></is></c>' % c
                   for c in (b"A", b"B", b"C", b"D", b"E", b"F", b"G", b"H")).decode()
    rows = "".join(f'<row r="{r}">{row.format(r=r)}</row>'
                   for r in range(first, first + 1_000_000)).encode()
    return add_rows(template, part, rows)


@functools.lru_cache(maxsize=2)
def blank_cells_xlsx(template: bytes, part: str, first: int = 200, rows: int = 100_000,
                     cols: int = 60) -> bytes:
    """A block of blank text cells: compresses to little, costs much when read densely."""
    from openpyxl.utils import get_column_letter

    letters = [get_column_letter(c).encode() for c in range(1, cols + 1)]
    out = []
    for r in range(first, first + rows):
        cells = b"".join(b'<c r="%s%d" t="inlineStr"><is><t></t></is></c>' % (col, r)
                         for col in letters)
        out.append(b'<row r="%d">%s</row>' % (r, cells))
    return add_rows(template, part, b"".join(out))


def repeated_ods(rows: int = 12_000, cols: int = 1_000) -> bytes:
    """A tiny .ods whose one row of `cols` cells is repeated `rows` times."""
    content = (
        '<?xml version="1.0" encoding="UTF-8"?>'
        '<office:document-content xmlns:office="urn:oasis:names:tc:opendocument:xmlns:office:1.0"'
        ' xmlns:table="urn:oasis:names:tc:opendocument:xmlns:table:1.0"'
        ' xmlns:text="urn:oasis:names:tc:opendocument:xmlns:text:1.0" office:version="1.2">'
        '<office:body><office:spreadsheet><table:table table:name="Thông tin chung">'
        f'<table:table-row table:number-rows-repeated="{rows}">'
        '<table:table-cell office:value-type="string"'
        f' table:number-columns-repeated="{cols}"><text:p>G01</text:p></table:table-cell>'
        '</table:table-row></table:table></office:spreadsheet></office:body>'
        '</office:document-content>')
    manifest = """<?xml version="1.0" encoding="UTF-8"?>
<manifest:manifest xmlns:manifest="urn:oasis:names:tc:opendocument:xmlns:manifest:1.0"
 manifest:version="1.2"><manifest:file-entry manifest:full-path="/"
 manifest:media-type="application/vnd.oasis.opendocument.spreadsheet"/>
<manifest:file-entry manifest:full-path="content.xml" manifest:media-type="text/xml"/>
</manifest:manifest>"""
    out = io.BytesIO()
    with zipfile.ZipFile(out, "w") as archive:
        archive.writestr("mimetype", "application/vnd.oasis.opendocument.spreadsheet",
                         compress_type=zipfile.ZIP_STORED)
        archive.writestr("content.xml", content, compress_type=zipfile.ZIP_DEFLATED)
        archive.writestr("META-INF/manifest.xml", manifest,
                         compress_type=zipfile.ZIP_DEFLATED)
    return out.getvalue()


# --------------------------------------------------------------------------- .xls records

_DIMENSIONS = 0x0200


def xls_records(data: bytes) -> list[int]:
    """Offsets of the DIMENSIONS records (BIFF8: type 0x0200, length 14) in an .xls."""
    found, start = [], 0
    header = struct.pack("<HH", _DIMENSIONS, 14)
    while (at := data.find(header, start)) != -1:
        found.append(at)
        start = at + 1
    return found


def damaged_dimensions_xls(data: bytes) -> bytes:
    """Every sheet's DIMENSIONS record with its first row after its last (a byte flip)."""
    out = bytearray(data)
    for at in xls_records(data):
        first, last = struct.unpack_from("<II", out, at + 4)
        struct.pack_into("<II", out, at + 4, 0x00FFFFF0, max(last, 1) - 1)
    return bytes(out)


def encrypted_ole(payload: bytes = b"") -> bytes:
    """What a password-protected .xlsx is: an OLE compound file (CFB) whose directory
    names an "EncryptedPackage" stream (only the parts a reader looks at first)."""
    header = bytes.fromhex("d0cf11e0a1b11ae1") + bytes(16) + struct.pack(
        "<HHHH", 0x3E, 3, 0xFFFE, 9) + bytes(512 - 32)
    entry = "EncryptedPackage".encode("utf-16-le") + b"\0\0"
    directory = entry.ljust(64, b"\0") + struct.pack("<H", len(entry)) + bytes(62)
    return header + directory.ljust(512, b"\0") + payload


# --------------------------------------------------------------------------- passwords

_SAVE_WITH_PASSWORD = r"""
import os, subprocess, sys, tempfile, time, shutil
import uno
from com.sun.star.beans import PropertyValue
src, dst, filter_name, soffice = sys.argv[1:5]
def prop(name, value):
    p = PropertyValue(); p.Name = name; p.Value = value; return p
profile = tempfile.mkdtemp(prefix="lo-pw-")
pipe = "cnttpw%d" % os.getpid()
office = subprocess.Popen([soffice, "-env:UserInstallation=" + uno.systemPathToFileUrl(profile),
                           "--headless", "--invisible", "--norestore",
                           "--accept=pipe,name=%s;urp;" % pipe],
                          stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL)
try:
    local = uno.getComponentContext()
    resolver = local.ServiceManager.createInstanceWithContext(
        "com.sun.star.bridge.UnoUrlResolver", local)
    for _ in range(600):
        try:
            ctx = resolver.resolve("uno:pipe,name=%s;urp;StarOffice.ComponentContext" % pipe)
            break
        except Exception:
            time.sleep(0.1)
    desktop = ctx.ServiceManager.createInstanceWithContext("com.sun.star.frame.Desktop", ctx)
    doc = desktop.loadComponentFromURL(uno.systemPathToFileUrl(src), "_blank", 0,
                                       (prop("Hidden", True),))
    doc.storeToURL(uno.systemPathToFileUrl(dst),
                   (prop("FilterName", filter_name), prop("Password", "matkhau")))
    doc.close(True)
    try:
        desktop.terminate()
    except Exception:
        pass
    office.wait(timeout=60)
finally:
    if office.poll() is None:
        office.kill()
    shutil.rmtree(profile, ignore_errors=True)
"""
PASSWORD_FILTERS = {"xls": "MS Excel 97", "ods": "calc8"}


def save_with_password(src: Path, dst: Path, soffice: str) -> Path:
    """Save `src` with a password through LibreOffice's UNO API (system python3-uno)."""
    fmt = dst.suffix.lstrip(".")
    with tempfile.TemporaryDirectory(prefix="cntt-pw-") as private:
        copy = Path(shutil.copy(src, private))  # LibreOffice locks what it opens
        done = subprocess.run(["/usr/bin/python3", "-c", _SAVE_WITH_PASSWORD, str(copy),
                               str(dst.resolve()), PASSWORD_FILTERS[fmt], soffice],
                              capture_output=True, text=True, timeout=180)
    if done.returncode != 0:
        raise RuntimeError(f"saving with a password failed: {done.stderr[-2000:]}")
    return dst


def compressed_spaces_xlsx(template: bytes, part: str, size: int = 448 * 2**20) -> bytes:
    """`size` bytes of blanks inside a sheet's data: a few hundred KB once compressed."""
    out = io.BytesIO()
    with zipfile.ZipFile(io.BytesIO(template)) as src, \
            zipfile.ZipFile(out, "w", zipfile.ZIP_DEFLATED) as dst:
        for item in src.infolist():
            data = src.read(item.filename)
            if item.filename != part:
                dst.writestr(item, data)
                continue
            head, tail = data.split(b"</sheetData>")
            with dst.open(item.filename, "w", force_zip64=True) as member:
                member.write(head)
                chunk = b" " * (16 * 2**20)
                for _ in range(size // len(chunk)):
                    member.write(chunk)
                member.write(b"</sheetData>" + tail)
    return out.getvalue()
