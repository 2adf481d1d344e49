"""Email digests against a real SMTP server on loopback (aiosmtpd): parts, headers, ledger, retry."""
from __future__ import annotations

import email
import email.policy
import smtplib

import pytest
from sqlalchemy import func, select

from alerts.channels.email import SmtpSettings
from alerts.run import run_subscription
from alerts.subscriptions import Subscription
from storage.models import Delivery
from test_alerts_support import (
    Inbox,
    LoopbackSMTP,
    SelfSignedTLS,
    add_article,
    options,
    password_checker,
)

SUB = Subscription(name="sanctions-desk", channel="email", to=("analyst@example.org", "desk@example.org"),
                   topics=("sanctions",), min_confidence=0.6)


@pytest.fixture
def smtp():
    server = LoopbackSMTP()
    server.start()
    yield server
    server.stop()


def env_for(port: int, **extra) -> dict[str, str]:
    return {"NEWSMON_SMTP_HOST": "127.0.0.1", "NEWSMON_SMTP_PORT": str(port),
            "NEWSMON_MAIL_FROM": "newsmon <alerts@newsmon.example>", **extra}


def deliveries(session_factory, name: str = SUB.name) -> int:
    with session_factory() as s:
        return s.scalar(select(func.count()).select_from(Delivery).where(Delivery.subscription == name))


def seed(session_factory) -> None:
    with session_factory() as s:
        add_article(s, title="US widens chip export controls to cloud access", source="reuters",
                    topics={"sanctions": 0.93, "military-ai": 0.2})
        add_article(s, title="Entity list grows", source="ft", topics={"sanctions": 0.7})
        add_article(s, title="Weak tag only", source="ft", topics={"sanctions": 0.4})
        add_article(s, title="Unrelated safety news", topics={"safety": 0.95})
        s.commit()


def parse(envelope) -> email.message.EmailMessage:
    return email.message_from_bytes(envelope.original_content, policy=email.policy.default)


def test_email_digest_is_multipart_with_headers_and_ledger(smtp, session_factory):
    seed(session_factory)
    outcome = run_subscription(session_factory, SUB, options(env=env_for(smtp.port)))
    assert outcome.status == "sent", outcome.message
    assert outcome.stories == 2
    [envelope] = smtp.inbox.envelopes
    assert envelope.mail_from == "alerts@newsmon.example"
    assert sorted(envelope.rcpt_tos) == ["analyst@example.org", "desk@example.org"]
    msg = parse(envelope)
    assert msg["Subject"] == "[newsmon] sanctions-desk: 2 new stories (2026-11-20)"
    assert msg["From"] == "newsmon <alerts@newsmon.example>"
    assert msg["To"] == "analyst@example.org, desk@example.org"
    assert msg["Message-ID"].endswith("@newsmon.example>")
    assert msg["Auto-Submitted"] == "auto-generated"
    assert msg["Date"]
    assert msg.get_content_type() == "multipart/alternative"
    plain = msg.get_body(("plain",)).get_content()
    html = msg.get_body(("html",)).get_content()
    assert "US widens chip export controls to cloud access" in plain
    assert "https://reuters.example/news/" in plain
    assert "sanctions 0.93" in plain and "Weak tag only" not in plain and "Unrelated" not in plain
    assert 'href="https://reuters.example/news/' in html
    # the chart: a PNG in multipart/related, referenced by Content-ID (mail clients ignore SVG)
    related = msg.get_payload()[1]
    assert related.get_content_type() == "multipart/related"
    image = next(part for part in related.iter_parts() if part.get_content_type() == "image/png")
    assert image.get_content()[:8] == b"\x89PNG\r\n\x1a\n"
    assert f'src="cid:{image["Content-ID"][1:-1]}"' in html and "<svg" not in html
    assert "sanctions (2)" in html  # the HTML legend under the image
    assert html.index("US widens") < html.index("Entity list grows")  # more confident first
    assert deliveries(session_factory) == 2

    again = run_subscription(session_factory, SUB, options(env=env_for(smtp.port)))
    assert again.status == "empty"
    assert len(smtp.inbox.envelopes) == 1  # no duplicate after a re-run
    assert deliveries(session_factory) == 2


