"""The catalogue: data files against their format, merging, project-local
files, problems while loading, abbreviation resolution and the consistency of
the curated reference types."""

from __future__ import annotations

import json
import re
from pathlib import Path
from types import SimpleNamespace

import pytest

from zcsec.catalogue import NOT_CATALOGUE_DIRS, load_catalogue, resolve_abbreviation

REPO_ROOT = Path(__file__).resolve().parents[1]
SCHEMAS = REPO_ROOT / "schemas"
CATALOGUE_SCHEMA = SCHEMAS / "catalogue.schema.json"
# schemas/snippets/ (editor snippets) and schemas/tls/ (the transport-strength
# data) are not catalogue data; the loader skips them.
NOT_CATALOGUE = set(NOT_CATALOGUE_DIRS)
ALL_JSON = sorted(p for p in SCHEMAS.rglob("*.json") if p.name != "catalogue.schema.json")
DATA_FILES = [p for p in ALL_JSON if p.relative_to(SCHEMAS).parts[0] not in NOT_CATALOGUE]
# Hand-curated Liberty files (the generated one is checked in its own test).
CURATED_LIBERTY = sorted(p for p in (SCHEMAS / "liberty").glob("*.json") if not p.name.startswith("generated-"))

jsonschema = pytest.importorskip("jsonschema")


def _load_json(path: Path):
    return json.loads(path.read_text(encoding="utf-8"))


@pytest.fixture(scope="module")
def catalogue_schema() -> dict:
    return _load_json(CATALOGUE_SCHEMA)


# ---------------------------------------------------------------------------
# The catalogue-schema test
# ---------------------------------------------------------------------------


def test_there_are_data_files():
    kinds = {_load_json(p).get("kind") for p in DATA_FILES}
    assert kinds == {"liberty", "csd"}, DATA_FILES
    assert CURATED_LIBERTY, "no curated Liberty catalogue files found"


def test_every_json_file_under_schemas_is_catalogue_data_or_a_known_exception():
    """A new kind of data file must be added to NOT_CATALOGUE (and skipped by
    the loader) instead of silently escaping the catalogue-schema test."""
    others = [p for p in ALL_JSON if p not in DATA_FILES]
    for p in others:
        data = _load_json(p)
        assert not (isinstance(data, dict) and "kind" in data), f"{p} looks like a catalogue file but is not checked"


def test_catalogue_schema_is_a_valid_draft_2020_12_schema(catalogue_schema):
    assert catalogue_schema["$schema"] == "https://json-schema.org/draft/2020-12/schema"
    jsonschema.Draft202012Validator.check_schema(catalogue_schema)


@pytest.mark.parametrize("path", DATA_FILES, ids=lambda p: str(p.relative_to(SCHEMAS)))
def test_data_file_validates_against_catalogue_schema(path, catalogue_schema):
    validator = jsonschema.Draft202012Validator(catalogue_schema)
    errors = sorted(validator.iter_errors(_load_json(path)), key=lambda e: list(e.absolute_path))
    assert not errors, "\n".join(f"{'/'.join(map(str, e.absolute_path))}: {e.message[:300]}" for e in errors[:20])


def test_catalogue_schema_rejects_bad_files(catalogue_schema):
    """The schema is not so loose that anything passes."""
    validator = jsonschema.Draft202012Validator(catalogue_schema)
    good = {"kind": "liberty", "elements": {"x": {"attributes": {"r": {"type": "ref", "refTypes": ["y"]}}}}}
    assert validator.is_valid(good)
    bad = [
        {"kind": "other", "elements": {}},
        {"kind": "liberty"},  # elements are required
        {"kind": "liberty", "elements": {"x": {"attributes": {"r": {"type": "ref"}}}}},  # ref without refTypes
        {"kind": "liberty", "elements": {"x": {"attributes": {"e": {"type": "enum"}}}}},  # enum without values
        {"kind": "liberty", "elements": {"x": {"attributes": {"a": {"type": "float"}}}}},
        {"kind": "liberty", "elements": {"x": {"colour": "red"}}},
        {"kind": "csd", "commands": {"DEFINE": {"abbr": "def"}}},  # abbreviations are upper case
    ]
    for doc in bad:
        assert not validator.is_valid(doc), doc


