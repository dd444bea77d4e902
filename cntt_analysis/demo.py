"""The synthetic demo (dữ liệu mô phỏng): a fictional province's 22 units over three rounds.

Figures come from each unit's "IT maturity", which improves unevenly year to year; the
2017 round carries the mess real submissions have (numbers typed as Vietnamese text, NFD
text, a unit name typed differently in an old copy of the form, a late, a missing and a
duplicate submission, invalid answers, an .ods and an .xls file, a file that is not a
workbook). Generation is seeded, so re-running it rewrites the same .xlsx bytes.
"""

from __future__ import annotations

import datetime as dt
import shutil
import subprocess
import tempfile
import unicodedata
from dataclasses import replace
from pathlib import Path
from typing import Any

import numpy as np
import pandas as pd

from cntt_analysis.errors import UsageError
from cntt_analysis.intake.templates import build_template, evidence_cells, template_cells
from cntt_analysis.rubric.model import Rubric, load_rubric
from cntt_analysis.storage import write_bytes, write_text, write_workbook
from cntt_analysis.yamlfile import read_mapping

YEARS = (2015, 2016, 2017)
SEED = 2017
PROVINCE = "tỉnh Hòa An"
# The demo department's particulars and names (data/raw/department.yaml): written with the
# demo unless the folder already has its own.
DEPARTMENT_YAML = r"""# Thông tin cơ quan dùng trên văn bản (Báo cáo, Thông báo, Công văn đôn đốc).
# DỮ LIỆU MÔ PHỎNG: tên người, số điện thoại, địa danh đều là giả định.
# Mỗi đợt có thể ghi đè bất kỳ mục nào bằng khóa `documents:` trong data/raw/<năm>/round.yaml
# (ví dụ số và ngày văn bản: documents: {report: {number: "15", date: 2017-09-20}}).
place: Hòa An
# Cơ quan tổ chức đánh giá, tên cuộc đánh giá và các đơn vị được đánh giá, như văn bản và báo
# cáo gọi (tên các khối lấy từ phiếu đánh giá). Trong `title` và `plan`, {năm} là năm đánh giá.
organisation:
  name: Sở Tài nguyên và Môi trường          # trong câu văn
  full: Sở Tài nguyên và Môi trường tỉnh Hòa An   # trang bìa báo cáo
  short: Sở                                   # "gửi báo cáo về Sở"
  leaders: Lãnh đạo Sở                        # nơi nhận báo cáo, người quyết định
assessment:
  name: ứng dụng công nghệ thông tin
  short: ứng dụng CNTT                        # biểu đồ, tiêu đề ngắn, Excel
  title: Kết quả kiểm tra, đánh giá ứng dụng công nghệ thông tin
  plan: Kế hoạch kiểm tra, đánh giá kết quả ứng dụng công nghệ thông tin năm {năm}
assessed_units:
  name: các phòng, đơn vị trực thuộc Sở và Phòng TN&MT cấp huyện
  counted: phòng, đơn vị thuộc Sở và Phòng Tài nguyên và Môi trường cấp huyện
  whole: toàn Sở
bodies:
  department: {parent: UBND TỈNH HÒA AN, name: SỞ TÀI NGUYÊN VÀ MÔI TRƯỜNG, short: STNMT}
  centre: {parent: SỞ TÀI NGUYÊN VÀ MÔI TRƯỜNG, name: TRUNG TÂM CÔNG NGHỆ THÔNG TIN,
           short: TTCNTT, full: Trung tâm Công nghệ thông tin}
# (Tên cơ quan quá dài được tự xuống dòng; muốn ngắt ở chỗ khác thì ghi "\n" vào tên.)
contact:  # người liên hệ tại Trung tâm CNTT
  name: Nguyễn Văn Bình
  role: Phó Trưởng phòng Ứng dụng CNTT
  phone: 0273 3872 345
  email: binhnv.ttcntt@stnmt.hoaan.gov.vn
# Hạn khắc phục và báo cáo kết quả khắc phục: tháng-ngày của năm sau năm đánh giá
# (hoặc remedy_deadline: yyyy-mm-dd trong round.yaml).
remedy_deadline_next_year: "03-31"
# Đơn vị đề xuất điển hình tiên tiến: xếp loại trong `tiers`, không quá `max_shortcomings`
# tồn tại, hạn chế, không quá `max_claims_without_evidence` nội dung kê khai chưa có tài liệu
# kiểm chứng, không thuộc diện phải khắc phục và không bỏ trống phần lớn báo cáo
# (round.yaml có thể ghi đè bằng khóa `models:`).
models: {tiers: [Tốt], max_shortcomings: 2, max_claims_without_evidence: 0}
# Đợt đánh giá chưa đầy đủ khi số đơn vị đã nộp báo cáo không quá tỷ lệ này của số đơn vị
# trong danh mục: mọi tài liệu, văn bản ghi kết quả là tạm thời.
partial_round_share: 0.5
# Bài nộp bỏ trống phần lớn (chưa đầy đủ) khi số mục bắt buộc bỏ trống nhiều hơn tỷ lệ này:
# đơn vị được yêu cầu bổ sung số liệu, không bị coi là yếu kém và không được đề xuất biểu dương.
mostly_blank_share: 0.5
documents:
  report:      # Báo cáo của Trung tâm CNTT gửi Lãnh đạo Sở
    issuer: centre
    symbol: BC-TTCNTT
    signer: {authority: GIÁM ĐỐC, title: "", name: Lê Minh Tuấn}
    recipients: [Giám đốc Sở (để báo cáo), Các Phó Giám đốc Sở (để báo cáo), Văn phòng Sở]
    archive: VT, TTCNTT
  notice:      # Thông báo kết quả gửi từng đơn vị
    issuer: department
    symbol: TB-STNMT
    signer: {authority: KT. GIÁM ĐỐC, title: PHÓ GIÁM ĐỐC, name: Trần Quốc Hưng}
    recipients: [Giám đốc Sở (để báo cáo), Trung tâm CNTT (để theo dõi)]
    archive: VT, TTCNTT
  reminder:    # Công văn đôn đốc đơn vị chưa gửi báo cáo
    issuer: department
    symbol: STNMT-TTCNTT
    signer: {authority: KT. GIÁM ĐỐC, title: PHÓ GIÁM ĐỐC, name: Trần Quốc Hưng}
    recipients: [Giám đốc Sở (để báo cáo), Trung tâm CNTT (để theo dõi)]
    archive: VT, TTCNTT
"""

