"""What is under the cursor in server.xml and in CSD input.

Completion, hover and navigation all start by asking where an offset falls.
This module gives two answers, for two kinds of document:

* a *context* (:func:`xml_context`, :func:`csd_context`) comes from the raw
  text around the cursor.  It copes with a document that is half typed, which
  is the normal state while completion runs: an unclosed tag, a value with no
  closing quote, a keyword whose parenthesis is still open.
* a *spot* (:func:`xml_spot`, :func:`csd_spot`) names the parsed piece of the
  workspace model under the cursor: the element, attribute or CSD command,
  and for a value the id, reference or ``${variable}`` token.  Hover and
  navigation use it, since they work on what the parser understood.

The small text helpers (line bounds, scanning, clamping, span tests) and the
token splitting of id and reference values live here too, so completion and
the spot finders share a single version of each.
"""

from __future__ import annotations

import re
from bisect import bisect_left, bisect_right
from dataclasses import dataclass, field
from typing import Any

from ..catalogue import AttributeSpec
from ..csdparse import CsdCommand, CsdDocument, CsdKeyword, JclState, looks_like_jcl, records
from ..text import Span
from ..workspace import ConfigElement, CsdFile, LibertyConfig, Workspace, XmlFile, norm, ref_ids
from ..xmlparse import NAME_PATTERN, Attribute, Element, XmlDocument


VAR = re.compile(r"\$\{([^}]*)\}")  # a complete ${name} in a value
_NAME_RE = re.compile(NAME_PATTERN)  # an XML element or attribute name
_VAR_CHAR = re.compile(r"[\w.\-]")  # a character of a variable name
_CSD_WORD = re.compile(r"[A-Za-z0-9$@#_\-]")  # a character of a DFHCSDUP word
_CSD_WORD_BEFORE = re.compile(r"([A-Za-z0-9$@#_\-]+)[ \t]*$")
_CSD_DATA_END = 71  # DFHCSDUP reads columns 1-71 of a record; 72 onwards is ignored


# ---------------------------------------------------------------------------
# Text helpers
# ---------------------------------------------------------------------------


def clamp(offset: int, text: str) -> int:
    """``offset`` moved into ``[0, len(text)]``."""
    return max(0, min(offset, len(text)))


def inside(span: Span | None, offset: int) -> bool:
    """Whether ``offset`` lies in ``span``, either end included."""
    return span is not None and span[0] <= offset <= span[1]


def line_bounds(text: str, offset: int) -> Span:
    """The start and end (before the line break) of the line holding ``offset``."""
    # A "\r" can only end the line after the last "\n": looking for one
    # further back would search the whole text before a line of a file
    # without any.
    nl = text.rfind("\n", 0, offset)
    start = max(nl, text.rfind("\r", nl + 1, offset)) + 1
    end = offset
    while end < len(text) and text[end] not in "\r\n":
        end += 1
    return start, end


def scan_back(text: str, offset: int, char_re: re.Pattern, limit: int = 0) -> int:
    """Where a run of ``char_re`` characters that ends at ``offset`` starts (not before ``limit``)."""
    i = offset
    while i > limit and char_re.match(text[i - 1]):
        i -= 1
    return i


def scan_forward(text: str, offset: int, char_re: re.Pattern, limit: int | None = None) -> int:
    """Where a run of ``char_re`` characters that starts at ``offset`` ends (not after ``limit``)."""
    n = len(text) if limit is None else limit
    i = offset
    while i < n and char_re.match(text[i]):
        i += 1
    return i


# ---------------------------------------------------------------------------
# Tokens of id and reference values
# ---------------------------------------------------------------------------


def is_ref_list(aspec: AttributeSpec | None, raw: str) -> bool:
    """Whether a reference value holds a list of ids: the catalogue says
    ``refList``, or (for an attribute it does not know) the value has a comma."""
    return (aspec is not None and aspec.type == "refList") or (aspec is None and "," in raw)


