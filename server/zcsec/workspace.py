"""The workspace model: Liberty configurations with everything they bring in,
and the CSD definitions of all CSD files, linked to each other.

A Liberty configuration is a root server.xml plus its ``<include>`` files,
``configDropins/defaults`` and ``configDropins/overrides``, ``<variable>``
values and the ``server.env`` / ``bootstrap.properties`` next to it.  Lookups
(by id, by type, enabled features) see the merged view; every item keeps its
own file and offsets.  A CSD model holds the DEFINEs of all CSD files by
resource type, name and group.
"""

from __future__ import annotations

import fnmatch
import os
import posixpath
import re
import threading
from bisect import bisect_left, insort
from collections import Counter
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any, Callable, Iterable, Iterator, TypeVar
from urllib.parse import urlsplit

from .catalogue import Catalogue, ElementSpec
from .csdparse import CsdCommand, CsdDocument, parse_csd, reparse_csd
from .findings import Severity
from .project import PROJECT_FILE, ProjectConfig
from .reads import note
from .sources import (
    CSD_EXTENSIONS, SKIP_DIRS, SourceText, child_uri, classify, decode_bytes, file_name, folder_uri, has_server_root, is_remote, name_suffix,
    norm, read_source, remote_include_uri, remote_path, remote_uri,
)
from .text import LineIndex, Reparse, Span, TextChange, text_change
from .xmlparse import Element, XmlDocument, parse_xml, reparse_xml

T = TypeVar("T")

_VAR = re.compile(r"\$\{([^}]*)\}")
_BINARY_SERVER = re.compile(rb"<(?:[A-Za-z_][\w.\-]*:)?server[\s>/]")


# ---------------------------------------------------------------------------
# Files
# ---------------------------------------------------------------------------


# How many changes of a file's text FileStore remembers (XmlFile.changes).
KEPT_CHANGES = 16
_LINE_BREAK = re.compile(r"\r\n|\r|\n")


@dataclass(slots=True)
class FileChange:
    """One change of a file's text: how it was re-parsed, and the stretch of
    the old text whose lines the edit touched (``touched``; the whole text
    when the edit wrote a carriage return, since what reads how lines end
    reads the whole file)."""

    reparse: Reparse
    touched: Span
    lines: int | None = 0  # how many lines the edit added (negative: removed); None when not known
    suppressions: bool = True  # the lines it touched hold (or held) a zcsec-disable comment
    whole: bool = False  # every unit was replaced (the text was parsed whole again)

    @staticmethod
    def of(old: str, new: str, reparse: Reparse) -> "FileChange":
        edit = reparse.edit or reparse.change
        # A carriage return in the edit, or next to it (a "\r" and a "\n"
        # that now make one line break, or no longer do).
        a = max(0, edit.start - 1)
        if "\r" in old[a : edit.old_end + 1] or "\r" in new[a : edit.new_end + 1]:
            return FileChange(reparse, (0, len(old)), None)
        start = max(old.rfind("\n", 0, edit.start), old.rfind("\r", 0, edit.start)) + 1
        m = _LINE_BREAK.search(old, edit.old_end)
        end = m.start() if m is not None else len(old)
        lines = new.count("\n", edit.start, edit.new_end) - old.count("\n", edit.start, edit.old_end)
        d = edit.new_end - edit.old_end
        suppressions = old.find("zcsec-disable", start, end) >= 0 or new.find("zcsec-disable", start, end + d) >= 0
        return FileChange(reparse, (start, end), lines, suppressions)

    @property
    def delta(self) -> int:
        edit = self.reparse.edit or self.reparse.change
        return edit.new_end - edit.old_end


def move_span(span: Span, changes: list[FileChange] | None) -> Span | None:
    """Where ``span`` is after ``changes`` (oldest first); None when it is on
    a line an edit touched."""
    if not changes:
        return span
    a, b = span
    for ch in changes:
        t0, t1 = ch.touched
        if b >= t0 and a <= t1:
            return None
        edit = ch.reparse.edit or ch.reparse.change
        if a >= edit.old_end:
            d = edit.new_end - edit.old_end
            a, b = a + d, b + d
    return (a, b)


@dataclass(slots=True, eq=False)
class XmlFile:
    """A parsed Liberty XML file.  FileStore keeps one per path and updates
    it in place when the text changes: ``version`` counts the changes, and
    ``changes`` holds the last few as (version, how it was re-parsed), the
    re-parse None when the whole text was parsed again."""

    path: str
    text: str
    doc: XmlDocument
    index: LineIndex
    read_problem: str | None = None
    version: int = 0
    changes: list[tuple[int, FileChange | None]] = field(default_factory=list, repr=False)


@dataclass(slots=True, eq=False)
class CsdFile:
    """A parsed CSD file, kept and updated like :class:`XmlFile`."""

    path: str
    text: str
    doc: CsdDocument
    index: LineIndex
    read_problem: str | None = None
    version: int = 0
    changes: list[tuple[int, FileChange | None]] = field(default_factory=list, repr=False)


def changes_since(f: XmlFile | CsdFile, version: int) -> list[FileChange] | None:
    """The changes that brought ``f`` from ``version`` to its current one,
    oldest first; None when one of them was a full parse or they are no
    longer all known."""
    if version == f.version:
        return []
    if version > f.version or not f.changes or f.changes[0][0] > version + 1:
        return None
    out = []
    for v, reparse in f.changes:
        if v > version:
            if reparse is None:
                return None
            out.append(reparse)
    return out


def _record(f: XmlFile | CsdFile, text: str, reparse: Reparse | None, whole: bool = False) -> None:
    if reparse is not None and reparse.edit is None and not reparse.removed and not reparse.added:
        return  # the same text again
    f.version += 1
    change = FileChange.of(f.text, text, reparse) if reparse is not None else None
    if change is not None and whole:
        # A change that replaced every unit holds the whole previous parse:
        # only the last one is kept (an older one reads as a full parse).
        change.whole = True
        f.changes = [(v, None if ch is not None and ch.whole else ch) for v, ch in f.changes]
    f.changes.append((f.version, change))
    if len(f.changes) > KEPT_CHANGES:
        del f.changes[0]


def _server_children(doc: XmlDocument) -> list[Element] | None:
    """The top-level elements of a Liberty file (a copy), None when its root
    is not <server>."""
    root = doc.root
    return list(root.children) if root is not None and root.name == "server" else None


@dataclass(slots=True)
class ModelProblem:
    """A problem found while building the model (include, variable, file)."""

    code: str
    path: str
    span: Span
    message: str
    severity: Severity | None = None  # None: the rule's default


