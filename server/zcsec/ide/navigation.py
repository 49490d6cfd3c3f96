"""Navigation in server.xml and CSD files, free of LSP types: go to
definition, find references, rename, document symbols and document links.

Every function takes the built :class:`~zcsec.workspace.Workspace`, a file
path and an offset into the text the workspace was built from, and returns
zcsec's own dataclasses with offsets (spans).  What lies under the cursor
comes from :func:`~zcsec.ide.cursor.xml_spot` and
:func:`~zcsec.ide.cursor.csd_spot`.  Nothing here raises on odd input: an
offset past the end, a file that is not part of the workspace or a
half-typed document gives ``None`` or an empty list.
"""

from __future__ import annotations

import os
import re
from dataclasses import dataclass, field

from ..catalogue import AttributeSpec
from ..csdparse import CsdCommand
from ..findings import Edit
from ..posture import CONNECTION_ELEMENTS, Posture, postures
from ..text import Span
from ..workspace import ConfigElement, CsdFile, LibertyConfig, Workspace, XmlFile, norm, ref_ids
from ..xmlparse import Attribute, Element
from .cursor import (
    CsdSpot,
    XmlSpot,
    csd_spot,
    element_map,
    is_ref_attr,
    is_ref_list,
    xml_spot,
)

# Characters an id cannot contain (a rename to such a name is refused).
_INVALID_ID = re.compile(r"[\"'<>&,\s]")


# ---------------------------------------------------------------------------
# Results
# ---------------------------------------------------------------------------


@dataclass(frozen=True, slots=True)
class Location:
    path: str
    span: Span


@dataclass(slots=True)
class Symbol:
    name: str
    detail: str | None
    kind: str  # connection, credentials, tls, keystore, registry, authorization, security, include, element, definition, command
    span: Span
    selection_span: Span
    children: list["Symbol"] = field(default_factory=list)


@dataclass(frozen=True, slots=True)
class Link:
    span: Span
    target: str  # a file path


class RenameError(ValueError):
    """The new name cannot be used (the message says why)."""


# ---------------------------------------------------------------------------
# References inside a configuration
# ---------------------------------------------------------------------------


def ref_types_of(aspec: AttributeSpec | None) -> tuple[str, ...]:
    """The element types a reference attribute may name (empty: any)."""
    return tuple(aspec.ref_types) if aspec is not None else ()


@dataclass(slots=True)
class RefUse:
    ce: ConfigElement
    attr: Attribute
    aspec: AttributeSpec | None
    ident: str
    span: Span
    exact: bool  # False when the id comes from a ${variable} (the span is then the whole value)


def all_refs(cfg: LibertyConfig) -> list[RefUse]:
    cached = cfg.cache.get("ide.refs")
    if cached is not None:
        return cached
    out: list[RefUse] = []
    for ce in cfg.elements:
        for attr in ce.element.attributes:
            aspec = ce.spec.attribute(attr.name) if ce.spec is not None else None
            if not is_ref_attr(aspec, attr.name):
                continue
            vs, ve = attr.value_span
            raw = ce.file.text[vs:ve]
            if "${" in raw:
                resolved = cfg.resolve(attr.value)
                if resolved is not None:
                    for ident, _ in ref_ids(resolved, is_ref_list(aspec, resolved)):
                        out.append(RefUse(ce, attr, aspec, ident, (vs, ve), False))
                continue
            for ident, off in ref_ids(raw, is_ref_list(aspec, raw)):
                out.append(RefUse(ce, attr, aspec, ident, (vs + off, vs + off + len(ident)), True))
    cfg.cache["ide.refs"] = out
    return out


def _compatible(ref_types: tuple[str, ...], types: set[str]) -> bool:
    return not ref_types or not types or bool(set(ref_types) & types)


def id_span(ce: ConfigElement) -> Span:
    """The span of an element's id value (its name when it has no id)."""
    attr = ce.element.get("id")
    if attr is None:
        return ce.element.name_span
    vs, ve = attr.value_span
    raw = ce.file.text[vs:ve]
    stripped = raw.strip()
    if not stripped:
        return (vs, ve)
    start = vs + raw.find(stripped)
    return (start, start + len(stripped))


