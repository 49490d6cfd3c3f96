"""The effective security posture per connection (zcsec.posture) and its
output through ``zcsec posture`` (text and JSON)."""

from __future__ import annotations

import json
from pathlib import Path


import pytest

from conftest import server_xml

from zcsec.analysis import analyse
from zcsec.cli import main
from zcsec.posture import Posture, postures

OA2 = (
    "zosconnect:zosConnect-2.0",
    "zosconnect:cicsService-1.0",
    "imsmobile:imsmobile-2.0",
    "zosconnect:dbService-1.0",
    "zosconnect:mqService-1.0",
    "wmqJmsClient-2.0",
    "zosLocalAdapters-1.0",
    "zosconnect:apiRequester-1.0",
    "transportSecurity-1.0",
)
OA3 = ("zosconnect:zosConnect-3.0", "zosconnect:db2-1.0", "transportSecurity-1.0")

TLS = """
<keyStore id="ring" location="safkeyring:///ZC.Ring" type="JCERACFKS" fileBased="false" readOnly="true" password="password"/>
<ssl id="mtls" keyStoreRef="ring" trustStoreRef="ring" clientKeyAlias="ZC Client"/>
<ssl id="outTls" keyStoreRef="ring" trustStoreRef="ring"/>
"""

JSON_KEYS = {"provider", "element", "id", "file", "target", "transport", "transportDetail", "bind", "linkUser", "identity", "identityDetail", "unknowns", "caller", "tlsFloor"}
CICS_KEYS = {"tcpipservice", "tcpipserviceFile", "ipconn", "ipconnFile", "autoinstall", "ssl", "userauth", "linkauth"}


def server(body: str, features=OA2) -> str:
    return server_xml(TLS + body, features)


def workspace(base: Path, xml: str, csd: str | None = None, toml: str = "", features=OA2) -> Path:
    base.mkdir(parents=True, exist_ok=True)
    (base / ".zcsec.toml").write_text(toml)
    (base / "server.xml").write_text(server(xml, features))
    if csd is not None:
        (base / "zcipic.csd").write_text(csd.strip("\n") + "\n")
    return base


def rows(base: Path) -> list[Posture]:
    ws = analyse([str(base)]).workspace
    return [p for cfg in ws.configs for p in postures(ws, cfg)]


def one(base: Path) -> Posture:
    [p] = rows(base)
    return p


def listener(ssl="CLIENTAUTH", urm="URM(NO)", port="1491"):
    return f"""
 DEFINE TCPIPSERVICE(ZCIPIC) GROUP(ZCGRP)
        PORTNUMBER({port}) PROTOCOL(IPIC) TRANSACTION(CISS)
        SSL({ssl}) {urm} SOCKETCLOSE(NO)
"""


def ipconn(security="LINKAUTH(CERTUSER) USERAUTH(IDENTIFY)"):
    return f"""
 DEFINE IPCONN(ZOSCONN) GROUP(ZCGRP)
        APPLID(ZOSCONN) NETWORKID(ZCNET) TCPIPSERVICE(ZCIPIC)
        RECEIVECOUNT(100) SENDCOUNT(0)
        {security}
"""


IPIC_MTLS = '<zosconnect_cicsIpicConnection id="cicsConn" host="cics1.example.com" port="1491" sslCertsRef="mtls" zosConnectApplid="ZOSCONN" zosConnectNetworkid="ZCNET"/>'
IPIC_PLAIN = '<zosconnect_cicsIpicConnection id="cicsConn" host="cics1.example.com" port="1491"/>'


# ---------------------------------------------------------------------------
# CICS
# ---------------------------------------------------------------------------


def test_cics_mutual_tls_certuser_identify(tmp_path):
    p = one(workspace(tmp_path, IPIC_MTLS, listener() + ipconn()))
    assert (p.provider, p.id, p.target) == ("cics", "cicsConn", "cics1.example.com:1491")
    assert p.transport == "tls" and 'ssl id="mtls"' in p.transport_detail and "SAF key ring" in p.transport_detail
    assert p.bind == "client-certificate"
    assert "certificate" in p.link_user and "RACF" in p.link_user
    assert p.identity == "asserted-caller" and "IDENTIFY" in p.identity_detail
    assert p.unknowns == []
    assert p.cics.service.name == "ZCIPIC" and p.cics.ipconn.name == "ZOSCONN" and not p.cics.autoinstall
    assert (p.cics.ssl, p.cics.userauth, p.cics.linkauth) == ("CLIENTAUTH", "IDENTIFY", "CERTUSER")
    assert p.ssl.id == "mtls" and p.credentials is None


