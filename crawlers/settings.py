"""Scrapy settings for newsmon: polite by default.

Every NEWSMON_* setting is declared, with its default and help, in newsmon/settings.py (the README's
settings table lists them); this module takes their defaults from there and reads no environment:
``crawlers.addons.EnvironmentSettings`` applies NEWSMON_DB_URL, NEWSMON_CONTACT and the other
environment variables when a crawler starts. Override any setting per run with
``scrapy crawl news -s NAME=VALUE`` or ``newsmon crawl -s NAME=VALUE``.
"""
from newsmon import settings as _declared
from newsmon import user_agent

BOT_NAME = "newsmon"
SPIDER_MODULES = ["crawlers.spiders"]
NEWSPIDER_MODULE = "crawlers.spiders"

# --- newsmon settings: NEWSMON_SOURCES, NEWSMON_DB_URL, NEWSMON_MAX_ARTICLES, ... (newsmon/settings.py)
globals().update(_declared.crawl_defaults())
# The environment (NEWSMON_DB_URL, NEWSMON_CONTACT, ...) is read when a crawler starts, not at import.
ADDONS = {"crawlers.addons.EnvironmentSettings": 0}
# The run's time budget in seconds (0: none). A 100,000-item feed would otherwise run for hours
# and block the next nights; what is left waits for the next run, and the summary says so.
CLOSESPIDER_TIMEOUT = 4 * 3600

# --- politeness ----------------------------------------------------------------------------------
# Rebuilt from the effective NEWSMON_CONTACT (environment or -s) when a crawler starts.
USER_AGENT = user_agent(_declared.CONTACT.default)
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
    "crawlers.pipelines.titles.SourceTitlesPipeline": 250,
    "crawlers.pipelines.classify.ClassifyPipeline": 300,
    "crawlers.pipelines.citations.CitationsPipeline": 350,
    "crawlers.pipelines.store.StorePipeline": 400,
}

LOG_LEVEL = "INFO"
LOG_FORMATTER = "crawlers.extensions.logformatter.NewsmonLogFormatter"  # no raw bodies in logs
FEED_EXPORT_ENCODING = "utf-8"
DEFAULT_DROPITEM_LOG_LEVEL = "INFO"  # a page with no article is expected, not a warning
