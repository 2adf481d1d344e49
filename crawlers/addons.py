"""Apply newsmon's environment variables to a crawl when its crawler starts, never at import.

A Scrapy add-on (``ADDONS`` in crawlers/settings.py): for each crawl setting declared with an
environment variable in newsmon/settings.py (NEWSMON_DB_URL, NEWSMON_SOURCES, NEWSMON_RAW_DIR,
NEWSMON_MODEL, NEWSMON_CONTACT, NEWSMON_REFRESH_DAYS) the variable's value replaces the project
default, while ``-s NAME=VALUE`` still wins. The User-Agent is then rebuilt from the effective
contact, unless the run sets USER_AGENT itself.
"""
from __future__ import annotations

from collections.abc import Mapping

from scrapy.settings import SETTINGS_PRIORITIES, BaseSettings

from newsmon import settings as declared
from newsmon import user_agent

PROJECT = SETTINGS_PRIORITIES["project"]


class EnvironmentSettings:
    def __init__(self, env: Mapping[str, str] | None = None) -> None:
        self.env = env  # None: os.environ at the time the crawler starts

    def update_settings(self, settings: BaseSettings) -> None:
        for setting, text in declared.from_environment(self.env):
            settings.set(setting.name, text, priority="project")  # above a default, below -s
        if settings.getpriority("USER_AGENT") <= PROJECT:
            settings.set("USER_AGENT", user_agent(settings.get(declared.CONTACT.name)), priority="project")
