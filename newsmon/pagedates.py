"""When the page says it was published (and modified), with the time and UTC offset it gives.

Structured metadata wins over text guesses: JSON-LD ``datePublished``, Open Graph and other
``<meta>`` dates, then ``<time datetime>``; htmldate's guess from the text (through trafilatura)
comes last. The byline (newsmon.textdates: a date line just under the headline) is the day
readers see: it settles metadata that gives two days, and beats htmldate's guess, a generic
``date`` meta (which may be the last change) and ``<time pubdate>`` elements of several days
(a list's items).
Values keep the page's own offset (aware) or none (naive, when the page gives a time without
zone or only a day, which is then midnight): storage converts to UTC, not this module.
A UTC time is shown in the page's zone: the one the page writes it in elsewhere, else the one its
locale names (newsmon.pagezones), unless that moves it off the day the page itself writes.
An ambiguous numeric day/month ("06/01/2026") is read month-first only on US-English pages.
A date far from the one the feed or sitemap gave for the same page is not trusted over it,
unless the page's modified date matches the feed's (feeds often give the update time).
"""
from __future__ import annotations

import re
from collections.abc import Callable
from dataclasses import dataclass
from datetime import datetime, timedelta, timezone
from email.utils import parsedate_to_datetime

from newsmon.clock import to_stored
from newsmon.pagemeta import PageFacts, text_of
from newsmon.pagezones import in_publisher_zone
from newsmon.textdates import byline_date, month_first_in, parse_numeric, plausible, url_day, url_month, visible_date

# <meta> names of the publication date, most specific first
PUBLISHED_META = (
    "article:published_time", "article:published", "og:article:published_time", "datepublished",
    "og:published_time", "published_time", "publishdate", "publish-date", "publish_date",
    "pubdate", "publication_date", "sailthru.date", "parsely-pub-date", "dcterms.issued",
    "dc.date.issued", "dcterms.created", "dc.date.created", "dc.date", "dcterms.date", "date",
    "article.published", "originalpublicationdate", "cxenseparse:recs:publishtime",
)
MODIFIED_META = (
    "article:modified_time", "og:updated_time", "datemodified", "dcterms.modified",
    "dc.date.modified", "last-modified", "lastmod",
)
# <meta> names that do not say which date they give (publication, last change, the day of the crawl)
GENERIC_META = ("date", "dc.date", "dcterms.date")
# A page date further than this from the feed's or sitemap's date for the page is not trusted.
HINT_TOLERANCE = timedelta(days=2)
_MINUTE_PRECISION = re.compile(r"[T ]\d{1,2}:\d{2}$")  # a local writing without seconds

_ISO = re.compile(
    r"^\s*(\d{4})-?(\d{2})-?(\d{2})"
    r"(?:[T\s]+(\d{1,2}):(\d{2})(?::(\d{1,2})(?:[.,](\d{1,6})\d*)?)?\s*(Z|UTC|GMT|[+-]\d{2}(?::?\d{2})?)?)?"
)
_ANY_TIMESTAMP = re.compile(r"\d{4}-\d{2}-\d{2}[T ]\d{2}:\d{2}(?::\d{2}(?:\.\d+)?)?(?:Z|[+-]\d{2}:?\d{2})?")
MAX_OFFSET = timedelta(hours=14)
_MAX_SCRIPT_CHARS = 200_000
_EPOCH = re.compile(r"^\s*(\d{10})(\d{3})?\s*$")


@dataclass(frozen=True)
class PageDates:
    published: datetime | None
    modified: datetime | None


