"""The command line: output formats, exit codes, folder search, the rule list
and the version, in-process through zcsec.cli.main and as a real process."""

from __future__ import annotations

import json
import os
import re
import subprocess
import sys
from pathlib import Path

import pytest
from hypothesis import given
from hypothesis import strategies as st

from conftest import write

import zcsec
from zcsec.cli import main
from zcsec.output import indented_json
from zcsec.rules import RULES

REPO_ROOT = Path(__file__).resolve().parents[1]
RULES_DOC = REPO_ROOT / "docs" / "rules.md"
TEXT_LINE = re.compile(r"^(?P<path>.+?):(?P<line>\d+):(?P<col>\d+): (?P<severity>error|warning|information|hint) (?P<code>[a-z0-9]+(?:-[a-z0-9]+)*) (?P<message>\S.*)$")
JSON_KEYS = {"file", "range", "severity", "code", "message"}
OPTIONAL_KEYS = {"fixes", "related"}

CLEAN = "<server>\n</server>\n"
WARNING_ONLY = "<!DOCTYPE server>\n<server>\n</server>\n"
# Line 2 (1-based) has an error at column 33 (the '&').
ERROR = '<server>\n    <variable name="x" value="a & b"/>\n</server>\n'
SERVER = """\
<server>
    <featureManager>
        <feature>zosconnect:zosConnect-2.0</feature>
        <feature>zosconnect:cicsService-1.0</feature>
    </featureManager>
    <zosconnect_cicsIpicConnection id="cics" host="cics.example.com" port="1491"
        authDataRef="nope" sslCertRef="x"/>
</server>
"""
CSD = """\
 DEFINE TCPIPSERVICE(ZCIPIC1) GROUP(ZCGRP)
        PORTNUMBER(1491) PROTOCOL(IPIC) TRANSACTION(CISS)
 DEFINE IPCONN(ZCEECONN) GROUP(ZCGRP) TCPIPSERVICE(ZCIPIC1) BOGUS(1)
"""


def run(capsys, *argv: str) -> tuple[int, str, str]:
    """zcsec in-process: (exit code, stdout, stderr)."""
    try:
        code = main(list(argv))
    except SystemExit as exc:  # argparse: --version, usage errors
        code = exc.code
    out, err = capsys.readouterr()
    return code, out, err


def run_process(*argv: str, cwd: Path) -> subprocess.CompletedProcess:
    env = dict(os.environ)
    env["PYTHONPATH"] = os.pathsep.join([str(REPO_ROOT / "server"), env.get("PYTHONPATH", "")]).rstrip(os.pathsep)
    return subprocess.run([sys.executable, "-m", "zcsec", *argv], cwd=cwd, env=env, capture_output=True, text=True, timeout=120)


@pytest.fixture
def tree(tmp_path, monkeypatch) -> Path:
    """A checkout with a Liberty server, CSD input and unrelated XML."""
    write(tmp_path, "wlp/usr/servers/zc1/server.xml", SERVER)
    write(tmp_path, "cics/defs/zcipic.csd", CSD)
    write(tmp_path, "pom.xml", '<project>\n  <name>a &bogus; b</name>\n</project>\n')
    write(tmp_path, "wlp/usr/servers/zc1/logs/messages.xml", "<log>&bad;</log>\n")
    monkeypatch.chdir(tmp_path)
    return tmp_path


def items(out: str) -> list[dict]:
    data = json.loads(out)
    assert isinstance(data, list)
    return data


# ---------------------------------------------------------------------------
# Formats
# ---------------------------------------------------------------------------


def test_text_format(tree, capsys):
    code, out, err = run(capsys, "check", ".")
    assert code == 1
    lines = out.splitlines()
    assert lines
    parsed = []
    for line in lines:
        m = TEXT_LINE.match(line)
        assert m, line
        parsed.append(m)
    # Paths are shown relative to the working folder.
    assert {m["path"] for m in parsed} == {"wlp/usr/servers/zc1/server.xml", "cics/defs/zcipic.csd"}
    # 1-based positions: authDataRef="nope" is on line 7, 'nope' at column 22.
    ref = [m for m in parsed if m["code"] == "ref-unresolved"]
    assert [(m["line"], m["col"], m["severity"]) for m in ref] == [("7", "22", "error")]
    assert "nope" in ref[0]["message"]
    # The same findings as JSON, shifted by one.
    _, jout, _ = run(capsys, "check", ".", "--format", "json")
    data = items(jout)
    assert [(d["file"], d["range"]["start"]["line"] + 1, d["range"]["start"]["character"] + 1, d["severity"], d["code"], d["message"]) for d in data] == [
        (m["path"], int(m["line"]), int(m["col"]), m["severity"], m["code"], m["message"]) for m in parsed
    ]
    assert re.fullmatch(r"zcsec: 2 file\(s\) checked, .*\n", err)


