"""End-to-end hover over stdio: posture and CICS counterpart, secrets, odd input."""

from __future__ import annotations

import textwrap

from lsprotocol import types as lsp

SERVER = """\
<server>
    <featureManager>
        <feature>zosconnect:zosConnect-2.0</feature>
        <feature>zosconnect:cicsService-1.0</feature>
        <feature>transportSecurity-1.0</feature>
    </featureManager>
    <include location="conf/security.xml"/>
    <zosconnect_cicsIpicConnection id="cics" host="cics1.example.com" port="1491"
        sslCertsRef="zcSSL" authDataRef="cicsCred" zosConnectApplid="ZCONN1"/>
</server>
"""

SECURITY = """\
<server>
    <ssl id="zcSSL" keyStoreRef="zcKeys"/>
    <keyStore id="zcKeys" location="safkeyring:///ZC.RING" password="CANARY-xyz" type="JCERACFKS"/>
    <zosconnect_authData id="cicsCred" user="ZCUSER" password="CANARY-xyz"/>
    <authData id="dbAuth" user="DB" password="CANARY-xyz"/>
</server>
"""

CSD = """\
DEFINE TCPIPSERVICE(ZCIPIC) GROUP(ZCGRP) PORTNUMBER(1491) PROTOCOL(IPIC)
       SSL(CLIENTAUTH)
DEFINE IPCONN(ZCONN1) GROUP(ZCGRP) APPLID(ZCONN1) TCPIPSERVICE(ZCIPIC)
       USERAUTH(IDENTIFY) LINKAUTH(CERTUSER)
"""


def setup(client) -> dict:
    root = client.root
    (root / "conf").mkdir(exist_ok=True)
    files = {"server": root / "server.xml", "security": root / "conf" / "security.xml", "csd": root / "cics.csd"}
    files["server"].write_text(textwrap.dedent(SERVER))
    files["security"].write_text(textwrap.dedent(SECURITY))
    files["csd"].write_text(textwrap.dedent(CSD))
    for key, lang in (("server", "xml"), ("security", "xml")):
        p = files[key]
        client.text_document_did_open(lsp.DidOpenTextDocumentParams(lsp.TextDocumentItem(p.as_uri(), lang, 1, p.read_text())))
    return files


def position_of(path, needle: str, delta: int = 0) -> lsp.Position:
    text = path.read_text()
    offset = text.index(needle) + delta
    line = text.count("\n", 0, offset)
    return lsp.Position(line, offset - (text.rfind("\n", 0, offset) + 1))


async def hover_at(client, path, position: lsp.Position):
    return await client.text_document_hover_async(lsp.HoverParams(lsp.TextDocumentIdentifier(path.as_uri()), position))


async def test_hover_on_connection_shows_posture_and_cics_counterpart(client):
    f = setup(client)
    h = await hover_at(client, f["server"], position_of(f["server"], "zosconnect_cicsIpicConnection", 3))
    assert h is not None
    assert h.contents.kind == lsp.MarkupKind.Markdown
    md = h.contents.value
    assert h.range == lsp.Range(lsp.Position(7, 5), lsp.Position(7, 34))
    assert "**Security posture**" in md
    assert "| Transport | **tls**" in md
    assert "| Bind | **client-certificate** |" in md
    assert "| Link user | the RACF user mapped from z/OS Connect's client certificate |" in md
    assert "| Identity | **asserted-caller**" in md
    assert "| TCPIPSERVICE | `ZCIPIC` in `cics.csd:1`, SSL(CLIENTAUTH) |" in md
    assert "| IPCONN | `ZCONN1` in `cics.csd:3`, USERAUTH(IDENTIFY) LINKAUTH(CERTUSER) |" in md
    assert "CANARY" not in md


async def test_hover_on_ref_shows_target_without_secret(client):
    f = setup(client)
    h = await hover_at(client, f["server"], position_of(f["server"], "cicsCred", 2))
    md = h.contents.value
    assert h.range == lsp.Range(lsp.Position(8, 41), lsp.Position(8, 49))
    assert '`<zosconnect_authData id="cicsCred">` in `conf/security.xml:4`' in md
    assert "_secret, not shown_" in md
    assert "CANARY" not in md


async def test_hover_never_reveals_the_canary_anywhere_in_the_include(client):
    f = setup(client)
    lines = f["security"].read_text().splitlines()
    seen = 0
    for line_no, line in enumerate(lines):
        for col in range(len(line) + 1):
            h = await hover_at(client, f["security"], lsp.Position(line_no, col))
            if h is not None:
                seen += 1
                assert "CANARY" not in h.contents.value, (line_no, col)
    assert seen > 50


async def test_hover_on_csd_keyword_of_a_closed_file(client):
    f = setup(client)  # the .csd is not open: it is read from disk
    h = await hover_at(client, f["csd"], position_of(f["csd"], "USERAUTH", 2))
    assert h is not None
    assert "**USERAUTH** (IPCONN)" in h.contents.value
    assert h.range == lsp.Range(lsp.Position(3, 7), lsp.Position(3, 15))


async def test_hover_on_odd_input_returns_nothing(client):
    f = setup(client)
    assert await hover_at(client, f["server"], lsp.Position(500, 3)) is None
    assert await hover_at(client, f["server"], lsp.Position(1, 900)) is None
    unknown = client.root / "nope.xml"
    assert await client.text_document_hover_async(lsp.HoverParams(lsp.TextDocumentIdentifier(unknown.as_uri()), lsp.Position(0, 0))) is None
    assert await client.text_document_hover_async(lsp.HoverParams(lsp.TextDocumentIdentifier("untitled:Untitled-1"), lsp.Position(0, 0))) is None
    # the server is still alive and answering
    assert await hover_at(client, f["server"], position_of(f["server"], "zcSSL", 1)) is not None


async def test_hover_in_neovim(neovim):
    f = setup(neovim)
    h = await hover_at(neovim, f["server"], position_of(f["server"], "zcSSL", 1))
    assert '`<ssl id="zcSSL">` in `conf/security.xml:2`' in h.contents.value
