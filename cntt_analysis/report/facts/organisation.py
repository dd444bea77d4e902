"""Who runs the assessment, what it is called and whom it assesses, as every output names
them: ``organisation``, ``assessment`` and ``assessed_units`` in ``data/raw/department.yaml``
(with the prose name of the assessing body, ``bodies: centre: full``). A round's
``round.yaml`` may override them for one year (an organisation renamed in a
reorganisation). Nothing here knows any particular organisation: the defaults are neutral.

    organisation:        # the organisation that runs the assessment
      name: Sở Khoa học và Công nghệ              # in sentences ("… của Sở Khoa học và Công nghệ")
      full: Sở Khoa học và Công nghệ tỉnh Sơn Hà  # on the report's cover
      short: Sở                                   # "gửi báo cáo về Sở", "toàn Sở"
      leaders: Ủy ban nhân dân tỉnh               # whom the report goes to, who decides
    assessment:          # what the assessment is called
      name: chuyển đổi số                         # "kết quả đánh giá chuyển đổi số"
      short: CĐS                                  # charts, short titles, Excel
      title: Kết quả đánh giá, xếp hạng chỉ số chuyển đổi số   # the documents' summary line
      plan: Kế hoạch số 45/KH-SKHCN ngày 12/3/{năm} về đánh giá chuyển đổi số năm {năm}
    assessed_units:      # whom it assesses (the groups' own names are the rubric's)
      name: các sở, ban, ngành và UBND cấp xã     # the report's cover
      counted: cơ quan, đơn vị                    # after a number: "34 cơ quan, đơn vị"
      whole: toàn tỉnh                            # "thấp nhất toàn tỉnh", a chart's all-units row
"""

from __future__ import annotations

from dataclasses import asdict, dataclass
from typing import Any

from cntt_analysis.errors import UsageError

YEAR_MARK = "{năm}"  # replaced by the round's year in `title` and `plan`
KEYS: dict[str, dict[str, str]] = {  # section → key → what it is (for error messages)
    "organisation": {"name": "tên cơ quan dùng trong câu văn",
                     "full": "tên đầy đủ trên trang bìa báo cáo",
                     "short": "tên gọi tắt trong câu văn (ví dụ Sở)",
                     "leaders": "người/cơ quan nhận báo cáo và quyết định (ví dụ Lãnh đạo Sở)"},
    "assessment": {"name": "tên cuộc đánh giá (ví dụ chuyển đổi số)",
                   "short": "tên ngắn (biểu đồ, tiêu đề, Excel)",
                   "title": "trích yếu của báo cáo và thông báo",
                   "plan": "kế hoạch mà việc đánh giá thực hiện"},
    "assessed_units": {"name": "các đơn vị được đánh giá (trang bìa)",
                       "counted": "tên gọi đơn vị sau một con số",
                       "whole": "cụm từ chỉ tất cả các đơn vị (ví dụ toàn tỉnh)"},
}
DEFAULTS: dict[str, dict[str, str]] = {
    "organisation": {"name": "……", "short": "cơ quan"},
    "assessment": {"name": "ứng dụng công nghệ thông tin, chuyển đổi số",
                   "short": "ứng dụng CNTT, chuyển đổi số"},
    "assessed_units": {"name": "các cơ quan, đơn vị", "counted": "cơ quan, đơn vị",
                       "whole": "toàn bộ các đơn vị"},
}
EXAMPLE = {
    "organisation": "{name: Sở Khoa học và Công nghệ, short: Sở, leaders: Lãnh đạo Sở}",
    "assessment": "{name: chuyển đổi số, short: CĐS}",
    "assessed_units": "{name: các sở, ban, ngành và UBND cấp xã, counted: cơ quan, đơn vị}",
}


