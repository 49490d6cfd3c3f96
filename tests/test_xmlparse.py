"""Unit tests for the forgiving XML parser, with exact spans and LSP ranges."""

from __future__ import annotations

import time

from zcsec.text import LineIndex, Position, Range
from zcsec.xmlparse import Element, XmlDocument, decode_entities, parse_xml


# -- helpers ------------------------------------------------------------------

# Speed checks measure this process's CPU time (time.process_time), not wall
# time, and leave a wide margin, so a busy machine does not make them flaky.


def sub(source: str, span) -> str:
    a, b = span
    return source[a:b]


def codes(doc: XmlDocument) -> list[str]:
    return [p.code for p in doc.problems]


def only(doc: XmlDocument, code: str):
    found = [p for p in doc.problems if p.code == code]
    assert len(found) == 1, (code, doc.problems)
    return found[0]


def rng(l1: int, c1: int, l2: int, c2: int) -> Range:
    return Range(Position(l1, c1), Position(l2, c2))


def names(el: Element) -> list[str]:
    return [c.name for c in el.children]


def span_of(source: str, needle: str, start: int = 0) -> tuple[int, int]:
    i = source.index(needle, start)
    return (i, i + len(needle))


# -- a well-formed document ---------------------------------------------------

DOC = (
    '<server description="Zürich 🚀">\n'
    "    <featureManager>\n"
    "        <feature> zosconnect:cicsService-1.0 </feature>\n"
    "    </featureManager>\n"
    "    <!-- TLS -->\n"
    "    <ssl id='defaultSSL' keyStoreRef=\"ring\"/>\n"
    "</server>\n"
)


def test_well_formed_document_has_no_problems():
    doc = parse_xml(DOC)
    assert doc.problems == []
    assert doc.root is not None
    assert doc.root.name == "server"
    assert [e.name for e in doc.iter()] == ["server", "featureManager", "feature", "ssl"]
    assert all(e.closed for e in doc.iter())


def test_element_name_spans_and_extent():
    doc = parse_xml(DOC)
    root = doc.root
    assert sub(DOC, root.name_span) == "server"
    assert root.name_span == (1, 7)
    assert root.start == 0
    assert DOC[root.start_tag_end - 1] == ">"
    assert root.start_tag_end == DOC.index(">") + 1
    assert root.end == DOC.index("</server>") + len("</server>")
    assert root.span == (0, root.end)
    assert sub(DOC, root.end_name_span) == "server"
    assert root.end_name_span == (DOC.index("</server>") + 2, DOC.index("</server>") + 8)

    fm = root.children[0]
    assert fm.name == "featureManager"
    assert sub(DOC, fm.name_span) == "featureManager"
    assert sub(DOC, fm.span).startswith("<featureManager>")
    assert sub(DOC, fm.span).endswith("</featureManager>")
    assert LineIndex(DOC).range(*fm.name_span) == rng(1, 5, 1, 19)


def test_nested_children_and_parents():
    doc = parse_xml(DOC)
    root = doc.root
    assert root.parent is None
    assert names(root) == ["featureManager", "ssl"]
    fm, ssl = root.children
    assert fm.parent is root
    assert ssl.parent is root
    assert names(fm) == ["feature"]
    feature = fm.children[0]
    assert feature.parent is fm
    assert feature.children == []


def test_attribute_name_and_value_spans_single_and_double_quotes():
    doc = parse_xml(DOC)
    ssl = doc.root.children[1]
    assert [a.name for a in ssl.attributes] == ["id", "keyStoreRef"]
    idattr = ssl.get("id")
    assert idattr.value == "defaultSSL"
    assert sub(DOC, idattr.name_span) == "id"
    assert sub(DOC, idattr.value_span) == "defaultSSL"
    assert DOC[idattr.value_span[0] - 1] == "'" and DOC[idattr.value_span[1]] == "'"
    assert sub(DOC, idattr.span) == "id='defaultSSL'"
    assert idattr.quoted
    assert idattr.element is ssl
    ks = ssl.get("keyStoreRef")
    assert ks.value == "ring"
    assert sub(DOC, ks.value_span) == "ring"
    assert DOC[ks.value_span[0] - 1] == '"' and DOC[ks.value_span[1]] == '"'
    assert sub(DOC, ks.span) == 'keyStoreRef="ring"'
    assert ssl.value("keyStoreRef") == "ring"
    assert ssl.value("missing") is None
    assert ssl.value("missing", "dflt") == "dflt"
    assert ssl.get("missing") is None
    assert ssl.self_closing
    assert ssl.end == ssl.start_tag_end
    assert sub(DOC, ssl.span) == "<ssl id='defaultSSL' keyStoreRef=\"ring\"/>"


