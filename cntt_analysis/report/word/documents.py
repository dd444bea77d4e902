"""The official documents of a round (văn bản), in Word: the assessing body's report to the
leaders, one notice of results per unit, and the reminder to units that have not sent
their report. Each is a Word template (`templates`: the department's own in
``data/raw/mau-van-ban/``, else the default in the package, Decree 30/2020 layout) filled
with the fields of `context`.

Every figure and name they state comes from the year's facts (`report.facts`), the same the
HTML report shows; the sentences shared with it come from `report.sentences`; the
organisation, the assessment's name and the department's particulars (bodies, place,
symbols, signers, recipients, contact, remedy deadline, the rule for models) from
``data/raw/department.yaml``, a round's ``round.yaml`` overriding any of them. Until the
round is finalised every page says "DỰ THẢO", and while the round is partial every
document says so.
"""

from __future__ import annotations

import json
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

from docx.document import Document as DocumentObject

from cntt_analysis.analysis.results import Results, load_results
from cntt_analysis.report.facts import YearFacts, load_particulars, year_facts
from cntt_analysis.report.inputs import package_digest, sha
from cntt_analysis.report.word import context as fields
from cntt_analysis.report.word import docx_format as fmt
from cntt_analysis.report.word.template_files import templates_digest
from cntt_analysis.report.word.templates import default_template, render, template_path
from cntt_analysis.rubric.model import Rubric
from cntt_analysis.scoring import publication
from cntt_analysis.storage import link_or_copy

FOLDER = "van-ban"


@dataclass(frozen=True)
class Filling:
    """What one document is made from: its template kind, its fields, its properties."""

    kind: str
    context: dict[str, Any]
    title: str
    author: str


def _filled(raw: str | Path | None, config: dict[str, Any], filling: Filling) -> DocumentObject:
    doc = render(template_path(raw, config, filling.kind), filling.context, filling.kind)
    fmt.set_properties(doc, filling.title, filling.author)
    return doc


def report_filling(facts: YearFacts, config: dict, rubric: Rubric) -> Filling:
    org = facts.organisation
    return Filling(fields.REPORT, fields.report_context(facts, config, rubric),
                   f"Báo cáo kết quả đánh giá {org.assessment_short} năm {facts.year}",
                   org.assessor)


def notice_filling(facts: YearFacts, config: dict, rubric: Rubric, unit_id: str) -> Filling:
    org = facts.organisation
    return Filling(fields.NOTICE, fields.notice_context(facts, config, rubric, unit_id),
                   f"Thông báo kết quả đánh giá {org.assessment_short} năm {facts.year}: "
                   f"{unit_id}", org.name)


def reminder_filling(facts: YearFacts, config: dict) -> Filling:
    org = facts.organisation
    return Filling(fields.REMINDER, fields.reminder_context(facts, config),
                   f"Đôn đốc gửi báo cáo {org.assessment_short} năm {facts.year}", org.name)


def build_report(facts: YearFacts, config: dict, rubric: Rubric, raw: str | Path | None = None):
    """Báo cáo kết quả kiểm tra, đánh giá năm Y (assessing body → leaders)."""
    return _filled(raw, config, report_filling(facts, config, rubric))


def build_notice(facts: YearFacts, config: dict, rubric: Rubric, unit_id: str,
                 raw: str | Path | None = None):
    """Thông báo kết quả kiểm tra, đánh giá, to one unit."""
    return _filled(raw, config, notice_filling(facts, config, rubric, unit_id))


def build_reminder(facts: YearFacts, config: dict, raw: str | Path | None = None):
    """Công văn đôn đốc: to the units that have not sent their report yet."""
    return _filled(raw, config, reminder_filling(facts, config))


@dataclass
class Earlier:
    """The documents of the build being replaced and their keys (by path relative to the
    documents folder): a document whose key is unchanged is linked from there instead of
    filled again; `keys` then holds the keys of what was written or linked."""

    folder: Path | None
    previous: dict[str, str]
    keys: dict[str, str] = field(default_factory=dict)

    def reuse(self, name: str, key: str, path: Path) -> bool:
        self.keys[name] = key
        source = None if self.folder is None else self.folder / name
        if self.previous.get(name) != key or source is None or not source.is_file():
            return False
        link_or_copy(source, path)
        return True


def _filling_key(static: str, filling: Filling) -> str:
    """A document's key: what it is filled from (its fields as they are, so a unit's notice
    is filled again exactly when something it states changed) and how (`static`)."""
    return sha(static, filling.kind, filling.title, filling.author,
               json.dumps(filling.context, sort_keys=True, ensure_ascii=False, default=str))


# ----------------------------------------------------------------------------- writing


def own_templates(raw: str | Path, year: int) -> list[Path]:
    """The department's own templates the year's documents are filled from (not the
    defaults)."""
    config = load_particulars(raw, year)
    paths = (template_path(raw, config, kind) for kind in fields.FIELDS)
    return [p for p in paths if p not in {default_template(k) for k in fields.FIELDS}]


def unit_file_name(unit_id: str) -> str:
    return "".join(ch if ch.isalnum() or ch in "-_" else "-" for ch in unit_id) + ".docx"


def write_documents(year: int, raw: str | Path, processed: str | Path,
                    out_folder: str | Path, facts: YearFacts | None = None,
                    earlier: Earlier | None = None, results: Results | None = None
                    ) -> list[Path]:
    """Write the year's documents to `out_folder` (bao-cao-Y.docx, thong-bao/<unit>.docx,
    don-doc-Y.docx when some units have not reported); each atomically and byte-identical
    for identical inputs. The round must have been scored; `facts` are computed from the
    processed results when not given. With `earlier`, a document whose fields, template
    and code are those of the earlier build is linked from it (`Earlier`): after one
    unit's workbook changed, only the notices that state something new are filled.
    `results` are the processed results up to the year when already loaded."""
    res = results if results is not None else load_results(raw, processed, up_to=year)
    config = load_particulars(raw, year)
    if facts is None:
        facts = year_facts(res, year, config, publication.status(processed, year))
    rubric = res.rubric(year)
    out = Path(out_folder)
    static = sha(package_digest(), templates_digest(raw, config),
                 json.dumps(config, sort_keys=True, ensure_ascii=False, default=str))

    def write(name: str, filling: Filling) -> Path:
        path = out / name
        if earlier is not None and earlier.reuse(name, _filling_key(static, filling), path):
            return path
        return fmt.save(_filled(raw, config, filling), path)

    paths = [write(f"bao-cao-{year}.docx", report_filling(facts, config, rubric))]
    notices = [write(f"thong-bao/{unit_file_name(unit_id)}",
                     notice_filling(facts, config, rubric, unit_id))
               for unit_id in sorted(facts.scores["unit_id"])]
    for old in set((out / "thong-bao").glob("*.docx")) - set(notices):  # units no longer scored
        old.unlink()
    paths += notices
    reminder = out / f"don-doc-{year}.docx"
    if len(facts.not_reported):
        paths.append(write(reminder.name, reminder_filling(facts, config)))
    else:
        reminder.unlink(missing_ok=True)
    return paths
