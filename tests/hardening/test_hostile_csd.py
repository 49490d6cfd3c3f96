"""Hostile DFHCSDUP input: every case gets its diagnostic, no rule fails,
every range lies inside the document.  (100,000 DEFINEs are measured in
test_resources.py.)"""

from __future__ import annotations

import pytest

from hardening_support import EXAMPLES, analyse_folder, codes
from zcsec.analysis import catalogue_for
from zcsec.csdparse import MAX_PROBLEMS, parse_csd
from zcsec.project import ProjectConfig

CSD = catalogue_for(ProjectConfig()).csd


def _check(tmp_path, text: str, name: str = "defs.csd"):
    (tmp_path / name).write_text(text)
    return analyse_folder(tmp_path)


def record(body: str, seq: int, col72: str = " ") -> str:
    """An 80-column record: command area (columns 1-71), column 72, sequence number."""
    assert len(body) <= 71 and (col72 != "*" or len(body) == 71)  # a continued value fills column 71
    return body.ljust(71) + col72 + f"{seq:08d}"


@pytest.mark.parametrize(
    "text, code, phrase",
    [
        (" DEFINE IPCONN(ZC1) GROUP(G) APPLID(ZCEE\n", "csd-syntax", "missing ')'"),
        (" DEFINE IPCONN(ZC1)) GROUP(G)\n", "csd-syntax", "unbalanced ')'"),
        (" DEFINE IPCONN((ZC1) GROUP(G)\n", "csd-syntax", None),
        (" DEFINE TCPIPSERVICE(T) GROUP(G) DESCRIPTION('it''s (open\n", "csd-syntax", "quoted value is not closed"),
        (" DEFINE TCPIPSERVICE(T) GROUP(G) PORTNUMBER(1491) PROTOCOL(IPIC)".ljust(71) + "*", "csd-continuation", "no record follows"),
        (" FROBNICATE IPCONN(ZC1) GROUP(G)\n", "csd-unknown-command", None),
        (" DEFINE WIDGET(W1) GROUP(G)\n", "csd-unknown-resource-type", None),
        (" DEFINE IPCONN(ZC1) GROUP(G) APPLID(A) APPLID(B) USERAUTH(LOCAL) USERAUTH(VERIFY)\n", "csd-duplicate-keyword", None),
        ("(((((\n)))))\n", "csd-syntax", None),
        (" DEFINE IPCONN(ZC1) GROUP(G) " + "X" * 100 + "\n", "csd-record-length", "80-column"),
    ],
    ids=["unclosed-paren", "extra-close", "double-open", "unclosed-quote", "continuation-at-eof", "unknown-command", "unknown-type", "repeated-keywords", "only-parens", "long-record"],
)
def test_broken_csd_gets_a_diagnostic(tmp_path, text, code, phrase):
    result = _check(tmp_path, text)
    hits = [f for f in result.findings if f.code == code]
    assert hits, codes(result.findings)
    if phrase:
        assert any(phrase in f.message for f in hits), [f.message for f in hits]


def test_repeated_keyword_keeps_the_last_value():
    doc = parse_csd(" DEFINE IPCONN(ZC1) GROUP(G) USERAUTH(LOCAL) USERAUTH(VERIFY)\n", CSD)
    [cmd] = doc.commands
    assert cmd.value("USERAUTH") == "VERIFY"


def test_eighty_column_records_with_sequence_numbers(tmp_path):
    lines = [
        record("* IPIC listener", 100),
        record(" DEFINE TCPIPSERVICE(ZCIPIC) GROUP(ZCGRP)", 200),
        record("        DESCRIPTION(a description that is continued onto the next recor", 300, "*"),
        record("d)", 400),
        record("        PORTNUMBER(1491) PROTOCOL(IPIC) TRANSACTION(CISS) SSL(NO)", 500),
        record("        URM(NO) SOCKETCLOSE(NO)", 600),
    ]
    result = _check(tmp_path, "\n".join(lines) + "\n")
    found = codes(result.findings)
    assert "csd-syntax" not in found and "csd-record-length" not in found and "csd-unknown-keyword" not in found, found
    [cmd] = [c for f in result.workspace.csd.files.values() for c in f.doc.commands]
    assert cmd.value("DESCRIPTION") == "a description that is continued onto the next record"
    assert cmd.value("PORTNUMBER") == "1491"  # no sequence number in any value


def test_sequence_numbers_with_crlf_and_cr(tmp_path):
    lines = [record(" DEFINE IPCONN(ZC1) GROUP(G) APPLID(ZC1) TCPIPSERVICE(NONE)", 100), record("        USERAUTH(IDENTIFY) LINKAUTH(SECUSER)", 200)]
    for eol in ("\r\n", "\r"):
        result = _check(tmp_path, eol.join(lines) + eol)
        [cmd] = [c for f in result.workspace.csd.files.values() for c in f.doc.commands]
        assert cmd.value("LINKAUTH") == "SECUSER"


def test_jcl_with_unterminated_instream_data(tmp_path):
    text = "//J JOB\n//S EXEC PGM=DFHCSDUP\n//SYSIN DD *\n DEFINE IPCONN(ZC1) GROUP(G\n"
    result = _check(tmp_path, text, "job.jcl")
    assert "csd-syntax" in codes(result.findings)


def test_truncation_at_every_position_of_the_csd_examples(tmp_path):
    for path in sorted(EXAMPLES.rglob("*.csd")) + sorted(EXAMPLES.rglob("*.jcl")):
        text = path.read_text(encoding="utf-8")
        for cut in range(len(text) + 1):
            doc = parse_csd(text[:cut], CSD)
            for p in doc.problems:
                assert 0 <= p.span[0] <= p.span[1] <= cut, (path.name, cut, p)
            for cmd in doc.commands:
                assert 0 <= cmd.span[0] <= cmd.span[1] <= cut


def test_problem_flood_is_capped():
    doc = parse_csd(")\n" * 200_000, CSD)
    assert len(doc.problems) == MAX_PROBLEMS + 1
    assert "more problems are not reported" in doc.problems[-1].message


def test_nul_and_binary_csd(tmp_path):
    (tmp_path / "defs.csd").write_bytes(b" DEFINE IPCONN(A)\x00 GROUP(G)\n")
    result = analyse_folder(tmp_path)
    assert "file-binary" in codes(result.findings)