def test_cics_without_csd_lists_unknowns(tmp_path):
    p = one(workspace(tmp_path, IPIC_PLAIN))
    assert p.transport == "none"
    assert p.bind == "unknown"
    assert p.link_user is None
    assert p.identity == "unknown"
    text = " | ".join(p.unknowns)
    assert "facts.at_tls" in text
    assert "TCPIPSERVICE" in text
    assert "USERAUTH" in text
    assert p.cics.service is None and p.cics.ipconn is None and not p.cics.autoinstall
    assert (p.cics.userauth, p.cics.linkauth) == (None, None)


def test_cics_at_tls_fact_settles_transport(tmp_path):
    p = one(workspace(tmp_path, IPIC_PLAIN, toml="[facts]\nat_tls = true\n"))
    assert p.transport == "at-tls"
    assert not any("at_tls" in u for u in p.unknowns)
    p = one(workspace(tmp_path / "f", IPIC_PLAIN, toml="[facts.connections.cicsConn]\nat_tls = false\n"))
    assert p.transport == "none" and "no AT-TLS" in p.transport_detail
    assert not any("at_tls" in u for u in p.unknowns)


def test_cics_autoinstall_default_user(tmp_path):
    # A listener without URM(NO) and no IPCONN: CICS autoinstalls one with defaults.
    p = one(workspace(tmp_path, IPIC_PLAIN, listener(ssl="NO", urm="")))
    assert p.cics.autoinstall and p.cics.ipconn is None
    assert "default user" in p.link_user and "autoinstalled" in p.link_user
    assert (p.cics.userauth, p.cics.linkauth) == ("LOCAL", "SECUSER")
    assert p.identity == "none"
    assert p.bind == "none"
    assert not any("IPCONN" in u for u in p.unknowns)


def test_cics_urm_no_without_ipconn_is_unknown(tmp_path):
    p = one(workspace(tmp_path, IPIC_PLAIN, listener(ssl="NO", urm="URM(NO)")))
    assert not p.cics.autoinstall and p.link_user is None
    assert any("IPCONN" in u for u in p.unknowns)


def test_cics_verify_with_auth_data(tmp_path):
    xml = IPIC_MTLS.replace("/>", ' authDataRef="cicsCred"/>') + '\n<zosconnect_authData id="cicsCred" user="ZCUSER" password="{aes}AAAA"/>'
    p = one(workspace(tmp_path, xml, listener() + ipconn("SECURITYNAME(ZCLINK) USERAUTH(VERIFY)")))
    assert p.identity == "fixed-credentials"
    assert 'zosconnect_authData id="cicsCred"' in p.identity_detail
    assert p.credentials.id == "cicsCred"
    assert p.link_user == "SECURITYNAME ZCLINK"


def test_cics_verify_without_auth_data(tmp_path):
    p = one(workspace(tmp_path, IPIC_MTLS, listener() + ipconn("SECURITYNAME(ZCLINK) USERAUTH(VERIFY)")))
    assert p.identity == "none" and "VERIFY" in p.identity_detail


def test_cics_local_with_auth_data_says_it_is_unused(tmp_path):
    xml = IPIC_MTLS.replace("/>", ' authDataRef="cicsCred"/>') + '\n<zosconnect_authData id="cicsCred" user="ZCUSER" password="{aes}AAAA"/>'
    p = one(workspace(tmp_path, xml, listener() + ipconn("SECURITYNAME(ZCLINK) USERAUTH(LOCAL)")))
    assert p.identity == "none" and "not used" in p.identity_detail


def test_cics_certuser_without_client_certificate_has_no_certificate_link_user(tmp_path):
    # LINKAUTH(CERTUSER) but SSL(YES) and no sslCertsRef: no certificate reaches CICS.
    xml = IPIC_PLAIN.replace("/>", ' zosConnectApplid="ZOSCONN" zosConnectNetworkid="ZCNET"/>')
    p = one(workspace(tmp_path, xml, listener(ssl="YES") + ipconn()))
    assert p.bind == "none"
    assert "mapped from" not in p.link_user and p.link_user.startswith("none")


