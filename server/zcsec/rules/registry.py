"""The rule catalogue: one entry per diagnostic code.

A rule keeps its condition (the ``check`` function), its message, its
default severity, its documentation and its fix together.  Every code zcsec
can report is a rule here, including parser problems, so that ``zcsec rules``
and docs/rules.md list all of them.

Where a rule lives follows from its code (:func:`module_for`), and its
``bad`` and ``good`` examples are input that tests run (:func:`example_files`
describes the format): the bad one must produce the rule's code, the good one
must not.
"""

from __future__ import annotations

import re
from bisect import bisect_right
from dataclasses import dataclass, field
from typing import Any, Callable, Iterable, Iterator, TypeVar

from ..catalogue import Catalogue
from ..csdparse import CsdCommand, CsdProblem
from ..findings import Finding, Fix, Severity
from ..posture import Posture, UnitPostures, postures_in, unit_postures
from ..project import ProjectConfig
from ..reads import LOG
from ..text import Span
from ..workspace import ConfigElement, CsdFile, LibertyConfig, Workspace, XmlFile
from ..xmlparse import Element, Problem

T = TypeVar("T")

# Scopes: when a rule's check runs and what its context holds.
XML_FILE = "xml-file"  # once per Liberty XML file (ctx.config, ctx.xml_file)
CONFIG = "config"  # once per Liberty configuration (ctx.config)
CSD_FILE = "csd-file"  # once per CSD file (ctx.csd_file)
WORKSPACE = "workspace"  # once per workspace (ctx.workspace)


@dataclass(frozen=True, slots=True)
class Rule:
    code: str
    title: str
    severity: Severity
    scope: str
    check: Callable[["Context"], None]
    category: str  # syntax, model, schema, csd, security
    rationale: str
    provider: str = "all"  # cics, ims, imsdb, mq, rest, wola, liberty, all
    link: str | None = None
    bad: str | None = None
    good: str | None = None
    fix: str | None = None  # what the machine-applicable fix does, if any
    fix_safe: bool = False  # the fix only does what the finding asks, guesses nothing: "fix all" and --fix apply it
    unsettled_by: tuple[str, ...] = ()  # .zcsec.toml facts that settle the rule
    example_untestable: str | None = None  # why the rule has no runnable bad/good example

    @property
    def source_file(self) -> str:
        """The file that defines the rule, relative to the repository root
        (the package is server/zcsec), as ``zcsec rules`` names it."""
        return "server/" + self.check.__module__.replace(".", "/") + ".py"


RULES: dict[str, Rule] = {}

# The module of zcsec.rules that defines a security rule, by the first word
# of its code.
_SECURITY_MODULES = {
    "cics": "cics",
    "ims": "ims",
    "mq": "mq",
    "rest": "rest",
    "wola": "wola",
    "tls": "transport",
    "caller": "caller",
    "mcp": "caller",
    # Liberty plumbing every provider relies on.
    "credentials": "liberty",
    "deprecated": "liberty",
    "keystore": "liberty",
    "password": "liberty",
    "ssl": "liberty",
}


def module_for(code: str, category: str) -> str:
    """The module of zcsec.rules that defines rule ``code``: every csd-* rule
    in csd, the other syntax and model rules (parsing, files, includes,
    settings) in wellformed, the catalogue rules of server.xml in schema, and
    a security rule in the module its code's first word names (cics-* in
    cics, tls-* in transport, password-* in liberty, ...).  Raises KeyError
    for a security code whose first word has no module yet."""
    if code.startswith("csd-"):
        return "csd"
    if category in ("syntax", "model"):
        return "wellformed"
    if category == "schema":
        return "schema"
    return _SECURITY_MODULES[code.split("-", 1)[0]]


def rule(
    code: str,
    *,
    title: str,
    severity: Severity,
    scope: str,
    category: str,
    rationale: str,
    provider: str = "all",
    link: str | None = None,
    bad: str | None = None,
    good: str | None = None,
    fix: str | None = None,
    fix_safe: bool = False,
    unsettled_by: Iterable[str] = (),
    example_untestable: str | None = None,
):
    """Register the decorated function as the check of rule ``code``."""

    def deco(fn: Callable[["Context"], None]) -> Callable[["Context"], None]:
        if code in RULES:
            raise ValueError(f"duplicate rule code {code}")
        if fix_safe and not fix:
            raise ValueError(f"rule {code} calls a fix safe but describes none")
        RULES[code] = Rule(
            code, title, severity, scope, fn, category, rationale.strip(), provider, link,
            bad.strip("\n") if bad else None, good.strip("\n") if good else None, fix, fix_safe, tuple(unsettled_by),
            example_untestable,
        )
        return fn

    return deco


