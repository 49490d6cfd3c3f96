"""Fuzz campaign against the zcsec language server, run as a real process.

    python -m tests.fuzz.run --seconds 600 [--seed N] [--crash-dir DIR]

Seeds are the example workspaces (examples/) and the configurations in
tests/fuzz/corpus/.  Each session starts ``zcsec serve`` in a scratch copy
of them, then, for a number of rounds, sends mutated documents through
didOpen/didChange (full and incremental, versions sometimes out of order),
writes mutated files to disk behind the server's back, and fires random
hover, completion, definition, references, symbol, link, code action,
rename and pull-diagnostic requests at random (also impossible) positions,
cancelling some of them.  A few messages are malformed on purpose.

A session fails when the server exits, leaves a request unanswered, answers
a well-formed request with an internal error, logs an internal error, or
ends with diagnostics that are not for the last version of a document.
Every failing session is written to the crash folder (default
tests/fuzz/crashes/) as the exact list of messages sent, with the
workspace folder abstracted; tests/hardening/test_fuzz_regressions.py
replays every file there.

Everything is deterministic for a given seed (``--seed``, else the
ZCSEC_FUZZ_SEED environment variable, else 20240601), apart from timing.
The only traffic is to the child process's stdin/stdout.
"""

from __future__ import annotations

import argparse
import base64
import hashlib
import json
import os
import random
import shutil
import sys
import tempfile
import time
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

from zcsec.sources import has_server_root

from .lspclient import LspProcess, NoAnswer, ServerDied

ROOT = Path(__file__).resolve().parents[2]
HERE = Path(__file__).resolve().parent
CORPUS = HERE / "corpus"
CRASHES = HERE / "crashes"
EXAMPLES = ROOT / "examples"
DEFAULT_SEED = 20240601
ROOT_URI_MARK = "@@ROOT_URI@@"
ROOT_PATH_MARK = "@@ROOT_PATH@@"
MAX_DOC = 256 * 1024  # characters; mutations never grow a document past this
REQUEST_TIMEOUT = 30.0  # seconds for any one answer (a hang is a failure)

# Fragments that the parsers, the rules and the LSP layer treat specially.
TOKENS = [
    b"<", b">", b"/>", b"</", b"<!--", b"-->", b"<![CDATA[", b"]]>", b"<?xml version='1.0'?>",
    b'<!DOCTYPE server [<!ENTITY x SYSTEM "file:///etc/passwd">]>',
    b'<!DOCTYPE server SYSTEM "http://127.0.0.1:9/server.dtd">',
    b"<!ENTITY a \"&a;&a;\">", b"&x;", b"&", b"&amp;", b"&#0;", b"&#x110000;", b"&#99999999999999999999;",
    b'"', b"'", b"=", b" ", b"\t", b"\r", b"\n", b"\r\n", b"\x00", b"\xff", b"\xc3", b"\xef\xbb\xbf",
    b"\xf0\x9f\x94\x92", b"\xed\xa0\x80",
    b"${", b"}", b"${server.config.dir}", b"${env.X}", b'<variable name="v" value="${v}${v}"/>',
    b'<include location="server.xml"/>', b'<include location="../../../../etc/hostname"/>',
    b'<include location="/dev/zero"/>', b'<include location="http://127.0.0.1:9/x.xml"/>',
    b'<include location="missing.xml"/>', b'<include location="."/>',
    b"<server>", b"</server>", b'<ssl id="s" keyStoreRef="k"/>', b'<authData id="a" user="u" password="p"/>',
    b'password="{xor}"', b'password="{aes}"', b'password="{hash}"',
    b"zcsec-disable-next-line", b"<!-- zcsec-disable-next-line all -->", b"* zcsec-disable-next-line all\n",
    b"DEFINE ", b"DEF ", b"ALTER ", b"IPCONN(", b"TCPIPSERVICE(", b"GROUP(", b"(", b")", b"((", b"))", b"*",
    b"USERAUTH(VERIFY)", b"SSL(CLIENTAUTH)", b"PORTNUMBER(", b"LINKAUTH(CERTUSER)",
    b" " * 71 + b"*", b"00001000", b"//SYSIN DD *\n", b"//STEP EXEC PGM=DFHCSDUP\n", b"/*\n",
]
SUFFIXES = [".xml", ".xml", ".xml", ".csd", ".jcl", ".txt", ""]
REQUEST_METHODS = [
    "textDocument/hover",
    "textDocument/hover",
    "textDocument/completion",
    "textDocument/completion",
    "textDocument/definition",
    "textDocument/references",
    "textDocument/documentSymbol",
    "textDocument/documentLink",
    "textDocument/codeAction",
    "textDocument/codeAction",
    "textDocument/prepareRename",
    "textDocument/rename",
    "textDocument/diagnostic",
]


