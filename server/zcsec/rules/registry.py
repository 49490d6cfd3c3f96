"""The rule catalogue: one entry per diagnostic code.

A rule keeps its condition (the ``check`` function), its message, its
default severity, its documentation and its fix together.  Every code zcsec
can report is a rule here, including parser problems, so that ``zcsec rules``
and docs/rules.md list all of them.
"""

from __future__ import annotations

from dataclasses import dataclass, field
from typing import Callable, Iterable

from ..findings import Finding, Fix, Severity

Span = tuple[int, int]

# Scopes: when a rule's check runs and what its context holds.
XML_FILE = "xml-file"  # once per Liberty XML file (ctx.config, ctx.file)
CONFIG = "config"  # once per Liberty configuration (ctx.config)
CSD_FILE = "csd-file"  # once per CSD file (ctx.file)
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
    unsettled_by: tuple[str, ...] = ()  # .zcsec.toml facts that settle the rule


RULES: dict[str, Rule] = {}


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
    unsettled_by: Iterable[str] = (),
):
    """Register the decorated function as the check of rule ``code``."""

    def deco(fn: Callable[["Context"], None]) -> Callable[["Context"], None]:
        if code in RULES:
            raise ValueError(f"duplicate rule code {code}")
        RULES[code] = Rule(
            code, title, severity, scope, fn, category, rationale.strip(), provider, link,
            bad.strip("\n") if bad else None, good.strip("\n") if good else None, fix, tuple(unsettled_by),
        )
        return fn

    return deco


@dataclass(slots=True, eq=False)
class Context:
    """What a check sees, and where it reports."""

    rule: Rule
    workspace: object  # zcsec.workspace.Workspace
    config: object | None = None  # zcsec.workspace.LibertyConfig
    file: object | None = None  # XmlFile or CsdFile
    findings: list[Finding] = field(default_factory=list)

    @property
    def catalogue(self):
        return self.workspace.catalogue

    @property
    def project(self):
        return self.workspace.project

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
            Finding(self.rule.code, severity or self.rule.severity, message, target, span, None, list(fixes), list(related))
        )
