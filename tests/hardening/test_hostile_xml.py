"""Hostile Liberty XML: DTDs and entities, broken bytes and encodings,
extreme shapes.  Every input gets a clear diagnostic, no rule fails
(no internal-error), every range lies inside the document, and nothing
outside the workspace is read, fetched or expanded."""

from __future__ import annotations

import codecs
import os
import sys
import threading
import time
from pathlib import Path

import pytest

from hardening_support import EXAMPLES, analyse_folder, analyse_overlays, codes
from zcsec.cli import main
from zcsec.project import ProjectConfig
from zcsec.xmlparse import parse_xml

# ---------------------------------------------------------------------------
# Nothing is read or fetched: an audit hook records every file opened and
# every network call made by this process while a check runs.
# ---------------------------------------------------------------------------

_EVENTS: list[tuple[str, tuple]] = []
_RECORDING = threading.local()
# Events of reaching out (the event loop's own socketpair is no network use).
_NETWORK_EVENTS = ("socket.connect", "socket.getaddrinfo", "socket.gethostbyname", "socket.sendto", "socket.sendmsg", "urllib.Request", "http.client.connect", "ftplib.connect", "smtplib.connect", "subprocess.Popen", "os.system", "os.exec", "os.spawn", "os.posix_spawn")


def _hook(event: str, args: tuple) -> None:
    if getattr(_RECORDING, "on", False) and (event == "open" or event.startswith(_NETWORK_EVENTS)):
        _EVENTS.append((event, args))


sys.addaudithook(_hook)


class Recorder:
    def __enter__(self):
        _EVENTS.clear()
        _RECORDING.on = True
        return self

    def __exit__(self, *exc):
        _RECORDING.on = False

    @property
    def opened(self) -> set[str]:
        return {os.path.abspath(os.fsdecode(a[0])) for e, a in _EVENTS if e == "open" and isinstance(a[0], (str, bytes, os.PathLike))}

    @property
    def network(self) -> list[tuple[str, tuple]]:
        return [(e, a) for e, a in _EVENTS if e != "open"]


@pytest.fixture()
def canary(tmp_path_factory) -> Path:
    """A file outside the workspace whose content must never show up."""
    d = tmp_path_factory.mktemp("outside")
    p = d / "canary.txt"
    p.write_text("CANARY-FILE-CONTENT-7f3a1\n")
    return p


def _all_output(folder: Path, capsys) -> str:
    out = []
    for fmt in ("text", "json", "sarif"):
        main(["check", "--fail-on", "never", "--format", fmt, str(folder)])
        o, e = capsys.readouterr()
        out.append(o + e)
    return "\n".join(out)


BILLION_LAUGHS = (
    '<?xml version="1.0"?>\n<!DOCTYPE server [\n <!ENTITY lol "lol">\n'
    + "".join(f' <!ENTITY lol{i} "{("&lol;" if i == 1 else f"&lol{i - 1};") * 10}">\n' for i in range(1, 10))
    + ']>\n<server>\n  <variable name="laugh" value="&lol9;"/>\n  <featureManager><feature>&lol9;</feature></featureManager>\n</server>\n'
)


def test_billion_laughs_is_not_expanded(tmp_path, capsys):
    (tmp_path / "server.xml").write_text(BILLION_LAUGHS)
    t0 = time.process_time()
    result = analyse_folder(tmp_path)
    assert time.process_time() - t0 < 5
    found = codes(result.findings)
    assert found.get("xml-doctype") == 1
    [doctype] = [f for f in result.findings if f.code == "xml-doctype"]
    assert "no use for a DOCTYPE" in doctype.message and "never expands" in doctype.message
    assert found.get("xml-entity", 0) >= 2  # &lol9; is an undefined entity, left as written
    cfg = result.workspace.configs[0]
    assert cfg.variables["laugh"].value == "&lol9;"
    assert "lollol" not in _all_output(tmp_path, capsys)


