"""The registry of units (data/raw/units.csv) and matching a typed unit name to it.

Besides unit_id, name, group and aliases, units.csv may carry:

- ``previous_ids``, ``since``, ``until``: lineage and the years a unit exists;
- ``ranked``: "không" (or no, false, 0) for a unit assessed but not ranked; blank = ranked;
- any flag column an indicator's ``applies_to: {registry: COLUMN}`` names (e.g.
  ``kinh_te_so``): "có" (or x, yes, true, 1) where the indicator applies, blank or "không"
  where it does not.

A row's group is checked against the rubric of the round it is used in (`check_registry`),
since a province's groups are the rubric's (sở, huyện, xã, …).
"""

from __future__ import annotations

import csv
import io
import re
from collections.abc import Callable, Iterable, Mapping
from pathlib import Path

import pandas as pd

from cntt_analysis.errors import UsageError
from cntt_analysis.rubric.model import Rubric
from cntt_analysis.text import clean, fold, shorten, strip_diacritics
from cntt_analysis.yamlfile import check_name

REGISTRY_COLUMNS = ["unit_id", "name", "group", "aliases"]
RANKED = "ranked"
YES_WORDS = {fold(w) for w in ("có", "x", "yes", "y", "true", "1", "đúng")}
NO_WORDS = {fold(w) for w in ("không", "no", "n", "false", "0", "sai")}

# Usual abbreviations, applied to diacritic-free lower-case text.
_ABBREVIATIONS = [
    (re.compile(r"\btn\s*(?:&|va)\s*mt\b|\btnmt\b"), "tai nguyen va moi truong"),
    (re.compile(r"\bh\.\s*|\bh\s+(?=\w)"), "huyen "),
    (re.compile(r"\btx\.?\s*"), "thi xa "),
    (re.compile(r"\btp\.?\s*"), "thanh pho "),
    (re.compile(r"&"), " va "),
]
_PUNCTUATION = re.compile(r"[^\w\s]")
# Unit ids become file names (templates, report pages): a safe alphabet only.
UNIT_ID = re.compile(r"[A-Za-z0-9_-][A-Za-z0-9._-]{0,63}")
_CONTROL = re.compile(r"[\x00-\x1f\x7f-\x9f\u2028\u2029]")


def name_key(name: str) -> str:
    """A unit name reduced for matching: NFC, case, diacritics, punctuation, abbreviations."""
    text = strip_diacritics(clean(name)).casefold()
    for pattern, replacement in _ABBREVIATIONS:
        text = pattern.sub(replacement, text)
    return " ".join(_PUNCTUATION.sub(" ", text).split())


def load_registry(path: str | Path) -> pd.DataFrame:
    """Read and check units.csv; errors name the file and line, in Vietnamese."""
    path = Path(path)
    check_name(path, "Danh mục đơn vị")
    if path.is_dir():
        raise UsageError(f"Danh mục đơn vị “{path}” là một thư mục, không phải tệp CSV (cần các "
                         f"cột {', '.join(REGISTRY_COLUMNS)}).")
    if not path.is_file():
        raise UsageError(f"Không tìm thấy danh mục đơn vị “{path}” (cần các cột "
                         f"{', '.join(REGISTRY_COLUMNS)}).")
    stat = path.stat()
    key = (str(path.resolve()), stat.st_ino, stat.st_size, stat.st_mtime_ns, stat.st_ctime_ns)
    global _kept
    kept, _kept = _kept, None
    if kept is not None and kept[0] == key:  # the same file as last read: checked then
        return kept[1]
    frame = _read_registry(path)
    _kept = (key, frame.copy())
    return frame


# A copy of the registry last read in this process, with its file's identity and times,
# for the next load only: `cntt score` reads units.csv to tie the submissions, then again
# for the results' facts (~0.7 s at 20,000 units); given away then, so that it is not
# held through the results workbook (the command's peak). An edited file differs in its
# change time (ctime) at least. Taken and replaced whole (threads may load it).
_kept: tuple[tuple[str, int, int, int, int], pd.DataFrame] | None = None


