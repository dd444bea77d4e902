"""The second shipped example (``cntt demo --example dti-2025``): digital transformation of a
fictional province's agencies and communes across the 2025 reorganisation.

Tỉnh Hòa An (fictional) is assessed by its Sở Khoa học và Công nghệ with two frameworks
(the rubric files beside this module, points illustrative and labelled so):

- 2024 (``rubric-dti-2024.yaml``, 1,000 points per group): 17 sở, ban, ngành; 6 UBND cấp
  huyện; 39 UBND cấp xã — three groups, each its own indicator set;
- 2025 (``rubric-dti-2025.yaml``, 100 points, a 0..1 index with pillar weights): districts are
  gone; 12 sở (five formed by merging two 2024 sở, Ban Dân tộc renamed Sở Dân tộc và Tôn
  giáo, the provincial inspectorate assessed but not ranked, the digital-economy indicator for
  5 sở only) and 18 xã, phường, đặc khu formed from one to four 2024 communes (one 2024
  commune split in two).

Everything the product does with it comes from these data files: no product code knows this
example. The 2025 round carries an appraisal file (the council's verified figures and the
one figure it supplies itself) and an export of the province's public-service system, one
late and one missing report, a claim without evidence and an invalid cell. Generation is
seeded: re-running it writes the same bytes.
"""

from __future__ import annotations

import datetime as dt
import shutil
from pathlib import Path
from typing import Any

import numpy as np
import pandas as pd

from cntt_analysis.errors import UsageError
from cntt_analysis.intake.templates import build_template, evidence_cells, template_cells
from cntt_analysis.rubric.model import Rubric, load_rubric
from cntt_analysis.storage import write_bytes, write_text, write_workbook
from cntt_analysis.yamlfile import read_mapping

NAME = "dti-2025"
DATA = Path(__file__).parent / "dti"
YEARS = (2024, 2025)
SEED = 2025
RUBRICS = {2024: "rubric-dti-2024.yaml", 2025: "rubric-dti-2025.yaml"}
DEADLINES = {2024: dt.date(2024, 11, 15), 2025: dt.date(2025, 11, 14)}

