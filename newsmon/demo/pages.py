"""Render the demo site once into a table of path -> Resource (bytes, type, validators).

Rendering up front keeps the server trivial and makes ETags stable for conditional requests.
"""
from __future__ import annotations

import hashlib
from email.utils import format_datetime
from dataclasses import dataclass, field
from datetime import datetime

from jinja2 import Environment, PackageLoader, select_autoescape

from newsmon.clock import http_date, iso, offset_text, rfc3339
from newsmon.demo.articles import TRACKING_QUERY, DemoArticle
from newsmon.demo.official import assemble_pdf, document_files

SITE_NAME = "Meridian Policy Wire"
SITE_EPOCH = datetime(2026, 10, 1)  # Last-Modified of pages that do not depend on articles
REMOVED_PATH = "/news/2026/11/removed-story.html"
REPORT_PATH = "/reports/annual-report.pdf"

HTML = "text/html; charset=utf-8"
SECTIONS = {
    "un-general-assembly": "United Nations",
    "digital-compact": "United Nations",
    "scientific-panel": "United Nations",
    "capacity-building": "Development",
    "export-controls": "Trade & Security",
    "autonomous-weapons": "Trade & Security",
    "ai-safety": "Technology",
    "human-rights": "Rights",
    "sdgs-energy": "Development",
}
HTML_LANG = {"en": "en", "fr": "fr", "es": "es", "zh": "zh-CN"}
OG_LOCALE = {"en": "en_GB", "fr": "fr_FR", "es": "es_ES", "zh": "zh_CN"}
NEWS_LANGUAGE = {"en": "en", "fr": "fr", "es": "es", "zh": "zh-cn"}  # Google News codes
MONTHS = ("January February March April May June July August September October November "
          "December").split()


@dataclass(frozen=True)
class Resource:
    body: bytes
    content_type: str
    last_modified: datetime  # naive UTC
    status: int = 200
    etag: str = field(init=False)

    def __post_init__(self) -> None:
        object.__setattr__(self, "etag", '"' + hashlib.sha1(self.body).hexdigest()[:20] + '"')


def build_site(base_url: str, articles: tuple[DemoArticle, ...]) -> dict[str, Resource]:
    """Every path the demo site answers (except the 404s), rendered for ``base_url``."""
    env = _environment()
    common = {"site_name": SITE_NAME, "base_url": base_url, "html_lang": "en"}
    newest = max((a.published for a in articles), default=SITE_EPOCH)
    pages: dict[str, Resource] = {}

    def page(path: str, template: str, modified: datetime, content_type: str = HTML, **context) -> None:
        text = env.get_template(template).render({**common, **context})
        pages[path] = Resource(text.encode("utf-8"), content_type, modified)

    for article in articles:
        page(
            article.path, "article.html", article.published,
            article=article,
            url=base_url + article.path,
            html_lang=HTML_LANG[article.lang],
            og_locale=OG_LOCALE[article.lang],
            section=_section(article),
            published_iso=iso(article.published, article.offset),
            published_human=_human_date(article),
            related=_related(article, articles),
        )

    def channel(name: str) -> list[DemoArticle]:
        return sorted((a for a in articles if name in a.channels), key=lambda a: a.published,
                      reverse=True)

    listing = channel("listing")
    page("/", "home.html", newest, articles=listing[:8])
    page("/news/", "listing.html", _newest(listing), articles=listing)
    page("/contact.html", "contact.html", SITE_EPOCH)

    rss = channel("rss")
    page("/feed.rss", "feed.rss", _newest(rss), "application/rss+xml; charset=utf-8",
         updated=_rfc822(_newest(rss)), items=[_item(base_url, a, _rfc822(a.local), feed=True) for a in rss])
    atom = channel("atom")
    page("/feed.atom", "feed.atom", _newest(atom), "application/atom+xml; charset=utf-8",
         updated=_w3c(_newest(atom)), items=[_item(base_url, a, _w3c(a.local), feed=True) for a in atom])
    news = channel("sitemap")
    page("/sitemap.xml", "sitemap.xml", _newest(news), "application/xml; charset=utf-8",
         updated=_w3c(_newest(news)))
    page("/sitemap-news.xml", "sitemap-news.xml", _newest(news), "application/xml; charset=utf-8",
         items=[_item(base_url, a, _w3c(a.local)) for a in news])

    robots = f"User-agent: *\nAllow: /\n\nSitemap: {base_url}/sitemap.xml\n"
    pages["/robots.txt"] = Resource(robots.encode(), "text/plain; charset=utf-8", SITE_EPOCH)
    pages[REPORT_PATH] = Resource(annual_report_pdf(), "application/pdf", SITE_EPOCH)
    for path, (body, content_type) in document_files().items():  # UN documents the articles cite
        pages[path] = Resource(body, content_type, SITE_EPOCH)
    css = env.loader.get_source(env, "site.css")[0]
    pages["/static/site.css"] = Resource(css.encode(), "text/css; charset=utf-8", SITE_EPOCH)
    return pages


