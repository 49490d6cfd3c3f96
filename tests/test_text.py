"""Unit tests for zcsec.text.LineIndex (offsets <-> LSP positions, UTF-16)."""

from __future__ import annotations

import re

import pytest
from hypothesis import given
from hypothesis import strategies as st

from zcsec.text import LineIndex, Position, Range


def pos(line: int, character: int) -> Position:
    return Position(line, character)


# -- line endings -------------------------------------------------------------


@given(st.text(alphabet="ab\n\r\U0001f600", max_size=40))
def test_lines_are_where_the_line_breaks_are(text):
    """Text with "\n" breaks only is indexed by a faster path than text with
    "\r": both give the lines a scan for every kind of break gives."""
    starts, ends = [0], []
    for m in re.finditer(r"\r\n|\r|\n", text):
        ends.append(m.start())
        starts.append(m.end())
    ends.append(len(text))
    idx = LineIndex(text)
    assert (idx.starts, idx.ends) == (starts, ends)


def test_lf_line_starts_and_positions():
    text = "ab\ncd\n\nef"
    idx = LineIndex(text)
    assert idx.line_count == 4
    assert idx.starts == [0, 3, 6, 7]
    assert idx.ends == [2, 5, 6, 9]
    assert [idx.line_text(i) for i in range(4)] == ["ab", "cd", "", "ef"]
    assert idx.position(0) == pos(0, 0)
    assert idx.position(2) == pos(0, 2)  # on the "\n"
    assert idx.position(3) == pos(1, 0)
    assert idx.position(6) == pos(2, 0)  # the empty line
    assert idx.position(7) == pos(3, 0)
    assert idx.position(9) == pos(3, 2)  # end of text
    assert idx.offset(1, 1) == 4
    assert idx.offset(2, 0) == 6


def test_crlf_line_endings():
    text = "ab\r\ncd\r\n"
    idx = LineIndex(text)
    assert idx.line_count == 3
    assert idx.starts == [0, 4, 8]
    assert idx.ends == [2, 6, 8]
    assert idx.line_text(0) == "ab"
    assert idx.line_text(1) == "cd"
    assert idx.line_text(2) == ""
    assert idx.position(2) == pos(0, 2)  # on "\r"
    # Between "\r" and "\n": still the end of line 0, never line 0 char 3.
    assert idx.position(3) == pos(0, 2)
    assert idx.position(4) == pos(1, 0)
    assert idx.position(7) == pos(1, 2)
    assert idx.position(8) == pos(2, 0)
    assert idx.offset(1, 0) == 4
    assert idx.offset(0, 2) == 2


def test_cr_only_line_endings():
    text = "ab\rcd\r\ref"
    idx = LineIndex(text)
    assert idx.line_count == 4
    assert [idx.line_text(i) for i in range(4)] == ["ab", "cd", "", "ef"]
    assert idx.position(3) == pos(1, 0)
    assert idx.position(6) == pos(2, 0)
    assert idx.position(7) == pos(3, 0)
    assert idx.offset(3, 1) == 8


def test_mixed_line_endings():
    # "\n\r" is two line breaks (LF then CR), "\r\n" is one.
    text = "a\n\rb\r\nc"
    idx = LineIndex(text)
    assert [idx.line_text(i) for i in range(idx.line_count)] == ["a", "", "b", "c"]
    assert idx.position(text.index("b")) == pos(2, 0)
    assert idx.position(text.index("c")) == pos(3, 0)


def test_other_unicode_line_separators_are_not_line_breaks():
    # LSP only knows \n, \r\n and \r; str.splitlines() knows more.
    text = "a\u2028b\x0cc\x85d"
    idx = LineIndex(text)
    assert idx.line_count == 1
    assert idx.position(len(text)) == pos(0, 7)


# -- clamping -----------------------------------------------------------------


def test_positions_past_the_end_are_clamped():
    text = "abc\nde"
    idx = LineIndex(text)
    assert idx.position(len(text)) == pos(1, 2)
    assert idx.position(len(text) + 100) == pos(1, 2)
    assert idx.position(-5) == pos(0, 0)
    assert idx.line_of(-1) == 0
    assert idx.line_of(10_000) == 1


def test_offsets_past_line_end_and_document_end_are_clamped():
    text = "abc\nde\r\nfü🚀"
    idx = LineIndex(text)
    assert idx.offset(0, 99) == 3  # clamps to the "\n"
    assert idx.offset(1, 99) == 6  # clamps to the "\r", not inside "\r\n"
    assert idx.offset(2, 99) == len(text)  # non-ASCII line
    assert idx.offset(3, 0) == len(text)  # line past the end
    assert idx.offset(99, 99) == len(text)
    assert idx.offset(-1, 5) == 0
    assert idx.offset(0, -3) == 0
    assert idx.offset(2, -3) == 8


def test_range_orders_and_clamps():
    idx = LineIndex("abc\ndef")
    assert idx.range(1, 5) == Range(pos(0, 1), pos(1, 1))
    # An end before the start collapses to an empty range at the start.
    assert idx.range(5, 1) == Range(pos(1, 1), pos(1, 1))
    assert idx.range(0, 999) == Range(pos(0, 0), pos(1, 3))
    assert idx.range(1, 5).to_json() == {
        "start": {"line": 0, "character": 1},
        "end": {"line": 1, "character": 1},
    }


def test_line_text_out_of_range_is_empty():
    idx = LineIndex("a\nb")
    assert idx.line_text(-1) == ""
    assert idx.line_text(2) == ""


