"""The Word documents come from templates a clerk edits (issue 15, item 4): the shipped
defaults are what their builder makes, every field they use is documented and given, a
clerk's own template replaces a default, unit-supplied text prints as typed, and a
template a clerk broke is a clear Vietnamese error naming the file.

The round: two units, one of which is named with Jinja, docxtpl and XML markup; one unit
does not report (the reminder).
"""

from __future__ import annotations

import datetime as dt
import hashlib
import shutil
from pathlib import Path

import pytest
from conftest import VALID_ANSWERS, write_filled_template, write_registry
from docx import Document
from docxtpl import DocxTemplate
from typer.testing import CliRunner

from cntt_analysis.cli import app
from cntt_analysis.errors import UsageError
from cntt_analysis.report.facts import load_facts, load_particulars
from cntt_analysis.report.word import context as C
from cntt_analysis.report.word import default_templates as D
from cntt_analysis.report.word import docx_format as fmt
from cntt_analysis.report.word import templates as T
from cntt_analysis.report.word.documents import write_documents
from cntt_analysis.rubric.model import load_rubric
from cntt_analysis.scoring.pipeline import score_round, write_round

ROOT = Path(__file__).resolve().parents[1]
YEAR = 2017
W = "{http://schemas.openxmlformats.org/wordprocessingml/2006/main}"
# Markup of every kind a unit's name could carry into a template's XML.
NASTY = ("{{ co_quan.ten }} {% if true %}x{% endif %} {_{ y }_} {%p endif %} <w:t>&amp; "
         "=cmd|' /C calc'!A0")
REGISTRY = [("SO_VP", "Văn phòng Sở", "so", ""), ("SO_X", NASTY, "so", ""),
            ("H_MISSING", "Phòng chưa nộp", "huyen", "")]


@pytest.fixture(scope="module")
def round_(tmp_path_factory):
    root = tmp_path_factory.mktemp("word-templates")
    raw = root / "raw"
    (raw / str(YEAR)).mkdir(parents=True)
    write_registry(raw / "units.csv", REGISTRY)
    (raw / str(YEAR) / "round.yaml").write_text(f"deadline: {YEAR}-08-10\nrubric: '2017'\n",
                                                "utf-8")
    shutil.copy(ROOT / "data" / "raw" / "department.yaml", raw / "department.yaml")
    for unit_id, name, _, _ in REGISTRY[:2]:
        write_filled_template(raw / str(YEAR) / f"{unit_id}.xlsx",
                              {**VALID_ANSWERS, "G03": dt.date(YEAR, 8, 1)}, year=YEAR,
                              unit_id=unit_id, unit_name=name)
    processed = root / "processed"
    write_round(score_round(raw, YEAR, progress=False), processed, raw)
    return raw, processed


def text(path: Path) -> str:
    doc = Document(path)
    lines = ["".join(t.text or "" for t in p.iter(f"{W}t")) for p in doc.element.body.iter(f"{W}p")]
    for section in doc.sections:
        for header in (section.header, section.first_page_header):
            lines += [p.text for p in header.paragraphs]
    return "\n".join(line for line in lines if line.strip())


def copy_round(round_, tmp_path) -> tuple[Path, Path]:
    raw, processed = tmp_path / "raw", tmp_path / "processed"
    shutil.copytree(round_[0], raw)
    shutil.copytree(round_[1], processed, symlinks=True)
    return raw, processed


# --------------------------------------------------------------------------- the defaults


@pytest.mark.parametrize("kind", list(D.FILES))
def test_shipped_templates_are_what_the_builder_makes(kind):
    assert T.default_template(kind).read_bytes() == D.template_bytes(kind)


def flatten(value, prefix: str = "") -> set[str]:
    """Field names as FIELDS writes them: a.b, a[], a[].b."""
    names: set[str] = set()
    if isinstance(value, dict):
        for key, item in value.items():
            name = f"{prefix}.{key}" if prefix else key
            names.add(name) if not isinstance(item, (dict, list)) else None
            names |= flatten(item, name) if isinstance(item, (dict, list)) else set()
    elif isinstance(value, list):
        names.add(f"{prefix}[]")
        for item in value:
            names |= flatten(item, f"{prefix}[]") if isinstance(item, (dict, list)) else set()
    return names


def test_every_field_is_documented_given_and_used(round_):
    raw, processed = round_
    facts = load_facts(raw, processed, YEAR)
    config = load_particulars(raw, YEAR)
    rubric = load_rubric("2017")
    contexts = {C.REPORT: [C.report_context(facts, config, rubric)],
                C.NOTICE: [C.notice_context(facts, config, rubric, u)
                           for u in facts.scores["unit_id"]],
                C.REMINDER: [C.reminder_context(facts, config)]}
    for kind, given in contexts.items():
        documented = {name for name, _ in C.FIELDS[kind]}
        seen = set().union(*(flatten(c) for c in given))
        assert seen <= documented, (kind, seen - documented)
        # what was not seen is an item of a list that is empty in this round
        unseen = documented - seen
        assert all("[]." in name for name in unseen), (kind, unseen)
        # every field the default template names is one the context gives
        used = DocxTemplate(T.default_template(kind)).get_undeclared_template_variables(T._ENV)
        assert used <= set(given[0]), (kind, used - set(given[0]))
        assert len(used) > 10


