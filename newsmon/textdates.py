"""Dates as text writes them: numeric day/month/year in the page's order, month names, bylines.

newsmon.pagedates reads the page's metadata first; this module reads what the reader sees: the
byline under the headline ("1. Februar 2022", "Oct 9, 2019, 11:05 IST", "2019年2月27日"), or
for pages with no other date, the first date under the headline. Scraped text is untrusted: a
date that is not a calendar day is no date.
"""
from __future__ import annotations

import re
from datetime import date, datetime

from newsmon.clock import utcnow

VISIBLE_DATE_CHARS = 3000  # how far under the headline a date may be, for pages without any other
BYLINE_CHARS = 600  # how far under the headline the byline's date may be, to be taken over metadata
BYLINE_LINE_CHARS = 40  # a longer text is prose or a caption, whose dates are events
BYLINE_DATE_START = 25  # where in its line the byline's date starts, at the latest
# Month names and unambiguous abbreviations in the languages of most news sites (en, de, fr, es, it,
# pt, nl); an abbreviation that is also a common word ("set", "out", "ago") is left out.
_MONTH_NAMES = (
    "january jan januar jänner janvier janv enero ene gennaio janeiro januari",
    "february feb februar février fevrier févr fevr febrero febbraio fevereiro fev februari",
    "march mar märz maerz mär mrz mars marzo março marco maart mrt",
    "april apr avril avr abril aprile",
    "may mai mayo maggio maio mei",
    "june jun juni juin junio giugno junho",
    "july jul juli juillet juil julio luglio julho",
    "august aug août aout agosto augustus",
    "september sep sept septembre septiembre setiembre settembre setembro",
    "october oct oktober okt octobre octubre ottobre outubro",
    "november nov novembre noviembre novembro",
    "december dec dezember dez décembre decembre déc diciembre dic dicembre dezembro",
)
_MONTHS = {name: i for i, names in enumerate(_MONTH_NAMES, start=1) for name in names.split()}
_MONTH = "|".join(sorted(_MONTHS, key=len, reverse=True))
_TEXT_DATE = re.compile(
    r"(?<!\d)(?P<y1>(?:19|20)\d{2})\s*(?:年\s*|[./-])(?P<m1>\d{1,2})\s*(?:月\s*|[./-])(?P<d1>\d{1,2})(?:日|(?![\d.]))"
    r"|(?<![\d.])\d{1,2}[./]\d{1,2}[./](?P<y2>(?:19|20)\d{2})(?!\d)"
    r"|(?:(?P<d4>\d{1,2})(?:\.|er)?\s+(?:de\s+)?)?\b(?P<mon>" + _MONTH + r")\b\.?\s+(?:de\s+)?"
    r"(?:(?P<d3>\d{1,2})(?:st|nd|rd|th)?,?\s+)?(?P<y3>(?:19|20)\d{2})\b",
    re.IGNORECASE,
)
# a day in a URL's path: /2019/04/25/, /2019-04-25-
_URL_DAY = re.compile(r"/((?:19|20)\d{2})[/-](\d{1,2})[/-](\d{1,2})(?:[/-]|$)")
_URL_MONTH = re.compile(r"/((?:19|20)\d{2})/(\d{1,2})/")
_NUMERIC = re.compile(
    r"^\s*(\d{1,2})[./-](\d{1,2})[./-](\d{4})(?:[,\s]+(\d{1,2}):(\d{2})(?::(\d{2}))?)?"
)


def month_first_in(lang: str | None) -> bool:
    """US English writes month/day/year (a bare "en" is taken as US); other languages day first."""
    return (lang or "").strip().lower().replace("_", "-") in {"en-us", "en"}


def parse_numeric(value: str, month_first: bool) -> datetime | None:
    """A numeric date ("06/01/2026 10:30"), day first unless ``month_first`` or impossible so."""
    m = _NUMERIC.match(value)
    if not m:
        return None
    first, second, year, hour, minute, sec = m.groups()
    a, b = int(first), int(second)
    month, day = (a, b) if month_first else (b, a)
    if month > 12 and day <= 12:  # unambiguous the other way round
        month, day = day, month
    try:
        return datetime(int(year), month, day, int(hour or 0), int(minute or 0), int(sec or 0))
    except ValueError:
        return None


def url_day(url: str | None) -> date | None:
    """The day a URL's path writes (``/2019/04/25/``), as many CMSes put the publication day there."""
    m = _URL_DAY.search(url or "")
    if not m:
        return None
    try:
        return date(int(m.group(1)), int(m.group(2)), int(m.group(3)))
    except ValueError:
        return None


def url_month(url: str | None) -> tuple[int, int] | None:
    """The (year, month) a URL's path writes (``/2016/10/``), the day or not."""
    m = _URL_MONTH.search(url or "")
    return (int(m.group(1)), int(m.group(2))) if m and 1 <= int(m.group(2)) <= 12 else None


