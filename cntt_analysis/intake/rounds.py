"""A round (đợt đánh giá): a year's folder of submitted workbooks and its round.yaml."""

from __future__ import annotations

import datetime as dt
import os
import re
from collections.abc import Callable
from dataclasses import dataclass, field
from pathlib import Path
from typing import TYPE_CHECKING, Any

import yaml

from cntt_analysis.errors import UsageError
from cntt_analysis.rubric.model import RUBRIC_DIR, Rubric, RubricError, load_rubric
from cntt_analysis.rubric.next_year import next_year_text
from cntt_analysis.yamlfile import check_name, read_mapping

if TYPE_CHECKING:  # imports.py needs pandas: not for a reading worker, which imports this
    from cntt_analysis.intake.imports import Import

ROUND_FOLDER = re.compile(r"(19|20|21)[0-9]{2}")  # a round folder is named by its year
WORKBOOK_SUFFIXES = (".xlsx", ".xlsm", ".xls", ".ods")
# The inspection file's own names in a round folder (`Round.inspection_files`): the IT
# Centre's, never a submission.
INSPECTION_NAMES = ("inspection.xlsx", "inspection.csv")


def is_inspection_name(path: Path) -> bool:
    """Whether a round file has the inspection file's own name (any case)."""
    return path.name.lower() in INSPECTION_NAMES


@dataclass(frozen=True)
class Round:
    year: int
    folder: Path
    deadline: dt.date
    rubric: Rubric
    synthetic: bool = False
    department: str = "Sở Tài nguyên và Môi trường"
    # Plain-language notes for the user (e.g. last year's form reused for this year).
    warnings: tuple[str, ...] = ()
    # Units named in round.yaml: `unit_lists` (name → unit ids, read by indicators with
    # `applies_to: {round: name}`) and `not_ranked` (assessed this year but not ranked).
    unit_lists: dict[str, tuple[str, ...]] = field(default_factory=dict)
    not_ranked: tuple[str, ...] = ()
    # Exports of systems the round reads figures from (round.yaml `imports`).
    imports: tuple[Import, ...] = ()
    # The inspection file round.yaml declares (`inspection:`, relative to the folder): the
    # IT Centre's confirmation of a file not named inspection.xlsx, or of one without the
    # mark `cntt inspection-template` writes.
    inspection: str | None = None

    @property
    def inspected(self) -> bool:
        """Whether the inspection team's file is in the round folder."""
        return bool(self.inspection_files())

    def inspection_files(self) -> list[Path]:
        """The round's inspection file(s): the one round.yaml declares and any file named
        inspection.xlsx or inspection.csv — never one recognised only by its content (a
        unit's workbook could look like it). More than one is an error (`find_inspection`)."""
        declared = self.declared_inspection()
        named = round_files(self.folder, lambda name: is_inspection_name(Path(name)))
        found = ([declared] if declared is not None and declared.is_file() else []) + [
            p for p in named if declared is None or p.resolve() != declared.resolve()]
        return sorted(found, key=lambda p: p.name)

    def declared_inspection(self) -> Path | None:
        return None if self.inspection is None else self.folder / self.inspection

    def submissions(self) -> list[Path]:
        """Workbook files of the round, sorted by name (Office lock files, macOS "._"
        companions, links that lead out of the folder, the inspection file and the
        systems' exports round.yaml declares, skipped). A workbook that only looks like the
        inspection file stays a submission (intake reports it)."""
        exports = {(self.folder / spec.file).resolve() for spec in self.imports}
        declared = self.declared_inspection()
        if declared is not None:
            exports.add(declared.resolve())
        return sorted(
            p for p in round_files(self.folder)
            if p.suffix.lower() in WORKBOOK_SUFFIXES
            and not p.name.startswith(("~$", ".~lock", "._"))
            and not is_inspection_name(p)
            and not (exports and p.resolve() in exports)
        )