SO_2024 = [
    ("s-noi-vu", "Sở Nội vụ"), ("s-tu-phap", "Sở Tư pháp"),
    ("s-khdt", "Sở Kế hoạch và Đầu tư"), ("s-tai-chinh", "Sở Tài chính"),
    ("s-cong-thuong", "Sở Công Thương"),
    ("s-nnptnt", "Sở Nông nghiệp và Phát triển nông thôn"),
    ("s-gtvt", "Sở Giao thông vận tải"), ("s-xay-dung", "Sở Xây dựng"),
    ("s-tnmt", "Sở Tài nguyên và Môi trường"), ("s-tttt", "Sở Thông tin và Truyền thông"),
    ("s-ldtbxh", "Sở Lao động - Thương binh và Xã hội"),
    ("s-vhttdl", "Sở Văn hóa, Thể thao và Du lịch"), ("s-khcn", "Sở Khoa học và Công nghệ"),
    ("s-gddt", "Sở Giáo dục và Đào tạo"), ("s-y-te", "Sở Y tế"),
    ("b-dan-toc", "Ban Dân tộc tỉnh"), ("thanh-tra", "Thanh tra tỉnh"),
]
# 2025 sở: (id, name, predecessors); predecessors empty = the same unit as in 2024.
SO_2025 = [
    ("so-noi-vu", "Sở Nội vụ", ("s-noi-vu", "s-ldtbxh")),
    ("s-tu-phap", "Sở Tư pháp", ()),
    ("so-tai-chinh", "Sở Tài chính", ("s-khdt", "s-tai-chinh")),
    ("s-cong-thuong", "Sở Công Thương", ()),
    ("so-nn-mt", "Sở Nông nghiệp và Môi trường", ("s-nnptnt", "s-tnmt")),
    ("so-xay-dung", "Sở Xây dựng", ("s-gtvt", "s-xay-dung")),
    ("s-vhttdl", "Sở Văn hóa, Thể thao và Du lịch", ()),
    ("so-khcn", "Sở Khoa học và Công nghệ", ("s-khcn", "s-tttt")),
    ("s-gddt", "Sở Giáo dục và Đào tạo", ()),
    ("s-y-te", "Sở Y tế", ()),
    ("so-dan-toc-ton-giao", "Sở Dân tộc và Tôn giáo", ("b-dan-toc",)),
    ("thanh-tra", "Thanh tra tỉnh", ()),
]
# The sở tasked with developing the digital economy (the P7.1 indicator applies to them).
DIGITAL_ECONOMY = {"so-tai-chinh", "s-cong-thuong", "so-nn-mt", "so-khcn", "s-vhttdl"}
NOT_RANKED = {"thanh-tra"}  # serves no public services: assessed, not ranked (Hải Dương 2023)
DISTRICTS = [
    ("h-tp-hoa-an", "UBND thành phố Hòa An"), ("h-tx-phu-lam", "UBND thị xã Phú Lâm"),
    ("h-tan-phuoc", "UBND huyện Tân Phước"), ("h-dong-xuan", "UBND huyện Đồng Xuân"),
    ("h-huong-son", "UBND huyện Hương Sơn"), ("h-binh-giang", "UBND huyện Bình Giang"),
]
# 2025 communes: (id, name, the 2024 communes they were formed from as (id, name)).
COMMUNES = [
    ("p-an-phu", "UBND phường An Phú",
     [("x-an-lac", "UBND phường An Lạc"), ("x-an-phu", "UBND phường An Phú")]),
    ("p-hoa-an", "UBND phường Hòa An",
     [("x-dong-hoa", "UBND phường Đông Hòa"), ("x-tay-hoa", "UBND phường Tây Hòa")]),
    ("x-hoa-loi-2025", "UBND xã Hòa Lợi",
     [("x-hoa-binh", "UBND xã Hòa Bình"), ("x-hoa-loi", "UBND xã Hòa Lợi")]),
    ("p-phu-lam", "UBND phường Phú Lâm",
     [("x-phu-lam", "UBND phường Phú Lâm"), ("x-phu-thinh", "UBND phường Phú Thịnh"),
      ("x-phu-my", "UBND xã Phú Mỹ")]),
    ("x-phu-xuan-2025", "UBND xã Phú Xuân", [("x-phu-xuan", "UBND xã Phú Xuân")]),
    ("dk-hon-ngoc", "UBND đặc khu Hòn Ngọc",
     [("x-lam-hai", "UBND xã Lâm Hải"), ("x-hon-ngoc", "UBND xã Hòn Ngọc")]),
    ("x-tan-phuoc", "UBND xã Tân Phước",
     [("x-tan-hoa", "UBND xã Tân Hòa"), ("x-tan-lap", "UBND xã Tân Lập"),
      ("x-tan-thanh", "UBND xã Tân Thành"), ("x-tan-phu", "UBND xã Tân Phú")]),
    ("x-phuoc-loc", "UBND xã Phước Lộc",
     [("x-phuoc-loc-cu", "UBND xã Phước Lộc"), ("x-phuoc-hung", "UBND xã Phước Hưng"),
      ("x-phuoc-an", "UBND xã Phước An")]),
    ("x-dong-xuan", "UBND xã Đồng Xuân",
     [("x-la-hai", "UBND thị trấn La Hai"), ("x-xuan-lanh", "UBND xã Xuân Lãnh")]),
    ("x-xuan-phuoc", "UBND xã Xuân Phước",
     [("x-xuan-phuoc-cu", "UBND xã Xuân Phước"), ("x-xuan-quang", "UBND xã Xuân Quang")]),
    ("x-phu-mo", "UBND xã Phú Mỡ",
     [("x-phu-mo-cu", "UBND xã Phú Mỡ"), ("x-da-loc", "UBND xã Đa Lộc")]),
    ("x-huong-son", "UBND xã Hương Sơn",
     [("x-huong-thuy", "UBND xã Hương Thủy"), ("x-huong-lam", "UBND xã Hương Lâm"),
      ("x-huong-tra", "UBND xã Hương Trà")]),
    ("x-son-kim", "UBND xã Sơn Kim",
     [("x-son-kim-1", "UBND xã Sơn Kim 1"), ("x-son-kim-2", "UBND xã Sơn Kim 2")]),
    ("x-son-tay", "UBND xã Sơn Tây",
     [("x-son-tay-cu", "UBND xã Sơn Tây"), ("x-son-giang", "UBND xã Sơn Giang")]),
    ("x-binh-giang", "UBND xã Bình Giang",
     [("x-binh-xuyen", "UBND xã Bình Xuyên"), ("x-binh-minh", "UBND xã Bình Minh")]),
    ("x-thanh-ha", "UBND xã Thanh Hà",
     [("x-thanh-tung", "UBND xã Thanh Tùng"), ("x-thanh-lang", "UBND xã Thanh Lãng")]),
    ("x-long-xuyen", "UBND xã Long Xuyên", [("x-long-xuyen-cu", "UBND xã Long Xuyên")]),
]
# A large 2024 commune split in two in 2025 (one predecessor, two successors).
SPLIT = ("x-vinh-hung", "UBND xã Vĩnh Hưng",
         [("x-vinh-hung-dong", "UBND xã Vĩnh Hưng Đông"),
          ("x-vinh-hung-tay", "UBND xã Vĩnh Hưng Tây")])

