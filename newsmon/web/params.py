"""The search in a URL: query-string parameters in, an ArticleFilter out, or a BadRequest saying why.

The same parser serves the pages, their downloads and the JSON API, so a shared URL means the same
search everywhere. Parameters: q, topic (repeatable), min_confidence, lang, source, since, until,
relevant, view (story|article), limit, offset, page.
"""
from __future__ import annotations

from dataclasses import dataclass
from datetime import datetime
from urllib.parse import urlencode

from starlette.datastructures import QueryParams

from newsmon.clock import to_stored
from newsmon.names import language_problem, topic_problem

from storage.queries import ArticleFilter

MAX_QUERY_CHARS = 200
MAX_QUERY_WORDS = 20
MAX_VALUES = 50  # per repeatable parameter
MAX_LIMIT = 500
PAGE_SIZE = 25
MAX_OFFSET = 1_000_000
TRUE, FALSE = {"1", "true", "yes", "on"}, {"", "0", "false", "no", "off"}
KNOWN = {"q", "topic", "min_confidence", "lang", "source", "since", "until", "relevant", "view", "limit",
         "offset", "page"}


class BadRequest(Exception):
    """Input a person can fix; the message says how. Rendered as a 400 page or JSON error."""

    def __init__(self, message: str, status: int = 400) -> None:
        super().__init__(message)
        self.message, self.status = message, status


@dataclass(frozen=True)
class Search:
    """A parsed search: the filter (with limit and offset) and how to show it."""

    filter: ArticleFilter
    view: str  # "story" or "article"
    params: tuple[tuple[str, str], ...]  # the normalised, known parameters, for links

    @property
    def page(self) -> int:
        return self.filter.offset // (self.filter.limit or PAGE_SIZE) + 1

    def url(self, path: str, **changes: str | int | None) -> str:
        """``path`` with this search's parameters, ``changes`` replacing (None removes)."""
        params = [(k, v) for k, v in self.params if k not in changes]
        params += [(k, str(v)) for k, v in changes.items() if v is not None]
        return f"{path}?{urlencode(params)}" if params else path


def parse_search(query: QueryParams, default_view: str = "story",
                 default_limit: int = PAGE_SIZE) -> Search:
    """Validate every parameter; unknown topics, bad dates and numbers, huge queries are BadRequest."""
    def many(name: str) -> list[str]:
        values = [v.strip() for v in query.getlist(name) if v.strip()]
        if len(values) > MAX_VALUES:
            raise BadRequest(f"too many {name} values ({len(values)}; at most {MAX_VALUES})")
        return values

    q = (query.get("q") or "").strip() or None
    if q and (len(q) > MAX_QUERY_CHARS or len(q.split()) > MAX_QUERY_WORDS):
        raise BadRequest(f"the search text is too long: at most {MAX_QUERY_WORDS} words and {MAX_QUERY_CHARS} characters")
    chosen, languages = many("topic"), many("lang")
    problem = topic_problem(chosen) or language_problem(languages)
    if problem:
        raise BadRequest(problem)
    view = query.get("view") or default_view
    if view not in ("story", "article"):
        raise BadRequest("view must be story or article")
    limit = _int(query, "limit", default_limit, 1, MAX_LIMIT)
    offset = _int(query, "offset", 0, 0, MAX_OFFSET)
    if "page" in query and "offset" not in query:
        offset = (_int(query, "page", 1, 1, MAX_OFFSET // limit + 1) - 1) * limit
    since, until = _date(query, "since"), _date(query, "until")
    if since and until and since >= until:
        raise BadRequest("since must be before until")
    relevant = (query.get("relevant") or "").lower()
    if relevant not in TRUE | FALSE:
        raise BadRequest("relevant must be 1 or 0")
    article_filter = ArticleFilter(
        since=since, until=until, sources=many("source"), languages=languages, search=q, topics=chosen,
        min_confidence=_confidence(query), relevant_only=relevant in TRUE, limit=limit, offset=offset,
    )
    kept = [(k, v) for k, v in query.multi_items() if k in KNOWN and k not in ("offset", "page") and v.strip()]
    return Search(article_filter, view, tuple(kept))


def _int(query: QueryParams, name: str, default: int, low: int, high: int) -> int:
    raw = query.get(name)
    if raw is None or raw == "":
        return default
    try:
        value = int(raw)
    except ValueError:
        raise BadRequest(f"{name} must be a whole number, not {raw[:40]!r}") from None
    if not low <= value <= high:
        raise BadRequest(f"{name} must be between {low} and {high}")
    return value


def _date(query: QueryParams, name: str) -> datetime | None:
    raw = (query.get(name) or "").strip()
    if not raw:
        return None
    try:
        value = datetime.fromisoformat(raw)
    except ValueError:
        raise BadRequest(f"{name}: {raw[:40]!r} is not a date like 2026-11-01") from None
    return to_stored(value)  # an offset is honoured; stored times are naive UTC


def _confidence(query: QueryParams) -> float:
    raw = (query.get("min_confidence") or "").strip()
    if not raw:
        return 0.0
    try:
        value = float(raw)
    except ValueError:
        raise BadRequest(f"min_confidence must be a number from 0 to 1, not {raw[:40]!r}") from None
    if not 0.0 <= value <= 1.0:
        raise BadRequest("min_confidence must be from 0 to 1")
    return value
