"""Hostile <include>s: cycles, self-inclusion, missing and unreadable
files, directories, pipes and devices, symlink loops, paths outside the
workspace (read, never written) and hundreds of includes."""

from __future__ import annotations

import os
import sys
import time

import pytest

from hardening_support import analyse_folder, codes


def server(*includes: str, extra: str = "") -> str:
    body = "".join(f'  <include location="{loc}"/>\n' for loc in includes)
    return f"<server>\n{body}{extra}</server>\n"


def messages(result, code: str) -> list[str]:
    return [f.message for f in result.findings if f.code == code]


def test_cycle_and_self_include(tmp_path):
    (tmp_path / "server.xml").write_text(server("a.xml", "server.xml"))
    (tmp_path / "a.xml").write_text(server("b.xml"))
    (tmp_path / "b.xml").write_text(server("a.xml", "b.xml"))
    result = analyse_folder(tmp_path)
    cycles = messages(result, "include-cycle")
    assert any("server.xml -> server.xml" in m for m in cycles)
    assert any("a.xml -> b.xml -> a.xml" in m for m in cycles)
    assert any("b.xml -> b.xml" in m for m in cycles)
    assert len(result.workspace.configs) == 1


def test_missing_and_optional(tmp_path):
    (tmp_path / "server.xml").write_text(server("missing.xml") + "")
    (tmp_path / "opt.xml").write_text("")
    result = analyse_folder(tmp_path)
    assert any("does not exist" in m for m in messages(result, "include-missing"))
    (tmp_path / "server.xml").write_text('<server><include location="missing.xml" optional="true"/></server>')
    assert "include-missing" not in codes(analyse_folder(tmp_path).findings)


@pytest.mark.skipif(sys.platform == "win32" or os.geteuid() == 0, reason="root reads files whatever their mode")
def test_unreadable_include(tmp_path):
    (tmp_path / "server.xml").write_text(server("secret.xml"))
    secret = tmp_path / "secret.xml"
    secret.write_text("<server/>")
    secret.chmod(0)
    try:
        result = analyse_folder(tmp_path)
    finally:
        secret.chmod(0o600)
    assert any("cannot read the file" in m for m in messages(result, "include-unreadable"))


@pytest.mark.skipif(sys.platform == "win32", reason="POSIX FIFOs and devices")
def test_pipes_and_devices_are_never_opened_for_reading(tmp_path):
    """A FIFO would block for ever and /dev/zero never ends: neither is read,
    whether included or lying in the workspace folder."""
    os.mkfifo(tmp_path / "pipe.xml")
    os.mkfifo(tmp_path / "pipe.csd")
    (tmp_path / "server.xml").write_text(server("pipe.xml", "/dev/zero", "/dev/urandom"))
    t0 = time.monotonic()
    result = analyse_folder(tmp_path)
    assert time.monotonic() - t0 < 10
    unreadable = messages(result, "include-unreadable")
    assert len(unreadable) == 3 and all("not a regular file" in m for m in unreadable), unreadable


@pytest.mark.skipif(sys.platform == "win32", reason="POSIX FIFOs")
def test_a_fifo_named_on_the_command_line(tmp_path, capsys):
    from zcsec.cli import main

    os.mkfifo(tmp_path / "pipe.xml")
    assert main(["check", str(tmp_path / "pipe.xml")]) == 2
    out, err = capsys.readouterr()
    assert "not a regular file" in out


def test_directory_include(tmp_path):
    conf = tmp_path / "conf.d"
    conf.mkdir()
    (conf / "a.xml").write_text('<server><ssl id="a" keyStoreRef="nope"/></server>')
    (conf / "b.xml").mkdir()  # a directory named like a configuration file
    (conf / "notes.txt").write_text("not configuration")
    (tmp_path / "server.xml").write_text(server("conf.d", "conf.d/"))
    result = analyse_folder(tmp_path)
    assert "ref-unresolved" in codes(result.findings)  # a.xml was read (once)
    assert [f.code for f in result.findings].count("ref-unresolved") == 1
    assert any("directory" in m for m in messages(result, "include-unreadable"))