class FileStore:
    """Reads and parses files, caching by content.  Editors put the text of
    open documents in ``overlays``; those win over the disk.

    A file has one XmlFile (or CsdFile) for its lifetime: when its text
    changes, the new text is parsed given the previous parse
    (xmlparse.reparse_xml, csdparse.reparse_csd: only what the edit touched
    is read again) and the object is updated in place.  A workspace built
    before sees the new text; the analysis service builds a new one for
    every change (one generation)."""

    def __init__(self, max_size: int = 20 * 1024 * 1024) -> None:
        self.max_size = max_size
        self.overlays: dict[str, str] = {}
        self._indexes: dict[str, LineIndex] = {}  # the editor's line indexes of overlays (see set_overlay)
        self.remote_problems: dict[str, str] = {}  # remote path -> why the editor could not read it
        self._disk: dict[str, tuple[tuple[int, int], SourceText]] = {}
        self._xml: dict[str, tuple[str, XmlFile]] = {}
        self._csd: dict[str, tuple[str, int, CsdFile]] = {}

    def set_overlay(self, path: str, text: str, index: LineIndex | None = None) -> None:
        """The editor's text of ``path``, with the editor's line index of
        it when there is one (kept as each change is applied, so the file
        need not find its lines again)."""
        p = norm(path)
        self.overlays[p] = text
        if index is not None and index.text is text:
            self._indexes[p] = index
        else:
            self._indexes.pop(p, None)

    def remove_overlay(self, path: str) -> None:
        self.overlays.pop(norm(path), None)
        self._indexes.pop(norm(path), None)

    def _line_index(self, p: str, text: str, old: LineIndex | None = None, change: TextChange | None = None) -> LineIndex:
        """The line index of ``text``: the editor's, else ``old`` moved
        with ``change``, else a new one."""
        given = self._indexes.get(p)
        if given is not None and given.text is text:
            return given
        return old.edited(text, change) if old is not None and change is not None else LineIndex(text)

    def forget(self, path: str) -> None:
        p = norm(path)
        self._disk.pop(p, None)

    def source(self, path: str, *, xml: bool | None = None) -> SourceText:
        p = norm(path)
        if p in self.overlays:
            text = self.overlays[p]
            if len(text) > self.max_size:  # the editor's text obeys the same limit as the disk
                return SourceText(Path(p), None, f"the document has {len(text) / 1048576:.1f} million characters, over the {self.max_size / 1048576:.0f} MB limit (max_file_size_mb in .zcsec.toml); it was not checked", "file-too-large", True)
            return SourceText(Path(p), text)
        if is_remote(p):
            return SourceText(Path(p), None, "the document is not a local file and is not open in the editor", "file-unreadable", True)
        try:
            st = os.stat(p)
            key = (st.st_mtime_ns, st.st_size)
        except (OSError, ValueError):  # ValueError: a NUL in the path
            key = (-1, -1)
        cached = self._disk.get(p)
        if cached is not None and cached[0] == key and key != (-1, -1):
            return cached[1]
        src = read_source(Path(p), self.max_size, xml=xml)
        self._disk[p] = (key, src)
        return src

    def xml(self, path: str) -> tuple[XmlFile | None, SourceText]:
        p = norm(path)
        src = self.source(p, xml=True)
        if src.text is None:
            return None, src
        cached = self._xml.get(p)
        if cached is not None and cached[0] is src.text:
            return cached[1], src
        if cached is None:
            f = XmlFile(p, src.text, parse_xml(src.text), self._line_index(p, src.text), src.problem)
        else:
            f = cached[1]
            doc, reparse = reparse_xml(f.doc, src.text)
            whole = False
            if reparse is None:
                f.index = self._line_index(p, src.text)
                before, after = _server_children(f.doc), _server_children(doc)
                if before is not None and after is not None:
                    # Parsed whole again, <server> before and after: every
                    # top-level element was replaced, and the model can still
                    # follow that.
                    reparse, whole = Reparse(TextChange(0, len(f.text), len(src.text)), before, after, text_change(f.text, src.text)), True
            else:
                f.index = self._line_index(p, src.text, f.index, reparse.change)
            _record(f, src.text, reparse if src.problem == f.read_problem else None, whole)
            f.text, f.doc, f.read_problem = src.text, doc, src.problem
        self._xml[p] = (src.text, f)
        return f, src

    def csd(self, path: str, catalogue: Catalogue) -> tuple[CsdFile | None, SourceText]:
        p = norm(path)
        src = self.source(p, xml=False)
        if src.text is None:
            return None, src
        cached = self._csd.get(p)
        if cached is not None and cached[0] is src.text and cached[1] == id(catalogue):
            return cached[2], src
        if cached is None:
            f = CsdFile(p, src.text, parse_csd(src.text, catalogue.csd), self._line_index(p, src.text), src.problem)
        else:
            f = cached[2]
            if cached[1] == id(catalogue):
                doc, reparse = reparse_csd(f.doc, src.text, catalogue.csd)
                whole = reparse is None
                if reparse is None:
                    # Read whole again (a job, a continued record at the edge of
                    # the edit): every command was replaced, and the model can
                    # still follow that.
                    reparse = Reparse(TextChange(0, len(f.text), len(src.text)), list(f.doc.commands), list(doc.commands), text_change(f.text, src.text))
                    f.index = self._line_index(p, src.text)
                else:
                    f.index = self._line_index(p, src.text, f.index, reparse.change)
            else:  # another catalogue (a project's own schemas) reads the commands differently
                doc, reparse, whole = parse_csd(src.text, catalogue.csd), None, False
                f.index = self._line_index(p, src.text)
            _record(f, src.text, reparse if src.problem == f.read_problem else None, whole)
            f.text, f.doc, f.read_problem = src.text, doc, src.problem
        self._csd[p] = (src.text, id(catalogue), f)
        return f, src


# ---------------------------------------------------------------------------
# Liberty configuration
# ---------------------------------------------------------------------------


@dataclass(slots=True, eq=False)
class ConfigElement:
    """An element of a Liberty configuration with its file and catalogue spec."""

    file: XmlFile
    element: Element
    spec: ElementSpec | None
    parent: "ConfigElement | None" = None

    @property
    def name(self) -> str:
        """The element's name as the catalogue spells it.  Liberty matches
        nested elements that their parent defines without regard to case
        (<properties.wmqJMS> is a <properties.wmqJms>) but top-level names
        exactly; an element zcsec does not know keeps the name as written."""
        return self.spec.name if self.spec is not None else self.element.name

    @property
    def id(self) -> str | None:
        return self.element.value("id", exact=True)  # ID="x" is no id to Liberty

    @property
    def path(self) -> str:
        return self.file.path

    @property
    def unit(self) -> Element:
        """The direct child of <server> this element is written in (itself
        when it is one): what an edit re-parses as a whole."""
        top = self
        while top.parent is not None:
            top = top.parent
        return top.element


@dataclass(slots=True)
class Variable:
    name: str
    value: str | None
    path: str | None = None
    span: Span | None = None
    origin: str = "variable"  # variable, bootstrap.properties, server.env, builtin, project
    default: bool = False  # defined with defaultValue only


@dataclass(slots=True)
class IncludeLink:
    file: XmlFile
    element: Element
    location: str
    target: str | None  # resolved path, when it could be resolved
    optional: bool


