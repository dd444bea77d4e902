"""Units over the years (registry ``since``/``until``/``previous_ids``): who is expected in
which round, and an old template of a renamed unit counting for its successor."""

from __future__ import annotations

import csv
import datetime as dt
from pathlib import Path

import pandas as pd
import pytest

import cntt_analysis.intake.registry as registry_module
from cntt_analysis.errors import UsageError
from cntt_analysis.intake.register import MISSING, NOT_SCORED, SENT, identify
from cntt_analysis.intake.registry import (
    active_units,
    lineage,
    load_registry,
    name_index,
    predecessors,
    renamed_ids,
)
from cntt_analysis.intake.workbook import Submission

HEADER = ["unit_id", "name", "group", "aliases", "previous_ids", "since", "until"]
OLD_NAME = "Phòng Tài nguyên và Môi trường thị xã Cai Lậy"  # conftest's H_CAILAY
NEW_NAME = "Phòng Tài nguyên và Môi trường thành phố Cai Lậy"
# The thị xã Cai Lậy office (H_CAILAY) became the thành phố office (TP_CAILAY) in 2017;
# H_TANTHANH closed after 2016; H_TANPHUDONG opened in 2017; the two Gò Công offices
# merged into H_GOCONG in 2017.
LINEAGE = [
    ["SO_VP", "Văn phòng Sở", "so", "", "", "", ""],
    ["SO_CCQLDD", "Chi cục Quản lý đất đai", "so", "Chi cục QLĐĐ", "", "", ""],
    ["H_CAILAY", OLD_NAME, "huyen", "", "", "", "2016"],
    ["TP_CAILAY", NEW_NAME, "huyen", "", "H_CAILAY", "2017", ""],
    ["H_TANTHANH", "Phòng Tài nguyên và Môi trường huyện Tân Thạnh", "huyen", "", "", "",
     "2016"],
    ["H_TANPHUDONG", "Phòng Tài nguyên và Môi trường huyện Tân Phú Đông", "huyen", "", "",
     "2017", ""],
    ["H_GOCONG_DONG", "Phòng Tài nguyên và Môi trường huyện Gò Công Đông", "huyen", "", "",
     "", "2016"],
    ["H_GOCONG_TAY", "Phòng Tài nguyên và Môi trường huyện Gò Công Tây", "huyen", "", "", "",
     "2016"],
    ["H_GOCONG", "Phòng Tài nguyên và Môi trường Gò Công", "huyen", "",
     "H_GOCONG_DONG;H_GOCONG_TAY", "2017", ""],
]
ACTIVE = {
    2016: ["H_CAILAY", "H_GOCONG_DONG", "H_GOCONG_TAY", "H_TANTHANH", "SO_CCQLDD", "SO_VP"],
    2017: ["H_GOCONG", "H_TANPHUDONG", "SO_CCQLDD", "SO_VP", "TP_CAILAY"],
}


def write_units(path: Path, rows: list[list[str]], header: list[str] = HEADER) -> Path:
    with path.open("w", encoding="utf-8", newline="") as handle:
        writer = csv.writer(handle)
        writer.writerow(header)
        writer.writerows(rows)
    return path


@pytest.fixture
def registry(tmp_path) -> pd.DataFrame:
    return load_registry(write_units(tmp_path / "units.csv", LINEAGE))


def submission(meta_id: str, typed_name: str, year: int = 2017) -> Submission:
    """What intake makes of a workbook: its hidden unit id and the typed G01."""
    return Submission(file="x.xlsx", year=year, meta={"unit_id": meta_id} if meta_id else {},
                      answers=[{"code": "G01", "value": typed_name}])


# --------------------------------------------------------------------------- registry


def test_units_exist_between_since_and_until(registry):
    for year, expected in ACTIVE.items():
        assert sorted(active_units(registry, year)["unit_id"]) == expected
    # Bounds are inclusive, and open without a value.
    assert "H_CAILAY" in set(active_units(registry, 2010)["unit_id"])
    assert "TP_CAILAY" in set(active_units(registry, 2030)["unit_id"])
    assert "H_TANPHUDONG" not in set(active_units(registry, 2016)["unit_id"])


def test_a_registry_without_the_optional_columns_has_every_unit_active(tmp_path, units):
    path = write_units(tmp_path / "units.csv", [list(u) for u in units], HEADER[:4])
    registry = load_registry(path)
    assert sorted(active_units(registry, 2017)["unit_id"]) == sorted(u[0] for u in units)
    assert predecessors(registry) == {} and renamed_ids(registry) == {}


