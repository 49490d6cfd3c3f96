"""Conversions between zcsec's own types and LSP types: URIs and paths,
positions, findings and fixes.

Positions: zcsec negotiates UTF-16 with every client (see
:class:`~zcsec.lsp.server.ZcsecProtocol`), which is what
:class:`~zcsec.text.LineIndex` counts, so converting is only a change of
type.  Every adapter converts through the functions here.
"""

from __future__ import annotations

import os
from json.encoder import encode_basestring_ascii

from lsprotocol import types as lsp
from pygls.uris import from_fs_path, to_fs_path

from ..docs import rule_doc_uri
from ..findings import Finding, Fix
from ..sources import norm, remote_path, remote_uri
from ..text import LineIndex, Range

SOURCE = "zcsec"


def uri_to_path(uri: str) -> str | None:
    """The file system path of a ``file:`` URI; None for other schemes."""
    try:
        path = to_fs_path(uri)
    except Exception:  # malformed URI
        return None
    if path is None or "\x00" in path:  # no file system has a NUL in a name
        return None
    return os.path.normpath(os.path.abspath(path))


def document_path(uri: str) -> str | None:
    """The path under which the document at ``uri`` is analysed: its file
    system path for a ``file:`` URI, a path made from the URI for any other
    scheme (untitled buffers, Zowe Explorer's data sets and z/OS UNIX files)."""
    if uri.startswith("file:"):
        return uri_to_path(uri)
    if not uri or "\x00" in uri or ":" not in uri:
        return None  # not a URI
    return norm(remote_path(uri))


def path_to_uri(path: str) -> str:
    remote = remote_uri(path)
    if remote is not None:
        return remote
    return from_fs_path(path) or "file://" + path


def to_range(r: Range) -> lsp.Range:
    return lsp.Range(lsp.Position(r.start.line, r.start.character), lsp.Position(r.end.line, r.end.character))


def to_offset(index: LineIndex, pos: lsp.Position) -> int:
    """The offset of a client position; positions past a line or the text are clamped."""
    return index.offset(pos.line, pos.character)


def to_position(index: LineIndex, offset: int) -> lsp.Position:
    p = index.position(offset)
    return lsp.Position(p.line, p.character)


def span_range(index: LineIndex, span: tuple[int, int]) -> lsp.Range:
    """The LSP range of an offset span (an end before the start is read as the start)."""
    return to_range(index.range(span[0], span[1]))


class Encoded:
    """A request's result already written as JSON text: the protocol
    (ZcsecProtocol) sends it as it is.  For results of thousands of items,
    where building LSP objects and having pygls unstructure and encode them
    costs more than the analysis that found them."""

    __slots__ = ("json",)

    def __init__(self, json: str) -> None:
        self.json = json  # ASCII only (non-ASCII characters escaped), as json.dumps writes it


def json_string(text: str) -> str:
    """``text`` as a JSON string, non-ASCII characters escaped."""
    return encode_basestring_ascii(text)


def range_json(r: Range) -> str:
    """An LSP range as JSON text (what ``to_range`` builds, encoded)."""
    s, e = r.start, r.end
    return f'{{"start":{{"line":{s.line},"character":{s.character}}},"end":{{"line":{e.line},"character":{e.character}}}}}'


def fix_to_json(fix: Fix) -> dict:
    return {
        "title": fix.title,
        "edits": [
            {"uri": path_to_uri(e.path), "range": e.range.to_json(), "newText": e.new_text}
            for e in fix.edits
        ],
    }


def to_diagnostic(f: Finding) -> lsp.Diagnostic:
    related = [
        lsp.DiagnosticRelatedInformation(lsp.Location(path_to_uri(p), to_range(r)), note)
        for p, r, note in f.related_ranges
    ]
    doc = rule_doc_uri(f.code)
    return lsp.Diagnostic(
        range=to_range(f.range),
        message=f.message,
        severity=lsp.DiagnosticSeverity(int(f.severity)),
        code=f.code,
        code_description=lsp.CodeDescription(href=doc) if doc else None,
        source=SOURCE,
        related_information=related or None,
        data={"fixes": [fix_to_json(x) for x in f.fixes]} if f.fixes else None,
    )


def edits_to_workspace_edit(edits: list[dict]) -> lsp.WorkspaceEdit:
    changes: dict[str, list[lsp.TextEdit]] = {}
    for e in edits:
        r = e["range"]
        changes.setdefault(e["uri"], []).append(
            lsp.TextEdit(
                range=lsp.Range(
                    lsp.Position(r["start"]["line"], r["start"]["character"]),
                    lsp.Position(r["end"]["line"], r["end"]["character"]),
                ),
                new_text=e["newText"],
            )
        )
    return lsp.WorkspaceEdit(changes=changes)

