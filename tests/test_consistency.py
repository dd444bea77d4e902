"""One set of facts, said the same way everywhere: what the Word documents a department
signs state (read from the .docx, tables included) equals the year's facts and what the
processed tables say, and the HTML page 1 (the annual report notebook, executed) names the
same units and counts.

Rounds (each built once per session, shared by the xdist workers):

- ``demo``: the shipped demo (data/raw), scored into a temporary folder;
- ``knock_on``: the inspectors correct the bandwidth (C2.3, scored against the best of the
  group) of the group's best unit, moving another unit's points; one unit's claims cite no
  evidence; the models rule admits Khá;
- ``partial``: 3 of 10 registered units reported, all 10 did last year;
- ``blank``: a unit sends a mostly blank workbook (it had shortcomings last year) and
  another leaves one answer (C3.3) blank.
"""

from __future__ import annotations

import datetime as dt
import re
import shutil
from collections.abc import Callable
from dataclasses import dataclass
from pathlib import Path

import nbformat
import pandas as pd
import papermill as pm
import pytest
import yaml
from conftest import UNITS, VALID_ANSWERS, write_filled_template, write_registry
from docx import Document
from test_report import NOTEBOOKS, built_once

from cntt_analysis.analysis.evidence import claims_without_evidence
from cntt_analysis.analysis.results import join_renamed
from cntt_analysis.intake.registry import load_registry
from cntt_analysis.intake.rounds import available_years
from cntt_analysis.labels import vn_score, vn_share
from cntt_analysis.rounding import half_up_float
from cntt_analysis.rubric.model import load_rubric
from cntt_analysis.scoring.pipeline import score_round, write_round

ROOT = Path(__file__).resolve().parents[1]
W = "{http://schemas.openxmlformats.org/wordprocessingml/2006/main}"
RUBRIC = load_rubric("2017")
NAMES = {u[0]: u[1] for u in UNITS}
PARTIAL_UNITS = [(f"so-{n}", f"Phòng số {n}", "so", "") for n in range(1, 6)] + [
    (f"h-{n}", f"Phòng TN&MT huyện số {n}", "huyen", "") for n in range(1, 6)]
BLANK = {code: None for code in RUBRIC.inputs if code not in ("G01", "G02", "G03")}
PARTIAL_NOTE = "chưa đầy đủ: mới có"


# --------------------------------------------------------------------------- rounds


def _round_folder(raw: Path, year: int, extra: str = "") -> Path:
    folder = raw / str(year)
    folder.mkdir(parents=True)
    (folder / "round.yaml").write_text(f"deadline: {year}-08-10\nrubric: '2017'\n{extra}",
                                       encoding="utf-8")
    return folder


def _submit(raw: Path, year: int, unit_id: str, name: str, changes: dict | None = None,
            evidence: dict | None = None) -> None:
    data = {**VALID_ANSWERS, "G03": dt.date(year, 8, 1), **(changes or {})}
    write_filled_template(raw / str(year) / f"{unit_id}.xlsx", data, year=year,
                          unit_id=unit_id, unit_name=name, evidence=evidence)


def _department(raw: Path, **overrides) -> None:
    config = yaml.safe_load((ROOT / "data" / "raw" / "department.yaml").read_text("utf-8"))
    config.update(overrides)
    (raw / "department.yaml").write_text(yaml.safe_dump(config, allow_unicode=True),
                                         encoding="utf-8")


