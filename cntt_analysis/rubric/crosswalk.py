"""Crosswalk between two years' rubrics, so that trends stay honest when the form changes.

The link is declared in the rubric files (``previous``, ``dropped`` and per-indicator
``previous``, see :mod:`cntt_analysis.rubric.model`). From it:

- :func:`crosswalk`: one row per indicator of either year, classified as
  ``same`` (same code and definition), ``renamed`` (code changed, definition the same),
  ``changed`` (same indicator, but its label, maximum, rule kind, rule parameters, choice
  points or answers changed), ``new`` or ``dropped``; ``comparable`` is True for ``same`` and
  ``renamed`` only: their points can be compared from one year to the next.
- :func:`method_changes`: Vietnamese sentences for the report's "method" note.
- :func:`comparable_indicator_percent`: per unit and indicator, the percentage of the
  indicator's maximum in two consecutive years. Raw points are never compared: each year is
  a percentage of that year's own maximum. ``changed`` indicators are included only when
  their rule kind is the same (a different threshold or maximum still measures the same
  thing on a different scale) and flagged ``comparable`` False, with ``same_max``; pass
  ``include_changed=False`` to keep only the strictly comparable ones.

Scores and criterion percentages need no crosswalk: each year is scored out of 100 by its
own rubric.
"""

from __future__ import annotations

from collections.abc import Iterable
from fractions import Fraction
from pathlib import Path
from typing import Any

import numpy as np
import pandas as pd

from cntt_analysis.labels import vn_number
from cntt_analysis.rubric.model import Indicator, Rubric, RubricError, check_previous_link
from cntt_analysis.scoring.points import round_half_up
from cntt_analysis.text import clean

CHANGES = ("same", "renamed", "changed", "new", "dropped")
COMPARABLE = {"same", "renamed"}
COLUMNS = ["code", "previous_code", "criterion", "label", "previous_label", "max_points",
           "previous_max", "change", "comparable", "same_max", "same_kind", "detail"]
PERCENT_COLUMNS = ["year", "previous_year", "unit_id", "indicator", "previous_code",
                   "criterion", "crosswalk", "comparable", "same_max", "percent",
                   "previous_percent", "change"]
KIND_LABELS = {
    "yes_no": "có/không", "choice": "theo lựa chọn", "steps": "theo bậc",
    "ratio": "theo tỷ lệ", "threshold": "theo ngưỡng", "target": "theo mục tiêu",
    "best_in_group": "so với đơn vị cao nhất khối",
}
NEW_DETAIL = "chỉ tiêu mới"
DROPPED_DETAIL = "không còn đánh giá"
RENAMED_LABEL = "đổi tên chỉ tiêu"
_MAX_CHAIN = 50


# --------------------------------------------------------------------------- the link

def _name(rubric: Rubric) -> str:
    return f"năm {rubric.id}" if rubric.id.isdigit() else f"“{rubric.id}”"


def _declares(rubric: Rubric, previous: Rubric) -> bool:
    """Whether `rubric`'s `previous` key names `previous`."""
    if rubric.previous is None:
        return False
    if previous.path and rubric.previous_path() == Path(previous.path):
        return True
    return previous.id in {rubric.previous_id, Path(rubric.previous).stem}


def code_map(rubric: Rubric, previous: Rubric) -> dict[str, str | None]:
    """Current indicator code → the code it had in `previous` (None: new since then).

    The same rubric (same id) maps every code to itself; a rubric whose ``previous`` names
    `previous` uses its declared crosswalk (checked); one that names an older link of a chain
    (2017 → 2016 → 2015) composes the links; a rubric without ``previous`` maps by same code.
    """
    prev_codes = {i.code for i in previous.indicators}
    if rubric.id == previous.id:
        return {i.code: i.code if i.code in prev_codes else None for i in rubric.indicators}
    if rubric.previous is None:
        return {i.code: i.previous_code if i.previous_code in prev_codes else None
                for i in rubric.indicators}
    mapping = {i.code: i.code for i in rubric.indicators}
    current, seen = rubric, {rubric.id}
    for _ in range(_MAX_CHAIN):
        if _declares(current, previous):
            check_previous_link(current, previous)
            step = {i.code: i.previous_code for i in current.indicators}
            return {c: None if p is None else step.get(p) for c, p in mapping.items()}
        older = current.previous_rubric()
        if older is None or older.id in seen:
            break
        step = {i.code: i.previous_code for i in current.indicators}
        mapping = {c: None if p is None else step.get(p) for c, p in mapping.items()}
        seen.add(older.id)
        current = older
    raise RubricError(f"Phiếu đánh giá {_name(rubric)} không khai báo liên hệ (mục "
                      f"'previous') với phiếu {_name(previous)}, nên không đối chiếu được "
                      "chỉ tiêu giữa hai năm.")


