"""Units change, history follows: two rounds on frameworks with different totals (2024 on
1,000 points with groups sở, huyện, xã; 2025 on 100 points with sở and xã — the huyện are
gone), communes merged, split and renamed in between. Worked out by hand below: a merged
unit's baseline (the mean of its predecessors' shares), a split unit's (its predecessor's
share), the follow-up of the predecessors' shortcomings on their successors, group means,
and what the report, the unit page and the unit's notice say about it.

Workbooks are the templates `build_template` writes, filled with openpyxl; both rounds are
scored, written and loaded as `cntt report` does.
"""

from __future__ import annotations

import csv
import datetime as dt
import shutil
from pathlib import Path

import pandas as pd
import pytest
from conftest import write_filled_template
from docx import Document

from cntt_analysis import analysis
from cntt_analysis.analysis.results import load_results
from cntt_analysis.report import sentences
from cntt_analysis.report.facts import load_particulars, year_facts
from cntt_analysis.rubric.model import load_rubric
from cntt_analysis.scoring.pipeline import score_round, write_round
from cntt_analysis.scoring.shortcomings import IMPROVED, NOT_REMEDIED, REMEDIED

RUBRICS = Path(__file__).parent / "rubrics"
HEADER = ["unit_id", "name", "group", "aliases", "previous_ids", "since", "until"]
UNITS = [
    ["S1", "Sở Tài chính", "so", "", "", "", ""],
    ["S2", "Sở Nội vụ", "so", "", "", "", ""],
    ["H1", "Huyện Cái Bè", "huyen", "", "", "", "2024"],          # huyện: gone in 2025
    ["X1", "Xã An Hữu", "xa", "", "", "", "2024"],
    ["X2", "Xã Hòa Hưng", "xa", "", "", "", "2024"],
    ["X5", "Xã Mỹ Lương", "xa", "", "", "", "2024"],
    ["XA", "Xã An Hữu mới", "xa", "", "X1;X2;X5", "2025", ""],     # X1 + X2 + X5 merged
    ["X3", "Xã Tân Hưng", "xa", "", "", "", "2024"],
    ["XB", "Phường Tân Hưng", "xa", "", "X3", "2025", ""],          # X3 renamed
    ["X4", "Xã Long Trung", "xa", "", "", "", "2024"],
    ["XC", "Xã Long Trung Đông", "xa", "", "X4", "2025", ""],      # X4 split in two
    ["XD", "Xã Long Trung Tây", "xa", "", "X4", "2025", ""],
]
NAMES = {u[0]: u[1] for u in UNITS}

# (P1.1 meetings, P2.1 shared applications) per unit.
# 2024 (1,000 points): P1.1 steps 4 → 400, 3 → 300, 2 → 200, 1 → 100 (of 400);
# P2.1 50 per application (of 600). A shortcoming loses at least half an indicator.
#   S1 4, 12 → 400 + 600 = 1000 → 100.00 %        S2 2, 4 → 200 + 200 = 400 → 40.00 %
#   H1 1, 2  → 100 + 100 = 200 → 20.00 %
#   X1 4, 6  → 400 + 300 = 700 → 70.00 %   P2.1 loses 300/600 = 0.5: a shortcoming
#   X2 1, 10 → 100 + 500 = 600 → 60.00 %   P1.1 loses 300/400 = 0.75: a shortcoming
#   X5 3, 5  → 300 + 250 = 550 → 55.00 %   P2.1 loses 350/600 = 0.5833: a shortcoming
#   X3 4, 12 → 1000 → 100.00 %
#   X4 2, 8  → 200 + 400 = 600 → 60.00 %   P1.1 loses 200/400 = 0.5: a shortcoming
# 2025 (100 points): P1.1 4 → 40, 3 → 30, 2 → 20, 1 → 10; P2.1 10 per application (of 60).
#   S1 3, 5 → 30 + 50 = 80.00 %            S2 4, 6 → 40 + 60 = 100.00 %
#   XA 4, 3 → 40 + 30 = 70.00 %            XB 3, 6 → 30 + 60 = 90.00 %
#   XC 2, 6 → 20 + 60 = 80.00 %            XD 3, 1 → 30 + 10 = 40.00 %
PLAN = {
    2024: {"S1": (4, 12), "S2": (2, 4), "H1": (1, 2), "X1": (4, 6), "X2": (1, 10),
           "X5": (3, 5), "X3": (4, 12), "X4": (2, 8)},
    2025: {"S1": (3, 5), "S2": (4, 6), "XA": (4, 3), "XB": (3, 6), "XC": (2, 6),
           "XD": (3, 1)},
}
# XA's baseline: the mean of X1, X2, X5's shares in 2024 = (70 + 60 + 55) / 3 = 61.666…
# → 61.67; its change 70.00 − 61.67 = +8.33. Per criterion: P1 (100 + 25 + 75) / 3 =
# 66.666… → 66.67 (now 100: +33.33); P2 (50 + 83.33 + 41.67) / 3 = 58.33 (now 50: −8.33).
# XC and XD: X4's 60.00 → +20.00 and −20.00.