@dataclass(slots=True)
class IdTarget:
    """An id under the cursor, the element types it stands for, and where it is declared."""

    ident: str
    types: set[str]
    declarations: list[ConfigElement]


def id_target(spot: XmlSpot) -> IdTarget | None:
    tok = spot.token
    if tok is None:
        return None
    cfg = spot.cfg
    if tok.kind == "id":
        types = {spot.element.name}
        return IdTarget(tok.text, types, cfg.find(tok.text, types))
    if tok.kind == "ref":
        types = set(ref_types_of(spot.aspec))
        decls = cfg.find(tok.text, types) if types else cfg.find(tok.text)
        return IdTarget(tok.text, types, decls)
    return None


def ref_targets(cfg: LibertyConfig, ident: str, aspec: AttributeSpec | None) -> tuple[list[ConfigElement], bool]:
    """Elements an id in a ref value points at, and whether they have an accepted type."""
    types = ref_types_of(aspec)
    typed = cfg.find(ident, types) if types else cfg.find(ident)
    if typed:
        return typed, True
    return cfg.find(ident), False


# ---------------------------------------------------------------------------
# CICS links
# ---------------------------------------------------------------------------


def config_postures(ws: Workspace) -> list[Posture]:
    out: list[Posture] = []
    for cfg in ws.configs:
        try:
            out.extend(postures(ws, cfg))
        except Exception:  # noqa: BLE001 - a broken configuration must not break navigation
            continue
    return out


def posture_of(ws: Workspace, cfg: LibertyConfig, el: Element) -> Posture | None:
    try:
        found = postures(ws, cfg)
    except Exception:  # noqa: BLE001
        return None
    return next((p for p in found if p.element.element is el), None)


def connections_for_csd(ws: Workspace, cmd: CsdCommand) -> list[Posture]:
    """z/OS Connect connections whose CICS end is this TCPIPSERVICE or IPCONN."""
    out = []
    for p in config_postures(ws):
        side = p.cics
        if side is None:
            continue
        if side.ipconn is cmd or side.service is cmd or any(s is cmd for s in side.services_on_port):
            out.append(p)
    return out


def _csd_location(ws: Workspace, cmd: CsdCommand) -> Location | None:
    path = ws.csd.path_of(cmd)
    if path is None:
        return None
    return Location(path, cmd.name_span or cmd.verb_span)


def _tcpipservice_targets(ws: Workspace, ipconn: CsdCommand) -> list[CsdCommand]:
    best = ws.csd.tcpipservice_for(ipconn)
    return [best] if best is not None else []


def _service_name_at(spot: CsdSpot) -> str | None:
    """The TCPIPSERVICE name under the cursor: a definition's name or an IPCONN's TCPIPSERVICE value."""
    cmd = spot.command
    if spot.part == "name" and cmd.resource_type == "TCPIPSERVICE" and cmd.name:
        return cmd.name.upper()
    if spot.part in ("keyword", "value") and spot.keyword is not None and spot.keyword.name == "TCPIPSERVICE" and cmd.resource_type == "IPCONN":
        v = (spot.keyword.value or "").strip()
        return v.upper() or None
    return None


# ---------------------------------------------------------------------------
# Go to definition
# ---------------------------------------------------------------------------


def definition(ws: Workspace, path: str, offset: int) -> list[Location]:
    try:
        return _definition(ws, path, offset)
    except Exception:  # noqa: BLE001 - navigation never fails a request
        return []


def _definition(ws: Workspace, path: str, offset: int) -> list[Location]:
    spot = xml_spot(ws, path, offset)
    if spot is not None:
        return _xml_definition(spot)
    cspot = csd_spot(ws, path, offset)
    if cspot is not None:
        cmd = cspot.command
        if cmd.resource_type == "IPCONN" and cspot.keyword is not None and cspot.keyword.name == "TCPIPSERVICE":
            return [loc for loc in (_csd_location(ws, c) for c in _tcpipservice_targets(ws, cmd)) if loc]
    return []