# The features a server.xml example written as the body of <server> gets:
# z/OS Connect OpenAPI 2 with its service providers, the API requester and
# Liberty security.  An example that needs others lists its own.
EXAMPLE_FEATURES = (
    "zosconnect:zosConnect-2.0",
    "zosconnect:cicsService-1.0",
    "imsmobile:imsmobile-2.0",
    "zosconnect:dbService-1.0",
    "zosconnect:mqService-1.0",
    "wmqJmsClient-2.0",
    "zosLocalAdapters-1.0",
    "zosconnect:apiRequester-1.0",
    "appSecurity-2.0",
    "zosSecurity-1.0",
    "transportSecurity-1.0",
)
_EXAMPLE_FILE = re.compile(r"^--- (\S+)[ \t]*$", re.MULTILINE)


def example_files(text: str) -> dict[str, str]:
    """The files of a rule's bad or good example, by path relative to the
    folder they are written to (in UTF-8).

    An example is one file, or several separated by lines ``--- NAME`` that
    name the file after them (``--- cics.csd``, ``--- .zcsec.toml``,
    ``--- tls.xml``).  Text before the first such line is named by how it
    starts: ``<`` server.xml, ``[`` .zcsec.toml, anything else cics.csd
    (DFHCSDUP input starts with a blank, a comment or a command).

    server.xml is either written whole (it starts with ``<?xml``,
    ``<!DOCTYPE`` or ``<server``) or is the body of <server>, which wraps
    it, with a featureManager for EXAMPLE_FEATURES unless the example has a
    featureManager of its own.  Every other file is taken as it is written.
    A .zcsec.toml is always there, empty unless the example gives one, so
    that the example runs with zcsec's defaults.
    """
    parts = _EXAMPLE_FILE.split(text)
    files: dict[str, str] = {}
    head = parts[0].strip("\n")
    if head.strip():
        files["server.xml" if head.startswith("<") else ".zcsec.toml" if head.startswith("[") else "cics.csd"] = head
    for name, body in zip(parts[1::2], parts[2::2]):
        if name in files or name.startswith(("/", "..")):
            raise ValueError(f"example file {name} given twice or outside the example's folder")
        files[name] = body.strip("\n")
    files.setdefault(".zcsec.toml", "")
    xml = files.get("server.xml")
    if xml is not None and not xml.startswith(("<?xml", "<!DOCTYPE", "<server")):
        features = "" if "<featureManager" in xml else "<featureManager>\n" + "".join(f"    <feature>{f}</feature>\n" for f in EXAMPLE_FEATURES) + "</featureManager>\n"
        files["server.xml"] = f"<server>\n{features}{xml}\n</server>"
    return {name: body + "\n" if body else "" for name, body in files.items()}


def rest_of(path: str) -> tuple[str, str]:
    """The unit of what a file holds outside its top-level elements or
    commands (the prolog, text between commands, ...)."""
    return ("rest", path)


