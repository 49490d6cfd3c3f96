"""Diagnostics end to end over stdio: what is published on open and after
edits, that the last publication is for the last version, re-publication of
dependants when another file changes (open, or on disk), clearing on close,
settings against .zcsec.toml, pull diagnostics, and Neovim's capabilities
(pull mode).

Every publishDiagnostics notification is recorded, so a test waits for the
one it needs (by uri, version and content) instead of for "the next one".
"""

from __future__ import annotations

import asyncio
import json
from pathlib import Path
from urllib.parse import unquote, urlparse

from conftest import make_client
from lsprotocol import types as lsp

from zcsec.lsp.convert import to_diagnostic
from zcsec.service import AnalysisService

TIMEOUT = 10.0

quiet = make_client("visual-studio-code", settings={"rules": {"password-clear-text": "off"}})

SERVER_XML = """\
<server>
    <featureManager>
        <feature>zosconnect:zosConnect-2.0</feature>
        <feature>zosconnect:cicsService-1.0</feature>
    </featureManager>
    <zosconnect_cicsIpicConnection id="cicsConn" host="cics1" port="1491" authDataRef="cred" zosConnectApplid="ZOSCONN" zosConnectNetworkid="ZCNET"/>
    <zosconnect_authData id="cred" user="ZCUSER" password="secret"/>
</server>
"""

CSD = """\
 DEFINE TCPIPSERVICE(ZCIPIC) GROUP(ZCGRP) PROTOCOL(IPIC)
        PORTNUMBER(1491) SSL(NO) URM(NO)
 DEFINE IPCONN(ZOSCONN) GROUP(ZCGRP) TCPIPSERVICE(ZCIPIC)
        APPLID(ZOSCONN) NETWORKID(ZCNET) SECURITYNAME(ZCLINK)
"""

INCLUDING_XML = """\
<server>
    <featureManager>
        <feature>zosconnect:zosConnect-2.0</feature>
        <feature>zosconnect:cicsService-1.0</feature>
    </featureManager>
    <include location="creds.xml"/>
    <zosconnect_cicsIpicConnection id="cicsConn" host="cics1" port="1491" authDataRef="cred" zosConnectApplid="ZOSCONN" zosConnectNetworkid="ZCNET"/>
</server>
"""

CREDS_XML = """\
<server>
    <zosconnect_authData id="cred" user="ZCUSER" password="{aes}ABCDEF"/>
</server>
"""


# -- a client that records every publication ---------------------------------------
class Session:
    def __init__(self, client) -> None:
        self.client = client
        self.root: Path = client.root
        self.published: list[lsp.PublishDiagnosticsParams] = []
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
        path.parent.mkdir(parents=True, exist_ok=True)
        path.write_bytes(text.encode("utf-8"))
        return path

    def open(self, name: str, text: str, language: str = "xml") -> str:
        uri = self.write(name, text).as_uri()
        self.versions[uri] = 1
        self.client.text_document_did_open(lsp.DidOpenTextDocumentParams(lsp.TextDocumentItem(uri, language, 1, text)))
        return uri

    def change(self, uri: str, *changes) -> int:
        """Send incremental ``(range, text)`` changes or one full text; return the new version."""
        version = self.versions[uri] = self.versions[uri] + 1
        events = [
            lsp.TextDocumentContentChangePartial(range=c[0], text=c[1]) if isinstance(c, tuple) else lsp.TextDocumentContentChangeWholeDocument(text=c)
            for c in changes
        ]
        self.client.text_document_did_change(lsp.DidChangeTextDocumentParams(lsp.VersionedTextDocumentIdentifier(version=version, uri=uri), events))
        return version

    def mark(self) -> int:
        return len(self.published)

    def for_uri(self, uri: str, since: int = 0) -> list[lsp.PublishDiagnosticsParams]:
        return [p for p in self.published[since:] if p.uri == uri]

    async def wait(self, uri: str, *, version: int | None = None, since: int = 0, where=None) -> lsp.PublishDiagnosticsParams:
        """The latest publication for ``uri`` after ``since`` that has
        ``version`` (when given) and satisfies ``where`` (when given)."""

        async def poll():
            while True:
                for p in reversed(self.for_uri(uri, since)):
                    if (version is None or p.version == version) and (where is None or where(p)):
                        return p
                await asyncio.sleep(0.01)

        try:
            return await asyncio.wait_for(poll(), TIMEOUT)
        except TimeoutError:
            seen = [(p.version, sorted(codes(p.diagnostics))) for p in self.for_uri(uri, since)]
            raise AssertionError(f"no publication for {uri} (version {version}) within {TIMEOUT}s; seen: {seen}") from None

    async def round_trip(self) -> None:
        """A request/response pair: everything the server sent before it has arrived."""
        await self.client.text_document_code_action_async(
            lsp.CodeActionParams(
                lsp.TextDocumentIdentifier((self.root / "none.xml").as_uri()),
                lsp.Range(lsp.Position(0, 0), lsp.Position(0, 0)),
                lsp.CodeActionContext(diagnostics=[]),
            )
        )


