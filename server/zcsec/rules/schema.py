"""Rules that need only the catalogue: unknown names, values of the wrong
type or outside their allowed set, missing required attributes, references
that resolve to nothing or to the wrong element type, and elements whose
enabling feature is in no featureManager."""

from __future__ import annotations

import re
from typing import Iterator

from ..catalogue import AttributeSpec, ElementSpec
from ..findings import Edit, Fix, Severity
from ..placeholders import xml_placeholder
from ..workspace import ConfigElement, LibertyConfig, ref_ids
from ..xmlparse import Attribute, Element
from .common import closest, first_uses, sibling_element_edit
from .registry import CONFIG, XML_FILE, Context, rule

OVERVIEW = "https://openliberty.io/docs/latest/reference/config/server-configuration-overview.html"
# Liberty takes a plain number in the attribute's unit (-1 too) or d, h, m, s
# and ms combined, in any case (docs/sources.md).
_DURATION = re.compile(r"^-?\d+$|^(?:\d+(?:ms|d|h|m|s))+$", re.IGNORECASE)
_INT = re.compile(r"^[+-]?\d+$")


def elements_in(ctx: Context) -> Iterator[ConfigElement]:
    """The elements of the file, one top-level element at a time (registry.Context)."""
    return ctx.elements()


def _rename_edits(path: str, el: Element, new: str) -> list[Edit]:
    edits = [Edit(path, el.name_span, new)]
    if el.end_name_span is not None:
        edits.append(Edit(path, el.end_name_span, new))
    return edits


def attr_severity(rule_severity: Severity, spec: ElementSpec | None, attr: AttributeSpec | None) -> Severity:
    """Facts from UNCONFIRMED sources are never errors."""
    if attr is not None and not attr.confirmed and rule_severity == Severity.ERROR:
        return Severity.WARNING
    return rule_severity


def shown(attr: AttributeSpec | None, value: str) -> str:
    """How a value may appear in a message: secrets never do."""
    if attr is not None and attr.secret:
        return "(secret value not shown)"
    if len(value) > 60:
        value = value[:57] + "..."
    return f"'{value}'"


@rule(
    "unknown-element",
    title="Unknown element (did you mean ...?)",
    severity=Severity.HINT,
    scope=XML_FILE,
    category="schema",
    rationale="Liberty silently ignores elements it does not know, so a misspelt element name means the setting is simply missing. Elements zcsec does not know may belong to a product extension, so this is only a hint, given when the name is close to a known one.",
    link=OVERVIEW,
    bad='<zosconnect_cicsIpicConection id="cics" host="h" port="1491"/>',
    good='<zosconnect_cicsIpicConnection id="cics" host="h" port="1491"/>',
    fix="Rename the element to the suggested name.",
)
def unknown_element(ctx: Context) -> None:
    lib = ctx.catalogue.liberty
    for ce in elements_in(ctx):
        if ce.spec is not None:
            continue
        el = ce.element
        if ce.parent is None:
            choices = lib.element_names
            if lib.canonical_name(el.name):
                continue  # reported by element-name-case
        elif ce.parent.spec is not None:
            choices = ce.parent.spec.child_names
        else:
            continue
        suggestion = closest(el.name, choices, 0.8)
        if suggestion:
            ctx.report(
                el.name_span,
                f"zcsec does not know <{el.name}>; did you mean <{suggestion}>? Liberty ignores elements it does not know.",
                fixes=[Fix(f"Rename to <{suggestion}>", _rename_edits(ce.path, el, suggestion))],
            )


CASE_SOURCE = "https://github.com/OpenLiberty/open-liberty/blob/integration/dev/com.ibm.ws.config/src/com/ibm/ws/config/xml/internal/ConfigElement.java"