# --------------------------------------------------------------------------- differences

def _num(value: Fraction) -> str:
    return vn_number(float(value), places=4)


def _pct(value: Fraction) -> str:
    return f"{_num(value * 100)}%"


def _codes(value: Any, tr: dict[str, str]) -> tuple[str, ...]:
    codes = (value,) if isinstance(value, str) else tuple(value or ())
    return tuple(tr.get(c, c) for c in codes)


def _rule_params(ind: Indicator, tr: dict[str, str]) -> dict[str, Any]:
    """The rule's parameters with exact numbers and `tr`-translated input codes."""
    out: dict[str, Any] = {}
    for key, value in ind.rule.params.items():
        if key in ("input", "numerator"):
            out["numerator"] = tr.get(value, value)
        elif key == "denominator":
            out[key] = _codes(value, tr)
        elif key == "na_if_zero":
            out[key] = tuple(sorted(_codes(value, tr)))
        elif key in ("full", "floor", "target", "cap"):
            out[key] = Fraction(str(value))
        elif key == "points":
            out[key] = {clean(str(k)): Fraction(str(v)) for k, v in value.items()}
        elif key == "steps":
            out[key] = tuple(sorted(((Fraction(str(a)), Fraction(str(b))) for a, b in value),
                                    reverse=True))
        else:
            out[key] = value
    return out


def _input_shape(ind: Indicator, tr: dict[str, str]) -> list[tuple]:
    return [(tr.get(i.code, i.code), i.type, i.unit, i.minimum, _codes(i.at_most, tr),
             i.allow_na) for i in ind.inputs]


def _formula(params: dict[str, Any]) -> str:
    den = params.get("denominator", ())
    den_text = den[0] if len(den) == 1 else f"({' + '.join(den)})"
    return f"{params.get('numerator')} / {den_text}" if den else str(params.get("numerator"))


def _steps(steps: tuple) -> str:
    return "(" + "; ".join(f"≥{_num(a)}: {_num(b)}" for a, b in steps) + ")"


def _param_details(cur: dict[str, Any], prev: dict[str, Any]) -> list[str]:
    out = []
    if (cur.get("numerator"), cur.get("denominator")) != \
            (prev.get("numerator"), prev.get("denominator")):
        out.append(f"cách tính {_formula(prev)} → {_formula(cur)}")
    labels = {"full": "ngưỡng đạt tối đa", "floor": "ngưỡng tối thiểu", "target": "mục tiêu",
              "cap": "giới hạn tỷ lệ"}
    for key, label in labels.items():
        if cur.get(key) != prev.get(key):
            before = _pct(prev[key]) if key in prev else "không có"
            after = _pct(cur[key]) if key in cur else "không có"
            out.append(f"{label} {before} → {after}")
    if cur.get("steps") != prev.get("steps"):
        out.append(f"bậc điểm {_steps(prev.get('steps', ()))} → {_steps(cur.get('steps', ()))}")
    if cur.get("points") != prev.get("points"):
        before, after = prev.get("points", {}), cur.get("points", {})
        for choice in after:
            if choice not in before:
                out.append(f"thêm lựa chọn “{choice}” ({_num(after[choice])} điểm)")
            elif before[choice] != after[choice]:
                out.append(f"điểm lựa chọn “{choice}” {_num(before[choice])} → "
                           f"{_num(after[choice])}")
        out += [f"bỏ lựa chọn “{choice}”" for choice in before if choice not in after]
    if cur.get("na_if_zero") != prev.get("na_if_zero"):
        def na(codes: tuple) -> str:
            return f"khi {' hoặc '.join(codes)} = 0" if codes else "không có"
        out.append(f"điều kiện không áp dụng {na(prev.get('na_if_zero', ()))} → "
                   f"{na(cur.get('na_if_zero', ()))}")
    return out


