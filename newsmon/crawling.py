"""Run newsmon's spiders in this process and summarise what the crawl did."""
from __future__ import annotations

import logging
import warnings
from collections import Counter
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

from scrapy.crawler import CrawlerProcess
from scrapy.exceptions import ScrapyDeprecationWarning
from scrapy.settings import Settings

import crawlers
from crawlers.sources import SourceFile, load_sources, require_sources
from newsmon import runstats
from newsmon.clock import utcnow
from newsmon.reasons import Reason
from newsmon.settings import DB_URL, FRONTIER, RAW_DIR, SOURCES
from storage.db import open_for_command
from storage.runs import finish_run, start_run

TIME_BUDGET = "closespider_timeout"  # Scrapy's finish reason when CLOSESPIDER_TIMEOUT is reached
PACKAGED_SOURCES = Path(crawlers.__file__).with_name("sources.toml")


@dataclass
class CrawlSummary:
    run_id: int
    pages_fetched: int = 0
    stored: int = 0
    updated: int = 0
    unchanged: int = 0
    dropped: Counter[str] = field(default_factory=Counter)
    errors: Counter[str] = field(default_factory=Counter)
    config_errors: int = 0
    entry_pages: int = 0  # feeds, sitemaps and listing pages that answered (304 included)
    left_over: int = 0  # links not fetched because of max_articles: the next run's
    finish_reason: str = ""
    documents: int = 0  # official documents stored (kind = "documents" sources)

    @property
    def nothing_answered(self) -> bool:
        """Every entry point failed: the network or the machine is down, not one source."""
        return bool(self.errors) and self.entry_pages == 0

    def line(self) -> str:
        dropped = ", ".join(f"{n} {reason}" for reason, n in sorted(self.dropped.items())) or "none"
        parts = [
            f"{self.pages_fetched} pages fetched",
            f"{self.stored} articles stored ({self.updated} updated, {self.unchanged} unchanged)",
            f"{sum(self.dropped.values())} pages dropped ({dropped})",
        ]
        if self.documents:
            parts.insert(2, f"{self.documents} documents stored")
        if self.errors:
            parts.append("errors: " + ", ".join(f"{n} {kind}" for kind, n in sorted(self.errors.items())))
        if self.config_errors:
            parts.append(f"{self.config_errors} bad source entries skipped")
        if self.left_over:
            parts.append(f"{self.left_over} links left for the next run (max_articles)")
        if self.finish_reason == TIME_BUDGET:
            parts.append("time budget reached (CLOSESPIDER_TIMEOUT): the rest waits for the next run")
        elif self.finish_reason != "finished":
            parts.append(f"crawl ended: {self.finish_reason}")
        elif self.nothing_answered:
            parts.append("no source answered at all")
        return "; ".join(parts)

    @property
    def ok(self) -> bool:
        return self.finish_reason in ("finished", TIME_BUDGET) and not self.nothing_answered


def resolve_sources(path: str | Path | None) -> Path:
    """The sources file to use; the packaged one when the default is absent from the working folder."""
    if path is None or (str(path) == SOURCES.default and not Path(path).exists()):
        return PACKAGED_SOURCES
    return Path(path)


def checked_sources(path: Path, only: str | None = None) -> SourceFile:
    """The sources file, read before crawling: a ConfigError when nothing (or no ``only``) can run."""
    loaded = load_sources(path)
    require_sources(loaded, path, only)
    return loaded


def crawl_settings(sources: Path, db_url: str, raw_dir: str, overrides: dict[str, Any] | None = None) -> Settings:
    settings = Settings()
    settings.setmodule("crawlers.settings", priority="project")
    settings.set(SOURCES.name, str(sources), priority="cmdline")
    settings.set(DB_URL.name, db_url, priority="cmdline")
    settings.set(RAW_DIR.name, raw_dir, priority="cmdline")
    # The command line's verbosity (-v) decides, not the project's INFO default.
    settings.set("LOG_LEVEL", logging.getLevelName(logging.getLogger().getEffectiveLevel()), priority="cmdline")
    settings.set("LOG_FORMAT", "%(asctime)s %(levelname)s %(name)s: %(message)s", priority="cmdline")
    for name, value in (overrides or {}).items():
        settings.set(name, value, priority="cmdline")
    # The environment and the User-Agent (from -s NEWSMON_CONTACT too) are applied when each crawler
    # starts, by crawlers.addons.EnvironmentSettings.
    return settings


