"""Line numbers for TOML files that people edit (sources, subscriptions).

``tomllib`` parses a whole document and says nothing about where a table or key was written, so a
message such as "sources.toml:42: unknown kind 'blog'" needs the text itself: the file is cut at
its table headers, each piece remembers its first line, and a key is found inside its piece.
"""
from __future__ import annotations

import re
import tomllib
from collections.abc import Iterator
from dataclasses import dataclass

ANY_HEADER = re.compile(r"^\s*\[")  # a table header, ``[x]`` or ``[[x]]``
_AT_LINE = re.compile(r"\s*\(at line (\d+), column \d+\)$")


@dataclass(frozen=True)
class Section:
    """The lines from one header up to the next (the first section: those before any header)."""

    line: int  # number of its first line in the file, counting from 1
    lines: tuple[str, ...]

    @property
    def header(self) -> str:
        """The header line as written, stripped; "" for the lines before the first header."""
        return self.lines[0].strip() if self.lines and ANY_HEADER.match(self.lines[0]) else ""

    @property
    def text(self) -> str:
        return "\n".join(self.lines)

    def numbered(self) -> Iterator[tuple[int, str]]:
        """(line number in the file, text) of each line."""
        return enumerate(self.lines, start=self.line)

    def key_line(self, key: str) -> int:
        """The line where ``key = ...`` is set in this section, else the section's first line."""
        pattern = re.compile(rf"^\s*{re.escape(key)}\s*=")
        return next((number for number, text in self.numbered() if pattern.match(text)), self.line)


def sections(text: str, header: re.Pattern[str] = ANY_HEADER) -> list[Section]:
    """``text`` cut before each line that ``header`` matches; the first section holds what precedes
    the first header (it may be empty), so the sections after it are the tables, in order."""
    cuts: list[tuple[int, list[str]]] = [(1, [])]
    for number, line in enumerate(text.splitlines(), start=1):
        if header.match(line):
            cuts.append((number, []))
        cuts[-1][1].append(line)
    return [Section(line, tuple(lines)) for line, lines in cuts]


def decode_error(exc: tomllib.TOMLDecodeError) -> tuple[str, int | None]:
    """(message without its position, line number) of a TOML syntax error.

    Python 3.14 gives ``exc.lineno``; before it the message ends "(at line L, column C)".
    """
    found = _AT_LINE.search(str(exc))
    line = getattr(exc, "lineno", None) or (int(found.group(1)) if found else None)
    message = getattr(exc, "msg", None) or (str(exc)[: found.start()] if found else str(exc))
    return message.strip(), line
