"""The published record of a round (``<year>-cong-bo/``): what each finalised version is,
and whether it is still what was published.

Each finalisation writes a folder ``final-v<N>/`` once and never again: the tables, the
inputs manifest and its own record ``final.json`` (the SHA-256 of every file it holds).
The year's ``final.json`` beside the folders is a copy of the newest version's record.
Every reader verifies the record against the files (`check_record`): a file edited,
removed or added in a published folder, a folder removed, or a record edited stops the
command with what differs. A missing or older year's ``final.json`` (removed by hand, or a
finalisation interrupted after its folder was written) is not a difference: the newest
intact folder's own record is the truth, so its number is never reused.

Kept free of pandas: telling a round's state (`cntt score` on an unchanged round, report
keys) must not load it.
"""

from __future__ import annotations

import hashlib
import json
import re
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

from cntt_analysis.errors import UsageError
from cntt_analysis.scoring.manifest import FINAL, MANIFEST, TABLES, publication_folder
from cntt_analysis.storage import file_sha256

_VERSION_FOLDER = re.compile(r"final-v(\d+)")


def version_folder(processed_dir: str | Path, year: int, version: int) -> Path:
    return publication_folder(processed_dir, year) / f"final-v{version}"


def file_hashes(folder: Path) -> dict[str, str]:
    """SHA-256 of each file a published version holds (tables and inputs manifest)."""
    names = [*(f"{t}.parquet" for t in TABLES), MANIFEST]
    return {name: file_sha256(folder / name)
            for name in names if (folder / name).is_file()}


@dataclass
class Verified:
    """A year's published record as found on disk."""

    record: dict[str, Any] | None          # the newest version's record; None: never final
    problems: list[str] = field(default_factory=list)  # what differs from what was published
    notes: list[str] = field(default_factory=list)     # what is worth saying, not wrong
    versions: list[int] = field(default_factory=list)  # the version folders found

    @property
    def next_version(self) -> int:
        """The number a new finalisation takes: never one whose folder exists."""
        recorded = int(self.record["version"]) if self.record else 0
        return max([recorded, *self.versions]) + 1


def _load(path: Path, problems: list[str]) -> dict[str, Any] | None:
    if not path.is_file():
        return None
    try:
        data = json.loads(path.read_text(encoding="utf-8"))
    except (ValueError, UnicodeDecodeError):
        problems.append(f"{path} không đọc được (không còn là JSON hợp lệ).")
        return None
    if not isinstance(data, dict) or not str(data.get("version", "")).isdigit():
        problems.append(f"{path} không còn là bản ghi chốt kết quả (thiếu số phiên bản).")
        return None
    return data


def _expected_files(record: dict[str, Any]) -> tuple[dict[str, str], bool]:
    """The files a version's record lists, and whether that list is complete (records of
    older versions of this package list the tables only, in "outputs")."""
    if isinstance(record.get("files"), dict):
        return dict(record["files"]), True
    return {f"{t}.parquet": h for t, h in (record.get("outputs") or {}).items()}, False


def _check_folder(folder: Path, record: dict[str, Any], problems: list[str]) -> None:
    expected, complete = _expected_files(record)
    for name, digest in sorted(expected.items()):
        path = folder / name
        if not path.is_file():
            problems.append(f"{path}: tệp đã bị xoá.")
        elif file_sha256(path) != digest:
            problems.append(f"{path}: nội dung đã bị sửa (mã SHA-256 khác bản ghi chốt).")
    if complete:
        for path in sorted(folder.iterdir()):
            if path.name not in expected and path.name != FINAL:
                problems.append(f"{path}: tệp thêm vào sau khi chốt.")


def verify(processed_dir: str | Path, year: int) -> Verified:
    """Check every published version of `year` against its record."""
    pub = publication_folder(processed_dir, year)
    problems: list[str] = []
    notes: list[str] = []
    folders = {int(m.group(1)): p for p in (sorted(pub.iterdir()) if pub.is_dir() else [])
               if p.is_dir() and (m := _VERSION_FOLDER.fullmatch(p.name))}
    top = _load(pub / FINAL, problems)
    listed = {int(top["version"]): top} if top else {}
    for entry in (top or {}).get("history", []):
        if isinstance(entry, dict) and str(entry.get("version", "")).isdigit():
            listed.setdefault(int(entry["version"]), entry)
    own: dict[int, dict[str, Any]] = {}
    for version, folder in sorted(folders.items()):
        record = _load(folder / FINAL, problems)
        if record is not None:
            own[version] = record
            if int(record["version"]) != version:
                problems.append(f"{folder / FINAL}: ghi phiên bản {record['version']}, "
                                f"không phải {version}.")
        elif top is not None and int(top["version"]) == version:
            record = top  # a version finalised by an older package: the year's record
        if record is None:
            if version not in listed:
                problems.append(f"{folder}: không có trong bản ghi chốt kết quả.")
            continue  # a history entry of an older package: it kept no hashes
        _check_folder(folder, record, problems)
    for version in sorted(set(listed) - set(folders)):
        problems.append(f"{pub / f'final-v{version}'}: thư mục bản chính thức số {version} "
                        "đã bị xoá.")
    if top is not None and int(top["version"]) in own and own[int(top["version"])] != top:
        problems.append(f"{pub / FINAL}: khác bản ghi của chính bản đó "
                        f"({folders[int(top['version'])] / FINAL}), đã bị sửa.")
    newest = max(own) if own else None
    record = top
    if newest is not None and (top is None or newest > int(top["version"])):
        record = own[newest]
        notes.append(f"{pub / FINAL} " + ("không còn" if top is None else
                                          f"ghi bản {top['version']}, cũ hơn")
                     + f"; dùng bản ghi {folders[newest] / FINAL} (bản {newest}).")
    return Verified(record, problems, notes, sorted(folders))


def check_record(processed_dir: str | Path, year: int) -> Verified:
    """The verified record; a clear error when a published version was changed."""
    found = verify(processed_dir, year)
    if found.problems:
        raise UsageError(
            f"Bản chính thức đã công bố năm {year} không còn nguyên vẹn: "
            + " ".join(found.problems)
            + " Kết quả đã công bố không được sửa: hãy khôi phục các tệp trên từ bản sao "
            f"lưu, rồi kiểm tra lại bằng `cntt finalise --check --year {year}`.")
    return found


def read_final(processed_dir: str | Path, year: int) -> dict[str, Any] | None:
    """The newest published version's record (None: never finalised), verified."""
    return check_record(processed_dir, year).record


def record_digest(processed_dir: str | Path, year: int) -> str:
    """A digest of the year's published record ("draft" when never finalised), unverified:
    for report keys (finalising turns every "DỰ THẢO" page final)."""
    record = verify(processed_dir, year).record
    if record is None:
        return "draft"
    text = json.dumps(record, ensure_ascii=False, sort_keys=True)
    return hashlib.sha256(text.encode("utf-8")).hexdigest()
