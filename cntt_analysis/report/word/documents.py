"""The official documents of a round (văn bản), in Word: the IT Centre's report to the
Department's leaders, one notice of results per unit, and the reminder to units that have
not sent their report. Layout in `docx_format` (Decree 30/2020/NĐ-CP).

Every figure and name they state comes from the year's facts (`report.facts`), the same the
HTML report shows; the sentences shared with it come from `report.sentences`. The
department's particulars (bodies, place, symbols, signers, recipients, contact, remedy
deadline, the rule for models) come from ``data/raw/department.yaml``, a round's
``round.yaml`` overriding any of them. Until the round is finalised every page says
"DỰ THẢO", and while the round is partial every document says so.
"""

from __future__ import annotations

import datetime as dt
from pathlib import Path

import pandas as pd
from docx.shared import Mm, Pt

from cntt_analysis import labels
from cntt_analysis.analysis.common import LATE
from cntt_analysis.analysis.results import load_results
from cntt_analysis.labels import vn_score, vn_share
from cntt_analysis.report import sentences
from cntt_analysis.report.facts import YearFacts, load_particulars, year_facts
from cntt_analysis.report.sentences import vn_date
from cntt_analysis.report.word import docx_format as fmt
from cntt_analysis.rubric.model import Rubric
from cntt_analysis.scoring import publication

FOLDER = "van-ban"


# ----------------------------------------------------------------------------- particulars


def place_date(config: dict, kind: str) -> str:
    given = config["documents"][kind].get("date")
    if isinstance(given, dt.date):
        return f"{config['place']}, {vn_date(given)}"
    return f"{config['place']}, ngày      tháng      năm 20.."


def number(config: dict, kind: str) -> str:
    doc = config["documents"][kind]
    given = str(doc.get("number") or "").strip()
    if given.isdigit() and int(given) < 10:
        given = f"0{int(given)}"
    return f"Số: {given or '       '}/{doc['symbol']}"


def _heading(config: dict, kind: str, cv_summary: str = "") -> fmt.Heading:
    body = config["bodies"][config["documents"][kind]["issuer"]]
    return fmt.Heading(parent=body["parent"], issuer=body["name"],
                       number=number(config, kind), place_date=place_date(config, kind),
                       cv_summary=cv_summary)


def _signature(config: dict, kind: str) -> fmt.Signature:
    signer = config["documents"][kind]["signer"]
    return fmt.Signature(str(signer.get("authority", "")), str(signer.get("title") or ""),
                         str(signer.get("name", "")))


def _close(doc, config: dict, kind: str, first: list[str] | None = None) -> None:
    spec = config["documents"][kind]
    fmt.closing(doc, [*(first or []), *spec.get("recipients", [])], spec["archive"],
                _signature(config, kind))


def _contact(config: dict) -> str:
    c = config["contact"]
    centre = config["bodies"]["centre"].get("full", "Trung tâm Công nghệ thông tin")
    role = f", {c['role']}" if c.get("role") else ""
    return (f"Thông tin chi tiết xin liên hệ: {c['name']}{role}, {centre}; điện thoại: "
            f"{c['phone']}; thư điện tử: {c['email']}.")


# ----------------------------------------------------------------------------- content


def _centre(config: dict) -> str:
    return config["bodies"]["centre"].get("full", "Trung tâm Công nghệ thông tin")


def _score_change(change: float) -> str:
    if pd.isna(change):
        return "—"
    sign = "+" if change > 0 else "−" if change < 0 else ""
    return f"{sign}{vn_score(abs(float(change)))}"


def _state(doc, facts: YearFacts) -> None:
    """The draft and partial-round statements, under the title of every document."""
    if facts.synthetic:
        fmt.body(doc, labels.SYNTHETIC_NOTE, italic=True)
    if facts.draft:
        fmt.body(doc, facts.status_label, italic=True)
    if (partial := sentences.partial_sentence(facts)) is not None:
        fmt.body(doc, partial, italic=True)


def _explained(reason: str, explanation: object) -> str:
    if isinstance(explanation, str) and explanation:
        return f"{reason} (Đơn vị giải trình: {explanation})"
    return reason