def round_files(folder: Path, named: Callable[[str], bool] | None = None) -> list[Path]:
    """Files of a round folder (only those whose name passes `named`, when given); a
    symbolic link counts only when it stays inside it. The folder's entries say which are
    files and links, so a round of 20,000 files is not asked about file by file."""
    base = folder.resolve()
    found = []
    with os.scandir(folder) as entries:
        for entry in entries:
            if named is not None and not named(entry.name):
                continue
            path = folder / entry.name
            if entry.is_symlink():
                if path.is_file() and path.resolve().parent == base:
                    found.append(path)
            elif entry.is_file():
                found.append(path)
    return sorted(found)


def load_round(raw_dir: str | Path, year: int) -> Round:
    """Read data/raw/<year>/round.yaml; a clear Vietnamese error when it is unusable."""

    folder = Path(raw_dir) / str(year)
    if not folder.is_dir():
        found = ", ".join(str(y) for y in available_years(raw_dir)) or "không có"
        raise UsageError(f"Không có thư mục đợt đánh giá năm {year} ({folder}). "
                         f"Các năm hiện có: {found}.")
    config_path = folder / "round.yaml"
    if not config_path.exists() and not config_path.is_symlink():
        raise UsageError(f"Thiếu tệp cấu hình đợt đánh giá {config_path} (cần deadline và "
                         "rubric).")
    config = read_round_file(config_path)
    check_department_file(Path(raw_dir))
    deadline = config.get("deadline")
    if deadline is None:
        raise UsageError(f"{config_path}: thiếu mục 'deadline' (hạn nộp báo cáo, dạng "
                         "yyyy-mm-dd, ví dụ deadline: 2017-08-10).")
    check_name(Path(str(config.get("rubric", year))), f"{config_path}: mục 'rubric'")
    rubric_path = _rubric_path(folder, config, year)
    rubric = load_rubric(rubric_path)
    _check_link_to_last_year(Path(raw_dir), year, config_path, rubric)
    lists, not_ranked = _unit_lists(config, config_path, rubric)
    return Round(year=year, folder=folder, deadline=deadline, rubric=rubric,
                 synthetic=bool(config.get("synthetic", False)),
                 department=str(config.get("department", Round.department)),
                 warnings=_reuse_warning(rubric, year, config_path),
                 unit_lists=lists, not_ranked=not_ranked,
                 imports=_imports(config.get("imports"), config_path, rubric),
                 inspection=_inspection(config.get("inspection"), folder, config_path))


def _inspection(raw: Any, folder: Path, config_path: Path) -> str | None:
    """round.yaml's `inspection`: the inspection file, a path inside the round folder."""
    if raw is None:
        return None
    fix = ("Ghi tên tệp kiểm tra, thẩm định nằm trong thư mục đợt đánh giá, ví dụ "
           "inspection: \"kiem tra (ban sua).xlsx\".")
    if not isinstance(raw, str) or not raw.strip() or Path(raw).is_absolute():
        raise UsageError(f"{config_path}: mục 'inspection' không hợp lệ ({raw!r}). {fix}")
    path = (folder / raw).resolve()
    if not path.is_relative_to(folder.resolve()):
        raise UsageError(f"{config_path}: mục 'inspection' ({raw}) trỏ ra ngoài thư mục đợt "
                         f"đánh giá {folder}. {fix}")
    if not path.is_file():
        raise UsageError(f"{config_path}: mục 'inspection' trỏ đến tệp {folder / raw} nhưng "
                         "tệp không có. Đặt tệp vào thư mục đợt đánh giá hoặc xoá mục này.")
    if path.suffix.lower() not in (".xlsx", ".csv"):
        raise UsageError(f"{config_path}: mục 'inspection' ({raw}) phải là tệp .xlsx hoặc "
                         ".csv (tệp do lệnh cntt inspection-template tạo).")
    return raw


def read_round_file(config_path: Path) -> dict[str, Any]:
    """A round.yaml read strictly and checked against `settings.RoundFile`: every key known,
    every value of its kind (a Vietnamese error naming the file and the key)."""
    from cntt_analysis import settings  # pydantic: not for a reading worker, which imports this

    config = read_mapping(config_path, "tệp cấu hình đợt đánh giá",
                          "deadline: 2017-08-10 và rubric: '2017'")
    settings.check(settings.RoundFile, config, config_path)
    return config


