"""Every csd-* rule: the record syntax of DFHCSDUP input (problems the
parser found), and what needs only the CSD catalogue: commands, resource
types and keywords (with their abbreviations), values, lengths and required
keywords, keywords that do not apply to a TCPIPSERVICE protocol, and IPCONN
references to TCPIPSERVICEs."""

from __future__ import annotations

import re
from bisect import bisect_left
from typing import Iterator

from ..catalogue import CsdKeywordSpec
from ..csdparse import CsdCommand, CsdDocument, CsdKeyword, CsdProblem
from ..findings import Edit, Fix, Severity
from ..placeholders import csd_placeholder
from .common import closest, first_uses
from .registry import CSD_FILE, Context, rule

SYNTAX = "https://www.ibm.com/docs/en/SSGMCP_5.5.0/reference/resources/syntax.html"
COMMANDS = "https://www.ibm.com/support/knowledgecenter/SSGMCP_5.6.0/reference-system-management/resources/commands.html"
_NAME_CHARS = re.compile(r"^[A-Za-z0-9$@#]+$")
# hhmmss; fewer digits are taken with leading zeros (real, working input has
# SOCKETCLOSE(5)), so one to six digits are accepted.
_HHMMSS = re.compile(r"^\d{1,6}$")


# What EXTRACT output writes on every definition (when and by whom it was
# defined or changed); real members that were extracted carry it, and
# DFHCSDUP takes it back.
EXTRACT_METADATA = frozenset({"DEFINETIME", "CHANGETIME", "CHANGEUSRID", "CHANGEAGENT", "CHANGEAGREL"})


# ---------------------------------------------------------------------------
# Record syntax: problems the DFHCSDUP parser (zcsec/csdparse.py) found
# ---------------------------------------------------------------------------


def _parser_rule(code: str, title: str, severity: Severity, rationale: str, bad: str, good: str, fixer=None, fix: str | None = None, fix_safe: bool = False) -> None:
    def check(ctx: Context) -> None:
        for p in ctx.problems(code):
            if not isinstance(p, CsdProblem):
                continue
            # A problem may carry its own severity (one code, two cases).
            own = Severity.parse(p.severity) if p.severity else None
            fixes = fixer(ctx, p) if fixer is not None else []
            ctx.report(p.span, p.message, severity=own if own is not None and own != severity else None, fixes=fixes)

    rule(code, title=title, severity=severity, scope=CSD_FILE, category="syntax", rationale=rationale, link=SYNTAX, bad=bad, good=good, fix=fix, fix_safe=fix_safe)(check)


_parser_rule(
    "csd-syntax", "DFHCSDUP syntax error", Severity.ERROR,
    "DFHCSDUP stops processing a command it cannot parse (unbalanced parentheses, an unclosed quote, an operand with no command), so the definition is never written to the CSD.",
    " DEFINE IPCONN(ZOSCONN) GROUP(ZCGRP) APPLID(ZOSCONN",
    " DEFINE IPCONN(ZOSCONN) GROUP(ZCGRP) APPLID(ZOSCONN)",
)
_parser_rule(
    "csd-continuation", "Continuation with no following record", Severity.ERROR,
    "A '*' in column 72 says the value goes on in column 1 of the next record; at the end of the input that value is cut short.",
    ' DEFINE IPCONN(ZOSCONN) GROUP(ZCGRP) DESCRIPTION(Connections from z/OS *',
    ' DEFINE IPCONN(ZOSCONN) GROUP(ZCGRP) DESCRIPTION(Connections from z/OS *\nConnect)',
)
_parser_rule(
    "csd-record-length", "Record longer than 80 columns", Severity.WARNING,
    "DFHCSDUP reads 80-column records and treats columns 73-80 as sequence numbers; text past column 71 is not part of the command.",
    " DEFINE IPCONN(ZOSCONN) GROUP(ZCGRP) TCPIPSERVICE(ZCIPIC) APPLID(ZOSCONN) NETWORKID(ZCNET)",
    " DEFINE IPCONN(ZOSCONN) GROUP(ZCGRP) TCPIPSERVICE(ZCIPIC)\n        APPLID(ZOSCONN) NETWORKID(ZCNET)",
)