def ref_list_item(text: str, value_start: int, value_end: int | None, offset: int) -> Span:
    """The item of a comma-separated value that the cursor is typing.

    Unlike :func:`~zcsec.workspace.ref_ids`, the item may be empty (just after a comma) and
    only a comma ends it on the left, so it is what a completion replaces."""
    before = text[value_start:offset]
    tok = max(before.rfind(","), -1) + 1
    while tok < len(before) and before[tok] == " ":
        tok += 1
    end = offset
    while end < (value_end or end) and text[end] not in ", ":
        end += 1
    return value_start + tok, end


def is_ref_attr(aspec: AttributeSpec | None, name: str) -> bool:
    """Whether an attribute names other elements by id."""
    if aspec is not None:
        return aspec.type in ("ref", "refList")
    return name.endswith("Ref") or name.endswith("Refs")


# ---------------------------------------------------------------------------
# server.xml context (for completion)
# ---------------------------------------------------------------------------


@dataclass(slots=True)
class XmlContext:
    """What the cursor is on in a (possibly half-typed) XML document.

    ``kind`` is one of ``none``, ``element`` (a name after ``<``),
    ``end-tag`` (a name after ``</``), ``attribute`` (an attribute name),
    ``value`` (inside an attribute value), ``variable`` (after ``${`` in a
    value) or ``text`` (element content)."""

    kind: str
    start: int  # the word being typed: [start, end)
    end: int
    chain: list[Element] = field(default_factory=list)  # enclosing elements, outermost first
    tag: str | None = None  # the element whose start tag holds the cursor
    tag_start: int | None = None  # offset of its '<'
    tag_element: Element | None = None  # that element as parsed, if the parser kept it
    attribute: str | None = None
    present: list[str] = field(default_factory=list)  # attribute names the tag already has
    quote: str | None = None  # the value's quote, None when none was typed yet
    value_start: int | None = None
    value_end: int | None = None

    @property
    def names(self) -> list[str]:
        return [e.name for e in self.chain]


def _in_comment(doc: XmlDocument, text: str, offset: int) -> bool:
    # Inside a comment, or at the end of one that is not closed yet.
    for c in doc.comments:
        a, b = c.span
        if a < offset < b or (offset == b and not text[a:b].endswith("-->")):
            return True
    return False


def _in_cdata(text: str, offset: int) -> bool:
    start = text.rfind("<![CDATA[", 0, offset)
    return start >= 0 and text.rfind("]]>", start, offset) < 0


def _content_end(el: Element) -> int:
    if el.end_name_span is not None:
        return el.end_name_span[0] - 2
    return el.end if el.end >= 0 else el.start_tag_end


def _content_chain(doc: XmlDocument, offset: int) -> list[Element]:
    """The elements whose content holds ``offset``, outermost first."""
    chain: list[Element] = []
    candidates = [doc.root] if doc.root is not None else []
    while candidates:
        nxt = None
        for el in candidates:
            if el.self_closing or el.start > offset:
                continue
            if inside((el.start_tag_end, _content_end(el)), offset):
                nxt = el
                break
        if nxt is None:
            break
        chain.append(nxt)
        candidates = nxt.children
    return chain


def _element_starting_at(doc: XmlDocument, lt: int) -> Element | None:
    """The parsed element whose start tag begins at ``lt``, if any."""
    el = doc.root
    while el is not None:
        if el.start == lt:
            return el
        nxt = None
        for c in el.children:
            if c.start == lt:
                return c
            if c.start > lt:
                break
            if c.start < lt < c.span[1]:
                nxt = c
        el = nxt
    return None


