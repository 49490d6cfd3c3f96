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
from .workspace import Discovered, FileStore, ModelProblem, Workspace, discover


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


def build(
    files: dict[str, str], project: ProjectConfig, store: FileStore, unreadable: Iterable[tuple[str, str]] = (), problems: Iterable[ModelProblem] = ()
) -> tuple[Workspace, list[Finding]]:
    """Build the workspace of ``files`` (path -> 'liberty' or 'csd') under
    ``project`` and run the rules: the one way both the CLI and the language
    server build a workspace, so the editor shows what CI reports.
    ``unreadable`` are (path, why) of named files that could not be read;
    ``problems`` what else went wrong finding the input."""
    ws = Workspace(catalogue_for(project), project, store)
    ws.build([p for p, k in files.items() if k != "csd"], [p for p, k in files.items() if k == "csd"])
    for p, why in unreadable:
        ws.problems.append(ModelProblem("file-unreadable", p, (0, 0), why))
    ws.problems.extend(problems)
    return ws, run_rules(ws)


def analyse(paths: Iterable[str], project: ProjectConfig | None = None, store: FileStore | None = None) -> Result:
    """Analyse the files below ``paths`` as one workspace with one project
    configuration (found from the first path unless given)."""
    paths = [os.fspath(p) for p in paths]
    if project is None:
        project = project_for(paths[0] if paths else os.getcwd())
    store = store if store is not None else FileStore(project.max_file_size)
    found = discover(paths, project, store)
    ws, findings = build(found.kinds(), project, store, found.unreadable)
    return Result(ws, found, findings)


def find_inputs(paths: Iterable[str], store: FileStore) -> Discovered:
    """The Liberty configuration and CSD input below ``paths``: found by name
    and content, plus what the ``csd_files`` globs of each .zcsec.toml there
    name (below that project's folder)."""
    paths = [os.fspath(p) for p in paths]
    found = discover(paths, ProjectConfig(), store)
    taken = set(found.liberty) | set(found.csd)
    for key in project_files(paths):
        project = load_project(Path(key))
        if project.csd_globs and project.root is not None:
            extra = discover([str(project.root)], project, store)
            for p in extra.csd:
                if p not in taken:
                    taken.add(p)
                    found.csd.append(p)
    return found


def project_files(paths: Iterable[str]) -> list[str]:
    """Every .zcsec.toml below the folders in ``paths``, in walking order."""
    out = []
    for p in paths:
        if os.path.isdir(p):
            for dirpath, dirnames, filenames in os.walk(p):
                dirnames[:] = sorted(d for d in dirnames if d not in SKIP_DIRS and not d.startswith("."))
                if ".zcsec.toml" in filenames:
                    out.append(str((Path(dirpath) / ".zcsec.toml").resolve()))
    return out


def project_key(path: str, fallback: str | None) -> str | None:
    """The project a file belongs to: its nearest .zcsec.toml, else
    ``fallback`` (the CLI: everything named together; the editor: the
    workspace folder)."""
    found = find_project_file(Path(path))
    return str(found) if found is not None else fallback


def load_project_for(key: str | None) -> ProjectConfig:
    return load_project(Path(key)) if key and key.endswith(".zcsec.toml") else ProjectConfig()


def analyse_projects(paths: Iterable[str]) -> list[Result]:
    """Analyse ``paths``, splitting what they contain by .zcsec.toml: files
    below a folder with a project file form their own workspace, so that
    independent servers (and their CICS regions) never mix."""
    paths = [os.fspath(p) for p in paths]
    found = find_inputs(paths, FileStore())
    groups: dict[str | None, dict[str, str]] = {}
    for p, kind in found.kinds().items():
        groups.setdefault(project_key(p, None), {})[p] = kind
    for toml in project_files(paths):  # a project with no input yet still counts
        groups.setdefault(toml, {})
    results = []
    for key, files in groups.items():
        project = load_project_for(key)
        store = FileStore(project.max_file_size)
        ws, findings = build(files, project, store)
        results.append(Result(ws, Discovered([p for p, k in files.items() if k != "csd"], [p for p, k in files.items() if k == "csd"]), findings))
    if found.unreadable:
        ws, findings = build({}, ProjectConfig(), FileStore(), found.unreadable)
        results.append(Result(ws, Discovered(unreadable=list(found.unreadable)), findings))
    return results