def run_crawl(settings: Settings, spider: str = "news", **spider_args: Any) -> CrawlSummary:
    """Crawl once (blocking); the run and its per-source stats are recorded in the database."""
    session_factory = open_for_command(settings.get(DB_URL.name), writer=True)
    with session_factory() as session, session.begin():
        run = start_run(session, utcnow())
    for handler in list(logging.root.handlers):  # Scrapy installs its own root handler at LOG_LEVEL
        logging.root.removeHandler(handler)
    if settings.get(FRONTIER.name):
        # scrapy-redis still passes `spider=` to the stats collector; its warnings are not ours to act on.
        warnings.filterwarnings("ignore", category=ScrapyDeprecationWarning, module="scrapy_redis")
    process = CrawlerProcess(settings)
    crawler = process.create_crawler(spider)
    process.crawl(crawler, **spider_args)
    crawlers = [crawler]
    if spider == "news" and _has_documents(settings, spider_args.get("source")):
        crawlers.append(process.create_crawler("documents"))  # official documents, with their own pipelines
        process.crawl(crawlers[-1], **spider_args)
    try:
        process.start()
    finally:
        stats = merge_stats([c.stats.get_stats() if c.stats else {} for c in crawlers])
        with session_factory() as session, session.begin():
            run = session.merge(run)
            finish_run(session, run, utcnow(), run_status(stats), _plain(stats))
    if settings.get(FRONTIER.name):
        from newsmon.frontier import expire_frontier

        expire_frontier(settings.get("REDIS_URL"), settings.get(FRONTIER.name))
    return summarise(run.id, stats)


def _has_documents(settings: Settings, only_source: str | None) -> bool:
    """Whether the sources file lists a ``kind = "documents"`` source (the one asked for, if any)."""
    from crawlers.sources import load_sources
    from newsmon.errors import ConfigError

    try:
        sources = load_sources(settings.get(SOURCES.name)).sources
    except ConfigError:
        return False  # the news crawler reports the unreadable file
    return any(s.kind == "documents" and only_source in (None, s.name) for s in sources)


def merge_stats(all_stats: list[dict[str, Any]]) -> dict[str, Any]:
    """One run's stats from several crawlers: counts add up; the first crawler's finish reason
    stands unless another did not finish."""
    merged: dict[str, Any] = {}
    for stats in all_stats:
        for key, value in stats.items():
            if key == runstats.CONFIG_ERRORS:  # every crawler reads the same sources file
                merged[key] = max(merged.get(key, 0), value)
            elif isinstance(value, (int, float)) and not isinstance(value, bool) and isinstance(merged.get(key), (int, float)):
                merged[key] += value
            elif key not in merged:
                merged[key] = value
    reasons = [s.get("finish_reason") for s in all_stats]
    if reasons and any(r != "finished" for r in reasons):
        merged["finish_reason"] = next(r or "failed" for r in reasons if r != "finished")
    return merged


def run_status(stats: dict[str, Any]) -> str:
    """'finished' only for a crawl that ran to its end and stored everything it extracted.

    A crawler that failed to start leaves no finish_reason; a failed database write leaves
    articles unstored (they are fetched again next run).
    """
    reason = str(stats.get("finish_reason") or "failed")
    if reason == "finished" and stats.get(runstats.STORE_FAILED):
        return Reason.STORE_FAILED.value
    return reason


def summarise(run_id: int, stats: dict[str, Any]) -> CrawlSummary:
    summary = CrawlSummary(run_id=run_id, finish_reason=run_status(stats))
    summary.pages_fetched = stats.get(runstats.PAGES_FETCHED, 0)
    summary.stored = stats.get(runstats.ARTICLES_STORED, 0)
    summary.updated = stats.get(runstats.ARTICLES_UPDATED, 0)
    summary.unchanged = stats.get(runstats.ARTICLES_UNCHANGED, 0)
    summary.config_errors = stats.get(runstats.CONFIG_ERRORS, 0)
    summary.dropped.update(runstats.totals(stats, runstats.DROPPED))
    summary.errors.update(runstats.totals(stats, runstats.ERRORS))
    summary.entry_pages = runstats.entry_pages_answered(stats)
    summary.left_over = sum(row.count(runstats.SourceCount.OVER_MAX_ARTICLES)
                            for row in runstats.per_source(stats).values())
    summary.documents = stats.get(runstats.DOCUMENTS_STORED, 0)
    return summary


def _plain(stats: dict[str, Any]) -> dict[str, Any]:
    return {k: (v.isoformat() if hasattr(v, "isoformat") else v) for k, v in stats.items()}