# ---------------------------------------------------------------------------
# Mutations
# ---------------------------------------------------------------------------


def seed_files() -> list[Path]:
    files = []
    for base in (EXAMPLES, CORPUS):
        for p in sorted(base.rglob("*")):
            if p.is_file() and p.suffix.lower() in (".xml", ".csd", ".jcl", ".properties", ".env") and p.stat().st_size < MAX_DOC:
                files.append(p)
    return files


def mutate(rng: random.Random, data: bytes, pool: list[bytes]) -> bytes:
    """One to five random edits of ``data``."""
    for _ in range(rng.randint(1, 5)):
        n = len(data)
        op = rng.randrange(12)
        pos = rng.randint(0, n)
        if op == 0 and n:  # flip a byte
            i = rng.randrange(n)
            data = data[:i] + bytes([data[i] ^ (1 << rng.randrange(8))]) + data[i + 1 :]
        elif op == 1:  # random bytes
            data = data[:pos] + bytes(rng.randrange(256) for _ in range(rng.randint(1, 8))) + data[pos:]
        elif op == 2 and n:  # delete a range
            end = min(n, pos + rng.randint(1, 64))
            data = data[:pos] + data[end:]
        elif op == 3 and n:  # duplicate a range, sometimes many times
            start = rng.randrange(n)
            chunk = data[start : start + rng.randint(1, 200)]
            data = data[:pos] + chunk * rng.choice((1, 1, 2, 10, 100)) + data[pos:]
        elif op == 4:  # truncate
            data = data[:pos]
        elif op == 5 and pool:  # splice from another seed
            other = rng.choice(pool)
            if other:
                a = rng.randrange(len(other))
                data = data[:pos] + other[a : a + rng.randint(1, 400)] + data[pos:]
        elif op in (6, 7):  # an interesting token
            data = data[:pos] + rng.choice(TOKENS) + data[pos:]
        elif op == 8:  # line endings
            data = data.replace(b"\r\n", b"\n").replace(b"\n", rng.choice((b"\r\n", b"\r", b"\n")))
        elif op == 9 and n:  # swap quotes and brackets
            table = bytes.maketrans(b"\"'<>()", rng.choice((b"'\"<>()", b"\"'><)(", b"\"'  ()", b"\"\"<>((")))
            start = rng.randrange(n)
            end = min(n, start + rng.randint(1, 300))
            data = data[:start] + data[start:end].translate(table) + data[end:]
        elif op == 10 and n:  # move a range
            start = rng.randrange(n)
            end = min(n, start + rng.randint(1, 300))
            chunk, rest = data[start:end], data[:start] + data[end:]
            at = rng.randint(0, len(rest))
            data = rest[:at] + chunk + rest[at:]
        elif op == 11:  # a long line
            data = data[:pos] + rng.choice((b"A", b"<a>", b"&", b"(", b"x ")) * rng.choice((100, 1000, 10000)) + data[pos:]
    return data[: MAX_DOC * 2]


