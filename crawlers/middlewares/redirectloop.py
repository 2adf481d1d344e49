"""Report redirect loops as such: Scrapy's dupefilter would otherwise drop the looping request
silently (A -> B -> A is a duplicate of A), and the page would vanish without a log line."""
from __future__ import annotations

from scrapy import Request
from scrapy.exceptions import IgnoreRequest
from scrapy.http import Response
from w3lib.url import safe_url_string

from newsmon.urls import canonical_url

REDIRECTS = {301, 302, 303, 307, 308}


class RedirectLoopMiddleware:
    """Sits after RedirectMiddleware in response order (a higher number: sees responses first)."""

    def process_response(self, request: Request, response: Response, spider=None) -> Response:
        location = response.headers.get(b"Location")
        if response.status not in REDIRECTS or not location or request.meta.get("dont_redirect"):
            return response
        target = canonical_url(safe_url_string(response.urljoin(location.decode("latin-1"))))
        visited = [*request.meta.get("redirect_urls", []), request.url]
        if target in {canonical_url(url) for url in visited}:
            chain = " -> ".join([*visited, target])
            raise IgnoreRequest(f"redirect loop: {chain}")
        return response
