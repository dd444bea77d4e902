"""Inspection (kiểm tra, thẩm định): the inspectors' verified figures replace what units
reported, and every correction is audited.

A round may hold ``inspection.xlsx`` (or ``inspection.csv``, or the file round.yaml declares
as ``inspection:``; a look-alike under another name is reported, never applied: see
`intake.inspection_file`), generated prefilled and marked by `build_inspection_template`:
one row per unit and answer code with the reported value, and columns for the verified
value, the reason, the inspector and the unit's explanation on the draft results (giải
trình; optional, older files without the column still load). Rows with a verified value are
corrections; a bad one (unknown unit or code, unreadable value) is an issue, never silently
ignored.

Figures the appraiser supplies (``source: appraiser`` in the rubric) have their own rows,
blank, one per scored unit the indicator applies to (column "Nguồn số liệu" says so): what
the appraiser writes there is the unit's answer itself (kind ``supplied``), not a
correction of a figure the unit reported — it never counts among "điều chỉnh N số liệu".
Figures a system supplies are read from its export (`intake.imports`), not from here.
"""

from __future__ import annotations

import datetime as dt
from decimal import Decimal
from pathlib import Path
from typing import TYPE_CHECKING, Any

import pandas as pd

from cntt_analysis.errors import UsageError
from cntt_analysis.intake.evidence import claims, parse_evidence
from cntt_analysis.intake.inspection_file import (
    MARK_SHEET,
    InspectionRead,
    mark_problem,
    mark_rows,
    read_inspection,
    too_large,
)
from cntt_analysis.intake.issues import make_issue
from cntt_analysis.intake.rounds import Round
from cntt_analysis.intake.sandbox import map_isolated
from cntt_analysis.intake.values import is_blank, parse_answer
from cntt_analysis.intake.workbook import cell_address, check_limits, raw_text
from cntt_analysis.rubric.model import Input, Rubric
from cntt_analysis.scoring.completeness import supplied_codes
from cntt_analysis.storage import put
from cntt_analysis.text import clean, fold

if TYPE_CHECKING:  # openpyxl is imported where a workbook is made (it is slow to import)
    from openpyxl import Workbook

SHEET = "Kiểm tra"
# key → header people see; the file is read back by these headers (or the keys).
COLUMNS = {
    "unit_id": "Mã đơn vị", "name": "Tên đơn vị", "code": "Mã mục", "label": "Nội dung",
    "sheet": "Trang", "cell": "Ô", "reported": "Số liệu đơn vị báo cáo",
    "verified": "Số liệu kiểm tra", "reason": "Lý do điều chỉnh", "inspector": "Người kiểm tra",
    "explanation": "Giải trình của đơn vị",  # the unit's reply to the draft (optional column)
    # After the editable ones, so the columns inspectors fill keep their places (H–J).
    "evidence": "Tài liệu kiểm chứng đơn vị nêu",
    "supplier": "Nguồn số liệu",  # the unit, or the appraiser (a row to fill in)
    # The citation's parts (intake.evidence.parse_evidence), for checking each document.
    "evidence_number": "Số, ký hiệu văn bản kiểm chứng",
    "evidence_date": "Ngày văn bản kiểm chứng",
    "evidence_link": "Đường dẫn kiểm chứng",
}
EDITABLE = ("verified", "reason", "inspector", "explanation")
NO_EVIDENCE = "Chưa có tài liệu kiểm chứng"
CORRECTION_COLUMNS = ["year", "unit_id", "code", "sheet", "cell", "reported", "verified",
                      "value", "number", "status", "reason", "inspector", "source", "explanation",
                      "kind"]
# Rows read from the inspection file: a correction of a unit's figure, or a figure the
# appraiser supplies (the unit's answer itself, not a correction).
SUPPLIED = "supplied"
FROM_UNIT = "Đơn vị báo cáo"
FROM_APPRAISER = "Cơ quan thẩm định cung cấp (đơn vị không báo cáo)"
AUDIT_COLUMNS = ["year", "unit_id", "name", "code", "sheet", "cell", "reported", "verified",
                 "indicators", "points_before", "points_after", "reason", "inspector",
                 "explanation", "kind"]
