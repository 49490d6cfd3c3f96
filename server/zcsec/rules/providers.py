"""Security rules for IMS, IMS database, IBM MQ, REST (including Db2) and
WOLA connections, and for the Liberty plumbing they rely on (TLS
repertoires, key stores, passwords)."""

from __future__ import annotations

import os
import re

from ..findings import Edit, Fix, Severity
from ..placeholders import xml_placeholder
from ..posture import Posture, child, is_encoded, postures, value_of
from ..workspace import ConfigElement, LibertyConfig
from .common import attr_full_span, attr_span, fact_note, fact_severity, insert_attribute_edit, removal_fix
from .registry import CONFIG, XML_FILE, Context, rule

IMS_SECURITY = "https://www.ibm.com/docs/en/ims/15.1.0?topic=connect-overview-ims-security"
IMS_PROFILES = "https://www.ibm.com/docs/ar/SS4SVW_3.0.0/configuring/ims_conn_profile.html"
MQ_CLIENT = "https://www.ibm.com/support/knowledgecenter/SSFKSJ_9.1.0/com.ibm.mq.ref.dev.doc/q112700_.html"
MQ_SECURITY = "https://www.ibm.com/docs/SS4SVW_3.0.0/configuring/mq_sp_security.html"
REST_BASIC = "https://www.ibm.com/docs/en/SS4SVW_3.0.0/securing/oa2/requester_basic_auth_rest.html"
DB2_SECURITY = "https://www.ibm.com/docs/en/SSNPJM_3.0/configuring/oa2/db2_config_security.html"
WOLA = "https://www.ibm.com/docs/en/zos-connect/zosconnect/3.0?topic=configuring-using-wola-service-provider"
KEYSTORE = "https://openliberty.io/docs/latest/reference/config/keyStore.html"
SSL_DEFAULT = "https://openliberty.io/docs/ref/config/sslDefault.html"
ENCODE = "https://openliberty.io/docs/latest/reference/command/securityUtility-encode.html"
STIG = "https://preview.stighub.com/api/export/checklist?format=json&stigTitle=IBM+WebSphere+Liberty+Server+Security+Technical+Implementation+Guide"
API_REQUESTER = "https://www.ibm.com/docs/en/SS4SVW_3.0.0/securing/oa2/requester_basic_auth_rest.html"


def _of(ctx: Context, provider: str) -> list[Posture]:
    return [p for p in postures(ctx.workspace, ctx.config) if p.provider == provider]


# ---------------------------------------------------------------------------
# IMS and IMS database
# ---------------------------------------------------------------------------

_TLS_ATTR = re.compile(r"^(ssl|tls|keyStore|trustStore|sslCertsRef|sslRef|secure)", re.IGNORECASE)


@rule(
    "ims-liberty-tls",
    title="Liberty TLS setting on an IMS connection",
    severity=Severity.WARNING,
    scope=CONFIG,
    category="security",
    provider="ims",
    rationale="z/OS Connect encrypts connections to IMS Connect through AT-TLS; IMS database clients get TLS from IMS Connect only that way. A Liberty TLS attribute (sslCertsRef, sslConnection, ...) on an IMS connection, its connection factory or its properties is not honoured, so it gives a false sense that the link is encrypted. Configure an AT-TLS policy instead and remove the attribute.",
    link=IMS_SECURITY,
    bad='<imsmobile_imsConnection id="IMSCONN" connectionFactoryRef="imsCF" sslCertsRef="zcTLS"/>',
    good='<imsmobile_imsConnection id="IMSCONN" connectionFactoryRef="imsCF"/>  <!-- TLS from an AT-TLS policy -->',
    fix="Remove the attribute.",
)
def ims_liberty_tls(ctx: Context) -> None:
    cfg: LibertyConfig = ctx.config
    for p in _of(ctx, "ims") + _of(ctx, "imsdb"):
        targets: list[ConfigElement] = [p.element]
        cf = p.element if p.provider == "imsdb" else next((c for c in cfg.find(value_of(cfg, p.element, "connectionFactoryRef") or "", ["connectionFactory"])), None)
        if cf is not None and cf is not p.element:
            targets.append(cf)
        if cf is not None:
            targets.extend(x for x in cfg.children(cf) if x.name in ("properties.gmoa", "properties.imsudbJLocal"))
        for ce in targets:
            for attr in ce.element.attributes:
                if not _TLS_ATTR.match(attr.name) or (ce.spec is not None and attr.name in ce.spec.attributes and attr.name != "sslConnection"):
                    continue
                if attr.value.strip().lower() in ("false", "no", ""):
                    continue
                ctx.report(
                    attr.name_span,
                    f"'{attr.name}' on <{ce.name}> does not encrypt the connection to IMS Connect; use an AT-TLS policy for {p.provider_name} connections",
                    path=ce.path,
                    fixes=removal_fix(f"Remove {attr.name}", _remove_attr(ce, attr.name)),
                )


