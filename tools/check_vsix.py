"""Check that a VSIX is one package for every platform: no compiled code
inside (.so, .pyd, .dll, .dylib, .node) and no target platform in its
manifest.  Run by `make vsix` on the package it has just built.

    python tools/check_vsix.py dist/zcsec-<version>.vsix
"""

from __future__ import annotations

import re
import sys
import zipfile

NATIVE = re.compile(r"\.(so(\.\d+)*|pyd|dll|dylib|node|exe)$", re.IGNORECASE)


def problems(path: str) -> list[str]:
    out = []
    with zipfile.ZipFile(path) as z:
        names = z.namelist()
        out += [f"compiled code inside: {n}" for n in names if NATIVE.search(n)]
        manifest = z.read("extension.vsixmanifest").decode("utf-8") if "extension.vsixmanifest" in names else ""
        if 'TargetPlatform="' in manifest:
            out.append("the manifest names a target platform")
        if not any(n.endswith("/bundled/libs/zcsec/__init__.py") for n in names):
            out.append("the zcsec package is not bundled")
    return out


def main(argv: list[str]) -> int:
    if len(argv) != 1:
        print(__doc__.strip(), file=sys.stderr)
        return 2
    found = problems(argv[0])
    for p in found:
        print(f"check_vsix: {argv[0]}: {p}", file=sys.stderr)
    if not found:
        print(f"check_vsix: {argv[0]} is platform-neutral")
    return 1 if found else 0


if __name__ == "__main__":
    raise SystemExit(main(sys.argv[1:]))
