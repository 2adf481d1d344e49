"""ClassifyPipeline: the model loads once per spider, each article item gets tags and a version."""
from __future__ import annotations

import asyncio
from types import SimpleNamespace

from scrapy.settings import Settings
from scrapy.statscollectors import MemoryStatsCollector

from classifier import Tags
from crawlers.items import PageItem
from crawlers.pipelines.classify import ClassifyPipeline
from newsmon.errors import ModelError


class FakeModel:
    version = "test-1"

    def __init__(self):
        self.calls = []

    def predict(self, docs):
        self.calls.append(docs)
        return [Tags(0.9, True, {"sanctions": 0.8}) for _ in docs]


def stats():
    return MemoryStatsCollector(SimpleNamespace(settings=Settings({"STATS_DUMP": False})))


def test_items_get_tags_and_model_version():
    model, loads = FakeModel(), []
    pipeline = ClassifyPipeline(stats(), loader=lambda: loads.append(1) or model)
    pipeline.open_spider()
    item = PageItem(url="https://a.example/x", article=SimpleNamespace(title="Chips", text="Export controls."))
    out = asyncio.run(pipeline.process_item(item))
    assert out["tags"] == Tags(0.9, True, {"sanctions": 0.8}) and out["model_version"] == "test-1"
    assert model.calls == [[("Chips", "Export controls.")]]
    plain = asyncio.run(pipeline.process_item({"title": None, "text": "Killer robots."}))
    assert plain["tags"].relevant and model.calls[-1] == [(None, "Killer robots.")]
    asyncio.run(pipeline.process_item(PageItem(url="https://a.example/y")))  # no article: untouched
    assert loads == [1] and pipeline.stats.get_value("newsmon/classify/tagged") == 2


def test_items_arriving_together_are_tagged_in_one_call():
    model = FakeModel()
    pipeline = ClassifyPipeline(stats(), loader=lambda: model, batch_size=3, max_wait=10)
    pipeline.open_spider()

    async def three_items():
        items = [{"title": f"t{i}", "text": f"text {i}"} for i in range(3)]
        return await asyncio.gather(*(pipeline.process_item(item) for item in items))

    tagged = asyncio.run(three_items())
    assert model.calls == [[("t0", "text 0"), ("t1", "text 1"), ("t2", "text 2")]]
    assert all(item["tags"].relevant for item in tagged)


def test_without_a_model_items_pass_through(caplog):
    def broken():
        raise ModelError("built with scikit-learn 0.1", path="m.joblib")

    for loader in (lambda: None, broken):
        pipeline = ClassifyPipeline(stats(), loader=loader)
        pipeline.open_spider()
        item = {"title": "t", "text": "x"}
        assert "tags" not in asyncio.run(pipeline.process_item(item))
        assert pipeline.stats.get_value("newsmon/classify/no_model") == 1
    assert "scikit-learn 0.1" in caplog.text
