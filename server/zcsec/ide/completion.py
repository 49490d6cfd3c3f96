"""Completion for server.xml and CSD files, free of LSP types.

:func:`complete` looks at the raw text around the cursor (documents are
rarely well formed while someone types), decides what kind of position it
is, and offers what fits there, from the catalogue and from the workspace:

* server.xml: element names valid under the enclosing element, attributes
  the element does not have yet, enum and boolean values, ``${variables}``,
  feature names, the ids of elements a ``*Ref`` attribute may name (across
  the merged configuration), values that match the CICS side (IPIC ports,
  IPCONN APPLIDs and NETWORKIDs) and whole security set-ups as snippets;
* CSD (plain DFHCSDUP input or the SYSIN of a JCL job): commands, resource
  types, the keywords a definition does not have yet, keyword values and
  the names of other definitions.

Every item carries the span it replaces.  Secret values (passwords, or
variables that look like them) are never shown.
"""

from __future__ import annotations

import json
import re
from dataclasses import dataclass, field
from functools import lru_cache
from pathlib import Path

from ..catalogue import AttributeSpec, CsdKeywordSpec, ElementSpec, LibertyCatalogue, default_schema_dirs, resolve_abbreviation
from ..csdparse import CsdCommand, CsdDocument, JclState, looks_like_jcl, records
from ..posture import is_encoded
from ..secrecy import is_secret_attr, looks_secret, secret_variables
from ..text import LineIndex, Range
from ..workspace import CsdFile, LibertyConfig, Workspace, XmlFile, norm
from ..xmlparse import Element, XmlDocument

Span = tuple[int, int]

# Kinds of items (the LSP adapter maps them to CompletionItemKind).
ELEMENT = "element"
ATTRIBUTE = "attribute"
VALUE = "value"
ENUM = "enum"
REFERENCE = "reference"
VARIABLE = "variable"
FEATURE = "feature"
SNIPPET = "snippet"
COMMAND = "command"
RESOURCE = "resource"
KEYWORD = "keyword"
END_TAG = "end-tag"

_NAME_RE = re.compile(r"(?:[^\W\d]|:)[\w.\-:]*")
_NAME_CHAR = re.compile(r"[\w.\-:]")
_VAR_CHAR = re.compile(r"[\w.\-]")
_CSD_WORD = re.compile(r"[A-Za-z0-9$@#_\-]")
_CSD_WORD_BEFORE = re.compile(r"([A-Za-z0-9$@#_\-]+)[ \t]*$")
_GENERIC_PROVIDERS = {None, "liberty", "security", "other"}


@dataclass(slots=True)
class CompletionItem:
    label: str
    kind: str
    span: Span  # what the insertion replaces (offsets in the document)
    range: Range  # the same, as line/UTF-16 positions
    insert_text: str
    snippet: bool = False  # insert_text uses LSP snippet syntax
    detail: str | None = None
    documentation: str | None = None  # markdown
    sort_text: str | None = None
    filter_text: str | None = None
    retrigger: bool = False  # ask for completion again after inserting (a value follows)
    deprecated: bool = False


@dataclass(slots=True)
class CompletionResult:
    items: list[CompletionItem] = field(default_factory=list)
    context: str = "none"  # what kind of position the cursor is at (for tests and logs)


@dataclass(slots=True)
class Snippet:
    label: str
    description: str
    provider: str
    product_line: str | None
    features: tuple[str, ...]
    body: str


# ---------------------------------------------------------------------------
# Entry points
# ---------------------------------------------------------------------------


def complete(ws: Workspace, path: str, offset: int, *, snippet_support: bool = True, trigger: str | None = None) -> CompletionResult:
    """Completion items for ``offset`` in ``path`` (a file of ``ws``)."""
    p = norm(path)
    cfg = ws.config_for(p)
    if cfg is not None:
        return _complete_xml(ws, cfg, cfg.files[p], offset, snippet_support, trigger)
    f = ws.csd.files.get(p)
    if f is not None:
        return _complete_csd(ws, f, offset, snippet_support, trigger)
    if p.lower().endswith(".xml"):
        xf, _ = ws.store.xml(p)
        if xf is not None:
            return _complete_xml(ws, None, xf, offset, snippet_support, trigger)
    return CompletionResult()


def document_index(ws: Workspace, path: str) -> LineIndex | None:
    """The line index of the text :func:`complete` works on for ``path``."""
    p = norm(path)
    cfg = ws.config_for(p)
    if cfg is not None:
        return cfg.files[p].index
    if p in ws.csd.files:
        return ws.csd.files[p].index
    if p.lower().endswith(".xml"):
        xf, _ = ws.store.xml(p)
        if xf is not None:
            return xf.index
    return None


def complete_at(ws: Workspace, path: str, line: int, character: int, **options) -> CompletionResult:
    """:func:`complete` for an LSP-style position (UTF-16 columns)."""
    index = document_index(ws, path)
    if index is None:
        return CompletionResult()
    return complete(ws, path, index.offset(line, character), **options)


# ---------------------------------------------------------------------------
# Small text helpers
# ---------------------------------------------------------------------------


def _line_bounds(text: str, offset: int) -> Span:
    start = max(text.rfind("\n", 0, offset), text.rfind("\r", 0, offset)) + 1
    end = offset
    while end < len(text) and text[end] not in "\r\n":
        end += 1
    return start, end


def _back(text: str, offset: int, char_re: re.Pattern, limit: int = 0) -> int:
    i = offset
    while i > limit and char_re.match(text[i - 1]):
        i -= 1
    return i


