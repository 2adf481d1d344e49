"""Helpers for the alert-digest tests (no tests here): stories in the database, a loopback SMTP
server (aiosmtpd) and a webhook receiver. Imported as ``from test_alerts_support import ...``.
"""
from __future__ import annotations

import datetime as dt
import hashlib
import ipaddress
import ssl
import threading
from dataclasses import dataclass, field
from pathlib import Path

from aiosmtpd.controller import Controller
from aiosmtpd.smtp import AuthResult, LoginPassword

from alerts.channels import Transports
from alerts.run import RunOptions
from storage.models import Article, ArticleTopic, Story

NOW = dt.datetime(2026, 11, 20, 7, 0, 0)
_counter = iter(range(1, 10**9))


def add_article(session, *, title: str = "UN adopts AI resolution", source: str = "un-news",
                url: str | None = None, text: str | None = None, topics: dict[str, float] | None = None,
                language: str = "en", relevance: float | None = 0.9, first_seen: dt.datetime | None = None,
                published: dt.datetime | None = None, story: Story | None = None) -> Article:
    """An article in its own new story (or in ``story``), with topic tags; flushed, not committed."""
    n = next(_counter)
    first_seen = first_seen or NOW - dt.timedelta(hours=3)
    if story is None:
        story = Story(first_seen=first_seen, last_seen=first_seen)
        session.add(story)
        session.flush()
    text = text or (f"{title}. The General Assembly adopted a text on artificial intelligence "
                    "governance after long negotiations between member states. " * 3)
    article = Article(
        url=url or f"https://{source}.example/news/{n}", fetched_url=url or f"https://{source}.example/news/{n}",
        source=source, title=title, text=text, published=published, language=language,
        content_hash=hashlib.sha256(text.encode()).hexdigest(), first_seen=first_seen, updated=first_seen,
        relevance=relevance, relevant=None if relevance is None else relevance >= 0.5,
        model_version="test", story_id=story.id,
    )
    for label, confidence in (topics if topics is not None else {"un-governance": 0.9}).items():
        article.topics.append(ArticleTopic(label=label, confidence=confidence, model_version="test"))
    session.add(article)
    session.flush()
    return article


def fixed_clock(now: dt.datetime = NOW):
    return lambda: now


def options(now: dt.datetime = NOW, **transports) -> RunOptions:
    return RunOptions(clock=fixed_clock(now), transports=Transports(**transports))


# -- SMTP ------------------------------------------------------------------------------------
class Inbox:
    """aiosmtpd handler keeping every accepted envelope."""

    def __init__(self) -> None:
        self.envelopes = []

    async def handle_DATA(self, server, session, envelope):
        self.envelopes.append(envelope)
        return "250 Message accepted for delivery"


class LoopbackSMTP(Controller):
    """aiosmtpd Controller on 127.0.0.1; with port 0 it learns the port the OS chose."""

    def __init__(self, port: int = 0, **kwargs) -> None:
        self.inbox = Inbox()
        super().__init__(self.inbox, hostname="127.0.0.1", port=port, **kwargs)

    def _trigger_server(self):
        # Controller connects to self.port to check the server; with port 0 that would fail.
        self.port = self.server.sockets[0].getsockname()[1]
        super()._trigger_server()


def password_checker(user: str, password: str):
    def authenticator(server, session, envelope, mechanism, auth_data):
        ok = isinstance(auth_data, LoginPassword) and auth_data.login.decode() == user \
            and auth_data.password.decode() == password
        return AuthResult(success=ok, handled=False)
    return authenticator


@dataclass
class SelfSignedTLS:
    """A throwaway certificate for 127.0.0.1: the server's context and a client context trusting it."""

    folder: Path
    cert: Path = field(init=False)
    key: Path = field(init=False)

    def __post_init__(self) -> None:
        from cryptography import x509
        from cryptography.hazmat.primitives import hashes, serialization
        from cryptography.hazmat.primitives.asymmetric import ec
        from cryptography.x509.oid import NameOID

        key = ec.generate_private_key(ec.SECP256R1())
        name = x509.Name([x509.NameAttribute(NameOID.COMMON_NAME, "127.0.0.1")])
        now = dt.datetime.now(dt.UTC)
        cert = (
            x509.CertificateBuilder().subject_name(name).issuer_name(name).public_key(key.public_key())
            .serial_number(x509.random_serial_number())
            .not_valid_before(now - dt.timedelta(minutes=5)).not_valid_after(now + dt.timedelta(days=1))
            .add_extension(x509.SubjectAlternativeName([x509.IPAddress(ipaddress.ip_address("127.0.0.1"))]), False)
            .add_extension(x509.BasicConstraints(ca=True, path_length=None), True)
            .sign(key, hashes.SHA256())
        )
        self.cert, self.key = self.folder / "cert.pem", self.folder / "key.pem"
        self.cert.write_bytes(cert.public_bytes(serialization.Encoding.PEM))
        self.key.write_bytes(key.private_bytes(serialization.Encoding.PEM, serialization.PrivateFormat.PKCS8,
                                               serialization.NoEncryption()))

    def server_context(self) -> ssl.SSLContext:
        context = ssl.create_default_context(ssl.Purpose.CLIENT_AUTH)
        context.load_cert_chain(self.cert, self.key)
        return context

    def client_context(self) -> ssl.SSLContext:
        return ssl.create_default_context(cafile=str(self.cert))


# -- webhook ---------------------------------------------------------------------------------
class WebhookReceiver:
    """A LocalServer route answering with the next queued status (the last one repeats)."""

    def __init__(self, server, statuses: list[int], path: str = "/hook", delay: float = 0.0) -> None:
        self.statuses, self.bodies, self.headers = list(statuses), [], []
        self._lock = threading.Lock()
        self.url = server.route(path, self._respond, delay=delay)

    def _respond(self, handler):
        with self._lock:
            status = self.statuses.pop(0) if len(self.statuses) > 1 else self.statuses[0]
            self.bodies.append(handler.request_body)
            self.headers.append(handler.headers)
        return status, {"Content-Type": "text/plain"}, b"ok" if status < 300 else b"error"
