"""Completion (zcsec.ide.completion) on small workspaces: what is offered at
each kind of position, what is not, and which text each item replaces."""

from __future__ import annotations

import re
from pathlib import Path

import pytest

from zcsec.analysis import analyse
from zcsec.findings import Severity
from zcsec.ide.completion import complete, complete_at
from zcsec.ide.cursor import csd_context, xml_context
from zcsec.ide.snippets import expand_snippet, snippets
from zcsec.service import AnalysisService
from zcsec.xmlparse import parse_xml

SERVER = """\
<server>
    <featureManager>
        <feature>zosconnect:zosConnect-2.0</feature>
        <feature>zosconnect:cicsService-1.0</feature>
        <feature>transportSecurity-1.0</feature>
    </featureManager>
    <include location="security.xml"/>
    <variable name="cicsHost" value="cics.example.com"/>
    <variable name="db.password" value="TopSecret1"/>
    <zosconnect_cicsIpicConnection id="cics1" host="${cicsHost}" port="1491"/>
</server>
"""

SECURITY = """\
<server>
    <ssl id="cicsTls" keyStoreRef="ring"/>
    <ssl id="db2Tls" keyStoreRef="ring"/>
    <keyStore id="ring" location="safkeyring:///ZCON.Ring" type="JCERACFKS" password="password" fileBased="false" readOnly="true"/>
    <zosconnect_authData id="cicsCred" user="ZCUSER" password="{aes}SECRETVALUE"/>
    <authData id="wolaAuth" user="WOLAUSR" password="{xor}HIDDENVALUE"/>
</server>
"""

CSD = """\
DEFINE TCPIPSERVICE(ZCIPIC) GROUP(ZCGRP) PORTNUMBER(1491) PROTOCOL(IPIC)
       SSL(CLIENTAUTH) URM(NO)
DEFINE TCPIPSERVICE(WEB) GROUP(ZCGRP) PORTNUMBER(8080) PROTOCOL(HTTP)
DEFINE IPCONN(ZCONN) GROUP(ZCGRP) APPLID(ZCONAPPL) NETWORKID(ZCONNET)
       TCPIPSERVICE(ZCIPIC) USERAUTH(IDENTIFY) LINKAUTH(CERTUSER)
DEFINE IPCONN(OTHER) GROUP(ZCGRP) APPLID(OTHERAPL) NETWORKID(OTHERNET)
       TCPIPSERVICE(ZCIPIC) USERAUTH(VERIFY)
"""


@pytest.fixture
def project(tmp_path: Path) -> Path:
    (tmp_path / "server.xml").write_text(SERVER)
    (tmp_path / "security.xml").write_text(SECURITY)
    (tmp_path / "regions.csd").write_text(CSD)
    return tmp_path


def at(root: Path, name: str, text: str, **options):
    """Complete at the '|' in ``text``, which becomes the content of ``name``."""
    offset = text.index("|")
    text = text[:offset] + text[offset + 1 :]
    path = root / name
    path.write_text(text)
    service = AnalysisService([str(root)])
    service.open(str(path), text)
    ws = service.snapshot(str(path)).workspace
    return Outcome(complete(ws, str(path), offset, **options), text, offset)


class Outcome:
    def __init__(self, result, text: str, offset: int) -> None:
        self.items = result.items
        self.context = result.context
        self.text = text
        self.offset = offset


def labels(result, kind: str | None = None) -> list[str]:
    return [i.label for i in sorted(result.items, key=lambda i: i.sort_text or "") if kind is None or i.kind == kind]


def item(result, label: str):
    found = [i for i in result.items if i.label == label]
    assert found, f"{label} not offered; got {labels(result)[:30]}"
    return found[0]


def replaced(result, label: str) -> str:
    i = item(result, label)
    return result.text[i.span[0] : i.span[1]]


def all_text(result) -> str:
    return "\n".join(f"{i.label} {i.detail or ''} {i.documentation or ''} {i.insert_text}" for i in result.items)


