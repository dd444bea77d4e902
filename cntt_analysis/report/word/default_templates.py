"""The default Word templates shipped in the package (``report/word/mau/*.docx``), built
in the layout of Decree 30/2020 (`docx_format`) with the fields of `context` written as
docxtpl/Jinja tags: ``{{ field }}`` a value, ``{%p if … %}`` / ``{%p for … %}`` a paragraph
kept, left out or repeated, ``{%tr for … %}`` a table row per item, ``{%tc for … %}`` a
column per item, ``{%r if … %}`` a run.

The shipped files are what this module builds (a test checks they are the same bytes);
after changing the wording here, run ``python -m cntt_analysis.report.word.default_templates``
to write them again. A department changes its own wording in Word, in a copy
(``cntt document-templates``), never here.
"""

from __future__ import annotations

import sys
from pathlib import Path

from docx.document import Document as DocumentObject
from docx.shared import Mm, Pt

from cntt_analysis.report.word import docx_format as fmt
from cntt_analysis.report.word.template_files import FILES, HERE

SIGNER = ["{{ ky.quyen_han }}", "{%p if ky.chuc_vu %}", "{{ ky.chuc_vu }}", "{%p endif %}"]


def _tag(doc, tag: str) -> None:
    """A paragraph holding only a tag ({%p if … %}): docxtpl removes it when filling."""
    fmt.body(doc, tag)


def _heading(doc: DocumentObject, cv_summary: str = "") -> None:
    fmt.heading(doc, fmt.Heading(
        parent="{{ van_ban.co_quan_chu_quan }}", issuer="{{ van_ban.co_quan_ban_hanh }}",
        number="{{ van_ban.so }}", place_date="{{ van_ban.noi_ngay }}", cv_summary=cv_summary))


def _title(doc: DocumentObject, kind: str) -> None:
    fmt.title(doc, kind, "{{ danh_gia.tieu_de }}\nnăm {{ nam }}")


def _notes(doc: DocumentObject) -> None:
    """The synthetic, draft and partial-round notes under the title."""
    _tag(doc, "{%p for g in ghi_chu %}")
    fmt.body(doc, "{{ g }}", italic=True)
    _tag(doc, "{%p endfor %}")


def _loop_table(doc: DocumentObject, headers: list[str], items: str, fields: list[str],
                widths: list[float], align: str) -> None:
    """A table with a header row and one row per item of `items` (a {%tr for %} loop)."""
    blank = [""] * (len(headers) - 1)
    fmt.data_table(doc, headers, [[f"{{%tr for d in {items} %}}", *blank],
                                  [f"{{{{ d.{f} }}}}" for f in fields],
                                  ["{%tr endfor %}", *blank]], widths, align)


def _closing(doc: DocumentObject) -> None:
    fmt.closing(doc, ["{%p for n in noi_nhan %}", "- {{ n }};", "{%p endfor %}",
                      "- Lưu: {{ luu }}."], SIGNER, "{{ ky.ho_ten }}")


def _contact(doc: DocumentObject) -> None:
    fmt.body(doc, "Thông tin chi tiết xin liên hệ: {{ lien_he.ho_ten }}{% if lien_he.chuc_vu %}"
                  ", {{ lien_he.chuc_vu }}{% endif %}, {{ don_vi_thuc_hien.ten }}; điện thoại: "
                  "{{ lien_he.dien_thoai }}; thư điện tử: {{ lien_he.email }}.")


def _sentences(doc: DocumentObject, items: str) -> None:
    _tag(doc, f"{{%p for c in {items} %}}")
    fmt.body(doc, "{{ c }}")
    _tag(doc, "{%p endfor %}")


def _if_text(doc: DocumentObject, field: str, **style: bool) -> None:
    """A paragraph holding `field`, left out when it is empty."""
    _tag(doc, f"{{%p if {field} %}}")
    fmt.body(doc, f"{{{{ {field} }}}}", **style)
    _tag(doc, "{%p endif %}")


# ----------------------------------------------------------------------------- report


