"""A minimal JSON-RPC / LSP client over a subprocess's stdin and stdout.

Deliberately small and synchronous: one thread writes a message and then
reads frames (``Content-Length`` framing) until the one it waits for arrives,
timestamping each frame the moment its last byte has been read.  Nothing sits
between the pipe and the clock, so the latencies measured are the server's
plus one pipe round trip, not a client framework's.
"""

from __future__ import annotations

import json
import os
import select
import subprocess
import time
from typing import Any, Callable

# What a VS Code client announces where it matters to zcsec: versioned
# push diagnostics and no pull diagnostics (textDocument.diagnostic is absent,
# so the server publishes), UTF-16 positions, markdown, snippets.  No
# workspace/configuration and no dynamic registrations: the server sends the
# client no requests of its own during the run.
CAPABILITIES: dict[str, Any] = {
    "general": {"positionEncodings": ["utf-16"], "markdown": {"parser": "marked", "version": "1.1.0"}},
    "window": {"workDoneProgress": True},
    "workspace": {"workspaceFolders": True, "applyEdit": True},
    "textDocument": {
        "synchronization": {"dynamicRegistration": False, "didSave": True, "willSave": False},
        "publishDiagnostics": {
            "relatedInformation": True,
            "versionSupport": True,
            "tagSupport": {"valueSet": [1, 2]},
            "codeDescriptionSupport": True,
            "dataSupport": True,
        },
        "completion": {
            "contextSupport": True,
            "completionItem": {
                "snippetSupport": True,
                "documentationFormat": ["markdown", "plaintext"],
                "insertReplaceSupport": True,
                "deprecatedSupport": True,
                "tagSupport": {"valueSet": [1]},
                "insertTextModeSupport": {"valueSet": [1, 2]},
            },
        },
        "hover": {"contentFormat": ["markdown", "plaintext"]},
    },
}


class ServerExited(Exception):
    pass