def test_json_format(tree, capsys):
    code, out, _ = run(capsys, "check", "wlp", "--format", "json")
    assert code == 1
    data = items(out)
    assert data
    for d in data:
        assert JSON_KEYS <= set(d) <= JSON_KEYS | OPTIONAL_KEYS, d.keys()
        assert d["severity"] in ("error", "warning", "information", "hint")
        assert d["code"] in RULES
        assert isinstance(d["message"], str) and d["message"]
        r = d["range"]
        assert set(r) == {"start", "end"}
        for pos in (r["start"], r["end"]):
            assert set(pos) == {"line", "character"}
            assert isinstance(pos["line"], int) and isinstance(pos["character"], int)
            assert pos["line"] >= 0 and pos["character"] >= 0
        assert (r["start"]["line"], r["start"]["character"]) <= (r["end"]["line"], r["end"]["character"])
        for fix in d.get("fixes", []):
            assert set(fix) == {"title", "edits"}
            for e in fix["edits"]:
                assert set(e) == {"file", "range", "newText"}
    # 0-based: 'nope' is on the 7th line (index 6), 22nd column (index 21).
    [ref] = [d for d in data if d["code"] == "ref-unresolved"]
    assert ref["file"] == "wlp/usr/servers/zc1/server.xml"
    assert ref["range"] == {"start": {"line": 6, "character": 21}, "end": {"line": 6, "character": 25}}
    [attr] = [d for d in data if d["code"] == "unknown-attribute"]
    assert attr["range"]["start"] == {"line": 6, "character": 27}
    assert attr["fixes"][0]["edits"][0] == {"file": "wlp/usr/servers/zc1/server.xml", "range": attr["range"], "newText": "sslCertsRef"}


def test_json_format_empty(tmp_path, capsys):
    p = write(tmp_path, "server.xml", CLEAN)
    code, out, _ = run(capsys, "check", str(p), "--format", "json")
    assert (code, json.loads(out)) == (0, [])


def test_sarif_format(tree, capsys):
    code, out, _ = run(capsys, "check", ".", "--format", "sarif")
    assert code == 1
    doc = json.loads(out)
    assert doc["version"] == "2.1.0"
    [run_] = doc["runs"]
    driver = run_["tool"]["driver"]
    assert driver["name"] == "zcsec" and driver["version"] == zcsec.__version__
    rules = driver["rules"]
    ids = [r["id"] for r in rules]
    assert len(ids) == len(set(ids))
    results = run_["results"]
    _, jout, _ = run(capsys, "check", ".", "--format", "json")
    data = items(jout)
    assert len(results) == len(data) > 0
    for res, d in zip(results, data):
        assert res["ruleId"] in ids
        assert rules[res["ruleIndex"]]["id"] == res["ruleId"]
        assert res["level"] in ("error", "warning", "note")
        [loc] = res["locations"]
        phys = loc["physicalLocation"]
        assert phys["artifactLocation"]["uri"] == (tree / d["file"]).resolve().as_uri()
        region = phys["region"]
        assert region == {
            "startLine": d["range"]["start"]["line"] + 1,
            "startColumn": d["range"]["start"]["character"] + 1,
            "endLine": d["range"]["end"]["line"] + 1,
            "endColumn": d["range"]["end"]["character"] + 1,
        }
        assert min(region.values()) >= 1
    [ref] = [r for r in results if r["ruleId"] == "ref-unresolved"]
    assert ref["level"] == "error"
    assert ref["locations"][0]["physicalLocation"]["region"]["startLine"] == 7
    assert ref["locations"][0]["physicalLocation"]["region"]["startColumn"] == 22


# ---------------------------------------------------------------------------
# Exit codes
# ---------------------------------------------------------------------------


