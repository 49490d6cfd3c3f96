"""Every module of zcsec imports on its own, first, in a clean state: no
import cycle hides behind the order in which modules happen to be loaded
(issue 13: the language server's feature modules once imported the server
module back)."""

from __future__ import annotations

import json
import re
import subprocess
import sys
from pathlib import Path

import pytest

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


# -- cold start (issue 14) ---------------------------------------------------------------
# The analysis: none of it is imported before the server has answered initialize.
ANALYSIS = ("zcsec.analysis", "zcsec.service", "zcsec.remote", "zcsec.engine", "zcsec.rules", "zcsec.posture", "zcsec.fixing", "zcsec.workspace", "zcsec.xmlparse", "zcsec.csdparse", "zcsec.catalogue", "zcsec.tls", "zcsec.secrecy", "zcsec.output", "zcsec.ide")

# What `python -m zcsec serve` imports, then the server answering initialize
# (VS Code's capabilities) and being told `initialized`, in a fresh process.
COLD_START = """
import asyncio, json, sys
from lsprotocol import types as lsp
from pytest_lsp import client_capabilities
import zcsec.__main__
from zcsec.lsp.app import create_server

ANALYSIS = tuple(sys.argv[1:])

def analysis_loaded():
    return sorted(m for m in sys.modules if m in ANALYSIS or m.startswith(tuple(a + "." for a in ANALYSIS)))

async def main():
    ls = create_server()
    sent = []
    class Writer:
        def write(self, data):
            sent.append(json.loads(data.split(b"\\r\\n\\r\\n", 1)[1]))
        def close(self):
            pass
    ls.protocol.set_writer(Writer())
    def receive(message):
        ls.protocol.handle_message(ls.protocol.structure_message({"jsonrpc": "2.0", **message}))
    params = lsp.InitializeParams(
        capabilities=client_capabilities("visual-studio-code"),
        root_uri="file:///tmp/ws",
        workspace_folders=[lsp.WorkspaceFolder(uri="file:///tmp/ws", name="ws")],
        initialization_options={"diagnosticsDelayMs": 0},
    )
    receive({"id": 1, "method": "initialize", "params": ls.protocol._converter.unstructure(params)})
    answer = next(m for m in sent if m.get("id") == 1)
    at_initialize = analysis_loaded()
    receive({"method": "initialized", "params": {}})
    for _ in range(100):  # the handler runs as a task
        await asyncio.sleep(0)
        if "zcsec.service" in sys.modules:
            break
    print(json.dumps({"answer": answer, "at_initialize": at_initialize, "at_initialized": analysis_loaded()}))

asyncio.run(main())
"""


def test_the_server_answers_initialize_before_it_imports_the_analysis():
    """An editor waits for the answer to initialize: the server gives it
    without importing the analysis (parsers, catalogue, rules, engine,
    posture, fixes, the editor features), and imports it once told
    ``initialized``.  The answer announces what it always did."""
    proc = subprocess.run([sys.executable, "-c", COLD_START, *ANALYSIS], capture_output=True, text=True, timeout=120)
    assert proc.returncode == 0, proc.stderr
    out = json.loads(proc.stdout)
    assert out["at_initialize"] == []
    assert {"zcsec.service", "zcsec.engine", "zcsec.rules", "zcsec.posture", "zcsec.workspace"} <= set(out["at_initialized"])
    assert out["answer"]["result"] == {
        "capabilities": {
            "positionEncoding": "utf-16",
            "textDocumentSync": {"openClose": True, "change": 2, "willSave": False, "willSaveWaitUntil": False, "save": False},
            "completionProvider": {"triggerCharacters": ["<", " ", '"', "{", "(", ":"]},
            "hoverProvider": True,
            "definitionProvider": True,
            "referencesProvider": True,
            "documentSymbolProvider": True,
            "codeActionProvider": {"codeActionKinds": ["quickfix", "source.fixAll", "source.fixAll.zcsec"], "resolveProvider": False},
            "codeLensProvider": {"resolveProvider": False},
            "documentLinkProvider": {"resolveProvider": False},
            "renameProvider": {"prepareProvider": True},
            "executeCommandProvider": {"commands": ["zcsec.server.checkWorkspace"]},
            "inlayHintProvider": {"resolveProvider": False},
            "diagnosticProvider": {"interFileDependencies": True, "workspaceDiagnostics": False, "identifier": "zcsec"},
            "workspace": {"workspaceFolders": {"supported": True, "changeNotifications": True}, "fileOperations": {}},
        },
        "serverInfo": {"name": "zcsec", "version": zcsec.__version__},
    }


def test_lazy_names_the_modules_it_imports():
    """zcsec.lsp.lazy gives each analysis module under the name its
    imports for the type checker use, and no other name."""
    import ast

    from zcsec.lsp import lazy

    tree = ast.parse((PACKAGE / "lsp" / "lazy.py").read_text(encoding="utf-8"))
    block = next(node for node in tree.body if isinstance(node, ast.If) and ast.unparse(node.test) == "TYPE_CHECKING")
    typed = {alias.asname or alias.name for node in block.body if isinstance(node, ast.ImportFrom) for alias in node.names}
    assert typed == set(lazy.MODULES)
    for name, module in lazy.MODULES.items():
        assert getattr(lazy, name).__name__ == module
    with pytest.raises(AttributeError):
        lazy.rules