def _fwd(text: str, offset: int, char_re: re.Pattern, limit: int | None = None) -> int:
    n = len(text) if limit is None else limit
    i = offset
    while i < n and char_re.match(text[i]):
        i += 1
    return i


def _first_sentence(doc: str | None, limit: int = 90) -> str | None:
    if not doc:
        return None
    s = doc.strip().split(". ")[0].rstrip(".")
    return s if len(s) <= limit else s[: limit - 1].rstrip() + "…"


def _md(*parts: str | None) -> str | None:
    out = "\n\n".join(p for p in parts if p)
    return out or None


def _snippet_escape(text: str) -> str:
    return text.replace("\\", "\\\\").replace("$", "\\$").replace("}", "\\}")


def _choice_escape(text: str) -> str:
    return _snippet_escape(text).replace(",", "\\,").replace("|", "\\|")


class _Items:
    """Collects items that share a document, a line index and a line."""

    def __init__(self, text: str, offset: int, index: LineIndex | None = None) -> None:
        self.text = text
        self.offset = offset
        self.index = index or LineIndex(text)
        self.line = _line_bounds(text, offset)
        self.items: list[CompletionItem] = []
        self.labels: set[tuple[str, str]] = set()
        self._ranges: dict[Span, Range] = {}

    def add(self, label: str, kind: str, span: Span, insert: str | None = None, *, rank: int = 5, key: str | None = None, **kw) -> None:
        if (kind, label) in self.labels:
            return
        self.labels.add((kind, label))
        # An LSP text edit stays on one line and contains the cursor.
        start = max(self.line[0], min(span[0], self.offset))
        end = min(self.line[1], max(span[1], self.offset))
        kw.setdefault("sort_text", f"{rank:02d}{(key or label).lower()}")
        rng = self._ranges.get((start, end))
        if rng is None:
            rng = self._ranges[(start, end)] = self.index.range(start, end)
        self.items.append(CompletionItem(label, kind, (start, end), rng, label if insert is None else insert, **kw))


# ---------------------------------------------------------------------------
# server.xml: where is the cursor?
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
            if el.start_tag_end <= offset <= _content_end(el):
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
    offset = max(0, min(offset, len(text)))
    if _in_comment(doc, text, offset) or _in_cdata(text, offset):
        return XmlContext("none", offset, offset)
    lt = text.rfind("<", 0, offset)
    if lt >= 0:
        ctx = _tag_context(text, doc, lt, offset)
        if ctx is not None:
            return ctx
    # Element content.
    chain = _content_chain(doc, offset)
    line_start, line_end = _line_bounds(text, offset)
    stop = re.compile(r"[^\s<>]")
    start = _back(text, offset, stop, max(line_start, text.rfind(">", 0, offset) + 1))
    end = _fwd(text, offset, stop, line_end)
    return XmlContext("text", start, end, chain)


def _tag_context(text: str, doc: XmlDocument, lt: int, offset: int) -> XmlContext | None:
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
    base = dict(chain=parent_chain, tag=tag, tag_start=lt, tag_element=tag_el)
    present: list[str] = []
    pos = m.end()
    ws = " \t\r\n"
    while pos < offset:
        ch = text[pos]
        if ch in ws:
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
        while p < offset and text[p] in ws:
            p += 1
        if p >= offset:
            present.append(aname)
            return _with_present(XmlContext("attribute", offset, offset, present=present, **base), text, tag_el)
        if text[p] != "=":
            present.append(aname)
            pos = p
            continue
        p += 1
        while p < offset and text[p] in ws:
            p += 1
        if p >= offset:
            ctx = XmlContext("value", offset, offset, attribute=aname, present=present, value_start=offset, value_end=offset, **base)
            return _with_present(ctx, text, tag_el)
        q = text[p]
        if q in "\"'":
            close = text.find(q, p + 1)
            if close < 0 or close >= offset:
                line_end = _line_bounds(text, offset)[1]
                vend = close if 0 <= close <= line_end else _fwd(text, offset, re.compile(r"[^\s<>\"']"), line_end)
                ctx = XmlContext("value", p + 1, vend, attribute=aname, present=present, quote=q, value_start=p + 1, value_end=vend, **base)
                return _with_present(_variable_context(ctx, text, offset), text, tag_el)
            present.append(aname)
            pos = close + 1
            continue
        j = p
        while j < n and text[j] not in " \t\r\n<>\"'" and not text.startswith("/>", j):
            j += 1
        if j >= offset:
            ctx = XmlContext("value", p, j, attribute=aname, present=present, value_start=p, value_end=j, **base)
            return _with_present(ctx, text, tag_el)
        present.append(aname)
        pos = j
    if text[offset - 1] in ws:
        return _with_present(XmlContext("attribute", offset, offset, present=present, **base), text, tag_el)
    return XmlContext("none", offset, offset, **base)


def _ancestors(el: Element) -> list[Element]:
    out = []
    while el is not None:
        out.append(el)
        el = el.parent
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
    before = text[ctx.value_start : offset]
    i = before.rfind("${")
    if i < 0 or "}" in before[i:]:
        return ctx
    start = ctx.value_start + i + 2
    end = _fwd(text, offset, _VAR_CHAR, ctx.value_end)
    ctx.kind = "variable"
    ctx.start, ctx.end = start, end
    return ctx


# ---------------------------------------------------------------------------
# server.xml: what fits there
# ---------------------------------------------------------------------------


@dataclass(slots=True)
class _XmlEnv:
    ws: Workspace
    cfg: LibertyConfig | None
    file: XmlFile
    lib: LibertyCatalogue
    snippet_support: bool
    enabled: set[str]  # lower-case feature names
    providers: set[str]  # providers with an enabled feature
    product_line: str | None


