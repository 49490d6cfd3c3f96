"""Rules of rules/schema.py and rules/wellformed.py: one failing case with
exact code, severity and range and one passing case each, the quick fixes,
secrets in messages and suppression comments."""

from __future__ import annotations

import json
import os
import textwrap
from pathlib import Path

import pytest
from hypothesis import given
from hypothesis import strategies as st

from conftest import apply_edits, range_of, server_xml, write

from zcsec.analysis import analyse
from zcsec.findings import Severity
from zcsec.placeholders import _CSD, _XML, csd_placeholder, xml_placeholder
from zcsec.rules import RULES
from zcsec.text import LineIndex

E, W, I, H = Severity.ERROR, Severity.WARNING, Severity.INFORMATION, Severity.HINT

FEATURES = ("zosconnect:zosConnect-2.0", "zosconnect:cicsService-1.0", "zosconnect:db2-1.0", "transportSecurity-1.0")


def server(body: str, features: bool = True) -> str:
    return server_xml(body, FEATURES if features else ())


# Rules of other modules (security, CSD) are tested elsewhere and change
# independently; these tests look at the catalogue, syntax and model rules.
OWN = {"schema", "syntax", "model"}


def check(*paths: Path, everything: bool = False):
    findings = analyse([str(p) for p in paths]).findings
    return findings if everything else [f for f in findings if RULES[f.code].category in OWN]


def where(path: Path, needle: str, occurrence: int = 0) -> tuple[int, int, int, int]:
    text = path.read_bytes().decode("utf-8", errors="replace")
    start = -1
    for _ in range(occurrence + 1):
        start = text.index(needle, start + 1)
    index = LineIndex(text)
    a, b = index.position(start), index.position(start + len(needle))
    return (a.line, a.character, b.line, b.character)


def only(findings, code):
    return [f for f in findings if f.code == code]


# ---------------------------------------------------------------------------
# One failing and one passing case per rule
# ---------------------------------------------------------------------------

IPIC = 'zosconnect_cicsIpicConnection id="c" host="h" port="1491"'

# code, severity, failing body, needle (range of the finding), passing body
SCHEMA_CASES = [
    ("unknown-element", H, '<zosconnect_cicsIpicConection id="c" host="h" port="1491"/>', "zosconnect_cicsIpicConection", f"<{IPIC}/>"),
    ("element-name-case", W, '<zosconnect_db2connection id="db2" host="h" port="4711"/>', "zosconnect_db2connection", '<zosconnect_db2Connection id="db2" host="h" port="4711"/>'),
    ("unknown-attribute", W, '<keyStore id="ks" location="k.p12" password="p" passwrd="p"/>', "passwrd", '<keyStore id="ks" location="k.p12" password="p"/>'),
    ("attribute-name-case", H, '<keyStore id="ks" location="k.p12" Password="p"/>', "Password", '<keyStore id="ks" location="k.p12" password="p"/>'),
    ("template-placeholder", I, '<httpEndpoint id="defaultHttpEndpoint" httpPort="{{ http_port }}" httpsPort="{{ http_port }}"/>', "{{ http_port }}", '<httpEndpoint id="defaultHttpEndpoint" httpPort="9080" httpsPort="9443"/>'),
    ("unknown-attribute", W, f'<{IPIC} sslCertRef="t"/>\n<ssl id="t" keyStoreRef="ks"/>\n<keyStore id="ks" password="p"/>', "sslCertRef", f'<{IPIC} sslCertsRef="t"/>\n<ssl id="t" keyStoreRef="ks"/>\n<keyStore id="ks" password="p"/>'),
    ("invalid-value", E, '<zosconnect_cicsIpicConnection id="c" host="h" port="14x91"/>', "14x91", f"<{IPIC}/>"),
    ("invalid-value", E, '<ssl id="s" keyStoreRef="ks" securityLevel="SUPER"/>\n<keyStore id="ks" password="p"/>', "SUPER", '<ssl id="s" keyStoreRef="ks" securityLevel="high"/>\n<keyStore id="ks" password="p"/>'),
    ("invalid-value", E, '<keyStore id="ks" password="p" readOnly="yes"/>', "yes", '<keyStore id="ks" password="p" readOnly="TRUE"/>'),
    ("invalid-value", E, '<keyStore id="ks" password="p" pollingRate="soon"/>', "soon", '<keyStore id="ks" password="p" pollingRate="1m30s"/>'),
    ("invalid-value", W, f'<{IPIC} transidUsage="MIRROR"/>', "MIRROR", f'<{IPIC} transidUsage="EIB_AND_MIRROR"/>'),  # unconfirmed: never an error
    ("invalid-value", E, f'<{IPIC} zosConnectNetworkid="NET-1"/>', "NET-1", f'<{IPIC} zosConnectNetworkid="NET1"/>'),
    ("value-out-of-range", E, '<zosconnect_cicsIpicConnection id="c" host="h" port="70000"/>', "70000", '<zosconnect_cicsIpicConnection id="c" host="h" port="65535"/>'),
    ("value-out-of-range", E, f'<{IPIC} sendSessions="1000"/>', "1000", f'<{IPIC} sendSessions="1"/>'),
    ("value-too-long", E, f'<{IPIC} zosConnectApplid="ZOSCONNECT1"/>', "ZOSCONNECT1", f'<{IPIC} zosConnectApplid="ZOSCONN1"/>'),
    ("missing-required-attribute", E, '<zosconnect_cicsIpicConnection id="c" host="h"/>', "zosconnect_cicsIpicConnection", f"<{IPIC}/>"),
    ("ref-unresolved", E, f'<{IPIC} authDataRef="nope"/>', "nope", f'<{IPIC} authDataRef="cred"/>\n<zosconnect_authData id="cred" user="U" password="p"/>'),
    ("ref-unresolved", W, '<zosconnect_zosConnectInterceptors id="il" interceptorRef="audit, nope"/>\n<zosconnect_auditInterceptor id="audit"/>', "nope", '<zosconnect_zosConnectInterceptors id="il" interceptorRef="audit"/>\n<zosconnect_auditInterceptor id="audit"/>'),
    ("ref-wrong-type", E, f'<{IPIC} authDataRef="cred"/>\n<authData id="cred" user="U" password="p"/>', "cred", f'<{IPIC} authDataRef="cred"/>\n<zosconnect_authData id="cred" user="U" password="p"/>'),
    ("variable-unresolved", I, '<zosconnect_cicsIpicConnection id="c" host="${CICS_HOST}" port="1491"/>', "${CICS_HOST}", '<variable name="CICS_HOST" value="h"/>\n<zosconnect_cicsIpicConnection id="c" host="${CICS_HOST}" port="1491"/>'),
    ("feature-missing", W, '<zosconnect_db2Connection id="db2" host="h" port="4711"/>'.replace("db2Connection", "cicsIpicConnection"), "zosconnect_cicsIpicConnection", f"<{IPIC}/>"),
]


