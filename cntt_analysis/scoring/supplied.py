"""Figures the unit does not report: the appraiser's (in the inspection file) and systems'
(in their exports, declared in round.yaml's ``imports``).

They join the unit's answers before anything is scored, so the self-assessed score and
the verified one both include them (the score gap shows the inspectors' corrections, not
a figure the unit could never give). A figure still missing is an issue that says who must
supply it — the appraiser or the system — never the unit; its indicators score 0 until it
comes, and are missing data, not shortcomings (`completeness.unsupplied`).
"""

from __future__ import annotations

from pathlib import Path
from typing import Any

import pandas as pd

from cntt_analysis.intake.imports import SYSTEM, Import, read_imports
from cntt_analysis.intake.issues import make_issue
from cntt_analysis.intake.rounds import Round
from cntt_analysis.intake.workbook import ANSWER_COLUMNS
from cntt_analysis.rubric.model import Rubric
from cntt_analysis.scoring.completeness import supplied_codes, unsupplied
from cntt_analysis.scoring.inspection import (
    no_corrections,
    read_corrections,
    supplied_answers,
)
from cntt_analysis.text import clean

UNIT = "unit"
SOURCE_COLUMN = "input_source"


def gather(rnd: Round, reported: pd.DataFrame, registry: pd.DataFrame,
           inspection: Path | None
           ) -> tuple[pd.DataFrame, pd.DataFrame, list[dict[str, Any]]]:
    """The round's answers with every supplied figure: (answers as reported — the units',
    the systems' and the appraiser's, ``input_source`` saying whose —, the inspectors'
    corrections and supplied figures read from `inspection`, issues)."""
    rubric, year = rnd.rubric, rnd.year
    reported = reported.assign(**{SOURCE_COLUMN: UNIT})
    scored = set(reported["unit_id"])
    system = {u: set(c) for u, c in supplied_codes(rubric, registry, SYSTEM).items()
              if u in scored}
    imported, issues = read_imports(rnd.imports, rnd.folder, rubric, registry, year, system)
    corrections, found = (read_corrections(inspection, rubric, registry, year, reported,
                                           confirmed=rnd.inspection is not None)
                          if inspection else (no_corrections(), []))
    issues += found
    parts = [reported, pd.DataFrame(imported, columns=[*ANSWER_COLUMNS, SOURCE_COLUMN]),
             supplied_answers(corrections)]
    parts = [p for p in parts if len(p)] or [reported]
    answers = pd.concat(parts, ignore_index=True) if len(parts) > 1 else parts[0]
    answers = answers.sort_values(["unit_id", "code"], kind="stable", ignore_index=True)
    issues += supplied_limits(answers, rubric, year)
    issues += missing_issues(answers, rubric, registry, year, rnd.imports,
                             inspection.name if inspection else "", _unreadable(issues))
    return answers, corrections, issues


def _unreadable(issues: list[dict[str, Any]]) -> set[str]:
    """Exports that could not be used at all (missing file, unreadable)."""
    return {i["file"] for i in issues if i["code"] in ("import_file_missing",
                                                       "import_unreadable")}


def supplied_limits(answers: pd.DataFrame, rubric: Rubric, year: int
                    ) -> list[dict[str, Any]]:
    """`at_most` limits involving a supplied figure (e.g. the systems approved by the
    appraiser ≤ the unit's systems): checked now that both are known; the answer above its
    limit becomes invalid and the issue names its own file and cell."""
    if SOURCE_COLUMN not in answers.columns or answers.empty:
        return []
    external = answers[SOURCE_COLUMN].fillna(UNIT) != UNIT
    if not external.any():
        return []
    issues = []
    units = set(answers.loc[external, "unit_id"])
    position = {(u, c): i for i, (u, c) in enumerate(zip(answers["unit_id"], answers["code"]))}
    status = answers["status"].tolist()
    problem = answers["problem"].tolist()
    for code, inp in rubric.inputs.items():
        if not inp.at_most:
            continue
        for unit in sorted(units):
            at = position.get((unit, code))
            limits = [position.get((unit, c)) for c in inp.at_most]
            rows = [at, *limits]
            if at is None or any(i is None or status[i] != "ok" for i in rows):
                continue
            if all(answers[SOURCE_COLUMN].iat[i] == UNIT for i in rows):
                continue  # intake checked it already
            limit = sum(float(answers["number"].iat[i]) for i in limits)
            if float(answers["number"].iat[at]) > limit + 1e-9:
                status[at], problem[at] = "invalid", "exceeds"
                labels = " + ".join(f"{c} “{clean(rubric.inputs[c].label)}”"
                                    for c in inp.at_most)
                issues.append(make_issue(
                    "exceeds", year=year, file=answers["file"].iat[at],
                    sheet=answers["sheet"].iat[at] or "", cell=answers["cell"].iat[at] or "",
                    unit_id=unit, value=answers["raw_value"].iat[at],
                    what=f"mục {code} “{clean(inp.label)}”", limit_label=labels,
                    limit=f"{limit:g}".replace(".", ",")))
    answers["status"], answers["problem"] = status, problem
    return issues


def missing_issues(answers: pd.DataFrame, rubric: Rubric, registry: pd.DataFrame,
                   year: int, imports: tuple[Import, ...], inspection: str,
                   unusable: set[str]) -> list[dict[str, Any]]:
    """One issue per scored unit and supplied figure it has no value for (blank or no
    row), saying who supplies it: the appraiser in the inspection file, or the system's
    export (and why it is not there)."""
    absent = unsupplied(answers, rubric, registry)
    absent = absent[absent["status"].isin(["missing", "empty"])]
    names = dict(zip(registry["unit_id"], registry["name"]))
    files = {code: spec.file for spec in imports for code in spec.columns}
    issues = []
    for row in absent.itertuples(index=False):
        what = f"mục {row.code} “{clean(row.label)}”"
        unit = names.get(row.unit_id, row.unit_id)
        indicators = row.indicators or row.code
        if row.source == SYSTEM:
            file = files.get(row.code, "")
            how = ("round.yaml chưa khai báo tệp xuất chứa mục này, mục imports" if not file
                   else f"tệp xuất “{file}” chưa có hoặc không đọc được" if file in unusable
                   else f"tệp xuất “{file}” không có số liệu của đơn vị")
            issues.append(make_issue("import_missing", year=year, file=file,
                                     unit_id=row.unit_id, what=what, unit=unit,
                                     system=row.system, how=how, indicators=indicators))
        else:
            issues.append(make_issue("supplied_missing", year=year, file=inspection,
                                     unit_id=row.unit_id, what=what, unit=unit,
                                     indicators=indicators))
    return issues
