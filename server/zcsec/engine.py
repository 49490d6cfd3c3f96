"""Runs the rule catalogue over a workspace and returns finished findings:
project severities applied, suppressions honoured, ranges computed.

A :class:`Checker` keeps what each rule reported and read, so that after an
edit only what can have changed is checked again (issue 14); a first check
and ``run_rules`` run everything."""

from __future__ import annotations

import re
from dataclasses import dataclass
from typing import Any, Iterator

from .csdparse import CsdCommand
from .findings import Edit, Finding, Fix, Severity
from .posture import posture_failures, update_postures
from .reads import LOG
from .rules import RULES
from .rules.registry import CONFIG, CSD_FILE, WORKSPACE, XML_FILE, Context, Rule, rest_of
from .text import LineIndex, Span
from .workspace import CsdFile, Delta, FileChange, LibertyConfig, Workspace, XmlFile, move_span
from .xmlparse import Element

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
        if "zcsec-disable" not in c.text:
            continue
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


def run_rules(ws: Workspace) -> list[Finding]:
    """Every finding of every enabled rule."""
    return Checker(keep=False).check(ws)


# ---------------------------------------------------------------------------
# Checking again after an edit (issue 14)
# ---------------------------------------------------------------------------


@dataclass(slots=True, eq=False)
class Task:
    """One rule in one place (the workspace, a configuration, a file), as
    it last ran: what it reported and what it read.  A *split* task went
    through its subjects and reported only for them (registry.Context): its
    findings and reads are kept by unit (a direct child of <server>, a CSD
    command, or rest_of(path)), and after an edit only the units that can
    have changed are checked again."""

    split: bool
    keys: frozenset  # what it read outside its units (everything it read when not split)
    findings: list[Finding]  # what it reported outside its units (everything when not split)
    by_unit: dict[Any, list[Finding]]
    unit_keys: dict[Any, tuple]  # what each unit read
    postures: bool  # it went through the connections: a unit whose connections were worked out again is checked again
    by_key: dict[Any, set] | None = None  # key -> the units that read it (built when first needed)

    def index(self) -> dict[Any, set]:
        """key -> the units that read it."""
        if self.by_key is None:
            self.by_key = {}
            for unit, keys in self.unit_keys.items():
                for key in keys:
                    self.by_key.setdefault(key, set()).add(unit)
        return self.by_key

    def learn(self, unit_keys: dict[Any, tuple]) -> None:
        for unit, keys in unit_keys.items():
            self.unit_keys[unit] = keys
            if self.by_key is not None:
                for key in keys:
                    self.by_key.setdefault(key, set()).add(unit)

    def forget(self, unit: Any) -> None:
        """Drop what the task kept for ``unit``."""
        self.by_unit.pop(unit, None)
        keys = self.unit_keys.pop(unit, ())
        if not keys:
            return
        if self.by_key is not None:
            for key in keys:
                units = self.by_key.get(key)
                if units is not None:
                    units.discard(unit)
                    if not units:
                        del self.by_key[key]


