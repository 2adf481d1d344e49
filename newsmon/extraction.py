"""Article extraction with trafilatura: HTML in, an Article's fields out, or a reason why not.

Used by the crawl pipeline (in worker processes), by `newsmon extract` and `newsmon reextract`;
knows nothing of Scrapy or SQL.
"""
from __future__ import annotations

from dataclasses import asdict, dataclass
from datetime import datetime

import trafilatura

from newsmon.errors import ExtractionError

MIN_TEXT_CHARS = 200  # shorter than a few sentences is a teaser, a contact page or an error page


@dataclass
class ExtractedArticle:
    title: str | None
    text: str
    published: datetime | None
    author: str | None
    language: str | None
    site: str | None
    canonical_url: str | None
    description: str | None = None

    def as_json(self) -> dict:
        data = asdict(self)
        data["published"] = self.published.isoformat() if self.published else None
        return data


def extract_article(html: bytes | str, url: str | None = None) -> ExtractedArticle:
    """Extract the main article of a page; raise ExtractionError(reason) when there is none."""
    if not html or not html.strip():
        raise ExtractionError("empty-page", url)
    document = trafilatura.bare_extraction(
        html,
        url=url,
        with_metadata=True,
        include_comments=False,
        include_tables=True,
    )
    if document is None or not (document.text or "").strip():
        raise ExtractionError("no-article", url)
    text = document.text.strip()
    if len(text) < MIN_TEXT_CHARS:
        raise ExtractionError("too-short", url)
    if document.pagetype and document.pagetype.lower() in {"website", "profile", "homepage"}:
        # og:type says it is not an article; trust it only when the text is short as well.
        if len(text) < 3 * MIN_TEXT_CHARS:
            raise ExtractionError("not-an-article", url)
    return ExtractedArticle(
        title=(document.title or None),
        text=text,
        published=_parse_date(document.date),
        author=document.author or None,
        language=document.language or detect_language(text),
        site=document.sitename or document.hostname or None,
        canonical_url=document.url or None,
        description=document.description or None,
    )


def _parse_date(value: str | None) -> datetime | None:
    if not value:
        return None
    try:
        return datetime.fromisoformat(value)
    except ValueError:
        return None


def detect_language(text: str) -> str | None:
    """ISO 639-1 code of ``text`` by py3langid (trafilatura leaves language empty without a hint)."""
    import py3langid

    code, _score = py3langid.classify(text[:2000])
    return code or None
