"""Evidence behind claims (tài liệu kiểm chứng): which answers are claims that need it, and
the warnings when a claim cites none.

The rubric marks inputs with ``evidence: true``; the template asks for the evidence in the
cell beside the answer (``_cells`` column ``evidence``). Intake stores what the unit wrote in
the answers' ``evidence`` column; scoring never reads it.

Units cite a document the way official letters do — “Quyết định số 12/QĐ-UBND ngày
15/3/2025 về việc ban hành Kế hoạch chuyển đổi số” — or a link to a system.
`parse_evidence` reads that citation into its parts (kind, number and symbol, date, summary,
link) so the appraiser can check each document, and a citation that names no document at
all (no number, no date, no link) is a warning, as is a date that does not exist.
"""

from __future__ import annotations

import datetime as dt
import re
from dataclasses import dataclass
from fractions import Fraction
from functools import lru_cache
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


# Kinds of documents cited as evidence (Decree 30/2020 names of administrative documents,
# plus the records units attach), longest first so "Quyết định" wins over "Quy…".
DOCUMENT_KINDS = ("Nghị quyết", "Quyết định", "Chỉ thị", "Quy chế", "Quy định", "Thông báo",
                  "Hướng dẫn", "Kế hoạch", "Chương trình", "Báo cáo", "Công văn", "Tờ trình",
                  "Biên bản", "Hợp đồng", "Danh sách", "Văn bản")
_KIND = re.compile(r"\b(" + "|".join(DOCUMENT_KINDS) + r")\b", re.IGNORECASE)
# "số 12/QĐ-UBND", "số: 45/KH-SKHCN", "(số 7/TB-VP)", or the symbol alone ("15/KH-VP"):
# digits, a slash, then letters (so a date "20/01" is not a number).
_NUMBER = re.compile(r"(?:\bsố\s*:?\s*)?(\b\d+[a-z]?/[^\W\d_][\w.&]*(?:[/\-][\w.&]+)*)",
                     re.IGNORECASE)
_DATE = re.compile(r"\bngày\s*(\d{1,2})\s*(?:/|-|\.|\s+tháng\s+)(\d{1,2})"
                   r"(?:\s*(?:/|-|\.|\s+năm\s+)(\d{4}))?", re.IGNORECASE)
_LINK = re.compile(r"https?://[^\s,;()]+", re.IGNORECASE)
_ABOUT = re.compile(r"\b(?:về việc|v/v|về)\s+", re.IGNORECASE)


@dataclass(frozen=True)
class Evidence:
    """A citation's parts; any may be missing. `date` is ISO (yyyy-mm-dd) when the
    citation gives day, month and year, `date_text` what was written; `valid_date` is False
    for a day that does not exist (31/02)."""

    kind: str | None = None
    number: str | None = None
    date: str | None = None
    date_text: str | None = None
    valid_date: bool = True
    summary: str | None = None
    link: str | None = None

    @property
    def identified(self) -> bool:
        """Whether the citation points at a document or a system someone can check."""
        return bool(self.number or self.date or self.link)


def parse_evidence(text: object, year: int | None = None) -> Evidence:
    """The parts of what a unit cited as evidence. A date without a year takes `year`
    (units write “ngày 20/01” for a document of the assessed year)."""
    if not isinstance(text, str) or not clean(text):
        return Evidence()
    return _parse_evidence(text, year)


@lru_cache(maxsize=1 << 16)
def _parse_evidence(text: str, year: int | None) -> Evidence:
    """`parse_evidence` of a text, memoised: units cite the same plans and decisions (the
    province's, the ministry's), and a round of thousands parses each citation once."""
    link = _LINK.search(clean(text))
    # The rest read without the link: a path "…/12/KH" is not a document number.
    text = clean(_LINK.sub(" ", clean(text)))
    kind = _KIND.search(text)
    number = _NUMBER.search(text)
    date, date_text, valid = _date(_DATE.search(text), year)
    about = _ABOUT.search(text)
    if about is not None:
        summary: str | None = text[about.end():]
    else:  # what is left once the number, date and link are taken out
        rest = text
        for found in (number, _DATE.search(text)):
            if found is not None:
                rest = rest.replace(found.group(0), " ")
        rest = re.sub(r"\(\s*\)", " ", rest)
        rest = re.sub(r"\s+([,;:)])", r"\1", clean(rest))
        summary = re.sub(r"[\s,;:(]+$|^[\s,;:)]+", "", rest) or None
    if summary is not None and kind is not None and summary.casefold() == kind.group(1).casefold():
        summary = None  # only the kind: nothing more to say
    return Evidence(kind=_kind_name(kind.group(1)) if kind else None,
                    number=number.group(1).rstrip(".") if number else None,
                    date=date, date_text=date_text, valid_date=valid,
                    summary=summary, link=link.group(0).rstrip(".") if link else None)


def _kind_name(found: str) -> str:
    return next(k for k in DOCUMENT_KINDS if k.casefold() == found.casefold())


def _date(found: re.Match[str] | None, year: int | None
          ) -> tuple[str | None, str | None, bool]:
    if found is None:
        return None, None, True
    day, month = int(found.group(1)), int(found.group(2))
    full = found.group(3) or (str(year) if year is not None else None)
    text = found.group(0)[len("ngày"):].strip()
    if full is None:
        return None, text, 1 <= day <= 31 and 1 <= month <= 12
    try:
        return dt.date(int(full), month, day).isoformat(), text, True
    except ValueError:
        return None, text, False


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
        if answer["code"] not in asked:
            continue
        inp = rubric.inputs[answer["code"]]
        sheet, cell = asked[answer["code"]]
        what = f"mục {inp.code} “{clean(inp.label)}”"
        if not has_evidence(answer):
            issues.append(make_issue("evidence_missing", year=year, file=file, sheet=sheet,
                                     cell=cell, value=answer["raw_value"], what=what,
                                     answer_cell=answer["cell"]))
            continue
        cited = parse_evidence(answer["evidence"], year)
        if not cited.identified:
            issues.append(make_issue("evidence_unidentified", year=year, file=file,
                                     sheet=sheet, cell=cell, value=answer["evidence"],
                                     what=what))
        elif not cited.valid_date:
            issues.append(make_issue("evidence_bad_date", year=year, file=file, sheet=sheet,
                                     cell=cell, value=answer["evidence"], what=what,
                                     date=cited.date_text))
    return issues