@pytest.mark.parametrize(
    "text, argv, expected",
    [
        (CLEAN, [], 0),
        (CLEAN, ["--fail-on", "hint"], 0),
        (ERROR, [], 1),
        (ERROR, ["--fail-on", "error"], 1),
        (ERROR, ["--fail-on", "never"], 0),
        (WARNING_ONLY, [], 0),
        (WARNING_ONLY, ["--fail-on", "warning"], 1),
        (WARNING_ONLY, ["--fail-on", "information"], 1),
        (WARNING_ONLY, ["--fail-on", "never"], 0),
    ],
)
def test_exit_codes(tmp_path, capsys, text, argv, expected):
    p = write(tmp_path, "server.xml", text)
    code, out, _ = run(capsys, "check", str(p), "--format", "json", *argv)
    severities = {d["severity"] for d in items(out)}
    assert severities == {CLEAN: set(), ERROR: {"error"}, WARNING_ONLY: {"warning"}}[text]
    assert code == expected


def test_error_position_in_text(tmp_path, capsys, monkeypatch):
    monkeypatch.chdir(tmp_path)
    write(tmp_path, "server.xml", ERROR)
    code, out, _ = run(capsys, "check", "server.xml")
    assert code == 1
    assert out.splitlines() == ["server.xml:2:33: error xml-entity a bare '&' must be written as '&amp;'"]


def test_nonexistent_path_alone(tmp_path, capsys):
    code, out, err = run(capsys, "check", str(tmp_path / "nope.xml"))
    assert code == 2
    assert "file-unreadable" in out
    assert "no Liberty configuration or CSD input could be read" in err


def test_empty_folder(tmp_path, capsys):
    write(tmp_path, "README.md", "nothing to check\n")
    code, _, err = run(capsys, "check", str(tmp_path))
    assert code == 2
    assert "could be read" in err


@pytest.mark.parametrize(
    "argv",
    [
        ["check", "--bogus", "x.xml"],
        ["check", "x.xml", "--format", "yaml"],
        ["check", "x.xml", "--fail-on", "sometimes"],
        ["check"],
        ["frobnicate"],
        ["rules", "--format", "html"],
    ],
)
def test_usage_errors(tmp_path, capsys, argv):
    code, out, err = run(capsys, *argv)
    assert code == 2
    assert out == ""
    assert "usage:" in err


def test_no_command_is_a_usage_error(capsys):
    code, _, err = run(capsys)
    assert code == 2
    assert "usage:" in err


def test_unreadable_file_among_good_ones(tmp_path, capsys, monkeypatch):
    monkeypatch.chdir(tmp_path)
    write(tmp_path, "a/server.xml", CLEAN)
    write(tmp_path, "b/server.xml", WARNING_ONLY)
    write(tmp_path, "blob.csd", b"\x00\x01\x02binary\x00")
    code, out, _ = run(capsys, "check", "a/server.xml", "missing.xml", "blob.csd", "b/server.xml", "--format", "json")
    found = sorted((d["file"], d["code"], d["severity"]) for d in items(out))
    assert found == [
        ("b/server.xml", "xml-doctype", "warning"),
        ("blob.csd", "file-binary", "warning"),
        ("missing.xml", "file-unreadable", "error"),
    ]
    assert code == 1  # by the findings: file-unreadable is an error
    code, out, _ = run(capsys, "check", "a/server.xml", "blob.csd", "b/server.xml", "--format", "json")
    assert code == 0  # only warnings
    code, out, _ = run(capsys, "check", "a/server.xml", "missing.xml", "--fail-on", "never")
    assert code == 0


# ---------------------------------------------------------------------------
# Folder search
# ---------------------------------------------------------------------------


def test_folder_is_searched_recursively(tree, capsys):
    code, out, err = run(capsys, "check", ".", "--format", "json")
    files = {d["file"] for d in items(out)}
    assert files == {"wlp/usr/servers/zc1/server.xml", "cics/defs/zcipic.csd"}
    csd = [d for d in items(out) if d["file"].endswith(".csd")]
    assert ("csd-unknown-keyword", 2) in {(d["code"], d["range"]["start"]["line"]) for d in csd}
    # Each file checked is counted, nothing more.
    _, _, err = run(capsys, "check", ".")
    assert err.startswith("zcsec: 2 file(s) checked")


