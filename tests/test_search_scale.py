"""Search at a million articles (issue 14): CJK full text, capped totals, sampled facets, stories
walked newest first, and migration 0009 both ways. Each on SQLite and PostgreSQL."""
from __future__ import annotations

from dataclasses import replace
from datetime import date, datetime, timedelta
from types import SimpleNamespace

import pytest
from sqlalchemy import insert, select, text, update

import storage.stories
from storage.articles import ArticleRecord, upsert_articles
from storage.db import make_engine, open_database
from storage.fulltext import PG_DOCUMENT, fts5_query, fts_text
from storage.models import Article, ArticleTopic, Story
from storage.queries import ArticleFilter, article_date, filtered, find_articles, total_matching
from storage.search import attention, facets
from storage.stories import stories_overview

START = datetime(2026, 11, 1)


def record(url: str, text: str, language: str = "en", day: int = 0, title: str = "News") -> ArticleRecord:
    return ArticleRecord(url=url, fetched_url=url, text=text, source="s", title=title, language=language,
                         published=START + timedelta(days=day))


def test_cjk_runs_are_indexed_as_pairs_and_queried_as_phrases():
    assert fts_text("AI芯片出口") == "AI 芯 芯片 片出 出口 口 "
    assert fts_text("export controls") == "export controls"
    assert fts5_query("芯片出口 AI") == '"芯片 片出 出口" "AI"'
    assert fts5_query("芯") == '"芯" *'
    assert fts5_query('chips" OR "x') == '"chips""" "OR" """x"'  # every word quoted: never syntax


def test_chinese_and_japanese_words_are_found(session):
    with session.begin():
        upsert_articles(session, [
            record("https://a.example/zh", "美国收紧对华芯片出口管制，人工智能治理成为焦点。" * 5, "zh"),
            record("https://a.example/ja", "政府は半導体の輸出規制を強化した。生成AIの安全性も議論。" * 5, "ja"),
            record("https://a.example/en", "Export controls on chips tighten again this week. " * 5),
        ])

    def urls(search: str) -> list[str]:
        return sorted(a.url for a in find_articles(session, ArticleFilter(search=search)))

    assert urls("芯片") == ["https://a.example/zh"]
    assert urls("人工智能治理") == ["https://a.example/zh"]
    assert urls("芯") == ["https://a.example/zh"]  # one character: a prefix of the pairs
    assert urls("輸出規制") == ["https://a.example/ja"]
    assert urls("生成AI") == ["https://a.example/ja"]  # scripts split as the index splits them
    assert urls("片芯") == []  # the pairs in the order written, not in any order
    assert urls("chips") == ["https://a.example/en"]
    assert urls("。") == []  # punctuation alone is nothing to search for, not an error


def fill(session, stories: int, copies: int = 3) -> None:
    """``stories`` stories of ``copies`` articles an hour apart; even stories tagged 'safety'."""
    session.execute(insert(Story), [{"id": s + 1, "first_seen": START, "last_seen": START} for s in range(stories)])
    rows, tags = [], []
    for s in range(stories):
        for c in range(copies):
            i = s * copies + c + 1
            seen = START + timedelta(hours=s * 5 + c)
            rows.append({"id": i, "url": f"https://x.example/{i}", "fetched_url": f"https://x.example/{i}",
                         "source": f"s{c}", "title": f"story {s}", "text": "treaty talks resume", "language": "en",
                         "content_hash": f"{i:064x}", "first_seen": seen, "updated": seen, "published": seen,
                         "story_id": s + 1, "relevant": s % 2 == 0})
            if s % 2 == 0 and c == 0:
                tags.append({"article_id": i, "label": "safety", "confidence": 0.9, "model_version": "t"})
    session.execute(insert(Article), rows)
    session.execute(insert(ArticleTopic), tags)
    session.commit()


