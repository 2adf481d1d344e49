"""`newsmon extract` on local files and on URLs served from 127.0.0.1, including failures."""
from __future__ import annotations

import gzip
import json
import socket

import click
import httpx
import pytest
from click.testing import CliRunner
from localserver import LocalServer
from test_extraction import PARAGRAPHS_EN, article_html
from test_reextract import CP1252_PAGE, CP1252_TEXT

from newsmon.cli import cli
from newsmon.commands.extract import USER_AGENT, fetch

CONTACT = """<!DOCTYPE html><html lang="en"><head><title>Contact</title></head><body>
<h1>Contact us</h1><p>Email: desk@example.org</p></body></html>"""


def run(*args: str):
    return CliRunner().invoke(cli, ["extract", *args])


def assert_one_line_error(result, *fragments: str) -> None:
    assert result.exit_code == 1, result.output
    assert "Traceback" not in result.output
    lines = [line for line in result.output.splitlines() if line.strip()]
    assert len(lines) == 1, result.output
    assert lines[0].startswith("Error: ")
    for fragment in fragments:
        assert fragment in lines[0]


@pytest.fixture
def article_file(tmp_path):
    path = tmp_path / "article.html"
    path.write_text(article_html(), encoding="utf-8")
    return path


def test_local_file_json(article_file):
    result = run(str(article_file), "--format", "json")
    assert result.exit_code == 0, result.output
    data = json.loads(result.output)
    assert data["title"].startswith("UN adopts resolution")
    assert data["published"].startswith("2024-03-21")
    assert data["author"] == "Amina Diallo"
    assert data["language"] == "en"
    assert data["site"] == "World Desk"
    assert data["canonical_url"] == "https://news.example.org/2024/03/un-ai-capacity"
    assert PARAGRAPHS_EN[0] in data["text"]


def test_local_gzip_file_text(tmp_path):
    path = tmp_path / "article.html.gz"
    path.write_bytes(gzip.compress(article_html().encode("utf-8")))
    result = run(str(path))
    assert result.exit_code == 0, result.output
    assert "Title:" in result.output and "Author:        Amina Diallo" in result.output
    assert PARAGRAPHS_EN[1] in result.output


def test_missing_file(tmp_path):
    assert_one_line_error(run(str(tmp_path / "nope.html")), "no such file")


def assert_dropped_with_metadata(result, reason: str) -> list[str]:
    """A page without an article: its metadata, then a one-line error with the reason, exit 1."""
    assert result.exit_code == 1, result.output
    assert "Traceback" not in result.output
    lines = [line for line in result.output.splitlines() if line.strip()]
    assert lines[-1].startswith("Error: ") and "no article found" in lines[-1] and reason in lines[-1]
    return lines[:-1]


def test_local_file_without_article(tmp_path):
    path = tmp_path / "contact.html"
    path.write_text(CONTACT, encoding="utf-8")
    header = assert_dropped_with_metadata(run(str(path)), "too-short")
    assert header[0] == "Title:         Contact us"
    assert all(": " in line for line in header)  # fields only, no text


def test_dropped_page_reports_its_date_in_json(tmp_path):
    path = tmp_path / "short.html"
    path.write_text(CONTACT.replace("<title>", '<meta property="article:published_time" '
                                    'content="2024-04-25T19:30:00+02:00"><title>'), encoding="utf-8")
    result = CliRunner().invoke(cli, ["extract", str(path), "--format", "json"])
    assert result.exit_code == 1
    data = json.loads(result.stdout)
    assert data["dropped"] == "too-short" and data["published"] == "2024-04-25T19:30:00+02:00"
    assert data["title"] == "Contact us" and data["text"] == ""


def test_local_file_not_html(tmp_path):
    path = tmp_path / "report.html"
    path.write_bytes(b"%PDF-1.7\n%\xe2\xe3\xcf\xd3\n1 0 obj\n")
    assert_one_line_error(run(str(path)), "not an HTML page")


@pytest.fixture(scope="module")
def server():
    with LocalServer() as srv:
        srv.route("/article", article_html(), headers={"Content-Type": "text/html; charset=utf-8"})
        srv.route("/contact", CONTACT, headers={"Content-Type": "text/html"})
        srv.route("/cp1252", CP1252_PAGE, headers={"Content-Type": "text/html; charset=windows-1252"})
        srv.route("/report.pdf", b"%PDF-1.7 ...", headers={"Content-Type": "application/pdf"})
        srv.hang("/slow")
        yield srv


def test_url_json(server):
    result = run(server.url("/article"), "--format", "json")
    assert result.exit_code == 0, result.output
    data = json.loads(result.output)
    assert data["source"] == server.url("/article")
    assert PARAGRAPHS_EN[2] in data["text"]
    assert server.last_headers["/article"]["User-Agent"] == USER_AGENT


