"""Dates read from the page as fetched: time and offset kept, structured metadata first."""
from __future__ import annotations

from datetime import datetime, timedelta, timezone

import lxml.html
import pytest

from newsmon.pagedates import parse_date, read_dates
from newsmon.pagemeta import read_facts


def dates(head: str = "", body: str = "", lang: str = "en", text_guess: str | None = None, hint=None,
          url: str | None = None):
    tree = lxml.html.fromstring(f'<html lang="{lang}"><head>{head}</head><body>{body}</body></html>')
    return read_dates(tree, read_facts(tree), text_guess, hint, url=url)


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


def test_byline_under_the_headline_beats_the_text_guess():
    body = "<h1>Headline</h1><p>By <a>A. Writer</a></p><p>1. Februar 2022</p><p>Text of the article.</p>"
    assert dates(body=body, lang="de", text_guess="2022-01-21").published == datetime(2022, 2, 1)


@pytest.mark.parametrize("body", [
    # a date in a sentence or a caption is an event's, not the page's
    "<h1>Headline</h1><p>The vote of March 3, 2021 was the first one held by the new parliament.</p>",
    # a date in the headline itself
    "<h1>Results of the regional championship, 19.5.2007</h1><p>Text.</p>",
    # a date line far under the headline
    "<h1>Headline</h1>" + "<p>" + "words " * 120 + "</p><p>March 3, 2021</p>",
    # no headline to be under
    "<p>Archive</p><p>March 3, 2021</p>",
])
def test_dates_that_are_not_a_byline_leave_the_text_guess(body):
    assert dates(body=body, text_guess="2021-03-05").published == datetime(2021, 3, 5)


@pytest.mark.parametrize(("label", "lang"), [
    ("Joined", "en"), ("Member since:", "en"), ("Mitglied seit", "de"), ("Membre depuis", "fr"), ("Born", "en"),
])
def test_a_date_labelled_as_another_one_is_no_byline(label, lang):
    body = f"<h1>Headline</h1><dl><dt>Forum member</dt><dt>{label}</dt><dd>May 11, 2017</dd></dl><p>Text.</p>"
    assert dates(body=body, lang=lang, text_guess="2020-03-18").published == datetime(2020, 3, 18)


def test_a_text_guess_the_url_month_contradicts_is_read_the_other_way_round():
    url = "https://news.example.com/story/2016/10/who-will-win-229079"
    assert dates(lang="", text_guess="2016-04-10", url=url).published == datetime(2016, 10, 4)
    # the URL agrees, or says nothing about the day's order: the guess stands
    assert dates(lang="", text_guess="2016-10-04", url=url).published == datetime(2016, 10, 4)
    assert dates(lang="", text_guess="2016-04-13", url=url).published == datetime(2016, 4, 13)
    assert dates(lang="", text_guess="2016-04-10", url="https://news.example.com/2016/").published == datetime(2016, 4, 10)


def test_byline_settles_metadata_that_gives_two_days_and_keeps_its_time():
    head = ('<script type="application/ld+json">{"@type": "NewsArticle", '
            '"datePublished": "2023-11-06T18:19+01:00"}</script>'
            '<meta name="dc.date.issued" content="2023-11-07T07:30+01:00">')
    body = "<h1>Headline</h1><p>Stand: <span>07.11.2023, 07:30 Uhr</span></p>"
    assert dates(head, body, lang="de").published.isoformat() == "2023-11-07T07:30:00+01:00"
    # without a byline, or with one that shows the first day, the first date stays
    assert dates(head, "<h1>Headline</h1>", lang="de").published.day == 6
    assert dates(head, "<h1>Headline</h1><p>06.11.2023</p>", lang="de").published.day == 6


def test_two_days_that_may_be_one_instant_in_two_zones_are_not_settled_by_the_byline():
    head = ('<meta property="article:published_time" content="2016-12-20T00:08:44+00:00">'
            '<meta name="sailthru.date" content="2016-12-19 19:08:44">')
    body = "<h1>Headline</h1><p>December 19, 2016</p>"
    assert dates(head, body).published.isoformat() == "2016-12-20T00:08:44+00:00"


def test_byline_beats_a_generic_date_meta_but_not_a_publication_meta():
    body = "<h1>Überschrift</h1><p>Erschienen am: <span>13.10.2021</span></p>"
    assert dates('<meta name="date" content="2021-10-15">', body, lang="de").published == datetime(2021, 10, 13)
    assert dates('<meta name="DC.date" content="2021-10-15">', "<h1>Ü</h1>", lang="de").published == \
        datetime(2021, 10, 15)
    published = '<meta property="article:published_time" content="2021-10-15T09:00:00+02:00">'
    assert dates(published, body, lang="de").published.day == 15