def test_the_guide_and_the_readme_list_every_field(tmp_path):
    readme = (ROOT / "README.md").read_text("utf-8")
    assert T.fields_markdown() in readme
    guide = Document(fmt.save(T.guide_document(), tmp_path / "g.docx"))
    cells = {c.text for t in guide.tables for r in t.rows for c in r.cells}
    for kind in C.FIELDS:
        for name, meaning in C.FIELDS[kind]:
            assert T._written(name) in cells and meaning in cells, name


# --------------------------------------------------------------------------- filling


def test_unit_supplied_text_prints_as_typed(round_, tmp_path):
    raw, processed = round_
    paths = write_documents(YEAR, raw, processed, tmp_path / "vb")
    notice = tmp_path / "vb" / "thong-bao" / "SO_X.docx"
    said = text(notice)
    assert f"Kính gửi: {NASTY}" in said                     # not rendered, not unescaped
    assert f"- {NASTY};" in said                             # in the recipients too
    assert NASTY in text(tmp_path / "vb" / f"bao-cao-{YEAR}.docx")
    body = Document(notice).element.body
    assert not list(body.iter(f"{W}instrText")) and not list(body.iter(f"{W}fldSimple"))
    again = write_documents(YEAR, raw, processed, tmp_path / "again")
    digest = [hashlib.sha256(p.read_bytes()).hexdigest() for p in paths]
    assert digest == [hashlib.sha256(p.read_bytes()).hexdigest() for p in again]


def test_rules_under_the_issuer_and_the_summary_fit_the_filled_text(round_, tmp_path):
    raw, processed = round_
    write_documents(YEAR, raw, processed, tmp_path / "vb")
    for path, issuer in ((tmp_path / "vb" / f"bao-cao-{YEAR}.docx",
                          "TRUNG TÂM CÔNG NGHỆ\nTHÔNG TIN"),
                         (tmp_path / "vb" / "thong-bao" / "SO_VP.docx",
                          "SỞ TÀI NGUYÊN VÀ MÔI TRƯỜNG")):
        doc = Document(path)
        cell = doc.tables[0].rows[0].cells[0]
        rule = next(p for p in cell.paragraphs if not p.text and p._p.pPr is not None
                    and p._p.pPr.find(f"{W}pBdr") is not None)
        side = (fmt.HEADING_COLUMNS_MM[0] - fmt.issuer_rule_mm(issuer)) / 2
        assert rule.paragraph_format.left_indent.mm == pytest.approx(side, abs=0.1)
        summary = "Kết quả kiểm tra, đánh giá ứng dụng công nghệ thông tin\nnăm 2017"
        line = next(p for p in doc.paragraphs if not p.text and p._p.pPr is not None
                    and p._p.pPr.find(f"{W}pBdr") is not None)
        side = (fmt.TEXT_WIDTH_MM - fmt.summary_rule_mm(summary)) / 2
        assert line.paragraph_format.left_indent.mm == pytest.approx(side, abs=0.1)


def test_a_table_wider_than_the_text_is_narrowed_to_it():
    doc = fmt.new_document("t", "a", False)
    widths = [14, 53, *[12] * 8, 16, 22]                  # eight criteria: 201 mm
    fmt.data_table(doc, [str(i) for i in range(12)], [["x"] * 12], widths)
    fmt.data_table(doc, ["a", "b"], [["x", "y"]], [50, 60])  # narrower: left as it is
    fmt.fit_tables(doc)
    wide, narrow = doc.tables
    grid = [int(c.get(f"{W}w")) for c in wide._tbl.tblGrid.findall(f"{W}gridCol")]
    text_twips = fmt.Mm(fmt.TEXT_WIDTH_MM).twips
    assert text_twips - 12 <= sum(grid) <= text_twips
    assert grid[1] / grid[0] == pytest.approx(53 / 14, rel=0.01)
    cells = [c.width.twips for c in wide.rows[1].cells]
    assert cells == grid
    assert [round(c.width.mm) for c in narrow.rows[0].cells] == [50, 60]


# --------------------------------------------------------------------------- a clerk's own


