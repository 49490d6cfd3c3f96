"""Security rules for CICS: IPIC connections in server.xml
(zosconnect_cicsIpicConnection) and the CSD (IPCONN, TCPIPSERVICE), checked
against each other, and the CSD's own listeners and cipher lists.

Facts (from docs/domain research, each rule links its IBM page):
- TLS on IPIC: server.xml sslCertsRef plus TCPIPSERVICE SSL(YES|CLIENTAUTH);
  bind security is TLS client authentication (SSL(CLIENTAUTH)).
- AT-TLS works for IPIC only in basic mode, so CICS never sees a client
  certificate through it.
- LINKAUTH(CERTUSER) needs SSL(CLIENTAUTH); SECURITYNAME belongs to SECUSER.
- USERAUTH(VERIFY) needs a user ID and password on every request (authDataRef).
- USERAUTH(IDENTIFY) needs TLS client authentication or one sysplex.
"""

from __future__ import annotations

from ..findings import Fix, Severity
from ..posture import Posture, linked, value_of
from .. import tls
from ..tls import cics_ciphers
from ..workspace import CsdModel
from .common import (
    STRONG_SUITES,
    attr_span,
    csd_remove_keyword_edit,
    csd_set_keyword_edit,
    fact_note,
    fact_severity,
    insert_attribute_edit,
    keyword_span,
    removal_fix,
    sibling_element_edit,
    suite_severity,
    suite_summary,
)
from .registry import CONFIG, CSD_FILE, Context, rule

IPIC_SECURITY = "https://www.ibm.com/docs/en/SSNPJM_3.0/configuring/oa3/config_ipic_security.html"
IPIC_VERIFY = "https://www.ibm.com/support/knowledgecenter/SS4SVW_3.0.0/configuring/config_ipic_verify.html"
IPIC_TLS = "https://www.ibm.com/support/knowledgecenter/SS4SVW_3.0.0/configuring/config_ipic_ssl_cics.html"
LINK_SECURITY = "https://ibm.com/docs/SSGMCP_5.5.0/security/connections/dfht5_ip_link_security.html"
USER_SECURITY = "https://www.ibm.com/docs/SSGMCP_5.5.0/security/connections/dfht5_ip_user_security.html"
TRANSPORT = "https://www.ibm.com/docs/zh/SSGMCP_6.1.0/security/ipic/ipic-transport-security.html"
TCPIP_RELATED = "https://www.ibm.com/docs/en/SSGMCP_5.4.0/reference/resources/tcpipservice/dfha4_related.html"
AUTOINSTALL = "https://www.ibm.com/docs/en/SSGMCP_5.6.0/system-programming/cics/dfha3ip2.html"
CICS_CIPHERS = "https://www.ibm.com/docs/en/SSGMCP_5.4.0/security/tcpip/dfht5_encrypt.html"


def _related_ipconn(p: Posture, keyword: str, note: str) -> list:
    side = p.cics
    if side is None or side.ipconn is None or side.ipconn_path is None:
        return []
    return [(side.ipconn_path, keyword_span(side.ipconn, keyword), note)]


def _related_service(p: Posture, keyword: str, note: str) -> list:
    side = p.cics
    if side is None or side.service is None or side.service_path is None:
        return []
    return [(side.service_path, keyword_span(side.service, keyword), note)]


@rule(
    "cics-verify-without-credentials",
    title="CICS requires a password (USERAUTH(VERIFY)) but the connection sends none",
    severity=Severity.ERROR,
    scope=CONFIG,
    category="security",
    provider="cics",
    rationale="With USERAUTH(VERIFY) on the IPCONN, CICS checks a user ID and password on every request. z/OS Connect sends them only when the IPIC connection has an authDataRef to a <zosconnect_authData>; without it every request is rejected with a security error.",
    link=IPIC_VERIFY,
    bad=(
        '<zosconnect_cicsIpicConnection id="cicsConn" host="cics1.example.com" port="1491"\n'
        '    zosConnectApplid="ZOSCONN" zosConnectNetworkid="ZCNET"/>\n'
        "--- cics.csd\n"
        " DEFINE TCPIPSERVICE(ZCIPIC) GROUP(ZCGRP) PROTOCOL(IPIC)\n"
        "        PORTNUMBER(1491)\n"
        " DEFINE IPCONN(ZOSCONN) GROUP(ZCGRP) TCPIPSERVICE(ZCIPIC)\n"
        "        APPLID(ZOSCONN) NETWORKID(ZCNET)\n"
        "        SECURITYNAME(ZCLINK) USERAUTH(VERIFY)"
    ),
    good=(
        '<zosconnect_cicsIpicConnection id="cicsConn" host="cics1.example.com" port="1491"\n'
        '    zosConnectApplid="ZOSCONN" zosConnectNetworkid="ZCNET"\n'
        '    sslCertsRef="zcTLS" authDataRef="cicsCred"/>\n'
        '<ssl id="zcTLS" keyStoreRef="defaultKeyStore"/>\n'
        '<zosconnect_authData id="cicsCred" user="ZCUSER" password="{aes}ARAGvV1r4cP2mgRdNm0nwC9Ujw9gPQG3"/>\n'
        "--- cics.csd\n"
        " DEFINE TCPIPSERVICE(ZCIPIC) GROUP(ZCGRP) PROTOCOL(IPIC)\n"
        "        PORTNUMBER(1491) SSL(YES)\n"
        " DEFINE IPCONN(ZOSCONN) GROUP(ZCGRP) TCPIPSERVICE(ZCIPIC)\n"
        "        APPLID(ZOSCONN) NETWORKID(ZCNET)\n"
        "        SECURITYNAME(ZCLINK) USERAUTH(VERIFY)"
    ),
    fix="Add authDataRef and a <zosconnect_authData> skeleton to fill in.",
)
def verify_without_credentials(ctx: Context) -> None:
    for p in ctx.postures("cics"):
        if p.cics is None or p.cics.ipconn is None or p.cics.userauth != "VERIFY" or p.credentials is not None:
            continue
        if p.element.element.get("authDataRef") is not None:
            continue  # an unresolved authDataRef is reported by ref-unresolved
        ident = f"{p.id or 'cics'}Credentials"
        fix = Fix(
            "Add authDataRef and a <zosconnect_authData> to fill in",
            [insert_attribute_edit(p.element, f' authDataRef="{ident}"'), sibling_element_edit(p.element, f'<zosconnect_authData id="{ident}" user="" password=""/>')],
        )
        ctx.report(
            p.element.element.name_span,
            f"IPCONN {p.cics.ipconn.name} requires a user ID and password on every request (USERAUTH(VERIFY)), but connection '{p.id}' has no authDataRef; every request will fail",
            path=p.element.path,
            fixes=[fix],
            related=_related_ipconn(p, "USERAUTH", "USERAUTH(VERIFY) is set here"),
        )


