"""The `cntt` command line. Messages are in Vietnamese: its users are the staff who run the
assessment (an IT Centre, a department's digital-transformation office)."""

from __future__ import annotations

import importlib.abc
import importlib.machinery
import os
import signal
import sys
from collections.abc import Callable
from functools import wraps
from pathlib import Path
from typing import Annotated, NoReturn, Optional

import typer

from cntt_analysis.errors import DiskError, ReportError, UsageError

HELP_OPTION_TEXT = "Hiện hướng dẫn này và thoát."


def _vietnamese_help(command, ctx) -> None:
    """Give a command's --help option a Vietnamese text (click's own is English)."""
    option = command.get_help_option(ctx)
    if option is not None:
        option.help = HELP_OPTION_TEXT


class VietnameseGroup(typer.core.TyperGroup):
    """The `cntt` group: its --help and every command's --help are in Vietnamese."""

    def get_help_option(self, ctx):
        option = super().get_help_option(ctx)
        if option is not None:
            option.help = HELP_OPTION_TEXT
        return option

    def get_command(self, ctx, cmd_name):
        command = super().get_command(ctx, cmd_name)
        if command is not None:
            _vietnamese_help(command, ctx)
        return command


# Typer's help and error panels in Vietnamese: their titles are settings of typer.rich_utils,
# read when help or an error is printed.
RICH_TITLES = {
    "OPTIONS_PANEL_TITLE": "Tùy chọn", "ARGUMENTS_PANEL_TITLE": "Tham số",
    "COMMANDS_PANEL_TITLE": "Lệnh", "ERRORS_PANEL_TITLE": "Lỗi",
    "DEFAULT_STRING": "[mặc định: {}]", "REQUIRED_LONG_STRING": "[bắt buộc]",
    "ABORTED_TEXT": "Đã dừng.",
    "RICH_HELP": "Gõ [blue]'{command_path} {help_option}'[/] để xem hướng dẫn."}


class _RichTitlesOnImport(importlib.abc.MetaPathFinder):
    """Sets RICH_TITLES as typer.rich_utils is first imported. Typer imports it (and the
    rich library, ~85 ms) only to print help or an error: importing it to set the titles
    made every command start that much later, a fifth of an unchanged `cntt score`."""

    def find_spec(self, name, path=None, target=None):
        if name != "typer.rich_utils":
            return None
        sys.meta_path.remove(self)
        spec = importlib.machinery.PathFinder.find_spec(name, path)
        if spec is None or spec.loader is None:  # pragma: no cover - a broken typer
            return spec
        run = spec.loader.exec_module

        def exec_module(module):
            run(module)
            vars(module).update(RICH_TITLES)

        spec.loader.exec_module = exec_module  # type: ignore[method-assign]
        return spec


def _vietnamese_rich_help() -> None:
    """RICH_TITLES set now if typer.rich_utils is loaded, else when it is."""
    module = sys.modules.get("typer.rich_utils")
    if module is not None:
        vars(module).update(RICH_TITLES)
    elif not any(isinstance(f, _RichTitlesOnImport) for f in sys.meta_path):
        sys.meta_path.insert(0, _RichTitlesOnImport())


_vietnamese_rich_help()
app = typer.Typer(help="Đánh giá kết quả ứng dụng CNTT, chuyển đổi số của các cơ quan, đơn vị: "
                       "biểu mẫu, chấm điểm, xếp hạng, báo cáo và văn bản.",
                  no_args_is_help=True, add_completion=False,
                  pretty_exceptions_enable=False, cls=VietnameseGroup)

RawOpt = Annotated[Path, typer.Option("--raw", help="Thư mục dữ liệu gốc (data/raw).")]
ProcessedOpt = Annotated[Path, typer.Option("--processed", help="Thư mục kết quả xử lý.")]
QuietOpt = Annotated[bool, typer.Option("--quiet", "-q", help="Không in tiến trình.")]
# Found from the project around the current folder when not given (config.resolve).
ProjectRawOpt = Annotated[Optional[Path], typer.Option(
    "--raw", help="Thư mục dữ liệu gốc (mặc định: data/raw của dự án chứa thư mục hiện tại).")]
