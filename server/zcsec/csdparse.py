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
import threading
from bisect import bisect_left, bisect_right
from dataclasses import dataclass, field, replace

from .catalogue import CsdCatalogue, CsdCommandSpec, CsdKeywordSpec, CsdResourceSpec, Resolution, resolve_abbreviation
from .text import Reparse, Span, TextChange, text_change

_LINE = re.compile(r"[^\r\n]*(?:\r\n|\r|\n|$)")
_LINE_BREAK = re.compile(r"\r\n|\r|\n")
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
    _verb_span: Span
    verb_resolution: Resolution
    spec: CsdCommandSpec | None = None
    resource_written: str | None = None
    _resource_span: Span | None = None
    resource_resolution: Resolution | None = None
    resource_spec: CsdResourceSpec | None = None
    name: str | None = None
    _name_span: Span | None = None
    _keywords: list[CsdKeyword] = field(default_factory=list)
    _end: int = 0
    document: "CsdDocument | None" = field(default=None, repr=False)
    _shift: int = field(default=0, repr=False)  # how far the command is still to move (see _move_command)

    # A command moved by an edit moves when it is next read: an edit near the
    # top of a large file moves tens of thousands of commands, and nothing
    # reads most of them before the next edit.
    @property
    def keywords(self) -> list[CsdKeyword]:
        """The operands in the order written."""
        if self._shift:
            _settle(self)
        return self._keywords

    @property
    def verb_span(self) -> Span:
        if self._shift:
            _settle(self)
        return self._verb_span

    @property
    def resource_span(self) -> Span | None:
        if self._shift:
            _settle(self)
        return self._resource_span

    @resource_span.setter
    def resource_span(self, span: Span | None) -> None:
        if self._shift:
            _settle(self)
        self._resource_span = span

    @property
    def name_span(self) -> Span | None:
        if self._shift:
            _settle(self)
        return self._name_span

    @name_span.setter
    def name_span(self, span: Span | None) -> None:
        if self._shift:
            _settle(self)
        self._name_span = span

    @property
    def end(self) -> int:
        """Offset just past the command's last operand."""
        if self._shift:
            _settle(self)
        return self._end

    @end.setter
    def end(self, end: int) -> None:
        if self._shift:
            _settle(self)
        self._end = end

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
    record_problems: int = field(default=0, repr=False)  # problems[:record_problems] were found reading the records, the rest by the tokenizer


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


def records(text: str, pos: int = 0, n: int | None = None):
    """Yield (start_offset, line_text_without_terminator) for every line
    (of ``text[pos:n]``, ``pos`` at the start of a line)."""
    if n is None:
        n = len(text)
    while pos < n:
        m = _LINE.match(text, pos, n)
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


def parse_csd(text: str, catalogue: CsdCatalogue) -> CsdDocument:
    """Parse DFHCSDUP input (plain, or inside a JCL job); never raises."""
    is_jcl = looks_like_jcl(text)
    doc = CsdDocument(text, [], [], [], is_jcl, 0)
    stream = _Stream()
    doc.record_count = _read_records(doc, text, 0, len(text), stream, JclState(text) if is_jcl else None)
    doc.record_problems = len(doc.problems)
    _tokenize(doc, "".join(stream.parts), stream, catalogue)
    problems = doc.problems
    if len(problems) > MAX_PROBLEMS:
        dropped = len(problems) - MAX_PROBLEMS
        first = problems[MAX_PROBLEMS].span
        del problems[MAX_PROBLEMS:]
        problems.append(CsdProblem("csd-syntax", f"{dropped} more problems are not reported (at most {MAX_PROBLEMS} per file); fix the ones above first", first))
    return doc


def _read_records(doc: CsdDocument, text: str, begin: int, stop: int, stream: _Stream, jcl: JclState | None) -> int:  # noqa: C901 - one pass over the records, by kind of record
    """Read the records of ``text[begin:stop]`` (whole lines) into ``stream``,
    with comments and record problems into ``doc``; ``jcl`` follows the job
    when the input is JCL.  Returns the number of DFHCSDUP records read."""
    problems = doc.problems
    comments = doc.comments
    record_count = 0
    bom = text.startswith("\ufeff")
    pending_continuation: tuple[int, int] | None = None  # span of the '*' in column 72

    for start, line in records(text, begin, stop):
        if start == 0 and bom:
            start, line = 1, line[1:]
        if jcl is not None:
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
    return record_count


def _value_end(logical: str, open_pos: int) -> tuple[int, str | None]:
    """Find the ')' that closes the '(' at ``open_pos``.

    Returns (index of ')' or of the stopping point, error message or None).
    Quotes (``'``, doubled to escape) protect parentheses.  A value never
    spans records except by column-72 continuation, so a newline inside an
    open value means the ')' is missing.
    """
    close = logical.find(")", open_pos + 1)
    if close > open_pos and logical.startswith("(", open_pos) and logical.find("'", open_pos, close) < 0 and logical.find("(", open_pos + 1, close) < 0 and logical.find("\n", open_pos, close) < 0:
        return close, None  # the usual value: no quote, no nested '(' and no line end before the first ')'
    return _scan_value(logical, open_pos)


