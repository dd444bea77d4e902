"""One year's facts, computed once: what every output (HTML/PDF, Word, Excel, the command
line) states about a round. Renderers format these frames and numbers; they never count,
filter or decide again.

``year_facts(results, year, particulars, status)`` builds them from the loaded results;
``load_facts(raw, processed, year)`` loads the results first. `write_facts` / `read_facts`
keep them as files (one Parquet per frame and ``facts.json`` for the rest).
"""

from __future__ import annotations

import datetime as dt
from dataclasses import dataclass, field, fields
from pathlib import Path
from typing import Any

import numpy as np
import pandas as pd

from cntt_analysis import analysis
from cntt_analysis.analysis.common import LATE, MISSING, SENT
from cntt_analysis.analysis.evidence import (
    claims_without_evidence,
    evidence_claims,
    evidence_documents,
)
from cntt_analysis.analysis.lineage import is_new
from cntt_analysis.analysis.results import Results, load_results
from cntt_analysis.intake.issues import SUPPLIER_CODES
from cntt_analysis.labels import join_vi
from cntt_analysis.report.facts.decisions import (
    follow_up_states,
    incomplete_units,
    is_partial,
    model_units,
)
from cntt_analysis.report.facts.organisation import Organisation, organisation_of
from cntt_analysis.report.facts.policy import (
    Policy,
    load_particulars,
    policy_of,
    remedy_deadline,
)
from cntt_analysis.rounding import half_up_float
from cntt_analysis.rubric.model import Rubric
from cntt_analysis.scoring import publication
from cntt_analysis.scoring.completeness import (
    completeness,
    missing_answers,
    missing_indicators,
    unsupplied,
)
from cntt_analysis.scoring.inspection import KNOCK_ON, applied_corrections, inspection_issue_mask
from cntt_analysis.scoring.shortcomings import follow_up_summary

FRAMES = ("units", "register", "scores", "groups", "criteria", "weakest_indicators",
          "tier_changes", "corrections", "knock_on", "shortcomings", "missing_answers",
          "follow_up", "follow_up_units", "remedy", "models", "evidence", "documents",
          "issues", "indicator_points")
FACTS_FILE = "facts.json"
# Issues' owners: the unit verifies its figures; the inspectors fix their own file; the
# appraiser or a system supplies the figures units do not report.
UNIT, INSPECTION, SUPPLIER = "unit", "inspection", "supplier"