ProjectProcessedOpt = Annotated[Optional[Path], typer.Option(
    "--processed", help="Thư mục kết quả xử lý (mặc định: data/processed của dự án).")]


def _fail(message: str, code: int = 2) -> None:
    typer.secho(f"Lỗi: {message}", err=True, fg=typer.colors.RED)
    raise typer.Exit(code)


def friendly(func: Callable) -> Callable:
    """Turn usage errors into a clear message and exit status 2, a failed report or a
    disk that refuses to write (full, read-only: the folder named) into status 1, without
    a traceback."""
    @wraps(func)
    def wrapper(*args, **kwargs):
        try:
            return func(*args, **kwargs)
        except UsageError as exc:
            _fail(str(exc))
        except ReportError as exc:
            _fail(str(exc), code=1)
        except OSError as exc:
            disk = DiskError.of(exc)
            if disk is None:
                raise
            _fail(str(disk), code=1)
    return wrapper


@app.command()
@friendly
def template(
    year: Annotated[int, typer.Option("--year", help="Năm báo cáo.")],
    out: Annotated[Path, typer.Option("--out", help="Thư mục ghi biểu mẫu.")],
    unit: Annotated[Optional[str], typer.Option("--unit", help="Chỉ một đơn vị (mã).")] = None,
    raw: RawOpt = Path("data/raw"),
    rubric: Annotated[Optional[str], typer.Option(
        "--rubric", help="Tên phiếu có sẵn hoặc đường dẫn tệp YAML.")] = None,
) -> None:
    """Tạo biểu mẫu báo cáo (.xlsx) cho từng đơn vị."""
    from cntt_analysis.intake.registry import (
        active_units,
        check_registry,
        load_registry,
        with_round_lists,
    )
    from cntt_analysis.intake.rounds import load_round
    from cntt_analysis.intake.templates import write_templates
    from cntt_analysis.rubric.model import load_rubric, shipped_rubrics

    registry = active_units(load_registry(raw / "units.csv"), year)
    if unit is not None and unit not in set(registry["unit_id"]):
        raise UsageError(f"Không có đơn vị mã “{unit}” trong danh mục {raw / 'units.csv'}.")
    rnd = load_round(raw, year) if (raw / str(year) / "round.yaml").exists() else None
    if rubric is not None:
        chosen = load_rubric(rubric)
    elif rnd is not None:
        chosen = rnd.rubric
        _warn(rnd.warnings)
    elif str(year) in shipped_rubrics():
        chosen = load_rubric(str(year))
    else:
        raise UsageError(f"Chưa có đợt đánh giá năm {year} ({raw / str(year) / 'round.yaml'} "
                         f"chưa có). Tạo đợt mới trước, với phiếu đánh giá sao chép từ năm "
                         f"trước: cntt new-round --year {year} --raw {raw}")
    check_registry(registry, chosen)
    if rnd is not None:  # the round's unit lists say who is asked which indicators
        registry = with_round_lists(registry, rnd.unit_lists, rnd.not_ranked,
                                    str(rnd.folder / "round.yaml"))
    paths = write_templates(chosen, registry, year, out, unit_id=unit)
    typer.echo(f"Đã tạo {len(paths)} biểu mẫu trong {out}.")


def _warn(messages: tuple[str, ...]) -> None:
    for message in messages:
        typer.secho(f"Lưu ý: {message}", err=True, fg=typer.colors.YELLOW)


