"""The sources file: a broken entry is reported with its line and skipped; the rest still run."""
from __future__ import annotations

import pytest

from crawlers.sources import load_sources, parse_sources
from newsmon.errors import ConfigError

GOOD = '[[source]]\nname = "good"\nkind = "feed"\nurl = "https://example.org/rss.xml"\n\n'


@pytest.mark.parametrize("entry,message", [
    ('[[source]]\nname = "x"\nkind = "newsletter"\nurl = "https://example.org/"\n', "unknown kind 'newsletter'"),
    ('[[source]]\nname = "x"\nkind = "feed"\nurl = "ftp://example.org/feed"\n', "bad URL 'ftp://example.org/feed'"),
    ('[[source]]\nname = "x"\nkind = "feed"\nurl = "not a url"\n', "bad URL 'not a url'"),
    ('[[source]]\nname = "x"\nkind = "feed"\n', "needs 'url' or 'urls'"),
    ('[[source]]\nname = "x"\nkind = "listing"\nurl = "https://example.org/"\n', "needs 'link_pattern'"),
    ('[[source]]\nname = "x"\nkind = "feed"\nurl = "https://example.org/\n', "invalid TOML"),
])
def test_a_bad_entry_is_reported_with_its_line_and_skipped(entry, message):
    loaded = parse_sources(GOOD + entry + "\n" + GOOD.replace("good", "after"), "sources.toml")
    assert [s.name for s in loaded.sources] == ["good", "after"]
    assert len(loaded.errors) == 1
    error = loaded.errors[0]
    assert error.line == 6 and str(error).startswith("sources.toml:6: ")
    assert message in str(error)


def test_an_unreadable_file_is_one_clear_error(tmp_path):
    with pytest.raises(ConfigError, match="cannot read sources file"):
        load_sources(tmp_path / "missing.toml")


def test_the_packaged_sources_file_is_valid():
    from newsmon.crawling import PACKAGED_SOURCES

    loaded = load_sources(PACKAGED_SOURCES)
    assert loaded.errors == [] and len(loaded.sources) >= 10
