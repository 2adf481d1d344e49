"""Article extraction with trafilatura: HTML in, an Article's fields out, or a reason why not.

Used by the crawl pipeline (in worker processes), by `newsmon extract` and `newsmon reextract`;
knows nothing of Scrapy or SQL.

On top of trafilatura, and without any rule naming a site:
- metadata is read from the page as fetched, before any pruning: the headline as the page shows
  it (newsmon.headline), the dates with their time and offset (newsmon.pagedates), the rest from
  trafilatura; a page rejected below still reports it (ExtractionError.metadata);
- bodies split into several sibling containers around ads ("article-body" twice) are merged
  first, since trafilatura keeps only the first one;
- the cheap precision mode runs first; when it keeps almost nothing (a page whose layout it
  misreads), the full balanced cascade with its fallback extractors runs instead;
- the result is trimmed of what precision mode still lets through: the headline and standfirst
  repeated at the top, furniture lines ("Read more", newsletter prompts, share prompts, photo
  credits, copyright notices).
"""
from __future__ import annotations

import functools
import re
from dataclasses import asdict, dataclass, replace
from datetime import datetime

from newsmon.errors import ExtractionError
from newsmon.headline import read_headline
from newsmon.clock import utcnow
from newsmon.pagedates import has_structured_date, read_dates
from newsmon.pagemeta import read_facts

MIN_TEXT_CHARS = 200  # shorter than a few sentences is a teaser, a contact page or an error page
# Below this, precision mode has probably misread the layout: rerun the full cascade.
PRECISION_RETRY_CHARS = 500

# One cheap XPath pass (contains() preselects) finds candidates for both tree fixes below;
# Python regexes then check whole class tokens.
_CANDIDATE_XPATH = (
    ".//*[self::nav or contains(@id, 'ewsletter') or (@class and ("
    "contains(@class, 'elated') or contains(@class, 'recirc') or contains(@class, 'ore') or "
    "contains(@class, 'ewsletter') or contains(@class, 'lso') or "
    "((self::div or self::section) and (contains(@class, 'ody') or contains(@class, 'ontent') "
    "or contains(@class, 'ext')))))]"
)
# Generic page furniture trafilatura sometimes keeps (it already drops aside, footer, figure):
# pruned from the raw tree before extraction unless a match holds much of the page's text.
_FURNITURE_CLASS = re.compile(
    r"(?:^|[\s_-])(?:related|recirc|read-?more|more-?stories|also-?read|newsletter)(?:$|[\s_-])",
    re.IGNORECASE,
)
# Classes of article-body containers that CMSes repeat around ads (see _merge_split_bodies).
_BODY_CLASS = re.compile(
    r"article[-_]*(?:body|content|text)|story[-_]*(?:body|content|text)|post[-_]*(?:body|content)"
    r"|entry[-_]*content|body[-_]*(?:text|copy)|articlebody",
    re.IGNORECASE,
)
PRUNE_MAX_SHARE = 0.3

# A block whose whole text is one of these is furniture, not article text.
_FURNITURE_LINE = re.compile(
    r"""^\W*(?:
        advertisement|advertising|sponsored(?:\s+content)?|ad|
        (?:click|tap)\s+here\b.*|
        read\s+(?:more|also|next|full\s+story)\b.*|
        (?:see|view)\s+(?:more|also)\s*:\s*\S.*|
        also\s+(?:read|on|see)\b.*|
        related(?:\s+(?:articles?|stories|content|coverage|posts?|links?))?\s*:.*|
        related(?:\s+(?:articles?|stories|content|coverage|posts?|links?))?|
        (?:you\s+(?:may|might)\s+also\s+like|recommended(?:\s+for\s+you)?|more\s+from\b.*|
           don'?t\s+miss|most\s+(?:popular|read)|trending(?:\s+now)?|top\s+stories)\W*|
        share(?:\s+(?:this|on|via)\b.*)?|
        (?:like\s+this\s+story|enjoy(?:ed)?\s+this\s+(?:article|story))\b.*|
        (?:sign\s+up|subscribe)\b.{0,120}\b(?:newsletters?|inbox)\b.*|
        get\s+.{0,60}\bnewsletter\b.*|
        thanks?\s+(?:you\s+)?for\s+(?:signing\s+up|subscribing)\b.*|
        keep\s+an\s+eye\s+on\s+your\s+inbox\b.*|
        (?:sorry!?|there\s+was\s+an\s+error|an\s+error\s+has\s+occurred)\b.{0,80}|
        follow\s+(?:us|him|her|them)\s+on\b.*|
        follow\s+.{0,60}\bon\s+(?:twitter|facebook|instagram|x|linkedin|youtube)\b.*|
        (?:write|email)\s+(?:to\s+)?[^@]{0,50}?\s+at\s+\S+@\S+.*|
        (?:https?://|www\.)\S+|
        \[\w+[^\]]*\].{0,200}\[/\w+\]|
        (?:photo|image|picture|video)s?\s*(?:credit|source)?\s*:\s*.{0,80}|
        (?:credit|source)\s*:\s*.{0,60}(?:getty|reuters|ap\b|afp|shutterstock|images?)\b.*|
        (?:copyright|\(c\)|©)\s*.{0,120}|
        all\s+rights\s+reserved\W*|
        this\s+copy\s+is\s+for\s+your\s+personal\b.*|
        (?:print|email|save)\s+(?:this\s+)?article|order\s+reprints|
        tags?\s*:?|comments?|\d+\s+comments?|leave\s+a\s+(?:comment|reply)\b.*|
        tell\s+us\s+what\s+you\s+think\b.*
    )\W*$""",
    re.IGNORECASE | re.VERBOSE,
)
_TOKEN = re.compile(r"\w+")
_TITLE_SEPARATOR = re.compile(r"\s+[|\-–—:·•»]+\s+|\s*\|\s*")
_BLOCKS = ("p", "head", "item", "quote", "list", "table", "row", "cell")


