"""Navigation requests: a thin adapter over :mod:`zcsec.ide.navigation`
(definition, references, rename, document symbols, document links)."""

from __future__ import annotations

from typing import TYPE_CHECKING

from lsprotocol import types as lsp
from pygls.exceptions import JsonRpcInvalidParams

from ..text import LineIndex
from . import lazy
from .common import in_pool, uri_for, workspace_for
from .convert import path_to_uri, span_range, to_offset
from .server import ZcsecServer

if TYPE_CHECKING:
    from ..workspace import Workspace

_SYMBOL_KINDS = {
    "connection": lsp.SymbolKind.Interface,
    "credentials": lsp.SymbolKind.Key,
    "tls": lsp.SymbolKind.Key,
    "keystore": lsp.SymbolKind.Key,
    "registry": lsp.SymbolKind.Namespace,
    "authorization": lsp.SymbolKind.Namespace,
    "security": lsp.SymbolKind.Object,
    "include": lsp.SymbolKind.File,
    "element": lsp.SymbolKind.Property,
    "definition": lsp.SymbolKind.Struct,
    "command": lsp.SymbolKind.Function,
}


def _range_in(ws: Workspace, path: str, span: tuple[int, int]) -> lsp.Range:
    return span_range(ws.index_for(path) or LineIndex(""), span)


def _locations(ls: ZcsecServer, ws: Workspace, locs: list[lazy.ide_navigation.Location]) -> list[lsp.Location]:
    return [lsp.Location(uri_for(ls, loc.path), _range_in(ws, loc.path, loc.span)) for loc in locs]


# -- definition -------------------------------------------------------------


def compute_definition(ls: ZcsecServer, uri: str, position: lsp.Position) -> list[lsp.Location] | None:
    found = workspace_for(ls, uri)
    if found is None:
        return None
    ws, path, index = found
    locs = lazy.ide_navigation.definition(ws, path, to_offset(index, position))
    return _locations(ls, ws, locs) or None


# -- references ---------------------------------------------------------------


def compute_references(ls: ZcsecServer, uri: str, position: lsp.Position, include_declaration: bool) -> list[lsp.Location]:
    found = workspace_for(ls, uri)
    if found is None:
        return []
    ws, path, index = found
    locs = lazy.ide_navigation.references(ws, path, to_offset(index, position), include_declaration)
    return _locations(ls, ws, locs)


# -- rename -------------------------------------------------------------------


def compute_prepare_rename(ls: ZcsecServer, uri: str, position: lsp.Position) -> lsp.PrepareRenamePlaceholder | None:
    found = workspace_for(ls, uri)
    if found is None:
        return None
    ws, path, index = found
    result = lazy.ide_navigation.prepare_rename(ws, path, to_offset(index, position))
    if result is None:
        return None
    span, text = result
    return lsp.PrepareRenamePlaceholder(range=span_range(index, span), placeholder=text)


def compute_rename(ls: ZcsecServer, uri: str, position: lsp.Position, new_name: str) -> lsp.WorkspaceEdit | lazy.ide_navigation.RenameError | None:
    found = workspace_for(ls, uri)
    if found is None:
        return None
    ws, path, index = found
    try:
        edits = lazy.ide_navigation.rename(ws, path, to_offset(index, position), new_name)
    except lazy.ide_navigation.RenameError as exc:
        return exc
    if edits is None:
        return None
    changes: dict[str, list[lsp.TextEdit]] = {}
    for p, lst in edits.items():
        changes[uri_for(ls, p)] = [lsp.TextEdit(range=_range_in(ws, p, e.span), new_text=e.new_text) for e in lst]
    return lsp.WorkspaceEdit(changes=changes)


# -- document symbols ---------------------------------------------------------------


def _symbol(sym: lazy.ide_navigation.Symbol, index: LineIndex) -> lsp.DocumentSymbol:
    return lsp.DocumentSymbol(
        name=sym.name or "?",
        detail=sym.detail,
        kind=_SYMBOL_KINDS.get(sym.kind, lsp.SymbolKind.Object),
        range=span_range(index, sym.span),
        selection_range=span_range(index, sym.selection_span),
        children=[_symbol(c, index) for c in sym.children] or None,
    )


def compute_symbols(ls: ZcsecServer, uri: str) -> list[lsp.DocumentSymbol]:
    found = workspace_for(ls, uri)
    if found is None:
        return []
    ws, path, index = found
    return [_symbol(s, index) for s in lazy.ide_navigation.document_symbols(ws, path)]


# -- document links -------------------------------------------------------------------


def compute_links(ls: ZcsecServer, uri: str) -> list[lsp.DocumentLink]:
    found = workspace_for(ls, uri)
    if found is None:
        return []
    ws, path, index = found
    return [
        lsp.DocumentLink(range=span_range(index, link.span), target=path_to_uri(link.target), tooltip=link.target)
        for link in lazy.ide_navigation.document_links(ws, path)
    ]


def register(server: ZcsecServer) -> None:
    @server.feature(lsp.TEXT_DOCUMENT_DEFINITION)
    async def definition(ls: ZcsecServer, params: lsp.DefinitionParams) -> list[lsp.Location] | None:
        return await in_pool(ls, "definition", compute_definition, ls, params.text_document.uri, params.position)

    @server.feature(lsp.TEXT_DOCUMENT_REFERENCES)
    async def references(ls: ZcsecServer, params: lsp.ReferenceParams) -> list[lsp.Location]:
        include = bool(params.context.include_declaration) if params.context is not None else True
        return await in_pool(ls, "references", compute_references, ls, params.text_document.uri, params.position, include)

    @server.feature(lsp.TEXT_DOCUMENT_PREPARE_RENAME)
    async def prepare_rename(ls: ZcsecServer, params: lsp.PrepareRenameParams) -> lsp.PrepareRenamePlaceholder | None:
        return await in_pool(ls, "prepareRename", compute_prepare_rename, ls, params.text_document.uri, params.position)

    @server.feature(lsp.TEXT_DOCUMENT_RENAME)
    async def rename(ls: ZcsecServer, params: lsp.RenameParams) -> lsp.WorkspaceEdit | None:
        result = await in_pool(ls, "rename", compute_rename, ls, params.text_document.uri, params.position, params.new_name)
        if isinstance(result, lazy.ide_navigation.RenameError):
            raise JsonRpcInvalidParams(str(result))
        return result

    @server.feature(lsp.TEXT_DOCUMENT_DOCUMENT_SYMBOL)
    async def document_symbols(ls: ZcsecServer, params: lsp.DocumentSymbolParams) -> list[lsp.DocumentSymbol]:
        return await in_pool(ls, "documentSymbol", compute_symbols, ls, params.text_document.uri)

    @server.feature(lsp.TEXT_DOCUMENT_DOCUMENT_LINK, lsp.DocumentLinkOptions(resolve_provider=False))
    async def document_links(ls: ZcsecServer, params: lsp.DocumentLinkParams) -> list[lsp.DocumentLink]:
        return await in_pool(ls, "documentLink", compute_links, ls, params.text_document.uri)

