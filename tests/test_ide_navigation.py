"""Navigation (zcsec.ide.navigation): definition, references, rename, document
symbols and links over a tmp_path workspace with an include and a CSD file."""

from __future__ import annotations

from pathlib import Path

import pytest

from conftest import write as write_file

from zcsec.analysis import analyse
from zcsec.ide import navigation as nav
from zcsec.service import AnalysisService

SERVER = """\
<server>
    <featureManager>
        <feature>zosconnect:zosConnect-2.0</feature>
        <feature>zosconnect:cicsService-1.0</feature>
        <feature>transportSecurity-1.0</feature>
    </featureManager>
    <include location="conf/security.xml"/>
    <include location="${nowhere}/x.xml" optional="true"/>
    <include location="https://example.com/remote.xml" optional="true"/>
    <include location="missing.xml" optional="true"/>
    <variable name="cicsHost" value="cics1.example.com"/>
    <zosconnect_cicsIpicConnection id="cics" host="${cicsHost}" port="1491"
        sslCertsRef="zcSSL" authDataRef="cicsCred" zosConnectApplid="ZCONN1"/>
    <zosconnect_cicsIpicConnection id="cics2" host="h2" port="1491" authDataRef="cicsCred"/>
    <zosconnect_zosConnectInterceptors id="chain" interceptorRef="authz, audit"/>
    <zosconnect_authorizationInterceptor id="authz"/>
    <zosconnect_auditInterceptor id="audit"/>
    <keyStore id="dup" location="k.p12" password="{aes}x"/>
    <ssl id="dup" keyStoreRef="dup"/>
    <zosconnect_zosConnectServiceRestClientConnection id="rest" host="api" port="443" sslCertsRef="dup"/>
</server>
"""

SECURITY = """\
<server>
    <ssl id="zcSSL" keyStoreRef="zcKeys"/>
    <keyStore id="zcKeys" location="safkeyring:///ZC.RING" password="x" type="JCERACFKS">
        <keyEntry name="zc" keyPassword="y"/>
    </keyStore>
    <zosconnect_authData id="cicsCred" user="ZCUSER" password="{aes}zzz"/>
</server>
"""

CSD = """\
DEFINE TCPIPSERVICE(ZCIPIC) GROUP(ZCGRP) PORTNUMBER(1491) PROTOCOL(IPIC)
       SSL(YES)
DEFINE IPCONN(ZCONN1) GROUP(ZCGRP) APPLID(ZCONN1) TCPIPSERVICE(ZCIPIC)
       USERAUTH(IDENTIFY)
DEFINE IPCONN(OTHER) GROUP(ZCGRP) TCPIPSERVICE(ZCIPIC)
ADD GROUP(ZCGRP) LIST(ZCLIST)
"""


def write(base: Path, rel: str, text: str) -> Path:
    return write_file(base, rel, text, dedent=True)


@pytest.fixture
def env(tmp_path):
    files = {
        "server": write(tmp_path, "server.xml", SERVER),
        "security": write(tmp_path, "conf/security.xml", SECURITY),
        "csd": write(tmp_path, "cics.csd", CSD),
    }
    ws = AnalysisService([str(tmp_path)]).snapshot(str(files["server"])).workspace
    return ws, files


def find(path: Path, needle: str, nth: int = 0) -> int:
    text = path.read_text()
    pos = -1
    for _ in range(nth + 1):
        pos = text.index(needle, pos + 1)
    return pos


def span(path: Path, needle: str, nth: int = 0) -> tuple[int, int]:
    pos = find(path, needle, nth)
    return (pos, pos + len(needle))


def loc(path: Path, needle: str, nth: int = 0) -> nav.Location:
    return nav.Location(str(path), span(path, needle, nth))


def inner(path: Path, context: str, word: str) -> tuple[int, int]:
    """The span of ``word`` inside the first occurrence of ``context``."""
    pos = find(path, context) + context.index(word)
    return (pos, pos + len(word))


# -- definition ------------------------------------------------------------------