def test_smtp_down_records_nothing_and_the_next_run_sends(session_factory):
    seed(session_factory)
    probe = LoopbackSMTP()
    probe.start()
    port = probe.port
    probe.stop()  # the server is down: connection refused on this port

    failed = run_subscription(session_factory, SUB, options(env=env_for(port)))
    assert failed.status == "failed"
    assert "cannot connect to SMTP server 127.0.0.1" in failed.message and "next run" in failed.message
    assert deliveries(session_factory) == 0

    server = LoopbackSMTP(port=port)
    server.start()
    try:
        sent = run_subscription(session_factory, SUB, options(env=env_for(port)))
        assert sent.status == "sent" and sent.stories == 2
        assert len(server.inbox.envelopes) == 1
        assert deliveries(session_factory) == 2
        assert run_subscription(session_factory, SUB, options(env=env_for(port))).status == "empty"
        assert len(server.inbox.envelopes) == 1
    finally:
        server.stop()


def test_server_rejecting_the_message_records_nothing(session_factory):
    class Rejecting:
        async def handle_DATA(self, server, session, envelope):
            return "554 Transaction failed: policy"

    seed(session_factory)
    server = LoopbackSMTP()
    server.handler = Rejecting()
    server.start()
    try:
        outcome = run_subscription(session_factory, SUB, options(env=env_for(server.port)))
    finally:
        server.stop()
    assert outcome.status == "failed" and "554" in outcome.message
    assert deliveries(session_factory) == 0


def test_starttls_and_login(tmp_path, session_factory):
    tls = SelfSignedTLS(tmp_path)
    server = LoopbackSMTP(tls_context=tls.server_context(), require_starttls=True,
                          authenticator=password_checker("desk", "s3cret"), auth_required=True)
    server.start()
    seed(session_factory)
    env = env_for(server.port, NEWSMON_SMTP_USER="desk", NEWSMON_SMTP_PASSWORD="wrong")
    try:
        bad = run_subscription(session_factory, SUB, options(env=env, tls_context=tls.client_context))
        assert bad.status == "failed" and "refused the login for 'desk'" in bad.message
        assert deliveries(session_factory) == 0
        env["NEWSMON_SMTP_PASSWORD"] = "s3cret"  # STARTTLS is on by default when a user is set
        good = run_subscription(session_factory, SUB, options(env=env, tls_context=tls.client_context))
        assert good.status == "sent", good.message
        assert len(server.inbox.envelopes) == 1
    finally:
        server.stop()


def test_starttls_checks_the_certificate(tmp_path, session_factory):
    tls = SelfSignedTLS(tmp_path)
    server = LoopbackSMTP(tls_context=tls.server_context(), require_starttls=True)
    server.start()
    seed(session_factory)
    env = env_for(server.port, NEWSMON_SMTP_STARTTLS="1")
    try:
        outcome = run_subscription(session_factory, SUB, options(env=env))  # default context: untrusted
    finally:
        server.stop()
    assert outcome.status == "failed" and "CERTIFICATE_VERIFY_FAILED" in outcome.message
    assert deliveries(session_factory) == 0


class TlsInbox(Inbox):
    """Also notes, for each message, whether it arrived over TLS and after a login."""

    def __init__(self) -> None:
        super().__init__()
        self.tls, self.authenticated = [], []

    async def handle_DATA(self, server, session, envelope):
        self.tls.append(server.transport.get_extra_info("ssl_object") is not None)
        self.authenticated.append(session.authenticated)
        return await super().handle_DATA(server, session, envelope)


