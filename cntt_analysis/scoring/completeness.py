"""Missing data (chưa có số liệu): required answers a unit left blank.

A blank required answer scores as the rubric says (the indicators reading it get 0 points),
but it says nothing about how well the unit uses IT: an indicator that reads a missing
answer is missing data, not a shortcoming with a remedy, and next year its follow-up is
"no data", not "not remedied". The unit is asked to complete the answers instead.

A unit is asked only what its template asks (`Rubric.asked_inputs` for its group and
flags): never another group's indicators, one that does not apply to it, nor a figure the
appraiser or a system supplies. Those figures, when absent, are `unsupplied`: missing data
too (not a shortcoming), but to be supplied by the appraiser or the system, not the unit.
"""

from __future__ import annotations

from collections.abc import Callable, Mapping

import pandas as pd

from cntt_analysis.intake.registry import unit_flags
from cntt_analysis.rubric.model import Input, Rubric

# Problems of an answer that mean "no answer was given": left blank, or its row is not in
# the workbook at all (a template with rows deleted).
MISSING_PROBLEMS = ("required", "answer_not_found")
MISSING_COLUMNS = ["year", "unit_id", "code", "label", "sheet", "cell", "indicators"]
COMPLETENESS_COLUMNS = ["year", "unit_id", "required", "missing", "missing_share",
                        "missing_codes"]


UNSUPPLIED_COLUMNS = ["year", "unit_id", "code", "label", "source", "system", "status",
                      "indicators"]


def required_codes(rubric: Rubric) -> list[str]:
    """The inputs a unit of any group may be asked to answer, in rubric order (those the
    appraiser or a system supplies are never the unit's)."""
    return [code for code, inp in rubric.inputs.items() if inp.required and inp.from_unit]


def _by_unit(rubric: Rubric, registry: pd.DataFrame | None,
             inputs: Callable[[str | None, Mapping[str, bool]], tuple[Input, ...]]
             ) -> dict[str, tuple[Input, ...]]:
    """unit_id → `inputs(group, flags)` for each unit of `registry` (computed once per
    distinct group and flags)."""
    if registry is None or registry.empty:
        return {}
    names = [n for _, n in rubric.unit_flags if n in registry.columns]
    flags = unit_flags(registry, names)
    found: dict[tuple[object, ...], tuple[Input, ...]] = {}
    out = {}
    for unit_id, group in zip(registry["unit_id"], registry["group"]):
        mine = {n: f[unit_id] for n, f in flags.items()}
        key = (group, *sorted(mine.items()))
        if key not in found:
            found[key] = inputs(group, mine)
        out[unit_id] = found[key]
    return out


def asked_codes(rubric: Rubric, registry: pd.DataFrame | None) -> dict[str, list[str]]:
    """unit_id → the required inputs its template asks, in rubric order (its group's
    indicators that apply to it; never the appraiser's or systems'). Units not in
    `registry` (or without one) are asked every group's (`required_codes`)."""
    return {u: [i.code for i in inputs if i.required]
            for u, inputs in _by_unit(rubric, registry, rubric.asked_inputs).items()}


def supplied_codes(rubric: Rubric, registry: pd.DataFrame | None,
                   source: str | None = None) -> dict[str, list[str]]:
    """unit_id → the inputs of its indicators the appraiser or a system supplies (only
    `source`'s when given), in rubric order."""
    def inputs(group: str | None, flags: Mapping[str, bool]) -> tuple[Input, ...]:
        return rubric.supplied_inputs(group, flags, source)

    return {u: [i.code for i in found]
            for u, found in _by_unit(rubric, registry, inputs).items()}


def _users(rubric: Rubric) -> dict[str, list[str]]:
    """Input code → the indicators whose rule reads it (rubric order)."""
    return {code: [i.code for i in rubric.indicators if code in i.rule.input_codes()]
            for code in rubric.inputs}


