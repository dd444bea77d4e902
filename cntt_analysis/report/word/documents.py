"""The official documents of a round (văn bản), in Word: the IT Centre's report to the
Department's leaders, one notice of results per unit, and the reminder to units that have
not sent their report. Layout in `docx_format` (Decree 30/2020/NĐ-CP).

The department's particulars (bodies, place, symbols, signers, recipients, contact, remedy
deadline, the rule for units proposed as models) come from ``data/raw/department.yaml``; a
round's ``round.yaml`` may override any of them (keys ``documents``, ``models``,
``remedy_deadline``, ``reminder_deadline``). Until the round is finalised
(`scoring.publication`) every page says "DỰ THẢO".
"""

from __future__ import annotations

import copy
import datetime as dt
from dataclasses import dataclass
from pathlib import Path

import pandas as pd
import yaml
from docx.shared import Mm, Pt

from cntt_analysis import analysis, labels
from cntt_analysis.analysis.results import Results, load_results
from cntt_analysis.errors import UsageError
from cntt_analysis.intake.register import LATE, MISSING, SENT
from cntt_analysis.labels import GROUP_LABELS, vn_number
from cntt_analysis.report import sentences
from cntt_analysis.report.word import docx_format as fmt
from cntt_analysis.scoring import publication

DEPARTMENT_FILE = "department.yaml"
FOLDER = "van-ban"
DEFAULTS: dict = {
    "place": "……",
    "bodies": {
        "department": {"parent": "UBND TỈNH ……", "name": "SỞ TÀI NGUYÊN VÀ MÔI TRƯỜNG",
                       "short": "STNMT"},
        "centre": {"parent": "SỞ TÀI NGUYÊN VÀ MÔI TRƯỜNG",
                   "name": "TRUNG TÂM CÔNG NGHỆ THÔNG TIN", "short": "TTCNTT",
                   "full": "Trung tâm Công nghệ thông tin"},
    },
    "contact": {"name": "……", "role": "", "phone": "……", "email": "……"},
    "remedy_deadline_next_year": "03-31",
    "models": {"tiers": ["Tốt"], "max_shortcomings": 0},
    "documents": {
        kind: {"issuer": issuer, "symbol": symbol, "number": "", "date": None,
               "signer": {"authority": "GIÁM ĐỐC", "title": "", "name": "……"},
               "recipients": [], "archive": "VT, TTCNTT"}
        for kind, issuer, symbol in (("report", "centre", "BC-TTCNTT"),
                                     ("notice", "department", "TB-STNMT"),
                                     ("reminder", "department", "STNMT-TTCNTT"))},
}


# ----------------------------------------------------------------------------- particulars


def _merge(base: dict, extra: dict) -> dict:
    out = copy.deepcopy(base)
    for key, value in (extra or {}).items():
        out[key] = (_merge(out[key], value) if isinstance(value, dict)
                    and isinstance(out.get(key), dict) else value)
    return out


def _read_yaml(path: Path) -> dict:
    try:
        data = yaml.safe_load(path.read_text(encoding="utf-8")) or {}
    except yaml.YAMLError as exc:
        raise UsageError(f"{path}: tệp YAML không đọc được: {exc}") from None
    if not isinstance(data, dict):
        raise UsageError(f"{path}: cần các cặp khóa: giá trị (xem data/raw/{DEPARTMENT_FILE}).")
    return data


def load_particulars(raw_dir: str | Path, year: int) -> dict:
    """department.yaml over the defaults, then the round's own overrides."""
    raw = Path(raw_dir)
    config = DEFAULTS
    if (raw / DEPARTMENT_FILE).is_file():
        config = _merge(config, _read_yaml(raw / DEPARTMENT_FILE))
    round_file = raw / str(year) / "round.yaml"
    if round_file.is_file():
        own = _read_yaml(round_file)
        keys = ("documents", "models", "remedy_deadline", "reminder_deadline", "contact")
        config = _merge(config, {k: own[k] for k in keys if k in own})
    return config


def remedy_deadline(config: dict, year: int) -> dt.date:
    """The date units must remedy their shortcomings and report back by."""
    if isinstance(config.get("remedy_deadline"), dt.date):
        return config["remedy_deadline"]
    month, day = (int(x) for x in str(config["remedy_deadline_next_year"]).split("-"))
    return dt.date(year + 1, month, day)


