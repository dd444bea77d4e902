"""What the Word templates receive: the year's facts (`report.facts`) and the department's
particulars as rendered values — texts with numbers already in Vietnamese form, sentences
from `report.sentences` (the same the HTML report says), yes/no switches for the parts a
document may leave out, and tables as lists of rows. Templates only place them; they never
count, sort or decide.

Every name a template may use is listed in `FIELDS` with its meaning in Vietnamese (the
clerk's guide, ``cntt document-templates``, and the README are made from it; a test checks
that the contexts give exactly these names).
"""

from __future__ import annotations

import datetime as dt
from typing import Any

import pandas as pd

from cntt_analysis import labels
from cntt_analysis.analysis.common import LATE
from cntt_analysis.labels import join_vi, lower_first, vn_score, vn_share
from cntt_analysis.report import sentences
from cntt_analysis.report.facts import YearFacts
from cntt_analysis.report.sentences import vn_date
from cntt_analysis.report.word import docx_format as fmt
from cntt_analysis.rubric.model import Rubric
from cntt_analysis.text import printable

REPORT, NOTICE, REMINDER = "report", "notice", "reminder"

# ----------------------------------------------------------------------------- the fields

# (name, meaning) — the names a template may write in {{ … }}; a name ending in "[]" is a
# list (written in a {%p for … %} or {%tr for … %} loop), its items' own names follow it
# indented as "name[].item".
COMMON_FIELDS: list[tuple[str, str]] = [
    ("nam", "Năm đánh giá (2025)"),
    ("nam_truoc", "Năm đánh giá trước có kết quả (trống nếu chưa có)"),
    ("du_thao", "Đúng khi kết quả chưa chốt chính thức (dùng trong {%p if du_thao %}; trên "
                "đầu trang là dấu DỰ THẢO)"),
    ("ghi_chu[]", "Các câu ghi chú in nghiêng dưới tên văn bản: dữ liệu mô phỏng, dự thảo, "
                  "đợt đánh giá chưa đầy đủ"),
    ("chua_day_du", "Câu cảnh báo đợt đánh giá chưa đầy đủ (trống khi đã đủ)"),
    ("co_quan.ten", "Tên cơ quan tổ chức đánh giá trong câu văn (Sở Khoa học và Công nghệ)"),
    ("co_quan.ten_day_du", "Tên đầy đủ của cơ quan (Sở Khoa học và Công nghệ tỉnh …)"),
    ("co_quan.ten_goi_tat", "Tên gọi tắt trong câu văn (Sở)"),
    ("co_quan.lanh_dao", "Nơi nhận báo cáo, người quyết định (Lãnh đạo Sở)"),
    ("don_vi_thuc_hien.ten", "Đơn vị thực hiện đánh giá, soạn báo cáo (Trung tâm Công nghệ "
                             "thông tin; mục bodies: centre: full)"),
    ("danh_gia.ten", "Tên cuộc đánh giá (chuyển đổi số)"),
    ("danh_gia.ten_ngan", "Tên ngắn (CĐS)"),
    ("danh_gia.tieu_de", "Trích yếu (Kết quả đánh giá, xếp hạng chỉ số chuyển đổi số)"),
    ("danh_gia.ke_hoach", "Kế hoạch mà việc đánh giá thực hiện"),
    ("doi_tuong.ten", "Các đơn vị được đánh giá (các sở, ban, ngành và UBND cấp xã)"),
    ("doi_tuong.dem", "Tên gọi đơn vị sau một con số (cơ quan, đơn vị)"),
    ("doi_tuong.toan_bo", "Cụm từ chỉ tất cả các đơn vị (toàn tỉnh)"),
    ("van_ban.co_quan_chu_quan", "Cơ quan chủ quản, chữ in hoa (UBND TỈNH …)"),
    ("van_ban.co_quan_ban_hanh", "Cơ quan ban hành văn bản, chữ in hoa, tự xuống dòng khi dài"),
    ("van_ban.so", "Số và ký hiệu (Số:      /BC-TTCNTT; số để trống nếu chưa có)"),
    ("van_ban.ky_hieu", "Ký hiệu văn bản (BC-TTCNTT)"),
    ("van_ban.noi_ngay", "Địa danh và ngày tháng (Hòa An, ngày      tháng      năm 20..)"),
    ("van_ban.ngay", "Ngày tháng, không có địa danh (ngày      tháng      năm 20..)"),
    ("ky.quyen_han", "Quyền hạn người ký, chữ in hoa (KT. GIÁM ĐỐC)"),
    ("ky.chuc_vu", "Chức vụ người ký, chữ in hoa (PHÓ GIÁM ĐỐC; có thể trống)"),
    ("ky.ho_ten", "Họ tên người ký"),
    ("noi_nhan[]", "Nơi nhận, mỗi dòng một nơi (mục documents: … recipients)"),
    ("luu", "Nơi lưu (VT, TTCNTT)"),
    ("lien_he.ho_ten", "Người liên hệ"),
    ("lien_he.chuc_vu", "Chức vụ người liên hệ (có thể trống)"),
    ("lien_he.dien_thoai", "Điện thoại liên hệ"),
    ("lien_he.email", "Thư điện tử liên hệ"),
    ("han_nop", "Hạn gửi báo cáo (ngày 10 tháng 8 năm 2025)"),
    ("han_khac_phuc", "Hạn khắc phục và báo cáo kết quả khắc phục"),
    ("da_nop", "Số đơn vị đã gửi báo cáo"),
    ("dang_ky", "Số đơn vị trong danh mục"),
]
REPORT_FIELDS: list[tuple[str, str]] = [
    ("cham_diem", "Số đơn vị có báo cáo được chấm điểm"),
    ("so_tieu_chi", "Số tiêu chí của phiếu đánh giá"),
    ("nop_muon", "Tên các đơn vị nộp báo cáo muộn (trống nếu không có)"),
    ("khong_nop", "Tên các đơn vị không gửi báo cáo (trống nếu đủ)"),
    ("ket_qua_chung[]", "Các câu tóm tắt kết quả chấm điểm, xếp loại (giống báo cáo HTML)"),
    ("khoi[]", "Các khối có đơn vị được chấm điểm, theo thứ tự của phiếu đánh giá"),
    ("khoi[].ten", "Tên khối"),
    ("khoi[].so_don_vi", "Số đơn vị được chấm điểm của khối"),
    ("khoi[].dong[]", "Bảng xếp hạng của khối, mỗi dòng một đơn vị"),
    ("khoi[].dong[].tt", "Số thứ tự"),
    ("khoi[].dong[].don_vi", "Tên đơn vị"),
    ("khoi[].dong[].diem", "Điểm (75,90)"),
    ("khoi[].dong[].xep_loai", "Xếp loại"),
    ("khoi[].dong[].hang", "Hạng trong khối"),
    ("khoi[].dong[].so_voi_nam_truoc", "Thứ hạng so với năm trước (↑2, ↓1, =, mới)"),
    ("khoi[].dong[].tang_giam", "Điểm tăng/giảm so với năm trước (+1,50; — khi không có)"),
    ("khoi[].so_sanh", "Câu về cách so sánh đơn vị mới sáp nhập, chia tách với năm trước "
                       "(trống nếu khối không có đơn vị nào như vậy)"),
    ("khoi[].phu_luc[]", "Bảng phụ lục của khối: tỷ lệ điểm đạt từng tiêu chí"),
    ("khoi[].phu_luc[].hang", "Hạng"),
    ("khoi[].phu_luc[].don_vi", "Tên đơn vị"),
    ("khoi[].phu_luc[].ty_le[]", "Tỷ lệ điểm đạt từng tiêu chí, theo thứ tự tieu_chi[] "
                                 "(dùng trong {%tc for … %})"),
    ("khoi[].phu_luc[].diem", "Điểm"),
    ("khoi[].phu_luc[].xep_loai", "Xếp loại"),
    ("tieu_chi[]", "Mã các tiêu chí (C1, C2, …), tiêu đề cột của bảng phụ lục"),
    ("dieu_chinh.cau", "Câu về kết quả kiểm tra, thẩm định số liệu"),
    ("dieu_chinh.bang[]", "Các số liệu đoàn kiểm tra điều chỉnh (trống nếu không có)"),
    ("dieu_chinh.bang[].don_vi", "Đơn vị"),
    ("dieu_chinh.bang[].muc", "Mục (ô) được điều chỉnh"),
    ("dieu_chinh.bang[].bao_cao", "Số liệu đơn vị báo cáo"),
    ("dieu_chinh.bang[].kiem_tra", "Số liệu kiểm tra"),
    ("dieu_chinh.bang[].diem", "Điểm trước → sau điều chỉnh"),
    ("dieu_chinh.bang[].ly_do", "Lý do (và giải trình của đơn vị)"),
    ("anh_huong.cau", "Câu về điểm thay đổi do điều chỉnh số liệu của đơn vị khác (trống "
                      "nếu không có)"),
    ("anh_huong.bang[]", "Các đơn vị có điểm thay đổi do điều chỉnh của đơn vị khác"),
    ("anh_huong.bang[].don_vi", "Đơn vị"),
    ("anh_huong.bang[].chi_tieu", "Chỉ tiêu"),
    ("anh_huong.bang[].diem", "Điểm trước → sau"),
    ("anh_huong.bang[].do", "Do điều chỉnh số liệu của đơn vị nào"),
    ("tieu_chi_yeu", "Câu về các tiêu chí có tỷ lệ điểm đạt bình quân thấp nhất"),
    ("noi_dung_yeu.so", "Số nội dung bị mất nhiều điểm nhất được liệt kê (Năm, 3…)"),
    ("noi_dung_yeu.bang[]", "Các nội dung bị mất nhiều điểm nhất"),
    ("noi_dung_yeu.bang[].ma", "Mã chỉ tiêu"),
    ("noi_dung_yeu.bang[].noi_dung", "Nội dung"),
    ("noi_dung_yeu.bang[].so_don_vi", "Số đơn vị mất điểm / số đơn vị"),
    ("noi_dung_yeu.bang[].ty_le", "Tỷ lệ điểm bị mất (42,3%)"),
    ("khac_phuc_nam_truoc[]", "Các câu về kết quả khắc phục tồn tại, hạn chế năm trước"),
    ("khac_phuc.quy_tac", "Điều kiện phải khắc phục (xếp loại Trung bình, Yếu hoặc có tiêu "
                          "chí đạt dưới 50%)"),
    ("khac_phuc.so", "Số đơn vị cần chỉ đạo khắc phục"),
    ("khac_phuc.cac_don_vi", "“đơn vị” khi một đơn vị, “các đơn vị” khi nhiều"),
    ("khac_phuc.bang[]", "Các đơn vị cần khắc phục (trống nếu không có)"),
    ("khac_phuc.bang[].tt", "Số thứ tự"),
    ("khac_phuc.bang[].don_vi", "Đơn vị"),
    ("khac_phuc.bang[].diem", "Điểm"),
    ("khac_phuc.bang[].ly_do", "Lý do"),
    ("khac_phuc.bang[].de_xuat", "Đề xuất khắc phục"),
    ("bo_trong", "Câu về các đơn vị gửi báo cáo bỏ trống phần lớn số liệu (trống nếu không có)"),
    ("bieu_duong.cau", "Câu về đơn vị đề xuất điển hình tiên tiến khi không có đơn vị nào"),
    ("bieu_duong.quy_tac", "Điều kiện đề xuất điển hình tiên tiến (mục models)"),
    ("bieu_duong.so", "Số đơn vị đề xuất điển hình tiên tiến"),
    ("bieu_duong.bang[]", "Các đơn vị đề xuất điển hình tiên tiến (trống nếu không có)"),
    ("bieu_duong.bang[].tt", "Số thứ tự"),
    ("bieu_duong.bang[].don_vi", "Đơn vị"),
    ("bieu_duong.bang[].diem", "Điểm"),
    ("bieu_duong.bang[].xep_loai", "Xếp loại"),
    ("bieu_duong.bang[].ton_tai", "Số tồn tại, hạn chế"),
    ("bieu_duong.bang[].kiem_chung", "Số nội dung có tài liệu kiểm chứng / số nội dung kê khai"),
    ("de_xuat.thong_bao", "Số thứ tự đề xuất ban hành thông báo kết quả"),
    ("de_xuat.khac_phuc", "Số thứ tự đề xuất chỉ đạo khắc phục (trống nếu không đề xuất)"),
    ("de_xuat.bo_sung", "Số thứ tự đề xuất yêu cầu đơn vị bổ sung báo cáo (trống nếu không)"),
    ("de_xuat.bieu_duong", "Số thứ tự đề xuất biểu dương, khen thưởng (trống nếu không)"),
    ("de_xuat.kinh_phi", "Số thứ tự đề xuất ưu tiên kinh phí, đào tạo"),
]
NOTICE_FIELDS: list[tuple[str, str]] = [
    ("don_vi.ten", "Tên đơn vị nhận thông báo"),
    ("don_vi.diem", "Tổng điểm (75,90)"),
    ("don_vi.thang_diem", "Thang điểm (100)"),
    ("don_vi.xep_loai", "Xếp loại"),
    ("don_vi.hang", "Hạng trong khối (trống khi đơn vị được đánh giá nhưng không xếp hạng)"),
    ("don_vi.so_don_vi_khoi", "Số đơn vị được xếp hạng của khối"),
    ("don_vi.khoi", "Tên khối, chữ thường đầu (khối xã, phường, đặc khu)"),
    ("don_vi.tu_danh_gia", "Điểm đơn vị tự đánh giá khi khác điểm sau kiểm tra (trống nếu "
                           "bằng nhau)"),
    ("don_vi.bo_trong", "Câu về báo cáo bỏ trống phần lớn số liệu (trống nếu không)"),
    ("don_vi.so_sanh", "Câu so sánh với năm trước: điểm, thứ hạng (đơn vị mới sáp nhập, chia "
                       "tách: so với các đơn vị trước đó)"),
    ("tieu_chi[]", "Tỷ lệ điểm đạt từng tiêu chí của đơn vị"),
    ("tieu_chi[].ma", "Mã tiêu chí"),
    ("tieu_chi[].ten", "Tên tiêu chí"),
    ("tieu_chi[].ty_le", "Tỷ lệ điểm đạt (55,7%; — khi không áp dụng)"),
    ("muc.ket_qua", "Số thứ tự mục kết quả chấm điểm"),
    ("muc.kiem_tra", "Số thứ tự mục kiểm tra, thẩm định"),
    ("muc.so_lieu_thieu", "Số thứ tự mục số liệu còn thiếu (trống khi không có mục này)"),
    ("muc.ton_tai", "Số thứ tự mục tồn tại, hạn chế (trống khi không có mục này)"),
    ("muc.khac_phuc_nam_truoc", "Số thứ tự mục khắc phục năm trước (trống khi không có)"),
    ("muc.to_chuc", "Số thứ tự mục tổ chức thực hiện"),
    ("kiem_tra.da_kiem_tra", "Đúng khi đã có kết quả kiểm tra, thẩm định của đợt"),
    ("kiem_tra.cau", "Câu khi chưa có kết quả kiểm tra, thẩm định"),
    ("kiem_tra.so", "Số số liệu của đơn vị được điều chỉnh"),
    ("kiem_tra.bang[]", "Các số liệu của đơn vị được điều chỉnh (trống nếu không có)"),
    ("kiem_tra.bang[].muc", "Mục"),
    ("kiem_tra.bang[].bao_cao", "Số liệu đơn vị báo cáo"),
    ("kiem_tra.bang[].kiem_tra", "Số liệu kiểm tra"),
    ("kiem_tra.bang[].diem", "Điểm trước → sau"),
    ("kiem_tra.bang[].ly_do", "Lý do (và giải trình của đơn vị)"),
    ("kiem_tra.anh_huong[]", "Các câu về điểm thay đổi do điều chỉnh số liệu của đơn vị khác"),
    ("so_lieu_thieu.cau", "Câu về các mục bắt buộc còn bỏ trống"),
    ("so_lieu_thieu.bang[]", "Các mục bắt buộc còn bỏ trống"),
    ("so_lieu_thieu.bang[].muc", "Mục"),
    ("so_lieu_thieu.bang[].trang", "Trang tính"),
    ("so_lieu_thieu.bang[].o", "Ô"),
    ("so_lieu_thieu.bang[].chi_tieu", "Chỉ tiêu liên quan"),
    ("muc.kiem_chung", "Số thứ tự mục tài liệu kiểm chứng cần bổ sung (trống khi không có)"),
    ("kiem_chung.cau", "Câu về các nội dung kê khai chưa có tài liệu kiểm chứng hoặc tài liệu "
                       "chưa ghi rõ số, ngày văn bản"),
    ("kiem_chung.bang[]", "Các nội dung đó"),
    ("kiem_chung.bang[].muc", "Mục"),
    ("kiem_chung.bang[].tra_loi", "Đơn vị trả lời"),
    ("kiem_chung.bang[].tai_lieu", "Tài liệu đơn vị đã nêu (“Chưa nêu” khi không có)"),
    ("yeu_cau.kiem_chung", "Đúng khi đơn vị cần bổ sung tài liệu kiểm chứng"),
    ("ton_tai.nguong", "Ngưỡng tồn tại, hạn chế (50,0%: nội dung bị mất từ tỷ lệ này số điểm)"),
    ("ton_tai.so", "Số tồn tại, hạn chế"),
    ("ton_tai.bang[]", "Các tồn tại, hạn chế và yêu cầu khắc phục (trống nếu không có)"),
    ("ton_tai.bang[].tt", "Số thứ tự"),
    ("ton_tai.bang[].noi_dung", "Nội dung (mã và tên chỉ tiêu)"),
    ("ton_tai.bang[].diem", "Điểm đạt / điểm tối đa"),
    ("ton_tai.bang[].yeu_cau", "Yêu cầu khắc phục"),
    ("khac_phuc_nam_truoc", "Câu về kết quả khắc phục các tồn tại, hạn chế đã thông báo năm "
                            "trước (trống nếu không có)"),
    ("yeu_cau.bo_sung", "Đúng khi đơn vị phải bổ sung các mục còn bỏ trống"),
    ("yeu_cau.khac_phuc", "Đúng khi đơn vị phải khắc phục tồn tại, hạn chế"),
]
REMINDER_FIELDS: list[tuple[str, str]] = [
    ("kinh_gui[]", "Các đơn vị chưa gửi báo cáo"),
    ("mot_don_vi", "Đúng khi chỉ một đơn vị chưa gửi báo cáo"),
    ("chua_nop", "Số đơn vị chưa gửi báo cáo"),
    ("han_don_doc", "Hạn gửi báo cáo mới (mục reminder_deadline; để trống cho người soạn "
                    "điền khi chưa có)"),
]
FIELDS = {REPORT: COMMON_FIELDS + REPORT_FIELDS, NOTICE: COMMON_FIELDS + NOTICE_FIELDS,
          REMINDER: COMMON_FIELDS + REMINDER_FIELDS}


