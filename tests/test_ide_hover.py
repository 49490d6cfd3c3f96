"""Hover text (zcsec.ide.hover) over a tmp_path workspace: server.xml with an
include, bootstrap.properties and a CSD file."""

from __future__ import annotations

from pathlib import Path

import pytest

from conftest import write as write_file

from zcsec.ide.hover import hover
from zcsec.service import AnalysisService

SERVER = """\
<server>
    <featureManager>
        <feature>zosconnect:zosConnect-2.0</feature>
        <feature>zosconnect:cicsService-1.0</feature>
        <feature>transportSecurity-1.0</feature>
    </featureManager>
    <include location="conf/security.xml"/>
    <variable name="cicsHost" value="cics1.example.com"/>
    <variable name="dbPassword" value="CANARY-var1"/>
    <variable name="plainName" value="CANARY-var2"/>
    <zosconnect_cicsIpicConnection id="cics" host="${cicsHost}" port="1491"
        sslCertsRef="zcSSL" authDataRef="cicsCred" zosConnectApplid="ZCONN1"/>
    <authData id="dbAuth" user="DBUSER" password="CANARY-xyz"/>
    <authData id="odd" user="${plainName}" password="${plainName}"/>
    <zosconnect_authData id="boot" user="BOOT" password="${keystore.password}"/>
    <zosconnect_cicsIpicConnection id="broken" host="h2" port="1492" authDataRef="nowhere" sslCertsRef="dbAuth" authData="${undefinedVar}"/>
    <imsmobile_imsConnection id="ims" connectionFactoryRef="imsCF"/>
    <connectionFactory id="imsCF" containerAuthDataRef="dbAuth">
        <properties.gmoa hostName="ims1.example.com" portNumber="9999"/>
    </connectionFactory>
    <zosconnect_unknownThing id="u" foo="bar"/>
</server>
"""

SECURITY = """\
<server>
    <ssl id="zcSSL" keyStoreRef="zcKeys" clientKeyAlias="zc" securityLevel="HIGH"/>
    <keyStore id="zcKeys" location="safkeyring:///ZC.RING" password="CANARY-xyz" type="JCERACFKS" fileBased="false">
        <keyEntry name="zc" keyPassword="CANARY-key"/>
    </keyStore>
    <zosconnect_authData id="cicsCred" user="ZCUSER" password="${dbPassword}"/>
</server>
"""

BOOTSTRAP = "keystore.password=CANARY-boot\nims.port=9999\n"

CSD = """\
DEFINE TCPIPSERVICE(ZCIPIC) GROUP(ZCGRP) PORTNUMBER(1491) PROTOCOL(IPIC)
       SSL(YES)
DEF IPCONN(ZCONN1) GROUP(ZCGRP) APPLID(ZCONN1) TCPIPSERVICE(ZCIPIC)
       U(IDENTIFY) LINKAUTH(SECUSER) SECURITYNAME(ZCLINK)
"""


def write(base: Path, rel: str, text: str) -> Path:
    return write_file(base, rel, text, dedent=True)


@pytest.fixture
def ws_files(tmp_path):
    files = {
        "server": write(tmp_path, "server.xml", SERVER),
        "security": write(tmp_path, "conf/security.xml", SECURITY),
        "bootstrap": write(tmp_path, "bootstrap.properties", BOOTSTRAP),
        "csd": write(tmp_path, "cics.csd", CSD),
    }
    service = AnalysisService([str(tmp_path)])
    ws = service.snapshot(str(files["server"])).workspace
    return ws, files


def at(ws, path: Path, needle: str, delta: int = 1, nth: int = 0):
    """Hover at ``delta`` characters into the ``nth`` occurrence of ``needle``."""
    text = path.read_text()
    pos = -1
    for _ in range(nth + 1):
        pos = text.index(needle, pos + 1)
    return hover(ws, str(path), pos + delta)


def span_of(path: Path, needle: str, nth: int = 0) -> tuple[int, int]:
    text = path.read_text()
    pos = -1
    for _ in range(nth + 1):
        pos = text.index(needle, pos + 1)
    return (pos, pos + len(needle))


# -- elements ------------------------------------------------------------------