def test_time_elements_of_several_days_give_way_to_the_byline():
    body = ('<h1>Titre</h1><p class="publication">Le <time datetime="2019-06-28T13:49:45Z">28 juin 2019</time></p>'
            '<aside><time pubdate datetime="2019-09-22T07:30:29Z">22 sept.</time>'
            '<time pubdate datetime="2019-09-20T19:01:28Z">20 sept.</time></aside>')
    assert dates(body=body, lang="fr").published == datetime(2019, 6, 28)
    one = '<h1>Titre</h1><p>28 juin 2019</p><time pubdate datetime="2019-09-22T07:30:29Z">22 sept.</time>'
    assert dates(body=one, lang="fr").published.day == 22


@pytest.mark.parametrize(("text", "expected"), [
    ("20. Mai 2007", datetime(2007, 5, 20)), ("3. März 2020", datetime(2020, 3, 3)),
    ("1er juillet 2019", datetime(2019, 7, 1)), ("12 décembre 2021", datetime(2021, 12, 12)),
    ("5 de julio de 2020", datetime(2020, 7, 5)), ("Sept. 3, 2019", datetime(2019, 9, 3)),
])
def test_bylines_with_month_names(text, expected):
    assert dates(body=f"<h1>Headline</h1><p>{text}</p>", text_guess="2001-02-03").published == expected


def test_iso_seconds_of_one_digit_keep_the_zone():
    assert parse_date("2020-12-05T23:15:0Z") == datetime(2020, 12, 5, 23, 15, tzinfo=timezone.utc)


def test_local_writing_without_seconds_gives_the_page_zone():
    head = '<meta property="article:published_time" content="2020-12-05T23:15:00Z">'
    body = "<script>page.publication_date = '2020-12-06 00:15';</script>"
    assert dates(head, body).published.isoformat() == "2020-12-06T00:15:00+01:00"


def test_byline_is_looked_for_under_the_heading_that_writes_the_headline():
    html = ('<html lang="en"><body><h1>Site name</h1><nav>' + "<a>Section</a>" * 120 + '</nav>'
            '<ul><li><h3>Real headline</h3></li></ul><article><h2>Real headline</h2><p>13 Oct 2020</p></article>'
            '</body></html>')
    tree = lxml.html.fromstring(html)
    found = read_dates(tree, read_facts(tree), "2020-12-08", headline="Real headline")
    assert found.published == datetime(2020, 10, 13)
    # without the headline, the first h1 (the site's name here) has no byline under it
    assert read_dates(tree, read_facts(tree), "2020-12-08").published == datetime(2020, 12, 8)


def test_an_h1_that_writes_the_headline_comes_before_a_teaser_that_repeats_it():
    html = ('<html lang="en"><body><aside><h3>Real headline</h3><p>18 Nov 2021</p></aside>'
            '<h1>Real headline</h1><p>By A. Writer</p><p>19 Nov 2021</p></body></html>')
    tree = lxml.html.fromstring(html)
    assert read_dates(tree, read_facts(tree), headline="Real headline").published == datetime(2021, 11, 19)


UTC_META = '<meta property="article:published_time" content="{}">'


@pytest.mark.parametrize(("value", "lang", "url", "expected"), [
    # a German page's local midnight written in UTC: the day shown in Germany
    ("2021-11-04T23:00:00Z", "de", "https://www.example.de/a", "2021-11-05T00:00:00+01:00"),
    ("2021-07-04T22:30:00Z", "de", "https://www.example.de/a", "2021-07-05T00:30:00+02:00"),  # summer time
    ("2021-11-04T23:00:00Z", "de-DE", "https://example.com/a", "2021-11-05T00:00:00+01:00"),  # region, no ccTLD
    ("2021-11-04T23:00:00Z", "de-DE", "https://example.at/a", "2021-11-05T00:00:00+01:00"),  # same time there
    ("2020-08-25T00:23:33Z", "fr", "https://ici.example.ca/a", "2020-08-24T20:23:33-04:00"),  # French in Canada
    ("2019-03-02T00:18:32Z", "ja", "https://example.jp/a", "2019-03-02T09:18:32+09:00"),
    ("2020-05-01T13:51:19Z", "pt-BR", "https://example.com.br/a", "2020-05-01T10:51:19-03:00"),
    ("2021-11-04T23:00:00Z", "en-GB", "https://example.co.uk/a", "2021-11-04T23:00:00+00:00"),  # London in winter
])
def test_utc_metadata_shown_in_the_zone_the_page_locale_names(value, lang, url, expected):
    assert dates(UTC_META.format(value), lang=lang, url=url).published.isoformat() == expected