def test_the_registry_read_again_unchanged_is_the_same_and_an_edit_is_seen(tmp_path,
                                                                          monkeypatch):
    """`cntt score` loads units.csv twice (tying the files, then the results' facts): the
    second load of an unchanged file is a copy of the first one's frame, kept for it alone
    (changing the first changes nothing later; a third load reads the file again); an edit,
    even to the same size, is read and checked anew."""
    path = write_units(tmp_path / "units.csv", LINEAGE)
    reads = []
    real = registry_module._read_registry
    monkeypatch.setattr(registry_module, "_read_registry",
                        lambda p: reads.append(p) or real(p))
    first = load_registry(path)
    name = first.loc[0, "name"]
    first.loc[0, "name"] = "đổi trong bộ nhớ"
    second = load_registry(path)
    assert len(reads) == 1
    pd.testing.assert_frame_equal(second, load_registry(tmp_path / "units.csv"))
    assert len(reads) == 2
    assert second.loc[0, "name"] == name
    assert second.attrs["path"] == str(path)
    edited = [row[:] for row in LINEAGE]
    edited[0][1] = "Văn phòng Sả"  # "ở" and "ả": three bytes each, the file the same size
    size = path.stat().st_size
    write_units(path, edited)
    assert path.stat().st_size == size
    names = set(load_registry(path)["name"])
    assert "Văn phòng Sả" in names and "Văn phòng Sở" not in names
    assert len(reads) == 3
    write_units(path, [*edited, ["SO_VP", "Trùng", "so", "", "", "", ""]])
    with pytest.raises(UsageError, match="trùng"):
        load_registry(path)


def test_predecessors_and_renames(registry):
    assert predecessors(registry) == {"TP_CAILAY": ["H_CAILAY"],
                                      "H_GOCONG": ["H_GOCONG_DONG", "H_GOCONG_TAY"]}
    # Only the 1:1 rename joins histories; the merge does not.
    assert renamed_ids(registry) == {"H_CAILAY": "TP_CAILAY"}


def test_a_split_is_not_a_rename(tmp_path):
    rows = [["H_A", "Phòng A", "huyen", "", "", "", "2016"],
            ["H_B", "Phòng B", "huyen", "", "H_A", "2017", ""],
            ["H_C", "Phòng C", "huyen", "", "H_A", "2017", ""]]
    registry = load_registry(write_units(tmp_path / "units.csv", rows))
    assert predecessors(registry) == {"H_B": ["H_A"], "H_C": ["H_A"]}
    assert renamed_ids(registry) == {}


def test_previous_ids_tolerate_spaces(tmp_path):
    rows = [["H_A", "Phòng A", "huyen", "", "", "", "2016"],
            ["H_B", "Phòng B", "huyen", "", "", "", "2016"],
            ["H_AB", "Phòng AB", "huyen", "", "H_A; H_B", "2017", ""],
            ["H_C", "Phòng C", "huyen", "", "", "", "2016"],
            ["H_D", "Phòng D", "huyen", "", " H_C ;", "2017", ""]]
    registry = load_registry(write_units(tmp_path / "units.csv", rows))
    assert predecessors(registry) == {"H_AB": ["H_A", "H_B"], "H_D": ["H_C"]}
    assert renamed_ids(registry) == {"H_C": "H_D"}


def test_years_with_surrounding_spaces_are_fine(tmp_path):
    rows = [["H_A", "Phòng A", "huyen", "", "", " 2015 ", "\u00a02016"]]
    registry = load_registry(write_units(tmp_path / "units.csv", rows))
    assert [len(active_units(registry, y)) for y in (2014, 2015, 2016, 2017)] == [0, 1, 1, 0]


@pytest.mark.parametrize("since, until, bad", [
    ("2017a", "", "2017a"),
    ("", "2016.0", "2016.0"),
    ("năm 2017", "", "năm 2017"),
    ("", "-2016", "-2016"),
    ("２０１７", "", "２０１７"),   # full-width digits: not silently ignored
    ("", "²", "²"),
])
def test_unreadable_since_or_until_is_a_usage_error(tmp_path, since, until, bad):
    rows = [LINEAGE[0], ["H_X", "Phòng X", "huyen", "", "", since, until]]
    path = write_units(tmp_path / "units.csv", rows)
    with pytest.raises(UsageError) as err:
        load_registry(path)
    message = str(err.value)
    assert "units.csv" in message and "dòng 3" in message
    assert f"“{bad}”" in message and "since/until" in message


