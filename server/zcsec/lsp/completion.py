"""textDocument/completion: a thin adapter over :mod:`zcsec.ide.completion`.

The analysis decides what to offer; this module only reads the request,
converts positions in the encoding the client negotiated, and turns zcsec's
items into LSP ones according to what the client supports (snippets,
markdown, insert/replace edits, deprecation tags).
"""

from __future__ import annotations

import asyncio

from lsprotocol import types as lsp

from ..ide import completion as ide
from ..text import LineIndex
from ..workspace import norm
from .server import ZcsecServer, server

TRIGGER_CHARACTERS = ["<", " ", '"', "{", "(", ":"]

_KINDS = {
    ide.ELEMENT: lsp.CompletionItemKind.Class,
    ide.END_TAG: lsp.CompletionItemKind.Class,
    ide.ATTRIBUTE: lsp.CompletionItemKind.Property,
    ide.VALUE: lsp.CompletionItemKind.Value,
    ide.ENUM: lsp.CompletionItemKind.EnumMember,
    ide.REFERENCE: lsp.CompletionItemKind.Reference,
    ide.VARIABLE: lsp.CompletionItemKind.Variable,
    ide.FEATURE: lsp.CompletionItemKind.Module,
    ide.SNIPPET: lsp.CompletionItemKind.Snippet,
    ide.COMMAND: lsp.CompletionItemKind.Keyword,
    ide.RESOURCE: lsp.CompletionItemKind.Class,
    ide.KEYWORD: lsp.CompletionItemKind.Property,
}
_RETRIGGER = lsp.Command(title="Suggest", command="editor.action.triggerSuggest")


class _Positions:
    """Offsets <-> LSP positions in the client's position encoding."""

    def __init__(self, index: LineIndex, encoding: str) -> None:
        self.index = index
        self.encoding = str(getattr(encoding, "value", encoding) or "utf-16").lower()

    def _units(self, s: str) -> int:
        if self.encoding == "utf-8":
            return len(s.encode("utf-8", errors="surrogatepass"))
        return len(s)  # utf-32: code points

    def offset(self, pos: lsp.Position) -> int:
        if self.encoding not in ("utf-8", "utf-32"):
            return self.index.offset(pos.line, pos.character)
        idx = self.index
        if pos.line < 0:
            return 0
        if pos.line >= len(idx.starts):
            return len(idx.text)
        start, end = idx.starts[pos.line], idx.ends[pos.line]
        units = 0
        for i in range(start, end):
            if units >= pos.character:
                return i
            units += self._units(idx.text[i])
        return end

    def position(self, offset: int) -> lsp.Position:
        if self.encoding not in ("utf-8", "utf-32"):
            p = self.index.position(offset)
            return lsp.Position(p.line, p.character)
        line = self.index.line_of(offset)
        start = self.index.starts[line]
        return lsp.Position(line, self._units(self.index.text[start : min(offset, self.index.ends[line])]))

    def range(self, start: int, end: int) -> lsp.Range:
        return lsp.Range(self.position(start), self.position(end))


class _Client:
    """What the client's completion support allows."""

    def __init__(self, ls: ZcsecServer) -> None:
        caps = ls.client_capabilities
        td = getattr(caps, "text_document", None)
        comp = getattr(td, "completion", None)
        item = getattr(comp, "completion_item", None)
        self.snippets = bool(getattr(item, "snippet_support", False))
        formats = getattr(item, "documentation_format", None) or ()
        self.markdown = lsp.MarkupKind.Markdown in formats
        self.insert_replace = bool(getattr(item, "insert_replace_support", False))
        self.deprecated_tag = lsp.CompletionItemTag.Deprecated in (getattr(getattr(item, "tag_support", None), "value_set", None) or ())
        self.deprecated_flag = bool(getattr(item, "deprecated_support", False))
        modes = getattr(getattr(item, "insert_text_mode_support", None), "value_set", None) or ()
        self.adjust_indentation = lsp.InsertTextMode.AdjustIndentation in modes
        markdown = getattr(getattr(caps, "general", None), "markdown", None)
        # editor.action.triggerSuggest is a VS Code (and Monaco) command; other
        # clients would send it back to the server as workspace/executeCommand.
        self.retrigger = getattr(markdown, "parser", None) == "marked"


def _convert(item: ide.CompletionItem, pos: _Positions, offset: int, client: _Client) -> lsp.CompletionItem:
    start, end = item.span
    if client.insert_replace and end > offset:
        edit: lsp.TextEdit | lsp.InsertReplaceEdit = lsp.InsertReplaceEdit(
            new_text=item.insert_text, insert=pos.range(start, offset), replace=pos.range(start, end)
        )
    else:
        edit = lsp.TextEdit(range=pos.range(start, end), new_text=item.insert_text)
    doc = None
    if item.documentation:
        kind = lsp.MarkupKind.Markdown if client.markdown else lsp.MarkupKind.PlainText
        doc = lsp.MarkupContent(kind=kind, value=item.documentation)
    return lsp.CompletionItem(
        label=item.label,
        kind=_KINDS.get(item.kind, lsp.CompletionItemKind.Text),
        detail=item.detail,
        documentation=doc,
        sort_text=item.sort_text,
        filter_text=item.filter_text,
        text_edit=edit,
        insert_text_format=lsp.InsertTextFormat.Snippet if item.snippet else lsp.InsertTextFormat.PlainText,
        insert_text_mode=lsp.InsertTextMode.AdjustIndentation if client.adjust_indentation and "\n" in item.insert_text else None,
        tags=[lsp.CompletionItemTag.Deprecated] if item.deprecated and client.deprecated_tag else None,
        deprecated=True if item.deprecated and client.deprecated_flag and not client.deprecated_tag else None,
        command=_RETRIGGER if item.retrigger and client.retrigger else None,
    )


def _compute(ls: ZcsecServer, path: str, position: lsp.Position, trigger: str | None, client: _Client, encoding: str) -> lsp.CompletionList:
    snap = ls.service.snapshot(path)
    ws = snap.workspace
    index = ide.document_index(ws, norm(path))
    if index is None:
        return lsp.CompletionList(is_incomplete=False, items=[])
    pos = _Positions(index, encoding)
    offset = pos.offset(position)
    result = ide.complete(ws, path, offset, snippet_support=client.snippets, trigger=trigger)
    return lsp.CompletionList(is_incomplete=False, items=[_convert(i, pos, offset, client) for i in result.items])


@server.feature(lsp.TEXT_DOCUMENT_COMPLETION, lsp.CompletionOptions(trigger_characters=TRIGGER_CHARACTERS))
async def completion(ls: ZcsecServer, params: lsp.CompletionParams) -> lsp.CompletionList | None:
    path = ls.path_of(params.text_document.uri)
    if path is None:
        return None
    trigger = None
    ctx = params.context
    if ctx is not None and ctx.trigger_kind == lsp.CompletionTriggerKind.TriggerCharacter:
        trigger = ctx.trigger_character
    client = _Client(ls)
    encoding = getattr(ls.workspace, "position_encoding", None) or lsp.PositionEncodingKind.Utf16
    loop = asyncio.get_running_loop()
    return await loop.run_in_executor(ls.thread_pool, _compute, ls, path, params.position, trigger, client, encoding)
