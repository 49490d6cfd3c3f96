"""The example workspaces under examples/.

* A secure example (examples/*-secure) produces nothing at warning or above:
  no false alarms.
* Every problem planted in an insecure example (the line after an
  ``insecure:`` comment) is reported with the expected code.
* Secrets never leave the process: every secret attribute of every example
  is replaced by a canary, and no canary may appear in any output of
  ``zcsec check`` or ``zcsec posture``.
"""

from __future__ import annotations

import json
import re
import shutil
from pathlib import Path

import pytest

from zcsec.analysis import analyse, analyse_projects
from zcsec.cli import main
from zcsec.findings import Severity
from zcsec.posture import is_encoded

E, W, I, H = Severity.ERROR, Severity.WARNING, Severity.INFORMATION, Severity.HINT

ROOT = Path(__file__).resolve().parent.parent
EXAMPLES = ROOT / "examples"
SECURE = sorted(p for p in EXAMPLES.glob("*-secure") if p.is_dir())
INSECURE = sorted(p for p in EXAMPLES.glob("*-insecure") if p.is_dir())


def findings_of(folder: Path):
    out = []
    for result in analyse_projects([str(folder)]):
        out.extend(result.findings)
    return out


def describe(findings) -> list[str]:
    return [f"{Path(f.path).relative_to(EXAMPLES)}:{f.range.start.line + 1} {f.severity.label} {f.code}: {f.message}" for f in findings]


def test_every_provider_has_a_secure_and_an_insecure_example():
    # One pair per provider, and one for the caller (who calls z/OS Connect).
    secure = {p.name.removesuffix("-secure") for p in SECURE}
    insecure = {p.name.removesuffix("-insecure") for p in INSECURE}
    assert secure == insecure == {"caller", "cics", "ims", "imsdb", "mq", "rest", "wola"}
    for p in SECURE + INSECURE:
        assert (p / ".zcsec.toml").is_file(), p


# ---------------------------------------------------------------------------
# Secure examples: no false alarms
# ---------------------------------------------------------------------------


@pytest.mark.parametrize("example", SECURE, ids=[p.name for p in SECURE])
def test_secure_example_has_nothing_at_warning_or_above(example):
    findings = findings_of(example)
    serious = [f for f in findings if f.severity <= W]
    assert serious == [], "\n".join(describe(serious))
    # Every file of the example was read as part of a workspace.
    results = analyse_projects([str(example)])
    checked = {f.path for r in results for f in r.workspace.files()}
    assert str(example / "server.xml") in checked


@pytest.mark.parametrize("example", SECURE, ids=[p.name for p in SECURE])
def test_secure_example_cli_exits_zero(example, capsys):
    assert main(["check", "--fail-on", "warning", str(example)]) == 0
    capsys.readouterr()


def test_secure_cics_example_posture():
    ws = analyse([str(EXAMPLES / "cics-secure")]).workspace
    from zcsec.posture import postures

    [p] = [p for cfg in ws.configs for p in postures(ws, cfg)]
    assert (p.transport, p.bind, p.identity) == ("tls", "client-certificate", "asserted-caller")
    assert p.cics.ipconn is not None and p.cics.ipconn.name == "ZCEECONN" and p.unknowns == []


# ---------------------------------------------------------------------------
# Insecure examples: the planted problems
# ---------------------------------------------------------------------------