def codes(diagnostics) -> set[str]:
    return {d.code for d in diagnostics}


def summary(diagnostics) -> list[tuple]:
    return sorted(
        (d.code, d.severity, d.range.start.line, d.range.start.character, d.range.end.line, d.range.end.character, d.message, d.source)
        for d in diagnostics
    )


def rng(l1: int, c1: int, l2: int, c2: int) -> lsp.Range:
    return lsp.Range(lsp.Position(l1, c1), lsp.Position(l2, c2))


def expected_for(root: Path, path: Path, text: str) -> list[tuple]:
    """What zcsec itself finds in ``text`` at ``path`` (in process)."""
    service = AnalysisService([str(root)])
    service.open(str(path), text)
    return summary([to_diagnostic(f) for f in service.findings(str(path))])


# -- on open, after edits --------------------------------------------------------------
async def test_on_open_exact_ranges_codes_severities_and_version(client):
    s = Session(client)
    uri = s.open("server.xml", SERVER_XML)
    pub = await s.wait(uri, version=1)
    assert pub.version == 1
    assert all(d.source == "zcsec" for d in pub.diagnostics)
    got = {(d.code, d.severity, d.range.start.line, d.range.start.character, d.range.end.line, d.range.end.character) for d in pub.diagnostics}
    assert got == {
        ("cics-credentials-in-clear", lsp.DiagnosticSeverity.Warning, 5, 87, 5, 91),  # "cred" of authDataRef
        ("password-clear-text", lsp.DiagnosticSeverity.Warning, 6, 59, 6, 65),  # "secret"
    }
    for d in pub.diagnostics:  # each links to its own section of the rules' documentation
        href = d.code_description.href
        assert href.startswith("file://") and href.endswith(f"/rules.md#{d.code}"), href
        doc = Path(unquote(urlparse(href).path)).read_text(encoding="utf-8")
        assert f"\n### {d.code}\n" in doc


async def test_incremental_change_publishes_for_the_new_version(client):
    s = Session(client)
    uri = s.open("server.xml", SERVER_XML)
    await s.wait(uri, version=1)
    mark = s.mark()
    version = s.change(uri, (rng(6, 59, 6, 65), "{aes}AEmVKa8jrAI9"))
    pub = await s.wait(uri, version=version, since=mark)
    assert codes(pub.diagnostics) == {"cics-credentials-in-clear"}
    # A second edit on the same line: an unresolved reference appears, with its exact range.
    mark = s.mark()
    version = s.change(uri, (rng(5, 87, 5, 91), "nope"))
    pub = await s.wait(uri, version=version, since=mark)
    unresolved = [d for d in pub.diagnostics if d.code == "ref-unresolved"]
    assert [(d.range.start.line, d.range.start.character, d.range.end.character, d.severity) for d in unresolved] == [(5, 87, 91, lsp.DiagnosticSeverity.Error)]


