"""Security rules for WOLA (WebSphere optimized local adapters) connection
factories."""

from __future__ import annotations

from ..findings import Severity
from .registry import CONFIG, Context, rule

WOLA = "https://www.ibm.com/docs/en/zos-connect/zosconnect/3.0?topic=configuring-using-wola-service-provider"


@rule(
    "wola-no-container-auth",
    title="WOLA connection factory without container auth data",
    severity=Severity.WARNING,
    scope=CONFIG,
    category="security",
    provider="wola",
    rationale="The WOLA service provider supports only container-managed authentication: the user ID and password for the target come from the connection factory's containerAuthDataRef. Without it the request carries no user ID and runs under whatever identity the target region assigns.",
    link=WOLA,
    bad=(
        '<connectionFactory id="wolaCF" jndiName="eis/ola">\n'
        "    <properties.ola/>\n"
        "</connectionFactory>"
    ),
    good=(
        '<connectionFactory id="wolaCF" jndiName="eis/ola" containerAuthDataRef="wolaAuth">\n'
        "    <properties.ola/>\n"
        "</connectionFactory>\n"
        '<authData id="wolaAuth" user="WOLAUSR" password="{aes}ARAGvV1r4cP2mgRdNm0nwC9Ujw9gPQG3"/>'
    ),
)
def wola_no_container_auth(ctx: Context) -> None:
    cfg = ctx.config
    for ce in ctx.of_type("connectionFactory"):
        # Factories that only a product's or a user feature's element uses (a
        # <usr_dvsService>, say) follow that product's rules, not z/OS Connect's.
        if cfg.referenced("connectionFactoryRef", ce.id, unknown=True):
            continue
        if cfg.children(ce, "properties.ola") and ce.element.get("containerAuthDataRef") is None:
            ctx.report(ce.element.name_span, f"WOLA connection factory '{ce.id}' has no containerAuthDataRef; WOLA supports only container-managed credentials", path=ce.path)