@rule(
    "cics-credentials-in-clear",
    title="Password sent to CICS without TLS",
    severity=Severity.WARNING,
    scope=CONFIG,
    category="security",
    provider="cics",
    rationale="An authDataRef makes z/OS Connect send a user ID and password with every IPIC request. Without sslCertsRef (or an AT-TLS policy) they cross the network in clear text. The finding is a warning while .zcsec.toml does not say whether AT-TLS protects the connection, and an error once it says it does not.",
    link=IPIC_TLS,
    bad=(
        '<zosconnect_cicsIpicConnection id="cicsConn" host="cics1.example.com" port="1491"\n'
        '    authDataRef="cicsCred"/>\n'
        '<zosconnect_authData id="cicsCred" user="ZCUSER" password="{aes}ARAGvV1r4cP2mgRdNm0nwC9Ujw9gPQG3"/>'
    ),
    good=(
        '<zosconnect_cicsIpicConnection id="cicsConn" host="cics1.example.com" port="1491"\n'
        '    authDataRef="cicsCred" sslCertsRef="zcTLS"/>\n'
        '<ssl id="zcTLS" keyStoreRef="defaultKeyStore"/>\n'
        '<zosconnect_authData id="cicsCred" user="ZCUSER" password="{aes}ARAGvV1r4cP2mgRdNm0nwC9Ujw9gPQG3"/>'
    ),
    unsettled_by=("facts.at_tls",),
)
def credentials_in_clear(ctx: Context) -> None:
    for p in ctx.postures("cics"):
        if p.credentials is None or p.transport != "none":
            continue
        host = p.target.rsplit(":", 1)[0]
        fact = ctx.project.fact("at_tls", p.id, host)
        sev = fact_severity(fact)
        if sev is None:
            continue
        ctx.report(
            attr_span(p.element, "authDataRef"),
            f"connection '{p.id}' sends the password of '{p.credentials.id}' to CICS without TLS: add sslCertsRef, unless an AT-TLS policy encrypts it." + fact_note("at_tls", fact),
            path=p.element.path,
            severity=sev,
        )


@rule(
    "cics-identify-without-trust",
    title="USERAUTH(IDENTIFY) without TLS client authentication",
    severity=Severity.WARNING,
    scope=CONFIG,
    category="security",
    provider="cics",
    rationale="With USERAUTH(IDENTIFY) CICS accepts the asserted user ID without a password, so it must be sure who is asserting it: either z/OS Connect and CICS are in one sysplex, or the connection uses TLS with client authentication (sslCertsRef plus TCPIPSERVICE SSL(CLIENTAUTH)). Otherwise anyone who can reach the port can run work as any user. Until .zcsec.toml says whether the two share a sysplex the finding is a warning.",
    link=USER_SECURITY,
    bad=(
        '<zosconnect_cicsIpicConnection id="cicsConn" host="cics1.example.com" port="1491"\n'
        '    zosConnectApplid="ZOSCONN" zosConnectNetworkid="ZCNET"/>\n'
        "--- cics.csd\n"
        " DEFINE TCPIPSERVICE(ZCIPIC) GROUP(ZCGRP) PROTOCOL(IPIC)\n"
        "        PORTNUMBER(1491) SSL(NO)\n"
        " DEFINE IPCONN(ZOSCONN) GROUP(ZCGRP) TCPIPSERVICE(ZCIPIC)\n"
        "        APPLID(ZOSCONN) NETWORKID(ZCNET)\n"
        "        SECURITYNAME(ZCLINK) USERAUTH(IDENTIFY)"
    ),
    good=(
        '<zosconnect_cicsIpicConnection id="cicsConn" host="cics1.example.com" port="1491"\n'
        '    zosConnectApplid="ZOSCONN" zosConnectNetworkid="ZCNET"\n'
        '    sslCertsRef="zcTLS"/>\n'
        '<ssl id="zcTLS" keyStoreRef="defaultKeyStore" clientKeyAlias="zosconnect"/>\n'
        "--- cics.csd\n"
        " DEFINE TCPIPSERVICE(ZCIPIC) GROUP(ZCGRP) PROTOCOL(IPIC)\n"
        "        PORTNUMBER(1491) SSL(CLIENTAUTH)\n"
        " DEFINE IPCONN(ZOSCONN) GROUP(ZCGRP) TCPIPSERVICE(ZCIPIC)\n"
        "        APPLID(ZOSCONN) NETWORKID(ZCNET)\n"
        "        SECURITYNAME(ZCLINK) USERAUTH(IDENTIFY)"
    ),
    unsettled_by=("facts.same_sysplex",),
)
def identify_without_trust(ctx: Context) -> None:
    for p in ctx.postures("cics"):
        if p.cics is None or p.cics.ipconn is None or p.cics.userauth != "IDENTIFY":
            continue
        if p.bind == "client-certificate":
            continue
        host = p.target.rsplit(":", 1)[0]
        fact = ctx.project.fact("same_sysplex", p.id, host)
        sev = fact_severity(fact)
        if sev is None:
            continue
        ctx.report(
            p.element.element.name_span,
            f"IPCONN {p.cics.ipconn.name} trusts asserted user IDs (USERAUTH(IDENTIFY)), but connection '{p.id}' has no TLS client authentication; this is only safe when z/OS Connect and CICS share a sysplex." + fact_note("same_sysplex", fact),
            path=p.element.path,
            severity=sev,
            related=_related_ipconn(p, "USERAUTH", "USERAUTH(IDENTIFY) is set here") + _related_service(p, "SSL", "the listener's SSL setting"),
        )