def xml_context(text: str, doc: XmlDocument, offset: int) -> XmlContext:
    """Classify ``offset`` by scanning back to the enclosing ``<``."""
    offset = clamp(offset, text)
    if _in_comment(doc, text, offset) or _in_cdata(text, offset):
        return XmlContext("none", offset, offset)
    lt = text.rfind("<", 0, offset)
    if lt >= 0:
        ctx = _tag_context(text, doc, lt, offset)
        if ctx is not None:
            return ctx
    # Element content: the word is the run of non-blank characters on this
    # line after the last '>'.
    chain = _content_chain(doc, offset)
    line_start, line_end = line_bounds(text, offset)
    stop = re.compile(r"[^\s<>]")
    start = scan_back(text, offset, stop, max(line_start, text.rfind(">", 0, offset) + 1))
    end = scan_forward(text, offset, stop, line_end)
    return XmlContext("text", start, end, chain)


def _tag_context(text: str, doc: XmlDocument, lt: int, offset: int) -> XmlContext | None:  # noqa: C901 - a scanner over a half-typed start tag: one branch per thing the cursor can be on
    """The context inside the tag that starts at ``lt``; None when that tag is
    closed before ``offset`` (the cursor is in element content)."""
    n = len(text)
    if text.startswith("<!", lt) or text.startswith("<?", lt):
        return None if text.find(">", lt, offset) >= 0 else XmlContext("none", offset, offset)
    if text.startswith("</", lt):
        if text.find(">", lt, offset) >= 0:
            return None
        m = _NAME_RE.match(text, lt + 2)
        name_end = m.end() if m is not None and m.start() == lt + 2 else lt + 2
        if offset > name_end:
            return XmlContext("none", offset, offset)
        return XmlContext("end-tag", lt + 2, name_end, _content_chain(doc, lt), tag_start=lt)
    tag_el = _element_starting_at(doc, lt)
    if tag_el is not None:
        parent_chain = _ancestors(tag_el.parent) if tag_el.parent is not None else []
    else:
        parent_chain = _content_chain(doc, lt)
    m = _NAME_RE.match(text, lt + 1)
    if m is None or m.start() != lt + 1:
        if offset == lt + 1:
            return XmlContext("element", offset, offset, parent_chain, tag_start=lt)
        return None if text.find(">", lt, offset) >= 0 else XmlContext("none", offset, offset)
    if offset <= m.end():
        return XmlContext("element", lt + 1, m.end(), parent_chain, tag=m.group(0), tag_start=lt, tag_element=tag_el)
    tag = m.group(0)
    base: dict[str, Any] = dict(chain=parent_chain, tag=tag, tag_start=lt, tag_element=tag_el)
    present: list[str] = []
    # Walk the attributes written before the cursor, one name=value at a time.
    pos = m.end()
    blanks = " \t\r\n"
    while pos < offset:
        ch = text[pos]
        if ch in blanks:
            pos += 1
            continue
        if ch == ">":
            return None
        if ch == "/":
            if text.startswith("/>", pos) and pos + 1 < offset:
                return None
            pos += 1
            continue
        am = _NAME_RE.match(text, pos)
        if am is None:
            pos += 1
            continue
        if am.end() >= offset:
            return _with_present(XmlContext("attribute", am.start(), am.end(), present=present, **base), text, tag_el)
        aname = am.group(0)
        p = am.end()
        while p < offset and text[p] in blanks:
            p += 1
        if p >= offset:
            present.append(aname)
            return _with_present(XmlContext("attribute", offset, offset, present=present, **base), text, tag_el)
        if text[p] != "=":
            present.append(aname)
            pos = p
            continue
        p += 1
        while p < offset and text[p] in blanks:
            p += 1
        if p >= offset:
            ctx = XmlContext("value", offset, offset, attribute=aname, present=present, value_start=offset, value_end=offset, **base)
            return _with_present(ctx, text, tag_el)
        q = text[p]
        if q in "\"'":
            close = text.find(q, p + 1)
            if close < 0 or close >= offset:
                line_end = line_bounds(text, offset)[1]
                vend = close if 0 <= close <= line_end else scan_forward(text, offset, re.compile(r"[^\s<>\"']"), line_end)
                ctx = XmlContext("value", p + 1, vend, attribute=aname, present=present, quote=q, value_start=p + 1, value_end=vend, **base)
                return _with_present(_variable_context(ctx, text, offset), text, tag_el)
            present.append(aname)
            pos = close + 1
            continue
        # An unquoted value runs to the next blank, quote, bracket or '/>'.
        j = p
        while j < n and text[j] not in " \t\r\n<>\"'" and not text.startswith("/>", j):
            j += 1
        if j >= offset:
            ctx = XmlContext("value", p, j, attribute=aname, present=present, value_start=p, value_end=j, **base)
            return _with_present(ctx, text, tag_el)
        present.append(aname)
        pos = j
    if text[offset - 1] in blanks:
        return _with_present(XmlContext("attribute", offset, offset, present=present, **base), text, tag_el)
    return XmlContext("none", offset, offset, **base)


