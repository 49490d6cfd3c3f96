"""What the analysis reports: findings with a stable code, a severity, an
exact range and a plain message, and optional machine-applicable fixes.

These types are independent of any editor protocol; the language server and
the CLI both convert them for their own output.
"""

from __future__ import annotations

from dataclasses import dataclass, field
from enum import IntEnum

from .text import Position, Range, Span



class Severity(IntEnum):
    """Numbered as in the Language Server Protocol."""

    ERROR = 1
    WARNING = 2
    INFORMATION = 3
    HINT = 4

    @property
    def label(self) -> str:
        return self.name.lower()

    @classmethod
    def parse(cls, text: str) -> "Severity":
        key = text.strip().lower()
        aliases = {"info": "information", "warn": "warning", "err": "error"}
        key = aliases.get(key, key)
        for member in cls:
            if member.label == key:
                return member
        raise ValueError(f"unknown severity '{text}' (use error, warning, information or hint)")


# The range of a finding or edit before the engine places it in its file.
UNPLACED = Range(Position(0, 0), Position(0, 0))


@dataclass(slots=True)
class Edit:
    """Replace ``span`` of ``path`` with ``new_text``.  ``range`` is filled in
    when the finding is finalised."""

    path: str
    span: Span
    new_text: str
    range: Range = UNPLACED

    def to_json(self) -> dict:
        return {"file": self.path, "range": self.range.to_json(), "newText": self.new_text}


@dataclass(slots=True)
class Fix:
    title: str
    edits: list[Edit]

    def to_json(self) -> dict:
        return {"title": self.title, "edits": [e.to_json() for e in self.edits]}


@dataclass(slots=True)
class Finding:
    code: str
    severity: Severity
    message: str
    path: str
    span: Span
    range: Range = UNPLACED
    fixes: list[Fix] = field(default_factory=list)
    related: list[tuple[str, Span, str]] = field(default_factory=list)  # (path, span, note)
    related_ranges: list[tuple[str, Range, str]] = field(default_factory=list)

    def sort_key(self) -> tuple[str, int, int, str]:
        return (self.path, self.range.start.line, self.range.start.character, self.code)

    def to_json(self) -> dict:
        out: dict[str, object] = {
            "file": self.path,
            "range": self.range.to_json(),
            "severity": self.severity.label,
            "code": self.code,
            "message": self.message,
        }
        if self.fixes:
            out["fixes"] = [f.to_json() for f in self.fixes]
        if self.related_ranges:
            out["related"] = [{"file": p, "range": r.to_json(), "message": m} for p, r, m in self.related_ranges]
        return out