def _input_details(cur: list[tuple], prev: list[tuple]) -> list[str]:
    if [i[0] for i in cur] != [i[0] for i in prev]:
        return [f"câu trả lời {', '.join(i[0] for i in prev) or 'không có'} → "
                f"{', '.join(i[0] for i in cur) or 'không có'}"]
    out = []
    for (code, *after), (_, *before) in zip(cur, prev):
        names = ("kiểu", "đơn vị tính", "giá trị tối thiểu", "giới hạn", "“Không áp dụng”")
        for name, b, a in zip(names, before, after):
            if b != a:
                show = (lambda v: " + ".join(v) or "không có") if name == "giới hạn" else \
                       (lambda v: "cho phép" if v else "không cho phép") \
                       if name == "“Không áp dụng”" else str
                out.append(f"{name} câu trả lời {code} {show(b)} → {show(a)}")
    return out


def _compare(cur: Indicator, prev: Indicator, tr: dict[str, str]) -> tuple[str, list[str]]:
    """(change, details) for a mapped pair of indicators."""
    details = []
    if clean(cur.label) != clean(prev.label):
        details.append(RENAMED_LABEL)
    if cur.max_points != prev.max_points:
        details.append(f"điểm tối đa {_num(prev.max_points)} → {_num(cur.max_points)}")
    if cur.rule.kind != prev.rule.kind:
        details.append(f"cách chấm {KIND_LABELS.get(prev.rule.kind, prev.rule.kind)} → "
                       f"{KIND_LABELS.get(cur.rule.kind, cur.rule.kind)}")
    else:
        details += _param_details(_rule_params(cur, {}), _rule_params(prev, tr))
    details += _input_details(_input_shape(cur, {}), _input_shape(prev, tr))
    moved = []
    if cur.code != prev.code:
        moved.append(f"đổi mã {prev.code} → {cur.code}")
        if cur.criterion != prev.criterion:
            moved.append(f"chuyển từ tiêu chí {prev.criterion} sang {cur.criterion}")
    change = "changed" if details else "renamed" if moved else "same"
    return change, moved + details


def _translation(pairs: Iterable[tuple[Indicator, Indicator]]) -> dict[str, str]:
    """Previous input code → current input code, for the inputs of renamed indicators."""
    tr = {}
    for cur, prev in pairs:
        for inp in prev.inputs:
            if inp.code.startswith(prev.code):
                tr[inp.code] = cur.code + inp.code[len(prev.code):]
    return tr


# --------------------------------------------------------------------------- public API

def crosswalk(rubric: Rubric, previous_rubric: Rubric | None = None) -> pd.DataFrame:
    """One row per indicator of either year (see the module docstring for the columns).

    `previous_rubric` defaults to the rubric the file names in ``previous``. Rows follow the
    current rubric's order; dropped indicators come after their criterion's last row.
    """
    previous = previous_rubric if previous_rubric is not None else rubric.previous_rubric()
    if previous is None:
        raise RubricError(f"Phiếu đánh giá {_name(rubric)} không khai báo phiếu năm trước "
                          "(mục 'previous').")
    mapping = code_map(rubric, previous)
    old = {i.code: i for i in previous.indicators}
    pairs = [(i, old[mapping[i.code]]) for i in rubric.indicators if mapping[i.code] in old]
    tr = _translation(pairs)
    rows: dict[str, list[dict]] = {}
    for ind in rubric.indicators:
        prev = old.get(mapping[ind.code]) if mapping[ind.code] else None
        row = {"code": ind.code, "criterion": ind.criterion, "label": ind.label,
               "max_points": float(ind.max_points)}
        if prev is None:
            row |= {"previous_code": None, "previous_label": None, "previous_max": np.nan,
                    "change": "new", "same_max": False, "same_kind": False,
                    "detail": NEW_DETAIL}
        else:
            change, details = _compare(ind, prev, tr)
            row |= {"previous_code": prev.code, "previous_label": prev.label,
                    "previous_max": float(prev.max_points), "change": change,
                    "same_max": ind.max_points == prev.max_points,
                    "same_kind": ind.rule.kind == prev.rule.kind,
                    "detail": "; ".join(details)}
        rows.setdefault(ind.criterion, []).append(row)
    reached = {p.code for _, p in pairs}
    for prev in previous.indicators:
        if prev.code not in reached:
            rows.setdefault(prev.criterion, []).append({
                "code": None, "previous_code": prev.code, "criterion": prev.criterion,
                "label": None, "previous_label": prev.label, "max_points": np.nan,
                "previous_max": float(prev.max_points), "change": "dropped",
                "same_max": False, "same_kind": False, "detail": DROPPED_DETAIL})
    table = pd.DataFrame([r for group in rows.values() for r in group], columns=COLUMNS)
    table["comparable"] = table["change"].isin(COMPARABLE)
    return table.astype({"comparable": bool, "same_max": bool, "same_kind": bool})


