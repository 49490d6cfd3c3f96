"""The project of a document that is not a local file (issue 15), read
through the editor: its .zcsec.toml in its folder or above, the CSD input
that file names (relative paths with wildcards, and data set members for
Zowe Explorer documents), else the CSD input beside it.  The client here
answers zcsec/readFile and zcsec/readDirectory from a dictionary, as the
VS Code extension answers them from any file system provider."""

from __future__ import annotations

import asyncio

from lsprotocol import types as lsp

from conftest import make_client

lister = make_client("visual-studio-code", settings={"readFile": True, "readDirectory": True})
reader = make_client("visual-studio-code", settings={"readFile": True})

HOME = "zowe-uss:/lpar1/u/zcee/servers/zc1"
SERVER = f"{HOME}/server.xml"
SERVER_XML = (
    "<server>\n"
    '    <include location="includes/auth.xml"/>\n'
    '    <zosconnect_cicsIpicConnection id="cicsConn" host="cics1.example.com" port="1492"\n'
    '        zosConnectApplid="ZCEEAPPL" zosConnectNetworkid="ZCNET"/>\n'
    "</server>\n"
)
AUTH_XML = '<server>\n    <zosconnect_authData id="cicsCreds" user="ZCUSER" password="{aes}AAAA"/>\n</server>\n'
CSD = (
    " DEFINE TCPIPSERVICE(ZCIPIC1) GROUP(ZCGRP) PORTNUMBER(1492)\n"
    "        PROTOCOL(IPIC) SSL(NO)\n"
    " DEFINE IPCONN(ZCEECONN) GROUP(ZCGRP) APPLID(ZCEEAPPL)\n"
    "        NETWORKID(ZCNET) TCPIPSERVICE(ZCIPIC1) USERAUTH(VERIFY)\n"
)
COBOL = "       IDENTIFICATION DIVISION.\n       PROGRAM-ID. HELLO.\n"
# The finding that exists only when the CSD input is part of the project.
NEEDS_CSD = "cics-verify-without-credentials"


class FakeFileSystem:
    """Files by URI; folders are what the files' paths imply.  Records
    every request the server sends."""

    def __init__(self, client, files: dict[str, str], *, broken: dict[str, str] | None = None) -> None:
        self.files = files
        self.broken = broken or {}
        self.asked: list[tuple[str, str]] = []

        @client.feature("zcsec/readFile")
        def read_file(params):
            uri = params["uri"] if isinstance(params, dict) else params.uri
            self.asked.append(("file", uri))
            if uri in self.broken:
                return {"error": self.broken[uri]}
            return {"text": self.files[uri]} if uri in self.files else {"error": f"{uri} does not exist"}

        @client.feature("zcsec/readDirectory")
        def read_directory(params):
            uri = (params["uri"] if isinstance(params, dict) else params.uri).rstrip("/")
            self.asked.append(("folder", uri))
            entries: dict[str, str] = {}
            for name in self.files:
                if name.startswith(uri + "/"):
                    rest = name[len(uri) + 1:]
                    entries[rest.split("/", 1)[0]] = "directory" if "/" in rest else "file"
            return {"entries": sorted(entries.items())} if entries else {"error": f"{uri} is not a folder"}

    def read(self, kind: str = "file") -> list[str]:
        return [uri for k, uri in self.asked if k == kind]


async def _pull(client, uri: str) -> list[lsp.Diagnostic]:
    report = await client.text_document_diagnostic_async(lsp.DocumentDiagnosticParams(lsp.TextDocumentIdentifier(uri)))
    return list(report.items)


def _open(client, uri: str, text: str, language: str = "xml", version: int = 1) -> None:
    client.text_document_did_open(lsp.DidOpenTextDocumentParams(lsp.TextDocumentItem(uri, language, version, text)))


async def test_csd_files_of_a_zcsec_toml_above_the_document_are_read_through_the_editor(lister):
    fs = FakeFileSystem(lister, {
        SERVER: SERVER_XML,
        f"{HOME}/includes/auth.xml": AUTH_XML,
        "zowe-uss:/lpar1/u/zcee/.zcsec.toml": 'csd_files = ["cics/*"]\n',
        "zowe-uss:/lpar1/u/zcee/cics/ZCEEIPIC": CSD,
        "zowe-uss:/lpar1/u/zcee/cics/README": "notes, not CSD input\n",
    })
    _open(lister, SERVER, SERVER_XML)
    codes = {d.code for d in await _pull(lister, SERVER)}
    assert NEEDS_CSD in codes and "include-missing" not in codes, codes
    # The nearest folder first, stopping at the first .zcsec.toml.
    assert fs.read()[:3] == [f"{HOME}/.zcsec.toml", "zowe-uss:/lpar1/u/zcee/servers/.zcsec.toml", "zowe-uss:/lpar1/u/zcee/.zcsec.toml"]
    assert fs.read("folder") == ["zowe-uss:/lpar1/u/zcee/cics"]
    # Every file the glob names is CSD input; the README is reported as CSD that does not parse.
    assert "zowe-uss:/lpar1/u/zcee/cics/README" in fs.read()


