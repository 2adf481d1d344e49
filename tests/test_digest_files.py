"""File and Atom channels: dated Markdown + HTML files, a valid Atom feed, failure then retry."""
from __future__ import annotations

import datetime as dt
import xml.etree.ElementTree as ET
from dataclasses import replace

import feedparser
from sqlalchemy import func, select

from alerts.run import run_subscription
from alerts.subscriptions import Subscription
from storage.models import Delivery
from test_alerts_support import NOW, add_article, options

ATOM = "{http://www.w3.org/2005/Atom}"
EVIL = '<script>alert("x")</script> Sanctions & "chips"'


def count(session_factory) -> int:
    with session_factory() as s:
        return s.scalar(select(func.count()).select_from(Delivery))


def seed(session_factory, n: int = 2, when: dt.datetime = NOW - dt.timedelta(hours=2)) -> None:
    with session_factory() as s:
        add_article(s, title=EVIL, source="scmp", url=f"https://scmp.example/a?x=1&y={when:%H%M}",
                    topics={"sanctions": 0.9}, first_seen=when)
        for i in range(n - 1):
            add_article(s, title=f"Story {i} at {when:%H:%M}", source="bbc", topics={"un-governance": 0.7},
                        first_seen=when + dt.timedelta(minutes=i))
        s.commit()


def test_file_channel_writes_dated_markdown_and_html(tmp_path, session_factory):
    seed(session_factory)
    folder = tmp_path / "digests" / "un"
    sub = Subscription(name="un-governance-file", channel="file", path=str(folder))
    outcome = run_subscription(session_factory, sub, options())
    assert outcome.status == "sent", outcome.message
    md, html = (folder / "2026-11-20.md").read_text(), (folder / "2026-11-20.html").read_text()
    assert "# un\\-governance\\-file" not in md and md.startswith("# un-governance-file")
    assert r"\<script\>alert\(\"x\"\)\</script\> Sanctions \& \"chips\"" not in md  # quotes stay
    assert r"[\<script\>alert\(" in md and "](<https://scmp.example/a?x=1&y=0500>)" in md
    assert "<script>" not in md and "<script>" not in html
    assert "&lt;script&gt;alert(&#34;x&#34;)&lt;/script&gt; Sanctions &amp; &#34;chips&#34;" in html
    assert 'href="https://scmp.example/a?x=1&amp;y=0500"' in html
    assert "<svg" in html
    assert count(session_factory) == 2

    seed(session_factory, n=1, when=NOW + dt.timedelta(hours=1))
    later = run_subscription(session_factory, sub, options(NOW + dt.timedelta(hours=2)))
    assert later.status == "sent" and later.stories == 1
    assert (folder / "2026-11-20-2.md").exists() and (folder / "2026-11-20-2.html").exists()
    assert "scmp" in (folder / "2026-11-20-2.md").read_text()
    assert "Story 0" not in (folder / "2026-11-20-2.md").read_text()  # delivered before


def test_unwritable_folder_records_nothing_then_retry_writes(tmp_path, session_factory):
    seed(session_factory)
    blocker = tmp_path / "full"
    blocker.write_text("a file where the folder should be")  # like a full or broken disk: writes fail
    sub = Subscription(name="un-governance-file", channel="file", path=str(blocker / "digests"))
    failed = run_subscription(session_factory, sub, options())
    assert failed.status == "failed" and "cannot write" in failed.message
    assert count(session_factory) == 0
    blocker.unlink()
    sent = run_subscription(session_factory, sub, options())
    assert sent.status == "sent" and sent.stories == 2
    assert sorted(p.name for p in (blocker / "digests").iterdir()) == ["2026-11-20.html", "2026-11-20.md"]


def test_atom_feed_is_valid_and_keeps_the_latest_n(tmp_path, session_factory):
    feed = tmp_path / "feeds" / "safety.atom"
    sub = Subscription(name="ai-safety-feed", channel="atom", path=str(feed), entries=3)
    seed(session_factory, n=2)
    first = run_subscription(session_factory, sub, options())
    assert first.status == "sent", first.message
    seed(session_factory, n=2, when=NOW + dt.timedelta(hours=1))
    second = run_subscription(session_factory, sub, options(NOW + dt.timedelta(hours=2)))
    assert second.status == "sent" and second.stories == 2

    parsed = feedparser.parse(feed.read_bytes())
    assert parsed.bozo == 0, parsed.get("bozo_exception")
    assert parsed.version == "atom10"
    assert len(parsed.entries) == 3
    root = ET.parse(feed).getroot()
    assert root.tag == f"{ATOM}feed"
    for tag in ("id", "title", "updated", "author"):
        assert root.find(f"{ATOM}{tag}") is not None
    entries = root.findall(f"{ATOM}entry")
    ids = [e.findtext(f"{ATOM}id") for e in entries]
    assert len(set(ids)) == 3 and all(i.startswith("urn:newsmon:subscription:ai-safety-feed:story:") for i in ids)
    for entry in entries:
        for tag in ("id", "title", "updated", "summary", "content"):
            assert entry.find(f"{ATOM}{tag}") is not None
    titles = [e.findtext(f"{ATOM}title") for e in entries]
    assert EVIL in titles[:2]  # the newest delivery first; the title is text, not markup
    evil = entries[titles.index(EVIL)]
    content = evil.findtext(f"{ATOM}content")
    assert "<script>" not in content and "&lt;script&gt;" in content
    assert evil.find(f"{ATOM}link").get("href") == "https://scmp.example/a?x=1&y=0800"
    assert count(session_factory) == 4


def test_atom_write_failure_keeps_the_old_feed(tmp_path, session_factory):
    feed = tmp_path / "safety.atom"
    sub = Subscription(name="ai-safety-feed", channel="atom", path=str(feed))
    seed(session_factory, n=1)
    assert run_subscription(session_factory, sub, options()).status == "sent"
    before = feed.read_bytes()
    seed(session_factory, n=1, when=NOW + dt.timedelta(hours=1))
    broken = replace(sub, path=str(tmp_path / "not-a-folder" / "x.atom"))
    (tmp_path / "not-a-folder").write_text("")
    assert run_subscription(session_factory, broken, options(NOW + dt.timedelta(hours=2))).status == "failed"
    assert feed.read_bytes() == before and count(session_factory) == 1


def test_an_unexpected_error_in_one_subscription_does_not_stop_the_others(tmp_path, session_factory):
    from alerts.run import run_digests

    def broken_smtp(*args, **kwargs):
        raise RuntimeError("bug in a client library")

    seed(session_factory)
    mail = Subscription(name="mail", channel="email", to=("a@example.org",))
    files = Subscription(name="files", channel="file", path=str(tmp_path / "out"))
    env = {"NEWSMON_SMTP_HOST": "127.0.0.1", "NEWSMON_MAIL_FROM": "a@example.org"}
    first, second = run_digests(session_factory, [mail, files], options(env=env, smtp_factory=broken_smtp))
    assert first.failed and "unexpected error, nothing recorded (RuntimeError: bug in a client library)" in first.message
    assert second.status == "sent"
    with session_factory() as s:
        assert s.scalars(select(Delivery.subscription).distinct()).all() == ["files"]
