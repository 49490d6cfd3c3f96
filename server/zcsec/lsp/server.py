"""The zcsec language server object (pygls 2.x): the protocol (position
encoding, robust message reading), logging, settings and the publishing
of diagnostics.  It registers no handlers itself: :func:`zcsec.lsp.app.create_server`
builds a server and lets every feature module register its own."""

from __future__ import annotations

import asyncio
import logging
import traceback
from types import SimpleNamespace
from urllib.parse import unquote

from lsprotocol import types as lsp
from pygls.exceptions import JsonRpcException, JsonRpcInternalError
from pygls.lsp.server import LanguageServer
from pygls.protocol import LanguageServerProtocol
from pygls.protocol.language_server import lsp_method

from .. import __version__
from ..service import AnalysisService
from ..sources import is_remote
from .convert import document_path, to_diagnostic
from .settings import Settings

log = logging.getLogger("zcsec.lsp")

# Reading the files remote documents include through the client.
READ_FILE = "zcsec/readFile"
READ_TIMEOUT_S = 5.0
READ_ROUNDS = 5  # includes of includes, a few levels deep


_DROPPED = SimpleNamespace(jsonrpc=None)


class ZcsecProtocol(LanguageServerProtocol):
    """Negotiates UTF-16 positions with every client.  UTF-16 is the one
    encoding all clients must support, and it is what zcsec's LineIndex
    counts, so no range ever needs converting."""

    @lsp_method(lsp.INITIALIZE)
    def lsp_initialize(self, params: lsp.InitializeParams):
        general = params.capabilities.general if params.capabilities else None
        if general is not None and general.position_encodings:
            general.position_encodings = [lsp.PositionEncodingKind.Utf16]
        return (yield from super().lsp_initialize(params))

    def _warn(self, message: str) -> None:
        """A warning in the client's log (the server object logs; a bare protocol does not)."""
        log_to_client = getattr(self._server, "log", None)
        if log_to_client is not None:
            log_to_client(message, lsp.MessageType.Warning)

    @lsp_method(lsp.TEXT_DOCUMENT_DID_CHANGE)
    def lsp_text_document__did_change(self, params: lsp.DidChangeTextDocumentParams):
        # pygls raises KeyError for a change to a document that was never
        # opened (or is closed); that is a client's mistake, not a server error.
        if unquote(params.text_document.uri) not in self.workspace.text_documents:
            self._warn(f"zcsec: ignored a change to {params.text_document.uri}, which is not open")
            return None
        return (yield from super().lsp_text_document__did_change(params))

    def structure_message(self, data):
        """pygls turns a message whose parameters do not fit the LSP types
        into an exception while it reads the message, before any handler
        runs, and then answers nothing: the client would wait forever.
        Answer such a request with the error, log it, and drop the message."""
        try:
            return super().structure_message(data)
        except JsonRpcException as exc:
            if isinstance(data, dict) and data.get("jsonrpc") == "2.0" and isinstance(data.get("method"), str):
                method = data["method"]
                if "id" in data and isinstance(data["id"], (int, str)) and not isinstance(data["id"], bool):
                    self._send_response(data["id"], None, exc.to_response_error())
                    what = "request"
                else:
                    what = "notification"
                self._warn(f"zcsec: ignored a {method} {what} with invalid parameters ({exc.message})")
                return _DROPPED  # handle_message ignores a message without "jsonrpc": "2.0"
            raise


