"""Hover text for server.xml and CSD files, free of LSP types.

:func:`hover` returns markdown built from the catalogue (docs, types,
allowed values, links), the merged configuration (what a reference points
at, where a variable is defined) and the posture model (the effective
security of a connection and its CICS counterpart).

Secrets never appear: the value of an attribute the catalogue marks secret
(or whose name suggests one) is never shown, nor the value of a variable
used in such an attribute or named like a password.
"""

from __future__ import annotations

import os
import re
from dataclasses import dataclass

from ..catalogue import AttributeSpec, CsdKeywordSpec, ElementSpec
from ..csdparse import CsdCommand
from .. import tls
from ..posture import PROVIDER_NAMES, Posture, is_encoded
from ..rules.schema import implicit
from ..secrecy import is_secret_attr, secret_variables
from ..sources import file_name, is_remote
from ..text import Span
from ..workspace import ConfigElement, LibertyConfig, Workspace
from .cursor import VAR, CsdSpot, XmlSpot, csd_spot, is_ref_attr, xml_spot
from .navigation import (
    config_postures,
    connections_for_csd,
    id_target,
    id_uses,
    include_target,
    posture_of,
    ref_targets,
    ref_types_of,
)

SECRET_NOTE = "The value is a secret: zcsec never shows it."
# RACF's rules, https://www.ibm.com/support/knowledgecenter/en/SSLTBW_2.3.0/com.ibm.zos.v2r3.icha200/passphrase.htm
PHRASE_NOTE = (
    "To RACF, 1 to 8 characters are a password and 9 to 100 a password phrase; a phrase needs at "
    "least 14 characters unless the KDFAES algorithm or the ICHPWX11 exit allows 9. The partner "
    "must accept a phrase where this value is one."
)
# Elements whose password signs a user on to a system of record (RACF checks it).
SIGN_ON_ELEMENTS = {
    "authData", "zosconnect_authData", "zosconnect_credential", "zosconnect_zosConnectServiceRestClientBasicAuth",
    "properties.gmoa", "properties.imsudbJLocal",
}
_MAX_VALUE = 80


@dataclass(slots=True)
class HoverResult:
    markdown: str
    path: str
    span: Span


def hover(ws: Workspace, path: str, offset: int) -> HoverResult | None:
    """Hover text for ``offset`` in ``path``; None when there is nothing to say."""
    try:
        spot = xml_spot(ws, path, offset)
        if spot is not None:
            return _xml_hover(spot)
        cspot = csd_spot(ws, path, offset)
        if cspot is not None:
            return _csd_hover(cspot)
    except Exception:  # noqa: BLE001 - hover never fails a request
        return None
    return None


# ---------------------------------------------------------------------------
# Markdown helpers
# ---------------------------------------------------------------------------


def code(text: str) -> str:
    """Inline code that survives backticks in ``text``."""
    text = text.replace("\n", " ")
    if "`" not in text:
        return f"`{text}`"
    return f"`` {text} ``"


def prose(text: str) -> str:
    """Model text for markdown: XML fragments such as <ssl id="x"> become code
    (clients would otherwise drop them as HTML)."""
    return re.sub(r"<[^<>\n]*>", lambda m: code(m.group(0)), text)


def cell(text: str) -> str:
    return prose(text).replace("|", "\\|")


def _short(value: str) -> str:
    value = value.replace("\n", " ")
    return value if len(value) <= _MAX_VALUE else value[: _MAX_VALUE - 3] + "..."


def _where(ws: Workspace, path: str | None, span: Span | None, base: str | None = None) -> str:
    if not path:
        return "?"
    name = file_name(path)
    if base and not is_remote(path):
        try:
            rel = os.path.relpath(path, base)
            if not rel.startswith(".."):
                name = rel.replace(os.sep, "/")
        except ValueError:
            pass
    if span is None:
        return name
    index = ws.index_for(path)
    if index is None:
        return name
    return f"{name}:{index.position(span[0]).line + 1}"


def _doc_link(link: str | None) -> str | None:
    return f"[Documentation]({link})" if link else None


def _join(parts: list[str | None]) -> str:
    return "\n\n".join(p for p in parts if p)


# ---------------------------------------------------------------------------
# Secrets
# ---------------------------------------------------------------------------