def server_with(line: str) -> str:
    return SERVER.replace("</server>", line + "\n</server>")


# ---------------------------------------------------------------------------
# Cursor context on half-typed text
# ---------------------------------------------------------------------------


@pytest.mark.parametrize(
    "text, kind, extra",
    [
        ('<server>\n<zosconnect_cicsIpicConnection id="c" sslCertsRef="|', "value", {"tag": "zosconnect_cicsIpicConnection", "attribute": "sslCertsRef"}),
        ("<server>\n  <ssl |", "attribute", {"tag": "ssl"}),
        ("<server>\n  <|", "element", {"names": ["server"]}),
        ("<server>\n  <featureManager>\n    <feature>zos|", "text", {"names": ["server", "featureManager", "feature"]}),
        ('<server>\n<ssl id="a" keyStoreRef="${ke|', "variable", {"attribute": "keyStoreRef"}),
        ("<server>\n  <ssl id=|", "value", {"attribute": "id", "quote": None}),
        ("<server>\n  <!-- <ssl | -->\n</server>", "none", {}),
        ("<server>\n  <ssl/>\n  </|", "end-tag", {}),
        ('<server>\n  <ssl id="a">|</ssl>\n</server>', "text", {"names": ["server", "ssl"]}),
        ('<server>\n  <ssl id="a"/>|\n</server>', "text", {"names": ["server"]}),
        ('<server>\n  <ssl id="a>b" |/>\n</server>', "attribute", {"tag": "ssl", "present": ["id"]}),
    ],
)
def test_xml_context_on_half_typed_text(text, kind, extra):
    offset = text.index("|")
    text = text[:offset] + text[offset + 1 :]
    ctx = xml_context(text, parse_xml(text), offset)
    assert ctx.kind == kind
    for key, value in extra.items():
        assert getattr(ctx, key) == value, key


def test_context_sees_attributes_after_the_cursor():
    text = '<server>\n  <ssl  keyStoreRef="r" id="x"/>\n</server>'
    offset = text.index("<ssl ") + 5
    ctx = xml_context(text, parse_xml(text), offset)
    assert ctx.kind == "attribute"
    assert set(ctx.present) == {"keyStoreRef", "id"}


# ---------------------------------------------------------------------------
# References, values from the CSD side, variables
# ---------------------------------------------------------------------------


def test_ref_offers_ids_of_the_right_type_from_includes(project):
    r = at(project, "server.xml", server_with('    <zosconnect_cicsIpicConnection id="c2" host="h" port="1" sslCertsRef="|'))
    assert r.context == "value"
    # ssl ids only (not the keyStore 'ring'), and the SSL configuration Liberty builds itself
    assert labels(r) == ["cicsTls", "db2Tls", "defaultSSLConfig"]
    i = item(r, "cicsTls")
    assert i.span == (r.offset, r.offset)
    assert i.insert_text == "cicsTls"
    assert "security.xml" in i.detail


def test_ref_replaces_the_typed_part_of_the_value(project):
    r = at(project, "server.xml", server_with('    <zosconnect_cicsIpicConnection id="c2" host="h" port="1" sslCertsRef="ci|Tl"/>'))
    assert replaced(r, "cicsTls") == "ciTl"
    assert r.items[0].range.start.character == r.items[0].range.end.character - 4


def test_ref_type_distinguishes_liberty_and_zosconnect_auth_data(project):
    r = at(project, "server.xml", server_with('    <zosconnect_cicsIpicConnection id="c2" host="h" port="1" authDataRef="|"/>'))
    assert labels(r) == ["cicsCred"]
    r = at(project, "server.xml", server_with('    <connectionFactory id="cf" containerAuthDataRef="|"/>'))
    assert labels(r) == ["wolaAuth"]


