"""newsmon's own Scrapy signals: the spider says what went wrong; whoever keeps state listens.

Scrapy sends no signal when a request fails and its errback handles it, nor when a callback
finds an entry page unusable, so the spider sends these (``crawler.signals.send_catch_log``).
The fetch-state tracker (``crawlers.extensions.fetchstate``) listens; the spider never needs to
know whether it is enabled.
"""
from __future__ import annotations

# An article page that gave no item: its request failed, or its body was not a page.
# Arguments: url, source, reason (newsmon.reasons), status (int | None), entry (the entry page
# that listed it, or None), redirects (URLs it was redirected from).
page_failed = object()

# An entry page (feed, sitemap, listing) whose links were not all handled: it failed, or it was
# unusable. Arguments: url.
entry_failed = object()