def test_totals_stop_at_the_cap_and_say_so(session):
    fill(session, 10)
    assert total_matching(session, ArticleFilter()) == (30, False)
    assert total_matching(session, ArticleFilter(limit=10), cap=12) == (12, True)
    assert total_matching(session, ArticleFilter(topics=["safety"], limit=2), stories=True, cap=4) == (4, True)
    assert total_matching(session, ArticleFilter(topics=["safety"]), stories=True) == (5, False)
    assert total_matching(session, ArticleFilter(search="treaty", limit=2), cap=5) == (5, True)
    # counted in the topic's tags alone, in the full-text index alone: the same numbers
    assert total_matching(session, ArticleFilter(topics=["safety"])) == (5, False)
    assert total_matching(session, ArticleFilter(topics=["safety"], since=START + timedelta(hours=20))) == (3, False)
    assert total_matching(session, ArticleFilter(topics=["safety"], min_confidence=0.95)) == (0, False)
    assert total_matching(session, ArticleFilter(topics=["safety"], sources=["s1"])) == (0, False)
    assert total_matching(session, ArticleFilter(search="treaty")) == (30, False)
    assert total_matching(session, ArticleFilter(search="nothing")) == (0, False)
    # stories are counted among the first 2 x cap articles: exactly that many is all of them
    assert total_matching(session, ArticleFilter(limit=None), stories=True, cap=15) == (10, False)  # 30 articles
    assert total_matching(session, ArticleFilter(limit=None), stories=True, cap=14).is_lower_bound
    assert total_matching(session, ArticleFilter(topics=["safety"], limit=None), stories=True, cap=3) == (3, True)
    # a page past the cap is counted up to its end, so paging deep still knows where results stop
    assert total_matching(session, ArticleFilter(limit=10, offset=20), cap=5) == (30, False)


def test_walking_stories_newest_first_gives_the_same_pages(session, monkeypatch):
    fill(session, 12)
    f = ArticleFilter(topics=["safety"])
    grouped = [stories_overview(session, f, limit=4, offset=o) for o in (0, 4)]
    monkeypatch.setattr(storage.stories, "DENSE", 1)  # every selection counts as large: walk
    walked = [stories_overview(session, f, limit=4, offset=o) for o in (0, 4)]
    assert walked == grouped
    assert [row.story_id for row in walked[0]] == [11, 9, 7, 5] and walked[0][0].articles == 3
    assert [row.story_id for row in stories_overview(session, ArticleFilter(search="treaty"), limit=2)] == [12, 11]


def test_common_words_are_looked_for_among_the_newest_articles_first_with_the_same_pages(session, monkeypatch):
    import storage.fulltext
    import storage.queries

    fill(session, 12)  # 36 articles an hour apart, ids in date order, every one "treaty talks resume"
    session.execute(update(Article).where(Article.id == 1).values(published=START + timedelta(days=30)))  # old id, newest date
    session.execute(update(Article).where(Article.id == 36).values(published=START - timedelta(days=30)))  # and the reverse
    session.execute(update(Article).where(Article.id % 5 == 0).values(text="other words"))
    session.commit()
    cases = [ArticleFilter(search="treaty", limit=5), ArticleFilter(search="treaty", limit=4, offset=9),
             ArticleFilter(search="treaty", limit=50), ArticleFilter(search="treaty talks", sources=["s1"], limit=3),
             ArticleFilter(search="treaty", since=START + timedelta(hours=20), until=START + timedelta(hours=41), limit=4),
             ArticleFilter(search="treaty", until=START + timedelta(hours=3), limit=5),
             ArticleFilter(search="treaty", topics=["safety"], limit=2, offset=1)]
    monkeypatch.setattr(storage.fulltext, "COMMON", 3)  # every word here is common
    whole = [[a.id for a in find_articles(session, f)] for f in cases]  # windows wider than the store: none
    windows = []

    def recorded(*args):
        windows.append(storage.queries.recent_window.__wrapped__(*args))
        return windows[-1]

    recorded.__wrapped__ = storage.queries.recent_window
    monkeypatch.setattr(storage.queries, "WINDOW", 1)
    monkeypatch.setattr(storage.queries, "recent_window", recorded)
    assert [[a.id for a in find_articles(session, f)] for f in cases] == whole
    assert whole[0] == [1, 34, 33, 32, 31] and whole[5] == [3, 2, 36] and whole[6] == [31, 19]
    assert any(window is not None for window in windows) == (session.get_bind().dialect.name == "sqlite")  # FTS5 lists