def _read_registry(path: Path) -> pd.DataFrame:
    text = _registry_text(path)
    frame = pd.read_csv(io.StringIO(text), dtype=str, keep_default_na=False)
    missing = [c for c in REGISTRY_COLUMNS[:3] if c not in frame.columns]
    if missing:
        raise UsageError(f"Danh mục đơn vị “{path.name}” thiếu cột: {', '.join(missing)}.")
    if "aliases" not in frame.columns:
        frame["aliases"] = ""
    for optional in ("previous_ids", "since", "until"):
        if optional not in frame.columns:
            frame[optional] = ""
    for column in frame.columns:
        frame[column] = frame[column].map(clean)
    for line, row in enumerate(frame.itertuples(index=False), start=2):
        if not row.unit_id or not row.name:
            raise UsageError(f"Danh mục đơn vị “{path.name}”, dòng {line}: thiếu mã hoặc tên.")
        _check_row(path.name, line, row)
        for bound in (row.since, row.until):
            if bound and not (bound.isascii() and bound.isdigit()):
                raise UsageError(f"Danh mục đơn vị “{path.name}”, dòng {line}: năm “{bound}” "
                                 "ở cột since/until không hợp lệ.")
        if row.since and row.until and int(row.since) > int(row.until):
            raise UsageError(f"Danh mục đơn vị “{path.name}”, dòng {line}: năm bắt đầu "
                             f"(since) {row.since} sau năm kết thúc (until) {row.until}.")
        if not row.group:
            raise UsageError(f"Danh mục đơn vị “{path.name}”, dòng {line}: thiếu khối (cột "
                             "group).")
    duplicated = sorted(set(frame.loc[frame["unit_id"].duplicated(), "unit_id"]))
    if duplicated:
        raise UsageError(f"Danh mục đơn vị “{path.name}”: mã đơn vị bị trùng: "
                         f"{', '.join(duplicated)}.")
    check_lineage(frame, path.name)
    frame = frame.sort_values("unit_id").reset_index(drop=True)
    # Kept for messages about a row found later (a group the round's rubric lacks).
    frame.attrs["path"] = str(path)
    return frame


MAX_REGISTRY_BYTES = 16 << 20  # ~100,000 units


def _registry_text(path: Path) -> str:
    """units.csv's text, its shape checked before pandas reads it (pandas would stop with a
    traceback, or shift a row with a stray comma into the wrong columns): UTF-8, a header
    of distinct names, no row longer than the header, quotes closed."""
    where = f"Danh mục đơn vị “{path.name}”"
    if path.stat().st_size > MAX_REGISTRY_BYTES:
        raise UsageError(f"{where} quá lớn (tối đa {MAX_REGISTRY_BYTES:,} byte).")
    data = path.read_bytes()
    try:
        text = data.decode("utf-8-sig")
    except UnicodeDecodeError as exc:
        line = data[:exc.start].count(b"\n") + 1
        raise UsageError(f"{where}, dòng {line}: không phải văn bản UTF-8; trong Excel lưu lại "
                         "bằng “CSV UTF-8 (Comma delimited)”.") from None
    rows = csv.reader(io.StringIO(text, newline=""), strict=True)
    try:
        header = next(rows, None)
        if not header or not any(h.strip() for h in header):
            raise UsageError(f"{where}: tệp trống; dòng đầu phải là tên các cột "
                             f"{', '.join(REGISTRY_COLUMNS)}.")
        names = [clean(h) for h in header]
        twice = sorted({n for n in names if names.count(n) > 1})
        if twice or "" in names:
            what = (f"cột {', '.join(twice)} có hai lần" if twice
                    else f"cột thứ {names.index('') + 1} không có tên")
            raise UsageError(f"{where}, dòng 1: {what}; mỗi cột một tên riêng.")
        for row in rows:
            if len(row) > len(header) and any(cell.strip() for cell in row[len(header):]):
                raise UsageError(
                    f"{where}, dòng {rows.line_num}: có {len(row)} ô nhưng chỉ có "
                    f"{len(header)} cột; tên có dấu phẩy phải đặt trong nháy kép (ví dụ "
                    "\"Phòng Tài nguyên, Môi trường\").")
    except csv.Error as exc:
        raise UsageError(f"{where}, dòng {rows.line_num}: có dấu nháy kép chưa đóng hoặc đặt "
                         f"sai chỗ ({exc}); sửa hoặc bỏ dấu nháy ở dòng đó.") from None
    return text


def flag_value(text: str) -> bool | None:
    """A yes/no cell of units.csv: True, False, or None when blank; ValueError otherwise."""
    folded = fold(text or "")
    if not folded:
        return None
    if folded in YES_WORDS:
        return True
    if folded in NO_WORDS:
        return False
    raise ValueError(text)


def _file(registry: pd.DataFrame) -> str:
    return Path(registry.attrs.get("path", "units.csv")).name


