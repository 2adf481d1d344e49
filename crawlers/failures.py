"""Name why a request failed: Scrapy's and Twisted's exceptions mapped to :class:`newsmon.reasons.Reason`.

Kept out of the spider so the table of exceptions has one home, and so components that see a
failure (the spider's errback, tests) name it the same way.
"""
from __future__ import annotations

from scrapy.exceptions import (
    CannotResolveHostError,
    DownloadCancelledError,
    DownloadConnectionRefusedError,
    DownloadTimeoutError,
    IgnoreRequest,
    ResponseDataLossError,
)
from scrapy.spidermiddlewares.httperror import HttpError
from twisted.internet.defer import CancelledError
from twisted.internet.error import (
    ConnectionDone,
    ConnectionLost,
    ConnectionRefusedError,
    DNSLookupError,
    TCPTimedOutError,
    TimeoutError,
)
from twisted.python.failure import Failure
from twisted.web._newclient import ResponseFailed, ResponseNeverReceived

from newsmon.reasons import Reason, http_reason

# Checked in order: the first row whose exceptions match names the failure.
FAILURE_KINDS: tuple[tuple[tuple[type[BaseException], ...], Reason], ...] = (
    ((DNSLookupError, CannotResolveHostError), Reason.DNS),
    ((TimeoutError, TCPTimedOutError, DownloadTimeoutError), Reason.TIMEOUT),
    ((ConnectionRefusedError, DownloadConnectionRefusedError), Reason.CONNECTION_REFUSED),
    # Scrapy cancels a download only when it passes DOWNLOAD_MAXSIZE.
    ((DownloadCancelledError, CancelledError), Reason.TOO_LARGE),
    ((ResponseDataLossError,), Reason.TRUNCATED),
    ((ConnectionDone, ConnectionLost, ResponseFailed, ResponseNeverReceived), Reason.CONNECTION_LOST),
)


def error_kind(failure: Failure) -> str:
    """A short, stable name for why a request failed, used in stats and `newsmon status`."""
    if failure.check(HttpError):
        return http_reason(failure.value.response.status)
    for exceptions, kind in FAILURE_KINDS:
        if failure.check(*exceptions):
            return kind
    if failure.check(IgnoreRequest):
        message = str(failure.value)
        if "robots.txt" in message:
            return Reason.ROBOTS
        if "redirect" in message:
            return Reason.REDIRECT_LOOP
        if "DOWNLOAD_MAXSIZE" in message:  # a gzip bomb: its decompressed body passed the cap
            return Reason.TOO_LARGE
        return Reason.IGNORED
    return type(failure.value).__name__.lower()


def failure_status(failure: Failure) -> int | None:
    """The HTTP status of a failed request, when the server answered at all."""
    response = getattr(failure.value, "response", None)
    return getattr(response, "status", None)
