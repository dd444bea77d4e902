"""Which Word template each document is filled from, and a digest of them: read by
`cntt report` to tell whether the documents must be written again, so kept free of
python-docx, docxtpl and pandas (see `templates` for the order of precedence)."""

from __future__ import annotations

import hashlib
from collections.abc import Mapping
from pathlib import Path
from typing import Any

from cntt_analysis.errors import UsageError

HERE = Path(__file__).resolve().parent / "mau"  # the shipped defaults
FILES = {"report": "bao-cao.docx", "notice": "thong-bao.docx", "reminder": "don-doc.docx"}
FOLDER = "mau-van-ban"  # under data/raw


def default_template(kind: str) -> Path:
    return HERE / FILES[kind]


def template_path(raw_dir: str | Path | None, config: Mapping[str, Any], kind: str) -> Path:
    """The template `kind` ("report", "notice", "reminder") is filled from (see the module
    docstring; without `raw_dir`, the default); a path in department.yaml that is missing
    or outside data/raw is an error naming the key."""
    if raw_dir is None:
        return default_template(kind)
    raw = Path(raw_dir)
    given = (config.get("templates") or {}).get(kind)
    if given:
        source = config.get("_source", "department.yaml")
        path = (raw / str(given)).resolve()
        if raw.resolve() not in path.parents:
            raise UsageError(f"{source}: mục 'templates: {kind}' phải là đường dẫn trong thư "
                             f"mục {raw} (ví dụ {FOLDER}/{FILES[kind]}), không phải “{given}”.")
        if not path.is_file():
            raise UsageError(f"{source}: mục 'templates: {kind}' ghi mẫu văn bản “{given}” "
                             f"nhưng không có tệp {path}.")
        return path
    own = raw / FOLDER / FILES[kind]
    return own if own.is_file() else default_template(kind)


def templates_digest(raw_dir: str | Path, config: Mapping[str, Any]) -> str:
    """What the documents' templates are (their bytes): part of what a build of the
    documents depends on."""
    digest = hashlib.sha256()
    for kind in FILES:
        digest.update(template_path(raw_dir, config, kind).read_bytes())
    return digest.hexdigest()