def vn_date(day: dt.date) -> str:
    """"ngày 05 tháng 3 năm 2018" (Decree 30: a 0 before days under 10 and months 1, 2)."""
    month = f"{day.month:02d}" if day.month < 3 else str(day.month)
    return f"ngày {day.day:02d} tháng {month} năm {day.year}"


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


@dataclass
class RoundView:
    """What the documents of one year are built from."""

    year: int
    res: Results
    config: dict
    draft: bool
    moves: pd.DataFrame | None = None  # `movement`, computed once

    @property
    def rubric(self):
        return self.res.rubric(self.year)

    def scores(self) -> pd.DataFrame:
        return self.res.of_year("scores", self.year)

    def names(self) -> dict[str, str]:
        return dict(zip(self.res.registry["unit_id"], self.res.registry["name"]))


def models(view: RoundView) -> pd.DataFrame:
    """Units proposed as models (điển hình tiên tiến): tier in the rule's tiers and at most
    its number of shortcomings; best score first."""
    rule = view.config["models"]
    counts = view.res.of_year("shortcomings", view.year).groupby("unit_id").size()
    scores = view.scores().assign(shortcomings=lambda f: f["unit_id"].map(counts).fillna(0))
    chosen = scores[scores["tier"].isin(rule["tiers"])
                    & (scores["shortcomings"] <= int(rule["max_shortcomings"]))]
    return chosen.sort_values(["score", "unit_id"], ascending=[False, True], ignore_index=True)


def movement(view: RoundView) -> pd.DataFrame:
    """This year's rank movement and score change, one row per unit."""
    if view.moves is None:
        view.moves = _movement(view)
    return view.moves


def _movement(view: RoundView) -> pd.DataFrame:
    # rank_movement carries the score change since the unit's previous ranked year.
    moves = analysis.rank_movement(view.res.scores)
    return moves[moves["year"] == view.year].reset_index(drop=True)


def _score_change(row) -> str:
    if pd.isna(row.score_change):
        return "—"
    change = float(row.score_change)
    sign = "+" if change > 0 else "−" if change < 0 else ""
    return f"{sign}{vn_number(abs(change), 2, trim=False)}"


def _lower_first(text: str) -> str:
    return text[:1].lower() + text[1:]


def _rule_text(config: dict) -> str:
    rule = config["models"]
    limit = int(rule["max_shortcomings"])
    tail = ("không có tồn tại, hạn chế nào" if limit == 0 else
            f"có không quá {limit} tồn tại, hạn chế")
    return f"xếp loại {labels.join_vi(list(rule['tiers']))} và {tail}"


# ----------------------------------------------------------------------------- report


def _ranking_tables(doc, view: RoundView) -> None:
    moves = movement(view)
    for group in analysis.group_order(moves["group"]):
        part = moves[moves["group"] == group].sort_values(["rank", "unit_id"])
        fmt.body(doc, f"{GROUP_LABELS.get(group, group)} ({len(part)} đơn vị):", italic=True)
        rows = [[str(i), r.name, vn_number(r.score, 2, trim=False), r.tier,
                 str(int(r.rank)), r.movement, _score_change(r)]
                for i, r in enumerate(part.itertuples(index=False), start=1)]
        fmt.data_table(doc, ["TT", "Đơn vị", "Điểm", "Xếp loại", "Hạng",
                             "So với năm trước", "Tăng/giảm điểm"], rows,
                       [9, 54, 16, 22, 14, 28, 22], "clcccc")


def _corrections(doc, view: RoundView) -> None:
    fixes = view.res.of_year("corrections", view.year)
    if fixes.empty:
        fmt.body(doc, "Đoàn kiểm tra không điều chỉnh số liệu nào của các đơn vị.")
        return
    units = fixes["unit_id"].nunique()
    fmt.body(doc, f"Đoàn kiểm tra đã điều chỉnh {len(fixes)} số liệu của {units} đơn vị; "
                  "điểm các nội dung liên quan trước và sau điều chỉnh như sau:")
    rows = []
    for r in fixes.sort_values(["unit_id", "code"]).itertuples(index=False):
        reason = r.reason or ""
        explanation = getattr(r, "explanation", "") or ""
        if isinstance(explanation, str) and explanation:
            reason += f" (Đơn vị giải trình: {explanation})"
        rows.append([r.name or r.unit_id, r.code, str(r.reported), str(r.verified),
                     f"{vn_number(r.points_before)} → {vn_number(r.points_after)}", reason])
    fmt.data_table(doc, ["Đơn vị", "Mục", "Đơn vị báo cáo", "Kiểm tra", "Điểm", "Lý do"],
                   rows, [38, 13, 26, 24, 22, 42], "lcccc")