def test_cics_at_tls_never_carries_the_certificate(tmp_path):
    # AT-TLS works for IPIC only in basic mode: CICS never sees a client certificate.
    xml = IPIC_PLAIN.replace("/>", ' zosConnectApplid="ZOSCONN" zosConnectNetworkid="ZCNET"/>')
    p = one(workspace(tmp_path, xml, listener() + ipconn(), toml="[facts]\nat_tls = true\n"))
    assert p.transport == "at-tls" and p.bind == "none"
    assert p.link_user.startswith("none")


def test_cics_uses_variables_for_host_and_port(tmp_path):
    xml = '<variable name="CICS_HOST" value="cics1.example.com"/>\n<variable name="CICS_PORT" value="1491"/>\n' + IPIC_MTLS.replace('host="cics1.example.com" port="1491"', 'host="${CICS_HOST}" port="${CICS_PORT}"')
    p = one(workspace(tmp_path, xml, listener() + ipconn()))
    assert p.target == "cics1.example.com:1491" and p.cics.service is not None and p.cics.ipconn is not None


# ---------------------------------------------------------------------------
# IMS, IMS database
# ---------------------------------------------------------------------------


def ims(gmoa_extra: str = "", auth: bool = True) -> str:
    ref = ' containerAuthDataRef="imsAuth"' if auth else ""
    return f"""
<imsmobile_imsConnection id="IMSCONN" connectionFactoryRef="imsCF"/>
<connectionFactory id="imsCF"{ref}>
    <properties.gmoa hostName="hws1.example.com" portNumber="9999"{gmoa_extra}/>
</connectionFactory>
<authData id="imsAuth" user="IMSUSER" password="{{aes}}AAAA"/>
"""


def test_ims_passticket_for_caller(tmp_path):
    p = one(workspace(tmp_path, ims(' applicationName="IMSAPPL"')))
    assert (p.provider, p.id, p.target) == ("ims", "IMSCONN", "hws1.example.com:9999")
    assert p.identity == "passticket" and "authenticated caller" in p.identity_detail and "IMSAPPL" in p.identity_detail
    assert p.transport == "at-tls" and any("at_tls" in u for u in p.unknowns)


def test_ims_passticket_for_fixed_user(tmp_path):
    p = one(workspace(tmp_path, ims(' applicationName="IMSAPPL" userName="ZCTECH"')))
    assert p.identity == "passticket" and "fixed user ZCTECH" in p.identity_detail


def test_ims_auth_data_and_facts(tmp_path):
    p = one(workspace(tmp_path, ims(), toml="[facts]\nat_tls = false\n"))
    assert p.identity == "fixed-credentials" and 'authData id="imsAuth"' in p.identity_detail
    assert p.transport == "none" and p.unknowns == []
    p = one(workspace(tmp_path / "t", ims(), toml='[facts.hosts."hws1.example.com"]\nat_tls = true\n'))
    assert p.transport == "at-tls" and p.unknowns == []


def test_ims_no_credentials(tmp_path):
    p = one(workspace(tmp_path, ims(auth=False)))
    assert p.identity == "none"


def imsdb(extra: str) -> str:
    return f"""
<connectionFactory id="dbCF">
    <properties.imsudbJLocal databaseName="DB1" datastoreServer="hws1.example.com" portNumber="9998" driverType="4"{extra}/>
</connectionFactory>
"""


def test_imsdb_passticket_and_technical_user(tmp_path):
    p = one(workspace(tmp_path, imsdb(' applicationName="IMSDBAPL"')))
    assert (p.provider, p.id, p.target, p.element.name) == ("imsdb", "dbCF", "hws1.example.com:9998", "connectionFactory")
    assert p.identity == "passticket" and "authenticated caller" in p.identity_detail
    assert p.transport == "at-tls"
    p = one(workspace(tmp_path / "u", imsdb(' user="IMSTECH" password="{aes}AAAA"')))
    assert p.identity == "fixed-credentials" and "IMSTECH" in p.identity_detail
    p = one(workspace(tmp_path / "n", imsdb("")))
    assert p.identity == "none"


# ---------------------------------------------------------------------------
# IBM MQ
# ---------------------------------------------------------------------------


