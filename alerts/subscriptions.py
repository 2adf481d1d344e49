"""Read subscriptions from TOML; a bad entry is reported with its line and the others still run.

tomllib gives no line numbers per table, so the ``[[subscription]]`` headers (and the keys inside
each) are located in the text (newsmon/tomltables.py): the n-th header is the n-th table of the array.
"""
from __future__ import annotations

import re
import tomllib
from dataclasses import dataclass, field
from email.utils import parseaddr
from pathlib import Path
from urllib.parse import urlsplit

from newsmon.errors import ConfigError, SubscriptionError
from newsmon.names import language_problem, topic_problem
from newsmon.settings import SUBSCRIPTIONS
from newsmon.tomltables import Section, decode_error, sections

DEFAULT_PATH = SUBSCRIPTIONS.default
CHANNELS = ("email", "webhook", "file", "atom")
NAME_RE = re.compile(r"^[A-Za-z0-9][A-Za-z0-9._-]{0,99}$")  # used in file names and feed ids
_HEADER_RE = re.compile(r"^\s*\[\[\s*subscriptions?\s*\]\]")

# key -> (default, help); each setting declared once.
SETTINGS: dict[str, tuple[object, str]] = {
    "name": (None, "Unique name; letters, digits, '.', '_' and '-'."),
    "channel": (None, "email | webhook | file | atom."),
    "to": ((), "email: list of recipient addresses."),
    "url": (None, "webhook: the http(s) URL that receives the JSON POST."),
    "path": (None, "file: the folder for dated files; atom: the feed file. Relative to the working folder."),
    "topics": ((), "Stories tagged with any of these topics; empty = all."),
    "keywords": (None, "Full-text query: every word must occur in the title or text."),
    "sources": ((), "Only these sources; empty = all."),
    "languages": ((), "Only these languages (ISO 639-1); empty = all."),
    "min_confidence": (0.0, "Topic tags below this confidence do not count (and, with topics = [], "
                       "a story needs one tag at or above it when it is above 0)."),
    "relevant_only": (True, "Only articles the classifier (or an analyst) judged relevant."),
    "send_empty": (False, "Send a digest even when there is nothing new."),
    "mark_updated": (False, "Send a delivered story again, marked 'updated', when its text changed "
                     "substantially."),
    "entries": (50, "atom: how many of the latest stories the feed keeps."),
    "lookback_days": (7, "First run: how far back to look when nothing was delivered yet."),
    "timeout": (10.0, "webhook/email: network timeout in seconds."),
}


@dataclass(frozen=True)
class Subscription:
    name: str
    channel: str
    to: tuple[str, ...] = ()
    url: str | None = None
    path: str | None = None
    topics: tuple[str, ...] = ()
    keywords: str | None = None
    sources: tuple[str, ...] = ()
    languages: tuple[str, ...] = ()
    min_confidence: float = 0.0
    relevant_only: bool = True
    send_empty: bool = False
    mark_updated: bool = False
    entries: int = 50
    lookback_days: int = 7
    timeout: float = 10.0
    line: int | None = None


@dataclass
class SubscriptionFile:
    path: str
    subscriptions: list[Subscription] = field(default_factory=list)
    errors: list[SubscriptionError] = field(default_factory=list)
    warnings: list[str] = field(default_factory=list)

    def get(self, name: str) -> Subscription | None:
        return next((s for s in self.subscriptions if s.name == name), None)

    def failed_names(self) -> set[str]:
        return {e.name for e in self.errors if e.name}


def load_subscriptions(path: str | Path) -> SubscriptionFile:
    """Parse ``path``. A TOML syntax error fails the whole file; a bad entry only itself."""
    path = str(path)
    try:
        text = Path(path).read_text(encoding="utf-8")
    except FileNotFoundError:
        raise ConfigError("subscriptions file not found (create it or pass --subscriptions PATH)", path)
    except OSError as exc:
        raise ConfigError(f"cannot read subscriptions file: {exc.strerror}", path)
    return parse_subscriptions(text, path)


def parse_subscriptions(text: str, path: str = "<subscriptions>") -> SubscriptionFile:
    try:
        data = tomllib.loads(text)
    except tomllib.TOMLDecodeError as exc:
        message, line = decode_error(exc)
        raise ConfigError(f"not valid TOML: {message}", path, line) from None
    result = SubscriptionFile(path)
    unknown_top = sorted(set(data) - {"subscription", "subscriptions"})
    if unknown_top:
        result.warnings.append(f"{path}: ignoring unknown top-level keys: {', '.join(unknown_top)}")
    entries = data.get("subscription", data.get("subscriptions", []))
    if not isinstance(entries, list):
        raise ConfigError("'subscription' must be an array of tables: [[subscription]]", path)
    tables = sections(text, _HEADER_RE)[1:]
    if len(tables) != len(entries):
        tables = []  # written as an inline array, or a header inside a string: no line numbers
    seen: dict[str, int | None] = {}
    for index, entry in enumerate(entries):
        locate = _Locator(tables[index] if tables else None)
        try:
            sub = _build(entry, index, locate, path, result.warnings)
        except SubscriptionError as exc:
            result.errors.append(exc)
            continue
        if sub.name in seen:
            where = f" (first at line {seen[sub.name]})" if seen[sub.name] else ""
            result.errors.append(SubscriptionError(f"duplicate subscription name {sub.name!r}{where}",
                                                   path, locate("name"), sub.name))
            continue
        seen[sub.name] = sub.line
        result.subscriptions.append(sub)
    return result


