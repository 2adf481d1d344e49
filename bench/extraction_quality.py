"""Extraction quality and speed: newsmon's extractor against trafilatura on the shared benchmark.

Runs every extractor over the 181 pages of ../shared/bench/extraction in one process pinned to
one core, and prints shingle F1/P/R (bench/scoring.py) and pages/s, on all pages and on the two
halves by id parity (even ids were used for tuning, odd ids are held out).

    .venv/bin/python bench/extraction_quality.py [--data DIR] [--limit N] [--save DIR]
"""
from __future__ import annotations

import argparse
import gzip
import json
import os
import sys
import time
from collections.abc import Callable
from pathlib import Path

ROOT = Path(__file__).resolve().parents[1]
sys.path.insert(0, str(ROOT))

from bench.scoring import Score, score_texts  # noqa: E402

DEFAULT_DATA = ROOT.parent / "shared" / "bench" / "extraction"


def load_pages(data: Path, limit: int | None = None) -> tuple[dict[str, str], dict[str, dict]]:
    truth = json.loads((data / "ground-truth.json").read_text(encoding="utf-8"))
    ids = sorted(truth)[:limit] if limit else sorted(truth)
    pages = {i: gzip.decompress((data / "html" / f"{i}.html.gz").read_bytes()).decode("utf-8") for i in ids}
    return pages, {i: truth[i] for i in ids}


def ours(html: str, url: str) -> str:
    from newsmon.errors import ExtractionError
    from newsmon.extraction import extract_article

    try:
        return extract_article(html, url).text
    except ExtractionError:
        return ""


def trafilatura_runner(**options) -> Callable[[str, str], str]:
    import trafilatura

    def run(html: str, url: str) -> str:
        doc = trafilatura.bare_extraction(
            html, url=url, include_comments=False, include_tables=True, **options
        )
        return (doc.text or "") if doc is not None else ""

    return run


EXTRACTORS: dict[str, Callable[[], Callable[[str, str], str]]] = {
    "newsmon (with metadata)": lambda: ours,
    "trafilatura defaults": lambda: trafilatura_runner(),
    "trafilatura defaults + metadata": lambda: trafilatura_runner(with_metadata=True),
    "trafilatura favor_precision": lambda: trafilatura_runner(favor_precision=True),
    "trafilatura fast=True": lambda: trafilatura_runner(fast=True),
}


def run_interleaved(
    runners: dict[str, Callable[[str, str], str]], pages: dict[str, str], truth: dict[str, dict]
) -> tuple[dict[str, dict[str, str]], dict[str, float]]:
    """Each page through every extractor in turn, so load from other processes hits all alike."""
    first = next(iter(pages))
    for fn in runners.values():
        fn(pages[first], truth[first]["url"])  # warm up lazy imports and caches
    texts: dict[str, dict[str, str]] = {name: {} for name in runners}
    seconds = dict.fromkeys(runners, 0.0)
    for page_id, html in pages.items():
        for name, fn in runners.items():
            start = time.perf_counter()
            texts[name][page_id] = fn(html, truth[page_id]["url"])
            seconds[name] += time.perf_counter() - start
    return texts, {name: len(pages) / s for name, s in seconds.items()}


def halves(ids: list[str]) -> dict[str, list[str]]:
    return {
        "all": ids,
        "even (tuning)": [i for i in ids if int(i, 16) % 2 == 0],
        "odd (held out)": [i for i in ids if int(i, 16) % 2 == 1],
    }


def main(argv: list[str] | None = None) -> None:
    parser = argparse.ArgumentParser(description=__doc__.split("\n")[0])
    parser.add_argument("--data", type=Path, default=DEFAULT_DATA)
    parser.add_argument("--limit", type=int, help="only the first N pages (by id)")
    parser.add_argument("--only", action="append", help="run only extractors whose name has this")
    parser.add_argument("--save", type=Path, help="write each extractor's texts as JSON here")
    args = parser.parse_args(argv)
    if hasattr(os, "sched_setaffinity"):
        os.sched_setaffinity(0, {min(os.sched_getaffinity(0))})  # one core, as the targets say
    pages, truth = load_pages(args.data, args.limit)
    ids = sorted(pages)
    groups = halves(ids)
    print(f"{len(ids)} pages from {args.data}, one core")
    header = f"{'extractor':34} {'set':15} {'pages':>5} {'F1':>6} {'P':>6} {'R':>6} {'pages/s':>8}"
    print(header)
    print("-" * len(header))
    runners = {
        name: factory()
        for name, factory in EXTRACTORS.items()
        if not args.only or any(o in name for o in args.only)
    }
    texts, rates = run_interleaved(runners, pages, truth)
    for name, out in texts.items():
        if args.save:
            args.save.mkdir(parents=True, exist_ok=True)
            slug = "".join(c if c.isalnum() else "_" for c in name)
            (args.save / f"{slug}.json").write_text(json.dumps(out, ensure_ascii=False))
        for label, subset in groups.items():
            s: Score = score_texts((truth[i]["articleBody"], out[i]) for i in subset)
            speed = f"{rates[name]:8.1f}" if label == "all" else ""
            print(f"{name:34} {label:15} {s.pages:5d} {s.f1:6.3f} {s.precision:6.3f} {s.recall:6.3f} {speed:>8}")
    reference = "trafilatura defaults + metadata"
    if reference in rates and "newsmon (with metadata)" in rates:
        ratio = rates["newsmon (with metadata)"] / rates[reference]
        print(f"\nnewsmon speed / {reference}: {ratio:.2f}x")


if __name__ == "__main__":
    main()