def _safe_value(cfg: LibertyConfig, ce: ConfigElement, attr_name: str, raw: str) -> str | None:
    """How an attribute value may be shown, or None when it must not be."""
    if is_secret_attr(ce, attr_name) or is_encoded(raw):
        return None
    secrets = secret_variables(cfg)
    if any(m.group(1).strip() in secrets for m in VAR.finditer(raw)):
        return raw if "${" in raw else None  # the ${name} form only, never its value
    return raw


# ---------------------------------------------------------------------------
# server.xml
# ---------------------------------------------------------------------------


def _xml_hover(spot: XmlSpot) -> HoverResult | None:
    el = spot.element
    if spot.part == "name":
        span = el.end_name_span if el.end_name_span is not None and el.end_name_span[0] <= spot.offset <= el.end_name_span[1] else el.name_span
        text = element_hover(spot)
        return HoverResult(text, spot.file.path, span) if text else None
    if spot.part == "attr-name" and spot.attr is not None:
        text = attribute_hover(spot)
        return HoverResult(text, spot.file.path, spot.attr.name_span) if text else None
    if spot.part == "attr-value" and spot.attr is not None:
        return value_hover(spot)
    if spot.part == "text" and el.name == "feature":
        return feature_hover(spot)
    return None


def _provider_label(spec: ElementSpec) -> str | None:
    if not spec.provider:
        return None
    name = PROVIDER_NAMES.get(spec.provider, spec.provider)
    role = f" ({spec.role})" if spec.role else ""
    return f"{name}{role}"


def element_hover(spot: XmlSpot) -> str:
    ce, cfg = spot.ce, spot.cfg
    el = spot.element
    head = f"**{code('<' + el.name + '>')}**"
    if ce is None or ce.spec is None:
        return _join([head, "zcsec does not know this element; Liberty ignores elements it does not know."])
    spec = ce.spec
    parts: list[str | None] = [head]
    provider = _provider_label(spec)
    meta = []
    if provider:
        meta.append(f"Provider: {provider}")
    if spec.product_lines:
        meta.append("Product lines: " + ", ".join(spec.product_lines))
    if meta:
        parts[0] = head + " — " + " · ".join(meta)
    if spec.doc:
        parts.append(prose(spec.doc))
    if spec.features:
        feats = ", ".join(code(f) for f in spec.features)
        if ce.parent is None:
            enabled = [f for f in spec.features if cfg.has_feature(f)]
            state = f"enabled: {', '.join(code(f) for f in enabled)}" if enabled else "**none of them is enabled** in a `<featureManager>`"
            parts.append(f"Enabled by {feats} ({state}).")
        else:
            parts.append(f"Enabled by {feats}.")
    posture = posture_of(spot.ws, cfg, el)
    if posture is not None:
        parts.append(posture_markdown(posture))
        if posture.cics is not None:
            parts.append(cics_markdown(spot.ws, posture))
    parts.append(_doc_link(spec.link))
    return _join(parts)


def _type_label(aspec: AttributeSpec) -> str:
    t = aspec.type
    if t in ("ref", "refList"):
        targets = " or ".join(code("<" + r + ">") for r in aspec.ref_types) or "an element"
        return f"{'list of references' if t == 'refList' else 'reference'} to {targets}"
    if t in ("int", "long", "short"):
        rng = ""
        if aspec.min is not None or aspec.max is not None:
            lo = "" if aspec.min is None else f"{aspec.min:g}"
            hi = "" if aspec.max is None else f"{aspec.max:g}"
            rng = f" ({lo}..{hi})"
        return f"whole number{rng}"
    if t == "duration":
        return "duration" + (f" (plain numbers in {aspec.duration_unit})" if aspec.duration_unit else "")
    return t


def attribute_hover(spot: XmlSpot) -> str:
    attr, ce = spot.attr, spot.ce
    assert attr is not None
    owner = code("<" + spot.element.name + ">")
    head = f"**{code(attr.name)}** on {owner}"
    aspec = spot.aspec
    secret = is_secret_attr(ce, attr.name, aspec)
    if aspec is None:
        body = "zcsec does not know this attribute on this element." if ce is not None and ce.spec is not None and ce.spec.attributes else None
        return _join([head, body, SECRET_NOTE if secret else None])
    facts = [f"Type: {_type_label(aspec)}"]
    if aspec.required:
        facts.append("required")
    if aspec.default is not None and not secret:
        facts.append(f"default {code(aspec.default)}")
    if aspec.max_length is not None:
        facts.append(f"at most {aspec.max_length} characters")
    parts: list[str | None] = [head, " · ".join(facts)]
    if aspec.values:
        parts.append("Allowed values: " + ", ".join(code(v) for v in aspec.values))
    if aspec.deprecated:
        parts.append(f"Deprecated: {prose(aspec.deprecated)}")
    if aspec.doc:
        parts.append(prose(aspec.doc))
    if not aspec.confirmed:
        parts.append("_Not confirmed in IBM documentation; treat as a hint._")
    if secret:
        parts.append(SECRET_NOTE)
        if attr.name.lower() == "password" and spot.element.name in SIGN_ON_ELEMENTS:
            parts.append(PHRASE_NOTE)
    parts.append(_doc_link(aspec.link))
    return _join(parts)


