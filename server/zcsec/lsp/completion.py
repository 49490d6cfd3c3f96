"""textDocument/completion: a thin adapter over :mod:`zcsec.ide.completion`.

The analysis decides what to offer; this module only reads the request,
converts positions, and turns zcsec's items into LSP ones according to what the client supports (snippets,
markdown, insert/replace edits, deprecation tags), written straight as JSON
(see ``_encode``).
"""

from __future__ import annotations

from collections.abc import Callable
from functools import cache

from lsprotocol import types as lsp

from ..text import Span
from . import lazy
from .common import in_pool
from .convert import Encoded, json_string, range_json, to_offset
from .server import ZcsecServer

TRIGGER_CHARACTERS = ["<", " ", '"', "{", "(", ":"]


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


# Pieces of the JSON an item is written as.  The list is encoded here rather
# than built as lsprotocol objects for pygls to unstructure and encode: for a
# thousand candidates (every listener of a large CSD) that took about 17 ms,
# writing the JSON takes 1.5.  tests/lsp/test_completion_encoding.py compares
# the JSON with what lsprotocol would send.
_EMPTY = '{"isIncomplete":false,"items":[]}'
_DOC_MARKDOWN = ',"documentation":{"kind":"markdown","value":'
_DOC_PLAIN = ',"documentation":{"kind":"plaintext","value":'
_FORMAT_PLAIN = f',"insertTextFormat":{int(lsp.InsertTextFormat.PlainText)}'
_FORMAT_SNIPPET = f',"insertTextFormat":{int(lsp.InsertTextFormat.Snippet)}'
_MODE_ADJUST = f',"insertTextMode":{int(lsp.InsertTextMode.AdjustIndentation)}'
_TAG_DEPRECATED = f',"tags":[{int(lsp.CompletionItemTag.Deprecated)}]'
# editor.action.triggerSuggest: ask for completion again once the item is inserted.
_RETRIGGER = ',"command":{"title":"Suggest","command":"editor.action.triggerSuggest"}'


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


def _encode(item: lazy.ide_completion.CompletionItem, offset: int, client: _Client, range_of: Callable[[Span], str]) -> str:
    """One item as the JSON of an LSP CompletionItem (fields left out where
    lsprotocol leaves out None)."""
    start, end = item.span
    parts = ['{"label":', json_string(item.label), ',"kind":', str(int(_kinds().get(item.kind, lsp.CompletionItemKind.Text)))]
    if item.detail is not None:
        parts += [',"detail":', json_string(item.detail)]
    if item.documentation:
        parts += [_DOC_MARKDOWN if client.markdown else _DOC_PLAIN, json_string(item.documentation), "}"]
    if item.sort_text is not None:
        parts += [',"sortText":', json_string(item.sort_text)]
    if item.filter_text is not None:
        parts += [',"filterText":', json_string(item.filter_text)]
    new_text = json_string(item.insert_text)
    if client.insert_replace and end > offset:
        parts += [',"textEdit":{"newText":', new_text, ',"insert":', range_of((start, offset)), ',"replace":', range_of((start, end)), "}"]
    else:
        parts += [',"textEdit":{"range":', range_of((start, end)), ',"newText":', new_text, "}"]
    parts.append(_FORMAT_SNIPPET if item.snippet else _FORMAT_PLAIN)
    if client.adjust_indentation and "\n" in item.insert_text:
        parts.append(_MODE_ADJUST)
    if item.deprecated and client.deprecated_tag:
        parts.append(_TAG_DEPRECATED)
    elif item.deprecated and client.deprecated_flag:
        parts.append(',"deprecated":true')
    if item.retrigger and client.retrigger:
        parts.append(_RETRIGGER)
    parts.append("}")
    return "".join(parts)


def _compute(ls: ZcsecServer, path: str, position: lsp.Position, trigger: str | None, client: _Client) -> Encoded:
    ws = ls.service.snapshot(path).workspace
    index = ws.index_for(path)
    if index is None:
        return Encoded(_EMPTY)
    offset = to_offset(index, position)
    result = lazy.ide_completion.complete(ws, path, offset, snippet_support=client.snippets, trigger=trigger)
    ranges: dict[Span, str] = {}  # the items of a list mostly share one or two ranges

    def range_of(span: Span) -> str:
        found = ranges.get(span)
        if found is None:
            found = ranges[span] = range_json(index.range(span[0], span[1]))
        return found

    return Encoded('{"isIncomplete":false,"items":[' + ",".join([_encode(i, offset, client, range_of) for i in result.items]) + "]}")


def register(server: ZcsecServer) -> None:
    @server.feature(lsp.TEXT_DOCUMENT_COMPLETION, lsp.CompletionOptions(trigger_characters=TRIGGER_CHARACTERS))
    async def completion(ls: ZcsecServer, params: lsp.CompletionParams) -> Encoded | None:
        path = ls.path_of(params.text_document.uri)
        if path is None:
            return None
        trigger = None
        ctx = params.context
        if ctx is not None and ctx.trigger_kind == lsp.CompletionTriggerKind.TriggerCharacter:
            trigger = ctx.trigger_character
        return await in_pool(ls, "completion", _compute, ls, path, params.position, trigger, _Client(ls))
