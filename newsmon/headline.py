"""The headline as the page shows it, without the site's name, section or date around it.

Candidates are the JSON-LD headline, og:title, twitter:title, the page's `<h1>` and `<title>`.
Metadata titles are often written for search and social sites ("Headline | Section | Site"), so
they are cut at separators, and an end part is dropped when the page itself says it is furniture:
it names the site (og:site_name, the JSON-LD publisher, the domain), it is a link's text on the
page (site and section links), the article's section, or a date. The visible `<h1>` wins when a
metadata title confirms it, or when it is the one headline-like `<h1>` of the page. No rule names
a site.
"""
from __future__ import annotations

import re
import unicodedata
from urllib.parse import urlsplit

from newsmon.pagemeta import PageFacts, text_of

# "Headline | Site", "Headline - Site", "Site » Headline", "見出し：サイト", "标题-新华网"; a hyphen,
# colon or underscore without spaces only next to CJK (Latin, Cyrillic... words are joined by them)
_SEPARATOR = re.compile(
    r"\s*[|｜]\s*|\s+[-–—~/:•·»«]+\s+|\s*[：︰]\s*"
    r"|(?<=[\u2e80-\u9fff\uac00-\ud7af\uff00-\uffef])[-–—_:]|[-–—_:](?=[\u2e80-\u9fff\uac00-\ud7af\uff00-\uffef])"
    r"|\s[-–—]|[-–—]\s"
)
_SEPARATOR_CHARS = " |｜•·»«-–—~/:：︰_"
_WORD = re.compile(r"\w+")
_DATE_PART = re.compile(
    r"^[\W\d_]*(?:\d{1,4}[./-]\d{1,2}[./-]\d{1,4}|\d{4}年\d{1,2}月\d{1,2}日|"
    r"(?:\d{1,2}\.?\s+)?[^\W\d_]{3,10}\.?\s+\d{1,2},?\s+\d{4}|\d{1,2}\.?\s+[^\W\d_]{3,10}\.?\s+\d{4})"
    r"[\W\d_]*$"
)
_PUBLISHED_NOTE = re.compile(r"\s*\((?:[^()\d]{0,20}\s)?(?:19|20)\d{2}\)\s*$")  # "(Published 2016)"
_GENERIC_LABELS = {"www", "com", "net", "org", "gov", "edu", "co", "ac", "ad", "or", "ne", "go",
                   "news", "blog", "blogs", "m", "amp"}
MAX_FURNITURE_WORDS = 6
MAX_LABEL_WORDS = 3  # a longer link text in an <h1> is the headline linking to its own page
MAX_H1S = 8
MIN_HEADLINE_CHARS = 8
MAX_HEADLINE_CHARS = 500  # longer is a page's text in a heading tag, not a headline
MIN_PART_CHARS = 5  # an <h1> this long that a metadata title starts or ends with is the headline


def read_headline(tree, facts: PageFacts, url: str | None = None) -> str | None:
    """The page's headline, or None when it gives none."""
    furniture = _Furniture(tree, facts, url)
    metadata = [
        c
        for c in (
            _first_headline(facts),
            _clean_text(facts.first("og:title")),
            _clean_text(facts.first("twitter:title")),
            _title_element(tree),
        )
        if c and len(c) <= MAX_HEADLINE_CHARS
    ]
    cleaned = [furniture.strip(c) for c in metadata]
    h1s = _h1_texts(tree, furniture)
    confirmed = _confirmed_h1([h for h in h1s if not furniture.is_site(h)], metadata, cleaned, furniture)
    if confirmed:
        return furniture.strip(confirmed, visible=True)
    headline_like = [h for h in h1s if not furniture.is_label(h) and len(h) >= MIN_HEADLINE_CHARS]
    if len(headline_like) == 1 and cleaned:
        return furniture.strip(headline_like[0], visible=True)
    if cleaned:
        return _shortest_shared(cleaned)
    return furniture.strip(headline_like[0], visible=True) if headline_like else None


