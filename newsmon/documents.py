"""Read an official document (PDF or HTML) into its symbol, language, title, date and text.

Pure bytes in, values out: runs in the extraction workers, knows nothing of Scrapy or SQL. A file
that cannot be read raises DocumentError with a short reason the crawl counts and the store keeps
(newsmon.reasons: ``encrypted``, ``broken-pdf``, ``no-text-layer``, ``too-large``, ``no-symbol``...).
"""
from __future__ import annotations

import io
import re
from dataclasses import dataclass
from datetime import datetime
from urllib.parse import unquote, urlsplit

from newsmon.citations import OFFICIAL_LANGUAGES, find_citations, kind_of, organ_of
from newsmon.clock import to_stored
from newsmon.errors import DocumentError
from newsmon.reasons import Reason
from newsmon.settings import DOCUMENT_MAX_PAGES

MAX_PAGES = DOCUMENT_MAX_PAGES.default  # longer files are budget reports and annex volumes, not what analysts cite
MIN_TEXT_CHARS = 40  # less text than this from a PDF: a scan without a text layer
SYMBOL_ZONE = 2000  # UN documents print their symbol in the header of the first page

PDF_TYPES = ("application/pdf", "application/x-pdf")
_LANG_IN_PATH = re.compile(r"/(ar|zh|en|fr|ru|es)(?:/|$)")
_LANG_IN_NAME = re.compile(r"[-_.](ar|zh|en|fr|ru|es|AR|ZH|EN|FR|RU|ES)\.(?:pdf|html?)$")


@dataclass
class ReadDocument:
    symbol: str
    organ: str
    kind: str
    language: str | None
    title: str | None
    published: datetime | None
    text: str
    pages: int | None  # PDF pages; None for HTML


def is_pdf(body: bytes, content_type: str | None) -> bool:
    kind = (content_type or "").split(";")[0].strip().lower()
    return kind in PDF_TYPES or body[:5] == b"%PDF-"


def read_document(body: bytes, url: str, content_type: str | None = None, lang: str | None = None,
                  max_pages: int = MAX_PAGES) -> ReadDocument:
    """The document in ``body`` (fetched from ``url``); raises DocumentError with the reason it is unusable."""
    if is_pdf(body, content_type):
        text, title, published, pages = pdf_text(body, max_pages)
    else:
        text, title, published, pages = html_text(body, url)
    if not text.strip():
        raise DocumentError(Reason.EMPTY_DOCUMENT, url)
    symbol = document_symbol(text, url, title)
    if symbol is None:
        raise DocumentError(Reason.NO_SYMBOL, url)
    language = lang or language_from_url(url) or _detect(text)
    return ReadDocument(symbol, organ_of(symbol), kind_of(symbol), language, title, published, text, pages)


def pdf_text(body: bytes, max_pages: int = MAX_PAGES) -> tuple[str, str | None, datetime | None, int]:
    """(text, title, date, pages) of a PDF by pypdf."""
    from pypdf import PdfReader
    from pypdf.errors import PdfReadError

    try:
        reader = PdfReader(io.BytesIO(body))
        if reader.is_encrypted:
            raise DocumentError(Reason.ENCRYPTED)
        count = len(reader.pages)
        if count > max_pages:
            raise DocumentError(Reason.TOO_LARGE, detail=f"{count} pages > {max_pages}")
        text = "\n".join((page.extract_text() or "") for page in reader.pages)
        meta = reader.metadata
        title = (meta.title or None) if meta else None
        published = to_stored(meta.creation_date) if meta and meta.creation_date else None
    except DocumentError:
        raise
    except (PdfReadError, ValueError, KeyError, TypeError, AttributeError, IndexError, OSError) as exc:
        raise DocumentError(Reason.BROKEN_PDF, detail=f"{type(exc).__name__}: {exc}") from exc
    if len(text.strip()) < MIN_TEXT_CHARS:
        raise DocumentError(Reason.NO_TEXT_LAYER, detail=f"{count} pages, {len(text.strip())} characters of text")
    return text, title, published, count


def html_text(body: bytes, url: str) -> tuple[str, str | None, datetime | None, None]:
    """(text, title, date, None) of an HTML document page by trafilatura."""
    import trafilatura

    from newsmon.extraction import decode_page

    html = decode_page(body, None)
    doc = trafilatura.bare_extraction(html, url=url, with_metadata=True, include_tables=True,
                                      include_comments=False)
    if doc is None:
        return "", None, None, None
    published = None
    if doc.date:
        try:
            published = datetime.fromisoformat(doc.date)
        except ValueError:
            published = None
    return doc.text or "", doc.title or None, published, None


def document_symbol(text: str, url: str, title: str | None = None) -> str | None:
    """The document's own symbol: the first official one in its header, else in its URL or title."""
    for where in (text[:SYMBOL_ZONE], _url_text(url), title or ""):
        official = [c.symbol for c in find_citations(where) if c.form == "official"]
        if official:
            return official[0]
    return None


def language_from_url(url: str) -> str | None:
    """``/fr/`` in the path or ``-fr.pdf`` at its end: how UN sites name language versions."""
    path = urlsplit(url).path
    match = _LANG_IN_NAME.search(path) or _LANG_IN_PATH.search(path)
    return match.group(1).lower() if match else None


def _url_text(url: str) -> str:
    """docs.un.org/en/A/RES/78/265 -> 'en A/RES/78/265': the path with its language folder apart."""
    return " ".join(unquote(urlsplit(url).path).split("/", 2)[1:]) if url else ""


def _detect(text: str) -> str | None:
    from newsmon.extraction import detect_language

    return detect_language(text)