@app.command("new-round")
@friendly
def new_round(
    year: Annotated[int, typer.Option("--year", help="Năm của đợt đánh giá mới.")],
    deadline: Annotated[Optional[str], typer.Option(
        "--deadline", help="Hạn nộp báo cáo, yyyy-mm-dd (mặc định: cùng ngày năm trước).")] = None,
    from_year: Annotated[Optional[int], typer.Option(
        "--from", help="Sao chép phiếu đánh giá của năm này (mặc định: năm gần nhất).")] = None,
    raw: RawOpt = Path("data/raw"),
) -> None:
    """Bắt đầu đợt đánh giá năm mới: round.yaml và phiếu đánh giá sao chép từ năm trước."""
    import datetime as dt

    from cntt_analysis.intake.rounds import create_round

    due = None
    if deadline is not None:
        try:
            due = dt.date.fromisoformat(deadline)
        except ValueError:
            raise UsageError(f"Hạn nộp “{deadline}” không hợp lệ; ghi dạng yyyy-mm-dd "
                             f"(ví dụ {year}-08-10).") from None
    made = create_round(raw, year, due, from_year)
    typer.echo(next_steps(made, raw))


def next_steps(made, raw: Path) -> str:
    """What the IT Centre does next, in order (printed by `cntt new-round`)."""
    y = made.year
    return "\n".join([
        f"Đã tạo đợt đánh giá năm {y} (hạn nộp {made.deadline:%d/%m/%Y}):",
        f"  - {made.config}",
        f"  - {made.rubric} (sao chép phiếu năm {made.from_year}, đã kiểm tra hợp lệ)",
        "",
        "Các bước tiếp theo:",
        f"  1. Nếu tiêu chí, điểm hoặc câu hỏi năm {y} thay đổi: sửa {made.rubric.name}; "
        "chỉ tiêu mới ghi 'previous: null', chỉ tiêu đổi mã ghi 'previous: <mã năm trước>', "
        "chỉ tiêu bỏ ghi vào 'dropped'.",
        f"  2. Tạo biểu mẫu cho các đơn vị: cntt template --year {y} --out bieu-mau-{y} "
        f"--raw {raw}",
        f"  3. Gửi biểu mẫu cho các đơn vị; nhận lại tệp đã điền vào thư mục {raw / str(y)}/.",
        f"  4. Đọc và chấm điểm: cntt score --year {y} --raw {raw}",
        f"  5. Tạo tệp kiểm tra số liệu: cntt inspection-template --year {y} --raw {raw}; "
        "điền số liệu kiểm tra rồi chạy lại cntt score.",
        f"  6. Xuất báo cáo (dự thảo) và văn bản: cntt report --year {y} --raw {raw}; gửi "
        f"thông báo dự thảo (reports/{y}/van-ban/thong-bao/) cho các đơn vị, ghi giải trình "
        "vào tệp kiểm tra rồi chạy lại cntt score và cntt report.",
        f"  7. Chốt kết quả chính thức: cntt finalise --year {y} --by \"Họ và tên\" --raw {raw} "
        "(xuất lại báo cáo và văn bản bản chính thức).",
    ])


