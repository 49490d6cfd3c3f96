"""Rules about the caller: how z/OS Connect authenticates the client whose
request it passes on to a system of record (OpenAPI 2 API provider)."""

from __future__ import annotations

from typing import Iterator

from ..findings import Edit, Fix, Severity
from ..posture import Posture, value_of
from ..workspace import ConfigElement, LibertyConfig
from .common import attr_span, postures_of
from .registry import CONFIG, Context, rule

PROVIDER_AUTH = "https://www.ibm.com/docs/SS4SVW_3.0.0/securing/provider_authorization.html"
BASIC_AUTH = "https://ibm.com/docs/SS4SVW_3.0.0/securing/config_auth_basic.html"
# Elements that carry requireAuth/requireSecure for API provider requests:
# the server-wide manager and its per-API and per-service overrides.
CALLER_SETTINGS = ("zosconnect_zosConnectManager", "zosConnectAPI", "service")
# The API requester (zosconnect_endpointConnection) is called by z/OS
# programs, not by HTTP clients of z/OS Connect.
_PROVIDER_SIDE = ("cics", "ims", "imsdb", "mq", "wola", "rest")


def _switched_off(cfg: LibertyConfig, name: str) -> list[ConfigElement]:
    """Elements that set ``name`` (requireAuth, requireSecure) to false."""
    return [ce for n in CALLER_SETTINGS for ce in cfg.of_type(n) if (value_of(cfg, ce, name) or "").lower() == "false"]


def _provider_connections(ctx: Context) -> Iterator[Posture]:
    """The connections of the API provider side, one at a time (registry.Context)."""
    for p in ctx.postures(*_PROVIDER_SIDE):
        if p.element.name != "zosconnect_endpointConnection":
            yield p


_AS = {
    "fixed-credentials": "as its fixed user",
    "passticket": "with PassTickets",
    "asserted-caller": "asserting an unauthenticated caller",
    "distributed-identity": "with an unauthenticated identity",
    "none": "with no user ID of its own",
}


def _names(found: list[Posture]) -> str:
    shown = [f"'{p.id}' ({p.provider_name}" + (f", {_AS[p.identity]})" if p.identity in _AS else ")") for p in found[:3]]
    more = f" and {len(found) - 3} more" if len(found) > 3 else ""
    return ", ".join(shown) + more


def _set_true(ce: ConfigElement, name: str) -> Fix:
    attr = ce.element.get(name)
    span = attr.value_span if attr is not None else ce.element.name_span
    return Fix(f"Set {name}=\"true\"", [Edit(ce.path, span, "true")])


@rule(
    "caller-unauthenticated",
    title="Callers reach a system of record without authenticating",
    severity=Severity.WARNING,
    scope=CONFIG,
    category="security",
    provider="all",
    rationale="requireAuth=\"false\" lets any client call the APIs and services without a user ID. z/OS Connect still opens its connections to the systems of record, with the fixed credentials, PassTickets or link user they are configured with, so an anonymous caller acts as that user on CICS, IMS, MQ or Db2. Leave requireAuth at its default (true), or set it to false only on an API that reaches nothing that needs protecting.",
    link=PROVIDER_AUTH,
    bad=(
        '<zosconnect_zosConnectManager requireAuth="false"/>\n'
        '<zosconnect_cicsIpicConnection id="cicsConn" host="cics1.example.com" port="1491"\n'
        '    authDataRef="cicsCred" sslCertsRef="zcTLS"/>\n'
        '<zosconnect_authData id="cicsCred" user="ZCUSER" password="{aes}ARAGvV1r4cP2mgRdNm0nwC9Ujw9gPQG3"/>\n'
        '<ssl id="zcTLS" keyStoreRef="defaultKeyStore"/>'
    ),
    good=(
        '<zosconnect_zosConnectManager requireAuth="true"/>\n'
        '<zosconnect_cicsIpicConnection id="cicsConn" host="cics1.example.com" port="1491"\n'
        '    authDataRef="cicsCred" sslCertsRef="zcTLS"/>\n'
        '<zosconnect_authData id="cicsCred" user="ZCUSER" password="{aes}ARAGvV1r4cP2mgRdNm0nwC9Ujw9gPQG3"/>\n'
        '<ssl id="zcTLS" keyStoreRef="defaultKeyStore"/>'
    ),
    fix="Set requireAuth=\"true\".",
)
def caller_unauthenticated(ctx: Context) -> None:
    cfg = ctx.config
    off = _switched_off(cfg, "requireAuth")
    if not off:
        return
    found = [p for p in postures_of(ctx, *_PROVIDER_SIDE) if p.element.name != "zosconnect_endpointConnection"]
    if not found:
        return
    for ce in off:
        where = "every API and service" if ce.name == "zosconnect_zosConnectManager" else f"the {'API' if ce.name == 'zosConnectAPI' else 'service'} '{ce.element.value('name') or ce.id or '?'}'"
        ctx.report(
            attr_span(ce, "requireAuth"),
            f"requireAuth=\"false\": anyone can call {where} without a user ID, and z/OS Connect passes the requests on through {_names(found)}",
            path=ce.path,
            fixes=[_set_true(ce, "requireAuth")],
        )


