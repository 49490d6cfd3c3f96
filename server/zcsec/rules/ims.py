"""Security rules for IMS and IMS database connections: TLS through AT-TLS
only, credentials, connection factories and PassTickets."""

from __future__ import annotations

import re

from ..findings import Severity
from ..posture import child, value_of
from ..workspace import ConfigElement
from .common import attr_span, removal_fix, remove_attribute_edit
from .registry import CONFIG, Context, rule

IMS_SECURITY = "https://www.ibm.com/docs/en/ims/15.1.0?topic=connect-overview-ims-security"
IMS_PROFILES = "https://www.ibm.com/docs/ar/SS4SVW_3.0.0/configuring/ims_conn_profile.html"

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
    bad=(
        '<imsmobile_imsConnection id="IMSCONN" connectionFactoryRef="imsCF" sslCertsRef="zcTLS"/>\n'
        '<connectionFactory id="imsCF" containerAuthDataRef="imsAuth">\n'
        '    <properties.gmoa hostName="ims1.example.com" portNumber="9999"/>\n'
        "</connectionFactory>\n"
        '<authData id="imsAuth" user="IMSUSER" password="{aes}ARAGvV1r4cP2mgRdNm0nwC9Ujw9gPQG3"/>'
    ),
    good=(
        '<imsmobile_imsConnection id="IMSCONN" connectionFactoryRef="imsCF"/>\n'
        '<connectionFactory id="imsCF" containerAuthDataRef="imsAuth">\n'
        '    <properties.gmoa hostName="ims1.example.com" portNumber="9999"/>\n'
        "</connectionFactory>\n"
        '<authData id="imsAuth" user="IMSUSER" password="{aes}ARAGvV1r4cP2mgRdNm0nwC9Ujw9gPQG3"/>\n'
        "--- .zcsec.toml\n"
        "[facts]\n"
        "at_tls = true"
    ),
    fix="Remove the attribute.",
    fix_safe=True,
)
def ims_liberty_tls(ctx: Context) -> None:
    cfg = ctx.config
    for p in ctx.postures("ims", "imsdb"):
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
                    fixes=removal_fix(f"Remove {attr.name}", remove_attribute_edit(ce, attr.name)),
                )


