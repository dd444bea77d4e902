"""The catalogue of data problems (stable codes, severities, Vietnamese messages) and the
issues table every step appends to.

An issue row names the file, sheet and cell, the value found and what was expected, so
the IT Centre knows exactly whom to call about what.
"""

from __future__ import annotations

from typing import TYPE_CHECKING, Any

from cntt_analysis.text import shorten

if TYPE_CHECKING:  # imported where used: a reading worker imports this module, not pandas
    import pandas as pd

# Values quoted in a message are shortened (the value column keeps them whole).
QUOTE_LIMIT = 200

ISSUE_COLUMNS = ["year", "unit_id", "file", "sheet", "cell", "severity", "code", "value",
                 "message"]
SEVERITY_LABELS = {"error": "Lỗi", "warning": "Cảnh báo"}

# code: (severity, message template). Templates may use {what}, {value}, {expected} and
# the extra fields each caller passes.
CATALOGUE: dict[str, tuple[str, str]] = {
    "file_unreadable": ("error", "Không mở được tệp ({detail}). Tệp cần là bảng tính Excel "
                                 "(.xlsx, .xlsm, .xls) hoặc LibreOffice (.ods)."),
    "file_too_large": ("error", "Tệp quá lớn hoặc bị hỏng, không đọc được{detail}. Hãy mở "
                                "tệp bằng Excel, kiểm tra rồi lưu và gửi lại."),
    "file_password": ("error", "Tệp được đặt mật khẩu nên không đọc được. Hãy gỡ mật khẩu "
                               "(mở tệp, bỏ mật khẩu, lưu lại) rồi gửi lại tệp không có mật "
                               "khẩu."),
    "formula_no_value": ("error", "{what}: ô chứa công thức nhưng kết quả chưa được lưu trong "
                                  "tệp. Hãy mở tệp bằng Excel, lưu lại rồi gửi lại (hoặc nhập "
                                  "trực tiếp số liệu)."),
    "implausible": ("error", "{what}: “{value}” lớn bất thường, không phải số liệu hợp lý — cần "
                             "{expected}."),
    "report_date_implausible": ("warning", "Ngày lập báo cáo {value} không hợp lý với đợt "
                                           "đánh giá năm {year}; hãy kiểm tra lại ngày."),
    "answer_not_found": ("error", "Không tìm thấy ô trả lời của {what} trong tệp; chỉ tiêu "
                                  "dùng mục này được 0 điểm."),
    "unit_unknown": ("error", "Không xác định được đơn vị: tên “{value}” không khớp với đơn vị "
                              "nào trong danh mục. Bài nộp không được chấm điểm; hãy sửa tên "
                              "đơn vị hoặc thêm tên gọi khác vào danh mục (units.csv)."),
    "unit_name_mismatch": ("error", "Tên đơn vị “{value}” là của đơn vị {typed}, nhưng biểu "
                                    "mẫu được tạo cho đơn vị {meta}: không rõ tệp của đơn vị "
                                    "nào nên tệp chưa được chấm cho đơn vị nào. Trung tâm CNTT "
                                    "hỏi lại đơn vị gửi tệp: nếu là của {typed}, đề nghị "
                                    "{typed} điền biểu mẫu của mình và gửi lại; nếu là của "
                                    "{meta}, sửa tên đơn vị tại ô này cho đúng."),
    "template_other_form": ("error", "Tệp là biểu mẫu năm {form_year} (phiếu đánh giá "
                                     "“{form_rubric}”), không phải biểu mẫu của đợt đánh giá "
                                     "năm {year} (phiếu “{rubric}”): mục cùng mã có thể hỏi "
                                     "nội dung khác nên bài nộp không được chấm. Đề nghị đơn "
                                     "vị điền số liệu vào biểu mẫu năm {year} (lệnh cntt "
                                     "template) và gửi lại."),
    "year_mismatch": ("error", "Năm báo cáo {value} không phải năm của đợt đánh giá ({year}). "
                               "Bài nộp không được chấm điểm."),
    "required": ("error", "{what} đang để trống — cần {expected}."),
    "not_number": ("error", "{what}: “{value}” không đọc được thành số — cần {expected}."),
    "negative": ("error", "{what}: “{value}” là số âm — cần {expected}."),
    "fractional": ("error", "{what}: “{value}” không phải số nguyên — cần {expected}."),
    "too_small": ("error", "{what}: “{value}” nhỏ hơn mức tối thiểu — cần {expected}."),
    "not_yes_no": ("error", "{what}: “{value}” không phải câu trả lời Có/Không — cần "
                            "{expected}."),
    "unknown_choice": ("error", "{what}: “{value}” không có trong danh sách — cần {expected}."),
    "na_not_allowed": ("error", "{what}: mục này không được trả lời “Không áp dụng” — cần "
                                "{expected}."),
    "bad_date": ("error", "{what}: “{value}” không phải ngày hợp lệ — cần {expected}."),
    "bad_year": ("error", "{what}: “{value}” không phải năm hợp lệ — cần {expected}."),
    "exceeds": ("error", "{what}: {value} lớn hơn {limit_label} ({limit}) — số liệu này không "
                         "được vượt quá {limit_label}; chỉ tiêu dùng mục này được 0 điểm."),
    "evidence_missing": ("warning", "{what}: đơn vị trả lời “{value}” (ô {answer_cell}) nhưng "
                                    "chưa ghi tài liệu kiểm chứng (số, ngày văn bản hoặc "
                                    "đường dẫn). Đề nghị đơn vị bổ sung khi kiểm tra."),
    "evidence_unidentified": ("warning", "{what}: tài liệu kiểm chứng “{value}” không nêu số, "
                                         "ký hiệu, ngày văn bản hay đường dẫn nên không kiểm "
                                         "tra được. Ghi theo mẫu: “Quyết định số 12/QĐ-UBND "
                                         "ngày 15/3/{year} về …” hoặc đường dẫn đến hệ thống."),
    "evidence_bad_date": ("warning", "{what}: tài liệu kiểm chứng “{value}” ghi ngày "
                                     "“{date}” không có thật. Đề nghị đơn vị ghi lại ngày văn "
                                     "bản."),
    "evidence_not_asked": ("warning", "Biểu mẫu cũ không có cột “Tài liệu kiểm chứng” nên chưa "
                                      "có tài liệu kiểm chứng cho {count} mục cần kiểm chứng "
                                      "({codes}). Lần sau đề nghị đơn vị dùng biểu mẫu mới "
                                      "(lệnh cntt template)."),
    "late": ("warning", "Nộp muộn: ngày lập báo cáo {value} sau hạn nộp {deadline}."),
    "report_date_unknown": ("warning", "Không xác định được ngày lập báo cáo nên không kiểm "
                                       "tra được hạn nộp."),
    "superseded": ("warning", "Đơn vị đã nộp bản khác mới hơn ({other}); bản này không được "
                              "tính điểm."),
    "missing": ("warning", "Đơn vị chưa nộp báo cáo (hạn nộp {deadline})."),
    "inspection_columns": ("error", "Tệp kiểm tra thiếu cột: {columns}. Không áp dụng điều "
                                    "chỉnh nào; hãy tạo lại tệp bằng lệnh "
                                    "cntt inspection-template."),
    "inspection_candidate": ("error", "Tệp có trang giống tệp kiểm tra, thẩm định nhưng "
                                      "không phải tệp kiểm tra của đợt đánh giá (tên "
                                      "inspection.xlsx hoặc tệp khai báo ở round.yaml, mục "
                                      "inspection) nên được đọc như bài nộp của đơn vị; các "
                                      "điều chỉnh trong tệp không được áp dụng. Nếu đây đúng "
                                      "là tệp kiểm tra của Trung tâm CNTT, thêm dòng "
                                      "inspection: \"{file_name}\" vào round.yaml rồi chạy "
                                      "lại."),
    "inspection_not_confirmed": ("error", "Không áp dụng điều chỉnh nào của tệp kiểm tra: "
                                          "{detail}. Tạo lại tệp bằng lệnh cntt "
                                          "inspection-template, hoặc nếu chắc chắn đây là tệp "
                                          "kiểm tra của Trung tâm CNTT, khai báo ở round.yaml: "
                                          "inspection: \"{file_name}\"."),
    "correction_conflict": ("error", "Mã đơn vị {unit} mục {value} có nhiều dòng kiểm tra "
                                     "với số liệu khác nhau: {rows}. Không áp dụng dòng nào; "
                                     "giữ lại một dòng đúng rồi chạy lại."),
    "correction_unit_unknown": ("error", "Điều chỉnh cho mã đơn vị “{value}” không có trong "
                                         "danh mục; điều chỉnh này không được áp dụng."),
    "correction_code_unknown": ("error", "Điều chỉnh cho mã mục “{value}” không có trong phiếu "
                                         "đánh giá; điều chỉnh này không được áp dụng."),
    "correction_not_submitted": ("error", "Đơn vị {value} không có bài nộp được chấm nên không "
                                          "áp dụng được điều chỉnh này."),
    "correction_invalid": ("error", "Số liệu kiểm tra của {what}: “{value}” không hợp lệ — "
                                    "cần {expected}; điều chỉnh này không được áp dụng."),
    "correction_system_input": ("error", "Mục {value} là số liệu lấy từ hệ thống {system}: "
                                         "sửa số liệu trong tệp xuất của hệ thống (round.yaml, "
                                         "mục imports), không sửa trong tệp kiểm tra; điều "
                                         "chỉnh này không được áp dụng."),
    "supplied_not_assessed": ("error", "Đơn vị {value} không được đánh giá chỉ tiêu dùng mục "
                                       "{input} nên số liệu này không được dùng."),
    # Figures the unit does not report: the appraiser's (inspection file) and systems'.
    "supplied_missing": ("error", "Chưa có {what} của {unit}: số liệu do cơ quan thẩm định "
                                  "cung cấp (tệp kiểm tra, thẩm định, cột “Số liệu kiểm tra”"
                                  "), đơn vị không phải báo cáo; chỉ tiêu {indicators} được 0 "
                                  "điểm cho đến khi có số liệu."),
    "import_missing": ("error", "Chưa có {what} của {unit}: số liệu lấy từ {system} ({how}), "
                                "đơn vị không phải báo cáo; chỉ tiêu {indicators} được 0 điểm "
                                "cho đến khi có số liệu."),
    "import_file_missing": ("error", "Không tìm thấy tệp xuất số liệu từ hệ thống (round.yaml, "
                                     "mục imports.{name}): đặt tệp vào thư mục đợt đánh giá "
                                     "hoặc sửa tên tệp; các chỉ tiêu dùng số liệu trong tệp "
                                     "này được 0 điểm cho đến khi có tệp."),
    "import_unreadable": ("error", "Không đọc được tệp xuất số liệu từ hệ thống ({detail}); các "
                                   "chỉ tiêu dùng số liệu trong tệp này được 0 điểm cho đến "
                                   "khi có tệp đọc được."),
    "import_columns": ("error", "Tệp xuất số liệu từ hệ thống thiếu cột: {columns} (tên cột "
                                "khai báo ở round.yaml, mục imports); số liệu của các cột này "
                                "không đọc được."),
    "import_unit_unknown": ("warning", "Cột “{column}” ghi “{value}”: không khớp đơn vị nào "
                                       "của đợt đánh giá năm {year} (mã, tên hoặc tên gọi khác "
                                       "trong units.csv); dòng này không được dùng."),
    "import_unit_twice": ("error", "Đơn vị {value} có nhiều dòng trong tệp xuất (dòng {lines})"
                                   "; không dùng số liệu nào của đơn vị này trong tệp — giữ "
                                   "lại một dòng."),
    "import_invalid": ("error", "{what}: “{value}” không hợp lệ — cần {expected}; chỉ tiêu "
                                "dùng mục này được 0 điểm (số liệu lấy từ hệ thống: sửa trong "
                                "tệp xuất)."),
}
# Issues about figures the appraiser or a system supplies (not the unit's to fix).
SUPPLIER_CODES = ("supplied_missing", "import_missing", "import_file_missing",
                  "import_unreadable", "import_columns", "import_unit_unknown",
                  "import_unit_twice", "import_invalid")