def knock_on_raw(raw: Path) -> Path:
    """SO_VP has the group's largest bandwidth per person until the inspectors correct it:
    SO_CCQLDD's C2.3 points then move without any correction of its own figures."""
    raw.mkdir(parents=True)
    write_registry(raw / "units.csv", UNITS)
    _department(raw, models={"tiers": ["Tốt", "Khá"], "max_shortcomings": 40,
                             "max_claims_without_evidence": 0})
    _round_folder(raw, 2016)
    for unit_id, name, _, _ in UNITS:
        _submit(raw, 2016, unit_id, name, {"C4.1": 900 if unit_id == "H_CAILAY" else 950})
    _round_folder(raw, 2017)
    _submit(raw, 2017, "SO_VP", NAMES["SO_VP"], {"C2.3": 40})
    _submit(raw, 2017, "SO_CCQLDD", NAMES["SO_CCQLDD"], {"C2.3": 20})
    _submit(raw, 2017, "H_TANPHUOC", NAMES["H_TANPHUOC"], {"C1.1": "Không"})
    # H_CAILAY cites no evidence for any of its claims: never proposed as a model
    _submit(raw, 2017, "H_CAILAY", NAMES["H_CAILAY"], {"C4.2": 320}, evidence={})
    (raw / "2017" / "inspection.csv").write_text(
        "unit_id,code,verified,reason,inspector\n"
        "SO_VP,C2.3,10,Hợp đồng ghi 10 Mbps,Bình\n", encoding="utf-8")
    return raw


def partial_raw(raw: Path) -> Path:
    """Ten registered units; all reported in 2016, three in 2017."""
    raw.mkdir(parents=True)
    write_registry(raw / "units.csv", PARTIAL_UNITS)
    _department(raw)
    _round_folder(raw, 2016)
    for n, (unit_id, name, _, _) in enumerate(PARTIAL_UNITS):
        _submit(raw, 2016, unit_id, name, {"C4.1": 500 + 50 * n, "C4.2": 100 + 30 * n})
    _round_folder(raw, 2017)
    for unit_id, name, _, _ in (PARTIAL_UNITS[0], PARTIAL_UNITS[1], PARTIAL_UNITS[5]):
        _submit(raw, 2017, unit_id, name, {"C4.1": 300, "C1.1": "Không"})
    return raw


def blank_raw(raw: Path) -> Path:
    """H_TANPHUOC (weak in 2016) sends a mostly blank workbook in 2017; SO_VP leaves C3.3
    blank."""
    raw.mkdir(parents=True)
    write_registry(raw / "units.csv", UNITS)
    _department(raw)
    _round_folder(raw, 2016)
    for unit_id, name, _, _ in UNITS:
        weak = {"C1.1": "Không", "C4.1": 100, "C3.4": 0} if unit_id == "H_TANPHUOC" else {}
        _submit(raw, 2016, unit_id, name, weak)
    _round_folder(raw, 2017)
    for unit_id, name, _, _ in UNITS:
        changes = (BLANK if unit_id == "H_TANPHUOC" else {"C3.3": None}
                   if unit_id == "SO_VP" else {})
        _submit(raw, 2017, unit_id, name, changes)
    return raw


def demo_raw(raw: Path) -> Path:
    shutil.copytree(ROOT / "data" / "raw", raw)
    return raw


SCENARIOS: dict[str, Callable[[Path], Path]] = {
    "demo": demo_raw, "knock_on": knock_on_raw, "partial": partial_raw, "blank": blank_raw}


@dataclass(frozen=True)
class Built:
    name: str
    raw: Path
    processed: Path
    documents: Path
    page_one: str          # the HTML report's page 1, as text

    @property
    def year(self) -> int:
        return 2017

    def report(self) -> str:
        return docx_text(self.documents / f"bao-cao-{self.year}.docx")

    def notice(self, unit_id: str) -> str:
        return docx_text(self.documents / "thong-bao" / f"{unit_id}.docx")

    def table(self, name: str) -> pd.DataFrame:
        return pd.read_parquet(self.processed / str(self.year) / f"{name}.parquet")

    def facts(self):
        from cntt_analysis.report.facts import load_facts

        return load_facts(self.raw, self.processed, self.year)


def html_text(html: str) -> str:
    import html as entities

    html = re.sub(r"<(style|script)\b.*?</\1>", " ", html, flags=re.S)
    html = re.sub(r"<img[^>]*>", " ", html)
    html = re.sub(r"</(p|li|div|h\d|tr)>", "\n", html)
    return entities.unescape(re.sub(r"<[^>]+>", " ", html))