@rule(
    "caller-over-plain-http",
    title="Callers may use plain HTTP",
    severity=Severity.WARNING,
    scope=CONFIG,
    category="security",
    provider="all",
    rationale="requireSecure=\"false\" accepts requests on the HTTP port, so the caller's password, token or session cookie and the data of the request cross the network in clear. Keep requireSecure at its default (true), or close the HTTP port with httpPort=\"-1\".",
    link=BASIC_AUTH,
    bad=(
        '<httpEndpoint id="defaultHttpEndpoint" host="*" httpPort="9080" httpsPort="9443"/>\n'
        '<zosconnect_zosConnectManager requireSecure="false"/>'
    ),
    good=(
        '<httpEndpoint id="defaultHttpEndpoint" host="*" httpPort="-1" httpsPort="9443"/>\n'
        '<zosconnect_zosConnectManager requireSecure="false"/>'
    ),
    fix="Set requireSecure=\"true\".",
)
def caller_over_plain_http(ctx: Context) -> None:
    cfg = ctx.config
    off = _switched_off(cfg, "requireSecure")
    if not off or cfg.fragment:
        return  # in a fragment the HTTP endpoints are in the file that includes it
    endpoints = cfg.of_type("httpEndpoint")
    if endpoints:
        # value_of gives an endpoint with the id defaultHttpEndpoint
        # Liberty's default port (9080) when it does not set one.
        ports = [p for p in (value_of(cfg, ce, "httpPort") for ce in endpoints) if p is not None and p.strip() != "-1"]
    else:
        default = cfg.catalogue.liberty.default_instances.get("defaultHttpEndpoint", {}).get("attributes", {})
        ports = [default["httpPort"]] if "httpPort" in default else []
    if not ports:
        return
    for ce in off:
        ctx.report(
            attr_span(ce, "requireSecure"),
            f"requireSecure=\"false\" with HTTP port '{ports[0]}' open: callers' credentials and data can cross the network in clear",
            path=ce.path,
            fixes=[_set_true(ce, "requireSecure")],
        )


RELEASE_NOTES = "https://ibm.com/support/knowledgecenter/SS4SVW_3.0.0/overview/release_notes.html"


@rule(
    "mcp-without-security",
    title="MCP feature, for which IBM provides no security yet",
    severity=Severity.INFORMATION,
    scope=CONFIG,
    category="security",
    provider="all",
    rationale="IBM's release notes for z/OS Connect say that security is not yet available for the OpenAPI 3 MCP feature (zosconnect:mcp-1.0) and advise against using it in production: whatever calls it reaches the systems of record behind the server without z/OS Connect authenticating or authorizing it.",
    link=RELEASE_NOTES,
    bad="<featureManager><feature>zosconnect:zosConnect-3.0</feature><feature>zosconnect:mcp-1.0</feature></featureManager>",
    good="<featureManager><feature>zosconnect:zosConnect-3.0</feature></featureManager>",
)
def mcp_without_security(ctx: Context) -> None:
    cfg = ctx.config
    for f, el in cfg.features.get("zosconnect:mcp-1.0", []):
        span = el.text_span(f.text) or el.name_span
        ctx.report(span, "zosconnect:mcp-1.0 has no security yet (IBM's release notes): keep this server away from production data and networks", path=f.path)


IDPROP = "https://www.ibm.com/support/knowledgecenter/SS4SVW_3.0.0/configuring/config_idprop.html"