@app.command()
@friendly
def score(
    year: Annotated[Optional[int], typer.Option(
        "--year", help="Năm đánh giá (bỏ trống: mọi năm có trong --raw).")] = None,
    raw: ProjectRawOpt = None,
    processed: ProjectProcessedOpt = None,
    quiet: QuietOpt = False,
    force: Annotated[bool, typer.Option(
        "--force", help="Chấm lại cả khi dữ liệu không thay đổi.")] = False,
) -> None:
    """Đọc, kiểm tra và chấm điểm bài nộp; ghi kết quả vào data/processed/NĂM/."""
    from cntt_analysis.config import resolve
    from cntt_analysis.intake.rounds import available_years
    from cntt_analysis.scoring.manifest import is_stale, processed_folder

    paths = resolve(raw, processed)
    raw, processed = paths.raw, paths.processed
    years = [year] if year is not None else available_years(raw)
    if not years:
        raise UsageError(f"Không có đợt đánh giá nào trong {raw}.")
    for each in years:
        folder = processed_folder(processed, each)
        # (the name report.excel.workbook_name gives; that module is not imported here,
        # so that an unchanged round is told without loading pandas)
        if not force and (folder / f"ket-qua-{each}.xlsx").is_file() \
                and not is_stale(raw, processed, each):
            if not quiet:
                typer.echo(f"Năm {each}: Không có gì thay đổi kể từ lần chấm trước "
                           f"(kết quả vẫn ở {folder}); bỏ qua. Dùng --force để chấm lại.")
            continue
        from cntt_analysis.intake.reading import start_reading
        from cntt_analysis.intake.rounds import load_round

        # The files are read while pandas and the rest of the scoring is imported.
        progress = None if not quiet else False
        with start_reading(load_round(raw, each), progress) as reading:
            from cntt_analysis.memory import long_lived_aside
            from cntt_analysis.report.excel import ROUND_WRITERS, facts_of_scored
            from cntt_analysis.scoring.pipeline import score_round, write_round

            with long_lived_aside():  # the libraries just imported
                result = score_round(raw, each, progress, reading=reading)
                written = write_round(result, processed, raw, writers=ROUND_WRITERS)
        if not quiet:
            _warn(result.round.warnings)
            _summary(result, written[-1].parent, facts_of_scored(result))
        _warn_if_published(processed, each, raw)


def _warn_if_published(processed: Path, year: int, raw: Path) -> None:
    """Results that differ from the finalised ones: say so (kept, noted, new version)."""
    from cntt_analysis.scoring.publication import record_changes

    warning = record_changes(processed, year, raw)
    if warning:
        typer.secho(warning, err=True, fg=typer.colors.YELLOW)


def _summary(result, folder: Path, facts=None) -> None:
    """What was scored, how many problems, where to read them, what inspection changed —
    said as the report says it (the round's facts: those the results workbook rendered)."""
    from cntt_analysis.analysis.results import round_results
    from cntt_analysis.report import sentences
    from cntt_analysis.report.facts import UNIT, load_particulars, year_facts

    if facts is None:
        facts = year_facts(round_results(result), result.year,
                           load_particulars(result.round.folder.parent, result.year))
    counts = result.register["status"].value_counts()
    mine = facts.issues[facts.issues["owner"] == UNIT]
    errors = int((mine["severity"] == "error").sum())
    warnings = int((mine["severity"] != "error").sum())
    parts = ", ".join(f"{status}: {n}" for status, n in counts.items())
    typer.echo(f"Năm {result.year}: chấm {len(result.scores)} đơn vị ({parts}); "
               f"{errors} lỗi số liệu, {warnings} cảnh báo. Kết quả: {folder}")
    if facts.inspected:
        own = len(facts.inspection_errors)
        typer.echo(f"  Đã áp dụng {len(facts.corrections)} điều chỉnh sau kiểm tra, thẩm định"
                   + (f"; {own} mục trong tệp kiểm tra không hợp lệ, chưa áp dụng."
                      if own else "."))
        if (moved := sentences.knock_on_sentence(facts)) is not None:
            typer.echo(f"  {moved}")
    else:
        typer.echo("  Chưa có tệp kiểm tra, thẩm định: điểm theo số liệu đơn vị tự báo cáo.")
    if (candidates := sentences.inspection_candidate_sentence(facts)) is not None:
        typer.secho(f"  {candidates}", fg=typer.colors.YELLOW)
    if len(facts.supplier_errors):
        typer.secho(f"  {sentences.supplier_sentence(facts)}", fg=typer.colors.YELLOW)
    for said in (sentences.partial_sentence(facts), sentences.incomplete_sentence(facts)):
        if said is not None:
            typer.secho(f"  {said}", fg=typer.colors.YELLOW)
    typer.echo(f"  Xem chi tiết các vấn đề ở trang “Vấn đề dữ liệu” của "
               f"{folder / f'ket-qua-{result.year}.xlsx'} hoặc trong "
               f"reports/{result.year}/phan-tich/01-intake.html (sau khi chạy cntt report).")


