"""The language server as a real process, given what a buggy or hostile
client may send: it answers every request (a result, or an error for a
request it cannot take), logs what it ignores, and keeps running."""

from __future__ import annotations

import sys
import time
from pathlib import Path

import pytest

from hardening_support import lsp_server, range_inside
from zcsec.text import LineIndex

TEXT = '<server>\n  <ssl id="s" keyStoreRef="missing"/>\n  <zosconnect_cicsIpicConnection id="c" host="h" port="1491" authDataRef="creds"/>\n</server>\n'
POSITION_REQUESTS = ["textDocument/hover", "textDocument/completion", "textDocument/definition", "textDocument/references", "textDocument/prepareRename", "textDocument/rename"]


def params(method: str, uri: str, position: dict) -> dict:
    p: dict = {"textDocument": {"uri": uri}, "position": position}
    if method == "textDocument/references":
        p["context"] = {"includeDeclaration": True}
    if method == "textDocument/rename":
        p["newName"] = "renamed"
    return p


@pytest.fixture()
def ws(tmp_path) -> Path:
    root = tmp_path / "ws"
    root.mkdir()
    (root / "server.xml").write_text(TEXT)
    return root


def published(server, uri: str, version: int | None = None, timeout: float = 30) -> dict:
    return server.wait_for(
        lambda n: n.get("method") == "textDocument/publishDiagnostics" and n["params"]["uri"] == uri and (version is None or n["params"].get("version") == version),
        timeout,
    )["params"]


def still_answers(server, uri: str) -> None:
    resp = server.request("textDocument/hover", params("textDocument/hover", uri, {"line": 1, "character": 4}))
    assert "error" not in resp, resp
    assert server.alive()


def test_positions_past_the_end_of_a_line_or_the_document(ws):
    uri = (ws / "server.xml").as_uri()
    with lsp_server(ws) as server:
        server.open(uri, TEXT)
        published(server, uri)
        for method in POSITION_REQUESTS:
            for pos in ({"line": 0, "character": 10_000}, {"line": 1, "character": 2**31 - 1}, {"line": 10_000, "character": 0}, {"line": 2**31 - 1, "character": 2**31 - 1}, {"line": 4, "character": 0}):
                resp = server.request(method, params(method, uri, pos))
                assert "error" not in resp or resp["error"]["code"] == -32602, (method, pos, resp)  # rename: "nothing to rename here"
        far = {"start": {"line": 0, "character": 0}, "end": {"line": 10**6, "character": 10**6}}
        resp = server.request("textDocument/codeAction", {"textDocument": {"uri": uri}, "range": far, "context": {"diagnostics": [{"range": far, "message": "m", "source": "zcsec", "code": "xml-syntax"}]}})
        assert "error" not in resp
        still_answers(server, uri)


@pytest.mark.parametrize("position", [{"line": -1, "character": 0}, {"line": 0, "character": -5}, {"line": 2**31, "character": 0}, {"line": [], "character": 0}, None], ids=["negative-line", "negative-character", "beyond-uinteger", "list", "missing"])
def test_impossible_positions_are_answered_with_invalid_params(ws, position):
    """Before: pygls dropped such a request while reading it and never
    answered; the client waited for ever."""
    uri = (ws / "server.xml").as_uri()
    with lsp_server(ws) as server:
        server.open(uri, TEXT)
        for method in ("textDocument/hover", "textDocument/completion", "textDocument/definition"):
            p = {"textDocument": {"uri": uri}}
            if position is not None:
                p["position"] = position
            resp = server.request(method, p, timeout=20)
            assert resp["error"]["code"] == -32602, resp
        assert any("invalid parameters" in m for m in server.log_messages())
        still_answers(server, uri)


