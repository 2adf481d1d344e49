"""Canonical URLs: one article, one key, whatever tracking parameters or fragments a link carries."""
from __future__ import annotations

import re
from urllib.parse import urlsplit

from courlan import normalize_url
from w3lib.url import canonicalize_url, url_query_cleaner

# Parameters that say where a reader came from, never which page it is.
TRACKING_PARAMETER = re.compile(
    r"^(utm_\w+|fbclid|gclid|dclid|gbraid|wbraid|msclkid|mc_cid|mc_eid|igshid|yclid|_ga|_gl|"
    r"ocid|cmpid|ncid|sr_share|at_medium|at_campaign|at_custom\d|xtor|ref_src|ref|share|"
    r"taid|s_cid|smid|mbid|ito|CMP|__twitter_impression)$",
    re.IGNORECASE,
)


def canonical_url(url: str) -> str:
    """Normalise ``url`` (scheme/host case, default port, sorted query, no fragment or tracking)."""
    url = url.strip()
    parts = urlsplit(url)
    if parts.query:
        keep = [name for name in _query_names(parts.query) if not TRACKING_PARAMETER.match(name)]
        url = url_query_cleaner(url, keep, keep_fragments=False)
    try:
        url = normalize_url(url)
    except ValueError:
        pass
    return canonicalize_url(url, keep_fragments=False)


def _query_names(query: str) -> list[str]:
    return [pair.split("=", 1)[0] for pair in query.split("&") if pair]


def is_http_url(url: str) -> bool:
    parts = urlsplit(url)
    return parts.scheme in ("http", "https") and bool(parts.netloc)
