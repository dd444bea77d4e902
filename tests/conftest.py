"""Shared fixtures for the integration tests: real template workbooks in a temporary round.

Fixtures (generic, reusable by every test module):

- ``rubric``: the shipped 2017 rubric; ``cells``: code → (sheet, cell) of the template.
- ``units``: the small registry written by ``make_round`` (two ``so``, two ``huyen`` units).
- ``valid_answers``: a fresh, complete and valid set of answers (code → raw cell value);
  ``valid_points``, ``valid_score`` (72.91, Khá) and ``valid_criteria`` are its results,
  computed by hand below.
- ``fill_template``: write a unit's template (``build_template`` + ``write_workbook``), then
  fill answers with openpyxl at the cells from ``template_cells``.
- ``make_round``: a temporary ``raw`` dir (units.csv, ``<year>/round.yaml``) with helpers to
  add submissions and score the round.
- ``libreoffice``: convert a workbook with LibreOffice (``.ods``/``.xls``);
  ``converted_submission``: one valid workbook converted once per session.
"""

from __future__ import annotations

import atexit
import contextlib
import csv
import datetime as dt
import hashlib
import os
import shutil
import subprocess
import tempfile
import unicodedata
from collections.abc import Callable, Iterator
from dataclasses import dataclass
from pathlib import Path

import pytest
from openpyxl import Workbook, load_workbook
from system_tools import pytest_configure as configure_tools
from system_tools import pytest_runtest_setup, pytest_terminal_summary, require_tool  # noqa: F401 (hooks)

from cntt_analysis.intake.templates import build_template, evidence_cells, template_cells
from cntt_analysis.rubric.model import Rubric, load_rubric
from cntt_analysis.storage import write_workbook

YEAR = 2017
DEADLINE = dt.date(2017, 8, 10)

# unit_id, name, group, aliases (";"-separated)
UNITS: list[tuple[str, str, str, str]] = [
    ("SO_VP", "Văn phòng Sở", "so", ""),
    ("SO_CCQLDD", "Chi cục Quản lý đất đai", "so", "Chi cục QLĐĐ"),
    ("H_TANPHUOC", "Phòng Tài nguyên và Môi trường huyện Tân Phước", "huyen", ""),
    ("H_CAILAY", "Phòng Tài nguyên và Môi trường thị xã Cai Lậy", "huyen",
     "Phòng TNMT Cai Lậy"),
]
UNIT_NAMES = {u[0]: u[1] for u in UNITS}