# unit_id, name, group, aliases, handles administrative procedures (TTHC), land database
UNITS = [
    ("vp-so", "Văn phòng Sở", "so", "VP Sở", False, False),
    ("thanh-tra", "Thanh tra Sở", "so", "", False, False),
    ("p-khtc", "Phòng Kế hoạch - Tài chính", "so", "Phòng KH-TC", False, False),
    ("p-qldd", "Phòng Quản lý đất đai", "so", "Phòng QLĐĐ", True, True),
    ("p-ddbd", "Phòng Đo đạc, Bản đồ và Viễn thám", "so", "", False, True),
    ("p-tnn", "Phòng Tài nguyên nước, Khoáng sản và Khí tượng thủy văn", "so",
     "Phòng TNN-KS-KTTV", True, False),
    ("cc-bvmt", "Chi cục Bảo vệ môi trường", "so", "Chi cục BVMT", True, False),
    ("vpdk", "Văn phòng Đăng ký đất đai", "so", "VPĐKĐĐ", True, True),
    ("tt-cntt", "Trung tâm Công nghệ thông tin", "so", "TT CNTT;TT.CNTT", False, True),
    ("tt-qtmt", "Trung tâm Quan trắc môi trường", "so", "", False, False),
    ("tt-ptqd", "Trung tâm Phát triển quỹ đất", "so", "", False, True),
    ("tt-ktda", "Trung tâm Kỹ thuật Tài nguyên và Môi trường", "so", "", False, False),
    ("h-tp-hoa-an", "Phòng Tài nguyên và Môi trường thành phố Hòa An", "huyen", "", True, True),
    ("h-tx-phu-lam", "Phòng Tài nguyên và Môi trường thị xã Phú Lâm", "huyen", "", True, True),
    ("h-tan-phuoc", "Phòng Tài nguyên và Môi trường huyện Tân Phước", "huyen", "", True, True),
    ("h-dong-xuan", "Phòng Tài nguyên và Môi trường huyện Đồng Xuân", "huyen", "", True, True),
    ("h-huong-son", "Phòng Tài nguyên và Môi trường huyện Hương Sơn", "huyen", "", True, True),
    ("h-binh-giang", "Phòng Tài nguyên và Môi trường huyện Bình Giang", "huyen", "", True, True),
    ("h-thanh-ha", "Phòng Tài nguyên và Môi trường huyện Thanh Hà", "huyen", "", True, True),
    ("h-yen-khanh", "Phòng Tài nguyên và Môi trường huyện Yên Khánh", "huyen", "", True, True),
    ("h-lac-son", "Phòng Tài nguyên và Môi trường huyện Lạc Sơn", "huyen", "", True, True),
    ("h-kim-bang", "Phòng Tài nguyên và Môi trường huyện Kim Bảng", "huyen", "", True, True),
]
REPORTERS = ["Nguyễn Văn Hùng", "Trần Thị Lan", "Lê Minh Đức", "Phạm Thu Hà", "Hoàng Văn Nam",
             "Vũ Thị Hương", "Đặng Quốc Tuấn", "Bùi Thị Mai", "Đỗ Văn Thắng", "Ngô Thị Yến"]
