"""tools/check_vsix.py: the VSIX `make vsix` builds is one package for every platform."""

from __future__ import annotations

import importlib.util
import zipfile
from pathlib import Path

_spec = importlib.util.spec_from_file_location("check_vsix", Path(__file__).resolve().parents[1] / "tools" / "check_vsix.py")
check_vsix = importlib.util.module_from_spec(_spec)
_spec.loader.exec_module(check_vsix)

MANIFEST = '<PackageManifest><Metadata><Identity Id="zcsec" Version="0.1.0"/></Metadata></PackageManifest>'


def vsix(tmp_path: Path, extra: dict[str, str], manifest: str = MANIFEST) -> str:
    tmp_path.mkdir(parents=True, exist_ok=True)
    path = tmp_path / "x.vsix"
    with zipfile.ZipFile(path, "w") as z:
        z.writestr("extension.vsixmanifest", manifest)
        z.writestr("extension/bundled/libs/zcsec/__init__.py", "")
        for name, text in extra.items():
            z.writestr(name, text)
    return str(path)


def test_pure_python_and_typescript_is_platform_neutral(tmp_path):
    assert check_vsix.problems(vsix(tmp_path, {"extension/bundled/libs/pygls/server.py": "", "extension/out/extension.js": ""})) == []


def test_compiled_code_or_a_target_platform_is_reported(tmp_path):
    found = check_vsix.problems(vsix(tmp_path, {"extension/bundled/libs/lxml/etree.cpython-312-x86_64-linux-gnu.so": ""}))
    assert found == ["compiled code inside: extension/bundled/libs/lxml/etree.cpython-312-x86_64-linux-gnu.so"]
    manifest = MANIFEST.replace('Version="0.1.0"', 'Version="0.1.0" TargetPlatform="linux-x64"')
    assert check_vsix.problems(vsix(tmp_path / "t", {}, manifest)) == ["the manifest names a target platform"]
    assert check_vsix.main([vsix(tmp_path / "ok", {})]) == 0
