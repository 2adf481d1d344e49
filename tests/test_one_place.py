"""One place for each thing: drop reasons, run-stats keys and clocks are declared once, and the
modules that once imported each other in a circle no longer do."""
from __future__ import annotations

import ast
import re
import subprocess
import sys
from datetime import UTC, datetime, timedelta, timezone
from pathlib import Path

import pytest

from newsmon import clock, runstats
from newsmon.reasons import NO_ARTICLE_FOUND, PERMANENT, Reason, crash_reason, http_reason, is_permanent
from newsmon.runstats import SourceCount

ROOT = Path(__file__).resolve().parents[1]
PACKAGES = ("newsmon", "crawlers", "storage", "alerts")


def sources() -> list[Path]:
    return [p for package in PACKAGES for p in sorted((ROOT / package).rglob("*.py")) if "migrations" not in p.parts]


def literals(path: Path) -> list[tuple[int, str]]:
    """String constants in ``path``, f-string pieces included, docstrings excluded."""
    tree = ast.parse(path.read_text(encoding="utf-8"))
    docstrings = {
        id(node.body[0].value) for node in ast.walk(tree)
        if isinstance(node, (ast.Module, ast.ClassDef, ast.FunctionDef, ast.AsyncFunctionDef))
        and node.body and isinstance(node.body[0], ast.Expr) and isinstance(node.body[0].value, ast.Constant)
    }
    return [(n.lineno, n.value) for n in ast.walk(tree)
            if isinstance(n, ast.Constant) and isinstance(n.value, str) and id(n) not in docstrings]


# -- drop reasons ------------------------------------------------------------------------------

def test_reasons_are_their_slugs():
    assert Reason.NO_ARTICLE == "no-article"
    assert f"newsmon/dropped/{Reason.TOO_SHORT}" == "newsmon/dropped/too-short"
    assert http_reason(404) == "http-404"
    assert crash_reason(KeyError("x")) == "extractor-error-keyerror"


@pytest.mark.parametrize("reason", [
    "not-html", "empty-page", "unparseable", "no-article", "too-short", "not-an-article",  # no article in it
    "http-404", "http-410", "robots", "redirect-loop", "too-large", "binary-body", "bad-link",  # gone for good
])
def test_permanent_reasons(reason):
    assert is_permanent(reason)


@pytest.mark.parametrize("reason", [
    "http-503", "http-429", "http-403", "timeout", "dns", "connection-lost", "truncated",
    "extractor-error-valueerror", None,
])
def test_reasons_worth_another_try(reason):
    assert not is_permanent(reason)


def test_no_article_found_is_what_extraction_says():
    assert NO_ARTICLE_FOUND == {"no-article", "too-short", "not-an-article"}
    assert NO_ARTICLE_FOUND <= PERMANENT


def test_the_extractor_raises_only_known_reasons():
    """Every ExtractionError("...") in newsmon/extraction.py names a Reason."""
    tree = ast.parse((ROOT / "newsmon" / "extraction.py").read_text(encoding="utf-8"))
    raised = [
        node.args[0].value for node in ast.walk(tree)
        if isinstance(node, ast.Call) and getattr(node.func, "id", None) == "ExtractionError"
        and node.args and isinstance(node.args[0], ast.Constant)
    ]
    assert raised
    assert set(raised) <= set(Reason)


def test_reason_slugs_are_spelled_only_in_newsmon_reasons():
    slugs = {r.value for r in Reason if "-" in r.value}  # one-word slugs ("timeout") are common words
    allowed = {ROOT / "newsmon" / "reasons.py", ROOT / "newsmon" / "extraction.py"}  # checked above
    found = [f"{p.relative_to(ROOT)}:{line}: {value}" for p in sources() if p not in allowed
             for line, value in literals(p) if value in slugs]
    assert found == []


# -- run statistics ----------------------------------------------------------------------------

def test_stats_keys_are_spelled_only_in_newsmon_runstats():
    allowed = {ROOT / "newsmon" / "runstats.py"}
    found = [f"{p.relative_to(ROOT)}:{line}: {value}" for p in sources() if p not in allowed
             for line, value in literals(p) if value.startswith("newsmon/") and value != "newsmon/"]
    assert found == []