def to_text(rng: random.Random, data: bytes) -> str:
    """What an editor could send for these bytes (sometimes with lone surrogates)."""
    how = rng.random()
    if how < 0.8:
        text = data.decode("utf-8", errors="replace")
    elif how < 0.9:
        text = data.decode("utf-8", errors="surrogateescape")
    else:
        text = data.decode("latin-1")
    return text[:MAX_DOC]


# ---------------------------------------------------------------------------
# Sessions
# ---------------------------------------------------------------------------


@dataclass
class Doc:
    uri: str
    text: str
    version: int
    full: bool = True  # the last change replaced the whole text (so ``text`` is exact)
    last_sent_version: int = 1


@dataclass
class Failure:
    kind: str  # died, hang, internal-error, error-log, stale-diagnostics, bad-range
    detail: str


@dataclass
class Session:
    rng: random.Random
    root: Path
    server: LspProcess
    seeds: list[tuple[Path, bytes]]
    log: list[dict] = field(default_factory=list)  # everything sent, in order
    docs: dict[str, Doc] = field(default_factory=dict)
    pending: dict[int, tuple[str, bool]] = field(default_factory=dict)  # id -> (method, malformed)
    failures: list[Failure] = field(default_factory=list)
    counter: int = 0

    # -- sending (and recording) ---------------------------------------------------
    def send(self, msg: dict) -> None:
        self.log.append({"send": msg})
        self.server.send(msg)

    def send_raw(self, data: bytes) -> None:
        self.log.append({"raw": base64.b64encode(data).decode("ascii")})
        self.server.send_bytes(data)

    def notify(self, method: str, params: Any) -> None:
        self.send({"jsonrpc": "2.0", "method": method, "params": params})

    def request(self, method: str, params: Any, malformed: bool = False) -> int:
        msg_id = self.server.new_id()
        self.send({"jsonrpc": "2.0", "id": msg_id, "method": method, "params": params})
        self.pending[msg_id] = (method, malformed)
        return msg_id

    def write_file(self, rel: str, data: bytes) -> None:
        self.log.append({"write": rel, "data": base64.b64encode(data).decode("ascii")})
        target = self.root / rel
        target.parent.mkdir(parents=True, exist_ok=True)
        target.write_bytes(data)

    # -- actions ---------------------------------------------------------------------
    def new_uri(self) -> str:
        self.counter += 1
        folder = self.rng.choice([p.name for p in sorted(self.root.iterdir()) if p.is_dir()] + ["scratch"])
        return (self.root / folder / f"fuzz{self.counter}{self.rng.choice(SUFFIXES)}").as_uri()

    def mutated(self) -> bytes:
        path, data = self.rng.choice(self.seeds)
        return mutate(self.rng, data, [d for _, d in self.seeds])

    def open_doc(self) -> None:
        uri = self.new_uri()
        text = to_text(self.rng, self.mutated())
        self.docs[uri] = Doc(uri, text, 1)
        self.notify("textDocument/didOpen", {"textDocument": {"uri": uri, "languageId": "xml" if uri.endswith(".xml") else "plaintext", "version": 1, "text": text}})

    def change_doc(self) -> None:
        doc = self.rng.choice(list(self.docs.values()))
        version = doc.version + 1 if self.rng.random() < 0.9 else self.rng.randint(0, doc.version)  # sometimes out of order
        doc.version = max(doc.version, version)
        if self.rng.random() < 0.5:
            base = doc.text.encode("utf-8", errors="surrogatepass")
            text = to_text(self.rng, mutate(self.rng, base, [d for _, d in self.seeds]))
            doc.text, doc.full = text, True
            changes = [{"text": text}]
        else:
            changes = []
            for _ in range(self.rng.randint(1, 4)):
                changes.append({"range": self.random_range(doc), "text": to_text(self.rng, self.rng.choice(TOKENS))})
            doc.full = False
        doc.last_sent_version = version
        self.notify("textDocument/didChange", {"textDocument": {"uri": doc.uri, "version": version}, "contentChanges": changes})

    def burst(self) -> None:
        """Many quick full changes of one document."""
        doc = self.rng.choice(list(self.docs.values()))
        base = doc.text.encode("utf-8", errors="surrogatepass")
        for _ in range(self.rng.randint(5, 40)):
            doc.version += 1
            text = to_text(self.rng, mutate(self.rng, base, []))
            doc.text, doc.full, doc.last_sent_version = text, True, doc.version
            self.notify("textDocument/didChange", {"textDocument": {"uri": doc.uri, "version": doc.version}, "contentChanges": [{"text": text}]})

    def close_doc(self) -> None:
        doc = self.docs.pop(self.rng.choice(list(self.docs)))
        self.notify("textDocument/didClose", {"textDocument": {"uri": doc.uri}})

    def disk_change(self) -> None:
        folder = self.rng.choice([p.name for p in sorted(self.root.iterdir()) if p.is_dir()])
        rel = f"{folder}/disk{self.rng.randrange(4)}{self.rng.choice(SUFFIXES)}"
        self.write_file(rel, self.mutated())
        self.notify("workspace/didChangeWatchedFiles", {"changes": [{"uri": (self.root / rel).as_uri(), "type": 2}]})

    def random_position(self, doc: Doc | None) -> dict:
        r = self.rng.random()
        if doc is None or r < 0.1:
            return {"line": self.rng.choice((0, 1, 10**6, 2**31 - 1)), "character": self.rng.choice((0, 5, 10**6, 2**31 - 1))}
        lines = doc.text.split("\n")
        line = self.rng.randrange(len(lines) + 2)
        length = len(lines[line]) if line < len(lines) else 0
        return {"line": line, "character": self.rng.randint(0, length + 3)}

    def random_range(self, doc: Doc) -> dict:
        a, b = self.random_position(doc), self.random_position(doc)
        if (b["line"], b["character"]) < (a["line"], a["character"]) and self.rng.random() < 0.9:
            a, b = b, a
        return {"start": a, "end": b}

    def random_request(self) -> None:
        method = self.rng.choice(REQUEST_METHODS)
        if self.docs and self.rng.random() < 0.9:
            doc = self.rng.choice(list(self.docs.values()))
            uri = doc.uri
        else:
            doc = None
            uri = self.rng.choice([(self.root / "nowhere.xml").as_uri(), "untitled:Untitled-1", "file:///", (self.root / "scratch" / "closed.xml").as_uri()])
        td = {"uri": uri}
        pos = self.random_position(doc)
        if method in ("textDocument/documentSymbol", "textDocument/documentLink", "textDocument/diagnostic"):
            params: dict = {"textDocument": td}
        elif method == "textDocument/references":
            params = {"textDocument": td, "position": pos, "context": {"includeDeclaration": self.rng.random() < 0.5}}
        elif method == "textDocument/rename":
            params = {"textDocument": td, "position": pos, "newName": self.rng.choice(["newId", "", "a b", "x" * 300, "<&>"])}
        elif method == "textDocument/codeAction":
            params = {"textDocument": td, "range": self.random_range(doc) if doc else {"start": pos, "end": pos}, "context": {"diagnostics": self.diagnostics_for(uri)}}
        elif method == "textDocument/completion":
            params = {"textDocument": td, "position": pos}
            if self.rng.random() < 0.5:
                params["context"] = {"triggerKind": 2, "triggerCharacter": self.rng.choice(["<", " ", '"', "{", "(", ":"])}
        else:
            params = {"textDocument": td, "position": pos}
        msg_id = self.request(method, params)
        if self.rng.random() < 0.15:
            self.notify("$/cancelRequest", {"id": msg_id})

    def diagnostics_for(self, uri: str) -> list:
        published = self.server.diagnostics(uri)
        diags = list(published[-1]["diagnostics"]) if published else []
        self.rng.shuffle(diags)
        diags = diags[: self.rng.randint(0, 5)]
        if self.rng.random() < 0.2:  # a diagnostic the client made up (or garbled)
            diags.append({"range": {"start": {"line": 0, "character": 0}, "end": {"line": 10**6, "character": 3}}, "message": "m", "source": "zcsec", "code": self.rng.choice(["xml-syntax", "csd-syntax", "no such code", 7]), "data": self.rng.choice([None, {"fixes": "x"}, {"fixes": [{"title": "t", "edits": [{"uri": uri, "range": None, "newText": 3}]}]}])})
        return diags

    def open_many(self) -> None:
        """Several documents at once, as an editor restoring its tabs does."""
        for _ in range(self.rng.randint(3, 12)):
            self.open_doc()

    def malformed(self) -> None:
        choice = self.rng.randrange(8)
        uri = next(iter(self.docs), (self.root / "x.xml").as_uri())
        if choice == 0:
            self.request("textDocument/hover", {"textDocument": {"uri": uri}, "position": {"line": -1, "character": "x"}}, malformed=True)
        elif choice == 1:
            self.request("textDocument/completion", [1, 2, 3], malformed=True)
        elif choice == 2:
            self.request("textDocument/codeAction", {"textDocument": {"uri": uri}}, malformed=True)
        elif choice == 3:
            self.notify("textDocument/didChange", {"textDocument": {"uri": uri}, "contentChanges": "nope"})
        elif choice == 4:
            self.request("zcsec/noSuchMethod", {}, malformed=True)
        elif choice == 5:  # a change to a document that was never opened (or is closed)
            self.counter += 1
            self.notify("textDocument/didChange", {"textDocument": {"uri": (self.root / "scratch" / f"never{self.counter}.xml").as_uri(), "version": 2}, "contentChanges": [{"text": "<server/>"}]})
        elif choice == 6:  # a close of a document that is not open
            self.notify("textDocument/didClose", {"textDocument": {"uri": (self.root / "scratch" / "not-open.xml").as_uri()}})
        else:
            self.send_raw(b"Content-Length: 9\r\n\r\n{\"jsonrpc")

    # -- checking ----------------------------------------------------------------------
    def collect(self) -> None:
        """Wait for every pending answer; note failures."""
        for msg_id, (method, malformed) in list(self.pending.items()):
            try:
                resp = self.server.wait_response(msg_id, REQUEST_TIMEOUT)
            except ServerDied as exc:
                self.failures.append(Failure("died", f"{exc} (while waiting for {method})"))
                return
            except NoAnswer:
                self.failures.append(Failure("hang", f"no answer to {method} (id {msg_id}) within {REQUEST_TIMEOUT} s"))
                return
            finally:
                self.pending.pop(msg_id, None)
            err = resp.get("error")
            if err and not malformed and err.get("code") not in (-32800, -32602):
                # -32800: cancelled; -32602: e.g. an invalid new name for rename.
                self.failures.append(Failure("internal-error", f"{method}: {json.dumps(err)[:2000]}"))

    def check_logs(self, start: int) -> None:
        for n in self.server.notifications[start:]:
            if n.get("method") == "window/logMessage" and n["params"].get("type") == 1:
                self.failures.append(Failure("error-log", n["params"]["message"][:4000]))

    def _up_to_date(self) -> bool:
        for doc in self.docs.values():
            published = self.server.diagnostics(doc.uri)
            if published and published[-1].get("version") != doc.last_sent_version:
                return False
        return True

    def check_final_diagnostics(self) -> None:
        """After the server has gone quiet, the last diagnostics published for
        each open document are for the last version sent, and (when the
        client knows the exact text) lie inside the document."""
        last_count, quiet_since = -1, time.monotonic()
        deadline = time.monotonic() + 20
        while time.monotonic() < deadline:
            count = len(self.server.notifications)
            if count != last_count:
                last_count, quiet_since = count, time.monotonic()
            elif time.monotonic() - quiet_since > (1.0 if self._up_to_date() else 5.0):
                # A quiet second is enough once every document has diagnostics of
                # its last version; otherwise an analysis may still be running (a
                # busy machine, a full collection), so wait longer before judging.
                break
            time.sleep(0.1)
        for doc in self.docs.values():
            published = self.server.diagnostics(doc.uri)
            if not published:
                # Only a document that is not Liberty configuration (an XML file
                # without a <server> root) may go without diagnostics.
                if doc.full and (not doc.uri.endswith(".xml") or has_server_root(doc.text)):
                    self.failures.append(Failure("missing-diagnostics", f"{doc.uri}: no diagnostics were ever published (version {doc.last_sent_version})"))
                continue
            last = published[-1]
            if last.get("version") != doc.last_sent_version:
                self.failures.append(Failure("stale-diagnostics", f"{doc.uri}: last diagnostics are for version {last.get('version')}, the last change was version {doc.last_sent_version}"))
                continue
            if doc.full:
                lines = doc.text.replace("\r\n", "\n").replace("\r", "\n").split("\n")
                for d in last["diagnostics"]:
                    for end in ("start", "end"):
                        p = d["range"][end]
                        if p["line"] >= len(lines) or p["character"] > _utf16(lines[p["line"]]):
                            self.failures.append(Failure("bad-range", f"{doc.uri}: {d['code']} at {d['range']} is outside the document ({len(lines)} lines)"))
                            break

    def final_request(self) -> None:
        uri = next(iter(self.docs), (self.root / "scratch" / "final.xml").as_uri())
        try:
            resp = self.server.request("textDocument/hover", {"textDocument": {"uri": uri}, "position": {"line": 0, "character": 0}}, timeout=REQUEST_TIMEOUT)
            if "error" in resp:
                self.failures.append(Failure("internal-error", f"final hover: {resp['error']}"))
        except ServerDied as exc:
            self.failures.append(Failure("died", str(exc)))
        except NoAnswer as exc:
            self.failures.append(Failure("hang", f"final request: {exc}"))


