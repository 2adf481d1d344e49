"""Extraction on pages written for these tests, and a quality floor on the shared benchmark."""
from __future__ import annotations

import gzip
import json
from datetime import datetime
from pathlib import Path

import pytest

from newsmon.errors import ExtractionError
from newsmon.extraction import ExtractedArticle, detect_language, extract_article

BENCH = Path(__file__).resolve().parents[1] / "bench"
FLOORS = BENCH / "extraction_floors.json"


def _load_scoring():
    """bench/ is scripts, not a package: load the shared scorer from its file."""
    import importlib.util
    import sys

    name = "newsmon_bench_scoring"
    if name not in sys.modules:
        spec = importlib.util.spec_from_file_location(name, BENCH / "scoring.py")
        module = importlib.util.module_from_spec(spec)
        sys.modules[name] = module  # dataclasses look their module up while it executes
        spec.loader.exec_module(module)
    return sys.modules[name]

PARAGRAPHS_EN = [
    "The General Assembly adopted a resolution on Thursday that asks member states to close the "
    "gap in computing capacity between rich and poor countries, the first text of its kind to "
    "pass without a vote.",
    "Diplomats said the resolution, drafted over four months of talks in New York, commits "
    "agencies to pool training programmes for civil servants who must judge the safety of "
    "artificial intelligence systems bought by their governments.",
    "Several delegations wanted firmer language on export controls for advanced chips, but the "
    "final draft only notes that such controls should not block access to technology needed for "
    "the Sustainable Development Goals.",
    "A panel of independent experts will report on progress each year, and a first review is "
    "planned for the next session, when member states will also discuss funding.",
]


def page(
    body: str,
    title: str = "UN adopts resolution on AI capacity-building",
    head: str = "",
    lang: str = "en",
) -> str:
    return f"""<!DOCTYPE html>
<html lang="{lang}"><head><meta charset="utf-8"><title>{title} | World Desk</title>{head}</head>
<body>
<nav><ul><li><a href="/">Home</a></li><li><a href="/world">World</a></li>
<li><a href="/tech">Technology</a></li><li><a href="/contact">Contact</a></li></ul></nav>
{body}
<footer><p>World Desk, 1 Example Street. <a href="/privacy">Privacy</a></p></footer>
</body></html>"""


def article_html() -> str:
    paragraphs = "\n".join(f"<p>{p}</p>" for p in PARAGRAPHS_EN)
    head = (
        '<meta name="author" content="Amina Diallo">'
        '<meta property="article:published_time" content="2024-03-21T14:05:00Z">'
        '<meta property="og:type" content="article">'
        '<meta property="og:site_name" content="World Desk">'
        '<link rel="canonical" href="https://news.example.org/2024/03/un-ai-capacity">'
    )
    body = f"""
<article>
  <h1>UN adopts resolution on AI capacity-building</h1>
  <div class="share-tools"><a href="#">Share on Facebook</a> <a href="#">Share on X</a></div>
  <div class="article-body">
    {paragraphs}
    <p>Advertisement</p>
    <p>Read more: How export controls shape the chip market</p>
  </div>
  <div class="related-articles"><h3>Related articles</h3><ul>
    <li><a href="/a">Council debates autonomous weapons</a></li>
    <li><a href="/b">UNESCO ethics review turns two</a></li></ul></div>
</article>"""
    return page(body, head=head)


def test_article_fields_and_clean_text():
    art = extract_article(article_html(), "https://news.example.org/2024/03/un-ai-capacity?utm_source=x")
    assert isinstance(art, ExtractedArticle)
    assert art.title.startswith("UN adopts resolution on AI capacity-building")
    assert art.author == "Amina Diallo"
    assert art.published == datetime(2024, 3, 21, 0, 0) or art.published.date().isoformat() == "2024-03-21"
    assert art.language == "en"
    assert art.site == "World Desk"
    assert art.canonical_url == "https://news.example.org/2024/03/un-ai-capacity"
    for paragraph in PARAGRAPHS_EN:
        assert paragraph in art.text
    assert not art.text.startswith("UN adopts resolution")  # headline is not body text
    for furniture in ("Advertisement", "Read more", "Council debates", "Share on", "Privacy", "Home"):
        assert furniture not in art.text
    data = art.as_json()
    assert data["published"].startswith("2024-03-21") and json.dumps(data)


def test_body_split_around_an_ad_is_kept_whole():
    first, second = PARAGRAPHS_EN[:2], PARAGRAPHS_EN[2:]
    body = (
        '<main><h1>UN adopts resolution on AI capacity-building</h1><div class="grid">'
        '<div class="article-body">' + "".join(f"<p>{p}</p>" for p in first) + "</div></div>"
        '<div class="ad-slot"><span>Advertisement</span></div><div class="grid">'
        '<div class="article-body">' + "".join(f"<p>{p}</p>" for p in second) + "</div></div></main>"
    )
    art = extract_article(page(body))
    for paragraph in PARAGRAPHS_EN:
        assert paragraph in art.text