def test_source_keys_round_trip():
    key = runstats.source_key("un-news", SourceCount.LINKS_FOUND)
    assert key == "newsmon/source/un-news/links_found"
    assert runstats.parse_source_key(key) == ("un-news", "links_found")
    assert runstats.parse_source_key(runstats.source_error_key("a", "http-404")) == ("a", "errors/http-404")
    assert runstats.parse_source_key(runstats.source_dropped_key("a", Reason.TOO_SHORT)) == ("a", "dropped/too-short")
    assert runstats.parse_source_key(runstats.PAGES_FETCHED) is None


def test_per_source_splits_counts_errors_and_drops():
    stats = {
        runstats.source_key("a", SourceCount.ENTRY_PAGES): 2,
        runstats.source_key("a", SourceCount.PAGES_FETCHED): 5,
        runstats.source_error_key("a", http_reason(503)): 1,
        runstats.source_dropped_key("a", Reason.NO_ARTICLE): 3,
        runstats.source_key("b", SourceCount.ENTRY_PAGES): 1,
        runstats.source_key("b", SourceCount.NOT_MODIFIED): "not a number",
        runstats.PAGES_FETCHED: 5,
    }
    parsed = runstats.per_source(stats)
    assert set(parsed) == {"a", "b"}
    assert parsed["a"].counts == {"entry_pages": 2, "pages_fetched": 5}
    assert parsed["a"].errors == {"http-503": 1}
    assert parsed["a"].dropped == {"no-article": 3}
    assert parsed["b"].count(SourceCount.NOT_MODIFIED) == 0
    assert runstats.entry_pages_answered(stats) == 3


def test_totals():
    stats = {runstats.dropped_key("too-short"): 2, runstats.dropped_key("http-404"): 1,
             runstats.error_key("dns"): 4, runstats.source_dropped_key("a", "too-short"): 2}
    assert runstats.totals(stats, runstats.DROPPED) == {"too-short": 2, "http-404": 1}
    assert runstats.totals(stats, runstats.ERRORS) == {"dns": 4}


def test_status_and_run_rows_read_the_keys_the_crawl_writes(session):
    """What the crawl counts (built by runstats) is what `newsmon status` and crawl_run_source read."""
    from storage.models import CrawlRun, CrawlRunSource
    from storage.runs import finish_run, source_runs

    started = datetime(2026, 11, 22, 3, 0)
    run = CrawlRun(started=started, status="running", stats={})
    session.add(run)
    session.flush()
    stats = {
        runstats.source_key("a", SourceCount.ENTRY_PAGES): 1,
        runstats.source_key("a", SourceCount.LINKS_FOUND): 6,
        runstats.source_key("a", SourceCount.PAGES_FETCHED): 5,
        runstats.source_key("a", SourceCount.ARTICLES): 2,
        runstats.source_key("a", SourceCount.NO_DATE): 1,
        runstats.source_dropped_key("a", Reason.TOO_SHORT): 2,
        runstats.source_dropped_key("a", Reason.NOT_HTML): 1,
        runstats.source_error_key("a", Reason.BINARY_BODY): 1,
        runstats.source_error_key("a", http_reason(404)): 1,
    }
    finish_run(session, run, started + timedelta(minutes=5), "finished", stats)
    session.flush()
    last = source_runs(run)["a"]
    assert (last.entry_pages, last.links_found, last.pages_fetched, last.no_date) == (1, 6, 5, 1)
    assert last.no_article == 4  # every drop, and the binary body
    assert last.errors == {"too-short": 2, "not-html": 1, "binary-body": 1, "http-404": 1}
    row = session.get(CrawlRunSource, (run.id, "a"))
    assert (row.pages_fetched, row.articles_stored, row.no_date, row.no_article) == (5, 2, 1, 2)
    assert row.errors == {"dropped/too-short": 2, "dropped/not-html": 1, "binary-body": 1, "http-404": 1}


# -- clocks ------------------------------------------------------------------------------------

def test_utcnow_is_naive_utc():
    before = datetime.now(UTC).replace(tzinfo=None)
    now = clock.utcnow()
    assert now.tzinfo is None
    assert before <= now <= datetime.now(UTC).replace(tzinfo=None)
    assert clock.utcnow_seconds().microsecond == 0