@app.command("inspection-template")
@friendly
def inspection_template(
    year: Annotated[int, typer.Option("--year", help="Năm đánh giá.")],
    raw: RawOpt = Path("data/raw"),
    out: Annotated[Optional[Path], typer.Option(
        "--out", help="Tệp ghi ra (mặc định data/raw/NĂM/inspection.xlsx).")] = None,
    force: Annotated[bool, typer.Option("--force", help="Ghi đè tệp đã có.")] = False,
) -> None:
    """Tạo tệp kiểm tra, thẩm định số liệu (điền sẵn số liệu các đơn vị đã báo cáo)."""
    from cntt_analysis.scoring.inspection import (
        COLUMNS,
        FROM_APPRAISER,
        build_inspection_template,
    )
    from cntt_analysis.scoring.pipeline import score_round
    from cntt_analysis.storage import write_workbook

    target = out or raw / str(year) / "inspection.xlsx"
    if target.exists() and not force:
        raise UsageError(f"Tệp {target} đã có (có thể đã chứa kết quả kiểm tra); không ghi đè."
                         " Dùng --force nếu thật sự muốn tạo lại.")
    result = score_round(raw, year, progress=False)
    reported = result.answers.assign(raw_value=result.answers["reported_value"])
    wb = build_inspection_template(reported, result.round.rubric, result.registry,
                                   result.year)
    write_workbook(wb, target)
    where = list(COLUMNS).index("supplier")
    supplied = sum(1 for row in wb.active.iter_rows(min_row=2, values_only=True)
                   if row[where] == FROM_APPRAISER)
    typer.echo(f"Đã tạo tệp kiểm tra {target} ({reported['unit_id'].nunique()} đơn vị)."
               + (f" Có {supplied} số liệu do cơ quan thẩm định cung cấp cần điền vào cột "
                  "“Số liệu kiểm tra” (các dòng “Cơ quan thẩm định cung cấp”)."
                  if supplied else ""))


@app.command()
@friendly
def demo(
    raw: RawOpt = Path("data/raw"),
    convert: Annotated[bool, typer.Option(
        help="Chuyển một bài nộp sang .ods và một sang .xls bằng LibreOffice.")] = True,
    year: Annotated[Optional[int], typer.Option(
        "--year", help="Chỉ tạo lại đợt của năm này (mặc định: cả 3 đợt).")] = None,
    example: Annotated[Optional[str], typer.Option(
        "--example", help="Ví dụ khác: dti-2025 (chuyển đổi số của sở và xã qua sắp xếp "
                          "đơn vị hành chính năm 2025; ghi vào một thư mục --raw riêng).")] = None,
) -> None:
    """Tạo lại bộ dữ liệu mô phỏng (3 đợt 2015–2017) trong data/raw, hoặc một ví dụ khác."""
    if example is not None:
        from cntt_analysis.examples import EXAMPLES

        if example not in EXAMPLES:
            raise UsageError(f"Không có ví dụ “{example}”; các ví dụ có: "
                             f"{', '.join(EXAMPLES)}.")
        paths = EXAMPLES[example](raw)
        typer.echo(f"Đã tạo ví dụ {example}: {len(paths)} tệp trong {raw}.")
        return
    from cntt_analysis.demo import write_demo

    paths = write_demo(raw, convert_files=convert, year=year)
    typer.echo(f"Đã tạo dữ liệu mô phỏng: {len(paths)} tệp trong {raw}.")


