"""Security rules (category "security": rules/cics.py, ims.py, mq.py, rest.py,
wola.py, liberty.py, caller.py and transport.py).

Every rule has at least one failing fixture, asserted with its exact code,
severity and the start of its range, and at least one passing fixture that
must stay silent.  Fixtures are small workspaces written into tmp_path: a
server.xml, a .csd where CICS is involved, and a .zcsec.toml (empty unless a
test sets facts).  Fact-dependent severities, per-connection and per-host
facts and the machine-applicable fixes are covered as well.

Tests near the end check that every security rule has a failing and a
passing case in this module, and that the catalogue documents every rule;
the documented examples of every rule run in test_rule_examples.py.
"""

from __future__ import annotations

import ast
import os
import re
import textwrap
from pathlib import Path

import pytest

from conftest import apply_edits, server_xml, write

from zcsec.analysis import analyse
from zcsec.findings import Finding, Severity
from zcsec.project import FACT_NAMES
from zcsec.rules import RULES
from zcsec.rules.registry import EXAMPLE_FEATURES
from zcsec.text import LineIndex

E, W, I, H = Severity.ERROR, Severity.WARNING, Severity.INFORMATION, Severity.HINT

SECURITY = sorted(code for code, r in RULES.items() if r.category == "security")

# OpenAPI 2 with every provider, the API requester and Liberty security: the
# features the rules' own examples get.
OA2_FEATURES = EXAMPLE_FEATURES
OA3_FEATURES = ("zosconnect:zosConnect-3.0", "zosconnect:db2-1.0", "transportSecurity-1.0")


# ---------------------------------------------------------------------------
# Helpers
# ---------------------------------------------------------------------------


def server(body: str, features: tuple[str, ...] | None = OA2_FEATURES) -> str:
    return server_xml(body, features or (), declaration=True)


def csd(text: str) -> str:
    out = text.strip("\n") + "\n"
    assert all(len(line) <= 71 for line in out.splitlines()), "CSD records must stay within columns 1-71"
    return out


def workspace(base: Path, files: dict[str, str], toml: str = "") -> Path:
    """Write a workspace (always with a .zcsec.toml, so that no project file
    above tmp_path is picked up) and return its folder."""
    base.mkdir(parents=True, exist_ok=True)
    write(base, ".zcsec.toml", textwrap.dedent(toml))
    for rel, text in files.items():
        write(base, rel, text)
    return base


def run(base: Path) -> list[Finding]:
    return analyse([str(base)]).findings


def at(path: Path, needle: str, occurrence: int = 0) -> tuple[int, int]:
    """LSP (line, character) of the start of ``needle`` in ``path``; with a
    "|" in ``needle``, of the place of the "|" (the text around it must match)."""
    text = path.read_bytes().decode("utf-8")
    prefix, _, rest = needle.rpartition("|") if "|" in needle else ("", "", needle)
    start = -1
    for _ in range(occurrence + 1):
        start = text.index(prefix + rest, start + 1)
    pos = LineIndex(text).position(start + len(prefix))
    return pos.line, pos.character


def of(findings: list[Finding], code: str) -> list[Finding]:
    return [f for f in findings if f.code == code]


def expect(findings: list[Finding], code: str, severity: Severity, path: Path, needle: str, occurrence: int = 0) -> Finding:
    """Assert one finding of ``code`` starts at ``needle`` in ``path`` with
    ``severity``, and return it."""
    want = at(path, needle, occurrence)
    hits = [f for f in of(findings, code) if f.path == os.path.normpath(str(path)) and (f.range.start.line, f.range.start.character) == want]
    assert len(hits) == 1, f"no single {code} at {path.name}:{want}; got {[(f.code, f.path, f.range.start, f.severity) for f in findings]}"
    [f] = hits
    assert f.severity == severity, (code, f.severity, f.message)
    assert f.message
    return f


def silent(findings: list[Finding], *codes: str) -> None:
    for code in codes:
        assert of(findings, code) == [], [(f.code, f.message) for f in of(findings, code)]


def edits_for(fix, path: Path) -> list:
    return [e for e in fix.edits if e.path == os.path.normpath(str(path))]


# ---------------------------------------------------------------------------
# CICS fixtures
# ---------------------------------------------------------------------------

TLS = """
<keyStore id="ring" location="safkeyring:///ZC.Ring" type="JCERACFKS" fileBased="false" readOnly="true" password="password"/>
<ssl id="mtls" keyStoreRef="ring" trustStoreRef="ring" clientKeyAlias="ZC Client"/>
"""


def ipic(extra: str = 'sslCertsRef="mtls" zosConnectApplid="ZOSCONN" zosConnectNetworkid="ZCNET"', port: str = "1491", cid: str = "cicsConn", host: str = "cics1.example.com") -> str:
    return f'<zosconnect_cicsIpicConnection id="{cid}" host="{host}" port="{port}" {extra}/>'


def listener(ssl: str = "CLIENTAUTH", urm: str = "URM(NO)", port: str = "1491", name: str = "ZCIPIC", extra: str = "SOCKETCLOSE(NO)", protocol: str = "PROTOCOL(IPIC)") -> str:
    return f"""
 DEFINE TCPIPSERVICE({name}) GROUP(ZCGRP)
        PORTNUMBER({port}) {protocol} TRANSACTION(CISS)
        SSL({ssl}) {urm} {extra}
"""


def ipconn(security: str = "LINKAUTH(CERTUSER) USERAUTH(IDENTIFY)", applid: str = "ZOSCONN", service: str = "ZCIPIC", name: str = "ZOSCONN") -> str:
    return f"""
 DEFINE IPCONN({name}) GROUP(ZCGRP)
        APPLID({applid}) NETWORKID(ZCNET) TCPIPSERVICE({service})
        RECEIVECOUNT(100) SENDCOUNT(0)
        {security}
"""


def cics_ws(base: Path, xml: str, csd_text: str | None = None, toml: str = "") -> tuple[Path, Path, Path | None]:
    files = {"server.xml": server(TLS + xml)}
    if csd_text is not None:
        files["csd/zcipic.csd"] = csd(csd_text)
    workspace(base, files, toml)
    return base, base / "server.xml", (base / "csd/zcipic.csd") if csd_text is not None else None


def test_secure_cics_baseline_is_silent(tmp_path):
    base, _, _ = cics_ws(tmp_path, ipic(), listener() + ipconn())
    findings = run(base)
    assert [f for f in findings if f.severity <= W] == [], [(f.code, f.message) for f in findings]
    silent(findings, *[c for c in SECURITY if RULES[c].provider == "cics"])


# ----- cics-verify-without-credentials -------------------------------------


def test_cics_verify_without_credentials(tmp_path):
    base, xml, _ = cics_ws(tmp_path, ipic(), listener() + ipconn("LINKAUTH(CERTUSER) USERAUTH(VERIFY)"))
    f = expect(run(base), "cics-verify-without-credentials", E, xml, "zosconnect_cicsIpicConnection")
    assert "ZOSCONN" in f.message and "cicsConn" in f.message
    [(rpath, rrange, _note)] = f.related_ranges
    assert rpath.endswith("zcipic.csd") and (rrange.start.line, rrange.start.character) == at(base / "csd/zcipic.csd", "VERIFY")


def test_cics_verify_without_credentials_fix(tmp_path):
    base, xml, _ = cics_ws(tmp_path, ipic(), listener() + ipconn("LINKAUTH(CERTUSER) USERAUTH(VERIFY)"))
    f = expect(run(base), "cics-verify-without-credentials", E, xml, "zosconnect_cicsIpicConnection")
    [fix] = f.fixes
    assert len(fix.edits) == 2 and all(e.path == str(xml) for e in fix.edits)
    attr_edit, sibling_edit = fix.edits
    assert attr_edit.new_text == ' authDataRef="cicsConnCredentials"'
    assert sibling_edit.new_text == '\n    <zosconnect_authData id="cicsConnCredentials" user="" password=""/>'
    # The attribute goes before "/>"; the sibling after the element, at its indentation.
    line = at(xml, "<zosconnect_cicsIpicConnection")[0]
    assert (attr_edit.range.start.line, attr_edit.range.start.character) == (line, xml.read_text().splitlines()[line].index("/>"))
    fixed = apply_edits(xml.read_text(), fix.edits)
    assert 'zosConnectNetworkid="ZCNET" authDataRef="cicsConnCredentials"/>\n    <zosconnect_authData id="cicsConnCredentials" user="" password=""/>\n' in fixed
    # Once the auth data is filled in and referenced, the rule is satisfied.
    xml.write_text(fixed.replace('user="" password=""', 'user="ZCUSER" password="{aes}AAAA"'))
    silent(run(base), "cics-verify-without-credentials")


def test_cics_verify_with_credentials_is_silent(tmp_path):
    xml = ipic('sslCertsRef="mtls" zosConnectApplid="ZOSCONN" zosConnectNetworkid="ZCNET" authDataRef="cred"') + '\n<zosconnect_authData id="cred" user="ZCUSER" password="{aes}AAAA"/>'
    base, _, _ = cics_ws(tmp_path, xml, listener() + ipconn("LINKAUTH(CERTUSER) USERAUTH(VERIFY)"))
    silent(run(base), "cics-verify-without-credentials")


def test_cics_verify_with_unresolved_auth_data_ref_left_to_ref_unresolved(tmp_path):
    xml = ipic('sslCertsRef="mtls" zosConnectApplid="ZOSCONN" zosConnectNetworkid="ZCNET" authDataRef="nope"')
    base, path, _ = cics_ws(tmp_path, xml, listener() + ipconn("LINKAUTH(CERTUSER) USERAUTH(VERIFY)"))
    findings = run(base)
    silent(findings, "cics-verify-without-credentials")
    expect(findings, "ref-unresolved", E, path, "nope")


# ----- cics-credentials-in-clear (fact at_tls) ------------------------------

CLEAR = ipic('authDataRef="cred"') + '\n<zosconnect_authData id="cred" user="ZCUSER" password="{aes}AAAA"/>'