def _rewrap_fix(ctx: Context, p) -> list[Fix]:
    """Move the operand that reaches column 72 to a record of its own,
    indented as continuation records usually are."""
    text = ctx.file.text
    line_start = text.rfind("\n", 0, p.span[0]) + 1
    if p.span[0] != line_start + 71:
        return []  # text past column 72: where it belongs is for the person to decide
    blank = text.rfind(" ", line_start, p.span[0])
    if blank <= line_start or not text[line_start:blank].strip():
        return []  # one operand fills the record: nothing to move
    newline = "\r\n" if text.find("\r\n", line_start) == text.find("\n", line_start) - 1 >= 0 else "\n"
    return [Fix("Move the operand to the next record", [Edit(ctx.file.path, (blank, blank + 1), newline + " " * 8)])]


_parser_rule(
    "csd-column-72", "Text in column 72 or beyond", Severity.INFORMATION,
    "IBM documents columns 1-71 for DFHCSDUP commands: column 72 marks a continued value and columns 73-80 are ignored (sequence numbers). A character packed into column 72, as extract output and real members have, is read and only reported as information; text that runs on past column 72 is lost, which is an error.",
    ' DEFINE IPCONN(ZOSCONN) GROUP(ZCGRP) NETWORKID(ZCNET)    APPLID(ZOSCONN)',
    " DEFINE IPCONN(ZOSCONN) GROUP(ZCGRP) NETWORKID(ZCNET)\n        APPLID(ZOSCONN)",
    fixer=_rewrap_fix,
    fix="Move the operand that reaches column 72 to the next record.",
    fix_safe=True,
)


# ---------------------------------------------------------------------------
# Commands, resource types and keywords against the CSD catalogue
# ---------------------------------------------------------------------------


def _commands(ctx: Context) -> Iterator[CsdCommand]:
    """The commands of the file, one at a time (registry.Context)."""
    return ctx.commands()


def _full_name_fix(path: str, span: tuple[int, int], name: str) -> Fix:
    return Fix(f"Write {name} in full", [Edit(path, span, name)])


@rule(
    "csd-unknown-command",
    title="Unknown DFHCSDUP command",
    severity=Severity.ERROR,
    scope=CSD_FILE,
    category="csd",
    rationale="DFHCSDUP rejects a command it does not know and skips the definitions it would have made.",
    link=COMMANDS,
    bad=" DEFNE IPCONN(ZOSCONN) GROUP(ZCGRP)",
    good=" DEFINE IPCONN(ZOSCONN) GROUP(ZCGRP)",
    fix="Replace it with the closest command.",
)
def unknown_command(ctx: Context) -> None:
    names = list(ctx.catalogue.csd.commands)
    for cmd in _commands(ctx):
        if cmd.verb_resolution.status != "unknown":
            continue
        close = closest(cmd.verb_written.upper(), names, 0.6)
        hint = f"; did you mean {close}?" if close else ""
        ctx.report(cmd.verb_span, f"'{cmd.verb_written}' is not a DFHCSDUP command{hint}", fixes=[_full_name_fix(ctx.file.path, cmd.verb_span, close)] if close else [])


@rule(
    "csd-ceda-only-command",
    title="CEDA command in DFHCSDUP input",
    severity=Severity.ERROR,
    scope=CSD_FILE,
    category="csd",
    rationale="Some commands (INSTALL, CHECK, DISPLAY, ...) exist only in the CEDA transaction; the batch utility DFHCSDUP does not accept them.",
    link=COMMANDS,
    bad=" INSTALL GROUP(ZCGRP)",
    good=" ADD GROUP(ZCGRP) LIST(ZCLIST)",
)
def ceda_only(ctx: Context) -> None:
    for cmd in _commands(ctx):
        if cmd.spec is not None and cmd.spec.ceda_only:
            ctx.report(cmd.verb_span, f"{cmd.verb} is a CEDA command; DFHCSDUP does not accept it")


def _each_resolution(cmd: CsdCommand):
    """(kind, written, span, resolution) for the verb, resource type and keywords."""
    yield "command", cmd.verb_written, cmd.verb_span, cmd.verb_resolution
    if cmd.resource_resolution is not None:
        yield "resource type", cmd.resource_written, cmd.resource_span, cmd.resource_resolution
    for kw in cmd.keywords:
        yield "keyword", kw.written, kw.written_span, kw.resolution