def test_connection_element_shows_posture_and_cics_counterpart(ws_files):
    ws, f = ws_files
    h = at(ws, f["server"], "zosconnect_cicsIpicConnection id=\"cics\"")
    assert h is not None
    assert h.span == span_of(f["server"], "zosconnect_cicsIpicConnection")
    md = h.markdown
    assert "Provider: CICS (IPIC)" in md
    assert "zosconnect:cicsService-1.0" in md and "enabled:" in md
    assert "[Documentation](https://" in md
    assert "**Security posture**" in md
    for row in ("| Caller |", "| Transport |", "| Bind |", "| Link user |", "| Identity |"):
        assert row in md
    # The chain from the caller to the system of record, in one line.
    assert "→ z/OS Connect → tls (no client certificate) → CICS (IPIC), identity: asserted-caller" in md
    assert "**tls**" in md and '`<ssl id="zcSSL">`' in md
    assert "SECURITYNAME ZCLINK" in md
    assert "**asserted-caller**" in md
    # the CICS end, from the .csd file
    assert "**CICS side**" in md
    assert "| TCPIPSERVICE | `ZCIPIC` in `cics.csd:1`, SSL(YES) |" in md
    assert "| IPCONN | `ZCONN1` in `cics.csd:3`, USERAUTH(IDENTIFY) LINKAUTH(SECUSER) |" in md


def test_connection_without_cics_definitions_lists_what_is_not_established(ws_files):
    ws, f = ws_files
    md = at(ws, f["server"], 'zosconnect_cicsIpicConnection id="broken"').markdown
    assert "| Not established |" in md
    assert "none with PROTOCOL(IPIC) on this port" in md
    assert "| IPCONN | unknown |" in md


def test_ims_connection_and_end_tag(ws_files):
    ws, f = ws_files
    md = at(ws, f["server"], "imsmobile_imsConnection").markdown
    assert "**Security posture** of this IMS connection to `ims1.example.com:9999`" in md
    # the IMS feature is not in the featureManager
    assert "none of them is enabled" in md
    h = at(ws, f["server"], "/connectionFactory>", 2)
    assert h.span == span_of(f["server"], "connectionFactory", nth=2)
    assert "`<connectionFactory>`" in h.markdown


def test_unknown_element_and_attribute(ws_files):
    ws, f = ws_files
    assert "does not know this element" in at(ws, f["server"], "zosconnect_unknownThing").markdown
    md = at(ws, f["server"], 'authData="${undefinedVar}"').markdown
    assert "does not know this attribute" in md


# -- attributes ---------------------------------------------------------------------


def test_attribute_name_shows_type_values_default_doc_and_link(ws_files):
    ws, f = ws_files
    h = at(ws, f["security"], "securityLevel")
    assert h.span == span_of(f["security"], "securityLevel")
    md = h.markdown
    assert "**`securityLevel`** on `<ssl>`" in md
    assert "Type: enum" in md and "default `HIGH`" in md
    assert "Allowed values: `HIGH`, `MEDIUM`, `LOW`, `CUSTOM`" in md
    md = at(ws, f["server"], "port=").markdown
    assert "whole number (1..65535)" in md and "required" in md
    assert "Port of the CICS TCPIPSERVICE" in md
    assert "[Documentation](https://" in md
    md = at(ws, f["server"], "authDataRef").markdown
    assert "reference to `<zosconnect_authData>`" in md


def test_secret_attribute_says_so_without_value(ws_files):
    ws, f = ws_files
    for needle in ("password=", "CANARY-xyz"):
        md = at(ws, f["security"], needle).markdown
        assert "secret" in md and "CANARY" not in md
    md = at(ws, f["security"], "CANARY-key").markdown
    assert "**`keyPassword`**" in md and "secret" in md and "CANARY" not in md


def test_a_sign_on_password_explains_passwords_and_phrases_without_its_length(ws_files):
    """Issue 11: RACF's password and password phrase lengths, on passwords
    that sign a user on, never on a key store's; the value's own length is
    not told."""
    ws, f = ws_files
    md = at(ws, f["server"], 'password="CANARY-xyz"').markdown
    assert "password phrase" in md and "9 to 100" in md and "CANARY" not in md
    assert "10 characters" not in md  # len("CANARY-xyz")
    md = at(ws, f["security"], 'password="CANARY-xyz"').markdown  # <keyStore>
    assert "password phrase" not in md


# -- values --------------------------------------------------------------------------


def test_ref_value_shows_target_across_files(ws_files):
    ws, f = ws_files
    h = at(ws, f["server"], '"zcSSL"', 2)
    assert h.span == span_of(f["server"], "zcSSL")
    md = h.markdown
    assert '`<ssl id="zcSSL">` in `conf/security.xml:2`' in md
    assert "- `keyStoreRef`: `zcKeys`" in md


def test_ref_value_to_credentials_hides_the_password(ws_files):
    ws, f = ws_files
    md = at(ws, f["server"], '"cicsCred"', 2).markdown
    assert '`<zosconnect_authData id="cicsCred">` in `conf/security.xml:6`' in md
    assert "- `user`: `ZCUSER`" in md
    assert "- `password`: _secret, not shown_" in md
    assert "CANARY" not in md and "dbPassword" not in md


