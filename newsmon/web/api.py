"""The JSON API for notebooks: the filters of the search page, the objects of `newsmon query --format json`.

GET /api/articles?q=&topic=&min_confidence=&lang=&source=&since=&until=&relevant=&limit=&offset=
    -> {"total": N, "total_is_lower_bound": B, "limit": L, "offset": O, "articles": [...]}
GET /api/stories?... -> {"total": N, "total_is_lower_bound": B, "limit": L, "offset": O, "stories": [...]}
    (matches are counted up to 10,000, or to the end of the page asked for: beyond that "total" is
    that many and "total_is_lower_bound" is true)
GET /api/review?limit= -> {"articles": [...]} (the review queue, as `newsmon review --format json`)
GET /healthz -> {"status": "ok"} when the database answers
"""
from __future__ import annotations

from sqlalchemy import text
from starlette.requests import Request
from starlette.responses import JSONResponse

from newsmon.commands.query import article_row, story_row
from newsmon.web.app import workbench
from newsmon.web.params import BadRequest, Search, parse_search
from storage.queries import Total, find_articles, total_matching
from storage.search import story_tags
from storage.stories import stories_overview

API_LIMIT = 50


def healthz(request: Request) -> JSONResponse:
    with workbench(request).factory() as session:
        session.execute(text("SELECT 1"))
    return JSONResponse({"status": "ok"})


def past_the_end(search: Search, total: Total) -> None:
    offset = search.filter.offset
    if offset and offset >= total.count and not total.is_lower_bound:
        raise BadRequest(f"offset {offset} is past the end: the search has {total.count} results", status=404)


def article_page(session, search: Search) -> tuple[Total, list]:
    total = total_matching(session, search.filter)
    past_the_end(search, total)
    return total, find_articles(session, search.filter)


def story_page(session, search: Search) -> tuple[Total, list[dict]]:
    """One page of stories as `newsmon query --group-by story` rows plus languages and topics."""
    total = total_matching(session, search.filter, stories=True)
    past_the_end(search, total)
    found = stories_overview(session, search.filter, limit=search.filter.limit, offset=search.filter.offset)
    tags = story_tags(session, [s.story_id for s in found])
    rows = []
    for s in found:
        languages, topics = tags.get(s.story_id, ([], {}))
        rows.append({**story_row(s), "languages": languages, "topics": topics})
    return total, rows


def articles(request: Request) -> JSONResponse:
    bench = workbench(request)
    search = parse_search(request.query_params, default_view="article", default_limit=API_LIMIT)
    with bench.factory() as session:
        total, found = article_page(session, search)
        rows = [article_row(a) for a in found]
    return JSONResponse({**_total(total), "limit": search.filter.limit, "offset": search.filter.offset, "articles": rows})


def stories(request: Request) -> JSONResponse:
    bench = workbench(request)
    search = parse_search(request.query_params, default_limit=API_LIMIT)
    with bench.factory() as session:
        total, rows = story_page(session, search)
    return JSONResponse({**_total(total), "limit": search.filter.limit, "offset": search.filter.offset, "stories": rows})


def _total(total: Total) -> dict:
    return {"total": total.count, "total_is_lower_bound": total.is_lower_bound}


def review(request: Request) -> JSONResponse:
    from newsmon.commands.review import item_json
    from newsmon.web.pages import review_items

    bench = workbench(request)
    search = parse_search(request.query_params, default_view="article", default_limit=20)
    items = review_items(bench, search)
    return JSONResponse({"articles": [item_json(item, []) for item in items]})
