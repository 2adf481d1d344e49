"""Checks on a fetched article page before it becomes an item: is it text, and in which encoding.

Scrapy picks the encoding the way browsers do (header, BOM, meta, then a guess). Servers get the
header wrong often enough (Apache's ISO-8859-1 default, "utf-8" on Shift_JIS pages) that a
declared encoding which cannot decode the body is replaced by one that can.
"""
from __future__ import annotations

import codecs

from scrapy.http import Response, TextResponse
from w3lib.encoding import html_body_declared_encoding, http_content_type_encoding, read_bom, resolve_encoding

# Server defaults that say little about the page: a body-declared encoding wins over these.
WEAK_DEFAULTS = {"cp1252", "latin_1", "iso8859-1", "ascii"}
MULTIBYTE = {"gb18030", "gbk", "gb2312", "big5", "big5hkscs", "cp932", "shift_jis", "euc_jp", "euc_kr",
             "cp949", "iso2022_jp", "utf-16-le", "utf-16-be", "utf-16", "cp950"}
_CONTROL = bytes(b for b in range(32) if b not in (9, 10, 12, 13)) + b"\x7f"


def looks_binary(body: bytes) -> bool:
    """A body no HTML page has: NUL bytes, or mostly control characters, in its first 2 KB."""
    head = body[:2048]
    if not head:
        return False
    if b"\x00" in head:
        return True
    controls = sum(1 for b in head if b in _CONTROL)
    return controls > len(head) * 0.1


def page_encoding(response: Response) -> str | None:
    """The encoding to decode ``response.body`` with, or None when it is not a text response."""
    if not isinstance(response, TextResponse):
        return None
    body = response.body
    header = _codec(http_content_type_encoding(response.headers.get(b"Content-Type", b"").decode("latin-1")))
    bom = _codec(read_bom(body)[0])
    body_declared = _codec(html_body_declared_encoding(body))
    if bom:
        return bom
    if not header and not body_declared:
        return _undeclared(body)
    chosen = header or body_declared
    if body_declared and body_declared != chosen and chosen in WEAK_DEFAULTS and _decodes(body, body_declared):
        return body_declared
    if _decodes(body, chosen):
        if chosen in WEAK_DEFAULTS and not body.isascii() and _decodes(body, "utf-8"):
            return "utf-8"  # valid UTF-8 with non-ASCII bytes is never really Latin-1
        return chosen
    for candidate in (body_declared, "utf-8", _guess(body)):
        if candidate and _decodes(body, candidate):
            return candidate
    return chosen  # decoded with replacement characters by the extractor


def _undeclared(body: bytes) -> str:
    """No header, BOM or meta: UTF-8 when valid, a detected multi-byte encoding, else Windows-1252.

    Detectors cannot tell one single-byte code page from another on a short page (cp1252 text
    comes back as cp1257 or cp1250), and Windows-1252 is what unlabelled Western pages use.
    """
    if _decodes(body, "utf-8"):
        return "utf-8"
    guess = _guess(body)
    if guess and _is_multibyte(guess) and _decodes(body, guess):
        return guess
    return "cp1252"


def _is_multibyte(encoding: str) -> bool:
    return codecs.lookup(encoding).name in MULTIBYTE


def _codec(name: str | None) -> str | None:
    if not name:
        return None
    resolved = resolve_encoding(name)  # w3lib: gb2312 -> gb18030, shift_jis -> cp932, latin-1 -> cp1252
    if not resolved:
        return None
    try:
        return codecs.lookup(resolved).name
    except LookupError:
        return None


def _decodes(body: bytes, encoding: str) -> bool:
    try:
        body.decode(encoding)
    except (UnicodeDecodeError, LookupError):
        return False
    return True


def _guess(body: bytes) -> str | None:
    from charset_normalizer import from_bytes

    best = from_bytes(body[:20000]).best()
    return _codec(best.encoding) if best else None
