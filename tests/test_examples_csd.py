"""The CICS example workspaces, as `zcsec check` sees them (through
zcsec.analysis.analyse): the secure CSD input is clean, the insecure one
shows its planted CSD problem on the right record."""

from __future__ import annotations

from pathlib import Path

import pytest

from zcsec.analysis import analyse
from zcsec.findings import Severity

ROOT = Path(__file__).resolve().parent.parent
SECURE = ROOT / "examples" / "cics-secure"
INSECURE = ROOT / "examples" / "cics-insecure"
INSECURE_CSD = INSECURE / "csd" / "zcipic.csd"


def _csd_findings(result):
    csd_paths = set(result.workspace.csd.files)
    return [f for f in result.findings if f.path in csd_paths or f.code.startswith("csd-")]


def _line_of(path: Path, needle: str) -> tuple[int, int]:
    lines = path.read_text(encoding="utf-8").splitlines()
    hits = [(i, line.index(needle)) for i, line in enumerate(lines) if needle in line and not line.startswith("*")]
    assert len(hits) == 1, hits
    return hits[0]


@pytest.fixture(scope="module")
def secure():
    return analyse([str(SECURE)])


@pytest.fixture(scope="module")
def insecure():
    return analyse([str(INSECURE)])


def test_secure_example_has_csd_input(secure):
    assert [Path(p).name for p in secure.workspace.csd.files] == ["zcipic.csd"]
    assert secure.workspace.csd.named("IPCONN", "ZCEECONN")
    assert secure.workspace.csd.named("TCPIPSERVICE", "ZCIPIC1")


def test_secure_example_has_no_csd_finding_at_warning_or_above(secure):
    serious = [f for f in _csd_findings(secure) if f.severity <= Severity.WARNING]
    assert serious == [], [(f.code, f.path, f.range.start.line, f.message) for f in serious]


def test_secure_example_continued_description_is_joined(secure):
    (service,) = secure.workspace.csd.named("TCPIPSERVICE", "ZCIPIC1")
    assert service.value("DESCRIPTION") == "Mutual TLS IPIC listener for z/OS Connect server ZCEESRV1"
    # Mixed case and shortened keywords resolve.
    assert service.upper("TRANSACTION") == "CISS"
    assert service.upper("SSL") == "CLIENTAUTH"
    assert service.upper("PROTOCOL") == "IPIC"


@pytest.mark.parametrize("target", [INSECURE, INSECURE_CSD], ids=["workspace", "file"])
def test_insecure_example_authenticate_on_ipic(target):
    result = analyse([str(target)])
    hits = [f for f in result.findings if f.code == "csd-keyword-protocol" and Path(f.path) == INSECURE_CSD]
    assert len(hits) == 1, [(f.code, f.range.start.line, f.message) for f in result.findings]
    (f,) = hits
    line, character = _line_of(INSECURE_CSD, "AUTHENTICATE(BASIC)")
    assert (f.range.start.line, f.range.start.character) == (line, character)
    assert (f.range.end.line, f.range.end.character) == (line, character + len("AUTHENTICATE"))
    assert f.severity == Severity.WARNING
    assert "AUTHENTICATE" in f.message and "IPIC" in f.message
    # The removal fix touches only that record.
    (fix,) = f.fixes
    (edit,) = fix.edits
    assert edit.range.start.line == edit.range.end.line == line
    assert edit.new_text == ""


def test_insecure_jcl_example_has_no_record_problems(insecure):
    # DEFIPIC.jcl carries sequence numbers in columns 73-80 and JCL around the
    # DFHCSDUP input: neither is a CSD problem.
    jcl = [f for f in insecure.findings if Path(f.path).name == "DEFIPIC.jcl" and f.code.startswith("csd-")]
    assert jcl == [], [(f.code, f.range.start.line, f.message) for f in jcl]
    services = insecure.workspace.csd.named("TCPIPSERVICE", "ZCIPIC2")
    assert len(services) == 1
    assert services[0].value("PORTNUMBER") == "1493"
    assert services[0].document.is_jcl
