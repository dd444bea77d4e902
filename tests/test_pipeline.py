"""A whole round on real files: scores and ranks by group, the register (duplicates, late,
missing), the processed files (reproducible bytes) and the Excel results workbook."""

from __future__ import annotations

import datetime as dt
import io
import zipfile

import pandas as pd
import pytest
from openpyxl import load_workbook

from cntt_analysis.report.excel import HEADER_ROW, ROUND_WRITERS
from cntt_analysis.rubric.model import load_rubric
from cntt_analysis.scoring.pipeline import (
    TABLES,
    load_processed,
    with_self_points,
    write_round,
)


def write_round_xlsx(result, processed, raw=None):
    """write_round with the Excel results and the points CSV, as `cntt score` writes them."""
    return write_round(result, processed, raw, writers=ROUND_WRITERS)

FORMULA = '=HYPERLINK("http://x","Bấm vào đây")'
RUBRIC_2017 = load_rubric("2017")


def by_unit(result):
    return result.scores.set_index("unit_id")


def register_rows(result) -> list[tuple[str | None, str, str]]:
    return [(None if u != u else u, s, f) for u, s, f in
            zip(result.register["unit_id"], result.register["status"], result.register["file"])]


# --------------------------------------------------------------------------- scores


@pytest.fixture
def full_round(make_round):
    """All four units: two `so`, two `huyen`, with answers chosen to test groups."""
    rnd = make_round()
    # SO_VP: the valid answers, but SO_CCQLDD has more bandwidth per person (C2.3):
    #   SO_VP 40 / 20 = 2 Mbps per person, SO_CCQLDD 60 / 20 = 3 (the group's best)
    #   → SO_VP C2.3 = 2 / 3 × 3 = 2 (instead of 3): 72.91 − 1 = 71.91, Khá.
    rnd.add("SO_VP")
    # SO_CCQLDD: +3 C1.3, +0.75 C1.6 (4/4 × 3), +1 C2.7, +1.5 C2.8 (Đạt), +1.5 C3.1
    #   (Chuyên trách), +1.14 C3.4 (15/20 ≥ 70% → 4), +1.6 C4.5 (100/200 ≥ 50% → 4),
    #   +2 C5.5 → 72.91 + 12.49 = 85.40, Tốt.
    rnd.add("SO_CCQLDD", C2_3=60, C1_3="Có", C1_6b=4, C2_7="x", C2_8="Đạt yêu cầu kỹ thuật",
            C3_1="chuyên trách", C3_4=15, C4_5=100, C5_5="yes")
    # H_TANPHUOC: the valid answers, 72.91 (C2.3: 2 per person, equal to H_CAILAY's → 3).
    rnd.add("H_TANPHUOC")
    # H_CAILAY: no administrative procedures (G09 = 0): C4.4, C4.5 and C4.11 are not
    #   applicable (4 + 4 + 2 = 10 points): (72.91 − 2 − 2.4 − 2) / 90 = 66.51 / 90 = 73.90.
    rnd.add("H_CAILAY", G09=0, C4_4=0)
    return rnd


