"""The year's facts computed once and kept beside the processed data, keyed by what they
are computed from: `cntt report` computes them before its notebooks run, and every
notebook (and an analyst's, in Jupyter) reads them instead of computing them again.

The cache is ``<processed>/.cache/facts/<year>-<key>/`` (`write_facts`' files). A change to
a processed table, the finalisation record, the registry, the department's particulars, a
round's settings or rubric, or the package makes another key; the older folders of the
year are removed once a newer one is written (after a grace period for readers still
inside). A processed folder that cannot be written to only means no cache.
"""

from __future__ import annotations

import os
import shutil
import tempfile
import time
from pathlib import Path
from typing import TYPE_CHECKING

from cntt_analysis.frames import copy_on_write, shared_fields
from cntt_analysis.report.facts.year import FACTS_FILE, YearFacts, read_facts, write_facts
from cntt_analysis.report.inputs import facts_digest

if TYPE_CHECKING:
    from cntt_analysis.analysis.results import Results

CACHE = Path(".cache") / "facts"
FIGURES = Path(".cache") / "figures"  # the charts' images (report.html.blocks.figure)
READER_GRACE = 120.0  # seconds an older cache folder stays for readers still inside it
# The facts last read in this process (a kernel running many notebooks reads them once).
_READ: dict[Path, YearFacts] = {}
copy_on_write()  # before any frame is read: each reader gets a shallow copy


def facts_folder(raw_dir: str | Path, processed_dir: str | Path, year: int) -> Path:
    """Where the facts of `year`, as the data are now, are (or would be) kept."""
    from cntt_analysis.intake.rounds import available_years

    raw, processed = Path(raw_dir), Path(processed_dir)
    years = [y for y in available_years(raw) if y <= year]
    return processed / CACHE / f"{year}-{facts_digest(raw, processed, year, years)[:20]}"


def cached_facts(raw_dir: str | Path, processed_dir: str | Path, year: int,
                 results: Results | None = None, computed: YearFacts | None = None
                 ) -> YearFacts:
    """The facts of `year`: read from the cache when they are there, else `computed` (the
    facts of the data as they are now, already made: by the scoring that wrote them) or
    computed (from `results` when given, else loaded), and kept. Each call gets its own
    shallow copies of the frames (copy-on-write: a notebook that changes one changes only
    its copy)."""
    folder = facts_folder(raw_dir, processed_dir, year)
    facts = _READ.get(folder)
    if facts is None:
        facts = _read(folder)
    if facts is None:
        facts = computed if computed is not None else \
            _compute(raw_dir, processed_dir, year, results)
        _keep(facts, folder)
    _READ.clear()
    _READ[folder] = facts
    return shared_fields(facts)


def _read(folder: Path) -> YearFacts | None:
    if not (folder / FACTS_FILE).is_file():
        return None
    try:
        return read_facts(folder)
    except (OSError, ValueError, KeyError, TypeError):  # swept or damaged: computed again
        return None


def _compute(raw_dir: str | Path, processed_dir: str | Path, year: int,
             results: Results | None) -> YearFacts:
    from cntt_analysis.report.facts.policy import load_particulars
    from cntt_analysis.report.facts.year import load_facts, year_facts
    from cntt_analysis.scoring import publication

    if results is None:
        return load_facts(raw_dir, processed_dir, year)
    return year_facts(results, year, load_particulars(raw_dir, year),
                      publication.status(processed_dir, year))


def _keep(facts: YearFacts, folder: Path) -> None:
    """Write the facts into `folder` as a whole (a staging folder renamed into place), then
    sweep the year's older folders; nothing when the processed folder is read-only."""
    try:
        folder.parent.mkdir(parents=True, exist_ok=True)
        stage = Path(tempfile.mkdtemp(prefix=f".{folder.name}.", dir=folder.parent))
    except OSError:
        return
    try:
        write_facts(facts, stage)
        os.rename(stage, folder)
    except OSError:  # another process kept the same facts first, or the disk refused
        shutil.rmtree(stage, ignore_errors=True)
        return
    _sweep(folder)


def _sweep(kept: Path) -> None:
    year = kept.name.split("-")[0]
    settled = time.time() - READER_GRACE
    for old in kept.parent.glob(f"{year}-*"):
        if old != kept and old.stat().st_mtime < settled:
            shutil.rmtree(old, ignore_errors=True)
    for stale in kept.parent.glob(f".{year}-*"):  # staging folders of killed runs
        if stale.stat().st_mtime < settled:
            shutil.rmtree(stale, ignore_errors=True)