def _where(registry: pd.DataFrame, unit_id: str) -> str:
    """“Danh mục đơn vị “units.csv”, dòng N” for a unit (the file read again: an error
    path only)."""
    line = None
    path = registry.attrs.get("path")
    if path and Path(path).is_file():
        ids = pd.read_csv(path, dtype=str, keep_default_na=False, encoding="utf-8-sig",
                          usecols=["unit_id"])["unit_id"].map(clean).tolist()
        line = ids.index(unit_id) + 2 if unit_id in ids else None
    return f"Danh mục đơn vị “{_file(registry)}”" + (f", dòng {line}" if line
                                                      else f", đơn vị {unit_id}")


def check_registry(registry: pd.DataFrame, rubric: Rubric) -> None:
    """The rows of a round's units against its rubric: every group is one of the rubric's,
    every flag column an indicator reads (``applies_to: {registry: …}``) exists, and flag
    and ``ranked`` cells say yes or no. Vietnamese errors name units.csv and the line."""
    known = ", ".join(f"“{g}” ({name})" for g, name in rubric.groups.items())
    for row in registry.itertuples(index=False):
        if row.group not in rubric.groups:
            raise UsageError(f"{_where(registry, row.unit_id)}: khối “{row.group}” không hợp "
                             f"lệ — phiếu đánh giá {rubric.source or rubric.id} không có khối "
                             f"này (các khối: {known}). Sửa cột group của đơn vị, hoặc thêm "
                             "khối vào mục 'groups' của phiếu.")
    columns = [name for where, name in rubric.unit_flags if where == "registry"]
    for name in columns:
        if name not in registry.columns:
            users = ", ".join(i.code for i in rubric.indicators
                              if i.applies_to == ("registry", name))
            raise UsageError(f"Danh mục đơn vị “{_file(registry)}” "
                             f"chưa có cột “{name}” mà chỉ tiêu {users} dùng (applies_to trong "
                             f"phiếu {rubric.source or rubric.id}): thêm cột, ghi “có” ở các "
                             "đơn vị được đánh giá chỉ tiêu này.")
    for name in [*columns, *([RANKED] if RANKED in registry.columns else [])]:
        for unit_id, text in zip(registry["unit_id"], registry[name]):
            try:
                flag_value(text)
            except ValueError:
                raise UsageError(f"{_where(registry, unit_id)}: cột {name} ghi “{shorten(text, 40)}"
                                 "” — cần “có” hoặc “không” (hoặc để trống).") from None


def unit_flags(registry: pd.DataFrame, names: Iterable[str]) -> dict[str, dict[str, bool]]:
    """name → unit_id → whether the unit carries flag `name` (column cells "có"/blank)."""
    out: dict[str, dict[str, bool]] = {}
    for name in names:
        if name not in registry.columns:
            raise UsageError(f"Danh mục đơn vị chưa có cột “{name}” mà phiếu đánh giá dùng "
                             "(applies_to).")
        out[name] = {u: bool(_flag(v)) for u, v in zip(registry["unit_id"], registry[name])}
    return out


def ranked_units(registry: pd.DataFrame) -> dict[str, bool]:
    """unit_id → whether the unit is ranked (the ``ranked`` column; blank or absent: yes)."""
    if RANKED not in registry.columns:
        return dict.fromkeys(registry["unit_id"], True)
    return {u: _flag(v) is not False for u, v in zip(registry["unit_id"], registry[RANKED])}


def _flag(value: object) -> bool | None:
    if value is None or (isinstance(value, float) and value != value):
        return None
    if isinstance(value, bool):
        return value
    try:
        return flag_value(str(value))
    except ValueError:
        return None


def with_round_lists(registry: pd.DataFrame, lists: Mapping[str, Iterable[str]],
                     not_ranked: Iterable[str], source: str) -> pd.DataFrame:
    """The registry with the round's unit lists (round.yaml ``unit_lists``) as flag
    columns and its ``not_ranked`` units marked; unknown ids are refused (Vietnamese,
    naming `source` and the key)."""
    out = registry.copy()
    ids = set(out["unit_id"])
    for key, members in [*((f"unit_lists.{k}", v) for k, v in lists.items()),
                         ("not_ranked", not_ranked)]:
        unknown = sorted(set(members) - ids)
        if unknown:
            raise UsageError(f"{source}: mục '{key}' có mã đơn vị không có trong danh mục "
                             f"đơn vị của năm: {', '.join(unknown)}.")
    for name, members in lists.items():
        if name in registry.columns:
            raise UsageError(f"{source}: danh sách 'unit_lists.{name}' trùng tên cột {name} "
                             "của units.csv; đổi tên một trong hai.")
        chosen = set(members)
        out[name] = ["có" if u in chosen else "" for u in out["unit_id"]]
    skipped = set(not_ranked)
    if skipped:
        ranked = out[RANKED] if RANKED in out.columns else pd.Series("", index=out.index)
        out[RANKED] = ["không" if u in skipped else r for u, r in zip(out["unit_id"], ranked)]
    return out