def test_a_search_with_other_filters_is_counted_among_the_newest_articles_as_a_lower_bound(session, monkeypatch):
    import storage.queries

    fill(session, 12)  # 36 articles, every one "treaty talks resume"; stories 1, 3, 5... tagged safety on one copy
    both = ArticleFilter(search="treaty", topics=["safety"])
    assert total_matching(session, both) == (6, False)  # the store is smaller than the window: exact
    monkeypatch.setattr(storage.queries, "COUNT_WINDOW", 9)  # the newest 9 articles: stories 10-12
    assert total_matching(session, both) == (1, True)  # story 11's tagged copy: at least 1
    assert total_matching(session, both, stories=True) == (1, True)
    assert total_matching(session, ArticleFilter(search="treaty")) == (36, False)  # alone: the full-text index, exact
    assert total_matching(session, ArticleFilter(search="treaty"), stories=True) == (3, True)  # its stories: windowed
    assert attention(session, both).sample is not None  # the chart samples rather than count
    assert [a.id for a in find_articles(session, replace(both, limit=10))] == [31, 25, 19, 13, 7, 1]  # pages: exact


def test_a_walk_chosen_on_an_estimate_is_bounded_and_gives_the_same_pages(session, monkeypatch):
    fill(session, 12)
    cases = [(ArticleFilter(search="treaty"), 4, 0), (ArticleFilter(search="treaty"), 4, 8),
             (ArticleFilter(search="nothing like it"), 4, 0)]
    grouped = [stories_overview(session, f, limit=limit, offset=offset) for f, limit, offset in cases]
    monkeypatch.setattr(storage.stories, "estimated_rows", lambda *_: 10**9)  # PostgreSQL: "many", wrongly or not
    for walk in (100, 5):  # beyond the store, then a bound the later pages lie past
        monkeypatch.setattr(storage.stories, "WALK", walk)
        assert [stories_overview(session, f, limit=limit, offset=offset) for f, limit, offset in cases] == grouped
    assert [row.story_id for row in grouped[0]] == [12, 11, 10, 9] and grouped[2] == []


def test_pages_walked_and_grouped_agree_on_stories_seen_at_the_same_moment(session, monkeypatch):
    moment = datetime(2026, 11, 5, 12)
    session.execute(insert(Story), [{"id": i, "first_seen": moment, "last_seen": moment} for i in range(1, 6)])
    copies = [(1, 4, moment - timedelta(hours=3)), (2, 5, moment - timedelta(hours=4)), (10, 2, moment),
              (11, 1, moment), (12, 3, moment + timedelta(hours=1))]  # stories 1 and 2: newest copies at one moment
    session.execute(insert(Article), [
        {"id": i, "url": f"https://x.example/{i}", "fetched_url": f"https://x.example/{i}", "source": "s",
         "text": "treaty talks", "content_hash": f"{i:064x}", "first_seen": seen, "updated": seen, "story_id": story}
        for i, story, seen in copies])
    session.commit()
    f = ArticleFilter(search="treaty")
    grouped = [row.story_id for row in stories_overview(session, f)]
    monkeypatch.setattr(storage.stories, "DENSE", 1)  # SQLite: walk every page
    monkeypatch.setattr(storage.stories, "estimated_rows", lambda *_: 10**9)  # PostgreSQL: walk on an estimate,
    monkeypatch.setattr(storage.stories, "WALK", 2)  # bounded, so later pages are grouped
    paged = [row.story_id for offset in (0, 2, 4) for row in stories_overview(session, f, limit=2, offset=offset)]
    assert paged == grouped == [3, 1, 2, 4, 5]  # the tie goes to the higher article id either way