REMARKS = ["Đề nghị Sở bố trí kinh phí nâng cấp máy tính đã cũ.",
           "Đường truyền Internet còn chậm vào giờ cao điểm.",
           "Cần tập huấn thêm về chữ ký số cho văn thư.",
           "Thiếu cán bộ chuyên trách CNTT.", "", ""]

# 2017 mess, by unit: what each one does wrong (see module docstring).
MISSING_2017 = "tt-ktda"
LATE_2017 = "h-lac-son"
DUPLICATE_2017 = "vp-so"
OLD_COPY_2017 = ("h-yen-khanh", "Phòng TN&MT H. Yên Khánh")
NFD_2017 = "h-dong-xuan"
TEXT_NUMBERS_2017 = ("p-khtc", "h-binh-giang", "cc-bvmt")
ODS_2017, XLS_2017 = "h-thanh-ha", "tt-qtmt"
INVALID_2017: dict[str, dict[str, Any]] = {
    "thanh-tra": {"C1.4": "nhiều"}, "h-kim-bang": {"C2.2": "+"},
    "tt-ptqd": {"C1.1": "Đã có kế hoạch"}, "p-ddbd": {"C3.3": None}}


# A district became a town (thị xã) in 2017: a new unit id and name, one history.
RENAMED = {"h-tx-phu-lam": ("h-phu-lam", "Phòng Tài nguyên và Môi trường huyện Phú Lâm", 2017)}
# What the inspection team verified in 2017: unit, code, verified value, reason, inspector.
INSPECTION_2017 = [
    ("h-kim-bang", "G06", 22, "Kiểm kê thực tế có 22 máy tính đang sử dụng",
     "Nguyễn Văn Bình (TT.CNTT)"),
    ("vp-so", "C2.3", "12", "Hợp đồng dịch vụ Internet ghi băng thông 12 Mbps",
     "Trần Thị Thu (Văn phòng Sở)"),
    ("p-tnn", "C3.4", 6, "Danh sách học viên lớp tập huấn chỉ có 6 người của đơn vị",
     "Nguyễn Văn Bình (TT.CNTT)"),
    ("h-huong-son", "C1.1", "Ban hành sau 31/01", "Kế hoạch ký ngày 15/02/2017",
     "Trần Thị Thu (Văn phòng Sở)"),
]


