"""One line per network failure: Scrapy logs a robots.txt download that failed (an unreachable
host, a refused connection) with a full traceback, which buries the one fact an operator needs.

The message already names the request and the error; only the traceback is dropped, and only
for the robots.txt middleware's logger, only while this crawler runs.
"""
from __future__ import annotations

import logging

from scrapy import signals

ROBOTS_LOGGER = "scrapy.downloadermiddlewares.robotstxt"


class _NoTraceback(logging.Filter):
    def filter(self, record: logging.LogRecord) -> bool:
        record.exc_info, record.exc_text = None, None
        return True


class OneLineNetworkErrors:
    def __init__(self) -> None:
        self.filter = _NoTraceback()

    @classmethod
    def from_crawler(cls, crawler) -> OneLineNetworkErrors:
        extension = cls()
        logging.getLogger(ROBOTS_LOGGER).addFilter(extension.filter)
        crawler.signals.connect(extension.engine_stopped, signal=signals.engine_stopped)
        return extension

    def engine_stopped(self) -> None:
        logging.getLogger(ROBOTS_LOGGER).removeFilter(self.filter)