@dataclass(slots=True, eq=False)
class Context:
    """What a check sees, and where it reports.  A check reads the parts its
    scope provides through typed accessors: ``config`` (config and xml-file
    scopes), ``xml_file`` (xml-file scope), ``csd_file`` (csd-file scope).

    **One part at a time** (issue 14).  A check that goes through its
    subjects with :meth:`elements`, :meth:`commands`, :meth:`problems`,
    :meth:`postures` or :meth:`of_type`, and reports only while it is at one
    of them, is checked again after an edit only for the parts that can have
    changed: the edited top-level elements or CSD commands (the *units*), and
    those whose subjects read something the edit changed (reads.py).  For
    that, what it reports at a subject must follow from that subject and
    from what it looks up (never from the subjects it saw before: such a
    check collects first and reports afterwards, and is then always checked
    whole).  Whatever a check reports outside those loops makes it a whole
    check."""

    rule: Rule
    workspace: Workspace
    scope_config: LibertyConfig | None = None
    scope_file: XmlFile | CsdFile | None = None
    findings: list[Finding] = field(default_factory=list)  # reported outside any unit
    track: bool = True  # keep what is read and reported by unit (False: a check that is not kept)
    only: set | None = None  # the units to check again; None: all of them
    unit: Any = None  # the unit being checked
    iterated: bool = False  # the check went through its subjects
    uses_postures: bool = False  # ... and they were connections
    split: bool = True  # everything it reported, it reported for a unit
    visited: int = 0  # how many units it went through
    by_unit: dict[Any, list[Finding]] = field(default_factory=dict)  # what it reported, by unit
    unit_keys: dict[Any, tuple] = field(default_factory=dict)  # what it read for each unit

    # -- subjects -------------------------------------------------------------
    def elements(self, *names: str) -> Iterator[ConfigElement]:
        """The elements of this XML file, each top-level element with its
        descendants; only those with one of ``names`` when names are given."""
        f = self.xml_file
        if names:
            found = [ce for ce in self._named(names) if ce.file is f]
            return self._each(found, _unit_of_element)
        return self._each(self._units(f), None, self.config.by_unit.__getitem__)

    def commands(self) -> Iterator[CsdCommand]:
        """The commands of this CSD file."""
        f = self.csd_file
        if self.only is None:
            cmds = f.doc.commands
        else:
            cmds = sorted((c for c in self.only if isinstance(c, CsdCommand) and c.document is f.doc), key=_verb_start)
        return self._each(cmds)

    def problems(self, code: str) -> Iterator[Problem | CsdProblem]:
        """What the parser found wrong in this file (the problems with
        ``code``), each with the unit it is in."""
        f = self.file
        only = self.only
        found = [(u, p) for u, p in _problems_by_code(self.workspace, f).get(code, ()) if only is None or u in only]
        return self._each(found, _first, _second_alone)

    def postures(self, *providers: str) -> Iterator[Posture]:
        """The connections of this configuration to ``providers`` (all when
        none is named), each with what its posture read."""
        # What a posture read is not noted for its unit: the engine checks
        # again the units whose postures were worked out again (Task.postures).
        only = self.only
        self.uses_postures = True
        wanted = frozenset(providers) if providers else None
        if only is None:
            records = unit_postures(self.workspace, self.config)
        else:
            found = postures_in(self.workspace, self.config, only)
            records = sorted(found, key=lambda rec: self.config.order(self.config.by_unit[rec.unit][0]))
        records = [rec for rec in records if rec.postures and (wanted is None or rec.providers & wanted)]

        def postures_of(rec: UnitPostures) -> list[Posture]:
            return rec.postures if wanted is None or rec.providers <= wanted else [p for p in rec.postures if p.provider in wanted]

        return self._each(records, _unit_of_record, postures_of)

    def top(self) -> Iterator[ConfigElement]:
        """The direct children of <server> in every file of this configuration."""
        if self.only is None:
            found = self.config.quiet_top()
        else:
            by_unit = self.config.by_unit
            found = sorted((by_unit[u][0] for u in self.only if u in by_unit), key=self.config.order)
        return self._each(found, _element_of)

    def of_type(self, *names: str) -> Iterator[ConfigElement]:
        """The elements of this configuration with one of ``names``."""
        return self._each(self._named(names), _unit_of_element)

    def _named(self, names: tuple[str, ...]) -> list[ConfigElement]:
        """The elements of this configuration with one of ``names`` (in the
        units to check again only)."""
        cfg = self.config
        if self.only is None:
            return cfg.quiet_of_type(*names)
        wanted = set(names)
        found = [ce for u in self.only if u in cfg.by_unit for ce in cfg.by_unit[u] if ce.name in wanted]
        found.sort(key=cfg.order)
        return found

    def _units(self, f: XmlFile) -> list[Element]:
        root = f.doc.root
        if root is None or root.name != "server":
            return []
        if self.only is None:
            return root.children
        return sorted((u for u in self.only if isinstance(u, Element) and u.parent is root), key=_unit_start)

    def _each(self, subjects: Iterable[Any], unit_of: Callable[[Any], Any] | None = None, items_of: Callable[[Any], Iterable[T]] | None = None) -> Iterator[T]:
        """For each subject (in order): its unit (``unit_of``, else itself)
        and the items to check (``items_of``, else the subject itself),
        noting for each unit what is read and reported while the check is at
        its items."""
        if self.unit is not None:  # subjects inside subjects: the check is whole
            self.split = False
            for s in subjects:
                if items_of is None:
                    yield s
                else:
                    yield from items_of(s)
            return
        self.iterated = True
        batch = LOG.keys
        unit_keys = self.unit_keys
        current: Any = None
        reads: list = []
        visited = 0
        if batch is not None and self.track:
            LOG.keys = reads  # what is read while the check is at a unit is that unit's
        try:
            for s in subjects:
                unit = s if unit_of is None else unit_of(s)
                if unit is not current:
                    if reads:
                        unit_keys[current] = unit_keys[current] + tuple(reads) if current in unit_keys else tuple(reads)
                        reads.clear()
                    visited += 1
                    self.unit = current = unit
                if items_of is None:
                    yield s
                else:
                    yield from items_of(s)
        finally:
            if reads:
                unit_keys[current] = unit_keys[current] + tuple(reads) if current in unit_keys else tuple(reads)
            LOG.keys = batch
            self.unit = None
            self.visited += visited

    @property
    def catalogue(self) -> Catalogue:
        return self.workspace.catalogue

    @property
    def project(self) -> ProjectConfig:
        return self.workspace.project

    @property
    def config(self) -> LibertyConfig:
        if self.scope_config is None:
            raise TypeError(f"rule {self.rule.code} ({self.rule.scope}) has no configuration in its scope")
        return self.scope_config

    @property
    def file(self) -> XmlFile | CsdFile:
        if self.scope_file is None:
            raise TypeError(f"rule {self.rule.code} ({self.rule.scope}) has no file in its scope")
        return self.scope_file

    @property
    def xml_file(self) -> XmlFile:
        f = self.file
        if not isinstance(f, XmlFile):
            raise TypeError(f"rule {self.rule.code} ({self.rule.scope}) has no XML file in its scope")
        return f

    @property
    def csd_file(self) -> CsdFile:
        f = self.file
        if not isinstance(f, CsdFile):
            raise TypeError(f"rule {self.rule.code} ({self.rule.scope}) has no CSD file in its scope")
        return f

    def report(
        self,
        span: Span,
        message: str,
        *,
        path: str | None = None,
        severity: Severity | None = None,
        fixes: Iterable[Fix] = (),
        related: Iterable[tuple[str, Span, str]] = (),
    ) -> None:
        target = path if path is not None else self.file.path
        finding = Finding(self.rule.code, severity or self.rule.severity, message, target, span, fixes=list(fixes), related=list(related))
        if self.unit is not None:
            self.by_unit.setdefault(self.unit, []).append(finding)
        else:
            self.split = False
            self.findings.append(finding)