def not_found_page(base_url: str) -> bytes:
    text = _environment().get_template("not_found.html").render(site_name=SITE_NAME, base_url=base_url,
                                                     html_lang="en")
    return text.encode("utf-8")


def _environment() -> Environment:
    return Environment(
        loader=PackageLoader("newsmon.demo", "templates"),
        autoescape=select_autoescape(["html", "xml", "rss", "atom"]),
        trim_blocks=True,
        lstrip_blocks=True,
    )


def _item(base_url: str, article: DemoArticle, date: str, feed: bool = False) -> dict:
    url = base_url + article.path
    link = f"{url}?{TRACKING_QUERY}" if feed and article.tracked else url
    return {"article": article, "url": url, "link": link, "date": date,
            "news_language": NEWS_LANGUAGE[article.lang]}


def _section(article: DemoArticle) -> str:
    for topic in article.topics:
        if topic in SECTIONS:
            return SECTIONS[topic]
    return "World"


def _related(article: DemoArticle, articles: tuple[DemoArticle, ...]) -> list[DemoArticle]:
    others = [a for a in articles if a.lang == article.lang and a.slug != article.slug]
    others.sort(key=lambda a: abs((a.published - article.published).total_seconds()))
    return others[:3]


def _newest(articles: list[DemoArticle]) -> datetime:
    return max((a.published for a in articles), default=SITE_EPOCH)


def _human_date(article: DemoArticle) -> str:
    """``2 October 2026, 10:20 UTC-04:00`` as a site in New York prints it; no zone when the page has none."""
    moment, offset = article.local, article.offset
    zone = "" if offset is None else " UTC" + (offset_text(offset) if offset else "")
    return f"{moment.day} {MONTHS[moment.month - 1]} {moment.year}, {moment:%H:%M}{zone}"


def _rfc822(moment: datetime) -> str:
    """RSS dates in the page's own offset (``-0400``); GMT for a time without zone, taken as UTC."""
    return http_date(moment) if moment.tzinfo is None else format_datetime(moment)


def _w3c(moment: datetime) -> str:
    return rfc3339(moment)


def annual_report_pdf() -> bytes:
    """A small, well-formed one-page PDF (correct xref offsets), so sniffers see a real PDF."""
    stream = b"BT /F1 18 Tf 72 720 Td (Meridian Policy Wire - Annual Report 2026) Tj ET"
    objects = [
        b"<< /Type /Catalog /Pages 2 0 R >>",
        b"<< /Type /Pages /Kids [3 0 R] /Count 1 >>",
        b"<< /Type /Page /Parent 2 0 R /MediaBox [0 0 612 792] /Contents 4 0 R "
        b"/Resources << /Font << /F1 5 0 R >> >> >>",
        b"<< /Length %d >>\nstream\n" % len(stream) + stream + b"\nendstream",
        b"<< /Type /Font /Subtype /Type1 /BaseFont /Helvetica >>",
    ]
    return assemble_pdf(objects)