# The 2025 round's realistic mess.
MISSING_2025 = "x-son-tay"
LATE_2025 = "x-long-xuyen"
INVALID_2025 = {"s-gddt": {"P6.2": "khoảng 3.000"}}
NO_EVIDENCE_2025 = "so-xay-dung"  # cites nothing for its claims
# The appraisal council's corrections: unit, code, verified value, reason, who.
APPRAISAL_2025 = [
    ("so-khcn", "P1.2", 1, "Biên bản họp cho thấy Giám đốc Sở chủ trì 1 phiên",
     "Hội đồng thẩm định (Sở KH&CN)"),
    ("x-tan-phuoc", "P3.1", 2, "Chỉ xác minh được 2 ứng dụng đang sử dụng",
     "Hội đồng thẩm định (Sở KH&CN)"),
]
SUPPLIED_BLANK_2025 = "x-phu-mo"  # the council has not entered its approved systems yet
SYSTEM = "Hệ thống thông tin giải quyết thủ tục hành chính tỉnh"
EXPORT_FILE = "xuat-du-lieu/dvc-2025.csv"


def registry_frame() -> pd.DataFrame:
    """units.csv: both years' units with their lineage, flags and ranking."""
    rows: list[dict[str, str]] = []

    def add(unit_id: str, name: str, group: str, since: str = "", until: str = "",
            previous: tuple[str, ...] | list[str] = ()) -> None:
        rows.append({"unit_id": unit_id, "name": name, "group": group, "aliases": "",
                     "previous_ids": ";".join(previous), "since": since, "until": until,
                     "ranked": "không" if unit_id in NOT_RANKED else "có",
                     "kinh_te_so": "có" if unit_id in DIGITAL_ECONOMY else ""})

    kept = {u for u, _, before in SO_2025 if not before}
    for unit_id, name in SO_2024:
        add(unit_id, name, "so", until="" if unit_id in kept else "2024")
    for unit_id, name, before in SO_2025:
        if before:
            add(unit_id, name, "so", since="2025", previous=before)
    for unit_id, name in DISTRICTS:
        add(unit_id, name, "huyen", until="2024")
    for unit_id, name, formed_from in COMMUNES:
        for old_id, old_name in formed_from:
            add(old_id, old_name, "xa", until="2024")
        add(unit_id, name, "xa", since="2025", previous=[b for b, _ in formed_from])
    old_id, old_name, parts = SPLIT
    add(old_id, old_name, "xa", until="2024")
    for unit_id, name in parts:
        add(unit_id, name, "xa", since="2025", previous=[old_id])
    return pd.DataFrame(rows)


def units_of(registry: pd.DataFrame, year: int) -> pd.DataFrame:
    since = pd.to_numeric(registry["since"], errors="coerce").fillna(0)
    until = pd.to_numeric(registry["until"], errors="coerce").fillna(9999)
    return registry[(since <= year) & (year <= until)].reset_index(drop=True)


# ----------------------------------------------------------------------------- answers