def _remove_attr(ce: ConfigElement, name: str) -> Edit | None:
    span = attr_full_span(ce, name)
    return Edit(ce.path, span, "") if span else None


@rule(
    "ims-credentials-without-attls",
    title="Credentials to IMS Connect where AT-TLS is known to be absent",
    severity=Severity.ERROR,
    scope=CONFIG,
    category="security",
    provider="ims",
    rationale="Connections to IMS Connect rely on AT-TLS for encryption. When .zcsec.toml states that no AT-TLS policy covers an IMS or IMS database connection, the user ID and password it sends (auth data or properties) cross the network in clear text. PassTickets are single-use and are not reported.",
    link=IMS_SECURITY,
    bad='[facts.connections.IMSCONN]\nat_tls = false\n<connectionFactory id="imsCF" containerAuthDataRef="imsAuth">...',
    good='[facts.connections.IMSCONN]\nat_tls = true',
    unsettled_by=("facts.at_tls",),
)
def ims_credentials_without_attls(ctx: Context) -> None:
    for p in _of(ctx, "ims") + _of(ctx, "imsdb"):
        if p.transport != "none" or p.identity != "fixed-credentials":
            continue
        ctx.report(p.element.element.name_span, f"{p.provider_name} connection '{p.id}' sends {p.identity_detail} without TLS (.zcsec.toml says no AT-TLS policy covers it)", path=p.element.path)


@rule(
    "ims-shared-connection-factory",
    title="IMS connection factory or auth data shared",
    severity=Severity.WARNING,
    scope=CONFIG,
    category="security",
    provider="ims",
    rationale="Each IMS connection profile should have its own connectionFactory, and each connection factory its own authData. Sharing ties the credentials and pooling of unrelated connections together, so changing one silently changes the other.",
    link=IMS_PROFILES,
    bad='<imsmobile_imsConnection id="A" connectionFactoryRef="cf1"/>\n<imsmobile_imsConnection id="B" connectionFactoryRef="cf1"/>',
    good='<imsmobile_imsConnection id="A" connectionFactoryRef="cf1"/>\n<imsmobile_imsConnection id="B" connectionFactoryRef="cf2"/>',
)
def ims_shared(ctx: Context) -> None:
    cfg: LibertyConfig = ctx.config
    users: dict[str, list[ConfigElement]] = {}
    for ce in cfg.of_type("imsmobile_imsConnection", "zosconnect_imsConnection"):
        ref = value_of(cfg, ce, "connectionFactoryRef")
        if ref:
            users.setdefault(ref, []).append(ce)
    ims_cfs: set[str] = set(users)
    for ref, ces in users.items():
        for ce in ces[1:]:
            ctx.report(attr_span(ce, "connectionFactoryRef"), f"connection factory '{ref}' is already used by IMS connection '{ces[0].id}'; give each connection profile its own", path=ce.path)
    auth_users: dict[str, list[ConfigElement]] = {}
    for ce in cfg.of_type("connectionFactory"):
        if ce.id not in ims_cfs and not cfg.children(ce, "properties.imsudbJLocal"):
            continue
        ref = value_of(cfg, ce, "containerAuthDataRef")
        if ref:
            auth_users.setdefault(ref, []).append(ce)
    for ref, ces in auth_users.items():
        for ce in ces[1:]:
            ctx.report(attr_span(ce, "containerAuthDataRef"), f"auth data '{ref}' is already used by connection factory '{ces[0].id}'; give each IMS connection factory its own", path=ce.path)


IMS_OA3 = "https://www.ibm.com/docs/en/zos-connect/zos-connect/3.0?topic=server-configuring-connections-ims"


