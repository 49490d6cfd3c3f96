"""The workspace model: includes, configDropins, variables, the project file
and the CSD model, built from files in tmp_path."""

from __future__ import annotations

import os
import socket
from pathlib import Path

import pytest

from conftest import range_of, server_xml, write

from zcsec.analysis import analyse
from zcsec.findings import Severity
from zcsec.rules import RULES
from zcsec.project import find_project_file, load_project, parse_project

FEATURES = ("zosconnect:zosConnect-2.0", "zosconnect:cicsService-1.0", "transportSecurity-1.0")


def write_dedented(base: Path, rel: str, text: str | bytes) -> Path:
    return write(base, rel, text, dedent=True)


def server(body: str, features: bool = True) -> str:
    return server_xml(body, FEATURES if features else ())


# Rules of other modules (security, CSD) are tested elsewhere and change
# independently; these tests look at the catalogue, syntax and model rules.
OWN = {"schema", "syntax", "model"}


def run(*paths: Path):
    res = analyse([str(p) for p in paths])
    res.findings = [f for f in res.findings if RULES[f.code].category in OWN]
    return res


def codes(result) -> list[str]:
    return [f.code for f in result.findings]


def of(result, code: str):
    return [f for f in result.findings if f.code == code]


def where(path: Path, needle: str, occurrence: int = 0) -> tuple[int, int, int, int]:
    """(line, character, end line, end character) of ``needle`` in the file."""
    text = path.read_text(encoding="utf-8")
    start = -1
    for _ in range(occurrence + 1):
        start = text.index(needle, start + 1)
    end = start + len(needle)
    def lc(off):
        line = text.count("\n", 0, off)
        return line, off - (text.rfind("\n", 0, off) + 1)
    return (*lc(start), *lc(end))


IPIC = '<zosconnect_cicsIpicConnection id="cics" host="cics.example.com" port="1491" sslCertsRef="ipicTls"/>'
TLS = server(
    """
    <keyStore id="ring" location="safkeyring:///R" type="JCERACFKS" password="p"/>
    <ssl id="ipicTls" keyStoreRef="ring"/>
    """,
    features=False,
)


# ---------------------------------------------------------------------------
# Includes
# ---------------------------------------------------------------------------


def test_ref_unresolved_without_the_include(tmp_path):
    """The baseline the include tests rely on."""
    root = write_dedented(tmp_path, "server.xml", server(IPIC))
    res = run(root)
    assert codes(res) == ["ref-unresolved"]


@pytest.mark.parametrize(
    "location",
    ["includes/tls.xml", "./includes/../includes/tls.xml", "${server.config.dir}includes/tls.xml", "${server.config.dir}/includes/tls.xml"],
)
def test_include_resolves(tmp_path, location):
    root = write_dedented(tmp_path, "server.xml", server(f'<include location="{location}"/>\n{IPIC}'))
    tls = write_dedented(tmp_path, "includes/tls.xml", TLS)
    res = run(root)
    assert res.findings == []
    cfg = res.workspace.configs[0]
    assert cfg.roles[str(tls)] == "include"
    assert cfg.includes[0].target == str(tls)
    assert cfg.find("ipicTls", ["ssl"])[0].path == str(tls)


def test_optional_missing_include_is_silent(tmp_path):
    root = write_dedented(tmp_path, "server.xml", server('<include location="local.xml" optional="true"/>'))
    assert run(root).findings == []


def test_required_missing_include(tmp_path):
    root = write_dedented(tmp_path, "server.xml", server('<include location="local.xml"/>'))
    res = run(root)
    [f] = res.findings
    assert f.code == "include-missing"
    assert f.severity == Severity.ERROR
    assert f.path == str(root)
    assert range_of(f) == where(root, "local.xml")
    assert "local.xml" in f.message


def test_include_cycle_between_two_files(tmp_path):
    a = write_dedented(tmp_path, "a.xml", server('<include location="b.xml"/>'))
    b = write_dedented(tmp_path, "b.xml", server('<include location="a.xml"/>', features=False))
    for paths in ([a], [tmp_path]):
        res = run(*paths)
        assert codes(res) == ["include-cycle"], paths
        [f] = res.findings
        assert f.severity == Severity.ERROR
        assert f.path == str(b)
        assert range_of(f) == where(b, "a.xml")
        assert "a.xml -> b.xml -> a.xml" in f.message
        assert len(res.workspace.configs) == 1


