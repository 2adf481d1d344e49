"""The project's exceptions, each carrying the context a user needs to act (file, line, URL)."""
from __future__ import annotations


class NewsmonError(Exception):
    """Base class: a user-facing error with a message a person can act on."""


class ConfigError(NewsmonError):
    """A bad line in a sources or subscriptions file."""

    def __init__(self, message: str, path: str | None = None, line: int | None = None) -> None:
        self.path, self.line = path, line
        where = f"{path}:{line}: " if path and line else (f"{path}: " if path else "")
        super().__init__(f"{where}{message}")


class SubscriptionError(ConfigError):
    """A bad ``[[subscription]]`` entry; ``name`` is the subscription's name when it has one."""

    def __init__(self, message: str, path: str | None = None, line: int | None = None,
                 name: str | None = None) -> None:
        self.name = name
        super().__init__(message, path, line)


class ExtractionError(NewsmonError):
    """A page from which no article could be extracted; ``reason`` is a short stat-friendly slug.

    ``metadata`` is what the page said about itself (headline, dates...) when it was read before
    the page was rejected, so a dropped page can still be reported.
    """

    def __init__(self, reason: str, url: str | None = None, metadata: object | None = None) -> None:
        self.reason, self.url, self.metadata = reason, url, metadata
        super().__init__(f"{url or 'page'}: {reason}")


class DocumentError(NewsmonError):
    """An official document that cannot be read; ``reason`` is a short slug (encrypted, no-text-layer...)."""

    def __init__(self, reason: str, url: str | None = None, detail: str = "") -> None:
        self.reason, self.url, self.detail = reason, url, detail
        super().__init__(f"{url or 'document'}: {reason}" + (f" ({detail})" if detail else ""))


class DeliveryError(NewsmonError):
    """A digest that could not be delivered; nothing was recorded as sent."""

    def __init__(self, message: str, subscription: str | None = None) -> None:
        self.subscription = subscription
        super().__init__(f"{subscription}: {message}" if subscription else message)


class LabelError(NewsmonError):
    """A label name the taxonomy does not know; the message lists the valid ones."""

    def __init__(self, unknown: list[str], valid: list[str]) -> None:
        self.unknown, self.valid = unknown, valid
        super().__init__(f"unknown label(s) {', '.join(unknown)}; valid labels: {', '.join(valid)}")


class ModelError(NewsmonError):
    """A classifier model file that cannot be used (missing, corrupt, wrong scikit-learn version)."""

    def __init__(self, message: str, path: str | None = None) -> None:
        self.path = path
        super().__init__(f"{path}: {message}" if path else message)


class DatabaseError(NewsmonError):
    """A database that cannot be used as asked (bad URL, missing file, schema behind); ``url`` is masked."""

    def __init__(self, message: str, url: str | None = None) -> None:
        self.url = url
        super().__init__(f"database {url}: {message}" if url else f"database: {message}")
