"""What the command line says to its users: Vietnamese help (click's own "Show this message
and exit." included) and the end of `cntt score` (issue 10 §3, §6)."""

from __future__ import annotations

import subprocess
import sys

import pytest
from typer.testing import CliRunner

from cntt_analysis.cli import app
from cntt_analysis.scoring.inspection import COLUMNS, SHEET, build_inspection_template

COMMANDS = ["template", "score", "inspection-template", "demo", "report"]


def run(*args: object):
    return CliRunner().invoke(app, [str(a) for a in args])


@pytest.mark.parametrize("command", [[], *([c] for c in COMMANDS)])
def test_help_is_vietnamese_including_the_help_option(command):
    result = run(*command, "--help")
    assert result.exit_code == 0, result.output
    assert "Show this message and exit" not in result.output
    assert "Hiện hướng dẫn này và thoát." in result.output
    assert "Options" not in result.output and "[default:" not in result.output



def test_a_command_starts_without_the_help_library_yet_its_help_is_vietnamese():
    """Regression: the help panels' titles were set by importing typer's rich_utils (and
    the rich library, ~85 ms) as the command line was imported, every command paying for
    a help it did not print. They are now set when typer imports it to print help."""
    code = ("import sys\nfrom cntt_analysis.cli import main\n"
            "print(sorted({'rich', 'typer.rich_utils'} & set(sys.modules)))\n"
            "sys.argv = ['cntt', 'score', '--help']\nmain()")
    shown = subprocess.run([sys.executable, "-c", code], capture_output=True, text=True,
                           timeout=120, env={"COLUMNS": "100", "PATH": "/usr/bin:/bin"})
    assert shown.returncode == 0, shown.stderr
    first, _, help_text = shown.stdout.partition("\n")
    assert first == "[]"
    assert "Tùy chọn" in help_text and "Hiện hướng dẫn này và thoát." in help_text
    assert "Options" not in help_text

def test_score_ends_saying_where_to_read_the_problems(make_round, tmp_path):
    rnd = make_round()
    rnd.add("SO_VP", C1_4="nhiều")
    result = run("score", "--year", rnd.year, "--raw", rnd.raw, "--processed", tmp_path)
    assert result.exit_code == 0, result.output
    assert f"ket-qua-{rnd.year}.xlsx" in result.output and "“Vấn đề dữ liệu”" in result.output
    assert f"reports/{rnd.year}/phan-tich/01-intake.html" in result.output
    assert "Chưa có tệp kiểm tra, thẩm định" in result.output


def test_score_counts_the_corrections_and_drops_the_corrected_error(make_round, tmp_path):
    """Regression: a "nhiều" corrected to 1 by the inspectors was still counted as an error
    to verify with the unit."""
    rnd = make_round()
    rnd.add("SO_VP", C1_4="nhiều")
    before = rnd.score()
    answers = before.answers.assign(raw_value=before.answers["reported_value"])
    wb = build_inspection_template(answers, before.round.rubric, before.registry)
    ws = wb[SHEET]
    verified = list(COLUMNS).index("verified") + 1
    row = next(r for r in range(2, ws.max_row + 1) if ws.cell(r, 3).value == "C1.4")
    ws.cell(row, verified).value = "1"
    wb.save(rnd.folder / "inspection.xlsx")
    result = run("score", "--year", rnd.year, "--raw", rnd.raw, "--processed", tmp_path)
    assert result.exit_code == 0, result.output
    assert " 0 lỗi số liệu" in result.output
    assert "Đã áp dụng 1 điều chỉnh sau kiểm tra, thẩm định." in result.output
