"""Documents that are not local files (issue 15): an untitled buffer, a
data set member and a z/OS UNIX file opened through Zowe Explorer are
analysed on their own, under their own URI.  zcsec never guesses a local
path for them: an include they name is not looked for on this machine."""

from __future__ import annotations

import asyncio

from lsprotocol import types as lsp

CSD = " DEFINE TCPIPSERVICE(ZCIPIC) GROUP(ZCGRP) PROTOCOL(IPIC) PORTNUMBER(1491)\n        SSL(NO) AUTHENTICATE(BASIC)\n"
XML = '<server>\n    <include location="tls.xml"/>\n    <authData id="a" User="ZCUSER" password="{aes}AAAA"/>\n</server>\n'
COBOL = "       IDENTIFICATION DIVISION.\n       PROGRAM-ID. HELLO.\n"


async def _published(client, uri: str, timeout: float = 20.0) -> lsp.PublishDiagnosticsParams:
    seen: list[lsp.PublishDiagnosticsParams] = []
    original = client.protocol._handle_notification

    def record(method, params):
        if method == lsp.TEXT_DOCUMENT_PUBLISH_DIAGNOSTICS and params.uri == uri:
            seen.append(params)
        return original(method, params)

    client.protocol._handle_notification = record
    try:
        async def wait():
            while not seen:
                await asyncio.sleep(0.02)
            return seen[-1]

        return await asyncio.wait_for(wait(), timeout)
    finally:
        client.protocol._handle_notification = original


async def test_a_data_set_member_without_extension_is_csd_by_its_content(client):
    uri = "zowe-ds:/zosmf/USER.CICS.CSDIN(ZCEEIPIC)"
    waiting = asyncio.ensure_future(_published(client, uri))
    client.text_document_did_open(lsp.DidOpenTextDocumentParams(lsp.TextDocumentItem(uri, "plaintext", 1, CSD)))
    pub = await waiting
    assert pub.uri == uri
    assert "csd-keyword-protocol" in {d.code for d in pub.diagnostics}


async def test_a_member_that_is_not_csd_input_gets_no_diagnostics(client):
    uri = "zowe-ds:/zosmf/USER.COBOL(HELLO)"
    client.text_document_did_open(lsp.DidOpenTextDocumentParams(lsp.TextDocumentItem(uri, "plaintext", 1, COBOL)))
    # A pulled report for it is empty; nothing is pushed.
    report = await client.text_document_diagnostic_async(lsp.DocumentDiagnosticParams(lsp.TextDocumentIdentifier(uri)))
    assert list(report.items) == []


async def test_a_remote_server_xml_is_checked_and_its_include_is_not_looked_for_here(client):
    uri = "zowe-uss:/zosmf/u/zcee/servers/zc1/server.xml"
    waiting = asyncio.ensure_future(_published(client, uri))
    client.text_document_did_open(lsp.DidOpenTextDocumentParams(lsp.TextDocumentItem(uri, "xml", 1, XML)))
    pub = await waiting
    by_code = {d.code: d for d in pub.diagnostics}
    assert "attribute-name-case" in by_code
    include = by_code["include-missing"]
    assert include.severity == lsp.DiagnosticSeverity.Information and "not a local file" in include.message
    # A quick fix edits the document by its own URI.
    actions = await client.text_document_code_action_async(
        lsp.CodeActionParams(lsp.TextDocumentIdentifier(uri), by_code["attribute-name-case"].range, lsp.CodeActionContext(diagnostics=[by_code["attribute-name-case"]]))
    )
    rename = next(a for a in actions if a.title.startswith("zcsec: Rename"))
    assert list(rename.edit.changes) == [uri]


async def test_an_untitled_buffer_is_checked(client):
    uri = "untitled:Untitled-1"
    waiting = asyncio.ensure_future(_published(client, uri))
    client.text_document_did_open(lsp.DidOpenTextDocumentParams(lsp.TextDocumentItem(uri, "xml", 1, XML.replace('    <include location="tls.xml"/>\n', ""))))
    pub = await waiting
    assert {d.code for d in pub.diagnostics} == {"attribute-name-case"}
