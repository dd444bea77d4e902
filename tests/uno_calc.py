"""Drive LibreOffice Calc through UNO, the way a unit's clerk meets a template.

Run with the system Python that has the UNO bridge (Debian python3-uno), not the venv:
``/usr/bin/python3 uno_calc.py JOBS.json`` prints a JSON list with one result per job.
It starts its own headless soffice (private profile, free port) and always shuts it down.

Jobs: ``{"action": "inspect", "src": PATH, "cells": [[SHEET, CELL], ...]}`` → validation
and protection of those cells, and each sheet's visibility and protection;
``{"action": "fill", "src": PATH, "dst": PATH, "values": [[SHEET, CELL, VALUE], ...]}``
→ typed like a clerk (numbers as numbers, ISO dates as dates, other text as text), saved as
.xlsx; ``{"action": "resave", "src": PATH, "dst": PATH}`` → opened and saved as .xlsx.
"""

from __future__ import annotations

import contextlib
import json
import os
import shutil
import socket
import subprocess
import sys
import tempfile
import time
from pathlib import Path

import uno
from com.sun.star.beans import PropertyValue
from com.sun.star.connection import NoConnectException

XLSX_FILTER = "Calc MS Excel 2007 XML"


def _prop(name: str, value: object) -> PropertyValue:
    prop = PropertyValue()
    prop.Name, prop.Value = name, value
    return prop


def _free_port() -> int:
    with socket.socket() as sock:
        sock.bind(("127.0.0.1", 0))
        return sock.getsockname()[1]


def _connect(port: int, proc: subprocess.Popen, timeout: float = 60.0):
    local = uno.getComponentContext()
    resolver = local.ServiceManager.createInstanceWithContext(
        "com.sun.star.bridge.UnoUrlResolver", local)
    deadline = time.monotonic() + timeout
    while True:
        try:
            return resolver.resolve(
                f"uno:socket,host=127.0.0.1,port={port};urp;StarOffice.ComponentContext")
        except NoConnectException:
            if proc.poll() is not None or time.monotonic() > deadline:
                raise
            time.sleep(0.3)


def _enum(value) -> str:
    return value.value if hasattr(value, "value") else str(value)


def _inspect(doc, job: dict) -> dict:
    sheets = doc.Sheets
    out = {"sheets": {}, "cells": []}
    for name in sheets.ElementNames:
        sheet = sheets.getByName(name)
        out["sheets"][name] = {"visible": bool(sheet.IsVisible),
                               "protected": bool(sheet.isProtected())}
    for name, address in job.get("cells", []):
        cell = sheets.getByName(name).getCellRangeByName(address)
        val = cell.Validation
        out["cells"].append({
            "sheet": name, "cell": address, "type": _enum(val.Type),
            "operator": _enum(val.Operator), "formula1": val.Formula1,
            "formula2": val.Formula2, "show_error": bool(val.ShowErrorMessage),
            "error_style": _enum(val.ErrorAlertStyle), "error_title": val.ErrorTitle,
            "error_message": val.ErrorMessage, "show_input": bool(val.ShowInputMessage),
            "input_title": val.InputTitle, "input_message": val.InputMessage,
            "ignore_blank": bool(val.IgnoreBlankCells),
            "locked": bool(cell.CellProtection.IsLocked)})
    return out


def _fill(doc, job: dict) -> dict:
    sheets = doc.Sheets
    for name, address, value in job["values"]:
        cell = sheets.getByName(name).getCellRangeByName(address)
        if isinstance(value, (int, float)) and not isinstance(value, bool):
            cell.setValue(value)
        elif isinstance(value, str) and len(value) == 10 and value[4] == value[7] == "-":
            cell.setFormula(value)  # an ISO date typed in: Calc stores a date
        else:
            cell.setString(str(value))
    return {}


def _open(desktop, path: str):
    url = uno.systemPathToFileUrl(os.path.abspath(path))
    return desktop.loadComponentFromURL(url, "_blank", 0, (_prop("Hidden", True),))


def _save(doc, path: str) -> None:
    url = uno.systemPathToFileUrl(os.path.abspath(path))
    doc.storeToURL(url, (_prop("FilterName", XLSX_FILTER), _prop("Overwrite", True)))


def run(jobs: list[dict]) -> list[dict]:
    binary = shutil.which("soffice") or shutil.which("libreoffice")
    profile = Path(tempfile.mkdtemp(prefix="lo-uno-profile-"))
    port = _free_port()
    proc = subprocess.Popen(
        [binary, f"-env:UserInstallation={profile.as_uri()}", "--headless", "--invisible",
         "--nologo", "--norestore", "--nodefault",
         f"--accept=socket,host=127.0.0.1,port={port};urp;StarOffice.ComponentContext"],
        stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL)
    results = []
    try:
        ctx = _connect(port, proc)
        desktop = ctx.ServiceManager.createInstanceWithContext("com.sun.star.frame.Desktop",
                                                               ctx)
        for job in jobs:
            doc = _open(desktop, job["src"])
            try:
                result = {"inspect": _inspect, "fill": _fill,
                          "resave": lambda d, j: {}}[job["action"]](doc, job)
                if "dst" in job:
                    _save(doc, job["dst"])
            finally:
                doc.close(True)
            results.append(result)
        with contextlib.suppress(Exception):  # the bridge drops as soffice exits
            desktop.terminate()
    finally:
        try:
            proc.wait(timeout=30)
        except subprocess.TimeoutExpired:
            proc.kill()
            proc.wait()
        shutil.rmtree(profile, ignore_errors=True)
    return results


if __name__ == "__main__":
    print(json.dumps(run(json.loads(Path(sys.argv[1]).read_text(encoding="utf-8"))),
                     ensure_ascii=False))
