"""The transport-strength catalogue and classification (zcsec/tls.py) and the
rules built on it."""

from __future__ import annotations

import json
import re
from pathlib import Path

import pytest

from zcsec import tls
from zcsec.tls import cics_ciphers, classify, iana_name, protocol_class

DATA = Path(__file__).resolve().parents[1] / "schemas/tls/cipher-suites.json"


@pytest.mark.parametrize(
    "name, klass",
    [
        ("TLS_RSA_WITH_NULL_SHA", "broken"),
        ("TLS_RSA_EXPORT_WITH_RC4_40_MD5", "broken"),
        ("TLS_DH_anon_WITH_AES_128_CBC_SHA", "broken"),
        ("SSL_RSA_WITH_RC4_128_SHA", "broken"),
        ("TLS_RSA_WITH_DES_CBC_SHA", "broken"),
        ("TLS_RSA_WITH_3DES_EDE_CBC_SHA", "weak"),
        ("SSL_RSA_WITH_3DES_EDE_CBC_SHA", "weak"),
        ("TLS_RSA_WITH_AES_128_CBC_SHA", "legacy"),
        ("TLS_RSA_WITH_AES_256_GCM_SHA384", "legacy"),
        ("TLS_ECDHE_RSA_WITH_AES_128_GCM_SHA256", "strong"),
        ("TLS_DHE_RSA_WITH_AES_256_CBC_SHA", "strong"),
        ("TLS_AES_256_GCM_SHA384", "strong"),
        ("TLS_ECDHE_ECDSA_WITH_CHACHA20_POLY1305_SHA256", "strong"),
        ("ANY_TLS12", "unknown"),
    ],
)
def test_classes_follow_from_the_name(name, klass):
    assert classify(name).klass == klass


def test_every_catalogued_suite_is_classified_and_named_as_iana():
    data = json.loads(DATA.read_text(encoding="utf-8"))
    for code, name in data["suites"].items():
        assert len(code) == 4 and int(code, 16) >= 1, code
        assert name.startswith("TLS_") and iana_name(name) == name, name
        assert classify(name).klass != "unknown", name


def test_the_catalogue_follows_its_schema():
    import jsonschema

    schema = json.loads(DATA.with_name("cipher-suites.schema.json").read_text(encoding="utf-8"))
    jsonschema.Draft202012Validator.check_schema(schema)
    jsonschema.validate(json.loads(DATA.read_text(encoding="utf-8")), schema)
    broken = {**json.loads(DATA.read_text(encoding="utf-8")), "protocols": {"TLSv1.2": "fine"}}
    with pytest.raises(jsonschema.ValidationError):
        jsonschema.validate(broken, schema)


def test_cics_two_digit_codes():
    found = cics_ciphers("0A352FC0")
    assert [(code, s.klass) for code, s in found] == [("0A", "weak"), ("35", "legacy"), ("2F", "legacy"), ("C0", "unknown")]
    assert found[0][1].name == "TLS_RSA_WITH_3DES_EDE_CBC_SHA"
    assert cics_ciphers("defaultciphers.xml") is None


def test_protocol_classes():
    assert protocol_class("TLSv1") == "broken"
    assert protocol_class("TLSv1.1") == "legacy"
    assert protocol_class("TLSv1.3") == "strong"
    assert protocol_class("TLS") == "negotiated"
    assert protocol_class("whatever") is None


def test_every_suite_and_protocol_the_examples_name_is_classified():
    """Issue 12: the examples' weak and strong TLS set-ups use only names
    and codes zcsec classifies (none falls through as unknown)."""
    examples = Path(__file__).resolve().parent.parent / "examples"
    suites, protocols, codes = set(), set(), set()
    attrs = "|".join(set(tls.SUITE_SETTINGS.values()))
    for path in examples.rglob("*"):
        if not path.is_file() or path.suffix not in (".xml", ".csd", ".jcl"):
            continue
        text = path.read_text(encoding="utf-8")
        for m in re.finditer(rf'\b(?:{attrs})="([^"$]+)"', text, re.IGNORECASE):
            suites.update(tls.names(m.group(1)))
        for m in re.finditer(r'\bsslProtocol="([^"$]+)"', text):
            protocols.update(tls.names(m.group(1)))
        for m in re.finditer(r"\bCIPHERS\(([0-9A-Fa-f]+)\)", text, re.IGNORECASE):
            codes.update(code for code, _ in tls.cics_ciphers(m.group(1)) or [])
    assert len(suites) >= 4 and codes and protocols
    assert [s for s in suites if tls.classify(s).klass == "unknown"] == []
    assert [p for p in protocols if tls.protocol_class(p) is None] == []
    assert [c for c in codes if tls.classify(tls._data()["suites"].get("00" + c, "")).klass == "unknown"] == []
    # Both ends of the scale are there: the examples show weak and strong set-ups.
    classes = {tls.classify(s).klass for s in suites} | {tls.classify(tls._data()["suites"]["00" + c]).klass for c in codes}
    assert {"strong", "weak", "broken"} <= classes