async def test_data_set_members_named_in_zcsec_toml_are_read_from_the_same_zowe_profile(lister):
    fs = FakeFileSystem(lister, {
        SERVER: SERVER_XML,
        f"{HOME}/includes/auth.xml": AUTH_XML,
        f"{HOME}/.zcsec.toml": 'csd_files = ["user.cics.csdin(zcee*)"]\n',
        "zowe-ds:/lpar1/USER.CICS.CSDIN/ZCEEIPIC": CSD,
        "zowe-ds:/lpar1/USER.CICS.CSDIN/OTHER": COBOL,
        "zowe-ds:/lpar2/USER.CICS.CSDIN/ZCEEIPIC": COBOL,  # another system's data set of the same name
    })
    _open(lister, SERVER, SERVER_XML)
    diagnostics = await _pull(lister, SERVER)
    assert NEEDS_CSD in {d.code for d in diagnostics}
    assert fs.read("folder") == ["zowe-ds:/lpar1/USER.CICS.CSDIN"]
    assert "zowe-ds:/lpar1/USER.CICS.CSDIN/OTHER" not in fs.read()
    assert "zowe-ds:/lpar2/USER.CICS.CSDIN/ZCEEIPIC" not in fs.read()

    # The member opened from Zowe Explorer joins the project: an edit there changes server.xml's findings.
    member = "zowe-ds:/lpar1/USER.CICS.CSDIN/ZCEEIPIC"
    _open(lister, member, CSD, "plaintext")
    assert await _pull(lister, member) == []
    edited = CSD.replace("USERAUTH(VERIFY)", "USERAUTH(IDENTIFY)")
    lister.text_document_did_change(lsp.DidChangeTextDocumentParams(
        lsp.VersionedTextDocumentIdentifier(version=2, uri=member), [lsp.TextDocumentContentChangeWholeDocument(text=edited)]
    ))
    codes = {d.code for d in await _pull(lister, SERVER)}
    assert NEEDS_CSD not in codes


async def test_without_zcsec_toml_csd_input_beside_the_document_is_found_by_content(lister):
    fs = FakeFileSystem(lister, {
        SERVER: SERVER_XML,
        f"{HOME}/includes/auth.xml": AUTH_XML,
        f"{HOME}/zcipic.jcl": "//DEFIPIC JOB\n//CSDUP EXEC PGM=DFHCSDUP\n//SYSIN DD *\n" + CSD + "/*\n",
        f"{HOME}/HELLO": COBOL,
    })
    _open(lister, SERVER, SERVER_XML)
    assert NEEDS_CSD in {d.code for d in await _pull(lister, SERVER)}
    assert f"{HOME}/HELLO" in fs.read()  # read, and left out: it is COBOL


async def test_variables_of_a_remote_server_come_from_the_files_beside_it(lister):
    text = SERVER_XML.replace('location="includes/auth.xml"', 'location="${server.config.dir}/includes/auth.xml"').replace('port="1492"', 'port="${env.CICS_PORT}"')
    FakeFileSystem(lister, {
        SERVER: text,
        f"{HOME}/includes/auth.xml": AUTH_XML,
        f"{HOME}/server.env": "CICS_PORT=1492\n",
        f"{HOME}/ZCEEIPIC": CSD,
    })
    _open(lister, SERVER, text)
    codes = {d.code for d in await _pull(lister, SERVER)}
    assert NEEDS_CSD in codes and not codes & {"include-missing", "include-unresolved", "variable-undefined"}, codes
    # Hover on the include shows where ${server.config.dir} points: the folder on the editor's file system.
    hover = await lister.text_document_hover_async(lsp.HoverParams(lsp.TextDocumentIdentifier(SERVER), lsp.Position(1, 30)))
    assert hover is None or "~zcsec-remote~" not in hover.contents.value


async def test_a_named_csd_input_the_editor_cannot_give_is_said_on_the_document(lister):
    member = "zowe-ds:/lpar1/USER.CICS.CSDIN/ZCEEIPIC"
    FakeFileSystem(lister, {
        SERVER: SERVER_XML,
        f"{HOME}/includes/auth.xml": AUTH_XML,
        f"{HOME}/.zcsec.toml": 'csd_files = ["USER.CICS.CSDIN(ZCEEIPIC)", "cics/*.csd"]\n',
    }, broken={member: "RACF: not authorized to read USER.CICS.CSDIN"})
    _open(lister, SERVER, SERVER_XML)
    diagnostics = await _pull(lister, SERVER)
    problems = [d for d in diagnostics if d.code == "remote-unreadable"]
    assert [d.severity for d in problems] == [lsp.DiagnosticSeverity.Warning] * 2, [d.message for d in problems]
    messages = " | ".join(d.message for d in problems)
    assert f"the CSD input {member} could not be read: RACF: not authorized" in messages
    assert f"the folder {HOME}/cics could not be listed: {HOME}/cics is not a folder" in messages
    assert NEEDS_CSD not in {d.code for d in diagnostics}
    assert all(d.range.start == lsp.Position(0, 0) for d in problems)