def _points(before: float, after: float) -> str:
    return f"{vn_score(before)} → {vn_score(after)}"


# ----------------------------------------------------------------------------- report


def _register_lines(facts: YearFacts) -> list[str]:
    lines = [f"Đối tượng: {facts.registered} phòng, đơn vị thuộc Sở và Phòng Tài nguyên và Môi "
             f"trường cấp huyện; {facts.reported} đơn vị đã gửi báo cáo, "
             f"{len(facts.scores)} đơn vị có báo cáo được chấm điểm."]
    late = facts.units[facts.units["status"] == LATE]["name"].tolist()
    missing = facts.not_reported["name"].tolist()
    if late:
        lines.append(f"Đơn vị nộp báo cáo muộn: {labels.join_vi(late)}.")
    lines.append(f"Đơn vị không gửi báo cáo: {labels.join_vi(missing)}." if missing
                 else "Tất cả các đơn vị đã gửi báo cáo.")
    return lines


def _ranking_tables(doc, facts: YearFacts) -> None:
    for group in facts.groups.itertuples():
        part = facts.scores[facts.scores["group"] == group.group]
        if part.empty:
            continue
        fmt.body(doc, f"{group.label} ({len(part)} đơn vị):", italic=True)
        rows = [[str(i), r.name, vn_score(r.score), r.tier, str(int(r.rank)), r.movement,
                 _score_change(r.score_change)]
                for i, r in enumerate(part.itertuples(index=False), start=1)]
        fmt.data_table(doc, ["TT", "Đơn vị", "Điểm", "Xếp loại", "Hạng",
                             "So với năm trước", "Tăng/giảm điểm"], rows,
                       [9, 54, 16, 22, 14, 28, 22], "clcccc")
        if (rule := sentences.baseline_rule_sentence(part)) is not None:
            fmt.body(doc, rule, italic=True)


def _corrections(doc, facts: YearFacts) -> None:
    """The inspectors' corrections; then, apart, the points they moved at other units."""
    said = sentences.corrections_sentence(facts)
    if facts.corrections.empty:
        fmt.body(doc, said)
    else:
        fmt.body(doc, said[:-1] + "; điểm các nội dung liên quan trước và sau điều chỉnh như "
                                  "sau:")
        rows = [[r.name or r.unit_id, f"{r.code} ({r.cell})" if r.cell else r.code,
                 str(r.reported), str(r.verified), _points(r.points_before, r.points_after),
                 _explained(r.reason or "", r.explanation)]
                for r in facts.corrections.itertuples(index=False)]
        fmt.data_table(doc, ["Đơn vị", "Mục (ô)", "Đơn vị báo cáo", "Kiểm tra", "Điểm",
                             "Lý do"], rows, [38, 17, 24, 22, 24, 40], "lcccc")
    if (moved := sentences.knock_on_sentence(facts)) is not None:
        fmt.body(doc, moved)
        rows = [[r.name or r.unit_id, r.indicators, _points(r.points_before, r.points_after),
                 r.causes] for r in facts.knock_on.itertuples(index=False)]
        fmt.data_table(doc, ["Đơn vị", "Chỉ tiêu", "Điểm", "Do điều chỉnh số liệu của"],
                       rows, [60, 20, 30, 55], "lccl")


def _weakest(doc, facts: YearFacts) -> None:
    if (said := sentences.criteria_sentence(facts)) is not None:
        fmt.body(doc, said)
    weak = facts.weakest_indicators.head(5)
    if weak.empty:
        return
    fmt.body(doc, f"{'Năm' if len(weak) == 5 else len(weak)} nội dung bị mất nhiều điểm nhất "
                  "(tỷ lệ điểm bị mất trên tổng điểm tối đa của các đơn vị):")
    rows = [[r.indicator, r.label, f"{r.units_losing}/{r.units}", vn_share(r.lost_percent)]
            for r in weak.itertuples(index=False)]
    fmt.data_table(doc, ["Mã", "Nội dung", "Số đơn vị mất điểm", "Tỷ lệ điểm mất"], rows,
                   [15, 95, 27, 28], "clcc")


