"""Fix all from the command line: ``zcsec check --fix`` and ``--diff``
(zcsec.fixing).  The editor's "fix all" action is tested in
tests/lsp/test_code_actions.py."""

from __future__ import annotations

import shutil
from pathlib import Path

import pytest

from conftest import write

from zcsec import fixing
from zcsec.analysis import analyse_projects
from zcsec.cli import main
from zcsec.rules import RULES

EXAMPLES = Path(__file__).resolve().parents[1] / "examples"
SAFE = {c for c, r in RULES.items() if r.fix_safe}


def fixable(paths) -> list[tuple[str, str]]:
    return sorted((f.code, f.path) for r in analyse_projects([str(p) for p in paths]) for f in r.findings if f.code in SAFE and f.fixes)


@pytest.fixture
def insecure(tmp_path) -> Path:
    for example in sorted(EXAMPLES.glob("*-insecure")):
        shutil.copytree(example, tmp_path / example.name)
    return tmp_path


def test_fix_applies_every_safe_fix_on_the_insecure_examples(insecure, capsys):
    before = fixable([insecure])
    assert {code for code, _ in before} >= {"csd-keyword-protocol", "ims-liberty-tls", "mq-tls-in-bindings-mode", "credentials-attribute-name"}
    untouched = {p: p.read_bytes() for p in insecure.rglob("*") if p.is_file()}
    touched = {path for _, path in before}
    main(["check", "--fix", str(insecure)])
    err = capsys.readouterr().err
    assert fixable([insecure]) == []
    for path in touched:
        assert f"in {path} (" in err, (path, err)  # tmp_path is outside the working folder: shown whole
    # Files without a safe fix are not rewritten at all.
    for p, data in untouched.items():
        if str(p) not in touched:
            assert p.read_bytes() == data, p
    # And no temporary file is left behind.
    assert not list(insecure.rglob(".zcsec-fix-*"))


def test_diff_shows_the_fixes_writes_nothing_and_hides_secrets(tmp_path, capsys):
    server = write(tmp_path, "server.xml", '<server>\n    <authData id="a" User="ZCUSER" Password="CANARY-pw-1"/>\n</server>\n')
    before = server.read_bytes()
    assert main(["check", "--diff", str(tmp_path)]) == 0
    out = capsys.readouterr().out
    assert server.read_bytes() == before
    assert "-    <authData" in out and "+    <authData" in out and 'user="ZCUSER"' in out
    assert "CANARY" not in out and 'password="********"' in out


def test_bom_and_line_endings_are_kept(tmp_path):
    text = '<server>\r\n    <keyStore id="ks" location="safkeyring:///ZC.Ring" type="JCERACFKS" readOnly="true"/>\r\n    <authData id="a" User="ZCUSER" password="{aes}AAAA"/>\r\n</server>\r\n'
    server = tmp_path / "server.xml"
    server.write_bytes(b"\xef\xbb\xbf" + text.encode("utf-8"))
    main(["check", "--fix", str(tmp_path)])
    data = server.read_bytes()
    assert data.startswith(b"\xef\xbb\xbf")
    assert data.count(b"\r\n") == text.count("\r\n") and b"\n" not in data.replace(b"\r\n", b"")
    assert b'user="ZCUSER"' in data


def test_a_file_that_is_not_utf8_is_left_alone_with_a_message(tmp_path, capsys):
    text = '<?xml version="1.0" encoding="UTF-16"?>\n<server>\n    <authData id="a" User="ZCUSER" password="{aes}AAAA"/>\n</server>\n'
    server = tmp_path / "server.xml"
    server.write_bytes(text.encode("utf-16"))
    before = server.read_bytes()
    main(["check", "--fix", str(tmp_path)])
    assert server.read_bytes() == before
    err = capsys.readouterr().err
    assert "left server.xml alone: it is not UTF-8 text" in err.replace(str(tmp_path) + "/", "")


def test_a_file_changed_since_it_was_read_is_not_written(tmp_path):
    server = write(tmp_path, "server.xml", "<server/>\n")
    with pytest.raises(fixing.NotWritten, match="changed since it was read"):
        fixing.write(str(server), "<server>\n</server>\n", "<server/>\n")
    assert server.read_text() == "<server/>\n"


def test_overlapping_fixes_are_taken_one_at_a_time():
    from zcsec.findings import Edit

    assert fixing._overlaps((5, 9), [(8, 12)]) and fixing._overlaps((5, 5), [(5, 5)]) and fixing._overlaps((6, 6), [(5, 9)])
    assert not fixing._overlaps((5, 9), [(9, 12)]) and not fixing._overlaps((5, 5), [(5, 9)])
    assert fixing.apply("abcdef", [Edit("p", (1, 2), "X"), Edit("p", (4, 4), "Y")]) == "aXcdYef"
