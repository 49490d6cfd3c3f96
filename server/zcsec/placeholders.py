"""Template placeholders: the one place that decides whether a value is a
blank to be filled in rather than a value.

Real configurations are often templates: samples with ``host="<hostname>"``,
Ansible files with ``{{ cmci_port }}``, provisioning jobs with ``@rep_port@``
or ``++CICSHLQ++``, and DFHCSDUP input with JCL symbols such as
``&HLQ..LOADLIB``.  Such a value is reported once, as a placeholder, and never
checked as a value (a name that is too long, a port that is not a number, a
password in clear text).
"""

from __future__ import annotations

import re

# Forms seen in public samples (docs/precision.md lists where).
_COMMON = (
    r"<[A-Za-z_][^<>\"']{0,40}>|<>"  # <hostname>, <DB2SSID>, <> (angle brackets)
    r"|\{\{[^{}]{1,60}\}\}"  # {{ jinja }}
    r"|@[A-Za-z_][\w.\-]{0,40}@"  # @name@
    r"|\+\+[A-Za-z_][\w.\-]{0,40}\+\+"  # ++NAME++
    r"|\bYOUR_[A-Z0-9_]+\b"  # YOUR_PASSWORD
)
_XML = re.compile(_COMMON)
# DFHCSDUP input inside a JCL job may use JCL symbols (SYMBOLS=JCLONLY):
# &NAME or &NAME. (the period ends the symbol).
_CSD = re.compile(_COMMON + r"|&[A-Za-z@#$][A-Za-z0-9@#$]{0,7}\.?")


def _may_hold(value: str) -> bool:
    """Whether ``value`` has a character every form of _COMMON starts with
    (most values have none: a search of the pattern at every offset is
    then spared)."""
    return "<" in value or "{" in value or "@" in value or "+" in value or "YOUR_" in value


def xml_placeholder(value: str) -> str | None:
    """The first placeholder in an attribute value of a Liberty file."""
    if not value or not _may_hold(value):
        return None
    m = _XML.search(value)
    return m.group(0) if m else None


def csd_placeholder(value: str) -> str | None:
    """The first placeholder in a DFHCSDUP name or keyword value."""
    if not value or not ("&" in value or _may_hold(value)):
        return None
    m = _CSD.search(value)
    return m.group(0) if m else None