@pytest.mark.postgres
def test_the_planners_estimate_is_asked_with_the_search_as_a_parameter(postgres_server):
    from storage.db import estimated_rows
    from storage.fulltext import matches

    factory = open_database(postgres_server, migrate=False)
    with factory() as session:
        assert estimated_rows(session, select(Article.id).where(matches("postgresql", "O'Neil's treaty; DROP"))) >= 0
    factory.kw["bind"].dispose()


def test_facets_and_chart_count_the_newest_matches_and_say_how_many(session):
    fill(session, 6)
    whole = facets(session, ArticleFilter())
    assert whole.sample is None and whole.sources == [("s0", 6), ("s1", 6), ("s2", 6)]
    assert whole.topics == [("safety", 3)]
    newest = facets(session, ArticleFilter(), sample=4)  # the newest four: story 6's and one of story 5's
    assert newest.sample == 4 and newest.sources == [("s2", 2), ("s0", 1), ("s1", 1)]
    chart = attention(session, ArticleFilter(topics=["safety"]))
    assert chart.sample is None and sum(chart.counts["safety"]) == 3
    assert attention(session, ArticleFilter(), sample=8, exact=17).sample == 8  # 18 matches: more than exact
    every = attention(session, ArticleFilter(), sample=8)  # 18 matches, all counted in SQL
    assert every.sample is None and every.counts == {"safety": [3]}
    assert attention(session, ArticleFilter(), sample=20, exact=17).counts == every.counts


def words_index_finds(factory, word: str) -> list[int]:
    """What the words-only index of revisions 0001-0007 finds, asked in its own SQL."""
    with factory() as session:
        if session.get_bind().dialect.name == "sqlite":
            sql = "SELECT rowid FROM article_fts WHERE article_fts MATCH :word"
        else:
            sql = f"SELECT id FROM article WHERE {PG_DOCUMENT} @@ plainto_tsquery('simple', :word)"
        return list(session.scalars(text(sql), {"word": word}))


def test_migration_0009_up_and_down(db_url):
    from alembic import command

    from storage.db import alembic_config

    engine = make_engine(db_url)
    config = alembic_config(engine)
    factory = open_database(db_url, migrate=False)
    with factory() as session, session.begin():  # at head: the ORM writes this code's columns
        upsert_articles(session, [record("https://a.example/zh", "美国收紧对华芯片出口管制。" * 5, "zh"),
                                  record("https://a.example/en", "Export controls tighten. " * 5)])
    command.downgrade(config, "0008")  # the words-only index, filled from the stored articles
    assert len(words_index_finds(factory, "tighten")) == 1
    command.upgrade(config, "head")  # the index is rebuilt from the stored articles
    with factory() as session:
        assert [a.url for a in find_articles(session, ArticleFilter(search="芯片"))] == ["https://a.example/zh"]
        assert [a.url for a in find_articles(session, ArticleFilter(search="export"))] == ["https://a.example/en"]
    command.downgrade(config, "0008")  # and back to the words-only index, filled again
    assert len(words_index_finds(factory, "tighten")) == 1
    command.upgrade(config, "head")
    factory.kw["bind"].dispose()
    engine.dispose()


