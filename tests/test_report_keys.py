"""The report's keys (what each document is rebuilt on) follow what the documents show:
a change to the registry, a unit's group, the rubric or department.yaml changes the keys
of exactly the documents that show it, and nothing else does.

The keys are computed as `cntt report` computes them (scoring what is stale first), on two
rounds of four units; one real rebuild at the end checks the keys are the ones used."""

from __future__ import annotations

import csv
import re
import shutil
from pathlib import Path

import pytest
from test_report import XSS_ID, YEAR, copy_notebooks, write_rounds

from cntt_analysis.analysis.results import load_results
from cntt_analysis.intake.registry import active_units
from cntt_analysis.report import NOTEBOOKS
from cntt_analysis.report.build.keys import documents_digest
from cntt_analysis.report.build.run import document_keys, plan
from cntt_analysis.report.facts import cached_facts
from cntt_analysis.report.facts.cache import facts_folder
from cntt_analysis.rubric import model
from cntt_analysis.scoring.pipeline import ensure_scored

DEPARTMENT = Path(__file__).parents[1] / "data" / "raw" / "department.yaml"
RUBRIC = model.RUBRIC_DIR / "2017.yaml"
OWN_RUBRIC = "phieu-danh-gia.yaml"
UNITS = ("SO_VP", "SO_CCQLDD", "H_TANPHUOC", XSS_ID)
ANNUAL, ANALYSES = "notebooks/06-annual-report.ipynb", (
    "notebooks/01-intake.ipynb", "notebooks/02-ranking.ipynb", "notebooks/03-criteria.ipynb",
    "notebooks/04-trends.ipynb")
PROFILES = tuple(f"notebooks/don-vi/{u}.ipynb" for u in UNITS)
FACTS, DOCUMENTS = "facts", "documents"
EVERYTHING = {FACTS, DOCUMENTS, ANNUAL, *ANALYSES, *PROFILES}


@pytest.fixture
def project(tmp_path, units, fill_template, answers_for) -> tuple[Path, Path]:
    """Two rounds on a rubric file of the project's own (beside the rounds, as a
    department keeps it), and a department.yaml."""
    raw = write_rounds(tmp_path / "raw", units, fill_template, answers_for, synthetic=True)
    shutil.copy(RUBRIC, raw / OWN_RUBRIC)
    for settings in raw.glob("*/round.yaml"):
        edit(settings, "rubric: '2017'", f"rubric: ../{OWN_RUBRIC}")
    shutil.copy(DEPARTMENT, raw / "department.yaml")
    return raw, tmp_path / "processed"


def keys_of(raw: Path, processed: Path) -> dict[str, str]:
    """Every key of the 2017 report, as `cntt report` would compute it now."""
    model._load.cache_clear()  # a rubric file changed on disk (one command per process)
    years = ensure_scored(raw, processed, progress=False, up_to=YEAR)
    results = load_results(raw, processed, up_to=YEAR)
    facts = cached_facts(raw, processed, YEAR, results=results)
    names = dict(zip(results.registry["unit_id"], results.registry["name"]))
    active = active_units(results.registry, YEAR)["unit_id"]
    tasks = plan(YEAR, raw, processed, Path("."), NOTEBOOKS, {u: names[u] for u in active})
    return {**document_keys(tasks, results, facts, processed, YEAR),
            FACTS: facts_folder(raw, processed, YEAR).name,
            DOCUMENTS: documents_digest(raw, processed, YEAR, years)}


def edit(path: Path, old: str, new: str) -> None:
    text = path.read_text(encoding="utf-8")
    assert old in text, (path, old)
    path.write_text(text.replace(old, new, 1), encoding="utf-8")


def set_unit(raw: Path, unit_id: str, column: str, value: str) -> None:
    with (raw / "units.csv").open(encoding="utf-8", newline="") as handle:
        rows = list(csv.DictReader(handle))
    for row in rows:
        if row["unit_id"] == unit_id:
            row[column] = value
    with (raw / "units.csv").open("w", encoding="utf-8", newline="") as handle:
        writer = csv.DictWriter(handle, fieldnames=list(rows[0]))
        writer.writeheader()
        writer.writerows(rows)


