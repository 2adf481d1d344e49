"""A crawl stores titles without the furniture their source repeats on every page, and keeps the
titles as read for the next run's comparisons; `newsmon reextract` does the same (issue 13, item 1)."""
from __future__ import annotations

import subprocess
import sys
from pathlib import Path

from click.testing import CliRunner
from sqlalchemy import select

from localserver import LocalServer
from newsmon.cli import cli
from storage.articles import ArticleRecord, recent_titles, upsert_articles
from storage.db import open_database
from storage.models import Article
from storage.rawstore import RawStore

NEWSMON = str(Path(sys.executable).with_name("newsmon"))
SUFFIX = " - Policy | The Example Ledger"  # og:site_name below does not name it
HEADLINES = [
    "Regulators publish draft rules for general-purpose AI models",
    "Parliament debates export controls on advanced chips",
    "Rights groups urge limits on facial recognition in public spaces",
    "Ministers agree a fund for AI capacity-building in Africa",
    "Court asks for audit of algorithm used to score welfare claims",
    "Standards body opens consultation on AI safety testing",
    "UN panel calls for a ban on lethal autonomous weapons",
    "Data centres face new water reporting duties",
]


def page(n: int) -> str:
    """An article whose <title> and og:title add the suffix, with no <h1> to confirm the headline."""
    title = HEADLINES[n] + SUFFIX
    body = " ".join(f"Paragraph {k} of story {n}: {HEADLINES[n].lower()}, officials said on Tuesday, "
                    "adding that consultations with industry and civil society would continue."
                    for k in range(6))
    return (f"<html lang='en'><head><title>{title}</title><meta property='og:title' content='{title}'>"
            "<meta property='og:site_name' content='Example Daily'></head>"
            f"<body><article><p>{body}</p><p>{body}</p></article></body></html>")


def serve_feed(server: LocalServer, pages: range) -> None:
    items = ""
    for n in pages:
        server.route(f"/story/{n}.html", page(n), headers={"Content-Type": "text/html; charset=utf-8"})
        items += f"<item><title>{HEADLINES[n]}</title><link>{server.url(f'/story/{n}.html')}</link></item>"
    server.route("/rss.xml", f"<rss version='2.0'><channel><title>t</title>{items}</channel></rss>",
                 headers={"Content-Type": "application/rss+xml"})


def crawl(tmp_path: Path, sources: Path, db: str) -> None:
    result = subprocess.run(
        [NEWSMON, "crawl", "--sources", str(sources), "--db", db, "--raw-dir", str(tmp_path / "raw"),
         "-s", "DOWNLOAD_DELAY=0", "-s", "AUTOTHROTTLE_ENABLED=False", "-s", "NEWSMON_EXTRACT_PROCESSES=0",
         "-s", "RETRY_TIMES=0"], capture_output=True, text=True, timeout=180, cwd=tmp_path)
    assert result.returncode == 0, result.stderr[-3000:]


def stored(db: str) -> dict[str, Article]:
    factory = open_database(db, migrate=False)
    try:
        with factory() as session:
            return {a.url.rsplit("/", 1)[-1]: a for a in session.scalars(select(Article))}
    finally:
        factory.kw["bind"].dispose()


def test_a_crawl_stores_titles_without_the_suffix_its_source_repeats(tmp_path):
    sources = tmp_path / "s.toml"
    db = f"sqlite:///{tmp_path / 'x.db'}"
    with LocalServer() as server:
        sources.write_text(f'[[source]]\nname = "ledger"\nkind = "feed"\nurl = "{server.url("/rss.xml")}"\n')
        serve_feed(server, range(6))
        crawl(tmp_path, sources, db)
        first = stored(db)
        serve_feed(server, range(8))  # the next night: two new stories
        crawl(tmp_path, sources, db)
        second = stored(db)
    assert len(first) == 6 and len(second) == 8
    # A brand-new source: its first three titles had fewer than three siblings when they passed,
    # and are judged again when the run ends, against the six it stored.
    for name, article in first.items():
        assert article.title == HEADLINES[int(name[0])]
        assert article.extracted_title == HEADLINES[int(name[0])] + SUFFIX
    # The next run compares with the stored titles as read, so every new title loses the suffix.
    for name in ("6.html", "7.html"):
        assert second[name].title == HEADLINES[int(name[0])]
        assert second[name].extracted_title == HEADLINES[int(name[0])] + SUFFIX


