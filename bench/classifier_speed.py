"""Classifier speed: tagging throughput on one core and training time on 10,000 articles.

    .venv/bin/python bench/classifier_speed.py [--model PATH] [--data FILE.jsonl] [--articles 4000]
        [--skip-training]

Articles of typical length (~3,000 characters) are built in memory from the shared training data
(two excerpts joined, cut at 3,000 characters); the 10,000 training articles are the shared records
resampled and perturbed (random cut and word dropout). Nothing is written to disk.
"""
from __future__ import annotations

import os

for var in ("OMP_NUM_THREADS", "OPENBLAS_NUM_THREADS", "MKL_NUM_THREADS"):
    os.environ.setdefault(var, "1")  # one core, as the target says

import argparse  # noqa: E402
import random  # noqa: E402
import time  # noqa: E402
from pathlib import Path  # noqa: E402

import numpy as np  # noqa: E402

from classifier import load_default_model  # noqa: E402
from classifier.grouping import event_groups  # noqa: E402
from classifier.taxonomy import load_taxonomy  # noqa: E402
from classifier.training import fit_records, read_examples, read_jsonl, texts_of  # noqa: E402

DATA = Path(__file__).resolve().parents[2] / "shared" / "data" / "realnews-train.jsonl"


def typical_articles(records: list[dict], n: int, length: int, rng: random.Random) -> list[tuple[str, str]]:
    docs = []
    for _ in range(n):
        a, b = rng.sample(records, 2)
        docs.append((a.get("title") or None, (a["text"] + "\n\n" + b["text"] + "\n\n" + a["text"])[:length]))
    return docs


def perturbed(records: list[dict], n: int, rng: random.Random) -> list[dict]:
    out = []
    for i in range(n):
        record = dict(rng.choice(records))
        words = record["text"].split(" ")
        start = rng.randrange(0, max(1, len(words) // 5))
        record["text"] = " ".join(w for w in words[start:] if rng.random() > 0.1)
        record["note"] = f"{record.get('note', '')} copy {i % 7}"
        out.append(record)
    return out


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.split("\n")[0])
    parser.add_argument("--model", default=None)
    parser.add_argument("--data", default=str(DATA))
    parser.add_argument("--articles", type=int, default=4000)
    parser.add_argument("--length", type=int, default=3000)
    parser.add_argument("--train-size", type=int, default=10_000)
    parser.add_argument("--skip-training", action="store_true", help="only the tagging rows (saves ~60 s)")
    args = parser.parse_args()
    rng = random.Random(0)
    records = list(read_jsonl(args.data))
    model = load_default_model(args.model)
    if model is None:
        raise SystemExit("no model: run `newsmon train` first")
    rows = []

    docs = typical_articles(records, args.articles, args.length, rng)
    model.predict(docs[:50])  # warm up (builds the n-gram lookup table)
    start = time.perf_counter()
    for i in range(0, len(docs), 500):
        model.predict(docs[i : i + 500])
    elapsed = time.perf_counter() - start
    chars = np.mean([len(t) + len(h or "") for h, t in docs])
    rows.append(("tag, batches of 500", f"{len(docs)} articles, {chars:.0f} chars avg", f"{len(docs) / elapsed:,.0f} articles/s", ">= 2,000/s"))

    singles = docs[:300]
    start = time.perf_counter()
    for doc in singles:
        model.predict([doc])
    elapsed = time.perf_counter() - start
    rows.append(("tag, one at a time", f"{len(singles)} articles", f"{1000 * elapsed / len(singles):.1f} ms/article", "(crawl pipeline)"))

    start = time.perf_counter()
    model.explain(*docs[0])
    rows.append(("explain one article", "", f"{1000 * (time.perf_counter() - start):.0f} ms", ""))

    if not args.skip_training:
        taxonomy = load_taxonomy()
        big = perturbed(records, args.train_size, rng)
        examples = read_examples()
        start = time.perf_counter()
        groups = event_groups(texts_of(big), [r.get("note") for r in big])
        grouping = time.perf_counter() - start
        start = time.perf_counter()
        fit_records(big, taxonomy, examples, groups)
        fit = time.perf_counter() - start
        rows.append((f"train on {len(big):,} articles", f"final fit (no CV), + {len(examples)} written examples", f"{fit:.1f} s", "< 60 s"))
        rows.append(("  event grouping for CV", f"{len(big):,} articles", f"{grouping:.1f} s", ""))

    width = [max(len(str(r[i])) for r in rows + [("what", "input", "result", "target")]) for i in range(4)]
    print(f"model {model.version}, one core")
    for row in [("what", "input", "result", "target"), *rows]:
        print("  ".join(str(cell).ljust(w) for cell, w in zip(row, width)))


if __name__ == "__main__":
    main()