def report_template() -> DocumentObject:
    """Báo cáo kết quả kiểm tra, đánh giá (the assessing body → the leaders)."""
    doc = fmt.new_document("Mẫu báo cáo kết quả đánh giá", "", True, "du_thao")
    _heading(doc)
    _title(doc, "Báo cáo")
    fmt.body(doc, "Thực hiện {{ danh_gia.ke_hoach }} của {{ co_quan.ten }}, "
                  "{{ don_vi_thuc_hien.ten }} báo cáo kết quả như sau:")
    _notes(doc)
    fmt.body(doc, "I. MỤC ĐÍCH, PHẠM VI", bold=True)
    fmt.body(doc, "Đánh giá thực chất kết quả {{ danh_gia.ten }} của từng đơn vị; chỉ ra tồn "
                  "tại, hạn chế để chỉ đạo khắc phục; làm căn cứ biểu dương, khen thưởng và xây "
                  "dựng kế hoạch năm sau.")
    fmt.body(doc, "Phạm vi: kết quả năm {{ nam }}, chấm theo {{ so_tieu_chi }} tiêu chí (thang "
                  "điểm 100); hạn gửi báo cáo {{ han_nop }}.")
    fmt.body(doc, "Đối tượng: {{ dang_ky }} {{ doi_tuong.dem }}; {{ da_nop }} đơn vị đã gửi báo "
                  "cáo, {{ cham_diem }} đơn vị có báo cáo được chấm điểm.")
    _tag(doc, "{%p if nop_muon %}")
    fmt.body(doc, "Đơn vị nộp báo cáo muộn: {{ nop_muon }}.")
    _tag(doc, "{%p endif %}")
    _tag(doc, "{%p if khong_nop %}")
    fmt.body(doc, "Đơn vị không gửi báo cáo: {{ khong_nop }}.")
    _tag(doc, "{%p else %}")
    fmt.body(doc, "Tất cả các đơn vị đã gửi báo cáo.")
    _tag(doc, "{%p endif %}")

    fmt.body(doc, "II. KẾT QUẢ", bold=True)
    fmt.body(doc, "1. Kết quả chấm điểm, xếp loại, xếp hạng theo khối", bold=True)
    _sentences(doc, "ket_qua_chung")
    _tag(doc, "{%p for k in khoi %}")
    fmt.body(doc, "{{ k.ten }} ({{ k.so_don_vi }} đơn vị):", italic=True)
    _loop_table(doc, ["TT", "Đơn vị", "Điểm", "Xếp loại", "Hạng", "So với năm trước",
                      "Tăng/giảm điểm"], "k.dong",
                ["tt", "don_vi", "diem", "xep_loai", "hang", "so_voi_nam_truoc", "tang_giam"],
                [9, 54, 16, 22, 14, 28, 22], "clcccc")
    _if_text(doc, "k.so_sanh", italic=True)
    _tag(doc, "{%p endfor %}")

    fmt.body(doc, "2. Kết quả kiểm tra, thẩm định số liệu", bold=True)
    _tag(doc, "{%p if dieu_chinh.bang %}")
    fmt.body(doc, "{{ dieu_chinh.cau }} Điểm các nội dung liên quan trước và sau điều chỉnh "
                  "như sau:")
    _loop_table(doc, ["Đơn vị", "Mục (ô)", "Đơn vị báo cáo", "Kiểm tra", "Điểm", "Lý do"],
                "dieu_chinh.bang", ["don_vi", "muc", "bao_cao", "kiem_tra", "diem", "ly_do"],
                [38, 17, 24, 22, 24, 40], "lcccc")
    _tag(doc, "{%p else %}")
    fmt.body(doc, "{{ dieu_chinh.cau }}")
    _tag(doc, "{%p endif %}")
    _tag(doc, "{%p if anh_huong.cau %}")
    fmt.body(doc, "{{ anh_huong.cau }}")
    _loop_table(doc, ["Đơn vị", "Chỉ tiêu", "Điểm", "Do điều chỉnh số liệu của"],
                "anh_huong.bang", ["don_vi", "chi_tieu", "diem", "do"], [60, 20, 30, 55],
                "lccl")
    _tag(doc, "{%p endif %}")

    fmt.body(doc, "3. Những tiêu chí, nội dung còn yếu", bold=True)
    _if_text(doc, "tieu_chi_yeu")
    _tag(doc, "{%p if noi_dung_yeu.bang %}")
    fmt.body(doc, "{{ noi_dung_yeu.so }} nội dung bị mất nhiều điểm nhất (tỷ lệ điểm bị mất trên "
                  "tổng điểm tối đa của các đơn vị):")
    _loop_table(doc, ["Mã", "Nội dung", "Số đơn vị mất điểm", "Tỷ lệ điểm mất"],
                "noi_dung_yeu.bang", ["ma", "noi_dung", "so_don_vi", "ty_le"],
                [15, 95, 27, 28], "clcc")
    _tag(doc, "{%p endif %}")
    fmt.body(doc, "4. Kết quả khắc phục tồn tại, hạn chế năm trước", bold=True)
    _sentences(doc, "khac_phuc_nam_truoc")

    fmt.body(doc, "III. ĐƠN VỊ CẦN KHẮC PHỤC TỒN TẠI, HẠN CHẾ", bold=True)
    _tag(doc, "{%p if khac_phuc.bang %}")
    fmt.body(doc, "Có {{ khac_phuc.so }} đơn vị {{ khac_phuc.quy_tac }} cần chỉ đạo khắc phục; "
                  "đề xuất {{ khac_phuc.cac_don_vi }} khắc phục và báo cáo kết quả về "
                  "{{ co_quan.ten_goi_tat }} (qua {{ don_vi_thuc_hien.ten }}) trước "
                  "{{ han_khac_phuc }}:")
    _loop_table(doc, ["TT", "Đơn vị", "Điểm", "Lý do", "Đề xuất khắc phục"], "khac_phuc.bang",
                ["tt", "don_vi", "diem", "ly_do", "de_xuat"], [9, 36, 15, 45, 60], "clcll")
    _tag(doc, "{%p else %}")
    fmt.body(doc, "Không có đơn vị nào {{ khac_phuc.quy_tac }} phải chỉ đạo khắc phục.")
    _tag(doc, "{%p endif %}")
    _if_text(doc, "bo_trong")

    fmt.body(doc, "IV. ĐƠN VỊ ĐỀ XUẤT ĐIỂN HÌNH TIÊN TIẾN", bold=True)
    _tag(doc, "{%p if bieu_duong.bang %}")
    fmt.body(doc, "Đề xuất {{ bieu_duong.so }} đơn vị {{ bieu_duong.quy_tac }} là điển hình "
                  "tiên tiến, đề nghị xem xét biểu dương, khen thưởng:")
    _loop_table(doc, ["TT", "Đơn vị", "Điểm", "Xếp loại", "Số tồn tại",
                      "Nội dung có kiểm chứng"], "bieu_duong.bang",
                ["tt", "don_vi", "diem", "xep_loai", "ton_tai", "kiem_chung"],
                [9, 70, 18, 22, 20, 26], "clcccc")
    _tag(doc, "{%p else %}")
    fmt.body(doc, "{{ bieu_duong.cau }}")
    _tag(doc, "{%p endif %}")

    fmt.body(doc, "V. ĐỀ XUẤT, KIẾN NGHỊ", bold=True)
    fmt.body(doc, "{{ de_xuat.thong_bao }}. {{ co_quan.lanh_dao }} ban hành thông báo kết quả "
                  "kiểm tra, đánh giá đến từng đơn vị (dự thảo thông báo kèm theo).")
    _tag(doc, "{%p if de_xuat.khac_phuc %}")
    fmt.body(doc, "{{ de_xuat.khac_phuc }}. Chỉ đạo các đơn vị tại mục III khắc phục tồn tại, "
                  "hạn chế và báo cáo kết quả trước {{ han_khac_phuc }}.")
    _tag(doc, "{%p endif %}")
    _tag(doc, "{%p if de_xuat.bo_sung %}")
    fmt.body(doc, "{{ de_xuat.bo_sung }}. Yêu cầu các đơn vị chưa nộp báo cáo hoặc bỏ trống phần "
                  "lớn số liệu gửi, bổ sung báo cáo để được đánh giá đầy đủ.")
    _tag(doc, "{%p endif %}")
    _tag(doc, "{%p if de_xuat.bieu_duong %}")
    fmt.body(doc, "{{ de_xuat.bieu_duong }}. Biểu dương, khen thưởng các đơn vị điển hình tiên "
                  "tiến tại mục IV.")
    _tag(doc, "{%p endif %}")
    fmt.body(doc, "{{ de_xuat.kinh_phi }}. Ưu tiên bố trí kinh phí, đào tạo cho các nội dung "
                  "còn yếu tại mục II.3.")
    fmt.body(doc, "Trên đây là báo cáo kết quả kiểm tra, đánh giá {{ danh_gia.ten }} năm "
                  "{{ nam }}, {{ don_vi_thuc_hien.ten }} kính báo cáo {{ co_quan.lanh_dao }} "
                  "xem xét, chỉ đạo./.")
    _closing(doc)
    _appendix(doc)
    return doc


