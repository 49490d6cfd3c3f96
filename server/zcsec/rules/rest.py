"""Security rules for REST connections: Db2 REST services (OpenAPI 2
zosconnect_zosConnectServiceRestClient*) and API requester endpoints."""

from __future__ import annotations

from ..findings import Fix, Severity
from ..posture import value_of
from .common import attr_span, fact_note, fact_severity, insert_attribute_edit
from .registry import CONFIG, XML_FILE, Context, rule

REST_BASIC = "https://www.ibm.com/docs/en/SS4SVW_3.0.0/securing/oa2/requester_basic_auth_rest.html"
DB2_SECURITY = "https://www.ibm.com/docs/en/SSNPJM_3.0/configuring/oa2/db2_config_security.html"


@rule(
    "rest-https-without-ssl",
    title="HTTPS endpoint without sslCertsRef",
    severity=Severity.ERROR,
    scope=CONFIG,
    category="security",
    provider="rest",
    rationale="An API requester endpoint whose host starts with https:// needs sslCertsRef naming the <ssl> repertoire that holds the trust store (and client key, if any); without it the TLS handshake cannot be set up.",
    link=REST_BASIC,
    bad='<zosconnect_endpointConnection id="api" host="https://api.example.com" port="443"/>',
    good=(
        '<zosconnect_endpointConnection id="api" host="https://api.example.com" port="443"\n'
        '    sslCertsRef="zcTLS"/>\n'
        '<ssl id="zcTLS" keyStoreRef="defaultKeyStore"/>'
    ),
    fix="Add sslCertsRef.",
)
def rest_https_without_ssl(ctx: Context) -> None:
    cfg = ctx.config
    for p in ctx.postures("rest"):
        host = value_of(cfg, p.element, "host") or ""
        if host.lower().startswith("https://") and p.element.element.get("sslCertsRef") is None:
            ssls = [s.id for s in cfg.of_type("ssl") if s.id]
            fix = [Fix(f"Add sslCertsRef=\"{ssls[0]}\"", [insert_attribute_edit(p.element, f' sslCertsRef="{ssls[0]}"')])] if len(ssls) == 1 else []
            ctx.report(attr_span(p.element, "host"), f"endpoint '{p.id}' uses HTTPS but has no sslCertsRef naming an <ssl> repertoire", path=p.element.path, fixes=fix)


@rule(
    "rest-credentials-over-http",
    title="Credentials or PassTickets sent to a REST service over plain HTTP",
    severity=Severity.WARNING,
    scope=CONFIG,
    category="security",
    provider="rest",
    rationale="Basic authentication sends the user ID and password in every request; without sslCertsRef (or https:// for an API requester endpoint, or an AT-TLS policy) they cross the network in clear text, and whoever reads them can sign on as that user until the password changes. A RACF PassTicket in clear text is less of a loss, since RACF accepts each ticket once and only for about 10 minutes after it was made, but it still gives away the user ID, a ticket that arrives first is accepted, and the request and its data travel unencrypted. Db2 REST services accept HTTPS on their secure port.",
    link=DB2_SECURITY,
    bad=(
        '<zosconnect_zosConnectServiceRestClientConnection id="db2" host="db2.example.com" port="8812"\n'
        '    basicAuthRef="db2Auth"/>\n'
        '<zosconnect_zosConnectServiceRestClientBasicAuth id="db2Auth" userName="DB2USER"\n'
        '    password="{aes}ARAGvV1r4cP2mgRdNm0nwC9Ujw9gPQG3"/>'
    ),
    good=(
        '<zosconnect_zosConnectServiceRestClientConnection id="db2" host="db2.example.com" port="8813"\n'
        '    basicAuthRef="db2Auth" sslCertsRef="zcTLS"/>\n'
        '<zosconnect_zosConnectServiceRestClientBasicAuth id="db2Auth" userName="DB2USER"\n'
        '    password="{aes}ARAGvV1r4cP2mgRdNm0nwC9Ujw9gPQG3"/>\n'
        '<ssl id="zcTLS" keyStoreRef="defaultKeyStore"/>'
    ),
    unsettled_by=("facts.at_tls",),
)
def rest_credentials_over_http(ctx: Context) -> None:
    cfg = ctx.config
    for p in ctx.postures("rest"):
        if p.transport != "none" or p.identity not in ("fixed-credentials", "passticket"):
            continue
        host = value_of(cfg, p.element, "host") or ""
        if host.lower().startswith("https://"):
            continue  # reported by rest-https-without-ssl
        fact = ctx.project.fact("at_tls", p.id, host)
        sev = fact_severity(fact)
        if sev is None:
            continue
        ref = next((a for a in ("basicAuthRef", "credentialRef", "authenticationConfigRef") if p.element.element.get(a) is not None), None)
        if p.identity == "passticket":
            exposure = "the user ID and each ticket cross the network in clear; a ticket is single-use and expires about 10 minutes after it is made, so a captured one works only if it arrives first, but every request and response is readable"
        else:
            exposure = "anyone on the path can read the password and sign on with it until it is changed"
        ctx.report(attr_span(p.element, ref) if ref else p.element.element.name_span, f"connection '{p.id}' sends {p.identity_detail} over plain HTTP: {exposure}; add sslCertsRef." + fact_note("at_tls", fact), path=p.element.path, severity=sev)


