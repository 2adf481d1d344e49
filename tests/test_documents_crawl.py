"""Official documents: PDF and HTML read into symbol, language and text; unreadable files refused
with their reason; a `kind = "documents"` crawl of the demo site stores each symbol once with its
language versions and records the bad files, and the run goes on."""
from __future__ import annotations

import subprocess
import sys
from datetime import date

import pytest
from sqlalchemy import select

from newsmon.demo.official import ENCRYPTED_PATH, SCAN_PATH, document_files, encrypted_pdf, text_pdf
from newsmon.demo.site import DemoSite
from newsmon.documents import language_from_url, read_document
from newsmon.errors import DocumentError
from storage.db import open_database
from storage.models import Document, DocumentFailure, DocumentVersion

NEWSMON = [sys.executable, "-c", "from newsmon.cli import main; main()"]
FILES = document_files()


def test_reads_pdf_language_versions():
    english = read_document(FILES["/documents/A_C.2_81_L.12-en.pdf"][0], "http://x/documents/A_C.2_81_L.12-en.pdf",
                            "application/pdf")
    french = read_document(FILES["/documents/A_C.2_81_L.12-fr.pdf"][0], "http://x/documents/A_C.2_81_L.12-fr.pdf")
    assert english.symbol == french.symbol == "A/C.2/81/L.12"
    assert (english.language, french.language) == ("en", "fr")
    assert english.organ == "GA" and english.kind == "draft" and english.pages == 1
    assert "Recalling its resolutions 78/265" in english.text
    assert "Assemblée générale" in french.text  # WinAnsi accents come back
    assert english.published.date() == date(2026, 11, 4)


def test_reads_html_document():
    body, content_type = FILES["/documents/A_HRC_RES_61_5-en.html"]
    document = read_document(body, "http://x/documents/A_HRC_RES_61_5-en.html", content_type)
    assert document.symbol == "A/HRC/RES/61/5" and document.organ == "HRC"
    assert document.title == "Biometric surveillance technologies and human rights"
    assert document.pages is None


@pytest.mark.parametrize("body, reason", [
    (FILES[SCAN_PATH][0], "no-text-layer"),
    (encrypted_pdf(), "encrypted"),
    (FILES["/documents/A_C.2_81_L.12-en.pdf"][0][:300], "broken-pdf"),
    (b"%PDF-1.4 not really", "broken-pdf"),
    (text_pdf(["A document without any symbol in it, long enough to have a text layer."], "x", date(2026, 1, 1)),
     "no-symbol"),
])
def test_unreadable_files_raise_their_reason(body, reason):
    with pytest.raises(DocumentError) as caught:
        read_document(body, "http://x/documents/file.pdf", "application/pdf")
    assert caught.value.reason == reason


def test_too_many_pages_is_too_large():
    body = text_pdf(["A/81/L.9"] + ["line"] * 200, "long", date(2026, 1, 1))
    with pytest.raises(DocumentError) as caught:
        read_document(body, "http://x/a.pdf", "application/pdf", max_pages=2)
    assert caught.value.reason == "too-large"


def test_symbol_from_url_when_the_text_has_none():
    body = text_pdf(["Resolution adopted by the General Assembly on 1 July 2024, with text enough."], "t",
                    date(2024, 7, 1))
    document = read_document(body, "https://docs.un.org/fr/A/RES/78/311", "application/pdf")
    assert document.symbol == "A/RES/78/311" and document.language == "fr"
    assert language_from_url("https://x/documents/A_81_L.1-es.pdf") == "es"


@pytest.mark.slow
def test_documents_crawl_stores_versions_and_records_bad_files(tmp_path):
    db = f"sqlite:///{tmp_path / 'docs.db'}"
    with DemoSite() as site:
        (tmp_path / "sources.toml").write_text(
            f'[[source]]\nname = "un-docs"\nkind = "documents"\nurl = "{site.base_url}/documents/"\n'
            f'link_pattern = "/documents/.+\\\\.(pdf|html)$"\n', encoding="utf-8")
        result = subprocess.run(
            [*NEWSMON, "crawl", "--sources", "sources.toml", "--db", db, "--raw-dir", str(tmp_path / "raw"),
             "-s", "DOWNLOAD_DELAY=0", "-s", "AUTOTHROTTLE_ENABLED=False", "-s", "NEWSMON_EXTRACT_PROCESSES=0"],
            cwd=tmp_path, capture_output=True, text=True, timeout=180)
        assert result.returncode == 0, result.stderr[-3000:]
        assert "3 documents stored" in result.stdout
        assert "1 encrypted" in result.stdout and "1 no-text-layer" in result.stdout
        again = subprocess.run(  # the next night asks nothing again: documents and bad files are known
            [*NEWSMON, "crawl", "--sources", "sources.toml", "--db", db, "--raw-dir", str(tmp_path / "raw"),
             "-s", "DOWNLOAD_DELAY=0", "-s", "AUTOTHROTTLE_ENABLED=False", "-s", "NEWSMON_EXTRACT_PROCESSES=0"],
            cwd=tmp_path, capture_output=True, text=True, timeout=180)
        assert again.returncode == 0 and "0 pages fetched" in again.stdout, again.stdout
    factory = open_database(db)
    with factory() as session:
        documents = {d.symbol: d for d in session.scalars(select(Document))}
        assert set(documents) == {"A/C.2/81/L.12", "A/HRC/RES/61/5"}
        versions = session.scalars(select(DocumentVersion).where(
            DocumentVersion.document_id == documents["A/C.2/81/L.12"].id)).all()
        assert sorted(v.language for v in versions) == ["en", "fr"]
        assert all(v.raw_ref and (tmp_path / "raw" / v.raw_ref[:2] / f"{v.raw_ref}.gz").exists() for v in versions)
        failures = {f.url.rsplit("/", 1)[-1]: f.reason for f in session.scalars(select(DocumentFailure))}
        assert failures == {ENCRYPTED_PATH.rsplit("/", 1)[-1]: "encrypted", SCAN_PATH.rsplit("/", 1)[-1]: "no-text-layer"}
    factory.kw["bind"].dispose()


def test_run_stats_of_two_crawlers_add_up():
    from newsmon.crawling import merge_stats

    merged = merge_stats([
        {"finish_reason": "finished", "newsmon/pages_fetched": 40, "newsmon/config_errors": 1},
        {"finish_reason": "finished", "newsmon/pages_fetched": 5, "newsmon/documents/stored": 3,
         "newsmon/config_errors": 1},
    ])
    assert merged["newsmon/pages_fetched"] == 45 and merged["newsmon/documents/stored"] == 3
    assert merged["newsmon/config_errors"] == 1 and merged["finish_reason"] == "finished"
    assert merge_stats([{"finish_reason": "finished"}, {"finish_reason": "shutdown"}])["finish_reason"] == "shutdown"


def test_citations_pipeline_sets_the_item_citations():
    from types import SimpleNamespace

    from scrapy.settings import Settings
    from scrapy.statscollectors import MemoryStatsCollector

    from crawlers.pipelines.citations import CitationsPipeline

    stats = MemoryStatsCollector(SimpleNamespace(settings=Settings({"STATS_DUMP": False})))
    article = SimpleNamespace(title="Vote", text="The UN General Assembly adopted resolution 78/265 and A/78/L.49.")
    item = CitationsPipeline(stats).process_item({"article": article})
    assert [c.symbol for c in item["citations"]] == ["A/RES/78/265", "A/78/L.49"]
    assert stats.get_value("newsmon/citations/links") == 2
