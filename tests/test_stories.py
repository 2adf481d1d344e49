"""Stories in the database, on SQLite and PostgreSQL: assignment, persistence, revisions, queries, CLI."""
from __future__ import annotations

from datetime import datetime, timedelta

from click.testing import CliRunner
from sqlalchemy import func, select

from newsmon.cli import cli
from newsmon.dedup import DedupSettings
from storage.articles import ArticleRecord, text_hash, upsert_articles
from storage.models import Article, ArticleRevision, ArticleSignature, Story
from storage.stories import (
    stories_overview,
    story_changed,
    story_content_hash,
    story_outlets,
)
from storage.storyindex import StoryIndex
from test_dedup import ANALYSIS, REACTION, WIRE, ZH_WIRE, edited_copy

T0 = datetime(2026, 9, 12, 8, 0)


def add(session, url: str, text: str, source: str, minutes: int = 0, title: str | None = None) -> Article:
    when = T0 + timedelta(minutes=minutes)
    article = Article(url=url, fetched_url=url, source=source, title=title or url.rsplit("/", 1)[-1], text=text,
                      content_hash=text_hash(text), first_seen=when, updated=when, published=when)
    session.add(article)
    session.flush()
    return article


def revisions(session) -> int:
    return session.scalar(select(func.count()).select_from(ArticleRevision))


def load(session) -> StoryIndex:
    return StoryIndex.load(session, now=T0 + timedelta(days=1), freeze_gc=False)


def test_copies_join_one_story_and_different_articles_stay_apart(session):
    index = load(session)
    wire = add(session, "https://wire.example/un-panel", WIRE, "wire")
    first = index.assign(session, wire)
    copy = add(session, "https://daily.example/world/un-ai-panel", edited_copy(WIRE), "daily", minutes=30)
    analysis = add(session, "https://weekly.example/analysis", ANALYSIS, "weekly", minutes=60)
    zh = add(session, "https://xinhua.example/zh", ZH_WIRE, "xinhua", minutes=90)
    assert index.assign(session, copy) == first
    assert index.assign(session, analysis) not in (first,)
    assert index.assign(session, zh) not in (first, analysis.story_id)
    session.commit()
    assert copy.story_id == wire.story_id == first
    story = session.get(Story, first)
    assert story.first_seen == T0 and story.last_seen == T0 + timedelta(minutes=30)
    assert session.get(ArticleSignature, copy.id) is not None


def test_a_new_index_sees_stories_of_earlier_sessions(session_factory):
    with session_factory() as s:
        first = load(s).assign(s, add(s, "https://wire.example/un-panel", WIRE, "wire"))
        load(s).assign(s, add(s, "https://weekly.example/analysis", ANALYSIS, "weekly", minutes=5))
        s.commit()
    with session_factory() as s:
        index = load(s)
        assert len(index) == 2
        copy = add(s, "https://daily.example/un", edited_copy(WIRE), "daily", minutes=60)
        assert index.assign(s, copy) == first
        s.commit()


def test_an_index_picks_up_articles_other_processes_stored(session_factory):
    with session_factory() as mine, session_factory() as theirs:
        # Loaded before the other process stored anything; looks for its articles on every assign.
        index = StoryIndex.load(mine, now=T0 + timedelta(days=1), refresh_seconds=0, freeze_gc=False)
        other = load(theirs)
        first = other.assign(theirs, add(theirs, "https://wire.example/un-panel", WIRE, "wire"))
        theirs.commit()
        copy = add(mine, "https://daily.example/un", edited_copy(WIRE), "daily", minutes=60)
        assert index.assign(mine, copy) == first
        mine.commit()


