"""Log lines about items name the page, not its bytes: Scrapy's default prints the whole item,
raw HTML body included, for every page dropped (a contact page, a 404 body, an image)."""
from __future__ import annotations

from typing import Any

from scrapy.logformatter import LogFormatter


def _short(item: Any) -> str:
    try:
        return f"{item.get('url') or item.get('fetched_url')} (source {item.get('source', '?')})"
    except AttributeError:
        return type(item).__name__


class NewsmonLogFormatter(LogFormatter):
    def dropped(self, item, exception, response, spider):
        result = super().dropped(item, exception, response, spider)
        result["msg"] = "Dropped: %(exception)s (source %(source)s)"
        result["args"] = {"exception": exception, "source": _source(item)}
        return result

    def item_error(self, item, exception, response, spider):
        result = super().item_error(item, exception, response, spider)
        result["args"] = {**result.get("args", {}), "item": _short(item)}
        return result


def _source(item: Any) -> str:
    try:
        return str(item.get("source", "?"))
    except AttributeError:
        return "?"