def test_file_including_itself(tmp_path):
    a = write_dedented(tmp_path, "server.xml", server('<include location="server.xml"/>'))
    res = run(a)
    [f] = res.findings
    assert f.code == "include-cycle"
    assert range_of(f) == where(a, "server.xml")
    assert "server.xml -> server.xml" in f.message


def test_include_a_directory(tmp_path):
    root = write_dedented(tmp_path, "server.xml", server(f'<include location="conf.d/"/>\n{IPIC}\n<zosconnect_cicsIpicConnection id="c2" host="h" port="1492" authDataRef="cred"/>'))
    write_dedented(tmp_path, "conf.d/10-tls.xml", TLS)
    write_dedented(tmp_path, "conf.d/20-cred.xml", server('<zosconnect_authData id="cred" user="ZCUSER" password="{aes}x"/>', features=False))
    write_dedented(tmp_path, "conf.d/README.txt", "not configuration")
    res = run(root)
    assert res.findings == []
    cfg = res.workspace.configs[0]
    assert sorted(os.path.basename(p) for p, role in cfg.roles.items() if role == "include") == ["10-tls.xml", "20-cred.xml"]


def test_include_not_server(tmp_path):
    root = write_dedented(tmp_path, "server.xml", server('<include location="client.xml"/>'))
    inc = write_dedented(tmp_path, "client.xml", "<client>\n    <ssl id=\"x\"/>\n</client>\n")
    res = run(root)
    [f] = res.findings
    assert f.code == "include-not-server"
    assert f.severity == Severity.ERROR
    assert f.path == str(inc)
    assert range_of(f) == where(inc, "client")
    # Nothing of the file is part of the configuration.
    assert res.workspace.configs[0].find("x") == []


def test_include_binary_file(tmp_path):
    root = write_dedented(tmp_path, "server.xml", server('<include location="blob.xml"/>'))
    write_dedented(tmp_path, "blob.xml", b"<server>\x00\x01\x02 binary \x00</server>")
    res = run(root)
    [f] = res.findings
    assert f.code == "include-unreadable"
    assert f.severity == Severity.ERROR
    assert f.path == str(root)
    assert range_of(f) == where(root, "blob.xml")
    assert "binary" in f.message


@pytest.mark.skipif(os.name != "posix" or os.geteuid() == 0, reason="needs file permissions that apply to this user")
def test_include_without_read_permission(tmp_path):
    root = write_dedented(tmp_path, "server.xml", server('<include location="secret.xml"/>'))
    inc = write_dedented(tmp_path, "secret.xml", server(""))
    inc.chmod(0)
    try:
        [f] = run(root).findings
    finally:
        inc.chmod(0o600)
    assert f.code == "include-unreadable"
    assert range_of(f) == where(root, "secret.xml")


def test_remote_include_is_never_fetched(tmp_path, monkeypatch):
    def no_network(*args, **kwargs):
        raise AssertionError("zcsec tried to use the network")

    monkeypatch.setattr(socket.socket, "connect", no_network)
    monkeypatch.setattr(socket, "getaddrinfo", no_network)
    monkeypatch.setattr(socket, "create_connection", no_network)
    url = "https://config.example.com/zc/tls.xml"
    root = write_dedented(tmp_path, "server.xml", server(f'<include location="{url}"/>'))
    res = run(root)
    [f] = res.findings
    assert f.code == "include-remote"
    assert f.severity == Severity.INFORMATION
    assert range_of(f) == where(root, url)
    assert len(res.workspace.configs[0].files) == 1


# ---------------------------------------------------------------------------
# configDropins
# ---------------------------------------------------------------------------


def test_config_dropins_are_merged(tmp_path):
    root = write_dedented(tmp_path, "server.xml", server(f'{IPIC}\n<zosconnect_cicsIpicConnection id="c2" host="h" port="1492" authDataRef="ovrCred"/>'))
    write_dedented(tmp_path, "configDropins/defaults/tls.xml", TLS)
    ovr = write_dedented(tmp_path, "configDropins/overrides/x.xml", server('<zosconnect_authData id="ovrCred" user="U" password="{aes}x"/>', features=False))
    write_dedented(tmp_path, "configDropins/overrides/notes.txt", "ignored")
    res = run(root)
    assert res.findings == []
    cfg = res.workspace.configs[0]
    assert cfg.find("ovrCred", ["zosconnect_authData"])[0].path == str(ovr)
    assert sorted(cfg.roles.values()) == ["defaults", "overrides", "root"]
    # Checking the whole folder gives the same single configuration.
    res = run(tmp_path)
    assert res.findings == []
    assert [c.root for c in res.workspace.configs] == [str(root)]


