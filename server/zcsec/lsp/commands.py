"""Workspace-wide requests: check every file of the workspace folders, and
the security posture of every connection (the VS Code posture view)."""

from __future__ import annotations

import asyncio

from lsprotocol import types as lsp

from . import lazy
from .convert import path_to_uri, to_diagnostic
from .server import ZcsecServer


async def check_workspace(ls: ZcsecServer, *args) -> int:
    """Check every file of the workspace folders and publish diagnostics for
    all of them, open or not; returns the number of findings."""
    loop = asyncio.get_running_loop()
    snapshots = await loop.run_in_executor(ls.thread_pool, ls.service.all_snapshots)
    total = 0
    for snap in snapshots:
        for f in snap.workspace.files():
            findings = snap.by_path.get(f.path, [])
            total += len(findings)
            uri = path_to_uri(f.path)
            doc = ls.open_document(uri)
            ls.text_document_publish_diagnostics(
                lsp.PublishDiagnosticsParams(uri=doc.uri if doc else uri, diagnostics=[to_diagnostic(x) for x in findings], version=doc.version if doc else None)
            )
            ls.published_elsewhere(doc.uri if doc else uri)
    return total


async def posture_request(ls: ZcsecServer, params) -> list[dict]:
    """The effective security posture of every connection in the workspace
    folders (used by the VS Code posture view)."""
    loop = asyncio.get_running_loop()

    def collect() -> list[dict]:
        rows = []
        for snap in ls.service.all_snapshots():
            ws = snap.workspace
            for cfg in ws.configs:
                for p in lazy.posture.postures(ws, cfg):
                    index = p.element.file.index
                    d = p.to_json()
                    rows.append(
                        {
                            "provider": d["provider"],
                            "providerName": p.provider_name,
                            "element": d["element"],
                            "id": d["id"],
                            "uri": path_to_uri(p.element.path),
                            "range": index.range(*p.element.element.name_span).to_json(),
                            "target": d["target"],
                            "transport": d["transport"],
                            "transportDetail": d["transportDetail"],
                            "tlsFloor": d["tlsFloor"],
                            "bind": d["bind"],
                            "linkUser": d["linkUser"],
                            "identity": d["identity"],
                            "identityDetail": d["identityDetail"],
                            "unknowns": d["unknowns"],
                            "caller": d["caller"],
                            "counterpart": p.cics.summary if p.cics is not None else None,
                            "summary": p.one_line(),
                            "strength": p.strength,
                            "weaknesses": p.weaknesses(),
                        }
                    )
        return rows

    return await loop.run_in_executor(ls.thread_pool, ls.service.read, collect)


def register(server: ZcsecServer) -> None:
    server.command("zcsec.server.checkWorkspace")(check_workspace)
    server.feature("zcsec/posture")(posture_request)