def check_department_file(raw: Path) -> None:
    """data/raw/department.yaml checked against `settings.DepartmentFile` with the round, so
    that a command stops before it writes anything (the report reads it much later)."""
    from cntt_analysis import settings

    path = raw / settings.DEPARTMENT_FILE
    if path.exists() or path.is_symlink():
        settings.check(settings.DepartmentFile,
                       read_mapping(path, "tệp thông tin cơ quan", "place: Hòa An"), path)


def _imports(raw: Any, config_path: Path, rubric: Rubric) -> tuple[Import, ...]:
    """round.yaml's `imports`, checked (the module that reads them only when there are)."""
    if raw is None:
        return ()
    from cntt_analysis.intake.imports import parse_imports

    return parse_imports(raw, config_path, rubric)


def _ids(value: Any, where: str) -> tuple[str, ...]:
    if value is None:
        return ()
    if not isinstance(value, list) or not all(isinstance(v, (str, int)) for v in value):
        raise UsageError(f"{where} phải là danh sách mã đơn vị (ví dụ [so-tai-chinh, "
                         "so-cong-thuong]).")
    return tuple(str(v).strip() for v in value)


def _unit_lists(config: dict[str, Any], config_path: Path, rubric: Rubric
                ) -> tuple[dict[str, tuple[str, ...]], tuple[str, ...]]:
    """round.yaml's `unit_lists` (every list the rubric's `applies_to: {round: …}` names
    must be there) and `not_ranked`."""
    raw = config.get("unit_lists") or {}
    if not isinstance(raw, dict):
        raise UsageError(f"{config_path}: mục 'unit_lists' phải là bảng tên danh sách → danh "
                         "sách mã đơn vị (ví dụ unit_lists: {kinh_te_so: [so-tai-chinh]}).")
    lists = {str(k): _ids(v, f"{config_path}: mục 'unit_lists.{k}'") for k, v in raw.items()}
    for where, name in rubric.unit_flags:
        if where == "round" and name not in lists:
            users = ", ".join(i.code for i in rubric.indicators
                              if i.applies_to == ("round", name))
            raise UsageError(f"{config_path}: thiếu danh sách 'unit_lists.{name}' (các đơn vị "
                             f"được đánh giá chỉ tiêu {users}, theo phiếu "
                             f"{rubric.source or rubric.id}).")
    return lists, _ids(config.get("not_ranked"), f"{config_path}: mục 'not_ranked'")


def _rubric_path(folder: Path, config: dict[str, Any], year: int) -> Path:
    """Where round.yaml's `rubric` is: a shipped name or a path relative to the folder."""
    ref = str(config.get("rubric", year))
    if ref.endswith((".yaml", ".yml")):
        return (folder / ref).resolve() if not Path(ref).is_absolute() else Path(ref)
    return (RUBRIC_DIR / f"{ref}.yaml").resolve()


def _reuse_warning(rubric: Rubric, year: int, config_path: Path) -> tuple[str, ...]:
    if rubric.year is None or rubric.year == year:
        return ()
    return (f"Đợt đánh giá năm {year} dùng phiếu đánh giá năm {rubric.year} ({config_path}: "
            f"rubric). Biểu mẫu ghi rõ “phiếu năm {rubric.year} (dùng cho báo cáo năm {year})”. "
            f"Nếu tiêu chí năm {year} khác năm {rubric.year}, hãy tạo phiếu năm {year} (xem "
            "mục “Bắt đầu đợt đánh giá năm sau” trong README).",)


def _check_link_to_last_year(raw: Path, year: int, config_path: Path, rubric: Rubric) -> None:
    """The rubric's `previous` must be the rubric last year's round used (when that round
    exists and used another form): a stale link would only fail deep inside the report."""
    last = raw / str(year - 1) / "round.yaml"
    if rubric.previous is None or not last.is_file():
        return
    try:
        last_config = read_mapping(last, "tệp cấu hình đợt đánh giá", "deadline: …")
    except UsageError:
        return  # reported when that round itself is loaded
    last_path = _rubric_path(last.parent, last_config, year - 1)
    own = Path(rubric.path)
    if last_path in (own, rubric.previous_path()):
        return
    wanted = (last_path.stem if last_path.parent == RUBRIC_DIR.resolve()
              else os.path.relpath(last_path, own.parent))
    raise RubricError(
        f"{own}: mục 'previous: \"{rubric.previous}\"' trỏ đến phiếu {rubric.previous_path()}, "
        f"nhưng đợt đánh giá năm {year - 1} ({last}) dùng phiếu {last_path}. Sửa thành "
        f"'previous: \"{wanted}\"' và cập nhật 'dropped' cùng các mục 'previous' của từng chỉ "
        f"tiêu theo phiếu đó (xem {config_path}); hoặc tạo lại phiếu bằng lệnh cntt new-round.")


