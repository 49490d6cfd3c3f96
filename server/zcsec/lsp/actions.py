"""Quick fixes (``textDocument/codeAction``) for zcsec diagnostics.

Every fix travels in the diagnostic itself (``Diagnostic.data["fixes"]``,
see :mod:`.convert`), so offering it never re-runs the analysis: the action's
WorkspaceEdit is built from the stored edits, which may change another file
(a fix on server.xml that edits a CSD file).  Every zcsec diagnostic also
gets a "Suppress CODE on this line" action that writes (or extends) a
``zcsec-disable-next-line`` comment above the finding's line:

- XML: ``<!-- zcsec-disable-next-line CODE -->`` on a new line with the
  line's indentation;
- CSD: a ``* zcsec-disable-next-line CODE`` comment record (``*`` in
  column 1), also inside the SYSIN stream of a JCL job, never on a JCL line.

The new line keeps the file's line ending.  Where no such comment can hide
the finding (the line starts inside an XML tag or comment, the record
continues a value from column 72, the line is JCL) no suppress action is
offered rather than one that would break the file or not work.
"""

from __future__ import annotations

import re
from typing import Sequence
from bisect import bisect_right

from lsprotocol import types as lsp

from ..sources import norm
from ..text import LineIndex
from . import lazy
from .common import uri_for
from .convert import SOURCE, edits_to_workspace_edit, to_position, to_range
from .server import ZcsecServer

TITLE_PREFIX = "zcsec: "
FIX_ALL = "source.fixAll.zcsec"
MARKER = "zcsec-disable-next-line"
CSD_LAST_COLUMN = 71  # DFHCSDUP reads columns 1-71; 72 continues, 73-80 are sequence numbers

# A whole zcsec-disable-next-line comment on one line; ``codes`` ends after the last code.
_XML_MARKER = re.compile(r"<!--[ \t]*zcsec-disable-next-line\b(?P<codes>(?:[ \t,]+[\w\-]+)*?)[ \t]*-->")
_CSD_MARKER = re.compile(r"^\*[ \t]*zcsec-disable-next-line\b(?P<codes>(?:[ \t,]+[\w\-]+)*)")
_CODE_SPLIT = re.compile(r"[\s,]+")


def code_actions(ls: ZcsecServer, params: lsp.CodeActionParams) -> list[lsp.CodeAction] | None:
    out: list[lsp.CodeAction] = []
    if _kind_wanted(params.context.only, lsp.CodeActionKind.QuickFix.value):
        out.extend(quick_fixes(ls, params))
    if _kind_wanted(params.context.only, FIX_ALL):
        action = fix_all_action(ls, params.text_document.uri)
        if action is not None:
            out.append(action)
    return out or None


def quick_fixes(ls: ZcsecServer, params: lsp.CodeActionParams) -> list[lsp.CodeAction]:
    uri = params.text_document.uri
    diagnostics = [d for d in params.context.diagnostics if d.source == SOURCE]
    if not diagnostics:
        return []
    text = _text_of(ls, uri)
    kind = _file_kind(ls, uri)
    source = DocumentText(text, kind) if text is not None and kind is not None else None
    fixes_current = _fixes_current(ls, uri)
    actions: list[lsp.CodeAction] = []
    suppress: list[lsp.CodeAction] = []
    for diag in diagnostics:
        if fixes_current:
            actions.extend(fix_actions(diag))
        if source is not None:
            action = suppress_action(uri, source, diag)
            if action is not None:
                suppress.append(action)
    return actions + suppress


# -- fix all ------------------------------------------------------------------------
def fix_all_action(ls: ZcsecServer, uri: str) -> lsp.CodeAction | None:
    """One action that applies every safe fix of the findings in the
    document (the editor's "fix all" and fix-on-save); None when there is
    none, or when the published diagnostics are older than the document."""
    path = ls.path_of(uri)
    if path is None or not _fixes_current(ls, uri):
        return None
    plans = lazy.fixing.plan(ls.service.findings(path), only_in=norm(path))
    if not plans:
        return None
    changes = {uri_for(ls, p): [lsp.TextEdit(range=to_range(e.range), new_text=e.new_text) for e in fp.edits] for p, fp in plans.items()}
    count = sum(len(fp.codes) for fp in plans.values())
    return lsp.CodeAction(
        title=f"{TITLE_PREFIX}Fix all safely fixable problems ({count})",
        kind=FIX_ALL,
        edit=lsp.WorkspaceEdit(changes=changes),
    )


# -- fixes carried by the diagnostic ------------------------------------------------
def fix_actions(diag: lsp.Diagnostic) -> list[lsp.CodeAction]:
    """One quick fix per fix in ``diag.data["fixes"]``; nothing when the
    client sent the diagnostic back without its data."""
    data = diag.data
    fixes = data.get("fixes") if isinstance(data, dict) else None
    if not isinstance(fixes, list):
        return []
    out: list[lsp.CodeAction] = []
    for fix in fixes:
        if not isinstance(fix, dict) or not _valid_edits(fix.get("edits")):
            continue
        out.append(
            lsp.CodeAction(
                title=f"{TITLE_PREFIX}{fix.get('title') or 'Fix ' + str(diag.code)}",
                kind=lsp.CodeActionKind.QuickFix,
                diagnostics=[diag],
                is_preferred=True if not out else None,
                edit=edits_to_workspace_edit(fix["edits"]),
            )
        )
    return out