# ----------------------------------------------------------------------------- particulars


def _text(value: object) -> str:
    """A value as plain text for a template: control characters XML cannot hold dropped."""
    if value is None or (not isinstance(value, str) and pd.isna(value)):
        return ""
    return printable(str(value))


def place_date(config: dict, kind: str) -> str:
    return f"{config['place']}, {_date(config, kind)}"


def _date(config: dict, kind: str) -> str:
    given = config["documents"][kind].get("date")
    if isinstance(given, dt.date):
        return vn_date(given)
    return "ngày      tháng      năm 20.."


def number(config: dict, kind: str) -> str:
    doc = config["documents"][kind]
    given = str(doc.get("number") or "").strip()
    if given.isdigit() and int(given) < 10:
        given = f"0{int(given)}"
    return f"Số: {given or '       '}/{doc['symbol']}"


def _heading(config: dict, kind: str) -> dict[str, str]:
    body = config["bodies"][config["documents"][kind]["issuer"]]
    left = fmt.HEADING_COLUMNS_MM[0]
    return {"co_quan_chu_quan": fmt.fit_lines(str(body["parent"]).upper(),
                                              fmt.SIZES["body_name"], left),
            "co_quan_ban_hanh": fmt.fit_lines(str(body["name"]).upper(),
                                              fmt.SIZES["body_name"], left),
            "so": number(config, kind), "ky_hieu": str(config["documents"][kind]["symbol"]),
            "noi_ngay": place_date(config, kind), "ngay": _date(config, kind)}