class LibertyConfig:
    def __init__(self, root: str, catalogue: Catalogue, project: ProjectConfig) -> None:
        self.root = root
        self.catalogue = catalogue
        self.project = project
        self.files: dict[str, XmlFile] = {}
        self.roles: dict[str, str] = {}
        self.includes: list[IncludeLink] = []
        self.problems: list[ModelProblem] = []
        self.variables: dict[str, Variable] = {}
        # What the rules may read goes through the lookups below, which note
        # what they read (zcsec/reads.py); these are the indexes behind them.
        self._elements: list[ConfigElement] = []  # every element below <server>, all files
        self._top: list[ConfigElement] = []  # direct children of <server>
        self._by_id: dict[str, list[ConfigElement]] = {}
        self._by_file: dict[str, list[ConfigElement]] = {}  # every element, by the file it is written in
        self.by_name: dict[str, list[ConfigElement]] = {}  # every element, by element name
        self.by_unit: dict[Element, list[ConfigElement]] = {}  # a direct child of <server> -> it and its descendants
        self.of_element: dict[int, ConfigElement] = {}  # id(parsed Element) -> its ConfigElement
        self._features: dict[str, list[tuple[XmlFile, Element]]] = {}
        self.cache: dict[object, Any] = {}  # derived models (e.g. postures), built on first use; keys name them
        self.rank: dict[str, int] = {}  # path -> its place among the files (the order of the elements)
        self.env_texts: dict[str, str | None] = {}  # server.env, bootstrap.properties as read

    # -- what is read as a whole ----------------------------------------------
    @property
    def elements(self) -> list[ConfigElement]:
        """Every element below <server>, all files, in order (reads everything)."""
        note(("all",))
        return self._elements

    @property
    def top(self) -> list[ConfigElement]:
        """The direct children of <server>, all files (reads everything)."""
        note(("all",))
        return self._top

    @property
    def features(self) -> dict[str, list[tuple[XmlFile, Element]]]:
        """The features written in featureManagers, by lower-case name."""
        note(("features",))
        return self._features

    def quiet_top(self) -> list[ConfigElement]:
        """:attr:`top` without noting the read: for the engine, which goes
        through these elements as the subjects of a check."""
        return self._top

    def in_file(self, path: str) -> list[ConfigElement]:
        """Every element written in ``path``, in order."""
        note("file", path)
        return self._by_file.get(path, [])

    def ids(self) -> list[str]:
        """Every id of the configuration."""
        note(("ids",))
        return list(self._by_id)

    def ids_of_types(self, types: tuple[str, ...]) -> list[str]:
        """The ids of the elements of ``types`` (computed once per set of
        types)."""
        note(("ids",))
        key = ("ids-of-types", types)
        found = self.cache.get(key)
        if found is None:
            wanted = set(types)
            found = self.cache[key] = [i for i, ces in self._by_id.items() if any(ce.name in wanted for ce in ces)]
        return found

    # -- lookups ------------------------------------------------------------
    def find(self, ident: str, types: Iterable[str] | None = None) -> list[ConfigElement]:
        note("id", ident)
        found = self._by_id.get(ident, [])
        if types is None:
            return list(found)
        wanted = set(types)
        return [ce for ce in found if ce.name in wanted]

    def referenced(self, attr: str, ident: str | None, *, unknown: bool = False) -> bool:
        """Whether an element of the configuration (one zcsec does not know,
        with ``unknown``) names ``ident`` in its attribute ``attr`` (a *Ref)."""
        if ident is None:
            return False
        note("refby", attr.lower(), ident)
        key = ("refby", attr, unknown)
        found = self.cache.get(key)
        if found is None:
            found = self.cache[key] = Counter(_refs(self._elements, attr, unknown))
        return found[ident] > 0

    def of_type(self, *names: str) -> list[ConfigElement]:
        for n in names:
            note("type", n)
        return self.quiet_of_type(*names)

    def quiet_of_type(self, *names: str) -> list[ConfigElement]:
        """:meth:`of_type` without noting the read: for the engine, which
        goes through these elements as the subjects of a check."""
        if len(names) == 1:
            return list(self.by_name.get(names[0], ()))
        found = [ce for n in set(names) for ce in self.by_name.get(n, ())]
        found.sort(key=self.order)
        return found

    def order(self, ce: ConfigElement) -> int:
        """Where an element comes in the configuration: its file, then its offset."""
        return (self.rank[ce.file.path] << 40) + ce.element.start

    def children(self, ce: ConfigElement, name: str | None = None) -> list[ConfigElement]:
        """The child elements of ``ce`` (with that name), in document order."""
        out = []
        for child in ce.element.children:
            found = self.of_element.get(id(child))
            if found is not None and (name is None or found.name == name):
                out.append(found)
        return out

    def enabled_features(self) -> tuple[set[str], list[tuple[str, str, frozenset[str]]]]:
        """The closure of the enabled features (lower case) and the enabled
        features whose closure is unknown (see Catalogue.feature_closure)."""
        key = "feature-closure"
        note(("features",))
        found = self.cache.get(key)
        if found is None:
            found = self.cache[key] = self.catalogue.liberty.feature_closure(self._features)
        return found

    def has_feature(self, *names: str) -> bool:
        """Whether one of ``names`` is enabled, directly or by another feature."""
        closure, _ = self.enabled_features()
        return any(n.lower() in closure for n in names)

    def may_have_feature(self, *names: str) -> bool:
        """Whether one of ``names`` is or may be enabled: also when a feature
        whose closure zcsec does not know may bring it in."""
        if self.has_feature(*names):
            return True
        _, unknown = self.enabled_features()
        for _, may, never in unknown:
            for n in names:
                if n.lower() not in never and (may == "any" or ":" not in n):
                    return True
        return False

    def default_instance(self, ident: str, types: Iterable[str] | None = None) -> str | None:
        """The element name of Liberty's own instance with this id (one that
        exists without being written), when it is of one of ``types``."""
        found = self.catalogue.liberty.default_instances.get(ident)
        if found is None or (types is not None and found["element"] not in set(types)):
            return None
        return found["element"]

    def resolve(self, value: str, _depth: int = 0) -> str | None:
        """Substitute ``${name}`` variables; None when one cannot be resolved.

        Variables that refer to each other many times over can describe an
        enormous value (the "billion laughs" of Liberty variables); a value
        that would grow past MAX_RESOLVED characters counts as unresolved."""
        if "${" not in value:
            return value
        try:
            return self._resolve(value, _depth, [0, 0])
        except _TooLong:
            return None

    def _resolve(self, value: str, depth: int, produced: list[int]) -> str | None:
        # produced: [characters substituted, substitutions made] for the whole value
        unresolved = False

        def sub(m: re.Match) -> str:
            nonlocal unresolved
            produced[1] += 1
            if produced[1] > MAX_SUBSTITUTIONS:
                raise _TooLong
            var = self.variables.get(m.group(1).strip())
            if var is None or var.value is None:
                unresolved = True
                return m.group(0)
            out = var.value
            if "${" in out:
                if depth >= 10:  # a variable that refers to itself, directly or not
                    unresolved = True
                    return m.group(0)
                inner = self._resolve(out, depth + 1, produced)
                if inner is None:
                    unresolved = True
                    return m.group(0)
                out = inner
            produced[0] += len(out)
            if produced[0] > MAX_RESOLVED:
                raise _TooLong
            return out

        out = _VAR.sub(sub, value)
        return None if unresolved else out

    def unresolved_variables(self, value: str) -> list[str]:
        return [m.group(1) for m in _VAR.finditer(value) if self.variables.get(m.group(1).strip()) is None]

    @property
    def server_dir(self) -> str:
        return os.path.dirname(self.root)

    @property
    def fragment(self) -> bool:
        """Whether this configuration was started from a file that is not a
        server.xml: an include fragment checked on its own (db2.xml, a
        workshop snippet).  The file that includes it is not in view, so
        what comes from there (features, the elements a reference names,
        attributes merged into an element of the same id) is unknown."""
        return file_name(self.root).lower() != "server.xml"

    @property
    def missing_includes(self) -> list[IncludeLink]:
        """Includes whose file is not there: ids, features and attributes
        may come from them."""
        return self.cache.get("missing-includes", [])


MAX_RESOLVED = 1 << 16  # characters substituted for variables in one value
MAX_SUBSTITUTIONS = 10_000  # variable references followed for one value


class _TooLong(Exception):
    pass


def _read_properties(text: str) -> Iterator[tuple[str, str, int]]:
    """key=value pairs of a properties/env file, with the offset of the key."""
    offset = 0
    for line in text.splitlines(keepends=True):
        stripped = line.strip()
        if stripped and not stripped.startswith(("#", "!")):
            m = re.match(r"\s*([^=:\s]+)\s*[=:]\s*(.*?)\s*$", line.rstrip("\r\n"))
            if m:
                yield m.group(1), m.group(2), offset + m.start(1)
        offset += len(line)


def beside(path: str, name: str) -> str:
    """The file ``name`` in the folder of ``path`` (for a remote document,
    in the folder of its URI)."""
    uri = remote_uri(path)
    if uri is not None:
        folder = folder_uri(uri)
        return norm(remote_path(child_uri(folder, name))) if folder else ""
    return os.path.join(os.path.dirname(path), name)


def _join(folder: str, name: str) -> str:
    return os.path.join(folder, name)


def layout_variables(root: str) -> dict[str, str]:
    """Liberty's directory variables for a configuration started from
    ``root``: local paths, or for a remote document URIs of its file
    system (a relative include written with them then names the same file
    as the editor has)."""
    uri = remote_uri(root)
    if uri is not None:
        server_dir = folder_uri(uri) or uri
        wlp_user = folder_uri(folder_uri(server_dir) or server_dir) or server_dir
        name = posixpath.basename(urlsplit(server_dir).path.rstrip("/"))
        join, sep = child_uri, "/"
    else:
        server_dir = os.path.dirname(root)
        wlp_user = os.path.dirname(os.path.dirname(server_dir))
        name = os.path.basename(server_dir)
        join, sep = _join, os.sep
    return {
        "server.config.dir": server_dir + sep,
        "server.output.dir": server_dir + sep,
        "wlp.server.name": name,
        "wlp.user.dir": wlp_user + sep,
        "shared.config.dir": join(join(wlp_user, "shared"), "config") + sep,
        "shared.resource.dir": join(join(wlp_user, "shared"), "resources") + sep,
        "usr.extension.dir": join(wlp_user, "extension") + sep,
    }


def expand_layout(root: str, location: str) -> str:
    """``location`` with Liberty's directory variables (``${server.config.dir}``
    and the like) replaced for a configuration started from ``root``; other
    variables are left as they are."""
    if "${" not in location:
        return location
    for name, value in layout_variables(root).items():
        location = location.replace("${" + name + "}", value)
    return location


def build_config(root: str, store: FileStore, catalogue: Catalogue, project: ProjectConfig) -> LibertyConfig:
    root = norm(root)
    cfg = LibertyConfig(root, catalogue, project)
    server_dir = os.path.dirname(root)
    for name, value in layout_variables(root).items():
        cfg.variables[name] = Variable(name, value, origin="builtin")
    # server.env (${env.X}) and bootstrap.properties (${x}) next to server.xml.
    for fname, prefix, origin in (("server.env", "env.", "server.env"), ("bootstrap.properties", "", "bootstrap.properties")):
        p = beside(root, fname)
        if p in store.overlays or (not is_remote(p) and os.path.isfile(p)):
            src = store.source(p, xml=False)
            cfg.env_texts[p] = src.text
            if src.text is not None:
                for key, value, off in _read_properties(src.text):
                    cfg.variables[prefix + key] = Variable(prefix + key, value, norm(p), (off, off + len(key)), origin)
    for name, value in project.variables.items():
        cfg.variables[name] = Variable(name, value, str(project.path) if project.path else None, None, "project")

    dropins = os.path.join(server_dir, "configDropins")
    defaults = _dropin_files(os.path.join(dropins, "defaults"))
    overrides = _dropin_files(os.path.join(dropins, "overrides"))
    order: list[tuple[str, str, IncludeLink | None]] = [(p, "defaults", None) for p in defaults]
    order.append((root, "root", None))
    order.extend((p, "overrides", None) for p in overrides)
    for path, role, _ in order:
        _load_file(cfg, store, path, role, [], None)
    _index(cfg)
    return cfg


