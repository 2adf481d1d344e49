"""Terminal tables for the CLI, laid out by rich: the commands say what the columns are, not how to pad.

rich measures cells in terminal columns, so a Chinese or Japanese title (two columns a character)
keeps the columns after it aligned, and clips an over-long cell with "…" at its column's width.
Every cell is scraped or stored text: it is made terminal-safe first (one line, no escape
sequences) and handed to rich as plain ``Text``, so "[bold]" or ":warning:" in a headline prints
as written instead of being read as rich markup or an emoji code.
"""
from __future__ import annotations

import io
from collections.abc import Iterable, Sequence
from dataclasses import dataclass

from rich.console import Console
from rich.table import Table
from rich.text import Text

from newsmon.clean import terminal_safe

GAP = 2  # spaces between columns
TITLE_WIDTH = 60  # terminal columns of a headline in every table; longer ones end in "…"
_WIDE_ENOUGH = 100_000  # the console's width: rows are never wrapped to a terminal, only cells clipped


@dataclass(frozen=True)
class Column:
    header: str
    max_width: int | None = None  # terminal columns; a longer cell is clipped and ends in "…"
    right: bool = False  # right-aligned (counts)


def render_table(columns: Sequence[Column], rows: Iterable[Sequence[str | None]]) -> str:
    """The rows under a header line, columns ``GAP`` spaces apart, no borders, no trailing spaces."""
    table = Table(box=None, show_edge=False, pad_edge=False, padding=(0, GAP // 2), header_style="")
    for column in columns:
        table.add_column(column.header, max_width=column.max_width, no_wrap=True, overflow="ellipsis",
                         justify="right" if column.right else "left")
    for row in rows:
        table.add_row(*(Text(terminal_safe(cell)) for cell in row))
    console = Console(file=io.StringIO(), width=_WIDE_ENOUGH, color_system=None, force_terminal=False,
                      markup=False, emoji=False, highlight=False, legacy_windows=False)
    console.print(table)
    return "\n".join(line.rstrip() for line in console.file.getvalue().splitlines())


def clip(text: str, width: int) -> str:
    """``text`` cut to ``width`` terminal columns, ending in "…" when it was longer."""
    cell = Text(terminal_safe(text))
    cell.truncate(width, overflow="ellipsis")
    return cell.plain
