"""Unit tests for the DFHCSDUP parser (zcsec.csdparse): records, comments,
column-72 continuation, columns 73-80, JCL wrappers, operands and
abbreviation resolution, with exact offsets into the original text."""

from __future__ import annotations

import pytest

from zcsec.catalogue import load_catalogue
from zcsec.csdparse import CsdCommand, CsdDocument, looks_like_jcl, parse_csd
from zcsec.text import LineIndex


@pytest.fixture(scope="module")
def cat():
    return load_catalogue().csd


def parse(text: str, cat) -> CsdDocument:
    return parse_csd(text, cat)


def at(text: str, span) -> str:
    assert span is not None
    a, b = span
    assert 0 <= a <= b <= len(text), (span, len(text))
    return text[a:b]


def codes(doc: CsdDocument) -> list[str]:
    return [p.code for p in doc.problems]


def kw_named(cmd: CsdCommand, written: str):
    found = [k for k in cmd.keywords if k.written == written]
    assert len(found) == 1, [k.written for k in cmd.keywords]
    return found[0]


def record(text: str, width: int = 71) -> str:
    """``text`` padded with blanks to ``width`` columns."""
    assert len(text) <= width
    return text + " " * (width - len(text))


def filled(text: str, fill: str = "a") -> str:
    """``text`` filled with ``fill`` up to column 71 (a value that runs to
    the last column of the command area)."""
    assert len(text) <= 71
    return text + fill * (71 - len(text))


# ---------------------------------------------------------------------------
# Commands over several records
# ---------------------------------------------------------------------------

MULTI = (
    " DEFINE IPCONN(ZCEECONN) GROUP(ZCGRP)\n"
    "        APPLID(ZCEEAPPL) NETWORKID(ZCNET)\n"
    "        TCPIPSERVICE(ZCIPIC1)\n"
    " ADD GROUP(ZCGRP) LIST(ZCLIST)\n"
)


def test_define_spanning_several_records(cat):
    doc = parse(MULTI, cat)
    assert doc.problems == []
    assert doc.is_jcl is False
    assert doc.record_count == 4
    assert [c.verb for c in doc.commands] == ["DEFINE", "ADD"]
    define, add = doc.commands
    assert define.verb_resolution.status == "exact"
    assert at(MULTI, define.verb_span) == "DEFINE"
    assert define.verb_span == (1, 7)
    assert define.resource_type == "IPCONN"
    assert at(MULTI, define.resource_span) == "IPCONN"
    assert define.name == "ZCEECONN"
    assert at(MULTI, define.name_span) == "ZCEECONN"
    assert [k.name for k in define.keywords] == ["GROUP", "APPLID", "NETWORKID", "TCPIPSERVICE"]
    assert all(k.resolution.status == "exact" for k in define.keywords)
    assert define.group == "ZCGRP"
    assert define.value("NETWORKID") == "ZCNET"
    netid = define.get("NETWORKID")
    assert at(MULTI, netid.written_span) == "NETWORKID"
    assert at(MULTI, netid.value_span) == "ZCNET"
    assert at(MULTI, netid.span) == "NETWORKID(ZCNET)"
    assert netid.spec is not None and netid.spec.name == "NETWORKID"
    tcps = define.get("TCPIPSERVICE")
    # The command runs from the verb to the ')' that closes its last operand.
    assert at(MULTI, define.span) == MULTI[1 : MULTI.index("ZCIPIC1)") + len("ZCIPIC1)")]
    idx = LineIndex(MULTI)
    r = idx.range(*tcps.value_span)
    assert (r.start.line, r.start.character, r.end.line, r.end.character) == (2, 21, 2, 28)
    r = idx.range(*define.span)
    assert (r.start.line, r.start.character, r.end.line, r.end.character) == (0, 1, 2, 29)
    # The ADD command starts on its own record and owns only its operands.
    assert add.spec is not None and add.spec.name == "ADD"
    assert add.resource_type is None
    assert [(k.name, k.value) for k in add.keywords] == [("GROUP", "ZCGRP"), ("LIST", "ZCLIST")]
    assert at(MULTI, add.span) == "ADD GROUP(ZCGRP) LIST(ZCLIST)"
    assert define.document is doc