@pytest.mark.parametrize("code, severity, bad, needle, good", SCHEMA_CASES, ids=[f"{c[0]}-{i}" for i, c in enumerate(SCHEMA_CASES)])
def test_schema_rule(tmp_path, code, severity, bad, needle, good):
    features = code != "feature-missing"
    if code == "feature-missing":
        bad = "<featureManager>\n    <feature>zosconnect:zosConnect-2.0</feature>\n</featureManager>\n" + bad
        good = "<featureManager>\n    <feature>zosconnect:cicsService-1.0</feature>\n</featureManager>\n" + good
    p = write(tmp_path / "bad", "server.xml", server(bad, features))
    found = only(check(p), code)
    assert len(found) == 1, found
    [f] = found
    assert f.severity == severity
    assert f.path == str(p)
    assert range_of(f.range) == where(p, needle)
    assert f.message
    q = write(tmp_path / "good", "server.xml", server(good, features))
    assert check(q) == []


def test_every_schema_rule_has_a_case():
    from zcsec.rules import schema

    schema_codes = {c for c, r in RULES.items() if r.check.__module__ == schema.__name__}
    assert schema_codes == {c[0] for c in SCHEMA_CASES}


def test_feature_missing_without_feature_manager_is_information(tmp_path):
    p = write(tmp_path, "server.xml", server(f"<{IPIC}/>", features=False))
    [f] = check(p)
    assert (f.code, f.severity, f.fixes) == ("feature-missing", I, [])
    assert range_of(f.range) == where(p, "zosconnect_cicsIpicConnection")


def test_ref_wrong_type_points_at_the_definition(tmp_path):
    p = write(tmp_path, "server.xml", server(f'<{IPIC} authDataRef="cred"/>\n<authData id="cred" user="U" password="p"/>'))
    [f] = check(p)
    [(path, r, note)] = f.related_ranges
    assert path == str(p) and range_of(r) == where(p, "authData", 1)
    assert "<zosconnect_authData>" in f.message and "<authData>" in f.message


def test_implicit_default_ssl_config_is_not_unresolved(tmp_path):
    p = write(tmp_path, "server.xml", server(f'<{IPIC} sslCertsRef="defaultSSLConfig"/>'))
    assert check(p) == []


def test_nested_element_in_place_of_ref(tmp_path):
    body = '<ssl id="s">\n    <keyStore id="ks" password="p"/>\n</ssl>'
    p = write(tmp_path, "server.xml", server(body))
    assert only(check(p), "missing-required-attribute") == []


# code, severity, whole file, needle
XML_CASES = [
    ("xml-syntax", E, "<server>\n</server>\nstray text\n", "stray text"),
    ("xml-syntax", E, '<server>\n    <keyStore id="ks" password="p"\n</server>\n', "keyStore"),
    ("xml-unclosed", E, "<server>\n    <featureManager>\n        <feature>transportSecurity-1.0</feature>\n</server>\n", "featureManager"),
    ("xml-mismatch", E, '<server>\n    <keyStore id="k" password="p"/>\n    </keystore>\n</server>\n', "keystore"),
    ("xml-entity", E, '<server>\n    <variable name="x" value="a&b"/>\n</server>\n', "&b"),
    ("xml-entity", E, '<server>\n    <variable name="x" value="a & b"/>\n</server>\n', "&"),
    ("xml-entity", E, '<server>\n    <variable name="x" value="a&nbsp;b"/>\n</server>\n', "&nbsp;"),
    ("xml-duplicate-attribute", E, '<server>\n    <variable name="x" value="1" value="2"/>\n</server>\n', 'value="2"'[:5]),
    ("xml-doctype", W, '<!DOCTYPE server [<!ENTITY x SYSTEM "file:///etc/passwd">]>\n<server>\n</server>\n', "<!DOCTYPE"),
]