def missing_answers(answers: pd.DataFrame, rubric: Rubric,
                    registry: pd.DataFrame | None = None) -> pd.DataFrame:
    """Each required answer a unit did not give, one row per unit and code.

    `answers` is the (verified) answers table of the rounds scored with `rubric`;
    `registry` the units (unit_id, group and the flag columns the rubric's ``applies_to``
    read): a unit is asked only its template's inputs (`asked_codes`); without it, every
    group's. A required answer is missing when left blank (status ``empty``, or
    ``invalid`` with problem ``required``), when its row is not in the workbook (problem
    ``answer_not_found``), or when the unit has no row for it at all. An answer the
    inspectors filled in is not missing; a figure the appraiser or a system supplies is
    never the unit's missing answer (see `unsupplied`). Columns: year, unit_id, code, label,
    sheet, cell (where the unit writes it; blank when the row is not in its workbook),
    indicators (those reading it, "C3.3, …"). Sorted by year, unit and rubric order.
    """
    every = required_codes(rubric)
    asked = asked_codes(rubric, registry)
    users = _users(rubric)
    order = {code: n for n, code in enumerate(rubric.inputs)}
    if answers.empty:
        return pd.DataFrame(columns=MISSING_COLUMNS)
    problem = (answers["problem"] if "problem" in answers.columns
               else pd.Series(None, index=answers.index, dtype=object))
    blank = (answers["status"] == "empty") | problem.isin(MISSING_PROBLEMS)
    # Units asked the same share one set (a country's 20,000 sets were left behind as
    # hundreds of MB the allocator keeps).
    shared: dict[tuple[str, ...], frozenset[str]] = {}
    wanted = {u: shared.setdefault(tuple(codes), frozenset(codes))
              for u in answers["unit_id"].unique() for codes in [asked.get(u, every)]}
    # (lists, not the columns: stepping through a text column read from Parquet is ~5×
    # slower than listing it, and a country's round has a million answers)
    mine = pd.Series([c in wanted[u] for u, c in zip(answers["unit_id"].tolist(),
                                                     answers["code"].tolist())],
                     index=answers.index, dtype=bool)
    found = answers[blank & mine]
    rows = [{"year": int(r.year), "unit_id": r.unit_id, "code": r.code,
             "sheet": r.sheet or "", "cell": r.cell or ""}
            for r in found.itertuples(index=False)]
    # Codes with no row at all: only units holding fewer of their asked codes than they
    # were asked are gone through (a template keeps its rows: nearly every unit has all).
    held = answers.loc[mine, ["year", "unit_id", "code"]].groupby(
        ["year", "unit_id"])["code"].nunique()  # (three columns: not a copy of all)
    units = answers[["year", "unit_id"]].drop_duplicates()
    counts = [held.get((y, u), 0) for y, u in zip(units["year"], units["unit_id"])]
    short = units[[n < len(wanted[u]) for n, u in zip(counts, units["unit_id"])]]
    if len(short):
        part = answers[answers["unit_id"].isin(short["unit_id"])]
        present = part.groupby(["year", "unit_id"])["code"].agg(set)
        for year, unit_id in zip(short["year"], short["unit_id"]):
            codes = present.get((year, unit_id), set())
            rows += [{"year": int(year), "unit_id": unit_id, "code": code, "sheet": "",
                      "cell": ""} for code in asked.get(unit_id, every) if code not in codes]
    frame = pd.DataFrame(rows, columns=["year", "unit_id", "code", "sheet", "cell"])
    frame["label"] = frame["code"].map(lambda c: rubric.inputs[c].label)
    frame["indicators"] = frame["code"].map(lambda c: ", ".join(users.get(c, [])))
    frame = frame.assign(_o=frame["code"].map(order)).sort_values(["year", "unit_id", "_o"])
    return frame[MISSING_COLUMNS].reset_index(drop=True)


def unsupplied(answers: pd.DataFrame, rubric: Rubric,
               registry: pd.DataFrame | None = None) -> pd.DataFrame:
    """Each figure the appraiser or a system supplies that a scored unit has no usable
    value for: no row (``status`` "missing"), blank, or invalid. Missing data, not the
    unit's shortcoming — and not the unit's to complete. Columns: year, unit_id, code,
    label, source (appraiser, system), system (its name), status, indicators."""
    if answers.empty:
        return pd.DataFrame(columns=UNSUPPLIED_COLUMNS)
    supplied = supplied_codes(rubric, registry)
    every = [i.code for i in rubric.supplied_inputs()]
    users = _users(rubric)
    # Only the supplied figures' rows (a round's answers are mostly the units' own).
    theirs = answers[answers["code"].isin(every)]
    state = {(u, c): s for u, c, s in zip(theirs["unit_id"], theirs["code"],
                                          theirs["status"])}
    rows = []
    units = answers[["year", "unit_id"]].drop_duplicates().itertuples(index=False)
    for year, unit_id in units:
        for code in supplied.get(unit_id, every):
            inp = rubric.inputs[code]
            status = state.get((unit_id, code), "missing")
            if status in ("ok", "na") or (status == "empty" and not inp.required):
                continue
            rows.append({"year": int(year), "unit_id": unit_id, "code": code,
                         "label": inp.label, "source": inp.source, "system": inp.system,
                         "status": status, "indicators": ", ".join(users.get(code, []))})
    return pd.DataFrame(rows, columns=UNSUPPLIED_COLUMNS)


def missing_indicators(missing: pd.DataFrame, rubric: Rubric) -> set[tuple[str, str]]:
    """(unit_id, indicator) pairs whose rule reads a missing answer: missing data."""
    users = _users(rubric)
    return {(unit_id, indicator) for unit_id, code in zip(missing["unit_id"], missing["code"])
            for indicator in users.get(code, [])}


def completeness(answers: pd.DataFrame, rubric: Rubric,
                 missing: pd.DataFrame | None = None,
                 registry: pd.DataFrame | None = None) -> pd.DataFrame:
    """Per unit that answered: how many required answers it left blank, and which.

    Columns: year, unit_id, required (the required inputs its template asks: its group's
    indicators that apply to it, see `asked_codes`), missing, missing_share (missing /
    required, 0–1), missing_codes ("C3.3, C4.1").
    """
    missing = missing_answers(answers, rubric, registry) if missing is None else missing
    every = len(required_codes(rubric))
    asked = asked_codes(rubric, registry)
    units = answers[["year", "unit_id"]].drop_duplicates()
    counted = missing.groupby(["year", "unit_id"], as_index=False).agg(
        missing=("code", "size"), missing_codes=("code", ", ".join))
    out = units.merge(counted, on=["year", "unit_id"], how="left")
    out["missing"] = out["missing"].fillna(0).astype("int64")
    out["missing_codes"] = out["missing_codes"].fillna("")
    out["required"] = [len(asked[u]) if u in asked else every for u in out["unit_id"]]
    out["required"] = out["required"].astype("int64")
    share = out["missing"] / out["required"].where(out["required"] > 0)
    out["missing_share"] = share.fillna(0.0).astype("float64")
    out["year"] = out["year"].astype("int64")
    return out[COMPLETENESS_COLUMNS].sort_values(["year", "unit_id"], ignore_index=True)
