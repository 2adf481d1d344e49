"""The README's main job, `newsmon demo`, and `scrapy list`, run as a user runs them."""
from __future__ import annotations

import json
import re
import subprocess
import sys
from pathlib import Path

import pytest

ROOT = Path(__file__).resolve().parents[1]
NEWSMON = [sys.executable, "-c", "from newsmon.cli import main; main()"]


@pytest.mark.slow
def test_demo_crawls_the_demo_site_and_prints_what_it_stored(tmp_path):
    result = subprocess.run([*NEWSMON, "demo"], cwd=tmp_path, capture_output=True, text=True, timeout=300)
    assert result.returncode == 0, result.stderr[-3000:]
    summary = re.search(r"(\d+) pages fetched; (\d+) articles stored .*; (\d+) pages dropped \((.*)\)", result.stdout)
    assert summary, result.stdout[-2000:]
    stored = int(summary.group(2))
    assert stored >= 30
    assert "http-404" in summary.group(4)
    # UN documents: the draft stored in two languages, a resolution cited but not stored, bad PDFs skipped
    assert re.search(r"A/C\.2/81/L\.12\s+GA\s+draft\s+2 .* en,fr ", result.stdout), result.stdout[-2000:]
    assert re.search(r"A/RES/78/311\s+GA\s+resolution\s+3 .* cited only ", result.stdout)
    assert "3 documents stored" in result.stdout
    assert "1 encrypted" in summary.group(4) and "1 no-text-layer" in summary.group(4)
    assert "Traceback" not in result.stderr
    table = [line for line in result.stdout.splitlines() if re.match(r"^\d+\s+\d{4}-\d{2}-\d{2}\s", line)]
    assert len(table) == stored
    # DATE is the page's day, with its time and offset where the page gives them ("2026-10-02 10:20 -04:00")
    cells = [re.match(r"^\d+\s+(\d{4}-\d{2}-\d{2}(?: \d{2}:\d{2}(?: UTC| [+-]\d{2}:\d{2})?)?)\s+demo-\w+\s+(\w+)\s", line)
             for line in table]
    assert all(cells), table
    languages = {cell.group(2) for cell in cells}
    assert {"en", "fr", "es", "zh"} <= languages

    rows = json.loads(subprocess.run(
        [*NEWSMON, "query", "--db", "sqlite:///newsmon-demo.db", "--format", "json", "--limit", "0"],
        cwd=tmp_path, capture_output=True, text=True, check=True,
    ).stdout)
    assert len(rows) == stored
    assert all(r["text"] and r["title"] and r["published"] for r in rows)
    assert len({r["url"] for r in rows}) == stored  # one row per canonical URL
    assert not any("utm_" in r["url"] for r in rows)
    assert list((tmp_path / "newsmon-demo-raw").rglob("*.gz"))  # raw pages kept for reextract


def test_scrapy_list_from_the_repository_root():
    scrapy = Path(sys.executable).with_name("scrapy")
    result = subprocess.run([str(scrapy), "list"], cwd=ROOT, capture_output=True, text=True, timeout=60)
    assert result.returncode == 0, result.stderr
    assert set(result.stdout.split()) >= {"news", "feeds", "sitemaps", "listings"}


@pytest.mark.slow
def test_demo_serve_opens_the_demo_database_in_the_workbench(tmp_path):
    import time
    import urllib.request

    process = subprocess.Popen([*NEWSMON, "demo", "--serve", "--port", "0", "--limit", "3"], cwd=tmp_path,
                               stdout=subprocess.DEVNULL, stderr=subprocess.PIPE, text=True)
    try:
        deadline, base = time.monotonic() + 240, None
        while base is None and time.monotonic() < deadline:
            line = process.stderr.readline()
            if not line and process.poll() is not None:
                break
            found = re.search(r"newsmon workbench on (http://127\.0\.0\.1:\d+/)", line)
            base = found.group(1) if found else None
        assert base, "the workbench never said where it listens"
        with urllib.request.urlopen(base + "healthz", timeout=30) as response:
            assert json.load(response) == {"status": "ok"}
        with urllib.request.urlopen(base + "api/articles?lang=fr", timeout=30) as response:
            assert json.load(response)["total"] >= 3
        with urllib.request.urlopen(base, timeout=30) as response:
            assert "stories" in response.read().decode()
    finally:
        process.terminate()
        process.wait(timeout=30)
