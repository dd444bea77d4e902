"""What each document of a year's report is built from, as one hash per document.

A document is rebuilt only when its key changes. The key covers the notebook, its
parameters, the package (version and source) and the data the notebook reads:

* the annual report and the analyses read every table of every round up to the year, so
  their key covers each round's processed tables and input manifest (the raw files, the
  registry, the rubric);
* a unit's profile reads only that unit's rows of each table (every year) and the scores of
  the units of its group (group averages, ranks, group size), plus the registry, rubrics
  and round settings. So after one unit's workbook changes, the profiles of the other
  group are reused, while those of its own group are rebuilt (their ranks and group
  averages may have moved).
"""

from __future__ import annotations

import hashlib
import json
from collections.abc import Iterable
from pathlib import Path
from typing import TYPE_CHECKING

import cntt_analysis
from cntt_analysis._version import __version__
from cntt_analysis.scoring.manifest import MANIFEST, TABLES, processed_folder

if TYPE_CHECKING:  # pandas is loaded only when documents must be keyed one by one
    import pandas as pd

    from cntt_analysis.analysis.results import Results

UNIT_TABLES = ("scores", "points", "answers", "issues", "register", "corrections",
               "shortcomings")


def sha(*parts: str | bytes) -> str:
    digest = hashlib.sha256()
    for part in parts:
        digest.update(part if isinstance(part, bytes) else part.encode("utf-8"))
        digest.update(b"\0")
    return digest.hexdigest()


def package_digest() -> str:
    """The package's version and source: a code change (even unreleased) rebuilds."""
    root = Path(cntt_analysis.__file__).parent
    files = sorted(p for p in root.rglob("*") if p.suffix in {".py", ".yaml", ".ipynb"})
    return sha(__version__, *(f"{p.relative_to(root)}:{sha(p.read_bytes())}" for p in files))


def folder_digest(folder: Path) -> str:
    """The notebooks of a folder (names and bytes)."""
    return sha(*(f"{p.name}:{sha(p.read_bytes())}" for p in sorted(folder.glob("*.ipynb"))))


def publication_digest(processed: Path, year: int) -> str:
    """The year's finalisation record: finalising turns every "DỰ THẢO" page final."""
    from cntt_analysis.scoring.publication import FINAL, publication_folder

    record = publication_folder(processed, year) / FINAL
    return sha(record.read_bytes()) if record.is_file() else "draft"


def round_digest(processed: Path, years: Iterable[int]) -> str:
    """Every processed table and input manifest of `years` (what the analyses read), and
    whether each year's results are final."""
    parts = []
    for year in years:
        parts.append(f"{year}/publication:{publication_digest(processed, year)}")
        folder = processed_folder(processed, year)
        for name in (*(f"{t}.parquet" for t in TABLES), MANIFEST):
            parts.append(f"{year}/{name}:{sha((folder / name).read_bytes())}")
    return sha(*parts)


def settings_digest(processed: Path, years: Iterable[int]) -> str:
    """What every profile reads besides the data rows: registry, rubrics, round settings."""
    parts = []
    for year in years:
        manifest = json.loads((processed_folder(processed, year) / MANIFEST).read_text("utf-8"))
        parts.append(json.dumps([year, manifest.get("registry"), manifest.get("rubrics"),
                                 manifest.get("version"),
                                 manifest.get("round", {}).get("round.yaml"),
                                 publication_digest(processed, year)], sort_keys=True))
    return sha(*parts)


def _row_digests(frame: pd.DataFrame) -> pd.Series:
    """One digest per unit_id of its rows (in their stored order)."""
    import pandas as pd

    if frame.empty:
        return pd.Series(dtype=object)
    hashed = pd.util.hash_pandas_object(frame.astype(str), index=False)
    keyed = pd.DataFrame({"unit_id": frame["unit_id"].astype(str).to_numpy(),
                          "h": hashed.to_numpy()})
    return keyed.groupby("unit_id", sort=True)["h"].apply(
        lambda h: sha(h.to_numpy().tobytes()))


def unit_digests(results: Results, units: Iterable[str]) -> dict[str, str]:
    """Per unit: its own rows of every table and its group's scores (every year)."""
    import pandas as pd

    own = {name: _row_digests(getattr(results, name)) for name in UNIT_TABLES}
    scores = results.scores
    groups = {u: sorted(set(scores.loc[scores["unit_id"] == u, "group"].astype(str)))
              for u in units}
    group_rows = {g: sha(pd.util.hash_pandas_object(
        scores[scores["group"].astype(str) == g].astype(str), index=False).to_numpy().tobytes())
        for g in sorted({g for gs in groups.values() for g in gs})}
    return {u: sha(*(f"{n}:{own[n].get(u, '')}" for n in UNIT_TABLES),
                   *(f"group {g}:{group_rows[g]}" for g in groups[u]))
            for u in units}


def notebook_key(notebook: Path, parameters: dict, package: str, data: str) -> str:
    return sha(notebook.read_bytes(), json.dumps(parameters, sort_keys=True, default=str),
               package, data)
