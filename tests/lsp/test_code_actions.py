"""Quick fixes end to end over stdio: the test asks for the code actions of
a published diagnostic, applies the chosen WorkspaceEdit itself (UTF-16
positions), sends the result back as an editor would (didChange for open
documents, a write to disk plus didChangeWatchedFiles for the others) and
checks that the diagnostic is gone after the re-check."""

from __future__ import annotations

import asyncio
import re
from pathlib import Path

from lsprotocol import types as lsp

TIMEOUT = 10.0


# -- applying edits like an editor -------------------------------------------------------------
def _line_starts(text: str) -> list[int]:
    return [0] + [m.end() for m in re.finditer(r"\r\n|\r|\n", text)]


def offset_at(text: str, pos: lsp.Position) -> int:
    """The string offset of an LSP position (UTF-16 code units)."""
    starts = _line_starts(text)
    if pos.line >= len(starts):
        return len(text)
    i = starts[pos.line]
    end = starts[pos.line + 1] if pos.line + 1 < len(starts) else len(text)
    while end > i and text[end - 1] in "\r\n":
        end -= 1
    units = 0
    while i < end and units < pos.character:
        units += 2 if ord(text[i]) > 0xFFFF else 1
        i += 1
    return i


def apply_text_edits(text: str, edits: list[lsp.TextEdit]) -> str:
    spans = sorted(((offset_at(text, e.range.start), offset_at(text, e.range.end), e.new_text) for e in edits), key=lambda s: (s[0], s[1]))
    for (a0, a1, _), (b0, _b1, _) in zip(spans, spans[1:]):
        assert a1 <= b0, "overlapping edits"
    for start, end, new in reversed(spans):
        text = text[:start] + new + text[end:]
    return text


def edits_by_uri(edit: lsp.WorkspaceEdit) -> dict[str, list[lsp.TextEdit]]:
    out: dict[str, list[lsp.TextEdit]] = {}
    for uri, edits in (edit.changes or {}).items():
        out.setdefault(uri, []).extend(edits)
    for dc in edit.document_changes or []:
        assert isinstance(dc, lsp.TextDocumentEdit), "only text edits are expected"
        out.setdefault(dc.text_document.uri, []).extend(dc.edits)
    return out


class Session:
    """Records every publishDiagnostics notification and keeps the text of
    the documents it opened."""

    def __init__(self, client) -> None:
        self.client = client
        self.root: Path = client.root
        self.published: list[lsp.PublishDiagnosticsParams] = []
        self.texts: dict[str, str] = {}
        self.versions: dict[str, int] = {}
        proto = client.protocol
        original = proto._handle_notification

        def record(method, params):
            if method == lsp.TEXT_DOCUMENT_PUBLISH_DIAGNOSTICS:
                self.published.append(params)
            return original(method, params)

        proto._handle_notification = record

    def write(self, name: str, text: str) -> Path:
        path = self.root / name
        path.write_bytes(text.encode("utf-8"))  # no newline translation: CRLF stays CRLF
        return path

    def open(self, name: str, text: str, language: str = "xml") -> str:
        uri = self.write(name, text).as_uri()
        self.texts[uri] = text
        self.versions[uri] = 1
        self.client.text_document_did_open(lsp.DidOpenTextDocumentParams(lsp.TextDocumentItem(uri, language, 1, text)))
        return uri

    def mark(self) -> int:
        return len(self.published)

    async def wait(self, uri: str, *, version: int | None = None, since: int = 0, where=None) -> lsp.PublishDiagnosticsParams:
        async def poll():
            while True:
                for p in reversed(self.published[since:]):
                    if p.uri == uri and (version is None or p.version == version) and (where is None or where(p)):
                        return p
                await asyncio.sleep(0.01)

        try:
            return await asyncio.wait_for(poll(), TIMEOUT)
        except TimeoutError:
            seen = [(p.version, sorted(d.code for d in p.diagnostics)) for p in self.published[since:] if p.uri == uri]
            raise AssertionError(f"no matching publication for {uri} (version {version}); seen {seen}") from None

    async def diagnostic(self, uri: str, code: str, *, since: int = 0) -> lsp.Diagnostic:
        pub = await self.wait(uri, since=since, where=lambda p: any(d.code == code for d in p.diagnostics))
        return next(d for d in pub.diagnostics if d.code == code)

    async def actions(self, uri: str, diag: lsp.Diagnostic, only=None) -> list[lsp.CodeAction]:
        result = await self.client.text_document_code_action_async(
            lsp.CodeActionParams(lsp.TextDocumentIdentifier(uri), diag.range, lsp.CodeActionContext(diagnostics=[diag], only=only))
        )
        assert all(isinstance(a, lsp.CodeAction) for a in result or [])
        return list(result or [])

    def apply(self, edit: lsp.WorkspaceEdit) -> dict[str, str]:
        """Apply ``edit``: open documents get a full didChange, the others are
        written to disk and announced with didChangeWatchedFiles.  Returns the
        new text of every changed file."""
        changed: dict[str, str] = {}
        on_disk: list[lsp.FileEvent] = []
        for uri, edits in edits_by_uri(edit).items():
            if uri in self.texts:
                new = apply_text_edits(self.texts[uri], edits)
                self.texts[uri] = new
                self.versions[uri] += 1
                self.client.text_document_did_change(
                    lsp.DidChangeTextDocumentParams(
                        lsp.VersionedTextDocumentIdentifier(version=self.versions[uri], uri=uri),
                        [lsp.TextDocumentContentChangeWholeDocument(text=new)],
                    )
                )
            else:
                path = Path(lsp_path(uri))
                new = apply_text_edits(path.read_bytes().decode("utf-8"), edits)
                path.write_bytes(new.encode("utf-8"))
                on_disk.append(lsp.FileEvent(uri, lsp.FileChangeType.Changed))
            changed[uri] = new
        if on_disk:
            self.client.workspace_did_change_watched_files(lsp.DidChangeWatchedFilesParams(on_disk))
        return changed


