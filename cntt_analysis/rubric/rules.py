"""Rule kinds: how an indicator turns answers into points, parsed and checked from YAML.

The engine (``scoring.points``) knows these kinds and nothing about indicators:

- ``yes_no`` (input): yes → max.
- ``choice`` (input, points): the chosen label's points.
- ``steps`` (input, steps): the points of the highest step the number reaches.
- ``per_item`` (input, each): ``each`` points per item, at most the indicator's max.
- ``ratio`` (numerator, denominator): r × max, r = numerator / denominator.
- ``threshold`` (+ full, floor): r ≥ full → max; floor ≤ r < full → r / full × max; else 0.
- ``target`` (numerator, target, optional denominator): min(r / target, 1) × max.
- ``best_in_group`` (numerator, denominator): r / (the best r of the unit's group) × max.
- ``sum`` (parts): independent partial credits, each a rule with its own ``max``; their
  maxima add up to the indicator's.
- ``best_of`` (options): alternative ways of scoring the same indicator; the unit gets the
  one that gives the most points.

Every rule may add ``na_if_zero: [codes]`` (not applicable when one of them is 0); rules on a
ratio (ratio, threshold, target, best_in_group) may add ``cap`` (r is at most this) and
``if_zero`` (what a zero denominator gives: ``0`` — the default —, ``na`` or ``full``).
"""

from __future__ import annotations

from dataclasses import dataclass, field
from fractions import Fraction
from functools import cached_property
from typing import Any

from cntt_analysis.errors import UsageError

SIMPLE_KINDS = ("yes_no", "choice", "steps", "per_item", "ratio", "threshold", "target",
                "best_in_group")
COMPOSITE_KINDS = ("sum", "best_of")
RULE_KINDS = set(SIMPLE_KINDS) | set(COMPOSITE_KINDS)
RATIO_KINDS = {"ratio", "threshold", "target", "best_in_group"}
# Which keys each rule kind needs, besides `kind`.
RULE_KEYS = {
    "yes_no": {"input"},
    "choice": {"input", "points"},
    "steps": {"input", "steps"},
    "per_item": {"input", "each"},
    "ratio": {"numerator", "denominator"},
    "threshold": {"numerator", "denominator", "full", "floor"},
    "target": {"numerator", "target"},
    "best_in_group": {"numerator", "denominator"},
    "sum": {"parts"},
    "best_of": {"options"},
}
# Keys a kind may add: `na_if_zero` on any rule; `cap` on any simple kind (older files
# carry it on kinds without a ratio, where it changes nothing); `if_zero` on the kinds with
# a ratio; `denominator` on `target` (without it, r is the numerator itself).
RULE_OPTIONAL: dict[str, set[str]] = {kind: {"na_if_zero"} for kind in RULE_KEYS}
for _kind in SIMPLE_KINDS:
    RULE_OPTIONAL[_kind].add("cap")
for _kind in RATIO_KINDS:
    RULE_OPTIONAL[_kind].add("if_zero")
RULE_OPTIONAL["target"].add("denominator")
# What a zero denominator gives: 0 points (the default), not applicable, or the maximum.
IF_ZERO = {"0": "zero", "zero": "zero", "na": "na", "full": "full"}
NUMERIC_TYPES = {"count", "amount"}


class RubricError(UsageError):
    """A rubric file that cannot be used; the message is in Vietnamese."""


def number(value: Any, where: str) -> Fraction:
    """An exact number from YAML (text of the decimal: 0.7 is 7/10, not the float)."""
    if isinstance(value, bool):
        raise RubricError(f"{where}: '{value}' không phải là số.")
    try:
        return Fraction(str(value))
    except (ValueError, TypeError):
        raise RubricError(f"{where}: '{value}' không phải là số.") from None