def mq(props: str, services: str = "") -> str:
    return f'<jmsConnectionFactory id="cf1" jndiName="jms/cf1">\n    <properties.wmqJms {props}/>\n</jmsConnectionFactory>\n{services}'


CALLER = '<zosconnect_services>\n    <service name="s">\n        <property name="useCallerPrincipal" value="true"/>\n    </service>\n</zosconnect_services>'


def test_mq_bindings_mode(tmp_path):
    p = one(workspace(tmp_path, mq('transportType="BINDINGS" queueManager="QM1"')))
    assert p.provider == "mq" and p.id == "cf1"
    assert "bindings mode" in p.target and "QM1" in p.target
    assert p.transport == "none" and "cross-memory" in p.transport_detail
    assert p.identity == "none"


def test_mq_client_tls_with_caller_principal(tmp_path):
    props = 'transportType="CLIENT" queueManager="QM1" hostName="mq1.example.com" port="1415" channel="ZC.SVRCONN" sslCipherSuite="SSL_RSA_WITH_AES_256_CBC_SHA256"'
    p = one(workspace(tmp_path, mq(props, CALLER)))
    assert p.target == "QM1 at mq1.example.com:1415 (client mode)"
    assert p.transport == "tls" and "SSL_RSA_WITH_AES_256_CBC_SHA256" in p.transport_detail
    assert p.identity == "asserted-caller" and "useCallerPrincipal" in p.identity_detail


def test_mq_client_plain_with_service_credentials(tmp_path):
    props = 'transportType="CLIENT" queueManager="QM1" hostName="mq1.example.com" channel="ZC.SVRCONN"'
    services = '<zosconnect_services>\n    <service name="s">\n        <property name="userName" value="MQAPP"/>\n        <property name="password" value="{aes}AAAA"/>\n    </service>\n</zosconnect_services>'
    p = one(workspace(tmp_path, mq(props, services)))
    assert p.target.endswith(":1414 (client mode)")  # the MQ client default port
    assert p.transport == "none"
    assert p.identity == "fixed-credentials"
    p = one(workspace(tmp_path / "a", mq(props), toml="[facts.connections.cf1]\nat_tls = true\n"))
    assert p.transport == "at-tls"


# ---------------------------------------------------------------------------
# REST and Db2
# ---------------------------------------------------------------------------


def test_rest_oa2_passticket_over_https(tmp_path):
    xml = '<zosconnect_zosConnectServiceRestClientConnection id="db2Conn" host="db2.example.com" port="4712" sslCertsRef="outTls" basicAuthRef="db2Auth"/>\n<zosconnect_zosConnectServiceRestClientBasicAuth id="db2Auth" applName="DB2APPL"/>'
    p = one(workspace(tmp_path, xml))
    assert (p.provider, p.id, p.target) == ("rest", "db2Conn", "db2.example.com:4712")
    assert p.transport == "tls" and 'ssl id="outTls"' in p.transport_detail
    assert p.identity == "passticket" and "DB2APPL" in p.identity_detail
    assert p.bind == "none"


def test_rest_oa2_basic_over_http(tmp_path):
    xml = '<zosconnect_zosConnectServiceRestClientConnection id="db2Conn" host="db2.example.com" port="8812" basicAuthRef="db2Auth"/>\n<zosconnect_zosConnectServiceRestClientBasicAuth id="db2Auth" userName="DB2USER" password="{aes}AAAA"/>'
    p = one(workspace(tmp_path, xml))
    assert p.transport == "none" and any("at_tls" in u for u in p.unknowns)
    assert p.identity == "fixed-credentials" and 'id="db2Auth"' in p.identity_detail


def test_rest_oa3_credential_ref(tmp_path):
    xml = '<zosconnect_db2Connection id="db2" host="db2.example.com" port="4712" sslCertsRef="outTls" credentialRef="db2Cred"/>\n<zosconnect_credential id="db2Cred" user="DB2USER" password="{aes}AAAA"/>'
    p = one(workspace(tmp_path, xml, features=OA3))
    assert p.element.name == "zosconnect_db2Connection"
    assert p.transport == "tls"
    assert p.identity == "fixed-credentials" and 'zosconnect_credential id="db2Cred"' in p.identity_detail
    assert p.credentials.id == "db2Cred"


