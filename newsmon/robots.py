"""robots.txt for the one-page fetches outside the crawl, read as the crawl reads it (Protego).

The crawl obeys robots.txt through Scrapy's middleware (``ROBOTSTXT_OBEY``); a page fetched by
hand (``newsmon extract URL``) is held to the same rules. As in Scrapy, a site whose robots.txt
is missing or answers an error allows everything: only rules a site actually published refuse.
"""
from __future__ import annotations

import httpx
from protego import Protego

ROBOTS_MAX_BYTES = 500 * 1024  # Google reads the first 500 KiB of a robots.txt and ignores the rest


class RobotsRules:
    """Per-site robots.txt rules, fetched once per origin with the caller's client."""

    def __init__(self, client: httpx.Client, user_agent: str) -> None:
        self.client, self.user_agent = client, user_agent
        self._sites: dict[str, Protego | None] = {}

    def allowed(self, url: httpx.URL) -> bool:
        """May ``user_agent`` fetch ``url``? Transport errors propagate: the page would fail the same way."""
        if url.path == "/robots.txt":
            return True
        origin = f"{url.scheme}://{url.netloc.decode('ascii')}"
        if origin not in self._sites:
            self._sites[origin] = self._fetch(f"{origin}/robots.txt")
        rules = self._sites[origin]
        return rules is None or rules.can_fetch(str(url), self.user_agent)

    def _fetch(self, robots_url: str) -> Protego | None:
        with self.client.stream("GET", robots_url) as response:
            if not response.is_success:
                return None
            body = b""
            for part in response.iter_bytes():
                body += part
                if len(body) >= ROBOTS_MAX_BYTES:
                    break
        return Protego.parse(body[:ROBOTS_MAX_BYTES].decode("utf-8", errors="ignore"))