def page_one(executed: Path) -> str:
    """Page 1 of the annual report (the cover and the summary cell's output) as text, one
    block (paragraph, list item, table row) per line."""
    nb = nbformat.read(executed, as_version=4)
    for cell in nb.cells:
        for out in cell.get("outputs", []):
            html = out.get("data", {}).get("text/html", "")
            if "Tóm tắt kết quả" in html:
                cover = "".join(o.get("data", {}).get("text/html", "")
                                for c in nb.cells for o in c.get("outputs", [])
                                if "cover" in o.get("data", {}).get("text/html", ""))
                lines = (" ".join(line.split()) for line in html_text(cover + html).splitlines())
                return "\n".join(line for line in lines if line)
    raise AssertionError("no page 1 in the executed annual report")


def build(name: str, root: Path) -> dict:
    from cntt_analysis.report.word.documents import write_documents

    raw = SCENARIOS[name](root / "raw")
    processed = root / "processed"
    for year in available_years(raw):
        write_round(score_round(raw, year, progress=False), processed, raw)
    write_documents(2017, raw, processed, root / "van-ban")
    executed = root / "06-annual-report.ipynb"
    pm.execute_notebook(str(NOTEBOOKS / "06-annual-report.ipynb"), str(executed),
                        parameters={"year": 2017, "raw_dir": str(raw),
                                    "processed_dir": str(processed)},
                        kernel_name="python3", progress_bar=False, cwd=str(root))
    return {"page_one": page_one(executed)}


@pytest.fixture(scope="session", params=list(SCENARIOS))
def built(request, tmp_path_factory) -> Built:
    root, state = built_once(tmp_path_factory, f"consistency-{request.param}",
                             lambda folder: build(request.param, folder))
    return Built(request.param, root / "raw", root / "processed", root / "van-ban",
                 state["page_one"])


def scenario(name: str):
    """The fixture `built`, for one scenario only."""
    return pytest.mark.parametrize("built", [name], indirect=True)


# --------------------------------------------------------------------------- reading


def docx_text(path: Path) -> str:
    """Every paragraph of the body (tables included) and of the page headers, one per line."""
    doc = Document(path)
    lines = ["".join(t.text or "" for t in p.iter(f"{W}t"))
             for p in doc.element.body.iter(f"{W}p")]
    for section in doc.sections:
        for header in (section.header, section.first_page_header):
            lines += [p.text for p in header.paragraphs]
    return "\n".join(line for line in lines if line.strip())


def docx_tables(path: Path, first_header: str) -> list[list[list[str]]]:
    found = []
    for table in Document(path).tables:
        rows = [[c.text for c in r.cells] for r in table.rows]
        if rows and rows[0][0] == first_header:
            found.append(rows)
    return found


def table_after(path: Path, headers: list[str]) -> list[list[str]]:
    """The body rows of the table whose header row is exactly `headers`."""
    for table in Document(path).tables:
        rows = [[c.text for c in r.cells] for r in table.rows]
        if rows and rows[0] == headers:
            return rows[1:]
    return []


def flat(text: str) -> str:
    return " ".join(text.split())


def names_in(text: str, names) -> set[str]:
    """Which of `names` appear in `text` (longest first, so "Phòng A" is not found inside
    "Phòng A B")."""
    found = set()
    for name in sorted(names, key=len, reverse=True):
        if name in text:
            found.add(name)
            text = text.replace(name, "")
    return found


def sentence(text: str, start: str) -> str:
    """The line of `text` starting with `start`."""
    found = [line for line in text.splitlines() if line.startswith(start)]
    assert found, f"no line starting with {start!r}"
    return found[0]


# --------------------------------------------------------------------------- independently


def direct_corrections(built: Built) -> pd.DataFrame:
    audit = built.table("corrections")
    return audit[audit["kind"] == "correction"]


def knock_on_rows(built: Built) -> pd.DataFrame:
    audit = built.table("corrections")
    return audit[audit["kind"] == "knock_on"]


