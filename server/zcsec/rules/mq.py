"""Security rules for IBM MQ connections: TLS in client and bindings mode,
and client-mode connection factories that leave out the channel."""

from __future__ import annotations

from ..findings import Severity
from ..posture import value_of
from ..workspace import ConfigElement, LibertyConfig
from .common import fact_note, fact_severity, removal_fix, remove_attribute_edit
from .registry import CONFIG, Context, rule

MQ_CLIENT = "https://www.ibm.com/support/knowledgecenter/SSFKSJ_9.1.0/com.ibm.mq.ref.dev.doc/q112700_.html"


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
    bad=(
        '<jmsConnectionFactory id="qmCF" jndiName="jms/qmCF">\n'
        '    <properties.wmqJms transportType="BINDINGS" queueManager="QM1"\n'
        '        sslCipherSuite="TLS_ECDHE_RSA_WITH_AES_256_GCM_SHA384"/>\n'
        "</jmsConnectionFactory>"
    ),
    good=(
        '<jmsConnectionFactory id="qmCF" jndiName="jms/qmCF">\n'
        '    <properties.wmqJms transportType="CLIENT" queueManager="QM1"\n'
        '        hostName="mq1.example.com" port="1414"\n'
        '        channel="ZC.SVRCONN" sslCipherSuite="TLS_ECDHE_RSA_WITH_AES_256_GCM_SHA384"/>\n'
        "</jmsConnectionFactory>"
    ),
    fix="Remove the TLS attribute.",
    fix_safe=True,
)
def mq_tls_bindings(ctx: Context) -> None:
    cfg = ctx.config
    for p in ctx.postures("mq"):
        props = _wmq(cfg, p.element)
        if props is None or (value_of(cfg, props, "transportType") or "BINDINGS").upper() != "BINDINGS":
            continue
        for name in ("sslCipherSuite", "sslPeerName"):
            attr = props.element.get(name) or next((a for a in props.element.attributes if a.name.lower() == name.lower()), None)
            if attr is not None:
                ctx.report(attr.name_span, f"'{attr.name}' has no effect in bindings mode; TLS is only possible with transportType=\"CLIENT\"", path=props.path, fixes=removal_fix(f"Remove {attr.name}", remove_attribute_edit(props, attr.name)))


@rule(
    "mq-client-incomplete",
    title="MQ client mode without host name or channel",
    severity=Severity.WARNING,
    scope=CONFIG,
    category="security",
    provider="mq",
    rationale="In client mode the connection factory needs the queue manager's hostName and the server-connection channel; without them the client falls back to defaults (localhost, a default channel) that are rarely the intended, secured channel.",
    link=MQ_CLIENT,
    bad=(
        '<jmsConnectionFactory id="qmCF" jndiName="jms/qmCF">\n'
        '    <properties.wmqJms transportType="CLIENT" queueManager="QM1"\n'
        '        hostName="mq1.example.com" port="1414"\n'
        '        sslCipherSuite="TLS_ECDHE_RSA_WITH_AES_256_GCM_SHA384"/>\n'
        "</jmsConnectionFactory>"
    ),
    good=(
        '<jmsConnectionFactory id="qmCF" jndiName="jms/qmCF">\n'
        '    <properties.wmqJms transportType="CLIENT" queueManager="QM1"\n'
        '        hostName="mq1.example.com" port="1414"\n'
        '        channel="ZC.SVRCONN" sslCipherSuite="TLS_ECDHE_RSA_WITH_AES_256_GCM_SHA384"/>\n'
        "</jmsConnectionFactory>"
    ),
)
def mq_client_incomplete(ctx: Context) -> None:
    cfg = ctx.config
    for p in ctx.postures("mq"):
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
    bad=(
        '<jmsConnectionFactory id="qmCF" jndiName="jms/qmCF">\n'
        '    <properties.wmqJms transportType="CLIENT" queueManager="QM1"\n'
        '        hostName="mq1.example.com" port="1414"\n'
        '        channel="ZC.SVRCONN"/>\n'
        "</jmsConnectionFactory>"
    ),
    good=(
        '<jmsConnectionFactory id="qmCF" jndiName="jms/qmCF">\n'
        '    <properties.wmqJms transportType="CLIENT" queueManager="QM1"\n'
        '        hostName="mq1.example.com" port="1414"\n'
        '        channel="ZC.SVRCONN" sslCipherSuite="TLS_ECDHE_RSA_WITH_AES_256_GCM_SHA384"/>\n'
        "</jmsConnectionFactory>"
    ),
    unsettled_by=("facts.at_tls",),
)
def mq_client_without_tls(ctx: Context) -> None:
    cfg = ctx.config
    for p in ctx.postures("mq"):
        props = _wmq(cfg, p.element)
        if props is None or (value_of(cfg, props, "transportType") or "").upper() != "CLIENT" or p.transport != "none":
            continue
        fact = ctx.project.fact("at_tls", p.id, value_of(cfg, props, "hostName"))
        sev = fact_severity(fact)
        if sev is None:
            continue
        ctx.report(props.element.name_span, f"client-mode connection factory '{p.id}' has no sslCipherSuite, so the MQ channel is not encrypted." + fact_note("at_tls", fact), path=props.path, severity=sev)
