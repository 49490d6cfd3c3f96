"""What the real-editor tests share: the documented configuration files
(editors/), the zcsec executable they start, and a small workspace with a
server.xml, an include-free CSD job and a .zcsec.toml."""

from __future__ import annotations

import shutil
import sys
from pathlib import Path

ROOT = Path(__file__).resolve().parents[2]
EDITORS = ROOT / "editors"
PLACEHOLDER = "/path/to/zcsec/.venv/bin/zcsec"


def zcsec_executable() -> str:
    """The zcsec command of the environment running the tests."""
    found = Path(sys.executable).with_name("zcsec")
    return str(found) if found.exists() else (shutil.which("zcsec") or PLACEHOLDER)


def tool(name: str) -> str | None:
    """An editor installed in the test environment (.venv/bin) or on the PATH."""
    local = Path(sys.executable).with_name(name)
    return str(local) if local.exists() else shutil.which(name)


# A caller-facing line with non-ASCII text before the finding: the columns
# must be counted the same way by zcsec and the editor.
SERVER = """\
<server>
    <featureManager>
        <feature>zosconnect:zosConnect-2.0</feature>
        <feature>zosconnect:cicsService-1.0</feature>
    </featureManager>
    <zosconnect_cicsIpicConnection id="cics" host="cics1.example.com" port="1491" authDataRef="cred"/>
    <!-- Zürich → 🏦 --> <zosconnect_authData id="cred" User="ZCUSER" password="{aes}ARAGvV1r4cP2mgRdNm0nwC9Ujw9gPQG3"/>
</server>
"""

JCL = """\
//DEFIPIC  JOB (ACCT),'IPIC',CLASS=A
//CSDUP    EXEC PGM=DFHCSDUP
//STEPLIB  DD DSN=CICSTS.SDFHLOAD,DISP=SHR
//DFHCSD   DD DSN=CICSTS.DFHCSD,DISP=SHR
//SYSPRINT DD SYSOUT=*
//SYSIN    DD *
 DEFINE TCPIPSERVICE(ZCIPIC) GROUP(ZCGRP) PROTOCOL(IPIC)
        PORTNUMBER(1491) SSL(NO) AUTHENTICATE(BASIC)
/*
"""


def workspace(base: Path) -> dict[str, Path]:
    project = base / "project"
    (project / "cics").mkdir(parents=True)
    (project / ".zcsec.toml").write_text("")
    files = {"server": project / "server.xml", "jcl": project / "cics" / "DEFIPIC.jcl"}
    files["server"].write_text(SERVER, encoding="utf-8")
    files["jcl"].write_text(JCL, encoding="utf-8")
    (base / "elsewhere").mkdir()
    return files
