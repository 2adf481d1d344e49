"""Batching through kept libraries: itertools/more-itertools ``batched`` and SQLAlchemy's partitions."""
from __future__ import annotations

from datetime import timedelta

import pytest
from sqlalchemy import func, select

from newsmon.dedup import DedupSettings
from storage.batches import IN_LIST_MAX, chunks
from storage.models import ArticleSignature
from storage.storyindex import StoryIndex
from test_dedup import ANALYSIS, REACTION, WIRE, ZH_WIRE, edited_copy
from test_stories import T0, add, load


def test_chunks_keep_order_and_cap_the_size():
    assert list(chunks(range(7), 3)) == [(0, 1, 2), (3, 4, 5), (6,)]
    assert list(chunks([], 3)) == []
    assert [len(c) for c in chunks(range(2 * IN_LIST_MAX + 1))] == [IN_LIST_MAX, IN_LIST_MAX, 1]
    assert list(chunks(iter("abc"), 2)) == [("a", "b"), ("c",)]  # any iterable, read once
    with pytest.raises(ValueError):
        list(chunks([1], 0))


def test_resign_signs_every_article_across_many_partitions(session_factory):
    texts = [WIRE, edited_copy(WIRE), ANALYSIS, REACTION, ZH_WIRE]
    with session_factory() as s:
        index = load(s)
        for n, text in enumerate(texts):
            index.assign(s, add(s, f"https://site{n}.example/a", text, f"site{n}", minutes=n))
        s.commit()
    settings = DedupSettings(num_perm=64, lsh_bands=16, lsh_rows=2, shingle=4)
    with session_factory() as s:
        index = StoryIndex.load(s, settings, now=T0 + timedelta(days=1), freeze_gc=False)
        assert index.resign(s, batch=2) == len(texts)  # three partitions, written between reads
        s.commit()
        assert s.scalar(select(func.count()).select_from(ArticleSignature)) == len(texts)
        assert len(index) == len(texts)
