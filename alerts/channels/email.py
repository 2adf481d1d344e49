"""Email channel: a multipart (plain text + HTML) message over SMTP, STARTTLS and login when configured.

Settings come only from the environment (never from a file in the repository):
NEWSMON_SMTP_HOST, NEWSMON_SMTP_PORT, NEWSMON_SMTP_USER, NEWSMON_SMTP_PASSWORD,
NEWSMON_SMTP_STARTTLS (default on when a user is set) and NEWSMON_MAIL_FROM.
"""
from __future__ import annotations

import logging
import smtplib
from collections.abc import Mapping
from dataclasses import dataclass
from email.message import EmailMessage
from email.utils import formatdate, make_msgid, parseaddr

from sqlalchemy.orm import Session

from alerts.channels import Transports
from alerts.render import Digest, render_html, render_text
from alerts.subscriptions import Subscription
from newsmon.errors import DeliveryError

log = logging.getLogger(__name__)
TRUE, FALSE = {"1", "true", "yes", "on"}, {"0", "false", "no", "off"}


@dataclass(frozen=True)
class SmtpSettings:
    host: str
    port: int
    user: str | None
    password: str | None
    starttls: bool
    mail_from: str

    @classmethod
    def from_env(cls, env: Mapping[str, str]) -> SmtpSettings:
        """Read and check the settings; the error names every variable that is missing or wrong."""
        def get(key: str) -> str | None:
            return (env.get(key) or "").strip() or None

        host, mail_from, user = get("NEWSMON_SMTP_HOST"), get("NEWSMON_MAIL_FROM"), get("NEWSMON_SMTP_USER")
        password = env.get("NEWSMON_SMTP_PASSWORD") or None
        problems = [f"{k} is not set" for k, v in
                    (("NEWSMON_SMTP_HOST", host), ("NEWSMON_MAIL_FROM", mail_from)) if not v]
        if mail_from and "@" not in parseaddr(mail_from)[1]:
            problems.append(f"NEWSMON_MAIL_FROM={mail_from!r} is not an email address")
        if user and not password:
            problems.append("NEWSMON_SMTP_USER is set but NEWSMON_SMTP_PASSWORD is not")
        flag = (get("NEWSMON_SMTP_STARTTLS") or "").lower()
        if flag and flag not in TRUE | FALSE:
            problems.append(f"NEWSMON_SMTP_STARTTLS={flag!r} must be 1/0, true/false, yes/no or on/off")
        starttls = flag in TRUE if flag else bool(user)
        port_text = get("NEWSMON_SMTP_PORT") or ("587" if starttls else "25")
        if not port_text.isdigit() or not 0 < int(port_text) < 65536:
            problems.append(f"NEWSMON_SMTP_PORT={port_text!r} is not a port number")
            port_text = "0"
        if problems:
            raise DeliveryError("cannot send email: " + "; ".join(problems)
                                + " (set them in the environment of `newsmon digest`)")
        return cls(host, int(port_text), user, password, starttls, mail_from)  # type: ignore[arg-type]


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

    def deliver(self, digest: Digest, session: Session) -> str:
        self.check()
        s = self.settings
        msg = self.message(digest, s.mail_from)
        sent = False
        where = f"SMTP server {s.host}:{s.port}"
        try:
            smtp = self.transports.smtp_factory(s.host, s.port, timeout=self.sub.timeout)
        except (OSError, smtplib.SMTPException) as exc:
            raise DeliveryError(f"cannot connect to {where}: {exc}", self.sub.name) from exc
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
                                "(set NEWSMON_SMTP_STARTTLS=0 only on a trusted network)", self.sub.name) from exc
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