@rule(
    "csd-ambiguous-abbreviation",
    title="Ambiguous abbreviation",
    severity=Severity.ERROR,
    scope=CSD_FILE,
    category="csd",
    rationale="An abbreviation that fits more than one command, resource type or keyword is rejected by DFHCSDUP (messages DFHCA5212/DFHCA5213). Write the name in full; abbreviations can also change between CICS releases.",
    link="https://www.ibm.com/docs/en/SSGMCP_5.5.0/system-programming/intro/dfha8lr.html",
    bad=" DEFINE IPCONN(ZOSCONN) GROUP(ZCGRP) S(YES)",
    good=" DEFINE IPCONN(ZOSCONN) GROUP(ZCGRP) SSL(YES)",
)
def ambiguous(ctx: Context) -> None:
    for cmd in _commands(ctx):
        for kind, written, span, res in _each_resolution(cmd):
            if res.status == "ambiguous":
                ctx.report(span, f"the {kind} '{written}' is ambiguous: it could be {', '.join(res.candidates)}")


@rule(
    "csd-short-abbreviation",
    title="Abbreviation shorter than its documented minimum",
    severity=Severity.WARNING,
    scope=CSD_FILE,
    category="csd",
    rationale="Each keyword has a documented minimum abbreviation; a shorter form may be rejected by DFHCSDUP or become ambiguous in a later release. Where the minimum itself is not confirmed this is only a hint.",
    link="https://www.ibm.com/docs/en/SSGMCP_5.5.0/system-programming/intro/dfha8lr.html",
    bad=" USERDEF IPCONN(ZOSCONN) GROUP(ZCGRP)",
    good=" USERDEFINE IPCONN(ZOSCONN) GROUP(ZCGRP)",
    fix="Write the name in full.",
    fix_safe=True,
)
def short_abbreviation(ctx: Context) -> None:
    csd = ctx.catalogue.csd
    for cmd in _commands(ctx):
        for kind, written, span, res in _each_resolution(cmd):
            if res.status != "short":
                continue
            spec: object
            if kind == "command":
                spec = csd.commands.get(res.name)
            elif kind == "resource type":
                spec = csd.resource_types.get(res.name)
            else:
                spec = next((k.spec for k in cmd.keywords if k.written_span == span), None)
            confirmed = bool(spec is not None and getattr(spec, "abbr_confirmed", False))
            minimum = getattr(spec, "abbr", res.name)
            ctx.report(
                span,
                f"'{written}' is shorter than the minimum abbreviation {minimum} of {res.name}" + ("" if confirmed else " (minimum not confirmed); write it in full to be safe"),
                severity=None if confirmed else Severity.HINT,
                fixes=[_full_name_fix(ctx.file.path, span, res.name)],
            )


@rule(
    "csd-unknown-resource-type",
    title="Unknown resource type",
    severity=Severity.ERROR,
    scope=CSD_FILE,
    category="csd",
    rationale="DEFINE, ALTER and USERDEFINE need a CICS resource type (IPCONN, TCPIPSERVICE, PROGRAM, ...) as their first operand.",
    link="https://www.ibm.com/docs/zh-tw/SSGMCP_5.5.0/reference/resources/dfha4_define.html",
    bad=" DEFINE TCPSERVICE(ZCIPIC) GROUP(ZCGRP) PORTNUMBER(1491)",
    good=" DEFINE TCPIPSERVICE(ZCIPIC) GROUP(ZCGRP) PORTNUMBER(1491)",
)
def unknown_resource_type(ctx: Context) -> None:
    names = list(ctx.catalogue.csd.resource_types)
    for cmd in _commands(ctx):
        if cmd.spec is None or cmd.spec.resource != "required":
            continue
        if cmd.resource_resolution is None:
            ctx.report(cmd.verb_span, f"{cmd.verb} needs a resource type and name first, such as IPCONN(name)")
        elif cmd.resource_resolution.status == "unknown" and cmd.resource_written is not None and cmd.resource_span is not None:
            close = closest(cmd.resource_written.upper(), names, 0.6)
            hint = f"; did you mean {close}?" if close else ""
            ctx.report(cmd.resource_span, f"'{cmd.resource_written}' is not a CICS resource type{hint}", fixes=[_full_name_fix(ctx.file.path, cmd.resource_span, close)] if close else [])


