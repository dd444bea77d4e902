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
# An inspection workbook is known by its sheet and the verified-value column, whatever
# its name ("inspection (ban sua).xlsx"): see scoring.inspection.
INSPECTION_SHEET = "Kiểm tra"
INSPECTION_MARKS = ("số liệu kiểm tra", "verified")


def is_inspection_file(path: Path) -> bool:
    """Whether a round file is the inspectors' workbook: named ``inspection.xlsx`` or
    ``inspection.csv``, or a workbook whose "Kiểm tra" sheet has the verified column."""
    if path.stem in NOT_SUBMISSIONS and path.suffix.lower() in (".xlsx", ".csv"):
        return True
    if path.suffix.lower() not in WORKBOOK_SUFFIXES or path.name.startswith(("~$", ".~lock")):
        return False
    from python_calamine import CalamineWorkbook

    from cntt_analysis.text import fold

    try:
        book = CalamineWorkbook.from_path(str(path))
        if INSPECTION_SHEET not in book.sheet_names:
            return False
        header = book.get_sheet_by_name(INSPECTION_SHEET).to_python(nrows=1)
    except Exception:  # a broken file is a submission problem, reported by intake
        return False
    marks = {fold(m) for m in INSPECTION_MARKS}
    return any(isinstance(v, str) and fold(v) in marks for row in header[:1] for v in row)


def inspection_files(folder: Path) -> list[Path]:
    """Every file of a round folder that is an inspection file, by name or by content."""
    return sorted(p for p in folder.iterdir() if p.is_file() and is_inspection_file(p))


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
        return bool(inspection_files(self.folder))

    def submissions(self) -> list[Path]:
        """Workbook files of the round, sorted by name (Office lock files and the
        inspection file, found by name or content, skipped)."""
        return sorted(
            p for p in self.folder.iterdir()
            if p.is_file() and p.suffix.lower() in WORKBOOK_SUFFIXES
            and not p.name.startswith(("~$", ".~lock")) and not is_inspection_file(p)
        )


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
