"""The csd-* rules (zcsec/rules/csd.py: the catalogue rules and the DFHCSDUP
record syntax rules csd-syntax, csd-continuation, csd-record-length and
csd-column-72), run through the whole analysis on CSD files written to a
temporary folder: failing cases (code, range start and severity) and passing
ones.  The documented examples of every rule run in test_rule_examples.py."""

from __future__ import annotations

import pytest

from conftest import apply_spans

from zcsec.analysis import analyse
from zcsec.findings import Finding, Severity
from zcsec.rules import RULES
from zcsec.rules.registry import CSD_FILE

ERROR, WARNING, INFORMATION, HINT = Severity.ERROR, Severity.WARNING, Severity.INFORMATION, Severity.HINT
CSD_CODES = {code for code in RULES if code.startswith("csd-")}


def write(tmp_path, name: str, text: str, *, bom: bool = False):
    path = tmp_path / name
    path.write_bytes((b"\xef\xbb\xbf" if bom else b"") + text.encode("utf-8"))
    return path


def run(tmp_path, text: str | None = None, name: str = "defs.csd", **kw) -> list[Finding]:
    # An empty project file pins the defaults whatever lies above tmp_path.
    (tmp_path / ".zcsec.toml").write_text("", encoding="utf-8")
    if text is not None:
        write(tmp_path, name, text, **kw)
    return analyse([str(tmp_path)]).findings


def of(findings: list[Finding], code: str) -> list[Finding]:
    return [f for f in findings if f.code == code]


def where(f: Finding) -> tuple[int, int, Severity]:
    return (f.range.start.line, f.range.start.character, f.severity)


def expect(findings: list[Finding], code: str, *places: tuple[int, int, Severity]) -> list[Finding]:
    hits = of(findings, code)
    assert [where(f) for f in hits] == list(places), [(f.code, where(f), f.message) for f in findings]
    return hits


def absent(findings: list[Finding], code: str) -> None:
    assert of(findings, code) == [], [(f.code, where(f), f.message) for f in of(findings, code)]


def pad(text: str, width: int = 71) -> str:
    assert len(text) <= width
    return text + " " * (width - len(text))


GOOD_IPCONN = " DEFINE IPCONN(ZCEECONN) GROUP(ZCGRP) APPLID(ZCEEAPPL) USERAUTH(IDENTIFY)\n"
GOOD_TCPIPS = " DEFINE TCPIPSERVICE(ZCIPIC) GROUP(ZCGRP) PROTOCOL(IPIC) PORTNUMBER(1491)\n"

def test_every_csd_rule_runs_on_csd_files():
    assert CSD_CODES
    for code in CSD_CODES:
        assert RULES[code].scope == CSD_FILE


def test_well_formed_definitions_give_no_csd_finding(tmp_path):
    findings = run(tmp_path, GOOD_TCPIPS.replace(" PORTNUMBER(1491)", "\n        PORTNUMBER(1491) SSL(CLIENTAUTH)") + GOOD_IPCONN.replace("APPLID", "TCPIPSERVICE(ZCIPIC)\n        APPLID") + " ADD GROUP(ZCGRP) LIST(ZCLIST)\n")
    assert [f for f in findings if f.code in CSD_CODES] == []


# ---------------------------------------------------------------------------
# Commands
# ---------------------------------------------------------------------------


def test_unknown_command_with_did_you_mean_fix(tmp_path):
    text = " DEFNE IPCONN(ZC) GROUP(G)\n"
    (f,) = expect(run(tmp_path, text), "csd-unknown-command", (0, 1, ERROR))
    assert "did you mean DEFINE" in f.message
    (fix,) = f.fixes
    (edit,) = fix.edits
    assert text[edit.span[0] : edit.span[1]] == "DEFNE"
    assert edit.new_text == "DEFINE"
    assert (edit.range.start.line, edit.range.start.character, edit.range.end.line, edit.range.end.character) == (0, 1, 0, 6)
    fixed = apply_spans(text, fix.edits)
    assert fixed == " DEFINE IPCONN(ZC) GROUP(G)\n"
    absent(run(tmp_path, fixed), "csd-unknown-command")