@dataclass(frozen=True)
class YearFacts:
    """What the outputs of one year state, each computed once.

    Scalars: the year, the previous year scored (None in the first), the organisation's
    full name (`department`) and its names (`organisation`: who runs the assessment, what
    it is called, whom it assesses; department.yaml), the deadlines, whether the data are
    synthetic, whether inspectors verified figures, the publication state (`draft`,
    `status_label`), whether the round is `partial`, the department's `policy` and the
    rubric's rules (`tiers` best first, `remedy_tiers`, `criterion_floor`,
    `shortcoming_share`).

    Frames (one row per …):

    - ``units``: registered unit — unit_id, name, group, group_label, status (Đã nộp, Nộp
      muộn, Chưa nộp), file, report_date, scored, reason (why it has no score);
    - ``register``: the register as written (files superseded or not scored included);
    - ``scores``: scored unit — scores.parquet's columns, then group_label, group_short,
      group_size, the change since last year on units ranked in both years (prev_year,
      prev_rank, prev_score, score_change, rank_change, movement) — for a unit formed by a
      merger or a split, against its predecessors' mean share (baseline "merged" or
      "split", baseline_from, baseline_detail, baseline_note: what "so với" names; see
      `analysis.lineage`) —, required, missing,
      missing_share, missing_codes, incomplete, shortcomings, claims,
      claims_without_evidence, directed, model; ordered by group, rank;
    - ``groups``: group — label, short, registered, reported, units (scored), mean, best,
      best_score, weakest, weakest_score, prev_year, common (units compared with the
      previous round: scored in both years, or formed by a merger or split and compared
      with their predecessors' mean; mostly blank submissions left out), lineage (how many
      of them through their predecessors), incomplete (those left out), prev_mean and
      now_mean (over the common units), mean_change;
    - ``criteria``: criterion — name, short, percent (Department mean), weakest first;
    - ``weakest_indicators``: indicator — points lost across the Department, by the share of
      the points lost (``lost_percent``), largest first;
    - ``tier_changes``: unit whose tier changed since its previous year;
    - ``corrections``: the inspectors' corrections (unit, code, label, sheet, cell,
      reported → verified, indicators, points before/after, reason, inspector, explanation);
    - ``knock_on``: points that moved at a unit no correction touched, because of others'
      (indicators scored against the best of the group): unit, indicators, points
      before/after, caused_by (the corrected units' names), causes ("Văn phòng Sở (C2.3)");
    - ``shortcomings``: the real shortcomings (missing data excluded), with remedy;
    - ``missing_answers``: required answers left blank (code, label, sheet, cell, indicators);
    - ``follow_up`` / ``follow_up_units``: last year's shortcomings judged now, per item and
      per unit (``state``: absent, no_data, ignored or ""); a merged or split unit answers
      for its predecessors' (previous_unit_id, previous_name: where it was found);
    - ``remedy``: units directed to remedy (the rubric's remedy policy; incomplete units
      are asked to complete their report instead), with reasons and remedies;
    - ``models``: units proposed as models (the department's rule), best first;
    - ``evidence``: per unit with claims, how many cite no evidence and which;
    - ``documents``: each claim with what the unit cited, read into kind, number, date,
      summary and link (analysis.evidence.evidence_documents);
    - ``issues``: data issues with ``owner`` ("unit", "inspection", or "supplier": a figure
      the appraiser or a system must supply) and the unit's name;
    - ``indicator_points``: scored unit and indicator of its group's framework — unit_id,
      group, criterion, indicator, points, max_points, status (scored, na, invalid), in
      the order of `scores` and of the rubric (names are in ``scores``, labels in the
      rubric).
    """

    year: int
    previous_year: int | None
    department: str
    deadline: dt.date
    remedy_deadline: dt.date
    synthetic: bool
    inspected: bool
    draft: bool
    status_label: str
    partial: bool
    policy: Policy
    tiers: tuple[str, ...]
    remedy_tiers: tuple[str, ...]
    criterion_floor: float
    shortcoming_share: float
    units: pd.DataFrame
    register: pd.DataFrame
    scores: pd.DataFrame
    groups: pd.DataFrame
    criteria: pd.DataFrame
    weakest_indicators: pd.DataFrame
    tier_changes: pd.DataFrame
    corrections: pd.DataFrame
    knock_on: pd.DataFrame
    shortcomings: pd.DataFrame
    missing_answers: pd.DataFrame
    follow_up: pd.DataFrame
    follow_up_units: pd.DataFrame
    remedy: pd.DataFrame
    models: pd.DataFrame
    evidence: pd.DataFrame
    documents: pd.DataFrame
    issues: pd.DataFrame
    indicator_points: pd.DataFrame
    organisation: Organisation = field(default_factory=Organisation)

    # ------------------------------------------------------------------ counts

    @property
    def registered(self) -> int:
        return len(self.units)

    @property
    def reported(self) -> int:
        """Registered units that sent their report (on time or late)."""
        return int(self.units["status"].isin([SENT, LATE]).sum())

    @property
    def on_time(self) -> int:
        return int((self.units["status"] == SENT).sum())

    @property
    def late(self) -> int:
        return int((self.units["status"] == LATE).sum())

    @property
    def not_reported(self) -> pd.DataFrame:
        """Registered units that have not sent their report (the reminder's addressees)."""
        return self.units[self.units["status"] == MISSING].reset_index(drop=True)

    @property
    def unscored(self) -> pd.DataFrame:
        """Registered units with no score, and why."""
        return self.units[~self.units["scored"]].reset_index(drop=True)

    @property
    def files_not_scored(self) -> int:
        """Files received that could not be scored (unreadable, unknown unit, wrong year)."""
        return int((self.register["status"] == analysis.NOT_SCORED).sum())

    @property
    def incomplete(self) -> pd.DataFrame:
        """Scored units whose submission is mostly blank."""
        return self.scores[self.scores["incomplete"]].reset_index(drop=True)

    @property
    def mean_score(self) -> float | None:
        """The mean score of the scored units (half-up, 2 decimals; None when none)."""
        return half_up_float(self.scores["score"].mean()) if len(self.scores) else None

    @property
    def corrected_units(self) -> int:
        return int(self.corrections["unit_id"].nunique())

    @property
    def unit_errors(self) -> pd.DataFrame:
        """Data errors to verify with the units."""
        return self.issues[(self.issues["severity"] == "error")
                           & (self.issues["owner"] == UNIT)].reset_index(drop=True)

    @property
    def supplier_errors(self) -> pd.DataFrame:
        """Figures the appraiser or a system must supply (missing, unreadable exports)."""
        return self.issues[(self.issues["severity"] == "error")
                           & (self.issues["owner"] == SUPPLIER)].reset_index(drop=True)

    @property
    def inspection_errors(self) -> pd.DataFrame:
        """Entries of the inspection file the inspectors must fix (not applied)."""
        return self.issues[(self.issues["severity"] == "error")
                           & (self.issues["owner"] == INSPECTION)].reset_index(drop=True)

    def unit(self, unit_id: str) -> pd.Series | None:
        """A scored unit's row of `scores` (None when it has no score)."""
        rows = self._unit_rows("scores").get(unit_id)
        return None if rows is None else self.scores.iloc[rows[0]]

    def of_unit(self, frame: str, unit_id: str) -> pd.DataFrame:
        """One unit's rows of a frame (e.g. ``facts.of_unit("corrections", "vp-so")``)."""
        rows = self._unit_rows(frame).get(unit_id, np.empty(0, dtype=np.intp))
        return getattr(self, frame).take(rows).reset_index(drop=True)

    def records_of_unit(self, frame: str, unit_id: str) -> list[Any]:
        """One unit's rows of a frame as named tuples (``of_unit(...).itertuples(index=False)``
        made once for every unit: for a unit's few rows, a frame's ``itertuples`` cost
        ~1.6 ms of column lookups, a province's notices ~1 s)."""
        found = self.__dict__.setdefault("_records", {})
        if frame not in found:
            records = list(getattr(self, frame).itertuples(index=False))
            found[frame] = {unit: [records[i] for i in rows]
                            for unit, rows in self._unit_rows(frame).items()}
        return found[frame].get(unit_id, [])

    def _unit_rows(self, frame: str) -> dict[str, np.ndarray]:
        """Each unit's row positions in a frame, found once: the documents and profiles ask
        a frame for each unit's rows, and comparing every row's unit_id for each was most of
        a province's 150 notices' cost. Kept in the instance's dict (not a field: the facts
        are frozen and compared by their fields)."""
        found = self.__dict__.setdefault("_rows", {})
        if frame not in found:
            found[frame] = getattr(self, frame).groupby("unit_id", sort=False).indices
        return found[frame]