@pytest.mark.parametrize("code, severity, text, needle", XML_CASES, ids=[f"{c[0]}-{i}" for i, c in enumerate(XML_CASES)])
def test_xml_rule(tmp_path, code, severity, text, needle):
    p = write(tmp_path, "server.xml", text)
    found = only(check(p), code)
    assert len(found) == 1, check(p)
    [f] = found
    assert f.severity == severity
    occurrence = 1 if code == "xml-duplicate-attribute" else 0
    assert range_of(f.range) == where(p, needle, occurrence)


def test_entity_never_expanded(tmp_path):
    p = write(tmp_path, "server.xml", '<!DOCTYPE server [<!ENTITY x SYSTEM "file:///etc/passwd">]>\n<server>\n    <variable name="v" value="&x;"/>\n</server>\n')
    res = analyse([str(p)])
    [cfg] = res.workspace.configs
    assert cfg.variables["v"].value == "&x;"
    assert sorted(f.code for f in res.findings) == ["xml-doctype", "xml-entity"]


def test_well_formed_xml_has_no_syntax_findings(tmp_path):
    text = '<?xml version="1.0" encoding="UTF-8"?>\n<!-- a comment -->\n<server description="a &amp; b &#233; &#x41;">\n    <variable name="x" value=\'&lt;&gt;&quot;&apos;\'/>\n    <variable name="y"><![CDATA[&nothing;]]></variable>\n</server>\n'
    p = write(tmp_path, "server.xml", text)
    assert check(p) == []


# --- files, includes and project settings ----------------------------------


def test_file_unreadable(tmp_path):
    good = write(tmp_path, "server.xml", server(""))
    missing = tmp_path / "missing.xml"
    link = tmp_path / "dangling.xml"
    os.symlink(tmp_path / "nowhere.xml", link)
    findings = check(good, missing, link)
    assert [(f.code, f.severity, f.path, range_of(f.range)) for f in findings] == [
        ("file-unreadable", E, str(link), (0, 0, 0, 0)),
        ("file-unreadable", E, str(missing), (0, 0, 0, 0)),
    ]
    assert check(good) == []


@pytest.mark.parametrize("name", ["blob.csd", "blob.xml", "blob.txt"])
def test_file_binary(tmp_path, name):
    good = write(tmp_path, "server.xml", server(""))
    blob = write(tmp_path, name, b"\x00\x01\x02\x03 DEFINE IPCONN(X) GROUP(G)\n")
    findings = check(good, blob)
    assert [(f.code, f.severity, f.path, range_of(f.range)) for f in findings] == [("file-binary", W, str(blob), (0, 0, 0, 0))]


def test_file_too_large(tmp_path):
    write(tmp_path, ".zcsec.toml", "max_file_size_mb = 0.001\n")  # about 1 KB
    small = write(tmp_path, "a/server.xml", server(""))
    big = write(tmp_path, "b/server.xml", server("<!-- " + "x" * 2000 + " -->"))
    csd = write(tmp_path, "big.csd", "*" + "x" * 2000 + "\n")
    findings = check(small, big, csd)
    assert sorted((f.code, f.severity, f.path) for f in findings) == sorted([("file-too-large", W, str(big)), ("file-too-large", W, str(csd))])
    assert check(small) == []


def test_file_encoding(tmp_path):
    p = write(tmp_path, "server.xml", b'<server description="Z\xfcrich">\n</server>\n')
    [f] = check(p)
    assert (f.code, f.severity, range_of(f.range)) == ("file-encoding", W, (0, 0, 0, 0))
    latin1 = write(tmp_path / "ok", "server.xml", b'<?xml version="1.0" encoding="ISO-8859-1"?>\n<server description="Z\xfcrich">\n</server>\n')
    assert check(latin1) == []


# code, severity, server.xml body, other files, needle in server.xml (None: in the other file)
INCLUDE_CASES = [
    ("include-missing", E, '<include location="tls.xml"/>', {}, "tls.xml"),
    ("include-cycle", E, '<include location="b.xml"/>', {"b.xml": server('<include location="server.xml"/>', False)}, None),
    ("include-unreadable", E, '<include location="tls.xml"/>', {"tls.xml": b"\x00\x00binary"}, "tls.xml"),
    ("include-remote", I, '<include location="http://cfg.example.com/tls.xml"/>', {}, "http://cfg.example.com/tls.xml"),
    ("include-unresolved", I, '<include location="${CONF}/tls.xml"/>', {}, "${CONF}/tls.xml"),
    ("include-not-server", E, '<include location="tls.xml"/>', {"tls.xml": "<client>\n</client>\n"}, None),
]