def test_unrelated_xml_named_explicitly_is_checked(tree, capsys):
    code, out, _ = run(capsys, "check", "pom.xml", "--format", "json")
    assert "xml-entity" in {d["code"] for d in items(out)}


def test_folder_search_honours_csd_globs(tmp_path, capsys, monkeypatch):
    monkeypatch.chdir(tmp_path)
    write(tmp_path, ".zcsec.toml", 'csd_files = ["csd/*.txt"]\n')
    write(tmp_path, "csd/defs.txt", " DEFINE\n   IPCONN(ZCEECONN) GROUP(ZCGRP) BOGUS(1)\n")
    code, out, _ = run(capsys, "check", ".", "--format", "json")
    assert "csd/defs.txt" in {d["file"] for d in items(out)}


# ---------------------------------------------------------------------------
# Rules, docs and version
# ---------------------------------------------------------------------------

# Every code the tests of the catalogue, syntax and model rules emit.
TESTED_CODES = {
    "unknown-element", "element-name-case", "unknown-attribute", "invalid-value", "value-out-of-range",
    "value-too-long", "missing-required-attribute", "ref-unresolved", "ref-wrong-type", "feature-missing",
    "variable-unresolved", "xml-syntax", "xml-unclosed", "xml-mismatch", "xml-entity",
    "xml-duplicate-attribute", "xml-doctype", "file-unreadable", "file-binary", "file-too-large",
    "file-encoding", "include-missing", "include-cycle", "include-unreadable", "include-remote",
    "include-unresolved", "include-not-server", "project-config", "csd-unknown-keyword",
}


def test_rules_json(capsys):
    code, out, _ = run(capsys, "rules", "--format", "json")
    assert code == 0
    data = json.loads(out)
    codes = [r["code"] for r in data]
    assert len(codes) == len(set(codes))
    assert set(codes) == set(RULES)
    assert TESTED_CODES <= set(codes), TESTED_CODES - set(codes)
    for r in data:
        assert r["severity"] in ("error", "warning", "information", "hint")
        assert r["title"] and r["rationale"]
        assert r["category"] in ("security", "schema", "csd", "syntax", "model")
        # The file that defines the rule, relative to the repository root.
        assert r["file"].startswith("server/zcsec/rules/") and (REPO_ROOT / r["file"]).is_file()


def test_codes_emitted_are_listed(tree, capsys):
    _, out, _ = run(capsys, "check", ".", "--format", "json")
    _, rules_out, _ = run(capsys, "rules", "--format", "json")
    listed = {r["code"] for r in json.loads(rules_out)}
    emitted = {d["code"] for d in items(out)}
    assert emitted and emitted <= listed


def test_rules_text(capsys):
    code, out, _ = run(capsys, "rules")
    assert code == 0
    assert [line.split()[0] for line in out.splitlines()] == sorted(RULES)


def test_rules_doc_is_current(capsys):
    assert RULES_DOC.is_file(), "docs/rules.md is missing: run `make rules-doc`"
    code, out, _ = run(capsys, "rules", "--format", "markdown")
    assert code == 0
    assert out == RULES_DOC.read_text(encoding="utf-8"), "docs/rules.md is out of date: run `make rules-doc`"


def test_version(capsys):
    code, out, _ = run(capsys, "--version")
    assert code == 0
    assert out == f"zcsec {zcsec.__version__}\n"
    assert re.fullmatch(r"zcsec \d+\.\d+\.\d+\S*\n", out)


# ---------------------------------------------------------------------------
# As a real process
# ---------------------------------------------------------------------------


def test_python_dash_m(tree):
    proc = run_process("check", ".", "--format", "json", cwd=tree)
    assert proc.returncode == 1, proc.stderr
    data = items(proc.stdout)
    assert {d["file"] for d in data} == {"wlp/usr/servers/zc1/server.xml", "cics/defs/zcipic.csd"}
    [ref] = [d for d in data if d["code"] == "ref-unresolved"]
    assert ref["range"]["start"] == {"line": 6, "character": 21}
    proc = run_process("check", ".", "--fail-on", "never", cwd=tree)
    assert proc.returncode == 0
    assert all(TEXT_LINE.match(line) for line in proc.stdout.splitlines())
    proc = run_process("check", "nope.xml", cwd=tree)
    assert proc.returncode == 2
    proc = run_process("check", "--no-such-option", cwd=tree)
    assert proc.returncode == 2 and "usage:" in proc.stderr
    proc = run_process("--version", cwd=tree)
    assert (proc.returncode, proc.stdout) == (0, f"zcsec {zcsec.__version__}\n")