def test_id_value_lists_what_refers_to_it(ws_files):
    ws, f = ws_files
    h = at(ws, f["security"], 'id="cicsCred"', 5)
    assert h.span == span_of(f["security"], "cicsCred")
    assert "Referenced by 1 attribute:\n- `authDataRef` of `<zosconnect_cicsIpicConnection>` in `server.xml:12`" in h.markdown
    assert "No *Ref attribute" in at(ws, f["server"], 'id="cics"', 5).markdown


def test_unresolved_and_wrong_type_refs(ws_files):
    ws, f = ws_files
    assert "`nowhere` resolves to nothing" in at(ws, f["server"], "nowhere").markdown
    md = at(ws, f["server"], 'sslCertsRef="dbAuth"', 14).markdown
    assert "`dbAuth` is a `<authData>`, not the expected `<ssl>`" in md
    assert "CANARY" not in md


def test_variable_shows_value_and_where_defined(ws_files):
    ws, f = ws_files
    h = at(ws, f["server"], "${cicsHost}", 3)
    assert h.span == span_of(f["server"], "${cicsHost}")
    assert "Value: `cics1.example.com`" in h.markdown
    assert "a `<variable>` element at `server.xml:8`" in h.markdown


def test_secret_variables_are_never_shown(ws_files):
    ws, f = ws_files
    # named like a password
    md = at(ws, f["security"], "${dbPassword}", 3).markdown
    assert "not shown" in md and "CANARY" not in md
    # a neutral name, but used in a secret attribute: hidden everywhere, also in user=
    md = at(ws, f["server"], 'user="${plainName}"', 9).markdown
    assert "**`${plainName}`**" in md and "not shown" in md and "CANARY" not in md
    # from bootstrap.properties
    md = at(ws, f["server"], "${keystore.password}", 3).markdown
    assert "bootstrap.properties" in md and "not shown" in md and "CANARY" not in md


def test_undefined_variable(ws_files):
    ws, f = ws_files
    md = at(ws, f["server"], "${undefinedVar}", 3).markdown
    assert "cannot resolve this variable" in md


def test_include_location_and_feature(ws_files):
    ws, f = ws_files
    md = at(ws, f["server"], "conf/security.xml", 2).markdown
    assert "Includes `" in md and "security.xml" in md
    h = at(ws, f["server"], "zosconnect:cicsService-1.0", 3)
    assert h.span == span_of(f["server"], "zosconnect:cicsService-1.0")
    assert "**Feature `zosconnect:cicsService-1.0`**" in h.markdown


# -- CSD ------------------------------------------------------------------------------


def test_csd_keyword_shows_doc_values_default_abbreviation_and_link(ws_files):
    ws, f = ws_files
    h = at(ws, f["csd"], "U(IDENTIFY)", 0)
    start = span_of(f["csd"], "U(IDENTIFY)")[0]
    assert h.span == (start, start + 1)
    md = h.markdown
    assert "**USERAUTH** (IPCONN)" in md
    assert "default `LOCAL`" in md
    assert "Allowed values: `LOCAL`, `IDENTIFY`, `VERIFY`, `DEFAULTUSER`" in md
    assert "`U` abbreviates `USERAUTH`" in md
    assert "[Documentation](https://" in md


def test_csd_verb_and_resource_type(ws_files):
    ws, f = ws_files
    md = at(ws, f["csd"], "DEF IPCONN", 1).markdown
    assert "**DEFINE** (command)" in md and "`DEF` abbreviates `DEFINE`" in md
    md = at(ws, f["csd"], "IPCONN(", 1).markdown
    assert "**IPCONN** (resource type)" in md and "at most 8 characters" in md


def test_csd_tcpipservice_name_shows_ipconns_and_linked_connection(ws_files):
    ws, f = ws_files
    h = at(ws, f["csd"], "ZCIPIC", 1)
    assert h.span == span_of(f["csd"], "ZCIPIC")
    md = h.markdown
    assert "**TCPIPSERVICE `ZCIPIC`** in group `ZCGRP`" in md
    assert "PORTNUMBER(1491) PROTOCOL(IPIC) SSL(YES)" in md
    assert "IPCONN `ZCONN1` in `cics.csd:3` USERAUTH(IDENTIFY) LINKAUTH(SECUSER)" in md
    assert '`<zosconnect_cicsIpicConnection id="cics">` in `server.xml:11`' in md
    assert "**Security posture**" in md


