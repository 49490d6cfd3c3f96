"""Completion sources for server.xml.

:func:`complete_xml` asks :func:`~zcsec.ide.cursor.xml_context` what kind of
position the cursor is at, then lets the source the ``_SOURCES`` table (at the
end of this module) names for that kind add its items:

* ``element``: the elements valid under the enclosing element, and whole
  security set-ups as snippets directly under ``<server>``;
* ``end-tag``: the name of the element to close;
* ``attribute``: the attributes the element does not have yet;
* ``value``: enum and boolean values, the ids a ``*Ref`` attribute may name
  (across the merged configuration), values that match the CICS side (IPIC
  ports, IPCONN APPLIDs and NETWORKIDs) and the default;
* ``variable``: the ``${variables}`` of the configuration;
* ``text``: feature names inside ``<feature>``, elements elsewhere.

Secret values are never suggested, and the values of variables that look
secret are not shown.
"""

from __future__ import annotations

import re
from collections.abc import Callable
from dataclasses import dataclass
from pathlib import Path

from ..catalogue import AttributeSpec, ElementSpec, LibertyCatalogue
from ..csdparse import CsdCommand
from ..posture import is_encoded
from ..secrecy import is_secret_attr, looks_secret, secret_variables
from ..text import Span
from ..workspace import LibertyConfig, Workspace, XmlFile
from .cursor import XmlContext, clamp, ref_list_item, xml_context
from .items import (
    ATTRIBUTE,
    ELEMENT,
    END_TAG,
    ENUM,
    FEATURE,
    REFERENCE,
    SNIPPET,
    VALUE,
    VARIABLE,
    CompletionResult,
    Items,
    csd_summary,
    first_sentence,
    md,
)
from .snippets import choice_escape, preview, snippets

# Providers that do not make an element or snippet more likely to be wanted.
_GENERIC_PROVIDERS = {None, "liberty", "security", "other"}

# A trigger character only asks for completion at the kinds of position it
# starts; "(" starts none in server.xml.  Other triggers are not filtered.
_TRIGGER_KINDS = {"<": ("element",), " ": ("attribute",), '"': ("value",), "'": ("value",), "{": ("variable",), ":": ("text",), "(": ()}


@dataclass(slots=True)
class _XmlEnv:
    ws: Workspace
    cfg: LibertyConfig | None
    file: XmlFile
    lib: LibertyCatalogue
    snippet_support: bool
    enabled: set[str]  # lower-case feature names
    providers: set[str]  # providers with an enabled feature
    product_line: str | None
    trigger: str | None  # the character that asked for completion, None when invoked


def _env(ws: Workspace, cfg: LibertyConfig | None, f: XmlFile, snippet_support: bool, trigger: str | None) -> _XmlEnv:
    lib = ws.catalogue.liberty
    enabled = set(cfg.features) if cfg is not None else set()
    providers: set[str] = set()
    for name, info in lib.features.items():
        provider = info.get("provider")
        if name.lower() in enabled and provider is not None and provider not in _GENERIC_PROVIDERS:
            providers.add(provider)
    line = ws.project.product_line
    if line is None and cfg is not None:
        if cfg.has_feature("zosconnect:zosConnect-3.0"):
            line = "OA3"
        elif cfg.has_feature("zosconnect:zosConnect-2.0"):
            line = "OA2"
    return _XmlEnv(ws, cfg, f, lib, snippet_support, enabled, providers, line, trigger)


def _resolve(lib: LibertyCatalogue, names: list[str]) -> tuple[str, ElementSpec | None]:
    """('root', None) outside any element, ('top', None) directly in
    <server>, ('spec', spec) inside a known element, ('unknown', None)."""
    if not names:
        return "root", None
    if names[0] != "server":
        return "unknown", None
    spec: ElementSpec | None = None
    for name in names[1:]:
        if spec is None:
            nxt = lib.element(name) or lib.element(lib.canonical_name(name) or "")
        else:
            nxt = spec.child(name)
            if nxt is None and f"{name[:1].lower()}{name[1:]}Ref" in spec.attributes:
                nxt = lib.element(name)  # a referenced element nested in place of its *Ref
        if nxt is None:
            return "unknown", None
        spec = nxt
    return ("top", None) if spec is None else ("spec", spec)


