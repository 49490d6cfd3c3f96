"""The rule catalogue.  Importing this package registers every rule.

Which module defines a rule follows from its code (registry.module_for)."""

from .registry import RULES, Rule  # noqa: F401
from . import wellformed, schema, csd, cics, ims, mq, rest, wola, liberty, caller, transport  # noqa: F401,E402
