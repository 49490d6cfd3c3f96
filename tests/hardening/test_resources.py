"""Resource bounds: CPU time and peak memory of ``zcsec check`` on hostile
inputs stay bounded.  Each input is analysed in a fresh child process that
reports its own CPU time and ru_maxrss, so that one measurement never
includes another's.  The bounds are generous (a slow CI machine must pass);
the comments give what a 2-core development machine measures."""

from __future__ import annotations

import re
import sys
from pathlib import Path

import pytest

from hardening_support import EXAMPLES, measure

pytestmark = pytest.mark.skipif(sys.platform == "win32", reason="ru_maxrss is POSIX")


@pytest.fixture(scope="module")
def baseline(tmp_path_factory) -> float:
    """Peak memory of a child that imports zcsec and checks a tiny file."""
    d = tmp_path_factory.mktemp("tiny")
    (d / "server.xml").write_text("<server/>")
    return measure(d)["maxrss_mb"]


def write(folder: Path, name: str, data: str | bytes) -> Path:
    folder.mkdir(parents=True, exist_ok=True)
    p = folder / name
    p.write_bytes(data if isinstance(data, bytes) else data.encode("utf-8"))
    return folder


def test_a_50_mb_file_is_refused_without_being_read(tmp_path, baseline):
    # ~0.01 s, no memory above the baseline: the size is checked before reading.
    folder = write(tmp_path, "server.xml", b"<server>" + b"<!-- padding -->" * (50 * 1024 * 1024 // 16) + b"</server>")
    r = measure(folder)
    assert r["codes"] == {"file-too-large": 1}
    assert r["cpu"] < 2
    assert r["maxrss_mb"] < baseline + 30, (r, baseline)


def test_ten_thousand_levels_of_nesting(tmp_path, baseline):
    # ~0.4 s, ~35 MB above the baseline.
    text = "<server>" + "<ssl>" * 10_000 + "</ssl>" * 10_000 + "<zosconnect_cicsIpicConnection>" * 10_000 + "</server>"
    r = measure(write(tmp_path, "server.xml", text))
    assert r["codes"]["xml-unclosed"] == 10_000
    assert r["cpu"] < 10
    assert r["maxrss_mb"] < baseline + 300, (r, baseline)


def test_ten_mb_attribute_values(tmp_path, baseline):
    # ~0.5 s, ~50 MB above the baseline (the 20 MB file decoded once).
    text = '<server><variable name="x" value="' + "A" * 10_000_000 + '"/><authData id="a" password="' + "B" * 10_000_000
    r = measure(write(tmp_path, "server.xml", text))
    assert r["cpu"] < 10
    assert r["maxrss_mb"] < baseline + 500, (r, baseline)


def test_one_5_mb_line(tmp_path, baseline):
    # A real server.xml (with its problems) on one line, repeated to 5 MB:
    # ~4 s, ~120 MB above the baseline for ~2,700 copies and ~20,000 findings.
    source = (EXAMPLES / "cics-insecure" / "server.xml").read_text(encoding="utf-8")
    body = re.sub(r"\s*\n\s*", " ", source.split("<server", 1)[1].split(">", 1)[1].rsplit("</server>", 1)[0])
    parts, size, i = [], 0, 0
    while size < 5_000_000:
        parts.append(re.sub(r'id="([^"]+)"', lambda m: f'id="{m.group(1)}{i}"', body))
        size += len(parts[-1])
        i += 1
    text = "<server>" + "".join(parts) + "</server>"
    assert "\n" not in text
    r = measure(write(tmp_path, "server.xml", text))
    assert r["cpu"] < 30
    assert r["maxrss_mb"] < baseline + 600, (r, baseline)


def test_a_million_syntax_errors(tmp_path, baseline):
    # ~3 s, ~150 MB: problems are capped at 25,000 per file.
    r = measure(write(tmp_path, "server.xml", "<server>" + "<" * 1_000_000 + "</server>"))
    assert r["codes"]["xml-syntax"] == 25_001
    assert r["cpu"] < 20
    assert r["maxrss_mb"] < baseline + 600, (r, baseline)


def test_entity_and_variable_laughs(tmp_path, baseline):
    lol = "".join(f'<!ENTITY l{i} "{("&l%d;" % (i - 1)) * 10 if i else "lol"}">' for i in range(10))
    chain = "".join(f'<variable name="v{i}" value="{("${v%d}" % (i + 1)) * 10}"/>' for i in range(12))
    text = f'<!DOCTYPE server [{lol}]><server><variable name="e" value="&l9;"/>{chain}<variable name="v12" value="lol"/><include location="${{v0}}"/></server>'
    r = measure(write(tmp_path, "server.xml", text))
    assert r["codes"]["xml-doctype"] == 1 and r["codes"]["include-unresolved"] == 1
    assert r["cpu"] < 5
    assert r["maxrss_mb"] < baseline + 50, (r, baseline)


def test_hundred_thousand_defines(tmp_path, baseline):
    # 100,000 DEFINEs, every fourth an IPIC listener that gets a finding with
    # a quick fix (building each fix once searched the whole 8 MB text: that
    # made 100,000 such findings take over five minutes).  ~10 s and ~400 MB
    # above the baseline on the development machine.
    text = "".join(
        f" DEFINE TCPIPSERVICE(T{i:07d}) GROUP(G{i % 100:03d})\n        PORTNUMBER({1000 + i % 50000}) PROTOCOL(IPIC) SSL(NO)\n"
        if i % 4 == 0
        else f" DEFINE PROGRAM(P{i:07d}) GROUP(G{i % 100:03d})\n        LANGUAGE(COBOL) EXECKEY(USER)\n"
        for i in range(100_000)
    )
    r = measure(write(tmp_path, "defs.csd", text))
    assert sum(r["codes"].values()) == 25_000, r["codes"]
    assert r["cpu"] < 60
    assert r["maxrss_mb"] < baseline + 1500, (r, baseline)