def _remedy(doc, facts: YearFacts) -> None:
    due = vn_date(facts.remedy_deadline)
    remedy = facts.remedy
    if remedy.empty:
        fmt.body(doc, f"Không có đơn vị nào {sentences.remedy_rule(facts)} phải chỉ đạo khắc "
                      "phục.")
    else:
        fmt.body(doc, f"Có {len(remedy)} đơn vị {sentences.remedy_rule(facts)} cần chỉ đạo "
                      f"khắc phục; đề xuất {'đơn vị' if len(remedy) == 1 else 'các đơn vị'} "
                      "khắc phục và báo cáo kết quả về Sở (qua Trung tâm Công nghệ thông tin) "
                      f"trước {due}:")
        rows = [[str(i), r.name, vn_score(r.score), r.reasons, r.remedies]
                for i, r in enumerate(remedy.itertuples(index=False), start=1)]
        fmt.data_table(doc, ["TT", "Đơn vị", "Điểm", "Lý do", "Đề xuất khắc phục"], rows,
                       [9, 36, 15, 45, 60], "clcll")
    if (blank := sentences.incomplete_sentence(facts)) is not None:
        fmt.body(doc, blank)


def _models(doc, facts: YearFacts) -> None:
    chosen = facts.models
    if chosen.empty:
        fmt.body(doc, sentences.models_sentence(facts))
        return
    fmt.body(doc, f"Đề xuất {len(chosen)} đơn vị {sentences.model_rule(facts)} là điển hình "
                  "tiên tiến, đề nghị xem xét biểu dương, khen thưởng:")
    rows = [[str(i), r.name, vn_score(r.score), r.tier, str(int(r.shortcomings)),
             f"{int(r.claims) - int(r.claims_without_evidence)}/{int(r.claims)}"]
            for i, r in enumerate(chosen.itertuples(index=False), start=1)]
    fmt.data_table(doc, ["TT", "Đơn vị", "Điểm", "Xếp loại", "Số tồn tại",
                         "Nội dung có kiểm chứng"], rows, [9, 70, 18, 22, 20, 26], "clcccc")