def _env(ws: Workspace, cfg: LibertyConfig | None, f: XmlFile, snippet_support: bool) -> _XmlEnv:
    lib = ws.catalogue.liberty
    enabled = set(cfg.features) if cfg is not None else set()
    providers = set()
    for name, info in lib.features.items():
        if name.lower() in enabled and info.get("provider") not in _GENERIC_PROVIDERS:
            providers.add(info.get("provider"))
    line = ws.project.product_line
    if line is None and cfg is not None:
        if cfg.has_feature("zosconnect:zosConnect-3.0"):
            line = "OA3"
        elif cfg.has_feature("zosconnect:zosConnect-2.0"):
            line = "OA2"
    return _XmlEnv(ws, cfg, f, lib, snippet_support, enabled, providers, line)


def _resolve(lib: LibertyCatalogue, names: list[str]) -> tuple[str, ElementSpec | None]:
    """('root', None) outside any element, ('top', None) directly in
    <server>, ('spec', spec) inside a known element, ('unknown', None)."""
    if not names:
        return "root", None
    if names[0] != "server":
        return "unknown", None
    spec: ElementSpec | None = None
    for name in names[1:]:
        if spec is None:
            nxt = lib.element(name) or lib.element(lib.canonical_name(name) or "")
        else:
            nxt = spec.child(name)
            if nxt is None and f"{name[:1].lower()}{name[1:]}Ref" in spec.attributes:
                nxt = lib.element(name)  # a referenced element nested in place of its *Ref
        if nxt is None:
            return "unknown", None
        spec = nxt
    return ("top", None) if spec is None else ("spec", spec)


def _complete_xml(ws: Workspace, cfg: LibertyConfig | None, f: XmlFile, offset: int, snippet_support: bool, trigger: str | None) -> CompletionResult:
    text = f.text
    offset = max(0, min(offset, len(text)))
    ctx = xml_context(text, f.doc, offset)
    allowed = {"<": ("element",), " ": ("attribute",), '"': ("value",), "'": ("value",), "{": ("variable",), ":": ("text",), "(": ()}
    if trigger in allowed and ctx.kind not in allowed[trigger]:
        return CompletionResult([], ctx.kind)
    env = _env(ws, cfg, f, snippet_support)
    items = _Items(text, offset, f.index)
    if ctx.kind == "element":
        _element_items(env, ctx, items, in_text=False)
    elif ctx.kind == "end-tag":
        if ctx.chain:
            name = ctx.chain[-1].name
            close = "" if text.startswith(">", ctx.end) else ">"
            items.add(name, END_TAG, (ctx.start, ctx.end), name + close, rank=0, detail=f"close <{name}>")
    elif ctx.kind == "attribute":
        _attribute_items(env, ctx, items)
    elif ctx.kind == "value":
        _value_items(env, ctx, items)
    elif ctx.kind == "variable":
        _variable_items(env, ctx, items)
    elif ctx.kind == "text":
        if ctx.chain and ctx.chain[-1].name == "feature":
            if trigger != " ":
                _feature_items(env, ctx, items)
        elif trigger is None:
            _element_items(env, ctx, items, in_text=True)
    return CompletionResult(items.items, ctx.kind)


# -- elements -------------------------------------------------------------------


_SPEC_FACTS: dict[int, tuple[ElementSpec, bool, str | None]] = {}


def _spec_facts(spec: ElementSpec) -> tuple[bool, str | None]:
    """(whether the element is normally written with children, its
    documentation), computed once per catalogue element."""
    cached = _SPEC_FACTS.get(id(spec))
    if cached is not None and cached[0] is spec:
        return cached[1], cached[2]
    real = [c for c in spec.child_names if f"{c[:1].lower()}{c[1:]}Ref" not in spec.attributes]
    plain_attrs = [a for a, s in spec.attributes.items() if s.type not in ("ref", "refList")]
    container = bool(real) and (any(c.startswith("properties.") for c in real) or len(plain_attrs) <= 2)
    extra = []
    if spec.features:
        extra.append("Enabled by: " + ", ".join(f"`{x}`" for x in spec.features))
    required = [a for a, s in spec.attributes.items() if s.required]
    if required:
        extra.append("Required attributes: " + ", ".join(f"`{a}`" for a in required))
    if spec.link:
        extra.append(f"[Documentation]({spec.link})")
    doc = _md(spec.doc, "  \n".join(extra) if extra else None)
    if len(_SPEC_FACTS) > 4096:
        _SPEC_FACTS.clear()
    _SPEC_FACTS[id(spec)] = (spec, container, doc)
    return container, doc


def _is_container(spec: ElementSpec) -> bool:
    """Whether an element is normally written with content (children)."""
    return _spec_facts(spec)[0]


def _element_rank(env: _XmlEnv, spec: ElementSpec) -> int:
    feats = {x.lower() for x in spec.features}
    if feats & env.enabled or (spec.provider is not None and spec.provider in env.providers):
        return 0
    if spec.provider in ("security", "liberty"):
        return 2
    if spec.provider is not None:
        return 4
    return 5


def _element_doc(env: _XmlEnv, spec: ElementSpec | None) -> str | None:
    return _spec_facts(spec)[1] if spec is not None else None


def _element_insert(env: _XmlEnv, name: str, spec: ElementSpec | None, rest_is_free: bool) -> tuple[str, bool]:
    if not env.snippet_support or not rest_is_free:
        return name, False
    parts = [name]
    n = 0
    if spec is not None:
        for aname, aspec in spec.attributes.items():
            if aspec.required:
                n += 1
                parts.append(f' {aname}="${{{n}}}"')
    head = "".join(parts)
    if spec is not None and spec.text not in ("none", None) and not spec.child_names:
        return f"{head}>${{{n + 1}}}</{name}>$0", True
    if spec is not None and _is_container(spec):
        return f"{head}>\n\t$0\n</{name}>", True
    return f"{head}$0/>", True


