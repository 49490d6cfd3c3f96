"""One entry point for the whole analysis, shared by the CLI and the
language server: find the project settings, load the catalogue, build the
workspace and run the rules."""

from __future__ import annotations

import os
from dataclasses import dataclass
from pathlib import Path
from typing import Iterable

from .catalogue import Catalogue, load_catalogue
from .engine import run_rules
from .findings import Finding
from .project import ProjectConfig, find_project_file, load_project
from .workspace import Discovered, FileStore, Workspace, load_workspace


@dataclass(slots=True)
class Result:
    workspace: Workspace
    discovered: Discovered
    findings: list[Finding]


def project_for(path: str) -> ProjectConfig:
    found = find_project_file(Path(path))
    return load_project(found)


def catalogue_for(project: ProjectConfig) -> Catalogue:
    return load_catalogue(extra_dirs=project.schema_dirs)


def analyse(paths: Iterable[str], project: ProjectConfig | None = None, store: FileStore | None = None) -> Result:
    paths = [os.fspath(p) for p in paths]
    if project is None:
        project = project_for(paths[0] if paths else os.getcwd())
    catalogue = catalogue_for(project)
    ws, found = load_workspace(paths, catalogue, project, store)
    findings = run_rules(ws)
    return Result(ws, found, findings)


def group_by_project(paths: Iterable[str]) -> list[tuple[ProjectConfig, list[str]]]:
    """Paths that share a .zcsec.toml are analysed together."""
    groups: dict[str | None, tuple[ProjectConfig, list[str]]] = {}
    for p in paths:
        found = find_project_file(Path(p)) if os.path.exists(p) else None
        key = str(found) if found else None
        if key not in groups:
            groups[key] = (load_project(found), [])
        groups[key][1].append(p)
    return list(groups.values())
