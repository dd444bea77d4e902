"""The tests that need LibreOffice, python3-uno, poppler or chromium fail when the tool is
missing, naming the package to install; they skip only when the developer opts out
(CNTT_ALLOW_MISSING_TOOLS=1, refused on CI), and the run then says so at its end.

Each case runs pytest in a subprocess on a small test file using the same mechanism
(`system_tools`), with the tools hidden by an empty PATH."""

from __future__ import annotations

import os
import subprocess
import sys
from pathlib import Path

import pytest
from system_tools import OPT_OUT, TOOLS, needs, require_tool

HERE = Path(__file__).parent
# Every tool found on PATH, each used both ways: as a marker and from inside a fixture.
ON_PATH = {"soffice": "libreoffice-calc-nogui", "uno": "python3-uno",
           "pdftotext": "poppler-utils", "pdffonts": "poppler-utils",
           "pdfinfo": "poppler-utils", "pdftoppm": "poppler-utils", "chromium": "chromium"}
TESTS = '''
import pytest
from system_tools import needs, require_tool

NAMES = {names!r}


@pytest.mark.parametrize("name", [pytest.param(n, marks=needs(n)) for n in NAMES])
def test_marked(name):
    pass


@pytest.fixture(params=NAMES)
def tool(request):
    require_tool(request.param)
    return request.param


def test_from_a_fixture(tool):
    assert tool


@needs(*NAMES)
def test_marked_with_all():
    pass
'''
CONFTEST = ("from system_tools import (pytest_configure, pytest_runtest_setup,  # noqa: F401\n"
            "                          pytest_terminal_summary)\n")


def run_suite(tmp_path: Path, path: str, **env: str) -> subprocess.CompletedProcess:
    (tmp_path / "conftest.py").write_text(CONFTEST, encoding="utf-8")
    (tmp_path / "test_tools.py").write_text(TESTS.format(names=list(ON_PATH)),
                                            encoding="utf-8")
    base = {k: v for k, v in os.environ.items()
            if k not in (OPT_OUT, "CI", "PYTEST_XDIST_WORKER", "PYTEST_ADDOPTS")}
    full = {**base, "PATH": path, "PYTHONPATH": str(HERE), **env}
    return subprocess.run([sys.executable, "-m", "pytest", "-p", "no:cacheprovider",
                           "-p", "no:xdist", "-q", "-rfs", str(tmp_path)],
                          cwd=tmp_path, env=full, capture_output=True, text=True,
                          timeout=300)


def counts(done: subprocess.CompletedProcess) -> str:
    return done.stdout.strip().splitlines()[-1]


# (a tool missing at setup: reported as an error, which fails the run like a failure)
CASES = len(ON_PATH) * 2 + 1


def test_a_missing_tool_fails_naming_the_package_to_install(tmp_path):
    done = run_suite(tmp_path, path="")
    assert done.returncode == 1, done.stdout
    assert f"{CASES} errors" in counts(done), done.stdout
    for name, package in ON_PATH.items():
        assert f"{name}: install {package} (see .ci/system-deps)" in done.stdout, name
    assert "TESTS SKIPPED" not in done.stdout


@pytest.mark.parametrize("value", ["0", ""])
def test_an_opt_out_that_is_not_one_still_fails(tmp_path, value):
    done = run_suite(tmp_path, path="", **{OPT_OUT: value})
    assert done.returncode == 1
    assert f"{CASES} errors" in counts(done), done.stdout


def test_the_opt_out_skips_and_says_so_loudly_at_the_end(tmp_path):
    done = run_suite(tmp_path, path="", **{OPT_OUT: "1"})
    assert done.returncode == 0, done.stdout
    assert f"{CASES} skipped" in counts(done), done.stdout
    summary = [line for line in done.stdout.splitlines() if "TESTS SKIPPED" in line]
    assert len(summary) == 1
    assert f"{CASES} TESTS SKIPPED: system tools missing" in summary[0]
    for name in ON_PATH:
        assert name in summary[0]


def test_ci_refuses_the_opt_out(tmp_path):
    done = run_suite(tmp_path, path="", **{OPT_OUT: "1", "CI": "true"})
    assert done.returncode == 1
    assert f"{CASES} errors" in counts(done), done.stdout


def test_installed_tools_let_the_tests_run(tmp_path):
    for name in ON_PATH:
        require_tool(name)
    done = run_suite(tmp_path, path=os.environ["PATH"])
    assert done.returncode == 0, done.stdout
    assert f"{CASES} passed" in counts(done), done.stdout
    assert "TESTS SKIPPED" not in done.stdout


def test_every_tool_names_a_package_and_an_unknown_one_is_refused():
    assert set(ON_PATH) <= set(TOOLS)
    assert all(tool.package for tool in TOOLS.values())
    with pytest.raises(ValueError, match="unknown tools"):
        needs("soffice", "libreofice")


def test_no_test_module_skips_on_a_missing_tool_by_itself():
    """Every skip for a missing tool goes through `require_tool` (the only skips left are
    for the platform: tomllib on old Pythons, Linux's /proc)."""
    allowed = ('importorskip("tomllib")', 'Path("/proc/self/task")')
    found = []
    for path in sorted(HERE.glob("*.py")):
        if path.name in ("system_tools.py", Path(__file__).name):
            continue
        for number, line in enumerate(path.read_text(encoding="utf-8").splitlines(), 1):
            if any(word in line for word in ("pytest.skip(", "skipif(", "importorskip("))\
                    and not any(a in line for a in allowed):
                found.append(f"{path.name}:{number}: {line.strip()}")
    assert found == []