def test_lsp_ranges_after_non_ascii_text():
    src = '<server description="Zürich 🚀" id="main">\n  <ssl description="ü🚀" keyStoreRef="ks"/>\n</server>'
    doc = parse_xml(src)
    assert doc.problems == []
    idx = LineIndex(src)
    root = doc.root
    desc = root.get("description")
    assert desc.value == "Zürich 🚀"
    assert sub(src, desc.value_span) == "Zürich 🚀"
    # Zürich🚀 is 8 code points but 9 UTF-16 units.
    assert idx.range(*desc.value_span) == rng(0, 21, 0, 30)
    idattr = root.get("id")
    assert idattr.name_span == (31, 33)
    assert idx.range(*idattr.name_span) == rng(0, 32, 0, 34)
    assert idx.range(*idattr.value_span) == rng(0, 36, 0, 40)
    ssl = root.children[0]
    ksr = ssl.get("keyStoreRef")
    assert sub(src, ksr.name_span) == "keyStoreRef"
    # '  <ssl description="ü🚀" ' is 24 code points, 25 UTF-16 units.
    assert idx.range(*ksr.name_span) == rng(1, 25, 1, 36)
    assert idx.range(*ksr.value_span) == rng(1, 38, 1, 40)
    assert idx.range(*ssl.name_span) == rng(1, 3, 1, 6)


def test_text_and_text_span_of_feature():
    src = "<featureManager><feature> zosconnect:cicsService-1.0 </feature></featureManager>"
    doc = parse_xml(src)
    assert doc.problems == []
    feature = doc.root.children[0]
    assert feature.text_spans == [span_of(src, " zosconnect:cicsService-1.0 ")]
    assert feature.text(src) == " zosconnect:cicsService-1.0 "
    assert feature.text(src).strip() == "zosconnect:cicsService-1.0"
    ts = feature.text_span(src)
    assert sub(src, ts) == "zosconnect:cicsService-1.0"
    assert ts == span_of(src, "zosconnect:cicsService-1.0")


def test_text_spans_around_children_and_text_span_none_for_blank():
    src = "<a>\n  x <b/> y\n</a>"
    doc = parse_xml(src)
    a = doc.root
    assert [sub(src, s) for s in a.text_spans] == ["\n  x ", " y\n"]
    assert sub(src, a.text_span(src)) == "x <b/> y"
    assert a.children[0].text_spans == []
    assert a.children[0].text_span(src) is None
    assert a.children[0].text(src) == ""
    blank = parse_xml("<a>  \n  </a>")
    assert blank.root.text_span(blank.source) is None


def test_text_entities_decoded_in_text():
    src = "<a>x &amp; y &lt;&gt;&quot;&apos; &#65;&#x42;</a>"
    doc = parse_xml(src)
    assert doc.problems == []
    assert doc.root.text(src) == "x & y <>\"' AB"


def test_comments_text_and_span():
    src = "<!-- head -->\n<server><!--inner--></server><!---->"
    doc = parse_xml(src)
    assert doc.problems == []
    assert [c.text for c in doc.comments] == [" head ", "inner", ""]
    assert [sub(src, c.span) for c in doc.comments] == ["<!-- head -->", "<!--inner-->", "<!---->"]
    assert doc.comments[0].span == (0, 13)


