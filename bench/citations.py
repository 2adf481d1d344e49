"""Citation finder quality and speed: precision/recall on labelled sentences, articles/s on one core.

    .venv/bin/python bench/citations.py [--articles 5000] [--check]

Quality is measured on two labelled sets written by the team (bench/data/citations*.jsonl: one
JSON object a line with ``lang``, ``text`` and the official ``symbols`` it cites, [] for the
sentences that only look like citations): ``citations.jsonl`` was used while writing the finder,
``citations-heldout.jsonl`` was written afterwards and run once. Scores are micro-averaged over
(sentence, symbol) pairs. Speed runs newsmon.citations.find_citations over articles of typical
length (~3,000 characters, the shared real news texts with labelled sentences mixed in), pinned
to one core. ``--check`` exits 1 when a score falls below bench/citations_floors.json.
"""
from __future__ import annotations

import argparse
import json
import os
import random
import sys
import time
from collections import defaultdict
from pathlib import Path

ROOT = Path(__file__).resolve().parents[1]
sys.path.insert(0, str(ROOT))

from newsmon.citations import cited_symbols, find_citations  # noqa: E402

DATA = ROOT / "bench" / "data"
SETS = {"development": DATA / "citations.jsonl", "held-out": DATA / "citations-heldout.jsonl"}
FLOORS = ROOT / "bench" / "citations_floors.json"
NEWS = ROOT.parent / "shared" / "data" / "realnews-train.jsonl"


def read_set(path: Path) -> list[dict]:
    return [json.loads(line) for line in path.read_text(encoding="utf-8").splitlines() if line.strip()]


def score(records: list[dict]) -> dict:
    """Micro precision and recall over (sentence, symbol) pairs, overall and per language."""
    counts: dict[str, list[int]] = defaultdict(lambda: [0, 0, 0])  # tp, fp, fn
    errors = []
    for record in records:
        got, gold = set(cited_symbols(record["text"])), set(record["symbols"])
        for key in ("all", record["lang"]):
            counts[key][0] += len(got & gold)
            counts[key][1] += len(got - gold)
            counts[key][2] += len(gold - got)
        if got != gold:
            errors.append({"text": record["text"], "missed": sorted(gold - got), "extra": sorted(got - gold)})
    result = {}
    for key, (tp, fp, fn) in counts.items():
        result[key] = {
            "precision": round(tp / (tp + fp), 4) if tp + fp else 1.0,
            "recall": round(tp / (tp + fn), 4) if tp + fn else 1.0,
            "mentions": tp + fn,
        }
    result["errors"] = errors
    return result


def typical_articles(n: int, rng: random.Random, length: int = 3000) -> list[str]:
    """Real news texts (the shared set) cut to ``length``, a labelled sentence mixed into one in four."""
    sentences = [r["text"] for path in SETS.values() for r in read_set(path)]
    if NEWS.exists():
        texts = [json.loads(line)["text"] for line in NEWS.read_text(encoding="utf-8").splitlines() if line.strip()]
    else:  # without the shared data: the labelled sentences repeated to article length
        texts = [" ".join(rng.sample(sentences, 30))]
    articles = []
    for _ in range(n):
        text = rng.choice(texts)
        while len(text) < length:
            text = text + "\n\n" + text
        text = text[:length]
        if rng.random() < 0.25:
            cut = rng.randrange(len(text))
            text = text[:cut] + " " + rng.choice(sentences) + " " + text[cut:]
        articles.append(text)
    return articles


def speed(articles: list[str], repeat: int = 3) -> float:
    """Best of ``repeat`` runs, in articles per CPU second."""
    find_citations(articles[0])  # compile and warm up
    best = 0.0
    for _ in range(repeat):
        started = time.process_time()
        for text in articles:
            find_citations(text)
        best = max(best, len(articles) / (time.process_time() - started))
    return best


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    parser.add_argument("--articles", type=int, default=5000)
    parser.add_argument("--check", action="store_true", help="exit 1 when below the floors")
    args = parser.parse_args(argv)
    if hasattr(os, "sched_setaffinity"):
        os.sched_setaffinity(0, {min(os.sched_getaffinity(0))})  # one core, as the target says
    floors = json.loads(FLOORS.read_text())
    below = []
    print(f"{'set':<12} {'lang':<5} {'mentions':>8} {'precision':>9} {'recall':>7}")
    for name, path in SETS.items():
        result = score(read_set(path))
        for lang in ["all", *sorted(k for k in result if k not in ("all", "errors"))]:
            row = result[lang]
            print(f"{name:<12} {lang:<5} {row['mentions']:>8} {row['precision']:>9.3f} {row['recall']:>7.3f}")
        for error in result["errors"]:
            print(f"  miss {error['missed']} extra {error['extra']}: {error['text'][:100]}")
        for metric in ("precision", "recall"):
            if result["all"][metric] < floors[metric]:
                below.append(f"{name} {metric} {result['all'][metric]} < {floors[metric]}")
    articles = typical_articles(args.articles, random.Random(15))
    rate = speed(articles)
    mean = sum(map(len, articles)) / len(articles)
    print(f"\nscanning: {rate:,.0f} articles/s on one core ({len(articles)} articles, mean {mean:,.0f} chars)")
    if rate < floors["articles_per_second"]:
        below.append(f"speed {rate:.0f} articles/s < {floors['articles_per_second']}")
    if below:
        print("BELOW FLOORS: " + "; ".join(below))
        return 1 if args.check else 0
    return 0


if __name__ == "__main__":
    sys.exit(main())