def test_round_scores_tiers_and_ranks_by_group(full_round):
    result = full_round.score()
    scores = by_unit(result)
    assert scores["score"].to_dict() == {"SO_CCQLDD": 85.4, "SO_VP": 71.91,
                                         "H_CAILAY": 73.9, "H_TANPHUOC": 72.91}
    assert scores["tier"].to_dict() == {"SO_CCQLDD": "Tốt", "SO_VP": "Khá", "H_CAILAY": "Khá",
                                        "H_TANPHUOC": "Khá"}
    assert scores["rank"].to_dict() == {"SO_CCQLDD": 1, "SO_VP": 2, "H_CAILAY": 1,
                                        "H_TANPHUOC": 2}
    assert scores["group"].to_dict() == {"SO_CCQLDD": "so", "SO_VP": "so",
                                         "H_CAILAY": "huyen", "H_TANPHUOC": "huyen"}
    assert scores.at["H_CAILAY", "applicable_max"] == 90.0
    assert scores.at["H_CAILAY", "earned"] == pytest.approx(66.51)
    # SO_CCQLDD: C1 14/15 = 93.33; C2 19.1/20 = 95.5; C3 12.9/15 = 86; C4 28/35 = 80;
    # C5 11.4/15 = 76.  SO_VP: C2 15.6/20 = 78.
    assert scores.loc["SO_CCQLDD", ["C1", "C2", "C3", "C4", "C5"]].tolist() == \
        [93.33, 95.5, 86.0, 80.0, 76.0]
    assert scores.at["SO_VP", "C2"] == 78.0
    assert scores.at["H_CAILAY", "C4"] == 80.0  # 20 / 25
    assert scores.at["SO_VP", "name"] == "Văn phòng Sở"
    assert list(result.scores["group"]) == ["huyen", "huyen", "so", "so"]

    points = result.points.set_index(["unit_id", "indicator"])
    assert points.at[("SO_VP", "C2.3"), "points"] == 2.0
    assert points.at[("SO_CCQLDD", "C2.3"), "points"] == 3.0
    assert points.at[("SO_CCQLDD", "C3.4"), "points"] == 4.0
    assert points.at[("H_CAILAY", "C4.11"), "status"] == "na"
    assert points.at[("SO_VP", "C2.2"), "sources"] == \
        "C2. Hạ tầng kỹ thuật!D6; Thông tin chung!D10"
    assert points.at[("SO_VP", "C2.2"), "file"] == "SO_VP.xlsx"
    assert len(result.points) == 4 * 35
    assert result.issues[result.issues["severity"] == "error"].empty
    assert set(result.register["status"]) == {"Đã nộp"}


def test_equal_scores_share_a_rank(make_round, units):
    extra = ("SO_TTCNTT", "Trung tâm Công nghệ thông tin", "so", "")
    rnd = make_round(units=[*units, extra])
    rnd.add("SO_VP")
    rnd.add("SO_TTCNTT", name=extra[1])
    rnd.add("SO_CCQLDD", C1_3="Có")  # +3 → 75.91
    result = rnd.score()
    scores = by_unit(result)
    assert scores["score"].to_dict() == {"SO_CCQLDD": 75.91, "SO_TTCNTT": 72.91,
                                         "SO_VP": 72.91}
    assert scores["rank"].to_dict() == {"SO_CCQLDD": 1, "SO_TTCNTT": 2, "SO_VP": 2}
    rnd.add("H_TANPHUOC", C1_3="Có", C1_2="Không")  # 72.91 + 3 − 2 = 73.91, alone: rank 1
    assert by_unit(rnd.score()).at["H_TANPHUOC", "rank"] == 1


# --------------------------------------------------------------------------- register


def test_duplicate_submissions_the_later_report_date_counts(make_round):
    rnd = make_round()
    # The newer report (G03 05/08) has the file name sorting first: the date decides.
    rnd.add("SO_VP", file="a-SO_VP-moi.xlsx", G03=dt.date(2017, 8, 5))
    rnd.add("SO_VP", file="z-SO_VP-cu.xlsx", G03=dt.date(2017, 8, 1), C1_3="Có")
    result = rnd.score()
    assert by_unit(result).at["SO_VP", "score"] == 72.91  # not the older 75.91
    assert set(result.answers["file"]) == {"a-SO_VP-moi.xlsx"}
    assert set(result.points["file"]) == {"a-SO_VP-moi.xlsx"}
    assert ("SO_VP", "Đã nộp", "a-SO_VP-moi.xlsx") in register_rows(result)
    assert ("SO_VP", "Bị thay thế", "z-SO_VP-cu.xlsx") in register_rows(result)
    superseded = result.issues[result.issues["code"] == "superseded"]
    assert list(superseded["file"]) == ["z-SO_VP-cu.xlsx"]
    assert "a-SO_VP-moi.xlsx" in superseded.iloc[0]["message"]
    assert superseded.iloc[0]["severity"] == "warning"
    row = result.register[result.register["file"] == "z-SO_VP-cu.xlsx"].iloc[0]
    assert row["report_date"] == pd.Timestamp("2017-08-01")


