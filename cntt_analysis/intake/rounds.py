"""A round (đợt đánh giá): a year's folder of submitted workbooks and its round.yaml."""

from __future__ import annotations

import datetime as dt
from dataclasses import dataclass
from pathlib import Path

import yaml

from cntt_analysis.errors import UsageError
from cntt_analysis.rubric.model import Rubric, load_rubric

WORKBOOK_SUFFIXES = (".xlsx", ".xlsm", ".xls", ".ods")
# Files the IT Centre keeps in a round folder that are not submissions.
NOT_SUBMISSIONS = {"inspection"}


@dataclass(frozen=True)
class Round:
    year: int
    folder: Path
    deadline: dt.date
    rubric: Rubric
    synthetic: bool = False
    department: str = "Sở Tài nguyên và Môi trường"

    @property
    def inspected(self) -> bool:
        """Whether the inspection team's file is in the round folder."""
        return any((self.folder / f"inspection{ext}").is_file() for ext in (".xlsx", ".csv"))

    def submissions(self) -> list[Path]:
        """Workbook files of the round, sorted by name (Office lock files, macOS "._"
        companions and links that lead out of the folder skipped)."""
        return sorted(
            p for p in round_files(self.folder)
            if p.suffix.lower() in WORKBOOK_SUFFIXES
            and not p.name.startswith(("~$", ".~lock", "._")) and p.stem not in NOT_SUBMISSIONS
        )


def round_files(folder: Path) -> list[Path]:
    """Files of a round folder; a symbolic link counts only when it stays inside it."""
    base = folder.resolve()
    return sorted(p for p in folder.iterdir() if p.is_file()
                  and (not p.is_symlink() or p.resolve().parent == base))


def load_round(raw_dir: str | Path, year: int) -> Round:
    """Read data/raw/<year>/round.yaml; a clear Vietnamese error when it is unusable."""
    folder = Path(raw_dir) / str(year)
    if not folder.is_dir():
        found = ", ".join(str(y) for y in available_years(raw_dir)) or "không có"
        raise UsageError(f"Không có thư mục đợt đánh giá năm {year} ({folder}). "
                         f"Các năm hiện có: {found}.")
    config_path = folder / "round.yaml"
    if not config_path.is_file():
        raise UsageError(f"Thiếu tệp cấu hình đợt đánh giá {config_path} (cần deadline và "
                         "rubric).")
    try:
        config = yaml.safe_load(config_path.read_text(encoding="utf-8")) or {}
    except yaml.YAMLError as exc:
        raise UsageError(f"{config_path}: tệp YAML không đọc được: {exc}") from None
    deadline = config.get("deadline")
    if not isinstance(deadline, dt.date):
        raise UsageError(f"{config_path}: cần 'deadline' dạng yyyy-mm-dd (ví dụ 2017-08-10).")
    rubric_ref = str(config.get("rubric", year))
    if rubric_ref.endswith((".yaml", ".yml")) and not Path(rubric_ref).is_absolute():
        rubric_ref = str(folder / rubric_ref)
    return Round(year=year, folder=folder, deadline=deadline, rubric=load_rubric(rubric_ref),
                 synthetic=bool(config.get("synthetic", False)),
                 department=str(config.get("department", Round.department)))


def available_years(raw_dir: str | Path) -> list[int]:
    """Years that have a round folder with a round.yaml."""
    raw = Path(raw_dir)
    if not raw.is_dir():
        return []
    return sorted(int(p.name) for p in raw.iterdir()
                  if p.name.isdigit() and (p / "round.yaml").is_file())
