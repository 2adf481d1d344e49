"""Topic tagging: sets item["tags"] (classifier.Tags) and item["model_version"] on each article.

The model loads once, when the spider opens, and tags items in micro-batches (see
crawlers/batching.py): one call for many articles costs little more than one. Without a model (no file, or one built with another
scikit-learn) items pass through untagged, and `newsmon retag` or the nightly tag step tags them
later (they have no model_version).
"""
from __future__ import annotations

import logging

from crawlers.batching import MicroBatcher
from newsmon import runstats
from newsmon.errors import ModelError
from newsmon.settings import CLASSIFY_BATCH_SIZE, CLASSIFY_MAX_WAIT, MODEL

logger = logging.getLogger(__name__)


class ClassifyPipeline:
    def __init__(self, stats, model_path: str | None = None, loader=None, batch_size: int = 64,
                 max_wait: float = 0.5) -> None:
        self.stats = stats
        self.model_path = model_path
        self.loader = loader  # a seam for tests: () -> model or None
        self.model = None
        self.batch_size, self.max_wait = batch_size, max_wait
        self.batcher: MicroBatcher | None = None

    @classmethod
    def from_crawler(cls, crawler):
        s = crawler.settings
        return cls(crawler.stats, s.get(MODEL.name),
                   batch_size=s.getint(CLASSIFY_BATCH_SIZE.name, CLASSIFY_BATCH_SIZE.default),
                   max_wait=s.getfloat(CLASSIFY_MAX_WAIT.name, CLASSIFY_MAX_WAIT.default))

    def open_spider(self, spider=None) -> None:
        from classifier import load_default_model

        try:
            self.model = self.loader() if self.loader else load_default_model(self.model_path)
        except ModelError as exc:
            logger.error("Classifier model unusable, articles stay untagged until `newsmon retag`: %s", exc)
            self.model = None
        if self.model is not None:
            logger.info("Tagging with classifier model %s", self.model.version)
            self.batcher = MicroBatcher(self.model.predict, self.batch_size, self.max_wait)

    async def process_item(self, item):
        if self.model is None:
            self.stats.inc_value(runstats.CLASSIFY_NO_MODEL)
            return item
        title, text = _title_and_text(item)
        if not text:
            return item
        item["tags"] = await self.batcher.submit((title, text))
        item["model_version"] = self.model.version
        self.stats.inc_value(runstats.CLASSIFY_TAGGED)
        if item["tags"].relevant:
            self.stats.inc_value(runstats.CLASSIFY_RELEVANT)
        return item


def _title_and_text(item) -> tuple[str | None, str | None]:
    """From the extracted article when the item has one, else from plain title/text fields."""
    article = item.get("article")
    if article is not None:
        return getattr(article, "title", None), getattr(article, "text", None)
    return item.get("title"), item.get("text")
