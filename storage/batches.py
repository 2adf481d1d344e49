"""Batches for queries: ``IN (...)`` lists short enough for every backend, declared once.

SQLite allows 32,766 bound parameters per statement (999 before 3.32) and PostgreSQL 65,535;
500 ids per list stays far below both and keeps each statement cheap to build. The slicing is
``itertools.batched`` (Python 3.12+), or the same function from more-itertools on Python 3.11.
"""
from __future__ import annotations

import sys
from collections.abc import Iterable, Iterator
from typing import TypeVar

if sys.version_info >= (3, 12):
    from itertools import batched
else:
    from more_itertools import batched

T = TypeVar("T")

IN_LIST_MAX = 500


def chunks(values: Iterable[T], size: int = IN_LIST_MAX) -> Iterator[tuple[T, ...]]:
    """``values`` in consecutive tuples of at most ``size``, in order (ValueError when ``size`` < 1)."""
    return batched(values, size)