async def test_a_client_that_reads_files_but_lists_no_folders_is_never_asked_to(reader):
    fs = FakeFileSystem(reader, {
        SERVER: SERVER_XML,
        f"{HOME}/includes/auth.xml": AUTH_XML,
        f"{HOME}/.zcsec.toml": 'csd_files = ["cics/ZCEEIPIC", "cics/*"]\n',
        f"{HOME}/cics/ZCEEIPIC": CSD,
    })
    _open(reader, SERVER, SERVER_XML)
    diagnostics = await _pull(reader, SERVER)
    assert fs.read("folder") == []
    assert NEEDS_CSD in {d.code for d in diagnostics}  # the entry without wildcards is read directly
    [problem] = [d.message for d in diagnostics if d.code == "remote-unreadable"] or [None]
    assert problem is not None and "does not list folders" in problem, [d.message for d in diagnostics if d.code == "remote-unreadable"]


async def test_data_set_members_need_a_zowe_explorer_document(lister):
    uri = "vscode-vfs:/github/example/zc1/server.xml"
    FakeFileSystem(lister, {uri: SERVER_XML, "vscode-vfs:/github/example/zc1/.zcsec.toml": 'csd_files = ["USER.CICS.CSDIN(*)"]\n'})
    _open(lister, uri, SERVER_XML)
    [problem] = [d for d in await _pull(lister, uri) if d.code == "remote-unreadable"]
    assert "only for documents opened through Zowe Explorer" in problem.message


async def test_the_project_is_asked_for_once_and_again_after_the_document_closes(lister):
    fs = FakeFileSystem(lister, {SERVER: SERVER_XML, f"{HOME}/includes/auth.xml": AUTH_XML, f"{HOME}/.zcsec.toml": "", f"{HOME}/ZCEEIPIC": CSD})
    _open(lister, SERVER, SERVER_XML)
    await _pull(lister, SERVER)
    first = list(fs.asked)
    for version in (2, 3):
        lister.text_document_did_change(lsp.DidChangeTextDocumentParams(
            lsp.VersionedTextDocumentIdentifier(version=version, uri=SERVER), [lsp.TextDocumentContentChangeWholeDocument(text=SERVER_XML + " " * version)]
        ))
        await _pull(lister, SERVER)
    assert fs.asked == first  # edits ask for nothing
    lister.text_document_did_close(lsp.DidCloseTextDocumentParams(lsp.TextDocumentIdentifier(SERVER)))
    await asyncio.sleep(0.1)
    _open(lister, SERVER, SERVER_XML)
    await _pull(lister, SERVER)
    assert fs.asked == first + first  # a document opened again sees what changed meanwhile


def test_the_folders_looked_at_for_zcsec_toml():
    from zcsec.remote import config_folders, dataset_folder_uri, folder_uri

    assert config_folders("zowe-uss:/lpar1/u/zcee/server.xml") == ["zowe-uss:/lpar1/u/zcee", "zowe-uss:/lpar1/u", "zowe-uss:/lpar1"]
    assert config_folders("zowe-ds:/lpar1/USER.CICS.CSDIN/ZCEEIPIC") == []  # a data set holds no .zcsec.toml
    assert config_folders("untitled:Untitled-1") == []
    assert len(config_folders("sftp://host/" + "/".join("abcdefghijkl") + "/server.xml")) == 8
    assert folder_uri("zowe-ds:/lpar1/USER.CICS.CSDIN/ZCEEIPIC") == "zowe-ds:/lpar1/USER.CICS.CSDIN"
    assert dataset_folder_uri("zowe-uss:/lpar1/u/zcee/.zcsec.toml", "user.cics.csdin") == "zowe-ds:/lpar1/USER.CICS.CSDIN"
    assert dataset_folder_uri("file:///u/zcee/.zcsec.toml", "USER.CICS.CSDIN") is None


async def test_an_included_file_opened_too_is_checked_once_as_part_of_its_server_xml(lister):
    auth = f"{HOME}/includes/auth.xml"
    clear = AUTH_XML.replace("{aes}AAAA", "secret1")
    FakeFileSystem(lister, {SERVER: SERVER_XML, auth: clear, f"{HOME}/.zcsec.toml": 'csd_files = ["ZCEEIPIC"]\n', f"{HOME}/ZCEEIPIC": CSD})
    _open(lister, SERVER, SERVER_XML)
    await _pull(lister, SERVER)
    _open(lister, auth, clear)
    included = await _pull(lister, auth)
    assert [d.code for d in included] == ["password-clear-text"]
    assert "secret1" not in included[0].message
    # Still one configuration: server.xml is checked with the include, not the include on its own.
    codes = [d.code for d in await _pull(lister, SERVER)]
    assert codes.count(NEEDS_CSD) == 1 and "feature-missing" in codes