def registry_frame() -> pd.DataFrame:
    rows = []
    for unit in UNITS:
        row = {"unit_id": unit[0], "name": unit[1], "group": unit[2], "aliases": unit[3],
               "previous_ids": "", "since": "", "until": ""}
        if unit[0] in RENAMED:
            old_id, old_name, since = RENAMED[unit[0]]
            rows.append({**row, "unit_id": old_id, "name": old_name, "until": str(since - 1)})
            row.update(previous_ids=old_id, since=str(since))
        rows.append(row)
    return pd.DataFrame(rows)


def _as_of(unit: tuple, year: int) -> tuple:
    """The unit as it was in `year` (its old id and name before a rename)."""
    if unit[0] in RENAMED and year < RENAMED[unit[0]][2]:
        return (RENAMED[unit[0]][0], RENAMED[unit[0]][1], *unit[2:])
    return unit


def _older_form(answers: dict, year: int, sent: int, q: float,
                rng: np.random.Generator) -> dict:
    """Answers as the 2015/2016 forms asked them (see those rubrics' crosswalk)."""
    if year >= 2017:
        return answers
    answers = dict(answers)
    answers["C2.7"], answers["C2.8"] = answers["C2.8"], answers["C2.7"]
    answers["C4.2"] = round(sent * _frac(rng, q + 0.1))  # documents sent online
    return answers


def _maturity(rng: np.random.Generator) -> dict[str, tuple[float, float]]:
    """unit → (2015 maturity, yearly change): some improve fast, some stall or slip."""
    return {u[0]: (float(rng.uniform(0.25, 0.85)), float(rng.choice(
        [-0.04, 0.0, 0.04, 0.08, 0.12, 0.16], p=[0.1, 0.15, 0.25, 0.25, 0.15, 0.1])))
        for u in UNITS}


def _frac(rng: np.random.Generator, q: float, lo: float = 0.0, hi: float = 1.0,
          spread: float = 0.12) -> float:
    return float(np.clip(q + rng.normal(0, spread), lo, hi))


def _pick(q: float, labels: list[str], rng: np.random.Generator) -> str:
    """Worst label first; a higher maturity picks a better one."""
    index = int(np.clip(round(_frac(rng, q, spread=0.15) * (len(labels) - 1)), 0,
                        len(labels) - 1))
    return labels[index]