# Audit rows: a correction itself, or points of another unit it moved (best-in-group rules).
CORRECTION, KNOCK_ON = "correction", "knock_on"
# Issues that belong to the inspection file (the inspectors fix them, not the units).
INSPECTION_CODES = ("inspection_columns", "inspection_not_confirmed", "inspection_candidate",
                    "correction_conflict", "correction_unit_unknown", "correction_code_unknown",
                    "correction_not_submitted", "correction_invalid",
                    "correction_system_input", "supplied_not_assessed")


def find_inspection(rnd: Round) -> Path | None:
    """The round's inspection file, if the inspectors have produced one: named
    inspection.xlsx / inspection.csv or declared in round.yaml (`Round.inspection_files`);
    two are an error naming both, since applying either silently could apply the wrong
    corrections."""
    found = rnd.inspection_files()
    if len(found) > 1:
        raise UsageError(
            f"Thư mục {rnd.folder} có {len(found)} tệp kiểm tra, thẩm định: "
            + ", ".join(f"“{p.name}”" for p in found)
            + ". Chỉ giữ lại một tệp (bản đúng, khai báo ở round.yaml, mục inspection) rồi "
              "chạy lại; không áp dụng tệp nào.")
    return found[0] if found else None


def _rows(answers: pd.DataFrame, rubric: Rubric, registry: pd.DataFrame) -> pd.DataFrame:
    """The template's rows: every scored unit's reported answers, then (in rubric order
    among them) a blank row for each figure the appraiser supplies for it."""
    own = answers
    if "input_source" in answers.columns:
        own = answers[answers["input_source"].fillna("unit") == "unit"]
    own = own.assign(supplier=FROM_UNIT)
    wanted = supplied_codes(rubric, registry, "appraiser")
    blank = [{"unit_id": u, "code": c, "raw_value": None, "sheet": None, "cell": None,
              "supplier": FROM_APPRAISER}
             for u in sorted(set(own["unit_id"])) for c in wanted.get(u, [])]
    rows = pd.concat([own, pd.DataFrame(blank, columns=["unit_id", "code", "raw_value",
                                                        "sheet", "cell", "supplier"])],
                     ignore_index=True) if blank else own
    order = {code: n for n, code in enumerate(rubric.inputs)}
    return rows.assign(_o=rows["code"].map(order)).sort_values(["unit_id", "_o"],
                                                              kind="stable")