def test_an_article_committed_after_higher_ids_were_indexed_is_still_picked_up(session_factory):
    """On PostgreSQL ids are taken at flush, not commit: a lower id can appear after the index read higher ones."""
    with session_factory() as s:
        placeholder = add(s, "https://wire.example/placeholder", "x", "wire")  # holds a low id for the late one
        load(s).assign(s, add(s, "https://weekly.example/analysis", ANALYSIS, "weekly", minutes=5))
        late_id = placeholder.id
        s.delete(placeholder)
        s.commit()
    with session_factory() as mine, session_factory() as theirs:
        index = StoryIndex.load(mine, now=T0 + timedelta(days=1), refresh_seconds=0, freeze_gc=False)
        assert len(index) == 1 and late_id not in index.copies
        late = Article(id=late_id, url="https://wire.example/un-panel", fetched_url="https://wire.example/un-panel",
                       source="wire", title="un-panel", text=WIRE, content_hash=text_hash(WIRE),
                       first_seen=T0, updated=T0, published=T0)
        theirs.add(late)
        theirs.flush()
        first = load(theirs).assign(theirs, late)
        theirs.commit()
        copy = add(mine, "https://daily.example/un", edited_copy(WIRE), "daily", minutes=60)
        assert index.assign(mine, copy) == first
        mine.commit()
        assert index.refresh(mine) == 0  # the overlap re-reads known ids without adding them again


def test_articles_outside_the_window_are_not_matched(session_factory):
    with session_factory() as s:
        load(s).assign(s, add(s, "https://wire.example/un-panel", WIRE, "wire"))
        s.commit()
    with session_factory() as s:
        index = StoryIndex.load(
            s, DedupSettings(window_days=30), now=T0 + timedelta(days=60), freeze_gc=False
        )
        assert len(index) == 0


def test_a_rolled_back_story_is_not_reused(session_factory):
    with session_factory() as s:
        index = load(s)
        index.assign(s, add(s, "https://wire.example/un-panel", WIRE, "wire"))
        s.rollback()
        copy = add(s, "https://daily.example/un", edited_copy(WIRE), "daily", minutes=60)
        story_id = index.assign(s, copy)
        s.commit()
        assert s.get(Story, story_id) is not None
        assert [a.url for a in s.get(Story, story_id).articles] == ["https://daily.example/un"]


def test_a_changed_page_keeps_its_story_and_reports_substantial_change(session):
    index = load(session)
    record = ArticleRecord(url="https://wire.example/un-panel", fetched_url="https://wire.example/un-panel",
                           source="wire", text=WIRE, title="UN sets up AI panel", fetched=T0)
    upsert_articles(session, [record], index)
    article = session.scalar(select(Article))
    story_id, delivered = article.story_id, story_content_hash(session, article.story_id)
    assert delivered == text_hash(WIRE)
    assert not story_changed(session, story_id, delivered)

    small = WIRE.replace("next July", "in July 2027")
    upsert_articles(session, [ArticleRecord(**{**record.__dict__, "text": small, "fetched": T0 + timedelta(hours=1)})], index)
    assert article.story_id == story_id and revisions(session) == 1
    assert not story_changed(session, story_id, delivered)

    rewritten = REACTION + "\n\n" + WIRE.split("\n\n")[0]  # the page now carries a different article
    upsert_articles(session, [ArticleRecord(**{**record.__dict__, "text": rewritten, "fetched": T0 + timedelta(hours=2)})], index)
    session.commit()
    assert article.story_id == story_id and revisions(session) == 2
    assert story_changed(session, story_id, delivered)
    assert story_changed(session, story_id, text_hash(small))
    assert not story_changed(session, story_id, "0" * 64)  # a hash the story never had
    assert session.get(Story, story_id).last_seen == T0 + timedelta(hours=2)