@app.command()
@friendly
def report(
    year: Annotated[int, typer.Option("--year", help="Năm của báo cáo.")],
    raw: ProjectRawOpt = None,
    processed: ProjectProcessedOpt = None,
    reports: Annotated[Optional[Path], typer.Option(
        "--reports", help="Thư mục ghi báo cáo (mặc định: reports của dự án).")] = None,
    notebooks: Annotated[Optional[Path], typer.Option(
        "--notebooks", help="Thư mục notebook (mặc định: notebook đi kèm gói).")] = None,
    jobs: Annotated[int, typer.Option("--jobs", "-j", help="Số tiến trình song song.")] = 2,
    quiet: QuietOpt = False,
) -> None:
    """Chạy các notebook và xuất báo cáo năm (HTML, PDF, Excel) vào reports/NĂM/."""
    import time

    from cntt_analysis.config import resolve
    from cntt_analysis.report.build.run import build_report

    started = time.monotonic()
    paths = resolve(raw, processed, reports)
    signal.signal(signal.SIGTERM, _interrupted)  # clean up (workers, staging) as for Ctrl-C
    try:
        # isolate: scoring and the data side in a child process that ends before the
        # notebooks run (this process then holds no pandas beside the kernels).
        out = build_report(year, paths.raw, paths.processed, paths.reports, notebooks,
                           jobs=jobs, progress=not quiet, isolate=True)
    except KeyboardInterrupt:
        _fail("Đã dừng theo yêu cầu; báo cáo cũ (nếu có) giữ nguyên.", code=130)
    if not quiet:
        typer.echo(f"Đã xuất báo cáo năm {year} vào {out} "
                   f"({time.monotonic() - started:.0f} giây). Mở {out / 'index.html'}.")


@app.command()
@friendly
def documents(
    year: Annotated[int, typer.Option("--year", help="Năm đánh giá.")],
    raw: RawOpt = Path("data/raw"),
    processed: ProcessedOpt = Path("data/processed"),
    reports: Annotated[Path, typer.Option("--reports", help="Thư mục ghi báo cáo.")] = Path(
        "reports"),
) -> None:
    """Soạn các văn bản (.docx): báo cáo kết quả, thông báo từng đơn vị, công văn đôn đốc."""
    from cntt_analysis.report.excel import ROUND_WRITERS
    from cntt_analysis.report.word.documents import FOLDER, own_templates, write_documents
    from cntt_analysis.scoring.pipeline import ensure_scored

    ensure_scored(raw, processed, progress=False, up_to=year, writers=ROUND_WRITERS)
    _warn_if_published(processed, year, raw)
    paths = write_documents(year, raw, processed, reports / str(year) / FOLDER)
    typer.echo(f"Đã soạn {len(paths)} văn bản trong {reports / str(year) / FOLDER}.")
    own = own_templates(raw, year)
    if own:
        typer.echo(f"Theo mẫu văn bản của đơn vị: {', '.join(map(str, own))}.")


@app.command("document-templates")
@friendly
def document_templates(
    raw: RawOpt = Path("data/raw"),
    force: Annotated[bool, typer.Option(
        "--force", help="Ghi đè các mẫu đã có trong thư mục (mẫu đã sửa sẽ mất).")] = False,
) -> None:
    """Chép mẫu văn bản Word vào data/raw/mau-van-ban/ để sửa (kèm huong-dan.docx)."""
    from cntt_analysis.report.word.templates import GUIDE, write_templates_for_editing

    if not raw.is_dir():
        raise UsageError(f"Không có thư mục dữ liệu gốc {raw}.")
    written, kept = write_templates_for_editing(raw, force=force)
    for path in written:
        typer.echo(f"Đã ghi {path}")
    for path in kept:
        typer.echo(f"Giữ nguyên {path} (đã có; dùng --force để ghi đè bằng mẫu mặc định)")
    typer.echo(f"Sửa các mẫu bằng Word (xem {GUIDE}), rồi chạy lại: cntt documents --year NĂM")