@rule(
    "csd-unknown-keyword",
    title="Unknown keyword",
    severity=Severity.ERROR,
    scope=CSD_FILE,
    category="csd",
    rationale="DFHCSDUP rejects a keyword the resource type does not have (message DFHCA5204), and the whole definition is not made. zcsec reports this only for resource types whose keyword list it knows in full (IPCONN, TCPIPSERVICE) and for command operands.",
    link="https://www.ibm.com/docs/SSGMCP_5.6.0/reference-system-management/resources/ipconn/dfha4_attributes.html",
    bad=" DEFINE IPCONN(ZOSCONN) GROUP(ZCGRP) USERAUTHENTICATE(VERIFY)",
    good=" DEFINE IPCONN(ZOSCONN) GROUP(ZCGRP) USERAUTH(VERIFY)",
    fix="Replace it with the closest keyword.",
)
def unknown_keyword(ctx: Context) -> None:
    for cmd in _commands(ctx):
        if cmd.spec is None or cmd.verb is None:
            continue
        rspec = cmd.resource_spec
        if cmd.spec.resource == "required" and (rspec is None or not rspec.keywords_complete):
            continue
        if cmd.spec.ceda_only:
            continue
        known = list(cmd.spec.keywords) + (list(rspec.keywords) if rspec else [])
        for kw in cmd.keywords:
            if kw.resolution.status != "unknown" or kw.written.upper() in EXTRACT_METADATA or csd_placeholder(kw.written):
                continue
            close = closest(kw.written.upper(), known, 0.6)
            hint = f"; did you mean {close}?" if close else ""
            owner = f"{rspec.name}" if rspec else cmd.verb
            ctx.report(kw.written_span, f"{owner} has no keyword '{kw.written}'{hint}", fixes=[_full_name_fix(ctx.file.path, kw.written_span, close)] if close else [])


@rule(
    "csd-duplicate-keyword",
    title="Keyword given twice",
    severity=Severity.WARNING,
    scope=CSD_FILE,
    category="csd",
    rationale="When a keyword appears twice in one command only one value survives, which hides which setting is in force.",
    link=SYNTAX,
    bad=" DEFINE IPCONN(ZOSCONN) GROUP(ZCGRP) USERAUTH(LOCAL) USERAUTH(VERIFY)",
    good=" DEFINE IPCONN(ZOSCONN) GROUP(ZCGRP) USERAUTH(VERIFY)",
)
def duplicate_keyword(ctx: Context) -> None:
    for cmd in _commands(ctx):
        seen: dict[str, CsdKeyword] = {}
        for kw in cmd.keywords:
            if kw.name is None:
                continue
            if kw.name in seen:
                ctx.report(kw.written_span, f"{kw.name} is given more than once in this command")
            seen[kw.name] = kw


def check_csd_value(spec: CsdKeywordSpec, raw: str) -> tuple[str, str] | None:
    """(rule code, message) when the value does not fit the keyword."""
    v = raw.strip()
    up = v.upper()
    t = spec.type
    if t == "flag" or csd_placeholder(v):
        return None  # a placeholder is reported as such (csd-placeholder)
    if v == "" and t not in ("text", "any"):
        return "csd-invalid-value", f"{spec.name} needs a value"
    if t == "enum" and spec.values:
        if up not in spec.values:
            return "csd-invalid-value", f"{spec.name}({v}) is not allowed; use one of: {', '.join(spec.values)}"
        return None
    if t in ("int", "enumOrInt"):
        if t == "enumOrInt" and up in spec.values:
            return None
        if not up.isdigit():
            allowed = f" or {', '.join(spec.values)}" if spec.values else ""
            return "csd-invalid-value", f"{spec.name} takes a number{allowed}, not '{v}'"
        n = int(up)
        if (spec.min is not None and n < spec.min) or (spec.max is not None and n > spec.max):
            return "csd-invalid-value", f"{spec.name}({n}) is outside {spec.min if spec.min is not None else ''}..{spec.max if spec.max is not None else ''}"
        return None
    if t == "hhmmss":
        if up in spec.values or up == "NO" or _HHMMSS.match(up):
            return None
        return "csd-invalid-value", f"{spec.name} takes NO or a time hhmmss, not '{v}'"
    if spec.max_length is not None and len(v) > spec.max_length:
        return "csd-value-too-long", f"{spec.name} is at most {spec.max_length} characters; '{v}' has {len(v)}"
    if t in ("name", "userid", "transid", "ref") and not _NAME_CHARS.match(v):
        return "csd-invalid-value", f"{spec.name}({v}) may only contain A-Z, 0-9, $, @ and #"
    return None