def _frac(rng: np.random.Generator, q: float, spread: float = 0.12) -> float:
    return float(np.clip(q + rng.normal(0, spread), 0.0, 1.0))


def _pick(rng: np.random.Generator, q: float, labels: list[str]) -> str:
    """Best label first in `labels`; a higher maturity picks a better one."""
    worst_first = labels[::-1]
    index = int(np.clip(round(_frac(rng, q, 0.18) * (len(labels) - 1)), 0, len(labels) - 1))
    return worst_first[index]


def answers_for(rubric: Rubric, unit: pd.Series, year: int, q: float,
                rng: np.random.Generator) -> dict[str, Any]:
    """Plausible answers of one unit at maturity q (0..1) for every input its template asks."""
    group = unit["group"]
    commune = group == "xa"
    staff = int(rng.integers(18, 45) if commune else rng.integers(35, 260))
    computers = max(1, round(staff * _frac(rng, 0.7 + 0.3 * q, 0.08)))
    sent = int(rng.integers(600, 3500) if commune else rng.integers(1200, 9000))
    dossiers = 0 if unit["unit_id"] in NOT_RANKED else int(
        rng.integers(800, 6000) if commune else rng.integers(300, 12000))
    meetings = int(np.clip(rng.poisson(4.2 * q + 0.3), 0, 6))
    tasks = int(rng.integers(6, 20))
    systems = int(rng.integers(1, 7))
    people = int(rng.integers(4000, 28000))
    households = people // 3
    yes = lambda shift=0.0: "Có" if rng.random() < q + shift else "Không"  # noqa: E731
    values: dict[str, Any] = {
        "G01": unit["name"], "G02": year,
        "G03": DEADLINES[year] - dt.timedelta(days=int(rng.integers(1, 20))),
        "G04": f"Chuyên viên phụ trách chuyển đổi số, 0912 {rng.integers(100, 999)} "
               f"{rng.integers(100, 999)}",
        "G05": staff, "G06": computers, "G07": sent, "G08": dossiers,
        "G09": "Đề nghị tỉnh bố trí kinh phí nâng cấp hạ tầng." if rng.random() < 0.3 else None,
        "P1.1": meetings, "P1.2": round(meetings * _frac(rng, q)),
        "P1.3": int(np.clip(rng.poisson(4.5 * q), 0, 8)),
        "P1.5a": yes(0.1), "P1.5b": yes(), "P1.4a": yes(0.1), "P1.4b": yes(),
        "P2.1": _pick(rng, q, ["Ban hành trước 31/01", "Ban hành sau 31/01", "Chưa ban hành"]),
        "P2.2": yes(0.1) if year == 2024 else int(np.clip(rng.poisson(4.5 * q), 0, 8)),
        "P2.3a": tasks, "P2.3b": round(tasks * _frac(rng, 0.2 + 0.8 * q)),
        "P3.1": int(np.clip(rng.poisson(6 * q), 0, 9)),
        "P3.2": round(staff * float(rng.uniform(0.4, 1.2)) * (0.5 + 2.5 * q), 1)
        if year == 2024 else round(computers * _frac(rng, 0.6 + 0.4 * q)),
        "P3.3": int(np.clip(rng.poisson(6 * q), 0, 9)),
        "P4.1": _pick(rng, q, ["Chuyên trách", "Kiêm nhiệm", "Không có"]),
        "P4.2": round(staff * _frac(rng, 0.8 * q)),
        "P5.1a": int(rng.poisson(1.5 * q)) if year == 2024 else systems,
        "P5.1b": int(rng.poisson(2 * q)), "P5.2a": systems,
        "P5.2b": round(systems * _frac(rng, q)),
        "P5.3": round(computers * _frac(rng, 0.5 + 0.5 * q)),
        "P6.1": round(sent * _frac(rng, 0.4 + 0.6 * q)),
        "P6.2": round(dossiers * _frac(rng, 0.6 * q)) if year == 2024
        else round(sent * _frac(rng, 0.4 + 0.6 * q)),
        "P6.3": round(dossiers * _frac(rng, 0.6 + 0.4 * q)),
        "P6.3a": dossiers, "P6.3b": round(dossiers * _frac(rng, 0.6 + 0.4 * q)),
        "P6.4": _pick(rng, q, ["Đã kết nối, chia sẻ với hệ thống của tỉnh",
                               "Có nhưng chưa kết nối", "Chưa có"]),
        "P7.1a": tasks // 2, "P7.1b": round(tasks // 2 * _frac(rng, q)),
        "P8.1a": people, "P8.1b": round(people * _frac(rng, 0.35 + 0.55 * q)),
        "P8.2a": households, "P8.2b": round(households * _frac(rng, 0.3 + 0.6 * q)),
        "P8.3": yes(), "P8.2": yes(),
    }
    head = _pick(rng, q, ["Người đứng đầu", "Cấp phó của người đứng đầu",
                          "Chưa thành lập Ban chỉ đạo"])
    if year == 2024:
        values["P1.4"] = head
    else:  # the 2025 framework numbers some indicators differently (its crosswalk)
        values.update({"P1.3": head, "P2.2": values["P1.3"],
                       "P5.2a": int(rng.poisson(1.2 * q)), "P5.2b": int(rng.poisson(1.5 * q))})
    asked = rubric.asked_inputs(group, _flags(unit))
    return {i.code: values[i.code] for i in asked if i.code in values}


