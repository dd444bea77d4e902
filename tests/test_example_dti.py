"""The second shipped example run end to end as its users would (issue 15 §5): `cntt demo
--example dti-2025` writes a fictional province's digital-transformation rounds 2024 and 2025
across the 2025 reorganisation; `cntt template`, `cntt score`, `cntt report` and the Word
documents then run on it with no code written for it. Each expectation is recomputed here
from the written files (the registry, the 2024 scores, the appraisal file), not copied from
the outputs."""

from __future__ import annotations

import subprocess

import pandas as pd
import pytest
import yaml
from openpyxl import load_workbook
from typer.testing import CliRunner

from cntt_analysis.cli import app
from cntt_analysis.examples import dti
from cntt_analysis.report.facts.year import load_facts
from cntt_analysis.rubric.model import load_rubric
from cntt_analysis.text import clean

YEAR = 2025
MERGED = "x-phuoc-loc"  # three 2024 communes → one
UNRANKED = "thanh-tra"
PROFILES = [MERGED, UNRANKED]


def _ok(result) -> str:
    assert result.exit_code == 0, result.output
    return result.output


@pytest.fixture(scope="module")
def cycle(tmp_path_factory):
    from test_report import NOTEBOOKS, build_report_retrying

    root = tmp_path_factory.mktemp("dti-example")
    raw, processed, reports = root / "raw", root / "processed", root / "reports"
    runner = CliRunner()
    _ok(runner.invoke(app, ["demo", "--example", "dti-2025", "--raw", str(raw)]))
    _ok(runner.invoke(app, ["template", "--year", str(YEAR), "--raw", str(raw), "--out",
                            str(root / "bieu-mau")]))
    _ok(runner.invoke(app, ["score", "--raw", str(raw), "--processed", str(processed),
                            "--quiet"]))
    build_report_retrying(YEAR, raw, processed, reports, NOTEBOOKS, jobs=2, progress=False,
                          units=PROFILES)
    return {"root": root, "raw": raw, "processed": processed,
            "report": reports / str(YEAR), "facts": load_facts(raw, processed, YEAR)}


def test_the_example_is_written_the_same_twice_and_never_over_a_round(tmp_path):
    first, second = tmp_path / "a", tmp_path / "b"
    dti.write_example(first)
    dti.write_example(second)
    files = sorted(p.relative_to(first) for p in first.rglob("*") if p.is_file())
    assert files == sorted(p.relative_to(second) for p in second.rglob("*") if p.is_file())
    assert all((first / f).read_bytes() == (second / f).read_bytes() for f in files)
    # Written again over itself (its rounds say synthetic), never over another round.
    assert CliRunner().invoke(app, ["demo", "--example", "dti-2025", "--raw",
                                    str(first)]).exit_code == 0
    (first / "2017").mkdir()
    result = CliRunner().invoke(app, ["demo", "--example", "dti-2025", "--raw", str(first)])
    assert result.exit_code != 0 and "đã có các đợt đánh giá khác (2017)" in result.output
    real = second / "2025" / "round.yaml"
    real.write_text(real.read_text("utf-8").replace("synthetic: true", "synthetic: false"),
                    "utf-8")
    result = CliRunner().invoke(app, ["demo", "--example", "dti-2025", "--raw", str(second)])
    assert result.exit_code != 0 and "chứa dữ liệu thật" in result.output