def value_hover(spot: XmlSpot) -> HoverResult | None:
    attr, cfg, tok = spot.attr, spot.cfg, spot.token
    assert attr is not None
    path = spot.file.path
    if tok is not None and tok.kind == "var":
        text = variable_hover(spot, tok.text)
        if is_ref_attr(spot.aspec, attr.name) and not is_secret_attr(spot.ce, attr.name, spot.aspec):
            resolved = cfg.resolve(attr.value)
            if resolved is not None and resolved.strip():
                text = _join([text, _refs_markdown(spot, [i for i in re.split(r"[,\s]+", resolved) if i])])
        return HoverResult(text, path, tok.span)
    if tok is not None and tok.kind == "ref":
        return HoverResult(_refs_markdown(spot, [tok.text]), path, tok.span)
    if tok is not None and tok.kind == "id":
        return HoverResult(_join([attribute_hover(spot), _uses_markdown(spot)]), path, tok.span)
    el = spot.element
    if el.name == "include" and attr.name == "location" and spot.ce is not None and spot.ce.parent is None:
        return HoverResult(_include_markdown(spot), path, attr.value_span)
    extra = None
    resolved = cfg.resolve(attr.value) if not is_secret_attr(spot.ce, attr.name, spot.aspec) else None
    if resolved and tls.SUITE_SETTINGS.get(el.name, "").lower() == attr.name.lower():
        extra = suites_markdown([(n, tls.classify(n)) for n in tls.names(resolved)])
    elif resolved and tls.PROTOCOL_SETTINGS.get(el.name, "").lower() == attr.name.lower():
        extra = protocols_markdown(tls.names(resolved))
    if el.name == "zosconnect_cicsIpicConnection" and attr.name in ("port", "zosConnectApplid"):
        p = posture_of(spot.ws, cfg, el)
        if p is not None and p.cics is not None:
            extra = cics_markdown(spot.ws, p)
    text = attribute_hover(spot)
    return HoverResult(_join([text, extra]), path, attr.value_span)


_CLASS_WORDS = {
    "broken": "broken: do not allow it",
    "weak": "weak: remove it",
    "legacy": "legacy: no forward secrecy, replace it when both ends can",
    "strong": "strong",
    "unknown": "not classified by zcsec",
}


def suites_markdown(found: list[tuple[str, tls.Strength]]) -> str | None:
    """What each cipher suite of a list is worth, the weakest first."""
    if not found:
        return None
    ordered = sorted(found, key=lambda x: tls.RANK.get(x[1].klass, 3))
    lines = [f"- {code(label)}" + (f" = {code(s.name)}" if s.name != label else "") + f": **{_CLASS_WORDS.get(s.klass, s.klass)}** ({s.why})" for label, s in ordered[:12]]
    if len(ordered) > 12:
        lines.append(f"- and {len(ordered) - 12} more")
    weakest = ordered[0][1].klass
    return f"**Cipher suites** (the handshake can settle on the weakest one both ends allow: {weakest}):\n" + "\n".join(lines)


def protocols_markdown(versions: list[str]) -> str | None:
    if not versions:
        return None
    words = {"broken": "broken: do not allow it", "legacy": "deprecated (RFC 8996)", "strong": "current", "negotiated": "negotiated: the best version both ends support"}
    lines = [f"- {code(v)}: **{words.get(tls.protocol_class(v) or '', 'not known to zcsec')}**" for v in versions]
    return "**TLS protocol versions**:\n" + "\n".join(lines)


def cics_ciphers_markdown(value: str) -> str | None:
    found = tls.cics_ciphers(value)
    if found is None:
        return f"{code(value.strip())} names a cipher suite specification file in the region's USSCONFIG security/ciphers directory; zcsec does not read it."
    return suites_markdown(found)