@rule(
    "ims-oa3-container-auth",
    title="OpenAPI 3 IMS connection factory without containerAuthDataRef",
    severity=Severity.ERROR,
    scope=CONFIG,
    category="security",
    provider="ims",
    rationale="For an OpenAPI 3 zosconnect_imsConnection, IBM requires the connection factory to name its credentials with containerAuthDataRef (a Liberty <authData>); without it, and without PassTickets (applicationName), the connection has no user ID for IMS Connect.",
    link=IMS_OA3,
    bad='<zosconnect_imsConnection id="ims" connectionFactoryRef="imsCF"/>\n<connectionFactory id="imsCF"><properties.gmoa hostName="ims.example.com" portNumber="9999"/></connectionFactory>',
    good='<zosconnect_imsConnection id="ims" connectionFactoryRef="imsCF"/>\n<connectionFactory id="imsCF" containerAuthDataRef="imsAuth"><properties.gmoa hostName="ims.example.com" portNumber="9999"/></connectionFactory>\n<authData id="imsAuth" user="IMSUSER" password="{aes}..."/>',
)
def ims_oa3_container_auth(ctx: Context) -> None:
    cfg: LibertyConfig = ctx.config
    for ce in cfg.of_type("zosconnect_imsConnection"):
        ref = value_of(cfg, ce, "connectionFactoryRef")
        for cf in cfg.find(ref, ("connectionFactory",)) if ref else ():
            if value_of(cfg, child(cfg, cf, "properties.gmoa"), "applicationName"):
                continue  # PassTickets for the caller: no stored credentials to name
            if cf.element.get("containerAuthDataRef") is None and not cfg.children(cf, "containerAuthData"):
                ctx.report(cf.element.name_span, f"connection factory '{cf.id}' of the OpenAPI 3 IMS connection '{ce.id}' has no containerAuthDataRef: IBM requires one for its IMS Connect credentials", path=cf.path)


@rule(
    "ims-passticket-fixed-user",
    title="PassTicket generated for a fixed user, not the caller",
    severity=Severity.INFORMATION,
    scope=CONFIG,
    category="security",
    provider="ims",
    rationale="With applicationName set, z/OS Connect sends IMS Connect a RACF PassTicket. When userName is set too, the ticket is for that fixed user and every caller's request runs under it; without userName the ticket is for the authenticated caller, which propagates identity.",
    link="https://www.ibm.com/docs/en/zos-connect/zosconnect/3.0?topic=provider-configuring-distributed-identity-propagation-ims",
    bad='<properties.gmoa hostName="ims1" portNumber="9999" applicationName="IMSAPPL" userName="ZCTECH"/>',
    good='<properties.gmoa hostName="ims1" portNumber="9999" applicationName="IMSAPPL"/>',
)
def ims_passticket_fixed_user(ctx: Context) -> None:
    cfg: LibertyConfig = ctx.config
    for ce in cfg.of_type("properties.gmoa"):
        if value_of(cfg, ce, "applicationName") and value_of(cfg, ce, "userName"):
            ctx.report(attr_span(ce, "userName"), f"the PassTicket is generated for the fixed user {value_of(cfg, ce, 'userName')}, so every caller runs under it; remove userName to propagate the caller's identity", path=ce.path)


# ---------------------------------------------------------------------------
# IBM MQ
# ---------------------------------------------------------------------------


def _wmq(cfg: LibertyConfig, ce: ConfigElement) -> ConfigElement | None:
    found = cfg.children(ce, "properties.wmqJms")
    return found[0] if found else None


@rule(
    "mq-tls-in-bindings-mode",
    title="TLS settings on an MQ bindings-mode connection",
    severity=Severity.ERROR,
    scope=CONFIG,
    category="security",
    provider="mq",
    rationale="TLS to a queue manager exists only in client mode (transportType CLIENT). In bindings mode the connection is cross-memory on the same LPAR and sslCipherSuite or sslPeerName are invalid; they suggest an encryption that is not there.",
    link=MQ_CLIENT,
    bad='<properties.wmqJms transportType="BINDINGS" queueManager="QM1" sslCipherSuite="SSL_RSA_WITH_AES_256_CBC_SHA256"/>',
    good='<properties.wmqJms transportType="CLIENT" queueManager="QM1" hostName="mq1" port="1414" channel="ZC.SVRCONN" sslCipherSuite="SSL_RSA_WITH_AES_256_CBC_SHA256"/>',
    fix="Remove the TLS attribute.",
)
def mq_tls_bindings(ctx: Context) -> None:
    cfg: LibertyConfig = ctx.config
    for p in _of(ctx, "mq"):
        props = _wmq(cfg, p.element)
        if props is None or (value_of(cfg, props, "transportType") or "BINDINGS").upper() != "BINDINGS":
            continue
        for name in ("sslCipherSuite", "sslPeerName"):
            attr = props.element.get(name) or next((a for a in props.element.attributes if a.name.lower() == name.lower()), None)
            if attr is not None:
                ctx.report(attr.name_span, f"'{attr.name}' has no effect in bindings mode; TLS is only possible with transportType=\"CLIENT\"", path=props.path, fixes=removal_fix(f"Remove {attr.name}", _remove_attr(props, attr.name)))