def test_unknown_command_after_another_command(tmp_path):
    text = " DEFINE PROGRAM(ZCPROG) GROUP(G)\n DEFNE IPCONN(ZC) GROUP(G) USERAUTH(VERIFY)\n"
    findings = run(tmp_path, text)
    expect(findings, "csd-unknown-command", (1, 1, ERROR))
    absent(findings, "csd-duplicate-keyword")


def test_unknown_command_without_a_close_match_has_no_fix(tmp_path):
    (f,) = expect(run(tmp_path, " FROB GROUP(G)\n"), "csd-unknown-command", (0, 1, ERROR))
    assert f.fixes == []
    assert "did you mean" not in f.message


def test_known_and_abbreviated_commands_pass(tmp_path):
    findings = run(tmp_path, " DEF IPCONN(ZC) GROUP(G)\n Delete Group(OLDGRP) All\n ADD GROUP(G) LIST(L)\n")
    absent(findings, "csd-unknown-command")
    absent(findings, "csd-ceda-only-command")


def test_ceda_only_command(tmp_path):
    (f,) = expect(run(tmp_path, "* install it\n INSTALL GROUP(ZCGRP)\n"), "csd-ceda-only-command", (1, 1, ERROR))
    assert "INSTALL" in f.message


def test_ceda_only_command_abbreviated(tmp_path):
    findings = run(tmp_path, " INS GROUP(ZCGRP)\n CHECK GROUP(ZCGRP)\n")
    expect(findings, "csd-ceda-only-command", (0, 1, ERROR), (1, 1, ERROR))
    absent(findings, "csd-unknown-keyword")


def test_dfhcsdup_command_is_not_ceda_only(tmp_path):
    absent(run(tmp_path, " ADD GROUP(ZCGRP) LIST(ZCLIST)\n"), "csd-ceda-only-command")


# ---------------------------------------------------------------------------
# Abbreviations
# ---------------------------------------------------------------------------


def test_ambiguous_keyword_abbreviation(tmp_path):
    (f,) = expect(run(tmp_path, " DEFINE IPCONN(ZC) GROUP(G) S(YES)\n"), "csd-ambiguous-abbreviation", (0, 28, ERROR))
    for name in ("SECURITYNAME", "SENDCOUNT", "SSL"):
        assert name in f.message


def test_ambiguous_command_and_resource_type(tmp_path):
    findings = run(tmp_path, " A GROUP(G) LIST(L)\n DEFINE T(ZC) GROUP(G)\n")
    expect(findings, "csd-ambiguous-abbreviation", (0, 1, ERROR), (1, 8, ERROR))


def test_unambiguous_abbreviation_passes(tmp_path):
    absent(run(tmp_path, " DEFINE IPCONN(ZC) GROUP(G) SSL(YES) SEN(0) SEC(ZCLINK)\n"), "csd-ambiguous-abbreviation")


def test_short_abbreviation_confirmed_minimum(tmp_path):
    text = " PROC APAR(PH12345)\n"
    (f,) = expect(run(tmp_path, text), "csd-short-abbreviation", (0, 1, WARNING))
    (fix,) = f.fixes
    assert apply_spans(text, fix.edits) == " PROCESS APAR(PH12345)\n"


def test_short_abbreviation_unconfirmed_minimum_is_a_hint(tmp_path):
    text = " DEFINE IPCONN(ZC) GROUP(G) X(KEEP)\n"
    (f,) = expect(run(tmp_path, text), "csd-short-abbreviation", (0, 28, HINT))
    assert "not confirmed" in f.message
    assert apply_spans(text, f.fixes[0].edits) == " DEFINE IPCONN(ZC) GROUP(G) XLNACTION(KEEP)\n"


def test_minimum_abbreviation_passes(tmp_path):
    absent(run(tmp_path, " DEFINE IPCONN(ZC) GROUP(G) XL(KEEP)\n PROCESS APAR(PH12345)\n"), "csd-short-abbreviation")


# ---------------------------------------------------------------------------
# Resource types and keywords
# ---------------------------------------------------------------------------