def _utf16(s: str) -> int:
    return len(s) + sum(1 for ch in s if ord(ch) > 0xFFFF)


def make_workspace(root: Path) -> None:
    """A scratch workspace: every example and the corpus, each in its own folder."""
    for ex in sorted(EXAMPLES.iterdir()):
        if ex.is_dir():
            shutil.copytree(ex, root / ex.name)
    shutil.copytree(CORPUS, root / "corpus")
    (root / "corpus" / ".zcsec.toml").write_text("")
    (root / "scratch").mkdir()


def run_session(rng: random.Random, seeds: list[tuple[Path, bytes]], rounds: int, work: Path) -> tuple[list[Failure], list[dict], Path]:
    root = Path(tempfile.mkdtemp(prefix="ws-", dir=work))
    make_workspace(root)
    server = LspProcess(root, stderr_path=work / f"{root.name}-stderr.txt")
    session = Session(rng, root, server, seeds)
    try:
        try:
            server.initialize(root)
        except (ServerDied, NoAnswer, RuntimeError) as exc:
            return [Failure("died", f"initialize: {exc}")], session.log, root
        session.log.append({"initialized": True})
        for _ in range(rounds):
            start = len(server.notifications)
            actions = rng.randint(1, 8)
            for _ in range(actions):
                r = rng.random()
                if not session.docs or r < 0.13:
                    session.open_doc()
                elif r < 0.15:
                    session.open_many()
                elif r < 0.40:
                    session.change_doc()
                elif r < 0.45:
                    session.burst()
                elif r < 0.50:
                    session.close_doc()
                elif r < 0.55:
                    session.disk_change()
                elif r < 0.58:
                    session.malformed()
                else:
                    session.random_request()
            session.collect()
            session.check_logs(start)
            if session.failures or not server.alive():
                break
        if not session.failures:
            session.check_final_diagnostics()
            session.final_request()
            session.check_logs(0)
        if not server.alive() and not any(f.kind == "died" for f in session.failures):
            session.failures.append(Failure("died", f"the server exited with {server.proc.returncode}"))
    finally:
        server.close()
        if session.failures:
            tail = server.stderr_text()[-4000:]
            if tail:
                session.failures.append(Failure("stderr", tail))
    return session.failures, session.log, root


