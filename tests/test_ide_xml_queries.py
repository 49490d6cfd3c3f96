"""Completion and hover in server.xml read the configuration's own indexes
(elements by name, ConfigElement by parsed element), which edits keep up to
date, instead of going through every element at each request.  These tests
hold the answers to what a pass over every element gives, before and after
edits."""

from __future__ import annotations

from pathlib import Path

from zcsec.ide.completion import REFERENCE, complete
from zcsec.ide.cursor import element_map
from zcsec.ide.hover import hover
from zcsec.service import AnalysisService

SERVER = """\
<server>
    <featureManager>
        <feature>zosconnect:zosConnect-2.0</feature>
    </featureManager>
    <include location="more.xml"/>
    <zosconnect_authData id="a1" user="U1" password="{aes}x"/>
    <zosconnect_oAuthConfig id="o1" grantType="password"/>
    <zosconnect_authData id="shared" user="U2" password="{aes}x"/>
    <zosconnect_endpointConnection id="api" host="https://h.example.com" port="443" authenticationConfigRef=""/>
    <zosconnect_authToken id="t1" tokenGeneratorURI="/x"/>
</server>
"""

MORE = """\
<server>
    <zosconnect_authToken id="shared" tokenGeneratorURI="/y"/>
    <zosconnect_authData id="a2" user="U3" password="{aes}x"/>
    <authData id="notThisType" user="U4" password="{aes}x"/>
</server>
"""

WANTED = {"zosconnect_authData", "zosconnect_oAuthConfig", "zosconnect_authToken"}


class Session:
    def __init__(self, root: Path) -> None:
        (root / "more.xml").write_text(MORE)
        self.path = str(root / "server.xml")
        self.text = SERVER
        Path(self.path).write_text(SERVER)
        self.service = AnalysisService([str(root)])
        self.service.open(self.path, SERVER)

    def edit(self, old: str, new: str) -> None:
        assert self.text.count(old) == 1, old
        self.text = self.text.replace(old, new)
        self.service.change(self.path, self.text)

    @property
    def ws(self):
        return self.service.snapshot(self.path).workspace

    def references(self) -> list[str]:
        offset = self.text.index('authenticationConfigRef="') + len('authenticationConfigRef="')
        return [i.label for i in complete(self.ws, self.path, offset).items if i.kind == REFERENCE]

    def expected(self) -> list[str]:
        """The ids of the wanted types in the order of every element of the configuration, each once."""
        out: list[str] = []
        for ce in self.ws.configs[0].elements:
            if ce.name in WANTED and ce.id and ce.id not in out:
                out.append(ce.id)
        return out


def test_reference_candidates_in_the_order_of_the_configuration(tmp_path):
    s = Session(tmp_path)
    assert s.references() == s.expected() == ["a1", "o1", "shared", "t1", "a2"]
    # An edit adds one of them before the others and removes another.
    s.edit('    <zosconnect_authData id="a1"', '    <zosconnect_authToken id="first" tokenGeneratorURI="/z"/>\n    <zosconnect_authData id="a1"')
    s.edit('    <zosconnect_oAuthConfig id="o1" grantType="password"/>\n', "")
    assert s.references() == s.expected() == ["first", "a1", "shared", "t1", "a2"]
    # The line shown is the element's line after the edits.
    detail = next(i.detail for i in complete(s.ws, s.path, s.text.index('Ref="') + 5).items if i.label == "t1")
    line = s.text[: s.text.index('id="t1"')].count("\n") + 1
    assert detail == f"<zosconnect_authToken> in server.xml:{line}"


def test_the_element_map_follows_edits(tmp_path):
    s = Session(tmp_path)
    s.edit('id="t1" tokenGeneratorURI="/x"/>', 'id="t1" tokenGeneratorURI="/x"/>\n    <zosconnect_authData id="late" user="U9" password="{aes}x"/>')
    s.edit('user="U1"', 'user="U1b"')
    cfg = s.ws.configs[0]
    assert element_map(cfg) == {id(ce.element): ce for ce in cfg.elements}
    result = hover(s.ws, s.path, s.text.index("zosconnect_authData id=\"late\"") + 3)
    assert result is not None and "zosconnect_authData" in result.markdown
