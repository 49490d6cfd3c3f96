"""Where a rule's documentation is: its section of docs/rules.md, shipped
inside the package (``zcsec/_docs``) so that the link works on a machine
without network access, as many mainframe sites are."""

from __future__ import annotations

from functools import lru_cache
from pathlib import Path

_HERE = Path(__file__).resolve().parent


@lru_cache(maxsize=1)
def rules_doc() -> Path | None:
    """docs/rules.md of a source checkout, or the copy in the package."""
    for candidate in (_HERE / "_docs" / "rules.md", _HERE.parent.parent / "docs" / "rules.md"):
        if candidate.is_file():
            return candidate
    return None


def rule_doc_uri(code: str) -> str | None:
    """A link to the section of ``code`` in docs/rules.md (its heading is the
    code, so the anchor is the code itself)."""
    doc = rules_doc()
    return f"{doc.as_uri()}#{code}" if doc is not None else None