def _common(facts: YearFacts, config: dict, kind: str) -> dict[str, Any]:
    """What every document receives: the year, its state, the names, its heading and
    signature block, the contact and the deadlines."""
    org = facts.organisation
    spec = config["documents"][kind]
    signer = spec["signer"]
    contact = config["contact"]
    notes = [labels.SYNTHETIC_NOTE] if facts.synthetic else []
    if facts.draft:
        notes.append(facts.status_label)
    partial = sentences.partial_sentence(facts) or ""
    if partial:
        notes.append(partial)
    return {
        "nam": str(facts.year),
        "nam_truoc": str(facts.previous_year or ""),
        "du_thao": bool(facts.draft),
        "ghi_chu": notes,
        "chua_day_du": partial,
        "co_quan": {"ten": org.name, "ten_day_du": org.full_name, "ten_goi_tat": org.short,
                    "lanh_dao": org.leaders},
        "don_vi_thuc_hien": {"ten": org.assessor},
        "danh_gia": {"ten": org.assessment, "ten_ngan": org.assessment_short,
                     "tieu_de": org.title, "ke_hoach": org.plan},
        "doi_tuong": {"ten": org.units, "dem": org.units_counted, "toan_bo": org.whole},
        "van_ban": _heading(config, kind),
        "ky": {"quyen_han": str(signer.get("authority", "")).upper(),
               "chuc_vu": str(signer.get("title") or "").upper(),
               "ho_ten": str(signer.get("name", ""))},
        "noi_nhan": [str(r) for r in spec.get("recipients", [])],
        "luu": str(spec["archive"]),
        "lien_he": {"ho_ten": str(contact["name"]), "chuc_vu": str(contact.get("role") or ""),
                    "dien_thoai": str(contact["phone"]), "email": str(contact["email"])},
        "han_nop": vn_date(facts.deadline),
        "han_khac_phuc": vn_date(facts.remedy_deadline),
        "da_nop": str(facts.reported),
        "dang_ky": str(facts.registered),
    }