@pytest.mark.parametrize(
    "toml, severity",
    [
        ("", W),
        ("[facts]\nat_tls = false\n", E),
        ("[facts]\nat_tls = true\n", None),
        # A connection's own facts override the project default ...
        ("[facts]\nat_tls = false\n[facts.connections.cicsConn]\nat_tls = true\n", None),
        ("[facts]\nat_tls = true\n[facts.connections.cicsConn]\nat_tls = false\n", E),
        # ... facts of another connection do not apply ...
        ("[facts.connections.otherConn]\nat_tls = true\n", W),
        # ... and a host's facts apply to every connection to it (host names are case-insensitive).
        ('[facts.hosts."CICS1.example.com"]\nat_tls = true\n', None),
        ('[facts]\nat_tls = true\n[facts.hosts."cics1.example.com"]\nat_tls = false\n', E),
        ('[facts.hosts."cics1.example.com"]\nat_tls = false\n[facts.connections.cicsConn]\nat_tls = true\n', None),
        ('[facts.hosts."cics2.example.com"]\nat_tls = true\n', W),
    ],
    ids=["unset", "false", "true", "conn-true-over-false", "conn-false-over-true", "other-conn", "host-true", "host-false-over-project", "conn-over-host", "other-host"],
)
def test_cics_credentials_in_clear_facts(tmp_path, toml, severity):
    base, xml, _ = cics_ws(tmp_path, CLEAR, toml=toml)
    findings = run(base)
    if severity is None:
        silent(findings, "cics-credentials-in-clear")
    else:
        f = expect(findings, "cics-credentials-in-clear", severity, xml, "cred")
        assert ("at_tls = true" in f.message) == (severity == W)


def test_cics_credentials_in_clear_with_tls_is_silent(tmp_path):
    xml = ipic('sslCertsRef="mtls" authDataRef="cred"') + '\n<zosconnect_authData id="cred" user="ZCUSER" password="{aes}AAAA"/>'
    base, _, _ = cics_ws(tmp_path, xml, toml="[facts]\nat_tls = false\n")
    silent(run(base), "cics-credentials-in-clear")


def test_cics_credentials_in_clear_never_shows_the_password(tmp_path):
    base, _, _ = cics_ws(tmp_path, CLEAR.replace("{aes}AAAA", "S3cretPw!"))
    for f in run(base):
        assert "S3cretPw!" not in f.message


# ----- cics-identify-without-trust (fact same_sysplex) ----------------------

IDENTIFY_PLAIN = ipic('zosConnectApplid="ZOSCONN" zosConnectNetworkid="ZCNET"')
IDENTIFY_CSD = listener(ssl="NO") + ipconn("LINKAUTH(SECUSER) SECURITYNAME(ZCLINK) USERAUTH(IDENTIFY)")


@pytest.mark.parametrize(
    "toml, severity",
    [
        ("", W),
        ("[facts]\nsame_sysplex = false\n", E),
        ("[facts]\nsame_sysplex = true\n", None),
        ("[facts]\nsame_sysplex = false\n[facts.connections.cicsConn]\nsame_sysplex = true\n", None),
        ("[facts]\nsame_sysplex = true\n[facts.connections.cicsConn]\nsame_sysplex = false\n", E),
        ('[facts.hosts."cics1.example.com"]\nsame_sysplex = true\n', None),
        ('[facts.hosts."cics1.example.com"]\nsame_sysplex = false\n', E),
        # at_tls does not settle IDENTIFY: AT-TLS cannot authenticate the client to CICS.
        ("[facts]\nat_tls = true\n", W),
    ],
    ids=["unset", "false", "true", "conn-true", "conn-false", "host-true", "host-false", "at-tls-only"],
)
def test_cics_identify_without_trust_facts(tmp_path, toml, severity):
    base, xml, csdp = cics_ws(tmp_path, IDENTIFY_PLAIN, IDENTIFY_CSD, toml)
    findings = run(base)
    if severity is None:
        silent(findings, "cics-identify-without-trust")
    else:
        f = expect(findings, "cics-identify-without-trust", severity, xml, "zosconnect_cicsIpicConnection")
        assert ("same_sysplex = true" in f.message) == (severity == W)
        notes = {(p, (r.start.line, r.start.character)) for p, r, _ in f.related_ranges}
        assert (str(csdp), at(csdp, "IDENTIFY")) in notes
        assert (str(csdp), at(csdp, "NO)")) in notes


def test_cics_identify_with_client_certificate_is_silent(tmp_path):
    # sslCertsRef and SSL(CLIENTAUTH): bind security by client certificate.
    base, _, _ = cics_ws(tmp_path, ipic(), listener() + ipconn("LINKAUTH(SECUSER) SECURITYNAME(ZCLINK) USERAUTH(IDENTIFY)"), "[facts]\nsame_sysplex = false\n")
    silent(run(base), "cics-identify-without-trust")


def test_cics_identify_with_server_only_tls_is_reported(tmp_path):
    # SSL(YES) encrypts but does not authenticate z/OS Connect.
    base, xml, _ = cics_ws(tmp_path, ipic(), listener(ssl="YES") + ipconn("LINKAUTH(SECUSER) SECURITYNAME(ZCLINK) USERAUTH(IDENTIFY)"))
    expect(run(base), "cics-identify-without-trust", W, xml, "zosconnect_cicsIpicConnection")


# ----- cics-tls-mismatch ----------------------------------------------------


def test_cics_tls_mismatch_cics_expects_tls(tmp_path):
    xml = ipic('zosConnectApplid="ZOSCONN" zosConnectNetworkid="ZCNET"')
    base, path, _ = cics_ws(tmp_path, xml, listener(ssl="YES") + ipconn("SECURITYNAME(ZCLINK)"))
    f = expect(run(base), "cics-tls-mismatch", W, path, "1491")
    assert f.fixes == []


def test_cics_tls_mismatch_settled_by_at_tls(tmp_path):
    xml = ipic('zosConnectApplid="ZOSCONN" zosConnectNetworkid="ZCNET"')
    base, path, _ = cics_ws(tmp_path, xml, listener(ssl="YES") + ipconn("SECURITYNAME(ZCLINK)"), "[facts]\nat_tls = false\n")
    expect(run(base), "cics-tls-mismatch", E, path, "1491")
    write(base, ".zcsec.toml", "[facts.connections.cicsConn]\nat_tls = true\n")
    silent(run(base), "cics-tls-mismatch")


def test_cics_tls_mismatch_zosconnect_only_tls_fix(tmp_path):
    base, path, csdp = cics_ws(tmp_path, ipic(), listener(ssl="NO") + ipconn("SECURITYNAME(ZCLINK)"))
    f = expect(run(base), "cics-tls-mismatch", W, path, "mtls\" zosConnectApplid")
    [fix] = f.fixes
    [edit] = fix.edits
    assert edit.path == str(csdp) and edit.new_text == "YES"
    assert (edit.range.start.line, edit.range.start.character) == at(csdp, "NO) URM")
    assert "SSL(YES) URM(NO)" in apply_edits(csdp.read_text(), fix.edits)


def test_cics_tls_on_both_sides_is_silent(tmp_path):
    base, _, _ = cics_ws(tmp_path, ipic(), listener(ssl="YES") + ipconn("SECURITYNAME(ZCLINK)"))
    silent(run(base), "cics-tls-mismatch")


# ----- cics-attls-client-certificate ----------------------------------------


def test_cics_attls_client_certificate(tmp_path):
    xml = ipic('zosConnectApplid="ZOSCONN" zosConnectNetworkid="ZCNET"')
    base, path, _ = cics_ws(tmp_path, xml, listener(ssl="CLIENTAUTH") + ipconn(), "[facts]\nat_tls = true\n")
    f = expect(run(base), "cics-attls-client-certificate", E, path, "zosconnect_cicsIpicConnection")
    assert "CERTUSER" in f.message and "CLIENTAUTH" in f.message


def test_cics_attls_certuser_alone(tmp_path):
    xml = ipic('zosConnectApplid="ZOSCONN" zosConnectNetworkid="ZCNET"')
    base, path, _ = cics_ws(tmp_path, xml, listener(ssl="NO") + ipconn("LINKAUTH(CERTUSER) USERAUTH(LOCAL)"), "[facts.hosts.\"cics1.example.com\"]\nat_tls = true\n")
    expect(run(base), "cics-attls-client-certificate", E, path, "zosconnect_cicsIpicConnection")


def test_cics_attls_client_certificate_silent_with_liberty_tls(tmp_path):
    base, _, _ = cics_ws(tmp_path, ipic(), listener() + ipconn(), "[facts]\nat_tls = true\n")
    silent(run(base), "cics-attls-client-certificate")


def test_cics_attls_without_certificates_is_silent(tmp_path):
    xml = ipic('zosConnectApplid="ZOSCONN" zosConnectNetworkid="ZCNET"')
    base, _, _ = cics_ws(tmp_path, xml, listener(ssl="NO") + ipconn("SECURITYNAME(ZCLINK) USERAUTH(LOCAL)"), "[facts]\nat_tls = true\n")
    silent(run(base), "cics-attls-client-certificate")


# ----- cics-idprop-incomplete -----------------------------------------------


def test_cics_idprop_incomplete_fix_takes_networkid_from_ipconn(tmp_path):
    base, path, _ = cics_ws(tmp_path, ipic('sslCertsRef="mtls" zosConnectApplid="ZOSCONN"'), listener() + ipconn())
    f = expect(run(base), "cics-idprop-incomplete", W, path, "zosConnectApplid")
    [fix] = f.fixes
    [edit] = fix.edits
    assert edit.new_text == ' zosConnectNetworkid="ZCNET"'
    fixed = apply_edits(path.read_text(), fix.edits)
    assert 'zosConnectApplid="ZOSCONN" zosConnectNetworkid="ZCNET"/>' in fixed
    path.write_text(fixed)
    silent(run(base), "cics-idprop-incomplete")


def test_cics_idprop_incomplete_networkid_only(tmp_path):
    base, path, _ = cics_ws(tmp_path, ipic('sslCertsRef="mtls" zosConnectNetworkid="ZCNET"'))
    f = expect(run(base), "cics-idprop-incomplete", W, path, "zosConnectNetworkid")
    [fix] = f.fixes
    assert [e.new_text for e in fix.edits] == [' zosConnectApplid=""']


def test_cics_idprop_complete_or_absent_is_silent(tmp_path):
    base, _, _ = cics_ws(tmp_path, ipic() + "\n" + ipic('sslCertsRef="mtls"', cid="plain"))
    silent(run(base), "cics-idprop-incomplete")


# ----- cics-no-matching-ipconn -----------------------------------------------


def test_cics_no_matching_ipconn_autoinstall(tmp_path):
    base, path, _ = cics_ws(tmp_path, ipic(), listener(urm="") + ipconn(applid="OTHER", name="OTHER"))
    f = expect(run(base), "cics-no-matching-ipconn", W, path, "ZOSCONN")
    assert "autoinstall" in f.message


