"""The rubric (phiếu đánh giá) as data: loaded from YAML and validated once.

The scoring engine only knows rule kinds; every indicator, point and threshold lives in
the rubric file, so the IT Centre can change them for another year without a programmer.
"""

from __future__ import annotations

from dataclasses import dataclass, field
from fractions import Fraction
from functools import lru_cache
from pathlib import Path
from typing import Any

import yaml

from cntt_analysis.errors import UsageError
from cntt_analysis.text import fold

RUBRIC_DIR = Path(__file__).parent / "rubrics"
INPUT_TYPES = {"text", "year", "date", "count", "amount", "yes_no", "choice"}
RULE_KINDS = {"yes_no", "choice", "steps", "ratio", "threshold", "target", "best_in_group"}
# Which keys each rule kind needs, besides `kind`.
RULE_KEYS = {
    "yes_no": {"input"},
    "choice": {"input", "points"},
    "steps": {"input", "steps"},
    "ratio": {"numerator", "denominator"},
    "threshold": {"numerator", "denominator", "full", "floor"},
    "target": {"numerator", "denominator", "target"},
    "best_in_group": {"numerator", "denominator"},
}
RULE_OPTIONAL = {"na_if_zero", "cap"}
TYPE_UNITS = {"yes_no": "Có/Không", "choice": "Chọn", "date": "dd/mm/yyyy", "year": "Năm"}


@dataclass(frozen=True)
class Input:
    """One answer a unit fills in (a row of the template)."""

    code: str
    label: str
    type: str
    sheet: str
    required: bool = True
    unit: str = ""
    minimum: Fraction = Fraction(0)
    at_most: tuple[str, ...] = ()
    allow_na: bool = False
    choices: tuple[str, ...] = ()
    indicator: str | None = None

    def choice_for(self, folded: str) -> str | None:
        """The canonical label whose folded form is `folded`, if any."""
        return next((c for c in self.choices if fold(c) == folded), None)


@dataclass(frozen=True)
class Rule:
    kind: str
    params: dict[str, Any]

    @property
    def numerator(self) -> str | None:
        return self.params.get("numerator") or self.params.get("input")

    @property
    def denominator(self) -> tuple[str, ...]:
        den = self.params.get("denominator", ())
        return (den,) if isinstance(den, str) else tuple(den)

    @property
    def na_if_zero(self) -> tuple[str, ...]:
        return tuple(self.params.get("na_if_zero", ()))

    def input_codes(self) -> tuple[str, ...]:
        """Every input this rule reads, numerator first, without repeats."""
        codes = [self.numerator, *self.denominator, *self.na_if_zero]
        return tuple(dict.fromkeys(c for c in codes if c))


@dataclass(frozen=True)
class Indicator:
    code: str
    criterion: str
    label: str
    max_points: Fraction
    rule: Rule
    remedy: str
    inputs: tuple[Input, ...]


@dataclass(frozen=True)
class Criterion:
    code: str
    name: str
    short: str
    sheet: str
    max_points: Fraction
    indicators: tuple[Indicator, ...]


@dataclass(frozen=True)
class Tier:
    name: str
    minimum: Fraction


@dataclass(frozen=True)
class Rubric:
    id: str
    title: str
    total: Fraction
    groups: dict[str, str]
    tiers: tuple[Tier, ...]
    general_sheet: str
    general: tuple[Input, ...]
    criteria: tuple[Criterion, ...]
    shortcoming_min_lost_share: Fraction = Fraction(1, 2)
    source: str = ""
    inputs: dict[str, Input] = field(default_factory=dict)

    @property
    def indicators(self) -> tuple[Indicator, ...]:
        return tuple(i for c in self.criteria for i in c.indicators)

    def tier_for(self, score: float) -> str:
        for tier in self.tiers:
            if Fraction(str(score)) >= tier.minimum:
                return tier.name
        return self.tiers[-1].name

    def sheets(self) -> list[str]:
        return [self.general_sheet, *(c.sheet for c in self.criteria)]


class RubricError(UsageError):
    """A rubric file that cannot be used; the message is in Vietnamese."""


def _number(value: Any, where: str) -> Fraction:
    try:
        return Fraction(str(value))
    except (ValueError, TypeError):
        raise RubricError(f"{where}: '{value}' không phải là số.") from None