def variable_hover(spot: XmlSpot, name: str) -> str:
    cfg, ws = spot.cfg, spot.ws
    head = f"**{code('${' + name + '}')}**"
    var = cfg.variables.get(name)
    if var is None or var.value is None:
        return _join([head, "zcsec cannot resolve this variable: no `<variable>`, bootstrap.properties or server.env in the workspace defines it. If it comes from the environment, give its value in `[variables]` of .zcsec.toml to have it checked."])
    secret = name in secret_variables(cfg) or is_secret_attr(spot.ce, spot.attr.name if spot.attr else "", spot.aspec)
    if secret:
        value_line = "Value: _not shown: the variable holds a secret._"
    else:
        value_line = f"Value: {code(_short(var.value))}"
        resolved = cfg.resolve(var.value)
        if resolved is not None and resolved != var.value:
            value_line += f" → {code(_short(resolved))}"
    if var.default:
        value_line += " (a `defaultValue`: a value set elsewhere wins)"
    origin = {
        "builtin": "a location Liberty defines itself (derived from where server.xml is)",
        "project": "`[variables]` of .zcsec.toml",
        "server.env": "server.env",
        "bootstrap.properties": "bootstrap.properties",
        "variable": "a `<variable>` element",
    }.get(var.origin, var.origin)
    where = f"Defined in {origin}"
    if var.path and var.origin != "project":
        where += f" at {code(_where(ws, var.path, var.span, cfg.server_dir))}"
    elif var.path:
        where += f" ({code(file_name(var.path))})"
    return _join([head, value_line, where + "."])


def _target_summary(spot: XmlSpot, target: ConfigElement) -> str:
    cfg = spot.cfg
    loc = _where(spot.ws, target.path, target.element.name_span, cfg.server_dir)
    line = f"{code('<' + target.name + ' id=' + chr(34) + (target.id or '') + chr(34) + '>')} in {code(loc)}"
    shown = []
    for attr in target.element.attributes:
        if attr.name == "id":
            continue
        value = _safe_value(cfg, target, attr.name, attr.value)
        if value is None:
            shown.append(f"{code(attr.name)}: _secret, not shown_")
        else:
            shown.append(f"{code(attr.name)}: {code(_short(value))}")
        if len(shown) >= 6:
            break
    if shown:
        line += "\n" + "\n".join(f"- {s}" for s in shown)
    return line


def _refs_markdown(spot: XmlSpot, idents: list[str]) -> str:
    cfg = spot.cfg
    attr = spot.attr
    aspec = spot.aspec
    types = ref_types_of(aspec)
    wanted = " or ".join(code("<" + t + ">") for t in types) or "an element"
    parts: list[str | None] = [f"**{code(attr.name if attr else '')}** refers to {wanted}" + (f" ({aspec.doc.split('.')[0]})" if aspec and aspec.doc else "") + "."]
    for ident in idents:
        found, typed = ref_targets(cfg, ident, aspec)
        if not found:
            if types and implicit(cfg, ident, types):
                parts.append(f"{code(ident)} is the id of the configuration Liberty creates by itself (no element in the workspace declares it).")
            else:
                parts.append(f"{code(ident)} resolves to nothing: no element in the merged configuration has this id.")
            continue
        if not typed:
            actual = " and ".join(code("<" + ce.name + ">") for ce in found)
            parts.append(f"{code(ident)} is a {actual}, not the expected {wanted}.")
        for ce in found:
            parts.append(_target_summary(spot, ce))
        if len(found) > 1:
            parts.append(f"{len(found)} elements have this id; Liberty merges elements of the same type and id.")
    return _join(parts)


def _uses_markdown(spot: XmlSpot) -> str:
    target = id_target(spot)
    uses = id_uses(spot.cfg, target) if target is not None else []
    if not uses:
        return "No *Ref attribute in the merged configuration names this id."
    lines = [
        f"- {code(u.attr.name)} of {code('<' + u.ce.name + '>')} in {code(_where(spot.ws, u.ce.path, u.span, spot.cfg.server_dir))}"
        for u in uses[:10]
    ]
    if len(uses) > 10:
        lines.append(f"- and {len(uses) - 10} more")
    return f"Referenced by {len(uses)} attribute{'s' if len(uses) != 1 else ''}:\n" + "\n".join(lines)


