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
    """The line is the entry's header, or the bad line itself for a TOML syntax error."""
    loaded = parse_sources(GOOD + entry + "\n" + GOOD.replace("good", "after"), "sources.toml")
    assert [s.name for s in loaded.sources] == ["good", "after"]
    assert len(loaded.errors) == 1
    error = loaded.errors[0]
    line = 9 if message == "invalid TOML" else 6
    assert error.line == line and str(error).startswith(f"sources.toml:{line}: ")
    assert message in str(error)


def test_an_unreadable_file_is_one_clear_error(tmp_path):
    with pytest.raises(ConfigError, match="cannot read sources file"):
        load_sources(tmp_path / "missing.toml")


def test_the_packaged_sources_file_is_valid():
    from newsmon.crawling import PACKAGED_SOURCES

    loaded = load_sources(PACKAGED_SOURCES)
    assert loaded.errors == [] and len(loaded.sources) >= 10


@pytest.mark.parametrize("content,line,message", [
    (GOOD.replace("[[source]]", "[[sources]]"), 1, "unknown table '[[sources]]'"),
    (GOOD + GOOD.replace("[[source]]", "[source]").replace("good", "two"), 6, "unknown table '[source]'"),
    (GOOD + GOOD.replace("[[source]]", "[[source]").replace("good", "two"), 6, "unknown table '[[source]'"),
    ('name = "loose"\n' + GOOD, 1, "outside any [[source]] table"),
    (GOOD.replace('"feed"\n', '"feed"\nlang = en\n'), 4, "invalid TOML: Invalid value"),
])
def test_typos_in_tables_and_syntax_errors_are_reported_at_their_line(content, line, message):
    loaded = parse_sources(content, "s.toml")
    assert loaded.errors and loaded.errors[0].line == line and message in str(loaded.errors[0])


def test_a_file_without_a_usable_source_is_an_error():
    from crawlers.sources import require_sources

    for content in ("", "# nothing yet\n", GOOD.replace("[[source]]", "[[sources]]"),
                    GOOD.replace('"feed"', '"blog"')):
        with pytest.raises(ConfigError, match="no usable"):
            require_sources(parse_sources(content, "s.toml"), "s.toml")
    loaded = parse_sources(GOOD, "s.toml")
    assert [s.name for s in require_sources(loaded, "s.toml")] == ["good"]
    with pytest.raises(ConfigError, match="no source named 'typo' \\(sources: good\\)"):
        require_sources(loaded, "s.toml", only="typo")