# A complete, valid set of answers. G01 (unit name) and G02 (year) are prefilled by the
# template. Points by hand from rubric-2017.md, when the unit is alone in its group or has
# the largest bandwidth per person (C2.3):
VALID_ANSWERS: dict[str, object] = {
    "G03": dt.date(2017, 8, 1),            # before the 10/08/2017 deadline
    "G04": "Nguyễn Văn An, 0273 3872 111, an@stnmt.vn",
    "G05": 20,                             # staff
    "G06": 18,                             # computers
    "G07": 400,                            # documents sent
    "G08": 600,                            # documents received
    "G09": 10,                             # administrative procedures
    "G10": 200,                            # applications received
    "G11": 5000,                           # total spending (million VND)
    "G12": "Thiếu kinh phí nâng cấp máy chủ",
    "C1.1": "Ban hành trước 31/01",        # choice → 4
    "C1.2": "Có",                          # yes → 2
    "C1.3": "Không",                       # no → 0
    "C1.4": 1,                             # steps: 1 → 1
    "C1.5": "Có",                          # yes → 1
    "C1.6a": 4, "C1.6b": 3,                # 3/4 × 3 = 2.25        C1: 10.25 / 15
    "C2.2": 15,                            # C2.1: min(18/20, 1) × 4 = 3.6; 15/18 × 3 = 2.5
    "C2.3": 40,                            # best_in_group: 40/20 = 2 per person → 3
    "C2.4": 18,                            # 18/18 × 3 = 3
    "C2.5": "Có",                          # 2
    "C2.6": "Có",                          # 1
    "C2.7": "Không",                       # 0
    "C2.8": "Có, chưa đạt yêu cầu",        # 1.5                   C2: 16.6 / 20
    "C3.1": "Kiêm nhiệm",                  # 1.5
    "C3.2a": 2, "C3.2b": 1,                # 1/2 × 3 = 1.5
    "C3.3": 16,                            # 16/20 × 3 = 2.4
    "C3.4": 10,                            # r = 0.5 in [0.35, 0.7): 0.5/0.7 × 4 = 2.857… → 2.86
    "C3.5": 2,                             # steps: ≥2 → 2         C3: 10.26 / 15
    "C4.1": 950,                           # 950/1000 = 0.95 ≥ 0.9 → 5
    "C4.2": 300,                           # 300/400 × 4 = 3
    "C4.3": 20,                            # 20/20 × 3 = 3
    "C4.4": 5,                             # 5/10 × 4 = 2
    "C4.5": 60,                            # r = 0.3 in [0.2, 0.5): 0.3/0.5 × 4 = 2.4
    "C4.6": "Cập nhật thường xuyên",       # 2.5
    "C4.7": 2,                             # steps: 2 → 2
    "C4.8": "Có sử dụng",                  # 1
    "C4.9": "Hằng tháng trở lên",          # 2
    "C4.10a": 12, "C4.10b": 9,             # 9/12 × 2 = 1.5
    "C4.11": "Có",                         # 2                     C4: 26.4 / 35
    "C5.1": 40,                            # r = 40/5000 = 0.008; min(0.8, 1) × 5 = 4
    "C5.2a": 100, "C5.2b": 80,             # 80/100 × 3 = 2.4
    "C5.3": 1,                             # steps: 1 → 2
    "C5.4": 9,                             # 9/18 × 2 = 1
    "C5.5": "Không",                       # 0                     C5: 9.4 / 15
}
VALID_POINTS: dict[str, float] = {
    "C1.1": 4, "C1.2": 2, "C1.3": 0, "C1.4": 1, "C1.5": 1, "C1.6": 2.25,
    "C2.1": 3.6, "C2.2": 2.5, "C2.3": 3, "C2.4": 3, "C2.5": 2, "C2.6": 1, "C2.7": 0,
    "C2.8": 1.5,
    "C3.1": 1.5, "C3.2": 1.5, "C3.3": 2.4, "C3.4": 2.86, "C3.5": 2,
    "C4.1": 5, "C4.2": 3, "C4.3": 3, "C4.4": 2, "C4.5": 2.4, "C4.6": 2.5, "C4.7": 2,
    "C4.8": 1, "C4.9": 2, "C4.10": 1.5, "C4.11": 2,
    "C5.1": 4, "C5.2": 2.4, "C5.3": 2, "C5.4": 1, "C5.5": 0,
}
# 10.25 + 16.6 + 10.26 + 26.4 + 9.4 = 72.91 of 100 → score 72.91, Khá (70 ≤ 72.91 < 85).
VALID_SCORE = 72.91
# Criterion percentages: 10.25/15 = 68.33; 16.6/20 = 83; 10.26/15 = 68.4; 26.4/35 = 75.43;
# 9.4/15 = 62.67.
VALID_CRITERIA = {"C1": 68.33, "C2": 83.0, "C3": 68.4, "C4": 75.43, "C5": 62.67}

HIDDEN_SHEETS = ("_meta", "_cells")


def pytest_configure(config: pytest.Config) -> None:
    configure_tools(config)
    config.addinivalue_line(
        "markers", "libreoffice: converts workbooks with LibreOffice (soffice), slower")


# --------------------------------------------------------------------------- basics


@pytest.fixture(scope="session")
def rubric() -> Rubric:
    return load_rubric("2017")


@pytest.fixture(scope="session")
def cells(rubric: Rubric) -> dict[str, tuple[str, str]]:
    return template_cells(rubric)


@pytest.fixture(scope="session")
def units() -> list[tuple[str, str, str, str]]:
    return list(UNITS)


@pytest.fixture
def valid_answers() -> dict[str, object]:
    """A fresh copy of ``VALID_ANSWERS`` (tests may change it freely)."""
    return dict(VALID_ANSWERS)


@pytest.fixture(scope="session")
def valid_points() -> dict[str, float]:
    """indicator → hand-computed points of `valid_answers` (C2.3 as the group's best)."""
    return dict(VALID_POINTS)


@pytest.fixture(scope="session")
def valid_score() -> float:
    return VALID_SCORE


@pytest.fixture(scope="session")
def valid_criteria() -> dict[str, float]:
    return dict(VALID_CRITERIA)


def nfd(text: str) -> str:
    """Text as some systems send it: Unicode decomposed (NFD)."""
    return unicodedata.normalize("NFD", text)


def file_hashes(folder: Path) -> dict[str, str]:
    """Relative path → sha256 of every file under `folder`."""
    return {str(p.relative_to(folder)): hashlib.sha256(p.read_bytes()).hexdigest()
            for p in sorted(folder.rglob("*")) if p.is_file()}


