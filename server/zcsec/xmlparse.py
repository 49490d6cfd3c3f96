"""A forgiving XML parser that keeps the exact offset of every name and value.

Liberty configuration files are small XML documents, but while a person types
they are rarely well formed.  This parser never raises: it recovers every
element it can (an unclosed tag, a missing quote, a document cut anywhere) and
records each well-formedness problem with the span where it occurs.

It never resolves entities other than the five predefined ones and character
references, never reads a DTD and never touches the network: a DOCTYPE is
skipped and reported.
"""

from __future__ import annotations

import re
import threading
from bisect import bisect_left
from dataclasses import dataclass, field

from .text import Reparse, Span, TextChange, text_change

# An XML name, as XML 1.0 (fifth edition) and libxml2 define it: NameStartChar
# then NameChar (https://www.w3.org/TR/xml/#NT-Name).  ide/cursor.py reads
# names with the same pattern.
NAME_START_CHARS = (
    (0x3A, 0x3A), (0x41, 0x5A), (0x5F, 0x5F), (0x61, 0x7A), (0xC0, 0xD6), (0xD8, 0xF6), (0xF8, 0x2FF), (0x370, 0x37D),
    (0x37F, 0x1FFF), (0x200C, 0x200D), (0x2070, 0x218F), (0x2C00, 0x2FEF), (0x3001, 0xD7FF), (0xF900, 0xFDCF),
    (0xFDF0, 0xFFFD), (0x10000, 0xEFFFF),
)  # fmt: skip
NAME_CHARS = tuple(sorted(NAME_START_CHARS + ((0x2D, 0x2E), (0x30, 0x39), (0xB7, 0xB7), (0x300, 0x36F), (0x203F, 0x2040))))


def _not_in(ranges: tuple[tuple[int, int], ...]) -> str:
    """A regular-expression class of the characters outside ``ranges``
    (sorted code point ranges).  Written as the complement because Python
    compiles such a class about four times faster than the list of the
    ranges themselves (the name classes took 30 ms of the server's start)."""
    out, at = [], 0
    for lo, hi in ranges:
        if lo > at:
            out.append(f"\\U{at:08x}-\\U{lo - 1:08x}")
        at = max(at, hi + 1)
    if at <= 0x10FFFF:
        out.append(f"\\U{at:08x}-\\U0010ffff")
    return "[^" + "".join(out) + "]"


NAME_PATTERN = _not_in(NAME_START_CHARS) + _not_in(NAME_CHARS) + "*"
_NAME = NAME_PATTERN
_NAME_RE = re.compile(_NAME)
# XML's blanks: space, tab, CR and LF only (Python's \s also takes NEL, NBSP, ...).
BLANKS = " \t\r\n"
_S = "[ \t\r\n]"
# A whole, well-formed start tag (the fast path).
_START_TAG = re.compile(
    r"<(" + _NAME + r")((?:" + _S + "+" + _NAME + _S + "*=" + _S + r"*(?:\"[^\"<]*\"|'[^'<]*'))*)" + _S + r"*(/?)>"
)
_ATTR = re.compile(r"(" + _NAME + r")" + _S + "*=" + _S + r"*(?:\"([^\"<]*)\"|'([^'<]*)')")
_END_TAG = re.compile(r"</(" + _NAME + r")?" + _S + r"*(>)?")
_WS = re.compile(_S + "*")
# The XML declaration (https://www.w3.org/TR/xml/#NT-XMLDecl).
_XML_DECL = re.compile(
    r"<\?xml" + _S + "+version" + _S + "*=" + _S + r"*(?:\"1\.[0-9]+\"|'1\.[0-9]+')"
    + "(?:" + _S + "+encoding" + _S + "*=" + _S + r"*(?:\"[A-Za-z][A-Za-z0-9._\-]*\"|'[A-Za-z][A-Za-z0-9._\-]*'))?"
    + "(?:" + _S + "+standalone" + _S + "*=" + _S + r"*(?:\"(?:yes|no)\"|'(?:yes|no)'))?" + _S + r"*\?>"
)
# Characters XML does not allow anywhere (https://www.w3.org/TR/xml/#NT-Char).
_NOT_XML_CHAR = re.compile("[\x00-\x08\x0b\x0c\x0e-\x1f\ud800-\udfff\ufffe\uffff]")


def _skip_ws(text: str, pos: int) -> int:
    """The offset after the blanks at ``pos`` (``pos`` itself when there are none)."""
    m = _WS.match(text, pos)
    return m.end() if m is not None else pos