def _dropin_files(directory: str) -> list[str]:
    try:
        names = sorted(n for n in os.listdir(directory) if n.lower().endswith(".xml"))
    except (OSError, ValueError):  # ValueError: a NUL in the path
        return []
    return [norm(os.path.join(directory, n)) for n in names]


def _load_file(cfg: LibertyConfig, store: FileStore, path: str, role: str, stack: list[str], via: IncludeLink | None) -> None:
    """Load ``path`` and, depth first and in document order, every file it
    includes.  The include tree is walked with an explicit stack, not by
    recursion, so that a chain of hundreds of includes cannot exhaust
    Python's recursion limit."""
    pending = [_load_one(cfg, store, path, role, stack, via)]
    while pending:
        try:
            target, sub_stack, link = next(pending[-1])
        except StopIteration:
            pending.pop()
            continue
        if _include(cfg, target, sub_stack, link):
            pending.append(_load_one(cfg, store, target, "include", sub_stack, link))


def _load_one(cfg: LibertyConfig, store: FileStore, path: str, role: str, stack: list[str], via: IncludeLink | None) -> Iterator[tuple[str, list[str], IncludeLink]]:  # noqa: C901 - one place reads a file of a configuration, with every way that can fail
    """Load one file; yields (target, include stack, link) for every file it
    includes, to be loaded (by :func:`_load_file`) before it carries on."""
    path = norm(path)
    f, src = store.xml(path)
    if f is None:
        if via is not None:
            code = "include-unreadable" if src.problem_code != "file-too-large" else "file-too-large"
            cfg.problems.append(
                ModelProblem(code, via.file.path, _location_span(via), f"the included file {file_name(path)} cannot be used: {src.problem}")
            )
        else:
            cfg.problems.append(ModelProblem(src.problem_code or "file-unreadable", path, (0, 0), src.problem or "cannot read the file"))
        return
    if path in cfg.files:
        return
    cfg.files[path] = f
    cfg.roles[path] = role
    cfg.cache.setdefault("loaded-realpaths", set()).add(_real(cfg, path))
    if f.read_problem:
        cfg.problems.append(ModelProblem("file-encoding", path, (0, 0), f.read_problem))
    root = f.doc.root
    if root is None:
        return
    if root.name != "server":
        cfg.problems.append(
            ModelProblem("include-not-server", path, root.name_span, f"a Liberty configuration file must have a <server> root, not <{root.name}>")
        )
        return
    # Variables first so that include locations can use them.
    for child in root.children:
        if child.name == "variable":
            name = child.value("name", exact=True)
            if name:
                value = child.value("value", exact=True)
                default = value is None
                if value is None:
                    value = child.value("defaultValue", exact=True)
                existing = cfg.variables.get(name)
                if default and existing is not None and existing.origin != "builtin":
                    continue  # a defaultValue never overrides a value
                attr = child.get("name")
                cfg.variables[name] = Variable(name, value, path, attr.value_span if attr else child.name_span, "variable", default)
    for child in root.children:
        if child.name != "include":
            continue
        loc_attr = child.get("location", exact=True)
        if loc_attr is None or not loc_attr.value.strip():
            continue  # reported by the required-attribute rule
        location = loc_attr.value.strip()
        optional = (child.value("optional") or "false").strip().lower() == "true"
        link = IncludeLink(f, child, location, None, optional)
        cfg.includes.append(link)
        if re.match(r"^[a-zA-Z][a-zA-Z0-9+.\-]*://", location):
            cfg.problems.append(
                ModelProblem("include-remote", path, loc_attr.value_span, f"zcsec never fetches remote includes; '{location}' was not checked")
            )
            continue
        resolved = cfg.resolve(location)
        if resolved is None:
            names = ", ".join(cfg.unresolved_variables(location))
            message = (
                f"the include location uses variables zcsec cannot resolve ({names}); set them in [variables] of .zcsec.toml to check the included file"
                if names
                else "the include location uses variables that refer to themselves or grow to an enormous value; zcsec did not follow it"
            )
            cfg.problems.append(ModelProblem("include-unresolved", path, loc_attr.value_span, message))
            continue
        if is_remote(path):
            # Relative to the document's URI; the editor may have fetched it (see remote_include_uris).
            target = remote_path(remote_include_uri(path, resolved) or "")
        else:
            target = resolved if os.path.isabs(resolved) else os.path.join(os.path.dirname(path), resolved)
        target = norm(target)
        link.target = target
        if os.path.isdir(target):
            for member in _dropin_files(target):
                yield member, stack + [path], link
            continue
        if not os.path.lexists(target) and target not in store.overlays:
            if optional:
                continue
            elsewhere = _only_on_the_server(cfg, location)
            if is_remote(path):
                why = store.remote_problems.get(norm(target))
                elsewhere = (
                    f"the editor could not give it to zcsec ({why})" if why
                    else "the document is not a local file, and zcsec reads only local files, the documents open in the editor and what the editor reads for it"
                )
            if elsewhere:
                message = f"the included file '{location}' is not here: {elsewhere}; zcsec checks the configuration without it"
                severity = Severity.INFORMATION
            else:
                message = f"the included file '{location}' does not exist (looked for {target}); create it, fix the location or add optional=\"true\""
                severity = None
            cfg.problems.append(ModelProblem("include-missing", path, loc_attr.value_span, message, severity))
            cfg.cache.setdefault("missing-includes", []).append(link)
            continue
        yield target, stack + [path], link


# Files that the server itself writes at run time: a CICS Liberty JVM server
# writes installedApps.xml for the applications that CICS bundles install.
RUNTIME_FILES = frozenset({"installedapps.xml"})
# Locations that follow the Liberty directory layout (wlp/usr/servers/NAME).
LAYOUT_VARIABLES = ("server.output.dir", "shared.config.dir", "shared.resource.dir", "shared.app.dir", "wlp.user.dir", "usr.extension.dir", "wlp.install.dir")


def _only_on_the_server(cfg: LibertyConfig, location: str) -> str | None:
    """Why a missing include is expected to exist only on the server, or None."""
    if os.path.basename(location.replace("\\", "/")).lower() in RUNTIME_FILES:
        return "the server writes this file at run time"
    m = re.match(r"\s*\$\{([^}]+)\}", location)
    if m and m.group(1).strip() in LAYOUT_VARIABLES and not _in_liberty_layout(cfg):
        return f"${{{m.group(1).strip()}}} is a directory of the Liberty installation, and these files are not laid out as one (usr/servers/NAME)"
    return None


def _in_liberty_layout(cfg: LibertyConfig) -> bool:
    parts = re.split(r"[\\/]", layout_variables(cfg.root)["server.config.dir"].rstrip("/\\"))
    return len(parts) >= 2 and parts[-2] == "servers"


def _real(cfg: LibertyConfig, path: str) -> str:
    """The path with symbolic links resolved (cached per configuration)."""
    cache = cfg.cache.setdefault("realpaths", {})
    real = cache.get(path)
    if real is None:
        try:
            real = os.path.realpath(path)
        except (OSError, ValueError):  # ValueError: a NUL in the path
            real = path
        cache[path] = real
    return real


def _include(cfg: LibertyConfig, target: str, stack: list[str], link: IncludeLink) -> bool:
    """Whether ``target``, included through ``link``, is still to be loaded.

    Files are compared with symbolic links resolved: a directory that links
    to itself makes endless distinct paths to the same files (two such
    links, an exponential number), and must end as a cycle instead."""
    real = _real(cfg, target)
    reals = [_real(cfg, p) for p in stack]
    if target in stack or real in reals:
        start = stack.index(target) if target in stack else reals.index(real)
        names = [file_name(p) for p in stack[start:] + [target]]
        if len(names) > 9:  # a cycle through hundreds of files: keep the message readable
            names = names[:4] + [f"... {len(names) - 8} more ..."] + names[-4:]
        cycle = " -> ".join(names)
        cfg.problems.append(
            ModelProblem("include-cycle", link.file.path, _location_span(link), f"this include forms a cycle ({cycle}); Liberty reads each file once, remove the loop")
        )
        return False
    if target in cfg.files:
        return False
    if real in cfg.cache.get("loaded-realpaths", ()):
        return False  # a file already loaded, reached through a symbolic link
    return True


def _location_span(link: IncludeLink) -> Span:
    attr = link.element.get("location")
    return attr.value_span if attr is not None else link.element.name_span