def test_url_decoded_with_header_charset(server):
    """The Content-Type charset decodes the page, as in the crawl (the bytes alone look like cp1257)."""
    result = run(server.url("/cp1252"), "--format", "json")
    assert result.exit_code == 0, result.output
    assert CP1252_TEXT.strip() in json.loads(result.output)["text"]


def test_url_404(server):
    assert_one_line_error(run(server.url("/missing")), "HTTP 404")


def test_url_not_html(server):
    assert_one_line_error(run(server.url("/report.pdf")), "not an HTML page", "application/pdf")


def test_url_without_article(server):
    assert_dropped_with_metadata(run(server.url("/contact")), "too-short")


def test_connection_refused():
    with socket.socket() as sock:  # a port that nothing listens on once closed
        sock.bind(("127.0.0.1", 0))
        port = sock.getsockname()[1]
    assert_one_line_error(run(f"http://127.0.0.1:{port}/x"), "cannot fetch")


def test_timeout(server):
    with pytest.raises(click.ClickException, match="no answer within 0.5 s"):
        fetch(server.url("/slow"), timeout=0.5)


def test_help():
    result = CliRunner().invoke(cli, ["extract", "--help"])
    assert result.exit_code == 0 and "PATH_OR_URL" in result.output


ROBOTS = "User-agent: *\nDisallow: /private\n\nUser-agent: otherbot\nDisallow: /\n"


@pytest.fixture(scope="module")
def guarded():
    with LocalServer() as srv:
        srv.route("/robots.txt", ROBOTS, headers={"Content-Type": "text/plain"})
        srv.route("/private/article", article_html(), headers={"Content-Type": "text/html; charset=utf-8"})
        srv.route("/public/article", article_html(), headers={"Content-Type": "text/html; charset=utf-8"})
        srv.redirect("/public/moved", "/private/article")
        yield srv


def test_robots_txt_disallow_refuses_with_a_one_line_error(guarded):
    assert_one_line_error(run(guarded.url("/private/article")), "robots.txt disallows")
    assert guarded.hits["/private/article"] == 0


def test_robots_txt_is_obeyed_after_a_redirect(guarded):
    assert_one_line_error(run(guarded.url("/public/moved")), "robots.txt disallows",
                          f"redirected to {guarded.url('/private/article')}")
    assert guarded.hits["/private/article"] == 0


def test_robots_txt_allows_the_rest(guarded):
    result = run(guarded.url("/public/article"), "--format", "json")
    assert result.exit_code == 0, result.output
    assert PARAGRAPHS_EN[2] in json.loads(result.output)["text"]
    assert guarded.last_headers["/robots.txt"]["User-Agent"] == USER_AGENT


def mock_site(robots: httpx.Response, seen: list[str]) -> httpx.MockTransport:
    def answer(request: httpx.Request) -> httpx.Response:
        seen.append(request.url.path)
        if request.url.path == "/robots.txt":
            return robots
        return httpx.Response(200, headers={"Content-Type": "text/html"}, text=article_html())
    return httpx.MockTransport(answer)


@pytest.mark.parametrize("robots", [
    httpx.Response(404), httpx.Response(500), httpx.Response(200, text="User-agent: *\nDisallow: /private\n"),
    httpx.Response(200, text="User-agent: newsmon\nAllow: /\n\nUser-agent: *\nDisallow: /\n"),
])
def test_missing_broken_or_permissive_robots_txt_allows(robots):
    seen: list[str] = []
    body, content_type = fetch("https://news.example/2026/article", transport=mock_site(robots, seen))
    assert b"UN adopts resolution" in body and content_type == "text/html"
    assert seen == ["/robots.txt", "/2026/article"]  # robots.txt first, once


def test_rules_for_newsmon_refuse_even_when_other_robots_may():
    robots = httpx.Response(200, text="User-agent: newsmon\nDisallow: /\n\nUser-agent: *\nAllow: /\n")
    seen: list[str] = []
    with pytest.raises(click.ClickException, match="robots.txt disallows fetching it$"):
        fetch("https://news.example/2026/article", transport=mock_site(robots, seen))
    assert seen == ["/robots.txt"]


def test_connection_refused_says_so():
    with socket.socket() as sock:
        sock.bind(("127.0.0.1", 0))
        port = sock.getsockname()[1]
    with pytest.raises(click.ClickException, match="cannot fetch: Connection refused"):
        fetch(f"http://127.0.0.1:{port}/x", timeout=5)


def test_a_refused_bare_host_is_not_called_a_redirect():
    robots = httpx.Response(200, text="User-agent: *\nDisallow: /\n")
    with pytest.raises(click.ClickException) as refused:
        fetch("https://news.example", transport=mock_site(robots, []))
    assert refused.value.message == "https://news.example: robots.txt disallows fetching it"
