"""Draft and final results (dự thảo, chính thức) of a round.

A round's results are a draft until the IT Centre finalises them (`finalise`): that writes
``data/processed/<year>/final.json`` — what the results were computed from (the inputs
manifest), what they are (SHA-256 of each table), when and by whom — and keeps a copy of
the tables in ``final-v<N>/``. Afterwards, results computed from other inputs are not
silently published: `record_changes` (run after scoring) notes which units' score, tier or
rank would change in ``changes-v<N+1>.xlsx`` and returns a Vietnamese warning; the published
copy stays, and the working tables are version N+1, a draft until finalised again.
"""

from __future__ import annotations

import datetime as dt
import json
import os
import shutil
import tempfile
from dataclasses import dataclass
from pathlib import Path
from typing import TYPE_CHECKING, Any

import pandas as pd

from cntt_analysis.errors import UsageError
from cntt_analysis.intake.rounds import load_round
from cntt_analysis.labels import vn_score
from cntt_analysis.scoring.manifest import (  # noqa: F401  (FINAL: re-exported)
    FINAL,
    MANIFEST,
    TABLES,
    is_stale,
    processed_folder,
    publication_folder,
)
from cntt_analysis.scoring.record import (  # noqa: F401  (read_final, verify: re-exported)
    check_record,
    file_hashes,
    read_final,
    verify,
    version_folder,
)
from cntt_analysis.storage import file_sha256, put, write_bytes, write_text, write_workbook

if TYPE_CHECKING:  # openpyxl is imported where a workbook is made (it is slow to import)
    from openpyxl import Workbook

DRAFT_LABEL = "DỰ THẢO"
CHANGE_COLUMNS = ["unit_id", "name", "group", "published_score", "score", "published_tier",
                  "tier", "published_rank", "rank", "change"]


@dataclass(frozen=True)
class Status:
    """Whether a round's current results are the published (final) ones."""

    year: int
    state: str                  # "draft" (never finalised), "final", "changed"
    version: int                # the version the current tables are (1 before finalising)
    finalised_at: str | None = None
    by: str | None = None

    @property
    def draft(self) -> bool:
        return self.state != "final"

    @property
    def label(self) -> str:
        """What a page says about the results, in Vietnamese."""
        if self.state == "final":
            return (f"Kết quả chính thức (bản {self.version}, chốt ngày "
                    f"{_vn_date(self.finalised_at)} bởi {self.by}).")
        if self.state == "changed":
            return (f"{DRAFT_LABEL} (bản {self.version}): kết quả khác bản chính thức số "
                    f"{self.version - 1} đã công bố ngày {_vn_date(self.finalised_at)}.")
        return f"{DRAFT_LABEL}: kết quả chưa được chốt chính thức."


def _vn_date(stamp: str | None) -> str:
    return dt.date.fromisoformat(stamp[:10]).strftime("%d/%m/%Y") if stamp else ""


def output_hashes(folder: Path) -> dict[str, str]:
    """SHA-256 of each processed table of a round folder."""
    return {name: file_sha256(folder / f"{name}.parquet") for name in TABLES
            if (folder / f"{name}.parquet").is_file()}


def status(processed_dir: str | Path, year: int, folder: Path | None = None) -> Status:
    """Draft, final, or changed since finalised (the current tables differ from the
    published ones). `folder`: the tables to judge, when not the round's folder (a new set
    being written beside it)."""
    record = read_final(processed_dir, year)
    if record is None:
        return Status(year, "draft", 1)
    tables = folder if folder is not None else processed_folder(processed_dir, year)
    same = output_hashes(tables) == record["outputs"]
    version = int(record["version"])
    return Status(year, "final" if same else "changed", version if same else version + 1,
                  record["finalised_at"], record["by"])


def is_final(processed_dir: str | Path, year: int) -> bool:
    return status(processed_dir, year).state == "final"


def check_current(raw_dir: str | Path, processed_dir: str | Path, year: int) -> None:
    """A clear error when a round's results are missing or computed from other inputs."""
    if is_stale(raw_dir, processed_dir, year):
        raise UsageError(f"Kết quả năm {year} trong {processed_folder(processed_dir, year)} "
                         "chưa có hoặc chưa cập nhật theo dữ liệu gốc: chạy `cntt score` trước "
                         "khi chốt.")


def check_not_final(processed_dir: str | Path, year: int) -> Status:
    """The round's state; a clear error when its current results are already final."""
    current = status(processed_dir, year)
    if current.state == "final":
        raise UsageError(f"Kết quả năm {year} đã được chốt (bản {current.version}, ngày "
                         f"{_vn_date(current.finalised_at)}); không có gì thay đổi.")
    return current