_ENTITY = re.compile(r"&(?:#([0-9]+)|#x([0-9A-Fa-f]+)|(" + _NAME + r"))?(;)?")
_PREDEFINED = {"lt": "<", "gt": ">", "amp": "&", "quot": '"', "apos": "'"}
_VALUE_STOP = re.compile(r"[\r\n<]")
# What an XML processor does to the characters written in the file (not to
# those that references produce): a line ends in one "\n" however it is
# written, and a blank in an attribute value is one space
# (https://www.w3.org/TR/xml/#sec-line-ends, #AVNormalize).
_LINE_END = re.compile(r"\r\n?")
_VALUE_BLANK = re.compile(r"\r\n|[\t\n\r]")
# Problems reported per document: a file of a million '<' must not become a
# million diagnostics (and minutes of work for the rules and the editor).
MAX_PROBLEMS = 25_000


@dataclass(slots=True)
class Problem:
    """A well-formedness problem: ``code`` is a stable identifier."""

    code: str
    message: str
    span: Span


@dataclass(slots=True, eq=False)
class Attribute:
    name: str
    _name_span: Span
    value: str  # entity references decoded
    _value_span: Span  # the raw text between the quotes (empty span if no value)
    quoted: bool = True  # False when unquoted or the closing quote is missing
    element: "Element | None" = field(default=None, repr=False)

    # An attribute moves with its element when it is next read (see _move),
    # also when it is read without its element (a rule may keep it).
    @property
    def name_span(self) -> Span:
        el = self.element
        if el is not None and el._shift:
            _settle(el)
        return self._name_span

    @property
    def value_span(self) -> Span:
        """The raw text between the quotes (empty span if no value)."""
        el = self.element
        if el is not None and el._shift:
            _settle(el)
        return self._value_span

    @property
    def span(self) -> Span:
        return (self.name_span[0], max(self.name_span[1], self.value_span[1] + (1 if self.quoted else 0)))

    def value_offsets(self, start: int, end: int) -> Span:
        """Where ``value[start:end]`` is written: exact when the value is
        written as it reads (no references, no line break of two
        characters), else the whole value."""
        a, b = self.value_span
        if b - a == len(self.value):
            return (a + start, a + end)
        return self.value_span


@dataclass(slots=True, eq=False)
class Element:
    name: str
    name_span: Span
    start: int  # offset of "<"
    start_tag_end: int  # offset just past ">" of the start tag (or where it stopped)
    end: int = -1  # offset just past the end tag (or of the start tag when empty)
    _attributes: list[Attribute] = field(default_factory=list)
    children: list["Element"] = field(default_factory=list)
    parent: "Element | None" = field(default=None, repr=False)
    _text_spans: list[Span] = field(default_factory=list)
    self_closing: bool = False
    closed: bool = True  # False when the end tag is missing
    end_name_span: Span | None = None
    _shift: int = field(default=0, repr=False)  # how far its attributes and text are still to move (see _move)

    # An element's attributes and text move with it when they are next
    # read: an edit near the top of a large file moves thousands of
    # elements, and nothing reads most of them before the next edit.
    @property
    def attributes(self) -> list[Attribute]:
        if self._shift:
            _settle(self)
        return self._attributes

    @property
    def text_spans(self) -> list[Span]:
        if self._shift:
            _settle(self)
        return self._text_spans

    @text_spans.setter
    def text_spans(self, value: list[Span]) -> None:
        if self._shift:
            _settle(self)
        self._text_spans = value

    def get(self, name: str, exact: bool = False) -> Attribute | None:
        """The attribute called ``name``.  Liberty reads attribute names
        without regard to case (docs/sources.md), so a differently cased
        spelling is found too (the exact spelling wins when both are there);
        ``exact`` for the few names Liberty compares exactly (``id``, and the
        attributes of <include> and <variable>)."""
        for attr in self.attributes:
            if attr.name == name:
                return attr
        if exact:
            return None
        lower = name.lower()
        for attr in self.attributes:
            if attr.name.lower() == lower:
                return attr
        return None

    def attribute_span(self, name: str) -> Span:
        """Where the attribute ``name`` is written, else the element's name."""
        attr = self.get(name)
        return attr.name_span if attr is not None else self.name_span

    def value(self, name: str, default: str | None = None, exact: bool = False) -> str | None:
        attr = self.get(name, exact)
        return attr.value if attr is not None else default

    @property
    def span(self) -> Span:
        return (self.start, self.end if self.end >= 0 else self.start_tag_end)

    def iter(self):
        """This element and all its descendants, in document order."""
        stack = [self]
        while stack:
            el = stack.pop()
            yield el
            stack.extend(reversed(el.children))

    def text(self, source: str) -> str:
        # CDATA content is literal: never decode entities in it.
        return "".join(
            _literal(source[a:b], False) if a >= 9 and source.startswith("<![CDATA[", a - 9) else decode_entities(source[a:b])[0]
            for a, b in self.text_spans
        )

    def text_span(self, source: str) -> Span | None:
        """The span of the element's text content without surrounding blanks."""
        spans = [s for s in self.text_spans if source[s[0] : s[1]].strip()]
        if not spans:
            return None
        start, end = spans[0][0], spans[-1][1]
        raw = source[start:end]
        lead = len(raw) - len(raw.lstrip())
        trail = len(raw) - len(raw.rstrip())
        return (start + lead, end - trail)