def test_cics_no_matching_ipconn_urm_no_rejects(tmp_path):
    base, path, _ = cics_ws(tmp_path, ipic(), listener(urm="URM(NO)") + ipconn(applid="OTHER", name="OTHER"))
    f = expect(run(base), "cics-no-matching-ipconn", E, path, "ZOSCONN")
    assert "rejects" in f.message


def test_cics_no_applid_on_a_urm_no_listener_is_checked_against_its_only_ipconn(tmp_path):
    # No zosConnectApplid, URM(NO): no IPCONN can match and none is
    # autoinstalled.  The only IPCONN on the listener is the likely intent:
    # it requires a password that the connection does not send.
    xml = ipic('sslCertsRef="mtls"')
    base, path, _ = cics_ws(tmp_path, xml, listener(urm="URM(NO)") + ipconn(security="LINKAUTH(CERTUSER) USERAUTH(VERIFY)"))
    findings = run(base)
    f = expect(findings, "cics-no-matching-ipconn", W, path, "zosconnect_cicsIpicConnection")
    assert "IPCONN ZOSCONN" in f.message and "URM(NO)" in f.message
    expect(findings, "cics-verify-without-credentials", E, path, "zosconnect_cicsIpicConnection")
    # Two IPCONNs on the listener: no intent is assumed, the rule still speaks.
    base, path, _ = cics_ws(tmp_path / "two", xml, listener(urm="URM(NO)") + ipconn() + ipconn(applid="OTHER", name="OTHER"))
    f = expect(run(base), "cics-no-matching-ipconn", W, path, "zosconnect_cicsIpicConnection")
    assert "checks it against" not in f.message


def test_cics_matching_ipconn_is_silent(tmp_path):
    base, _, _ = cics_ws(tmp_path, ipic(), listener() + ipconn())
    silent(run(base), "cics-no-matching-ipconn")


# ----- cics-port-no-listener -------------------------------------------------


def test_cics_port_no_listener(tmp_path):
    base, path, _ = cics_ws(tmp_path, ipic(port="1499"), listener() + ipconn())
    f = expect(run(base), "cics-port-no-listener", W, path, "1499")
    assert "1491" in f.message


def test_cics_port_belongs_to_http_listener(tmp_path):
    http = " DEFINE TCPIPSERVICE(WEB) GROUP(ZCGRP)\n        PORTNUMBER(1499) PROTOCOL(HTTP)\n"
    base, path, _ = cics_ws(tmp_path, ipic(port="1499"), listener() + ipconn() + http)
    f = expect(run(base), "cics-port-no-listener", E, path, "1499")
    assert "HTTP" in f.message


def test_cics_port_with_listener_or_no_csd_is_silent(tmp_path):
    base, _, _ = cics_ws(tmp_path / "a", ipic(), listener() + ipconn())
    silent(run(base), "cics-port-no-listener")
    # Without any TCPIPSERVICE in the workspace nothing can be said.
    base, _, _ = cics_ws(tmp_path / "b", ipic(port="1499"))
    silent(run(base), "cics-port-no-listener")


# ----- cics-sessions-exceed-receivecount -------------------------------------


def test_cics_sessions_exceed_receivecount(tmp_path):
    xml = ipic('sslCertsRef="mtls" zosConnectApplid="ZOSCONN" zosConnectNetworkid="ZCNET" sendSessions="200"')
    base, path, _ = cics_ws(tmp_path, xml, listener() + ipconn())
    f = expect(run(base), "cics-sessions-exceed-receivecount", I, path, "200")
    assert "RECEIVECOUNT(100)" in f.message


def test_cics_sessions_within_receivecount_is_silent(tmp_path):
    xml = ipic('sslCertsRef="mtls" zosConnectApplid="ZOSCONN" zosConnectNetworkid="ZCNET" sendSessions="100"')
    base, _, _ = cics_ws(tmp_path, xml, listener() + ipconn())
    silent(run(base), "cics-sessions-exceed-receivecount")


# ----- cics-certuser-needs-clientauth (cross-file fix) -----------------------


def test_cics_certuser_needs_clientauth_fix_edits_the_other_file(tmp_path):
    workspace(
        tmp_path,
        {
            "csd/listener.csd": csd(listener(ssl="YES")),
            "csd/ipconn.csd": csd(ipconn()),
        },
    )
    lpath, ipath = tmp_path / "csd/listener.csd", tmp_path / "csd/ipconn.csd"
    f = expect(run(tmp_path), "cics-certuser-needs-clientauth", E, ipath, "CERTUSER")
    [fix] = f.fixes
    [edit] = fix.edits
    assert edit.path == str(lpath)
    assert edit.new_text == "CLIENTAUTH"
    assert (edit.range.start.line, edit.range.start.character) == at(lpath, "YES")
    assert (edit.range.end.line, edit.range.end.character) == (at(lpath, "YES")[0], at(lpath, "YES")[1] + 3)
    [(rpath, rrange, _)] = f.related_ranges
    assert rpath == str(lpath) and (rrange.start.line, rrange.start.character) == at(lpath, "YES")
    lpath.write_text(apply_edits(lpath.read_text(), fix.edits))
    assert "SSL(CLIENTAUTH)" in lpath.read_text()
    silent(run(tmp_path), "cics-certuser-needs-clientauth")


def test_cics_certuser_without_ssl_keyword_adds_it(tmp_path):
    text = " DEFINE TCPIPSERVICE(ZCIPIC) GROUP(ZCGRP)\n        PORTNUMBER(1491) PROTOCOL(IPIC) URM(NO)\n" + ipconn()
    workspace(tmp_path, {"zcipic.csd": csd(text)})
    path = tmp_path / "zcipic.csd"
    f = expect(run(tmp_path), "cics-certuser-needs-clientauth", E, path, "CERTUSER")
    assert "SSL(NO)" in f.message
    [fix] = f.fixes
    fixed = apply_edits(path.read_text(), fix.edits)
    # A new record after the command's last one, inside columns 1-71.
    assert re.search(r"PROTOCOL\(IPIC\) URM\(NO\)\n[ ]+SSL\(CLIENTAUTH\)\n", fixed), fixed
    assert all(len(line) <= 71 for line in fixed.splitlines())
    path.write_text(fixed)
    silent(run(tmp_path), "cics-certuser-needs-clientauth")


def test_cics_certuser_with_clientauth_is_silent(tmp_path):
    workspace(tmp_path, {"zcipic.csd": csd(listener() + ipconn())})
    silent(run(tmp_path), "cics-certuser-needs-clientauth")


# ----- cics-securityname-with-certuser ---------------------------------------


def test_cics_securityname_with_certuser_fix_removes_it(tmp_path):
    workspace(tmp_path, {"zcipic.csd": csd(listener() + ipconn("LINKAUTH(CERTUSER) SECURITYNAME(ZCLINK) USERAUTH(IDENTIFY)"))})
    path = tmp_path / "zcipic.csd"
    f = expect(run(tmp_path), "cics-securityname-with-certuser", W, path, "SECURITYNAME")
    assert "ZCLINK" in f.message
    [fix] = f.fixes
    [edit] = fix.edits
    assert edit.path == str(path) and edit.new_text == ""
    fixed = apply_edits(path.read_text(), fix.edits)
    assert "        LINKAUTH(CERTUSER) USERAUTH(IDENTIFY)\n" in fixed and "SECURITYNAME" not in fixed
    path.write_text(fixed)
    silent(run(tmp_path), "cics-securityname-with-certuser")


def test_cics_securityname_with_secuser_is_silent(tmp_path):
    workspace(tmp_path, {"zcipic.csd": csd(listener() + ipconn("LINKAUTH(SECUSER) SECURITYNAME(ZCLINK)"))})
    silent(run(tmp_path), "cics-securityname-with-certuser")


# ----- cics-default-link-user ------------------------------------------------


def test_cics_default_link_user(tmp_path):
    workspace(tmp_path, {"zcipic.csd": csd(listener() + ipconn(security="INSERVICE(YES)"))})
    path = tmp_path / "zcipic.csd"
    f = expect(run(tmp_path), "cics-default-link-user", W, path, "ZOSCONN")
    assert "default user" in f.message


def test_cics_default_link_user_explicit_defaults(tmp_path):
    workspace(tmp_path, {"zcipic.csd": csd(listener() + ipconn(security="LINKAUTH(SECUSER) USERAUTH(LOCAL)"))})
    expect(run(tmp_path), "cics-default-link-user", W, tmp_path / "zcipic.csd", "ZOSCONN")


@pytest.mark.parametrize("security", ["SECURITYNAME(ZCLINK)", "LINKAUTH(CERTUSER)", "USERAUTH(VERIFY)", "USERAUTH(IDENTIFY)"])
def test_cics_named_link_user_or_user_auth_is_silent(tmp_path, security):
    workspace(tmp_path, {"zcipic.csd": csd(listener() + ipconn(security=security))})
    silent(run(tmp_path), "cics-default-link-user")


# ----- cics-autoinstall-listener ---------------------------------------------


def test_cics_autoinstall_listener_default_urm_fix(tmp_path):
    workspace(tmp_path, {"zcipic.csd": csd(listener(urm=""))})
    path = tmp_path / "zcipic.csd"
    f = expect(run(tmp_path), "cics-autoinstall-listener", W, path, "ZCIPIC")
    assert "DFHISAIP" in f.message
    [fix] = f.fixes
    fixed = apply_edits(path.read_text(), fix.edits)
    assert re.search(r"SOCKETCLOSE\(NO\)\n[ ]+URM\(NO\)\n$", fixed), fixed
    path.write_text(fixed)
    silent(run(tmp_path), "cics-autoinstall-listener")


def test_cics_autoinstall_listener_explicit_urm(tmp_path):
    workspace(tmp_path, {"zcipic.csd": csd(listener(urm="URM(DFHISAIP)"))})
    path = tmp_path / "zcipic.csd"
    f = expect(run(tmp_path), "cics-autoinstall-listener", W, path, "DFHISAIP")
    [fix] = f.fixes
    [edit] = fix.edits
    assert edit.new_text == "NO" and (edit.range.start.line, edit.range.start.character) == at(path, "DFHISAIP")


