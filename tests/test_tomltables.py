"""newsmon/tomltables.py: the one place that finds line numbers in sources and subscriptions files."""
from __future__ import annotations

import re
import tomllib

import pytest

from alerts.subscriptions import parse_subscriptions
from crawlers.sources import parse_sources
from newsmon.errors import ConfigError
from newsmon.tomltables import decode_error, sections

TEXT = """# comment
stray = 1

[[source]]
name = "a"
  kind = "feed"

[other]
x = 1
[[source]]
name = "b"
"""


def test_sections_number_their_lines_from_one():
    preamble, first, other, second = sections(TEXT)
    assert (preamble.line, preamble.header, list(preamble.numbered())[1]) == (1, "", (2, "stray = 1"))
    assert (first.line, first.header, other.line, other.header, second.line) == (4, "[[source]]", 8, "[other]", 10)
    assert first.key_line("kind") == 6 and first.key_line("url") == 4  # a missing key: the header's line
    assert tomllib.loads(second.text) == {"source": [{"name": "b"}]}


def test_sections_at_chosen_headers_only():
    preamble, *tables = sections(TEXT, re.compile(r"^\s*\[\[source\]\]"))
    assert [t.line for t in tables] == [4, 10] and tables[0].key_line("x") == 9  # [other] belongs to the first
    assert sections("[[source]]\n")[0].lines == ()  # nothing before the first header


def test_decode_error_gives_the_message_and_its_line():
    with pytest.raises(tomllib.TOMLDecodeError) as caught:
        tomllib.loads('a = 1\nb = "unterminated\n')
    message, line = decode_error(caught.value)
    assert line == 2 and message and "at line" not in message


def test_both_files_report_lines_in_the_whole_file():
    broken = '[[source]]\nname = "a"\nkind = "feed"\nurl = "https://a.example/rss"\n\n[[source]]\nname = "b"\nkind = = 1\n'
    (error,) = parse_sources(broken).errors
    assert error.line == 8 and "invalid TOML" in str(error)
    subs = ('[[subscription]]\nname = "ok"\nchannel = "file"\npath = "out"\n\n'
            '[[subscription]]\nname = "bad"\n\nchannel = "pigeon"\n')
    (problem,) = parse_subscriptions(subs).errors
    assert problem.line == 9 and "pigeon" in str(problem)
    with pytest.raises(ConfigError) as syntax:
        parse_subscriptions(subs + "x = = 1\n")
    assert syntax.value.line == 10
