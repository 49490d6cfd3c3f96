"""Output formats of ``zcsec check``: text, JSON and SARIF 2.1.0."""

from __future__ import annotations

import functools
import html
import json
import os
import re
from dataclasses import dataclass
from pathlib import Path
from typing import Any, Callable

from . import __version__
from .findings import Finding, Severity
from .rules import RULES

# Characters a configuration file could use to rewrite the terminal that
# shows the text report: C0/C1 controls (an ESC starts a terminal escape
# sequence) and the bidirectional overrides that reorder what is displayed.
_UNPRINTABLE = re.compile("[\x00-\x08\x0a-\x1f\x7f-\x9f\u200e\u200f\u202a-\u202e\u2066-\u2069]")


def printable(line: str) -> str:
    """``line`` with every control character shown as an escape (\\x1b)."""
    return _UNPRINTABLE.sub(lambda m: f"\\x{ord(m.group()):02x}" if ord(m.group()) < 0x100 else f"\\u{ord(m.group()):04x}", line)


SARIF_LEVEL = {Severity.ERROR: "error", Severity.WARNING: "warning", Severity.INFORMATION: "note", Severity.HINT: "note"}


def display_path(path: str, base: str | None = None) -> str:
    base = base or os.getcwd()
    if os.path.isabs(path) and os.path.isabs(base):
        return _display_path(path, base)  # the same few files again and again: every finding and fix edit names one
    return _relative(path, base)


@functools.lru_cache(maxsize=4096)
def _display_path(path: str, base: str) -> str:
    return _relative(path, base)


def _relative(path: str, base: str) -> str:
    try:
        rel = os.path.relpath(path, base)
    except ValueError:
        return path
    return path if rel.startswith("..") else rel


# Each format of ``zcsec check`` is written in two steps: a part per finding,
# made where the finding is (a worker process of ``check --jobs``, so that
# it sends back text, not findings), and the report made of the parts, in
# the order of the findings.


def text_line(f: Finding) -> str:
    """A finding's line of the text report (without its line end)."""
    r = f.range
    return printable(f"{display_path(f.path)}:{r.start.line + 1}:{r.start.character + 1}: {f.severity.label} {f.code} {f.message}")


def text_report(lines: list[str]) -> str:
    return "\n".join(lines) + ("\n" if lines else "")


def format_text(findings: list[Finding]) -> str:
    return text_report([text_line(f) for f in findings])


def json_item(f: Finding) -> str:
    """A finding as an item of the JSON report, indented as the report's
    ``json.dumps(indent=2)`` writes it."""
    d = f.to_json()
    d["file"] = display_path(f.path)
    for fix in d.get("fixes", []):
        for e in fix["edits"]:
            e["file"] = display_path(e["file"])
    return "  " + indented_json(d, "  ")


def json_report(items: list[str]) -> str:
    return ("[\n" + ",\n".join(items) + "\n]\n") if items else "[]\n"


def format_json(findings: list[Finding]) -> str:
    return json_report([json_item(f) for f in findings])


_encode_string = json.encoder.encode_basestring  # what json.dumps(ensure_ascii=False) writes a string with


def indented_json(value: Any, prefix: str = "") -> str:
    """``value`` written as ``json.dumps(value, indent=2, ensure_ascii=False)``
    writes it, at the depth whose lines start with ``prefix`` (the first
    line is not indented): the same text, without the standard library's
    general encoder, which for an indented document is written in Python
    and took most of the time of writing a large report."""
    t = type(value)
    if t is str:
        return _encode_string(value)
    if t is int:
        return int.__repr__(value)  # True is an int too, but not of this type
    inner = prefix + "  "
    if t is dict:
        if not value:
            return "{}"
        try:
            items = [inner + _encode_string(k) + ": " + indented_json(v, inner) for k, v in value.items()]
        except TypeError:  # a key that is not a string: as json writes it, below
            pass
        else:
            return "{\n" + ",\n".join(items) + "\n" + prefix + "}"
    elif t is list:
        if not value:
            return "[]"
        return "[\n" + ",\n".join([inner + indented_json(v, inner) for v in value]) + "\n" + prefix + "]"
    return json.dumps(value, indent=2, ensure_ascii=False).replace("\n", "\n" + prefix)  # anything else as json writes it


def _itself(f: Finding) -> Finding:
    return f