def _include_markdown(spot: XmlSpot) -> str:
    cfg, el = spot.cfg, spot.element
    attr = spot.attr
    head = attribute_hover(spot)
    raw = attr.value.strip() if attr else ""
    if re.match(r"^[a-zA-Z][a-zA-Z0-9+.\-]*://", raw):
        return _join([head, "A remote location: zcsec never fetches it, so its content is not checked."])
    target = include_target(cfg, spot.file, el)
    if target is None:
        link = next((ln for ln in cfg.includes if ln.element is el), None)
        if link is None or link.target is None:
            return _join([head, "zcsec cannot resolve this location (it uses variables zcsec does not know)."])
        if os.path.isdir(link.target):
            return _join([head, f"A folder: every .xml file in {code(link.target)} is included."])
        return _join([head, f"{code(link.target)} does not exist."])
    return _join([head, f"Includes {code(target)}."])


def feature_hover(spot: XmlSpot) -> HoverResult | None:
    text = spot.element.text(spot.file.text).strip()
    lib = spot.cfg.catalogue.liberty
    info = lib.features.get(text)
    if info is None:
        lower = {k.lower(): k for k in lib.features}
        key = lower.get(text.lower())
        info = lib.features.get(key) if key else None
    if info is None:
        return None
    parts: list[str | None] = [f"**Feature {code(text)}**"]
    meta = []
    if info.get("productLine"):
        meta.append(f"product line {info['productLine']}")
    if info.get("provider"):
        meta.append(f"provider {PROVIDER_NAMES.get(info['provider'], info['provider'])}")
    if meta:
        parts[0] = (parts[0] or "") + " — " + ", ".join(meta)
    if info.get("doc"):
        parts.append(prose(str(info["doc"])))
    parts.append(_doc_link(info.get("link")))
    span = spot.element.text_span(spot.file.text) or spot.element.name_span
    return HoverResult(_join(parts), spot.file.path, span)


# ---------------------------------------------------------------------------
# Posture
# ---------------------------------------------------------------------------


def posture_markdown(p: Posture) -> str:
    rows = [
        ("Caller", f"**{p.caller.kind}**: {p.caller.detail}" if p.caller is not None else "—"),
        ("Transport", f"**{p.transport}**: {p.transport_detail}"),
        ("TLS floor", p.tls_floor or "—"),
        ("Bind", f"**{p.bind}**"),
        ("Link user", p.link_user or "—"),
        ("Identity", f"**{p.identity}**: {p.identity_detail}"),
    ]
    if p.unknowns:
        rows.append(("Not established", "; ".join(p.unknowns)))
    table = "| | |\n|---|---|\n" + "\n".join(f"| {k} | {cell(v)} |" for k, v in rows)
    return f"**Security posture** of this {p.provider_name} connection to {code(p.target)}\n\n{_chain(p)}\n\n{table}"


def _chain(p: Posture) -> str:
    """The path of a request in one line, from the caller to the system of record."""
    caller = p.caller.summary if p.caller is not None else "the caller"
    return f"{caller} → z/OS Connect → {p.transport} ({'client certificate' if p.bind == 'client-certificate' else 'no client certificate'}) → {p.provider_name}, identity: {p.identity}"


def _csd_where(ws: Workspace, cmd: CsdCommand) -> str:
    path = ws.csd.path_of(cmd)
    return code(_where(ws, path, cmd.name_span or cmd.verb_span))


def cics_markdown(ws: Workspace, p: Posture) -> str:
    side = p.cics
    if side is None:
        return ""
    rows = []
    if side.service is not None:
        svc = side.service
        text = f"{code(svc.name or '?')} in {_csd_where(ws, svc)}, SSL({side.ssl})"
        if len(side.services_on_port) > 1:
            text += f" ({len(side.services_on_port)} IPIC services use this port; the last is shown)"
        rows.append(("TCPIPSERVICE", text))
    else:
        note = "none with PROTOCOL(IPIC) on this port in the workspace's CSD"
        if side.non_ipic_on_port:
            note += "; on this port: " + ", ".join(f"{code(c.name or '?')} PROTOCOL({c.upper('PROTOCOL') or 'HTTP'})" for c in side.non_ipic_on_port)
        rows.append(("TCPIPSERVICE", note))
    if side.ipconn is not None:
        rows.append(("IPCONN", f"{code(side.ipconn.name or '?')} in {_csd_where(ws, side.ipconn)}, USERAUTH({side.userauth}) LINKAUTH({side.linkauth})"))
    elif side.autoinstall:
        rows.append(("IPCONN", f"autoinstalled (no predefined IPCONN matches): USERAUTH({side.userauth}) LINKAUTH({side.linkauth})"))
    else:
        rows.append(("IPCONN", "unknown"))
    table = "| | |\n|---|---|\n" + "\n".join(f"| {k} | {cell(v)} |" for k, v in rows)
    return f"**CICS side**\n\n{table}"