# (example, file with the marker, text of the marker after "insecure:",
#  file of the finding, code, severity, text on the line where the finding starts)
PLANTED = [
    # caller-insecure
    ("caller-insecure", "server.xml", 'requireSecure="false" with HTTP port 9080 open', "server.xml", "caller-over-plain-http", W, 'requireSecure="false"'),
    ("caller-insecure", "server.xml", 'requireAuth="false" on an API', "server.xml", "caller-unauthenticated", W, 'requireAuth="false"'),
    ("caller-insecure", "server.xml", "the caller's ID is asserted to CICS", "server.xml", "caller-not-saf-user", W, '<zosconnect_cicsIpicConnection id="cicsBr"'),
    # cics-insecure
    ("cics-insecure", "server.xml", "IPCONN ZCEECONN (port 1492) is USERAUTH(VERIFY)", "server.xml", "cics-verify-without-credentials", E, '<zosconnect_cicsIpicConnection id="cicsConn"'),
    ("cics-insecure", "server.xml", "zosConnectApplid without zosConnectNetworkid", "server.xml", "cics-idprop-incomplete", W, 'zosConnectApplid="ZCEEAPPL"'),
    ("cics-insecure", "server.xml", '"sslCertRef" is a misspelling', "server.xml", "unknown-attribute", W, 'sslCertRef="ipicTls"'),
    ("cics-insecure", "server.xml", "fixed credentials sent to port 1493", "server.xml", "cics-credentials-in-clear", W, 'authDataRef="cicsCreds"'),
    ("cics-insecure", "server.xml", "clear-text password", "server.xml", "password-clear-text", W, '<zosconnect_authData id="cicsCreds"'),
    ("cics-insecure", "server.xml", "sslCertsRef names an ssl element that does not exist", "server.xml", "ref-unresolved", E, 'sslCertsRef="batchTls"'),
    ("cics-insecure", "server.xml", "no PROTOCOL(IPIC) TCPIPSERVICE listens on port 1499", "server.xml", "cics-port-no-listener", W, 'port="1499"'),
    ("cics-insecure", "csd/zcipic.csd", "SSL(YES) is server-side TLS only", "csd/zcipic.csd", "cics-certuser-needs-clientauth", E, "LINKAUTH(CERTUSER)"),
    ("cics-insecure", "csd/zcipic.csd", "AUTHENTICATE belongs to HTTP listeners", "csd/zcipic.csd", "csd-keyword-protocol", W, "AUTHENTICATE(BASIC)"),
    ("cics-insecure", "csd/zcipic.csd", "SECURITYNAME only applies with LINKAUTH(SECUSER)", "csd/zcipic.csd", "cics-securityname-with-certuser", W, "SECURITYNAME(ZCLINK)"),
    ("cics-insecure", "csd/zcipic.csd", "USERAUTH(VERIFY) expects a user ID and password", "server.xml", "cics-verify-without-credentials", E, '<zosconnect_cicsIpicConnection id="cicsConn"'),
    ("cics-insecure", "csd/zcipic.csd", "CIPHERS allows 3DES (0A) and single DES (09)", "csd/zcipic.csd", "cics-weak-cipher", W, "CIPHERS(352F0A09)"),
    ("cics-insecure", "includes/tls.xml", "sslProtocol still allows TLS 1.0", "includes/tls.xml", "tls-old-protocol", W, 'sslProtocol="TLSv1,TLSv1.2"'),
    ("cics-insecure", "csd/DEFIPIC.jcl", "no URM given", "csd/DEFIPIC.jcl", "cics-autoinstall-listener", W, "DEFINE TCPIPSERVICE(ZCIPIC2)"),
    ("cics-insecure", "csd/DEFIPIC.jcl", "SSL(NO): credentials sent by server.xml connection", "server.xml", "cics-credentials-in-clear", W, 'authDataRef="cicsCreds"'),
    # ims-insecure
    ("ims-insecure", "server.xml", "two connection profiles share connection factory imsCF1", "server.xml", "ims-shared-connection-factory", W, '<imsmobile_imsConnection id="IMSCONNB"'),
    ("ims-insecure", "server.xml", "sslCertsRef is not an attribute of imsmobile_imsConnection", "server.xml", "ims-liberty-tls", W, 'sslCertsRef="DefaultSSLSettings"'),
    ("ims-insecure", "server.xml", "authData imsAuth is shared by imsCF1 and imsCF2", "server.xml", "ims-shared-connection-factory", W, '<connectionFactory id="imsCF2"'),
    ("ims-insecure", "server.xml", "containerAuthDataRef must name a Liberty authData", "server.xml", "ref-wrong-type", E, '<connectionFactory id="imsCF3"'),
    ("ims-insecure", "server.xml", "clear-text password", "server.xml", "password-clear-text", W, '<authData id="imsAuth"'),
    # imsdb-insecure
    ("imsdb-insecure", "server.xml", "a fixed technical user with a clear-text password", "server.xml", "password-clear-text", W, 'password="imsTech01"'),
    ("imsdb-insecure", "server.xml", 'sslConnection="true" asks the driver for TLS', "server.xml", "ims-liberty-tls", W, 'sslConnection="true"'),
    # mq-insecure
    ("mq-insecure", "server.xml", "sslCipherSuite only applies in client mode", "server.xml", "mq-tls-in-bindings-mode", E, "sslCipherSuite="),
    ("mq-insecure", "server.xml", "client mode without a channel", "server.xml", "mq-client-incomplete", W, "<properties.wmqJms"),
    ("mq-insecure", "server.xml", "the cipher suite is 3DES", "server.xml", "tls-weak-cipher", W, 'sslCipherSuite="SSL_RSA_WITH_3DES_EDE_CBC_SHA"'),
    ("mq-insecure", "server.xml", "clear-text password in a service property", "server.xml", "password-clear-text", W, '<property name="password"'),
    # rest-insecure
    ("rest-insecure", "server.xml", "securityLevel LOW lets the JVM offer weak suites", "server.xml", "tls-weak-cipher", W, 'securityLevel="LOW"'),
    ("rest-insecure", "server.xml", "credentials go to Db2 over plain HTTP", "server.xml", "rest-credentials-over-http", W, 'basicAuthRef="db2aAuth"'),
    ("rest-insecure", "server.xml", "applName (PassTicket for the caller) together with", "server.xml", "rest-passticket-with-password", W, 'applName="DB2CLU"'),
    ("rest-insecure", "server.xml", '"user" is the zosconnect_authData spelling', "server.xml", "credentials-attribute-name", W, 'user="DB2TECH"'),
    ("rest-insecure", "server.xml", "https host without sslCertsRef", "server.xml", "rest-https-without-ssl", E, 'host="https://rates.example.com"'),
    ("rest-insecure", "server.xml", "basicAuthRef is deprecated on endpoint connections", "server.xml", "deprecated-attribute", I, 'basicAuthRef="ratesCreds"'),
    ("rest-insecure", "oa3/server.xml", "a {hash} password is one-way", "oa3/server.xml", "password-hash-not-recoverable", W, 'password="{hash}'),
    # wola-insecure
    ("wola-insecure", "server.xml", "zosLocalAdapters-1.0 is missing", "server.xml", "feature-missing", W, "<zosLocalAdapters "),
    ("wola-insecure", "server.xml", "wolaName3 is missing", "server.xml", "missing-required-attribute", E, "<zosLocalAdapters "),
    ("wola-insecure", "server.xml", "no containerAuthDataRef", "server.xml", "wola-no-container-auth", W, '<connectionFactory id="wolaCF"'),
    ("wola-insecure", "server.xml", "registerName has 14 characters", "server.xml", "value-too-long", E, 'registerName="ACCOUNTBATCH01"'),
]