def _appendix(doc: DocumentObject) -> None:
    """Every group's percentages per criterion: a column per criterion ({%tc for %})."""
    fmt.page_break(doc)
    fmt.line_paragraph(doc, "Phụ lục", fmt.SIZES["type"], bold=True)
    fmt.line_paragraph(doc, "KẾT QUẢ CHẤM ĐIỂM THEO TIÊU CHÍ CỦA CÁC ĐƠN VỊ",
                       fmt.SIZES["type"], bold=True)
    fmt.line_paragraph(doc, "(Kèm theo Báo cáo số       /{{ van_ban.ky_hieu }} "
                            "{{ van_ban.ngay }} của {{ don_vi_thuc_hien.ten }})",
                       fmt.SIZES["body"], italic=True, after=6)
    _tag(doc, "{%p for k in khoi %}")
    fmt.body(doc, "{{ k.ten }} (tỷ lệ điểm đạt từng tiêu chí, %)", bold=True)
    # One criterion column, 12 mm wide, repeated per criterion (five fill the text width;
    # more are narrowed to it once filled).
    fmt.data_table(doc, ["Hạng", "Đơn vị", "{%tc for c in tieu_chi %}", "{{ c }}",
                         "{%tc endfor %}", "Điểm", "Xếp loại"],
                   [["{%tr for d in k.phu_luc %}", "", "", "", "", "", ""],
                    ["{{ d.hang }}", "{{ d.don_vi }}", "{%tc for v in d.ty_le %}", "{{ v }}",
                     "{%tc endfor %}", "{{ d.diem }}", "{{ d.xep_loai }}"],
                    ["{%tr endfor %}", "", "", "", "", "", ""]],
                   [14, 53, 12, 12, 12, 16, 22], "clcccc")
    _tag(doc, "{%p endfor %}")


