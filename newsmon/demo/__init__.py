"""The bundled demo news site: articles as data, served locally for demos and crawler tests."""
from __future__ import annotations

from newsmon.demo.articles import DemoArticle, load_articles
from newsmon.demo.site import DemoSite, sources_toml

__all__ = ["ARTICLES", "DemoArticle", "DemoSite", "load_articles", "sources_toml"]


def __getattr__(name: str):
    """``ARTICLES`` loads on first use, not at import time."""
    if name == "ARTICLES":
        return load_articles()
    raise AttributeError(f"module {__name__!r} has no attribute {name!r}")