def implicit_tls_server(tls: SelfSignedTLS, **kwargs) -> LoopbackSMTP:
    """TLS from the first byte (SMTPS). aiosmtpd only counts STARTTLS as TLS, so AUTH is allowed explicitly."""
    server = LoopbackSMTP(ssl_context=tls.server_context(), auth_require_tls=False, **kwargs)
    server.handler = server.inbox = TlsInbox()
    server.start()
    return server


# aiosmtpd warns that AUTH is not tied to STARTTLS; here the whole connection is TLS from the first byte.
@pytest.mark.filterwarnings("ignore:Requiring AUTH while not requiring TLS:UserWarning")
def test_implicit_tls_and_login(tmp_path, session_factory):
    tls = SelfSignedTLS(tmp_path)
    server = implicit_tls_server(tls, authenticator=password_checker("desk", "s3cret"), auth_required=True)
    seed(session_factory)
    env = env_for(server.port, NEWSMON_SMTP_TLS="1", NEWSMON_SMTP_USER="desk", NEWSMON_SMTP_PASSWORD="wrong")
    try:
        bad = run_subscription(session_factory, SUB, options(env=env, tls_context=tls.client_context))
        assert bad.status == "failed" and "refused the login for 'desk'" in bad.message
        assert deliveries(session_factory) == 0
        env["NEWSMON_SMTP_PASSWORD"] = "s3cret"  # a user set, but no STARTTLS inside implicit TLS
        good = run_subscription(session_factory, SUB, options(env=env, tls_context=tls.client_context))
        assert good.status == "sent", good.message
        assert good.stories == 2 and deliveries(session_factory) == 2
    finally:
        server.stop()
    assert server.inbox.tls == [True] and server.inbox.authenticated == [True]
    assert parse(server.inbox.envelopes[0])["Subject"].startswith("[newsmon] sanctions-desk: 2 new stories")


def test_implicit_tls_checks_the_certificate(tmp_path, session_factory):
    tls = SelfSignedTLS(tmp_path)
    server = implicit_tls_server(tls)
    seed(session_factory)
    env = env_for(server.port, NEWSMON_SMTP_TLS="yes")
    try:
        untrusted = run_subscription(session_factory, SUB, options(env=env))  # default context: system CAs
        assert untrusted.status == "failed"
        assert f"cannot connect to SMTP server 127.0.0.1:{server.port}" in untrusted.message
        assert "CERTIFICATE_VERIFY_FAILED" in untrusted.message and "Traceback" not in untrusted.message
        assert deliveries(session_factory) == 0 and server.inbox.envelopes == []
        trusted = run_subscription(session_factory, SUB, options(env=env, tls_context=tls.client_context))
        assert trusted.status == "sent", trusted.message
        assert deliveries(session_factory) == 2 and server.inbox.tls == [True]
    finally:
        server.stop()


def test_implicit_tls_against_a_plain_server_says_so(smtp, session_factory):
    seed(session_factory)
    outcome = run_subscription(session_factory, SUB, options(env=env_for(smtp.port, NEWSMON_SMTP_TLS="1")))
    assert outcome.status == "failed" and "NEWSMON_SMTP_TLS=0" in outcome.message
    assert deliveries(session_factory) == 0 and smtp.inbox.envelopes == []


BASE = {"NEWSMON_SMTP_HOST": "mail.example", "NEWSMON_MAIL_FROM": "a@b.example"}
USER = {"NEWSMON_SMTP_USER": "u", "NEWSMON_SMTP_PASSWORD": "p"}