class Checker:
    """The findings of one workspace, kept between checks.  ``check`` runs
    every rule the first time; given the same workspace again, brought up
    to date in place after edits (Workspace.refresh, with what changed), it
    runs again only the tasks and units whose inputs an edit changed (what
    they read, reads.py; the connections they went through; the text their
    findings point at) and keeps the other findings, moved with the text.
    Either way the findings are those a first check of the workspace
    gives."""

    def __init__(self, keep: bool = True) -> None:
        self.keep = keep  # False: checked once (the command line): nothing is kept for a next check
        self.tasks: dict[tuple, Task] = {}
        self.workspace: Workspace | None = None
        self.reruns = 0  # the units the last check went through, and its whole tasks (for tests)
        self.finished: dict[int, tuple] = {}  # id(reported finding) -> (it, finished or None, order)
        self.incremental = False  # the last check was given what changed (for tests)

    def check(self, ws: Workspace, delta: Delta | None = None) -> list[Finding]:
        """The findings of ``ws``; ``delta`` is what changed since this
        checker last checked it (the same workspace), None for a first check."""
        if delta is not None and (ws is not self.workspace or not self.keep):
            delta = None
        LOG.kept = self.keep
        try:
            return self._check(ws, delta)
        finally:
            LOG.kept = False

    def _check(self, ws: Workspace, delta: Delta | None) -> list[Finding]:
        if delta is None:
            self.tasks = {}
        else:
            delta.postures = update_postures(ws, delta)
        self.reruns = 0
        self.incremental = delta is not None
        raw: list[Finding] = []
        for key, ctx in _tasks(ws):
            old = self.tasks.get(key) if delta is not None else None
            task = self._run(ctx) if old is None or delta is None else self._again(ctx, old, delta)
            self.tasks[key] = task
            raw.extend(task.findings)
            if task.by_unit:
                for unit in sorted(task.by_unit, key=_unit_order):
                    raw.extend(task.by_unit[unit])
        raw.extend(_posture_failures(ws))
        self.workspace = ws if self.keep else None
        if delta is None:
            self.finished = {}
        stable = {path: _stable(changes) for path, changes in delta.movers.items()} if delta is not None else None
        return finish(ws, raw, copy=self.keep, kept=self.finished if self.keep else None, stable=stable)

    # -- running --------------------------------------------------------------
    def _run(self, ctx: Context, only: set | None = None) -> Task:
        ctx.only = only
        ctx.track = self.keep
        LOG.keys = [] if self.keep else None
        try:
            try:
                ctx.rule.check(ctx)
            except Exception as exc:  # a rule bug must never stop the others
                ctx.split = False
                target = ctx.scope_file.path if ctx.scope_file is not None else (ctx.scope_config.root if ctx.scope_config is not None else None)
                if target is not None:
                    ctx.findings.append(Finding("internal-error", Severity.WARNING, f"zcsec rule {ctx.rule.code} failed on this file ({type(exc).__name__}); please report it", target, (0, 0)))
            batch = LOG.keys or []
        finally:
            LOG.keys = None
        self.reruns += max(1, ctx.visited)
        split = ctx.split and ctx.iterated
        if not split:
            keys = set(batch)
            for unit_keys in ctx.unit_keys.values():
                keys.update(unit_keys)
            findings = ctx.findings + [f for fs in ctx.by_unit.values() for f in fs]
            return Task(False, frozenset(keys), findings, {}, {}, ctx.uses_postures)
        return Task(True, frozenset(batch), [], ctx.by_unit, ctx.unit_keys, ctx.uses_postures)

    def _again(self, ctx: Context, old: Task, delta: Delta) -> Task:
        path = ctx.scope_file.path if ctx.scope_file is not None else None
        file_changed = path is not None and path in delta.movers
        postures_changed = old.postures and ctx.scope_config is not None and not delta.postures.isdisjoint(ctx.scope_config.by_unit.keys())
        if not old.split:
            if file_changed or postures_changed or not delta.keys.isdisjoint(old.keys) or not _move_all(old.findings, delta.movers):
                return self._run(ctx)
            return old
        if not delta.keys.isdisjoint(old.keys):
            return self._run(ctx)
        # The kept task is brought up to date in place: what the dirty and
        # the removed units had is dropped, the others' findings are moved.
        dirty = self._dirty(ctx, old, delta)
        for unit in dirty:
            old.forget(unit)
        for unit in delta.removed:
            if unit in old.by_unit or unit in old.unit_keys:
                old.forget(unit)
        for unit, findings in list(old.by_unit.items()):
            if not _move_all(findings, delta.movers):
                dirty.add(unit)
                old.forget(unit)
        if not dirty:
            return old
        new = self._run(ctx, dirty)
        if not new.split:
            return self._run(ctx)
        old.by_unit.update(new.by_unit)
        old.learn(new.unit_keys)
        old.keys = new.keys
        old.postures = old.postures or new.postures
        return old

    def _dirty(self, ctx: Context, old: Task, delta: Delta) -> set:
        """The units of a split task to check again."""
        dirty: set = set()
        if ctx.scope_file is not None:
            path = ctx.scope_file.path
            if path in delta.movers:
                dirty.update(delta.added.get(path, ()))
                dirty.add(rest_of(path))
        elif ctx.scope_config is not None:
            for path in ctx.scope_config.files:
                dirty.update(delta.added.get(path, ()))
        by_key = old.index()
        for key in delta.keys:
            units = by_key.get(key)
            if units:
                dirty |= units
        if old.postures and ctx.scope_config is not None:
            dirty |= delta.postures & ctx.scope_config.by_unit.keys()
        dirty -= delta.removed
        return dirty


