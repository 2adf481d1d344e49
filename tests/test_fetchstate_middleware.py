"""The spider yields requests and items; which links a run fetches, and what the fetch state
remembers of failures, is decided by the fetch-state middleware and extension."""
from __future__ import annotations

import asyncio
import inspect
from types import SimpleNamespace

import pytest
from scrapy import Request
from scrapy.exceptions import IgnoreRequest
from scrapy.http import Response
from scrapy.settings import Settings
from scrapy.signalmanager import SignalManager
from scrapy.spidermiddlewares.httperror import HttpError
from scrapy.statscollectors import MemoryStatsCollector
from twisted.internet.error import ConnectionRefusedError, DNSLookupError, TimeoutError
from twisted.python.failure import Failure

from crawlers import signals
from crawlers.extensions.fetchstate import FetchStateTracker
from crawlers.failures import error_kind, failure_status
from crawlers.middlewares.fetchstate import FetchStateMiddleware
from crawlers.spiders import base
from storage.fetchstate import Validators

FEED = "https://news.example/feed.xml"


def stats() -> MemoryStatsCollector:
    return MemoryStatsCollector(SimpleNamespace(settings=Settings({"STATS_DUMP": False})))


class FakeTracker:
    """Records what the middleware tells it; knows article 1 and the feed's validators."""

    def __init__(self) -> None:
        self.fetched: list[tuple[str, str, str]] = []
        self.dirty: list[str] = []

    async def select_articles(self, requests, source):
        return [r for r in requests if not r.url.endswith("/1")]

    async def validators(self, urls):
        return {FEED: Validators("feed", '"v1"', "Sat, 21 Nov 2026 09:00:00 GMT")}

    def entry_fetched(self, response, source, kind):
        self.fetched.append((response.url, source, kind))

    def mark_dirty(self, url):
        self.dirty.append(url)


def entry(url: str = FEED, **meta) -> Request:
    return Request(url, meta={"newsmon_source": "news", "newsmon_kind": "feed", **meta})


def article(n: int) -> Request:
    return Request(f"https://news.example/story/{n}", meta={"newsmon_source": "news", "newsmon_kind": "article"})


async def agen(items):
    for item in items:
        yield item


def run(middleware: FetchStateMiddleware, response: Response, found: list, parsed: bool = True) -> list:
    async def go():
        if parsed:
            middleware.process_spider_input(response)
        return [each async for each in middleware.process_spider_output(response, agen(found))]

    return asyncio.run(go())


def feed_response(status: int = 200, **meta) -> Response:
    return Response(FEED, status=status, request=entry(**meta))


def test_already_seen_links_are_dropped_before_max_articles_counts():
    tracker = FakeTracker()
    middleware = FetchStateMiddleware(stats(), tracker)
    out = run(middleware, feed_response(newsmon_max_articles=2), [article(n) for n in (1, 2, 3, 4)])
    assert [r.url for r in out] == ["https://news.example/story/2", "https://news.example/story/3"]
    assert middleware.stats.get_value("newsmon/source/news/over_max_articles") == 1
    assert tracker.dirty == [FEED]  # story 4 waits: read the feed in full next run
    assert tracker.fetched == [(FEED, "news", "feed")]


def test_entry_requests_come_first_and_are_made_conditional():
    child = "https://news.example/sitemap-2.xml"
    middleware = FetchStateMiddleware(stats(), FakeTracker())
    out = run(middleware, feed_response(newsmon_index=True), [article(2), entry(child), entry(FEED)])
    assert [r.url for r in out] == [child, FEED, "https://news.example/story/2"]
    assert out[1].headers[b"If-None-Match"] == b'"v1"'
    assert b"If-None-Match" not in out[0].headers
    assert middleware.tracker.fetched == [(FEED, "news", "sitemap-index")]


def test_start_requests_are_made_conditional():
    middleware = FetchStateMiddleware(stats(), FakeTracker())

    async def go():
        return [r async for r in middleware.process_start(agen([entry()]))]

    (request,) = asyncio.run(go())
    assert request.headers[b"If-Modified-Since"] == b"Sat, 21 Nov 2026 09:00:00 GMT"


def test_an_entry_page_that_failed_is_not_remembered_as_fetched():
    """A 404 feed reaches the errback, not the callback: its validators must not be kept."""
    tracker = FakeTracker()
    out = run(FetchStateMiddleware(stats(), tracker), feed_response(404), [], parsed=False)
    assert out == [] and tracker.fetched == []


def test_without_a_tracker_only_max_articles_applies():
    middleware = FetchStateMiddleware(stats(), None)
    out = run(middleware, feed_response(newsmon_max_articles=3), [article(n) for n in (1, 2, 3, 4)])
    assert len(out) == 3


def test_article_responses_pass_through():
    item = {"url": "https://news.example/story/1"}
    response = Response("https://news.example/story/1", request=article(1))
    assert run(FetchStateMiddleware(stats(), FakeTracker()), response, [item]) == [item]


def tracker() -> tuple[FetchStateTracker, SignalManager]:
    manager = SignalManager()
    tracker = FetchStateTracker(stats(), "sqlite://", 0)
    manager.connect(tracker.page_failed, signal=signals.page_failed)
    manager.connect(tracker.mark_dirty, signal=signals.entry_failed)
    return tracker, manager


def test_a_page_gone_for_good_is_remembered_and_a_transient_failure_rereads_its_feed():
    state, manager = tracker()
    manager.send_catch_log(signals.page_failed, url="https://news.example/story/1", source="news",
                           reason="http-404", status=404, entry=FEED, redirects=())
    manager.send_catch_log(signals.page_failed, url="https://news.example/story/2", source="news",
                           reason="timeout", status=None, entry=FEED, redirects=())
    assert [(p.url, p.kind, p.status) for p in state.pages] == [("https://news.example/story/1", "page", 404)]
    assert state.dirty == {FEED}


def test_a_failed_entry_page_is_read_in_full_next_run():
    state, manager = tracker()
    manager.send_catch_log(signals.entry_failed, url=FEED)
    assert state.dirty == {FEED}


def test_the_spider_does_not_reach_the_tracker():
    source = inspect.getsource(base)
    assert "tracker" not in source and "FetchState" not in source
    assert not inspect.isasyncgenfunction(base.SourcesSpider.parse_entry)  # no database reads to await


def failure(exc: Exception) -> Failure:
    try:
        raise exc
    except Exception:
        return Failure()


@pytest.mark.parametrize("exc,kind", [
    (DNSLookupError("news.example"), "dns"),
    (TimeoutError(), "timeout"),
    (ConnectionRefusedError(), "connection-refused"),
    (IgnoreRequest("Forbidden by robots.txt"), "robots"),
    (IgnoreRequest("redirect loop: a -> b -> a"), "redirect-loop"),
    (IgnoreRequest("something else"), "ignored"),
    (ValueError("surprise"), "valueerror"),
])
def test_error_kind(exc, kind):
    assert error_kind(failure(exc)) == kind
    assert failure_status(failure(exc)) is None


def test_error_kind_of_an_http_error():
    response = Response(FEED, status=503)
    failed = failure(HttpError(response, "Ignoring non-200 response"))
    assert error_kind(failed) == "http-503"
    assert failure_status(failed) == 503
