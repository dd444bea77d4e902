"""One round end to end: raw workbooks → answers → points → scores, and the processed files.

Each step is a plain function on DataFrames (see intake, register, scoring); this module
only chains them for a round and writes ``data/processed/<year>/``.
"""

from __future__ import annotations

import json
import shutil
from collections.abc import Callable, Sequence
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

import numpy as np
import pandas as pd

from cntt_analysis.intake.issues import issues_frame
from cntt_analysis.intake.reading import Reading, start_reading
from cntt_analysis.intake.register import build_register, choose_counted, tie_submissions
from cntt_analysis.intake.registry import (
    active_units,
    check_registry,
    load_registry,
    renamed_ids,
    unit_flags,
    with_round_lists,
)
from cntt_analysis.intake.rounds import Round, available_years, load_round
from cntt_analysis.intake.workbook import Submission, submissions_frame
from cntt_analysis.memory import release_memory
from cntt_analysis.rubric.model import Rubric
from cntt_analysis.scoring.inspection import (
    CORRECTION,
    apply_corrections,
    audit,
    combine_scores,
    drop_resolved,
    find_inspection,
)
from cntt_analysis.scoring.manifest import (  # noqa: F401 - part of this module's API
    MANIFEST,
    TABLES,
    input_manifest,
    is_stale,
    processed_folder,
    registry_path,
)
from cntt_analysis.scoring.points import compute_points, compute_scores, criterion_scores
from cntt_analysis.scoring.shortcomings import find_shortcomings
from cntt_analysis.scoring.supplied import gather
from cntt_analysis.storage import publish_folder, staging_folder, write_parquet, write_text

POINT_KEY = ["year", "unit_id", "indicator"]  # one point row per unit and indicator


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
    # file name → (size, SHA-256) of the submissions as they were read
    read: dict[str, tuple[int, str]] = field(default_factory=dict)
    # Results per unit and criterion (pillar), with ranks (points.CRITERION_COLUMNS plus
    # self_share, the self-assessed share).
    criterion_scores: pd.DataFrame = field(default_factory=pd.DataFrame)

    @property
    def year(self) -> int:
        return self.round.year


def score_round(raw_dir: str | Path, year: int, progress: bool | None = None,
                reading: Reading | None = None) -> RoundResult:
    """Read, validate, verify (inspection) and score every submission of `year`.

    In: `raw_dir` holding ``units.csv`` and ``<year>/round.yaml`` (deadline, rubric) with the
    units' filled workbooks (.xlsx/.xls/.ods) and, optionally, the inspection workbook.
    Nothing is written (``write_round`` stores the result; ``cntt score`` does both).
    `reading` is the round's submissions already being read (`intake.reading`: ``cntt
    score`` starts reading before it imports pandas); by default they are read here.

    Out: a ``RoundResult`` of tidy tables, one row per
    - ``answers``: unit and input code — year, unit_id, code, raw_value, value, number,
      status, problem, file, sheet, cell, evidence, input_source (unit, appraiser or
      system: who supplied it; file, sheet and cell are where it was read), reported_value,
      corrected;
    - ``points``: unit and indicator — year, unit_id, group, criterion, indicator, points,
      max_points, status (scored/na/invalid), file, sources (cells read), self_points;
    - ``scores``: unit — year, unit_id, name, group, score (0–100), tier, rank (within the
      group), earned, applicable_max, one percentage column per criterion (C1 … Cn),
      index (0..1), ranked, self_score, self_tier, self_rank, score_gap (verified −
      self-assessed);
    - ``criterion_scores``: unit and criterion — year, unit_id, group, criterion, points,
      max_points, share (%), rank (within the group, among ranked units), ranked,
      self_share;
    - ``issues``: problem found (Vietnamese message naming file, sheet and cell);
    - ``register``: registered unit and file — status (Đã nộp, Nộp muộn, Chưa nộp, …),
      report_date; plus ``corrections`` (inspection audit) and ``shortcomings``.

    Example (the demo data, ``cntt demo``)::

        >>> result = score_round("data/raw", 2017, progress=False)
        >>> result.scores[["unit_id", "score", "tier", "rank"]].head(2)
                unit_id  score tier  rank
        0   h-yen-khanh  93.17  Tốt     1
        1  h-tx-phu-lam  91.96  Tốt     2
    """
    if reading is None:
        reading = start_reading(load_round(raw_dir, year), progress)
    elif reading.round.year != year:
        raise ValueError(f"reading holds the round of {reading.round.year}, not {year}")
    rnd = reading.round
    with reading:  # a broken registry stops the reading at once
        known = load_registry(registry_path(raw_dir))
        registry = round_registry(known, rnd)
        taken = take_in(rnd, registry, renamed_ids(known), reading=reading)
    register, read = taken.register, taken.read
    # The units' answers with the appraiser's and systems' figures joined: what the units'
    # self-assessed points are computed from (the supplied figures are not theirs to give).
    reported, corrections, supply_issues = gather(rnd, taken.reported, registry,
                                                  find_inspection(rnd))
    answers, limit_issues = apply_corrections(reported, corrections, rnd.rubric, rnd.year)
    issues = issues_frame(drop_resolved(taken.issues, answers) + taken.register_issues
                          + supply_issues + limit_issues)
    del taken  # the issue rows live on in their table (before the points need memory)
    release_memory()
    # The self-assessed side first, down to what is kept of it: a country's round holds a
    # million point rows per side, and each step's leftovers are given back before the next
    # (the round's peak was the two sides, their intermediates and the shortcomings at once).
    self_points = compute_points(reported, rnd.rubric, registry)
    del reported
    self_scores = compute_scores(self_points, rnd.rubric, registry)
    self_shares = criterion_scores(self_points, rnd.rubric, registry)[
        ["year", "unit_id", "criterion", "share"]].rename(columns={"share": "self_share"})
    self_points = self_points[[*POINT_KEY, "points"]]
    release_memory()
    points = compute_points(answers, rnd.rubric, registry)
    scores = combine_scores(compute_scores(points, rnd.rubric, registry), self_scores)
    pillars = criterion_scores(points, rnd.rubric, registry).merge(
        self_shares, on=["year", "unit_id", "criterion"], how="left")
    fixes = corrections[corrections["kind"] == CORRECTION]
    audited = audit(fixes, self_points, points, rnd.rubric, registry)
    points = with_self_points(points, self_points)
    del self_points
    release_memory()
    return RoundResult(rnd, registry, answers, points, scores, issues, register, audited,
                       find_shortcomings(points, rnd.rubric, answers, registry), read,
                       pillars)