def test_ref_documentation_never_shows_secrets(project):
    r = at(project, "server.xml", server_with('    <zosconnect_cicsIpicConnection id="c2" host="h" port="1" authDataRef="|"/>'))
    text = all_text(r)
    assert "SECRETVALUE" not in text and "{aes}" not in text
    assert "password=(secret)" in item(r, "cicsCred").documentation
    assert 'user="ZCUSER"' in item(r, "cicsCred").documentation


def test_unquoted_value_gets_quotes(project):
    r = at(project, "server.xml", server_with('    <zosconnect_cicsIpicConnection id="c2" host="h" port="1" sslCertsRef=|'))
    assert item(r, "cicsTls").insert_text == '"cicsTls"'


def test_ref_list_skips_ids_already_listed(project):
    r = at(project, "server.xml", server_with('    <fileset id="a" dir="x"/>\n    <fileset id="b" dir="y"/>\n    <library id="lib" filesetRef="a, |"/>'))
    assert labels(r) == ["b"]
    assert item(r, "b").span == (r.offset, r.offset)


def test_port_offers_ipic_listeners_from_the_csd(project):
    r = at(project, "server.xml", server_with('    <zosconnect_cicsIpicConnection id="c2" host="h" port="|"/>'))
    assert labels(r) == ["1491"]  # the HTTP listener on 8080 is no IPIC port
    assert item(r, "1491").detail == "TCPIPSERVICE ZCIPIC"


def test_applid_and_networkid_come_from_ipconns(project):
    r = at(project, "server.xml", server_with('    <zosconnect_cicsIpicConnection id="c2" host="h" port="1" zosConnectApplid="|"/>'))
    assert labels(r) == ["ZCONAPPL", "OTHERAPL"]  # USERAUTH(IDENTIFY) first
    assert "IPCONN ZCONN" in item(r, "ZCONAPPL").detail
    r = at(project, "server.xml", server_with('    <zosconnect_cicsIpicConnection id="c2" host="h" port="1" zosConnectApplid="OTHERAPL" zosConnectNetworkid="|"/>'))
    assert labels(r) == ["OTHERNET", "ZCONNET"]  # the one paired with the APPLID first


def test_enum_and_boolean_values(project):
    r = at(project, "server.xml", server_with('    <zosconnect_cicsIpicConnection id="c2" host="h" port="1" transidUsage="|"/>'))
    assert labels(r) == ["EIB_ONLY", "EIB_AND_MIRROR"]
    r = at(project, "server.xml", server_with('    <ssl id="s" keyStoreRef="ring" clientAuthentication="|"/>'))
    assert labels(r) == ["false", "true"]  # the default first
    assert item(r, "false").detail == "default"


def test_secret_attributes_offer_nothing(project):
    r = at(project, "server.xml", server_with('    <zosconnect_authData id="a2" user="U" password="|"/>'))
    assert r.context == "value"
    assert r.items == []


def test_variables_after_dollar_brace(project):
    r = at(project, "server.xml", server_with('    <zosconnect_cicsIpicConnection id="c2" host="${|" port="1"/>'))
    assert r.context == "variable"
    assert {"cicsHost", "db.password", "server.config.dir"} <= set(labels(r))
    assert labels(r).index("cicsHost") < labels(r).index("server.config.dir")
    assert item(r, "cicsHost").insert_text == "cicsHost}"
    assert "cics.example.com" in item(r, "cicsHost").detail
    assert "TopSecret1" not in all_text(r)
    assert "hidden" in item(r, "db.password").detail


def test_variable_used_in_a_password_is_hidden(project):
    text = server_with('    <variable name="cicsUserKey" value="Hunter2"/>\n    <zosconnect_authData id="a2" user="U" password="${cicsUserKey}"/>\n    <ssl id="s" keyStoreRef="${|"/>')
    r = at(project, "server.xml", text)
    assert "value hidden" in item(r, "cicsUserKey").detail
    assert "Hunter2" not in all_text(r)