def comment_lines(path: Path) -> set[int]:
    """0-based numbers of the lines that are (part of) comments: XML
    <!-- ... -->, CSD records with '*' in column 1, JCL //* lines."""
    out: set[int] = set()
    inside = False
    for n, line in enumerate(path.read_text(encoding="utf-8").splitlines()):
        if path.suffix == ".xml":
            if "<!--" in line:
                inside = True
            if inside:
                out.add(n)
            if "-->" in line:
                inside = False
        elif line.startswith("*") or line.startswith("//*"):
            out.add(n)
    return out


def line_with(path: Path, text: str, after: int = 0, code_only: bool = False) -> int:
    """0-based number of the first line at or after ``after`` that contains
    ``text`` (outside comments with ``code_only``)."""
    lines = path.read_text(encoding="utf-8").splitlines()
    skip = comment_lines(path) if code_only else set()
    for n in range(after, len(lines)):
        if text in lines[n] and n not in skip:
            return n
    raise AssertionError(f"{text!r} not found in {path} after line {after + 1}")


def markers(example: Path) -> set[tuple[str, int]]:
    out = set()
    for p in sorted(example.rglob("*")):
        if p.is_file() and p.name != ".zcsec.toml":
            for n, line in enumerate(p.read_text(encoding="utf-8", errors="replace").splitlines()):
                if "insecure:" in line:
                    out.add((p.relative_to(example).as_posix(), n))
    return out


_FINDINGS: dict[str, list] = {}


def cached_findings(name: str):
    if name not in _FINDINGS:
        _FINDINGS[name] = findings_of(EXAMPLES / name)
    return _FINDINGS[name]


@pytest.mark.parametrize(
    "example, marker_file, marker, finding_file, code, severity, anchor",
    PLANTED,
    ids=[f"{p[0]}-{p[4]}-{i}" for i, p in enumerate(PLANTED)],
)
def test_insecure_example_reports_planted_problem(example, marker_file, marker, finding_file, code, severity, anchor):
    base = EXAMPLES / example
    mline = line_with(base / marker_file, marker)
    assert "insecure:" in (base / marker_file).read_text(encoding="utf-8").splitlines()[mline], (marker_file, mline + 1)
    # The finding sits on the definition after the marker (same file), or on
    # the server.xml side of the link (cross-file markers).
    fline = line_with(base / finding_file, anchor, mline if finding_file == marker_file else 0, code_only=True)
    findings = cached_findings(example)
    hits = [f for f in findings if f.code == code and f.path == str(base / finding_file) and f.range.start.line == fline]
    assert hits, f"{code} expected at {finding_file}:{fline + 1}; got:\n" + "\n".join(describe(findings))
    assert {f.severity for f in hits} == {severity}, [f.severity for f in hits]