def with_self_points(points: pd.DataFrame, self_points: pd.DataFrame) -> pd.DataFrame:
    """`points` with ``self_points``: the points of the same unit and indicator in
    `self_points` (year, unit_id, indicator, points; NaN where it has none), as a left
    merge would give, without the merge's copy of every column."""
    where = pd.MultiIndex.from_frame(self_points[POINT_KEY]).get_indexer(
        pd.MultiIndex.from_frame(points[POINT_KEY]))
    values = np.append(self_points["points"].to_numpy(dtype="float64"), np.nan)
    out = points.reset_index(drop=True)
    out["self_points"] = values[where]  # -1 (none) takes the NaN appended
    return out


def round_registry(known: pd.DataFrame, rnd: Round) -> pd.DataFrame:
    """The units of a round: those existing in its year, checked against its rubric (groups,
    flag columns), with round.yaml's unit lists and unranked units applied."""
    registry = active_units(known, rnd.year)
    check_registry(registry, rnd.rubric)
    return with_round_lists(registry, rnd.unit_lists, rnd.not_ranked,
                            str(rnd.folder / "round.yaml"))


def keep_asked(subs: list[Submission], rubric: Rubric, registry: pd.DataFrame) -> None:
    """Drop from each tied submission the answers its unit was not asked — indicators
    outside its group's framework or not applying to it, inputs the appraiser or a system
    supplies — and intake's "answer not found" errors about them (intake reads every input
    of the rubric; the unit's template holds only its own)."""
    every = set(rubric.inputs)
    if set(i.code for i in rubric.asked_inputs()) == every and not any(
            i.groups or i.applies_to for i in rubric.indicators):
        return
    groups = dict(zip(registry["unit_id"], registry["group"]))
    flags = unit_flags(registry, [n for _, n in rubric.unit_flags])
    asked: dict[tuple[object, ...], set[str]] = {}
    # (unit's key, code column) → (positions kept, codes kept)
    kept: dict[tuple[object, ...], tuple[list[int], tuple[Any, ...]]] = {}
    for sub in subs:
        if sub.unit_id is None or sub.unit_id not in groups:
            continue
        mine = {n: f[sub.unit_id] for n, f in flags.items()}
        key = (groups[sub.unit_id], *sorted(mine.items()))
        if key not in asked:
            asked[key] = {i.code for i in rubric.asked_inputs(groups[sub.unit_id], mine)}
        unasked = every - asked[key]
        if not unasked:
            continue
        codes = sub.columns[0] if sub.columns else ()
        if not unasked.isdisjoint(codes):
            if (key, codes) not in kept:  # most submissions share their code column
                keep = [i for i, code in enumerate(codes) if code not in unasked]
                kept[key, codes] = (keep, tuple(codes[i] for i in keep))
            keep, kept_codes = kept[key, codes]
            sub.columns = (kept_codes, *(tuple(column[i] for i in keep)
                                         for column in sub.columns[1:])) if keep else ()
        marks = tuple(f"mục {code} “" for code in unasked)
        sub.issues = [i for i in sub.issues if not (
            i["code"] == "answer_not_found" and any(m in i["message"] for m in marks))]