@rule(
    "element-name-case",
    title="Element name written in another case",
    severity=Severity.WARNING,
    scope=XML_FILE,
    category="schema",
    rationale="Liberty looks up a top-level element by its exact name, so <keystore> is not a <keyStore>: Liberty ignores it and its settings are lost (a warning). Nested elements that their parent defines, such as properties.wmqJms, are matched without regard to case, so a different case there is only a hint.",
    link=CASE_SOURCE,
    bad='<zosconnect_db2connection id="db2" host="h" port="4711"/>',
    good='<zosconnect_db2Connection id="db2" host="h" port="4711"/>',
    fix="Change the element name to its documented spelling.",
    fix_safe=True,
)
def element_name_case(ctx: Context) -> None:
    lib = ctx.catalogue.liberty
    for ce in elements_in(ctx):
        el = ce.element
        if ce.parent is None:
            canonical = lib.canonical_name(el.name) if ce.spec is None else None
            if canonical and canonical != el.name:
                ctx.report(
                    el.name_span,
                    f"Liberty matches top-level element names exactly, so it ignores <{el.name}>; write <{canonical}>",
                    fixes=[Fix(f"Rename to <{canonical}>", _rename_edits(ce.path, el, canonical))],
                )
        elif ce.spec is not None and el.name != ce.spec.name:
            canonical = ce.spec.name
            ctx.report(
                el.name_span,
                f"<{el.name}> is written <{canonical}> in IBM's documentation (Liberty reads both the same way here)",
                severity=Severity.HINT,
                fixes=[Fix(f"Rename to <{canonical}>", _rename_edits(ce.path, el, canonical))],
            )


@rule(
    "attribute-name-case",
    title="Attribute name written in another case",
    severity=Severity.HINT,
    scope=XML_FILE,
    category="schema",
    rationale="Liberty matches attribute names without regard to case, so hostname is read as hostName and zcsec analyses it as such. The documented spelling is easier to search for; nothing else changes.",
    link=CASE_SOURCE,
    bad=(
        '<zosconnect_cicsIpicConnection id="cicsConn" host="cics1.example.com" port="1491"\n'
        '    sslcertsref="zcTLS"/>\n'
        '<ssl id="zcTLS" keyStoreRef="defaultKeyStore"/>'
    ),
    good=(
        '<zosconnect_cicsIpicConnection id="cicsConn" host="cics1.example.com" port="1491"\n'
        '    sslCertsRef="zcTLS"/>\n'
        '<ssl id="zcTLS" keyStoreRef="defaultKeyStore"/>'
    ),
    fix="Change the attribute name to its documented spelling.",
    fix_safe=True,
)
def attribute_name_case(ctx: Context) -> None:
    for ce in elements_in(ctx):
        if ce.spec is None:
            continue
        for attr in ce.element.attributes:
            aspec = ce.spec.attribute(attr.name)
            if aspec is not None and aspec.name != attr.name:
                ctx.report(
                    attr.name_span,
                    f"'{attr.name}' is written '{aspec.name}' in IBM's documentation (Liberty reads both the same way)",
                    fixes=[Fix(f"Rename to '{aspec.name}'", [Edit(ce.path, attr.name_span, aspec.name)])],
                )


# Attributes every configuration element may have: Liberty accepts an id on
# any element, singletons included.
UNIVERSAL_ATTRIBUTES = frozenset({"id"})
def _security_setting(spec: ElementSpec, name: str) -> bool:
    """Whether a setting bears on security: a reference, a secret, or a name
    about TLS, authentication or identity."""
    aspec = spec.attribute(name)
    if aspec is not None and (aspec.secret or aspec.type in ("ref", "refList")):
        return True
    return bool(_SECURITY_WORDS.search(name))


# Names of settings and elements that bear on security.
_SECURITY_WORDS = re.compile(r"ssl|tls|auth|secur|secret|password|cert|trust|key|cipher|protocol|role|realm|registry|user|grant|token|jwt|oauth|openid|saf|ltpa|cors|origin|credential", re.IGNORECASE)


