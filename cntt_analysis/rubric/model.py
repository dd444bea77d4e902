"""The rubric (phiếu đánh giá) as data: loaded from YAML and validated once.

The scoring engine only knows rule kinds; every indicator, point and threshold lives in
the rubric file, so the IT Centre can change them for another year without a programmer.

Crosswalk between years (optional keys, so that trends stay honest when the form changes):

- top level ``previous: "2016"``: last year's rubric, a shipped name or a path relative to
  this file; ``dropped: [C4.2]``: indicators of last year's rubric no longer assessed;
- per indicator ``previous:``: omitted = same code as last year; ``previous: C2.8`` = assessed
  last year under another code; ``previous: null`` (or ``new``) = new this year.

When ``previous`` is given, loading checks the link against last year's rubric (every
referenced code exists, every old indicator is mapped or dropped, none mapped twice, no
cycle). Only the direct link is checked: last year's own link is checked when it is loaded.
"""

from __future__ import annotations

import difflib
import re
from collections.abc import Mapping
from dataclasses import dataclass, field, replace
from fractions import Fraction
from functools import cached_property, lru_cache
from pathlib import Path
from typing import Any

from cntt_analysis.errors import UsageError
from cntt_analysis.rubric.groups import parse_groups, per_group
from cntt_analysis.rubric.rules import RULE_KEYS as RULE_KEYS
from cntt_analysis.rubric.rules import RULE_KINDS as RULE_KINDS
from cntt_analysis.rubric.rules import RubricError as RubricError
from cntt_analysis.rubric.rules import Rule as Rule
from cntt_analysis.rubric.rules import check_rule, number, parse_rule
from cntt_analysis.text import fold
from cntt_analysis.yamlfile import read_yaml

RUBRIC_DIR = Path(__file__).parent.parent / "rubrics"
DEFAULT_RUBRIC = "2017"  # the shipped rubric used where no year's rubric is at hand
INPUT_TYPES = {"text", "year", "date", "count", "amount", "yes_no", "choice"}
# Who supplies an input: the unit (in its template), the appraiser (the appraisal file) or
# a system export (e.g. the online public-service portal, named by `system`).
SOURCES = ("unit", "appraiser", "system")
# How results are shown first: share of the maximum (%), a 0..1 index, or points.
RESULTS = ("share", "index", "points")
# Registry columns an indicator's `applies_to` may not name (they mean something else).
RESERVED_COLUMNS = {"unit_id", "name", "group", "aliases", "previous_ids", "since", "until",
                    "ranked"}
# Answers that can be a claim needing evidence (tài liệu kiểm chứng).
EVIDENCE_TYPES = {"yes_no", "choice", "count", "amount"}
TYPE_UNITS = {"yes_no": "Có/Không", "choice": "Chọn", "date": "dd/mm/yyyy", "year": "Năm"}


@dataclass(frozen=True)
class Input:
    """One answer (a row of the template when the unit supplies it)."""

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
    # The unit must cite evidence (document number and date, or a link) for a claim.
    evidence: bool = False
    # Who supplies it (SOURCES) and, for a system export, the system's name.
    source: str = "unit"
    system: str = ""

    @property
    def from_unit(self) -> bool:
        """Whether the unit types it in its template (else the appraiser or a system)."""
        return self.source == "unit"

    @cached_property
    def _folded_choices(self) -> dict[str, str]:
        return {fold(c): c for c in self.choices}

    def choice_for(self, folded: str) -> str | None:
        """The canonical label whose folded form is `folded`, if any."""
        return self._folded_choices.get(folded)


@dataclass(frozen=True)
class Indicator:
    code: str
    criterion: str
    label: str
    max_points: Fraction
    rule: Rule
    remedy: str
    inputs: tuple[Input, ...]
    # Crosswalk to last year's rubric: the code it was assessed under (None when new).
    # Left as None with is_new False (the default), it means "same code as last year".
    previous_code: str | None = None
    is_new: bool = False
    # The groups whose framework has it (empty: every group) and, when it applies to only
    # some of their units, the unit flag that says which: ("registry", column of units.csv)
    # or ("round", list in round.yaml's `unit_lists`).
    groups: tuple[str, ...] = ()
    applies_to: tuple[str, str] | None = None

    def __post_init__(self) -> None:
        if self.previous_code is None and not self.is_new:
            object.__setattr__(self, "previous_code", self.code)

    def in_group(self, group: str | None) -> bool:
        """Whether the indicator is part of `group`'s framework."""
        return not self.groups or group in self.groups

    def applies(self, group: str | None, flags: Mapping[str, bool] | None = None) -> bool:
        """Whether a unit of `group` with unit `flags` (flag name → set) is assessed on it."""
        if not self.in_group(group):
            return False
        return self.applies_to is None or bool((flags or {}).get(self.applies_to[1], False))


@dataclass(frozen=True)
class Criterion:
    code: str
    name: str
    short: str
    sheet: str
    max_points: Fraction
    indicators: tuple[Indicator, ...]
    # The maximum per group (a criterion may weigh differently, or not exist, in a group's
    # framework); `max_points` is the common maximum, or the largest when they differ.
    maxima: dict[str, Fraction] = field(default_factory=dict)
    # Weight in the index (the weighted mean of the criteria's shares); None: by points.
    weight: Fraction | None = None

    def max_for(self, group: str | None) -> Fraction:
        return self.maxima.get(group or "", self.max_points) if self.maxima else self.max_points


