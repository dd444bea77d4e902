"""Claims without evidence (tài liệu kiểm chứng), per unit, for the report.

A claim is an answer to an input the rubric marks ``evidence: true`` that asserts something
(“Có”, a plan issued, a system in use, a count above zero); see intake.evidence.
"""

from __future__ import annotations

import pandas as pd

from cntt_analysis.intake.evidence import claims, has_evidence
from cntt_analysis.rubric.model import Rubric

EVIDENCE_COLUMNS = ["year", "unit_id", "claims", "with_evidence", "without_evidence",
                    "codes_without_evidence"]


def claims_without_evidence(answers: pd.DataFrame, rubric: Rubric,
                            year: int | None = None) -> pd.DataFrame:
    """One row per unit that answered: how many of its claims cite evidence and which do not.

    `answers` is the tidy answers table (``Results.answers`` or ``answers.parquet``); rows of
    other years are ignored when `year` is given. Answers read from templates without
    evidence cells have no ``evidence`` value, so their claims count as without evidence.
    Sorted by most claims without evidence, then unit id.
    """
    part = answers if year is None else answers[answers["year"] == year]
    if "evidence" not in part.columns:
        part = part.assign(evidence=None)
    rows = part.to_dict("records")
    by_unit: dict[tuple, list[dict]] = {}
    for answer in claims(rows, rubric):
        by_unit.setdefault((int(answer["year"]), answer["unit_id"]), []).append(answer)
    out = []
    for y, unit_id in sorted({(int(r["year"]), r["unit_id"]) for r in rows}):
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


def _in_rubric_order(codes: list[str], rubric: Rubric) -> list[str]:
    order = {code: n for n, code in enumerate(rubric.inputs)}
    return sorted(codes, key=lambda c: order.get(c, len(order)))
