"""The run statistics contract: every ``newsmon/...`` stats key is built and parsed here.

Crawl components count into Scrapy's stats collector with the keys built below; the run's stats
are stored as JSON on its ``crawl_run`` row, and `newsmon status`, `nightly` and the run summary
read them back with :func:`per_source` and :func:`totals`. Renaming a key here renames it for
writers and readers at once.

Per-source keys look like ``newsmon/source/<name>/<what>``, where ``<what>`` is a
:class:`SourceCount`, ``errors/<reason>`` or ``dropped/<reason>`` (reasons: :mod:`newsmon.reasons`).
"""
from __future__ import annotations

import re
from collections import Counter
from collections.abc import Mapping
from dataclasses import dataclass, field
from enum import StrEnum

PREFIX = "newsmon/"
ERRORS, DROPPED = "errors", "dropped"

# Whole-run counters.
PAGES_FETCHED = "newsmon/pages_fetched"  # article pages fetched, including those that failed
NOT_MODIFIED = "newsmon/not_modified"  # entry pages that answered 304
ALREADY_SEEN = "newsmon/already_seen"  # article links skipped: fetched in an earlier run
NO_DATE = "newsmon/no_date"  # articles stored without a publication date
CONFIG_ERRORS = "newsmon/config_errors"  # bad entries in the sources file
STORE_FAILED = "newsmon/store_failed"  # extracted articles that never reached the database
ARTICLES_STORED = "newsmon/articles_stored"
ARTICLES_UPDATED = "newsmon/articles_updated"
ARTICLES_UNCHANGED = "newsmon/articles_unchanged"
FETCH_STATE_SAVED = "newsmon/fetch_state_saved"
RETRY_BACKOFF_SECONDS = "newsmon/retry_backoff_seconds"
CLASSIFY_NO_MODEL = "newsmon/classify/no_model"
CLASSIFY_TAGGED = "newsmon/classify/tagged"
CLASSIFY_RELEVANT = "newsmon/classify/relevant"
DOCUMENTS_FETCHED = "newsmon/documents/fetched"  # official document files fetched (kind = "documents")
DOCUMENTS_STORED = "newsmon/documents/stored"  # document language versions written
CITATION_ARTICLES = "newsmon/citations/articles"  # articles citing at least one UN document
CITATION_LINKS = "newsmon/citations/links"


class SourceCount(StrEnum):
    """What is counted per source, as ``newsmon/source/<name>/<count>``."""

    ENTRY_PAGES = "entry_pages"  # feeds, sitemaps and listing pages answered (200 or 304)
    NOT_MODIFIED = "not_modified"
    LINKS_FOUND = "links_found"  # article links on its entry pages
    OVER_MAX_ARTICLES = "over_max_articles"  # links left for the next run by max_articles
    ALREADY_SEEN = "already_seen"
    PAGES_FETCHED = "pages_fetched"
    ARTICLE_ERRORS = "article_errors"  # article pages whose request failed
    NO_DATE = "no_date"
    ARTICLES = "articles"  # articles written (new, updated or unchanged)
    ARTICLES_NEW = "articles_new"  # added when the run finishes (storage.runs.new_articles)


def dropped_key(reason: str) -> str:
    """A page with no article, by reason (``newsmon/dropped/no-article``)."""
    return f"{PREFIX}{DROPPED}/{reason}"


def error_key(kind: str) -> str:
    """A failed entry page or request, by kind (``newsmon/errors/http-503``)."""
    return f"{PREFIX}{ERRORS}/{kind}"


def refetch_key(why: str) -> str:
    """A stored page fetched again: ``stale`` or ``updated``."""
    return f"{PREFIX}refetch/{why}"


def source_key(source: str, count: SourceCount | str) -> str:
    return f"{PREFIX}source/{source}/{count}"


def source_error_key(source: str, kind: str) -> str:
    return source_key(source, f"{ERRORS}/{kind}")


def source_dropped_key(source: str, reason: str) -> str:
    return source_key(source, f"{DROPPED}/{reason}")


_SOURCE_KEY = re.compile(r"^newsmon/source/(?P<source>[^/]+)/(?P<what>.+)$")


def parse_source_key(key: str) -> tuple[str, str] | None:
    """``(source, what)`` for a per-source key, else None."""
    match = _SOURCE_KEY.match(key)
    return (match["source"], match["what"]) if match else None


@dataclass
class SourceStats:
    """One source's counters in one run, read back from the run's stats."""

    counts: dict[str, int] = field(default_factory=dict)  # SourceCount -> n
    errors: dict[str, int] = field(default_factory=dict)  # reason -> n
    dropped: dict[str, int] = field(default_factory=dict)  # reason -> n

    def count(self, what: SourceCount) -> int:
        return self.counts.get(what, 0)


def per_source(stats: Mapping[str, object]) -> dict[str, SourceStats]:
    """Every source's counters in a run's stats; values that are not integers are ignored."""
    result: dict[str, SourceStats] = {}
    for key, value in stats.items():
        parsed = parse_source_key(key)
        if parsed is None or not isinstance(value, int):
            continue
        source, what = parsed
        row = result.setdefault(source, SourceStats())
        family, _, reason = what.partition("/")
        if family == ERRORS and reason:
            row.errors[reason] = value
        elif family == DROPPED and reason:
            row.dropped[reason] = value
        else:
            row.counts[what] = value
    return result


def totals(stats: Mapping[str, object], family: str) -> Counter[str]:
    """Whole-run counts of ``family`` (:data:`DROPPED` or :data:`ERRORS`) by reason."""
    prefix = f"{PREFIX}{family}/"
    return Counter({key.removeprefix(prefix): value for key, value in stats.items()
                    if key.startswith(prefix) and isinstance(value, int)})


def entry_pages_answered(stats: Mapping[str, object]) -> int:
    """Entry pages that answered in a run, over all sources."""
    return sum(row.count(SourceCount.ENTRY_PAGES) for row in per_source(stats).values())