def test_unknown_resource_type(tmp_path):
    text = " DEFINE TCPSERVICE(ZCIPIC) GROUP(G) PORTNUMBER(1491)\n"
    (f,) = expect(run(tmp_path, text), "csd-unknown-resource-type", (0, 8, ERROR))
    assert "did you mean TCPIPSERVICE" in f.message
    assert apply_spans(text, f.fixes[0].edits) == " DEFINE TCPIPSERVICE(ZCIPIC) GROUP(G) PORTNUMBER(1491)\n"


def test_define_without_resource_type(tmp_path):
    (f,) = expect(run(tmp_path, " DEFINE\n"), "csd-unknown-resource-type", (0, 1, ERROR))
    assert f.fixes == []


def test_known_resource_types_pass(tmp_path):
    findings = run(tmp_path, " DEFINE I(ZC) GROUP(G)\n DEFINE PROGRAM(ZCPROG) GROUP(G)\n DELETE GROUP(G) ALL\n")
    absent(findings, "csd-unknown-resource-type")


def test_unknown_keyword_on_ipconn(tmp_path):
    text = " DEFINE IPCONN(ZC) GROUP(G)\n        USERAUTHENTICATE(VERIFY)\n"
    (f,) = expect(run(tmp_path, text), "csd-unknown-keyword", (1, 8, ERROR))
    assert "did you mean USERAUTH" in f.message
    assert apply_spans(text, f.fixes[0].edits) == " DEFINE IPCONN(ZC) GROUP(G)\n        USERAUTH(VERIFY)\n"


def test_unknown_keyword_on_a_command(tmp_path):
    expect(run(tmp_path, " ADD GROUP(G) LIST(L) AFTERWARDS(X)\n"), "csd-unknown-keyword", (0, 22, ERROR))


def test_unknown_keyword_not_reported_where_catalogue_is_incomplete(tmp_path):
    # zcsec does not know every PROGRAM keyword (keywordsComplete is false).
    findings = run(tmp_path, " DEFINE PROGRAM(ZCPROG) GROUP(G) CONCURRENCY(THREADSAFE)\n")
    absent(findings, "csd-unknown-keyword")


def test_known_keywords_pass(tmp_path):
    absent(run(tmp_path, " DEFINE IPCONN(ZC) GROUP(G) USERAUTH(VERIFY) LINKAUTH(SECUSER)\n"), "csd-unknown-keyword")


def test_duplicate_keyword(tmp_path):
    text = " DEFINE IPCONN(ZC) GROUP(G) USERAUTH(LOCAL) USERAUTH(VERIFY)\n"
    (f,) = expect(run(tmp_path, text), "csd-duplicate-keyword", (0, 44, WARNING))
    assert "USERAUTH" in f.message


def test_duplicate_keyword_through_an_abbreviation(tmp_path):
    text = " DEFINE IPCONN(ZC) GROUP(G) USERAUTH(LOCAL)\n        U(VERIFY)\n"
    expect(run(tmp_path, text), "csd-duplicate-keyword", (1, 8, WARNING))


def test_same_keyword_in_two_commands_passes(tmp_path):
    text = " DEFINE IPCONN(ZC) GROUP(G) USERAUTH(LOCAL)\n DEFINE IPCONN(ZD) GROUP(G) USERAUTH(VERIFY)\n"
    absent(run(tmp_path, text), "csd-duplicate-keyword")


# ---------------------------------------------------------------------------
# Values
# ---------------------------------------------------------------------------


def test_invalid_enum_value(tmp_path):
    (f,) = expect(run(tmp_path, " DEFINE IPCONN(ZC) GROUP(G) USERAUTH(PASSWORD)\n"), "csd-invalid-value", (0, 37, ERROR))
    assert "VERIFY" in f.message


def test_invalid_number(tmp_path):
    text = " DEFINE IPCONN(ZC) GROUP(G)\n        RECEIVECOUNT(abc) SENDCOUNT(0)\n"
    (f,) = expect(run(tmp_path, text), "csd-invalid-value", (1, 21, ERROR))
    assert "abc" in f.message


def test_number_out_of_range(tmp_path):
    expect(run(tmp_path, " DEFINE IPCONN(ZC) GROUP(G) RECEIVECOUNT(0)\n"), "csd-invalid-value", (0, 41, ERROR))


