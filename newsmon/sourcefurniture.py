"""Title furniture that one source repeats on every page ("Headline - National | Outlet").

`newsmon.headline` drops what a page itself calls its site, section or date. Many titles carry
more than the page declares: a name og:site_name does not give, a section and outlet
("- National | Globalnews.ca"), a date that changes every day ("– DW – 13.06.2023"). One page
cannot tell that part from its headline; the source's other titles can. An end part (cut at
separators) that enough of them repeat is furniture. Numbers are compared as "0", so a date or
edition number that varies still counts as the same part. No rule names a site.

A brand-new source has no siblings, so its first titles pass with their furniture: the evidence
has to build up first. The crawl judges them again when its run ends
(crawlers/pipelines/titles.py), against the siblings the run stored.
"""
from __future__ import annotations

import re
from collections import Counter, deque
from collections.abc import Iterable, Sequence

from newsmon.headline import MIN_HEADLINE_CHARS, is_date_part, part_spans, title_key

RECENT_TITLES = 20  # siblings kept per source: the source's latest titles, its current template
MIN_SIBLINGS = 3  # never judge from fewer (distinct) titles
MIN_SHARED = 3  # at least this many siblings share the part ...
MIN_SHARE = 0.5  # ... and at least this share of the siblings has a recurring part at that place
_DIGITS = re.compile(r"\d+")


def strip_repeated(title: str, siblings: Iterable[str]) -> str:
    """``title`` without the leading and trailing parts that the source's other titles repeat.

    ``siblings`` are the source's recent titles as extraction read them (before this stripping).
    From each end inwards, a separator-cut part is furniture when at least ``MIN_SHARED``
    siblings have the same part at the same place (counted from that end), and at least
    ``MIN_SHARE`` of the siblings have there a part that recurs: "– DW – 13.06.2023" on every
    page, or "- National" on some pages and "- World" on others. The rest must stay a headline:
    one part or more, ``MIN_HEADLINE_CHARS`` or longer.
    """
    spans = part_spans(title)
    if len(spans) < 2:
        return title
    others = {title_key(s): _parts(s) for s in siblings if s}
    others.pop(title_key(title), None)  # the same headline again (a refetch, a copy) proves nothing
    others.pop("", None)
    if len(others) < MIN_SIBLINGS:
        return title
    parts = [_furniture_key(title[a:b]) for a, b in spans]
    sibling_parts = list(others.values())
    end = len(parts) - _furniture_run(parts, sibling_parts, from_end=True)
    start = _furniture_run(parts[:end], sibling_parts, from_end=False)
    if (start, end) == (0, len(parts)):
        return title
    kept = title[spans[start][0]:spans[end - 1][1]].strip()
    return kept if len(kept) >= MIN_HEADLINE_CHARS else title


def _furniture_run(parts: Sequence[str], siblings: list[list[str]], from_end: bool) -> int:
    """How many parts at one end of ``parts`` are furniture; never all of them."""
    run = 0
    while run < len(parts) - 1:
        at = -1 - run if from_end else run
        # the siblings' parts at that place, from those with a part left inside it
        column = Counter(other[at] for other in siblings if len(other) > run + 1)
        recurring = sum(n for n in column.values() if n >= 2)
        if column[parts[at]] < MIN_SHARED or recurring < MIN_SHARE * len(siblings):
            break
        run += 1
    return run


def _parts(title: str) -> list[str]:
    return [_furniture_key(title[a:b]) for a, b in part_spans(title)]


def _furniture_key(part: str) -> str:
    """Comparable form of one part: a date, or any number in it, compares equal to another."""
    return "<date>" if is_date_part(part) else _DIGITS.sub("0", title_key(part))


class RecentTitles:
    """Per source, its latest titles as extracted: the siblings :func:`strip_repeated` needs.

    Filled from the store once per source (``load``), then with each title that passes, so one
    crawl run or reextract asks the database once per source.
    """

    def __init__(self, size: int = RECENT_TITLES) -> None:
        self.size = size
        self._titles: dict[str, deque[str]] = {}

    def __contains__(self, source: str) -> bool:
        return source in self._titles

    def load(self, source: str, newest_first: Iterable[str]) -> None:
        """The stored titles of ``source``, newest first (as a database query returns them)."""
        titles = [t for t in newest_first if t][: self.size]
        self._titles[source] = deque(reversed(titles), maxlen=self.size)

    def strip(self, source: str, title: str | None) -> str | None:
        """``title`` without its source's repeated furniture; remembers it (as given) for the next."""
        if not title:
            return title
        recent = self._titles.setdefault(source, deque(maxlen=self.size))
        stripped = strip_repeated(title, recent)
        recent.append(title)
        return stripped
