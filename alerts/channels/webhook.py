"""Webhook channel: a JSON POST with a Slack-compatible ``text`` and the structured stories."""
from __future__ import annotations

import json

import httpx
from sqlalchemy.orm import Session

from alerts.channels import Transports
from alerts.render import Digest, digest_json
from alerts.subscriptions import Subscription
from newsmon.errors import DeliveryError
from newsmon.http import failure_reason

USER_AGENT = "newsmon-digest/0.1"


class WebhookChannel:
    def __init__(self, sub: Subscription, transports: Transports) -> None:
        self.sub, self.transports = sub, transports

    def check(self) -> None:
        pass  # the URL was checked when the subscriptions file was read

    def deliver(self, digest: Digest, session: Session) -> str:
        """POST the digest; only a 2xx answer counts. Messages never carry the URL (it is a secret)."""
        body = json.dumps(digest_json(digest), ensure_ascii=False).encode("utf-8")
        headers = {"Content-Type": "application/json; charset=utf-8", "User-Agent": USER_AGENT}
        # A redirect is a failure: following it would resend the digest somewhere the subscription never named.
        try:
            with (httpx.Client(transport=self.transports.http, timeout=self.sub.timeout, follow_redirects=False)
                  as client, client.stream("POST", self.sub.url or "", content=body, headers=headers) as response):
                status, reason = response.status_code, response.reason_phrase  # the answer's body is not read
        except httpx.TimeoutException as exc:
            raise DeliveryError(f"webhook timed out (no answer within {self.sub.timeout:g} s)", self.sub.name) from exc
        except httpx.TransportError as exc:
            raise DeliveryError(f"webhook unreachable: {failure_reason(exc)}", self.sub.name) from exc
        except (httpx.HTTPError, httpx.InvalidURL) as exc:
            raise DeliveryError(f"webhook failed: {type(exc).__name__}", self.sub.name) from exc
        if not 200 <= status < 300:
            raise DeliveryError(f"webhook answered HTTP {status} {reason}".rstrip(), self.sub.name)
        return f"posted {len(digest.stories)} stories, HTTP {status}"

    def preview(self, digest: Digest, session: Session) -> str:
        return f"would POST to {self.sub.url}:\n{json.dumps(digest_json(digest), indent=2, ensure_ascii=False)}"
