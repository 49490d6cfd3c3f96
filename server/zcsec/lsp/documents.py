"""Lifecycle, settings, document synchronisation and diagnostics (pushed
after a debounce, or pulled by clients that ask)."""

from __future__ import annotations

import asyncio

from lsprotocol import types as lsp

from .. import __version__
from ..sources import norm
from .convert import uri_to_path
from .server import ZcsecServer, line_index, one_malloc_arena
from .settings import parse_settings


def initialize(ls: ZcsecServer, params: lsp.InitializeParams) -> None:
    roots = []
    for folder in params.workspace_folders or []:
        p = uri_to_path(folder.uri)
        if p:
            roots.append(p)
    if not roots and params.root_uri:
        p = uri_to_path(params.root_uri)
        if p:
            roots.append(p)
    ls.use_roots(roots)
    options = params.initialization_options
    ls.read_through = isinstance(options, dict) and options.get("readFile") is True
    ls.read_directory = ls.read_through and isinstance(options, dict) and options.get("readDirectory") is True
    ls.apply_settings(parse_settings(options))


async def initialized(ls: ZcsecServer, params: lsp.InitializedParams) -> None:
    # The client has the answer to initialize: make the analysis now (which
    # imports it, see lazy), before the first document arrives.
    service = ls.service
    one_malloc_arena()
    ls.log(f"zcsec {__version__} started; workspace folders: {', '.join(service.roots) or '(none)'}; diagnostics delay {ls.settings.diagnostics_delay_ms} ms")
    caps = ls.client_capabilities
    ws_caps = getattr(caps, "workspace", None)
    watched = getattr(getattr(ws_caps, "did_change_watched_files", None), "dynamic_registration", False)
    regs = []
    if watched:
        regs.append(
            lsp.Registration(
                id="zcsec-watch",
                method=lsp.WORKSPACE_DID_CHANGE_WATCHED_FILES,
                register_options=lsp.DidChangeWatchedFilesRegistrationOptions(
                    watchers=[
                        lsp.FileSystemWatcher(glob_pattern=g)
                        for g in ("**/*.xml", "**/*.csd", "**/*.jcl", "**/.zcsec.toml", "**/server.env", "**/bootstrap.properties")
                    ]
                ),
            )
        )
    if getattr(getattr(ws_caps, "did_change_configuration", None), "dynamic_registration", False):
        regs.append(lsp.Registration(id="zcsec-config", method=lsp.WORKSPACE_DID_CHANGE_CONFIGURATION))
    if regs:
        try:
            await ls.client_register_capability_async(lsp.RegistrationParams(registrations=regs))
        except Exception as exc:  # noqa: BLE001
            ls.log(f"zcsec: could not register file watchers: {exc!r}", lsp.MessageType.Warning)
    await _pull_configuration(ls)


async def _pull_configuration(ls: ZcsecServer) -> None:
    caps = ls.client_capabilities
    if not getattr(getattr(caps, "workspace", None), "configuration", False):
        return
    try:
        result = await ls.workspace_configuration_async(lsp.ConfigurationParams(items=[lsp.ConfigurationItem(section="zcsec")]))
    except Exception as exc:  # noqa: BLE001
        ls.log(f"zcsec: workspace/configuration failed: {exc!r}", lsp.MessageType.Warning)
        return
    if result and isinstance(result[0], dict) and result[0]:
        ls.apply_settings(parse_settings(result[0]))
        for uri in list(ls.workspace.text_documents):
            ls.schedule(uri, 0)


async def did_change_configuration(ls: ZcsecServer, params: lsp.DidChangeConfigurationParams) -> None:
    if isinstance(params.settings, dict) and params.settings.get("zcsec") is not None:
        ls.apply_settings(parse_settings(params.settings))
        for uri in list(ls.workspace.text_documents):
            ls.schedule(uri, 0)
        return
    await _pull_configuration(ls)


def did_open(ls: ZcsecServer, params: lsp.DidOpenTextDocumentParams) -> None:
    path = ls.path_of(params.text_document.uri)
    if path is None or not ls.service.relevant(path, params.text_document.text):
        return  # not a file: URI, or an XML file that is not Liberty configuration
    ls.service.open(path, params.text_document.text)
    ls.schedule(params.text_document.uri, 0)


def did_change(ls: ZcsecServer, params: lsp.DidChangeTextDocumentParams) -> None:
    uri = params.text_document.uri
    path = ls.path_of(uri)
    doc = ls.open_document(uri)
    if path is None or doc is None:
        return  # a change for a document that was never opened
    if norm(path) not in ls.service.open_paths:
        if not ls.service.relevant(path, doc.source):
            return  # still not Liberty configuration
        ls.service.open(path, doc.source)  # it just became one (a <server> root was typed)
    else:
        ls.service.change(path, doc.source, line_index(doc))
    ls.schedule(uri)  # also re-publishes the open documents of the same project


def did_close(ls: ZcsecServer, params: lsp.DidCloseTextDocumentParams) -> None:
    uri = params.text_document.uri
    path = ls.path_of(uri)
    if path is None:
        return
    ls.service.close(path)
    ls.clear(uri)
    for other in ls.service.dependents(path):
        for ouri in list(ls.workspace.text_documents):
            if ls.path_of(ouri) == other:
                ls.schedule(ouri, 0)


def did_change_watched_files(ls: ZcsecServer, params: lsp.DidChangeWatchedFilesParams) -> None:
    paths = [p for p in (ls.path_of(c.uri) for c in params.changes) if p]
    ls.service.files_changed_on_disk(paths)
    for uri in list(ls.workspace.text_documents):
        ls.schedule(uri, 0)


async def pull_diagnostics(ls: ZcsecServer, params: lsp.DocumentDiagnosticParams):
    path = ls.path_of(params.text_document.uri)
    doc = ls.open_document(params.text_document.uri)
    if path is None or (doc is not None and norm(path) not in ls.service.open_paths):
        return lsp.FullDocumentDiagnosticReport(items=[])
    await ls.prepare(path)
    loop = asyncio.get_running_loop()
    uri = params.text_document.uri
    findings = await loop.run_in_executor(ls.thread_pool, ls.service.findings, path)
    ls.collect_garbage()
    items = ls.diagnostics_of(uri, findings)
    result_id = ls.result_id(uri, items)
    if params.previous_result_id == result_id:
        return lsp.UnchangedDocumentDiagnosticReport(result_id=result_id)
    return lsp.FullDocumentDiagnosticReport(items=items, result_id=result_id)


def register(server: ZcsecServer) -> None:
    server.feature(lsp.INITIALIZE)(initialize)
    server.feature(lsp.INITIALIZED)(initialized)
    server.feature(lsp.WORKSPACE_DID_CHANGE_CONFIGURATION)(did_change_configuration)
    server.feature(lsp.TEXT_DOCUMENT_DID_OPEN)(did_open)
    server.feature(lsp.TEXT_DOCUMENT_DID_CHANGE)(did_change)
    server.feature(lsp.TEXT_DOCUMENT_DID_CLOSE)(did_close)
    server.feature(lsp.WORKSPACE_DID_CHANGE_WATCHED_FILES)(did_change_watched_files)
    server.feature(lsp.TEXT_DOCUMENT_DIAGNOSTIC, lsp.DiagnosticOptions(identifier="zcsec", inter_file_dependencies=True, workspace_diagnostics=False))(pull_diagnostics)