def test_invalid_value_of_unconfirmed_keyword_is_a_warning(tmp_path):
    expect(run(tmp_path, " DEFINE IPCONN(ZC) GROUP(G) PORT(abc)\n"), "csd-invalid-value", (0, 33, WARNING))


def test_valid_values_pass(tmp_path):
    text = " DEFINE IPCONN(ZC) GROUP(G) USERAUTH(verify) RECEIVECOUNT(100)\n        PORT(NO) QUEUELIMIT(50) SSL(YES)\n"
    absent(run(tmp_path, text), "csd-invalid-value")


def test_name_too_long(tmp_path):
    (f,) = expect(run(tmp_path, " DEFINE IPCONN(ZOSCONNECT) GROUP(ZCGRP)\n"), "csd-value-too-long", (0, 15, ERROR))
    assert "ZOSCONNECT" in f.message and "8" in f.message


def test_group_too_long(tmp_path):
    expect(run(tmp_path, " DEFINE IPCONN(ZOSCONN) GROUP(ZCGROUP12)\n"), "csd-value-too-long", (0, 30, ERROR))


def test_continued_description_too_long(tmp_path):
    # The joined value counts: 31 characters on the first record + 30 after.
    head = " DEFINE IPCONN(ZC) GROUP(G) DESCRIPTION("
    text = head + "d" * (71 - len(head)) + "*\n" + "e" * 30 + ")\n"
    (f,) = expect(run(tmp_path, text), "csd-value-too-long", (0, 40, ERROR))
    assert "has 61" in f.message
    assert (f.range.end.line, f.range.end.character) == (1, 30)


def test_lengths_at_the_limit_pass(tmp_path):
    text = " DEFINE IPCONN(ZOSCONN1) GROUP(ZCGROUP1) DESCRIPTION(" + "d" * 18 + ")\n"
    absent(run(tmp_path, text), "csd-value-too-long")


def test_missing_portnumber(tmp_path):
    (f,) = expect(run(tmp_path, " DEFINE TCPIPSERVICE(ZCIPIC) GROUP(ZCGRP) PROTOCOL(IPIC)\n"), "csd-missing-required", (0, 8, WARNING))
    assert "PORTNUMBER" in f.message


def test_missing_group(tmp_path):
    (f,) = expect(run(tmp_path, GOOD_TCPIPS + " DEFINE IPCONN(ZC) APPLID(ZCAPPL)\n"), "csd-missing-required", (1, 8, ERROR))
    assert "GROUP" in f.message


def test_required_keywords_present_pass(tmp_path):
    absent(run(tmp_path, GOOD_TCPIPS + GOOD_IPCONN), "csd-missing-required")


def test_userdefine_takes_defaults_from_the_user_definition(tmp_path):
    absent(run(tmp_path, " USERDEFINE TCPIPSERVICE(ZCIPIC) GROUP(ZCGRP)\n"), "csd-missing-required")


# ---------------------------------------------------------------------------
# TCPIPSERVICE protocol and IPCONN references
# ---------------------------------------------------------------------------

IPIC_WITH_AUTH = (
    " DEFINE TCPIPSERVICE(ZCIPIC) GROUP(ZCGRP) PROTOCOL(IPIC)\n"
    "        PORTNUMBER(1491) SSL(CLIENTAUTH)\n"
    "        AUTHENTICATE(BASIC)\n"
    "        URM(NO)\n"
)


def test_keyword_not_for_ipic_with_removal_fix(tmp_path):
    (f,) = expect(run(tmp_path, IPIC_WITH_AUTH), "csd-keyword-protocol", (2, 8, WARNING))
    assert "AUTHENTICATE" in f.message and "IPIC" in f.message
    assert (f.range.end.line, f.range.end.character) == (2, 20)
    (fix,) = f.fixes
    fixed = apply_spans(IPIC_WITH_AUTH, fix.edits)
    before, after = IPIC_WITH_AUTH.split("\n"), fixed.split("\n")
    # The record stays (blank); no line break is removed, nothing else changes.
    assert len(after) == len(before)
    assert after[2].strip() == ""
    assert [line for i, line in enumerate(after) if i != 2] == [line for i, line in enumerate(before) if i != 2]
    findings = run(tmp_path, fixed)
    absent(findings, "csd-keyword-protocol")
    absent(findings, "csd-syntax")