def build_report(facts: YearFacts, config: dict, rubric: Rubric):
    """Báo cáo kết quả kiểm tra, đánh giá ứng dụng CNTT năm Y (IT Centre → leaders)."""
    year = facts.year
    centre = _centre(config)
    doc = fmt.new_document(f"Báo cáo kết quả kiểm tra, đánh giá ứng dụng CNTT năm {year}",
                           centre, facts.draft)
    fmt.heading(doc, _heading(config, "report"))
    fmt.title(doc, "Báo cáo", "Kết quả kiểm tra, đánh giá ứng dụng công nghệ thông tin\n"
                              f"năm {year}")
    fmt.body(doc, f"Thực hiện Kế hoạch kiểm tra, đánh giá kết quả ứng dụng công nghệ thông tin "
                  f"năm {year} của Sở Tài nguyên và Môi trường, {centre} báo cáo kết quả như "
                  "sau:")
    _state(doc, facts)
    fmt.body(doc, "I. MỤC ĐÍCH, PHẠM VI", bold=True)
    fmt.body(doc, "Đánh giá thực chất kết quả ứng dụng công nghệ thông tin của từng đơn vị; "
                  "chỉ ra tồn tại, hạn chế để chỉ đạo khắc phục; làm căn cứ biểu dương, khen "
                  "thưởng và xây dựng kế hoạch năm sau.")
    fmt.body(doc, f"Phạm vi: kết quả năm {year}, chấm theo {len(rubric.criteria)} tiêu chí "
                  f"(thang điểm 100); hạn gửi báo cáo {vn_date(facts.deadline)}.")
    for line in _register_lines(facts):
        fmt.body(doc, line)
    fmt.body(doc, "II. KẾT QUẢ", bold=True)
    fmt.body(doc, "1. Kết quả chấm điểm, xếp loại, xếp hạng theo khối", bold=True)
    said = [sentences.scored_sentence(facts), *sentences.group_sentences(facts)]
    if len(facts.scores):
        said += [sentences.tier_sentence(facts), sentences.remedy_sentence(facts)]
    for sentence in said:
        fmt.body(doc, sentence)
    _ranking_tables(doc, facts)
    fmt.body(doc, "2. Kết quả kiểm tra, thẩm định số liệu", bold=True)
    _corrections(doc, facts)
    fmt.body(doc, "3. Những tiêu chí, nội dung còn yếu", bold=True)
    _weakest(doc, facts)
    fmt.body(doc, "4. Kết quả khắc phục tồn tại, hạn chế năm trước", bold=True)
    for sentence in sentences.follow_up_sentences(facts):
        fmt.body(doc, sentence)
    fmt.body(doc, "III. ĐƠN VỊ CẦN KHẮC PHỤC TỒN TẠI, HẠN CHẾ", bold=True)
    _remedy(doc, facts)
    fmt.body(doc, "IV. ĐƠN VỊ ĐỀ XUẤT ĐIỂN HÌNH TIÊN TIẾN", bold=True)
    _models(doc, facts)
    fmt.body(doc, "V. ĐỀ XUẤT, KIẾN NGHỊ", bold=True)
    proposals = ["Lãnh đạo Sở ban hành thông báo kết quả kiểm tra, đánh giá đến từng đơn vị "
                 "(dự thảo thông báo kèm theo)."]
    if len(facts.remedy):
        proposals.append("Chỉ đạo các đơn vị tại mục III khắc phục tồn tại, hạn chế và báo cáo "
                         f"kết quả trước {vn_date(facts.remedy_deadline)}.")
    if len(facts.incomplete) or len(facts.not_reported):
        proposals.append("Yêu cầu các đơn vị chưa nộp báo cáo hoặc bỏ trống phần lớn số liệu "
                         "gửi, bổ sung báo cáo để được đánh giá đầy đủ.")
    if len(facts.models):
        proposals.append("Biểu dương, khen thưởng các đơn vị điển hình tiên tiến tại mục IV.")
    proposals.append("Ưu tiên bố trí kinh phí, đào tạo cho các nội dung còn yếu tại mục II.3.")
    for i, text in enumerate(proposals, start=1):
        fmt.body(doc, f"{i}. {text}")
    fmt.body(doc, f"Trên đây là báo cáo kết quả kiểm tra, đánh giá ứng dụng công nghệ thông tin "
                  f"năm {year}, {centre} kính báo cáo Lãnh đạo Sở xem xét, chỉ đạo./.")
    _close(doc, config, "report")
    _appendix(doc, facts, config, rubric)
    return doc


def _appendix(doc, facts: YearFacts, config: dict, rubric: Rubric) -> None:
    fmt.page_break(doc)
    fmt.line_paragraph(doc, "Phụ lục", fmt.SIZES["type"], bold=True)
    fmt.line_paragraph(doc, "KẾT QUẢ CHẤM ĐIỂM THEO TIÊU CHÍ CỦA CÁC ĐƠN VỊ",
                       fmt.SIZES["type"], bold=True)
    spec = config["documents"]["report"]
    fmt.line_paragraph(doc, f"(Kèm theo Báo cáo số       /{spec['symbol']} "
                            f"{place_date(config, 'report').split(', ', 1)[1]} của "
                            f"{config['bodies']['centre'].get('full', '')})",
                       fmt.SIZES["body"], italic=True, after=6)
    crits = [c.code for c in rubric.criteria]
    for group in facts.groups.itertuples():
        part = facts.scores[facts.scores["group"] == group.group]
        if part.empty:
            continue
        fmt.body(doc, f"{group.label} (tỷ lệ điểm đạt từng tiêu chí, %)", bold=True)
        rows = [[str(int(r["rank"])), r["name"],
                 *(vn_share(r[c])[:-1] if pd.notna(r[c]) else "—" for c in crits),
                 vn_score(r["score"]), r["tier"]]
                for _, r in part.iterrows()]
        width = 60 / len(crits)
        fmt.data_table(doc, ["Hạng", "Đơn vị", *crits, "Điểm", "Xếp loại"], rows,
                       [14, 53, *[width] * len(crits), 16, 22], "cl" + "c" * (len(crits) + 2))


