"""Precision of zcsec on real configurations that nobody on this project wrote.

Every file of a corpus folder (``serverxml/`` and ``csd/`` below it) is
checked on its own, as a user checks one file, and every finding at
information or above is compared with a committed labels file: each finding
is labelled ``correct``, ``arguable`` or ``wrong`` with a one-line reason.

    python tools/corpus.py check  [--corpus DIR] [--labels FILE]
    python tools/corpus.py draft  [--corpus DIR] [--labels FILE]   # labels to fill in for new findings
    python tools/corpus.py report [--corpus DIR] [--labels FILE]   # the tables of docs/precision.md

``check`` fails (exit 1) when a finding has no label, when a labelled finding
is no longer reported (a true finding lost, or a label to remove), when a
finding is labelled wrong, or when the precision targets of issue 10 are
missed.  The corpus itself is never copied into the repository.
"""

from __future__ import annotations

import argparse
import json
import os
import re
import shutil
import sys
import tempfile
from dataclasses import dataclass
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT / "server"))

from zcsec.analysis import analyse  # noqa: E402
from zcsec.findings import Severity  # noqa: E402
from zcsec.project import ProjectConfig  # noqa: E402

DEFAULT_CORPUS = ROOT.parent / "shared" / "corpus"
DEFAULT_LABELS = ROOT / "tests" / "corpus" / "labels.json"
LABELS = ("correct", "arguable", "wrong")

# Targets (issue 10): no wrong finding; at warning and above at least 95%
# correct; at most one arguable warning per ten files.
MIN_PRECISION = 0.95
MAX_ARGUABLE_PER_FILE = 0.1


@dataclass(frozen=True, slots=True)
class Seen:
    file: str  # name inside the corpus, e.g. serverxml/x.xml
    line: int  # 1-based
    col: int  # 1-based, UTF-16 code units as in the text output
    code: str
    severity: str
    message: str

    @property
    def key(self) -> str:
        return f"{self.file}:{self.line}:{self.col}:{self.code}"


def corpus_files(corpus: Path) -> list[Path]:
    out = []
    for kind in ("serverxml", "csd"):
        folder = corpus / kind
        if folder.is_dir():
            out.extend(sorted(p for p in folder.iterdir() if p.is_file()))
    return out


def original_paths(corpus: Path) -> dict[str, tuple[str, str]]:
    """file name in the corpus -> (repository, path in it), from SOURCES.md."""
    out: dict[str, tuple[str, str]] = {}
    sources = corpus / "SOURCES.md"
    if not sources.is_file():
        return out
    row = re.compile(r"^\|\s*\d+\s*\|\s*`([^`]+)`\s*\|\s*([^|\s]+)\s*\|\s*`([^`]+)`")
    for line in sources.read_text(encoding="utf-8").splitlines():
        m = row.match(line)
        if m:
            out[m.group(1)] = (m.group(2), m.group(3))
    return out


def findings_of(corpus: Path) -> tuple[list[Path], list[Seen]]:
    """Check the corpus as its authors' projects look: the files of one
    repository are laid out at their original paths (so that includes
    between them resolve and file names are the real ones), and each
    repository is checked as one project with default settings."""
    files = corpus_files(corpus)
    origin = original_paths(corpus)
    seen: list[Seen] = []
    with tempfile.TemporaryDirectory(prefix="zcsec-corpus-") as tmp:
        placed: dict[str, str] = {}  # laid-out path -> corpus name
        repos: dict[str, Path] = {}
        for path in files:
            rel = path.relative_to(corpus).as_posix()
            repo, inner = origin.get(path.name, (path.name, path.name))
            base = Path(tmp) / repo.replace("/", "__")
            target = base / inner
            target.parent.mkdir(parents=True, exist_ok=True)
            shutil.copyfile(path, target)
            placed[os.path.normpath(str(target))] = rel
            repos.setdefault(repo, base)
        for repo in sorted(repos):
            # Default settings: no .zcsec.toml of ours applies.
            result = analyse([str(repos[repo])], ProjectConfig())
            for f in result.findings:
                if f.severity > Severity.INFORMATION or f.range is None:
                    continue
                rel = placed.get(os.path.normpath(f.path), os.path.relpath(f.path, tmp))
                seen.append(Seen(rel, f.range.start.line + 1, f.range.start.character + 1, f.code, f.severity.label, f.message.replace(tmp, "<corpus>")))
    seen.sort(key=lambda s: (s.file, s.line, s.col, s.code))
    return files, seen


def load_labels(path: Path) -> dict[str, dict]:
    if not path.is_file():
        return {}
    data = json.loads(path.read_text(encoding="utf-8"))
    return {item["key"]: item for item in data["findings"]}