def _lost(doc: CsdDocument, cmd: CsdCommand) -> list[int]:
    """Where text of ``cmd``'s records runs past column 72 and is lost
    (reported once, csd-column-72): a value that reaches into it is not
    judged again."""
    records = doc.problems[: doc.record_problems]  # in the order of the records
    start, end = cmd.span
    k = bisect_left(records, start, key=_problem_start)
    out = []
    while k < len(records) and records[k].span[0] <= end:
        p = records[k]
        if p.code == "csd-column-72" and p.severity == "error":
            out.append(p.span[0])
        k += 1
    return out


def _problem_start(p: CsdProblem) -> int:
    return p.span[0]


def _csd_value_rule(code: str, title: str, rationale: str, bad: str, good: str) -> None:
    def check(ctx: Context) -> None:
        for cmd in _commands(ctx):
            lost = _lost(ctx.csd_file.doc, cmd)
            for kw in cmd.keywords:
                if kw.spec is None or kw.value is None:
                    continue
                if kw.value_span is not None and any(kw.value_span[0] < at <= kw.value_span[1] for at in lost):
                    continue
                result = check_csd_value(kw.spec, kw.value)
                if result is not None and result[0] == code:
                    sev = None if kw.spec.confirmed else Severity.WARNING
                    ctx.report(kw.value_span or kw.written_span, result[1], severity=sev)
            if code == "csd-value-too-long" and cmd.resource_spec is not None and cmd.name is not None and cmd.name_span is not None:
                limit = cmd.resource_spec.name_max_length
                if len(cmd.name) > limit and not csd_placeholder(cmd.name):
                    ctx.report(cmd.name_span, f"a {cmd.resource_type} name is at most {limit} characters; '{cmd.name}' has {len(cmd.name)}")

    rule(code, title=title, severity=Severity.ERROR, scope=CSD_FILE, category="csd", rationale=rationale, link="https://www.ibm.com/docs/SSGMCP_5.6.0/reference-system-management/resources/tcpipservice/dfha4_attributes.html", bad=bad, good=good)(check)


_csd_value_rule(
    "csd-invalid-value",
    "Value not allowed for the keyword",
    "DFHCSDUP rejects a value outside the keyword's allowed set, type or range, and the definition is not made.",
    " DEFINE IPCONN(ZOSCONN) GROUP(ZCGRP) USERAUTH(PASSWORD)",
    " DEFINE IPCONN(ZOSCONN) GROUP(ZCGRP) USERAUTH(VERIFY)",
)
_csd_value_rule(
    "csd-value-too-long",
    "Name or value too long",
    "CICS names have fixed maximum lengths (8 for groups, IPCONNs, TCPIPSERVICEs and APPLIDs; 4 for transactions; 58 for descriptions). DFHCSDUP rejects longer values.",
    " DEFINE IPCONN(ZOSCONNECT) GROUP(ZCGRP)",
    " DEFINE IPCONN(ZOSCONN) GROUP(ZCGRP)",
)