def save_crash(crash_dir: Path, seed: int, session_no: int, failures: list[Failure], log: list[dict], root: Path) -> Path:
    crash_dir.mkdir(parents=True, exist_ok=True)
    text = json.dumps(log, ensure_ascii=True)
    text = text.replace(root.as_uri(), ROOT_URI_MARK).replace(json.dumps(str(root))[1:-1], ROOT_PATH_MARK)
    digest = hashlib.sha256(text.encode()).hexdigest()[:12]
    record = {
        "found": time.strftime("%Y-%m-%d"),
        "seed": seed,
        "session": session_no,
        "failures": [{"kind": f.kind, "detail": f.detail[-1500:]} for f in failures],
        "messages": json.loads(text),
    }
    path = crash_dir / f"crash-{failures[0].kind}-{digest}.json"
    path.write_text(json.dumps(record, indent=1, ensure_ascii=True) + "\n")
    return path


def campaign(seconds: float, seed: int, crash_dir: Path | None = CRASHES, rounds: int = 20, verbose: bool = True, max_sessions: int | None = None) -> list[tuple[Path | None, list[Failure]]]:
    """Run sessions until ``seconds`` have passed; return the failing ones
    (with the file each was saved to)."""
    rng = random.Random(seed)
    seeds = [(p, p.read_bytes()) for p in seed_files()]
    found: list[tuple[Path | None, list[Failure]]] = []
    deadline = time.monotonic() + seconds
    work = Path(tempfile.mkdtemp(prefix="zcsec-fuzz-"))
    sessions = 0
    try:
        while time.monotonic() < deadline and (max_sessions is None or sessions < max_sessions):
            sessions += 1
            session_rng = random.Random(rng.getrandbits(64))
            failures, log, root = run_session(session_rng, seeds, rounds, work)
            if failures:
                path = save_crash(crash_dir, seed, sessions, failures, log, root) if crash_dir is not None else None
                found.append((path, failures))
                if verbose:
                    print(f"session {sessions}: {failures[0].kind}: {failures[0].detail[:300]} -> {path}", flush=True)
            elif verbose:
                print(f"session {sessions}: ok ({len(log)} messages)", flush=True)
            shutil.rmtree(root, ignore_errors=True)
    finally:
        shutil.rmtree(work, ignore_errors=True)
    if verbose:
        print(f"{sessions} sessions in {seconds:.0f} s, seed {seed}: {len(found)} failing", flush=True)
    return found