@rule(
    "ims-credentials-without-attls",
    title="Credentials to IMS Connect where AT-TLS is known to be absent",
    severity=Severity.ERROR,
    scope=CONFIG,
    category="security",
    provider="ims",
    rationale="Connections to IMS Connect rely on AT-TLS for encryption. When .zcsec.toml states that no AT-TLS policy covers an IMS or IMS database connection, the user ID and password it sends (auth data or properties) cross the network in clear text. PassTickets are single-use and are not reported.",
    link=IMS_SECURITY,
    bad=(
        '<imsmobile_imsConnection id="IMSCONN" connectionFactoryRef="imsCF"/>\n'
        '<connectionFactory id="imsCF" containerAuthDataRef="imsAuth">\n'
        '    <properties.gmoa hostName="ims1.example.com" portNumber="9999"/>\n'
        "</connectionFactory>\n"
        '<authData id="imsAuth" user="IMSUSER" password="{aes}ARAGvV1r4cP2mgRdNm0nwC9Ujw9gPQG3"/>\n'
        "--- .zcsec.toml\n"
        "[facts.connections.IMSCONN]\n"
        "at_tls = false"
    ),
    good=(
        '<imsmobile_imsConnection id="IMSCONN" connectionFactoryRef="imsCF"/>\n'
        '<connectionFactory id="imsCF" containerAuthDataRef="imsAuth">\n'
        '    <properties.gmoa hostName="ims1.example.com" portNumber="9999"/>\n'
        "</connectionFactory>\n"
        '<authData id="imsAuth" user="IMSUSER" password="{aes}ARAGvV1r4cP2mgRdNm0nwC9Ujw9gPQG3"/>\n'
        "--- .zcsec.toml\n"
        "[facts.connections.IMSCONN]\n"
        "at_tls = true"
    ),
    unsettled_by=("facts.at_tls",),
)
def ims_credentials_without_attls(ctx: Context) -> None:
    for p in ctx.postures("ims", "imsdb"):
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
    bad=(
        '<imsmobile_imsConnection id="IMSA" connectionFactoryRef="imsCF"/>\n'
        '<imsmobile_imsConnection id="IMSB" connectionFactoryRef="imsCF"/>\n'
        '<connectionFactory id="imsCF" containerAuthDataRef="imsAuth">\n'
        '    <properties.gmoa hostName="ims1.example.com" portNumber="9999"/>\n'
        "</connectionFactory>\n"
        '<authData id="imsAuth" user="IMSUSER" password="{aes}ARAGvV1r4cP2mgRdNm0nwC9Ujw9gPQG3"/>'
    ),
    good=(
        '<imsmobile_imsConnection id="IMSA" connectionFactoryRef="imsCF"/>\n'
        '<connectionFactory id="imsCF" containerAuthDataRef="imsAuth">\n'
        '    <properties.gmoa hostName="ims1.example.com" portNumber="9999"/>\n'
        "</connectionFactory>\n"
        '<authData id="imsAuth" user="IMSUSER" password="{aes}ARAGvV1r4cP2mgRdNm0nwC9Ujw9gPQG3"/>'
    ),
)
def ims_shared(ctx: Context) -> None:
    cfg = ctx.config
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
    bad=(
        "<featureManager>\n"
        "    <feature>zosconnect:zosConnect-3.0</feature>\n"
        "    <feature>zosconnect:ims-1.0</feature>\n"
        "</featureManager>\n"
        '<zosconnect_imsConnection id="ims" connectionFactoryRef="imsCF"/>\n'
        '<connectionFactory id="imsCF">\n'
        '    <properties.gmoa hostName="ims1.example.com" portNumber="9999"/>\n'
        "</connectionFactory>"
    ),
    good=(
        "<featureManager>\n"
        "    <feature>zosconnect:zosConnect-3.0</feature>\n"
        "    <feature>zosconnect:ims-1.0</feature>\n"
        "</featureManager>\n"
        '<zosconnect_imsConnection id="ims" connectionFactoryRef="imsCF"/>\n'
        '<connectionFactory id="imsCF" containerAuthDataRef="imsAuth">\n'
        '    <properties.gmoa hostName="ims1.example.com" portNumber="9999"/>\n'
        "</connectionFactory>\n"
        '<authData id="imsAuth" user="IMSUSER" password="{aes}ARAGvV1r4cP2mgRdNm0nwC9Ujw9gPQG3"/>'
    ),
)
def ims_oa3_container_auth(ctx: Context) -> None:
    cfg = ctx.config
    for ce in ctx.of_type("zosconnect_imsConnection"):
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
    bad=(
        '<connectionFactory id="imsCF">\n'
        '    <properties.gmoa hostName="ims1.example.com" portNumber="9999"\n'
        '        applicationName="IMSAPPL" userName="ZCTECH"/>\n'
        "</connectionFactory>"
    ),
    good=(
        '<connectionFactory id="imsCF">\n'
        '    <properties.gmoa hostName="ims1.example.com" portNumber="9999"\n'
        '        applicationName="IMSAPPL"/>\n'
        "</connectionFactory>"
    ),
)
def ims_passticket_fixed_user(ctx: Context) -> None:
    cfg = ctx.config
    for ce in ctx.of_type("properties.gmoa"):
        if value_of(cfg, ce, "applicationName") and value_of(cfg, ce, "userName"):
            ctx.report(attr_span(ce, "userName"), f"the PassTicket is generated for the fixed user {value_of(cfg, ce, 'userName')}, so every caller runs under it; remove userName to propagate the caller's identity", path=ce.path)
