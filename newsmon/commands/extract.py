"""`newsmon extract`: what extraction finds in one page, for checking a new source by hand."""
from __future__ import annotations

import gzip
import json
from pathlib import Path

import click
import httpx

from newsmon import user_agent
from newsmon.http import failure_reason
from newsmon.robots import RobotsRules
from newsmon.settings import CONTACT

FETCH_TIMEOUT = 20.0  # seconds
MAX_PAGE_BYTES = 20 * 1024 * 1024
_HTML_TYPES = ("text/html", "application/xhtml+xml")


def extract_user_agent() -> str:
    """The User-Agent, from NEWSMON_CONTACT as it is now (never read at import)."""
    return user_agent(CONTACT.value(), "newsmon extract")


def __getattr__(name: str) -> str:
    """``USER_AGENT`` as a module attribute, computed when it is read."""
    if name == "USER_AGENT":
        return extract_user_agent()
    raise AttributeError(f"module {__name__!r} has no attribute {name!r}")


@click.command()
@click.argument("target", metavar="PATH_OR_URL")
@click.option(
    "--format",
    "fmt",
    type=click.Choice(["json", "text"]),
    default="text",
    show_default=True,
    help="json: one object with every field; text: a header of fields, then the article text.",
)
def extract(target: str, fmt: str) -> None:
    """Extract the article of one page: a local .html or .html.gz file, or an http(s) URL.

    Prints title, date (with the time and UTC offset the page gives), modified date, author,
    language, site, canonical URL and text. A page with no article gets its metadata printed and
    the reason why (exit code 1).
    """
    from newsmon.errors import ExtractionError
    from newsmon.extraction import decode_page, extract_article

    if target.startswith(("http://", "https://")):
        body, content_type = fetch(target)
        html, url = decode_page(body, url_encoding(target, content_type, body)), target
    else:
        html, url = read_local(target), None
    try:
        article = extract_article(html, url)
    except ExtractionError as exc:
        # A page dropped as a non-article still shows what it says about itself.
        if exc.metadata is not None:
            show(target, exc.metadata.as_json(), fmt, dropped=exc.reason)
        raise click.ClickException(f"no article found in {target}: {exc.reason}") from None
    show(target, article.as_json(), fmt)


def show(target: str, data: dict, fmt: str, dropped: str | None = None) -> None:
    """Print an article's fields (and text); for a dropped page, its metadata and the reason."""
    if fmt == "json":
        extra = {"dropped": dropped} if dropped else {}
        click.echo(json.dumps({"source": target, **extra, **data}, ensure_ascii=False, indent=2))
        return
    labels = [
        ("Title", "title"),
        ("Date", "published"),
        ("Modified", "modified"),
        ("Author", "author"),
        ("Language", "language"),
        ("Site", "site"),
        ("Canonical URL", "canonical_url"),
    ]
    for label, key in labels:
        click.echo(f"{label + ':':15}{data[key] or '-'}")
    if dropped:
        return
    click.echo("")
    click.echo(data["text"])


def read_local(path: str) -> bytes:
    """Bytes of a local page; gzip files (by their magic number) are decompressed."""
    file = Path(path)
    if not file.is_file():
        raise click.ClickException(f"{path}: no such file (give a local .html/.html.gz or a URL)")
    try:
        data = file.read_bytes()
        if data[:2] == b"\x1f\x8b":
            data = gzip.decompress(data)
    except (OSError, EOFError) as exc:
        raise click.ClickException(f"{path}: cannot read: {exc}") from None
    if not _looks_like_html(data):
        raise click.ClickException(f"{path}: not an HTML page")
    return data


class _Refused(Exception):
    """robots.txt disallows a URL on the way (the page itself or a redirect's target)."""

    def __init__(self, url: str) -> None:
        super().__init__(url)
        self.url = url


def fetch(url: str, timeout: float = FETCH_TIMEOUT, transport: httpx.BaseTransport | None = None) -> tuple[bytes, str]:
    """One GET, allowed by robots.txt as in the crawl: (body, Content-Type header).

    Every failure, a refusal by robots.txt included, becomes a one-line ClickException.
    ``transport`` is the seam for tests (``httpx.MockTransport``); by default, the network.
    """
    headers = {"User-Agent": extract_user_agent(), "Accept": "text/html,*/*;q=0.5"}
    with httpx.Client(transport=transport, headers=headers, timeout=timeout, follow_redirects=True) as client:
        robots = RobotsRules(client, headers["User-Agent"])

        def obey_robots(request: httpx.Request) -> None:
            if not robots.allowed(request.url):
                raise _Refused(str(request.url))

        client.event_hooks["request"] = [obey_robots]
        try:
            with client.stream("GET", url) as response:
                if response.is_error:
                    raise click.ClickException(f"{url}: HTTP {response.status_code} {response.reason_phrase}")
                header = response.headers.get("Content-Type", "")
                body = _read_capped(response, MAX_PAGE_BYTES + 1)
        except _Refused as refused:
            where = "" if httpx.URL(refused.url) == httpx.URL(url) else f" (redirected to {refused.url})"
            raise click.ClickException(f"{url}: robots.txt disallows fetching it{where}") from None
        except httpx.TimeoutException:
            raise click.ClickException(f"{url}: no answer within {timeout:g} s") from None
        except (httpx.HTTPError, httpx.InvalidURL) as exc:
            raise click.ClickException(f"{url}: cannot fetch: {failure_reason(exc)}") from None
    ctype = header.split(";")[0].strip().lower()
    if len(body) > MAX_PAGE_BYTES:
        raise click.ClickException(f"{url}: page larger than {MAX_PAGE_BYTES // 2**20} MiB")
    if ctype and ctype not in _HTML_TYPES:
        raise click.ClickException(f"{url}: not an HTML page (Content-Type {ctype})")
    if not ctype and not _looks_like_html(body):
        raise click.ClickException(f"{url}: not an HTML page")
    return body, header


def _read_capped(response: httpx.Response, limit: int) -> bytes:
    """At most ``limit`` bytes of the (decompressed) body: a huge page is not read to the end."""
    body = bytearray()
    for part in response.iter_bytes():
        body += part
        if len(body) >= limit:
            break
    return bytes(body[:limit])


def url_encoding(url: str, content_type: str, body: bytes) -> str | None:
    """The encoding the crawl would pick for this response (header charset, BOM, meta, then a guess)."""
    from scrapy.http import HtmlResponse

    from crawlers.spiders.pages import page_encoding

    headers = {"Content-Type": content_type} if content_type else {}
    return page_encoding(HtmlResponse(url, headers=headers, body=body))


def _looks_like_html(data: bytes) -> bool:
    head = data[:2048].lstrip(b"\xef\xbb\xbf \t\r\n").lower()
    return head.startswith(b"<") and b"%pdf" not in head[:8]


# `reextract` lives in newsmon/commands/reextract.py (the lead's); this module holds `extract` only.
