"""Running notebooks in kept-alive kernels: each driven by a thread of `cntt report`, a
fresh namespace per notebook, so the package and its libraries are imported once per
kernel rather than once per notebook; the kernel also makes the notebook's HTML and PDF
(no other process holds those libraries).

Executed notebooks are reproducible: no timings, no kernel ids, execution counts from 1,
the injected parameters cell with a fixed id and papermill-style metadata (parameters,
and ``exception`` when a cell failed).
"""

from __future__ import annotations

import contextlib
from pathlib import Path
from typing import Any

import nbformat

# Run before each notebook, outside its history: drop the previous notebook's variables
# (modules stay imported), number the cells from 1 again, and share loaded results.
FRESH = ("get_ipython().reset(new_session=True, aggressive=False)\n"
         "__import__('cntt_analysis.report.build.kernels', fromlist=['share_results'])"
         ".share_results()")
# What a kernel loads before its first notebook (while `cntt report`'s data side works):
# the libraries, nbconvert's exporter and WeasyPrint's fonts (`pages.warm_up`).
WARM_UP = ("import cntt_analysis.report.html.sections, cntt_analysis.report.html.pages, "
           "weasyprint; cntt_analysis.report.html.pages.warm_up()")
INJECTED_ID = "injected-parameters"
STARTUP_TIMEOUT = 120


class NotebookFailed(Exception):
    """A cell raised: the executed notebook (up to that cell) and where it failed."""

    def __init__(self, nb: nbformat.NotebookNode, cell_number: int | None, ename: str,
                 evalue: str):
        super().__init__(f"{ename}: {evalue}")
        self.nb, self.cell_number, self.ename, self.evalue = nb, cell_number, ename, evalue


def share_results() -> None:
    """In a kept kernel, `load_results` reads a project's processed tables once for all the
    notebooks it runs (`analysis.results.share_loaded`)."""
    from cntt_analysis.analysis.results import share_loaded

    share_loaded()


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


def import_before_threads() -> None:
    """Import what `parameterize` needs, before a process starts the kernels' threads.
    Papermill imports requests, which silences urllib3's English warning about SOCKS with
    a warnings filter; imported while another thread is inside `catch_warnings` (jupyter's
    event loops in the kernels' threads, pandas), that thread's exit could undo the filter
    and the warning reach the user's terminal."""
    import papermill.parameterize  # noqa: F401


class Kernel:
    """One IPython kernel, started on first use and reused for every notebook, with one
    client kept connected to it (a new client waits ~0.2 s for the kernel's first reply
    on its channels: a notebook's worth of cells). Its own output goes to `log`."""

    def __init__(self, cwd: Path, log: Path | None = None):
        self.cwd, self.log = cwd, log
        self.km: Any = None
        self.kc: Any = None
        self.killed = False
        self._log_file: Any = None

    def _start(self) -> None:
        from jupyter_client.manager import KernelManager

        if self.killed:
            raise RuntimeError("kernel stopped")
        streams: dict[str, Any] = {}
        if self.log is not None:
            self._log_file = open(self.log, "a", encoding="utf-8")  # noqa: SIM115
            streams = {"stdout": self._log_file, "stderr": self._log_file}
        self.km = KernelManager(kernel_name="python3")
        self.km.start_kernel(cwd=str(self.cwd), **streams)
        self.kc = self.km.client()
        self.kc.start_channels()
        self.kc.wait_for_ready(timeout=STARTUP_TIMEOUT)
        self.kc.allow_stdin = False

    def warm_up(self) -> None:
        """Start the kernel and load the libraries the notebooks use; a failure here is
        only a kernel started again by `run`."""
        try:
            self._start()
            self._execute(WARM_UP)
        except Exception:
            self.shutdown()
        finally:
            close_thread_loop()

    def _execute(self, code: str) -> dict:
        """Run `code` outside the notebook (no history, no output kept); its reply."""
        return self.kc.execute_interactive(code, store_history=False, silent=True,
                                           timeout=None, output_hook=lambda msg: None)

    def _ensure_started(self) -> None:
        if self.km is None or not self.km.is_alive():
            self.shutdown()
            self._start()

    def render(self, nb: nbformat.NotebookNode, executed: Path, html: Path, title: str,
               pdf: Path | None) -> bool:
        """Run `nb` straight in the kernel's interpreter and write its documents
        (`direct`); False when it must go through `run` instead (nothing written)."""
        self._ensure_started()
        arguments = ", ".join(repr(str(a)) if a is not None else "None"
                              for a in (nbformat.writes(nb), executed, html, title, pdf))
        reply = self._execute("__import__('cntt_analysis.report.build.direct', "
                              f"fromlist=['render']).render({arguments})")
        content = reply.get("content", {})
        if content.get("status") == "ok":
            return True
        if content.get("ename") == "Fallback":
            return False
        raise RuntimeError(f"{content.get('ename', 'Error')}: {content.get('evalue', '')}")

    def run(self, nb: nbformat.NotebookNode) -> nbformat.NotebookNode:
        """Execute every code cell of `nb` in a fresh namespace; raises NotebookFailed."""
        from nbclient import NotebookClient
        from nbclient.exceptions import CellExecutionError

        self._ensure_started()
        self._execute(FRESH)
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

    def export(self, executed: Path, html: Path, title: str, pdf: Path | None) -> None:
        """The executed notebook's HTML page (and PDF), made in the kernel."""
        arguments = ", ".join(repr(str(a)) if a is not None else "None"
                              for a in (executed, html, title, pdf))
        reply = self._execute("__import__('cntt_analysis.report.build.kernels', "
                              f"fromlist=['export_notebook']).export_notebook({arguments})")
        content = reply.get("content", {})
        if content.get("status") != "ok":
            raise RuntimeError(f"{content.get('ename', 'Error')}: {content.get('evalue', '')}")

    def kill(self) -> None:
        """Stop the kernel now, for good (an interrupted run)."""
        self.killed = True
        if self.km is not None:
            with contextlib.suppress(Exception):
                self.km.kill_kernel()

    def shutdown(self) -> None:
        if self.kc is not None:
            with contextlib.suppress(Exception):
                self.kc.stop_channels()
            self.kc = None
        if self.km is not None:
            with contextlib.suppress(Exception):  # already gone
                self.km.shutdown_kernel(now=True)
            self.km = None
        if self._log_file is not None:
            self._log_file.close()
            self._log_file = None