def _first_headline(facts: PageFacts) -> str | None:
    for obj in facts.articles:
        value = text_of(obj.get("headline")) or (
            text_of(obj.get("name")) if "webpage" not in str(obj.get("@type")).lower() else None
        )
        if value:
            return _clean_text(value)
    return None


def _title_element(tree) -> str | None:
    head = tree.find("head")
    el = head.find("title") if head is not None else tree.find(".//title")
    return _clean_text(el.text_content()) if el is not None else None


def _h1_texts(tree, furniture: _Furniture) -> list[str]:
    """The page's `<h1>` texts, without a link to the site inside them (a logo's name)."""
    texts = []
    for el in tree.iter("h1"):
        text = _clean_text(el.text_content())
        if text and any(a.text_content().strip() for a in el.iter("a")):
            parts = [t for t in _texts_outside_site_links(el, furniture)]
            text = _clean_text(" ".join(parts)) or text
        if text and text not in texts and len(text) <= MAX_HEADLINE_CHARS:
            texts.append(text)
        if len(texts) >= MAX_H1S:
            break
    return texts


def _texts_outside_site_links(el, furniture: _Furniture):
    for node in el.iter():
        inside_site_link = any(
            a.tag == "a" and furniture.is_site(a.text_content()) for a in node.iterancestors()
        ) or (node.tag == "a" and furniture.is_site(node.text_content()))
        if not inside_site_link and node.text and isinstance(node.tag, str):
            yield node.text
        if node is not el and node.tail:
            yield node.tail


def _confirmed_h1(h1s: list[str], metadata: list[str], cleaned: list[str], furniture: _Furniture) -> str | None:
    """The `<h1>` that a metadata title repeats (whole, or with furniture around it)."""
    if not h1s or not metadata:
        return None
    keys = {title_key(c) for c in cleaned} | {title_key(m) for m in metadata}
    for h1 in h1s:
        if title_key(h1) in keys:
            return h1
    for h1 in h1s:
        key = title_key(h1)
        if len(key) >= MIN_PART_CHARS and not furniture.is_label(h1) and any(_is_part(key, title_key(m)) for m in metadata):
            return h1
    return None


def _is_part(part: str, whole: str) -> bool:
    """Whether ``part`` is a separator-delimited piece of ``whole`` (start or end)."""
    return whole != part and (whole.startswith(part + " ") or whole.endswith(" " + part))


def _shortest_shared(cleaned: list[str]) -> str:
    """The first candidate, or a shorter one that the first starts with (a subtitle dropped)."""
    best = cleaned[0]
    for other in cleaned[1:]:
        if len(other) < len(best) and title_key(best).startswith(title_key(other) + " "):
            best = other
    return best