def _walk(obj, path=""):
    if isinstance(obj, dict):
        for key, value in obj.items():
            yield path, key, value
            yield from _walk(value, f"{path}/{key}")
    elif isinstance(obj, list):
        for i, value in enumerate(obj):
            yield from _walk(value, f"{path}/{i}")


@pytest.mark.parametrize("path", DATA_FILES, ids=lambda p: str(p.relative_to(SCHEMAS)))
def test_patterns_are_python_regular_expressions(path):
    bad = []
    for where, key, value in _walk(_load_json(path)):
        if key == "pattern" and isinstance(value, str):
            try:
                re.compile(value)
            except re.error as exc:
                bad.append(f"{where}: {value!r}: {exc}")
    assert not bad, bad


def test_bundled_catalogue_loads_without_problems():
    cat = load_catalogue()
    assert cat.problems == ()
    assert {p.resolve() for p in cat.files} == {p.resolve() for p in DATA_FILES}
    assert cat.liberty.element("zosconnect_cicsIpicConnection") is not None
    assert "IPCONN" in cat.csd.resource_types


# ---------------------------------------------------------------------------
# Merging
# ---------------------------------------------------------------------------


def _write(directory: Path, name: str, data) -> Path:
    p = directory / name
    p.parent.mkdir(parents=True, exist_ok=True)
    p.write_text(data if isinstance(data, str) else json.dumps(data), encoding="utf-8")
    return p


def test_curated_overlay_adds_doc_without_losing_generated_type(tmp_path):
    base = tmp_path / "base"
    generated = {
        "kind": "liberty",
        "priority": 0,
        "types": {
            "ssl-factory": {
                "attributes": {
                    "securityLevel": {"type": "enum", "values": ["HIGH", "MEDIUM", "LOW", "CUSTOM"], "default": "HIGH"},
                    "keyStoreRef": {"type": "ref", "refTypes": ["keyStore"]},
                },
                "confirmed": True,
            }
        },
        "elements": {"ssl": "ssl-factory", "keyStore": {"attributes": {"id": {"type": "id"}}}},
    }
    curated = {
        "kind": "liberty",
        "priority": 10,
        "elements": {
            "ssl": {
                "doc": "An SSL repertoire.",
                "features": ["transportSecurity-1.0"],
                "attributes": {
                    "securityLevel": {"doc": "How strong the ciphers are."},
                    "keyStoreRef": {"type": "ref", "refTypes": ["keyStore"], "required": True},
                },
            }
        },
    }
    # The curated file sorts first by name; priority, not file order, decides.
    _write(base, "a-curated.json", curated)
    _write(base, "z-generated.json", generated)
    cat = load_catalogue(base_dirs=[base])
    assert cat.problems == ()
    ssl = cat.liberty.element("ssl")
    level = ssl.attribute("securityLevel")
    assert level.doc == "How strong the ciphers are."
    assert level.type == "enum"
    assert level.values == ("HIGH", "MEDIUM", "LOW", "CUSTOM")
    assert level.default == "HIGH"
    ref = ssl.attribute("keyStoreRef")
    assert ref.required is True and ref.ref_types == ("keyStore",)
    # Element-level fields from both files survive.
    assert ssl.doc == "An SSL repertoire."
    assert ssl.features == ("transportSecurity-1.0",)
    assert ssl.confirmed is True