@pytest.mark.parametrize(
    "doctype",
    [
        '<!DOCTYPE server [<!ENTITY leak SYSTEM "file://{canary}">]>',
        '<!DOCTYPE server [<!ENTITY leak SYSTEM "{canary}">]>',
        '<!DOCTYPE server [<!ENTITY leak SYSTEM "http://127.0.0.1:9/leak.xml">]>',
        '<!DOCTYPE server [<!ENTITY % p SYSTEM "file://{canary}"> %p; <!ENTITY leak "&p;">]>',
        '<!DOCTYPE server SYSTEM "file://{canary}">',
        '<!DOCTYPE server PUBLIC "-//X//DTD X//EN" "http://127.0.0.1:9/server.dtd">',
        '<!DOCTYPE server SYSTEM "{missing}">',
    ],
    ids=["entity-file-uri", "entity-path", "entity-url", "parameter-entity", "dtd-file", "dtd-url", "dtd-missing"],
)
def test_external_entities_and_dtds_are_never_read_or_fetched(tmp_path, canary, capsys, doctype):
    ws = tmp_path / "ws"
    ws.mkdir()
    head = doctype.format(canary=canary.as_posix(), missing=(tmp_path / "no-such.dtd").as_posix())
    (ws / "server.xml").write_text(f'<?xml version="1.0"?>\n{head}\n<server>\n  <variable name="x" value="&leak;"/>\n  <authData id="a" user="&leak;" password="{{aes}}x"/>\n</server>\n')
    with Recorder() as rec:
        result = analyse_folder(ws)
        output = _all_output(ws, capsys)
    assert "xml-doctype" in codes(result.findings)
    assert str(canary) not in rec.opened
    assert str(tmp_path / "no-such.dtd") not in rec.opened
    assert rec.network == []
    assert "CANARY-FILE-CONTENT" not in output
    # The DOCTYPE diagnostic says what it is about.
    assert "Liberty configuration has no use for a DOCTYPE" in output


def test_doctype_diagnostic_through_the_language_server(tmp_path, canary):
    """The same through ``zcsec serve``: the document gets the diagnostic,
    the server process opens no canary and makes no network call (checked
    with an audit hook inside the server process)."""
    from hardening_support import lsp_server

    ws = tmp_path / "ws"
    ws.mkdir()
    events = tmp_path / "events.txt"
    hook = (
        "import sys\n"
        f"log = open({str(events)!r}, 'a', buffering=1)\n"
        "def hook(e, a):\n"
        "    if e == 'open' and isinstance(a[0], str) and 'canary' in a[0] or e.startswith(('socket.connect', 'socket.getaddrinfo', 'socket.gethostbyname', 'urllib.Request', 'http.client.connect')):\n"
        "        log.write(e + ' ' + repr(a[:2]) + '\\n')\n"
        "sys.addaudithook(hook)\n"
        "from zcsec.cli import main\n"
        "main(['serve'])\n"
    )
    text = f'<!DOCTYPE server [<!ENTITY x SYSTEM "file://{canary.as_posix()}"><!ENTITY y SYSTEM "http://127.0.0.1:9/y">]>\n<server>\n  <variable name="v" value="&x;&y;"/>\n</server>\n'
    uri = (ws / "server.xml").as_uri()
    with lsp_server(ws, command=[sys.executable, "-c", hook]) as server:
        server.open(uri, text)
        diag = server.wait_for(lambda n: n.get("method") == "textDocument/publishDiagnostics" and n["params"]["uri"] == uri, 30)
        resp = server.request("textDocument/hover", {"textDocument": {"uri": uri}, "position": {"line": 2, "character": 30}})
        assert "error" not in resp
        assert "CANARY-FILE-CONTENT" not in str(resp)
    found = {d["code"]: d for d in diag["params"]["diagnostics"]}
    assert "xml-doctype" in found and "DOCTYPE" in found["xml-doctype"]["message"]
    assert found["xml-doctype"]["range"]["start"] == {"line": 0, "character": 0}
    assert events.read_text() == ""


# ---------------------------------------------------------------------------
# Bytes and encodings
# ---------------------------------------------------------------------------

SERVER = '<server>\n  <ssl id="s" keyStoreRef="missing"/>\n</server>\n'


