"""The sources file: publishers and their feeds, sitemaps and listing pages, as data analysts edit.

Each ``[[source]]`` table is parsed on its own, so one broken entry (even a TOML syntax error)
is reported with its line and skipped while the others still run.
"""
from __future__ import annotations

import logging
import re
import tomllib
from dataclasses import dataclass, field
from pathlib import Path

from newsmon.errors import ConfigError
from newsmon.tomltables import decode_error, sections
from newsmon.urls import is_http_url

logger = logging.getLogger(__name__)

KINDS = ("feed", "sitemap", "listing", "documents")
KNOWN_KEYS = {"name", "kind", "url", "urls", "lang", "link_pattern", "max_articles", "notes", "homepage"}
_HEADER = re.compile(r"^\s*\[\[\s*source\s*\]\]\s*(#.*)?$")


@dataclass(frozen=True)
class Source:
    name: str
    kind: str
    urls: tuple[str, ...]
    lang: str | None = None
    link_pattern: re.Pattern[str] | None = None
    max_articles: int | None = None
    line: int = 0


@dataclass
class SourceFile:
    sources: list[Source] = field(default_factory=list)
    errors: list[ConfigError] = field(default_factory=list)


def load_sources(path: str | Path) -> SourceFile:
    """Read a sources file; raises ConfigError only when the file itself cannot be read."""
    path = Path(path)
    try:
        content = path.read_text(encoding="utf-8")
    except (OSError, UnicodeDecodeError) as exc:
        raise ConfigError(f"cannot read sources file: {exc}", str(path)) from exc
    return parse_sources(content, str(path))


def parse_sources(content: str, path: str = "<sources>") -> SourceFile:
    result = SourceFile()
    names: set[str] = set()
    for line, chunk in _entries(content, path, result):
        try:
            source = _parse_entry(chunk, path, line)
            if source.name in names:
                raise ConfigError(f"duplicate source name {source.name!r}", path, line)
        except ConfigError as exc:
            _skip(result, exc)
            continue
        names.add(source.name)
        result.sources.append(source)
    return result


def require_sources(loaded: SourceFile, path: str | Path, only: str | None = None) -> list[Source]:
    """The sources to crawl, or a ConfigError when there is none (or no source named ``only``).

    A file whose every entry is broken must fail the crawl loudly, not crawl nothing and succeed.
    """
    if only is not None:
        chosen = [s for s in loaded.sources if s.name == only]
        if not chosen:
            known = ", ".join(s.name for s in loaded.sources) or "none"
            raise ConfigError(f"no source named {only!r} (sources: {known})", str(path))
        return chosen
    if not loaded.sources:
        detail = f"; first problem: {loaded.errors[0]}" if loaded.errors else ""
        raise ConfigError(f"no usable [[source]] entry{detail}", str(path))
    return list(loaded.sources)


def _entries(content: str, path: str, result: SourceFile) -> list[tuple[int, str]]:
    """Split the file at each table header: (line number of a ``[[source]]`` header, its text).

    Any other header (``[[sources]]``, ``[source]``) or a key outside every table is an error
    with its line, so a typo is reported instead of silently crawling nothing.
    """
    preamble, *tables = sections(content)
    for number, text in preamble.numbered():
        if text.strip() and not text.strip().startswith("#"):
            _skip(result, ConfigError(f"{text.strip()[:40]!r} is outside any [[source]] table", path, number))
    entries = []
    for table in tables:
        if _HEADER.match(table.header):
            entries.append((table.line, table.text))
        else:  # the bad table's keys go with it, reported once
            _skip(result, ConfigError(f"unknown table {table.header[:40]!r} (each source starts with [[source]])",
                                      path, table.line))
    return entries


def _skip(result: SourceFile, error: ConfigError) -> None:
    logger.error("skipping source: %s", error)
    result.errors.append(error)


def _parse_entry(chunk: str, path: str, line: int) -> Source:
    try:
        data = tomllib.loads(chunk)["source"][0]
    except tomllib.TOMLDecodeError as exc:
        message, inside = decode_error(exc)
        raise ConfigError(f"invalid TOML: {message}", path, line + inside - 1 if inside else line) from exc
    name = data.get("name")
    if not isinstance(name, str) or not name.strip():
        raise ConfigError("missing 'name'", path, line)
    where = f"source {name!r}: "
    kind = data.get("kind")
    if kind not in KINDS:
        raise ConfigError(f"{where}unknown kind {kind!r} (expected one of {', '.join(KINDS)})", path, line)
    urls = data.get("urls", [])
    if "url" in data:
        urls = [data["url"], *urls]
    if isinstance(urls, str):
        urls = [urls]
    if not urls:
        raise ConfigError(f"{where}needs 'url' or 'urls'", path, line)
    for url in urls:
        if not isinstance(url, str) or not is_http_url(url):
            raise ConfigError(f"{where}bad URL {url!r} (http or https only)", path, line)
    pattern = None
    if "link_pattern" in data:
        try:
            pattern = re.compile(data["link_pattern"])
        except (re.error, TypeError) as exc:
            raise ConfigError(f"{where}bad link_pattern: {exc}", path, line) from exc
    elif kind == "listing":
        raise ConfigError(f"{where}a listing needs 'link_pattern' (a regex for article links)", path, line)
    max_articles = data.get("max_articles")
    if max_articles is not None and (not isinstance(max_articles, int) or max_articles < 1):
        raise ConfigError(f"{where}max_articles must be a positive integer", path, line)
    lang = data.get("lang")
    if lang is not None and not isinstance(lang, str):
        raise ConfigError(f"{where}lang must be a string such as 'en'", path, line)
    unknown = set(data) - KNOWN_KEYS
    if unknown:
        logger.warning("%s:%d: source %r: ignoring unknown keys %s", path, line, name, ", ".join(sorted(unknown)))
    return Source(name, kind, tuple(urls), lang, pattern, max_articles, line)