@pytest.mark.parametrize(
    "uri",
    ["file:///no/such/dir/server.xml", "untitled:Untitled-1", "http://127.0.0.1:9/server.xml", "not a uri at all", "file://", "", "file:///%00/x.xml", "file:///" + "a" * 5000 + ".xml"],
    ids=["missing-file", "untitled", "http", "garbage", "empty-authority", "empty", "nul", "very-long"],
)
def test_unknown_uris(ws, uri):
    with lsp_server(ws) as server:
        for method in POSITION_REQUESTS:
            resp = server.request(method, params(method, uri, {"line": 0, "character": 0}))
            assert "error" not in resp or resp["error"]["code"] == -32602, (method, resp)
        for method in ("textDocument/documentSymbol", "textDocument/documentLink", "textDocument/diagnostic"):
            resp = server.request(method, {"textDocument": {"uri": uri}})
            assert "error" not in resp, (method, resp)
        resp = server.request("textDocument/codeAction", {"textDocument": {"uri": uri}, "range": {"start": {"line": 0, "character": 0}, "end": {"line": 0, "character": 0}}, "context": {"diagnostics": [{"range": {"start": {"line": 0, "character": 0}, "end": {"line": 0, "character": 1}}, "message": "m", "source": "zcsec", "code": "xml-syntax"}]}})
        assert "error" not in resp
        server.close_document(uri)
        server.change(uri, 2, "<server/>")
        still_answers(server, (ws / "server.xml").as_uri())


def test_closed_documents(ws):
    uri = (ws / "server.xml").as_uri()
    with lsp_server(ws) as server:
        server.open(uri, TEXT.replace("missing", "gone"))
        assert published(server, uri)["diagnostics"]
        server.close_document(uri)
        # Closing clears the document's diagnostics ...
        cleared = server.wait_for(lambda n: n.get("method") == "textDocument/publishDiagnostics" and n["params"]["uri"] == uri and n["params"]["diagnostics"] == [], 20)
        assert cleared
        # ... and requests for it are answered from the file on disk.
        for method in POSITION_REQUESTS:
            resp = server.request(method, params(method, uri, {"line": 1, "character": 5}))
            assert "error" not in resp or resp["error"]["code"] == -32602
        server.close_document(uri)  # twice
        server.change(uri, 7, "<server>")  # a change after the close is ignored
        still_answers(server, uri)
        assert any("which is not open" in m for m in server.log_messages())


def test_did_change_for_a_document_never_opened(ws):
    """Before: pygls raised KeyError and the server logged an internal error."""
    uri = (ws / "never-opened.xml").as_uri()
    with lsp_server(ws) as server:
        server.change(uri, 3, "<server><ssl/></server>")
        server.change(uri, 4, changes=[{"range": {"start": {"line": 0, "character": 0}, "end": {"line": 0, "character": 1}}, "text": "x"}])
        still_answers(server, (ws / "server.xml").as_uri())
        logs = server.log_messages()
        assert any("never-opened.xml, which is not open" in m for m in logs)
        assert not any("internal error" in m for m in logs), logs
        assert server.diagnostics(uri) == []


def test_versions_out_of_order(ws):
    uri = (ws / "server.xml").as_uri()
    with lsp_server(ws) as server:
        server.open(uri, TEXT, version=5)
        published(server, uri, 5)
        server.change(uri, 9, TEXT.replace("missing", "nine"))
        server.change(uri, 7, TEXT.replace("missing", "seven"))  # older number, newer text
        last = published(server, uri, 7)
        time.sleep(1.0)  # nothing older may arrive after it
        final = server.diagnostics(uri)[-1]
        assert final["version"] == 7
        assert any("'seven'" in d["message"] for d in final["diagnostics"]), final
        assert last == final


