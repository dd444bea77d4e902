"""Every docstring example (``>>>``) of the package runs as a doctest, in a project folder
holding the demo data (``data/raw``, as shipped) scored into ``data/processed``, as a
reader who ran ``cntt score`` would type it."""

from __future__ import annotations

import doctest
import importlib
import os
import pkgutil
import re
from pathlib import Path

import pytest
from conftest import xdist_lock

import cntt_analysis

DEMO = Path(__file__).parents[1] / "data" / "raw"
FLAGS = doctest.ELLIPSIS | doctest.NORMALIZE_WHITESPACE


def module_names() -> list[str]:
    return sorted(m.name for m in pkgutil.walk_packages(cntt_analysis.__path__,
                                                          "cntt_analysis."))


def with_examples() -> list[str]:
    """The modules whose source holds an example (found by text, not by doctest: an
    example doctest would not find still counts)."""
    root = Path(cntt_analysis.__file__).parent
    names = []
    for path in sorted(root.rglob("*.py")):
        if re.search(r"^\s*>>> ", path.read_text(encoding="utf-8"), re.M):
            parts = path.relative_to(root.parent).with_suffix("").parts
            names.append(".".join(parts[:-1] if parts[-1] == "__init__" else parts))
    return names


@pytest.fixture(scope="session")
def project(tmp_path_factory) -> Path:
    """A project folder: the demo data and its scores, made once per session."""
    from cntt_analysis.scoring.pipeline import ensure_scored

    shared = tmp_path_factory.getbasetemp()
    if os.environ.get("PYTEST_XDIST_WORKER"):
        shared = shared.parent
    root = shared / "doctest-project"
    with xdist_lock(shared / "doctest-project.lock"):
        if not (root / "done").exists():
            (root / "data").mkdir(parents=True, exist_ok=True)
            if not (root / "data" / "raw").exists():
                (root / "data" / "raw").symlink_to(DEMO, target_is_directory=True)
            ensure_scored(root / "data" / "raw", root / "data" / "processed", progress=False)
            (root / "done").touch()
    return root


def test_every_module_with_examples_is_run():
    assert set(with_examples()) <= set(module_names())
    assert len(with_examples()) >= 9


@pytest.mark.parametrize("name", with_examples())
def test_the_examples_of_a_module_run_as_shown(name, project, monkeypatch):
    module = importlib.import_module(name)
    monkeypatch.chdir(project)
    tests = [t for t in doctest.DocTestFinder().find(module) if t.examples]
    assert tests, f"{name} has examples doctest does not find"
    runner = doctest.DocTestRunner(optionflags=FLAGS)
    failures: list[str] = []
    for test in tests:
        runner.run(test, out=failures.append)
    assert runner.summarize(verbose=False).failed == 0, "".join(failures)
