"""Every processed round at once, for analyses across years (what the notebooks load)."""

from __future__ import annotations

from dataclasses import dataclass, field
from pathlib import Path

import pandas as pd

from cntt_analysis.errors import UsageError
from cntt_analysis.intake.registry import load_registry, renamed_ids
from cntt_analysis.intake.rounds import Round, available_years, load_round
from cntt_analysis.rubric.model import Rubric
from cntt_analysis.scoring.completeness import missing_answers, missing_indicators
from cntt_analysis.scoring.manifest import MANIFEST, TABLES, processed_folder, registry_path
from cntt_analysis.scoring.pipeline import RoundResult, load_processed
from cntt_analysis.scoring.shortcomings import follow_up


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

    def missing_indicators(self, year: int) -> set[tuple[str, str]]:
        """(unit_id, indicator) pairs of `year` reading a required answer left blank."""
        rubric = self.rubric(year)
        return missing_indicators(missing_answers(self.of_year("answers", year), rubric),
                                  rubric)

    def shortcomings_of(self, year: int) -> pd.DataFrame:
        """`year`'s shortcomings proper: without indicators whose answer is missing (rounds
        scored before missing data was told apart still list them)."""
        found = self.of_year("shortcomings", year)
        blank = self.missing_indicators(year)
        if not blank or found.empty:
            return found
        keep = [(u, i) not in blank for u, i in zip(found["unit_id"], found["indicator"])]
        return found[keep].reset_index(drop=True)

    def follow_up(self, year: int) -> pd.DataFrame:
        """Last round's shortcomings judged on `year`'s points (empty in the first year);
        one whose answer is missing this year is "no data", not "not remedied"."""
        previous = self.previous_year(year)
        if previous is None:
            return follow_up(self.shortcomings.iloc[0:0], self.points.iloc[0:0],
                             self.rubric(year))
        return follow_up(self.shortcomings_of(previous), self.of_year("points", year),
                         self.rubric(year), self.rubric(previous),
                         missing=self.missing_indicators(year))


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
    years = [y for y in available_years(raw_dir) if up_to is None or y <= up_to]
    if not years:
        raise UsageError(f"Không có đợt đánh giá nào trong {raw_dir}.")
    if up_to is not None and up_to not in years:
        raise UsageError(f"Không có đợt đánh giá năm {up_to} trong {raw_dir}.")
    missing = [y for y in years if not (processed_folder(processed_dir, y) / MANIFEST).is_file()]
    if missing:
        raise UsageError(f"Chưa chấm điểm năm {', '.join(map(str, missing))} (không có kết quả "
                         f"trong {processed_dir}): chạy `cntt score` trước.")
    tables = {y: load_processed(processed_dir, y) for y in years}
    registry = load_registry(registry_path(raw_dir))
    frames = {name: join_renamed(pd.concat([tables[y][name] for y in years],
                                           ignore_index=True), registry)
              for name in TABLES}
    return Results(rounds={y: load_round(raw_dir, y) for y in years}, registry=registry,
                   **frames)


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