def test_a_burst_of_a_thousand_changes(ws):
    """The last diagnostics published are for the last version, whatever
    was published on the way."""
    uri = (ws / "server.xml").as_uri()
    with lsp_server(ws) as server:
        server.open(uri, TEXT, version=1)
        for v in range(2, 1002):
            server.change(uri, v, TEXT.replace("missing", f"ks{v}"))
        last = published(server, uri, 1001, timeout=120)
        quiet = time.monotonic()
        while time.monotonic() - quiet < 1.5:  # wait until the server has gone quiet
            n = len(server.notifications)
            time.sleep(0.5)
            if len(server.notifications) != n:
                quiet = time.monotonic()
        final = server.diagnostics(uri)[-1]
        assert final["version"] == 1001 and final == last
        assert any("'ks1001'" in d["message"] for d in final["diagnostics"])
        versions = [d["version"] for d in server.diagnostics(uri)]
        assert versions == sorted(versions), "an older analysis was published after a newer one"
        still_answers(server, uri)


def test_incremental_changes_with_impossible_ranges(ws):
    uri = (ws / "server.xml").as_uri()
    with lsp_server(ws) as server:
        server.open(uri, TEXT)
        edits = [
            {"range": {"start": {"line": 100, "character": 0}, "end": {"line": 200, "character": 5}}, "text": "<x/>"},
            {"range": {"start": {"line": 2, "character": 500}, "end": {"line": 0, "character": 0}}, "text": "<y/>"},
            {"range": {"start": {"line": 0, "character": 3}, "end": {"line": 0, "character": 2}}, "text": "\ud83d"},
            {"range": {"start": {"line": 0, "character": 0}, "end": {"line": 0, "character": 0}}, "text": "\ud800\udc00\udfff\x00"},
        ]
        for v, edit in enumerate(edits, start=2):
            server.change(uri, v, changes=[edit])
        last = published(server, uri, 5)
        # What text impossible edits leave is pygls' business; the ranges must
        # still be ordered, and the server must still answer.
        for d in last["diagnostics"]:
            r = d["range"]
            assert (r["start"]["line"], r["start"]["character"]) <= (r["end"]["line"], r["end"]["character"]), d
        still_answers(server, uri)


def test_cancelled_requests_are_answered_and_the_server_carries_on(ws):
    uri = (ws / "server.xml").as_uri()
    with lsp_server(ws) as server:
        server.open(uri, TEXT)
        ids = [server.request_async(m, params(m, uri, {"line": 2, "character": 40})) for m in POSITION_REQUESTS * 10]
        for msg_id in ids:
            server.notify("$/cancelRequest", {"id": msg_id})
        server.notify("$/cancelRequest", {"id": 987654})  # unknown id
        server.notify("$/cancelRequest", {"id": None})
        for msg_id in ids:
            resp = server.wait_response(msg_id, 30)
            assert "result" in resp or resp["error"]["code"] in (-32800, -32602), resp
        still_answers(server, uri)


def test_malformed_messages(ws):
    uri = (ws / "server.xml").as_uri()
    with lsp_server(ws) as server:
        server.open(uri, TEXT)
        resp = server.request("textDocument/hover", [1, 2, 3])
        assert resp["error"]["code"] == -32602
        resp = server.request("textDocument/codeAction", {"textDocument": {"uri": uri}})
        assert resp["error"]["code"] == -32602
        resp = server.request("zcsec/noSuchMethod", {})
        assert resp["error"]["code"] == -32601
        # Fixes carried by a diagnostic the client garbled.
        diag = {"range": {"start": {"line": 0, "character": 0}, "end": {"line": 0, "character": 1}}, "message": "m", "source": "zcsec", "code": "ref-unresolved", "data": {"fixes": [{"title": "t", "edits": [{"uri": uri, "range": None, "newText": 3}]}, "junk", {"edits": "x"}]}}
        resp = server.request("textDocument/codeAction", {"textDocument": {"uri": uri}, "range": diag["range"], "context": {"diagnostics": [diag]}})
        assert "error" not in resp
        server.notify("textDocument/didOpen", {})
        server.notify("textDocument/didChange", {"textDocument": {"uri": uri}, "contentChanges": "nope"})
        server.notify("workspace/didChangeWatchedFiles", {"changes": [{"uri": "::", "type": 99}]})
        server.send_bytes(b"Content-Length: 9\r\n\r\n{\"jsonrpc")  # not JSON
        server.send_bytes(b"Content-Length: 3\r\n\r\n[1]")  # not JSON-RPC
        server.send_bytes(b'Content-Length: 36\r\n\r\n{"jsonrpc":"2.0","id":77,"method":5}')
        still_answers(server, uri)
        logs = server.log_messages()
        assert any("invalid parameters" in m for m in logs)
        assert any("could not be read" in m for m in logs)