def test_token_variables_are_hidden_in_completion_as_in_hover(project):
    # One decision for what is secret (zcsec/secrecy.py): a token is a secret
    # in the completion detail exactly as in hover.
    text = server_with('    <variable name="apiToken" value="CANARY-token-42"/>\n    <ssl id="s" keyStoreRef="${|"/>')
    r = at(project, "server.xml", text)
    assert "value hidden" in item(r, "apiToken").detail
    assert "CANARY-token-42" not in all_text(r)


def test_variable_partial_name_and_existing_brace(project):
    r = at(project, "server.xml", server_with('    <zosconnect_cicsIpicConnection id="c2" host="${cics|}" port="1"/>'))
    assert replaced(r, "cicsHost") == "cics"
    assert item(r, "cicsHost").insert_text == "cicsHost"


# ---------------------------------------------------------------------------
# Attributes and elements
# ---------------------------------------------------------------------------


def test_attributes_not_yet_present_required_first(project):
    r = at(project, "server.xml", server_with('    <zosconnect_cicsIpicConnection id="c2" |'))
    names = labels(r)
    assert names[:2] == ["host", "port"]
    assert "id" not in names
    assert {"sslCertsRef", "authDataRef", "zosConnectApplid"} <= set(names)
    host = item(r, "host")
    assert host.insert_text == 'host="$1"$0' and host.snippet
    assert "required" in host.detail
    ref = item(r, "sslCertsRef")
    assert "<ssl>" in ref.detail and ref.retrigger
    assert item(r, "transidUsage").insert_text == 'transidUsage="${1|EIB_ONLY,EIB_AND_MIRROR|}"$0'


def test_attribute_name_being_typed_is_replaced(project):
    r = at(project, "server.xml", server_with('    <ssl id="s" keyStoreRef="ring" clientK|'))
    assert replaced(r, "clientKeyAlias") == "clientK"
    assert "keyStoreRef" not in labels(r)
    assert item(r, "clientAuthentication").insert_text == 'clientAuthentication="${1|false,true|}"$0'


def test_attributes_without_snippet_support(project):
    r = at(project, "server.xml", server_with("    <ssl |"), snippet_support=False)
    i = item(r, "keyStoreRef")
    assert i.insert_text == 'keyStoreRef=""' and not i.snippet
    assert labels(r)[0] == "keyStoreRef"


def test_attribute_before_equals_inserts_the_name_only(project):
    r = at(project, "server.xml", server_with('    <ssl id="s" keyS|="ring"/>'))
    assert item(r, "keyStoreRef").insert_text == "keyStoreRef"


def test_top_level_elements_and_snippets(project):
    r = at(project, "server.xml", server_with("    <|"))
    names = labels(r, "element")
    assert {"zosconnect_cicsIpicConnection", "ssl", "keyStore", "imsmobile_imsConnection"} <= set(names)
    assert "feature" not in names and "properties.gmoa" not in names
    assert names.index("zosconnect_cicsIpicConnection") < names.index("imsmobile_imsConnection")
    el = item(r, "zosconnect_cicsIpicConnection")
    # The typed "<" is replaced too, and part of the filter text (issue 16: Emacs nxml-mode).
    assert el.span == (r.offset - 1, r.offset) and el.filter_text == "<zosconnect_cicsIpicConnection"
    assert el.insert_text == '<zosconnect_cicsIpicConnection host="${1}" port="${2}"$0/>'
    snips = labels(r, "snippet")
    assert "CICS IPIC with TLS client authentication and identity assertion" in snips
    assert "CICS IPIC with TLS and fixed credentials (USERAUTH(VERIFY))" in snips
    assert "Db2 over HTTPS with credentials (OpenAPI 3)" not in snips  # an OpenAPI 2 server
    assert snips.index("CICS IPIC with TLS and fixed credentials (USERAUTH(VERIFY))") < snips.index("IMS with PassTickets (OpenAPI 2)")
    sn = item(r, "CICS IPIC with TLS client authentication and identity assertion")
    assert r.text[sn.span[0] : sn.span[1]] == "<"  # a snippet replaces the '<' typed
    assert sn.insert_text.startswith("<!--") and sn.snippet
    assert sn.filter_text.startswith("<")