@rule(
    "unknown-attribute",
    title="Unknown attribute",
    severity=Severity.WARNING,
    scope=XML_FILE,
    category="schema",
    rationale="Liberty ignores attributes it does not know without any message, so a typo such as sslCertRef for sslCertsRef leaves a connection without TLS. zcsec warns when an unknown attribute is close to a known one of an element whose attribute list is confirmed (a likely typo whose setting is lost); an unknown attribute that resembles nothing only gets a hint.",
    link=OVERVIEW,
    bad=(
        '<zosconnect_cicsIpicConnection id="cicsConn" host="cics1.example.com" port="1491"\n'
        '    sslCertRef="zcTLS"/>\n'
        '<ssl id="zcTLS" keyStoreRef="defaultKeyStore"/>'
    ),
    good=(
        '<zosconnect_cicsIpicConnection id="cicsConn" host="cics1.example.com" port="1491"\n'
        '    sslCertsRef="zcTLS"/>\n'
        '<ssl id="zcTLS" keyStoreRef="defaultKeyStore"/>'
    ),
    fix="Rename the attribute to the suggested name.",
)
def unknown_attribute(ctx: Context) -> None:
    for ce in elements_in(ctx):
        spec = ce.spec
        if spec is None or not spec.attributes:
            continue
        # Multi-valued settings are nested elements in the schema, but
        # Liberty also takes them as an attribute with a comma-separated list.
        known = list(spec.attributes) + spec.child_names
        for attr in ce.element.attributes:
            if spec.attribute(attr.name) is not None or attr.name in UNIVERSAL_ATTRIBUTES or ":" in attr.name or attr.name.startswith("xmlns"):
                continue
            if spec.child(attr.name) is not None:
                continue  # a nested element written as an attribute (Liberty accepts both)
            suggestion = closest(attr.name, known, 0.75)
            fixes = [Fix(f"Rename to '{suggestion}'", [Edit(ce.path, attr.name_span, suggestion)])] if suggestion else []
            near_security = suggestion is not None and _security_setting(spec, suggestion)
            if suggestion and (spec.confirmed or near_security):
                # A near miss of a setting that bears on security is a
                # warning even where zcsec's attribute list is not confirmed:
                # Liberty ignores the misspelt name, so that security is off.
                # Elsewhere (context-root on a web application) a hint.
                security = near_security or bool(spec.provider) or bool(_SECURITY_WORDS.search(ce.name))
                ctx.report(attr.name_span, f"<{ce.name}> has no attribute '{attr.name}'; did you mean '{suggestion}'? Liberty ignores '{attr.name}' silently.", severity=None if security else Severity.HINT, fixes=fixes)
            elif suggestion:
                ctx.report(attr.name_span, f"zcsec does not know '{attr.name}' on <{ce.name}>; did you mean '{suggestion}'?", severity=Severity.HINT, fixes=fixes)
            elif spec.confirmed:
                ctx.report(attr.name_span, f"<{ce.name}> has no attribute '{attr.name}'; Liberty ignores it", severity=Severity.HINT)


def check_value(attr: AttributeSpec, value: str) -> tuple[str, str] | None:  # noqa: C901 - one branch per attribute type of the catalogue
    """(rule code, message) when ``value`` does not fit ``attr``."""
    v = value.strip()
    t = attr.type
    show = shown(attr, v)
    if t == "enum" and attr.values:
        ok = v in attr.values or (attr.case_insensitive and v.lower() in {x.lower() for x in attr.values})
        if not ok and v.lower() in {x.lower() for x in attr.values}:
            ok = True  # Liberty matches enumeration values without regard to case
        if not ok and v.startswith("jakarta.") and "javax." + v[len("jakarta."):] in attr.values:
            ok = True  # the Jakarta EE name of a javax interface (Jakarta Messaging 3 and later)
        if not ok:
            return "invalid-value", f"{show} is not allowed for '{attr.name}'; use one of: {', '.join(attr.values)}"
        return None
    if t == "boolean":
        if v.lower() not in ("true", "false"):
            return "invalid-value", f"'{attr.name}' takes true or false, not {show}"
        return None
    if t in ("int", "long", "short"):
        if not _INT.match(v):
            return "invalid-value", f"'{attr.name}' takes a whole number, not {show}"
        n = int(v)
        if (attr.min is not None and n < attr.min) or (attr.max is not None and n > attr.max):
            lo = "" if attr.min is None else f"{attr.min:g}"
            hi = "" if attr.max is None else f"{attr.max:g}"
            return "value-out-of-range", f"{show if attr.secret else n} is outside the range allowed for '{attr.name}' ({lo}..{hi})"
        return None
    if t == "duration":
        if not _DURATION.match(v.replace(" ", "")):
            return "invalid-value", f"'{attr.name}' takes a duration such as 30s, 500ms or 1m30s, not {show}"
        return None
    if attr.max_length is not None and len(v) > attr.max_length:
        return "value-too-long", f"the value of '{attr.name}' is {len(v)} characters long; at most {attr.max_length} are allowed"
    if attr.pattern and not attr.secret:
        try:
            if re.fullmatch(attr.pattern, v) is None:
                return "invalid-value", f"{show} is not a valid value for '{attr.name}'"
        except re.error:
            return None
    return None


