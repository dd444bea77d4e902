"""Text normalisation shared by intake, unit matching and choice labels."""

from __future__ import annotations

import html
import re
import unicodedata

# Non-breaking and other exotic spaces users paste from Word or the web.
_SPACES = re.compile(r"[\s\u00a0\u2007\u202f\u200b\ufeff]+")
# What XML 1.0 (xlsx, docx, HTML written as XML) cannot hold or Unicode reserves: C0
# controls but tab, line feed and carriage return; DEL; lone surrogates (a Python string
# holds no pairs); the noncharacters U+FDD0–U+FDEF and the last two code points of every
# plane (U+FFFE, U+FFFF, U+1FFFE, …).
_ILLEGAL_XML = re.compile(
    "[\x00-\x08\x0b\x0c\x0e-\x1f\x7f\ud800-\udfff\ufdd0-\ufdef"
    + "".join(f"{chr(plane << 16 | 0xFFFE)}{chr(plane << 16 | 0xFFFF)}" for plane in range(17))
    + "]")


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
    """THE sanitiser for every text that reaches XML (Word, Excel, HTML): drops the
    characters XML cannot hold or Unicode reserves (see `_ILLEGAL_XML`), which would
    otherwise stop lxml with a traceback."""
    # A printable text (letters, marks, digits, punctuation, symbols, the plain space:
    # nearly every text) holds none of them; `str.isprintable` tells it without a regex.
    return value if value.isprintable() else _ILLEGAL_XML.sub("", value)


def escape(value: str, quote: bool = True) -> str:
    """Text for an HTML page: sanitised (`printable`), then escaped (`html.escape`)."""
    return html.escape(printable(value), quote=quote)


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
