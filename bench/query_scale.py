"""Query speed at scale: fill a database through the real schema, then time each kind of query the
workbench, its JSON API and `newsmon query` run (they share storage.queries / storage.search).

    .venv/bin/python bench/query_scale.py [--db URL] [--articles 1000000] [--repeat 15] [--api] [--cli]

Without --db a fresh SQLite file is made in a temporary folder. A PostgreSQL URL must name an
empty database (the script migrates it and fills it). Articles: six languages with their own
vocabulary, 20 sources, three years of dates, about 40% tagged (one or two topics), about three
copies per story. Prints one row per query: median and p95 in milliseconds.
"""
from __future__ import annotations

import argparse
import gc
import random
import statistics
import tempfile
import time
from datetime import datetime, timedelta
from pathlib import Path

from sqlalchemy import func, insert, select, text

from storage.db import open_database
from storage.models import Article, ArticleTopic, Story
from storage.queries import ArticleFilter, find_articles, total_matching
from storage.search import attention, facets
from storage.stories import stories_overview

TOPICS = ["capacity-building", "sanctions", "military-ai", "un-governance", "safety", "human-rights",
          "sustainable-development"]
WORDS = {
    "en": "artificial intelligence governance export controls chips treaty council member states safety "
          "summit capacity building development goals human rights surveillance weapons autonomous negotiations "
          "resolution assembly panel scientific report dialogue data centres energy water compute skills".split(),
    "fr": "intelligence artificielle gouvernance contrôles exportations puces traité conseil états membres "
          "sécurité sommet renforcement capacités développement durable droits humains surveillance armes".split(),
    "es": "inteligencia artificial gobernanza controles exportación chips tratado consejo estados miembros "
          "seguridad cumbre capacidades desarrollo sostenible derechos humanos vigilancia armas".split(),
    "ru": "искусственный интеллект управление экспортный контроль чипы договор совет государства "
          "безопасность саммит развитие права человека наблюдение оружие".split(),
    "ar": "الذكاء الاصطناعي الحوكمة ضوابط التصدير الرقائق معاهدة مجلس الدول الأعضاء السلامة القمة التنمية "
          "المستدامة حقوق الإنسان المراقبة الأسلحة".split(),
    "zh": "人工智能 治理 出口管制 芯片 条约 安理会 会员国 安全 峰会 能力建设 可持续发展 人权 监控 武器".split(),
}
LANGS = list(WORDS)
SOURCES = [f"source-{i:02d}" for i in range(20)]
START = datetime(2023, 12, 1)
BATCH = 5000


def fake_text(rng: random.Random, lang: str, words: int) -> str:
    vocab = WORDS[lang]
    joiner = "" if lang == "zh" else " "
    return joiner.join(rng.choice(vocab) for _ in range(words)) + ("。" if lang == "zh" else ".")