@pytest.mark.parametrize("code, severity, body, files, needle", INCLUDE_CASES, ids=[c[0] for c in INCLUDE_CASES])
def test_include_rule(tmp_path, code, severity, body, files, needle):
    root = write(tmp_path, "server.xml", server(body))
    for rel, text in files.items():
        write(tmp_path, rel, text)
    findings = check(root)
    assert [f.code for f in findings] == [code]
    [f] = findings
    assert f.severity == severity
    if needle is not None:
        assert f.path == str(root)
        assert range_of(f.range) == where(root, needle)
    elif code == "include-cycle":
        b = tmp_path / "b.xml"
        assert f.path == str(b) and range_of(f.range) == where(b, "server.xml")
    else:
        inc = tmp_path / "tls.xml"
        assert f.path == str(inc) and range_of(f.range) == where(inc, "client")
    # The passing case: a well-formed server file where the include points.
    for rel in files:
        (tmp_path / rel).unlink()
    write(tmp_path, "tls.xml", server("", False))
    fixed = body.replace("http://cfg.example.com/", "").replace("${CONF}/", "").replace("b.xml", "tls.xml")
    write(tmp_path, "server.xml", server(fixed))
    assert check(root) == []


def test_project_config(tmp_path):
    p = write(tmp_path, "server.xml", server(""))
    proj = write(tmp_path, ".zcsec.toml", '[rules]\nfeature-missing = "loud"\n')
    [f] = check(p)
    assert (f.code, f.severity, f.path, range_of(f.range)) == ("project-config", W, str(proj), (0, 0, 0, 0))
    assert "feature-missing" in f.message
    write(tmp_path, ".zcsec.toml", '[rules]\nfeature-missing = "error"\n')
    assert check(p) == []


def test_project_catalogue_problem_is_a_project_config_finding(tmp_path):
    proj = write(tmp_path, ".zcsec.toml", 'schemas = ["schemas"]\n')
    broken = write(tmp_path, "schemas/acme.json", '{"kind": "liberty", "elements": {')
    p = write(tmp_path, "server.xml", server(""))
    [f] = check(p)
    assert (f.code, f.severity, f.path, range_of(f.range)) == ("project-config", W, str(proj), (0, 0, 0, 0))
    assert str(broken) in f.message
    broken.write_text('{"kind": "liberty", "elements": {}}')
    assert check(p) == []


def test_every_wellformed_rule_has_a_case():
    from zcsec.rules import wellformed

    covered = {c[0] for c in XML_CASES} | {c[0] for c in INCLUDE_CASES} | {"file-unreadable", "file-binary", "file-too-large", "file-encoding", "project-config"}
    covered |= {"remote-unreadable"}  # tests/test_remote.py and tests/lsp/test_remote_projects.py
    codes = {c for c, r in RULES.items() if r.check.__module__ == wellformed.__name__}
    assert codes - {"internal-error"} == covered


# ---------------------------------------------------------------------------
# Fixes
# ---------------------------------------------------------------------------


def test_unknown_attribute_rename_fix(tmp_path):
    body = f'<{IPIC}\n    sslCertRef="t"/>\n<ssl id="t" keyStoreRef="ks"/>\n<keyStore id="ks" password="p"/>'
    p = write(tmp_path, "server.xml", server(body))
    [f] = check(p)
    assert f.code == "unknown-attribute"
    assert "sslCertsRef" in f.message
    [fix] = f.fixes
    assert fix.title == "Rename to 'sslCertsRef'"
    [edit] = fix.edits
    assert edit.path == str(p)
    assert edit.new_text == "sslCertsRef"
    assert range_of(edit.range) == where(p, "sslCertRef") == range_of(f.range)
    p.write_text(apply_edits(p.read_text(), fix.edits))
    assert check(p) == []


@pytest.mark.parametrize("newline, indent", [("\n", "    "), ("\r\n", "    "), ("\n", "\t")])
def test_ref_unresolved_create_fix(tmp_path, newline, indent):
    lines = [
        "<server>",
        f"{indent}<featureManager>",
        f"{indent}{indent}<feature>zosconnect:cicsService-1.0</feature>",
        f"{indent}</featureManager>",
        f'{indent}<zosconnect_cicsIpicConnection id="cics" host="h" port="1491"',
        f'{indent}{indent}authDataRef="cicsCred"/>',
        f'{indent}<zosconnect_authData id="other" user="U" password="p"/>',
        "</server>",
        "",
    ]
    text = newline.join(lines)
    p = write(tmp_path, "server.xml", text)
    [f] = check(p)
    assert f.code == "ref-unresolved"
    assert range_of(f.range) == where(p, "cicsCred")
    [fix] = [x for x in f.fixes if x.title.startswith("Create")]
    assert fix.title == 'Create <zosconnect_authData id="cicsCred">'
    [edit] = fix.edits
    assert (edit.range.start.line, edit.range.start.character) == (5, len(f'{indent}{indent}authDataRef="cicsCred"/>'))
    out = apply_edits(text, fix.edits)
    new_lines = out.split(newline)
    assert new_lines[:6] == lines[:6]
    assert new_lines[6].startswith(f'{indent}<zosconnect_authData id="cicsCred"')
    assert new_lines[6].endswith("/>")
    assert new_lines[7:] == lines[6:]
    p.write_bytes(out.encode())
    assert only(check(p), "ref-unresolved") == []