def _tasks(ws: Workspace) -> Iterator[tuple[tuple, Context]]:
    """Every rule in every place it runs, in order, with its key."""
    project = ws.project
    active = {scope: [r for r in rules_in_scope(scope) if project.level(r.code, r.severity) is not None] for scope in (WORKSPACE, CONFIG, XML_FILE, CSD_FILE)}
    for scope, cfg, f in _contexts(ws):
        for r in active[scope]:
            yield (r.code, scope, cfg.root if cfg is not None else None, f.path if f is not None else None), Context(r, ws, cfg, f)


def _move_all(findings: list[Finding], movers: dict[str, list[FileChange]]) -> bool:
    """Move ``findings`` (what the rules reported, kept by the checker) with
    the text, in place; False, and nothing moved, when one of them points at
    a line an edit touched (what reported it must run again)."""
    plan = []
    for f in findings:
        if f.path not in movers and not any(e.path in movers for fix in f.fixes for e in fix.edits) and not any(p in movers for p, _, _ in f.related):
            continue
        spans = _moved_spans(f, movers)
        if spans is None:
            return False
        plan.append((f, spans))
    for f, (span, edit_spans, related) in plan:
        f.span = span
        k = 0
        for fix in f.fixes:
            for e in fix.edits:
                e.span = edit_spans[k]
                k += 1
        if f.related:
            f.related = related
    return True


def _moved_spans(f: Finding, movers: dict[str, list[FileChange]]) -> tuple[Span, list[Span], list[tuple[str, Span, str]]] | None:
    """Where the offsets of ``f`` are after the edits; None when one is on a
    line an edit touched."""
    span = move_span(f.span, movers.get(f.path))
    if span is None:
        return None
    edit_spans = []
    for fix in f.fixes:
        for e in fix.edits:
            espan = move_span(e.span, movers.get(e.path))
            if espan is None:
                return None
            edit_spans.append(espan)
    related = []
    for p, rspan, note in f.related:
        moved = move_span(rspan, movers.get(p))
        if moved is None:
            return None
        related.append((p, moved, note))
    return span, edit_spans, related


def _unit_order(unit: Any) -> tuple[int, int]:
    if isinstance(unit, Element):
        return (0, unit.start)
    if isinstance(unit, CsdCommand):
        return (0, unit.verb_span[0])
    return (1, 0)


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


def _posture_failures(ws: Workspace) -> list[Finding]:
    """A connection whose posture could not be computed, said as a failing rule is."""
    out = []
    for cfg in ws.configs:
        for ce, exc in posture_failures(ws, cfg):
            message = f"zcsec could not work out the security of this {ce.name} ({type(exc).__name__}); its security rules may be incomplete; please report it"
            out.append(Finding("internal-error", Severity.WARNING, message, ce.path, ce.element.name_span))
    return out


def _stable(changes: list[FileChange]) -> tuple[int, int | None]:
    """(the offset before which a file's text is as it was, the offset
    after which lines are as they were: None when they moved up or down, or
    when the edit touched a zcsec-disable comment, which hides findings
    further on)."""
    first = min((ch.reparse.edit or ch.reparse.change).start for ch in changes)
    if len(changes) == 1 and changes[0].lines == 0 and not changes[0].suppressions:
        return first, changes[0].touched[1] + changes[0].delta
    return first, None


def finish(ws: Workspace, raw: list[Finding], copy: bool = True, kept: dict[int, tuple] | None = None, stable: dict[str, tuple[int, int | None]] | None = None) -> list[Finding]:
    """The findings to show, from what the rules reported (which is left as
    it is when ``copy``: kept for the next check): project severities,
    ranges, suppressions, one of each, in order.

    ``kept`` remembers, for the next call, how each reported finding was
    finished.  A finding reported again (the same object) is not finished
    again when its offsets all lie before the place where their file first
    changed (``stable``: path -> that place, and the place after which the
    lines are as they were; files that did not change are not in it): its
    range and whether it is hidden are what they were; nor when they lie
    after the lines an edit touched that added or removed none: its range
    is the same, only its offsets moved."""
    indexes: dict[str, LineIndex] = {}
    supp: dict[str, Suppressions | None] = {}
    files: dict[str, XmlFile | CsdFile] | None = None
    old = kept.copy() if kept is not None else {}
    if kept is not None:
        kept.clear()
    out: list[tuple] = []
    seen: set[tuple] = set()
    for f in raw:
        hit = old.get(id(f))
        where = _where(f, stable) if hit is not None and hit[0] is f and stable is not None else None
        if where == "before":
            fin, order = hit[1], hit[2]  # type: ignore[index]
        elif where == "after" and hit[1] is not None:  # type: ignore[index]
            fin = _moved_finished(hit[1], f)  # type: ignore[index]
            order = _order(fin)
        else:
            if files is None:
                files = {x.path: x for x in ws.files()}
            fin = _finish_one(ws, f, copy, indexes, supp, files)
            order = _order(fin) if fin is not None else None
        if kept is not None:
            kept[id(f)] = (f, fin, order)
        if fin is None:
            continue
        key = (fin.path, fin.code, fin.span, fin.message)
        if key in seen:
            continue
        seen.add(key)
        out.append((order, len(out), fin))
    out.sort()
    return [fin for _, _, fin in out]