def _xml_definition(spot: XmlSpot) -> list[Location]:
    cfg, tok, attr = spot.cfg, spot.token, spot.attr
    if spot.part != "attr-value" or attr is None:
        return []
    if tok is not None and tok.kind == "var":
        var = cfg.variables.get(tok.text)
        if var is not None and var.path and var.span is not None:
            return [Location(var.path, var.span)]
        return []
    if tok is not None and tok.kind == "ref":
        found, _ = ref_targets(cfg, tok.text, spot.aspec)
        return [Location(ce.path, id_span(ce)) for ce in found]
    if is_ref_attr(spot.aspec, attr.name) and "${" in attr.value:
        resolved = cfg.resolve(attr.value)
        out: list[Location] = []
        for ident, _ in ref_ids(resolved or "", is_ref_list(spot.aspec, resolved or "")):
            found, _ = ref_targets(cfg, ident, spot.aspec)
            out.extend(Location(ce.path, id_span(ce)) for ce in found)
        return out
    el = spot.element
    if el.name == "include" and attr.name == "location" and spot.ce is not None and spot.ce.parent is None:
        target = include_target(cfg, spot.file, el)
        return [Location(target, (0, 0))] if target else []
    if el.name == "zosconnect_cicsIpicConnection" and attr.name in ("port", "zosConnectApplid", "zosConnectNetworkid"):
        p = posture_of(spot.ws, cfg, el)
        if p is None or p.cics is None:
            return []
        if attr.name == "port":
            cmds = p.cics.services_on_port or p.cics.non_ipic_on_port
        elif p.cics.ipconn is not None:
            cmds = [p.cics.ipconn]
        else:
            applid = cfg.resolve(el.value("zosConnectApplid") or "") or ""
            cmds = spot.ws.csd.ipconns_by_applid(applid.strip(), None) if applid.strip() else []
        return [loc for loc in (_csd_location(spot.ws, c) for c in cmds) if loc]
    return []


def include_target(cfg: LibertyConfig, f: XmlFile, el: Element) -> str | None:
    """The file an <include> names, when it resolves to an existing file."""
    for link in cfg.includes:
        if link.element is el and link.file is f:
            t = link.target
            if t and (os.path.isfile(t) or t in cfg.files):
                return t
            return None
    return None


# ---------------------------------------------------------------------------
# Find references
# ---------------------------------------------------------------------------


def references(ws: Workspace, path: str, offset: int, include_declaration: bool = True) -> list[Location]:
    try:
        return _references(ws, path, offset, include_declaration)
    except Exception:  # noqa: BLE001
        return []


def _references(ws: Workspace, path: str, offset: int, include_declaration: bool) -> list[Location]:
    spot = xml_spot(ws, path, offset)
    if spot is not None:
        target = id_target(spot)
        if target is None:
            return []
        out: list[Location] = []
        if include_declaration:
            out.extend(Location(ce.path, id_span(ce)) for ce in target.declarations)
        for use in id_uses(spot.cfg, target):
            out.append(Location(use.ce.path, use.span))
        return _dedupe(out)
    cspot = csd_spot(ws, path, offset)
    if cspot is None:
        return []
    name = _service_name_at(cspot)
    if name is not None:
        return _dedupe(_service_references(ws, name, include_declaration))
    cmd = cspot.command
    if cspot.part == "name" and cmd.resource_type == "IPCONN":
        declared = _csd_location(ws, cmd)
        out = [declared] if include_declaration and declared is not None else []
        for p in connections_for_csd(ws, cmd):
            attr = p.element.element.get("zosConnectApplid")
            out.append(Location(p.element.path, attr.value_span if attr is not None else p.element.element.name_span))
        return _dedupe([loc for loc in out if loc])
    return []


def id_uses(cfg: LibertyConfig, target: IdTarget) -> list[RefUse]:
    return [u for u in all_refs(cfg) if u.ident == target.ident and _compatible(ref_types_of(u.aspec), target.types)]