def test_dropin_ids_are_needed(tmp_path):
    """Without the dropin, the same reference is unresolved."""
    root = write_dedented(tmp_path, "server.xml", server('<zosconnect_cicsIpicConnection id="c2" host="h" port="1492" authDataRef="ovrCred"/>'))
    write_dedented(tmp_path, "elsewhere/overrides/x.xml", server('<zosconnect_authData id="ovrCred" user="U" password="{aes}x"/>', features=False))
    assert codes(run(root)) == ["ref-unresolved"]


# ---------------------------------------------------------------------------
# Variables
# ---------------------------------------------------------------------------

PORT_VAR = '<zosconnect_cicsIpicConnection id="cics" host="h" port="${cics.port}"/>'
PORT_ENV = '<zosconnect_cicsIpicConnection id="cics" host="h" port="${env.CICS_PORT}"/>'


@pytest.mark.parametrize(
    "body, extra_file, extra_text",
    [
        (PORT_VAR + '\n<variable name="cics.port" value="{v}"/>', None, None),
        (PORT_VAR, "bootstrap.properties", "# comment\ncics.port={v}\n"),
        (PORT_VAR, "bootstrap.properties", "cics.port = {v}\n"),
        (PORT_ENV, "server.env", "JAVA_HOME=/usr/lpp/java\nCICS_PORT={v}\n"),
        (PORT_VAR, ".zcsec.toml", '[variables]\n"cics.port" = "{v}"\n'),
    ],
    ids=["variable", "bootstrap", "bootstrap-blanks", "server.env", "zcsec.toml"],
)
def test_variable_value_is_checked(tmp_path, body, extra_file, extra_text):
    for value, expected in (("abc", ["invalid-value"]), ("70000", ["value-out-of-range"]), ("1491", [])):
        d = tmp_path / value
        root = write_dedented(d, "server.xml", server(body.replace("{v}", value)))
        if extra_file:
            write_dedented(d, extra_file, extra_text.replace("{v}", value))
        res = run(root)
        assert codes(res) == expected, (value, res.findings)
        if expected:
            [f] = res.findings
            assert f.severity == Severity.ERROR
            assert f.path == str(root)
            needle = "${cics.port}" if "cics.port" in body else "${env.CICS_PORT}"
            assert range_of(f) == where(root, needle)
            assert value in f.message


def test_variable_unresolved(tmp_path):
    root = write_dedented(tmp_path, "server.xml", server('<zosconnect_cicsIpicConnection id="cics" host="${CICS_HOST}" port="1491"/>'))
    [f] = run(root).findings
    assert f.code == "variable-unresolved"
    assert f.severity == Severity.INFORMATION
    assert range_of(f) == where(root, "${CICS_HOST}")
    assert "CICS_HOST" in f.message


def test_variable_with_default_value_resolves(tmp_path):
    root = write_dedented(tmp_path, "server.xml", server('<variable name="CICS_HOST" defaultValue="h"/>\n<zosconnect_cicsIpicConnection id="cics" host="${CICS_HOST}" port="1491"/>'))
    assert run(root).findings == []


def test_variable_defined_in_an_include(tmp_path):
    root = write_dedented(tmp_path, "server.xml", server(f'<include location="vars.xml"/>\n{PORT_VAR}'))
    write_dedented(tmp_path, "vars.xml", server('<variable name="cics.port" value="abc"/>', features=False))
    assert codes(run(root)) == ["invalid-value"]


# ---------------------------------------------------------------------------
# Lookups across files, roots
# ---------------------------------------------------------------------------