def unit_answers(unit: tuple, q: float, year: int, rng: np.random.Generator,
                 deadline: dt.date) -> dict[str, Any]:
    """Plausible answers for one unit and year at maturity q (0..1)."""
    unit_id, name, group, _, has_tthc, has_land = unit
    district = group == "huyen"
    staff = int(rng.integers(12, 26) if district else rng.integers(8, 42))
    computers = max(1, round(staff * _frac(rng, 0.55 + 0.45 * q, 0.4, 1.15, 0.08)))
    sent, received = int(rng.integers(300, 2200)), int(rng.integers(600, 4200))
    procedures = int(rng.integers(18, 60) if district else rng.integers(4, 30)) if has_tthc else 0
    records = int(rng.integers(400, 6000)) if procedures else 0
    budget = round(float(rng.uniform(3000, 15000) if district else rng.uniform(2000, 30000)), 1)

    def yes(shift: float = 0.0) -> str:
        return "Có" if rng.random() < q + shift else "Không"

    planned = int(rng.integers(4, 13))
    it_staff = int(rng.integers(1, 4))
    reports = int(rng.integers(6, 25))
    granted = round(float(rng.uniform(50, 1500)), 1)
    answers: dict[str, object] = {
        "G01": name, "G02": year,
        "G03": deadline - dt.timedelta(days=int(rng.integers(1, 25))),
        "G04": f"{REPORTERS[int(rng.integers(len(REPORTERS)))]}, 0912 {rng.integers(100, 999)}"
               f" {rng.integers(100, 999)}",
        "G05": staff, "G06": computers, "G07": sent, "G08": received, "G09": procedures,
        "G10": records, "G11": budget, "G12": REMARKS[int(rng.integers(len(REMARKS)))] or None,
        "C1.1": _pick(q, ["Chưa ban hành", "Ban hành sau 31/01", "Ban hành trước 31/01"], rng),
        "C1.2": yes(0.2), "C1.3": yes(), "C1.4": int(rng.poisson(2.2 * q)), "C1.5": yes(0.3),
        "C1.6a": planned, "C1.6b": round(planned * _frac(rng, 0.3 + 0.7 * q)),
        "C2.2": round(computers * _frac(rng, 0.7 + 0.35 * q)),
        "C2.3": round(staff * float(rng.uniform(0.4, 1.0)) * (0.5 + 3 * q), 1),
        "C2.4": round(computers * _frac(rng, q + 0.1)), "C2.5": yes(0.1), "C2.6": yes(-0.1),
        "C2.7": yes(), "C2.8": _pick(q - 0.1, ["Không có", "Có, chưa đạt yêu cầu",
                                               "Đạt yêu cầu kỹ thuật"], rng),
        "C3.1": _pick(q, ["Không có", "Kiêm nhiệm", "Chuyên trách"], rng),
        "C3.2a": it_staff, "C3.2b": round(it_staff * _frac(rng, q)),
        "C3.3": round(staff * _frac(rng, 0.55 + 0.45 * q)),
        "C3.4": round(staff * _frac(rng, 0.9 * q)), "C3.5": int(rng.poisson(1.8 * q)),
        "C4.1": round((sent + received) * _frac(rng, 0.35 + 0.65 * q)),
        "C4.2": round(sent * _frac(rng, q - 0.15)),
        "C4.3": round(staff * _frac(rng, 0.5 + 0.5 * q)),
        "C4.4": round(procedures * _frac(rng, q - 0.1)),
        "C4.5": round(records * _frac(rng, 0.6 * q)),
        "C4.6": _pick(q, ["Chưa có", "Có, chưa cập nhật thường xuyên", "Cập nhật thường xuyên",
                          "Vận hành, khai thác và chia sẻ trực tuyến"], rng)
        if has_land else "Không áp dụng",
        "C4.7": int(rng.poisson(3.5 * q)),
        "C4.8": _pick(q, ["Không sử dụng", "Có sử dụng", "Sử dụng thường xuyên trong nghiệp vụ"],
                      rng),
        "C4.9": _pick(q + 0.1, ["Không cập nhật", "Không thường xuyên", "Hằng tháng trở lên"],
                      rng),
        "C4.10a": reports, "C4.10b": round(reports * _frac(rng, q)),
        "C4.11": yes(0.2) if procedures else "Không",
        "C5.1": round(budget * _frac(rng, 0.014 * q, 0, 0.05, 0.003), 1),
        "C5.2a": granted, "C5.2b": round(granted * _frac(rng, 0.4 + 0.6 * q), 1),
        "C5.3": int(rng.poisson(2.2 * q)), "C5.4": round(computers * _frac(rng, 0.8 * q)),
        "C5.5": yes(-0.2),
    }
    return answers


def vn_text(value: float) -> str:
    """A number as a person would type it in Vietnamese: 12345.6 → "12.345,6"."""
    text = f"{value:,.1f}" if value % 1 else f"{value:,.0f}"
    return text.replace(",", "\0").replace(".", ",").replace("\0", ".")


def fill(rubric: Rubric, year: int, unit: tuple, answers: dict, meta: bool = True,
         evidence: dict | None = None):
    """A filled template workbook; `meta=False` mimics an old copy without hidden sheets;
    `evidence` (code → text) is what the unit cites beside its claims."""
    wb = build_template(rubric, year, unit[0] if meta else "", unit[1] if meta else "")
    for code, (sheet, cell) in template_cells(rubric).items():
        if code in answers:
            wb[sheet][cell] = answers[code]
    cited = evidence or {}
    for code, (sheet, cell) in evidence_cells(rubric).items():
        if cited.get(code):
            wb[sheet][cell] = cited[code]
    if not meta:
        for hidden in ("_meta", "_cells"):
            del wb[hidden]
    return wb