def _weakest(doc, view: RoundView) -> None:
    crit = analysis.criterion_averages(view.scores(), view.rubric, by_group=False)
    crit = crit.sort_values("percent", kind="stable").head(2)
    names = {c.code: c.name for c in view.rubric.criteria}
    listed = [f"{c}. {names.get(c, c)} (bình quân {labels.vn_percent(p)})"
              for c, p in zip(crit["criterion"], crit["percent"])]
    fmt.body(doc, "Các tiêu chí có tỷ lệ điểm đạt bình quân thấp nhất toàn Sở: "
                  f"{labels.join_vi(listed)}.")
    weak = analysis.weakest_indicators(view.res.points, view.rubric, n=5, year=view.year)
    fmt.body(doc, "Năm nội dung bị mất nhiều điểm nhất:")
    rows = [[r.indicator, r.label, f"{r.units_losing}/{r.units}",
             labels.vn_percent(r.lost_percent, 1)] for r in weak.itertuples(index=False)]
    fmt.data_table(doc, ["Mã", "Nội dung", "Số đơn vị mất điểm", "Tỷ lệ điểm mất"], rows,
                   [15, 95, 27, 28], "clcc")


def _remedy(doc, view: RoundView) -> None:
    due = vn_date(remedy_deadline(view.config, view.year))
    remedy = analysis.units_to_remedy(view.scores(), view.res.points, view.rubric, view.year)
    if remedy.empty:
        fmt.body(doc, "Không có đơn vị nào phải chỉ đạo khắc phục.")
        return
    tiers = labels.join_vi(list(view.rubric.remedy_tiers)).replace(" và ", ", ")
    floor = labels.vn_percent(float(view.rubric.criterion_floor))
    fmt.body(doc, f"Có {len(remedy)} đơn vị xếp loại {tiers} hoặc có tiêu chí đạt dưới "
                  f"{floor} cần chỉ đạo khắc phục; đề xuất "
                  f"các đơn vị khắc phục và báo cáo kết quả về Sở (qua Trung tâm Công nghệ "
                  f"thông tin) trước {due}:")
    rows = [[str(i), r.name, vn_number(r.score, 2, trim=False), r.reasons, r.remedies]
            for i, r in enumerate(remedy.itertuples(index=False), start=1)]
    fmt.data_table(doc, ["TT", "Đơn vị", "Điểm", "Lý do", "Đề xuất khắc phục"], rows,
                   [9, 36, 15, 45, 60], "clcll")


def _models(doc, view: RoundView) -> pd.DataFrame:
    chosen = models(view)
    rule = _rule_text(view.config)
    if chosen.empty:
        fmt.body(doc, f"Năm {view.year} không có đơn vị nào {rule}.")
        return chosen
    fmt.body(doc, f"Đề xuất {len(chosen)} đơn vị {rule} là điển hình tiên tiến, đề nghị "
                  "xem xét biểu dương, khen thưởng:")
    rows = [[str(i), r.name, vn_number(r.score, 2, trim=False), r.tier,
             str(int(r.shortcomings))]
            for i, r in enumerate(chosen.itertuples(index=False), start=1)]
    fmt.data_table(doc, ["TT", "Đơn vị", "Điểm", "Xếp loại", "Số tồn tại"], rows,
                   [9, 86, 22, 26, 22], "clccc")
    return chosen


