"""Re-checking only what can change (issue 14) is sound: after any sequence
of edits, the findings of the editor's analysis service (which parses and
checks each edit given the previous check, engine.Checker) are exactly those
of a service that checks the edited workspace for the first time.

The edits are random inserts, deletions and replacements of one to three
characters, most of them inside attribute values and CSD operands (where
typing happens, and where the incremental path is taken), and some larger
pastes, in server.xml, its includes and the CSD files of the examples, the
generated benchmark workspace and the real corpus (../shared/corpus)."""

from __future__ import annotations

import shutil
from pathlib import Path

import pytest
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from test_xml_oracle import CORPUS, ROOT, load_bench_workspace
from zcsec.service import AnalysisService

EXAMPLES = sorted(p for p in (ROOT / "examples").iterdir() if p.is_dir())
XML_PIECES = list("<>/=\"' \n\r&;-abxyz0") + ["\r\n", "</", "/>", "&amp;", '="', "<a>", "</a>", "${", "}", "Ref", "{xor}", "{aes}", "zcsec-disable"]
CSD_PIECES = list("()'* \n\r,ABCDEGINOPRSTUY0129") + ["\r\n", "YES", "NO", "IPIC", "CERTUSER", "VERIFY", "CLIENTAUTH", " GROUP(G)", "       *"]
# Where people type: values, ids and references, element names, CSD operands.
XML_MARKS = ['="', 'id="', 'Ref="', "<", "</", 'port="', "<feature>", "<!--"]
CSD_MARKS = ["(", "APPLID(", "PORTNUMBER(", "TCPIPSERVICE(", "SSL(", "USERAUTH(", " DEFINE", "GROUP("]


def dump(findings) -> list:
    return sorted((str(f.to_json()), f.span) for f in findings)


def texts_of(root: Path) -> dict[str, str]:
    """The files of a workspace that edits may touch."""
    out = {}
    for p in sorted(root.rglob("*")):
        if p.is_file() and (p.suffix in (".xml", ".csd", ".jcl", ".rdo", ".txt") or p.parent.name == "csd"):
            out[str(p)] = p.read_bytes().decode("utf-8", errors="replace")
    return out


@st.composite
def edit_of(draw, text: str, csd: bool) -> str:
    pieces = CSD_PIECES if csd else XML_PIECES
    n = len(text)
    at = int(draw(st.floats(0, 1)) * n)
    if draw(st.integers(0, 3)) > 0:
        mark = draw(st.sampled_from(CSD_MARKS if csd else XML_MARKS))
        found = text.find(mark, at)
        if found < 0:
            found = text.find(mark)
        if found >= 0:
            at = min(n, found + len(mark) + draw(st.integers(-1, 3)))
    at = max(0, at)
    kind = draw(st.sampled_from(["insert", "insert", "delete", "replace", "paste"]))
    if kind == "paste":
        src = int(draw(st.floats(0, 1)) * n)
        return text[:at] + text[src : src + draw(st.integers(1, 300))] + text[at + draw(st.integers(0, 40)) :]
    size = draw(st.integers(1, 3))
    new = "".join(draw(st.lists(st.sampled_from(pieces), min_size=1, max_size=size))) if kind != "delete" else ""
    return text[:at] + new + text[at + (size if kind != "insert" else 0) :]


def check_edits(data, root: Path, steps: int = 6) -> int:
    """Edit the workspace at ``root`` in a service, comparing every check with
    a first check of the same texts; the number of incremental checks."""
    texts = texts_of(root)
    paths = sorted(texts)
    service = AnalysisService([str(root)])
    for p in paths:
        service.open(p, texts[p])
    service.snapshot(paths[0])
    incremental = 0
    for _ in range(steps):
        path = data.draw(st.sampled_from(paths))
        texts[path] = data.draw(edit_of(texts[path], not path.endswith(".xml")))
        service.change(path, texts[path])
        got = service.snapshot(path)
        checker = service._checkers[got.key]
        incremental += checker.incremental
        fresh = AnalysisService([str(root)])
        for p in paths:
            fresh.open(p, texts[p])
        expected = fresh.snapshot(path)
        assert dump(got.findings) == dump(expected.findings), path
    return incremental