def test_rest_endpoint_https(tmp_path):
    xml = '<zosconnect_endpointConnection id="api" host="https://api.example.com" port="443" sslCertsRef="mtls" authenticationConfigRef="apiCred"/>\n<zosconnect_authData id="apiCred" user="U" password="{aes}AAAA"/>'
    p = one(workspace(tmp_path, xml))
    assert p.target == "https://api.example.com:443"
    assert p.transport == "tls"
    assert p.bind == "client-certificate"  # the ssl has a clientKeyAlias
    assert p.identity == "fixed-credentials" and "basic authentication" in p.identity_detail


def test_rest_endpoint_without_credentials(tmp_path):
    p = one(workspace(tmp_path, '<zosconnect_endpointConnection id="api" host="https://api.example.com" port="443" sslCertsRef="outTls"/>'))
    assert p.identity == "none" and p.bind == "none"


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


def test_wola(tmp_path):
    p = one(workspace(tmp_path, WOLA))
    assert (p.provider, p.id) == ("wola", "svc")
    assert p.target == "ZCWOLA ZCEE ACCTS / ACCTBATCH"
    assert p.transport == "local" and p.bind == "none"
    assert p.identity == "fixed-credentials" and 'authData id="wolaAuth"' in p.identity_detail
    # A target that may be a batch job or IMS: no CICS link server to speak of.
    assert "link server" not in p.link_user and "address space that registered" in p.link_user
    assert p.unknowns == []


def test_wola_into_cics_names_the_link_server_choice_and_the_fact_settles_it(tmp_path):
    """Issue 11: into CICS, the link task BBO# runs under the propagated user
    ID or the link server's own (BBO$); that is chosen when the link server is
    started, so a .zcsec.toml fact settles it."""
    cics = WOLA.replace("<properties.ola/>", '<properties.ola linkTaskTranID="BBO#"/>')
    p = one(workspace(tmp_path, cics))
    assert "BBO$" in p.link_user and any("wola_propagates_identity" in u for u in p.unknowns)
    p = one(workspace(tmp_path / "own", cics, toml="[facts.connections.svc]\nwola_propagates_identity = false\n"))
    assert p.link_user.startswith("the CICS link server's user ID") and p.unknowns == []
    p = one(workspace(tmp_path / "prop", cics, toml="[facts]\nwola_propagates_identity = true\n"))
    assert p.link_user.startswith("the user ID that z/OS Connect propagates") and p.unknowns == []
    # The WOLA link transactions in the workspace's CSD also say the target is CICS.
    p = one(workspace(tmp_path / "csd", WOLA, csd=" DEFINE TRANSACTION(BBO#) GROUP(WOLA) PROGRAM(LINKPGM)\n"))
    assert "BBO$" in p.link_user


def test_wola_without_container_auth(tmp_path):
    p = one(workspace(tmp_path, WOLA.replace(' containerAuthDataRef="wolaAuth"', "")))
    assert p.identity == "none"


# ---------------------------------------------------------------------------
# Several connections, document order
# ---------------------------------------------------------------------------


def test_postures_in_document_order(tmp_path):
    xml = IPIC_MTLS + "\n" + ims(' applicationName="IMSAPPL"') + WOLA
    got = rows(workspace(tmp_path, xml, listener() + ipconn()))
    assert [(p.provider, p.id) for p in got] == [("cics", "cicsConn"), ("ims", "IMSCONN"), ("wola", "svc")]


# ---------------------------------------------------------------------------
# zcsec posture
# ---------------------------------------------------------------------------


def test_cli_posture_json(tmp_path, capsys, monkeypatch):
    xml = IPIC_MTLS + "\n" + ims(' applicationName="IMSAPPL"')
    base = workspace(tmp_path, xml, listener() + ipconn())
    monkeypatch.chdir(base)
    assert main(["posture", "--format", "json", str(base)]) == 0
    data = json.loads(capsys.readouterr().out)
    assert isinstance(data, list) and len(data) == 2
    cics, imsrow = data
    assert set(cics) == JSON_KEYS | {"cics"}
    assert set(imsrow) == JSON_KEYS
    assert cics["provider"] == "cics" and cics["element"] == "zosconnect_cicsIpicConnection" and cics["id"] == "cicsConn"
    assert cics["file"] == "server.xml"  # relative to the working directory
    assert cics["target"] == "cics1.example.com:1491"
    assert (cics["transport"], cics["bind"], cics["identity"]) == ("tls", "client-certificate", "asserted-caller")
    assert "certificate" in cics["linkUser"]
    assert cics["unknowns"] == []
    assert set(cics["cics"]) == CICS_KEYS
    assert cics["cics"] == {
        "tcpipservice": "ZCIPIC",
        "tcpipserviceFile": "zcipic.csd",
        "ipconn": "ZOSCONN",
        "ipconnFile": "zcipic.csd",
        "autoinstall": False,
        "ssl": "CLIENTAUTH",
        "userauth": "IDENTIFY",
        "linkauth": "CERTUSER",
    }
    assert imsrow["provider"] == "ims" and imsrow["identity"] == "passticket" and imsrow["linkUser"] is None
    assert imsrow["unknowns"] and all(isinstance(u, str) for u in imsrow["unknowns"])