def _ancestors(el: Element) -> list[Element]:
    out = []
    at: Element | None = el
    while at is not None:
        out.append(at)
        at = at.parent
    return list(reversed(out))


def _with_present(ctx: XmlContext, text: str, tag_el: Element | None) -> XmlContext:
    """Add the attributes written after the cursor (the parser kept them)."""
    if tag_el is not None:
        for a in tag_el.attributes:
            if a.name_span[0] >= ctx.end and a.name not in ctx.present:
                ctx.present.append(a.name)
    return ctx


def _variable_context(ctx: XmlContext, text: str, offset: int) -> XmlContext:
    """Turn a value position after an unclosed ``${`` into a variable position."""
    if ctx.value_start is None:
        return ctx
    before = text[ctx.value_start : offset]
    i = before.rfind("${")
    if i < 0 or "}" in before[i:]:
        return ctx
    start = ctx.value_start + i + 2
    end = scan_forward(text, offset, _VAR_CHAR, ctx.value_end)
    ctx.kind = "variable"
    ctx.start, ctx.end = start, end
    return ctx


# ---------------------------------------------------------------------------
# CSD context (for completion)
# ---------------------------------------------------------------------------


def _csd_stream(text: str, line_start: int) -> tuple[bool, int]:
    """(whether the record at ``line_start`` is DFHCSDUP input, where its
    input stream begins): in a JCL job only the in-stream SYSIN data of the
    DFHCSDUP step counts, as the parser reads it."""
    if not looks_like_jcl(text):
        return True, 0
    jcl = JclState(text)
    stream_start = 0
    for start, line in records(text):
        if start >= line_start:
            break
        if jcl.statement(line) and jcl.in_stream:
            stream_start = start + len(line)
    in_stream = jcl.in_stream
    cur = text[line_start : line_bounds(text, line_start)[1]]
    if cur.startswith("//") or cur.startswith("/*"):
        return False, 0
    return in_stream, stream_start


def _verb_start(cmd: CsdCommand) -> int:
    return cmd.verb_span[0]


def command_at(doc: CsdDocument, offset: int) -> CsdCommand | None:
    """The first command whose span holds ``offset`` (either end included),
    found by a binary search: the commands are in the order of the text and
    their spans do not overlap, so only the last command that starts at or
    before ``offset`` and the one before it (when it ends right there) can."""
    cmds = doc.commands
    k = bisect_right(cmds, offset, key=_verb_start) - 1
    for cmd in cmds[max(0, k - 1) : k + 1]:
        if inside(cmd.span, offset):
            return cmd
    return None


@dataclass(slots=True)
class CsdContext:
    """Where the cursor is in DFHCSDUP input: ``kind`` is ``none``, ``word``
    (a command, resource type or keyword) or ``value`` (inside
    ``KEYWORD(``)."""

    kind: str
    start: int
    end: int
    command: CsdCommand | None = None
    keyword: str | None = None  # the keyword as written before '('
    resource_name: bool = False  # inside the parentheses of the resource type
    line_start_word: bool = False  # the word is the first on its record