def lsp_path(uri: str) -> str:
    from urllib.parse import unquote, urlparse

    return unquote(urlparse(uri).path)


def titled(actions: list[lsp.CodeAction], fragment: str) -> lsp.CodeAction:
    found = [a for a in actions if fragment in a.title]
    assert len(found) == 1, f"expected one action with {fragment!r}, got {[a.title for a in actions]}"
    return found[0]


def codes_of(p: lsp.PublishDiagnosticsParams) -> set[str]:
    return {d.code for d in p.diagnostics}


async def fixed(s: Session, uri: str, code: str, since: int) -> lsp.PublishDiagnosticsParams:
    """The publication for the current version of ``uri`` (if open) after ``since`` without ``code``."""
    return await s.wait(uri, version=s.versions.get(uri), since=since, where=lambda p: code not in codes_of(p))


# -- documents ---------------------------------------------------------------------------------
FEATURES = """\
    <featureManager>
        <feature>zosconnect:zosConnect-2.0</feature>
        <feature>zosconnect:cicsService-1.0</feature>
    </featureManager>
"""

REF_XML = (
    "<server>\n"
    + FEATURES
    + '    <zosconnect_cicsIpicConnection id="cicsConn" host="cics1" port="1491" authDataRef="cre"/>\n'
    + '    <zosconnect_authData id="cred" user="ZCUSER" password="{aes}ABC"/>\n'
    + "</server>\n"
)

VERIFY_XML = "<server>\n" + FEATURES + '    <zosconnect_cicsIpicConnection id="cicsConn" host="cics1" port="1491" zosConnectApplid="ZOSCONN" zosConnectNetworkid="ZCNET"/>\n</server>\n'

VERIFY_CSD = """\
 DEFINE TCPIPSERVICE(ZCIPIC) GROUP(ZCGRP) PROTOCOL(IPIC)
        PORTNUMBER(1491) SSL(YES) URM(NO)
 DEFINE IPCONN(ZOSCONN) GROUP(ZCGRP) TCPIPSERVICE(ZCIPIC)
        APPLID(ZOSCONN) NETWORKID(ZCNET) USERAUTH(VERIFY)
"""

CERTUSER_CSD = """\
 DEFINE IPCONN(ZOSCONN) GROUP(ZCGRP) TCPIPSERVICE(ZCIPIC)
        APPLID(ZOSCONN) NETWORKID(ZCNET)
        LINKAUTH(CERTUSER) SECURITYNAME(ZCLINK)
"""