def test_ref_in_include_resolves_to_id_in_root(tmp_path):
    root = write_dedented(tmp_path, "server.xml", server('<include location="conn.xml"/>\n<zosconnect_authData id="cred" user="U" password="{aes}x"/>'))
    conn = write_dedented(tmp_path, "conn.xml", server('<zosconnect_cicsIpicConnection id="cics" host="h" port="1491" authDataRef="cred"/>', features=False))
    assert run(root).findings == []
    # And the reverse of the check: a wrong id in the include is found there.
    conn.write_text(conn.read_text().replace('"cred"', '"cred2"'))
    [f] = run(root).findings
    assert f.code == "ref-unresolved" and f.path == str(conn)
    assert range_of(f) == where(conn, "cred2")


def test_included_file_is_not_a_separate_root(tmp_path):
    root = write_dedented(tmp_path, "server.xml", server('<include location="conn.xml"/>\n<zosconnect_authData id="cred" user="U" password="{aes}x"/>'))
    conn = write_dedented(tmp_path, "conn.xml", server('<zosconnect_cicsIpicConnection id="cics" host="h" port="1491" authDataRef="cred" sendSessions="5000"/>', features=False))
    for paths in ([tmp_path], [root, conn], [conn, root]):
        res = run(*paths)
        assert [c.root for c in res.workspace.configs] == [str(root)], paths
        # Reported once, and no ref-unresolved/feature-missing from checking conn.xml alone.
        assert codes(res) == ["value-out-of-range"], paths


def test_each_server_folder_is_its_own_configuration(tmp_path):
    a = write_dedented(tmp_path, "a/server.xml", server('<zosconnect_authData id="cred" user="U" password="{aes}x"/>'))
    b = write_dedented(tmp_path, "b/server.xml", server('<zosconnect_cicsIpicConnection id="cics" host="h" port="1491" authDataRef="cred"/>'))
    res = run(tmp_path)
    assert sorted(c.root for c in res.workspace.configs) == sorted([str(a), str(b)])
    [f] = res.findings
    assert f.code == "ref-unresolved" and f.path == str(b)


# ---------------------------------------------------------------------------
# .zcsec.toml
# ---------------------------------------------------------------------------


def test_project_file_found_walking_up(tmp_path):
    proj = write_dedented(tmp_path, ".zcsec.toml", '[variables]\n"cics.port" = "abc"\n')
    root = write_dedented(tmp_path, "a/b/c/server.xml", server(PORT_VAR))
    assert find_project_file(root) == proj
    assert find_project_file(root.parent) == proj
    assert find_project_file(tmp_path / "a" / "b") == proj
    project = load_project(find_project_file(root))
    assert project.path == proj and project.variables == {"cics.port": "abc"}
    assert codes(run(root)) == ["invalid-value"]
    # A nearer project file wins.
    write_dedented(tmp_path, "a/b/.zcsec.toml", '[variables]\n"cics.port" = "1491"\n')
    assert run(root).findings == []


def test_rules_section_turns_rules_off_and_changes_severity(tmp_path):
    body = '<zosconnect_cicsIpicConnection id="cics" host="${H}" port="1491" authDataRef="nope" sslCertRef="x"/>'
    root = write_dedented(tmp_path, "server.xml", server(body))
    before = {f.code: f.severity for f in run(root).findings}
    assert before == {"ref-unresolved": Severity.ERROR, "unknown-attribute": Severity.WARNING, "variable-unresolved": Severity.INFORMATION}
    write_dedented(tmp_path, ".zcsec.toml", '[rules]\nref-unresolved = "off"\nvariable-unresolved = false\nunknown-attribute = "error"\n')
    after = {f.code: f.severity for f in run(root).findings}
    assert after == {"unknown-attribute": Severity.ERROR}


def test_invalid_toml_is_a_project_config_finding(tmp_path):
    proj = write_dedented(tmp_path, ".zcsec.toml", "[rules\nref-unresolved = off\n")
    root = write_dedented(tmp_path, "server.xml", server('<zosconnect_cicsIpicConnection id="cics" host="h" port="1491" authDataRef="nope"/>'))
    res = run(root)
    assert sorted(codes(res)) == ["project-config", "ref-unresolved"]  # defaults still apply
    [f] = of(res, "project-config")
    assert f.path == str(proj)
    assert f.severity == Severity.WARNING
    assert range_of(f) == (0, 0, 0, 0)
    assert "not valid TOML" in f.message


