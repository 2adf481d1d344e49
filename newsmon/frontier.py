"""Many crawler workers sharing one frontier in Redis, with scrapy-redis's scheduler and dupefilter.

Workers started with the same frontier name share one request queue and one set of seen
requests, so each article page is fetched by exactly one of them. The keys persist while any
worker runs (the first worker to finish must not clear the others' queue) and expire a while
after the last run, so old frontiers do not pile up in Redis.
"""
from __future__ import annotations

from datetime import date

from newsmon.errors import NewsmonError
from newsmon.settings import FRONTIER

FRONTIER_TTL_SECONDS = 2 * 24 * 3600


def default_frontier_name() -> str:
    """Workers started on the same day share a frontier unless told otherwise."""
    return f"nightly-{date.today().isoformat()}"


def frontier_settings(redis_url: str, frontier: str) -> dict[str, object]:
    """Scrapy settings for a shared frontier; a NewsmonError when the redis extra is not installed."""
    require_redis()
    prefix = f"newsmon:{frontier}"
    return {
        "SCHEDULER": "scrapy_redis.scheduler.Scheduler",
        "DUPEFILTER_CLASS": "scrapy_redis.dupefilter.RFPDupeFilter",
        "SCHEDULER_PERSIST": True,
        "SCHEDULER_QUEUE_CLASS": "scrapy_redis.queue.PriorityQueue",
        "SCHEDULER_QUEUE_KEY": f"{prefix}:%(spider)s:requests",
        "SCHEDULER_DUPEFILTER_KEY": f"{prefix}:%(spider)s:dupefilter",
        "REDIS_URL": redis_url,
        FRONTIER.name: prefix,
    }


def require_redis() -> None:
    try:
        import redis  # noqa: F401
        import scrapy_redis  # noqa: F401
    except ImportError:
        raise NewsmonError("--redis needs the redis extra: pip install 'newsmon[redis]'") from None


def expire_frontier(redis_url: str, prefix: str, ttl: int = FRONTIER_TTL_SECONDS) -> None:
    import redis

    client = redis.Redis.from_url(redis_url)
    for key in client.scan_iter(f"{prefix}:*"):
        client.expire(key, ttl)