def all_names(built: Built) -> dict[str, str]:
    registry = pd.read_csv(built.raw / "units.csv", dtype=str)
    return dict(zip(registry["unit_id"], registry["name"]))


# --------------------------------------------------------------------------- the test


def mostly_blank(built: Built) -> dict[str, tuple[int, int]]:
    """unit_id → (required answers left blank, required answers), for units that left more
    than half blank (department.yaml's default share)."""
    answers = built.table("answers")
    required = [c for c, i in RUBRIC.inputs.items() if i.required]
    blank = answers[answers["code"].isin(required)
                    & ((answers["status"] == "empty")
                       | answers["problem"].isin(["required", "answer_not_found"]))]
    counts = blank.groupby("unit_id").size()
    return {u: (int(n), len(required)) for u, n in counts.items() if n * 2 > len(required)}


def test_documents_and_page_one_agree_with_the_processed_tables(built):
    """Every count, unit name, correction, decision, partial/draft state and score change
    the Word documents state agrees with the processed tables, and page 1 of the HTML report
    names the same units (computed here from the tables, not from the facts)."""
    names = all_names(built)
    report = built.report()
    flat_report = flat(report)
    page = built.page_one
    scores = built.table("scores").set_index("unit_id")
    documents = sorted(built.documents.rglob("*.docx"))
    path = built.documents / "bao-cao-2017.docx"

    # who reported
    register = built.table("register")
    units = register[register["status"].isin(["Đã nộp", "Nộp muộn", "Chưa nộp"])]
    reported = int(units["status"].isin(["Đã nộp", "Nộp muộn"]).sum())
    assert (f"Đối tượng: {len(units)} phòng, đơn vị thuộc Sở và Phòng Tài nguyên và Môi "
            f"trường cấp huyện; {reported} đơn vị đã gửi báo cáo, {len(scores)} đơn vị có báo "
            "cáo được chấm điểm.") in report
    assert f"{len(scores)}\nđơn vị được chấm điểm" in page

    # partial (at most half the registered units reported) and draft, in every document
    partial = reported * 2 <= len(units)
    for doc in documents:
        text = docx_text(doc)
        assert "DỰ THẢO" in text, doc.name
        assert (PARTIAL_NOTE in text) == partial, doc.name
    assert (PARTIAL_NOTE in page) == partial
    assert "DỰ THẢO" in page

    # corrections: the inspectors' only; knock-on points apart, never as corrections
    fixes = direct_corrections(built)
    count, units_fixed = len(fixes), fixes["unit_id"].nunique()
    if count:
        assert f"Đoàn kiểm tra đã điều chỉnh {count} số liệu của {units_fixed} đơn vị" \
            in flat_report
        assert (f"Thông qua kết quả kiểm tra, thẩm định: {count} số liệu của {units_fixed} "
                "đơn vị được điều chỉnh.") in page
        rows = table_after(path, ["Đơn vị", "Mục (ô)", "Đơn vị báo cáo", "Kiểm tra", "Điểm",
                                  "Lý do"])
        assert sorted(r[0] for r in rows) == sorted(fixes["name"])
    else:
        assert "số liệu được điều chỉnh" not in page
    for row in knock_on_rows(built).itertuples():
        notice = flat(built.notice(row.unit_id))
        if row.unit_id not in set(fixes["unit_id"]):
            assert "đã điều chỉnh" not in notice
            assert "Đoàn kiểm tra không điều chỉnh số liệu đơn vị báo cáo." in notice
        assert (f"Điểm chỉ tiêu {row.indicators} "
                f"{'tăng' if row.points_after > row.points_before else 'giảm'} từ "
                f"{vn_score(row.points_before)}") in notice

    # units directed to remedy and proposed as models: the same in §II.1, §III and page 1
    blank = mostly_blank(built)
    remedy = table_after(path, ["TT", "Đơn vị", "Điểm", "Lý do", "Đề xuất khắc phục"])
    directed = {r[1] for r in remedy}
    if directed:
        assert f"Có {len(directed)} đơn vị xếp loại" in sentence(report, f"Có {len(directed)} ")
        asked = sentence(page, f"Yêu cầu {len(directed)} đơn vị khắc phục")
        assert names_in(asked, names.values()) == directed
    assert not {names[u] for u in blank} & directed
    models = {r[1] for r in table_after(path, ["TT", "Đơn vị", "Điểm", "Xếp loại",
                                               "Số tồn tại", "Nội dung có kiểm chứng"])}
    commended = [s for s in page.splitlines() if s.startswith("Biểu dương")]
    assert names_in(" ".join(commended), names.values()) == models
    assert not models & directed and not models & {names[u] for u in blank}
    evidence = claims_without_evidence(built.table("answers"), RUBRIC, 2017)
    lacking = set(evidence.loc[evidence["without_evidence"] > 0, "unit_id"])
    assert not models & {names[u] for u in lacking}

    # score changes: per unit against its own previous score; group means over the units
    # of both years only
    earlier = join_renamed(pd.concat(
        pd.read_parquet(built.processed / str(y) / "scores.parquet")
        for y in available_years(built.raw) if y < 2017), load_registry(built.raw / "units.csv"))
    for unit_id, row in scores.iterrows():
        notice = flat(built.notice(unit_id))
        mine = earlier[earlier["unit_id"] == unit_id]
        assert f"Tổng điểm: {vn_score(row['score'])}/100 điểm" in notice
        if mine.empty:
            assert "chưa có kết quả năm trước" in notice
            continue
        last = mine[mine["year"] == mine["year"].max()].iloc[0]
        change = round(row["score"] - last["score"], 2)
        moved_text = ("không đổi" if change == 0 else
                      f"{'tăng' if change > 0 else 'giảm'} {vn_score(abs(change))} điểm")
        assert (f"So với năm {int(last['year'])}: điểm {moved_text} (năm {int(last['year'])}: "
                f"{vn_score(last['score'])} điểm)") in notice, unit_id
    for group in RUBRIC.groups:
        now = scores[scores["group"] == group]
        then = earlier[earlier["group"] == group]
        if now.empty or then.empty:
            continue
        then = then[then["year"] == then["year"].max()]
        common = sorted(set(now.index) & set(then["unit_id"]) - set(blank))
        said = sentence(report, f"{RUBRIC.group_label(group)}: {len(now)} đơn vị")
        if not common:
            continue
        before = half_up_float(then[then["unit_id"].isin(common)]["score"].mean())
        assert f"({vn_score(before)})" in said or f"từ {vn_score(before)} " in said, said
        if len(common) < len(now) or len(common) < len(then):
            assert f"ở {len(common)} đơn vị có kết quả cả hai năm" in said

    # mostly blank submissions: said to be incomplete, asked to complete, not to remedy
    for unit_id, (missing, required) in blank.items():
        notice = built.notice(unit_id)
        assert f"bỏ trống {missing}/{required} mục bắt buộc" in notice
        assert "Tồn tại, hạn chế và yêu cầu khắc phục" not in notice
        assert "khắc phục các tồn tại" not in notice
        assert names[unit_id] in sentence(report, f"Có {len(blank)} đơn vị gửi báo cáo bỏ trống")
        assert names[unit_id] in sentence(page, f"Yêu cầu {len(blank)} đơn vị bổ sung báo cáo")

    # the five indicators that lost most: in the order of the share shown, one format
    rows = table_after(path, ["Mã", "Nội dung", "Số đơn vị mất điểm", "Tỷ lệ điểm mất"])
    shown = [float(r[3].rstrip("%").replace(",", ".")) for r in rows]
    assert rows and shown == sorted(shown, reverse=True)
    assert all(re.fullmatch(r"\d+,\d%", r[3]) for r in rows)


