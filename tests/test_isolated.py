"""A function run in a child process (report.build.isolated): its result or its
exception comes back as itself, a child that dies is a clear Vietnamese error, and the
child runs the caller's package whatever folder the command is started from."""

from __future__ import annotations

import errno
import os
import pickle
from pathlib import Path

import pytest

from cntt_analysis.errors import DiskError, ReportError, UsageError
from cntt_analysis.report.build import isolated

HERE = Path(__file__).parent


@pytest.fixture(autouse=True)
def tests_importable(monkeypatch):
    """The child imports this module by name to call its functions."""
    path = os.environ.get("PYTHONPATH")
    monkeypatch.setenv("PYTHONPATH", os.pathsep.join(p for p in (str(HERE), path) if p))


def where_and_what(value: int) -> tuple[int, str, int]:
    import cntt_analysis

    return os.getpid(), cntt_analysis.__file__, value * 2


def refuse_disk(folder: str) -> None:
    raise DiskError(folder, errno.ENOSPC)


def refuse_usage() -> None:
    raise UsageError("Không có đợt đánh giá năm 2030 trong data/raw.")


class Unpicklable(Exception):
    def __reduce__(self):
        raise TypeError("không chuyển được")


def raise_unpicklable() -> None:
    raise Unpicklable("lỗi lạ")


def die() -> None:
    os._exit(9)


def test_the_function_runs_in_another_process_of_the_same_package():
    import cntt_analysis

    pid, package, doubled = isolated.call(where_and_what, 21)
    assert pid != os.getpid()
    assert package == cntt_analysis.__file__
    assert doubled == 42


def test_a_disk_error_comes_back_as_itself(tmp_path):
    with pytest.raises(DiskError) as raised:
        isolated.call(refuse_disk, str(tmp_path))
    assert raised.value.folder == tmp_path and raised.value.errno == errno.ENOSPC
    assert str(raised.value) == str(DiskError(tmp_path, errno.ENOSPC))
    assert str(tmp_path) in str(raised.value) and "ổ đĩa đã đầy" in str(raised.value)


def test_a_disk_error_pickles_as_it_was_made(tmp_path):
    again = pickle.loads(pickle.dumps(DiskError(tmp_path, errno.EROFS)))
    assert (again.folder, again.code, str(again)) == (
        tmp_path, errno.EROFS, str(DiskError(tmp_path, errno.EROFS)))


def test_a_usage_error_keeps_its_vietnamese_message():
    with pytest.raises(UsageError, match="Không có đợt đánh giá năm 2030"):
        isolated.call(refuse_usage)


def test_an_error_that_cannot_cross_processes_is_said_as_what_it_was(capfd):
    with pytest.raises(ReportError, match="Unpicklable: lỗi lạ"):
        isolated.call(raise_unpicklable)
    assert "raise_unpicklable" in capfd.readouterr().err  # where: the child's traceback


def test_a_child_that_dies_is_a_clear_error():
    with pytest.raises(ReportError, match=r"dừng bất thường \(mã thoát 9\)"):
        isolated.call(die)


def test_a_package_folder_where_the_command_starts_is_not_imported(tmp_path, monkeypatch):
    """`python -c` puts the current folder first on the path: a folder holding another
    `cntt_analysis` (a checkout, a copy) must not replace the caller's package."""
    import cntt_analysis

    fake = tmp_path / "cntt_analysis"
    fake.mkdir()
    (fake / "__init__.py").write_text("raise ImportError('gói giả')\n", encoding="utf-8")
    monkeypatch.chdir(tmp_path)
    assert isolated.call(where_and_what, 1)[1] == cntt_analysis.__file__


def wait_long(marker: str) -> None:
    import time

    Path(marker).write_text(str(os.getpid()), encoding="utf-8")
    time.sleep(120)


_CALLER = """
import sys
sys.path.insert(0, sys.argv[1])
from cntt_analysis.report.build import isolated
from test_isolated import wait_long
isolated.call(wait_long, sys.argv[2])
"""


def test_the_child_ends_when_its_caller_is_killed(tmp_path):
    """Killed with SIGKILL, the command cannot stop its child: the child notices and ends
    (as the kernels do), instead of working on for a command that no longer exists."""
    import signal
    import subprocess
    import sys
    import time

    marker = tmp_path / "child.pid"
    caller = subprocess.Popen([sys.executable, "-c", _CALLER, str(HERE), str(marker)])
    deadline = time.monotonic() + 60
    while not marker.is_file() and time.monotonic() < deadline:
        time.sleep(0.1)
    child = int(marker.read_text(encoding="utf-8"))
    caller.send_signal(signal.SIGKILL)
    caller.wait()
    deadline = time.monotonic() + 10
    while running(child) and time.monotonic() < deadline:
        time.sleep(0.1)
    assert not running(child)


def running(pid: int) -> bool:
    """The process exists and is not a zombie (waiting to be collected)."""
    try:
        state = Path(f"/proc/{pid}/stat").read_text().rsplit(")", 1)[1].split()[0]
    except (OSError, IndexError):
        return False
    return state != "Z"
