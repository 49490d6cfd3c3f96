"""Completion and hover in CSD input find the command at the cursor by a
binary search.  These tests hold it to what a plain scan gives."""

from __future__ import annotations

from zcsec.csdparse import parse_csd
from zcsec.catalogue import load_catalogue
from zcsec.ide.cursor import command_at, csd_context, inside, line_bounds

# Commands that touch (no blank between a ')' and the next verb), commands
# over continuation records and comments, junk, an empty line and CRLF.
CSD = (
    "DEFINE TCPIPSERVICE(ZCIPIC) GROUP(ZCGRP) PORTNUMBER(1491) PROTOCOL(IPIC)\n"
    "       SSL(CLIENTAUTH) URM(NO)\n"
    "* a comment record\n"
    "DEFINE TCPIPSERVICE(WEB) GROUP(ZCGRP) PORTNUMBER(8080) PROTOCOL(HTTP)DEFINE PROGRAM(P1) GROUP(G)\r\n"
    "\n"
    "DEFINE IPCONN(ZCONN) GROUP(ZCGRP) APPLID(ZCONAPPL) ) junk\n"
    "       TCPIPSERVICE(ZCIPIC) USERAUTH(IDENTIFY)\n"
    "ALTER PROGRAM(P1) GROUP(G) DESCRIPTION(x)\n"
    "LIST GROUP(ZCGRP)"
)


def test_the_command_at_an_offset_is_the_first_whose_span_holds_it():
    doc = parse_csd(CSD, load_catalogue().csd)
    assert len(doc.commands) == 6
    for offset in range(len(CSD) + 2):
        expected = next((c for c in doc.commands if inside(c.span, offset)), None)
        assert command_at(doc, offset) is expected, offset


def test_the_command_of_a_completion_context_is_the_last_before_the_word():
    doc = parse_csd(CSD, load_catalogue().csd)
    for offset in range(len(CSD) + 1):
        ctx = csd_context(CSD, doc, offset)
        if ctx.kind == "none":
            continue
        expected = None
        for c in doc.commands:
            if c.verb_span[0] < ctx.start:
                expected = c
        assert ctx.command is expected, offset


def test_line_bounds_with_every_line_break():
    text = "a\r\nbb\rccc\ndddd"
    for offset in range(len(text) + 1):
        start = max(text.rfind("\n", 0, offset), text.rfind("\r", 0, offset)) + 1
        assert line_bounds(text, offset)[0] == start, offset
