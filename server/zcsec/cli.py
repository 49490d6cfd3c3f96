"""The command line: ``zcsec check``, ``zcsec rules`` (and ``zcsec --version``).

Each subcommand imports what it needs when it runs: ``zcsec serve`` starts
the language server without importing the analysis, which the server
imports once it has answered ``initialize`` (see :mod:`zcsec.lsp.lazy`)."""

from __future__ import annotations

import argparse
import ipaddress
import sys
from collections import Counter

from . import __version__

FAIL_ON = ("error", "warning", "information", "hint", "never")


class _Parser(argparse.ArgumentParser):
    def error(self, message: str):  # usage errors exit 2, as documented
        self.print_usage(sys.stderr)
        self.exit(2, f"zcsec: error: {message}\n")


def is_loopback(host: str) -> bool:
    """Whether a host name or address only ever means this machine."""
    name = host.strip("[]").lower()
    if name == "localhost":
        return True
    try:
        return ipaddress.ip_address(name).is_loopback
    except ValueError:
        return False  # another name: it may resolve to any address


def _positive(text: str) -> int:
    try:
        value = int(text)
    except ValueError:
        value = 0
    if value < 1:
        raise argparse.ArgumentTypeError(f"'{text}' is not a positive whole number")
    return value


def build_parser() -> argparse.ArgumentParser:
    parser = _Parser(prog="zcsec", description="Security checks for z/OS Connect server.xml and CICS CSD definitions.")
    parser.add_argument("--version", action="version", version=f"zcsec {__version__}")
    sub = parser.add_subparsers(dest="command", parser_class=_Parser)
    check = sub.add_parser("check", help="check files and folders and report findings")
    check.add_argument("paths", nargs="+", metavar="PATH", help="a file, or a folder searched for Liberty XML and CSD input")
    check.add_argument("--format", choices=("text", "json", "sarif"), default="text")
    check.add_argument("--fail-on", choices=FAIL_ON, default="error", help="lowest severity that makes the exit code 1 (default: error)")
    check.add_argument("--jobs", "-j", type=_positive, default=None, metavar="N", help="check projects (folders with a .zcsec.toml) in N processes; the default is one per core; the report is the same")
    fixing = check.add_mutually_exclusive_group()
    fixing.add_argument("--fix", action="store_true", help="apply every safe fix, say what changed, then report what is left")
    fixing.add_argument("--diff", action="store_true", help="print the safe fixes as a unified diff and write nothing")
    posture = sub.add_parser("posture", help="show the effective security of every connection to a system of record")
    posture.add_argument("paths", nargs="+", metavar="PATH")
    posture.add_argument("--format", choices=("text", "json", "markdown", "html"), default="text", help="markdown: a Mermaid picture and a table; html: one self-contained page")
    serve = sub.add_parser("serve", help="run the language server (stdio by default)")
    serve.add_argument("--tcp", metavar="HOST:PORT", help="listen on a TCP port instead of stdio (a loopback address unless --allow-remote)")
    serve.add_argument("--allow-remote", action="store_true", help="with --tcp, allow an address other machines can reach: whoever connects can make the server read files on this machine")
    serve.add_argument("--stdio", action="store_true", help="use stdio (the default)")
    rules = sub.add_parser("rules", help="list every diagnostic code")
    rules.add_argument("--format", choices=("text", "json", "markdown"), default="text")
    return parser


# Rounds of --fix: a fix left out because it overlapped another is taken in the next round.
FIX_ROUNDS = 3