def test_cics_autoinstall_listener_silent_with_urm_no_or_ipconn(tmp_path):
    workspace(tmp_path / "a", {"zcipic.csd": csd(listener(urm="URM(NO)"))})
    silent(run(tmp_path / "a"), "cics-autoinstall-listener")
    workspace(tmp_path / "b", {"zcipic.csd": csd(listener(urm="") + ipconn())})
    silent(run(tmp_path / "b"), "cics-autoinstall-listener")
    # An HTTP listener never autoinstalls IPCONNs.
    workspace(tmp_path / "c", {"web.csd": csd(" DEFINE TCPIPSERVICE(WEB) GROUP(G)\n        PORTNUMBER(8080) PROTOCOL(HTTP)\n")})
    silent(run(tmp_path / "c"), "cics-autoinstall-listener")


# ----- cics-userauth-without-tls (fact at_tls) -------------------------------

UNLINKED = listener(ssl="NO") + ipconn("SECURITYNAME(ZCLINK) USERAUTH(VERIFY)")


@pytest.mark.parametrize("toml, severity", [("", W), ("[facts]\nat_tls = false\n", E), ("[facts]\nat_tls = true\n", None)], ids=["unset", "false", "true"])
def test_cics_userauth_without_tls_facts(tmp_path, toml, severity):
    workspace(tmp_path, {"zcipic.csd": csd(UNLINKED)}, toml)
    findings = run(tmp_path)
    if severity is None:
        silent(findings, "cics-userauth-without-tls")
    else:
        f = expect(findings, "cics-userauth-without-tls", severity, tmp_path / "zcipic.csd", "VERIFY")
        assert "passwords" in f.message


def test_cics_userauth_identify_without_tls(tmp_path):
    workspace(tmp_path, {"zcipic.csd": csd(listener(ssl="NO") + ipconn("SECURITYNAME(ZCLINK) USERAUTH(IDENTIFY)"))})
    f = expect(run(tmp_path), "cics-userauth-without-tls", W, tmp_path / "zcipic.csd", "IDENTIFY")
    assert "unauthenticated" in f.message


def test_cics_userauth_with_tls_is_silent(tmp_path):
    workspace(tmp_path, {"zcipic.csd": csd(listener(ssl="YES") + ipconn("SECURITYNAME(ZCLINK) USERAUTH(VERIFY)"))})
    silent(run(tmp_path), "cics-userauth-without-tls")


def test_cics_userauth_linked_ipconn_reported_on_the_connection_instead(tmp_path):
    xml = ipic('zosConnectApplid="ZOSCONN" zosConnectNetworkid="ZCNET" authDataRef="cred"') + '\n<zosconnect_authData id="cred" user="ZCUSER" password="{aes}AAAA"/>'
    base, path, _ = cics_ws(tmp_path, xml, UNLINKED)
    findings = run(base)
    silent(findings, "cics-userauth-without-tls")
    expect(findings, "cics-credentials-in-clear", W, path, "cred")


# ----- cics-ipic-socketclose, cics-ipic-transaction, cics-ipic-attlsaware -----


def test_cics_ipic_socketclose_fix(tmp_path):
    workspace(tmp_path, {"zcipic.csd": csd(listener(extra="SOCKETCLOSE(000010)") + ipconn())})
    path = tmp_path / "zcipic.csd"
    f = expect(run(tmp_path), "cics-ipic-socketclose", E, path, "000010")
    [fix] = f.fixes
    assert "SOCKETCLOSE(NO)" in apply_edits(path.read_text(), fix.edits)


def test_cics_ipic_socketclose_silent(tmp_path):
    workspace(tmp_path / "a", {"zcipic.csd": csd(listener(extra="SOCKETCLOSE(NO)") + ipconn())})
    silent(run(tmp_path / "a"), "cics-ipic-socketclose")
    workspace(tmp_path / "b", {"zcipic.csd": csd(listener(extra="") + ipconn())})  # default NO
    silent(run(tmp_path / "b"), "cics-ipic-socketclose")
    http = " DEFINE TCPIPSERVICE(WEB) GROUP(G)\n        PORTNUMBER(8080) PROTOCOL(HTTP) SOCKETCLOSE(000010)\n"
    workspace(tmp_path / "c", {"web.csd": csd(http)})
    silent(run(tmp_path / "c"), "cics-ipic-socketclose")


@pytest.mark.parametrize("tran, severity", [("CWXN", E), ("CWXU", W), ("CIEP", W)])
def test_cics_ipic_transaction(tmp_path, tran, severity):
    text = f" DEFINE TCPIPSERVICE(ZCIPIC) GROUP(ZCGRP)\n        PORTNUMBER(1491) PROTOCOL(IPIC)\n        TRANSACTION({tran}) SSL(CLIENTAUTH) URM(NO)\n" + ipconn()
    workspace(tmp_path, {"zcipic.csd": csd(text)})
    path = tmp_path / "zcipic.csd"
    f = expect(run(tmp_path), "cics-ipic-transaction", severity, path, tran)
    [fix] = f.fixes
    assert "TRANSACTION(CISS)" in apply_edits(path.read_text(), fix.edits)


def test_cics_ipic_transaction_silent(tmp_path):
    workspace(tmp_path / "a", {"zcipic.csd": csd(listener() + ipconn())})
    silent(run(tmp_path / "a"), "cics-ipic-transaction")
    http = " DEFINE TCPIPSERVICE(WEB) GROUP(G)\n        PORTNUMBER(8080) PROTOCOL(HTTP) TRANSACTION(CWXN)\n"
    workspace(tmp_path / "b", {"web.csd": csd(http)})
    silent(run(tmp_path / "b"), "cics-ipic-transaction")


@pytest.mark.parametrize(
    "toml, severity",
    # Invalid per the CICS TS 5.x syntax; for 6.x it is not confirmed, so never an error there.
    [('cics_release = "5.6"\n', E), ('cics_release = "5.4"\n', E), ("", W), ('cics_release = "6.1"\n', W)],
    ids=["5.6", "5.4", "unknown", "6.1"],
)
def test_cics_ipic_attlsaware(tmp_path, toml, severity):
    workspace(tmp_path, {"zcipic.csd": csd(listener(ssl="ATTLSAWARE") + ipconn("SECURITYNAME(ZCLINK)"))}, toml)
    expect(run(tmp_path), "cics-ipic-attlsaware", severity, tmp_path / "zcipic.csd", "ATTLSAWARE")


def test_cics_ipic_attlsaware_silent(tmp_path):
    workspace(tmp_path / "a", {"zcipic.csd": csd(listener(ssl="NO") + ipconn("SECURITYNAME(ZCLINK)"))})
    silent(run(tmp_path / "a"), "cics-ipic-attlsaware")
    http = " DEFINE TCPIPSERVICE(WEB) GROUP(G)\n        PORTNUMBER(8443) PROTOCOL(HTTP) SSL(ATTLSAWARE)\n"
    workspace(tmp_path / "b", {"web.csd": csd(http)})
    silent(run(tmp_path / "b"), "cics-ipic-attlsaware")


# ---------------------------------------------------------------------------
# IMS and IMS database
# ---------------------------------------------------------------------------

IMS_GOOD = """
<imsmobile_imsConnection id="IMSCONN" connectionFactoryRef="imsCF"/>
<connectionFactory id="imsCF" containerAuthDataRef="imsAuth">
    <properties.gmoa hostName="hws1.example.com" portNumber="9999"/>
</connectionFactory>
<authData id="imsAuth" user="IMSUSER" password="{aes}AAAA"/>
"""


def xml_ws(base: Path, body: str, toml: str = "", features: tuple[str, ...] | None = OA2_FEATURES) -> tuple[Path, Path]:
    workspace(base, {"server.xml": server(body, features)}, toml)
    return base, base / "server.xml"


def test_ims_liberty_tls_on_connection_fix(tmp_path):
    body = IMS_GOOD.replace('connectionFactoryRef="imsCF"/>', 'connectionFactoryRef="imsCF" sslCertsRef="tls"/>')
    base, path = xml_ws(tmp_path, body)
    f = expect(run(base), "ims-liberty-tls", W, path, "sslCertsRef")
    [fix] = f.fixes
    fixed = apply_edits(path.read_text(), fix.edits)
    assert '<imsmobile_imsConnection id="IMSCONN" connectionFactoryRef="imsCF"/>' in fixed
    path.write_text(fixed)
    silent(run(base), "ims-liberty-tls")


def test_ims_liberty_tls_on_properties(tmp_path):
    body = IMS_GOOD.replace('portNumber="9999"/>', 'portNumber="9999" sslEnabled="true"/>')
    base, path = xml_ws(tmp_path, body)
    expect(run(base), "ims-liberty-tls", W, path, "sslEnabled")


def test_imsdb_liberty_tls(tmp_path):
    body = """
    <connectionFactory id="dbCF">
        <properties.imsudbJLocal databaseName="DB1" datastoreServer="hws1.example.com"
            portNumber="9998" driverType="4" applicationName="IMSDBAPL" sslConnection="true"/>
    </connectionFactory>
    """
    base, path = xml_ws(tmp_path, body)
    f = expect(run(base), "ims-liberty-tls", W, path, "sslConnection")
    assert "IMS database" in f.message
    path.write_text(path.read_text().replace('sslConnection="true"', 'sslConnection="false"'))
    silent(run(base), "ims-liberty-tls")


def test_ims_without_liberty_tls_is_silent(tmp_path):
    base, _ = xml_ws(tmp_path, IMS_GOOD)
    silent(run(base), "ims-liberty-tls")


@pytest.mark.parametrize(
    "toml, severity",
    [
        ("", None),
        ("[facts]\nat_tls = true\n", None),
        ("[facts]\nat_tls = false\n", E),
        ("[facts.connections.IMSCONN]\nat_tls = false\n", E),
        ('[facts.hosts."hws1.example.com"]\nat_tls = false\n', E),
        ("[facts]\nat_tls = false\n[facts.connections.IMSCONN]\nat_tls = true\n", None),
    ],
    ids=["unset", "true", "false", "conn-false", "host-false", "conn-true-over-false"],
)
def test_ims_credentials_without_attls(tmp_path, toml, severity):
    base, path = xml_ws(tmp_path, IMS_GOOD, toml)
    findings = run(base)
    if severity is None:
        silent(findings, "ims-credentials-without-attls")
    else:
        expect(findings, "ims-credentials-without-attls", severity, path, "imsmobile_imsConnection")