@pytest.mark.parametrize("env, port, tls, starttls", [
    ({}, 25, False, False),
    (USER, 587, False, True),
    ({"NEWSMON_SMTP_PORT": "465"}, 465, True, False),
    ({"NEWSMON_SMTP_PORT": "465", **USER}, 465, True, False),  # no STARTTLS by default inside TLS
    ({"NEWSMON_SMTP_TLS": "1", **USER}, 465, True, False),
    ({"NEWSMON_SMTP_TLS": "on", "NEWSMON_SMTP_PORT": "2465"}, 2465, True, False),
    ({"NEWSMON_SMTP_PORT": "465", "NEWSMON_SMTP_TLS": "0"}, 465, False, False),
    ({"NEWSMON_SMTP_PORT": "465", "NEWSMON_SMTP_TLS": "off", "NEWSMON_SMTP_STARTTLS": "1"}, 465, False, True),
])
def test_tls_settings_and_their_defaults(env, port, tls, starttls):
    s = SmtpSettings.from_env({**BASE, **env})
    assert (s.port, s.tls, s.starttls) == (port, tls, starttls)


@pytest.mark.parametrize("env, missing", [
    ({}, "NEWSMON_SMTP_HOST is not set; NEWSMON_MAIL_FROM is not set"),
    ({**BASE, "NEWSMON_SMTP_TLS": "1", "NEWSMON_SMTP_STARTTLS": "1"},
     "NEWSMON_SMTP_TLS and NEWSMON_SMTP_STARTTLS are both on: use one"),
    ({**BASE, "NEWSMON_SMTP_PORT": "465", "NEWSMON_SMTP_STARTTLS": "true"},
     "both on (NEWSMON_SMTP_TLS is on by default for port 465): use one"),
    ({**BASE, "NEWSMON_SMTP_TLS": "ssl"}, "NEWSMON_SMTP_TLS='ssl' must be 1/0"),
    ({"NEWSMON_SMTP_HOST": "127.0.0.1", "NEWSMON_MAIL_FROM": "a@b.example", "NEWSMON_SMTP_USER": "u"},
     "NEWSMON_SMTP_USER is set but NEWSMON_SMTP_PASSWORD is not"),
    ({"NEWSMON_SMTP_HOST": "h", "NEWSMON_MAIL_FROM": "a@b.example", "NEWSMON_SMTP_PORT": "smtp"},
     "NEWSMON_SMTP_PORT='smtp' is not a port number"),
])
def test_missing_smtp_settings_give_a_clear_error(env, missing, session_factory):
    seed(session_factory)
    outcome = run_subscription(session_factory, SUB, options(env=env))
    assert outcome.status == "failed"
    assert missing in outcome.message and "environment" in outcome.message
    assert "Traceback" not in outcome.message
    assert deliveries(session_factory) == 0


def test_smtp_client_factory_is_the_seam(session_factory):
    """The factory gets host, port and timeout; STARTTLS is off without a user."""
    calls = []

    class Recorder(smtplib.SMTP):
        def __init__(self, host, port, timeout):
            calls.append((host, port, timeout))
            raise ConnectionRefusedError(111, "Connection refused")

    seed(session_factory)
    outcome = run_subscription(session_factory, SUB, options(
        env={"NEWSMON_SMTP_HOST": "mail.example", "NEWSMON_MAIL_FROM": "a@b.example"}, smtp_factory=Recorder))
    assert calls == [("mail.example", 25, 10.0)]
    assert outcome.status == "failed" and "Connection refused" in outcome.message


def test_implicit_tls_goes_through_the_factory_with_the_context(session_factory):
    """A factory passed in gets the TLS context when implicit TLS is on (smtplib.SMTP_SSL's signature)."""
    calls, context = [], object()

    class Recorder(smtplib.SMTP_SSL):
        def __init__(self, host, port, timeout, context):
            calls.append((host, port, timeout, context))
            raise ConnectionRefusedError(111, "Connection refused")

    seed(session_factory)
    outcome = run_subscription(session_factory, SUB, options(
        env={**BASE, "NEWSMON_SMTP_PORT": "465"}, smtp_factory=Recorder, tls_context=lambda: context))
    assert calls == [("mail.example", 465, 10.0, context)]
    assert outcome.status == "failed" and "Connection refused" in outcome.message