TCPIP_CSD = """\
 DEFINE TCPIPSERVICE(ZCIPIC) GROUP(ZCGRP) PROTOCOL(IPIC)
        PORTNUMBER(1491) SSL(YES) URM(NO)
"""


# -- fixes ---------------------------------------------------------------------------------------
async def test_ref_unresolved_change_to_near_miss(client):
    s = Session(client)
    uri = s.open("server.xml", REF_XML)
    diag = await s.diagnostic(uri, "ref-unresolved")
    assert diag.data and diag.data["fixes"]
    actions = await s.actions(uri, diag)
    assert [a.title for a in actions] == [
        "zcsec: Change to 'cred'",
        'zcsec: Create <zosconnect_authData id="cre">',
        "zcsec: Suppress ref-unresolved on this line",
    ]
    assert all(a.kind == lsp.CodeActionKind.QuickFix and list(a.diagnostics) == [diag] for a in actions)
    assert actions[0].is_preferred is True
    assert not actions[1].is_preferred and not actions[2].is_preferred
    mark = s.mark()
    new = s.apply(actions[0].edit)[uri]
    assert 'authDataRef="cred"/>' in new
    await fixed(s, uri, "ref-unresolved", mark)


async def test_ref_unresolved_create_the_element(client):
    s = Session(client)
    uri = s.open("server.xml", REF_XML)
    diag = await s.diagnostic(uri, "ref-unresolved")
    action = titled(await s.actions(uri, diag), "Create")
    mark = s.mark()
    new = s.apply(action.edit)[uri]
    # The new element follows the connection, at its indentation.
    assert 'authDataRef="cre"/>\n    <zosconnect_authData id="cre"' in new
    await fixed(s, uri, "ref-unresolved", mark)


async def test_unknown_attribute_rename_with_utf16_positions(client):
    # An astral character (two UTF-16 code units) before the attribute on its line.
    text = (
        "<server>\n"
        + FEATURES
        + '    <!-- \U0001f510 --><zosconnect_cicsIpicConnection id="cicsConn" host="cics1" port="1491" sslCertRef="zcTLS"/>\n'
        + '    <ssl id="zcTLS" keyStoreRef="ks"/>\n'
        + "</server>\n"
    )
    s = Session(client)
    uri = s.open("server.xml", text)
    diag = await s.diagnostic(uri, "unknown-attribute")
    assert diag.severity == lsp.DiagnosticSeverity.Warning  # a near miss of sslCertsRef: TLS would be off
    line = text.splitlines()[diag.range.start.line]
    assert diag.range.start.character == line.index("sslCertRef") + 1  # +1: the emoji is two code units
    action = titled(await s.actions(uri, diag), "Rename to 'sslCertsRef'")
    assert action.is_preferred
    mark = s.mark()
    new = s.apply(action.edit)[uri]
    assert '<!-- \U0001f510 --><zosconnect_cicsIpicConnection id="cicsConn" host="cics1" port="1491" sslCertsRef="zcTLS"/>' in new
    await fixed(s, uri, "unknown-attribute", mark)


async def test_feature_missing_adds_the_feature_with_the_right_indentation(client):
    text = (
        "<server>\n"
        "    <featureManager>\n"
        "        <feature>zosconnect:zosConnect-2.0</feature>\n"
        "    </featureManager>\n"
        '    <zosconnect_cicsIpicConnection id="cicsConn" host="cics1" port="1491"/>\n'
        "</server>\n"
    )
    s = Session(client)
    uri = s.open("server.xml", text)
    diag = await s.diagnostic(uri, "feature-missing")
    action = titled(await s.actions(uri, diag), "Add feature zosconnect:cicsService-1.0")
    mark = s.mark()
    new = s.apply(action.edit)[uri]
    assert new == text.replace(
        "        <feature>zosconnect:zosConnect-2.0</feature>\n",
        "        <feature>zosconnect:zosConnect-2.0</feature>\n        <feature>zosconnect:cicsService-1.0</feature>\n",
    )
    await fixed(s, uri, "feature-missing", mark)


