"""Why a page gave no article, or an entry page no links: the one list of reason slugs.

A reason is a short, stable slug used in stats (``newsmon/dropped/<reason>``,
``newsmon/errors/<reason>``, see :mod:`newsmon.runstats`), log lines and `newsmon status`. The
fixed ones are members of :class:`Reason`, a ``StrEnum``, so a member equals its slug and reads
back from stored stats as plain text. Three families are open-ended and built by the functions
below: ``http-<status>``, ``extractor-error-<exception>`` and an unknown failure's class name.

Which reasons are *permanent* (fetching the page again tomorrow would not help) is decided here
and nowhere else: the fetch-state tracker remembers such pages and does not ask again until
``--refresh-days``.
"""
from __future__ import annotations

from enum import StrEnum


class Reason(StrEnum):
    # The page was fetched but holds no article (extraction; counted as dropped).
    NOT_HTML = "not-html"
    EMPTY_PAGE = "empty-page"
    UNPARSEABLE = "unparseable"
    NO_ARTICLE = "no-article"
    TOO_SHORT = "too-short"
    NOT_AN_ARTICLE = "not-an-article"
    BINARY_BODY = "binary-body"  # a body no HTML page has; never reaches extraction
    # The page could not be fetched (see crawlers.failures.error_kind).
    BAD_LINK = "bad-link"
    ROBOTS = "robots"
    REDIRECT_LOOP = "redirect-loop"
    TOO_LARGE = "too-large"
    DNS = "dns"
    TIMEOUT = "timeout"
    CONNECTION_REFUSED = "connection-refused"
    CONNECTION_LOST = "connection-lost"
    TRUNCATED = "truncated"
    IGNORED = "ignored"
    # An entry page (feed, sitemap, listing) gave no usable links (counted as errors).
    BAD_FEED = "bad-feed"
    BAD_SITEMAP = "bad-sitemap"
    BAD_LISTING = "bad-listing"
    UNSAFE_XML = "unsafe-xml"
    SITEMAP_TOO_DEEP = "sitemap-too-deep"
    SITEMAP_LOOP = "sitemap-loop"
    # Extracted articles that never reached the database.
    STORE_FAILED = "store-failed"
    # An official document file (kind = "documents") that cannot be read (newsmon.documents).
    ENCRYPTED = "encrypted"
    BROKEN_PDF = "broken-pdf"
    NO_TEXT_LAYER = "no-text-layer"  # a scan: pages without text
    NO_SYMBOL = "no-symbol"  # no UN document symbol in its header, URL or title
    EMPTY_DOCUMENT = "empty-document"


def http_reason(status: int) -> str:
    """``http-404`` and the like: the server answered with an error status."""
    return f"http-{status}"


def crash_reason(exc: BaseException) -> str:
    """The extractor raised (a bug, not the page's fault): ``extractor-error-<exception>``."""
    return f"extractor-error-{type(exc).__name__.lower()}"


# Failures and verdicts that another try tomorrow would not change (until --refresh-days asks again).
PERMANENT: frozenset[str] = frozenset({
    Reason.NOT_HTML, Reason.EMPTY_PAGE, Reason.UNPARSEABLE, Reason.NO_ARTICLE, Reason.TOO_SHORT,
    Reason.NOT_AN_ARTICLE, Reason.BINARY_BODY,
    Reason.BAD_LINK, Reason.ROBOTS, Reason.REDIRECT_LOOP, Reason.TOO_LARGE,
    http_reason(404), http_reason(410),
    Reason.ENCRYPTED, Reason.BROKEN_PDF, Reason.NO_TEXT_LAYER, Reason.NO_SYMBOL, Reason.EMPTY_DOCUMENT,
})

# What `newsmon status` counts as "extraction found no article" on a page it fetched.
NO_ARTICLE_FOUND: frozenset[str] = frozenset({Reason.NO_ARTICLE, Reason.TOO_SHORT, Reason.NOT_AN_ARTICLE})


def is_permanent(reason: str | None) -> bool:
    """Whether a page dropped or failed for ``reason`` needs no fetch next run."""
    return reason in PERMANENT
