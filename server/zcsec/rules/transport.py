"""Rules about transport strength in server.xml: the TLS protocol versions
and cipher suites that Liberty and IBM MQ are configured to accept
(classification in zcsec/tls.py; CICS CIPHERS is cics-weak-cipher)."""

from __future__ import annotations


from ..findings import Severity
from ..posture import value_of
from ..tls import SUITE_SETTINGS, classify, names, protocol_class
from .common import STRONG_SUITES, attr_span, suite_severity, suite_summary
from .registry import XML_FILE, Context, rule

NIST_800_52 = "https://csrc.nist.gov/pubs/sp/800/52/r2/final"
LIBERTY_SSL = "https://openliberty.io/docs/latest/reference/config/ssl.html"


@rule(
    "tls-weak-cipher",
    title="Weak or broken TLS cipher suites allowed",
    severity=Severity.WARNING,
    scope=XML_FILE,
    category="security",
    provider="liberty",
    rationale="A TLS connection is only as strong as the weakest suite both ends allow: an attacker in the middle can steer the handshake to it. Suites without encryption, with export-grade keys, anonymous key exchange, RC4, single DES or 3DES are broken or weak (a warning); AES with static RSA key exchange has no forward secrecy (information). securityLevel=\"LOW\" on an <ssl> repertoire enables weak suites.",
    link=NIST_800_52,
    bad=(
        '<ssl id="zcTLS" keyStoreRef="defaultKeyStore"\n'
        '    enabledCiphers="TLS_RSA_WITH_3DES_EDE_CBC_SHA TLS_ECDHE_RSA_WITH_AES_128_GCM_SHA256"/>'
    ),
    good=(
        '<ssl id="zcTLS" keyStoreRef="defaultKeyStore"\n'
        '    enabledCiphers="TLS_ECDHE_RSA_WITH_AES_128_GCM_SHA256 TLS_ECDHE_RSA_WITH_AES_256_GCM_SHA384"/>'
    ),
)
def tls_weak_cipher(ctx: Context) -> None:
    cfg = ctx.config
    for ce in ctx.elements("ssl", *SUITE_SETTINGS):
        if ce.name == "ssl":
            level = (value_of(cfg, ce, "securityLevel") or "").upper()
            if level == "LOW" and ce.element.get("enabledCiphers") is None:
                ctx.report(attr_span(ce, "securityLevel"), f"securityLevel=\"LOW\" on <ssl id=\"{ce.id}\"> enables weak cipher suites; use HIGH (the default), or {STRONG_SUITES} in enabledCiphers")
        attr = SUITE_SETTINGS.get(ce.name)
        suites = value_of(cfg, ce, attr) if attr else None
        if attr and suites:
            _report_suites(ctx, ce, attr, names(suites))


def _report_suites(ctx: Context, ce, attr: str, names: list[str]) -> None:
    found = [(n, classify(n)) for n in names if n]
    sev = suite_severity({s.klass for _, s in found})
    if sev is not None:
        ctx.report(attr_span(ce, attr), f"'{attr}' allows {suite_summary(found)}; {STRONG_SUITES}", severity=sev)


@rule(
    "tls-old-protocol",
    title="Old TLS protocol version configured",
    severity=Severity.WARNING,
    scope=XML_FILE,
    category="security",
    provider="liberty",
    rationale="SSL 3.0 and TLS 1.0 are broken and TLS 1.1 is deprecated (RFC 8996). An <ssl> repertoire whose sslProtocol names one of them (rather than TLSv1.2 or TLSv1.3, or TLS to negotiate the best both ends have) offers or accepts it.",
    link=LIBERTY_SSL,
    bad='<ssl id="zcTLS" keyStoreRef="defaultKeyStore" sslProtocol="TLSv1"/>',
    good='<ssl id="zcTLS" keyStoreRef="defaultKeyStore" sslProtocol="TLSv1.2,TLSv1.3"/>',
)
def tls_old_protocol(ctx: Context) -> None:
    cfg = ctx.config
    for ce in ctx.elements("ssl"):
        value = value_of(cfg, ce, "sslProtocol")
        if not value:
            continue
        versions = names(value)
        classes = {v: protocol_class(v) for v in versions}
        broken = [v for v, c in classes.items() if c == "broken"]
        legacy = [v for v, c in classes.items() if c == "legacy"]
        if broken or legacy:
            ctx.report(
                attr_span(ce, "sslProtocol"),
                f"sslProtocol on <ssl id=\"{ce.id}\"> allows {', '.join(broken + legacy)}, " + ("which is broken" if broken else "which is deprecated") + "; use TLSv1.2 or TLSv1.3",
                severity=None if broken else Severity.INFORMATION,
            )
