"""The rubric's groups of units (khối): ids, names, short names, colours, and values that
may differ per group (a criterion's maximum, the total).

Two spellings are accepted::

    groups:                       # the older one: id → name, short names apart
      so: Khối phòng, đơn vị trực thuộc Sở
      huyen: Khối Phòng TN&MT cấp huyện
    group_short: {so: Khối Sở, huyen: Khối huyện}

    groups:                       # one entry per group
      - {id: so, name: Khối sở, ban, ngành, short: Khối sở, color: "#1565C0"}
      - {id: xa, name: Khối xã, phường, đặc khu, short: Khối xã}
"""

from __future__ import annotations

import re
from dataclasses import dataclass
from fractions import Fraction
from typing import Any

from cntt_analysis.rubric.rules import RubricError, number

# Group ids are written in units.csv and become parts of file names.
GROUP_ID = re.compile(r"[A-Za-z0-9_-]{1,32}")
COLOR = re.compile(r"#[0-9A-Fa-f]{6}")
GROUP_KEYS = {"id", "name", "short", "color"}
EXAMPLE = "- {id: xa, name: Khối xã, phường, đặc khu, short: Khối xã}"


@dataclass(frozen=True)
class Groups:
    names: dict[str, str]
    short: dict[str, str]
    colors: dict[str, str]


def _text(value: Any) -> str | None:
    return value.strip() if isinstance(value, str) and value.strip() else None


def parse_groups(data: dict[str, Any], source: str) -> Groups:
    """The `groups` key (either spelling) with `group_short`; an older file without groups
    gets so/huyen."""
    raw = data.get("groups") or {"so": "so", "huyen": "huyen"}
    entries: list[dict[str, Any]]
    if isinstance(raw, dict) and not all(_text(v) or isinstance(v, dict) for v in raw.values()):
        raise RubricError(f"{source}: mục 'groups' phải là bảng mã nhóm → tên nhóm (ví dụ "
                          "{so: Khối phòng, đơn vị trực thuộc Sở}) hoặc danh sách khối, mỗi "
                          f"khối một dòng ({EXAMPLE}).")
    if isinstance(raw, dict):
        entries = [{"id": k, **(v if isinstance(v, dict) else {"name": v})}
                   for k, v in raw.items()]
    elif isinstance(raw, list) and all(isinstance(e, dict) for e in raw):
        entries = raw
    else:
        raise RubricError(f"{source}: mục 'groups' phải là danh sách khối, mỗi khối một dòng "
                          f"(ví dụ {EXAMPLE}).")
    names: dict[str, str] = {}
    short: dict[str, str] = {}
    colors: dict[str, str] = {}
    for n, entry in enumerate(entries, start=1):
        gid = str(entry.get("id", "")).strip()
        where = f"{source}: mục 'groups', khối {gid or f'thứ {n}'}"
        extra = sorted(set(entry) - GROUP_KEYS)
        if extra:
            raise RubricError(f"{where}: khóa {', '.join(extra)} không hợp lệ (dùng id, name, "
                              "short, color).")
        if not GROUP_ID.fullmatch(gid):
            raise RubricError(f"{where}: mã khối “{gid}” không hợp lệ — chỉ gồm chữ cái không "
                              "dấu, chữ số, “-” và “_” (ví dụ so, xa), tối đa 32 ký tự.")
        if gid in names:
            raise RubricError(f"{source}: mục 'groups' có mã khối {gid} bị trùng.")
        name = _text(entry.get("name"))
        if name is None:
            raise RubricError(f"{where}: thiếu tên khối (name), ví dụ {EXAMPLE}.")
        names[gid] = name
        if "short" in entry:
            text = _text(entry["short"])
            if text is None:
                raise RubricError(f"{where}: tên ngắn (short) để trống.")
            short[gid] = text
        if "color" in entry:
            color = str(entry["color"]).strip()
            if not COLOR.fullmatch(color):
                raise RubricError(f"{where}: màu “{color}” không hợp lệ — ghi dạng #RRGGBB "
                                  "(ví dụ \"#1565C0\", có dấu nháy).")
            colors[gid] = color.upper()
    short = _group_short(data, names, short, source)
    return Groups(names, short, colors)


def _group_short(data: dict[str, Any], names: dict[str, str], short: dict[str, str],
                 source: str) -> dict[str, str]:
    """Short names: each group's `short`, else the `group_short` key, else its name."""
    extra = data.get("group_short")
    if extra is None:
        extra = {}
    if not isinstance(extra, dict) or not all(_text(v) for v in extra.values()):
        raise RubricError(f"{source}: mục 'group_short' phải là bảng mã nhóm → tên nhóm "
                          "(ví dụ {so: Khối Sở, huyen: Khối huyện}).")
    unknown = sorted(str(k) for k in extra if str(k) not in names)
    if unknown:
        raise RubricError(f"{source}: mục 'group_short' có nhóm {', '.join(unknown)} không có "
                          f"trong mục 'groups' ({', '.join(names)}).")
    both = sorted(str(k) for k in extra if str(k) in short)
    if both:
        raise RubricError(f"{source}: tên ngắn của khối {', '.join(both)} ghi ở cả 'groups' "
                          "(short) và 'group_short'; chỉ ghi ở một chỗ.")
    merged = {str(k): str(v).strip() for k, v in extra.items()} | short
    return {g: merged.get(g, name) for g, name in names.items()}


def per_group(value: Any, groups: dict[str, str], where: str,
              missing: Fraction | None) -> tuple[Fraction, dict[str, Fraction]]:
    """A number or a mapping group → number (`missing` for a group left out; None: every
    group must be given). Returns (the common value, or the largest; value per group)."""
    if isinstance(value, dict):
        unknown = sorted(str(k) for k in value if str(k) not in groups)
        if unknown:
            raise RubricError(f"{where}: khối {', '.join(unknown)} không có trong mục 'groups' "
                              f"({', '.join(groups)}).")
        given = {str(k): v for k, v in value.items()}
        absent = [g for g in groups if g not in given]
        if absent and missing is None:
            raise RubricError(f"{where}: thiếu giá trị cho khối {', '.join(absent)}.")
        by_group = {g: number(given[g], f"{where}.{g}") if g in given
                    else Fraction(missing or 0) for g in groups}
        return max(by_group.values(), default=Fraction(0)), by_group
    common = number(value, where)
    return common, dict.fromkeys(groups, common)
