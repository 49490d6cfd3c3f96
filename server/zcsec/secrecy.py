"""What is secret: the one place that decides which values zcsec never shows.

Every output goes through this module: diagnostics (parser messages that
quote text), hover, completion details, code action titles, navigation and
outline details, posture.  A value is secret when the catalogue says its
attribute is, when the attribute (or, for <variable> and <property>, the
name it defines) is named like a credential, or when it is a variable used
in a secret value (and every variable that value is built from).
"""

from __future__ import annotations

import re

from .catalogue import AttributeSpec
from .workspace import ConfigElement, LibertyConfig, Workspace

# Names of settings that hold credentials.
SECRET_NAME = re.compile(r"pass|pwd|secret|token|credential|api.?key|private.?key|shared.?key", re.IGNORECASE)
VAR = re.compile(r"\$\{([^}]*)\}")
# Attribute types that never hold a secret, whatever their name.
_NOT_SECRET_TYPES = ("ref", "refList", "id", "boolean", "enum", "int", "long", "short", "duration")


def looks_secret(name: str) -> bool:
    """Whether a setting called ``name`` holds a credential."""
    return bool(SECRET_NAME.search(name)) and not name.endswith(("Ref", "Refs"))


def is_secret_attr(ce: ConfigElement | None, attr_name: str, aspec: AttributeSpec | None = None) -> bool:
    """Whether the value of ``attr_name`` on ``ce`` is a secret that is never shown."""
    if aspec is None and ce is not None and ce.spec is not None:
        aspec = ce.spec.attribute(attr_name)
    if aspec is not None and aspec.secret:
        return True
    if aspec is not None and aspec.type in _NOT_SECRET_TYPES:
        return False
    if looks_secret(attr_name):
        return True
    if ce is not None and attr_name in ("value", "defaultValue"):
        # <variable name="dbPassword" value="..."/>, <property name="password" value="..."/>
        return bool(SECRET_NAME.search(ce.element.value("name") or ""))
    return False


def secret_variables(cfg: LibertyConfig) -> set[str]:
    """Variables whose value must never be shown: named like a secret, used
    in a secret attribute, or linked by value to such a variable."""
    cached = cfg.cache.get("secret-variables")
    if cached is not None:
        return cached
    secret = {n for n in cfg.variables if SECRET_NAME.search(n)}
    for ce in cfg.elements:
        for attr in ce.element.attributes:
            if "${" in attr.value and is_secret_attr(ce, attr.name):
                secret.update(m.group(1).strip() for m in VAR.finditer(attr.value))
    # Close over variables that use each other: a secret inside another
    # variable, or a secret variable built from parts.
    changed = True
    while changed:
        changed = False
        for name, var in cfg.variables.items():
            inner = {m.group(1).strip() for m in VAR.finditer(var.value or "")}
            if not inner:
                continue
            if name in secret and not inner <= secret:
                secret |= inner
                changed = True
            elif name not in secret and inner & secret:
                secret.add(name)
                changed = True
    cfg.cache["secret-variables"] = secret
    return secret


def secret_values_in(ws: Workspace, path: str) -> set[str]:
    """The values of the secret attributes written in the Liberty file
    ``path``, as written: what a text that quotes the file (a diff) must hide."""
    out: set[str] = set()
    for cfg in ws.configs:
        for ce in cfg.in_file(path):
            for attr in ce.element.attributes:
                if attr.value and is_secret_attr(ce, attr.name):
                    out.add(attr.value)
    return out
