"""UN documents linked both ways: citations stored with articles, `newsmon documents`,
`newsmon document SYMBOL`, `query --cites` and `documents --rescan`, on both databases."""
from __future__ import annotations

import csv
import io
import json
from datetime import datetime

from click.testing import CliRunner
from sqlalchemy import select

from newsmon.citations import article_citations
from newsmon.cli import cli
from storage.articles import ArticleRecord, upsert_articles
from storage.db import open_database
from storage.documents import DocumentRecord, document_detail, documents_overview, upsert_document
from storage.models import Citation

GA_TEXT = "The United Nations General Assembly adopted resolution 78/265 on safe AI. " * 4
FR_TEXT = "L'Assemblée générale des Nations unies a adopté la résolution 78/265 et le projet A/78/L.49. " * 4
HRC_TEXT = "The Human Rights Council adopted resolution 53/29 on digital technologies in Geneva. " * 4


def record(url: str, text: str, published: datetime, lang: str = "en", scan: bool = True) -> ArticleRecord:
    title = url.rsplit("/", 1)[-1]
    return ArticleRecord(url=url, fetched_url=url, source=url.split("/")[2], title=title, text=text,
                         language=lang, published=published,
                         citations=article_citations(title, text) if scan else None)


def seed(db_url: str, scan: bool = True) -> None:
    with open_database(db_url, migrate=False)() as session, session.begin():
        upsert_articles(session, [
            record("https://a.example/ga", GA_TEXT, datetime(2026, 3, 22), scan=scan),
            record("https://b.example/fr", FR_TEXT, datetime(2026, 4, 2), "fr", scan=scan),
            record("https://c.example/hrc", HRC_TEXT, datetime(2026, 7, 14), scan=scan),
        ])


def run(*args: str) -> str:
    result = CliRunner().invoke(cli, list(args), catch_exceptions=False)
    assert result.exit_code == 0, result.output
    return result.output


def test_citations_are_stored_with_articles_and_follow_revisions(db_url):
    seed(db_url)
    factory = open_database(db_url, migrate=False)
    with factory() as session:
        links = {(c.symbol, c.organ, c.form) for c in session.scalars(select(Citation))}
    assert links == {("A/RES/78/265", "GA", "news"), ("A/78/L.49", "GA", "official"),
                     ("A/HRC/RES/53/29", "HRC", "news")}
    with factory() as session, session.begin():  # the page changes: its links follow the new text
        upsert_articles(session, [record("https://a.example/ga", HRC_TEXT, datetime(2026, 3, 22))])
    with factory() as session:
        symbols = sorted(c.symbol for c in session.scalars(select(Citation)))
    assert symbols == ["A/78/L.49", "A/HRC/RES/53/29", "A/HRC/RES/53/29", "A/RES/78/265"]
    factory.kw["bind"].dispose()


def test_overview_lists_cited_and_stored_documents(db_url):
    seed(db_url)
    factory = open_database(db_url, migrate=False)
    with factory() as session, session.begin():
        upsert_document(session, DocumentRecord(
            symbol="A/78/L.49", organ="GA", kind="draft", language="en", url="http://x/en.pdf", body="Draft text",
            title="Seizing the opportunities of AI", pages=2), datetime(2026, 3, 1))
        upsert_document(session, DocumentRecord(
            symbol="A/78/L.49", organ="GA", kind="draft", language="fr", url="http://x/fr.pdf", body="Projet",
            title="Saisir les possibilités de l'IA", pages=2), datetime(2026, 3, 1))
        upsert_document(session, DocumentRecord(
            symbol="S/PV.9999", organ="SC", kind="record", language="en", url="http://x/pv.html", body="Record"),
            datetime(2026, 3, 1))
    with factory() as session:
        rows = {r.symbol: r for r in documents_overview(session)}
        assert rows["A/RES/78/265"].stories == 2 and not rows["A/RES/78/265"].stored
        assert rows["A/RES/78/265"].first_cited == datetime(2026, 3, 22)
        assert rows["A/RES/78/265"].last_cited == datetime(2026, 4, 2)
        assert rows["A/78/L.49"].stored and rows["A/78/L.49"].languages == ("en", "fr")
        assert rows["A/78/L.49"].title == "Seizing the opportunities of AI"
        assert rows["S/PV.9999"].stories == 0 and rows["S/PV.9999"].stored
        assert [r.symbol for r in documents_overview(session, organs=["HRC"])] == ["A/HRC/RES/53/29"]
        assert {r.symbol for r in documents_overview(session, since=datetime(2026, 4, 1))} == {
            "A/HRC/RES/53/29", "A/RES/78/265", "A/78/L.49", "S/PV.9999"}
        detail = document_detail(session, "A/RES/78/265")
        assert [a.url for a in detail.citing] == ["https://a.example/ga", "https://b.example/fr"]
        assert document_detail(session, "A/RES/1/1") is None
    factory.kw["bind"].dispose()