def test_tags_carry_their_articles_date_and_story_through_every_write(session):
    from storage.articles import redate
    from storage.tagging import apply_tags

    undated = ArticleRecord(url="https://a.example/undated", fetched_url="https://a.example/undated",
                            text="Treaty talks. " * 5, source="s")
    upsert_articles(session, [record("https://a.example/dated", "Treaty talks. " * 5, day=3), undated])
    dated, first_seen_only = session.scalars(select(Article).order_by(Article.id)).all()
    for article in (dated, first_seen_only):
        apply_tags(session, article, SimpleNamespace(relevance=0.9, relevant=True,
                                                     topics={"safety": 0.8, "sanctions": 0.6}), "t")
    session.commit()

    def tag_dates(article: Article) -> set[datetime]:
        return set(session.scalars(select(ArticleTopic.article_date).where(ArticleTopic.article_id == article.id)))

    assert tag_dates(dated) == {START + timedelta(days=3)}
    assert tag_dates(first_seen_only) == {first_seen_only.first_seen}  # as article_date() says
    redate(session, dated.id, START + timedelta(days=5), None)  # the page now gives another date
    session.commit()
    assert tag_dates(dated) == {START + timedelta(days=5)}

    def tag_stories(article: Article) -> set[int | None]:
        return set(session.scalars(select(ArticleTopic.story_id).where(ArticleTopic.article_id == article.id)))

    assert tag_stories(dated) == {None}
    session.add(Story(id=7, first_seen=START, last_seen=START))
    session.flush()
    dated.story_id = 7  # joined to a story: its tags follow
    session.commit()
    assert tag_stories(dated) == {7} and tag_stories(first_seen_only) == {None}


def test_tags_carry_the_day_their_page_gave_through_every_write(session):
    from datetime import timezone

    from storage.articles import redate
    from storage.tagging import apply_tags

    evening_west = datetime(2026, 11, 1, 23, 30, tzinfo=timezone(timedelta(hours=-4)))  # 03:30 UTC on the 2nd
    upsert_articles(session, [
        ArticleRecord(url="https://a.example/west", fetched_url="https://a.example/west", source="s",
                      text="Treaty talks. " * 5, published=evening_west),
        ArticleRecord(url="https://a.example/undated", fetched_url="https://a.example/undated", source="s",
                      text="Other talks. " * 5)])
    west, undated = session.scalars(select(Article).order_by(Article.id)).all()
    for article in (west, undated):
        apply_tags(session, article, SimpleNamespace(relevance=0.9, relevant=True, topics={"safety": 0.8}), "t")
    session.commit()

    def tag_days(article: Article) -> set[date]:
        return set(session.scalars(select(ArticleTopic.page_day).where(ArticleTopic.article_id == article.id)))

    assert tag_days(west) == {date(2026, 11, 1)} and tag_days(undated) == {undated.first_seen.date()}
    redate(session, undated.id, datetime(2026, 11, 1, 23, 59, 59, 999600), None)  # SQLite rounded this to the 2nd
    session.commit()
    assert tag_days(undated) == {date(2026, 11, 1)}
    redate(session, west.id, datetime(2026, 11, 3, 0, 30, tzinfo=timezone(timedelta(hours=2))), None)
    session.commit()
    assert tag_days(west) == {date(2026, 11, 3)}  # 22:30 UTC on the 2nd, the 3rd where it was written


def test_migration_0012_fills_the_tags_days_and_goes_back(db_url):
    from alembic import command

    from storage.db import alembic_config

    engine = make_engine(db_url)
    config = alembic_config(engine)
    factory = open_database(db_url, migrate=False)
    with factory() as session:
        fill(session, 2)
        session.execute(Article.__table__.update().where(Article.id == 1).values(published_offset=-120))
        session.commit()
    command.downgrade(config, "0011")
    command.upgrade(config, "head")
    with factory() as session:  # 00:00 UTC on the 1st is 22:00 on October 31st at -02:00
        assert session.execute(select(ArticleTopic.article_id, ArticleTopic.page_day)).all() == [(1, date(2026, 10, 31))]
        chart = attention(session, ArticleFilter(topics=["safety"]))
        assert chart.days[0] == date(2026, 10, 31) and chart.counts["safety"][0] == 1
    factory.kw["bind"].dispose()
    engine.dispose()