# ------------------------------------------------------------------------- building


def _names(results: Results) -> dict[str, str]:
    return dict(zip(results.registry["unit_id"], results.registry["name"]))


def _units(results: Results, year: int, scored: set[str], rubric: Rubric) -> pd.DataFrame:
    register = results.of_year("register", year)
    units = register[register["status"].isin([SENT, LATE, MISSING])].copy()
    units = units.drop_duplicates("unit_id").sort_values("unit_id", kind="stable")
    unscored = analysis.unscored_units(register, results.of_year("scores", year), year)
    reasons = dict(zip(unscored["unit_id"], unscored["reason"]))
    units["scored"] = units["unit_id"].isin(scored)
    units["reason"] = [reasons.get(u, "") for u in units["unit_id"]]
    units["group_label"] = units["group"].map(rubric.group_label)
    order = {g: n for n, g in enumerate(analysis.group_order(units["group"], rubric))}
    units = units.assign(_g=units["group"].map(order)).sort_values(["_g", "unit_id"])
    columns = ["unit_id", "name", "group", "group_label", "status", "file", "report_date",
               "scored", "reason"]
    return units[columns].reset_index(drop=True)


def _corrections(results: Results, year: int, rubric: Rubric
                 ) -> tuple[pd.DataFrame, pd.DataFrame]:
    audit = results.of_year("corrections", year)
    if "kind" not in audit.columns:
        audit = audit.assign(kind="correction")
    fixes = applied_corrections(audit).copy()
    fixes["label"] = fixes["code"].map(
        lambda c: rubric.inputs[c].label if c in rubric.inputs else "")
    fixes = fixes.sort_values(["unit_id", "code"], kind="stable").reset_index(drop=True)
    moved = audit[audit["kind"] == KNOCK_ON].copy()
    by_indicator: dict[str, list[tuple[str, str, str]]] = {}
    for fix in fixes.itertuples(index=False):
        for indicator in str(fix.indicators).split(", "):
            by_indicator.setdefault(indicator, []).append(
                (fix.unit_id, str(fix.name or fix.unit_id), fix.code))
    caused_by, causes = [], []
    for row in moved.itertuples(index=False):
        found = sorted({c for i in str(row.indicators).split(", ")
                        for c in by_indicator.get(i, [])})
        caused_by.append(join_vi(list(dict.fromkeys(name for _, name, _ in found)))
                         or "đơn vị khác")
        causes.append(", ".join(f"{name} ({code})" for _, name, code in found))
    moved["caused_by"], moved["causes"] = caused_by, causes
    columns = ["year", "unit_id", "name", "indicators", "points_before", "points_after",
               "caused_by", "causes"]
    moved = moved.sort_values("unit_id", kind="stable").reset_index(drop=True)
    return fixes, moved.reindex(columns=columns)