def test_comment_with_double_dash_and_unclosed_comment():
    src = "<a><!-- a -- b --></a>"
    doc = parse_xml(src)
    p = only(doc, "xml-syntax")
    assert sub(src, p.span) == "--"
    assert p.span == (10, 12)
    assert doc.root.closed

    src = "<a><!-- never closed </a>"
    doc = parse_xml(src)
    assert doc.comments[0].text == " never closed </a>"
    assert doc.comments[0].span == (3, len(src))
    p = [p for p in doc.problems if p.code == "xml-syntax"][0]
    assert sub(src, p.span) == "<!--"
    assert sub(src, only(doc, "xml-unclosed").span) == "a"


# -- entities -----------------------------------------------------------------


def test_entity_decoding_in_attribute_values_keeps_raw_value_span():
    src = '<a v="x&amp;y &lt;z&gt; &#x41;&#65; &quot;&apos;"/>'
    doc = parse_xml(src)
    assert doc.problems == []
    v = doc.root.get("v")
    assert v.value == "x&y <z> AA \"'"
    assert sub(src, v.value_span) == "x&amp;y &lt;z&gt; &#x41;&#65; &quot;&apos;"


def test_entity_decoding_on_the_slow_path():
    # A missing blank between attributes forces the recovering path.
    src = '<a b="1"c="&amp;&#x41;"/>'
    doc = parse_xml(src)
    c = doc.root.get("c")
    assert c.value == "&A"
    assert sub(src, c.value_span) == "&amp;&#x41;"
    p = only(doc, "xml-syntax")
    assert sub(src, p.span) == "c"


def test_undefined_entity_in_value():
    src = '<a v="x &nbsp; y"/>'
    doc = parse_xml(src)
    p = only(doc, "xml-entity")
    assert sub(src, p.span) == "&nbsp;"
    assert p.span == (8, 14)
    assert "nbsp" in p.message
    assert doc.root.get("v").value == "x &nbsp; y"  # left as written
    assert codes(doc) == ["xml-entity"]


def test_undefined_entity_in_text_with_lsp_range():
    src = "<a>\r\n  Zürich 🚀 &foo;\r\n</a>"
    doc = parse_xml(src)
    p = only(doc, "xml-entity")
    assert sub(src, p.span) == "&foo;"
    assert LineIndex(src).range(*p.span) == rng(1, 12, 1, 17)
    assert doc.root.text(src) == "\n  Zürich 🚀 &foo;\n"  # line ends read as XML reads them


def test_bare_ampersand():
    src = '<a v="fish & chips">R&D</a>'
    doc = parse_xml(src)
    probs = [p for p in doc.problems if p.code == "xml-entity"]
    # "&D" has no ";": the problem covers what was read as a name.
    assert [sub(src, p.span) for p in probs] == ["&", "&D"]
    assert probs[0].span == (11, 12)
    assert probs[1].span == (src.index("&D"), src.index("&D") + 2)
    assert "&amp;" in probs[1].message
    assert doc.root.get("v").value == "fish & chips"


def test_invalid_character_references():
    src = '<a v="&#0;&#xD800;&#x110000;"/>'
    doc = parse_xml(src)
    probs = [p for p in doc.problems if p.code == "xml-entity"]
    assert [sub(src, p.span) for p in probs] == ["&#0;", "&#xD800;", "&#x110000;"]
    assert doc.root.get("v").value == "&#0;&#xD800;&#x110000;"


def test_huge_character_references_do_not_raise():
    digits = "1" * 5000
    src = f"<a v='&#{digits};'>&#{digits};&#x{'F' * 5000};&#{'0' * 5000}65;</a>"
    doc = parse_xml(src)
    probs = [p for p in doc.problems if p.code == "xml-entity"]
    assert len(probs) == 3
    assert sub(src, probs[0].span) == f"&#{digits};"
    assert doc.root.text(src) == f"&#{digits};&#x{'F' * 5000};A"


def test_character_references_take_ascii_digits_only():
    # U+0661 ARABIC-INDIC DIGIT ONE: "&#\u0661;" is not a character reference.
    src = "<a>&#\u0661;</a>"
    doc = parse_xml(src)
    assert doc.root.text(src) == "&#\u0661;"
    p = only(doc, "xml-entity")
    assert p.span == (3, 4)