def test_singleton_present_is_not_offered_again(project):
    assert "zosconnect_zosConnectManager" in labels(at(project, "server.xml", server_with("    <|")))
    r = at(project, "server.xml", server_with("    <zosconnect_zosConnectManager/>\n    <|"))
    assert "zosconnect_zosConnectManager" not in labels(r)
    assert "featureManager" in labels(r)  # several featureManagers are merged: always offered


def test_no_snippets_without_snippet_support(project):
    r = at(project, "server.xml", server_with("    <|"), snippet_support=False)
    assert labels(r, "snippet") == []
    assert item(r, "ssl").insert_text == "<ssl"


def test_element_name_prefix_is_replaced(project):
    r = at(project, "server.xml", server_with("    <zosconnect_cics|"))
    assert replaced(r, "zosconnect_cicsIpicConnection") == "<zosconnect_cics"


def test_child_elements_of_the_enclosing_element(project):
    r = at(project, "server.xml", server_with('    <jmsConnectionFactory id="m">\n        <|\n    </jmsConnectionFactory>'))
    names = labels(r, "element")
    assert "properties.wmqJms" in names
    assert "zosconnect_cicsIpicConnection" not in names
    assert labels(r, "snippet") == []
    r = at(project, "server.xml", server_with("    <featureManager>\n        <|"))
    assert "feature" in labels(r)


def test_elements_in_text_without_angle_bracket(project):
    r = at(project, "server.xml", server_with("    zosconnect_ci|"))
    el = item(r, "zosconnect_cicsIpicConnection")
    assert replaced(r, "zosconnect_cicsIpicConnection") == "zosconnect_ci"
    assert el.insert_text.startswith("<zosconnect_cicsIpicConnection ")


def test_end_tag(project):
    r = at(project, "server.xml", server_with('    <connectionFactory id="cf">\n    </|'))
    assert labels(r) == ["connectionFactory"]
    assert item(r, "connectionFactory").insert_text == "connectionFactory>"


def test_empty_document_offers_server(tmp_path):
    r = at(tmp_path, "new.xml", "<|")
    assert labels(r) == ["server"]


# ---------------------------------------------------------------------------
# Features
# ---------------------------------------------------------------------------


def test_feature_names(project):
    other = project / "other"
    other.mkdir()
    (other / "server.xml").write_text("<server><featureManager><feature>usr:customLogin-1.0</feature></featureManager></server>\n")
    r = at(project, "server.xml", "<server>\n  <featureManager>\n    <feature>zosconnect:zosConnect-2.0</feature>\n    <feature>zos|")
    names = labels(r)
    assert "zosconnect:cicsService-1.0" in names
    assert "zosconnect:zosConnect-2.0" not in names  # already listed
    assert "usr:customLogin-1.0" in names  # used in another configuration
    assert replaced(r, "zosconnect:cicsService-1.0") == "zos"
    assert names.index("zosconnect:cicsService-1.0") < names.index("zosconnect:cics-1.0")  # OpenAPI 2 first
    assert item(r, "zosconnect:cicsService-1.0").insert_text == "zosconnect:cicsService-1.0"


def test_feature_being_edited_is_offered(project):
    text = SERVER.replace("<feature>zosconnect:cicsService-1.0</feature>", "<feature>zosconnect:cics|Service-1.0</feature>")
    r = at(project, "server.xml", text)
    assert replaced(r, "zosconnect:cicsService-1.0") == "zosconnect:cicsService-1.0"
    assert "transportSecurity-1.0" not in labels(r)


# ---------------------------------------------------------------------------
# Triggers, comments, positions
# ---------------------------------------------------------------------------


