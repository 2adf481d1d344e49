"""Helpers for the templates: safe links, dates, confidences and the server-drawn SVG charts.

Charts are drawn on the server as SVG (no script, no CDN): they work offline and under the CSP.
"""
from __future__ import annotations

from datetime import date, datetime, timedelta
from urllib.parse import urlsplit

from jinja2 import Environment

from newsmon.clock import shown
from storage.search import Attention

# One colour per topic, in taxonomy order; colour-blind-safe (Okabe-Ito).
PALETTE = ["#0072B2", "#E69F00", "#009E73", "#CC79A7", "#56B4E9", "#D55E00", "#F0E442", "#999999"]


def safe_url(url: str | None) -> str | None:
    """Only http(s) links from scraped data become links; ``javascript:`` and friends stay text."""
    if not url:
        return None
    return url if urlsplit(url).scheme.lower() in ("http", "https") else None


def when(value: datetime | date | None, fmt: str = "%Y-%m-%d") -> str:
    return value.strftime(fmt) if value else "-"


def dated(value: datetime | str | None) -> str:
    """A page's date as the page gave it (``Article.shown_date``, or an ISO string from a row):
    ``2024-04-25 19:30 +02:00`` (newsmon.clock.shown)."""
    if not value:
        return "-"
    return shown(datetime.fromisoformat(value) if isinstance(value, str) else value)


def confidence(value: float | None) -> str:
    return "-" if value is None else f"{value:.2f}"


def topic_colour(topics: list[str], label: str) -> str:
    return PALETTE[topics.index(label) % len(PALETTE)] if label in topics else PALETTE[-1]


def install_filters(env: Environment) -> None:
    env.filters.update(safe_url=safe_url, when=when, dated=dated, confidence=confidence)
    env.globals.update(topic_colour=topic_colour, chart_bars=chart_bars, sparkline=sparkline)


def chart_bars(chart: Attention, topics: list[str], width: int = 720, height: int = 160) -> list[dict]:
    """Stacked bars (x, y, w, h, colour, title) for the attention chart, in SVG units."""
    peak = chart.peak  # once: it sums every column (each bar asking cost 0.2 s for three years of weeks)
    if not chart.days or peak == 0:
        return []
    slot = width / len(chart.days)
    bar = max(1.0, slot * 0.8)
    bars = []
    for i, day in enumerate(chart.days):
        y = float(height)
        for label in topics + sorted(set(chart.counts) - set(topics)):
            n = chart.counts.get(label, [0] * len(chart.days))[i]
            if not n:
                continue
            h = n / peak * height
            y -= h
            period = f"week of {day:%Y-%m-%d}" if chart.period == "week" else f"{day:%Y-%m-%d}"
            bars.append({"x": round(i * slot, 2), "y": round(y, 2), "w": round(bar, 2), "h": round(h, 2),
                         "colour": topic_colour(topics, label), "title": f"{period}: {label} {n}"})
    return bars


def sparkline(per_day: dict[date, int], end: date, days: int = 30, width: int = 150, height: int = 24) -> list[dict]:
    """Bars for articles per day over the last ``days`` days ending at ``end``."""
    values = [per_day.get(end - timedelta(days=days - 1 - i), 0) for i in range(days)]
    peak = max(values) or 1
    slot = width / days
    return [{"x": round(i * slot, 2), "y": round(height - v / peak * height, 2), "w": round(slot * 0.8, 2),
             "h": round(v / peak * height, 2), "title": f"{end - timedelta(days=days - 1 - i):%Y-%m-%d}: {v}"}
            for i, v in enumerate(values)]
