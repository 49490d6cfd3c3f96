from lsprotocol import types as lsp


async def test_publishes_diagnostics_on_open(client):
    path = client.root / "server.xml"
    text = '<server>\n  <zosconnect_cicsIpicConnection id="c" host="h" authDataRef="nope"/>\n</server>\n'
    path.write_text(text)
    client.text_document_did_open(lsp.DidOpenTextDocumentParams(lsp.TextDocumentItem(path.as_uri(), "xml", 1, text)))
    await client.wait_for_notification(lsp.TEXT_DOCUMENT_PUBLISH_DIAGNOSTICS)
    codes = {d.code for d in client.diagnostics[path.as_uri()]}
    assert "ref-unresolved" in codes
    assert "missing-required-attribute" in codes