def _flags(unit: pd.Series) -> dict[str, bool]:
    return {"kinh_te_so": unit.get("kinh_te_so") == "có"}


_DIRECTIVES = "Các văn bản số {n}/{abbr}-VP, {m}/{abbr}-VP năm {year}"
_BOARD = "Quyết định số {n}/QĐ-{abbr} ngày {day}/02/{year} kiện toàn Ban chỉ đạo CĐS"
_APPS = "Danh sách ứng dụng kèm Báo cáo số {m}/BC-{abbr} ngày {day}/10/{year}"
_TEAM = "Quyết định số {n}/QĐ-UBND ngày {day}/03/{year} thành lập tổ CNS cộng đồng"
# What units cite as evidence, per year and input (the two frameworks number differently).
EVIDENCE = {
    "P1.1": "Thông báo kết luận các phiên họp Ban chỉ đạo CĐS năm {year} (số {n}/TB-{abbr})",
    "P2.1": "Kế hoạch số {n}/KH-{abbr} ngày {day}/01/{year} về chuyển đổi số năm {year}",
}
EVIDENCE_BY_YEAR = {
    2024: {**EVIDENCE, "P1.3": _DIRECTIVES, "P1.4": _BOARD, "P3.3": _APPS, "P8.3": _TEAM,
           "P2.2": "Quyết định số {n}/QĐ-{abbr} ngày {day}/04/{prev} ban hành Quy chế ATTT",
           "P5.2b": "Quyết định phê duyệt cấp độ số {n}/QĐ-STTTT ngày {day}/06/{year}",
           "P6.4": "https://csdl.hoaan.gov.vn/{abbr}"},
    2025: {**EVIDENCE, "P1.3": _BOARD, "P2.2": _DIRECTIVES, "P3.1": _APPS, "P8.2": _TEAM,
           "P7.1b": "Báo cáo số {m}/BC-{abbr} ngày {day}/11/{year} về kinh tế số"},
}


def evidence_for(rubric: Rubric, unit_id: str, answers: dict[str, Any], q: float, year: int,
                 rng: np.random.Generator) -> dict[str, str]:
    """What a unit cites beside its claims; weaker units leave more claims unproven."""
    abbr = unit_id.upper().replace("-", "")[:8]
    cited = {}
    for code, text in EVIDENCE_BY_YEAR[year].items():
        inp = rubric.inputs.get(code)
        if inp is None or not inp.evidence or code not in answers:
            continue
        if unit_id == NO_EVIDENCE_2025 and year == 2025:
            continue
        if rng.random() > 0.4 + 0.6 * q:
            continue
        cited[code] = text.format(n=int(rng.integers(2, 180)), m=int(rng.integers(180, 900)),
                                  day=f"{int(rng.integers(2, 28)):02d}", abbr=abbr, year=year,
                                  prev=year - 1)
    return cited