def _listing(items: list[str]) -> str:
    return ", ".join(items)


def _count(n: int, what: str, items: list[str]) -> str:
    return f"{n} chỉ tiêu{what} ({_listing(items)})"


def method_changes(rubric: Rubric, previous_rubric: Rubric | None = None) -> list[str]:
    """Vietnamese sentences describing how the form changed since `previous_rubric`."""
    previous = previous_rubric if previous_rubric is not None else rubric.previous_rubric()
    if previous is None:
        return [f"Phiếu đánh giá {_name(rubric)} không khai báo phiếu năm trước, nên không "
                "đối chiếu được cách chấm giữa các năm."]
    table = crosswalk(rubric, previous)
    by = {kind: table[table["change"] == kind] for kind in CHANGES}
    parts = []
    if len(by["new"]):
        parts.append("có " + _count(len(by["new"]), " mới",
                                    [f"{r.code} {r.label}" for r in by["new"].itertuples()]))
    if len(by["dropped"]):
        parts.append("bỏ " + _count(len(by["dropped"]), "", [
            f"{r.previous_code} {r.previous_label}" for r in by["dropped"].itertuples()]))
    if len(by["renamed"]):
        parts.append("đổi mã " + _count(len(by["renamed"]), "", [
            f"{r.previous_code} → {r.code}" for r in by["renamed"].itertuples()]))
    if len(by["changed"]):
        parts.append("thay đổi nội dung hoặc cách chấm " + _count(
            len(by["changed"]), "", list(by["changed"]["code"])))
    old_crit = {c.code: c.max_points for c in previous.criteria}
    crit_changes = [f"{c.code} {_num(old_crit[c.code])} → {_num(c.max_points)}"
                    for c in rubric.criteria
                    if c.code in old_crit and old_crit[c.code] != c.max_points]
    if not parts and not crit_changes:
        same = (f"Hai năm dùng cùng phiếu đánh giá {rubric.id}" if rubric.id == previous.id
                else f"Phiếu đánh giá {_name(rubric)} giống phiếu {_name(previous)}")
        return [same + ": các chỉ tiêu, điểm tối đa và cách chấm không đổi, nên điểm từng "
                "chỉ tiêu so sánh được trực tiếp."]
    listed = parts[0] if len(parts) < 2 else ", ".join(parts[:-1]) + " và " + parts[-1]
    head = f"So với {_name(previous)}, phiếu đánh giá {_name(rubric)} "
    sentences = [(head + listed if parts else head + "giữ nguyên các chỉ tiêu")
                 + "; điểm tổng và tỷ lệ theo tiêu chí vẫn so sánh được vì đều quy về "
                 "thang 100."]
    for row in by["changed"].itertuples():
        detail = row.detail.replace(
            RENAMED_LABEL, f"{RENAMED_LABEL} (trước đây: “{row.previous_label}”)")
        sentences.append(f"Chỉ tiêu {row.code} {row.label}: {detail}.")
    if crit_changes:
        sentences.append(f"Điểm tối đa theo tiêu chí thay đổi: {_listing(crit_changes)}.")
    touched = sorted({c for kind in ("new", "dropped", "changed")
                      for c in by[kind]["criterion"]})
    if touched:
        sentences.append(
            f"Nội dung tiêu chí {_listing(touched)} khác {_name(previous)}, nên khi so sánh tỷ "
            "lệ của các tiêu chí này cần lưu ý các thay đổi trên. Điểm từng chỉ tiêu chỉ so "
            "sánh trực tiếp với các chỉ tiêu không đổi hoặc chỉ đổi mã; chỉ tiêu thay đổi "
            "cách chấm chỉ so sánh theo tỷ lệ % điểm tối đa của từng năm.")
    return sentences


def _percent(points: float, maximum: Fraction) -> float:
    return float(round_half_up(Fraction(repr(float(points))) / maximum * 100))