def _issues(results: Results, year: int, names: dict[str, str]) -> pd.DataFrame:
    issues = results.of_year("issues", year)
    files = results.rounds[year].inspection_files() if year in results.rounds else []
    supplier = issues["code"].isin(SUPPLIER_CODES)
    own = ~supplier & (inspection_issue_mask(issues)
                       | issues["file"].isin([p.name for p in files]))
    return issues.assign(owner=[SUPPLIER if s else INSPECTION if o else UNIT
                                for s, o in zip(supplier, own)],
                         unit=[names.get(u, u) if isinstance(u, str) else "(chưa xác định)"
                               for u in issues["unit_id"]])


def _groups(units: pd.DataFrame, scores: pd.DataFrame, all_scores: pd.DataFrame,
            rubric: Rubric, year: int, incomplete: set[str]) -> pd.DataFrame:
    """Per group: counts, mean, best and weakest, and the mean's change since the group's
    previous round over the units compared with it only (a partial round, or units
    that joined, would otherwise move the mean by themselves): those scored in both years
    and those formed by a merger or a split, whose previous value is their predecessors'
    mean share (`scores`' prev_score with baseline "merged"/"split"), leaving out this
    year's mostly blank submissions (their score says how little they filled in). A group
    with no earlier round (new this year) has no change."""
    rows = []
    for group in analysis.group_order([*units["group"], *scores["group"]], rubric):
        mine = units[units["group"] == group]
        part = scores[scores["group"] == group].sort_values("unit_id")
        earlier = all_scores[(all_scores["group"] == group) & (all_scores["year"] < year)]
        row: dict[str, Any] = {
            "group": group, "label": rubric.group_label(group),
            "short": rubric.group_label(group, short=True), "registered": len(mine),
            "reported": int(mine["status"].isin([SENT, LATE]).sum()), "units": len(part),
            "mean": half_up_float(part["score"].mean()) if len(part) else None,
            "best": None, "best_score": None, "weakest": None, "weakest_score": None,
            "prev_year": None, "common": 0, "lineage": 0, "prev_units": 0, "incomplete": 0,
            "prev_mean": None, "now_mean": None, "mean_change": None}
        if len(part):
            top, low = part["score"].max(), part["score"].min()
            row |= {"best": join_vi(list(part.loc[part["score"] == top, "name"])),
                    "best_score": top,
                    "weakest": join_vi(list(part.loc[part["score"] == low, "name"])),
                    "weakest_score": low}
        if len(part) and len(earlier):
            prev_year = int(earlier["year"].max())
            then = earlier[earlier["year"] == prev_year]
            before_of = dict(zip(then["unit_id"], then["score"]))
            if "baseline" in part.columns:
                new = part[part["baseline"].map(is_new) & (part["prev_year"] == prev_year)
                           & part["prev_score"].notna()]
                lineage = dict(zip(new["unit_id"], new["prev_score"]))
            else:
                lineage = {}
            both = (set(part["unit_id"]) & set(before_of)) | set(lineage)
            common = sorted(both - incomplete)
            row |= {"prev_year": prev_year, "common": len(common), "prev_units": len(then),
                    "incomplete": len(both & incomplete),
                    "lineage": len(set(common) & set(lineage))}
            if common:
                before = half_up_float(pd.Series(
                    [before_of[u] if u in before_of else lineage[u] for u in common]).mean())
                after = half_up_float(part[part["unit_id"].isin(common)]["score"].mean())
                row |= {"prev_mean": before, "now_mean": after,
                        "mean_change": round(after - before, 2)}
        rows.append(row)
    frame = pd.DataFrame(rows)
    for column in ("prev_year",):
        frame[column] = frame[column].astype("Int64")
    for column in ("mean", "best_score", "weakest_score", "prev_mean", "now_mean",
                   "mean_change"):
        frame[column] = frame[column].astype("float64")
    return frame