def test_duplicate_submissions_same_date_the_last_file_name_counts(make_round):
    rnd = make_round()
    rnd.add("SO_VP", file="SO_VP-2.xlsx", C1_3="Có")  # 72.91 + 3 = 75.91
    rnd.add("SO_VP", file="SO_VP-1.xlsx")
    result = rnd.score()
    assert by_unit(result).at["SO_VP", "score"] == 75.91
    statuses = {f: s for u, s, f in register_rows(result) if u == "SO_VP"}
    assert statuses == {"SO_VP-2.xlsx": "Đã nộp", "SO_VP-1.xlsx": "Bị thay thế"}


@pytest.mark.parametrize(("g03", "status"), [
    (dt.date(2017, 8, 10), "Đã nộp"),       # on the deadline day: in time
    (dt.date(2017, 8, 11), "Nộp muộn"),
    ("11/08/2017", "Nộp muộn"),             # typed as text dd/mm/yyyy
    (dt.datetime(2017, 9, 1, 8, 30), "Nộp muộn"),
])
def test_lateness_from_the_report_date(make_round, cells, g03, status):
    rnd = make_round()
    rnd.add("SO_VP", G03=g03)
    result = rnd.score()
    assert ("SO_VP", status, "SO_VP.xlsx") in register_rows(result)
    assert by_unit(result).at["SO_VP", "score"] == 72.91  # late is still scored
    late = result.issues[result.issues["code"] == "late"]
    if status == "Đã nộp":
        assert late.empty
        return
    issue = late.iloc[0]
    assert len(late) == 1
    assert (issue["unit_id"], issue["file"], issue["sheet"], issue["cell"]) == \
        ("SO_VP", "SO_VP.xlsx", *cells["G03"])
    assert issue["severity"] == "warning"
    assert issue["message"].endswith(f"Nộp muộn: ngày lập báo cáo {issue['value']} sau hạn "
                                     "nộp 10/08/2017.")
    assert issue["value"] in ("11/08/2017", "01/09/2017")


def test_registered_units_without_a_file_are_missing(make_round):
    rnd = make_round()
    rnd.add("H_TANPHUOC")
    result = rnd.score()
    assert list(result.scores["unit_id"]) == ["H_TANPHUOC"]
    assert register_rows(result) == [
        ("H_TANPHUOC", "Đã nộp", "H_TANPHUOC.xlsx"),
        ("H_CAILAY", "Chưa nộp", ""),
        ("SO_CCQLDD", "Chưa nộp", ""),
        ("SO_VP", "Chưa nộp", ""),
    ]
    missing = result.issues[result.issues["code"] == "missing"]
    assert sorted(missing["unit_id"]) == ["H_CAILAY", "SO_CCQLDD", "SO_VP"]
    assert set(missing["message"]) == {"Đơn vị chưa nộp báo cáo (hạn nộp 10/08/2017)."}
    assert result.register["report_date"].isna().sum() == 3


def test_an_empty_round_has_everyone_missing(make_round):
    result = make_round().score()
    assert result.scores.empty and result.answers.empty and result.points.empty
    assert set(result.register["status"]) == {"Chưa nộp"}
    assert len(result.register) == 4


def test_self_points_are_joined_as_the_left_merge_joined_them():
    """`with_self_points` replaced a left merge (a copy of every column of a country's
    points): the same frame, a point without a self-assessed one getting NaN."""
    points = pd.DataFrame({"year": [2017] * 4, "unit_id": ["b", "b", "a", "c"],
                           "indicator": ["C1.1", "C1.2", "C1.1", "C1.1"],
                           "points": [1.0, 2.0, 0.5, None], "file": ["b.xlsx"] * 4},
                          index=[7, 3, 5, 9])
    self_points = pd.DataFrame({"year": [2017] * 3, "unit_id": ["a", "b", "b"],
                                "indicator": ["C1.1", "C1.2", "C1.1"],
                                "points": [0.25, 2.0, 1.5]})
    key = ["year", "unit_id", "indicator"]
    merged = points.merge(self_points.rename(columns={"points": "self_points"}), on=key,
                          how="left")
    got = with_self_points(points, self_points)
    pd.testing.assert_frame_equal(got, merged)
    assert got["self_points"].tolist()[:3] == [1.5, 2.0, 0.25] and pd.isna(got.at[3, "self_points"])
    assert with_self_points(points, self_points.iloc[:0])["self_points"].isna().all()