def test_ref_unresolved_near_miss_fix(tmp_path):
    p = write(tmp_path, "server.xml", server(f'<{IPIC} authDataRef="cicsCrd"/>\n<zosconnect_authData id="cicsCred" user="U" password="p"/>'))
    [f] = check(p)
    assert f.code == "ref-unresolved" and "did you mean 'cicsCred'" in f.message
    change = f.fixes[0]
    assert change.title == "Change to 'cicsCred'"
    [edit] = change.edits
    assert range_of(edit.range) == where(p, "cicsCrd") and edit.new_text == "cicsCred"
    p.write_text(apply_edits(p.read_text(), change.edits))
    assert check(p) == []


def test_ref_unresolved_fix_for_nested_element_goes_after_top_element(tmp_path):
    body = '<zosconnect_zosConnectService id="svc" serviceName="s">\n    <notAThing/>\n</zosconnect_zosConnectService>'
    text = server(f'<zosconnect_cicsIpicConnection id="c" host="h" port="1491" authDataRef="cred"/>\n{body}')
    p = write(tmp_path, "server.xml", text)
    [f] = only(check(p), "ref-unresolved")
    [fix] = [x for x in f.fixes if x.title.startswith("Create")]
    out = apply_edits(text, fix.edits)
    assert '<zosconnect_cicsIpicConnection id="c" host="h" port="1491" authDataRef="cred"/>\n    <zosconnect_authData id="cred"' in out


