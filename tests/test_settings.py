"""Settings reach every reader from their one declaration: the environment, `-s`, the CLI, `newsmon settings`."""
from __future__ import annotations

from click.testing import CliRunner
from scrapy.settings import Settings

from crawlers.addons import EnvironmentSettings
from newsmon import user_agent
from newsmon.cli import cli
from newsmon.settings import CONTACT, DB_URL, MODEL, REFRESH_DAYS, SOURCES, markdown_table, mask_password


def project_settings(**cmdline: object) -> Settings:
    settings = Settings()
    settings.setmodule("crawlers.settings", priority="project")
    for name, value in cmdline.items():
        settings.set(name, value, priority="cmdline")
    return settings


def test_importing_the_scrapy_settings_reads_no_environment(monkeypatch):
    import importlib

    import crawlers.settings

    monkeypatch.setenv("NEWSMON_DB_URL", "sqlite:////elsewhere.db")
    monkeypatch.setenv("NEWSMON_CONTACT", "ops@example.org")
    module = importlib.reload(crawlers.settings)
    assert module.NEWSMON_DB_URL == DB_URL.default
    assert module.USER_AGENT == user_agent(CONTACT.default)


def test_the_environment_reaches_a_crawl_when_its_crawler_starts():
    settings = project_settings()
    env = {"NEWSMON_DB_URL": "sqlite:////srv/n.db", "NEWSMON_MODEL": "/m.joblib", "NEWSMON_REFRESH_DAYS": "7",
           "NEWSMON_CONTACT": "ops@example.org", "NEWSMON_SOURCES": " "}  # blank: as if unset
    EnvironmentSettings(env).update_settings(settings)
    assert settings[DB_URL.name] == "sqlite:////srv/n.db"
    assert settings[MODEL.name] == "/m.joblib"  # Scrapy's NEWSMON_MODEL_PATH, from NEWSMON_MODEL
    assert settings.getint(REFRESH_DAYS.name) == 7
    assert settings[SOURCES.name] == SOURCES.default
    assert settings["USER_AGENT"] == user_agent("ops@example.org")


def test_dash_s_wins_over_the_environment_and_an_explicit_user_agent_stays():
    settings = project_settings(NEWSMON_DB_URL="sqlite:///cmdline.db", NEWSMON_CONTACT="cmd@example.org")
    EnvironmentSettings({"NEWSMON_DB_URL": "sqlite:///env.db", "NEWSMON_CONTACT": "env@example.org"}).update_settings(settings)
    assert settings[DB_URL.name] == "sqlite:///cmdline.db"
    assert settings["USER_AGENT"] == user_agent("cmd@example.org")

    settings = project_settings(USER_AGENT="my-bot/1.0")
    EnvironmentSettings({"NEWSMON_CONTACT": "env@example.org"}).update_settings(settings)
    assert settings["USER_AGENT"] == "my-bot/1.0"


def test_crawl_and_nightly_read_the_sources_file_from_the_environment(tmp_path):
    missing = tmp_path / "from-env.toml"
    for command in ("crawl", "nightly"):
        result = CliRunner().invoke(cli, [command, "--db", f"sqlite:///{tmp_path / 'x.db'}"],
                                    env={"NEWSMON_SOURCES": str(missing)})
        assert result.exit_code != 0
        assert f"sources file not found: {missing}" in result.output, command


def test_settings_command_masks_secrets_and_passwords():
    env = {"NEWSMON_SMTP_PASSWORD": "hunter2", "NEWSMON_SECRET_KEY": "k3y-value",
           "NEWSMON_DB_URL": "postgresql://newsmon:pa55@db-host/newsmon", "NEWSMON_REDIS_URL": "redis://:r3dis@host:6379/0",
           "NEWSMON_RAW_DIR": "/srv/raw"}
    result = CliRunner().invoke(cli, ["settings"], env=env)
    assert result.exit_code == 0, result.output
    for secret in ("hunter2", "k3y-value", "pa55", "r3dis"):
        assert secret not in result.output
    lines = {line.split()[0]: line.split()[1:] for line in result.output.splitlines()}
    assert lines["NEWSMON_SMTP_PASSWORD"] == ["***", "environment"]
    assert lines["NEWSMON_DB_URL"] == ["postgresql://newsmon:***@db-host/newsmon", "environment"]
    assert lines["NEWSMON_RAW_DIR"] == ["/srv/raw", "environment"]
    assert lines["NEWSMON_SOURCES"] == [SOURCES.default, "default"]
    assert "NEWSMON_TEST_PG" not in lines
    assert "NEWSMON_TEST_PG" in CliRunner().invoke(cli, ["settings", "--all"]).output


def test_settings_markdown_is_the_readme_table():
    result = CliRunner().invoke(cli, ["settings", "--markdown"])
    assert result.exit_code == 0 and result.output == markdown_table() + "\n"


def test_mask_password():
    assert mask_password("postgresql://u:secret@h:5432/db") == "postgresql://u:***@h:5432/db"
    assert mask_password("sqlite:///newsmon.db") == "sqlite:///newsmon.db"
    assert mask_password("not a url") == "not a url"


def test_extract_reads_the_contact_when_it_fetches_not_at_import(monkeypatch):
    from newsmon.commands import extract

    monkeypatch.setenv("NEWSMON_CONTACT", "desk@example.org")
    assert extract.USER_AGENT == user_agent("desk@example.org", "newsmon extract")
    monkeypatch.delenv("NEWSMON_CONTACT")
    assert extract.USER_AGENT == user_agent(CONTACT.default, "newsmon extract")


def test_train_saves_under_newsmon_home(monkeypatch, tmp_path):
    from newsmon.commands.classify import MODEL_FILE, default_model_output

    monkeypatch.setenv("NEWSMON_HOME", str(tmp_path))
    assert default_model_output() == tmp_path / "models" / MODEL_FILE
    monkeypatch.delenv("NEWSMON_HOME")
    assert str(default_model_output()) == f"models/{MODEL_FILE}"
