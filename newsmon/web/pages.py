"""The server-rendered pages: search, story, review queue, sources health, and the CSV download."""
from __future__ import annotations

import difflib
import io
from datetime import timedelta

from starlette.exceptions import HTTPException
from starlette.requests import Request
from starlette.responses import RedirectResponse, Response, StreamingResponse

from newsmon.commands.query import CSV_COLUMNS, article_row, csv_rows
from newsmon.csvout import write_csv
from newsmon.web.api import article_page, story_page
from newsmon.web.app import Workbench, workbench
from newsmon.web.params import Search, parse_search
from newsmon.clock import utcnow
from storage.models import Article
from storage.queries import find_articles
from storage.search import articles_per_day, facets_and_attention
from storage.stories import get_story, story_articles

DOWNLOAD_LIMIT = 10_000  # rows in one CSV download; the API pages through more
REVIEW_SIZE = 25
DIFF_LINES = 40


def search(request: Request) -> Response:
    bench = workbench(request)
    query = parse_search(request.query_params)
    with bench.factory() as session:
        if query.view == "story":
            total, rows = story_page(session, query)
        else:
            total, found = article_page(session, query)
            rows = [article_row(a) for a in found]
        found_facets, chart = facets_and_attention(session, query.filter)
    limit = query.filter.limit or 1
    pages = (total.count + limit - 1) // limit
    if total.is_lower_bound:  # more matches than were counted: there is always a next page to offer
        pages = max(pages, query.page + 1)
    return bench.page(request, "search.html", {
        "search": query, "total": total.count, "total_is_lower_bound": total.is_lower_bound, "rows": rows,
        "facets": found_facets, "chart": chart, "pages": pages, "args": dict(query.params), "multi": _multi(query),
    })


def _multi(query: Search) -> dict[str, list[str]]:
    out: dict[str, list[str]] = {}
    for key, value in query.params:
        out.setdefault(key, []).append(value)
    return out


def download_csv(request: Request) -> Response:
    """The whole result set (up to DOWNLOAD_LIMIT rows) as CSV, one row per article."""
    bench = workbench(request)
    query = parse_search(request.query_params, default_view="article", default_limit=DOWNLOAD_LIMIT)
    with bench.factory() as session:
        rows = [article_row(a) for a in find_articles(session, query.filter)]
    buffer = io.StringIO()
    write_csv(buffer, CSV_COLUMNS, csv_rows(rows))
    return StreamingResponse(iter([buffer.getvalue()]), media_type="text/csv; charset=utf-8",
                             headers={"content-disposition": 'attachment; filename="newsmon-articles.csv"'})


def story(request: Request) -> Response:
    bench = workbench(request)
    story_id = request.path_params["story_id"]
    with bench.factory() as session:
        found = get_story(session, story_id)
        if found is None:
            raise HTTPException(404, f"There is no story {story_id}.")
        articles = story_articles(session, story_id)
        copies = _with_citations(session, [_copy(bench, article) for article in articles])
    return bench.page(request, "story.html", {"story": found, "copies": copies, "labels": bench.topics})


def article(request: Request) -> Response:
    """An article's page is its story's, scrolled to its copy."""
    bench = workbench(request)
    article_id = request.path_params["article_id"]
    with bench.factory() as session:
        found = session.get(Article, article_id)
        if found is None:
            raise HTTPException(404, f"There is no article {article_id}.")
        if found.story_id is None:
            copies = _with_citations(session, [_copy(bench, found)])
            return bench.page(request, "story.html", {"story": None, "copies": copies, "labels": bench.topics})
    return RedirectResponse(f"/stories/{found.story_id}#article-{article_id}", status_code=303)


def _copy(bench: Workbench, article: Article) -> dict:
    """An article with its tags, the evidence behind them and its revisions' changes, for the story page."""
    evidence = {}
    model = bench.model
    if model is not None and article.relevant:
        evidence = model.explain(article.title, article.text, top=6)
    revisions, newer = [], article.text
    for revision in reversed(article.revisions):  # newest first, each against the version after it
        revisions.append({"fetched": revision.fetched, "title": revision.title, "changes": _changes(revision.text, newer)})
        newer = revision.text
    return {
        "article": article,
        "topics": sorted(article.topics, key=lambda t: -t.confidence),
        "evidence": {label: [word for word, _ in pairs] for label, pairs in evidence.items()},
        "revisions": revisions,
    }


def _with_citations(session, copies: list[dict]) -> list[dict]:
    """Each copy's "cites A/RES/78/265": the UN documents it cites, with their official links."""
    from newsmon.citations import official_url
    from storage.documents import citations_of

    cited = citations_of(session, [c["article"].id for c in copies])
    for copy in copies:
        copy["cites"] = [(symbol, official_url(symbol)) for symbol in cited.get(copy["article"].id, [])]
    return copies


def _changes(old: str, new: str) -> list[tuple[str, str]]:
    """Lines removed ('-') and added ('+') between two versions of a text, at most DIFF_LINES."""
    out = []
    for line in difflib.unified_diff(old.splitlines(), new.splitlines(), lineterm="", n=0):
        if line.startswith(("---", "+++", "@@")):
            continue
        out.append((line[0], line[1:]))
        if len(out) >= DIFF_LINES:
            out.append(("…", "more changes not shown"))
            break
    return out


def review_items(bench: Workbench, query: Search):
    from storage.review import ReviewPolicy, review_queue

    if bench.model is None:
        raise HTTPException(503, "There is no classifier model to rank the review queue; build one with `newsmon train`.")
    with bench.factory() as session:
        return review_queue(session, ReviewPolicy.from_model(bench.model), limit=query.filter.limit or REVIEW_SIZE,
                            article_filter=query.filter)


def review(request: Request) -> Response:
    bench = workbench(request)
    query = parse_search(request.query_params, default_view="article", default_limit=REVIEW_SIZE)
    items = review_items(bench, query)
    return bench.page(request, "review.html", {"items": items, "search": query, "labels": bench.topics})


def sources(request: Request) -> Response:
    from storage.runs import source_reports

    bench = workbench(request)
    now = utcnow()
    with bench.factory() as session:
        reports = source_reports(session, now)
        per_day = articles_per_day(session, now - timedelta(days=30), now)
    names = sorted({r.source for r in reports} | set(per_day))
    by_name = {r.source: r for r in reports}
    rows = [{"source": name, "report": by_name.get(name), "per_day": per_day.get(name, {}),
             "month": sum(per_day.get(name, {}).values())} for name in names]
    return bench.page(request, "sources.html", {"rows": rows, "today": now.date()})
