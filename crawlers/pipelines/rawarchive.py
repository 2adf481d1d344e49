"""Keep every raw response body (gzip, content-addressed) so `newsmon reextract` needs no re-crawl."""
from __future__ import annotations

import asyncio

from newsmon.settings import RAW_DIR
from storage.rawstore import RawStore


class RawArchivePipeline:
    def __init__(self, raw_dir: str) -> None:
        self.store = RawStore(raw_dir)

    @classmethod
    def from_crawler(cls, crawler):
        return cls(crawler.settings.get(RAW_DIR.name))

    async def process_item(self, item):
        # Compression and file I/O off the reactor thread.
        item["raw_ref"] = await asyncio.to_thread(self.store.put, item["body"])
        return item
