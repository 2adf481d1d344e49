"""A small store for the workbench tests: a wire story on two outlets, four languages, tags,
a revision, an irrelevant article, an article whose title and URL are hostile, and crawl runs."""
from __future__ import annotations

from datetime import datetime, timedelta
from types import SimpleNamespace

from sqlalchemy import select

from newsmon.clock import utcnow
from newsmon.reasons import Reason
from newsmon.runstats import SourceCount as Count, source_dropped_key, source_key
from storage.articles import ArticleRecord, upsert_articles
from storage.db import open_database
from storage.models import Article, CrawlRun
from storage.storyindex import StoryIndex
from storage.tagging import apply_tags

PWN = '<script>document.documentElement.setAttribute("data-pwned", "yes")</script>'
EVIL_TITLE = f"{PWN}Evil <b>headline</b> =HYPERLINK(\"x\")"
WIRE = ("GENEVA (Wire) - Diplomats meeting in Geneva agreed on Friday to open negotiations on a treaty "
        "governing lethal autonomous weapons, after a decade of talks under the Convention on Certain "
        "Conventional Weapons. Delegates said the mandate covers human control over the use of force, "
        "testing and accountability, and a first session is planned for the spring in New York. ") * 3


def record(url: str, source: str, title: str, text: str, language: str, published: datetime) -> ArticleRecord:
    return ArticleRecord(url=url, fetched_url=url, source=source, title=title, text=text, language=language,
                         published=published, site=url.split("/")[2])


ARTICLES = [  # record, relevance, relevant, topics
    (record("https://one.example/laws", "one", "Treaty talks on autonomous weapons to open", WIRE, "en",
            datetime(2026, 11, 2, 9)), 0.95, True, {"military-ai": 0.81}),
    (record("https://two.example/laws", "two", "Geneva: autonomous weapons negotiations agreed",
            "Advertisement. " + WIRE, "en", datetime(2026, 11, 2, 11)), 0.94, True, {"military-ai": 0.78}),
    (record("https://a.example/chips", "a", "New export controls on AI chips",
            "Export controls on advanced AI chips were tightened today by the commerce ministry. " * 8, "en",
            datetime(2026, 11, 3)), 0.9, True, {"sanctions": 0.92}),
    (record("https://b.example/armes", "b", "Armes autonomes : reprise des discussions",
            "Les discussions sur les armes autonomes reprennent à Genève cette semaine. " * 8, "fr",
            datetime(2026, 10, 2)), 0.7, True, {"military-ai": 0.55}),
    (record("https://c.example/xinpian", "c", "先进芯片出口管制再度升级",
            "美国商务部宣布进一步收紧先进人工智能芯片的出口管制，业界担忧全球供应链受到冲击。" * 6, "zh",
            datetime(2026, 11, 4)), 0.88, True, {"sanctions": 0.7}),
    (record("javascript:alert(1)//evil", "evil", EVIL_TITLE,
            "Officials warned about unsafe frontier models and called for safety evaluations. " * 8, "en",
            datetime(2026, 11, 5)), 0.6, True, {"safety": 0.5}),
    (record("https://d.example/football", "d", "=1+1 Derby ends in a draw",
            "The football derby ended in a goalless draw on Sunday evening. " * 8, "en",
            datetime(2026, 11, 1)), 0.05, False, {}),
]


def seed_workbench(db_url: str) -> dict[str, int]:
    """Store the sample; returns article ids by source."""
    factory = open_database(db_url, migrate=False)
    try:
        with factory() as session, session.begin():
            index = StoryIndex.load(session)
            upsert_articles(session, [r for r, *_ in ARTICLES], stories=index)
            ids = {a.source: a.id for a in session.scalars(select(Article))}
            for rec, relevance, relevant, topics in ARTICLES:
                article = session.get(Article, ids[rec.source])
                apply_tags(session, article, SimpleNamespace(relevance=relevance, relevant=relevant, topics=topics),
                           "test-model")
        with factory() as session, session.begin():  # the chips page changed: a revision
            changed = ARTICLES[2][0]
            text = changed.text + " The rules take effect in January."
            upsert_articles(session, [ArticleRecord(**{**changed.__dict__, "text": text})])
            now = utcnow()
            stats = {source_key("a", Count.ENTRY_PAGES): 1, source_key("a", Count.LINKS_FOUND): 3,
                     source_key("a", Count.PAGES_FETCHED): 3, source_key("a", Count.ARTICLES_NEW): 1,
                     source_key("b", Count.ENTRY_PAGES): 1, source_key("b", Count.LINKS_FOUND): 4,
                     source_key("b", Count.PAGES_FETCHED): 4, source_dropped_key("b", Reason.NO_ARTICLE): 3}
            session.add(CrawlRun(started=now - timedelta(hours=1), finished=now, status="finished", stats=stats))
        return ids
    finally:
        factory.kw["bind"].dispose()
