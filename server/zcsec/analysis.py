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
from .sources import SKIP_DIRS
from .project import ProjectConfig, find_project_file, load_project
from .workspace import Discovered, FileStore, ModelProblem, Workspace, discover, load_workspace


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
    """Analyse the files below ``paths`` as one workspace with one project
    configuration (found from the first path unless given)."""
    paths = [os.fspath(p) for p in paths]
    if project is None:
        project = project_for(paths[0] if paths else os.getcwd())
    catalogue = catalogue_for(project)
    ws, found = load_workspace(paths, catalogue, project, store)
    findings = run_rules(ws)
    return Result(ws, found, findings)


def analyse_projects(paths: Iterable[str]) -> list[Result]:
    """Analyse ``paths``, splitting what they contain by .zcsec.toml: files
    below a folder with a project file form their own workspace, so that
    independent servers (and their CICS regions) never mix."""
    paths = [os.fspath(p) for p in paths]
    probe = FileStore()
    found = discover(paths, ProjectConfig(), probe)
    groups: dict[str | None, list[str]] = {}
    order: list[str | None] = []
    for p in found.liberty + found.csd:
        pf = find_project_file(Path(p))
        key = str(pf) if pf else None
        if key not in groups:
            groups[key] = []
            order.append(key)
        groups[key].append(p)
    # A project whose only input comes from its csd_files globs still counts.
    for p in paths:
        if os.path.isdir(p):
            for dirpath, dirnames, filenames in os.walk(p):
                dirnames[:] = [d for d in dirnames if d not in SKIP_DIRS and not d.startswith(".")]
                if ".zcsec.toml" in filenames:
                    key = str((Path(dirpath) / ".zcsec.toml").resolve())
                    if key not in groups:
                        groups[key] = []
                        order.append(key)
    results = []
    for key in order:
        project = load_project(Path(key)) if key else ProjectConfig()
        catalogue = catalogue_for(project)
        store = FileStore(project.max_file_size)
        files = groups[key]
        if project.csd_globs and project.root is not None:
            # Files only the project's csd_files globs make CSD input.
            root = str(project.root)
            extra = discover(paths, project, store)
            files = files + [p for p in extra.csd if p not in files and (p == root or p.startswith(root + os.sep))]
        ws, sub = load_workspace(files, catalogue, project, store)
        results.append(Result(ws, sub, run_rules(ws)))
    if found.unreadable:
        ws = Workspace(catalogue_for(ProjectConfig()), ProjectConfig())
        for p, why in found.unreadable:
            ws.problems.append(ModelProblem("file-unreadable", p, (0, 0), why))
        results.append(Result(ws, Discovered(unreadable=list(found.unreadable)), run_rules(ws)))
    return results


def group_by_project(paths: Iterable[str]) -> list[tuple[ProjectConfig, list[str]]]:
    """The given paths grouped by the .zcsec.toml each belongs to."""
    groups: dict[str | None, tuple[ProjectConfig, list[str]]] = {}
    for p in paths:
        found = find_project_file(Path(p)) if os.path.exists(p) else None
        key = str(found) if found else None
        if key not in groups:
            groups[key] = (load_project(found), [])
        groups[key][1].append(p)
    return list(groups.values())
