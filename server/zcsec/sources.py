"""Reading files from disk: decoding, size limits and file classification.

Nothing here raises for bad input: a file that cannot be used comes back with
a plain problem message instead of text.
"""

from __future__ import annotations

import codecs
import os
import posixpath
import re
import stat
from dataclasses import dataclass
from pathlib import Path
from urllib.parse import quote, unquote, urlsplit, urlunsplit

_XML_DECL_ENCODING = re.compile(rb"^<\?xml[^>]*?encoding\s*=\s*[\"']([A-Za-z0-9._\-]+)[\"']")
# Leading EBCDIC blanks/newlines, then "<" and a letter or "!" (IBM-037).
_EBCDIC_TAG = re.compile(rb"[\x40\x15\x25\x0d\x05]*\x4c[\x5a\x81-\x89\x91-\x99\xa2-\xa9\xc1-\xc9\xd1-\xd9\xe2-\xe9]")
_SERVER_ROOT = re.compile(r"<(?:[A-Za-z_][\w.\-]*:)?server(?=[\s>/])")
_CSD_COMMAND_LINE = re.compile(
    r"^\s*(DEFINE|DEF|ALTER|ADD|DELETE|REMOVE|COPY|LIST|USERDEFINE|APPEND|UPGRADE|INITIALIZE|VERIFY)\s+[A-Z]+\s*\(",
    re.IGNORECASE,
)
# Python codecs that are no character set a file could be written in.
_NOT_CHARSETS = {"idna", "punycode", "undefined", "unicode-escape", "raw-unicode-escape"}
CSD_EXTENSIONS = {".csd", ".rdo", ".csdup", ".dfhcsdup"}
JCL_EXTENSIONS = {".jcl", ".cntl", ".jcllib", ".job", ""}
SKIP_DIRS = {".git", ".hg", ".svn", "node_modules", ".venv", "venv", "__pycache__", ".tox", "target", "build", "dist", ".mypy_cache", ".pytest_cache"}


@dataclass(slots=True)
class SourceText:
    path: Path
    text: str | None
    problem: str | None = None  # why the text is missing or suspect
    problem_code: str | None = None
    fatal: bool = False  # True when ``text`` is None


def norm(path: str | os.PathLike) -> str:
    """The key zcsec uses for a file: an absolute, normalised path."""
    return os.path.normpath(os.path.abspath(os.fspath(path)))


def decode_bytes(data: bytes, *, xml: bool = False) -> tuple[str, str | None]:
    """Decode file content; returns (text, problem or None).

    Honours a byte order mark, then (for XML) the encoding declaration, then
    UTF-8.  Text that is not valid in the chosen encoding is decoded with
    replacement characters, and the problem says so; offsets stay usable.
    """
    if data.startswith(codecs.BOM_UTF8):
        return _decode(data[3:], "utf-8")
    if data.startswith(codecs.BOM_UTF16_LE) or data.startswith(codecs.BOM_UTF16_BE):
        return _decode(data, "utf-16")
    if xml:
        m = _XML_DECL_ENCODING.match(data)
        if m:
            declared = m.group(1).decode("ascii").lower()
            try:
                info = codecs.lookup(declared)
            except LookupError:
                try:  # z/OS spells code pages IBM-037, IBM-1140: Python knows ibm037, ibm1140
                    info = codecs.lookup(declared.replace("ibm-", "ibm", 1))
                    declared = info.name
                except LookupError:
                    info = None
            if info is None or not getattr(info, "_is_text_encoding", True) or info.name in _NOT_CHARSETS:
                text, problem = _decode(data, "utf-8")
                return text, problem or f"the declared encoding '{declared}' is unknown; the file was read as UTF-8"
            text, problem = _decode(data, declared)
            if not text.lstrip("\ufeff").startswith("<?xml"):
                # The declaration was readable as ASCII, but does not read back in
                # the encoding it names (UTF-8 bytes declared UTF-16 or IBM-037):
                # the declaration lies, and the text would be garbage.
                text, problem = _decode(data, "utf-8")
                lie = f"the XML declaration names the encoding '{declared}', but the file is not written in it; it was read as UTF-8"
                return text, lie + (f" ({problem})" if problem else "")
            if problem:
                return text, f"the file does not match its declared encoding '{declared}': {problem}"
            return text, None
        if data[:4] in (b"\x00<\x00?", b"<\x00?\x00"):
            return _decode(data, "utf-16-be" if data[0] == 0 else "utf-16-le")
        if data[:4] == b"\x4c\x6f\xa7\x94":  # "<?xm" in EBCDIC
            return _decode(data, "cp037")
        text, problem = _decode(data, "utf-8")
        if problem and _EBCDIC_TAG.match(data):
            # No declaration, not UTF-8, but "<server" (or a comment) in EBCDIC.
            return data.decode("cp037"), "the file has no encoding declaration and is not UTF-8; its bytes look like EBCDIC and were read as IBM-037 (Liberty needs an encoding declaration or a UTF-8 file)"
        return text, problem
    return _decode(data, "utf-8")


