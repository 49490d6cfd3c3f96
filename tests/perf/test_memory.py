"""Memory held by the language server, checked by counting objects, not by
reading the resident size (issue 14): what a long editing session must not
accumulate."""

from __future__ import annotations

from lsprotocol import types as lsp
from pygls.workspace import Workspace

from zcsec.lsp.app import create_server


def test_notifications_leave_no_futures_behind(tmp_path):
    # pygls files the future of a notification's handler and never takes it
    # out: one per didOpen and didChange, for the life of the server.
    ls = create_server()
    ls.protocol._workspace = Workspace(tmp_path.as_uri())
    errors: list = []
    ls.report_server_error = lambda error, source: errors.append(error)
    uri = (tmp_path / "pom.xml").as_uri()  # an XML file that is not Liberty configuration: no analysis
    ls.protocol._handle_notification(lsp.TEXT_DOCUMENT_DID_OPEN, lsp.DidOpenTextDocumentParams(lsp.TextDocumentItem(uri=uri, language_id="xml", version=1, text="<project/>")))
    for version in range(2, 202):
        change = lsp.TextDocumentContentChangeWholeDocument(text=f"<project>{version}</project>")
        ls.protocol._handle_notification(lsp.TEXT_DOCUMENT_DID_CHANGE, lsp.DidChangeTextDocumentParams(lsp.VersionedTextDocumentIdentifier(version=version, uri=uri), [change]))
    assert errors == []
    assert ls.workspace.get_text_document(uri).source == "<project>201</project>"
    assert ls.protocol._request_futures == {}
