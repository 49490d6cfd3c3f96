"""A parser for DFHCSDUP input (CICS CSD definitions) that keeps exact offsets.

Record rules (sources in docs/sources.md): input records are 80 columns; commands
use columns 1-71; a ``*`` in column 72 continues a value in column 1 of the
next record; columns 73-80 are ignored (sequence numbers); a ``*`` in column 1
makes the record a comment.  DFHCSDUP input embedded in a JCL job is read from
the in-stream ``SYSIN DD *`` data of the DFHCSDUP step.

Commands are ``VERB`` followed by ``KEYWORD(value)`` operands (or bare flag
keywords such as ``ALL``); verbs, resource types and keywords may be
abbreviated and written in any case.  Abbreviations are resolved against the
catalogue; the outcome of each resolution is recorded and turned into
diagnostics by the rules, never here.  The parser never raises.
"""

from __future__ import annotations

import re
from bisect import bisect_right
from dataclasses import dataclass, field

from .catalogue import CsdCatalogue, CsdCommandSpec, CsdKeywordSpec, CsdResourceSpec, Resolution, resolve_abbreviation
from .text import Span

_LINE = re.compile(r"[^\r\n]*(?:\r\n|\r|\n|$)")
_WORD = re.compile(r"[A-Za-z0-9$@#_\-]+")
_JCL_DD_INSTREAM = re.compile(r"^//(\S*)\s+DD\s+(\*|DATA)(?=\s|,|$)", re.IGNORECASE)
_JCL_EXEC = re.compile(r"^//\S*\s+EXEC\s+(?:PGM=)?([A-Z0-9$@#]+)", re.IGNORECASE)
# Inside a value whose ')' is missing: a blank and then another operand.
_NEXT_OPERAND = re.compile(r"[ \t]+(?=[A-Za-z][A-Za-z0-9]*[ \t]*\()")
_JCL_PGM = re.compile(r"PGM=([A-Z0-9$@#]+)", re.IGNORECASE)
_OPERAND_AHEAD = re.compile(r"[ \t]+[A-Za-z0-9$@#_\-]+[ \t]*\(")
# Problems reported per document (as for XML): a flood of junk must not
# become hundreds of thousands of diagnostics.
MAX_PROBLEMS = 25_000


@dataclass(slots=True)
class CsdProblem:
    code: str
    message: str
    span: Span
    severity: str = "error"


@dataclass(slots=True, eq=False)
class CsdKeyword:
    written: str
    written_span: Span
    resolution: Resolution
    value: str | None = None  # None for a flag keyword (no parentheses)
    value_span: Span | None = None  # inside the parentheses
    spec: CsdKeywordSpec | None = None
    closed: bool = True  # False when the value's ')' is missing (a csd-syntax problem)

    @property
    def name(self) -> str | None:
        return self.resolution.name

    @property
    def span(self) -> Span:
        if self.value_span is None:
            return self.written_span
        return (self.written_span[0], self.value_span[1] + (1 if self.closed else 0))

    @property
    def upper(self) -> str:
        return (self.value or "").strip().upper()


@dataclass(slots=True, eq=False)
class CsdCommand:
    verb_written: str
    verb_span: Span
    verb_resolution: Resolution
    spec: CsdCommandSpec | None = None
    resource_written: str | None = None
    resource_span: Span | None = None
    resource_resolution: Resolution | None = None
    resource_spec: CsdResourceSpec | None = None
    name: str | None = None
    name_span: Span | None = None
    keywords: list[CsdKeyword] = field(default_factory=list)
    end: int = 0
    document: "CsdDocument | None" = field(default=None, repr=False)

    @property
    def verb(self) -> str | None:
        return self.verb_resolution.name

    @property
    def resource_type(self) -> str | None:
        return self.resource_resolution.name if self.resource_resolution else None

    @property
    def span(self) -> Span:
        return (self.verb_span[0], max(self.end, self.verb_span[1]))

    def get(self, name: str) -> CsdKeyword | None:
        """The last operand that resolved to ``name`` (DFHCSDUP keeps the last)."""
        found = None
        for kw in self.keywords:
            if kw.name == name:
                found = kw
        return found

    def value(self, name: str) -> str | None:
        kw = self.get(name)
        return kw.value.strip() if kw is not None and kw.value is not None else None

    def upper(self, name: str, default: str | None = None) -> str | None:
        v = self.value(name)
        return v.upper() if v is not None and v != "" else default

    @property
    def group(self) -> str | None:
        v = self.value("GROUP")
        return v.upper() if v else None


@dataclass(slots=True)
class CsdComment:
    text: str
    span: Span


@dataclass(slots=True, eq=False)
class CsdDocument:
    source: str
    commands: list[CsdCommand]
    comments: list[CsdComment]
    problems: list[CsdProblem]
    is_jcl: bool = False
    record_count: int = 0


