"""The project of a document that is not a local file (a z/OS UNIX file or a
data set member opened through Zowe Explorer, a file of any other file
system the editor has), found by asking the editor.

zcsec never guesses a local path for such a document.  When the editor
offers to read files (and, for the folder scan and wildcards, to list
folders), :func:`find_project` looks for the document's ``.zcsec.toml`` in
its folder and the folders above, and for the CSD input that belongs with it:
what the ``csd_files`` entries of that file name (paths relative to its
folder, and data set members such as ``USER.CICS.CSDIN(ZCEE*)`` for Zowe
Explorer documents), else the CSD input in the document's own folder.

Everything here is editor-neutral: the readers are plain async functions,
and the language server supplies ones that send requests to the client.
"""

from __future__ import annotations

import fnmatch
import posixpath
import re
from dataclasses import dataclass, field
from pathlib import Path
from typing import Awaitable, Callable
from urllib.parse import urlsplit, urlunsplit

from .project import PROJECT_FILE
from .sources import CSD_EXTENSIONS, JCL_EXTENSIONS, child_uri, classify, folder_uri, remote_path

# (text, None) or (None, why not)
ReadFile = Callable[[str], Awaitable[tuple[str | None, str | None]]]
# ([(name, is_folder)], None) or (None, why not)
ReadDirectory = Callable[[str], Awaitable[tuple[list[tuple[str, bool]] | None, str | None]]]

ZOWE_USS = "zowe-uss"
ZOWE_DS = "zowe-ds"
MAX_LEVELS = 8  # folders looked at for .zcsec.toml, the document's own first
MAX_SCANNED = 20  # files read from the document's folder to see whether they are CSD input
MAX_NAMED = 200  # CSD inputs taken from csd_files entries
MAX_DEPTH = 4  # folders "**" descends into
# A data set member pattern, the way people write it: USER.CICS.CSDIN(ZCEE*).
DATASET_MEMBER = re.compile(
    r"^(?P<dsn>[A-Z#$@][A-Z0-9#$@-]{0,7}(?:\.[A-Z#$@][A-Z0-9#$@-]{0,7})*)\((?P<member>[A-Z0-9#$@*?%]{1,8})\)$",
    re.IGNORECASE,
)
_SCAN_SUFFIXES = (CSD_EXTENSIONS | JCL_EXTENSIONS | {".txt"}) - {""}


@dataclass(slots=True)
class RemoteProject:
    """What the editor gave for one document's project."""

    key: str  # the analysis path of its .zcsec.toml, else of its folder
    folder: str | None  # URI of the project's folder (None: an untitled buffer)
    config_uri: str | None = None
    config_text: str | None = None
    csd: dict[str, str] = field(default_factory=dict)  # analysis path -> text of CSD input
    problems: list[str] = field(default_factory=list)  # what could not be read, and why


def _zowe_profile(uri: str) -> str | None:
    """The Zowe Explorer profile a zowe-uss: or zowe-ds: URI belongs to (its
    first path segment: zowe-uss:/<profile>/u/..., zowe-ds:/<profile>/<data set>/<member>)."""
    parts = urlsplit(uri)
    if parts.scheme not in (ZOWE_USS, ZOWE_DS):
        return None
    return parts.path.lstrip("/").split("/", 1)[0] or None


def dataset_folder_uri(near: str, dsn: str) -> str | None:
    """The zowe-ds: URI of data set ``dsn`` under the Zowe Explorer profile of
    ``near``; None when ``near`` is no Zowe Explorer URI (the profile says
    which system the data set is on, and nothing else does)."""
    profile = _zowe_profile(near)
    if profile is None:
        return None
    return urlunsplit((ZOWE_DS, urlsplit(near).netloc, f"/{profile}/{dsn.upper()}", "", ""))


def config_folders(document: str) -> list[str]:
    """The folders where the .zcsec.toml of ``document`` may be, nearest
    first.  A data set cannot hold a file of that name, so a data set member
    has none; a Zowe Explorer path stops at its profile (the system's root)."""
    start = folder_uri(document)
    if start is None or urlsplit(document).scheme == ZOWE_DS:
        return []
    parts = urlsplit(start)
    profile = _zowe_profile(document)
    top = f"/{profile}" if profile else "/"
    out: list[str] = []
    path = parts.path or "/"
    while len(out) < MAX_LEVELS:
        out.append(urlunsplit((parts.scheme, parts.netloc, path, "", "")))
        if path in (top, "/") or not path.startswith(top):
            break
        path = posixpath.dirname(path) or "/"
    return out


