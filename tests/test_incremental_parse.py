"""Incremental re-parsing (issue 14): after any sequence of edits, what
reparse_xml / reparse_csd give (reading again only the children of the root,
or the CSD commands, that an edit touched) is exactly what a full parse of the
new text gives: every element, attribute, value, span, comment and problem,
in order.  The edits are random inserts, deletions and replacements of one to
three characters and some larger pastes, on the examples, the generated
benchmark workspace and the real corpus (../shared/corpus, when it is there)."""

from __future__ import annotations

from pathlib import Path

import pytest
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from test_xml_oracle import CORPUS, ROOT, load_bench_workspace
from zcsec.catalogue import load_catalogue
from zcsec.csdparse import CsdDocument, parse_csd, reparse_csd
from zcsec.text import LineIndex
from zcsec.workspace import FileStore, changes_since
from zcsec.xmlparse import Element, XmlDocument, parse_xml, reparse_xml

CATALOGUE = load_catalogue()


def _read(path: Path) -> str:
    return path.read_bytes().decode("utf-8", errors="replace")


def _bench_files() -> tuple[list[str], list[str]]:
    import tempfile

    bench = load_bench_workspace()
    with tempfile.TemporaryDirectory() as tmp:
        generated = bench.generate(tmp, 1000)
        xml = [_read(Path(f)) for f in generated.files if f.endswith(".xml")]
        csd = [_read(Path(f)) for f in generated.files if f.endswith(".csd")]
    return xml, csd


BENCH_XML, BENCH_CSD = _bench_files()
EXAMPLE_XML = [_read(p) for p in sorted((ROOT / "examples").rglob("*.xml"))]
EXAMPLE_CSD = [_read(p) for p in sorted((ROOT / "examples").rglob("csd/*")) if p.is_file()]
CORPUS_XML = [_read(p) for p in sorted((CORPUS / "serverxml").glob("*"))] if CORPUS.is_dir() else []
CORPUS_CSD = [_read(p) for p in sorted((CORPUS / "csd").glob("*"))] if CORPUS.is_dir() else []
NO_CORPUS = f"the real-configuration corpus is not at {CORPUS} (it lives outside the repository)"

XML_PIECES = list("<>/=\"' \n&;!-?abxyz0") + ["\r\n", "]]>", "<!--", "-->", "</", "/>", "&amp;", '="', "<a>", "</a>"]
CSD_PIECES = list("()'* \n,ABCDEGIMNOPRSTUY0129") + ["\r\n", "DEFINE ", " GROUP(G)", "SSL(YES)", "       *", "ALL", "LIST "]


@st.composite
def edited(draw, texts: list[str], pieces: list[str]) -> list[str]:
    """One of ``texts``, then the text after each of a few random edits."""
    text = draw(st.sampled_from(texts))
    out = [text]
    for _ in range(draw(st.integers(1, 8))):
        n = len(text)
        at = int(draw(st.floats(0, 1)) * n)
        kind = draw(st.sampled_from(["insert", "insert", "delete", "replace", "replace", "paste"]))
        if kind == "paste":
            # A larger paste: a stretch of the document itself, elsewhere.
            src = int(draw(st.floats(0, 1)) * n)
            chunk = text[src : src + draw(st.integers(1, 400))]
            cut = draw(st.integers(0, 50))
            text = text[:at] + chunk + text[at + cut :]
        else:
            size = draw(st.integers(1, 3))
            new = "".join(draw(st.lists(st.sampled_from(pieces), min_size=1, max_size=size))) if kind != "delete" else ""
            text = text[:at] + new + text[at + (size if kind != "insert" else 0) :]
        out.append(text)
    return out


def xml_dump(doc: XmlDocument) -> tuple:
    def element(e: Element) -> tuple:
        attrs = tuple((a.name, a.name_span, a.value, a.value_span, a.quoted, a.element is e) for a in e.attributes)
        return (e.name, e.name_span, e.start, e.start_tag_end, e.end, e.end_name_span, tuple(e.text_spans), e.self_closing, e.closed, attrs, tuple(element(c) for c in e.children), all(c.parent is e for c in e.children))

    return (
        doc.source,
        element(doc.root) if doc.root is not None else None,
        [(c.text, c.span) for c in doc.comments],
        [(p.code, p.message, p.span) for p in doc.problems],
        doc.doctype_span,
        doc.notes.lookaheads,
        doc.notes.bad_chars,
    )


