"""Extraction quality and speed: newsmon's extractor against trafilatura alone, on two shared sets.

- ../shared/bench/extraction (181 pages with a hand-checked body): shingle F1/P/R of the body
  (bench/scoring.py) for newsmon and several trafilatura settings.
- ../shared/bench/metadata (934 pages from other extractors' test fixtures): headline and date
  accuracy as that set's own score.py defines them, and body F1 on its 25 pages with an expected
  body (newspaper4k's own output, which can hold furniture, and goose3's expected prefix: a weak
  signal, printed for information).

Every extractor runs in one process pinned to one core, page by page in turn, and pages/s is
over both sets. Each set is also split by id parity (even ids were used for tuning, odd ids are
held out) because scores on the data one tuned on overstate.

    .venv/bin/python bench/extraction_quality.py [--body-data DIR] [--meta-data DIR]
        [--limit N] [--only NAME] [--save DIR] [--misses N]
"""
from __future__ import annotations

import argparse
import gzip
import importlib.util
import json
import os
import sys
import time
from collections.abc import Callable
from dataclasses import dataclass
from pathlib import Path

ROOT = Path(__file__).resolve().parents[1]
sys.path.insert(0, str(ROOT))

from bench.scoring import score_texts  # noqa: E402

SHARED = ROOT.parent / "shared" / "bench"
DEFAULT_BODY_DATA = SHARED / "extraction"
DEFAULT_META_DATA = SHARED / "metadata"


@dataclass(frozen=True)
class Result:
    text: str = ""
    title: str | None = None
    date: str | None = None  # ISO 8601, as the extractor gives it


Runner = Callable[[str, str], Result]


def load_pages(data: Path, limit: int | None = None) -> tuple[dict[str, str], dict[str, dict]]:
    truth = json.loads((data / "ground-truth.json").read_text(encoding="utf-8"))
    ids = sorted(truth)[:limit] if limit else sorted(truth)
    pages = {i: gzip.decompress((data / "html" / f"{i}.html.gz").read_bytes()).decode("utf-8") for i in ids}
    return pages, {i: truth[i] for i in ids}


def ours(html: str, url: str) -> Result:
    """newsmon; a page dropped as a non-article still reports the metadata it read."""
    from newsmon.errors import ExtractionError
    from newsmon.extraction import extract_article

    try:
        art = extract_article(html, url or None)
    except ExtractionError as exc:
        meta = exc.metadata
        if meta is None:
            return Result()
        return Result("", meta.title, meta.published.isoformat() if meta.published else None)
    return Result(art.text, art.title, art.published.isoformat() if art.published else None)


def trafilatura_runner(**options) -> Runner:
    import trafilatura

    def run(html: str, url: str) -> Result:
        doc = trafilatura.bare_extraction(
            html, url=url or None, include_comments=False, include_tables=True, **options
        )
        if doc is None:
            return Result()
        return Result(doc.text or "", doc.title, doc.date)

    return run


NEWSMON = "newsmon (with metadata)"
REFERENCE = "trafilatura defaults + metadata"
EXTRACTORS: dict[str, Callable[[], Runner]] = {
    NEWSMON: lambda: ours,
    "trafilatura defaults": lambda: trafilatura_runner(),
    REFERENCE: lambda: trafilatura_runner(with_metadata=True),
    "trafilatura favor_precision": lambda: trafilatura_runner(favor_precision=True),
    "trafilatura fast=True": lambda: trafilatura_runner(fast=True),
}
WITH_METADATA = {NEWSMON, REFERENCE}


def timed(runners: dict, pages, truth, seconds: dict, pages_run: dict) -> dict:
    """Run ``runners`` over ``pages`` and add their time and page counts to the totals."""
    out, secs = run_interleaved(runners, pages, truth)
    for name in runners:
        seconds[name] += secs[name]
        pages_run[name] += len(pages)
    return out


def run_interleaved(
    runners: dict[str, Runner], pages: dict[str, str], truth: dict[str, dict]
) -> tuple[dict[str, dict[str, Result]], dict[str, float]]:
    """Each page through every extractor in turn, so load from other processes hits all alike.

    The order rotates from page to page: the first extractor to meet a new language pays for
    warming shared caches (dateparser compiles its regexes per locale on first use), and that
    must not always be the same one. Returns each extractor's results and seconds.
    """
    first = next(iter(pages))
    for fn in runners.values():
        fn(pages[first], truth[first].get("url", ""))  # warm up lazy imports and caches
    out: dict[str, dict[str, Result]] = {name: {} for name in runners}
    seconds = dict.fromkeys(runners, 0.0)
    names = list(runners)
    for index, (page_id, html) in enumerate(pages.items()):
        turn = index % len(names)
        for name in names[turn:] + names[:turn]:
            fn = runners[name]
            start = time.perf_counter()
            out[name][page_id] = fn(html, truth[page_id].get("url", ""))
            seconds[name] += time.perf_counter() - start
    return out, seconds


def halves(ids: list[str]) -> dict[str, list[str]]:
    return {
        "all": ids,
        "even (tuning)": [i for i in ids if int(i, 16) % 2 == 0],
        "odd (held out)": [i for i in ids if int(i, 16) % 2 == 1],
    }


def metadata_scorer(data: Path):
    """The metadata set's own score.py, loaded from its file (it is a script, not a package)."""
    spec = importlib.util.spec_from_file_location("metadata_score", data / "score.py")
    module = importlib.util.module_from_spec(spec)
    spec.loader.exec_module(module)
    return module