def _element_items(env: _XmlEnv, ctx: XmlContext, items: _Items, in_text: bool) -> None:
    state, parent = _resolve(env.lib, ctx.names)
    text = items.text
    if in_text:
        rest_is_free = True
    else:
        after = text[ctx.end : items.line[1]]
        rest_is_free = after.strip() == "" or after.lstrip().startswith("<")
    lt = "<" if in_text else ""
    candidates: list[tuple[str, ElementSpec | None]] = []
    if state == "root":
        if env.file.doc.root is None or env.file.doc.root is ctx.tag_element:
            candidates.append(("server", None))
    elif state == "top":
        present = set()
        if env.cfg is not None:
            present = {ce.name for ce in env.cfg.top if ce.element is not ctx.tag_element}
        for name in env.lib.element_names:
            spec = env.lib.element(name)
            if spec is not None and spec.singleton and name in present:
                continue
            candidates.append((name, spec))
    elif state == "spec" and parent is not None:
        for name in parent.child_names:
            candidates.append((name, parent.child(name)))
    for name, spec in candidates:
        insert, is_snippet = _element_insert(env, name, spec, rest_is_free)
        if name == "server" and spec is None and env.snippet_support and rest_is_free:
            insert, is_snippet = "server>\n\t$0\n</server>", True
        rank = _element_rank(env, spec) if state == "top" and spec is not None else 0
        detail = _first_sentence(spec.doc) if spec is not None else "root element of a Liberty configuration file"
        items.add(
            name,
            ELEMENT,
            (ctx.start, ctx.end),
            lt + insert,
            snippet=is_snippet,
            rank=rank,
            detail=detail,
            documentation=_element_doc(env, spec),
            filter_text=name,
        )
    if state == "top" and env.snippet_support and rest_is_free:
        _snippet_items(env, ctx, items, in_text)


def _snippet_items(env: _XmlEnv, ctx: XmlContext, items: _Items, in_text: bool) -> None:
    start = ctx.start if in_text else (ctx.tag_start if ctx.tag_start is not None else ctx.start)
    typed = items.text[start : items.offset]
    for sn in snippets(tuple(str(p) for p in env.ws.project.schema_dirs)):
        if env.product_line and sn.product_line and sn.product_line != env.product_line:
            continue
        enabled = sn.provider in env.providers or any(
            x.lower() in env.enabled and env.lib.features.get(x, {}).get("provider") == sn.provider for x in sn.features
        )
        elements = " ".join(dict.fromkeys(re.findall(r"<([A-Za-z_][\w.\-]*)", sn.body)))
        preview = _preview(sn.body)
        items.add(
            sn.label,
            SNIPPET,
            (start, ctx.end),
            sn.body,
            snippet=True,
            rank=1 if enabled else 3,
            detail=sn.description,
            documentation=_md(
                "Features: " + ", ".join(f"`{x}`" for x in sn.features) if sn.features else None,
                f"```xml\n{preview}\n```",
            ),
            filter_text=("<" if typed.startswith("<") else "") + f"{sn.provider} {sn.label} {elements}",
        )


# -- attributes -----------------------------------------------------------------


def _attr_detail(aspec: AttributeSpec) -> str:
    kind = aspec.type
    if aspec.type in ("ref", "refList") and aspec.ref_types:
        kind = f"{'reference' if aspec.type == 'ref' else 'references'} to " + " or ".join(f"<{t}>" for t in aspec.ref_types)
    parts = [kind]
    if aspec.required:
        parts.append("required")
    if aspec.default and not aspec.secret:
        parts.append(f"default {aspec.default}")
    if aspec.deprecated:
        parts.append("deprecated")
    return " · ".join(parts)


def _attr_doc(aspec: AttributeSpec) -> str | None:
    extra = []
    if aspec.values:
        extra.append("Values: " + ", ".join(f"`{v}`" for v in aspec.values))
    if aspec.deprecated:
        extra.append(f"Deprecated: {aspec.deprecated}")
    if aspec.secret:
        extra.append("A secret: encode it with `securityUtility encode --encoding=aes`.")
    if not aspec.confirmed:
        extra.append("Not confirmed against IBM's reference.")
    if aspec.link:
        extra.append(f"[Documentation]({aspec.link})")
    return _md(aspec.doc, "  \n".join(extra) if extra else None)


def _has_value_help(env: _XmlEnv, tag: str, aspec: AttributeSpec) -> bool:
    if aspec.type in ("ref", "refList", "enum", "boolean") or aspec.values:
        return True
    return (tag, aspec.name) in _CROSS_SIDE