def test_text_without_final_newline(cat):
    text = " DEFINE IPCONN(ZC) GROUP(G) APPLID(A)"
    doc = parse(text, cat)
    assert doc.problems == []
    (cmd,) = doc.commands
    assert at(text, cmd.get("APPLID").span) == "APPLID(A)"
    assert cmd.span == (1, len(text))


# ---------------------------------------------------------------------------
# Case and abbreviations
# ---------------------------------------------------------------------------


def test_mixed_case_and_abbreviations(cat):
    text = " Define Tcpipservice(ZCIPIC) Group(ZCGRP) Portnumber(1491) PROT(IPIC)\n"
    doc = parse(text, cat)
    assert doc.problems == []
    (cmd,) = doc.commands
    assert cmd.verb == "DEFINE" and cmd.verb_written == "Define"
    assert cmd.verb_resolution.status == "exact"
    assert cmd.resource_type == "TCPIPSERVICE" and cmd.resource_written == "Tcpipservice"
    assert cmd.resource_resolution.status == "exact"
    assert cmd.resource_spec is not None and cmd.resource_spec.name == "TCPIPSERVICE"
    got = [(k.written, k.name, k.resolution.status) for k in cmd.keywords]
    assert got == [
        ("Group", "GROUP", "exact"),
        ("Portnumber", "PORTNUMBER", "exact"),
        ("PROT", "PROTOCOL", "abbrev"),
    ]
    prot = cmd.keywords[2]
    assert at(text, prot.written_span) == "PROT"
    assert at(text, prot.value_span) == "IPIC"
    assert prot.spec is not None and prot.spec.name == "PROTOCOL"
    assert cmd.value("PROTOCOL") == "IPIC"
    assert cmd.upper("PORTNUMBER") == "1491"
    assert cmd.group == "ZCGRP"


def test_abbreviated_verb_and_resource_type(cat):
    text = " def ipconn(ZC) GROUP(G) apPL(ZCAPPL)\n"
    doc = parse(text, cat)
    (cmd,) = doc.commands
    assert (cmd.verb, cmd.verb_resolution.status) == ("DEFINE", "abbrev")
    assert at(text, cmd.verb_span) == "def"
    assert (cmd.resource_type, cmd.resource_resolution.status) == ("IPCONN", "exact")
    applid = cmd.keywords[1]
    assert (applid.name, applid.resolution.status) == ("APPLID", "abbrev")
    assert at(text, applid.written_span) == "apPL"
    # Values keep their case; upper() folds.
    assert cmd.value("APPLID") == "ZCAPPL"
    text2 = " DEFINE I(ZC) GROUP(G)\n"
    (cmd2,) = parse(text2, cat).commands
    assert (cmd2.resource_type, cmd2.resource_resolution.status) == ("IPCONN", "abbrev")
    assert at(text2, cmd2.resource_span) == "I"


def test_ambiguous_abbreviation_status(cat):
    text = " DEFINE IPCONN(ZC) GROUP(G) S(YES)\n"
    doc = parse(text, cat)
    assert doc.problems == []
    (cmd,) = doc.commands
    s = cmd.keywords[1]
    assert s.resolution.status == "ambiguous"
    assert s.name is None and s.spec is None
    assert s.resolution.candidates == ("SECURITYNAME", "SENDCOUNT", "SSL")
    assert s.value == "YES"
    assert at(text, s.written_span) == "S"
    assert at(text, s.value_span) == "YES"
    assert cmd.get("SSL") is None


def test_ambiguous_command_and_resource_type(cat):
    text = " A GROUP(X)\n DEFINE T(ZC) GROUP(G)\n"
    doc = parse(text, cat)
    first, second = doc.commands
    assert first.verb_resolution.status == "ambiguous"
    assert first.verb is None and first.spec is None
    assert set(first.verb_resolution.candidates) == {"ADD", "ALTER", "APPEND"}
    assert second.resource_resolution.status == "ambiguous"
    assert second.resource_type is None and second.resource_spec is None
    assert at(text, second.resource_span) == "T"
    assert second.name == "ZC"


def test_short_abbreviation_status(cat):
    # XLNACTION's minimum abbreviation is XL; X is a prefix of no other keyword.
    text = " DEFINE IPCONN(ZC) GROUP(G) X(KEEP)\n PROC APAR(PH12345)\n"
    doc = parse(text, cat)
    ipconn, process = doc.commands
    x = ipconn.keywords[1]
    assert (x.resolution.status, x.name) == ("short", "XLNACTION")
    assert x.spec is not None and x.spec.abbr == "XL"
    assert ipconn.value("XLNACTION") == "KEEP"
    assert (process.verb_resolution.status, process.verb) == ("short", "PROCESS")
    assert at(text, process.verb_span) == "PROC"