@dataclass(slots=True)
class Comment:
    text: str
    span: Span


@dataclass(slots=True)
class ParseNotes:
    """What the parser noted for a later incremental re-parse
    (:func:`reparse_xml`): the start tags whose reading looked further ahead
    than their end, as (offset of '<', offset just past the last character
    looked at), and whether characters XML does not allow were reported."""

    lookaheads: list[tuple[int, int]] = field(default_factory=list)
    bad_chars: bool = False


@dataclass(slots=True, eq=False)
class XmlDocument:
    source: str
    root: Element | None
    comments: list[Comment]
    problems: list[Problem]
    doctype_span: Span | None = None
    notes: ParseNotes = field(default_factory=ParseNotes, repr=False)

    def iter(self):
        if self.root is not None:
            yield from self.root.iter()

    def element_at(self, offset: int) -> Element | None:
        """The innermost element whose span contains ``offset``."""
        found = None
        el = self.root
        while el is not None:
            a, b = el.span
            if not (a <= offset <= b):
                break
            found = el
            nxt = None
            for child in el.children:
                ca, cb = child.span
                if ca <= offset <= cb:
                    nxt = child
                    break
                if ca > offset:
                    break
            el = nxt
        return found


def _literal(raw: str, attribute: bool) -> str:
    """Characters as written, with line ends (and in an attribute value,
    blanks) normalised as an XML processor does."""
    if attribute:
        return _VALUE_BLANK.sub(" ", raw) if ("\n" in raw or "\t" in raw or "\r" in raw) else raw
    return _LINE_END.sub("\n", raw) if "\r" in raw else raw


def decode_entities(raw: str, attribute: bool = False) -> tuple[str, list[tuple[int, int, str]]]:
    """Decode predefined entities and character references, and normalise
    what is written as an XML processor does (:func:`_literal`); ``attribute``
    for an attribute value, else element text.

    Returns the decoded text and a list of problems as (start, end, message)
    relative to ``raw``.  Unknown entities are left as written.
    """
    if "&" not in raw:
        return _literal(raw, attribute), []
    out: list[str] = []
    problems: list[tuple[int, int, str]] = []
    pos = 0
    for m in _ENTITY.finditer(raw):
        out.append(_literal(raw[pos : m.start()], attribute))
        pos = m.end()
        dec, hexa, name, semi = m.groups()
        if semi is None or (dec is None and hexa is None and name is None):
            problems.append((m.start(), m.end(), "a bare '&' must be written as '&amp;'"))
            out.append(m.group(0))
            continue
        if name is not None:
            if name in _PREDEFINED:
                out.append(_PREDEFINED[name])
            else:
                problems.append(
                    (m.start(), m.end(), f"the entity '&{name};' is not defined (Liberty configuration has no DTD)")
                )
                out.append(m.group(0))
            continue
        digits = (dec if dec is not None else hexa).lstrip("0")
        # Guard int(): more than 4300 decimal digits raise ValueError.
        code = 0x110000 if len(digits) > 8 else int(digits or "0", 10 if dec is not None else 16)
        if code == 0 or code > 0x10FFFF or 0xD800 <= code <= 0xDFFF:
            problems.append((m.start(), m.end(), f"'{m.group(0)}' is not a valid character reference"))
            out.append(m.group(0))
        else:
            out.append(chr(code))
    out.append(_literal(raw[pos:], attribute))
    return "".join(out), problems