def test_each_unit_gets_a_template_of_only_what_it_is_asked(cycle):
    rubric = load_rubric(cycle["raw"] / str(YEAR) / dti.RUBRICS[YEAR])
    registry = pd.read_csv(cycle["raw"] / "units.csv", dtype=str)
    active = dti.units_of(registry, YEAR)
    written = {p.stem for p in (cycle["root"] / "bieu-mau").glob("*.xlsx")}
    assert set(active["unit_id"]) <= written

    def asked(unit: str) -> set[str]:
        book = load_workbook(cycle["root"] / "bieu-mau" / f"{unit}.xlsx")
        return {row[0] for row in book["_cells"].iter_rows(min_row=2, values_only=True)}

    economy = {i.code for ind in rubric.indicators if ind.applies_to for i in ind.inputs}
    appraised = {i.code for i in rubric.inputs.values() if i.source != "unit"}
    assert economy and appraised
    assert economy <= asked("so-khcn")                 # kinh_te_so: có
    assert not economy & asked("s-tu-phap")            # a sở without the flag
    assert not economy & asked(MERGED)                 # a commune
    assert not appraised & (asked("so-khcn") | asked(MERGED))


def test_the_2025_round_scores_merged_unranked_and_appraised_units(cycle):
    facts = cycle["facts"]
    scores = facts.scores.set_index("unit_id")
    registry = pd.read_csv(cycle["raw"] / "units.csv", dtype=str)
    active = set(dti.units_of(registry, YEAR)["unit_id"])
    assert set(scores.index) == active - {dti.MISSING_2025}
    # Assessed, not ranked: no rank, and the ranked sở are ranked 1..n without a gap.
    assert not scores.at[UNRANKED, "ranked"] and pd.isna(scores.at[UNRANKED, "rank"])
    so = scores[(scores["group"] == "so") & scores["ranked"]]
    assert sorted(so["rank"].astype(int)) == list(range(1, len(so) + 1))
    # The 2025 result is an index: pillars weighted as the rubric says (P6 counts three
    # times), each the share of the unit's own applicable maximum — the digital economy
    # pillar only where it applies. (Pillar shares are kept to 0.1: hence the tolerance.)
    rubric = load_rubric(cycle["raw"] / str(YEAR) / dti.RUBRICS[YEAR])
    weights = pd.Series({c.code: float(c.weight) for c in rubric.criteria})
    assert weights["P6"] == 3
    pillars = scores[list(weights.index)]
    index = (pillars * weights).sum(axis=1) / pillars.notna().mul(weights).sum(axis=1)
    assert (scores["score"] - index).abs().max() < 0.05
    assert (scores["index"] == (scores["score"] / 100).round(4)).all()
    assert scores.loc[list(dti.DIGITAL_ECONOMY), "P7"].notna().all()
    assert scores.loc[[MERGED, "s-tu-phap"], "P7"].isna().all()
    # The appraisal council's corrections, as written in its file, and nothing else.
    shown = {(r.unit_id, r.code, str(r.verified)) for r in facts.corrections.itertuples()}
    assert shown == {(u, c, str(v)) for u, c, v, _, _ in dti.APPRAISAL_2025}
    for unit, *_ in dti.APPRAISAL_2025:
        assert scores.at[unit, "score"] < scores.at[unit, "self_score"]
    kinds = facts.issues.groupby("code")["unit_id"].agg(set)
    assert dti.LATE_2025 in kinds["late"] and dti.MISSING_2025 in kinds["missing"]
    assert set(dti.INVALID_2025) <= kinds["not_number"]
    assert dti.SUPPLIED_BLANK_2025 in kinds["supplied_missing"]
    assert dti.NO_EVIDENCE_2025 in kinds["evidence_missing"]


def test_a_merged_commune_is_compared_with_its_predecessors_and_followed_up(cycle):
    facts = cycle["facts"]
    registry = pd.read_csv(cycle["raw"] / "units.csv", dtype=str).set_index("unit_id")
    before = registry.at[MERGED, "previous_ids"].split(";")
    assert len(before) == 3
    old = pd.read_parquet(cycle["processed"] / "2024" / "scores.parquet").set_index("unit_id")
    # 2024 was on 1,000 points: compared on shares of the maximum, never raw points.
    shares = (100 * old.loc[before, "earned"] / old.loc[before, "applicable_max"])
    row = facts.scores.set_index("unit_id").loc[MERGED]
    assert row["prev_score"] == pytest.approx(shares.mean(), abs=0.006)
    assert row["score_change"] == pytest.approx(row["score"] - row["prev_score"], abs=0.006)
    assert row["movement"].startswith("mới thành lập (sáp nhập từ")
    # Its predecessors' 2024 shortcomings are followed up on it.
    follow = facts.follow_up[facts.follow_up["unit_id"] == MERGED]
    assert len(follow) and set(follow["previous_unit_id"]) <= set(before)
    lacking = pd.read_parquet(cycle["processed"] / "2024" / "shortcomings.parquet")
    assert len(follow) == (lacking["unit_id"].isin(before)).sum()