_NONE: list = []


def value_problems(cfg: LibertyConfig, ce: ConfigElement) -> list[tuple[str, Attribute, str, Severity]]:
    """(code, attribute, message, severity) for every attribute value of
    ``ce`` that does not fit its catalogue type; computed once per element
    for the three value rules (kept across edits that leave the element as
    it is: what is kept holds no offsets, which move)."""
    known = cfg.cache.setdefault("value-problems", {})
    cached = known.get(ce.element)
    if cached is not None:
        return cached
    out = []
    if ce.spec is not None:
        for attr in ce.element.attributes:
            aspec = ce.spec.attribute(attr.name)
            if aspec is None or aspec.type in ("string", "password", "passwordHash", "id", "location", "token", "ref", "refList"):
                if aspec is None or (aspec.max_length is None and not aspec.pattern):
                    continue
            value = cfg.resolve(attr.value)
            if value is None or (value.strip() == "" and aspec.type not in ("enum",)) or xml_placeholder(value):
                continue  # a placeholder is reported as such (template-placeholder, xml-syntax)
            result = check_value(aspec, value)
            if result is not None:
                via = f" (from '{attr.value}')" if value != attr.value and not aspec.secret else ""
                out.append((result[0], attr, result[1] + via, attr_severity(Severity.ERROR, ce.spec, aspec)))
    known[ce.element] = out or _NONE  # most elements have none: one shared empty list
    return out


def _value_rule(code: str, title: str, rationale: str, bad: str, good: str) -> None:
    def check(ctx: Context) -> None:
        cfg = ctx.config
        known = cfg.cache.setdefault("value-problems", {})
        for ce in elements_in(ctx):
            found_here = known.get(ce.element)
            if found_here is None:
                found_here = value_problems(cfg, ce)
            for found, attr, message, severity in found_here:
                if found == code:
                    span = attr.value_span if attr.value_span[1] > attr.value_span[0] else attr.name_span
                    ctx.report(span, message, severity=None if severity == Severity.ERROR else severity)

    rule(code, title=title, severity=Severity.ERROR, scope=XML_FILE, category="schema", rationale=rationale, link=OVERVIEW, bad=bad, good=good)(check)


_value_rule(
    "invalid-value",
    "Value of the wrong type or not allowed",
    "Liberty rejects a value that is not of the attribute's type (a number, true/false, a duration) or not one of its allowed values, and the element falls back to defaults, which for security settings are often the weaker ones.",
    '<zosconnect_cicsIpicConnection id="c" host="h" port="1491" transidUsage="MIRROR"/>',
    '<zosconnect_cicsIpicConnection id="c" host="h" port="1491" transidUsage="EIB_AND_MIRROR"/>',
)
_value_rule(
    "value-out-of-range",
    "Number outside its allowed range",
    "The number is outside the range the attribute accepts (for example a port above 65535 or more than 999 IPIC sessions).",
    '<zosconnect_cicsIpicConnection id="c" host="h" port="1491" sendSessions="2000"/>',
    '<zosconnect_cicsIpicConnection id="c" host="h" port="1491" sendSessions="100"/>',
)
_value_rule(
    "value-too-long",
    "Value longer than allowed",
    "Names such as APPLIDs (8 characters), transaction ids (4) and WOLA register names (12) have fixed maximum lengths on the system of record; a longer value can never match.",
    '<zosconnect_cicsIpicConnection id="c" host="h" port="1491" zosConnectApplid="ZOSCONNECT1" zosConnectNetworkid="ZCNET"/>',
    '<zosconnect_cicsIpicConnection id="c" host="h" port="1491" zosConnectApplid="ZOSCONN1" zosConnectNetworkid="ZCNET"/>',
)


