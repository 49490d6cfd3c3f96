"""What a computation reads from the model (issue 14).

The analysis re-checks after an edit only what can have changed.  For that,
every lookup the model offers to the rules and postures (an id, the elements
of a type, the CSD definitions on a port, ...) notes a *key* while a log is
open; the engine keeps the keys each check read, and runs that check again
only when an edit touched something under one of them
(workspace.unit_keys says which keys an edited element or command touches).

Keys are plain tuples, named by what they cover:

- ``("id", X)``: the elements with id X, and everything written in the
  top-level elements that hold them;
- ``("ids",)``: which ids exist and of which element types;
- ``("type", N)``: the elements named N, and the top-level elements that
  hold them;
- ``("file", P)``: every element of Liberty file P;
- ``("all",)``: every element of a configuration;
- ``("features",)``: the enabled features;
- ``("refby", A, X)``: whether an element names X in its attribute A (a
  *Ref, lower case);
- ``("csd-type", T)``, ``("csd-name", T, NAME)``, ``("csd-port", N)``,
  ``("csd-listener", NAME)``, ``("csd-applid", APPLID)``: CSD definitions
  by resource type, name, PORTNUMBER, an IPCONN's TCPIPSERVICE and APPLID;
- ``("csd-all",)``: every CSD definition; ``("csd-file", P)``: the commands
  of CSD file P;
- ``("linked", id(command))``: whether a connection leads to that CSD
  command (posture.linked; the engine adds it when that changes).

What is the same for a whole build (the files of each configuration, its
includes and variables, the project settings, the catalogue) has no key:
a change there rebuilds everything.

The log is per thread, so that editor requests reading a workspace while the
engine checks it never land in the engine's log.
"""

from __future__ import annotations

import threading
from typing import Callable, TypeVar

T = TypeVar("T")
Key = tuple


class _Log(threading.local):
    keys: list[Key] | None = None  # the keys read so far, None when no log is open
    kept: bool = False  # what is worked out is kept for later checks: isolated() records


LOG = _Log()


def note(kind: str | Key, a: object = None, b: object = None) -> None:
    """Note that the key ``(kind, a, b)`` (as long as given) was read, when
    a log is open; the key is only built then.  ``note(("all",))`` notes a
    key given whole."""
    keys = LOG.keys
    if keys is not None:
        keys.append(kind if isinstance(kind, tuple) else (kind,) if a is None else (kind, a) if b is None else (kind, a, b))


def isolated(fn: Callable[[], T]) -> tuple[T, list[Key]]:
    """Run ``fn`` with a log of its own: its result and the keys it read,
    which are not noted in the log that was open (the caller decides who
    reads them).  Nothing is recorded when nothing is kept (LOG.kept)."""
    if not LOG.kept:
        return fn(), []
    saved = LOG.keys
    LOG.keys = []
    try:
        value = fn()
    finally:
        keys, LOG.keys = LOG.keys, saved
    return value, keys


def replay(keys: list[Key]) -> None:
    """Note ``keys`` again: a result computed once (and kept) is read."""
    log = LOG.keys
    if log is not None and keys:
        log.extend(keys)
