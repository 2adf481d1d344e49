"""A small news site served from memory on 127.0.0.1, for demos and end-to-end crawler tests.

Feeds, sitemaps and a listing page each publish their own subset of the bundled articles, with
overlaps, a tracking-parameter link, a 404, a PDF and a contact page: the cases a crawler meets.
"""
from __future__ import annotations

import threading
from collections import Counter
from email.message import Message
from email.utils import parsedate_to_datetime
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer
from urllib.parse import unquote, urlsplit

from newsmon.clock import http_date, to_stored
from newsmon.demo.articles import DemoArticle, load_articles
from newsmon.demo.pages import Resource, build_site, not_found_page


class DemoSite:
    """Serve the demo site in a background thread; use as a context manager or start()/stop()."""

    def __init__(self, host: str = "127.0.0.1", port: int = 0,
                 articles: tuple[DemoArticle, ...] | None = None) -> None:
        self.host, self.port = host, port
        self.articles = articles
        self.hits: Counter[str] = Counter()  # path (no query) -> requests served
        self.not_modified: Counter[str] = Counter()  # path -> 304 answers (conditional requests)
        self.last_headers: dict[str, Message] = {}  # path -> headers of its last request
        self._pages: dict[str, Resource] = {}
        self._not_found = b""
        self._server: ThreadingHTTPServer | None = None
        self._thread: threading.Thread | None = None
        self._lock = threading.Lock()

    @property
    def base_url(self) -> str:
        if self._server is None:
            raise RuntimeError("DemoSite is not running; call start() first")
        host, port = self._server.server_address[:2]
        return f"http://{host}:{port}"

    def url(self, path: str) -> str:
        return self.base_url + path

    def start(self) -> DemoSite:
        with self._lock:
            if self._server is not None:
                return self
            server = _Server((self.host, self.port), _Handler)
            server.site = self
            self._server = server
            if self.articles is None:
                self.articles = load_articles()
            self._pages = build_site(self.base_url, self.articles)
            self._not_found = not_found_page(self.base_url)
            self._thread = threading.Thread(
                target=server.serve_forever, kwargs={"poll_interval": 0.05},
                name=f"demo-site-{server.server_address[1]}", daemon=True,
            )
            self._thread.start()
        return self

    def stop(self) -> None:
        with self._lock:
            server, thread = self._server, self._thread
            self._server = self._thread = None
        if server is None:
            return
        server.shutdown()
        server.server_close()
        if thread is not None:
            thread.join(timeout=5)

    def __enter__(self) -> DemoSite:
        return self.start()

    def __exit__(self, *exc_info) -> None:
        self.stop()

    def _count(self, path: str, headers: Message) -> None:
        with self._lock:
            self.hits[path] += 1
            self.last_headers[path] = headers

    def _count_not_modified(self, path: str) -> None:
        with self._lock:
            self.not_modified[path] += 1


def sources_toml(base_url: str) -> str:
    """A newsmon sources file (TOML) that points at the demo site at ``base_url``."""
    base_url = base_url.rstrip("/")
    return f'''# Sources for the bundled demo site ({base_url}).
[[source]]
name = "demo-rss"
kind = "feed"
url = "{base_url}/feed.rss"
lang = "en"

[[source]]
name = "demo-atom"
kind = "feed"
url = "{base_url}/feed.atom"

[[source]]
name = "demo-sitemap"
kind = "sitemap"
url = "{base_url}/sitemap.xml"

[[source]]
name = "demo-listing"
kind = "listing"
url = "{base_url}/news/"
# Deliberately broad: it also follows the contact page, a PDF and a removed story, which the
# crawl drops with their reasons (too-short, not-html, http-404), as it would on a real site.
link_pattern = "\\\\.(html|pdf)$"

[[source]]
name = "demo-documents"
kind = "documents"
url = "{base_url}/documents/"
# Two draft-resolution PDFs (English, French), an HTML resolution, and two files the crawl
# records and skips with their reason: a scan without a text layer and an encrypted PDF.
link_pattern = "/documents/.+\\\\.(pdf|html)$"
'''


class _Server(ThreadingHTTPServer):
    daemon_threads = True
    site: DemoSite

    def handle_error(self, request, client_address) -> None:  # noqa: ARG002
        """Stay quiet: a client hanging up mid-response is normal for a crawler under test."""


class _Handler(BaseHTTPRequestHandler):
    server_version = "MeridianDemo/1.0"
    sys_version = ""

    def do_GET(self) -> None:
        self._answer(send_body=True)

    def do_HEAD(self) -> None:
        self._answer(send_body=False)

    def _answer(self, send_body: bool) -> None:
        site: DemoSite = self.server.site  # type: ignore[attr-defined]
        path = unquote(urlsplit(self.path).path) or "/"
        site._count(path, self.headers)
        resource = site._pages.get(path)
        if resource is None:
            self._send(404, {"Content-Type": "text/html; charset=utf-8"}, site._not_found, send_body)
            return
        headers = {
            "ETag": resource.etag,
            "Last-Modified": http_date(resource.last_modified),
            "Cache-Control": "max-age=0, must-revalidate",
        }
        if _not_modified(self.headers, resource):
            site._count_not_modified(path)
            self._send(304, headers, b"", send_body=False)
            return
        headers["Content-Type"] = resource.content_type
        self._send(resource.status, headers, resource.body, send_body)

    def _send(self, status: int, headers: dict[str, str], body: bytes, send_body: bool) -> None:
        self.send_response(status)
        for name, value in headers.items():
            self.send_header(name, value)
        if status != 304:
            self.send_header("Content-Length", str(len(body)))
        self.end_headers()
        if send_body and body:
            self.wfile.write(body)

    def log_message(self, format: str, *args) -> None:  # noqa: A002
        """No request log on stderr."""


def _not_modified(headers, resource: Resource) -> bool:
    """RFC 9110 order: If-None-Match decides when present, else If-Modified-Since."""
    if_none_match = headers.get("If-None-Match")
    if if_none_match is not None:
        tags = {tag.strip().removeprefix("W/") for tag in if_none_match.split(",")}
        return "*" in tags or resource.etag in tags
    if_modified_since = headers.get("If-Modified-Since")
    if not if_modified_since:
        return False
    try:
        since = parsedate_to_datetime(if_modified_since)
    except (TypeError, ValueError, IndexError):
        return False
    since = to_stored(since)
    return resource.last_modified.replace(microsecond=0) <= since
