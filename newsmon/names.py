"""Names a user types that must exist, checked so a typo is an error rather than "nothing matches".

Articles store languages as ISO 639-1 codes (newsmon/extraction.py), so ``--lang french`` or
``languages = ["EN"]`` would match nothing forever; topics come from the taxonomy; sources from
what the database has seen.
"""
from __future__ import annotations

from collections.abc import Iterable

ISO_639_1 = frozenset("""
aa ab ae af ak am an ar as av ay az ba be bg bh bi bm bn bo br bs ca ce ch co cr cs cu cv cy da de
dv dz ee el en eo es et eu fa ff fi fj fo fr fy ga gd gl gn gu gv ha he hi ho hr ht hu hy hz ia id
ie ig ii ik io is it iu ja jv ka kg ki kj kk kl km kn ko kr ks ku kv kw ky la lb lg li ln lo lt lu
lv mg mh mi mk ml mn mr ms mt my na nb nd ne ng nl nn no nr nv ny oc oj om or os pa pi pl ps pt qu
rm rn ro ru rw sa sc sd se sg si sk sl sm sn so sq sr ss st su sv sw ta te tg th ti tk tl tn to tr
ts tt tw ty ug uk ur uz ve vi vo wa wo xh yi yo za zh zu
""".split())


def unknown_languages(codes: Iterable[str]) -> list[str]:
    """The codes that are not lower-case ISO 639-1 codes (the form articles are stored in)."""
    return [code for code in codes if code not in ISO_639_1]


def language_problem(codes: Iterable[str]) -> str | None:
    """A message naming the bad language codes, or None when all are valid."""
    bad = unknown_languages(codes)
    if not bad:
        return None
    return (f"unknown language {', '.join(repr(b) for b in bad)}: use two-letter ISO 639-1 codes "
            "in lower case, such as en, fr, es, zh")


def topic_problem(topics: Iterable[str]) -> str | None:
    """A message naming topics the taxonomy does not define (with the valid ones), or None."""
    from classifier.taxonomy import topic_names

    valid = topic_names()
    bad = [t for t in topics if t not in valid]
    if not bad:
        return None
    return f"unknown topic {', '.join(repr(b) for b in bad)}; topics: {', '.join(valid)}"


def source_problem(sources: Iterable[str], known: set[str]) -> str | None:
    """A message naming sources the database has never seen, or None (also when it has seen none)."""
    bad = [s for s in sources if s not in known]
    if not bad or not known:
        return None
    return f"unknown source {', '.join(repr(b) for b in bad)}; sources seen: {', '.join(sorted(known))}"