@dataclass
class ExtractedArticle:
    title: str | None
    text: str
    published: datetime | None
    author: str | None
    language: str | None
    site: str | None
    canonical_url: str | None
    description: str | None = None
    modified: datetime | None = None  # kept apart from published: an update is not a new story

    def as_json(self) -> dict:
        """Fields as JSON values; times in ISO 8601 with the page's offset when it gave one."""
        data = asdict(self)
        for key in ("published", "modified"):
            value = getattr(self, key)
            data[key] = value.isoformat() if value else None
        return data


def decode_page(body: bytes, encoding: str | None) -> bytes | str:
    """The page as the extractor should see it: decoded with the crawl's encoding when known.

    The crawl, `extract` and `reextract` all go through here so one raw page always yields the
    same text; without an encoding the bytes go through and the extractor guesses.
    """
    return body.decode(encoding, "replace") if encoding else body


def extract_article(
    html: bytes | str, url: str | None = None, hint_published: datetime | None = None
) -> ExtractedArticle:
    """Extract the main article of a page; raise ExtractionError(reason) when there is none.

    Metadata (headline, dates, author...) is read from the page as fetched, before the tree is
    pruned for the body, and a rejected page's ExtractionError carries it (``metadata``, an
    ExtractedArticle without text). ``hint_published`` is the feed's or sitemap's date for the
    page: a page date far from it is not trusted (newsmon.pagedates).
    """
    import trafilatura
    from trafilatura.xml import xmltotxt

    if not html or not html.strip():
        raise ExtractionError("empty-page", url)
    tree = trafilatura.load_html(html)
    if tree is None:
        raise ExtractionError("unparseable", url)
    meta, pagetype = _read_metadata(tree, url, hint_published)
    candidates = _xpath(_CANDIDATE_XPATH)(tree)
    _merge_split_bodies(candidates)
    _prune_furniture(tree, candidates)
    common = dict(url=url, include_comments=False, include_tables=True, with_metadata=False)
    document = trafilatura.bare_extraction(tree, favor_precision=True, fast=True, **common)
    if document is None or len(document.text or "") < PRECISION_RETRY_CHARS:
        retry = trafilatura.bare_extraction(tree, **common)
        if document is None:
            document = retry
        elif retry is not None and len(retry.text or "") > len(document.text or ""):
            document.body = retry.body
    if document is None:
        raise ExtractionError("no-article", url, meta)
    if document.body is not None:
        _trim(document.body, meta.title, meta.description)
        text = xmltotxt(document.body, False).strip()
    else:
        text = (document.text or "").strip()
    if not text:
        raise ExtractionError("no-article", url, meta)
    if len(text) < MIN_TEXT_CHARS:
        raise ExtractionError("too-short", url, meta)
    if pagetype and pagetype.lower() in {"website", "profile", "homepage"}:
        # og:type says it is not an article; trust it only when the text is short as well.
        if len(text) < 3 * MIN_TEXT_CHARS:
            raise ExtractionError("not-an-article", url, meta)
    return replace(meta, text=text, language=detect_language(text) or meta.language)


def _read_metadata(tree, url: str | None, hint_published: datetime | None) -> tuple[ExtractedArticle, str | None]:
    """The page's metadata as an ExtractedArticle without text, and its og:type."""
    from trafilatura import extract_metadata

    facts = read_facts(tree)
    # htmldate's extensive search of the text is most of the metadata time; only needed undated
    date_config = {
        "original_date": True,
        "extensive_search": not has_structured_date(tree, facts),
        "max_date": utcnow().strftime("%Y-%m-%d"),
    }
    document = extract_metadata(tree, url, date_config)
    headline = read_headline(tree, facts, url or document.url)
    dates = read_dates(tree, facts, document.date, hint_published, headline, url or document.url)
    meta = ExtractedArticle(
        title=headline or document.title or None,
        text="",
        published=dates.published,
        modified=dates.modified,
        author=document.author or None,
        language=_page_language(tree),
        site=document.sitename or document.hostname or None,
        canonical_url=document.url or None,
        description=document.description or None,
    )
    return meta, document.pagetype