def test_keyword_not_for_ipic_on_a_shared_record(tmp_path):
    text = " DEFINE TCPIPSERVICE(ZCIPIC) GROUP(ZCGRP) PROTOCOL(IPIC)\n        PORTNUMBER(1491) AUTHENTICATE(BASIC) SSL(YES)\n"
    (f,) = expect(run(tmp_path, text), "csd-keyword-protocol", (1, 25, WARNING))
    fixed = apply_spans(text, f.fixes[0].edits)
    assert fixed == " DEFINE TCPIPSERVICE(ZCIPIC) GROUP(ZCGRP) PROTOCOL(IPIC)\n        PORTNUMBER(1491) SSL(YES)\n"


def test_keyword_protocol_inferred_from_transaction_ciss(tmp_path):
    text = " DEFINE TCPIPSERVICE(ZCIPIC) GROUP(ZCGRP) PORTNUMBER(1491)\n        TRANSACTION(CISS) ATTACHSEC(VERIFY)\n"
    expect(run(tmp_path, text), "csd-keyword-protocol", (1, 26, WARNING))


def test_keyword_protocol_not_reported_for_http(tmp_path):
    text = " DEFINE TCPIPSERVICE(ZCHTTP) GROUP(ZCGRP) PROTOCOL(HTTP) PORTNUMBER(8080)\n        AUTHENTICATE(BASIC) SSL(YES)\n"
    absent(run(tmp_path, text), "csd-keyword-protocol")


def test_keyword_protocol_not_reported_for_ipic_keywords(tmp_path):
    text = GOOD_TCPIPS + "        SSL(CLIENTAUTH) CERTIFICATE(ZCCERT) URM(NO) SOCKETCLOSE(NO)\n"
    absent(run(tmp_path, text), "csd-keyword-protocol")


def test_keyword_protocol_not_judged_when_protocol_is_invalid(tmp_path):
    # PROTOCOL(IPICX) is reported as an invalid value; SSL and URM must not be
    # reported (nor offered for removal) against a protocol that does not exist.
    text = " DEFINE TCPIPSERVICE(ZCIPIC) GROUP(ZCGRP) PROTOCOL(IPICX)\n        PORTNUMBER(1491) SSL(YES) URM(NO)\n"
    findings = run(tmp_path, text)
    expect(findings, "csd-invalid-value", (0, 51, ERROR))
    absent(findings, "csd-keyword-protocol")


def test_keyword_protocol_alter_without_protocol_is_not_judged(tmp_path):
    absent(run(tmp_path, " ALTER TCPIPSERVICE(ZCIPIC) GROUP(ZCGRP) AUTHENTICATE(BASIC)\n"), "csd-keyword-protocol")


def test_ipconn_names_an_unknown_tcpipservice(tmp_path):
    text = GOOD_TCPIPS + " DEFINE IPCONN(ZCEECONN) GROUP(ZCGRP) TCPIPSERVICE(ZCIPC)\n"
    (f,) = expect(run(tmp_path, text), "csd-ref-unresolved", (1, 51, WARNING))
    assert "did you mean ZCIPIC" in f.message
    (fix,) = f.fixes
    assert text[fix.edits[0].span[0] : fix.edits[0].span[1]] == "ZCIPC"
    fixed = apply_spans(text, fix.edits)
    assert "TCPIPSERVICE(ZCIPIC)\n" in fixed
    absent(run(tmp_path, fixed), "csd-ref-unresolved")


def test_ipconn_names_an_http_tcpipservice(tmp_path):
    text = (
        " DEFINE TCPIPSERVICE(ZCHTTP) GROUP(ZCGRP) PROTOCOL(HTTP) PORTNUMBER(8080)\n"
        " DEFINE IPCONN(ZCEECONN) GROUP(ZCGRP) TCPIPSERVICE(ZCHTTP)\n"
    )
    (f,) = expect(run(tmp_path, text), "csd-ref-unresolved", (1, 51, ERROR))
    assert "PROTOCOL(HTTP)" in f.message
    ((path, rng, _note),) = f.related_ranges
    assert path.endswith("defs.csd")
    assert (rng.start.line, rng.start.character) == (0, 1)


