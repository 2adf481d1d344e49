"""Rendering: scraped text is escaped in every format, links are only http(s), the chart is valid SVG."""
from __future__ import annotations

import datetime as dt
import json
import re
import xml.etree.ElementTree as ET
from collections import Counter

import pytest

from alerts.chart import sparkline, svg_chart
from alerts.render import Digest, digest_json, md_escape, render_atom, render_html, render_markdown, render_slack, render_text
from alerts.select import DigestStory, Outlet, safe_url, snippet
from alerts.subscriptions import Subscription

SUB = Subscription(name="desk", channel="file", path="x", topics=("sanctions",))
NOW = dt.datetime(2026, 11, 20, 7, 0)
EVIL_TITLE = '<script>document.body.dataset.pwned = "1"</script><img src=x onerror=alert(1)> [click](javascript:x) *bold*'


def story(**kw) -> DigestStory:
    values = dict(story_id=1, title=EVIL_TITLE, url="https://example.org/a?b=1&c=<2>", source="<b>src</b>",
                  date=NOW, language="en", topics=[("sanctions", 0.912), ('<i>"x"</i>', 0.5)],
                  snippet="Text with </p><script>bad()</script> & more", group="sanctions", confidence=0.912,
                  content_hash="h", outlets=[Outlet("ft", "javascript:alert(1)", "t"), Outlet("<x>", "https://ft.example/1", '"q"')],
                  outlet_count=2)
    values.update(kw)
    return DigestStory(**values)


def digest(stories=None) -> Digest:
    days = [NOW.date() - dt.timedelta(days=i) for i in range(29, -1, -1)]
    counts = {"sanctions": Counter({days[-1]: 2, days[-3]: 1}), "<script>": Counter({days[-1]: 1})}
    return Digest(SUB, [story()] if stories is None else stories, NOW, NOW - dt.timedelta(days=1),
                  svg_chart(days, counts), sparkline(days, counts))


@pytest.mark.parametrize("url, safe", [
    ("https://example.org/x", "https://example.org/x"),
    ("http://example.org", "http://example.org"),
    ("javascript:alert(1)", None), ("JaVaScRiPt:alert(1)", None), ("data:text/html,<b>", None),
    ("//example.org/x", None), ("ftp://example.org", None), ("https:///nohost", None),
    ("https://example.org/a b", None), ("https://exa\nmple.org", None), (None, None), ("", None),
])
def test_safe_url(url, safe):
    assert safe_url(url) == safe


def test_html_escapes_everything_scraped():
    html = render_html(digest())
    assert "<script>" not in html.split("</style>", 1)[1]
    assert "&lt;script&gt;document.body.dataset.pwned = &#34;1&#34;&lt;/script&gt;" in html
    assert "&lt;img src=x onerror=alert(1)&gt;" in html
    assert "&lt;b&gt;src&lt;/b&gt;" in html and "&lt;i&gt;&#34;x&#34;&lt;/i&gt; 0.50" in html
    assert "&lt;/p&gt;&lt;script&gt;bad()&lt;/script&gt; &amp; more" in html
    assert 'href="https://example.org/a?b=1&amp;c=&lt;2&gt;"' in html
    assert "javascript:" not in html.replace("[click](javascript:x)", "")
    assert 'href="https://ft.example/1"' in html and "Also reported by 2 other outlets" in html
    assert "sanctions 0.91" in html
    ET.fromstring(html.split('<div class="chart">', 1)[1].split("</div>", 1)[0])  # the SVG is well-formed
    assert "&lt;script&gt; (1)" in html  # topic names in the chart legend are escaped too


def test_markdown_and_text():
    md = render_markdown(digest())
    # every "<" is escaped, except in our own link destinations (<https://...>) and code spans
    bare = re.sub(r"\]\(<https?://[^>]*>\)|`[^`]*`", "", md)
    assert re.findall(r"(?<!\\)<", bare) == []
    assert "\\<script\\>" in md and "](javascript" not in md and "(<javascript" not in md
    assert md_escape("[a](javascript:x) <b>") == r"\[a\]\(javascript:x\) \<b\>"
    assert "(<https://example.org/a?b=1&c=%3C2%3E>)" in md
    text = render_text(digest())
    assert EVIL_TITLE in text  # plain text shows the title as it is: nothing interprets it
    assert "https://example.org/a?b=1&c=<2>" in text and "javascript:" not in text.replace("(javascript:x)", "")
    assert "Last 30 days: " in text