async def test_securityname_with_certuser_removes_the_keyword(client):
    s = Session(client)
    s.write("tcpip.csd", TCPIP_CSD.replace("SSL(YES)", "SSL(CLIENTAUTH)"))
    uri = s.open("ipconn.csd", CERTUSER_CSD, language="csd")
    diag = await s.diagnostic(uri, "cics-securityname-with-certuser")
    action = titled(await s.actions(uri, diag), "Remove SECURITYNAME")
    mark = s.mark()
    new = s.apply(action.edit)[uri]
    assert new.splitlines()[2] == "        LINKAUTH(CERTUSER)"
    assert "SECURITYNAME" not in new
    await fixed(s, uri, "cics-securityname-with-certuser", mark)


async def test_verify_without_credentials_adds_authdataref_and_skeleton(client):
    s = Session(client)
    uri = s.open("server.xml", VERIFY_XML)
    s.open("cics.csd", VERIFY_CSD, language="csd")
    diag = await s.diagnostic(uri, "cics-verify-without-credentials")
    assert diag.severity == lsp.DiagnosticSeverity.Error
    action = titled(await s.actions(uri, diag), "Add authDataRef")
    mark = s.mark()
    new = s.apply(action.edit)[uri]
    assert 'zosConnectNetworkid="ZCNET" authDataRef="cicsConnCredentials"/>\n    <zosconnect_authData id="cicsConnCredentials" user="" password=""/>\n</server>' in new
    pub = await fixed(s, uri, "cics-verify-without-credentials", mark)
    assert "ref-unresolved" not in codes_of(pub)


async def test_certuser_needs_clientauth_edits_the_tcpipservice_in_another_file(client):
    s = Session(client)
    tcpip = s.write("tcpip.csd", TCPIP_CSD)  # on disk only, never opened
    uri = s.open("ipconn.csd", CERTUSER_CSD, language="csd")
    diag = await s.diagnostic(uri, "cics-certuser-needs-clientauth")
    action = titled(await s.actions(uri, diag), "Set SSL(CLIENTAUTH) on TCPIPSERVICE ZCIPIC")
    assert list(edits_by_uri(action.edit)) == [tcpip.as_uri()]
    mark = s.mark()
    s.apply(action.edit)
    assert tcpip.read_text() == TCPIP_CSD.replace("SSL(YES)", "SSL(CLIENTAUTH)")
    await fixed(s, uri, "cics-certuser-needs-clientauth", mark)


async def test_fix_on_server_xml_changes_the_open_csd(client):
    xml_text = "<server>\n" + FEATURES + '    <zosconnect_cicsIpicConnection id="cicsConn" host="cics1" port="1491" sslCertsRef="zcTLS"/>\n    <ssl id="zcTLS" keyStoreRef="ks"/>\n</server>\n'
    s = Session(client)
    xml = s.open("server.xml", xml_text)
    csd = s.open("cics.csd", TCPIP_CSD.replace("SSL(YES)", "SSL(NO)"), language="csd")
    diag = await s.diagnostic(xml, "cics-tls-mismatch")
    action = titled(await s.actions(xml, diag), "Set SSL(YES) on TCPIPSERVICE ZCIPIC")
    assert list(edits_by_uri(action.edit)) == [csd]
    mark = s.mark()
    new = s.apply(action.edit)[csd]
    assert "SSL(YES)" in new
    pub = await s.wait(xml, since=mark, where=lambda p: "cics-tls-mismatch" not in codes_of(p))
    assert pub.version == 1


# -- suppression ---------------------------------------------------------------------------------
LINE_XML = (
    "<server>\n"
    + FEATURES
    + '    <zosconnect_cicsIpicConnection id="cicsConn" host="cics1" port="1491" zosConnectApplid="ZOSCONN" authDataRef="cred"/>\n'
    + '    <zosconnect_authData id="cred" user="ZCUSER" password="{aes}ABC"/>\n'
    + "</server>\n"
)


