"""Batches for queries: ``IN (...)`` lists short enough for every backend, declared once.

SQLite allows 32,766 bound parameters per statement (999 before 3.32) and PostgreSQL 65,535;
500 ids per list stays far below both and keeps each statement cheap to build. The slicing is
``itertools.batched`` (Python 3.12+), or the same function from more-itertools on Python 3.11.
"""
from __future__ import annotations

import sys
from collections.abc import Iterable, Iterator, Sequence
from typing import TypeVar

from sqlalchemy import ARRAY, ColumnElement, any_, bindparam

if sys.version_info >= (3, 12):
    from itertools import batched
else:
    from more_itertools import batched

T = TypeVar("T")

IN_LIST_MAX = 500


def chunks(values: Iterable[T], size: int = IN_LIST_MAX) -> Iterator[tuple[T, ...]]:
    """``values`` in consecutive tuples of at most ``size``, in order (ValueError when ``size`` < 1)."""
    return batched(values, size)


def in_batches(dialect: str, column: ColumnElement, values: Sequence[T]) -> Iterator[ColumnElement[bool]]:
    """WHERE clauses that together select the rows whose ``column`` is one of ``values``.

    PostgreSQL: one ``= ANY(array)`` with a single parameter, however many values (psycopg spent
    longer building four 500-parameter statements than PostgreSQL took to run them). Elsewhere:
    an ``IN`` list per :func:`chunks`.
    """
    if not values:
        return
    if dialect == "postgresql":
        yield column == any_(bindparam(None, list(values), type_=ARRAY(column.type)))
        return
    for batch in chunks(values):
        yield column.in_(batch)
