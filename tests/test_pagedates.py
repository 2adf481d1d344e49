"""Dates read from the page as fetched: time and offset kept, structured metadata first."""
from __future__ import annotations

from datetime import datetime, timedelta, timezone

import lxml.html
import pytest

from newsmon.pagedates import parse_date, read_dates
from newsmon.pagemeta import read_facts


def dates(head: str = "", body: str = "", lang: str = "en", text_guess: str | None = None, hint=None):
    tree = lxml.html.fromstring(f'<html lang="{lang}"><head>{head}</head><body>{body}</body></html>')
    return read_dates(tree, read_facts(tree), text_guess, hint)


def tz(hours: float) -> timezone:
    return timezone(timedelta(hours=hours))


def test_jsonld_published_and_modified_keep_their_offset():
    head = ('<script type="application/ld+json">{"@type": "NewsArticle", '
            '"datePublished": "2024-04-25T19:30:00+02:00", "dateModified": "2024-04-26T08:00:00+02:00"}</script>')
    found = dates(head)
    assert found.published == datetime(2024, 4, 25, 19, 30, tzinfo=tz(2))
    assert found.published.isoformat() == "2024-04-25T19:30:00+02:00"  # not pushed to the next day
    assert found.modified == datetime(2024, 4, 26, 8, 0, tzinfo=tz(2))


def test_meta_and_time_elements():
    assert dates('<meta property="article:published_time" content="2024-03-21T14:05:00Z">').published == \
        datetime(2024, 3, 21, 14, 5, tzinfo=timezone.utc)
    found = dates(body='<time itemprop="datePublished" datetime="2024-03-21T09:05">21 March</time>')
    assert found.published == datetime(2024, 3, 21, 9, 5) and found.published.tzinfo is None
    day_only = dates('<meta name="date" content="2024-03-21">').published
    assert day_only == datetime(2024, 3, 21) and day_only.tzinfo is None


def test_structured_metadata_wins_over_the_text_guess():
    head = '<meta property="article:published_time" content="2023-05-04T10:00:00+01:00">'
    assert dates(head, text_guess="2019-01-07").published.date().isoformat() == "2023-05-04"


@pytest.mark.parametrize(("lang", "expected"), [("en-US", "2026-01-06"), ("de", "2026-06-01"), ("fr-FR", "2026-06-01")])
def test_ambiguous_day_and_month_follow_the_page_language(lang, expected):
    found = dates('<meta name="pubdate" content="01/06/2026">', lang=lang).published
    assert found.date().isoformat() == expected


def test_unambiguous_numeric_date_whatever_the_language():
    assert parse_date("25/04/2024", month_first=True) == datetime(2024, 4, 25)


def test_utc_metadata_shown_in_the_page_zone():
    head = '<meta property="article:published_time" content="2023-11-09T01:09:55+00:00">'
    body = '<time datetime="2023-11-08 18:09:55">November 8, 2023 at 6:09 p.m.</time>'
    found = dates(head, body).published
    assert found.isoformat() == "2023-11-08T18:09:55-07:00"
    explicit = '<script>var published = "2023-11-08T20:09:55-05:00";</script>'
    assert dates(head, explicit).published.isoformat() == "2023-11-08T20:09:55-05:00"


def test_byline_date_when_there_is_no_metadata():
    body = "<h1>見出し</h1><p>2019年4月4日 米インテルは</p><footer>© 2017</footer>"
    assert dates(body=body, lang="ja", text_guess="2017-01-01").published == datetime(2019, 4, 4)
    body = "<h1>Headline</h1><p>By A. Writer | Updated: Oct 9, 2019, 11:05 IST</p>"
    assert dates(body=body).published == datetime(2019, 10, 9)


def test_date_far_from_the_feed_date_is_not_trusted():
    hint = datetime(2023, 6, 14, 8, 0)
    head = '<meta property="article:published_time" content="2019-02-01T10:00:00Z">'
    assert dates(head, hint=hint).published == hint
    # a candidate near the feed's date is taken, with its time and offset
    body = '<time pubdate datetime="2023-06-14T09:30:00+02:00">14 June</time>'
    assert dates(head, body, hint=hint).published == datetime(2023, 6, 14, 9, 30, tzinfo=tz(2))
    near = '<meta property="article:published_time" content="2023-06-13T22:00:00-04:00">'
    assert dates(near, hint=hint).published.isoformat() == "2023-06-13T22:00:00-04:00"


@pytest.mark.parametrize("value", ["", "soon", "0000-00-00", "1899-01-01", "2024-13-45T10:00", "9" * 80,
                                   "2024-03-21T25:61:00", "2024-03-21T10:00:00+99:00"])
def test_bad_values_are_no_date(value):
    assert parse_date(value) is None or parse_date(value).tzinfo is None


def test_rfc_2822_and_epoch():
    assert parse_date("Thu, 21 Mar 2024 14:05:00 +0100") == datetime(2024, 3, 21, 14, 5, tzinfo=tz(1))
    assert parse_date("1711029900") == datetime(2024, 3, 21, 14, 5, tzinfo=timezone.utc)


def test_feed_date_that_is_the_update_time_does_not_override():
    head = ('<meta property="article:published_time" content="2023-05-02T10:00:00+02:00">'
            '<meta property="article:modified_time" content="2023-06-14T08:00:00+02:00">')
    found = dates(head, hint=datetime(2023, 6, 14, 6, 0))
    assert found.published.isoformat() == "2023-05-02T10:00:00+02:00"