def test_ims_passticket_without_attls_is_silent(tmp_path):
    body = IMS_GOOD.replace('portNumber="9999"/>', 'portNumber="9999" applicationName="IMSAPPL"/>')
    base, _ = xml_ws(tmp_path, body, "[facts]\nat_tls = false\n")
    silent(run(base), "ims-credentials-without-attls")


def test_imsdb_credentials_without_attls(tmp_path):
    body = """
    <connectionFactory id="dbCF">
        <properties.imsudbJLocal databaseName="DB1" datastoreServer="hws1.example.com"
            portNumber="9998" driverType="4" user="IMSTECH" password="{aes}AAAA"/>
    </connectionFactory>
    """
    base, path = xml_ws(tmp_path, body, "[facts.connections.dbCF]\nat_tls = false\n")
    expect(run(base), "ims-credentials-without-attls", E, path, "connectionFactory")


def test_ims_shared_connection_factory(tmp_path):
    body = IMS_GOOD + '<imsmobile_imsConnection id="IMSCONN2" connectionFactoryRef="imsCF"/>\n'
    base, path = xml_ws(tmp_path, body)
    f = expect(run(base), "ims-shared-connection-factory", W, path, 'id="IMSCONN2" connectionFactoryRef="|imsCF')
    assert "IMSCONN" in f.message


def test_ims_shared_auth_data(tmp_path):
    body = IMS_GOOD + """
<imsmobile_imsConnection id="IMSCONN2" connectionFactoryRef="imsCF2"/>
<connectionFactory id="imsCF2" containerAuthDataRef="imsAuth">
    <properties.gmoa hostName="hws2.example.com" portNumber="9999"/>
</connectionFactory>
"""
    base, path = xml_ws(tmp_path, body)
    findings = run(base)
    expect(findings, "ims-shared-connection-factory", W, path, 'id="imsCF2" containerAuthDataRef="|imsAuth')
    assert len(of(findings, "ims-shared-connection-factory")) == 1


def test_ims_separate_factories_are_silent(tmp_path):
    body = IMS_GOOD + """
<imsmobile_imsConnection id="IMSCONN2" connectionFactoryRef="imsCF2"/>
<connectionFactory id="imsCF2" containerAuthDataRef="imsAuth2">
    <properties.gmoa hostName="hws2.example.com" portNumber="9999"/>
</connectionFactory>
<authData id="imsAuth2" user="IMSUSER2" password="{aes}BBBB"/>
"""
    base, _ = xml_ws(tmp_path, body)
    silent(run(base), "ims-shared-connection-factory")


def test_ims_shared_auth_data_outside_ims_is_silent(tmp_path):
    # Two non-IMS connection factories (WOLA) sharing an authData are not IMS's business.
    body = """
<zosLocalAdapters wolaGroup="G" wolaName2="N2" wolaName3="N3"/>
<connectionFactory id="w1" jndiName="eis/ola1" containerAuthDataRef="a"><properties.ola/></connectionFactory>
<connectionFactory id="w2" jndiName="eis/ola2" containerAuthDataRef="a"><properties.ola/></connectionFactory>
<authData id="a" user="U" password="{aes}AAAA"/>
"""
    base, _ = xml_ws(tmp_path, body)
    silent(run(base), "ims-shared-connection-factory")


def test_ims_passticket_fixed_user(tmp_path):
    body = IMS_GOOD.replace('portNumber="9999"/>', 'portNumber="9999" applicationName="IMSAPPL" userName="ZCTECH"/>')
    base, path = xml_ws(tmp_path, body)
    f = expect(run(base), "ims-passticket-fixed-user", I, path, "ZCTECH")
    assert "ZCTECH" in f.message


def test_ims_passticket_for_caller_is_silent(tmp_path):
    body = IMS_GOOD.replace('portNumber="9999"/>', 'portNumber="9999" applicationName="IMSAPPL"/>')
    base, _ = xml_ws(tmp_path, body)
    silent(run(base), "ims-passticket-fixed-user")


# ---------------------------------------------------------------------------
# IBM MQ
# ---------------------------------------------------------------------------


def mq(props: str, cid: str = "cf1") -> str:
    return f'<jmsConnectionFactory id="{cid}" jndiName="jms/{cid}">\n    <properties.wmqJms {props}/>\n</jmsConnectionFactory>\n'


MQ_CLIENT_TLS = 'transportType="CLIENT" queueManager="QM1" hostName="mq1.example.com" port="1414" channel="ZC.SVRCONN" sslCipherSuite="SSL_RSA_WITH_AES_256_CBC_SHA256"'
MQ_CLIENT_PLAIN = 'transportType="CLIENT" queueManager="QM1" hostName="mq1.example.com" port="1414" channel="ZC.SVRCONN"'


@pytest.mark.parametrize("attr", ["sslCipherSuite", "sslPeerName"])
def test_mq_tls_in_bindings_mode_fix(tmp_path, attr):
    base, path = xml_ws(tmp_path, mq(f'transportType="BINDINGS" queueManager="QM1" {attr}="X"'))
    f = expect(run(base), "mq-tls-in-bindings-mode", E, path, attr)
    [fix] = f.fixes
    fixed = apply_edits(path.read_text(), fix.edits)
    assert '<properties.wmqJms transportType="BINDINGS" queueManager="QM1"/>' in fixed


def test_mq_tls_in_default_bindings_mode(tmp_path):
    base, path = xml_ws(tmp_path, mq('queueManager="QM1" sslCipherSuite="X"'))
    expect(run(base), "mq-tls-in-bindings-mode", E, path, "sslCipherSuite")


def test_mq_tls_in_client_mode_is_silent(tmp_path):
    base, _ = xml_ws(tmp_path, mq(MQ_CLIENT_TLS))
    silent(run(base), "mq-tls-in-bindings-mode", "mq-client-incomplete", "mq-client-without-tls")


@pytest.mark.parametrize("drop, missing", [("channel", "channel"), ("hostName", "hostName")])
def test_mq_client_incomplete(tmp_path, drop, missing):
    props = " ".join(p for p in MQ_CLIENT_TLS.split(" ") if not p.startswith(drop + "="))
    base, path = xml_ws(tmp_path, mq(props))
    f = expect(run(base), "mq-client-incomplete", W, path, "properties.wmqJms")
    assert missing in f.message


def test_mq_bindings_mode_is_not_incomplete(tmp_path):
    base, _ = xml_ws(tmp_path, mq('transportType="BINDINGS" queueManager="QM1"'))
    silent(run(base), "mq-client-incomplete", "mq-client-without-tls")


@pytest.mark.parametrize(
    "toml, severity",
    [
        ("", W),
        ("[facts]\nat_tls = false\n", E),
        ("[facts]\nat_tls = true\n", None),
        ("[facts]\nat_tls = false\n[facts.connections.cf1]\nat_tls = true\n", None),
        ('[facts.hosts."mq1.example.com"]\nat_tls = true\n', None),
        ('[facts.hosts."mq1.example.com"]\nat_tls = false\n', E),
    ],
    ids=["unset", "false", "true", "conn-true", "host-true", "host-false"],
)
def test_mq_client_without_tls(tmp_path, toml, severity):
    base, path = xml_ws(tmp_path, mq(MQ_CLIENT_PLAIN), toml)
    findings = run(base)
    if severity is None:
        silent(findings, "mq-client-without-tls")
    else:
        expect(findings, "mq-client-without-tls", severity, path, "properties.wmqJms")


# ---------------------------------------------------------------------------
# REST and Db2
# ---------------------------------------------------------------------------

OUT_TLS = '<keyStore id="ring" location="safkeyring:///ZC.Ring" type="JCERACFKS" fileBased="false" readOnly="true" password="password"/>\n<ssl id="outTls" keyStoreRef="ring" trustStoreRef="ring"/>\n'


def test_rest_https_without_ssl_fix(tmp_path):
    body = OUT_TLS + '<zosconnect_endpointConnection id="api" host="https://api.example.com" port="443"/>'
    base, path = xml_ws(tmp_path, body)
    f = expect(run(base), "rest-https-without-ssl", E, path, "https://api")
    [fix] = f.fixes
    fixed = apply_edits(path.read_text(), fix.edits)
    assert 'port="443" sslCertsRef="outTls"/>' in fixed
    path.write_text(fixed)
    silent(run(base), "rest-https-without-ssl")


def test_rest_https_without_ssl_no_fix_when_ambiguous(tmp_path):
    body = OUT_TLS + '<ssl id="other" keyStoreRef="ring"/>\n<zosconnect_endpointConnection id="api" host="https://api.example.com" port="443"/>'
    base, path = xml_ws(tmp_path, body)
    f = expect(run(base), "rest-https-without-ssl", E, path, "https://api")
    assert f.fixes == []


def test_rest_http_endpoint_is_not_https_without_ssl(tmp_path):
    body = '<zosconnect_endpointConnection id="api" host="http://api.example.com" port="80"/>'
    base, _ = xml_ws(tmp_path, body)
    silent(run(base), "rest-https-without-ssl")


REST_PLAIN = """
<zosconnect_zosConnectServiceRestClientConnection id="db2Conn" host="db2.example.com" port="8812" basicAuthRef="db2Auth"/>
<zosconnect_zosConnectServiceRestClientBasicAuth id="db2Auth" userName="DB2USER" password="{aes}AAAA"/>
"""


@pytest.mark.parametrize(
    "toml, severity",
    [
        ("", W),
        ("[facts]\nat_tls = false\n", E),
        ("[facts]\nat_tls = true\n", None),
        ("[facts.connections.db2Conn]\nat_tls = true\n", None),
        ('[facts]\nat_tls = true\n[facts.hosts."db2.example.com"]\nat_tls = false\n', E),
    ],
    ids=["unset", "false", "true", "conn-true", "host-false"],
)
def test_rest_credentials_over_http(tmp_path, toml, severity):
    base, path = xml_ws(tmp_path, REST_PLAIN, toml)
    findings = run(base)
    if severity is None:
        silent(findings, "rest-credentials-over-http")
    else:
        expect(findings, "rest-credentials-over-http", severity, path, "db2Auth")


def test_rest_credentials_over_http_oa3(tmp_path):
    body = '<zosconnect_db2Connection id="db2" host="db2.example.com" port="8812" credentialRef="cred"/>\n<zosconnect_credential id="cred" user="DB2USER" password="{aes}AAAA"/>'
    base, path = xml_ws(tmp_path, body, features=OA3_FEATURES)
    expect(run(base), "rest-credentials-over-http", W, path, 'credentialRef="|cred')


