"""textDocument/codeLens and textDocument/inlayHint over LSP, with the
capabilities of real clients (issue 15)."""

from __future__ import annotations

from lsprotocol import types as lsp

from conftest import server_xml

XML = server_xml(
    """
<variable name="cicsHost" value="cics1.example.com"/>
<keyStore id="ring" location="safkeyring:///ZC.Ring" type="JCERACFKS" fileBased="false" readOnly="true"/>
<ssl id="mtls" keyStoreRef="ring" trustStoreRef="ring" clientKeyAlias="ZC Client"/>
<zosconnect_cicsIpicConnection id="cics" host="${cicsHost}" port="1491" sslCertsRef="mtls" zosConnectApplid="ZOSCONN" zosConnectNetworkid="ZCNET"/>
""",
    ("zosconnect:zosConnect-2.0", "zosconnect:cicsService-1.0", "transportSecurity-1.0"),
)
CSD = " DEFINE TCPIPSERVICE(ZCIPIC) GROUP(ZCGRP) PORTNUMBER(1491) PROTOCOL(IPIC)\n        TRANSACTION(CISS) SSL(CLIENTAUTH) URM(NO) SOCKETCLOSE(NO)\n DEFINE IPCONN(ZOSCONN) GROUP(ZCGRP) APPLID(ZOSCONN) NETWORKID(ZCNET)\n        TCPIPSERVICE(ZCIPIC) LINKAUTH(CERTUSER) USERAUTH(IDENTIFY)\n"


async def _open(client) -> str:
    (client.root / ".zcsec.toml").write_text("")
    (client.root / "cics.csd").write_text(CSD)
    path = client.root / "server.xml"
    path.write_text(XML)
    uri = path.as_uri()
    client.text_document_did_open(lsp.DidOpenTextDocumentParams(lsp.TextDocumentItem(uri, "xml", 1, XML)))
    return uri


async def test_code_lens_shows_each_connections_security_and_opens_the_posture_view(client):
    uri = await _open(client)
    assert client.init_result.capabilities.code_lens_provider is not None
    lenses = await client.text_document_code_lens_async(lsp.CodeLensParams(lsp.TextDocumentIdentifier(uri)))
    [lens] = lenses
    line = XML.splitlines()[lens.range.start.line]
    assert line[lens.range.start.character : lens.range.end.character] == "zosconnect_cicsIpicConnection"
    assert lens.command.title == "TLS + client cert · link certificate · caller's ID asserted"
    assert (lens.command.command, list(lens.command.arguments)) == ("zcsec.showPosture", ["cics"])


async def test_inlay_hints_resolve_variables_and_name_the_listener(client):
    uri = await _open(client)
    whole = lsp.Range(lsp.Position(0, 0), lsp.Position(len(XML.splitlines()), 0))
    hints = await client.text_document_inlay_hint_async(lsp.InlayHintParams(lsp.TextDocumentIdentifier(uri), whole))
    got = {(XML.splitlines()[h.position.line][: h.position.character].split()[-1], h.label) for h in hints}
    assert got == {('host="${cicsHost}"', "= cics1.example.com"), ('port="1491"', "→ TCPIPSERVICE ZCIPIC, IPCONN ZOSCONN")}