# ----------------------------------------------------------------------------- notice


class _Numbered:
    """Section headings numbered 1, 2, … as they are written (a section may be absent)."""

    def __init__(self, doc) -> None:
        self.doc, self.count = doc, 0

    def __call__(self, text: str) -> None:
        self.count += 1
        fmt.body(self.doc, f"{self.count}. {text}", bold=True)


def build_notice(facts: YearFacts, config: dict, rubric: Rubric, unit_id: str):
    """Thông báo kết quả kiểm tra, đánh giá, to one unit."""
    year = facts.year
    row = facts.unit(unit_id)
    if row is None:
        raise ValueError(f"{unit_id} has no score in {year}")
    name = str(row["name"])
    doc = fmt.new_document(f"Thông báo kết quả kiểm tra, đánh giá ứng dụng CNTT năm {year}: "
                           f"{unit_id}", config["bodies"]["department"]["name"], facts.draft)
    fmt.heading(doc, _heading(config, "notice"))
    fmt.title(doc, "Thông báo", "Kết quả kiểm tra, đánh giá ứng dụng công nghệ thông tin\n"
                                f"năm {year}")
    fmt.body_parts(doc, [("Kính gửi: ", False), (name, True)])
    fmt.body(doc, "Căn cứ kết quả kiểm tra, đánh giá ứng dụng công nghệ thông tin năm "
                  f"{year}, Sở Tài nguyên và Môi trường thông báo kết quả của đơn vị như sau:")
    _state(doc, facts)
    section = _Numbered(doc)
    _notice_result(doc, section, facts, rubric, row)
    _notice_corrections(doc, section, facts, unit_id)
    blank = facts.of_unit("missing_answers", unit_id)
    if len(blank):
        section("Số liệu còn thiếu")
        fmt.body(doc, sentences.missing_answers_sentence(facts, unit_id) or "")
        rows = [[f"{r.code} {r.label}", r.sheet, r.cell, r.indicators]
                for r in blank.itertuples(index=False)]
        fmt.data_table(doc, ["Mục", "Trang", "Ô", "Chỉ tiêu liên quan"], rows,
                       [75, 45, 15, 30], "lccc")
    incomplete = bool(row["incomplete"])
    found = facts.of_unit("shortcomings", unit_id)
    if not incomplete:
        _notice_shortcomings(doc, section, facts, found)
    follow = facts.of_unit("follow_up", unit_id)
    if len(follow):
        section(f"Kết quả khắc phục tồn tại, hạn chế năm {facts.previous_year}")
        fmt.body(doc, _follow_up_line(follow))
    section("Tổ chức thực hiện")
    for line in _requests(facts, name, incomplete, found, blank):
        fmt.body(doc, line)
    if facts.draft:
        fmt.body(doc, "Đây là dự thảo kết quả; nếu có ý kiến giải trình về số liệu, đơn vị gửi "
                      "về Trung tâm Công nghệ thông tin để xem xét trước khi chốt kết quả "
                      "chính thức.", italic=True)
    fmt.body(doc, _contact(config))
    _close(doc, config, "notice", first=[name])
    return doc


def _follow_up_line(follow: pd.DataFrame) -> str:
    return sentences.unit_follow_up_sentence(follow)


def _requests(facts: YearFacts, name: str, incomplete: bool, found: pd.DataFrame,
              blank: pd.DataFrame) -> list[str]:
    """What the unit is asked to do: complete its answers, remedy its shortcomings."""
    due = vn_date(facts.remedy_deadline)
    asked = []
    if len(blank):
        asked.append(f"Đề nghị {name} bổ sung các mục còn bỏ trống nêu trên và gửi lại báo "
                     "cáo về Sở (qua Trung tâm Công nghệ thông tin) để được đánh giá đầy đủ.")
    if len(found) and not incomplete:
        asked.append(f"Đề nghị {name} khắc phục các tồn tại, hạn chế nêu trên và báo cáo kết "
                     f"quả khắc phục về Sở (qua Trung tâm Công nghệ thông tin) trước {due}.")
    if not asked:
        asked.append(f"Đề nghị {name} tiếp tục duy trì, phát huy kết quả ứng dụng công nghệ "
                     "thông tin đã đạt được.")
    return asked


