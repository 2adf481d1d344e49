"""A reusable local HTTP server for crawler tests: routes, redirects, delays, hangs, hit counts.

    with LocalServer() as server:
        server.route("/feed.rss", FEED, headers={"Content-Type": "application/rss+xml"})
        server.redirect("/old", "/feed.rss", status=301)
        server.hang("/slow")                      # accepts, never answers, until stop()
        server.route("/dyn", lambda h: (200, {"X-Seen": h.headers.get("If-None-Match", "")}, b"ok"))
        ... crawl server.url("/feed.rss") ...
        assert server.hits["/feed.rss"] == 2
        assert server.last_headers["/feed.rss"]["If-None-Match"] == '"v1"'

Import it from tests as ``from localserver import LocalServer`` (pytest puts tests/ on sys.path).
Serves 127.0.0.1 on a free port in a background thread; stop() releases hanging and delayed
requests and closes every open connection, so it returns promptly.
"""
from __future__ import annotations

import socket
import threading
from collections import Counter
from collections.abc import Callable
from dataclasses import dataclass, field
from http.client import HTTPMessage
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer
from urllib.parse import urlsplit

Responder = Callable[["_Handler"], tuple[int, dict[str, str], bytes | str]]


@dataclass
class Route:
    status: int = 200
    body: bytes | Responder = b""
    headers: dict[str, str] = field(default_factory=dict)
    delay: float = 0.0
    hang: bool = False


class LocalServer:
    """Threaded HTTP server on 127.0.0.1 with a route table; use as a context manager."""

    def __init__(self, host: str = "127.0.0.1") -> None:
        self.host = host
        self.hits: Counter[str] = Counter()  # path without query -> number of requests
        self.last_headers: dict[str, HTTPMessage] = {}  # path -> headers of its last request
        self.requests: list[tuple[str, str, HTTPMessage]] = []  # (method, full path, headers)
        self._routes: dict[str, Route] = {}
        self._lock = threading.Lock()
        self._stopping = threading.Event()
        self._server: _Server | None = None
        self._thread: threading.Thread | None = None

    # -- routes ---------------------------------------------------------------------------
    def route(self, path: str, body: bytes | str | Responder = b"", status: int = 200,
              headers: dict[str, str] | None = None, delay: float = 0.0) -> str:
        """Answer ``path`` (exact, or without its query) with a fixed response or a callable.

        A callable gets the request handler (``.path``, ``.command``, ``.headers``,
        ``.request_body``) and returns ``(status, headers, body)``. Returns the route's URL
        when the server is running, else the path.
        """
        if isinstance(body, str):
            body = body.encode("utf-8")
        with self._lock:
            self._routes[path] = Route(status, body, dict(headers or {}), delay)
        return self._url_or_path(path)

    def redirect(self, path: str, to: str, status: int = 302) -> str:
        """Redirect ``path`` to ``to`` (a path on this server or an absolute URL)."""
        def respond(handler: _Handler) -> tuple[int, dict[str, str], bytes]:
            location = self.base_url + to if to.startswith("/") else to
            return status, {"Location": location}, b""
        return self.route(path, respond)

    def hang(self, path: str) -> str:
        """Accept requests to ``path`` and never answer; the connection closes at stop()."""
        with self._lock:
            self._routes[path] = Route(hang=True)
        return self._url_or_path(path)

    # -- lifecycle ------------------------------------------------------------------------
    @property
    def base_url(self) -> str:
        if self._server is None:
            raise RuntimeError("LocalServer is not running; call start() first")
        host, port = self._server.server_address[:2]
        return f"http://{host}:{port}"

    def url(self, path: str) -> str:
        return self.base_url + path

    def start(self) -> LocalServer:
        if self._server is None:
            self._stopping.clear()
            self._server = _Server((self.host, 0), _Handler)
            self._server.owner = self
            self._thread = threading.Thread(
                target=self._server.serve_forever, kwargs={"poll_interval": 0.05},
                name="localserver", daemon=True,
            )
            self._thread.start()
        return self

    def stop(self) -> None:
        server, thread = self._server, self._thread
        if server is None:
            return
        self._stopping.set()  # releases hang() and delay handlers
        server.shutdown()
        server.close_connections()
        server.server_close()  # joins the handler threads
        if thread is not None:
            thread.join(timeout=5)
        self._server = self._thread = None

    def __enter__(self) -> LocalServer:
        return self.start()

    def __exit__(self, *exc_info) -> None:
        self.stop()

    # -- internals ------------------------------------------------------------------------
    def _url_or_path(self, path: str) -> str:
        return self.url(path) if self._server is not None else path

    def _record(self, handler: _Handler) -> Route | None:
        path = urlsplit(handler.path).path
        with self._lock:
            self.hits[path] += 1
            self.last_headers[path] = handler.headers
            self.requests.append((handler.command, handler.path, handler.headers))
            return self._routes.get(handler.path) or self._routes.get(path)


class _Server(ThreadingHTTPServer):
    daemon_threads = False
    block_on_close = True
    owner: LocalServer

    def __init__(self, *args, **kwargs) -> None:
        self._open: set[socket.socket] = set()
        self._open_lock = threading.Lock()
        super().__init__(*args, **kwargs)

    def process_request(self, request, client_address) -> None:
        with self._open_lock:
            self._open.add(request)
        super().process_request(request, client_address)

    def shutdown_request(self, request) -> None:
        with self._open_lock:
            self._open.discard(request)
        super().shutdown_request(request)

    def close_connections(self) -> None:
        with self._open_lock:
            sockets = list(self._open)
        for sock in sockets:
            try:
                sock.shutdown(socket.SHUT_RDWR)
            except OSError:
                pass

    def handle_error(self, request, client_address) -> None:
        """Quiet: clients that time out or hang up are what these tests provoke."""


class _Handler(BaseHTTPRequestHandler):
    request_body = b""

    def _dispatch(self) -> None:
        owner: LocalServer = self.server.owner  # type: ignore[attr-defined]
        length = int(self.headers.get("Content-Length") or 0)
        if length:
            self.request_body = self.rfile.read(length)
        route = owner._record(self)
        if route is None:
            self._send(404, {"Content-Type": "text/plain"}, b"not found")
            return
        if route.hang:
            owner._stopping.wait()
            self.close_connection = True
            return
        if route.delay and owner._stopping.wait(route.delay):
            return
        if callable(route.body):
            status, headers, body = route.body(self)
            if isinstance(body, str):
                body = body.encode("utf-8")
        else:
            status, headers, body = route.status, route.headers, route.body
        self._send(status, headers, body)

    def _send(self, status: int, headers: dict[str, str], body: bytes) -> None:
        self.send_response(status)
        names = {name.lower() for name in headers}
        for name, value in headers.items():
            self.send_header(name, value)
        if "content-type" not in names and body:
            self.send_header("Content-Type", "text/html; charset=utf-8")
        if "content-length" not in names and status not in (204, 304):
            self.send_header("Content-Length", str(len(body)))
        self.end_headers()
        if self.command != "HEAD" and status not in (204, 304):
            self.wfile.write(body)

    do_GET = do_HEAD = do_POST = do_PUT = do_DELETE = _dispatch

    def log_message(self, format: str, *args) -> None:  # noqa: A002
        """No request log on stderr."""