def _attribute_items(env: _XmlEnv, ctx: XmlContext, items: _Items) -> None:
    state, spec = _resolve(env.lib, ctx.names + [ctx.tag or ""])
    if state != "spec" or spec is None:
        return
    present = {a.lower() for a in ctx.present}
    text = items.text
    j = ctx.end
    while j < len(text) and text[j] in " \t":
        j += 1
    has_value = text.startswith("=", j)
    for aname, aspec in spec.attributes.items():
        if aname.lower() in present:
            continue
        if aspec.required:
            rank = 0
        elif aname == "id":
            rank = 1
        elif aspec.deprecated:
            rank = 4
        else:
            rank = 2
        if has_value:
            insert, is_snippet = aname, False
        elif env.snippet_support:
            if aspec.type == "boolean" or (aspec.type == "enum" and aspec.values):
                choices = list(aspec.values) if aspec.type == "enum" else ["true", "false"]
                if aspec.default in choices:
                    choices.remove(aspec.default)
                    choices.insert(0, aspec.default)
                escaped = ",".join(_choice_escape(c) for c in choices)
                insert = f'{aname}="${{1|{escaped}|}}"$0'
            else:
                insert = f'{aname}="$1"$0'
            is_snippet = True
        else:
            insert, is_snippet = f'{aname}=""', False
        items.add(
            aname,
            ATTRIBUTE,
            (ctx.start, ctx.end),
            insert,
            snippet=is_snippet,
            rank=rank,
            detail=_attr_detail(aspec),
            documentation=_attr_doc(aspec),
            retrigger=is_snippet and aspec.type not in ("boolean", "enum") and _has_value_help(env, spec.name, aspec),
            deprecated=bool(aspec.deprecated),
        )


# -- values ----------------------------------------------------------------------


_CROSS_SIDE = {
    ("zosconnect_cicsIpicConnection", "port"): "port",
    ("zosconnect_cicsIpicConnection", "zosConnectApplid"): "applid",
    ("zosconnect_cicsIpicConnection", "zosConnectNetworkid"): "networkid",
}


def _value_items(env: _XmlEnv, ctx: XmlContext, items: _Items) -> None:
    state, spec = _resolve(env.lib, ctx.names + [ctx.tag or ""])
    if state != "spec" or spec is None or ctx.attribute is None:
        return
    aspec = spec.attribute(ctx.attribute)
    if aspec is None:
        lower = {a.lower(): s for a, s in spec.attributes.items()}
        aspec = lower.get(ctx.attribute.lower())
    if aspec is None:
        return
    if is_secret_attr(None, aspec.name, aspec):
        return  # never suggest (or show) secret values
    text = items.text
    quote = ctx.quote
    wrap = (lambda v: v) if quote else (lambda v: f'"{v}"')
    span = (ctx.start, ctx.end)
    if aspec.type == "refList":
        before = text[ctx.value_start : items.offset]
        tok = max(before.rfind(","), -1) + 1
        while tok < len(before) and before[tok] == " ":
            tok += 1
        end = items.offset
        while end < (ctx.value_end or end) and text[end] not in ", ":
            end += 1
        span = (ctx.value_start + tok, end)
    if aspec.type in ("ref", "refList"):
        _ref_items(env, ctx, items, aspec, span, wrap)
    elif aspec.type == "boolean":
        for v in ("true", "false"):
            items.add(v, ENUM, span, wrap(v), rank=0 if v == aspec.default else 1, detail="default" if v == aspec.default else None)
    elif aspec.values:
        for i, v in enumerate(aspec.values):
            items.add(v, ENUM, span, wrap(v), rank=0 if v == aspec.default else 1, key=f"{i:03d}", detail="default" if v == aspec.default else None)
    cross = _CROSS_SIDE.get((spec.name, aspec.name))
    if cross:
        _cics_items(env, ctx, items, cross, span, wrap)
    if aspec.default and aspec.type not in ("boolean", "enum", "ref", "refList"):
        items.add(aspec.default, VALUE, span, wrap(aspec.default), rank=3, detail="default value")


def _summary(env: _XmlEnv, ce) -> str:
    """A short, secret-free description of a configuration element."""
    parts = []
    for a in ce.element.attributes:
        if a.name == "id":
            continue
        aspec = ce.spec.attribute(a.name) if ce.spec is not None else None
        if is_secret_attr(ce, a.name, aspec) or is_encoded(a.value):
            parts.append(f"{a.name}=(secret)")
        else:
            v = a.value if len(a.value) <= 60 else a.value[:57] + "..."
            parts.append(f'{a.name}="{v}"')
    return f"<{ce.name} id=\"{ce.id}\"" + ("" if not parts else " " + " ".join(parts)) + ">"


def _ref_items(env: _XmlEnv, ctx: XmlContext, items: _Items, aspec: AttributeSpec, span: Span, wrap) -> None:
    cfg = env.cfg
    if cfg is None:
        return
    wanted = set(aspec.ref_types)
    listed = set()
    if aspec.type == "refList":
        listed = {x.strip() for x in items.text[ctx.value_start : ctx.value_end or ctx.value_start].split(",") if x.strip()}
        listed.discard(items.text[span[0] : span[1]].strip())
    own = ctx.tag_element.value("id") if ctx.tag_element is not None else None
    seen = set()
    for ce in cfg.elements:
        ident = ce.id
        if not ident or ce.name not in wanted or ident in listed or ident in seen:
            continue
        if ident == own and ce.element is ctx.tag_element:
            continue
        seen.add(ident)
        index = ce.file.index
        line = index.position(ce.element.start).line + 1
        where = f"{Path(ce.path).name}:{line}"
        same_file = ce.file is env.file
        items.add(
            ident,
            REFERENCE,
            span,
            wrap(ident),
            rank=0 if same_file else 1,
            detail=f"<{ce.name}> in {where}",
            documentation=_md(f"```xml\n{_summary(env, ce)}\n```", f"Defined in `{ce.path}` line {line}."),
        )
    if "ssl" in wanted and "defaultSSLConfig" not in seen and "defaultSSLConfig" not in listed:
        if cfg.find("defaultKeyStore", ["keyStore"]) or cfg.has_feature("transportSecurity-1.0", "ssl-1.0"):
            items.add(
                "defaultSSLConfig",
                REFERENCE,
                span,
                wrap("defaultSSLConfig"),
                rank=2,
                detail="<ssl> built in by Liberty",
                documentation="The SSL configuration Liberty builds from the keyStore with id `defaultKeyStore`.",
            )