@dataclass
class Intake:
    """A round's submissions read, tied to their units and registered."""

    reported: pd.DataFrame  # the answers of the submissions counted, by unit and code
    register: pd.DataFrame
    issues: list[dict[str, Any]]  # the submissions' own
    register_issues: list[dict[str, Any]]  # late, missing …
    read: dict[str, tuple[int, str]]  # file name → (size, SHA-256) as read


def take_in(rnd: Round, registry: pd.DataFrame, renamed: dict[str, str] | None = None,
            progress: bool | None = None, reading: Reading | None = None) -> Intake:
    """Read every submission (or take those `reading` read), tie each to its unit, choose
    one per unit, register them, and make the answers table; the submissions themselves
    are not kept (a round of 20,000 holds a million answers: the table holds them once)."""
    paths, subs = (reading or start_reading(rnd, progress)).result()
    read = {p.name: s.digest for p, s in zip(paths, subs) if s.digest is not None}
    tied = tie_submissions(subs, registry, renamed, rnd.rubric.general_codes)
    keep_asked(tied, rnd.rubric, registry)
    counted, _ = choose_counted(tied, rnd.rubric.general_codes)
    register, register_issues = build_register(rnd, subs, registry, counted)
    reported = submissions_frame([counted[u] for u in sorted(counted)], by_code=True)
    return Intake(reported, register, [i for s in subs for i in s.issues], register_issues,
                  read)


def verify(rnd: Round, reported: pd.DataFrame, registry: pd.DataFrame
           ) -> tuple[pd.DataFrame, pd.DataFrame, list[dict[str, Any]]]:
    """The round's verified answers: (the units' answers with the appraiser's and systems'
    figures joined and the inspectors' corrections applied, the corrections and supplied
    figures read from the inspection file, issues)."""
    answers, corrections, issues = gather(rnd, reported, registry,
                                          find_inspection(rnd))
    verified, limit_issues = apply_corrections(answers, corrections, rnd.rubric, rnd.year)
    return verified, corrections, issues + limit_issues


# Extra outputs written with the tables (the report layer adds the Excel results).
Writer = Callable[[RoundResult, Path], Path]


def write_round(result: RoundResult, processed_dir: str | Path,
                raw_dir: str | Path | None = None, writers: Sequence[Writer] = ()) -> list[Path]:
    """Write the round's folder as one set: the Parquet tables, each of `writers`' files
    (``writer(result, folder)``) and the manifest of inputs are built in a staging folder
    beside it, then swapped in at once (`storage.publish_folder`), so a reader or a killed
    run never sees new tables beside an old Excel file or manifest."""
    final = processed_folder(processed_dir, result.year)
    stage = staging_folder(final)
    try:
        paths = [write_parquet(getattr(result, name), stage / f"{name}.parquet")
                 for name in TABLES]
        for writer in writers:  # each on what the last one freed given back
            release_memory()
            paths.append(writer(result, stage))
        raw = raw_dir if raw_dir is not None else result.round.folder.parent
        manifest = input_manifest(result.round, raw, result.read)
        paths.append(write_text(json.dumps(manifest, indent=1, sort_keys=True) + "\n",
                                stage / MANIFEST))
        publish_folder(stage, final)
    finally:
        shutil.rmtree(stage, ignore_errors=True)
    return [final / p.name for p in paths]


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
    """The processed tables of a round, as written by `write_round`, all from one set (the
    folder is resolved once; a set replaced while it is read is read again)."""
    for attempt in range(3):
        folder = processed_folder(processed_dir, year).resolve()
        try:
            return {name: pd.read_parquet(folder / f"{name}.parquet") for name in TABLES}
        except FileNotFoundError:
            if attempt == 2:
                raise
    raise AssertionError("unreachable")  # pragma: no cover