@rule(
    "cics-tls-mismatch",
    title="TLS on one side of the IPIC connection only",
    severity=Severity.WARNING,
    scope=CONFIG,
    category="security",
    provider="cics",
    rationale="The TCPIPSERVICE's SSL setting and the connection's sslCertsRef must agree: when CICS expects TLS and z/OS Connect connects in plain text, or the other way round, the handshake fails and no request gets through. An AT-TLS policy can stand in for one side; until .zcsec.toml says whether one is in place the finding is a warning.",
    link=IPIC_TLS,
    bad=(
        '<zosconnect_cicsIpicConnection id="cicsConn" host="cics1.example.com" port="1491"/>\n'
        "--- cics.csd\n"
        " DEFINE TCPIPSERVICE(ZCIPIC) GROUP(ZCGRP) PROTOCOL(IPIC)\n"
        "        PORTNUMBER(1491) SSL(YES)\n"
        " DEFINE IPCONN(ZOSCONN) GROUP(ZCGRP) TCPIPSERVICE(ZCIPIC)\n"
        "        SECURITYNAME(ZCLINK)"
    ),
    good=(
        '<zosconnect_cicsIpicConnection id="cicsConn" host="cics1.example.com" port="1491"\n'
        '    sslCertsRef="zcTLS"/>\n'
        '<ssl id="zcTLS" keyStoreRef="defaultKeyStore"/>\n'
        "--- cics.csd\n"
        " DEFINE TCPIPSERVICE(ZCIPIC) GROUP(ZCGRP) PROTOCOL(IPIC)\n"
        "        PORTNUMBER(1491) SSL(YES)\n"
        " DEFINE IPCONN(ZOSCONN) GROUP(ZCGRP) TCPIPSERVICE(ZCIPIC)\n"
        "        SECURITYNAME(ZCLINK)"
    ),
    unsettled_by=("facts.at_tls",),
)
def tls_mismatch(ctx: Context) -> None:
    for p in ctx.postures("cics"):
        side = p.cics
        if side is None or side.service is None:
            continue
        cics_tls = side.ssl in ("YES", "CLIENTAUTH")
        zc_tls = p.ssl is not None
        if cics_tls == zc_tls:
            continue
        host = p.target.rsplit(":", 1)[0]
        fact = ctx.project.fact("at_tls", p.id, host)
        sev = fact_severity(fact)
        if sev is None:
            continue
        if cics_tls:
            msg = f"TCPIPSERVICE {side.service.name} expects TLS (SSL({side.ssl})) but connection '{p.id}' has no sslCertsRef, so the connection fails unless an AT-TLS policy adds TLS."
            fixes = []
        else:
            msg = f"connection '{p.id}' uses TLS (sslCertsRef) but TCPIPSERVICE {side.service.name} is SSL(NO), so the handshake fails unless an AT-TLS policy ends TLS on the CICS side."
            fixes = [Fix(f"Set SSL(YES) on TCPIPSERVICE {side.service.name}", [csd_set_keyword_edit(side.service_path, ctx.workspace.csd.files[side.service_path].text, side.service, "SSL", "YES")])] if side.service_path else []
        ctx.report(
            attr_span(p.element, "sslCertsRef") if zc_tls else attr_span(p.element, "port"),
            msg + fact_note("at_tls", fact),
            path=p.element.path,
            severity=sev,
            fixes=fixes,
            related=_related_service(p, "SSL", f"SSL({side.ssl}) of TCPIPSERVICE {side.service.name}"),
        )


@rule(
    "cics-attls-client-certificate",
    title="AT-TLS cannot carry a client certificate to CICS",
    severity=Severity.ERROR,
    scope=CONFIG,
    category="security",
    provider="cics",
    rationale="CICS supports AT-TLS for IPIC only in basic mode: CICS is unaware of the TLS session and never sees the partner's certificate. LINKAUTH(CERTUSER) and SSL(CLIENTAUTH) therefore cannot work when the connection relies on AT-TLS; use sslCertsRef so that TLS is done by Liberty and by CICS itself.",
    link=TRANSPORT,
    bad=(
        '<zosconnect_cicsIpicConnection id="cicsConn" host="cics1.example.com" port="1491"\n'
        '    zosConnectApplid="ZOSCONN" zosConnectNetworkid="ZCNET"/>\n'
        "--- cics.csd\n"
        " DEFINE TCPIPSERVICE(ZCIPIC) GROUP(ZCGRP) PROTOCOL(IPIC)\n"
        "        PORTNUMBER(1491)\n"
        " DEFINE IPCONN(ZOSCONN) GROUP(ZCGRP) TCPIPSERVICE(ZCIPIC)\n"
        "        APPLID(ZOSCONN) NETWORKID(ZCNET)\n"
        "        LINKAUTH(CERTUSER) USERAUTH(IDENTIFY)\n"
        "--- .zcsec.toml\n"
        "[facts]\n"
        "at_tls = true"
    ),
    good=(
        '<zosconnect_cicsIpicConnection id="cicsConn" host="cics1.example.com" port="1491"\n'
        '    zosConnectApplid="ZOSCONN" zosConnectNetworkid="ZCNET"\n'
        '    sslCertsRef="zcTLS"/>\n'
        '<ssl id="zcTLS" keyStoreRef="defaultKeyStore" clientKeyAlias="zosconnect"/>\n'
        "--- cics.csd\n"
        " DEFINE TCPIPSERVICE(ZCIPIC) GROUP(ZCGRP) PROTOCOL(IPIC)\n"
        "        PORTNUMBER(1491) SSL(CLIENTAUTH)\n"
        " DEFINE IPCONN(ZOSCONN) GROUP(ZCGRP) TCPIPSERVICE(ZCIPIC)\n"
        "        APPLID(ZOSCONN) NETWORKID(ZCNET)\n"
        "        LINKAUTH(CERTUSER) USERAUTH(IDENTIFY)"
    ),
)
def attls_client_certificate(ctx: Context) -> None:
    for p in ctx.postures("cics"):
        side = p.cics
        if side is None or p.transport != "at-tls":
            continue
        problems = []
        if side.linkauth == "CERTUSER" and side.ipconn is not None:
            problems.append(f"IPCONN {side.ipconn.name} takes its link user from the client certificate (LINKAUTH(CERTUSER))")
        if side.service is not None and side.ssl == "CLIENTAUTH":
            problems.append(f"TCPIPSERVICE {side.service.name} requires a client certificate (SSL(CLIENTAUTH))")
        if problems:
            ctx.report(
                p.element.element.name_span,
                f"connection '{p.id}' relies on AT-TLS, which CICS supports for IPIC only in basic mode, but " + " and ".join(problems) + "; use sslCertsRef instead",
                path=p.element.path,
            )


@rule(
    "cics-idprop-incomplete",
    title="Only one of zosConnectApplid and zosConnectNetworkid",
    severity=Severity.WARNING,
    scope=CONFIG,
    category="security",
    provider="cics",
    rationale="CICS matches a connecting z/OS Connect server to a predefined IPCONN by APPLID and NETWORKID together. With only one of the two the match fails and CICS autoinstalls an IPCONN with default security (or rejects the connection).",
    link=IPIC_SECURITY,
    bad=(
        '<zosconnect_cicsIpicConnection id="cicsConn" host="cics1.example.com" port="1491"\n'
        '    zosConnectApplid="ZOSCONN"/>'
    ),
    good=(
        '<zosconnect_cicsIpicConnection id="cicsConn" host="cics1.example.com" port="1491"\n'
        '    zosConnectApplid="ZOSCONN" zosConnectNetworkid="ZCNET"/>'
    ),
    fix="Add the missing attribute (with the IPCONN's value when the workspace has it).",
)
def idprop_incomplete(ctx: Context) -> None:
    for p in ctx.postures("cics"):
        el = p.element.element
        has_app, has_net = el.get("zosConnectApplid") is not None, el.get("zosConnectNetworkid") is not None
        if has_app == has_net:
            continue
        missing = "zosConnectNetworkid" if has_app else "zosConnectApplid"
        present = "zosConnectApplid" if has_app else "zosConnectNetworkid"
        value = ""
        if has_app:
            app = p.config.resolve(el.value("zosConnectApplid") or "")
            matches = ctx.workspace.csd.ipconns_by_applid(app, None) if app else []
            if len(matches) == 1:
                value = matches[0].upper("NETWORKID") or ""
        ctx.report(
            el.attribute_span(present),
            f"connection '{p.id}' sets {present} without {missing}; CICS matches the IPCONN on both, so add {missing}",
            path=p.element.path,
            fixes=[Fix(f"Add {missing}", [insert_attribute_edit(p.element, f' {missing}="{value}"')])],
        )