# --------------------------------------------------------------------------- outputs


@pytest.fixture
def messy_round(make_round):
    """A round with a bit of everything: valid, late, invalid, unknown, broken, missing."""
    rnd = make_round()
    rnd.add("SO_VP", G12=FORMULA)
    rnd.add("SO_CCQLDD", C1_4="nhiều", C2_2=25, G03=dt.date(2017, 8, 20))
    rnd.add("H_TANPHUOC", file="H_TANPHUOC-cu.xlsx", G03=dt.date(2017, 7, 1))
    rnd.add("H_TANPHUOC")
    rnd.add(None, file="khong-ro.xlsx", name=FORMULA, hidden=False)
    rnd.write("hong.xlsx", "not a workbook")
    return rnd


def test_write_round_writes_the_tables_and_workbook(messy_round, tmp_path):
    result = messy_round.score()
    paths = write_round_xlsx(result, tmp_path / "processed")
    folder = tmp_path / "processed" / "2017"
    assert [p.name for p in paths] == [*(f"{t}.parquet" for t in TABLES), "ket-qua-2017.xlsx",
                                       "diem-chi-tieu-2017.csv", "inputs.json"]
    assert sorted(p.name for p in folder.iterdir()) == sorted(p.name for p in paths)
    loaded = load_processed(tmp_path / "processed", 2017)
    for name in TABLES:
        want = getattr(result, name).reset_index(drop=True)
        pd.testing.assert_frame_equal(loaded[name], want, check_dtype=False)
    assert set(loaded["issues"]["code"]) >= {"not_number", "exceeds", "late", "superseded",
                                             "unit_unknown", "file_unreadable", "missing"}
    # Unit-supplied text that looks like a formula is kept verbatim as data.
    answers = loaded["answers"].set_index(["unit_id", "code"])
    assert answers.at[("SO_VP", "G12"), "value"] == FORMULA


def test_outputs_are_byte_identical_on_rerun(messy_round, tmp_path):
    first = write_round_xlsx(messy_round.score(), tmp_path / "one")
    second = write_round_xlsx(messy_round.score(), tmp_path / "two")
    # the Parquet tables, the Excel results, the points CSV, the manifest
    assert len(first) == len(second) == len(TABLES) + 3
    for a, b in zip(first, second):
        assert a.name == b.name
        assert a.read_bytes() == b.read_bytes(), a.name
    # Writing again over existing files leaves no temporary files behind.
    write_round_xlsx(messy_round.score(), tmp_path / "one")
    assert sorted(p.name for p in (tmp_path / "one" / "2017").iterdir()) == \
        sorted(p.name for p in first)


def test_scoring_does_not_touch_the_raw_files(messy_round, tmp_path, hash_files):
    before = hash_files(messy_round.raw)
    write_round_xlsx(messy_round.score(), tmp_path / "processed")
    assert hash_files(messy_round.raw) == before


RESULT_SHEETS = ["Tóm tắt", "Xếp hạng khối Sở", "Xếp hạng khối huyện", "Khung chỉ tiêu",
                 "Vấn đề dữ liệu", "Điều chỉnh sau kiểm tra", "Điểm đổi do đơn vị khác",
                 "Tồn tại, hạn chế", "Mục còn bỏ trống", "Tình hình nộp báo cáo"]


@pytest.fixture
def results_workbook(messy_round, tmp_path):
    result = messy_round.score()
    path = tmp_path / "processed" / "2017" / "ket-qua-2017.xlsx"
    write_round_xlsx(result, tmp_path / "processed")
    return result, path, load_workbook(path)


def _header(ws) -> list[str]:
    return [c.value for c in ws[HEADER_ROW] if c.value is not None]


def _rows(ws) -> list[list]:
    return [[c.value for c in row] for row in ws.iter_rows(min_row=HEADER_ROW + 1)]


