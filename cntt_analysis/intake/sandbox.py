"""Reading files in worker processes that no single file can take down.

A submitted workbook may be made so that reading it allocates hundreds of gigabytes (one
value at XFD1048576, a damaged .xls dimensions record) or takes very long. Such a file
aborts the process that reads it (an allocation failure in the reader's native code is an
abort, not an exception), so reading happens in a small pool of reused worker processes,
each with a memory limit (RLIMIT_AS) and a time limit per file. A worker that dies or runs
out of time takes only its file with it: that file gets `on_failure`'s result, the files
queued behind it go to a fresh worker and the pool goes on. The same pool is how a round's
files are read in parallel.

Workers are fresh, lean interpreters (``python -c``), not forks of the caller: a fork
starts with every page of its parent (pandas and all, ~160 MB), counted again in each
worker's resident memory, so a pool of forks alone would take a round past its memory
budget. A worker imports only what its function needs and is given files in batches, so
that a file costs one message back, not a round trip.
"""

from __future__ import annotations

import contextlib
import hashlib
import os
import pickle
import selectors
import signal
import socket
import subprocess
import sys
import threading
import time
from collections import deque
from collections.abc import Callable, Sequence
from multiprocessing.connection import Connection
from pathlib import Path
from typing import Any, TypeVar

T = TypeVar("T")

# Resident memory all reading workers together may reach (each its share, what it starts
# with included, never less than WORKER_MINIMUM): with the caller's own ~170 MB, a round
# read on two cores stays under 512 MB whatever its files hold.
WORKERS_MEMORY = 320 * 2**20
WORKER_MINIMUM = 96 * 2**20
TIME_LIMIT = 30.0  # seconds per file
START_LIMIT = 60.0  # seconds for a worker to start (imports), on a machine under load
# Files given to a worker at once, at most: enough that the parent's replies never keep a
# worker waiting, few enough that the last ones spread over every worker.
BATCH = 16
_READY = "ready"
_ENTRY = "from cntt_analysis.intake.sandbox import serve; serve()"


def cpu_count() -> int:
    try:
        return len(os.sched_getaffinity(0))
    except AttributeError:  # pragma: no cover - not Linux
        return os.cpu_count() or 1


def file_digest(path: Path) -> tuple[int, str] | None:
    """(size, SHA-256) of a file, streamed; None when it cannot be read."""
    digest, size = hashlib.sha256(), 0
    try:
        with open(path, "rb") as handle:
            while chunk := handle.read(1 << 20):
                digest.update(chunk)
                size += len(chunk)
    except OSError:
        return None
    return size, digest.hexdigest()


# Part of the budget kept back: the interpreter maps more than is resident (shared
# libraries, the allocator's reserved arenas), and reading may touch some of it without
# growing the address space, so resident memory can outgrow the address-space allowance a
# little.
_UNMAPPED_SLACK = 24 * 2**20


def _limit_memory(budget: int) -> None:
    """Cap the address space so that the process's resident memory stays under `budget`:
    what it maps now plus what it may still add (`budget` less what is resident now, less
    a slack)."""
    try:
        import resource

        with open("/proc/self/status", encoding="ascii") as handle:
            status = {k: v for k, _, v in (line.partition(":") for line in handle)}
        size, resident = (int(status[k].split()[0]) * 1024 for k in ("VmSize", "VmRSS"))
        _soft, hard = resource.getrlimit(resource.RLIMIT_AS)
        limit = size + max(budget - resident - _UNMAPPED_SLACK, 32 * 2**20)
        if hard != resource.RLIM_INFINITY:
            limit = min(limit, hard)
        resource.setrlimit(resource.RLIMIT_AS, (limit, hard))
    except (OSError, ImportError, KeyError, ValueError):  # pragma: no cover - not Linux
        pass


def _quiet() -> None:
    """Send the worker's stderr to /dev/null once it is ready: the reader's native code
    prints a panic report when an allocation fails, which would only alarm the user (the
    file gets an issue instead)."""
    try:
        devnull = os.open(os.devnull, os.O_WRONLY)
        os.dup2(devnull, 2)
        os.close(devnull)
    except OSError:  # pragma: no cover
        pass


