"""Time in one place: what "now" is, and how a time is stored and shown.

The database keeps naive UTC (SQLite has no time zone type, and PostgreSQL's columns are
``timestamp without time zone``), so comparisons behave the same on both. Every time that enters
storage goes through :func:`to_stored`; every "now" comes from :func:`utcnow`. Code that needs an
aware time (to show an offset, or to compare with a server's date) gets it from :func:`as_utc`.
Tests and commands that need another clock take a ``Callable[[], datetime]`` defaulting to
:func:`utcnow`.
"""
from __future__ import annotations

from datetime import UTC, datetime
from email.utils import format_datetime


def utcnow() -> datetime:
    """The current time as stored: naive UTC."""
    return datetime.now(UTC).replace(tzinfo=None)


def utcnow_seconds() -> datetime:
    """:func:`utcnow` to the whole second, for times people read back and compare (digest windows)."""
    return utcnow().replace(microsecond=0)


def to_stored(value: datetime) -> datetime:
    """``value`` as stored: an aware time converted to UTC, without its zone; a naive one is taken as UTC."""
    if value.tzinfo is None:
        return value
    return value.astimezone(UTC).replace(tzinfo=None)


def from_timestamp(seconds: float) -> datetime:
    """A POSIX timestamp as stored (naive UTC)."""
    return to_stored(datetime.fromtimestamp(seconds, tz=UTC))


def as_utc(value: datetime) -> datetime:
    """An aware UTC time: a stored (naive) time tagged as UTC, an aware one converted."""
    if value.tzinfo is None:
        return value.replace(tzinfo=UTC)
    return value.astimezone(UTC)


def http_date(value: datetime) -> str:
    """A stored (or aware) time as an HTTP date: ``Sat, 21 Nov 2026 09:00:00 GMT``."""
    return format_datetime(as_utc(value), usegmt=True)
