"""What a year's facts and documents are computed from, as digests (SHA-256 hex).

Kept free of pandas: an unchanged report is told from these alone, without loading data.
"""

from __future__ import annotations

import hashlib
import json
from collections.abc import Iterable
from pathlib import Path

import cntt_analysis
from cntt_analysis._version import __version__
from cntt_analysis.scoring.manifest import MANIFEST, TABLES, processed_folder
from cntt_analysis.scoring.record import record_digest

DEPARTMENT_FILE = "department.yaml"  # (policy.DEPARTMENT_FILE, not imported: it loads YAML)


def sha(*parts: str | bytes) -> str:
    digest = hashlib.sha256()
    for part in parts:
        digest.update(part if isinstance(part, bytes) else part.encode("utf-8"))
        digest.update(b"\0")
    return digest.hexdigest()


def file_digest(path: Path) -> str:
    """A file's bytes ("absent" when there is none)."""
    return sha(path.read_bytes()) if path.is_file() else "absent"


_PACKAGE: dict[str, str] = {}


def package_digest() -> str:
    """The package's version and source: a code change (even unreleased) rebuilds.
    Computed once per process (the source does not change under a running command)."""
    if "digest" not in _PACKAGE:
        root = Path(cntt_analysis.__file__).parent
        files = sorted(p for p in root.rglob("*") if p.suffix in {".py", ".yaml", ".ipynb"})
        _PACKAGE["digest"] = sha(__version__, *(f"{p.relative_to(root)}:{sha(p.read_bytes())}"
                                               for p in files))
    return _PACKAGE["digest"]


def publication_digest(processed: Path, year: int) -> str:
    """The year's finalisation record: finalising turns every "DỰ THẢO" page final."""
    return record_digest(processed, year)


def round_digest(processed: Path, years: Iterable[int]) -> str:
    """Every processed table and input manifest of `years` (what the analyses read), and
    whether each year's results are final."""
    parts = []
    for year in years:
        parts.append(f"{year}/publication:{publication_digest(processed, year)}")
        folder = processed_folder(processed, year)
        for name in (*(f"{t}.parquet" for t in TABLES), MANIFEST):
            parts.append(f"{year}/{name}:{file_digest(folder / name)}")
    return sha(*parts)


def raw_settings_digest(raw: Path, years: Iterable[int]) -> str:
    """What the facts read from the raw folder besides the processed tables: the registry,
    the department's particulars, each round's settings and rubric files (``*.yaml``) and
    the names of its files (an inspection file is told by its name)."""
    parts = [f"units.csv:{file_digest(raw / 'units.csv')}",
             f"{DEPARTMENT_FILE}:{file_digest(raw / DEPARTMENT_FILE)}"]
    for year in years:
        folder = raw / str(year)
        names = sorted(p.name for p in folder.iterdir()) if folder.is_dir() else []
        parts.append(json.dumps([year, names]))
        parts += [f"{year}/{name}:{file_digest(folder / name)}" for name in names
                  if name.endswith((".yaml", ".yml"))]
    return sha(*parts)


def facts_digest(raw: Path, processed: Path, year: int, years: Iterable[int]) -> str:
    """Everything the facts of `year` are computed from (`years`: the rounds up to it)."""
    years = list(years)
    return sha("facts", str(year), package_digest(), round_digest(processed, years),
               raw_settings_digest(raw, years))
