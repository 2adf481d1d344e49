"""Strings from the web, made safe once at the boundary, before they are stored, logged or printed.

A feed title can carry ANSI escape sequences (which rewrite an analyst's terminal), a newline
(which forges a log line), a NUL byte (which PostgreSQL refuses, failing a whole batch), bidi
overrides, or 100 KB of padding. Every scraped string goes through one of these functions.
"""
from __future__ import annotations

import re
import unicodedata
from urllib.parse import quote

TITLE_MAX = 1000  # characters; longer is padding, not a headline
AUTHOR_MAX = 300
SITE_MAX = 300  # Article.site is String(300)
URL_MAX = 2048  # Article.url is String(2048); PostgreSQL refuses longer
TEXT_MAX = 2_000_000

_ANSI = re.compile(r"\x1b\[[0-?]*[ -/]*[@-~]"  # CSI: colours, cursor moves, screen clears
                   r"|\x1b\][^\x07\x1b]*(?:\x07|\x1b\\)?"  # OSC: window titles, hyperlinks
                   r"|\x1b[@-_]")  # any other two-byte escape
_BIDI = dict.fromkeys(map(ord, "\u202a\u202b\u202c\u202d\u202e\u2066\u2067\u2068\u2069"))
_SPACE = re.compile(r"\s+")


def _strip_controls(value: str, keep: str = "") -> str:
    value = _ANSI.sub("", value).translate(_BIDI)
    return "".join(ch for ch in value if ch in keep or unicodedata.category(ch) != "Cc")


def clean_line(value: str | None, limit: int = TITLE_MAX) -> str | None:
    """One line of text (a title, an author): no control characters, whitespace collapsed, capped."""
    if value is None:
        return None
    value = _SPACE.sub(" ", _strip_controls(value, keep=" \t\n\r\f\v")).strip()
    if len(value) > limit:
        value = value[: limit - 1].rstrip() + "…"
    return value or None


def clean_text(value: str | None, limit: int = TEXT_MAX) -> str | None:
    """A body of text: line breaks and tabs kept, other control characters removed, capped."""
    if value is None:
        return None
    value = _strip_controls(value.replace("\r\n", "\n").replace("\r", "\n"), keep="\n\t")
    return value[:limit]


def clean_url(value: str) -> str:
    """A link as a browser reads it (WHATWG URL): tabs and newlines removed, other controls encoded."""
    value = value.strip("\x00\x01\x02\x03\x04\x05\x06\x07\x08\t\n\x0b\x0c\r\x0e\x0f\x10\x11\x12\x13"
                        "\x14\x15\x16\x17\x18\x19\x1a\x1b\x1c\x1d\x1e\x1f ")
    value = value.replace("\t", "").replace("\n", "").replace("\r", "")
    return "".join(quote(ch) if unicodedata.category(ch) == "Cc" else ch for ch in value)


def terminal_safe(value: str | None) -> str:
    """For printing a stored value that may predate cleaning: one line, no escape sequences."""
    return clean_line(value, limit=10**9) or ""
