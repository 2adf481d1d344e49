"""A sample digest from made-up stories, for the README and the browser test.

    python -m alerts.sample docs/        # writes sample-digest.html, .md and .txt

The stories are invented (example.org links); nothing is read from the shared data set.
"""
from __future__ import annotations

import argparse
import hashlib
import random
import tempfile
from datetime import datetime, timedelta
from pathlib import Path

from alerts.render import Digest, render_html, render_markdown, render_text
from alerts.run import build_digest
from alerts.subscriptions import Subscription
from storage.db import open_database
from storage.models import Article, ArticleTopic, Story

NOW = datetime(2026, 11, 20, 7, 0)
SUBSCRIPTION = Subscription(name="morning-desk", channel="file", path="digests/morning-desk",
                            min_confidence=0.5, lookback_days=1)
# Where each made-up outlet publishes from: its pages give their times in this UTC offset (minutes).
OFFSETS = {"un-news": -300, "devex": -300, "reuters": 0, "le-monde": 60, "swissinfo": 60, "the-register": 0,
           "el-pais": 60, "nikkei": 540, "scmp": 480, "defense-news": -300}
TOPICS = ["un-governance", "sanctions", "military-ai", "safety", "capacity-building", "human-rights"]

# (title, source, language, hours ago, {topic: confidence}, other outlets, text)
STORIES = [
    ("General Assembly committee approves draft on the Global Dialogue on AI Governance", "un-news", "en", 3,
     {"un-governance": 0.94}, ["reuters", "le-monde", "el-pais"],
     "Delegates approved without a vote a draft that sets the dates and format of the first Global Dialogue "
     "on AI Governance, to be held alongside the scientific panel's first report next year."),
    ("Scientific panel on AI names its forty members", "devex", "en", 9, {"un-governance": 0.81, "safety": 0.55},
     ["un-news"], "The independent international scientific panel will publish an annual summary of "
                  "research on the risks and opportunities of AI, its co-chairs said."),
    ("Commerce adds eleven chip firms to the Entity List", "reuters", "en", 5, {"sanctions": 0.91},
     ["nikkei", "scmp"], "The additions restrict exports of advanced computing items to the firms, which the "
                         "department said support military end uses; two are subsidiaries of a cloud provider."),
    ("Les Pays-Bas élargissent les licences d'exportation des machines de lithographie", "le-monde", "fr", 14,
     {"sanctions": 0.77}, [], "Le gouvernement néerlandais soumet désormais à licence l'exportation de "
                              "certains outils de lithographie DUV, une mesure coordonnée avec Washington & Tokyo."),
    ("CCW group ends week of talks on lethal autonomous weapons without a text", "swissinfo", "en", 6,
     {"military-ai": 0.88, "un-governance": 0.52}, ["defense-news"],
     "States remained split over whether the rolling text should become a legally binding instrument; "
     "the chair will circulate a revised draft before the next session in Geneva."),
    ("AI safety institutes publish joint evaluation of agentic models", "the-register", "en", 11,
     {"safety": 0.86}, [], "The network of safety institutes tested three frontier systems on cyber and "
                           "autonomy tasks and found uneven safeguards across languages."),
    ("La UNESCO lanza un programa de formación en IA para funcionarios de América Latina", "el-pais", "es", 8,
     {"capacity-building": 0.83, "human-rights": 0.51}, [],
     "El programa formará a 3.000 funcionarios en la evaluación de impacto ético de sistemas de IA, "
     "con apoyo de bancos regionales de desarrollo."),
]


def _add(session, title, source, language, when, topics, text, story=None) -> Article:
    if story is None:
        story = Story(first_seen=when, last_seen=when)
        session.add(story)
        session.flush()
    slug = hashlib.sha1(f"{source}{title}{when}".encode()).hexdigest()[:10]
    url = f"https://{source}.example.org/news/{slug}"
    article = Article(url=url, fetched_url=url, source=source, title=title, text=text, language=language,
                      content_hash=hashlib.sha256(text.encode()).hexdigest(), first_seen=when, updated=when,
                      published=when - timedelta(hours=1), published_offset=OFFSETS.get(source, 0), relevance=0.9, relevant=True, model_version="sample", story_id=story.id)
    article.topics = [ArticleTopic(label=k, confidence=v, model_version="sample") for k, v in topics.items()]
    session.add(article)
    session.flush()
    return article


def seed(session) -> None:
    rng = random.Random(6)
    for day in range(2, 31):  # a month of history for the chart
        for _ in range(rng.choice([0, 1, 1, 2, 3, 4])):
            topic = rng.choices(TOPICS, weights=[4, 4, 2, 2, 2, 1])[0]
            _add(session, f"Earlier story about {topic}", "archive", "en",
                 NOW - timedelta(days=day, hours=rng.randint(0, 20)), {topic: 0.8}, "Earlier story text.")
    for title, source, language, hours, topics, others, text in STORIES:
        lead = _add(session, title, source, language, NOW - timedelta(hours=hours), topics, text)
        for i, other in enumerate(others):
            _add(session, f"{title} ({other})", other, "en", NOW - timedelta(hours=hours - i - 1), topics,
                 text + f" [{other}]", story=lead.story)
    session.commit()


def sample_digest(db_url: str | None = None) -> Digest:
    """Build the sample digest in a throwaway SQLite database (or ``db_url``)."""
    with tempfile.TemporaryDirectory() as tmp:
        factory = open_database(db_url or f"sqlite:///{tmp}/sample.db")
        with factory() as session:
            seed(session)
            digest = build_digest(session, SUBSCRIPTION, NOW, None)
        factory.kw["bind"].dispose()
    return digest


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("folder", type=Path)
    folder = parser.parse_args().folder
    folder.mkdir(parents=True, exist_ok=True)
    digest = sample_digest()
    for suffix, render in (("html", render_html), ("md", render_markdown), ("txt", render_text)):
        (folder / f"sample-digest.{suffix}").write_text(render(digest), encoding="utf-8")
    print(f"wrote {folder}/sample-digest.html, .md and .txt ({len(digest.stories)} stories)")


if __name__ == "__main__":
    main()
