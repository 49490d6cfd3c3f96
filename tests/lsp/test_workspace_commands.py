"""The workspace-wide requests the VS Code extension uses, and documents the
server must leave alone."""

import asyncio

from lsprotocol import types as lsp

SERVER = """<server>
    <featureManager>
        <feature>zosconnect:zosConnect-2.0</feature>
        <feature>zosconnect:cicsService-1.0</feature>
    </featureManager>
    <zosconnect_cicsIpicConnection id="cicsConn" host="cics1" port="1491"/>
</server>
"""
CSD = """ DEFINE TCPIPSERVICE(ZCIPIC) GROUP(ZCGRP) PROTOCOL(IPIC)
        PORTNUMBER(1491) SSL(NO) SOCKETCLOSE(NO)
"""


def _open(client, name, text, language="xml"):
    path = client.root / name
    path.write_text(text)
    client.text_document_did_open(lsp.DidOpenTextDocumentParams(lsp.TextDocumentItem(path.as_uri(), language, 1, text)))
    return path.as_uri()


async def _diagnostics_for(client, uri):
    async def wait():
        while uri not in client.diagnostics:
            await asyncio.sleep(0.02)

    await asyncio.wait_for(wait(), 15)
    return client.diagnostics[uri]


async def test_xml_without_server_root_is_left_alone(client):
    pom = _open(client, "pom.xml", "<project><modelVersion>4.0.0</modelVersion></project>\n")
    server = _open(client, "server.xml", SERVER)
    await _diagnostics_for(client, server)
    await asyncio.sleep(0.3)
    assert pom not in client.diagnostics
    # A hover request on it still gets an answer, not an error.
    result = await client.text_document_hover_async(lsp.HoverParams(lsp.TextDocumentIdentifier(pom), lsp.Position(0, 2)))
    assert result is None or isinstance(result, lsp.Hover)


async def test_posture_request_lists_every_connection_with_its_cics_side(client):
    (client.root / "cics.csd").write_text(CSD)
    _open(client, "server.xml", SERVER)
    rows = await client.protocol.send_request_async("zcsec/posture", {})
    assert len(rows) == 1
    row = rows[0]
    assert row["id"] == "cicsConn" and row["provider"] == "cics"
    assert row["transport"] == "none"
    assert row["counterpart"].startswith("TCPIPSERVICE ZCIPIC SSL(NO)")
    assert row["uri"] == (client.root / "server.xml").as_uri()
    assert row["range"]["start"] == {"line": 5, "character": 5}
    # What the picture of the view draws: the one-line security, its colour and why.
    assert row["summary"].startswith("plain TCP") and row["strength"] == "weak"
    assert "plain text on the network" in row["weaknesses"]


async def test_check_workspace_publishes_for_files_that_are_not_open(client):
    (client.root / "server.xml").write_text(SERVER)
    (client.root / "cics.csd").write_text(CSD + " DEFINE IPCONN(ZOSCONN) GROUP(ZCGRP) TCPIPSERVICE(ZCIPIC)\n")
    count = await client.workspace_execute_command_async(lsp.ExecuteCommandParams(command="zcsec.server.checkWorkspace", arguments=[]))
    assert count >= 1
    csd_diags = await _diagnostics_for(client, (client.root / "cics.csd").as_uri())
    assert "cics-default-link-user" in {d.code for d in csd_diags}