async def test_burst_of_changes_last_publication_is_for_last_version(client):
    s = Session(client)
    uri = s.open("server.xml", SERVER_XML)
    await s.wait(uri, version=1)
    mark = s.mark()
    text = SERVER_XML
    # authDataRef toggles between an id that exists and one that does not
    # (same length, so every edit has the same range); the last one is unresolved.
    for i in range(1, 51):
        value = "nope" if i % 2 == 0 else "cred"
        text = text.replace('authDataRef="cred"', f'authDataRef="{value}"').replace('authDataRef="nope"', f'authDataRef="{value}"')
        s.change(uri, (rng(5, 87, 5, 91), value))
    final = s.versions[uri]
    assert final == 51
    last = await s.wait(uri, version=final, since=mark)
    await s.round_trip()
    pubs = s.for_uri(uri, mark)
    versions = [p.version for p in pubs]
    assert versions == sorted(versions), f"publications out of order: {versions}"
    assert pubs[-1].version == final
    assert max(versions) == final
    expected = expected_for(s.root, s.root / "server.xml", text)
    assert summary(last.diagnostics) == expected
    assert "ref-unresolved" in codes(last.diagnostics)


# -- dependants ------------------------------------------------------------------------
async def test_change_to_csd_republishes_server_xml(client):
    s = Session(client)
    xml = s.open("server.xml", SERVER_XML)
    csd = s.open("cics.csd", CSD, language="csd")
    await s.wait(xml, version=1)
    await s.wait(csd, version=1)
    before = s.for_uri(xml)[-1]
    assert "cics-tls-mismatch" not in codes(before.diagnostics)
    mark = s.mark()
    s.change(csd, (rng(1, 29, 1, 31), "YES"))  # SSL(NO) -> SSL(YES)
    pub = await s.wait(xml, since=mark, where=lambda p: "cics-tls-mismatch" in codes(p.diagnostics))
    assert pub.version == 1  # server.xml itself did not change
    mismatch = next(d for d in pub.diagnostics if d.code == "cics-tls-mismatch")
    assert (mismatch.range.start.line, mismatch.range.start.character, mismatch.range.end.character) == (5, 68, 72)  # port="1491"
    assert mismatch.related_information and mismatch.related_information[0].location.uri == csd
    assert summary(pub.diagnostics) != summary(before.diagnostics)


async def test_a_document_whose_findings_stayed_is_not_published_again(client):
    """An edit of the CSD that changes nothing server.xml's rules read
    (a comment line added at its end) analyses both documents, but only the
    CSD gets new diagnostics: server.xml's are the ones the client has."""
    s = Session(client)
    xml = s.open("server.xml", SERVER_XML)
    csd = s.open("cics.csd", CSD, language="csd")
    await s.wait(xml, version=1)
    await s.wait(csd, version=1)
    mark = s.mark()
    version = s.change(csd, (rng(4, 0, 4, 0), "* the IPIC link of z/OS Connect\n"))
    await s.wait(csd, version=version, since=mark)
    await asyncio.sleep(0.3)  # the analysis of server.xml, had it been published, has arrived
    await s.round_trip()
    assert s.for_uri(xml, mark) == []
    # An edit that changes server.xml's findings is published as before.
    mark = s.mark()
    s.change(csd, (rng(1, 29, 1, 31), "YES"))  # SSL(NO) -> SSL(YES)
    pub = await s.wait(xml, since=mark, where=lambda p: "cics-tls-mismatch" in codes(p.diagnostics))
    assert pub.version == 1


async def test_change_to_included_file_republishes_server_xml(client):
    s = Session(client)
    xml = s.open("server.xml", INCLUDING_XML)
    creds = s.open("creds.xml", CREDS_XML)
    first = await s.wait(xml, version=1)
    await s.wait(creds, version=1)
    assert "ref-unresolved" not in codes(first.diagnostics)
    mark = s.mark()
    s.change(creds, (rng(1, 24, 1, 34), ""))  # remove ' id="cred"'
    pub = await s.wait(xml, since=mark, where=lambda p: "ref-unresolved" in codes(p.diagnostics))
    d = next(d for d in pub.diagnostics if d.code == "ref-unresolved")
    assert (d.range.start.line, d.range.start.character, d.range.end.character) == (6, 87, 91)
    # And back: the id returns, the finding goes.
    mark = s.mark()
    s.change(creds, (rng(1, 24, 1, 24), ' id="cred"'))
    await s.wait(xml, since=mark, where=lambda p: "ref-unresolved" not in codes(p.diagnostics))