def test_an_exception_in_a_handler_is_logged_and_answered_as_an_error(ws):
    """A handler that raises (simulated by breaking hover, completion and
    code actions inside the server process) answers that request with an
    internal error and logs it; every other request still works."""
    hook = (
        "import zcsec.lsp.app\n"
        "import zcsec.ide.hover, zcsec.ide.completion, zcsec.lsp.actions\n"
        "def boom(*a, **k):\n"
        "    raise RuntimeError('simulated failure')\n"
        "zcsec.ide.hover.hover = boom\n"
        "zcsec.ide.completion.complete = boom\n"
        "zcsec.lsp.actions.suppress_action = boom\n"
        "from zcsec.cli import main\n"
        "main(['serve'])\n"
    )
    uri = (ws / "server.xml").as_uri()
    with lsp_server(ws, command=[sys.executable, "-c", hook]) as server:
        server.open(uri, TEXT)
        diags = published(server, uri)["diagnostics"]
        for method in ("textDocument/hover", "textDocument/completion"):
            resp = server.request(method, params(method, uri, {"line": 1, "character": 5}))
            assert resp["error"]["code"] == -32603, resp
        resp = server.request("textDocument/codeAction", {"textDocument": {"uri": uri}, "range": diags[0]["range"], "context": {"diagnostics": diags}})
        assert resp["error"]["code"] == -32603, resp
        # Other features are unaffected.
        resp = server.request("textDocument/documentSymbol", {"textDocument": {"uri": uri}})
        assert resp["result"]
        resp = server.request("textDocument/definition", params("textDocument/definition", uri, {"line": 1, "character": 30}))
        assert "error" not in resp
        logs = [m for m in server.log_messages() if "simulated failure" in m]
        assert len(logs) == 3, server.log_messages()  # once per failure, not twice
        assert all("RuntimeError" in m for m in logs)
        assert server.alive()


def test_a_huge_document_is_refused_by_the_size_limit(ws):
    """The limit of .zcsec.toml applies to the editor's text as it does to
    files on disk."""
    (ws / ".zcsec.toml").write_text("max_file_size_mb = 1\n")
    uri = (ws / "server.xml").as_uri()
    big = "<server>\n" + "<!-- padding padding padding -->\n" * 70_000 + "</server>\n"
    with lsp_server(ws) as server:
        server.open(uri, big)
        diags = published(server, uri)["diagnostics"]
        assert [d["code"] for d in diags] == ["file-too-large"]
        assert "over the 1 MB limit" in diags[0]["message"]
        resp = server.request("textDocument/codeAction", {"textDocument": {"uri": uri}, "range": diags[0]["range"], "context": {"diagnostics": diags}})
        assert "error" not in resp
        still_answers(server, uri)


def test_diagnostic_ranges_lie_inside_the_document(ws):
    uri = (ws / "server.xml").as_uri()
    text = "<server>\r\n  <ssl id='s' keyStoreRef='😀missing'/>\r<zosconnect_cicsIpicConnection id=\"c\"\n" + "<a " * 50
    with lsp_server(ws) as server:
        server.open(uri, text)
        diags = published(server, uri)["diagnostics"]
        assert diags
        index = LineIndex(text)
        for d in diags:
            assert range_inside(index, d["range"]), d


