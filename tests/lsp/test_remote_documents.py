"""Documents that are not local files (issue 15): an untitled buffer, a
data set member and a z/OS UNIX file opened through Zowe Explorer are
analysed on their own, under their own URI.  zcsec never guesses a local
path for them: an include they name is not looked for on this machine."""

from __future__ import annotations

import asyncio

from lsprotocol import types as lsp

from conftest import make_client

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


# -- files a remote document includes, read through the client (zcsec/readFile) --------

reader = make_client("visual-studio-code", settings={"readFile": True})

REMOTE_SERVER = '<server>\n    <include location="tls.xml"/>\n    <zosconnect_cicsIpicConnection id="c" host="h" port="1491" sslCertsRef="zcTLS"/>\n</server>\n'
REMOTE_TLS = '<server>\n    <ssl id="zcTLS" keyStoreRef="ring"/>\n    <keyStore id="ring" location="safkeyring:///ZC.Ring" type="JCERACFKS" fileBased="false" readOnly="true"/>\n</server>\n'
MAIN = "zowe-uss:/zosmf/u/zcee/servers/zc1/server.xml"
INCLUDED = "zowe-uss:/zosmf/u/zcee/servers/zc1/tls.xml"


def _serve(client, files: dict[str, dict]) -> list[str]:
    asked: list[str] = []

    @client.feature("zcsec/readFile")
    def read_file(params):
        uri = params["uri"] if isinstance(params, dict) else params.uri
        asked.append(uri)
        return files.get(uri, {"error": f"{uri} does not exist"})

    return asked


async def test_an_include_of_a_remote_document_is_read_through_the_editor(reader):
    asked = _serve(reader, {INCLUDED: {"text": REMOTE_TLS}})
    waiting = asyncio.ensure_future(_published(reader, MAIN))
    reader.text_document_did_open(lsp.DidOpenTextDocumentParams(lsp.TextDocumentItem(MAIN, "xml", 1, REMOTE_SERVER)))
    pub = await waiting
    assert [uri for uri in asked if uri.endswith(".xml")] == [INCLUDED]
    codes = {d.code for d in pub.diagnostics}
    assert "include-missing" not in codes and "ref-unresolved" not in codes, pub.diagnostics


async def test_an_include_the_editor_cannot_read_says_why(reader):
    asked = _serve(reader, {})
    waiting = asyncio.ensure_future(_published(reader, MAIN))
    reader.text_document_did_open(lsp.DidOpenTextDocumentParams(lsp.TextDocumentItem(MAIN, "xml", 1, REMOTE_SERVER)))
    pub = await waiting
    assert [uri for uri in asked if uri.endswith(".xml")] == [INCLUDED]
    [include] = [d for d in pub.diagnostics if d.code == "include-missing"]
    assert include.severity == lsp.DiagnosticSeverity.Information
    assert "the editor could not give it to zcsec" in include.message and "does not exist" in include.message


async def test_a_client_that_does_not_read_files_is_never_asked(client):
    asked = _serve(client, {INCLUDED: {"text": REMOTE_TLS}})
    waiting = asyncio.ensure_future(_published(client, MAIN))
    client.text_document_did_open(lsp.DidOpenTextDocumentParams(lsp.TextDocumentItem(MAIN, "xml", 1, REMOTE_SERVER)))
    pub = await waiting
    assert asked == []
    assert "include-missing" in {d.code for d in pub.diagnostics}
