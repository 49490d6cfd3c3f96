"""The zcsec language server object (pygls 2.x): the protocol (position
encoding, robust message reading), logging, settings and the publishing
of diagnostics.  It registers no handlers itself: :func:`zcsec.lsp.app.create_server`
builds a server and lets every feature module register its own."""

from __future__ import annotations

import asyncio
import gc
import inspect
import json
import logging
import sys
import threading
import traceback
import weakref
from types import SimpleNamespace
from typing import TYPE_CHECKING
from urllib.parse import unquote

from lsprotocol import types as lsp
from pygls.exceptions import JsonRpcException, JsonRpcInternalError
from pygls.lsp.server import LanguageServer
from pygls.protocol import LanguageServerProtocol
from pygls.protocol.language_server import lsp_method
from pygls.workspace import TextDocument

from .. import __version__
from ..findings import Finding
from ..sources import is_remote, remote_uri
from ..text import LineIndex, TextChange
from . import lazy
from .convert import Encoded, document_path, json_string, to_diagnostic
from .settings import Settings

if TYPE_CHECKING:
    from ..remote import Finder
    from ..service import AnalysisService

log = logging.getLogger("zcsec.lsp")

# Reading what remote documents need (includes, .zcsec.toml, CSD input) through the client.
READ_FILE = "zcsec/readFile"
READ_DIRECTORY = "zcsec/readDirectory"
READ_TIMEOUT_S = 5.0
READ_ROUNDS = 5  # includes of includes, a few levels deep


_DROPPED = SimpleNamespace(jsonrpc=None)

# A full collection is due once the objects allocated since the last one
# outnumber the objects that survived it (and at least this many).
GC_MIN_ALLOCATED = 20_000


def one_malloc_arena() -> None:
    """Have glibc's malloc serve every thread from one arena.  glibc gives
    each new thread an arena of its own (up to eight per core); the threads
    of the pool that analyses and answers requests come and go, and each
    arena kept the memory its thread once used: in a long editing session
    about 2 MB of the server's growth (measured with MALLOC_ARENA_MAX=1).
    The server's threads take turns at the GIL, so they hardly ever
    allocate at the same moment and one arena costs no waiting.  Called once
    the initialize answer is out (ctypes takes a few ms to import); other C
    libraries have no such setting and are left alone."""
    if not sys.platform.startswith("linux"):
        return
    try:
        import ctypes

        mallopt = ctypes.CDLL(None).mallopt
    except (OSError, AttributeError, ImportError):
        return
    mallopt(-8, 1)  # M_ARENA_MAX (glibc's malloc.h)


def _same(a: list[lsp.Diagnostic] | None, b: list[lsp.Diagnostic]) -> bool:
    """Whether two lists hold the same diagnostics.  Most items are the very
    same objects (see ZcsecServer.diagnostics_of), which the comparison
    passes at once; only the others are compared field by field."""
    return a is not None and a == b


_LINE_INDEXES: weakref.WeakKeyDictionary[TextDocument, LineIndex] = weakref.WeakKeyDictionary()  # of open documents' texts


def line_index(doc: TextDocument) -> LineIndex | None:
    """The line index of the open document's text, when apply_change keeps one."""
    index = _LINE_INDEXES.get(doc)
    return index if index is not None and index.text is doc.source else None


def apply_change(doc: TextDocument, change: lsp.TextDocumentContentChangeEvent) -> None:
    """Apply one change a client sent to the open document ``doc``.

    pygls splits the whole text into lines and joins them again for every
    change (in a 100,000-line CSD, a fifth of an edit's time); this finds
    the change's offsets with a line index kept with the document, moved
    along with each change (see LineIndex.edited).  Lines end where LSP says
    they do (\\r\\n, \\r, \\n), and a position past the end of its line
    or of the document stands for that end."""
    if not isinstance(change, lsp.TextDocumentContentChangePartial):
        doc._source = change.text
        _LINE_INDEXES.pop(doc, None)
        return
    text = doc.source
    index = _LINE_INDEXES.get(doc)
    if index is None or index.text is not text:
        index = LineIndex(text)
    rng = change.range
    start = index.offset(rng.start.line, rng.start.character)
    end = max(start, index.offset(rng.end.line, rng.end.character))
    new = text[:start] + change.text + text[end:]
    doc._source = new
    _LINE_INDEXES[doc] = index.edited(new, TextChange(start, end, start + len(change.text)))


