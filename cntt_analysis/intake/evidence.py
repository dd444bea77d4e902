"""Evidence behind claims (tài liệu kiểm chứng): which answers are claims that need it, and
the warnings when a claim cites none.

The rubric marks inputs with ``evidence: true``; the template asks for the evidence in the
cell beside the answer (``_cells`` column ``evidence``). Intake stores what the unit wrote in
the answers' ``evidence`` column; scoring never reads it.
"""

from __future__ import annotations

from fractions import Fraction
from typing import Any

from cntt_analysis.intake.issues import make_issue
from cntt_analysis.rubric.model import Input, Rubric
from cntt_analysis.text import clean


def _choice_points(rubric: Rubric, inp: Input) -> dict[str, Fraction]:
    """Points of each label of a choice input, from the rule that scores it (remembered:
    asked for every claim of every workbook; the rubric is kept with its answer, so that
    another rubric given the same id later never matches)."""
    key = (id(rubric), inp.code)
    known = _CHOICE_POINTS.get(key)
    if known is None or known[0] is not rubric:
        if len(_CHOICE_POINTS) > 1000:
            _CHOICE_POINTS.clear()
        known = _CHOICE_POINTS[key] = rubric, _rule_points(rubric, inp)
    return known[1]


_CHOICE_POINTS: dict[tuple[int, str], tuple[Rubric, dict[str, Fraction]]] = {}


def _rule_points(rubric: Rubric, inp: Input) -> dict[str, Fraction]:
    for ind in rubric.indicators:
        if ind.rule.kind == "choice" and ind.rule.params.get("input") == inp.code:
            return {str(k): Fraction(str(v)) for k, v in ind.rule.params["points"].items()}
    return {}


def is_claim(inp: Input, status: str, value: object, number: float | None,
             rubric: Rubric) -> bool:
    """Whether a valid answer claims something that evidence must back: “Có”, a choice
    that earns points (a plan issued, a system in use), a count above zero."""
    if status != "ok":
        return False
    if inp.type == "yes_no":
        return value == "Có"
    if inp.type == "choice":
        points = _choice_points(rubric, inp)
        return bool(points.get(str(value), Fraction(0)) > 0) if points else \
            value != (inp.choices[-1] if inp.choices else None)
    if inp.type in ("count", "amount"):
        return number is not None and number > 0
    return False


def claims(answers: list[dict[str, Any]], rubric: Rubric) -> list[dict[str, Any]]:
    """The answer rows (of any units) that are claims needing evidence."""
    return [a for a in answers
            if (inp := rubric.inputs.get(a["code"])) is not None and inp.evidence
            and is_claim(inp, a["status"], a["value"], a["number"], rubric)]


def has_evidence(answer: dict[str, Any]) -> bool:
    text = answer.get("evidence")
    return isinstance(text, str) and clean(text) != ""


def evidence_issues(answers: list[dict[str, Any]], rubric: Rubric, year: int, file: str,
                    asked: dict[str, tuple[str, str]]) -> list[dict[str, Any]]:
    """Warnings for one submission: each claim without evidence, naming the evidence cell;
    one warning in all when the workbook has no evidence cells (an older template)."""
    needing = [code for code, inp in rubric.inputs.items() if inp.evidence]
    if not needing:
        return []
    if not asked:
        return [make_issue("evidence_not_asked", year=year, file=file, count=len(needing),
                           codes=", ".join(needing))]
    issues = []
    for answer in claims(answers, rubric):
        if has_evidence(answer) or answer["code"] not in asked:
            continue
        inp = rubric.inputs[answer["code"]]
        sheet, cell = asked[answer["code"]]
        issues.append(make_issue("evidence_missing", year=year, file=file, sheet=sheet,
                                 cell=cell, value=answer["raw_value"],
                                 what=f"mục {inp.code} “{clean(inp.label)}”",
                                 answer_cell=answer["cell"]))
    return issues