def test_unknown_keyword_status(cat):
    text = " DEFINE IPCONN(ZC) GROUP(G) USERAUTHENTICATE(VERIFY)\n"
    doc = parse(text, cat)
    (cmd,) = doc.commands
    kw = cmd.keywords[1]
    assert kw.resolution.status == "unknown"
    assert kw.name is None and kw.spec is None
    assert kw.value == "VERIFY"
    assert at(text, kw.written_span) == "USERAUTHENTICATE"
    assert at(text, kw.span) == "USERAUTHENTICATE(VERIFY)"


def test_unknown_command_verb(cat):
    text = " FROB GROUP(X) LIST(Y)\n"
    doc = parse(text, cat)
    assert doc.problems == []
    (cmd,) = doc.commands
    assert cmd.verb_resolution.status == "unknown"
    assert cmd.verb is None and cmd.spec is None
    assert at(text, cmd.verb_span) == "FROB"
    # Operands are still read so that later rules and hovers see them.
    assert [(k.written, k.value) for k in cmd.keywords] == [("GROUP", "X"), ("LIST", "Y")]
    assert all(k.resolution.status == "unknown" for k in cmd.keywords)


def test_misspelt_verb_after_a_command_starts_a_new_command(cat):
    # A misspelt verb at the start of a record, followed by operands, must not
    # be swallowed as an operand of the previous command (which would hide the
    # whole definition that follows).
    text = " DEFINE PROGRAM(P1) GROUP(G)\n DEFNE IPCONN(ZC) GROUP(G)\n"
    doc = parse(text, cat)
    assert len(doc.commands) == 2
    program, bad = doc.commands
    assert [k.name for k in program.keywords] == ["GROUP"]
    assert bad.verb_resolution.status == "unknown"
    assert at(text, bad.verb_span) == "DEFNE"


def test_unknown_bare_word_alone_on_a_record_stays_an_operand(cat):
    text = " DELETE GROUP(X)\n        ALLL\n"
    doc = parse(text, cat)
    (cmd,) = doc.commands
    assert [(k.written, k.resolution.status) for k in cmd.keywords] == [("GROUP", "exact"), ("ALLL", "unknown")]
    assert at(text, cmd.keywords[1].span) == "ALLL"


def test_bare_flag_keywords(cat):
    text = " DELETE GROUP(ZCOLD) ALL\n COPY GROUP(A) TO(B) REP\n"
    doc = parse(text, cat)
    assert doc.problems == []
    delete, copy = doc.commands
    assert delete.verb == "DELETE" and delete.resource_type is None
    group, all_ = delete.keywords
    assert (group.name, group.value) == ("GROUP", "ZCOLD")
    assert (all_.name, all_.resolution.status, all_.value, all_.value_span) == ("ALL", "exact", None, None)
    assert all_.spec is not None and all_.spec.type == "flag"
    assert at(text, all_.written_span) == "ALL"
    assert all_.span == all_.written_span
    assert delete.value("ALL") is None and delete.get("ALL") is all_
    assert at(text, delete.span) == "DELETE GROUP(ZCOLD) ALL"
    rep = copy.keywords[-1]
    assert (rep.name, rep.resolution.status) == ("REPLACE", "abbrev")
    assert at(text, rep.span) == "REP"


def test_blanks_between_keyword_and_parenthesis(cat):
    text = " DEFINE IPCONN  (ZC) GROUP   (ZCGRP) APPLID (A)\n"
    doc = parse(text, cat)
    assert doc.problems == []
    (cmd,) = doc.commands
    assert cmd.resource_type == "IPCONN" and cmd.name == "ZC"
    assert at(text, cmd.resource_span) == "IPCONN"
    assert at(text, cmd.name_span) == "ZC"
    group = cmd.get("GROUP")
    assert at(text, group.written_span) == "GROUP"
    assert at(text, group.value_span) == "ZCGRP"
    assert at(text, group.span) == "GROUP   (ZCGRP)"
    assert cmd.value("APPLID") == "A"