# ----------------------------------------------------------------------------- notice


def notice_template() -> DocumentObject:
    """Thông báo kết quả kiểm tra, đánh giá, to one unit."""
    doc = fmt.new_document("Mẫu thông báo kết quả đánh giá", "", True, "du_thao")
    _heading(doc)
    _title(doc, "Thông báo")
    fmt.body_parts(doc, [("Kính gửi: ", False), ("{{ don_vi.ten }}", True)])
    fmt.body(doc, "Căn cứ kết quả kiểm tra, đánh giá {{ danh_gia.ten }} năm {{ nam }}, "
                  "{{ co_quan.ten }} thông báo kết quả của đơn vị như sau:")
    _notes(doc)

    fmt.body(doc, "{{ muc.ket_qua }}. Kết quả chấm điểm, xếp loại", bold=True)
    fmt.body(doc, "Tổng điểm: {{ don_vi.diem }}/{{ don_vi.thang_diem }} điểm; xếp loại "
                  "{{ don_vi.xep_loai }}; {% if don_vi.hang %}xếp hạng {{ don_vi.hang }}/"
                  "{{ don_vi.so_don_vi_khoi }} đơn vị thuộc {{ don_vi.khoi }}{% else %}đơn vị "
                  "thuộc {{ don_vi.khoi }}, được đánh giá nhưng không xếp hạng{% endif %}."
                  "{% if don_vi.tu_danh_gia %} Điểm đơn vị tự đánh giá: "
                  "{{ don_vi.tu_danh_gia }}.{% endif %}")
    _if_text(doc, "don_vi.bo_trong", bold=True)
    fmt.body(doc, "{{ don_vi.so_sanh }}")
    _loop_table(doc, ["Mã", "Tiêu chí", "Tỷ lệ điểm đạt"], "tieu_chi", ["ma", "ten", "ty_le"],
                [16, 119, 30], "clc")

    fmt.body(doc, "{{ muc.kiem_tra }}. Kết quả kiểm tra, thẩm định số liệu", bold=True)
    _tag(doc, "{%p if not kiem_tra.da_kiem_tra %}")
    fmt.body(doc, "{{ kiem_tra.cau }}")
    _tag(doc, "{%p elif kiem_tra.bang %}")
    fmt.body(doc, "Đoàn kiểm tra đã điều chỉnh {{ kiem_tra.so }} số liệu đơn vị báo cáo:")
    _loop_table(doc, ["Mục", "Đơn vị báo cáo", "Kiểm tra", "Điểm", "Lý do"], "kiem_tra.bang",
                ["muc", "bao_cao", "kiem_tra", "diem", "ly_do"], [45, 25, 25, 22, 48], "lcccl")
    _tag(doc, "{%p else %}")
    fmt.body(doc, "Đoàn kiểm tra không điều chỉnh số liệu đơn vị báo cáo.")
    _tag(doc, "{%p endif %}")
    _sentences(doc, "kiem_tra.anh_huong")

    _tag(doc, "{%p if muc.so_lieu_thieu %}")
    fmt.body(doc, "{{ muc.so_lieu_thieu }}. Số liệu còn thiếu", bold=True)
    fmt.body(doc, "{{ so_lieu_thieu.cau }}")
    _loop_table(doc, ["Mục", "Trang", "Ô", "Chỉ tiêu liên quan"], "so_lieu_thieu.bang",
                ["muc", "trang", "o", "chi_tieu"], [75, 45, 15, 30], "lccc")
    _tag(doc, "{%p endif %}")

    _tag(doc, "{%p if muc.kiem_chung %}")
    fmt.body(doc, "{{ muc.kiem_chung }}. Tài liệu kiểm chứng cần bổ sung", bold=True)
    fmt.body(doc, "{{ kiem_chung.cau }}")
    _loop_table(doc, ["Mục", "Đơn vị trả lời", "Tài liệu đơn vị đã nêu"], "kiem_chung.bang",
                ["muc", "tra_loi", "tai_lieu"], [75, 35, 55], "lcl")
    _tag(doc, "{%p endif %}")

    _tag(doc, "{%p if muc.ton_tai %}")
    fmt.body(doc, "{{ muc.ton_tai }}. Tồn tại, hạn chế và yêu cầu khắc phục", bold=True)
    _tag(doc, "{%p if ton_tai.bang %}")
    fmt.body(doc, "Đơn vị có {{ ton_tai.so }} nội dung bị mất từ {{ ton_tai.nguong }} số điểm "
                  "trở lên:")
    _loop_table(doc, ["TT", "Nội dung", "Điểm đạt", "Yêu cầu khắc phục"], "ton_tai.bang",
                ["tt", "noi_dung", "diem", "yeu_cau"], [9, 68, 20, 68], "clcl")
    _tag(doc, "{%p else %}")
    fmt.body(doc, "Đơn vị không có tồn tại, hạn chế (nội dung bị mất từ {{ ton_tai.nguong }} "
                  "số điểm trở lên).")
    _tag(doc, "{%p endif %}")
    _tag(doc, "{%p endif %}")

    _tag(doc, "{%p if muc.khac_phuc_nam_truoc %}")
    fmt.body(doc, "{{ muc.khac_phuc_nam_truoc }}. Kết quả khắc phục tồn tại, hạn chế năm "
                  "{{ nam_truoc }}", bold=True)
    fmt.body(doc, "{{ khac_phuc_nam_truoc }}")
    _tag(doc, "{%p endif %}")

    fmt.body(doc, "{{ muc.to_chuc }}. Tổ chức thực hiện", bold=True)
    _tag(doc, "{%p if yeu_cau.bo_sung %}")
    fmt.body(doc, "Đề nghị {{ don_vi.ten }} bổ sung các mục còn bỏ trống nêu trên và gửi lại báo "
                  "cáo về {{ co_quan.ten_goi_tat }} (qua {{ don_vi_thuc_hien.ten }}) để được "
                  "đánh giá đầy đủ.")
    _tag(doc, "{%p endif %}")
    _tag(doc, "{%p if yeu_cau.khac_phuc %}")
    fmt.body(doc, "Đề nghị {{ don_vi.ten }} khắc phục các tồn tại, hạn chế nêu trên và báo cáo "
                  "kết quả khắc phục về {{ co_quan.ten_goi_tat }} (qua {{ don_vi_thuc_hien.ten }})"
                  " trước {{ han_khac_phuc }}.")
    _tag(doc, "{%p endif %}")
    _tag(doc, "{%p if yeu_cau.kiem_chung %}")
    fmt.body(doc, "Đề nghị {{ don_vi.ten }} bổ sung tài liệu kiểm chứng cho các nội dung kê khai "
                  "nêu trên, gửi về {{ don_vi_thuc_hien.ten }} để hoàn thiện hồ sơ đánh giá.")
    _tag(doc, "{%p endif %}")
    _tag(doc, "{%p if not yeu_cau.bo_sung and not yeu_cau.khac_phuc %}")
    fmt.body(doc, "Đề nghị {{ don_vi.ten }} tiếp tục duy trì, phát huy kết quả "
                  "{{ danh_gia.ten }} đã đạt được.")
    _tag(doc, "{%p endif %}")
    _tag(doc, "{%p if du_thao %}")
    fmt.body(doc, "Đây là dự thảo kết quả; nếu có ý kiến giải trình về số liệu, đơn vị gửi về "
                  "{{ don_vi_thuc_hien.ten }} để xem xét trước khi chốt kết quả chính thức.",
             italic=True)
    _tag(doc, "{%p endif %}")
    _contact(doc)
    _closing(doc)
    return doc


