"""textDocument/completion: a thin adapter over :mod:`zcsec.ide.completion`.

The analysis decides what to offer; this module only reads the request,
converts positions, and turns zcsec's items into LSP ones according to what the client supports (snippets,
markdown, insert/replace edits, deprecation tags).
"""

from __future__ import annotations

from functools import cache

from lsprotocol import types as lsp

from ..text import LineIndex
from . import lazy
from .common import in_pool
from .convert import span_range, to_offset
from .server import ZcsecServer

TRIGGER_CHARACTERS = ["<", " ", '"', "{", "(", ":"]
_RETRIGGER = lsp.Command(title="Suggest", command="editor.action.triggerSuggest")


@cache
def _kinds() -> dict[str, lsp.CompletionItemKind]:
    """The LSP kind of each of zcsec's item kinds."""
    ide = lazy.ide_completion
    return {
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


def _convert(item: lazy.ide_completion.CompletionItem, index: LineIndex, offset: int, client: _Client) -> lsp.CompletionItem:
    start, end = item.span
    if client.insert_replace and end > offset:
        edit: lsp.TextEdit | lsp.InsertReplaceEdit = lsp.InsertReplaceEdit(
            new_text=item.insert_text, insert=span_range(index, (start, offset)), replace=span_range(index, (start, end))
        )
    else:
        edit = lsp.TextEdit(range=span_range(index, (start, end)), new_text=item.insert_text)
    doc = None
    if item.documentation:
        kind = lsp.MarkupKind.Markdown if client.markdown else lsp.MarkupKind.PlainText
        doc = lsp.MarkupContent(kind=kind, value=item.documentation)
    return lsp.CompletionItem(
        label=item.label,
        kind=_kinds().get(item.kind, lsp.CompletionItemKind.Text),
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


def _compute(ls: ZcsecServer, path: str, position: lsp.Position, trigger: str | None, client: _Client) -> lsp.CompletionList:
    ws = ls.service.snapshot(path).workspace
    index = ws.index_for(path)
    if index is None:
        return lsp.CompletionList(is_incomplete=False, items=[])
    offset = to_offset(index, position)
    result = lazy.ide_completion.complete(ws, path, offset, snippet_support=client.snippets, trigger=trigger)
    return lsp.CompletionList(is_incomplete=False, items=[_convert(i, index, offset, client) for i in result.items])


def register(server: ZcsecServer) -> None:
    @server.feature(lsp.TEXT_DOCUMENT_COMPLETION, lsp.CompletionOptions(trigger_characters=TRIGGER_CHARACTERS))
    async def completion(ls: ZcsecServer, params: lsp.CompletionParams) -> lsp.CompletionList | None:
        path = ls.path_of(params.text_document.uri)
        if path is None:
            return None
        trigger = None
        ctx = params.context
        if ctx is not None and ctx.trigger_kind == lsp.CompletionTriggerKind.TriggerCharacter:
            trigger = ctx.trigger_character
        return await in_pool(ls, "completion", _compute, ls, path, params.position, trigger, _Client(ls))