def make_issue(code: str, *, year: int, file: str = "", sheet: str = "", cell: str = "",
               unit_id: str | None = None, value: object = "",
               **fields: object) -> dict[str, Any]:
    """One issue row; the message says where, what was found and what was expected."""
    severity, template = CATALOGUE[code]
    text = "" if value is None else str(value)
    quoted = {k: shorten(v, QUOTE_LIMIT) if isinstance(v, str) else v for k, v in fields.items()}
    message = template.format(value=shorten(text, QUOTE_LIMIT), year=year, **quoted)
    where = ", ".join(p for p in (f"Tệp “{shorten(file, QUOTE_LIMIT)}”" if file else "",
                                  f"trang “{sheet}”" if sheet else "",
                                  f"ô {cell}" if cell else "") if p)
    return {"year": year, "unit_id": unit_id, "file": file, "sheet": sheet, "cell": cell,
            "severity": severity, "code": code, "value": text,
            "message": f"{where}: {message}" if where else message}


def issues_frame(rows: list[dict[str, Any]]) -> pd.DataFrame:
    """Rows as a DataFrame with the standard columns, in a stable order."""
    import pandas as pd

    frame = pd.DataFrame(rows, columns=ISSUE_COLUMNS)
    frame["year"] = frame["year"].astype("int64")
    order = ["year", "file", "sheet", "cell", "code", "unit_id"]
    return frame.sort_values(order, kind="stable", na_position="first").reset_index(drop=True)