def test_results_workbook_sheets_headers_and_panes(results_workbook):
    result, path, wb = results_workbook
    assert path.name == "ket-qua-2017.xlsx"
    assert wb.sheetnames == RESULT_SHEETS
    indicators = [i for c in RUBRIC_2017.criteria for i in c.indicators]
    for title in ("Xếp hạng khối Sở", "Xếp hạng khối huyện"):
        header = _header(wb[title])
        assert header[:6] == ["Hạng", "Tên đơn vị", "Điểm", "Xếp loại",
                              "Điểm thay đổi so với năm trước", "Thứ hạng so với năm trước"]
        assert header[6:11] == ["C1 Văn bản chỉ đạo", "C2 Hạ tầng kỹ thuật",
                                "C3 Nhân lực CNTT", "C4 Ứng dụng CNTT", "C5 Đầu tư CNTT"]
        # one column per indicator of the group's framework, then the unit's code
        maxima = [f"{float(i.max_points):g}".replace(".", ",") for i in indicators]
        assert header[11:-1] == [f"{i.code}\n(tối đa {m})" for i, m in zip(indicators, maxima)]
        assert header[-1] == "Mã đơn vị"
        assert wb[title].freeze_panes == f"C{HEADER_ROW + 1}"  # rank and name stay in view
    for title in RESULT_SHEETS[3:]:
        assert wb[title].freeze_panes == f"A{HEADER_ROW + 1}", title
    for ws in wb.worksheets:
        assert ws["A1"].value and "2017" in ws["A1"].value
        assert ws["A2"].value.startswith("DỰ THẢO"), ws.title  # the state under the title

    so = wb["Xếp hạng khối Sở"]
    # SO_VP 72.91 (valid); SO_CCQLDD loses C1.4 (1) and C2.2 (2.5): 69.41, Trung bình.
    rows = _rows(so)
    assert [r[:4] for r in rows] == [[1, "Văn phòng Sở", 72.91, "Khá"],
                                     [2, "Chi cục Quản lý đất đai", 69.41, "Trung bình"]]
    assert [r[-1] for r in rows] == ["SO_VP", "SO_CCQLDD"]
    points = result.points.set_index(["unit_id", "indicator"])["points"]
    assert rows[1][11:-1] == [points[("SO_CCQLDD", i.code)] for i in indicators]
    assert so.cell(HEADER_ROW + 1, 3).number_format == "0.00"
    huyen = _rows(wb["Xếp hạng khối huyện"])
    assert [r[:3] for r in huyen] == [[1, "Phòng Tài nguyên và Môi trường huyện Tân Phước",
                                       72.91]]  # H_CAILAY sent nothing: not ranked

    issues = wb["Vấn đề dữ liệu"]
    assert _header(issues) == ["Vấn đề", "Mức độ", "Đơn vị", "Tệp", "Trang", "Ô", "Giá trị",
                               "Nội dung", "Xử lý", "Mã vấn đề"]
    rows = _rows(issues)
    assert len(rows) == len(result.issues)
    invalid = next(r for r in rows if r[-1] == "not_number")
    assert invalid[:7] == ["Không đọc được thành số", "Lỗi", "Chi cục Quản lý đất đai",
                           "SO_CCQLDD.xlsx", "C1. Văn bản chỉ đạo", "D8", "nhiều"]
    assert invalid[7].startswith("Tệp “SO_CCQLDD.xlsx”, trang “C1. Văn bản chỉ đạo”, ô D8")
    assert invalid[8] == "Đơn vị xác minh"
    assert any(r[:2] == ["Nộp muộn", "Cảnh báo"] and r[-1] == "late" for r in rows)
    # no issue code beside the message: codes only in the last column
    codes = set(result.issues["code"])
    assert not any(v in codes for r in rows for v in r[:-1])

    register = wb["Tình hình nộp báo cáo"]
    assert _header(register) == ["Tên đơn vị", "Khối", "Tình trạng", "Tệp",
                                 "Ngày lập báo cáo", "Mã đơn vị"]
    reg = {(r[5], r[3]): r for r in _rows(register)}
    assert reg[("SO_CCQLDD", "SO_CCQLDD.xlsx")][2] == "Nộp muộn"
    assert reg[("SO_CCQLDD", "SO_CCQLDD.xlsx")][4] == dt.datetime(2017, 8, 20)
    assert reg[("H_CAILAY", None)][1:3] == ["Khối Phòng TN&MT cấp huyện", "Chưa nộp"]
    assert reg[("H_TANPHUOC", "H_TANPHUOC-cu.xlsx")][2] == "Bị thay thế"
    assert reg[(None, "hong.xlsx")][2] == "Không được chấm"