def _problems_by_code(ws: Workspace, f: XmlFile | CsdFile) -> dict[str, list[tuple[Any, Any]]]:
    """The parser problems of a file by code, each with the unit it is in:
    worked out once per file for the parser rules (Workspace.cache is new
    after every edit)."""
    key = ("problems-by-code", f.path)
    problems = f.doc.problems
    cached = ws.cache.get(key)
    if cached is not None and cached[0] is problems:
        return cached[1]
    units: list = _top_units(f)
    rest = rest_of(f.path)
    out: dict[str, list[tuple[Any, Any]]] = {}
    for p in problems:
        at = p.span[0]
        k = bisect_right(units, at, key=_unit_start) - 1  # a few problems, many units
        unit = units[k] if k >= 0 and at < _unit_end(units[k]) else rest
        out.setdefault(p.code, []).append((unit, p))
    ws.cache[key] = (problems, out)
    return out


def _first(pair: tuple) -> Any:
    return pair[0]


def _second_alone(pair: tuple) -> tuple:
    return (pair[1],)


def _unit_of_record(rec: UnitPostures) -> Element:
    return rec.unit


def _element_of(ce: ConfigElement) -> Element:
    return ce.element


def _unit_of_element(ce: ConfigElement) -> Element:
    return ce.unit


def _verb_start(cmd: CsdCommand) -> int:
    return cmd.verb_span[0]


def _top_units(f: XmlFile | CsdFile) -> list:
    """The units of a file in order: the children of <server>, or the commands."""
    if isinstance(f, CsdFile):
        return f.doc.commands
    root = f.doc.root
    return root.children if root is not None and root.name == "server" else []


def _unit_start(unit: Element | CsdCommand) -> int:
    return unit.start if isinstance(unit, Element) else unit.verb_span[0]


def _unit_end(unit: Element | CsdCommand) -> int:
    return unit.span[1]
