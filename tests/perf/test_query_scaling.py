"""Completion and hover in a large CSD file, measured by counting work
(function calls, counted by cProfile), not by the clock (issue 14).

Finding the command at the cursor costs a binary search, so a request at a
keyword does about the same work in a file twice as long.  A list of
candidates grows with the definitions it offers (a thousand listeners are a
thousand items), but what each definition offers is worked out once per
command and kept across edits that leave the command alone, so the list
costs a few calls per item, edit or not."""

from __future__ import annotations

import cProfile
import pstats
from pathlib import Path

from zcsec.ide.completion import complete
from zcsec.ide.hover import hover
from zcsec.service import AnalysisService


def generate(base: Path, n: int) -> tuple[AnalysisService, str, str]:
    """A CSD file of n regions, each with a listener, an IPCONN naming it
    and a few programs; the service has it open and analysed."""
    base.mkdir(parents=True)
    lines = []
    for i in range(n):
        lines.append(f"DEFINE TCPIPSERVICE(T{i:06d}) GROUP(G{i:05d}) PORTNUMBER({2000 + i % 60000}) PROTOCOL(IPIC)")
        lines.append("       SSL(CLIENTAUTH) URM(NO) CERTIFICATE(ZCEE.SERVER)")
        lines.append(f"DEFINE IPCONN(I{i:06d}) GROUP(G{i:05d}) APPLID(A{i:06d}) NETWORKID(NET)")
        lines.append(f"       TCPIPSERVICE(T{i:06d}) USERAUTH(IDENTIFY) LINKAUTH(CERTUSER) DESCRIPTION(region {i})")
        lines.extend(f"DEFINE PROGRAM(P{i:05d}{k}) GROUP(G{i:05d}) DESCRIPTION(program {k})" for k in range(3))
    text = "\n".join(lines) + "\n"
    path = str(base / "regions.csd")
    Path(path).write_text(text)
    service = AnalysisService([str(base)])
    service.open(path, text)
    service.snapshot(path)
    return service, path, text


def calls(fn) -> int:
    profile = cProfile.Profile()
    profile.enable()
    fn()
    profile.disable()
    return sum(stat[1] for stat in pstats.Stats(profile).stats.values())


def near_the_end(text: str, marker: str) -> int:
    return text.rindex(marker) + len(marker)


def test_hover_and_completion_at_a_keyword_do_not_grow_with_the_file(tmp_path):
    counts = {}
    for n in (200, 400):
        service, path, text = generate(tmp_path / str(n), n)
        ws = service.snapshot(path).workspace
        keyword = near_the_end(text, "USERAUTH(IDENT") - len("AUTH(IDENT")  # inside the keyword's name
        counts[n] = (
            calls(lambda: hover(ws, path, keyword)),
            calls(lambda: complete(ws, path, keyword)),
        )
    for what, small, large in zip(("hover", "completion"), counts[200], counts[400]):
        assert large / small <= 1.1, f"{what} at a keyword: {small} calls in a file of 200 regions, {large} in one of 400"


def test_listener_candidates_cost_a_few_calls_each_after_an_edit(tmp_path):
    for n in (200, 400):
        service, path, text = generate(tmp_path / str(n), n)
        at = near_the_end(text, "TCPIPSERVICE(T")
        complete(service.snapshot(path).workspace, path, at)  # the first request works out every candidate
        # An edit elsewhere (an IPCONN's description), then the list again.
        middle = text.index("DESCRIPTION(region ", len(text) // 2) + len("DESCRIPTION(")
        text = text[:middle] + "x" + text[middle:]
        service.change(path, text)
        ws = service.snapshot(path).workspace
        result = []
        work = calls(lambda: result.append(complete(ws, path, at + 1)))
        assert len(result[0].items) == n
        # About 17 a candidate, nearly all of them built-ins (dict.get, min,
        # max, id); working a candidate out from its command's text is over 150.
        assert work / n <= 25, f"{work} calls for {n} listener candidates after an edit ({work / n:.1f} each)"
