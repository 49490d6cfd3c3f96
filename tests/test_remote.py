"""The project of a document that is not a local file, without an editor:
zcsec.remote.Finder with readers that answer from a dictionary, and the
analysis service that builds the project from what the Finder found."""

from __future__ import annotations

import asyncio

from zcsec.remote import Finder
from zcsec.service import AnalysisService
from zcsec.sources import remote_path

SERVER = "zowe-uss:/lpar1/u/zcee/zc1/server.xml"
SERVER_XML = '<server>\n    <zosconnect_cicsIpicConnection id="c" host="cics1" port="1492" zosConnectApplid="ZCEEAPPL" zosConnectNetworkid="ZCNET"/>\n</server>\n'
CSD = (
    " DEFINE TCPIPSERVICE(ZCIPIC1) GROUP(G) PORTNUMBER(1492) PROTOCOL(IPIC) SSL(NO)\n"
    " DEFINE IPCONN(ZCEECONN) GROUP(G) APPLID(ZCEEAPPL) NETWORKID(ZCNET)\n"
    "        TCPIPSERVICE(ZCIPIC1) USERAUTH(VERIFY)\n"
)


def _finder(files: dict[str, str], asked: list[str], *, listing: bool = True) -> Finder:
    async def read_file(uri: str):
        asked.append(uri)
        return (files[uri], None) if uri in files else (None, "not found")

    async def read_directory(uri: str):
        asked.append(uri + "/")
        names = {u[len(uri) + 1:].split("/", 1)[0]: "/" in u[len(uri) + 1:] for u in files if u.startswith(uri + "/")}
        return (sorted(names.items()), None) if names else (None, "not a folder")

    return Finder(read_file, read_directory if listing else None)


def _find(finder: Finder, uri: str):
    return asyncio.run(finder.find_project(uri, AnalysisService.remote_csd_entries))


def test_a_member_pattern_reads_only_the_matching_members_of_the_profiles_data_set():
    asked: list[str] = []
    files = {
        "zowe-uss:/lpar1/u/zcee/.zcsec.toml": 'csd_files = ["CICS.CSDIN(ZC%%IPIC)"]',
        "zowe-ds:/lpar1/CICS.CSDIN/ZCEEIPIC": CSD,
        "zowe-ds:/lpar1/CICS.CSDIN/ZCEEXIPIC": CSD,  # one character too many for the pattern
    }
    project = _find(_finder(files, asked), SERVER)
    assert project.key == remote_path("zowe-uss:/lpar1/u/zcee/.zcsec.toml")
    assert project.folder == "zowe-uss:/lpar1/u/zcee"
    assert list(project.csd) == [remote_path("zowe-ds:/lpar1/CICS.CSDIN/ZCEEIPIC")]
    assert project.problems == []
    assert asked == ["zowe-uss:/lpar1/u/zcee/zc1/.zcsec.toml", "zowe-uss:/lpar1/u/zcee/.zcsec.toml", "zowe-ds:/lpar1/CICS.CSDIN/", "zowe-ds:/lpar1/CICS.CSDIN/ZCEEIPIC"]


def test_double_star_descends_into_folders_and_each_file_is_asked_for_once():
    asked: list[str] = []
    files = {
        "zowe-uss:/lpar1/u/zcee/zc1/.zcsec.toml": 'csd_files = ["**/*.csd", "cics/a/*.csd"]',
        "zowe-uss:/lpar1/u/zcee/zc1/cics/a/one.csd": CSD,
        "zowe-uss:/lpar1/u/zcee/zc1/cics/two.csd": CSD,
        "zowe-uss:/lpar1/u/zcee/zc1/cics/two.txt": CSD,
    }
    finder = _finder(files, asked)
    project = _find(finder, SERVER)
    assert sorted(project.csd) == sorted(remote_path(u) for u in files if u.endswith(".csd"))
    assert len(asked) == len(set(asked))
    _find(finder, SERVER)
    assert len(asked) == len(set(asked))  # answers are kept until the finder is replaced


def test_the_service_reports_what_could_not_be_read_on_the_open_document():
    asked: list[str] = []
    files = {"zowe-uss:/lpar1/u/zcee/zc1/.zcsec.toml": 'csd_files = ["CICS.CSDIN(ZCEEIPIC)"]'}
    project = _find(_finder(files, asked), SERVER)
    service = AnalysisService()
    path = remote_path(SERVER)
    service.open(path, SERVER_XML)
    service.set_remote_project(path, project)
    [finding] = [f for f in service.findings(path) if f.code == "remote-unreadable"]
    assert (finding.path, finding.span, finding.range.start.line, finding.range.start.character) == (path, (0, 0), 0, 0)
    assert "the CSD input zowe-ds:/lpar1/CICS.CSDIN/ZCEEIPIC could not be read: not found" in finding.message


def test_the_csd_input_joins_the_documents_project():
    asked: list[str] = []
    files = {"zowe-uss:/lpar1/u/zcee/zc1/ZCEEIPIC": CSD}
    project = _find(_finder(files, asked), SERVER)
    service = AnalysisService()
    path = remote_path(SERVER)
    service.open(path, SERVER_XML)
    assert "cics-verify-without-credentials" not in {f.code for f in service.findings(path)}
    service.set_remote_project(path, project)
    assert "cics-verify-without-credentials" in {f.code for f in service.findings(path)}
    assert service.project_key(remote_path("zowe-uss:/lpar1/u/zcee/zc1/ZCEEIPIC")) == service.project_key(path)