def rubric_label(raw: Path) -> None:
    """An indicator's wording (no point changes): every page naming indicators shows it."""
    path = raw / OWN_RUBRIC
    text = path.read_text(encoding="utf-8")
    label = re.search(r"^\s+label: (.+)$", text, re.M)
    assert label is not None
    path.write_text(text.replace(label.group(0), label.group(0) + " (sửa)", 1),
                    encoding="utf-8")


# change → the keys it must change (every other key stays)
CHANGES = {
    # the registry: a unit renamed. Every page names units; a profile's key covers the
    # registry (its title, its group's other members by name in the ranking it shows).
    "registry_name": (lambda raw: set_unit(raw, "SO_VP", "name", "Văn phòng Sở (mới)"),
                      EVERYTHING),
    # a unit's group: its group's size and ranks move in both groups.
    "unit_group": (lambda raw: set_unit(raw, "H_TANPHUOC", "group", "so"), EVERYTHING),
    "registry_alias": (lambda raw: set_unit(raw, "SO_CCQLDD", "aliases", "VP Chi cục"),
                       EVERYTHING),
    "rubric_label": (rubric_label, EVERYTHING),
    "rubric_points": (lambda raw: edit(raw / OWN_RUBRIC, "min: 85",
                                       "min: 90"), EVERYTHING),
    # department.yaml: the organisation's name is on every page and document …
    "department_name": (lambda raw: edit(raw / "department.yaml",
                                         "full: Sở Tài nguyên và Môi trường tỉnh Hòa An",
                                         "full: Sở Tài nguyên và Môi trường tỉnh Hòa Bình"),
                        EVERYTHING),
    # … the contact person only in the Word documents (no page shows it) …
    "department_contact": (lambda raw: edit(raw / "department.yaml", "0273 3872 345",
                                            "0273 3872 999"), {FACTS, DOCUMENTS}),
    # … the rule for model units on the pages that propose them: every page (the facts'
    # policy is stated on each).
    "department_models": (lambda raw: edit(raw / "department.yaml", "max_shortcomings: 2",
                                           "max_shortcomings: 3"), EVERYTHING),
    # … and the place and the signers only in the documents, the centre's name on every
    # page (the assessor).
    "department_place": (lambda raw: edit(raw / "department.yaml", "place: Hòa An",
                                          "place: Hòa Bình"), {FACTS, DOCUMENTS}),
    "department_signer": (lambda raw: edit(raw / "department.yaml", "name: Lê Minh Tuấn",
                                           "name: Lê Minh Tú"), {FACTS, DOCUMENTS}),
    "department_centre": (lambda raw: edit(raw / "department.yaml",
                                           "full: Trung tâm Công nghệ thông tin}",
                                           "full: Trung tâm Chuyển đổi số}"), EVERYTHING),
    "round_deadline": (lambda raw: edit(raw / str(YEAR) / "round.yaml",
                                        f"deadline: {YEAR}-08-10", f"deadline: {YEAR}-08-20"),
                       EVERYTHING),
    "nothing": (lambda raw: None, set()),
}


@pytest.mark.parametrize("change", CHANGES)
def test_a_change_changes_the_keys_of_exactly_what_shows_it(project, change):
    raw, processed = project
    before = keys_of(raw, processed)
    assert set(before) == EVERYTHING
    apply, expected = CHANGES[change]
    apply(raw)
    after = keys_of(raw, processed)
    changed = {name for name in before if before[name] != after[name]}
    assert changed == expected


def test_a_change_only_the_documents_show_rebuilds_only_the_documents(project, monkeypatch):
    """The keys above are the ones `cntt report` uses: after the contact's phone changed,
    no notebook runs again, and the Word documents are written again with it."""
    from docx import Document
    from test_report import NOTEBOOK_NAMES, build_report_retrying

    from cntt_analysis.report.build import run as build

    raw, processed = project
    notebooks = copy_notebooks(raw.parent / "notebooks", stubs=tuple(NOTEBOOK_NAMES))
    reports = raw.parent / "reports"
    build_report_retrying(YEAR, raw, processed, reports, notebooks, jobs=1, progress=False,
                          units=["SO_VP"])
    ran: list[str] = []
    real = build.run_tasks

    def recording(tasks, *args, **kwargs):
        ran.extend(t.executed.stem for t in tasks)
        return real(tasks, *args, **kwargs)

    monkeypatch.setattr(build, "run_tasks", recording)
    CHANGES["department_contact"][0](raw)
    out = build_report_retrying(YEAR, raw, processed, reports, notebooks, jobs=1,
                                progress=False, units=["SO_VP"])
    assert ran == []
    documents = sorted((out / "van-ban").rglob("*.docx"))
    texts = {path.name: " ".join(p.text for p in Document(str(path)).paragraphs)
             for path in documents}
    assert any("0273 3872 999" in text for text in texts.values()), texts
    assert not any("0273 3872 345" in text for text in texts.values())


