"""A folder whose disk is full or read-only, for the commands' disk-error tests.

Real conditions when the tests may mount (root with CAP_SYS_ADMIN, as in CI): a small
tmpfs mounted on the folder, holding a copy of what the folder held, then filled to the
last byte or remounted read-only. Where mounting is not allowed, the same refusal is
injected in-process at the system calls every writer goes through (open, mkdir, rename),
for paths inside the folder: the test still runs, never skips.
"""

from __future__ import annotations

import builtins
import errno
import os
import shutil
import subprocess
import tempfile
from collections.abc import Iterator
from contextlib import contextmanager
from pathlib import Path

import pytest

FULL, READ_ONLY = "full", "read-only"
_ERRNO = {FULL: errno.ENOSPC, READ_ONLY: errno.EROFS}


def _run(*args: str) -> bool:
    return subprocess.run(args, capture_output=True).returncode == 0


def _mount(folder: Path) -> bool:
    if os.environ.get("CNTT_TEST_NO_MOUNT"):  # to run the injected variant where mounts work
        return False
    return os.geteuid() == 0 and _run("mount", "-t", "tmpfs", "-o", "size=4m", "tmpfs",
                                      str(folder))


def _fill(folder: Path) -> None:
    """Write until the disk has no byte left."""
    with open(folder / ".ballast", "wb", buffering=0) as handle:
        chunk = b"\0" * 65536
        while True:
            try:
                handle.write(chunk)
            except OSError as exc:
                if exc.errno != errno.ENOSPC:
                    raise
                if len(chunk) == 1:
                    break
                chunk = chunk[:len(chunk) // 2]


@contextmanager
def broken_folder(folder: Path, kind: str, monkeypatch: pytest.MonkeyPatch) -> Iterator[str]:
    """Make `folder` (created if missing) full or read-only; yields how ("mount" or
    "injected"). Its content stays readable, as it was."""
    folder.mkdir(parents=True, exist_ok=True)
    kept = Path(tempfile.mkdtemp())
    shutil.copytree(folder, kept, symlinks=True, dirs_exist_ok=True)
    if _mount(folder):
        try:
            shutil.copytree(kept, folder, symlinks=True, dirs_exist_ok=True)
            if kind == FULL:
                _fill(folder)
            else:
                assert _run("mount", "-o", "remount,ro", str(folder))
            yield "mount"
        finally:
            _run("umount", "-l", str(folder))
            shutil.rmtree(kept, ignore_errors=True)
        return
    shutil.rmtree(kept, ignore_errors=True)
    with monkeypatch.context() as patch:
        _inject(patch, folder.resolve(), _ERRNO[kind])
        yield "injected"


def _inject(patch: pytest.MonkeyPatch, folder: Path, code: int) -> None:
    def inside(path) -> bool:
        try:
            return Path(os.fsdecode(path)).absolute().resolve().is_relative_to(folder)
        except (TypeError, ValueError):
            return False

    def refuse(path):
        raise OSError(code, os.strerror(code), os.fsdecode(path))

    real_open, real_os_open = builtins.open, os.open
    real_mkdir, real_rename, real_replace = os.mkdir, os.rename, os.replace

    def open_(file, mode="r", *args, **kwargs):
        if isinstance(file, (str, bytes, os.PathLike)) and set(mode) & set("wax+") \
                and inside(file):
            refuse(file)
        return real_open(file, mode, *args, **kwargs)

    def os_open(path, flags, *args, **kwargs):
        if flags & (os.O_WRONLY | os.O_RDWR | os.O_CREAT) and inside(path):
            refuse(path)
        return real_os_open(path, flags, *args, **kwargs)

    def mkdir(path, *args, **kwargs):
        if inside(path) and not os.path.isdir(path):
            refuse(path)
        return real_mkdir(path, *args, **kwargs)

    def move(real):
        def moved(src, dst, *args, **kwargs):
            if inside(dst) or inside(src):
                refuse(dst)
            return real(src, dst, *args, **kwargs)
        return moved

    patch.setattr(builtins, "open", open_)
    patch.setattr(os, "open", os_open)
    patch.setattr(os, "mkdir", mkdir)
    patch.setattr(os, "rename", move(real_rename))
    patch.setattr(os, "replace", move(real_replace))
