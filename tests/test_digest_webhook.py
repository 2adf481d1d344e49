"""Webhook digests against a local HTTP server: JSON body, Slack text, failure then retry, ledger."""
from __future__ import annotations

import datetime as dt
import hashlib
import json
import threading
import time
from dataclasses import replace

import httpx
import pytest
from sqlalchemy import func, select

from alerts.run import run_subscription
from alerts.subscriptions import Subscription
from localserver import LocalServer
from storage.models import Article, ArticleRevision, Delivery
from test_alerts_support import NOW, WebhookReceiver, add_article, options


@pytest.fixture
def server():
    with LocalServer() as s:
        yield s


def sub_for(url: str, **kw) -> Subscription:
    return Subscription(name="military-ai-watch", channel="webhook", url=url, topics=("military-ai",),
                        timeout=5, **kw)


def count(session_factory) -> int:
    with session_factory() as s:
        return s.scalar(select(func.count()).select_from(Delivery))


def seed(session_factory) -> None:
    with session_factory() as s:
        lead = add_article(s, title="REAIM summit agrees <b>blueprint</b> & next steps", source="defense-news",
                           topics={"military-ai": 0.88})
        add_article(s, title="Same story elsewhere", source="le-monde", language="fr",
                    topics={"military-ai": 0.8}, story=lead.story)
        add_article(s, title="CCW talks on autonomous weapons stall", source="swissinfo",
                    topics={"military-ai": 0.75, "un-governance": 0.6})
        s.commit()


def test_webhook_500_then_200_delivers_once(server, session_factory):
    seed(session_factory)
    hook = WebhookReceiver(server, [500, 200])
    sub = sub_for(hook.url)

    failed = run_subscription(session_factory, sub, options())
    assert failed.status == "failed"
    assert "webhook answered HTTP 500" in failed.message
    assert hook.url not in failed.message  # webhook URLs are secrets
    assert count(session_factory) == 0

    sent = run_subscription(session_factory, sub, options())
    assert sent.status == "sent" and sent.stories == 2
    assert count(session_factory) == 2
    assert len(hook.bodies) == 2
    assert hook.headers[-1]["Content-Type"] == "application/json; charset=utf-8"
    body = json.loads(hook.bodies[-1])
    assert body["subscription"] == "military-ai-watch" and body["count"] == 2
    first = body["stories"][0]
    assert first["title"] == "REAIM summit agrees <b>blueprint</b> & next steps"  # JSON carries raw data
    assert first["also_reported_by"] == 1 and first["outlets"][0]["source"] == "le-monde"
    assert first["topics"] == [{"label": "military-ai", "confidence": 0.88}]
    assert {"url", "source", "date", "language", "text", "group"} <= set(first)
    # Slack text: &, <, > escaped; links as <url|title>
    assert "REAIM summit agrees &lt;b&gt;blueprint&lt;/b&gt; &amp; next steps>" in body["text"]
    assert "<b>" not in body["text"]
    assert body["text"].startswith("*military-ai-watch*: 2 new stories")

    assert run_subscription(session_factory, sub, options()).status == "empty"
    assert len(hook.bodies) == 2  # no duplicate


def test_webhook_redirect_is_not_success(server, session_factory):
    seed(session_factory)
    hook = WebhookReceiver(server, [200], path="/new-hook")
    old = server.redirect("/old-hook", "/new-hook", status=302)
    outcome = run_subscription(session_factory, sub_for(old), options())
    assert outcome.status == "failed" and "HTTP 302" in outcome.message
    assert hook.bodies == [] and count(session_factory) == 0


def test_webhook_timeout_and_unreachable(server, session_factory):
    seed(session_factory)
    slow = server.hang("/slow")
    outcome = run_subscription(session_factory, replace(sub_for(slow), timeout=0.5), options())
    assert outcome.status == "failed" and "timed out" in outcome.message
    closed = LocalServer().start()
    url = closed.url("/hook")
    closed.stop()
    outcome = run_subscription(session_factory, sub_for(url), options())
    assert outcome.status == "failed" and "unreachable" in outcome.message
    assert count(session_factory) == 0


def test_send_empty_posts_an_empty_digest(server, session_factory):
    hook = WebhookReceiver(server, [200])
    outcome = run_subscription(session_factory, sub_for(hook.url, send_empty=True), options())
    assert outcome.status == "sent" and outcome.stories == 0
    assert json.loads(hook.bodies[0])["stories"] == []
    quiet = run_subscription(session_factory, sub_for(hook.url), options())
    assert quiet.status == "empty" and len(hook.bodies) == 1