def test_decode_entities_function():
    assert decode_entities("plain") == ("plain", [])
    text, probs = decode_entities("a&lt;b&bogus;c&")
    assert text == "a<b&bogus;c&"
    assert [(a, b) for a, b, _ in probs] == [(6, 13), (14, 15)]


# -- self-closing, element_at, duplicates -------------------------------------


def test_self_closing_elements():
    src = "<server><a/><b x='1' /><c></c></server>"
    doc = parse_xml(src)
    assert doc.problems == []
    a, b, c = doc.root.children
    assert a.self_closing and b.self_closing and not c.self_closing
    assert sub(src, a.span) == "<a/>"
    assert sub(src, b.span) == "<b x='1' />"
    assert sub(src, c.span) == "<c></c>"
    assert sub(src, c.end_name_span) == "c"
    assert a.end_name_span is None


def test_element_at():
    src = "<server>\n  <ssl id='x'/>\n  <keyStore id='k'>\n    <x/>\n  </keyStore>\n</server>"
    doc = parse_xml(src)
    root = doc.root
    ssl, ks = root.children
    x = ks.children[0]
    assert doc.element_at(0) is root
    assert doc.element_at(src.index("server")) is root
    assert doc.element_at(src.index("'x'")) is ssl
    assert doc.element_at(src.index("<ssl")) is ssl
    assert doc.element_at(ssl.end) is ssl  # the end offset is inclusive
    assert doc.element_at(ssl.end + 1) is root  # blank between children
    assert doc.element_at(src.index("<x/>") + 1) is x
    assert doc.element_at(src.index("</keyStore>") + 3) is ks
    assert doc.element_at(len(src)) is root
    assert doc.element_at(len(src) + 1) is None
    assert doc.element_at(-1) is None
    assert parse_xml("").element_at(0) is None


def test_duplicate_attributes():
    src = '<a id="1" b="2" id="3"/>'
    doc = parse_xml(src)
    p = only(doc, "xml-duplicate-attribute")
    assert p.span == (16, 18)
    assert sub(src, p.span) == "id"
    # The first occurrence wins for lookups; both are kept.
    assert doc.root.value("id") == "1"
    assert [a.name for a in doc.root.attributes] == ["id", "b", "id"]
    assert codes(doc) == ["xml-duplicate-attribute"]


def test_duplicate_attributes_on_the_slow_path():
    src = '<a id="1" id=2>'
    doc = parse_xml(src)
    p = only(doc, "xml-duplicate-attribute")
    assert p.span == (10, 12)


# -- half-typed input ----------------------------------------------------------


def test_unclosed_start_tag_at_eof():
    src = '<server><ssl id="a"'
    doc = parse_xml(src)
    root = doc.root
    assert root.name == "server"
    assert names(root) == ["ssl"]
    ssl = root.children[0]
    assert ssl.parent is root
    assert ssl.value("id") == "a"
    assert sub(src, ssl.get("id").value_span) == "a"
    assert ssl.start_tag_end == len(src)
    syntax = [p for p in doc.problems if p.code == "xml-syntax"]
    assert [sub(src, p.span) for p in syntax] == ["ssl"]
    unclosed = only(doc, "xml-unclosed")
    assert unclosed.span == (1, 7)
    assert not root.closed
    assert root.end == len(src)


def test_missing_closing_quote_followed_by_more_elements():
    src = '<server>\n<ssl id="a keyStoreRef="k"/>\n<keyStore id="k"/>\n</server>'
    doc = parse_xml(src)
    root = doc.root
    assert names(root) == ["ssl", "keyStore"]
    ssl, ks = root.children
    assert ks.parent is root
    assert ks.value("id") == "k"
    assert sub(src, ks.get("id").value_span) == "k"
    assert root.closed
    assert sub(src, root.end_name_span) == "server"
    assert ssl.self_closing
    assert "xml-syntax" in codes(doc)
    assert "xml-unclosed" not in codes(doc)
    # Every problem lies on the broken line.
    idx = LineIndex(src)
    assert {idx.line_of(p.span[0]) for p in doc.problems} == {1}