# ---------------------------------------------------------------------------
# CSD
# ---------------------------------------------------------------------------


def _abbr_note(written: str, full: str, abbr: str, confirmed: bool) -> str:
    note = f"Minimum abbreviation {code(abbr)}" + ("" if confirmed else " (unconfirmed)")
    if written.upper() != full:
        note = f"{code(written)} abbreviates {code(full)}. " + note
    return note + "."


def _csd_hover(spot: CsdSpot) -> HoverResult | None:
    cmd, path = spot.command, spot.file.path
    if spot.part == "verb":
        spec = cmd.spec
        if spec is None:
            return HoverResult(f"**{code(cmd.verb_written)}**\n\nDFHCSDUP has no command of this name.", path, cmd.verb_span)
        flags = []
        if spec.csdup_only:
            flags.append("DFHCSDUP only")
        if spec.ceda_only:
            flags.append("CEDA only, not accepted by DFHCSDUP")
        head = f"**{spec.name}** (command)" + (f" — {', '.join(flags)}" if flags else "")
        return HoverResult(_join([head, prose(spec.doc or ""), _abbr_note(cmd.verb_written, spec.name, spec.abbr, spec.abbr_confirmed), _doc_link(spec.link)]), path, cmd.verb_span)
    if spot.part == "resource" and cmd.resource_span is not None:
        rspec = cmd.resource_spec
        if rspec is None:
            return HoverResult(f"**{code(cmd.resource_written or '')}**\n\nzcsec does not know this resource type.", path, cmd.resource_span)
        text = _join([
            f"**{rspec.name}** (resource type) — names of at most {rspec.name_max_length} characters",
            prose(rspec.doc or ""),
            _abbr_note(cmd.resource_written or rspec.name, rspec.name, rspec.abbr, rspec.abbr_confirmed),
            _doc_link(rspec.link),
        ])
        return HoverResult(text, path, cmd.resource_span)
    if spot.part == "name" and cmd.name_span is not None:
        return HoverResult(definition_hover(spot.ws, cmd), path, cmd.name_span)
    if spot.part in ("keyword", "value") and spot.keyword is not None:
        kw = spot.keyword
        text = keyword_hover(cmd, kw.written, kw.spec, kw.resolution)
        if spot.part == "value" and kw.name == "TCPIPSERVICE" and cmd.resource_type == "IPCONN":
            svc = spot.ws.csd.tcpipservice_for(cmd)
            if svc is not None:
                text = _join([text, "Names " + _service_line(spot.ws, svc)])
            else:
                text = _join([text, f"No TCPIPSERVICE named {code((kw.value or '').strip().upper())} is defined in the workspace's CSD."])
        if spot.part == "value" and kw.name == "CIPHERS" and cmd.resource_type in tls.CICS_CIPHER_RESOURCES and kw.value:
            text = _join([text, cics_ciphers_markdown(kw.value)])
        span = kw.written_span if spot.part == "keyword" else (kw.value_span or kw.written_span)
        return HoverResult(text, path, span)
    return None


