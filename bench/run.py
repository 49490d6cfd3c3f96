"""zcsec performance benchmark (``make bench``).

Generates workspaces of about 300, 1k, 10k and 50k lines of server.xml (with
includes and CSD files, see bench/workspace.py) in a temporary folder, starts
``python -m zcsec serve`` as a real process over stdio and measures, with
``diagnosticsDelayMs=0``:

* cold start: process start to the initialize answer and to the first
  diagnostics of the 1k-line server.xml, next to a bare pygls server
  (bench/bare_server.py) started the same way, interleaved, medians;
* one-character incremental edits (insert or delete inside an attribute value
  or comment, each at a different line) to the publishDiagnostics of that
  version: p50 and p95 per size;
* completion and hover inside ``*Ref`` attribute values and on connection
  element names: p50 and p95 per size;
* resident memory (VmRSS) once the workspace is open and after the edits;
* ``zcsec check`` throughput over a generated tree of 1,000 files;
* the floor: lxml parsing the same server.xml text (p50), and each edit
  latency as a multiple of it.

Prints a table with every target and PASS/MISS and writes the JSON to
bench/results/latest.json.  See docs/performance.md.
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
from workspace import generate, generate_tree  # noqa: E402

PY = sys.executable
ZCSEC = [PY, "-m", "zcsec", "serve"]
BARE = [PY, os.path.join(HERE, "bare_server.py")]
SIZES = (300, 1000, 10000, 50000)
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


# ---------------------------------------------------------------------------
# Measurements
# ---------------------------------------------------------------------------


def open_server(root: str, stderr_path: str | None = None) -> LspClient:
    c = LspClient(ZCSEC, cwd=root, stderr_path=stderr_path, env=ENV)
    rid, _ = c.initialize(root, {"diagnosticsDelayMs": 0})
    c.response(rid)
    c.notify("initialized", {})
    return c


def did_open(c: LspClient, path: str, text: str) -> tuple[float, dict]:
    uri = file_uri(path)
    t0 = c.notify("textDocument/didOpen", {"textDocument": {"uri": uri, "languageId": "xml", "version": 1, "text": text}})
    t1, msg = c.diagnostics(uri, 1)
    return t1 - t0, msg


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


def measure_size(size: int, tmp: str, edits: int, rounds: int, per_kind: int, budget: float | None) -> dict:
    log(f"[{size} lines] generating the workspace")
    gen = generate(os.path.join(tmp, f"ws{size}"), size)
    with open(gen.server_xml, encoding="utf-8") as fh:
        text = fh.read()
    res: dict = {
        "lines": gen.lines,
        "bytes": gen.bytes,
        "workspace_files": len(gen.files),
        "cics_connections": gen.cics_connections,
    }
    log(f"[{size} lines] lxml floor")
    res["lxml"] = lxml_floor(text)
    log(f"[{size} lines] starting zcsec serve")
    c = open_server(gen.root, os.path.join(tmp, f"serve-{size}.log"))
    try:
        uri = file_uri(gen.server_xml)
        t_open, msg = did_open(c, gen.server_xml, text)
        res["open_to_first_diagnostics_ms"] = t_open * 1000
        res["diagnostics"] = len(msg["params"]["diagnostics"])
        time.sleep(0.2)  # let the allocator settle before reading the RSS
        res["rss_open_mb"] = c.rss_kb() / 1024
        lines = text.split("\n")
        places = edit_places(text, edits + 2, seed=size)
        version = 1
        samples: list[float] = []
        counts: list[int] = []
        t_budget = time.perf_counter() + budget if budget else None
        for i, (ln, col, kind) in enumerate(places):
            version += 1
            if kind == "insert":
                change = {"range": {"start": {"line": ln, "character": col}, "end": {"line": ln, "character": col}}, "text": "q"}
                lines[ln] = lines[ln][:col] + "q" + lines[ln][col:]
            else:
                change = {"range": {"start": {"line": ln, "character": col}, "end": {"line": ln, "character": col + 1}}, "text": ""}
                lines[ln] = lines[ln][:col] + lines[ln][col + 1 :]
            t0 = c.notify("textDocument/didChange", {"textDocument": {"uri": uri, "version": version}, "contentChanges": [change]})
            t1, msg = c.diagnostics(uri, version)
            if i >= 2:  # the first two edits warm up
                samples.append(t1 - t0)
                counts.append(len(msg["params"]["diagnostics"]))
            if t_budget is not None and time.perf_counter() > t_budget and len(samples) >= 1:
                log(f"[{size} lines] edit time budget ({budget:.0f} s) used up after {len(samples)} edits")
                break
        res["edit"] = summary(samples)
        res["edit"]["requested"] = edits
        res["edit"]["diagnostics_min_max"] = [min(counts), max(counts)] if counts else None
        floor = res["lxml"]["p50_ms"]
        res["edit_over_lxml_p50"] = res["edit"]["p50_ms"] / floor if samples else None
        res["edit_over_lxml_p95"] = res["edit"]["p95_ms"] / floor if samples else None
        log(f"[{size} lines] edits p50 {res['edit']['p50_ms']:.1f} ms, p95 {res['edit']['p95_ms']:.1f} ms ({len(samples)} edits)")

        # Completion and hover (the document now holds the edited text, which is
        # still well formed; the server's snapshot is current).
        cur = "\n".join(lines)
        qp = query_places(cur, per_kind)
        comp: list[float] = []
        hov: list[float] = []
        items: list[int] = []
        for r in range(rounds + 1):
            for kind, ln, col in qp:
                pos = {"line": ln, "character": col}
                td = {"uri": uri}
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
        log(f"[{size} lines] completion p95 {res['completion']['p95_ms']:.1f} ms, hover p95 {res['hover']['p95_ms']:.1f} ms")
        res["rss_end_mb"] = c.rss_kb() / 1024
        res["rss_peak_mb"] = c.hwm_kb() / 1024
    finally:
        c.close()
    return res


def check_throughput(tmp: str, files: int, runs: int) -> dict:
    tree = os.path.join(tmp, "tree")
    log(f"[check] generating a tree of {files} files")
    made, total = generate_tree(tree, files)
    times = []
    for i in range(runs):
        t0 = time.perf_counter()
        p = subprocess.run([PY, "-m", "zcsec", "check", tree, "--format", "json", "--fail-on", "never"], stdout=subprocess.DEVNULL, stderr=subprocess.PIPE, env=ENV)
        times.append(time.perf_counter() - t0)
        if p.returncode != 0:
            raise RuntimeError(f"zcsec check failed ({p.returncode}): {p.stderr.decode()[-2000:]}")
        log(f"[check] run {i + 1}/{runs}: {times[-1]:.2f} s")
    med = statistics.median(times)
    return {"files": made, "bytes": total, "runs": runs, "seconds": [round(t, 3) for t in times], "median_s": med, "mb_per_s": total / 1e6 / med}


# ---------------------------------------------------------------------------
# Targets and report
# ---------------------------------------------------------------------------


def ratios(r: dict) -> dict:
    """The relative figures the targets are stated in, from one run (the
    numerator and denominator of each measured in that same run)."""
    out: dict = {}
    sizes = r.get("sizes", {})
    s10k, s50k = sizes.get("10000"), sizes.get("50000")
    if s10k:
        out["edit10k_p95_over_lxml"] = s10k["edit"]["p95_ms"] / s10k["lxml"]["p50_ms"]
    if s10k and s50k:
        out["edit50k_p95_over_10k"] = s50k["edit"]["p95_ms"] / s10k["edit"]["p95_ms"]
    cs = r.get("cold_start")
    if cs:
        bare = cs["bare_init"]["p50_ms"]
        out["init_over_bare"] = cs["zcsec_init"]["p50_ms"] / bare
        out["diagnostics_over_bare"] = cs["zcsec_first_diagnostics_1k"]["p50_ms"] / bare
    return out


def targets(r: dict) -> list[dict]:
    """Every target of the issue, checked against one run, or against the
    medians of several (bench/summarize.py puts the median ratios in r["ratios"])."""
    out = []

    def add(name: str, target: str, value: float | None, limit: float | None, unit: str, higher_is_better: bool = False, note: str = "") -> None:
        if value is None or limit is None:
            ok = None
        else:
            ok = value >= limit if higher_is_better else value <= limit
        out.append({"target": name, "limit": target, "value": value, "limit_value": limit, "unit": unit, "pass": ok, "note": note})

    rat = r.get("ratios") or ratios(r)
    sizes = r["sizes"]
    s1k, s10k, s50k = sizes.get("1000"), sizes.get("10000"), sizes.get("50000")
    if s1k:
        add("edit → diagnostics p95, 1k lines", "≤ 10 ms", s1k["edit"]["p95_ms"], 10.0, "ms")
    if s10k:
        add("edit → diagnostics p95, 10k lines", "≤ 25 ms", s10k["edit"]["p95_ms"], 25.0, "ms")
        add(
            "edit → diagnostics p95, 10k lines, vs lxml",
            "≤ 5 × lxml p50",
            rat.get("edit10k_p95_over_lxml"),
            5.0,
            "× lxml",
            note=f"lxml parses the file in {s10k['lxml']['p50_ms']:.1f} ms (p50)",
        )
    if s50k and s10k:
        n = s50k["edit"]["n"]
        note = f"50k p95 {s50k['edit']['p95_ms']:,.0f} ms"
        if n < 50:
            note += f"; only {n} edits at 50k (time budget)"
        add("edit → diagnostics p95, 50k lines", "≤ 6 × the 10k p95", rat.get("edit50k_p95_over_10k"), 6.0, "× 10k", note=note)
    if s10k:
        add("completion p95, 10k lines", "≤ 10 ms", s10k["completion"]["p95_ms"], 10.0, "ms")
        add("hover p95, 10k lines", "≤ 10 ms", s10k["hover"]["p95_ms"], 10.0, "ms")
    cs = r.get("cold_start")
    if cs:
        bare = cs["bare_init"]["p50_ms"]
        add(
            "cold start: initialize answer",
            "≤ 1.2 × bare pygls",
            rat.get("init_over_bare"),
            1.2,
            "× bare",
            note=f"median {cs['zcsec_init']['p50_ms']:,.0f} ms; bare pygls {bare:,.0f} ms",
        )
        add(
            "cold start: first diagnostics, 1k lines",
            "≤ 1.5 × bare pygls",
            rat.get("diagnostics_over_bare"),
            1.5,
            "× bare",
            note=f"median {cs['zcsec_first_diagnostics_1k']['p50_ms']:,.0f} ms",
        )
    if s10k:
        add("resident memory, 10k workspace open", "≤ 100 MB", s10k["rss_open_mb"], 100.0, "MB", note=f"{s10k['rss_end_mb']:.0f} MB after the edits and queries")
    ck = r.get("check")
    if ck:
        add(f"zcsec check throughput, {ck['files']} files", "≥ 5 MB/s", ck["mb_per_s"], 5.0, "MB/s", higher_is_better=True, note=f"{ck['bytes'] / 1e6:.1f} MB in {ck['median_s']:.1f} s")
    return out


def fmt(v: float | None, digits: int = 1) -> str:
    if v is None:
        return "-"
    if abs(v) >= 1000:
        return f"{v:,.0f}"
    return f"{v:.{digits}f}"


def tables(r: dict) -> str:
    lines = []
    m = r["machine"]
    load = m.get("loadavg_at_start")
    load_text = f", load average {load[0]:.1f} at the start" if load else ""
    lines.append(f"zcsec {m['packages'].get('zcsec')} ({m.get('commit')}) on {m['cpu']} ({m['nproc']} cores), Python {m['python']}, pygls {m['packages'].get('pygls')}, {r['started']}{load_text}")
    lines.append("")
    lines.append("| server.xml | bytes | diags | open → diags ms | edit p50 ms | edit p95 ms | edits | lxml p50 ms | p50/lxml | p95/lxml | compl. p50 ms | compl. p95 ms | hover p50 ms | hover p95 ms | RSS open MB | RSS end MB |")
    lines.append("|---:|---:|---:|---:|---:|---:|---:|---:|---:|---:|---:|---:|---:|---:|---:|---:|")
    for key, s in r["sizes"].items():
        lines.append(
            "| "
            + " | ".join(
                [
                    f"{s['lines']:,}",
                    f"{s['bytes']:,}",
                    str(s["diagnostics"]),
                    fmt(s["open_to_first_diagnostics_ms"]),
                    fmt(s["edit"]["p50_ms"]),
                    fmt(s["edit"]["p95_ms"]),
                    str(s["edit"]["n"]),
                    fmt(s["lxml"]["p50_ms"], 2),
                    fmt(s["edit_over_lxml_p50"], 0),
                    fmt(s["edit_over_lxml_p95"], 0),
                    fmt(s["completion"]["p50_ms"]),
                    fmt(s["completion"]["p95_ms"]),
                    fmt(s["hover"]["p50_ms"]),
                    fmt(s["hover"]["p95_ms"]),
                    fmt(s["rss_open_mb"], 0),
                    fmt(s["rss_end_mb"], 0),
                ]
            )
            + " |"
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
        lines.append(f"zcsec check: {ck['files']} files, {ck['bytes'] / 1e6:.2f} MB, median {ck['median_s']:.2f} s of {ck['runs']} runs = {ck['mb_per_s']:.2f} MB/s.")
    lines.append("")
    lines.append("| Target | Limit | Measured | Result | Note |")
    lines.append("|---|---|---:|---|---|")
    for t in r["targets"]:
        res = "-" if t["pass"] is None else ("PASS" if t["pass"] else "MISS")
        value = fmt(t["value"], 2) if t["unit"].startswith("×") else fmt(t["value"])
        lines.append(f"| {t['target']} | {t['limit']} | {value} {t['unit']} | {res} | {t['note']} |")
    return "\n".join(lines)


def main() -> int:
    ap = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    ap.add_argument("--sizes", default=",".join(map(str, SIZES)), help="server.xml sizes in lines (default: %(default)s)")
    ap.add_argument("--edits", type=int, default=50, help="measured edits per size (default: %(default)s)")
    ap.add_argument(
        "--budget-50k",
        type=float,
        default=240.0,
        help="seconds of edits at 50k lines and above before stopping early (default: %(default)s; 0: no limit, always --edits)",
    )
    ap.add_argument("--rounds", type=int, default=3, help="rounds over the completion/hover places (default: %(default)s)")
    ap.add_argument("--places", type=int, default=10, help="completion/hover places of each kind (default: %(default)s)")
    ap.add_argument("--cold-runs", type=int, default=10, help="cold starts of each server (default: %(default)s)")
    ap.add_argument("--check-files", type=int, default=1000)
    ap.add_argument("--check-runs", type=int, default=3)
    ap.add_argument("--skip", default="", help="comma-separated parts to skip: cold,edits,check")
    ap.add_argument("--out", default=os.path.join(HERE, "results", "latest.json"))
    ap.add_argument("--keep", action="store_true", help="keep the generated workspaces (their folder is printed)")
    ap.add_argument("--no-pycache", action="store_true", help="leave PYTHONDONTWRITEBYTECODE alone (servers may compile from source at every start)")
    args = ap.parse_args()
    skip = {s.strip() for s in args.skip.split(",") if s.strip()}
    sizes = [int(s) for s in args.sizes.split(",") if s.strip()]

    started = time.perf_counter()
    r: dict = {
        "started": datetime.now(timezone.utc).strftime("%Y-%m-%d %H:%M UTC"),
        "machine": machine(),
        "config": {
            "server": " ".join(ZCSEC[1:]),
            "diagnosticsDelayMs": 0,
            "edits_per_size": args.edits,
            "budget_50k_s": args.budget_50k,
            "query_rounds": args.rounds,
            "query_places_per_kind": args.places,
            "cold_runs": args.cold_runs,
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
            for size in sizes:
                budget = args.budget_50k if size >= 50000 and args.budget_50k > 0 else None
                r["sizes"][str(size)] = measure_size(size, tmp, args.edits, args.rounds, args.places, budget)
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
    os.makedirs(os.path.dirname(args.out), exist_ok=True)
    with open(args.out, "w", encoding="utf-8") as fh:
        json.dump(r, fh, indent=2)
    print(tables(r))
    print(f"\n{sum(1 for t in r['targets'] if t['pass'])} of {len(r['targets'])} targets met; {r['duration_s']:.0f} s; results in {os.path.relpath(args.out, REPO)}")
    return 0


if __name__ == "__main__":
    sys.exit(main())