def test_documents_state_the_facts(built):
    """The units, counts and states the documents name are the year's facts."""
    facts = built.facts()
    path = built.documents / "bao-cao-2017.docx"
    assert facts.partial == (PARTIAL_NOTE in built.report())
    assert (facts.registered, facts.reported) == (
        len(facts.units), int(facts.units["status"].isin(["Đã nộp", "Nộp muộn"]).sum()))
    fixes = direct_corrections(built)
    assert (len(facts.corrections), facts.corrected_units) == (
        len(fixes), fixes["unit_id"].nunique())
    assert sorted(facts.knock_on["unit_id"]) == sorted(knock_on_rows(built)["unit_id"])
    remedy = table_after(path, ["TT", "Đơn vị", "Điểm", "Lý do", "Đề xuất khắc phục"])
    assert [r[1] for r in remedy] == list(facts.remedy["name"])
    models = table_after(path, ["TT", "Đơn vị", "Điểm", "Xếp loại", "Số tồn tại",
                                "Nội dung có kiểm chứng"])
    assert [r[1] for r in models] == list(facts.models["name"])
    for row in facts.models.itertuples():
        assert row.claims_without_evidence <= facts.policy.max_claims_without_evidence
        assert row.shortcomings <= facts.policy.max_shortcomings
        assert row.tier in facts.policy.model_tiers and not row.incomplete
    assert set(facts.incomplete["unit_id"]) == set(mostly_blank(built))
    weakest = table_after(path, ["Mã", "Nội dung", "Số đơn vị mất điểm", "Tỷ lệ điểm mất"])
    assert [r[0] for r in weakest] == list(facts.weakest_indicators["indicator"].head(5))
    assert [r[3] for r in weakest] == [vn_share(p) for p in
                                       facts.weakest_indicators["lost_percent"].head(5)]