def _decode(data: bytes, encoding: str) -> tuple[str, str | None]:
    try:
        return data.decode(encoding), None
    except UnicodeDecodeError as exc:
        try:
            text = data.decode(encoding, errors="replace")
        except (UnicodeError, LookupError):
            text = data.decode("utf-8", errors="replace")
        return (
            text,
            f"the file is not valid {encoding.upper()} (first bad byte at offset {exc.start}); unreadable bytes are shown as U+FFFD",
        )
    except (UnicodeError, LookupError):  # a codec that is not a character set
        return data.decode("utf-8", errors="replace"), f"unknown encoding {encoding}"


def looks_binary(data: bytes) -> bool:
    head = data[:8192]
    if not head:
        return False
    if head.startswith((codecs.BOM_UTF16_LE, codecs.BOM_UTF16_BE)):
        return False
    if b"\x00" in head:
        # UTF-16 without BOM has many NULs in ASCII-heavy text; XML starts with '<'.
        if head[:4] in (b"\x00<\x00?", b"<\x00?\x00"):
            return False
        return True
    return False


def _too_large(path: Path, size: int, max_size: int) -> SourceText:
    return SourceText(
        path,
        None,
        f"the file is {size / 1048576:.1f} MB, over the {max_size / 1048576:.0f} MB limit (max_file_size_mb in .zcsec.toml); it was not checked",
        "file-too-large",
        True,
    )


def read_source(path: Path, max_size: int, *, xml: bool | None = None) -> SourceText:
    try:
        st = os.stat(path)
        if stat.S_ISDIR(st.st_mode):
            return SourceText(path, None, "this is a directory, not a file", "file-unreadable", True)
        if not stat.S_ISREG(st.st_mode):
            # A FIFO would block forever, a device such as /dev/zero never ends.
            return SourceText(path, None, "this is not a regular file (a pipe, socket or device); it was not read", "file-unreadable", True)
        if st.st_size > max_size:
            return _too_large(path, st.st_size, max_size)
        # O_NONBLOCK: should the path have become a FIFO since stat(), opening it must not block.
        fd = os.open(path, os.O_RDONLY | getattr(os, "O_NONBLOCK", 0) | getattr(os, "O_BINARY", 0))
        with os.fdopen(fd, "rb") as fh:
            if not stat.S_ISREG(os.fstat(fh.fileno()).st_mode):
                return SourceText(path, None, "this is not a regular file (a pipe, socket or device); it was not read", "file-unreadable", True)
            data = fh.read(max_size + 1)  # never more than the limit, even if the file grows meanwhile
        if len(data) > max_size:
            return _too_large(path, len(data), max_size)
    except (OSError, ValueError) as exc:  # ValueError: a NUL in the path
        return SourceText(path, None, f"cannot read the file: {getattr(exc, 'strerror', None) or exc}", "file-unreadable", True)
    if looks_binary(data):
        return SourceText(path, None, "the file holds binary data (NUL bytes), not text; it was not checked", "file-binary", True)
    is_xml = xml if xml is not None else path.suffix.lower() == ".xml"
    text, problem = decode_bytes(data, xml=is_xml)
    return SourceText(path, text, problem, "file-encoding" if problem else None)


def has_server_root(text: str) -> bool:
    """A cheap test whether XML text has a <server> root element."""
    pos = 0
    n = len(text)
    while pos < n:
        lt = text.find("<", pos)
        if lt < 0:
            return False
        if text.startswith("<?", lt):
            end = text.find("?>", lt)
            pos = n if end < 0 else end + 2
        elif text.startswith("<!--", lt):
            end = text.find("-->", lt)
            pos = n if end < 0 else end + 3
        elif text.startswith("<!", lt):
            end = text.find(">", lt)
            pos = n if end < 0 else end + 1
        else:
            return _SERVER_ROOT.match(text, lt) is not None
    return False