def test_rest_credentials_over_https_are_silent(tmp_path):
    body = OUT_TLS + REST_PLAIN.replace('basicAuthRef="db2Auth"', 'basicAuthRef="db2Auth" sslCertsRef="outTls"')
    base, _ = xml_ws(tmp_path / "a", body)
    silent(run(base), "rest-credentials-over-http")
    # A PassTicket over HTTPS: silent too.
    body = OUT_TLS + REST_PLAIN.replace('basicAuthRef="db2Auth"', 'basicAuthRef="db2Auth" sslCertsRef="outTls"').replace('userName="DB2USER" password="{aes}AAAA"', 'applName="DB2APPL"')
    base, _ = xml_ws(tmp_path / "b", body)
    silent(run(base), "rest-credentials-over-http")


def test_a_passticket_over_plain_http_says_what_leaks_and_for_how_long(tmp_path):
    """Issue 12: a PassTicket in clear text is single-use and short-lived,
    but the user ID and the data are readable: a warning that says so,
    unlike a password, which stays usable until it is changed."""
    body = REST_PLAIN.replace('userName="DB2USER" password="{aes}AAAA"', 'applName="DB2APPL"')
    base, path = xml_ws(tmp_path, body)
    f = expect(run(base), "rest-credentials-over-http", W, path, "db2Auth")
    assert "PassTicket" in f.message and "10 minutes" in f.message and "single-use" in f.message
    base, path = xml_ws(tmp_path / "pw", REST_PLAIN)
    f = expect(run(base), "rest-credentials-over-http", W, path, "db2Auth")
    assert "until it is changed" in f.message and "10 minutes" not in f.message


def test_rest_passticket_with_password(tmp_path):
    body = REST_PLAIN.replace('userName="DB2USER"', 'applName="DB2APPL" userName="DB2USER"')
    base, path = xml_ws(tmp_path, body)
    expect(run(base), "rest-passticket-with-password", W, path, "applName")


def test_rest_passticket_alone_is_silent(tmp_path):
    body = REST_PLAIN.replace('userName="DB2USER" password="{aes}AAAA"', 'applName="DB2APPL"')
    base, _ = xml_ws(tmp_path, body)
    silent(run(base), "rest-passticket-with-password")


@pytest.mark.parametrize(
    "element, bad, good",
    [
        ("zosconnect_authData", "userName", "user"),
        ("zosconnect_credential", "userName", "user"),
        ("zosconnect_zosConnectServiceRestClientBasicAuth", "user", "userName"),
    ],
)
def test_credentials_attribute_name_fix(tmp_path, element, bad, good):
    base, path = xml_ws(tmp_path, f'<{element} id="cred" {bad}="ZCUSER" password="{{aes}}AAAA"/>')
    f = expect(run(base), "credentials-attribute-name", W, path, f'{bad}="ZCUSER"')
    [fix] = f.fixes
    [edit] = fix.edits
    assert edit.new_text == good
    fixed = apply_edits(path.read_text(), fix.edits)
    assert f'<{element} id="cred" {good}="ZCUSER"' in fixed
    path.write_text(fixed)
    silent(run(base), "credentials-attribute-name")


def test_deprecated_attribute(tmp_path):
    body = OUT_TLS + '<zosconnect_endpointConnection id="api" host="https://api.example.com" port="443" sslCertsRef="outTls" basicAuthRef="cred"/>\n<zosconnect_authData id="cred" user="U" password="{aes}AAAA"/>'
    base, path = xml_ws(tmp_path, body)
    f = expect(run(base), "deprecated-attribute", I, path, "basicAuthRef")
    assert "authenticationConfigRef" in f.message


def test_deprecated_attribute_silent(tmp_path):
    body = OUT_TLS + '<zosconnect_endpointConnection id="api" host="https://api.example.com" port="443" sslCertsRef="outTls" authenticationConfigRef="cred"/>\n<zosconnect_authData id="cred" user="U" password="{aes}AAAA"/>'
    base, _ = xml_ws(tmp_path, body)
    silent(run(base), "deprecated-attribute")


# ---------------------------------------------------------------------------
# WOLA
# ---------------------------------------------------------------------------

WOLA = """
<zosLocalAdapters wolaGroup="ZCWOLA" wolaName2="ZCEE" wolaName3="ACCTS"/>
<connectionFactory id="wolaCF" jndiName="eis/ola" containerAuthDataRef="wolaAuth">
    <properties.ola/>
</connectionFactory>
<authData id="wolaAuth" user="WOLAUSER" password="{aes}AAAA"/>
<zosconnect_localAdaptersConnectService id="svc" connectionFactoryRef="wolaCF" registerName="ACCTBATCH" serviceName="ACCTINQ"/>
"""


def test_wola_no_container_auth(tmp_path):
    base, path = xml_ws(tmp_path, WOLA.replace(' containerAuthDataRef="wolaAuth"', ""))
    expect(run(base), "wola-no-container-auth", W, path, "connectionFactory")


def test_wola_container_auth_is_silent(tmp_path):
    base, _ = xml_ws(tmp_path, WOLA)
    silent(run(base), "wola-no-container-auth")


# ---------------------------------------------------------------------------
# Liberty plumbing
# ---------------------------------------------------------------------------


def test_keystore_safkeyring_filebased_fix_adds_attribute(tmp_path):
    base, path = xml_ws(tmp_path, '<keyStore id="ring" location="safkeyring:///ZC.Ring" type="JCERACFKS" password="password"/>')
    f = expect(run(base), "keystore-safkeyring-filebased", W, path, "safkeyring:")
    [fix] = f.fixes
    [edit] = fix.edits
    assert edit.new_text == ' fileBased="false"'
    fixed = apply_edits(path.read_text(), fix.edits)
    assert 'password="password" fileBased="false"/>' in fixed
    path.write_text(fixed)
    silent(run(base), "keystore-safkeyring-filebased")


def test_keystore_safkeyring_filebased_true_fix_replaces_value(tmp_path):
    base, path = xml_ws(tmp_path, '<keyStore id="ring" location="safkeyring://ZCUSER/ZC.Ring" type="JCERACFKS" fileBased="true" password="password"/>')
    f = expect(run(base), "keystore-safkeyring-filebased", W, path, "safkeyring:")
    [fix] = f.fixes
    [edit] = fix.edits
    assert edit.new_text == "false" and (edit.range.start.line, edit.range.start.character) == at(path, "true")


def test_keystore_file_or_filebased_false_is_silent(tmp_path):
    body = '<keyStore id="a" location="safkeyring:///ZC.Ring" type="JCERACFKS" fileBased="false" password="password"/>\n<keyStore id="b" location="key.p12" password="{aes}AAAA"/>'
    base, _ = xml_ws(tmp_path, body)
    silent(run(base), "keystore-safkeyring-filebased")


def test_ssl_outbound_needs_transport_security(tmp_path):
    body = OUT_TLS + '<sslDefault sslRef="outTls" outboundSSLRef="outTls"/>'
    base, path = xml_ws(tmp_path, body, features=("appSecurity-2.0", "ssl-1.0"))
    expect(run(base), "ssl-outbound-needs-transport-security", W, path, "outboundSSLRef")
    # A feature whose closure zcsec does not know may enable transportSecurity-1.0.
    base, _ = xml_ws(tmp_path / "unknown", body, features=("zosconnect:zosConnect-2.0", "ssl-1.0"))
    silent(run(base), "ssl-outbound-needs-transport-security")


def test_ssl_outbound_with_transport_security_is_silent(tmp_path):
    body = OUT_TLS + '<sslDefault sslRef="outTls" outboundSSLRef="outTls"/>'
    base, _ = xml_ws(tmp_path / "a", body)
    silent(run(base), "ssl-outbound-needs-transport-security")
    # Without any featureManager (an include file checked alone) nothing can be said.
    base, _ = xml_ws(tmp_path / "b", body, features=None)
    silent(run(base), "ssl-outbound-needs-transport-security")


@pytest.mark.parametrize(
    "body, needle",
    [
        ('<zosconnect_authData id="cred" user="U" password="Secret1"/>', "Secret1"),
        ('<authData id="a" user="U" password="Secret1"/>', "Secret1"),
        ('<keyStore id="ks" location="key.p12" password="Secret1"/>', "Secret1"),
        ('<ldapRegistry id="ldap" realm="r" host="ldap" port="389" baseDN="o=x" ldapType="IBM Tivoli Directory Server" bindDN="cn=zc" bindPassword="Secret1"/>', "Secret1"),
        ('<keyStore id="ks" location="key.p12" password="{aes}AAAA">\n    <keyEntry name="k" keyPassword="Secret1"/>\n</keyStore>', "Secret1"),
        ('<zosconnect_services>\n    <service name="s">\n        <property name="password" value="Secret1"/>\n    </service>\n</zosconnect_services>', "Secret1"),
    ],
    ids=["zosconnect_authData", "authData", "keyStore", "ldapRegistry-bindPassword", "keyEntry-keyPassword", "mq-service-property"],
)
def test_password_clear_text(tmp_path, body, needle):
    base, path = xml_ws(tmp_path, body)
    findings = run(base)
    expect(findings, "password-clear-text", W, path, needle)
    for g in findings:
        assert needle not in g.message


@pytest.mark.parametrize(
    "body",
    [
        '<zosconnect_authData id="cred" user="U" password="{aes}AAAA"/>',
        '<zosconnect_authData id="cred" user="U" password="{xor}AAAA"/>',
        '<zosconnect_authData id="cred" user="U" password="${CRED_PW}"/>',
        '<zosconnect_authData id="cred" user="U" password=""/>',
        '<keyStore id="ring" location="safkeyring:///ZC.Ring" type="JCERACFKS" fileBased="false" password="password"/>',
        '<zosconnect_services>\n    <service name="s">\n        <property name="userName" value="MQAPP"/>\n    </service>\n</zosconnect_services>',
    ],
    ids=["aes", "xor", "variable", "empty", "saf-key-ring", "non-secret-property"],
)
def test_password_clear_text_silent(tmp_path, body):
    base, _ = xml_ws(tmp_path, body)
    silent(run(base), "password-clear-text")


def test_password_xor(tmp_path):
    base, path = xml_ws(tmp_path, '<authData id="a" user="U" password="{xor}LDo8LTor"/>')
    findings = run(base)
    expect(findings, "password-xor", W, path, "{xor}")
    silent(findings, "password-clear-text")


