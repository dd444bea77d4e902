"""The department's particulars and decision rules, from ``data/raw/department.yaml``.

The particulars (bodies, place, symbols, signers, recipients, contact) are printed on the
official documents; the rules decide what every output states the same way: which units
are proposed as models (``models``), when a round is partial (``partial_round_share``) and
when a submission is mostly blank (``mostly_blank_share``). A round's ``round.yaml`` may
override any of them (keys in `ROUND_KEYS`).
"""

from __future__ import annotations

import copy
import datetime as dt
from dataclasses import asdict, dataclass
from pathlib import Path
from typing import Any

from pydantic import BaseModel

from cntt_analysis import settings
from cntt_analysis.errors import UsageError
from cntt_analysis.report.facts.organisation import organisation_of
from cntt_analysis.yamlfile import read_mapping

DEPARTMENT_FILE = "department.yaml"
# Keys of round.yaml that override department.yaml for one round.
ROUND_KEYS = ("documents", "models", "remedy_deadline", "reminder_deadline", "contact",
              "partial_round_share", "mostly_blank_share", "organisation", "assessment",
              "assessed_units", "templates")
# Neutral: no organisation's names. The organisation's own are in its department.yaml.
DEFAULTS: dict[str, Any] = {
    "place": "……",
    "bodies": {
        "department": {"parent": "UBND TỈNH ……", "name": "……", "short": ""},
        "centre": {"parent": "……", "name": "……", "short": "", "full": "……"},
    },
    "contact": {"name": "……", "role": "", "phone": "……", "email": "……"},
    "remedy_deadline_next_year": "03-31",
    "models": {"tiers": ["Tốt"], "max_shortcomings": 0, "max_claims_without_evidence": 0},
    "partial_round_share": 0.5,
    "mostly_blank_share": 0.5,
    "documents": {
        kind: {"issuer": issuer, "symbol": symbol, "number": "", "date": None,
               "signer": {"authority": "GIÁM ĐỐC", "title": "", "name": "……"},
               "recipients": [], "archive": "VT"}
        for kind, issuer, symbol in (("report", "centre", "BC-……"),
                                     ("notice", "department", "TB-……"),
                                     ("reminder", "department", "……"))},
}


@dataclass(frozen=True)
class Policy:
    """The rules every output applies alike (from department.yaml, round overrides).

    - models: a unit is proposed as a model (điển hình tiên tiến) when its tier is in
      `model_tiers`, it has at most `max_shortcomings` shortcomings and at most
      `max_claims_without_evidence` claims without evidence, and it is neither directed to
      remedy shortcomings nor incomplete;
    - a round is partial when at most `partial_round_share` of the registered units reported;
    - a submission is mostly blank (incomplete) when more than `mostly_blank_share` of the
      required answers are missing.
    """

    model_tiers: tuple[str, ...] = ("Tốt",)
    max_shortcomings: int = 0
    max_claims_without_evidence: int = 0
    partial_round_share: float = 0.5
    mostly_blank_share: float = 0.5
    source: str = DEPARTMENT_FILE

    def to_dict(self) -> dict[str, Any]:
        out = asdict(self)
        out["model_tiers"] = list(self.model_tiers)
        return out

    @classmethod
    def from_dict(cls, data: dict[str, Any]) -> Policy:
        return cls(**{**data, "model_tiers": tuple(data["model_tiers"])})


def merge(base: dict[str, Any], extra: dict[str, Any] | None) -> dict[str, Any]:
    """`base` with `extra`'s keys over it (nested mappings merged, not replaced)."""
    out = copy.deepcopy(base)
    for key, value in (extra or {}).items():
        out[key] = (merge(out[key], value) if isinstance(value, dict)
                    and isinstance(out.get(key), dict) else value)
    return out


def _read_yaml(path: Path, model: type[BaseModel]) -> dict[str, Any]:
    """department.yaml or a round.yaml, read strictly and checked against its model."""
    data = read_mapping(path, f"tệp {path.name}", "place: Hòa An")
    settings.check(model, data, path)
    return data