def csd_dump(doc: CsdDocument) -> tuple:
    def command(c) -> tuple:
        keywords = tuple((k.written, k.written_span, k.resolution, k.value, k.value_span, k.closed, k.spec.name if k.spec else None) for k in c.keywords)
        return (c.verb_written, c.verb_span, c.verb_resolution, c.spec.name if c.spec else None, c.resource_written, c.resource_span, c.resource_resolution, c.name, c.name_span, keywords, c.end, c.document is doc)

    return (
        doc.source,
        [command(c) for c in doc.commands],
        [(c.text, c.span) for c in doc.comments],
        [(p.code, p.message, p.span, p.severity) for p in doc.problems],
        doc.is_jcl,
        doc.record_count,
        doc.record_problems,
    )


def check_xml(texts: list[str]) -> int:
    """Re-parse each text given the parse of the one before; the number of
    edits read incrementally."""
    doc = parse_xml(texts[0])
    index = LineIndex(texts[0])
    incremental = 0
    for text in texts[1:]:
        before = doc.root.children if doc.root is not None else []
        doc, reparse = reparse_xml(doc, text)
        assert xml_dump(doc) == xml_dump(parse_xml(text))
        index = index.edited(text, reparse.change) if reparse is not None else LineIndex(text)
        fresh = LineIndex(text)
        assert (index.starts, index.ends, index.astral) == (fresh.starts, fresh.ends, fresh.astral)
        if reparse is not None:
            incremental += 1
            # The children outside the stretch are the same objects, and the
            # stretch's are the ones reported.
            kept = [el for el in before if el not in reparse.removed]
            assert [el for el in doc.root.children if el not in reparse.added] == kept
            assert all(not (reparse.change.start <= el.start < reparse.change.new_end) for el in kept)
    return incremental


def check_csd(texts: list[str]) -> int:
    doc = parse_csd(texts[0], CATALOGUE.csd)
    incremental = 0
    for text in texts[1:]:
        before = list(doc.commands)
        doc, reparse = reparse_csd(doc, text, CATALOGUE.csd)
        assert csd_dump(doc) == csd_dump(parse_csd(text, CATALOGUE.csd))
        if reparse is not None:
            incremental += 1
            kept = [c for c in before if c not in reparse.removed]
            assert [c for c in doc.commands if c not in reparse.added] == kept
    return incremental


SETTINGS = settings(max_examples=150, deadline=None, suppress_health_check=[HealthCheck.too_slow, HealthCheck.data_too_large])


@SETTINGS
@given(edited(EXAMPLE_XML, XML_PIECES))
def test_edited_example_xml_reparses_as_a_full_parse(texts):
    check_xml(texts)


@SETTINGS
@given(edited(BENCH_XML, XML_PIECES))
def test_edited_benchmark_xml_reparses_as_a_full_parse(texts):
    check_xml(texts)


@pytest.mark.skipif(not CORPUS_XML, reason=NO_CORPUS)
@SETTINGS
@given(st.data())
def test_edited_corpus_xml_reparses_as_a_full_parse(data):
    check_xml(data.draw(edited(CORPUS_XML, XML_PIECES)))


@SETTINGS
@given(edited(EXAMPLE_CSD, CSD_PIECES))
def test_edited_example_csd_reparses_as_a_full_parse(texts):
    check_csd(texts)


@SETTINGS
@given(edited(BENCH_CSD, CSD_PIECES))
def test_edited_benchmark_csd_reparses_as_a_full_parse(texts):
    check_csd(texts)


@pytest.mark.skipif(not CORPUS_CSD, reason=NO_CORPUS)
@SETTINGS
@given(st.data())
def test_edited_corpus_csd_reparses_as_a_full_parse(data):
    check_csd(data.draw(edited(CORPUS_CSD, CSD_PIECES)))