def test_the_report_and_documents_state_the_facts(cycle):
    facts, folder = cycle["facts"], cycle["report"]
    organisation = yaml.safe_load((cycle["raw"] / "department.yaml").read_text("utf-8"))
    assert (folder / "bao-cao-2025.pdf").read_bytes().startswith(b"%PDF")
    page1 = subprocess.run(["pdftotext", "-f", "1", "-l", "1", "-layout",
                            str(folder / "bao-cao-2025.pdf"), "-"],
                           capture_output=True, text=True, check=True).stdout
    assert "CHUYỂN ĐỔI SỐ" in page1 and "DỰ THẢO" in page1
    head = organisation["organisation"]["name"].upper()
    assert head in clean(page1)
    assert f"{len(facts.scores)}\n" in page1.replace(" ", "\n") or str(len(facts.scores)) in page1
    # The index lists the unranked unit as such (it has no rank to print).
    index = (folder / "index.html").read_text("utf-8")
    assert "Thanh tra tỉnh — " in index and "không xếp hạng" in index
    # The merged commune's notice says what the facts say.
    from test_consistency import docx_text

    row = facts.scores.set_index("unit_id").loc[MERGED]
    notice = docx_text(folder / "van-ban" / "thong-bao" / f"{MERGED}.docx")
    score = f"{row['score']:.2f}".replace(".", ",")
    assert f"Tổng điểm: {score}/100 điểm" in notice
    size = int((facts.scores["group"] == row["group"]).sum())
    assert f"xếp hạng {int(row['rank'])}/{size}" in notice
    assert "sáp nhập từ " + row["baseline_from"] in notice
    assert str(len(facts.follow_up[facts.follow_up["unit_id"] == MERGED])) + " tồn tại" \
        in notice
    profile = (folder / "don-vi" / f"{UNRANKED}.html").read_text("utf-8")
    assert "Thanh tra tỉnh" in profile


def test_the_workbook_cntt_score_writes_states_the_reports_facts(cycle):
    """`cntt score` renders its results workbook from the facts of the round just scored
    (before it is written). Those facts are the report's, to the dtype: a merged
    commune's movement and its predecessors' names come from the whole registry, as the
    report reads it (they came from the round's registry, where the three dissolved
    communes are not). The workbook `cntt score` wrote is the report's, byte for byte."""
    import dataclasses

    from cntt_analysis.report.excel import forget_scored, scored_facts, workbook_name
    from cntt_analysis.scoring.pipeline import score_round

    raw, processed = cycle["raw"], cycle["processed"]
    try:
        scored = scored_facts(score_round(raw, YEAR, progress=False), processed / str(YEAR))
    finally:
        forget_scored()
    loaded = load_facts(raw, processed, YEAR)
    for field in dataclasses.fields(loaded):
        ours, theirs = getattr(scored, field.name), getattr(loaded, field.name)
        if isinstance(theirs, pd.DataFrame):
            pd.testing.assert_frame_equal(ours, theirs, obj=field.name)
        elif field.name != "policy":
            assert ours == theirs, field.name
    row = scored.scores.set_index("unit_id").loc[MERGED]
    assert row["movement"].startswith("mới thành lập (sáp nhập từ UBND xã")
    name = workbook_name(YEAR)
    assert (processed / str(YEAR) / name).read_bytes() == (cycle["report"] / name).read_bytes()