def cmd_fix(paths: list[str], write: bool) -> None:
    """--fix (write) or --diff: the safe fixes of the findings in ``paths``.
    Messages go to standard error, the diff to standard output."""
    from . import fixing
    from .analysis import analyse_projects
    from .output import display_path
    from .secrecy import secret_values_in

    for _ in range(FIX_ROUNDS if write else 1):
        changed = False
        for result in analyse_projects(paths):
            ws = result.workspace
            for path, plan in sorted(fixing.plan(result.findings).items()):
                old = ws.store.source(path).text
                if old is None:
                    sys.stderr.write(f"zcsec: left {display_path(path)} alone: it could not be read as text\n")
                    continue
                new = fixing.apply(old, plan.edits)
                if new == old:
                    continue
                if not write:
                    sys.stdout.write(printable_diff(fixing.unified_diff(display_path(path), old, new, secret_values_in(ws, path))))
                    continue
                try:
                    fixing.write(path, old, new)
                except fixing.NotWritten as exc:
                    sys.stderr.write(f"zcsec: left {display_path(path)} alone: {exc}\n")
                    continue
                changed = True
                codes = ", ".join(sorted(set(plan.codes))) or "fixes of findings in other files"
                sys.stderr.write(f"zcsec: fixed {len(plan.edits)} place(s) in {display_path(path)} ({codes})\n")
        if not changed:
            break


def printable_diff(text: str) -> str:
    from .output import printable

    return "".join(printable(line) + "\n" for line in text.splitlines())


def cmd_check(args: argparse.Namespace) -> int:
    from .analysis import check_projects
    from .findings import Severity
    from .output import REPORTS

    if args.diff:
        cmd_fix(args.paths, write=False)
        return 0
    if args.fix:
        cmd_fix(args.paths, write=True)
    report = REPORTS[args.format]
    checked, files_read = check_projects(args.paths, args.jobs, report.part)
    sys.stdout.write(report.whole([part for _, part in checked]))
    if files_read == 0:
        sys.stderr.write("zcsec: no Liberty configuration or CSD input could be read from the given paths\n")
        return 2
    if args.format == "text":
        counts = Counter(severity for severity, _ in checked)
        summary = ", ".join(f"{counts[s]} {s.label}" for s in Severity if counts[s]) or "no findings"
        sys.stderr.write(f"zcsec: {files_read} file(s) checked, {summary}\n")
    if args.fail_on == "never":
        return 0
    threshold = Severity.parse(args.fail_on)
    return 1 if any(severity <= threshold for severity, _ in checked) else 0


def cmd_posture(args: argparse.Namespace) -> int:
    from .analysis import analyse_projects
    from .output import format_posture_html, format_posture_json, format_posture_markdown, format_posture_text
    from .posture import postures

    rows = []
    files_read = 0
    for result in analyse_projects(args.paths):
        files_read += sum(1 for _ in result.workspace.files())
        for cfg in result.workspace.configs:
            rows.extend(postures(result.workspace, cfg))
        for f in result.findings:
            if f.code == "internal-error":  # a connection the table cannot show, said as `check` says it
                sys.stderr.write(f"zcsec: {f.path}:{f.range.start.line + 1}:{f.range.start.character + 1}: {f.message}\n")
    if files_read == 0:
        sys.stderr.write("zcsec: no Liberty configuration could be read from the given paths\n")
        return 2
    formats = {"text": format_posture_text, "json": format_posture_json, "markdown": format_posture_markdown, "html": format_posture_html}
    sys.stdout.write(formats[args.format](rows))
    return 0


def cmd_rules(args: argparse.Namespace) -> int:
    from .output import rules_json, rules_markdown, rules_text

    sys.stdout.write({"text": rules_text, "json": rules_json, "markdown": rules_markdown}[args.format]())
    return 0


def main(argv: list[str] | None = None) -> int:
    parser = build_parser()
    args = parser.parse_args(argv)
    if args.command == "check":
        return cmd_check(args)
    if args.command == "posture":
        return cmd_posture(args)
    if args.command == "serve":
        from .lsp.app import start

        if args.tcp:
            host, _, port = args.tcp.rpartition(":")
            if not port.isdigit():
                parser.error("--tcp needs HOST:PORT")
            if not args.allow_remote and not is_loopback(host or "127.0.0.1"):
                parser.error(f"--tcp {args.tcp} listens on an address other machines can reach, and the server reads files for whoever connects; use 127.0.0.1 or localhost, or add --allow-remote")
        start(args.tcp)
        return 0
    if args.command == "rules":
        return cmd_rules(args)
    parser.print_help(sys.stderr)
    return 2
