"""Rules about transport strength: the TLS protocol versions and cipher
suites that Liberty, IBM MQ and CICS are configured to accept
(classification in zcsec/tls.py)."""

from __future__ import annotations

import re

from ..findings import Severity
from ..posture import value_of
from ..tls import classify, cics_ciphers, protocol_class
from ..workspace import LibertyConfig
from .common import attr_span, keyword_span
from .registry import CSD_FILE, XML_FILE, Context, rule

NIST_800_52 = "https://csrc.nist.gov/pubs/sp/800/52/r2/final"
CICS_CIPHERS = "https://www.ibm.com/docs/en/SSGMCP_5.4.0/security/tcpip/dfht5_encrypt.html"
LIBERTY_SSL = "https://openliberty.io/docs/latest/reference/config/ssl.html"
_USE = "use suites with ECDHE key exchange and AES-GCM (or TLS 1.3)"


def _severity(classes: set[str]) -> Severity | None:
    if classes & {"broken", "weak"}:
        return Severity.WARNING
    if "legacy" in classes:
        return Severity.INFORMATION
    return None


_RANK = {"broken": 0, "weak": 1, "legacy": 2}


def _summary(found) -> str:
    """The suites that are not strong, the worst first."""
    bad = sorted((x for x in found if x[1].klass in _RANK), key=lambda x: _RANK[x[1].klass])
    shown = [f"{label} ({s.klass}: {s.why})" for label, s in bad]
    more = f" and {len(shown) - 4} more" if len(shown) > 4 else ""
    return "; ".join(shown[:4]) + more


@rule(
    "tls-weak-cipher",
    title="Weak or broken TLS cipher suites allowed",
    severity=Severity.WARNING,
    scope=XML_FILE,
    category="security",
    provider="liberty",
    rationale="A TLS connection is only as strong as the weakest suite both ends allow: an attacker in the middle can steer the handshake to it. Suites without encryption, with export-grade keys, anonymous key exchange, RC4, single DES or 3DES are broken or weak (a warning); AES with static RSA key exchange has no forward secrecy (information). securityLevel=\"LOW\" on an <ssl> repertoire enables weak suites.",
    link=NIST_800_52,
    bad='<ssl id="out" keyStoreRef="ks" enabledCiphers="TLS_RSA_WITH_3DES_EDE_CBC_SHA TLS_ECDHE_RSA_WITH_AES_128_GCM_SHA256"/>',
    good='<ssl id="out" keyStoreRef="ks" enabledCiphers="TLS_ECDHE_RSA_WITH_AES_128_GCM_SHA256 TLS_ECDHE_RSA_WITH_AES_256_GCM_SHA384"/>',
)
def tls_weak_cipher(ctx: Context) -> None:
    cfg: LibertyConfig = ctx.config
    for ce in cfg.by_file.get(ctx.file.path, []):
        if ce.name == "ssl":
            level = (value_of(cfg, ce, "securityLevel") or "").upper()
            if level == "LOW" and ce.element.get("enabledCiphers") is None:
                ctx.report(attr_span(ce, "securityLevel"), f"securityLevel=\"LOW\" on <ssl id=\"{ce.id}\"> enables weak cipher suites; use HIGH (the default), or {_USE} in enabledCiphers")
            suites = value_of(cfg, ce, "enabledCiphers")
            if suites:
                _report_suites(ctx, ce, "enabledCiphers", re.split(r"[\s,]+", suites.strip()))
        elif ce.name == "properties.wmqJms":
            suite = value_of(cfg, ce, "sslCipherSuite")
            if suite:
                _report_suites(ctx, ce, "sslCipherSuite", [suite])


def _report_suites(ctx: Context, ce, attr: str, names: list[str]) -> None:
    found = [(n, classify(n)) for n in names if n]
    sev = _severity({s.klass for _, s in found})
    if sev is not None:
        ctx.report(attr_span(ce, attr), f"'{attr}' allows {_summary(found)}; {_USE}", severity=sev)


@rule(
    "tls-old-protocol",
    title="Old TLS protocol version configured",
    severity=Severity.WARNING,
    scope=XML_FILE,
    category="security",
    provider="liberty",
    rationale="SSL 3.0 and TLS 1.0 are broken and TLS 1.1 is deprecated (RFC 8996). An <ssl> repertoire whose sslProtocol names one of them (rather than TLSv1.2 or TLSv1.3, or TLS to negotiate the best both ends have) offers or accepts it.",
    link=LIBERTY_SSL,
    bad='<ssl id="out" keyStoreRef="ks" sslProtocol="TLSv1"/>',
    good='<ssl id="out" keyStoreRef="ks" sslProtocol="TLSv1.2,TLSv1.3"/>',
)
def tls_old_protocol(ctx: Context) -> None:
    cfg: LibertyConfig = ctx.config
    for ce in cfg.by_file.get(ctx.file.path, []):
        if ce.name != "ssl":
            continue
        value = value_of(cfg, ce, "sslProtocol")
        if not value:
            continue
        versions = [v for v in re.split(r"[\s,]+", value.strip()) if v]
        classes = {v: protocol_class(v) for v in versions}
        broken = [v for v, c in classes.items() if c == "broken"]
        legacy = [v for v, c in classes.items() if c == "legacy"]
        if broken or legacy:
            ctx.report(
                attr_span(ce, "sslProtocol"),
                f"sslProtocol on <ssl id=\"{ce.id}\"> allows {', '.join(broken + legacy)}, " + ("which is broken" if broken else "which is deprecated") + "; use TLSv1.2 or TLSv1.3",
                severity=None if broken else Severity.INFORMATION,
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
    bad=" DEFINE TCPIPSERVICE(ZCIPIC) GROUP(G) PROTOCOL(IPIC) PORTNUMBER(1491)\n        SSL(YES) CIPHERS(0A352F)",
    good=" DEFINE TCPIPSERVICE(ZCIPIC) GROUP(G) PROTOCOL(IPIC) PORTNUMBER(1491)\n        SSL(YES) CIPHERS(defaultciphers.xml)",
)
def cics_weak_cipher(ctx: Context) -> None:
    for cmd in ctx.file.doc.commands:
        if cmd.resource_type not in ("TCPIPSERVICE", "IPCONN", "URIMAP") or cmd.verb not in ("DEFINE", "USERDEFINE", "ALTER"):
            continue
        value = cmd.value("CIPHERS")
        if not value:
            continue
        if cmd.resource_type == "TCPIPSERVICE" and (cmd.upper("SSL") or "NO") == "NO":
            continue  # no TLS on this listener: CIPHERS is not used
        found = cics_ciphers(value)
        if not found:
            continue
        sev = _severity({s.klass for _, s in found})
        if sev is not None:
            ctx.report(keyword_span(cmd, "CIPHERS"), f"{cmd.resource_type} {cmd.name} accepts {_summary(found)}; {_USE}", severity=sev)