def read_dates(
    tree,
    facts: PageFacts,
    text_guess: str | None = None,
    hint: datetime | None = None,
    headline: str | None = None,
    url: str | None = None,
) -> PageDates:
    """The page's dates.

    ``text_guess`` is htmldate's day (ISO), ``hint`` the feed's or sitemap's date, ``headline``
    the page's headline (newsmon.headline): the byline is looked for under it; ``url`` the page's
    address, whose country-code domain may name the publisher's zone (newsmon.pagezones).
    """
    month_first = month_first_in(facts.lang)
    found = [(source, d) for source, d in _structured_published(tree, facts, month_first) if d is not None]
    if found:
        published = _as_shown(found, lambda: byline_date(tree, month_first, headline))
        candidates = [published] + [d for _source, d in found]
    else:
        byline = byline_date(tree, month_first, headline)
        published = byline or _text_guess(tree, text_guess, month_first, url)
        candidates = [published] if published else []
    modified = None
    for obj in facts.articles:
        modified = modified or parse_date(text_of(obj.get("dateModified")), month_first)
    modified = modified or parse_date(facts.first(*MODIFIED_META), month_first)
    # a feed that gives only its entries' update time matches the page's modified date: no conflict
    if hint is not None and published is not None and not _near(published, hint) and not (
        modified is not None and _near(modified, hint)
    ):
        near = [d for d in candidates if _near(d, hint)]
        published = near[0] if near else hint
    if published is not None and published.utcoffset() == timedelta(0):
        published = in_page_zone(published, tree) or _in_locale_zone(
            published, tree, facts, url, lambda: byline_date(tree, month_first, headline))
    return PageDates(published, modified)


def _as_shown(found: list[tuple[str, datetime]], read_byline: Callable[[], datetime | None]) -> datetime:
    """The metadata's publication date, or the one of its dates that the byline shows.

    Metadata that gives two days (a CMS's first draft and its release, say) is settled by the
    byline, unless the two may be one instant written in two zones (a day apart, one of them
    UTC or zoneless). A generic ``date`` meta is often the last change, and ``<time pubdate>``
    elements of several days date a list's items: the byline beats them. The byline is read
    only when there is something to settle.
    """
    source, first = found[0]
    rivals = [d for s, d in found[1:]
              if s != "time" and d.date() != first.date() and not _zones_apart(first, d)]
    doubtful = source in GENERIC_META or (
        source == "time" and len({d.date() for s, d in found if s == "time"}) > 1
    )
    if not rivals and not doubtful:
        return first
    byline = read_byline()
    if byline is None or first.date() == byline.date():
        return first
    return next((d for d in rivals if d.date() == byline.date()), byline if doubtful else first)


def _zones_apart(a: datetime, b: datetime) -> bool:
    """Whether two days may be one instant in two zones: a day apart, one of them UTC or zoneless."""
    loose = any(d.tzinfo is None or d.utcoffset() == timedelta(0) for d in (a, b))
    return loose and abs((a.date() - b.date()).days) <= 1


def in_page_zone(instant: datetime, tree) -> datetime | None:
    """A UTC time shown in the page's own zone, when the page writes the same instant locally; else None.

    Many sites put UTC in their metadata and local time in a ``<time>`` element or a script
    ("2023-11-09T01:09:55Z" and "2023-11-08 18:09:55"); the day the page shows is the local one.
    A local writing of the same instant gives the offset: explicitly, or as a whole number of
    quarter hours (up to 14 h) between two times with the same minutes and seconds.
    """
    naive = []
    for text in _timestamp_texts(tree):
        for m in _ANY_TIMESTAMP.finditer(text):
            local = _parse_iso(m.group(0))
            if local is None:
                continue
            if local.tzinfo is None:
                naive.append((local, _MINUTE_PRECISION.search(m.group(0)) is not None))
            elif local.utcoffset() != timedelta(0) and local == instant:
                return local  # the same instant, with the page's offset written out
    for local, to_the_minute in naive:
        utc = to_stored(instant)  # instant is UTC here
        offset = local - (utc.replace(second=0, microsecond=0) if to_the_minute else utc)
        if timedelta(0) < abs(offset) <= MAX_OFFSET and offset % timedelta(minutes=15) == timedelta(0):
            return instant.astimezone(timezone(offset))
    return None


def _in_locale_zone(
    instant: datetime, tree, facts: PageFacts, url: str | None, read_byline: Callable[[], datetime | None]
) -> datetime:
    """A UTC time without a local writing on the page, in the zone its locale names (newsmon.pagezones).

    Unless that moves it off the day the page writes itself (its byline, its URL's path) onto
    another: some CMSes label their local wall clock "Z", and the page's own day is the one shown.
    """
    local = in_publisher_zone(instant, tree, facts, url)
    if local.date() == instant.date():
        return local
    byline = read_byline()
    written = {day for day in (byline.date() if byline else None, url_day(url)) if day}
    return instant if instant.date() in written and local.date() not in written else local