@pytest.mark.parametrize(("lang", "url"), [
    ("en", "https://example.com/a"),  # no country at all
    ("de", "https://example.com/a"),  # a language alone is no country
    ("en-US", "https://example.com/a"),  # a country with several zones
    ("en", "https://example.ca/a"),
    ("en-US", "https://example.de/a"),  # the page contradicts its address
    ("en-GB", "https://example.com.au/a"),
    ("es-ES", "https://example.com.ar/a"),
    ("es-ES", "https://example.com/a"),  # a world language's home region: often a template default
    ("fr-FR", "https://example.org/a"),
    ("ar-AR", "https://example.com/a"),  # Facebook's "Arabic", not Argentina
    ("de", "https://example.co/a"),  # a country code used as a generic domain
    ("de", None),
])
def test_no_zone_guessed_without_one_country_of_one_zone(lang, url):
    value = "2021-11-04T23:00:00Z"
    assert dates(UTC_META.format(value), lang=lang, url=url).published.isoformat() == "2021-11-04T23:00:00+00:00"


def test_the_page_own_local_writing_and_real_offsets_win_over_the_locale():
    url = "https://www.example.de/a"
    local = "<script>page.publication_date = '2021-11-04 18:00';</script>"
    found = dates(UTC_META.format("2021-11-04T23:00:00Z"), local, lang="de", url=url).published
    assert found.isoformat() == "2021-11-04T18:00:00-05:00"
    offset = UTC_META.format("2021-11-04T23:00:00-05:00")
    assert dates(offset, lang="de", url=url).published.isoformat() == "2021-11-04T23:00:00-05:00"
    naive = UTC_META.format("2021-11-04T23:00:00")
    assert dates(naive, lang="de", url=url).published.isoformat() == "2021-11-04T23:00:00"


def test_utc_midnight_is_a_day_and_stays_on_it():
    found = dates(UTC_META.format("2020-03-08T00:00:00Z"), lang="pt-BR", url="https://example.com.br/a")
    assert found.published.isoformat() == "2020-03-08T00:00:00+00:00"


def test_the_day_the_page_writes_itself_keeps_a_utc_time_on_it():
    # some CMSes label their local wall clock "Z": the URL or the byline writes the day it shows
    head = UTC_META.format("2019-04-25T16:00:25Z")
    found = dates(head, lang="ja", url="https://example.jp/2019/04/25/story/").published
    assert found.isoformat() == "2019-04-25T16:00:25+00:00"
    body = "<h1>Headline</h1><p>2019.04.25 16:00</p>"
    found = dates(head, body, lang="ja", url="https://example.jp/story/").published
    assert found.isoformat() == "2019-04-25T16:00:25+00:00"
    # a URL that writes the local day, or none, lets the zone move it
    found = dates(head, lang="ja", url="https://example.jp/2019/04/26/story/").published
    assert found.isoformat() == "2019-04-26T01:00:25+09:00"


def test_extraction_reads_the_zone_from_the_page_address():
    from newsmon.extraction import extract_article

    text = "".join(f"<p>Absatz {n}: Die Kommission hat heute neue Regeln vorgestellt, die lange erwartet wurden.</p>"
                   for n in range(5))
    html = (f'<html lang="de"><head>{UTC_META.format("2021-11-04T23:00:00Z")}</head>'
            f"<body><article><h1>Neue Regeln</h1>{text}</article></body></html>")
    assert extract_article(html, "https://www.example.de/a").published.isoformat() == "2021-11-05T00:00:00+01:00"
    assert extract_article(html, "https://www.example.com/a").published.isoformat() == "2021-11-04T23:00:00+00:00"


def test_a_byline_year_no_news_page_has_is_passed_over():
    for line in ("12 May 2087", "1 September 1939"):
        body = f"<h1>Head</h1><p>{line}</p><p>Text of the article.</p>"
        assert dates(body=body, text_guess="2020-05-12").published == datetime(2020, 5, 12)


def test_a_byline_after_a_comment_or_script_is_read():
    for inside in ("<!-- date -->", "<script>var a = 1</script>"):
        body = f"<h1>Head</h1><p>By X {inside}12 May 2020</p><p>Text of the article.</p>"
        assert dates(body=body, text_guess="2020-05-20").published == datetime(2020, 5, 12)


def test_a_local_writing_without_seconds_matches_a_utc_time_with_seconds():
    head = '<meta property="article:published_time" content="2023-11-09T01:09:55Z">'
    found = dates(head=head, body='<time datetime="2023-11-08 18:09">8 Nov</time>').published
    assert found == datetime(2023, 11, 8, 18, 9, 55, tzinfo=tz(-7))
    assert found.utcoffset() == timedelta(hours=-7)