def _where(f: Finding, stable: dict[str, tuple[int, int | None]]) -> str | None:
    """"before" when every offset ``f`` holds lies before where its file
    changed; "after" when each lies before that or after the lines the edit
    touched, in a file whose lines did not move; else None."""
    if not f.fixes and not f.related:  # most findings: one span
        first, after = stable.get(f.path, (None, None))
        if first is None or f.span[1] < first:
            return "before"
        return "after" if after is not None and f.span[0] > after else None
    out = "before"
    for path, span in _spans(f):
        first, after = stable.get(path, (None, None))
        if first is None or span[1] < first:
            continue
        if after is not None and span[0] > after:
            out = "after"
            continue
        return None
    return out


def _spans(f: Finding) -> Iterator[tuple[str, Span]]:
    yield f.path, f.span
    for fix in f.fixes:
        for e in fix.edits:
            yield e.path, e.span
    for path, span, _ in f.related:
        yield path, span


def _moved_finished(fin: Finding, f: Finding) -> Finding:
    """The finished finding ``fin`` with the offsets of ``f`` (the same
    finding, moved): its ranges stand."""
    fixes = [Fix(fix.title, [Edit(e.path, raw_e.span, e.new_text, e.range) for e, raw_e in zip(fix.edits, raw_fix.edits)]) for fix, raw_fix in zip(fin.fixes, f.fixes)]
    related = list(f.related)
    return Finding(fin.code, fin.severity, fin.message, fin.path, f.span, fin.range, fixes, related, fin.related_ranges)


def _finish_one(ws: Workspace, f: Finding, copy: bool, indexes: dict[str, LineIndex], supp: dict[str, Suppressions | None], files: dict) -> Finding | None:
    """``f`` finished, or None when its rule is off or a comment hides it."""
    severity = f.severity
    rule = RULES.get(f.code)
    if rule is not None:
        level = ws.project.level(f.code, rule.severity)
        if level is None:
            return None
        if f.code in ws.project.rule_levels:
            severity = level
    index = indexes.get(f.path)
    if index is None:
        index = ws.index_for(f.path) or LineIndex("")
        indexes[f.path] = index
    rng = index.range(*f.span)
    if f.path not in supp:
        supp[f.path] = suppressions_of(files[f.path]) if f.path in files else None
    s = supp[f.path]
    if s is not None and s.hides(f.code, rng.start.line):
        return None
    fixes = []
    for fix in f.fixes:
        edits = []
        for e in fix.edits:
            eindex = indexes.get(e.path) or ws.index_for(e.path) or LineIndex("")
            indexes[e.path] = eindex
            edits.append(Edit(e.path, e.span, e.new_text, eindex.range(*e.span)))
        fixes.append(Fix(fix.title, edits))
    related_ranges = []
    for path, span, note in f.related:
        rindex = indexes.get(path) or ws.index_for(path) or LineIndex("")
        indexes[path] = rindex
        related_ranges.append((path, rindex.range(*span), note))
    if copy:
        return Finding(f.code, severity, f.message, f.path, f.span, rng, fixes, list(f.related), related_ranges)
    f.severity, f.range, f.fixes, f.related_ranges = severity, rng, fixes, related_ranges
    return f


def _order(f: Finding) -> tuple:
    """Findings by file and position, then code and message: a total order,
    so that the list does not depend on the order the rules ran in."""
    return (f.path, f.range.start.line, f.range.start.character, f.code, f.message, f.span)