class _Stream:
    """The command area of every CSD record joined into one logical string,
    with a map from logical offsets back to source offsets."""

    def __init__(self) -> None:
        self.parts: list[str] = []
        self.logical_starts: list[int] = []
        self.source_starts: list[int] = []
        self.length = 0

    def append(self, text: str, source_start: int) -> None:
        if not text:
            return
        self.logical_starts.append(self.length)
        self.source_starts.append(source_start)
        self.parts.append(text)
        self.length += len(text)

    def source(self, logical: int) -> int:
        if not self.logical_starts:
            return 0
        i = max(0, bisect_right(self.logical_starts, logical) - 1)
        return self.source_starts[i] + (logical - self.logical_starts[i])

    def source_end(self, logical_end: int) -> int:
        """Source offset just past the logical character before ``logical_end``."""
        if logical_end <= 0:
            return self.source(0)
        return self.source(logical_end - 1) + 1


def records(text: str):
    """Yield (start_offset, line_text_without_terminator) for every line."""
    pos = 0
    n = len(text)
    while pos < n:
        m = _LINE.match(text, pos)
        assert m is not None  # the pattern also matches an empty line
        line = m.group(0)
        body = line.rstrip("\r\n")
        yield pos, body
        if m.end() == pos:
            break
        pos = m.end()


def looks_like_jcl(text: str) -> bool:
    head = text[:4096]
    return any(line.startswith("//") for line in head.splitlines()[:20])


class JclState:
    """Follows a JCL job record by record and knows which records are
    DFHCSDUP input: the in-stream ``SYSIN DD *`` (or ``DD DATA``) data of a
    ``PGM=DFHCSDUP`` step (any SYSIN data when no step names DFHCSDUP)."""

    def __init__(self, text: str) -> None:
        self.any_csdup = re.search(r"PGM=DFHCSDUP", text, re.IGNORECASE) is not None
        self.step: str | None = None
        self.in_stream = False

    def statement(self, line: str) -> bool:
        """Feed one record; True when it is a JCL statement (``//`` or
        ``/*``), which is never DFHCSDUP input.  A ``//*`` comment changes
        nothing."""
        if not (line.startswith("//") or line.startswith("/*")):
            return False
        if line.startswith("//*"):
            return True
        self.in_stream = False
        if line.startswith("//"):
            em = _JCL_EXEC.match(line)
            if em:
                pm = _JCL_PGM.search(line)
                self.step = (pm.group(1) if pm else em.group(1)).upper()
            dm = _JCL_DD_INSTREAM.match(line)
            if dm:
                dd = dm.group(1).upper()
                self.in_stream = (self.step == "DFHCSDUP" and dd in ("SYSIN", "")) if self.any_csdup else dd == "SYSIN"
        return True


def record_kinds(text: str) -> list[str]:
    """What each line of DFHCSDUP input is, following the parser's rules:
    ``jcl`` (a JCL statement), ``outside`` (JCL data that is not DFHCSDUP
    input), ``comment``, ``record`` or ``continued`` (a record that carries
    on a value continued by ``*`` in column 72 of the record before)."""
    lines = text.splitlines()
    if text.endswith(("\n", "\r")) or not text:
        lines.append("")
    is_jcl = looks_like_jcl(text)
    jcl = JclState(text)
    in_stream = not is_jcl
    pending = False
    kinds: list[str] = []
    for n, line in enumerate(lines):
        if n == 0:
            line = line.lstrip("\ufeff")
        if is_jcl and jcl.statement(line):
            kinds.append("jcl")
            if not line.startswith("//*"):
                pending = False
                in_stream = jcl.in_stream
            continue
        if not in_stream:
            kinds.append("outside")
            continue
        if line.startswith("*") and not pending:
            kinds.append("comment")
            continue
        kinds.append("continued" if pending else "record")
        pending = line[71:72] == "*"
    return kinds


