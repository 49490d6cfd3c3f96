"""Text synchronisation: the changes a client sends are applied to the open
document (zcsec.lsp.server.apply_change, which replaces pygls' line-by-line
rebuild), checked against a plain model of what LSP says a change means."""

from __future__ import annotations

import re

from hypothesis import given, settings
from hypothesis import strategies as st
from lsprotocol import types as lsp
from pygls.workspace import TextDocument

from zcsec.lsp.server import apply_change


def reference(text: str, line: int, character: int) -> int:
    """The offset of an LSP position: lines end at \\r\\n, \\r or \\n;
    characters count UTF-16 code units; past a line's end (or the last
    line) means that end."""
    starts = [0] + [m.end() for m in re.finditer(r"\r\n|\r|\n", text)]
    if line >= len(starts):
        return len(text)
    start = starts[line]
    end = re.compile(r"\r\n|\r|\n").search(text, start)
    stop = end.start() if end else len(text)
    units = 0
    for i in range(start, stop):
        if units >= character:
            return i
        units += 2 if ord(text[i]) > 0xFFFF else 1
    return stop


def change(l1: int, c1: int, l2: int, c2: int, text: str) -> lsp.TextDocumentContentChangePartial:
    return lsp.TextDocumentContentChangePartial(range=lsp.Range(lsp.Position(l1, c1), lsp.Position(l2, c2)), text=text)


def doc_of(text: str) -> TextDocument:
    return TextDocument("file:///tmp/server.xml", text, version=1, sync_kind=lsp.TextDocumentSyncKind.Incremental)


def test_a_change_replaces_its_range():
    doc = doc_of("<server>\n  <a x='1'/>\n</server>\n")
    apply_change(doc, change(1, 8, 1, 9, "22"))
    assert doc.source == "<server>\n  <a x='22'/>\n</server>\n"
    apply_change(doc, change(0, 8, 1, 0, ""))  # join the first two lines
    assert doc.source == "<server>  <a x='22'/>\n</server>\n"


def test_positions_count_utf16_units_and_every_line_end():
    doc = doc_of("a\U0001f600b\r\nc\rd")
    apply_change(doc, change(0, 3, 0, 4, "B"))  # after the emoji (two units)
    assert doc.source == "a\U0001f600B\r\nc\rd"
    apply_change(doc, change(2, 0, 2, 1, "D"))  # a lone \r ends line 1
    assert doc.source == "a\U0001f600B\r\nc\rD"


def test_positions_past_the_end_stand_for_the_end():
    doc = doc_of("ab\ncd")
    apply_change(doc, change(0, 40, 0, 40, "!"))
    assert doc.source == "ab!\ncd"
    apply_change(doc, change(9, 0, 9, 0, "\nef"))
    assert doc.source == "ab!\ncd\nef"


def test_a_whole_text_change_replaces_it_all():
    doc = doc_of("<server/>")
    apply_change(doc, change(0, 1, 0, 1, "x"))
    apply_change(doc, lsp.TextDocumentContentChangeWholeDocument(text="new\ntext"))
    apply_change(doc, change(1, 0, 1, 4, "line"))
    assert doc.source == "new\nline"


PIECES = st.lists(st.sampled_from(["a", "<b x='1'/>", "\n", "\r\n", "\r", " ", "\U0001f600", "é", "\t"]), max_size=12).map("".join)


@settings(max_examples=300, deadline=None)
@given(text=PIECES, edits=st.lists(st.tuples(st.integers(0, 6), st.integers(0, 14), st.integers(0, 6), st.integers(0, 14), PIECES), max_size=8))
def test_a_sequence_of_changes_matches_the_model(text, edits):
    doc = doc_of(text)
    expected = text
    for l1, c1, l2, c2, new in edits:
        if (l2, c2) < (l1, c1):
            l1, c1, l2, c2 = l2, c2, l1, c1
        a = reference(expected, l1, c1)
        b = max(a, reference(expected, l2, c2))
        expected = expected[:a] + new + expected[b:]
        apply_change(doc, change(l1, c1, l2, c2, new))
        assert doc.source == expected


def test_the_analysis_uses_the_documents_line_index(tmp_path):
    """The line index kept with an open document is the one its analysed
    file uses (not found again from the text), and it is the index a
    fresh look at the text gives."""
    from zcsec.lsp.server import line_index
    from zcsec.service import AnalysisService
    from zcsec.text import LineIndex

    path = tmp_path / "server.xml"
    text = "<server>\r\n  <variable name='a' value='\U0001f600'/>\n</server>\n"
    path.write_text(text)
    service = AnalysisService([str(tmp_path)])
    service.open(str(path), text)
    service.findings(str(path))
    doc = doc_of(text)
    for edit in (change(1, 31, 1, 33, "x"), change(0, 8, 0, 8, "\n  <include location='b.xml'/>"), change(2, 0, 2, 0, "\r")):
        apply_change(doc, edit)
        index = line_index(doc)
        assert index is not None and index.text is doc.source
        service.change(str(path), doc.source, index)
        service.findings(str(path))
        f = service.store.xml(str(path))[0]
        assert f.index is index
        fresh = LineIndex(doc.source)
        assert (index.starts, index.ends, index.astral) == (fresh.starts, fresh.ends, fresh.astral)