def _units_csv(path: Path) -> None:
    with path.open("w", encoding="utf-8", newline="") as handle:
        writer = csv.writer(handle)
        writer.writerow(HEADER)
        writer.writerows(UNITS)


@pytest.fixture(scope="module")
def province(tmp_path_factory) -> tuple[Path, Path]:
    """(raw, processed): both rounds filled, scored and written."""
    base = tmp_path_factory.mktemp("merged")
    raw, processed = base / "raw", base / "processed"
    raw.mkdir()
    _units_csv(raw / "units.csv")
    for year, rubric_file, ref in ((2024, "lineage-2024.yaml", "lineage-2024.yaml"),
                                   (2025, "lineage-2025.yaml", "lineage-2025.yaml")):
        folder = raw / str(year)
        folder.mkdir()
        shutil.copy(RUBRICS / rubric_file, folder / rubric_file)
        if year == 2025:  # its `previous` points to the 2024 round's copy
            text = (folder / rubric_file).read_text(encoding="utf-8")
            (folder / rubric_file).write_text(
                text.replace("previous: lineage-2024.yaml",
                             "previous: ../2024/lineage-2024.yaml"), encoding="utf-8")
        (folder / "round.yaml").write_text(f"deadline: {year}-12-15\nrubric: {ref}\n",
                                           encoding="utf-8")
        rubric = load_rubric(folder / rubric_file)
        for unit, (meetings, apps) in PLAN[year].items():
            write_filled_template(folder / f"{unit}.xlsx",
                                  {"G03": dt.date(year, 12, 1), "P1.1": meetings,
                                   "P2.1": apps},
                                  rubric=rubric, year=year, unit_id=unit,
                                  unit_name=NAMES[unit])
        write_round(score_round(raw, year, progress=False), processed, raw)
    return raw, processed


@pytest.fixture(scope="module")
def results(province):
    return load_results(*province)


@pytest.fixture(scope="module")
def facts(province, results):
    raw, _ = province
    return year_facts(results, 2025, load_particulars(raw, 2025))


def test_scores_are_shares_of_each_years_maximum(results):
    scores = results.scores.set_index(["year", "unit_id"])
    expected = {(2024, "S1"): 100.0, (2024, "S2"): 40.0, (2024, "H1"): 20.0,
                (2024, "X1"): 70.0, (2024, "X2"): 60.0, (2024, "X5"): 55.0,
                (2024, "X4"): 60.0, (2025, "S1"): 80.0, (2025, "S2"): 100.0,
                (2025, "XA"): 70.0, (2025, "XB"): 90.0, (2025, "XC"): 80.0,
                (2025, "XD"): 40.0}
    for key, share in expected.items():
        assert scores.loc[key, "score"] == share, key
    # the renamed commune's 2024 result is joined under its new id
    assert scores.loc[(2024, "XB"), "score"] == 100.0
    assert (2024, "X3") not in scores.index
    # raw points differ tenfold between the frameworks; nothing compares them
    assert scores.loc[(2024, "S1"), "earned"] == 1000 and scores.loc[(2025, "S1"), "earned"] == 80


def test_merged_and_split_units_are_compared_with_their_predecessors(results):
    moved = analysis.rank_movement(results.scores, results.registry)
    now = moved[moved["year"] == 2025].set_index("unit_id")
    xa = now.loc["XA"]
    assert (xa["prev_year"], xa["prev_score"], xa["score_change"]) == (2024, 61.67, 8.33)
    assert pd.isna(xa["prev_rank"]) and pd.isna(xa["rank_change"])
    assert xa["baseline"] == "merged"
    assert xa["movement"] == "mới thành lập (sáp nhập từ Xã An Hữu, Xã Hòa Hưng và Xã Mỹ Lương)"
    assert xa["baseline_note"] == ("bình quân năm 2024 của 3 đơn vị trước sáp nhập: 61,67 "
                                   "điểm (Xã An Hữu: 70,00; Xã Hòa Hưng: 60,00; Xã Mỹ Lương: "
                                   "55,00)")
    for unit, change in (("XC", 20.0), ("XD", -20.0)):
        row = now.loc[unit]
        assert (row["baseline"], row["prev_score"], row["score_change"]) == \
            ("split", 60.0, change), unit
        assert row["movement"] == "mới thành lập (tách từ Xã Long Trung)"
        assert row["baseline_note"] == ("kết quả năm 2024 của đơn vị trước chia tách: 60,00 "
                                        "điểm (Xã Long Trung)")
    # the renamed unit is compared with itself, on shares: 90 − 100
    xb = now.loc["XB"]
    assert (xb["baseline"], xb["prev_score"], xb["score_change"]) == ("own", 100.0, -10.0)
    # sở: ranked in both years among themselves, on shares (80 vs 100, 100 vs 40)
    assert now.loc["S1", "movement"] == "giảm 1 bậc" and now.loc["S1", "score_change"] == -20
    assert now.loc["S2", "movement"] == "tăng 1 bậc" and now.loc["S2", "score_change"] == 60
    # without the registry nothing is invented: the merged unit is just new
    plain = analysis.rank_movement(results.scores)
    plain = plain[plain["year"] == 2025].set_index("unit_id")
    assert plain.loc["XA", "movement"] == "mới" and pd.isna(plain.loc["XA", "prev_score"])


