"""What a round's processed results were computed from (``inputs.json``) and whether they
are stale. Kept free of pandas so that `cntt score` can tell an unchanged round quickly."""

from __future__ import annotations

import json
from pathlib import Path
from typing import Any

from cntt_analysis._version import __version__
from cntt_analysis.intake.rounds import Round, load_round, round_files
from cntt_analysis.storage import file_sha256

MANIFEST = "inputs.json"
TABLES = ("answers", "points", "scores", "issues", "register", "corrections", "shortcomings",
          "criterion_scores")
FINAL = "final.json"  # the record of finalised results (see scoring.publication)


def publication_folder(processed_dir: str | Path, year: int) -> Path:
    """Where a year's publication records live: beside the round's processed set, not in
    it, since every scoring run replaces that set as a whole (here, not in
    scoring.publication, so that telling a round's state needs no pandas)."""
    return Path(processed_dir) / f"{year}-cong-bo"


def processed_folder(processed_dir: str | Path, year: int) -> Path:
    return Path(processed_dir) / str(year)


def registry_path(raw_dir: str | Path) -> Path:
    return Path(raw_dir) / "units.csv"


def input_manifest(rnd: Round, raw_dir: str | Path,
                   read: dict[str, tuple[int, str]] | None = None) -> dict[str, Any]:
    """What a round's results were computed from: every raw file of the round (name, size,
    SHA-256), the registry, the rubric files and the package version.

    With `read` (the submissions as intake read them), submissions are listed as read, not
    as they are now: one that arrived or changed during the run makes the results stale."""
    rubrics = [Path(p) for p in (rnd.rubric.path, rnd.rubric.previous_path()) if p]
    skip = {p.name for p in rnd.submissions()} if read is not None else set()
    files = {p.name: [p.stat().st_size, file_sha256(p)]
             for p in round_files(rnd.folder) if p.name not in skip}
    files |= {name: list(value) for name, value in (read or {}).items()}
    # Systems' exports may sit in a subfolder of the round (round.yaml `imports`).
    for spec in rnd.imports:
        export = rnd.folder / spec.file
        if spec.file not in files and export.is_file() and \
                export.resolve().is_relative_to(rnd.folder.resolve()):
            files[spec.file] = [export.stat().st_size, file_sha256(export)]
    return {
        "version": __version__,
        "round": dict(sorted(files.items())),
        "registry": file_sha256(registry_path(raw_dir)),
        "rubrics": {p.name: file_sha256(p) for p in rubrics if p.is_file()},
    }


def is_stale(raw_dir: str | Path, processed_dir: str | Path, year: int) -> bool:
    """Whether a round's processed files are missing or were computed from other inputs
    (a file added, changed, removed or renamed; the registry, rubric or package changed)."""
    folder = processed_folder(processed_dir, year)
    stored = folder / MANIFEST
    if not stored.is_file() or not all((folder / f"{n}.parquet").is_file() for n in TABLES):
        return True
    current = input_manifest(load_round(raw_dir, year), raw_dir)
    return bool(json.loads(stored.read_text(encoding="utf-8")) != current)
