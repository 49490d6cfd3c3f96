"""Fix all: apply every safe fix of a set of findings, as "fix all" in the
editor and ``zcsec check --fix`` / ``--diff`` do.

A rule marks its fix safe (``fix_safe`` in the registry) when the fix does
exactly what the finding asks and guesses nothing: spelling a name as
documented, writing an abbreviation in full, removing a setting that has no
effect, setting the one value the resource requires.  Fixes that pick a
near-miss name, add placeholders or change how the system behaves stay
quick fixes for a person to choose.

Writing never loses data: only UTF-8 files are rewritten (with their
byte-order mark and line endings as they were), the new text goes to a
temporary file beside the original that then replaces it in one step, and a
file whose content is no longer the text the findings were computed on is
left alone.
"""

from __future__ import annotations

import difflib
import os
import tempfile
from dataclasses import dataclass, field
from typing import Iterable

from .findings import Edit, Finding
from .rules import RULES

_BOM = b"\xef\xbb\xbf"


@dataclass(slots=True)
class FilePlan:
    """The safe edits for one file and the findings they fix."""

    path: str
    edits: list[Edit] = field(default_factory=list)
    codes: list[str] = field(default_factory=list)


def plan(findings: Iterable[Finding], only_in: str | None = None) -> dict[str, FilePlan]:
    """The first fix of every finding whose rule calls it safe, by file.  A
    fix whose edits overlap an edit already chosen is left out (the next
    round, after the file is re-checked, takes it); ``only_in`` keeps the
    findings reported in that file."""
    plans: dict[str, FilePlan] = {}
    taken: dict[str, list[tuple[int, int]]] = {}
    for f in sorted(findings, key=Finding.sort_key):
        rule = RULES.get(f.code)
        if rule is None or not rule.fix_safe or not f.fixes or (only_in is not None and f.path != only_in):
            continue
        edits = f.fixes[0].edits
        if not edits or any(_overlaps(e.span, taken.get(e.path, [])) for e in edits):
            continue
        for e in edits:
            taken.setdefault(e.path, []).append(e.span)
            plans.setdefault(e.path, FilePlan(e.path)).edits.append(e)
        plans.setdefault(f.path, FilePlan(f.path)).codes.append(f.code)
    return {p: fp for p, fp in plans.items() if fp.edits}


def _overlaps(span: tuple[int, int], others: list[tuple[int, int]]) -> bool:
    a, b = span
    for c, d in others:
        if (a < d and c < b) or (a == b == c == d) or (a == b and c < a < d) or (c == d and a < c < b):
            return True
    return False


def apply(text: str, edits: Iterable[Edit]) -> str:
    """``text`` with non-overlapping edits applied by their offsets."""
    for e in sorted(edits, key=lambda e: (e.span[0], e.span[1]), reverse=True):
        text = text[: e.span[0]] + e.new_text + text[e.span[1] :]
    return text


def unified_diff(path: str, old: str, new: str, hide: Iterable[str] = ()) -> str:
    """A unified diff of one file, with the quoted values in ``hide`` (the
    file's secrets) replaced by asterisks."""
    lines = difflib.unified_diff(old.splitlines(keepends=True), new.splitlines(keepends=True), f"a/{path}", f"b/{path}")
    out = "".join(line if line.endswith("\n") else line + "\n" for line in lines)
    for value in sorted(set(hide), key=len, reverse=True):
        for quote in ('"', "'"):
            out = out.replace(f"{quote}{value}{quote}", f"{quote}********{quote}")
    return out


class NotWritten(Exception):
    """Why a file was left alone."""


def write(path: str, old: str, new: str) -> None:
    """Replace the file's text ``old`` with ``new`` in one step, keeping its
    byte-order mark; raise NotWritten, changing nothing, when the file is not
    UTF-8 or no longer holds ``old``."""
    try:
        with open(path, "rb") as fh:
            raw = fh.read()
    except OSError as exc:
        raise NotWritten(f"cannot read it again: {exc.strerror or exc}") from exc
    bom = raw.startswith(_BOM)
    try:
        current = raw[len(_BOM) :].decode("utf-8") if bom else raw.decode("utf-8")
    except UnicodeDecodeError as exc:
        raise NotWritten("it is not UTF-8 text, and zcsec only rewrites UTF-8 files") from exc
    if current != old:
        raise NotWritten("it changed since it was read")
    data = (_BOM if bom else b"") + new.encode("utf-8")
    folder = os.path.dirname(os.path.abspath(path))
    fd, tmp = tempfile.mkstemp(prefix=".zcsec-fix-", dir=folder)
    try:
        with os.fdopen(fd, "wb") as fh:
            fh.write(data)
            fh.flush()
            os.fsync(fh.fileno())
        st = os.stat(path)
        os.chmod(tmp, st.st_mode & 0o7777)
        os.replace(tmp, path)
    except OSError as exc:
        try:
            os.unlink(tmp)
        except OSError:
            pass
        raise NotWritten(f"cannot write it: {exc.strerror or exc}") from exc