def test_higher_priority_wins_for_a_field_both_name(tmp_path):
    base = tmp_path / "base"
    _write(base, "low.json", {"kind": "liberty", "priority": 0, "elements": {"e": {"attributes": {"a": {"type": "int", "max": 10}}}}})
    _write(base, "high.json", {"kind": "liberty", "priority": 10, "elements": {"e": {"attributes": {"a": {"type": "int", "max": 99}}}}})
    spec = load_catalogue(base_dirs=[base]).liberty.element("e").attribute("a")
    assert spec.max == 99


def test_real_curated_overlay_keeps_generated_facts():
    """ssl is a generated type; the curated file adds docs and 'required'."""
    ssl = load_catalogue().liberty.element("ssl")
    ref = ssl.attribute("keyStoreRef")
    assert ref.type == "ref" and ref.ref_types == ("keyStore",)
    assert ref.required is True and ref.doc
    level = ssl.attribute("securityLevel")  # only in the generated file
    assert level.type == "enum" and "HIGH" in level.values
    assert ssl.doc and ssl.confirmed is True


PROJECT_FILE = {
    "kind": "liberty",
    "description": "ACME extension",
    "elements": {
        "acme_widgetConnection": {
            "confirmed": True,
            "attributes": {
                "id": {"type": "id"},
                "host": {"type": "string", "required": True},
                "authDataRef": {"type": "ref", "refTypes": ["zosconnect_authData"]},
            },
        }
    },
}


def test_project_local_file_makes_element_known(tmp_path, catalogue_schema):
    jsonschema.Draft202012Validator(catalogue_schema).validate(PROJECT_FILE)
    assert load_catalogue().liberty.element("acme_widgetConnection") is None
    extra = tmp_path / "schemas"
    _write(extra, "acme.json", PROJECT_FILE)
    cat = load_catalogue(extra_dirs=[extra])
    assert cat.problems == ()
    spec = cat.liberty.element("acme_widgetConnection")
    assert spec is not None
    assert spec.attribute("authDataRef").type == "ref"
    assert spec.attribute("authDataRef").ref_types == ("zosconnect_authData",)
    assert spec.attribute("host").required
    # The bundled catalogue is still there.
    assert cat.liberty.element("zosconnect_cicsIpicConnection") is not None
    assert "IPCONN" in cat.csd.resource_types


def test_broken_file_in_extra_dir_is_reported_and_skipped(tmp_path):
    extra = tmp_path / "schemas"
    broken = _write(extra, "broken.json", '{"kind": "liberty", "elements": {')
    not_ours = _write(extra, "other.json", {"name": "package.json, not a catalogue"})
    _write(extra, "acme.json", PROJECT_FILE)
    cat = load_catalogue(extra_dirs=[extra])
    assert len(cat.problems) == 2, cat.problems
    assert any(str(broken) in p for p in cat.problems)
    assert any(str(not_ours) in p for p in cat.problems)
    assert cat.liberty.element("acme_widgetConnection") is not None
    assert cat.liberty.element("zosconnect_cicsIpicConnection") is not None


def test_snippets_folder_is_not_catalogue_data(tmp_path):
    base = tmp_path / "base"
    _write(base, "liberty/x.json", {"kind": "liberty", "elements": {"x": {}}})
    _write(base, "snippets/liberty.json", [{"label": "a snippet", "body": ["<x/>"]}])
    cat = load_catalogue(base_dirs=[base])
    assert cat.problems == ()
    assert [p.name for p in cat.files] == ["x.json"]


def test_edited_project_file_is_read_again(tmp_path):
    """The language server runs for hours; a fixed catalogue file counts."""
    extra = tmp_path / "schemas"
    broken = _write(extra, "acme.json", '{"kind": "liberty", "elements": {')
    first = load_catalogue(extra_dirs=[extra])
    assert first.problems and first.liberty.element("acme_widgetConnection") is None
    assert load_catalogue(extra_dirs=[extra]) is first  # unchanged: cached
    _write(extra, "acme.json", PROJECT_FILE)
    second = load_catalogue(extra_dirs=[extra])
    assert second.problems == ()
    assert second.liberty.element("acme_widgetConnection") is not None
    broken.unlink()
    assert load_catalogue(extra_dirs=[extra]).liberty.element("acme_widgetConnection") is None


