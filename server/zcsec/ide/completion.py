"""Completion for server.xml and CSD files, free of LSP types.

:func:`complete` is the entry point: it finds which document ``path`` is and
hands over to the completion sources for its language.  The work is split by
job:

* :mod:`zcsec.ide.cursor` classifies the cursor position from the raw text
  (documents are rarely well formed while someone types);
* :mod:`zcsec.ide.complete_xml` and :mod:`zcsec.ide.complete_csd` hold the
  sources, picked from a table by the kind of position;
* :mod:`zcsec.ide.snippets` loads and expands the snippets;
* :mod:`zcsec.ide.items` defines the items and their kinds, re-exported
  here for the LSP adapter.

Every item carries the span it replaces.  Secret values (passwords, or
variables that look like them) are never shown.
"""

from __future__ import annotations

from ..workspace import CsdFile, LibertyConfig, Workspace, XmlFile, norm
from .complete_csd import complete_csd
from .complete_xml import complete_xml
from .items import (  # noqa: F401 - the item kinds are part of this module's interface
    ATTRIBUTE,
    COMMAND,
    ELEMENT,
    END_TAG,
    ENUM,
    FEATURE,
    KEYWORD,
    REFERENCE,
    RESOURCE,
    SNIPPET,
    VALUE,
    VARIABLE,
    CompletionItem,
    CompletionResult,
)


def _document(ws: Workspace, path: str) -> tuple[LibertyConfig | None, XmlFile] | CsdFile | None:
    """The file ``path`` names: an XML file with its configuration (None for
    an XML file outside every configuration), a CSD file, or None."""
    p = norm(path)
    cfg = ws.config_for(p)
    if cfg is not None:
        return cfg, cfg.files[p]
    f = ws.csd.files.get(p)
    if f is not None:
        return f
    if p.lower().endswith(".xml"):
        xf, _ = ws.store.xml(p)
        if xf is not None:
            return None, xf
    return None


def complete(ws: Workspace, path: str, offset: int, *, snippet_support: bool = True, trigger: str | None = None) -> CompletionResult:
    """Completion items for ``offset`` in ``path`` (a file of ``ws``)."""
    doc = _document(ws, path)
    if isinstance(doc, tuple):
        cfg, xf = doc
        return complete_xml(ws, cfg, xf, offset, snippet_support, trigger)
    if doc is not None:
        return complete_csd(ws, doc, offset, snippet_support, trigger)
    return CompletionResult()


def complete_at(ws: Workspace, path: str, line: int, character: int, **options) -> CompletionResult:
    """:func:`complete` for an LSP-style position (UTF-16 columns)."""
    index = ws.index_for(path)
    if index is None:
        return CompletionResult()
    return complete(ws, path, index.offset(line, character), **options)
