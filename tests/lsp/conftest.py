"""End-to-end tests of the language server over stdio with pytest-lsp."""

from __future__ import annotations

import sys

import pytest_lsp
from lsprotocol import types as lsp
from pytest_lsp import ClientServerConfig, LanguageClient, client_capabilities

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