@rule(
    "mq-client-incomplete",
    title="MQ client mode without host name or channel",
    severity=Severity.WARNING,
    scope=CONFIG,
    category="security",
    provider="mq",
    rationale="In client mode the connection factory needs the queue manager's hostName and the server-connection channel; without them the client falls back to defaults (localhost, a default channel) that are rarely the intended, secured channel.",
    link=MQ_CLIENT,
    bad='<properties.wmqJms transportType="CLIENT" queueManager="QM1" hostName="mq1" port="1414"/>',
    good='<properties.wmqJms transportType="CLIENT" queueManager="QM1" hostName="mq1" port="1414" channel="ZC.SVRCONN"/>',
)
def mq_client_incomplete(ctx: Context) -> None:
    cfg: LibertyConfig = ctx.config
    for p in _of(ctx, "mq"):
        props = _wmq(cfg, p.element)
        if props is None or (value_of(cfg, props, "transportType") or "").upper() != "CLIENT":
            continue
        missing = [a for a in ("hostName", "channel") if not value_of(cfg, props, a)]
        if missing:
            ctx.report(props.element.name_span, f"client-mode connection factory '{p.id}' has no {' and no '.join(missing)}", path=props.path)


@rule(
    "mq-client-without-tls",
    title="MQ client connection without TLS",
    severity=Severity.WARNING,
    scope=CONFIG,
    category="security",
    provider="mq",
    rationale="A client-mode connection crosses the network; without sslCipherSuite the channel is not encrypted, so messages and any user ID and password for connection authentication travel in clear text. An AT-TLS policy can settle it ([facts] at_tls).",
    link="https://ibm.com/support/knowledgecenter/en/SSFKSJ_9.0.0/com.ibm.mq.dev.doc/q031220_.html",
    bad='<properties.wmqJms transportType="CLIENT" queueManager="QM1" hostName="mq1" port="1414" channel="ZC.SVRCONN"/>',
    good='<properties.wmqJms transportType="CLIENT" queueManager="QM1" hostName="mq1" port="1414" channel="ZC.SVRCONN" sslCipherSuite="SSL_RSA_WITH_AES_256_CBC_SHA256"/>',
    unsettled_by=("facts.at_tls",),
)
def mq_client_without_tls(ctx: Context) -> None:
    cfg: LibertyConfig = ctx.config
    for p in _of(ctx, "mq"):
        props = _wmq(cfg, p.element)
        if props is None or (value_of(cfg, props, "transportType") or "").upper() != "CLIENT" or p.transport != "none":
            continue
        fact = ctx.project.fact("at_tls", p.id, value_of(cfg, props, "hostName"))
        sev = fact_severity(fact)
        if sev is None:
            continue
        ctx.report(props.element.name_span, f"client-mode connection factory '{p.id}' has no sslCipherSuite, so the MQ channel is not encrypted." + fact_note("at_tls", fact), path=props.path, severity=sev)


# ---------------------------------------------------------------------------
# REST and Db2
# ---------------------------------------------------------------------------


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
    good='<zosconnect_endpointConnection id="api" host="https://api.example.com" port="443" sslCertsRef="outboundTLS"/>',
    fix="Add sslCertsRef.",
)
def rest_https_without_ssl(ctx: Context) -> None:
    cfg: LibertyConfig = ctx.config
    for p in _of(ctx, "rest"):
        host = value_of(cfg, p.element, "host") or ""
        if host.lower().startswith("https://") and p.element.element.get("sslCertsRef") is None:
            ssls = [s.id for s in cfg.of_type("ssl") if s.id]
            fix = [Fix(f"Add sslCertsRef=\"{ssls[0]}\"", [insert_attribute_edit(p.element, f' sslCertsRef="{ssls[0]}"')])] if len(ssls) == 1 else []
            ctx.report(attr_span(p.element, "host"), f"endpoint '{p.id}' uses HTTPS but has no sslCertsRef naming an <ssl> repertoire", path=p.element.path, fixes=fix)