def _register_lines(view: RoundView) -> list[str]:
    reg = view.res.of_year("register", view.year)
    units = reg[reg["status"].isin([SENT, LATE, MISSING])]
    lines = [f"Đối tượng: {len(units)} phòng, đơn vị thuộc Sở và Phòng Tài nguyên và Môi "
             f"trường cấp huyện; {len(view.scores())} đơn vị có báo cáo được chấm điểm."]
    late = units[units["status"] == LATE]["name"].tolist()
    missing = units[units["status"] == MISSING]["name"].tolist()
    if late:
        lines.append(f"Đơn vị nộp báo cáo muộn: {labels.join_vi(late)}.")
    lines.append(f"Đơn vị không gửi báo cáo: {labels.join_vi(missing)}." if missing
                 else "Tất cả các đơn vị đã gửi báo cáo.")
    return lines


def build_report(view: RoundView):
    """Báo cáo kết quả kiểm tra, đánh giá ứng dụng CNTT năm Y (IT Centre → leaders)."""
    year, config = view.year, view.config
    centre = config["bodies"]["centre"].get("full", "Trung tâm Công nghệ thông tin")
    doc = fmt.new_document(f"Báo cáo kết quả kiểm tra, đánh giá ứng dụng CNTT năm {year}",
                           centre, view.draft)
    fmt.heading(doc, _heading(config, "report"))
    fmt.title(doc, "Báo cáo", "Kết quả kiểm tra, đánh giá ứng dụng công nghệ thông tin\n"
                              f"năm {year}")
    fmt.body(doc, f"Thực hiện Kế hoạch kiểm tra, đánh giá kết quả ứng dụng công nghệ thông tin "
                  f"năm {year} của Sở Tài nguyên và Môi trường, {centre} báo cáo kết quả như "
                  "sau:")
    if view.res.synthetic(year):
        fmt.body(doc, labels.SYNTHETIC_NOTE, italic=True)
    fmt.body(doc, "I. MỤC ĐÍCH, PHẠM VI", bold=True)
    fmt.body(doc, "Đánh giá thực chất kết quả ứng dụng công nghệ thông tin của từng đơn vị; "
                  "chỉ ra tồn tại, hạn chế để chỉ đạo khắc phục; làm căn cứ biểu dương, khen "
                  "thưởng và xây dựng kế hoạch năm sau.")
    fmt.body(doc, f"Phạm vi: kết quả năm {year}, chấm theo {len(view.rubric.criteria)} tiêu chí "
                  f"(thang điểm 100); hạn gửi báo cáo {vn_date(view.res.rounds[year].deadline)}.")
    for line in _register_lines(view):
        fmt.body(doc, line)
    fmt.body(doc, "II. KẾT QUẢ", bold=True)
    fmt.body(doc, "1. Kết quả chấm điểm, xếp loại, xếp hạng theo khối", bold=True)
    for sentence in sentences.summary_sentences(view.res.scores, view.res.register, view.rubric,
                                             year):
        if not sentence.startswith(("Về tình hình nộp", "Các tiêu chí", "Tiêu chí")):
            # the register is in section I, the weakest criteria in II.3
            fmt.body(doc, sentence)
    _ranking_tables(doc, view)
    fmt.body(doc, "2. Kết quả kiểm tra, thẩm định số liệu", bold=True)
    _corrections(doc, view)
    fmt.body(doc, "3. Những tiêu chí, nội dung còn yếu", bold=True)
    _weakest(doc, view)
    fmt.body(doc, "4. Kết quả khắc phục tồn tại, hạn chế năm trước", bold=True)
    for sentence in sentences.follow_up_sentences(view.res.follow_up(year), view.names()):
        fmt.body(doc, sentence)
    fmt.body(doc, "III. ĐƠN VỊ CẦN KHẮC PHỤC TỒN TẠI, HẠN CHẾ", bold=True)
    _remedy(doc, view)
    fmt.body(doc, "IV. ĐƠN VỊ ĐỀ XUẤT ĐIỂN HÌNH TIÊN TIẾN", bold=True)
    chosen = _models(doc, view)
    fmt.body(doc, "V. ĐỀ XUẤT, KIẾN NGHỊ", bold=True)
    proposals = [
        "Lãnh đạo Sở ban hành thông báo kết quả kiểm tra, đánh giá đến từng đơn vị (dự thảo "
        "thông báo kèm theo).",
        "Chỉ đạo các đơn vị tại mục III khắc phục tồn tại, hạn chế và báo cáo kết quả "
        f"trước {vn_date(remedy_deadline(config, year))}.",
        "Ưu tiên bố trí kinh phí, đào tạo cho các nội dung còn yếu tại mục II.3.",
    ]
    if len(chosen):
        proposals.insert(2, "Biểu dương, khen thưởng các đơn vị điển hình tiên tiến tại mục IV.")
    for i, text in enumerate(proposals, start=1):
        fmt.body(doc, f"{i}. {text}")
    fmt.body(doc, f"Trên đây là báo cáo kết quả kiểm tra, đánh giá ứng dụng công nghệ thông tin "
                  f"năm {year}, {centre} kính báo cáo Lãnh đạo Sở xem xét, chỉ đạo./.")
    _close(doc, config, "report")
    _appendix(doc, view)
    return doc