# --------------------------------------------------------------------------- issue items


@scenario("knock_on")
def test_report_counts_the_inspectors_corrections_only(built):
    """Issue 14, item 1: the Word report said "điều chỉnh 14 số liệu của 13 đơn vị" where
    the inspectors changed 4 figures of 4 units (knock-on rows counted as corrections)."""
    report = flat(built.report())
    assert "Đoàn kiểm tra đã điều chỉnh 1 số liệu của 1 đơn vị" in report
    rows = docx_tables(built.documents / "bao-cao-2017.docx", "Đơn vị")
    corrected = [r for rows_ in rows for r in rows_[1:] if len(r) == 6]
    assert [r[0] for r in corrected] == [NAMES["SO_VP"]]
    assert "C2.3" in report and NAMES["SO_CCQLDD"] in report  # shown, as knock-on
    assert ("làm thay đổi điểm chỉ tiêu C2.3 của 1 đơn vị khác" in report)


@scenario("knock_on")
def test_a_notice_never_says_figures_were_corrected_when_they_were_not(built):
    """Issue 14, item 2: the notice of a unit whose points moved only because another
    unit's figure was corrected said "Đoàn kiểm tra đã điều chỉnh 1 số liệu đơn vị báo cáo"
    with an empty row."""
    notice = flat(built.notice("SO_CCQLDD"))
    assert "đã điều chỉnh" not in notice
    assert "Đoàn kiểm tra không điều chỉnh số liệu đơn vị báo cáo." in notice
    assert (f"Điểm chỉ tiêu C2.3 tăng từ 1,50 lên 3,00 do điều chỉnh số liệu của "
            f"{NAMES['SO_VP']}") in notice
    assert "Đoàn kiểm tra đã điều chỉnh 1 số liệu đơn vị báo cáo" in flat(built.notice("SO_VP"))


@scenario("knock_on")
def test_page_one_and_the_report_propose_the_same_models_with_evidence(built):
    """Issue 14, item 3: page 1 proposed 2 units, the Word report 3; one had no claim
    backed by evidence."""
    page = built.page_one
    rows = table_after(built.documents / "bao-cao-2017.docx",
                       ["TT", "Đơn vị", "Điểm", "Xếp loại", "Số tồn tại",
                        "Nội dung có kiểm chứng"])
    proposed = {r[1] for r in rows}
    commended = " ".join(s for s in page.splitlines() if s.startswith("Biểu dương"))
    assert proposed and names_in(commended, NAMES.values()) == proposed
    assert NAMES["H_CAILAY"] not in proposed                   # no evidence for its claims
    assert NAMES["H_CAILAY"] not in commended
    scores = built.table("scores").set_index("unit_id")
    assert scores.loc["H_CAILAY", "tier"] in ("Tốt", "Khá")  # the rule's tiers


