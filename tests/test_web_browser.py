"""The workbench in a real headless Chromium (Debian's, driven by Playwright): search, filter, open a
story, sign in, correct a tag and see it in `newsmon query`; no console errors; a <script> in a
scraped title never runs.

Needs /usr/bin/chromium (CI installs it) and the playwright package; skipped with a reason
elsewhere unless NEWSMON_REQUIRE_SERVICES=1.
"""
from __future__ import annotations

import json
import socket
import threading
import time
from collections.abc import Iterator

import pytest
from click.testing import CliRunner

from newsmon.cli import cli
from conftest import chromium_executable
from websample import seed_workbench

PASSWORD = "correct horse battery"
pytestmark = pytest.mark.slow


@pytest.fixture
def server(sqlite_url) -> Iterator[tuple[str, str, dict]]:
    """The workbench over a sample store, served by uvicorn on a free port in a thread."""
    import uvicorn

    from newsmon.web.app import create_app

    ids = seed_workbench(sqlite_url)
    CliRunner().invoke(cli, ["users", "add", "ana", "--db", sqlite_url, "--password-stdin"], input=PASSWORD + "\n")
    app = create_app(sqlite_url, secret_key="browser-test-secret-0123456789")
    sock = socket.socket()
    sock.bind(("127.0.0.1", 0))
    port = sock.getsockname()[1]
    uv = uvicorn.Server(uvicorn.Config(app, log_level="warning"))
    thread = threading.Thread(target=uv.run, kwargs={"sockets": [sock]}, daemon=True)
    thread.start()
    deadline = time.monotonic() + 20
    while not uv.started and time.monotonic() < deadline:
        time.sleep(0.05)
    try:
        yield f"http://127.0.0.1:{port}", sqlite_url, ids
    finally:
        uv.should_exit = True
        thread.join(timeout=10)
        sock.close()
        app.state.workbench.factory.kw["bind"].dispose()


@pytest.fixture
def page(tmp_path):
    executable = chromium_executable()
    sync_api = pytest.importorskip("playwright.sync_api", reason="playwright is not installed (pip install -e '.[test]')")
    with sync_api.sync_playwright() as playwright:
        browser = playwright.chromium.launch(executable_path=executable, args=["--no-sandbox", "--disable-gpu"])
        context = browser.new_context(viewport={"width": 1280, "height": 900})
        tab = context.new_page()
        tab.problems = []
        tab.on("console", lambda m: tab.problems.append(f"console {m.type}: {m.text}") if m.type in ("error", "warning") else None)
        tab.on("pageerror", lambda e: tab.problems.append(f"page error: {e}"))
        try:
            yield tab
        finally:
            context.close()
            browser.close()


def test_search_filter_story_sign_in_and_correct(server, page, tmp_path):
    base, db_url, ids = server
    page.goto(base + "/")
    assert "stories" in page.inner_text("#summary")
    assert page.evaluate("document.documentElement.getAttribute('data-pwned')") is None

    page.fill("#q", "autonomous weapons")
    page.click("#search-button")
    page.wait_for_url("**/?q=autonomous+weapons*")
    assert "Treaty talks on autonomous weapons" in page.inner_text("#results")

    page.goto(base + "/?view=article")
    assert "<script>" in page.inner_text("#results")  # the hostile title shows as text
    assert page.evaluate("document.documentElement.getAttribute('data-pwned')") is None
    with page.expect_navigation():
        page.check("input[name=topic][value=sanctions]")  # app.js submits the filter at once
    assert "topic=sanctions" in page.url
    rows = page.inner_text("#results")
    assert "New export controls on AI chips" in rows and "Armes autonomes" not in rows

    page.goto(base + "/?view=story&topic=military-ai")
    page.click("text=Treaty talks on autonomous weapons to open")
    page.wait_for_url("**/stories/*")
    assert "two.example" in page.inner_text("#copies")

    page.click("text=Sign in")
    page.fill("#name", "ana")
    page.fill("#password", PASSWORD)
    page.click("#sign-in")
    page.wait_for_url("**/stories/*")
    assert "Signed in as ana" in page.inner_text("header")

    article = ids["one"]
    page.select_option(f"#add-{article}", "human-rights")
    page.select_option(f"#remove-{article}", "military-ai")
    page.click(f"#save-{article}")
    page.wait_for_load_state()
    assert "human-rights 1.00" in page.inner_text(f"#tags-{article}")
    page.screenshot(path=str(tmp_path / "story.png"), full_page=True)

    result = CliRunner().invoke(cli, ["query", "--db", db_url, "--format", "json", "--source", "one"])
    assert json.loads(result.output)[0]["topics"] == {"human-rights": 1.0}

    for path in ("/review", "/sources"):
        page.goto(base + path)
    assert page.problems == []
