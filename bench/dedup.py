"""Story identity: copy-detection quality on labelled pairs, and the cost of assigning a story.

Quality: every text of ../shared/bench/extraction (ground truth) and ../shared/data/realnews-train
is indexed; copies made by realistic edits (new headline, byline, outlet boilerplate, a paragraph
cut or moved, the end trimmed, quote/dash/space changes, combinations) must find their original,
and non-copies (different articles sharing a label and language, or a site and its boilerplate,
and the most similar pairs in the data) must find nothing. Speed: a SQLite file with N stored
articles (synthetic signatures), the rebuild at start and the real ``StoryIndex.assign`` path.

    .venv/bin/python bench/dedup.py [--store 100000] [--grid] [--seed 7]
"""
from __future__ import annotations

import argparse
import hashlib
import itertools
import json
import random
import re
import os
import statistics
import sys
import tempfile
import time
from dataclasses import replace
from datetime import datetime, timedelta
from pathlib import Path
from urllib.parse import urlsplit

import numpy as np

ROOT = Path(__file__).resolve().parents[1]
sys.path.insert(0, str(ROOT))

from newsmon.dedup import CopyIndex, DedupSettings, Signature, Signer, shingles  # noqa: E402
from newsmon.urls import canonical_url  # noqa: E402

SHARED = ROOT.parent / "shared"
BOILERPLATE = [
    ("Skip to main content Home World Politics Business Technology Science Opinion Video "
     "Sign in Subscribe Advertisement", "Share this article on Facebook Twitter LinkedIn WhatsApp Email. "
     "Read more: Latest news on technology policy. Sign up for our daily newsletter and get the top "
     "stories in your inbox every morning. © 2026 The Daily Observer. All rights reserved. Terms of use "
     "Privacy policy Cookie settings Contact us About us Careers"),
    ("Menu Search Live TV Español Newsletters Most read", "Related coverage: Who regulates AI? "
     "What the new rules mean for you. This article was produced by the newsroom; our journalists "
     "follow the trust principles. Reporting by staff correspondents; editing by the world desk. "
     "Our standards. Copyright 2026 Wire Service. This material may not be published, broadcast, "
     "rewritten or redistributed."),
    ("Accueil International Politique Économie Tech Culture S'abonner Se connecter",
     "Partager cet article. À lire aussi : nos dernières analyses. Vous avez aimé cet article ? "
     "Abonnez-vous à notre lettre d'information. Tous droits réservés. Mentions légales."),
]
BYLINES = ["By Jane Doe and Ahmed Karimi, Reuters", "GENEVA (AP) —", "Staff Writer | Updated 2 hours ago",
           "Por la redacción / EFE", "Xinhua | Beijing"]
TRACKING = "?utm_source=twitter&utm_medium=social&utm_campaign=ai&fbclid=IwAR0xyz"


# ---------------------------------------------------------------- data and edits

def load_texts() -> list[dict]:
    truth = json.loads((SHARED / "bench/extraction/ground-truth.json").read_text(encoding="utf-8"))
    texts = [{"id": f"gt-{k}", "text": v["articleBody"], "url": v["url"], "lang": None, "topics": [],
              "site": urlsplit(v["url"]).netloc} for k, v in sorted(truth.items())]
    with (SHARED / "data/realnews-train.jsonl").open(encoding="utf-8") as fh:
        for line in fh:
            r = json.loads(line)
            texts.append({"id": r["id"], "text": r["text"], "url": r["url"], "lang": r["lang"],
                          "topics": r["topics"], "note": r["note"], "site": urlsplit(r["url"]).netloc})
    return texts