def test_password_xor_silent(tmp_path):
    body = '<authData id="a" user="U" password="{aes}AAAA"/>\n<keyStore id="ring" location="safkeyring:///R" fileBased="false" password="{xor}LDo8LTor"/>'
    base, _ = xml_ws(tmp_path, body)
    silent(run(base), "password-xor")


@pytest.mark.parametrize(
    "body, severity",
    [
        # Liberty's authData is in the confirmed catalogue: an error.
        ('<authData id="a" user="U" password="{hash}ATAAAAAIq3Ze"/>', E),
        ('<keyStore id="ks" location="key.p12" password="{hash}ATAAAAAIq3Ze"/>', E),
        # The z/OS Connect elements are not confirmed by IBM text: never more than a warning.
        ('<zosconnect_authData id="a" user="U" password="{hash}ATAAAAAIq3Ze"/>', W),
        ('<zosconnect_credential id="a" user="U" password="{hash}ATAAAAAIq3Ze"/>', W),
    ],
    ids=["authData", "keyStore", "zosconnect_authData", "zosconnect_credential"],
)
def test_password_hash_not_recoverable(tmp_path, body, severity):
    base, path = xml_ws(tmp_path, body)
    expect(run(base), "password-hash-not-recoverable", severity, path, "{hash}")


def test_password_hash_in_basic_registry_is_silent(tmp_path):
    body = '<basicRegistry id="basic" realm="r">\n    <user name="alice" password="{hash}ATAAAAAIq3Ze"/>\n</basicRegistry>\n<authData id="a" user="U" password="{aes}AAAA"/>'
    base, _ = xml_ws(tmp_path, body)
    silent(run(base), "password-hash-not-recoverable")


# ---------------------------------------------------------------------------
# Suppression works for security findings in both file kinds
# ---------------------------------------------------------------------------


def test_security_findings_can_be_suppressed(tmp_path):
    body = '<!-- zcsec-disable-next-line password-clear-text -->\n<authData id="a" user="U" password="Secret1"/>'
    base, _ = xml_ws(tmp_path / "x", body)
    assert of(run(base), "password-clear-text") == []
    text = "* zcsec-disable-next-line cics-autoinstall-listener\n" + listener(urm="").lstrip("\n")
    workspace(tmp_path / "c", {"zcipic.csd": csd(text)})
    assert of(run(tmp_path / "c"), "cics-autoinstall-listener") == []


# ---------------------------------------------------------------------------
# Catalogue documentation and coverage
# ---------------------------------------------------------------------------


def test_every_rule_is_documented():
    for code, r in RULES.items():
        assert r.title.strip(), code
        assert r.rationale.strip(), code
        if r.category == "security":
            assert r.link and r.link.startswith("https://"), code
            assert r.provider in ("cics", "ims", "imsdb", "mq", "rest", "wola", "liberty", "all"), code
            for fact in r.unsettled_by:
                assert fact.removeprefix("facts.") in FACT_NAMES, (code, fact)


def _codes_asserted_in_source(function: str) -> set[str]:
    """Codes written as string literals in calls of ``function`` (expect: its
    second argument; silent: every argument after the findings)."""
    tree = ast.parse(Path(__file__).read_text(encoding="utf-8"))
    out: set[str] = set()
    for node in ast.walk(tree):
        if isinstance(node, ast.Call) and isinstance(node.func, ast.Name) and node.func.id == function:
            args = node.args[1:2] if function == "expect" else node.args[1:]
            out.update(a.value for a in args if isinstance(a, ast.Constant) and isinstance(a.value, str))
    return out


def test_every_security_rule_has_a_failing_and_a_passing_case_in_source():
    assert SECURITY, "no security rules registered"
    missing_fail = set(SECURITY) - _codes_asserted_in_source("expect")
    missing_pass = set(SECURITY) - _codes_asserted_in_source("silent")
    assert not missing_fail, f"security rules without a failing test: {sorted(missing_fail)}"
    assert not missing_pass, f"security rules without a passing test: {sorted(missing_pass)}"


# ---------------------------------------------------------------------------
# The caller (issue 11, first rules)
# ---------------------------------------------------------------------------

CALLER_CICS = '<zosconnect_cicsIpicConnection id="cicsConn" host="cics.example.com" port="1491" authDataRef="cred"/>\n<zosconnect_authData id="cred" user="ZCUSER" password="{aes}AAAA"/>\n'


def test_caller_unauthenticated(tmp_path):
    base, path = xml_ws(tmp_path, CALLER_CICS + '<zosconnect_zosConnectManager requireAuth="false"/>')
    f = expect(run(base), "caller-unauthenticated", W, path, 'requireAuth="|false')
    assert "'cicsConn' (CICS (IPIC), as its fixed user)" in f.message
    [fix] = f.fixes
    assert 'requireAuth="true"' in apply_edits(path.read_text(), fix.edits)


def test_caller_unauthenticated_on_one_api(tmp_path):
    body = CALLER_CICS + '<zosconnect_zosConnectAPIs location="/var/zcee/apis">\n    <zosConnectAPI name="catalog" requireAuth="false"/>\n</zosconnect_zosConnectAPIs>'
    base, path = xml_ws(tmp_path, body)
    f = expect(run(base), "caller-unauthenticated", W, path, 'requireAuth="|false')
    assert "the API 'catalog'" in f.message


def test_caller_unauthenticated_is_silent(tmp_path):
    # Authentication on (explicitly or by default), or nothing behind it.
    base, _ = xml_ws(tmp_path / "on", CALLER_CICS + '<zosconnect_zosConnectManager requireAuth="true"/>')
    silent(run(base), "caller-unauthenticated")
    base, _ = xml_ws(tmp_path / "default", CALLER_CICS + "<zosconnect_zosConnectManager/>")
    silent(run(base), "caller-unauthenticated")
    base, _ = xml_ws(tmp_path / "nothing", '<zosconnect_zosConnectManager requireAuth="false"/>')
    silent(run(base), "caller-unauthenticated")
    # An API requester endpoint is called by z/OS programs, not by HTTP clients.
    body = OUT_TLS + '<zosconnect_endpointConnection id="api" host="https://api.example.com" port="443" sslCertsRef="outTls"/>\n<zosconnect_zosConnectManager requireAuth="false"/>'
    base, _ = xml_ws(tmp_path / "requester", body)
    silent(run(base), "caller-unauthenticated")


def test_caller_over_plain_http(tmp_path):
    body = '<httpEndpoint id="defaultHttpEndpoint" host="*" httpPort="9080" httpsPort="9443"/>\n<zosconnect_zosConnectManager requireSecure="false"/>'
    base, path = xml_ws(tmp_path, body)
    f = expect(run(base), "caller-over-plain-http", W, path, 'requireSecure="|false')
    assert "'9080'" in f.message
    # Liberty's defaultHttpEndpoint has HTTP port 9080 when none is written.
    base, path = xml_ws(tmp_path / "implicit", '<zosconnect_zosConnectManager requireSecure="false"/>')
    expect(run(base), "caller-over-plain-http", W, path, 'requireSecure="|false')


def test_caller_over_plain_http_is_silent(tmp_path):
    body = '<httpEndpoint id="defaultHttpEndpoint" host="*" httpPort="-1" httpsPort="9443"/>\n<zosconnect_zosConnectManager requireSecure="false"/>'
    base, _ = xml_ws(tmp_path, body)
    silent(run(base), "caller-over-plain-http")
    base, _ = xml_ws(tmp_path / "secure", '<httpEndpoint id="defaultHttpEndpoint" host="*" httpPort="9080" httpsPort="9443"/>\n<zosconnect_zosConnectManager/>')
    silent(run(base), "caller-over-plain-http")


def test_mcp_without_security(tmp_path):
    base, path = xml_ws(tmp_path, "", features=("zosconnect:zosConnect-3.0", "zosconnect:mcp-1.0"))
    expect(run(base), "mcp-without-security", I, path, "zosconnect:mcp-1.0")
    base, _ = xml_ws(tmp_path / "without", "", features=("zosconnect:zosConnect-3.0",))
    silent(run(base), "mcp-without-security")


def test_ims_oa3_container_auth(tmp_path):
    cf = '<connectionFactory id="imsCF"><properties.gmoa hostName="ims.example.com" portNumber="9999"/></connectionFactory>'
    body = '<zosconnect_imsConnection id="ims" connectionFactoryRef="imsCF"/>\n' + cf
    base, path = xml_ws(tmp_path, body, features=("zosconnect:zosConnect-3.0", "zosconnect:ims-1.0"))
    f = expect(run(base), "ims-oa3-container-auth", E, path, "connectionFactory id")
    assert "'imsCF'" in f.message
    good = body.replace('<connectionFactory id="imsCF">', '<connectionFactory id="imsCF" containerAuthDataRef="imsAuth">') + '\n<authData id="imsAuth" user="IMSUSER" password="{aes}AAAA"/>'
    base, _ = xml_ws(tmp_path / "good", good, features=("zosconnect:zosConnect-3.0", "zosconnect:ims-1.0"))
    silent(run(base), "ims-oa3-container-auth")


def test_caller_not_saf_user(tmp_path):
    ipic = '<zosconnect_cicsIpicConnection id="cicsConn" host="cics.example.com" port="1491" zosConnectNetworkid="NET1" zosConnectApplid="ZCAPPL"/>'
    basic = '<basicRegistry id="basic"><user name="fred" password="{aes}AAAA"/></basicRegistry>\n'
    base, path = xml_ws(tmp_path, basic + ipic)
    f = expect(run(base), "caller-not-saf-user", W, path, "zosconnect_cicsIpicConnection")
    assert "basic-registry users" in f.message
    # A SAF registry (even beside a basic one) or fixed credentials: silent.
    base, _ = xml_ws(tmp_path / "saf", '<safRegistry id="saf"/>\n' + ipic)
    silent(run(base), "caller-not-saf-user")
    base, _ = xml_ws(tmp_path / "fixed", basic + CALLER_CICS)
    silent(run(base), "caller-not-saf-user")