@rule(
    "template-placeholder",
    title="Template placeholder not filled in",
    severity=Severity.INFORMATION,
    scope=XML_FILE,
    category="schema",
    rationale="A value such as {{ zcon_http_port }}, @port@, ++HOST++ or YOUR_PASSWORD is a blank in a template that a provisioning tool or a person fills in later. zcsec says so once and does not check it as a value; check the file that is generated from the template to have the real values checked.",
    link=OVERVIEW,
    bad='<httpEndpoint id="defaultHttpEndpoint" httpsPort="{{ https_port }}"/>',
    good='<httpEndpoint id="defaultHttpEndpoint" httpsPort="9443"/>',
)
def template_placeholder(ctx: Context) -> None:
    def occurrences():
        for ce in elements_in(ctx):
            for attr in ce.element.attributes:
                found = xml_placeholder(attr.value)
                if found is not None and not found.startswith("<"):  # '<' in a value is an xml-syntax error
                    aspec = ce.spec.attribute(attr.name) if ce.spec is not None else None
                    yield found, (attr, aspec is not None and aspec.secret)

    for found, (attr, secret), more in first_uses(occurrences()):
        what = "the value is a template placeholder" if secret else f"'{found}' is a template placeholder"
        ctx.report(attr.value_span, f"{what}: '{attr.name}'{more} is checked once the template is filled in")


@rule(
    "missing-required-attribute",
    title="Required attribute missing",
    severity=Severity.ERROR,
    scope=XML_FILE,
    category="schema",
    rationale="Without a required attribute Liberty cannot create the element (for example an IPIC connection without host or port), so whatever depends on it fails at run time.",
    link=OVERVIEW,
    bad='<zosconnect_cicsIpicConnection id="c" host="cics.example.com"/>',
    good='<zosconnect_cicsIpicConnection id="c" host="cics.example.com" port="1491"/>',
    fix="Add the attribute with an empty value to fill in.",
)
def missing_required(ctx: Context) -> None:
    for ce in elements_in(ctx):
        spec = ce.spec
        required = spec.required_attributes() if spec is not None else ()
        if not required:
            continue
        el = ce.element
        if ce.parent is None and ce.id and (ctx.config.fragment or ctx.config.missing_includes or implicit(ctx.config, ce.id, (ce.name,))):
            continue  # merged with an element of the same id that zcsec cannot see (or Liberty's own)
        present = {a.name.lower() for a in el.attributes}
        children = {c.name.lower() for c in el.children}
        for aname, aspec in required:
            if aname.lower() in present or aname.lower() in children:
                continue
            if aspec.type in ("ref", "refList") and any(t.lower() in children for t in aspec.ref_types):
                continue
            insert_at = _start_tag_insert_point(ce.file.text, el)
            ctx.report(
                el.name_span,
                f"<{el.name}> needs the attribute '{aname}'" + (f": {aspec.doc.split('.')[0].lower()}" if aspec.doc and len(aspec.doc) < 120 else ""),
                severity=attr_severity(ctx.rule.severity, spec, aspec),
                fixes=[Fix(f"Add {aname}=\"\"", [Edit(ce.path, (insert_at, insert_at), f' {aname}=""')])],
            )


def _start_tag_insert_point(text: str, el: Element) -> int:
    end = el.start_tag_end
    if end >= 2 and text[end - 2 : end] == "/>":
        pos = end - 2
    elif end >= 1 and text[end - 1 : end] == ">":
        pos = end - 1
    else:
        pos = end
    while pos > el.name_span[1] and text[pos - 1] in " \t\r\n":
        pos -= 1
    return pos


def iter_refs(ctx: Context):
    """(ConfigElement, Attribute, AttributeSpec, id, span) for every reference in the file."""
    cfg = ctx.config
    for ce in elements_in(ctx):
        for attr, aspec, ident, off in _references_of(cfg, ce):
            yield ce, attr, aspec, ident, attr.value_span if off is None else attr.value_offsets(off, off + len(ident))