class _Parser:
    def __init__(self, text: str) -> None:
        self.text = text
        self.n = len(text)
        self.problems: list[Problem] = []
        self.comments: list[Comment] = []
        self.roots: list[Element] = []
        self.stack: list[Element] = []
        self.open_names: dict[str, int] = {}  # how many of each name are on the stack
        self.doctype_span: Span | None = None
        self.dropped = 0  # problems over MAX_PROBLEMS
        self.first_dropped: Span | None = None
        self.mismatched: set[int] = set()  # open elements already reported by an xml-mismatch
        self.notes = ParseNotes()
        self._far = 0  # how far the start tag being read has looked (start_tag_slow)

    def problem(self, code: str, message: str, start: int, end: int) -> None:
        if len(self.problems) >= MAX_PROBLEMS:
            self.dropped += 1
            if self.first_dropped is None:
                self.first_dropped = (start, max(start, end))
            return
        self.problems.append(Problem(code, message, (start, max(start, end))))

    # -- text ---------------------------------------------------------------
    def add_text(self, start: int, end: int) -> None:
        if start >= end:
            return
        raw = self.text[start:end]
        if self.stack:
            self.stack[-1].text_spans.append((start, end))
            if "&" in raw:
                for a, b, msg in decode_entities(raw)[1]:
                    self.problem("xml-entity", msg, start + a, start + b)
            if "]]>" in raw:
                at = start + raw.find("]]>")
                self.problem("xml-syntax", "']]>' is not allowed in text: write ']]&gt;'", at, at + 3)
        elif raw.strip(BLANKS):
            lead = len(raw) - len(raw.lstrip(BLANKS))
            trail = len(raw) - len(raw.rstrip(BLANKS))
            self.problem(
                "xml-syntax",
                "text outside the root element",
                start + lead,
                end - trail,
            )

    # -- main loop ----------------------------------------------------------
    def run(self) -> XmlDocument:
        text, n = self.text, self.n
        pos = 0
        if text.startswith("\ufeff"):
            pos = 1
        for m in _NOT_XML_CHAR.finditer(text):
            self.notes.bad_chars = True
            self.problem("xml-syntax", f"the character U+{ord(m.group(0)):04X} is not allowed in XML", m.start(), m.end())
            if self.dropped:
                break
        while pos < n:
            lt = text.find("<", pos)
            if lt < 0:
                self.add_text(pos, n)
                break
            self.add_text(pos, lt)
            pos = self.markup(lt)
        for el in reversed(self.stack):
            el.closed = False
            el.end = n
            if id(el) in self.mismatched:
                continue
            self.problem(
                "xml-unclosed",
                f"the element '{el.name}' is not closed: add '</{el.name}>'",
                el.name_span[0],
                el.name_span[1],
            )
        self.stack.clear()
        root = self.roots[0] if self.roots else None
        for extra in self.roots[1:]:
            self.problem(
                "xml-syntax",
                f"a second root element '{extra.name}': a configuration file has exactly one root",
                extra.name_span[0],
                extra.name_span[1],
            )
        if root is None and text.strip(BLANKS + "\ufeff"):
            first_line = text.find("\n")
            self.problem("xml-syntax", "no root element found", 0, n if first_line < 0 else first_line)
        if self.dropped:
            self.problems.append(
                Problem(
                    "xml-syntax",
                    f"{self.dropped} more problems from here on are not reported (at most {MAX_PROBLEMS} per file); fix the ones above first",
                    self.first_dropped or (n, n),
                )
            )
        return XmlDocument(text, root, self.comments, self.problems, self.doctype_span, self.notes)

    def region(self, start: int, stop: int, root: Element) -> Element | None:
        """Read ``text[start:stop]`` as content of ``root`` (the only open
        element, as between two children of the root in a full parse) into a
        stand-in for the root, which is returned; None when the stretch is
        not a sequence of whole elements, text and comments that ends exactly
        at ``stop`` (then only a full parse says what it is)."""
        text = self.text
        holder = Element(root.name, root.name_span, root.start, root.start_tag_end)
        self.stack = [holder]
        self.open_names = {root.name: 1}
        pos = start
        while pos < stop:
            lt = text.find("<", pos)
            if lt < 0 or lt > stop:
                return None
            self.add_text(pos, lt)
            if lt == stop:
                pos = stop
                break
            pos = self.markup(lt)
            if not self.stack or pos > stop:
                return None
        if pos != stop or self.stack != [holder] or id(holder) in self.mismatched or self.doctype_span is not None:
            return None
        return holder

    def markup(self, lt: int) -> int:
        text = self.text
        nxt = text[lt + 1 : lt + 2]
        if nxt == "!":
            if text.startswith("<!--", lt):
                return self.comment(lt)
            if text.startswith("<![CDATA[", lt):
                end = text.find("]]>", lt + 9)
                if end < 0:
                    self.problem("xml-syntax", "CDATA section is not closed: add ']]>'", lt, lt + 9)
                    self.add_cdata(lt + 9, self.n)
                    return self.n
                self.add_cdata(lt + 9, end)
                return end + 3
            if text.startswith("<!DOCTYPE", lt):
                return self.doctype(lt)
            self.problem("xml-syntax", "unknown markup declaration", lt, lt + 2)
            end = text.find(">", lt)
            return self.n if end < 0 else end + 1
        if nxt == "?":
            end = text.find("?>", lt + 2)
            if end < 0:
                self.problem("xml-syntax", "processing instruction is not closed: add '?>'", lt, lt + 2)
                return self.n
            self.processing_instruction(lt, end)
            return end + 2
        if nxt == "/":
            return self.end_tag(lt)
        return self.start_tag(lt)

    def processing_instruction(self, lt: int, end: int) -> None:
        """Check ``<?target ...?>`` (``end`` is the offset of ``?>``): a
        name, then a blank or the end; ``xml`` is the XML declaration, at the
        very start of the file only."""
        text = self.text
        m = _NAME_RE.match(text, lt + 2, end)
        if m is None:
            self.problem("xml-syntax", "a processing instruction starts with a name: '<?name ...?>'", lt, lt + 2)
            return
        target = m.group(0)
        if m.end() < end and text[m.end()] not in BLANKS:
            self.problem("xml-syntax", f"a blank must follow the name '{target}' of the processing instruction", m.end(), m.end() + 1)
        if target.lower() != "xml":
            return
        if target != "xml" or lt > (1 if text.startswith("\ufeff") else 0):
            self.problem("xml-syntax", "the XML declaration must be at the very start of the file", lt, lt + 5)
            return
        decl = _XML_DECL.match(text, lt)
        if decl is None or decl.end() != end + 2:
            self.problem("xml-syntax", "the XML declaration is not well formed: write <?xml version=\"1.0\" encoding=\"UTF-8\"?>", lt, end + 2)

    def add_cdata(self, start: int, end: int) -> None:
        if self.stack:
            # CDATA content is literal; record as text without entity checks.
            self.stack[-1].text_spans.append((start, end))
        elif self.text[start:end].strip(BLANKS):
            self.problem("xml-syntax", "character data outside the root element", start, end)

    def comment(self, lt: int) -> int:
        end = self.text.find("-->", lt + 4)
        if end < 0:
            self.problem("xml-syntax", "comment is not closed: add '-->'", lt, lt + 4)
            self.comments.append(Comment(self.text[lt + 4 :], (lt, self.n)))
            return self.n
        body = self.text[lt + 4 : end]
        dd = body.find("--")
        if dd < 0 and body.endswith("-"):
            dd = len(body) - 1  # "--->": the '-' before '-->' makes a '--'
        if dd >= 0:
            self.problem("xml-syntax", "'--' is not allowed inside a comment", lt + 4 + dd, lt + 6 + dd)
        self.comments.append(Comment(body, (lt, end + 3)))
        return end + 3

    def doctype(self, lt: int) -> int:
        text, n = self.text, self.n
        i = lt + 9
        depth = 0
        quote = ""
        while i < n:
            ch = text[i]
            if quote:
                if ch == quote:
                    quote = ""
            elif text.startswith("<!--", i):
                # A comment in the internal subset: quotes in it are not delimiters.
                close = text.find("-->", i + 4)
                i = n if close < 0 else close + 3
                continue
            elif ch in "\"'":
                quote = ch
            elif ch == "[":
                depth += 1
            elif ch == "]":
                depth = max(0, depth - 1)
            elif ch == ">" and depth == 0:
                break
            i += 1
        end = min(n, i + 1)
        self.doctype_span = (lt, end)
        self.problem(
            "xml-doctype",
            "Liberty configuration has no use for a DOCTYPE; zcsec ignores it and never expands its entities or reads external DTDs",
            lt,
            lt + 9,
        )
        if i >= n:
            self.problem("xml-syntax", "DOCTYPE declaration is not closed", lt, lt + 9)
        return end

    # -- tags ---------------------------------------------------------------
    def end_tag(self, lt: int) -> int:
        m = _END_TAG.match(self.text, lt)
        assert m is not None  # the caller saw "</"
        name = m.group(1)
        if m.group(2) is None:
            self.problem("xml-syntax", "end tag is not closed: add '>'", lt, m.end())
        if name is None:
            self.problem("xml-syntax", "end tag without a name", lt, m.end())
            return max(m.end(), lt + 2)
        name_span = (m.start(1), m.end(1))
        end = m.end()
        # Without the count, an end tag that matches nothing would scan the
        # whole stack: quadratic on deeply nested, badly broken input.
        for depth in range(len(self.stack) - 1, -1, -1) if self.open_names.get(name) else ():
            if self.stack[depth].name == name:
                for el in self.stack[depth + 1 :]:
                    el.closed = False
                    el.end = lt
                    if id(el) in self.mismatched:
                        continue
                    self.problem(
                        "xml-unclosed",
                        f"the element '{el.name}' is not closed before '</{name}>': add '</{el.name}>' or make it '<{el.name} ... />'",
                        el.name_span[0],
                        el.name_span[1],
                    )
                el = self.stack[depth]
                el.end = end
                el.end_name_span = name_span
                for gone in self.stack[depth:]:
                    self.open_names[gone.name] -= 1
                del self.stack[depth:]
                return end
        if self.stack:
            # Most likely the end tag of the open element, misspelt: one
            # problem here, and none later for that element being unclosed.
            top = self.stack[-1]
            self.mismatched.add(id(top))
            self.problem("xml-mismatch", f"the end tag '</{name}>' does not match the open element '<{top.name}>': write '</{top.name}>'", *name_span)
            return end
        self.problem("xml-mismatch", f"the end tag '</{name}>' matches no open element", *name_span)
        return end

    def start_tag(self, lt: int) -> int:
        text = self.text
        m = _START_TAG.match(text, lt)
        if m is None:
            return self.start_tag_slow(lt)
        end = m.end()
        el = Element(m.group(1), m.span(1), lt, end)
        a0, a1 = m.span(2)
        if a0 < a1:
            seen = set()
            attributes = el.attributes
            for am in _ATTR.finditer(text, a0, a1):
                q = 3 if am.lastindex == 3 else 2  # the value in single quotes, or in double quotes
                raw = am.group(q)
                value_span = am.span(q)
                if "&" in raw or "\n" in raw or "\t" in raw or "\r" in raw:
                    value, probs = decode_entities(raw, True)
                    for a, b, msg in probs:
                        self.problem("xml-entity", msg, value_span[0] + a, value_span[0] + b)
                else:
                    value = raw  # as written: nothing to decode or normalise
                name = am.group(1)
                attr = Attribute(name, am.span(1), value, value_span, True, el)
                if name in seen:
                    self.problem("xml-duplicate-attribute", f"the attribute '{name}' is given twice", *attr.name_span)
                seen.add(name)
                attributes.append(attr)
        self.open(el, m.group(3) == "/", end)
        return end

    def open(self, el: Element, empty: bool, end: int) -> None:
        if self.stack:
            el.parent = self.stack[-1]
            el.parent.children.append(el)
        else:
            self.roots.append(el)
        if empty:
            el.self_closing = True
            el.end = end
        else:
            self.stack.append(el)
            self.open_names[el.name] = self.open_names.get(el.name, 0) + 1

    def start_tag_slow(self, lt: int) -> int:
        """Recover a start tag that is not well formed, noting when reading
        it looked past its end (a quote searched for further on)."""
        self._far = 0
        end = self._start_tag_slow(lt)
        if self._far > end + 1:
            self.notes.lookaheads.append((lt, self._far))
        return end

    def _start_tag_slow(self, lt: int) -> int:  # noqa: C901 - the tolerant start-tag reader: one branch per way a tag can be broken
        text, n = self.text, self.n
        nm = _NAME_RE.match(text, lt + 1)
        if nm is None:
            self.problem("xml-syntax", "'<' must start a tag; write '&lt;' for a literal '<'", lt, lt + 1)
            self.add_text(lt, lt + 1)
            return lt + 1
        el = Element(nm.group(0), (nm.start(), nm.end()), lt, nm.end())
        pos = nm.end()
        seen: set[str] = set()
        while True:
            pos = _skip_ws(text, pos)
            if pos >= n:
                self.problem("xml-syntax", f"the start tag '<{el.name}' is not closed: add '>' or '/>'", *el.name_span)
                el.start_tag_end = n
                self.open(el, True, n)
                return n
            ch = text[pos]
            if ch == ">":
                el.start_tag_end = pos + 1
                self.open(el, False, pos + 1)
                return pos + 1
            if text.startswith("/>", pos):
                el.start_tag_end = pos + 2
                self.open(el, True, pos + 2)
                return pos + 2
            if ch == "<":
                self.problem("xml-syntax", f"the start tag '<{el.name}' is not closed: add '>' or '/>'", *el.name_span)
                el.start_tag_end = pos
                self.open(el, True, pos)
                return pos
            am = _NAME_RE.match(text, pos)
            if am is None:
                # Junk inside a tag: skip to the next blank, '>' or '<'.
                j = pos + 1
                while j < n and text[j] not in " \t\r\n<>/":
                    j += 1
                self.problem("xml-syntax", f"unexpected '{text[pos:j][:20]}' inside the tag '<{el.name}>'", pos, j)
                pos = j
                continue
            aname, aspan = am.group(0), (am.start(), am.end())
            pos = _skip_ws(text, am.end())
            if pos >= n or text[pos] != "=":
                self.problem("xml-syntax", f"the attribute '{aname}' has no value: write {aname}=\"...\"", *aspan)
                attr = Attribute(aname, aspan, "", (aspan[1], aspan[1]), False, el)
                self.add_attr(el, attr, seen)
                continue
            pos = _skip_ws(text, pos + 1)
            if pos >= n or text[pos] not in "\"'":
                # Unquoted value: take up to a blank, '>' or '<'.
                j = pos
                while j < n and text[j] not in " \t\r\n<>" and not text.startswith("/>", j):
                    j += 1
                self.problem("xml-syntax", f"the value of '{aname}' must be in quotes", aspan[0], j)
                raw = text[pos:j]
                attr = Attribute(aname, aspan, decode_entities(raw, True)[0], (pos, j), False, el)
                self.add_attr(el, attr, seen)
                pos = j
                continue
            quote = text[pos]
            vstart = pos + 1
            close = text.find(quote, vstart)
            self._far = max(self._far, close + 2 if close >= 0 else n)
            bad = text.find("<", vstart, close if close >= 0 else n)
            if bad >= 0 and close >= 0 and "\n" not in text[vstart:close] and (close + 1 >= n or text[close + 1] in " \t\r\n/>"):
                # A '<' in a value that is closed on the same line: a
                # placeholder such as host="<hostname>".  One problem at the
                # '<', and the value is kept whole so that the rest of the
                # element (and of the file) is analysed as written.
                gt = text.find(">", bad, close)
                shown = text[bad : gt + 1] if gt >= 0 else "<"
                hint = f"; '{shown}' looks like a placeholder to fill in" if gt >= 0 and len(shown) <= 40 else ""
                self.problem("xml-syntax", f"'<' is not allowed in an attribute value (write &lt;){hint}", bad, gt + 1 if gt >= 0 else bad + 1)
                raw = text[vstart:close]
                attr = Attribute(aname, aspan, decode_entities(raw, True)[0], (vstart, close), True, el)
                self.add_attr(el, attr, seen)
                pos = close + 1
                continue
            if close < 0 or bad >= 0:
                # Missing closing quote: the value stops at the end of the line
                # (or at a '<', which cannot be part of a value).
                stop_m = _VALUE_STOP.search(text, vstart)
                eol = n if stop_m is None else stop_m.start()
                stop = eol
                # A '>' or '/>' on that line probably closes the tag.
                gt = text.rfind(">", vstart, eol)
                if gt >= 0:
                    stop = gt - 1 if text[gt - 1] == "/" else gt
                self.problem("xml-syntax", f"the value of '{aname}' has no closing {quote}", pos, stop)
                raw = text[vstart:stop]
                attr = Attribute(aname, aspan, decode_entities(raw, True)[0], (vstart, stop), False, el)
                self.add_attr(el, attr, seen)
                pos = stop
                if gt >= 0:
                    continue
                el.start_tag_end = stop
                self.open(el, True, stop)
                return stop
            raw = text[vstart:close]
            value, probs = decode_entities(raw, True)
            for a, b, msg in probs:
                self.problem("xml-entity", msg, vstart + a, vstart + b)
            attr = Attribute(aname, aspan, value, (vstart, close), True, el)
            self.add_attr(el, attr, seen)
            pos = close + 1
            if pos < n and text[pos] not in BLANKS and text[pos] not in ">/<":
                self.problem("xml-syntax", "attributes must be separated by a blank", pos, pos + 1)

    def add_attr(self, el: Element, attr: Attribute, seen: set) -> None:
        if attr.name in seen:
            self.problem("xml-duplicate-attribute", f"the attribute '{attr.name}' is given twice", *attr.name_span)
        seen.add(attr.name)
        el.attributes.append(attr)


