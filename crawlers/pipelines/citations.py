"""Scan each extracted article for the UN documents it cites (newsmon.citations) on its way to the store.

Sets item["citations"] to newsmon.citations.Citation values; the store pipeline writes them as
links with the article. Scanning takes a fraction of a millisecond per article (bench/citations.py),
so it runs inline rather than in the extraction workers.
"""
from __future__ import annotations

from newsmon import runstats
from newsmon.citations import article_citations


class CitationsPipeline:
    def __init__(self, stats) -> None:
        self.stats = stats

    @classmethod
    def from_crawler(cls, crawler):
        return cls(crawler.stats)

    def process_item(self, item):
        article = item.get("article")
        if article is None or not article.text:
            return item
        item["citations"] = article_citations(article.title, article.text)
        if item["citations"]:
            self.stats.inc_value(runstats.CITATION_ARTICLES)
            self.stats.inc_value(runstats.CITATION_LINKS, len(item["citations"]))
        return item