def build_inspection_template(answers: pd.DataFrame, rubric: Rubric,
                              registry: pd.DataFrame, year: int | None = None) -> Workbook:
    """A workbook prefilled with every scored unit's reported answers, and a blank row
    for each figure the appraiser supplies for it (highlighted: to fill in), marked as
    the inspection file of the round (`year`, by default the answers')."""
    from openpyxl import Workbook
    from openpyxl.styles import Font, PatternFill, Protection
    from openpyxl.utils import get_column_letter

    names = dict(zip(registry["unit_id"], registry["name"]))
    rows = _rows(answers, rubric, registry)
    # A citation's date without its year ("ngày 20/01") is of the round's year.
    if year is None and "year" in answers and len(answers):
        year = int(answers["year"].iloc[0])
    wb = Workbook()
    ws = wb.active
    ws.title = SHEET
    keys = list(COLUMNS)
    for c, key in enumerate(keys, start=1):
        cell = put(ws, 1, c, COLUMNS[key])
        cell.font = Font(bold=True, color="FFFFFF")
        cell.fill = PatternFill("solid", fgColor="1F4E79")
    editable = PatternFill("solid", fgColor="FFF2CC")
    to_supply = PatternFill("solid", fgColor="FFD966")
    missing = PatternFill("solid", fgColor="F8CBAD")
    claimed = {(a["unit_id"], a["code"]) for a in claims(rows.to_dict("records"), rubric)}
    for r, row in enumerate(rows.itertuples(index=False), start=2):
        supplied = row.supplier == FROM_APPRAISER
        cited = None if supplied else _evidence_text(row, rubric,
                                                     (row.unit_id, row.code) in claimed)
        inp = rubric.inputs[row.code]
        values = {"unit_id": row.unit_id, "name": names.get(row.unit_id, ""),
                  "code": row.code, "label": inp.label,
                  "sheet": row.sheet, "cell": row.cell, "reported": typed_value(row.raw_value, inp),
                  "evidence": cited, "supplier": row.supplier,
                  **_evidence_parts(cited, year)}
        for c, key in enumerate(keys, start=1):
            # The reported figure and the verified one share the answer's format, so a
            # date an inspector types shows as dd/mm/yyyy beside the reported one.
            fmt = NUMBER_FORMATS.get(inp.type) if key in ("reported", "verified") else None
            fmt = "dd/mm/yyyy" if key == "evidence_date" else fmt
            cell = put(ws, r, c, values.get(key), fmt)
            if key in EDITABLE:
                cell.protection = Protection(locked=False)
                cell.fill = to_supply if supplied and key == "verified" else editable
            elif key == "evidence" and cited == NO_EVIDENCE:
                cell.fill = missing
    for c, width in enumerate([14, 36, 9, 50, 22, 6, 22, 22, 36, 20, 36, 36, 30, 20, 14, 30],
                              start=1):
        ws.column_dimensions[get_column_letter(c)].width = width
    ws.freeze_panes = "A2"
    ws.auto_filter.ref = f"A1:{get_column_letter(len(keys))}{max(ws.max_row, 1)}"
    ws.protection.sheet = True
    ws.protection.autoFilter = False
    ws.protection.sort = False
    if year is not None:  # the mark only this command writes (`inspection_file`)
        mark = wb.create_sheet(MARK_SHEET)
        mark.sheet_state = "veryHidden"
        for r, (key, value) in enumerate(mark_rows(year, rubric.id), start=1):
            put(mark, r, 1, key)
            put(mark, r, 2, value)
    return wb


# How Excel shows a reported answer of each input type (Vietnamese dates, grouped counts).
NUMBER_FORMATS = {"date": "dd/mm/yyyy", "count": "#,##0", "year": "0", "amount": "General"}


def typed_value(raw: object, inp: Input) -> object:
    """A reported answer as a spreadsheet cell holds it: a number for counts, amounts and
    years, a date for dates (what the unit typed, parsed as intake parses it); anything
    else, or a value intake cannot read (the inspector must see it as typed), unchanged."""
    if inp.type not in NUMBER_FORMATS or is_blank(raw):
        return raw
    parsed = parse_answer(raw, inp)
    if parsed.status != "ok" or parsed.value is None:
        return raw
    if inp.type == "date":
        return dt.date.fromisoformat(parsed.value)
    number = Decimal(parsed.value)
    return int(number) if number == number.to_integral_value() else float(number)


def shown_value(raw: object) -> str:
    """A cell read back from the inspection file as tables show it: dates dd/mm/yyyy,
    numbers with the Vietnamese decimal comma."""
    if isinstance(raw, (dt.date, dt.datetime)):
        return raw.strftime("%d/%m/%Y")
    return clean(raw_text(raw))


def _evidence_text(row: Any, rubric: Rubric, claimed: bool) -> str | None:
    """What the unit cited for an answer that needs evidence; flagged when a claim has none."""
    if not rubric.inputs[row.code].evidence:
        return None
    text = getattr(row, "evidence", None)
    if isinstance(text, str) and text.strip():
        return text
    return NO_EVIDENCE if claimed else None


def _evidence_parts(cited: str | None, year: int | None) -> dict[str, object]:
    """A citation's number, date (a date cell) and link, for the inspectors' columns."""
    if cited is None or cited == NO_EVIDENCE:
        return {}
    parts = parse_evidence(cited, year)
    return {"evidence_number": parts.number, "evidence_link": parts.link,
            "evidence_date": dt.date.fromisoformat(parts.date) if parts.date else None}