@rule(
    "cics-no-matching-ipconn",
    title="No predefined IPCONN matches the connection",
    severity=Severity.WARNING,
    scope=CONFIG,
    category="security",
    provider="cics",
    rationale="When no predefined IPCONN has the APPLID and NETWORKID that z/OS Connect presents, CICS either rejects the connection (URM(NO) on the TCPIPSERVICE) or autoinstalls an IPCONN that takes all its security from defaults: the region's default user as link user and USERAUTH(LOCAL). Identity propagation then silently does not happen.",
    link=AUTOINSTALL,
    bad=(
        '<zosconnect_cicsIpicConnection id="cicsConn" host="cics1.example.com" port="1491"\n'
        '    zosConnectApplid="ZOSCONN" zosConnectNetworkid="ZCNET"/>\n'
        "--- cics.csd\n"
        " DEFINE TCPIPSERVICE(ZCIPIC) GROUP(ZCGRP) PROTOCOL(IPIC)\n"
        "        PORTNUMBER(1491)\n"
        " DEFINE IPCONN(ZOSCONN) GROUP(ZCGRP) TCPIPSERVICE(ZCIPIC)\n"
        "        APPLID(ZOSCON1) NETWORKID(ZCNET) SECURITYNAME(ZCLINK)"
    ),
    good=(
        '<zosconnect_cicsIpicConnection id="cicsConn" host="cics1.example.com" port="1491"\n'
        '    zosConnectApplid="ZOSCONN" zosConnectNetworkid="ZCNET"/>\n'
        "--- cics.csd\n"
        " DEFINE TCPIPSERVICE(ZCIPIC) GROUP(ZCGRP) PROTOCOL(IPIC)\n"
        "        PORTNUMBER(1491)\n"
        " DEFINE IPCONN(ZOSCONN) GROUP(ZCGRP) TCPIPSERVICE(ZCIPIC)\n"
        "        APPLID(ZOSCONN) NETWORKID(ZCNET) SECURITYNAME(ZCLINK)"
    ),
)
def no_matching_ipconn(ctx: Context) -> None:
    for p in ctx.postures("cics"):
        side = p.cics
        if side is None or side.service is None or (side.ipconn is not None and not side.assumed):
            continue
        app = p.element.element.value("zosConnectApplid")
        if app is None:
            if side.service.upper("URM", "DFHISAIP") == "NO":
                intent = f"; zcsec checks it against IPCONN {side.ipconn.name}, the only one on that listener" if side.assumed and side.ipconn is not None else ""
                ctx.report(
                    p.element.element.name_span,
                    f"connection '{p.id}' sends no zosConnectApplid, and TCPIPSERVICE {side.service.name} has URM(NO): CICS can neither match a predefined IPCONN nor autoinstall one{intent}",
                    path=p.element.path,
                )
            continue
        resolved = p.config.resolve(app) or app
        urm = side.service.upper("URM", "DFHISAIP")
        if urm == "NO":
            msg = f"no IPCONN in the workspace has APPLID {resolved.upper()} for connection '{p.id}', and TCPIPSERVICE {side.service.name} has URM(NO), so CICS rejects the connection"
            sev = Severity.ERROR
        else:
            msg = f"no IPCONN in the workspace has APPLID {resolved.upper()} for connection '{p.id}'; CICS will autoinstall one with default security (region default user, USERAUTH(LOCAL))"
            sev = None
        ctx.report(attr_span(p.element, "zosConnectApplid"), msg, path=p.element.path, severity=sev)


@rule(
    "cics-port-no-listener",
    title="No IPIC listener on the connection's port",
    severity=Severity.WARNING,
    scope=CONFIG,
    category="security",
    provider="cics",
    rationale="The port of a zosconnect_cicsIpicConnection must be the PORTNUMBER of a PROTOCOL(IPIC) TCPIPSERVICE. zcsec checks this when the workspace has CSD definitions of TCPIPSERVICEs; a port that belongs to an HTTP listener is an error.",
    link=IPIC_SECURITY,
    bad=(
        '<zosconnect_cicsIpicConnection id="cicsConn" host="cics1.example.com" port="1499"/>\n'
        "--- cics.csd\n"
        " DEFINE TCPIPSERVICE(ZCIPIC) GROUP(ZCGRP) PROTOCOL(IPIC)\n"
        "        PORTNUMBER(1491)\n"
        " DEFINE IPCONN(ZOSCONN) GROUP(ZCGRP) TCPIPSERVICE(ZCIPIC)\n"
        "        SECURITYNAME(ZCLINK)"
    ),
    good=(
        '<zosconnect_cicsIpicConnection id="cicsConn" host="cics1.example.com" port="1491"/>\n'
        "--- cics.csd\n"
        " DEFINE TCPIPSERVICE(ZCIPIC) GROUP(ZCGRP) PROTOCOL(IPIC)\n"
        "        PORTNUMBER(1491)\n"
        " DEFINE IPCONN(ZOSCONN) GROUP(ZCGRP) TCPIPSERVICE(ZCIPIC)\n"
        "        SECURITYNAME(ZCLINK)"
    ),
)
def port_no_listener(ctx: Context) -> None:
    if not ctx.workspace.csd.of_type("TCPIPSERVICE"):
        return
    for p in ctx.postures("cics"):
        side = p.cics
        port = p.target.rsplit(":", 1)[-1]
        if side is None or side.service is not None or not port.isdigit():
            continue
        if side.non_ipic_on_port:
            other = side.non_ipic_on_port[0]
            ctx.report(
                attr_span(p.element, "port"),
                f"port {port} belongs to TCPIPSERVICE {other.name}, which is PROTOCOL({other.upper('PROTOCOL', 'HTTP')}), not IPIC",
                path=p.element.path,
                severity=Severity.ERROR,
            )
        else:
            ports = sorted({c.value("PORTNUMBER") or "?" for c in ctx.workspace.csd.ipic_services()})
            known = f" (IPIC listeners in the workspace: {', '.join(ports)})" if ports else ""
            ctx.report(attr_span(p.element, "port"), f"no PROTOCOL(IPIC) TCPIPSERVICE in the workspace listens on port {port}{known}", path=p.element.path)