def _valid_edits(edits: object) -> bool:
    if not isinstance(edits, list) or not edits:
        return False
    for e in edits:
        try:
            r = e["range"]
            ok = isinstance(e["uri"], str) and isinstance(e["newText"], str)
            ok = ok and all(isinstance(r[p][k], int) and r[p][k] >= 0 for p in ("start", "end") for k in ("line", "character"))
        except (KeyError, TypeError):
            return False
        if not ok:
            return False
    return True


def _fixes_current(ls: ZcsecServer, uri: str) -> bool:
    """False while the pushed diagnostics of ``uri`` describe an older
    version than the open document: their edits would land on shifted text,
    and fresh diagnostics (with fresh fixes) are on their way."""
    published = getattr(ls, "_published", {})
    doc = ls.open_document(uri)
    if doc is None or uri not in published or published[uri] is None:
        return True  # pull diagnostics, or a document the server did not publish for
    return published[uri] == doc.version


# -- suppression ------------------------------------------------------------------
class DocumentText:
    """The text of one document with what the suppress actions need,
    computed once per request."""

    def __init__(self, text: str, kind: str) -> None:
        self.text = text
        self.kind = kind  # "liberty" or "csd"
        self.index = LineIndex(text)
        self._markup: list[tuple[int, int]] | None = None
        self._kinds: list[str] | None = None

    def inside_markup(self, offset: int) -> bool:
        if self._markup is None:
            self._markup = markup_spans(self.text)
        i = bisect_right(self._markup, (offset, len(self.text) + 2)) - 1
        return i >= 0 and self._markup[i][0] < offset < self._markup[i][1]

    def markup_start(self, offset: int) -> int | None:
        """Where the markup holding ``offset`` starts, if any."""
        if self._markup is None:
            self._markup = markup_spans(self.text)
        i = bisect_right(self._markup, (offset, len(self.text) + 2)) - 1
        if i >= 0 and self._markup[i][0] < offset < self._markup[i][1]:
            return self._markup[i][0]
        return None

    @property
    def record_kinds(self) -> list[str]:
        if self._kinds is None:
            self._kinds = lazy.csdparse.record_kinds(self.text)
        return self._kinds


def suppress_action(uri: str, source: DocumentText, diag: lsp.Diagnostic) -> lsp.CodeAction | None:
    code = diag.code
    if not isinstance(code, str) or not re.fullmatch(r"[\w\-]+", code):
        return None
    line = diag.range.start.line
    edit = xml_suppress_edit(source, line, code) if source.kind == "liberty" else csd_suppress_edit(source, line, code)
    if edit is None:
        return None
    return lsp.CodeAction(
        title=f"{TITLE_PREFIX}Suppress {code} on this line",
        kind=lsp.CodeActionKind.QuickFix,
        diagnostics=[diag],
        edit=lsp.WorkspaceEdit(changes={uri: [edit]}),
    )


def _eol_of(text: str, index: LineIndex, line: int) -> str:
    if line + 1 < index.line_count:
        return text[index.line_end(line) : index.starts[line + 1]]
    m = re.search(r"\r\n|\r|\n", text)
    return m.group(0) if m else "\n"


def _extend(index: LineIndex, line: int, codes: str, codes_end: int, code: str, replace_to: int | None = None) -> lsp.TextEdit | None:
    """Add ``code`` after the code list ending at ``codes_end`` (an offset
    in the line ``line``); None when the list already covers it."""
    present = {c for c in _CODE_SPLIT.split(codes.strip()) if c}
    if not present or "all" in present or code in present:
        return None  # the comment already hides the code
    sep = ", " if "," in codes else " "
    start = index.starts[line] + codes_end
    end = start if replace_to is None else index.starts[line] + replace_to
    return lsp.TextEdit(range=lsp.Range(to_position(index, start), to_position(index, end)), new_text=sep + code)


def xml_suppress_edit(source: DocumentText, line: int, code: str) -> lsp.TextEdit | None:
    text, index = source.text, source.index
    if line < 0 or line >= index.line_count:
        return None
    line_start = index.starts[line]
    line_text = index.line_text(line)
    if line == 0 and line_text.lstrip("\ufeff").startswith("<?xml"):
        return None  # nothing may come before the XML declaration
    if source.inside_markup(line_start):
        # Inside a start tag written over several lines: a comment above the
        # tag covers the whole tag (see engine.suppressions_of).
        lt = source.markup_start(line_start)
        if lt is None or text[lt + 1 : lt + 2] in ("!", "?", "/"):
            return None
        line = index.line_of(lt)
        line_start = index.starts[line]
        if text[line_start:lt].strip():
            return None  # something else starts that line; a comment above would hide it too
        line_text = index.line_text(line)
    if line > 0:
        above = index.line_text(line - 1)
        last = None
        for m in _XML_MARKER.finditer(above):
            last = m
        if last is not None and not source.inside_markup(index.starts[line - 1] + last.start()):
            return _extend(index, line - 1, last.group("codes"), last.end("codes"), code)
    indent = line_text[: len(line_text) - len(line_text.lstrip(" \t"))]
    pos = lsp.Position(line, 0)
    return lsp.TextEdit(range=lsp.Range(pos, pos), new_text=f"{indent}<!-- {MARKER} {code} -->{_eol_of(text, index, line)}")