def _criteria(scores: pd.DataFrame, rubric: Rubric) -> pd.DataFrame:
    means = scores[analysis.criterion_columns(scores, rubric)].mean()
    frame = pd.DataFrame([{"criterion": c.code, "name": c.name, "short": c.short,
                           "percent": means.get(c.code)} for c in rubric.criteria])
    frame["percent"] = frame["percent"].astype("float64")
    return frame.sort_values("percent", kind="stable", na_position="last",
                             ignore_index=True)


def _weakest(results: Results, rubric: Rubric, year: int) -> pd.DataFrame:
    points = results.of_year("points", year)
    if points.empty:
        return analysis.weakest_indicators(points.assign(year=year), rubric, year=year)
    weakest = analysis.weakest_indicators(points, rubric, year=year)
    order = {i.code: n for n, i in enumerate(rubric.indicators)}
    weakest = weakest.assign(_o=weakest["indicator"].map(order))
    # Sorted by the share of the points lost, the figure the outputs show.
    weakest = weakest.sort_values(["lost_percent", "total_lost", "_o"],
                                  ascending=[False, False, True], kind="stable")
    return weakest.drop(columns="_o").reset_index(drop=True)


def _indicator_points(results: Results, year: int, rubric: Rubric,
                      scores: pd.DataFrame) -> pd.DataFrame:
    """Each scored unit's points per indicator, units in the order of `scores` (its names
    and the rubric's labels are not copied into each row: a country's round has 700,000)."""
    columns = ["unit_id", "group", "criterion", "indicator", "points", "max_points", "status"]
    points = results.of_year("points", year)
    order = {u: n for n, u in enumerate(scores["unit_id"])}
    indicators = {i.code: n for n, i in enumerate(rubric.indicators)}
    unit = points["unit_id"].map(order).to_numpy(dtype="float64", na_value=np.nan)
    indicator = points["indicator"].map(indicators).to_numpy(dtype="float64",
                                                             na_value=np.nan)
    rows = np.lexsort((indicator, unit))  # stable: by unit, then rubric order
    rows = rows[~np.isnan(unit[rows])]  # units not scored (no place in `scores`) left out
    return points[columns].take(rows).reset_index(drop=True)  # one copy, not three