def test_ipconn_service_without_protocol_defaults_to_http(tmp_path):
    text = (
        " DEFINE TCPIPSERVICE(ZCWEB) GROUP(ZCGRP) PORTNUMBER(8080)\n"
        " DEFINE IPCONN(ZCEECONN) GROUP(ZCGRP) TCPIPSERVICE(ZCWEB)\n"
    )
    expect(run(tmp_path, text), "csd-ref-unresolved", (1, 51, ERROR))


def test_ipconn_reference_resolves_across_files(tmp_path):
    write(tmp_path, "listener.csd", GOOD_TCPIPS)
    findings = run(tmp_path, " DEFINE IPCONN(ZCEECONN) GROUP(ZCGRP) TCPIPSERVICE(zcipic)\n", name="conn.csd")
    absent(findings, "csd-ref-unresolved")


def test_ipconn_reference_to_ciss_service_passes(tmp_path):
    text = (
        " DEFINE TCPIPSERVICE(ZCIPIC) GROUP(ZCGRP) PORTNUMBER(1491)\n"
        "        TRANSACTION(CISS)\n"
        " DEFINE IPCONN(ZCEECONN) GROUP(ZCGRP) TCPIPSERVICE(ZCIPIC)\n"
    )
    findings = run(tmp_path, text)
    absent(findings, "csd-ref-unresolved")
    absent(findings, "csd-record-length")


# ---------------------------------------------------------------------------
# Parser rules
# ---------------------------------------------------------------------------


def test_syntax_missing_parenthesis(tmp_path):
    text = " DEFINE IPCONN(ZC) GROUP(G) APPLID(ZCAPPL\n DEFINE IPCONN(ZD) GROUP(G) USERAUTH(PASSWORD)\n"
    findings = run(tmp_path, text)
    expect(findings, "csd-syntax", (0, 34, ERROR))
    # The next command is still checked.
    expect(findings, "csd-invalid-value", (1, 37, ERROR))


def test_syntax_passes_on_balanced_input(tmp_path):
    absent(run(tmp_path, " DEFINE IPCONN(ZC) GROUP(G) DESCRIPTION('a (b) c') APPLID(ZCAPPL)\n"), "csd-syntax")


def test_continuation_on_last_record(tmp_path):
    head = " DEFINE IPCONN(ZC) GROUP(G) DESCRIPTION("
    text = "* last record continues\n" + head + "d" * (71 - len(head)) + "*\n"
    expect(run(tmp_path, text), "csd-continuation", (1, 71, ERROR))


def test_continuation_with_following_record_passes(tmp_path):
    head = " DEFINE IPCONN(ZC) GROUP(G) DESCRIPTION("
    text = head + "d" * (71 - len(head)) + "*\nmore)\n"
    findings = run(tmp_path, text)
    absent(findings, "csd-continuation")
    absent(findings, "csd-syntax")


def test_record_longer_than_80_columns(tmp_path):
    text = " DEFINE IPCONN(ZC) GROUP(G)" + " " * 56 + "USERAUTH(VERIFY)\n"
    (f,) = expect(run(tmp_path, text), "csd-record-length", (0, 80, WARNING))
    assert (f.range.end.line, f.range.end.character) == (0, len(text) - 1)


def test_record_of_80_columns_passes(tmp_path):
    text = pad(" DEFINE IPCONN(ZC) GROUP(G)", 72) + "00000100\n"
    findings = run(tmp_path, text)
    absent(findings, "csd-record-length")
    absent(findings, "csd-column-72")


def test_character_in_column_72(tmp_path):
    # On its own (column 71 blank) it is not read: a warning.
    text = pad(" DEFINE IPCONN(ZC) GROUP(G) APPLID(ZCAPPL)") + "X\n"
    (f,) = expect(run(tmp_path, text), "csd-column-72", (0, 71, WARNING))
    assert "'X'" in f.message