def parse_csd(text: str, catalogue: CsdCatalogue) -> CsdDocument:  # noqa: C901 - one pass over the records, by kind of record
    """Parse DFHCSDUP input (plain, or inside a JCL job); never raises."""
    if text.startswith("\ufeff"):
        text_offset = 1
    else:
        text_offset = 0
    problems: list[CsdProblem] = []
    comments: list[CsdComment] = []
    stream = _Stream()
    is_jcl = looks_like_jcl(text)
    record_count = 0

    jcl = JclState(text)
    pending_continuation: tuple[int, int] | None = None  # span of the '*' in column 72

    for start, line in records(text):
        if start == 0 and text_offset:
            start, line = 1, line[1:]
        if is_jcl:
            if jcl.statement(line):
                if line.startswith("//*"):
                    continue
                if pending_continuation is not None:
                    problems.append(CsdProblem("csd-continuation", "a value is continued in column 72, but no record follows", pending_continuation))
                    pending_continuation = None
                continue
            if not jcl.in_stream:
                continue
        record_count += 1
        if line.startswith("*"):
            if pending_continuation is None:
                comments.append(CsdComment(line[1:], (start, start + len(line))))
                continue
        col72 = line[71:72]
        continued = col72 == "*"
        # Text that runs on from column 72 into column 73 and beyond (and is
        # not a sequence number there): DFHCSDUP does not read it.  Said once,
        # and the record is analysed as written, so that the cut value does
        # not also show up as a missing ')' or a wrong value.
        overflow = not continued and len(line) <= 80 and col72.strip() != "" and line[72:73].strip() != "" and not line[72:80].strip().isdigit()
        if overflow:
            lost = line[72:].rstrip()
            problems.append(
                CsdProblem(
                    "csd-column-72",
                    f"the text runs past column 72: DFHCSDUP ignores columns 73-80, so '{lost[:20]}' is lost; move the operand to the next record",
                    (start + 72, start + len(line.rstrip())),
                    "error",
                )
            )
        elif len(line) > 80:
            problems.append(
                CsdProblem(
                    "csd-record-length",
                    f"the record is {len(line)} columns long; DFHCSDUP reads 80-column records and ignores columns 73-80",
                    (start + 80, start + len(line)),
                    "warning",
                )
            )
        elif col72.strip() and not continued:
            packed = line[70:71].strip() != ""
            if packed:
                # Extract output and real members pack the end of an operand
                # (a closing ')') into column 72, and DFHCSDUP reads it.
                message = f"column 72 holds '{col72}'; IBM documents columns 1 to 71 for commands (column 72 is for continuation)"
            else:
                message = f"column 72 holds '{col72}' on its own; only '*' there continues a value, so it is not read"
            problems.append(CsdProblem("csd-column-72", message, (start + 71, start + 72), "information" if packed else "warning"))
        if continued:
            stream.append(line[:71], start)
            pending_continuation = (start + 71, start + 72)
        else:
            body = (line if overflow else line[:72] if line[70:71].strip() else line[:71]).rstrip()
            stream.append(body, start)
            stream.append("\n", start + len(body))
            pending_continuation = None
    if pending_continuation is not None:
        problems.append(CsdProblem("csd-continuation", "a value is continued in column 72, but no record follows", pending_continuation))

    doc = CsdDocument(text, [], comments, problems, is_jcl, record_count)
    _tokenize(doc, "".join(stream.parts), stream, catalogue)
    if len(problems) > MAX_PROBLEMS:
        dropped = len(problems) - MAX_PROBLEMS
        first = problems[MAX_PROBLEMS].span
        del problems[MAX_PROBLEMS:]
        problems.append(CsdProblem("csd-syntax", f"{dropped} more problems are not reported (at most {MAX_PROBLEMS} per file); fix the ones above first", first))
    return doc


def _value_end(logical: str, open_pos: int) -> tuple[int, str | None]:
    """Find the ')' that closes the '(' at ``open_pos``.

    Returns (index of ')' or of the stopping point, error message or None).
    Quotes (``'``, doubled to escape) protect parentheses.  A value never
    spans records except by column-72 continuation, so a newline inside an
    open value means the ')' is missing.
    """
    depth = 0
    i = open_pos
    n = len(logical)
    quote = False
    while i < n:
        ch = logical[i]
        if quote:
            if ch == "'":
                if i + 1 < n and logical[i + 1] == "'":
                    i += 2
                    continue
                quote = False
            elif ch == "\n":
                return i, "a quoted value is not closed: add the closing quote and ')'"
        elif ch == "'":
            quote = True
        elif ch == "(":
            depth += 1
        elif ch == ")":
            depth -= 1
            if depth == 0:
                return i, None
        elif ch == "\n":
            return i, "missing ')': the value must end on the same record (or continue with '*' in column 72)"
        i += 1
    return n, "missing ')' before the end of the input"