def own_notice(raw: Path, name: str = "thong-bao.docx", change=None) -> Path:
    """The default notice, one sentence reworded as a clerk would in Word."""
    doc = Document(T.default_template("notice"))
    for paragraph in doc.paragraphs:
        if paragraph.text.startswith("Căn cứ kết quả kiểm tra"):
            paragraph.runs[0].text = (change or "Theo {{ danh_gia.ke_hoach }}, "
                                      "{{ co_quan.ten_day_du }} xin thông báo:")
            for run in paragraph.runs[1:]:
                run.text = ""
    target = raw / T.FOLDER / name
    target.parent.mkdir(parents=True, exist_ok=True)
    doc.save(target)
    return target


def test_a_clerks_template_replaces_the_default(round_, tmp_path):
    raw, processed = copy_round(round_, tmp_path)
    own_notice(raw)
    write_documents(YEAR, raw, processed, tmp_path / "vb")
    said = text(tmp_path / "vb" / "thong-bao" / "SO_VP.docx")
    assert ("Theo Kế hoạch kiểm tra, đánh giá kết quả ứng dụng công nghệ thông tin năm 2017, "
            "Sở Tài nguyên và Môi trường tỉnh Hòa An xin thông báo:") in said
    assert "Căn cứ kết quả kiểm tra" not in said
    assert "Căn cứ" not in text(tmp_path / "vb" / f"bao-cao-{YEAR}.docx")  # the default
    result = CliRunner().invoke(app, ["documents", "--year", YEAR, "--raw", raw,
                                      "--processed", processed, "--reports", tmp_path / "r"])
    assert result.exit_code == 0, result.output
    assert f"Theo mẫu văn bản của đơn vị: {raw / T.FOLDER / 'thong-bao.docx'}" in result.output


def test_department_yaml_may_point_to_a_template_inside_data_raw(round_, tmp_path):
    raw, processed = copy_round(round_, tmp_path)
    own_notice(raw, "tb-2017.docx", "Mẫu riêng của năm {{ nam }}.")
    config = raw / "department.yaml"
    config.write_text(config.read_text("utf-8")
                      + "templates: {notice: mau-van-ban/tb-2017.docx}\n", "utf-8")
    write_documents(YEAR, raw, processed, tmp_path / "vb")
    assert "Mẫu riêng của năm 2017." in text(tmp_path / "vb" / "thong-bao" / "SO_VP.docx")
    for given, said in (("../ngoai.docx", "phải là đường dẫn trong thư mục"),
                        ("mau-van-ban/khong-co.docx", "nhưng không có tệp")):
        config.write_text(config.read_text("utf-8").rsplit("templates:", 1)[0]
                          + f"templates: {{notice: {given}}}\n", "utf-8")
        with pytest.raises(UsageError, match=said) as caught:
            write_documents(YEAR, raw, processed, tmp_path / "vb")
        assert "department.yaml" in str(caught.value) and "'templates: notice'" in str(caught.value)


@pytest.mark.parametrize(("sentence", "said"), [
    ("Gửi {{ co_quann.ten }}.", "dùng trường không có: {{ co_quann }} (có phải “co_quan”?)"),
    ("Gửi {{ co_quan.tenn }}.", "dùng trường không có: “tenn”"),
    ("{% if du_thao %}Dự thảo.", "thiếu thẻ đóng {% endif %}"),
    ("Gửi {{ co_quan.ten }.", "có lỗi cú pháp"),
    ("{% for x in kinh_gui %}", "có lỗi cú pháp"),
    ("{{ ''.__class__.__mro__ }}", "lệnh không được phép"),
])
def test_a_broken_template_names_the_file_and_the_problem(round_, tmp_path, sentence, said):
    raw, processed = copy_round(round_, tmp_path)
    path = own_notice(raw, change=sentence)
    with pytest.raises(UsageError) as caught:
        write_documents(YEAR, raw, processed, tmp_path / "vb")
    message = str(caught.value)
    assert str(path) in message and said in message, message


def test_a_broken_template_stops_the_command_without_a_traceback(round_, tmp_path):
    raw, processed = copy_round(round_, tmp_path)
    (raw / T.FOLDER).mkdir()
    (raw / T.FOLDER / "don-doc.docx").write_text("không phải Word", "utf-8")
    result = CliRunner().invoke(app, ["documents", "--year", YEAR, "--raw", raw,
                                      "--processed", processed, "--reports", tmp_path / "r"])
    assert result.exit_code == 2
    assert f"Lỗi: Mẫu văn bản {raw / T.FOLDER / 'don-doc.docx'}: không mở được" in result.output
    assert "Traceback" not in result.output