def test_criterion_changes_against_the_predecessors_mean(results):
    changes = analysis.score_changes(results.scores, registry=results.registry)
    xa = changes[(changes["year"] == 2025) & (changes["unit_id"] == "XA")].iloc[0]
    assert (xa["P1"], xa["P1_change"]) == (100.0, 33.33)
    assert (xa["P2"], xa["P2_change"]) == (50.0, -8.33)
    assert xa["score_change"] == 8.33 and xa["baseline"] == "merged"


def test_group_means_compare_merged_units_with_their_baselines(facts):
    groups = facts.groups.set_index("group")
    assert list(groups.index) == ["so", "xa"]   # the huyện group is gone this year
    so = groups.loc["so"]
    assert (so["common"], so["lineage"], so["prev_mean"], so["now_mean"],
            so["mean_change"]) == (2, 0, 70.0, 90.0, 20.0)
    # xã: XB against itself (100), XA against 61.67, XC and XD against 60:
    # (100 + 61.67 + 60 + 60) / 4 = 70.4175 → 70.42; now (90 + 70 + 80 + 40) / 4 = 70.
    xa = groups.loc["xa"]
    # 2024's xã: X1, X2, X5, X4 and X3 (under its new id XB)
    assert (xa["prev_year"], xa["common"], xa["lineage"], xa["prev_units"]) == (2024, 4, 3, 5)
    assert (xa["prev_mean"], xa["now_mean"], xa["mean_change"]) == (70.42, 70.0, -0.42)
    said = " ".join(sentences.group_sentences(facts))
    assert ("so sánh được với năm 2024 ở 4 đơn vị, trong đó 3 đơn vị mới sáp nhập, chia tách "
            "so với bình quân kết quả của các đơn vị trước đó: bình quân của các đơn vị này "
            "giảm 0,42 điểm (từ 70,42 xuống 70,00)") in said


def test_predecessors_shortcomings_are_followed_up_on_their_successors(facts):
    follow = facts.follow_up
    carried = follow[follow["unit_id"].isin(["XA", "XC", "XD"])]
    got = {(r.unit_id, r.previous_unit_id, r.previous_indicator): (r.lost_share, r.outcome)
           for r in carried.itertuples()}
    assert got == {
        # X1's P2.1 (lost 0.5): XA loses 30/60 = 0.5 → still one, not smaller: not remedied
        ("XA", "X1", "P2.1"): (0.5, NOT_REMEDIED),
        # X2's P1.1 (0.75): XA loses nothing → remedied
        ("XA", "X2", "P1.1"): (0.0, REMEDIED),
        # X5's P2.1 (0.5833): XA's 0.5 is still a shortcoming, but smaller → improved
        ("XA", "X5", "P2.1"): (0.5, IMPROVED),
        # X4's P1.1 (0.5) on both halves: XC 2 meetings → 20 of 40, 0.5; XD 3 → 0.25
        ("XC", "X4", "P1.1"): (0.5, NOT_REMEDIED),
        ("XD", "X4", "P1.1"): (0.25, REMEDIED),
    }
    assert set(carried["previous_name"]) == {"Xã An Hữu", "Xã Hòa Hưng", "Xã Mỹ Lương",
                                             "Xã Long Trung"}
    # the merged and split predecessors are not "did not report"; the huyện (dissolved,
    # no successor) is not followed up at all
    assert not follow["unit_id"].isin(["X1", "X2", "X5", "X4", "H1"]).any()
    assert "Không nộp báo cáo" not in set(follow["outcome"])
    units = facts.follow_up_units.set_index("unit_id")
    assert units.loc["XA", "total"] == 3 and units.loc["XA", REMEDIED] == 1
    text = " ".join(sentences.follow_up_sentences(facts))
    assert "tồn tại, hạn chế của các đơn vị đã sáp nhập, chia tách được theo dõi khắc phục" \
        in text
    assert "Xã An Hữu mới (từ Xã An Hữu, Xã Hòa Hưng và Xã Mỹ Lương)" in text


