"""Completion items: the result types, the item kinds, and the collector that
every completion source (server.xml or CSD) fills.

Kept apart from :mod:`zcsec.ide.completion` so the source modules can use
these without importing the entry point that imports them.
"""

from __future__ import annotations

from dataclasses import dataclass, field
from pathlib import Path

from ..csdparse import CsdCommand
from ..text import LineIndex, Range, Span
from ..workspace import Workspace
from .cursor import line_bounds

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


class Items:
    """Collects items that share a document, a line index and a line."""

    def __init__(self, text: str, offset: int, index: LineIndex | None = None) -> None:
        self.text = text
        self.offset = offset
        self.index = index or LineIndex(text)
        self.line = line_bounds(text, offset)
        self.items: list[CompletionItem] = []
        self.labels: set[tuple[str, str]] = set()
        self._ranges: dict[Span, Range] = {}

    def add(self, label: str, kind: str, span: Span, insert: str | None = None, *, rank: int = 5, key: str | None = None, **kw) -> None:
        """Add an item unless one of the same kind and label is there; ``rank``
        (then ``key``, by default the label) orders the list."""
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
# Text for details and documentation
# ---------------------------------------------------------------------------


def first_sentence(doc: str | None, limit: int = 90) -> str | None:
    """The first sentence of ``doc``, cut to ``limit`` characters."""
    if not doc:
        return None
    s = doc.strip().split(". ")[0].rstrip(".")
    return s if len(s) <= limit else s[: limit - 1].rstrip() + "…"


def md(*parts: str | None) -> str | None:
    """The non-empty parts as markdown paragraphs; None when there are none."""
    out = "\n\n".join(p for p in parts if p)
    return out or None


def csd_summary(ws: Workspace, cmd: CsdCommand, keys: tuple[str, ...]) -> str:
    """One line of code naming a CSD definition and the ``keys`` it sets."""
    shown = " ".join(f"{k}({cmd.value(k)})" for k in keys if cmd.value(k))
    path = ws.csd.path_of(cmd)
    where = f" in `{Path(path).name}`" if path else ""
    group = f" GROUP({cmd.group})" if cmd.group else ""
    return f"`{cmd.resource_type}({(cmd.name or '?').upper()}){group} {shown}`{where}"