def test_two_concurrent_runs_send_once(server, session_factory):
    """The ledger rows are written before the POST, so a second run waits for the first and sends nothing."""
    seed(session_factory)
    hook = WebhookReceiver(server, [200], delay=1.0)
    sub = sub_for(hook.url)
    outcomes = []
    first = threading.Thread(target=lambda: outcomes.append(run_subscription(session_factory, sub, options())))
    first.start()
    time.sleep(0.4)  # the first run is inside its POST, holding its uncommitted ledger rows
    outcomes.append(run_subscription(session_factory, sub, options()))
    first.join()
    assert sorted(o.status for o in outcomes) == ["failed", "sent"], [o.message for o in outcomes]
    failed = next(o for o in outcomes if o.failed)
    assert "another digest run recorded these stories" in failed.message
    assert len(hook.bodies) == 1 and count(session_factory) == 2


def test_two_concurrent_runs_send_an_updated_story_once(server, session_factory):
    """An updated story's ledger row changes only if it still holds the hash the run saw: one run sends."""
    with session_factory() as s:
        add_article(s, title="Draft resolution on AI", topics={"military-ai": 0.9})
        s.commit()
    hook = WebhookReceiver(server, [200], delay=1.0)
    sub = sub_for(hook.url, mark_updated=True)
    assert run_subscription(session_factory, sub, options()).status == "sent"
    later = NOW + dt.timedelta(hours=6)
    with session_factory() as s:
        article = s.scalars(select(Article)).one()
        s.add(ArticleRevision(article_id=article.id, title=article.title, text=article.text,
                              content_hash=article.content_hash, fetched=later))
        article.text = "The General Assembly adopted the resolution by consensus after a night of talks on AI."
        article.content_hash, article.updated = hashlib.sha256(article.text.encode()).hexdigest(), later
        s.commit()
    outcomes = []
    first = threading.Thread(target=lambda: outcomes.append(run_subscription(session_factory, sub, options(later))))
    first.start()
    time.sleep(0.4)  # the first run is inside its POST, holding its uncommitted ledger update
    outcomes.append(run_subscription(session_factory, sub, options(later)))
    first.join()
    assert sorted(o.status for o in outcomes) == ["failed", "sent"], [o.message for o in outcomes]
    assert "another digest run recorded these stories" in next(o for o in outcomes if o.failed).message
    assert len(hook.bodies) == 2  # the first digest and one update
    with session_factory() as s:
        assert s.scalar(select(Delivery.content_hash)) == article.content_hash


def test_webhook_through_a_mock_transport(session_factory):
    """The transport is a seam (``Transports.http``): the same POST, seen without a server."""
    seed(session_factory)
    seen: list[httpx.Request] = []

    def answer(request: httpx.Request) -> httpx.Response:
        seen.append(request)
        return httpx.Response(204)

    outcome = run_subscription(session_factory, sub_for(SECRET), options(http=httpx.MockTransport(answer)))
    assert outcome.status == "sent" and outcome.stories == 2, outcome.message
    (request,) = seen
    assert request.method == "POST" and str(request.url) == SECRET
    assert request.headers["Content-Type"] == "application/json; charset=utf-8"
    assert request.headers["User-Agent"].startswith("newsmon-digest/")
    assert json.loads(request.content)["count"] == 2


SECRET = "https://hooks.example/services/T000/B000/secret-token"


def refused(request: httpx.Request) -> httpx.Response:
    raise httpx.ConnectError("[Errno 111] Connection refused", request=request)


def silent(request: httpx.Request) -> httpx.Response:
    raise httpx.ReadTimeout("timed out", request=request)


def forbidden(request: httpx.Request) -> httpx.Response:
    return httpx.Response(403, text="x" * 10_000_000)


@pytest.mark.parametrize("answer, words", [(refused, "unreachable"), (silent, "timed out"),
                                           (forbidden, "HTTP 403 Forbidden")])
def test_webhook_failures_never_name_the_secret_url(session_factory, answer, words):
    seed(session_factory)
    outcome = run_subscription(session_factory, sub_for(SECRET), options(http=httpx.MockTransport(answer)))
    assert outcome.status == "failed" and words in outcome.message, outcome.message
    assert "secret-token" not in outcome.message and count(session_factory) == 0