# ---------------------------------------------------------------------------
# Values: quotes and parentheses
# ---------------------------------------------------------------------------


def test_quoted_value_with_doubled_quotes_and_parentheses(cat):
    text = " DEFINE IPCONN(ZC) GROUP(G) DESCRIPTION('it''s (a) test') APPLID(A)\n"
    doc = parse(text, cat)
    assert doc.problems == []
    (cmd,) = doc.commands
    desc = cmd.get("DESCRIPTION")
    # Quotes are kept as written: DFHCSDUP stores them as part of the text.
    assert desc.value == "'it''s (a) test'"
    assert at(text, desc.value_span) == "'it''s (a) test'"
    assert at(text, desc.span) == "DESCRIPTION('it''s (a) test')"
    assert cmd.value("APPLID") == "A"


def test_unbalanced_parenthesis_inside_quotes_is_protected(cat):
    text = " DEFINE IPCONN(ZC) GROUP(G) DESCRIPTION('a) b') APPLID(A)\n"
    doc = parse(text, cat)
    assert doc.problems == []
    (cmd,) = doc.commands
    assert cmd.value("DESCRIPTION") == "'a) b'"
    assert cmd.value("APPLID") == "A"


def test_nested_parentheses_in_value(cat):
    text = " DEFINE IPCONN(ZC) DESCRIPTION(link (to (ZCEE)) server) APPLID(A)\n"
    doc = parse(text, cat)
    assert doc.problems == []
    (cmd,) = doc.commands
    desc = cmd.get("DESCRIPTION")
    assert desc.value == "link (to (ZCEE)) server"
    assert at(text, desc.value_span) == "link (to (ZCEE)) server"
    assert at(text, desc.span) == "DESCRIPTION(link (to (ZCEE)) server)"
    assert cmd.value("APPLID") == "A"


def test_empty_value(cat):
    text = " DEFINE IPCONN(ZC) GROUP(G) APPLID() NETWORKID(N)\n"
    doc = parse(text, cat)
    assert doc.problems == []
    (cmd,) = doc.commands
    applid = cmd.get("APPLID")
    assert applid.value == ""
    assert applid.value_span[0] == applid.value_span[1] == text.index("APPLID(") + len("APPLID(")
    assert at(text, applid.span) == "APPLID()"
    assert cmd.value("NETWORKID") == "N"


def test_unclosed_quote(cat):
    text = " DEFINE IPCONN(ZC) GROUP(G) DESCRIPTION('abc)\n DEFINE IPCONN(ZD) GROUP(G)\n"
    doc = parse(text, cat)
    assert codes(doc) == ["csd-syntax"]
    assert "quoted value is not closed" in doc.problems[0].message
    assert at(text, doc.problems[0].span) == "('abc)"
    assert [c.name for c in doc.commands] == ["ZC", "ZD"]


# ---------------------------------------------------------------------------
# Syntax errors and recovery
# ---------------------------------------------------------------------------


def test_unbalanced_open_parenthesis_recovers_at_next_command(cat):
    text = " DEFINE IPCONN(ZC) GROUP(G\n DEFINE IPCONN(ZD) GROUP(H) APPLID(A)\n"
    doc = parse(text, cat)
    assert codes(doc) == ["csd-syntax"]
    p = doc.problems[0]
    assert p.severity == "error"
    assert at(text, p.span) == "(G"
    assert "missing ')'" in p.message
    assert [c.name for c in doc.commands] == ["ZC", "ZD"]
    first, second = doc.commands
    group = first.get("GROUP")
    assert group.value == "G"
    # The operand ends where the record ends: never over the line break.
    assert at(text, group.span) == "GROUP(G"
    assert first.span == (1, text.index("\n"))
    assert second.group == "H" and second.value("APPLID") == "A"
    r = LineIndex(text).range(*second.verb_span)
    assert (r.start.line, r.start.character) == (1, 1)


def test_unbalanced_close_parenthesis(cat):
    text = " DEFINE IPCONN(ZC) GROUP(G)) APPLID(A)\n"
    doc = parse(text, cat)
    assert codes(doc) == ["csd-syntax"]
    assert at(text, doc.problems[0].span) == ")"
    assert doc.problems[0].span == (27, 28)
    (cmd,) = doc.commands
    assert [k.name for k in cmd.keywords] == ["GROUP", "APPLID"]
    assert cmd.value("APPLID") == "A"


