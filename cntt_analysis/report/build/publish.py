"""Publishing a year's report: versioned builds in ``reports/.builds/`` behind the
``reports/<year>`` symbolic link, flipped atomically; replaced builds kept a while for
readers still inside them; what killed runs left is swept.
"""

from __future__ import annotations

import json
import os
import shutil
import time
from pathlib import Path

from cntt_analysis.storage import process_alive

BUILDS = ".builds"


def build_name(year: int, build_id: str) -> str:
    return f"{year}-{build_id}"


def current_build(reports: Path, year: int) -> Path | None:
    """The build folder ``reports/<year>`` points to (None if it is not a link to one)."""
    link = reports / str(year)
    if link.is_symlink():
        target = link.resolve()
        return target if target.is_dir() else None
    return None


def read_keys(build: Path | None) -> dict[str, str]:
    if build is None:
        return {}
    try:
        return json.loads(build.with_suffix(".json").read_text(encoding="utf-8"))
    except (OSError, ValueError):
        return {}


READER_GRACE = 120.0  # seconds a replaced build stays for readers still inside it


def publish(staging: Path, reports: Path, year: int, build_id: str,
            keys: dict[str, str]) -> Path:
    """Move the staging folder to ``reports/.builds/<year>-<id>`` and point
    ``reports/<year>`` at it by replacing the link atomically (never missing). The build it
    replaces is kept until the next publication, so that a reader still inside it (who
    followed the link just before the flip) can finish; older ones are removed."""
    from cntt_analysis.storage import write_text

    builds = reports / BUILDS
    builds.mkdir(exist_ok=True)
    builds.chmod(_mode(0o755))
    final = builds / build_name(year, build_id)
    if final.exists():  # the same build made earlier and no longer current
        shutil.rmtree(final)
    staging.rename(final)
    write_text(json.dumps(keys, indent=1, sort_keys=True) + "\n", final.with_suffix(".json"))
    final.with_suffix(".json").chmod(_mode(0o644))
    link = reports / str(year)
    replaced = current_build(reports, year)
    temporary = reports / f".{year}.link-{os.getpid()}"
    temporary.unlink(missing_ok=True)
    temporary.symlink_to(Path(BUILDS) / final.name, target_is_directory=True)
    if link.is_dir() and not link.is_symlink():  # a folder from an older version: once
        aside = reports / f".{year}.old-{os.getpid()}"
        link.rename(aside)
        shutil.rmtree(aside, ignore_errors=True)
    os.replace(temporary, link)
    keep = {final.name, final.with_suffix(".json").name}
    if replaced is not None:
        keep |= {replaced.name, replaced.with_suffix(".json").name}
    # Older builds go once published a while ago: a reader who resolved the link before
    # two quick publications in a row (a loaded machine) still finds its files.
    settled = time.time() - READER_GRACE
    for old in builds.glob(f"{year}-*"):
        stamp = old.with_suffix(".json") if old.is_dir() else old
        if old.name in keep or (stamp.exists() and stamp.stat().st_mtime > settled):
            continue
        if old.is_dir():
            shutil.rmtree(old, ignore_errors=True)
        else:
            old.unlink(missing_ok=True)
    return final


def remove_stale_staging(reports: Path, year: int) -> None:
    """What a killed run left (staging folder, temporary link, old folder) is removed
    once its process is gone."""
    for leftover in [*reports.glob(f".{year}.building-*"), *reports.glob(f".{year}.old-*"),
                     *reports.glob(f".{year}.link-*")]:
        pid = leftover.name.split("-")[1] if "-" in leftover.name else ""
        if pid.isdigit() and process_alive(int(pid)):
            continue  # another run at work
        if leftover.is_dir() and not leftover.is_symlink():
            shutil.rmtree(leftover, ignore_errors=True)
        else:
            leftover.unlink(missing_ok=True)


def _mode(mode: int) -> int:
    """`mode` less the process's umask."""
    umask = os.umask(0)
    os.umask(umask)
    return mode & ~umask


def publishable(folder: Path) -> None:
    """Folders 0755 and files 0644, less the umask (mkdtemp makes the staging 0700)."""
    dirs, files = _mode(0o755), _mode(0o644)
    folder.chmod(dirs)
    for path in folder.rglob("*"):
        path.chmod(dirs if path.is_dir() else files)
