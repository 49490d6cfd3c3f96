"""One entry point for the whole analysis, shared by the CLI and the
language server: find the project settings, load the catalogue, build the
workspace and run the rules."""

from __future__ import annotations

import functools
import gc
import os
from contextlib import contextmanager
from dataclasses import dataclass
from pathlib import Path
from typing import Any, Callable, Iterable, Iterator

from .catalogue import Catalogue, load_catalogue
from .engine import Checker
from .findings import Finding, Severity
from .project import ProjectConfig, find_project_file, load_project
from .workspace import Discovered, FileStore, ModelProblem, Workspace, discover, norm


@dataclass(slots=True)
class Result:
    workspace: Workspace
    discovered: Discovered
    findings: list[Finding]


def project_for(path: str) -> ProjectConfig:
    found = find_project_file(Path(path))
    return load_project(found)


def catalogue_for(project: ProjectConfig) -> Catalogue:
    if _batch is None:
        return load_catalogue(extra_dirs=project.schema_dirs)
    key = tuple(str(d) for d in project.schema_dirs)
    found = _batch.get(key)
    if found is None:
        found = _batch[key] = load_catalogue(extra_dirs=project.schema_dirs)
    return found


# The catalogues of one run over many projects (check_projects,
# analyse_projects), by the project's schema folders: their files are
# listed and looked at once per run, not once per project.  Otherwise each
# load looks whether a catalogue file changed (the language server runs for
# a long time).
_batch: dict[tuple[str, ...], Catalogue] | None = None


@contextmanager
def _one_batch() -> Iterator[None]:
    global _batch
    outer = _batch
    _batch = {} if outer is None else outer
    try:
        yield
    finally:
        _batch = outer


def build(
    files: dict[str, str],
    project: ProjectConfig,
    store: FileStore,
    unreadable: Iterable[tuple[str, str]] = (),
    problems: Iterable[ModelProblem] = (),
    checker: Checker | None = None,
) -> tuple[Workspace, list[Finding]]:
    """Build the workspace of ``files`` (path -> 'liberty' or 'csd') under
    ``project`` and run the rules: the one way both the CLI and the language
    server build a workspace, so the editor shows what CI reports.
    ``unreadable`` are (path, why) of named files that could not be read;
    ``problems`` what else went wrong finding the input.  ``checker`` is the
    one that checked this workspace before (the editor, after an edit): it
    checks again only what the edit can have changed, with the same
    result."""
    extra = [ModelProblem("file-unreadable", p, (0, 0), why) for p, why in unreadable] + list(problems)
    liberty = [norm(p) for p, k in files.items() if k != "csd"]
    csd = [norm(p) for p, k in files.items() if k == "csd"]
    catalogue = catalogue_for(project)
    prev = checker.workspace if checker is not None else None
    delta = None
    if prev is not None and prev.project is project and prev.catalogue is catalogue and prev.store is store and prev.inputs == (tuple(liberty), tuple(csd)):
        delta = prev.refresh(extra)  # the same workspace after edits: brought up to date in place
    ws = prev if prev is not None and delta is not None else Workspace(catalogue, project, store).build(liberty, csd, extra)
    return ws, (checker if checker is not None else Checker(keep=False)).check(ws, delta)


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
    for key in found.projects:
        project = load_project(Path(key))
        if project.csd_globs and project.root is not None:
            extra = discover([str(project.root)], project, store)
            for p in extra.csd:
                if p not in taken:
                    taken.add(p)
                    found.csd.append(p)
    return found


def project_key(path: str, fallback: str | None, known: dict[Path, Path | None] | None = None) -> str | None:
    """The project a file belongs to: its nearest .zcsec.toml, else
    ``fallback`` (the CLI: everything named together; the editor: the
    workspace folder).  ``known``: see find_project_file."""
    found = find_project_file(Path(path), known)
    return str(found) if found is not None else fallback


def load_project_for(key: str | None) -> ProjectConfig:
    return load_project(Path(key)) if key and key.endswith(".zcsec.toml") else ProjectConfig()


Group = tuple[str | None, dict[str, str]]  # a project's key (its .zcsec.toml) and its files


def project_groups(paths: Iterable[str]) -> tuple[list[Group], list[tuple[str, str]]]:
    """What ``paths`` contain, split by .zcsec.toml: files below a folder
    with a project file form their own workspace, so that independent
    servers (and their CICS regions) never mix.  Also the (path, why) of
    named files that could not be read."""
    paths = [os.fspath(p) for p in paths]
    found = find_inputs(paths, FileStore())
    groups: dict[str | None, dict[str, str]] = {}
    known: dict[Path, Path | None] = {}
    for p, kind in found.kinds().items():
        groups.setdefault(project_key(p, None, known), {})[p] = kind
    for toml in found.projects:  # a project with no input yet still counts
        groups.setdefault(toml, {})
    return list(groups.items()), list(found.unreadable)