def test_value_without_keyword(cat):
    text = " DEFINE IPCONN(ZC) GROUP(G) (ORPHAN) APPLID(A)\n"
    doc = parse(text, cat)
    assert codes(doc) == ["csd-syntax"]
    assert at(text, doc.problems[0].span) == "(ORPHAN)"
    (cmd,) = doc.commands
    assert cmd.value("APPLID") == "A"


def test_operand_before_any_command(cat):
    text = " GROUP(ZCGRP)\n DEFINE IPCONN(ZC) GROUP(G)\n"
    doc = parse(text, cat)
    assert codes(doc) == ["csd-syntax"]
    assert at(text, doc.problems[0].span) == "GROUP"
    assert [c.name for c in doc.commands] == ["ZC"]


# ---------------------------------------------------------------------------
# Comments
# ---------------------------------------------------------------------------


def test_comment_records_are_collected(cat):
    text = (
        "*-----\n"
        "* IPIC definitions\n"
        " DEFINE IPCONN(ZC) GROUP(G)\n"
        "* between two records of one command\n"
        "        APPLID(A)\n"
        "*\n"
    )
    doc = parse(text, cat)
    assert doc.problems == []
    assert [c.text for c in doc.comments] == ["-----", " IPIC definitions", " between two records of one command", ""]
    assert [at(text, c.span) for c in doc.comments] == ["*-----", "* IPIC definitions", "* between two records of one command", "*"]
    (cmd,) = doc.commands
    assert [k.name for k in cmd.keywords] == ["GROUP", "APPLID"]
    assert cmd.get("APPLID").value_span[0] > doc.comments[2].span[1]


def test_star_not_in_column_one_is_not_a_comment(cat):
    text = "  * not a comment\n"
    doc = parse(text, cat)
    assert doc.comments == []
    assert codes(doc) == ["csd-syntax"]
    assert at(text, doc.problems[0].span) == "*"


# ---------------------------------------------------------------------------
# Columns: continuation (72), sequence numbers (73-80), record length
# ---------------------------------------------------------------------------


def _continued_define(seq1: str = "", seq2: str = "") -> tuple[str, str, str]:
    head = " DEFINE IPCONN(ZC) GROUP(G) DESCRIPTION(IPIC link for z/OS Conn"
    first = record(head + "e" * (71 - len(head)))
    assert len(first) == 71
    second = "ct server) APPLID(ZCAPPL)"
    if seq2:
        second = record(second) + " " + seq2
    text = first + "*" + seq1 + "\n" + second + "\n"
    value = first[first.index("DESCRIPTION(") + len("DESCRIPTION(") :] + "ct server"
    return text, first, value


def test_column_72_continuation_joins_the_value(cat):
    text, first, value = _continued_define()
    assert text[71] == "*"
    doc = parse(text, cat)
    assert doc.problems == []
    (cmd,) = doc.commands
    desc = cmd.get("DESCRIPTION")
    assert desc.value == value
    assert "*" not in desc.value and "\n" not in desc.value
    # The span starts in the first record and ends in the second.
    idx = LineIndex(text)
    r = idx.range(*desc.value_span)
    assert (r.start.line, r.start.character) == (0, len(" DEFINE IPCONN(ZC) GROUP(G) DESCRIPTION("))
    assert (r.end.line, r.end.character) == (1, len("ct server"))
    assert at(text, desc.value_span) == first[first.index("(IPIC") + 1 :] + "*\nct server"
    r = idx.range(*desc.span)
    assert (r.start.line, r.start.character, r.end.line, r.end.character) == (0, 28, 1, 10)
    # Operands after the joined value are still parsed, at their true place.
    applid = cmd.get("APPLID")
    assert at(text, applid.value_span) == "ZCAPPL"
    r = idx.range(*applid.written_span)
    assert (r.start.line, r.start.character) == (1, 11)


def test_continuation_of_a_name_mid_word(cat):
    # The split can fall inside a word: the value continues in column 1.
    head = " DEFINE IPCONN(ZC) GROUP(G) "
    first = record(head + "DESCRIPTION(" + "X" * (71 - len(head) - len("DESCRIPTION(")))
    text = first + "*\nYZ)\n"
    doc = parse(text, cat)
    assert doc.problems == []
    assert doc.commands[0].value("DESCRIPTION") == "X" * (71 - len(head) - len("DESCRIPTION(")) + "YZ"