@rule(
    "cics-sessions-exceed-receivecount",
    title="More send sessions than the IPCONN receives",
    severity=Severity.INFORMATION,
    scope=CONFIG,
    category="security",
    provider="cics",
    rationale="The number of parallel IPIC sessions is the lower of the connection's sendSessions and the IPCONN's RECEIVECOUNT; sessions asked for beyond RECEIVECOUNT are never used.",
    link="https://www.ibm.com/docs/en/SSNPJM_3.0/configuring/oa2/ipic_intro.html",
    bad=(
        '<zosconnect_cicsIpicConnection id="cicsConn" host="cics1.example.com" port="1491"\n'
        '    zosConnectApplid="ZOSCONN" zosConnectNetworkid="ZCNET"\n'
        '    sendSessions="200"/>\n'
        "--- cics.csd\n"
        " DEFINE TCPIPSERVICE(ZCIPIC) GROUP(ZCGRP) PROTOCOL(IPIC)\n"
        "        PORTNUMBER(1491)\n"
        " DEFINE IPCONN(ZOSCONN) GROUP(ZCGRP) TCPIPSERVICE(ZCIPIC)\n"
        "        APPLID(ZOSCONN) NETWORKID(ZCNET)\n"
        "        SECURITYNAME(ZCLINK) RECEIVECOUNT(50)"
    ),
    good=(
        '<zosconnect_cicsIpicConnection id="cicsConn" host="cics1.example.com" port="1491"\n'
        '    zosConnectApplid="ZOSCONN" zosConnectNetworkid="ZCNET"\n'
        '    sendSessions="50"/>\n'
        "--- cics.csd\n"
        " DEFINE TCPIPSERVICE(ZCIPIC) GROUP(ZCGRP) PROTOCOL(IPIC)\n"
        "        PORTNUMBER(1491)\n"
        " DEFINE IPCONN(ZOSCONN) GROUP(ZCGRP) TCPIPSERVICE(ZCIPIC)\n"
        "        APPLID(ZOSCONN) NETWORKID(ZCNET)\n"
        "        SECURITYNAME(ZCLINK) RECEIVECOUNT(50)"
    ),
)
def sessions(ctx: Context) -> None:
    for p in ctx.postures("cics"):
        side = p.cics
        sessions = p.config.resolve(p.element.element.value("sendSessions") or "") or ""
        if side is None or side.ipconn is None or not sessions.isdigit():
            continue
        receive = side.ipconn.value("RECEIVECOUNT") or "1"
        if receive.isdigit() and int(sessions) > int(receive):
            ctx.report(
                attr_span(p.element, "sendSessions"),
                f"sendSessions is {sessions} but IPCONN {side.ipconn.name} has RECEIVECOUNT({receive}); only {receive} sessions will be used",
                path=p.element.path,
            )


# ---------------------------------------------------------------------------
# CSD side
# ---------------------------------------------------------------------------


def _ipconns(ctx: Context):
    """The IPCONNs the file defines, one at a time (registry.Context)."""
    for cmd in ctx.commands():
        if cmd.resource_type == "IPCONN" and cmd.verb in ("DEFINE", "USERDEFINE") and cmd.name:
            yield cmd


def _ipic_services(ctx: Context):
    """The IPIC TCPIPSERVICEs the file defines, one at a time."""
    for cmd in ctx.commands():
        if cmd.resource_type != "TCPIPSERVICE" or cmd.verb not in ("DEFINE", "USERDEFINE"):
            continue
        if CsdModel.is_ipic(cmd):
            yield cmd


@rule(
    "cics-certuser-needs-clientauth",
    title="LINKAUTH(CERTUSER) without SSL(CLIENTAUTH)",
    severity=Severity.ERROR,
    scope=CSD_FILE,
    category="security",
    provider="cics",
    rationale="LINKAUTH(CERTUSER) takes the link user from the partner's TLS client certificate, so the IPCONN's TCPIPSERVICE must demand one with SSL(CLIENTAUTH). With SSL(YES) or SSL(NO) no certificate arrives and the link has no proper link user.",
    link=LINK_SECURITY,
    bad=(
        " DEFINE TCPIPSERVICE(ZCIPIC) GROUP(ZCGRP) PROTOCOL(IPIC)\n"
        "        PORTNUMBER(1491) SSL(YES)\n"
        " DEFINE IPCONN(ZOSCONN) GROUP(ZCGRP) TCPIPSERVICE(ZCIPIC)\n"
        "        LINKAUTH(CERTUSER)"
    ),
    good=(
        " DEFINE TCPIPSERVICE(ZCIPIC) GROUP(ZCGRP) PROTOCOL(IPIC)\n"
        "        PORTNUMBER(1491) SSL(CLIENTAUTH)\n"
        " DEFINE IPCONN(ZOSCONN) GROUP(ZCGRP) TCPIPSERVICE(ZCIPIC)\n"
        "        LINKAUTH(CERTUSER)"
    ),
    fix="Set SSL(CLIENTAUTH) on the TCPIPSERVICE.",
)
def certuser_needs_clientauth(ctx: Context) -> None:
    model = ctx.workspace.csd
    for cmd in _ipconns(ctx):
        if cmd.upper("LINKAUTH") != "CERTUSER":
            continue
        service = model.tcpipservice_for(cmd)
        if service is None:
            continue
        ssl = service.upper("SSL", "NO")
        if ssl == "CLIENTAUTH":
            continue
        spath = model.path_of(service)
        ctx.report(
            keyword_span(cmd, "LINKAUTH"),
            f"IPCONN {cmd.name} takes its link user from a client certificate (LINKAUTH(CERTUSER)), but TCPIPSERVICE {service.name} is SSL({ssl}) and never asks for one; set SSL(CLIENTAUTH)",
            fixes=[Fix(f"Set SSL(CLIENTAUTH) on TCPIPSERVICE {service.name}", [csd_set_keyword_edit(spath, model.files[spath].text, service, "SSL", "CLIENTAUTH")])] if spath else [],
            related=[(spath, keyword_span(service, "SSL"), f"TCPIPSERVICE {service.name} is defined here")] if spath else [],
        )


