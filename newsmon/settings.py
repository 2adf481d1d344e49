"""Every newsmon setting, declared once: its name, environment variable, default and help.

datasette's ``SETTINGS`` tuple is the model. Everything else is generated from or checked against
this module: the CLI's options take their envvar and default from it (``newsmon.options``), the
Scrapy project's ``NEWSMON_*`` settings are its ``crawl`` settings (``crawlers/settings.py``), the
environment reaches a crawl when its crawler starts (``crawlers/addons.py``), ``newsmon settings``
prints the effective values with secrets masked, and the README's settings table is
``markdown_table()`` (``tests/test_one_place.py`` fails when they drift apart).

It imports nothing of newsmon, so every command can read a setting without loading the rest.
"""
from __future__ import annotations

import os
from collections.abc import Iterator, Mapping
from typing import Any, NamedTuple
from urllib.parse import urlsplit, urlunsplit

MASK = "***"


class Setting(NamedTuple):
    name: str  # the Scrapy setting (`-s NAME=VALUE`) for crawl settings; else the environment variable
    env: str | None  # the environment variable; None: set per crawl with `-s NAME=VALUE` only
    default: Any
    help: str
    secret: bool = False  # never printed; `newsmon settings` shows *** when it is set
    crawl: bool = False  # a Scrapy setting: crawlers/settings.py declares it with this default
    group: str = "newsmon"  # who reads it: newsmon, the cron wrapper, or the test suite

    def raw(self, env: Mapping[str, str] | None = None) -> str | None:
        """The environment's text for this setting, or None when unset or blank."""
        if self.env is None:
            return None
        text = (os.environ if env is None else env).get(self.env)
        return text if text and text.strip() else None

    def value(self, env: Mapping[str, str] | None = None) -> Any:
        """The environment's text when set, else the default (a blank variable counts as unset)."""
        text = self.raw(env)
        return self.default if text is None else text


# -- where things are ------------------------------------------------------------------------------

DB_URL = Setting(
    "NEWSMON_DB_URL", "NEWSMON_DB_URL", "sqlite:///newsmon.db",
    "Where articles are stored: an SQLAlchemy URL (`--db`), e.g. postgresql://user@host/newsmon.", crawl=True)
SOURCES = Setting(
    "NEWSMON_SOURCES", "NEWSMON_SOURCES", "crawlers/sources.toml",
    "The sources file (TOML) that `crawl` and `nightly` read (`--sources`); when the default is "
    "absent from the working folder, the one that ships with newsmon.", crawl=True)
RAW_DIR = Setting(
    "NEWSMON_RAW_DIR", "NEWSMON_RAW_DIR", "raw",
    "Folder of raw pages (gzip, content-addressed) kept for `newsmon reextract` (`--raw-dir`).", crawl=True)
SUBSCRIPTIONS = Setting(
    "NEWSMON_SUBSCRIPTIONS", "NEWSMON_SUBSCRIPTIONS", "alerts/subscriptions.toml",
    "The subscriptions file that `digest`, `nightly` and `serve` read (`--subscriptions`).")
MODEL = Setting(
    "NEWSMON_MODEL_PATH", "NEWSMON_MODEL", None,
    "A classifier model `newsmon train` saved (`--model`), used by crawl, nightly, tag, retag, evaluate, "
    "review and serve; unset: the model that ships with newsmon.", crawl=True)
HOME = Setting(
    "NEWSMON_HOME", "NEWSMON_HOME", ".",
    "Working folder: `newsmon train` saves to $NEWSMON_HOME/models/; the cron wrapper runs there.")
CONTACT = Setting(
    "NEWSMON_CONTACT", "NEWSMON_CONTACT", "https://github.com/newsmon/newsmon",
    "Your URL or address, put in the User-Agent so site owners can reach you.", crawl=True)
REDIS_URL = Setting(
    "NEWSMON_REDIS_URL", "NEWSMON_REDIS_URL", None,
    "A Redis URL: `crawl` shares one frontier there with other workers (`--redis`).")
FRONTIER = Setting(
    "NEWSMON_FRONTIER", None, None,
    "The shared frontier's key prefix in Redis, set by `crawl --redis/--frontier`.", crawl=True)

# -- how a crawl runs ------------------------------------------------------------------------------

REFRESH_DAYS = Setting(
    "NEWSMON_REFRESH_DAYS", "NEWSMON_REFRESH_DAYS", 0,
    "Fetch again stored articles last fetched more than this many days ago (0: never; "
    "`nightly --refresh-days`).", crawl=True)
MAX_ARTICLES = Setting(
    "NEWSMON_MAX_ARTICLES", None, 500,
    "Articles fetched per source per run when its entry sets no max_articles (0: no limit); the "
    "links left over wait for the next run.", crawl=True)
EXTRACT_PROCESSES = Setting(
    "NEWSMON_EXTRACT_PROCESSES", None, -1,
    "Worker processes for extraction: -1 = one per core, 0 = a thread in the crawler process.", crawl=True)
