"""One round end to end: raw workbooks → answers → points → scores, and the processed files.

Each step is a plain function on DataFrames (see intake, register, scoring); this module
only chains them for a round and writes ``data/processed/<year>/``.
"""

from __future__ import annotations

import json
from collections.abc import Callable, Sequence
from dataclasses import dataclass
from pathlib import Path

import pandas as pd

from cntt_analysis.intake.issues import issues_frame
from cntt_analysis.intake.register import build_register, choose_counted, tie_submissions
from cntt_analysis.intake.registry import active_units, load_registry, renamed_ids
from cntt_analysis.intake.rounds import Round, available_years, load_round
from cntt_analysis.intake.workbook import answers_frame, read_round_files
from cntt_analysis.scoring.inspection import (
    apply_corrections,
    audit,
    combine_scores,
    drop_resolved,
    find_inspection,
    no_corrections,
    read_corrections,
)
from cntt_analysis.scoring.manifest import (  # noqa: F401 - part of this module's API
    MANIFEST,
    TABLES,
    input_manifest,
    is_stale,
    processed_folder,
    registry_path,
)
from cntt_analysis.scoring.points import compute_points, compute_scores
from cntt_analysis.scoring.shortcomings import find_shortcomings
from cntt_analysis.storage import write_parquet, write_text


@dataclass
class RoundResult:
    """Everything computed for one round, as tidy DataFrames."""

    round: Round
    registry: pd.DataFrame
    answers: pd.DataFrame
    points: pd.DataFrame
    scores: pd.DataFrame
    issues: pd.DataFrame
    register: pd.DataFrame
    corrections: pd.DataFrame
    shortcomings: pd.DataFrame

    @property
    def year(self) -> int:
        return self.round.year


def score_round(raw_dir: str | Path, year: int, progress: bool | None = None) -> RoundResult:
    """Read, validate, verify (inspection) and score every submission of `year`."""
    rnd = load_round(raw_dir, year)
    known = load_registry(registry_path(raw_dir))
    registry = active_units(known, year)
    subs = read_round_files(rnd.submissions(), rnd.rubric, year, progress=progress)
    tied = tie_submissions(subs, registry, renamed_ids(known))
    counted, _ = choose_counted(tied)
    register, register_issues = build_register(rnd, subs, registry, counted)
    reported = answers_frame([a for s in counted.values() for a in s.answers])
    reported = reported.sort_values(["unit_id", "code"], ignore_index=True)
    answers, corrections, inspection_issues = verify(rnd, reported, registry)
    self_points = compute_points(reported, rnd.rubric, registry)
    points = compute_points(answers, rnd.rubric, registry)
    scores = combine_scores(compute_scores(points, rnd.rubric, registry),
                            compute_scores(self_points, rnd.rubric, registry))
    key = ["year", "unit_id", "indicator"]
    points = points.merge(self_points[[*key, "points"]].rename(
        columns={"points": "self_points"}), on=key, how="left")
    intake_issues = drop_resolved([i for s in subs for i in s.issues], answers)
    issues = issues_frame(intake_issues + register_issues + inspection_issues)
    return RoundResult(rnd, registry, answers, points, scores, issues, register,
                       audit(corrections, self_points, points, rnd.rubric, registry),
                       find_shortcomings(points, rnd.rubric))


def verify(rnd: Round, reported: pd.DataFrame, registry: pd.DataFrame
           ) -> tuple[pd.DataFrame, pd.DataFrame, list[dict]]:
    """Apply the round's inspection file, if any: (verified answers, corrections, issues)."""
    path = find_inspection(rnd.folder)
    corrections, issues = (read_corrections(path, rnd.rubric, registry, rnd.year, reported)
                           if path else (no_corrections(), []))
    answers, limit_issues = apply_corrections(reported, corrections, rnd.rubric, rnd.year)
    return answers, corrections, issues + limit_issues


# Extra outputs written with the tables (the report layer adds the Excel results).
Writer = Callable[[RoundResult, Path], Path]


def write_round(result: RoundResult, processed_dir: str | Path,
                raw_dir: str | Path | None = None, writers: Sequence[Writer] = ()) -> list[Path]:
    """Write the Parquet tables and each of `writers`' files (``writer(result, folder)``),
    each atomically, then the manifest of inputs (last, so a half-finished run is seen as
    stale)."""
    folder = processed_folder(processed_dir, result.year)
    paths = [write_parquet(getattr(result, name), folder / f"{name}.parquet")
             for name in TABLES]
    paths += [writer(result, folder) for writer in writers]
    raw = raw_dir if raw_dir is not None else result.round.folder.parent
    manifest = json.dumps(input_manifest(result.round, raw), indent=1, sort_keys=True)
    paths.append(write_text(manifest + "\n", folder / MANIFEST))
    return paths


def ensure_scored(raw_dir: str | Path, processed_dir: str | Path,
                  progress: bool | None = None, up_to: int | None = None,
                  writers: Sequence[Writer] = ()) -> list[int]:
    """Score every round of `raw_dir` (up to year `up_to`) whose results are stale."""
    years = [y for y in available_years(raw_dir) if up_to is None or y <= up_to]
    for year in years:
        if is_stale(raw_dir, processed_dir, year):
            write_round(score_round(raw_dir, year, progress=progress), processed_dir, raw_dir,
                        writers)
    return years


def load_processed(processed_dir: str | Path, year: int) -> dict[str, pd.DataFrame]:
    """The processed tables of a round, as written by `write_round`."""
    folder = processed_folder(processed_dir, year)
    return {name: pd.read_parquet(folder / f"{name}.parquet") for name in TABLES}
