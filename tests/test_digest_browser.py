"""Render an HTML digest in headless Chromium: it loads without errors and scraped markup stays text.

Needs Debian's chromium (CI installs it); skipped with a reason elsewhere unless
NEWSMON_REQUIRE_SERVICES=1.
"""
from __future__ import annotations

import subprocess
from dataclasses import replace

import pytest

from alerts.render import render_html
from alerts.sample import sample_digest
from conftest import chromium_executable

PWN = '<script>document.documentElement.setAttribute("data-pwned", "yes")</script>'
FLAGS = ["--headless", "--no-sandbox", "--disable-gpu", "--disable-background-networking",
         "--disable-component-update", "--no-first-run", "--enable-logging=stderr", "--v=0"]


def run_browser(browser: str, tmp_path, *args: str) -> subprocess.CompletedProcess:
    return subprocess.run([browser, *FLAGS, f"--user-data-dir={tmp_path / 'profile'}", *args],
                          capture_output=True, text=True, timeout=120, check=False)


def console_errors(stderr: str) -> list[str]:
    return [line for line in stderr.splitlines()
            if "CONSOLE" in line or "Uncaught" in line or "Refused to" in line]


@pytest.mark.slow
def test_html_digest_loads_in_chromium_without_errors(tmp_path):
    browser = chromium_executable()
    digest = sample_digest()
    evil = replace(digest.stories[0], story_id=999, title=f"{PWN} Chip <b>curbs</b>",
                   url="javascript:alert(1)", snippet=f"{PWN} body")
    digest.stories.append(evil)
    page = tmp_path / "digest.html"
    page.write_text(render_html(digest), encoding="utf-8")

    dom = run_browser(browser, tmp_path, "--dump-dom", page.as_uri())
    assert dom.returncode == 0, dom.stderr[-2000:]
    assert "General Assembly committee approves draft" in dom.stdout
    assert "<svg" in dom.stdout and "<rect" in dom.stdout
    assert 'data-pwned="yes"' not in dom.stdout  # the script in the title never ran
    assert "&lt;script&gt;document.documentElement" in dom.stdout and "&lt;b&gt;curbs&lt;/b&gt;" in dom.stdout
    assert 'href="javascript:' not in dom.stdout
    assert console_errors(dom.stderr) == []

    shot = tmp_path / "digest.png"
    result = run_browser(browser, tmp_path, "--window-size=760,1400", "--hide-scrollbars",
                         f"--screenshot={shot}", page.as_uri())
    assert result.returncode == 0, result.stderr[-2000:]
    assert shot.read_bytes()[:8] == b"\x89PNG\r\n\x1a\n" and shot.stat().st_size > 10_000
    assert console_errors(result.stderr) == []


def test_console_errors_are_noticed(tmp_path):
    """The check above would see a broken page: a script error shows up in Chromium's log."""
    browser = chromium_executable()
    page = tmp_path / "broken.html"
    page.write_text("<!DOCTYPE html><title>x</title><script>undefinedFunction()</script>")
    result = run_browser(browser, tmp_path, "--dump-dom", page.as_uri())
    assert console_errors(result.stderr), result.stderr[-2000:]