def _analyse_group(group: Group) -> Result:
    key, files = group
    project = load_project_for(key)
    ws, findings = build(files, project, FileStore(project.max_file_size))
    return Result(ws, Discovered([p for p, k in files.items() if k != "csd"], [p for p, k in files.items() if k == "csd"]), findings)


def _unreadable_result(unreadable: list[tuple[str, str]]) -> Result:
    ws, findings = build({}, ProjectConfig(), FileStore(), unreadable)
    return Result(ws, Discovered(unreadable=unreadable), findings)


def analyse_projects(paths: Iterable[str]) -> list[Result]:
    """Analyse ``paths`` one project at a time (see :func:`project_groups`)."""
    groups, unreadable = project_groups(paths)
    with _one_batch():
        results = [_analyse_group(g) for g in groups]
    if unreadable:
        results.append(_unreadable_result(unreadable))
    return results


# A finding's severity and its part of the report (output.Report.part).
Checked = tuple[Severity, Any]


def _itself(f: Finding) -> Finding:
    return f


def _check_group(group: Group, part: Callable[[Finding], Any] = _itself) -> tuple[list[tuple[tuple, int, Any]], int]:
    """The findings of one project, each as (its sort key, its severity,
    ``part`` of it), and how many files were read.  This is what a worker
    process of :func:`check_projects` sends back: made small (the report's
    text of a finding rather than the finding) so that little has to be
    copied between processes."""
    with _collector_paused():
        result = _analyse_group(group)
        files = sum(1 for _ in result.workspace.files())
        checked = _parts(result.findings, part)
        del result  # a parse tree points back at its parents: garbage for the collector, which runs again below
    return checked, files


@contextmanager
def _collector_paused() -> Iterator[None]:
    """No automatic garbage collection while a project is checked.  All
    it builds lives until the check is done, and the collector would look
    at each of those objects several times while they pile up (a tenth of
    a check's time); once the project is done, one collection frees it."""
    was = gc.isenabled()
    gc.disable()
    try:
        yield
    finally:
        if was:
            gc.enable()


def check_projects(paths: Iterable[str], jobs: int | None = None, part: Callable[[Finding], Any] = _itself) -> tuple[list[Checked], int]:
    """The findings of every project in ``paths``, each as (its severity,
    ``part`` of it: output.Report.part) in the order of the report, and how
    many files were read; the projects shared among ``jobs`` processes
    (default: one per core).  The answer is the one a serial run gives:
    each project is checked on its own, and the findings are sorted (a
    stable sort) from the order of the projects.  The processes take the
    largest projects first, so that none is left with a large one at the
    end while the others wait."""
    groups, unreadable = project_groups(paths)
    jobs = max(1, jobs if jobs is not None else (os.cpu_count() or 1))
    check = functools.partial(_check_group, part=part)
    with _one_batch():
        parts = _check_all(groups, jobs, check)
        if unreadable:
            parts.append((_parts(_unreadable_result(unreadable).findings, part), 0))
    checked = [c for found, _ in parts for c in found]
    checked.sort(key=_first)
    return [(SEVERITY[s], p) for _, s, p in checked], sum(n for _, n in parts)


def _check_all(groups: list[Group], jobs: int, check: Callable[[Group], tuple[list[tuple[tuple, int, Any]], int]]) -> list[tuple[list[tuple[tuple, int, Any]], int]]:
    """``check`` of each group, in the order of the groups: in ``jobs``
    processes (forked, the largest groups first) when there are several."""
    import multiprocessing  # here: the language server, which imports this module, starts no processes

    if jobs == 1 or len(groups) < 2 or "fork" not in multiprocessing.get_all_start_methods():
        return [check(g) for g in groups]
    catalogue_for(ProjectConfig())  # loaded once, before the workers are forked
    order = sorted(range(len(groups)), key=lambda i: -_group_bytes(groups[i]))
    done: list[tuple[list[tuple[tuple, int, Any]], int] | None] = [None] * len(groups)
    gc.freeze()  # what the workers share stays out of their collections (and its memory shared)
    try:
        with multiprocessing.get_context("fork").Pool(min(jobs, len(groups))) as pool:
            for i, got in zip(order, pool.imap(check, [groups[i] for i in order], chunksize=1)):
                done[i] = got
    finally:
        gc.unfreeze()
    return [p for p in done if p is not None]


SEVERITY = {int(s): s for s in Severity}


def _parts(findings: list[Finding], part: Callable[[Finding], Any]) -> list[tuple[tuple, int, Any]]:
    return [(f.sort_key(), int(f.severity), part(f)) for f in findings]


def _first(item: tuple) -> Any:
    return item[0]


def _group_bytes(group: Group) -> int:
    """The size of a project's files (0 for one that cannot be read)."""
    total = 0
    for path in group[1]:
        try:
            total += os.path.getsize(path)
        except OSError:
            pass
    return total