@dataclass(frozen=True)
class Organisation:
    """The names outputs use for the organisation, its assessing body, the assessment and
    the units it assesses (one round's: `title` and `plan` carry its year)."""

    name: str = "……"
    full_name: str = "……"
    short: str = "cơ quan"
    leaders: str = "Lãnh đạo cơ quan"
    assessor: str = "……"
    assessment: str = DEFAULTS["assessment"]["name"]
    assessment_short: str = DEFAULTS["assessment"]["short"]
    title: str = f"Kết quả kiểm tra, đánh giá {DEFAULTS['assessment']['name']}"
    plan: str = ""
    units: str = DEFAULTS["assessed_units"]["name"]
    units_counted: str = DEFAULTS["assessed_units"]["counted"]
    whole: str = DEFAULTS["assessed_units"]["whole"]

    @property
    def report_title(self) -> str:
        """"Báo cáo kết quả kiểm tra, đánh giá …" (the HTML report's cover)."""
        return f"Báo cáo {_lower_first(self.title)}"

    @property
    def whole_label(self) -> str:
        """"Toàn Sở": the row of all units in a chart."""
        return self.whole[:1].upper() + self.whole[1:]

    def to_dict(self) -> dict[str, str]:
        return asdict(self)

    @classmethod
    def from_dict(cls, data: dict[str, Any]) -> Organisation:
        known = set(cls.__dataclass_fields__)
        return cls(**{k: str(v) for k, v in data.items() if k in known})


def _lower_first(text: str) -> str:
    """"Kết quả …" → "kết quả …"; a leading abbreviation ("UBND …", "CĐS") keeps its case."""
    if len(text) > 1 and text[1].isupper():
        return text
    return text[:1].lower() + text[1:]


def _section(config: dict[str, Any], section: str, source: str) -> dict[str, str]:
    """One mapping of department.yaml (organisation, assessment, assessed_units), checked:
    known keys, non-empty texts."""
    given = config.get(section)
    if given is None:
        given = {}
    if not isinstance(given, dict):
        raise UsageError(f"{source}: mục '{section}' phải có dạng {EXAMPLE[section]}.")
    unknown = sorted(str(k) for k in given if k not in KEYS[section])
    if unknown:
        known = "; ".join(f"{k}: {what}" for k, what in KEYS[section].items())
        raise UsageError(f"{source}: mục '{section}' có khóa không dùng được: "
                         f"{', '.join(unknown)} (các khóa dùng được — {known}).")
    out = {}
    for key, value in given.items():
        if isinstance(value, bool) or not isinstance(value, (str, int, float)) \
                or not str(value).strip():
            raise UsageError(f"{source}: mục '{section}: {key}' ({KEYS[section][key]}) phải là "
                             f"một dòng chữ, không phải “{value}”.")
        out[key] = " ".join(str(value).split())
    return {**DEFAULTS.get(section, {}), **out}


def _with_year(text: str, year: int, where: str, source: str) -> str:
    rest = text.replace(YEAR_MARK, "")
    if "{" in rest or "}" in rest:
        raise UsageError(f"{source}: mục '{where}' chỉ được dùng {YEAR_MARK} (năm đánh giá) "
                         f"trong ngoặc nhọn: “{text}”.")
    return text.replace(YEAR_MARK, str(year))


def organisation_of(config: dict[str, Any], year: int) -> Organisation:
    """The names of `config` (``policy.load_particulars``) for the round of `year`,
    checked (a Vietnamese error naming department.yaml and the key)."""
    source = str(config.get("_source", "department.yaml"))
    org = _section(config, "organisation", source)
    what = _section(config, "assessment", source)
    units = _section(config, "assessed_units", source)
    bodies = config.get("bodies")
    centre = bodies.get("centre") if isinstance(bodies, dict) else None
    centre = centre if isinstance(centre, dict) else {}
    assessor = str(centre.get("full") or centre.get("name") or "……")
    title = what.get("title") or f"Kết quả kiểm tra, đánh giá {what['name']}"
    plan = what.get("plan") or f"Kế hoạch kiểm tra, đánh giá kết quả {what['name']} năm {year}"
    return Organisation(
        name=org["name"], full_name=org.get("full") or org["name"], short=org["short"],
        leaders=org.get("leaders") or f"Lãnh đạo {org['short']}", assessor=assessor,
        assessment=what["name"], assessment_short=what.get("short") or what["name"],
        title=_with_year(title, year, "assessment: title", source),
        plan=_with_year(plan, year, "assessment: plan", source),
        units=units["name"], units_counted=units["counted"], whole=units["whole"])