@pytest.mark.skipif(sys.platform == "win32", reason="symlinks")
def test_symlink_loops(tmp_path):
    os.symlink(tmp_path / "loop-a.xml", tmp_path / "loop-b.xml")
    os.symlink(tmp_path / "loop-b.xml", tmp_path / "loop-a.xml")
    # Directories that contain themselves, twice: without resolving links,
    # each level of includes doubles the paths to follow (2**40 before the
    # kernel's ELOOP stops them).
    os.symlink(".", tmp_path / "self-a")
    os.symlink(".", tmp_path / "self-b")
    (tmp_path / "server.xml").write_text(server("loop-a.xml", "self-a", "self-b", "self-a/self-b/server.xml"))
    t0 = time.process_time()
    result = analyse_folder(tmp_path)
    assert time.process_time() - t0 < 10
    unreadable = messages(result, "include-unreadable")
    assert any("symbolic links" in m for m in unreadable), unreadable
    assert "include-missing" not in codes(result.findings)
    assert len(result.workspace.configs) == 1
    assert len(result.findings) < 20


def test_paths_outside_the_workspace_are_read_but_never_written(tmp_path):
    outside = tmp_path / "outside"
    outside.mkdir()
    shared = outside / "shared.xml"
    shared.write_text('<server>\n  <authData id="shared" user="u" password="plain"/>\n</server>\n')
    os.utime(shared, (1_000_000_000, 1_000_000_000))
    before = {p.name: (p.stat().st_mtime_ns, p.read_bytes()) for p in outside.iterdir()}
    ws = tmp_path / "ws"
    ws.mkdir()
    (ws / "server.xml").write_text(server("../outside/shared.xml", str(shared), "${shared.config.dir}x.xml"))
    result = analyse_folder(ws)
    # The shared file was analysed (its clear-text password is reported in it) ...
    assert any(f.path == str(shared) for f in result.findings if f.code == "password-clear-text")
    # ... and left exactly as it was; nothing new appeared next to it.
    after = {p.name: (p.stat().st_mtime_ns, p.read_bytes()) for p in outside.iterdir()}
    assert after == before


def test_hundreds_of_includes(tmp_path):
    """A chain 600 deep (deeper than Python's recursion limit allows for
    recursive loading) and a fan of 300 files that all include each other."""
    chain = tmp_path / "chain"
    chain.mkdir()
    (chain / "server.xml").write_text(server("i0.xml"))
    for i in range(600):
        (chain / f"i{i}.xml").write_text(server(f"i{i + 1}.xml") if i < 599 else '<server><ssl id="deep" keyStoreRef="nope"/></server>')
    t0 = time.process_time()
    result = analyse_folder(chain)
    assert time.process_time() - t0 < 20
    assert len(result.workspace.configs) == 1 and len(result.workspace.configs[0].files) == 601
    [ref] = [f for f in result.findings if f.code == "ref-unresolved"]
    assert ref.path == str(chain / "i599.xml")

    fan = tmp_path / "fan"
    fan.mkdir()
    n = 300
    (fan / "server.xml").write_text(server(*(f"f{i}.xml" for i in range(n))))
    for i in range(n):
        (fan / f"f{i}.xml").write_text(server(f"f{(i + 1) % n}.xml", "server.xml"))
    t0 = time.process_time()
    result = analyse_folder(fan)
    assert time.process_time() - t0 < 20
    assert len(result.workspace.configs) == 1  # not one configuration per file of the cycle
    cycles = messages(result, "include-cycle")
    assert n <= len(cycles) <= n + 1
    assert max(len(m) for m in cycles) < 400  # a cycle through hundreds of files is summarised


def test_include_of_a_huge_file(tmp_path):
    (tmp_path / ".zcsec.toml").write_text("max_file_size_mb = 1\n")
    (tmp_path / "big.xml").write_text("<server>" + " " * 2_000_000 + "</server>")
    (tmp_path / "server.xml").write_text(server("big.xml"))
    result = analyse_folder(tmp_path)
    assert any("over the 1 MB limit" in f.message for f in result.findings if f.code == "file-too-large")
