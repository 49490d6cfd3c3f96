"""Helpers shared by the rule modules: spans of attributes and CSD
keywords, the closest known name, the connections of one provider, fact-dependent severities, how
cipher suites are summed up, and edits that keep indentation."""

from __future__ import annotations

import difflib
import re
from functools import lru_cache
from typing import Iterable, Iterator, TypeVar

from ..csdparse import CsdCommand
from ..findings import Edit, Fix, Severity
from ..posture import Posture, postures
from ..text import Span
from ..tls import RANK
from ..workspace import ConfigElement
from .registry import Context

K = TypeVar("K")
V = TypeVar("V")
_BLANKS = re.compile(r"[ \t]*")


def closest(name: str, choices: list[str], cutoff: float) -> str | None:
    """The choice most like ``name`` (a "did you mean"), if any is close enough."""
    found = difflib.get_close_matches(name, choices, n=1, cutoff=cutoff)
    return found[0] if found else None


@lru_cache(maxsize=2)
def _uses_crlf(text: str) -> bool:
    """Whether a file's text uses CRLF: searched once per text, not once
    per fix (for 100,000 DEFINEs with a fix each, that was quadratic).
    The cache holds the texts it answered for: two, not more (with sixteen,
    a server edited for a while held sixteen old copies of a 5 MB CSD)."""
    return "\r\n" in text


def _indent_before(text: str, pos: int, default: str) -> str:
    """The blanks between the start of ``pos``'s line and ``pos``, or
    ``default`` when something else precedes it there (found without
    slicing the whole line: one very long line made that quadratic)."""
    line_start = max(text.rfind("\n", max(0, pos - 4096), pos), text.rfind("\r", max(0, pos - 4096), pos)) + 1
    if line_start == 0 and pos > 4096:
        return default  # a line that long holds more than blanks before pos
    m = _BLANKS.match(text, line_start, pos)
    return text[line_start:pos] if m is not None and m.end() == pos else default


def first_uses(occurrences: Iterable[tuple[K, V]]) -> Iterator[tuple[K, V, str]]:
    """One entry per cause: for (key, data) pairs in file order, yield
    (key, data of the first occurrence, a note on how many more there are).
    A placeholder or an unknown variable used forty times is one finding."""
    first: dict[K, V] = {}
    count: dict[K, int] = {}
    for key, data in occurrences:
        count[key] = count.get(key, 0) + 1
        first.setdefault(key, data)
    for key, data in first.items():
        more = count[key] - 1
        yield key, data, (f" (and {more} more value{'s' if more > 1 else ''} in this file)" if more else "")


def attr_span(ce: ConfigElement, name: str) -> Span:
    attr = ce.element.get(name)
    if attr is None:
        return ce.element.name_span
    return attr.value_span if attr.value_span[1] > attr.value_span[0] else attr.name_span


def attr_full_span(ce: ConfigElement, name: str) -> Span | None:
    """The whole ``name="value"`` text with the blanks before it."""
    attr = ce.element.get(name)
    if attr is None:
        return None
    text = ce.file.text
    start = attr.name_span[0]
    while start > 0 and text[start - 1] in " \t":
        start -= 1
    end = attr.value_span[1] + (1 if attr.quoted else 0)
    return start, end


def remove_attribute_edit(ce: ConfigElement, name: str) -> Edit | None:
    """Remove ``name="value"`` and the blanks before it."""
    span = attr_full_span(ce, name)
    return Edit(ce.path, span, "") if span else None


def keyword_span(cmd: CsdCommand, name: str) -> Span:
    kw = cmd.get(name)
    if kw is None:
        return cmd.resource_span or cmd.verb_span
    return kw.value_span if kw.value_span and kw.value_span[1] > kw.value_span[0] else kw.written_span


def fact_severity(value: bool | None, settled_bad: Severity = Severity.ERROR, unsettled: Severity = Severity.WARNING) -> Severity | None:
    """None when the fact settles the question in the user's favour."""
    if value is True:
        return None
    return settled_bad if value is False else unsettled


def fact_note(name: str, value: bool | None) -> str:
    if value is None:
        return f" If it is, say so with {name} = true in [facts] of .zcsec.toml."
    return ""


def insert_attribute_edit(ce: ConfigElement, text_to_add: str) -> Edit:
    """Insert `` name="value"`` at the end of the element's start tag."""
    text = ce.file.text
    el = ce.element
    end = el.start_tag_end
    pos = end - 2 if text[end - 2 : end] == "/>" else end - 1 if text[end - 1 : end] == ">" else end
    while pos > el.name_span[1] and text[pos - 1] in " \t\r\n":
        pos -= 1
    return Edit(ce.path, (pos, pos), text_to_add)


def sibling_element_edit(ce: ConfigElement, xml: str) -> Edit:
    """Insert a new top-level element after the one holding ``ce``, at the same indentation."""
    top = ce
    while top.parent is not None:
        top = top.parent
    text = top.file.text
    el = top.element
    end = el.span[1]
    indent = _indent_before(text, el.start, "")
    newline = "\r\n" if _uses_crlf(text) else "\n"
    return Edit(top.path, (end, end), f"{newline}{indent}{xml}")


def csd_set_keyword_edit(path: str, text: str, cmd: CsdCommand, name: str, value: str) -> Edit:
    """Change a keyword's value, or add ``NAME(value)`` at the end of the command's last record."""
    kw = cmd.get(name)
    if kw is not None and kw.value_span is not None:
        return Edit(path, kw.value_span, value)
    end = cmd.span[1]
    last = cmd.keywords[-1].written_span[0] if cmd.keywords else cmd.verb_span[0]
    indent = _indent_before(text, last, " ")
    newline = "\r\n" if _uses_crlf(text) else "\n"
    # A new record keeps the command inside columns 1-71.
    return Edit(path, (end, end), f"{newline}{indent}{name}({value})")


def csd_remove_keyword_edit(path: str, text: str, cmd: CsdCommand, name: str) -> Edit | None:
    kw = cmd.get(name)
    if kw is None:
        return None
    start, end = kw.span
    while start > 0 and text[start - 1] in " \t":
        start -= 1
    return Edit(path, (start, end), "")


def postures_of(ctx: Context, *providers: str) -> list[Posture]:
    """The connections of the configuration being checked that belong to
    one of ``providers`` (cics, ims, imsdb, mq, rest, wola)."""
    return [p for p in postures(ctx.workspace, ctx.config) if p.provider in providers]


def removal_fix(title: str, edit: Edit | None) -> list[Fix]:
    return [Fix(title, [edit])] if edit is not None else []


# ---------------------------------------------------------------------------
# Cipher suites (Liberty, IBM MQ and CICS name them differently; zcsec/tls.py
# classifies them alike)
# ---------------------------------------------------------------------------

STRONG_SUITES = "use suites with ECDHE key exchange and AES-GCM (or TLS 1.3)"


def suite_severity(classes: set[str]) -> Severity | None:
    """A warning for broken or weak suites, information for legacy ones."""
    if classes & {"broken", "weak"}:
        return Severity.WARNING
    if "legacy" in classes:
        return Severity.INFORMATION
    return None


def suite_summary(found) -> str:
    """The suites that are not strong, the worst first."""
    bad = sorted((x for x in found if x[1].klass in ("broken", "weak", "legacy")), key=lambda x: RANK[x[1].klass])
    shown = [f"{label} ({s.klass}: {s.why})" for label, s in bad]
    more = f" and {len(shown) - 4} more" if len(shown) > 4 else ""
    return "; ".join(shown[:4]) + more
