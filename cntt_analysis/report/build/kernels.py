"""Running notebooks in a kept-alive kernel: one kernel per worker process, a fresh
namespace per notebook, so the package and its libraries are imported once per worker
rather than once per notebook.

Executed notebooks are reproducible: no timings, no kernel ids, execution counts from 1,
the injected parameters cell with a fixed id and papermill-style metadata (parameters,
and ``exception`` when a cell failed).
"""

from __future__ import annotations

import contextlib
import ctypes
import dataclasses
import functools
import os
import signal
from pathlib import Path
from typing import Any

import nbformat

# Run before each notebook, outside its history: drop the previous notebook's variables
# (modules stay imported), number the cells from 1 again, and share loaded results.
FRESH = ("get_ipython().reset(new_session=True, aggressive=False)\n"
         "__import__('cntt_analysis.report.build.kernels', fromlist=['share_results'])"
         ".share_results()")
INJECTED_ID = "injected-parameters"
STARTUP_TIMEOUT = 120


class NotebookFailed(Exception):
    """A cell raised: the executed notebook (up to that cell) and where it failed."""

    def __init__(self, nb: nbformat.NotebookNode, cell_number: int | None, ename: str,
                 evalue: str):
        super().__init__(f"{ename}: {evalue}")
        self.nb, self.cell_number, self.ename, self.evalue = nb, cell_number, ename, evalue


def die_with_parent() -> None:
    """Ask Linux to kill this process when its parent dies (no orphan workers when
    `cntt report` is killed); the kernels follow their worker (ipykernel polls its parent)."""
    try:
        libc = ctypes.CDLL("libc.so.6", use_errno=True)
        libc.prctl(1, signal.SIGKILL)  # PR_SET_PDEATHSIG
    except (OSError, AttributeError):  # not Linux: the parent's own cleanup still applies
        return
    if os.getppid() == 1:  # the parent died before the request was in place
        os._exit(1)


def share_results() -> None:
    """In a kept kernel, `load_results` reads a project's processed tables once for all the
    notebooks it runs (the year's tables are the same for each of them); every call gets
    its own shallow copies of the frames (pandas copy-on-write: a notebook that changes a
    frame changes only its copy). Files changed on disk are read again."""
    from cntt_analysis.analysis import results as module

    if getattr(module.load_results, "shared", False):
        return
    original = module.load_results
    cache: dict[tuple, object] = {}

    @functools.wraps(original)
    def load_results(raw_dir, processed_dir, up_to=None):
        key = (_stamp(Path(raw_dir)), _stamp(Path(processed_dir)), up_to)
        if key not in cache:
            cache.clear()
            cache[key] = original(raw_dir, processed_dir, up_to=up_to)
        loaded: Any = cache[key]
        return dataclasses.replace(loaded, **{
            f.name: getattr(loaded, f.name).copy(deep=False)
            for f in dataclasses.fields(loaded)
            if hasattr(getattr(loaded, f.name), "copy") and f.name != "rounds"})

    load_results.shared = True  # type: ignore[attr-defined]
    module.load_results = load_results


def _stamp(folder: Path) -> tuple:
    """A folder's files (two levels) with their sizes and modification times."""
    folder = folder.resolve()
    files = sorted([*folder.glob("*"), *folder.glob("*/*")])
    return (str(folder), *((str(p), p.stat().st_size, p.stat().st_mtime_ns)
                           for p in files if p.is_file()))


def parameterize(nb: nbformat.NotebookNode, parameters: dict) -> nbformat.NotebookNode:
    """Papermill's injected parameters cell after the ``parameters`` cell, with a fixed id."""
    from papermill.parameterize import parameterize_notebook

    nb.metadata.setdefault("papermill", {})
    for cell in nb.cells:  # papermill reads every cell's tags
        cell.metadata.setdefault("tags", [])
    nb = parameterize_notebook(nb, parameters, kernel_name="python3", language="python")
    for cell in nb.cells:
        if not cell.metadata["tags"]:
            del cell.metadata["tags"]
        elif INJECTED_ID in cell.metadata["tags"]:
            cell["id"] = INJECTED_ID
    return nb


class Kernel:
    """One IPython kernel, started on first use and reused for every notebook, with one
    client kept connected to it (a new client waits ~0.2 s for the kernel's first reply
    on its channels: a notebook's worth of cells)."""

    def __init__(self, cwd: Path):
        self.cwd = cwd
        self.km: Any = None
        self.kc: Any = None

    def _start(self) -> None:
        from jupyter_client.manager import KernelManager

        self.km = KernelManager(kernel_name="python3")
        self.km.start_kernel(cwd=str(self.cwd))
        self.kc = self.km.client()
        self.kc.start_channels()
        self.kc.wait_for_ready(timeout=STARTUP_TIMEOUT)
        self.kc.allow_stdin = False

    def _fresh(self) -> None:
        self.kc.execute_interactive(FRESH, store_history=False, timeout=STARTUP_TIMEOUT,
                                    output_hook=lambda msg: None)

    def run(self, nb: nbformat.NotebookNode) -> nbformat.NotebookNode:
        """Execute every code cell of `nb` in a fresh namespace; raises NotebookFailed."""
        from nbclient import NotebookClient
        from nbclient.exceptions import CellExecutionError

        if self.km is None or not self.km.is_alive():
            self.shutdown()
            self._start()
        self._fresh()
        client = NotebookClient(nb, km=self.km, timeout=None, record_timing=False,
                                kernel_name="python3",
                                resources={"metadata": {"path": str(self.cwd)}})
        client.kc = self.kc  # kept connected: not stopped after the notebook
        try:
            client.execute(cleanup_kc=False)
        except CellExecutionError as exc:
            nb.metadata.setdefault("papermill", {})["exception"] = True
            raise NotebookFailed(nb, _failed_cell(nb), exc.ename, exc.evalue) from None
        nb.metadata.setdefault("papermill", {})["exception"] = None
        return nb

    def shutdown(self) -> None:
        if self.kc is not None:
            with contextlib.suppress(Exception):
                self.kc.stop_channels()
            self.kc = None
        if self.km is not None:
            with contextlib.suppress(Exception):  # already gone
                self.km.shutdown_kernel(now=True)
            self.km = None


def _failed_cell(nb: nbformat.NotebookNode) -> int | None:
    for cell in nb.cells:
        if cell.cell_type == "code" and any(o.get("output_type") == "error"
                                            for o in cell.get("outputs", [])):
            return cell.get("execution_count")
    return None