def test_sequence_numbers_in_columns_73_to_80_are_ignored(cat):
    lines = [
        record(" DEFINE IPCONN(ZC) GROUP(G)") + " 00000100",
        record("        APPLID(ZCAPPL)") + " 00000200",
        record("        NETWORKID(NET)") + " ABCD0300",
    ]
    text = "\n".join(lines) + "\n"
    assert all(len(line) == 80 for line in lines)
    doc = parse(text, cat)
    assert doc.problems == []
    (cmd,) = doc.commands
    assert [(k.name, k.value) for k in cmd.keywords] == [("GROUP", "G"), ("APPLID", "ZCAPPL"), ("NETWORKID", "NET")]
    assert cmd.span[1] == text.index("NET)") + len("NET)")


def test_sequence_numbers_after_a_continuation(cat):
    text, _first, value = _continued_define(seq1="0000010", seq2="00000200")
    assert all(len(line) <= 80 for line in text.splitlines())
    doc = parse(text, cat)
    assert doc.problems == []
    (cmd,) = doc.commands
    assert cmd.value("DESCRIPTION") == value
    assert cmd.value("APPLID") == "ZCAPPL"


def test_text_in_sequence_columns_is_not_read(cat):
    # Operands in columns 73-80 are not part of the command.
    text = record(" DEFINE IPCONN(ZC) GROUP(G)") + " APPL(X)\n"
    doc = parse(text, cat)
    assert doc.problems == []
    (cmd,) = doc.commands
    assert cmd.get("APPLID") is None


def test_record_longer_than_80_columns(cat):
    line = " DEFINE IPCONN(ZC) GROUP(G)" + " " * 60 + "APPLID(ZCAPPL)"
    text = "* ok\n" + line + "\n"
    doc = parse(text, cat)
    assert codes(doc) == ["csd-record-length"]
    p = doc.problems[0]
    assert p.severity == "warning"
    start = text.index(line)
    assert p.span == (start + 80, start + len(line))
    r = LineIndex(text).range(*p.span)
    assert (r.start.line, r.start.character, r.end.line, r.end.character) == (1, 80, 1, len(line))
    assert str(len(line)) in p.message
    (cmd,) = doc.commands
    assert cmd.get("APPLID") is None  # past column 71


def test_non_blank_non_star_in_column_72(cat):
    line = record(" DEFINE IPCONN(ZC) GROUP(G) APPLID(ZCAPPL)") + "X"
    text = line + "\n"
    doc = parse(text, cat)
    assert codes(doc) == ["csd-column-72"]
    p = doc.problems[0]
    assert p.severity == "warning"
    assert p.span == (71, 72)
    assert at(text, p.span) == "X"
    assert doc.commands[0].value("APPLID") == "ZCAPPL"


def test_continuation_on_the_last_record(cat):
    first = filled(" DEFINE IPCONN(ZC) GROUP(G) DESCRIPTION(")
    text = " ADD GROUP(G) LIST(L)\n" + first + "*\n"
    doc = parse(text, cat)
    assert "csd-continuation" in codes(doc)
    p = next(p for p in doc.problems if p.code == "csd-continuation")
    assert p.severity == "error"
    star = text.index("*")
    assert p.span == (star, star + 1)
    r = LineIndex(text).range(*p.span)
    assert (r.start.line, r.start.character) == (1, 71)
    # The value is cut short, so the ')' is missing too.
    assert "csd-syntax" in codes(doc)


def test_continuation_followed_by_star_record_is_data_not_comment(cat):
    first = filled(" DEFINE IPCONN(ZC) GROUP(G) DESCRIPTION(")
    text = first + "*\n*b)\n"
    doc = parse(text, cat)
    assert doc.comments == []
    assert doc.problems == []
    assert doc.commands[0].value("DESCRIPTION").endswith("a*b")


# ---------------------------------------------------------------------------
# JCL
# ---------------------------------------------------------------------------