def test_slack_text_and_json():
    body = digest_json(digest())
    assert json.loads(json.dumps(body)) == body
    text = render_slack(digest())
    assert "<script>" not in text and "&lt;script&gt;" in text
    assert "<https://example.org/a?b=1&c=%3C2%3E|&lt;script&gt;" in text
    assert body["stories"][0]["outlets"][0]["url"] is None


def test_atom_escapes_and_parses():
    feed = render_atom(SUB, [story(), story(story_id=2, url=None, title="no link \x0b ctrl")], NOW)
    root = ET.fromstring(feed.encode())
    ns = "{http://www.w3.org/2005/Atom}"
    entries = root.findall(f"{ns}entry")
    assert entries[0].findtext(f"{ns}title") == EVIL_TITLE
    assert "<script>" not in entries[0].findtext(f"{ns}content").replace(EVIL_TITLE, "")
    assert entries[1].find(f"{ns}link") is None


def test_empty_digest_and_subject():
    d = digest(stories=[])
    assert d.subject == "[newsmon] desk: no new stories (2026-11-20)"
    assert "No new stories." in render_html(d) and "No new stories." in render_text(d)


def test_snippet_cuts_at_a_word():
    assert snippet("word " * 200, 30) == "word word word word word word…"
    assert snippet("  a\n\n b  ") == "a b"


def test_long_slack_text_is_cut_and_says_how_many_are_left():
    many = [story(story_id=i, title=f"Story number {i} " + "x" * 80) for i in range(100)]
    text = render_slack(digest(many))
    assert len(text) <= 3900
    shown = text.count("\n•")
    assert 0 < shown < 100 and text.endswith(f"… and {100 - shown} more stories (see the JSON `stories`)")
    assert len(digest_json(digest(many))["stories"]) == 100


def test_png_chart_is_a_well_formed_png():
    import io
    import struct
    import zlib

    from PIL import Image

    from alerts.chart import png_chart

    days = [NOW.date() - dt.timedelta(days=i) for i in range(29, -1, -1)]
    data = png_chart(days, {"sanctions": Counter({days[-1]: 3, days[0]: 1})})
    assert data[:8] == b"\x89PNG\r\n\x1a\n"
    width, height = struct.unpack(">II", data[16:24])
    assert (width, height) == (1200, 240)
    chunks, pos = {}, 8
    while pos < len(data):
        length, kind = struct.unpack(">I4s", data[pos:pos + 8])
        body = data[pos + 8:pos + 8 + length]
        assert struct.unpack(">I", data[pos + 8 + length:pos + 12 + length])[0] == zlib.crc32(kind + body)
        chunks[kind] = body
        pos += 12 + length
    assert list(chunks) == [b"IHDR", b"IDAT", b"IEND"]
    pixels = zlib.decompress(chunks[b"IDAT"])
    assert len(pixels) == height * (1 + 3 * width)
    image = Image.open(io.BytesIO(data))  # rows are filtered (PNG's sub/up/paeth): read the colours decoded
    image.verify()
    image = Image.open(io.BytesIO(data))
    assert image.format == "PNG" and image.mode == "RGB" and image.size == (1200, 240)
    assert (0x00, 0x72, 0xB2) in {colour for _, colour in image.getcolors()}  # the first palette colour is drawn
    slot = 1200 / 30  # one bar a day, newest on the right: 3 stories today, 1 on the first day, none between
    assert image.getpixel((round(29.5 * slot), 220)) == (0x00, 0x72, 0xB2) == image.getpixel((round(0.5 * slot), 220))
    assert image.getpixel((round(15.5 * slot), 220)) == (255, 255, 255)
    assert image.getpixel((round(29.5 * slot), 225)) == (0xBB, 0xBB, 0xBB)  # the baseline, 224-225


def test_the_sample_digest_command_writes_the_docs_files(tmp_path):
    import subprocess
    import sys

    result = subprocess.run([sys.executable, "-m", "alerts.sample", str(tmp_path)], capture_output=True,
                            text=True, timeout=120, check=False)
    assert result.returncode == 0, result.stderr
    assert "(7 stories)" in result.stdout
    html = (tmp_path / "sample-digest.html").read_text()
    assert "Commerce adds eleven chip firms to the Entity List" in html and "<svg" in html
    assert (tmp_path / "sample-digest.md").read_text().startswith("# morning-desk")
