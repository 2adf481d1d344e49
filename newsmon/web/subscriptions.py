"""The subscriptions page: what each digest subscription matches now, and what it last received.

"Matches now" is what `newsmon digest --dry-run` would send: the same alerts.select code, the
same window (since the last delivery), the same ledger (delivered stories are not repeated).
"""
from __future__ import annotations

from pathlib import Path
from urllib.parse import urlencode

from starlette.requests import Request
from starlette.responses import Response

from newsmon.clock import utcnow
from newsmon.errors import NewsmonError
from newsmon.web.app import workbench

SHOWN = 10  # stories per list


def search_url(sub) -> str:
    """The search page with this subscription's filters, to browse beyond the digest."""
    params = [("topic", t) for t in sub.topics] + [("source", s) for s in sub.sources]
    params += [("lang", lang) for lang in sub.languages]
    if sub.keywords:
        params.append(("q", sub.keywords))
    if sub.min_confidence:
        params.append(("min_confidence", str(sub.min_confidence)))
    if sub.relevant_only:
        params.append(("relevant", "1"))
    return "/?" + urlencode(params)


def subscriptions(request: Request) -> Response:
    from alerts.ledger import delivered_stories, last_delivery, window_start
    from alerts.select import select_stories
    from alerts.subscriptions import load_subscriptions

    bench = workbench(request)
    path = bench.subscriptions_path
    context: dict = {"path": path, "problem": None, "rows": [], "errors": []}
    if path is None or not Path(path).is_file():
        context["problem"] = f"no subscriptions file at {path or '(none given)'}; start the server with --subscriptions PATH"
        return bench.page(request, "subscriptions.html", context)
    try:
        config = load_subscriptions(path)
    except NewsmonError as exc:
        context["problem"] = str(exc)
        return bench.page(request, "subscriptions.html", context)
    now = utcnow()
    with bench.factory() as session:
        for sub in config.subscriptions:
            start = window_start(session, sub, now)
            pending = select_stories(session, sub, start, now)
            context["rows"].append({
                "sub": sub, "since": start, "pending": pending[:SHOWN], "pending_count": len(pending),
                "last": last_delivery(session, sub.name), "delivered": delivered_stories(session, sub, SHOWN),
                "search": search_url(sub),
            })
    context["errors"] = [str(e) for e in config.errors]
    return bench.page(request, "subscriptions.html", context)