def available_years(raw_dir: str | Path) -> list[int]:
    """Years that have a round folder with a round.yaml."""
    raw = Path(raw_dir)
    if not raw.is_dir():
        return []
    years = []
    for path in raw.iterdir():
        if not (path / "round.yaml").exists():
            continue
        check_name(path, "Thư mục đợt đánh giá")
        if not ROUND_FOLDER.fullmatch(path.name):
            raise UsageError(f"Thư mục đợt đánh giá “{path}” có round.yaml nhưng tên không phải "
                             "một năm: đổi tên thư mục thành năm đánh giá (4 chữ số, ví dụ "
                             f"{raw / '2017'}), hoặc chuyển round.yaml ra khỏi thư mục đó.")
        years.append(int(path.name))
    return sorted(years)


@dataclass(frozen=True)
class NewRound:
    """What `create_round` wrote."""

    year: int
    from_year: int
    config: Path
    rubric: Path
    deadline: dt.date


def create_round(raw_dir: str | Path, year: int, deadline: dt.date | None = None,
                 from_year: int | None = None) -> NewRound:
    """Start `year`'s round: ``<raw>/<year>/round.yaml`` and the year's rubric, a copy of
    last year's (``rubric-<year>.yaml`` in the round folder), validated. Never overwrites."""
    raw = Path(raw_dir)
    folder = raw / str(year)
    config_path, rubric_path = folder / "round.yaml", folder / f"rubric-{year}.yaml"
    for path in (config_path, rubric_path):
        if path.exists():
            raise UsageError(f"Đợt đánh giá năm {year} đã có ({path}); không ghi đè. Sửa trực "
                             "tiếp tệp này nếu cần thay đổi.")
    earlier = [y for y in available_years(raw) if y < year]
    if from_year is None:
        if not earlier:
            raise UsageError(f"Không có đợt đánh giá năm trước nào trong {raw} để sao chép "
                             "phiếu đánh giá; dùng --from NĂM.")
        from_year = earlier[-1]
    from cntt_analysis.storage import write_text  # pandas: not for a reading worker

    last = load_round(raw, from_year)
    last_path = Path(last.rubric.path)
    folder.mkdir(parents=True, exist_ok=True)
    previous = (last_path.stem if last_path.parent == RUBRIC_DIR.resolve()
                else os.path.relpath(last_path, folder))
    text = next_year_text(last_path.read_text(encoding="utf-8"), year,
                          last.rubric.year or from_year, previous)
    deadline = deadline or _same_day(last.deadline, year + last.deadline.year - from_year)
    write_text(text, rubric_path)
    try:
        load_rubric(rubric_path)
    except RubricError:
        rubric_path.unlink()
        raise
    write_text(
        f"# Đợt đánh giá năm {year} (tạo bằng lệnh cntt new-round từ đợt năm {from_year})\n"
        f"deadline: {deadline.isoformat()}\n"
        f"rubric: {rubric_path.name}\n"
        f"department: {_quoted(last.department)}\n", config_path)
    try:
        load_round(raw, year)
    except UsageError:
        config_path.unlink()
        rubric_path.unlink()
        raise
    return NewRound(year, from_year, config_path, rubric_path, deadline)


def _same_day(day: dt.date, year: int) -> dt.date:
    try:
        return day.replace(year=year)
    except ValueError:  # 29 February
        return day.replace(year=year, day=28)


def _quoted(text: str) -> str:
    return yaml.safe_dump(text, allow_unicode=True, width=1000).strip().removesuffix(
        "\n...").strip()
