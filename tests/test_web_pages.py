"""The workbench's pages in-process: search, story, review, sources, sign-in, corrections, security."""
from __future__ import annotations

import html as htmllib
import json
import re

import pytest
from click.testing import CliRunner
from starlette.testclient import TestClient

from newsmon.cli import cli
from newsmon.web.app import create_app
from websample import PWN, seed_workbench

PASSWORD = "correct horse battery"


def run(*args: str, input: str | None = None, code: int = 0) -> str:
    result = CliRunner().invoke(cli, list(args), input=input, catch_exceptions=False)
    assert result.exit_code == code, result.output
    return result.output


@pytest.fixture
def web(sqlite_url):
    ids = seed_workbench(sqlite_url)
    run("users", "add", "ana", "--db", sqlite_url, "--password-stdin", input=PASSWORD + "\n")
    app = create_app(sqlite_url, secret_key="test-secret-key-0123456789")
    with TestClient(app) as client:
        client.ids, client.db_url = ids, sqlite_url
        yield client
    app.state.workbench.factory.kw["bind"].dispose()


def csrf(html: str) -> str:
    return re.search(r'name="csrf_token" value="([^"]+)"', html).group(1)


def sign_in(web, name: str = "ana", password: str = PASSWORD):
    token = csrf(web.get("/login").text)
    return web.post("/login", data={"name": name, "password": password, "next": "/review", "csrf_token": token},
                    follow_redirects=False)


def no_inline_script(html: str) -> bool:
    return all("src=" in tag for tag in re.findall(r"<script\b[^>]*>", html))


def test_search_page_filters_facets_chart_and_paging(web):
    page = web.get("/")
    assert page.status_code == 200
    html = page.text
    assert "6 stories" in html  # the wire copy is one story
    assert 'id="facet-lang"' in html and ">fr</a> <span class=\"n\">1</span>" in html
    assert "<svg" in html and "<rect" in html and "military-ai" in html
    articles = web.get("/?view=article&lang=en&limit=2").text
    assert "5 articles, page 1 of 3" in articles and 'id="next"' in articles
    assert "page 3 of 3" in web.get("/?view=article&lang=en&limit=2&page=3").text
    past = web.get("/?view=article&lang=en&limit=2&page=9")
    assert past.status_code == 404 and "past the end" in past.text
    assert "Armes autonomes" in web.get("/?q=armes&view=article").text
    shared = web.get("/?topic=sanctions&min_confidence=0.8&view=article").text  # the URL holds the search
    assert "New export controls on AI chips" in shared and "先进芯片" not in shared


@pytest.mark.parametrize("url, words", [
    ("/?topic=robots", "unknown topic 'robots'"),
    ("/?since=31/12/2026", "not a date"),
    ("/?min_confidence=7", "min_confidence"),
    ("/?q=" + "x" * 300, "too long"),
    ("/stories/999999", "no story 999999"),
    ("/articles/999999", "no article 999999"),
])
def test_bad_input_is_a_clear_page_not_a_500(web, url, words):
    response = web.get(url)
    assert 400 <= response.status_code < 500
    assert words in htmllib.unescape(response.text) and "Traceback" not in response.text


def test_scraped_text_is_escaped_and_links_are_safe(web):
    for url in ("/", "/?view=article", f"/articles/{web.ids['evil']}", "/review"):
        html = web.get(url).text
        assert PWN not in html and "<b>headline</b>" not in html, url
        assert 'href="javascript:' not in html
        assert no_inline_script(html), url
    assert "&lt;script&gt;" in web.get("/?view=article").text


def test_every_page_sends_the_csp(web):
    for url in ("/", "/review", "/sources", "/login", "/api/articles", "/nope"):
        policy = web.get(url).headers["content-security-policy"]
        assert "script-src 'self'" in policy and "unsafe-inline" not in policy


def test_story_page_shows_copies_revisions_tags_and_evidence(web):
    response = web.get(f"/articles/{web.ids['one']}", follow_redirects=False)
    assert response.status_code == 303 and response.headers["location"].startswith("/stories/")
    html = web.get(response.headers["location"]).text
    assert "Treaty talks on autonomous weapons to open" in html and "Geneva: autonomous weapons negotiations" in html
    assert 'href="https://two.example/laws"' in html and "military-ai 0.81" in html and "model test-model" in html
    chips = web.get(f"/articles/{web.ids['a']}", follow_redirects=True).text
    assert "Earlier version fetched" in chips and "The rules take effect in January." in chips
    assert "evidence:" in chips  # the committed model's phrases behind the tag


def test_review_page_and_api_list_the_queue(web):
    html = web.get("/review").text
    assert 'class="review"' in html and "Sign in</a> to correct" in html
    queue = web.get("/api/review?limit=3").json()["articles"]
    assert len(queue) == 3 and all(item["corrections"] for item in queue)


def test_sources_page(web):
    html = web.get("/sources").text
    assert ">a</a>" in html and ">b</a>" in html
    assert "75%" in html  # b: 3 of 4 fetched pages had no article
    assert "<rect" in html