def _merge_split_bodies(candidates: list) -> None:
    """Move later parts of an article body split around ads into its first part.

    CMSes often close the body container before an ad or a pull quote and open a new one with
    the same class; trafilatura keeps only the first. Only containers with an article-body
    class, the same tag and class, not nested in one another and each holding paragraphs are
    merged, into the first of them.
    """
    groups: dict[tuple[str, str], list] = {}
    for el in candidates:
        cls = el.get("class", "")
        if el.tag in {"div", "section"} and _BODY_CLASS.search(cls) and el.find(".//p") is not None:
            groups.setdefault((el.tag, cls), []).append(el)
    for parts in groups.values():
        if len(parts) < 2:
            continue
        first = parts[0]
        for part in parts[1:]:
            if any(anc in parts for anc in part.iterancestors()) or any(
                anc is part for anc in first.iterancestors()
            ):
                continue
            first.extend(list(part))
            part.getparent().remove(part)
        return  # the first repeated body class is the article's


def _prune_furniture(tree, candidates: list) -> None:
    """Remove navigation, newsletter boxes and related-article blocks.

    A match that holds a large share of the page's paragraph text is kept: class names like
    "entry-content-read-more" sit on article bodies too.
    """
    matches = [
        el
        for el in candidates
        if el.tag == "nav" or _FURNITURE_CLASS.search(el.get("class", "") + " " + el.get("id", ""))
    ]
    if not matches:
        return
    total = sum(len(p.text_content()) for p in tree.iter("p")) or 1
    for el in matches:
        if el.getparent() is None or el.tag in {"body", "html", "main", "article"}:
            continue
        if sum(len(p.text_content()) for p in el.iter("p")) > PRUNE_MAX_SHARE * total:
            continue
        el.drop_tree()  # keeps the tail text


@functools.cache
def _xpath(expression: str):
    from lxml.etree import XPath

    return XPath(expression)


def _norm(text: str | None) -> str:
    return " ".join(_TOKEN.findall((text or "").lower()))


def _trim(body, title: str | None, description: str | None) -> None:
    """Remove headline, standfirst, furniture lines and repeats from the extracted body."""
    norm_desc = _norm(description)
    # innermost text blocks only: a quote or list item holding paragraphs is judged by them
    blocks = [
        el
        for el in body.iter(*_BLOCKS)
        if el is not body and next(el.iterdescendants(*_BLOCKS), None) is None
    ]
    dropped_title = False
    for index, el in enumerate(blocks):
        if el.getparent() is None:
            continue
        text = " ".join("".join(el.itertext()).split())
        norm = _norm(text)
        if not norm:
            continue
        if index < 3 and title and _same_heading(norm, title):
            _drop(el)
            dropped_title = True
            continue
        # a standfirst set as a heading under the headline; as a paragraph it is often the lede
        if dropped_title and index < 4 and el.tag == "head" and norm_desc and norm == norm_desc:
            _drop(el)
            continue
        if len(text) < 200 and _FURNITURE_LINE.match(text):
            _drop(el)
            continue


def _same_heading(norm: str, title: str) -> bool:
    """Whether a block repeats the page title, also when the title adds "| Site" or "- Site"."""
    parts = [title] + [p for p in _TITLE_SEPARATOR.split(title) if len(p) >= 20]
    return any(norm == _norm(part) for part in parts)


def _drop(el) -> None:
    parent = el.getparent()
    if el.tail and el.tail.strip():
        prev = el.getprevious()
        if prev is not None:
            prev.tail = (prev.tail or "") + el.tail
        else:
            parent.text = (parent.text or "") + el.tail
    parent.remove(el)
    if parent.tag == "list" and len(parent) == 0 and parent.getparent() is not None:
        parent.getparent().remove(parent)


def _page_language(tree) -> str | None:
    """The page's declared language (<html lang>), as an ISO 639-1 code."""
    lang = (tree.get("lang") or tree.get("xml:lang") or "").strip().lower()
    code = re.split(r"[-_]", lang)[0] if lang else ""
    return code if re.fullmatch(r"[a-z]{2}", code) else None


def detect_language(text: str) -> str | None:
    """ISO 639-1 code of ``text`` by py3langid (trafilatura leaves language empty without a hint)."""
    import py3langid

    code, _score = py3langid.classify(text[:1000])  # plenty for a language, and cheap
    return code or None