@pytest.fixture(scope="session")
def hash_files() -> Callable[[Path], dict[str, str]]:
    return file_hashes


# --------------------------------------------------------------------------- templates


def set_cell(ws, address: str, value: object) -> None:
    """Write one answer; text starting with "=" stays text (as a unit typing '=… would)."""
    cell = ws[address]
    cell.value = value
    if isinstance(value, str) and value.startswith("="):
        cell.data_type = "s"


_TEMPLATE_CACHE = Path(tempfile.mkdtemp(prefix="cntt-templates-"))
atexit.register(shutil.rmtree, _TEMPLATE_CACHE, ignore_errors=True)
_TEMPLATES: dict[tuple, Path] = {}
_LOADED: dict[Path, Workbook] = {}


def _template_file(rubric: Rubric, year: int, unit_id: str, unit_name: str) -> Path:
    """A unit's blank template, written once per process with build_template +
    write_workbook (templates are byte-reproducible, so a copy is the same file)."""
    key = (rubric.source, rubric.id, year, unit_id, unit_name)
    if key not in _TEMPLATES:
        name = hashlib.sha256(repr(key).encode()).hexdigest()[:16]
        _TEMPLATES[key] = write_workbook(build_template(rubric, year, unit_id, unit_name),
                                         _TEMPLATE_CACHE / f"{name}.xlsx")
    return _TEMPLATES[key]


def write_filled_template(path: Path, answers: dict[str, object] | None = None, *,
                          rubric: Rubric | None = None, year: int = YEAR, unit_id: str = "",
                          unit_name: str = "", hidden: bool = True,
                          evidence: dict[str, object] | None = None) -> Path:
    """Write a unit's template like the IT Centre does, then fill it like a unit does.

    `answers` maps codes to raw cell values (``None`` blanks the cell); codes not given keep
    the template's content (G01/G02 are prefilled). ``hidden=False`` deletes ``_meta`` and
    ``_cells``, as an old or re-typed copy would lack them. `evidence` maps codes to what
    the unit cites beside the answer; by default every evidence cell cites a document.
    """
    rubric = rubric or load_rubric("2017")
    path = Path(path)
    path.parent.mkdir(parents=True, exist_ok=True)
    template = _template_file(rubric, year, unit_id, unit_name)
    where = template_cells(rubric)
    cited = evidence_cells(rubric)
    if evidence is None:
        evidence = {code: f"Văn bản số {n}/QĐ ngày 15/01/{year}"
                    for n, code in enumerate(cited, start=1)}
    if not hidden:
        wb = load_workbook(template)
        for name in HIDDEN_SHEETS:
            del wb[name]
    else:  # reuse the template opened once, and undo the answers after saving (faster)
        wb = _LOADED.get(template) or _LOADED.setdefault(template, load_workbook(template))
    touched = []
    try:
        for code, value in (answers or {}).items():
            sheet, address = where[code]
            cell = wb[sheet][address]
            touched.append((cell, cell.value, cell.data_type))
            set_cell(wb[sheet], address, value)
        for code, value in evidence.items():
            sheet, address = cited[code]
            cell = wb[sheet][address]
            touched.append((cell, cell.value, cell.data_type))
            set_cell(wb[sheet], address, value)
        wb.save(path)
    finally:
        for cell, value, data_type in reversed(touched):
            cell.value, cell.data_type = value, data_type
    return path


@pytest.fixture(scope="session")
def fill_template(rubric: Rubric) -> Callable[..., Path]:
    """``fill_template(path, answers, unit_id=, unit_name=, year=, hidden=)`` → path."""
    def fill(path: Path, answers: dict[str, object] | None = None, **kwargs) -> Path:
        kwargs.setdefault("rubric", rubric)
        return write_filled_template(path, answers, **kwargs)
    return fill


# --------------------------------------------------------------------------- rounds


