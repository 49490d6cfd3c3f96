"""textDocument/hover: a thin adapter over :mod:`zcsec.ide.hover`."""

from __future__ import annotations

from lsprotocol import types as lsp

from ..sources import norm
from . import lazy
from .common import in_pool, workspace_for
from .convert import span_range, to_offset
from .server import ZcsecServer


def compute_hover(ls: ZcsecServer, uri: str, position: lsp.Position) -> lsp.Hover | None:
    found = workspace_for(ls, uri)
    if found is None:
        return None
    ws, path, index = found
    result = lazy.ide_hover.hover(ws, path, to_offset(index, position))
    if result is None or not result.markdown.strip():
        return None
    return lsp.Hover(
        contents=lsp.MarkupContent(kind=lsp.MarkupKind.Markdown, value=result.markdown),
        range=span_range(index, result.span) if norm(result.path) == norm(path) else None,
    )


def register(server: ZcsecServer) -> None:
    @server.feature(lsp.TEXT_DOCUMENT_HOVER)
    async def hover(ls: ZcsecServer, params: lsp.HoverParams) -> lsp.Hover | None:
        return await in_pool(ls, "hover", compute_hover, ls, params.text_document.uri, params.position)