@rule(
    "cics-securityname-with-certuser",
    title="SECURITYNAME has no effect with LINKAUTH(CERTUSER)",
    severity=Severity.WARNING,
    scope=CSD_FILE,
    category="security",
    provider="cics",
    rationale="SECURITYNAME names the link user only for LINKAUTH(SECUSER). With LINKAUTH(CERTUSER) the link user comes from the certificate and SECURITYNAME is ignored, which misleads whoever reads the definition.",
    link=LINK_SECURITY,
    bad=(
        " DEFINE IPCONN(ZOSCONN) GROUP(ZCGRP) APPLID(ZOSCONN)\n"
        "        LINKAUTH(CERTUSER) SECURITYNAME(ZCLINK)"
    ),
    good=(
        " DEFINE IPCONN(ZOSCONN) GROUP(ZCGRP) APPLID(ZOSCONN)\n"
        "        LINKAUTH(CERTUSER)"
    ),
    fix="Remove SECURITYNAME.",
    fix_safe=True,
)
def securityname_with_certuser(ctx: Context) -> None:
    for cmd in _ipconns(ctx):
        if cmd.upper("LINKAUTH") == "CERTUSER" and cmd.value("SECURITYNAME"):
            ctx.report(
                cmd.get("SECURITYNAME").written_span,
                f"IPCONN {cmd.name} has LINKAUTH(CERTUSER), so SECURITYNAME({cmd.value('SECURITYNAME')}) is ignored; the link user comes from the client certificate",
                fixes=removal_fix("Remove SECURITYNAME", csd_remove_keyword_edit(ctx.file.path, ctx.file.text, cmd, "SECURITYNAME")),
            )


@rule(
    "cics-default-link-user",
    title="All requests run under the region's default user",
    severity=Severity.WARNING,
    scope=CSD_FILE,
    category="security",
    provider="cics",
    rationale="With LINKAUTH(SECUSER), no SECURITYNAME and USERAUTH(LOCAL) (all three are the defaults), nothing identifies the partner or its users: every request runs under the region's default user (DFLTUSER). Name a link user, or use certificate or user authentication.",
    link=LINK_SECURITY,
    bad=" DEFINE IPCONN(ZOSCONN) GROUP(ZCGRP) APPLID(ZOSCONN)",
    good=(
        " DEFINE IPCONN(ZOSCONN) GROUP(ZCGRP) APPLID(ZOSCONN)\n"
        "        LINKAUTH(CERTUSER) USERAUTH(IDENTIFY)"
    ),
)
def default_link_user(ctx: Context) -> None:
    for cmd in _ipconns(ctx):
        if cmd.upper("LINKAUTH", "SECUSER") == "SECUSER" and not cmd.value("SECURITYNAME") and cmd.upper("USERAUTH", "LOCAL") == "LOCAL":
            ctx.report(cmd.name_span or cmd.verb_span, f"IPCONN {cmd.name} names no link user and checks no user (LINKAUTH(SECUSER) without SECURITYNAME, USERAUTH(LOCAL)): every request runs under the region's default user")


@rule(
    "cics-autoinstall-listener",
    title="IPIC listener that autoinstalls connections with default security",
    severity=Severity.WARNING,
    scope=CSD_FILE,
    category="security",
    provider="cics",
    rationale="A PROTOCOL(IPIC) TCPIPSERVICE whose URM is not NO (the default is DFHISAIP) autoinstalls an IPCONN for any partner without a predefined one. Such an IPCONN takes LINKAUTH, SECURITYNAME and USERAUTH from CICS defaults, so requests run under the default user and no identity is checked. Define the IPCONN, or set URM(NO) to refuse unknown partners.",
    link=AUTOINSTALL,
    bad=(
        " DEFINE TCPIPSERVICE(ZCIPIC) GROUP(ZCGRP) PROTOCOL(IPIC)\n"
        "        PORTNUMBER(1491)"
    ),
    good=(
        " DEFINE TCPIPSERVICE(ZCIPIC) GROUP(ZCGRP) PROTOCOL(IPIC)\n"
        "        PORTNUMBER(1491) URM(NO)"
    ),
    fix="Set URM(NO).",
)
def autoinstall_listener(ctx: Context) -> None:
    model = ctx.workspace.csd
    for svc in _ipic_services(ctx):
        if svc.upper("URM", "DFHISAIP") == "NO" or model.ipconns_for_service(svc):
            continue
        ctx.report(
            keyword_span(svc, "URM") if svc.get("URM") else (svc.name_span or svc.verb_span),
            f"TCPIPSERVICE {svc.name} autoinstalls IPCONNs (URM {svc.upper('URM', 'DFHISAIP')}) and no IPCONN in the workspace names it: partners get default security (region default user, USERAUTH(LOCAL))",
            fixes=[Fix("Set URM(NO)", [csd_set_keyword_edit(ctx.file.path, ctx.file.text, svc, "URM", "NO")])],
        )


@rule(
    "cics-userauth-without-tls",
    title="User authentication over an IPIC listener without TLS",
    severity=Severity.WARNING,
    scope=CSD_FILE,
    category="security",
    provider="cics",
    rationale="USERAUTH(VERIFY) makes partners send passwords, and USERAUTH(IDENTIFY) trusts the partner's assertions; over a TCPIPSERVICE with SSL(NO) passwords travel in clear and the partner is not authenticated. zcsec reports this here only for IPCONNs no server.xml connection of the workspace is linked to (linked ones are reported on the connection). An AT-TLS policy can settle it ([facts] at_tls).",
    link=USER_SECURITY,
    bad=(
        " DEFINE TCPIPSERVICE(ZCIPIC) GROUP(ZCGRP) PROTOCOL(IPIC)\n"
        "        PORTNUMBER(1491) SSL(NO)\n"
        " DEFINE IPCONN(ZOSCONN) GROUP(ZCGRP) TCPIPSERVICE(ZCIPIC)\n"
        "        SECURITYNAME(ZCLINK) USERAUTH(VERIFY)"
    ),
    good=(
        " DEFINE TCPIPSERVICE(ZCIPIC) GROUP(ZCGRP) PROTOCOL(IPIC)\n"
        "        PORTNUMBER(1491) SSL(YES)\n"
        " DEFINE IPCONN(ZOSCONN) GROUP(ZCGRP) TCPIPSERVICE(ZCIPIC)\n"
        "        SECURITYNAME(ZCLINK) USERAUTH(VERIFY)"
    ),
    unsettled_by=("facts.at_tls",),
)
def userauth_without_tls(ctx: Context) -> None:
    model = ctx.workspace.csd
    fact = ctx.project.fact("at_tls")
    sev = fact_severity(fact)
    if sev is None:
        return
    for cmd in _ipconns(ctx):
        ua = cmd.upper("USERAUTH", "LOCAL")
        if ua not in ("VERIFY", "IDENTIFY") or linked(ctx.workspace, cmd):
            continue
        service = model.tcpipservice_for(cmd)
        if service is None or service.upper("SSL", "NO") != "NO":
            continue
        what = "passwords cross the network in clear text" if ua == "VERIFY" else "asserted user IDs are accepted from an unauthenticated partner"
        ctx.report(keyword_span(cmd, "USERAUTH"), f"IPCONN {cmd.name} has USERAUTH({ua}) but TCPIPSERVICE {service.name} is SSL(NO): {what}." + fact_note("at_tls", fact), severity=sev)