def test_one_topic_walks_its_tags_and_selects_what_the_general_query_does(session):
    fill(session, 12)
    for f in [ArticleFilter(topics=["safety"]), ArticleFilter(topics=["safety"], min_confidence=0.95),
              ArticleFilter(topics=["safety"], since=START + timedelta(hours=20), until=START + timedelta(hours=41)),
              ArticleFilter(topics=["safety"], sources=["s0"], search="treaty", limit=2, offset=1),
              ArticleFilter(topics=["safety", "nothing"])]:
        general = filtered("any", f).order_by(article_date().desc(), Article.id.desc())
        general = session.scalars(general.limit(f.limit).offset(f.offset)).all() if f.search is None else None
        walked = find_articles(session, f)
        if general is not None:
            assert [a.id for a in walked] == [a.id for a in general]
    assert [a.id for a in find_articles(session, ArticleFilter(topics=["safety"]))] == [31, 25, 19, 13, 7, 1]
    assert [a.id for a in find_articles(session, ArticleFilter(topics=["safety"], sources=["s0"], search="treaty",
                                                                limit=2, offset=1))] == [25, 19]
    chart = attention(session, ArticleFilter(topics=["safety"], since=START + timedelta(hours=20)))
    assert sum(chart.counts["safety"]) == 4


def test_migration_0011_fills_the_tags_dates_and_goes_back(db_url):
    from alembic import command

    from storage.db import alembic_config

    engine = make_engine(db_url)
    config = alembic_config(engine)
    factory = open_database(db_url, migrate=False)
    with factory() as session:
        fill(session, 2)
    command.downgrade(config, "0010")
    command.upgrade(config, "head")
    with factory() as session:
        assert session.execute(select(ArticleTopic.article_id, ArticleTopic.article_date,
                                      ArticleTopic.story_id)).all() == [(1, START, 1)]
        assert [a.id for a in find_articles(session, ArticleFilter(topics=["safety"]))] == [1]
    factory.kw["bind"].dispose()
    engine.dispose()


@pytest.mark.postgres
def test_our_postgresql_sessions_keep_their_settings_across_transactions(postgres_server):
    from storage.db import POSTGRESQL_SESSION

    factory = open_database(postgres_server, migrate=False)
    for _ in range(2):  # a second session gets the pooled connection after its rollback
        with factory() as session:
            assert {name: session.scalar(text(f"SHOW {name}")) for name in POSTGRESQL_SESSION} == POSTGRESQL_SESSION
            session.rollback()
    factory.kw["bind"].dispose()


def test_the_chart_counts_each_story_on_the_day_its_page_gave(session):
    from datetime import timezone

    from storage.tagging import apply_tags

    evening_west = datetime(2026, 11, 1, 23, 30, tzinfo=timezone(timedelta(hours=-4)))  # 03:30 UTC on the 2nd
    after_midnight_east = datetime(2026, 11, 3, 0, 30, tzinfo=timezone(timedelta(hours=2)))  # 22:30 UTC on the 2nd
    upsert_articles(session, [
        ArticleRecord(url=f"https://a.example/{i}", fetched_url=f"https://a.example/{i}", source="s",
                      text=f"Story number {i} about treaty talks. " * 5, published=when)
        for i, when in enumerate((evening_west, after_midnight_east))])
    for article in session.scalars(select(Article)):
        apply_tags(session, article, SimpleNamespace(relevance=0.9, relevant=True, topics={"safety": 0.8}), "t")
    session.commit()
    f = ArticleFilter(topics=["safety"])
    for chart in (attention(session, f), attention(session, f, exact=1)):  # counted in SQL, then sampled
        shown = {day: n for day, n in zip(chart.days, chart.counts["safety"]) if n}
        assert shown == {date(2026, 11, 1): 1, date(2026, 11, 3): 1}