def no_corrections() -> pd.DataFrame:
    return pd.DataFrame(columns=CORRECTION_COLUMNS)


def read_inspection_files(paths: list[Path]) -> list[InspectionRead]:
    """Inspection files read in sandboxed workers, with the memory, time and size bounds
    of a submission: a hostile file (one value at XFD1048576, a million rows) costs its
    worker, never the run."""
    lost = {"memory": "vượt giới hạn bộ nhớ khi đọc", "time": "đọc quá lâu",
            "crash": "quá trình đọc bị dừng"}
    return map_isolated(read_inspection, paths,
                        lambda _p, why: too_large(lost.get(why, why)), workers=1)


def _header_map(header: list[Any]) -> dict[str, int]:
    wanted = {fold(v): k for k, v in COLUMNS.items()} | {fold(k): k for k in COLUMNS}
    return {wanted[fold(str(v))]: i for i, v in enumerate(header)
            if isinstance(v, str) and fold(v) in wanted}


def read_corrections(path: Path, rubric: Rubric, registry: pd.DataFrame, year: int,
                     answers: pd.DataFrame, confirmed: bool = False
                     ) -> tuple[pd.DataFrame, list[dict[str, Any]]]:
    """Corrections (rows with a verified value) and the issues of the inspection file.

    A workbook is applied only when it carries the mark `cntt inspection-template` writes
    for this round, or when round.yaml declares it (`confirmed`)."""
    read = read_inspection_files([path])[0]
    return corrections_from(read, path.name, rubric, registry, year, answers, confirmed)


def corrections_from(read: InspectionRead, file: str, rubric: Rubric, registry: pd.DataFrame,
                     year: int, answers: pd.DataFrame, confirmed: bool = False
                     ) -> tuple[pd.DataFrame, list[dict[str, Any]]]:
    """`read_corrections` of a file already read (`inspection_file.read_inspection`)."""
    issues: list[dict[str, Any]] = []
    if read.failed:  # unreadable inspection file: reported (in Vietnamese), scoring goes on
        issues.append(make_issue(read.failure, year=year, file=file, detail=read.failed))
        return no_corrections(), issues
    problem = "" if confirmed else mark_problem(read.mark, year, rubric.id)
    if problem:
        issues.append(make_issue("inspection_not_confirmed", year=year, file=file,
                                 detail=problem, file_name=file))
        return no_corrections(), issues
    sheet, rows = read.sheet, read.rows
    columns = _header_map(rows[0]) if rows else {}
    missing = [COLUMNS[k] for k in ("unit_id", "code", "verified") if k not in columns]
    if missing:
        issues.append(make_issue("inspection_columns", year=year, file=file, sheet=sheet,
                                 cell="A1", columns=", ".join(missing)))
        return no_corrections(), issues
    known_units = set(registry["unit_id"])
    answered = {(u, c): (s, ce) for u, c, s, ce in zip(answers["unit_id"], answers["code"],
                                                      answers["sheet"], answers["cell"])}
    scored = set(answers["unit_id"])
    appraised = supplied_codes(rubric, registry, "appraiser")
    corrections = []
    for r, row in enumerate(rows[1:], start=2):
        def get(key: str, row: list[Any] = row) -> object:
            i = columns.get(key)
            return row[i] if i is not None and i < len(row) else ""

        verified = get("verified")
        if is_blank(verified):
            continue
        cell = cell_address(r - 1, columns['verified'])
        where: dict[str, Any] = {"year": year, "file": file, "sheet": sheet, "cell": cell}
        unit_id, code = clean(raw_text(get("unit_id"))), clean(raw_text(get("code")))
        if unit_id not in known_units:
            issues.append(make_issue("correction_unit_unknown", **where, value=unit_id))
            continue
        if code not in rubric.inputs:
            issues.append(make_issue("correction_code_unknown", **where, unit_id=unit_id,
                                     value=code))
            continue
        inp = rubric.inputs[code]
        if inp.source == "system":
            issues.append(make_issue("correction_system_input", **where, unit_id=unit_id,
                                     value=code, system=inp.system))
            continue
        supplied = inp.source == "appraiser"
        if (unit_id not in scored) if supplied else ((unit_id, code) not in answered):
            issues.append(make_issue("correction_not_submitted", **where, unit_id=unit_id,
                                     value=unit_id))
            continue
        if supplied and code not in appraised.get(unit_id, []):
            issues.append(make_issue("supplied_not_assessed", **where, unit_id=unit_id,
                                     value=unit_id, input=code))
            continue
        parsed = parse_answer(verified, inp)
        if parsed.status == "invalid":
            issues.append(make_issue("correction_invalid", **where, unit_id=unit_id,
                                     value=raw_text(verified),
                                     what=f"mục {code} “{clean(inp.label)}”",
                                     expected=parsed.problem[1] if parsed.problem else ""))
            continue
        place = (sheet, cell) if supplied else answered[(unit_id, code)]
        corrections.append({
            "year": year, "unit_id": unit_id, "code": code, "sheet": place[0],
            "cell": place[1], "reported": "" if supplied else shown_value(get("reported")),
            "verified": shown_value(verified),
            "value": parsed.value, "number": parsed.number, "status": parsed.status,
            "reason": clean(raw_text(get("reason"))),
            "inspector": clean(raw_text(get("inspector"))), "source": f"{file}!{cell}",
            "explanation": clean(raw_text(get("explanation"))),
            "kind": SUPPLIED if supplied else CORRECTION})
    corrections, conflicts = _without_conflicts(corrections, year, file, sheet)
    return pd.DataFrame(corrections, columns=CORRECTION_COLUMNS), issues + conflicts