def format_sarif(findings: list[Finding]) -> str:
    used = sorted({f.code for f in findings} | set(RULES))
    index = {code: i for i, code in enumerate(used)}
    rules: list[dict[str, object]] = []
    for code in used:
        r = RULES.get(code)
        if r is None:
            rules.append({"id": code})
            continue
        entry: dict[str, object] = {
            "id": code,
            "name": "".join(w.capitalize() for w in code.split("-")),
            "shortDescription": {"text": r.title},
            "fullDescription": {"text": r.rationale},
            "defaultConfiguration": {"level": SARIF_LEVEL[r.severity]},
            "properties": {"category": r.category, "provider": r.provider},
        }
        if r.link:
            entry["helpUri"] = r.link
        rules.append(entry)
    results = []
    for f in findings:
        where = f.range
        result = {
            "ruleId": f.code,
            "ruleIndex": index[f.code],
            "level": SARIF_LEVEL[f.severity],
            "message": {"text": f.message},
            "locations": [
                {
                    "physicalLocation": {
                        "artifactLocation": {"uri": Path(f.path).resolve().as_uri()},
                        "region": {
                            "startLine": where.start.line + 1,
                            "startColumn": where.start.character + 1,
                            "endLine": where.end.line + 1,
                            "endColumn": where.end.character + 1,
                        },
                    }
                }
            ],
        }
        if f.fixes:
            result["fixes"] = [
                {
                    "description": {"text": fix.title},
                    "artifactChanges": [
                        {
                            "artifactLocation": {"uri": Path(e.path).resolve().as_uri()},
                            "replacements": [
                                {
                                    "deletedRegion": {
                                        "startLine": e.range.start.line + 1,
                                        "startColumn": e.range.start.character + 1,
                                        "endLine": e.range.end.line + 1,
                                        "endColumn": e.range.end.character + 1,
                                    },
                                    "insertedContent": {"text": e.new_text},
                                }
                            ],
                        }
                        for e in fix.edits
                        if e.range is not None
                    ],
                }
                for fix in f.fixes
            ]
        results.append(result)
    doc = {
        "$schema": "https://json.schemastore.org/sarif-2.1.0.json",
        "version": "2.1.0",
        "runs": [
            {
                "tool": {
                    "driver": {
                        "name": "zcsec",
                        "version": __version__,
                        "informationUri": "https://github.com/zcsec/zcsec",
                        "rules": rules,
                    }
                },
                "results": results,
            }
        ],
    }
    return json.dumps(doc, indent=2, ensure_ascii=False) + "\n"


@dataclass(frozen=True, slots=True)
class Report:
    """How ``zcsec check`` writes one format: ``part`` of each finding,
    then the report (``whole``) of the parts in the order of the findings."""

    part: Callable[[Finding], Any]
    whole: Callable[[list[Any]], str]


# SARIF is written from the findings themselves: its rule index depends on
# every code reported.
REPORTS = {
    "text": Report(text_line, text_report),
    "json": Report(json_item, json_report),
    "sarif": Report(_itself, format_sarif),
}


def rules_text() -> str:
    lines = []
    for code in sorted(RULES):
        r = RULES[code]
        lines.append(f"{code:34} {r.severity.label:12} {r.title}")
    return "\n".join(lines) + "\n"


def rules_json() -> str:
    """Every rule as JSON; "file" is the file that defines it, relative to
    the root of zcsec's repository (server/zcsec/rules/NAME.py)."""
    out = []
    for code in sorted(RULES):
        r = RULES[code]
        out.append(
            {
                "code": code,
                "title": r.title,
                "severity": r.severity.label,
                "category": r.category,
                "provider": r.provider,
                "rationale": r.rationale,
                "link": r.link,
                "bad": r.bad,
                "good": r.good,
                "fix": r.fix,
                "fixSafe": r.fix_safe,
                "settledBy": list(r.unsettled_by),
                "exampleUntestable": r.example_untestable,
                "file": r.source_file,
            }
        )
    return json.dumps(out, indent=2, ensure_ascii=False) + "\n"


CATEGORY_TITLES = [
    ("security", "Security rules"),
    ("schema", "Catalogue rules (server.xml)"),
    ("csd", "Catalogue rules (CSD)"),
    ("syntax", "Syntax"),
    ("model", "Files, includes and settings"),
]