def _references_of(cfg: LibertyConfig, ce: ConfigElement) -> list[tuple[Attribute, AttributeSpec, str, int | None]]:
    """(attribute, its spec, id, offset of the id in the value: None when
    the value has variables) of every reference ``ce`` makes: worked out
    once per element for the two reference rules (kept, as the value
    problems are, across edits that leave the element as it is; offsets in
    the value do not move)."""
    known = cfg.cache.setdefault("references", {})
    found = known.get(ce.element)
    if found is not None:
        return found
    found = []
    if ce.spec is not None:
        for attr in ce.element.attributes:
            aspec = ce.spec.attribute(attr.name)
            if aspec is None or aspec.type not in ("ref", "refList"):
                continue
            if "${" in attr.value:
                resolved = cfg.resolve(attr.value)
                if resolved is not None:
                    found.extend((attr, aspec, ident, None) for ident, _ in ref_ids(resolved, aspec.type == "refList"))
                continue
            found.extend((attr, aspec, ident, off) for ident, off in ref_ids(attr.value, aspec.type == "refList"))
    known[ce.element] = found or _NONE  # most elements have none: one shared empty list
    return found


def implicit(cfg: LibertyConfig, ident: str, types: tuple[str, ...]) -> bool:
    """Whether ``ident`` names one of Liberty's own instances of a wanted type
    (defaultSSLConfig, defaultKeyStore, defaultHttpEndpoint, ...)."""
    return cfg.default_instance(ident, types) is not None


def _skeleton_fix(cfg: LibertyConfig, ce: ConfigElement, target_type: str, ident: str) -> Fix:
    lib = cfg.catalogue.liberty
    spec = lib.element(target_type)
    required = [a for a, s in (spec.attributes.items() if spec else []) if s.required and a != "id"]
    attrs = "".join(f' {a}=""' for a in required)
    return Fix(f"Create <{target_type} id=\"{ident}\">", [sibling_element_edit(ce, f'<{target_type} id="{ident}"{attrs}/>')])


MAX_NEAR_MISS_CANDIDATES = 1000


@rule(
    "ref-unresolved",
    title="Reference to an id that does not exist",
    severity=Severity.ERROR,
    scope=XML_FILE,
    category="schema",
    rationale="A *Ref attribute names the id of another element. When no element in the whole configuration (includes and configDropins too) has that id, Liberty cannot build the connection, or silently uses defaults: a missing sslCertsRef target means no TLS, a missing authDataRef target means no credentials.",
    link="https://www.ibm.com/docs/en/zos-connect/3.0.0?topic=reference-zosconnect-20-configuration-elements",
    bad=(
        '<zosconnect_cicsIpicConnection id="cicsConn" host="cics1.example.com" port="1491"\n'
        '    sslCertsRef="zcTLS"/>'
    ),
    good=(
        '<zosconnect_cicsIpicConnection id="cicsConn" host="cics1.example.com" port="1491"\n'
        '    sslCertsRef="zcTLS"/>\n'
        '<ssl id="zcTLS" keyStoreRef="defaultKeyStore"/>'
    ),
    fix="Correct a near-miss id, or create an element of the right type with that id.",
)
def ref_unresolved(ctx: Context) -> None:
    cfg = ctx.config
    for ce, attr, aspec, ident, span in iter_refs(ctx):
        if cfg.find(ident) or implicit(cfg, ident, aspec.ref_types):
            continue
        wanted = " or ".join(f"<{t}>" for t in aspec.ref_types)
        typed_ids = cfg.ids_of_types(tuple(aspec.ref_types))
        # A near-miss search over thousands of ids per reference would make
        # a generated (or hostile) file quadratic; real files have far fewer.
        close = closest(ident, typed_ids, 0.7) if len(typed_ids) <= MAX_NEAR_MISS_CANDIDATES else None
        fixes = []
        if close:
            fixes.append(Fix(f"Change to '{close}'", [Edit(ce.path, span, close)]))
        fixes.append(_skeleton_fix(cfg, ce, aspec.ref_types[0], ident))
        hint = f"; did you mean '{close}'?" if close else f"; define a {wanted} with id=\"{ident}\""
        if cfg.fragment or cfg.missing_includes:
            # The element may be in a file zcsec cannot see: said once per
            # reference, as information, with where it could be.
            where = "the file that includes this one" if cfg.fragment else "an included file that is not here"
            ctx.report(span, f"'{attr.name}' refers to '{ident}', which is not in the files zcsec can see; it may be defined in {where}", severity=Severity.INFORMATION, fixes=fixes)
            continue
        ctx.report(span, f"'{attr.name}' refers to '{ident}', but no element has that id{hint}", severity=attr_severity(ctx.rule.severity, ce.spec, aspec), fixes=fixes)


