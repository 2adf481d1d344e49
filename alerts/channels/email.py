"""Email channel: a multipart (plain text + HTML) message over SMTP, with TLS and login when configured.

Settings come only from the environment (never from a file in the repository):
NEWSMON_SMTP_HOST, NEWSMON_SMTP_PORT, NEWSMON_SMTP_USER, NEWSMON_SMTP_PASSWORD,
NEWSMON_SMTP_TLS (implicit TLS from the first byte, "SMTPS"; default on when the port is 465),
NEWSMON_SMTP_STARTTLS (default on when a user is set and implicit TLS is off) and NEWSMON_MAIL_FROM.
The port defaults to 465, 587 or 25 by the same order. Both TLS modes verify the server's
certificate against the system's CA store (``Transports.tls_context``); the two together are an error.
"""
from __future__ import annotations

import logging
import smtplib
import ssl
from collections.abc import Mapping
from dataclasses import dataclass
from email.message import EmailMessage
from email.utils import formatdate, make_msgid, parseaddr

from sqlalchemy.orm import Session

from alerts.channels import Transports
from alerts.render import Digest, render_html, render_text
from alerts.subscriptions import Subscription
from newsmon.errors import DeliveryError
from newsmon.settings import (
    MAIL_FROM, SMTP_HOST, SMTP_PASSWORD, SMTP_PORT, SMTP_STARTTLS, SMTP_TLS, SMTP_USER, Setting,
)

log = logging.getLogger(__name__)
TRUE, FALSE = {"1", "true", "yes", "on"}, {"0", "false", "no", "off"}


def flag(env: Mapping[str, str], setting: Setting, problems: list[str]) -> bool | None:
    """A yes/no setting; None when it is not set (or wrong, which goes into ``problems``)."""
    text = (setting.raw(env) or "").strip().lower()
    if not text:
        return None
    if text not in TRUE | FALSE:
        problems.append(f"{setting.env}={text!r} must be 1/0, true/false, yes/no or on/off")
        return None
    return text in TRUE


@dataclass(frozen=True)
class SmtpSettings:
    host: str
    port: int
    user: str | None
    password: str | None
    starttls: bool
    tls: bool
    mail_from: str

    @classmethod
    def from_env(cls, env: Mapping[str, str]) -> SmtpSettings:
        """Read and check the settings; the error names every variable that is missing or wrong."""
        def get(setting: Setting) -> str | None:
            return (setting.raw(env) or "").strip() or None

        host, mail_from, user = get(SMTP_HOST), get(MAIL_FROM), get(SMTP_USER)
        password = env.get(SMTP_PASSWORD.env) or None  # kept as given: spaces may be part of it
        problems = [f"{s.env} is not set" for s, v in ((SMTP_HOST, host), (MAIL_FROM, mail_from)) if not v]
        if mail_from and "@" not in parseaddr(mail_from)[1]:
            problems.append(f"{MAIL_FROM.env}={mail_from!r} is not an email address")
        if user and not password:
            problems.append(f"{SMTP_USER.env} is set but {SMTP_PASSWORD.env} is not")
        tls_flag = flag(env, SMTP_TLS, problems)
        starttls_flag = flag(env, SMTP_STARTTLS, problems)
        port_text = get(SMTP_PORT)
        # Port 465 is implicit TLS (RFC 8314): plain SMTP there would wait for a banner until the timeout.
        tls = tls_flag if tls_flag is not None else port_text == "465"
        starttls = starttls_flag if starttls_flag is not None else bool(user) and not tls
        if tls and starttls:
            why = "" if tls_flag is not None else f" ({SMTP_TLS.env} is on by default for port 465)"
            problems.append(f"{SMTP_TLS.env} and {SMTP_STARTTLS.env} are both on{why}: use one, "
                            "implicit TLS (usually port 465) or STARTTLS (usually port 587)")
        port_text = port_text or ("465" if tls else "587" if starttls else "25")
        if not port_text.isdigit() or not 0 < int(port_text) < 65536:
            problems.append(f"{SMTP_PORT.env}={port_text!r} is not a port number")
            port_text = "0"
        if problems:
            raise DeliveryError("cannot send email: " + "; ".join(problems)
                                + " (set them in the environment of `newsmon digest`)")
        return cls(host, int(port_text), user, password, starttls, tls, mail_from)  # type: ignore[arg-type]