def classify(path: Path, head: str) -> str | None:
    """'liberty', 'csd' or None, from the name and the first part of a file."""
    suffix = path.suffix.lower()
    if suffix == ".xml":
        return "liberty" if has_server_root(head) else None
    if suffix in CSD_EXTENSIONS:
        return "csd"
    if suffix in JCL_EXTENSIONS and re.search(r"PGM=DFHCSDUP", head, re.IGNORECASE):
        return "csd"
    if suffix in (".txt", "", ".jcl", ".cntl"):
        for line in head.splitlines()[:50]:
            if not line.strip() or line.startswith("*"):
                continue
            return "csd" if _CSD_COMMAND_LINE.match(line) else None
    return None


# Documents that are not local files (an editor's untitled buffer, a z/OS UNIX
# file or a data set member opened through Zowe Explorer) are analysed under
# a path made from their URI, below this marker, so that the path maps back
# to the URI; zcsec never reads such a path from the disk.
REMOTE_MARKER = "~zcsec-remote~"
_KNOWN_SUFFIXES = {".xml"} | CSD_EXTENSIONS | (JCL_EXTENSIONS - {""})


def remote_path(uri: str) -> str:
    """The path under which a document that is not a local file is analysed."""
    return os.path.join(os.sep, REMOTE_MARKER, quote(uri, safe=""))


def remote_uri(path: str) -> str | None:
    """The URI behind a path made by :func:`remote_path`, else None."""
    head, name = os.path.split(path)
    return unquote(name) if os.path.basename(head) == REMOTE_MARKER else None


def is_remote(path: str) -> bool:
    return remote_uri(path) is not None


def file_name(path: str) -> str:
    """A file's own name: the last part of a local path, or of a remote
    document's URI (server.xml for zowe-uss:/lpar1/u/zcee/server.xml)."""
    uri = remote_uri(path)
    if uri is None:
        return os.path.basename(path)
    return posixpath.basename(urlsplit(uri).path.rstrip("/")) or uri


def name_suffix(path: str) -> str:
    """The extension that tells a file's kind: a local file's own; for a
    remote document, the one of its URI's last segment when zcsec knows it
    (a data set member such as USER.CICS.CSDIN(ZCEEIPIC) has none, and its
    content decides)."""
    uri = remote_uri(path)
    if uri is None:
        return os.path.splitext(path)[1].lower()
    suffix = os.path.splitext(uri.rstrip("/").rsplit("/", 1)[-1])[1].lower()
    return suffix if suffix in _KNOWN_SUFFIXES else ""


def folder_uri(uri: str) -> str | None:
    """The URI of the folder holding ``uri``; None when it has none (an
    untitled buffer)."""
    parts = urlsplit(uri)
    if "/" not in parts.path.rstrip("/"):
        return None
    return urlunsplit((parts.scheme, parts.netloc, posixpath.dirname(parts.path.rstrip("/")) or "/", "", ""))


def child_uri(folder: str, name: str) -> str:
    parts = urlsplit(folder)
    return urlunsplit((parts.scheme, parts.netloc, posixpath.join(parts.path or "/", name), "", ""))


def remote_include_uri(path: str, location: str) -> str | None:
    """The URI of an include that the remote document at ``path`` names
    with a relative ``location``; None for an absolute location (which
    cannot be mapped onto the document's scheme) or a local document."""
    uri = remote_uri(path)
    if uri is None or not location:
        return None
    parts = urlsplit(uri)
    if location.startswith(parts.scheme + ":"):
        # Written with ${server.config.dir} and the like, which are URIs of the
        # document's own file system for a remote document.
        there = urlsplit(location)
        return urlunsplit((there.scheme, there.netloc, posixpath.normpath(there.path), "", ""))
    if location.startswith(("/", "\\")) or re.match(r"^[a-zA-Z]:[\\/]", location):
        return None
    if "/" not in parts.path:
        return None  # an untitled buffer: there is no folder to look in
    joined = posixpath.normpath(posixpath.join(posixpath.dirname(parts.path), location.replace("\\", "/")))
    return urlunsplit((parts.scheme, parts.netloc, joined, "", ""))
