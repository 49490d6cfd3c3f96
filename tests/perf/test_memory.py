"""Memory held by the language server, checked by counting objects, not by
reading the resident size (issue 14): what a long editing session must not
accumulate."""

from __future__ import annotations

import gc

from lsprotocol import types as lsp
from pygls.workspace import Workspace

from zcsec.catalogue import load_catalogue
from zcsec.csdparse import CsdDocument, parse_csd
from zcsec.lsp import server as lsp_server
from zcsec.lsp.app import create_server
from zcsec.service import AnalysisService


def regions(n: int) -> str:
    """n regions of a CSD extract: a listener, its IPCONN and a program each."""
    out = []
    for i in range(n):
        out += [
            f"* Region {i}",
            f" DEFINE TCPIPSERVICE(T{i:06d}) GROUP(G{i:06d})",
            f"        DESCRIPTION(IPIC listener of region {i})",
            f"        PORTNUMBER({2000 + i}) PROTOCOL(IPIC) SSL(CLIENTAUTH) URM(NO)",
            f" DEFINE IPCONN(I{i:06d}) GROUP(G{i:06d}) TCPIPSERVICE(T{i:06d})",
            f"        APPLID(A{i:06d}) NETWORKID(ZCNET) LINKAUTH(CERTUSER) USERAUTH(IDENTIFY)",
            f" DEFINE PROGRAM(P{i:06d}) GROUP(G{i:06d}) DESCRIPTION(Program of region {i})",
        ]
    return "\n".join(out) + "\n"


def test_notifications_leave_no_futures_behind(tmp_path):
    # pygls files the future of a notification's handler and never takes it
    # out: one per didOpen and didChange, for the life of the server.
    ls = create_server()
    ls.protocol._workspace = Workspace(tmp_path.as_uri())
    errors: list = []
    ls.report_server_error = lambda error, source: errors.append(error)
    uri = (tmp_path / "pom.xml").as_uri()  # an XML file that is not Liberty configuration: no analysis
    ls.protocol._handle_notification(lsp.TEXT_DOCUMENT_DID_OPEN, lsp.DidOpenTextDocumentParams(lsp.TextDocumentItem(uri=uri, language_id="xml", version=1, text="<project/>")))
    for version in range(2, 202):
        change = lsp.TextDocumentContentChangeWholeDocument(text=f"<project>{version}</project>")
        ls.protocol._handle_notification(lsp.TEXT_DOCUMENT_DID_CHANGE, lsp.DidChangeTextDocumentParams(lsp.VersionedTextDocumentIdentifier(version=version, uri=uri), [change]))
    assert errors == []
    assert ls.workspace.get_text_document(uri).source == "<project>201</project>"
    assert ls.protocol._request_futures == {}


def edit_session(tmp_path, edits: int, collect: bool, jcl: bool = True) -> int:
    """Open a CSD file and edit it ``edits`` times the way the server does
    (change, analyse, publish), with the collector's automatic collections
    off; returns how many parsed CSD documents are still in memory.  With
    ``jcl`` the input is a DFHCSDUP job, which an edit parses whole again
    (plain input is re-parsed in place, issue 14: no analysis is replaced)."""
    tmp_path.mkdir()
    path = tmp_path / "regions.csd"
    text = regions(300)
    if jcl:
        text = "//CSDUP    JOB\n//STEP1    EXEC PGM=DFHCSDUP\n//SYSIN    DD *\n" + text + "/*\n"
    path.write_text(text)
    ls = create_server()
    ls.service = AnalysisService([str(tmp_path)])
    gc.collect()
    gc.freeze()  # as the server does at start-up
    gc.disable()
    try:
        ls.service.open(str(path), text)
        ls.service.findings(str(path))
        for i in range(edits):
            text = text.replace(f"region {i})", f"region {i}q)", 1)
            ls.service.change(str(path), text)
            assert ls.service.findings(str(path)) is not None
            if collect:
                ls.collect_garbage()
        return sum(isinstance(o, CsdDocument) for o in gc.get_objects())
    finally:
        gc.enable()
        gc.unfreeze()
        gc.collect()


def test_edits_do_not_pile_up_replaced_analyses(tmp_path, monkeypatch):
    # A parse tree points back at its parents, so a replaced analysis is
    # garbage that only a full collection frees.  The server runs one after
    # an analysis once the edits allocated more than the last one left alive;
    # here every edit allocates about as much as the whole analysis holds.
    monkeypatch.setattr(lsp_server, "GC_MIN_ALLOCATED", 0)
    assert edit_session(tmp_path / "without", 20, collect=False) == 21
    assert edit_session(tmp_path / "with", 20, collect=True) <= 3
    # Plain DFHCSDUP input is parsed given the previous parse and updated in
    # place: even without a collection no document is left behind.
    assert edit_session(tmp_path / "in-place", 20, collect=False, jcl=False) == 1


def test_keywords_written_in_full_share_one_resolution():
    doc = parse_csd(regions(200), load_catalogue().csd)
    exact = [kw.resolution for cmd in doc.commands for kw in cmd.keywords if kw.resolution.status == "exact"]
    assert len(exact) > 2000
    assert len({id(r) for r in exact}) == len({r.name for r in exact})  # one object per keyword name


def copies_of_a_text(length: int) -> int:
    """How many strings of ``length`` characters or more something holds."""
    held = {id(o) for o in gc.get_referents(*gc.get_objects()) if isinstance(o, str) and len(o) >= length}
    return len(held)


def test_an_editing_session_keeps_no_old_texts(tmp_path):
    """Old versions of an edited file are not kept (a cache keyed by the
    file's text once held the last sixteen: 80 MB for a 5 MB CSD)."""
    path = tmp_path / "regions.csd"
    # Listeners that autoinstall IPCONNs: their fix adds a record, written
    # with the file's line ends.
    text = regions(100).replace(" URM(NO)", "").replace(") TCPIPSERVICE(T", ") TCPIPSERVICE(X")
    path.write_text(text)
    service = AnalysisService([str(tmp_path)])
    service.open(str(path), text)
    assert any(f.code == "cics-autoinstall-listener" and f.fixes for f in service.findings(str(path)))
    for i in range(20):
        text = text.replace(f"region {i})", f"region {i}q)", 1)
        service.change(str(path), text)
        service.findings(str(path))
    del i
    gc.collect()
    # The text here, the service's copy of it and at most two more.
    assert copies_of_a_text(len(text) - 100) <= 4