def parse_xml(text: str) -> XmlDocument:
    """Parse ``text``; never raises."""
    return _Parser(text).run()


# ---------------------------------------------------------------------------
# Incremental re-parsing
# ---------------------------------------------------------------------------


def reparse_xml(old: XmlDocument, text: str) -> tuple[XmlDocument, Reparse[Element] | None]:
    """The document of ``text``, which is ``old``'s text edited: always
    equal to ``parse_xml(text)``.  When the edit lies among the children of
    the root element (a Liberty server.xml is a flat list of them), only the
    children it touches are read again: ``old`` is updated in place and
    returned with what was re-parsed (its other elements are kept, moved).
    Anything else (an edit in the root's start tag, the prolog or after the
    root, text that does not parse into whole children, a DOCTYPE) is a full
    parse, returned with None.  Either way ``old`` must not be used
    afterwards."""
    change = text_change(old.source, text)
    if change is None:
        if old.source is not text:
            old.source = text
        return old, Reparse(TextChange(0, 0, 0), [], [])
    done = _reparse(old, text, change)
    if done is None:
        return parse_xml(text), None
    return old, done


def _reparse(old: XmlDocument, text: str, change: TextChange) -> Reparse[Element] | None:  # noqa: C901 - every condition under which a part may be read alone, in one place
    root = old.root
    if root is None or not root.closed or root.self_closing or root.end_name_span is None or old.notes.bad_chars:
        return None
    a, d = change.start, change.delta
    content_start, content_end = root.start_tag_end, root.end_name_span[0] - 2
    if change.old_end > content_end:
        return None
    units = root.children
    # The children that end before the edit stay (one more if it ends right
    # at it: its end tag may have looked at the next character), and so do
    # those that start at or after its end.
    i = bisect_left(units, a, key=_end_of)
    j = bisect_left(units, change.old_end, key=_start_of)
    start = units[i - 1].end if i > 0 else content_start
    stop = units[j].start if j < len(units) else content_end
    if start >= a or i > j:
        return None
    if any(at < start and far > a for at, far in old.notes.lookaheads):
        return None  # an earlier start tag was read by looking into the edit
    if old.doctype_span is not None and start <= old.doctype_span[0] < stop:
        return None
    if _NOT_XML_CHAR.search(text, start, stop + d):
        return None
    parser = _Parser(text)
    holder = parser.region(start, stop + d, root)
    if holder is None or parser.doctype_span is not None or parser.notes.bad_chars:
        return None
    pb = _problem_bounds(old.problems, start, stop)
    if pb is None or len(old.problems) - (pb[1] - pb[0]) + len(parser.problems) >= MAX_PROBLEMS:
        return None
    # From here on the old document is changed: nothing may fail.
    old.problems = _spliced(old.problems, pb, parser.problems, d, _move_problem)
    old.comments = _spliced(old.comments, _bounds(old.comments, start, stop, _comment_at), parser.comments, d, _move_comment)
    lookaheads = old.notes.lookaheads
    old.notes = ParseNotes(_spliced(lookaheads, _bounds(lookaheads, start, stop, _first), parser.notes.lookaheads, d, _move_pair), False)
    root.text_spans = _spliced(root.text_spans, _bounds(root.text_spans, start, stop, _first), holder.text_spans, d, _move_pair)
    if d:
        for unit in units[j:]:
            _move(unit, d)
        root.end += d
        root.end_name_span = (root.end_name_span[0] + d, root.end_name_span[1] + d)
        if old.doctype_span is not None and old.doctype_span[0] >= stop:
            old.doctype_span = (old.doctype_span[0] + d, old.doctype_span[1] + d)
    added = holder.children
    for el in added:
        el.parent = root
    removed = units[i:j]
    root.children = units[:i] + added + units[j:]
    old.source = text
    return Reparse(TextChange(start, stop, stop + d), removed, added, change)