@rule(
    "rest-credentials-over-http",
    title="Credentials sent to a REST service over plain HTTP",
    severity=Severity.WARNING,
    scope=CONFIG,
    category="security",
    provider="rest",
    rationale="Basic authentication sends the user ID and password in every request. Without sslCertsRef (or https:// for an API requester endpoint, or an AT-TLS policy) they cross the network in clear text. Db2 REST services accept HTTPS on their secure port.",
    link=DB2_SECURITY,
    bad='<zosconnect_zosConnectServiceRestClientConnection id="db2" host="db2" port="8812" basicAuthRef="db2Auth"/>',
    good='<zosconnect_zosConnectServiceRestClientConnection id="db2" host="db2" port="8813" basicAuthRef="db2Auth" sslCertsRef="db2TLS"/>',
    unsettled_by=("facts.at_tls",),
)
def rest_credentials_over_http(ctx: Context) -> None:
    cfg: LibertyConfig = ctx.config
    for p in _of(ctx, "rest"):
        if p.transport != "none" or p.identity != "fixed-credentials":
            continue
        host = value_of(cfg, p.element, "host") or ""
        if host.lower().startswith("https://"):
            continue  # reported by rest-https-without-ssl
        fact = ctx.project.fact("at_tls", p.id, host)
        sev = fact_severity(fact)
        if sev is None:
            continue
        ref = next((a for a in ("basicAuthRef", "credentialRef", "authenticationConfigRef") if p.element.element.get(a) is not None), None)
        ctx.report(attr_span(p.element, ref) if ref else p.element.element.name_span, f"connection '{p.id}' sends {p.identity_detail} over plain HTTP; add sslCertsRef." + fact_note("at_tls", fact), path=p.element.path, severity=sev)


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
    bad='<zosconnect_zosConnectServiceRestClientBasicAuth id="db2Auth" applName="DSN1APPL"/>',
    good='<zosconnect_zosConnectServiceRestClientConnection id="db2" host="db2.example.com" port="4712" sslCertsRef="db2ClientCert"/>',
)
def rest_db2_passticket_deprecated(ctx: Context) -> None:
    for p in _of(ctx, "rest"):
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
    link=API_REQUESTER,
    bad='<zosconnect_endpointConnection id="api" host="http://api.example.com" port="80"/>',
    good='<zosconnect_endpointConnection id="api" host="https://api.example.com" port="443" sslCertsRef="outboundTLS"/>',
    unsettled_by=("facts.at_tls",),
)
def rest_requester_plain_http(ctx: Context) -> None:
    cfg: LibertyConfig = ctx.config
    for p in _of(ctx, "rest"):
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
    bad='<zosconnect_zosConnectServiceRestClientBasicAuth id="db2Auth" applName="DSNAPPL" userName="ZCTECH" password="{aes}..."/>',
    good='<zosconnect_zosConnectServiceRestClientBasicAuth id="db2Auth" applName="DSNAPPL"/>',
)
def rest_passticket_with_password(ctx: Context) -> None:
    cfg: LibertyConfig = ctx.config
    for ce in cfg.of_type("zosconnect_zosConnectServiceRestClientBasicAuth"):
        if ce.path != ctx.file.path:
            continue
        el = ce.element
        if el.get("applName") is not None and (el.get("userName") is not None or el.get("password") is not None):
            ctx.report(el.get("applName").name_span, f"basic-auth element '{ce.id}' sets applName (PassTicket) together with userName/password; keep one of them")


@rule(
    "credentials-attribute-name",
    title="user and userName mixed up on a credentials element",
    severity=Severity.WARNING,
    scope=XML_FILE,
    category="security",
    provider="all",
    rationale="<zosconnect_authData> and <zosconnect_credential> take the user ID in 'user', while <zosconnect_zosConnectServiceRestClientBasicAuth> takes it in 'userName'. Liberty ignores the wrong spelling, so no user ID is sent.",
    link="https://www.ibm.com/support/knowledgecenter/SS4SVW_3.0.0/configuring/config_ipic_verify.html",
    bad='<zosconnect_authData id="cred" userName="ZCUSER" password="{aes}..."/>',
    good='<zosconnect_authData id="cred" user="ZCUSER" password="{aes}..."/>',
    fix="Rename the attribute.",
)
def credentials_attribute_name(ctx: Context) -> None:
    cfg: LibertyConfig = ctx.config
    wrong = {"zosconnect_authData": ("userName", "user"), "zosconnect_credential": ("userName", "user"), "zosconnect_zosConnectServiceRestClientBasicAuth": ("user", "userName")}
    for ce in cfg.by_file.get(ctx.file.path, []):
        if ce.name not in wrong:
            continue
        bad, good = wrong[ce.name]
        attr = ce.element.get(bad)
        if attr is not None and ce.element.get(good) is None:
            ctx.report(attr.name_span, f"<{ce.name}> takes the user ID in '{good}', not '{bad}'; Liberty ignores '{bad}'", fixes=[Fix(f"Rename to '{good}'", [Edit(ce.path, attr.name_span, good)])])


