"""A small, raw JSON-RPC client for driving ``zcsec serve`` as a real process.

Unlike pytest-lsp it can send anything at all: malformed parameters, broken
JSON, requests for methods that do not exist, notifications out of order.
It is used by the fuzz campaign (tests/fuzz/run.py) and by the hardening
tests.  It only ever talks to the child process over its stdin/stdout.
"""

from __future__ import annotations

import json
import os
import subprocess
import sys
import threading
import time
from pathlib import Path
from typing import Any, Callable

SERVER = [sys.executable, "-m", "zcsec", "serve"]


class ServerDied(Exception):
    pass


class NoAnswer(Exception):
    pass


class LspProcess:
    """``zcsec serve`` in a child process, with a reader thread that files
    every message it sends: responses by id, notifications in order.
    Requests from the server (registerCapability, configuration, ...) are
    answered at once with a null result."""

    def __init__(
        self,
        cwd: str | os.PathLike,
        *,
        command: list[str] | None = None,
        stderr_path: str | os.PathLike | None = None,
        env: dict[str, str] | None = None,
    ) -> None:
        self.stderr_path = Path(stderr_path) if stderr_path else Path(cwd) / "server-stderr.txt"
        self._stderr = open(self.stderr_path, "wb")  # noqa: SIM115 - closed in close()
        full_env = dict(os.environ)
        full_env.update(env or {})
        self.proc = subprocess.Popen(
            command or SERVER,
            stdin=subprocess.PIPE,
            stdout=subprocess.PIPE,
            stderr=self._stderr,
            cwd=str(cwd),
            env=full_env,
        )
        self._next_id = 0
        self._lock = threading.Lock()
        self._cond = threading.Condition()
        self.responses: dict[Any, dict] = {}
        self.notifications: list[dict] = []
        self.server_requests: list[dict] = []
        self.reader_error: BaseException | None = None
        self._reader = threading.Thread(target=self._read_loop, name="lsp-reader", daemon=True)
        self._reader.start()

    # -- transport ---------------------------------------------------------------
    def _read_loop(self) -> None:
        out = self.proc.stdout
        assert out is not None
        try:
            while True:
                length = None
                while True:
                    line = out.readline()
                    if not line:
                        return  # the process closed stdout
                    line = line.strip()
                    if not line:
                        break
                    name, _, value = line.partition(b":")
                    if name.strip().lower() == b"content-length":
                        length = int(value.strip())
                if length is None:
                    continue
                body = out.read(length)
                if len(body) < length:
                    return
                msg = json.loads(body.decode("utf-8"))
                self._dispatch(msg)
        except BaseException as exc:  # noqa: BLE001 - reported by the caller
            self.reader_error = exc
        finally:
            with self._cond:
                self._cond.notify_all()

    def _dispatch(self, msg: dict) -> None:
        if "method" in msg and "id" in msg:
            # A request from the server: accept it.
            self.server_requests.append(msg)
            result: Any = None
            if msg["method"] == "workspace/configuration":
                result = [None for _ in (msg.get("params") or {}).get("items", [])]
            self.send({"jsonrpc": "2.0", "id": msg["id"], "result": result})
            return
        with self._cond:
            if "id" in msg and "method" not in msg:
                self.responses[msg["id"]] = msg
            else:
                self.notifications.append(msg)
            self._cond.notify_all()

    def send_bytes(self, data: bytes) -> None:
        """Send raw bytes (a whole frame, or garbage)."""
        with self._lock:
            stdin = self.proc.stdin
            assert stdin is not None
            try:
                stdin.write(data)
                stdin.flush()
            except (BrokenPipeError, OSError) as exc:
                raise ServerDied(f"cannot write to the server: {exc}") from exc

    def send(self, msg: dict) -> None:
        # ensure_ascii: lone surrogates travel as \\udXXX escapes, as a client may send them.
        body = json.dumps(msg, ensure_ascii=True).encode("ascii")
        self.send_bytes(b"Content-Length: %d\r\n\r\n%s" % (len(body), body))

    # -- JSON-RPC ------------------------------------------------------------------
    def new_id(self) -> int:
        with self._lock:
            self._next_id += 1
            return self._next_id

    def notify(self, method: str, params: Any = None) -> None:
        msg: dict[str, Any] = {"jsonrpc": "2.0", "method": method}
        if params is not None:
            msg["params"] = params
        self.send(msg)

    def request_async(self, method: str, params: Any = None) -> int:
        msg_id = self.new_id()
        msg: dict[str, Any] = {"jsonrpc": "2.0", "id": msg_id, "method": method}
        if params is not None:
            msg["params"] = params
        self.send(msg)
        return msg_id

    def wait_response(self, msg_id: Any, timeout: float = 30.0) -> dict:
        deadline = time.monotonic() + timeout
        with self._cond:
            while msg_id not in self.responses:
                if self.proc.poll() is not None and self._reader_done():
                    raise ServerDied(f"the server exited with {self.proc.returncode} before answering request {msg_id}")
                left = deadline - time.monotonic()
                if left <= 0:
                    raise NoAnswer(f"no answer to request {msg_id} within {timeout} s")
                self._cond.wait(min(left, 0.5))
            return self.responses.pop(msg_id)

    def request(self, method: str, params: Any = None, timeout: float = 30.0) -> dict:
        """Send a request and wait for its response message (result or error)."""
        return self.wait_response(self.request_async(method, params), timeout)

    def wait_for(self, predicate: Callable[[dict], bool], timeout: float = 30.0, start: int = 0) -> dict:
        """The first notification (from index ``start``) that satisfies ``predicate``."""
        deadline = time.monotonic() + timeout
        i = start
        with self._cond:
            while True:
                while i < len(self.notifications):
                    if predicate(self.notifications[i]):
                        return self.notifications[i]
                    i += 1
                if self.proc.poll() is not None and self._reader_done():
                    raise ServerDied(f"the server exited with {self.proc.returncode}")
                left = deadline - time.monotonic()
                if left <= 0:
                    raise NoAnswer(f"no matching notification within {timeout} s")
                self._cond.wait(min(left, 0.5))

    def _reader_done(self) -> bool:
        return not self._reader.is_alive()

    # -- conveniences ------------------------------------------------------------------
    def initialize(self, root: Path, *, options: dict | None = None, capabilities: dict | None = None) -> dict:
        caps = capabilities if capabilities is not None else DEFAULT_CAPABILITIES
        resp = self.request(
            "initialize",
            {
                "processId": os.getpid(),
                "rootUri": root.as_uri(),
                "workspaceFolders": [{"uri": root.as_uri(), "name": "ws"}],
                "capabilities": caps,
                "initializationOptions": {"diagnosticsDelayMs": 0, **(options or {})},
            },
            timeout=60,
        )
        if "error" in resp:
            raise RuntimeError(f"initialize failed: {resp['error']}")
        self.notify("initialized", {})
        return resp

    def open(self, uri: str, text: str, version: int = 1, language: str = "xml") -> None:
        self.notify("textDocument/didOpen", {"textDocument": {"uri": uri, "languageId": language, "version": version, "text": text}})

    def change(self, uri: str, version: int, text: str | None = None, *, changes: list | None = None) -> None:
        content = changes if changes is not None else [{"text": text}]
        self.notify("textDocument/didChange", {"textDocument": {"uri": uri, "version": version}, "contentChanges": content})

    def close_document(self, uri: str) -> None:
        self.notify("textDocument/didClose", {"textDocument": {"uri": uri}})

    def diagnostics(self, uri: str) -> list[dict]:
        """Every publishDiagnostics for ``uri`` so far, in order."""
        with self._cond:
            return [n["params"] for n in self.notifications if n.get("method") == "textDocument/publishDiagnostics" and n["params"]["uri"] == uri]

    def log_messages(self) -> list[str]:
        with self._cond:
            return [n["params"]["message"] for n in self.notifications if n.get("method") in ("window/logMessage", "window/showMessage")]

    def alive(self) -> bool:
        return self.proc.poll() is None

    def stderr_text(self) -> str:
        try:
            if not self._stderr.closed:
                self._stderr.flush()
            return self.stderr_path.read_text(encoding="utf-8", errors="replace")
        except OSError:
            return ""

    def close(self, timeout: float = 10.0) -> int | None:
        """shutdown + exit, then make sure the process is gone."""
        try:
            if self.alive():
                try:
                    self.request("shutdown", None, timeout=timeout)
                    self.notify("exit")
                except (ServerDied, NoAnswer):
                    pass
            try:
                self.proc.wait(timeout=timeout)
            except subprocess.TimeoutExpired:
                self.proc.kill()
                self.proc.wait(timeout=timeout)
        finally:
            for stream in (self.proc.stdin, self.proc.stdout):
                try:
                    if stream is not None:
                        stream.close()
                except OSError:
                    pass
            self._stderr.close()
        return self.proc.returncode

    def __enter__(self) -> "LspProcess":
        return self

    def __exit__(self, *exc: object) -> None:
        self.close()


DEFAULT_CAPABILITIES: dict = {
    "general": {"positionEncodings": ["utf-16"]},
    "textDocument": {
        "synchronization": {"didSave": True},
        "publishDiagnostics": {"versionSupport": True, "relatedInformation": True},
        "completion": {"completionItem": {"snippetSupport": True, "documentationFormat": ["markdown", "plaintext"]}},
        "hover": {"contentFormat": ["markdown", "plaintext"]},
        "codeAction": {"codeActionLiteralSupport": {"codeActionKind": {"valueSet": ["quickfix"]}}},
    },
    "workspace": {"workspaceFolders": True, "configuration": False},
}