JCL = """\
//ZCDEF    JOB (ACCT),'IPIC',CLASS=A,MSGCLASS=X
//*  a JCL comment, not a CSD comment
//CSDUP    EXEC PGM=DFHCSDUP,REGION=0M,
//         PARM='CSD(READWRITE),PAGESIZE(60),NOCOMPAT'
//STEPLIB  DD DISP=SHR,DSN=CICSTS61.CICS.SDFHLOAD
//DFHCSD   DD DISP=SHR,DSN=CICSA.DFHCSD
//SYSPRINT DD SYSOUT=*
//SYSIN    DD *
* IPIC listener
 DEFINE TCPIPSERVICE(ZCIPIC) GROUP(ZCGRP)
        PORTNUMBER(1491) PROTOCOL(IPIC)
 ADD GROUP(ZCGRP) LIST(ZCLIST)
/*
//
"""


def test_jcl_wrapper(cat):
    assert looks_like_jcl(JCL)
    doc = parse(JCL, cat)
    assert doc.is_jcl is True
    assert doc.problems == []
    assert doc.record_count == 4
    assert [c.text for c in doc.comments] == [" IPIC listener"]
    assert at(JCL, doc.comments[0].span) == "* IPIC listener"
    assert [(c.verb, c.resource_type, c.name) for c in doc.commands] == [("DEFINE", "TCPIPSERVICE", "ZCIPIC"), ("ADD", None, None)]
    define = doc.commands[0]
    assert at(JCL, define.verb_span) == "DEFINE"
    assert at(JCL, define.name_span) == "ZCIPIC"
    assert at(JCL, define.get("PORTNUMBER").span) == "PORTNUMBER(1491)"
    idx = LineIndex(JCL)
    r = idx.range(*define.get("PROTOCOL").value_span)
    assert (r.start.line, r.start.character, r.end.line, r.end.character) == (10, 34, 10, 38)
    # Nothing of the JCL itself (PARM='CSD(...)', DSN=...) is read as CSD input.
    assert all(c.verb in ("DEFINE", "ADD") for c in doc.commands)


def test_jcl_only_the_dfhcsdup_step_sysin_counts(cat):
    text = (
        "//ZCJOB JOB (ACCT),'X',CLASS=A\n"
        "//STEP1 EXEC PGM=IEBGENER\n"
        "//SYSUT1 DD *\n"
        " DEFINE IPCONN(NOTME1) GROUP(G)\n"
        "/*\n"
        "//SYSIN DD *\n"
        " DEFINE IPCONN(NOTME2) GROUP(G)\n"
        "/*\n"
        "//STEP2 EXEC PGM=DFHCSDUP\n"
        "//SYSPRINT DD SYSOUT=*\n"
        "//SYSIN DD *\n"
        " DEFINE IPCONN(ZCYES) GROUP(G)\n"
        "/*\n"
        "//STEP3 EXEC PGM=IEFBR14\n"
        "//SYSIN DD *\n"
        " DEFINE IPCONN(NOTME3) GROUP(G)\n"
        "/*\n"
    )
    doc = parse(text, cat)
    assert doc.is_jcl
    assert [c.name for c in doc.commands] == ["ZCYES"]
    assert at(text, doc.commands[0].name_span) == "ZCYES"
    assert doc.record_count == 1


def test_jcl_stream_ends_at_next_jcl_statement(cat):
    text = (
        "//J JOB\n"
        "//S EXEC PGM=DFHCSDUP\n"
        "//SYSIN DD *\n"
        " DEFINE IPCONN(ZC) GROUP(G)\n"
        "//SYSPRINT DD SYSOUT=*\n"
        " DEFINE IPCONN(LOST) GROUP(G)\n"
    )
    doc = parse(text, cat)
    assert [c.name for c in doc.commands] == ["ZC"]


def test_jcl_continuation_cut_by_end_of_stream(cat):
    first = filled(" DEFINE IPCONN(ZC) GROUP(G) DESCRIPTION(")
    text = "//J JOB\n//S EXEC PGM=DFHCSDUP\n//SYSIN DD *\n" + first + "*\n/*\n"
    doc = parse(text, cat)
    cont = [p for p in doc.problems if p.code == "csd-continuation"]
    assert len(cont) == 1
    star = text.index("*\n/*")
    assert cont[0].span == (star, star + 1)


