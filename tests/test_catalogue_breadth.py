"""The catalogue is never narrower than Liberty (issue 10, cause 4): every
attribute of the generated Open Liberty data is still known after the
curated overlays are merged over it, every enumeration value it lists is
still accepted, and every default value Liberty itself uses passes zcsec's
own value check."""

from __future__ import annotations

import json
from pathlib import Path

import pytest

from zcsec.catalogue import load_catalogue
from zcsec.rules.schema import check_value

GENERATED = Path(__file__).resolve().parents[1] / "schemas/liberty/generated-liberty-25.0.0.6.json"


def _generated_elements():
    data = json.loads(GENERATED.read_text(encoding="utf-8"))
    types = data["types"]
    for name, raw in data["elements"].items():
        spec = types[raw] if isinstance(raw, str) else raw
        yield name, spec.get("attributes", {})


@pytest.fixture(scope="module")
def catalogue():
    return load_catalogue()


def test_every_generated_attribute_survives_the_overlays(catalogue):
    lost = []
    for name, attrs in _generated_elements():
        spec = catalogue.liberty.element(name)
        assert spec is not None, name
        lost += [f"{name}.{a}" for a in attrs if spec.attribute(a) is None]
    assert lost == []


def test_every_generated_value_and_default_is_accepted(catalogue):
    rejected = []
    for name, attrs in _generated_elements():
        spec = catalogue.liberty.element(name)
        for aname, raw in attrs.items():
            merged = spec.attribute(aname)
            samples = list(raw.get("values", ()))
            if raw.get("default") is not None and "${" not in raw["default"]:
                samples.append(raw["default"])
            for value in samples:
                if check_value(merged, value) is not None:
                    rejected.append(f"{name}.{aname}={value!r}: {check_value(merged, value)[1]}")
    assert rejected == []