def record(n: int, title: str, extracted_title: str | None = None, raw_ref: str | None = None) -> ArticleRecord:
    return ArticleRecord(url=f"https://wire.test/story/{n}", fetched_url=f"https://wire.test/story/{n}",
                         source="ledger", text=f"Story {n}. " * 40, title=title, extracted_title=extracted_title,
                         raw_ref=raw_ref)


def test_recent_titles_are_the_titles_as_read_newest_first(session_factory):
    with session_factory() as session, session.begin():
        upsert_articles(session, [record(1, "One"), record(2, "Two", "Two | Outlet"), record(3, "Three", "Three")])
        upsert_articles(session, [ArticleRecord(url="https://other.example/a", fetched_url="https://other.example/a",
                                                source="other", text="x", title="Other | Outlet")])
    with session_factory() as session:
        assert recent_titles(session, "ledger", 2) == ["Three", "Two | Outlet"]
        assert session.scalars(select(Article.extracted_title).order_by(Article.id)).all() == [
            None, "Two | Outlet", None, None]  # the same as the title: not stored twice


def test_reextract_cuts_the_repeated_suffix_in_place(tmp_path, sqlite_url):
    """Titles stored before this feature keep their suffix; reextract finds it among the source's
    stored titles and cuts it from every article, text unchanged, no revision."""
    from newsmon.extraction import extract_article

    store = RawStore(tmp_path / "raw")
    factory = open_database(sqlite_url, migrate=False)
    try:
        with factory() as session, session.begin():
            for n in range(5):
                html = page(n)
                extracted = extract_article(html, f"https://wire.test/story/{n}")
                assert extracted.title == HEADLINES[n] + SUFFIX  # what newsmon stored before
                upsert_articles(session, [ArticleRecord(
                    url=f"https://wire.test/story/{n}", fetched_url=f"https://wire.test/story/{n}",
                    source="ledger", text=extracted.text, title=extracted.title,
                    raw_ref=store.put(html.encode()), encoding="utf-8")])
        dry = CliRunner().invoke(cli, ["reextract", "--db", sqlite_url, "--raw-dir", str(store.root), "--dry-run"])
        assert dry.exit_code == 0, dry.output
        assert "5 articles: 0 would change, 0 unchanged, 5 would get new titles" in dry.output
        result = CliRunner().invoke(cli, ["reextract", "--db", sqlite_url, "--raw-dir", str(store.root)])
        assert result.exit_code == 0, result.output
        assert "5 articles: 0 changed, 0 unchanged, 5 got new titles" in result.output
        with factory() as session:
            articles = session.scalars(select(Article).order_by(Article.id)).all()
            assert [a.title for a in articles] == HEADLINES[:5]
            assert [a.extracted_title for a in articles] == [h + SUFFIX for h in HEADLINES[:5]]
        again = CliRunner().invoke(cli, ["reextract", "--db", sqlite_url, "--raw-dir", str(store.root)])
        assert "5 articles: 0 changed, 5 unchanged" in again.output
    finally:
        factory.kw["bind"].dispose()


def test_migration_0010_up_and_down(db_url):
    from alembic import command
    from sqlalchemy import inspect

    from storage.db import alembic_config, make_engine

    engine = make_engine(db_url)
    config = alembic_config(engine)
    command.downgrade(config, "0009")
    assert "extracted_title" not in {c["name"] for c in inspect(engine).get_columns("article")}
    command.upgrade(config, "head")
    assert "extracted_title" in {c["name"] for c in inspect(engine).get_columns("article")}
    engine.dispose()


def pipeline_item(n: int, source: str = "ledger") -> dict:
    from newsmon.extraction import ExtractedArticle

    fields = {name: None for name in ExtractedArticle.__dataclass_fields__}
    return {"source": source, "article": ExtractedArticle(**{**fields, "title": HEADLINES[n] + SUFFIX, "text": "x"})}


