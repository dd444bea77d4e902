"""Next year's rubric as a copy of last year's (used by `cntt new-round`).

The copy keeps the file as the IT Centre wrote it (comments, layout) and changes only what
must change: ``id`` and the year in ``title``, ``previous`` pointing to last year's rubric,
and last year's own crosswalk (``dropped``, per-indicator ``previous``) cleared, since every
indicator of the copy has the same code as last year. If the text edits would not give
exactly that YAML, the copy is written from the parsed data instead (comments lost).
"""

from __future__ import annotations

import copy
import re
from typing import Any

import yaml

from cntt_analysis.errors import UsageError
from cntt_analysis.yamlfile import parse

COPIED_FROM = "Sao chép từ phiếu năm {last_year} bằng lệnh `cntt new-round`."
_TOP_KEY = re.compile(r"^([A-Za-z_]+)\s*:")
_INLINE_PREVIOUS = re.compile(r",\s*previous:\s*(?:\"[^\"]*\"|'[^']*'|[^,}]*)")


def next_year_data(data: dict[str, Any], year: int, last_year: int,
                   previous: str) -> dict[str, Any]:
    """The parsed YAML of the copy."""
    out = copy.deepcopy(data)
    out["id"] = str(year)
    if "title" in out:
        out["title"] = _new_year(str(out["title"]), year, last_year)
    out["previous"] = previous
    out.pop("dropped", None)
    for crit in out.get("criteria", ()):
        for ind in crit.get("indicators", ()):
            ind.pop("previous", None)
    return out


def next_year_text(text: str, year: int, last_year: int, previous: str) -> str:
    """The copy as text; `text` is last year's rubric file."""
    data = parse(text, f"phiếu đánh giá năm {last_year}")
    want = next_year_data(data, year, last_year, previous)
    edited = _edit(text, want, year, last_year)
    try:
        same = parse(edited, "") == want
    except UsageError:
        same = False
    if same:
        return edited
    header = (f"# Phiếu đánh giá năm {year}. {COPIED_FROM.format(last_year=last_year)}\n"
              '# Cách sửa phiếu: README.md, mục "The rubric file".\n')
    return header + yaml.safe_dump(want, allow_unicode=True, sort_keys=False, width=100)


def _new_year(text: str, year: int, last_year: int) -> str:
    return re.sub(rf"(?<!\d){last_year}(?!\d)", str(year), text)


def _edit(text: str, want: dict[str, Any], year: int, last_year: int) -> str:
    lines = text.splitlines()
    out: list[str] = []
    in_header, skipping, previous_done = True, False, False
    for line in lines:
        key = _TOP_KEY.match(line)
        if skipping and (key or (line and not line[0].isspace() and not line.startswith("#"))):
            skipping = False
        if skipping:
            continue
        if in_header and line.startswith("#"):
            out.append(line.replace(f"năm {last_year}", f"năm {year}"))
            continue
        if in_header:  # the clerk reads where the file came from before its first key
            out.append(f"# {COPIED_FROM.format(last_year=last_year)}")
            in_header = False
        if key and key.group(1) == "id":
            out.append(f'id: "{year}"')
            if "previous" not in _top_keys(text):
                out.append(f'previous: "{want["previous"]}"')
                previous_done = True
        elif key and key.group(1) == "title":
            out.append(f"title: {_scalar(want['title'])}")
        elif key and key.group(1) == "previous" and not previous_done:
            _drop_comment_block(out)
            out.append(f'previous: "{want["previous"]}"  # phiếu năm trước')
        elif key and key.group(1) == "dropped":
            skipping = line.split(":", 1)[1].split("#")[0].strip() == ""  # block list follows
        elif re.match(r"^\s+previous\s*:", line):
            continue
        else:
            out.append(_INLINE_PREVIOUS.sub("", line) if "previous:" in line else line)
    return "\n".join(out) + "\n"


def _top_keys(text: str) -> set[str]:
    return {m.group(1) for line in text.splitlines() if (m := _TOP_KEY.match(line))}


def _drop_comment_block(out: list[str]) -> None:
    """Last year's comment about its own crosswalk no longer describes the copy: drop the
    comment lines above `previous` from the first one that speaks of the link."""
    start = len(out)
    while start > 0 and out[start - 1].startswith("#"):
        start -= 1
    for n in range(start, len(out)):
        if re.search(r"previous|dropped|crosswalk", out[n], re.IGNORECASE):
            del out[n:]
            return


def _scalar(value: str) -> str:
    dumped = yaml.safe_dump(value, allow_unicode=True, width=1000).strip()
    return dumped.removesuffix("\n...").strip()
