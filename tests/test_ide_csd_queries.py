"""Completion and hover in CSD input find the command at the cursor by a
binary search, and work out what a definition offers as a candidate once
per command (CsdModel.per_command).  These tests hold both to what a plain
scan gives, and the remembered candidates to the text after edits."""

from __future__ import annotations

from pathlib import Path

from zcsec.csdparse import parse_csd
from zcsec.catalogue import load_catalogue
from zcsec.ide import complete_csd
from zcsec.ide.completion import complete
from zcsec.ide.cursor import command_at, csd_context, inside, line_bounds
from zcsec.ide.hover import hover
from zcsec.service import AnalysisService

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


# ---------------------------------------------------------------------------
# Candidates worked out once per command
# ---------------------------------------------------------------------------

LISTENERS = "".join(f"DEFINE TCPIPSERVICE(L{i:04d}) GROUP(G{i % 3}) PORTNUMBER({3000 + i}) PROTOCOL(IPIC)\n" for i in range(20))
IPCONN = "DEFINE IPCONN(NEW) GROUP(G) DESCRIPTION(partner) TCPIPSERVICE("


class Session:
    """A CSD file open in the analysis service, edited like in an editor."""

    def __init__(self, root: Path, text: str) -> None:
        self.path = str(root / "regions.csd")
        Path(self.path).write_text(text)
        self.service = AnalysisService([str(root)])
        self.text = text
        self.service.open(self.path, text)

    def edit(self, old: str, new: str) -> None:
        assert self.text.count(old) == 1, old
        self.text = self.text.replace(old, new)
        self.service.change(self.path, self.text)

    def complete(self, marker: str = "TCPIPSERVICE("):
        """The items after the last ``marker``, by label."""
        ws = self.service.snapshot(self.path).workspace
        offset = self.text.rindex(marker) + len(marker)
        return {i.label: i for i in complete(ws, self.path, offset).items}


def count_summaries(monkeypatch) -> list[str]:
    """The definitions whose candidate is worked out (csd_summary called), by name."""
    seen: list[str] = []
    real = complete_csd.csd_summary

    def counting(ws, cmd, keys):
        seen.append(cmd.name)
        return real(ws, cmd, keys)

    monkeypatch.setattr(complete_csd, "csd_summary", counting)
    return seen


def test_a_listener_candidate_is_worked_out_again_only_when_its_definition_changes(tmp_path, monkeypatch):
    s = Session(tmp_path, LISTENERS + IPCONN + ")\n")
    seen = count_summaries(monkeypatch)
    first = s.complete()
    assert len(first) == 20 and len(seen) == 20
    seen.clear()
    # An edit elsewhere (the IPCONN's description) keeps every listener's candidate.
    s.edit("DESCRIPTION(partner)", "DESCRIPTION(partners)")
    assert s.complete().keys() == first.keys()
    assert seen == []
    # An edit of a listener works out that listener again, and shows.
    s.edit("TCPIPSERVICE(L0007) GROUP(G1) PORTNUMBER(3007)", "TCPIPSERVICE(L0007) GROUP(G1) PORTNUMBER(4007)")
    after = s.complete()
    assert seen == ["L0007"]
    assert after["L0007"].detail == "PORTNUMBER(4007) PROTOCOL(IPIC) GROUP(G1)"
    assert "PORTNUMBER(4007)" in after["L0007"].documentation
    assert after["L0008"].detail == "PORTNUMBER(3008) PROTOCOL(IPIC) GROUP(G2)"


def test_completion_after_an_edit_shows_listeners_added_renamed_and_removed(tmp_path):
    s = Session(tmp_path, LISTENERS + IPCONN + ")\n")
    assert "L0003" in s.complete()
    s.edit("TCPIPSERVICE(L0003)", "TCPIPSERVICE(RENAMED)")
    s.edit("DEFINE TCPIPSERVICE(L0005) GROUP(G2) PORTNUMBER(3005) PROTOCOL(IPIC)\n", "")
    s.edit(IPCONN, "DEFINE TCPIPSERVICE(WEB) GROUP(G) PORTNUMBER(80) PROTOCOL(HTTP)\n" + IPCONN)
    items = s.complete()
    assert "L0003" not in items and "L0005" not in items
    assert items["RENAMED"].detail == "PORTNUMBER(3003) PROTOCOL(IPIC) GROUP(G0)"
    assert items["WEB"].detail == "PORTNUMBER(80) PROTOCOL(HTTP) GROUP(G)"
    assert items["WEB"].sort_text == "02web"  # not an IPIC listener: last
    assert len(items) == 20