def test_trigger_characters_only_where_they_fit(project):
    assert at(project, "server.xml", server_with("    |"), trigger=" ").items == []
    assert at(project, "server.xml", server_with('    <ssl id="|'), trigger="<").items == []
    assert at(project, "server.xml", server_with("    <ssl |"), trigger=" ").items
    assert at(project, "server.xml", server_with("    <|"), trigger="<").items


def test_nothing_inside_comments(project):
    r = at(project, "server.xml", server_with("    <!-- <ssl | -->"))
    assert r.items == []


def test_ranges_count_utf16_units(project):
    r = at(project, "server.xml", server_with('    <!--\U0001F600--><ssl id="s" keyStoreRef="|"/>'))
    i = item(r, "ring")
    line = r.text[: r.offset].rsplit("\n", 1)[1]
    assert i.range.start.character == len(line) + 1  # the emoji is two UTF-16 units
    assert i.range.start == i.range.end


def test_complete_at_line_and_character(project):
    service = AnalysisService([str(project)])
    path = str(project / "server.xml")
    service.open(path, SERVER)
    ws = service.snapshot(path).workspace
    line = SERVER.splitlines().index('    <zosconnect_cicsIpicConnection id="cics1" host="${cicsHost}" port="1491"/>')
    col = SERVER.splitlines()[line].index('port="') + len('port="')
    r = complete_at(ws, path, line, col)
    assert "1491" in [i.label for i in r.items]


# ---------------------------------------------------------------------------
# CSD
# ---------------------------------------------------------------------------


def test_csd_commands_at_the_start(project):
    r = at(project, "regions.csd", "DEF|")
    assert r.context == "command"
    assert {"DEFINE", "ALTER", "USERDEFINE", "LIST"} <= set(labels(r))
    assert "CHECK" not in labels(r)  # a CEDA-only command is no DFHCSDUP input
    assert labels(r, "keyword") == []
    assert replaced(r, "DEFINE") == "DEF"
    assert item(r, "DEFINE").insert_text == "DEFINE " and item(r, "DEFINE").retrigger


def test_csd_new_command_after_a_definition(project):
    r = at(project, "regions.csd", CSD + "DEF|")
    names = labels(r)
    assert names[0] == "ADD" and names.index("DEFINE") < names.index("DESCRIPTION")  # column 1: a new command first
    assert "DESCRIPTION" in names  # the previous IPCONN could still go on


def test_csd_resource_types_after_define(project):
    r = at(project, "regions.csd", CSD + "DEFINE |")
    assert r.context == "resource"
    assert {"TCPIPSERVICE", "IPCONN", "TRANSACTION"} <= set(labels(r))
    assert item(r, "TCPIPSERVICE").insert_text == "TCPIPSERVICE($1)"
    r = at(project, "regions.csd", CSD + "ALTER IPC|")
    assert replaced(r, "IPCONN") == "IPC"


def test_csd_keywords_not_yet_given(project):
    r = at(project, "regions.csd", CSD + "DEFINE TCPIPSERVICE(NEW) GRO(G) PROTOCOL(IPIC) |")
    names = labels(r)
    assert names[0] == "PORTNUMBER"  # required, not given yet
    assert "GROUP" not in names and "PROTOCOL" not in names  # given (GRO is GROUP abbreviated)
    assert "SSL" in names and "AUTHENTICATE" not in names  # AUTHENTICATE is for HTTP and USER only
    kw = item(r, "SSL")
    assert kw.insert_text == "SSL($1)" and kw.retrigger
    assert kw.documentation and "CLIENTAUTH" in kw.documentation
    r = at(project, "regions.csd", CSD + "DEFINE TCPIPSERVICE(NEW) GROUP(G) |")
    assert "AUTHENTICATE" in labels(r)  # PROTOCOL not known yet


def test_csd_keyword_prefix_and_continuation_line(project):
    r = at(project, "regions.csd", CSD + "DEFINE IPCONN(NEW) GROUP(G)\n       USERA|")
    assert replaced(r, "USERAUTH") == "USERA"
    names = labels(r)
    assert names.index("USERAUTH") < names.index("DEFINE")