def _input(raw: dict, sheet: str, indicator: dict | None, src: str) -> Input:
    code = str(raw.get("code", ""))
    kind = raw.get("type")
    if kind not in INPUT_TYPES:
        raise RubricError(f"{src}: mục {code} có kiểu '{kind}' không hợp lệ "
                          f"(cho phép: {', '.join(sorted(INPUT_TYPES))}).")
    label = raw.get("label") or (indicator or {}).get("label") or code
    return Input(
        code=code, label=str(label), type=kind, sheet=sheet,
        required=bool(raw.get("required", True)),
        unit=str(raw.get("unit", TYPE_UNITS.get(kind, ""))),
        minimum=_number(raw.get("min", 0), f"{src}: {code}.min"),
        at_most=tuple(raw.get("at_most", ())),
        allow_na=bool(raw.get("allow_na", False)),
        choices=tuple(str(c) for c in raw.get("choices", ())),
        indicator=(indicator or {}).get("code"),
    )


def _rule(raw: dict, code: str, src: str) -> Rule:
    kind = raw.get("kind")
    if kind not in RULE_KINDS:
        raise RubricError(f"{src}: chỉ tiêu {code} có loại quy tắc '{kind}' không hợp lệ "
                          f"(cho phép: {', '.join(sorted(RULE_KINDS))}).")
    params = {k: v for k, v in raw.items() if k != "kind"}
    missing = RULE_KEYS[kind] - params.keys()
    extra = params.keys() - RULE_KEYS[kind] - RULE_OPTIONAL
    if missing or extra:
        detail = ", ".join([f"thiếu '{k}'" for k in sorted(missing)]
                           + [f"thừa '{k}'" for k in sorted(extra)])
        raise RubricError(f"{src}: quy tắc '{kind}' của chỉ tiêu {code}: {detail}.")
    return Rule(kind=kind, params=params)


def _indicator(raw: dict, criterion: str, sheet: str, src: str) -> Indicator:
    code = str(raw.get("code", ""))
    inputs = tuple(_input(i, sheet, raw, src) for i in raw.get("inputs", ()))
    return Indicator(
        code=code, criterion=criterion, label=str(raw.get("label", code)),
        max_points=_number(raw.get("max"), f"{src}: {code}.max"),
        rule=_rule(raw.get("rule") or {}, code, src),
        remedy=str(raw.get("remedy", "")), inputs=inputs,
    )


def parse_rubric(data: dict, source: str = "<rubric>") -> Rubric:
    """Build and validate a rubric from its parsed YAML mapping."""
    if not isinstance(data, dict):
        raise RubricError(f"{source}: tệp phiếu đánh giá phải là một bảng (mapping) YAML.")
    for key in ("id", "total", "tiers", "general", "criteria"):
        if key not in data:
            raise RubricError(f"{source}: thiếu mục bắt buộc '{key}'.")
    general_sheet = str(data["general"].get("sheet", "Thông tin chung"))
    general = tuple(_input(i, general_sheet, None, source) for i in data["general"]["inputs"])
    criteria = tuple(
        Criterion(
            code=str(c["code"]), name=str(c["name"]), short=str(c.get("short", c["name"])),
            sheet=str(c.get("sheet", c["code"]))[:31],
            max_points=_number(c.get("max"), f"{source}: {c['code']}.max"),
            indicators=tuple(_indicator(i, str(c["code"]), str(c.get("sheet", c["code"]))[:31],
                                        source) for i in c.get("indicators", ())),
        )
        for c in data["criteria"]
    )
    tiers = tuple(Tier(str(t["name"]), _number(t["min"], f"{source}: tiers"))
                  for t in data["tiers"])
    rubric = Rubric(
        id=str(data["id"]), title=str(data.get("title", data["id"])),
        total=_number(data["total"], f"{source}: total"),
        groups=dict(data.get("groups") or {"so": "so", "huyen": "huyen"}),
        tiers=tuple(sorted(tiers, key=lambda t: -t.minimum)),
        general_sheet=general_sheet, general=general, criteria=criteria,
        shortcoming_min_lost_share=_number(data.get("shortcoming_min_lost_share", 0.5),
                                           f"{source}: shortcoming_min_lost_share"),
        source=source,
    )
    all_inputs = [*general, *(i for ind in rubric.indicators for i in ind.inputs)]
    _check_unique([i.code for i in all_inputs], "mã câu trả lời", source)
    _check_unique([i.code for i in rubric.indicators], "mã chỉ tiêu", source)
    _check_unique([c.code for c in criteria], "mã tiêu chí", source)
    rubric.inputs.update({i.code: i for i in all_inputs})
    _validate(rubric, source)
    return rubric