def test_missing_closing_quote_at_end_of_line():
    src = '<server>\n<ssl id="abc\n<keyStore id="k"/>\n</server>'
    doc = parse_xml(src)
    root = doc.root
    assert names(root) == ["ssl", "keyStore"]
    ssl = root.children[0]
    idattr = ssl.get("id")
    assert idattr.value == "abc"
    assert sub(src, idattr.value_span) == "abc"
    p = only(doc, "xml-syntax")
    assert sub(src, p.span) == '"abc'
    assert LineIndex(src).range(*p.span) == rng(1, 8, 1, 12)
    assert idattr.span[1] <= len(src)
    assert root.closed


def test_missing_closing_quote_at_eof_keeps_attribute_span_inside_text():
    src = '<a b="xyz'
    doc = parse_xml(src)
    b = doc.root.get("b")
    assert b.value == "xyz"
    assert b.value_span == (6, 9)
    assert b.span == (3, 9)  # no closing quote to include
    assert not b.quoted


def test_missing_closing_quote_with_tag_end_on_the_line():
    src = "<a>\n<b x='v/>\n</a>"
    doc = parse_xml(src)
    b = doc.root.children[0]
    assert b.value("x") == "v"
    assert b.self_closing
    assert sub(src, b.span) == "<b x='v/>"
    assert sub(src, b.get("x").span) == "x='v"
    assert doc.root.closed


def test_missing_end_tag_is_reported_at_the_name():
    src = "<server>\n  <featureManager>\n    <feature>a</feature>\n</server>"
    doc = parse_xml(src)
    p = only(doc, "xml-unclosed")
    assert sub(src, p.span) == "featureManager"
    assert LineIndex(src).range(*p.span) == rng(1, 3, 1, 17)
    fm = doc.root.children[0]
    assert not fm.closed
    assert fm.end == src.index("</server>")
    assert names(fm) == ["feature"]
    assert doc.root.closed
    assert codes(doc) == ["xml-unclosed"]


def test_missing_end_tag_at_eof():
    src = "<server><a>"
    doc = parse_xml(src)
    ps = [p for p in doc.problems if p.code == "xml-unclosed"]
    assert sorted(sub(src, p.span) for p in ps) == ["a", "server"]
    assert all(not e.closed and e.end == len(src) for e in doc.iter())


def test_mismatched_end_tag():
    src = "<server><a></b></server>"
    doc = parse_xml(src)
    p = only(doc, "xml-mismatch")
    assert sub(src, p.span) == "b"
    assert p.span == (13, 14)
    assert "</a>" in p.message
    # One finding for one cause: <a> is not reported again as unclosed when
    # </server> closes it.
    assert codes(doc) == ["xml-mismatch"]
    assert doc.root.closed


def test_unexpected_end_tag():
    src = "<server/></extra>"
    doc = parse_xml(src)
    p = only(doc, "xml-mismatch")
    assert sub(src, p.span) == "extra"
    assert p.span == (11, 16)

    src = "</lonely>"
    doc = parse_xml(src)
    assert doc.root is None
    p = only(doc, "xml-mismatch")
    assert sub(src, p.span) == "lonely"


def test_end_tag_without_name_or_closing_bracket():
    src = "<a></></a>"
    doc = parse_xml(src)
    p = only(doc, "xml-syntax")
    assert sub(src, p.span) == "</>"
    assert doc.root.closed

    src = "<a><b></b</a>"
    doc = parse_xml(src)
    p = only(doc, "xml-syntax")
    assert sub(src, p.span) == "</b"
    assert doc.root.closed and doc.root.children[0].closed


def test_text_outside_the_root():
    src = "junk <server/> more\n"
    doc = parse_xml(src)
    ps = [p for p in doc.problems if p.code == "xml-syntax"]
    assert [sub(src, p.span) for p in ps] == ["junk", "more"]
    assert doc.root.name == "server"


def test_two_roots():
    src = "<server/>\n<server2><x/></server2>"
    doc = parse_xml(src)
    assert doc.root.name == "server"
    p = only(doc, "xml-syntax")
    assert sub(src, p.span) == "server2"
    assert p.span == (11, 18)
    # The second root is not part of the tree.
    assert [e.name for e in doc.iter()] == ["server"]


# -- DOCTYPE, declarations, CDATA, PI, BOM ------------------------------------


