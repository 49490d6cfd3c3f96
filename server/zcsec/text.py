"""Positions in text: offsets (Python string indexes) and LSP-style positions.

Every parser in zcsec records *offsets* into the decoded text.  A
:class:`LineIndex` turns an offset into a 0-based ``(line, character)`` pair
where ``character`` counts UTF-16 code units, as the Language Server Protocol
requires, and back again.  Lines end at ``\\r\\n``, ``\\r`` or ``\\n``.
"""

from __future__ import annotations

import re
from bisect import bisect_left, bisect_right
from dataclasses import dataclass

# A stretch of text as (start, end) offsets, end excluded: what every parser
# records and every rule reports.
Span = tuple[int, int]

_NEWLINE = re.compile(r"\r\n|\r|\n")
_ASTRAL = re.compile("[\U00010000-\U0010FFFF]")


@dataclass(frozen=True, slots=True)
class Position:
    line: int
    character: int

    def to_json(self) -> dict:
        return {"line": self.line, "character": self.character}


@dataclass(frozen=True, slots=True)
class Range:
    start: Position
    end: Position

    def to_json(self) -> dict:
        return {"start": self.start.to_json(), "end": self.end.to_json()}


class LineIndex:
    """Maps offsets in ``text`` to LSP positions and back."""

    __slots__ = ("text", "starts", "ends", "astral")

    def __init__(self, text: str) -> None:
        self.text = text
        starts = [0]
        ends = []
        for m in _NEWLINE.finditer(text):
            ends.append(m.start())
            starts.append(m.end())
        ends.append(len(text))
        self.starts = starts
        self.ends = ends  # offset of the line terminator (or end of text)
        # Offsets of the characters that take two UTF-16 code units: with
        # them, a position costs a binary search, not a scan of its line
        # (quadratic for many findings on one very long line).
        self.astral = [] if text.isascii() else [m.start() for m in _ASTRAL.finditer(text)]

    @property
    def line_count(self) -> int:
        return len(self.starts)

    def line_of(self, offset: int) -> int:
        offset = max(0, min(offset, len(self.text)))
        return bisect_right(self.starts, offset) - 1

    def position(self, offset: int) -> Position:
        offset = max(0, min(offset, len(self.text)))
        line = bisect_right(self.starts, offset) - 1
        start = self.starts[line]
        # An offset inside a "\r\n" pair belongs to the end of the line.
        end = self.ends[line]
        if offset > end:
            offset = end
        astral = self.astral
        if not astral:
            return Position(line, offset - start)
        return Position(line, offset - start + bisect_left(astral, offset) - bisect_left(astral, start))

    def range(self, start: int, end: int) -> Range:
        return Range(self.position(start), self.position(max(start, end)))

    def line_text(self, line: int) -> str:
        if line < 0 or line >= len(self.starts):
            return ""
        return self.text[self.starts[line] : self.ends[line]]

    def offset(self, line: int, character: int) -> int:
        """The offset of an LSP position; positions past a line's end or the
        document's end are clamped, never an error."""
        if line < 0:
            return 0
        if line >= len(self.starts):
            return len(self.text)
        start, end = self.starts[line], self.ends[line]
        astral = self.astral
        if not astral or bisect_left(astral, start) == bisect_left(astral, end):
            return start + max(0, min(character, end - start))  # one code unit per character
        segment = self.text[start:end]
        units = 0
        for i, ch in enumerate(segment):
            if units >= character:
                return start + i
            units += 2 if ord(ch) > 0xFFFF else 1
        return end