def close_thread_loop() -> None:
    """Close the event loop jupyter's synchronous calls left in this (worker) thread: left
    open, its self-pipe sockets are only found by the garbage collector, as unclosed-socket
    warnings at some later moment."""
    import asyncio

    with contextlib.suppress(RuntimeError):  # no loop in this thread
        loop = asyncio.get_event_loop_policy().get_event_loop()
        if not loop.is_running() and not loop.is_closed():
            loop.close()
        asyncio.set_event_loop(None)


class Kernels:
    """`count` kernels started and warmed up in the background (each in its own thread),
    handed out once ready; closed together."""

    def __init__(self, cwd: Path, count: int, log: Path | None = None, warm: bool = True):
        import threading

        self.log = log
        self.kernels = [Kernel(cwd, log) for _ in range(max(1, count))]
        self._threads = [threading.Thread(target=k.warm_up, daemon=True)
                         for k in (self.kernels if warm else [])]
        for thread in self._threads:
            thread.start()

    def ready(self, count: int) -> list[Kernel]:
        """Up to `count` kernels, once they have started (or failed to: `run` retries)."""
        for thread in self._threads:
            thread.join()
        return self.kernels[:max(1, count)]

    def kill(self) -> None:
        for kernel in self.kernels:
            kernel.kill()

    def close(self) -> None:
        for thread in self._threads:
            thread.join(timeout=STARTUP_TIMEOUT)
        for kernel in self.kernels:
            kernel.shutdown()


def export_notebook(executed: str, html: str, title: str, pdf: str | None) -> None:
    """Run in a kernel: an executed notebook → its HTML page (and A4 PDF)."""
    export_node(nbformat.read(executed, as_version=4), html, title, pdf)


def export_node(nb: nbformat.NotebookNode, html: str, title: str, pdf: str | None) -> None:
    """An executed notebook (in memory) → its HTML page (and A4 PDF)."""
    from cntt_analysis.report.html.pages import html_to_pdf, notebook_page
    from cntt_analysis.storage import write_text

    text = notebook_page(nb, title)
    write_text(text, html)
    if pdf is not None:
        html_to_pdf(text, pdf, base_url=Path(html).parent)


def _failed_cell(nb: nbformat.NotebookNode) -> int | None:
    for cell in nb.cells:
        if cell.cell_type == "code" and any(o.get("output_type") == "error"
                                            for o in cell.get("outputs", [])):
            return cell.get("execution_count")
    return None