@dataclass(frozen=True)
class Tier:
    name: str
    minimum: Fraction


@dataclass(frozen=True)
class GeneralCodes:
    """Which general inputs hold the unit's name, the report's year and its date (the
    intake reads them to identify the unit, check the year and order resubmissions)."""

    unit_name: str = "G01"
    year: str = "G02"
    report_date: str = "G03"


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
    # Crosswalk: last year's rubric as written in the file (shipped name or relative path),
    # last year's indicators no longer assessed, this file's absolute path (empty when
    # parsed from a mapping) and the id of last year's rubric once the link was checked.
    previous: str | None = None
    dropped: tuple[str, ...] = ()
    path: str = ""
    previous_id: str | None = None
    # Policy (top-level keys, defaults for older files in `_policy_keys`): short group
    # names, the tiers and the criterion percentage below which leaders direct a unit to
    # remedy its shortcomings, and the general codes intake reads.
    group_short: dict[str, str] = field(default_factory=dict)
    remedy_tiers: tuple[str, ...] = ()
    criterion_floor: Fraction = Fraction(50)
    general_codes: GeneralCodes = GeneralCodes()
    # Groups (ids → names above): colours for charts ("#RRGGBB", optional) and each group's
    # total; `total` is the common total, or the largest when groups differ.
    group_colors: dict[str, str] = field(default_factory=dict)
    totals: dict[str, Fraction] = field(default_factory=dict)
    # How results are shown first: "share" (% of the maximum), "index" (0..1) or "points".
    result: str = "share"

    @property
    def indicators(self) -> tuple[Indicator, ...]:
        return tuple(i for c in self.criteria for i in c.indicators)

    @property
    def weighted(self) -> bool:
        """Whether the criteria carry weights (the index is then their weighted mean)."""
        return any(c.weight is not None for c in self.criteria)

    def total_for(self, group: str | None) -> Fraction:
        return self.totals.get(group or "", self.total) if self.totals else self.total

    def group_indicators(self, group: str | None) -> tuple[Indicator, ...]:
        """The indicators of `group`'s framework, in rubric order."""
        return tuple(i for i in self.indicators if i.in_group(group))

    def unit_indicators(self, group: str | None,
                        flags: Mapping[str, bool] | None = None) -> tuple[Indicator, ...]:
        """The indicators a unit of `group` with `flags` is assessed on."""
        return tuple(i for i in self.indicators if i.applies(group, flags))

    @property
    def unit_flags(self) -> tuple[tuple[str, str], ...]:
        """Every (source, name) an indicator's `applies_to` reads, without repeats."""
        return tuple(dict.fromkeys(i.applies_to for i in self.indicators
                                   if i.applies_to is not None))

    def asked_inputs(self, group: str | None = None,
                     flags: Mapping[str, bool] | None = None) -> tuple[Input, ...]:
        """The inputs a unit types in its template, in template order: the general ones and
        those of the indicators it is assessed on, without the appraiser's and systems'.
        With no group, every group's (a generic template)."""
        indicators = self.indicators if group is None else self.unit_indicators(group, flags)
        # A rule reads general inputs, its own, or those of an indicator assessed wherever
        # it is (checked on loading): the inputs of `indicators` are all it needs.
        return (*(i for i in self.general if i.from_unit),
                *(i for ind in indicators for i in ind.inputs if i.from_unit))

    def supplied_inputs(self, group: str | None = None,
                        flags: Mapping[str, bool] | None = None,
                        source: str | None = None) -> tuple[Input, ...]:
        """The inputs of a unit's indicators that the appraiser or a system supplies (only
        `source`'s when given), in rubric order; with no group, every group's."""
        indicators = self.indicators if group is None else self.unit_indicators(group, flags)
        return tuple(i for ind in indicators for i in ind.inputs if not i.from_unit
                     and (source is None or i.source == source))

    @property
    def year(self) -> int | None:
        """The year the form was written for: its id when a year, else the last year in its
        title ("… năm 2017"); None when neither says."""
        found = re.findall(r"(?<!\d)(?:19|20)\d\d(?!\d)", f"{self.title} {self.id}"
                           if not re.fullmatch(r"\d{4}", self.id) else self.id)
        return int(found[-1]) if found else None

    @property
    def tier_names(self) -> tuple[str, ...]:
        """Tier names best first (the order of tables, legends and tier colours)."""
        return tuple(t.name for t in self.tiers)

    def group_label(self, group: str, short: bool = False) -> str:
        """A group's Vietnamese name (its short name with `short`), else its code."""
        if short and group in self.group_short:
            return self.group_short[group]
        return self.groups.get(group, group)

    def tier_for(self, score: float) -> str:
        for tier in self.tiers:
            if Fraction(str(score)) >= tier.minimum:
                return tier.name
        return self.tiers[-1].name

    def tier_text(self) -> str:
        """"Tốt: từ 85 điểm; Khá: từ 70 đến dưới 85 điểm; …; Yếu: dưới 50 điểm"."""
        def num(value: Fraction) -> str:
            return f"{float(value):g}".replace(".", ",")

        parts, above = [], None
        for tier in self.tiers:
            if tier.minimum > 0:
                upper = f" đến dưới {num(above)}" if above is not None else ""
                parts.append(f"{tier.name}: từ {num(tier.minimum)}{upper} điểm")
            else:
                parts.append(f"{tier.name}: dưới {num(above)} điểm" if above is not None
                             else tier.name)
            above = tier.minimum
        return "; ".join(parts)

    def sheets(self) -> list[str]:
        return [self.general_sheet, *(c.sheet for c in self.criteria)]

    def indicator(self, code: str) -> Indicator | None:
        return next((i for i in self.indicators if i.code == code), None)

    def previous_path(self) -> Path | None:
        """Where last year's rubric is (None when the file declares no ``previous``)."""
        if self.previous is None:
            return None
        return previous_rubric_path(self.previous, Path(self.path).parent if self.path else None)

    def previous_rubric(self) -> Rubric | None:
        """Last year's rubric, loaded (and validated, with its own link) on demand."""
        path = self.previous_path()
        return None if path is None else load_rubric(path)


