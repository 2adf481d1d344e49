"""Batches for queries: ``IN (...)`` lists short enough for every backend, declared once.

SQLite allows 32,766 bound parameters per statement (999 before 3.32) and PostgreSQL 65,535;
500 ids per list stays far below both and keeps each statement cheap to build.
"""
from __future__ import annotations

from collections.abc import Iterator, Sequence
from typing import TypeVar

T = TypeVar("T")

IN_LIST_MAX = 500


def chunks(values: Sequence[T], size: int = IN_LIST_MAX) -> Iterator[Sequence[T]]:
    """``values`` in consecutive slices of at most ``size``, in order."""
    if size < 1:
        raise ValueError(f"chunk size must be positive, not {size}")
    for start in range(0, len(values), size):
        yield values[start:start + size]