def fill(rubric: Rubric, year: int, unit: pd.Series, answers: dict[str, Any],
         cited: dict[str, str]):
    """The unit's own template (its group's indicators), filled as the unit would."""
    group, flags = unit["group"], _flags(unit)
    wb = build_template(rubric, year, unit["unit_id"], unit["name"], group, flags)
    for code, (sheet, cell) in template_cells(rubric, group, flags).items():
        if code in answers:
            wb[sheet][cell] = answers[code]
    for code, (sheet, cell) in evidence_cells(rubric, group, flags).items():
        if cited.get(code):
            wb[sheet][cell] = cited[code]
    return wb


# ----------------------------------------------------------------------------- rounds


def _maturity(registry: pd.DataFrame, rng: np.random.Generator) -> dict[str, float]:
    """2024 maturity per unit; a 2025 unit starts from its predecessors' mean, then moves."""
    start = {u: float(rng.uniform(0.25, 0.9)) for u in sorted(registry["unit_id"])}
    q = {}
    for row in registry.itertuples(index=False):
        before = [p for p in row.previous_ids.split(";") if p]
        base = float(np.mean([start[p] for p in before])) if before else start[row.unit_id]
        q[row.unit_id] = float(np.clip(base + rng.normal(0.06, 0.08), 0.1, 0.97)) \
            if row.since == "2025" else base
    return q


def round_yaml(year: int) -> str:
    lines = [f"# Đợt đánh giá chuyển đổi số năm {year} của tỉnh Hòa An (ví dụ, dữ liệu mô "
             "phỏng).", f"deadline: {DEADLINES[year].isoformat()}",
             f"rubric: {RUBRICS[year]}", "synthetic: true"]
    if year == 2024:
        lines += ["# Trước sắp xếp đơn vị hành chính: còn cấp huyện.",
                  "assessed_units: {name: 'các sở, ban, ngành, UBND cấp huyện và cấp xã'}"]
    if year == 2025:
        lines += ["# Khung 2025 có năm mức xếp loại: đề xuất điển hình là đơn vị Xuất sắc.",
                  "models: {tiers: [Xuất sắc], max_shortcomings: 1, "
                  "max_claims_without_evidence: 0}",
                  "# Số liệu hồ sơ trực tuyến lấy từ hệ thống của tỉnh (chỉ tiêu P6.1).",
                  "imports:", "  dvc:", f"    file: {EXPORT_FILE}",
                  "    unit_column: Cơ quan, đơn vị", "    columns:",
                  "      P6.1a: Số hồ sơ tiếp nhận", "      P6.1b: Số hồ sơ nộp trực tuyến"]
    return "\n".join(lines) + "\n"


def export_csv(registry: pd.DataFrame, rng: np.random.Generator) -> bytes:
    """What the public-service system exports, as Vietnamese Excel saves it: BOM, ';',
    decimal commas, a title row above the header; the inspectorate handles no procedures
    (0 received: the indicator does not apply to it)."""
    lines = ["Báo cáo tình hình tiếp nhận hồ sơ thủ tục hành chính năm 2025;;",
             "Cơ quan, đơn vị;Số hồ sơ tiếp nhận;Số hồ sơ nộp trực tuyến"]
    for row in units_of(registry, 2025).itertuples(index=False):
        received = 0 if row.unit_id in NOT_RANKED else int(rng.integers(800, 9000))
        online = round(received * float(rng.uniform(0.15, 0.85)))
        lines.append(f"{row.name};{received:,};{online:,}".replace(",", "."))
    return ("\ufeff" + "\r\n".join(lines) + "\r\n").encode("utf-8")


