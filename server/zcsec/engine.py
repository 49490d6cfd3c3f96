"""Runs the rule catalogue over a workspace and returns finished findings:
project severities applied, suppressions honoured, ranges computed."""

from __future__ import annotations

import re
from dataclasses import dataclass

from .findings import Finding, Severity
from .posture import posture_failures
from .rules import RULES
from .rules.registry import CONFIG, CSD_FILE, WORKSPACE, XML_FILE, Context, Rule
from .text import LineIndex
from .workspace import CsdFile, LibertyConfig, Workspace, XmlFile

_SUPPRESS = re.compile(r"zcsec-disable(-next-line)?\b[ \t]*([\w ,\-]*)")


@dataclass(slots=True)
class Suppressions:
    next_line: dict[int, set[str]]  # line -> codes ("all" for every code)
    from_line: list[tuple[int, set[str]]]

    def hides(self, code: str, line: int) -> bool:
        codes = self.next_line.get(line)
        if codes and (code in codes or "all" in codes):
            return True
        return any(line >= start and (code in codes or "all" in codes) for start, codes in self.from_line)


def suppressions_of(file: XmlFile | CsdFile) -> Suppressions:
    index: LineIndex = file.index
    next_line: dict[int, set[str]] = {}
    from_line: list[tuple[int, set[str]]] = []
    comments = file.doc.comments
    tag_ends: dict[int, int] | None = None
    if isinstance(file, XmlFile) and any("zcsec-disable-next-line" in c.text for c in comments):
        tag_ends = {}
        for el in file.doc.iter():
            first = index.line_of(el.start)
            tag_ends.setdefault(first, index.line_of(max(el.start, el.start_tag_end - 1)))
    for c in comments:
        m = _SUPPRESS.search(c.text)
        if not m:
            continue
        codes = {t for t in re.split(r"[\s,]+", m.group(2).strip()) if t} or {"all"}
        if m.group(1):
            line = index.line_of(c.span[1] - 1 if c.span[1] > c.span[0] else c.span[0]) + 1
            # An element whose start tag begins on that line is covered whole,
            # so that attributes written one per line can be suppressed too.
            last = tag_ends.get(line, line) if tag_ends is not None else line
            for covered in range(line, last + 1):
                next_line.setdefault(covered, set()).update(codes)
        else:
            from_line.append((index.line_of(c.span[0]), codes))
    return Suppressions(next_line, from_line)


def rules_in_scope(scope: str) -> list[Rule]:
    return [r for r in RULES.values() if r.scope == scope]


def run_rules(ws: Workspace, only_paths: set[str] | None = None) -> list[Finding]:
    """Every finding of every enabled rule; ``only_paths`` limits the result
    to findings in those files (analysis still sees the whole workspace)."""
    project = ws.project
    active = {scope: [r for r in rules_in_scope(scope) if project.level(r.code, r.severity) is not None] for scope in (WORKSPACE, CONFIG, XML_FILE, CSD_FILE)}
    raw: list[Finding] = []
    for scope, cfg, f in _contexts(ws):
        for r in active[scope]:
            raw.extend(_run(Context(r, ws, cfg, f)))
    raw.extend(_posture_failures(ws))
    return finish(ws, raw, only_paths)


def _contexts(ws: Workspace) -> list[tuple[str, LibertyConfig | None, XmlFile | CsdFile | None]]:
    """Where rules run: the workspace, each configuration, each XML file
    once (a file included by two configurations is checked in the first),
    each CSD file."""
    out: list[tuple[str, LibertyConfig | None, XmlFile | CsdFile | None]] = [(WORKSPACE, None, None)]
    done: set[str] = set()
    for cfg in ws.configs:
        out.append((CONFIG, cfg, None))
        for path, f in cfg.files.items():
            if path not in done:
                done.add(path)
                out.append((XML_FILE, cfg, f))
    out.extend((CSD_FILE, None, f) for f in ws.csd.files.values())
    return out


def _run(ctx: Context) -> list[Finding]:
    try:
        ctx.rule.check(ctx)
    except Exception as exc:  # a rule bug must never stop the others
        target = ctx.scope_file.path if ctx.scope_file is not None else (ctx.scope_config.root if ctx.scope_config is not None else None)
        if target is not None:
            ctx.findings.append(Finding("internal-error", Severity.WARNING, f"zcsec rule {ctx.rule.code} failed on this file ({type(exc).__name__}); please report it", target, (0, 0)))
    return ctx.findings


def _posture_failures(ws: Workspace) -> list[Finding]:
    """A connection whose posture could not be computed, said as a failing rule is."""
    out = []
    for cfg in ws.configs:
        for ce, exc in posture_failures(ws, cfg):
            message = f"zcsec could not work out the security of this {ce.name} ({type(exc).__name__}); its security rules may be incomplete; please report it"
            out.append(Finding("internal-error", Severity.WARNING, message, ce.path, ce.element.name_span))
    return out


def finish(ws: Workspace, raw: list[Finding], only_paths: set[str] | None) -> list[Finding]:
    project = ws.project
    indexes: dict[str, LineIndex] = {}
    supp: dict[str, Suppressions | None] = {}
    files = {f.path: f for f in ws.files()}
    out: list[Finding] = []
    seen: set[tuple] = set()
    for f in raw:
        if only_paths is not None and f.path not in only_paths:
            continue
        rule = RULES.get(f.code)
        if rule is not None:
            level = project.level(f.code, rule.severity)
            if level is None:
                continue
            if f.code in project.rule_levels:
                f.severity = level
        index = indexes.get(f.path)
        if index is None:
            index = ws.index_for(f.path) or LineIndex("")
            indexes[f.path] = index
        f.range = index.range(*f.span)
        if f.path not in supp:
            supp[f.path] = suppressions_of(files[f.path]) if f.path in files else None
        s = supp[f.path]
        if s is not None and s.hides(f.code, f.range.start.line):
            continue
        key = (f.path, f.code, f.span, f.message)
        if key in seen:
            continue
        seen.add(key)
        for fix in f.fixes:
            for e in fix.edits:
                eindex = indexes.get(e.path) or ws.index_for(e.path) or LineIndex("")
                indexes[e.path] = eindex
                e.range = eindex.range(*e.span)
        for path, span, note in f.related:
            rindex = indexes.get(path) or ws.index_for(path) or LineIndex("")
            indexes[path] = rindex
            f.related_ranges.append((path, rindex.range(*span), note))
        out.append(f)
    out.sort(key=Finding.sort_key)
    return out