def test_since_after_until_is_a_usage_error(tmp_path):
    rows = [LINEAGE[0], ["H_X", "Phòng X", "huyen", "", "", "2018", "2016"]]
    path = write_units(tmp_path / "units.csv", rows)
    with pytest.raises(UsageError) as err:
        load_registry(path)
    message = str(err.value)
    assert "units.csv" in message and "dòng 3" in message
    assert "2018" in message and "2016" in message


# --------------------------------------------------------------------------- identify


def test_identify_an_old_template_of_a_renamed_unit(registry):
    renamed = renamed_ids(registry)
    for year, expected in [(2017, "TP_CAILAY"), (2016, "H_CAILAY")]:
        active = active_units(registry, year)
        ids, index = set(active["unit_id"]), name_index(active)
        # The template's hidden id is the old one; the name typed in G01 matches nothing.
        sub = submission("H_CAILAY", "Phòng TNMT Cai Lậy", year)
        assert identify(sub, ids, index, renamed) == expected, year
    # Without the rename map, 2017 cannot tell who sent it.
    active = active_units(registry, 2017)
    assert identify(submission("H_CAILAY", "Phòng TNMT Cai Lậy"), set(active["unit_id"]),
                    name_index(active)) is None


def test_identify_merged_predecessors_by_name_only(registry):
    renamed = renamed_ids(registry)
    active = active_units(registry, 2017)
    ids, index = set(active["unit_id"]), name_index(active)
    # An old Gò Công Đông template is not silently given to the merged office ...
    assert identify(submission("H_GOCONG_DONG", "Phòng TN&MT huyện Gò Công Đông"), ids, index,
                    renamed) is None
    # ... but counts for it when the new name is typed.
    assert identify(submission("H_GOCONG_DONG", "Phòng TNMT Gò Công"), ids, index,
                    renamed) == "H_GOCONG"


# --------------------------------------------------------------------------- rounds


def test_round_2017_with_an_old_template_and_changed_units(make_round, fill_template,
                                                           valid_answers):
    rnd = make_round()
    write_units(rnd.raw / "units.csv", LINEAGE)
    rnd.add("SO_VP")
    # The Cai Lậy office reuses last year's template: hidden unit id H_CAILAY, G01 prefilled
    # with its old name (no longer in the registry).
    old = rnd.add("H_CAILAY", file="cai-lay-2017.xlsx")
    # The merged Gò Công office fills a blank template with its new name.
    fill_template(rnd.folder / "go-cong.xlsx",
                  {**valid_answers, "G01": "Phòng TN&MT Gò Công"}, year=2017)
    result = rnd.score()

    register = {u: (s, f) for u, s, f in zip(result.register["unit_id"],
                                              result.register["status"],
                                              result.register["file"])}
    assert register == {
        "SO_VP": (SENT, "SO_VP.xlsx"),
        "TP_CAILAY": (SENT, old.name),
        "H_GOCONG": (SENT, "go-cong.xlsx"),
        "H_TANPHUDONG": (MISSING, ""),       # new in 2017: expected, and missing
        "SO_CCQLDD": (MISSING, ""),
    }  # H_CAILAY, H_TANTHANH, H_GOCONG_* (until 2016) are not expected, hence not missing
    missing = result.issues[result.issues["code"] == "missing"]
    assert sorted(missing["unit_id"]) == ["H_TANPHUDONG", "SO_CCQLDD"]
    assert not (result.issues["code"] == "unit_unknown").any()

    scores = result.scores.set_index("unit_id")
    assert scores.at["TP_CAILAY", "name"] == NEW_NAME
    assert scores.at["TP_CAILAY", "group"] == "huyen"
    # The huyen group: TP_CAILAY and H_GOCONG both the valid answers → 72.91, rank 1 each.
    assert scores.loc[["TP_CAILAY", "H_GOCONG"], "score"].tolist() == [72.91, 72.91]
    assert scores.loc[["TP_CAILAY", "H_GOCONG"], "rank"].tolist() == [1, 1]
    answers = result.answers
    assert set(answers.loc[answers["file"] == old.name, "unit_id"]) == {"TP_CAILAY"}
    assert set(result.points["unit_id"]) == {"SO_VP", "TP_CAILAY", "H_GOCONG"}