def _cics_items(env: _XmlEnv, ctx: XmlContext, items: _Items, what: str, span: Span, wrap) -> None:
    csd = env.ws.csd
    if what == "port":
        by_port: dict[str, list[CsdCommand]] = {}
        for svc in csd.ipic_services():
            port = svc.value("PORTNUMBER")
            if port:
                by_port.setdefault(port.strip(), []).append(svc)
        for port, svcs in sorted(by_port.items()):
            names = ", ".join(sorted({(s.name or "?").upper() for s in svcs}))
            docs = [_csd_summary(env.ws, s, ("PORTNUMBER", "PROTOCOL", "SSL", "CERTIFICATE", "URM")) for s in svcs]
            items.add(port, VALUE, span, wrap(port), rank=0, detail=f"TCPIPSERVICE {names}", documentation=_md(*docs))
        return
    applid_set = ctx.tag_element.value("zosConnectApplid") if ctx.tag_element is not None else None
    for conn in csd.of_type("IPCONN"):
        if what == "applid":
            value = conn.value("APPLID") or conn.name
        else:
            value = conn.value("NETWORKID")
        if not value:
            continue
        value = value.strip().upper()
        userauth = conn.upper("USERAUTH", "LOCAL")
        matches = applid_set is not None and (conn.value("APPLID") or conn.name or "").upper() == applid_set.strip().upper()
        rank = 0 if (what == "networkid" and matches) or (what == "applid" and userauth == "IDENTIFY") else 1
        items.add(
            value,
            VALUE,
            span,
            wrap(value),
            rank=rank,
            detail=f"IPCONN {(conn.name or '?').upper()} · USERAUTH({userauth})",
            documentation=_csd_summary(env.ws, conn, ("APPLID", "NETWORKID", "TCPIPSERVICE", "LINKAUTH", "USERAUTH", "IDPROP", "SSL")),
        )


def _csd_summary(ws: Workspace, cmd: CsdCommand, keys: tuple[str, ...]) -> str:
    shown = " ".join(f"{k}({cmd.value(k)})" for k in keys if cmd.value(k))
    path = ws.csd.path_of(cmd)
    where = f" in `{Path(path).name}`" if path else ""
    group = f" GROUP({cmd.group})" if cmd.group else ""
    return f"`{cmd.resource_type}({(cmd.name or '?').upper()}){group} {shown}`{where}"


def _variable_items(env: _XmlEnv, ctx: XmlContext, items: _Items) -> None:
    cfg = env.cfg
    if cfg is None:
        return
    text = items.text
    close = "" if text.startswith("}", ctx.end) else "}"
    attr_secret = ctx.attribute is not None and looks_secret(ctx.attribute)
    in_secrets = secret_variables(cfg)
    for name, var in sorted(cfg.variables.items()):
        hidden = attr_secret or name in in_secrets or is_encoded(var.value or "")
        if var.value is None:
            shown = "no value"
        elif hidden:
            shown = "value hidden"
        else:
            shown = var.value if len(var.value) <= 60 else var.value[:57] + "..."
        origin = var.origin + (f" ({Path(var.path).name})" if var.path and var.origin == "variable" else "")
        items.add(
            name,
            VARIABLE,
            (ctx.start, ctx.end),
            name + close,
            rank=1 if var.origin == "builtin" else 0,
            detail=f"{origin}: {shown}",
        )


def _feature_items(env: _XmlEnv, ctx: XmlContext, items: _Items) -> None:
    text = items.text
    current = ctx.chain[-1]
    own = current.text(text).strip().lower()
    listed = set(env.enabled)
    if env.cfg is not None and own and len(env.cfg.features.get(own, [])) <= 1:
        listed.discard(own)
    listed.discard(own)
    lines = {env.product_line, "liberty", None} if env.product_line else None
    for name, info in env.lib.features.items():
        if name.lower() in listed:
            continue
        line = info.get("productLine")
        rank = 0 if lines is None or line in lines else 2
        detail = " · ".join(x for x in (line, info.get("provider")) if x)
        superseded = info.get("supersededBy")
        items.add(
            name,
            FEATURE,
            (ctx.start, ctx.end),
            name,
            rank=rank + (1 if superseded else 0),
            detail=detail or None,
            documentation=_md(info.get("doc"), f"Superseded by `{superseded}`." if superseded else None, f"[Documentation]({info['link']})" if info.get("link") else None),
            deprecated=bool(superseded),
        )
    known = {n.lower() for n in env.lib.features}
    for cfg in env.ws.configs:
        for lname, uses in cfg.features.items():
            if lname in listed or lname in known:
                continue
            for f, el in uses:
                if el is current:
                    continue
                name = el.text(f.text).strip()
                items.add(name, FEATURE, (ctx.start, ctx.end), name, rank=1, detail=f"used in {Path(f.path).name}")
                break


# ---------------------------------------------------------------------------
# Snippets
# ---------------------------------------------------------------------------


def _snippet_files(extra_dirs: tuple[str, ...]) -> list[Path]:
    files = []
    for d in [*default_schema_dirs(), *(Path(x) for x in extra_dirs)]:
        folder = Path(d) / "snippets"
        if folder.is_dir():
            files.extend(sorted(folder.glob("*.json")))
    return files


