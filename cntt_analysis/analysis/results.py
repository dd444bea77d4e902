"""Every processed round at once, for analyses across years (what the notebooks load)."""

from __future__ import annotations

from dataclasses import dataclass, field
from pathlib import Path

import pandas as pd

from cntt_analysis.analysis.lineage import links
from cntt_analysis.errors import UsageError
from cntt_analysis.frames import copy_on_write, shared_fields
from cntt_analysis.intake.registry import (
    active_units,
    load_registry,
    renamed_ids,
    with_round_lists,
)
from cntt_analysis.intake.rounds import Round, available_years, load_round
from cntt_analysis.rubric.model import Rubric
from cntt_analysis.scoring.manifest import MANIFEST, TABLES, processed_folder, registry_path
from cntt_analysis.scoring.pipeline import RoundResult, load_processed
from cntt_analysis.scoring.shortcomings import follow_up, without_data


@dataclass
class Results:
    """The tidy tables of several rounds, concatenated, with each round's settings."""

    rounds: dict[int, Round]
    registry: pd.DataFrame
    scores: pd.DataFrame
    points: pd.DataFrame
    answers: pd.DataFrame
    issues: pd.DataFrame
    register: pd.DataFrame
    corrections: pd.DataFrame
    shortcomings: pd.DataFrame
    # Results and ranks per unit and criterion (pillar).
    criterion_scores: pd.DataFrame = field(default_factory=pd.DataFrame)

    @property
    def years(self) -> list[int]:
        return sorted(self.rounds)

    def rubric(self, year: int) -> Rubric:
        return self.rounds[year].rubric

    def synthetic(self, year: int | None = None) -> bool:
        chosen = [year] if year is not None else self.years
        return any(self.rounds[y].synthetic for y in chosen)

    def of_year(self, table: str, year: int) -> pd.DataFrame:
        frame = getattr(self, table)
        return frame[frame["year"] == year].reset_index(drop=True)

    def previous_year(self, year: int) -> int | None:
        return max((y for y in self.years if y < year), default=None)

    def units_of(self, year: int) -> pd.DataFrame:
        """The registry of `year`'s round: the units existing that year (``since`` /
        ``until``), with the round's unit lists as flag columns and its unranked units
        marked, under the ids the tables use (a renamed unit under its current id)."""
        registry = self.registry
        if {"since", "until"} <= set(registry.columns):
            registry = active_units(registry, year)
        rnd = self.rounds.get(year)
        if rnd is not None:
            lists = {k: v for k, v in rnd.unit_lists.items() if k not in registry.columns}
            registry = with_round_lists(registry, lists, rnd.not_ranked,
                                        str(rnd.folder / "round.yaml"))
        renamed = renamed_ids(self.registry)
        if renamed:
            registry = registry.assign(unit_id=registry["unit_id"].map(
                lambda u: renamed.get(u, u)))
        return registry.reset_index(drop=True)

    def missing_indicators(self, year: int) -> set[tuple[str, str]]:
        """(unit_id, indicator) pairs of `year` reading a figure missing that year: a
        required answer the unit left blank, or one the appraiser or a system has not
        supplied (`shortcomings.without_data`)."""
        return without_data(self.of_year("answers", year), self.rubric(year),
                            self.units_of(year))

    def shortcomings_of(self, year: int,
                        blank: set[tuple[str, str]] | None = None) -> pd.DataFrame:
        """`year`'s shortcomings proper: without indicators whose answer is missing (rounds
        scored before missing data was told apart still list them). `blank` is
        `missing_indicators(year)` when the caller has it already."""
        found = self.of_year("shortcomings", year)
        blank = self.missing_indicators(year) if blank is None else blank
        if not blank or found.empty:
            return found
        keep = [(u, i) not in blank for u, i in zip(found["unit_id"], found["indicator"])]
        return found[keep].reset_index(drop=True)

    def carriers(self, year: int, since: int) -> dict[str, list[str]]:
        """Units of the round of `since` whose shortcomings another unit answers for in
        `year`: a unit merged or split (successors starting after `since`, up to `year`)
        → the successors existing in `year`, following later changes too; a unit that no
        longer exists and has no successor → [] (nothing to follow up). Units existing
        in `year` are not listed (they answer for their own)."""
        now = set(self.units_of(year)["unit_id"])
        then = set(self.of_year("shortcomings", since)["unit_id"])
        found = links(self.registry)
        after: dict[str, list[str]] = {}
        for link in found.itertuples(index=False):
            if link.since is None or since < link.since <= year:
                for old in link.previous_ids:
                    after.setdefault(old, []).append(link.unit_id)

        def heirs(unit: str, seen: frozenset[str]) -> list[str]:
            if unit in now:
                return [unit]
            return [h for new in after.get(unit, []) if new not in seen
                    for h in heirs(new, seen | {new})]

        return {u: sorted(set(heirs(u, frozenset({u})))) for u in sorted(then - now)}

    def follow_up(self, year: int) -> pd.DataFrame:
        """Last round's shortcomings judged on `year`'s points (empty in the first year);
        one whose figure is missing this year is "no data", not "not remedied". A unit
        formed by merging others, or split from one, answers for its predecessors'
        shortcomings (each row names the unit it was found at: ``previous_unit_id``); a
        unit dissolved with no successor is not followed up."""
        previous = self.previous_year(year)
        if previous is None:
            return follow_up(self.shortcomings.iloc[0:0], self.points.iloc[0:0],
                             self.rubric(year))
        return follow_up(self.shortcomings_of(previous), self.of_year("points", year),
                         self.rubric(year), self.rubric(previous),
                         missing=self.missing_indicators(year),
                         carriers=self.carriers(year, previous))