async def test_file_changed_on_disk_republishes_dependants(client):
    s = Session(client)
    s.write("creds.xml", CREDS_XML)
    xml = s.open("server.xml", INCLUDING_XML)
    first = await s.wait(xml, version=1)
    assert "ref-unresolved" not in codes(first.diagnostics)
    mark = s.mark()
    path = s.write("creds.xml", CREDS_XML.replace(' id="cred"', ""))
    client.workspace_did_change_watched_files(lsp.DidChangeWatchedFilesParams([lsp.FileEvent(path.as_uri(), lsp.FileChangeType.Changed)]))
    pub = await s.wait(xml, since=mark, where=lambda p: "ref-unresolved" in codes(p.diagnostics))
    assert pub.version == 1
    # Deleted on disk: the include cannot be resolved any more.
    mark = s.mark()
    path.unlink()
    client.workspace_did_change_watched_files(lsp.DidChangeWatchedFilesParams([lsp.FileEvent(path.as_uri(), lsp.FileChangeType.Deleted)]))
    await s.wait(xml, since=mark, where=lambda p: p.diagnostics != pub.diagnostics)


async def test_file_watchers_are_registered(client):
    s = Session(client)
    uri = s.open("server.xml", SERVER_XML)
    await s.wait(uri, version=1)
    methods = {r.method for r in client.registrations}
    assert lsp.WORKSPACE_DID_CHANGE_WATCHED_FILES in methods


# -- close, unknown documents ---------------------------------------------------------------
async def test_did_close_clears_the_diagnostics(client):
    s = Session(client)
    xml = s.open("server.xml", SERVER_XML)
    csd = s.open("cics.csd", CSD, language="csd")
    await s.wait(xml, version=1)
    await s.wait(csd, version=1)
    mark = s.mark()
    client.text_document_did_close(lsp.DidCloseTextDocumentParams(lsp.TextDocumentIdentifier(xml)))
    cleared = await s.wait(xml, since=mark)
    assert list(cleared.diagnostics) == []
    await s.round_trip()
    assert all(not p.diagnostics for p in s.for_uri(xml, mark)), "diagnostics published for a closed document"
    # The CSD stays open and is checked again (the project lost an open
    # file); its findings did not change, so the client keeps what it has.
    await asyncio.sleep(0.3)
    await s.round_trip()
    assert summary(s.for_uri(csd)[-1].diagnostics) == expected_for(s.root, s.root / "cics.csd", CSD)


async def test_change_for_a_document_never_opened_does_not_crash(client):
    s = Session(client)
    ghost = (s.root / "ghost.xml").as_uri()
    s.versions[ghost] = 1
    s.change(ghost, (rng(0, 0, 0, 0), "<server/>"))
    s.change(ghost, "<server>\n</server>\n")
    # The server still works: it answers requests and checks documents.
    await s.round_trip()
    uri = s.open("server.xml", SERVER_XML)
    pub = await s.wait(uri, version=1)
    assert codes(pub.diagnostics) == {"cics-credentials-in-clear", "password-clear-text"}
    assert not s.for_uri(ghost)


async def test_path_with_space_and_percent_encoding(client):
    """Clients percent-encode URIs (VS Code: 'my%20project', 'c%3A' on Windows);
    edits to such documents must be checked too, and published under the
    client's own URI."""
    s = Session(client)
    uri = s.open("my project/server.xml", SERVER_XML)
    assert "%20" in uri
    await s.wait(uri, version=1)
    mark = s.mark()
    version = s.change(uri, (rng(6, 59, 6, 65), "{aes}AEmVKa8jrAI9"))
    pub = await s.wait(uri, version=version, since=mark)
    assert codes(pub.diagnostics) == {"cics-credentials-in-clear"}
    assert all("%20" in p.uri for p in s.published)