def csd_context(text: str, doc: CsdDocument, offset: int) -> CsdContext:  # noqa: C901 - a scanner over half-typed DFHCSDUP records: one branch per thing the cursor can be on
    """Classify ``offset`` in DFHCSDUP input (plain, or the SYSIN of a job)."""
    offset = clamp(offset, text)
    line_start, line_end = line_bounds(text, offset)
    col = offset - line_start
    if col > _CSD_DATA_END or text.startswith("*", line_start):
        return CsdContext("none", offset, offset)
    ok, stream_start = _csd_stream(text, line_start)
    if not ok:
        return CsdContext("none", offset, offset)
    start = scan_back(text, offset, _CSD_WORD, line_start)
    end = scan_forward(text, offset, _CSD_WORD, min(line_end, line_start + _CSD_DATA_END))
    # The command the word belongs to: the last one whose verb comes before it.
    k = bisect_left(doc.commands, start, key=_verb_start) - 1
    cmd = doc.commands[k] if k >= 0 and doc.commands[k].verb_span[0] >= stream_start else None
    first_word = text[line_start:start].strip() == ""
    if cmd is None:
        return CsdContext("word", start, end, None, line_start_word=first_word)
    # Join the command's records up to the cursor into one logical text
    # (comment records left out, columns past the data area cut off), keeping
    # for each character the offset it came from.
    logical: list[str] = []
    sources: list[int] = []
    pos = cmd.verb_span[0]
    while pos < offset:
        ls, le = line_bounds(text, pos)
        if not (pos == ls and text.startswith("*", ls)):  # a comment record adds nothing
            stop = min(le, ls + _CSD_DATA_END, offset)
            for i in range(pos, stop):
                logical.append(text[i])
                sources.append(i)
            if stop < offset or le < offset:
                logical.append("\n")
                sources.append(le)
        nxt = le
        if text.startswith("\r\n", nxt):
            nxt += 2
        elif nxt < len(text):
            nxt += 1
        if nxt <= pos:
            break
        pos = nxt
    # Track parentheses and quotes through that text: an open parenthesis at
    # the cursor means a value, and the word before it is its keyword.
    s = "".join(logical)
    depth = 0
    quote = False
    open_kw = None
    open_kw_src = None
    open_paren_src = None
    for i, ch in enumerate(s):
        if quote:
            if ch == "'":
                quote = False
            elif ch == "\n":
                quote, depth = False, 0
            continue
        if ch == "'" and depth > 0:
            quote = True
        elif ch == "(":
            if depth == 0:
                m = _CSD_WORD_BEFORE.search(s, 0, i)
                open_kw = m.group(1) if m else None
                open_kw_src = sources[m.start(1)] if m else None
                open_paren_src = sources[i]
            depth += 1
        elif ch == ")":
            depth = max(0, depth - 1)
        elif ch == "\n":
            depth = 0
    if depth > 0:
        if quote:
            return CsdContext("none", offset, offset, cmd)
        vstart = max(start, (open_paren_src or start) + 1)
        is_resource = cmd.resource_span is not None and open_kw_src == cmd.resource_span[0]
        return CsdContext("value", vstart, end, cmd, open_kw, is_resource)
    return CsdContext("word", start, end, cmd, line_start_word=first_word)


# ---------------------------------------------------------------------------
# Spots in the parsed model (for hover and navigation)
# ---------------------------------------------------------------------------


@dataclass(slots=True)
class Token:
    kind: str  # "ref" (an id in a *Ref value), "id" (the value of id=), "var" (a ${name})
    text: str
    span: Span


@dataclass(slots=True)
class XmlSpot:
    ws: Workspace
    cfg: LibertyConfig
    file: XmlFile
    element: Element
    ce: ConfigElement | None
    part: str  # "name", "attr-name", "attr-value", "text", "other"
    offset: int = 0
    attr: Attribute | None = None
    aspec: AttributeSpec | None = None
    token: Token | None = None


