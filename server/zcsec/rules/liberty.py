"""Security rules for the Liberty plumbing every provider relies on:
credentials elements, deprecated attributes, key stores, outbound TLS
defaults and the way passwords are stored."""

from __future__ import annotations


from ..catalogue import AttributeSpec
from ..findings import Edit, Fix, Severity
from ..placeholders import xml_placeholder
from ..posture import is_encoded, value_of
from ..sources import file_name
from ..workspace import ConfigElement, LibertyConfig
from ..xmlparse import Attribute
from .common import attr_span, insert_attribute_edit
from .registry import CONFIG, XML_FILE, Context, rule
from .rest import REST_BASIC

KEYSTORE = "https://openliberty.io/docs/latest/reference/config/keyStore.html"
SSL_DEFAULT = "https://openliberty.io/docs/ref/config/sslDefault.html"
ENCODE = "https://openliberty.io/docs/latest/reference/command/securityUtility-encode.html"
STIG = "https://preview.stighub.com/api/export/checklist?format=json&stigTitle=IBM+WebSphere+Liberty+Server+Security+Technical+Implementation+Guide"


@rule(
    "credentials-attribute-name",
    title="user and userName mixed up on a credentials element",
    severity=Severity.WARNING,
    scope=XML_FILE,
    category="security",
    provider="all",
    rationale="<zosconnect_authData> and <zosconnect_credential> take the user ID in 'user', while <zosconnect_zosConnectServiceRestClientBasicAuth> takes it in 'userName'. Liberty ignores the wrong spelling, so no user ID is sent.",
    link="https://www.ibm.com/support/knowledgecenter/SS4SVW_3.0.0/configuring/config_ipic_verify.html",
    bad='<zosconnect_authData id="cicsCred" userName="ZCUSER" password="{aes}ARAGvV1r4cP2mgRdNm0nwC9Ujw9gPQG3"/>',
    good='<zosconnect_authData id="cicsCred" user="ZCUSER" password="{aes}ARAGvV1r4cP2mgRdNm0nwC9Ujw9gPQG3"/>',
    fix="Rename the attribute.",
    fix_safe=True,
)
def credentials_attribute_name(ctx: Context) -> None:
    wrong = {"zosconnect_authData": ("userName", "user"), "zosconnect_credential": ("userName", "user"), "zosconnect_zosConnectServiceRestClientBasicAuth": ("user", "userName")}
    for ce in ctx.elements(*wrong):
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
    bad=(
        '<zosconnect_endpointConnection id="api" host="https://api.example.com" port="443"\n'
        '    sslCertsRef="zcTLS" basicAuthRef="apiCred"/>\n'
        '<zosconnect_authData id="apiCred" user="APIUSER" password="{aes}ARAGvV1r4cP2mgRdNm0nwC9Ujw9gPQG3"/>\n'
        '<ssl id="zcTLS" keyStoreRef="defaultKeyStore"/>'
    ),
    good=(
        '<zosconnect_endpointConnection id="api" host="https://api.example.com" port="443"\n'
        '    sslCertsRef="zcTLS" authenticationConfigRef="apiCred"/>\n'
        '<zosconnect_authData id="apiCred" user="APIUSER" password="{aes}ARAGvV1r4cP2mgRdNm0nwC9Ujw9gPQG3"/>\n'
        '<ssl id="zcTLS" keyStoreRef="defaultKeyStore"/>'
    ),
)
def deprecated_attribute(ctx: Context) -> None:
    for ce in ctx.elements():
        if ce.spec is None:
            continue
        for attr in ce.element.attributes:
            spec = ce.spec.attribute(attr.name)
            if spec is not None and spec.deprecated:
                ctx.report(attr.name_span, f"'{attr.name}' is deprecated: {spec.deprecated}")


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
    good=(
        '<keyStore id="zcKeys" location="safkeyring:///ZCEE.Ring" type="JCERACFKS" password="password"\n'
        '    fileBased="false" readOnly="true"/>'
    ),
    fix="Set fileBased=\"false\".",
    fix_safe=True,
)
def keystore_safkeyring(ctx: Context) -> None:
    cfg = ctx.config
    for ce in ctx.elements("keyStore", "trustStore"):
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
    bad=(
        "<featureManager>\n"
        "    <feature>ssl-1.0</feature>\n"
        "</featureManager>\n"
        '<sslDefault outboundSSLRef="outboundTLS"/>\n'
        '<ssl id="outboundTLS" keyStoreRef="defaultKeyStore"/>'
    ),
    good=(
        "<featureManager>\n"
        "    <feature>transportSecurity-1.0</feature>\n"
        "</featureManager>\n"
        '<sslDefault outboundSSLRef="outboundTLS"/>\n'
        '<ssl id="outboundTLS" keyStoreRef="defaultKeyStore"/>'
    ),
)
def ssl_outbound(ctx: Context) -> None:
    cfg = ctx.config
    if cfg.may_have_feature("transportSecurity-1.0") or not cfg.features:
        return
    for ce in cfg.of_type("sslDefault"):
        ref = ce.element.get("outboundSSLRef")
        if ref is not None:
            ctx.report(ref.name_span, "outboundSSLRef is ignored unless the feature transportSecurity-1.0 is enabled", path=ce.path)