@lru_cache(maxsize=8)
def snippets(extra_dirs: tuple[str, ...] = ()) -> tuple[Snippet, ...]:
    """The bundled snippets (``schemas/snippets/*.json``) and those of a
    project's schema folders; a file that cannot be read is skipped."""
    out = []
    for path in _snippet_files(extra_dirs):
        try:
            data = json.loads(path.read_text(encoding="utf-8"))
        except (OSError, UnicodeDecodeError, ValueError):
            continue
        if not isinstance(data, list):
            continue
        for raw in data:
            if not isinstance(raw, dict) or "label" not in raw or "body" not in raw:
                continue
            body = raw["body"]
            if isinstance(body, list):
                body = "\n".join(str(x) for x in body)
            out.append(
                Snippet(
                    str(raw["label"]),
                    str(raw.get("description", "")),
                    str(raw.get("provider", "other")),
                    raw.get("productLine"),
                    tuple(raw.get("features", ())),
                    str(body),
                )
            )
    return tuple(out)


@lru_cache(maxsize=64)
def _preview(body: str) -> str:
    return expand_snippet(body)


def expand_snippet(body: str) -> str:
    """The text a snippet inserts when every placeholder keeps its default
    (mirrors of a tab stop repeat its default; choices take the first)."""
    defaults: dict[str, str] = {}

    def parse(i: int, stop: str | None) -> tuple[str, int]:
        out = []
        n = len(body)
        while i < n:
            ch = body[i]
            if ch == "\\" and i + 1 < n and body[i + 1] in "\\$},|":
                out.append(body[i + 1])
                i += 2
                continue
            if stop is not None and ch == stop:
                return "".join(out), i
            if ch == "$":
                m = re.compile(r"\$(\d+)|\$\{(\d+)\}|\$\{(\d+):|\$\{(\d+)\|").match(body, i)
                if m is None:
                    out.append(ch)
                    i += 1
                    continue
                if m.group(1) or m.group(2):
                    num = m.group(1) or m.group(2)
                    out.append(("\x00" + num + "\x00") if num != "0" else "")
                    i = m.end()
                    continue
                if m.group(3):
                    num = m.group(3)
                    inner, j = parse(m.end(), "}")
                    defaults.setdefault(num, inner)
                    out.append(inner)
                    i = j + 1
                    continue
                num = m.group(4)
                inner, j = parse(m.end(), "|")
                first = inner.split(",")[0]
                defaults.setdefault(num, first)
                out.append(first)
                i = j + 2
                continue
            out.append(ch)
            i += 1
        return "".join(out), i

    text, _ = parse(0, None)
    return re.sub(r"\x00(\d+)\x00", lambda m: defaults.get(m.group(1), ""), text)


# ---------------------------------------------------------------------------
# CSD
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
    cur = text[line_start : _line_bounds(text, line_start)[1]]
    if cur.startswith("//") or cur.startswith("/*"):
        return False, 0
    return in_stream, stream_start


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


def csd_context(text: str, doc: CsdDocument, offset: int) -> CsdContext:
    offset = max(0, min(offset, len(text)))
    line_start, line_end = _line_bounds(text, offset)
    col = offset - line_start
    if col > 71 or text.startswith("*", line_start):
        return CsdContext("none", offset, offset)
    ok, stream_start = _csd_stream(text, line_start)
    if not ok:
        return CsdContext("none", offset, offset)
    start = _back(text, offset, _CSD_WORD, line_start)
    end = _fwd(text, offset, _CSD_WORD, min(line_end, line_start + 71))
    cmd = None
    for c in doc.commands:
        if stream_start <= c.verb_span[0] < start:
            cmd = c
        elif c.verb_span[0] >= start:
            break
    first_word = text[line_start:start].strip() == ""
    if cmd is None:
        return CsdContext("word", start, end, None, line_start_word=first_word)
    # Scan the command's records up to the cursor: parentheses and quotes.
    logical: list[str] = []
    sources: list[int] = []
    pos = cmd.verb_span[0]
    while pos < offset:
        ls, le = _line_bounds(text, pos)
        if pos == ls and text.startswith("*", ls):
            pass  # a comment record
        else:
            stop = min(le, ls + 71, offset)
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


def _csd_keywords(cmd: CsdCommand) -> dict[str, CsdKeywordSpec]:
    kws: dict[str, CsdKeywordSpec] = {}
    if cmd.spec is not None:
        kws.update(cmd.spec.keywords)
    if cmd.resource_spec is not None:
        kws.update(cmd.resource_spec.keywords)
    return kws


def _kw_detail(spec: CsdKeywordSpec) -> str:
    parts = [spec.type]
    if spec.required:
        parts.append("required")
    if spec.default is not None:
        parts.append(f"default {spec.default}")
    if spec.protocols:
        parts.append("PROTOCOL " + "/".join(spec.protocols))
    return " · ".join(parts)


def _kw_doc(spec: CsdKeywordSpec) -> str | None:
    extra = []
    if spec.values:
        extra.append("Values: " + ", ".join(f"`{v}`" for v in spec.values))
    if spec.abbr and spec.abbr != spec.name:
        extra.append(f"Shortest abbreviation: `{spec.abbr}`" + ("" if spec.abbr_confirmed else " (not confirmed)"))
    if spec.link:
        extra.append(f"[Documentation]({spec.link})")
    return _md(spec.doc, "  \n".join(extra) if extra else None)