def test_round_2016_expects_only_the_units_of_2016(make_round):
    rnd = make_round(year=2016, deadline=dt.date(2016, 8, 10))
    write_units(rnd.raw / "units.csv", LINEAGE)
    # H_CAILAY's own 2016 template, its name retyped in a form the registry does not know.
    rnd.add("H_CAILAY", G03=dt.date(2016, 8, 1), G01="Phòng TNMT Cai Lậy")
    result = rnd.score()
    statuses = dict(zip(result.register["unit_id"], result.register["status"]))
    assert set(statuses) == set(ACTIVE[2016])  # TP_CAILAY, H_TANPHUDONG, H_GOCONG absent
    assert statuses["H_CAILAY"] == SENT
    assert {s for u, s in statuses.items() if u != "H_CAILAY"} == {MISSING}
    assert NOT_SCORED not in statuses.values()
    assert list(result.scores["unit_id"]) == ["H_CAILAY"]
    assert not (result.issues["code"] == "unit_unknown").any()


# --------------------------------------------------------------------------- lineage rules


def test_lineage_kinds(tmp_path):
    rows = [["A", "Xã A", "xa", "", "", "", "2024"],
            ["B", "Xã B", "xa", "", "", "", "2024"],
            ["AB", "Xã AB", "xa", "", "A;B", "2025", ""],
            ["C", "Xã C", "xa", "", "", "", "2024"],
            ["C1", "Xã C1", "xa", "", "C", "2025", ""],
            ["C2", "Xã C2", "xa", "", "C", "2025", ""],
            ["D", "Xã D", "xa", "", "", "", "2023"],
            ["E", "Xã E", "xa", "", "D", "2024", "2024"],
            ["F", "Xã F", "xa", "", "E", "2025", ""]]
    registry = load_registry(write_units(tmp_path / "units.csv", rows))
    found = lineage(registry).set_index("unit_id")
    assert found["kind"].to_dict() == {"AB": "merged", "C1": "split", "C2": "split",
                                       "E": "renamed", "F": "renamed"}
    assert found.loc["AB", "previous_ids"] == ("A", "B") and found.loc["AB", "since"] == 2025
    # a chain of renames joins up under the current id
    assert renamed_ids(registry) == {"D": "F", "E": "F"}


@pytest.mark.parametrize("rows, line, phrases", [
    # a predecessor that is not in the file
    ([["A", "Xã A", "xa", "", "", "", "2024"], ["AB", "Xã AB", "xa", "", "A;Z", "2025", ""]],
     3, ["đơn vị trước “Z”", "không có trong danh mục"]),
    # a unit naming itself
    ([["A", "Xã A", "xa", "", "A", "2025", ""]], 2, ["ghi chính nó"]),
    # twice the same predecessor
    ([["A", "Xã A", "xa", "", "", "", "2024"], ["AB", "Xã AB", "xa", "", "A;A", "2025", ""]],
     3, ["“A” hai lần"]),
    # a successor without the year the change takes effect
    ([["A", "Xã A", "xa", "", "", "", "2024"], ["AB", "Xã AB", "xa", "", "A", "", ""]],
     3, ["chưa ghi năm bắt đầu ở cột since"]),
    # a predecessor still active (no until)
    ([["A", "Xã A", "xa", "", "", "", ""], ["AB", "Xã AB", "xa", "", "A", "2025", ""]],
     2, ["chưa ghi năm kết thúc (cột until)", "AB (dòng 3) bắt đầu từ năm 2025",
         "Ghi until là 2024"]),
    # overlapping years: the predecessor ends the year its successor starts
    ([["B", "Xã B", "xa", "", "", "", "2024"], ["A", "Xã A", "xa", "", "", "", "2025"],
      ["AB", "Xã AB", "xa", "", "B;A", "2025", ""]],
     3, ["đơn vị A kết thúc năm 2025", "AB (dòng 4) bắt đầu từ năm 2025"]),
    # a cycle
    ([["A", "Xã A", "xa", "", "B", "2025", "2025"], ["B", "Xã B", "xa", "", "A", "2026", ""]],
     2, ["vòng lặp A → B → A"]),
])
def test_lineage_errors_name_the_file_and_the_line(tmp_path, rows, line, phrases):
    path = write_units(tmp_path / "units.csv", rows)
    with pytest.raises(UsageError) as err:
        load_registry(path)
    message = str(err.value)
    assert f"Danh mục đơn vị “units.csv”, dòng {line}" in message, message
    for phrase in phrases:
        assert phrase in message, message