def test_doctype_with_internal_subset_is_reported_and_never_expanded():
    lol = ['<!ENTITY lol "lol">']
    for i in range(1, 10):
        prev = "lol" if i == 1 else f"lol{i - 1}"
        lol.append(f'<!ENTITY lol{i} "{("&" + prev + ";") * 10}">')
    subset = "\n  ".join(lol)
    src = f"<?xml version=\"1.0\"?>\n<!DOCTYPE server [\n  {subset}\n]>\n<server a='&lol9;'>&lol9;</server>"
    t0 = time.process_time()
    doc = parse_xml(src)
    assert time.process_time() - t0 < 1.0
    p = only(doc, "xml-doctype")
    assert sub(src, p.span) == "<!DOCTYPE"
    assert LineIndex(src).range(*p.span) == rng(1, 0, 1, 9)
    assert sub(src, doc.doctype_span).startswith("<!DOCTYPE server [")
    assert sub(src, doc.doctype_span).endswith("]>")
    assert doc.root.name == "server"
    # Entities are never expanded: they stay as written and are reported.
    assert doc.root.value("a") == "&lol9;"
    assert doc.root.text(src) == "&lol9;"
    ent = [p for p in doc.problems if p.code == "xml-entity"]
    assert [sub(src, p.span) for p in ent] == ["&lol9;", "&lol9;"]
    assert sorted(codes(doc)) == ["xml-doctype", "xml-entity", "xml-entity"]


def test_doctype_system_is_reported_and_not_fetched():
    src = '<!DOCTYPE server SYSTEM "http://example.invalid/x.dtd">\n<server/>'
    doc = parse_xml(src)
    p = only(doc, "xml-doctype")
    assert p.span == (0, 9)
    assert doc.doctype_span == (0, src.index(">") + 1)
    assert codes(doc) == ["xml-doctype"]
    assert doc.root.name == "server"


def test_doctype_with_gt_inside_quotes_and_unclosed_doctype():
    src = '<!DOCTYPE s [<!ENTITY x "a>b">]><s/>'
    doc = parse_xml(src)
    assert doc.doctype_span == (0, src.index("]>") + 2)
    assert doc.root.name == "s"

    src = "<!DOCTYPE s [ <!ENTITY"
    doc = parse_xml(src)
    assert doc.doctype_span == (0, len(src))
    assert doc.root is None
    assert sorted(codes(doc)) == ["xml-doctype", "xml-syntax", "xml-syntax"]
    assert any("DOCTYPE" in p.message for p in doc.problems if p.code == "xml-syntax")


def test_doctype_with_quote_in_a_comment_of_the_internal_subset():
    src = "<!DOCTYPE s [ <!-- it's here --> ]>\n<s><a/></s>"
    doc = parse_xml(src)
    assert sub(src, doc.doctype_span) == "<!DOCTYPE s [ <!-- it's here --> ]>"
    assert doc.root is not None and doc.root.name == "s"
    assert names(doc.root) == ["a"]
    assert codes(doc) == ["xml-doctype"]


def test_xml_declaration_not_at_the_start():
    src = '\n<?xml version="1.0"?><server/>'
    doc = parse_xml(src)
    p = only(doc, "xml-syntax")
    assert sub(src, p.span) == "<?xml"
    assert p.span == (1, 6)

    ok = parse_xml('<?xml version="1.0" encoding="UTF-8"?>\n<server/>')
    assert ok.problems == []


def test_cdata_is_literal_text():
    src = "<a>x<![CDATA[ <b> &amp; & ]]>y</a>"
    doc = parse_xml(src)
    assert doc.problems == []
    a = doc.root
    assert a.children == []
    assert [sub(src, s) for s in a.text_spans] == ["x", " <b> &amp; & ", "y"]
    assert a.text(src) == "x <b> &amp; & y"


def test_unclosed_cdata():
    src = "<a><![CDATA[abc"
    doc = parse_xml(src)
    assert doc.root.text(src) == "abc"
    ps = [p for p in doc.problems if p.code == "xml-syntax"]
    assert [sub(src, p.span) for p in ps] == ["<![CDATA["]