# -- elements -------------------------------------------------------------------


_SPEC_FACTS: dict[int, tuple[ElementSpec, bool, str | None]] = {}


def _spec_facts(spec: ElementSpec) -> tuple[bool, str | None]:
    """(whether the element is normally written with children, its
    documentation), computed once per catalogue element."""
    cached = _SPEC_FACTS.get(id(spec))
    if cached is not None and cached[0] is spec:
        return cached[1], cached[2]
    real = [c for c in spec.child_names if f"{c[:1].lower()}{c[1:]}Ref" not in spec.attributes]
    plain_attrs = [a for a, s in spec.attributes.items() if s.type not in ("ref", "refList")]
    container = bool(real) and (any(c.startswith("properties.") for c in real) or len(plain_attrs) <= 2)
    extra = []
    if spec.features:
        extra.append("Enabled by: " + ", ".join(f"`{x}`" for x in spec.features))
    required = [a for a, s in spec.attributes.items() if s.required]
    if required:
        extra.append("Required attributes: " + ", ".join(f"`{a}`" for a in required))
    if spec.link:
        extra.append(f"[Documentation]({spec.link})")
    doc = md(spec.doc, "  \n".join(extra) if extra else None)
    if len(_SPEC_FACTS) > 4096:
        _SPEC_FACTS.clear()
    _SPEC_FACTS[id(spec)] = (spec, container, doc)
    return container, doc


def _is_container(spec: ElementSpec) -> bool:
    """Whether an element is normally written with content (children)."""
    return _spec_facts(spec)[0]


def _element_rank(env: _XmlEnv, spec: ElementSpec) -> int:
    feats = {x.lower() for x in spec.features}
    if feats & env.enabled or (spec.provider is not None and spec.provider in env.providers):
        return 0
    if spec.provider in ("security", "liberty"):
        return 2
    if spec.provider is not None:
        return 4
    return 5


def _element_doc(env: _XmlEnv, spec: ElementSpec | None) -> str | None:
    return _spec_facts(spec)[1] if spec is not None else None


def _element_insert(env: _XmlEnv, name: str, spec: ElementSpec | None, rest_is_free: bool) -> tuple[str, bool]:
    if not env.snippet_support or not rest_is_free:
        return name, False
    parts = [name]
    n = 0
    if spec is not None:
        for aname, aspec in spec.attributes.items():
            if aspec.required:
                n += 1
                parts.append(f' {aname}="${{{n}}}"')
    head = "".join(parts)
    if spec is not None and spec.text not in ("none", None) and not spec.child_names:
        return f"{head}>${{{n + 1}}}</{name}>$0", True
    if spec is not None and _is_container(spec):
        return f"{head}>\n\t$0\n</{name}>", True
    return f"{head}$0/>", True


def _element_items(env: _XmlEnv, ctx: XmlContext, items: Items, in_text: bool) -> None:
    state, parent = _resolve(env.lib, ctx.names)
    text = items.text
    if in_text:
        rest_is_free = True
    else:
        after = text[ctx.end : items.line[1]]
        rest_is_free = after.strip() == "" or after.lstrip().startswith("<")
    # After a typed "<", the items replace it too and are filtered with it:
    # editors that count "<" as part of the word (Emacs nxml-mode) match
    # what is typed against the filter text, as HTML servers arrange it.
    typed_lt = not in_text and ctx.tag_start is not None and text.startswith("<", ctx.tag_start) and ctx.tag_start + 1 == ctx.start
    lt = "<" if in_text or typed_lt else ""
    span = (ctx.tag_start, ctx.end) if typed_lt and ctx.tag_start is not None else (ctx.start, ctx.end)
    candidates: list[tuple[str, ElementSpec | None]] = []
    if state == "root":
        if env.file.doc.root is None or env.file.doc.root is ctx.tag_element:
            candidates.append(("server", None))
    elif state == "top":
        present = set()
        if env.cfg is not None:
            present = {ce.name for ce in env.cfg.top if ce.element is not ctx.tag_element}
        for name in env.lib.element_names:
            spec = env.lib.element(name)
            if spec is not None and spec.singleton and name in present:
                continue
            candidates.append((name, spec))
    elif state == "spec" and parent is not None:
        for name in parent.child_names:
            candidates.append((name, parent.child(name)))
    for name, spec in candidates:
        insert, is_snippet = _element_insert(env, name, spec, rest_is_free)
        if name == "server" and spec is None and env.snippet_support and rest_is_free:
            insert, is_snippet = "server>\n\t$0\n</server>", True
        rank = _element_rank(env, spec) if state == "top" and spec is not None else 0
        detail = first_sentence(spec.doc) if spec is not None else "root element of a Liberty configuration file"
        items.add(
            name,
            ELEMENT,
            span,
            lt + insert,
            snippet=is_snippet,
            rank=rank,
            detail=detail,
            documentation=_element_doc(env, spec),
            filter_text=("<" if typed_lt else "") + name,
        )
    if state == "top" and env.snippet_support and rest_is_free:
        _snippet_items(env, ctx, items, in_text)