def test_documents_command_formats(db_url):
    seed(db_url)
    table = run("documents", "--db", db_url)
    assert "A/RES/78/265" in table and "cited only" in table
    rows = json.loads(run("documents", "--db", db_url, "--format", "json", "--organ", "ga"))
    assert {r["symbol"] for r in rows} == {"A/RES/78/265", "A/78/L.49"}
    resolution = next(r for r in rows if r["symbol"] == "A/RES/78/265")
    assert resolution["url"] == "https://docs.un.org/en/A/RES/78/265"
    assert resolution["stories"] == 2 and resolution["stored"] is False
    listed = list(csv.DictReader(io.StringIO(run("documents", "--db", db_url, "--format", "csv"))))
    assert {r["symbol"] for r in listed} == {"A/RES/78/265", "A/78/L.49", "A/HRC/RES/53/29"}


def test_document_command_shows_link_and_citing_stories(db_url):
    seed(db_url)
    out = run("document", "--db", db_url, "A/RES/78/265")
    assert "https://docs.un.org/en/A/RES/78/265" in out
    assert "not stored" in out and "cited by 2 articles in 2 stories" in out
    data = json.loads(run("document", "--db", db_url, "a/res/78/265", "--format", "json"))
    assert [a["url"] for a in data["cited_by"]] == ["https://a.example/ga", "https://b.example/fr"]
    unknown = run("document", "--db", db_url, "A/RES/70/1")
    assert "cited by 0 articles" in unknown and "https://docs.un.org/en/A/RES/70/1" in unknown


def test_query_cites_filters_articles(db_url):
    seed(db_url)
    rows = json.loads(run("query", "--db", db_url, "--cites", "A/RES/78/265", "--format", "json"))
    assert [r["url"] for r in rows] == ["https://b.example/fr", "https://a.example/ga"]
    rows = json.loads(run("query", "--db", db_url, "--cites", "a/hrc/res/53/29", "--format", "json"))
    assert [r["url"] for r in rows] == ["https://c.example/hrc"]
    assert "No articles match." in run("query", "--db", db_url, "--cites", "S/PV.1")


def test_rescan_links_articles_stored_before_the_finder(db_url):
    seed(db_url, scan=False)
    assert "No documents match." in run("documents", "--db", db_url)
    result = CliRunner().invoke(cli, ["documents", "--db", db_url, "--rescan", "--format", "json"],
                                catch_exceptions=False)
    assert "Scanned 3 articles: 4 citation links." in result.stderr
    assert {r["symbol"] for r in json.loads(result.stdout)} == {"A/RES/78/265", "A/78/L.49", "A/HRC/RES/53/29"}
    again = CliRunner().invoke(cli, ["documents", "--db", db_url, "--rescan"], catch_exceptions=False)
    assert "4 citation links" in again.stderr  # idempotent


def test_digest_and_story_view_show_cites_with_link(session_factory):
    import datetime as dt

    from alerts.render import Digest, render_html, render_markdown, render_text
    from alerts.select import select_stories
    from alerts.subscriptions import Subscription
    from test_alerts_support import NOW, add_article

    with session_factory() as session, session.begin():
        article = add_article(session, title="Assembly adopts AI text", text=GA_TEXT)
        session.add(Citation(article_id=article.id, symbol="A/RES/78/265", organ="GA", form="news"))
        story_id = article.story_id
    sub = Subscription(name="desk", channel="file", path="x")
    with session_factory() as session:
        stories = select_stories(session, sub, NOW - dt.timedelta(days=1), NOW)
    assert stories[0].cites == [("A/RES/78/265", "https://docs.un.org/en/A/RES/78/265")]
    digest = Digest(sub, stories, NOW, NOW - dt.timedelta(days=1))
    assert "cites A/RES/78/265 https://docs.un.org/en/A/RES/78/265" in render_text(digest)
    assert "Cites [A/RES/78/265](<https://docs.un.org/en/A/RES/78/265>)" in render_markdown(digest)
    assert '<a href="https://docs.un.org/en/A/RES/78/265" rel="noopener noreferrer">A/RES/78/265</a>' in render_html(digest)
    url = session_factory.kw["bind"].url.render_as_string(hide_password=False)
    out = run("story", "--db", url, str(story_id))
    assert "cites A/RES/78/265  https://docs.un.org/en/A/RES/78/265" in out


def test_web_story_page_shows_cites_with_link(sqlite_url):
    from starlette.testclient import TestClient

    from newsmon.web.app import create_app
    from test_alerts_support import add_article

    factory = open_database(sqlite_url, migrate=False)
    with factory() as session, session.begin():
        article = add_article(session, title="Assembly adopts AI text", text=GA_TEXT)
        session.add(Citation(article_id=article.id, symbol="A/RES/78/265", organ="GA", form="news"))
        story_id, article_id = article.story_id, article.id
    factory.kw["bind"].dispose()
    app = create_app(sqlite_url, secret_key="test-secret-key-0123456789")
    with TestClient(app) as client:
        page = client.get(f"/stories/{story_id}").text
    app.state.workbench.factory.kw["bind"].dispose()
    assert (f'<p class="cites" id="cites-{article_id}">cites <a href="https://docs.un.org/en/A/RES/78/265" '
            'rel="noopener noreferrer">A/RES/78/265</a></p>') in page