def test_cli_posture_json_without_csd(tmp_path, capsys):
    base = workspace(tmp_path, IPIC_PLAIN)
    assert main(["posture", "--format", "json", str(base)]) == 0
    [row] = json.loads(capsys.readouterr().out)
    assert row["cics"] == {
        "tcpipservice": None,
        "tcpipserviceFile": None,
        "ipconn": None,
        "ipconnFile": None,
        "autoinstall": False,
        "ssl": None,
        "userauth": None,
        "linkauth": None,
    }
    assert len(row["unknowns"]) == 3 and row["bind"] == "unknown" and row["linkUser"] is None


def test_cli_posture_text(tmp_path, capsys):
    base = workspace(tmp_path, IPIC_MTLS + "\n" + WOLA, listener() + ipconn())
    assert main(["posture", str(base)]) == 0
    out = capsys.readouterr().out
    lines = out.splitlines()
    assert lines[0].split() == ["Provider", "Connection", "Caller", "Transport", "Bind", "Link", "user", "Identity", "sent"]
    assert set(lines[1].replace(" ", "")) == {"-"}
    assert lines[2].split()[:7] == ["CICS", "(IPIC)", "cicsConn", lines[2].split()[3], "tls", "client-certificate", "certificate"]
    assert lines[2].split()[-1] == "asserted-caller"
    assert lines[3].split()[:2] == ["WOLA", "svc"] and lines[3].split()[3:5] == ["local", "none"]
    assert "  Caller:           callers authenticate" in out
    assert "CICS (IPIC): zosconnect_cicsIpicConnection id=cicsConn" in out
    assert "TCPIPSERVICE ZCIPIC SSL(CLIENTAUTH); IPCONN ZOSCONN USERAUTH(IDENTIFY) LINKAUTH(CERTUSER)" in out
    assert "Not established:  -" in out


def test_cli_posture_no_connections(tmp_path, capsys):
    base = workspace(tmp_path, "<safRegistry id=\"saf\"/>")
    assert main(["posture", str(base)]) == 0
    assert capsys.readouterr().out == "No connections to systems of record found.\n"
    assert main(["posture", "--format", "json", str(base)]) == 0
    assert json.loads(capsys.readouterr().out) == []


def test_cli_posture_nothing_readable(tmp_path, capsys):
    assert main(["posture", str(tmp_path / "missing")]) == 2


def test_wola_factory_used_only_by_sar_services_is_a_connection(tmp_path):
    # A WOLA connection factory that no element names is used by services in
    # .sar files: it is a connection of its own, and requireAuth="false" in
    # front of it is reported.
    from zcsec.analysis import analyse

    body = (
        '<zosconnect_zosConnectManager requireAuth="false"/>\n'
        '<zosLocalAdapters wolaGroup="G1" wolaName2="G2" wolaName3="G3"/>\n'
        '<connectionFactory id="wolaCF" jndiName="eis/ola"><properties.ola/></connectionFactory>'
    )
    (tmp_path / "server.xml").write_text(f"<server>\n<featureManager><feature>zosconnect:zosConnect-2.0</feature><feature>zosLocalAdapters-1.0</feature></featureManager>\n{body}\n</server>\n", encoding="utf-8")
    (tmp_path / ".zcsec.toml").write_text("", encoding="utf-8")
    result = analyse([str(tmp_path)])
    [cfg] = result.workspace.configs
    from zcsec.posture import postures

    [p] = postures(result.workspace, cfg)
    assert (p.provider, p.id, p.identity) == ("wola", "wolaCF", "none")
    assert "caller-unauthenticated" in {f.code for f in result.findings}
    # Named by a localAdaptersConnectService, the factory is part of that connection.
    body2 = body + '\n<zosconnect_localAdaptersConnectService id="svc" registerName="REG1" serviceName="S1" connectionFactoryRef="wolaCF"/>'
    (tmp_path / "server.xml").write_text(f"<server>\n<featureManager><feature>zosconnect:zosConnect-2.0</feature><feature>zosLocalAdapters-1.0</feature></featureManager>\n{body2}\n</server>\n", encoding="utf-8")
    result = analyse([str(tmp_path)])
    [cfg] = result.workspace.configs
    assert [p.id for p in postures(result.workspace, cfg)] == ["svc"]