def test_processing_instruction():
    src = "<?xml-stylesheet href='x'?><a><?pi data?>t</a>"
    doc = parse_xml(src)
    assert doc.problems == []
    assert doc.root.text(src) == "t"

    src = "<a><?pi never closed</a>"
    doc = parse_xml(src)
    ps = [p for p in doc.problems if p.code == "xml-syntax"]
    assert [sub(src, p.span) for p in ps] == ["<?"]


def test_bom_at_start():
    src = '\ufeff<?xml version="1.0"?>\n<server id="x"/>'
    doc = parse_xml(src)
    assert doc.problems == []
    assert doc.root.name_span == (src.index("server"), src.index("server") + 6)
    assert LineIndex(src).range(*doc.root.get("id").value_span) == rng(1, 12, 1, 13)


def test_crlf_document_exact_ranges():
    src = '<server>\r\n  <ssl id="a"\r\n       keyStoreRef="ks"/>\r\n  <bad\r\n</server>\r\n'
    doc = parse_xml(src)
    idx = LineIndex(src)
    root = doc.root
    assert names(root) == ["ssl", "bad"]
    ssl, bad = root.children
    assert idx.range(*ssl.name_span) == rng(1, 3, 1, 6)
    assert idx.range(*ssl.get("id").value_span) == rng(1, 11, 1, 12)
    ks = ssl.get("keyStoreRef")
    assert idx.range(*ks.name_span) == rng(2, 7, 2, 18)
    assert idx.range(*ks.value_span) == rng(2, 20, 2, 22)
    p = only(doc, "xml-syntax")
    assert sub(src, p.span) == "bad"
    assert idx.range(*p.span) == rng(3, 3, 3, 6)
    assert idx.range(*root.end_name_span) == rng(4, 2, 4, 8)
    assert idx.range(*root.span) == rng(0, 0, 4, 9)


def test_unquoted_attribute_value():
    src = "<a b=xyz c='1'/>"
    doc = parse_xml(src)
    a = doc.root
    b = a.get("b")
    assert b.value == "xyz"
    assert not b.quoted
    assert sub(src, b.value_span) == "xyz"
    assert sub(src, b.span) == "b=xyz"
    p = only(doc, "xml-syntax")
    assert sub(src, p.span) == "b=xyz"
    assert a.value("c") == "1"
    assert a.self_closing


def test_attribute_without_a_value():
    src = '<a required b="1">t</a>'
    doc = parse_xml(src)
    a = doc.root
    r = a.get("required")
    assert r.value == ""
    assert r.value_span == (r.name_span[1], r.name_span[1])
    assert sub(src, r.name_span) == "required"
    assert sub(src, r.span) == "required"
    p = only(doc, "xml-syntax")
    assert sub(src, p.span) == "required"
    assert a.value("b") == "1"
    assert a.text(src) == "t"
    assert a.closed


def test_junk_inside_a_tag():
    src = '<a #$% b="1" ?>x</a>'
    doc = parse_xml(src)
    ps = [p for p in doc.problems if p.code == "xml-syntax"]
    assert [sub(src, p.span) for p in ps] == ["#$%", "?"]
    assert doc.root.value("b") == "1"
    assert doc.root.text(src) == "x"
    assert doc.root.closed


def test_lt_followed_by_a_space():
    src = "<a>1 < 2</a>"
    doc = parse_xml(src)
    p = only(doc, "xml-syntax")
    assert p.span == (5, 6)
    assert sub(src, p.span) == "<"
    assert doc.root.text(src) == "1 < 2"
    assert doc.root.closed


def test_lt_at_end_and_lone_markup_openers():
    for src in ["<a><", "<a></", "<a><!", "<a><?", "<a><!-", "<a><![CDATA"]:
        doc = parse_xml(src)
        assert doc.root.name == "a", src
        assert "xml-unclosed" in codes(doc), src


def test_deep_nesting_has_no_recursion_error():
    depth = 10_000
    src = "<e>" * depth + "</e>" * depth
    doc = parse_xml(src)
    assert doc.problems == []
    elements = list(doc.iter())
    assert len(elements) == depth
    deepest = elements[-1]
    assert deepest.children == []
    n = 0
    el = deepest
    while el.parent is not None:
        el = el.parent
        n += 1
    assert n == depth - 1 and el is doc.root
    assert doc.element_at(depth * 3 - 1) is deepest
    assert doc.element_at(depth * 3) is deepest