def _index(cfg: LibertyConfig) -> None:
    lib = cfg.catalogue.liberty
    for f in cfg.files.values():
        root = f.doc.root
        if root is None or root.name != "server":
            continue
        for child in root.children:
            spec = lib.element(child.name)
            ce = ConfigElement(f, child, spec)
            cfg._top.append(ce)
            ces = _walk(cfg, ce)
            cfg._elements.extend(ces)
            cfg.by_unit[child] = ces
    cfg.rank = {p: n for n, p in enumerate(cfg.files)}
    for ce in cfg._elements:
        cfg._by_file.setdefault(ce.file.path, []).append(ce)
        cfg.by_name.setdefault(ce.name, []).append(ce)
        cfg.of_element[id(ce.element)] = ce
        ident = ce.id
        if ident:
            cfg._by_id.setdefault(ident, []).append(ce)
    _index_features(cfg)


def _index_features(cfg: LibertyConfig) -> None:
    cfg._features = {}
    for ce in cfg.by_name.get("featureManager", ()):
        for feat in ce.element.children:
            if feat.name == "feature":
                name = feat.text(ce.file.text).strip()
                if name:
                    cfg._features.setdefault(name.lower(), []).append((ce.file, feat))


def _refs(elements: Iterable[ConfigElement], attr: str, unknown: bool) -> Iterator[str]:
    """The ids the elements name in their attribute ``attr`` (only those zcsec
    does not know, with ``unknown``): the index of LibertyConfig.referenced."""
    for e in elements:
        if e.element.get(attr) is not None and (not unknown or e.spec is None):
            yield (e.element.value(attr) or "").strip()


def _walk(cfg: LibertyConfig, ce: ConfigElement) -> list[ConfigElement]:
    """``ce`` and its descendants, in document order."""
    out = []
    stack = [ce]
    while stack:
        cur = stack.pop()
        out.append(cur)
        for child in reversed(cur.element.children):
            spec = cur.spec.child(child.name) if cur.spec is not None else None
            if spec is None:
                # Liberty lets a referenced element be nested in place of its *Ref.
                spec = cfg.catalogue.liberty.element(child.name) if cur.spec is not None and _nested_ref(cur.spec, child.name) else None
            stack.append(ConfigElement(cur.file, child, spec, cur))
    return out


# Top-level elements whose edit changes a configuration as a whole: a new
# build follows it.
STRUCTURAL = frozenset({"include", "variable"})


@dataclass(slots=True)
class Delta:
    """What changed in a workspace when it was brought up to date
    (Workspace.refresh)."""

    keys: set  # reads.py keys the edits touched
    removed: set  # units (top-level elements, CSD commands) that are gone
    added: dict[str, list]  # path -> its new units
    movers: dict[str, list[FileChange]]  # path -> its changes, in order
    postures: set = field(default_factory=set)  # units whose connections were worked out again (posture.update_postures)


def _units_changed(changes: list[FileChange]) -> tuple[list, list]:
    """The units a series of re-parses removed (that were there before the
    first) and added (that are there after the last)."""
    added: dict[Any, None] = {}
    removed: list = []
    for change in changes:
        for unit in change.reparse.removed:
            if unit in added:
                del added[unit]
            else:
                removed.append(unit)
        added.update((u, None) for u in change.reparse.added)
    return removed, list(added)


def _signature(problems: list[ModelProblem]) -> tuple:
    return tuple((p.code, p.path, p.span, p.message, p.severity) for p in problems)


# Derived models of a configuration that only a new build changes
# (LibertyConfig.cache): an edit of some elements keeps them.
_BUILD_CACHES = frozenset({"missing-includes", "realpaths", "loaded-realpaths", "unit-postures"})


def _index_of(items: list, item: Any) -> int:
    """The position of ``item`` (the same object) in ``items``."""
    for k, x in enumerate(items):
        if x is item:
            return k
    raise ValueError("not in the list")


def shift_span(span: Span, changes: list[FileChange]) -> Span:
    """Where a span outside every changed stretch is after ``changes``."""
    a, b = span
    for ch in changes:
        edit = ch.reparse.edit or ch.reparse.change
        if a >= edit.old_end:
            d = edit.new_end - edit.old_end
            a, b = a + d, b + d
    return (a, b)


def apply_units(cfg: LibertyConfig, path: str, removed: list[Element], added: list[Element], changes: list[FileChange]) -> bool:
    """Bring ``cfg``'s indexes up to date after edits of ``path`` re-parsed
    some of its top-level elements: ``removed`` are gone, ``added`` are new
    (the others are kept: the same objects, moved).  Returns whether the ids
    (with the types of their elements) changed."""
    f = cfg.files[path]
    gone: list[ConfigElement] = []
    for unit in removed:
        ces = cfg.by_unit.pop(unit, None)
        if not ces:
            continue
        gone.extend(ces)
        top = ces[0]
        del cfg._top[_index_of(cfg._top, top)]
        k = _index_of(cfg._elements, top)
        del cfg._elements[k : k + len(ces)]
        in_file = cfg._by_file[path]
        k = _index_of(in_file, top)
        del in_file[k : k + len(ces)]
        for ce in ces:
            _drop(cfg.by_name, ce.name, ce)
            cfg.of_element.pop(id(ce.element), None)
            if ce.id:
                _drop(cfg._by_id, ce.id, ce)
    new: list[ConfigElement] = []
    lib = cfg.catalogue.liberty
    order = cfg.order
    for unit in added:
        top = ConfigElement(f, unit, lib.element(unit.name))
        ces = _walk(cfg, top)
        cfg.by_unit[unit] = ces
        new.extend(ces)
        insort(cfg._top, top, key=order)
        k = bisect_left(cfg._elements, order(top), key=order)
        cfg._elements[k:k] = ces
        in_file = cfg._by_file.setdefault(path, [])
        k = bisect_left(in_file, order(top), key=order)
        in_file[k:k] = ces
        for ce in ces:
            insort(cfg.by_name.setdefault(ce.name, []), ce, key=order)
            cfg.of_element[id(ce.element)] = ce
            if ce.id:
                insort(cfg._by_id.setdefault(ce.id, []), ce, key=order)
    ids_changed = sorted((ce.id, ce.name) for ce in gone if ce.id) != sorted((ce.id, ce.name) for ce in new if ce.id)
    features_changed = any(ce.name == "featureManager" for ce in gone + new if ce.parent is None)
    if features_changed:
        _index_features(cfg)
    _update_caches(cfg, gone, new, ids_changed, features_changed)
    for p in cfg.problems:
        if p.path == path:
            p.span = shift_span(p.span, changes)
    for var in cfg.variables.values():
        if var.path == path and var.span is not None:
            var.span = shift_span(var.span, changes)
    return ids_changed


# What the rules work out once per element (rules/schema.py, liberty.py):
# element -> what it holds, kept for the elements an edit leaves as they are.
_PER_ELEMENT_CACHES = ("value-problems", "secret-attributes", "references")


def _update_caches(cfg: LibertyConfig, gone: list[ConfigElement], new: list[ConfigElement], ids_changed: bool, features_changed: bool) -> None:
    """Keep what an edit of some elements leaves valid in ``cfg.cache``,
    bring the reference indexes up to date, and drop the rest (it is
    worked out again when read)."""
    for key in list(cfg.cache):
        if key in _BUILD_CACHES:
            continue
        value = cfg.cache[key]
        if isinstance(key, tuple) and key[0] == "refby":
            value.subtract(_refs(gone, key[1], key[2]))
            value.update(_refs(new, key[1], key[2]))
        elif key in _PER_ELEMENT_CACHES:
            for ce in gone:
                value.pop(ce.element, None)
        elif isinstance(key, tuple) and key[0] == "ids-of-types":
            if ids_changed:
                del cfg.cache[key]
        elif key == "feature-closure":
            if features_changed:
                del cfg.cache[key]
        else:
            del cfg.cache[key]


def _nested_ref(spec: ElementSpec, child: str) -> bool:
    for attr in spec.attributes.values():
        if attr.type in ("ref", "refList") and child.lower() in (t.lower() for t in attr.ref_types) and attr.name.lower().startswith(child.lower()):
            return True
    return False


# ---------------------------------------------------------------------------
# CSD model
# ---------------------------------------------------------------------------