@dataclass
class RoundDir:
    """A temporary raw data folder with one round (``raw/<year>/``) and a registry."""

    raw: Path
    year: int
    rubric: Rubric

    @property
    def folder(self) -> Path:
        return self.raw / str(self.year)

    def add(self, unit_id: str | None, answers: dict[str, object] | None = None, *,
            file: str | None = None, name: str | None = None, hidden: bool = True,
            evidence: dict[str, object] | None = None, **changes: object) -> Path:
        """Add a filled submission for `unit_id` (None: a generic template, no unit id).

        `answers` defaults to ``VALID_ANSWERS``; keyword `changes` use codes with "_" for "."
        (``C2_2=20``); `name` is typed into G01 over the prefilled unit name (as text, even
        when it starts with "=").
        """
        data = dict(VALID_ANSWERS if answers is None else answers)
        data.update({code.replace("_", "."): value for code, value in changes.items()})
        unit_name = UNIT_NAMES.get(unit_id or "", "")
        if name is not None:
            data.setdefault("G01", name)
        path = self.folder / (file or f"{unit_id or 'unknown'}.xlsx")
        return write_filled_template(path, data, rubric=self.rubric, year=self.year,
                                     unit_id=unit_id or "", unit_name=unit_name,
                                     hidden=hidden, evidence=evidence)

    def add_all(self, answers: dict[str, object] | None = None) -> list[Path]:
        return [self.add(unit_id, answers) for unit_id in UNIT_NAMES]

    def write(self, file: str, data: bytes | str) -> Path:
        path = self.folder / file
        if isinstance(data, str):
            path.write_text(data, encoding="utf-8")
        else:
            path.write_bytes(data)
        return path

    def score(self):
        from cntt_analysis.scoring.pipeline import score_round

        return score_round(self.raw, self.year, progress=False)


def write_registry(path: Path, units: list[tuple[str, str, str, str]]) -> Path:
    with path.open("w", encoding="utf-8", newline="") as handle:
        writer = csv.writer(handle)
        writer.writerow(["unit_id", "name", "group", "aliases"])
        writer.writerows(units)
    return path


@pytest.fixture
def make_round(tmp_path: Path, rubric: Rubric) -> Callable[..., RoundDir]:
    """``make_round(year=2017, deadline=…, rubric_ref="2017", units=UNITS)`` → RoundDir.

    Creates ``tmp_path/raw_N/units.csv`` and ``raw_N/<year>/round.yaml`` (no workbooks)."""
    counter = iter(range(1000))

    def make(year: int = YEAR, deadline: dt.date = DEADLINE, rubric_ref: str = "2017",
             units: list[tuple[str, str, str, str]] | None = None) -> RoundDir:
        raw = tmp_path / f"raw_{next(counter)}"
        (raw / str(year)).mkdir(parents=True)
        write_registry(raw / "units.csv", UNITS if units is None else units)
        (raw / str(year) / "round.yaml").write_text(
            f"deadline: {deadline.isoformat()}\nrubric: '{rubric_ref}'\n", encoding="utf-8")
        return RoundDir(raw, year, rubric if rubric_ref == "2017" else load_rubric(rubric_ref))
    return make


# --------------------------------------------------------------------------- LibreOffice


def soffice() -> str | None:
    return shutil.which("soffice") or shutil.which("libreoffice")


def convert_with_libreoffice(src: Path, fmt: str, outdir: Path, timeout: int = 120) -> Path:
    """Convert `src` to `fmt` (ods, xls, xlsx) in `outdir`, with a private LibreOffice profile
    so parallel conversions do not clash."""
    require_tool("soffice")
    binary = soffice()
    outdir.mkdir(parents=True, exist_ok=True)
    profile = Path(tempfile.mkdtemp(prefix="lo-profile-"))
    try:
        subprocess.run(
            [binary, f"-env:UserInstallation={profile.as_uri()}", "--headless",
             "--convert-to", fmt, "--outdir", str(outdir), str(src)],
            check=True, capture_output=True, timeout=timeout)
    finally:
        shutil.rmtree(profile, ignore_errors=True)
    out = outdir / f"{src.stem}.{fmt}"
    if not out.is_file():
        raise RuntimeError(f"LibreOffice did not write {out}")
    return out


@pytest.fixture(scope="session")
def libreoffice() -> Callable[[Path, str, Path], Path]:
    return convert_with_libreoffice


@contextlib.contextmanager
def xdist_lock(path: Path) -> Iterator[None]:
    """An exclusive lock shared by pytest-xdist workers (so shared work runs once)."""
    try:
        import fcntl
    except ImportError:  # pragma: no cover - not POSIX: every worker converts for itself
        yield
        return
    with path.open("a") as handle:
        fcntl.flock(handle, fcntl.LOCK_EX)
        try:
            yield
        finally:
            fcntl.flock(handle, fcntl.LOCK_UN)


