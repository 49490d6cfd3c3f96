"""Profile the language server while it handles the benchmark's edits (or
completion/hover requests), with py-spy, and print where the time goes.

    .venv/bin/pip install py-spy          # not a project dependency
    .venv/bin/python bench/profile.py --size 10000 --edits 30
    .venv/bin/python bench/profile.py --size 10000 --what completion
    .venv/bin/python bench/profile.py --what check      # zcsec check over the 1,000-file tree
    .venv/bin/python bench/profile.py --csd-lines 100000 --what hover

py-spy samples the real ``python -m zcsec serve`` process (all threads, GIL
holders and waiters alike) at 250 Hz from the first edit to the last; the
raw stacks go to bench/results/profile-<size>-<what>.txt (collapsed format,
loadable in speedscope) and the hottest functions are printed by inclusive and
by exclusive time.
"""

from __future__ import annotations

import argparse
import collections
import os
import shutil
import signal
import subprocess
import sys
import tempfile
import time

HERE = os.path.dirname(os.path.abspath(__file__))
sys.path.insert(0, HERE)

from lspclient import file_uri  # noqa: E402
from run import csd_edit_places, csd_query_places, edit_places, open_server, query_places  # noqa: E402
from workspace import csd_extract, generate, generate_tree  # noqa: E402


def main() -> int:
    ap = argparse.ArgumentParser()
    ap.add_argument("--size", type=int, default=10000)
    ap.add_argument("--edits", type=int, default=30)
    ap.add_argument("--what", choices=("edits", "completion", "hover", "check"), default="edits")
    ap.add_argument("--csd-lines", type=int, default=0, help="profile the CSD extract of this many lines opened alone (as make bench does) instead of a server.xml")
    ap.add_argument("--rate", type=int, default=250)
    ap.add_argument("--top", type=int, default=35)
    args = ap.parse_args()
    pyspy = shutil.which("py-spy") or os.path.join(os.path.dirname(sys.executable), "py-spy")
    tmp = tempfile.mkdtemp(prefix="zcsec-prof-")
    subject = f"csd-{args.csd_lines}" if args.csd_lines else str(args.size)
    out = os.path.join(HERE, "results", f"profile-{subject}-{args.what}.txt")
    os.makedirs(os.path.dirname(out), exist_ok=True)
    try:
        if args.what == "check":
            tree = os.path.join(tmp, "tree")
            generate_tree(tree, 1000)
            out = os.path.join(HERE, "results", "profile-check.txt")
            t0 = time.perf_counter()
            subprocess.run(
                # --subprocesses: the worker processes of check --jobs do the work.
                [pyspy, "record", "--rate", str(args.rate), "--format", "raw", "--output", out, "--nolineno", "--subprocesses", "--", sys.executable, "-m", "zcsec", "check", tree, "--format", "json", "--fail-on", "never"],
                stdout=subprocess.DEVNULL,
                stderr=subprocess.DEVNULL,
                check=True,
            )
            elapsed = time.perf_counter() - t0
            return report(args, out, elapsed)
        if args.csd_lines:
            root = os.path.join(tmp, "csd")
            os.makedirs(root)
            path, language = csd_extract(os.path.join(root, "sysplex.csd"), args.csd_lines).path, "cics-csd"
            edits, queries = csd_edit_places, csd_query_places
        else:
            gen = generate(os.path.join(tmp, "ws"), args.size)
            root, path, language = gen.root, gen.server_xml, "xml"
            edits, queries = edit_places, query_places
        text = open(path, encoding="utf-8").read()
        c = open_server(root, os.path.join(tmp, "serve.log"))
        uri = file_uri(path)
        c.notify("textDocument/didOpen", {"textDocument": {"uri": uri, "languageId": language, "version": 1, "text": text}})
        c.diagnostics(uri, 1)
        spy = subprocess.Popen(
            [pyspy, "record", "--pid", str(c.pid), "--rate", str(args.rate), "--format", "raw", "--output", out, "--threads", "--nolineno", "--nonblocking"],
            stdout=subprocess.DEVNULL,
            stderr=subprocess.DEVNULL,
        )
        time.sleep(1.0)
        t0 = time.perf_counter()
        version = 1
        if args.what == "edits":
            for ln, col, kind in edits(text, args.edits, seed=args.size):
                version += 1
                end = col if kind == "insert" else col + 1
                change = {"range": {"start": {"line": ln, "character": col}, "end": {"line": ln, "character": end}}, "text": "q" if kind == "insert" else ""}
                c.notify("textDocument/didChange", {"textDocument": {"uri": uri, "version": version}, "contentChanges": [change]})
                c.diagnostics(uri, version)
        else:
            method = "textDocument/" + args.what
            for _ in range(max(1, args.edits // 10)):
                for _kind, ln, col in queries(text, 10):
                    params = {"textDocument": {"uri": uri}, "position": {"line": ln, "character": col}}
                    if args.what == "completion":
                        params["context"] = {"triggerKind": 1}
                    c.call(method, params)
        elapsed = time.perf_counter() - t0
        spy.send_signal(signal.SIGINT)
        spy.wait(30)
        c.close()
    finally:
        shutil.rmtree(tmp, ignore_errors=True)

    return report(args, out, elapsed)


def report(args: argparse.Namespace, out: str, elapsed: float) -> int:
    inclusive: collections.Counter = collections.Counter()
    exclusive: collections.Counter = collections.Counter()
    total = 0
    with open(out, encoding="utf-8") as fh:
        for line in fh:
            stack, _, count = line.rstrip("\n").rpartition(" ")
            if not count.isdigit():
                continue
            n = int(count)
            frames = [f for f in stack.split(";") if f and not f.startswith("thread (") and not f.startswith("process ")]
            # Idle workers and the event loop waiting for input are not work.
            if frames and any(k in frames[-1] for k in ("select (selectors.py", "_worker (concurrent", "wait (threading.py", "_wait_for_tstate_lock", "readline", "read (", "poll (")):
                continue
            total += n
            for f in set(frames):
                inclusive[f] += n
            if frames:
                exclusive[frames[-1]] += n
    where = "over 1,000 files" if args.what == "check" else f"in the {args.csd_lines}-line CSD" if args.csd_lines else f"at {args.size} lines"
    print(f"{args.what} {where}: {elapsed:.1f} s wall, {total} busy samples at {args.rate} Hz; raw stacks in {os.path.relpath(out)}")
    print("\nInclusive (share of busy samples):")
    for f, n in inclusive.most_common(args.top):
        print(f"  {100 * n / total:5.1f}%  {f}")
    print("\nExclusive:")
    for f, n in exclusive.most_common(args.top):
        print(f"  {100 * n / total:5.1f}%  {f}")
    return 0


if __name__ == "__main__":
    sys.exit(main())