def test_to_stored_and_back():
    geneva = timezone(timedelta(hours=2))
    aware = datetime(2024, 4, 25, 19, 30, tzinfo=geneva)
    assert clock.to_stored(aware) == datetime(2024, 4, 25, 17, 30)
    assert clock.to_stored(datetime(2024, 4, 25, 17, 30)) == datetime(2024, 4, 25, 17, 30)  # naive: UTC already
    assert clock.as_utc(datetime(2024, 4, 25, 17, 30)) == aware
    assert clock.as_utc(aware).utcoffset() == timedelta(0)
    assert clock.from_timestamp(0) == datetime(1970, 1, 1)
    assert clock.http_date(datetime(2026, 11, 21, 9, 0)) == "Sat, 21 Nov 2026 09:00:00 GMT"


def test_time_is_made_naive_only_in_newsmon_clock():
    allowed = ROOT / "newsmon" / "clock.py"
    found = []
    for path in sources():
        if path == allowed:
            continue
        text = path.read_text(encoding="utf-8")
        found += [f"{path.relative_to(ROOT)}: {needle}" for needle in ("tzinfo=None", "def utcnow", "datetime.now(")
                  if needle in text]
    assert found == []


# -- import structure --------------------------------------------------------------------------

def imported_by(module: str) -> set[str]:
    code = f"import sys, {module}; print('\\n'.join(sorted(sys.modules)))"
    result = subprocess.run([sys.executable, "-c", code], capture_output=True, text=True, check=True, cwd=ROOT)
    return set(result.stdout.split())


def test_spiders_do_not_import_the_tracker_or_the_pipelines():
    loaded = imported_by("crawlers.spiders.news")
    assert "crawlers.extensions.fetchstate" not in loaded
    assert not {m for m in loaded if m.startswith("crawlers.pipelines")}


def test_the_fetch_state_extension_does_not_import_a_pipeline():
    assert not {m for m in imported_by("crawlers.extensions.fetchstate") if m.startswith("crawlers.pipelines")}


def test_storage_modules_import_one_way():
    """storage.articles uses storage.tagging; tagging (and the story queries) import neither back."""
    def imports(name: str) -> set[str]:
        tree = ast.parse((ROOT / "storage" / f"{name}.py").read_text(encoding="utf-8"))
        return {n.module for n in ast.walk(tree) if isinstance(n, ast.ImportFrom) and n.module}

    assert "storage.tagging" in imports("articles")
    assert "storage.articles" not in imports("tagging")
    assert "storage.storyindex" not in imports("stories")


# -- storage -----------------------------------------------------------------------------------

def test_loading_the_story_index_leaves_the_garbage_collector_alone(session):
    import gc

    from storage.storyindex import StoryIndex

    before = gc.get_freeze_count()
    StoryIndex.load(session)
    assert gc.get_freeze_count() <= before  # freed objects leave; a freeze would add the whole heap


def test_story_rows_carry_no_signature():
    """Signatures live in article_signature; the story table's old column is neither written nor read."""
    from storage.models import Story

    assert "signature" not in Story.__table__.c


def test_chunks():
    from storage.batches import IN_LIST_MAX, chunks

    assert [list(c) for c in chunks([1, 2, 3, 4, 5], 2)] == [[1, 2], [3, 4], [5]]
    assert list(chunks([], 3)) == []
    assert [len(c) for c in chunks(list(range(IN_LIST_MAX + 1)))] == [IN_LIST_MAX, 1]
    with pytest.raises(ValueError):
        list(chunks([1], 0))


# -- settings ----------------------------------------------------------------------------------

SETTING_NAME = re.compile(r"NEWSMON_[A-Z0-9_]+")


def declared_names() -> set[str]:
    from newsmon.settings import DEDUP_PREFIX, SETTINGS

    return {s.name for s in SETTINGS} | {s.env for s in SETTINGS if s.env} | {DEDUP_PREFIX}


def test_every_newsmon_name_in_code_docs_and_tests_is_a_declared_setting():
    files = [*sources(), ROOT / "README.md", ROOT / "cron" / "newsmon-nightly.sh", ROOT / "alerts" / "subscriptions.toml",
             *sorted((ROOT / "tests").glob("*.py")), *sorted((ROOT / "bench").glob("*.py"))]
    known = declared_names()
    unknown = {f"{path.relative_to(ROOT)}: {name}" for path in files
               for name in SETTING_NAME.findall(path.read_text(encoding="utf-8")) if name not in known}
    assert unknown == set()


