"""Property tests for the DFHCSDUP parser: it never raises, and every span it
records lies inside the text with start <= end."""

from __future__ import annotations

from pathlib import Path

import pytest
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from zcsec.catalogue import load_catalogue
from zcsec.csdparse import CsdDocument, _scan_value, _value_end, parse_csd

ROOT = Path(__file__).resolve().parent.parent
CAT = load_catalogue().csd


def _check_span(text: str, span, what: str) -> None:
    assert span is not None, what
    a, b = span
    assert isinstance(a, int) and isinstance(b, int), (what, span)
    assert 0 <= a <= b <= len(text), (what, span, len(text))


def _same_word(text: str, span, written: str) -> None:
    """A word is the text at its span, unless it was continued over column 72."""
    raw = text[span[0] : span[1]]
    if "\n" not in raw and "\r" not in raw:
        assert written == raw, (written, raw)


def check_invariants(text: str, doc: CsdDocument) -> None:
    assert doc.source is text
    for cmd in doc.commands:
        _check_span(text, cmd.verb_span, "verb")
        _check_span(text, cmd.span, "command")
        _same_word(text, cmd.verb_span, cmd.verb_written)
        if cmd.resource_span is not None:
            _check_span(text, cmd.resource_span, "resource")
            _same_word(text, cmd.resource_span, cmd.resource_written)
        if cmd.name_span is not None:
            _check_span(text, cmd.name_span, "name")
        for kw in cmd.keywords:
            _check_span(text, kw.written_span, "keyword")
            _check_span(text, kw.span, "keyword+value")
            _same_word(text, kw.written_span, kw.written)
            if kw.value_span is not None:
                _check_span(text, kw.value_span, "value")
                assert kw.written_span[1] <= kw.value_span[0]
            else:
                assert kw.value is None
        assert cmd.document is doc
    starts = [c.verb_span[0] for c in doc.commands]
    assert starts == sorted(starts)
    for c in doc.comments:
        _check_span(text, c.span, "comment")
    for p in doc.problems:
        _check_span(text, p.span, f"problem {p.code}")
        assert p.code in ("csd-syntax", "csd-continuation", "csd-record-length", "csd-column-72")
        assert p.severity in ("error", "warning", "information")


_TOKENS = [
    "DEFINE", "Define", "DEF", "IPCONN", "TCPIPSERVICE", "GROUP", "ADD", "DELETE", "ALL", "LIST",
    "USERAUTH", "S", "PROT", "(", ")", "((", "))", "'", "''", "*", "**", "/*", "//", "//*",
    "//SYSIN DD *", "//S EXEC PGM=DFHCSDUP", "//S EXEC PGM=IEFBR14", " DD DATA", "\n", "\r\n", "\r",
    " ", "    ", "\t", ",", "\ufeff", "ü", "😀", "\u2028", "\x85", "\x0c",
    "X" * 71, "Y" * 79, "Z" * 90, " " * 70 + "*", " " * 71 + "*00000100",
]
_ALPHABET = st.characters(codec="utf-8", exclude_categories=("Cs",))

csd_like = st.lists(
    st.one_of(st.sampled_from(_TOKENS), st.text(_ALPHABET, max_size=30), st.text("()'* /\nAB1", max_size=120)),
    max_size=40,
).map("".join)


@settings(max_examples=300, deadline=None, derandomize=True, suppress_health_check=[HealthCheck.too_slow])
@given(csd_like)
def test_parse_never_raises_and_spans_are_in_range(text):
    doc = parse_csd(text, CAT)
    check_invariants(text, doc)


@settings(max_examples=300, deadline=None, derandomize=True)
@given(st.text(max_size=400))
def test_parse_arbitrary_text(text):
    doc = parse_csd(text, CAT)
    check_invariants(text, doc)


@settings(max_examples=300, deadline=None, derandomize=True, suppress_health_check=[HealthCheck.too_slow])
@given(
    st.lists(
        st.tuples(st.text("ABCDEFGHIJKLMNOPQRSTUVWXYZ()' *", max_size=85), st.sampled_from(["", "*", "X", " "])),
        max_size=12,
    ),
    st.booleans(),
)
def test_parse_record_shaped_input(records, jcl):
    # Records near the 71/72/80 column limits, with and without a JCL wrapper.
    lines = [(body[:71].ljust(71) + mark + body[71:]) if mark else body for body, mark in records]
    text = "\n".join(lines)
    if jcl:
        text = "//J JOB\n//S EXEC PGM=DFHCSDUP\n//SYSIN DD *\n" + text + "\n/*\n"
    doc = parse_csd(text, CAT)
    check_invariants(text, doc)


def _example_files() -> list[Path]:
    files = sorted(p for ext in ("*.csd", "*.jcl") for p in (ROOT / "examples").rglob(ext))
    return files


def test_examples_exist():
    assert _example_files(), "expected CSD/JCL examples under examples/"


@pytest.mark.parametrize("path", _example_files(), ids=lambda p: str(p.relative_to(ROOT)))
def test_every_prefix_of_every_example_parses(path):
    text = path.read_text(encoding="utf-8")
    for end in range(len(text) + 1):
        prefix = text[:end]
        doc = parse_csd(prefix, CAT)
        check_invariants(prefix, doc)
    full = parse_csd(text, CAT)
    assert full.commands, "an example should define something"


@given(st.text(alphabet="()'\nAB ", max_size=30), st.integers(min_value=0, max_value=29))
def test_the_end_of_a_value_is_found_as_a_scan_finds_it(text, at):
    """_value_end takes the usual value (no quote, no nested '(', on one
    record) with a search for its ')': the answer of the scan."""
    at = min(at, len(text))
    text = text[:at] + "(" + text[at:]
    assert _value_end(text, at) == _scan_value(text, at)