def serve() -> None:
    """A worker's life (``python -c``, its socket's descriptor in argv): the function and
    limits first, then batches of (index, path), one answer (index, result) per file, until
    told to stop or the parent is gone."""
    signal.signal(signal.SIGINT, signal.SIG_IGN)  # Ctrl-C is the parent's to handle
    conn = Connection(int(sys.argv[1]))
    path_list, job = pickle.loads(conn.recv_bytes())
    sys.path[:] = path_list  # where the function's module is found (tests, notebooks)
    func, memory = pickle.loads(job)
    _limit_memory(memory)
    _quiet()
    conn.send(_READY)
    while True:
        try:
            batch = conn.recv()
        except (EOFError, OSError):
            return
        if batch is None:
            return
        for index, path in batch:
            try:
                result = func(Path(path))
            except MemoryError:
                result = None  # the parent records the file as too large
            try:
                conn.send((index, result))
            except OSError:  # the parent is gone
                return


class WorkerError(RuntimeError):
    """A worker could not start (a broken installation, not a file's fault)."""


class Cancelled(RuntimeError):
    """`map_isolated` was told to stop (`stop` set) before every file was read."""


class _Worker:
    """One worker process and the files it was given, in order, not yet answered."""

    def __init__(self, job: bytes, seconds: float):
        self.seconds = seconds
        ours, theirs = socket.socketpair()
        with theirs:
            # The environment is given, not inherited: workers start from a thread while
            # the caller may be importing numpy, which sets and unsets a variable of the C
            # environment, and a child inheriting it could read an array being freed.
            self.proc = subprocess.Popen(
                [sys.executable, "-c", _ENTRY, str(theirs.fileno())],
                pass_fds=(theirs.fileno(),), stdin=subprocess.DEVNULL,
                stdout=subprocess.DEVNULL, stderr=subprocess.PIPE, env=dict(os.environ))
        self.conn = Connection(ours.detach())
        self.conn.send_bytes(job)
        self.ready = False
        self.said = ""
        self.batch: deque[tuple[int, Path]] = deque()
        # When it must have answered: until it is ready, its time is its start (imports).
        self.deadline = time.monotonic() + START_LIMIT

    def give(self, batch: list[tuple[int, Path]]) -> None:
        self.batch.extend(batch)
        # If it has just died (a file killed it), `receive` finds the end of its
        # connection and these files go back to be read by the next worker.
        with contextlib.suppress(OSError):
            self.conn.send([(index, os.fspath(path)) for index, path in batch])
        if self.ready and len(self.batch) == len(batch):  # it was idle: the file starts now
            self.deadline = time.monotonic() + self.seconds

    def receive(self) -> tuple[tuple[int, Any] | None, bool]:
        """The worker's next message, when it has sent one: (its answer (index, result) or
        None, whether the worker is still there)."""
        try:
            message = self.conn.recv()
        except (EOFError, OSError):
            return None, False
        self.deadline = time.monotonic() + self.seconds  # the next file starts now
        if message == _READY:
            self.ready = True
            self._release_stderr()
            return None, True
        return message, True

    def _release_stderr(self) -> None:
        if self.proc.stderr is not None:
            self.proc.stderr.close()
            self.proc.stderr = None

    def failed_to_start(self, overrun: bool) -> WorkerError:
        """Why a worker that never became ready is of no use (after `stop`)."""
        return WorkerError("Không khởi động được tiến trình đọc tệp"
                           + (" (quá thời gian)." if overrun else f":\n{self.said[-3000:]}"))

    def stop(self, kill: bool = False) -> None:
        if not kill:
            try:
                self.conn.send(None)
            except OSError:
                kill = True
        if kill and self.proc.poll() is None:
            self.proc.kill()
        self.conn.close()
        try:
            self.proc.wait(timeout=5)
        except subprocess.TimeoutExpired:  # pragma: no cover - a worker that ignores its stop
            self.proc.kill()
            self.proc.wait()
        if self.proc.stderr is not None:  # what it said before it was ready (an error)
            self.said = self.proc.stderr.read().decode("utf-8", "replace")
        self._release_stderr()


