"""The analysis service behind the language server: a long-lived, editor-neutral
view of the workspace.

It keeps the text of open documents as overlays over the disk, finds the
project (.zcsec.toml) and the files that belong with each document, and
rebuilds the workspace model and findings only when something changed.
Parsed files are cached by content in the shared :class:`FileStore`, so an
edit re-parses only the edited file.  Nothing here knows about LSP types.
"""

from __future__ import annotations

import os
import threading
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any, Callable, TypeVar

from .analysis import build, find_inputs, load_project_for, project_key
from .engine import Checker
from .findings import Finding
from .project import ProjectConfig, parse_project_text
from .remote import RemoteProject
from .sources import is_remote, name_suffix, remote_include_uri, remote_path, remote_uri
from .text import LineIndex
from .workspace import OPEN, FileStore, ModelProblem, Workspace, beside, expand_layout, file_kind, norm


T = TypeVar("T")

@dataclass(slots=True)
class Snapshot:
    """A built workspace and its findings, valid for one generation."""

    key: str
    generation: int
    workspace: Workspace
    findings: list[Finding]
    by_path: dict[str, list[Finding]] = field(default_factory=dict)


class AnalysisService:
    def __init__(self, roots: list[str] | None = None, *, settings_project: ProjectConfig | None = None) -> None:
        self.roots = [norm(r) for r in (roots or [])]
        self.store = FileStore()
        self.open_paths: set[str] = set()
        self.generation = 0
        self._files: dict[str, dict[str, str]] | None = None  # project key -> {path: "liberty"|"csd"}
        self._snapshots: dict[str, Snapshot] = {}
        self._checkers: dict[str, Checker] = {}  # project key -> what checked it last (issue 14: edits are checked incrementally)
        self._projects: dict[str, ProjectConfig] = {}
        self._lock = threading.RLock()
        self.remote_epoch = 0  # grows whenever what the editor gave is dropped
        self.settings_project = settings_project  # facts and rule levels from editor settings
        self._fetched: set[str] = set()  # files the editor read for remote documents
        self._remote: dict[str, RemoteProject] = {}  # project key -> what the editor gave for it
        self._remote_key: dict[str, str] = {}  # remote path -> its project key

    # -- documents ------------------------------------------------------------
    def open(self, path: str, text: str) -> None:
        with self._lock:
            p = norm(path)
            self.open_paths.add(p)
            self.store.set_overlay(p, text)
            self._changed(p, structural=p not in self._known_files())

    def change(self, path: str, text: str, index: LineIndex | None = None) -> None:
        """The open document ``path`` now reads ``text`` (``index``: the
        editor's line index of it, when it keeps one)."""
        with self._lock:
            p = norm(path)
            self.store.set_overlay(p, text, index)
            self._changed(p, structural=False)

    def close(self, path: str) -> None:
        with self._lock:
            p = norm(path)
            self.open_paths.discard(p)
            self.store.remove_overlay(p)
            if is_remote(p):
                # What the editor gave for remote documents is asked for again next time.
                for fetched in self._fetched - self.open_paths:
                    self.store.remove_overlay(fetched)
                    self.store.remote_problems.pop(fetched, None)
                self._fetched &= self.open_paths
                self._remote.clear()
                self._remote_key.clear()
                self.remote_epoch += 1
            self._changed(p, structural=True)

    def files_changed_on_disk(self, paths: list[str]) -> None:
        """Files changed, created or deleted outside the editor."""
        with self._lock:
            for p in paths:
                self.store.forget(p)
                if os.path.basename(p) == ".zcsec.toml":
                    self._projects.clear()
            self._changed(None, structural=True)

    def set_settings(self, project: ProjectConfig | None) -> None:
        with self._lock:
            self.settings_project = project
            self._projects.clear()
            self._changed(None, structural=False)

    def _changed(self, path: str | None, structural: bool) -> None:
        self.generation += 1
        if structural:
            self._files = None
        self._snapshots.clear()

    # -- projects and files -----------------------------------------------------
    def project_key(self, path: str) -> str:
        """The project of ``path``: its .zcsec.toml, else its workspace folder
        (else its own folder).  A document that is not a local file belongs
        to the project the editor gave for it (see :meth:`set_remote_project`),
        else is a project of its own."""
        p = norm(path)
        if is_remote(p):
            return self._remote_key.get(p, p)
        fallback = next((root for root in sorted(self.roots, key=len, reverse=True) if p == root or p.startswith(root + os.sep)), os.path.dirname(p))
        return project_key(p, fallback) or fallback

    def project(self, key: str) -> ProjectConfig:
        proj = self._projects.get(key)
        if proj is None:
            remote = self._remote.get(key)
            proj = remote_config(remote) if remote is not None else load_project_for(key)
            if self.settings_project is not None:
                proj = merge_settings(proj, self.settings_project)
            self._projects[key] = proj
        return proj

    def _known_files(self) -> set[str]:
        return {p for files in self._discover().values() for p in files}

    def _discover(self) -> dict[str, dict[str, str]]:
        if self._files is not None:
            return self._files
        files: dict[str, dict[str, str]] = {}
        kinds: dict[str, str] = {}
        if self.roots:
            kinds.update(find_inputs(self.roots, self.store).kinds())
        for p in sorted(self.open_paths - set(kinds)):
            kinds[p] = self.kind(p) or "liberty"
        for p, kind in kinds.items():
            files.setdefault(self.project_key(p), {})[p] = kind
        for key, remote in self._remote.items():
            for p in remote.csd:
                files.setdefault(key, {})[p] = "csd"
        self._files = files
        return files

    def kind(self, path: str) -> str | None:
        """'liberty', 'csd' or None for a document (see :func:`file_kind`)."""
        p = norm(path)
        return file_kind(p, self.project(self.project_key(p)), self.store, OPEN)

    # -- analysis -------------------------------------------------------------------
    def read(self, fn: Callable[..., T], *args: Any) -> T:
        """``fn(*args)`` with the analysis held still.  An edit updates the
        model in place (re-parsed elements and commands replaced, what
        follows moved), so an editor request that reads the model (hover,
        completion, ...) waits for an analysis under way, and an analysis
        waits for it, rather than reading a model half updated."""
        with self._lock:
            return fn(*args)

    def snapshot(self, path: str) -> Snapshot:
        """The workspace (and findings) that ``path`` belongs to."""
        with self._lock:
            p = norm(path)
            key = self.project_key(p)
            snap = self._snapshots.get(key)
            if snap is not None and snap.generation == self.generation:
                return snap
            files = dict(self._discover().get(key, {}))
            if p not in files:
                files[p] = self.kind(p) or "liberty"
            project = self.project(key)
            if self.store.max_size != project.max_file_size:
                self.store.max_size = project.max_file_size
            checker = self._checkers.setdefault(key, Checker())
            ws, findings = build(files, project, self.store, problems=self._remote_problems(key, p), checker=checker)
            by_path: dict[str, list[Finding]] = {}
            for f in findings:
                by_path.setdefault(f.path, []).append(f)
            snap = Snapshot(key, self.generation, ws, findings, by_path)
            self._snapshots[key] = snap
            return snap

    def all_snapshots(self) -> list[Snapshot]:
        """A snapshot of every project in the workspace folders."""
        with self._lock:
            out = []
            for key, files in self._discover().items():
                if files:
                    out.append(self.snapshot(next(iter(files))))
            return out

    def relevant(self, path: str, text: str) -> bool:
        """Whether a document with ``text`` is Liberty configuration or CSD
        input (other XML files are left alone)."""
        p = norm(path)
        return file_kind(p, self.project(self.project_key(p)), self.store, OPEN, text=text) is not None

    # -- documents that are not local files -------------------------------------------
    def missing_remote_files(self, path: str, limit: int = 50) -> list[tuple[str, str]]:
        """(URI, path) of the files that the remote document ``path``
        includes, directly or through other included files, and of the
        server.env and bootstrap.properties beside it, that zcsec has
        neither as an open document nor from the editor yet."""
        with self._lock:
            wanted: list[tuple[str, str]] = []
            seen = {norm(path)}
            queue = [norm(path)]
            while queue and len(wanted) < limit:
                current = queue.pop(0)
                xf, _ = self.store.xml(current) if current in self.store.overlays else (None, None)
                root = xf.doc.root if xf is not None else None
                for child in root.children if root is not None else []:
                    location = expand_layout(path, (child.value("location", exact=True) or "").strip()) if child.name == "include" else ""
                    uri = remote_include_uri(current, location) if location and "${" not in location else None
                    if uri is None:
                        continue
                    target = norm(remote_path(uri))
                    if target in seen:
                        continue
                    seen.add(target)
                    if target in self.store.overlays:
                        queue.append(target)
                    elif target not in self.store.remote_problems:
                        wanted.append((uri, target))
            if name_suffix(path) == ".xml":
                for name in ("server.env", "bootstrap.properties"):  # where ${env.X} and ${x} come from
                    target = beside(path, name)
                    uri = remote_uri(target) if target else None
                    if uri and target not in self.store.overlays and target not in self.store.remote_problems:
                        wanted.append((uri, target))
            return wanted

    def remote_read(self, path: str, text: str | None, problem: str | None = None) -> None:
        """What the editor answered for a file a remote document includes."""
        with self._lock:
            p = norm(path)
            self._fetched.add(p)
            if text is not None:
                self.store.set_overlay(p, text)
                self.store.remote_problems.pop(p, None)
            else:
                self.store.remote_problems[p] = problem or "no answer"
            self._changed(p, structural=False)

    def remote_project_known(self, path: str) -> bool:
        """Whether the editor already gave the project of the remote document ``path``."""
        with self._lock:
            return norm(path) in self._remote_key

    def set_remote_project(self, path: str, remote: RemoteProject) -> None:
        """The project the editor gave for the remote document ``path``: its
        .zcsec.toml and the CSD input that goes with it."""
        with self._lock:
            p = norm(path)
            old = self._remote.get(remote.key)
            self._remote[remote.key] = remote
            self._remote_key[p] = remote.key
            for csd, text in remote.csd.items():
                self._remote_key[csd] = remote.key
                if csd not in self.open_paths:
                    self.store.set_overlay(csd, text)
                    self._fetched.add(csd)
            if old != remote:
                self._projects.pop(remote.key, None)
            self._changed(p, structural=True)

    def _remote_problems(self, key: str, path: str) -> list[ModelProblem]:
        remote = self._remote.get(key)
        if remote is None or not remote.problems:
            return []
        where = next((p for p, k in self._remote_key.items() if k == key and p in self.open_paths), path)
        return [ModelProblem("remote-unreadable", where, (0, 0), message) for message in remote.problems]

    @staticmethod
    def remote_csd_entries(text: str | None) -> list[str]:
        """The csd_files entries of a remote .zcsec.toml's text."""
        return remote_config(RemoteProject(key="", folder=None, config_text=text)).csd_globs if text else []

    def findings(self, path: str) -> list[Finding]:
        snap = self.snapshot(path)
        return list(snap.by_path.get(norm(path), []))

    def dependents(self, path: str) -> list[str]:
        """Open documents whose findings may change when ``path`` changes:
        everything open in the same project."""
        # Called from worker threads while the main thread opens documents:
        # iterate a copy, under the lock ("Set changed size during iteration"
        # lost the diagnostics of documents opened in a burst).
        with self._lock:
            key = self.project_key(path)
            return sorted(p for p in list(self.open_paths) if self.project_key(p) == key)