@dataclass(slots=True)
class Comparison:
    files: list[Path]
    seen: list[Seen]
    labels: dict[str, dict]
    unlabelled: list[Seen]
    gone: list[dict]  # labelled, no longer reported

    def labelled(self) -> list[tuple[Seen, str, str]]:
        out = []
        for s in self.seen:
            item = self.labels.get(s.key)
            if item is not None:
                out.append((s, item["label"], item.get("reason", "")))
        return out

    def stats(self) -> dict:
        by_sev: dict[str, dict[str, int]] = {}
        for s, label, _ in self.labelled():
            by_sev.setdefault(s.severity, {k: 0 for k in LABELS})[label] += 1
        high = [(s, lab) for s, lab, _ in self.labelled() if s.severity in ("error", "warning")]
        correct_high = sum(1 for _, lab in high if lab == "correct")
        arguable_warn = sum(1 for s, lab in high if lab == "arguable")
        wrong = sum(1 for _, lab, _ in self.labelled() if lab == "wrong")
        return {
            "files": len(self.files),
            "findings": len(self.seen),
            "by_severity": by_sev,
            "warning_and_above": len(high),
            "precision": (correct_high / len(high)) if high else 1.0,
            "arguable_high": arguable_warn,
            "arguable_per_file": arguable_warn / max(1, len(self.files)),
            "wrong": wrong,
        }

    def failures(self) -> list[str]:
        out = []
        for s in self.unlabelled:
            out.append(f"unlabelled: {s.key} {s.severity}: {s.message}")
        for item in self.gone:
            if item["label"] == "correct":
                out.append(f"a correct finding is no longer reported: {item['key']} ({item.get('reason', '')})")
            else:
                out.append(f"labelled but no longer reported (remove the label): {item['key']}")
        st = self.stats()
        for s, label, reason in self.labelled():
            if label == "wrong":
                out.append(f"wrong finding: {s.key} {s.severity}: {s.message} -- {reason}")
        if st["precision"] < MIN_PRECISION:
            out.append(f"precision at warning and above is {st['precision']:.1%}, below {MIN_PRECISION:.0%}")
        if st["arguable_per_file"] > MAX_ARGUABLE_PER_FILE:
            out.append(f"{st['arguable_high']} arguable warnings or errors in {st['files']} files: more than one per ten files")
        return out


def compare(corpus: Path, labels_path: Path) -> Comparison:
    files, seen = findings_of(corpus)
    labels = load_labels(labels_path)
    keys = {s.key for s in seen}
    unlabelled = [s for s in seen if s.key not in labels]
    gone = [item for key, item in labels.items() if key not in keys]
    return Comparison(files, seen, labels, unlabelled, gone)


def cmd_check(args) -> int:
    if not args.corpus.is_dir():
        print(f"no corpus at {args.corpus}: nothing to check")
        return 0
    cmp = compare(args.corpus, args.labels)
    st = cmp.stats()
    print(
        f"corpus: {st['files']} files, {st['findings']} findings at information or above, "
        f"{st['warning_and_above']} at warning or above, precision {st['precision']:.1%}, "
        f"{st['arguable_high']} arguable, {st['wrong']} wrong"
    )
    problems = cmp.failures()
    for p in problems:
        print("  " + p)
    return 1 if problems else 0


def cmd_draft(args) -> int:
    """Print the labels file with entries for new findings (label to fill in)
    and without entries for findings that are gone."""
    cmp = compare(args.corpus, args.labels)
    items = []
    for s in cmp.seen:
        old = cmp.labels.get(s.key)
        item = {"key": s.key, "severity": s.severity, "message": s.message}
        item["label"] = old["label"] if old else "TODO"
        item["reason"] = old.get("reason", "") if old else ""
        items.append(item)
    json.dump({"corpus": "../shared/corpus", "findings": items}, sys.stdout, indent=1, ensure_ascii=False)
    print()
    return 0


def cmd_report(args) -> int:
    cmp = compare(args.corpus, args.labels)
    st = cmp.stats()
    lines = [
        "| files | findings (information and above) | warning and above | precision at warning and above | arguable (warning and above) | wrong |",
        "|---|---|---|---|---|---|",
        f"| {st['files']} | {st['findings']} | {st['warning_and_above']} | {st['precision']:.1%} | {st['arguable_high']} | {st['wrong']} |",
        "",
        "| severity | correct | arguable | wrong |",
        "|---|---|---|---|",
    ]
    for sev in ("error", "warning", "information"):
        c = st["by_severity"].get(sev, {k: 0 for k in LABELS})
        lines.append(f"| {sev} | {c['correct']} | {c['arguable']} | {c['wrong']} |")
    lines += ["", "| finding | severity | label | why |", "|---|---|---|---|"]
    for s, label, reason in cmp.labelled():
        lines.append(f"| `{s.file}` {s.line}:{s.col} `{s.code}` | {s.severity} | {label} | {reason} |")
    print("\n".join(lines))
    return 0


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("command", choices=("check", "draft", "report"))
    parser.add_argument("--corpus", type=Path, default=Path(os.environ.get("ZCSEC_CORPUS", DEFAULT_CORPUS)))
    parser.add_argument("--labels", type=Path, default=DEFAULT_LABELS)
    args = parser.parse_args(argv)
    return {"check": cmd_check, "draft": cmd_draft, "report": cmd_report}[args.command](args)


if __name__ == "__main__":
    sys.exit(main())
