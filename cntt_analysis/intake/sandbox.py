"""Reading files in worker processes that no single file can take down.

A submitted workbook may be made so that reading it allocates hundreds of gigabytes (one
value at XFD1048576, a damaged .xls dimensions record) or takes very long. Such a file
aborts the process that reads it (an allocation failure in the reader's native code is an
abort, not an exception), so reading happens in a small pool of reused worker processes,
each with a memory limit (RLIMIT_AS) and a time limit per file. A worker that dies or runs
out of time takes only its file with it: that file gets `on_failure`'s result and the pool
goes on with a fresh worker. The same pool is how a round's files are read in parallel.
"""

from __future__ import annotations

import hashlib
import multiprocessing as mp
import multiprocessing.connection
import os
import signal
import time
from collections import deque
from collections.abc import Callable, Sequence
from pathlib import Path
from typing import Any, TypeVar

T = TypeVar("T")

MEMORY_LIMIT = 512 * 2**20  # resident memory a worker may reach, what it starts with included
TIME_LIMIT = 30.0  # seconds per file


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


# Part of the budget kept back: a forked worker maps more than is resident (its parent's
# reserved but untouched memory), and reading may touch some of it without growing the
# address space, so resident memory can outgrow the address-space allowance a little.
_UNMAPPED_SLACK = 128 * 2**20


def _limit_memory(budget: int) -> None:
    """Cap the address space so that the process's resident memory stays under `budget`:
    what it maps now plus what it may still add (`budget` less what is resident now, less
    a slack; a forked worker starts with its parent's pages)."""
    try:
        import resource

        with open("/proc/self/status", encoding="ascii") as handle:
            status = {k: v for k, _, v in (line.partition(":") for line in handle)}
        size, resident = (int(status[k].split()[0]) * 1024 for k in ("VmSize", "VmRSS"))
        _soft, hard = resource.getrlimit(resource.RLIMIT_AS)
        limit = size + max(budget - resident - _UNMAPPED_SLACK, 64 * 2**20)
        if hard != resource.RLIM_INFINITY:
            limit = min(limit, hard)
        resource.setrlimit(resource.RLIMIT_AS, (limit, hard))
    except (OSError, ImportError, KeyError, ValueError):  # pragma: no cover - not Linux
        pass


def _quiet() -> None:
    """Send the worker's stderr to /dev/null: the reader's native code prints a panic
    report when an allocation fails, which would only alarm the user (the file gets an
    issue instead)."""
    import faulthandler

    faulthandler.disable()  # a parent's fault handler would still write to the old stderr
    try:
        devnull = os.open(os.devnull, os.O_WRONLY)
        os.dup2(devnull, 2)
        os.close(devnull)
    except OSError:  # pragma: no cover
        pass


def _serve(conn: Any, func: Callable[[Path], Any], memory: int) -> None:
    """Worker loop: read one path at a time until told to stop or the parent is gone."""
    signal.signal(signal.SIGINT, signal.SIG_IGN)  # Ctrl-C is the parent's to handle
    _quiet()
    _limit_memory(memory)
    while True:
        try:
            task = conn.recv()
        except (EOFError, OSError):
            return
        if task is None:
            return
        index, path = task
        try:
            result = func(Path(path))
        except MemoryError:
            result = None  # the parent records the file as too large
        conn.send((index, result))


class _Worker:
    def __init__(self, ctx: Any, func: Callable[[Path], Any], memory: int):
        self.conn, child = ctx.Pipe()
        self.proc = ctx.Process(target=_serve, args=(child, func, memory), daemon=True)
        self.proc.start()
        child.close()
        self.task: tuple[int, Path] | None = None
        self.started = 0.0

    def give(self, task: tuple[int, Path]) -> None:
        self.task, self.started = task, time.monotonic()
        self.conn.send((task[0], os.fspath(task[1])))

    def take(self) -> tuple[bool, Any]:
        """(True, result) when the worker answered, (False, None) when it is gone."""
        try:
            if self.conn.poll():
                index, result = self.conn.recv()
                if self.task is not None and index == self.task[0]:
                    return True, result
        except (EOFError, OSError):
            pass
        return False, None

    def stop(self, kill: bool = False) -> None:
        if not kill:
            try:
                self.conn.send(None)
            except OSError:
                kill = True
        if kill and self.proc.is_alive():
            self.proc.kill()
        self.conn.close()
        self.proc.join(timeout=5)
        if self.proc.is_alive():  # pragma: no cover - a worker that ignores its stop
            self.proc.kill()
            self.proc.join()


def _context() -> Any:
    # fork: a worker starts in milliseconds with everything already imported.
    methods = mp.get_all_start_methods()
    return mp.get_context("fork" if "fork" in methods else "spawn")


def map_isolated(func: Callable[[Path], T], paths: Sequence[Path],
                 on_failure: Callable[[Path, str], T], workers: int | None = None,
                 memory: int = MEMORY_LIMIT, seconds: float = TIME_LIMIT,
                 advance: Callable[[], None] | None = None) -> list[T]:
    """`func(path)` for every path, in worker processes; a path whose worker dies, runs out
    of memory or time gets `on_failure(path, reason)` instead. Results in `paths` order."""
    results: list[Any] = [None] * len(paths)
    pending = deque(enumerate(paths))
    count = max(1, min(workers or cpu_count(), len(paths)))
    ctx = _context()
    pool: list[_Worker] = []
    try:
        pool = [_Worker(ctx, func, memory) for _ in range(count)] if paths else []
        while pending or any(w.task for w in pool):
            for worker in pool:
                if worker.task is None and pending:
                    worker.give(pending.popleft())
            busy = [w for w in pool if w.task is not None]
            wait_for = max(0.0, min(w.started for w in busy) + seconds - time.monotonic())
            mp.connection.wait([w.conn for w in busy] + [w.proc.sentinel for w in busy],
                               timeout=wait_for)
            for i, worker in enumerate(pool):
                if worker.task is None:
                    continue
                index, path = worker.task
                answered, result = worker.take()
                if answered and result is not None:
                    results[index] = result
                elif answered:  # MemoryError inside the worker
                    results[index] = on_failure(path, "memory")
                elif worker.proc.is_alive() and \
                        time.monotonic() - worker.started < seconds:
                    continue
                else:
                    reason = "time" if worker.proc.is_alive() else "crash"
                    results[index] = on_failure(path, reason)
                    worker.stop(kill=True)
                    pool[i] = _Worker(ctx, func, memory)
                worker.task = None
                if advance is not None:
                    advance()
    finally:
        for worker in pool:
            worker.stop(kill=worker.task is not None)
    return results
