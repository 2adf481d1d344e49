"""The headline as the page shows it: candidates reconciled, site name, section and dates stripped."""
from __future__ import annotations

import lxml.html
import pytest

from newsmon.headline import read_headline
from newsmon.pagemeta import read_facts


def headline(head: str, body: str = "", url: str | None = "https://news.example.org/a/1") -> str | None:
    tree = lxml.html.fromstring(f"<html><head><meta charset='utf-8'>{head}</head><body>{body}</body></html>")
    return read_headline(tree, read_facts(tree), url)


@pytest.mark.parametrize(
    ("head", "url", "expected"),
    [
        # og:site_name names the suffix
        ('<title>Zinsen steigen weiter | Börsen-Zeitung</title>'
         '<meta property="og:site_name" content="Börsen-Zeitung">', None, "Zinsen steigen weiter"),
        # the domain names it (accents and spaces do not matter)
        ("<title>Zinsen steigen weiter | Börsen-Zeitung</title>", "https://www.boersen-zeitung.de/banken/1",
         "Zinsen steigen weiter"),  # ö spelt "oe" in the domain
        ("<title>Vláda schválila rozpočet - Seznam Zprávy</title>", "https://www.seznamzpravy.cz/clanek/1",
         "Vláda schválila rozpočet"),
        ("<title>Budget vote delayed again - National | Globalnews.ca</title>"
         '<meta property="article:section" content="National">', "https://globalnews.ca/news/1/",
         "Budget vote delayed again"),
        # a two-letter domain and a date after it
        ("<title>EU agrees on AI rules – DW – 13.06.2023</title>", "https://www.dw.com/en/eu/a-1",
         "EU agrees on AI rules"),
        # a full-width colon before the publisher's name in JSON-LD
        ('<title>AI法案が成立：朝日新聞デジタル</title><script type="application/ld+json">'
         '{"@type": "NewsArticle", "publisher": {"@type": "Organization", "name": "朝日新聞デジタル"}}</script>',
         "https://www.asahi.com/articles/1.html", "AI法案が成立"),
        # a site name written before the headline
        ('<title>World Desk » UN adopts AI resolution</title><meta property="og:site_name" content="World Desk">',
         None, "UN adopts AI resolution"),
        # "(Published 2016)" after a headline
        ("<title>Senate passes the bill (Published 2016)</title>", None, "Senate passes the bill"),
    ],
)
def test_site_section_and_date_furniture_is_stripped(head, url, expected):
    assert headline(head, url=url) == expected


def test_headline_shown_on_the_page_wins_over_social_title():
    head = '<meta property="og:title" content="You will not believe what the council decided">' \
           "<title>Council approves AI audit rules | City Paper</title>"
    body = "<header><a href='/'>City Paper</a></header><article><h1>Council approves AI audit rules</h1></article>"
    assert headline(head, body) == "Council approves AI audit rules"


def test_one_headline_like_h1_is_taken_when_no_title_repeats_it():
    head = '<meta property="og:title" content="Share this: the audit story">'
    body = "<article><h1>Auditors find gaps in three AI systems</h1></article>"
    assert headline(head, body) == "Auditors find gaps in three AI systems"


def test_logo_h1_is_not_the_headline():
    head = '<meta property="og:site_name" content="City Paper">' \
           "<title>Council approves AI audit rules | City Paper</title>"
    body = "<h1><a href='/'>City Paper</a></h1><article><h2>Council approves AI audit rules</h2></article>"
    assert headline(head, body) == "Council approves AI audit rules"


def test_site_link_inside_the_h1_is_left_out():
    body = ('<h1><span>Anticorrupción decidirá si recurre</span><a href="/">Ultima Hora Mallorca</a></h1>'
            "<p>text</p>")
    head = "<title>Anticorrupción decidirá si recurre » Local » Ultima Hora Mallorca</title>"
    assert headline(head, body, "https://www.ultimahora.es/noticias/1.html") == "Anticorrupción decidirá si recurre"


def test_kicker_printed_as_part_of_the_h1_is_kept():
    body = "<nav><a href='/prince'>Prince</a></nav><h1>Prince -- Woman Warns Estate to Step Aside</h1>"
    head = "<title>Prince -- Woman Warns Estate to Step Aside | TMZ</title>"
    assert headline(head, body, "https://www.tmz.com/2016/1") == "Prince -- Woman Warns Estate to Step Aside"


def test_section_link_in_a_metadata_title_is_stripped():
    body = "<nav><a href='/opinion'>Opinion</a></nav><p>no heading</p>"
    assert headline("<title>Opinion | Why audits matter</title>", body) == "Why audits matter"


def test_jsonld_headline_and_no_candidates():
    head = ('<script type="application/ld+json">[{"@type": "BreadcrumbList", "name": "Home"},'
            '{"@type": ["NewsArticle"], "headline": "Treaty text published"}]</script>')
    assert headline(head) == "Treaty text published"
    assert headline("") is None


def test_malformed_jsonld_is_ignored():
    head = '<script type="application/ld+json">{"@type": "NewsArticle", "headline": </script>' \
           "<title>Treaty text published</title>"
    assert headline(head) == "Treaty text published"


@pytest.mark.parametrize("title", ["«Tatort» aus München: 30 Jahre Leitmayr und Batic",
                                   "»Abzocke wird als Klimaschutz verkauft«", "El col·legi obre les portes"])
def test_quotes_and_middle_dots_inside_words_are_not_separators(title):
    body = "<nav><a href='/t'>Tatort</a><a href='/a'>Abzocke wird als Klimaschutz verkauft</a>" \
           "<a href='/c'>El col</a></nav>"
    assert headline(f"<title>{title}</title>", body) == title


def test_hyphenated_words_are_not_cut():
    body = "<nav><a href='/spb'>Петербург</a><a href='/p'>powered</a></nav>"
    assert headline("<title>Выставка в Санкт-Петербург</title>", body) == "Выставка в Санкт-Петербург"
    assert headline("<title>Audits of AI-powered</title>", body) == "Audits of AI-powered"
    assert headline("<title>这个约会软件_智能_好奇心日报</title>", "<a href='/'>好奇心日报</a><a href='/z'>智能</a>") == "这个约会软件"


def test_overlong_candidates_are_not_headlines():
    long_h1 = "word " * 200
    assert headline("<title>Treaty text published</title>", f"<h1>{long_h1}</h1>") == "Treaty text published"
    assert headline(f"<title>{long_h1}</title>") is None


def test_hostile_metadata_is_survived():
    deep = "[" * 100_000 + "]" * 100_000
    head = (f'<script type="application/ld+json">{deep}</script>'
            '<meta property="og:url" content="http://[broken/x"><title>Treaty text published | Site</title>')
    assert headline(head, url=None) == "Treaty text published | Site"


def test_section_name_in_an_h1_is_not_the_headline():
    body = "<nav><a href='/politics'>Politics</a></nav><h1>Politics</h1><h2>Senate passes the AI bill</h2>"
    assert headline("<title>Politics - Senate passes the AI bill | Daily</title>", body) != "Politics"
    permalink = "<h1><a href='/2024/bill'>Senate passes the AI bill</a></h1>"
    assert headline("<title>Senate passes the AI bill | Daily</title>", permalink) == "Senate passes the AI bill"