def year_facts(results: Results, year: int, particulars: dict[str, Any] | None = None,
               status: publication.Status | None = None) -> YearFacts:
    """The facts of `year` from loaded results.

    `particulars` is ``policy.load_particulars(raw, year)`` (department.yaml and the
    round's overrides; the defaults when None); `status` the round's publication state
    (``scoring.publication.status``; a draft when None)."""
    particulars = particulars if particulars is not None else load_particulars_default()
    rubric = results.rubric(year)
    policy = policy_of(particulars, rubric.tier_names)
    status = status if status is not None else publication.Status(year, "draft", 1)
    names = _names(results)
    rnd = results.rounds[year]
    organisation = organisation_of(particulars, year)

    now = results.of_year("scores", year)
    units = _units(results, year, set(now["unit_id"]), rubric)
    answers = results.of_year("answers", year)
    asked = results.units_of(year)
    missing = missing_answers(answers, rubric, asked)
    missing.insert(2, "name", missing["unit_id"].map(names))
    # Indicators without their figure this year: the unit's blank answers and figures the
    # appraiser or a system has not supplied — missing data, never a reason to remedy.
    blank = missing_indicators(missing, rubric) | missing_indicators(
        unsupplied(answers, rubric, asked), rubric)
    complete = completeness(answers, rubric, missing, asked)
    shortcomings = results.shortcomings_of(year, blank)
    shortcomings.insert(2, "name", shortcomings["unit_id"].map(names))
    claimed = evidence_claims(results.answers, rubric, year)  # read by the two tables
    evidence = claims_without_evidence(results.answers, rubric, year, claimed)
    evidence = evidence[evidence["claims"] > 0].reset_index(drop=True)
    evidence.insert(2, "name", evidence["unit_id"].map(names))

    moves = analysis.rank_movement(results.scores, results.registry)
    moves = moves[moves["year"] == year][["unit_id", "prev_year", "prev_rank", "prev_score",
                                          "score_change", "rank_change", "movement",
                                          "baseline", "baseline_from", "baseline_detail",
                                          "baseline_note"]]
    scores = now.merge(moves, on="unit_id", how="left")
    scores["group_label"] = scores["group"].map(rubric.group_label)
    scores["group_short"] = scores["group"].map(lambda g: rubric.group_label(g, short=True))
    scores["group_size"] = scores["group"].map(scores["group"].value_counts()).astype("int64")
    scores = scores.merge(complete.drop(columns="year"), on="unit_id", how="left")
    scores["required"] = scores["required"].fillna(0).astype("int64")
    scores["missing"] = scores["missing"].fillna(0).astype("int64")
    scores["missing_share"] = scores["missing_share"].fillna(0.0).astype("float64")
    scores["missing_codes"] = [c if isinstance(c, str) else "" for c in scores["missing_codes"]]
    scores["incomplete"] = incomplete_units(scores, policy)
    counts = shortcomings.groupby("unit_id").size()
    scores["shortcomings"] = scores["unit_id"].map(counts).fillna(0).astype("int64")
    claims = evidence.set_index("unit_id")
    scores["claims"] = scores["unit_id"].map(claims["claims"]).fillna(0).astype("int64")
    scores["claims_without_evidence"] = scores["unit_id"].map(
        claims["without_evidence"]).fillna(0).astype("int64")

    remedy = analysis.units_to_remedy(results.scores, results.points, rubric, year,
                                      missing=blank)
    incomplete = set(scores.loc[scores["incomplete"], "unit_id"])
    remedy = remedy[~remedy["unit_id"].isin(incomplete)].reset_index(drop=True)
    scores["directed"] = scores["unit_id"].isin(remedy["unit_id"])
    scores["model"] = model_units(scores, policy)
    order = {g: n for n, g in enumerate(analysis.group_order(scores["group"], rubric))}
    scores = scores.assign(_g=scores["group"].map(order)).sort_values(
        ["_g", "rank", "unit_id"], kind="stable").drop(columns="_g").reset_index(drop=True)
    models = scores[scores["model"]].sort_values(["score", "unit_id"],
                                                 ascending=[False, True], ignore_index=True)

    follow = results.follow_up(year)
    follow.insert(2, "name", follow["unit_id"].map(names))
    follow["previous_name"] = follow["previous_unit_id"].map(lambda u: names.get(u, u))
    follow_units = follow_up_summary(follow, names)
    follow_units["state"] = follow_up_states(follow_units, incomplete)
    follow_units.columns.name = None

    changes = analysis.tier_changes(results.scores, rubric.tier_names)
    corrections, knock_on = _corrections(results, year, rubric)
    registered = len(units)
    reported = int(units["status"].isin([SENT, LATE]).sum())
    return YearFacts(
        year=year, previous_year=results.previous_year(year), department=organisation.full_name,
        deadline=rnd.deadline, remedy_deadline=remedy_deadline(particulars, year),
        synthetic=results.synthetic(year), inspected=rnd.inspected, draft=status.draft,
        status_label=status.label, partial=is_partial(reported, registered, policy),
        policy=policy, tiers=rubric.tier_names, remedy_tiers=tuple(rubric.remedy_tiers),
        criterion_floor=float(rubric.criterion_floor),
        shortcoming_share=float(rubric.shortcoming_min_lost_share),
        units=units, register=results.of_year("register", year), scores=scores,
        groups=_groups(units, scores, results.scores, rubric, year, incomplete),
        criteria=_criteria(now, rubric), weakest_indicators=_weakest(results, rubric, year),
        tier_changes=changes[changes["year"] == year].reset_index(drop=True),
        corrections=corrections, knock_on=knock_on, shortcomings=shortcomings,
        missing_answers=missing, follow_up=follow, follow_up_units=follow_units,
        remedy=remedy, models=models, evidence=evidence,
        documents=evidence_documents(results.answers, rubric, year, claimed),
        issues=_issues(results, year, names),
        indicator_points=_indicator_points(results, year, rubric, scores),
        organisation=organisation)