def _snippet_items(env: _XmlEnv, ctx: XmlContext, items: Items, in_text: bool) -> None:
    start = ctx.start if in_text else (ctx.tag_start if ctx.tag_start is not None else ctx.start)
    typed = items.text[start : items.offset]
    for sn in snippets(tuple(str(p) for p in env.ws.project.schema_dirs)):
        if env.product_line and sn.product_line and sn.product_line != env.product_line:
            continue
        enabled = sn.provider in env.providers or any(
            x.lower() in env.enabled and env.lib.features.get(x, {}).get("provider") == sn.provider for x in sn.features
        )
        elements = " ".join(dict.fromkeys(re.findall(r"<([A-Za-z_][\w.\-]*)", sn.body)))
        shown = preview(sn.body)
        items.add(
            sn.label,
            SNIPPET,
            (start, ctx.end),
            sn.body,
            snippet=True,
            rank=1 if enabled else 3,
            detail=sn.description,
            documentation=md(
                "Features: " + ", ".join(f"`{x}`" for x in sn.features) if sn.features else None,
                f"```xml\n{shown}\n```",
            ),
            filter_text=("<" if typed.startswith("<") else "") + f"{sn.provider} {sn.label} {elements}",
        )


# -- attributes -----------------------------------------------------------------


def _attr_detail(aspec: AttributeSpec) -> str:
    kind = aspec.type
    if aspec.type in ("ref", "refList") and aspec.ref_types:
        kind = f"{'reference' if aspec.type == 'ref' else 'references'} to " + " or ".join(f"<{t}>" for t in aspec.ref_types)
    parts = [kind]
    if aspec.required:
        parts.append("required")
    if aspec.default and not aspec.secret:
        parts.append(f"default {aspec.default}")
    if aspec.deprecated:
        parts.append("deprecated")
    return " · ".join(parts)


def _attr_doc(aspec: AttributeSpec) -> str | None:
    extra = []
    if aspec.values:
        extra.append("Values: " + ", ".join(f"`{v}`" for v in aspec.values))
    if aspec.deprecated:
        extra.append(f"Deprecated: {aspec.deprecated}")
    if aspec.secret:
        extra.append("A secret: encode it with `securityUtility encode --encoding=aes`.")
    if not aspec.confirmed:
        extra.append("Not confirmed against IBM's reference.")
    if aspec.link:
        extra.append(f"[Documentation]({aspec.link})")
    return md(aspec.doc, "  \n".join(extra) if extra else None)


def _has_value_help(env: _XmlEnv, tag: str, aspec: AttributeSpec) -> bool:
    if aspec.type in ("ref", "refList", "enum", "boolean") or aspec.values:
        return True
    return (tag, aspec.name) in _CROSS_SIDE


