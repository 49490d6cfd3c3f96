"""zcsec performance benchmark (``make bench``).

Generates workspaces in a temporary folder (see bench/workspace.py), starts
``python -m zcsec serve`` as a real process over stdio (one fresh process per
workload) and measures, with ``diagnosticsDelayMs=0``:

* cold start: process start to the initialize answer and to the first
  diagnostics of the 1k-line server.xml, next to a bare pygls server
  (bench/bare_server.py) started the same way, interleaved, medians;
* per workload: open to first diagnostics; one-character incremental edits
  (insert or delete inside a value or a comment, each at a different line) to
  the publishDiagnostics of that version, p50 and p95; completion and hover
  p50 and p95; resident memory (VmRSS) once open and after the edits;
* workloads: server.xml of about 300, 1k, 10k and 50k lines with its
  includes and CSD files (one IPIC listener per CICS region); the 1k and 10k
  workspaces again with one IPIC listener and IPCONN per CICS connection
  ("listeners"); a 100,000-line CSD extract of a sysplex opened on its own
  ("csd100k");
* a long editing session: 5,000 one-character edits of the 1k workspace,
  VmRSS sampled along the way ("session");
* ``zcsec check`` throughput over a generated tree of 1,000 files;
* the floor: lxml parsing the same server.xml text (p50), in the same run,
  and each edit latency as a multiple of it.

Prints a table with every target and PASS/MISS and writes the JSON (every
sample included) to bench/results/latest.json.  ``--quick`` is a smoke run of
every part; ``--skip`` leaves parts out; ``--runs 3`` repeats the whole run and
checks the targets against the medians.  See docs/performance.md.
"""

from __future__ import annotations

import argparse
import json
import os
import platform
import random
import re
import shutil
import statistics
import subprocess
import sys
import tempfile
import time
from datetime import datetime, timezone

HERE = os.path.dirname(os.path.abspath(__file__))
REPO = os.path.dirname(HERE)
sys.path.insert(0, HERE)

from lspclient import LspClient, file_uri  # noqa: E402
from workspace import csd_extract, generate, generate_tree  # noqa: E402

PY = sys.executable
ZCSEC = [PY, "-m", "zcsec", "serve"]
BARE = [PY, os.path.join(HERE, "bare_server.py")]
SIZES = (300, 1000, 10000, 50000)
LISTENER_SIZES = (1000, 10000)  # workspaces with one IPIC listener per CICS connection
CSD_LINES = 100_000
SESSION_SIZE, SESSION_EDITS, SESSION_SAMPLES = 1000, 5000, 20
PARTS = ("cold", "edits", "listeners", "csd100k", "session", "check")
# --quick: every part, small enough for a smoke run of a few minutes.
QUICK = {
    "sizes": "300,1000",
    "listener_sizes": "1000",
    "csd_lines": 20000,
    "edits": 10,
    "rounds": 1,
    "places": 5,
    "cold_runs": 2,
    "check_files": 100,
    "check_runs": 1,
    "session_edits": 500,
}
CONNECTION_ELEMENTS = (
    "zosconnect_cicsIpicConnection",
    "imsmobile_imsConnection",
    "jmsConnectionFactory",
    "zosconnect_zosConnectServiceRestClientConnection",
    "zosconnect_endpointConnection",
    "zosconnect_localAdaptersConnectService",
    "connectionFactory",
)


# The processes under test run from bytecode caches, as an installed program
# does after its first start.  An environment with PYTHONDONTWRITEBYTECODE=1
# would otherwise make every zcsec start compile zcsec from source while
# pygls and lsprotocol load the .pyc files pip wrote, an unfair floor.  The
# caches go to a temporary PYTHONPYCACHEPREFIX, never into the repository; the
# first (unmeasured) cold-start round fills them.
ENV = dict(os.environ)


def set_pycache(tmp: str) -> None:
    ENV.pop("PYTHONDONTWRITEBYTECODE", None)
    ENV["PYTHONPYCACHEPREFIX"] = os.path.join(tmp, "pycache")


# ---------------------------------------------------------------------------
# Statistics
# ---------------------------------------------------------------------------


def pct(samples: list[float], q: float) -> float | None:
    """The q-th percentile (0..100), linear interpolation between closest ranks."""
    if not samples:
        return None
    s = sorted(samples)
    if len(s) == 1:
        return s[0]
    k = (len(s) - 1) * q / 100.0
    lo = int(k)
    hi = min(lo + 1, len(s) - 1)
    return s[lo] + (s[hi] - s[lo]) * (k - lo)


def summary(samples_s: list[float]) -> dict:
    ms = [x * 1000.0 for x in samples_s]
    return {
        "n": len(ms),
        "p50_ms": pct(ms, 50),
        "p95_ms": pct(ms, 95),
        "min_ms": min(ms) if ms else None,
        "max_ms": max(ms) if ms else None,
        "samples_ms": [round(x, 3) for x in ms],
    }


def log(msg: str) -> None:
    print(msg, file=sys.stderr, flush=True)


# ---------------------------------------------------------------------------
# Machine
# ---------------------------------------------------------------------------