@rule(
    "caller-not-saf-user",
    title="The caller's identity is passed on, but callers are not SAF users",
    severity=Severity.WARNING,
    scope=CONFIG,
    category="security",
    provider="all",
    rationale="Identity propagation (CICS USERAUTH(IDENTIFY), MQ useCallerPrincipal, PassTickets for the caller) hands the caller's user ID to the system of record, which checks it against RACF. Users of a basic registry are names in server.xml, not SAF user IDs that RACF knows or has authenticated, so the system of record rejects the request or runs it under a user that merely has the same name. Authenticate callers with a SAF registry, or with LDAP and RACF distributed-identity mapping.",
    link=IDPROP,
    bad=(
        '<basicRegistry id="basic">\n'
        '    <user name="fred" password="{aes}ARAGvV1r4cP2mgRdNm0nwC9Ujw9gPQG3"/>\n'
        "</basicRegistry>\n"
        '<zosconnect_cicsIpicConnection id="cicsConn" host="cics1.example.com" port="1491"\n'
        '    zosConnectApplid="ZOSCONN" zosConnectNetworkid="ZCNET"/>'
    ),
    good=(
        '<safRegistry id="saf"/>\n'
        '<zosconnect_cicsIpicConnection id="cicsConn" host="cics1.example.com" port="1491"\n'
        '    zosConnectApplid="ZOSCONN" zosConnectNetworkid="ZCNET"/>'
    ),
)
def caller_not_saf_user(ctx: Context) -> None:
    for p in _provider_connections(ctx):
        if p.propagates_caller and p.caller is not None and p.caller.kind == "authenticated" and p.caller.registry == "basic":
            ctx.report(
                p.element.element.name_span,
                f"connection '{p.id}' passes the caller's user ID to {p.provider_name} ({p.identity_detail}), but callers are basic-registry users, not SAF user IDs",
                path=p.element.path,
            )


@rule(
    "caller-distributed-identity",
    title="The caller's LDAP identity must be mapped to a SAF user ID",
    severity=Severity.INFORMATION,
    scope=CONFIG,
    category="security",
    provider="all",
    rationale="When callers authenticate against an LDAP (or federated) registry and the connection passes their identity on, the system of record receives a distributed identity, not a SAF user ID. RACF must map it to one (RACMAP, IDIDMAP profiles), or the requests fail or run under an unintended user. The mapping lives in RACF, not in any file zcsec reads: say that it is in place with distributed_identity_mapping = true in [facts] of .zcsec.toml, and that it is not with false (then this is a warning).",
    link=IDPROP,
    bad=(
        '<ldapRegistry id="ldap" host="ldap.example.com" port="636" baseDN="o=example"\n'
        '    ldapType="IBM Tivoli Directory Server"/>\n'
        '<zosconnect_cicsIpicConnection id="cicsConn" host="cics1.example.com" port="1491"\n'
        '    zosConnectApplid="ZOSCONN" zosConnectNetworkid="ZCNET"/>'
    ),
    good=(
        '<ldapRegistry id="ldap" host="ldap.example.com" port="636" baseDN="o=example"\n'
        '    ldapType="IBM Tivoli Directory Server"/>\n'
        '<zosconnect_cicsIpicConnection id="cicsConn" host="cics1.example.com" port="1491"\n'
        '    zosConnectApplid="ZOSCONN" zosConnectNetworkid="ZCNET"/>\n'
        "--- .zcsec.toml\n"
        "[facts]\n"
        "distributed_identity_mapping = true"
    ),
    unsettled_by=("facts.distributed_identity_mapping",),
)
def caller_distributed_identity(ctx: Context) -> None:
    for p in _provider_connections(ctx):
        if not (p.propagates_caller and p.caller is not None and p.caller.kind == "authenticated" and p.caller.registry in ("ldap", "federated")):
            continue
        fact = ctx.project.fact("distributed_identity_mapping", p.id)
        if fact is True:
            continue
        tail = " (.zcsec.toml says it is not)" if fact is False else "; say that it is with distributed_identity_mapping = true in [facts] of .zcsec.toml"
        ctx.report(
            p.element.element.name_span,
            f"connection '{p.id}' passes the caller's LDAP identity to {p.provider_name}: RACF must map it to a SAF user ID there (RACMAP){tail}",
            path=p.element.path,
            severity=Severity.WARNING if fact is False else None,
        )