def paragraphs(text: str) -> list[str]:
    """Paragraphs, or groups of about a sixth of the sentences when paragraphs are few or long,
    so that cutting one removes at most about a fifth of the text, as an editor trimming would."""
    paras = [p for p in re.split(r"\n\s*\n|\n", text) if p.strip()]
    if len(paras) >= 5 and max(len(p) for p in paras) <= 0.25 * len(text):
        return paras
    sentences = [s for s in re.split(r"(?<=[.!?;。！？；])\s*|\n+", text) if s and s.strip()]
    size = max(1, len(sentences) // 6)
    return [" ".join(sentences[i : i + size]) for i in range(0, len(sentences), size)]


def edit_headline(text, rng):
    words = text.split()[:12]
    rng.shuffle(words)
    return "UPDATE 2-" + " ".join(words[:9]).title() + "\n" + text


def edit_byline(text, rng):
    return rng.choice(BYLINES) + "\n" + text


def edit_boilerplate(text, rng):
    head, foot = rng.choice(BOILERPLATE)
    return head + "\n" + text + "\n" + foot


def edit_cut_paragraph(text, rng):
    paras = paragraphs(text)
    if len(paras) >= 4:
        del paras[rng.randrange(1, len(paras))]
    return "\n\n".join(paras)


def edit_reorder(text, rng):
    paras = paragraphs(text)
    if len(paras) > 2:
        i, j = rng.sample(range(len(paras)), 2)
        paras[i], paras[j] = paras[j], paras[i]
    return "\n\n".join(paras)


def edit_trim_end(text, rng):
    paras = paragraphs(text)
    if len(paras) < 4:
        return text
    return "\n\n".join(paras[: round(len(paras) * rng.uniform(0.7, 0.85))])


def edit_typography(text, rng):
    text = re.sub(r'"([^"]*)"', "\u201c\\1\u201d", text).replace("'", "\u2019").replace(" - ", " \u2014 ")
    text = text.replace(". ", ".  ").replace(",", ",\u00a0", 3)
    return text.replace("\n", "\n\n") if rng.random() < 0.5 else " ".join(text.split())


EDITS = {
    "headline": [edit_headline], "byline": [edit_byline], "boilerplate": [edit_boilerplate],
    "cut paragraph": [edit_cut_paragraph], "reorder": [edit_reorder], "trim end": [edit_trim_end],
    "typography": [edit_typography],
    "headline+byline+boilerplate": [edit_headline, edit_byline, edit_boilerplate],
    "cut+typography+boilerplate": [edit_cut_paragraph, edit_typography, edit_boilerplate],
    "headline+cut+reorder": [edit_headline, edit_cut_paragraph, edit_reorder],
    "trim end+boilerplate": [edit_trim_end, edit_boilerplate],
}


def make_copies(texts: list[dict], rng: random.Random) -> list[tuple[int, str, str]]:
    """(index of original, edit kind, edited text): every text under every edit."""
    out = []
    for i, t in enumerate(texts):
        for kind, steps in EDITS.items():
            text = t["text"]
            for step in steps:
                text = step(text, rng)
            out.append((i, kind, text))
    return out


def make_non_copies(texts: list[dict], rng: random.Random, signer: Signer) -> list[tuple[str, int, str]]:
    """(kind, index of the indexed text, query text) pairs that are different articles."""
    pairs: set[tuple[str, int, int]] = set()
    groups: dict[tuple, list[int]] = {}
    for i, t in enumerate(texts):
        for label in t["topics"] or ["none"]:
            groups.setdefault(("topic", t["lang"], label), []).append(i)
        groups.setdefault(("site", t["site"]), []).append(i)
    for key, members in groups.items():
        for a, b in itertools.combinations(members, 2):
            pairs.add((f"same {key[0]}", a, b))
    # The most similar different texts in the data (by exact shingle Jaccard).
    sets = [shingles(t["text"], signer.settings) for t in texts]
    scored = []
    for a, b in itertools.combinations(range(len(texts)), 2):
        inter = len(sets[a] & sets[b])
        if inter:
            scored.append((inter / len(sets[a] | sets[b]), a, b))
    for _j, a, b in sorted(scored, reverse=True)[:300]:
        pairs.add(("most similar", a, b))
    out = [(kind, a, texts[b]["text"]) for kind, a, b in sorted(pairs)]
    # Two different articles wearing the same outlet's boilerplate.
    topical = [(a, b) for kind, a, b in sorted(pairs) if kind == "same topic"]
    for a, b in rng.sample(topical, min(1500, len(topical))):
        head, foot = rng.choice(BOILERPLATE)
        out.append(("same boilerplate", a, head + "\n" + texts[b]["text"] + "\n" + foot))
    # A follow-up that reuses background from an earlier article: a different article, as long as
    # the reused part is at most 40% of the earlier text and a third of the follow-up (beyond that
    # it is an updated version of the earlier article, which belongs to its story).
    for a, b in rng.sample(topical, min(1500, len(topical))):
        units, new_words = paragraphs(texts[a]["text"]), len(texts[b]["text"].split())
        budget = min(0.4 * len(texts[a]["text"].split()), 0.5 * new_words)
        background = []
        for unit in units:
            if len(" ".join(background + [unit]).split()) > budget:
                break
            background.append(unit)
        if background:
            out.append(("follow-up reusing background", a, texts[b]["text"] + "\n\n" + " ".join(background)))
    return out, {(a, b) for _k, a, b in pairs}


# ---------------------------------------------------------------- quality

def sign_all(shingle: int, texts, copies, non_copies) -> tuple[list, list, list]:
    signer = Signer(DedupSettings(shingle=shingle))
    return ([signer.sign(t["text"]) for t in texts], [signer.sign(text) for _i, _k, text in copies],
            [signer.sign(text) for _k, _i, text in non_copies])


def evaluate(settings: DedupSettings, signed, copies, non_copies, texts=None) -> dict:
    """Index every original; each copy must find its original, each non-copy must not find its pair."""
    originals, copy_sigs, non_sigs = signed
    index = CopyIndex(settings)
    for i, signature in enumerate(originals):
        index.add(i, i, signature)
    per_kind: dict[str, list[bool]] = {}
    tp = fn = fp = 0
    for (original, kind, _text), signature in zip(copies, copy_sigs):
        found = [m.key for m in index.matches(signature)]
        ok = original in found
        per_kind.setdefault(kind, []).append(ok)
        tp, fn = tp + ok, fn + (not ok)
        fp += sum(1 for k in found if k != original)  # a copy taken for another article
    false_pairs = []
    for (kind, indexed, _text), signature in zip(non_copies, non_sigs):
        hit = [m for m in index.matches(signature) if m.key == indexed]
        if hit:
            fp += 1
            false_pairs.append((kind, indexed, hit[0]))
    for kind, indexed, m in false_pairs[:10] if texts else []:
        print(f"  false copy ({kind}): {texts[indexed]['id']} J={m.jaccard:.2f} C={m.containment:.2f}")
    return {"tp": tp, "fn": fn, "fp": fp, "precision": tp / max(1, tp + fp), "recall": tp / max(1, tp + fn),
            "per_kind": {k: sum(v) / len(v) for k, v in per_kind.items()}}


def quality(args) -> None:
    rng = random.Random(args.seed)
    texts = load_texts()
    defaults = DedupSettings()
    copies = make_copies(texts, rng)
    non_copies, _ = make_non_copies(texts, rng, Signer(defaults))
    kinds: dict[str, int] = {}
    for kind, _a, _t in non_copies:
        kinds[kind] = kinds.get(kind, 0) + 1
    print(f"{len(texts)} texts ({len(texts) - 181} realnews excerpts, 181 extraction ground truths); "
          f"{len(copies)} copy pairs;\n{len(non_copies)} non-copy pairs: "
          + ", ".join(f"{k} {v}" for k, v in sorted(kinds.items())))
    signed = {defaults.shingle: sign_all(defaults.shingle, texts, copies, non_copies)}
    result = evaluate(defaults, signed[defaults.shingle], copies, non_copies, texts)
    print(f"\n{'edit (defaults)':<30} {'recall':>7}")
    for kind, r in result["per_kind"].items():
        print(f"{kind:<30} {r:>7.3f}")
    urls_ok = sum(canonical_url(t["url"]) == canonical_url(t["url"] + ("&" if "?" in t["url"] else "?")
                  + TRACKING[1:]) for t in texts)
    print(f"{'tracking parameters in URL':<30} {urls_ok / len(texts):>7.3f}  (same canonical URL, so same article)")

    reuse_sweep(texts, random.Random(args.seed + 1), signed[defaults.shingle][0], defaults)

    grid = [defaults]
    if args.grid:
        variants = [dict(lsh_bands=8), dict(lsh_bands=16), dict(lsh_bands=20, lsh_rows=4), dict(lsh_bands=32, lsh_rows=4),
                    dict(min_jaccard=0.3), dict(min_jaccard=0.5), dict(min_containment=0.7),
                    dict(min_containment=0.9), dict(min_containment=1.01), dict(shingle=3), dict(shingle=4),
                    dict(shingle=7)]
        grid += [replace(defaults, **v) for v in variants]
    print(f"\n{'bands':>5} {'rows':>4} {'jacc':>5} {'cont':>5} {'k':>3} {'TP':>6} {'FN':>5} {'FP':>4} "
          f"{'precision':>9} {'recall':>7}")
    for s in grid:
        if s.shingle not in signed:
            signed[s.shingle] = sign_all(s.shingle, texts, copies, non_copies)
        r = result if s is defaults else evaluate(s, signed[s.shingle], copies, non_copies)
        print(f"{s.lsh_bands:>5} {s.lsh_rows:>4} {s.min_jaccard:>5} {s.min_containment:>5} {s.shingle:>3} "
              f"{r['tp']:>6} {r['fn']:>5} {r['fp']:>4} {r['precision']:>9.4f} {r['recall']:>7.4f}"
              + ("  <- defaults" if s is defaults else ""))


def reuse_sweep(texts, rng, originals, settings: DedupSettings) -> None:
    """Where the decision flips: a new text made of another article B plus a growing share of an
    earlier article A, compared with A. Past about half, it is an updated version of A."""
    signer, index = Signer(settings), CopyIndex(settings)
    for i, signature in enumerate(originals):
        index.add(i, i, signature)
    long_enough = [i for i, t in enumerate(texts) if len(t["text"].split()) >= 150]
    pairs = [tuple(rng.sample(long_enough, 2)) for _ in range(1000)]
    print(f"\n{'share of the new text taken from A':<36} {'pairs':>6} {'judged a copy of A':>18}")
    for share in (0.2, 0.35, 0.5, 0.65, 0.8):
        flagged = tried = 0
        for a, b in pairs:
            words_a, words_b = texts[a]["text"].split(), texts[b]["text"].split()
            taken = round(share / (1 - share) * len(words_b))
            if taken > 0.6 * len(words_a):  # A would be (almost) wholly inside: a copy by containment
                continue
            text = " ".join(words_b) + "\n\n" + " ".join(words_a[:taken])
            tried += 1
            flagged += any(m.key == a for m in index.matches(signer.sign(text)))
        print(f"{share:<36} {tried:>6} {flagged / max(1, tried):>18.3f}")


# ---------------------------------------------------------------- speed

def speed(args) -> None:
    from sqlalchemy import insert

    from storage.db import open_database
    from storage.models import Article, ArticleSignature, Story
    from storage.storyindex import StoryIndex

    settings = DedupSettings()
    texts = load_texts()
    rng = np.random.default_rng(args.seed)
    with tempfile.TemporaryDirectory() as tmp:
        factory = open_database(f"sqlite:///{tmp}/bench.db")
        t0 = datetime(2026, 6, 1)  # every stored article inside the matching window: the worst case
        started = time.perf_counter()
        with factory() as s:
            for start in range(0, args.store, 10_000):
                ids = range(start + 1, min(args.store, start + 10_000) + 1)
                s.execute(insert(Story), [{"id": i, "first_seen": t0, "last_seen": t0} for i in ids])
                s.execute(insert(Article), [
                    {"id": i, "url": f"https://example.org/{i}", "fetched_url": f"https://example.org/{i}",
                     "source": f"site{i % 300}", "title": f"Article {i}", "text": f"synthetic article {i}",
                     "content_hash": f"{i:064x}", "first_seen": t0, "updated": t0, "story_id": i} for i in ids])
                sizes = rng.integers(200, 1500, len(ids))
                values = rng.integers(0, 2**32 // 300, (len(ids), settings.num_perm), dtype=np.uint32)
                s.execute(insert(ArticleSignature), [
                    {"article_id": i, "signature": Signature(values[k], int(sizes[k])).to_bytes()}
                    for k, i in enumerate(ids)])
            s.commit()
        print(f"store: {args.store} articles with signatures written in {time.perf_counter() - started:.1f} s")

        with factory() as s:
            rss_before = rss_mb()
            started, cpu = time.perf_counter(), time.process_time()
            index = StoryIndex.load(s, settings, now=t0 + timedelta(days=1), freeze_gc=True)
            load_wall, load_cpu = time.perf_counter() - started, time.process_time() - cpu
            index_mb = rss_mb() - rss_before
            walls, cpus, joined, stories = [], [], 0, []
            new = texts[:200]
            for n, t in enumerate(new + [{"text": "Breaking: " + t["text"] + "\nShare this article."} for t in new]):
                text = t["text"]
                now = t0 + timedelta(days=1, seconds=n)
                article = Article(url=f"https://new.example/{n}", fetched_url=f"https://new.example/{n}",
                                  source=f"new{n % 2}", title="x", text=text,
                                  content_hash=hashlib.sha256(text.encode()).hexdigest(), first_seen=now, updated=now)
                s.add(article)
                s.flush()
                started, cpu = time.perf_counter(), time.process_time()
                story = index.assign(s, article)
                walls.append(time.perf_counter() - started)
                cpus.append(time.process_time() - cpu)
                stories.append(story)
                joined += n >= len(new) and story == stories[n - len(new)]
                if n % 50 == 49:
                    s.commit()
            s.commit()
        factory.kw["bind"].dispose()
        wall, cpu = sorted(x * 1000 for x in walls), sorted(x * 1000 for x in cpus)
        print(f"machine load average {os.getloadavg()[0]:.1f} on {os.cpu_count()} cores: wall time includes waiting "
              f"for a core, CPU time does not")
        print(f"\n{'measure':<44} {'wall':>9} {'CPU':>9}")
        print(f"{'rebuild StoryIndex.load (' + str(args.store) + ' signatures)':<44} {load_wall:>7.2f} s {load_cpu:>7.2f} s")
        for label, q in (("assign: median", 0.5), ("assign: 95th percentile", 0.95)):
            print(f"{label:<44} {wall[int(len(wall) * q)]:>6.2f} ms {cpu[int(len(cpu) * q)]:>6.2f} ms")
        print(f"{'assign: mean':<44} {statistics.mean(wall):>6.2f} ms {statistics.mean(cpu):>6.2f} ms")
        print(f"{'memory of the index (RSS growth on load)':<44} {index_mb:>6.0f} MB")
        print(f"{'copies that joined their original story':<44} {joined:>5}/{len(new)}")


def rss_mb() -> float:
    with open("/proc/self/statm") as fh:
        return int(fh.read().split()[1]) * os.sysconf("SC_PAGE_SIZE") / 2**20


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--store", type=int, default=100_000, help="stored articles for the speed test")
    parser.add_argument("--seed", type=int, default=7)
    parser.add_argument("--grid", action="store_true", help="also try other thresholds")
    parser.add_argument("--skip-speed", action="store_true")
    parser.add_argument("--skip-quality", action="store_true")
    args = parser.parse_args()
    if not args.skip_quality:
        quality(args)
    if not args.skip_speed:
        print()
        speed(args)


if __name__ == "__main__":
    main()