def _secret_attrs(ctx: Context):
    """(ConfigElement, Attribute, AttributeSpec) for every secret attribute
    in the file, one top-level element at a time (registry.Context)."""
    cfg = ctx.config
    for ce in ctx.elements():
        for attr, spec in _secrets_of(cfg, ce):
            yield ce, attr, spec


_NONE: list = []


def _secrets_of(cfg: LibertyConfig, ce: ConfigElement) -> list[tuple[Attribute, AttributeSpec | None]]:
    """The secret attributes of ``ce`` with their specs: worked out once per
    element for the three password rules (kept, as the value problems are,
    across edits that leave the element as it is)."""
    known = cfg.cache.setdefault("secret-attributes", {})
    found = known.get(ce.element)
    if found is not None:
        return found
    found = []
    if ce.element.name.lower() == "property" and ce.name == "property":
        # Service properties named password (MQ service definitions).
        value = ce.element.get("value")
        if (ce.element.value("name") or "").lower() == "password" and value is not None:
            found.append((value, None))
    if ce.spec is not None:
        for attr in ce.element.attributes:
            spec = ce.spec.attribute(attr.name)
            if spec is not None and spec.secret and attr.value.strip() and not xml_placeholder(attr.value):
                found.append((attr, spec))
    known[ce.element] = found or _NONE  # most elements have none: one shared empty list
    return found


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
    bad='<zosconnect_authData id="cicsCred" user="ZCUSER" password="secret"/>',
    good='<zosconnect_authData id="cicsCred" user="ZCUSER" password="{aes}ARAGvV1r4cP2mgRdNm0nwC9Ujw9gPQG3"/>',
)
def password_clear_text(ctx: Context) -> None:
    cfg = ctx.config
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
    good='<authData id="imsAuth" user="IMSUSER" password="{aes}ARAGvV1r4cP2mgRdNm0nwC9Ujw9gPQG3"/>',
)
def password_xor(ctx: Context) -> None:
    cfg = ctx.config
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
    bad=(
        '<zosconnect_credential id="db2Cred" user="DB2USER"\n'
        '    password="{hash}ATAAAAAIAR9Z3OyWcJ5AAAAAIBq7jYZ0bj9kVD1MP+Tn2Ng2SIX8OCYr4aKNXOmPjTiT"/>'
    ),
    good='<zosconnect_credential id="db2Cred" user="DB2USER" password="{aes}ARAGvV1r4cP2mgRdNm0nwC9Ujw9gPQG3"/>',
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
    bad=(
        '<variable name="wlp.password.encryption.key" value="zcExampleKey"/>\n'
        '<authData id="imsAuth" user="IMSUSER" password="{aes}ARAGvV1r4cP2mgRdNm0nwC9Ujw9gPQG3"/>'
    ),
    good=(
        '<include location="aeskey.xml"/>\n'
        '<authData id="imsAuth" user="IMSUSER" password="{aes}ARAGvV1r4cP2mgRdNm0nwC9Ujw9gPQG3"/>\n'
        "--- aeskey.xml\n"
        "<server>\n"
        '    <variable name="wlp.password.encryption.key" value="zcExampleKey"/>\n'
        "</server>"
    ),
)
def password_key_beside_aes(ctx: Context) -> None:
    cfg = ctx.config
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
    where = "bootstrap.properties" if var.origin == "bootstrap.properties" else file_name(var.path)
    ctx.report(var.span, f"the AES key of the {{aes}} passwords is written in {where}, next to {len(aes)} element(s) with {{aes}} passwords: whoever reads these files can decrypt them", path=var.path)