def load_particulars(raw_dir: str | Path, year: int) -> dict[str, Any]:
    """department.yaml over the defaults, then the round's own overrides."""
    raw = Path(raw_dir)
    config = merge(DEFAULTS, {})
    if (raw / DEPARTMENT_FILE).exists():
        config = merge(config, _read_yaml(raw / DEPARTMENT_FILE, settings.DepartmentFile))
    round_file = raw / str(year) / "round.yaml"
    if round_file.exists():
        own = _read_yaml(round_file, settings.RoundFile)
        # An older round.yaml names the organisation in `department:`; it is the
        # organisation's full name only when department.yaml does not name it.
        legacy = own.get("department")
        if isinstance(legacy, str) and legacy.strip() and "organisation" not in config:
            config = merge(config, {"organisation": {"full": legacy}})
        config = merge(config, {k: own[k] for k in ROUND_KEYS if k in own})
    config["_source"] = str(raw / DEPARTMENT_FILE)
    check_particulars(config)
    organisation_of(config, year)  # checked here: every output reads it
    return config


DOCUMENT_KINDS = ("report", "notice", "reminder")
BODY_KEYS = ("parent", "name")


def _texts(value: Any, where: str, source: str, example: str) -> None:
    if isinstance(value, bool) or not isinstance(value, (str, int, float)):
        raise UsageError(f"{source}: mục '{where}' phải là một dòng chữ (ví dụ {example}), "
                         f"không phải “{value}”.")


def check_particulars(config: dict[str, Any]) -> None:
    """The particulars the documents print, checked: a Vietnamese error naming
    department.yaml (or round.yaml) and the key, never a traceback later."""
    source = str(config.get("_source", DEPARTMENT_FILE))
    _texts(config.get("place"), "place", source, "Hòa An")
    bodies = config.get("bodies")
    if not isinstance(bodies, dict) or not all(isinstance(b, dict) for b in bodies.values()):
        raise UsageError(f"{source}: mục 'bodies' phải có dạng {{department: {{parent: UBND "
                         "TỈNH …, name: SỞ …}, centre: {parent: SỞ …, name: …, full: …}}.")
    for body_id, body in bodies.items():
        for key in BODY_KEYS:
            _texts(body.get(key), f"bodies: {body_id}: {key}", source, "SỞ KHOA HỌC VÀ CÔNG NGHỆ")
    contact = config.get("contact")
    if not isinstance(contact, dict):
        raise UsageError(f"{source}: mục 'contact' phải có dạng {{name: …, role: …, phone: …, "
                         "email: …}.")
    for key in ("name", "phone", "email"):
        _texts(contact.get(key), f"contact: {key}", source, "0273 3872 345")
    documents = config.get("documents")
    if not isinstance(documents, dict):
        raise UsageError(f"{source}: mục 'documents' phải có các mục report, notice, reminder.")
    for kind in DOCUMENT_KINDS:
        spec = documents.get(kind)
        where = f"documents: {kind}"
        if not isinstance(spec, dict):
            raise UsageError(f"{source}: mục '{where}' phải có dạng {{issuer: department, "
                             "symbol: …, signer: {authority: …, title: …, name: …}, "
                             "recipients: […], archive: …}.")
        if spec.get("issuer") not in bodies:
            raise UsageError(f"{source}: mục '{where}: issuer' phải là một cơ quan trong mục "
                             f"'bodies' ({', '.join(map(str, bodies))}), không phải "
                             f"“{spec.get('issuer')}”.")
        for key in ("symbol", "archive"):
            _texts(spec.get(key), f"{where}: {key}", source, "BC-TTCNTT")
        signer = spec.get("signer")
        if not isinstance(signer, dict):
            raise UsageError(f"{source}: mục '{where}: signer' phải có dạng {{authority: KT. "
                             "GIÁM ĐỐC, title: PHÓ GIÁM ĐỐC, name: …}.")
        for key in ("authority", "name"):
            _texts(signer.get(key), f"{where}: signer: {key}", source, "GIÁM ĐỐC")
        recipients = spec.get("recipients", [])
        if not isinstance(recipients, list) or not all(
                isinstance(r, (str, int, float)) and not isinstance(r, bool)
                for r in recipients):
            raise UsageError(f"{source}: mục '{where}: recipients' phải là danh sách nơi nhận "
                             "(ví dụ [Giám đốc Sở (để báo cáo), Văn phòng Sở]).")
    templates = config.get("templates", {})
    if not isinstance(templates, dict) or any(k not in DOCUMENT_KINDS for k in templates):
        raise UsageError(f"{source}: mục 'templates' phải có dạng {{report: mau-van-ban/"
                         "bao-cao.docx, notice: …, reminder: …}.")
    for kind, path in templates.items():
        _texts(path, f"templates: {kind}", source, "mau-van-ban/bao-cao.docx")


