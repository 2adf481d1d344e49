"""HTTP outside the crawl (``newsmon extract URL``, webhook digests) goes through httpx; this says
in a person's words why a request failed.
"""
from __future__ import annotations


def failure_reason(exc: BaseException) -> str:
    """The operating system's words when there are some ("Connection refused"), else httpx's.

    Never the URL: a webhook's URL is a secret, and the caller names what it was fetching.
    """
    cause: BaseException | None = exc
    while cause is not None:
        if isinstance(cause, OSError) and cause.strerror:
            return cause.strerror
        cause = cause.__cause__ or cause.__context__
    return str(exc) or type(exc).__name__
