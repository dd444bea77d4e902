"""Missing data (chưa có số liệu): required answers a unit left blank.

A blank required answer scores as the rubric says (the indicators reading it get 0 points),
but it says nothing about how well the unit uses IT: an indicator that reads a missing
answer is missing data, not a shortcoming with a remedy, and next year its follow-up is
"no data", not "not remedied". The unit is asked to complete the answers instead.
"""

from __future__ import annotations

import pandas as pd

from cntt_analysis.rubric.model import Rubric

# Problems of an answer that mean "no answer was given": left blank, or its row is not in
# the workbook at all (a template with rows deleted).
MISSING_PROBLEMS = ("required", "answer_not_found")
MISSING_COLUMNS = ["year", "unit_id", "code", "label", "sheet", "cell", "indicators"]
COMPLETENESS_COLUMNS = ["year", "unit_id", "required", "missing", "missing_share",
                        "missing_codes"]


def required_codes(rubric: Rubric) -> list[str]:
    """The inputs a unit must answer, in rubric order."""
    return [code for code, inp in rubric.inputs.items() if inp.required]


def _users(rubric: Rubric) -> dict[str, list[str]]:
    """Input code → the indicators whose rule reads it (rubric order)."""
    return {code: [i.code for i in rubric.indicators if code in i.rule.input_codes()]
            for code in rubric.inputs}


def missing_answers(answers: pd.DataFrame, rubric: Rubric) -> pd.DataFrame:
    """Each required answer a unit did not give, one row per unit and code.

    `answers` is the (verified) answers table of the rounds scored with `rubric`: a required
    answer is missing when left blank (status ``empty``, or ``invalid`` with problem
    ``required``), when its row is not in the workbook (problem ``answer_not_found``), or
    when the unit has no row for it at all. An answer the inspectors filled in is not
    missing. Columns: year, unit_id, code, label, sheet, cell (where the unit writes it;
    blank when the row is not in its workbook), indicators (those reading it, "C3.3, …").
    Sorted by year, unit and rubric order.
    """
    required = required_codes(rubric)
    users = _users(rubric)
    order = {code: n for n, code in enumerate(rubric.inputs)}
    if answers.empty:
        return pd.DataFrame(columns=MISSING_COLUMNS)
    problem = (answers["problem"] if "problem" in answers.columns
               else pd.Series(None, index=answers.index, dtype=object))
    blank = (answers["status"] == "empty") | problem.isin(MISSING_PROBLEMS)
    found = answers[blank & answers["code"].isin(required)]
    rows = [{"year": int(r.year), "unit_id": r.unit_id, "code": r.code,
             "sheet": r.sheet or "", "cell": r.cell or ""}
            for r in found.itertuples(index=False)]
    present = answers.groupby(["year", "unit_id"])["code"].agg(set)
    for (year, unit_id), codes in present.items():
        rows += [{"year": int(year), "unit_id": unit_id, "code": code, "sheet": "", "cell": ""}
                 for code in required if code not in codes]
    frame = pd.DataFrame(rows, columns=["year", "unit_id", "code", "sheet", "cell"])
    frame["label"] = frame["code"].map(lambda c: rubric.inputs[c].label)
    frame["indicators"] = frame["code"].map(lambda c: ", ".join(users.get(c, [])))
    frame = frame.assign(_o=frame["code"].map(order)).sort_values(["year", "unit_id", "_o"])
    return frame[MISSING_COLUMNS].reset_index(drop=True)


def missing_indicators(missing: pd.DataFrame, rubric: Rubric) -> set[tuple[str, str]]:
    """(unit_id, indicator) pairs whose rule reads a missing answer: missing data."""
    users = _users(rubric)
    return {(unit_id, indicator) for unit_id, code in zip(missing["unit_id"], missing["code"])
            for indicator in users.get(code, [])}


def completeness(answers: pd.DataFrame, rubric: Rubric,
                 missing: pd.DataFrame | None = None) -> pd.DataFrame:
    """Per unit that answered: how many required answers it left blank, and which.

    Columns: year, unit_id, required (the rubric's required inputs), missing, missing_share
    (missing / required, 0–1), missing_codes ("C3.3, C4.1").
    """
    missing = missing_answers(answers, rubric) if missing is None else missing
    required = len(required_codes(rubric))
    units = answers[["year", "unit_id"]].drop_duplicates()
    counted = missing.groupby(["year", "unit_id"], as_index=False).agg(
        missing=("code", "size"), missing_codes=("code", ", ".join))
    out = units.merge(counted, on=["year", "unit_id"], how="left")
    out["missing"] = out["missing"].fillna(0).astype("int64")
    out["missing_codes"] = out["missing_codes"].fillna("")
    out["required"] = required
    out["missing_share"] = out["missing"] / required if required else 0.0
    out["year"] = out["year"].astype("int64")
    return out[COMPLETENESS_COLUMNS].sort_values(["year", "unit_id"], ignore_index=True)
