"""The completion adapter writes its list as JSON itself (zcsec.lsp.completion._encode)
instead of building lsprotocol objects for pygls to encode.  These tests hold
that JSON to what lsprotocol and pygls' converter make of the same items, for
every kind of item and every client, and check how the protocol sends such a
result."""

from __future__ import annotations

import json
from types import SimpleNamespace

import pytest
from lsprotocol import types as lsp
from pygls.protocol import default_converter

from zcsec.ide import completion as ide
from zcsec.lsp import completion as adapter
from zcsec.lsp.app import create_server
from zcsec.lsp.convert import Encoded, range_json
from zcsec.lsp.server import ZcsecProtocol
from zcsec.text import LineIndex

TEXT = "DEFINE TCPIPSERVICE(ZCIPIC) GROUP(ZCGRP)\n  PORTNUMBER(1491) 😀 USERAUTH(IDENT)\nlast line\n"


def reference(item: ide.CompletionItem, index: LineIndex, offset: int, client) -> lsp.CompletionItem:
    """The item as lsprotocol objects: the conversion the adapter made before it wrote JSON."""

    def rng(a: int, b: int) -> lsp.Range:
        r = index.range(a, b)
        return lsp.Range(lsp.Position(r.start.line, r.start.character), lsp.Position(r.end.line, r.end.character))

    start, end = item.span
    if client.insert_replace and end > offset:
        edit: lsp.TextEdit | lsp.InsertReplaceEdit = lsp.InsertReplaceEdit(new_text=item.insert_text, insert=rng(start, offset), replace=rng(start, end))
    else:
        edit = lsp.TextEdit(range=rng(start, end), new_text=item.insert_text)
    doc = None
    if item.documentation:
        doc = lsp.MarkupContent(kind=lsp.MarkupKind.Markdown if client.markdown else lsp.MarkupKind.PlainText, value=item.documentation)
    return lsp.CompletionItem(
        label=item.label,
        kind=adapter._kinds().get(item.kind, lsp.CompletionItemKind.Text),
        detail=item.detail,
        documentation=doc,
        sort_text=item.sort_text,
        filter_text=item.filter_text,
        text_edit=edit,
        insert_text_format=lsp.InsertTextFormat.Snippet if item.snippet else lsp.InsertTextFormat.PlainText,
        insert_text_mode=lsp.InsertTextMode.AdjustIndentation if client.adjust_indentation and "\n" in item.insert_text else None,
        tags=[lsp.CompletionItemTag.Deprecated] if item.deprecated and client.deprecated_tag else None,
        deprecated=True if item.deprecated and client.deprecated_flag and not client.deprecated_tag else None,
        command=lsp.Command(title="Suggest", command="editor.action.triggerSuggest") if item.retrigger and client.retrigger else None,
    )


def items(index: LineIndex) -> list[ide.CompletionItem]:
    """Items with every field set and unset, spans before, around and after the cursor."""
    a = TEXT.index("USERAUTH(") + len("USERAUTH(")
    b = TEXT.index(")", a)
    emoji = TEXT.index("😀")

    def item(label: str, kind: str, span: tuple[int, int], insert: str, **kw) -> ide.CompletionItem:
        return ide.CompletionItem(label, kind, span, index.range(*span), insert, **kw)

    return [
        item("IDENTIFY", ide.ENUM, (a, b), "IDENTIFY", sort_text="00identify"),
        item("VERIFY", ide.ENUM, (a, a), "VERIFY", detail="default", sort_text="01verify", filter_text="VERIFY"),
        item("ZCIPIC", ide.REFERENCE, (a, b), "ZCIPIC", detail='PORTNUMBER(1491) "quoted" \\ back', documentation="`TCPIPSERVICE(ZCIPIC)` in `a.csd`\n\nsecond — paragraph ✓"),
        item("USERAUTH", ide.KEYWORD, (a - 9, a - 1), "USERAUTH($1)", snippet=True, retrigger=True, documentation="doc", sort_text="00000"),
        item("snippet", ide.SNIPPET, (a, b), "<ssl id=\"$1\">\n\t$0\n</ssl>", snippet=True, deprecated=True),
        item("old", ide.ATTRIBUTE, (emoji, emoji + 1), "old😀", deprecated=True, documentation=""),
        item("unknown kind", "something else", (b, b), "x"),
    ]


CLIENTS = {
    "everything": dict(snippets=True, markdown=True, insert_replace=True, deprecated_tag=True, deprecated_flag=True, adjust_indentation=True, retrigger=True),
    "nothing": dict(snippets=False, markdown=False, insert_replace=False, deprecated_tag=False, deprecated_flag=False, adjust_indentation=False, retrigger=False),
    "deprecated flag only": dict(snippets=True, markdown=True, insert_replace=False, deprecated_tag=False, deprecated_flag=True, adjust_indentation=False, retrigger=True),
}


@pytest.mark.parametrize("name", CLIENTS)
def test_the_encoded_list_is_what_lsprotocol_would_send(name):
    client = SimpleNamespace(**CLIENTS[name])
    index = LineIndex(TEXT)
    offset = TEXT.index("USERAUTH(") + len("USERAUTH(ID")
    converter = default_converter()
    ranges: dict = {}

    def range_of(span):
        return ranges.setdefault(span, range_json(index.range(*span)))

    for item in items(index):
        encoded = adapter._encode(item, offset, client, range_of)
        assert encoded.isascii()
        expected = converter.unstructure(reference(item, index, offset, client), lsp.CompletionItem)
        assert json.loads(encoded) == expected, item.label
        # A client reads it back as the same item.
        assert converter.unstructure(converter.structure(json.loads(encoded), lsp.CompletionItem), lsp.CompletionItem) == expected


class _Writer:
    def __init__(self) -> None:
        self.data = b""

    def write(self, data: bytes) -> None:
        self.data += data

    def close(self) -> None:
        pass


def test_an_encoded_result_is_sent_as_it_is():
    protocol = create_server().protocol
    assert isinstance(protocol, ZcsecProtocol)
    writer = _Writer()
    protocol.set_writer(writer)
    body = '{"isIncomplete":false,"items":[{"label":"caf\\u00e9","kind":1}]}'
    protocol._send_response(7, Encoded(body))
    header, _, payload = writer.data.partition(b"\r\n\r\n")
    assert int(header.split(b"\r\n")[0].split(b":")[1]) == len(payload)
    message = json.loads(payload)
    assert message == {"id": 7, "jsonrpc": "2.0", "result": {"isIncomplete": False, "items": [{"label": "café", "kind": 1}]}}
    # Any other result goes out the way pygls sends it.
    writer.data = b""
    protocol._send_response("x", lsp.Hover(contents=lsp.MarkupContent(kind=lsp.MarkupKind.Markdown, value="v")))
    header, _, payload = writer.data.partition(b"\r\n\r\n")
    assert json.loads(payload) == {"id": "x", "jsonrpc": "2.0", "result": {"contents": {"kind": "markdown", "value": "v"}}}