SETTINGS = settings(max_examples=60, deadline=None, suppress_health_check=[HealthCheck.too_slow, HealthCheck.function_scoped_fixture, HealthCheck.data_too_large])


@pytest.fixture(scope="module")
def example_copies(tmp_path_factory) -> list[Path]:
    base = tmp_path_factory.mktemp("examples")
    out = []
    for ex in EXAMPLES:
        dest = base / ex.name
        shutil.copytree(ex, dest)
        (dest / ".zcsec.toml").touch()
        out.append(dest)
    return out


@pytest.fixture(scope="module")
def bench_copy(tmp_path_factory) -> Path:
    root = tmp_path_factory.mktemp("bench") / "ws"
    load_bench_workspace().generate(str(root), 600)
    return root


@pytest.fixture(scope="module")
def corpus_copy(tmp_path_factory) -> Path:
    if not CORPUS.is_dir():
        pytest.skip(f"the real-configuration corpus is not at {CORPUS} (it lives outside the repository)")
    root = tmp_path_factory.mktemp("corpus") / "ws"
    (root / "csd").mkdir(parents=True)
    # A few server.xml files and CSD inputs, as one project: every check
    # here is compared with a full one, so the project stays small.
    for p in sorted((CORPUS / "serverxml").glob("*.xml"))[::6]:
        shutil.copy(p, root / p.name)
    for p in sorted((CORPUS / "csd").glob("*"))[::3]:
        shutil.copy(p, root / "csd" / p.name)
    (root / ".zcsec.toml").write_text('csd_files = ["csd/*"]\n')
    return root


@SETTINGS
@given(st.data())
def test_edited_examples_check_as_a_first_check(example_copies, data):
    check_edits(data, data.draw(st.sampled_from(example_copies)))


@SETTINGS
@given(st.data())
def test_the_edited_benchmark_workspace_checks_as_a_first_check(bench_copy, data):
    check_edits(data, bench_copy, steps=4)


@settings(max_examples=15, deadline=None, suppress_health_check=[HealthCheck.too_slow, HealthCheck.function_scoped_fixture, HealthCheck.data_too_large])
@given(st.data())
def test_the_edited_corpus_checks_as_a_first_check(corpus_copy, data):
    check_edits(data, corpus_copy, steps=3)


def test_typing_in_a_value_is_checked_incrementally(bench_copy):
    """The test above compares results; this one checks that the engine
    does take the incremental path for ordinary typing, re-running few
    units."""
    path = str(bench_copy / "wlp" / "usr" / "servers" / "zcsrv" / "server.xml")
    text = Path(path).read_text()
    service = AnalysisService([str(bench_copy)])
    service.open(path, text)
    first = service.snapshot(path)
    checker = service._checkers[first.key]
    full = checker.reruns
    at = text.index('host="', len(text) // 2) + 7
    for ch in "abc":
        text = text[:at] + ch + text[at:]
        at += 1
        service.change(path, text)
        service.snapshot(path)
        assert checker.incremental
        assert checker.reruns < full / 20, (checker.reruns, full)


def test_a_file_parsed_whole_again_leaves_the_others_alone(tmp_path):
    """A half-typed tag makes server.xml parse whole again: every top-level
    element of that file is replaced, but the model follows that in place
    and the findings of the other files are kept (the same objects)."""
    examples = EXAMPLES[0].parent
    shutil.copy(examples / "caller-insecure" / "server.xml", tmp_path / "server.xml")
    shutil.copy(examples / "ims-insecure" / "server.xml", tmp_path / "ims.xml")  # another configuration
    (tmp_path / ".zcsec.toml").touch()
    path = str(tmp_path / "server.xml")
    text = Path(path).read_text()
    service = AnalysisService([str(tmp_path)])
    service.open(path, text)
    first = service.snapshot(path)
    checker = service._checkers[first.key]
    others = {p: fs for p, fs in first.by_path.items() if p != path and fs}
    assert others
    at = text.index("<", len(text) // 2)
    text = text[:at] + "<" + text[at:]
    service.change(path, text)
    got = service.snapshot(path)
    assert checker.incremental
    for p, fs in others.items():
        assert len(got.by_path[p]) == len(fs) and all(a is b for a, b in zip(got.by_path[p], fs)), p
