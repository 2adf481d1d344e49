"""Delivery channels. Each one either accepts a digest (returns a receipt) or raises DeliveryError.

The network and the clock are seams: ``Transports`` carries the SMTP client factory, the TLS
context, the HTTP transport (httpx's; ``None`` is the network) and the environment, so tests pass
real local servers or an ``httpx.MockTransport`` in and nothing is monkeypatched.
"""
from __future__ import annotations

import os
import smtplib
import ssl
from collections.abc import Callable, Mapping
from dataclasses import dataclass, field
from typing import Protocol

import httpx
from sqlalchemy.orm import Session

from alerts.render import Digest
from alerts.subscriptions import Subscription


class Channel(Protocol):
    def check(self) -> None:
        """Raise DeliveryError when the channel cannot work at all (e.g. SMTP settings missing)."""

    def deliver(self, digest: Digest, session: Session) -> str:
        """Hand the digest over; return a short receipt. Raise DeliveryError when it was not accepted."""

    def preview(self, digest: Digest, session: Session) -> str:
        """What ``deliver`` would send, for --dry-run."""


@dataclass
class Transports:
    env: Mapping[str, str] = field(default_factory=lambda: os.environ)
    smtp_factory: Callable[..., smtplib.SMTP] = smtplib.SMTP
    tls_context: Callable[[], ssl.SSLContext] = ssl.create_default_context
    http: httpx.BaseTransport | None = None  # webhooks; None: the network


def make_channel(sub: Subscription, transports: Transports) -> Channel:
    if sub.channel == "email":
        from alerts.channels.email import EmailChannel

        return EmailChannel(sub, transports)
    if sub.channel == "webhook":
        from alerts.channels.webhook import WebhookChannel

        return WebhookChannel(sub, transports)
    if sub.channel == "file":
        from alerts.channels.files import FileChannel

        return FileChannel(sub)
    if sub.channel == "atom":
        from alerts.channels.atom import AtomChannel

        return AtomChannel(sub)
    raise ValueError(f"unknown channel {sub.channel!r}")
