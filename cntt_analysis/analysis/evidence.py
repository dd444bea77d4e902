"""Claims without evidence (tài liệu kiểm chứng), per unit, for the report.

A claim is an answer to an input the rubric marks ``evidence: true`` that asserts something
(“Có”, a plan issued, a system in use, a count above zero); see intake.evidence.
"""

from __future__ import annotations

from typing import Any

import pandas as pd

from cntt_analysis.intake.evidence import claims, has_evidence, parse_evidence
from cntt_analysis.rubric.model import Rubric

EVIDENCE_COLUMNS = ["year", "unit_id", "claims", "with_evidence", "without_evidence",
                    "codes_without_evidence"]


def evidence_claims(answers: pd.DataFrame, rubric: Rubric,
                    year: int | None = None) -> list[dict[str, Any]]:
    """The claims needing evidence among `answers` (of `year`), as records: what both
    `claims_without_evidence` and `evidence_documents` read (pass it to both as `claimed`
    so that a round's answers are gone through once)."""
    part = answers if year is None else answers[answers["year"] == year]
    return claims(_candidates(part, rubric), rubric)


def claims_without_evidence(answers: pd.DataFrame, rubric: Rubric,
                            year: int | None = None,
                            claimed: list[dict[str, Any]] | None = None) -> pd.DataFrame:
    """One row per unit that answered: how many of its claims cite evidence and which do not.

    `answers` is the tidy answers table (``Results.answers`` or ``answers.parquet``); rows of
    other years are ignored when `year` is given. Answers read from templates without
    evidence cells have no ``evidence`` value, so their claims count as without evidence.
    Sorted by most claims without evidence, then unit id. `claimed`: `evidence_claims` of
    the same answers and year, when the caller has them.
    """
    part = answers if year is None else answers[answers["year"] == year]
    if claimed is None:
        claimed = evidence_claims(part, rubric)
    by_unit: dict[tuple, list[dict]] = {}
    for answer in claimed:
        by_unit.setdefault((int(answer["year"]), answer["unit_id"]), []).append(answer)
    out = []
    answered = part[["year", "unit_id"]].drop_duplicates()
    for y, unit_id in sorted(zip(answered["year"].astype(int), answered["unit_id"])):
        own = by_unit.get((y, unit_id), [])
        missing = [a["code"] for a in own if not has_evidence(a)]
        out.append({"year": y, "unit_id": unit_id, "claims": len(own),
                    "with_evidence": len(own) - len(missing),
                    "without_evidence": len(missing),
                    "codes_without_evidence": ", ".join(_in_rubric_order(missing, rubric))})
    frame = pd.DataFrame(out, columns=EVIDENCE_COLUMNS)
    frame = frame.astype({"year": "int64", "claims": "int64", "with_evidence": "int64",
                          "without_evidence": "int64"})
    return frame.sort_values(["year", "without_evidence", "unit_id"],
                             ascending=[True, False, True], ignore_index=True)


DOCUMENT_COLUMNS = ["year", "unit_id", "code", "label", "answer", "evidence", "kind",
                    "number", "date", "summary", "link", "identified"]


def evidence_documents(answers: pd.DataFrame, rubric: Rubric,
                       year: int | None = None,
                       claimed: list[dict[str, Any]] | None = None) -> pd.DataFrame:
    """One row per claim with what the unit cited, read into its parts
    (intake.evidence.parse_evidence): the document's kind, number and symbol, date (ISO),
    summary and link; ``identified`` is False when nothing in it can be checked. Claims
    without evidence have a blank ``evidence``. In unit then rubric order. `claimed`: as
    for `claims_without_evidence`."""
    if claimed is None:
        claimed = evidence_claims(answers, rubric, year)
    order = {code: n for n, code in enumerate(rubric.inputs)}
    rows = []
    for answer in claimed:
        cited = parse_evidence(answer["evidence"], int(answer["year"])) \
            if has_evidence(answer) else None
        rows.append({"year": int(answer["year"]), "unit_id": answer["unit_id"],
                     "code": answer["code"], "label": rubric.inputs[answer["code"]].label,
                     "answer": answer.get("raw_value"),
                     "evidence": answer["evidence"] if cited else None,
                     "kind": cited.kind if cited else None,
                     "number": cited.number if cited else None,
                     "date": cited.date if cited else None,
                     "summary": cited.summary if cited else None,
                     "link": cited.link if cited else None,
                     "identified": bool(cited and cited.identified),
                     "_o": order.get(answer["code"], len(order))})
    frame = pd.DataFrame(rows, columns=[*DOCUMENT_COLUMNS, "_o"])
    frame = frame.astype({"year": "int64", "identified": "bool"})
    return frame.sort_values(["year", "unit_id", "_o"], ignore_index=True).drop(columns="_o")


_CLAIM_FIELDS = ["year", "unit_id", "code", "status", "value", "number", "raw_value",
                 "evidence"]


def _candidates(part: pd.DataFrame, rubric: Rubric) -> list[dict]:
    """The valid answers to inputs that ask for evidence, as records of the fields a claim
    needs (why: turning every answer of a round into a dict took most of the facts' time)."""
    asking = [code for code, inp in rubric.inputs.items() if inp.evidence]
    rows = part[part["code"].isin(asking) & (part["status"] == "ok")]
    if "evidence" not in rows.columns:
        rows = rows.assign(evidence=None)
    if "raw_value" not in rows.columns:
        rows = rows.assign(raw_value=None)
    # Records from the columns' Python values (DataFrame.to_dict boxes cell by cell: half
    # of this at 20,000 units).
    columns = [rows[field].tolist() for field in _CLAIM_FIELDS]
    return [dict(zip(_CLAIM_FIELDS, values)) for values in zip(*columns)]


def _in_rubric_order(codes: list[str], rubric: Rubric) -> list[str]:
    order = {code: n for n, code in enumerate(rubric.inputs)}
    return sorted(codes, key=lambda c: order.get(c, len(order)))