def _without_conflicts(corrections: list[dict[str, Any]], year: int, file: str, sheet: str
                       ) -> tuple[list[dict[str, Any]], list[dict[str, Any]]]:
    """One correction per answer: rows verifying the same answer with the same value are
    one correction; with different values none is applied (which one the inspectors meant
    is theirs to say) and the issue names every row."""
    by_answer: dict[tuple[str, str], list[dict[str, Any]]] = {}
    for fix in corrections:
        by_answer.setdefault((fix["unit_id"], fix["code"]), []).append(fix)
    kept, issues = [], []
    for (unit_id, code), fixes in by_answer.items():
        if len({(f["status"], f["value"]) for f in fixes}) == 1:
            kept.append(fixes[0])
            continue
        cells = [f["source"].rsplit("!", 1)[1] for f in fixes]
        rows = "; ".join(f"dòng {c.lstrip('ABCDEFGHIJKLMNOPQRSTUVWXYZ')} (ô {c}) ghi "
                         f"“{f['verified']}”" for c, f in zip(cells, fixes))
        issues.append(make_issue("correction_conflict", year=year, file=file, sheet=sheet,
                                 cell=cells[0], unit_id=unit_id, value=code, unit=unit_id,
                                 rows=rows))
    return kept, issues


def supplied_answers(corrections: pd.DataFrame) -> pd.DataFrame:
    """The figures the appraiser supplied (rows of kind ``supplied``), as answer rows: the
    unit's answer, with the inspection file's sheet and cell as provenance and
    ``input_source`` "appraiser"."""
    rows = corrections[corrections["kind"] == SUPPLIED] if "kind" in corrections.columns \
        else corrections.iloc[0:0]
    return pd.DataFrame({
        "year": rows["year"].astype("int64"), "unit_id": rows["unit_id"],
        "code": rows["code"], "raw_value": rows["verified"], "value": rows["value"],
        "number": rows["number"].astype("float64"), "status": rows["status"],
        "problem": None, "file": [str(s).split("!")[0] for s in rows["source"]],
        "sheet": rows["sheet"], "cell": rows["cell"], "evidence": None,
        "input_source": "appraiser"}).reset_index(drop=True)