@pytest.mark.parametrize(
    "data, code, phrase",
    [
        (b"<server>\n  <variable name='x' value='\xff\xfe\xc3'/>\n</server>\n", "file-encoding", "not valid UTF-8"),
        (codecs.BOM_UTF16_LE + "<server>\n</server>\n".encode("utf-16-le")[:-1], "file-encoding", "not valid UTF-16"),
        (codecs.BOM_UTF16_LE + "<server>\ud800</server>".encode("utf-16-le", "surrogatepass"), "file-encoding", "not valid UTF-16"),
        (b'<?xml version="1.0" encoding="UTF-16"?>\n' + SERVER.encode(), "file-encoding", "names the encoding 'utf-16', but the file is not written in it"),
        (b'<?xml version="1.0" encoding="IBM-037"?>\n' + SERVER.encode(), "file-encoding", "is not written in it"),
        (b'<?xml version="1.0" encoding="no-such-charset"?>\n' + SERVER.encode(), "file-encoding", "unknown"),
        (b'<?xml version="1.0" encoding="punycode"?>\n' + SERVER.encode() + b"\xff", "file-encoding", "not valid UTF-8"),
        (b'<?xml version="1.0" encoding="undefined"?>\n' + SERVER.encode() + b"\xff", "file-encoding", "not valid UTF-8"),
        (b'<?xml version="1.0" encoding="zlib"?>\n' + SERVER.encode() + b"\xff", "file-encoding", "not valid UTF-8"),
        (SERVER.encode("cp037"), "file-encoding", "look like EBCDIC"),
        (b"<server>\x00\x00</server>", "file-binary", "binary data"),
        (b"\x00\x01<server/>\x00" * 100, "file-binary", "binary data"),
    ],
    ids=["bad-utf8", "odd-utf16", "lone-surrogate-utf16", "declared-utf16-is-utf8", "declared-ebcdic-is-ascii", "unknown-charset", "punycode", "undefined-codec", "bytes-codec", "ebcdic-undeclared", "nul-bytes", "binary"],
)
def test_broken_bytes_get_a_clear_diagnostic(tmp_path, data, code, phrase):
    (tmp_path / "server.xml").write_bytes(data)
    result = analyse_folder(tmp_path)
    hits = [f for f in result.findings if f.code == code]
    assert hits, codes(result.findings)
    assert phrase in hits[0].message, hits[0].message


@pytest.mark.parametrize(
    "data, line",
    [
        (codecs.BOM_UTF8 + SERVER.encode(), 1),
        (codecs.BOM_UTF16_LE + SERVER.encode("utf-16-le"), 1),
        (codecs.BOM_UTF16_BE + SERVER.encode("utf-16-be"), 1),
        (('<?xml version="1.0" encoding="UTF-16"?>\n' + SERVER).encode("utf-16-le"), 2),
        (('<?xml version="1.0" encoding="IBM037"?>\n' + SERVER).encode("cp037"), 2),
        (('<?xml version="1.0" encoding="IBM-037"?>\n' + SERVER).encode("cp037"), 2),
        (('<?xml version="1.0" encoding="ISO-8859-1"?>\n' + SERVER.replace("missing", "mißing")).encode("latin-1"), 2),
    ],
    ids=["bom-utf8", "bom-utf16le", "bom-utf16be", "utf16-no-bom", "ebcdic-declared", "ebcdic-zos-name", "latin1-declared"],
)
def test_honest_encodings_are_read(tmp_path, data, line):
    (tmp_path / "server.xml").write_bytes(data)
    result = analyse_folder(tmp_path)
    found = codes(result.findings)
    assert "file-encoding" not in found and "xml-syntax" not in found, found
    [ref] = [f for f in result.findings if f.code == "ref-unresolved"]
    assert ref.range.start.line == line


@pytest.mark.parametrize("eol", ["\r\n", "\r", "\n"], ids=["crlf", "cr", "lf"])
def test_line_endings(tmp_path, eol):
    text = SERVER.replace("\n", eol)
    (tmp_path / "server.xml").write_bytes(text.encode())
    result = analyse_folder(tmp_path)
    [ref] = [f for f in result.findings if f.code == "ref-unresolved"]
    line = SERVER.splitlines()[1]
    assert (ref.range.start.line, ref.range.start.character) == (1, line.index('"missing"') + 1)


def test_nul_bytes_in_an_open_document(tmp_path):
    """An editor may send NUL characters; they are text like any other."""
    path = tmp_path / "server.xml"
    path.write_text(SERVER)
    ws, findings = analyse_overlays({str(path): SERVER.replace("ssl", "ssl\x00", 1)}, tmp_path)
    assert "xml-syntax" in codes(findings)


# ---------------------------------------------------------------------------
# Truncation at every position
# ---------------------------------------------------------------------------

EXAMPLE_XML = sorted(EXAMPLES.rglob("*.xml"))


@pytest.mark.parametrize("path", EXAMPLE_XML, ids=[str(p.relative_to(EXAMPLES)) for p in EXAMPLE_XML])
def test_parser_survives_truncation_at_every_position(path):
    text = path.read_text(encoding="utf-8")
    for cut in range(len(text) + 1):
        doc = parse_xml(text[:cut])
        for p in doc.problems:
            assert 0 <= p.span[0] <= p.span[1] <= cut, (cut, p)


def test_rule_engine_survives_truncation(tmp_path):
    """The whole analysis (all rules) on every prefix of a real server.xml
    (every 3rd position, to stay quick) and on every line boundary."""
    import shutil

    src = EXAMPLES / "cics-insecure"
    ws = tmp_path / "ws"
    shutil.copytree(src, ws)
    target = ws / "server.xml"
    text = target.read_text(encoding="utf-8")
    cuts = set(range(0, len(text) + 1, 3)) | {i + 1 for i, ch in enumerate(text) if ch == "\n"}
    project = ProjectConfig()
    for cut in sorted(cuts):
        analyse_overlays({str(target): text[:cut]}, ws, project)