def _attribute_items(env: _XmlEnv, ctx: XmlContext, items: Items) -> None:
    state, spec = _resolve(env.lib, ctx.names + [ctx.tag or ""])
    if state != "spec" or spec is None:
        return
    present = {a.lower() for a in ctx.present}
    text = items.text
    j = ctx.end
    while j < len(text) and text[j] in " \t":
        j += 1
    has_value = text.startswith("=", j)
    for aname, aspec in spec.attributes.items():
        if aname.lower() in present:
            continue
        if aspec.required:
            rank = 0
        elif aname == "id":
            rank = 1
        elif aspec.deprecated:
            rank = 4
        else:
            rank = 2
        if has_value:
            insert, is_snippet = aname, False
        elif env.snippet_support:
            if aspec.type == "boolean" or (aspec.type == "enum" and aspec.values):
                choices = list(aspec.values) if aspec.type == "enum" else ["true", "false"]
                if aspec.default in choices:
                    choices.remove(aspec.default)
                    choices.insert(0, aspec.default)
                escaped = ",".join(choice_escape(c) for c in choices)
                insert = f'{aname}="${{1|{escaped}|}}"$0'
            else:
                insert = f'{aname}="$1"$0'
            is_snippet = True
        else:
            insert, is_snippet = f'{aname}=""', False
        items.add(
            aname,
            ATTRIBUTE,
            (ctx.start, ctx.end),
            insert,
            snippet=is_snippet,
            rank=rank,
            detail=_attr_detail(aspec),
            documentation=_attr_doc(aspec),
            retrigger=is_snippet and aspec.type not in ("boolean", "enum") and _has_value_help(env, spec.name, aspec),
            deprecated=bool(aspec.deprecated),
        )


# -- values ----------------------------------------------------------------------


_CROSS_SIDE = {
    ("zosconnect_cicsIpicConnection", "port"): "port",
    ("zosconnect_cicsIpicConnection", "zosConnectApplid"): "applid",
    ("zosconnect_cicsIpicConnection", "zosConnectNetworkid"): "networkid",
}


def _value_items(env: _XmlEnv, ctx: XmlContext, items: Items) -> None:
    state, spec = _resolve(env.lib, ctx.names + [ctx.tag or ""])
    if state != "spec" or spec is None or ctx.attribute is None:
        return
    aspec = spec.attribute(ctx.attribute)
    if aspec is None:
        lower = {a.lower(): s for a, s in spec.attributes.items()}
        aspec = lower.get(ctx.attribute.lower())
    if aspec is None:
        return
    if is_secret_attr(None, aspec.name, aspec):
        return  # never suggest (or show) secret values
    text = items.text
    quote = ctx.quote
    wrap = (lambda v: v) if quote else (lambda v: f'"{v}"')
    span = (ctx.start, ctx.end)
    if aspec.type == "refList" and ctx.value_start is not None:
        span = ref_list_item(text, ctx.value_start, ctx.value_end, items.offset)
    if aspec.type in ("ref", "refList"):
        _ref_items(env, ctx, items, aspec, span, wrap)
    elif aspec.type == "boolean":
        for v in ("true", "false"):
            items.add(v, ENUM, span, wrap(v), rank=0 if v == aspec.default else 1, detail="default" if v == aspec.default else None)
    elif aspec.values:
        for i, v in enumerate(aspec.values):
            items.add(v, ENUM, span, wrap(v), rank=0 if v == aspec.default else 1, key=f"{i:03d}", detail="default" if v == aspec.default else None)
    cross = _CROSS_SIDE.get((spec.name, aspec.name))
    if cross:
        _cics_items(env, ctx, items, cross, span, wrap)
    if aspec.default and aspec.type not in ("boolean", "enum", "ref", "refList"):
        items.add(aspec.default, VALUE, span, wrap(aspec.default), rank=3, detail="default value")


def _summary(env: _XmlEnv, ce) -> str:
    """A short, secret-free description of a configuration element."""
    parts = []
    for a in ce.element.attributes:
        if a.name == "id":
            continue
        aspec = ce.spec.attribute(a.name) if ce.spec is not None else None
        if is_secret_attr(ce, a.name, aspec) or is_encoded(a.value):
            parts.append(f"{a.name}=(secret)")
        else:
            v = a.value if len(a.value) <= 60 else a.value[:57] + "..."
            parts.append(f'{a.name}="{v}"')
    return f"<{ce.name} id=\"{ce.id}\"" + ("" if not parts else " " + " ".join(parts)) + ">"


