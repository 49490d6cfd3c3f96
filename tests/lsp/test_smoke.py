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


async def test_requests_read_the_analysis_held_still(tmp_path):
    """An editor request's work runs while the service's lock is held, so an
    analysis (which updates the model in place) cannot run in the middle of
    it (lsp.common.in_pool, AnalysisService.read)."""
    import threading

    from zcsec.lsp.common import in_pool
    from zcsec.lsp.server import ZcsecServer
    from zcsec.service import AnalysisService

    ls = ZcsecServer()
    ls.service = AnalysisService([str(tmp_path)])

    def held() -> bool:
        got = []

        def try_lock() -> None:
            ok = ls.service._lock.acquire(blocking=False)
            if ok:
                ls.service._lock.release()
            got.append(ok)

        other = threading.Thread(target=try_lock)
        other.start()
        other.join()
        return got == [False]

    assert await in_pool(ls, "test", held)
    assert not held()