def _appendix(doc, view: RoundView) -> None:
    fmt.page_break(doc)
    fmt.line_paragraph(doc, "Phụ lục", fmt.SIZES["type"], bold=True)
    fmt.line_paragraph(doc, "KẾT QUẢ CHẤM ĐIỂM THEO TIÊU CHÍ CỦA CÁC ĐƠN VỊ",
                       fmt.SIZES["type"], bold=True)
    spec = view.config["documents"]["report"]
    fmt.line_paragraph(doc, f"(Kèm theo Báo cáo số       /{spec['symbol']} "
                            f"{place_date(view.config, 'report').split(', ', 1)[1]} của "
                            f"{view.config['bodies']['centre'].get('full', '')})",
                       fmt.SIZES["body"], italic=True, after=6)
    crits = [c.code for c in view.rubric.criteria]
    scores = view.scores()
    for group in analysis.group_order(scores["group"]):
        part = scores[scores["group"] == group].sort_values(["rank", "unit_id"])
        fmt.body(doc, f"{GROUP_LABELS.get(group, group)} (tỷ lệ điểm đạt từng tiêu chí, %)",
                 bold=True)
        rows = [[str(int(r["rank"])), r["name"],
                 *(vn_number(r[c], 1, trim=False) if pd.notna(r[c]) else "—" for c in crits),
                 vn_number(r["score"], 2, trim=False), r["tier"]]
                for _, r in part.iterrows()]
        width = 60 / len(crits)
        fmt.data_table(doc, ["Hạng", "Đơn vị", *crits, "Điểm", "Xếp loại"], rows,
                       [14, 53, *[width] * len(crits), 16, 22], "cl" + "c" * (len(crits) + 2))


# ----------------------------------------------------------------------------- notice


def build_notice(view: RoundView, unit_id: str):
    """Thông báo kết quả kiểm tra, đánh giá, to one unit."""
    year, config = view.year, view.config
    scores = view.scores()
    row = scores[scores["unit_id"] == unit_id].iloc[0]
    name = str(row["name"])
    doc = fmt.new_document(f"Thông báo kết quả kiểm tra, đánh giá ứng dụng CNTT năm {year}: "
                           f"{unit_id}", config["bodies"]["department"]["name"], view.draft)
    fmt.heading(doc, _heading(config, "notice"))
    fmt.title(doc, "Thông báo", "Kết quả kiểm tra, đánh giá ứng dụng công nghệ thông tin\n"
                                f"năm {year}")
    fmt.body_parts(doc, [("Kính gửi: ", False), (name, True)])
    fmt.body(doc, "Căn cứ kết quả kiểm tra, đánh giá ứng dụng công nghệ thông tin năm "
                  f"{year}, Sở Tài nguyên và Môi trường thông báo kết quả của đơn vị như sau:")
    if view.res.synthetic(year):
        fmt.body(doc, labels.SYNTHETIC_NOTE, italic=True)
    _notice_result(doc, view, row)
    _notice_corrections(doc, view, unit_id)
    _notice_shortcomings(doc, view, unit_id)
    due = vn_date(remedy_deadline(config, year))
    fmt.body(doc, "4. Tổ chức thực hiện", bold=True)
    fmt.body(doc, f"Đề nghị {name} khắc phục các tồn tại, hạn chế nêu trên và báo cáo kết quả "
                  f"khắc phục về Sở (qua Trung tâm Công nghệ thông tin) trước {due}.")
    if view.draft:
        fmt.body(doc, "Đây là dự thảo kết quả; nếu có ý kiến giải trình về số liệu, đơn vị gửi "
                      "về Trung tâm Công nghệ thông tin để xem xét trước khi chốt kết quả "
                      "chính thức.", italic=True)
    fmt.body(doc, _contact(config))
    _close(doc, config, "notice", first=[name])
    return doc