# What units cite as evidence (tài liệu kiểm chứng), by input: a document or a link.
EVIDENCE_TEXTS = {
    "C1.1": "Kế hoạch số {n}/KH-{abbr} ngày {day}/01/{year}",
    "C1.2": "Quyết định số {n}/QĐ-{abbr} ngày {day}/03/{prev} ban hành Quy chế",
    "C1.3": "Quyết định số {n}/QĐ-{abbr} ngày {day}/05/{prev} ban hành Quy chế ATTT",
    "C1.4": "Công văn số {n}/{abbr}, {m}/{abbr} năm {year}",
    "C1.5": "Quyết định số {n}/QĐ-{abbr} ngày {day}/01/{year} phân công",
    "C2.5": "Hợp đồng số {n}/HĐ-VNPT ngày {day}/02/{prev}",
    "C2.6": "Biên bản bàn giao thiết bị ngày {day}/06/{prev}",
    "C2.8": "Biên bản nghiệm thu phòng máy chủ ngày {day}/09/{prev}",
    "C4.6": "https://datdai.hoaan.gov.vn",
    "C4.7": "Danh sách hệ thống kèm Công văn số {m}/{abbr}",
    "C4.11": "https://motcua.hoaan.gov.vn",
}
OLD_FORM_2017 = OLD_COPY_2017[0]  # the old copy also predates the evidence column


def unit_evidence(unit: tuple, answers: dict, q: float, year: int, rubric: Rubric) -> dict:
    """What one unit cites beside its claims; weaker units leave more claims unproven.

    Its own random stream (seeded by unit and year), so the demo's answers stay the same."""
    from cntt_analysis.intake.evidence import is_claim
    from cntt_analysis.intake.values import parse_answer

    index = next(n for n, u in enumerate(UNITS) if u[0] == unit[0] or
                 RENAMED.get(u[0], ("",))[0] == unit[0])
    rng = np.random.default_rng([SEED, year, index])
    abbr = unit[0].upper().replace("-", "")[:8]
    cited = {}
    for code, text in EVIDENCE_TEXTS.items():
        inp = rubric.inputs.get(code)
        if inp is None or not inp.evidence or code not in answers:
            continue
        parsed = parse_answer(answers[code], inp)
        if not is_claim(inp, parsed.status, parsed.value, parsed.number, rubric) \
                or rng.random() > 0.35 + 0.6 * q:
            continue
        cited[code] = text.format(n=int(rng.integers(2, 180)), m=int(rng.integers(180, 900)),
                                  day=f"{int(rng.integers(2, 28)):02d}", abbr=abbr, year=year,
                                  prev=year - 1)
    return cited


def _without_evidence(rubric: Rubric) -> Rubric:
    """The form as it was before it asked for evidence (an old copy a unit kept)."""
    inputs = {c: replace(i, evidence=False) for c, i in rubric.inputs.items()}
    criteria = tuple(replace(c, indicators=tuple(
        replace(ind, inputs=tuple(inputs[i.code] for i in ind.inputs)) for ind in c.indicators))
        for c in rubric.criteria)
    general = tuple(inputs[i.code] for i in rubric.general)
    return replace(rubric, criteria=criteria, general=general, inputs=inputs)