def keyword_hover(cmd: CsdCommand, written: str, spec: CsdKeywordSpec | None, resolution) -> str:
    owner = cmd.resource_type or cmd.verb or cmd.verb_written.upper()
    if spec is None:
        status = getattr(resolution, "status", "unknown")
        cands = getattr(resolution, "candidates", ())
        if status == "ambiguous" and cands:
            return f"**{code(written)}** is ambiguous for {owner}: it could be " + ", ".join(code(c) for c in cands) + "."
        return f"**{code(written)}**: zcsec does not know this keyword for {owner}."
    facts = [f"Type: {spec.type}"]
    if spec.required:
        facts.append("required")
    if spec.default is not None:
        facts.append(f"default {code(spec.default)}")
    if spec.max_length is not None:
        facts.append(f"at most {spec.max_length} characters")
    if spec.min is not None or spec.max is not None:
        facts.append(f"range {'' if spec.min is None else spec.min}..{'' if spec.max is None else spec.max}")
    if spec.releases:
        facts.append(f"CICS {spec.releases}")
    parts: list[str | None] = [f"**{spec.name}** ({owner})", " · ".join(facts)]
    if spec.values:
        parts.append("Allowed values: " + ", ".join(code(v) for v in spec.values))
    if spec.protocols:
        parts.append("Applies to PROTOCOL " + ", ".join(spec.protocols) + ".")
    if spec.doc:
        parts.append(prose(spec.doc))
    status = getattr(resolution, "status", "exact")
    note = _abbr_note(written, spec.name, spec.abbr, spec.abbr_confirmed)
    if status == "short":
        note = f"{code(written)} is shorter than the minimum abbreviation {code(spec.abbr)} of {spec.name}; DFHCSDUP may reject it."
    parts.append(note)
    if not spec.confirmed:
        parts.append("_Not confirmed in IBM documentation; treat as a hint._")
    parts.append(_doc_link(spec.link))
    return _join(parts)


def _service_attrs(svc: CsdCommand) -> str:
    bits = []
    for key, default in (("PORTNUMBER", None), ("PROTOCOL", "HTTP"), ("SSL", "NO")):
        v = svc.upper(key, default)
        if v:
            bits.append(f"{key}({v})")
    return " ".join(bits)


def _service_line(ws: Workspace, svc: CsdCommand) -> str:
    return f"TCPIPSERVICE {code(svc.name or '?')} in {_csd_where(ws, svc)} {_service_attrs(svc)}"


def _ipconn_line(ws: Workspace, ipconn: CsdCommand) -> str:
    return (
        f"IPCONN {code(ipconn.name or '?')} in {_csd_where(ws, ipconn)} "
        f"USERAUTH({ipconn.upper('USERAUTH', 'LOCAL')}) LINKAUTH({ipconn.upper('LINKAUTH', 'SECUSER')})"
    )


def definition_hover(ws: Workspace, cmd: CsdCommand) -> str:
    rtype = cmd.resource_type or (cmd.resource_written or "").upper()
    head = f"**{rtype} {code(cmd.name or '')}**" + (f" in group {code(cmd.group)}" if cmd.group else "")
    parts: list[str | None] = [head]
    if rtype == "IPCONN":
        parts.append(f"USERAUTH({cmd.upper('USERAUTH', 'LOCAL')}) LINKAUTH({cmd.upper('LINKAUTH', 'SECUSER')})" + (f" SECURITYNAME({cmd.upper('SECURITYNAME')})" if cmd.value("SECURITYNAME") else ""))
        svc = ws.csd.tcpipservice_for(cmd)
        name = cmd.value("TCPIPSERVICE")
        if svc is not None:
            parts.append("Listener: " + _service_line(ws, svc))
        elif name:
            parts.append(f"Listener: TCPIPSERVICE {code(name.upper())} is not defined in the workspace's CSD.")
        else:
            parts.append("No TCPIPSERVICE: this IPCONN accepts no inbound connections.")
    elif rtype == "TCPIPSERVICE":
        parts.append(_service_attrs(cmd))
        ipconns = ws.csd.ipconns_for_service(cmd)
        if ipconns:
            parts.append("IPCONNs using it:\n" + "\n".join(f"- {_ipconn_line(ws, c)}" for c in ipconns))
        elif (cmd.upper("PROTOCOL") or "") == "IPIC":
            urm = cmd.upper("URM", "DFHISAIP") or "DFHISAIP"
            parts.append("No IPCONN names it: partners are autoinstalled" + (f" by {code(urm)}" if urm != "NO" else " — but URM(NO) forbids autoinstall, so unknown partners are rejected") + ".")
    else:
        return _join(parts)
    linked = connections_for_csd(ws, cmd)
    if linked:
        parts.append("**z/OS Connect connections linked to it**")
        for p in linked:
            where = _where(ws, p.element.path, p.element.element.name_span, p.config.server_dir)
            parts.append(f"{code('<' + p.element.name + ' id=' + chr(34) + (p.id or '') + chr(34) + '>')} in {code(where)}\n\n" + posture_markdown(p))
    elif config_postures(ws):
        parts.append("No z/OS Connect connection in the workspace is linked to it.")
    return _join(parts)

