"""The rule catalogue.  Importing this package registers every rule."""

from .registry import RULES, Rule  # noqa: F401
from . import wellformed, schema, csd, cics, providers, caller, transport  # noqa: F401,E402