# ----------------------------------------------------------------------------- helpers


def _score_change(change: float) -> str:
    if pd.isna(change):
        return "—"
    sign = "+" if change > 0 else "−" if change < 0 else ""
    return f"{sign}{vn_score(abs(float(change)))}"


def _explained(reason: object, explanation: object) -> str:
    reason = _text(reason)
    if isinstance(explanation, str) and explanation:
        return f"{reason} (Đơn vị giải trình: {explanation})"
    return reason


def _points(before: float, after: float) -> str:
    return f"{vn_score(before)} → {vn_score(after)}"


def _rank(value: Any) -> str:
    """A rank; "—" for a unit assessed but not ranked."""
    return "—" if value is None or pd.isna(value) else str(int(value))


def numbered(present: dict[str, bool]) -> dict[str, str]:
    """Numbers 1, 2, … for the parts present, in order; "" for those left out."""
    out, n = {}, 0
    for key, here in present.items():
        n += bool(here)
        out[key] = str(n) if here else ""
    return out


def _part(facts: YearFacts, group: str) -> pd.DataFrame:
    return facts.scores[facts.scores["group"] == group]


# ----------------------------------------------------------------------------- report


def report_context(facts: YearFacts, config: dict, rubric: Rubric) -> dict[str, Any]:
    """The report's fields (`REPORT_FIELDS` and the common ones)."""
    late = facts.units[facts.units["status"] == LATE]["name"].tolist()
    missing = facts.not_reported["name"].tolist()
    said = [sentences.scored_sentence(facts), *sentences.group_sentences(facts)]
    if len(facts.scores):
        said += [sentences.tier_sentence(facts), sentences.remedy_sentence(facts)]
    weak = facts.weakest_indicators.head(5)
    remedy, models = facts.remedy, facts.models
    return {
        **_common(facts, config, REPORT),
        "cham_diem": str(len(facts.scores)),
        "so_tieu_chi": str(len(rubric.criteria)),
        "nop_muon": join_vi([_text(n) for n in late]),
        "khong_nop": join_vi([_text(n) for n in missing]),
        "ket_qua_chung": said,
        "khoi": _groups(facts, rubric),
        "tieu_chi": [c.code for c in rubric.criteria],
        "dieu_chinh": {"cau": sentences.corrections_sentence(facts), "bang": [
            {"don_vi": _text(r.name or r.unit_id),
             "muc": f"{r.code} ({r.cell})" if r.cell else str(r.code),
             "bao_cao": _text(r.reported), "kiem_tra": _text(r.verified),
             "diem": _points(r.points_before, r.points_after),
             "ly_do": _explained(r.reason, r.explanation)}
            for r in facts.corrections.itertuples(index=False)]},
        "anh_huong": {"cau": sentences.knock_on_sentence(facts) or "", "bang": [
            {"don_vi": _text(r.name or r.unit_id), "chi_tieu": _text(r.indicators),
             "diem": _points(r.points_before, r.points_after), "do": _text(r.causes)}
            for r in facts.knock_on.itertuples(index=False)]},
        "tieu_chi_yeu": sentences.criteria_sentence(facts) or "",
        "noi_dung_yeu": {"so": "Năm" if len(weak) == 5 else str(len(weak)), "bang": [
            {"ma": str(r.indicator), "noi_dung": _text(r.label),
             "so_don_vi": f"{r.units_losing}/{r.units}", "ty_le": vn_share(r.lost_percent)}
            for r in weak.itertuples(index=False)]},
        "khac_phuc_nam_truoc": sentences.follow_up_sentences(facts),
        "khac_phuc": {"quy_tac": sentences.remedy_rule(facts), "so": str(len(remedy)),
                      "cac_don_vi": "đơn vị" if len(remedy) == 1 else "các đơn vị", "bang": [
            {"tt": str(i), "don_vi": _text(r.name), "diem": vn_score(r.score),
             "ly_do": _text(r.reasons), "de_xuat": _text(r.remedies)}
            for i, r in enumerate(remedy.itertuples(index=False), start=1)]},
        "bo_trong": sentences.incomplete_sentence(facts) or "",
        "bieu_duong": {"cau": sentences.models_sentence(facts),
                       "quy_tac": sentences.model_rule(facts), "so": str(len(models)), "bang": [
            {"tt": str(i), "don_vi": _text(r.name), "diem": vn_score(r.score),
             "xep_loai": _text(r.tier), "ton_tai": str(int(r.shortcomings)),
             "kiem_chung": f"{int(r.claims) - int(r.claims_without_evidence)}/{int(r.claims)}"}
            for i, r in enumerate(models.itertuples(index=False), start=1)]},
        "de_xuat": numbered({
            "thong_bao": True, "khac_phuc": bool(len(remedy)),
            "bo_sung": bool(len(facts.incomplete) or len(facts.not_reported)),
            "bieu_duong": bool(len(models)), "kinh_phi": True}),
    }