def _service_references(ws: Workspace, name: str, include_declaration: bool) -> list[Location]:
    services = ws.csd.named("TCPIPSERVICE", name)
    out: list[Location] = []
    if include_declaration:
        out.extend(loc for loc in (_csd_location(ws, s) for s in services) if loc)
    for ipconn in ws.csd.of_type("IPCONN"):
        kw = ipconn.get("TCPIPSERVICE")
        if kw is not None and kw.upper == name:
            p = ws.csd.path_of(ipconn)
            if p is not None:
                out.append(Location(p, kw.value_span or kw.written_span))
    seen: set[int] = set()
    for s in services:
        for posture in connections_for_csd(ws, s):
            if id(posture.element) in seen:
                continue
            seen.add(id(posture.element))
            attr = posture.element.element.get("port")
            out.append(Location(posture.element.path, attr.value_span if attr is not None else posture.element.element.name_span))
    return out


def _dedupe(locs: list[Location]) -> list[Location]:
    seen: set[Location] = set()
    out = []
    for loc in locs:
        if loc not in seen:
            seen.add(loc)
            out.append(loc)
    return out


# ---------------------------------------------------------------------------
# Rename
# ---------------------------------------------------------------------------


def prepare_rename(ws: Workspace, path: str, offset: int) -> tuple[Span, str] | None:
    """The span and current text of the id under the cursor, or None when nothing renameable is there."""
    try:
        spot = xml_spot(ws, path, offset)
    except Exception:  # noqa: BLE001
        return None
    if spot is None or spot.token is None or spot.token.kind not in ("id", "ref"):
        return None
    return spot.token.span, spot.token.text


def check_new_name(new_name: str) -> None:
    if not new_name or not new_name.strip():
        raise RenameError("an id cannot be empty")
    bad = _INVALID_ID.search(new_name)
    if bad is not None:
        ch = bad.group(0)
        what = "blanks" if ch.isspace() else f"'{ch}'"
        raise RenameError(f"an id cannot contain {what}: choose a name of letters, digits and characters such as - _ .")


def rename(ws: Workspace, path: str, offset: int, new_name: str) -> dict[str, list[Edit]] | None:
    """Edits per file that rename the id under the cursor and every reference
    to it in the merged configuration; None when nothing renameable is there.
    Raises RenameError for an unusable new name."""
    try:
        spot = xml_spot(ws, path, offset)
    except Exception:  # noqa: BLE001
        return None
    if spot is None:
        return None
    target = id_target(spot)
    if target is None:
        return None
    check_new_name(new_name)
    edits: dict[str, list[Edit]] = {}
    spans: set[tuple[str, Span]] = set()

    def add(p: str, span: Span) -> None:
        if (p, span) in spans:
            return
        spans.add((p, span))
        edits.setdefault(p, []).append(Edit(p, span, new_name))

    if spot.token is not None and spot.token.kind == "id":
        add(spot.file.path, spot.token.span)
    for ce in target.declarations:
        attr = ce.element.get("id")
        if attr is not None and "${" not in attr.value:
            add(ce.path, id_span(ce))
    for use in id_uses(spot.cfg, target):
        if use.exact:
            add(use.ce.path, use.span)
    for lst in edits.values():
        lst.sort(key=lambda e: e.span)
    return edits


# ---------------------------------------------------------------------------
# Document symbols and links
# ---------------------------------------------------------------------------

_ROLE_KIND = {
    "connection": "connection",
    "credentials": "credentials",
    "tls": "tls",
    "keystore": "keystore",
    "registry": "registry",
    "authorization": "authorization",
}


def document_symbols(ws: Workspace, path: str) -> list[Symbol]:
    try:
        p = norm(path)
        cfg = ws.config_for(p)
        if cfg is not None and p in cfg.files:
            return _xml_symbols(ws, cfg, p)
        if p in ws.csd.files:
            return _csd_symbols(ws, ws.csd.files[p])
    except Exception:  # noqa: BLE001
        return []
    return []


def _xml_kind(ce: ConfigElement) -> str | None:
    if ce.name in CONNECTION_ELEMENTS or (ce.name == "connectionFactory"):
        return "connection"
    if ce.name == "include":
        return "include"
    spec = ce.spec
    if spec is None:
        return None
    if spec.role in _ROLE_KIND:
        return _ROLE_KIND[spec.role]
    if spec.provider == "security":
        return "security"
    return None


def _symbol_name(ce: ConfigElement) -> str:
    ident = ce.id
    if ce.name == "include":
        loc = ce.element.value("location")
        return f"include {loc}" if loc else "include"
    return f"{ce.name} {ident}" if ident else ce.name