def accuracy(scorer, truth: dict[str, dict], results: dict[str, Result], ids: list[str], field: str) -> str:
    preds = {i: {"title": results[i].title, "date": results[i].date} for i in ids}
    rows = scorer.score({i: truth[i] for i in ids}, preds)
    correct, _given, n, _near = scorer.summary(rows, ids, field)
    return f"{correct / n:.3f} ({correct}/{n})" if n else "-"


def expected_body(record: dict) -> str | None:
    return record.get("articleBody") or record.get("articleBodyPrefix")


def body_f1(truth: dict[str, dict], results: dict[str, Result], ids: list[str]) -> str:
    pairs = []
    for i in ids:
        expected = expected_body(truth[i])
        if expected is None:
            continue
        got = results[i].text
        if "articleBodyPrefix" in truth[i] and not truth[i].get("articleBody"):
            got = got[: len(expected)]  # goose3's tests check only a prefix
        pairs.append((expected, got))
    return f"{score_texts(pairs).f1:.3f} ({len(pairs)})" if pairs else "-"


def save(directory: Path, name: str, set_name: str, results: dict[str, Result]) -> None:
    directory.mkdir(parents=True, exist_ok=True)
    slug = "".join(c if c.isalnum() else "_" for c in name)
    path = directory / f"{set_name}-{slug}.jsonl"
    with path.open("w", encoding="utf-8") as f:
        for page_id, r in results.items():
            f.write(json.dumps({"id": page_id, "title": r.title, "date": r.date, "text": r.text},
                               ensure_ascii=False) + "\n")


def main(argv: list[str] | None = None) -> None:
    parser = argparse.ArgumentParser(description=__doc__.split("\n")[0])
    parser.add_argument("--body-data", "--data", type=Path, default=DEFAULT_BODY_DATA)
    parser.add_argument("--meta-data", type=Path, default=DEFAULT_META_DATA)
    parser.add_argument("--limit", type=int, help="only the first N pages (by id) of each set")
    parser.add_argument("--only", action="append", help="run only extractors whose name has this")
    parser.add_argument("--save", type=Path, help="write each extractor's results as JSONL here")
    parser.add_argument("--misses", type=int, default=0, help="list up to N newsmon misses per field")
    parser.add_argument("--skip-body-set", action="store_true", help="only the metadata set")
    args = parser.parse_args(argv)
    if hasattr(os, "sched_setaffinity"):
        os.sched_setaffinity(0, {min(os.sched_getaffinity(0))})  # one core, as the targets say
    names = [n for n in EXTRACTORS if not args.only or any(o in n for o in args.only)]
    runners = {name: EXTRACTORS[name]() for name in names}
    seconds = dict.fromkeys(names, 0.0)
    pages_run = dict.fromkeys(names, 0)

    if not args.skip_body_set:
        pages, truth = load_pages(args.body_data, args.limit)
        out = timed(runners, pages, truth, seconds, pages_run)
        print(f"Body: {len(pages)} pages from {args.body_data}, shingle F1 / P / R")
        header = f"{'extractor':34} {'half':15} {'pages':>5} {'F1':>6} {'P':>6} {'R':>6}"
        print(header + "\n" + "-" * len(header))
        for name in names:
            if args.save:
                save(args.save, name, "body", out[name])
            for label, subset in halves(sorted(pages)).items():
                s = score_texts((truth[i]["articleBody"], out[name][i].text) for i in subset)
                print(f"{name:34} {label:15} {s.pages:5d} {s.f1:6.3f} {s.precision:6.3f} {s.recall:6.3f}")
        print()

    meta_names = [n for n in names if n in WITH_METADATA]
    if meta_names:
        pages, truth = load_pages(args.meta_data, args.limit)
        meta_runners = {name: runners[name] for name in meta_names}
        out = timed(meta_runners, pages, truth, seconds, pages_run)
        scorer = metadata_scorer(args.meta_data)
        print(f"Metadata: {len(pages)} pages from {args.meta_data} (its score.py)")
        header = f"{'extractor':34} {'half':15} {'headline':>16} {'date':>16} {'body F1 (n)':>12}"
        print(header + "\n" + "-" * len(header))
        for name in meta_names:
            if args.save:
                save(args.save, name, "metadata", out[name])
            for label, subset in halves(sorted(pages)).items():
                print(f"{name:34} {label:15} {accuracy(scorer, truth, out[name], subset, 'title'):>16} "
                      f"{accuracy(scorer, truth, out[name], subset, 'date'):>16} "
                      f"{body_f1(truth, out[name], subset):>12}")
        if args.misses and NEWSMON in out:
            print_misses(scorer, truth, out[NEWSMON], args.misses)
        print()

    print(f"{'extractor':34} {'pages/s (one core, both sets)':>30}")
    rates = {name: pages_run[name] / seconds[name] for name in names if seconds[name]}
    for name, rate in rates.items():
        print(f"{name:34} {rate:30.1f}")
    if REFERENCE in rates and NEWSMON in rates:
        print(f"\nnewsmon speed / {REFERENCE}: {rates[NEWSMON] / rates[REFERENCE]:.2f}x")


def print_misses(scorer, truth: dict[str, dict], results: dict[str, Result], limit: int) -> None:
    preds = {i: {"title": r.title, "date": r.date} for i, r in results.items()}
    rows = scorer.score(truth, preds)
    for field in ("title", "date"):
        misses = [(i, r[field]) for i, r in rows.items() if r[field] is not None and not r[field][2]]
        print(f"\nnewsmon {field} misses: {len(misses)} (showing {min(limit, len(misses))})")
        for page_id, (expected, got, _ok) in misses[:limit]:
            print(f"  {page_id[:10]} {truth[page_id]['source'][:70]}\n    expected {expected!r}\n    got      {got!r}")


if __name__ == "__main__":
    main()
