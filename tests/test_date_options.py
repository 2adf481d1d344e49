"""Date options are click.DateTime (newsmon.options.DATE), one declaration for every command."""
from __future__ import annotations

import json
from datetime import datetime

import click
import pytest
from click.testing import CliRunner

from newsmon.cli import cli
from newsmon.options import DATE
from test_query_cli import seed

DATE_OPTIONS = {"since", "until", "seen_since"}


def date_params():
    for name in cli.list_commands(None):
        command = cli.get_command(None, name)
        for param in command.params:
            if param.name in DATE_OPTIONS:
                yield name, param


def test_every_date_option_is_the_one_date_type():
    found = list(date_params())
    assert {name for name, _ in found} >= {"query", "retag", "documents", "reextract", "digest"}
    for name, param in found:
        assert param.type is DATE and isinstance(param.type, click.DateTime), (name, param.name)


@pytest.mark.parametrize("value, expected", [
    ("2026-11-01", datetime(2026, 11, 1)),
    ("2026-11-01T08:00", datetime(2026, 11, 1, 8)),
    ("2026-11-01 08:00:30", datetime(2026, 11, 1, 8, 0, 30)),
    ("2026-11-01T08:00+02:00", datetime(2026, 11, 1, 6)),  # offsets become stored (naive) UTC
    ("2026-11-01T08:00:00Z", datetime(2026, 11, 1, 8)),
])
def test_accepted_spellings(value, expected):
    assert DATE.convert(value, None, None) == expected


@pytest.mark.parametrize("command", ["query", "retag", "documents", "reextract", "digest"])
def test_a_bad_date_is_a_usage_error_everywhere(command, tmp_path):
    result = CliRunner().invoke(cli, [command, "--since", "01/11/2026", "--db", f"sqlite:///{tmp_path / 'x.db'}"])
    assert result.exit_code == 2 and "'01/11/2026' is not a date like 2026-11-01" in result.output
    assert "Traceback" not in result.output


def test_help_names_the_value_date():
    result = CliRunner().invoke(cli, ["query", "--help"])
    assert "--since DATE" in result.output and "%Y" not in result.output


def test_query_since_with_an_offset(sqlite_url):
    seed(sqlite_url)  # chips published 2026-11-02 00:00 UTC, laws 2026-10-02

    def urls(*args: str) -> list[str]:
        result = CliRunner().invoke(cli, ["query", "--db", sqlite_url, "--format", "json", *args])
        assert result.exit_code == 0, result.output
        return [row["url"] for row in json.loads(result.output)]

    assert urls("--since", "2026-11-02T01:00+02:00") == ["https://a.example/chips"]  # 2026-11-01 23:00 UTC
    assert urls("--since", "2026-11-02T00:30Z") == []