def test_csd_ipconn_name_shows_listener_and_connection(ws_files):
    ws, f = ws_files
    md = at(ws, f["csd"], "IPCONN(ZCONN1)", 8).markdown
    assert "**IPCONN `ZCONN1`**" in md
    assert "Listener: TCPIPSERVICE `ZCIPIC` in `cics.csd:1` PORTNUMBER(1491) PROTOCOL(IPIC) SSL(YES)" in md
    assert '`<zosconnect_cicsIpicConnection id="cics">`' in md


def test_csd_tcpipservice_value_in_ipconn(ws_files):
    ws, f = ws_files
    md = at(ws, f["csd"], "TCPIPSERVICE(ZCIPIC)\n", 14).markdown
    assert "Names TCPIPSERVICE `ZCIPIC` in `cics.csd:1`" in md


# -- never a secret, never an error -------------------------------------------------------


def test_no_offset_of_any_file_reveals_a_planted_secret(ws_files):
    ws, f = ws_files
    hits = 0
    for key in ("server", "security", "csd", "bootstrap"):
        path = f[key]
        n = len(path.read_text())
        for offset in range(-2, n + 3):
            h = hover(ws, str(path), offset)
            if h is None:
                continue
            hits += 1
            assert "CANARY" not in h.markdown, (key, offset, h.markdown)
    assert hits > 100  # the sweep really produced hovers


def test_odd_input_gives_none(ws_files, tmp_path):
    ws, f = ws_files
    assert hover(ws, str(tmp_path / "nope.xml"), 0) is None
    assert hover(ws, str(f["server"]), 10**9) is None
    assert hover(ws, str(f["server"]), -10**9) is None
    assert hover(ws, "", 0) is None


def test_broken_document_does_not_raise(tmp_path):
    p = write(tmp_path, "server.xml", '<server>\n  <zosconnect_cicsIpicConnection id="c" host="h" port="14\n  <ssl id=\n')
    ws = AnalysisService([str(tmp_path)]).snapshot(str(p)).workspace
    for offset in range(len(p.read_text()) + 2):
        h = hover(ws, str(p), offset)
        assert h is None or isinstance(h.markdown, str)


# -- transport strength (issue 12) ----------------------------------------------


def test_hover_on_cipher_and_protocol_values_explains_their_class(tmp_path):
    server = write(tmp_path, "server.xml", """\
        <server>
            <featureManager><feature>transportSecurity-1.0</feature></featureManager>
            <ssl id="out" keyStoreRef="k" sslProtocol="TLSv1.1,TLSv1.2"
                enabledCiphers="TLS_ECDHE_RSA_WITH_AES_128_GCM_SHA256 SSL_RSA_WITH_3DES_EDE_CBC_SHA"/>
            <keyStore id="k" location="safkeyring:///R" type="JCERACFKS" fileBased="false" readOnly="true"/>
        </server>
        """)
    csd = write(tmp_path, "cics.csd", " DEFINE TCPIPSERVICE(T1) GROUP(G) PROTOCOL(IPIC) PORTNUMBER(1491)\n        SSL(YES) CIPHERS(352F0A)\n DEFINE TCPIPSERVICE(T2) GROUP(G) PROTOCOL(IPIC) PORTNUMBER(1492)\n        SSL(YES) CIPHERS(strong.xml)\n")
    ws = AnalysisService([str(tmp_path)]).snapshot(str(server)).workspace
    md = at(ws, server, "TLS_ECDHE").markdown
    # The weakest first, named as IANA names it, with the reason.
    assert md.index("SSL_RSA_WITH_3DES_EDE_CBC_SHA") < md.index("TLS_ECDHE_RSA_WITH_AES_128_GCM_SHA256")
    assert "= `TLS_RSA_WITH_3DES_EDE_CBC_SHA`: **weak: remove it** (3DES" in md
    assert "`TLS_ECDHE_RSA_WITH_AES_128_GCM_SHA256`: **strong**" in md
    assert "weakest one both ends allow: weak" in md
    md = at(ws, server, "TLSv1.1").markdown
    assert "`TLSv1.1`: **deprecated (RFC 8996)**" in md and "`TLSv1.2`: **current**" in md
    md = at(ws, csd, "352F0A").markdown
    assert "`0A` = `TLS_RSA_WITH_3DES_EDE_CBC_SHA`: **weak" in md and "`35` = `TLS_RSA_WITH_AES_256_CBC_SHA`: **legacy" in md
    md = at(ws, csd, "strong.xml").markdown
    assert "cipher suite specification file" in md and "does not read it" in md