@app.command()
@friendly
def finalise(
    year: Annotated[int, typer.Option("--year", help="Năm đánh giá.")],
    by: Annotated[Optional[str], typer.Option("--by", help="Người chốt kết quả.")] = None,
    raw: ProjectRawOpt = None,
    processed: ProjectProcessedOpt = None,
    reports: Annotated[Optional[Path], typer.Option(
        "--reports", help="Thư mục báo cáo (mặc định: reports của dự án).")] = None,
    force: Annotated[bool, typer.Option(
        "--force", help="Vẫn chốt khi đợt chưa đầy đủ hoặc còn lỗi số liệu (cần --reason).")
    ] = False,
    reason: Annotated[Optional[str], typer.Option(
        "--reason", help="Lý do vẫn chốt (ghi vào final.json).")] = None,
    no_report: Annotated[bool, typer.Option(
        "--no-report", help="Không xuất lại báo cáo và văn bản sau khi chốt.")] = False,
    jobs: Annotated[int, typer.Option("--jobs", "-j", help="Số tiến trình song song.")] = 2,
    check: Annotated[bool, typer.Option(
        "--check", help="Chỉ kiểm tra các bản đã chốt còn nguyên vẹn (không chốt).")] = False,
) -> None:
    """Chốt kết quả chính thức của một năm, rồi xuất lại báo cáo và văn bản (bản chính thức).

    Không chốt khi đợt đánh giá chưa đầy đủ hoặc còn lỗi số liệu, trừ khi ghi --force
    kèm --reason (lý do được ghi vào final.json). Với --check: chỉ kiểm tra các bản đã
    công bố (mã SHA-256 từng tệp) và nói điều gì khác."""
    import getpass

    from cntt_analysis.config import resolve

    if check:
        _check_published(year, resolve(raw, processed).processed)
        return
    from cntt_analysis.report import sentences
    from cntt_analysis.report.facts import load_facts
    from cntt_analysis.scoring.publication import check_current, check_not_final, status
    from cntt_analysis.scoring.publication import finalise as record_final

    paths = resolve(raw, processed, reports)
    check_current(paths.raw, paths.processed, year)
    check_not_final(paths.processed, year)
    facts = load_facts(paths.raw, paths.processed, year)
    objections = sentences.finalise_objections(facts)
    if force and not (reason or "").strip():
        raise UsageError("Chốt kết quả khi chưa đủ điều kiện (--force) cần ghi lý do: "
                         "--reason \"...\".")
    if objections and not force:
        raise UsageError(
            f"Chưa chốt kết quả năm {year}: {'; '.join(objections)}. Hãy bổ sung, xác minh "
            f"rồi chấm lại (cntt score --year {year}); nếu Lãnh đạo vẫn quyết định chốt, chạy "
            f"lại với --force --reason \"lý do\" (lý do được ghi vào final.json).")
    forced = ({"reason": (reason or "").strip(), "objections": objections,
               "reported": facts.reported, "registered": facts.registered,
               "unit_errors": len(facts.unit_errors),
               "inspection_errors": len(facts.inspection_errors)} if objections else None)
    path = record_final(paths.raw, paths.processed, year, by or getpass.getuser(),
                        forced=forced)
    typer.echo(f"Đã chốt kết quả năm {year}: {status(paths.processed, year).label} Ghi tại "
               f"{path}.")
    if forced:
        typer.secho(f"Lưu ý: chốt khi {'; '.join(objections)} — lý do: {forced['reason']}.",
                    fg=typer.colors.YELLOW)
    _rebuild_final(year, paths, jobs, no_report)


def _check_published(year: int, processed: Path) -> None:
    """`cntt finalise --check`: whether every published version is as published."""
    from cntt_analysis.scoring.record import verify

    found = verify(processed, year)
    for note in found.notes:
        typer.echo(f"Lưu ý: {note}")
    if found.problems:
        typer.secho(f"Bản chính thức năm {year} không còn nguyên vẹn:", err=True,
                    fg=typer.colors.RED)
        for problem in found.problems:
            typer.secho(f"  - {problem}", err=True, fg=typer.colors.RED)
        typer.secho("Kết quả đã công bố không được sửa: hãy khôi phục các tệp trên từ bản "
                    "sao lưu.", err=True, fg=typer.colors.RED)
        raise typer.Exit(1)
    if found.record is None:
        typer.echo(f"Kết quả năm {year} chưa được chốt: không có bản chính thức nào.")
        return
    versions = ", ".join(map(str, found.versions))
    typer.echo(f"Các bản chính thức năm {year} (bản {versions}) còn nguyên vẹn: mọi tệp khớp "
               f"mã SHA-256 đã ghi khi chốt.")