@rule(
    "ref-wrong-type",
    title="Reference to an element of the wrong type",
    severity=Severity.ERROR,
    scope=XML_FILE,
    category="schema",
    rationale="Each *Ref attribute accepts only certain element types: for example authDataRef on an IPIC connection needs a <zosconnect_authData>, while containerAuthDataRef on a connection factory needs a Liberty <authData>. Pointing at the wrong type leaves the connection without the setting.",
    link="https://www.ibm.com/docs/en/zos-connect/3.0.0?topic=reference-zosconnect-20-configuration-elements",
    bad=(
        '<zosconnect_cicsIpicConnection id="cicsConn" host="cics1.example.com" port="1491"\n'
        '    authDataRef="cicsCred" sslCertsRef="zcTLS"/>\n'
        '<authData id="cicsCred" user="ZCUSER" password="{aes}ARAGvV1r4cP2mgRdNm0nwC9Ujw9gPQG3"/>\n'
        '<ssl id="zcTLS" keyStoreRef="defaultKeyStore"/>'
    ),
    good=(
        '<zosconnect_cicsIpicConnection id="cicsConn" host="cics1.example.com" port="1491"\n'
        '    authDataRef="cicsCred" sslCertsRef="zcTLS"/>\n'
        '<zosconnect_authData id="cicsCred" user="ZCUSER" password="{aes}ARAGvV1r4cP2mgRdNm0nwC9Ujw9gPQG3"/>\n'
        '<ssl id="zcTLS" keyStoreRef="defaultKeyStore"/>'
    ),
)
def ref_wrong_type(ctx: Context) -> None:
    cfg = ctx.config
    subtypes = ctx.catalogue.liberty.ref_subtypes
    for ce, attr, aspec, ident, span in iter_refs(ctx):
        found = cfg.find(ident)
        wanted_types = set(aspec.ref_types).union(*(subtypes.get(t, ()) for t in aspec.ref_types))
        if not found or cfg.find(ident, wanted_types):
            continue
        if any(f.spec is None for f in found):
            continue  # an element zcsec does not know (a product or user feature's) may be of the wanted kind
        actual = sorted({f.name for f in found})
        wanted = " or ".join(f"<{t}>" for t in aspec.ref_types)
        ctx.report(
            span,
            f"'{attr.name}' must name a {wanted}, but '{ident}' is a " + " and a ".join(f"<{a}>" for a in actual),
            severity=attr_severity(ctx.rule.severity, ce.spec, aspec),
            related=[(f.path, f.element.name_span, f"<{f.name} id=\"{ident}\"> is defined here") for f in found[:3]],
        )