def _notice_result(doc, section: _Numbered, facts: YearFacts, rubric: Rubric,
                   row: pd.Series) -> None:
    section("Kết quả chấm điểm, xếp loại")
    text = (f"Tổng điểm: {vn_score(row['score'])}/100 điểm; xếp loại {row['tier']}; xếp hạng "
            f"{int(row['rank'])}/{int(row['group_size'])} đơn vị thuộc "
            f"{labels.lower_first(row['group_label'])}.")
    if pd.notna(row.get("self_score")) and round(row["self_score"] - row["score"], 2) != 0:
        text += f" Điểm đơn vị tự đánh giá: {vn_score(row['self_score'])}."
    fmt.body(doc, text)
    if bool(row["incomplete"]):
        fmt.body(doc, sentences.incomplete_unit_sentence(row), bold=True)
    fmt.body(doc, sentences.change_sentence(row))
    rows = [[c.code, c.name, vn_share(row[c.code]) if pd.notna(row.get(c.code)) else "—"]
            for c in rubric.criteria]
    fmt.data_table(doc, ["Mã", "Tiêu chí", "Tỷ lệ điểm đạt"], rows, [16, 119, 30], "clc")


def _notice_corrections(doc, section: _Numbered, facts: YearFacts, unit_id: str) -> None:
    section("Kết quả kiểm tra, thẩm định số liệu")
    fixes = facts.of_unit("corrections", unit_id)
    if not facts.inspected:
        fmt.body(doc, sentences.corrections_sentence(facts))
    elif fixes.empty:
        fmt.body(doc, "Đoàn kiểm tra không điều chỉnh số liệu đơn vị báo cáo.")
    else:
        fmt.body(doc, f"Đoàn kiểm tra đã điều chỉnh {len(fixes)} số liệu đơn vị báo cáo:")
        rows = [[f"{r.code} {r.label}", str(r.reported), str(r.verified),
                 _points(r.points_before, r.points_after),
                 _explained(r.reason or "", r.explanation)]
                for r in fixes.itertuples(index=False)]
        fmt.data_table(doc, ["Mục", "Đơn vị báo cáo", "Kiểm tra", "Điểm", "Lý do"], rows,
                       [45, 25, 25, 22, 48], "lcccl")
    for moved in facts.of_unit("knock_on", unit_id).itertuples(index=False):
        fmt.body(doc, sentences.unit_knock_on_sentence(moved))


def _notice_shortcomings(doc, section: _Numbered, facts: YearFacts,
                         found: pd.DataFrame) -> None:
    section("Tồn tại, hạn chế và yêu cầu khắc phục")
    share = vn_share(facts.shortcoming_share * 100)
    if found.empty:
        fmt.body(doc, f"Đơn vị không có tồn tại, hạn chế (nội dung bị mất từ {share} số điểm "
                      "trở lên).")
        return
    fmt.body(doc, f"Đơn vị có {len(found)} nội dung bị mất từ {share} số điểm trở lên:")
    rows = [[str(i), f"{r.indicator} {r.label}",
             f"{vn_score(r.points)}/{vn_score(r.max_points)}", r.remedy]
            for i, r in enumerate(found.itertuples(index=False), start=1)]
    fmt.data_table(doc, ["TT", "Nội dung", "Điểm đạt", "Yêu cầu khắc phục"], rows,
                   [9, 68, 20, 68], "clcl")


# ----------------------------------------------------------------------------- reminder


