"""`newsmon extract`: what extraction finds in one page, for checking a new source by hand."""
from __future__ import annotations

import gzip
import json
import os
from pathlib import Path

import click

from newsmon import DEFAULT_CONTACT, user_agent

FETCH_TIMEOUT = 20.0  # seconds
MAX_PAGE_BYTES = 20 * 1024 * 1024
USER_AGENT = user_agent(os.environ.get("NEWSMON_CONTACT", DEFAULT_CONTACT), "newsmon extract")
_HTML_TYPES = ("text/html", "application/xhtml+xml")


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


def fetch(url: str, timeout: float = FETCH_TIMEOUT) -> tuple[bytes, str]:
    """One plain GET: (body, Content-Type header); every failure becomes a one-line ClickException."""
    import socket
    import urllib.error
    import urllib.request

    request = urllib.request.Request(url, headers={"User-Agent": USER_AGENT, "Accept": "text/html,*/*;q=0.5"})
    try:
        with urllib.request.urlopen(request, timeout=timeout) as response:
            header = response.headers.get("Content-Type") or ""
            ctype = response.headers.get_content_type() if header else ""
            body = response.read(MAX_PAGE_BYTES + 1)
    except urllib.error.HTTPError as exc:
        raise click.ClickException(f"{url}: HTTP {exc.code} {exc.reason}") from None
    except urllib.error.URLError as exc:
        if isinstance(exc.reason, TimeoutError):
            raise click.ClickException(f"{url}: no answer within {timeout:g} s") from None
        reason = exc.reason.strerror if isinstance(exc.reason, OSError) and exc.reason.strerror else exc.reason
        raise click.ClickException(f"{url}: cannot fetch: {reason}") from None
    except (TimeoutError, socket.timeout):
        raise click.ClickException(f"{url}: no answer within {timeout:g} s") from None
    except (OSError, ValueError) as exc:
        raise click.ClickException(f"{url}: cannot fetch: {exc}") from None
    if len(body) > MAX_PAGE_BYTES:
        raise click.ClickException(f"{url}: page larger than {MAX_PAGE_BYTES // 2**20} MiB")
    if ctype and ctype not in _HTML_TYPES:
        raise click.ClickException(f"{url}: not an HTML page (Content-Type {ctype})")
    if not ctype and not _looks_like_html(body):
        raise click.ClickException(f"{url}: not an HTML page")
    return body, header


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