def _end_of(el: Element) -> int:
    return el.end


def _start_of(el: Element) -> int:
    return el.start


def _first(pair: tuple[int, int]) -> int:
    return pair[0]


def _comment_at(c: Comment) -> int:
    return c.span[0]


def _bounds(items: list, start: int, stop: int, at) -> tuple[int, int]:
    """Where the items (in document order, by ``at``) from ``start`` to
    ``stop`` are: (first index, index after the last)."""
    return bisect_left(items, start, key=at), bisect_left(items, stop, key=at)


def _problem_bounds(problems: list[Problem], start: int, stop: int) -> tuple[int, int] | None:
    """As :func:`_bounds` for problems, which are in the order they were
    found (not always by offset: an unclosed element is reported where that
    is noticed); None unless those before ``start``, those inside and those
    after ``stop`` come in that order."""
    k0, n = 0, len(problems)
    while k0 < n and problems[k0].span[0] < start:
        k0 += 1
    k1 = k0
    while k1 < n and problems[k1].span[0] < stop:
        k1 += 1
    for k in range(k1, n):
        if problems[k].span[0] < stop:
            return None
    return k0, k1


def _spliced(items: list, bounds: tuple[int, int], new: list, d: int, move) -> list:
    """``items`` with ``items[k0:k1]`` replaced by ``new`` and the items
    after moved by ``d`` (``move(item, d)`` returns it moved)."""
    k0, k1 = bounds
    if not d:
        return items[:k0] + new + items[k1:] if (new or k0 != k1) else items
    return items[:k0] + new + [move(x, d) for x in items[k1:]]