class Finder:
    """Finds the projects of remote documents through the editor, asking
    for each file and folder at most once until :meth:`forget`."""

    def __init__(self, read_file: ReadFile, read_directory: ReadDirectory | None) -> None:
        self._read_file = read_file
        self._read_directory = read_directory
        self._texts: dict[str, tuple[str | None, str | None]] = {}
        self._listings: dict[str, tuple[list[tuple[str, bool]] | None, str | None]] = {}

    def forget(self) -> None:
        self._texts.clear()
        self._listings.clear()

    async def text(self, uri: str) -> tuple[str | None, str | None]:
        if uri not in self._texts:
            self._texts[uri] = await self._read_file(uri)
        return self._texts[uri]

    async def listing(self, uri: str) -> tuple[list[tuple[str, bool]] | None, str | None]:
        if self._read_directory is None:
            return None, "the editor does not list folders for zcsec"
        if uri not in self._listings:
            self._listings[uri] = await self._read_directory(uri)
        return self._listings[uri]

    async def find_project(self, document: str, csd_entries: Callable[[str | None], list[str]]) -> RemoteProject:
        """The project of the remote ``document`` (a URI).  ``csd_entries``
        gives the csd_files entries of a .zcsec.toml text (None: no file)."""
        project = RemoteProject(key=remote_path(document), folder=folder_uri(document))
        for folder in config_folders(document):
            uri = child_uri(folder, PROJECT_FILE)
            text, _ = await self.text(uri)
            if text is not None:
                project.key, project.folder = remote_path(uri), folder
                project.config_uri, project.config_text = uri, text
                break
        else:
            if project.folder is not None and urlsplit(document).scheme != ZOWE_DS:
                project.key = remote_path(project.folder + "/")
        entries = csd_entries(project.config_text)
        if entries:
            await self._named_csd(project, entries, document)
        elif project.folder is not None and urlsplit(document).scheme != ZOWE_DS:
            await self._scan_folder(project, document)
        return project

    async def _named_csd(self, project: RemoteProject, entries: list[str], document: str) -> None:
        for entry in entries:
            said = len(project.problems)
            member = DATASET_MEMBER.match(entry.strip())
            if member is not None:
                folder = dataset_folder_uri(project.config_uri or document, member["dsn"])
                if folder is None:
                    project.problems.append(
                        f"csd_files names the data set members '{entry}', which zcsec can read only for documents opened through Zowe Explorer (zowe-uss: or zowe-ds:)"
                    )
                    continue
                uris = await self._matches(project, folder, [member["member"].upper().replace("%", "?")])
            elif project.folder is None:
                continue
            else:
                uris = await self._matches(project, project.folder, [s for s in entry.strip().split("/") if s and s != "."])
            if not uris and len(project.problems) == said:  # a folder that could not be listed is said already
                project.problems.append(f"csd_files entry '{entry}' matched no file the editor has")
            for uri in uris:
                if len(project.csd) >= MAX_NAMED:
                    project.problems.append(f"csd_files names more than {MAX_NAMED} files; zcsec read the first {MAX_NAMED}")
                    return
                text, why = await self.text(uri)
                if text is None:
                    project.problems.append(f"the CSD input {uri} could not be read: {why}")
                else:
                    project.csd[remote_path(uri)] = text

    async def _matches(self, project: RemoteProject, folder: str, segments: list[str], depth: int = 0) -> list[str]:
        """The URIs below ``folder`` that the path pattern ``segments``
        matches ("*" and "?" within a segment, "**" for any folders)."""
        if not segments:
            return []
        head, rest = segments[0], segments[1:]
        if head == "**":
            found = await self._matches(project, folder, rest, depth)
            if depth < MAX_DEPTH:
                for name in await self._folders(project, folder):
                    found += await self._matches(project, child_uri(folder, name), segments, depth + 1)
            return found
        if not any(c in head for c in "*?["):
            return await self._matches(project, child_uri(folder, head), rest, depth) if rest else [child_uri(folder, head)]
        entries, why = await self.listing(folder)
        if entries is None:
            project.problems.append(f"the folder {folder} could not be listed: {why}")
            return []
        out: list[str] = []
        for name, is_folder in sorted(entries):
            if not fnmatch.fnmatchcase(name, head):
                continue
            if rest and is_folder:
                out += await self._matches(project, child_uri(folder, name), rest, depth)
            elif not rest and not is_folder:
                out.append(child_uri(folder, name))
        return out

    async def _folders(self, project: RemoteProject, folder: str) -> list[str]:
        entries, why = await self.listing(folder)
        if entries is None:
            project.problems.append(f"the folder {folder} could not be listed: {why}")
            return []
        return sorted(name for name, is_folder in entries if is_folder and not name.startswith("."))

    async def _scan_folder(self, project: RemoteProject, document: str) -> None:
        """CSD input beside the document: files named like it, or without an
        extension, whose content is DFHCSDUP input."""
        assert project.folder is not None
        entries, _ = await self.listing(project.folder)
        if not entries:
            return  # a folder the editor cannot list is no error: there may be nothing to find
        own = posixpath.basename(urlsplit(document).path)
        candidates = [
            name for name, is_folder in sorted(entries)
            if not is_folder and name != own and not name.startswith(".")
            and (posixpath.splitext(name)[1].lower() in _SCAN_SUFFIXES or not posixpath.splitext(name)[1])
        ]
        for name in candidates[:MAX_SCANNED]:
            uri = child_uri(project.folder, name)
            text, _ = await self.text(uri)
            if text is not None and classify(Path("member" + posixpath.splitext(name)[1].lower()), text[:8192]) == "csd":
                project.csd[remote_path(uri)] = text