def test_a_setting_is_spelled_only_in_newsmon_settings():
    """Code reads a setting through its declaration (DB_URL.name, SMTP_TLS.env), never by a second spelling."""
    allowed = {ROOT / "newsmon" / "settings.py"}
    found = [f"{p.relative_to(ROOT)}:{line}: {value}" for p in sources() if p not in allowed
             for line, value in literals(p) if SETTING_NAME.search(value)]
    assert found == []


def test_default_values_are_spelled_only_in_newsmon_settings():
    from newsmon.settings import CONTACT, DB_URL, SOURCES, SUBSCRIPTIONS

    defaults = {DB_URL.default, SOURCES.default, SUBSCRIPTIONS.default, CONTACT.default}
    allowed = {ROOT / "newsmon" / "settings.py"}
    found = [f"{p.relative_to(ROOT)}:{line}: {value}" for p in sources() if p not in allowed
             for line, value in literals(p) if value in defaults]
    assert found == []


def test_the_readme_settings_table_is_the_generated_one():
    from newsmon.settings import markdown_table

    readme = (ROOT / "README.md").read_text(encoding="utf-8")
    start = readme.index("<!-- settings table: generated by `newsmon settings --markdown` -->\n")
    table = readme[readme.index("\n", start) + 1:readme.index("\n<!-- end of settings table -->")]
    assert table == markdown_table(), "run `newsmon settings --markdown` and paste it into the README"


def test_every_setting_has_help_and_an_upper_case_name():
    from newsmon.settings import SETTINGS

    assert len({s.name for s in SETTINGS}) == len(SETTINGS)
    assert len({s.env for s in SETTINGS if s.env}) == len([s for s in SETTINGS if s.env])
    for s in SETTINGS:
        assert s.help.strip() and s.name.startswith("NEWSMON_") and s.name.isupper(), s
        assert s.env or s.crawl, f"{s.name}: neither an environment variable nor a crawl setting"


def test_the_cron_wrapper_uses_the_declared_defaults():
    from newsmon.settings import SETTINGS

    script = (ROOT / "cron" / "newsmon-nightly.sh").read_text(encoding="utf-8")
    used = dict(re.findall(r"\$\{(NEWSMON_[A-Z_]+):-([^}]*)\}", script))
    cron = {s.env: s for s in SETTINGS if s.group == "cron"}
    assert set(cron) <= set(used)
    for name, setting in cron.items():
        if "$" not in str(setting.default):  # "$NEWSMON_HOME/logs" is "$home/logs" in the script
            assert used[name] == str(setting.default), name


def test_the_scrapy_project_declares_every_crawl_setting_with_its_default():
    from scrapy.settings import Settings

    from newsmon.settings import SETTINGS

    project = Settings()
    project.setmodule("crawlers.settings")
    for s in SETTINGS:
        if s.crawl:
            assert project[s.name] == s.default, s.name
    undeclared = {k for k in dict(project) if k.startswith("NEWSMON_")} - {s.name for s in SETTINGS if s.crawl}
    assert undeclared == set()


def test_dedup_settings_take_their_defaults_and_help_from_the_declarations():
    from newsmon.dedup import DedupSettings
    from newsmon.settings import DEDUP

    defaults = DedupSettings()
    assert {name: getattr(defaults, name) for name in DEDUP} == {name: s.default for name, s in DEDUP.items()}
    assert DedupSettings.help() == {name: s.help for name, s in DEDUP.items()}


def test_command_options_take_their_variable_and_default_from_the_declarations():
    import click

    from newsmon.cli import COMMANDS, cli
    from newsmon.settings import SETTINGS

    by_env = {s.env: s for s in SETTINGS if s.env}
    seen = set()
    ctx = click.Context(cli)
    for name in COMMANDS:
        command = cli.get_command(ctx, name)
        commands = list(command.commands.values()) if isinstance(command, click.Group) else [command]
        for cmd in commands:
            for param in cmd.params:
                if param.envvar:
                    setting = by_env[param.envvar]
                    seen.add(setting.env)
                    assert param.default == setting.default, f"{name} {param.name}"
                    assert f"(env {setting.env})" in (param.help or ""), f"{name} {param.name}"
    assert {"NEWSMON_DB_URL", "NEWSMON_SOURCES", "NEWSMON_RAW_DIR", "NEWSMON_SUBSCRIPTIONS", "NEWSMON_MODEL",
            "NEWSMON_REFRESH_DAYS", "NEWSMON_REDIS_URL"} <= seen