def _ref_items(env: _XmlEnv, ctx: XmlContext, items: Items, aspec: AttributeSpec, span: Span, wrap) -> None:
    cfg = env.cfg
    if cfg is None:
        return
    wanted = set(aspec.ref_types)
    listed = set()
    if aspec.type == "refList":
        listed = {x.strip() for x in items.text[ctx.value_start : ctx.value_end or ctx.value_start].split(",") if x.strip()}
        listed.discard(items.text[span[0] : span[1]].strip())
    own = ctx.tag_element.value("id") if ctx.tag_element is not None else None
    seen = set()
    names: dict[str, str] = {}  # file name by path
    for ce in cfg.of_type(*sorted(wanted)):  # the elements of those types, in the order of the configuration
        ident = ce.id
        if not ident or ident in listed or ident in seen:
            continue
        if ident == own and ce.element is ctx.tag_element:
            continue
        seen.add(ident)
        index = ce.file.index
        line = index.position(ce.element.start).line + 1
        name = names.get(ce.path)
        if name is None:
            name = names[ce.path] = Path(ce.path).name
        where = f"{name}:{line}"
        same_file = ce.file is env.file
        items.add(
            ident,
            REFERENCE,
            span,
            wrap(ident),
            rank=0 if same_file else 1,
            detail=f"<{ce.name}> in {where}",
            documentation=md(f"```xml\n{_summary(env, ce)}\n```", f"Defined in `{ce.path}` line {line}."),
        )
    if "ssl" in wanted and "defaultSSLConfig" not in seen and "defaultSSLConfig" not in listed:
        if cfg.find("defaultKeyStore", ["keyStore"]) or cfg.has_feature("transportSecurity-1.0", "ssl-1.0"):
            items.add(
                "defaultSSLConfig",
                REFERENCE,
                span,
                wrap("defaultSSLConfig"),
                rank=2,
                detail="<ssl> built in by Liberty",
                documentation="The SSL configuration Liberty builds from the keyStore with id `defaultKeyStore`.",
            )


def _cics_items(env: _XmlEnv, ctx: XmlContext, items: Items, what: str, span: Span, wrap) -> None:
    csd = env.ws.csd
    if what == "port":
        by_port: dict[str, list[CsdCommand]] = {}
        for svc in csd.ipic_services():
            port = svc.value("PORTNUMBER")
            if port:
                by_port.setdefault(port.strip(), []).append(svc)
        for port, svcs in sorted(by_port.items()):
            names = ", ".join(sorted({(s.name or "?").upper() for s in svcs}))
            docs = [csd_summary(env.ws, s, ("PORTNUMBER", "PROTOCOL", "SSL", "CERTIFICATE", "URM")) for s in svcs]
            items.add(port, VALUE, span, wrap(port), rank=0, detail=f"TCPIPSERVICE {names}", documentation=md(*docs))
        return
    applid_set = ctx.tag_element.value("zosConnectApplid") if ctx.tag_element is not None else None
    for conn in csd.of_type("IPCONN"):
        if what == "applid":
            value = conn.value("APPLID") or conn.name
        else:
            value = conn.value("NETWORKID")
        if not value:
            continue
        value = value.strip().upper()
        userauth = conn.upper("USERAUTH", "LOCAL")
        matches = applid_set is not None and (conn.value("APPLID") or conn.name or "").upper() == applid_set.strip().upper()
        rank = 0 if (what == "networkid" and matches) or (what == "applid" and userauth == "IDENTIFY") else 1
        items.add(
            value,
            VALUE,
            span,
            wrap(value),
            rank=rank,
            detail=f"IPCONN {(conn.name or '?').upper()} · USERAUTH({userauth})",
            documentation=csd_summary(env.ws, conn, ("APPLID", "NETWORKID", "TCPIPSERVICE", "LINKAUTH", "USERAUTH", "IDPROP", "SSL")),
        )


def _variable_items(env: _XmlEnv, ctx: XmlContext, items: Items) -> None:
    cfg = env.cfg
    if cfg is None:
        return
    text = items.text
    close = "" if text.startswith("}", ctx.end) else "}"
    attr_secret = ctx.attribute is not None and looks_secret(ctx.attribute)
    in_secrets = secret_variables(cfg)
    for name, var in sorted(cfg.variables.items()):
        hidden = attr_secret or name in in_secrets or is_encoded(var.value or "")
        if var.value is None:
            shown = "no value"
        elif hidden:
            shown = "value hidden"
        else:
            shown = var.value if len(var.value) <= 60 else var.value[:57] + "..."
        origin = var.origin + (f" ({Path(var.path).name})" if var.path and var.origin == "variable" else "")
        items.add(
            name,
            VARIABLE,
            (ctx.start, ctx.end),
            name + close,
            rank=1 if var.origin == "builtin" else 0,
            detail=f"{origin}: {shown}",
        )