# -- UTF-16 columns -----------------------------------------------------------


def test_bmp_non_ascii_counts_one_unit():
    text = 'x="Zürich" y'
    idx = LineIndex(text)
    assert idx.position(text.index("y")) == pos(0, 11)
    assert idx.offset(0, 11) == text.index("y")


def test_astral_character_counts_two_units():
    text = "a🚀b😀c"
    idx = LineIndex(text)
    assert idx.position(1) == pos(0, 1)  # before the rocket
    assert idx.position(2) == pos(0, 3)  # after the rocket
    assert idx.position(3) == pos(0, 4)  # after "b"
    assert idx.position(4) == pos(0, 6)  # after the grin
    assert idx.position(5) == pos(0, 7)
    assert idx.offset(0, 3) == 2
    assert idx.offset(0, 6) == 4
    # A column inside a surrogate pair rounds up to the next code point.
    assert idx.offset(0, 2) == 2
    assert idx.offset(0, 5) == 4


def test_utf16_columns_on_a_later_line():
    text = 'first ü line\n<ssl description="Zürich 🚀" id="x"/>'
    idx = LineIndex(text)
    at = text.index('id="x"')
    # 'id' is at code-point column 28 on line 1; the rocket adds one unit.
    assert at - idx.starts[1] == 28
    assert idx.position(at) == pos(1, 29)
    assert idx.offset(1, 29) == at


def test_combining_characters_count_each_code_point():
    text = "e\u0301x"  # e + combining acute accent
    idx = LineIndex(text)
    assert idx.position(2) == pos(0, 2)


# -- offset() is the inverse of position() ------------------------------------

SAMPLES = [
    "",
    "a",
    "abc\ndef\n",
    "abc\r\ndef\r\n\r\nx",
    "a\rb\r\rc",
    "Zürich 🚀 ok\r\n<a b='😀😀'/>\n\n🚀",
    "🚀\r\n🚀\r🚀\n🚀",
    "\r\n",
    "\n\r",
    "\ufeff<server/>\r\n",
]


@pytest.mark.parametrize("text", SAMPLES)
def test_offset_inverts_position_for_every_offset(text):
    idx = LineIndex(text)
    for off in range(len(text) + 1):
        p = idx.position(off)
        back = idx.offset(p.line, p.character)
        inside_crlf = 0 < off < len(text) and text[off - 1] == "\r" and text[off] == "\n"
        if inside_crlf:
            # Between "\r" and "\n" is not a position of its own.
            assert back == off - 1
        else:
            assert back == off, (off, p)


@pytest.mark.parametrize("text", SAMPLES)
def test_position_inverts_offset_for_every_valid_position(text):
    idx = LineIndex(text)
    for line in range(idx.line_count):
        seg = idx.line_text(line)
        col = 0
        for i, ch in enumerate(seg + "\0"):
            off = idx.offset(line, col)
            assert off == idx.starts[line] + i
            assert idx.position(off) == pos(line, col)
            col += 2 if ord(ch) > 0xFFFF else 1


@pytest.mark.parametrize("text", SAMPLES)
def test_positions_are_monotonic(text):
    idx = LineIndex(text)
    prev = (-1, -1)
    for off in range(len(text) + 1):
        p = idx.position(off)
        cur = (p.line, p.character)
        assert cur >= prev
        prev = cur


# -- empty text ---------------------------------------------------------------


def test_empty_text():
    idx = LineIndex("")
    assert idx.line_count == 1
    assert idx.line_text(0) == ""
    assert idx.position(0) == pos(0, 0)
    assert idx.position(5) == pos(0, 0)
    assert idx.offset(0, 0) == 0
    assert idx.offset(0, 10) == 0
    assert idx.offset(3, 3) == 0
    assert idx.range(0, 0) == Range(pos(0, 0), pos(0, 0))


def test_text_ending_with_newline_has_an_empty_last_line():
    idx = LineIndex("a\n")
    assert idx.line_count == 2
    assert idx.position(2) == pos(1, 0)
    assert idx.offset(1, 0) == 2


@given(
    st.text(alphabet="ab\n\r\U0001f600", max_size=40),
    st.integers(0, 40),
    st.integers(0, 6),
    st.text(alphabet="ab\n\r\U0001f600", max_size=6),
    st.lists(st.tuples(st.integers(0, 40), st.integers(0, 6), st.text(alphabet="ab\n\r", max_size=4)), max_size=4),
)
def test_an_edited_index_is_the_index_of_the_new_text(text, at, removed, inserted, more):
    """LineIndex.edited gives what a new LineIndex of the edited text gives,
    also over a sequence of edits, with line ends of every kind (an index of
    text with "\\n" alone works its line ends out from the line starts)."""
    from zcsec.text import TextChange

    index = LineIndex(text)
    for a, n, new in [(at, removed, inserted)] + more:
        a = min(a, len(text))
        b = min(len(text), a + n)
        edited_text = text[:a] + new + text[b:]
        index = index.edited(edited_text, TextChange(a, b, a + len(new)))
        text = edited_text
        fresh = LineIndex(text)
        assert (index.starts, index.ends, index.astral) == (fresh.starts, fresh.ends, fresh.astral)
        assert [index.line_end(k) for k in range(index.line_count)] == fresh.ends
        assert [index.position(o) for o in range(len(text) + 1)] == [fresh.position(o) for o in range(len(text) + 1)]