@pytest.mark.parametrize(
    "toml, fragment",
    [
        ('[rules]\nref-unresolved = "loud"\n', "unknown severity"),
        ('product_line = "OA4"\n', "product_line"),
        ('csd_files = "csd/*.txt"\n', "csd_files"),
        ("[facts]\nsame_sysplex = \"yes\"\n", "same_sysplex"),
    ],
)
def test_bad_settings_are_reported(tmp_path, toml, fragment):
    write_dedented(tmp_path, ".zcsec.toml", toml)
    root = write_dedented(tmp_path, "server.xml", server(""))
    [f] = run(root).findings
    assert f.code == "project-config"
    assert fragment in f.message


def test_facts():
    cfg = parse_project(
        {
            "facts": {
                "same_sysplex": False,
                "connections": {"cicsConn": {"same_sysplex": True}},
                "hosts": {"CICSA.Example.com": {"same_sysplex": True, "at_tls": True}},
            }
        }
    )
    assert cfg.problems == []
    assert cfg.fact("same_sysplex") is False
    assert cfg.fact("same_sysplex", connection_id="cicsConn") is True
    assert cfg.fact("same_sysplex", connection_id="other", host="cicsa.example.COM") is True
    assert cfg.fact("same_sysplex", connection_id="other", host="elsewhere") is False
    assert cfg.fact("at_tls", host="cicsa.example.com") is True
    assert cfg.fact("at_tls", connection_id="cicsConn") is None
    # The connection's own entry wins over its host's.
    cfg = parse_project({"facts": {"connections": {"c": {"same_sysplex": False}}, "hosts": {"h": {"same_sysplex": True}}}})
    assert cfg.fact("same_sysplex", "c", "h") is False


def test_facts_from_file(tmp_path):
    p = write_dedented(
        tmp_path,
        ".zcsec.toml",
        """\
        [facts]
        same_sysplex = true
        [facts.connections.cicsConn]
        same_sysplex = false
        [facts.hosts."cics.example.com"]
        at_tls = true
        """,
    )
    cfg = load_project(p)
    assert cfg.problems == []
    assert cfg.fact("same_sysplex", "cicsConn", "cics.example.com") is False
    assert cfg.fact("same_sysplex", "other") is True
    assert cfg.fact("at_tls", "cicsConn", "CICS.example.com") is True


# ---------------------------------------------------------------------------
# CSD
# ---------------------------------------------------------------------------

CSD = """\
* IPIC listener and connection for z/OS Connect
 DEFINE TCPIPSERVICE(ZCIPIC1) GROUP(ZCGRP)
        PORTNUMBER(1491) PROTOCOL(IPIC) TRANSACTION(CISS)
 DEFINE TCPIPSERVICE(ZCIPIC1) GROUP(OTHER)
        PORTNUMBER(1591) PROTOCOL(IPIC) TRANSACTION(CISS)
 DEFINE TCPIPSERVICE(ZCHTTP) GROUP(ZCGRP)
        PORTNUMBER(1492) PROTOCOL(HTTP)
 DEFINE IPCONN(ZCEECONN) GROUP(ZCGRP)
        APPLID(ZCEEAPPL) NETWORKID(ZCNET)
        TCPIPSERVICE(ZCIPIC1)
 DEFINE IPCONN(ZCEEAPPL) GROUP(ZCGRP2)
        NETWORKID(ZCNET2)
"""


def test_csd_globs_classify_txt_files(tmp_path):
    # Not recognisable by content: the verb is alone on its record.
    text = " DEFINE\n   IPCONN(ZCEECONN) GROUP(ZCGRP) TCPIPSERVICE(ZCIPIC1)\n"
    defs = write_dedented(tmp_path, "csd/defs.txt", text)
    write_dedented(tmp_path, "csd/notes.txt", "Remember to install group ZCGRP.\n")
    res = run(tmp_path)
    assert res.discovered.csd == []
    write_dedented(tmp_path, ".zcsec.toml", 'csd_files = ["csd/defs.txt"]\n')
    res = run(tmp_path)
    assert res.discovered.csd == [str(defs)]
    [ipconn] = res.workspace.csd.named("IPCONN", "zceeconn")
    assert ipconn.value("TCPIPSERVICE") == "ZCIPIC1"
    write_dedented(tmp_path, ".zcsec.toml", 'csd_files = ["csd/*.txt"]\n')
    res = run(tmp_path)
    assert sorted(res.discovered.csd) == sorted([str(defs), str(tmp_path / "csd" / "notes.txt")])