def _feature_items(env: _XmlEnv, ctx: XmlContext, items: Items) -> None:
    text = items.text
    current = ctx.chain[-1]
    own = current.text(text).strip().lower()
    listed = set(env.enabled)
    if env.cfg is not None and own and len(env.cfg.features.get(own, [])) <= 1:
        listed.discard(own)
    listed.discard(own)
    lines = {env.product_line, "liberty", None} if env.product_line else None
    for name, info in env.lib.features.items():
        if name.lower() in listed:
            continue
        line = info.get("productLine")
        rank = 0 if lines is None or line in lines else 2
        detail = " · ".join(x for x in (line, info.get("provider")) if x)
        superseded = info.get("supersededBy")
        items.add(
            name,
            FEATURE,
            (ctx.start, ctx.end),
            name,
            rank=rank + (1 if superseded else 0),
            detail=detail or None,
            documentation=md(info.get("doc"), f"Superseded by `{superseded}`." if superseded else None, f"[Documentation]({info['link']})" if info.get("link") else None),
            deprecated=bool(superseded),
        )
    known = {n.lower() for n in env.lib.features}
    for cfg in env.ws.configs:
        for lname, uses in cfg.features.items():
            if lname in listed or lname in known:
                continue
            for f, el in uses:
                if el is current:
                    continue
                name = el.text(f.text).strip()
                items.add(name, FEATURE, (ctx.start, ctx.end), name, rank=1, detail=f"used in {Path(f.path).name}")
                break


# -- tags and content -----------------------------------------------------------


def _start_tag_items(env: _XmlEnv, ctx: XmlContext, items: Items) -> None:
    _element_items(env, ctx, items, in_text=False)


def _end_tag_items(env: _XmlEnv, ctx: XmlContext, items: Items) -> None:
    if ctx.chain:
        name = ctx.chain[-1].name
        close = "" if items.text.startswith(">", ctx.end) else ">"
        items.add(name, END_TAG, (ctx.start, ctx.end), name + close, rank=0, detail=f"close <{name}>")


def _content_items(env: _XmlEnv, ctx: XmlContext, items: Items) -> None:
    # Inside <feature> the text is a feature name (a typed space asks for
    # nothing there); elsewhere elements are offered only when completion is
    # invoked explicitly, not on a trigger character.
    if ctx.chain and ctx.chain[-1].name == "feature":
        if env.trigger != " ":
            _feature_items(env, ctx, items)
    elif env.trigger is None:
        _element_items(env, ctx, items, in_text=True)


# ---------------------------------------------------------------------------
# Which source answers which position
# ---------------------------------------------------------------------------


_SOURCES: dict[str, Callable[[_XmlEnv, XmlContext, Items], None]] = {
    "element": _start_tag_items,
    "end-tag": _end_tag_items,
    "attribute": _attribute_items,
    "value": _value_items,
    "variable": _variable_items,
    "text": _content_items,
}


def complete_xml(ws: Workspace, cfg: LibertyConfig | None, f: XmlFile, offset: int, snippet_support: bool, trigger: str | None) -> CompletionResult:
    """Items for ``offset`` in ``f``; ``cfg`` is its configuration (None for an
    XML file outside every configuration)."""
    text = f.text
    offset = clamp(offset, text)
    ctx = xml_context(text, f.doc, offset)
    if trigger in _TRIGGER_KINDS and ctx.kind not in _TRIGGER_KINDS[trigger]:
        return CompletionResult([], ctx.kind)
    env = _env(ws, cfg, f, snippet_support, trigger)
    items = Items(text, offset, f.index)
    source = _SOURCES.get(ctx.kind)
    if source is not None:
        source(env, ctx, items)
    return CompletionResult(items.items, ctx.kind)
