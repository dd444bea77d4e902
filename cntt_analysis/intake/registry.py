"""The registry of units (data/raw/units.csv) and matching a typed unit name to it."""

from __future__ import annotations

import re
from pathlib import Path

import pandas as pd

from cntt_analysis.errors import UsageError
from cntt_analysis.text import clean, shorten, strip_diacritics

REGISTRY_COLUMNS = ["unit_id", "name", "group", "aliases"]
GROUPS = ("so", "huyen")

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
    if not path.is_file():
        raise UsageError(f"Không tìm thấy danh mục đơn vị “{path}” (cần các cột "
                         f"{', '.join(REGISTRY_COLUMNS)}).")
    frame = pd.read_csv(path, dtype=str, keep_default_na=False, encoding="utf-8-sig")
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
        if row.group not in GROUPS:
            raise UsageError(f"Danh mục đơn vị “{path.name}”, dòng {line}: khối “{row.group}” "
                             f"không hợp lệ (cần “so” hoặc “huyen”).")
    duplicated = sorted(set(frame.loc[frame["unit_id"].duplicated(), "unit_id"]))
    if duplicated:
        raise UsageError(f"Danh mục đơn vị “{path.name}”: mã đơn vị bị trùng: "
                         f"{', '.join(duplicated)}.")
    return frame.sort_values("unit_id").reset_index(drop=True)


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


def predecessors(registry: pd.DataFrame) -> dict[str, list[str]]:
    """unit_id → the ids it replaced (renamed or merged units, from `previous_ids`)."""
    return {row.unit_id: [p.strip() for p in row.previous_ids.split(";") if p.strip()]
            for row in registry.itertuples(index=False) if row.previous_ids}


def renamed_ids(registry: pd.DataFrame) -> dict[str, str]:
    """old id → new id for units that were renamed (one predecessor, one successor), so
    their history joins up; merged units keep their predecessors' own histories."""
    links = predecessors(registry)
    successors: dict[str, list[str]] = {}
    for new, olds in links.items():
        for old in olds:
            successors.setdefault(old, []).append(new)
    return {olds[0]: new for new, olds in links.items()
            if len(olds) == 1 and len(successors[olds[0]]) == 1}