def _groups(facts: YearFacts, rubric: Rubric) -> list[dict[str, Any]]:
    """Each group with scored units: its ranking table and its appendix table."""
    crits = [c.code for c in rubric.criteria]
    out = []
    for group in facts.groups.itertuples():
        part = _part(facts, group.group)
        if part.empty:
            continue
        out.append({
            "ten": _text(group.label), "so_don_vi": str(len(part)),
            "so_sanh": sentences.baseline_rule_sentence(part) or "",
            "dong": [{"tt": str(i), "don_vi": _text(r.name), "diem": vn_score(r.score),
                      "xep_loai": _text(r.tier), "hang": _rank(r.rank),
                      "so_voi_nam_truoc": _text(r.movement),
                      "tang_giam": _score_change(r.score_change)}
                     for i, r in enumerate(part.itertuples(index=False), start=1)],
            "phu_luc": [{"hang": _rank(r["rank"]), "don_vi": _text(r["name"]),
                         "ty_le": [vn_share(r[c])[:-1] if pd.notna(r[c]) else "—"
                                   for c in crits],
                         "diem": vn_score(r["score"]), "xep_loai": _text(r["tier"])}
                        for _, r in part.iterrows()]})
    return out


# ----------------------------------------------------------------------------- notice


def notice_context(facts: YearFacts, config: dict, rubric: Rubric,
                   unit_id: str) -> dict[str, Any]:
    """One unit's notice fields (`NOTICE_FIELDS` and the common ones)."""
    row = facts.unit(unit_id)
    if row is None:
        raise ValueError(f"{unit_id} has no score in {facts.year}")
    name = _text(row["name"])
    incomplete = bool(row["incomplete"])
    blank = facts.records_of_unit("missing_answers", unit_id)
    found = facts.records_of_unit("shortcomings", unit_id)
    follow = facts.of_unit("follow_up", unit_id)
    lacking = [r for r in facts.records_of_unit("documents", unit_id) if not bool(r.identified)]
    common = _common(facts, config, NOTICE)
    common["noi_nhan"] = [name, *common["noi_nhan"]]
    return {
        **common,
        "don_vi": _unit(facts, row),
        "tieu_chi": [{"ma": c.code, "ten": _text(c.name),
                      "ty_le": vn_share(row[c.code]) if pd.notna(row.get(c.code)) else "—"}
                     for c in rubric.criteria],
        "muc": numbered({"ket_qua": True, "kiem_tra": True, "so_lieu_thieu": bool(len(blank)),
                         "kiem_chung": bool(len(lacking)),
                         "ton_tai": not incomplete, "khac_phuc_nam_truoc": bool(len(follow)),
                         "to_chuc": True}),
        "kiem_tra": _checked(facts, unit_id),
        "so_lieu_thieu": {
            "cau": sentences.missing_answers_sentence(facts, unit_id) or "", "bang": [
                {"muc": _text(f"{r.code} {r.label}"), "trang": _text(r.sheet),
                 "o": _text(r.cell), "chi_tieu": _text(r.indicators)}
                for r in blank]},
        "kiem_chung": {
            "cau": sentences.unit_evidence_sentence(facts, unit_id) or "", "bang": [
                {"muc": _text(f"{r.code} {r.label}"), "tra_loi": _text(r.answer),
                 "tai_lieu": _text(r.evidence) if isinstance(r.evidence, str) else "Chưa nêu"}
                for r in lacking]},
        "ton_tai": {
            "nguong": vn_share(facts.shortcoming_share * 100), "so": str(len(found)),
            "bang": [{"tt": str(i), "noi_dung": _text(f"{r.indicator} {r.label}"),
                      "diem": f"{vn_score(r.points)}/{vn_score(r.max_points)}",
                      "yeu_cau": _text(r.remedy)}
                     for i, r in enumerate(found, start=1)]},
        "khac_phuc_nam_truoc": (sentences.unit_follow_up_sentence(
            follow, facts.organisation.short) if len(follow) else ""),
        "yeu_cau": {"bo_sung": bool(len(blank)),
                    "khac_phuc": bool(len(found)) and not incomplete,
                    "kiem_chung": bool(len(lacking))},
    }