def write_round(raw: Path, year: int, registry: pd.DataFrame, maturity: dict[str, float],
                rng: np.random.Generator) -> list[Path]:
    folder = raw / str(year)
    rubric_file = folder / RUBRICS[year]
    written = [write_bytes((DATA / RUBRICS[year]).read_bytes(), rubric_file),
               write_text(round_yaml(year), folder / "round.yaml")]
    rubric = load_rubric(rubric_file)
    for _, unit in units_of(registry, year).iterrows():
        unit_id = unit["unit_id"]
        q = maturity[unit_id]
        answers = answers_for(rubric, unit, year, q, rng)
        cited = evidence_for(rubric, unit_id, answers, q, year, rng)
        if year == 2025:
            if unit_id == MISSING_2025:
                continue
            if unit_id == LATE_2025:
                answers["G03"] = DEADLINES[year] + dt.timedelta(days=9)
            answers.update(INVALID_2025.get(unit_id, {}))
        name = f"{unit_id}.xlsx" if rng.random() < 0.5 else f"DTI {year} - {unit['name']}.xlsx"
        written.append(write_workbook(fill(rubric, year, unit, answers, cited), folder / name))
    if year == 2025:
        written.append(write_bytes(export_csv(registry, rng), folder / EXPORT_FILE))
    return written


def write_appraisal(raw: Path, year: int, rng: np.random.Generator) -> Path:
    """The appraisal council's file: the prefilled inspection workbook with its corrections
    and the figure it supplies itself (approved security levels, P5.1b)."""
    from cntt_analysis.scoring.inspection import build_inspection_template
    from cntt_analysis.scoring.pipeline import score_round

    result = score_round(raw, year, progress=False)
    wb = build_inspection_template(result.answers, result.round.rubric, result.registry)
    ws = wb.active
    header = [c.value for c in ws[1]]
    col = {name: header.index(name) for name in header}
    fixes = {(u, c): rest for u, c, *rest in APPRAISAL_2025}
    systems = dict(zip(zip(result.answers["unit_id"], result.answers["code"]),
                       result.answers["number"]))
    for row in ws.iter_rows(min_row=2):
        unit_id, code = row[col["Mã đơn vị"]].value, row[col["Mã mục"]].value
        if (unit_id, code) in fixes:
            verified, reason, who = fixes[(unit_id, code)]
            row[col["Số liệu kiểm tra"]].value = verified
            row[col["Lý do điều chỉnh"]].value = reason
            row[col["Người kiểm tra"]].value = who
        elif code == "P5.1b" and unit_id != SUPPLIED_BLANK_2025:
            operated = systems.get((unit_id, "P5.1a"))
            approved = 0 if operated is None or pd.isna(operated) else int(
                round(float(operated) * float(rng.uniform(0.3, 1.0))))
            row[col["Số liệu kiểm tra"]].value = approved
            row[col["Người kiểm tra"]].value = "Sở Khoa học và Công nghệ"
    return write_workbook(wb, raw / str(year) / "inspection.xlsx")


def _check_free(raw: Path) -> None:
    """Write only into an empty folder or over this example's own synthetic rounds."""
    for year in YEARS:
        config = raw / str(year) / "round.yaml"
        if config.is_file():
            data = read_mapping(config, "tệp cấu hình đợt đánh giá", "synthetic: true")
            if data.get("synthetic") is not True:
                raise UsageError(f"Thư mục {config.parent} chứa dữ liệu thật (không có "
                                 "'synthetic: true' trong round.yaml); không ghi đè. Hãy "
                                 "chọn thư mục khác bằng --raw.")
    other = [p.name for p in raw.iterdir() if p.is_dir() and p.name.isdigit()
             and int(p.name) not in YEARS] if raw.is_dir() else []
    if other:
        raise UsageError(f"Thư mục {raw} đã có các đợt đánh giá khác ({', '.join(sorted(other))})"
                         f"; ví dụ {NAME} cần một thư mục riêng: chọn bằng --raw.")


def write_example(raw_dir: str | Path) -> list[Path]:
    """Write the example's units.csv, department.yaml and both rounds under `raw_dir`."""
    raw = Path(raw_dir)
    _check_free(raw)
    rng = np.random.default_rng(SEED)
    registry = registry_frame()
    maturity = _maturity(registry, rng)
    paths = [write_text(registry.to_csv(index=False), raw / "units.csv"),
             write_bytes((DATA / "department.yaml").read_bytes(), raw / "department.yaml")]
    for year in YEARS:
        if (raw / str(year)).is_dir():
            shutil.rmtree(raw / str(year))
        paths += write_round(raw, year, registry, maturity, rng)
    paths.append(write_appraisal(raw, 2025, rng))
    return paths