@rule(
    "csd-placeholder",
    title="Template placeholder not filled in",
    severity=Severity.INFORMATION,
    scope=CSD_FILE,
    category="csd",
    rationale="DFHCSDUP input kept as a template has blanks such as <DB2SSID>, @id@, ++CICSHLQ++, {{ port }} or a JCL symbol (&HLQ.) that are filled in before the job runs. zcsec says so once per value and does not check it as a name or a value.",
    link=SYNTAX,
    bad=" DEFINE TCPIPSERVICE(ZCIPIC) GROUP(ZCGRP) PROTOCOL(IPIC)\n        PORTNUMBER(@ipic_port@)",
    good=" DEFINE TCPIPSERVICE(ZCIPIC) GROUP(ZCGRP) PROTOCOL(IPIC)\n        PORTNUMBER(1491)",
)
def placeholder(ctx: Context) -> None:
    def occurrences():
        for cmd in _commands(ctx):
            if cmd.name and cmd.name_span is not None:
                yield csd_placeholder(cmd.name), (cmd.name_span, f"the {cmd.resource_type or 'resource'} name")
            for kw in cmd.keywords:
                if kw.value is None or kw.value_span is None or (kw.spec is not None and kw.spec.type in ("text", "any")):
                    continue
                yield csd_placeholder(kw.value), (kw.value_span, kw.name or kw.written.upper())

    # A JCL symbol (&HLQ.) is set when the job runs: no blank to fill in.
    found = ((key, data) for key, data in occurrences() if key is not None and not key.startswith("&"))
    for key, (span, where), more in first_uses(found):
        ctx.report(span, f"'{key}' is a template placeholder: {where}{more} is checked once the template is filled in")


@rule(
    "csd-missing-required",
    title="Required keyword missing",
    severity=Severity.ERROR,
    scope=CSD_FILE,
    category="csd",
    rationale="A definition without a required keyword (GROUP on every DEFINE, PORTNUMBER on a TCPIPSERVICE) is rejected (message DFHCA5501).",
    link="https://www.ibm.com/support/knowledgecenter/en/SSGMCP_5.3.0/com.ibm.cics.ts.resourcedefinition.doc/csdup/commands/define.html",
    bad=" DEFINE TCPIPSERVICE(ZCIPIC) GROUP(ZCGRP) PROTOCOL(IPIC)",
    good=" DEFINE TCPIPSERVICE(ZCIPIC) GROUP(ZCGRP) PROTOCOL(IPIC)\n        PORTNUMBER(1491)",
)
def missing_required(ctx: Context) -> None:
    for cmd in _commands(ctx):
        if cmd.verb not in ("DEFINE", "USERDEFINE") or cmd.resource_spec is None:
            continue
        present = {kw.name for kw in cmd.keywords}
        specs = dict(cmd.spec.keywords) if cmd.spec else {}
        specs.update(cmd.resource_spec.keywords)
        if "GROUP" not in specs:
            specs["GROUP"] = CsdKeywordSpec("GROUP", "name", "G", required=True)
        for name, spec in specs.items():
            if spec.required and name not in present:
                if name != "GROUP" and cmd.verb == "USERDEFINE":
                    continue  # defaults may come from the USER definition
                ctx.report(cmd.resource_span or cmd.verb_span, f"DEFINE {cmd.resource_type}({cmd.name or ''}) needs {name}", severity=None if spec.confirmed else Severity.WARNING)


@rule(
    "csd-keyword-protocol",
    title="Keyword does not apply to this TCPIPSERVICE protocol",
    severity=Severity.WARNING,
    scope=CSD_FILE,
    category="csd",
    provider="cics",
    rationale="Many TCPIPSERVICE keywords belong to one protocol only. On a PROTOCOL(IPIC) service, AUTHENTICATE, ATTACHSEC, REALM and the other HTTP or ECI keywords are not valid and give a false impression of security: IPIC security is set on the IPCONN, and only SSL, CERTIFICATE and CIPHERS matter on the TCPIPSERVICE.",
    link="https://www.ibm.com/docs/en/SSGMCP_5.4.0/reference/resources/tcpipservice/dfha4_related.html",
    bad=" DEFINE TCPIPSERVICE(ZCIPIC) GROUP(ZCGRP) PROTOCOL(IPIC)\n        PORTNUMBER(1491) AUTHENTICATE(BASIC)",
    good=" DEFINE TCPIPSERVICE(ZCIPIC) GROUP(ZCGRP) PROTOCOL(IPIC)\n        PORTNUMBER(1491) SSL(CLIENTAUTH)",
    fix="Remove the keyword.",
    fix_safe=True,
)
def keyword_protocol(ctx: Context) -> None:
    for cmd in _commands(ctx):
        if cmd.resource_type != "TCPIPSERVICE" or cmd.verb not in ("DEFINE", "USERDEFINE", "ALTER"):
            continue
        protocol = cmd.upper("PROTOCOL")
        if protocol is None:
            if cmd.upper("TRANSACTION") == "CISS":
                protocol = "IPIC"
            elif cmd.verb == "ALTER":
                continue
            else:
                protocol = "HTTP"
        pspec = cmd.resource_spec.keywords.get("PROTOCOL") if cmd.resource_spec is not None else None
        if pspec is not None and pspec.values and protocol not in pspec.values:
            continue  # not a protocol at all: csd-invalid-value reports it
        for kw in cmd.keywords:
            if kw.spec is None or not kw.spec.protocols or protocol in kw.spec.protocols:
                continue
            ctx.report(
                kw.written_span,
                f"{kw.spec.name} applies only to PROTOCOL({'/'.join(kw.spec.protocols)}); this service is PROTOCOL({protocol})",
                fixes=[Fix(f"Remove {kw.spec.name}", [Edit(ctx.file.path, _removal_span(ctx.file.text, kw), "")])],
            )