@pytest.mark.parametrize("address", ["0.0.0.0:2087", "192.0.2.10:2087", "zcsec.example.com:2087", "[::]:2087"])
def test_serve_over_tcp_refuses_an_address_others_can_reach(address, capsys):
    """Issue 16: the server reads files for whoever connects, so --tcp takes
    a loopback address unless --allow-remote says otherwise."""
    with pytest.raises(SystemExit) as exc:
        main(["serve", "--tcp", address])
    assert exc.value.code == 2
    assert "--allow-remote" in capsys.readouterr().err


@pytest.mark.parametrize("host, loopback", [("127.0.0.1", True), ("localhost", True), ("::1", True), ("[::1]", True), ("127.8.9.1", True), ("0.0.0.0", False), ("10.1.2.3", False), ("example.com", False)])
def test_loopback_addresses(host, loopback):
    from zcsec.cli import is_loopback

    assert is_loopback(host) is loopback


def test_serve_over_tcp_on_loopback_or_with_allow_remote_starts(monkeypatch):
    import zcsec.lsp.app

    started = []
    monkeypatch.setattr(zcsec.lsp.app, "start", started.append)
    assert main(["serve", "--tcp", "127.0.0.1:2087"]) == 0
    assert main(["serve", "--tcp", "0.0.0.0:2087", "--allow-remote"]) == 0
    assert started == ["127.0.0.1:2087", "0.0.0.0:2087"]


@pytest.fixture
def projects(tmp_path):
    """Every example as a project of its own, one with an unreadable file."""
    examples = Path(__file__).resolve().parent.parent / "examples"
    for i, name in enumerate(sorted(p.name for p in examples.iterdir() if p.is_dir())):
        dest = tmp_path / f"p{i}"
        dest.mkdir()
        for src in (examples / name).rglob("*"):
            if src.is_file():
                write(dest, str(src.relative_to(examples / name)), src.read_bytes())
        write(dest, ".zcsec.toml", "")
    write(tmp_path, "p0/broken.csd", b"\x00\x01binary")
    return tmp_path


@pytest.mark.parametrize("fmt", ["json", "text", "sarif"])
def test_projects_checked_in_several_processes_give_the_serial_report(projects, capsys, fmt):
    """`check --jobs N` shares the projects among N processes (the largest
    first); the report is byte for byte the one of a serial run, unreadable
    files included, and so are the summary and the exit code."""
    reports = []
    for jobs in ("1", "3"):
        code = main(["check", str(projects), "--format", fmt, "--jobs", jobs])
        reports.append((code, *capsys.readouterr()))
    assert reports[0] == reports[1]
    assert reports[0][0] == 1
    assert reports[0][1].count("\n") > 10


def test_json_report_is_written_as_json_dumps_writes_it(projects, capsys):
    """The JSON report is written a finding at a time (in the processes
    that check the projects): the same text as json.dumps of the whole list."""
    main(["check", str(projects), "--format", "json", "--fail-on", "never"])
    out = capsys.readouterr().out
    data = json.loads(out)
    assert len(data) > 10 and any("fixes" in d for d in data) and any("related" in d for d in data)
    assert out == json.dumps(data, indent=2, ensure_ascii=False) + "\n"


JSON_VALUES = st.recursive(
    st.none() | st.booleans() | st.integers() | st.floats() | st.text(),
    lambda inner: st.lists(inner, max_size=4) | st.dictionaries(st.text(max_size=8), inner, max_size=4),
    max_leaves=20,
)


@given(JSON_VALUES, st.integers(min_value=0, max_value=3))
def test_indented_json_is_what_json_dumps_writes(value, depth):
    prefix = "  " * depth
    assert indented_json(value, prefix) == json.dumps(value, indent=2, ensure_ascii=False).replace("\n", "\n" + prefix)


@pytest.mark.parametrize("jobs", ["0", "-2", "many"])
def test_jobs_must_be_a_positive_number(tmp_path, capsys, jobs):
    with pytest.raises(SystemExit) as exit_info:
        main(["check", str(tmp_path), "--jobs", jobs])
    assert exit_info.value.code == 2
    assert "is not a positive whole number" in capsys.readouterr().err