# ----------------------------------------------------------------------------- reminder


def reminder_template() -> DocumentObject:
    """Công văn đôn đốc: to the units that have not sent their report yet."""
    doc = fmt.new_document("Mẫu công văn đôn đốc gửi báo cáo", "", True, "du_thao")
    _heading(doc, "V/v đôn đốc gửi báo cáo kết quả {{ danh_gia.ten }} năm {{ nam }}")
    fmt.line_paragraph(doc, "", fmt.SIZES["body"], before=12)
    _tag(doc, "{%p if mot_don_vi %}")
    fmt.body_parts(doc, [("Kính gửi: ", False), ("{{ kinh_gui[0] }}", False)])
    _tag(doc, "{%p else %}")
    fmt.body(doc, "Kính gửi:")
    _tag(doc, "{%p for ten in kinh_gui %}")
    p = fmt.body(doc, "- {{ ten }}{{ '.' if loop.last else ';' }}")
    p.paragraph_format.first_line_indent = Mm(40)
    p.paragraph_format.space_before = Pt(0)
    _tag(doc, "{%p endfor %}")
    _tag(doc, "{%p endif %}")
    fmt.body(doc, "Thực hiện {{ danh_gia.ke_hoach }}, {{ co_quan.ten }} đã đề nghị các đơn vị "
                  "gửi báo cáo theo biểu mẫu về {{ co_quan.ten_goi_tat }} (qua "
                  "{{ don_vi_thuc_hien.ten }}) trước {{ han_nop }}. Đến nay, "
                  "{{ co_quan.ten_goi_tat }} đã nhận được báo cáo của {{ da_nop }}/{{ dang_ky }} "
                  "đơn vị nhưng chưa nhận được báo cáo của {% if mot_don_vi %}đơn vị{% else %}"
                  "{{ chua_nop }} đơn vị nêu trên{% endif %}.")
    _if_text(doc, "chua_day_du")
    fmt.body(doc, "Để kịp tổng hợp, đánh giá và báo cáo {{ co_quan.lanh_dao }}, "
                  "{{ co_quan.ten }} đề nghị Thủ trưởng {% if mot_don_vi %}đơn vị{% else %}các "
                  "đơn vị{% endif %} khẩn trương hoàn thành và gửi báo cáo trước "
                  "{{ han_don_doc }}. Đơn vị không gửi báo cáo sẽ không được chấm điểm, xếp hạng "
                  "và được nêu trong báo cáo kết quả đánh giá.")
    _contact(doc)
    _closing(doc)
    return doc


BUILDERS = {"report": report_template, "notice": notice_template,
            "reminder": reminder_template}


def template_bytes(kind: str) -> bytes:
    """The default template of `kind` as it is shipped (the same bytes every time)."""
    return fmt.docx_bytes(BUILDERS[kind]())


def write_default_templates(folder: Path = HERE) -> list[Path]:
    """Write the three default templates to `folder` (the package's own by default)."""
    from cntt_analysis.storage import write_bytes

    return [write_bytes(template_bytes(kind), Path(folder) / name)
            for kind, name in FILES.items()]


if __name__ == "__main__":  # pragma: no cover - a maintainer's command
    for path in write_default_templates(Path(sys.argv[1]) if len(sys.argv) > 1 else HERE):
        print(path)