@pytest.fixture(scope="session")
def converted_submission(tmp_path_factory: pytest.TempPathFactory,
                         rubric: Rubric) -> dict[str, Path]:
    """The valid SO_VP submission as .xlsx and as LibreOffice .ods and .xls copies.

    Converted once per test session, shared between xdist workers through a lock."""
    require_tool("soffice")
    shared = tmp_path_factory.getbasetemp()
    if os.environ.get("PYTEST_XDIST_WORKER"):
        shared = shared.parent
    folder = shared / "libreoffice-conversions"
    folder.mkdir(exist_ok=True)
    done = folder / "done"
    with xdist_lock(shared / "libreoffice-conversions.lock"):
        if not done.exists():
            src = write_filled_template(folder / "SO_VP.xlsx", VALID_ANSWERS, rubric=rubric,
                                        unit_id="SO_VP", unit_name=UNIT_NAMES["SO_VP"])
            outdirs = {fmt: folder / fmt for fmt in ("ods", "xls")}
            binary = soffice()
            procs = []
            for fmt, outdir in outdirs.items():  # both conversions in parallel
                profile = Path(tempfile.mkdtemp(prefix="lo-profile-"))
                procs.append((profile, subprocess.Popen(
                    [binary, f"-env:UserInstallation={profile.as_uri()}", "--headless",
                     "--convert-to", fmt, "--outdir", str(outdir), str(src)],
                    stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL)))
            for profile, proc in procs:
                proc.wait(timeout=180)
                shutil.rmtree(profile, ignore_errors=True)
            for fmt, outdir in outdirs.items():
                if not (outdir / f"SO_VP.{fmt}").is_file():
                    raise RuntimeError(f"LibreOffice did not convert SO_VP.xlsx to .{fmt}")
            done.write_text("ok")
    return {"xlsx": folder / "SO_VP.xlsx", "ods": folder / "ods" / "SO_VP.ods",
            "xls": folder / "xls" / "SO_VP.xls"}


# --------------------------------------------------------------------------- facts


def results_from_frames(folder: Path, scores, register, points=None, answers=None,
                        rubric: Rubric | None = None, synthetic: bool = False):
    """`analysis.Results` made of hand-built frames (the tables' columns, any years), each
    year a round on `rubric` (default 2017) in `folder`: to compute `facts.year_facts` of
    small made-up rounds without workbooks."""
    import pandas as pd

    from cntt_analysis.analysis.results import Results
    from cntt_analysis.intake.rounds import Round
    from cntt_analysis.scoring.inspection import AUDIT_COLUMNS
    from cntt_analysis.scoring.shortcomings import SHORTCOMING_COLUMNS

    rubric = rubric or load_rubric("2017")
    folder.mkdir(parents=True, exist_ok=True)
    years = sorted({int(y) for y in [*scores["year"], *register["year"]]})
    names = {**dict(zip(register["unit_id"], register["name"])),
             **dict(zip(scores["unit_id"], scores["name"]))}
    groups = {**dict(zip(register["unit_id"], register["group"])),
              **dict(zip(scores["unit_id"], scores["group"]))}
    registry = pd.DataFrame([{"unit_id": u, "name": names[u], "group": groups[u]}
                             for u in sorted(u for u in names if isinstance(u, str))])
    answer_columns = ["year", "unit_id", "code", "raw_value", "value", "number", "status",
                      "problem", "file", "sheet", "cell", "evidence"]
    answers = (pd.DataFrame(columns=answer_columns) if answers is None
               else answers.reindex(columns=sorted({*answers.columns, *answer_columns})))
    points = (pd.DataFrame(columns=["year", "unit_id", "group", "criterion", "indicator",
                                    "points", "max_points", "status", "file", "sources"])
              if points is None else points)
    issues = pd.DataFrame(columns=["year", "unit_id", "file", "sheet", "cell", "severity",
                                   "code", "value", "message"])
    return Results(
        rounds={y: Round(y, folder, dt.date(y, 8, 10), rubric, synthetic) for y in years},
        registry=registry, scores=scores, points=points, answers=answers, issues=issues,
        register=register, corrections=pd.DataFrame(columns=AUDIT_COLUMNS),
        shortcomings=pd.DataFrame(columns=SHORTCOMING_COLUMNS))


# --------------------------------------------------------------------------- session-scoped


@pytest.fixture(scope="session")
def answers_for() -> Callable[..., dict[str, object]]:
    """``answers_for(**changes)`` → a fresh copy of ``VALID_ANSWERS`` with `changes` (codes
    with "_" for ".", e.g. ``C4_1=50``), for session-scoped fixtures that build whole rounds
    (``valid_answers`` is per test)."""
    def answers(**changes: object) -> dict[str, object]:
        data = dict(VALID_ANSWERS)
        data.update({code.replace("_", "."): value for code, value in changes.items()})
        return data
    return answers