def test_deep_nesting_unclosed():
    depth = 10_000
    src = "<e>" * depth
    doc = parse_xml(src)
    assert len(list(doc.iter())) == depth
    assert codes(doc) == ["xml-unclosed"] * depth


def test_many_unmatched_end_tags_in_deep_nesting_stay_fast():
    depth = 10_000
    src = "<e>" * depth + "</x>" * depth
    t0 = time.process_time()
    doc = parse_xml(src)
    assert time.process_time() - t0 < 2.0
    assert codes(doc).count("xml-mismatch") == depth
    # The innermost <e> was named by the first </x>; the others are unclosed.
    assert codes(doc).count("xml-unclosed") == depth - 1
    # Matching still works after unmatched tags: each </e> closes its own <e>.
    src = "<e>" * depth + "</x></e>" * depth
    doc = parse_xml(src)
    assert codes(doc) == ["xml-mismatch"] * depth
    assert all(e.closed for e in doc.iter())


def test_open_name_counts_survive_implicit_closes():
    # <b> is closed implicitly by </a>; a later </b> must not match it.
    src = "<r><a><b></a></b></r>"
    doc = parse_xml(src)
    assert sub(src, only(doc, "xml-unclosed").span) == "b"
    m = only(doc, "xml-mismatch")
    assert m.span == (src.index("</b>") + 2, src.index("</b>") + 3)
    assert doc.root.closed


def test_one_megabyte_attribute_value_is_fast():
    big = "x" * 1_000_000
    src = f'<server><a v="{big}" w="1"/></server>'
    t0 = time.process_time()
    doc = parse_xml(src)
    assert time.process_time() - t0 < 2.0
    assert doc.problems == []
    a = doc.root.children[0]
    assert len(a.value("v")) == 1_000_000
    assert a.get("v").value_span == (14, 14 + 1_000_000)
    assert a.value("w") == "1"

    # The same with a missing closing quote (recovering path).
    src = f'<server><a v="{big}\n<b/></server>'
    t0 = time.process_time()
    doc = parse_xml(src)
    assert time.process_time() - t0 < 2.0
    assert names(doc.root) == ["a", "b"]
    assert doc.root.children[0].get("v").value_span == (14, 14 + 1_000_000)


def test_empty_and_whitespace_only_input():
    doc = parse_xml("")
    assert doc.root is None
    assert doc.problems == [] and doc.comments == []
    assert list(doc.iter()) == []

    doc = parse_xml(" \r\n\t\n")
    assert doc.root is None
    assert doc.problems == []

    doc = parse_xml("just text")
    assert doc.root is None
    assert sorted(codes(doc)) == ["xml-syntax", "xml-syntax"]


def test_name_characters_are_those_of_xml():
    """The name pattern is written as the complement of XML's name
    characters (it compiles faster): every code point is a name start or a
    name character exactly when XML 1.0 says so."""
    import re

    from zcsec.xmlparse import NAME_CHARS, NAME_PATTERN, NAME_START_CHARS

    def inside(ranges, cp):
        return any(lo <= cp <= hi for lo, hi in ranges)

    name = re.compile(NAME_PATTERN)
    # Every range's edges and the code points just outside them, and a sample of the rest.
    probes = {c for lo, hi in NAME_CHARS for c in (lo - 1, lo, hi, hi + 1)} | set(range(0, 0x3100)) | set(range(0, 0x110000, 97))
    for cp in sorted(p for p in probes if 0 <= p <= 0x10FFFF):
        ch = chr(cp)
        assert bool(name.fullmatch(ch)) == inside(NAME_START_CHARS, cp), hex(cp)
        assert bool(name.fullmatch("a" + ch)) == inside(NAME_CHARS, cp), hex(cp)
    assert inside(NAME_START_CHARS, ord(":")) and not inside(NAME_START_CHARS, ord("-")) and inside(NAME_CHARS, ord("-"))