def _check_row(file: str, line: int, row: pd.Series) -> None:
    """Ids from a safe alphabet (they name files), names and aliases plain text."""
    where = f"Danh mục đơn vị “{file}”, dòng {line}"
    ids = [row.unit_id, *(p.strip() for p in row.previous_ids.split(";") if p.strip())]
    for unit_id in ids:
        if not UNIT_ID.fullmatch(unit_id):
            raise UsageError(
                f"{where}: mã đơn vị “{shorten(unit_id, 80)}” không hợp lệ — mã chỉ gồm chữ "
                "cái không dấu, chữ số và các dấu “-”, “_”, “.”, không bắt đầu bằng “.”, "
                "tối đa 64 ký tự (ví dụ h-tan-phuoc).")
    for column, value in (("name", row.name), ("aliases", row.aliases)):
        if _CONTROL.search(value):
            raise UsageError(f"{where}: cột {column} chứa ký tự điều khiển không in được; "
                             "hãy nhập lại tên đơn vị dạng chữ thường.")


def name_index(registry: pd.DataFrame) -> dict[str, str]:
    """Every name and alias key → unit_id (names win over aliases)."""
    index: dict[str, str] = {}
    for row in registry.itertuples(index=False):
        for alias in filter(None, row.aliases.split(";")):
            index.setdefault(name_key(alias), row.unit_id)
    for row in registry.itertuples(index=False):
        index[name_key(row.name)] = row.unit_id
    return index


def match_unit(name: str, index: dict[str, str]) -> str | None:
    """The unit_id a typed name refers to, or None."""
    return index.get(name_key(name)) if name else None


def active_units(registry: pd.DataFrame, year: int) -> pd.DataFrame:
    """Units that exist in `year` (optional `since`/`until` columns bound their years)."""
    since = pd.to_numeric(registry["since"], errors="coerce").fillna(0)
    until = pd.to_numeric(registry["until"], errors="coerce").fillna(9999)
    return registry[(since <= year) & (year <= until)].reset_index(drop=True)


def _previous_ids(text: str) -> list[str]:
    """The ids of a ``previous_ids`` cell (";"-separated, spaces and empty parts ignored)."""
    return [p.strip() for p in (text or "").split(";") if p.strip()]


def predecessors(registry: pd.DataFrame) -> dict[str, list[str]]:
    """unit_id → the ids it replaced (renamed, merged or split units, from `previous_ids`)."""
    if "previous_ids" not in registry.columns:
        return {}
    # Most units replaced none: only the rows with something in the cell are split.
    cells = registry["previous_ids"]
    listed = registry[cells.notna() & (cells.astype(str).str.strip(" ;") != "")]
    return {unit: ids for unit, cell in zip(listed["unit_id"], listed["previous_ids"])
            if (ids := _previous_ids(cell))}


def successors(registry: pd.DataFrame) -> dict[str, list[str]]:
    """unit_id → the ids that replaced it (one when renamed or merged, several when split)."""
    out: dict[str, list[str]] = {}
    for new, olds in sorted(predecessors(registry).items()):
        for old in olds:
            out.setdefault(old, []).append(new)
    return out


# Kinds of lineage change, from the shape of `previous_ids` (see `lineage`).
RENAMED, MERGED, SPLIT = "renamed", "merged", "split"


def lineage(registry: pd.DataFrame) -> pd.DataFrame:
    """One row per unit that replaced others: unit_id, previous_ids (tuple, as written),
    since (the year the change takes effect: the unit's ``since``) and kind — ``merged``
    (several predecessors → this unit), ``split`` (one predecessor → several units, this
    one of them) or ``renamed`` (one predecessor, one successor)."""
    links = predecessors(registry)
    after = successors(registry)
    since = dict(zip(registry["unit_id"], registry["since"])) if "since" in registry.columns \
        else {}
    rows = []
    for unit_id, olds in sorted(links.items()):
        kind = (MERGED if len(olds) > 1 else SPLIT if len(after[olds[0]]) > 1 else RENAMED)
        year = since.get(unit_id, "")
        rows.append({"unit_id": unit_id, "previous_ids": tuple(olds),
                     "since": int(year) if year else None, "kind": kind})
    return pd.DataFrame(rows, columns=["unit_id", "previous_ids", "since", "kind"])


