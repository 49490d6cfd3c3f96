"""Secrets never leave the language server.

tests/test_examples.py plants a canary in every secret attribute of every
example and checks the CLI's outputs.  This test runs ``zcsec serve`` on
the same canary workspace (plus the fuzz corpus) and asks it everything a
client can: diagnostics, hover and completion at every attribute and
element, code actions for every diagnostic, symbols, links, CodeLens,
inlay hints, definitions,
references, the posture view and the whole-workspace check.  No canary may
appear in any message the server sends (results, notifications, the
window/logMessage log) or in its stderr."""

from __future__ import annotations

import json
import re
import shutil
import time

import pytest

from hardening_support import lsp_server
from tests.fuzz.run import CORPUS
from tests.test_examples import EXTRA_SECRETS, INSECURE, SECURE, _plant_canaries
from zcsec.xmlparse import parse_xml

CANARY = re.compile(r"CANARY-\d+-pw")


@pytest.fixture(scope="module")
def canary_workspace(tmp_path_factory):
    root = tmp_path_factory.mktemp("canary-lsp") / "ws"
    root.mkdir()
    for p in SECURE + INSECURE:
        shutil.copytree(p, root / p.name)
    (root / "extra-secrets").mkdir()
    (root / "extra-secrets" / ".zcsec.toml").write_text("")
    (root / "extra-secrets" / "server.xml").write_text(EXTRA_SECRETS)
    shutil.copytree(CORPUS, root / "corpus")
    (root / "corpus" / ".zcsec.toml").write_text("")
    # A secret that travels through variables, and one in bootstrap.properties.
    (root / "extra-secrets" / "vars.xml").write_text(
        '<server>\n  <variable name="db.pw" value="x"/>\n  <authData id="viaVar" user="u" password="${db.pw}"/>\n'
        '  <zosconnect_authData id="viaBoot" user="u" password="${boot.secret}"/>\n</server>\n'
    )
    planted = _plant_canaries(root)
    # _plant_canaries only touches attributes; the variable's value is secret too.
    vars_xml = root / "extra-secrets" / "vars.xml"
    vars_xml.write_text(vars_xml.read_text().replace('value="x"', f'value="CANARY-{len(planted) + 1}-pw"'))
    (root / "extra-secrets" / "bootstrap.properties").write_text(f"boot.secret=CANARY-{len(planted) + 2}-pw\n")
    text = "".join(p.read_text(encoding="utf-8", errors="replace") for p in root.rglob("*") if p.is_file())
    assert len(set(CANARY.findall(text))) >= len(planted) + 2 >= 25
    return root


def _positions(text: str):
    """(line, character) of interesting spots: element names, attribute
    names, the start, middle and end of every value, variable references."""
    from zcsec.text import LineIndex

    index = LineIndex(text)
    doc = parse_xml(text)
    spots = []
    for el in doc.iter():
        spots.append(el.name_span[0] + 1)
        for attr in el.attributes:
            a, b = attr.value_span
            spots.extend([attr.name_span[0] + 1, a, (a + b) // 2, b])
        ts = el.text_span(text)
        if ts:
            spots.append((ts[0] + ts[1]) // 2)
    spots.extend(m.start() + 2 for m in re.finditer(r"\$\{", text))
    return [index.position(o) for o in sorted(set(spots))]


def test_no_secret_in_any_language_server_output(canary_workspace):
    root = canary_workspace
    files = sorted(p for p in root.rglob("*") if p.is_file() and p.suffix in (".xml", ".csd", ".jcl"))
    received: list[dict] = []
    with lsp_server(root, options={"diagnosticsDelayMs": 0}) as server:
        for p in files:
            server.open(p.as_uri(), p.read_text(encoding="utf-8"), language="xml" if p.suffix == ".xml" else "plaintext")
        # Every Liberty file and CSD file gets its diagnostics.
        deadline = time.monotonic() + 120
        wanted = {p.as_uri() for p in files if p.suffix != ".xml" or "<server" in p.read_text(encoding="utf-8")}
        while time.monotonic() < deadline and not all(server.diagnostics(u) for u in wanted):
            time.sleep(0.2)
        assert all(server.diagnostics(u) for u in wanted), [u for u in wanted if not server.diagnostics(u)]

        ids: list[int] = []
        for p in files:
            uri = p.as_uri()
            text = p.read_text(encoding="utf-8")
            td = {"uri": uri}
            for method in ("textDocument/documentSymbol", "textDocument/documentLink", "textDocument/codeLens"):
                ids.append(server.request_async(method, {"textDocument": td}))
            whole = {"start": {"line": 0, "character": 0}, "end": {"line": text.count("\n") + 1, "character": 0}}
            ids.append(server.request_async("textDocument/inlayHint", {"textDocument": td, "range": whole}))
            if p.suffix == ".xml":
                for pos in _positions(text):
                    position = {"line": pos.line, "character": pos.character}
                    ids.append(server.request_async("textDocument/hover", {"textDocument": td, "position": position}))
                    ids.append(server.request_async("textDocument/completion", {"textDocument": td, "position": position}))
                    ids.append(server.request_async("textDocument/definition", {"textDocument": td, "position": position}))
                    ids.append(server.request_async("textDocument/references", {"textDocument": td, "position": position, "context": {"includeDeclaration": True}}))
            else:
                for line in range(text.count("\n") + 1):
                    for ch in (1, 10, 30):
                        ids.append(server.request_async("textDocument/hover", {"textDocument": td, "position": {"line": line, "character": ch}}))
                        ids.append(server.request_async("textDocument/completion", {"textDocument": td, "position": {"line": line, "character": ch}}))
            diags = server.diagnostics(uri)[-1]["diagnostics"] if server.diagnostics(uri) else []
            for d in diags:
                ids.append(server.request_async("textDocument/codeAction", {"textDocument": td, "range": d["range"], "context": {"diagnostics": [d]}}))
        ids.append(server.request_async("zcsec/posture", {}))
        ids.append(server.request_async("workspace/executeCommand", {"command": "zcsec.server.checkWorkspace", "arguments": []}))
        titles = []
        for msg_id in ids:
            resp = server.wait_response(msg_id, 120)
            assert "error" not in resp, resp
            received.append(resp)
            result = resp.get("result")
            if isinstance(result, list):
                titles.extend(a.get("title") for a in result if isinstance(a, dict) and "title" in a)
        assert len(ids) > 1000
        assert any("Suppress" in t for t in titles)  # code actions were really produced
        hovers = [r["result"] for r in received if isinstance(r.get("result"), dict) and "contents" in r["result"]]
        assert any("not shown" in json.dumps(h) or "secret" in json.dumps(h).lower() for h in hovers)
        received.extend(server.notifications)
        logs = server.log_messages()
    stderr = (root.parent / f"{root.name}-server-stderr.txt").read_text(errors="replace")
    everything = json.dumps(received) + "\n".join(logs) + stderr
    leaked = sorted(set(CANARY.findall(everything)))
    assert leaked == [], leaked
    assert "password" in everything  # the outputs did talk about the secret attributes