def test_an_edit_in_an_attribute_value_reads_one_element_again():
    text = BENCH_XML[0] if len(BENCH_XML[0]) > len(BENCH_XML[-1]) else BENCH_XML[-1]
    doc = parse_xml(text)
    at = text.index('host="', len(text) // 2) + 7
    edited_text = text[:at] + "x" + text[at:]
    doc, reparse = reparse_xml(doc, edited_text)
    assert reparse is not None
    assert len(reparse.removed) == len(reparse.added) == 1
    assert reparse.added[0].start < at < reparse.added[0].end
    assert reparse.change.new_end - reparse.change.start < 2000


def test_an_edit_in_a_command_reads_that_command_again():
    text = max(BENCH_CSD, key=len)
    doc = parse_csd(text, CATALOGUE.csd)
    at = text.index("PORTNUMBER(", len(text) // 2) + 11
    edited_text = text[:at] + "1" + text[at:]
    doc, reparse = reparse_csd(doc, edited_text, CATALOGUE.csd)
    assert reparse is not None
    assert len(reparse.removed) == len(reparse.added) == 1
    assert reparse.added[0].verb_span[0] < at < reparse.added[0].end


@pytest.mark.parametrize(
    "text,edit",
    [
        # An attribute value without its closing quote was read by looking
        # ahead for one; a quote typed further on changes how it reads.
        ('<server><a x="foo/> <b y=1/> <c/></server>', ("/> <c", '"')),
        # An edit in the root's start tag, in the prolog, after the root.
        ('<server a="1"><b/></server>', ('a="1"', " ")),
        ('<?xml version="1.0"?>\n<server><b/></server>', ("1.0", "x")),
        ("<server><b/></server>\n", ("\n", "<c/>")),
        # Half-typed text: the start of an element that swallows the rest.
        ("<server>\n  <a/>\n  <b/>\n</server>", ("\n  <b", "<x>")),
        # A DOCTYPE typed among the children.
        ("<server>\n  <a/>\n</server>", ("\n</server", "<!DOCTYPE x>")),
    ],
)
def test_edits_that_need_a_full_parse(text, edit):
    marker, insert = edit
    at = text.index(marker)
    new = text[:at] + insert + text[at:]
    doc, reparse = reparse_xml(parse_xml(text), new)
    assert reparse is None
    assert xml_dump(doc) == xml_dump(parse_xml(new))


def test_the_file_store_reparses_an_open_document(tmp_path):
    store = FileStore()
    path = str(tmp_path / "server.xml")
    text = max(BENCH_XML, key=len)
    store.set_overlay(path, text)
    f, _ = store.xml(path)
    assert f is not None and f.version == 0
    at = text.index('id="', len(text) // 3) + 4
    for n, ch in enumerate("abc", 1):
        text = text[:at] + ch + text[at:]
        store.set_overlay(path, text)
        again, _ = store.xml(path)
        assert again is f and f.version == n and f.text is text
        assert xml_dump(f.doc) == xml_dump(parse_xml(text))
        assert f.index.starts == LineIndex(text).starts
    changes = changes_since(f, 1)
    assert changes is not None and len(changes) == 2
    assert changes_since(f, 3) == []
    # Parsed whole again with <server> before and after: every top-level
    # element was replaced.
    old_units = list(f.doc.root.children)
    store.set_overlay(path, "<server/>")
    store.xml(path)
    changes = changes_since(f, 3)
    assert changes is not None and len(changes) == 1 and changes[0].whole
    assert changes[0].reparse.removed == old_units and changes[0].reparse.added == []
    # Only the last such change is kept (it holds the whole previous parse).
    store.set_overlay(path, '<server><a/></server>')
    store.xml(path)
    assert changes_since(f, 3) is None and len(changes_since(f, 4)) == 1
    # Another root: what changed is not known.
    store.set_overlay(path, "<client/>")
    store.xml(path)
    assert changes_since(f, 4) is None and changes_since(f, 5) is None and changes_since(f, 6) == []


def test_the_file_store_reparses_an_open_csd_document(tmp_path):
    store = FileStore()
    path = str(tmp_path / "cics.csd")
    text = max(BENCH_CSD, key=len)
    store.set_overlay(path, text)
    f, _ = store.csd(path, CATALOGUE)
    at = text.index("GROUP(", len(text) // 2) + 6
    text = text[:at] + "X" + text[at:]
    store.set_overlay(path, text)
    again, _ = store.csd(path, CATALOGUE)
    assert again is f and f.version == 1
    assert changes_since(f, 0) is not None
    assert csd_dump(f.doc) == csd_dump(parse_csd(text, CATALOGUE.csd))
