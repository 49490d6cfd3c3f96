"""The analysis behind the language server, imported when it is first used.

An editor waits for the answer to ``initialize`` before it shows anything,
and the analysis (parsers, catalogue, rules, engine, posture, the editor
features of :mod:`zcsec.ide`) is most of zcsec's import time.  So the
server answers ``initialize`` without it, and the feature modules reach
every analysis module through this one: ``lazy.ide_hover.hover(...)``
imports :mod:`zcsec.ide.hover` the first time it is used.  The server makes
its analysis service (and so imports the analysis) once the client has the
answer, on ``initialized``, before the first document arrives; the editor
features are imported when first asked for.

For a type checker the names below are ordinary imports.  The imports are
serialised: two threads of the server's pool importing modules that import
each other could otherwise find a module half imported.
"""

from __future__ import annotations

import importlib
import threading
from types import ModuleType
from typing import TYPE_CHECKING

if TYPE_CHECKING:  # the names of MODULES, used as lazy.NAME (a test compares them)
    from .. import csdparse, fixing, posture, remote, service  # noqa: F401
    from ..ide import completion as ide_completion, glance as ide_glance, hover as ide_hover, navigation as ide_navigation  # noqa: F401

# Name here -> module.
MODULES = {
    "service": "zcsec.service",
    "remote": "zcsec.remote",
    "posture": "zcsec.posture",
    "fixing": "zcsec.fixing",
    "csdparse": "zcsec.csdparse",
    "ide_completion": "zcsec.ide.completion",
    "ide_glance": "zcsec.ide.glance",
    "ide_hover": "zcsec.ide.hover",
    "ide_navigation": "zcsec.ide.navigation",
}

_lock = threading.RLock()


def __getattr__(name: str) -> ModuleType:
    target = MODULES.get(name)
    if target is None:
        raise AttributeError(f"module {__name__!r} has no attribute {name!r}")
    with _lock:
        module = importlib.import_module(target)
    globals()[name] = module  # later uses are plain attribute reads
    return module