_number = number


def _input(raw: dict[str, Any], sheet: str, indicator: dict[str, Any] | None,
           src: str) -> Input:
    code = str(raw.get("code", ""))
    kind = raw.get("type")
    if kind not in INPUT_TYPES:
        raise RubricError(f"{src}: mục {code} có kiểu '{kind}' không hợp lệ "
                          f"(cho phép: {', '.join(sorted(INPUT_TYPES))}).")
    label = raw.get("label") or (indicator or {}).get("label") or code
    evidence = raw.get("evidence", False)
    if not isinstance(evidence, bool):
        raise RubricError(f"{src}: mục {code} có 'evidence: {evidence}' không hợp lệ: ghi "
                          "'evidence: true' nếu đơn vị phải nêu tài liệu kiểm chứng, hoặc bỏ "
                          "mục này.")
    if evidence and kind not in EVIDENCE_TYPES:
        raise RubricError(f"{src}: mục {code} kiểu '{kind}' không thể yêu cầu tài liệu kiểm "
                          f"chứng (chỉ dùng cho kiểu: {', '.join(sorted(EVIDENCE_TYPES))}).")
    source, system = _source(raw, code, src)
    if evidence and source != "unit":
        raise RubricError(f"{src}: mục {code} do {SOURCE_NAMES[source]} cung cấp nên không yêu "
                          "cầu đơn vị nêu tài liệu kiểm chứng: bỏ 'evidence: true'.")
    return Input(
        code=code, label=str(label), type=kind, sheet=sheet,
        required=bool(raw.get("required", True)),
        unit=str(raw.get("unit", TYPE_UNITS.get(kind, ""))),
        minimum=_number(raw.get("min", 0), f"{src}: {code}.min"),
        at_most=tuple(raw.get("at_most", ())),
        allow_na=bool(raw.get("allow_na", False)),
        choices=tuple(str(c) for c in raw.get("choices", ())),
        indicator=(indicator or {}).get("code"), evidence=evidence,
        source=source, system=system,
    )


SOURCE_NAMES = {"unit": "đơn vị", "appraiser": "cơ quan thẩm định",
                "system": "hệ thống thông tin"}


def _source(raw: dict[str, Any], code: str, src: str) -> tuple[str, str]:
    """(source, system name) of an input: `source: unit | appraiser | system` and, for a
    system, `system: <its name>` (e.g. Cổng dịch vụ công của tỉnh)."""
    source = raw.get("source", "unit")
    if source not in SOURCES:
        raise RubricError(f"{src}: mục {code} có 'source: {source}' không hợp lệ (cho phép: "
                          "unit — đơn vị nhập, appraiser — cơ quan thẩm định cung cấp, system — "
                          "lấy từ hệ thống, kèm 'system: <tên hệ thống>').")
    system = raw.get("system", "")
    if source == "system" and (not isinstance(system, str) or not system.strip()):
        raise RubricError(f"{src}: mục {code} lấy từ hệ thống ('source: system') cần ghi tên "
                          "hệ thống ở 'system' (ví dụ system: Cổng dịch vụ công của tỉnh).")
    if source != "system" and system:
        raise RubricError(f"{src}: mục {code} ghi 'system' nhưng không phải 'source: system'.")
    return str(source), str(system).strip()


NEW_MARKERS = {"new", "moi"}  # `previous: new` / `previous: mới` = new this year


def _previous_code(raw: dict[str, Any], code: str, src: str) -> tuple[str | None, bool]:
    """(previous_code, is_new) from an indicator's optional `previous` key."""
    if "previous" not in raw:
        return code, False
    value = raw["previous"]
    if value is None or (isinstance(value, str) and fold(value) in NEW_MARKERS):
        return None, True
    if not isinstance(value, str) or not value.strip():
        raise RubricError(f"{src}: chỉ tiêu {code} có 'previous: {value}' không hợp lệ: ghi mã "
                          "chỉ tiêu năm trước (ví dụ 'previous: C2.8') hoặc 'previous: null' "
                          "nếu là chỉ tiêu mới.")
    return value.strip(), False