def _unit(facts: YearFacts, row: pd.Series) -> dict[str, str]:
    self_score = row.get("self_score")
    differs = pd.notna(self_score) and round(float(self_score) - float(row["score"]), 2) != 0
    out = {"ten": _text(row["name"]), "diem": vn_score(row["score"]),
           "thang_diem": "100", "xep_loai": _text(row["tier"]),
           "hang": "" if pd.isna(row["rank"]) else _rank(row["rank"]),
           "so_don_vi_khoi": str(int(row["group_size"])),
           "khoi": _text(lower_first(str(row["group_label"]))),
           "tu_danh_gia": vn_score(self_score) if differs else "",
           "bo_trong": (sentences.incomplete_unit_sentence(row, facts.organisation.assessment)
                        if bool(row["incomplete"]) else ""),
           "so_sanh": sentences.change_sentence(row)}
    return out


def _checked(facts: YearFacts, unit_id: str) -> dict[str, Any]:
    fixes = facts.records_of_unit("corrections", unit_id)
    return {"da_kiem_tra": bool(facts.inspected),
            "cau": sentences.corrections_sentence(facts), "so": str(len(fixes)),
            "bang": [{"muc": _text(f"{r.code} {r.label}"), "bao_cao": _text(r.reported),
                      "kiem_tra": _text(r.verified),
                      "diem": _points(r.points_before, r.points_after),
                      "ly_do": _explained(r.reason, r.explanation)}
                     for r in fixes],
            "anh_huong": [sentences.unit_knock_on_sentence(moved) for moved in
                          facts.records_of_unit("knock_on", unit_id)]}


# ----------------------------------------------------------------------------- reminder


def reminder_context(facts: YearFacts, config: dict) -> dict[str, Any]:
    """The reminder's fields (`REMINDER_FIELDS` and the common ones)."""
    names = [_text(n) for n in facts.not_reported["name"]]
    given = config.get("reminder_deadline")
    common = _common(facts, config, REMINDER)
    common["noi_nhan"] = ["Như trên", *common["noi_nhan"]]
    return {
        **common,
        "kinh_gui": names,
        "mot_don_vi": len(names) == 1,
        "chua_nop": str(len(names)),
        "han_don_doc": (vn_date(given) if isinstance(given, dt.date)
                        else "ngày ..... tháng ..... năm 20.."),
    }
