"""The project file ``.zcsec.toml``: found by walking up from a checked file.

It holds what no configuration file states (see docs/configuration.md):
rule enablement and severities, facts such as whether the z/OS Connect
server and a CICS region share a sysplex, the CICS TS release, the z/OS
Connect product line, globs for CSD files, extra variable values and
project-local catalogue folders.
"""

from __future__ import annotations

import itertools
import sys
from dataclasses import dataclass, field
from pathlib import Path

from .findings import Severity

PROJECT_FILE = ".zcsec.toml"
FACT_NAMES = ("same_sysplex", "at_tls", "distributed_identity_mapping", "wola_propagates_identity")


@dataclass(slots=True)
class ProjectConfig:
    path: Path | None = None
    product_line: str | None = None  # "OA2" or "OA3"
    cics_release: str | None = None
    csd_globs: list[str] = field(default_factory=list)
    schema_dirs: list[Path] = field(default_factory=list)
    variables: dict[str, str] = field(default_factory=dict)
    rule_levels: dict[str, Severity | None] = field(default_factory=dict)  # None = off
    facts: dict[str, bool] = field(default_factory=dict)
    connection_facts: dict[str, dict[str, bool]] = field(default_factory=dict)
    host_facts: dict[str, dict[str, bool]] = field(default_factory=dict)
    max_file_size: int = 20 * 1024 * 1024
    problems: list[str] = field(default_factory=list)

    @property
    def root(self) -> Path | None:
        return self.path.parent if self.path else None

    def fact(self, name: str, connection_id: str | None = None, host: str | None = None) -> bool | None:
        """A fact for one connection: its own entry, then its host's, then the
        project default; None when nothing settles it."""
        if connection_id and name in self.connection_facts.get(connection_id, {}):
            return self.connection_facts[connection_id][name]
        if host and name in self.host_facts.get(host.lower(), {}):
            return self.host_facts[host.lower()][name]
        return self.facts.get(name)

    def level(self, code: str, default: Severity) -> Severity | None:
        if code in self.rule_levels:
            return self.rule_levels[code]
        return default


def find_project_file(start: Path, known: dict[Path, Path | None] | None = None) -> Path | None:
    """The nearest .zcsec.toml of a file or folder, looking up from its
    real location.  ``known`` remembers the answer for each folder looked
    at, across calls (the files of a tree share their folders)."""
    try:
        start = start.resolve()
        here = start if start.is_dir() else start.parent
        seen = []
        found = None
        for d in itertools.chain((here,), here.parents):
            if known is not None and d in known:
                found = known[d]
                break
            seen.append(d)
            candidate = d / PROJECT_FILE
            if candidate.is_file():
                found = candidate
                break
    except (OSError, ValueError):  # a name too long, a NUL in a path from an editor's URI
        return None
    if known is not None:
        known.update((d, found) for d in seen)
    return found


def _bool_table(raw: object, where: str, problems: list[str]) -> dict[str, bool]:
    out: dict[str, bool] = {}
    if not isinstance(raw, dict):
        problems.append(f"{where} must be a table")
        return out
    for key, val in raw.items():
        if key in FACT_NAMES:
            if isinstance(val, bool):
                out[key] = val
            else:
                problems.append(f"{where}.{key} must be true or false")
    return out


def parse_project(data: dict, path: Path | None = None) -> ProjectConfig:  # noqa: C901 - one branch per .zcsec.toml key, each with its own validation
    cfg = ProjectConfig(path=path)
    problems = cfg.problems
    base = path.parent if path else Path.cwd()
    pl = data.get("product_line")
    if pl is not None:
        if str(pl).upper() in ("OA2", "OA3"):
            cfg.product_line = str(pl).upper()
        else:
            problems.append("product_line must be \"OA2\" or \"OA3\"")
    if "cics_release" in data:
        cfg.cics_release = str(data["cics_release"])
    globs = data.get("csd_files", [])
    if isinstance(globs, list) and all(isinstance(g, str) for g in globs):
        cfg.csd_globs = list(globs)
    else:
        problems.append("csd_files must be a list of glob strings")
    schemas = data.get("schemas", [])
    if isinstance(schemas, str):
        schemas = [schemas]
    if isinstance(schemas, list):
        cfg.schema_dirs = [(base / s).resolve() for s in schemas if isinstance(s, str)]
    else:
        problems.append("schemas must be a folder name or a list of them")
    variables = data.get("variables", {})
    if isinstance(variables, dict):
        cfg.variables = {str(k): str(v) for k, v in variables.items()}
    else:
        problems.append("[variables] must be a table")
    if "max_file_size_mb" in data:
        try:
            cfg.max_file_size = int(float(data["max_file_size_mb"]) * 1024 * 1024)
        except (TypeError, ValueError):
            problems.append("max_file_size_mb must be a number")
    rules = data.get("rules", {})
    if isinstance(rules, dict):
        for code, level in rules.items():
            if isinstance(level, bool):
                if not level:
                    cfg.rule_levels[code] = None
                continue
            text = str(level).strip().lower()
            if text in ("off", "false", "none", "disable", "disabled"):
                cfg.rule_levels[code] = None
            else:
                try:
                    cfg.rule_levels[code] = Severity.parse(text)
                except ValueError as exc:
                    problems.append(f"[rules] {code}: {exc}")
    else:
        problems.append("[rules] must be a table")
    facts = data.get("facts", {})
    if isinstance(facts, dict):
        cfg.facts = _bool_table({k: v for k, v in facts.items() if k in FACT_NAMES}, "[facts]", problems)
        for cid, table in (facts.get("connections") or {}).items():
            cfg.connection_facts[str(cid)] = _bool_table(table, f"[facts.connections.{cid}]", problems)
        for host, table in (facts.get("hosts") or {}).items():
            cfg.host_facts[str(host).lower()] = _bool_table(table, f"[facts.hosts.\"{host}\"]", problems)
    else:
        problems.append("[facts] must be a table")
    return cfg


def load_project(path: Path | None) -> ProjectConfig:
    if path is None:
        return ProjectConfig()
    try:
        text = path.read_text(encoding="utf-8")
    except (OSError, UnicodeDecodeError) as exc:
        cfg = ProjectConfig(path=path)
        cfg.problems.append(f"cannot read {path.name}: {exc}")
        return cfg
    return parse_project_text(text, path)


def parse_project_text(text: str, path: Path | None) -> ProjectConfig:
    """The settings in the text of a .zcsec.toml at ``path`` (a local file, or
    one the editor gave)."""
    # Imported here: the language server reads its settings (parse_project)
    # before it answers initialize, and a .zcsec.toml only after.
    if sys.version_info >= (3, 11):
        import tomllib
    else:  # pragma: no cover - exercised on Python 3.10 only
        import tomli as tomllib
    try:
        data = tomllib.loads(text)
    except tomllib.TOMLDecodeError as exc:
        cfg = ProjectConfig(path=path)
        cfg.problems.append(f"{path.name if path else PROJECT_FILE} is not valid TOML: {exc}")
        return cfg
    return parse_project(data, path)