def machine() -> dict:
    cpu = None
    try:
        with open("/proc/cpuinfo") as fh:
            for line in fh:
                if line.startswith("model name"):
                    cpu = line.split(":", 1)[1].strip()
                    break
    except OSError:
        pass
    mem = None
    try:
        with open("/proc/meminfo") as fh:
            for line in fh:
                if line.startswith("MemTotal:"):
                    mem = round(int(line.split()[1]) / 1024 / 1024, 1)
    except OSError:
        pass
    import importlib.metadata as md

    versions = {}
    for dist in ("zcsec", "pygls", "lsprotocol", "cattrs", "lxml"):
        try:
            versions[dist] = md.version(dist)
        except md.PackageNotFoundError:
            versions[dist] = None
    try:
        load = os.getloadavg()
    except OSError:
        load = None
    # The zcsec the server processes import (PYTHONPATH may point elsewhere,
    # e.g. at a clean export of a commit), and the commit of this checkout.
    source = subprocess.run([PY, "-c", "import os, zcsec; print(os.path.dirname(zcsec.__file__))"], capture_output=True, text=True).stdout.strip()
    commit = None
    try:
        commit = subprocess.run(["git", "rev-parse", "--short", "HEAD"], cwd=REPO, capture_output=True, text=True, check=True).stdout.strip()
        dirty = subprocess.run(["git", "status", "--porcelain", "--", "server", "schemas"], cwd=REPO, capture_output=True, text=True, check=True).stdout.strip()
        if not source.startswith(REPO + os.sep):
            commit = f"zcsec from {source}"
        elif dirty:
            commit += " + uncommitted changes in server/"
    except (OSError, subprocess.CalledProcessError):
        pass
    return {
        "commit": commit,
        "zcsec_source": source,
        "nproc": os.cpu_count(),
        "cpu": cpu,
        "memory_gb": mem,
        "python": platform.python_version(),
        "implementation": platform.python_implementation(),
        "platform": platform.platform(),
        "packages": versions,
        "loadavg_at_start": load,
    }


# ---------------------------------------------------------------------------
# Positions in the generated text
# ---------------------------------------------------------------------------

_ATTR = re.compile(r'([A-Za-z_][\w.:-]*)="([^"]*)"')


