"""Scaling measured by counting work, not by the clock (issue 14): the
number of Python function calls a full check makes, counted by cProfile,
for a generated workspace of n and 2n connections.  Doubling the workspace
may at most about double the work; a lookup that scans every IPCONN for
every listener (quadratic) fails this."""

from __future__ import annotations

import cProfile
import pstats
from pathlib import Path

from zcsec.analysis import analyse


def generate(base: Path, n: int) -> Path:
    """n IPIC connections in server.xml, each with its own listener and
    IPCONN in one CSD file, plus programs and transactions around them."""
    base.mkdir(parents=True)
    (base / ".zcsec.toml").write_text("")
    conns = []
    csd = []
    for i in range(n):
        port = 2000 + i
        # Every other connection sends no APPLID, and every other listener
        # leaves URM at its default: both make zcsec look for the IPCONNs of a listener.
        ids = f' zosConnectApplid="ZC{i:06d}" zosConnectNetworkid="ZCNET"' if i % 2 else ""
        urm = "URM(NO) " if i % 2 else ""
        conns.append(f'    <zosconnect_cicsIpicConnection id="c{i}" host="cics{i}.example.com" port="{port}" sslCertsRef="mtls"{ids}/>')
        csd.append(f" DEFINE TCPIPSERVICE(T{i:07d}) GROUP(G) PROTOCOL(IPIC) PORTNUMBER({port})\n        SSL(CLIENTAUTH) {urm}SOCKETCLOSE(NO) TRANSACTION(CISS)")
        csd.append(f" DEFINE IPCONN(I{i:07d}) GROUP(G) APPLID(ZC{i:06d}) NETWORKID(ZCNET)\n        TCPIPSERVICE(T{i:07d}) LINKAUTH(CERTUSER) USERAUTH(IDENTIFY)")
        csd.append(f" DEFINE PROGRAM(P{i:07d}) GROUP(G)\n DEFINE TRANSACTION(X{i:03d}) GROUP(G) PROGRAM(P{i:07d})")
    (base / "server.xml").write_text(
        "<server>\n    <featureManager>\n        <feature>zosconnect:zosConnect-2.0</feature>\n        <feature>zosconnect:cicsService-1.0</feature>\n"
        "        <feature>transportSecurity-1.0</feature>\n    </featureManager>\n"
        '    <keyStore id="ring" location="safkeyring:///ZC.Ring" type="JCERACFKS" fileBased="false" readOnly="true"/>\n'
        '    <ssl id="mtls" keyStoreRef="ring" trustStoreRef="ring" clientKeyAlias="ZC"/>\n' + "\n".join(conns) + "\n</server>\n"
    )
    (base / "regions.csd").write_text("\n".join(csd) + "\n")
    return base


def calls(base: Path) -> int:
    profile = cProfile.Profile()
    profile.enable()
    result = analyse([str(base)])
    profile.disable()
    assert result.findings is not None
    return sum(stat[1] for stat in pstats.Stats(profile).stats.values())  # primitive + recursive calls


def test_a_full_check_grows_linearly_with_the_workspace(tmp_path):
    small, large = calls(generate(tmp_path / "n", 150)), calls(generate(tmp_path / "2n", 300))
    assert large / small <= 2.3, f"{small} calls for 150 connections, {large} for 300 ({large / small:.2f} times)"


# ---------------------------------------------------------------------------
# One edit (issue 14): the editor's analysis service parses and checks an
# edit given the previous check, so its work depends on the edit, not on the
# size of the workspace.
# ---------------------------------------------------------------------------


def edit_calls(base: Path, target: str, marker: str) -> int:
    """The function calls of one one-character edit (the service's change
    and the check that follows), inside a value in the middle of ``target``,
    after a first edit there (the first one builds what later ones reuse)."""
    from zcsec.service import AnalysisService

    path = str(base / target)
    text = Path(path).read_text()
    service = AnalysisService([str(base)])
    service.open(path, text)
    service.snapshot(path)
    at = text.index(marker, len(text) // 2) + len(marker)
    text = text[:at] + "x" + text[at:]
    service.change(path, text)
    service.snapshot(path)
    text = text[:at] + "y" + text[at:]
    profile = cProfile.Profile()
    profile.enable()
    service.change(path, text)
    snap = service.snapshot(path)
    profile.disable()
    assert service._checkers[snap.key].incremental, "the edit was not checked incrementally"
    return sum(stat[1] for stat in pstats.Stats(profile).stats.values())


def test_the_work_of_one_edit_does_not_grow_with_the_workspace(tmp_path):
    small, large = generate(tmp_path / "n", 150), generate(tmp_path / "2n", 300)
    for target, marker in (("server.xml", 'host="'), ("regions.csd", "APPLID(")):
        n, n2 = edit_calls(small, target, marker), edit_calls(large, target, marker)
        # What is left of the growth is moving what follows the edit (a loop
        # per top-level element or command after it: offsets are absolute).
        assert n2 / n <= 1.25, f"{target}: {n} calls for an edit among 150 connections, {n2} among 300 ({n2 / n:.2f} times)"
        assert n < 20_000, f"{target}: {n} calls for one edit"


# ---------------------------------------------------------------------------
# zcsec check over a tree of many projects (issue 14): what is the same for
# every project is done once per run, not once per project.
# ---------------------------------------------------------------------------


def test_a_check_of_many_projects_does_their_common_work_once(tmp_path, monkeypatch):
    import os

    from zcsec import analysis, catalogue

    for i in range(12):
        generate(tmp_path / f"p{i:02d}", 3)
    walks, signatures, lookups = [], [], []
    real_walk, real_signature, real_find = os.walk, catalogue._signature, analysis.find_project_file
    monkeypatch.setattr(os, "walk", lambda *a, **k: (walks.append(a[0]), real_walk(*a, **k))[1])
    monkeypatch.setattr(catalogue, "_signature", lambda dirs: (signatures.append(dirs), real_signature(dirs))[1])
    monkeypatch.setattr(analysis, "find_project_file", lambda start, known=None: (lookups.append(known is not None), real_find(start, known))[1])
    checked, files = analysis.check_projects([str(tmp_path)], jobs=1)
    assert files == 24 and checked == []
    assert walks == [str(tmp_path)], "the tree is walked once to find the input and the projects"
    assert len(signatures) == 1, "the catalogue is looked up once per run, not once per project"
    assert all(lookups), "the project of each file is found with what is known of its folders"
