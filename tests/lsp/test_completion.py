"""textDocument/completion end to end over stdio, with VS Code and Neovim
client capabilities."""

from __future__ import annotations

from lsprotocol import types as lsp

SERVER = """\
<server>
    <featureManager>
        <feature>zosconnect:zosConnect-2.0</feature>
        <feature>zosconnect:cicsService-1.0</feature>
        <feature>transportSecurity-1.0</feature>
    </featureManager>
    <include location="security.xml"/>
    <zosconnect_cicsIpicConnection id="cics1" host="cics.example.com" port="1491" sslCertsRef="
</server>
"""

SECURITY = """\
<server>
    <ssl id="cicsTls" keyStoreRef="ring"/>
    <keyStore id="ring" location="safkeyring:///ZCON.Ring" type="JCERACFKS" password="password" fileBased="false" readOnly="true"/>
    <zosconnect_authData id="cicsCred" user="ZCUSER" password="{aes}NOT-FOR-YOUR-EYES"/>
</server>
"""

CSD = """\
DEFINE TCPIPSERVICE(ZCIPIC) GROUP(ZCGRP) PORTNUMBER(1491) PROTOCOL(IPIC)
       SSL(CLIENTAUTH) URM(NO)
DEFINE TCPIPSERVICE(WEB) GROUP(ZCGRP) PORTNUMBER(8080) PROTOCOL(HTTP)
DEFINE IPCONN(ZCONN) GROUP(ZCGRP) APPLID(ZCONAPPL) NETWORKID(ZCONNET)
       TCPIPSERVICE(ZCIPIC) USERAUTH(IDENTIFY)
"""


def write(client, name: str, text: str):
    path = client.root / name
    path.write_text(text)
    return path


def open_doc(client, path, text: str, language: str = "xml") -> None:
    client.text_document_did_open(lsp.DidOpenTextDocumentParams(lsp.TextDocumentItem(path.as_uri(), language, 1, text)))


def position(text: str, marker: str, encoding: str = "utf-16", occurrence: int = 1) -> lsp.Position:
    """The position just after the ``occurrence``-th ``marker``."""
    offset = -1
    for _ in range(occurrence):
        offset = text.index(marker, offset + 1)
    offset += len(marker)
    line = text.count("\n", 0, offset)
    prefix = text[text.rfind("\n", 0, offset) + 1 : offset]
    if encoding == "utf-8":
        units = len(prefix.encode("utf-8"))
    else:
        units = len(prefix.encode("utf-16-le")) // 2
    return lsp.Position(line, units)


async def complete(client, path, pos: lsp.Position, trigger: str | None = None) -> list[lsp.CompletionItem]:
    if trigger is None:
        context = lsp.CompletionContext(trigger_kind=lsp.CompletionTriggerKind.Invoked)
    else:
        context = lsp.CompletionContext(trigger_kind=lsp.CompletionTriggerKind.TriggerCharacter, trigger_character=trigger)
    result = await client.text_document_completion_async(
        lsp.CompletionParams(text_document=lsp.TextDocumentIdentifier(path.as_uri()), position=pos, context=context)
    )
    assert result is not None
    return list(result.items if isinstance(result, lsp.CompletionList) else result)


def by_label(items, label):
    found = [i for i in items if i.label == label]
    assert found, f"{label} not in {[i.label for i in items][:40]}"
    return found[0]


def edit_range(item: lsp.CompletionItem) -> lsp.Range:
    edit = item.text_edit
    return edit.replace if isinstance(edit, lsp.InsertReplaceEdit) else edit.range


async def test_ref_offers_an_id_defined_in_an_include(client):
    write(client, "security.xml", SECURITY)
    path = write(client, "server.xml", SERVER)
    open_doc(client, path, SERVER)
    pos = position(SERVER, 'sslCertsRef="')
    items = await complete(client, path, pos, trigger='"')
    tls = by_label(items, "cicsTls")
    assert "ring" not in [i.label for i in items]  # a keyStore is no ssl
    assert tls.kind == lsp.CompletionItemKind.Reference
    assert tls.text_edit.new_text == "cicsTls"
    assert edit_range(tls) == lsp.Range(pos, pos)
    assert "security.xml" in tls.detail


async def test_attribute_items_retrigger_in_vscode_and_hide_secrets(client):
    write(client, "security.xml", SECURITY)
    text = SERVER.replace('sslCertsRef="', "")
    path = write(client, "server.xml", text)
    open_doc(client, path, text)
    items = await complete(client, path, position(text, 'port="1491" '), trigger=" ")
    ref = by_label(items, "authDataRef")
    assert ref.insert_text_format == lsp.InsertTextFormat.Snippet
    assert ref.text_edit.new_text == 'authDataRef="$1"$0'
    assert ref.command is not None and ref.command.command == "editor.action.triggerSuggest"
    assert "port" not in [i.label for i in items]
    text2 = text.replace('port="1491" ', 'port="1491" authDataRef="')
    open_doc(client, path, text2)
    items = await complete(client, path, position(text2, 'authDataRef="'))
    cred = by_label(items, "cicsCred")
    assert "NOT-FOR-YOUR-EYES" not in (cred.documentation.value if cred.documentation else "")


