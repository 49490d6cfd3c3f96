"""textDocument/codeLens and textDocument/inlayHint: thin adapters over
:mod:`zcsec.ide.glance`."""

from __future__ import annotations

from lsprotocol import types as lsp

from . import lazy
from .common import in_pool, workspace_for
from .convert import span_range, to_offset, to_position
from .server import ZcsecServer

# The VS Code extension's command; it opens the posture view at the connection.
SHOW_POSTURE = "zcsec.showPosture"


def compute_lenses(ls: ZcsecServer, uri: str) -> list[lsp.CodeLens]:
    found = workspace_for(ls, uri)
    if found is None:
        return []
    ws, path, index = found
    return [
        lsp.CodeLens(range=span_range(index, lens.span), command=lsp.Command(title=lens.title, command=SHOW_POSTURE, arguments=[lens.connection] if lens.connection else None))
        for lens in lazy.ide_glance.lenses(ws, path)
    ]


def compute_hints(ls: ZcsecServer, uri: str, rng: lsp.Range) -> list[lsp.InlayHint]:
    found = workspace_for(ls, uri)
    if found is None:
        return []
    ws, path, index = found
    return [
        lsp.InlayHint(position=to_position(index, h.offset), label=h.label, padding_left=True, tooltip=h.tooltip)
        for h in lazy.ide_glance.hints(ws, path, to_offset(index, rng.start), to_offset(index, rng.end))
    ]


def register(server: ZcsecServer) -> None:
    @server.feature(lsp.TEXT_DOCUMENT_CODE_LENS, lsp.CodeLensOptions(resolve_provider=False))
    async def code_lens(ls: ZcsecServer, params: lsp.CodeLensParams) -> list[lsp.CodeLens]:
        return await in_pool(ls, "codeLens", compute_lenses, ls, params.text_document.uri)

    @server.feature(lsp.TEXT_DOCUMENT_INLAY_HINT, lsp.InlayHintOptions(resolve_provider=False))
    async def inlay_hint(ls: ZcsecServer, params: lsp.InlayHintParams) -> list[lsp.InlayHint]:
        return await in_pool(ls, "inlayHint", compute_hints, ls, params.text_document.uri, params.range)