def test_definition_of_a_ref_goes_to_the_element_in_the_include(env):
    ws, f = env
    got = nav.definition(ws, str(f["server"]), find(f["server"], "zcSSL") + 2)
    assert got == [loc(f["security"], "zcSSL")]
    got = nav.definition(ws, str(f["server"]), find(f["server"], '"cicsCred"') + 1)  # at the start of the value
    assert got == [loc(f["security"], "cicsCred")]
    got = nav.definition(ws, str(f["security"]), find(f["security"], '"zcKeys"', 0) + 7)  # at the end of the value
    assert got == [loc(f["security"], "zcKeys", 1)]


def test_definition_of_each_id_in_a_ref_list(env):
    ws, f = env
    authz = nav.Location(str(f["server"]), inner(f["server"], 'id="authz"', "authz"))
    audit = nav.Location(str(f["server"]), inner(f["server"], 'id="audit"', "audit"))
    assert nav.definition(ws, str(f["server"]), find(f["server"], "authz,") + 1) == [authz]
    assert nav.definition(ws, str(f["server"]), find(f["server"], " audit\"") + 2) == [audit]
    # on the comma and blank between the two ids: neither
    assert nav.definition(ws, str(f["server"]), find(f["server"], ", audit") + 1) == []


def test_definition_respects_the_ref_type_when_ids_are_shared(env):
    ws, f = env
    # keyStoreRef="dup" goes to the keyStore, sslCertsRef="dup" to the ssl
    assert nav.definition(ws, str(f["server"]), find(f["server"], 'keyStoreRef="dup"') + 14) == [loc(f["server"], "dup", 0)]
    assert nav.definition(ws, str(f["server"]), find(f["server"], 'sslCertsRef="dup"') + 14) == [loc(f["server"], "dup", 1)]


def test_definition_of_variable_and_include(env, tmp_path):
    ws, f = env
    got = nav.definition(ws, str(f["server"]), find(f["server"], "${cicsHost}") + 3)
    assert got == [loc(f["server"], "cicsHost")]
    got = nav.definition(ws, str(f["server"]), find(f["server"], "conf/security.xml") + 3)
    assert got == [nav.Location(str(f["security"]), (0, 0))]
    assert nav.definition(ws, str(f["server"]), find(f["server"], "missing.xml") + 1) == []


def test_definition_from_ipic_connection_to_the_csd(env):
    ws, f = env
    got = nav.definition(ws, str(f["server"]), find(f["server"], '"1491"') + 2)
    assert got == [loc(f["csd"], "ZCIPIC")]
    got = nav.definition(ws, str(f["server"]), find(f["server"], '"ZCONN1"') + 2)
    assert got == [loc(f["csd"], "ZCONN1")]


def test_definition_from_ipconn_tcpipservice_value(env):
    ws, f = env
    got = nav.definition(ws, str(f["csd"]), find(f["csd"], "ZCIPIC", 1) + 3)
    assert got == [loc(f["csd"], "ZCIPIC")]


def test_definition_elsewhere_is_empty(env):
    ws, f = env
    for needle in ("zosconnect_cicsIpicConnection", 'host="h2"', "featureManager"):
        assert nav.definition(ws, str(f["server"]), find(f["server"], needle) + 1) == []
    assert nav.definition(ws, str(f["server"]), 10**9) == []
    assert nav.definition(ws, "/no/such/file.xml", 3) == []


# -- references ----------------------------------------------------------------------


def test_references_from_an_id_across_files(env):
    ws, f = env
    offset = find(f["security"], "cicsCred") + 2
    got = nav.references(ws, str(f["security"]), offset, include_declaration=True)
    assert got == [loc(f["security"], "cicsCred"), loc(f["server"], "cicsCred", 0), loc(f["server"], "cicsCred", 1)]
    got = nav.references(ws, str(f["security"]), offset, include_declaration=False)
    assert got == [loc(f["server"], "cicsCred", 0), loc(f["server"], "cicsCred", 1)]


def test_references_from_a_ref_value_and_by_type(env):
    ws, f = env
    got = nav.references(ws, str(f["server"]), find(f["server"], 'sslCertsRef="dup"') + 14, include_declaration=True)
    assert got == [loc(f["server"], "dup", 1), loc(f["server"], "dup", 3)]
    got = nav.references(ws, str(f["server"]), find(f["server"], 'id="dup"') + 5, include_declaration=False)
    assert got == [loc(f["server"], "dup", 2)]  # only keyStoreRef, not sslCertsRef