@dataclass(slots=True)
class CsdSpot:
    ws: Workspace
    file: CsdFile
    command: CsdCommand
    part: str  # "verb", "resource", "name", "keyword", "value", "other"
    keyword: CsdKeyword | None = None


def element_map(cfg: LibertyConfig) -> dict[int, ConfigElement]:
    """ConfigElement by the identity of its parsed element: the
    configuration's own index, which edits keep up to date (a map of its own,
    built again after every edit, cost a pass over every element at the
    first hover after each)."""
    return cfg.of_element


def xml_spot(ws: Workspace, path: str, offset: int) -> XmlSpot | None:
    """The element and part of it at ``offset`` in a file of a configuration."""
    p = norm(path)
    cfg = ws.config_for(p)
    if cfg is None:
        return None
    f = cfg.files.get(p)
    if f is None:
        return None
    offset = clamp(offset, f.text)
    el = f.doc.element_at(offset)
    if el is None:
        return None
    ce = element_map(cfg).get(id(el))
    spot = XmlSpot(ws, cfg, f, el, ce, "other", offset)
    if inside(el.name_span, offset) or inside(el.end_name_span, offset):
        spot.part = "name"
        return spot
    if offset < el.start_tag_end:
        for attr in el.attributes:
            aspec = ce.spec.attribute(attr.name) if ce is not None and ce.spec is not None else None
            if inside(attr.name_span, offset):
                spot.part, spot.attr, spot.aspec = "attr-name", attr, aspec
                return spot
            if inside(attr.value_span, offset) and attr.value_span[0] > attr.name_span[1]:
                spot.part, spot.attr, spot.aspec = "attr-value", attr, aspec
                spot.token = _value_token(f.text, attr, aspec, offset)
                return spot
        return spot
    ts = el.text_span(f.text)
    if ts is not None and inside(ts, offset):
        spot.part = "text"
    return spot


def _value_token(text: str, attr: Attribute, aspec: AttributeSpec | None, offset: int) -> Token | None:
    """The variable, id or reference under the cursor in an attribute value."""
    vs, ve = attr.value_span
    raw = text[vs:ve]
    rel = offset - vs
    for m in VAR.finditer(raw):
        if m.start() <= rel <= m.end():
            return Token("var", m.group(1).strip(), (vs + m.start(), vs + m.end()))
    if "${" in raw:
        return None
    if attr.name == "id":
        # The whole value (without its outer blanks), wherever the cursor is in it.
        for ident, off in ref_ids(raw, False):
            return Token("id", ident, (vs + off, vs + off + len(ident)))
        return None
    if is_ref_attr(aspec, attr.name):
        for ident, off in ref_ids(raw, is_ref_list(aspec, raw)):
            if off <= rel <= off + len(ident):
                return Token("ref", ident, (vs + off, vs + off + len(ident)))
    return None


def csd_spot(ws: Workspace, path: str, offset: int) -> CsdSpot | None:
    """The command and part of it at ``offset`` in a CSD file of the workspace."""
    f = ws.csd.files.get(norm(path))
    if f is None:
        return None
    offset = clamp(offset, f.text)
    cmd = command_at(f.doc, offset)
    if cmd is not None:
        if inside(cmd.verb_span, offset):
            return CsdSpot(ws, f, cmd, "verb")
        if inside(cmd.resource_span, offset):
            return CsdSpot(ws, f, cmd, "resource")
        if inside(cmd.name_span, offset):
            return CsdSpot(ws, f, cmd, "name")
        for kw in cmd.keywords:
            if inside(kw.written_span, offset):
                return CsdSpot(ws, f, cmd, "keyword", kw)
            if inside(kw.value_span, offset):
                return CsdSpot(ws, f, cmd, "value", kw)
        return CsdSpot(ws, f, cmd, "other")
    return None