def _complete_csd(ws: Workspace, f: CsdFile, offset: int, snippet_support: bool, trigger: str | None) -> CompletionResult:
    text = f.text
    offset = max(0, min(offset, len(text)))
    ctx = csd_context(text, f.doc, offset)
    if trigger is not None and trigger not in (" ", "("):
        return CompletionResult([], ctx.kind)
    if (trigger == "(" and ctx.kind != "value") or (trigger == " " and ctx.kind != "word"):
        return CompletionResult([], ctx.kind)
    items = _Items(text, offset, f.index)
    cat = ws.catalogue.csd
    span = (ctx.start, ctx.end)
    if ctx.kind == "word":
        cmd = ctx.command
        if cmd is None or cmd.verb is None:
            if trigger == " ":
                return CompletionResult([], ctx.kind)
            _command_items(cat, items, span, rank=0)
            return CompletionResult(items.items, "command")
        expects_resource = cmd.spec is not None and cmd.spec.resource in ("required", "optional") and cmd.resource_span is None
        if expects_resource:
            for name, rspec in cat.resource_types.items():
                insert = f"{name}($1)" if snippet_support else f"{name}("
                items.add(
                    name,
                    RESOURCE,
                    span,
                    insert,
                    snippet=snippet_support,
                    rank=0,
                    detail=_first_sentence(rspec.doc),
                    documentation=_md(rspec.doc, f"[Documentation]({rspec.link})" if rspec.link else None),
                )
        # A word in column 1 more likely starts a new command; an indented
        # one more likely continues the current command with a keyword.
        column_one = ctx.start == _line_bounds(text, ctx.start)[0]
        if not expects_resource or cmd.spec.resource == "optional":
            _keyword_items(ws, cmd, items, span, snippet_support, ctx, rank=7 if column_one else 0)
        if ctx.line_start_word and trigger is None:
            _command_items(cat, items, span, rank=0 if column_one else 6)
        return CompletionResult(items.items, "resource" if expects_resource else "keyword")
    if ctx.kind == "value" and ctx.command is not None:
        _csd_value_items(ws, ctx, items, span)
        return CompletionResult(items.items, "value")
    return CompletionResult([], ctx.kind)


def _command_items(cat, items: _Items, span: Span, rank: int) -> None:
    for name, spec in cat.commands.items():
        if spec.ceda_only:
            continue
        items.add(
            name,
            COMMAND,
            span,
            name + " ",
            rank=rank,
            detail=_first_sentence(spec.doc),
            documentation=_md(spec.doc, f"Shortest abbreviation: `{spec.abbr}`" if spec.abbr != name else None, f"[Documentation]({spec.link})" if spec.link else None),
            retrigger=spec.resource in ("required", "optional"),
        )


def _keyword_items(ws: Workspace, cmd: CsdCommand, items: _Items, span: Span, snippet_support: bool, ctx: CsdContext, rank: int = 0) -> None:
    kws = _csd_keywords(cmd)
    given = {kw.name for kw in cmd.keywords if kw.name and kw.written_span[0] != ctx.start}
    protocol = cmd.upper("PROTOCOL") if cmd.resource_type == "TCPIPSERVICE" else None
    for i, (name, spec) in enumerate(kws.items()):
        if name in given:
            continue
        if protocol and spec.protocols and protocol not in spec.protocols:
            continue
        if spec.type == "flag":
            insert, is_snippet = name, False
        elif snippet_support:
            insert, is_snippet = f"{name}($1)", True
        else:
            insert, is_snippet = f"{name}(", False
        items.add(
            name,
            KEYWORD,
            span,
            insert,
            snippet=is_snippet,
            rank=rank + (0 if spec.required else 1),
            key=f"{i:03d}",
            detail=_kw_detail(spec),
            documentation=_kw_doc(spec),
            retrigger=is_snippet and bool(spec.values or spec.ref_type or name == "GROUP"),
        )


def _csd_value_items(ws: Workspace, ctx: CsdContext, items: _Items, span: Span) -> None:
    cmd = ctx.command
    model = ws.csd
    if ctx.resource_name:
        if cmd.verb != "DEFINE" and cmd.resource_type:
            for name, cmds in sorted(model.definitions.get(cmd.resource_type, {}).items()):
                group = cmds[-1].group
                items.add(name, REFERENCE, span, name, rank=0, detail=f"{cmd.resource_type} in GROUP({group})" if group else cmd.resource_type)
        return
    if not ctx.keyword:
        return
    kws = _csd_keywords(cmd)
    res = resolve_abbreviation(ctx.keyword, kws)
    spec = kws.get(res.name) if res.name else None
    if spec is None:
        return
    for i, v in enumerate(spec.values):
        items.add(v, ENUM, span, v, rank=0 if v == spec.default else 1, key=f"{i:03d}", detail="default" if v == spec.default else None)
    if spec.ref_type:
        for name, cmds in sorted(model.definitions.get(spec.ref_type, {}).items()):
            target = cmds[-1]
            ipic = spec.ref_type == "TCPIPSERVICE" and (target.upper("PROTOCOL") or "HTTP") == "IPIC"
            port = target.value("PORTNUMBER")
            detail = " ".join(x for x in (f"PORTNUMBER({port})" if port else None, f"PROTOCOL({target.upper('PROTOCOL') or 'HTTP'})" if spec.ref_type == "TCPIPSERVICE" else None, f"GROUP({target.group})" if target.group else None) if x)
            items.add(
                name,
                REFERENCE,
                span,
                name,
                rank=0 if ipic or spec.ref_type != "TCPIPSERVICE" else 2,
                detail=detail or None,
                documentation=_csd_summary(ws, target, ("PORTNUMBER", "PROTOCOL", "SSL", "CERTIFICATE", "URM")),
            )
    if res.name == "GROUP":
        groups = sorted({c.group for cmds in model.definitions.values() for lst in cmds.values() for c in lst if c.group})
        for g in groups:
            items.add(g, VALUE, span, g, rank=0, detail="CSD group in the workspace")