def rules_markdown() -> str:
    out = [
        "# zcsec rules",
        "",
        "<!-- Generated by `zcsec rules --format markdown`; do not edit by hand. -->",
        "",
        "Every diagnostic zcsec reports has one of these codes. Change a rule's severity or turn it off in",
        "`.zcsec.toml` (`[rules]`, see [configuration.md](configuration.md)); suppress one finding with",
        "`<!-- zcsec-disable-next-line CODE -->` in XML or a `* zcsec-disable-next-line CODE` record in CSD input.",
        "",
        "zcsec's tests run every rule's examples: what is shown as flagged must be reported, what is shown as",
        "accepted must not. An example is the body of a server.xml (the tests put it in a `<server>` with the",
        "features of z/OS Connect OpenAPI 2 and its providers, unless it has a `<featureManager>` of its own), a",
        "whole file that starts with `<server>` or `<?xml`, DFHCSDUP input, or several files, each after a line",
        "`--- NAME` (`--- cics.csd`, `--- .zcsec.toml`).",
        "",
    ]
    for cat, title in CATEGORY_TITLES:
        codes = sorted(c for c, r in RULES.items() if r.category == cat)
        if not codes:
            continue
        out.append(f"## {title}")
        out.append("")
        out.append("| Code | Severity | Provider | Title |")
        out.append("|---|---|---|---|")
        for c in codes:
            r = RULES[c]
            out.append(f"| [`{c}`](#{c}) | {r.severity.label} | {r.provider} | {r.title} |")
        out.append("")
        for c in codes:
            r = RULES[c]
            out.append(f"### {c}")
            out.append("")
            out.append(f"**{r.title}** — default severity *{r.severity.label}*, provider *{r.provider}*, defined in [`{r.source_file}`](../{r.source_file}).")
            out.append("")
            out.append(r.rationale)
            out.append("")
            if r.unsettled_by:
                out.append("Settled by `.zcsec.toml`: " + ", ".join(f"`{s}`" for s in r.unsettled_by) + ". Until then the finding has a lower severity.")
                out.append("")
            if r.fix:
                out.append(f"Quick fix: {r.fix}" + (" Safe: \"fix all\" in the editor and `zcsec check --fix` apply it." if r.fix_safe else ""))
                out.append("")
            for label, example in (("Flagged", r.bad), ("Accepted", r.good)):
                if example:
                    out.extend([f"{label}:", "", "```", example, "```", ""])
            if r.example_untestable:
                out.append(f"No example: {r.example_untestable}.")
                out.append("")
            if r.link:
                out.append(f"Reference: <{r.link}>")
                out.append("")
    return "\n".join(out).rstrip("\n") + "\n"


POSTURE_COLUMNS = ("Provider", "Connection", "Target", "Caller", "Transport", "TLS floor", "Bind", "Link user", "Identity sent", "CICS side", "Not established")


def _posture_row(p) -> list[str]:
    cics = p.cics.summary if p.cics is not None else None
    return [
        p.provider_name,
        f"{p.element.name} id={p.id}" if p.id else p.element.name,
        f"{p.target}  ({display_path(p.element.path)})",
        p.caller.detail if p.caller is not None else "-",
        p.transport_detail,
        p.tls_floor or "-",
        p.bind,
        p.link_user or "-",
        p.identity_detail,
        cics or "-",
        "; ".join(p.unknowns) or "-",
    ]


def format_posture_text(rows) -> str:
    if not rows:
        return "No connections to systems of record found.\n"
    table = [("Provider", "Connection", "Caller", "Transport", "Bind", "Link user", "Identity sent")]
    for p in rows:
        link = p.link_short or "-"
        caller = "-" if p.caller is None else p.caller.kind + (f" ({p.caller.registry})" if p.caller.registry not in (None, "none") else "")
        table.append((p.provider_name, p.id or p.element.name, caller, p.transport, p.bind, link, p.identity))
    widths = [max(len(r[i]) for r in table) for i in range(len(table[0]))]
    out = ["  ".join(c.ljust(w) for c, w in zip(r, widths)).rstrip() for r in table]
    out.insert(1, "  ".join("-" * w for w in widths))
    out.append("")
    for p in rows:
        values = _posture_row(p)
        out.append(f"{values[0]}: {values[1]}")
        for label, value in zip(POSTURE_COLUMNS[2:], values[2:]):
            out.append(f"  {label + ':':17} {value}")
        out.append("")
    return "\n".join(printable(line) for line in out)


def format_posture_json(rows) -> str:
    items = []
    for p in rows:
        d = p.to_json()
        d["file"] = display_path(d["file"])
        if d.get("cics"):
            for k in ("tcpipserviceFile", "ipconnFile"):
                if d["cics"].get(k):
                    d["cics"][k] = display_path(d["cics"][k])
        items.append(d)
    return json.dumps(items, indent=2, ensure_ascii=False) + "\n"


def _target_label(p) -> str:
    return f"{p.provider_name} {p.target}"