class EmailChannel:
    def __init__(self, sub: Subscription, transports: Transports) -> None:
        self.sub, self.transports = sub, transports

    def check(self) -> None:
        try:
            self.settings = SmtpSettings.from_env(self.transports.env)
        except DeliveryError as exc:
            raise DeliveryError(str(exc), self.sub.name) from None

    def message(self, digest: Digest, mail_from: str) -> EmailMessage:
        msg = EmailMessage()
        msg["Subject"] = digest.subject
        msg["From"] = mail_from
        msg["To"] = ", ".join(self.sub.to)
        msg["Date"] = formatdate(usegmt=True)
        domain = parseaddr(mail_from)[1].rpartition("@")[2] or None
        msg["Message-ID"] = make_msgid("newsmon", domain=domain)
        msg["Auto-Submitted"] = "auto-generated"  # RFC 3834: no vacation replies
        msg["X-Newsmon-Subscription"] = self.sub.name
        msg.set_content(render_text(digest))
        if not digest.chart_png:
            msg.add_alternative(render_html(digest), subtype="html")
            return msg
        # Outlook and Gmail ignore inline SVG: the chart goes along as a PNG in multipart/related.
        cid = make_msgid("chart", domain=domain)
        msg.add_alternative(render_html(digest, chart_cid=cid[1:-1]), subtype="html")
        msg.get_payload()[1].add_related(digest.chart_png, "image", "png", cid=cid, filename="chart.png",
                                         disposition="inline")
        return msg

    def connect(self, s: SmtpSettings) -> smtplib.SMTP:
        """Open the connection; with implicit TLS the handshake (and certificate check) happens here."""
        factory, timeout = self.transports.smtp_factory, self.sub.timeout
        if not s.tls:
            return factory(s.host, s.port, timeout=timeout)
        # The default factory is plain smtplib.SMTP; a factory passed in gets the context and must do TLS.
        if factory is smtplib.SMTP:
            factory = smtplib.SMTP_SSL
        return factory(s.host, s.port, timeout=timeout, context=self.transports.tls_context())

    def deliver(self, digest: Digest, session: Session) -> str:
        self.check()
        s = self.settings
        msg = self.message(digest, s.mail_from)
        sent = False
        where = f"SMTP server {s.host}:{s.port}"
        try:
            smtp = self.connect(s)
        except (OSError, smtplib.SMTPException) as exc:
            hint = ""
            if s.tls and isinstance(exc, ssl.SSLError) and not isinstance(exc, ssl.SSLCertVerificationError):
                hint = f" (is it an implicit-TLS port? {SMTP_TLS.env}=0 for plain SMTP or STARTTLS)"
            raise DeliveryError(f"cannot connect to {where}: {exc}{hint}", self.sub.name) from exc
        try:
            if s.starttls:
                smtp.starttls(context=self.transports.tls_context())
            if s.user:
                smtp.login(s.user, s.password or "")
            refused = smtp.send_message(msg)
            sent = True
        except smtplib.SMTPAuthenticationError as exc:
            raise DeliveryError(f"{where} refused the login for {s.user!r}: {exc.smtp_code} "
                                f"{exc.smtp_error.decode(errors='replace')}", self.sub.name) from exc
        except smtplib.SMTPNotSupportedError as exc:
            raise DeliveryError(f"{where} does not support it: {exc} "
                                f"(set {SMTP_STARTTLS.env}=0 only on a trusted network)", self.sub.name) from exc
        except (OSError, smtplib.SMTPException) as exc:
            raise DeliveryError(f"{where} did not accept the message: {exc}", self.sub.name) from exc
        finally:
            try:
                smtp.quit()
            except (OSError, smtplib.SMTPException):
                smtp.close()
                if sent:
                    log.warning("%s: message accepted, but QUIT failed", self.sub.name)
        if refused:
            log.warning("%s: some recipients were refused: %s", self.sub.name, ", ".join(refused))
            return f"sent to {len(self.sub.to) - len(refused)} of {len(self.sub.to)} recipients; refused: {', '.join(refused)}"
        return f"sent to {', '.join(self.sub.to)} via {s.host}:{s.port}"

    def preview(self, digest: Digest, session: Session) -> str:
        return (f"would email {', '.join(self.sub.to)}\nSubject: {digest.subject}\n\n"
                f"{render_text(digest)}")
