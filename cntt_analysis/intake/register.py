"""The round's register (sổ theo dõi nộp báo cáo): who sent, who is late, who is missing,
and which duplicate submissions were superseded (rubric section 5)."""

from __future__ import annotations

import datetime as dt
from typing import Any

import pandas as pd

from cntt_analysis.intake.issues import make_issue
from cntt_analysis.intake.registry import match_unit, name_index
from cntt_analysis.intake.rounds import Round
from cntt_analysis.intake.workbook import Submission
from cntt_analysis.rubric.model import GeneralCodes

# Where the unit's name, the year and the report date are (the rubric's `general_codes`).
CODES = GeneralCodes()

SENT, LATE, MISSING, SUPERSEDED, NOT_SCORED = (
    "Đã nộp", "Nộp muộn", "Chưa nộp", "Bị thay thế", "Không được chấm")
REGISTER_COLUMNS = ["year", "unit_id", "name", "group", "status", "file", "report_date"]


class _Names:
    """Typed unit names → unit ids (`registry.match_unit`), remembered: a round types the
    same names again and again (most exactly as registered), and reducing a name to its
    key costs more than the rest of tying a submission to its unit."""

    def __init__(self, registry: pd.DataFrame):
        self.index = name_index(registry)
        self.known: dict[str, str | None] = {}

    def match(self, typed: str) -> str | None:
        if typed not in self.known:
            self.known[typed] = match_unit(typed, self.index)
        return self.known[typed]


def identify(sub: Submission, unit_ids: set[str], index: dict[str, str] | _Names,
             renamed: dict[str, str] | None = None, codes: GeneralCodes = CODES) -> str | None:
    """The unit a submission belongs to: hidden metadata first (an old template of a
    renamed unit counts for its successor), else the typed name (G01)."""
    meta_id = sub.meta.get("unit_id", "")
    # The successor when it exists this year, else the template's own unit (a year before
    # the rename, the old unit is still the registered one).
    for candidate in ((renamed or {}).get(meta_id), meta_id):
        if candidate and candidate in unit_ids:
            return candidate
    name = sub.answer(codes.unit_name)
    return _match(name["value"] or "", index) if name else None


def _match(typed: str, index: dict[str, str] | _Names) -> str | None:
    return index.match(typed) if isinstance(index, _Names) else match_unit(typed, index)


def report_date(sub: Submission, codes: GeneralCodes = CODES) -> dt.date | None:
    answer = sub.answer(codes.report_date)
    if answer and answer["status"] == "ok":
        return dt.date.fromisoformat(answer["value"])
    return None


def _year_ok(sub: Submission, codes: GeneralCodes = CODES) -> tuple[bool, str]:
    """Whether the submission is for the round's year (G02, else the template's metadata)."""
    answer = sub.answer(codes.year)
    stated = answer["value"] if answer and answer["status"] == "ok" else sub.meta.get("year")
    return (stated is None or stated == str(sub.year)), (stated or "")


def tie_submissions(subs: list[Submission], registry: pd.DataFrame,
                    renamed: dict[str, str] | None = None,
                    codes: GeneralCodes = CODES) -> list[Submission]:
    """Set unit_id on every submission (its answers) and issue; add issues for unknown units
    and wrong years.

    Returns the submissions that can be scored (readable, known unit, right year)."""
    names = _Names(registry)
    unit_ids = set(registry["unit_id"])
    tied = []
    for sub in subs:
        if not sub.readable:
            continue
        unit_id = identify(sub, unit_ids, names, renamed, codes)
        ok_year, stated = _year_ok(sub, codes)
        if unit_id is None:
            name = sub.answer(codes.unit_name)
            sub.issues.append(make_issue("unit_unknown", year=sub.year, file=sub.file,
                                         sheet=name["sheet"] if name else "",
                                         cell=name["cell"] if name else "",
                                         value=name["raw_value"] if name else ""))
        elif _typed_name_disagrees(sub, unit_id, names, codes):
            unit_id = None  # held for the IT Centre: never scored for either unit
        if unit_id is not None and not ok_year:
            where = sub.answer(codes.year) or {}
            sub.issues.append(make_issue("year_mismatch", year=sub.year, file=sub.file,
                                         sheet=where.get("sheet", ""),
                                         cell=where.get("cell", ""), value=stated))
        sub.unit_id = unit_id
        for row in sub.issues:
            row["unit_id"] = unit_id
        if unit_id is not None and ok_year:
            tied.append(sub)
    return tied


def _typed_name_disagrees(sub: Submission, unit_id: str, index: dict[str, str] | _Names,
                          codes: GeneralCodes = CODES) -> bool:
    """Whether the typed name (G01) names another registered unit than the template's
    hidden id — a unit filled in a copy of someone else's template, or sent another's
    figures under its own name — with the issue naming both (the file is then held)."""
    name = sub.answer(codes.unit_name)
    typed = _match(name["value"] or "", index) if name and name["status"] == "ok" else None
    if name is None or typed is None or typed == unit_id:
        return False
    sub.issues.append(make_issue("unit_name_mismatch", year=sub.year, file=sub.file,
                                 sheet=name["sheet"], cell=name["cell"],
                                 value=name["raw_value"], meta=unit_id, typed=typed))
    return True


