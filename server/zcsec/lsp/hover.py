"""textDocument/hover: a thin adapter over :mod:`zcsec.ide.hover`.

Also holds the small helpers the other read-only feature adapters share:
finding the built workspace of a document, and converting offsets to and
from LSP positions in the encoding negotiated with the client (UTF-16
unless the client asked for another).
"""

from __future__ import annotations

import asyncio
import traceback
from typing import Any, Callable

from lsprotocol import types as lsp
from pygls.exceptions import JsonRpcInternalError

from ..ide import hover as ide_hover
from ..text import LineIndex
from ..workspace import Workspace, norm
from .server import ZcsecServer, server


# ---------------------------------------------------------------------------
# Shared helpers
# ---------------------------------------------------------------------------


def model_index(ws: Workspace, path: str) -> LineIndex | None:
    """The line index of ``path`` when it is part of the built workspace."""
    p = norm(path)
    for cfg in ws.configs:
        f = cfg.files.get(p)
        if f is not None:
            return f.index
    f = ws.csd.files.get(p)
    return f.index if f is not None else None


def _encoding(ls: ZcsecServer) -> str:
    try:
        enc = ls.workspace.position_encoding
    except Exception:  # noqa: BLE001 - before initialisation
        return "utf-16"
    return str(getattr(enc, "value", enc) or "utf-16").lower()


def _units(s: str, encoding: str) -> int:
    if encoding == "utf-8":
        return len(s.encode("utf-8", "surrogatepass"))
    if encoding == "utf-32":
        return len(s)
    return len(s) + sum(1 for ch in s if ord(ch) > 0xFFFF)


def to_offset(index: LineIndex, pos: lsp.Position, encoding: str = "utf-16") -> int:
    """The offset of a client position; positions past a line or the text are clamped."""
    if encoding == "utf-16":
        return index.offset(pos.line, pos.character)
    if pos.line < 0:
        return 0
    if pos.line >= len(index.starts):
        return len(index.text)
    start, end = index.starts[pos.line], index.ends[pos.line]
    units = 0
    for i, ch in enumerate(index.text[start:end]):
        if units >= pos.character:
            return start + i
        units += _units(ch, encoding)
    return end


def to_position(index: LineIndex, offset: int, encoding: str = "utf-16") -> lsp.Position:
    if encoding == "utf-16":
        p = index.position(offset)
        return lsp.Position(p.line, p.character)
    offset = max(0, min(offset, len(index.text)))
    line = index.line_of(offset)
    start = index.starts[line]
    offset = min(offset, index.ends[line])
    return lsp.Position(line, _units(index.text[start:offset], encoding))


def to_lsp_range(index: LineIndex, span: tuple[int, int], encoding: str = "utf-16") -> lsp.Range:
    return lsp.Range(to_position(index, span[0], encoding), to_position(index, max(span[0], span[1]), encoding))


def workspace_for(ls: ZcsecServer, uri: str) -> tuple[Workspace, str, LineIndex] | None:
    """The built workspace holding the document at ``uri``, its path and line
    index; None for URIs that are not files or not part of the analysis."""
    path = ls.path_of(uri)
    if path is None:
        return None
    ws = ls.service.snapshot(path).workspace
    index = model_index(ws, path)
    if index is None:
        return None
    return ws, path, index


async def in_pool(ls: ZcsecServer, what: str, fn: Callable[..., Any], *args: Any, default: Any = None) -> Any:
    """Run ``fn`` in the server's thread pool.  If it fails, log the error
    and answer the request with an internal error (the server carries on);
    ``default`` is kept for callers that name it, but a failure is no
    longer disguised as an empty answer."""
    loop = asyncio.get_running_loop()
    try:
        return await loop.run_in_executor(ls.thread_pool, fn, *args)
    except Exception as exc:  # noqa: BLE001 - a feature request never takes the server down
        ls.log(f"zcsec: {what} failed: {exc!r}\n{traceback.format_exc()}", lsp.MessageType.Error)
        error = JsonRpcInternalError(message=f"zcsec: {what} failed: {type(exc).__name__}")
        error.zcsec_logged = True  # type: ignore[attr-defined]  # logged above, once
        raise error from exc


# ---------------------------------------------------------------------------
# Hover
# ---------------------------------------------------------------------------


def compute_hover(ls: ZcsecServer, uri: str, position: lsp.Position) -> lsp.Hover | None:
    found = workspace_for(ls, uri)
    if found is None:
        return None
    ws, path, index = found
    enc = _encoding(ls)
    result = ide_hover.hover(ws, path, to_offset(index, position, enc))
    if result is None or not result.markdown.strip():
        return None
    return lsp.Hover(
        contents=lsp.MarkupContent(kind=lsp.MarkupKind.Markdown, value=result.markdown),
        range=to_lsp_range(index, result.span, enc) if norm(result.path) == norm(path) else None,
    )


@server.feature(lsp.TEXT_DOCUMENT_HOVER)
async def hover(ls: ZcsecServer, params: lsp.HoverParams) -> lsp.Hover | None:
    return await in_pool(ls, "hover", compute_hover, ls, params.text_document.uri, params.position)