def fill(factory, n: int, seed: int = 7) -> None:
    """n articles, about n/3 stories, about 40% of articles tagged."""
    rng = random.Random(seed)
    span = 3 * 365 * 24 * 3600
    with factory() as session:
        engine = session.get_bind()
    story_count = max(1, n // 3)
    with engine.begin() as conn:
        for start in range(0, story_count, BATCH):
            rows = [{"id": i + 1, "first_seen": START + timedelta(seconds=span * (i / story_count)),
                     "last_seen": START + timedelta(seconds=span * (i / story_count))}
                    for i in range(start, min(story_count, start + BATCH))]
            conn.execute(insert(Story), rows)
    done = 0
    while done < n:
        articles, topics = [], []
        for i in range(done, min(n, done + BATCH)):
            story = min(story_count, i // 3 + 1)
            lang = rng.choice(LANGS)
            seen = START + timedelta(seconds=span * (i / n) + rng.randint(0, 3600))
            tagged = rng.random() < 0.4
            relevance = rng.uniform(0.5, 1.0) if tagged else rng.uniform(0.0, 0.6)
            articles.append({
                "id": i + 1, "url": f"https://{rng.choice(SOURCES)}.example/{i}", "fetched_url": f"https://x.example/{i}",
                "source": SOURCES[i % len(SOURCES)], "title": fake_text(rng, lang, 8), "text": fake_text(rng, lang, 90),
                "published": seen - timedelta(hours=rng.randint(0, 48)) if rng.random() < 0.9 else None,
                "language": lang, "content_hash": f"{i:064x}", "first_seen": seen, "updated": seen,
                "relevance": relevance, "relevant": tagged, "model_version": "bench", "story_id": story,
            })
            if tagged:
                for label in rng.sample(TOPICS, rng.choice((1, 1, 2))):
                    topics.append({"article_id": i + 1, "label": label, "confidence": round(rng.uniform(0.3, 1.0), 3),
                                   "model_version": "bench", "origin": "model"})
        with engine.begin() as conn:
            conn.execute(insert(Article), articles)
            if topics:
                conn.execute(insert(ArticleTopic), topics)
        done += len(articles)
        if done % 100_000 == 0 or done == n:
            print(f"  filled {done:,} articles", flush=True)
    # Statistics, and on PostgreSQL the visibility map autovacuum would have set on a live database
    with engine.connect().execution_options(isolation_level="AUTOCOMMIT") as conn:
        conn.execute(text("VACUUM ANALYZE" if engine.dialect.name == "postgresql" else "ANALYZE"))


def queries(end: datetime) -> dict[str, tuple[str, ArticleFilter]]:
    month = end - timedelta(days=30)
    return {
        "latest 50": ("articles", ArticleFilter()),
        "topic >= 0.7": ("articles", ArticleFilter(topics=["sanctions"], min_confidence=0.7)),
        "language + date range": ("articles", ArticleFilter(languages=["fr"], since=month, until=end)),
        "source + relevant": ("articles", ArticleFilter(sources=["source-03"], relevant_only=True)),
        "full text": ("articles", ArticleFilter(search="export controls")),
        "full text + topic": ("articles", ArticleFilter(search="treaty", topics=["military-ai"])),
        "full text CJK": ("articles", ArticleFilter(search="芯片")),
        "one row per story": ("stories", ArticleFilter(topics=["safety"])),
        "count (API total)": ("count", ArticleFilter(topics=["safety"], min_confidence=0.7)),
        "count, full text": ("count", ArticleFilter(search="export controls")),
        "stories, full text": ("stories", ArticleFilter(search="treaty")),
        "facets": ("facets", ArticleFilter(languages=["en"])),
        "chart": ("chart", ArticleFilter(topics=["un-governance"], since=end - timedelta(days=90))),
    }


def run_one(session, kind: str, f: ArticleFilter):
    if kind == "articles":
        return find_articles(session, f)
    if kind == "stories":
        return stories_overview(session, f, limit=50)
    if kind == "count":
        return total_matching(session, f)
    if kind == "facets":
        return facets(session, f)
    return attention(session, f)


def timed(fn, repeat: int) -> tuple[float, float]:
    fn()  # warm the cache: the numbers are for a server that has been up
    samples = []
    for _ in range(repeat):
        t0 = time.perf_counter()
        fn()
        samples.append((time.perf_counter() - t0) * 1000)
    samples.sort()
    return statistics.median(samples), samples[min(len(samples) - 1, round(0.95 * (len(samples) - 1)))]


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--db", help="database URL (default: a new SQLite file in a temporary folder)")
    parser.add_argument("--articles", type=int, default=1_000_000)
    parser.add_argument("--repeat", type=int, default=15)
    parser.add_argument("--api", action="store_true", help="also time /api/articles and /api/stories in-process")
    parser.add_argument("--cli", action="store_true", help="also time `newsmon query` in-process (each run opens the database)")
    parser.add_argument("--no-fill", action="store_true", help="time an already filled database")
    args = parser.parse_args()
    folder = tempfile.TemporaryDirectory()
    url = args.db or f"sqlite:///{Path(folder.name) / 'scale.db'}"
    factory = open_database(url)
    if not args.no_fill:
        t0 = time.perf_counter()
        fill(factory, args.articles)
        print(f"filled {args.articles:,} articles in {time.perf_counter() - t0:.0f}s")
    end = START + timedelta(days=3 * 365)
    with factory() as session:
        stored = session.scalar(select(func.count()).select_from(Article))
    print(f"{'query':<24}{'median ms':>10}{'p95 ms':>10}   ({factory.kw['bind'].dialect.name}, {stored:,} articles)")
    with factory() as session:
        for name, (kind, f) in queries(end).items():
            median, p95 = timed(lambda: run_one(session, kind, f), args.repeat)
            print(f"{name:<24}{median:>10.1f}{p95:>10.1f}")
    if args.api:
        from starlette.testclient import TestClient

        from newsmon.web.app import create_app

        app = create_app(factory=factory, secret_key="bench-only-key-0123456789")
        gc.freeze()  # as `newsmon serve` does once started
        with TestClient(app) as client:
            for name, path in [("API latest 50", "/api/articles"),
                               ("API topic >= 0.7", "/api/articles?topic=sanctions&min_confidence=0.7"),
                               ("API stories", "/api/stories?topic=safety"),
                               ("API full text + topic", "/api/articles?q=treaty&topic=military-ai"),
                               ("API stories, full text", "/api/stories?q=treaty"),
                               ("search page", "/?topic=safety"),
                               ("search page, full text", "/?q=export+controls"),
                               ("search page, text+topic", "/?q=treaty&topic=military-ai")]:
                median, p95 = timed(lambda: client.get(path).raise_for_status(), args.repeat)
                print(f"{name:<24}{median:>10.1f}{p95:>10.1f}")
    if args.cli:
        from click.testing import CliRunner

        from newsmon.cli import cli

        for name, options in [("CLI latest 50", []), ("CLI topic >= 0.7", ["--topic", "sanctions", "--min-confidence", "0.7"]),
                              ("CLI source + relevant", ["--source", "source-03", "--relevant"]),
                              ("CLI full text", ["--search", "export controls"]),
                              ("CLI one row per story", ["--group-by", "story", "--topic", "safety"])]:
            command = ["query", "--db", url, "--format", "json", "--limit", "50", *options]
            median, p95 = timed(lambda: _ok(CliRunner().invoke(cli, command)), args.repeat)
            print(f"{name:<24}{median:>10.1f}{p95:>10.1f}")
    factory.kw["bind"].dispose()


def _ok(result) -> None:
    if result.exit_code != 0:
        raise SystemExit(f"newsmon query failed: {result.output.strip()}")


if __name__ == "__main__":
    main()