def build_reminder(facts: YearFacts, config: dict):
    """Công văn đôn đốc: to the units that have not sent their report yet."""
    year = facts.year
    missing = facts.not_reported
    doc = fmt.new_document(f"Đôn đốc gửi báo cáo ứng dụng CNTT năm {year}",
                           config["bodies"]["department"]["name"], facts.draft)
    fmt.heading(doc, _heading(config, "reminder", "V/v đôn đốc gửi báo cáo kết quả ứng dụng "
                                                  f"công nghệ thông tin năm {year}"))
    fmt.line_paragraph(doc, "", fmt.SIZES["body"], before=12)
    names = missing["name"].tolist()
    one = len(names) == 1
    if one:
        fmt.body_parts(doc, [("Kính gửi: ", False), (names[0], False)])
    else:
        fmt.body(doc, "Kính gửi:")
        for n, name in enumerate(names, start=1):
            p = fmt.body(doc, f"- {name}{'.' if n == len(names) else ';'}")
            p.paragraph_format.first_line_indent = Mm(40)
            p.paragraph_format.space_before = Pt(0)
    fmt.body(doc, f"Thực hiện Kế hoạch kiểm tra, đánh giá kết quả ứng dụng công nghệ thông tin "
                  f"năm {year}, Sở Tài nguyên và Môi trường đã đề nghị các đơn vị gửi báo cáo "
                  f"theo biểu mẫu về Sở (qua Trung tâm Công nghệ thông tin) trước "
                  f"{vn_date(facts.deadline)}. Đến nay, Sở đã nhận được báo cáo của "
                  f"{facts.reported}/{facts.registered} đơn vị nhưng chưa nhận được báo cáo của "
                  f"{'đơn vị' if one else f'{len(names)} đơn vị nêu trên'}.")
    if (partial := sentences.partial_sentence(facts)) is not None:
        fmt.body(doc, partial)
    given = config.get("reminder_deadline")
    by = vn_date(given) if isinstance(given, dt.date) else "ngày ..... tháng ..... năm 20.."
    fmt.body(doc, "Để kịp tổng hợp, đánh giá và báo cáo Lãnh đạo Sở, Sở Tài nguyên và Môi "
                  f"trường đề nghị Thủ trưởng {'đơn vị' if one else 'các đơn vị'} khẩn trương "
                  f"hoàn thành và gửi báo cáo trước {by}. Đơn vị không gửi báo cáo sẽ không "
                  "được chấm điểm, xếp hạng và được nêu trong báo cáo kết quả đánh giá.")
    fmt.body(doc, _contact(config))
    _close(doc, config, "reminder", first=["Như trên"])
    return doc


# ----------------------------------------------------------------------------- writing


def unit_file_name(unit_id: str) -> str:
    return "".join(ch if ch.isalnum() or ch in "-_" else "-" for ch in unit_id) + ".docx"


def write_documents(year: int, raw: str | Path, processed: str | Path,
                    out_folder: str | Path, facts: YearFacts | None = None) -> list[Path]:
    """Write the year's documents to `out_folder` (bao-cao-Y.docx, thong-bao/<unit>.docx,
    don-doc-Y.docx when some units have not reported); each atomically and byte-identical
    for identical inputs. The round must have been scored; `facts` are computed from the
    processed results when not given."""
    res = load_results(raw, processed, up_to=year)
    config = load_particulars(raw, year)
    if facts is None:
        facts = year_facts(res, year, config, publication.status(processed, year))
    rubric = res.rubric(year)
    out = Path(out_folder)
    paths = [fmt.save(build_report(facts, config, rubric), out / f"bao-cao-{year}.docx")]
    notices = [fmt.save(build_notice(facts, config, rubric, unit_id),
                        out / "thong-bao" / unit_file_name(unit_id))
               for unit_id in sorted(facts.scores["unit_id"])]
    for old in set((out / "thong-bao").glob("*.docx")) - set(notices):  # units no longer scored
        old.unlink()
    paths += notices
    reminder = out / f"don-doc-{year}.docx"
    if len(facts.not_reported):
        paths.append(fmt.save(build_reminder(facts, config), reminder))
    else:
        reminder.unlink(missing_ok=True)
    return paths