def format_posture_markdown(rows) -> str:
    """The posture for a pull request or an audit: a Mermaid picture of the
    server and its systems of record, each connection an edge coloured by
    strength, then the table."""
    out = ["# zcsec: security posture", ""]
    if not rows:
        return "\n".join(out + ["No connections to systems of record found.", ""])
    colours = {"weak": "#d73a49", "unknown": "#d29922", "sound": "#22863a"}
    graph = ["```mermaid", "flowchart LR", '  zc["z/OS Connect"]']
    callers = sorted({p.caller.summary for p in rows if p.caller is not None})
    for i, summary in enumerate(callers):
        graph.append(f'  caller{i}(["{_mermaid(summary)}"]) --> zc')
    targets: dict[str, str] = {}
    for p in rows:
        targets.setdefault(_target_label(p), f"sor{len(targets)}")
    for label, node in targets.items():
        graph.append(f'  {node}[("{_mermaid(label)}")]')
    for i, p in enumerate(rows):
        graph.append(f'  zc -- "{_mermaid((p.id or p.element.name) + ": " + p.one_line())}" --> {targets[_target_label(p)]}')
    for i, p in enumerate(rows):
        graph.append(f"  linkStyle {len(callers) + i} stroke:{colours[p.strength]},stroke-width:2px")
    graph.append("```")
    out += graph + [""]
    header = ("Connection", "Provider", "Target", "Security", "Weak because", "Not established")
    out.append("| " + " | ".join(header) + " |")
    out.append("|" + "---|" * len(header))
    for p in rows:
        cells = (p.id or p.element.name, p.provider_name, p.target, p.one_line(), "; ".join(p.weaknesses()) or "-", "; ".join(p.unknowns) or "-")
        out.append("| " + " | ".join(_md_cell(c) for c in cells) + " |")
    return "\n".join(out) + "\n"


def _mermaid(text: str) -> str:
    return html.escape(printable(text), quote=True).replace("&quot;", "#quot;").replace("&#x27;", "#39;")


def _md_cell(text: str) -> str:
    return printable(text).replace("|", "\\|").replace("\n", " ")


_HTML_STYLE = """
body { font-family: system-ui, sans-serif; margin: 2em; color: #1f2328; }
h1 { font-size: 1.4em; }
.map { display: flex; gap: 1.5em; align-items: center; margin: 1.5em 0; }
.server { flex: 0 0 12em; border: 2px solid #1f2328; border-radius: 6px; padding: 1em; text-align: center; font-weight: bold; }
.edges { flex: 1; display: flex; flex-direction: column; gap: 0.4em; }
.edge { border-left: 6px solid; padding: 0.4em 0.8em; background: #f6f8fa; border-radius: 4px; }
.edge.weak { border-color: #d73a49; } .edge.unknown { border-color: #d29922; } .edge.sound { border-color: #22863a; }
.edge .why { color: #d73a49; font-size: 90%; }
table { border-collapse: collapse; width: 100%; } th, td { border: 1px solid #d0d7de; padding: 4px 6px; text-align: left; vertical-align: top; }
th { background: #f6f8fa; }
"""


def format_posture_html(rows) -> str:
    """The posture as one self-contained HTML file (no script, font or
    image is fetched from anywhere), for auditors."""
    e = html.escape
    edges = []
    for p in rows:
        why = "; ".join(p.weaknesses())
        edges.append(
            f'<div class="edge {p.strength}"><b>{e(p.id or p.element.name)}</b> → {e(_target_label(p))}<br>{e(p.one_line())}'
            + (f'<div class="why">weak: {e(why)}</div>' if why else "")
            + "</div>"
        )
    rows_html = "".join(
        "<tr>" + "".join(f"<td>{e(c)}</td>" for c in _posture_row(p)) + "</tr>" for p in rows
    ) or f'<tr><td colspan="{len(POSTURE_COLUMNS)}">No connections to systems of record found.</td></tr>'
    return (
        "<!DOCTYPE html>\n<html lang=\"en\"><head><meta charset=\"UTF-8\">"
        "<meta http-equiv=\"Content-Security-Policy\" content=\"default-src 'none'; style-src 'unsafe-inline'\">"
        f"<title>zcsec: security posture</title><style>{_HTML_STYLE}</style></head><body>"
        "<h1>Security posture of every connection to a system of record</h1>"
        f'<div class="map"><div class="server">z/OS Connect</div><div class="edges">{"".join(edges)}</div></div>'
        "<table><thead><tr>" + "".join(f"<th>{e(c)}</th>" for c in POSTURE_COLUMNS) + f"</tr></thead><tbody>{rows_html}</tbody></table>"
        "</body></html>\n"
    )
