"""End-to-end navigation over stdio: definition, references, rename, symbols, links."""

from __future__ import annotations

import textwrap

import pytest
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
    <zosconnect_cicsIpicConnection id="cics2" host="cics2.example.com" port="1491" authDataRef="cicsCred"/>
</server>
"""

SECURITY = """\
<server>
    <ssl id="zcSSL" keyStoreRef="zcKeys"/>
    <keyStore id="zcKeys" location="safkeyring:///ZC.RING" password="x" type="JCERACFKS"/>
    <zosconnect_authData id="cicsCred" user="ZCUSER" password="{aes}abc"/>
</server>
"""

CSD = """\
DEFINE TCPIPSERVICE(ZCIPIC) GROUP(ZCGRP) PORTNUMBER(1491) PROTOCOL(IPIC)
       SSL(YES)
DEFINE IPCONN(ZCONN1) GROUP(ZCGRP) APPLID(ZCONN1) TCPIPSERVICE(ZCIPIC)
       USERAUTH(IDENTIFY)
"""


def setup(client, server_text: str = SERVER) -> dict:
    root = client.root
    (root / "conf").mkdir(exist_ok=True)
    files = {"server": root / "server.xml", "security": root / "conf" / "security.xml", "csd": root / "cics.csd"}
    files["server"].write_text(textwrap.dedent(server_text), encoding="utf-8")
    files["security"].write_text(textwrap.dedent(SECURITY), encoding="utf-8")
    files["csd"].write_text(textwrap.dedent(CSD), encoding="utf-8")
    for key, lang in (("server", "xml"), ("csd", "plaintext")):
        p = files[key]
        client.text_document_did_open(lsp.DidOpenTextDocumentParams(lsp.TextDocumentItem(p.as_uri(), lang, 1, p.read_text(encoding="utf-8"))))
    return files


def pos(path, needle: str, delta: int = 0, nth: int = 0) -> lsp.Position:
    text = path.read_text(encoding="utf-8")
    offset = -1
    for _ in range(nth + 1):
        offset = text.index(needle, offset + 1)
    offset += delta
    line = text.count("\n", 0, offset)
    return lsp.Position(line, offset - (text.rfind("\n", 0, offset) + 1))


def rng(path, needle: str, nth: int = 0) -> lsp.Range:
    start = pos(path, needle, 0, nth)
    return lsp.Range(start, lsp.Position(start.line, start.character + len(needle)))


def doc(path) -> lsp.TextDocumentIdentifier:
    return lsp.TextDocumentIdentifier(path.as_uri())


async def test_definition_across_files(client):
    f = setup(client)
    got = await client.text_document_definition_async(lsp.DefinitionParams(doc(f["server"]), pos(f["server"], "zcSSL", 2)))
    assert list(got) == [lsp.Location(f["security"].as_uri(), rng(f["security"], "zcSSL"))]
    got = await client.text_document_definition_async(lsp.DefinitionParams(doc(f["server"]), pos(f["server"], '"1491"', 2)))
    assert list(got) == [lsp.Location(f["csd"].as_uri(), rng(f["csd"], "ZCIPIC"))]
    got = await client.text_document_definition_async(lsp.DefinitionParams(doc(f["server"]), pos(f["server"], "conf/security.xml", 3)))
    assert list(got) == [lsp.Location(f["security"].as_uri(), lsp.Range(lsp.Position(0, 0), lsp.Position(0, 0)))]
    got = await client.text_document_definition_async(lsp.DefinitionParams(doc(f["csd"]), pos(f["csd"], "ZCIPIC", 2, nth=1)))
    assert list(got) == [lsp.Location(f["csd"].as_uri(), rng(f["csd"], "ZCIPIC"))]


async def test_definition_on_nothing_and_odd_input(client):
    f = setup(client)
    assert await client.text_document_definition_async(lsp.DefinitionParams(doc(f["server"]), pos(f["server"], "host", 1))) is None
    assert await client.text_document_definition_async(lsp.DefinitionParams(doc(f["server"]), lsp.Position(99, 99))) is None
    nope = lsp.TextDocumentIdentifier((client.root / "nope.xml").as_uri())
    assert await client.text_document_definition_async(lsp.DefinitionParams(nope, lsp.Position(0, 0))) is None


async def test_references(client):
    f = setup(client)
    params = lsp.ReferenceParams(text_document=doc(f["server"]), position=pos(f["server"], "cicsCred", 1), context=lsp.ReferenceContext(include_declaration=True))
    got = await client.text_document_references_async(params)
    assert list(got) == [
        lsp.Location(f["security"].as_uri(), rng(f["security"], "cicsCred")),
        lsp.Location(f["server"].as_uri(), rng(f["server"], "cicsCred", 0)),
        lsp.Location(f["server"].as_uri(), rng(f["server"], "cicsCred", 1)),
    ]
    params = lsp.ReferenceParams(text_document=doc(f["csd"]), position=pos(f["csd"], "ZCIPIC", 1), context=lsp.ReferenceContext(include_declaration=False))
    got = await client.text_document_references_async(params)
    assert list(got) == [
        lsp.Location(f["csd"].as_uri(), rng(f["csd"], "ZCIPIC", 1)),
        lsp.Location(f["server"].as_uri(), rng(f["server"], "1491", 0)),
        lsp.Location(f["server"].as_uri(), rng(f["server"], "1491", 1)),
    ]
    params = lsp.ReferenceParams(text_document=doc(f["server"]), position=lsp.Position(300, 0), context=lsp.ReferenceContext(include_declaration=True))
    assert not await client.text_document_references_async(params)


async def test_prepare_rename_and_rename_updates_the_include(client):
    f = setup(client)
    prep = await client.text_document_prepare_rename_async(lsp.PrepareRenameParams(doc(f["server"]), pos(f["server"], "cicsCred", 3)))
    assert isinstance(prep, lsp.PrepareRenamePlaceholder)
    assert prep.range == rng(f["server"], "cicsCred") and prep.placeholder == "cicsCred"
    assert await client.text_document_prepare_rename_async(lsp.PrepareRenameParams(doc(f["server"]), pos(f["server"], "host", 1))) is None

    edit = await client.text_document_rename_async(lsp.RenameParams(doc(f["server"]), pos(f["server"], "cicsCred", 3), "cicsCredentials"))
    assert edit is not None and edit.changes is not None
    assert set(edit.changes) == {f["server"].as_uri(), f["security"].as_uri()}
    assert list(edit.changes[f["security"].as_uri()]) == [lsp.TextEdit(rng(f["security"], "cicsCred"), "cicsCredentials")]
    assert list(edit.changes[f["server"].as_uri()]) == [
        lsp.TextEdit(rng(f["server"], "cicsCred", 0), "cicsCredentials"),
        lsp.TextEdit(rng(f["server"], "cicsCred", 1), "cicsCredentials"),
    ]


async def test_rename_refuses_bad_names_and_positions(client):
    f = setup(client)
    for bad in ('a"b', "a<b", "a&b", "a b"):
        with pytest.raises(Exception) as info:
            await client.text_document_rename_async(lsp.RenameParams(doc(f["server"]), pos(f["server"], "zcSSL", 1), bad))
        assert "cannot contain" in str(info.value)
    got = await client.text_document_rename_async(lsp.RenameParams(doc(f["server"]), pos(f["server"], "host", 1), "x"))
    assert got is None
    # still serving
    assert await client.text_document_prepare_rename_async(lsp.PrepareRenameParams(doc(f["server"]), pos(f["server"], "zcSSL", 1))) is not None


async def test_document_symbols(client):
    f = setup(client)
    syms = await client.text_document_document_symbol_async(lsp.DocumentSymbolParams(doc(f["server"])))
    assert [s.name for s in syms] == ["include conf/security.xml", "zosconnect_cicsIpicConnection cics", "zosconnect_cicsIpicConnection cics2"]
    cics = syms[1]
    assert cics.kind == lsp.SymbolKind.Interface
    assert cics.detail.startswith("CICS (IPIC) → cics1.example.com:1491 · transport tls")
    assert cics.selection_range == rng(f["server"], "zosconnect_cicsIpicConnection")
    end = pos(f["server"], 'ZCONN1"/>', len('ZCONN1"/>'))
    assert cics.range == lsp.Range(lsp.Position(7, 4), end)
    syms = await client.text_document_document_symbol_async(lsp.DocumentSymbolParams(doc(f["csd"])))
    assert [s.name for s in syms] == ["DEFINE TCPIPSERVICE(ZCIPIC)", "DEFINE IPCONN(ZCONN1)"]
    assert syms[0].kind == lsp.SymbolKind.Struct
    assert syms[0].selection_range == rng(f["csd"], "ZCIPIC")
    nope = lsp.TextDocumentIdentifier((client.root / "nope.xml").as_uri())
    assert not await client.text_document_document_symbol_async(lsp.DocumentSymbolParams(nope))


async def test_document_links(client):
    f = setup(client)
    links = await client.text_document_document_link_async(lsp.DocumentLinkParams(doc(f["server"])))
    assert [(lk.range, lk.target) for lk in links] == [(rng(f["server"], "conf/security.xml"), f["security"].as_uri())]


async def test_neovim_gets_utf16_columns(neovim):
    # neovim offers utf-8 first, but zcsec negotiates utf-16 with every client;
    # a non-ASCII host name before the reference counts one unit per character.
    text = SERVER.replace('host="cics1.example.com" port="1491"\n        sslCertsRef', 'host="hôte-é.example.com" port="1491" sslCertsRef')
    f = setup(neovim, text)
    line_text = f["server"].read_text(encoding="utf-8").splitlines()[7]
    col16 = line_text.index("zcSSL")
    assert neovim.init_result.capabilities.position_encoding == lsp.PositionEncodingKind.Utf16
    col8 = col16  # the column sent is in UTF-16 units
    got = await neovim.text_document_definition_async(lsp.DefinitionParams(doc(f["server"]), lsp.Position(7, col8 + 1)))
    assert list(got) == [lsp.Location(f["security"].as_uri(), rng(f["security"], "zcSSL"))]
    prep = await neovim.text_document_prepare_rename_async(lsp.PrepareRenameParams(doc(f["server"]), lsp.Position(7, col8 + 1)))
    assert prep.range == lsp.Range(lsp.Position(7, col8), lsp.Position(7, col8 + 5))