DB2_13_PASSTICKETS = "https://www.ibm.com/docs/en/db2-for-zos/13.0.0?topic=mitbcr-enabling-db2-receive-racf-passtickets-authenticating-protected-user-ids-deprecated"


@rule(
    "rest-db2-passticket-deprecated",
    title="PassTickets to Db2, deprecated in Db2 13",
    severity=Severity.INFORMATION,
    scope=CONFIG,
    category="security",
    provider="rest",
    rationale="Db2 13 for z/OS deprecates RACF PassTickets as a way to authenticate RACF-protected user IDs and points to client certificates instead. A Db2 REST connection that authenticates callers with PassTickets (applName) keeps working for now; plan the move to TLS client-certificate authentication when the subsystem is Db2 13.",
    link=DB2_13_PASSTICKETS,
    bad=(
        '<zosconnect_zosConnectServiceRestClientConnection id="db2" host="db2.example.com" port="8813"\n'
        '    basicAuthRef="db2Auth" sslCertsRef="zcTLS"/>\n'
        '<zosconnect_zosConnectServiceRestClientBasicAuth id="db2Auth" applName="DSN1APPL"/>\n'
        '<ssl id="zcTLS" keyStoreRef="defaultKeyStore"/>'
    ),
    good=(
        '<zosconnect_zosConnectServiceRestClientConnection id="db2" host="db2.example.com" port="8813"\n'
        '    sslCertsRef="zcTLS"/>\n'
        '<ssl id="zcTLS" keyStoreRef="defaultKeyStore" clientKeyAlias="zosconnect"/>'
    ),
)
def rest_db2_passticket_deprecated(ctx: Context) -> None:
    for p in ctx.postures("rest"):
        if p.identity == "passticket" and p.credentials is not None:
            ctx.report(attr_span(p.credentials, "applName"), f"connection '{p.id}' authenticates with Db2 PassTickets (applName), which Db2 13 deprecates for RACF-protected user IDs; client certificates are the way forward", path=p.credentials.path)


_LOCAL_HOSTS = ("localhost", "127.0.0.1", "::1", "[::1]")


@rule(
    "rest-requester-plain-http",
    title="API requester endpoint over plain HTTP",
    severity=Severity.WARNING,
    scope=CONFIG,
    category="security",
    provider="rest",
    rationale="An API requester endpoint whose host starts with http:// sends the request of the z/OS program, and the response, in clear text to a host that is not this system. Use https:// with sslCertsRef (or an AT-TLS policy). Credentials on such an endpoint are reported by rest-credentials-over-http.",
    link=REST_BASIC,
    bad='<zosconnect_endpointConnection id="api" host="http://api.example.com" port="80"/>',
    good=(
        '<zosconnect_endpointConnection id="api" host="https://api.example.com" port="443"\n'
        '    sslCertsRef="zcTLS"/>\n'
        '<ssl id="zcTLS" keyStoreRef="defaultKeyStore"/>'
    ),
    unsettled_by=("facts.at_tls",),
)
def rest_requester_plain_http(ctx: Context) -> None:
    cfg = ctx.config
    for p in ctx.postures("rest"):
        if p.element.name != "zosconnect_endpointConnection" or p.transport != "none" or p.identity == "fixed-credentials":
            continue  # credentials over plain HTTP: rest-credentials-over-http says it once
        host = value_of(cfg, p.element, "host") or ""
        bare = host[len("http://"):].split("/")[0].split(":")[0].lower() if host.lower().startswith("http://") else None
        if bare is None or bare in _LOCAL_HOSTS:
            continue
        fact = ctx.project.fact("at_tls", p.id, host)
        sev = fact_severity(fact, settled_bad=Severity.WARNING)
        if sev is None:
            continue
        ctx.report(attr_span(p.element, "host"), f"endpoint '{p.id}' calls {host} over plain HTTP: the request and the response cross the network in clear." + fact_note("at_tls", fact), path=p.element.path, severity=sev)


@rule(
    "rest-passticket-with-password",
    title="PassTicket and fixed credentials on one basic-auth element",
    severity=Severity.WARNING,
    scope=XML_FILE,
    category="security",
    provider="rest",
    rationale="applName makes z/OS Connect generate a RACF PassTicket for the caller; userName and password give a fixed identity instead. Use one or the other: with both it is unclear which identity reaches Db2, and a stored password is kept for nothing.",
    link=DB2_SECURITY,
    bad=(
        '<zosconnect_zosConnectServiceRestClientBasicAuth id="db2Auth" applName="DSN1APPL"\n'
        '    userName="ZCTECH" password="{aes}ARAGvV1r4cP2mgRdNm0nwC9Ujw9gPQG3"/>'
    ),
    good='<zosconnect_zosConnectServiceRestClientBasicAuth id="db2Auth" applName="DSN1APPL"/>',
)
def rest_passticket_with_password(ctx: Context) -> None:
    for ce in ctx.elements("zosconnect_zosConnectServiceRestClientBasicAuth"):
        el = ce.element
        appl = el.get("applName")
        if appl is not None and (el.get("userName") is not None or el.get("password") is not None):
            ctx.report(appl.name_span, f"basic-auth element '{ce.id}' sets applName (PassTicket) together with userName/password; keep one of them")