def apply_corrections(answers: pd.DataFrame, corrections: pd.DataFrame, rubric: Rubric,
                      year: int) -> tuple[pd.DataFrame, list[dict[str, Any]]]:
    """The verified answers: reported ones with corrections applied, limits re-checked.

    Adds ``reported_value`` (what the unit wrote) and ``corrected``. A correction of a
    limit (e.g. G06) can make a previously exceeding answer valid again, or the reverse.
    """
    verified = answers.assign(reported_value=answers["raw_value"], corrected=False)
    if "kind" in corrections.columns:  # the appraiser's own figures are answers already
        corrections = corrections[corrections["kind"].fillna(CORRECTION) == CORRECTION]
    if corrections.empty:
        return verified, []
    index = {(u, c): i for i, (u, c) in enumerate(zip(verified["unit_id"], verified["code"]))}
    rows = verified.to_dict("records")
    for fix in corrections.itertuples(index=False):
        row = rows[index[(fix.unit_id, fix.code)]]
        row.update(raw_value=fix.verified, value=fix.value, number=fix.number,
                   status=fix.status, problem=None, corrected=True, source=fix.source)
    issues = []
    for unit_id in sorted(set(corrections["unit_id"])):
        unit_rows = [r for r in rows if r["unit_id"] == unit_id]
        reported = {(r["sheet"], r["cell"]) for r in unit_rows if r["problem"] == "exceeds"}
        for r in unit_rows:
            if r["problem"] == "exceeds":
                r["status"], r["problem"] = "ok", None
        # Intake already reported what exceeded before; only new ones are news here.
        own = [r for r in unit_rows if r.get("input_source", "unit") in ("unit", None)]
        file = (own or unit_rows)[0]["file"]
        issues += [i for i in check_limits(unit_rows, rubric, year, file)
                   if (i["sheet"], i["cell"]) not in reported]
    frame = pd.DataFrame(rows).drop(columns="source", errors="ignore")
    return frame[[*answers.columns, "reported_value", "corrected"]], issues


def audit(corrections: pd.DataFrame, points_before: pd.DataFrame,
          points_after: pd.DataFrame, rubric: Rubric, registry: pd.DataFrame) -> pd.DataFrame:
    """One row per correction (kind "correction"): the indicators it touches and their
    points before/after; then one row per unit whose other points moved because of them
    (kind "knock_on": an indicator scored against the best of the group), naming the
    corrections that moved them."""
    names = dict(zip(registry["unit_id"], registry["name"]))
    uses = {code: [i.code for i in rubric.indicators if code in i.rule.input_codes()]
            for code in rubric.inputs}
    key = ["unit_id", "indicator"]
    before = points_before.set_index(key)["points"].fillna(0.0)
    after = points_after.set_index(key)["points"].fillna(0.0)
    rows: list[dict[str, Any]] = []
    touched_by: dict[str, set[str]] = {}
    for fix in corrections.itertuples(index=False):
        touched = uses.get(fix.code, [])
        touched_by.setdefault(fix.unit_id, set()).update(touched)
        rows.append({
            "year": fix.year, "unit_id": fix.unit_id, "name": names.get(fix.unit_id),
            "code": fix.code, "sheet": fix.sheet, "cell": fix.cell, "reported": fix.reported,
            "verified": fix.verified, "indicators": ", ".join(touched),
            "points_before": round(sum(before.get((fix.unit_id, i), 0.0) for i in touched), 2),
            "points_after": round(sum(after.get((fix.unit_id, i), 0.0) for i in touched), 2),
            "reason": fix.reason, "inspector": fix.inspector,
            "explanation": getattr(fix, "explanation", ""), "kind": CORRECTION})
    if not corrections.empty:
        rows += _knock_ons(corrections, before, after, touched_by, names, rubric)
    return pd.DataFrame(rows, columns=AUDIT_COLUMNS)


