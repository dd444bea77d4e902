"""Text normalisation shared by intake, unit matching and choice labels."""

from __future__ import annotations

import re
import unicodedata

# Non-breaking and other exotic spaces users paste from Word or the web.
_SPACES = re.compile(r"[\s\u00a0\u2007\u202f\u200b\ufeff]+")
_ILLEGAL_XML = re.compile(r"[\x00-\x08\x0b\x0c\x0e-\x1f\x7f]")


def clean(value: str) -> str:
    """NFC, inner runs of whitespace folded to one space, ends stripped."""
    return _SPACES.sub(" ", unicodedata.normalize("NFC", value)).strip()


def strip_diacritics(value: str) -> str:
    decomposed = unicodedata.normalize("NFD", value.replace("đ", "d").replace("Đ", "D"))
    return "".join(ch for ch in decomposed if not unicodedata.combining(ch))


def fold(value: str) -> str:
    """Case-, whitespace- and diacritic-insensitive key for comparing labels."""
    return strip_diacritics(clean(value)).casefold().replace(" ", "")


def printable(value: str) -> str:
    """Drop control characters that XML (xlsx, HTML) cannot hold."""
    return _ILLEGAL_XML.sub("", value)


def readable_name(name: str) -> str:
    """A file name as shown and stored: bytes that were not UTF-8 (kept by the OS as
    surrogates) become U+FFFD, so every writer (Parquet, Excel, HTML) can hold it."""
    try:
        raw = name.encode("utf-8", "surrogateescape")
    except UnicodeEncodeError:  # a surrogate that is not an escaped byte
        raw = name.encode("utf-8", "surrogatepass")
    return raw.decode("utf-8", "replace")


def shorten(text: str, limit: int = 200) -> str:
    """`text` cut to at most `limit` characters with "…" (for messages quoting values)."""
    return text if len(text) <= limit else text[:max(limit - 1, 0)].rstrip() + "…"
