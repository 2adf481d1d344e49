"""Time in one place: what "now" is, and how a time is stored and shown.

The database keeps naive UTC (SQLite has no time zone type, and PostgreSQL's columns are
``timestamp without time zone``), so comparisons behave the same on both. Every time that enters
storage goes through :func:`to_stored`; every "now" comes from :func:`utcnow`. Code that needs an
aware time (to show an offset, or to compare with a server's date) gets it from :func:`as_utc`.
Tests and commands that need another clock take a ``Callable[[], datetime]`` defaulting to
:func:`utcnow`.

A page's own times (an article's ``published`` and ``modified``) are stored the same way, plus
the UTC offset the page gave, in minutes (:func:`offset_minutes`; None when the page named no
zone). :func:`as_published` turns the pair back into the time as the page showed it, and
:func:`iso`, :func:`rfc3339` and :func:`shown` print it: ``2024-04-25T19:30:00+02:00``. A time
whose zone is unknown was stored as the page's wall clock (taken as UTC for sorting and
filtering) and prints without an offset: ``2024-04-25T19:30:00``.
"""
from __future__ import annotations

from datetime import UTC, datetime, timedelta, timezone
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


OFFSET_LIMIT = 24 * 60  # minutes; Python's (and ISO 8601's) offsets are strictly within a day


def offset_minutes(value: datetime) -> int | None:
    """The UTC offset of an aware time in whole minutes (``+02:00`` -> 120); None for a naive one."""
    delta = value.utcoffset()
    return None if delta is None else round(delta.total_seconds() / 60)


def to_stored_with_offset(value: datetime | None) -> tuple[datetime | None, int | None]:
    """A page's time as stored: (naive UTC, offset in minutes or None when the page gave no zone)."""
    if value is None:
        return None, None
    return to_stored(value), offset_minutes(value)


def as_published(stored: datetime, offset: int | None) -> datetime:
    """A stored time as the page gave it: aware in the page's offset, or naive (zone unknown)."""
    if offset is None or not -OFFSET_LIMIT < offset < OFFSET_LIMIT:
        return stored
    return stored.replace(tzinfo=UTC).astimezone(timezone(timedelta(minutes=offset)))


def article_time(published: datetime | None, offset: int | None, first_seen: datetime) -> datetime:
    """An article's date as people read it: the page's time in the page's offset, else (no date on
    the page) when it was first seen, in UTC."""
    return as_utc(first_seen) if published is None else as_published(published, offset)


def iso(stored: datetime | None, offset: int | None) -> str | None:
    """ISO 8601 for JSON and CSV: ``2024-04-25T19:30:00+02:00``; no offset when the zone is unknown."""
    return None if stored is None else as_published(stored, offset).isoformat()


def rfc3339(value: datetime) -> str:
    """RFC 3339 (Atom, webhooks) to the second: an aware time with its offset (``Z`` for UTC); a naive
    (stored) time is UTC, as everything stored is taken to be."""
    aware = value if value.tzinfo is not None else value.replace(tzinfo=UTC)
    text = aware.replace(microsecond=0).isoformat()
    return text[:-6] + "Z" if text.endswith("+00:00") else text


def shown(value: datetime, day_format: str = "%Y-%m-%d") -> str:
    """A time for people, as :func:`as_published` gives it: ``2024-04-25 19:30 +02:00``, ``... 19:30 UTC``;
    ``2024-04-25 19:30`` when the zone is unknown, and only the day for a naive midnight (a page that
    gave only its day)."""
    day = value.strftime(day_format)
    if value.tzinfo is None:
        return day if value.time() == datetime.min.time() else f"{day} {value:%H:%M}"
    offset = offset_minutes(value) or 0
    return f"{day} {value:%H:%M} {'UTC' if offset == 0 else offset_text(offset)}"


def offset_text(minutes: int) -> str:
    """An offset in minutes as ISO 8601 writes it: 120 -> ``+02:00``, -270 -> ``-04:30``."""
    sign, size = "+" if minutes >= 0 else "-", abs(minutes)
    return f"{sign}{size // 60:02d}:{size % 60:02d}"