def test_closing_parenthesis_packed_into_column_72_is_read_and_said_once(tmp_path):
    # Extract output and real members end an operand in column 72: one
    # information finding with a fix that moves the operand, nothing else.
    head = " DEFINE TCPIPSERVICE(ZC) GROUP(G) PROTOCOL(IPIC) PORTNUMBER(149) SSL(NO"
    assert len(head) == 71
    text = head + ")\n"
    findings = run(tmp_path, text)
    (f,) = expect(findings, "csd-column-72", (0, 71, INFORMATION))
    assert [x.code for x in findings if x.severity <= WARNING and x.code.startswith("csd-")] == []
    (fix,) = f.fixes
    fixed = apply_spans(text, fix.edits)
    assert fixed.splitlines()[1].strip() == "SSL(NO)" and all(len(line) <= 71 for line in fixed.splitlines())


def test_text_past_column_72_is_one_error(tmp_path):
    text = " DEFINE PROGRAM(P1) GROUP(G)\n        JVM(YES) JVMCLASS(com.ibm.cicsdev.tdq.TDQExample1) JVMSERVER(DFHJVMS)\n"
    findings = run(tmp_path, text)
    (f,) = expect(findings, "csd-column-72", (1, 72, ERROR))
    assert "JVMS)" in f.message
    absent(findings, "csd-syntax")
    absent(findings, "csd-record-length")


def test_missing_parenthesis_before_the_next_keyword_is_one_error(tmp_path):
    text = " DEFINE PROGRAM(JAVATDQ2 GROUP(JCICSAMP)\n DESCRIPTION(JAVA TDQ SAMPLE)\n"
    findings = run(tmp_path, text)
    (f,) = expect(findings, "csd-syntax", (0, 15, ERROR))
    assert "after 'JAVATDQ2'" in f.message
    # GROUP is still read: no missing GROUP, no name that is too long.
    absent(findings, "csd-missing-required")
    absent(findings, "csd-value-too-long")


@pytest.mark.parametrize(
    "text, placeholder",
    [
        (" DEFINE DB2CONN(<DB2SSID>) GROUP(G) DB2ID(<DB2SSID>)\n DEFINE DB2ENTRY(<DB2SSID>LU2) GROUP(G)\n", "<DB2SSID>"),
        (" DEFINE TRANSACTION(FA@id@) GROUP(FA@id@) PROGRAM(P)\n", "@id@"),
        (" ADD GROUP(G) LIST(++CICSLIST++)\n", "++CICSLIST++"),
        (" ALTER TCPIPSERVICE(T) GROUP(G) PORTNUMBER({{ cmci_port }})\n", "{{ cmci_port }}"),
    ],
)
def test_template_placeholders_are_said_once(tmp_path, text, placeholder):
    findings = run(tmp_path, text)
    (f,) = of(findings, "csd-placeholder")
    assert f.severity == INFORMATION and placeholder in f.message
    for code in ("csd-value-too-long", "csd-invalid-value"):
        absent(findings, code)


def test_jcl_symbols_are_not_checked_nor_reported(tmp_path):
    findings = run(tmp_path, " DEFINE LIBRARY(L) GROUP(G) DSNAME01(&HLQ..LOADLIB)\n")
    absent(findings, "csd-placeholder")
    absent(findings, "csd-invalid-value")


def test_time_values_with_fewer_than_six_digits(tmp_path):
    # Real, working input has SOCKETCLOSE(5): hhmmss with leading zeros left out.
    findings = run(tmp_path, " DEFINE TCPIPSERVICE(T) GROUP(G) PROTOCOL(HTTP) PORTNUMBER(80) SOCKETCLOSE(5)\n")
    absent(findings, "csd-invalid-value")


def test_blank_or_star_in_column_72_passes(tmp_path):
    head = " DEFINE IPCONN(ZC) GROUP(G) DESCRIPTION("
    text = pad(" ADD GROUP(G) LIST(L)", 72) + "\n" + head + "d" * (71 - len(head)) + "*\nmore)\n"
    absent(run(tmp_path, text), "csd-column-72")


# ---------------------------------------------------------------------------
# Suppression, encodings, JCL
# ---------------------------------------------------------------------------