def test_document_templates_copies_the_defaults_and_the_guide_once(tmp_path):
    raw = tmp_path / "raw"
    raw.mkdir()
    runner = CliRunner()
    first = runner.invoke(app, ["document-templates", "--raw", raw])
    assert first.exit_code == 0, first.output
    folder = raw / T.FOLDER
    assert sorted(p.name for p in folder.iterdir()) == sorted([*D.FILES.values(), T.GUIDE])
    (folder / "thong-bao.docx").write_bytes(b"sua")
    again = runner.invoke(app, ["document-templates", "--raw", raw])
    assert "Giữ nguyên" in again.output and (folder / "thong-bao.docx").read_bytes() == b"sua"
    forced = runner.invoke(app, ["document-templates", "--raw", raw, "--force"])
    assert forced.exit_code == 0
    assert (folder / "thong-bao.docx").read_bytes() == T.default_template("notice").read_bytes()


def test_a_report_rebuilds_the_documents_when_a_clerks_template_changes(
        tmp_path, units, fill_template, answers_for, monkeypatch):
    """`cntt report` reuses the documents when nothing they read changed: a template a
    clerk edited is something they read (the notebooks are reused)."""
    from test_report import NOTEBOOK_NAMES, build_report_retrying, copy_notebooks, write_rounds

    from cntt_analysis.report.build import run as build

    raw = write_rounds(tmp_path / "raw", units, fill_template, answers_for, synthetic=True)
    shutil.copy(ROOT / "data" / "raw" / "department.yaml", raw / "department.yaml")
    notebooks = copy_notebooks(tmp_path / "notebooks", stubs=tuple(NOTEBOOK_NAMES))
    reports, processed = tmp_path / "reports", tmp_path / "processed"
    build_report_retrying(YEAR, raw, processed, reports, notebooks, jobs=1, progress=False,
                          units=["SO_VP"])
    assert "xin thông báo" not in text(reports / str(YEAR) / "van-ban" / "thong-bao"
                                       / "SO_VP.docx")
    own_notice(raw)
    ran: list[str] = []
    monkeypatch.setattr(build, "run_tasks", lambda tasks, *a, **k: ran.extend(tasks) or [])
    out = build_report_retrying(YEAR, raw, processed, reports, notebooks, jobs=1,
                                progress=False, units=["SO_VP"])
    assert ran == []
    assert "xin thông báo" in text(out / "van-ban" / "thong-bao" / "SO_VP.docx")


def test_patched_template_xml_is_kept_per_source_and_equals_docxtpls():
    # One template fills every unit's notice: its XML is patched once, and a second
    # template's XML is never answered with the first's.
    sources = ['<w:p><w:r><w:t>{</w:t></w:r><w:r><w:t>{ don_vi.ten }}</w:t></w:r></w:p>',
               '<w:p><w:r><w:t>{%</w:t></w:r><w:r><w:t> if x %}a{% endif %}</w:t></w:r></w:p>']
    tpl = T._Template.__new__(T._Template)
    plain = DocxTemplate.__new__(DocxTemplate)
    for src in [*sources, *reversed(sources), *sources]:
        assert tpl.patch_xml(src) == plain.patch_xml(src)
    assert tpl.patch_xml(sources[0]) != tpl.patch_xml(sources[1])
    assert hashlib.sha256(sources[0].encode()).hexdigest() in T._Template._patched


def test_a_document_is_deflated_once_and_its_bytes_are_as_before(round_, tmp_path):
    """`docx_bytes` has python-docx store its archive (no deflating) and `stable_zip`
    deflate each part once: the bytes are those of deflating twice (python-docx's own
    archive, then stable_zip's); python-docx still reads the compression from its module
    when it saves (else storing silently stops), and the module is as it was after."""
    import io
    import zipfile

    from docx.opc import phys_pkg

    from cntt_analysis.report.word.documents import build_notice
    from cntt_analysis.report.word.documents import build_report as build_word_report
    from cntt_analysis.storage import stable_zip

    raw, processed = round_
    facts = load_facts(raw, processed, YEAR)
    config = load_particulars(raw, YEAR)
    rubric = load_rubric(str(YEAR))
    unit = sorted(facts.scores["unit_id"])[0]
    for doc in (build_notice(facts, config, rubric, unit, raw),
                build_word_report(facts, config, rubric, raw)):
        twice = io.BytesIO()
        doc.save(twice)  # python-docx's own way: deflated
        with zipfile.ZipFile(twice) as archive:
            assert {i.compress_type for i in archive.infolist()} == {zipfile.ZIP_DEFLATED}
        once = fmt.docx_bytes(doc)
        assert once == stable_zip(twice.getvalue())
        with zipfile.ZipFile(io.BytesIO(once)) as archive:
            assert {i.compress_type for i in archive.infolist()} == {zipfile.ZIP_DEFLATED}
        with fmt._saved_uncompressed():
            stored = io.BytesIO()
            doc.save(stored)
        with zipfile.ZipFile(stored) as archive:
            assert {i.compress_type for i in archive.infolist()} == {zipfile.ZIP_STORED}
        assert phys_pkg.ZIP_DEFLATED == zipfile.ZIP_DEFLATED