TCPIPSERVICE_ATTRS = "https://www.ibm.com/docs/SSGMCP_5.6.0/reference-system-management/resources/tcpipservice/dfha4_attributes.html"


@rule(
    "cics-http-listener-open",
    title="HTTP listener with neither TLS nor authentication",
    severity=Severity.INFORMATION,
    scope=CSD_FILE,
    category="security",
    provider="cics",
    rationale="A PROTOCOL(HTTP) TCPIPSERVICE with SSL(NO) and AUTHENTICATE(NO) (both the defaults) accepts requests from anyone who reaches the port, in clear text, and runs them without a user of their own (under the URIMAP's or the region's default user). It is not on the z/OS Connect IPIC path, but a reviewer of the region's CSD wants to see it.",
    link=TCPIPSERVICE_ATTRS,
    bad=(
        " DEFINE TCPIPSERVICE(WEBPORT) GROUP(ZCGRP) PROTOCOL(HTTP)\n"
        "        PORTNUMBER(8080)"
    ),
    good=(
        " DEFINE TCPIPSERVICE(WEBPORT) GROUP(ZCGRP) PROTOCOL(HTTP)\n"
        "        PORTNUMBER(8443) SSL(YES) AUTHENTICATE(BASIC)"
    ),
)
def http_listener_open(ctx: Context) -> None:
    for cmd in ctx.commands():
        if cmd.resource_type != "TCPIPSERVICE" or cmd.verb not in ("DEFINE", "USERDEFINE"):
            continue
        if CsdModel.is_ipic(cmd) or (cmd.upper("PROTOCOL") or "HTTP") != "HTTP" or (cmd.upper("SSL") or "NO") != "NO" or (cmd.upper("AUTHENTICATE") or "NO") != "NO":
            continue
        port = (cmd.value("PORTNUMBER") or "").strip()
        ctx.report(cmd.name_span or cmd.verb_span, f"TCPIPSERVICE {cmd.name} takes HTTP{' on port ' + port if port else ''} with neither TLS (SSL(NO)) nor authentication (AUTHENTICATE(NO)): anyone who reaches the port is served, in clear text")


@rule(
    "cics-ipic-socketclose",
    title="IPIC listener with SOCKETCLOSE other than NO",
    severity=Severity.ERROR,
    scope=CSD_FILE,
    category="security",
    provider="cics",
    rationale="IPIC keeps its sockets open; a PROTOCOL(IPIC) TCPIPSERVICE must have SOCKETCLOSE(NO).",
    link=TCPIP_RELATED,
    bad=(
        " DEFINE TCPIPSERVICE(ZCIPIC) GROUP(ZCGRP) PROTOCOL(IPIC)\n"
        "        PORTNUMBER(1491) URM(NO) SOCKETCLOSE(000010)"
    ),
    good=(
        " DEFINE TCPIPSERVICE(ZCIPIC) GROUP(ZCGRP) PROTOCOL(IPIC)\n"
        "        PORTNUMBER(1491) URM(NO) SOCKETCLOSE(NO)"
    ),
    fix="Set SOCKETCLOSE(NO).",
    fix_safe=True,
)
def ipic_socketclose(ctx: Context) -> None:
    for svc in _ipic_services(ctx):
        value = svc.upper("SOCKETCLOSE", "NO")
        if value != "NO":
            ctx.report(keyword_span(svc, "SOCKETCLOSE"), f"TCPIPSERVICE {svc.name} is PROTOCOL(IPIC), which needs SOCKETCLOSE(NO), not {value}", fixes=[Fix("Set SOCKETCLOSE(NO)", [csd_set_keyword_edit(ctx.file.path, ctx.file.text, svc, "SOCKETCLOSE", "NO")])])


@rule(
    "cics-ipic-transaction",
    title="IPIC listener with an HTTP transaction",
    severity=Severity.ERROR,
    scope=CSD_FILE,
    category="security",
    provider="cics",
    rationale="A PROTOCOL(IPIC) TCPIPSERVICE runs the IPIC listener transaction (CISS by default). CWXN, the HTTP web attach transaction, is documented as invalid with IPIC; the other web transactions are presumably invalid too (not confirmed, so only a warning).",
    link=TCPIP_RELATED,
    bad=(
        " DEFINE TCPIPSERVICE(ZCIPIC) GROUP(ZCGRP) PROTOCOL(IPIC)\n"
        "        PORTNUMBER(1491) URM(NO) TRANSACTION(CWXN)"
    ),
    good=(
        " DEFINE TCPIPSERVICE(ZCIPIC) GROUP(ZCGRP) PROTOCOL(IPIC)\n"
        "        PORTNUMBER(1491) URM(NO) TRANSACTION(CISS)"
    ),
    fix="Set TRANSACTION(CISS).",
    fix_safe=True,
)
def ipic_transaction(ctx: Context) -> None:
    for svc in _ipic_services(ctx):
        tran = svc.upper("TRANSACTION", "CISS")
        if tran in ("CWXN", "CIEP", "CWXU"):
            ctx.report(
                keyword_span(svc, "TRANSACTION"),
                f"TRANSACTION({tran}) belongs to HTTP or ECI services; an IPIC listener runs CISS (or a copy of it)",
                severity=None if tran == "CWXN" else Severity.WARNING,
                fixes=[Fix("Set TRANSACTION(CISS)", [csd_set_keyword_edit(ctx.file.path, ctx.file.text, svc, "TRANSACTION", "CISS")])],
            )


@rule(
    "cics-ipic-attlsaware",
    title="SSL(ATTLSAWARE) on an IPIC listener",
    severity=Severity.ERROR,
    scope=CSD_FILE,
    category="security",
    provider="cics",
    rationale="SSL(ATTLSAWARE) exists for HTTP and USER TCPIPSERVICEs only; for IPIC, CICS supports AT-TLS in basic mode with SSL(NO). Use SSL(YES) or SSL(CLIENTAUTH) for TLS by CICS, or SSL(NO) with an AT-TLS policy. The CICS TS 5.x syntax has no SSL(ATTLSAWARE) for IPIC; whether 6.x added it is not confirmed, so the finding is an error only when .zcsec.toml sets a cics_release below 6, and a warning otherwise.",
    link=TRANSPORT,
    bad=(
        " DEFINE TCPIPSERVICE(ZCIPIC) GROUP(ZCGRP) PROTOCOL(IPIC)\n"
        "        PORTNUMBER(1491) URM(NO) SSL(ATTLSAWARE)"
    ),
    good=(
        " DEFINE TCPIPSERVICE(ZCIPIC) GROUP(ZCGRP) PROTOCOL(IPIC)\n"
        "        PORTNUMBER(1491) URM(NO) SSL(CLIENTAUTH)"
    ),
)
def ipic_attlsaware(ctx: Context) -> None:
    # Confirmed invalid only for CICS TS 5.x (syntax diagrams); 6.x is unconfirmed.
    release = (ctx.project.cics_release or "").strip()
    major = release.split(".")[0]
    before_6 = major.isdigit() and int(major) < 6
    for svc in _ipic_services(ctx):
        if svc.upper("SSL") == "ATTLSAWARE":
            if before_6:
                ctx.report(keyword_span(svc, "SSL"), f"TCPIPSERVICE {svc.name} is PROTOCOL(IPIC), where SSL(ATTLSAWARE) is not valid in CICS TS {release}")
            else:
                ctx.report(
                    keyword_span(svc, "SSL"),
                    f"TCPIPSERVICE {svc.name} is PROTOCOL(IPIC), where SSL(ATTLSAWARE) is not valid up to CICS TS 5.6 (not confirmed for 6.x); for IPIC, AT-TLS works in basic mode with SSL(NO)",
                    severity=Severity.WARNING,
                )