def test_every_point_with_its_cells_is_a_csv_vietnamese_excel_opens(results_workbook):
    """Not millions of Excel cells: the long table is a CSV with ';' between fields, a
    decimal comma and a UTF-8 BOM, read back the same."""
    result, path, _ = results_workbook
    data = (path.parent / "diem-chi-tieu-2017.csv").read_bytes()
    assert data.startswith("\ufeff".encode("utf-8"))
    text = data.decode("utf-8-sig")
    assert text.splitlines()[0] == ("Mã đơn vị;Tên đơn vị;Khối;Tiêu chí;Chỉ tiêu;Nội dung;"
                                    "Điểm;Tối đa;Trạng thái;Tệp;Ô nguồn")
    read = pd.read_csv(io.StringIO(text), sep=";", decimal=",", dtype={"Mã đơn vị": str})
    assert len(read) == len(result.points)
    assert read["Điểm"].fillna(-1).tolist() == result.points["points"].fillna(-1).tolist()
    assert read["Tối đa"].tolist() == result.points["max_points"].tolist()
    first = read.iloc[0]
    assert (first["Mã đơn vị"], first["Tiêu chí"], first["Chỉ tiêu"]) == (
        result.points["unit_id"].iloc[0], "C1", "C1.1")
    assert first["Trạng thái"] == "Đã chấm"
    assert ",5;" in text or ",25;" in text or ",75;" in text  # decimal commas


def test_results_workbook_stores_formula_like_text_as_text(results_workbook):
    _, path, wb = results_workbook
    issues = wb["Vấn đề dữ liệu"]
    found = [c for row in issues.iter_rows(min_row=HEADER_ROW + 1) for c in row
             if c.value == FORMULA]
    assert found, "the unmatched unit name should be listed as the value of unit_unknown"
    for cell in found:
        assert cell.data_type == "s"
    with zipfile.ZipFile(path) as archive:
        sheets = [n for n in archive.namelist() if n.startswith("xl/worksheets/sheet")]
        assert len(sheets) == len(RESULT_SHEETS)
        for name in sheets:
            assert b"<f>" not in archive.read(name) and b"<f " not in archive.read(name), name
    # And a fresh load that evaluates nothing still sees the text, not a formula.
    again = load_workbook(io.BytesIO(path.read_bytes()), data_only=False)
    assert all(c.data_type != "f" for ws in again.worksheets for row in ws.iter_rows()
               for c in row)
    # In the CSV, a text a spreadsheet would take for a formula starts with an apostrophe.
    from cntt_analysis.report.excel import _csv_text

    assert _csv_text(FORMULA) == '"\'=HYPERLINK(""http://x"",""Bấm vào đây"")"'
    assert _csv_text("-1") == "'-1" and _csv_text("Đạt; tốt") == '"Đạt; tốt"'


def test_a_round_is_stale_when_its_inputs_change(messy_round, tmp_path):
    from cntt_analysis.scoring.pipeline import is_stale

    processed = tmp_path / "processed"
    write_round_xlsx(messy_round.score(), processed, messy_round.raw)
    assert not is_stale(messy_round.raw, processed, 2017)
    # Regression: a removed submission (older mtimes everywhere) was not noticed.
    next(messy_round.folder.glob("*.xlsx")).unlink()
    assert is_stale(messy_round.raw, processed, 2017)
    write_round_xlsx(messy_round.score(), processed, messy_round.raw)
    assert not is_stale(messy_round.raw, processed, 2017)
    registry = messy_round.raw / "units.csv"
    registry.write_text(registry.read_text(encoding="utf-8") + "\n", encoding="utf-8")
    assert is_stale(messy_round.raw, processed, 2017)