class ZcsecServer(LanguageServer):
    def __init__(self) -> None:
        super().__init__("zcsec", __version__, text_document_sync_kind=lsp.TextDocumentSyncKind.Incremental, protocol_cls=ZcsecProtocol)
        self.service = AnalysisService()
        self.settings = Settings()
        self._pending: dict[str, asyncio.Task] = {}
        self._published: dict[str, int | None] = {}
        self._published_generation: dict[str, int] = {}
        self.read_through = False  # the client answers zcsec/readFile (initializationOptions "readFile")

    # -- helpers -----------------------------------------------------------------
    def log(self, message: str, kind: lsp.MessageType = lsp.MessageType.Log) -> None:
        try:
            self.window_log_message(lsp.LogMessageParams(type=kind, message=message))
        except Exception:  # noqa: BLE001 - logging must never fail a request
            log.debug("could not log to the client: %s", message)

    def report_server_error(self, error: Exception, source) -> None:
        # Log to the client's output instead of interrupting the user; the server keeps running.
        if isinstance(error, JsonRpcException) and not isinstance(error, JsonRpcInternalError):
            return  # an answer such as "invalid new name" is not a server error
        if getattr(error, "zcsec_logged", False):
            return  # a feature adapter logged it with its own words
        if source is JsonRpcException:
            # pygls could not read or dispatch a message (not JSON, not JSON-RPC):
            # the client's mistake, reported without alarm.
            self.log(f"zcsec: ignored a message that could not be read: {error!r}", lsp.MessageType.Warning)
            return
        self.log(f"zcsec: internal error in {getattr(source, '__name__', source)}: {error!r}\n{traceback.format_exc()}", lsp.MessageType.Error)

    def path_of(self, uri: str) -> str | None:
        return document_path(uri)

    def open_document(self, uri: str):
        """The open document ``uri`` names, or None.  pygls keys open
        documents by the percent-decoded URI (``file:///c:/a b`` for the
        ``file:///c%3A/a%20b`` a client sends)."""
        return self.workspace.text_documents.get(unquote(uri))

    def supports_pull(self) -> bool:
        caps = self.client_capabilities
        td = getattr(caps, "text_document", None) if caps else None
        return getattr(td, "diagnostic", None) is not None

    def apply_settings(self, settings: Settings) -> None:
        self.settings = settings
        for problem in settings.problems:
            self.log(f"zcsec settings: {problem}", lsp.MessageType.Warning)
        self.service.set_settings(settings.project)

    # -- diagnostics -----------------------------------------------------------------
    def schedule(self, uri: str, delay_ms: int | None = None) -> None:
        """(Re)start the debounced analysis of ``uri`` and of the open documents that depend on it."""
        if self.supports_pull():
            # The client pulls; ask it to pull again when it says it can be asked.
            refresh = getattr(getattr(getattr(self.client_capabilities, "workspace", None), "diagnostics", None), "refresh_support", False)
            if refresh:
                try:
                    self.workspace_diagnostic_refresh(None)
                except Exception:  # noqa: BLE001
                    pass
            return
        task = self._pending.pop(uri, None)
        if task is not None:
            task.cancel()
        delay = self.settings.diagnostics_delay_ms if delay_ms is None else delay_ms
        self._pending[uri] = asyncio.ensure_future(self._publish_later(uri, delay / 1000.0))

    async def _publish_later(self, uri: str, delay: float) -> None:
        try:
            if delay > 0:
                await asyncio.sleep(delay)
            path = self.path_of(uri)
            if path is None:
                return
            if self.read_through and is_remote(path):
                await self._read_remote_includes(path)
            loop = asyncio.get_running_loop()
            targets = await loop.run_in_executor(self.thread_pool, self._analyse_for, path)
            self._publish(targets)
        except asyncio.CancelledError:
            raise
        except Exception as exc:  # noqa: BLE001 - never let one document end the server
            self.log(f"zcsec: analysis failed for {uri}: {exc!r}\n{traceback.format_exc()}", lsp.MessageType.Error)
        finally:
            if self._pending.get(uri) is asyncio.current_task():
                self._pending.pop(uri, None)

    async def _read_remote_includes(self, path: str) -> None:
        """Ask the editor for the files a remote document includes (the
        request zcsec/readFile, which the VS Code extension answers through
        the editor's file systems, Zowe Explorer's included).  An answer that
        does not come in time, is too large or is an error is reported on the
        include instead."""
        for _ in range(READ_ROUNDS):
            wanted = self.service.missing_remote_includes(path)
            if not wanted:
                return
            for uri, target in wanted:
                text, problem = None, None
                try:
                    answer = await asyncio.wait_for(self.protocol.send_request_async(READ_FILE, {"uri": uri}), READ_TIMEOUT_S)
                    text = answer.get("text") if isinstance(answer, dict) else getattr(answer, "text", None)
                    error = answer.get("error") if isinstance(answer, dict) else getattr(answer, "error", None)
                    if not isinstance(text, str):
                        text, problem = None, str(error or "no text in the answer")
                    elif len(text) > self.service.store.max_size:
                        text, problem = None, f"it is larger than {self.service.store.max_size // 1048576} MB"
                except asyncio.TimeoutError:
                    problem = f"no answer within {READ_TIMEOUT_S:.0f} s"
                except Exception as exc:  # noqa: BLE001 - the editor's error, said on the include
                    problem = getattr(exc, "message", None) or type(exc).__name__
                self.service.remote_read(target, text, problem)

    def _analyse_for(self, path: str) -> list[tuple[str, int | None, int, list[lsp.Diagnostic]]]:
        """Analyse in a worker thread; return (uri, version, generation,
        diagnostics) for every open document that may have changed, versions
        and generations read before the analysis so that a newer edit is never
        labelled with stale results."""
        out = []
        targets = self.service.dependents(path)
        versions = {}
        for doc in list(self.workspace.text_documents.values()):
            p = self.path_of(doc.uri)
            if p in targets:
                versions[p] = (doc.uri, doc.version)  # the client's own URI, not pygls' decoded key
        for p in targets:
            if p not in versions:
                continue
            uri, version = versions[p]
            generation = self.service.generation  # the findings are at least this new
            findings = self.service.findings(p)
            out.append((uri, version, generation, [to_diagnostic(f) for f in findings]))
        return out

    def _publish(self, targets: list[tuple[str, int | None, int, list[lsp.Diagnostic]]]) -> None:
        for uri, version, generation, diagnostics in targets:
            doc = self.open_document(uri)
            if doc is None or doc.version != version:
                continue  # closed, or edited again since: a newer analysis is on its way
            if generation < self._published_generation.get(uri, -1):
                continue  # an analysis that saw a later change of another file was published already
            self.text_document_publish_diagnostics(lsp.PublishDiagnosticsParams(uri=uri, diagnostics=diagnostics, version=version))
            self._published[uri] = version
            self._published_generation[uri] = generation

    def clear(self, uri: str) -> None:
        task = self._pending.pop(uri, None)
        if task is not None:
            task.cancel()
        if uri in self._published:
            self._published.pop(uri, None)
        self._published_generation.pop(uri, None)
        self.text_document_publish_diagnostics(lsp.PublishDiagnosticsParams(uri=uri, diagnostics=[]))
