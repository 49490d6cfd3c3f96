"""Helpers shared by the hardening tests (not a test module)."""

from __future__ import annotations

import json
import subprocess
import sys
import textwrap
from contextlib import contextmanager
from pathlib import Path
from typing import Iterator

ROOT = Path(__file__).resolve().parents[2]
EXAMPLES = ROOT / "examples"
if str(ROOT) not in sys.path:  # for tests.fuzz (the fuzz tooling)
    sys.path.insert(0, str(ROOT))

from tests.fuzz.lspclient import LspProcess  # noqa: E402

from zcsec.analysis import analyse, build  # noqa: E402
from zcsec.findings import Finding  # noqa: E402
from zcsec.project import ProjectConfig  # noqa: E402
from zcsec.text import LineIndex  # noqa: E402
from zcsec.workspace import FileStore, Workspace, discover  # noqa: E402


def utf16_len(s: str) -> int:
    if s.isascii():
        return len(s)
    return len(s) + sum(1 for ch in s if ord(ch) > 0xFFFF)


_LINE_LENGTHS: dict[tuple[int, int], int] = {}


def _line_length(index: LineIndex, line: int) -> int:
    key = (id(index), line)
    if key not in _LINE_LENGTHS:
        if len(_LINE_LENGTHS) > 100_000:
            _LINE_LENGTHS.clear()
        _LINE_LENGTHS[key] = utf16_len(index.line_text(line))
    return _LINE_LENGTHS[key]


def range_inside(index: LineIndex, rng) -> bool:
    """Whether an LSP range (zcsec Range or LSP JSON) lies inside the text."""
    if isinstance(rng, dict):
        points = [(rng["start"]["line"], rng["start"]["character"]), (rng["end"]["line"], rng["end"]["character"])]
    else:
        points = [(rng.start.line, rng.start.character), (rng.end.line, rng.end.character)]
    for line, ch in points:
        if not (0 <= line < index.line_count):
            return False
        if not (0 <= ch <= _line_length(index, line)):
            return False
    return points[0] <= points[1]


def check_findings(ws: Workspace, findings: list[Finding]) -> None:
    """No internal-error finding; every range (finding, related, fix edit)
    lies inside the text of its file."""
    texts: dict[str, LineIndex] = {}
    _LINE_LENGTHS.clear()  # keyed by id(): indexes of an earlier call may be gone

    def index(path: str) -> LineIndex:
        if path not in texts:
            src = ws.store.source(path)
            texts[path] = LineIndex(src.text if src.text is not None else "")
        return texts[path]

    for f in findings:
        assert f.code != "internal-error", f"{f.path}: {f.message}"
        assert f.message
        assert range_inside(index(f.path), f.range), (f.code, f.path, f.span, f.range)
        for path, rng, _note in f.related_ranges:
            assert range_inside(index(path), rng), (f.code, "related", path, rng)
        for fix in f.fixes:
            for e in fix.edits:
                assert e.range is not None and range_inside(index(e.path), e.range), (f.code, "fix", e.path, e.range)


def analyse_folder(folder: Path, project: ProjectConfig | None = None):
    """Analyse ``folder`` as ``zcsec check`` would (its .zcsec.toml, if any)."""
    result = analyse([str(folder)], project)
    check_findings(result.workspace, result.findings)
    return result


def analyse_overlays(files: dict[str, str], folder: Path, project: ProjectConfig | None = None):
    """Analyse ``folder`` with the given texts in place of the files on disk
    (as the language server does with open documents)."""
    project = project or ProjectConfig()
    store = FileStore(project.max_file_size)
    for path, text in files.items():
        store.set_overlay(path, text)
    ws, findings = build(discover([str(folder)], project, store).kinds(), project, store)
    check_findings(ws, findings)
    return ws, findings


def codes(findings) -> dict[str, int]:
    out: dict[str, int] = {}
    for f in findings:
        out[f.code] = out.get(f.code, 0) + 1
    return out


@contextmanager
def lsp_server(root: Path, *, options: dict | None = None, command: list[str] | None = None, env: dict | None = None) -> Iterator[LspProcess]:
    """``zcsec serve`` on the workspace folder ``root``, initialised."""
    server = LspProcess(root, command=command, env=env, stderr_path=root.parent / f"{root.name}-server-stderr.txt")
    try:
        server.initialize(root, options=options)
        yield server
    finally:
        server.close()


# A child process that analyses one path and reports its own CPU time and
# peak memory (ru_maxrss), so that each hostile input is measured alone.
# ru_maxrss survives fork and exec on Linux (a child of a big pytest
# process starts with the parent's peak), so on Linux the peak is reset
# (clear_refs) when the child starts and read back from VmHWM.
_MEASURE = textwrap.dedent(
    """
    import json, resource, sys, time

    def peak_mb():
        try:
            with open("/proc/self/status") as fh:
                for line in fh:
                    if line.startswith("VmHWM:"):
                        return int(line.split()[1]) / 1024
        except OSError:
            pass
        return resource.getrusage(resource.RUSAGE_SELF).ru_maxrss / 1024

    try:
        with open("/proc/self/clear_refs", "w") as fh:
            fh.write("5")
    except OSError:
        pass
    from zcsec.analysis import analyse_projects
    t0 = time.process_time()
    results = analyse_projects(sys.argv[1:])
    cpu = time.process_time() - t0
    codes = {}
    for r in results:
        for f in r.findings:
            codes[f.code] = codes.get(f.code, 0) + 1
    print(json.dumps({"cpu": cpu, "maxrss_mb": peak_mb(), "codes": codes}))
    """
)


def measure(*paths: Path, timeout: float = 300) -> dict:
    out = subprocess.run([sys.executable, "-c", _MEASURE, *map(str, paths)], capture_output=True, text=True, timeout=timeout, cwd=str(ROOT))
    assert out.returncode == 0, out.stderr[-3000:]
    return json.loads(out.stdout.strip().splitlines()[-1])


def dump(obj) -> str:
    return json.dumps(obj, ensure_ascii=False, default=str)