def test_page_without_date():
    body = "<article><h1>Notes from the capacity-building workshop</h1>" + "".join(
        f"<p>{p}</p>" for p in PARAGRAPHS_EN
    ) + "</article>"
    art = extract_article(page(body, title="Notes from the capacity-building workshop"))
    assert art.published is None
    assert PARAGRAPHS_EN[0] in art.text


def test_contact_page_is_not_an_article():
    body = """<main><h1>Contact us</h1>
<p>Email: desk@example.org</p><p>Phone: +41 22 000 00 00</p>
<form><input name="q"><button>Send</button></form></main>"""
    with pytest.raises(ExtractionError) as info:
        extract_article(page(body, title="Contact"), "https://news.example.org/contact")
    assert info.value.reason in {"too-short", "no-article", "not-an-article"}
    assert info.value.url == "https://news.example.org/contact"


@pytest.mark.parametrize("html", ["", "   \n ", b"", "<html><body></body></html>"])
def test_empty_pages(html):
    with pytest.raises(ExtractionError) as info:
        extract_article(html, "https://news.example.org/empty")
    assert info.value.reason in {"empty-page", "no-article", "too-short", "unparseable"}


FRENCH = [
    "L'Assemblée générale des Nations unies a adopté jeudi une résolution qui invite les États "
    "membres à réduire l'écart de capacités de calcul entre pays riches et pays pauvres.",
    "Selon plusieurs diplomates, le texte engage les agences à mettre en commun leurs programmes "
    "de formation pour les fonctionnaires chargés d'évaluer la sécurité des systèmes "
    "d'intelligence artificielle.",
    "Un groupe d'experts indépendants présentera chaque année un rapport sur les progrès accomplis "
    "et un premier bilan est prévu lors de la prochaine session.",
]
SPANISH = [
    "La Asamblea General de las Naciones Unidas aprobó el jueves una resolución que pide a los "
    "Estados miembros reducir la brecha de capacidad de cómputo entre países ricos y pobres.",
    "Según varios diplomáticos, el texto compromete a las agencias a compartir sus programas de "
    "formación para los funcionarios que deben evaluar la seguridad de los sistemas de "
    "inteligencia artificial.",
    "Un grupo de expertos independientes informará cada año sobre los avances y la primera "
    "revisión está prevista para el próximo período de sesiones.",
]
CHINESE = [
    "联合国大会星期四通过了一项决议，呼吁各会员国缩小富国与穷国之间在计算能力方面的差距。"
    "这是第一份在没有表决的情况下获得通过的同类案文。",
    "多位外交官表示，这项决议经过四个月的谈判才在纽约定稿，要求各机构共同开展培训项目，"
    "帮助负责评估人工智能系统安全的公务员提高能力。",
    "一些代表团希望在先进芯片出口管制问题上使用更强硬的措辞，但最终文本只指出，"
    "此类管制不应妨碍各国获得实现可持续发展目标所需的技术。",
    "一个独立专家小组将每年报告进展情况，首次审查计划在下届会议期间进行，"
    "届时会员国还将讨论资金问题。",
]


@pytest.mark.parametrize(
    "lang, paragraphs",
    [("fr", FRENCH), ("es", SPANISH), ("zh", CHINESE)],
)
def test_non_english_articles(lang, paragraphs):
    title = paragraphs[0][:40]
    body = "<article><h1>" + title + "</h1>" + "".join(f"<p>{p}</p>" for p in paragraphs) + "</article>"
    art = extract_article(page(body, title=title, lang=lang), f"https://news.example.org/{lang}/1")
    assert art.language == lang
    for paragraph in paragraphs[1:]:
        assert paragraph in art.text


def test_detect_language():
    assert detect_language(" ".join(PARAGRAPHS_EN)) == "en"
    assert detect_language(" ".join(CHINESE)) == "zh"


def test_f1_floor_on_shared_benchmark(shared_dir):
    """Shingle F1/P/R on every third benchmark page must stay above the pinned floors."""
    score_texts = _load_scoring().score_texts
    data = shared_dir / "bench" / "extraction"
    if not (data / "ground-truth.json").is_file():
        pytest.skip(f"{data} has no ground-truth.json")
    truth = json.loads((data / "ground-truth.json").read_text(encoding="utf-8"))
    floors = json.loads(FLOORS.read_text(encoding="utf-8"))
    ids = sorted(truth)[:: floors["every_nth_page"]]
    pairs = []
    for page_id in ids:
        html = gzip.decompress((data / "html" / f"{page_id}.html.gz").read_bytes())
        try:
            text = extract_article(html, truth[page_id]["url"]).text
        except ExtractionError:
            text = ""
        pairs.append((truth[page_id]["articleBody"], text))
    score = score_texts(pairs)
    assert score.f1 >= floors["f1"], score
    assert score.precision >= floors["precision"], score
    assert score.recall >= floors["recall"], score