def test_every_output_names_the_baseline(province, facts, tmp_path):
    from cntt_analysis.report.html import sections
    from cntt_analysis.report.word.documents import write_documents

    raw, processed = province
    row = facts.unit("XA")
    said = sentences.change_sentence(row)
    assert said == ("So với năm 2024: đơn vị mới thành lập (sáp nhập từ Xã An Hữu, Xã Hòa "
                    "Hưng và Xã Mỹ Lương); điểm tăng 8,33 điểm so với bình quân năm 2024 của 3 "
                    "đơn vị trước sáp nhập: 61,67 điểm (Xã An Hữu: 70,00; Xã Hòa Hưng: 60,00; "
                    "Xã Mỹ Lương: 55,00); chưa so sánh thứ hạng vì năm trước đơn vị chưa được "
                    "xếp hạng.")
    split = sentences.change_sentence(facts.unit("XD"))
    assert "điểm giảm 20,00 điểm so với kết quả năm 2024 của đơn vị trước chia tách: 60,00 " \
        "điểm (Xã Long Trung)" in split
    # the unit's notice (Word) says the same, and its follow-up names the predecessors
    paths = write_documents(2025, raw, processed, tmp_path / "van-ban", facts=facts)
    assert tmp_path / "van-ban" / "thong-bao" / "XA.docx" in paths
    doc = Document(tmp_path / "van-ban" / "thong-bao" / "XA.docx")
    text = "\n".join(p.text for p in doc.paragraphs)
    assert said in text
    # who notified them is the organisation's short name (department.yaml; none here)
    assert (f"Trong 3 tồn tại, hạn chế {facts.organisation.short} đã thông báo năm 2024 cho "
            "Xã An Hữu, Xã Hòa Hưng và Xã Mỹ Lương (trước sáp nhập, chia tách; nay đơn vị tiếp "
            "tục khắc phục)") in text
    report = Document(tmp_path / "van-ban" / "bao-cao-2025.docx")
    text = "\n".join(p.text for p in report.paragraphs)
    assert ("Đơn vị mới sáp nhập được so sánh với bình quân tỷ lệ điểm đạt năm trước của các "
            "đơn vị trước sáp nhập") in text
    assert ("Mức so sánh: Xã An Hữu mới — bình quân của Xã An Hữu, Xã Hòa Hưng và Xã Mỹ "
            "Lương năm 2024: 61,67 điểm; Xã Long Trung Đông — Xã Long Trung năm 2024: 60,00 "
            "điểm; Xã Long Trung Tây — Xã Long Trung năm 2024: 60,00 điểm.") in text
    # the unit page and the ranking (HTML)
    ctx = sections.setup(2025, raw, processed, unit_id="XA")
    page = sections.unit_header(ctx)._repr_html_()
    assert "điểm so với bình quân các đơn vị trước sáp nhập" in page
    assert "mới thành lập (sáp nhập từ Xã An Hữu, Xã Hòa Hưng và Xã Mỹ Lương)" in page
    ranking = sections.ranking(ctx)._repr_html_()
    assert "Đơn vị mới sáp nhập được so sánh với bình quân" in ranking
    # trend charts draw a group that is gone (huyện, 2024 only) and a year-on-year chart
    # where every xã is new or compared through its predecessors
    trends = sections.group_trends(ctx)
    assert "<img" in trends._repr_html_() or "<svg" in trends._repr_html_()
    assert "<img" in sections.trends(ctx)._repr_html_() or \
        "<svg" in sections.trends(ctx)._repr_html_()


def test_indicators_compare_on_shares_across_frameworks_with_different_totals(results):
    compared = analysis.comparable_indicator_percent(
        results.points, {y: results.rubric(y) for y in results.years})
    xb = compared[compared["unit_id"] == "XB"].set_index("indicator")
    # P1.1: 400 of 400 in 2024 (100 %) and 30 of 40 in 2025 (75 %): −25 points of share
    assert (xb.loc["P1.1", "previous_percent"], xb.loc["P1.1", "percent"],
            xb.loc["P1.1", "change"]) == (100.0, 75.0, -25.0)
    # the maximum changed (400 → 40): comparable only as a share of each year's maximum
    assert not xb.loc["P1.1", "same_max"]
    # tier changes read shares too: S2 from Yếu (40 %) to Tốt (100 %)
    tiers = analysis.tier_changes(results.scores, results.rubric(2025).tier_names)
    s2 = tiers[(tiers["unit_id"] == "S2") & (tiers["year"] == 2025)].iloc[0]
    assert s2["change"] == "từ Yếu lên Tốt"
