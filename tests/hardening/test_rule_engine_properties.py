"""Property tests for the rule engine: on any workspace built from mutated
real configurations, or from random elements and attributes of the
catalogue, no rule fails (no internal-error finding) and every range (of a
finding, its related locations and its fixes) lies inside its document."""

from __future__ import annotations

import json
import os
import random
import shutil
from pathlib import Path

import pytest
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from hardening_support import EXAMPLES, analyse_overlays
from tests.fuzz.run import CORPUS, TOKENS, mutate
from zcsec.analysis import catalogue_for
from zcsec.project import ProjectConfig

WORKSPACES = sorted(p for p in EXAMPLES.iterdir() if p.is_dir()) + [CORPUS]
PROJECT = ProjectConfig()
CATALOGUE = catalogue_for(PROJECT)


@pytest.fixture(scope="module")
def copies(tmp_path_factory) -> dict[str, tuple[Path, list[Path]]]:
    """Each example (and the corpus) copied once; mutations travel as
    overlays, as open documents do in the language server."""
    root = tmp_path_factory.mktemp("engine-props")
    out = {}
    for ws in WORKSPACES:
        target = root / ws.name
        shutil.copytree(ws, target)
        files = sorted(p for p in target.rglob("*") if p.is_file() and p.suffix in (".xml", ".csd", ".jcl"))
        out[ws.name] = (target, files)
    return out


# More examples for a longer search: ZCSEC_PROPERTY_EXAMPLES=5000.
EXAMPLES_PER_TEST = int(os.environ.get("ZCSEC_PROPERTY_EXAMPLES", "150"))
MUTATION_SETTINGS = settings(max_examples=EXAMPLES_PER_TEST, deadline=None, suppress_health_check=[HealthCheck.function_scoped_fixture, HealthCheck.too_slow])


@MUTATION_SETTINGS
@given(
    which=st.sampled_from([ws.name for ws in WORKSPACES]),
    seed=st.integers(min_value=0, max_value=2**32 - 1),
    edits=st.integers(min_value=1, max_value=3),
    decode=st.sampled_from(["replace", "surrogateescape"]),
)
def test_mutated_workspaces(copies, which, seed, edits, decode):
    folder, files = copies[which]
    rng = random.Random(seed)
    pool = [p.read_bytes() for p in files]
    overlays = {}
    for _ in range(edits):
        target = rng.choice(files)
        data = overlays.get(str(target), target.read_text(encoding="utf-8")).encode("utf-8", "surrogatepass")
        overlays[str(target)] = mutate(rng, data, pool).decode("utf-8", errors=decode)
    analyse_overlays(overlays, folder, PROJECT)


# -- synthetic configurations from the catalogue ------------------------------------

# The elements zcsec's own catalogue files describe (z/OS Connect, security),
# plus the children the examples nest in them.
_ROOT = Path(__file__).resolve().parents[2]
ELEMENTS = sorted(
    {name for f in ("zosconnect.json", "liberty-security.json") for name in json.loads((_ROOT / "schemas" / "liberty" / f).read_text())["elements"]}
    | {"properties.gmoa", "properties.wmqJms", "properties.ola", "properties.imsudbJLocal", "keyEntry", "user", "group", "member", "service", "property", "feature"}
)


def _attr_names(element: str) -> list[str]:
    spec = CATALOGUE.liberty.element(element)
    return sorted(spec.attributes) if spec is not None else []


VALUES = st.one_of(
    st.sampled_from(["", "true", "false", "1491", "-1", "99999999999999999999", "a1", "a2", "${a1}", "${undefined}", "${", "{xor}", "{aes}AAAA", "{hash}x", "https://h.example.com", "http://h", "safkeyring:///R", "*", "&amp;", "&x;"]),
    st.text(alphabet=st.characters(blacklist_categories=("Cs",), blacklist_characters='"<&'), max_size=12),
)


@st.composite
def elements(draw, depth=0):
    name = draw(st.sampled_from(ELEMENTS))
    names = _attr_names(name)
    attrs = {}
    if names:
        for a in draw(st.lists(st.sampled_from(names), max_size=5, unique=True)):
            attrs[a] = draw(VALUES)
    if draw(st.booleans()):
        attrs["id"] = draw(st.sampled_from(["a1", "a2", "a3", "defaultSSLConfig", "defaultKeyStore"]))
    attr_text = "".join(f' {k}="{v}"' for k, v in attrs.items())
    children = draw(st.lists(elements(depth + 1), max_size=2)) if depth < 2 else []
    if children:
        return f"<{name}{attr_text}>" + "".join(children) + f"</{name}>"
    return f"<{name}{attr_text}/>"


@settings(max_examples=EXAMPLES_PER_TEST, deadline=None, suppress_health_check=[HealthCheck.function_scoped_fixture, HealthCheck.too_slow])
@given(
    body=st.lists(elements(), min_size=1, max_size=8),
    features=st.lists(st.sampled_from(["zosconnect:zosConnect-2.0", "zosconnect:cicsService-1.0", "transportSecurity-1.0", "appSecurity-2.0", "zosLocalAdapters-1.0", "imsmobile:imsmobile-2.0", "zosconnect:mqService-1.0"]), max_size=4, unique=True),
    csd=st.lists(st.sampled_from([" DEFINE IPCONN(ZC1) GROUP(G) APPLID(A1) TCPIPSERVICE(T1) USERAUTH(VERIFY)", " DEFINE TCPIPSERVICE(T1) GROUP(G) PORTNUMBER(1491) PROTOCOL(IPIC) SSL(NO)", " DEF TCPIPS(T2) G(G) PORT(1491) PROT(IPIC) URM(NO) SSL(CLIENTAUTH)", " ALTER IPCONN(ZC1) GROUP(G) LINKAUTH(CERTUSER)", " DEFINE IPCONN(ZC2)"] + [t.decode("latin-1") for t in TOKENS[:12]]), max_size=6),
)
def test_synthetic_configurations(tmp_path_factory, body, features, csd):
    folder = tmp_path_factory.mktemp("synthetic", numbered=True)
    server = folder / "server.xml"
    defs = folder / "defs.csd"
    server.write_text("<server/>")
    defs.write_text("")
    fm = "<featureManager>" + "".join(f"<feature>{f}</feature>" for f in features) + "</featureManager>"
    analyse_overlays({str(server): "<server>\n" + fm + "\n" + "\n".join(body) + "\n</server>\n", str(defs): "\n".join(csd) + "\n"}, folder, PROJECT)