def _indicator(raw: dict[str, Any], criterion: str, sheet: str, src: str,
               groups: dict[str, str]) -> Indicator:
    code = str(raw.get("code", ""))
    inputs = tuple(_input(i, sheet, raw, src) for i in raw.get("inputs", ()))
    previous_code, is_new = _previous_code(raw, code, src)
    return Indicator(
        code=code, criterion=criterion, label=str(raw.get("label", code)),
        max_points=_number(raw.get("max"), f"{src}: {code}.max"),
        rule=parse_rule(raw.get("rule") or {}, code, src),
        remedy=str(raw.get("remedy", "")), inputs=inputs,
        previous_code=previous_code, is_new=is_new,
        groups=_indicator_groups(raw, code, src, groups),
        applies_to=_applies_to(raw, code, src),
    )


def _indicator_groups(raw: dict[str, Any], code: str, src: str,
                      groups: dict[str, str]) -> tuple[str, ...]:
    """`groups: [so, xa]`: the groups whose framework has the indicator (default: all)."""
    value = raw.get("groups")
    if value is None:
        return ()
    if isinstance(value, str):
        value = [value]
    if not isinstance(value, list) or not value:
        raise RubricError(f"{src}: chỉ tiêu {code} có 'groups' phải là danh sách mã khối (ví "
                          f"dụ groups: [{next(iter(groups))}]).")
    unknown = [str(g) for g in value if str(g) not in groups]
    if unknown:
        raise RubricError(f"{src}: chỉ tiêu {code} ghi 'groups' có khối {', '.join(unknown)} "
                          f"không có trong mục 'groups' của phiếu ({', '.join(groups)}).")
    chosen = {str(g) for g in value}
    return tuple(g for g in groups if g in chosen)


def _applies_to(raw: dict[str, Any], code: str, src: str) -> tuple[str, str] | None:
    """`applies_to: {registry: column}` or `{round: list}`: only the units flagged there."""
    value = raw.get("applies_to")
    if value is None:
        return None
    example = ("applies_to: {registry: kinh_te_so} (cột kinh_te_so của units.csv) hoặc "
               "applies_to: {round: kinh_te_so} (danh sách unit_lists.kinh_te_so trong "
               "round.yaml)")
    if not isinstance(value, dict) or len(value) != 1 \
            or next(iter(value)) not in ("registry", "round"):
        raise RubricError(f"{src}: chỉ tiêu {code} có 'applies_to' không hợp lệ; ghi {example}.")
    where, name = next(iter(value.items()))
    name = str(name or "").strip()
    if not re.fullmatch(r"[A-Za-z_][A-Za-z0-9_]{0,63}", name) or name in RESERVED_COLUMNS:
        raise RubricError(f"{src}: chỉ tiêu {code} có 'applies_to: {{{where}: {name}}}' không "
                          "hợp lệ: tên cột/danh sách chỉ gồm chữ không dấu, chữ số và “_”, "
                          f"không trùng các cột {', '.join(sorted(RESERVED_COLUMNS))}.")
    return str(where), name