def test_older_cross_file_analysis_is_never_published_after_a_newer_one():
    """Two analyses of one unchanged document can overlap when different
    files change (each file has its own debounce task): the one that saw the
    later change must win even if the other finishes last."""
    from pygls.workspace import Workspace

    from zcsec.lsp.server import ZcsecServer

    ls = ZcsecServer()
    ls.protocol._workspace = Workspace(None)
    uri = "file:///tmp/my%20project/server.xml"
    ls.workspace.put_text_document(lsp.TextDocumentItem(uri, "xml", 3, "<server/>"))
    sent = []
    ls.protocol.send_text = lambda body: sent.append(json.loads(body)["params"])
    newer = [lsp.Diagnostic(rng(0, 0, 0, 1), "newer", source="zcsec", code="x")]
    older = [lsp.Diagnostic(rng(0, 0, 0, 1), "older", source="zcsec", code="y")]
    ls._publish([(uri, 3, 8, newer)])
    ls._publish([(uri, 3, 7, older)])  # finished last, but saw generation 7 only
    ls._publish([(uri, 2, 9, older)])  # for an old version of the document
    assert [(p["uri"], p["version"], [d["message"] for d in p["diagnostics"]]) for p in sent] == [(uri, 3, ["newer"])]


def test_a_publication_is_written_as_pygls_would_write_it():
    """Diagnostics are written as JSON once each and put together into the
    message (ZcsecServer.send_diagnostics): the message is the one pygls
    writes for the same diagnostics, with or without a version, and a
    diagnostic kept from the last publication is written the same."""
    from zcsec.lsp.server import ZcsecServer

    ls = ZcsecServer()
    sent = []
    ls.protocol.send_text = sent.append
    uri = "file:///tmp/my%20project/server.xml"
    rich = lsp.Diagnostic(
        rng(5, 68, 5, 72),
        "caf\u00e9 \"quoted\" \U0001f600",
        severity=lsp.DiagnosticSeverity.Warning,
        code="cics-tls-mismatch",
        code_description=lsp.CodeDescription(href="file:///docs/rules.md#cics-tls-mismatch"),
        source="zcsec",
        related_information=[lsp.DiagnosticRelatedInformation(lsp.Location("file:///tmp/cics.csd", rng(1, 2, 1, 9)), "the listener")],
        data={"fixes": [{"title": "Use TLS", "edits": [{"uri": uri, "range": {"start": {"line": 1, "character": 2}, "end": {"line": 1, "character": 3}}, "newText": "YES"}]}]},
    )
    plain = lsp.Diagnostic(rng(0, 0, 0, 1), "plain", code="x")
    for version, diagnostics in ((7, [rich, plain]), (None, [plain]), (8, [rich, plain])):
        ls.send_diagnostics(uri, version, diagnostics)
        expected = lsp.PublishDiagnosticsNotification(params=lsp.PublishDiagnosticsParams(uri=uri, diagnostics=diagnostics, version=version))
        assert json.loads(sent[-1]) == json.loads(json.dumps(expected, default=ls.protocol._serialize_message))
        assert sent[-1].isascii()


# -- settings ---------------------------------------------------------------------------------
async def test_initialization_options_turn_a_rule_off(quiet):
    s = Session(quiet)
    uri = s.open("server.xml", SERVER_XML)
    pub = await s.wait(uri, version=1)
    assert codes(pub.diagnostics) == {"cics-credentials-in-clear"}


async def test_project_file_wins_over_settings(quiet):
    s = Session(quiet)
    s.write(".zcsec.toml", '[rules]\npassword-clear-text = "error"\n')
    uri = s.open("server.xml", SERVER_XML)
    pub = await s.wait(uri, version=1)
    found = [d for d in pub.diagnostics if d.code == "password-clear-text"]
    assert [(d.severity, d.range.start.line, d.range.start.character) for d in found] == [(lsp.DiagnosticSeverity.Error, 6, 59)]