@pytest.mark.parametrize("indent", ["        ", "\t\t"])
def test_feature_missing_fix(tmp_path, indent):
    outer = indent[: len(indent) // 2]
    text = (
        "<server>\n"
        f"{outer}<featureManager>\n"
        f"{indent}<feature>zosconnect:zosConnect-2.0</feature>\n"
        f"{indent}<feature>appSecurity-2.0</feature>\n"
        f"{outer}</featureManager>\n"
        f'{outer}<zosconnect_cicsIpicConnection id="c" host="h" port="1491"/>\n'
        "</server>\n"
    )
    p = write(tmp_path, "server.xml", text)
    [f] = check(p)
    assert (f.code, f.severity) == ("feature-missing", W)
    assert "zosconnect:cicsService-1.0" in f.message
    [fix] = f.fixes
    assert fix.title == "Add feature zosconnect:cicsService-1.0"
    out = apply_edits(text, fix.edits)
    assert out.splitlines()[1:5] == [
        f"{outer}<featureManager>",
        f"{indent}<feature>zosconnect:zosConnect-2.0</feature>",
        f"{indent}<feature>appSecurity-2.0</feature>",
        f"{indent}<feature>zosconnect:cicsService-1.0</feature>",
    ]
    p.write_text(out)
    assert check(p) == []


def test_feature_missing_fix_into_include_feature_manager(tmp_path):
    """The feature goes to the first featureManager, wherever it is."""
    root = write(tmp_path, "server.xml", '<server>\n    <include location="features.xml"/>\n    <zosconnect_cicsIpicConnection id="c" host="h" port="1491"/>\n</server>\n')
    feats = write(tmp_path, "features.xml", "<server>\n  <featureManager>\n    <feature>zosconnect:zosConnect-2.0</feature>\n  </featureManager>\n</server>\n")
    [f] = check(root)
    assert f.code == "feature-missing" and f.path == str(root)
    [edit] = f.fixes[0].edits
    assert edit.path == str(feats)
    feats.write_text(apply_edits(feats.read_text(), [edit]))
    assert "    <feature>zosconnect:cicsService-1.0</feature>\n" in feats.read_text()
    assert check(root) == []


@pytest.mark.parametrize(
    "element, expected",
    [
        ('<zosconnect_cicsIpicConnection id="c" host="h"/>', '<zosconnect_cicsIpicConnection id="c" host="h" port=""/>'),
        ('<zosconnect_cicsIpicConnection id="c" host="h" />', '<zosconnect_cicsIpicConnection id="c" host="h" port="" />'),
        ('<zosconnect_cicsIpicConnection id="c"\n        host="h"/>', '<zosconnect_cicsIpicConnection id="c"\n        host="h" port=""/>'),
        ('<zosconnect_cicsIpicConnection id="c" host="h"></zosconnect_cicsIpicConnection>', '<zosconnect_cicsIpicConnection id="c" host="h" port=""></zosconnect_cicsIpicConnection>'),
    ],
)
def test_missing_required_attribute_fix(tmp_path, element, expected):
    text = server(element)
    p = write(tmp_path, "server.xml", text)
    [f] = check(p)
    assert f.code == "missing-required-attribute" and "'port'" in f.message
    [fix] = f.fixes
    assert fix.title == 'Add port=""'
    [edit] = fix.edits
    assert edit.new_text == ' port=""'
    assert edit.range.start == edit.range.end
    out = apply_edits(text, fix.edits)
    assert out == text.replace(textwrap.indent(element, "    ").strip(), textwrap.indent(expected, "    ").strip())


# ---------------------------------------------------------------------------
# Secrets never appear in messages
# ---------------------------------------------------------------------------

CANARY = "CANARY-s3cr3t"

SECRET_CATALOGUE = {
    "kind": "liberty",
    "elements": {
        "acme_vault": {
            "confirmed": True,
            "attributes": {
                "id": {"type": "id"},
                "pin": {"type": "int", "secret": True, "min": 0, "max": 9999},
                "token": {"type": "string", "secret": True, "maxLength": 8},
                "phrase": {"type": "string", "secret": True, "pattern": "^[a-z]+$"},
                "mode": {"type": "enum", "values": ["A", "B"], "secret": True},
                "flag": {"type": "boolean", "secret": True},
                "ttl": {"type": "duration", "secret": True},
                "hash": {"type": "passwordHash", "maxLength": 4},
                "password": {"type": "password", "pattern": "^[{].*"},
            },
        }
    },
}


def test_secrets_never_appear_in_messages(tmp_path):
    schemas = tmp_path / "schemas"
    write(schemas, "acme.json", json.dumps(SECRET_CATALOGUE))
    write(tmp_path, ".zcsec.toml", 'schemas = ["schemas"]\n')
    write(tmp_path, "bootstrap.properties", f"vault.pin=98{CANARY[-4:]}\nvault.phrase={CANARY}\n")
    secret_pin = "99999123"  # a number: out of range rather than invalid
    body = f"""
        <keyStore id="ks" location="k.p12" password="{CANARY}&amp;x&{CANARY[:6]};" readOnly="true"/>
        <zosconnect_authData id="cred" user="U" password="{CANARY}&{CANARY[7:]}"/>
        <authData id="ad" user="U" password="{CANARY}"/>
        <acme_vault id="v1" pin="{secret_pin}" token="{CANARY}" phrase="{CANARY}" mode="{CANARY}"
            flag="{CANARY}" ttl="{CANARY}" hash="{CANARY}" password="{CANARY}"/>
        <acme_vault id="v2" pin="${{vault.pin}}" phrase="${{vault.phrase}}"/>
        <acme_vault id="v3" pin="-{secret_pin}"/>
        <acme_unknownThing adminPassword="{CANARY}&{CANARY[:6]};"/>
    """
    p = write(tmp_path, "server.xml", server(body))
    findings = check(p, everything=True)
    codes = sorted(f.code for f in findings)
    # The invalid content is found ...
    assert codes.count("xml-entity") == 3, findings
    # mode, flag, ttl and pin via a variable; pin twice; token and hash.
    # (Patterns are never checked on secrets: a mismatch would hint at the value.)
    assert codes.count("invalid-value") == 4, findings
    assert codes.count("value-out-of-range") == 2, findings
    assert codes.count("value-too-long") == 2, findings
    assert sorted(f.message.split("'")[1] for f in findings if f.code == "xml-entity" and f.message.startswith("the secret value of")) == ["adminPassword", "password", "password"]
    # ... but no message shows any part of the secret values.
    for f in findings:
        for fragment in (CANARY, CANARY[:6], CANARY[7:], secret_pin, "9999123", CANARY[-4:]):
            assert fragment not in f.message, (f.code, f.message)
        for fix in f.fixes:
            assert CANARY not in fix.title


# ---------------------------------------------------------------------------
# Suppression comments
# ---------------------------------------------------------------------------


def test_disable_next_line(tmp_path):
    body = f"""
        <!-- zcsec-disable-next-line ref-unresolved -->
        <{IPIC} authDataRef="nope1"/>
        <zosconnect_cicsIpicConnection id="c2" host="h" port="1492" authDataRef="nope2"/>
        <!-- zcsec-disable-next-line unknown-attribute -->
        <zosconnect_cicsIpicConnection id="c3" host="h" port="1493" authDataRef="nope3"/>
    """
    p = write(tmp_path, "server.xml", server(body))
    findings = check(p)
    assert [(f.code, range_of(f.range)) for f in findings] == [("ref-unresolved", where(p, "nope2")), ("ref-unresolved", where(p, "nope3"))]


def test_disable_next_line_all_codes_and_lists(tmp_path):
    body = f"""
        <!-- zcsec-disable-next-line -->
        <{IPIC} authDataRef="nope1" sslCertRef="x"/>
        <!-- zcsec-disable-next-line unknown-attribute, ref-unresolved -->
        <zosconnect_cicsIpicConnection id="c2" host="h" port="1492" authDataRef="nope2" sslCertRef="x"/>
        <zosconnect_cicsIpicConnection id="c3" host="h" port="1493" authDataRef="nope3"/>
    """
    p = write(tmp_path, "server.xml", server(body))
    assert [(f.code, range_of(f.range)) for f in check(p)] == [("ref-unresolved", where(p, "nope3"))]


def test_disable_for_rest_of_file(tmp_path):
    body = """
        <keyStore id="ks1" location="k.p12" password="p" passwrd="x"/>
        <!-- zcsec-disable unknown-attribute -->
        <keyStore id="ks2" location="k.p12" password="p" passwrd="y"/>
        <keyStore id="ks3" location="k.p12" password="p" passwrd="z" readOnly="maybe"/>
    """
    p = write(tmp_path, "server.xml", server(body))
    findings = check(p)
    assert [(f.code, range_of(f.range)) for f in findings] == [
        ("unknown-attribute", where(p, "passwrd", 0)),
        ("invalid-value", where(p, "maybe")),
    ]


# ---------------------------------------------------------------------------
# Issue 10: Liberty's own semantics, seen in real configurations
# ---------------------------------------------------------------------------


def codes_of(findings, worst=I):
    return sorted((f.code, f.severity) for f in findings if f.severity <= worst)


def test_attribute_names_are_read_without_regard_to_case(tmp_path):
    # hostname is hostName to Liberty: the MQ connection factory has a host,
    # and the only finding is a hint about the spelling.
    body = (
        '<jmsConnectionFactory id="cf" jndiName="jms/cf">\n'
        '    <properties.wmqJMS hostname="mq.example.com" port="1414" channel="C" queueManager="Q" transportType="CLIENT" sslCipherSuite="TLS_AES_256_GCM_SHA384"/>\n'
        "</jmsConnectionFactory>"
    )
    p = write(tmp_path, "server.xml", server(body))
    found = check(p)
    assert codes_of(found, W) == [], found
    assert ("attribute-name-case", H) in codes_of(found, H)
    assert ("element-name-case", H) in codes_of(found, H)  # properties.wmqJMS, a nested element


def test_top_level_element_names_are_exact(tmp_path):
    # Liberty looks top-level elements up by exact name: <keystore> is ignored.
    p = write(tmp_path, "server.xml", server('<keystore id="ks" location="k.p12" password="{aes}x"/>'))
    [f] = [f for f in check(p) if f.code == "element-name-case"]
    assert f.severity == W and "ignores" in f.message


def test_upper_case_id_is_no_id(tmp_path):
    p = write(tmp_path, "server.xml", server('<zosconnect_authData ID="cred" user="U" password="{aes}x"/>\n<zosconnect_cicsIpicConnection id="c" host="h" port="1491" authDataRef="cred"/>'))
    assert [f.code for f in check(p) if f.code == "ref-unresolved"] == ["ref-unresolved"]


def test_id_is_accepted_on_every_element(tmp_path):
    p = write(tmp_path, "server.xml", server('<executor id="default" coreThreads="5"/>\n<wasJmsEndpoint id="ep" wasJmsPort="7276"/>'))
    assert [f for f in check(p) if f.code == "unknown-attribute"] == []


def test_multi_valued_setting_written_as_attribute_is_known(tmp_path):
    body = '<oauthProvider id="op"><localStore><client name="rp" redirect="https://rp/cb" resourceIds="api"/></localStore></oauthProvider>'
    p = write(tmp_path, "server.xml", server(body))
    assert [f for f in check(p) if f.code == "unknown-attribute"] == []


def test_feature_closure_from_open_liberty_data(tmp_path):
    # transportSecurity-1.0 brings in ssl-1.0 (Open Liberty's feature data);
    # webProfile-8.0 brings in appSecurity: no feature-missing.
    fm = "<featureManager><feature>webProfile-8.0</feature><feature>transportSecurity-1.0</feature></featureManager>\n"
    p = write(tmp_path / "a", "server.xml", f"<server>\n{fm}<keyStore id=\"ks\" location=\"k.p12\" password=\"{{aes}}x\"/>\n<basicRegistry id=\"b\"/>\n</server>\n")
    assert [f for f in check(p) if f.code == "feature-missing"] == []
    # A product feature whose closure is unknown may bring in Liberty features.
    fm = "<featureManager><feature>cicsts:security-1.0</feature></featureManager>\n"
    p = write(tmp_path / "b", "server.xml", f"<server>\n{fm}<safRegistry id=\"saf\"/>\n</server>\n")
    assert [f for f in check(p) if f.code == "feature-missing"] == []
    # A feature with a known closure that does not have it: reported.
    fm = "<featureManager><feature>jdbc-4.2</feature></featureManager>\n"
    p = write(tmp_path / "c", "server.xml", f"<server>\n{fm}<keyStore id=\"ks\" location=\"k.p12\" password=\"{{aes}}x\"/>\n</server>\n")
    assert [f.code for f in check(p) if f.code == "feature-missing"] == ["feature-missing"]


def test_default_instances_resolve_and_merge(tmp_path):
    # defaultHttpEndpoint and defaultKeyStore exist without being written;
    # <ssl id="defaultSSLConfig"> already has keyStoreRef="defaultKeyStore".
    body = (
        '<ssl id="defaultSSLConfig" trustStoreRef="defaultKeyStore"/>\n'
        '<sslDefault sslRef="defaultSSLConfig"/>\n'
        '<httpDispatcher enableWelcomePage="false"/>\n'
        '<virtualHost id="default_host" allowFromEndpointRef="defaultHttpEndpoint"/>'
    )
    p = write(tmp_path, "server.xml", server(body))
    assert codes_of(check(p), W) == []


def test_an_unknown_trust_store_is_still_an_error(tmp_path):
    # There is no default instance called defaultTrustStore.
    p = write(tmp_path, "server.xml", server('<ssl id="s" keyStoreRef="defaultKeyStore" trustStoreRef="defaultTrustStore"/>'))
    assert [(f.code, f.severity) for f in check(p) if f.code == "ref-unresolved"] == [("ref-unresolved", E)]


def test_placeholder_in_angle_brackets_is_one_error_and_the_rest_is_analysed(tmp_path):
    body = (
        '<dataSource id="ds" jndiName="jdbc/ds">\n'
        '    <properties.db2.jcc databaseName="<database>" serverName="localhost"\n'
        '        portNumber="<port>" user="<userid>" password="<password>"/>\n'
        "</dataSource>"
    )
    p = write(tmp_path, "server.xml", server(body))
    found = [f for f in check(p) if f.severity <= W]
    assert sorted(f.code for f in found) == ["xml-syntax"] * 4, found
    messages = " ".join(f.message for f in found)
    assert "'<database>' looks like a placeholder" in messages
    assert "<password>" not in messages  # a secret value is never shown, even a placeholder
    assert range_of(found[0].range) == where(p, "<database>")


def test_misspelt_end_tag_is_one_finding(tmp_path):
    p = write(tmp_path, "server.xml", '<server>\n<zosconnect_apiRequesters location="/x">\n</zosconnect_services>\n</server>\n')
    assert [f.code for f in check(p) if f.severity <= W] == ["xml-mismatch"]


def test_runtime_generated_include_is_information(tmp_path):
    p = write(tmp_path, "server.xml", '<server>\n<include location="${server.output.dir}/installedApps.xml"/>\n</server>\n')
    [f] = [f for f in check(p) if f.code == "include-missing"]
    assert f.severity == I and "at run time" in f.message


def test_layout_directory_include_outside_a_liberty_layout_is_information(tmp_path):
    p = write(tmp_path, "server.xml", '<server>\n<include location="${shared.config.dir}/common.xml"/>\n</server>\n')
    [f] = [f for f in check(p) if f.code == "include-missing"]
    assert f.severity == I
    # A plain missing include is still an error.
    q = write(tmp_path / "b", "server.xml", '<server>\n<include location="tls.xml"/>\n</server>\n')
    assert [(f.code, f.severity) for f in check(q) if f.code == "include-missing"] == [("include-missing", E)]


def test_references_into_a_missing_include_are_folded(tmp_path):
    body = '<include location="tls.xml"/>\n<zosconnect_cicsIpicConnection id="c" host="h" port="1491" sslCertsRef="tls"/>'
    p = write(tmp_path, "server.xml", server(body))
    found = check(p)
    assert [(f.code, f.severity) for f in found if f.severity <= W] == [("include-missing", E)]
    assert [f.severity for f in found if f.code == "ref-unresolved"] == [I]


def test_a_fragment_checked_alone(tmp_path):
    # db2.xml is included by a server.xml that is not in view: its features,
    # the ids it names and attributes merged by id come from there.
    body = (
        '<zosconnect_zosConnectServiceRestClientConnection id="db2" host="db2.example.com" port="2446" sslCertsRef="OutboundSSLSettings"/>\n'
        '<enterpriseApplication id="com.example.console"/>'
    )
    p = write(tmp_path, "db2.xml", f"<server>\n{body}\n</server>\n")
    found = check(p)
    assert codes_of(found, W) == [], found
    assert [f.severity for f in found if f.code == "ref-unresolved"] == [I]


def test_reference_to_an_element_of_a_product_extension(tmp_path):
    body = '<zosconnect_zosConnectService id="s" serviceName="dvs" serviceRef="dvs"/>\n<usr_dvsService id="dvs" invokeURI="/dvs"/>'
    p = write(tmp_path, "server.xml", server(body))
    assert [f for f in check(p) if f.code == "ref-wrong-type"] == []


def test_unknown_attribute_that_bears_on_no_security_setting_is_a_hint(tmp_path):
    p = write(tmp_path, "server.xml", server('<webApplication id="app" location="app.war" context-root="/app"/>'))
    assert [(f.code, f.severity) for f in check(p) if f.code == "unknown-attribute"] == [("unknown-attribute", H)]


def test_negative_durations_and_jakarta_names_are_accepted(tmp_path):
    body = (
        '<connectionManager id="cm" agedTimeout="-1" connectionTimeout="1M30S"/>\n'
        '<jmsQueue id="q" jndiName="jms/q"><properties.wasJms queueName="Q"/></jmsQueue>\n'
        '<jmsActivationSpec id="app/mdb"><properties.wasJms destinationRef="q" destinationType="jakarta.jms.Queue"/></jmsActivationSpec>'
    )
    p = write(tmp_path, "server.xml", server(body))
    assert [f for f in check(p) if f.code in ("invalid-value", "ref-wrong-type")] == []


@given(st.text(alphabet="<>{}@+&.YOUR_ab1 ", max_size=30) | st.text(max_size=30))
def test_a_placeholder_is_looked_for_only_where_one_can_be(value):
    """The placeholder functions skip the search of a value without a
    character a placeholder starts with: the same answers as the search."""
    for found, pattern in ((xml_placeholder(value), _XML), (csd_placeholder(value), _CSD)):
        m = pattern.search(value)
        assert found == (m.group(0) if m else None)