def _policy_keys(data: dict[str, Any], tiers: tuple[Tier, ...],
                 general: tuple[Input, ...], source: str) -> dict[str, Any]:
    """The policy keys `remedy_tiers`, `criterion_floor`, `general_codes` and `result`,
    validated; an older file without them gets the defaults (the lower half of the tiers,
    50 %, G01/G02/G03, share)."""
    names = [t.name for t in tiers]
    remedy = data.get("remedy_tiers", names[(len(names) + 1) // 2:])
    if not isinstance(remedy, list) or not all(isinstance(t, str) for t in remedy):
        raise RubricError(f"{source}: mục 'remedy_tiers' phải là danh sách tên xếp loại "
                          "(ví dụ [Trung bình, Yếu]).")
    wrong = [t for t in remedy if t not in names]
    if wrong:
        raise RubricError(f"{source}: mục 'remedy_tiers' ghi xếp loại {', '.join(wrong)} "
                          f"không có trong mục 'tiers' ({', '.join(names)}).")
    floor = _number(data.get("criterion_floor", 50), f"{source}: criterion_floor")
    if not 0 <= floor <= 100:
        raise RubricError(f"{source}: mục 'criterion_floor' là tỷ lệ phần trăm, phải từ 0 "
                          "đến 100.")
    result = data.get("result", "share")
    if result not in RESULTS:
        raise RubricError(f"{source}: mục 'result: {result}' không hợp lệ: ghi share (tỷ lệ % "
                          "so với điểm tối đa), index (chỉ số từ 0 đến 1) hoặc points (điểm).")
    return {"remedy_tiers": tuple(remedy), "criterion_floor": floor, "result": result,
            "general_codes": _general_codes(data.get("general_codes") or {}, general, source)}


GENERAL_CODE_TYPES = {"unit_name": ("text", "tên đơn vị"), "year": ("year", "năm báo cáo"),
                      "report_date": ("date", "ngày lập báo cáo")}


def _general_codes(raw: Any, general: tuple[Input, ...], source: str) -> GeneralCodes:
    if not isinstance(raw, dict) or set(raw) - set(GENERAL_CODE_TYPES):
        raise RubricError(f"{source}: mục 'general_codes' chỉ gồm các khóa "
                          f"{', '.join(GENERAL_CODE_TYPES)} (ví dụ {{unit_name: G01, year: G02, "
                          "report_date: G03}).")
    codes = GeneralCodes(**{k: str(v) for k, v in raw.items()})
    types = {i.code: i.type for i in general}
    for key, (kind, what) in GENERAL_CODE_TYPES.items():
        code = getattr(codes, key)
        if types.get(code) != kind:
            got = (f"mục {code} có kiểu '{types[code]}'" if code in types
                   else f"không có mục {code} trong phần thông tin chung")
            raise RubricError(f"{source}: mục 'general_codes.{key}' ({what}) cần một mục "
                              f"thông tin chung kiểu '{kind}' nhưng {got}.")
        if not next(i for i in general if i.code == code).from_unit:
            raise RubricError(f"{source}: mục {code} ({what}) do đơn vị ghi trong biểu mẫu, "
                              "không thể có 'source' khác 'unit'.")
    return codes


def _crosswalk_keys(data: dict[str, Any], source: str) -> tuple[str | None, tuple[str, ...]]:
    """The top-level `previous` and `dropped` keys."""
    previous = data.get("previous")
    if previous is not None:
        if isinstance(previous, bool) or not isinstance(previous, (str, int)) \
                or not str(previous).strip():
            raise RubricError(f"{source}: mục 'previous' phải là tên phiếu năm trước (ví dụ "
                              "'2016') hoặc đường dẫn tệp.")
        previous = str(previous).strip()
    dropped = data.get("dropped") or []
    if not isinstance(dropped, list) or not all(isinstance(c, str) for c in dropped):
        raise RubricError(f"{source}: mục 'dropped' phải là danh sách mã chỉ tiêu "
                          "(ví dụ [C4.2]).")
    if dropped and previous is None:
        raise RubricError(f"{source}: có mục 'dropped' nhưng thiếu mục 'previous' (phiếu năm "
                          "trước) để đối chiếu.")
    return previous, tuple(c.strip() for c in dropped)


# What each level of a rubric file may hold: key → its kind. "text" is one line (a number is
# accepted: a code like 2017), "flag" true/false, "list" a list in brackets, "map" a mapping;
# "any" is checked in full where it is read. A key not listed is an error (a misspelt
# `requried` would otherwise be ignored and the input stay required).
_LEVELS: dict[str, dict[str, str]] = {
    "top": {"id": "text", "title": "text", "total": "any", "tiers": "list", "general": "map",
            "criteria": "list", "groups": "any", "group_short": "any", "previous": "any",
            "dropped": "any", "remedy_tiers": "any", "criterion_floor": "any",
            "result": "any", "general_codes": "any", "shortcoming_min_lost_share": "any"},
    "general": {"sheet": "text", "inputs": "list"},
    "criterion": {"code": "text", "name": "text", "short": "text", "sheet": "text",
                  "max": "any", "weight": "any", "indicators": "list"},
    "indicator": {"code": "text", "label": "text", "max": "any", "rule": "any",
                  "remedy": "text", "inputs": "list", "previous": "any", "groups": "any",
                  "applies_to": "any"},
    "input": {"code": "text", "label": "text", "type": "any", "required": "flag",
              "unit": "text", "min": "any", "at_most": "list", "allow_na": "flag",
              "choices": "list", "evidence": "any", "source": "any", "system": "any"},
    "tier": {"name": "text", "min": "any"},
}
_KINDS = {"text": "một dòng chữ", "flag": "true hoặc false",
          "list": "một danh sách trong ngoặc vuông (một giá trị cũng ghi [giá trị])",
          "map": "một bảng khóa: giá trị"}
_ITEMS = {"criteria": "criterion", "indicators": "indicator", "inputs": "input",
          "tiers": "tier", "at_most": "text", "choices": "text"}


def _of_kind(value: Any, kind: str) -> bool:
    if kind == "text":
        return isinstance(value, (str, int, float)) and not isinstance(value, bool)
    if kind == "flag":
        return isinstance(value, bool)
    if kind == "list":
        return isinstance(value, list)
    return kind == "any" or isinstance(value, dict)


def _check_shape(raw: Any, level: str, where: str, source: str) -> None:
    """Every key of `raw` known at `level` and of its kind, down the file: a Vietnamese
    error naming the key (and the closest known one for a misspelling)."""
    if not isinstance(raw, dict):
        raise RubricError(f"{source}: {where} phải là {_KINDS['map']} (ví dụ {{code: …, "
                          f"label: …}}), không phải “{raw}”.")
    known = _LEVELS[level]
    code = raw.get("code")
    here = f"{where} {code}" if isinstance(code, (str, int)) and level != "top" else where
    for key, value in raw.items():
        if key not in known:
            close = difflib.get_close_matches(str(key), list(known), n=1, cutoff=0.6)
            hint = f"Có phải ý là '{close[0]}'? " if close else ""
            raise RubricError(f"{source}: {here} có khóa '{key}' không dùng được. {hint}Sửa "
                              f"hoặc xóa khóa này (các khóa dùng được: {', '.join(known)}).")
        kind = known[key]
        if not _of_kind(value, kind):  # None too: `inputs:` left empty is not "no inputs"
            given = "để trống" if value is None else f"không phải “{value}”"
            raise RubricError(f"{source}: {here}, mục '{key}' phải là {_KINDS[kind]}, {given} "
                              "(bỏ hẳn mục này nếu không dùng).")
        item = _ITEMS.get(str(key))
        if item is not None and isinstance(value, list):
            for entry in value:
                if item == "text":
                    if not _of_kind(entry, "text"):
                        raise RubricError(f"{source}: {here}, mục '{key}' chỉ gồm các giá trị "
                                          f"một dòng, không phải “{entry}”.")
                else:
                    _check_shape(entry, item, _LEVEL_NAMES[item], source)
        if key == "general" and isinstance(value, dict):
            _check_shape(value, "general", "phần 'general'", source)


_LEVEL_NAMES = {"criterion": "tiêu chí", "indicator": "chỉ tiêu", "input": "mục",
                "tier": "xếp loại trong 'tiers'"}


def parse_rubric(data: dict[str, Any], source: str = "<rubric>", path: str | Path | None = None,
                 check_previous: bool = True) -> Rubric:
    """Build and validate a rubric from its parsed YAML mapping.

    `path` is the file it came from (a relative `previous` is resolved next to it). With
    `check_previous`, a declared `previous` rubric is loaded and the crosswalk checked.
    """
    if not isinstance(data, dict):
        raise RubricError(f"{source}: tệp phiếu đánh giá phải là một bảng (mapping) YAML.")
    _check_shape(data, "top", "phiếu đánh giá", source)
    for key in ("id", "total", "tiers", "general", "criteria"):
        if key not in data:
            raise RubricError(f"{source}: thiếu mục bắt buộc '{key}'.")
    general_sheet = str(data["general"].get("sheet", "Thông tin chung"))
    general = tuple(_input(i, general_sheet, None, source) for i in data["general"]["inputs"])
    groups = parse_groups(data, source)
    criteria = tuple(_criterion(c, source, groups.names) for c in data["criteria"])
    tiers = _tiers(data["tiers"], source)
    previous, dropped = _crosswalk_keys(data, source)
    total, totals = per_group(data["total"], groups.names, f"{source}: total", None)
    rubric = Rubric(
        id=str(data["id"]), title=str(data.get("title", data["id"])),
        total=total, totals=totals,
        groups=groups.names, group_short=groups.short, group_colors=groups.colors,
        tiers=tiers,
        general_sheet=general_sheet, general=general, criteria=criteria,
        shortcoming_min_lost_share=_number(data.get("shortcoming_min_lost_share", 0.5),
                                           f"{source}: shortcoming_min_lost_share"),
        source=source,
        path=str(Path(path).resolve()) if path is not None else "",
        previous=previous, dropped=dropped,
        **_policy_keys(data, tiers, general, source),
    )
    all_inputs = [*general, *(i for ind in rubric.indicators for i in ind.inputs)]
    _check_unique([i.code for i in all_inputs], "mã câu trả lời", source)
    _check_unique([i.code for i in rubric.indicators], "mã chỉ tiêu", source)
    _check_unique([c.code for c in criteria], "mã tiêu chí", source)
    rubric.inputs.update({i.code: i for i in all_inputs})
    _validate(rubric, source)
    if check_previous and rubric.previous is not None:
        before = _linked_previous(rubric, source)
        if rubric.id.isdigit() and before.id.isdigit() and int(before.id) >= int(rubric.id):
            raise RubricError(f"{source}: mục 'previous: \"{rubric.previous}\"' trỏ đến phiếu "
                              f"năm {before.id}, không phải một năm trước năm {rubric.id}. Ghi "
                              "'previous' là phiếu của đợt đánh giá năm trước.")
        check_previous_link(rubric, before)
        rubric = replace(rubric, previous_id=before.id)
    return rubric


def _check_unique(codes: list[str], what: str, source: str) -> None:
    seen = {c for c in codes if codes.count(c) > 1}
    if seen:
        raise RubricError(f"{source}: {what} bị trùng: {', '.join(sorted(seen))}.")


def _criterion(raw: Any, source: str, groups: dict[str, str]) -> Criterion:
    if not isinstance(raw, dict) or "code" not in raw or "name" not in raw:
        raise RubricError(f"{source}: mỗi tiêu chí cần 'code', 'name', 'max' và 'indicators'.")
    code, sheet = str(raw["code"]), str(raw.get("sheet", raw["code"]))[:31]
    common, maxima = per_group(raw.get("max"), groups, f"{source}: {code}.max", Fraction(0))
    weight = None
    if "weight" in raw:
        weight = _number(raw["weight"], f"{source}: {code}.weight")
        if weight <= 0:
            raise RubricError(f"{source}: tiêu chí {code} có trọng số (weight) phải lớn hơn 0.")
    return Criterion(
        code=code, name=str(raw["name"]), short=str(raw.get("short", raw["name"])),
        sheet=sheet, max_points=common, maxima=maxima, weight=weight,
        indicators=tuple(_indicator(i, code, sheet, source, groups)
                         for i in raw.get("indicators", ())),
    )


def _tiers(raw: Any, source: str) -> tuple[Tier, ...]:
    """Tiers on the share of the maximum (0–100 %), any number, best first once sorted."""
    example = "[{name: Tốt, min: 90}, {name: Khá, min: 70}, {name: Yếu, min: 0}]"
    if not isinstance(raw, list) or not raw or not all(isinstance(t, dict) for t in raw):
        raise RubricError(f"{source}: mục 'tiers' phải là danh sách xếp loại (ví dụ {example}).")
    tiers = []
    for t in raw:
        name = str(t.get("name") or "").strip()
        if not name or "min" not in t:
            raise RubricError(f"{source}: mỗi xếp loại trong 'tiers' cần 'name' và 'min' (ví dụ "
                              f"{example}).")
        minimum = _number(t["min"], f"{source}: tiers")
        if not 0 <= minimum <= 100:
            raise RubricError(f"{source}: xếp loại {name} có 'min: {t['min']}' ngoài khoảng "
                              "0–100 (tỷ lệ % so với điểm tối đa).")
        tiers.append(Tier(name, minimum))
    _check_unique([t.name for t in tiers], "tên xếp loại", source)
    mins = [t.minimum for t in tiers]
    if len(set(mins)) != len(mins):
        raise RubricError(f"{source}: hai xếp loại trong 'tiers' có cùng mức 'min'.")
    if min(mins) != 0:
        raise RubricError(f"{source}: xếp loại thấp nhất trong 'tiers' phải có 'min: 0' để mọi "
                          "kết quả đều được xếp loại.")
    return tuple(sorted(tiers, key=lambda t: -t.minimum))


def _validate(rubric: Rubric, source: str) -> None:
    """Cross-checks: references, rule parameters, what rules read, sums of points."""
    known = rubric.inputs
    owner = {i.code: ind for ind in rubric.indicators for i in ind.inputs}
    for inp in known.values():
        for code in inp.at_most:
            if code not in known:
                raise RubricError(f"{source}: mục {inp.code} so sánh với mục '{code}' không có "
                                  "trong phiếu.")
    for ind in rubric.indicators:
        if (ind.max_points * 100).denominator != 1 or ind.max_points < 0:
            # points are rounded to hundredths; sums of maxima must be exact in them
            raise RubricError(f"{source}: chỉ tiêu {ind.code} có điểm tối đa "
                              f"{float(ind.max_points):g} không hợp lệ: cần một số không âm, "
                              "nhiều nhất 2 chữ số thập phân.")
        check_rule(ind.rule, ind.max_points, known, f"{source}: chỉ tiêu {ind.code}")
        for code in ind.rule.input_codes():
            other = owner.get(code)
            if other is not None and other is not ind and not _covers(other, ind):
                raise RubricError(
                    f"{source}: chỉ tiêu {ind.code} dùng mục {code} của chỉ tiêu {other.code}, "
                    f"nhưng chỉ tiêu {other.code} không áp dụng cho mọi đơn vị mà {ind.code} "
                    "áp dụng (groups/applies_to), nên biểu mẫu có thể không hỏi mục này. Chuyển "
                    "mục đó vào phần thông tin chung hoặc vào chính chỉ tiêu.")
    _validate_points(rubric, source)
    if rubric.weighted and any(c.weight is None for c in rubric.criteria):
        missing = ", ".join(c.code for c in rubric.criteria if c.weight is None)
        raise RubricError(f"{source}: có tiêu chí ghi trọng số (weight) nhưng tiêu chí "
                          f"{missing} chưa ghi; ghi trọng số cho mọi tiêu chí hoặc bỏ hết.")


def _covers(other: Indicator, ind: Indicator) -> bool:
    """Whether `other` is assessed on every unit `ind` is (so its inputs are asked too)."""
    groups_ok = not other.groups or (bool(ind.groups) and set(ind.groups) <= set(other.groups))
    return groups_ok and (other.applies_to is None or other.applies_to == ind.applies_to)


def _validate_points(rubric: Rubric, source: str) -> None:
    """Per group: the indicators of each criterion add up to the criterion's maximum and the
    criteria to the total. With one framework for every group, a message says it once."""
    one_framework = len({(tuple(i.code for i in rubric.group_indicators(g)),
                          tuple(c.max_for(g) for c in rubric.criteria), rubric.total_for(g))
                         for g in rubric.groups}) == 1
    for group in rubric.groups:
        of = "" if one_framework else f" (khối {group})"
        for crit in rubric.criteria:
            got = sum((i.max_points for i in crit.indicators if i.in_group(group)), Fraction(0))
            if got != crit.max_for(group):
                raise RubricError(f"{source}: tiêu chí {crit.code}{of} ghi tối đa "
                                  f"{float(crit.max_for(group)):g} điểm nhưng các chỉ tiêu "
                                  f"cộng lại {float(got):g} điểm.")
        total = sum((c.max_for(group) for c in rubric.criteria), Fraction(0))
        if total != rubric.total_for(group):
            raise RubricError(f"{source}: tổng điểm{of} ghi {float(rubric.total_for(group)):g} "
                              f"nhưng các tiêu chí cộng lại {float(total):g} điểm.")
        if total <= 0:
            raise RubricError(f"{source}: khối {group} không có chỉ tiêu nào có điểm.")


def previous_rubric_path(ref: str, base_dir: Path | None = None) -> Path:
    """A `previous` reference: a shipped name (no suffix) or a path relative to `base_dir`."""
    path = Path(ref)
    if not path.suffix:
        return (RUBRIC_DIR / f"{ref}.yaml").resolve()
    if not path.is_absolute() and base_dir is not None:
        path = base_dir / path
    return path.resolve()


def _linked_previous(rubric: Rubric, source: str) -> Rubric:
    """Last year's rubric, parsed without its own link (no recursion), after a cycle check."""
    own = Path(rubric.path) if rubric.path else None
    path = rubric.previous_path() or Path()
    if own is not None and path == own:
        raise RubricError(f"{source}: mục 'previous' trỏ về chính tệp này.")
    try:
        before = _load_unlinked(str(path))
    except RubricError as exc:
        raise RubricError(f"{source}: không dùng được phiếu năm trước '{rubric.previous}' "
                          f"(mục 'previous'): {exc}") from None
    chain, seen, current = [rubric.id, before.id], {p for p in (own, path) if p}, before
    while current.previous is not None and len(chain) < 100:
        step = current.previous_path() or Path()
        if step in seen:
            raise RubricError(f"{source}: chuỗi phiếu năm trước bị vòng lặp: "
                              f"{' → '.join(chain)} → {step.stem}.")
        seen.add(step)
        try:
            current = _load_unlinked(str(step))
        except RubricError:
            break  # reported when that rubric itself is loaded
        chain.append(current.id)
    return before


def check_previous_link(rubric: Rubric, previous: Rubric) -> None:
    """Check `rubric`'s crosswalk against last year's rubric; RubricError (Vietnamese) if not.

    Every referenced previous code must exist in `previous`; every indicator of `previous`
    must be mapped (same code or referenced) or listed in `dropped`; no code mapped twice.
    """
    src = rubric.source or "<rubric>"
    year = f"phiếu năm trước ({previous.id})"
    old = {i.code: i for i in previous.indicators}
    mapped: dict[str, list[str]] = {}
    for ind in rubric.indicators:
        if ind.is_new:
            continue
        if ind.previous_code not in old:
            how = ("" if ind.previous_code == ind.code
                   else f" (ghi 'previous: {ind.previous_code}')")
            raise RubricError(
                f"{src}: chỉ tiêu {ind.code}{how} ứng với mã {ind.previous_code} nhưng {year} "
                f"không có chỉ tiêu {ind.previous_code}. Nếu là chỉ tiêu mới, ghi "
                "'previous: null'; nếu đổi mã, ghi 'previous: <mã năm trước>'.")
        mapped.setdefault(ind.previous_code, []).append(ind.code)
    twice = {c: codes for c, codes in mapped.items() if len(codes) > 1}
    if twice:
        detail = "; ".join(f"{c} ← {', '.join(codes)}" for c, codes in sorted(twice.items()))
        raise RubricError(f"{src}: mã chỉ tiêu của {year} được gán cho nhiều chỉ tiêu: "
                          f"{detail}.")
    unknown = [c for c in rubric.dropped if c not in old]
    if unknown:
        raise RubricError(f"{src}: mục 'dropped' ghi {', '.join(unknown)} nhưng {year} không "
                          "có các chỉ tiêu này.")
    both = [c for c in rubric.dropped if c in mapped]
    if both:
        raise RubricError(f"{src}: chỉ tiêu {', '.join(both)} của {year} vừa được gán cho chỉ "
                          "tiêu năm nay vừa ghi trong 'dropped'.")
    _check_unique(list(rubric.dropped), "mã trong 'dropped'", src)
    missing = [i for i in previous.indicators if i.code not in mapped
               and i.code not in rubric.dropped]
    if missing:
        listed = "; ".join(f"{i.code} {i.label}" for i in missing)
        raise RubricError(f"{src}: chỉ tiêu của {year} không được gán cho chỉ tiêu nào năm "
                          f"nay và không ghi trong 'dropped': {listed}. Ghi mã đó vào "
                          "'dropped' nếu không còn đánh giá, hoặc 'previous: <mã>' ở chỉ tiêu "
                          "tương ứng nếu đổi mã.")


def load_rubric(name_or_path: str | Path) -> Rubric:
    """Load a shipped rubric by name (e.g. ``"2017"``) or any rubric file by path."""
    path = Path(name_or_path)
    if not path.suffix:
        path = RUBRIC_DIR / f"{name_or_path}.yaml"
    return _load(str(path.resolve()))


@lru_cache(maxsize=16)
def _load(path: str) -> Rubric:
    return parse_rubric(_read(path), source=Path(path).name, path=path)


@lru_cache(maxsize=16)
def _load_unlinked(path: str) -> Rubric:
    # Structure validated, own `previous` link not checked: breaks the 2017 → 2016 → 2015 chain.
    return parse_rubric(_read(path), source=Path(path).name, path=path, check_previous=False)


def _read(path: str) -> Any:
    if not Path(path).exists():
        shipped = ", ".join(sorted(p.stem for p in RUBRIC_DIR.glob("*.yaml")))
        raise RubricError(f"Không tìm thấy phiếu đánh giá '{path}'. Các phiếu có sẵn: "
                          f"{shipped}. Với đợt đánh giá năm mới, tạo phiếu năm đó (sao chép "
                          "phiếu năm trước) bằng lệnh: cntt new-round --year NĂM.") from None
    try:
        return read_yaml(path, "tệp phiếu đánh giá")
    except RubricError:
        raise
    except UsageError as exc:
        raise RubricError(str(exc)) from None


def shipped_rubrics() -> list[str]:
    return sorted(p.stem for p in RUBRIC_DIR.glob("*.yaml"))