def test_missing_extra_dir_is_harmless(tmp_path):
    cat = load_catalogue(extra_dirs=[tmp_path / "nope"])
    assert cat.problems == ()
    assert cat.liberty.element("ssl") is not None


# ---------------------------------------------------------------------------
# Abbreviations
# ---------------------------------------------------------------------------

SPECS = {
    "DEFINE": SimpleNamespace(abbr="DEF"),
    "DELETE": SimpleNamespace(abbr="DEL"),
    "ALTER": SimpleNamespace(abbr="AL"),
    "SSL": SimpleNamespace(abbr="S"),
    "STATUS": SimpleNamespace(abbr="S"),
}


@pytest.mark.parametrize(
    "written, status, name, candidates",
    [
        ("DEFINE", "exact", "DEFINE", ()),
        ("define", "exact", "DEFINE", ()),
        ("DEF", "abbrev", "DEFINE", ("DEFINE",)),
        ("Defi", "abbrev", "DEFINE", ("DEFINE",)),
        ("A", "short", "ALTER", ("ALTER",)),
        ("DE", "ambiguous", None, ("DEFINE", "DELETE")),
        ("S", "ambiguous", None, ("SSL", "STATUS")),
        ("ST", "abbrev", "STATUS", ("STATUS",)),
        ("X", "unknown", None, ()),
        ("DEFINES", "unknown", None, ()),
    ],
)
def test_resolve_abbreviation(written, status, name, candidates):
    r = resolve_abbreviation(written, SPECS)
    assert (r.status, r.name) == (status, name)
    assert tuple(sorted(r.candidates)) == candidates


def test_real_csd_abbreviations():
    csd = load_catalogue().csd
    assert csd.command("DEF").status == "abbrev" and csd.command("DEF").name == "DEFINE"
    assert csd.command("DE").status == "ambiguous"
    assert csd.resource_type("TCPIPSERVICE").status == "exact"
    assert csd.resource_type("NOSUCHTYPE").status == "unknown"


# ---------------------------------------------------------------------------
# Curated reference types name known elements
# ---------------------------------------------------------------------------

# (file, element path, attribute, ref type): why the type is not catalogued yet.
KNOWN_MISSING_REF_TYPES = {
    ("zosconnect.json", "zosconnect_zosConnectService", "dataXformRef", "zosconnect_zosConnectDataXform"):
        "z/OS Connect EE V2 data transformation element, not catalogued yet",
    ("zosconnect.json", "zosconnect_endpointConnection", "authenticationConfigRef", "zosconnect_authToken"):
        "API requester token element, not catalogued yet",
}


def _ref_types(raw, path):
    if isinstance(raw, str):
        return
    for aname, araw in raw.get("attributes", {}).items():
        for t in araw.get("refTypes", ()):
            yield path, aname, t
    for cname, craw in raw.get("children", {}).items():
        yield from _ref_types(craw, f"{path}/{cname}")


def test_curated_ref_types_name_known_elements():
    names = set(load_catalogue().liberty.element_names)
    found = set()
    for path in CURATED_LIBERTY:
        data = _load_json(path)
        for section in ("elements", "types"):
            for name, raw in data.get(section, {}).items():
                for where, aname, target in _ref_types(raw, name):
                    if target not in names:
                        found.add((path.name, where, aname, target))
    unexpected = found - set(KNOWN_MISSING_REF_TYPES)
    assert not unexpected, f"refTypes naming elements the catalogue does not have: {sorted(unexpected)}"
    fixed = set(KNOWN_MISSING_REF_TYPES) - found
    assert not fixed, f"no longer missing, remove from KNOWN_MISSING_REF_TYPES: {sorted(fixed)}"
