"""Where a project's folders are: one place that resolves paths, for the command line and
the notebooks, so `cntt` works from any folder inside a project.

A project is a folder holding ``data/raw`` (the registry and one folder per round); its
results go to ``data/processed`` and its reports to ``reports``.
"""

from __future__ import annotations

from dataclasses import dataclass
from pathlib import Path

RAW = Path("data") / "raw"
PROCESSED = Path("data") / "processed"
REPORTS = Path("reports")


@dataclass(frozen=True)
class Paths:
    """A project's folders (absolute when found from a project folder)."""

    raw: Path
    processed: Path
    reports: Path

    @classmethod
    def of(cls, root: str | Path) -> Paths:
        root = Path(root)
        return cls(root / RAW, root / PROCESSED, root / REPORTS)


def find_project(start: str | Path | None = None) -> Path | None:
    """The nearest folder, from `start` (the current folder) upwards, holding ``data/raw``."""
    here = Path(start if start is not None else Path.cwd()).resolve()
    for folder in (here, *here.parents):
        if (folder / RAW).is_dir():
            return folder
    return None


def project_paths(start: str | Path | None = None) -> Paths:
    """The folders of the project around `start`; outside any project, the default
    relative folders (so messages name ``data/raw`` as the user would type it)."""
    root = find_project(start)
    return Paths.of(root) if root is not None else Paths(RAW, PROCESSED, REPORTS)


def resolve(raw: Path | None = None, processed: Path | None = None,
            reports: Path | None = None, start: str | Path | None = None) -> Paths:
    """Folders given on the command line win; the others come from the project."""
    found = project_paths(start)
    return Paths(raw if raw is not None else found.raw,
                 processed if processed is not None else found.processed,
                 reports if reports is not None else found.reports)
