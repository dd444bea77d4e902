"""The README's steps for a clerk (Quick start, "Starting next year's round") work as
written from a fresh clone: the `cntt` command is made available before it is first
used, every command and option they name exists, the steps go as far as finalising and the
Word documents, and the places they name are where the program writes."""

from __future__ import annotations

import importlib.util
import os
import re
import shutil
import subprocess
import sys
from pathlib import Path

import pytest
from typer.testing import CliRunner

from cntt_analysis.cli import app
from cntt_analysis.scoring.publication import FINAL, publication_folder

README = Path(__file__).resolve().parents[1] / "README.md"
CLERK_SECTIONS = ("Quick start", "Starting next year's round (Bắt đầu đợt đánh giá năm sau)")


def section(title: str) -> str:
    text = README.read_text(encoding="utf-8")
    start = text.index(f"\n## {title}\n")
    end = text.find("\n## ", start + 1)
    return text[start:end if end > 0 else None]


def commands(text: str) -> list[str]:
    """The `cntt …` commands written in a text (code spans and code blocks)."""
    spans = re.findall(r"`((?:\.venv/bin/)?cntt [^`]+)`", text)
    blocks = [line.split("#")[0].strip() for block in re.findall(r"```bash\n(.*?)```", text,
                                                                   re.DOTALL)
              for line in block.splitlines()]
    return [c for c in [*spans, *blocks] if re.match(r"(\.venv/bin/)?cntt ", c)]


@pytest.mark.parametrize("title", CLERK_SECTIONS)
def test_cntt_is_made_available_before_it_is_first_typed(title):
    text = section(title)
    first = min(m.start() for m in re.finditer(r"(?<![/\w])cntt [a-z-]+", text))
    assert "source .venv/bin/activate" in text[:first], title
    assert ".venv/bin/cntt" in text                     # the way without activating


def test_every_command_and_option_of_the_steps_exists():
    text = section(CLERK_SECTIONS[1])
    named = commands(text)
    verbs = {c.split()[1] for c in named}
    # the whole round: from the new round to the final record and the documents
    assert {"new-round", "template", "score", "inspection-template", "report", "documents",
            "finalise"} <= verbs
    runner = CliRunner()
    for command in named:
        words = command.split()
        help_text = runner.invoke(app, [words[1], "--help"]).output
        assert "Usage" in help_text, command
        for option in (w for w in words[2:] if w.startswith("--")):
            assert option in help_text, (command, option)


def test_the_final_record_is_where_finalise_writes_it():
    text = README.read_text(encoding="utf-8")
    written = (publication_folder("data/processed", 2018) / FINAL).as_posix()
    assert written in section(CLERK_SECTIONS[1])
    for year in ("2017", "2018", "<year>"):      # never the round's own processed folder
        assert f"data/processed/{year}/final.json" not in text
    for mentioned in re.findall(r"data/processed/[^/\s`]+/final\.json", text):
        assert mentioned.split("/")[2].endswith("-cong-bo"), mentioned


@pytest.mark.parametrize("title", CLERK_SECTIONS)
def test_the_steps_do_not_tell_how_the_project_was_built(title):
    text = section(title)
    for words in ("issue 7", "merged", "another branch", "the merged main"):
        assert words not in text.lower(), words
    assert not re.search(r"\b[0-9a-f]{7,40}\b", text)    # no commit hashes


def test_make_compiles_the_package_bytecode_where_python_would_not(tmp_path):
    """Where PYTHONDONTWRITEBYTECODE is set (containers; this project's CI machine), an
    editable install never gets bytecode: every command and report kernel compiled the
    package again. The Makefile's `bytecode` target (run by install, `make report`,
    `make score`) writes it for every module, current for its source."""
    root = README.parent
    shutil.copy(root / "Makefile", tmp_path / "Makefile")
    shutil.copytree(root / "cntt_analysis", tmp_path / "cntt_analysis",
                    ignore=shutil.ignore_patterns("__pycache__"))
    env = {**os.environ, "PYTHONDONTWRITEBYTECODE": "1"}
    bin_dir = Path(sys.executable).parent
    subprocess.run(["make", "--no-print-directory", "bytecode", f"BIN={bin_dir}"],
                   cwd=tmp_path, env=env, check=True, capture_output=True)
    modules = sorted((tmp_path / "cntt_analysis").rglob("*.py"))
    assert len(modules) > 50
    compiled = {m: Path(importlib.util.cache_from_source(str(m))) for m in modules}
    stale = [m for m, pyc in compiled.items()
             if not pyc.is_file() or pyc.stat().st_mtime_ns < m.stat().st_mtime_ns]
    assert stale == []