@rule(
    "feature-missing",
    title="Element whose feature is not enabled",
    severity=Severity.WARNING,
    scope=CONFIG,
    category="schema",
    rationale="An element does nothing unless a feature that provides it is listed in a <featureManager> of the configuration (includes count). Without the feature, for example zosconnect:cicsService-1.0, the connection simply does not exist at run time.",
    link="https://www.ibm.com/docs/SS4SVW_3.0.0/reference/zosconnect_features.html",
    bad="<featureManager><feature>zosconnect:zosConnect-2.0</feature></featureManager>\n<zosconnect_cicsIpicConnection id=\"c\" host=\"h\" port=\"1491\"/>",
    good="<featureManager><feature>zosconnect:zosConnect-2.0</feature><feature>zosconnect:cicsService-1.0</feature></featureManager>\n<zosconnect_cicsIpicConnection id=\"c\" host=\"h\" port=\"1491\"/>",
    fix="Add the feature to the first <featureManager>.",
)
def feature_missing(ctx: Context) -> None:
    cfg = ctx.config
    if cfg.fragment or cfg.missing_includes:
        return  # the features may be enabled in a file zcsec cannot see
    managers = cfg.of_type("featureManager")
    product_line = ctx.project.product_line or _product_line(cfg)
    reported: set[str] = set()
    for ce in ctx.top():
        spec = ce.spec
        if spec is None or not spec.features or cfg.may_have_feature(*spec.features):
            continue
        choices = list(spec.features)
        if product_line:
            lib = ctx.catalogue.liberty
            preferred = [f for f in choices if lib.features.get(f, {}).get("productLine") in (product_line, "liberty", None)]
            choices = preferred or choices
        feature = choices[0]
        others = f" (or {', '.join(choices[1:])})" if len(choices) > 1 else ""
        fixes = []
        if managers:
            fm = managers[0]
            fixes.append(Fix(f"Add feature {feature}", [_add_feature_edit(fm, feature)]))
        severity = None if managers else Severity.INFORMATION
        key = f"{ce.path}:{ce.element.start}"
        if key in reported:
            continue
        reported.add(key)
        ctx.report(
            ce.element.name_span,
            f"<{ce.name}> has no effect unless the feature {feature}{others} is enabled in a <featureManager>",
            path=ce.path,
            severity=severity,
            fixes=fixes,
        )


def _product_line(cfg: LibertyConfig) -> str | None:
    if cfg.has_feature("zosconnect:zosConnect-3.0"):
        return "OA3"
    if cfg.has_feature("zosconnect:zosConnect-2.0"):
        return "OA2"
    return None


def _add_feature_edit(fm: ConfigElement, feature: str) -> Edit:
    text = fm.file.text
    el = fm.element
    feats = [c for c in el.children if c.name == "feature"]
    newline = "\r\n" if "\r\n" in text[el.start : el.span[1] + 2] else "\n"
    if feats:
        last = feats[-1]
        line_start = text.rfind("\n", 0, last.start) + 1
        indent = text[line_start : last.start] if not text[line_start : last.start].strip() else "    "
        pos = last.span[1]
        return Edit(fm.path, (pos, pos), f"{newline}{indent}<feature>{feature}</feature>")
    line_start = text.rfind("\n", 0, el.start) + 1
    indent = text[line_start : el.start] if not text[line_start : el.start].strip() else ""
    if el.self_closing:
        return Edit(fm.path, (el.start, el.span[1]), f"<featureManager>{newline}{indent}    <feature>{feature}</feature>{newline}{indent}</featureManager>")
    pos = el.start_tag_end
    return Edit(fm.path, (pos, pos), f"{newline}{indent}    <feature>{feature}</feature>")


@rule(
    "variable-unresolved",
    title="Variable zcsec cannot resolve",
    severity=Severity.INFORMATION,
    scope=XML_FILE,
    category="schema",
    rationale="A ${name} variable that no <variable>, bootstrap.properties or server.env in the workspace defines may still come from the environment at run time, but zcsec cannot check the value. Give it in [variables] of .zcsec.toml to have it checked.",
    link="https://openliberty.io/docs/latest/reference/config/server-configuration-overview.html#variable-substitution",
    bad='<zosconnect_cicsIpicConnection id="cicsConn" host="${CICS_HOST}" port="1491"/>',
    good=(
        '<variable name="CICS_HOST" value="cics1.example.com"/>\n'
        '<zosconnect_cicsIpicConnection id="cicsConn" host="${CICS_HOST}" port="1491"/>'
    ),
)
def variable_unresolved(ctx: Context) -> None:
    cfg = ctx.config

    def occurrences():
        for ce in elements_in(ctx):
            for attr in ce.element.attributes:
                if "${" not in attr.value or (ce.parent is None and ce.name == "include" and attr.name == "location"):
                    continue  # an include location is reported as include-unresolved
                for m in re.finditer(r"\$\{([^}]*)\}", attr.value):
                    name = m.group(1).strip()
                    if name not in cfg.variables:
                        yield name, (attr.value_offsets(m.start(), m.end()), attr.name)

    for name, (span, attr_name), more in first_uses(occurrences()):
        ctx.report(span, f"zcsec cannot resolve ${{{name}}}, so '{attr_name}'{more} is not checked; define it in [variables] of .zcsec.toml if it comes from the environment")