@rule(
    "cics-weak-cipher",
    title="CICS CIPHERS allows weak or broken suites",
    severity=Severity.WARNING,
    scope=CSD_FILE,
    category="security",
    provider="cics",
    rationale="The CIPHERS attribute of a TCPIPSERVICE, IPCONN or URIMAP lists, as 2-digit codes, the cipher suites CICS accepts. Codes for suites without encryption, with export-grade keys, RC4, single DES or 3DES let a handshake settle on a broken or weak suite (a warning); AES with static RSA key exchange has no forward secrecy (information). A CIPHERS value that names a cipher suite specification file is not checked.",
    link=CICS_CIPHERS,
    bad=(
        " DEFINE TCPIPSERVICE(ZCIPIC) GROUP(ZCGRP) PROTOCOL(IPIC)\n"
        "        PORTNUMBER(1491) URM(NO)\n"
        "        SSL(YES) CIPHERS(0A352F)"
    ),
    good=(
        " DEFINE TCPIPSERVICE(ZCIPIC) GROUP(ZCGRP) PROTOCOL(IPIC)\n"
        "        PORTNUMBER(1491) URM(NO)\n"
        "        SSL(YES) CIPHERS(defaultciphers.xml)"
    ),
)
def cics_weak_cipher(ctx: Context) -> None:
    for cmd in ctx.commands():
        if cmd.resource_type not in tls.CICS_CIPHER_RESOURCES or cmd.verb not in ("DEFINE", "USERDEFINE", "ALTER"):
            continue
        value = cmd.value("CIPHERS")
        if not value:
            continue
        if cmd.resource_type == "TCPIPSERVICE" and (cmd.upper("SSL") or "NO") == "NO":
            continue  # no TLS on this listener: CIPHERS is not used
        found = cics_ciphers(value)
        if not found:
            continue
        sev = suite_severity({s.klass for _, s in found})
        if sev is not None:
            ctx.report(keyword_span(cmd, "CIPHERS"), f"{cmd.resource_type} {cmd.name} accepts {suite_summary(found)}; {STRONG_SUITES}", severity=sev)


CIPHER_SUITES_CICS = "https://ibm.com/docs/SSGMCP_5.5.0/security/tcpip/dfht5nv.html"


@rule(
    "cics-no-common-cipher",
    title="No cipher suite both ends of the IPIC link accept",
    severity=Severity.ERROR,
    scope=CONFIG,
    category="security",
    provider="cics",
    rationale="In the TLS handshake z/OS Connect offers the suites in enabledCiphers of the <ssl> repertoire the IPIC connection uses, and CICS picks one from the CIPHERS list of the TCPIPSERVICE it listens on. When the two lists have no suite in common, no secure session can be set up and CICS closes the connection: every request fails. Checked only when both lists are written out as suites zcsec knows; a cipher suite specification file is not read.",
    link=CIPHER_SUITES_CICS,
    bad=(
        '<zosconnect_cicsIpicConnection id="cics" host="cics1.example.com" port="1491" sslCertsRef="zcTLS"/>\n'
        '<ssl id="zcTLS" keyStoreRef="defaultKeyStore" enabledCiphers="TLS_ECDHE_RSA_WITH_AES_256_GCM_SHA384"/>\n'
        "--- cics.csd\n"
        " DEFINE TCPIPSERVICE(ZCIPIC) GROUP(ZCGRP) PROTOCOL(IPIC)\n"
        "        PORTNUMBER(1491) URM(NO) SSL(YES) CIPHERS(352F)"
    ),
    good=(
        '<zosconnect_cicsIpicConnection id="cics" host="cics1.example.com" port="1491" sslCertsRef="zcTLS"/>\n'
        '<ssl id="zcTLS" keyStoreRef="defaultKeyStore" enabledCiphers="TLS_RSA_WITH_AES_256_CBC_SHA"/>\n'
        "--- cics.csd\n"
        " DEFINE TCPIPSERVICE(ZCIPIC) GROUP(ZCGRP) PROTOCOL(IPIC)\n"
        "        PORTNUMBER(1491) URM(NO) SSL(YES) CIPHERS(352F)"
    ),
)
def no_common_cipher(ctx: Context) -> None:
    cfg = ctx.config
    for p in ctx.postures("cics"):
        side = p.cics
        if p.transport != "tls" or p.ssl is None or side is None or side.service is None or side.ssl == "NO":
            continue
        offered = value_of(cfg, p.ssl, "enabledCiphers")
        accepted = side.service.value("CIPHERS")
        cics_list = cics_ciphers(accepted) if accepted else None
        if not offered or cics_list is None:
            continue  # a default list or a cipher file on either end: not decidable here
        liberty_codes = {tls.code_of(n) for n in tls.names(offered)}
        if None in liberty_codes:
            continue  # a suite name zcsec does not know may be the one they share
        if liberty_codes & {"00" + code for code, _ in cics_list}:
            continue
        ctx.report(
            attr_span(p.ssl, "enabledCiphers"),
            f"connection '{p.id}' offers only {_few(tls.names(offered))}, and TCPIPSERVICE {side.service.name} accepts only CIPHERS({accepted}) ({_few([s.name for _, s in cics_list])}): no suite is on both lists, so the TLS handshake fails and every request on this link fails; give both ends a common suite (2-digit CIPHERS codes reach only the older suites; for ECDHE with AES-GCM, point CIPHERS at a cipher suite specification file)",
            path=p.ssl.path,
            related=_related_service(p, "CIPHERS", "the suites CICS accepts on this listener"),
        )


def _few(items: list[str]) -> str:
    return ", ".join(items[:3]) + (f" and {len(items) - 3} more" if len(items) > 3 else "")