class LspClient:
    def __init__(self, cmd: list[str], *, cwd: str | None = None, env: dict[str, str] | None = None, stderr_path: str | None = None) -> None:
        self._stderr = open(stderr_path or os.devnull, "wb")
        self.t_start = time.perf_counter()
        self.proc = subprocess.Popen(cmd, stdin=subprocess.PIPE, stdout=subprocess.PIPE, stderr=self._stderr, cwd=cwd, env=env, bufsize=0)
        self._out = self.proc.stdout.fileno()
        self._buf = bytearray()
        self._next_id = 0
        self.backlog: list[tuple[float, dict]] = []  # frames read while waiting for another

    @property
    def pid(self) -> int:
        return self.proc.pid

    # -- writing ------------------------------------------------------------
    def _write(self, msg: dict) -> float:
        body = json.dumps(msg, separators=(",", ":")).encode("utf-8")
        data = b"Content-Length: %d\r\n\r\n" % len(body) + body
        t = time.perf_counter()
        view = memoryview(data)
        while view:
            n = os.write(self.proc.stdin.fileno(), view)
            view = view[n:]
        return t

    def notify(self, method: str, params: Any) -> float:
        """Send a notification; returns the time just before the first byte was written."""
        return self._write({"jsonrpc": "2.0", "method": method, "params": params})

    def request(self, method: str, params: Any) -> tuple[int, float]:
        self._next_id += 1
        rid = self._next_id
        return rid, self._write({"jsonrpc": "2.0", "id": rid, "method": method, "params": params})

    # -- reading ------------------------------------------------------------
    def _frame(self, timeout: float) -> tuple[float, dict]:
        deadline = time.perf_counter() + timeout
        while True:
            end = self._buf.find(b"\r\n\r\n")
            if end >= 0:
                length = None
                for line in bytes(self._buf[:end]).split(b"\r\n"):
                    name, _, value = line.partition(b":")
                    if name.strip().lower() == b"content-length":
                        length = int(value)
                if length is None:
                    raise ValueError(f"frame without Content-Length: {bytes(self._buf[:end])!r}")
                if len(self._buf) >= end + 4 + length:
                    t = time.perf_counter()
                    body = bytes(self._buf[end + 4 : end + 4 + length])
                    del self._buf[: end + 4 + length]
                    return t, json.loads(body)
            left = deadline - time.perf_counter()
            if left <= 0:
                raise TimeoutError("no message from the server in time")
            ready, _, _ = select.select([self._out], [], [], left)
            if not ready:
                continue
            chunk = os.read(self._out, 1 << 20)
            if not chunk:
                raise ServerExited(f"server exited with {self.proc.wait()}")
            self._buf += chunk

    def wait_for(self, match: Callable[[dict], bool], timeout: float = 120.0) -> tuple[float, dict]:
        """Read until a message ``match``es; returns (time it was complete, message).
        Requests from the server are answered with null on the way."""
        for i, (t, msg) in enumerate(self.backlog):
            if match(msg):
                del self.backlog[i]
                return t, msg
        deadline = time.perf_counter() + timeout
        while True:
            t, msg = self._frame(max(0.001, deadline - time.perf_counter()))
            if "method" in msg and "id" in msg:  # a request from the server
                self._write({"jsonrpc": "2.0", "id": msg["id"], "result": None})
                continue
            if match(msg):
                return t, msg
            if msg.get("method") not in ("window/logMessage", "$/progress", "window/showMessage"):
                self.backlog.append((t, msg))
                del self.backlog[:-200]

    def response(self, rid: int, timeout: float = 120.0) -> tuple[float, dict]:
        t, msg = self.wait_for(lambda m: m.get("id") == rid and "method" not in m, timeout)
        if "error" in msg:
            raise RuntimeError(f"request {rid} failed: {msg['error']}")
        return t, msg

    def call(self, method: str, params: Any, timeout: float = 120.0) -> tuple[float, Any]:
        """Request and answer; returns (latency in seconds, result)."""
        rid, t0 = self.request(method, params)
        t1, msg = self.response(rid, timeout)
        return t1 - t0, msg.get("result")

    def diagnostics(self, uri: str, version: int | None = None, timeout: float = 600.0) -> tuple[float, dict]:
        """Wait for publishDiagnostics of ``uri`` (with ``version`` when given)."""

        def match(m: dict) -> bool:
            if m.get("method") != "textDocument/publishDiagnostics":
                return False
            p = m["params"]
            return p["uri"] == uri and (version is None or p.get("version") == version)

        return self.wait_for(match, timeout)

    # -- lifecycle ------------------------------------------------------------
    def initialize(self, root: str | None, options: dict | None = None) -> tuple[int, float]:
        params: dict[str, Any] = {
            "processId": os.getpid(),
            "clientInfo": {"name": "zcsec-bench", "version": "1"},
            "capabilities": CAPABILITIES,
            "initializationOptions": options or {},
        }
        if root is not None:
            uri = file_uri(root)
            params.update(rootUri=uri, rootPath=root, workspaceFolders=[{"uri": uri, "name": os.path.basename(root)}])
        else:
            params.update(rootUri=None, workspaceFolders=None)
        return self.request("initialize", params)

    def rss_kb(self) -> int:
        """Resident memory of the server (VmRSS), in KiB."""
        with open(f"/proc/{self.proc.pid}/status") as fh:
            for line in fh:
                if line.startswith("VmRSS:"):
                    return int(line.split()[1])
        return -1

    def hwm_kb(self) -> int:
        with open(f"/proc/{self.proc.pid}/status") as fh:
            for line in fh:
                if line.startswith("VmHWM:"):
                    return int(line.split()[1])
        return -1

    def close(self, timeout: float = 10.0) -> None:
        try:
            if self.proc.poll() is None:
                rid, _ = self.request("shutdown", None)
                self.response(rid, timeout)
                self.notify("exit", None)
                self.proc.wait(timeout)
        except Exception:  # noqa: BLE001 - a benchmark must not hang on a stuck server
            pass
        finally:
            if self.proc.poll() is None:
                self.proc.kill()
                self.proc.wait()
            for f in (self.proc.stdin, self.proc.stdout):
                try:
                    f.close()
                except Exception:  # noqa: BLE001
                    pass
            self._stderr.close()


def file_uri(path: str) -> str:
    from pathlib import Path

    return Path(path).as_uri()