def test_legacy_encoding_bytes():
    """Bytes in a declared non-UTF-8 charset (GBK) decode to the right text."""
    body = "<article><h1>联合国通过决议</h1>" + "".join(f"<p>{p}</p>" for p in CHINESE) + "</article>"
    html = page(body, title="联合国通过决议", lang="zh").replace('charset="utf-8"', 'charset="gbk"')
    art = extract_article(html.encode("gbk"), "https://news.example.org/zh/2")
    assert art.language == "zh" and art.title == "联合国通过决议"
    assert CHINESE[2] in art.text


def test_published_and_modified_keep_the_page_offset():
    head = (
        '<meta property="article:published_time" content="2024-04-25T19:30:00+02:00">'
        '<meta property="article:modified_time" content="2024-04-26T07:00:00+02:00">'
    )
    body = "<article><h1>UN adopts resolution on AI capacity-building</h1>" + "".join(
        f"<p>{p}</p>" for p in PARAGRAPHS_EN) + "</article>"
    art = extract_article(page(body, head=head))
    assert art.published.isoformat() == "2024-04-25T19:30:00+02:00"
    assert art.modified.isoformat() == "2024-04-26T07:00:00+02:00"
    assert art.as_json()["published"] == "2024-04-25T19:30:00+02:00"
    assert art.title == "UN adopts resolution on AI capacity-building"  # without "| World Desk"


def test_dropped_page_carries_its_metadata():
    head = '<meta property="article:published_time" content="2024-03-21T14:05:00Z">'
    with pytest.raises(ExtractionError) as caught:
        extract_article(page("<main><h1>AI office opens</h1><p>Short notice.</p></main>", title="AI office opens",
                             head=head))
    assert caught.value.reason == "too-short"
    meta = caught.value.metadata
    assert meta.title == "AI office opens" and meta.published.isoformat() == "2024-03-21T14:05:00+00:00"
    assert meta.text == ""


def test_date_is_read_before_the_page_is_pruned():
    """A byline inside a block pruned for the body (class "more-info") still dates the article."""
    body = ('<article><h1>UN adopts resolution on AI capacity-building</h1>'
            '<div class="newsletter"><time itemprop="datePublished" datetime="2024-03-21T09:00:00+01:00">'
            "21 March</time></div>" + "".join(f"<p>{p}</p>" for p in PARAGRAPHS_EN) + "</article>")
    art = extract_article(page(body))
    assert art.published.isoformat() == "2024-03-21T09:00:00+01:00"


def test_feed_date_wins_over_a_far_page_date():
    head = '<meta property="article:published_time" content="2019-02-01T10:00:00Z">'
    body = "<article><h1>Notes</h1>" + "".join(f"<p>{p}</p>" for p in PARAGRAPHS_EN) + "</article>"
    hint = datetime(2024, 3, 21, 8, 0)
    assert extract_article(page(body, head=head), hint_published=hint).published == hint
    assert extract_article(page(body, head=head)).published.year == 2019


@pytest.mark.slow
def test_headline_and_date_floors_on_shared_metadata_benchmark(shared_dir):
    """Headline and date accuracy (the set's own score.py) on every third page must stay above the floors."""
    import importlib.util

    data = shared_dir / "bench" / "metadata"
    if not (data / "ground-truth.json").is_file():
        pytest.skip(f"{data} has no ground-truth.json")
    spec = importlib.util.spec_from_file_location("metadata_score", data / "score.py")
    scorer = importlib.util.module_from_spec(spec)
    spec.loader.exec_module(scorer)
    truth = json.loads((data / "ground-truth.json").read_text(encoding="utf-8"))
    floors = json.loads(FLOORS.read_text(encoding="utf-8"))
    ids = sorted(truth)[:: floors["metadata_every_nth_page"]]
    predictions = {}
    for page_id in ids:
        html = gzip.decompress((data / "html" / f"{page_id}.html.gz").read_bytes()).decode("utf-8")
        try:
            art = extract_article(html, truth[page_id]["url"] or None)
        except ExtractionError as exc:
            art = exc.metadata
        predictions[page_id] = {
            "title": art.title if art else None,
            "date": art.published.isoformat() if art and art.published else None,
        }
    rows = scorer.score({i: truth[i] for i in ids}, predictions)
    for field, floor in (("title", floors["headline"]), ("date", floors["date"])):
        correct, _given, n, _near = scorer.summary(rows, ids, field)
        assert correct / n >= floor, (field, correct, n)