def _check_unique(codes: list[str], what: str, source: str) -> None:
    seen = {c for c in codes if codes.count(c) > 1}
    if seen:
        raise RubricError(f"{source}: {what} bị trùng: {', '.join(sorted(seen))}.")


def _validate(rubric: Rubric, source: str) -> None:
    """Cross-checks: references, sums of points, rule parameters."""
    known = rubric.inputs
    for ind in rubric.indicators:
        rule = ind.rule
        for code in rule.input_codes():
            if code not in known:
                raise RubricError(f"{source}: chỉ tiêu {ind.code} dùng mục '{code}' không có "
                                  "trong phiếu.")
        _validate_rule(ind, known, source)
    for inp in known.values():
        for code in inp.at_most:
            if code not in known:
                raise RubricError(f"{source}: mục {inp.code} so sánh với mục '{code}' không có "
                                  "trong phiếu.")
    for crit in rubric.criteria:
        got = sum((i.max_points for i in crit.indicators), Fraction(0))
        if got != crit.max_points:
            raise RubricError(f"{source}: tiêu chí {crit.code} ghi tối đa "
                              f"{float(crit.max_points):g} điểm nhưng các chỉ tiêu cộng lại "
                              f"{float(got):g} điểm.")
    total = sum((c.max_points for c in rubric.criteria), Fraction(0))
    if total != rubric.total:
        raise RubricError(f"{source}: tổng điểm ghi {float(rubric.total):g} nhưng các tiêu chí "
                          f"cộng lại {float(total):g} điểm.")


def _validate_rule(ind: Indicator, known: dict[str, Input], source: str) -> None:
    rule, where = ind.rule, f"{source}: chỉ tiêu {ind.code}"
    numerator = known[rule.numerator]
    if rule.kind == "yes_no" and numerator.type != "yes_no":
        raise RubricError(f"{where}: quy tắc yes_no cần mục kiểu yes_no.")
    if rule.kind == "choice":
        points = {str(k): _number(v, where) for k, v in rule.params["points"].items()}
        if set(points) != set(numerator.choices):
            raise RubricError(f"{where}: các lựa chọn có điểm không khớp danh sách lựa chọn của "
                              f"mục {numerator.code}.")
        if max(points.values()) > ind.max_points:
            raise RubricError(f"{where}: điểm lựa chọn vượt điểm tối đa.")
    if rule.kind == "steps":
        steps = rule.params["steps"]
        if not isinstance(steps, list) or any(
                not isinstance(s, (list, tuple)) or len(s) != 2 for s in steps):
            raise RubricError(f"{where}: bậc điểm phải là danh sách các cặp [ngưỡng, điểm].")
        for floor, _ in steps:
            _number(floor, where)
        if not steps or any(_number(p, where) > ind.max_points for _, p in steps):
            raise RubricError(f"{where}: bậc điểm không hợp lệ hoặc vượt điểm tối đa.")
    if rule.kind == "threshold":
        full, floor = _number(rule.params["full"], where), _number(rule.params["floor"], where)
        if not 0 <= floor <= full or full == 0:
            raise RubricError(f"{where}: ngưỡng cần 0 ≤ floor ≤ full và full > 0.")
    if rule.kind == "target" and _number(rule.params["target"], where) <= 0:
        raise RubricError(f"{where}: mục tiêu (target) phải lớn hơn 0.")


def load_rubric(name_or_path: str | Path) -> Rubric:
    """Load a shipped rubric by name (e.g. ``"2017"``) or any rubric file by path."""
    path = Path(name_or_path)
    if not path.suffix:
        path = RUBRIC_DIR / f"{name_or_path}.yaml"
    return _load(str(path.resolve()))


@lru_cache(maxsize=16)
def _load(path: str) -> Rubric:
    try:
        text = Path(path).read_text(encoding="utf-8")
    except OSError:
        shipped = ", ".join(sorted(p.stem for p in RUBRIC_DIR.glob("*.yaml")))
        raise RubricError(f"Không tìm thấy phiếu đánh giá '{path}'. "
                          f"Các phiếu có sẵn: {shipped}.") from None
    try:
        data = yaml.safe_load(text)
    except yaml.YAMLError as exc:
        raise RubricError(f"{path}: tệp YAML không đọc được: {exc}") from None
    return parse_rubric(data, source=Path(path).name)


def shipped_rubrics() -> list[str]:
    return sorted(p.stem for p in RUBRIC_DIR.glob("*.yaml"))
