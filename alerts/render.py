"""Render a digest as HTML, plain text, Markdown, Slack text, JSON and Atom, with Jinja2.

Everything scraped from the web is untrusted: HTML and XML templates autoescape, Markdown and Slack
text go through their own escaping filters, and links are only ever http(s) (``safe_url``).
"""
from __future__ import annotations

import re
from dataclasses import dataclass, field
from datetime import datetime
from functools import cache

from jinja2 import Environment, PackageLoader, StrictUndefined, select_autoescape
from markupsafe import Markup

from alerts.select import DigestStory, group_stories, safe_url
from alerts.subscriptions import Subscription
from newsmon.clock import rfc3339, shown

# Characters XML 1.0 forbids even when escaped; scraped text sometimes carries them.
_XML_INVALID = re.compile(r"[\x00-\x08\x0b\x0c\x0e-\x1f\ufffe\uffff]")
SLACK_LIMIT = 3900
_MD_SPECIAL = re.compile(r"([\\`*_{}\[\]()<>#+!|~&])")


@dataclass
class Digest:
    subscription: Subscription
    stories: list[DigestStory]
    generated: datetime
    since: datetime
    chart_svg: Markup = Markup("")
    sparkline: str = ""
    period: str = ""  # "since the last digest (...)", for the reader
    chart_png: bytes = b""  # the same bars for mail clients that ignore SVG; empty when no stories
    chart_legend: list[tuple[str, str, int]] = field(default_factory=list)  # (topic, colour, stories)

    @property
    def headline(self) -> str:
        n = len(self.stories)
        updated = f" ({self.updated_count} updated)" if self.updated_count else ""
        return f"{n} new {'story' if n == 1 else 'stories'}{updated} {self.period}".rstrip()

    @property
    def groups(self) -> list[tuple[str, list[DigestStory]]]:
        return group_stories(self.stories, self.subscription)

    @property
    def updated_count(self) -> int:
        return sum(s.updated for s in self.stories)

    @property
    def subject(self) -> str:
        """No scraped text in the subject: only our own words and numbers."""
        n = len(self.stories)
        what = f"{n} new {'story' if n == 1 else 'stories'}" if n else "no new stories"
        return f"[newsmon] {self.subscription.name}: {what} ({self.generated:%Y-%m-%d})"


def oneline(text: str | None) -> str:
    return re.sub(r"\s+", " ", text or "").strip()


def md_escape(text: str | None) -> str:
    """Scraped text as literal Markdown: punctuation that could make links, HTML or emphasis is escaped."""
    return _MD_SPECIAL.sub(r"\\\1", oneline(text))


def md_url(url: str) -> str:
    return "".join({"(": "%28", ")": "%29", "<": "%3C", ">": "%3E", " ": "%20"}.get(c, c) for c in url)


def slack_escape(text: str | None) -> str:
    """Slack mrkdwn: only &, < and > are special (https://api.slack.com/reference/surfaces/formatting)."""
    return oneline(text).replace("&", "&amp;").replace("<", "&lt;").replace(">", "&gt;")


def confidence(value: float) -> str:
    return f"{value:.2f}"


def day(value: datetime, fmt: str = "%d %b %Y") -> str:
    """A story's date for readers (``shown_date``): ``25 Apr 2024, 19:30 +02:00``, or the day alone
    when the page gave only a day."""
    text, date_only = shown(value, fmt), value.strftime(fmt)
    return date_only if text == date_only else f"{date_only}, {text[len(date_only) + 1:]}"


@cache
def environment() -> Environment:
    env = Environment(
        loader=PackageLoader("alerts", "templates"),
        autoescape=select_autoescape(["html", "xml"], default_for_string=True, default=False),
        undefined=StrictUndefined,
        trim_blocks=True,
        lstrip_blocks=True,
        keep_trailing_newline=True,
    )
    env.filters.update(safeurl=safe_url, md=md_escape, mdurl=md_url, slack=slack_escape, conf=confidence,
                       oneline=oneline, rfc3339=rfc3339, day=day)
    return env


def _render(template: str, **context) -> str:
    return environment().get_template(template).render(**context)


def render_html(digest: Digest, chart_cid: str | None = None) -> str:
    """With ``chart_cid`` the chart is the PNG attached under that Content-ID (for email), else inline SVG."""
    return _render("digest.html", d=digest, sub=digest.subscription, chart_cid=chart_cid)


def render_text(digest: Digest) -> str:
    return _render("digest.txt", d=digest, sub=digest.subscription)


def render_markdown(digest: Digest) -> str:
    return _render("digest.md", d=digest, sub=digest.subscription)


def render_slack(digest: Digest) -> str:
    """Slack shows about 4,000 characters of a message: cut at a line and say how much is left."""
    text = _render("slack.txt", d=digest, sub=digest.subscription).strip()
    if len(text) <= SLACK_LIMIT:
        return text
    lines, kept, size = text.splitlines(), [], 0
    for line in lines:
        if size + len(line) + 1 > SLACK_LIMIT - 80:
            break
        kept.append(line)
        size += len(line) + 1
    left = sum(1 for line in lines[len(kept):] if line.startswith("•"))
    return "\n".join(kept) + f"\n… and {left} more {'story' if left == 1 else 'stories'} (see the JSON `stories`)"


def render_atom(sub: Subscription, stories: list[DigestStory], generated: datetime) -> str:
    # Each entry's HTML is rendered (escaped) first, then escaped again as the entry's text content.
    entries = [(s, _render("entry.html", s=s)) for s in stories]
    return _XML_INVALID.sub("", _render("atom.xml", sub=sub, entries=entries, generated=generated))


def story_json(story: DigestStory) -> dict:
    return {
        "story_id": story.story_id,
        "title": story.title,
        "url": safe_url(story.url),
        "source": story.source,
        "date": rfc3339(story.shown_date),
        "language": story.language,
        "topics": [{"label": label, "confidence": round(c, 4)} for label, c in story.topics],
        "group": story.group,
        "text": story.snippet,
        "updated": story.updated,
        "also_reported_by": story.outlet_count,
        "outlets": [{"source": o.source, "url": safe_url(o.url), "title": o.title} for o in story.outlets],
    }


def digest_json(digest: Digest) -> dict:
    """The webhook body: Slack-compatible ``text`` plus the structured stories."""
    return {
        "text": render_slack(digest),
        "subscription": digest.subscription.name,
        "generated": rfc3339(digest.generated),
        "since": rfc3339(digest.since),
        "count": len(digest.stories),
        "stories": [story_json(s) for s in digest.stories],
    }