def edit_places(text: str, count: int, seed: int) -> list[tuple[int, int, str]]:
    """``count`` one-character edits (line, column, "insert"|"delete"), each on
    its own line, spread over the file: inside attribute values (four in five)
    and comment text, next to a letter or digit, so the file stays well formed.
    Inserts and deletes alternate."""
    values: list[tuple[int, int]] = []
    comments: list[tuple[int, int]] = []
    in_comment = False
    for ln, line in enumerate(text.split("\n")):
        stripped = line.strip()
        if in_comment or stripped.startswith("<!--"):
            start = line.find("<!--") + 4 if "<!--" in line else 0
            end = line.find("-->") if "-->" in line else len(line)
            cols = [c for c in range(start + 1, end - 1) if line[c].isalnum() and line[c - 1].isalnum()]
            if cols:
                comments.append((ln, cols[len(cols) // 2]))
            in_comment = "-->" not in line
            continue
        here = []
        for m in _ATTR.finditer(line):
            v0, v1 = m.span(2)
            cols = [c for c in range(v0 + 1, v1) if line[c].isalnum() and line[c - 1].isalnum()]
            if cols:
                here.append((ln, cols[len(cols) // 2]))
        if here:
            values.append(here[ln % len(here)])  # one candidate per line, any of its attributes
    rnd = random.Random(seed)
    n_comments = min(len(comments), count // 5)
    chosen = rnd.sample(values, min(len(values), count - n_comments)) + rnd.sample(comments, n_comments)
    chosen.sort()
    rnd.shuffle(chosen)  # visit the file in random order, not top to bottom
    out = []
    for i, (ln, col) in enumerate(chosen):
        out.append((ln, col, "insert" if i % 2 == 0 else "delete"))
    return out


def query_places(text: str, per_kind: int) -> list[tuple[str, int, int]]:
    """Positions for completion and hover: inside the values of ``*Ref``
    attributes and on connection element names, spread evenly over the file."""
    refs: list[tuple[str, int, int]] = []
    names: list[tuple[str, int, int]] = []
    name_re = re.compile(r"<(" + "|".join(CONNECTION_ELEMENTS) + r")\b")
    for ln, line in enumerate(text.split("\n")):
        for m in re.finditer(r'(\w+Ref)="([^"]*)"', line):
            if m.group(1) == "sslCertRef":
                continue  # the deliberate misspelling: no completion there
            v0, v1 = m.span(2)
            refs.append(("ref-value", ln, (v0 + v1) // 2))
        for m in name_re.finditer(line):
            names.append(("element-name", ln, m.start(1) + 4))

    def spread(xs: list, n: int) -> list:
        if len(xs) <= n:
            return list(xs)
        return [xs[int(i * len(xs) / n)] for i in range(n)]

    return spread(refs, per_kind) + spread(names, per_kind)


# Keyword values a one-character edit keeps valid: free text, and names the
# generator writes at most 7 characters long (8 are allowed).
_CSD_EDITABLE = re.compile(r"\b(DESCRIPTION|GROUP|PROGRAM|IPCONN|CERTIFICATE)\(([^()]*)\)")
_CSD_KEYWORD = re.compile(r"\b(LINKAUTH|USERAUTH|SSL|PORTNUMBER|APPLID|PROTOCOL)\(")


def csd_edit_places(text: str, count: int, seed: int) -> list[tuple[int, int, str]]:
    """``count`` one-character edits of DFHCSDUP input, as :func:`edit_places`:
    four in five inside a keyword value whose value stays valid (a description,
    a group, program or IPCONN name), one in five in comment text, each on its
    own record.  Records are kept inside columns 1 to 71 (an insert never
    reaches the continuation column), continued records are left alone."""
    values: list[tuple[int, int]] = []
    comments: list[tuple[int, int]] = []
    for ln, line in enumerate(text.split("\n")):
        if len(line) >= 70:
            continue
        if line.startswith("*"):
            cols = [c for c in range(3, len(line) - 1) if line[c].isalnum() and line[c - 1].isalnum()]
            if cols:
                comments.append((ln, cols[len(cols) // 2]))
            continue
        here = []
        for m in _CSD_EDITABLE.finditer(line):
            v0, v1 = m.span(2)
            cols = [c for c in range(v0 + 1, v1) if line[c].isalnum() and line[c - 1].isalnum()]
            if cols:
                here.append((ln, cols[len(cols) // 2]))
        if here:
            values.append(here[ln % len(here)])
    rnd = random.Random(seed)
    n_comments = min(len(comments), count // 5)
    chosen = rnd.sample(values, min(len(values), count - n_comments)) + rnd.sample(comments, n_comments)
    chosen.sort()
    rnd.shuffle(chosen)
    return [(ln, col, "insert" if i % 2 == 0 else "delete") for i, (ln, col) in enumerate(chosen)]


def csd_query_places(text: str, per_kind: int) -> list[tuple[str, int, int]]:
    """Completion and hover places in DFHCSDUP input: inside the
    ``TCPIPSERVICE(...)`` value of IPCONNs (a reference: every listener of the
    file is a candidate) and on keyword names, spread evenly over the file."""
    refs: list[tuple[str, int, int]] = []
    words: list[tuple[str, int, int]] = []
    for ln, line in enumerate(text.split("\n")):
        if line.startswith("*"):
            continue
        for m in re.finditer(r"\bTCPIPSERVICE\(([^()]*)\)", line):
            if not line.lstrip().startswith("DEFINE"):
                refs.append(("ref-value", ln, (m.start(1) + m.end(1)) // 2))
        for m in _CSD_KEYWORD.finditer(line):
            words.append(("keyword", ln, m.start(1) + 2))

    def spread(xs: list, n: int) -> list:
        if len(xs) <= n:
            return list(xs)
        return [xs[int(i * len(xs) / n)] for i in range(n)]

    return spread(refs, per_kind) + spread(words, per_kind)


# ---------------------------------------------------------------------------
# Measurements
# ---------------------------------------------------------------------------


def open_server(root: str, stderr_path: str | None = None) -> LspClient:
    c = LspClient(ZCSEC, cwd=root, stderr_path=stderr_path, env=ENV)
    rid, _ = c.initialize(root, {"diagnosticsDelayMs": 0})
    c.response(rid)
    c.notify("initialized", {})
    return c


def lxml_floor(text: str, min_runs: int = 15, min_seconds: float = 1.0) -> dict:
    from lxml import etree

    data = text.encode("utf-8")
    etree.fromstring(data)  # warm up
    samples = []
    t_end = time.perf_counter() + min_seconds
    while len(samples) < min_runs or time.perf_counter() < t_end:
        t0 = time.perf_counter()
        etree.fromstring(data)
        samples.append(time.perf_counter() - t0)
        if len(samples) >= 500:
            break
    return summary(samples)


def cold_start(root: str, server_xml: str, runs: int, tmp: str) -> dict:
    with open(server_xml, encoding="utf-8") as fh:
        text = fh.read()
    uri = file_uri(server_xml)
    bare_init: list[float] = []
    z_init: list[float] = []
    z_diag: list[float] = []
    for i in range(runs + 1):  # the first round warms the page cache and .pyc files
        for which in (("bare", "zcsec") if i % 2 == 0 else ("zcsec", "bare")):
            c = LspClient(BARE if which == "bare" else ZCSEC, cwd=root, stderr_path=os.path.join(tmp, f"cold-{which}.log"), env=ENV)
            try:
                t0 = c.t_start
                rid, _ = c.initialize(root, {"diagnosticsDelayMs": 0})
                t_init, _ = c.response(rid, 60)
                if which == "bare":
                    if i:
                        bare_init.append(t_init - t0)
                    continue
                c.notify("initialized", {})
                c.notify("textDocument/didOpen", {"textDocument": {"uri": uri, "languageId": "xml", "version": 1, "text": text}})
                t_diag, _ = c.diagnostics(uri, 1, 60)
                if i:
                    z_init.append(t_init - t0)
                    z_diag.append(t_diag - t0)
            finally:
                c.close()
    return {"runs": runs, "bare_init": summary(bare_init), "zcsec_init": summary(z_init), "zcsec_first_diagnostics_1k": summary(z_diag)}


def apply_edit(lines: list[str], ln: int, col: int, kind: str) -> dict:
    """Apply a one-character edit to ``lines``; returns its LSP content change."""
    if kind == "insert":
        lines[ln] = lines[ln][:col] + "q" + lines[ln][col:]
        return {"range": {"start": {"line": ln, "character": col}, "end": {"line": ln, "character": col}}, "text": "q"}
    lines[ln] = lines[ln][:col] + lines[ln][col + 1 :]
    return {"range": {"start": {"line": ln, "character": col}, "end": {"line": ln, "character": col + 1}}, "text": ""}


class Document:
    """A document open in the server under test, with the client's copy of its text."""

    def __init__(self, c: LspClient, path: str, text: str, language: str) -> None:
        self.c = c
        self.uri = file_uri(path)
        self.language = language
        self.lines = text.split("\n")
        self.version = 1
        self.text = text

    def open(self) -> tuple[float, dict]:
        t0 = self.c.notify("textDocument/didOpen", {"textDocument": {"uri": self.uri, "languageId": self.language, "version": 1, "text": self.text}})
        t1, msg = self.c.diagnostics(self.uri, 1)
        return t1 - t0, msg

    def edit(self, ln: int, col: int, kind: str) -> tuple[float, dict]:
        """One edit; the time from writing the didChange to reading the
        diagnostics of that version."""
        self.version += 1
        change = apply_edit(self.lines, ln, col, kind)
        t0 = self.c.notify("textDocument/didChange", {"textDocument": {"uri": self.uri, "version": self.version}, "contentChanges": [change]})
        t1, msg = self.c.diagnostics(self.uri, self.version)
        return t1 - t0, msg

    def current(self) -> str:
        return "\n".join(self.lines)


def measure_document(doc: Document, places: list[tuple[int, int, str]], query_fn, rounds: int, budget: float | None, label: str) -> dict:
    """Open ``doc``, edit it at ``places`` (the first two edits unmeasured),
    then ask for completion and hover at the places ``query_fn`` finds in the
    edited text; resident memory after the open and at the end."""
    c = doc.c
    res: dict = {}
    t_open, msg = doc.open()
    res["open_to_first_diagnostics_ms"] = t_open * 1000
    res["diagnostics"] = len(msg["params"]["diagnostics"])
    time.sleep(0.2)  # let the allocator settle before reading the RSS
    res["rss_open_mb"] = c.rss_kb() / 1024
    samples: list[float] = []
    counts: list[int] = []
    t_budget = time.perf_counter() + budget if budget else None
    for i, (ln, col, kind) in enumerate(places):
        dt, msg = doc.edit(ln, col, kind)
        if i >= 2:  # the first two edits warm up
            samples.append(dt)
            counts.append(len(msg["params"]["diagnostics"]))
        if t_budget is not None and time.perf_counter() > t_budget and len(samples) >= 1:
            log(f"[{label}] edit time budget ({budget:.0f} s) used up after {len(samples)} edits")
            break
    res["edit"] = summary(samples)
    res["edit"]["requested"] = max(0, len(places) - 2)
    res["edit"]["diagnostics_min_max"] = [min(counts), max(counts)] if counts else None
    if samples:
        log(f"[{label}] edits p50 {res['edit']['p50_ms']:.1f} ms, p95 {res['edit']['p95_ms']:.1f} ms ({len(samples)} edits)")
    time.sleep(0.2)
    res["rss_edited_mb"] = c.rss_kb() / 1024

    # Completion and hover in the edited text (still valid; the server's
    # snapshot is current).
    qp = query_fn(doc.current())
    comp: list[float] = []
    hov: list[float] = []
    items: list[int] = []
    td = {"uri": doc.uri}
    for r in range(rounds + 1):
        for _kind, ln, col in qp:
            pos = {"line": ln, "character": col}
            dt, result = c.call("textDocument/completion", {"textDocument": td, "position": pos, "context": {"triggerKind": 1}})
            if r:
                comp.append(dt)
                items.append(len(result["items"]) if isinstance(result, dict) else len(result or []))
            dt, _ = c.call("textDocument/hover", {"textDocument": td, "position": pos})
            if r:
                hov.append(dt)
    res["completion"] = summary(comp)
    res["completion"]["items_min_max"] = [min(items), max(items)] if items else None
    res["hover"] = summary(hov)
    res["query_places"] = len(qp)
    if comp:
        log(f"[{label}] completion p95 {res['completion']['p95_ms']:.1f} ms, hover p95 {res['hover']['p95_ms']:.1f} ms")
    time.sleep(0.2)
    res["rss_end_mb"] = c.rss_kb() / 1024
    res["rss_peak_mb"] = c.hwm_kb() / 1024
    return res


def measure_size(size: int, tmp: str, args: argparse.Namespace, listeners: str = "region") -> dict:
    """A generated workspace with a server.xml of about ``size`` lines; the
    server.xml is opened and edited."""
    label = f"{size} lines" + (", a listener per connection" if listeners == "connection" else "")
    log(f"[{label}] generating the workspace")
    gen = generate(os.path.join(tmp, f"ws{size}-{listeners}"), size, listeners)
    with open(gen.server_xml, encoding="utf-8") as fh:
        text = fh.read()
    res: dict = {
        "lines": gen.lines,
        "bytes": gen.bytes,
        "listeners": listeners,
        "workspace_files": len(gen.files),
        "cics_connections": gen.cics_connections,
    }
    log(f"[{label}] lxml floor")
    res["lxml"] = lxml_floor(text)
    log(f"[{label}] starting zcsec serve")
    c = open_server(gen.root, os.path.join(tmp, f"serve-{size}-{listeners}.log"))
    try:
        budget = args.budget_50k if size >= 50000 and args.budget_50k > 0 else None
        places = edit_places(text, args.edits + 2, seed=size)
        doc = Document(c, gen.server_xml, text, "xml")
        res.update(measure_document(doc, places, lambda t: query_places(t, args.places), args.rounds, budget, label))
    finally:
        c.close()
    floor = res["lxml"]["p50_ms"]
    res["edit_over_lxml_p50"] = res["edit"]["p50_ms"] / floor if res["edit"]["n"] else None
    res["edit_over_lxml_p95"] = res["edit"]["p95_ms"] / floor if res["edit"]["n"] else None
    return res


def measure_csd(tmp: str, args: argparse.Namespace) -> dict:
    """A CSD extract of about ``--csd-lines`` lines opened on its own: the
    workspace folder holds nothing else."""
    label = f"CSD {args.csd_lines:,} lines"
    root = os.path.join(tmp, "csd")
    os.makedirs(root, exist_ok=True)
    log(f"[{label}] generating the extract")
    x = csd_extract(os.path.join(root, "sysplex.csd"), args.csd_lines)
    with open(x.path, encoding="utf-8") as fh:
        text = fh.read()
    res: dict = {
        "lines": x.lines,
        "bytes": x.bytes,
        "tcpipservices": x.listeners,
        "ipconns": x.ipconns,
        "programs": x.programs,
        "transactions": x.transactions,
        "regions_with_a_mistake": x.insecure,
    }
    log(f"[{label}] starting zcsec serve")
    c = open_server(root, os.path.join(tmp, "serve-csd.log"))
    try:
        places = csd_edit_places(text, args.edits + 2, seed=args.csd_lines)
        doc = Document(c, x.path, text, "cics-csd")
        budget = args.budget_csd if args.budget_csd > 0 else None
        res.update(measure_document(doc, places, lambda t: csd_query_places(t, args.places), args.rounds, budget, label))
    finally:
        c.close()
    return res


def measure_session(tmp: str, args: argparse.Namespace) -> dict:
    """A long editing session: ``--session-edits`` one-character edits of the
    1k-line server.xml, sent one after the other as soon as the diagnostics of
    the previous one arrive.  The edits come in pairs, an insert and then the
    delete that undoes it, each pair at a new random place, so the text after
    every pair is the text that was opened: memory that grows is memory the
    server keeps, not a larger document.  VmRSS is sampled along the way."""
    size, n = SESSION_SIZE, args.session_edits
    label = f"session, {n:,} edits at {size} lines"
    log(f"[{label}] generating the workspace")
    gen = generate(os.path.join(tmp, "session"), size)
    with open(gen.server_xml, encoding="utf-8") as fh:
        text = fh.read()
    c = open_server(gen.root, os.path.join(tmp, "serve-session.log"))
    try:
        doc = Document(c, gen.server_xml, text, "xml")
        doc.open()
        time.sleep(0.2)
        rss_open = c.rss_kb() / 1024
        every = max(1, n // SESSION_SAMPLES)
        rss: list[list[float]] = [[0, round(rss_open, 1)]]
        samples: list[float] = []
        pairs: list[tuple[int, int]] = []
        seed = 0
        t0 = time.perf_counter()
        for i in range(n):
            if i % 2 == 0:
                if not pairs:
                    seed += 1
                    pairs = [(ln, col) for ln, col, _ in edit_places(text, 200, seed=seed)]
                ln, col = pairs.pop()
                dt, _ = doc.edit(ln, col, "insert")
            else:
                dt, _ = doc.edit(ln, col, "delete")
            samples.append(dt)
            if (i + 1) % every == 0 or i + 1 == n:
                rss.append([i + 1, round(c.rss_kb() / 1024, 1)])
            if (i + 1) % (every * 5) == 0:
                log(f"[{label}] {i + 1} edits, VmRSS {rss[-1][1]:.0f} MB")
        assert doc.current() == text, "the session's edits did not undo each other"
        time.sleep(0.2)
        rss_end = c.rss_kb() / 1024
        peak = c.hwm_kb() / 1024
    finally:
        c.close()
    res = {
        "lines": gen.lines,
        "edits": n,
        "seconds": time.perf_counter() - t0,
        "rss_open_mb": rss_open,
        "rss_end_mb": rss_end,
        "rss_peak_mb": peak,
        "rss_max_sampled_mb": max(x[1] for x in rss),
        "growth_pct": 100.0 * (rss_end - rss_open) / rss_open,
        # From the first sample (after 1/20 of the edits), when the memory an
        # edit needs (the new analysis next to the old one) is in use.
        "growth_after_first_sample_pct": 100.0 * (rss_end - rss[1][1]) / rss[1][1] if len(rss) > 1 else None,
        "rss_samples": rss,  # [edits so far, VmRSS MB]
        "edit": summary(samples),
    }
    log(f"[{label}] VmRSS {rss_open:.0f} MB after the open, {rss_end:.0f} MB after {n} edits ({res['growth_pct']:+.1f} %), peak {peak:.0f} MB")
    return res


def check_throughput(tmp: str, files: int, runs: int) -> dict:
    """``zcsec check`` over a generated tree, as a user runs it (one process
    per core by default), ``runs`` times; then once with ``--jobs 1``, whose
    report must be the same bytes."""
    tree = os.path.join(tmp, "tree")
    log(f"[check] generating a tree of {files} files")
    made, total = generate_tree(tree, files)

    def check(*extra: str) -> tuple[float, bytes]:
        t0 = time.perf_counter()
        p = subprocess.run([PY, "-m", "zcsec", "check", tree, "--format", "json", "--fail-on", "never", *extra], stdout=subprocess.PIPE, stderr=subprocess.PIPE, env=ENV)
        dt = time.perf_counter() - t0
        if p.returncode != 0:
            raise RuntimeError(f"zcsec check failed ({p.returncode}): {p.stderr.decode()[-2000:]}")
        return dt, p.stdout

    times = []
    report = b""
    for i in range(runs):
        dt, report = check()
        times.append(dt)
        log(f"[check] run {i + 1}/{runs}: {dt:.2f} s")
    serial_s, serial = check("--jobs", "1")
    log(f"[check] --jobs 1: {serial_s:.2f} s, {'the same report' if serial == report else 'A DIFFERENT REPORT'}")
    med = statistics.median(times)
    return {
        "files": made,
        "bytes": total,
        "runs": runs,
        "seconds": [round(t, 3) for t in times],
        "median_s": med,
        "mb_per_s": total / 1e6 / med,
        "serial_s": serial_s,
        "same_report_as_serial": serial == report,
    }


# ---------------------------------------------------------------------------
# Targets and report
# ---------------------------------------------------------------------------


def ratios(r: dict) -> dict:
    """The relative figures the targets are stated in, from one run (the
    numerator and denominator of each measured in that same run)."""
    out: dict = {}
    for group, suffix in (("sizes", ""), ("listeners", "_listeners")):
        sizes = r.get(group, {})
        s10k, s50k = sizes.get("10000"), sizes.get("50000")
        if s10k and s10k["edit"]["n"]:
            out[f"edit10k{suffix}_p95_over_lxml"] = s10k["edit"]["p95_ms"] / s10k["lxml"]["p50_ms"]
        if s10k and s50k and s10k["edit"]["n"] and s50k["edit"]["n"]:
            out[f"edit50k{suffix}_p95_over_10k"] = s50k["edit"]["p95_ms"] / s10k["edit"]["p95_ms"]
    cs = r.get("cold_start")
    if cs:
        bare = cs["bare_init"]["p50_ms"]
        out["init_over_bare"] = cs["zcsec_init"]["p50_ms"] / bare
        out["diagnostics_over_bare"] = cs["zcsec_first_diagnostics_1k"]["p50_ms"] / bare
    ss = r.get("session")
    if ss:
        out["session_growth_pct"] = ss["growth_pct"]
    return out


class _Targets(list):
    def add(self, name: str, target: str, value: float | None, limit: float | None, unit: str, higher_is_better: bool = False, note: str = "") -> None:
        if value is None or limit is None:
            ok = None
        else:
            ok = value >= limit if higher_is_better else value <= limit
        self.append({"target": name, "limit": target, "value": value, "limit_value": limit, "unit": unit, "pass": ok, "note": note})


def _edits_note(w: dict) -> str:
    n, asked = w["edit"]["n"], w["edit"].get("requested")
    return f"only {n} of {asked} edits (time budget)" if asked and n < asked else ""


def _workspace_targets(out: _Targets, r: dict, rat: dict) -> None:
    for group, what, suffix in (("sizes", "", ""), ("listeners", ", a listener per connection", "_listeners")):
        sizes = r.get(group, {})
        s1k, s10k, s50k = sizes.get("1000"), sizes.get("10000"), sizes.get("50000")
        if s1k and s1k["edit"]["n"]:
            out.add(f"edit → diagnostics p95, 1k lines{what}", "≤ 10 ms", s1k["edit"]["p95_ms"], 10.0, "ms")
        if s10k and s10k["edit"]["n"]:
            out.add(
                f"edit → diagnostics p95, 10k lines{what}",
                "≤ 1 × lxml parse of the file",
                rat.get(f"edit10k{suffix}_p95_over_lxml"),
                1.0,
                "× lxml",
                note=f"p95 {s10k['edit']['p95_ms']:,.0f} ms; lxml parses the file in {s10k['lxml']['p50_ms']:.1f} ms (p50)",
            )
        if s50k and s10k and s50k["edit"]["n"]:
            note = "; ".join(x for x in (f"50k p95 {s50k['edit']['p95_ms']:,.0f} ms", _edits_note(s50k)) if x)
            out.add(f"edit → diagnostics p95, 50k lines{what}", "≤ 2 × the 10k p95", rat.get(f"edit50k{suffix}_p95_over_10k"), 2.0, "× 10k", note=note)
    s10k = r.get("sizes", {}).get("10000")
    if s10k and s10k["completion"]["n"]:
        out.add("completion p95, 10k lines", "≤ 10 ms", s10k["completion"]["p95_ms"], 10.0, "ms")
        out.add("hover p95, 10k lines", "≤ 10 ms", s10k["hover"]["p95_ms"], 10.0, "ms")


def _csd_targets(out: _Targets, csd: dict) -> None:
    what = f"CSD {csd['lines'] / 1000:,.0f}k lines"
    out.add(f"open → first diagnostics, {what}", "≤ 2 s", csd["open_to_first_diagnostics_ms"] / 1000, 2.0, "s")
    if csd["edit"]["n"]:
        out.add(f"edit → diagnostics p95, {what}", "≤ 20 ms", csd["edit"]["p95_ms"], 20.0, "ms", note=_edits_note(csd))
    if csd["completion"]["n"]:
        out.add(f"completion p95, {what}", "≤ 10 ms", csd["completion"]["p95_ms"], 10.0, "ms")
        out.add(f"hover p95, {what}", "≤ 10 ms", csd["hover"]["p95_ms"], 10.0, "ms")


def _memory_targets(out: _Targets, r: dict, rat: dict) -> None:
    s50k = r.get("sizes", {}).get("50000")
    if s50k:
        out.add("resident memory, 50k workspace open", "≤ 150 MB", s50k["rss_open_mb"], 150.0, "MB", note=f"{s50k['rss_end_mb']:.0f} MB after the edits and queries")
    csd = r.get("csd")
    if csd:
        out.add(
            f"resident memory, CSD {csd['lines'] / 1000:,.0f}k lines open and edited",
            "≤ 300 MB",
            csd["rss_end_mb"],
            300.0,
            "MB",
            note=f"{csd['rss_open_mb']:.0f} MB after the open, peak (VmHWM) {csd['rss_peak_mb']:.0f} MB",
        )
    ss = r.get("session")
    if ss:
        out.add(
            f"memory growth over {ss['edits']:,} edits, {ss['lines'] / 1000:.0f}k lines",
            "≤ 10 %",
            rat.get("session_growth_pct"),
            10.0,
            "%",
            note=f"{ss['rss_open_mb']:.0f} MB after the open → {ss['rss_end_mb']:.0f} MB; largest sample {ss['rss_max_sampled_mb']:.0f} MB; {fmt(ss.get('growth_after_first_sample_pct'))} % after the first {ss['rss_samples'][1][0] if len(ss['rss_samples']) > 1 else 0:,} edits",
        )


def targets(r: dict) -> list[dict]:
    """Every target of issue 14 (and the cold-start targets before it),
    checked against one run, or against the medians of several
    (bench/summarize.py puts the median ratios in r["ratios"]).  A target
    whose workload did not run is left out."""
    out = _Targets()
    rat = r.get("ratios") or ratios(r)
    _workspace_targets(out, r, rat)
    if r.get("csd"):
        _csd_targets(out, r["csd"])
    cs = r.get("cold_start")
    if cs:
        bare = cs["bare_init"]["p50_ms"]
        out.add("cold start: initialize answer", "≤ 1.2 × bare pygls", rat.get("init_over_bare"), 1.2, "× bare", note=f"median {cs['zcsec_init']['p50_ms']:,.0f} ms; bare pygls {bare:,.0f} ms")
        out.add("cold start: first diagnostics, 1k lines", "≤ 1.5 × bare pygls", rat.get("diagnostics_over_bare"), 1.5, "× bare", note=f"median {cs['zcsec_first_diagnostics_1k']['p50_ms']:,.0f} ms")
    ck = r.get("check")
    if ck:
        note = f"{ck['bytes'] / 1e6:.1f} MB in {ck['median_s']:.1f} s"
        if "serial_s" in ck:
            note += f"; --jobs 1: {ck['serial_s']:.1f} s, {'the same report' if ck['same_report_as_serial'] else 'A DIFFERENT REPORT'}"
        out.add(f"zcsec check throughput, {ck['files']} files", "≥ 10 MB/s, the serial report", ck["mb_per_s"] if ck.get("same_report_as_serial", True) else 0.0, 10.0, "MB/s", higher_is_better=True, note=note)
    _memory_targets(out, r, rat)
    return list(out)


def fmt(v: float | None, digits: int = 1) -> str:
    if v is None:
        return "-"
    if abs(v) >= 1000:
        return f"{v:,.0f}"
    return f"{v:.{digits}f}"


def workloads(r: dict) -> list[tuple[str, dict]]:
    """(name, figures) of every workload of a run, in the order of the table."""
    out = [(f"server.xml {w['lines']:,} lines", w) for w in r.get("sizes", {}).values()]
    out += [(f"server.xml {w['lines']:,} lines, listener per connection", w) for w in r.get("listeners", {}).values()]
    if r.get("csd"):
        out.append((f"CSD {r['csd']['lines']:,} lines", r["csd"]))
    return out


def tables(r: dict) -> str:
    lines = []
    m = r["machine"]
    load = m.get("loadavg_at_start")
    load_text = f", load average {load[0]:.1f} at the start" if load else ""
    lines.append(f"zcsec {m['packages'].get('zcsec')} ({m.get('commit')}) on {m['cpu']} ({m['nproc']} cores), Python {m['python']}, pygls {m['packages'].get('pygls')}, {r['started']}{load_text}")
    lines.append("")
    lines.append("| workload | bytes | diags | open → diags ms | edit p50 ms | edit p95 ms | edits | lxml p50 ms | p50/lxml | p95/lxml | compl. p50 ms | compl. p95 ms | hover p50 ms | hover p95 ms | RSS open MB | RSS edited MB | RSS end MB |")
    lines.append("|---|---:|---:|---:|---:|---:|---:|---:|---:|---:|---:|---:|---:|---:|---:|---:|---:|")
    for name, s in workloads(r):
        lines.append(
            "| "
            + " | ".join(
                [
                    name,
                    f"{s['bytes']:,}",
                    str(s["diagnostics"]),
                    fmt(s["open_to_first_diagnostics_ms"]),
                    fmt(s["edit"]["p50_ms"]),
                    fmt(s["edit"]["p95_ms"]),
                    str(s["edit"]["n"]),
                    fmt(s["lxml"]["p50_ms"], 2) if "lxml" in s else "-",
                    fmt(s.get("edit_over_lxml_p50"), 0),
                    fmt(s.get("edit_over_lxml_p95"), 0),
                    fmt(s["completion"]["p50_ms"]),
                    fmt(s["completion"]["p95_ms"]),
                    fmt(s["hover"]["p50_ms"]),
                    fmt(s["hover"]["p95_ms"]),
                    fmt(s["rss_open_mb"], 0),
                    fmt(s.get("rss_edited_mb"), 0),
                    fmt(s["rss_end_mb"], 0),
                ]
            )
            + " |"
        )
    if r.get("csd"):
        x = r["csd"]
        lines.append("")
        lines.append(
            f"CSD extract: {x['lines']:,} lines, {x['bytes'] / 1e6:.1f} MB, {x['tcpipservices']:,} IPIC listeners, {x['ipconns']:,} IPCONNs, "
            f"{x['programs']:,} programs and {x['transactions']:,} transactions; peak VmRSS {x['rss_peak_mb']:.0f} MB."
        )
    ss = r.get("session")
    if ss:
        trail = ", ".join(f"{int(n)}: {mb:.0f}" for n, mb in ss["rss_samples"][:: max(1, len(ss["rss_samples"]) // 6)])
        lines.append(
            f"Session: {ss['edits']:,} edits of the {ss['lines']:,}-line server.xml in {ss['seconds']:.0f} s (edit p50 {fmt(ss['edit']['p50_ms'])} ms, p95 {fmt(ss['edit']['p95_ms'])} ms); "
            f"VmRSS {ss['rss_open_mb']:.0f} MB after the open, {ss['rss_end_mb']:.0f} MB at the end ({ss['growth_pct']:+.1f} %), peak {ss['rss_peak_mb']:.0f} MB; "
            f"MB after n edits: {trail}."
        )
    cs = r.get("cold_start")
    if cs:
        lines.append("")
        lines.append(
            f"Cold start (median of {cs['runs']}): bare pygls initialize {fmt(cs['bare_init']['p50_ms'])} ms; "
            f"zcsec initialize {fmt(cs['zcsec_init']['p50_ms'])} ms; zcsec first diagnostics of the 1k-line file {fmt(cs['zcsec_first_diagnostics_1k']['p50_ms'])} ms."
        )
    ck = r.get("check")
    if ck:
        serial = f"; with --jobs 1 {ck['serial_s']:.2f} s, {'the same report' if ck['same_report_as_serial'] else 'A DIFFERENT REPORT'}" if "serial_s" in ck else ""
        lines.append(f"zcsec check: {ck['files']} files, {ck['bytes'] / 1e6:.2f} MB, median {ck['median_s']:.2f} s of {ck['runs']} runs = {ck['mb_per_s']:.2f} MB/s{serial}.")
    lines.append("")
    lines.append("| Target | Limit | Measured | Result | Note |")
    lines.append("|---|---|---:|---|---|")
    for t in r["targets"]:
        res = "-" if t["pass"] is None else ("PASS" if t["pass"] else "MISS")
        value = fmt(t["value"], 2) if t["unit"].startswith("×") else fmt(t["value"])
        lines.append(f"| {t['target']} | {t['limit']} | {value} {t['unit']} | {res} | {t['note']} |")
    return "\n".join(lines)


def one_run(args: argparse.Namespace, skip: set[str]) -> dict:
    started = time.perf_counter()
    r: dict = {
        "started": datetime.now(timezone.utc).strftime("%Y-%m-%d %H:%M UTC"),
        "machine": machine(),
        "config": {
            "server": " ".join(ZCSEC[1:]),
            "diagnosticsDelayMs": 0,
            "edits_per_workload": args.edits,
            "budget_50k_s": args.budget_50k,
            "budget_csd_s": args.budget_csd,
            "query_rounds": args.rounds,
            "query_places_per_kind": args.places,
            "cold_runs": args.cold_runs,
            "csd_lines": args.csd_lines,
            "session_edits": args.session_edits,
            "skipped": sorted(skip),
            "quick": args.quick,
        },
        "sizes": {},
    }
    tmp = tempfile.mkdtemp(prefix="zcsec-bench-")
    if not args.no_pycache:
        set_pycache(tmp)
    r["config"]["bytecode_cache"] = not args.no_pycache
    try:
        # Fill the bytecode caches (and the page cache) before anything is timed.
        for cmd in ([PY, "-c", "import pygls.lsp.server"], [PY, "-c", "import zcsec.lsp.app, zcsec.cli"]):
            subprocess.run(cmd, stdin=subprocess.DEVNULL, stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL, env=ENV, timeout=120)
        if "cold" not in skip:
            log("[cold start] generating the 1k workspace")
            g = generate(os.path.join(tmp, "cold"), 1000)
            r["cold_start"] = cold_start(g.root, g.server_xml, args.cold_runs, tmp)
            cs = r["cold_start"]
            log(f"[cold start] bare {cs['bare_init']['p50_ms']:.0f} ms, zcsec init {cs['zcsec_init']['p50_ms']:.0f} ms, first diagnostics {cs['zcsec_first_diagnostics_1k']['p50_ms']:.0f} ms")
        if "edits" not in skip:
            for size in sizes_of(args.sizes):
                r["sizes"][str(size)] = measure_size(size, tmp, args)
        if "listeners" not in skip:
            r["listeners"] = {str(size): measure_size(size, tmp, args, "connection") for size in sizes_of(args.listener_sizes)}
        if "csd100k" not in skip:
            r["csd"] = measure_csd(tmp, args)
        if "session" not in skip:
            r["session"] = measure_session(tmp, args)
        if "check" not in skip:
            r["check"] = check_throughput(tmp, args.check_files, args.check_runs)
    finally:
        if args.keep:
            log(f"workspaces kept in {tmp}")
        else:
            shutil.rmtree(tmp, ignore_errors=True)
    r["duration_s"] = time.perf_counter() - started
    try:
        r["machine"]["loadavg_at_end"] = os.getloadavg()
    except OSError:
        pass
    r["ratios"] = ratios(r)
    r["targets"] = targets(r)
    return r


def sizes_of(text: str) -> list[int]:
    return [int(s) for s in text.split(",") if s.strip()]


def write_json(r: dict, path: str) -> None:
    os.makedirs(os.path.dirname(os.path.abspath(path)), exist_ok=True)
    with open(path, "w", encoding="utf-8") as fh:
        json.dump(r, fh, indent=2)


def main() -> int:
    ap = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    ap.add_argument("--quick", action="store_true", help="a smoke run of every part: " + ", ".join(f"--{k.replace('_', '-')} {v}" for k, v in QUICK.items()) + " (options given explicitly win)")
    ap.add_argument("--skip", default="", help=f"comma-separated parts to leave out: {','.join(PARTS)}")
    ap.add_argument("--runs", type=int, default=1, help="complete runs; with more than one, each run's JSON is written next to --out and the targets are checked against the medians (default: %(default)s)")
    ap.add_argument("--sizes", default=",".join(map(str, SIZES)), help="server.xml sizes in lines, one listener per CICS region (default: %(default)s)")
    ap.add_argument("--listener-sizes", default=",".join(map(str, LISTENER_SIZES)), help="server.xml sizes with one IPIC listener per CICS connection (default: %(default)s)")
    ap.add_argument("--csd-lines", type=int, default=CSD_LINES, help="lines of the CSD extract opened on its own (default: %(default)s)")
    ap.add_argument("--session-edits", type=int, default=SESSION_EDITS, help=f"edits of the long session at {SESSION_SIZE} lines (default: %(default)s)")
    ap.add_argument("--edits", type=int, default=50, help="measured edits per workload (default: %(default)s)")
    ap.add_argument(
        "--budget-50k",
        type=float,
        default=240.0,
        help="seconds of edits at 50k lines and above before stopping early (default: %(default)s; 0: no limit, always --edits)",
    )
    ap.add_argument("--budget-csd", type=float, default=240.0, help="the same for the CSD extract (default: %(default)s)")
    ap.add_argument("--rounds", type=int, default=3, help="rounds over the completion/hover places (default: %(default)s)")
    ap.add_argument("--places", type=int, default=10, help="completion/hover places of each kind (default: %(default)s)")
    ap.add_argument("--cold-runs", type=int, default=10, help="cold starts of each server (default: %(default)s)")
    ap.add_argument("--check-files", type=int, default=1000)
    ap.add_argument("--check-runs", type=int, default=3)
    ap.add_argument("--out", default=os.path.join(HERE, "results", "latest.json"))
    ap.add_argument("--keep", action="store_true", help="keep the generated workspaces (their folder is printed)")
    ap.add_argument("--no-pycache", action="store_true", help="leave PYTHONDONTWRITEBYTECODE alone (servers may compile from source at every start)")
    if ap.parse_known_args()[0].quick:
        ap.set_defaults(**QUICK)
    args = ap.parse_args()
    skip = {s.strip() for s in args.skip.split(",") if s.strip()}
    unknown = skip - set(PARTS)
    if unknown:
        ap.error(f"--skip: unknown part(s) {', '.join(sorted(unknown))}; the parts are {', '.join(PARTS)}")

    results = []
    for i in range(args.runs):
        if args.runs > 1:
            log(f"=== run {i + 1} of {args.runs}")
        r = one_run(args, skip)
        results.append(r)
        if args.runs > 1:
            base, ext = os.path.splitext(args.out)
            write_json(r, f"{base}-run{i + 1}{ext}")
    if args.runs > 1:
        from summarize import merge  # summarize imports this module

        r = merge(results)
    write_json(r, args.out)
    print(tables(r))
    met = sum(1 for t in r["targets"] if t["pass"])
    what = f"medians of {args.runs} runs" if args.runs > 1 else f"{r['duration_s']:.0f} s"
    print(f"\n{met} of {len(r['targets'])} targets met ({what}); results in {os.path.relpath(args.out, REPO)}")
    return 0


if __name__ == "__main__":
    sys.exit(main())