def _move_pair(pair: tuple[int, int], d: int) -> tuple[int, int]:
    return (pair[0] + d, pair[1] + d)


def _move_problem(p: Problem, d: int) -> Problem:
    p.span = (p.span[0] + d, p.span[1] + d)
    return p


def _move_comment(c: Comment, d: int) -> Comment:
    c.span = (c.span[0] + d, c.span[1] + d)
    return c


def _move(el: Element, d: int) -> None:
    """Move an element and its descendants by ``d``: their own offsets now
    (the model refers to every element), their attributes and text when
    those are next read (see _settle)."""
    stack = [el]
    while stack:
        e = stack.pop()
        e.start += d
        e.start_tag_end += d
        e.end += d
        a, b = e.name_span
        e.name_span = (a + d, b + d)
        if e.end_name_span is not None:
            a, b = e.end_name_span
            e.end_name_span = (a + d, b + d)
        e._shift += d
        stack.extend(e.children)


_SETTLING = threading.Lock()


def _settle(el: Element) -> None:
    """Move the attributes and text of ``el`` by the distance it was moved
    since they were last read (once, even when two threads read them at
    once)."""
    with _SETTLING:
        d = el._shift
        if not d:
            return
        for attr in el._attributes:
            a, b = attr._name_span
            attr._name_span = (a + d, b + d)
            a, b = attr._value_span
            attr._value_span = (a + d, b + d)
        if el._text_spans:
            el._text_spans = [(a + d, b + d) for a, b in el._text_spans]
        el._shift = 0