class _Furniture:
    """What the page says is not headline: its site's names, its link texts, section, dates."""

    def __init__(self, tree, facts: PageFacts, url: str | None) -> None:
        names = [facts.first("og:site_name"), facts.first("application-name"),
                 facts.first("twitter:site"), *facts.site_names]
        self.names = [n.strip() for n in names if n and n.strip()]
        self.sites = {_squash(n) for n in names if n and _squash(n)}
        try:
            host = urlsplit(url or facts.first("og:url") or "").hostname or ""
        except ValueError:  # og:url is the page's word, e.g. "http://[broken"
            host = ""
        labels = [p for p in host.lower().split(".")[:-1] if len(p) > 1 and p not in _GENERIC_LABELS]
        self.domain = {_squash(host.removeprefix("www."))} | {_squash(p) for p in labels}
        self.domain.discard("")
        section = facts.first("article:section")
        self.sections = {title_key(section)} if section else set()
        self._tree = tree
        self._links: set[str] | None = None

    def is_site(self, text: str) -> bool:
        spellings = {_squash(text), _squash(text.lower().translate(_ASCII_SPELLING))}
        if not all(spellings):
            return True
        if spellings & (self.sites | self.domain):
            return True
        short = len(_WORD.findall(text)) <= MAX_FURNITURE_WORDS
        return short and any(
            (len(d) >= 4 and d in squashed) or (len(d) == 3 and squashed.startswith(d))
            for d in self.domain | self.sites for squashed in spellings
        )

    def is_furniture(self, part: str, visible: bool = False) -> bool:
        """Site name or date; in a metadata title also the section or a link's text (a kicker
        printed above the headline on the page is a link too, and is part of what it shows)."""
        if self.is_site(part) or is_date_part(part):
            return True
        if visible:
            return False
        key = title_key(part)
        if key in self.sections:
            return True
        return len(key.split()) <= MAX_FURNITURE_WORDS and key in self.links()

    def is_label(self, text: str) -> bool:
        """A site, section or short link name in a heading ("Politics", "Opinion"), not a headline."""
        key = title_key(text)
        return self.is_site(text) or key in self.sections or (
            len(key.split()) <= MAX_LABEL_WORDS and key in self.links()
        )

    def links(self) -> set[str]:
        if self._links is None:
            self._links = set()
            for a in self._tree.iter("a"):
                text = a.text_content()
                if text and len(text) < 60:
                    self._links.add(title_key(text))
        return self._links

    def strip(self, text: str, visible: bool = False) -> str:
        """``text`` without furniture at either end (a separator-cut part the page names).

        ``visible``: the text is the page's own heading, where only the site's name and dates
        are furniture.
        """
        text = self._without_glued_name(_PUBLISHED_NOTE.sub("", text).strip() or text)
        spans = part_spans(text)
        if len(spans) < 2:
            return text
        start, end = 0, len(spans)
        while end - start > 1 and self.is_furniture(text[spans[end - 1][0]:spans[end - 1][1]], visible):
            end -= 1
        while end - start > 1 and self.is_furniture(text[spans[start][0]:spans[start][1]], visible):
            start += 1
        if (start, end) == (0, len(spans)):
            return text
        return text[spans[start][0]:spans[end - 1][1]].strip()


    def _without_glued_name(self, text: str) -> str:
        """"HeadlineSite Name" (the site's name appended with no separator) without the name."""
        for name in self.names:
            if len(name) >= 4 and text.endswith(name) and len(text) - len(name) >= MIN_HEADLINE_CHARS:
                return text[: -len(name)].rstrip(_SEPARATOR_CHARS)
        return text


def part_spans(text: str) -> list[tuple[int, int]]:
    """(start, end) of each separator-delimited part of ``text``."""
    spans, pos = [], 0
    for match in _SEPARATOR.finditer(text):
        if match.start() > pos:
            spans.append((pos, match.start()))
        pos = match.end()
    if pos < len(text):
        spans.append((pos, len(text)))
    return [(a, b) for a, b in spans if text[a:b].strip()] or [(0, len(text))]


def is_date_part(text: str) -> bool:
    """Whether a separator-cut part is a date alone ("13.06.2023", "June 5, 2024", "2023年6月13日")."""
    return _DATE_PART.match(text) is not None


def _clean_text(text: str | None) -> str | None:
    text = " ".join((text or "").split())
    return text or None


def title_key(text: str | None) -> str:
    """Comparable form: NFKC, lower case, word characters separated by single spaces."""
    return " ".join(_WORD.findall(unicodedata.normalize("NFKC", text or "").lower()))


# How a domain spells letters ASCII lacks: "Börsen-Zeitung" at boersen-zeitung.de. Accents
# dropped (_squash) cover the rest: "Seznam Zprávy" at seznamzpravy.cz.
_ASCII_SPELLING = str.maketrans({"ä": "ae", "ö": "oe", "ü": "ue", "ß": "ss", "æ": "ae", "ø": "oe", "å": "aa"})


def _squash(text: str | None) -> str:
    """Letters and digits only, accents removed: "Seznam Zprávy" and seznamzpravy.cz compare equal."""
    decomposed = unicodedata.normalize("NFKD", (text or "").lower())
    return "".join(c for c in decomposed if c.isalnum())