async def test_port_offers_the_ipic_portnumber_of_the_csd(client):
    write(client, "regions.csd", CSD)
    text = SERVER.replace('port="1491" sslCertsRef="', 'port="')
    path = write(client, "server.xml", text)
    open_doc(client, path, text)
    items = await complete(client, path, position(text, 'port="'), trigger='"')
    assert [i.label for i in items] == ["1491"]
    assert by_label(items, "1491").detail == "TCPIPSERVICE ZCIPIC"


async def test_csd_keyword_completion(client):
    text = CSD + "DEFINE IPCONN(NEW) GROUP(G)\n       USERA"
    path = write(client, "regions.csd", text)
    open_doc(client, path, text, "csd")
    items = await complete(client, path, position(text, "USERA", occurrence=2))
    kw = by_label(items, "USERAUTH")
    assert kw.kind == lsp.CompletionItemKind.Property
    assert kw.text_edit.new_text == "USERAUTH($1)"
    assert kw.insert_text_format == lsp.InsertTextFormat.Snippet
    assert edit_range(kw).start == lsp.Position(text.count("\n"), 7)
    assert isinstance(kw.documentation, lsp.MarkupContent) and kw.documentation.kind == lsp.MarkupKind.Markdown
    assert "GROUP" not in [i.label for i in items]
    text2 = text + "UTH("
    open_doc(client, path, text2, "csd")
    items = await complete(client, path, position(text2, "USERAUTH("), trigger="(")
    assert [i.label for i in items] == ["LOCAL", "IDENTIFY", "VERIFY", "DEFAULTUSER"]


async def test_feature_names(client):
    text = "<server>\n  <featureManager>\n    <feature>zosconnect:zosConnect-2.0</feature>\n    <feature>zos"
    path = write(client, "server.xml", text)
    open_doc(client, path, text)
    items = await complete(client, path, position(text, "<feature>zos", occurrence=2))
    labels = [i.label for i in items]
    assert "zosconnect:cicsService-1.0" in labels
    assert "zosconnect:zosConnect-2.0" not in labels
    item = by_label(items, "zosconnect:cicsService-1.0")
    assert item.kind == lsp.CompletionItemKind.Module
    assert edit_range(item).start.character == len("    <feature>")


async def test_snippets_for_vscode(client):
    write(client, "security.xml", SECURITY)
    text = SERVER.replace('    <zosconnect_cicsIpicConnection id="cics1" host="cics.example.com" port="1491" sslCertsRef="\n', "    <\n")
    path = write(client, "server.xml", text)
    open_doc(client, path, text)
    items = await complete(client, path, position(text, '<include location="security.xml"/>\n    <'), trigger="<")
    snippets = [i for i in items if i.kind == lsp.CompletionItemKind.Snippet]
    labels = [i.label for i in snippets]
    assert "CICS IPIC with TLS client authentication and identity assertion" in labels
    assert "CICS IPIC with TLS and fixed credentials (USERAUTH(VERIFY))" in labels
    sn = by_label(snippets, "CICS IPIC with TLS client authentication and identity assertion")
    assert sn.insert_text_format == lsp.InsertTextFormat.Snippet
    assert "zosconnect:cicsService-1.0" in sn.text_edit.new_text
    assert edit_range(sn).start.character == 4  # replaces the '<'
    assert sn.insert_text_mode == lsp.InsertTextMode.AdjustIndentation
    el = by_label(items, "zosconnect_cicsIpicConnection")
    assert el.kind == lsp.CompletionItemKind.Class
    assert edit_range(el).start.character == 4 and el.filter_text == "<zosconnect_cicsIpicConnection"  # replaces the "<" too


async def test_same_requests_with_neovim(neovim):
    client = neovim
    write(client, "security.xml", SECURITY)
    write(client, "regions.csd", CSD)
    text = SERVER.replace('id="cics1"', 'id="cics\u00e9\U0001F600"')
    path = write(client, "server.xml", text)
    open_doc(client, path, text)
    # Neovim offers UTF-8 first, but zcsec always negotiates UTF-16 (which every
    # client must support), so positions count UTF-16 code units here too.
    encoding = "utf-16"
    pos = position(text, 'sslCertsRef="', encoding)
    items = await complete(client, path, pos, trigger='"')
    tls = by_label(items, "cicsTls")
    assert edit_range(tls) == lsp.Range(pos, pos)
    assert tls.command is None  # no VS Code-only commands for other clients
    items = await complete(client, path, position(text, 'port="', encoding))
    assert by_label(items, "1491").detail == "TCPIPSERVICE ZCIPIC"
    text2 = text.replace("<server>\n", "<server>\n    <\n")
    open_doc(client, path, text2)
    items = await complete(client, path, position(text2, "\n    <", encoding), trigger="<")
    assert any(i.kind == lsp.CompletionItemKind.Snippet for i in items)