class CsdModel:
    """All DEFINEs of all CSD files in the workspace."""

    def __init__(self) -> None:
        self.files: dict[str, CsdFile] = {}
        self.problems: list[ModelProblem] = []
        # Every list below is in the order of the files, then of the text.
        self._definitions: dict[str, dict[str, list[CsdCommand]]] = {}
        self._by_type: dict[str, list[CsdCommand]] = {}
        self._by_doc: dict[int, CsdFile] = {}
        self._rank: dict[str, int] = {}  # path -> its place among the files
        self._by_port: dict[int, list[CsdCommand]] | None = None
        self._by_applid: dict[str, list[CsdCommand]] | None = None
        self._by_listener: dict[str, list[CsdCommand]] | None = None
        self._by_group: dict[str, list[CsdCommand]] | None = None
        # Edits (apply) and editor requests (groups) may come from different
        # threads: an index built while an edit is applied would miss it.
        self._lock = threading.Lock()
        # What is worked out from single commands (an editor's rendering of
        # a definition, say), by the command's identity: see per_command.
        self.memo: dict[object, dict[int, tuple[CsdCommand, Any]]] = {}

    def add(self, f: CsdFile) -> None:
        self.files[f.path] = f
        self._by_doc[id(f.doc)] = f
        self._rank[f.path] = len(self._rank)
        self._by_port = None
        self._by_applid = None
        self._by_listener = None
        self._by_group = None
        for cmd in f.doc.commands:
            if _defined(cmd):
                rtype, name = cmd.resource_type or "", (cmd.name or "").upper()
                self._definitions.setdefault(rtype, {}).setdefault(name, []).append(cmd)
                self._by_type.setdefault(rtype, []).append(cmd)

    def rekey(self, f: CsdFile) -> None:
        """Follow ``f`` to its document (parsed whole again: a new object)."""
        if id(f.doc) not in self._by_doc:
            for key, known in list(self._by_doc.items()):
                if known is f:
                    del self._by_doc[key]
            self._by_doc[id(f.doc)] = f
            self.memo.clear()  # its commands are new objects: what is kept for the old ones would keep the old parse alive

    def order(self, cmd: CsdCommand) -> int:
        """Where a command comes in the model: its file, then its offset."""
        f = self._by_doc.get(id(cmd.document))
        return ((self._rank[f.path] + 1 if f is not None else 0) << 40) + cmd.verb_span[0]

    def apply(self, removed: list[CsdCommand], added: list[CsdCommand]) -> None:
        """Bring the indexes up to date after edits of a file re-parsed some
        of its commands: ``removed`` are gone, ``added`` are new (the others
        kept, moved)."""
        with self._lock:
            self._apply(removed, added)

    def _apply(self, removed: list[CsdCommand], added: list[CsdCommand]) -> None:
        for cmd in removed:
            if not _defined(cmd):
                continue
            rtype, name = cmd.resource_type or "", (cmd.name or "").upper()
            _drop(self._definitions.get(rtype, {}), name, cmd)
            if not self._definitions.get(rtype, True):
                del self._definitions[rtype]
            _drop(self._by_type, rtype, cmd)
            for index, key in self._index_keys(cmd):
                _drop(index, key, cmd)
        for cmd in added:
            if not _defined(cmd):
                continue
            rtype, name = cmd.resource_type or "", (cmd.name or "").upper()
            insort(self._definitions.setdefault(rtype, {}).setdefault(name, []), cmd, key=self.order)
            insort(self._by_type.setdefault(rtype, []), cmd, key=self.order)
            for index, key in self._index_keys(cmd):
                insort(index.setdefault(key, []), cmd, key=self.order)

    def _index_keys(self, cmd: CsdCommand) -> list[tuple[dict, Any]]:
        """The lookup indexes (those built so far) that hold ``cmd``, with its key in each."""
        out: list[tuple[dict, Any]] = []
        if self._by_group is not None and cmd.group:
            out.append((self._by_group, cmd.group))
        if cmd.resource_type == "TCPIPSERVICE" and self._by_port is not None:
            port = _port_of(cmd)
            if port is not None:
                out.append((self._by_port, port))
        if cmd.resource_type == "IPCONN":
            if self._by_listener is not None:
                out.append((self._by_listener, _listener_of(cmd)))
            if self._by_applid is not None:
                out.append((self._by_applid, _applid_of(cmd)))
        return out

    # What the rules may read goes through the lookups below, which note what
    # they read (zcsec/reads.py).
    @property
    def definitions(self) -> dict[str, dict[str, list[CsdCommand]]]:
        """Every definition by resource type and (upper-case) name (reads all)."""
        note(("csd-all",))
        return self._definitions

    def names(self, rtype: str) -> list[str]:
        """The (upper-case) names defined for a resource type."""
        note("csd-type", rtype)
        return list(self._definitions.get(rtype, {}))

    def of_type(self, rtype: str) -> list[CsdCommand]:
        note("csd-type", rtype)
        return list(self._by_type.get(rtype, ()))

    def named(self, rtype: str, name: str) -> list[CsdCommand]:
        note("csd-name", rtype, name.upper())
        return list(self._definitions.get(rtype, {}).get(name.upper(), []))

    def per_command(self, kind: object, cmds: Iterable[CsdCommand], make: Callable[[CsdCommand], T]) -> list[T]:
        """``make(cmd)`` for each of ``cmds``, worked out once per command.

        An edit re-parses the commands it touches into new objects and
        keeps the others (moved, their text the same), so what ``make``
        derives from a command's own text stays true as long as the model
        holds that very object, across edits.  ``kind`` names what ``make``
        works out; the commands a call does not ask for are forgotten, so
        ask for the same set of commands each time (all the definitions of
        a type, say)."""
        old = self.memo.get(kind, {})
        new: dict[int, tuple[CsdCommand, Any]] = {}
        out: list[T] = []
        for cmd in cmds:
            hit = old.get(id(cmd))
            if hit is None or hit[0] is not cmd:
                hit = (cmd, make(cmd))
            new[id(cmd)] = hit
            out.append(hit[1])
        self.memo[kind] = new
        return out

    def path_of(self, cmd: CsdCommand) -> str | None:
        f = self.file_of(cmd)
        return f.path if f is not None else None

    def file_of(self, cmd: CsdCommand) -> CsdFile | None:
        return self._by_doc.get(id(cmd.document))

    def tcpipservice_for(self, ipconn: CsdCommand) -> CsdCommand | None:
        """The TCPIPSERVICE an IPCONN names, preferring its own group."""
        name = ipconn.value("TCPIPSERVICE")
        if not name:
            return None
        cands = self.named("TCPIPSERVICE", name)
        if not cands:
            return None
        same = [c for c in cands if c.group == ipconn.group]
        return (same or cands)[-1]

    @staticmethod
    def is_ipic(service: CsdCommand) -> bool:
        """PROTOCOL(IPIC), or no PROTOCOL with TRANSACTION(CISS) (CICS then assumes IPIC)."""
        protocol = service.upper("PROTOCOL")
        return protocol == "IPIC" or (protocol is None and service.upper("TRANSACTION") == "CISS")

    def ipic_services(self) -> list[CsdCommand]:
        return [c for c in self.of_type("TCPIPSERVICE") if self.is_ipic(c)]

    def _ports(self) -> dict[int, list[CsdCommand]]:
        if self._by_port is None:
            self._by_port = {}
            for c in self._by_type.get("TCPIPSERVICE", ()):
                port = _port_of(c)
                if port is not None:
                    self._by_port.setdefault(port, []).append(c)
        return self._by_port

    def on_port(self, port: int) -> list[CsdCommand]:
        """The TCPIPSERVICEs with PORTNUMBER ``port``."""
        note("csd-port", port)
        return list(self._ports().get(port, []))

    def ipic_services_on_port(self, port: int) -> list[CsdCommand]:
        return [c for c in self.on_port(port) if self.is_ipic(c)]

    def ipconns_for_service(self, service: CsdCommand) -> list[CsdCommand]:
        """The IPCONNs that name ``service`` as their TCPIPSERVICE (an index
        built once: a scan per listener made large CSDs quadratic)."""
        name = (service.name or "").upper()
        note("csd-listener", name)
        if self._by_listener is None:
            self._by_listener = {}
            for c in self._by_type.get("IPCONN", ()):
                self._by_listener.setdefault(_listener_of(c), []).append(c)
        return list(self._by_listener.get(name, []))

    def groups(self) -> list[str]:
        """The (upper-case) groups that definitions name, sorted (an index
        built once: a large CSD has tens of thousands of definitions)."""
        note(("csd-all",))
        with self._lock:
            if self._by_group is None:
                by_group: dict[str, list[CsdCommand]] = {}
                for cmds in self._by_type.values():
                    for c in cmds:
                        group = c.group
                        if group:
                            by_group.setdefault(group, []).append(c)
                for cmds in by_group.values():
                    cmds.sort(key=self.order)
                self._by_group = by_group
            return sorted(self._by_group)

    def ipconns_by_applid(self, applid: str, networkid: str | None) -> list[CsdCommand]:
        """IPCONNs whose APPLID (by default the IPCONN name) is ``applid``,
        and whose NETWORKID is ``networkid`` when one is given."""
        note("csd-applid", applid.upper())
        if self._by_applid is None:
            self._by_applid = {}
            for c in self._by_type.get("IPCONN", ()):
                self._by_applid.setdefault(_applid_of(c), []).append(c)
        found = self._by_applid.get(applid.upper(), [])
        if networkid is None:
            return list(found)
        return [c for c in found if (c.upper("NETWORKID") or "") == networkid.upper()]