# ---------------------------------------------------------------------------
# Replay (used by the regression tests)
# ---------------------------------------------------------------------------


def replay(record: dict, work: Path, timeout: float = REQUEST_TIMEOUT, env: dict[str, str] | None = None) -> list[str]:
    """Send a saved session again to a fresh server; return what went wrong
    (empty when the server survived, answered everything and logged no
    internal error)."""
    root = work / "ws"
    root.mkdir(parents=True, exist_ok=True)
    make_workspace(root)
    problems: list[str] = []
    root_uri, root_path = root.as_uri(), json.dumps(str(root))[1:-1]

    def fill(obj: Any) -> Any:
        text = json.dumps(obj, ensure_ascii=True).replace(ROOT_URI_MARK, root_uri).replace(ROOT_PATH_MARK, root_path)
        return json.loads(text)

    server = LspProcess(root, stderr_path=work / "stderr.txt", env=env)
    try:
        server.initialize(root)
        ids: list[tuple[Any, str]] = []
        for entry in record["messages"]:
            if "send" in entry:
                msg = fill(entry["send"])
                if "id" in msg and "method" in msg:
                    # Keep the recorded ids ($/cancelRequest names them); later ones
                    # from this client come after them.
                    ids.append((msg["id"], msg["method"]))
                    if isinstance(msg["id"], int):
                        server._next_id = max(server._next_id, msg["id"])
                server.send(msg)
            elif "raw" in entry:
                server.send_bytes(base64.b64decode(entry["raw"]))
            elif "write" in entry:
                target = root / entry["write"]
                target.parent.mkdir(parents=True, exist_ok=True)
                target.write_bytes(base64.b64decode(entry["data"]))
        for msg_id, method in ids:
            try:
                server.wait_response(msg_id, timeout)
            except (ServerDied, NoAnswer) as exc:
                problems.append(f"{method}: {exc}")
                break
        if server.alive():
            try:
                resp = server.request("textDocument/hover", {"textDocument": {"uri": (root / "scratch" / "final.xml").as_uri()}, "position": {"line": 0, "character": 0}}, timeout=timeout)
                if "error" in resp:
                    problems.append(f"final request answered with {resp['error']}")
            except (ServerDied, NoAnswer) as exc:
                problems.append(f"final request: {exc}")
        else:
            problems.append(f"the server exited with {server.proc.returncode}")
        for message in server.log_messages():
            if "internal error" in message or "failed" in message:
                problems.append(f"logged: {message[:2000]}")
    finally:
        server.close()
    return problems