def _removal_span(text: str, kw: CsdKeyword) -> tuple[int, int]:
    start, end = kw.span
    # Take the blanks before the keyword too, but never a line break.
    while start > 0 and text[start - 1] in " \t":
        start -= 1
    return start, end


@rule(
    "csd-ref-unresolved",
    title="IPCONN names a TCPIPSERVICE that is not defined, or not an IPIC one",
    severity=Severity.WARNING,
    scope=CSD_FILE,
    category="csd",
    provider="cics",
    rationale="An IPCONN's TCPIPSERVICE must name a PROTOCOL(IPIC) TCPIPSERVICE installed in the same region; otherwise the partner's connection cannot be matched to this IPCONN. zcsec looks in every CSD file of the workspace; a service defined elsewhere can be added to csd_files in .zcsec.toml.",
    link="https://www.ibm.com/docs/SSGMCP_5.6.0/reference-system-management/resources/ipconn/dfha4_attributes.html",
    bad=" DEFINE IPCONN(ZOSCONN) GROUP(ZCGRP) TCPIPSERVICE(ZCIPC)\n DEFINE TCPIPSERVICE(ZCIPIC) GROUP(ZCGRP) PROTOCOL(IPIC)\n        PORTNUMBER(1491)",
    good=" DEFINE IPCONN(ZOSCONN) GROUP(ZCGRP) TCPIPSERVICE(ZCIPIC)\n DEFINE TCPIPSERVICE(ZCIPIC) GROUP(ZCGRP) PROTOCOL(IPIC)\n        PORTNUMBER(1491)",
    fix="Correct a near-miss name.",
)
def ref_unresolved(ctx: Context) -> None:
    model = ctx.workspace.csd
    for cmd in _commands(ctx):
        if cmd.resource_type != "IPCONN" or cmd.verb not in ("DEFINE", "USERDEFINE", "ALTER"):
            continue
        kw = cmd.get("TCPIPSERVICE")
        if kw is None or not (kw.value or "").strip():
            continue
        target = model.tcpipservice_for(cmd)
        span = kw.value_span or kw.written_span
        if target is None:
            close = closest(kw.upper, model.names("TCPIPSERVICE"), 0.6)
            hint = f"; did you mean {close}?" if close else ""
            ctx.report(span, f"no TCPIPSERVICE named {kw.upper} is defined in the workspace's CSD files{hint}", fixes=[Fix(f"Change to {close}", [Edit(ctx.file.path, span, close)])] if close else [])
            continue
        protocol = target.upper("PROTOCOL") or ("IPIC" if target.upper("TRANSACTION") == "CISS" else "HTTP")
        if protocol != "IPIC":
            tpath = model.path_of(target)
            ctx.report(
                span,
                f"TCPIPSERVICE {kw.upper} is PROTOCOL({protocol}); an IPCONN needs a PROTOCOL(IPIC) service",
                severity=Severity.ERROR,
                related=[(tpath, target.verb_span, "the TCPIPSERVICE is defined here")] if tpath else [],
            )