def comparable_indicator_percent(points_by_year: pd.DataFrame, rubrics: dict[int, Rubric],
                                 include_changed: bool = True,
                                 statuses: tuple[str, ...] = ("scored", "invalid"),
                                 ) -> pd.DataFrame:
    """Indicator percentages (points / that year's max × 100) for consecutive years.

    `points_by_year`: rows year, unit_id, indicator, points (+ optional max_points, status,
    as in ``points.parquet``); `rubrics`: year → the rubric that scored that year. Years are
    paired with the previous year present in both (a gap composes the rubrics' links).
    Rows: year, previous_year, unit_id, indicator (current code), previous_code, criterion,
    crosswalk (same/renamed/changed), comparable, same_max, percent, previous_percent and
    change (percentage points). Only indicators comparable in both years are kept: ``same``
    and ``renamed``, plus ``changed`` ones with the same rule kind (flagged comparable False)
    unless `include_changed` is False; new and dropped ones never. Not applicable rows (and
    statuses not in `statuses`) are left out; a unit must appear in both years.
    """
    frame = points_by_year
    if "status" in frame.columns:
        frame = frame[frame["status"].isin(statuses)]
    frame = frame[frame["points"].notna()]
    by_year = {int(y): r for y, r in rubrics.items()}
    years = sorted(set(by_year) & {int(y) for y in frame["year"].unique()})
    out = []
    for before, year in zip(years, years[1:]):
        table = crosswalk(by_year[year], by_year[before])
        similar = (table["change"] == "changed") & table["same_kind"]
        table = table[table["comparable"] | (similar if include_changed else False)]
        now = _year_percent(frame, year, by_year[year])
        then = _year_percent(frame, before, by_year[before])
        links = table[["code", "previous_code", "criterion", "change", "comparable",
                       "same_max"]].rename(columns={"code": "indicator", "change": "crosswalk"})
        merged = (links.merge(now, on="indicator")
                  .merge(then.rename(columns={"indicator": "previous_code",
                                              "percent": "previous_percent"}),
                         on=["previous_code", "unit_id"]))
        merged["year"], merged["previous_year"] = year, before
        out.append(merged)
    if not out:
        return pd.DataFrame(columns=PERCENT_COLUMNS)
    result = pd.concat(out, ignore_index=True)
    result["change"] = [float(round_half_up(Fraction(repr(a)) - Fraction(repr(b))))
                        for a, b in zip(result["percent"], result["previous_percent"])]
    order = {}
    for year, rubric in by_year.items():
        order |= {(year, i.code): n for n, i in enumerate(rubric.indicators)}
    result["_order"] = [order[(y, c)] for y, c in zip(result["year"], result["indicator"])]
    result = result.sort_values(["year", "unit_id", "_order"], kind="stable")
    return result[PERCENT_COLUMNS].reset_index(drop=True)


def _year_percent(frame: pd.DataFrame, year: int, rubric: Rubric) -> pd.DataFrame:
    """unit_id, indicator, percent of the rubric's maximum, for one year."""
    rows = frame[frame["year"].astype(int) == year]
    maxima = {i.code: i.max_points for i in rubric.indicators}
    unknown = sorted(set(rows["indicator"]) - set(maxima))
    if unknown:
        raise RubricError(f"Bảng điểm năm {year} có chỉ tiêu {', '.join(unknown)} không có "
                          f"trong phiếu đánh giá {_name(rubric)}: kiểm tra phiếu dùng cho "
                          "năm này.")
    if "max_points" in rows.columns:
        wrong = sorted({c for c, m in zip(rows["indicator"], rows["max_points"])
                        if Fraction(repr(float(m))) != maxima[c]})
        if wrong:
            raise RubricError(f"Bảng điểm năm {year}: điểm tối đa của {', '.join(wrong)} khác "
                              f"phiếu đánh giá {_name(rubric)}: kiểm tra phiếu dùng cho năm "
                              "này.")
    percent = [np.nan if maxima[c] == 0 else _percent(p, maxima[c])
               for c, p in zip(rows["indicator"], rows["points"])]
    result = pd.DataFrame({"unit_id": rows["unit_id"].to_numpy(),
                           "indicator": rows["indicator"].to_numpy(), "percent": percent})
    return result[result["percent"].notna()]