@pytest.mark.parametrize("toml, severity", [("", I), ("[facts]\ndistributed_identity_mapping = false\n", W), ("[facts]\ndistributed_identity_mapping = true\n", None)])
def test_caller_distributed_identity(tmp_path, toml, severity):
    ipic = '<zosconnect_cicsIpicConnection id="cicsConn" host="cics.example.com" port="1491" zosConnectNetworkid="NET1" zosConnectApplid="ZCAPPL"/>'
    ldap = '<ldapRegistry id="ldap" host="ldap.example.com" port="636" baseDN="o=example" ldapType="IBM Tivoli Directory Server"/>\n'
    base, path = xml_ws(tmp_path, ldap + ipic, toml)
    if severity is None:
        silent(run(base), "caller-distributed-identity")
    else:
        f = expect(run(base), "caller-distributed-identity", severity, path, "zosconnect_cicsIpicConnection")
        assert "RACMAP" in f.message
    # SAF users need no mapping.
    base, _ = xml_ws(tmp_path / "saf", '<safRegistry id="saf"/>\n' + ipic)
    silent(run(base), "caller-distributed-identity")


def test_rest_db2_passticket_deprecated(tmp_path):
    body = REST_PLAIN.replace('userName="DB2USER" password="{aes}AAAA"', 'applName="DB2APPL"')
    base, path = xml_ws(tmp_path, body)
    f = expect(run(base), "rest-db2-passticket-deprecated", I, path, "DB2APPL")
    assert "Db2 13" in f.message
    base, _ = xml_ws(tmp_path / "basic", REST_PLAIN)
    silent(run(base), "rest-db2-passticket-deprecated")


def test_rest_requester_plain_http(tmp_path):
    body = '<zosconnect_endpointConnection id="api" host="http://api.example.com" port="80"/>'
    base, path = xml_ws(tmp_path, body)
    f = expect(run(base), "rest-requester-plain-http", W, path, "http://api")
    assert "at_tls = true" in f.message
    # Local, HTTPS, AT-TLS stated, or credentials on it (said by rest-credentials-over-http): silent here.
    for name, b, toml in (
        ("local", body.replace("api.example.com", "localhost"), ""),
        ("https", OUT_TLS + body.replace("http://", "https://").replace('port="80"', 'port="443" sslCertsRef="outTls"'), ""),
        ("attls", body, "[facts]\nat_tls = true\n"),
        ("creds", body.replace('port="80"', 'port="80" authenticationConfigRef="cred"') + '\n<zosconnect_authData id="cred" user="U" password="{aes}AAAA"/>', ""),
    ):
        base, _ = xml_ws(tmp_path / name, b, toml)
        silent(run(base), "rest-requester-plain-http")


def test_password_key_beside_aes(tmp_path):
    body = '<variable name="wlp.password.encryption.key" value="CANARY-key-1"/>\n<zosconnect_authData id="cred" user="U" password="{aes}AAAA"/>'
    base, path = xml_ws(tmp_path, body)
    f = expect(run(base), "password-key-beside-aes", W, path, "wlp.password.encryption.key")
    assert "CANARY-key-1" not in f.message
    # The key in a file of its own, included: silent.
    workspace(tmp_path / "own", {"server.xml": server('<include location="key.xml"/>\n<zosconnect_authData id="cred" user="U" password="{aes}AAAA"/>', OA2_FEATURES), "key.xml": '<server>\n<variable name="wlp.password.encryption.key" value="CANARY-key-1"/>\n</server>\n'})
    silent(run(tmp_path / "own"), "password-key-beside-aes")


def test_cics_http_listener_open(tmp_path):
    base, _, path = cics_ws(tmp_path, ipic(), " DEFINE TCPIPSERVICE(WEBPORT) GROUP(G)\n        PROTOCOL(HTTP) PORTNUMBER(8080)\n")
    expect(run(base), "cics-http-listener-open", I, path, "WEBPORT")
    base, _, _ = cics_ws(tmp_path / "tls", ipic(), " DEFINE TCPIPSERVICE(WEBPORT) GROUP(G)\n        PROTOCOL(HTTP) PORTNUMBER(8443) SSL(YES)\n")
    silent(run(base), "cics-http-listener-open")


def test_registry_user_passwords_are_advised_a_hash(tmp_path):
    body = '<basicRegistry id="b"><user name="fred" password="fredpwd"/><user name="deb" password="{xor}OzoiOzo="/></basicRegistry>'
    base, path = xml_ws(tmp_path, body)
    findings = run(base)
    assert "--encoding=hash" in expect(findings, "password-clear-text", W, path, "fredpwd").message
    assert "--encoding=hash" in expect(findings, "password-xor", W, path, "{xor}").message


def test_tls_weak_cipher(tmp_path):
    body = '<ssl id="out" keyStoreRef="defaultKeyStore" enabledCiphers="TLS_RSA_WITH_3DES_EDE_CBC_SHA TLS_ECDHE_RSA_WITH_AES_128_GCM_SHA256"/>'
    base, path = xml_ws(tmp_path, body)
    f = expect(run(base), "tls-weak-cipher", W, path, "TLS_RSA_WITH_3DES")
    assert "3DES" in f.message
    # Static RSA key exchange only: information.
    base, path = xml_ws(tmp_path / "legacy", body.replace("TLS_RSA_WITH_3DES_EDE_CBC_SHA", "TLS_RSA_WITH_AES_128_CBC_SHA"))
    expect(run(base), "tls-weak-cipher", I, path, "TLS_RSA_WITH_AES")
    # securityLevel="LOW"; an MQ channel suite.
    base, path = xml_ws(tmp_path / "low", '<ssl id="in" keyStoreRef="defaultKeyStore" securityLevel="LOW"/>')
    expect(run(base), "tls-weak-cipher", W, path, "LOW")
    base, path = xml_ws(tmp_path / "mq", mq(MQ_CLIENT_TLS.replace("SSL_RSA_WITH_AES_256_CBC_SHA256", "SSL_RSA_WITH_RC4_128_SHA")))
    expect(run(base), "tls-weak-cipher", W, path, "SSL_RSA_WITH_RC4")


def test_tls_weak_cipher_is_silent(tmp_path):
    body = '<ssl id="out" keyStoreRef="defaultKeyStore" securityLevel="HIGH" enabledCiphers="TLS_ECDHE_RSA_WITH_AES_128_GCM_SHA256 TLS_AES_256_GCM_SHA384"/>'
    base, _ = xml_ws(tmp_path, body)
    silent(run(base), "tls-weak-cipher")


def test_tls_old_protocol(tmp_path):
    base, path = xml_ws(tmp_path, '<ssl id="out" keyStoreRef="defaultKeyStore" sslProtocol="TLSv1"/>')
    expect(run(base), "tls-old-protocol", W, path, "TLSv1")
    base, path = xml_ws(tmp_path / "11", '<ssl id="out" keyStoreRef="defaultKeyStore" sslProtocol="TLSv1.1,TLSv1.2"/>')
    expect(run(base), "tls-old-protocol", I, path, "TLSv1.1")
    for name, value in (("12", "TLSv1.2,TLSv1.3"), ("neg", "TLS")):
        base, _ = xml_ws(tmp_path / name, f'<ssl id="out" keyStoreRef="defaultKeyStore" sslProtocol="{value}"/>')
        silent(run(base), "tls-old-protocol")


def test_cics_no_common_cipher(tmp_path):
    """Issue 12: the IPIC pair checked as a pair.  Liberty offers only an
    ECDHE suite (4-digit code C030), CICS lists 2-digit codes: nothing in
    common, the handshake cannot succeed."""
    tls = ('<ssl id="mtls" keyStoreRef="ring" trustStoreRef="ring" clientKeyAlias="ZC Client"/>', '<ssl id="mtls" keyStoreRef="ring" trustStoreRef="ring" clientKeyAlias="ZC Client" enabledCiphers="TLS_ECDHE_RSA_WITH_AES_256_GCM_SHA384 SSL_ECDHE_RSA_WITH_AES_128_GCM_SHA256"/>')
    base, path, csd_path = cics_ws(tmp_path, "", ipconn() + listener(extra="SOCKETCLOSE(NO) CIPHERS(352F)"))
    (base / "server.xml").write_text((base / "server.xml").read_text().replace(tls[0], tls[1] + "\n    " + ipic()))
    f = expect(run(base), "cics-no-common-cipher", E, path, 'enabledCiphers="|TLS_ECDHE')
    assert "TCPIPSERVICE ZCIPIC" in f.message and "CIPHERS(352F)" in f.message and "handshake fails" in f.message
    ciphers_line = csd_path.read_text().splitlines().index(next(x for x in csd_path.read_text().splitlines() if "CIPHERS(352F)" in x))
    assert [(p, r.start.line) for p, r, _ in f.related_ranges] == [(str(csd_path), ciphers_line)]
    # A suite on both lists, a default list on either end, a cipher file, or an
    # unknown suite name: silent.
    for name, liberty, ciphers in (
        ("common", 'enabledCiphers="TLS_ECDHE_RSA_WITH_AES_256_GCM_SHA384 TLS_RSA_WITH_AES_256_CBC_SHA"', "CIPHERS(352F)"),
        ("libdefault", "", "CIPHERS(352F)"),
        ("cicsdefault", 'enabledCiphers="TLS_ECDHE_RSA_WITH_AES_256_GCM_SHA384"', ""),
        ("file", 'enabledCiphers="TLS_ECDHE_RSA_WITH_AES_256_GCM_SHA384"', "CIPHERS(strong.xml)"),
        ("unknown", 'enabledCiphers="SSL_SOMETHING_NEW"', "CIPHERS(352F)"),
    ):
        base, _, _ = cics_ws(tmp_path / name, "", ipconn() + listener(extra="SOCKETCLOSE(NO) " + ciphers))
        (base / "server.xml").write_text((base / "server.xml").read_text().replace(tls[0], tls[0].replace("/>", f" {liberty}/>") + "\n    " + ipic()))
        silent(run(base), "cics-no-common-cipher")


def test_cics_weak_cipher(tmp_path):
    text = listener(ssl="YES", extra="SOCKETCLOSE(NO) CIPHERS(0A352F)")
    base, _, path = cics_ws(tmp_path, ipic(), text)
    f = expect(run(base), "cics-weak-cipher", W, path, "0A352F")
    assert "0A (weak" in f.message
    # A cipher suite specification file, strong codes only, or no TLS: silent.
    for name, extra, ssl in (("file", "CIPHERS(strong.xml)", "YES"), ("strong", "CIPHERS(9E9F)", "YES"), ("nossl", "CIPHERS(0A)", "NO")):
        base, _, _ = cics_ws(tmp_path / name, ipic(), listener(ssl=ssl, extra="SOCKETCLOSE(NO) " + extra))
        silent(run(base), "cics-weak-cipher")
