"""The subscriptions file: defaults, validation, and errors that name their line."""
from __future__ import annotations

from pathlib import Path

import pytest

from alerts.subscriptions import load_subscriptions, parse_subscriptions
from newsmon.errors import ConfigError

GOOD = '''
[[subscription]]
name = "sanctions-desk"              # unique
channel = "email"                    # email | webhook | file | atom
to = ["analyst@example.org"]         # email
topics = ["sanctions"]               # any of them; empty = all
keywords = "export controls"         # optional full-text query
sources = []                         # empty = all
languages = []                       # empty = all
min_confidence = 0.6
relevant_only = true

[[subscription]]
name = "military-ai-watch"
channel = "webhook"
url = "https://hooks.example/abc"

[[subscription]]
name = "un-file"
channel = "file"
path = "digests/un"

[[subscription]]
name = "feed"
channel = "atom"
path = "digests/feed.atom"
entries = 20
'''


def test_the_issue_format_parses_with_defaults():
    result = parse_subscriptions(GOOD, "subs.toml")
    assert result.errors == [] and result.warnings == []
    desk, hook, files, feed = result.subscriptions
    assert desk.name == "sanctions-desk" and desk.to == ("analyst@example.org",)
    assert desk.topics == ("sanctions",) and desk.keywords == "export controls"
    assert desk.min_confidence == 0.6 and desk.relevant_only is True and desk.send_empty is False
    assert desk.line == 2
    assert hook.url == "https://hooks.example/abc" and hook.relevant_only is True and hook.line == 13
    assert files.path == "digests/un" and feed.entries == 20 and feed.line == 23


BAD_ENTRIES = '''[[subscription]]
name = "ok"
channel = "file"
path = "out"

[[subscription]]
name = "bad-channel"
channel = "pigeon"

[[subscription]]
name = "no-recipients"
channel = "email"
to = []

[[subscription]]
name = "js-hook"
channel = "webhook"
url = "javascript:alert(1)"

[[subscription]]
channel = "file"
path = "x"

[[subscription]]
name = "bad-confidence"
channel = "file"
path = "x"
min_confidence = 1.5

[[subscription]]
name = "ok"
channel = "atom"
path = "feed.atom"

[[subscription]]
name = "typo"
channel = "file"
path = "x"
topic = ["sanctions"]

[[subscription]]
name = "flag"
channel = "file"
path = "x"
relevant_only = "yes"
'''


def test_each_bad_entry_is_reported_with_its_line_and_the_rest_still_load():
    result = parse_subscriptions(BAD_ENTRIES, "subs.toml")
    assert [s.name for s in result.subscriptions] == ["ok", "typo"]
    messages = [str(e) for e in result.errors]
    assert messages[0].startswith("subs.toml:8: bad-channel: 'channel' must be one of email, webhook, file, atom")
    assert messages[1].startswith("subs.toml:13: no-recipients: email needs 'to'")
    assert messages[2].startswith("subs.toml:18: js-hook: webhook needs 'url'")
    assert messages[3].startswith("subs.toml:20: 'name' is required")
    assert messages[4].startswith("subs.toml:28: bad-confidence: 'min_confidence' must be a number from 0 to 1")
    assert messages[5].startswith("subs.toml:31: duplicate subscription name 'ok' (first at line 1)")
    assert messages[6].startswith("subs.toml:45: flag: 'relevant_only' must be true or false")
    assert [e.line for e in result.errors] == [8, 13, 18, 20, 28, 31, 45]
    assert all(isinstance(e, ConfigError) for e in result.errors)
    assert result.warnings == ["subs.toml:39: typo: unknown key 'topic' ignored"]
    assert result.failed_names() == {"bad-channel", "no-recipients", "js-hook", "bad-confidence", "ok", "flag"}


def test_toml_syntax_error_names_the_line():
    with pytest.raises(ConfigError) as info:
        parse_subscriptions('[[subscription]]\nname = "x"\nchannel = email\n', "subs.toml")
    assert info.value.line == 3 and str(info.value).startswith("subs.toml:3: not valid TOML")


def test_missing_file_is_a_clear_error(tmp_path):
    with pytest.raises(ConfigError, match="subscriptions file not found"):
        load_subscriptions(tmp_path / "nope.toml")


def test_the_shipped_sample_is_valid():
    sample = Path(__file__).resolve().parents[1] / "alerts" / "subscriptions.toml"
    result = load_subscriptions(sample)
    assert result.errors == [] and result.warnings == []
    assert {"sanctions-desk", "military-ai-watch", "un-governance-file"} <= {s.name for s in result.subscriptions}
    assert {s.channel for s in result.subscriptions} == {"email", "webhook", "file", "atom"}