def remote_config(remote: RemoteProject) -> ProjectConfig:
    """The settings of a remote project from its .zcsec.toml's text.
    Catalogue folders (``schemas``) are local folders, which a remote project has not."""
    if remote.config_text is None:
        return ProjectConfig()
    path = Path(remote_path(remote.config_uri or ""))
    proj = parse_project_text(remote.config_text, path)
    if proj.schema_dirs:
        proj.schema_dirs = []
        proj.problems.append("schemas names catalogue folders, which zcsec reads only from the local disk; they were not used for this remote project")
    return proj


def merge_settings(project: ProjectConfig, settings: ProjectConfig) -> ProjectConfig:
    """Editor settings fill in what .zcsec.toml leaves open; the file wins
    where both speak."""
    merged = ProjectConfig(
        path=project.path,
        product_line=project.product_line or settings.product_line,
        cics_release=project.cics_release or settings.cics_release,
        csd_globs=project.csd_globs or settings.csd_globs,
        schema_dirs=project.schema_dirs or settings.schema_dirs,
        variables={**settings.variables, **project.variables},
        rule_levels={**settings.rule_levels, **project.rule_levels},
        facts={**settings.facts, **project.facts},
        connection_facts={**settings.connection_facts, **project.connection_facts},
        host_facts={**settings.host_facts, **project.host_facts},
        max_file_size=project.max_file_size,
        problems=list(project.problems),
    )
    return merged