def test_csd_enum_values(project):
    r = at(project, "regions.csd", CSD + "DEFINE IPCONN(NEW) GROUP(G) USERAUTH(|")
    assert labels(r) == ["LOCAL", "IDENTIFY", "VERIFY", "DEFAULTUSER"]
    assert item(r, "LOCAL").span == (r.offset, r.offset)
    r = at(project, "regions.csd", CSD + "DEFINE IPCONN(NEW) GROUP(G) USERAUTH(ID|)")
    assert replaced(r, "IDENTIFY") == "ID"


def test_csd_tcpipservice_names_inside_ipconn(project):
    r = at(project, "regions.csd", CSD + "DEFINE IPCONN(NEW) GROUP(G) TCPIPSERVICE(|")
    assert labels(r) == ["ZCIPIC", "WEB"]  # the IPIC listener first
    assert "PORTNUMBER(1491)" in item(r, "ZCIPIC").detail


def test_csd_groups_and_alter_names(project):
    r = at(project, "regions.csd", CSD + "DEFINE IPCONN(NEW) GROUP(|")
    assert labels(r) == ["ZCGRP"]
    r = at(project, "regions.csd", CSD + "ALTER IPCONN(|")
    assert labels(r) == ["OTHER", "ZCONN"]


def test_csd_nothing_in_comments_or_sequence_columns(project):
    assert at(project, "regions.csd", CSD + "* a comment DEF|").items == []
    assert at(project, "regions.csd", CSD + "DEFINE IPCONN(X) GROUP(G)" + " " * 50 + "|").items == []


def test_csd_inside_jcl_sysin(project):
    job = (
        "//CSDJOB  JOB (ACCT)\n"
        "//STEP1   EXEC PGM=DFHCSDUP\n"
        "//STEPLIB DD DSN=CICS.SDFHLOAD,DISP=SHR\n"
        "//SYSIN   DD *\n"
        "DEFINE IPCONN(NEW) GROUP(G)\n"
        "       LINKAUTH(|\n"
        "/*\n"
    )
    r = at(project, "define.jcl", job)
    assert labels(r) == ["SECUSER", "CERTUSER"]
    r = at(project, "define.jcl", job.replace("LINKAUTH(|", "LINKAUTH(CERTUSER)").replace("//STEPLIB DD", "//STEPLIB DD |"))
    assert r.items == []  # a JCL statement, not DFHCSDUP input
    r = at(project, "define.jcl", job.replace("LINKAUTH(|", "LINKAUTH(CERTUSER)").replace("/*\n", "/*\n//STEP2 EXEC PGM=IEFBR14\nDEF|\n"))
    assert r.items == []  # not in an in-stream SYSIN of the DFHCSDUP step


def test_csd_context_kinds():
    from zcsec.catalogue import load_catalogue
    from zcsec.csdparse import parse_csd

    text = "DEFINE TCPIPSERVICE(A) GROUP(G) DESCRIPTION('x (y"
    doc = parse_csd(text, load_catalogue().csd)
    assert csd_context(text, doc, len(text)).kind == "none"  # inside a quoted value
    text = "DEFINE TCPIPSERVICE(A"
    doc = parse_csd(text, load_catalogue().csd)
    ctx = csd_context(text, doc, len(text))
    assert ctx.kind == "value" and ctx.resource_name


# ---------------------------------------------------------------------------
# Snippets
# ---------------------------------------------------------------------------


def test_expand_snippet():
    assert expand_snippet('a="${1:x}" b="$1" c="${2|p,q|}" d="${3:{aes\\}...}"$0') == 'a="x" b="x" c="p" d="{aes}..."'
    assert expand_snippet("\\${server.config.dir}${1:f}") == "${server.config.dir}f"