def _notice_result(doc, view: RoundView, row: pd.Series) -> None:
    moves = movement(view).set_index("unit_id").loc[row["unit_id"]]
    group = view.scores()["group"].eq(row["group"]).sum()
    fmt.body(doc, "1. Kết quả chấm điểm, xếp loại", bold=True)
    text = (f"Tổng điểm: {vn_number(row['score'])}/100 điểm; xếp loại {row['tier']}; xếp hạng "
            f"{int(row['rank'])}/{group} đơn vị thuộc "
            f"{_lower_first(GROUP_LABELS.get(row['group'], row['group']))}.")
    if pd.notna(row.get("self_score")) and round(row["self_score"] - row["score"], 2) != 0:
        text += f" Điểm đơn vị tự đánh giá: {vn_number(row['self_score'])}."
    fmt.body(doc, text)
    if pd.isna(moves["prev_score"]):
        fmt.body(doc, "So với năm trước: đơn vị chưa có kết quả năm trước để so sánh.")
    else:
        change = float(moves["score_change"])
        said = ("không đổi" if change == 0 else
                f"{'tăng' if change > 0 else 'giảm'} {vn_number(abs(change))} điểm")
        prev = int(moves["prev_year"])
        fmt.body(doc, f"So với năm {prev}: điểm {said} (năm {prev}: "
                      f"{vn_number(moves['prev_score'])} điểm); thứ hạng {moves['movement']}.")
    rows = [[c.code, c.name, f"{vn_number(row[c.code], 2, trim=False)}%"
             if pd.notna(row[c.code]) else "—"] for c in view.rubric.criteria]
    fmt.data_table(doc, ["Mã", "Tiêu chí", "Tỷ lệ điểm đạt"], rows, [16, 119, 30], "clc")


def _notice_corrections(doc, view: RoundView, unit_id: str) -> None:
    fmt.body(doc, "2. Kết quả kiểm tra, thẩm định số liệu", bold=True)
    fixes = view.res.of_year("corrections", view.year)
    fixes = fixes[fixes["unit_id"] == unit_id].sort_values("code")
    if fixes.empty:
        fmt.body(doc, "Đoàn kiểm tra không điều chỉnh số liệu đơn vị báo cáo.")
        return
    fmt.body(doc, f"Đoàn kiểm tra đã điều chỉnh {len(fixes)} số liệu đơn vị báo cáo:")
    rows = []
    for r in fixes.itertuples(index=False):
        label = view.rubric.inputs[r.code].label if r.code in view.rubric.inputs else ""
        explanation = getattr(r, "explanation", "") or ""
        reason = r.reason + (f" (Đơn vị giải trình: {explanation})"
                             if isinstance(explanation, str) and explanation else "")
        rows.append([f"{r.code} {label}", str(r.reported), str(r.verified),
                     f"{vn_number(r.points_before)} → {vn_number(r.points_after)}", reason])
    fmt.data_table(doc, ["Mục", "Đơn vị báo cáo", "Kiểm tra", "Điểm", "Lý do"], rows,
                   [45, 25, 25, 22, 48], "lcccl")


def _notice_shortcomings(doc, view: RoundView, unit_id: str) -> None:
    fmt.body(doc, "3. Tồn tại, hạn chế và yêu cầu khắc phục", bold=True)
    found = view.res.of_year("shortcomings", view.year)
    found = found[found["unit_id"] == unit_id]
    if found.empty:
        fmt.body(doc, "Đơn vị không có tồn tại, hạn chế (nội dung bị mất từ một nửa số điểm "
                      "trở lên).")
        return
    fmt.body(doc, f"Đơn vị có {len(found)} nội dung bị mất từ một nửa số điểm trở lên:")
    rows = [[str(i), f"{r.indicator} {r.label}",
             f"{vn_number(r.points)}/{vn_number(r.max_points)}", r.remedy]
            for i, r in enumerate(found.itertuples(index=False), start=1)]
    fmt.data_table(doc, ["TT", "Nội dung", "Điểm đạt", "Yêu cầu khắc phục"], rows,
                   [9, 68, 20, 68], "clcl")


