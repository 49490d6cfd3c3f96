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
from dataclasses import dataclass, field
from typing import Callable, Iterable

from ..catalogue import Catalogue
from ..findings import Finding, Fix, Severity
from ..project import ProjectConfig
from ..text import Span
from ..workspace import CsdFile, LibertyConfig, Workspace, XmlFile

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


@dataclass(slots=True, eq=False)
class Context:
    """What a check sees, and where it reports.  A check reads the parts its
    scope provides through typed accessors: ``config`` (config and xml-file
    scopes), ``xml_file`` (xml-file scope), ``csd_file`` (csd-file scope)."""

    rule: Rule
    workspace: Workspace
    scope_config: LibertyConfig | None = None
    scope_file: XmlFile | CsdFile | None = None
    findings: list[Finding] = field(default_factory=list)

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
        self.findings.append(
            Finding(self.rule.code, severity or self.rule.severity, message, target, span, fixes=list(fixes), related=list(related))
        )
