"""The posture at a glance (zcsec.ide.glance): CodeLens text per connection
and per CICS definition it reaches, and inlay hints for variables and ports.
No secret ever appears."""

from __future__ import annotations

from pathlib import Path

from conftest import server_xml, write

from zcsec.ide.glance import hints, lenses
from zcsec.service import AnalysisService

XML = """
<variable name="cicsHost" value="cics1.example.com"/>
<variable name="cicsPort" value="1491"/>
<variable name="dbPassword" value="CANARY-secret-1"/>
<variable name="pwPart" value="CANARY-part"/>
<keyStore id="ring" location="safkeyring:///ZC.Ring" type="JCERACFKS" fileBased="false" readOnly="true"/>
<ssl id="mtls" keyStoreRef="ring" trustStoreRef="ring" clientKeyAlias="ZC Client"/>
<zosconnect_cicsIpicConnection id="cics" host="${cicsHost}" port="${cicsPort}" sslCertsRef="mtls" zosConnectApplid="ZOSCONN" zosConnectNetworkid="ZCNET"/>
<zosconnect_authData id="cred" user="ZCUSER" password="${dbPassword}"/>
<zosconnect_authData id="cred2" user="ZCUSER2" password="x${pwPart}"/>
<zosconnect_cicsIpicConnection id="plain" host="cics2.example.com" port="1600"/>
"""
CSD = """\
 DEFINE TCPIPSERVICE(ZCIPIC) GROUP(ZCGRP) PORTNUMBER(1491) PROTOCOL(IPIC)
        TRANSACTION(CISS) SSL(CLIENTAUTH) URM(NO) SOCKETCLOSE(NO)
 DEFINE IPCONN(ZOSCONN) GROUP(ZCGRP) APPLID(ZOSCONN) NETWORKID(ZCNET)
        TCPIPSERVICE(ZCIPIC) LINKAUTH(CERTUSER) USERAUTH(IDENTIFY)
"""


def setup(tmp_path: Path):
    server = write(tmp_path, "server.xml", server_xml(XML, ("zosconnect:zosConnect-2.0", "zosconnect:cicsService-1.0", "transportSecurity-1.0")))
    csd = write(tmp_path, "cics.csd", CSD)
    (tmp_path / ".zcsec.toml").write_text("")
    ws = AnalysisService([str(tmp_path)]).snapshot(str(server)).workspace
    return ws, server, csd


def test_a_lens_per_connection_and_per_cics_definition_it_reaches(tmp_path):
    ws, server, csd = setup(tmp_path)
    text = server.read_text()
    got = {(text[lens.span[0]:lens.span[1]], lens.connection, lens.title) for lens in lenses(ws, str(server))}
    assert got == {
        ("zosconnect_cicsIpicConnection", "cics", "TLS + client cert · link certificate · caller's ID asserted"),
        ("zosconnect_cicsIpicConnection", "plain", "plain TCP · identity unknown"),  # no listener on port 1600 in the CSD
    }
    csd_text = csd.read_text()
    got = {(csd_text[lens.span[0]:lens.span[1]], lens.title) for lens in lenses(ws, str(csd))}
    assert got == {
        ("ZCIPIC", "from z/OS Connect connection 'cics': TLS + client cert · link certificate · caller's ID asserted"),
        ("ZOSCONN", "from z/OS Connect connection 'cics': TLS + client cert · link certificate · caller's ID asserted"),
    }


def test_hints_resolve_variables_and_name_the_cics_listener_never_a_secret(tmp_path):
    ws, server, _ = setup(tmp_path)
    text = server.read_text()
    got = [(text[:h.offset].splitlines()[-1].split()[-1], h.label) for h in hints(ws, str(server))]
    assert ('host="${cicsHost}"', "= cics1.example.com") in got
    assert ('port="${cicsPort}"', "= 1491") in got
    assert ('port="${cicsPort}"', "→ TCPIPSERVICE ZCIPIC, IPCONN ZOSCONN") in got
    everything = repr(hints(ws, str(server))) + repr(lenses(ws, str(server)))
    assert "CANARY" not in everything
    # A range asks only for the hints inside it.
    first_line_of_cics = text.index("<zosconnect_cicsIpicConnection")
    assert all(h.offset >= first_line_of_cics for h in hints(ws, str(server), first_line_of_cics))