# ----------------------------------------------------------------------------- reminder


def build_reminder(view: RoundView, missing: pd.DataFrame):
    """Công văn đôn đốc: to the units that have not sent their report yet."""
    year, config = view.year, view.config
    doc = fmt.new_document(f"Đôn đốc gửi báo cáo ứng dụng CNTT năm {year}",
                           config["bodies"]["department"]["name"], view.draft)
    fmt.heading(doc, _heading(config, "reminder", "V/v đôn đốc gửi báo cáo kết quả ứng dụng "
                                                  f"công nghệ thông tin năm {year}"))
    fmt.line_paragraph(doc, "", fmt.SIZES["body"], before=12)
    names = missing["name"].tolist()
    if len(names) == 1:
        fmt.body_parts(doc, [("Kính gửi: ", False), (names[0], False)])
    else:
        fmt.body(doc, "Kính gửi:")
        for n, name in enumerate(names, start=1):
            p = fmt.body(doc, f"- {name}{'.' if n == len(names) else ';'}")
            p.paragraph_format.first_line_indent = Mm(40)
            p.paragraph_format.space_before = Pt(0)
    deadline = view.res.rounds[year].deadline
    fmt.body(doc, f"Thực hiện Kế hoạch kiểm tra, đánh giá kết quả ứng dụng công nghệ thông tin "
                  f"năm {year}, Sở Tài nguyên và Môi trường đã đề nghị các đơn vị gửi báo cáo "
                  f"theo biểu mẫu về Sở (qua Trung tâm Công nghệ thông tin) trước "
                  f"{vn_date(deadline)}. Đến nay, Sở chưa nhận được báo cáo của "
                  f"{'đơn vị' if len(names) == 1 else f'{len(names)} đơn vị nêu trên'}.")
    given = config.get("reminder_deadline")
    by = vn_date(given) if isinstance(given, dt.date) else "ngày ..... tháng ..... năm 20.."
    fmt.body(doc, "Để kịp tổng hợp, đánh giá và báo cáo Lãnh đạo Sở, Sở Tài nguyên và Môi "
                  "trường đề nghị Thủ trưởng các đơn vị khẩn trương hoàn thành và gửi báo "
                  f"cáo trước {by}. Đơn vị không gửi báo cáo sẽ không được chấm điểm, xếp hạng "
                  "và được nêu trong báo cáo kết quả đánh giá.")
    fmt.body(doc, _contact(config))
    _close(doc, config, "reminder", first=["Như trên"])
    return doc


# ----------------------------------------------------------------------------- writing


def unit_file_name(unit_id: str) -> str:
    return "".join(ch if ch.isalnum() or ch in "-_" else "-" for ch in unit_id) + ".docx"


def write_documents(year: int, raw: str | Path, processed: str | Path,
                    out_folder: str | Path) -> list[Path]:
    """Write the year's documents to `out_folder` (bao-cao-Y.docx, thong-bao/<unit>.docx,
    don-doc-Y.docx when some units have not reported); each atomically and byte-identical
    for identical inputs. The round must have been scored."""
    res = load_results(raw, processed, up_to=year)
    view = RoundView(year, res, load_particulars(raw, year),
                     publication.status(processed, year).draft)
    out = Path(out_folder)
    paths = [fmt.save(build_report(view), out / f"bao-cao-{year}.docx")]
    notices = [fmt.save(build_notice(view, unit_id), out / "thong-bao" / unit_file_name(unit_id))
               for unit_id in sorted(view.scores()["unit_id"])]
    for old in set((out / "thong-bao").glob("*.docx")) - set(notices):  # units no longer scored
        old.unlink()
    paths += notices
    register = res.of_year("register", year)
    missing = register[register["status"] == MISSING].sort_values("unit_id")
    reminder = out / f"don-doc-{year}.docx"
    if len(missing):
        paths.append(fmt.save(build_reminder(view, missing), reminder))
    else:
        reminder.unlink(missing_ok=True)
    return paths