def visible_date(tree, month_first: bool) -> datetime | None:
    """The first full date written under the headline (or at the top of the page without one).

    For pages without date metadata: bylines write the day ("2019年4月4日", "Oct 9, 2019",
    "2019/3/5") before any other date, where htmldate's whole-page search may settle on a
    copyright year or a linked article's day.
    """
    body = tree.find("body")
    if body is None:
        return None
    h1 = body.find(".//h1")
    start = h1 if h1 is not None else body
    seen = 0
    for chunk in _text_after(start):
        for m in _TEXT_DATE.finditer(chunk):
            found = _text_date(m, month_first)
            if found is not None:
                return found
        seen += len(chunk)
        if seen > VISIBLE_DATE_CHARS:
            break
    return None


def byline_date(tree, month_first: bool, headline: str | None = None) -> datetime | None:
    """The date of the byline: the first short line with a date within BYLINE_CHARS under the headline.

    The headline is the heading that writes ``headline``, else the first ``h1`` (which on some
    pages is the site's logo). A date in a longer text (a sentence, a caption) or in the headline
    itself is an event's.
    """
    heading = _headline_element(tree, headline)
    if heading is None:
        return None
    seen, previous = 0, ""
    for chunk in _text_after(heading, own_text=False):
        line = " ".join(chunk.split())
        if len(line) <= BYLINE_LINE_CHARS:
            for m in _TEXT_DATE.finditer(line):
                if m.start() > BYLINE_DATE_START or _labelled_other(f"{previous} {line[:m.start()]}"):
                    continue
                found = _text_date(m, month_first)
                if found is not None:
                    return found
        previous = line
        seen += len(line)
        if seen > BYLINE_CHARS:
            return None
    return None


# Labels before a date that is not the article's: a forum member's, a product's release, a birth.
# ("Erschienen am", "Erscheinungsdatum" label a book's day on a review but a release's on a press
# page: left out.)
_OTHER_DATE_LABEL = re.compile(
    r"(?:joined|member since|registered(?: since)?|release date|date of birth|born|"
    r"mitglied seit|dabei seit|registriert(?: seit)?|geboren(?: am)?|"
    r"membre depuis|inscrit(?:e)? le|date de sortie|né(?:e)? le|miembro desde|registrado|fecha de lanzamiento|"
    r"nacido el|membro dal|iscritto il|data di uscita|nato il)\s*:?\s*$",
    re.IGNORECASE,
)


def _labelled_other(before: str) -> bool:
    """Whether the text just before a date labels it as some other date than the article's."""
    return _OTHER_DATE_LABEL.search(before.strip()) is not None


def _headline_element(tree, headline: str | None):
    """The heading that writes ``headline`` (an h1 before an h2 or h3), else the first h1."""
    body = tree.find("body")
    if body is None:
        return None
    headings = list(body.iter("h1", "h2", "h3"))  # one walk of the tree
    if headline:
        wanted = " ".join(headline.split())
        for level in ("h1", "h2", "h3"):  # a teaser's h3 may repeat the headline of the h1
            for el in headings:
                if el.tag == level and " ".join(el.text_content().split()) == wanted:
                    return el
    return next((el for el in headings if el.tag == "h1"), None)


def _text_after(start, own_text: bool = True):
    """Text of ``start`` (unless not ``own_text``) and of what follows it, script and style left out."""
    el = start
    while el is not None:
        inside = el.iter() if own_text or el is not start else ()
        for node in inside:
            if node.tag in ("script", "style") or not isinstance(node.tag, str):
                if node is not el and node.tail and node.tail.strip():
                    yield node.tail  # the text after a comment or a script is the page's again
                continue
            if node.text and node.text.strip():
                yield node.text
            if node is not el and node.tail and node.tail.strip():
                yield node.tail
        if el.tail and el.tail.strip():
            yield el.tail
        nxt = el.getnext()
        while nxt is None and el.getparent() is not None:
            el = el.getparent()
            if el.tail and el.tail.strip():
                yield el.tail
            nxt = el.getnext()
        el = nxt


EARLIEST_YEAR = 1995  # older "publication dates" are a history piece's events or a page's junk


def plausible(value: datetime) -> bool:
    """Whether ``value`` can be a news page's publication date: 1995 up to next year."""
    return EARLIEST_YEAR <= value.year <= utcnow().year + 1


def _text_date(m: re.Match, month_first: bool) -> datetime | None:
    """The date a match writes, when it is one and a plausible publication date."""
    found = _written_date(m, month_first)
    return found if found is not None and plausible(found) else None


def _written_date(m: re.Match, month_first: bool) -> datetime | None:
    groups = m.groupdict()
    try:
        if groups["y1"]:
            return datetime(int(groups["y1"]), int(groups["m1"]), int(groups["d1"]))
        if groups["y2"]:
            return parse_numeric(m.group(0), month_first)
        month = _MONTHS.get(groups["mon"].lower())
        if month and (groups["d3"] or groups["d4"]):
            return datetime(int(groups["y3"]), month, int(groups["d3"] or groups["d4"]))
    except ValueError:
        return None
    return None