def test_caller_of_each_connection(tmp_path):
    # Who calls: authenticated SAF users by default, anyone with
    # requireAuth="false", a z/OS program for the API requester.
    from zcsec.analysis import analyse
    from zcsec.posture import postures

    def callers(body):
        (tmp_path / "server.xml").write_text(f"<server>\n<featureManager><feature>zosconnect:zosConnect-2.0</feature></featureManager>\n{body}\n</server>\n", encoding="utf-8")
        (tmp_path / ".zcsec.toml").write_text("", encoding="utf-8")
        result = analyse([str(tmp_path)])
        return {p.id: p.caller for p in postures(result.workspace, result.workspace.configs[0])}

    ipic = '<zosconnect_cicsIpicConnection id="cics" host="h" port="1491"/>\n'
    requester = '<zosconnect_endpointConnection id="api" host="https://api.example.com" port="443"/>\n'
    c = callers('<safRegistry id="saf"/>\n' + ipic + requester)
    assert (c["cics"].kind, c["cics"].registry) == ("authenticated", "saf")
    assert c["api"].kind == "zos-program"
    c = callers('<zosconnect_zosConnectManager requireAuth="false" requireSecure="false"/>\n' + ipic)
    assert c["cics"].kind == "anonymous" and c["cics"].http_allowed
    c = callers('<safRegistry id="saf"/>\n<ssl id="in" keyStoreRef="defaultKeyStore" clientAuthentication="true"/>\n' + ipic)
    assert "TLS client certificates" in c["cics"].summary
    c = callers('<basicRegistry id="b"/>\n<mpJwt id="jwt"/>\n' + ipic)
    assert c["cics"].registry == "basic" and "JWTs" in c["cics"].summary
    assert c["cics"].to_json()["kind"] == "authenticated"


def test_a_posture_that_fails_is_an_internal_error_at_its_element_not_a_silent_gap(tmp_path, monkeypatch, capsys):
    """Issue 13: a connection whose posture cannot be computed surfaces as a
    rule failure does (internal-error), at the element; the other
    connections keep their posture."""
    import zcsec.posture

    def broken(*args):
        raise KeyError("simulated")

    monkeypatch.setattr(zcsec.posture, "cics_posture", broken)
    base = workspace(
        tmp_path,
        '<zosconnect_cicsIpicConnection id="cics" host="cics.example.com" port="1491"/>\n'
        '<zosconnect_zosConnectServiceRestClientConnection id="db2" host="db2.example.com" port="4443" sslCertsRef="outTls"/>\n',
    )
    result = analyse([str(base)])
    [err] = [f for f in result.findings if f.code == "internal-error"]
    text = (base / "server.xml").read_text()
    line = text[: text.index("<zosconnect_cicsIpicConnection")].count("\n")
    assert (err.range.start.line, err.range.start.character, err.range.end.character) == (line, 5, 5 + len("zosconnect_cicsIpicConnection"))
    assert "KeyError" in err.message and "zosconnect_cicsIpicConnection" in err.message
    assert [p.provider for p in rows(base)] == ["rest"]
    assert main(["posture", str(base)]) == 0
    assert "internal" not in capsys.readouterr().out
    main(["posture", str(base)])
    assert "could not work out the security of this zosconnect_cicsIpicConnection" in capsys.readouterr().err


