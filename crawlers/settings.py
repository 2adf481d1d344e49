"""Scrapy settings for newsmon: polite by default. Every NEWSMON_* setting is documented here.

Override any of them per run with ``scrapy crawl news -s NAME=VALUE`` or ``newsmon crawl``'s options.
"""
import os

from newsmon import DEFAULT_CONTACT, user_agent

BOT_NAME = "newsmon"
SPIDER_MODULES = ["crawlers.spiders"]
NEWSPIDER_MODULE = "crawlers.spiders"

# --- newsmon settings ----------------------------------------------------------------------------
# The sources file (TOML) the spiders read.
NEWSMON_SOURCES = os.environ.get("NEWSMON_SOURCES", "crawlers/sources.toml")
# Where articles are stored: an SQLAlchemy URL.
NEWSMON_DB_URL = os.environ.get("NEWSMON_DB_URL", "sqlite:///newsmon.db")
# Folder of raw response bodies (gzip, content-addressed) kept for re-extraction.
NEWSMON_RAW_DIR = os.environ.get("NEWSMON_RAW_DIR", "raw")
# Articles fetched per source per run when its entry sets no max_articles (0: no limit); the
# links left over wait for the next run, and the run summary says how many.
NEWSMON_MAX_ARTICLES = 500
# The run's time budget in seconds (0: none). A 100,000-item feed would otherwise run for hours
# and block the next nights; what is left waits for the next run, and the summary says so.
CLOSESPIDER_TIMEOUT = 4 * 3600
# A model `newsmon train` saved; unset: the model that ships with newsmon.
NEWSMON_MODEL_PATH = os.environ.get("NEWSMON_MODEL") or None
# Worker processes for extraction: -1 = one per core, 0 = a thread in the crawler process.
NEWSMON_EXTRACT_PROCESSES = -1
# Articles written per database transaction.
NEWSMON_DB_BATCH_SIZE = 50
# Re-fetch stored articles last fetched more than this many days ago (0: never; `nightly --refresh-days`).
NEWSMON_REFRESH_DAYS = 0
# Remember fetched pages and entry-page validators across runs (crawlers.extensions.fetchstate).
NEWSMON_INCREMENTAL = True
# Wait before retry n (crawlers.middlewares.backoff): this many seconds * 2**n, +-25% jitter...
NEWSMON_RETRY_BACKOFF_BASE = 2.0
# ...or the server's Retry-After; never longer than this many seconds.
NEWSMON_RETRY_BACKOFF_MAX = 60.0
# Articles tagged per classifier call, and the longest an article waits for its batch (seconds).
NEWSMON_CLASSIFY_BATCH_SIZE = 64
# (see crawlers/batching.py: one call for many articles costs little more than one)
NEWSMON_CLASSIFY_MAX_WAIT = 0.5
# Official documents (kind = "documents" sources): longer PDFs are recorded as too-large and skipped.
NEWSMON_DOCUMENT_MAX_PAGES = 500
# Story identity (near-duplicate detection): NEWSMON_DEDUP_<NAME> overrides a field of
# newsmon.dedup.DedupSettings, e.g. -s NEWSMON_DEDUP_MIN_JACCARD=0.5 (defaults measured by bench/dedup.py).
# Contact URL or address put in the User-Agent so site owners can reach the operator.
NEWSMON_CONTACT = os.environ.get("NEWSMON_CONTACT", DEFAULT_CONTACT)

# --- politeness ----------------------------------------------------------------------------------
USER_AGENT = user_agent(NEWSMON_CONTACT)  # `newsmon crawl` rebuilds it from an overridden NEWSMON_CONTACT
ROBOTSTXT_OBEY = True
CONCURRENT_REQUESTS = 32
CONCURRENT_REQUESTS_PER_DOMAIN = 4
DOWNLOAD_DELAY = 0.5
AUTOTHROTTLE_ENABLED = True
AUTOTHROTTLE_START_DELAY = 1.0
AUTOTHROTTLE_MAX_DELAY = 30.0
AUTOTHROTTLE_TARGET_CONCURRENCY = 2.0
DOWNLOAD_TIMEOUT = 30
DOWNLOAD_MAXSIZE = 10 * 1024 * 1024
DOWNLOAD_WARNSIZE = 2 * 1024 * 1024
RETRY_ENABLED = True
RETRY_TIMES = 3
RETRY_HTTP_CODES = [429, 500, 502, 503, 504, 522, 524, 408]
REDIRECT_MAX_TIMES = 10
COOKIES_ENABLED = False
DOWNLOADER_MIDDLEWARES = {
    "scrapy.downloadermiddlewares.retry.RetryMiddleware": None,
    "crawlers.middlewares.backoff.BackoffRetryMiddleware": 550,
    "crawlers.middlewares.redirectloop.RedirectLoopMiddleware": 650,
}
SPIDER_MIDDLEWARES = {
    # Spider side of DepthMiddleware (900): sees the spider's links first, as the spider found them.
    "crawlers.middlewares.fetchstate.FetchStateMiddleware": 950,
}
EXTENSIONS = {
    "crawlers.extensions.fetchstate.FetchStateTracker": 500,
    "crawlers.extensions.onelinelogs.OneLineNetworkErrors": 0,  # robots.txt failures: one line, no traceback
}
TELNETCONSOLE_ENABLED = False

ITEM_PIPELINES = {
    "crawlers.pipelines.rawarchive.RawArchivePipeline": 100,
    "crawlers.pipelines.extract.ExtractPipeline": 200,
    "crawlers.pipelines.classify.ClassifyPipeline": 300,
    "crawlers.pipelines.citations.CitationsPipeline": 350,
    "crawlers.pipelines.store.StorePipeline": 400,
}

LOG_LEVEL = "INFO"
LOG_FORMATTER = "crawlers.extensions.logformatter.NewsmonLogFormatter"  # no raw bodies in logs
FEED_EXPORT_ENCODING = "utf-8"
DEFAULT_DROPITEM_LOG_LEVEL = "INFO"  # a page with no article is expected, not a warning