@scenario("partial")
def test_a_partial_round_is_said_in_every_word_document(built):
    """Issue 14, item 4: 4 of 22 units reported; page 1 said the results were provisional,
    the Word report stated the group means' changes as fact with no warning."""
    said = "Đợt đánh giá năm 2017 chưa đầy đủ: mới có 3/10 đơn vị nộp báo cáo."
    documents = sorted(built.documents.rglob("*.docx"))
    assert len(documents) == 1 + 3 + 1        # report, three notices, the reminder
    for path in documents:
        assert said in flat(docx_text(path)), path.name
    report = flat(built.report())
    assert "so sánh được với năm 2016 ở 2 đơn vị có kết quả cả hai năm" in report
    assert said in built.page_one


@scenario("blank")
def test_blank_answers_are_missing_data_not_shortcomings(built):
    """Issue 14, item 5: a mostly blank file got 33 "tồn tại" each with a remedy, its
    follow-up said "Chưa khắc phục tồn tại nào" and page 1 asked to direct it to remedy;
    a unit that left C3.3 blank was told to train its staff on computers."""
    blank = flat(built.notice("H_TANPHUOC"))
    assert re.search(r"bỏ trống \d+/\d+ mục bắt buộc", blank)
    assert "Tồn tại, hạn chế và yêu cầu khắc phục" not in blank
    assert "khắc phục các tồn tại" not in blank
    assert "bổ sung các mục còn bỏ trống" in blank
    assert "chưa có số liệu" in blank            # last year's shortcomings: no figures now
    report = built.report()
    remedy = table_after(built.documents / "bao-cao-2017.docx",
                         ["TT", "Đơn vị", "Điểm", "Lý do", "Đề xuất khắc phục"])
    assert NAMES["H_TANPHUOC"] not in {r[1] for r in remedy}
    assert "Đơn vị chưa khắc phục được tồn tại nào" not in report or (
        NAMES["H_TANPHUOC"] not in sentence(report, "Đơn vị chưa khắc phục được tồn tại nào"))
    page = built.page_one
    asked = [s for s in page.splitlines() if s.startswith("Yêu cầu") and "khắc phục" in s]
    assert not any(NAMES["H_TANPHUOC"] in s for s in asked)
    assert any(NAMES["H_TANPHUOC"] in s for s in page.splitlines()
               if "bỏ trống phần lớn" in s)
    # last year's comparison leaves the mostly blank submission out of the group's mean
    assert ("so sánh được với năm 2016 ở 1 đơn vị có kết quả cả hai năm (không tính 1 đơn vị "
            "bỏ trống phần lớn số liệu)") in sentence(report, "Khối Phòng TN&MT cấp huyện: 2")
    one = flat(built.notice("SO_VP"))
    assert "C3.3 Số CBCCVC sử dụng thành thạo máy tính" in one     # the missing answer
    assert "Bồi dưỡng kỹ năng sử dụng máy tính" not in one          # not a shortcoming
    shortcomings = built.table("shortcomings")
    assert not ((shortcomings["unit_id"] == "SO_VP") & (shortcomings["indicator"] == "C3.3")
                ).any()


@scenario("blank")
def test_blank_answers_still_score_as_the_rubric_says(built):
    """Only what is said about blank answers changed: they score 0 points."""
    points = built.table("points").set_index(["unit_id", "indicator"])
    assert points.loc[("SO_VP", "C3.3"), "points"] in (0, None) or pd.isna(
        points.loc[("SO_VP", "C3.3"), "points"])
    scores = built.table("scores").set_index("unit_id")
    assert scores.loc["H_TANPHUOC", "score"] < 10


