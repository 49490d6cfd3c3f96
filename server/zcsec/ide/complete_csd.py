"""Completion sources for CSD files (DFHCSDUP input, plain or as the SYSIN
of a JCL job).

:func:`complete_csd` asks :func:`~zcsec.ide.cursor.csd_context` what kind of
position the cursor is at and lets the source the ``_SOURCES`` table (at the
end of this module) names for that kind add its items:

* ``word``: commands at the start of a command, the resource types a command
  takes, and the keywords a definition does not have yet;
* ``value``: a keyword's values, the names of the definitions it may name,
  CSD groups, and after a resource type the names of existing definitions.
"""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass

from ..catalogue import CsdKeywordSpec, resolve_abbreviation
from ..csdparse import CsdCommand, keyword_specs
from ..text import Span
from ..workspace import CsdFile, Workspace
from .cursor import CsdContext, clamp, csd_context, line_bounds
from .items import (
    COMMAND,
    ENUM,
    KEYWORD,
    REFERENCE,
    RESOURCE,
    VALUE,
    CompletionResult,
    Items,
    csd_summary,
    first_sentence,
    md,
)

# A trigger character only asks for completion at the kind of position it
# starts; any other trigger asks for nothing.
_TRIGGER_KINDS = {" ": ("word",), "(": ("value",)}


@dataclass(slots=True)
class _CsdEnv:
    ws: Workspace
    snippet_support: bool
    trigger: str | None  # the character that asked for completion, None when invoked


def _kw_detail(spec: CsdKeywordSpec) -> str:
    parts = [spec.type]
    if spec.required:
        parts.append("required")
    if spec.default is not None:
        parts.append(f"default {spec.default}")
    if spec.protocols:
        parts.append("PROTOCOL " + "/".join(spec.protocols))
    return " · ".join(parts)


def _kw_doc(spec: CsdKeywordSpec) -> str | None:
    extra = []
    if spec.values:
        extra.append("Values: " + ", ".join(f"`{v}`" for v in spec.values))
    if spec.abbr and spec.abbr != spec.name:
        extra.append(f"Shortest abbreviation: `{spec.abbr}`" + ("" if spec.abbr_confirmed else " (not confirmed)"))
    if spec.link:
        extra.append(f"[Documentation]({spec.link})")
    return md(spec.doc, "  \n".join(extra) if extra else None)


def _command_items(cat, items: Items, span: Span, rank: int) -> None:
    for name, spec in cat.commands.items():
        if spec.ceda_only:
            continue
        items.add(
            name,
            COMMAND,
            span,
            name + " ",
            rank=rank,
            detail=first_sentence(spec.doc),
            documentation=md(spec.doc, f"Shortest abbreviation: `{spec.abbr}`" if spec.abbr != name else None, f"[Documentation]({spec.link})" if spec.link else None),
            retrigger=spec.resource in ("required", "optional"),
        )


def _resource_items(cat, items: Items, span: Span, snippet_support: bool) -> None:
    for name, rspec in cat.resource_types.items():
        insert = f"{name}($1)" if snippet_support else f"{name}("
        items.add(
            name,
            RESOURCE,
            span,
            insert,
            snippet=snippet_support,
            rank=0,
            detail=first_sentence(rspec.doc),
            documentation=md(rspec.doc, f"[Documentation]({rspec.link})" if rspec.link else None),
        )


def _keyword_items(ws: Workspace, cmd: CsdCommand, items: Items, span: Span, snippet_support: bool, ctx: CsdContext, rank: int = 0) -> None:
    kws = keyword_specs(cmd)
    given = {kw.name for kw in cmd.keywords if kw.name and kw.written_span[0] != ctx.start}
    protocol = cmd.upper("PROTOCOL") if cmd.resource_type == "TCPIPSERVICE" else None
    for i, (name, spec) in enumerate(kws.items()):
        if name in given:
            continue
        if protocol and spec.protocols and protocol not in spec.protocols:
            continue
        if spec.type == "flag":
            insert, is_snippet = name, False
        elif snippet_support:
            insert, is_snippet = f"{name}($1)", True
        else:
            insert, is_snippet = f"{name}(", False
        items.add(
            name,
            KEYWORD,
            span,
            insert,
            snippet=is_snippet,
            rank=rank + (0 if spec.required else 1),
            key=f"{i:03d}",
            detail=_kw_detail(spec),
            documentation=_kw_doc(spec),
            retrigger=is_snippet and bool(spec.values or spec.ref_type or name == "GROUP"),
        )


