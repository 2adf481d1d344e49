"""Two crawler workers sharing one frontier in Redis fetch each article page once."""
from __future__ import annotations

import subprocess
import sys
import uuid

import pytest

from newsmon.demo.site import DemoSite, sources_toml
from tests.conftest import REDIS_URL, service_missing

pytestmark = [pytest.mark.redis, pytest.mark.slow]
NEWSMON = [sys.executable, "-c", "from newsmon.cli import main; main()"]


@pytest.fixture
def redis_url() -> str:
    import redis

    try:
        redis.Redis.from_url(REDIS_URL, socket_connect_timeout=2).ping()
    except redis.RedisError as exc:
        service_missing(f"Redis not reachable at {REDIS_URL}: {exc}")
    return REDIS_URL


def test_two_workers_share_one_frontier(tmp_path, redis_url):
    import redis

    frontier = f"test-{uuid.uuid4().hex[:8]}"
    db = f"sqlite:///{tmp_path / 'shared.db'}"
    with DemoSite() as site:
        (tmp_path / "sources.toml").write_text(sources_toml(site.base_url), encoding="utf-8")
        command = [*NEWSMON, "crawl", "--sources", "sources.toml", "--db", db, "--redis", redis_url,
                   "--frontier", frontier, "-s", "DOWNLOAD_DELAY=0", "-s", "AUTOTHROTTLE_ENABLED=False"]
        subprocess.run([*NEWSMON, "db", "upgrade", "--db", db], cwd=tmp_path, check=True, capture_output=True)  # migrate once
        workers = [subprocess.Popen(command, cwd=tmp_path, stdout=subprocess.PIPE, stderr=subprocess.PIPE, text=True)
                   for _ in range(2)]
        outputs = [w.communicate(timeout=180) for w in workers]
        assert [w.returncode for w in workers] == [0, 0], outputs
        article_hits = {path: n for path, n in site.hits.items() if path.startswith("/news/20")}
    assert article_hits and max(article_hits.values()) == 1, article_hits  # no article page fetched twice
    client = redis.Redis.from_url(redis_url)
    keys = list(client.scan_iter(f"newsmon:{frontier}:*"))
    assert keys and all(0 < client.ttl(k) <= 2 * 24 * 3600 for k in keys)  # the frontier expires
    client.delete(*keys)
    stored = subprocess.run([*NEWSMON, "query", "--db", db, "--limit", "0", "--format", "csv"], cwd=tmp_path,
                            check=True, capture_output=True, text=True).stdout.strip().splitlines()
    assert len(stored) - 1 == len([p for p in article_hits if "removed-story" not in p])