def _xml_detail(ws: Workspace, cfg: LibertyConfig, ce: ConfigElement, kind: str) -> str | None:
    if kind == "connection":
        p = posture_of(ws, cfg, ce.element)
        if p is not None:
            return f"{p.provider_name} → {p.target} · transport {p.transport} · identity {p.identity}"
        return "connection"
    if kind == "include":
        return "optional" if (ce.element.value("optional") or "").strip().lower() == "true" else None
    spec = ce.spec
    if spec is None:
        return None
    parts = [x for x in (spec.provider, spec.role) if x]
    return " · ".join(parts) or None


def _xml_symbols(ws: Workspace, cfg: LibertyConfig, path: str) -> list[Symbol]:
    out = []
    for ce in cfg.top:
        if ce.path != path:
            continue
        kind = _xml_kind(ce)
        if kind is None:
            continue
        if ce.name == "connectionFactory" and posture_of(ws, cfg, ce.element) is None:
            kind = "element"
        out.append(_xml_symbol(ws, cfg, ce, kind))
    return out


# Outline levels: deeper elements are left out of the outline.  Real
# configurations nest a few levels; a hostile file nests thousands, which
# would exhaust the recursion here and when the outline is sent as JSON.
MAX_SYMBOL_DEPTH = 64


def _xml_symbol(ws: Workspace, cfg: LibertyConfig, ce: ConfigElement, kind: str, depth: int = 0) -> Symbol:
    emap = element_map(cfg)
    children = []
    for child in ce.element.children if depth < MAX_SYMBOL_DEPTH else ():
        cce = emap.get(id(child))
        if cce is None:
            continue
        ckind = _xml_kind(cce) or "element"
        children.append(_xml_symbol(ws, cfg, cce, ckind, depth + 1))
    return Symbol(_symbol_name(ce), _xml_detail(ws, cfg, ce, kind), kind, ce.element.span, ce.element.name_span, children)


_CSD_DETAIL = {
    "TCPIPSERVICE": ("PORTNUMBER", "PROTOCOL", "SSL"),
    "IPCONN": ("TCPIPSERVICE", "APPLID", "USERAUTH", "LINKAUTH"),
}


def _csd_symbols(ws: Workspace, f: CsdFile) -> list[Symbol]:
    out = []
    for cmd in f.doc.commands:
        verb = cmd.verb or cmd.verb_written.upper()
        if cmd.resource_written is not None:
            rtype = cmd.resource_type or cmd.resource_written.upper()
            name = f"{verb} {rtype}({cmd.name or ''})"
            kind = "definition"
            parts = []
            if cmd.group:
                parts.append(f"GROUP({cmd.group})")
            for key in _CSD_DETAIL.get(rtype, ()):
                v = cmd.value(key)
                if v:
                    parts.append(f"{key}({v.upper()})")
            detail = " ".join(parts) or None
            selection = cmd.name_span if cmd.name_span is not None else cmd.verb_span
        else:
            ops = [f"{kw.name or kw.written.upper()}({(kw.value or '').strip()})" if kw.value is not None else (kw.name or kw.written.upper()) for kw in cmd.keywords[:2]]
            name = " ".join([verb, *ops])
            kind = "command"
            detail = None
            selection = cmd.verb_span
        span = cmd.span
        if not (span[0] <= selection[0] and selection[1] <= span[1]):
            selection = cmd.verb_span
        out.append(Symbol(name, detail, kind, span, selection))
    return out


def document_links(ws: Workspace, path: str) -> list[Link]:
    try:
        p = norm(path)
        cfg = ws.config_for(p)
        if cfg is None:
            return []
        out = []
        for link in cfg.includes:
            if link.file.path != p or link.target is None:
                continue
            if not (os.path.isfile(link.target) or link.target in cfg.files):
                continue
            attr = link.element.get("location")
            if attr is None:
                continue
            vs, ve = attr.value_span
            raw = link.file.text[vs:ve]
            stripped = raw.strip()
            start = vs + raw.find(stripped) if stripped else vs
            out.append(Link((start, start + len(stripped)), link.target))
        return out
    except Exception:  # noqa: BLE001
        return []