def _mess_2017(unit_id: str, answers: dict) -> dict:
    """Apply the 2017 round's realistic mistakes to one unit's answers."""
    answers = dict(answers)
    if unit_id in TEXT_NUMBERS_2017:
        for code in ("G07", "G08", "G10", "C4.1"):
            answers[code] = vn_text(float(answers[code]))
        for code in ("G11", "C5.1", "C5.2a", "C5.2b"):
            answers[code] = vn_text(float(answers[code]))
        answers["G03"] = answers["G03"].strftime("%d/%m/%Y")
    if unit_id == NFD_2017:
        answers = {k: unicodedata.normalize("NFD", v) if isinstance(v, str) else v
                   for k, v in answers.items()}
    if unit_id == OLD_COPY_2017[0]:
        answers["G01"] = OLD_COPY_2017[1]
    if unit_id == LATE_2017:
        answers["G03"] = dt.date(2017, 8, 18)
    if unit_id in INVALID_2017:
        answers.update(INVALID_2017[unit_id])
        if answers.get("C2.2") == "+":  # more connected computers than computers
            answers["C2.2"] = answers["G06"] + 3
    return answers


def _file_name(unit: tuple, year: int, rng: np.random.Generator) -> str:
    """Units name their files as they like."""
    style = int(rng.integers(3))
    if style == 0:
        return f"{unit[0]}.xlsx"
    if style == 1:
        return f"Bao cao CNTT {year} - {unit[0]}.xlsx"
    return f"{unit[0].upper()}_BC_UDCNTT_{year}.xlsx"


def write_round_files(raw: Path, year: int, rubric: Rubric, maturity: dict,
                      rng: np.random.Generator) -> list[Path]:
    deadline = dt.date(year, 8, 10)
    folder = raw / str(year)
    written = [write_text(f"# Đợt đánh giá năm {year} (dữ liệu mô phỏng)\n"
                          f"deadline: {deadline.isoformat()}\nrubric: '{rubric.id}'\n"
                          f"department: Sở Tài nguyên và Môi trường {PROVINCE}\n"
                          "synthetic: true\n", folder / "round.yaml")]
    for current in UNITS:
        start, change = maturity[current[0]]
        q = float(np.clip(start + change * (year - YEARS[0]) + rng.normal(0, 0.04), 0.05, 0.98))
        unit = _as_of(current, year)
        answers = unit_answers(unit, q, year, rng, deadline)
        answers = _older_form(answers, year, int(answers["G07"]), q, rng)
        name = _file_name(unit, year, rng)
        if year != 2017:
            written.append(write_workbook(fill(rubric, year, unit, answers), folder / name))
            continue
        cited = unit_evidence(unit, answers, q, year, rubric)
        if unit[0] == MISSING_2017:
            continue
        answers = _mess_2017(unit[0], answers)
        meta = unit[0] != OLD_COPY_2017[0]
        if unit[0] == DUPLICATE_2017:  # first version, later replaced by a corrected one
            first = {**answers, "G03": answers["G03"] - dt.timedelta(days=6), "C2.4": 0, "C4.2": 0}
            written.append(write_workbook(fill(rubric, year, unit, first, evidence=cited),
                                          folder / name))
            name = f"{unit[0]} - bo sung.xlsx"
        # The renamed unit filled in last year's template (its hidden id is the old one).
        template_unit = _as_of(unit, year - 1) if unit[0] in RENAMED else unit
        form = _without_evidence(rubric) if unit[0] == OLD_FORM_2017 else rubric
        written.append(write_workbook(fill(form, year, template_unit, answers, meta=meta,
                                           evidence=cited), folder / name))
    if year == 2017:
        written.append(write_bytes(b"%PDF-1.4\n% scanned cover letter, not a workbook\n",
                                   folder / "cong-van-gui-kem.xlsx"))
    return written


def convert(path: Path, fmt: str) -> Path | None:
    """Convert a workbook with LibreOffice (headless); None when it is not installed."""
    office = shutil.which("soffice") or shutil.which("libreoffice")
    if office is None:
        return None
    with tempfile.TemporaryDirectory() as tmp:
        subprocess.run([office, f"-env:UserInstallation=file://{tmp}/profile", "--headless",
                        "--convert-to", fmt, "--outdir", tmp, str(path)],
                       check=True, capture_output=True, timeout=180)
        produced = Path(tmp) / f"{path.stem}.{fmt}"
        target = path.with_suffix(f".{fmt}")
        write_bytes(produced.read_bytes(), target)
    path.unlink()
    return target


