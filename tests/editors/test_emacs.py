"""zcsec in a real Emacs (batch) with eglot, configured exactly as
editors/emacs/zcsec.el (which the README shows): one server for server.xml
and the CSD job of a project without version control, diagnostics in both,
hover, a quick fix applied on a line with non-ASCII text before it, and
element completion after "<" that survives eglot's filtering in nxml-mode.  Skipped, with the reason, where Emacs with eglot is not installed
(Debian: emacs-nox elpa-eglot)."""

from __future__ import annotations

import json
import os
import subprocess

import pytest

from editor_support import EDITORS, tool, workspace, zcsec_executable

EMACS = tool("emacs")


def _has_eglot() -> bool:
    if EMACS is None:
        return False
    proc = subprocess.run([EMACS, "--batch", "--eval", "(progn (package-initialize) (require 'eglot) (princ \"ok\"))"], capture_output=True, text=True, timeout=60)
    return proc.stdout.strip().endswith("ok")


pytestmark = pytest.mark.skipif(not _has_eglot(), reason=f"Emacs with eglot is not installed (emacs: {EMACS or 'none'}); on Debian: apt-get install emacs-nox elpa-eglot")


def test_emacs_eglot_with_the_documented_configuration(tmp_path):
    files = workspace(tmp_path)
    out = tmp_path / "probe.json"
    env = {
        **os.environ,
        "HOME": str(tmp_path / "home"),
        "ZCSEC": zcsec_executable(),
        "ZCSEC_PROBE_FILES": ";".join(str(p) for p in files.values()),
        "ZCSEC_PROBE_MAIN": str(files["server"]),
        "ZCSEC_PROBE_OUT": str(out),
    }
    probe = EDITORS.parent / "tests" / "editors" / "emacs_probe.el"
    proc = subprocess.run(
        [EMACS, "--batch", "--eval", "(package-initialize)", "-l", str(EDITORS / "emacs" / "zcsec.el"), "-l", str(probe)],
        cwd=tmp_path / "elsewhere", env=env, capture_output=True, text=True, timeout=180,
    )
    assert out.exists(), proc.stderr[-3000:]
    seen = json.loads(out.read_text())
    assert "error" not in seen, seen
    server, jcl = seen["files"]
    assert server["mode"] == "nxml-mode" and jcl["mode"] == "csd-mode"
    assert seen["servers"] == 1  # one project (.zcsec.toml), one server, no .git needed
    assert any("User" == d["at"] for d in server["diagnostics"]), server["diagnostics"]
    assert any(d["at"].startswith("AUTHENTICATE") for d in jcl["diagnostics"]), jcl["diagnostics"]
    assert "zosconnect_cicsIpicConnection" in "".join(seen["completion"]), seen
    assert "Security posture" in seen["hover"]
    assert "zcsec: Rename to 'user'" in seen["actions"]
    assert 'id="cred" user="ZCUSER"' in seen["after"] and "Zürich → 🏦" in seen["after"]
