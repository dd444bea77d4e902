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

import yaml

from cntt_analysis.errors import UsageError

DEPARTMENT_FILE = "department.yaml"
# Keys of round.yaml that override department.yaml for one round.
ROUND_KEYS = ("documents", "models", "remedy_deadline", "reminder_deadline", "contact",
              "partial_round_share", "mostly_blank_share")
DEFAULTS: dict[str, Any] = {
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
    "models": {"tiers": ["Tốt"], "max_shortcomings": 0, "max_claims_without_evidence": 0},
    "partial_round_share": 0.5,
    "mostly_blank_share": 0.5,
    "documents": {
        kind: {"issuer": issuer, "symbol": symbol, "number": "", "date": None,
               "signer": {"authority": "GIÁM ĐỐC", "title": "", "name": "……"},
               "recipients": [], "archive": "VT, TTCNTT"}
        for kind, issuer, symbol in (("report", "centre", "BC-TTCNTT"),
                                     ("notice", "department", "TB-STNMT"),
                                     ("reminder", "department", "STNMT-TTCNTT"))},
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


def _read_yaml(path: Path) -> dict[str, Any]:
    try:
        data = yaml.safe_load(path.read_text(encoding="utf-8")) or {}
    except yaml.YAMLError as exc:
        raise UsageError(f"{path}: tệp YAML không đọc được: {exc}") from None
    if not isinstance(data, dict):
        raise UsageError(f"{path}: cần các cặp khóa: giá trị (xem data/raw/{DEPARTMENT_FILE}).")
    return data


def load_particulars(raw_dir: str | Path, year: int) -> dict[str, Any]:
    """department.yaml over the defaults, then the round's own overrides."""
    raw = Path(raw_dir)
    config = DEFAULTS
    if (raw / DEPARTMENT_FILE).is_file():
        config = merge(config, _read_yaml(raw / DEPARTMENT_FILE))
    round_file = raw / str(year) / "round.yaml"
    if round_file.is_file():
        own = _read_yaml(round_file)
        config = merge(config, {k: own[k] for k in ROUND_KEYS if k in own})
    config["_source"] = str(raw / DEPARTMENT_FILE)
    return config


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