@rule(
    "deprecated-attribute",
    title="Deprecated attribute",
    severity=Severity.INFORMATION,
    scope=XML_FILE,
    category="security",
    rationale="The catalogue marks some attributes as deprecated, for example basicAuthRef on zosconnect_endpointConnection, which IBM replaced with authenticationConfigRef. They still work today but may stop working.",
    link=REST_BASIC,
    bad='<zosconnect_endpointConnection id="api" host="https://api" port="443" sslCertsRef="t" basicAuthRef="cred"/>',
    good='<zosconnect_endpointConnection id="api" host="https://api" port="443" sslCertsRef="t" authenticationConfigRef="cred"/>',
)
def deprecated_attribute(ctx: Context) -> None:
    for ce in ctx.config.by_file.get(ctx.file.path, []):
        if ce.spec is None:
            continue
        for attr in ce.element.attributes:
            spec = ce.spec.attribute(attr.name)
            if spec is not None and spec.deprecated:
                ctx.report(attr.name_span, f"'{attr.name}' is deprecated: {spec.deprecated}")


# ---------------------------------------------------------------------------
# WOLA
# ---------------------------------------------------------------------------


@rule(
    "wola-no-container-auth",
    title="WOLA connection factory without container auth data",
    severity=Severity.WARNING,
    scope=CONFIG,
    category="security",
    provider="wola",
    rationale="The WOLA service provider supports only container-managed authentication: the user ID and password for the target come from the connection factory's containerAuthDataRef. Without it the request carries no user ID and runs under whatever identity the target region assigns.",
    link=WOLA,
    bad='<connectionFactory id="wolaCF" jndiName="eis/ola"><properties.ola/></connectionFactory>',
    good='<connectionFactory id="wolaCF" jndiName="eis/ola" containerAuthDataRef="wolaAuth"><properties.ola/></connectionFactory>',
)
def wola_no_container_auth(ctx: Context) -> None:
    cfg: LibertyConfig = ctx.config
    # Factories that only a product's or a user feature's element uses (a
    # <usr_dvsService>, say) follow that product's rules, not z/OS Connect's.
    foreign = {(e.element.value("connectionFactoryRef") or "").strip() for e in cfg.elements if e.spec is None}
    for ce in cfg.of_type("connectionFactory"):
        if ce.id in foreign:
            continue
        if cfg.children(ce, "properties.ola") and ce.element.get("containerAuthDataRef") is None:
            ctx.report(ce.element.name_span, f"WOLA connection factory '{ce.id}' has no containerAuthDataRef; WOLA supports only container-managed credentials", path=ce.path)


# ---------------------------------------------------------------------------
# Liberty plumbing
# ---------------------------------------------------------------------------


@rule(
    "keystore-safkeyring-filebased",
    title="SAF key ring without fileBased=\"false\"",
    severity=Severity.WARNING,
    scope=XML_FILE,
    category="security",
    provider="liberty",
    rationale="A keyStore whose location is a SAF key ring (safkeyring:///...) is not a file. Without fileBased=\"false\" Liberty treats it as a file and polls a path that does not exist.",
    link=KEYSTORE,
    bad='<keyStore id="zcKeys" location="safkeyring:///ZCEE.Ring" type="JCERACFKS" password="password"/>',
    good='<keyStore id="zcKeys" location="safkeyring:///ZCEE.Ring" type="JCERACFKS" password="password" fileBased="false" readOnly="true"/>',
    fix="Set fileBased=\"false\".",
)
def keystore_safkeyring(ctx: Context) -> None:
    cfg: LibertyConfig = ctx.config
    for ce in cfg.by_file.get(ctx.file.path, []):
        if ce.name not in ("keyStore", "trustStore"):
            continue
        loc = value_of(cfg, ce, "location") or ""
        if not loc.lower().startswith("safkeyring:"):
            continue
        fb = ce.element.get("fileBased")
        if fb is not None and (cfg.resolve(fb.value) or "").strip().lower() == "false":
            continue
        fix = Fix("Set fileBased=\"false\"", [Edit(ce.path, fb.value_span, "false")] if fb is not None else [insert_attribute_edit(ce, ' fileBased="false"')])
        ctx.report(attr_span(ce, "location"), "a SAF key ring is not a file: set fileBased=\"false\" on this keyStore", fixes=[fix])