def _scan_value(logical: str, open_pos: int) -> tuple[int, str | None]:
    """:func:`_value_end`, a character at a time."""
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


def _tokenize(doc: CsdDocument, logical: str, stream: _Stream, catalogue: CsdCatalogue, current: CsdCommand | None = None) -> None:  # noqa: C901 - a tokenizer: one branch per kind of character
    """Read the commands of ``logical``; ``current`` is the command the
    text before it ended in (an incremental re-parse)."""
    n = len(logical)
    pos = 0
    expect_resource = current is not None and _expects_resource(current)
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
            flag = _flag_of(current, word)
            if flag is not None and current is not None:
                current.keywords.append(CsdKeyword(word, wspan, flag[0], None, None, flag[1]))
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
            current = CsdCommand(word, wspan, res, spec, _end=wspan[1], document=doc)
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


def _flag_of(current: CsdCommand | None, word: str) -> tuple[Resolution, CsdKeywordSpec] | None:
    """The flag keyword of ``current`` that the bare ``word`` names, if any
    (then it is an operand of ``current``, not a new command)."""
    if current is None or current.spec is None:
        return None
    flags = {k: s for k, s in keyword_specs(current).items() if s.type == "flag"}
    res = resolve_abbreviation(word, flags) if flags else Resolution("unknown", None)
    if res.status in ("exact", "abbrev") and res.name is not None:
        return res, flags[res.name]
    return None


def _expects_resource(cmd: CsdCommand) -> bool:
    """Whether the next operand with a value would be ``cmd``'s resource
    type and name: its command takes one and no operand with a value came
    yet."""
    return cmd.spec is not None and cmd.spec.resource in ("required", "optional") and cmd.resource_written is None and all(kw.value is None for kw in cmd.keywords)


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


# ---------------------------------------------------------------------------
# Incremental re-parsing
# ---------------------------------------------------------------------------


def reparse_csd(old: CsdDocument, text: str, catalogue: CsdCatalogue) -> tuple[CsdDocument, Reparse[CsdCommand] | None]:
    """The document of ``text``, which is ``old``'s text edited: always
    equal to ``parse_csd(text, catalogue)``.  When the edit lies in the
    records of some commands of plain DFHCSDUP input (not a JCL job), only
    those records are read again: ``old`` is updated in place and returned
    with what was re-parsed (its other commands are kept, moved).  Anything
    else (a job, a continued record at the edge, a word that may belong to
    the command before) is a full parse, returned with None.  Either way
    ``old`` must not be used afterwards."""
    change = text_change(old.source, text)
    if change is None:
        if old.source is not text:
            old.source = text
        return old, Reparse(TextChange(0, 0, 0), [], [])
    done = _reparse(old, text, change, catalogue)
    if done is None:
        return parse_csd(text, catalogue), None
    return old, done


def _line_start(text: str, pos: int) -> int:
    """The start of the record that holds offset ``pos``."""
    j = max(text.rfind("\n", 0, pos), text.rfind("\r", 0, pos))
    if j < 0:
        return 0
    if text[j] == "\r" and text.startswith("\n", j + 1):
        return _line_start(text, j)  # pos is the "\n" of that "\r\n": its record started earlier
    return j + 1


def _line_end(text: str, pos: int) -> int:
    """The offset just past the line break of the record that holds ``pos``
    (the end of the text for the last record)."""
    m = _LINE_BREAK.search(text, pos)
    return len(text) if m is None else m.end()


def _continued_before(text: str, pos: int) -> bool:
    """Whether the record that ends just before ``pos`` (a record start)
    continues a value with '*' in column 72."""
    if pos <= 0:
        return False
    start = _line_start(text, pos - 1)
    if start == 0 and text.startswith("\ufeff"):
        start = 1
    m = _LINE_BREAK.search(text, start, pos)
    end = pos if m is None else m.start()
    return text[start + 71 : start + 72] == "*" and start + 71 < end


def _verb_start(cmd: CsdCommand) -> int:
    return cmd.verb_span[0]