def round_results(result: RoundResult) -> Results:
    """One round just scored (`score_round`), as Results (no earlier years: nothing is
    compared with last year)."""
    return Results(rounds={result.year: result.round}, registry=result.registry,
                   **{name: join_renamed(getattr(result, name), result.registry)
                      for name in TABLES})


def load_results(raw_dir: str | Path, processed_dir: str | Path,
                 up_to: int | None = None) -> Results:
    """Load every processed round (up to year `up_to`). Read-only: it never scores
    (``cntt score`` or ``cntt report`` do); a round not scored yet is a clear error.

    In: `raw_dir` (round folders and ``units.csv``), `processed_dir` (what ``cntt score``
    wrote there). Out: ``Results`` with the rounds' tables concatenated over the years —
    ``scores``, ``points``, ``answers``, ``issues``, ``register``, ``corrections``,
    ``shortcomings``, ``criterion_scores`` (the columns of ``score_round``'s tables), a
    renamed unit's earlier rows under its current id — plus ``rounds`` (year → Round), ``registry``,
    ``rubric(year)``, ``of_year(table, year)`` and ``follow_up(year)``.

    Example::

        >>> res = load_results("data/raw", "data/processed")
        >>> res.years
        [2015, 2016, 2017]
        >>> res.scores.shape, list(res.scores.columns[:7])
        ((65, 20), ['year', 'unit_id', 'name', 'group', 'score', 'tier', 'rank'])
    """
    if _SHARED is not None:
        return _shared(raw_dir, processed_dir, up_to)
    return _load(raw_dir, processed_dir, up_to)


# A kept kernel's notebooks read the same tables: `share_loaded` has `load_results` read
# them once (until a file changes) and hand each call shallow copies.
_SHARED: dict[tuple, Results] | None = None


def share_loaded(on: bool = True) -> None:
    """From now on in this process (a kept kernel running many notebooks, `cntt report`),
    `load_results` reads a project's processed tables once for every notebook: each call
    gets its own shallow copies of the frames (pandas copy-on-write: a notebook that
    changes a frame changes only its copy); files changed on disk are read again. Inside
    the function, not around it, so that a module that imported `load_results` by name
    before this was called (`report.html.sections`, imported by a kernel's warm-up) shares
    too. ``on=False`` turns it off and forgets what was read."""
    global _SHARED
    if not on:
        _SHARED = None
    elif _SHARED is None:
        copy_on_write()  # before the first frame is loaded
        _SHARED = {}


def _shared(raw_dir: str | Path, processed_dir: str | Path, up_to: int | None) -> Results:
    assert _SHARED is not None
    key = (_stamp(Path(raw_dir)), _stamp(Path(processed_dir)), up_to)
    if key not in _SHARED:
        _SHARED.clear()
        _SHARED[key] = _load(raw_dir, processed_dir, up_to)
    return shared_fields(_SHARED[key])