def _tokenize(doc: CsdDocument, logical: str, stream: _Stream, catalogue: CsdCatalogue) -> None:  # noqa: C901 - a tokenizer: one branch per kind of character
    n = len(logical)
    pos = 0
    current: CsdCommand | None = None
    expect_resource = False
    problems = doc.problems

    def src(a: int, b: int) -> Span:
        return (stream.source(a), stream.source_end(b) if b > a else stream.source(a))

    while pos < n:
        ch = logical[pos]
        if ch in " \t\n,":
            pos += 1
            continue
        m = _WORD.match(logical, pos)
        if m is None:
            # Junk: skip to the next blank.
            j = pos + 1
            while j < n and logical[j] not in " \t\n":
                j += 1
            if ch == "(":
                end, err = _value_end(logical, pos)
                # Without its ')' the junk ends where the record ends, not past it.
                j = min(n, end if err else end + 1)
                problems.append(CsdProblem("csd-syntax", "a value in parentheses must follow a keyword", src(pos, j)))
            elif ch == ")":
                problems.append(CsdProblem("csd-syntax", "unbalanced ')' with no '(' before it", src(pos, pos + 1)))
            else:
                problems.append(CsdProblem("csd-syntax", f"unexpected '{logical[pos:j][:20]}'", src(pos, j)))
            pos = j
            if current is not None:
                current.end = stream.source_end(j)
            continue
        word = m.group(0)
        wspan = src(m.start(), m.end())
        j = m.end()
        while j < n and logical[j] in " \t":
            j += 1
        value = None
        vspan: Span | None = None
        closed = True
        after = m.end()
        if j < n and logical[j] == "(":
            close, err = _value_end(logical, j)
            if err and err.startswith("missing ')'"):
                # PROGRAM(JAVATDQ2 GROUP(JCICSAMP): the value most likely
                # ends at the blank before the next KEYWORD(, so the ')' is
                # reported there and GROUP is still read as a keyword.
                nxt = _NEXT_OPERAND.search(logical, j + 1, close)
                if nxt is not None:
                    close = nxt.start()
                    err = f"missing ')' after '{logical[j + 1 : close].strip()[:30]}'"
            value = logical[j + 1 : close]
            vspan = src(j + 1, close) if close > j + 1 else (stream.source(j) + 1, stream.source(j) + 1)
            if err:
                problems.append(CsdProblem("csd-syntax", err, src(j, close)))
                after = close
                closed = False
            else:
                after = close + 1

        if value is None:
            # A bare word: a flag of the current command, or a new command.
            if current is not None and current.spec is not None:
                flags = {k: s for k, s in keyword_specs(current).items() if s.type == "flag"}
                res = resolve_abbreviation(word, flags) if flags else Resolution("unknown", None)
                if res.status in ("exact", "abbrev") and res.name is not None:
                    current.keywords.append(CsdKeyword(word, wspan, res, None, None, flags[res.name]))
                    current.end = wspan[1]
                    pos = after
                    continue
            res = catalogue.command(word)
            if res.status == "unknown" and current is not None and current.verb is not None and not _looks_like_command(logical, m.start(), after):
                # Not a command: keep it as an (unknown) operand of the current command.
                kws = keyword_specs(current)
                kres = resolve_abbreviation(word, kws)
                current.keywords.append(CsdKeyword(word, wspan, kres, None, None, kws.get(kres.name) if kres.name else None))
                current.end = wspan[1]
                pos = after
                continue
            spec = catalogue.commands.get(res.name) if res.name else None
            current = CsdCommand(word, wspan, res, spec, end=wspan[1], document=doc)
            doc.commands.append(current)
            expect_resource = spec is not None and spec.resource in ("required", "optional")
            pos = after
            continue

        if current is None:
            problems.append(CsdProblem("csd-syntax", f"'{word}(...)' must follow a command such as DEFINE", wspan))
            pos = after
            continue
        end_src = stream.source_end(after) if after > m.end() else wspan[1]
        if expect_resource:
            expect_resource = False
            rres = catalogue.resource_type(word)
            if rres.status != "unknown" or (current.spec is not None and current.spec.resource == "required"):
                current.resource_written = word
                current.resource_span = wspan
                current.resource_resolution = rres
                current.resource_spec = catalogue.resource_types.get(rres.name) if rres.name else None
                current.name = value.strip()
                current.name_span = vspan
                current.end = end_src
                pos = after
                continue
        kws = keyword_specs(current)
        kres = resolve_abbreviation(word, kws) if kws else Resolution("unknown", None)
        current.keywords.append(CsdKeyword(word, wspan, kres, value, vspan, kws.get(kres.name) if kres.name else None, closed))
        current.end = end_src
        pos = after


def _looks_like_command(logical: str, start: int, after: int) -> bool:
    """Whether the unknown bare word at ``start`` is more likely a misspelt
    command than a misspelt flag: it is the first word of its record and a
    ``KEYWORD(`` operand follows on the same record."""
    k = start - 1
    while k >= 0 and logical[k] in " \t,":
        k -= 1
    if k >= 0 and logical[k] != "\n":
        return False
    return _OPERAND_AHEAD.match(logical, after) is not None


def keyword_specs(cmd: CsdCommand) -> dict[str, CsdKeywordSpec]:
    """The keywords the catalogue knows for ``cmd``: its command's and its
    resource type's, by full name."""
    kws: dict[str, CsdKeywordSpec] = {}
    if cmd.spec is not None:
        kws.update(cmd.spec.keywords)
    if cmd.resource_spec is not None:
        kws.update(cmd.resource_spec.keywords)
    return kws