def _csd_value_items(ws: Workspace, ctx: CsdContext, items: Items, span: Span) -> None:
    cmd = ctx.command
    if cmd is None:
        return
    model = ws.csd
    if ctx.resource_name:
        if cmd.verb != "DEFINE" and cmd.resource_type:
            for name, group in _definitions(ws, cmd.resource_type):
                items.add(name, REFERENCE, span, name, rank=0, detail=group)
        return
    if not ctx.keyword:
        return
    kws = keyword_specs(cmd)
    res = resolve_abbreviation(ctx.keyword, kws)
    spec = kws.get(res.name) if res.name else None
    if spec is None:
        return
    for i, v in enumerate(spec.values):
        items.add(v, ENUM, span, v, rank=0 if v == spec.default else 1, key=f"{i:03d}", detail="default" if v == spec.default else None)
    if spec.ref_type:
        for name, (rank, about, doc) in _references(ws, spec.ref_type):
            items.add(name, REFERENCE, span, name, rank=rank, detail=about, documentation=doc)
    if res.name == "GROUP":
        for g in model.groups():
            items.add(g, VALUE, span, g, rank=0, detail="CSD group in the workspace")


# What a definition offers as a candidate depends on its own text only, so it
# is worked out once per command (CsdModel.per_command), not at every request:
# a large CSD defines thousands of programs and a thousand listeners.


def _definitions(ws: Workspace, rtype: str) -> list[tuple[str, str]]:
    """(name, detail) of the definitions of ``rtype`` by name: the names a
    command other than DEFINE may give after its resource type."""
    defs = ws.csd.definitions.get(rtype, {})
    names = sorted(defs)

    def detail(target: CsdCommand) -> str:
        group = target.group
        return f"{rtype} in GROUP({group})" if group else rtype

    return list(zip(names, ws.csd.per_command(("ide.definition", rtype), [defs[n][-1] for n in names], detail)))


def _references(ws: Workspace, rtype: str) -> list[tuple[str, tuple[int, str | None, str]]]:
    """(name, (rank, detail, documentation)) of the definitions of
    ``rtype`` by name: the candidates of a keyword that names one.  A listener
    other than an IPIC one comes last."""
    defs = ws.csd.definitions.get(rtype, {})
    names = sorted(defs)

    def candidate(target: CsdCommand) -> tuple[int, str | None, str]:
        ipic = rtype == "TCPIPSERVICE" and (target.upper("PROTOCOL") or "HTTP") == "IPIC"
        port = target.value("PORTNUMBER")
        detail = " ".join(x for x in (f"PORTNUMBER({port})" if port else None, f"PROTOCOL({target.upper('PROTOCOL') or 'HTTP'})" if rtype == "TCPIPSERVICE" else None, f"GROUP({target.group})" if target.group else None) if x)
        rank = 0 if ipic or rtype != "TCPIPSERVICE" else 2
        return rank, detail or None, csd_summary(ws, target, ("PORTNUMBER", "PROTOCOL", "SSL", "CERTIFICATE", "URM"))

    return list(zip(names, ws.csd.per_command(("ide.reference", rtype), [defs[n][-1] for n in names], candidate)))


# -- sources --------------------------------------------------------------------


def _word_source(env: _CsdEnv, ctx: CsdContext, items: Items) -> str:
    cat = env.ws.catalogue.csd
    span = (ctx.start, ctx.end)
    cmd = ctx.command
    if cmd is None or cmd.verb is None:
        if env.trigger == " ":
            return ctx.kind
        _command_items(cat, items, span, rank=0)
        return "command"
    expects_resource = cmd.spec is not None and cmd.spec.resource in ("required", "optional") and cmd.resource_span is None
    if expects_resource:
        _resource_items(cat, items, span, env.snippet_support)
    # A word in column 1 more likely starts a new command; an indented
    # one more likely continues the current command with a keyword.
    column_one = ctx.start == line_bounds(items.text, ctx.start)[0]
    if not expects_resource or (cmd.spec is not None and cmd.spec.resource == "optional"):
        _keyword_items(env.ws, cmd, items, span, env.snippet_support, ctx, rank=7 if column_one else 0)
    if ctx.line_start_word and env.trigger is None:
        _command_items(cat, items, span, rank=0 if column_one else 6)
    return "resource" if expects_resource else "keyword"


def _value_source(env: _CsdEnv, ctx: CsdContext, items: Items) -> str:
    if ctx.command is not None:
        _csd_value_items(env.ws, ctx, items, (ctx.start, ctx.end))
    return ctx.kind


# ---------------------------------------------------------------------------
# Which source answers which position
# ---------------------------------------------------------------------------


# A source adds its items and returns the name of the position for the
# result ("command", "resource" and "keyword" refine "word").
_SOURCES: dict[str, Callable[[_CsdEnv, CsdContext, Items], str]] = {
    "word": _word_source,
    "value": _value_source,
}


def complete_csd(ws: Workspace, f: CsdFile, offset: int, snippet_support: bool, trigger: str | None) -> CompletionResult:
    """Items for ``offset`` in the CSD file ``f``."""
    text = f.text
    offset = clamp(offset, text)
    ctx = csd_context(text, f.doc, offset)
    if trigger is not None and ctx.kind not in _TRIGGER_KINDS.get(trigger, ()):
        return CompletionResult([], ctx.kind)
    source = _SOURCES.get(ctx.kind)
    if source is None:
        return CompletionResult([], ctx.kind)
    items = Items(text, offset, f.index)
    context = source(_CsdEnv(ws, snippet_support, trigger), ctx, items)
    return CompletionResult(items.items, context)
