"""The system tools some tests need (LibreOffice, python3-uno, poppler, chromium), and what
a test does when one is missing.

A missing tool fails the test, naming the Debian package to install: the tests that need
these tools are the riskiest ones (real conversions, real PDFs, a real browser), and a
suite that skipped them would still pass. A developer without the tools opts out
explicitly with ``CNTT_ALLOW_MISSING_TOOLS=1``: those tests are then skipped, and the end
of the run says how many were, loudly. On CI (``CI`` set) the opt-out is refused.

Use ``require_tool("pdftotext")`` inside a test or fixture, or the marker
``@pytest.mark.requires_tools("soffice", "pdftotext")`` (``needs(...)`` makes one).
The hooks at the bottom are imported by ``conftest.py``.
"""

from __future__ import annotations

import functools
import importlib.util
import os
import shutil
import subprocess
import sys
from collections.abc import Callable
from dataclasses import dataclass
from pathlib import Path

import pytest

OPT_OUT = "CNTT_ALLOW_MISSING_TOOLS"
SKIP_PREFIX = "missing system tool:"  # how the summary finds the skips this module made
SYSTEM_PYTHON = "/usr/bin/python3"  # python3-uno is a module of the system's python


def _on_path(*names: str) -> Callable[[], bool]:
    return lambda: any(shutil.which(name) for name in names)


def _uno() -> bool:
    if not Path(SYSTEM_PYTHON).is_file() or not _on_path("soffice", "libreoffice")():
        return False
    return subprocess.run([SYSTEM_PYTHON, "-c", "import uno"],
                          capture_output=True).returncode == 0


def _importable(module: str) -> Callable[[], bool]:
    return lambda: importlib.util.find_spec(module) is not None


def _console_script() -> bool:
    return (Path(sys.executable).parent / "cntt").is_file()


@dataclass(frozen=True)
class Tool:
    present: Callable[[], bool]
    package: str  # what to install (a Debian package, or the pip command)


POPPLER = "poppler-utils"
TOOLS: dict[str, Tool] = {
    "soffice": Tool(_on_path("soffice", "libreoffice"), "libreoffice-calc-nogui"),
    "uno": Tool(_uno, "python3-uno"),
    "pdftotext": Tool(_on_path("pdftotext"), POPPLER),
    "pdffonts": Tool(_on_path("pdffonts"), POPPLER),
    "pdfinfo": Tool(_on_path("pdfinfo"), POPPLER),
    "pdftoppm": Tool(_on_path("pdftoppm"), POPPLER),
    "chromium": Tool(_on_path("chromium", "chromium-browser"), "chromium"),
    "playwright": Tool(_importable("playwright"), "playwright (pip install -e '.[dev]')"),
    "cntt": Tool(_console_script, "the cntt console script (pip install -e .)"),
}


@functools.cache
def present(name: str) -> bool:
    """Whether the tool is installed (asked once per process)."""
    return TOOLS[name].present()


def allowed_missing() -> bool:
    """The developer's explicit opt-out (refused on CI)."""
    return os.environ.get(OPT_OUT, "") not in ("", "0") and not os.environ.get("CI")


def missing_message(name: str, package: str | None = None) -> str:
    package = package or TOOLS[name].package
    return (f"{SKIP_PREFIX} {name}: install {package} (see .ci/system-deps), or set "
            f"{OPT_OUT}=1 to skip the tests that need it")


def require_tool(name: str, package: str | None = None) -> None:
    """Fail the current test (or skip it, when the developer opted out) unless `name` is
    installed. `package` overrides the package named in `TOOLS`."""
    if present(name):
        return
    message = missing_message(name, package)
    if allowed_missing():
        pytest.skip(message)
    pytest.fail(message, pytrace=False)


def needs(*names: str) -> pytest.MarkDecorator:
    """A marker: the test requires every tool of `names` (checked when it is set up)."""
    unknown = set(names) - set(TOOLS)
    if unknown:
        raise ValueError(f"unknown tools {sorted(unknown)}: add them to TOOLS")
    return pytest.mark.requires_tools(*names)


# --------------------------------------------------------------------------- hooks


def pytest_configure(config: pytest.Config) -> None:
    config.addinivalue_line(
        "markers", "requires_tools(*names): fails unless the system tools are installed "
                   f"(skips when {OPT_OUT}=1)")


def pytest_runtest_setup(item: pytest.Item) -> None:
    for marker in item.iter_markers("requires_tools"):
        for name in marker.args:
            require_tool(name)


def pytest_terminal_summary(terminalreporter, exitstatus, config) -> None:  # noqa: ARG001
    """Skips for a missing tool said at the end of the run, where nobody misses them."""
    skipped = [report for report in terminalreporter.stats.get("skipped", [])
               if SKIP_PREFIX in str(getattr(report, "longrepr", ""))]
    if not skipped:
        return
    tools = sorted({str(r.longrepr).split(SKIP_PREFIX, 1)[1].split(":", 1)[0].strip()
                    for r in skipped})
    terminalreporter.write_sep(
        "!", f"{len(skipped)} TESTS SKIPPED: system tools missing ({', '.join(tools)}); "
             f"{OPT_OUT} is set. Install them: bash .ci/system-deps", red=True, bold=True)