def test_where_department_yaml_was_read_from_is_not_a_key(project):
    """The facts name the department.yaml they were read from (for messages); a project
    copied or moved keeps its cached facts, and its profiles' keys do not depend on where
    the file was when they were computed."""
    import dataclasses

    from cntt_analysis.report.build.keys import shared_digest

    raw, processed = project
    keys_of(raw, processed)
    facts = cached_facts(raw, processed, YEAR)
    moved = dataclasses.replace(facts, policy=dataclasses.replace(
        facts.policy, source="/somewhere/else/data/raw/department.yaml"))
    assert shared_digest(moved) == shared_digest(facts)
    stricter = dataclasses.replace(facts, policy=dataclasses.replace(
        facts.policy, max_shortcomings=facts.policy.max_shortcomings + 1))
    assert shared_digest(stricter) != shared_digest(facts)



def test_the_data_side_computes_the_facts_once_and_reuses_the_scored_workbook(
        project, tmp_path, monkeypatch):
    """`prepare` scores the stale rounds, then states the year's facts: those the scoring
    computed for the results workbook (not computed again), and that workbook is the
    report's, the same bytes as one rendered from the facts computed anew."""
    from cntt_analysis.report.build.run import prepare
    from cntt_analysis.report.excel import workbook_name, write_results_workbook
    from cntt_analysis.report.facts import load_facts
    from cntt_analysis.report.facts import year as year_module

    raw, processed = project
    calls: list[int] = []
    real = year_module.year_facts

    def counted(*args, **kwargs):
        calls.append(args[1])
        return real(*args, **kwargs)
    monkeypatch.setattr(year_module, "year_facts", counted)
    monkeypatch.setattr("cntt_analysis.report.facts.year_facts", counted, raising=False)
    reports = tmp_path / "reports"
    staging = reports / "staging"
    staging.mkdir(parents=True)
    prepared = prepare(YEAR, raw, processed, reports, NOTEBOOKS, None, staging, True)
    assert prepared is not None
    years = sorted(int(p.name) for p in processed.iterdir() if p.name.isdigit())
    assert calls == years  # once per round scored, for its workbook; none after
    ours = (staging / workbook_name(YEAR)).read_bytes()
    assert ours == (processed / str(YEAR) / workbook_name(YEAR)).read_bytes()
    monkeypatch.undo()
    anew = tmp_path / "anew.xlsx"
    write_results_workbook(load_facts(raw, processed, YEAR),
                           load_results(raw, processed, up_to=YEAR).rubric(YEAR), anew)
    assert anew.read_bytes() == ours


def test_a_build_of_few_profiles_starts_with_the_annual_report_a_cold_one_with_the_analyses(
        tmp_path):
    """The annual report, the longest task, goes first when few profiles are to be made
    (else it ran alone after the analyses, the other kernel idle); in a build of many,
    the analyses go first and leave their charts drawn for it."""
    from cntt_analysis.report.build import run

    units = {f"u{i}": f"Đơn vị {i}" for i in range(30)}
    tasks = run.plan(2017, tmp_path, tmp_path, tmp_path, Path(NOTEBOOKS), units)

    def names(chosen):
        return [t.notebook.stem for t in run.queue(chosen)]

    analyses = ["02-ranking", "03-criteria", "04-trends"]
    cold = names(tasks)
    assert cold[:5] == [*analyses, run.ANNUAL, "01-intake"]
    assert set(cold[5:]) == {run.PROFILE} and len(cold) == 35
    one = [t for t in tasks if t.notebook.stem != run.PROFILE or t.parameters["unit_id"] == "u3"]
    assert names(one) == [run.ANNUAL, *analyses, "01-intake", run.PROFILE]
    assert names(tasks[:5 + run.FEW_PROFILES])[0] == run.ANNUAL
    assert names(tasks[:6 + run.FEW_PROFILES])[0] == "02-ranking"
