"""Webhook channel: a JSON POST with a Slack-compatible ``text`` and the structured stories."""
from __future__ import annotations

import json
import urllib.error
import urllib.request

from sqlalchemy.orm import Session

from alerts.channels import Transports
from alerts.render import Digest, digest_json
from alerts.subscriptions import Subscription
from newsmon.errors import DeliveryError

USER_AGENT = "newsmon-digest/0.1"


class WebhookChannel:
    def __init__(self, sub: Subscription, transports: Transports) -> None:
        self.sub, self.transports = sub, transports

    def check(self) -> None:
        pass  # the URL was checked when the subscriptions file was read

    def deliver(self, digest: Digest, session: Session) -> str:
        body = json.dumps(digest_json(digest), ensure_ascii=False).encode("utf-8")
        request = urllib.request.Request(
            self.sub.url or "", data=body, method="POST",
            headers={"Content-Type": "application/json; charset=utf-8", "User-Agent": USER_AGENT},
        )
        try:
            with self.transports.opener().open(request, timeout=self.sub.timeout) as response:
                status = response.status
                response.read(65536)
        except urllib.error.HTTPError as exc:
            exc.close()
            raise DeliveryError(f"webhook answered HTTP {exc.code} {exc.reason}", self.sub.name) from exc
        except urllib.error.URLError as exc:
            raise DeliveryError(f"webhook unreachable: {exc.reason}", self.sub.name) from exc
        except (TimeoutError, OSError) as exc:
            raise DeliveryError(f"webhook failed: {exc}", self.sub.name) from exc
        if not 200 <= status < 300:
            raise DeliveryError(f"webhook answered HTTP {status}", self.sub.name)
        return f"posted {len(digest.stories)} stories, HTTP {status}"

    def preview(self, digest: Digest, session: Session) -> str:
        return f"would POST to {self.sub.url}:\n{json.dumps(digest_json(digest), indent=2, ensure_ascii=False)}"