def minimize(record: dict, timeout: float = 5.0, env: dict[str, str] | None = None, verbose: bool = True) -> dict:
    """Drop messages from a saved session while its replay still fails
    (delta debugging over the message list).  ``env`` lets the replay run
    an older zcsec (PYTHONPATH) to shrink a crash that is already fixed."""

    def fails(messages: list[dict]) -> bool:
        with tempfile.TemporaryDirectory() as tmp:
            return bool(replay({**record, "messages": messages}, Path(tmp), timeout, env))

    msgs = list(record["messages"])
    if not fails(msgs):
        raise ValueError("the session does not fail when replayed")
    parts = 2
    while len(msgs) >= 2:
        size = -(-len(msgs) // parts)
        for i in range(parts):
            candidate = msgs[: i * size] + msgs[(i + 1) * size :]
            if candidate and fails(candidate):
                msgs = candidate
                parts = max(parts - 1, 2)
                if verbose:
                    print(f"  {len(msgs)} messages", flush=True)
                break
        else:
            if parts >= len(msgs):
                break
            parts = min(len(msgs), parts * 2)
    return {**record, "messages": msgs, "minimized": True}


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(prog="python -m tests.fuzz.run", description=__doc__.split("\n\n")[0])
    parser.add_argument("--seconds", type=float, default=60.0, help="how long to fuzz (default 60)")
    parser.add_argument("--seed", type=int, default=int(os.environ.get("ZCSEC_FUZZ_SEED", DEFAULT_SEED)))
    parser.add_argument("--rounds", type=int, default=20, help="rounds per server process (default 20)")
    parser.add_argument("--crash-dir", type=Path, default=CRASHES)
    parser.add_argument("--replay", type=Path, nargs="*", help="replay saved sessions instead of fuzzing")
    parser.add_argument("--minimize", type=Path, help="shrink a saved session to the messages that still make it fail")
    args = parser.parse_args(argv)
    if args.minimize is not None:
        small = minimize(json.loads(args.minimize.read_text()))
        out = args.minimize.with_name(args.minimize.stem + "-min.json")
        out.write_text(json.dumps(small, indent=1, ensure_ascii=True) + "\n")
        print(f"{len(small['messages'])} messages -> {out}")
        return 0
    if args.replay is not None:
        bad = 0
        for path in args.replay:
            with tempfile.TemporaryDirectory() as tmp:
                problems = replay(json.loads(path.read_text()), Path(tmp))
            print(f"{path}: {'; '.join(problems) if problems else 'ok'}")
            bad += bool(problems)
        return 1 if bad else 0
    found = campaign(args.seconds, args.seed, args.crash_dir, args.rounds)
    return 1 if found else 0


if __name__ == "__main__":
    sys.exit(main())