def _reparse(old: CsdDocument, text: str, change: TextChange, catalogue: CsdCatalogue) -> Reparse[CsdCommand] | None:  # noqa: C901 - every condition under which some records may be read alone, in one place
    if old.is_jcl or looks_like_jcl(text) or len(old.problems) >= MAX_PROBLEMS:
        return None
    src, d, cmds = old.source, change.delta, old.commands
    # Whole records, widened until no command and no continued value
    # crosses either edge (in the old text or the new).
    s = _line_start(src, max(0, change.start - 1))
    e = _line_end(src, change.old_end)
    while True:
        if _continued_before(src, s):
            s = _line_start(src, s - 1)
            continue
        k = bisect_left(cmds, s, key=_verb_start) - 1
        if k >= 0 and cmds[k].span[1] >= s:
            s = _line_start(src, cmds[k].verb_span[0])
            continue
        if e < len(src) and (_continued_before(src, e) or _continued_before(text, e + d)):
            e = _line_end(src, e)
            continue
        k = bisect_left(cmds, e, key=_verb_start) - 1
        if k >= 0 and cmds[k].span[1] >= e and e < len(src):
            e = _line_end(src, cmds[k].span[1])
            continue
        break
    i = bisect_left(cmds, s, key=_verb_start)
    j = bisect_left(cmds, e, key=_verb_start)
    prev = cmds[i - 1] if i > 0 else None
    nxt = cmds[j] if j < len(cmds) else None
    part = CsdDocument(text, [], [], [], False, 0)
    stream = _Stream()
    count = _read_records(part, text, s, e + d, stream, None)
    if any(p.code == "csd-continuation" for p in part.problems):
        return None  # the last record continues a value into the records after
    rec_new = len(part.problems)
    seed = replace(prev, _keywords=list(prev.keywords)) if prev is not None else None
    _tokenize(part, "".join(stream.parts), stream, catalogue, seed)
    if prev is not None and seed is not None and (seed.end != prev.end or len(seed.keywords) != len(prev.keywords) or seed.resource_written is not prev.resource_written):
        return None  # the stretch begins with operands of the command before it
    last = part.commands[-1] if part.commands else prev
    if nxt is not None and (nxt.verb_resolution.status == "unknown" or _flag_of(last, nxt.verb_written) is not None):
        return None  # the command after might now read as an operand of this one
    rec_old = old.record_problems
    rb = _problem_bounds(old.problems, 0, rec_old, s, e)
    tb = _problem_bounds(old.problems, rec_old, len(old.problems), s, e)
    if rb is None or tb is None:
        return None
    if last is not None and prev is None and any(s <= p.span[0] and (nxt is None or p.span[0] < nxt.verb_span[0]) for p in old.problems[tb[1]:]):
        return None  # operands after the stretch that had no command before them now have one
    problems = _moved(old.problems[:rb[0]], part.problems[:rec_new], old.problems[rb[1] : rec_old], d)
    tokens = _moved(old.problems[rec_old : tb[0]], part.problems[rec_new:], old.problems[tb[1] :], d)
    if len(problems) + len(tokens) > MAX_PROBLEMS:
        return None
    # From here on the old document is changed: nothing may fail.
    c0 = bisect_left(old.comments, s, key=_comment_start)
    c1 = bisect_left(old.comments, e, key=_comment_start)
    for c in old.comments[c1:]:
        c.span = (c.span[0] + d, c.span[1] + d)
    old.comments = old.comments[:c0] + part.comments + old.comments[c1:]
    old.record_count += count - sum(1 for _ in records(src, s, e))
    old.problems = problems + tokens
    old.record_problems = len(problems)
    for cmd in cmds[j:]:
        _move_command(cmd, d)
    for cmd in part.commands:
        cmd.document = old
    old.commands = cmds[:i] + part.commands + cmds[j:]
    old.source = text
    return Reparse(TextChange(s, e, e + d), cmds[i:j], part.commands, change)


def _comment_start(c: CsdComment) -> int:
    return c.span[0]


def _problem_bounds(problems: list[CsdProblem], lo: int, hi: int, s: int, e: int) -> tuple[int, int] | None:
    """Where the problems of ``problems[lo:hi]`` (in the order they were
    found) at offsets ``s`` to ``e`` are; None unless those before, inside and
    after come in that order."""
    k0 = lo
    while k0 < hi and problems[k0].span[0] < s:
        k0 += 1
    k1 = k0
    while k1 < hi and problems[k1].span[0] < e:
        k1 += 1
    if any(problems[k].span[0] < e for k in range(k1, hi)):
        return None
    return k0, k1


def _moved(before: list[CsdProblem], new: list[CsdProblem], after: list[CsdProblem], d: int) -> list[CsdProblem]:
    if d:
        for p in after:
            p.span = (p.span[0] + d, p.span[1] + d)
    return before + new + after


def _move_command(cmd: CsdCommand, d: int) -> None:
    cmd._shift += d  # it moves when it is next read (see _settle)


_SETTLING = threading.Lock()


def _settle(cmd: CsdCommand) -> None:
    """Move ``cmd`` (its spans and its keywords) by the distance edits moved
    it since it was last read (once, even when two threads read it at once)."""
    with _SETTLING:
        d = cmd._shift
        if not d:
            return
        a, b = cmd._verb_span
        cmd._verb_span = (a + d, b + d)
        if cmd._resource_span is not None:
            a, b = cmd._resource_span
            cmd._resource_span = (a + d, b + d)
        if cmd._name_span is not None:
            a, b = cmd._name_span
            cmd._name_span = (a + d, b + d)
        cmd._end += d
        for kw in cmd._keywords:
            a, b = kw.written_span
            kw.written_span = (a + d, b + d)
            if kw.value_span is not None:
                a, b = kw.value_span
                kw.value_span = (a + d, b + d)
        cmd._shift = 0