def markup_spans(text: str) -> list[tuple[int, int]]:
    """The (start, end) spans of every tag, comment, CDATA section,
    processing instruction and DOCTYPE, in order; an unclosed one runs to
    the end of the text.  No comment may be inserted strictly inside one."""
    spans: list[tuple[int, int]] = []
    i = 0
    n = len(text)
    while True:
        lt = text.find("<", i)
        if lt < 0:
            return spans
        if text.startswith("<!--", lt):
            end = text.find("-->", lt + 4)
            close = end + 3
        elif text.startswith("<![CDATA[", lt):
            end = text.find("]]>", lt + 9)
            close = end + 3
        elif text.startswith("<?", lt):
            end = text.find("?>", lt + 2)
            close = end + 2
        else:
            end = _tag_end(text, lt, doctype=text.startswith("<!", lt))
            close = end + 1
        if end < 0:
            spans.append((lt, n + 1))
            return spans
        spans.append((lt, close))
        i = close


def _tag_end(text: str, lt: int, doctype: bool) -> int:
    """Offset of the ``>`` that ends the tag at ``lt`` (quotes respected;
    a DOCTYPE's internal subset in brackets skipped); -1 if none."""
    quote = None
    depth = 0
    for j in range(lt + 1, len(text)):
        ch = text[j]
        if quote:
            if ch == quote:
                quote = None
        elif ch in "\"'":
            quote = ch
        elif doctype and ch == "[":
            depth += 1
        elif doctype and ch == "]":
            depth -= 1
        elif ch == ">" and depth <= 0:
            return j
    return -1


def csd_suppress_edit(source: DocumentText, line: int, code: str) -> lsp.TextEdit | None:
    text, index = source.text, source.index
    kinds = source.record_kinds
    if line < 0 or line >= min(index.line_count, len(kinds)) or kinds[line] != "record":
        return None  # a JCL line, a continued value, a comment, or outside the DFHCSDUP input
    if line > 0 and kinds[line - 1] == "comment":
        above = index.line_text(line - 1)
        m = _CSD_MARKER.match(above[:CSD_LAST_COLUMN])
        if m is not None:
            return _csd_extend(index, line - 1, above, m, code)
    new = f"* {MARKER} {code}"
    if len(new) > CSD_LAST_COLUMN:
        return None
    pos = lsp.Position(line, 0)
    return lsp.TextEdit(range=lsp.Range(pos, pos), new_text=new + _eol_of(text, index, line))


def _csd_extend(index: LineIndex, line: int, record: str, m: re.Match, code: str) -> lsp.TextEdit | None:
    """Extend a comment record's code list inside columns 1-71, keeping
    anything in columns 73-80 (sequence numbers) where it is."""
    codes_end = m.end("codes")
    added = len(code) + (2 if "," in m.group("codes") else 1)
    if codes_end + added > CSD_LAST_COLUMN:
        return None
    rest = record[codes_end:]
    if not rest.strip():
        return _extend(index, line, m.group("codes"), codes_end, code, replace_to=len(record))
    if record[codes_end : codes_end + added].strip() == "" and codes_end + added <= len(record):
        return _extend(index, line, m.group("codes"), codes_end, code, replace_to=codes_end + added)
    return None


# -- helpers ------------------------------------------------------------------------
def _kind_wanted(only: Sequence[lsp.CodeActionKind | str] | None, kind: str) -> bool:
    """Whether a request limited to the kinds ``only`` wants actions of ``kind``
    (a kind covers its sub-kinds: ``source`` covers ``source.fixAll.zcsec``)."""
    if not only:
        return True
    kinds = [getattr(k, "value", k) for k in only]
    return any(k in ("", kind) or kind.startswith(f"{k}.") for k in kinds)


def _text_of(ls: ZcsecServer, uri: str) -> str | None:
    try:
        return ls.workspace.get_text_document(uri).source
    except Exception:  # noqa: BLE001 - a document the server cannot read gets no suppress action
        return None


def _file_kind(ls: ZcsecServer, uri: str) -> str | None:
    """'liberty' or 'csd', as the analysis decided it."""
    path = ls.path_of(uri)
    return ls.service.kind(path) if path is not None else None


def register(server: ZcsecServer) -> None:
    server.feature(
        lsp.TEXT_DOCUMENT_CODE_ACTION,
        lsp.CodeActionOptions(code_action_kinds=[lsp.CodeActionKind.QuickFix, lsp.CodeActionKind.SourceFixAll, FIX_ALL], resolve_provider=False),
    )(code_actions)