def worker_memory(workers: int) -> int:
    """Each worker's share of WORKERS_MEMORY."""
    return max(WORKER_MINIMUM, WORKERS_MEMORY // max(1, workers))


def map_isolated(func: Callable[[Path], T], paths: Sequence[Path],
                 on_failure: Callable[[Path, str], T], workers: int | None = None,
                 memory: int | None = None, seconds: float = TIME_LIMIT,
                 advance: Callable[[], None] | None = None,
                 receive: Callable[[Any], T] | None = None,
                 stop: threading.Event | None = None) -> list[T]:
    """`func(path)` for every path, in worker processes; a path whose worker dies, runs out
    of memory or time gets `on_failure(path, reason)` instead. Results in `paths` order.

    `func` must be picklable (a module-level function or a partial of one); `memory` is
    each worker's resident-memory limit (default: its share of WORKERS_MEMORY); `receive`
    is applied here to each result as it arrives; `advance` is called once per path; when
    `stop` is set (from another thread), the workers are killed and `Cancelled` raised."""
    results: list[Any] = [None] * len(paths)
    pending = deque(enumerate(paths))
    count = max(1, min(workers or cpu_count(), len(paths)))
    job = pickle.dumps((sys.path, pickle.dumps((func, memory or worker_memory(count)))))
    pool: list[_Worker] = []

    def settle(index: int, result: Any) -> None:
        results[index] = on_failure(paths[index], "memory") if result is None else \
            receive(result) if receive is not None else result
        if advance is not None:
            advance()

    # One selector for the whole run (a new one per wait costs more than a small file's
    # answer): each worker's connection, registered while it is in the pool.
    ready = selectors.DefaultSelector()
    try:
        pool = [_Worker(job, seconds) for _ in range(count)] if paths else []
        for worker in pool:
            ready.register(worker.conn, selectors.EVENT_READ)
        while pending or any(w.batch for w in pool):
            if stop is not None and stop.is_set():
                raise Cancelled("đã dừng đọc tệp")
            for worker in pool:  # topped up before it runs dry, so that it never waits
                size = max(1, min(BATCH, len(pending) // (2 * len(pool))))
                if pending and len(worker.batch) <= size // 2:
                    more = min(size - len(worker.batch), len(pending))
                    worker.give([pending.popleft() for _ in range(more)])
            busy = [w for w in pool if w.batch]
            wait_for = min((w.deadline for w in busy), default=time.monotonic())
            wait = max(0.0, wait_for - time.monotonic())
            if stop is not None:  # a stop is seen within a fifth of a second
                wait = min(wait, 0.2)
            readable = {key.fileobj for key, _ in ready.select(wait)}
            for i, worker in enumerate(pool):
                answer, alive = worker.receive() if worker.conn in readable else (None, True)
                if answer is not None:
                    worker.batch.popleft()
                    settle(*answer)
                overrun = bool(worker.batch) and time.monotonic() >= worker.deadline
                if alive and not overrun:
                    continue
                ready.unregister(worker.conn)
                worker.stop(kill=True)
                if not worker.ready:
                    raise worker.failed_to_start(overrun)
                pool[i] = _Worker(job, seconds)
                ready.register(pool[i].conn, selectors.EVENT_READ)
                if not worker.batch:  # an idle worker gone: nothing lost
                    continue
                # The file it was reading is lost; those queued behind it go back first.
                index, path = worker.batch.popleft()
                pending.extendleft(reversed(worker.batch))
                results[index] = on_failure(path, "time" if alive else "crash")
                if advance is not None:
                    advance()
    finally:
        ready.close()
        for worker in pool:
            worker.stop(kill=bool(worker.batch))
    return results