def test_documents_opened_in_a_burst_all_get_diagnostics(tmp_path):
    """An editor restoring its tabs opens many documents at once.  Before:
    the analysis of one document, running in a worker thread, iterated the
    set of open documents while the next didOpen added to it, failed, and
    some documents never got diagnostics."""
    import shutil

    from hardening_support import EXAMPLES

    root = tmp_path / "ws"
    shutil.copytree(EXAMPLES, root)
    files = sorted(p for p in root.rglob("*") if p.suffix in (".xml", ".csd", ".jcl"))
    with lsp_server(root) as server:
        for _ in range(2):  # open, close and open again: twice the burst
            for p in files:
                server.open(p.as_uri(), p.read_text(encoding="utf-8"))
            for p in files:
                published(server, p.as_uri(), timeout=60)
            for p in files:
                server.close_document(p.as_uri())
        assert not any("failed" in m or "internal error" in m for m in server.log_messages()), server.log_messages()
        still_answers(server, files[0].as_uri())


def test_a_50_mb_document(ws):
    """With the default limit (20 MB): refused with a diagnostic that says
    so, quickly, and the server stays responsive."""
    uri = (ws / "big.xml").as_uri()
    big = "<server>\n" + ("<!-- " + "x" * 90 + " -->\n") * 520_000 + "</server>\n"
    assert len(big) > 50_000_000
    with lsp_server(ws) as server:
        t0 = time.monotonic()
        server.open(uri, big)
        diags = published(server, uri, timeout=120)["diagnostics"]
        assert [d["code"] for d in diags] == ["file-too-large"]
        assert "over the 20 MB limit" in diags[0]["message"]
        still_answers(server, (ws / "server.xml").as_uri())
        resp = server.request("textDocument/hover", params("textDocument/hover", uri, {"line": 1, "character": 3}))
        assert "error" not in resp and resp["result"] is None
        assert time.monotonic() - t0 < 60


@pytest.mark.parametrize("element", ["zosconnect_cicsIpicConnection", "a"], ids=["known", "unknown"])
def test_every_feature_on_ten_thousand_levels_of_nesting(ws, element):
    """Found by the fuzz campaign: the document outline of a deeply nested
    file ran out of recursion.  Every feature must answer on such a file."""
    uri = (ws / "deep.xml").as_uri()
    depth = 10_000
    text = "<server>\n" + f'<{element} id="e" authDataRef="x">' * depth + "\n" + f"</{element}>" * depth + "\n</server>\n"
    deepest = {"line": 1, "character": len(f'<{element} id="e" authDataRef="x">') * depth - 5}
    with lsp_server(ws) as server:
        server.open(uri, text)
        published(server, uri, timeout=60)
        for method in POSITION_REQUESTS:
            for pos in (deepest, {"line": 1, "character": 3}, {"line": 2, "character": 5}):
                resp = server.request(method, params(method, uri, pos), timeout=60)
                assert "error" not in resp or resp["error"]["code"] == -32602, (method, resp)
        for method in ("textDocument/documentSymbol", "textDocument/documentLink", "textDocument/diagnostic"):
            resp = server.request(method, {"textDocument": {"uri": uri}}, timeout=60)
            assert "error" not in resp, (method, resp)
            if method == "textDocument/documentSymbol" and element != "a":
                # An outline, cut at a sane depth (not an empty one).
                levels, node = 0, resp["result"][0]
                while node.get("children"):
                    levels, node = levels + 1, node["children"][0]
                assert 10 <= levels < 1000, levels
        diags = server.diagnostics(uri)[-1]["diagnostics"]
        resp = server.request("textDocument/codeAction", {"textDocument": {"uri": uri}, "range": deepest and {"start": deepest, "end": deepest}, "context": {"diagnostics": diags[:50]}}, timeout=60)
        assert "error" not in resp
        resp = server.request("zcsec/posture", {}, timeout=120)
        assert "error" not in resp
        assert not any("internal error" in m or "failed" in m for m in server.log_messages()), [m[:300] for m in server.log_messages()]