def test_references_of_a_tcpipservice(env):
    ws, f = env
    got = nav.references(ws, str(f["csd"]), find(f["csd"], "ZCIPIC") + 1, include_declaration=True)
    assert got == [
        loc(f["csd"], "ZCIPIC", 0),
        loc(f["csd"], "ZCIPIC", 1),
        loc(f["csd"], "ZCIPIC", 2),
        loc(f["server"], "1491", 0),
        loc(f["server"], "1491", 1),
    ]
    got = nav.references(ws, str(f["csd"]), find(f["csd"], "ZCIPIC", 1) + 1, include_declaration=False)
    assert loc(f["csd"], "ZCIPIC", 0) not in got and len(got) == 4


def test_references_of_an_ipconn(env):
    ws, f = env
    got = nav.references(ws, str(f["csd"]), find(f["csd"], "IPCONN(ZCONN1)") + 8, include_declaration=True)
    assert got == [loc(f["csd"], "ZCONN1", 0), loc(f["server"], "ZCONN1")]


def test_references_elsewhere_are_empty(env):
    ws, f = env
    assert nav.references(ws, str(f["server"]), find(f["server"], "host=") + 1) == []
    assert nav.references(ws, str(f["csd"]), find(f["csd"], "GROUP") + 1) == []
    assert nav.references(ws, str(f["server"]), -5) == []


# -- rename --------------------------------------------------------------------------


def apply(edits: dict[str, list]) -> None:
    for path, lst in edits.items():
        text = Path(path).read_text()
        for e in sorted(lst, key=lambda e: e.span, reverse=True):
            text = text[: e.span[0]] + e.new_text + text[e.span[1] :]
        Path(path).write_text(text)


def test_prepare_rename(env):
    ws, f = env
    assert nav.prepare_rename(ws, str(f["server"]), find(f["server"], "zcSSL") + 1) == (span(f["server"], "zcSSL"), "zcSSL")
    assert nav.prepare_rename(ws, str(f["security"]), find(f["security"], "zcSSL")) == (span(f["security"], "zcSSL"), "zcSSL")
    for needle in ("zosconnect_cicsIpicConnection", "host=", "${cicsHost}", '"1491"', "sslCertsRef"):
        assert nav.prepare_rename(ws, str(f["server"]), find(f["server"], needle) + 1) is None, needle
    assert nav.prepare_rename(ws, str(f["csd"]), 3) is None
    assert nav.prepare_rename(ws, str(f["server"]), 10**9) is None


def test_rename_an_id_updates_the_include_and_every_reference(env):
    ws, f = env
    edits = nav.rename(ws, str(f["server"]), find(f["server"], "cicsCred") + 1, "cicsCreds2")
    assert set(edits) == {str(f["security"]), str(f["server"])}
    assert [e.span for e in edits[str(f["security"])]] == [span(f["security"], "cicsCred")]
    assert [e.span for e in edits[str(f["server"])]] == [span(f["server"], "cicsCred", 0), span(f["server"], "cicsCred", 1)]
    assert all(e.new_text == "cicsCreds2" for lst in edits.values() for e in lst)
    apply(edits)
    assert 'id="cicsCreds2"' in f["security"].read_text()
    assert f["server"].read_text().count('authDataRef="cicsCreds2"') == 2
    result = analyse([str(f["server"].parent)])
    assert not [x for x in result.findings if x.code in ("ref-unresolved", "ref-wrong-type")]


def test_rename_from_the_declaration_and_in_a_ref_list(env):
    ws, f = env
    edits = nav.rename(ws, str(f["server"]), find(f["server"], 'id="audit"') + 5, "auditTrail")
    expected = [inner(f["server"], "authz, audit", "audit"), inner(f["server"], 'id="audit"', "audit")]
    assert edits == {str(f["server"]): [nav.Edit(str(f["server"]), sp, "auditTrail") for sp in expected]}
    apply(edits)
    assert 'interceptorRef="authz, auditTrail"' in f["server"].read_text()


def test_rename_keeps_other_element_types_with_the_same_id(env):
    ws, f = env
    edits = nav.rename(ws, str(f["server"]), find(f["server"], 'id="dup"', 1) + 5, "restSSL")  # the <ssl>
    spans = [e.span for e in edits[str(f["server"])]]
    assert spans == [span(f["server"], "dup", 1), span(f["server"], "dup", 3)]


