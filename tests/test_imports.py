"""Every module of zcsec imports on its own, first, in a clean state: no
import cycle hides behind the order in which modules happen to be loaded
(issue 13: the language server's feature modules once imported the server
module back)."""

from __future__ import annotations

import re
import subprocess
import sys
from pathlib import Path

import zcsec

PACKAGE = Path(zcsec.__file__).parent

# Imports each module after forgetting every zcsec module loaded before it.
PROBE = """
import importlib, sys, traceback
failed = []
for name in sys.argv[1:]:
    for loaded in [m for m in sys.modules if m == "zcsec" or m.startswith("zcsec.")]:
        del sys.modules[loaded]
    try:
        importlib.import_module(name)
    except Exception:
        failed.append(name + ": " + traceback.format_exc().splitlines()[-1])
print("\\n".join(failed))
sys.exit(1 if failed else 0)
"""


def module_names() -> list[str]:
    names = []
    for path in sorted(PACKAGE.rglob("*.py")):
        rel = path.relative_to(PACKAGE.parent).with_suffix("")
        parts = list(rel.parts)
        if parts[-1] == "__init__":
            parts.pop()
        if parts[-1] == "__main__":
            continue
        names.append(".".join(parts))
    return names


def test_every_module_imports_on_its_own():
    names = module_names()
    assert "zcsec.lsp.hover" in names and "zcsec.rules.registry" in names
    proc = subprocess.run([sys.executable, "-c", PROBE, *names], capture_output=True, text=True, timeout=300)
    assert proc.returncode == 0, proc.stdout + proc.stderr


def test_no_feature_module_imports_the_factory():
    """Feature modules register on the server they are given; only the
    factory knows them all."""
    imports_app = re.compile(r"^\s*(from\s+(\.|zcsec\.lsp\.?)app\b|from\s+\.\s+import\s+.*\bapp\b|import\s+zcsec\.lsp\.app\b)", re.M)
    for path in (PACKAGE / "lsp").glob("*.py"):
        if path.name != "app.py":
            assert not imports_app.search(path.read_text()), path.name


def test_the_readme_layout_names_every_module():
    """The README's layout table is where a newcomer finds the code: every
    module of the package is named there (issue 13)."""
    readme = (PACKAGE.parent.parent / "README.md").read_text(encoding="utf-8")
    layout = readme[readme.index("## Layout") :]
    layout = layout[: layout.index("\n## ", 1)] if "\n## " in layout[1:] else layout
    missing = []
    for name in module_names():
        parts = name.split(".")[1:]
        if not parts or parts[-1] in ("rules", "lsp", "ide"):
            continue  # the package and its subpackages' __init__
        stem = parts[-1]
        spelled = ("/".join(parts) + ".py", stem + ".py", f"`{stem}`")
        if not any(s in layout for s in spelled):
            missing.append(name)
    assert not missing, f"README.md's layout table does not name {missing}"