def _defined(cmd: CsdCommand) -> bool:
    """Whether ``cmd`` defines a resource (what the CSD model holds)."""
    return cmd.verb in ("DEFINE", "USERDEFINE") and bool(cmd.resource_type) and bool(cmd.name)


def _drop(index: dict, key: Any, item: Any) -> None:
    """Remove ``item`` (the same object) from ``index[key]``, and the key when it holds no more."""
    items = index.get(key)
    if items is None:
        return
    for k, x in enumerate(items):
        if x is item:
            del items[k]
            break
    if not items:
        del index[key]


def _port_of(cmd: CsdCommand) -> int | None:
    value = (cmd.value("PORTNUMBER") or "").strip()
    return int(value) if value.isdigit() else None


def _listener_of(ipconn: CsdCommand) -> str:
    return ipconn.upper("TCPIPSERVICE") or ""


def _applid_of(ipconn: CsdCommand) -> str:
    return ipconn.upper("APPLID") or (ipconn.name or "").upper()


def command_keys(cmd: CsdCommand, path: str) -> set[tuple]:
    """The keys (zcsec/reads.py) under which a lookup can find ``cmd``, a
    command of CSD file ``path``: what changes when it is edited."""
    keys: set[tuple] = {("csd-all",), ("csd-file", path)}
    if cmd.verb in ("DEFINE", "USERDEFINE") and cmd.resource_type and cmd.name:
        rtype = cmd.resource_type
        keys.add(("csd-type", rtype))
        keys.add(("csd-name", rtype, cmd.name.upper()))
        if rtype == "TCPIPSERVICE":
            port = _port_of(cmd)
            if port is not None:
                keys.add(("csd-port", port))
        elif rtype == "IPCONN":
            keys.add(("csd-listener", _listener_of(cmd)))
            keys.add(("csd-applid", _applid_of(cmd)))
    return keys


def unit_keys(cfg: LibertyConfig, unit: Element) -> set[tuple]:
    """The keys (zcsec/reads.py) under which a lookup can find ``unit`` (a
    direct child of <server>) or an element in it: what changes when it is
    edited."""
    ces = cfg.by_unit.get(unit, [])
    keys: set[tuple] = {("all",), ("file", ces[0].path if ces else "")}
    for ce in ces:
        keys.add(("type", ce.name))
        ident = ce.id
        if ident:
            keys.add(("id", ident))
        for attr in ce.element.attributes:
            name = attr.name.lower()
            if name.endswith("ref"):
                keys.add(("refby", name, attr.value.strip()))
    if ces and ces[0].name == "featureManager":
        keys.add(("features",))
    return keys


_REF_ID = re.compile(r"[^,\s]+")


def ref_ids(raw: str, multiple: bool) -> list[tuple[str, int]]:
    """The ids in an id or reference value, each with its offset in ``raw``:
    a single id is the value without its outer blanks, a list is split at
    commas and blanks."""
    if not multiple:
        stripped = raw.strip()
        return [(stripped, raw.find(stripped))] if stripped else []
    return [(m.group(0), m.start()) for m in _REF_ID.finditer(raw)]


# ---------------------------------------------------------------------------
# Workspace
# ---------------------------------------------------------------------------


@dataclass(slots=True)
class Discovered:
    liberty: list[str] = field(default_factory=list)
    csd: list[str] = field(default_factory=list)
    unreadable: list[tuple[str, str]] = field(default_factory=list)  # (path, why)
    projects: list[str] = field(default_factory=list)  # the .zcsec.toml files met in the folders, in walking order (resolved)

    def kinds(self) -> dict[str, str]:
        """Every file found, with its kind ('liberty' or 'csd')."""
        out = {p: "liberty" for p in self.liberty}
        out.update((p, "csd") for p in self.csd)
        return out


def discover(paths: Iterable[str], project: ProjectConfig, store: FileStore) -> Discovered:
    """Find Liberty XML files (with a <server> root) and CSD input below the
    given files and folders.  A file named explicitly is always taken."""
    out = Discovered()
    seen: set[str] = set()

    def consider(p: str, explicit: bool) -> None:
        p = norm(p)
        if p in seen:
            return
        seen.add(p)
        if explicit:
            src = store.source(p)
            if src.text is None and src.problem_code not in ("file-binary", "file-too-large"):
                out.unreadable.append((p, src.problem or "cannot read the file"))
                return
            # A binary or oversized file is still taken, so that building the
            # workspace reports it with its own code (file-binary, file-too-large).
        kind = file_kind(p, project, store, NAMED if explicit else FOUND)
        if kind == "liberty":
            out.liberty.append(p)
        elif kind == "csd":
            out.csd.append(p)

    for raw in paths:
        p = norm(raw)
        if os.path.isdir(p):
            for dirpath, dirnames, filenames in os.walk(p, followlinks=False):
                dirnames[:] = sorted(d for d in dirnames if d not in SKIP_DIRS and not d.startswith("."))
                if PROJECT_FILE in filenames:
                    out.projects.append(str((Path(dirpath) / PROJECT_FILE).resolve()))
                for name in sorted(filenames):
                    consider(os.path.join(dirpath, name), False)
        elif os.path.exists(p) or p in store.overlays:
            consider(p, True)
        else:
            out.unreadable.append((p, "no such file or directory"))
    return out


# How a file came to be considered (see file_kind).
FOUND = "found"  # met while walking a folder
NAMED = "named"  # named on the command line
OPEN = "open"  # opened in the editor


def file_kind(path: str, project: ProjectConfig, store: FileStore, how: str = FOUND, *, text: str | None = None) -> str | None:
    """The one decision on what a file is: 'liberty' (Liberty XML
    configuration), 'csd' (DFHCSDUP input) or None (not zcsec's business).

    A file met in a folder is judged by its name and content
    (:func:`classify_path`).  A file named on the command line is always
    checked: XML as Liberty configuration, anything else as CSD input, unless
    its content says which.  A document opened in the editor is CSD input
    unless it is XML, and XML only when it has a ``<server>`` root (the
    editor also sends pom.xml and the like, which are left alone); a remote
    document without an extension (a data set member) only when its content
    is DFHCSDUP input.
    ``text`` is the file's text when the caller has it (an editor's buffer).
    """
    p = norm(path)
    is_xml = p.lower().endswith(".xml")
    if how == OPEN and is_xml:
        if text is None:
            text = store.source(p, xml=True).text
        return "liberty" if text is not None and has_server_root(text) else None
    kind = classify_path(p, project, store, text=text)
    if kind is not None or how == FOUND or (is_remote(p) and not name_suffix(p)):
        return kind  # a data set member without an extension is CSD input only by its content
    return "liberty" if is_xml else "csd"


def classify_path(path: str, project: ProjectConfig, store: FileStore, *, text: str | None = None) -> str | None:
    """The kind of a file from the project's csd_files globs, its name and
    the first part of its content (``text``, else the editor's or the
    disk's); see :func:`file_kind`."""
    root = project.root
    if root is not None and project.csd_globs:
        try:
            rel = os.path.relpath(path, root).replace(os.sep, "/")
        except ValueError:
            rel = path
        if any(fnmatch.fnmatch(rel, g) for g in project.csd_globs):
            return "csd"
    suffix = name_suffix(path)
    if suffix not in (".xml", ".csd", ".rdo", ".csdup", ".dfhcsdup", ".jcl", ".cntl", ".jcllib", ".job", ".txt", ""):
        return None
    if is_remote(path):
        if text is None and path not in store.overlays:
            return None  # a remote document is known only while it is open
        head = (text if text is not None else store.overlays[path])[:8192]
        if not suffix and has_server_root(head):
            return "liberty"  # an untitled buffer or a member holding a <server>
        return classify(Path("document" + suffix), head)
    if text is not None or path in store.overlays:
        head = (text if text is not None else store.overlays[path])[:8192]
    else:
        if not os.path.isfile(path):
            return None  # a directory, FIFO or device: opening a FIFO would block
        try:
            with open(path, "rb") as fh:
                data = fh.read(8192)
        except OSError:
            return None
        if b"\x00" in data and suffix != ".xml":
            # Binary: a .csd file is still taken, so that it is reported (file-binary).
            return "csd" if suffix in CSD_EXTENSIONS else None
        # XML may be UTF-16 or EBCDIC (with or without a declaration): decode
        # the head as the whole file would be, so that such a server.xml is
        # found (and its encoding reported) rather than silently skipped.
        head = decode_bytes(data, xml=True)[0] if suffix == ".xml" else data.decode("utf-8", errors="replace")
        if suffix == ".xml" and b"\x00" in data:
            src = store.source(path, xml=True)
            if src.text is None and src.problem_code == "file-binary" and _BINARY_SERVER.search(data):
                return "liberty"  # a <server> file with NUL bytes: checked, to report it
            head = (src.text or "")[:8192]
    return classify(Path(path), head)