@pytest.mark.parametrize("bad", ['a"b', "a'b", "a<b", "a&b", "a b", "a\tb", "", " ", "a,b"])
def test_rename_rejects_invalid_names(env, bad):
    ws, f = env
    with pytest.raises(nav.RenameError):
        nav.rename(ws, str(f["server"]), find(f["server"], "zcSSL") + 1, bad)


def test_rename_refuses_other_positions(env):
    ws, f = env
    assert nav.rename(ws, str(f["server"]), find(f["server"], "host=") + 1, "x") is None
    assert nav.rename(ws, str(f["csd"]), find(f["csd"], "ZCIPIC") + 1, "x") is None
    assert nav.rename(ws, "/no/such.xml", 0, "x") is None


# -- symbols and links ---------------------------------------------------------------------


def test_document_symbols_of_server_xml(env):
    ws, f = env
    syms = nav.document_symbols(ws, str(f["server"]))
    names = [s.name for s in syms]
    assert names == [
        "include conf/security.xml",
        "include ${nowhere}/x.xml",
        "include https://example.com/remote.xml",
        "include missing.xml",
        "zosconnect_cicsIpicConnection cics",
        "zosconnect_cicsIpicConnection cics2",
        "zosconnect_authorizationInterceptor authz",
        "keyStore dup",
        "ssl dup",
        "zosconnect_zosConnectServiceRestClientConnection rest",
    ]
    cics = syms[4]
    assert cics.kind == "connection"
    assert cics.detail == "CICS (IPIC) → cics1.example.com:1491 · transport tls · identity asserted-caller"
    assert cics.selection_span == span(f["server"], "zosconnect_cicsIpicConnection", 0)
    text = f["server"].read_text()
    assert text[cics.span[0] : cics.span[1]].startswith("<zosconnect_cicsIpicConnection") and text[cics.span[0] : cics.span[1]].endswith("/>")
    assert syms[8].kind == "tls" and syms[8].detail == "security · tls"


def test_document_symbols_nest_children(env):
    ws, f = env
    syms = nav.document_symbols(ws, str(f["security"]))
    assert [s.name for s in syms] == ["ssl zcSSL", "keyStore zcKeys", "zosconnect_authData cicsCred"]
    assert [c.name for c in syms[1].children] == ["keyEntry"]
    assert syms[2].kind == "credentials"


def test_document_symbols_of_a_csd(env):
    ws, f = env
    syms = nav.document_symbols(ws, str(f["csd"]))
    assert [s.name for s in syms] == ["DEFINE TCPIPSERVICE(ZCIPIC)", "DEFINE IPCONN(ZCONN1)", "DEFINE IPCONN(OTHER)", "ADD GROUP(ZCGRP) LIST(ZCLIST)"]
    assert syms[0].detail == "GROUP(ZCGRP) PORTNUMBER(1491) PROTOCOL(IPIC) SSL(YES)"
    assert syms[0].selection_span == span(f["csd"], "ZCIPIC")
    assert syms[0].span == (0, find(f["csd"], "SSL(YES)") + len("SSL(YES)"))
    assert [s.kind for s in syms] == ["definition", "definition", "definition", "command"]


def test_document_links(env):
    ws, f = env
    links = nav.document_links(ws, str(f["server"]))
    assert links == [nav.Link(span(f["server"], "conf/security.xml"), str(f["security"]))]
    assert nav.document_links(ws, str(f["csd"])) == []
    assert nav.document_links(ws, "/no/such.xml") == []


def test_variable_include_link_is_resolved(tmp_path):
    write(tmp_path, "conf/a.xml", "<server/>\n")
    p = write(tmp_path, "server.xml", '<server>\n  <variable name="confDir" value="conf"/>\n  <include location="${confDir}/a.xml"/>\n</server>\n')
    ws = AnalysisService([str(tmp_path)]).snapshot(str(p)).workspace
    links = nav.document_links(ws, str(p))
    assert links == [nav.Link(span(p, "${confDir}/a.xml"), str(tmp_path / "conf" / "a.xml"))]