def load_particulars_default() -> dict[str, Any]:
    """The defaults of the particulars (no department.yaml at hand)."""
    from cntt_analysis.report.facts.policy import DEFAULTS, merge

    return merge(DEFAULTS, {})


def load_facts(raw_dir: str | Path, processed_dir: str | Path, year: int) -> YearFacts:
    """The facts of `year` from the processed rounds (read-only: `cntt score` first)."""
    results = load_results(raw_dir, processed_dir, up_to=year)
    return year_facts(results, year, load_particulars(raw_dir, year),
                      publication.status(processed_dir, year))


# ------------------------------------------------------------------------- files

SCALARS = ("year", "previous_year", "department", "deadline", "remedy_deadline", "synthetic",
           "inspected", "draft", "status_label", "partial", "policy", "tiers",
           "remedy_tiers", "criterion_floor", "shortcoming_share", "organisation")


def write_facts(facts: YearFacts, folder: str | Path) -> list[Path]:
    """Write the facts to `folder`: one Parquet file per frame and ``facts.json``; each
    written atomically, the same bytes for the same facts."""
    import json

    from cntt_analysis.storage import write_parquet, write_text

    folder = Path(folder)
    paths = [write_parquet(getattr(facts, name), folder / f"{name}.parquet")
             for name in FRAMES]
    scalars: dict[str, Any] = {}
    for name in SCALARS:
        value = getattr(facts, name)
        if isinstance(value, dt.date):
            value = value.isoformat()
        elif isinstance(value, (Policy, Organisation)):
            value = value.to_dict()
        elif isinstance(value, tuple):
            value = list(value)
        scalars[name] = value
    paths.append(write_text(json.dumps(scalars, ensure_ascii=False, indent=1, sort_keys=True)
                            + "\n", folder / FACTS_FILE))
    return paths


def read_facts(folder: str | Path) -> YearFacts:
    """Facts written by `write_facts`."""
    import json

    folder = Path(folder)
    scalars = json.loads((folder / FACTS_FILE).read_text(encoding="utf-8"))
    for name in ("deadline", "remedy_deadline"):
        scalars[name] = dt.date.fromisoformat(scalars[name])
    scalars["policy"] = Policy.from_dict(scalars["policy"])
    if "organisation" in scalars:  # facts written before the organisation was kept
        scalars["organisation"] = Organisation.from_dict(scalars["organisation"])
    for name in ("tiers", "remedy_tiers"):
        scalars[name] = tuple(scalars[name])
    frames = {name: pd.read_parquet(folder / f"{name}.parquet") for name in FRAMES}
    known = {f.name for f in fields(YearFacts)}
    return YearFacts(**{k: v for k, v in {**scalars, **frames}.items() if k in known})