@dataclass(frozen=True)
class Rule:
    """A rule of one indicator. `parts` are a ``sum``'s partial credits or a ``best_of``'s
    alternatives (each a Rule); `max_points` is a ``sum`` part's own maximum."""

    kind: str
    params: dict[str, Any]
    parts: tuple[Rule, ...] = field(default=(), compare=False)
    max_points: Fraction | None = None

    @property
    def numerator(self) -> str:
        # Every simple kind requires `numerator` or `input` (RULE_KEYS), checked on loading.
        return str(self.params.get("numerator") or self.params["input"])

    @property
    def denominator(self) -> tuple[str, ...]:
        den = self.params.get("denominator", ())
        return (den,) if isinstance(den, str) else tuple(den)

    @property
    def na_if_zero(self) -> tuple[str, ...]:
        return tuple(self.params.get("na_if_zero", ()))

    @property
    def if_zero(self) -> str:
        """What a zero denominator gives: "zero" (0 points), "na" or "full"."""
        return IF_ZERO[str(self.params.get("if_zero", 0)).strip().lower()]

    @property
    def composite(self) -> bool:
        return self.kind in COMPOSITE_KINDS

    @cached_property
    def _input_codes(self) -> tuple[str, ...]:
        if self.composite:
            codes = [c for part in self.parts for c in part.input_codes()]
        else:
            codes = [self.numerator, *self.denominator]
        codes += self.na_if_zero
        return tuple(dict.fromkeys(c for c in codes if c))

    def input_codes(self) -> tuple[str, ...]:
        """Every input this rule reads, numerator first, without repeats."""
        return self._input_codes


def parse_rule(raw: Any, code: str, src: str, inside: str | None = None) -> Rule:
    """A rule from its YAML mapping; `inside` is "sum" or "best_of" for a part."""
    where = f"{src}: chỉ tiêu {code}" + (f" (phần {inside})" if inside else "")
    if not isinstance(raw, dict):
        raw = {}
    kind = raw.get("kind")
    allowed = RULE_KINDS if inside is None else set(SIMPLE_KINDS) - {"best_in_group"}
    if kind not in allowed:
        what = "loại quy tắc" if inside is None else "loại quy tắc của một phần"
        raise RubricError(f"{where} có {what} '{kind}' không hợp lệ "
                          f"(cho phép: {', '.join(sorted(allowed))}).")
    params = {k: v for k, v in raw.items() if k != "kind"}
    if isinstance(params.get("points"), dict):  # labels compared as text, like answers
        params["points"] = {str(k): v for k, v in params["points"].items()}
    part_max = None
    if inside == "sum":
        if "max" not in params:
            raise RubricError(f"{where}: mỗi phần của quy tắc 'sum' cần 'max' (điểm tối đa "
                              "của phần đó).")
        part_max = number(params.pop("max"), f"{where}.max")
        if part_max < 0:
            raise RubricError(f"{where}: điểm tối đa của phần không được âm.")
    missing = RULE_KEYS[kind] - params.keys()
    extra = params.keys() - RULE_KEYS[kind] - RULE_OPTIONAL[kind]
    if missing or extra:
        detail = ", ".join([f"thiếu '{k}'" for k in sorted(missing)]
                           + [f"thừa '{k}'" for k in sorted(extra)])
        raise RubricError(f"{src}: quy tắc '{kind}' của chỉ tiêu {code}"
                          + (f" (phần {inside})" if inside else "") + f": {detail}.")
    if "if_zero" in params and str(params["if_zero"]).strip().lower() not in IF_ZERO:
        raise RubricError(f"{where}: 'if_zero: {params['if_zero']}' không hợp lệ: ghi 0 (mẫu "
                          "số bằng 0 thì 0 điểm), na (không áp dụng) hoặc full (đủ điểm).")
    if inside is not None and ("na_if_zero" in params
                               or str(params.get("if_zero", "")).strip().lower() == "na"):
        raise RubricError(f"{where}: 'không áp dụng' (na_if_zero, if_zero: na) chỉ ghi ở quy "
                          "tắc của cả chỉ tiêu, không ghi ở từng phần.")
    parts: tuple[Rule, ...] = ()
    if kind in COMPOSITE_KINDS:
        key = "parts" if kind == "sum" else "options"
        items = params[key]
        if not isinstance(items, list) or len(items) < 2:
            raise RubricError(f"{where}: '{key}' phải là danh sách từ hai quy tắc trở lên.")
        parts = tuple(parse_rule(item, code, src, inside=kind) for item in items)
    return Rule(kind=kind, params=params, parts=parts, max_points=part_max)