def finalise(raw_dir: str | Path, processed_dir: str | Path, year: int, by: str,
             when: dt.datetime | None = None,
             forced: dict[str, Any] | None = None) -> Path:
    """Record the current results as final: copy the tables to ``final-v<N>/`` and write
    ``final.json``. Refuses results that are missing or computed from other inputs.
    `forced` records a decision to finalise despite objections (a partial round, open data
    errors): the reason given and what was objected, kept in ``final.json``."""
    folder = processed_folder(processed_dir, year)
    check_current(raw_dir, processed_dir, year)
    if not by.strip():
        raise UsageError("Cần ghi tên người chốt kết quả (--by).")
    check_not_final(processed_dir, year)
    found = check_record(processed_dir, year)
    version = found.next_version
    previous = found.record
    stamp = (when or dt.datetime.now(dt.timezone.utc)).replace(microsecond=0).isoformat()
    kept = version_folder(processed_dir, year, version)
    stage = _stage(folder, kept)
    record = {
        "year": year, "version": version, "finalised_at": stamp, "by": by.strip(),
        "folder": kept.name,
        "inputs": json.loads((stage / MANIFEST).read_text(encoding="utf-8")),
        "outputs": output_hashes(stage),
        "files": file_hashes(stage),
        "history": ([*previous.get("history", []),
                     {k: previous[k] for k in ("version", "finalised_at", "by", "folder")}]
                    if previous else []),
    }
    if forced:
        record["forced"] = forced
    text = json.dumps(record, ensure_ascii=False, indent=1, sort_keys=True) + "\n"
    write_text(text, stage / FINAL)
    try:  # a folder is published once: renaming onto an existing one fails
        os.rename(stage, kept)
    except OSError:
        shutil.rmtree(stage, ignore_errors=True)
        if kept.exists():
            raise UsageError(f"Thư mục {kept} đã có; bản chính thức đã công bố không bao giờ "
                             "bị ghi đè. Chạy lại `cntt finalise`.") from None
        raise
    return write_text(text, publication_folder(processed_dir, year) / FINAL)


def _stage(folder: Path, kept: Path) -> Path:
    """The version's copy of the tables and manifest, in a private folder beside `kept`
    (renamed into place once complete: a published folder is never half written)."""
    kept.parent.mkdir(parents=True, exist_ok=True)
    stage = Path(tempfile.mkdtemp(prefix=f".{kept.name}.staging-", dir=kept.parent))
    try:
        for name in [*(f"{t}.parquet" for t in TABLES), MANIFEST]:
            write_bytes((folder / name).read_bytes(), stage / name)
    except BaseException:
        shutil.rmtree(stage, ignore_errors=True)
        raise
    return stage


def compare(processed_dir: str | Path, year: int) -> pd.DataFrame:
    """Units whose score, tier or rank differ between the published and current results
    (added or dropped units included). Empty when not finalised."""
    record = read_final(processed_dir, year)
    if record is None:
        return pd.DataFrame(columns=CHANGE_COLUMNS)
    folder = processed_folder(processed_dir, year)
    keep = ["unit_id", "name", "group", "score", "tier", "rank"]
    published = pd.read_parquet(publication_folder(processed_dir, year) / record["folder"]
                                / "scores.parquet")[keep]
    current = pd.read_parquet(folder / "scores.parquet")[keep]
    both = published.merge(current, on="unit_id", how="outer", suffixes=("_pub", ""),
                           indicator="presence")
    both["name"] = both["name"].fillna(both["name_pub"])
    both["group"] = both["group"].fillna(both["group_pub"])
    rows = []
    for r in both.sort_values(["group", "unit_id"]).itertuples(index=False):
        if r.presence == "left_only":
            change = "không còn trong kết quả"
        elif r.presence == "right_only":
            change = "mới có trong kết quả"
        else:
            parts = []
            if round(r.score_pub - r.score, 2) != 0:
                parts.append(f"điểm {vn_score(r.score_pub)} → {vn_score(r.score)}")
            if r.tier_pub != r.tier:
                parts.append(f"xếp loại {r.tier_pub} → {r.tier}")
            if r.rank_pub != r.rank:
                parts.append(f"hạng {_rank(r.rank_pub)} → {_rank(r.rank)}")
            if not parts:
                continue
            change = "; ".join(parts)
        rows.append([r.unit_id, r.name, r.group, r.score_pub, r.score, r.tier_pub, r.tier,
                     r.rank_pub, r.rank, change])
    return pd.DataFrame(rows, columns=CHANGE_COLUMNS)


