"""What each document of a year's report is built from, as one hash per document.

A document is rebuilt only when its key changes. The key covers the notebook, its
parameters, the package (version and source) and what the document shows:

* the annual report and the analyses read every table of every round up to the year, so
  their key covers each round's processed tables and input manifest (the raw files, the
  registry, the rubric);
* a unit's profile shows the unit's own results and where it stands, never figures of the
  other units: its key covers its rows of the year's facts (score, tier, rank, group size,
  change, corrections and the points others' corrections moved, shortcomings, missing
  answers, follow-up, evidence, issues), its points and answers of the year, its scores of
  every year with its group's size then, the year's statements every page carries (draft,
  partial round, synthetic data) and the registry, rubrics and round settings. So after
  one unit's workbook changes, that unit's profile is rebuilt, and another's only when
  what it shows moved (its rank, a point scored against the group's best, a correction
  of that unit's figures naming it).
"""

from __future__ import annotations

import json
from collections.abc import Iterable
from pathlib import Path
from typing import TYPE_CHECKING

from cntt_analysis.report.inputs import (
    DEPARTMENT_FILE,
    package_digest,
    publication_digest,
    round_digest,
    sha,
)
from cntt_analysis.scoring.manifest import MANIFEST, processed_folder

if TYPE_CHECKING:  # pandas is loaded only when documents must be keyed one by one
    import pandas as pd

    from cntt_analysis.analysis.results import Results
    from cntt_analysis.report.facts import YearFacts

# The year's own tables of results a profile reads one unit's rows of (its points table
# and its indicators' answers); the year's facts are read whole (every frame by unit).
YEAR_TABLES = ("points", "answers")


__all__ = ["documents_digest", "folder_digest", "notebook_key", "package_digest",
           "publication_digest", "round_digest", "settings_digest", "sha", "shared_digest",
           "unit_digests"]


def folder_digest(folder: Path) -> str:
    """The notebooks of a folder (names and bytes)."""
    return sha(*(f"{p.name}:{sha(p.read_bytes())}" for p in sorted(folder.glob("*.ipynb"))))


def documents_digest(raw: Path, processed: Path, year: int, years: Iterable[int]) -> str:
    """What the official (Word) documents are made from: the package, every round's tables
    and settings, the department's particulars and the document templates (a clerk's own
    ones included). Also the whole build's key, with the notebooks'."""
    from cntt_analysis.report.facts import load_particulars
    from cntt_analysis.report.word.template_files import templates_digest

    department = raw / DEPARTMENT_FILE
    return sha(package_digest(), round_digest(processed, years),
               department.read_bytes() if department.is_file() else b"",
               templates_digest(raw, load_particulars(raw, year)))


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


def shared_digest(facts: YearFacts) -> str:
    """What every page of the year states besides its own data: the facts' scalars (draft
    or final, synthetic, partial, the department's rules, deadlines) and, in a partial
    round, how many units reported."""
    from cntt_analysis.report.facts.year import SCALARS

    scalars = {name: getattr(facts, name) for name in SCALARS}
    # Where department.yaml was read (for messages) is not stated on any page: facts kept
    # in a project copied or moved elsewhere must not rebuild every profile.
    scalars["policy"] = {k: v for k, v in facts.policy.to_dict().items() if k != "source"}
    counts = f"{facts.reported}/{facts.registered}" if facts.partial else "complete"
    return sha(json.dumps(scalars, sort_keys=True, default=repr), counts)


def unit_digests(facts: YearFacts, results: Results, units: Iterable[str]
                 ) -> dict[str, str]:
    """Per unit: what its profile shows (see the module's docstring)."""
    from cntt_analysis.report.facts.year import FRAMES

    year = facts.year
    frames = {f"facts.{name}": getattr(facts, name) for name in FRAMES
              if "unit_id" in getattr(facts, name).columns}
    frames |= {name: results.of_year(name, year) for name in YEAR_TABLES}
    history = results.scores[results.scores["year"] <= year]
    frames["history"] = history
    own = {name: _row_digests(frame) for name, frame in frames.items()}
    # The group's size each year beside the unit's rank ("hạng 3/11").
    sizes = history.groupby(["year", "group"])["unit_id"].nunique()
    size_of = {u: [f"{y}/{g}:{sizes.get((y, g), 0)}" for y, g in zip(rows["year"], rows["group"])]
               for u, rows in history.groupby("unit_id")}
    return {u: sha(*(f"{name}:{own[name].get(u, '')}" for name in sorted(own)),
                   *size_of.get(u, []))
            for u in units}


def notebook_key(notebook: Path, parameters: dict, package: str, data: str) -> str:
    return sha(notebook.read_bytes(), json.dumps(parameters, sort_keys=True, default=str),
               package, data)