def _knock_ons(corrections: pd.DataFrame, before: pd.Series, after: pd.Series,
               touched_by: dict[str, set[str]], names: dict[str, str], rubric: Rubric
               ) -> list[dict[str, Any]]:
    """Points that moved at units (or indicators) no correction touched directly."""
    moved = (after.reindex(before.index).fillna(0.0) - before).round(2)
    moved = moved[moved != 0]
    order = {i.code: n for n, i in enumerate(rubric.indicators)}
    year = int(corrections["year"].iloc[0])
    rows = []
    for unit_id in sorted({u for u, _ in moved.index}):
        indicators = sorted((i for u, i in moved.index if u == unit_id
                             and i not in touched_by.get(unit_id, set())),
                            key=lambda i: order.get(i, 0))
        if not indicators:
            continue
        causes = sorted({f"{names.get(f.unit_id, f.unit_id)} ({f.code})"
                         for f in corrections.itertuples(index=False)
                         if set(uses_of(rubric, f.code)) & set(indicators)})
        rows.append({
            "year": year, "unit_id": unit_id, "name": names.get(unit_id), "code": "",
            "sheet": "", "cell": "", "reported": "", "verified": "",
            "indicators": ", ".join(indicators),
            "points_before": round(sum(before.get((unit_id, i), 0.0) for i in indicators), 2),
            "points_after": round(sum(after.get((unit_id, i), 0.0) for i in indicators), 2),
            "reason": ("Điểm thay đổi theo điều chỉnh số liệu của "
                       + ", ".join(causes or ["đơn vị khác"])
                       + ": chỉ tiêu chấm so với đơn vị cao nhất khối."),
            "inspector": "", "explanation": "", "kind": KNOCK_ON})
    return rows


def uses_of(rubric: Rubric, code: str) -> list[str]:
    """Indicators whose rule reads answer `code`."""
    return [i.code for i in rubric.indicators if code in i.rule.input_codes()]


def applied_corrections(audit_table: pd.DataFrame) -> pd.DataFrame:
    """The audit's corrections proper (without the points they moved at other units)."""
    if "kind" not in audit_table.columns:
        return audit_table
    return audit_table[audit_table["kind"].fillna(CORRECTION) == CORRECTION]


def inspection_issue_mask(issues: pd.DataFrame, inspection_file: str | None = None
                          ) -> pd.Series:
    """Issues that are the inspection file's own problems (inspectors fix them)."""
    mask = issues["code"].isin(INSPECTION_CODES)
    if inspection_file:
        mask |= issues["file"] == inspection_file
    return mask


def combine_scores(verified: pd.DataFrame, reported: pd.DataFrame) -> pd.DataFrame:
    """Verified scores (the official ones) with the self-assessed score, tier and rank."""
    self_cols = reported[["year", "unit_id", "score", "tier", "rank"]].rename(
        columns={"score": "self_score", "tier": "self_tier", "rank": "self_rank"})
    out = verified.merge(self_cols, on=["year", "unit_id"], how="left")
    out["score_gap"] = (out["score"] - out["self_score"]).round(2)
    return out


def drop_resolved(issues: list[dict[str, Any]], answers: pd.DataFrame) -> list[dict[str, Any]]:
    """Intake issues an inspection correction resolved are no longer issues: any issue of a
    cell whose answer was corrected (a "4O" corrected to 40), and "exceeds" errors that a
    corrected limit made valid. The correction is shown instead (the audit)."""
    still = {(f, s, c) for f, s, c, p in zip(answers["file"], answers["sheet"], answers["cell"],
                                               answers["problem"]) if p == "exceeds"}
    counted = set(answers["file"])
    corrected = answers[answers["corrected"]] if "corrected" in answers.columns \
        else answers.iloc[0:0]
    fixed = set(zip(corrected["file"], corrected["sheet"], corrected["cell"]))
    return [i for i in issues
            if (i["file"], i["sheet"], i["cell"]) not in fixed
            and not (i["code"] == "exceeds" and i["file"] in counted
                     and (i["file"], i["sheet"], i["cell"]) not in still)]


def largest_gaps(scores: pd.DataFrame, year: int, n: int = 5) -> pd.DataFrame:
    """Units whose self-assessment was furthest from the verified score (any direction)."""
    part = scores[(scores["year"] == year) & (scores["score_gap"].fillna(0) != 0)]
    order = part["score_gap"].abs().sort_values(ascending=False, kind="stable").index
    return part.loc[order].head(n).reset_index(drop=True)
