"""`newsmon reextract` decodes a kept raw page with the encoding the crawl used, so nothing changes."""
from __future__ import annotations

from click.testing import CliRunner
from sqlalchemy import func, select

from newsmon.cli import cli
from newsmon.extraction import extract_article
from storage.articles import ArticleRecord, upsert_articles
from storage.db import open_database
from storage.models import Article, ArticleRevision
from storage.rawstore import RawStore

CP1252_TEXT = "Café naïve déjà vu – “quoted” for 5 € in Genève. "
# No charset anywhere in the page: only the crawl's encoding (from the header) says cp1252.
CP1252_PAGE = (
    "<!DOCTYPE html><html><head><title>Geneva talks</title></head><body><article><h1>Geneva talks</h1>"
    f"<p>{CP1252_TEXT * 3}</p><p>Delegates met in Geneva on Tuesday to discuss autonomous weapons and the "
    "governance of military artificial intelligence under international humanitarian law.</p></article></body></html>"
).encode("cp1252")
URL = "https://news.example.org/geneva-talks"


def test_reextract_keeps_cp1252_text(db_url, tmp_path):
    raw_dir = tmp_path / "raw"
    ref = RawStore(raw_dir).put(CP1252_PAGE)
    text = extract_article(CP1252_PAGE.decode("cp1252"), URL).text  # what the crawl stored
    assert "naïve déjà vu" in text and "Genève" in text
    factory = open_database(db_url, migrate=False)
    try:
        with factory() as session, session.begin():
            upsert_articles(session, [ArticleRecord(url=URL, fetched_url=URL, source="desk", text=text,
                                                    title="Geneva talks", raw_ref=ref, encoding="cp1252")])
        result = CliRunner().invoke(cli, ["reextract", "--db", db_url, "--raw-dir", str(raw_dir)])
        assert result.exit_code == 0, result.output
        assert "1 articles: 0 changed, 1 unchanged" in result.output
        with factory() as session:
            article = session.scalars(select(Article)).one()
            assert article.text == text and article.encoding == "cp1252"
            assert session.scalar(select(func.count()).select_from(ArticleRevision)) == 0
    finally:
        factory.kw["bind"].dispose()
