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
from cntt_analysis.text import clean

CHANGES = ("same", "renamed", "changed", "new", "dropped")
COMPARABLE = {"same", "renamed"}
COLUMNS = ["code", "previous_code", "criterion", "label", "previous_label", "max_points",
           "previous_max", "change", "comparable", "same_max", "same_kind", "detail"]
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

def rubric_name(rubric: Rubric) -> str:
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
    mapping: dict[str, str | None] = {i.code: i.code for i in rubric.indicators}
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
    raise RubricError(f"Phiếu đánh giá {rubric_name(rubric)} không khai báo liên hệ (mục "
                      f"'previous') với phiếu {rubric_name(previous)}, nên không đối chiếu được "
                      "chỉ tiêu giữa hai năm.")


# --------------------------------------------------------------------------- differences

def fraction_text(value: Fraction) -> str:
    return vn_number(float(value), places=4)


def _pct(value: Fraction) -> str:
    return f"{fraction_text(value * 100)}%"


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


def _input_shape(ind: Indicator, tr: dict[str, str]) -> list[tuple[Any, ...]]:
    return [(tr.get(i.code, i.code), i.type, i.unit, i.minimum, _codes(i.at_most, tr),
             i.allow_na) for i in ind.inputs]


def _formula(params: dict[str, Any]) -> str:
    den = params.get("denominator", ())
    den_text = den[0] if len(den) == 1 else f"({' + '.join(den)})"
    return f"{params.get('numerator')} / {den_text}" if den else str(params.get("numerator"))


def _steps(steps: tuple[Any, ...]) -> str:
    return "(" + "; ".join(f"≥{fraction_text(a)}: {fraction_text(b)}" for a, b in steps) + ")"


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
                out.append(f"thêm lựa chọn “{choice}” ({fraction_text(after[choice])} điểm)")
            elif before[choice] != after[choice]:
                out.append(f"điểm lựa chọn “{choice}” {fraction_text(before[choice])} → "
                           f"{fraction_text(after[choice])}")
        out += [f"bỏ lựa chọn “{choice}”" for choice in before if choice not in after]
    if cur.get("na_if_zero") != prev.get("na_if_zero"):
        def na(codes: tuple[str, ...]) -> str:
            return f"khi {' hoặc '.join(codes)} = 0" if codes else "không có"
        out.append(f"điều kiện không áp dụng {na(prev.get('na_if_zero', ()))} → "
                   f"{na(cur.get('na_if_zero', ()))}")
    return out


def _input_details(cur: list[tuple[Any, ...]], prev: list[tuple[Any, ...]]) -> list[str]:
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
        details.append(f"điểm tối đa {fraction_text(prev.max_points)} → "
                       f"{fraction_text(cur.max_points)}")
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
        raise RubricError(f"Phiếu đánh giá {rubric_name(rubric)} không khai báo phiếu năm trước "
                          "(mục 'previous').")
    mapping = code_map(rubric, previous)
    old: dict[str | None, Indicator] = {i.code: i for i in previous.indicators}
    pairs = [(i, old[mapping[i.code]]) for i in rubric.indicators if mapping[i.code] in old]
    tr = _translation(pairs)
    rows: dict[str, list[dict[str, Any]]] = {}
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