def test_the_pipeline_asks_the_store_once_per_source_and_learns_as_items_pass(session_factory, db_url):
    import asyncio

    from crawlers.pipelines.titles import SourceTitlesPipeline

    with session_factory() as session, session.begin():
        upsert_articles(session, [record(n, HEADLINES[n], HEADLINES[n] + SUFFIX) for n in range(2)])
    pipeline = SourceTitlesPipeline(db_url)
    asked = []
    stored_titles = pipeline._stored_titles
    pipeline._stored_titles = lambda source: asked.append(source) or stored_titles(source)

    async def run(items):
        return await asyncio.gather(*(pipeline.process_item(item) for item in items))

    try:
        out = asyncio.run(run([pipeline_item(n) for n in range(2, 6)] + [{"source": "ledger"}]))
    finally:
        pipeline.close()
    assert asked == ["ledger"]
    titles = [item["article"].title for item in out[:4]]
    assert titles[0] == HEADLINES[2] + SUFFIX  # two siblings only
    assert titles[1:] == HEADLINES[3:6]
    assert [item["extracted_title"] for item in out[:4]] == [h + SUFFIX for h in HEADLINES[2:6]]
    assert out[4] == {"source": "ledger"}  # an item without an article passes untouched


def test_without_the_store_titles_are_kept_as_read(tmp_path, caplog):
    import asyncio

    from crawlers.pipelines.titles import SourceTitlesPipeline

    pipeline = SourceTitlesPipeline(f"sqlite:///{tmp_path / 'missing.db'}")
    item = asyncio.run(pipeline.process_item(pipeline_item(0)))
    assert item["article"].title == HEADLINES[0] + SUFFIX
    assert "could not read the stored titles of source ledger" in caplog.text


def test_the_run_end_judges_a_new_sources_first_titles_again(session_factory, db_url):
    """Only the titles this run stored for a source that started it without siblings are set
    again; an established source's titles, and a new source's older pages, are left alone."""
    import asyncio

    from crawlers.pipelines.titles import SourceTitlesPipeline

    with session_factory() as session, session.begin():
        upsert_articles(session, [record(n, HEADLINES[n] + SUFFIX) for n in range(3)])  # stored as read
        upsert_articles(session, [ArticleRecord(url=f"https://new.test/{n}", fetched_url=f"https://new.test/{n}",
                                                source="newcomer", text=f"Story {n}. " * 40, title=HEADLINES[n] + SUFFIX)
                                  for n in (6, 7)])  # a source with two stored pages: still new
    pipeline = SourceTitlesPipeline(db_url)
    items = [{**pipeline_item(n, "newcomer"), "url": f"https://new.test/{n}"} for n in range(4)]
    items.append({**pipeline_item(5), "url": "https://wire.test/story/5"})

    async def run():
        out = [await pipeline.process_item(item) for item in items]
        with session_factory() as session, session.begin():  # what the store pipeline writes
            upsert_articles(session, [ArticleRecord(
                url=item["url"], fetched_url=item["url"], source=item["source"], text=f"{item['url']} " * 40,
                title=item["article"].title, extracted_title=item["extracted_title"]) for item in out])
        await pipeline.spider_closed()
        return out

    out = asyncio.run(run())
    assert [item["article"].title for item in out[:2]] == [HEADLINES[0] + SUFFIX, HEADLINES[1]]  # 2, then 3 siblings
    assert pipeline.session_factory is None  # closed with the run
    with session_factory() as session:
        titles = dict(session.execute(select(Article.url, Article.title)).all())
        extracted = dict(session.execute(select(Article.url, Article.extracted_title)).all())
    assert [titles[f"https://new.test/{n}"] for n in range(4)] == HEADLINES[:4]
    assert [extracted[f"https://new.test/{n}"] for n in range(4)] == [h + SUFFIX for h in HEADLINES[:4]]
    assert [titles[f"https://new.test/{n}"] for n in (6, 7)] == [h + SUFFIX for h in HEADLINES[6:8]]  # earlier run
    assert [titles[f"https://wire.test/story/{n}"] for n in range(3)] == [h + SUFFIX for h in HEADLINES[:3]]
    assert titles["https://wire.test/story/5"] == HEADLINES[5]  # cut on the way in: three siblings


def test_the_run_end_keeps_titles_as_read_when_the_store_cannot_answer(tmp_path, caplog):
    import asyncio

    from crawlers.pipelines.titles import SourceTitlesPipeline

    pipeline = SourceTitlesPipeline(f"sqlite:///{tmp_path / 'missing.db'}")
    pipeline.new_sources["ledger"].append("https://wire.test/story/0")
    asyncio.run(pipeline.spider_closed())
    assert "could not judge the first titles of source ledger again" in caplog.text