def renamed_ids(registry: pd.DataFrame) -> dict[str, str]:
    """old id → current id for units that were renamed (one predecessor, one successor),
    through chains of renames (A → B → C: A and B → C), so their history joins up under
    the current id; merged and split units keep their predecessors' own histories."""
    links = predecessors(registry)
    after = successors(registry)
    step = {olds[0]: new for new, olds in links.items()
            if len(olds) == 1 and len(after[olds[0]]) == 1}
    out = {}
    for old in step:
        new, seen = step[old], {old}
        while new in step and new not in seen:  # cycles are refused on loading
            seen.add(new)
            new = step[new]
        out[old] = new
    return out


def check_lineage(frame: pd.DataFrame, file: str) -> None:
    """The lineage in units.csv (``previous_ids``, ``since``, ``until``) holds together:
    every predecessor is a unit of the file, not the unit itself nor listed twice; a unit
    that replaced others says from which year (``since``); a predecessor ends (``until``)
    before its successor starts; no unit descends from itself. Errors name units.csv and
    the line, in Vietnamese. `frame` is in the file's order (line = position + 2)."""
    line = {u: n for n, u in enumerate(frame["unit_id"], start=2)}
    rows = {r.unit_id: r for r in frame.itertuples(index=False)}

    def where(unit_id: str) -> str:
        return f"Danh mục đơn vị “{file}”, dòng {line[unit_id]}"

    links: dict[str, list[str]] = {}
    for row in frame.itertuples(index=False):
        olds = _previous_ids(row.previous_ids)
        if not olds:
            continue
        links[row.unit_id] = olds
        for old in olds:
            if old == row.unit_id:
                raise UsageError(f"{where(row.unit_id)}: đơn vị {old} ghi chính nó ở cột "
                                 "previous_ids (đơn vị trước).")
            if old not in rows:
                raise UsageError(f"{where(row.unit_id)}: đơn vị trước “{old}” (cột "
                                 "previous_ids) không có trong danh mục; thêm dòng của đơn vị "
                                 "này (với năm kết thúc ở cột until) hoặc sửa mã.")
        twice = sorted({o for o in olds if olds.count(o) > 1})
        if twice:
            raise UsageError(f"{where(row.unit_id)}: cột previous_ids ghi “{twice[0]}” hai lần.")
    _check_no_cycle(links, where)
    for unit_id, olds in links.items():
        start = rows[unit_id].since
        if not start:
            raise UsageError(
                f"{where(unit_id)}: đơn vị {unit_id} thay cho {', '.join(olds)} (cột "
                "previous_ids) nhưng chưa ghi năm bắt đầu ở cột since — năm việc đổi tên, sáp "
                "nhập hoặc chia tách có hiệu lực (năm đầu tiên đơn vị mới được đánh giá).")
        for old in olds:
            end = rows[old].until
            if not end or int(end) >= int(start):
                still = (f"kết thúc năm {end}" if end else "chưa ghi năm kết thúc (cột until)")
                raise UsageError(
                    f"{where(old)}: đơn vị {old} {still} nhưng đơn vị kế tiếp {unit_id} "
                    f"(dòng {line[unit_id]}) bắt đầu từ năm {start}: hai đơn vị "
                    f"không cùng tồn tại trong một năm. Ghi until là {int(start) - 1} (hoặc "
                    f"sớm hơn) cho {old}.")


def _check_no_cycle(links: Mapping[str, list[str]], where: Callable[[str], str]) -> None:
    """No unit is its own ancestor (A replaced B, B replaced A)."""
    state: dict[str, int] = {}  # 1: being visited, 2: done

    def visit(unit: str, path: list[str]) -> None:
        if state.get(unit) == 2:
            return
        if state.get(unit) == 1:
            cycle = path[path.index(unit):] + [unit]
            raise UsageError(f"{where(unit)}: cột previous_ids tạo vòng lặp "
                             f"{' → '.join(cycle)} (một đơn vị không thể là đơn vị trước của "
                             "chính nó).")
        state[unit] = 1
        for old in links.get(unit, []):
            visit(old, [*path, unit])
        state[unit] = 2

    for unit in links:
        visit(unit, [])