def choose_counted(tied: list[Submission], codes: GeneralCodes = CODES
                   ) -> tuple[dict[str, Submission], list[Submission]]:
    """One submission per unit: the later report date wins, then the file name sorting last."""
    counted: dict[str, Submission] = {}
    superseded = []
    def key(s: Submission) -> tuple[dt.date, str]:
        return ((report_date(s, codes) or dt.date.min, s.file))
    for sub in sorted(tied, key=key):
        unit_id = sub.unit_id or ""  # every tied submission has its unit
        if unit_id in counted:
            superseded.append(counted[unit_id])
        counted[unit_id] = sub
    for old in superseded:
        newer = counted[old.unit_id or ""]
        old.issues.append(make_issue("superseded", year=old.year, file=old.file,
                                     unit_id=old.unit_id, other=newer.file))
    return counted, superseded


def build_register(rnd: Round, subs: list[Submission], registry: pd.DataFrame,
                   counted: dict[str, Submission]
                   ) -> tuple[pd.DataFrame, list[dict[str, Any]]]:
    """Register rows for every unit and file, plus lateness and missing-unit issues."""
    rows, issues = [], []
    deadline, codes = rnd.deadline.strftime("%d/%m/%Y"), rnd.rubric.general_codes
    for unit in registry.itertuples(index=False):
        sub = counted.get(unit.unit_id)
        if sub is None:
            rows.append(_row(rnd.year, unit, MISSING, "", None))
            issues.append(make_issue("missing", year=rnd.year, unit_id=unit.unit_id,
                                     value=unit.name, deadline=deadline))
            continue
        date = report_date(sub, codes)
        status = LATE if date and date > rnd.deadline else SENT
        rows.append(_row(rnd.year, unit, status, sub.file, date))
        g03 = sub.answer(codes.report_date) or {}
        if date and not rnd.year - 1 <= date.year <= rnd.year + 2:  # 1900, 2099: a typo
            issues.append(make_issue("report_date_implausible", year=rnd.year,
                                     unit_id=unit.unit_id, file=sub.file,
                                     sheet=g03.get("sheet", ""), cell=g03.get("cell", ""),
                                     value=date.strftime("%d/%m/%Y")))
        if date is not None and status == LATE:
            issues.append(make_issue("late", year=rnd.year, unit_id=unit.unit_id, file=sub.file,
                                     sheet=g03.get("sheet", ""), cell=g03.get("cell", ""),
                                     value=date.strftime("%d/%m/%Y"), deadline=deadline))
        elif date is None:
            issues.append(make_issue("report_date_unknown", year=rnd.year,
                                     unit_id=unit.unit_id, file=sub.file,
                                     sheet=g03.get("sheet", ""), cell=g03.get("cell", "")))
    units = registry.set_index("unit_id")
    counted_files = {s.file for s in counted.values()}
    for sub in subs:
        if sub.file in counted_files:
            continue
        unit = units.loc[sub.unit_id] if sub.unit_id in units.index else None
        status = SUPERSEDED if any(i["code"] == "superseded" for i in sub.issues) else NOT_SCORED
        rows.append({"year": rnd.year, "unit_id": sub.unit_id,
                     "name": unit["name"] if unit is not None else None,
                     "group": unit["group"] if unit is not None else None,
                     "status": status, "file": sub.file,
                     "report_date": report_date(sub, codes) if sub.readable else None})
    return register_frame(rows), issues


def _row(year: int, unit: Any, status: str, file: str, date: dt.date | None
         ) -> dict[str, Any]:
    return {"year": year, "unit_id": unit.unit_id, "name": unit.name, "group": unit.group,
            "status": status, "file": file, "report_date": date}


def register_frame(rows: list[dict[str, Any]]) -> pd.DataFrame:
    frame = pd.DataFrame(rows, columns=REGISTER_COLUMNS)
    frame["year"] = frame["year"].astype("int64")
    frame["report_date"] = pd.to_datetime(frame["report_date"]).astype("datetime64[ms]")
    order = {SENT: 0, LATE: 1, MISSING: 2, SUPERSEDED: 3, NOT_SCORED: 4}
    frame = frame.assign(_o=frame["status"].map(order)).sort_values(
        ["_o", "unit_id", "file"], na_position="last", kind="stable")
    return frame.drop(columns="_o").reset_index(drop=True)


FIGURE_LABELS = {SENT: "nộp đúng hạn", LATE: "nộp muộn", MISSING: "chưa nộp"}


def status_figures(register: pd.DataFrame) -> list[tuple[str, str]]:
    """(count, label) for the key figures: on time, late, missing."""
    return [(str(n), FIGURE_LABELS[s]) for s, n in status_counts(register).items()]


def status_counts(register: pd.DataFrame) -> dict[str, int]:
    """Registered units by status (sent, late, missing), in that order, zeros included."""
    units = register[register["status"].isin([SENT, LATE, MISSING])]
    return {status: int((units["status"] == status).sum()) for status in (SENT, LATE, MISSING)}