def test_jcl_with_sequence_numbers(cat):
    lines = [
        "//ZCDEFIPC JOB (ACCT01),'IPIC DEFINITIONS',CLASS=A,MSGCLASS=X,          00000100",
        "//CSDUP    EXEC PGM=DFHCSDUP,REGION=0M                                  00000200",
        "//SYSIN    DD *                                                         00000300",
        " DEFINE TCPIPSERVICE(ZCIPIC2) GROUP(ZCGRP2)                             00000400",
        "        PORTNUMBER(1493) PROTOCOL(IPIC)                                 00000500",
        "/*                                                                      00000600",
    ]
    assert all(len(line) == 80 for line in lines)
    text = "\n".join(lines) + "\n"
    doc = parse(text, cat)
    assert doc.problems == []
    (cmd,) = doc.commands
    assert cmd.name == "ZCIPIC2"
    assert cmd.value("PROTOCOL") == "IPIC"
    assert at(text, cmd.get("PORTNUMBER").value_span) == "1493"


# ---------------------------------------------------------------------------
# Encodings and line ends
# ---------------------------------------------------------------------------


def test_byte_order_mark(cat):
    text = "\ufeff* comment\n DEFINE IPCONN(ZC) GROUP(G)\n"
    doc = parse(text, cat)
    assert doc.problems == []
    assert [c.text for c in doc.comments] == [" comment"]
    assert at(text, doc.comments[0].span) == "* comment"
    (cmd,) = doc.commands
    assert at(text, cmd.verb_span) == "DEFINE"
    assert at(text, cmd.name_span) == "ZC"


def test_byte_order_mark_is_not_a_column(cat):
    # An 80-column record after a BOM is not 81 columns long, and column 72 is
    # counted from the character after the BOM.
    line = filled(" DEFINE IPCONN(ZC) GROUP(G) DESCRIPTION(") + "*"
    text = "\ufeff" + line + "\nb) APPLID(A)\n"
    doc = parse(text, cat)
    assert doc.problems == []
    (cmd,) = doc.commands
    assert at(text, cmd.verb_span) == "DEFINE"
    assert cmd.value("DESCRIPTION").endswith("ab")
    assert cmd.value("APPLID") == "A"


def test_crlf_line_endings(cat):
    text = "* c1\r\n DEFINE IPCONN(ZC) GROUP(G)\r\n        APPLID(ZCAPPL)\r\n"
    doc = parse(text, cat)
    assert doc.problems == []
    assert [c.text for c in doc.comments] == [" c1"]
    assert at(text, doc.comments[0].span) == "* c1"
    (cmd,) = doc.commands
    applid = cmd.get("APPLID")
    assert applid.value == "ZCAPPL"
    assert at(text, applid.span) == "APPLID(ZCAPPL)"
    r = LineIndex(text).range(*applid.span)
    assert (r.start.line, r.start.character, r.end.line, r.end.character) == (2, 8, 2, 22)
    assert "\r" not in at(text, cmd.span)[-1:]


def test_crlf_continuation(cat):
    first = filled(" DEFINE IPCONN(ZC) GROUP(G) DESCRIPTION(")
    text = first + "*\r\nbc) APPLID(A)\r\n"
    doc = parse(text, cat)
    assert doc.problems == []
    (cmd,) = doc.commands
    desc = cmd.value("DESCRIPTION")
    assert desc.endswith("abc") and "\r" not in desc
    r = LineIndex(text).range(*cmd.get("DESCRIPTION").value_span)
    assert (r.end.line, r.end.character) == (1, 2)


def test_non_ascii_text_before_a_keyword(cat):
    # 'ü' is one UTF-16 unit, '😀' two: LSP characters differ from offsets.
    text = " DEFINE IPCONN(ZC) GROUP(G) DESCRIPTION(Zürich 😀 link) APPLID(ZCAPPL)\n"
    doc = parse(text, cat)
    assert doc.problems == []
    (cmd,) = doc.commands
    assert cmd.value("DESCRIPTION") == "Zürich 😀 link"
    applid = cmd.get("APPLID")
    assert at(text, applid.written_span) == "APPLID"
    offset = text.index("APPLID")
    assert applid.written_span[0] == offset == 55
    r = LineIndex(text).range(*applid.span)
    assert (r.start.line, r.start.character) == (0, 56)
    assert (r.end.line, r.end.character) == (0, 56 + len("APPLID(ZCAPPL)"))


def test_empty_input(cat):
    for text in ("", "\n", "   \n\n", "\r\n"):
        doc = parse(text, cat)
        assert doc.commands == []
        assert doc.comments == []
        assert doc.problems == []
        assert doc.is_jcl is False