DB_BATCH_SIZE = Setting(
    "NEWSMON_DB_BATCH_SIZE", None, 50, "Articles written per database transaction.", crawl=True)
INCREMENTAL = Setting(
    "NEWSMON_INCREMENTAL", None, True,
    "Remember fetched pages and entry-page validators across runs, so a run fetches only what is new.",
    crawl=True)
RETRY_BACKOFF_BASE = Setting(
    "NEWSMON_RETRY_BACKOFF_BASE", None, 2.0,
    "Wait before retry n: this many seconds * 2**n, +-25% jitter (or the server's Retry-After).", crawl=True)
RETRY_BACKOFF_MAX = Setting(
    "NEWSMON_RETRY_BACKOFF_MAX", None, 60.0, "The longest wait before a retry, in seconds.", crawl=True)
CLASSIFY_BATCH_SIZE = Setting(
    "NEWSMON_CLASSIFY_BATCH_SIZE", None, 64,
    "Articles tagged per classifier call (one call for many costs little more than one).", crawl=True)
CLASSIFY_MAX_WAIT = Setting(
    "NEWSMON_CLASSIFY_MAX_WAIT", None, 0.5,
    "The longest an article waits for its classifier batch, in seconds.", crawl=True)
DOCUMENT_MAX_PAGES = Setting(
    "NEWSMON_DOCUMENT_MAX_PAGES", None, 500,
    "Official documents: longer PDFs are recorded as too-large and skipped.", crawl=True)

# Story identity (near-duplicate detection); newsmon.dedup.DedupSettings takes its fields from here.
DEDUP_PREFIX = "NEWSMON_DEDUP_"


def _dedup(field: str, default: Any, help: str) -> Setting:
    return Setting(DEDUP_PREFIX + field.upper(), None, default, help, crawl=True)


DEDUP: dict[str, Setting] = {s.name.removeprefix(DEDUP_PREFIX).lower(): s for s in (
    _dedup("num_perm", 128, "MinHash permutations. Changing it (or the shingle) needs StoryIndex.resign() "
                            "over stored articles."),
    _dedup("shingle", 5, "Words per shingle; in Chinese, Japanese, Thai, Lao, Khmer and Burmese each "
                         "character counts as a word."),
    _dedup("lsh_bands", 12, "LSH bands: more bands find copies with less text in common, at more memory "
                            "per article."),
    _dedup("lsh_rows", 2, "MinHash values per LSH band: more rows propose fewer unrelated candidates, and "
                          "miss more copies."),
    _dedup("min_jaccard", 0.4, "Estimated Jaccard at or above which a candidate is a copy."),
    _dedup("min_containment", 0.8, "Share of the shorter text found in the longer one at or above which "
                                   "it is a copy."),
    _dedup("min_shingles", 20, "Texts with fewer shingles get a story of their own: too short to tell a "
                               "copy from a template."),
    _dedup("window_days", 180, "Match new articles against those first seen in the last N days (0: all); "
                               "bounds memory."),
    _dedup("change_threshold", 0.2, "Share of a text that must change (1 - Jaccard) for a delivered story "
                                    "to count as updated."),
)}

# -- digests and the workbench ---------------------------------------------------------------------

SMTP_HOST = Setting("NEWSMON_SMTP_HOST", "NEWSMON_SMTP_HOST", None, "Email digests: the SMTP server.")
SMTP_PORT = Setting(
    "NEWSMON_SMTP_PORT", "NEWSMON_SMTP_PORT", None,
    "Email digests: the SMTP port; unset: 465 with implicit TLS, 587 with STARTTLS, else 25.")
SMTP_USER = Setting("NEWSMON_SMTP_USER", "NEWSMON_SMTP_USER", None, "Email digests: the SMTP login, if any.")
SMTP_PASSWORD = Setting(
    "NEWSMON_SMTP_PASSWORD", "NEWSMON_SMTP_PASSWORD", None,
    "Email digests: the SMTP password (needed with a user).", secret=True)
SMTP_TLS = Setting(
    "NEWSMON_SMTP_TLS", "NEWSMON_SMTP_TLS", None,
    "Email digests: implicit TLS (\"SMTPS\"), 1/0; unset: on when the port is 465.")
SMTP_STARTTLS = Setting(
    "NEWSMON_SMTP_STARTTLS", "NEWSMON_SMTP_STARTTLS", None,
    "Email digests: STARTTLS, 1/0; unset: on when a user is set and implicit TLS is off.")
MAIL_FROM = Setting("NEWSMON_MAIL_FROM", "NEWSMON_MAIL_FROM", None, "Email digests: the From address.")
SECRET_KEY = Setting(
    "NEWSMON_SECRET_KEY", "NEWSMON_SECRET_KEY", None,
    "Signs the workbench's sign-in cookies; unset: a random key, so sign-ins end when `serve` restarts.",
    secret=True)