def test_definition_names_after_an_edit_of_a_group(tmp_path):
    s = Session(tmp_path, LISTENERS + "ALTER TCPIPSERVICE()\n")
    assert s.complete("ALTER TCPIPSERVICE(")["L0004"].detail == "TCPIPSERVICE in GROUP(G1)"
    s.edit("TCPIPSERVICE(L0004) GROUP(G1)", "TCPIPSERVICE(L0004) GROUP(OTHER)")
    assert s.complete("ALTER TCPIPSERVICE(")["L0004"].detail == "TCPIPSERVICE in GROUP(OTHER)"


def test_hover_finds_the_command_after_edits(tmp_path):
    s = Session(tmp_path, LISTENERS + IPCONN + "L0002)\n")
    s.edit("DEFINE TCPIPSERVICE(L0001)", "DEFINE TCPIPSERVICE(L0001X)")
    ws = s.service.snapshot(s.path).workspace
    at = s.text.index("TCPIPSERVICE(L0002)\n") + len("TCPIPSERVICE(L00")
    result = hover(ws, s.path, at)
    assert result is not None and "PORTNUMBER(3002)" in result.markdown


def test_groups_after_edits(tmp_path):
    s = Session(tmp_path, LISTENERS + "DEFINE PROGRAM(ONE) GROUP(SOLO)\nDEFINE IPCONN(NEW) GROUP()\n")
    assert list(s.complete("IPCONN(NEW) GROUP(")) == ["G0", "G1", "G2", "SOLO"]
    model = s.service.snapshot(s.path).workspace.csd
    # The only definition in SOLO moves to another group, a new one comes in.
    s.edit("PROGRAM(ONE) GROUP(SOLO)", "PROGRAM(ONE) GROUP(G1)")
    s.edit("DEFINE IPCONN(NEW)", "DEFINE PROGRAM(TWO) GROUP(ANEW)\nDEFINE IPCONN(NEW)")
    assert list(s.complete("IPCONN(NEW) GROUP(")) == ["ANEW", "G0", "G1", "G2"]
    # Removing every definition of G2 removes the group.
    for i in range(2, 20, 3):
        s.edit(f"DEFINE TCPIPSERVICE(L{i:04d}) GROUP(G2) PORTNUMBER({3000 + i}) PROTOCOL(IPIC)\n", "")
    assert list(s.complete("IPCONN(NEW) GROUP(")) == ["ANEW", "G0", "G1"]
    assert s.service.snapshot(s.path).workspace.csd is model  # the edits were applied to the model, whose index followed them


def test_a_file_read_whole_again_leaves_nothing_of_its_old_parse_behind(tmp_path):
    # Every edit of a JCL job reads it whole again: its commands are all new objects.
    job = "//J JOB\n//S EXEC PGM=DFHCSDUP\n//SYSIN DD *\n" + LISTENERS + IPCONN + ")\n/*\n"
    s = Session(tmp_path, job)
    model = s.service.snapshot(s.path).workspace.csd
    assert len(s.complete()) == 20 and model.memo
    s.edit("PORTNUMBER(3004)", "PORTNUMBER(4004)")
    ws = s.service.snapshot(s.path).workspace
    assert ws.csd is model and model.memo == {}  # followed in place, what was kept for the old commands dropped
    assert s.complete()["L0004"].detail == "PORTNUMBER(4004) PROTOCOL(IPIC) GROUP(G1)"
    current = {id(c) for c in ws.csd.files[s.path].doc.commands}
    assert all(id(cmd) in current for kept in model.memo.values() for cmd, _ in kept.values())