def test_the_editor_and_the_cli_find_the_same_csd_files_through_globs(tmp_path):
    """Issue 13: one way to build a workspace.  A CSD file that only the
    project's csd_files glob names is part of the workspace in the language
    server too, while it is not even open, so the editor reports what CI does."""
    from zcsec.analysis import analyse_projects
    from zcsec.service import AnalysisService

    write_dedented(tmp_path, ".zcsec.toml", 'csd_files = ["csd/*.txt"]\n')
    defs = write_dedented(tmp_path, "csd/defs.txt", " DEFINE\n   IPCONN(ZCEECONN) GROUP(ZCGRP) TCPIPSERVICE(ZCIPIC1)\n")
    xml = write_dedented(tmp_path, "server.xml", server('<zosconnect_cicsIpicConnection id="c" host="h" port="1491"/>'))
    [cli] = analyse_projects([str(tmp_path)])
    service = AnalysisService([str(tmp_path)])
    editor = service.snapshot(str(xml))
    assert str(defs) in editor.workspace.csd.files and str(defs) in cli.workspace.csd.files
    def key(f):
        return (f.path, f.code, f.range.start.line, f.range.start.character, f.message)
    assert sorted(map(key, editor.findings)) == sorted(map(key, cli.findings))
    assert editor.findings


def test_csd_model_links(tmp_path):
    write_dedented(tmp_path, "csd/zcipic.csd", CSD)
    res = run(tmp_path)
    csd = res.workspace.csd
    [ipconn] = csd.named("IPCONN", "ZCEECONN")
    svc = csd.tcpipservice_for(ipconn)
    assert (svc.name, svc.group) == ("ZCIPIC1", "ZCGRP")  # its own group, not OTHER
    assert [c.name for c in csd.ipic_services_on_port(1491)] == ["ZCIPIC1"]
    assert [c.group for c in csd.ipic_services_on_port(1591)] == ["OTHER"]
    assert csd.ipic_services_on_port(1492) == []  # HTTP, not IPIC
    assert sorted((c.name, c.group) for c in csd.ipic_services()) == [("ZCIPIC1", "OTHER"), ("ZCIPIC1", "ZCGRP")]
    assert [c.name for c in csd.ipconns_for_service(svc)] == ["ZCEECONN"]
    assert csd.path_of(ipconn) == str(tmp_path / "csd" / "zcipic.csd")


def test_ipic_connection_links_to_csd(tmp_path):
    write_dedented(
        tmp_path,
        "server.xml",
        server(
            '<zosconnect_cicsIpicConnection id="cicsConn" host="h" port="${cics.port}"\n'
            '    zosConnectApplid="${env.APPLID}" zosConnectNetworkid="ZCNET"/>'
        ),
    )
    write_dedented(tmp_path, "bootstrap.properties", "cics.port=1491\n")
    write_dedented(tmp_path, "server.env", "APPLID=ZCEEAPPL\n")
    write_dedented(tmp_path, "csd/zcipic.csd", CSD)
    res = run(tmp_path)
    assert res.findings == []
    ws = res.workspace
    [cfg] = ws.configs
    [conn] = cfg.of_type("zosconnect_cicsIpicConnection")
    port = int(cfg.resolve(conn.element.value("port")))
    applid = cfg.resolve(conn.element.value("zosConnectApplid"))
    netid = cfg.resolve(conn.element.value("zosConnectNetworkid"))
    [svc] = ws.csd.ipic_services_on_port(port)
    assert (svc.name, svc.group) == ("ZCIPIC1", "ZCGRP")
    assert [c.name for c in ws.csd.ipconns_by_applid(applid, netid)] == ["ZCEECONN"]
    assert ws.csd.ipconns_by_applid(applid.lower(), netid.lower())[0].name == "ZCEECONN"
    assert ws.csd.ipconns_by_applid(applid, "OTHERNET") == []
    # Without APPLID the IPCONN name is the APPLID.
    assert [c.group for c in ws.csd.ipconns_by_applid("ZCEEAPPL", "ZCNET2")] == ["ZCGRP2"]
    assert sorted(c.name for c in ws.csd.ipconns_by_applid("ZCEEAPPL", None)) == ["ZCEEAPPL", "ZCEECONN"]