@pytest.mark.parametrize("example", INSECURE, ids=[p.name for p in INSECURE])
def test_every_insecure_marker_has_an_expectation(example):
    planted = set()
    for ex, marker_file, marker, *_ in PLANTED:
        if ex == example.name:
            planted.add((marker_file, line_with(example / marker_file, marker)))
    assert markers(example) == planted


@pytest.mark.parametrize("example", INSECURE, ids=[p.name for p in INSECURE])
def test_insecure_example_fails_the_cli(example, capsys):
    assert main(["check", "--fail-on", "warning", str(example)]) == 1
    out = capsys.readouterr().out
    assert out.strip()


def test_cics_insecure_codes():
    codes = {f.code for f in cached_findings("cics-insecure")}
    assert {
        "cics-verify-without-credentials",
        "cics-idprop-incomplete",
        "cics-credentials-in-clear",
        "password-clear-text",
        "ref-unresolved",
        "cics-port-no-listener",
        "cics-certuser-needs-clientauth",
        "csd-keyword-protocol",
        "cics-securityname-with-certuser",
        "cics-autoinstall-listener",
        "unknown-attribute",
    } <= codes


def test_ims_insecure_shares_twice():
    shared = [f for f in cached_findings("ims-insecure") if f.code == "ims-shared-connection-factory"]
    assert len(shared) == 2


def test_wola_insecure_feature_missing_on_both_elements():
    base = EXAMPLES / "wola-insecure"
    lines = {f.range.start.line for f in cached_findings("wola-insecure") if f.code == "feature-missing"}
    assert lines == {line_with(base / "server.xml", "<zosLocalAdapters "), line_with(base / "server.xml", "<zosconnect_localAdaptersConnectService")}


# ---------------------------------------------------------------------------
# Canaries: no secret value reaches any output
# ---------------------------------------------------------------------------

CANARY = re.compile(r"CANARY-\d+-pw")


def _plant_canaries(root: Path) -> dict[str, str]:
    """Replace the value of every secret attribute below ``root`` with a
    unique canary (keeping an {xor}/{aes}/{hash} prefix, so that the same
    rules run as on the original); return canary -> where."""
    planted: dict[str, str] = {}
    counter = 0
    for result in analyse_projects([str(root)]):
        ws = result.workspace
        edits: dict[str, list[tuple[tuple[int, int], str]]] = {}
        seen = set()
        for cfg in ws.configs:
            for ce in cfg.elements:
                if id(ce.element) in seen:
                    continue
                seen.add(id(ce.element))
                for attr in ce.element.attributes:
                    spec = ce.spec.attributes.get(attr.name) if ce.spec is not None else None
                    secret = (spec is not None and spec.secret) or "password" in attr.name.lower()
                    if ce.name == "property" and (ce.element.value("name") or "").lower() == "password" and attr.name == "value":
                        secret = True
                    if not secret or not attr.value.strip():
                        continue
                    counter += 1
                    m = re.match(r"\{(xor|aes|hash)\}", attr.value, re.IGNORECASE)
                    canary = f"CANARY-{counter}-pw"
                    planted[canary] = f"{ce.path}: <{ce.name} {attr.name}>"
                    edits.setdefault(ce.path, []).append((attr.value_span, (m.group(0) if m else "") + canary))
        for path, changes in edits.items():
            text = Path(path).read_bytes().decode("utf-8")
            for (a, b), new in sorted(changes, reverse=True):
                text = text[:a] + new + text[b:]
            Path(path).write_bytes(text.encode("utf-8"))
    return planted


# Secret attributes the examples do not use, in one more workspace next to
# the copies (each value is replaced by a canary like the others).
EXTRA_SECRETS = """<?xml version="1.0" encoding="UTF-8"?>
<server>
    <featureManager>
        <feature>zosconnect:zosConnect-2.0</feature>
        <feature>zosconnect:cicsService-1.0</feature>
        <feature>imsmobile:imsmobile-2.0</feature>
        <feature>zosconnect:mqService-1.0</feature>
        <feature>wmqJmsClient-2.0</feature>
        <feature>appSecurity-2.0</feature>
        <feature>ldapRegistry-3.0</feature>
        <feature>transportSecurity-1.0</feature>
    </featureManager>
    <keyStore id="ks" location="key.p12" password="x">
        <keyEntry name="k" keyPassword="x"/>
    </keyStore>
    <ldapRegistry id="ldap" realm="r" host="ldap.example.com" port="636" baseDN="o=x"
        ldapType="IBM Tivoli Directory Server" bindDN="cn=zc" bindPassword="x"/>
    <basicRegistry id="basic" realm="b">
        <user name="alice" password="x"/>
    </basicRegistry>
    <imsmobile_imsConnection id="IMSX" connectionFactoryRef="imsX"/>
    <connectionFactory id="imsX">
        <properties.gmoa hostName="hws9.example.com" portNumber="9999" userName="U" password="x"/>
    </connectionFactory>
    <jmsConnectionFactory id="mqX" jndiName="jms/mqX">
        <properties.wmqJms transportType="CLIENT" queueManager="QMX" hostName="mq9.example.com"
            channel="C" userName="U" password="x"/>
    </jmsConnectionFactory>
    <zosconnect_cicsIpicConnection id="cicsX" host="cics9.example.com" port="1491" password="x"
        authDataRef="credX"/>
    <zosconnect_authData id="credX" user="U" password="{hash}x"/>
    <authData id="authX" user="U" password="{xor}x"/>
</server>
"""