async def test_suppress_inserts_a_comment_with_the_line_indentation_then_extends_it(client):
    s = Session(client)
    uri = s.open("server.xml", LINE_XML)
    diag = await s.diagnostic(uri, "cics-credentials-in-clear")
    action = titled(await s.actions(uri, diag), "Suppress cics-credentials-in-clear on this line")
    assert action.title == "zcsec: Suppress cics-credentials-in-clear on this line"
    assert action.kind == lsp.CodeActionKind.QuickFix and not action.is_preferred
    mark = s.mark()
    new = s.apply(action.edit)[uri]
    lines = new.splitlines()
    assert lines[5] == "    <!-- zcsec-disable-next-line cics-credentials-in-clear -->"
    assert lines[6].startswith("    <zosconnect_cicsIpicConnection")
    pub = await fixed(s, uri, "cics-credentials-in-clear", mark)
    # A second finding on the same line: the comment above is extended.
    other = next(d for d in pub.diagnostics if d.code == "cics-idprop-incomplete")
    assert other.range.start.line == 6
    action = titled(await s.actions(uri, other), "Suppress cics-idprop-incomplete")
    mark = s.mark()
    new = s.apply(action.edit)[uri]
    assert new.splitlines()[5] == "    <!-- zcsec-disable-next-line cics-credentials-in-clear cics-idprop-incomplete -->"
    assert len(new.splitlines()) == len(lines)
    pub = await fixed(s, uri, "cics-idprop-incomplete", mark)
    assert "cics-credentials-in-clear" not in codes_of(pub)


async def test_suppress_in_a_csd_file_writes_a_comment_record(client):
    s = Session(client)
    s.write("tcpip.csd", TCPIP_CSD.replace("SSL(YES)", "SSL(CLIENTAUTH)"))
    uri = s.open("ipconn.csd", CERTUSER_CSD, language="csd")
    diag = await s.diagnostic(uri, "cics-securityname-with-certuser")
    action = titled(await s.actions(uri, diag), "Suppress cics-securityname-with-certuser")
    mark = s.mark()
    new = s.apply(action.edit)[uri]
    lines = new.splitlines()
    assert lines[2] == "* zcsec-disable-next-line cics-securityname-with-certuser"
    assert lines[3] == "        LINKAUTH(CERTUSER) SECURITYNAME(ZCLINK)"
    pub = await fixed(s, uri, "cics-securityname-with-certuser", mark)
    assert not any(d.code.startswith("csd-") for d in pub.diagnostics), "the comment record broke the CSD input"


JCL = """\
//ZCDEFS   JOB (ACCT),'CSD',CLASS=A,MSGCLASS=X
//CSDUP    EXEC PGM=DFHCSDUP,PARM='CSD(READWRITE)'
//STEPLIB  DD DSN=CICSTS61.CICS.SDFHLOAD,DISP=SHR
//DFHCSD   DD DSN=CICSTS61.DFHCSD,DISP=SHR
//SYSPRINT DD SYSOUT=*
//SYSIN    DD *
 DEFINE IPCONN(ZC) GROUP(G) LINKAUTH(CERTUSER) SECURITYNAME(L)
        TCPIPSERVICE(ZCIPIC) APPLID(ZOSCONN) NETWORKID(ZCNET)
 DEFINE TCPIPSERVICE(ZCIPIC) GROUP(G) PROTOCOL(IPIC)
        PORTNUMBER(1491) SSL(CLIENTAUTH) URM(NO)
/*
//
"""


async def test_suppress_in_a_jcl_sysin_stream_is_a_comment_record_not_jcl(client):
    s = Session(client)
    uri = s.open("defs.jcl", JCL, language="jcl")
    diag = await s.diagnostic(uri, "cics-securityname-with-certuser")
    assert diag.range.start.line == 6  # the first record after //SYSIN DD *
    action = titled(await s.actions(uri, diag), "Suppress cics-securityname-with-certuser")
    mark = s.mark()
    new = s.apply(action.edit)[uri]
    lines = new.splitlines()
    assert lines[5] == "//SYSIN    DD *"
    assert lines[6] == "* zcsec-disable-next-line cics-securityname-with-certuser"
    assert lines[7].startswith(" DEFINE IPCONN(ZC)")
    assert [ln for ln in lines if ln.startswith(("//", "/*"))] == [ln for ln in JCL.splitlines() if ln.startswith(("//", "/*"))]
    pub = await fixed(s, uri, "cics-securityname-with-certuser", mark)
    assert not any(d.code.startswith("csd-") for d in pub.diagnostics)