@rule(
    "ssl-outbound-needs-transport-security",
    title="outboundSSLRef without transportSecurity-1.0",
    severity=Severity.WARNING,
    scope=CONFIG,
    category="security",
    provider="liberty",
    rationale="sslDefault's outboundSSLRef, the default TLS settings for outbound connections, is honoured only when the transportSecurity-1.0 feature is enabled; with only ssl-1.0 outbound connections silently use the inbound default.",
    link=SSL_DEFAULT,
    bad="<featureManager><feature>ssl-1.0</feature></featureManager>\n<sslDefault outboundSSLRef=\"outboundTLS\"/>",
    good="<featureManager><feature>transportSecurity-1.0</feature></featureManager>\n<sslDefault outboundSSLRef=\"outboundTLS\"/>",
)
def ssl_outbound(ctx: Context) -> None:
    cfg: LibertyConfig = ctx.config
    if cfg.may_have_feature("transportSecurity-1.0") or not cfg.features:
        return
    for ce in cfg.of_type("sslDefault"):
        if ce.element.get("outboundSSLRef") is not None:
            ctx.report(ce.element.get("outboundSSLRef").name_span, "outboundSSLRef is ignored unless the feature transportSecurity-1.0 is enabled", path=ce.path)


def _secret_attrs(ctx: Context):
    """(ConfigElement, Attribute, AttributeSpec) for every secret attribute in the file."""
    cfg: LibertyConfig = ctx.config
    for ce in cfg.by_file.get(ctx.file.path, []):
        if ce.spec is None:
            continue
        for attr in ce.element.attributes:
            spec = ce.spec.attribute(attr.name)
            if spec is not None and spec.secret and attr.value.strip() and not xml_placeholder(attr.value):
                yield ce, attr, spec
    # Service properties named password (MQ service definitions).
    for ce in cfg.of_type("property"):
        if ce.path == ctx.file.path and (ce.element.value("name") or "").lower() == "password" and ce.element.get("value") is not None:
            yield ce, ce.element.get("value"), None


SAF_RING_TYPES = ("JCERACFKS", "JCECCARACFKS", "JCEHYBRIDRACFKS")


def _better_encoding(spec) -> str:
    """What to do instead: a password Liberty only compares (a registry
    user's) is best stored as a one-way {hash}; one it must send or use, as
    {aes}."""
    if spec is not None and spec.type == "passwordHash":
        return "encode it with securityUtility encode --encoding=hash"
    return "encode it with securityUtility encode --encoding=aes"


def _is_saf_ring_password(cfg: LibertyConfig, ce: ConfigElement, attr_name: str) -> bool:
    """A SAF key ring's keyStore password: Liberty does not use it (RACF
    guards the ring), so it is no secret.  A ring is known by its location
    (even when a variable in it cannot be resolved) or by its type."""
    if ce.name not in ("keyStore", "trustStore") or attr_name.lower() != "password":
        return False
    loc = value_of(cfg, ce, "location") or (ce.element.value("location") or "").strip()
    kind = (value_of(cfg, ce, "type") or "").upper()
    return loc.lower().startswith("safkeyring") or kind in SAF_RING_TYPES


@rule(
    "password-clear-text",
    title="Password in clear text",
    severity=Severity.WARNING,
    scope=XML_FILE,
    category="security",
    provider="liberty",
    rationale="A password written in clear text can be read by anyone who can read the configuration, its backups or its version history. Encode it with securityUtility encode --encoding=aes (or keep it in a variable supplied at run time). Key-ring passwords of SAF keyStores are not used by Liberty and are not reported.",
    link=ENCODE,
    bad='<zosconnect_authData id="cred" user="ZCUSER" password="secret"/>',
    good='<zosconnect_authData id="cred" user="ZCUSER" password="{aes}AEmVKa8jrAI9..."/>',
)
def password_clear_text(ctx: Context) -> None:
    cfg: LibertyConfig = ctx.config
    for ce, attr, spec in _secret_attrs(ctx):
        raw = attr.value.strip()
        if is_encoded(raw) or "${" in raw or _is_saf_ring_password(cfg, ce, attr.name):
            continue
        what = f"'{attr.name}'" if spec is not None else "the password property"
        ctx.report(attr.value_span, f"{what} of <{ce.name}> is in clear text; {_better_encoding(spec)}")