def test_disable_next_line_comment_hides_the_finding(tmp_path):
    text = (
        " DEFINE IPCONN(ZC) GROUP(G)\n"
        "* zcsec-disable-next-line csd-invalid-value\n"
        "        USERAUTH(PASSWORD)\n"
        "        RECEIVECOUNT(abc)\n"
    )
    findings = run(tmp_path, text)
    # Only the record right after the comment is covered.
    expect(findings, "csd-invalid-value", (3, 21, ERROR))


def test_disable_next_line_before_a_command(tmp_path):
    text = "* zcsec-disable-next-line csd-value-too-long, csd-missing-required\n DEFINE IPCONN(ZOSCONNECT)\n"
    findings = run(tmp_path, text)
    absent(findings, "csd-value-too-long")
    absent(findings, "csd-missing-required")


def test_disable_next_line_for_another_code_does_not_hide(tmp_path):
    text = "* zcsec-disable-next-line csd-duplicate-keyword\n DEFINE IPCONN(ZC) GROUP(G) USERAUTH(PASSWORD)\n"
    expect(run(tmp_path, text), "csd-invalid-value", (1, 37, ERROR))


def test_byte_order_mark_and_crlf(tmp_path):
    text = "* with BOM and CRLF\r\n DEFINE IPCONN(ZC) GROUP(G)\r\n        S(YES) USERAUTH(PASSWORD)\r\n"
    findings = run(tmp_path, text, bom=True)
    expect(findings, "csd-ambiguous-abbreviation", (2, 8, ERROR))
    (f,) = expect(findings, "csd-invalid-value", (2, 24, ERROR))
    assert (f.range.end.line, f.range.end.character) == (2, 32)


def test_non_ascii_description_before_the_finding(tmp_path):
    text = " DEFINE IPCONN(ZC) GROUP(G) DESCRIPTION(Zürich 😀) U(PASSWORD)\n"
    # U(...) starts at offset 50; the astral character counts two UTF-16 units.
    assert text.index("PASSWORD") == 52
    expect(run(tmp_path, text), "csd-invalid-value", (0, 53, ERROR))


def test_findings_inside_a_jcl_job(tmp_path):
    text = (
        "//ZCDEF   JOB (ACCT),'IPIC',CLASS=A\n"
        "//CSDUP   EXEC PGM=DFHCSDUP\n"
        "//SYSPRINT DD SYSOUT=*\n"
        "//SYSIN   DD *\n"
        " DEFINE TCPIPSERVICE(ZCIPIC) GROUP(ZCGRP) PROTOCOL(IPIC)\n"
        "        PORTNUMBER(1491) AUTHENTICATE(BASIC)\n"
        "/*\n"
    )
    findings = run(tmp_path, text, name="DEFIPIC.jcl")
    expect(findings, "csd-keyword-protocol", (5, 25, WARNING))
    assert [f for f in findings if f.code in CSD_CODES and f.code != "csd-keyword-protocol"] == []


def test_extract_metadata_keywords_are_accepted(tmp_path):
    text = " DEFINE TCPIPSERVICE(T) GROUP(G) PROTOCOL(HTTP) PORTNUMBER(80)\n        DEFINETIME(24/01/01 10:00:00) CHANGETIME(24/01/01 10:00:00)\n        CHANGEUSRID(IBMUSER) CHANGEAGENT(CSDAPI) CHANGEAGREL(0740)\n"
    absent(run(tmp_path, text), "csd-unknown-keyword")


def test_a_value_cut_at_column_72_is_not_judged_again(tmp_path):
    text = " DEFINE URIMAP(U1) GROUP(G)\n DESCRIPTION(Call the patchRedbook (RFC6902) operation of the RedbookAPI)\n"
    findings = run(tmp_path, text)
    expect(findings, "csd-column-72", (1, 72, ERROR))
    absent(findings, "csd-value-too-long")


def test_resource_level_copy_forms_are_accepted(tmp_path):
    text = " COPY PROGRAM(PROG1) GROUP(G1) TO(G2)\n COPY TCPIPSERVICE(T1) GROUP(G1) AS(T2) TO(G2)\n COPY GROUP(G1) TO(G2) REPLACE\n"
    assert [f for f in run(tmp_path, text) if f.code.startswith("csd-")] == []