async def test_crlf_file_keeps_crlf(client):
    text = (
        "<server>\n"
        "    <featureManager>\n"
        "        <feature>zosconnect:zosConnect-2.0</feature>\n"
        "    </featureManager>\n"
        '    <zosconnect_cicsIpicConnection id="cicsConn" host="cics1" port="1491" authDataRef="cred"/>\n'
        '    <zosconnect_authData id="cred" user="ZCUSER" password="{aes}ABC"/>\n'
        "</server>\n"
    ).replace("\n", "\r\n")
    s = Session(client)
    uri = s.open("server.xml", text)
    diag = await s.diagnostic(uri, "cics-credentials-in-clear")
    mark = s.mark()
    new = s.apply(titled(await s.actions(uri, diag), "Suppress").edit)[uri]
    assert "    <!-- zcsec-disable-next-line cics-credentials-in-clear -->\r\n    <zosconnect_cicsIpicConnection" in new
    assert "\n" not in new.replace("\r\n", "")
    pub = await fixed(s, uri, "cics-credentials-in-clear", mark)
    # A fix that adds a line keeps CRLF too.
    missing = next(d for d in pub.diagnostics if d.code == "feature-missing")
    mark = s.mark()
    new = s.apply(titled(await s.actions(uri, missing), "Add feature").edit)[uri]
    assert "\n" not in new.replace("\r\n", "")
    await fixed(s, uri, "feature-missing", mark)


async def test_suppress_inside_a_multi_line_start_tag_goes_above_it(client):
    """A next-line comment cannot go between two lines of one start tag; it
    goes above the tag, and the engine applies it to the whole tag."""
    text = (
        "<server>\n"
        + FEATURES
        + '    <zosconnect_cicsIpicConnection id="cicsConn" host="cics1" port="1491"\n'
        + '        sslCertRef="zcTLS"/>\n'
        + '    <ssl id="zcTLS" keyStoreRef="ks"/>\n'
        + "</server>\n"
    )
    s = Session(client)
    uri = s.open("server.xml", text)
    diag = await s.diagnostic(uri, "unknown-attribute")
    assert diag.range.start.line == 6
    actions = await s.actions(uri, diag)
    assert [a.title for a in actions] == ["zcsec: Rename to 'sslCertsRef'", "zcsec: Suppress unknown-attribute on this line"]
    (edit,) = actions[1].edit.changes[uri]
    assert (edit.range.start.line, edit.range.start.character) == (5, 0)
    assert edit.new_text == "    <!-- zcsec-disable-next-line unknown-attribute -->\n"


# -- what the client sends back ---------------------------------------------------------------------
async def test_diagnostic_without_data_gets_only_the_suppress_action(client):
    s = Session(client)
    uri = s.open("server.xml", REF_XML)
    diag = await s.diagnostic(uri, "ref-unresolved")
    bare = lsp.Diagnostic(range=diag.range, message=diag.message, severity=diag.severity, code=diag.code, source=diag.source)
    assert [a.title for a in await s.actions(uri, bare)] == ["zcsec: Suppress ref-unresolved on this line"]
    # Not ours, or a kind that is not asked for: nothing.
    foreign = lsp.Diagnostic(range=diag.range, message="x", code="E1", source="lemminx")
    assert await s.actions(uri, foreign) == []
    assert await s.actions(uri, diag, only=[lsp.CodeActionKind.SourceOrganizeImports]) == []
    assert len(await s.actions(uri, diag, only=[lsp.CodeActionKind.QuickFix])) == 3


async def test_neovim_code_actions_from_pulled_diagnostics(neovim):
    s = Session(neovim)
    uri = s.open("server.xml", REF_XML)
    report = await neovim.text_document_diagnostic_async(lsp.DocumentDiagnosticParams(lsp.TextDocumentIdentifier(uri)))
    diag = next(d for d in report.items if d.code == "ref-unresolved")
    actions = await s.actions(uri, diag)
    action = titled(actions, "Change to 'cred'")
    assert action.edit.changes and not action.edit.document_changes  # Neovim's caps: no documentChanges
    s.apply(action.edit)
    report = await neovim.text_document_diagnostic_async(lsp.DocumentDiagnosticParams(lsp.TextDocumentIdentifier(uri)))
    assert "ref-unresolved" not in {d.code for d in report.items}


