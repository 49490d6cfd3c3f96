"""Editor settings: initialization options and workspace/configuration
(section "zcsec").  They use the same facts and rule levels as .zcsec.toml,
which wins where both speak."""

from __future__ import annotations

from dataclasses import dataclass, field

from ..project import ProjectConfig, parse_project

DEFAULT_DELAY_MS = 250
_KEYS = {
    "productLine": "product_line",
    "cicsRelease": "cics_release",
    "csdFiles": "csd_files",
    "maxFileSizeMb": "max_file_size_mb",
    "rules": "rules",
    "facts": "facts",
    "variables": "variables",
}


@dataclass(slots=True)
class Settings:
    diagnostics_delay_ms: int = DEFAULT_DELAY_MS
    project: ProjectConfig = field(default_factory=ProjectConfig)
    problems: list[str] = field(default_factory=list)


def parse_settings(raw: object) -> Settings:
    """Never raises: anything unusable is reported in ``problems`` and the
    default is used instead."""
    out = Settings()
    if raw is None:
        return out
    if not isinstance(raw, dict):
        out.problems.append("zcsec settings must be an object")
        return out
    nested = raw.get("zcsec")
    if isinstance(nested, dict):
        raw = nested
    delay = raw.get("diagnosticsDelayMs", DEFAULT_DELAY_MS)
    if isinstance(delay, (int, float)) and not isinstance(delay, bool) and 0 <= delay <= 60000:
        out.diagnostics_delay_ms = int(delay)
    else:
        out.problems.append("diagnosticsDelayMs must be a number of milliseconds between 0 and 60000")
    data = {toml: raw[key] for key, toml in _KEYS.items() if key in raw}
    try:
        out.project = parse_project(data)
    except Exception as exc:  # noqa: BLE001 - settings come from the client
        out.problems.append(f"zcsec settings could not be used: {exc}")
        out.project = ProjectConfig()
    out.problems.extend(out.project.problems)
    out.project.problems = []
    return out