def _rank(value: Any) -> str:
    return "–" if pd.isna(value) else str(int(value))


# What a clerk opens in Excel: the note's columns, Vietnamese headers, widths and formats.
NOTE_COLUMNS = {  # column → (header, width, number format or None for text)
    "unit_id": ("Mã đơn vị", 14, None), "name": ("Tên đơn vị", 40, None),
    "group": ("Khối", 30, None), "published_score": ("Điểm đã công bố", 11, "0.00"),
    "score": ("Điểm mới", 11, "0.00"), "published_tier": ("Xếp loại đã công bố", 13, None),
    "tier": ("Xếp loại mới", 13, None), "published_rank": ("Hạng đã công bố", 10, "0"),
    "rank": ("Hạng mới", 10, "0"), "change": ("Thay đổi", 50, None),
}


def _group_names(processed_dir: str | Path, year: int,
                 raw_dir: str | Path | None) -> dict[str, str]:
    """Group code → the name the round's rubric gives it. Without `raw_dir`, the project's
    own layout is assumed (data/raw beside data/processed); without the round, the codes."""
    raw = Path(raw_dir) if raw_dir is not None else Path(processed_dir).parent / "raw"
    if (raw / str(year)).is_dir():
        return dict(load_round(raw, year).rubric.groups)
    return {}


def changes_workbook(changed: pd.DataFrame, groups: dict[str, str]) -> Workbook:
    """The note of what changed as a workbook: numbers as numbers (Excel shows them with
    the reader's decimal comma), groups by name, header frozen, filterable."""
    from openpyxl import Workbook
    from openpyxl.styles import Alignment, Font, PatternFill
    from openpyxl.utils import get_column_letter

    wb = Workbook()
    ws = wb.active
    ws.title = "Thay đổi"
    bold = Font(bold=True, color="FFFFFF")
    fill = PatternFill("solid", fgColor="1F4E79")
    for c, (header, width, _) in enumerate(NOTE_COLUMNS.values(), start=1):
        cell = put(ws, 1, c, header)
        cell.font, cell.fill = bold, fill
        cell.alignment = Alignment(wrap_text=True, vertical="top")
        ws.column_dimensions[get_column_letter(c)].width = width
    rows = changed.assign(group=changed["group"].map(lambda g: groups.get(g, g)))
    for r, record in enumerate(rows.to_dict("records"), start=2):
        for c, (key, (_, _, fmt)) in enumerate(NOTE_COLUMNS.items(), start=1):
            put(ws, r, c, record.get(key), fmt)
    ws.freeze_panes = "C2"
    ws.auto_filter.ref = f"A1:{get_column_letter(len(NOTE_COLUMNS))}{max(ws.max_row, 1)}"
    ws.page_setup.orientation = "landscape"
    ws.page_setup.fitToWidth, ws.page_setup.fitToHeight = 1, 0
    ws.sheet_properties.pageSetUpPr.fitToPage = True
    ws.print_title_rows = "1:1"
    return wb


def record_changes(processed_dir: str | Path, year: int,
                   raw_dir: str | Path | None = None) -> str | None:
    """After scoring: when the round was finalised and its results now differ, write the
    note of what changed (``changes-v<N>.xlsx``) and return the warning; else None."""
    current = status(processed_dir, year)
    if current.state != "changed":
        return None
    changed = compare(processed_dir, year)
    note = publication_folder(processed_dir, year) / f"changes-v{current.version}.xlsx"
    write_workbook(changes_workbook(changed, _group_names(processed_dir, year, raw_dir)), note)
    record = read_final(processed_dir, year) or {}
    units = (f"{len(changed)} đơn vị thay đổi điểm, xếp loại hoặc thứ hạng"
             if len(changed) else "không đơn vị nào thay đổi điểm, xếp loại hay thứ hạng "
             "(chỉ số liệu chi tiết khác)")
    return (f"Cảnh báo: kết quả năm {year} đã được chốt chính thức (bản "
            f"{record.get('version')}, ngày {_vn_date(record.get('finalised_at'))}) nhưng dữ "
            f"liệu đầu vào đã thay đổi: {units}. Bản chính thức vẫn giữ trong "
            f"{publication_folder(processed_dir, year) / record.get('folder', '')}; kết quả "
            f"mới là bản {current.version} "
            f"(dự thảo), chi tiết thay đổi trong {note}. Chạy `cntt finalise --year {year}` "
            "nếu muốn chốt bản mới.")