def check_rule(rule: Rule, top: Fraction, known: dict[str, Any], where: str) -> None:
    """Cross-checks of a rule against its maximum `top` and the inputs it reads."""
    for code in rule.input_codes():
        if code not in known:
            raise RubricError(f"{where} dùng mục '{code}' không có trong phiếu.")
    if rule.kind == "sum":
        total = sum((p.max_points or Fraction(0) for p in rule.parts), Fraction(0))
        if total != top:
            raise RubricError(f"{where}: các phần của quy tắc 'sum' có điểm tối đa cộng lại "
                              f"{float(total):g}, khác điểm tối đa của chỉ tiêu "
                              f"{float(top):g}.")
        for n, part in enumerate(rule.parts, start=1):
            check_rule(part, part.max_points or Fraction(0), known, f"{where} (phần {n})")
        return
    if rule.kind == "best_of":
        for n, part in enumerate(rule.parts, start=1):
            check_rule(part, top, known, f"{where} (cách chấm {n})")
        return
    _check_simple(rule, top, known, where)


def _check_simple(rule: Rule, top: Fraction, known: dict[str, Any], where: str) -> None:
    numerator = known[rule.numerator]
    params = rule.params
    if rule.kind == "yes_no" and numerator.type != "yes_no":
        raise RubricError(f"{where}: quy tắc yes_no cần mục kiểu yes_no.")
    if rule.kind in ("steps", "per_item") or rule.kind in RATIO_KINDS:
        for code in (rule.numerator, *rule.denominator):
            if known[code].type not in NUMERIC_TYPES:
                raise RubricError(f"{where}: quy tắc {rule.kind} cần mục kiểu số (count hoặc "
                                  f"amount) nhưng mục {code} có kiểu '{known[code].type}'.")
    if rule.kind == "choice":
        points = {str(k): number(v, where) for k, v in params["points"].items()}
        if set(points) != set(numerator.choices):
            raise RubricError(f"{where}: các lựa chọn có điểm không khớp danh sách lựa chọn của "
                              f"mục {numerator.code}.")
        if max(points.values()) > top or min(points.values()) < 0:
            raise RubricError(f"{where}: điểm lựa chọn vượt điểm tối đa hoặc âm.")
    if rule.kind == "steps":
        steps = params["steps"]
        if not isinstance(steps, list) or any(
                not isinstance(s, (list, tuple)) or len(s) != 2 for s in steps):
            raise RubricError(f"{where}: bậc điểm phải là danh sách các cặp [ngưỡng, điểm].")
        for floor, _ in steps:
            number(floor, where)
        if not steps or any(not 0 <= number(p, where) <= top for _, p in steps):
            raise RubricError(f"{where}: bậc điểm không hợp lệ hoặc vượt điểm tối đa.")
    if rule.kind == "per_item" and number(params["each"], where) <= 0:
        raise RubricError(f"{where}: số điểm mỗi mục (each) phải lớn hơn 0.")
    if rule.kind == "threshold":
        full, floor = number(params["full"], where), number(params["floor"], where)
        if not 0 <= floor <= full or full == 0:
            raise RubricError(f"{where}: ngưỡng cần 0 ≤ floor ≤ full và full > 0.")
    if rule.kind == "target" and number(params["target"], where) <= 0:
        raise RubricError(f"{where}: mục tiêu (target) phải lớn hơn 0.")
    if "cap" in params and rule.kind in RATIO_KINDS and number(params["cap"], where) <= 0:
        raise RubricError(f"{where}: giới hạn tỷ lệ (cap) phải lớn hơn 0.")
    if rule.kind == "ratio" and "cap" not in params:
        _check_at_most(rule, numerator, where)


def _check_at_most(rule: Rule, numerator: Any, where: str) -> None:
    """r × max needs r ≤ 1: the numerator must be declared at most the denominator (checked
    on every answer), unless the rule caps r."""
    if set(numerator.at_most) != set(rule.denominator):
        den = " + ".join(rule.denominator)
        raise RubricError(
            f"{where}: quy tắc ratio lấy {rule.numerator} / {den} nên cần {rule.numerator} ≤ "
            f"{den}: ghi 'at_most: [{', '.join(rule.denominator)}]' ở mục {rule.numerator} "
            "(mỗi bài nộp được kiểm tra), hoặc 'cap: 1' ở quy tắc nếu tỷ lệ được phép vượt 1 "
            "và tính như 1.")
