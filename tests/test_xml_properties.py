"""Property tests: parse_xml never raises and its spans are always consistent."""

from __future__ import annotations

from pathlib import Path

import pytest
from hypothesis import example, given, settings
from hypothesis import strategies as st

from zcsec.text import LineIndex
from zcsec.xmlparse import parse_xml

REPO_ROOT = Path(__file__).resolve().parents[1]
EXAMPLE_FILES = sorted((REPO_ROOT / "examples").rglob("*.xml"))

CODES = {
    "xml-syntax",
    "xml-unclosed",
    "xml-mismatch",
    "xml-entity",
    "xml-duplicate-attribute",
    "xml-doctype",
}


def _in_bounds(span, n: int, what: str) -> None:
    a, b = span
    assert isinstance(a, int) and isinstance(b, int), (what, span)
    assert 0 <= a <= b <= n, (what, span, n)


def check_invariants(text: str, thorough: bool = True) -> None:
    """Parse ``text`` and check every structural and span invariant.

    ``thorough`` adds the (slower) element_at and LSP-range checks."""
    doc = parse_xml(text)
    n = len(text)
    assert doc.source is text

    for p in doc.problems:
        assert p.code in CODES, p
        assert p.message
        _in_bounds(p.span, n, f"problem {p.code}")

    for c in doc.comments:
        _in_bounds(c.span, n, "comment")
        assert text.startswith("<!--", c.span[0])
        assert text[c.span[0] + 4 :].startswith(c.text)

    if doc.doctype_span is not None:
        _in_bounds(doc.doctype_span, n, "doctype")
        assert text.startswith("<!DOCTYPE", doc.doctype_span[0])

    seen: set[int] = set()
    for el in doc.iter():
        assert id(el) not in seen, "an element is reachable twice"
        seen.add(id(el))
        # The element itself.
        _in_bounds(el.name_span, n, "name_span")
        _in_bounds(el.span, n, "element span")
        assert el.end >= 0, "every element gets an end"
        assert text[el.start] == "<"
        assert el.start < el.name_span[0] <= el.name_span[1] <= el.start_tag_end <= el.end <= n
        assert text[el.name_span[0] : el.name_span[1]] == el.name
        if el.end_name_span is not None:
            _in_bounds(el.end_name_span, n, "end_name_span")
            assert text[el.end_name_span[0] : el.end_name_span[1]] == el.name
            assert el.start_tag_end <= el.end_name_span[0] <= el.end_name_span[1] <= el.end
        if el.self_closing:
            assert el.children == [] and el.text_spans == []
        # Attributes lie inside the start tag.
        for attr in el.attributes:
            assert attr.element is el
            _in_bounds(attr.name_span, n, "attribute name_span")
            _in_bounds(attr.value_span, n, "attribute value_span")
            _in_bounds(attr.span, n, "attribute span")
            assert text[attr.name_span[0] : attr.name_span[1]] == attr.name
            assert el.name_span[1] <= attr.name_span[0]
            assert attr.name_span[1] <= attr.value_span[0]
            assert attr.value_span[1] <= el.start_tag_end
            assert attr.span[1] <= el.start_tag_end
            assert isinstance(attr.value, str)
        # Text spans lie between the start tag and the end, in order.
        prev = el.start_tag_end
        for span in el.text_spans:
            _in_bounds(span, n, "text span")
            assert prev <= span[0] <= span[1] <= el.end  # an empty CDATA gives an empty span
            prev = span[1]
        ts = el.text_span(text)
        if ts is not None:
            _in_bounds(ts, n, "text_span()")
            assert text[ts[0] : ts[1]].strip() == text[ts[0] : ts[1]] != ""
        assert isinstance(el.text(text), str)
        # The tree is consistent and children are ordered and nested.
        prev = el.start_tag_end
        for child in el.children:
            assert child.parent is el
            assert prev <= child.start
            assert child.end <= el.end
            prev = child.end
    if doc.root is not None:
        assert doc.root.parent is None

    if not thorough:
        return

    # element_at agrees with the spans.
    for off in {0, n // 3, n // 2, n - 1, n}:
        hit = doc.element_at(off)
        if hit is not None:
            assert hit.span[0] <= off <= hit.span[1]
            assert all(not (c.span[0] <= off <= c.span[1]) for c in hit.children)

    # Every span maps to an LSP range without error.
    if n < 2000:
        idx = LineIndex(text)
        for p in doc.problems:
            r = idx.range(*p.span)
            assert (r.start.line, r.start.character) <= (r.end.line, r.end.character)


XMLISH_CHARS = list("<>&\"'/=!?-[];#x \n\r\tabkeyü🚀:.0") + ["\ufeff"]
XMLISH_TOKENS = [
    "<",
    ">",
    "/>",
    "</",
    "<server",
    "</server>",
    "<ssl",
    "</ssl>",
    " id=",
    ' id="a"',
    " id='b'",
    ' keyStoreRef="k',
    '"',
    "'",
    "=",
    " ",
    "\n",
    "\r\n",
    "\r",
    "&",
    "&amp;",
    "&lt;",
    "&#65;",
    "&#x41;",
    "&#x;",
    "&#0;",
    "&nbsp;",
    "&foo",
    "<!--",
    "-->",
    "--",
    "<![CDATA[",
    "]]>",
    "<!DOCTYPE s [",
    '<!ENTITY e "v">',
    "]>",
    "<?xml version='1.0'?>",
    "<?pi",
    "?>",
    "\ufeff",
    "text",
    "Zürich 🚀",
    "#$%",
]


@settings(max_examples=300, deadline=None)
@given(st.text())
@example("")
@example("<")
@example("<a b='")
@example('<server><ssl id="a"')
@example('<server>\n<ssl id="a keyStoreRef="k"/>\n<keyStore id="k"/>\n</server>')
@example("<a><![CDATA[")
@example("<!DOCTYPE s [ <!-- ' --> ]><s/>")
@example("<a x=\"\r\n")
def test_arbitrary_text_never_raises(text):
    check_invariants(text)


@settings(max_examples=300, deadline=None)
@given(st.text(alphabet=st.sampled_from(XMLISH_CHARS), max_size=200))
def test_xmlish_characters_never_raise(text):
    check_invariants(text)


@settings(max_examples=300, deadline=None)
@given(st.lists(st.sampled_from(XMLISH_TOKENS), max_size=60).map("".join))
def test_xmlish_tokens_never_raise(text):
    check_invariants(text)


@settings(max_examples=300, deadline=None)
@given(st.lists(st.sampled_from(XMLISH_TOKENS), max_size=40).map("".join))
def test_parse_is_deterministic(text):
    a, b = parse_xml(text), parse_xml(text)
    assert a.problems == b.problems
    assert [(e.name, e.span) for e in a.iter()] == [(e.name, e.span) for e in b.iter()]


@settings(max_examples=300, deadline=None)
@given(st.data())
def test_edited_example_files_never_raise(data):
    """An example file with a few random edits: deletions and insertions of
    XML-ish tokens, as while a person types."""
    text = EXAMPLE_FILES[data.draw(st.integers(0, len(EXAMPLE_FILES) - 1))].read_text(encoding="utf-8")
    for _ in range(data.draw(st.integers(1, 4))):
        a = data.draw(st.integers(0, len(text)))
        b = data.draw(st.integers(a, min(len(text), a + 40)))
        insert = data.draw(st.sampled_from(XMLISH_TOKENS + [""]))
        text = text[:a] + insert + text[b:]
    check_invariants(text)


def test_example_files_exist():
    assert len(EXAMPLE_FILES) >= 10
    for path in EXAMPLE_FILES:
        doc = parse_xml(path.read_text(encoding="utf-8"))
        assert doc.problems == [], (path, doc.problems)
        assert doc.root is not None and doc.root.name == "server"


@pytest.mark.parametrize("path", EXAMPLE_FILES, ids=lambda p: str(p.relative_to(REPO_ROOT)))
def test_every_prefix_of_every_example_parses(path):
    text = path.read_text(encoding="utf-8")
    for end in range(len(text) + 1):
        check_invariants(text[:end], thorough=False)
    # A CRLF version too, cut at every line break: just after each "\r"
    # (between "\r" and "\n") and just after each "\n".
    crlf = text.replace("\n", "\r\n")
    cuts = [i + 1 for i, ch in enumerate(crlf) if ch in "\r\n"]
    assert cuts
    for end in cuts:
        check_invariants(crlf[:end])