def _stamp(folder: Path) -> tuple:
    """A folder's files (two levels) with their sizes and modification times."""
    folder = folder.resolve()
    files = sorted([*folder.glob("*"), *folder.glob("*/*")])
    return (str(folder), *((str(p), p.stat().st_size, p.stat().st_mtime_ns)
                           for p in files if p.is_file()))


def _load(raw_dir: str | Path, processed_dir: str | Path, up_to: int | None) -> Results:
    years = [y for y in available_years(raw_dir) if up_to is None or y <= up_to]
    if not years:
        raise UsageError(f"Không có đợt đánh giá nào trong {raw_dir}.")
    if up_to is not None and up_to not in years:
        raise UsageError(f"Không có đợt đánh giá năm {up_to} trong {raw_dir}.")
    missing = [y for y in years if not (processed_folder(processed_dir, y) / MANIFEST).is_file()]
    if missing:
        raise UsageError(f"Chưa chấm điểm năm {', '.join(map(str, missing))} (không có kết quả "
                         f"trong {processed_dir}): chạy `cntt score` trước.")
    return _assemble(raw_dir, {y: load_processed(processed_dir, y) for y in years},
                     {y: load_round(raw_dir, y) for y in years})


def results_after_scoring(result: RoundResult, raw_dir: str | Path,
                          processed_dir: str | Path) -> Results:
    """A round just scored (not written yet) with the earlier rounds as written: what
    `load_results` will give once it is, the same registry (the project's whole
    ``units.csv``: a merged unit's predecessors are named from it) and the same rows.
    Without every earlier round scored, the round alone (nothing compared with last
    year)."""
    earlier = [y for y in available_years(raw_dir) if y < result.year]
    if not all((processed_folder(processed_dir, y) / MANIFEST).is_file() for y in earlier):
        earlier = []
    tables = {y: load_processed(processed_dir, y) for y in earlier}
    tables[result.year] = {name: _as_read(getattr(result, name)) for name in TABLES}
    rounds = {y: load_round(raw_dir, y) for y in earlier}
    return _assemble(raw_dir, tables, {**rounds, result.year: result.round})


def _as_read(frame: pd.DataFrame) -> pd.DataFrame:
    """A table's unit ids as they are once written and read back: pandas 3 reads a column
    of texts as its string dtype, and the answers hold theirs as objects in memory; the
    facts' frames that take their units from the answers then have the dtypes of the
    facts made from the written tables (the same bytes in the facts' cache). Only the ids:
    the answers' other texts (a country's round: a million rows of each) reach no fact
    as a column, and converting them all took ~9 % more memory at 5,000 units."""
    if int(pd.__version__.split(".")[0]) < 3:  # (pandas 2 reads texts as objects too)
        return frame
    ids = frame.get("unit_id")
    if ids is None or ids.dtype != object or pd.api.types.infer_dtype(ids, skipna=True) \
            != "string":
        return frame
    return frame.astype({"unit_id": "str"})


def _assemble(raw_dir: str | Path, tables: dict[int, dict[str, pd.DataFrame]],
              rounds: dict[int, Round]) -> Results:
    """The rounds' tables (by year) concatenated in year order, a renamed unit's rows
    under its current id, with the project's registry."""
    registry = load_registry(registry_path(raw_dir))
    years = sorted(tables)
    frames = {name: join_renamed(pd.concat([tables[y][name] for y in years],
                                           ignore_index=True), registry)
              for name in TABLES}
    return Results(rounds=rounds, registry=registry, **frames)


def join_renamed(frame: pd.DataFrame, registry: pd.DataFrame) -> pd.DataFrame:
    """Carry a renamed unit's earlier rows under its current id and name, so its history
    joins up (merged units keep their predecessors' own rows: see registry.predecessors)."""
    renamed = renamed_ids(registry)
    if not renamed or "unit_id" not in frame.columns:
        return frame
    moved = frame["unit_id"].isin(renamed)
    if not moved.any():
        return frame
    frame = frame.copy()
    frame.loc[moved, "unit_id"] = frame.loc[moved, "unit_id"].map(renamed)
    if "name" in frame.columns:
        names = dict(zip(registry["unit_id"], registry["name"]))
        frame.loc[moved, "name"] = frame.loc[moved, "unit_id"].map(names)
    return frame