@rule(
    "password-xor",
    title="Password only obfuscated with {xor}",
    severity=Severity.WARNING,
    scope=XML_FILE,
    category="security",
    provider="liberty",
    rationale="{xor} is a reversible obfuscation that anyone can decode; it only keeps a password from being read at a glance, and the DISA STIG for Liberty treats such a password as a finding. Use {aes} with a key of your own for real protection (or make this rule information in [rules] of .zcsec.toml if {xor} is what your site accepts).",
    link=STIG,
    bad='<authData id="imsAuth" user="IMSUSER" password="{xor}LDo8LTor"/>',
    good='<authData id="imsAuth" user="IMSUSER" password="{aes}AEmVKa8jrAI9..."/>',
)
def password_xor(ctx: Context) -> None:
    cfg: LibertyConfig = ctx.config
    for ce, attr, spec in _secret_attrs(ctx):
        if attr.value.strip().lower().startswith("{xor}") and not _is_saf_ring_password(cfg, ce, attr.name):
            ctx.report(attr.value_span, f"'{attr.name}' of <{ce.name}> is only obfuscated ({{xor}} can be decoded by anyone); {_better_encoding(spec)}")


@rule(
    "password-hash-not-recoverable",
    title="{hash} password where the server must send or use the password",
    severity=Severity.ERROR,
    scope=XML_FILE,
    category="security",
    provider="liberty",
    rationale="{hash} is one-way: Liberty can compare a password against it (basic registry users) but cannot recover the password. A password that z/OS Connect must send to a system of record or use to open a keystore cannot be a hash. Encode it with {aes} instead.",
    link=ENCODE,
    bad='<zosconnect_credential id="db2Cred" user="DB2USER" password="{hash}ATAAAAAI..."/>',
    good='<zosconnect_credential id="db2Cred" user="DB2USER" password="{aes}AEmVKa8jrAI9..."/>',
)
def password_hash(ctx: Context) -> None:
    for ce, attr, spec in _secret_attrs(ctx):
        if spec is None or spec.type == "passwordHash":
            continue
        if attr.value.strip().lower().startswith("{hash}"):
            sev = None if (ce.spec is not None and ce.spec.confirmed) else Severity.WARNING
            ctx.report(attr.value_span, f"'{attr.name}' of <{ce.name}> must be recoverable, but {{hash}} is one-way; encode it with {{aes}}", severity=sev)


@rule(
    "password-key-beside-aes",
    title="AES key written beside the passwords it protects",
    severity=Severity.WARNING,
    scope=CONFIG,
    category="security",
    provider="liberty",
    rationale="{aes} passwords are only as safe as the key they are encrypted with. A wlp.password.encryption.key written in server.xml, in bootstrap.properties or in the file that holds the passwords lets anyone who can read those files decrypt every {aes} password in them. Keep the key in a file of its own that only the server's user can read, included from server.xml.",
    link=ENCODE,
    bad='<variable name="wlp.password.encryption.key" value="..."/>\n<authData id="a" user="U" password="{aes}AEmVKa8jrAI9..."/>',
    good='<authData id="a" user="U" password="{aes}AEmVKa8jrAI9..."/>',
)
def password_key_beside_aes(ctx: Context) -> None:
    cfg: LibertyConfig = ctx.config
    var = cfg.variables.get("wlp.password.encryption.key")
    if var is None or var.value is None or not var.value.strip() or var.path is None or var.span is None:
        return
    # A key kept in a file of its own (included, with tighter access) is
    # what IBM suggests; a key in server.xml, in bootstrap.properties or in
    # the very file that holds the passwords is not.
    shared = var.origin == "bootstrap.properties" or var.path == cfg.root
    aes = [ce for ce in cfg.elements for a in ce.element.attributes if a.value.strip().lower().startswith("{aes}") and (shared or ce.path == var.path)]
    if not aes:
        return
    where = "bootstrap.properties" if var.origin == "bootstrap.properties" else os.path.basename(var.path)
    ctx.report(var.span, f"the AES key of the {{aes}} passwords is written in {where}, next to {len(aes)} element(s) with {{aes}} passwords: whoever reads these files can decrypt them", path=var.path)