# -- the cron wrapper (cron/newsmon-nightly.sh) ----------------------------------------------------

CRON_BIN = Setting(
    "NEWSMON_BIN", "NEWSMON_BIN", "newsmon",
    "The newsmon executable; cron's PATH is short, so give the virtualenv's full path.", group="cron")
CRON_LOG_DIR = Setting("NEWSMON_LOG_DIR", "NEWSMON_LOG_DIR", "$NEWSMON_HOME/logs", "Where nightly logs go.",
                       group="cron")
CRON_KEEP_LOGS = Setting("NEWSMON_KEEP_LOGS", "NEWSMON_KEEP_LOGS", 30, "How many nightly logs to keep.",
                         group="cron")
CRON_LOCK_FILE = Setting(
    "NEWSMON_LOCK_FILE", "NEWSMON_LOCK_FILE", "$NEWSMON_LOG_DIR/nightly.lock",
    "The lock that keeps two nights from overlapping.", group="cron")

# -- the test suite --------------------------------------------------------------------------------

TEST_PG = Setting(
    "NEWSMON_TEST_PG", "NEWSMON_TEST_PG", "postgresql://postgres@127.0.0.1:5432/postgres",
    "A PostgreSQL server where the suite may create databases.", group="tests")
TEST_REDIS = Setting("NEWSMON_TEST_REDIS", "NEWSMON_TEST_REDIS", "redis://127.0.0.1:6379/15",
                     "A Redis database the suite may empty.", group="tests")
REQUIRE_SERVICES = Setting(
    "NEWSMON_REQUIRE_SERVICES", "NEWSMON_REQUIRE_SERVICES", None,
    "1 makes a missing PostgreSQL, Redis or Chromium a failure instead of a skip.", group="tests")
CHROMIUM = Setting("NEWSMON_CHROMIUM", "NEWSMON_CHROMIUM", None,
                   "The Chromium executable for the browser tests; unset: found on the PATH.", group="tests")

SETTINGS: tuple[Setting, ...] = (
    DB_URL, SOURCES, RAW_DIR, SUBSCRIPTIONS, MODEL, HOME, CONTACT, REDIS_URL, FRONTIER,
    REFRESH_DAYS, MAX_ARTICLES, EXTRACT_PROCESSES, DB_BATCH_SIZE, INCREMENTAL, RETRY_BACKOFF_BASE,
    RETRY_BACKOFF_MAX, CLASSIFY_BATCH_SIZE, CLASSIFY_MAX_WAIT, DOCUMENT_MAX_PAGES, *DEDUP.values(),
    SMTP_HOST, SMTP_PORT, SMTP_USER, SMTP_PASSWORD, SMTP_TLS, SMTP_STARTTLS, MAIL_FROM, SECRET_KEY,
    CRON_BIN, CRON_LOG_DIR, CRON_KEEP_LOGS, CRON_LOCK_FILE,
    TEST_PG, TEST_REDIS, REQUIRE_SERVICES, CHROMIUM,
)


def crawl_defaults() -> dict[str, Any]:
    """The Scrapy project's NEWSMON_* settings and their defaults, for crawlers/settings.py."""
    return {s.name: s.default for s in SETTINGS if s.crawl}


def from_environment(env: Mapping[str, str] | None = None) -> Iterator[tuple[Setting, str]]:
    """(crawl setting, text) for each crawl setting the environment sets."""
    for setting in SETTINGS:
        text = setting.raw(env)
        if setting.crawl and text is not None:
            yield setting, text


def shown(setting: Setting, env: Mapping[str, str] | None = None) -> str:
    """The effective value as it may be printed: secrets and passwords in URLs masked."""
    value = setting.value(env)
    if value is None or value == "":
        return "(not set)"
    if setting.secret:
        return MASK
    return mask_password(str(value))


def mask_password(text: str) -> str:
    """A URL with its password replaced by ***; any other text unchanged."""
    try:
        parts = urlsplit(text)
        password = parts.password
    except ValueError:
        return text
    if not password:
        return text
    user = parts.username or ""
    host = parts.netloc.rpartition("@")[2]
    return urlunsplit(parts._replace(netloc=f"{user}:{MASK}@{host}"))


def markdown_table() -> str:
    """The README's settings table (between its `settings table` markers), one row per setting."""
    rows = ["| environment | `-s` (crawl) | default | what it sets |", "|---|---|---|---|"]
    for s in SETTINGS:
        env = f"`{s.env}`" if s.env else ""
        scrapy = f"`{s.name}`" if s.crawl else ""
        default = "" if s.default is None else f"`{s.default}`"
        who = {"newsmon": "", "cron": " (cron wrapper)", "tests": " (test suite)"}[s.group]
        rows.append(f"| {env} | {scrapy} | {default} | {s.help.replace('|', '/')}{who} |")
    return "\n".join(rows)