# ---------------------------------------------------------------------------
# Extreme shapes (time and memory are measured in test_resources.py)
# ---------------------------------------------------------------------------


def test_deep_nesting(tmp_path):
    (tmp_path / "server.xml").write_text("<server>" + "<ssl>" * 10_000 + "</ssl>" * 10_000 + "</server>")
    analyse_folder(tmp_path)
    (tmp_path / "server.xml").write_text("<server>" + "<zosconnect_cicsIpicConnection>" * 10_000)
    result = analyse_folder(tmp_path)
    assert codes(result.findings)["xml-unclosed"] == 10_001


def test_problem_flood_is_capped(tmp_path):
    """A million stray '<' do not become a million diagnostics."""
    (tmp_path / "server.xml").write_text("<server>" + "<" * 1_000_000 + "</server>")
    t0 = time.process_time()
    result = analyse_folder(tmp_path)
    assert time.process_time() - t0 < 30
    syntax = [f for f in result.findings if f.code == "xml-syntax"]
    assert len(syntax) <= 25_001
    assert "more problems from here on are not reported" in syntax[-1].message


def test_huge_attribute_value(tmp_path):
    big = "A" * 10_000_000
    (tmp_path / "server.xml").write_text(f'<server>\n<authData id="a" user="u" password="{big}"/>\n<variable name="v" value="{big}\n</server>\n')
    result = analyse_folder(tmp_path)
    for f in result.findings:
        assert big[:100] not in f.message


def test_one_long_line(tmp_path):
    """A 5 MB configuration on one line: a finding at the far end of the
    line has the right column.  (The worst case, a finding for every
    element of such a line, is measured in test_resources.py.)"""
    unit = '<variable name="v{}" value="some value of a realistic length, say sixty characters"/>'
    parts = []
    size = 0
    i = 0
    while size < 5_000_000:
        parts.append(unit.format(i))
        size += len(parts[-1])
        i += 1
    tail = '<zosconnect_cicsIpicConnection id="c" host="h" port="1491" authDataRef="nope"/>'
    text = "<server>" + "".join(parts) + tail + "</server>"
    (tmp_path / "server.xml").write_text(text)
    result = analyse_folder(tmp_path)
    [last] = [f for f in result.findings if f.code == "ref-unresolved"]
    assert last.range.start.line == 0
    assert last.range.start.character == text.index('"nope"') + 1


def test_variables_that_laugh(tmp_path):
    """Liberty variables can describe a billion laughs too."""
    chain = "".join(f'<variable name="v{i}" value="{("${v%d}" % (i + 1)) * 10}"/>' for i in range(12))
    (tmp_path / "server.xml").write_text(f'<server>{chain}<variable name="v12" value="lol"/><variable name="self" value="${{self}}${{self}}"/><include location="${{v0}}"/><include location="${{self}}"/></server>')
    t0 = time.process_time()
    result = analyse_folder(tmp_path)
    assert time.process_time() - t0 < 10
    unresolved = [f for f in result.findings if f.code == "include-unresolved"]
    assert len(unresolved) == 2 and all("refer to themselves or grow" in f.message for f in unresolved)


def test_size_limit_is_configurable_and_says_so(tmp_path, capsys):
    (tmp_path / ".zcsec.toml").write_text("max_file_size_mb = 1\n")
    (tmp_path / "server.xml").write_text("<server>" + "<!-- padding -->" * 80_000 + "</server>")
    (tmp_path / "defs.csd").write_text(" DEFINE PROGRAM(P) GROUP(G)\n" * 50_000)
    (tmp_path / "small.csd").write_text(" DEFINE PROGRAM(P) GROUP(G)\n")
    assert main(["check", "--fail-on", "never", str(tmp_path)]) == 0
    out = capsys.readouterr().out
    assert out.count("over the 1 MB limit (max_file_size_mb in .zcsec.toml); it was not checked") == 2


def test_control_characters_never_reach_the_terminal(tmp_path, capsys):
    """A configuration cannot rewrite the terminal that shows the text report."""
    (tmp_path / "server.xml").write_text('<server>\n  <ssl id="s\x1b[2J" keyStoreRef="\x1b]0;pwned\x07"/>\n  <a \x1b[31m\u202e/>\n</server>\n')
    main(["check", "--fail-on", "never", str(tmp_path)])
    main(["posture", str(tmp_path)])
    out, err = capsys.readouterr()
    assert "\x1b" not in out + err and "\u202e" not in out + err
    assert "\\x1b" in out
