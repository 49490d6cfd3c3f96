"""Positions in text: offsets (Python string indexes) and LSP-style positions.

Every parser in zcsec records *offsets* into the decoded text.  A
:class:`LineIndex` turns an offset into a 0-based ``(line, character)`` pair
where ``character`` counts UTF-16 code units, as the Language Server Protocol
requires, and back again.  Lines end at ``\\r\\n``, ``\\r`` or ``\\n``.
"""

from __future__ import annotations

import re
from bisect import bisect_left, bisect_right
from itertools import accumulate
from operator import add
from dataclasses import dataclass
from typing import Generic, TypeVar

U = TypeVar("U")

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


@dataclass(frozen=True, slots=True)
class TextChange:
    """``old[start:old_end]`` became ``new[start:new_end]``: text before
    ``start`` is the same, and text from ``old_end`` on moved by ``delta``."""

    start: int
    old_end: int
    new_end: int

    @property
    def delta(self) -> int:
        return self.new_end - self.old_end

    def moved(self, offset: int) -> int:
        """Where an offset outside the changed stretch is now."""
        return offset + self.new_end - self.old_end if offset >= self.old_end else offset


@dataclass(slots=True)
class Reparse(Generic[U]):
    """What an incremental re-parse did (xmlparse.reparse_xml,
    csdparse.reparse_csd): ``change`` is the stretch that was read again (the
    edit widened to whole units: children of the XML root, CSD commands),
    whose units were ``removed`` and replaced by ``added``.  Every unit
    after the stretch is the same object as before, moved by
    ``change.delta``."""

    change: TextChange
    removed: list[U]
    added: list[U]
    edit: TextChange | None = None  # the edit itself: the characters that differ


def _common_prefix(a: str, b: str, limit: int) -> int:
    """The length of the longest common prefix of ``a`` and ``b`` (at most
    ``limit``): compared in chunks that double, then halved, so that it
    costs a few comparisons of C speed, not a Python loop per character."""
    lo, step = 0, 64
    while lo < limit:
        hi = min(limit, lo + step)
        if a[lo:hi] != b[lo:hi]:
            while hi - lo > 1:
                mid = (lo + hi) // 2
                if a[lo:mid] == b[lo:mid]:
                    lo = mid
                else:
                    hi = mid
            return lo
        lo, step = hi, step * 2
    return limit


def _common_suffix(a: str, b: str, limit: int) -> int:
    """The length of the longest common suffix (at most ``limit``)."""
    na, nb = len(a), len(b)
    lo, step = 0, 64
    while lo < limit:
        hi = min(limit, lo + step)
        if a[na - hi : na - lo] != b[nb - hi : nb - lo]:
            while hi - lo > 1:
                mid = (lo + hi) // 2
                if a[na - mid : na - lo] == b[nb - mid : nb - lo]:
                    lo = mid
                else:
                    hi = mid
            return lo
        lo, step = hi, step * 2
    return limit


def text_change(old: str, new: str) -> TextChange | None:
    """The one stretch in which ``new`` differs from ``old`` (None when they
    are equal): the longest common prefix, then the longest common suffix of
    what is left."""
    if old is new or old == new:
        return None
    prefix = _common_prefix(old, new, min(len(old), len(new)))
    suffix = _common_suffix(old, new, min(len(old), len(new)) - prefix)
    return TextChange(prefix, len(old) - suffix, len(new) - suffix)


class LineIndex:
    """Maps offsets in ``text`` to LSP positions and back."""

    __slots__ = ("text", "starts", "_ends", "astral")

    def __init__(self, text: str) -> None:
        self.text = text
        if "\r" in text:
            starts = [0]
            ends = []
            for m in _NEWLINE.finditer(text):
                ends.append(m.start())
                starts.append(m.end())
            ends.append(len(text))
        else:
            # Lines ended by "\n" alone (most files): their offsets added up
            # at C speed, not a match object per line; each line ends one
            # before the next one starts, so their ends need no list.
            sizes = list(map(len, text.split("\n")))
            starts = list(map(add, accumulate(sizes[:-1], initial=0), range(len(sizes))))
            ends = None
        self.starts = starts
        self._ends: list[int] | None = ends  # offset of each line's terminator (or of the end of the text); None: see line_end
        # Offsets of the characters that take two UTF-16 code units: with
        # them, a position costs a binary search, not a scan of its line
        # (quadratic for many findings on one very long line).
        self.astral = [] if text.isascii() else [m.start() for m in _ASTRAL.finditer(text)]

    def edited(self, text: str, change: TextChange) -> "LineIndex":
        """The index of ``text``, which is this index's text with ``change``:
        the lines around the change are found again, the others moved."""
        out = LineIndex.__new__(LineIndex)
        out.text = text
        starts, ends, d = self.starts, self._ends, change.delta
        if ends is None and "\r" in text[change.start : change.new_end]:
            ends = self.ends  # a "\r" written: from now on the line ends are kept
        # From the line before the change (a "\r" there may now pair with a
        # "\n"), to the first line that starts after the old change.
        k0 = max(0, bisect_right(starts, change.start - 1) - 1)
        k1 = bisect_right(starts, change.old_end)
        s0 = starts[k0]
        mid_starts = [s0]
        mid_ends = []
        limit = starts[k1] + d if k1 < len(starts) else len(text)
        for m in _NEWLINE.finditer(text, s0, limit):
            mid_ends.append(m.start())
            mid_starts.append(m.end())
        if k1 < len(starts):
            mid_starts.pop()  # the line break before line k1: that line is kept, moved
            out.starts = starts[:k0] + mid_starts + [s + d for s in starts[k1:]]
            out._ends = ends[:k0] + mid_ends + [e + d for e in ends[k1:]] if ends is not None else None
        else:
            mid_ends.append(len(text))
            out.starts = starts[:k0] + mid_starts
            out._ends = ends[:k0] + mid_ends if ends is not None else None
        astral = self.astral
        a0 = bisect_left(astral, change.start)
        a1 = bisect_left(astral, change.old_end)
        found = [] if text.isascii() else [m.start() for m in _ASTRAL.finditer(text, change.start, change.new_end)]
        out.astral = astral[:a0] + found + [a + d for a in astral[a1:]] if (astral or found) else []
        return out

    @property
    def ends(self) -> list[int]:
        """The offset of each line's terminator (or of the end of the text)."""
        if self._ends is not None:
            return self._ends
        return [s - 1 for s in self.starts[1:]] + [len(self.text)]

    def line_end(self, line: int) -> int:
        """The offset of the terminator of ``line`` (or of the end of the text)."""
        if self._ends is not None:
            return self._ends[line]
        return self.starts[line + 1] - 1 if line + 1 < len(self.starts) else len(self.text)

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
        end = self.line_end(line)
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
        return self.text[self.starts[line] : self.line_end(line)]

    def offset(self, line: int, character: int) -> int:
        """The offset of an LSP position; positions past a line's end or the
        document's end are clamped, never an error."""
        if line < 0:
            return 0
        if line >= len(self.starts):
            return len(self.text)
        start, end = self.starts[line], self.line_end(line)
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