@scenario("demo")
def test_word_tables_share_one_number_format_and_order(built):
    """Issue 14, Word details: the five weakest contents were not sorted by the percentage
    shown, and "46%" sat beside "42,3%"."""
    rows = table_after(built.documents / "bao-cao-2017.docx",
                       ["Mã", "Nội dung", "Số đơn vị mất điểm", "Tỷ lệ điểm mất"])
    assert len(rows) == 5
    shown = [r[3] for r in rows]
    assert all(re.fullmatch(r"\d+,\d%", s) for s in shown), shown
    values = [float(s[:-1].replace(",", ".")) for s in shown]
    assert values == sorted(values, reverse=True)
    notice = built.documents / "thong-bao" / "vp-so.docx"
    criteria = table_after(notice, ["Mã", "Tiêu chí", "Tỷ lệ điểm đạt"])
    scores = built.table("scores").set_index("unit_id")
    assert [r[2] for r in criteria] == [vn_share(scores.loc["vp-so", c.code])
                                        for c in RUBRIC.criteria]


@scenario("demo")
def test_a_reminder_to_one_unit_speaks_to_that_unit(built):
    """Issue 14, Word details: the reminder to one unit said "đề nghị Thủ trưởng các đơn
    vị"."""
    text = flat(docx_text(built.documents / "don-doc-2017.docx"))
    assert "Kính gửi: Trung tâm Kỹ thuật Tài nguyên và Môi trường" in text
    assert "Thủ trưởng các đơn vị" not in text and "đề nghị Thủ trưởng đơn vị" in text


@scenario("knock_on")
def test_a_unit_profile_never_says_figures_were_corrected_when_they_were_not(built):
    """Issue 14, item 2 on the HTML side: the profile of a unit whose points moved because
    of another unit's correction listed it under "Số liệu được điều chỉnh sau kiểm tra"."""
    from cntt_analysis.report.html import sections

    ctx = sections.setup(2017, built.raw, built.processed, unit_id="SO_CCQLDD")
    header = html_text(sections.unit_header(ctx)._repr_html_())
    details = html_text(sections.unit_details(ctx)._repr_html_())
    assert (f"do điều chỉnh số liệu của {NAMES['SO_VP']}; số liệu của đơn vị không bị điều "
            "chỉnh") in " ".join(header.split())
    assert "Số liệu được điều chỉnh" not in details and "Đơn vị báo cáo" not in details
    assert (f"Điểm chỉ tiêu C2.3 tăng từ 1,50 lên 3,00 do điều chỉnh số liệu của "
            f"{NAMES['SO_VP']}") in " ".join(details.split())


def test_a_notice_asks_for_the_evidence_its_claims_lack(built):
    """A unit's notice lists each claim whose evidence is missing (recomputed from the
    answers) and asks the unit to add it; a unit with every claim backed is not asked."""
    from cntt_analysis.intake.rounds import load_round

    rubric = load_round(built.raw, built.year).rubric
    counts = claims_without_evidence(built.table("answers"), rubric, built.year)
    lacking = {r.unit_id: r.codes_without_evidence.split(", ")
               for r in counts.itertuples() if r.without_evidence}
    notices = sorted((built.documents / "thong-bao").glob("*.docx"))
    assert notices
    asked = 0
    for path in notices:
        rows = table_after(path, ["Mục", "Đơn vị trả lời", "Tài liệu đơn vị đã nêu"])
        expected = lacking.get(path.stem, [])
        assert [r[0].split()[0] for r in rows] == expected, path.name
        assert all(r[2] == "Chưa nêu" for r in rows)
        said = "bổ sung tài liệu kiểm chứng cho các nội dung kê khai" in docx_text(path)
        assert said == bool(expected), path.name
        asked += bool(expected)
    assert asked == len([u for u in lacking if (built.documents / "thong-bao" /
                                                f"{u}.docx").exists()])
    if built.name == "demo":
        assert asked >= 3  # the demo's weaker units leave claims unproven