def test_suppress_inside_multiline_start_tag_goes_above_the_tag():
    """A finding on the third line of a start tag written one attribute per
    line is suppressed by a comment above the tag, which the engine applies
    to the whole tag."""
    from zcsec.lsp.actions import DocumentText, xml_suppress_edit

    text = '<server>\n    <zosconnect_cicsIpicConnection id="c"\n        host="h" port="1491"\n        authDataRef="nope"/>\n</server>\n'
    edit = xml_suppress_edit(DocumentText(text, "liberty"), 3, "ref-unresolved")
    assert edit is not None
    assert (edit.range.start.line, edit.range.start.character) == (1, 0)
    assert edit.new_text == "    <!-- zcsec-disable-next-line ref-unresolved -->\n"


def test_engine_suppression_covers_a_multiline_start_tag(tmp_path):
    from zcsec.analysis import analyse

    (tmp_path / "server.xml").write_text(
        "<server>\n"
        "  <!-- zcsec-disable-next-line ref-unresolved -->\n"
        '  <zosconnect_cicsIpicConnection id="c"\n'
        '      host="h" port="1491"\n'
        '      authDataRef="nope"/>\n'
        '  <zosconnect_cicsIpicConnection id="d" host="h" port="1491"\n'
        '      authDataRef="nope2"/>\n'
        "</server>\n"
    )
    found = [(f.code, f.range.start.line) for f in analyse([str(tmp_path)]).findings if f.code == "ref-unresolved"]
    assert found == [("ref-unresolved", 6)]


# -- fix all (issue 16) -------------------------------------------------------------


async def test_fix_all_on_each_insecure_example_leaves_nothing_safely_fixable(client):
    """source.fixAll.zcsec, as the editor's "fix all" and fix-on-save ask for
    it: one action per document applies every safe fix, and the re-published
    diagnostics carry no safely fixable finding any more."""
    from zcsec.rules import RULES

    safe = {c for c, r in RULES.items() if r.fix_safe}
    examples = Path(__file__).resolve().parents[2] / "examples"
    s = Session(client)
    fixed_somewhere = set()
    for path in sorted(examples.glob("*-insecure/**/*")):
        if path.suffix not in (".xml", ".csd", ".jcl") or not path.is_file():
            continue
        name = str(path.relative_to(examples)).replace("/", "_")
        text = path.read_text(encoding="utf-8")
        uri = s.open(name, text, "xml" if path.suffix == ".xml" else "csd")
        pub = await s.wait(uri, version=1)
        fixable = [d for d in pub.diagnostics if d.code in safe and (d.data or {}).get("fixes")]
        result = await client.text_document_code_action_async(
            lsp.CodeActionParams(lsp.TextDocumentIdentifier(uri), lsp.Range(lsp.Position(0, 0), lsp.Position(0, 0)), lsp.CodeActionContext(diagnostics=[], only=[lsp.CodeActionKind.SourceFixAll]))
        )
        actions = list(result or [])
        if not fixable:
            assert actions == [], name
            continue
        [action] = actions
        assert action.kind == "source.fixAll.zcsec" and action.title.startswith("zcsec: Fix all")
        mark = s.mark()
        s.apply(action.edit)
        pub = await s.wait(uri, version=s.versions[uri], since=mark)
        assert [d.code for d in pub.diagnostics if d.code in safe] == [], name
        fixed_somewhere.update(d.code for d in fixable)
    assert {"csd-keyword-protocol", "ims-liberty-tls", "mq-tls-in-bindings-mode"} <= fixed_somewhere


async def test_fix_all_is_offered_beside_quick_fixes_and_not_for_other_kinds(client):
    s = Session(client)
    uri = s.open("server.xml", '<server>\n    <authData id="a" User="ZCUSER" password="{aes}AAAA"/>\n</server>\n')
    diag = await s.diagnostic(uri, "attribute-name-case")
    kinds = [a.kind for a in await s.actions(uri, diag)]
    assert lsp.CodeActionKind.QuickFix in kinds and "source.fixAll.zcsec" in kinds
    assert [a.kind for a in await s.actions(uri, diag, only=[lsp.CodeActionKind.Source])] == ["source.fixAll.zcsec"]
    assert await s.actions(uri, diag, only=[lsp.CodeActionKind.Refactor]) == []