def _share(config: dict[str, Any], key: str, source: str) -> float:
    value = config.get(key)
    if isinstance(value, bool) or not isinstance(value, (int, float)) or not 0 <= value <= 1:
        raise UsageError(f"{source}: mục '{key}' phải là một tỷ lệ từ 0 đến 1 (ví dụ 0.5), "
                         f"không phải “{value}”.")
    return float(value)


def _count(rule: dict[str, Any], key: str, source: str) -> int:
    value = rule.get(key)
    if isinstance(value, bool) or not isinstance(value, int) or value < 0:
        raise UsageError(f"{source}: mục 'models: {key}' phải là một số nguyên không âm, "
                         f"không phải “{value}”.")
    return value


def policy_of(config: dict[str, Any], tier_names: tuple[str, ...] = ()) -> Policy:
    """The rules of `config` (load_particulars), checked; with the rubric's `tier_names`, a
    model tier that is not one of them is an error naming the key."""
    source = str(config.get("_source", DEPARTMENT_FILE))
    rule = config.get("models")
    if not isinstance(rule, dict):
        raise UsageError(f"{source}: mục 'models' phải có dạng {{tiers: [Tốt], "
                         "max_shortcomings: 2, max_claims_without_evidence: 0}.")
    tiers = rule.get("tiers")
    if isinstance(tiers, str):
        tiers = [tiers]
    if not isinstance(tiers, list) or not all(isinstance(t, str) for t in tiers):
        raise UsageError(f"{source}: mục 'models: tiers' phải là danh sách tên xếp loại "
                         "(ví dụ [Tốt]).")
    unknown = [t for t in tiers if tier_names and t not in tier_names]
    if unknown:
        raise UsageError(f"{source}: mục 'models: tiers' ghi xếp loại {', '.join(unknown)} "
                         f"không có trong phiếu đánh giá ({', '.join(tier_names)}).")
    return Policy(model_tiers=tuple(tiers),
                  max_shortcomings=_count(rule, "max_shortcomings", source),
                  max_claims_without_evidence=_count(
                      {"max_claims_without_evidence": 0, **rule},
                      "max_claims_without_evidence", source),
                  partial_round_share=_share(config, "partial_round_share", source),
                  mostly_blank_share=_share(config, "mostly_blank_share", source),
                  source=source)


def remedy_deadline(config: dict[str, Any], year: int) -> dt.date:
    """The date units must remedy their shortcomings and report back by."""
    if isinstance(config.get("remedy_deadline"), dt.date):
        return config["remedy_deadline"]
    text = str(config.get("remedy_deadline_next_year", "03-31"))
    try:
        month, day = (int(x) for x in text.split("-"))
        return dt.date(year + 1, month, day)
    except ValueError:
        raise UsageError(f"{config.get('_source', DEPARTMENT_FILE)}: mục "
                         f"'remedy_deadline_next_year' phải có dạng tháng-ngày (ví dụ "
                         f"\"03-31\"), không phải “{text}”.") from None
