"""Helpers the feature adapters share: finding the built workspace of a
document, the client's URI for a path, and running work in the server's
thread pool with errors logged once and answered as internal errors."""

from __future__ import annotations

import asyncio
import traceback
from typing import TYPE_CHECKING, Any, Callable

from lsprotocol import types as lsp
from pygls.exceptions import JsonRpcInternalError

from ..sources import norm
from ..text import LineIndex
from .convert import path_to_uri

if TYPE_CHECKING:
    from ..workspace import Workspace
    from .server import ZcsecServer


def workspace_for(ls: ZcsecServer, uri: str) -> tuple[Workspace, str, LineIndex] | None:
    """The built workspace holding the document at ``uri``, its path and line
    index; None for URIs that are not files or not part of the analysis."""
    path = ls.path_of(uri)
    if path is None:
        return None
    ws = ls.service.snapshot(path).workspace
    index = ws.index_for(path, analysed_only=True)
    if index is None:
        return None
    return ws, path, index


def uri_for(ls: ZcsecServer, path: str) -> str:
    """The URI the client uses for ``path`` when the document is open, else a file URI."""
    p = norm(path)
    try:
        for uri in list(ls.workspace.text_documents):
            if ls.path_of(uri) == p:
                return uri
    except Exception:  # noqa: BLE001
        pass
    return path_to_uri(p)


async def in_pool(ls: ZcsecServer, what: str, fn: Callable[..., Any], *args: Any) -> Any:
    """Run ``fn`` in the server's thread pool, with the analysis held still
    (AnalysisService.read).  If it fails, log the error once and answer the
    request with an internal error (the server carries on)."""
    loop = asyncio.get_running_loop()
    try:
        return await loop.run_in_executor(ls.thread_pool, ls.service.read, fn, *args)
    except Exception as exc:  # noqa: BLE001 - a feature request never takes the server down
        ls.log(f"zcsec: {what} failed: {exc!r}\n{traceback.format_exc()}", lsp.MessageType.Error)
        error = JsonRpcInternalError(message=f"zcsec: {what} failed: {type(exc).__name__}")
        error.zcsec_logged = True  # type: ignore[attr-defined]  # logged above, once
        raise error from exc