@pytest.fixture(scope="module")
def canary_examples(tmp_path_factory):
    root = tmp_path_factory.mktemp("examples-copy")
    for p in SECURE + INSECURE:
        shutil.copytree(p, root / p.name)
    (root / "extra-secrets").mkdir()
    (root / "extra-secrets" / ".zcsec.toml").write_text("")
    (root / "extra-secrets" / "server.xml").write_text(EXTRA_SECRETS)
    planted = _plant_canaries(root)
    return root, planted


def test_canaries_are_planted(canary_examples):
    root, planted = canary_examples
    where = " ".join(planted.values())
    # At least: key store passwords, authData, zosconnect_authData,
    # zosconnect_credential, basic auth, IMS DB properties, MQ service property.
    for element in ("keyStore password", "keyEntry keyPassword", "ldapRegistry bindPassword", "user password", "properties.gmoa password", "properties.wmqJms password", "zosconnect_cicsIpicConnection password", "authData password", "zosconnect_authData password", "zosconnect_credential password", "zosconnect_zosConnectServiceRestClientBasicAuth password", "properties.imsudbJLocal password", "property value"):
        assert f"<{element}>" in where, element
    text = "".join(p.read_text(encoding="utf-8") for p in root.rglob("*.xml"))
    assert len(CANARY.findall(text)) == len(planted) >= 20
    # Clear-text canaries are still found by the rules (the outputs below
    # really carry findings about them).
    found = [f for r in analyse_projects([str(root)]) for f in r.findings if f.code == "password-clear-text"]
    assert len(found) >= 4


@pytest.mark.parametrize(
    "argv",
    [
        ["check", "--fail-on", "never", "--format", "text"],
        ["check", "--fail-on", "never", "--format", "json"],
        ["check", "--fail-on", "never", "--format", "sarif"],
        ["posture", "--format", "text"],
        ["posture", "--format", "json"],
    ],
    ids=["check-text", "check-json", "check-sarif", "posture-text", "posture-json"],
)
def test_no_canary_in_output(canary_examples, capsys, argv):
    root, planted = canary_examples
    # The whole tree at once: analyse_projects splits it by .zcsec.toml.
    code = main(argv + [str(root)])
    out, err = capsys.readouterr()
    assert code == 0, err
    assert out.strip()
    leaked = CANARY.findall(out) + CANARY.findall(err)
    assert leaked == [], [planted[c] for c in leaked]
    if argv[-1] in ("json", "sarif"):
        json.loads(out)


def test_no_canary_in_findings_or_postures(canary_examples):
    """Below the CLI too: messages, fix titles and new texts, related notes,
    posture details."""
    root, planted = canary_examples
    from zcsec.posture import postures

    for result in analyse_projects([str(root)]):
        for f in result.findings:
            blob = json.dumps(f.to_json()) + " ".join(n for _, _, n in f.related)
            assert not CANARY.search(blob), (f.code, f.message)
        ws = result.workspace
        for cfg in ws.configs:
            for p in postures(ws, cfg):
                assert not CANARY.search(json.dumps(p.to_json())), p.to_json()


def test_original_secrets_are_recognised_as_such():
    """The examples store no clear-text secret in a secure workspace (the SAF
    key ring's dummy password excepted)."""
    for example in SECURE:
        for result in analyse_projects([str(example)]):
            for cfg in result.workspace.configs:
                for ce in cfg.elements:
                    for attr in ce.element.attributes:
                        spec = ce.spec.attributes.get(attr.name) if ce.spec is not None else None
                        if spec is None or not spec.secret:
                            continue
                        ring = ce.name == "keyStore" and (ce.element.value("location") or "").startswith("safkeyring:")
                        assert is_encoded(attr.value) or ring, (example.name, ce.name, attr.name)