class Workspace:
    """Liberty configurations and the CSD model built from a set of files."""

    def __init__(self, catalogue: Catalogue, project: ProjectConfig, store: FileStore | None = None) -> None:
        self.catalogue = catalogue
        self.project = project
        self.store = store or FileStore(project.max_file_size)
        self.configs: list[LibertyConfig] = []
        self.csd = CsdModel()
        self.problems: list[ModelProblem] = []
        self.cache: dict[object, Any] = {}  # derived models across configurations, built on first use
        self.versions: dict[str, int] = {}  # path -> the version of the file the model holds
        self._failed: list[str] = []  # files that could not be read
        self._extra: tuple = ()  # the problems the caller added (file-unreadable, remote reads)
        self.inputs: tuple = ()  # (Liberty files, CSD files) it was built from

    def build(self, liberty_files: Iterable[str], csd_files: Iterable[str], extra: Iterable[ModelProblem] = ()) -> "Workspace":
        """Build the model of these files; ``extra`` are problems of finding
        them (added to :attr:`problems`)."""
        liberty_files = [norm(p) for p in liberty_files]
        csd_files = [norm(p) for p in csd_files]
        for p in csd_files:
            f, src = self.store.csd(p, self.catalogue)
            if f is None:
                self.problems.append(ModelProblem(src.problem_code or "file-unreadable", p, (0, 0), src.problem or "cannot read the file"))
                self._failed.append(p)
                continue
            if f.read_problem:
                self.problems.append(ModelProblem("file-encoding", p, (0, 0), f.read_problem))
            self.csd.add(f)
        for root in self.roots(liberty_files):
            self.configs.append(build_config(root, self.store, self.catalogue, self.project))
        covered = {p for cfg in self.configs for p in cfg.files}
        # Files that include each other (a cycle) are no root of any: the first
        # configuration built from one covers the others, so that a cycle of n
        # files does not become n configurations.  A server.xml goes first.
        for p in sorted(liberty_files, key=lambda p: file_name(p).lower() != "server.xml"):
            if p not in covered and not any(pr.path == p for cfg in self.configs for pr in cfg.problems):
                cfg = build_config(p, self.store, self.catalogue, self.project)
                self.configs.append(cfg)
                covered.update(cfg.files)
        self._failed.extend(p for p in liberty_files if p not in covered)
        self.inputs = (tuple(liberty_files), tuple(csd_files))
        extra = list(extra)
        self.problems.extend(extra)
        self._extra = _signature(extra)
        self.versions = {f.path: f.version for f in self.files()}
        return self

    def refresh(self, extra: Iterable[ModelProblem] = ()) -> "Delta | None":
        """Bring the model up to date with the current text of its files
        (each parsed given its previous parse, FileStore), in place: the
        elements and commands that edits re-parsed are replaced in every
        index, the others kept (moved with the text).  Returns what changed,
        or None (and the model must be built again) when that cannot be done
        in place: a file read differently (another catalogue, a read problem),
        a Liberty file without a <server> root before or after, an include,
        a variable, server.env or bootstrap.properties edited, a file that
        could not be read and now can, other ``extra`` problems."""
        if _signature(list(extra)) != self._extra or self._readable_now():
            return None
        edits = self._edits()
        if edits is None:
            return None
        delta = Delta(set(), set(), {}, {})
        for f, changes, removed, added in edits:
            delta.movers[f.path] = changes
            delta.removed.update(removed)
            delta.added[f.path] = added
            self.versions[f.path] = f.version
            if isinstance(f, CsdFile):
                for cmd in removed + added:
                    delta.keys |= command_keys(cmd, f.path)
                self.csd.rekey(f)
                self.csd.apply(removed, added)
                continue
            for cfg in self.configs:
                if f.path not in cfg.files:
                    continue
                for unit in removed:
                    delta.keys |= unit_keys(cfg, unit)
                if apply_units(cfg, f.path, removed, added, changes):
                    delta.keys.add(("ids",))
                for unit in added:
                    delta.keys |= unit_keys(cfg, unit)
        self.cache.clear()
        return delta

    def _edits(self) -> list[tuple[XmlFile | CsdFile, list[FileChange], list, list]] | None:
        """(file, its changes, units removed, units added) for every file
        that changed since the model was brought up to date; None when one
        cannot be followed in place."""
        edits = []
        for f in list(self.files()):
            got = self.store.xml(f.path)[0] if isinstance(f, XmlFile) else self.store.csd(f.path, self.catalogue)[0]
            if got is not f:
                return None
            changes = changes_since(f, self.versions.get(f.path, -1))
            if changes is None:
                return None
            if not changes:
                continue
            if isinstance(f, XmlFile) and (f.doc.root is None or f.doc.root.name != "server"):
                return None  # not Liberty configuration: its elements are in no index
            removed, added = _units_changed(changes)
            if any(isinstance(u, Element) and u.name in STRUCTURAL for u in removed + added):
                return None
            edits.append((f, changes, removed, added))
        return edits

    def _readable_now(self) -> bool:
        """Whether something read as a whole reads differently now: a file
        that could not be read, an include that was missing, server.env or
        bootstrap.properties."""
        store = self.store
        for p in self._failed:
            if store.source(p).text is not None:
                return True
        for cfg in self.configs:
            for p, text in cfg.env_texts.items():
                if store.source(p, xml=False).text != text:
                    return True
            for link in cfg.includes:
                target = link.target
                if target is not None and target not in cfg.files and (target in store.overlays or os.path.isfile(target)) and store.xml(target)[0] is not None:
                    return True
        return False

    def roots(self, liberty_files: list[str]) -> list[str]:
        """Files that start a configuration: not included by another file and
        not a configDropins member of a server.xml beside it."""
        included: set[str] = set()
        for p in liberty_files:
            f, _ = self.store.xml(p)
            if f is None or f.doc.root is None:
                continue
            base = os.path.dirname(p)
            for child in f.doc.root.children:
                if child.name == "include":
                    loc = child.value("location", exact=True) or ""
                    if is_remote(p):
                        uri = remote_include_uri(p, expand_layout(p, loc.strip()))
                        if uri is not None:
                            included.add(norm(remote_path(uri)))
                        continue
                    loc = loc.replace("${server.config.dir}", base + os.sep)
                    if "${" in loc or "://" in loc:
                        continue
                    target = norm(loc if os.path.isabs(loc) else os.path.join(base, loc))
                    if os.path.isdir(target):
                        included.update(_dropin_files(target))
                    else:
                        included.add(target)
        roots = []
        for p in liberty_files:
            if p in included:
                continue
            parent = os.path.dirname(p)
            if os.path.basename(os.path.dirname(parent)) == "configDropins" and os.path.isfile(os.path.join(os.path.dirname(os.path.dirname(parent)), "server.xml")):
                continue
            roots.append(p)
        return roots

    def config_for(self, path: str) -> LibertyConfig | None:
        p = norm(path)
        for cfg in self.configs:
            if p in cfg.files:
                return cfg
        return None

    def files(self) -> Iterator[XmlFile | CsdFile]:
        seen: set[str] = set()
        for cfg in self.configs:
            for p, xf in cfg.files.items():
                if p not in seen:
                    seen.add(p)
                    yield xf
        for p, cf in self.csd.files.items():
            if p not in seen:
                seen.add(p)
                yield cf

    def index_for(self, path: str, *, analysed_only: bool = False) -> LineIndex | None:
        """The line index of ``path``: of the text the analysis used when the
        file is part of this workspace, else (unless ``analysed_only``) of
        its current text; None when there is no such text.  The one place
        that finds a file's line index."""
        p = norm(path)
        for cfg in self.configs:
            if p in cfg.files:
                return cfg.files[p].index
        if p in self.csd.files:
            return self.csd.files[p].index
        if analysed_only:
            return None
        src = self.store.source(p)
        return LineIndex(src.text) if src.text is not None else None