def test_the_tls_floor_of_each_hop(tmp_path):
    """Issue 12: the posture shows the weakest protocol and suite each TLS end
    allows, in the JSON, the table and the hover."""
    p = one(workspace(tmp_path, IPIC_MTLS, listener() + ipconn()))
    assert p.tls_floor == "z/OS Connect: the protocols the JVM negotiates by default, securityLevel HIGH (the JVM's suites for that level); CICS: the region's default cipher list (MINTLSLEVEL and the CICS release decide it)"
    xml = IPIC_MTLS.replace('sslCertsRef="mtls"', 'sslCertsRef="pinned"') + (
        '\n<ssl id="pinned" keyStoreRef="ring" trustStoreRef="ring" clientKeyAlias="ZC Client" sslProtocol="TLSv1.1,TLSv1.2"'
        ' enabledCiphers="TLS_ECDHE_RSA_WITH_AES_128_GCM_SHA256 TLS_RSA_WITH_AES_256_CBC_SHA"/>'
    )
    listener_with_ciphers = listener().replace("SSL(CLIENTAUTH)", "SSL(CLIENTAUTH) CIPHERS(352F0A)")
    p = one(workspace(tmp_path / "explicit", xml, listener_with_ciphers + ipconn()))
    assert p.tls_floor == (
        "z/OS Connect: TLSv1.1 (legacy), weakest suite TLS_RSA_WITH_AES_256_CBC_SHA (legacy); "
        "CICS: CIPHERS(352F0A), weakest 0A = TLS_RSA_WITH_3DES_EDE_CBC_SHA (weak)"
    )
    assert p.to_json()["tlsFloor"] == p.tls_floor
    # No TLS on the hop: no floor.
    assert one(workspace(tmp_path / "plain", IPIC_PLAIN, listener(ssl="NO"))).tls_floor is None


def test_an_ssl_reference_that_is_not_in_these_files_is_unknown_not_plain(tmp_path):
    """Corpus: a fragment whose sslCertsRef names an <ssl> defined in another
    file means TLS; calling the link plain text (and warning about a
    PassTicket sent in clear) would be wrong."""
    xml = (
        '<zosconnect_zosConnectServiceRestClientConnection id="db2" host="db2.example.com" port="2445" sslCertsRef="elsewhereTls" basicAuthRef="pt"/>\n'
        '<zosconnect_zosConnectServiceRestClientBasicAuth id="pt" applName="DSN2APPL"/>'
    )
    p = one(workspace(tmp_path, xml))
    assert p.transport == "unknown" and 'sslCertsRef names <ssl id="elsewhereTls">' in p.transport_detail
    findings = analyse([str(tmp_path)]).findings
    assert [f.code for f in findings if f.code == "rest-credentials-over-http"] == []


_PROVIDER_CONNECTIONS = {
    "cics": IPIC_MTLS,
    "ims": ims(),
    "imsdb": imsdb(' applicationName="IMSDBAPL"'),
    "mq": mq('transportType="BINDINGS" queueManager="QM1"'),
    "rest": '<zosconnect_zosConnectServiceRestClientConnection id="db2" host="db2.example.com" port="4443" sslCertsRef="outTls"/>',
    "wola": WOLA,
}
_REGISTRIES = {
    "saf": ('<safRegistry id="saf"/>', "authenticated", "SAF user IDs"),
    "ldap": ('<ldapRegistry id="ldap" host="ldap.example.com" port="636" baseDN="o=example" ldapType="IBM Tivoli Directory Server"/>', "authenticated", "LDAP users"),
    "basic": ('<basicRegistry id="basic"/>', "authenticated", "basic-registry users"),
    "federated": ('<federatedRepository/>', "authenticated", "federated repository users"),
    "custom": ('<customRegistry id="mine"/>', "authenticated", "custom registry"),
    "none": ("", "unknown", "no user registry"),
}


@pytest.mark.parametrize("registry", sorted(_REGISTRIES))
@pytest.mark.parametrize("provider", sorted(_PROVIDER_CONNECTIONS))
def test_every_provider_knows_its_caller_with_every_registry_kind(tmp_path, provider, registry):
    """Issue 11: the caller of every provider's connection, for each kind of
    user registry, in the posture and its JSON."""
    element, kind, words = _REGISTRIES[registry]
    got = [p for p in rows(workspace(tmp_path, element + "\n" + _PROVIDER_CONNECTIONS[provider])) if p.provider == provider]
    assert len(got) == 1
    caller = got[0].caller
    assert (caller.kind, caller.registry) == (kind, registry), caller
    assert words in caller.summary
    assert got[0].to_json()["caller"]["registry"] == registry