def _check_synthetic(folder: Path) -> None:
    """Never overwrite a real round: only folders marked synthetic may be regenerated."""
    config = folder / "round.yaml"
    try:
        marked = read_mapping(config, "tệp cấu hình đợt đánh giá", "synthetic: true").get(
            "synthetic") is True
    except UsageError:
        marked = False
    if not marked:
        raise UsageError(f"Thư mục {folder} chứa dữ liệu thật (không có 'synthetic: true' "
                         "trong round.yaml); không ghi đè. Hãy chọn thư mục khác bằng --raw.")


def write_demo(raw_dir: str | Path, convert_files: bool = True, seed: int = SEED,
               year: int | None = None) -> list[Path]:
    """(Re)generate the demo registry and rounds 2015–2017 under `raw_dir`; with `year`,
    only that round's folder (the others and units.csv are left as they are)."""
    raw = Path(raw_dir)
    if year is not None:
        return _write_demo_year(raw, convert_files, seed, year)
    rng = np.random.default_rng(seed)
    maturity = _maturity(rng)
    for year in YEARS:  # check everything before touching anything
        if (raw / str(year)).is_dir():
            _check_synthetic(raw / str(year))
    if (raw / "units.csv").is_file() and not all((raw / str(y)).is_dir() for y in YEARS):
        raise UsageError(f"{raw / 'units.csv'} đã có nhưng không thuộc bộ dữ liệu mô phỏng; "
                         "không ghi đè. Hãy chọn thư mục khác bằng --raw.")
    registry = registry_frame()
    paths = [write_text(registry.to_csv(index=False), raw / "units.csv")]
    if not (raw / "department.yaml").is_file():
        paths.append(write_text(DEPARTMENT_YAML, raw / "department.yaml"))
    for year in YEARS:
        folder = raw / str(year)
        if folder.is_dir():  # regenerate: a demo round folder holds only what we write
            shutil.rmtree(folder)
        paths += write_round_files(raw, year, load_rubric(str(year)), maturity, rng)
    if convert_files:
        for unit_id, fmt in ((ODS_2017, "ods"), (XLS_2017, "xls")):
            source = next(p for p in paths if p.parent.name == "2017" and unit_id in p.name.lower())
            converted = convert(source, fmt)
            if converted is not None:
                paths = [converted if p == source else p for p in paths]
    paths.append(write_inspection(raw, 2017, INSPECTION_2017))
    return paths


def _write_demo_year(raw: Path, convert_files: bool, seed: int, year: int) -> list[Path]:
    """One round of the demo: the whole demo is generated aside (the random stream runs
    through every year) and only `year`'s folder replaces the one in `raw`."""
    if year not in YEARS:
        raise UsageError(f"Dữ liệu mô phỏng chỉ có các năm {', '.join(map(str, YEARS))}.")
    target = raw / str(year)
    if target.is_dir():
        _check_synthetic(target)
    with tempfile.TemporaryDirectory() as tmp:
        write_demo(tmp, convert_files, seed)
        made = sorted((Path(tmp) / str(year)).iterdir())
        if target.is_dir():
            shutil.rmtree(target)
        return [write_bytes(p.read_bytes(), target / p.name) for p in made]


def write_inspection(raw: Path, year: int, fixes: list[tuple]) -> Path:
    """The inspection team's file for a round: prefilled, then the verified values."""
    from cntt_analysis.scoring.inspection import build_inspection_template
    from cntt_analysis.scoring.pipeline import score_round

    result = score_round(raw, year, progress=False)
    wb = build_inspection_template(result.answers, result.round.rubric, result.registry)
    ws = wb.active
    wanted = {(unit, code): rest for unit, code, *rest in fixes}
    for row in ws.iter_rows(min_row=2):
        fix = wanted.get((row[0].value, row[2].value))
        if fix:
            for cell, value in zip(row[7:10], fix):
                cell.value = value
    return write_workbook(wb, raw / str(year) / "inspection.xlsx")
