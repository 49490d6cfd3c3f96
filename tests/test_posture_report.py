"""zcsec posture --format markdown (a Mermaid picture and a table, for pull
requests) and --format html (one self-contained page, for auditors)."""

from __future__ import annotations

import re
from pathlib import Path

from zcsec.cli import main

EXAMPLES = Path(__file__).resolve().parents[1] / "examples"


def test_markdown_has_a_picture_coloured_by_strength_and_a_table(capsys):
    assert main(["posture", str(EXAMPLES / "cics-insecure"), "--format", "markdown"]) == 0
    out = capsys.readouterr().out
    assert out.startswith("# zcsec: security posture\n\n```mermaid\nflowchart LR\n")
    edges = re.findall(r'^  zc -- "(.*)" --> sor\d+$', out, re.M)
    assert len(edges) == 3 and edges[0].startswith("cicsConn: plain TCP")
    styles = re.findall(r"^  linkStyle (\d+) stroke:(#\w+)", out, re.M)
    assert [c for _, c in styles] == ["#d73a49", "#d73a49", "#d29922"]  # weak, weak, unknown
    assert "| cicsPlain | CICS (IPIC) |" in out and "runs under the region's default user" in out


def test_html_is_self_contained_escaped_and_coloured(tmp_path, capsys):
    server = tmp_path / "server.xml"
    server.write_text(
        '<server>\n<featureManager><feature>zosconnect:zosConnect-2.0</feature><feature>zosconnect:cicsService-1.0</feature></featureManager>\n'
        '<zosconnect_cicsIpicConnection id="a&lt;b&gt;" host="cics.example.com" port="1491"/>\n</server>\n'
    )
    assert main(["posture", str(tmp_path), "--format", "html"]) == 0
    out = capsys.readouterr().out
    assert out.startswith("<!DOCTYPE html>") and "default-src 'none'" in out
    assert not re.search(r"\b(src|href)=|https?://|<script|@import|url\(", out)
    assert "a&lt;b&gt;" in out and "a<b>" not in out
    assert '<div class="edge weak">' in out and "weak: plain text on the network" in out
