"""A function of the package run in a fresh Python process, its result (or exception)
handed back: what it loads (pandas, the round's tables, the Word libraries) is given back
to the system when it ends, not held by `cntt report` while the kernels work — the
command's memory counts with theirs.

    value = call(prepare, year, raw, ...)   # in the child: prepare(year, raw, ...)

Arguments and results go through pickle files in a private temporary folder; the child
imports the same package as the caller (from the caller's folder). An
exception comes back as itself (a `UsageError` stays a `UsageError`, with its Vietnamese
message); one that cannot cross processes comes back as a `ReportError` saying what it
was. Interrupted (Ctrl-C, SIGTERM), the caller kills the child before going on.
"""

from __future__ import annotations

import os
import pickle
import subprocess
import sys
import tempfile
import traceback
from collections.abc import Callable
from pathlib import Path
from typing import Any

from cntt_analysis.errors import ReportError, UsageError

# Errors the command says in Vietnamese (`cli.friendly`): no traceback printed for them.
EXPECTED = (UsageError, ReportError, OSError)
PACKAGE_ROOT = Path(__file__).resolve().parents[3]  # the folder holding cntt_analysis/


def call(func: Callable[..., Any], *args: Any, **kwargs: Any) -> Any:
    """`func(*args, **kwargs)` in a child process (`func` importable by its module and
    name); its result, or its exception raised here."""
    with tempfile.TemporaryDirectory(prefix="cntt-call-") as folder:
        request, answer = Path(folder) / "request.pickle", Path(folder) / "answer.pickle"
        request.write_bytes(pickle.dumps((func.__module__, func.__qualname__, args, kwargs)))
        # The caller's package, from its own folder: not the current folder `-c` puts
        # first on the path (a "cntt_analysis" folder there would be imported instead),
        # and that folder first only while the package itself is imported (a
        # site-packages first on the whole path could shadow the standard library).
        code = ("import sys; sys.path[:] = [p for p in sys.path if p]; "
                f"sys.path.insert(0, {str(PACKAGE_ROOT)!r}); "
                "import cntt_analysis; del sys.path[0]; "
                f"from {__name__} import _run; "
                "_run(*map(__import__('pathlib').Path, sys.argv[1:]))")
        child = subprocess.Popen([sys.executable, "-c", code, str(request), str(answer)])
        try:
            status = child.wait()
        except BaseException:
            child.kill()
            child.wait()
            raise
        return _answer(answer, status, func)


def _answer(answer: Path, code: int, func: Callable[..., Any]) -> Any:
    if not answer.is_file():
        raise ReportError(f"Tiến trình xử lý số liệu ({func.__qualname__}) dừng bất thường "
                          f"(mã thoát {code}); không có kết quả nào được ghi thêm.")
    ok, payload, text = pickle.loads(answer.read_bytes())
    if ok:
        return payload
    try:
        error = pickle.loads(payload)
    except Exception:  # a class that does not unpickle as it pickled
        raise ReportError(text) from None
    raise error


def _end_with_parent(parent: int) -> None:
    """Exit when the caller is gone (killed with SIGKILL, it cannot kill this process),
    as its kernels do: nothing is left working for a command that no longer exists."""
    import threading
    import time

    def watch() -> None:
        while os.getppid() == parent:
            time.sleep(0.5)
        os._exit(1)

    threading.Thread(target=watch, daemon=True).start()


def _run(request: Path, answer: Path) -> None:
    """In the child: call what `request` names and write its answer."""
    import importlib

    _end_with_parent(os.getppid())
    module, name, args, kwargs = pickle.loads(request.read_bytes())
    func: Any = importlib.import_module(module)
    for part in name.split("."):
        func = getattr(func, part)
    try:
        result = (True, func(*args, **kwargs), "")
    except BaseException as exc:  # handed to the caller, whatever it is
        text = f"{type(exc).__name__}: {exc}"
        if isinstance(exc, Exception) and not isinstance(exc, EXPECTED):  # a bug: where
            traceback.print_exc(file=sys.stderr)
        try:
            payload = pickle.dumps(exc)
        except Exception:
            payload = b""
        result = (False, payload, text)
    tmp = answer.with_suffix(".tmp")
    tmp.write_bytes(pickle.dumps(result))
    tmp.replace(answer)