def test_sign_in_and_correct_a_tag_then_query_sees_it(web):
    article = web.ids["b"]
    assert sign_in(web, password="wrong password!").status_code == 401
    assert sign_in(web, name="nobody").status_code == 401
    response = sign_in(web)
    assert response.status_code == 303 and response.headers["location"] == "/review"
    page = web.get(f"/articles/{article}").text
    assert "Signed in as <strong>ana</strong>" in page
    response = web.post(f"/articles/{article}/label", data={
        "add": "human-rights", "remove": "military-ai", "csrf_token": csrf(page), "next": "/review"},
        follow_redirects=False)
    assert response.status_code == 303 and response.headers["location"] == "/review"
    rows = json.loads(run("query", "--db", web.db_url, "--format", "json", "--source", "b"))
    assert rows[0]["topics"] == {"human-rights": 1.0}
    from sqlalchemy import select

    from storage.db import open_database
    from storage.models import Correction

    factory = open_database(web.db_url, migrate=False)
    with factory() as session:
        assert {c.analyst for c in session.scalars(select(Correction))} == {"ana"}
    factory.kw["bind"].dispose()
    assert article not in [i["id"] for i in web.get("/api/review?limit=100").json()["articles"]]

    bad = web.post(f"/articles/{article}/label", data={"add": "robots", "csrf_token": csrf(page)})
    assert bad.status_code == 400 and "unknown topic 'robots'" in htmllib.unescape(bad.text)
    missing = web.post("/articles/999999/label", data={"add": "safety", "csrf_token": csrf(page)})
    assert missing.status_code == 404
    redirect = web.post(f"/articles/{article}/label", data={"irrelevant": "1", "csrf_token": csrf(page),
                                                            "next": "https://evil.example/"}, follow_redirects=False)
    assert redirect.headers["location"] == f"/articles/{article}"  # never an open redirect


def test_corrections_need_sign_in_and_csrf(web):
    article = web.ids["a"]
    token = csrf(web.get("/login").text)
    anonymous = web.post(f"/articles/{article}/label", data={"add": "safety", "csrf_token": token},
                         follow_redirects=False)
    assert anonymous.status_code == 303 and anonymous.headers["location"].startswith("/login")
    sign_in(web)
    forged = web.post(f"/articles/{article}/label", data={"add": "safety"}, follow_redirects=False)
    assert forged.status_code == 403 and "CSRF" in forged.text
    wrong = web.post(f"/articles/{article}/label", data={"add": "safety", "csrf_token": token}, follow_redirects=False)
    assert wrong.status_code == 403  # the token changed at sign-in
    rows = json.loads(run("query", "--db", web.db_url, "--format", "json", "--source", "a"))
    assert "safety" not in rows[0]["topics"]


def test_users_command(sqlite_url):
    assert "too short" in run("users", "add", "bob", "--db", sqlite_url, "--password-stdin", input="short\n", code=1)
    assert "not a valid analyst name" in run("users", "add", "bad name", "--db", sqlite_url, "--password-stdin",
                                             input=PASSWORD + "\n", code=1)
    run("users", "add", "bob", "--db", sqlite_url, input=f"{PASSWORD}\n{PASSWORD}\n")
    assert run("users", "list", "--db", sqlite_url).startswith("bob\t")


def test_subscriptions_page_shows_the_next_digest_and_last_deliveries(sqlite_url, tmp_path):
    from datetime import timedelta

    from newsmon.clock import utcnow
    from storage.db import open_database
    from storage.models import Article, Delivery

    ids = seed_workbench(sqlite_url)
    path = tmp_path / "subscriptions.toml"
    path.write_text('[[subscription]]\nname = "arms-desk"\nchannel = "file"\npath = "digests"\n'
                    'topics = ["military-ai"]\nlookback_days = 3650\nrelevant_only = true\n'
                    '[[subscription]]\nname = "chips-desk"\nchannel = "file"\npath = "digests"\ntopics = ["sanctions"]\n'
                    'keywords = "export controls"\n', encoding="utf-8")
    factory = open_database(sqlite_url, migrate=False)
    with factory() as session, session.begin():
        story = session.get(Article, ids["b"]).story_id
        session.add(Delivery(subscription="arms-desk", story_id=story, delivered=utcnow() - timedelta(days=3)))
    factory.kw["bind"].dispose()
    app = create_app(sqlite_url, secret_key="test-secret-key-0123456789", subscriptions_path=str(path))
    with TestClient(app) as client:
        html = htmllib.unescape(client.get("/subscriptions").text)
        missing = create_app(sqlite_url, secret_key="k" * 32, subscriptions_path=str(tmp_path / "none.toml"))
        with TestClient(missing) as other:
            assert "no subscriptions file" in other.get("/subscriptions").text
    app.state.workbench.factory.kw["bind"].dispose()
    arms = html[html.index('id="sub-arms-desk"'):html.index('id="sub-chips-desk"')]
    assert "Next digest: 1 story" in arms and "Treaty talks on autonomous weapons to open" in arms
    assert "Last deliveries" in arms and "Armes autonomes" in arms  # delivered, so not in the next digest
    assert 'href="/?topic=military-ai&relevant=1"' in html.replace("&amp;", "&")
