"""Helpers shared by the test modules (import them with ``from conftest
import ...``), and the fixtures of the end-to-end language server tests
(a real server over stdio, driven by pytest-lsp with the capabilities of
real clients)."""

from __future__ import annotations

import sys
import textwrap
from pathlib import Path
from typing import Iterable

import pytest_lsp
from lsprotocol import types as lsp
from pytest_lsp import ClientServerConfig, LanguageClient, client_capabilities

from zcsec.text import LineIndex

# ---------------------------------------------------------------------------
# Files and findings
# ---------------------------------------------------------------------------


def write(base: Path, rel: str, text: str | bytes, *, dedent: bool = False) -> Path:
    """Write ``text`` (UTF-8, or bytes as they are) to ``base/rel``, making
    the folders on the way; ``dedent`` strips the common indentation first."""
    p = base / rel
    p.parent.mkdir(parents=True, exist_ok=True)
    if isinstance(text, str):
        text = (textwrap.dedent(text) if dedent else text).encode("utf-8")
    p.write_bytes(text)
    return p


def server_xml(body: str, features: Iterable[str] = (), *, declaration: bool = False) -> str:
    """A server.xml: an optional XML declaration, then <server> with a
    featureManager for ``features`` (none when empty) and ``body``
    (dedented, then indented by four blanks)."""
    fm = "".join(f"        <feature>{f}</feature>\n" for f in features)
    fm = f"    <featureManager>\n{fm}    </featureManager>\n" if fm else ""
    inner = textwrap.indent(textwrap.dedent(body).strip("\n"), "    ")
    head = '<?xml version="1.0" encoding="UTF-8"?>\n' if declaration else ""
    return f"{head}<server>\n{fm}{inner}\n</server>\n"


def range_of(x) -> tuple[int, int, int, int]:
    """A range, or the range of a finding or an edit, as (line, character,
    line, character)."""
    r = getattr(x, "range", x)
    return (r.start.line, r.start.character, r.end.line, r.end.character)


def apply_edits(text: str, edits) -> str:
    """``text`` with zcsec edits applied by their LSP ranges (0-based)."""
    index = LineIndex(text)
    spans = sorted(
        ((index.offset(e.range.start.line, e.range.start.character), index.offset(e.range.end.line, e.range.end.character), e.new_text) for e in edits),
        key=lambda s: (s[0], s[1]),
        reverse=True,
    )
    for a, b, new in spans:
        text = text[:a] + new + text[b:]
    return text


def apply_spans(text: str, edits) -> str:
    """``text`` with zcsec edits applied by their offsets."""
    for e in sorted(edits, key=lambda e: e.span[0], reverse=True):
        text = text[: e.span[0]] + e.new_text + text[e.span[1] :]
    return text


# ---------------------------------------------------------------------------
# End-to-end language server clients (tests/lsp)
# ---------------------------------------------------------------------------

SERVER = [sys.executable, "-m", "zcsec", "serve"]


def make_client(client_name: str, settings: dict | None = None):
    @pytest_lsp.fixture(config=ClientServerConfig(server_command=SERVER))
    async def fixture(lsp_client: LanguageClient, tmp_path):
        lsp_client.registrations = []

        @lsp_client.feature(lsp.CLIENT_REGISTER_CAPABILITY)
        def register(params: lsp.RegistrationParams):  # a real client accepts dynamic registrations
            lsp_client.registrations.extend(params.registrations)

        params = lsp.InitializeParams(
            capabilities=client_capabilities(client_name),
            workspace_folders=[lsp.WorkspaceFolder(uri=tmp_path.as_uri(), name="ws")],
            root_uri=tmp_path.as_uri(),
            initialization_options={"diagnosticsDelayMs": 0, **(settings or {})},
        )
        lsp_client.init_result = await lsp_client.initialize_session(params)
        lsp_client.root = tmp_path
        yield lsp_client
        await lsp_client.shutdown_session()

    return fixture


client = make_client("visual-studio-code")
neovim = make_client("neovim")
