"""Transport strength: the one place that says how strong a TLS protocol
version or cipher suite is.

Suites are named as IANA names them (TLS_ECDHE_RSA_WITH_AES_128_GCM_SHA256),
as IBM JSSE and IBM MQ write the older ones (SSL_RSA_WITH_AES_128_CBC_SHA),
or by CICS's 2-digit codes.  The class follows from the parts of the name
(docs/sources.md, "Transport strength"), after NIST SP 800-52 Rev. 2:

* broken: no encryption (NULL), export grade, anonymous key exchange, RC4,
  RC2, single DES, or MD5 as the MAC;
* weak: 3DES (64-bit blocks: Sweet32) and IDEA;
* legacy: AES with static RSA or static Diffie-Hellman key exchange (no
  forward secrecy);
* strong: AES or ChaCha20 with ephemeral (EC)DHE key exchange, and the
  TLS 1.3 suites.
"""

from __future__ import annotations

import json
import re
from dataclasses import dataclass
from functools import lru_cache

from .catalogue import default_schema_dirs

_HEX_CODES = re.compile(r"^(?:[0-9A-Fa-f]{2})+$")
_LIST = re.compile(r"[\s,]+")

# Where server.xml names cipher suites and TLS protocol versions: element -> attribute.
SUITE_SETTINGS = {"ssl": "enabledCiphers", "properties.wmqJms": "sslCipherSuite"}
PROTOCOL_SETTINGS = {"ssl": "sslProtocol"}
# CSD resources whose CIPHERS keyword lists suites.
CICS_CIPHER_RESOURCES = ("TCPIPSERVICE", "IPCONN", "URIMAP")
# Classes from worst to best.
RANK = {"broken": 0, "weak": 1, "legacy": 2, "unknown": 3, "strong": 4}


@dataclass(frozen=True, slots=True)
class Strength:
    name: str  # the IANA name
    klass: str  # broken, weak, legacy, strong, unknown
    why: str  # in a few words


@lru_cache(maxsize=1)
def _data() -> dict:
    for d in default_schema_dirs():
        path = d / "tls" / "cipher-suites.json"
        if path.is_file():
            return json.loads(path.read_text(encoding="utf-8"))
    return {"suites": {}, "protocols": {}}


def iana_name(written: str) -> str:
    """The IANA spelling of a suite name: SSL_ prefixes (IBM JSSE, IBM MQ)
    become TLS_."""
    name = written.strip().upper().replace("DH_ANON", "DH_anon")
    return "TLS_" + name[4:] if name.startswith("SSL_") else name


def classify(written: str) -> Strength:
    """How strong the suite ``written`` is."""
    name = iana_name(written)
    n = name.upper()
    if not n.startswith("TLS_"):
        return Strength(name, "unknown", "not a cipher suite name zcsec knows")
    for marker, why in (("_NULL", "no encryption"), ("EXPORT", "export-grade keys"), ("_ANON_", "no authentication of the server"), ("RC4", "RC4 is broken"), ("RC2", "RC2 is broken"), ("_MD5", "MD5 as the MAC")):
        if marker in n:
            return Strength(name, "broken", why)
    if re.search(r"_DES(40)?_CBC", n):
        return Strength(name, "broken", "single DES (56-bit keys)")
    if "3DES" in n:
        return Strength(name, "weak", "3DES (64-bit blocks, Sweet32)")
    if "IDEA" in n:
        return Strength(name, "weak", "IDEA, removed from TLS 1.2")
    if re.match(r"TLS_(AES|CHACHA20)_", n):
        return Strength(name, "strong", "a TLS 1.3 suite")
    if re.match(r"TLS_(ECDHE|DHE)_", n) and ("_AES_" in n or "CHACHA20" in n):
        return Strength(name, "strong", "ephemeral key exchange (forward secrecy)")
    if re.match(r"TLS_(RSA|DH|ECDH)_", n) and "_AES_" in n:
        return Strength(name, "legacy", "static key exchange (no forward secrecy)")
    return Strength(name, "unknown", "a suite zcsec does not classify")


def cics_ciphers(value: str) -> list[tuple[str, Strength]] | None:
    """The suites of a CICS CIPHERS value written as 2-digit codes, as
    (code, strength); None when the value names a cipher suite
    specification file (or anything else that is not a list of codes)."""
    v = value.strip()
    if not _HEX_CODES.match(v):
        return None
    suites = _data()["suites"]
    out = []
    for i in range(0, len(v), 2):
        code = v[i : i + 2].upper()
        name = suites.get("00" + code)
        out.append((code, classify(name) if name else Strength(f"code {code}", "unknown", "a code zcsec does not know")))
    return out


def names(value: str) -> list[str]:
    """The suite names or protocol versions in a list written with blanks or commas."""
    return [n for n in _LIST.split(value.strip()) if n]


def worst(found: list[tuple[str, Strength]]) -> tuple[str, Strength] | None:
    """The weakest of (label, strength) pairs; None for an empty list."""
    return min(found, key=lambda x: RANK.get(x[1].klass, 3)) if found else None


def code_of(written: str) -> str | None:
    """The IANA code (4 hex digits) of a suite name, if zcsec knows it."""
    name = iana_name(written)
    for code, known in _data()["suites"].items():
        if known == name:
            return code.upper()
    return None


_PROTOCOL_ORDER = ("SSLv2", "SSLv3", "TLSv1", "TLSv1.0", "TLSv1.1", "TLSv1.2", "TLSv1.3")


def lowest_protocol(versions: list[str]) -> str | None:
    """The oldest of explicit protocol versions (TLSv1.2 of TLSv1.2,TLSv1.3);
    None when the list only asks to negotiate (TLS, SSL_TLSv2) or names none zcsec orders."""
    known = [v for v in (x.strip().replace("TLSV", "TLSv") for x in versions) if v in _PROTOCOL_ORDER]
    return min(known, key=_PROTOCOL_ORDER.index) if known else None


def protocol_class(version: str) -> str | None:
    """broken, legacy, strong or negotiated for a protocol name such as
    TLSv1.1; None when zcsec does not know it."""
    protocols = _data()["protocols"]
    return protocols.get(version.strip()) or protocols.get(version.strip().replace("TLSV", "TLSv"))