def _rebuild_final(year: int, paths, jobs: int, skip: bool) -> None:
    """After finalising: rebuild the year's published report and documents (they said
    DỰ THẢO), when they were built from these folders; else say exactly what to run."""
    from cntt_analysis.report.build.run import build_report, built_from

    command = (f"cntt report --year {year} --raw {paths.raw} --processed {paths.processed} "
               f"--reports {paths.reports}")
    built = built_from(paths.reports, year)
    same = built == (paths.raw.resolve(), paths.processed.resolve())
    if skip or not same:
        why = ("" if skip else
               f"chưa có báo cáo năm {year} trong {paths.reports}; " if built is None else
               f"báo cáo trong {paths.reports / str(year)} được xuất từ dữ liệu khác; ")
        typer.echo(f"Để báo cáo và văn bản ghi kết quả chính thức (không còn DỰ THẢO): {why}"
                   f"chạy {command}")
        return
    typer.echo(f"Đang xuất lại báo cáo và văn bản năm {year} (không còn DỰ THẢO)…")
    out = build_report(year, paths.raw, paths.processed, paths.reports, jobs=jobs,
                       progress=False)
    typer.echo(f"Đã xuất lại báo cáo và văn bản năm {year} (kết quả chính thức) vào {out}.")


def _interrupted(signum: int, frame: object) -> None:
    raise KeyboardInterrupt


def _click_exceptions():
    """click's exception classes (typer ≥ 0.20 vendors its own copy of click)."""
    try:
        from typer._click import exceptions
    except ImportError:  # older typer: click itself
        from click import exceptions  # type: ignore[no-redef]
    return exceptions


def usage_message(exc: Exception) -> str:
    """A command-line usage error (from click) said in Vietnamese."""
    errors = _click_exceptions()
    param = getattr(exc, "param", None)
    name = "/".join(getattr(param, "opts", None) or []) or getattr(exc, "param_hint", "") or ""
    if isinstance(exc, errors.MissingParameter):
        return f"Thiếu tùy chọn {name or 'bắt buộc'}."
    if isinstance(exc, errors.NoSuchOption):
        return f"Không có tùy chọn {exc.option_name}."
    if isinstance(exc, errors.BadParameter):
        return f"Giá trị không hợp lệ cho {name or 'một tùy chọn'}."
    return "Cách dùng không đúng."


def main() -> None:  # pragma: no cover - console entry point (tested as a subprocess)
    errors = _click_exceptions()
    try:
        code = app(standalone_mode=False)
    except errors.NoArgsIsHelpError as exc:
        typer.echo(exc.ctx.get_help())
        sys.exit(0)
    except errors.UsageError as exc:
        command = exc.ctx is not None and exc.ctx.parent is not None
        where = f" (cntt {exc.ctx.info_name})" if command else ""
        typer.secho(f"Lỗi{where}: {usage_message(exc)} Xem `cntt --help`.", err=True,
                    fg=typer.colors.RED)
        sys.exit(2)
    except typer.Abort:
        sys.exit(130)
    finished(code if isinstance(code, int) else 0)


def finished(code: int) -> NoReturn:  # pragma: no cover - ends the process (tested as one)
    """End the process of a command that has returned: its files are written and closed,
    its reading workers, data-side child and kernels have ended. What the interpreter
    would do next is give every object of pandas, Arrow and the round back one by one,
    then tear its modules down: ~0.15 s of a 2 s `cntt score` of 500 workbooks, with
    nothing left to write. Its output is flushed first (a pipe would lose it)."""
    sys.stdout.flush()
    sys.stderr.flush()
    os._exit(code)
