"""Retries that wait: Scrapy's RetryMiddleware re-queues at once, which hammers a server saying 429/503.

Replaces ``scrapy.downloadermiddlewares.retry.RetryMiddleware`` (same priority, same RETRY_*
settings). Before a retry it waits the server's ``Retry-After`` when given, else an exponential
delay (``NEWSMON_RETRY_BACKOFF_BASE`` * 2**attempt with jitter), capped at
``NEWSMON_RETRY_BACKOFF_MAX``. On 429 and 503 the domain's download slot also slows down to that
delay, so other requests to the same site back off too. The wait is an asyncio sleep: other
sites keep downloading.
"""
from __future__ import annotations

import asyncio
import logging
import random
from email.utils import parsedate_to_datetime

from scrapy import Request
from scrapy.downloadermiddlewares.retry import RetryMiddleware
from scrapy.http import Response
from scrapy.utils.response import response_status_message

from newsmon import runstats
from newsmon.clock import to_stored, utcnow
from newsmon.settings import RETRY_BACKOFF_BASE, RETRY_BACKOFF_MAX

logger = logging.getLogger(__name__)

SLOW_DOWN = {429, 503}


class BackoffRetryMiddleware(RetryMiddleware):
    def __init__(self, settings) -> None:
        super().__init__(settings)
        self.base = settings.getfloat(RETRY_BACKOFF_BASE.name, RETRY_BACKOFF_BASE.default)
        self.cap = settings.getfloat(RETRY_BACKOFF_MAX.name, RETRY_BACKOFF_MAX.default)

    async def process_response(self, request: Request, response: Response, spider=None) -> Request | Response:
        if request.meta.get("dont_retry", False) or response.status not in self.retry_http_codes:
            return response
        retry = self._retry(request, response_status_message(response.status))
        if retry is None:
            return response
        delay = self.delay_for(request, retry_after(response))
        if response.status in SLOW_DOWN:
            self._slow_slot(request, delay)
        await self._wait(request, delay, f"HTTP {response.status}")
        return retry

    async def process_exception(self, request: Request, exception: Exception, spider=None):
        retry = super().process_exception(request, exception)
        if isinstance(retry, Request):
            await self._wait(request, self.delay_for(request, None), type(exception).__name__)
        return retry

    def delay_for(self, request: Request, server_says: float | None) -> float:
        if server_says is not None:
            return min(max(server_says, 0.0), self.cap)
        attempt = request.meta.get("retry_times", 0)
        return min(self.base * (2 ** attempt) * random.uniform(0.75, 1.25), self.cap)

    async def _wait(self, request: Request, delay: float, why: str) -> None:
        self.crawler.stats.inc_value(runstats.RETRY_BACKOFF_SECONDS, int(round(delay)))
        logger.info("retrying %s in %.1fs (%s)", request.url, delay, why)
        if delay > 0:
            await asyncio.sleep(delay)

    def _slow_slot(self, request: Request, delay: float) -> None:
        """Let the whole site breathe: raise its slot delay (AutoThrottle may lower it again later)."""
        downloader = getattr(getattr(self.crawler, "engine", None), "downloader", None)
        if downloader is None:
            return
        key = downloader.get_slot_key(request)
        slot = downloader.slots.get(key)
        if slot is not None and slot.delay < delay:
            slot.delay = delay


def retry_after(response: Response) -> float | None:
    """Seconds from a Retry-After header (delta-seconds or an HTTP date), or None."""
    value = response.headers.get(b"Retry-After")
    if not value:
        return None
    text = value.decode("latin-1").strip()
    if text.isdigit():
        return float(text)
    try:
        when = parsedate_to_datetime(text)
    except (TypeError, ValueError, IndexError):
        return None
    return max((to_stored(when) - utcnow()).total_seconds(), 0.0)  # a date without a zone is UTC