REQUIRED_SNIPPETS = [
    "CICS IPIC with TLS client authentication and identity assertion",
    "CICS IPIC with TLS and fixed credentials (USERAUTH(VERIFY))",
    "IMS with PassTickets (OpenAPI 2)",
    "IMS DB with PassTickets",
    "MQ client mode with TLS and caller identity",
    "REST/Db2 over HTTPS with PassTicket (OpenAPI 2)",
    "Db2 over HTTPS with credentials (OpenAPI 3)",
    "API requester HTTPS endpoint with credentials",
    "WOLA with container authentication data",
]


def test_required_snippets_exist():
    have = {s.label for s in snippets()}
    assert set(REQUIRED_SNIPPETS) <= have


def _independent_expand(body: str) -> str:
    """Expand placeholders with their defaults without the module's code."""
    defaults: dict[str, str] = {}
    pattern = re.compile(r"\$\{(\d+):((?:[^}$\\]|\\.)*)\}")
    while True:
        m = pattern.search(body)
        if m is None:
            break
        value = re.sub(r"\\(.)", r"\1", m.group(2))
        defaults.setdefault(m.group(1), value)
        body = body[: m.start()] + value.replace("$", "\x01") + body[m.end() :]
    body = re.sub(r"\$\{?(\d+)\}?", lambda m: defaults.get(m.group(1), ""), body)
    return body.replace("\x01", "$").replace("\\$", "$").replace("\\}", "}")


@pytest.mark.parametrize("snippet", snippets(), ids=lambda s: s.label)
def test_snippet_expands_to_a_configuration_without_errors(snippet, tmp_path):
    body = _independent_expand(snippet.body)
    assert "${" not in body.replace("${server.", "")  # every placeholder was filled
    assert body == expand_snippet(snippet.body)
    features = "".join(f"<feature>{f}</feature>" for f in snippet.features)
    (tmp_path / "server.xml").write_text(f"<server>\n<featureManager>{features}</featureManager>\n{body}\n</server>\n")
    result = analyse([str(tmp_path)])
    errors = [f"{f.code}: {f.message}" for f in result.findings if f.severity == Severity.ERROR]
    assert errors == []
    assert len(result.workspace.configs[0].top) >= 2
    assert snippet.provider in {"cics", "ims", "imsdb", "mq", "rest", "wola"}
    for feature in snippet.features:
        assert feature in body or feature in ("zosconnect:zosConnect-2.0", "zosconnect:zosConnect-3.0")  # named in the comment


# ---------------------------------------------------------------------------
# Robustness: every offset of broken documents
# ---------------------------------------------------------------------------

BROKEN = [
    ("server.xml", SERVER[:-20] + '<ssl id="x" keyStoreRef="${ri\n  <keyStore id=\'a\r\n <!-- <feature> \n<![CDATA[ <x ]]> </'),
    ("server.xml", '<?xml version="1.0"?>\r\n<server>\r\n  <featureManager><feature>zos</feature>\r\n  <zosconnect_cicsIpicConnection id=c port="1491 sslCertsRef=\r\n</server>'),
    ("regions.csd", CSD + "DEF TC(A) GRO(G) PROTOCOL(IPIC\n* comment (\nALTER IPCONN(ZCONN) GROUP(ZCGRP) DESCRIPTION('it''s (x') USERAUTH(\n"),
]


@pytest.mark.parametrize("name, text", BROKEN)
def test_every_offset_of_broken_documents(project, name, text):
    path = project / name
    path.write_text(text)
    service = AnalysisService([str(project)])
    service.open(str(path), text)
    ws = service.snapshot(str(path)).workspace
    for offset in range(len(text) + 1):
        for trigger in (None, " ", '"', "<"):
            result = complete(ws, str(path), offset, trigger=trigger)
            for i in result.items:
                assert i.span[0] <= offset <= i.span[1]
                assert "\n" not in text[i.span[0] : i.span[1]] and "\r" not in text[i.span[0] : i.span[1]]
                assert i.range.start.line == i.range.end.line