def test_stories_overview_and_outlets(session):
    index = load(session)
    wire = add(session, "https://wire.example/un-panel", WIRE, "wire", title="UN creates AI panel")
    copies = [add(session, f"https://{site}.example/un", edited_copy(WIRE), site, minutes=10 * (i + 1))
              for i, site in enumerate(["daily", "times", "daily2"])]
    again = add(session, "https://daily.example/amp/un", edited_copy(WIRE), "daily", minutes=50)
    analysis = add(session, "https://weekly.example/analysis", ANALYSIS, "weekly", minutes=5, title="What the panel can do")
    for article in [wire, *copies, again, analysis]:
        index.assign(session, article)
    session.commit()

    rows = stories_overview(session)
    assert [r.story_id for r in rows] == [wire.story_id, analysis.story_id]  # newest copy first
    top = rows[0]
    assert (top.articles, top.outlet_count, top.title, top.url) == (5, 4, "UN creates AI panel", wire.url)
    assert top.outlets == ("wire", "daily", "times", "daily2")
    assert (top.first_seen, top.latest, top.first_published) == (T0, T0 + timedelta(minutes=50), T0)

    only_times = select(Article.id).where(Article.source == "times")
    [row] = stories_overview(session, only_times)
    assert row.story_id == wire.story_id and row.outlet_count == 4
    [row] = stories_overview(session, only_times, whole_story=False)
    assert (row.articles, row.outlets, row.url) == (1, ("times",), "https://times.example/un")
    assert stories_overview(session, [analysis.id])[0].title == "What the panel can do"
    assert len(stories_overview(session, limit=1)) == 1

    outlets = story_outlets(session, wire.story_id)
    assert [(o.source, o.url) for o in outlets] == [
        ("wire", wire.url), ("daily", "https://daily.example/un"), ("times", "https://times.example/un"),
        ("daily2", "https://daily2.example/un"),
    ]


def test_assign_unassigned_gives_every_stored_article_a_story(session):
    add(session, "https://wire.example/un-panel", WIRE, "wire")
    add(session, "https://daily.example/un", edited_copy(WIRE), "daily", minutes=1)
    add(session, "https://weekly.example/analysis", ANALYSIS, "weekly", minutes=2)
    assert load(session).assign_unassigned(session, batch=2) == 3
    stories = session.scalars(select(Article.story_id).order_by(Article.id)).all()
    assert stories[0] == stories[1] != stories[2] and None not in stories


def test_story_command_shows_articles_and_revisions(db_url, session_factory):
    with session_factory() as s:
        index = load(s)
        record = ArticleRecord(url="https://wire.example/un-panel", fetched_url="https://wire.example/un-panel",
                               source="wire", text=WIRE, title="UN sets up AI panel", fetched=T0)
        upsert_articles(s, [record], index)
        upsert_articles(s, [ArticleRecord(**{**record.__dict__, "text": WIRE + " Updated.", "title": "UN creates AI panel",
                                             "fetched": T0 + timedelta(hours=1)})], index)
        copy = add(s, "https://daily.example/un", edited_copy(WIRE), "daily", minutes=30, title="AI panel agreed")
        story_id = index.assign(s, copy)
        s.commit()
    runner = CliRunner()
    result = runner.invoke(cli, ["story", str(story_id), "--db", db_url])
    assert result.exit_code == 0, result.output
    out = result.output
    assert f"Story {story_id}: 2 articles from 2 outlets" in out
    assert "UN creates AI panel" in out and "https://wire.example/un-panel" in out
    assert "earlier version fetched 2026-09-12 08:00: UN sets up AI panel" in out
    assert "AI panel agreed" in out and "https://daily.example/un" in out

    missing = runner.invoke(cli, ["story", "999999", "--db", db_url])
    assert missing.exit_code == 1
    assert "there is no story 999999" in missing.output and "Traceback" not in missing.output


def test_resign_after_a_settings_change_keeps_matching(session_factory):
    with session_factory() as s:
        first = load(s).assign(s, add(s, "https://wire.example/un-panel", WIRE, "wire"))
        s.commit()
    settings = DedupSettings(num_perm=64, lsh_bands=16, lsh_rows=2, shingle=4)
    with session_factory() as s:
        index = StoryIndex.load(s, settings, now=T0 + timedelta(days=1), freeze_gc=False)
        assert len(index) == 0  # stored signatures do not fit these settings
        assert index.resign(s) == 1 and len(index) == 1
        assert index.assign(s, add(s, "https://daily.example/un", edited_copy(WIRE), "daily", minutes=5)) == first
        s.commit()