class _Locator:
    """Line of a key inside one ``[[subscription]]`` table, else the table's header line."""

    def __init__(self, table: Section | None) -> None:
        self.table = table

    def __call__(self, key: str | None = None) -> int | None:
        if self.table is None:
            return None
        return self.table.key_line(key) if key else self.table.line


def _build(entry: object, index: int, locate: _Locator, path: str, warnings: list[str]) -> Subscription:
    def fail(message: str, key: str | None = None) -> SubscriptionError:
        return SubscriptionError(message, path, locate(key), name)

    name = None
    if not isinstance(entry, dict):
        raise fail(f"subscription #{index + 1} must be a table")
    name = entry.get("name")
    if not isinstance(name, str) or not NAME_RE.match(name):
        name = None
        raise fail("'name' is required: letters, digits, '.', '_' or '-' (at most 100)", "name")
    for key in sorted(set(entry) - set(SETTINGS)):
        line = locate(key)
        warnings.append(f"{path}:{line}: {name}: unknown key {key!r} ignored"
                        if line else f"{path}: {name}: unknown key {key!r} ignored")

    channel = entry.get("channel")
    if channel not in CHANNELS:
        raise fail(f"{name}: 'channel' must be one of {', '.join(CHANNELS)}, not {channel!r}", "channel")

    def strings(key: str) -> tuple[str, ...]:
        value = entry.get(key, [])
        if isinstance(value, str):
            value = [value]
        if not isinstance(value, list) or not all(isinstance(v, str) and v.strip() for v in value):
            raise fail(f"{name}: {key!r} must be a list of non-empty strings", key)
        return tuple(v.strip() for v in value)

    def boolean(key: str) -> bool:
        value = entry.get(key, SETTINGS[key][0])
        if not isinstance(value, bool):
            raise fail(f"{name}: {key!r} must be true or false", key)
        return value

    def number(key: str, low: float, high: float, integer: bool = False) -> float:
        value = entry.get(key, SETTINGS[key][0])
        ok_type = isinstance(value, int) if integer else isinstance(value, (int, float))
        if isinstance(value, bool) or not ok_type or not low <= value <= high:
            kind = "a whole number" if integer else "a number"
            raise fail(f"{name}: {key!r} must be {kind} from {low:g} to {high:g}", key)
        return value

    to = strings("to")
    url = entry.get("url")
    sub_path = entry.get("path")
    if channel == "email":
        if not to:
            raise fail(f"{name}: email needs 'to' = [\"someone@example.org\"]", "to")
        for address in to:
            if "@" not in parseaddr(address)[1]:
                raise fail(f"{name}: {address!r} is not an email address", "to")
    if channel == "webhook":
        parts = urlsplit(url) if isinstance(url, str) else None
        if parts is None or parts.scheme not in ("http", "https") or not parts.netloc:
            raise fail(f"{name}: webhook needs 'url' = \"https://...\" (http or https)", "url")
    if channel in ("file", "atom") and (not isinstance(sub_path, str) or not sub_path.strip()):
        what = "a folder" if channel == "file" else "the feed file"
        raise fail(f"{name}: {channel} needs 'path' = {what}", "path")
    keywords = entry.get("keywords")
    if keywords is not None and not isinstance(keywords, str):
        raise fail(f"{name}: 'keywords' must be a string (a full-text query)", "keywords")
    # A misspelt topic or language would match nothing forever: an error, not an empty digest.
    for key, problem in (("topics", topic_problem(strings("topics"))),
                         ("languages", language_problem(strings("languages")))):
        if problem:
            raise fail(f"{name}: {problem}", key)

    return Subscription(
        name=name,
        channel=channel,
        to=to,
        url=url if channel == "webhook" else None,
        path=sub_path.strip() if channel in ("file", "atom") else None,
        topics=strings("topics"),
        keywords=keywords.strip() or None if keywords else None,
        sources=strings("sources"),
        languages=tuple(v.lower() for v in strings("languages")),
        min_confidence=float(number("min_confidence", 0.0, 1.0)),
        relevant_only=boolean("relevant_only"),
        send_empty=boolean("send_empty"),
        mark_updated=boolean("mark_updated"),
        entries=int(number("entries", 1, 10000, integer=True)),
        lookback_days=int(number("lookback_days", 1, 3650, integer=True)),
        timeout=float(number("timeout", 0.1, 600)),
        line=locate(),
    )