async def test_project_file_change_on_disk_is_picked_up(client):
    s = Session(client)
    uri = s.open("server.xml", SERVER_XML)
    first = await s.wait(uri, version=1)
    assert "password-clear-text" in codes(first.diagnostics)
    mark = s.mark()
    toml = s.write(".zcsec.toml", "[rules]\npassword-clear-text = false\n")
    client.workspace_did_change_watched_files(lsp.DidChangeWatchedFilesParams([lsp.FileEvent(toml.as_uri(), lsp.FileChangeType.Created)]))
    pub = await s.wait(uri, since=mark, where=lambda p: "password-clear-text" not in codes(p.diagnostics))
    assert codes(pub.diagnostics) == {"cics-credentials-in-clear"}


# -- pull diagnostics --------------------------------------------------------------------------
async def test_pull_diagnostics_return_the_published_items(client):
    s = Session(client)
    xml = s.open("server.xml", SERVER_XML)
    csd = s.open("cics.csd", CSD.replace("SSL(NO)", "SSL(YES)"), language="csd")
    pushed_xml = await s.wait(xml, version=1, where=lambda p: "cics-tls-mismatch" in codes(p.diagnostics))
    pushed_csd = await s.wait(csd, version=1)
    for uri, pushed in ((xml, pushed_xml), (csd, pushed_csd)):
        report = await client.text_document_diagnostic_async(lsp.DocumentDiagnosticParams(lsp.TextDocumentIdentifier(uri)))
        assert report.kind == "full"
        assert summary(report.items) == summary(pushed.diagnostics)
        assert [d.data for d in sorted(report.items, key=lambda d: (d.range.start.line, d.code))] == [
            d.data for d in sorted(pushed.diagnostics, key=lambda d: (d.range.start.line, d.code))
        ]


async def test_a_pull_with_the_last_result_id_is_told_nothing_changed(neovim):
    """The result id of a pulled report stays while the document's
    diagnostics stay; pulling again with it gets an "unchanged" report, and
    a change that alters them gets the full report with a new id."""
    s = Session(neovim)
    xml = s.open("server.xml", SERVER_XML)
    s.open("cics.csd", CSD, language="csd")

    async def pull(previous=None):
        return await neovim.text_document_diagnostic_async(lsp.DocumentDiagnosticParams(lsp.TextDocumentIdentifier(xml), previous_result_id=previous))

    first = await pull()
    assert first.kind == "full" and first.result_id
    again = await pull(first.result_id)
    assert again.kind == "unchanged" and again.result_id == first.result_id
    s.change(xml, (rng(0, 8, 0, 8), "<!-- z/OS Connect -->"))  # on the line of <server>: nothing moves
    await s.round_trip()
    same = await pull(first.result_id)
    assert same.kind == "unchanged"
    s.change(xml, (rng(6, 59, 6, 65), "{aes}AEmVKa8jrAI9"))  # the clear-text password is encoded
    await s.round_trip()
    changed = await pull(first.result_id)
    assert changed.kind == "full" and changed.result_id != first.result_id
    assert codes(changed.items) == {"cics-credentials-in-clear"}  # password-clear-text went


async def test_neovim_capabilities_pull_mode(neovim):
    """Neovim announces textDocument.diagnostic, so the server is pulled:
    it publishes nothing and answers pulls with the current state of every file."""
    s = Session(neovim)
    xml = s.open("server.xml", SERVER_XML)
    csd = s.open("cics.csd", CSD, language="csd")
    report = await neovim.text_document_diagnostic_async(lsp.DocumentDiagnosticParams(lsp.TextDocumentIdentifier(xml)))
    assert codes(report.items) == {"cics-credentials-in-clear", "password-clear-text"}
    assert summary(report.items) == expected_for(s.root, s.root / "server.xml", SERVER_XML)
    s.change(csd, (rng(1, 29, 1, 31), "YES"))
    await s.round_trip()
    # Neovim declares no workspace.diagnostics.refreshSupport, so the server sends
    # no refresh request; the next pull of server.xml sees the changed CSD file.
    assert neovim.diagnostic_refresh_count == 0
    report = await neovim.text_document_diagnostic_async(lsp.DocumentDiagnosticParams(lsp.TextDocumentIdentifier(xml)))
    assert "cics-tls-mismatch" in codes(report.items)
    await s.round_trip()
    assert all(not p.diagnostics for p in s.published), "pull-mode client got pushed diagnostics"