def _timestamp_texts(tree):
    for el in tree.iter("time"):
        if el.get("datetime"):
            yield el.get("datetime")
    for el in tree.iter("script"):
        if el.text and len(el.text) < _MAX_SCRIPT_CHARS:
            yield el.text


def _text_guess(tree, htmldate_day: str | None, month_first: bool, url: str | None = None) -> datetime | None:
    """htmldate's day, unless it is only a year (January 1st) or none: then the byline's date.

    A guess whose month the URL's ``/YYYY/MM/`` contradicts, while its day and month the other
    way round agree with it, was read in the wrong order ("10/04/2016" on a page giving no
    language, in /2016/10/): it is swapped.
    """
    guess = parse_date(htmldate_day, month_first)
    if guess is None or (guess.month, guess.day) == (1, 1):
        return visible_date(tree, month_first) or guess
    month = url_month(url)
    if month and month != (guess.year, guess.month) and month == (guess.year, guess.day):
        return guess.replace(month=guess.day, day=guess.month)
    return guess


def has_structured_date(tree, facts: PageFacts) -> bool:
    """Whether the page's metadata dates it, so that a costly search of its text can be skipped."""
    month_first = month_first_in(facts.lang)
    return any(d is not None for _source, d in _structured_published(tree, facts, month_first))


def _structured_published(tree, facts: PageFacts, month_first: bool):
    """(source, date) pairs, most trusted first: "jsonld", the meta name, "time", "itemprop"."""
    for obj in facts.articles:
        value = text_of(obj.get("datePublished")) or text_of(obj.get("dateCreated"))
        yield "jsonld", parse_date(value, month_first)
    for name in PUBLISHED_META:
        for value in facts.meta.get(name, ()):
            yield name, parse_date(value, month_first)
    for el in tree.iter("time"):
        if el.get("itemprop", "").lower() == "datepublished" or el.get("pubdate") is not None:
            yield "time", parse_date(el.get("datetime"), month_first)
    for el in tree.xpath('//*[@itemprop="datePublished"][@content]'):
        yield "itemprop", parse_date(el.get("content"), month_first)


def parse_date(value: str | None, month_first: bool = False) -> datetime | None:
    """A date as the page writes it: ISO 8601, RFC 2822, epoch seconds or numeric day/month/year.

    Returns an aware datetime when the value carries an offset, a naive one otherwise; None for
    what is not a plausible publication date.
    """
    if not value:
        return None
    value = value.strip()[:64]
    parsed = _parse_iso(value) or parse_numeric(value, month_first) or _parse_other(value)
    if parsed is None or not plausible(parsed):
        return None
    return parsed


def _parse_iso(value: str) -> datetime | None:
    m = _ISO.match(value)
    if not m:
        return None
    year, month, day, hour, minute, second, fraction, zone = m.groups()
    try:
        if hour is None:
            return datetime(int(year), int(month), int(day))
        micro = int((fraction or "0").ljust(6, "0")[:6])
        return datetime(int(year), int(month), int(day), int(hour), int(minute), int(second or 0), micro,
                        tzinfo=_zone(zone))
    except ValueError:
        return None


def _zone(text: str | None) -> timezone | None:
    if not text:
        return None
    if text in {"Z", "UTC", "GMT"}:
        return timezone.utc
    sign = -1 if text[0] == "-" else 1
    digits = text[1:].replace(":", "")
    hours, minutes = int(digits[:2]), int(digits[2:4] or 0)
    if hours > 14 or minutes > 59:
        return None
    return timezone(sign * timedelta(hours=hours, minutes=minutes))


def _parse_other(value: str) -> datetime | None:
    m = _EPOCH.match(value)
    if m:
        return datetime.fromtimestamp(int(m.group(1)), tz=timezone.utc)
    try:
        return parsedate_to_datetime(value)
    except (TypeError, ValueError, IndexError):
        return None


def _near(value: datetime, hint: datetime) -> bool:
    """Whether two times are within HINT_TOLERANCE (aware ones compared in UTC, as stored)."""
    return abs(to_stored(value) - to_stored(hint)) <= HINT_TOLERANCE
