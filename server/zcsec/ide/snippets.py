"""Snippets: whole server.xml set-ups offered by completion.

:func:`snippets` loads them from the ``snippets/*.json`` files of the bundled
schema folder and of a project's schema folders.  A body uses LSP snippet
syntax (``$1``, ``${1:default}``, ``${1|a,b|}``); :func:`expand_snippet`
gives the plain text it inserts when every placeholder keeps its default,
which completion shows as a preview.  :func:`choice_escape` protects text
placed inside such a body.
"""

from __future__ import annotations

import json
import re
from dataclasses import dataclass
from functools import lru_cache
from pathlib import Path

from ..catalogue import default_schema_dirs

# At a '$': a bare tab stop ($1, ${1}), a placeholder with a default (${1:)
# or a choice (${1|).
_TAB_STOP = re.compile(r"\$(\d+)|\$\{(\d+)\}|\$\{(\d+):|\$\{(\d+)\|")


@dataclass(slots=True)
class Snippet:
    label: str
    description: str
    provider: str
    product_line: str | None
    features: tuple[str, ...]
    body: str


def _snippet_files(extra_dirs: tuple[str, ...]) -> list[Path]:
    files = []
    for d in [*default_schema_dirs(), *(Path(x) for x in extra_dirs)]:
        folder = Path(d) / "snippets"
        if folder.is_dir():
            files.extend(sorted(folder.glob("*.json")))
    return files


@lru_cache(maxsize=8)
def snippets(extra_dirs: tuple[str, ...] = ()) -> tuple[Snippet, ...]:
    """The bundled snippets (``schemas/snippets/*.json``) and those of a
    project's schema folders; a file that cannot be read is skipped."""
    out = []
    for path in _snippet_files(extra_dirs):
        try:
            data = json.loads(path.read_text(encoding="utf-8"))
        except (OSError, UnicodeDecodeError, ValueError):
            continue
        if not isinstance(data, list):
            continue
        for raw in data:
            if not isinstance(raw, dict) or "label" not in raw or "body" not in raw:
                continue
            body = raw["body"]
            if isinstance(body, list):
                body = "\n".join(str(x) for x in body)
            out.append(
                Snippet(
                    str(raw["label"]),
                    str(raw.get("description", "")),
                    str(raw.get("provider", "other")),
                    raw.get("productLine"),
                    tuple(raw.get("features", ())),
                    str(body),
                )
            )
    return tuple(out)


@lru_cache(maxsize=64)
def preview(body: str) -> str:
    """:func:`expand_snippet`, cached (the same bodies are shown again and again)."""
    return expand_snippet(body)


def expand_snippet(body: str) -> str:
    """The text a snippet inserts when every placeholder keeps its default
    (mirrors of a tab stop repeat its default; choices take the first)."""
    defaults: dict[str, str] = {}

    def parse(i: int, stop: str | None) -> tuple[str, int]:
        out = []
        n = len(body)
        while i < n:
            ch = body[i]
            if ch == "\\" and i + 1 < n and body[i + 1] in "\\$},|":
                out.append(body[i + 1])
                i += 2
                continue
            if stop is not None and ch == stop:
                return "".join(out), i
            if ch == "$":
                m = _TAB_STOP.match(body, i)
                if m is None:
                    out.append(ch)
                    i += 1
                    continue
                if m.group(1) or m.group(2):
                    # A bare tab stop: a marker, replaced by the stop's default at the end.
                    num = m.group(1) or m.group(2)
                    out.append(("\x00" + num + "\x00") if num != "0" else "")
                    i = m.end()
                    continue
                if m.group(3):
                    num = m.group(3)
                    inner, j = parse(m.end(), "}")
                    defaults.setdefault(num, inner)
                    out.append(inner)
                    i = j + 1
                    continue
                num = m.group(4)
                inner, j = parse(m.end(), "|")
                first = inner.split(",")[0]
                defaults.setdefault(num, first)
                out.append(first)
                i = j + 2
                continue
            out.append(ch)
            i += 1
        return "".join(out), i

    text, _ = parse(0, None)
    return re.sub(r"\x00(\d+)\x00", lambda m: defaults.get(m.group(1), ""), text)


def _snippet_escape(text: str) -> str:
    return text.replace("\\", "\\\\").replace("$", "\\$").replace("}", "\\}")


def choice_escape(text: str) -> str:
    """``text`` escaped for one option of a ``${1|a,b|}`` choice."""
    return _snippet_escape(text).replace(",", "\\,").replace("|", "\\|")