def _field(answer: object, key: str) -> object:
    """A field of a client's answer (pygls gives a dict or an object)."""
    return answer.get(key) if isinstance(answer, dict) else getattr(answer, key, None)


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

    def _execute_handler(self, msg_id, handler, callback, args=None, kwargs=None):
        """pygls files the future of every handler it runs under a message
        id, but only the answer to a request takes it out again.  The futures
        of notifications (every didOpen, didChange and didClose: pygls' own
        handlers for them are generators) and of the steps of a generator
        stayed for the life of the server, about 1.8 KB per edit (pygls 2.1.1
        and its main branch).  Take each one out once it is done."""
        super()._execute_handler(msg_id, handler, callback, args, kwargs)
        future = self._request_futures.get(msg_id)
        if future is not None:
            future.add_done_callback(lambda done, key=msg_id: self._forget_future(key, done))

    def _forget_future(self, msg_id, future) -> None:
        # A cancelled future is left alone: pygls cancels the pending ones at
        # shutdown while it iterates over them (a cancelled request has been
        # taken out already).
        if not future.cancelled() and self._request_futures.get(msg_id) is future:  # not a later message with the same id
            self._request_futures.pop(msg_id, None)

    @lsp_method(lsp.TEXT_DOCUMENT_DID_CHANGE)
    def lsp_text_document__did_change(self, params: lsp.DidChangeTextDocumentParams):
        # pygls raises KeyError for a change to a document that was never
        # opened (or is closed); that is a client's mistake, not a server error.
        if unquote(params.text_document.uri) not in self.workspace.text_documents:
            self._warn(f"zcsec: ignored a change to {params.text_document.uri}, which is not open")
            return None
        doc = self.workspace.text_documents[unquote(params.text_document.uri)]
        for change in params.content_changes:
            apply_change(doc, change)
        doc.version = params.text_document.version
        if (user_handler := self.fm.features.get(lsp.TEXT_DOCUMENT_DID_CHANGE)) is not None:
            yield user_handler, (params,), None
        return None

    def _send_data(self, data):
        """A result that a handler encoded itself (convert.Encoded) is sent
        as it is; anything else the way pygls sends it."""
        result = getattr(data, "result", None)
        if not isinstance(result, Encoded) or self.writer is None:
            return super()._send_data(data)
        self.send_text(f'{{"id":{json.dumps(data.id)},"jsonrpc":{json.dumps(data.jsonrpc)},"result":{result.json}}}')

    def send_text(self, body: str) -> None:
        """Send a message already written as JSON text (an encoded result,
        ZcsecServer.send_diagnostics), framed as pygls frames the messages it
        writes."""
        if self.writer is None:
            return
        try:
            data = body.encode(self.CHARSET)
            header = f"Content-Length: {len(data)}\r\nContent-Type: {self.CONTENT_TYPE}; charset={self.CHARSET}\r\n\r\n" if self._include_headers else ""
            res = self.writer.write(header.encode(self.CHARSET) + data)
            if inspect.isawaitable(res):
                asyncio.ensure_future(res)
        except BrokenPipeError:
            log.exception("Error sending data. BrokenPipeError")
            raise
        except Exception as error:  # noqa: BLE001 - as pygls: reported, the server carries on
            log.exception("Error sending data")
            self._server._report_server_error(error, JsonRpcInternalError)

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
        self.roots: list[str] = []  # the workspace folders (initialize)
        self._service: AnalysisService | None = None  # made on first use: see the property
        self._service_lock = threading.Lock()
        self.settings = Settings()
        self._pending: dict[str, asyncio.Task] = {}
        self._published: dict[str, int | None] = {}
        self._published_generation: dict[str, int] = {}
        self._sent: dict[str, list[lsp.Diagnostic]] = {}  # what the client was last given, per URI
        self._converted: dict[str, dict[int, tuple[Finding, lsp.Diagnostic]]] = {}
        self._json: dict[str, dict[int, tuple[lsp.Diagnostic, str]]] = {}  # see send_diagnostics
        self._result_ids: dict[str, tuple[str, list[lsp.Diagnostic]]] = {}
        self._next_result_id = 0
        self.read_through = False  # the client answers zcsec/readFile (initializationOptions "readFile")
        self.read_directory = False  # ... and zcsec/readDirectory (initializationOptions "readDirectory")
        self._finder: Finder | None = None
        self._finder_epoch = -1
        self._remote_lock: asyncio.Lock | None = None
        self._gc_survivors = 0  # objects the collector tracked after the last full collection

    # -- the analysis ----------------------------------------------------------------
    @property
    def service(self) -> AnalysisService:
        """The analysis of the workspace folders and open documents.  It is
        made on first use, which imports the analysis (see :mod:`.lazy`):
        the server answers initialize without it."""
        if self._service is None:
            with self._service_lock:  # the first use may come from the thread pool
                if self._service is None:
                    self._service = lazy.service.AnalysisService(self.roots, settings_project=self.settings.project)
        return self._service

    @service.setter
    def service(self, service: AnalysisService) -> None:
        self._service = service

    def use_roots(self, roots: list[str]) -> None:
        """Analyse the workspace folders ``roots`` (from then on)."""
        self.roots = roots
        self._service = None

    def apply_settings(self, settings: Settings) -> None:
        self.settings = settings
        for problem in settings.problems:
            self.log(f"zcsec settings: {problem}", lsp.MessageType.Warning)
        if self._service is not None:  # else the service starts with them
            self._service.set_settings(settings.project)

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

    # -- diagnostics -----------------------------------------------------------------
    def ask_to_pull(self) -> None:
        """Ask a client that pulls diagnostics to pull again, when it says it can be asked."""
        refresh = getattr(getattr(getattr(self.client_capabilities, "workspace", None), "diagnostics", None), "refresh_support", False)
        if refresh:
            try:
                self.workspace_diagnostic_refresh(None)
            except Exception:  # noqa: BLE001 - a hint to the client, never a failure
                pass

    def schedule(self, uri: str, delay_ms: int | None = None) -> None:
        """(Re)start the debounced analysis of ``uri`` and of the open documents that depend on it."""
        if self.supports_pull():
            self.ask_to_pull()
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
            await self.prepare(path)
            loop = asyncio.get_running_loop()
            targets = await loop.run_in_executor(self.thread_pool, self._analyse_for, path)
            self._publish(targets)
            self.collect_garbage()
        except asyncio.CancelledError:
            raise
        except Exception as exc:  # noqa: BLE001 - never let one document end the server
            self.log(f"zcsec: analysis failed for {uri}: {exc!r}\n{traceback.format_exc()}", lsp.MessageType.Error)
        finally:
            if self._pending.get(uri) is asyncio.current_task():
                self._pending.pop(uri, None)

    async def prepare(self, path: str) -> None:
        """Before analysing a document that is not a local file, ask the
        editor (when it offers) for what the analysis needs: the document's
        project (.zcsec.toml and CSD input, see :mod:`zcsec.remote`) and the
        files it includes."""
        if not (self.read_through and is_remote(path)):
            return
        if self._remote_lock is None:
            self._remote_lock = asyncio.Lock()
        async with self._remote_lock:  # one reader at a time: a publish and a pull may come together
            uri = remote_uri(path)
            if uri is not None and not self.service.remote_project_known(path):
                if self._finder is None or self._finder_epoch != self.service.remote_epoch:
                    self._finder = lazy.remote.Finder(self._read_file, self._read_directory if self.read_directory else None)
                    self._finder_epoch = self.service.remote_epoch
                project = await self._finder.find_project(uri, self.service.remote_csd_entries)
                self.service.set_remote_project(path, project)
                if self.supports_pull():
                    self.ask_to_pull()  # other open documents of the project may have changed
            await self._read_remote_files(path)

    async def _ask(self, method: str, uri: str) -> tuple[object | None, str | None]:
        """The client's answer to ``method`` for ``uri``, or why there is none."""
        try:
            answer = await asyncio.wait_for(self.protocol.send_request_async(method, {"uri": uri}), READ_TIMEOUT_S)
        except asyncio.TimeoutError:
            return None, f"no answer within {READ_TIMEOUT_S:.0f} s"
        except Exception as exc:  # noqa: BLE001 - the editor's error, said where it matters
            return None, getattr(exc, "message", None) or type(exc).__name__
        error = _field(answer, "error")
        return answer, (str(error) if error else None)

    async def _read_file(self, uri: str) -> tuple[str | None, str | None]:
        answer, error = await self._ask(READ_FILE, uri)
        text = _field(answer, "text")
        if not isinstance(text, str):
            return None, error or "no text in the answer"
        if len(text) > self.service.store.max_size:
            return None, f"it is larger than {self.service.store.max_size // 1048576} MB"
        return text, None

    async def _read_directory(self, uri: str) -> tuple[list[tuple[str, bool]] | None, str | None]:
        answer, error = await self._ask(READ_DIRECTORY, uri)
        entries = _field(answer, "entries")
        if not isinstance(entries, list):
            return None, error or "no entries in the answer"
        out = []
        for entry in entries[:10000]:
            if isinstance(entry, (list, tuple)) and len(entry) == 2 and isinstance(entry[0], str) and "/" not in entry[0]:
                out.append((entry[0], entry[1] == "directory"))
        return out, None

    async def _read_remote_files(self, path: str) -> None:
        """Ask the editor for the files a remote document includes, and for
        the server.env and bootstrap.properties beside it (the request zcsec/readFile, which the VS Code extension answers through
        the editor's file systems, Zowe Explorer's included).  An answer that
        does not come in time, is too large or is an error is reported on the
        include instead."""
        for _ in range(READ_ROUNDS):
            wanted = self.service.missing_remote_files(path)
            if not wanted:
                return
            for uri, target in wanted:
                text, problem = await self._read_file(uri)
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
            out.append((uri, version, generation, self.diagnostics_of(uri, findings)))
        return out

    def diagnostics_of(self, uri: str, findings: list[Finding]) -> list[lsp.Diagnostic]:
        """The diagnostics of ``findings`` for the document ``uri``.  A
        finding the analysis kept from the previous check (the same object:
        findings are never changed once finished) keeps the diagnostic it was
        converted to then, so an edit converts only what it changed, and
        comparing with what the client has (see :meth:`_publish` and
        :meth:`result_id`) is quick."""
        old = self._converted.get(uri, {})
        new: dict[int, tuple[Finding, lsp.Diagnostic]] = {}
        out = []
        for f in findings:
            hit = old.get(id(f))
            d = hit[1] if hit is not None and hit[0] is f else to_diagnostic(f)
            new[id(f)] = (f, d)
            out.append(d)
        self._converted[uri] = new  # replaced whole: analyses run in worker threads
        return out

    def result_id(self, uri: str, diagnostics: list[lsp.Diagnostic]) -> str:
        """The result id of a pulled report: the same as last time while the
        document's diagnostics are the same ones, so that a client pulling
        again with it is told they did not change."""
        last = self._result_ids.get(uri)
        if last is not None and _same(last[1], diagnostics):
            return last[0]
        self._next_result_id += 1
        rid = str(self._next_result_id)
        self._result_ids[uri] = (rid, diagnostics)
        return rid

    def _publish(self, targets: list[tuple[str, int | None, int, list[lsp.Diagnostic]]]) -> None:
        for uri, version, generation, diagnostics in targets:
            doc = self.open_document(uri)
            if doc is None or doc.version != version:
                continue  # closed, or edited again since: a newer analysis is on its way
            if generation < self._published_generation.get(uri, -1):
                continue  # an analysis that saw a later change of another file was published already
            self._published_generation[uri] = generation
            if self._published.get(uri, -1) == version and _same(self._sent.get(uri), diagnostics):
                continue  # another document changed, and nothing in this one: the client has it all
            self._sent[uri] = diagnostics
            self.send_diagnostics(uri, version, diagnostics)
            self._published[uri] = version

    def published_elsewhere(self, uri: str) -> None:
        """Diagnostics of ``uri`` were sent by other means (the check-workspace
        command): the next analysis publishes whatever it finds."""
        self._sent.pop(uri, None)

    def send_diagnostics(self, uri: str, version: int | None, diagnostics: list[lsp.Diagnostic]) -> None:
        """Publish ``diagnostics`` for ``uri``.  Every publication carries
        all of a document's diagnostics, most of them unchanged since the
        last one: each diagnostic is written as JSON once (as pygls would
        write it) and the message is put together from those texts.
        Writing the whole message each time took a quarter of an edit's
        time in a 50,000-line file (2,000 diagnostics)."""
        old = self._json.get(uri, {})
        new: dict[int, tuple[lsp.Diagnostic, str]] = {}
        parts = []
        for d in diagnostics:
            hit = old.get(id(d))
            text = hit[1] if hit is not None and hit[0] is d else json.dumps(self.protocol._converter.unstructure(d))
            new[id(d)] = (d, text)
            parts.append(text)
        self._json[uri] = new
        tail = f', "version": {int(version)}' if version is not None else ""
        proto = self.protocol
        assert isinstance(proto, ZcsecProtocol)
        proto.send_text(f'{{"params": {{"uri": {json_string(uri)}, "diagnostics": [{", ".join(parts)}]{tail}}}, "method": "{lsp.TEXT_DOCUMENT_PUBLISH_DIAGNOSTICS}", "jsonrpc": "2.0"}}')

    def collect_garbage(self) -> bool:
        """Free the analyses that newer ones replaced, once an analysis is
        done.  A parse tree points back at its parents, so a replaced one is
        garbage only a full collection frees; the automatic collection (see
        app.start) seldom runs one, and in the meantime every edit left a
        whole model behind (with a 100,000-line CSD, over 100 MB each, and
        the server grew past 1 GB).  A full collection runs when the objects
        allocated since the last one outnumber those that survived it, so
        its cost stays proportional to what the edits allocated.  Returns
        whether it ran."""
        young, middle, old = gc.get_count()  # allocations; young and middle collections since the last older one
        t0, t1, _ = gc.get_threshold()
        allocated = young + middle * t0 + old * t0 * t1
        if allocated <= max(GC_MIN_ALLOCATED, self._gc_survivors):
            return False
        gc.collect()
        self._gc_survivors = len(gc.get_objects())  # frozen objects (gc.freeze) not included
        return True

    def clear(self, uri: str) -> None:
        task = self._pending.pop(uri, None)
        if task is not None:
            task.cancel()
        if uri in self._published:
            self._published.pop(uri, None)
        self._published_generation.pop(uri, None)
        for cache in (self._sent, self._converted, self._result_ids, self._json):
            cache.pop(uri, None)
        self.text_document_publish_diagnostics(lsp.PublishDiagnosticsParams(uri=uri, diagnostics=[]))
